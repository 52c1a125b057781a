/* test_equiv.c - secprof's compiler means what libseccomp, driven like runc,
 * means.
 *
 * For every profile below, both compilers build a program from the same
 * resolved profile and both programs run on the same inputs under
 * secprof_emulate (and under the independent evaluator of bpf_eval.h, as a
 * check of the emulator itself):
 *  - the built-in default for amd64 under default caps, +SYS_ADMIN,
 *    +SYS_PTRACE, privileged, an old kernel, and for arm64 / riscv64;
 *  - every reference profile under $REF that parses and resolves;
 *  - EQUIV_PROFILES (default 1000) random profiles (randprof.h).
 * Inputs: every number 0..max+20 of every arch of the filter (x32 numbers on
 * the x86_64 token too), edge numbers (-1, INT32_MIN, 0x40000000...),
 * foreign arch tokens, and for syscalls with argument rules EQUIV_VECTORS
 * (default 24) arg vectors built from 0, 1, 2^31, 2^32-1, 2^32, 2^63, 2^64-1
 * and the profile's own constants +-1.
 *
 * Where the tables differ: libseccomp 2.5.4 lacks syscalls newer than 2022 and
 * a few numbers moved since; such names are dropped from both sides before
 * comparing (counted: "names restricted"). On x86, ppc64le and mipsel
 * libseccomp also puts the socket and SysV IPC families on socketcall(2) and
 * ipc(2) with "arg0 == call"; secprof does too, and the sweep gives those two
 * numbers arg vectors whose arg0 is each named call (equiv.h eq_mux_sweep).
 *
 * Then a few programs of both compilers are loaded in forked children and
 * real syscalls check the emulator's verdict against the kernel (kprobe.h).
 * Set EQUIV_VERBOSE=1 for per-profile lines.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "tap.h"

#include "../compat/equiv.h"
#include "../compat/kprobe.h"
#include "../compat/shrink.h"

/* libseccomp 2.5.4 leaks tree nodes inside seccomp_rule_add_array when it
 * merges some conditional rules (seen with the moby default); that is the
 * reference's bug, not ours, so LeakSanitizer is told to ignore it. */
const char *__lsan_default_suppressions(void);
__attribute__((visibility("default"), used)) const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

static unsigned env_uint(const char *name, unsigned dflt)
{
	const char *s = getenv(name);
	return s && *s ? (unsigned)strtoul(s, NULL, 10) : dflt;
}

/* The notes secprof gave while compiling the profile being compared: the
 * stale accumulator's (src/ir/scmpacc.c) must name every syscall where
 * listed exception 4 shows (equiv.h scmp_merge_unnamed). */
static char compile_notes[1 << 16];
static size_t compile_notes_len;

static void keep_warning(void *data, const secprof_error *w)
{
	(void)data;
	if (compile_notes_len + strlen(w->msg) + 2 < sizeof(compile_notes))
		compile_notes_len += (size_t)snprintf(compile_notes + compile_notes_len,
						      sizeof(compile_notes) - compile_notes_len,
						      "%s\n", w->msg);
}

struct loaded {
	secprof_profile *prof;
	secprof_resolved *res;
};

static void loaded_free(struct loaded *l)
{
	secprof_resolved_free(l->res);
	secprof_profile_free(l->prof);
	memset(l, 0, sizeof(*l));
}

static int load_bytes(secprof_ctx *ctx, const char *json, size_t len, const char *file,
		      const char *go, secprof_caps caps, int kmaj, int kmin, struct loaded *out,
		      secprof_error *err)
{
	secprof_resolve_opts o = {
		.arch = go, .kernel_major = kmaj, .kernel_minor = kmin, .caps = caps
	};

	memset(out, 0, sizeof(*out));
	out->prof = json ? secprof_profile_parse(ctx, json, len, file, err)
			 : secprof_profile_builtin(ctx, err);
	if (!out->prof)
		return -1;
	out->res = secprof_resolve(ctx, out->prof, &o, err);
	if (!out->res) {
		loaded_free(out);
		return -1;
	}
	return 0;
}

/* A NUL-terminated profile, or the built-in one when json is NULL. */
static int load_json(secprof_ctx *ctx, const char *json, const char *file, const char *go,
		     secprof_caps caps, int kmaj, int kmin, struct loaded *out, secprof_error *err)
{
	return load_bytes(ctx, json, json ? strlen(json) : 0, file, go, caps, kmaj, kmin, out, err);
}

/* The second differential: secprof's default program for every profile
 * compared, against libseccomp's for profile' on input' (equiv.h
 * eq_narrow). Its own counts; compare_one fills them. */
static struct eq_stats st_narrow;

static void compare_mode(secprof_ctx *ctx, const char *label, const char *json,
			 const secprof_resolved *r, uint64_t seed, struct eq_stats *st,
			 bool narrow);

/* Both compilers on one resolved profile; compare refusals, then verdicts:
 * secprof's exact program with libseccomp's, then secprof's default
 * program with libseccomp's for profile' (into st_narrow). */
static void compare_one(secprof_ctx *ctx, const char *label, const char *json,
			const secprof_resolved *r, uint64_t seed, struct eq_stats *st)
{
	compare_mode(ctx, label, json, r, seed, st, false);
	compare_mode(ctx, label, json, r, seed, &st_narrow, true);
}

static void compare_mode(secprof_ctx *ctx, const char *label, const char *json,
			 const secprof_resolved *r, uint64_t seed, struct eq_stats *st, bool narrow)
{
	struct eq_restricted x, n = { 0 };
	const secprof_resolved *scmp_r; /* what libseccomp compiles */
	struct runc_prog rp;
	secprof_error err;
	secprof_prog *sp;
	char rerr[512];
	int rc;

	if (secprof_resolved_unconfined(r))
		return;
	st->names_dropped += eq_restrict(r, &x);
	if (narrow)
		eq_narrow(&x.r, &n);
	scmp_r = narrow ? &n.r : &x.r;
	rc = runc_scmp_build(scmp_r, NULL, &rp, rerr, sizeof(rerr));
	memset(&err, 0, sizeof(err));
	compile_notes_len = 0;
	compile_notes[0] = 0;
	sp = secprof_compile(ctx, &x.r, &(secprof_compile_opts){ .exact_libseccomp = !narrow },
			     &err);
	if (narrow && !sp && !rc) {
		/* runc adds the profile as written, not profile': where
		 * libseccomp refuses that one (EEXIST on its 64-bit words),
		 * secprof's refusal is docker run's (random profile seeds
		 * 7004378 and 7016965) */
		struct runc_prog orig;
		if (runc_scmp_build(&x.r, NULL, &orig, rerr, sizeof(rerr)))
			rc = -1;
		else
			runc_prog_free(&orig);
	}
	/* default mode: secprof's exact programs for profile' and the profile */
	secprof_prog *sp_lo = NULL, *sp_wide = NULL;
	secprof_insn *plain = NULL;
	size_t plainlen = 0;
	if (narrow && sp && !(plain = eq_compile_plain(&n.r, &plainlen))) {
		secprof_prog_free(sp);
		sp = NULL;
	}
	if (narrow && sp) {
		sp_lo = secprof_compile(ctx, &n.r,
					&(secprof_compile_opts){ .exact_libseccomp = true }, &err);
		sp_wide = secprof_compile(
			ctx, &x.r, &(secprof_compile_opts){ .exact_libseccomp = true }, &err);
		if (!sp_lo || !sp_wide) {
			secprof_prog_free(sp);
			sp = NULL;
		}
	}
	st->profiles++;
	if (rc || !sp) {
		if (rc && !sp) {
			st->both_error++;
		} else if (!sp && strstr(err.msg, "neither is always the stricter")) {
			/* libseccomp here is driven as a current runc; Debian
			 * 12's Docker reads the rule otherwise (docs/COMPAT.md
			 * §9, 9): refused by secprof alone, the stricter */
			st->readings_refused++;
		} else {
			st->error_mismatch++;
			if (st->refusal_printed++ < 5 || getenv("EQUIV_EACH")) {
				printf("# REFUSAL MISMATCH in %s%s\n# profile: %s\n",
				       narrow ? "(default mode) " : "", label,
				       json ? json : "(builtin)");
				printf("# secprof: %s\n# libseccomp/runc: %s\n",
				       sp ? "compiled" : err.msg, rc ? rerr : "compiled");
			}
		}
	} else {
		unsigned shown = 0;
		secprof_data first;
		struct runc_prog per[8];
		uint32_t audits[8];
		size_t nper = eq_per_arch_programs(scmp_r, per, audits, 8);
		char nlabel[160];
		snprintf(nlabel, sizeof(nlabel), "%s%s", narrow ? "(default mode) " : "", label);
		struct runc_prog exact = { 0 };
		if (narrow && runc_scmp_build(&x.r, NULL, &exact, rerr, sizeof(rerr)))
			exact = (struct runc_prog){ 0 };
		struct runc_prog per_x[8];
		uint32_t audits_x[8];
		size_t nper_x = narrow && eq_has_mux64(&x.r)
					? eq_per_arch_programs(&x.r, per_x, audits_x, 8)
					: 0;
		struct eq_case c = { .label = nlabel,
				     .json = json,
				     .a = narrow ? sp_lo->insns : sp->insns,
				     .alen = narrow ? sp_lo->len : sp->len,
				     .b = rp.insns,
				     .blen = rp.len,
				     .st = st,
				     .shown = &shown,
				     .first = &first,
				     .r = scmp_r,
				     .per_arch = per,
				     .per_audit = audits,
				     .nper = nper,
				     .narrow = narrow,
				     .orig = &x.r,
				     .b_exact = exact.insns,
				     .blen_exact = exact.len,
				     .def = sp->insns,
				     .deflen = sp->len,
				     .wide = narrow ? sp_wide->insns : NULL,
				     .widelen = narrow ? sp_wide->len : 0,
				     .notes = compile_notes,
				     .plain = plain,
				     .plainlen = plainlen,
				     .per_arch_exact = per_x,
				     .per_audit_exact = audits_x,
				     .nper_exact = nper_x };
		unsigned before = st->printed;

		if (getenv("EQUIV_EACH"))
			st->printed = 0; /* show every disagreeing profile */
		/* the original profile's constants: high words included */
		eq_compare_programs(&c, &x.r, seed, env_uint("EQUIV_VECTORS", 24));
		if (st->printed > before && !narrow)
			sh_report(ctx, &x.r,
				  &first); /* the same disagreement, on a minimal profile */
		for (size_t i = 0; i < nper; i++)
			runc_prog_free(&per[i]);
		for (size_t i = 0; i < nper_x; i++)
			runc_prog_free(&per_x[i]);
		runc_prog_free(&exact);
	}
	secprof_prog_free(sp);
	secprof_prog_free(sp_lo);
	secprof_prog_free(sp_wide);
	free(plain);
	runc_prog_free(&rp);
	eq_restricted_free(&x);
	eq_restricted_free(&n);
}

