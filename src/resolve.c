/* resolve.c - stub, to be written. */
#include "internal.h"

secprof_resolved *secprof_resolve(secprof_ctx *ctx, const secprof_profile *p,
				  const secprof_resolve_opts *opts, secprof_error *err)
{
	(void)ctx; (void)p; (void)opts;
	sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL, "not implemented");
	return NULL;
}
void secprof_resolved_free(secprof_resolved *r) { (void)r; }
bool secprof_resolved_unconfined(const secprof_resolved *r) { return r->unconfined; }
int secprof_resolved_to_oci_json(const secprof_resolved *r, char **out, size_t *len,
				 secprof_error *err)
{
	(void)r; (void)out; (void)len;
	return sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL, "not implemented");
}
