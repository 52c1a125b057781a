/* scmp-compile.c - the libseccomp side of the bench's whole-process figure:
 * `scmp-compile PROFILE OUT` does what `secprof compile PROFILE -o OUT
 * --arch amd64 --kernel 6.1` does, with libseccomp 2.5.4 building the
 * program as runc does (tests/compat/runc_scmp.h: seccomp_init, arches,
 * one rule per name, OPTIMIZE=2 above 32 rules, seccomp_export_bpf, runc's
 * ENOSYS stub). The profile is read with secprof's parser and resolver (runc
 * has its own Go JSON decoding; the in-process bench does the same), so the
 * difference between the two processes is the compiler and what each
 * program loads at start. Not a test. */
#include <stdio.h>
#include <stdlib.h>

#include "runc_scmp.h"

int main(int argc, char **argv)
{
	secprof_resolve_opts o = { .arch = "amd64",
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	secprof_ctx *ctx;
	secprof_profile *p;
	secprof_resolved *r;
	secprof_error err;
	struct runc_prog prog;
	struct runc_opts ro = { 0, false, 0 };
	char why[1024];
	FILE *out;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: scmp-compile PROFILE OUT\n");
		return 2;
	}
	ctx = secprof_ctx_new();
	p = ctx ? secprof_profile_load_file(ctx, argv[1], &err) : NULL;
	r = p ? secprof_resolve(ctx, p, &o, &err) : NULL;
	if (!r) {
		fprintf(stderr, "scmp-compile: %s\n", ctx ? err.msg : "out of memory");
	} else if (runc_scmp_build(r, &ro, &prog, why, sizeof(why))) {
		fprintf(stderr, "scmp-compile: %s\n", why);
	} else {
		out = fopen(argv[2], "wb");
		if (out && fwrite(prog.insns, sizeof(*prog.insns), prog.len, out) == prog.len &&
		    !fclose(out))
			rc = 0;
		else
			fprintf(stderr, "scmp-compile: cannot write %s\n", argv[2]);
		runc_prog_free(&prog);
	}
	secprof_resolved_free(r);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	return rc;
}