static void check_stats(const char *what, const struct eq_stats *st, uint64_t before)
{
	if (!tap_ok(st->disagree == before, "%s: %llu evaluations so far, %llu disagreements", what,
		    (unsigned long long)st->evals, (unsigned long long)(st->disagree - before)))
		tap_diag("see the DISAGREEMENT lines above");
}

/* ---- 1. the built-in profile --------------------------------------------- */

static void builtin_variants(secprof_ctx *ctx, struct eq_stats *st)
{
	static const struct {
		const char *label, *go, *add;
		bool privileged;
		int kmaj, kmin;
	} v[] = {
		{ "builtin amd64 default caps", "amd64", NULL, false, 6, 1 },
		{ "builtin amd64 +CAP_SYS_ADMIN", "amd64", "CAP_SYS_ADMIN", false, 6, 1 },
		{ "builtin amd64 +CAP_SYS_PTRACE", "amd64", "CAP_SYS_PTRACE", false, 6, 1 },
		{ "builtin amd64 privileged (all caps)", "amd64", NULL, true, 6, 1 },
		{ "builtin amd64 kernel 4.4", "amd64", NULL, false, 4, 4 },
		{ "builtin arm64 default caps", "arm64", NULL, false, 6, 1 },
		{ "builtin riscv64 default caps", "riscv64", NULL, false, 6, 1 },
		{ "builtin ppc64le default caps", "ppc64le", NULL, false, 6, 1 },
		/* the other natives: archMap subarchitectures (s390, arm,
		 * MIPS o32/n32), multiplexers, big-endian filters */
		{ "builtin 386 default caps", "386", NULL, false, 6, 1 },
		{ "builtin arm default caps", "arm", NULL, false, 6, 1 },
		{ "builtin s390x default caps", "s390x", NULL, false, 6, 1 },
		{ "builtin ppc64 default caps", "ppc64", NULL, false, 6, 1 },
		{ "builtin mipsle default caps", "mipsle", NULL, false, 6, 1 },
		{ "builtin mips64 default caps", "mips64", NULL, false, 6, 1 },
		{ "builtin mips64le default caps", "mips64le", NULL, false, 6, 1 },
		{ "builtin mips64p32le default caps", "mips64p32le", NULL, false, 6, 1 },
	};

	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		st->printed = 0;
		secprof_caps caps = v[i].privileged ? secprof_caps_all()
						    : secprof_caps_docker_default();
		struct loaded l;
		secprof_error err;
		uint64_t before = st->disagree, mism = st->error_mismatch;

		if (v[i].add)
			caps |= 1ULL << secprof_cap_from_name(v[i].add);
		if (load_json(ctx, NULL, "builtin", v[i].go, caps, v[i].kmaj, v[i].kmin, &l,
			      &err)) {
			tap_ok(0, "%s: loads (%s)", v[i].label, err.msg);
			continue;
		}
		compare_one(ctx, v[i].label, NULL, l.res, i + 1, st);
		tap_ok(st->error_mismatch == mism, "%s: both compilers accept it", v[i].label);
		check_stats(v[i].label, st, before);
		loaded_free(&l);
	}
}

/* ---- 2. every reference profile that parses ------------------------------ */

static void ref_file(secprof_ctx *ctx, const char *path, struct eq_stats *st, unsigned *n,
		     unsigned *skipped)
{
	char *data = NULL;
	size_t len = 0;
	secprof_error err;
	struct loaded l;

	if (sp_read_file(path, SECPROF_MAX_PROFILE_SIZE, &data, &len, &err) < 0) {
		(*skipped)++;
		return;
	}
	if (load_bytes(ctx, data, len, path, "amd64", secprof_caps_docker_default(), 6, 1, &l,
		       &err)) {
		(*skipped)++;
		if (getenv("EQUIV_VERBOSE"))
			printf("# skipped %s: %s\n", path, err.msg);
	} else {
		char *text = strndup(data, len); /* printed on disagreement */
		compare_one(ctx, path, text, l.res, *n + 100, st);
		free(text);
		(*n)++;
		loaded_free(&l);
	}
	free(data);
}

static void ref_dir(secprof_ctx *ctx, const char *dir, struct eq_stats *st, unsigned *n,
		    unsigned *skipped)
{
	struct dirent **ents;
	int count = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < count; i++) {
		char path[4096];
		struct stat sb;
		const char *nm = ents[i]->d_name;
		size_t nl = strlen(nm);

		snprintf(path, sizeof(path), "%s/%s", dir, nm);
		if (nm[0] != '.' && stat(path, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				ref_dir(ctx, path, st, n, skipped);
			else if (nl > 5 && !strcmp(nm + nl - 5, ".json"))
				ref_file(ctx, path, st, n, skipped);
		}
		free(ents[i]);
	}
	free(ents);
}

static void reference_profiles(secprof_ctx *ctx, struct eq_stats *st)
{
	const char *ref = getenv("REF");
	unsigned n = 0, skipped = 0;
	uint64_t before = st->disagree, mism = st->error_mismatch;

	if (!ref || access(ref, R_OK)) {
		tap_ok(1, "reference profiles # SKIP $REF not set");
		return;
	}
	st->printed = 0;
	ref_dir(ctx, ref, st, &n, &skipped);
	tap_ok(n >= 8,
	       "reference profiles: %u compared (%u do not parse or resolve as Docker profiles)", n,
	       skipped);
	tap_ok(st->error_mismatch == mism,
	       "reference profiles: refused by both or by neither (%llu by one only)",
	       (unsigned long long)(st->error_mismatch - mism));
	check_stats("reference profiles", st, before);
}

/* ---- 2b. many single-value rules of several actions ------------------------ */

/* Past ORDER_FREE_MIN_RULES rules (src/ir/merge.c) of one syscall that each test
 * one argument for equality, secprof decides from its rules instead of
 * replaying libseccomp's tree: compare that with libseccomp too, with
 * values that share high words, differ only there (one chain on 32-bit
 * ABIs), and hit the high bit. */
