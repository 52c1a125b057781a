/* compile.c - stub, to be written. */
#include "internal.h"

secprof_prog *secprof_compile(secprof_ctx *ctx, const secprof_resolved *r,
			      const secprof_compile_opts *opts, secprof_error *err)
{
	(void)ctx; (void)r; (void)opts;
	sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL, "not implemented");
	return NULL;
}
void secprof_prog_free(secprof_prog *prog) { (void)prog; }
