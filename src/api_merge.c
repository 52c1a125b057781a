/* api_merge.c - secprof_merge: the combination is written as a Docker
 * profile by the analyze layer (sp_merge_docker, which verifies it), and
 * the SPO form is that profile exported (secprof_export): one writer owns
 * the SeccompProfile form, with its warnings and its read-back check (the
 * CRD has no defaultErrnoRet, so runc answers EPERM and skips a rule of
 * ERRNO(1) as the default's; export.c spo_check). */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "core/util.h"
#include "secprof.h"

/* The merged Docker profile in the SPO form, for the inputs' arch. */
static int spo_of(secprof_ctx *ctx, const secprof_side *in, const char *docker,
		  const secprof_compile_opts *co, char **out, secprof_error *err)
{
	secprof_ctx quiet = { 0 }; /* merge's own text: nothing to say about it */
	secprof_export_opts eo = { .format = SECPROF_EXPORT_SPO, .name = "merged" };
	secprof_resolve_opts ro = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_arch_info info;
	size_t len;
	int rc;

	if (co)
		eo.compile = *co;
	secprof_arch_get_info(secprof_arch_lookup(secprof_ir_arch_at(in[0].ir, 0)->name), &info);
	ro.arch = info.go;
	ro.kernel_major = 6; /* the merged profile has no minKernel: any kernel */
	ro.kernel_minor = 1;
	ro.caps = secprof_caps_all(); /* nor includes */
	if (!(p = secprof_profile_parse(&quiet, docker, strlen(docker), "<merged>", err)) ||
	    !(r = secprof_resolve(&quiet, p, &ro, err)))
		rc = -err->code;
	else
		rc = secprof_export(ctx, r, &eo, out, &len, err);
	if (rc < 0)
		sp_err_wrap(err, "the spo form of the merged profile");
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc < 0 ? rc : 0;
}

int secprof_merge(secprof_ctx *ctx, const secprof_side *in, size_t n, enum secprof_merge_mode mode,
		  enum secprof_merge_format fmt, const secprof_compile_opts *co, char **out,
		  secprof_error *err)
{
	char *docker = NULL;
	int rc;

	if (fmt != SECPROF_MERGE_DOCKER && fmt != SECPROF_MERGE_SPO)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "secprof_merge: unknown format %d", (int)fmt);
	if ((rc = sp_merge_docker(ctx, in, n, mode, co, &docker, err)) < 0)
		return rc;
	if (fmt == SECPROF_MERGE_DOCKER) {
		*out = docker;
		return 0;
	}
	rc = spo_of(ctx, in, docker, co, out, err);
	free(docker);
	return rc;
}