static void many_value_rules(secprof_ctx *ctx, struct eq_stats *st)
{
	static const char *const arches[] = {
		"[\"SCMP_ARCH_X86_64\"]",
		"[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]"
	};
	uint64_t before = st->disagree, prof = st->profiles, both = st->both_error;

	st->printed = 0;
	for (size_t a = 0; a < SP_ARRAY_SIZE(arches); a++) {
		struct sp_buf j = { 0 };
		struct loaded l;
		secprof_error err;

		sp_buf_printf(
			&j,
			"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": %s, \"syscalls\": [",
			arches[a]);
		for (unsigned i = 0; i < 150; i++) {
			/* with x86 (a = 1), rules 2k and 2k+1 share a low word and
			 * differ in the high one: one chain on the 32-bit ABI, so
			 * their action follows the low word */
			unsigned k = a == 1 ? i / 2 : i;
			uint64_t v = (uint64_t)(i % 3) << 32 | (k * 0x01010101u) |
				     (i % 7 == 0 ? 1ull << 63 : 0);
			sp_buf_printf(
				&j,
				"%s{\"names\": [\"read\", \"dup3\"], \"action\": \"SCMP_ACT_%s\", "
				"\"errnoRet\": %u, \"args\": [{\"index\": %u, \"value\": %llu, \"op\": \"SCMP_CMP_EQ\"}]}",
				i ? ", " : "", k % 11 == 0 ? "TRAP" : "ERRNO", 2 + k % 5,
				1 + (unsigned)a, (unsigned long long)v);
		}
		sp_buf_puts(&j, "]}");
		if (!tap_ok(!load_json(ctx, j.data, "many.json", "amd64",
				       secprof_caps_docker_default(), 6, 1, &l, &err),
			    "150 single-value rules of several actions load (%s)", arches[a]))
			tap_diag("%s", err.msg);
		else {
			compare_one(ctx, "many single-value rules", j.data, l.res, 77 + a, st);
			loaded_free(&l);
		}
		free(j.data);
	}
	tap_ok(st->profiles == prof + 2 && st->both_error == both,
	       "many single-value rules: both compiled both profiles");
	check_stats("many single-value rules", st, before);
}

/* ---- 3. random profiles ---------------------------------------------------- */

static void random_profiles(secprof_ctx *ctx, struct eq_stats *st)
{
	unsigned want = env_uint("EQUIV_PROFILES", 1000), bad = 0;
	uint64_t base = env_uint("EQUIV_SEED", 1), before = st->disagree, mism = st->error_mismatch;
	uint64_t both = st->both_error, prof = st->profiles, readings = st->readings_refused;

	st->printed = 0;

	/* EQUIV_NATIVES: a comma-separated list of natives (Go or moby
	 * native names), or "all": profile i is resolved for the i-th (mod n),
	 * listing arches of that native's byte order */
	static const char *const all_natives[] = { "amd64",       "arm64",    "arm",
						   "386",         "ppc64le",  "ppc64",
						   "s390x",       "s390",     "mipsle",
						   "mips64",      "mips64le", "mips64p32",
						   "mips64p32le", "riscv64",  "ppc" };
	const char *natives[32];
	size_t nnat = 0;
	char *natlist = getenv("EQUIV_NATIVES") ? strdup(getenv("EQUIV_NATIVES")) : NULL;
	if (natlist && !strcmp(natlist, "all"))
		for (; nnat < SP_ARRAY_SIZE(all_natives); nnat++)
			natives[nnat] = all_natives[nnat];
	else if (natlist)
		for (char *save = NULL, *t = strtok_r(natlist, ",", &save); t && nnat < 32;
		     t = strtok_r(NULL, ",", &save))
			natives[nnat++] = t;

	for (unsigned i = 0; i < want; i++) {
		const char *go = nnat ? natives[i % nnat] : NULL;
		const struct sp_arch *na = go ? sp_arch_by_goarch(go) : NULL;
		if (go && !na)
			na = sp_arch_by_go(go);
		const char *dflt;
		char *json = randprof_json_arches(base + i, &dflt, 1, na && na->big_endian),
		     label[64];
		struct loaded l;
		secprof_error err;
		if (!go)
			go = dflt;

		snprintf(label, sizeof(label), "random profile seed %llu (%s)",
			 (unsigned long long)(base + i), go);
		if (load_json(ctx, json, "random.json", go, secprof_caps_docker_default(), 6, 1, &l,
			      &err)) {
			/* refusals runc makes too (§4.1.2): NOTIFY as default, "" as a name */
			if (strstr(err.msg, "NOTIFY") || strstr(err.msg, "empty"))
				st->both_error++;
			else if (bad++ < 3)
				printf("# random profile seed %llu does not load: %s\n# %s\n",
				       (unsigned long long)(base + i), err.msg, json);
		} else {
			compare_one(ctx, label, json, l.res, base + i, st);
			loaded_free(&l);
		}
		free(json);
	}
	free(natlist);
	tap_ok(bad == 0, "random profiles: %u generated, %u do not load", want, bad);
	tap_ok(st->error_mismatch == mism,
	       "random profiles: %llu compared, %llu refused by both, %llu by one only, %llu by secprof alone where Docker's readings of the default differ",
	       (unsigned long long)(st->profiles - prof),
	       (unsigned long long)(st->both_error - both),
	       (unsigned long long)(st->error_mismatch - mism),
	       (unsigned long long)(st->readings_refused - readings));
	check_stats("random profiles", st, before);
}

/* ---- 3a. random profiles on arguments the kernel reads as 32 bits ---------- */

/* Rules on syscalls whose arguments are mostly 32-bit (socket, dup3, kill,
 * fchmod...) next to 64-bit ones (mmap, ioctl's arg), with values of a
 * zero high word most of the time, so the default mode really cuts and
 * its word trees carry constant high-word nodes; sometimes with high
 * words of 1 or sign extensions, so arguments whose values disagree keep
 * 64-bit compares. Indexes within a rule are distinct (AND-ed, one chain
 * per rule). */
static char *arg32_profile(uint64_t seed)
{
	static const char *const names[] = { "socket", "dup3", "kill",  "fchmod", "setns",
					     "read",   "mmap", "ioctl", "openat", "prctl" };
	static const char *const arches[] = {
		"", "\"SCMP_ARCH_X86_64\"",
		"\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"",
		"\"SCMP_ARCH_AARCH64\"", "\"SCMP_ARCH_RISCV64\", \"SCMP_ARCH_PPC64LE\""
	};
	static const uint64_t odd[] = { 0x100000000ull,        0x100000028ull,
					0xffffffffffffffffull, 0xffffffff80000000ull,
					0x7fffffffull,         0xffffffffull };
	struct rp_rng r;
	struct rp_buf b = { 0 };
	size_t nrules;
	bool mixed;

	rp_seed(&r, seed);
	mixed = rp_below(&r, 3) == 0;
	rp_printf(&b, "{\"defaultAction\": \"%s\", \"architectures\": [%s], \"syscalls\": [",
		  rp_action(&r, 0), arches[rp_below(&r, SP_ARRAY_SIZE(arches))]);
	nrules = 1 + rp_below(&r, 10);
	for (size_t i = 0; i < nrules; i++) {
		size_t nargs = 1 + rp_below(&r, 3);
		const char *name = names[rp_below(&r, SP_ARRAY_SIZE(names))];
		rp_printf(&b, "%s{\"names\": [\"%s\"], \"action\": \"%s\", \"args\": [",
			  i ? ", " : "", name, rp_action(&r, 0));
		unsigned first = (unsigned)rp_below(&r, 3);
		for (size_t k = 0; k < nargs; k++) {
			/* distinct indexes: runc's OR-split of a repeated index
			 * is the random profiles' business */
			unsigned idx = (first + (unsigned)k) % 3;
			uint64_t v = mixed && rp_below(&r, 3) == 0
					     ? odd[rp_below(&r, SP_ARRAY_SIZE(odd))]
				     : rp_below(&r, 2) ? rp_below(&r, 48)
						       : rp_next(&r) & 0xffffffffu;
			uint64_t v2 = rp_below(&r, 2) ? rp_below(&r, 48) : rp_next(&r);
			const char *op = rp_ops[rp_below(&r, 7)];
			rp_printf(
				&b,
				"%s{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}",
				k ? ", " : "", idx, (unsigned long long)v, (unsigned long long)v2,
				op);
		}
		rp_printf(&b, "]}");
	}
	rp_printf(&b, "]}");
	return b.s;
}

