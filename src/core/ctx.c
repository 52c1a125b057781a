/* ctx.c - the context: options and the warning callback (no globals). */
#include <stdlib.h>

#include "secprof.h"
#include "core/scratch.h"
#include "core/util.h"

secprof_ctx *secprof_ctx_new(void)
{
	secprof_ctx *ctx = calloc(1, sizeof(secprof_ctx));

	if (ctx) {
		atomic_init(&ctx->scratch, NULL);
		ctx->keeps_scratch = true;
	}
	return ctx;
}

void secprof_ctx_free(secprof_ctx *ctx)
{
	sp_scratch_release(ctx);
	free(ctx);
}

void secprof_ctx_set_warn(secprof_ctx *ctx, secprof_warn_fn fn, void *data)
{
	ctx->warn = fn;
	ctx->warn_data = data;
}

void secprof_ctx_set_strict(secprof_ctx *ctx, bool strict)
{
	ctx->strict = strict;
}
