/* parse.c - stub, to be written. */
#include <stdlib.h>
#include "internal.h"

secprof_profile *secprof_profile_parse(secprof_ctx *ctx, const char *data, size_t len,
				       const char *filename, secprof_error *err)
{
	(void)ctx; (void)data; (void)len;
	sp_err(err, SECPROF_E_INTERNAL, filename, NULL, NULL, "not implemented");
	return NULL;
}

secprof_profile *secprof_profile_load_file(secprof_ctx *ctx, const char *path, secprof_error *err)
{
	return secprof_profile_parse(ctx, NULL, 0, path, err);
}

secprof_profile *secprof_profile_builtin(secprof_ctx *ctx, secprof_error *err)
{
	return secprof_profile_parse(ctx, NULL, 0, "builtin", err);
}

const char *secprof_builtin_json(size_t *len)
{
	*len = 0;
	return "";
}

void secprof_profile_free(secprof_profile *p)
{
	if (p)
		sp_arena_free(&p->arena);
	free(p);
}