static void arg32_profiles(secprof_ctx *ctx, struct eq_stats *st)
{
	unsigned want = env_uint("EQUIV_PROFILES", 1000) / 2, loaded = 0;
	uint64_t before = st->disagree, nb = st_narrow.disagree, nm = st_narrow.error_mismatch;

	st->printed = 0;
	st_narrow.printed = 0;
	for (unsigned i = 0; i < want; i++) {
		char *json = arg32_profile(5000 + i), label[64];
		struct loaded l;
		secprof_error err;

		snprintf(label, sizeof(label), "32-bit argument profile seed %u", 5000 + i);
		if (!load_json(ctx, json, "arg32.json", "amd64", secprof_caps_docker_default(), 6,
			       1, &l, &err)) {
			loaded++;
			compare_one(ctx, label, json, l.res, 5000 + i, st);
			loaded_free(&l);
		}
		free(json);
	}
	tap_ok(loaded == want, "32-bit argument profiles: %u of %u load", loaded, want);
	check_stats("32-bit argument profiles (exact)", st, before);
	tap_ok(st_narrow.disagree == nb && st_narrow.error_mismatch == nm,
	       "32-bit argument profiles (default mode): %llu disagreements, %llu refused by one only",
	       (unsigned long long)(st_narrow.disagree - nb),
	       (unsigned long long)(st_narrow.error_mismatch - nm));
}

/* ---- 3b. refusals pinned: libseccomp's word tree ------------------------- */

/* libseccomp compares 32-bit words and merges equal word tests of one
 * syscall into one tree node; where rules with different actions meet on
 * such a node and one of them ends there, db_rule_add fails with -EEXIST
 * and runc aborts. secprof must refuse the same profiles, with both rules
 * named; the same shapes with one action must compile on both sides. */
