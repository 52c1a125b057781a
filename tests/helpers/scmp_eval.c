/* scmp_eval - show what secprof and libseccomp-like-runc decide for one call.
 *
 *   scmp_eval PROFILE.json|- [--arch GOARCH] [--token AUDIT_ARCH] NR|NAME [ARG0..ARG5]
 *   scmp_eval PROFILE.json|- [--arch GOARCH] --dump
 *
 * Resolves the profile (default caps, kernel 6.1, amd64 unless --arch),
 * compiles it with both compilers and prints both verdicts on the native
 * arch of the resolution, or both programs with --dump (and the program
 * libseccomp builds for each arch token alone). Where they differ
 * it also says which listed libseccomp bug explains the difference
 * (tests/compat/README.md; equiv.h eq_explain), or "unexplained", the
 * verdict test_equiv fails on. For investigating what
 * tests/unit/test_equiv.c reports.
 */
#include "../compat/bpf_eval.h"
#include "../compat/equiv.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct rp_buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rp_printf(&b, "%.*s", (int)n, chunk);
	if (f != stdin)
		fclose(f);
	*len = b.len;
	return b.s;
}

static void dump(const char *who, const secprof_insn *p, size_t len)
{
	printf("%s: %zu insns\n", who, len);
	for (size_t i = 0; i < len; i++)
		printf("%4zu: code 0x%04x jt %3u jf %3u k 0x%08x\n", i, p[i].code, p[i].jt, p[i].jf,
		       p[i].k);
}

int main(int argc, char **argv)
{
	const char *go = "amd64";
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_resolve_opts o = { .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	secprof_error err;
	secprof_profile *p;
	secprof_resolved *r;
	secprof_prog *sp;
	struct runc_prog rp;
	char rerr[512], sa[32], sb[32], *json;
	size_t len = 0;
	int a = 2, rc;
	uint32_t token = 0;

	if (argc < 3) {
		fprintf(stderr,
			"usage: scmp_eval PROFILE.json|- [--arch GOARCH] NR|NAME [ARGS...] | --dump\n");
		return 2;
	}
	if (argc > 4 && !strcmp(argv[2], "--arch")) {
		go = argv[3];
		a = 4;
	}
	if (argc > a + 2 && !strcmp(argv[a], "--token")) {
		token = (uint32_t)strtoul(argv[a + 1], NULL, 0);
		a += 2;
	}
	o.arch = go;
	json = slurp(argv[1], &len);
	p = json ? secprof_profile_parse(ctx, json, len, argv[1], &err) : NULL;
	r = p ? secprof_resolve(ctx, p, &o, &err) : NULL;
	if (!r) {
		fprintf(stderr, "scmp_eval: %s\n", json ? err.msg : "cannot read the profile");
		return 1;
	}
	/* libseccomp's program, bit for bit: arguments compared on 64 bits */
	sp = secprof_compile(ctx, r, &(secprof_compile_opts){ .exact_libseccomp = true }, &err);
	rc = runc_scmp_build(r, NULL, &rp, rerr, sizeof(rerr));
	if (!sp || rc) {
		printf("secprof: %s\nlibseccomp/runc: %s\n", sp ? "compiled" : err.msg,
		       rc ? rerr : "compiled");
		return 1;
	}
	if (!strcmp(argv[a], "--dump")) {
		dump("secprof", sp->insns, sp->len);
		dump("libseccomp/runc", rp.insns, rp.len);
		/* the single-arch references of listed exception 2 */
		struct runc_prog per[8];
		uint32_t audits[8];
		size_t nper = eq_per_arch_programs(r, per, audits, 8);
		for (size_t i = 0; i < nper; i++) {
			char who[64];
			snprintf(who, sizeof(who), "libseccomp, token 0x%08x alone", audits[i]);
			if (per[i].insns)
				dump(who, per[i].insns, per[i].len);
			runc_prog_free(&per[i]);
		}
		return 0;
	}
	secprof_data d = { .arch = token ? token : r->native->audit };
	char *end;
	long nr = strtol(argv[a], &end, 0);
	d.nr = (int32_t)(*end ? sp_syscall_nr(r->native, argv[a]) : nr);
	for (int i = 0; i < 6 && a + 1 + i < argc; i++)
		d.args[i] = strtoull(argv[a + 1 + i], NULL, 0);
	uint32_t va = secprof_emulate(sp->insns, sp->len, &d, NULL),
		 vb = secprof_emulate(rp.insns, rp.len, &d, NULL);
	printf("nr %d: secprof %s, libseccomp/runc %s%s\n", d.nr, eq_ret_str(va, sa, sizeof(sa)),
	       eq_ret_str(vb, sb, sizeof(sb)), va == vb ? "" : "  DIFFERENT");
	if (va != vb) {
		struct runc_prog per[8];
		uint32_t audits[8];
		size_t nper = eq_per_arch_programs(r, per, audits, 8);
		struct eq_case c = { .label = argv[1],
				     .a = sp->insns,
				     .alen = sp->len,
				     .b = rp.insns,
				     .blen = rp.len,
				     .r = r,
				     .per_arch = per,
				     .per_audit = audits,
				     .nper = nper };
		printf("why: %s\n", eq_why_str(eq_explain(&c, &d, va, vb)));
		for (size_t i = 0; i < nper; i++)
			runc_prog_free(&per[i]);
	}
	secprof_prog_free(sp);
	runc_prog_free(&rp);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	free(json);
	return va != vb;
}