static void pinned_refusals(secprof_ctx *ctx)
{
	static const struct {
		const char *what, *json, *msg; /* msg NULL: both must accept */
	} v[] = {
		{ "two != on one argument word, the second ends on the shared high word",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":3146179648,\"op\":\"SCMP_CMP_NE\"},{\"index\":3,\"value\":5,\"op\":\"SCMP_CMP_NE\"}]},\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]}",
		  "t.json:3:1: syscalls[1]: rule for syscall \"dup3\" has a test of a 32-bit half of an argument that libseccomp shares with syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" },
		{ "the same with one action",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":3146179648,\"op\":\"SCMP_CMP_NE\"},{\"index\":3,\"value\":5,\"op\":\"SCMP_CMP_NE\"}]},\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]}",
		  NULL },
		{ "the first on a name x86_64 lacks: libseccomp builds its tree under a pseudo number",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[\n"
		  "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		  "{\"names\":[\"cacheflush\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":3146179648,\"op\":\"SCMP_CMP_NE\"},{\"index\":3,\"value\":5,\"op\":\"SCMP_CMP_NE\"}]},\n"
		  "{\"names\":[\"cacheflush\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]}",
		  "t.json:4:1: syscalls[2]: rule for syscall \"cacheflush\" has a test of a 32-bit half of an argument that libseccomp shares with syscalls[1] (line 3) with a different action: libseccomp refuses it (EEXIST)" },
		{ "the same name with one action, another name with another",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[\n"
		  "{\"names\":[\"set_tls\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		  "{\"names\":[\"cacheflush\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":3146179648,\"op\":\"SCMP_CMP_NE\"},{\"index\":3,\"value\":5,\"op\":\"SCMP_CMP_NE\"}]},\n"
		  "{\"names\":[\"cacheflush\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]}",
		  NULL },
		{ "!= then == sharing the high word, neither ending there",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":4294967297,\"op\":\"SCMP_CMP_NE\"}]},\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":4294967298,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  NULL },
		{ "two rules on bind's arg0 with different actions become one chain on socketcall on x86",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"syscalls\":[\n"
		  "{\"names\":[\"bind\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		  "{\"names\":[\"bind\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":4,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "t.json:3:1: syscalls[1]: rule for syscall \"socketcall\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST) (libseccomp puts socket and IPC rules on socketcall/ipc too, arg0 replaced by the call number)" },
		{ "a longer chain that libseccomp drops as redundant, then its prefix with another action",
		  "{\"defaultAction\":\"SCMP_ACT_KILL_THREAD\",\"syscalls\":[\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,\"value\":7,\"op\":\"SCMP_CMP_LE\"}]},\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":13,\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,\"value\":7,\"op\":\"SCMP_CMP_LE\"}]},\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":0,\"value\":13,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  NULL },
		{ "the same without the rule that covers it",
		  "{\"defaultAction\":\"SCMP_ACT_KILL_THREAD\",\"syscalls\":[\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":13,\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,\"value\":7,\"op\":\"SCMP_CMP_LE\"}]},\n"
		  "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":0,\"value\":13,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "t.json:3:1: syscalls[1]: rule for syscall \"dup3\" has conditions that begin those of syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" },
		{ "the same without x86",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[\n"
		  "{\"names\":[\"bind\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		  "{\"names\":[\"bind\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":4,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  NULL },
	};

	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		struct loaded l;
		secprof_error err;
		struct runc_prog rp;
		secprof_prog *sp = NULL;
		char rerr[256], msg[512];
		int rc;

		if (load_json(ctx, v[i].json, "t.json", "amd64", secprof_caps_docker_default(), 6,
			      1, &l, &err)) {
			tap_ok(0, "refusal %zu loads (%s)", i, err.msg);
			continue;
		}
		memset(&err, 0, sizeof(err));
		sp = secprof_compile(ctx, l.res,
				     &(secprof_compile_opts){ .exact_libseccomp = true }, &err);
		rc = runc_scmp_build(l.res, NULL, &rp, rerr, sizeof(rerr));
		if (!rc)
			runc_prog_free(&rp);
		if (v[i].msg) {
			tap_ok(rc && strstr(rerr, "File exists"), "%s: libseccomp refuses it (%s)",
			       v[i].what, rc ? rerr : "compiled");
			tap_ok(!sp && !strcmp(secprof_error_format(&err, msg, sizeof(msg)),
					      v[i].msg),
			       "%s: secprof refuses it: %s", v[i].what, sp ? "compiled" : msg);
		} else {
			tap_ok(!rc && sp, "%s: both compile (libseccomp: %s, secprof: %s)",
			       v[i].what, rc ? rerr : "ok", sp ? "ok" : err.msg);
		}
		secprof_prog_free(sp);
		loaded_free(&l);
	}
}

/* ---- 3c. libseccomp's accumulator on its word tree, pinned ---------------- */

/* Rules of several actions on one syscall where libseccomp 2.5.4 compares a
 * word of the wrong half of a1 (README "Listed exceptions" 4; the rows of
 * tests/decide/17-word-tree-acc.tests): the ERRNO and KILL rules alone,
 * where _gen_bpf_node skips the load, and with a third rule first in the
 * level (random profile seed 8772), where _gen_bpf_build_bpf's layout adds
 * a load before one node and not the next. Both must be compared with no
 * unexplained disagreement and explained at least once; and the check must
 * not excuse what is not that bug: another verdict than the tree's, or a
 * program whose compare is not the tree's node. */
static void tree_acc_pinned(secprof_ctx *ctx, struct eq_stats *st)
{
	static const char *const rules =
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":65536,\"args\":[{\"index\":1,\"value\":7,\"op\":\"SCMP_CMP_LE\"}]},"
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":1,\"value\":10101702317709523548,\"op\":\"SCMP_CMP_LE\"}]}";
	static const char *const third =
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_KILL_THREAD\",\"args\":[{\"index\":2,\"value\":4022368113,\"op\":\"SCMP_CMP_GE\"},{\"index\":1,\"value\":3730597196,\"op\":\"SCMP_CMP_NE\"}]},";
	const secprof_data d = { .nr = 41,
				 .arch = 0xc000003e,
				 .args = { 0, 0xc14d4809, 0x7fffffff } };
	uint64_t before = st->disagree, merge = st->scmp_merge;

	st->printed = 0;
	for (int v = 0; v < 2; v++) {
		char json[1024];
		struct loaded l;
		secprof_error err;
		struct runc_prog rp, per[8];
		uint32_t audits[8];
		char rerr[256];

		snprintf(json, sizeof(json),
			 "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[%s%s]}", v ? third : "",
			 rules);
		if (!tap_ok(!load_json(ctx, json, "acc.json", "amd64",
				       secprof_caps_docker_default(), 6, 1, &l, &err),
			    "word-tree accumulator profile %d loads", v)) {
			tap_diag("%s", err.msg);
			continue;
		}
		compare_one(ctx,
			    v ? "word-tree accumulator, three rules"
			      : "word-tree accumulator, two rules",
			    json, l.res, 500 + (uint64_t)v, st);

		secprof_prog *sp = secprof_compile(ctx, l.res, NULL, &err);
		if (!sp || runc_scmp_build(l.res, NULL, &rp, rerr, sizeof(rerr))) {
			tap_ok(0, "word-tree accumulator profile %d compiles on both sides", v);
			secprof_prog_free(sp);
			loaded_free(&l);
			continue;
		}
		size_t nper = eq_per_arch_programs(l.res, per, audits, 8);
		struct eq_case c = { .label = "acc",
				     .json = json,
				     .a = sp->insns,
				     .alen = sp->len,
				     .b = rp.insns,
				     .blen = rp.len,
				     .st = st,
				     .r = l.res,
				     .per_arch = per,
				     .per_audit = audits,
				     .nper = nper };
		uint32_t va = secprof_emulate(sp->insns, sp->len, &d, NULL);
		uint32_t vb = secprof_emulate(rp.insns, rp.len, &d, NULL);
		tap_ok(va == SECCOMP_RET_KILL_THREAD && vb == SECCOMP_RET_LOG &&
			       eq_explain(&c, &d, va, vb) == EQ_SCMP_TREE_ACC,
		       "profile %d, socket(0, 0xc14d4809): secprof 0x%08x, libseccomp 0x%08x: %s",
		       v, va, vb, eq_why_str(eq_explain(&c, &d, va, vb)));
		tap_ok(eq_explain(&c, &d, SECCOMP_RET_ALLOW, vb) == EQ_UNEXPLAINED,
		       "profile %d: a verdict other than the tree's is not excused", v);
		/* the compare libseccomp makes on the wrong word, given another
		 * constant: no longer the tree's node */
		size_t hit = 0;
		for (size_t i = 0; i < rp.len; i++)
			if (rp.insns[i].code == (BPF_JMP | BPF_JGT | BPF_K) &&
			    rp.insns[i].k == 0x8c3074bc)
				hit = i + 1;
		if (hit)
			rp.insns[hit - 1].k = 0x8c3074bb;
		tap_ok(hit && eq_explain(&c, &d, va, secprof_emulate(rp.insns, rp.len, &d, NULL)) ==
				       EQ_UNEXPLAINED,
		       "profile %d: a program whose compare is not the tree's node is not excused",
		       v);
		/* the tree's path, but a program whose KILL_THREAD block returns
		 * another action */
		if (hit)
			rp.insns[hit - 1].k = 0x8c3074bc;
		size_t kill = 0;
		for (size_t i = 0; i < rp.len; i++)
			if (rp.insns[i].code == (BPF_RET | BPF_K) &&
			    rp.insns[i].k == SECCOMP_RET_KILL_THREAD)
				kill = i + 1;
		if (kill)
			rp.insns[kill - 1].k = SECCOMP_RET_TRAP;
		tap_ok(kill && secprof_emulate(rp.insns, rp.len, &d, NULL) == vb &&
			       eq_explain(&c, &d, va, vb) == EQ_UNEXPLAINED,
		       "profile %d: a program that ends the tree's path on another action is not excused",
		       v);
		if (kill)
			rp.insns[kill - 1].k = SECCOMP_RET_KILL_THREAD;
		/* a compare that loads a wrong word on every path (lo(a2) for
		 * lo(a1) before "> 7"): a different bug, no ambiguous accumulator */
		hit = 0;
		for (size_t i = 0; i + 1 < rp.len; i++)
			if (rp.insns[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
			    rp.insns[i].k == 0x18 &&
			    rp.insns[i + 1].code == (BPF_JMP | BPF_JGT | BPF_K) &&
			    rp.insns[i + 1].k == 7)
				hit = i + 1;
		if (hit)
			rp.insns[hit - 1].k = 0x20;
		secprof_data d2 = d;
		d2.args[2] = 0;
		va = secprof_emulate(sp->insns, sp->len, &d2, NULL);
		vb = secprof_emulate(rp.insns, rp.len, &d2, NULL);
		tap_ok(hit && va != vb && eq_explain(&c, &d2, va, vb) == EQ_UNEXPLAINED,
		       "profile %d: a compare of a wrong but unambiguous word is not excused (0x%08x, 0x%08x)",
		       v, va, vb);
		for (size_t i = 0; i < nper; i++)
			runc_prog_free(&per[i]);
		runc_prog_free(&rp);
		secprof_prog_free(sp);
		loaded_free(&l);
	}
	tap_ok(st->scmp_merge > merge,
	       "word-tree accumulator: %llu inputs explained as libseccomp's accumulator bug",
	       (unsigned long long)(st->scmp_merge - merge));

	/* Both bugs at once (random profile seed 35201): on an ARM-only
	 * filter, a rule for a name ARM lacks drops libseccomp's `ld nr`, so
	 * prctl never reaches its rules and gets the default LOG; the ARM
	 * program libseccomp builds alone does reach them and logs too, by
	 * the accumulator (it compares lo(a1) with lo(a0)'s bound). */
	static const char *const arm =
		"{\"defaultAction\":\"SCMP_ACT_LOG\",\"architectures\":[\"SCMP_ARCH_ARM\"],\"syscalls\":["
		"{\"names\":[\"prctl\"],\"action\":\"SCMP_ACT_KILL_THREAD\",\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_NE\"},{\"index\":1,\"value\":6,\"op\":\"SCMP_CMP_LE\"}]},"
		"{\"names\":[\"prctl\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":10271407456530092373,\"op\":\"SCMP_CMP_GE\"}]},"
		"{\"names\":[\"riscv_flush_icache\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	const secprof_data da = { .nr = 172,
				  .arch = 0x40000028,
				  .args = { 0xe8368252ff819c83, 0x78281579495633c5 } };
	struct loaded l;
	secprof_error err;
	if (tap_ok(!load_json(ctx, arm, "arm.json", "amd64", secprof_caps_docker_default(), 6, 1,
			      &l, &err),
		   "ARM accumulator profile loads")) {
		struct runc_prog rp, per[8];
		uint32_t audits[8];
		char rerr[256];
		secprof_prog *sp = secprof_compile(ctx, l.res, NULL, &err);

		compare_one(ctx, "ARM accumulator and dropped nr load", arm, l.res, 502, st);
		if (sp && !runc_scmp_build(l.res, NULL, &rp, rerr, sizeof(rerr))) {
			size_t nper = eq_per_arch_programs(l.res, per, audits, 8);
			struct eq_case c = { .label = "arm",
					     .json = arm,
					     .a = sp->insns,
					     .alen = sp->len,
					     .b = rp.insns,
					     .blen = rp.len,
					     .st = st,
					     .r = l.res,
					     .per_arch = per,
					     .per_audit = audits,
					     .nper = nper };
			uint32_t va = secprof_emulate(sp->insns, sp->len, &da, NULL);
			uint32_t vb = secprof_emulate(rp.insns, rp.len, &da, NULL);
			enum eq_why w = eq_explain(&c, &da, va, vb);
			tap_ok(va == SECCOMP_RET_TRAP && vb == SECCOMP_RET_LOG &&
				       w == EQ_SCMP_MULTIARCH_ACC,
			       "ARM prctl: secprof 0x%08x, libseccomp 0x%08x: %s", va, vb,
			       eq_why_str(w));
			tap_ok(eq_explain(&c, &da, SECCOMP_RET_ALLOW, vb) == EQ_UNEXPLAINED,
			       "ARM prctl: a verdict other than the tree's is not excused");
			for (size_t i = 0; i < nper; i++)
				runc_prog_free(&per[i]);
			runc_prog_free(&rp);
		} else {
			tap_ok(0, "ARM accumulator profile compiles on both sides");
		}
		secprof_prog_free(sp);
		loaded_free(&l);
	} else {
		tap_diag("%s", err.msg);
	}
	check_stats("word-tree accumulator", st, before);
}

/* ---- 3c'. default mode: profile' is nobody's program -------------------- */

/* Random profile seed 7521947, shrunk. On mips64el ipc has no number, so
 * libseccomp keeps it under a pseudo number; its rule on a1 (a 32-bit
 * argument of ipc) tests the high word alone. In profile' that mask is cut
 * to 0, ipc's tree shrinks below sendmsg's, sorts first, and libseccomp's
 * program for profile' would never load the syscall number (docs/COMPAT.md
 * §4.4): every call gets KILL_THREAD. runc compiles the profile as written,
 * where sendmsg's tree sorts first and sendmsg(0, 0, 0) traps. The low-word
 * reference of test 67 is the rules as written, not that program
 * (sp_ruleset_build_as_written): taking it from secprof's exact build of
 * profile' counted 20 mismatches here. */
static void combined_pinned(secprof_ctx *ctx, struct eq_stats *st)
{
	static const char *const json =
		"{\"defaultAction\":\"SCMP_ACT_KILL\",\"architectures\":[\"SCMP_ARCH_MIPSEL64\"],\"syscalls\":["
		"{\"names\":[\"sendmsg\",\"ipc\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,"
		"\"value\":18446744069414584320,\"valueTwo\":3505673771,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}";
	const secprof_data d = { .nr = 5045, .arch = 0xc0000008 };
	uint64_t evals = st_narrow.evals, mismatches = st_narrow.combine_mismatch;
	struct loaded l;
	secprof_error err;

	if (!tap_ok(!load_json(ctx, json, "cut.json", "amd64", secprof_caps_docker_default(), 6, 1,
			       &l, &err),
		    "cut-mask profile loads")) {
		tap_diag("%s", err.msg);
		return;
	}
	compare_one(ctx, "cut mask: a pseudo-numbered tree sorts first in profile' only", json,
		    l.res, 503, st);
	tap_ok(st_narrow.evals > evals && st_narrow.combine_mismatch == mismatches,
	       "cut mask: %llu default-mode evaluations, %llu combination mismatches",
	       (unsigned long long)(st_narrow.evals - evals),
	       (unsigned long long)(st_narrow.combine_mismatch - mismatches));
	secprof_prog *sp = secprof_compile(ctx, l.res, NULL, &err);
	struct runc_prog rp;
	char rerr[256];
	if (sp && !runc_scmp_build(l.res, NULL, &rp, rerr, sizeof(rerr))) {
		uint32_t va = secprof_emulate(sp->insns, sp->len, &d, NULL);
		uint32_t vb = secprof_emulate(rp.insns, rp.len, &d, NULL);
		tap_ok(va == SECCOMP_RET_TRAP && vb == SECCOMP_RET_TRAP,
		       "cut mask, sendmsg(0, 0, 0) on mips64el: secprof 0x%08x, libseccomp 0x%08x",
		       va, vb);
		runc_prog_free(&rp);
	} else {
		tap_ok(0, "cut-mask profile compiles on both sides");
	}
	secprof_prog_free(sp);
	loaded_free(&l);
}

/* Default mode keeps libseccomp's 64-bit compares on ipc(2) of ppc64le
 * where a family rule (semop) lands on it (eq_mux_keeps_64): both sides
 * are then the profile as written, and a difference must be told with
 * libseccomp's per-arch references for that profile, not for profile'.
 * Here runc's program never loads the syscall number on ppc64le (listed
 * exception 2: secprof returns the stricter TRAP where runc logs); told
 * with profile''s references it was "unexplained" (random profile seed
 * 8026292). */
static void mux64_pinned(secprof_ctx *ctx, struct eq_stats *st)
{
	static const char *const json =
		"{\"defaultAction\":\"SCMP_ACT_LOG\",\"architectures\":[\"SCMP_ARCH_ARM\",\"SCMP_ARCH_PPC64LE\"],\"syscalls\":["
		"{\"names\":[\"semop\"],\"action\":\"SCMP_ACT_KILL_THREAD\"},"
		"{\"names\":[\"time\",\"_llseek\",\"ipc\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":["
		"{\"index\":4,\"value\":915425316,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":0,\"value\":9223372036854775807,\"op\":\"SCMP_CMP_LT\"},"
		"{\"index\":0,\"value\":9223372036854775807,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	uint64_t evals = st_narrow.evals, disagree = st_narrow.disagree,
		 explained = st_narrow.scmp_multiarch, lib = st_narrow.scmp_multiarch_lib;
	struct loaded l;
	secprof_error err;

	if (!tap_ok(!load_json(ctx, json, "mux64.json", "amd64", secprof_caps_docker_default(), 6,
			       1, &l, &err),
		    "ipc profile loads")) {
		tap_diag("%s", err.msg);
		return;
	}
	compare_one(ctx, "ipc with a family rule on ppc64le, dropped nr load", json, l.res, 504,
		    st);
	tap_ok(st_narrow.evals > evals && st_narrow.disagree == disagree &&
		       st_narrow.scmp_multiarch > explained && st_narrow.scmp_multiarch_lib == lib,
	       "ipc on ppc64le, default mode: %llu evaluations, %llu disagreements, %llu told as "
	       "exception 2 (%llu where libseccomp is the stricter)",
	       (unsigned long long)(st_narrow.evals - evals),
	       (unsigned long long)(st_narrow.disagree - disagree),
	       (unsigned long long)(st_narrow.scmp_multiarch - explained),
	       (unsigned long long)(st_narrow.scmp_multiarch_lib - lib));
	loaded_free(&l);
}

/* ---- 3d. the per-arch references on multiplexing arches ------------------- */

/* Profiles whose only disagreement is a libseccomp bug that the per-arch
 * references must see through on multiplexing arches. On MIPS o32, where
 * semop exists only as ipc(SEMOP), a rule kept after a multiplexed one
 * must not take the slot of one of its ipc rules (seed 3054: the a1 <= 2
 * rule went missing from the MIPS reference, so it agreed with the dropped
 * `ld nr`), and the one-rule reference of the merge bug must count semop's
 * rule among ipc's (seed 1051: the MIPS program compares a5 with SEMOP,
 * and its multi-arch program never loads nr). On ppc64le and MIPS o32,
 * which have both socketcall and the direct calls, a family rule under its
 * own name is among socketcall's too, with or without conditions (seeds
 * 28661, 21438: the merge bug on socketcall(SYS_RECVMSG) and
 * socketcall(SYS_SENDMSG)). */
static void mux_references(secprof_ctx *ctx, struct eq_stats *st)
{
	static const struct {
		const char *go, *json;
	} v[] = {
		{ "amd64",
		  "{\"defaultAction\":\"SCMP_ACT_KILL_THREAD\",\"architectures\":[\"SCMP_ARCH_MIPSEL\",\"SCMP_ARCH_PPC64LE\"],\"syscalls\":["
		  "{\"names\":[\"semop\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_LE\"},{\"index\":2,\"value\":12,\"op\":\"SCMP_CMP_EQ\"}]},"
		  "{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_KILL\"}]}" },
		{ "arm64",
		  "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":[\"SCMP_ARCH_MIPSEL\",\"SCMP_ARCH_AARCH64\"],\"syscalls\":["
		  "{\"names\":[\"semop\"],\"action\":\"SCMP_ACT_KILL\"},"
		  "{\"names\":[\"ipc\"],\"action\":\"SCMP_ACT_KILL_THREAD\",\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_NE\"},{\"index\":5,\"value\":11,\"op\":\"SCMP_CMP_GE\"}]}]}" },
		{ "amd64",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_PPC64LE\"],\"syscalls\":["
		  "{\"names\":[\"recvmsg\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":2,\"value\":139135733,\"op\":\"SCMP_CMP_LE\"},{\"index\":2,\"value\":2711687728621761057,\"op\":\"SCMP_CMP_LE\"}]}]}" },
		{ "arm64",
		  "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_MIPSEL\",\"SCMP_ARCH_MIPSEL64N32\"],\"syscalls\":["
		  "{\"names\":[\"socketcall\"],\"action\":\"SCMP_ACT_KILL_THREAD\",\"args\":[{\"index\":5,\"value\":2114060288,\"op\":\"SCMP_CMP_GT\"},{\"index\":0,\"value\":2389661271,\"op\":\"SCMP_CMP_NE\"}]},"
		  "{\"names\":[\"sendmsg\"],\"action\":\"SCMP_ACT_KILL\"}]}" },
	};
	uint64_t before = st->disagree, prof = st->profiles;

	st->printed = 0;
	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		struct loaded l;
		secprof_error err;

		if (!tap_ok(!load_json(ctx, v[i].json, "mux.json", v[i].go,
				       secprof_caps_docker_default(), 6, 1, &l, &err),
			    "multiplexer reference profile %zu loads", i)) {
			tap_diag("%s", err.msg);
			continue;
		}
		compare_one(ctx, "multiplexer references", v[i].json, l.res, 600 + i, st);
		loaded_free(&l);
	}
	tap_ok(st->profiles == prof + SP_ARRAY_SIZE(v),
	       "multiplexer references: both compilers accept every profile");
	check_stats("multiplexer references", st, before);
}

/* ---- 4. the kernel agrees with the emulator -------------------------------- */

#if defined(__x86_64__)
static const char *const probe_names[] = { "getppid", "getuid",      "getgid",  "geteuid",
					   "getegid", "sched_yield", "getpgrp", "gettid" };

/* A random profile over syscalls that ignore their arguments, so the kernel
 * can run any argument vector the filter looks at. */
static char *probe_profile(uint64_t seed)
{
	static const char *const defaults[] = { "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
						"SCMP_ACT_TRAP",  "SCMP_ACT_KILL_PROCESS",
						"SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
						"SCMP_ACT_TRACE" };
	struct rp_rng r;
	struct rp_buf b = { 0 };
	size_t nrules;

	rp_seed(&r, seed);
	rp_printf(&b, "{\"defaultAction\": \"%s\"",
		  defaults[rp_below(&r, SP_ARRAY_SIZE(defaults))]);
	if (rp_below(&r, 2))
		rp_errno(&b, &r, "defaultErrnoRet");
	rp_printf(
		&b,
		", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"%s], \"syscalls\": [",
		rp_below(&r, 2) ? ", \"SCMP_ARCH_X32\"" : "");
	nrules = 2 + rp_below(&r, 6);
	for (size_t i = 0; i < nrules; i++) {
		rp_printf(&b, "%s{\"names\": [\"%s\", \"%s\"], \"action\": \"%s\"", i ? ", " : "",
			  probe_names[rp_below(&r, SP_ARRAY_SIZE(probe_names))],
			  probe_names[rp_below(&r, SP_ARRAY_SIZE(probe_names))], rp_action(&r, 0));
		if (rp_below(&r, 2))
			rp_errno(&b, &r, "errnoRet");
		if (rp_below(&r, 3))
			rp_args(&b, &r);
		rp_printf(&b, "}");
	}
	rp_printf(&b, "]}");
	return b.s;
}

struct kcheck {
	unsigned probes, bad;
	bool compat_ok; /* the kernel runs i386 calls (IA32 emulation) */
};

static void kernel_probe_abi(const secprof_insn *p, size_t len, long nr, const uint64_t *a,
			     bool compat, const char *who, const char *label, struct kcheck *k);

static void kernel_probe(const secprof_insn *p, size_t len, long nr, const uint64_t *a,
			 const char *who, const char *label, struct kcheck *k)
{
	kernel_probe_abi(p, len, nr, a, false, who, label, k);
}

/* compat: an i386 call through int $0x80, whose arguments the kernel hands
 * the filter as 32-bit values (only five are passed, see kprobe.h). */
static void kernel_probe_abi(const secprof_insn *p, size_t len, long nr, const uint64_t *a,
			     bool compat, const char *who, const char *label, struct kcheck *k)
{
	secprof_data d = { .nr = (int32_t)nr,
			   .arch = compat ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64 };
	struct kp_result nat, got;
	uint64_t a32[6] = { 0 };
	uint32_t v;
	char s[32];

	memcpy(d.args, a, sizeof(d.args));
	if (compat) {
		for (int i = 0; i < 5; i++)
			a32[i] = d.args[i] = (uint32_t)a[i];
		d.args[5] = 0;
		a = a32;
	}
	v = secprof_emulate(p, len, &d, NULL);
	nat = kp_run(NULL, 0, nr, a, compat);
	got = kp_run(p, len, nr, a, compat);
	k->probes++;
	if (kp_matches(v, &nat, &got, nr))
		return;
	if (k->bad++ < 5)
		printf("# KERNEL MISMATCH %s (%s%s) nr %ld args 0x%llx 0x%llx: emulator %s, kernel kind %d failed %d "
		       "errno %d sig %d trap %d/%d\n",
		       label, who, compat ? ", i386" : "", nr, (unsigned long long)a[0],
		       (unsigned long long)a[1], eq_ret_str(v, s, sizeof(s)), got.kind, got.failed,
		       got.err, got.sig, got.trap_nr, got.trap_data);
}

/* Probe calls for one program: each probe name with arg vectors from the
 * profile's constants, plus numbers the kernel lacks (gap, above max, x32). */
static void kernel_probes(const secprof_insn *p, size_t len, const secprof_resolved *r,
			  const char *who, const char *label, struct kcheck *k, struct rp_rng *rng)
{
	static const long extra[] = { 380, 1000, 0x40000000 + 110, -1 };
	const struct sp_arch *x64 = sp_arch_by_scmp("SCMP_ARCH_X86_64"),
			     *x86 = sp_arch_by_scmp("SCMP_ARCH_X86");
	uint64_t kc[256];
	size_t nk = eq_constants(r, kc, 256);

	for (size_t i = 0; i < SP_ARRAY_SIZE(probe_names); i++)
		for (int v = 0; v < 3; v++) {
			uint64_t a[6] = { 0 };
			for (int j = 0; v && j < 6; j++)
				a[j] = kc[rp_below(rng, nk)];
			kernel_probe(p, len, sp_syscall_nr(x64, probe_names[i]), a, who, label, k);
		}
	for (size_t i = 0; i < SP_ARRAY_SIZE(extra); i++) {
		uint64_t a[6] = { 0 };
		kernel_probe(p, len, extra[i], a, who, label, k);
	}
	for (size_t i = 0; k->compat_ok && i < SP_ARRAY_SIZE(probe_names); i++) {
		uint64_t a[6] = { 0 };
		for (int j = 0; j < 5; j++)
			a[j] = kc[rp_below(rng, nk)];
		kernel_probe_abi(p, len, sp_syscall_nr(x86, probe_names[i]), a, true, who, label,
				 k);
	}
}

/* The moby default's own edges: AF_ALG/AF_VSOCK blocked, personality query
 * allowed, clone3 ENOSYS (all harmless in a throwaway child); then i386
 * socket and SysV IPC calls through socketcall(2)/ipc(2) with int $0x80,
 * under the default and under a profile that denies socket and shmget (the
 * rules libseccomp also puts on the multiplexers). NULL argument blocks:
 * allowed calls fail with EFAULT, shmget of size 0 with EINVAL. */
static void kernel_builtin(secprof_ctx *ctx, struct kcheck *k)
{
	static const struct {
		const char *name;
		uint64_t a[6];
	} calls[] = {
		{ "socket", { 38, 1, 0 } },
		{ "socket", { 40, 1, 0 } },
		{ "socket", { 0xffff, 1, 0 } },
		/* AF_VSOCK and AF_ALG with a high word: denied by secprof (the
		 * kernel reads int family), allowed by libseccomp's program */
		{ "socket", { 0x100000028ull, 1, 0 } },
		{ "socket", { 0x100000026ull, 1, 0 } },
		{ "personality", { 0xffffffff } },
		{ "personality", { 0x0400000 } },
		{ "clone3", { 0, 0 } },
		{ "getppid", { 0 } },
		{ "acct", { 0 } },
	};
	static const struct {
		long nr;
		uint64_t a[6];
	} i386_calls[] = {
		{ 102, { 1, 0 } },
		{ 102, { 2, 0 } },
		{ 102, { 0x100000001ULL, 0 } },
		{ 117, { 23, 0, 0, 0 } },
		{ 117, { 22, 0, 0, 0, 0 } },
		{ 359, { 38, 1, 0 } },
		{ 395, { 0, 0, 0 } },
		{ 1000, { 0 } },
	};
	static const char *const profiles[] = {
		NULL,
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\","
		"\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}],\"syscalls\":["
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":97},"
		"{\"names\":[\"shmget\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":28}]}",
	};
	const struct sp_arch *x64 = sp_arch_by_scmp("SCMP_ARCH_X86_64");

	for (size_t p = 0; p < SP_ARRAY_SIZE(profiles); p++) {
		const char *label = profiles[p] ? "deny socket/shmget" : "builtin";
		struct loaded l;
		secprof_error err;
		struct runc_prog rp;
		char rerr[256];
		secprof_prog *sp;

		if (load_json(ctx, profiles[p], profiles[p] ? "deny.json" : "builtin", "amd64",
			      secprof_caps_docker_default(), 6, 1, &l, &err))
			continue;
		sp = secprof_compile(ctx, l.res, NULL, &err);
		if (sp && !runc_scmp_build(l.res, NULL, &rp, rerr, sizeof(rerr))) {
			for (size_t i = 0; !profiles[p] && i < SP_ARRAY_SIZE(calls); i++) {
				long nr = sp_syscall_nr(x64, calls[i].name);
				kernel_probe(sp->insns, sp->len, nr, calls[i].a, "secprof", label,
					     k);
				kernel_probe(rp.insns, rp.len, nr, calls[i].a, "libseccomp", label,
					     k);
			}
			for (size_t i = 0; k->compat_ok && i < SP_ARRAY_SIZE(i386_calls); i++) {
				kernel_probe_abi(sp->insns, sp->len, i386_calls[i].nr,
						 i386_calls[i].a, true, "secprof", label, k);
				kernel_probe_abi(rp.insns, rp.len, i386_calls[i].nr,
						 i386_calls[i].a, true, "libseccomp", label, k);
			}
			runc_prog_free(&rp);
		}
		secprof_prog_free(sp);
		loaded_free(&l);
	}
}

static void kernel_check(secprof_ctx *ctx)
{
	unsigned want = env_uint("EQUIV_KERNEL_PROFILES", 6);
	struct kcheck k = { 0, 0, false };
	struct rp_rng rng;
	uint64_t none[6] = { 0 };
	struct kp_result ppid = kp_run(NULL, 0, 64 /* i386 getppid */, none, true);

	k.compat_ok = ppid.kind == KP_RETURNED && !ppid.failed;
	if (!k.compat_ok)
		tap_diag(
			"this kernel does not run i386 calls: the x86 part is checked by emulation only");

	rp_seed(&rng, 42);
	kernel_builtin(ctx, &k);
	for (unsigned i = 0; i < want; i++) {
		char *json = probe_profile(1000 + i), label[48];
		struct loaded l;
		secprof_error err;
		struct runc_prog rp;
		char rerr[256];
		secprof_prog *sp = NULL;

		snprintf(label, sizeof(label), "probe profile %u", 1000 + i);
		if (!load_json(ctx, json, "probe.json", "amd64", secprof_caps_docker_default(), 6,
			       1, &l, &err)) {
			sp = secprof_compile(ctx, l.res, NULL, &err);
			if (sp && !runc_scmp_build(l.res, NULL, &rp, rerr, sizeof(rerr))) {
				kernel_probes(sp->insns, sp->len, l.res, "secprof", label, &k,
					      &rng);
				kernel_probes(rp.insns, rp.len, l.res, "libseccomp", label, &k,
					      &rng);
				runc_prog_free(&rp);
			}
			secprof_prog_free(sp);
			loaded_free(&l);
		}
		if (k.bad && k.bad < 5)
			printf("# profile: %s\n", json);
		free(json);
	}
	tap_ok(k.probes >= 100 && k.bad == 0,
	       "kernel: %u real syscalls (x86_64, x32 bit%s) in filtered children match the emulator's verdict "
	       "(%u mismatches)",
	       k.probes, k.compat_ok ? ", i386 via int $0x80" : "", k.bad);
}
#endif

int main(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	struct eq_stats st;
	unsigned min_evals = env_uint("EQUIV_MIN_EVALS", 1000000);
	secprof_error err;
	struct loaded l;
	secprof_prog *probe;

	memset(&st, 0, sizeof(st));
	secprof_ctx_set_warn(ctx, keep_warning, NULL);
	if (load_json(ctx, NULL, "builtin", "amd64", secprof_caps_docker_default(), 6, 1, &l,
		      &err)) {
		if (!strcmp(err.msg, "not implemented")) {
			printf("1..0 # SKIP the parser is still a stub\n");
			return 0;
		}
	} else {
		probe = secprof_compile(ctx, l.res, NULL, &err);
		secprof_prog_free(probe);
		loaded_free(&l);
		if (!probe && !strcmp(err.msg, "not implemented")) {
			printf("1..0 # SKIP secprof_compile is still a stub\n");
			return 0;
		}
	}
	builtin_variants(ctx, &st);
	reference_profiles(ctx, &st);
	many_value_rules(ctx, &st);
	random_profiles(ctx, &st);
	arg32_profiles(ctx, &st);
	tree_acc_pinned(ctx, &st);
	combined_pinned(ctx, &st);
	mux64_pinned(ctx, &st);
	mux_references(ctx, &st);
	pinned_refusals(ctx);
	tap_ok(st.evals >= min_evals && st.disagree == 0,
	       "%llu evaluations over %llu profiles, %llu disagreements (%llu libseccomp "
	       "code generation bugs (dropped nr load), %llu libseccomp merge bugs (ambiguous accumulator), "
	       "%llu names restricted)",
	       (unsigned long long)st.evals, (unsigned long long)st.profiles,
	       (unsigned long long)st.disagree, (unsigned long long)st.scmp_multiarch,
	       (unsigned long long)st.scmp_merge, (unsigned long long)st.names_dropped);
	if (st.disagree)
		tap_diag(
			"disagreements by likely cause: %llu MASKED_EQ datum outside the mask, %llu overlapping "
			"conditional rules, %llu other (tests/compat/README.md)",
			(unsigned long long)st.cat_masked, (unsigned long long)st.cat_overlap,
			(unsigned long long)st.cat_other);
	printf("# equivalence: %llu evaluations, %llu disagreements\n",
	       (unsigned long long)st.evals, (unsigned long long)st.disagree);
	tap_ok(st.emu_mismatch == 0,
	       "secprof_emulate agrees with the independent evaluator (%llu differences)",
	       (unsigned long long)st.emu_mismatch);
	/* the same profiles and inputs, secprof's default program against
	 * libseccomp's for profile' on input' (equiv.h eq_narrow) */
	tap_ok(st_narrow.evals >= min_evals && st_narrow.disagree == 0 &&
		       st_narrow.error_mismatch == 0 && st_narrow.emu_mismatch == 0 &&
		       st_narrow.narrowed >= st_narrow.evals / 100,
	       "default mode: %llu evaluations (%llu with high words cleared) over %llu profiles, "
	       "secprof exact(profile', input') == "
	       "libseccomp(profile' with 32-bit arguments' values cut, input' with their high words "
	       "cleared): %llu disagreements, %llu refused by one only (%llu "
	       "libseccomp code generation bugs, %llu merge bugs)",
	       (unsigned long long)st_narrow.evals, (unsigned long long)st_narrow.narrowed,
	       (unsigned long long)st_narrow.profiles, (unsigned long long)st_narrow.disagree,
	       (unsigned long long)st_narrow.error_mismatch,
	       (unsigned long long)st_narrow.scmp_multiarch,
	       (unsigned long long)st_narrow.scmp_merge);
	tap_ok(st_narrow.evals >= min_evals && st_narrow.combine_mismatch == 0,
	       "default mode: secprof(profile, input) is the stricter of secprof exact(profile', input') "
	       "and secprof exact(profile, input) on all %llu evaluations (%llu mismatches)",
	       (unsigned long long)st_narrow.evals, (unsigned long long)st_narrow.combine_mismatch);
	/* listed exceptions 2 and 4 split by which side is the stricter: where
	 * libseccomp's is, runc denies what secprof allows (docs/COMPAT.md
	 * §4.5). Exception 2 is applied where it certainly strikes
	 * (src/ir/scmpbug.c), so none may be left; exception 4 is not
	 * modelled yet and is reported. */
	tap_ok(st.scmp_multiarch_lib == 0 && st_narrow.scmp_multiarch_lib == 0,
	       "dropped nr load (exception 2): %llu/%llu (exact/default mode) where secprof is the "
	       "stricter, %llu/%llu where libseccomp is",
	       (unsigned long long)(st.scmp_multiarch - st.scmp_multiarch_lib),
	       (unsigned long long)(st_narrow.scmp_multiarch - st_narrow.scmp_multiarch_lib),
	       (unsigned long long)st.scmp_multiarch_lib,
	       (unsigned long long)st_narrow.scmp_multiarch_lib);
	/* exception 4 is modelled (src/ir/scmpacc.c): secprof returns the
	 * stricter of the profile's verdict and runc's program's, so where
	 * libseccomp's is the stricter none may be left */
	tap_ok(st.scmp_merge_lib == 0 && st_narrow.scmp_merge_lib == 0,
	       "stale accumulator (exception 4): %llu/%llu (exact/default mode) where secprof is the "
	       "stricter, %llu/%llu where libseccomp is (see STALE ACCUMULATOR lines)",
	       (unsigned long long)(st.scmp_merge - st.scmp_merge_lib),
	       (unsigned long long)(st_narrow.scmp_merge - st_narrow.scmp_merge_lib),
	       (unsigned long long)st.scmp_merge_lib, (unsigned long long)st_narrow.scmp_merge_lib);
	/* the note (src/ir/scmpacc.c) names each syscall given runc's program
	 * as a twin; where the profile is the stricter no twin is needed on
	 * some, so this is a count, not a requirement */
	printf("# stale accumulator: the note names the syscall of %llu/%llu of them (exact/default "
	       "mode); not named: %llu/%llu with rules of two actions or OR-ed tests, %llu/%llu "
	       "with rules of one action\n",
	       (unsigned long long)(st.scmp_merge - st.scmp_merge_unnamed -
				    st.scmp_merge_unnamed_single),
	       (unsigned long long)(st_narrow.scmp_merge - st_narrow.scmp_merge_unnamed -
				    st_narrow.scmp_merge_unnamed_single),
	       (unsigned long long)st.scmp_merge_unnamed,
	       (unsigned long long)st_narrow.scmp_merge_unnamed,
	       (unsigned long long)st.scmp_merge_unnamed_single,
	       (unsigned long long)st_narrow.scmp_merge_unnamed_single);
#if defined(__x86_64__)
	kernel_check(ctx);
#endif
	secprof_ctx_free(ctx);
	return tap_done();
}
