/* test_ir.c - the rule-set IR (docs/IR.md) through its public API:
 *  - the decision query against the compiled program in the emulator: for
 *    Docker's default (several containers and arches), the decide suite's
 *    profiles and random profiles, on every number the IR lists, numbers
 *    around the ENOSYS boundary and the arch checks, and arguments at and
 *    around every value a chain compares, the action of secprof_ir_decide
 *    equals secprof_emulate's; the provenance agrees with it (a chain that
 *    decides holds, the chains tried before it fail, a default answer
 *    means no chain held);
 *  - known answers on Docker's default: who decides socket, read, mount, an
 *    unknown number and a foreign arch, and which condition failed;
 *  - completeness: every rule of the profile, every name of a kept rule on
 *    every arch of the filter, is in the program or left out with a reason.
 */
#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "tap.h"
#include "../compat/randprof.h"

struct stats {
	size_t inputs, mismatches, provenance, incomplete;
	size_t wide;  /* decided by a 64-bit twin (secprof_ir_syscall.wide) */
	size_t stale; /* of those, by runc's program run (stale_accumulator, tree_merge) */
};

static int ir_build(secprof_ctx *ctx, const char *json, const secprof_resolve_opts *o,
		    const secprof_compile_opts *co, secprof_profile **p, secprof_resolved **r,
		    secprof_prog **prog, secprof_ir **ir)
{
	secprof_error err = { 0 };

	*p = json ? secprof_profile_parse(ctx, json, strlen(json), "t.json", &err)
		  : secprof_profile_builtin(ctx, &err);
	*r = *p ? secprof_resolve(ctx, *p, o, &err) : NULL;
	*prog = *r && !secprof_resolved_unconfined(*r) ? secprof_compile(ctx, *r, co, &err) : NULL;
	*ir = *prog ? secprof_ir_build(ctx, *r, co, &err) : NULL;
	return *ir ? 0 : -1;
}

static void ir_unbuild(secprof_profile *p, secprof_resolved *r, secprof_prog *prog, secprof_ir *ir)
{
	secprof_ir_free(ir);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
}

/* One input: the query's action must be the program's, and its story
 * must hold together. */
static void check_input(const secprof_ir *ir, const secprof_prog *prog, const secprof_data *d,
			struct stats *st, const char *what)
{
	secprof_ir_decision dec;
	int failed[256];
	uint32_t want = secprof_emulate(prog->insns, prog->len, d, NULL);
	const secprof_ir_syscall *s;
	bool ok = true;

	st->inputs++;
	if (secprof_ir_decide(ir, d, &dec, failed, 256) < 0 || dec.action != want) {
		if (st->mismatches++ < 5)
			tap_diag("%s: arch 0x%x nr %d args %llx %llx: query %08x, program %08x",
				 what, d->arch, d->nr, (unsigned long long)d->args[0],
				 (unsigned long long)d->args[1], dec.action, want);
		return;
	}
	s = dec.syscall && dec.wide ? dec.syscall->wide : dec.syscall; /* the deciding side */
	st->wide += dec.wide;
	if (dec.wide && !s && st->provenance++ < 5)
		tap_diag("%s: decided by a 64-bit twin the IR does not show", what);
	if (dec.by == SECPROF_BY_DEFAULT)
		ok = dec.action == secprof_ir_default_action(ir);
	if (dec.wide && s && (s->stale_accumulator || s->tree_merge)) {
		/* runc's program decided (src/ir/scmpacc.c): its compares are
		 * not the chains', so only the rule and its action are checked */
		bool found = dec.by == SECPROF_BY_DEFAULT;
		for (size_t i = 0; !found && dec.by == SECPROF_BY_RULE && i < s->nchains; i++)
			found = s->chains[i].src.index == dec.rule.index &&
				s->chains[i].action == dec.action;
		st->stale += 1;
		if (!found && st->provenance++ < 5)
			tap_diag(
				"%s: arch 0x%x nr %d: runc's program decided, by no rule of its own",
				what, d->arch, d->nr);
		return;
	}
	if (dec.by == SECPROF_BY_RULE) {
		ok = s != NULL;
		if (ok && !s->conditional)
			ok = !dec.chain && s->action == dec.action &&
			     s->src.index == dec.rule.index;
		else if (ok)
			ok = dec.chain && dec.chain->action == dec.action &&
			     dec.chain->src.index == dec.rule.index &&
			     (size_t)(dec.chain - s->chains) < s->nchains &&
			     failed[dec.chain - s->chains] == -1;
		/* first match: every chain before it fails, where no word
		 * tree reorders them */
		for (size_t i = 0;
		     ok && s->conditional && !s->word_tree && i < (size_t)(dec.chain - s->chains);
		     i++)
			ok = failed[i] >= 0;
	}
	if (dec.by == SECPROF_BY_DEFAULT && s && s->conditional && !s->word_tree)
		for (size_t i = 0; ok && i < s->nchains && i < 256; i++)
			ok = failed[i] >= 0 && (size_t)failed[i] < s->chains[i].nconds;
	if (dec.by == SECPROF_BY_ENOSYS)
		ok = dec.action == 0x50026u;
	if (!ok && st->provenance++ < 5)
		tap_diag("%s: arch 0x%x nr %d: provenance does not agree (by %d, rule %zu)", what,
			 d->arch, d->nr, dec.by, dec.rule.index);
}

static const uint64_t edges[] = { 0,
				  1,
				  2,
				  38,
				  39,
				  40,
				  41,
				  0x7fffffffULL,
				  0x80000000ULL,
				  0xffffffffULL,
				  0x100000000ULL,
				  0x100000028ULL,
				  0x7E020000ULL,
				  0x7E020000ULL | 0x10ULL,
				  0x8000000000000000ULL,
				  0xffffffffffffffffULL };

/* Arguments around what the chains compare: each value, +-1, with the
 * high word flipped; the other arguments cycle through the edges. */
static void check_syscall(const secprof_ir *ir, const secprof_prog *prog, uint32_t audit,
			  const secprof_ir_syscall *s, struct stats *st, const char *what)
{
	secprof_data d = { .nr = s->nr, .arch = audit };
	size_t e = 0;

	check_input(ir, prog, &d, st, what);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		for (int a = 0; a < 6; a++)
			d.args[a] = edges[(i + (size_t)a * 3) % (sizeof(edges) / sizeof(edges[0]))];
		check_input(ir, prog, &d, st, what);
	}
	for (size_t c = 0; c < s->nchains; c++) {
		for (size_t k = 0; k < s->chains[c].nconds; k++) {
			const secprof_ir_cond *x = &s->chains[c].conds[k];
			uint64_t vs[] = { x->value,
					  x->value + 1,
					  x->value - 1,
					  x->value_two,
					  x->value ^ 0xffffffff00000000ULL,
					  x->value_two | ~x->value };
			for (size_t v = 0; v < sizeof(vs) / sizeof(vs[0]); v++) {
				memset(d.args, 0, sizeof(d.args));
				/* the chain's other conditions at their own values,
				 * so the chain can hold */
				for (size_t j = 0; j < s->chains[c].nconds; j++)
					d.args[s->chains[c].conds[j].arg] =
						s->chains[c].conds[j].value_two
							? s->chains[c].conds[j].value_two
							: s->chains[c].conds[j].value;
				d.args[x->arg] = vs[v];
				check_input(ir, prog, &d, st, what);
				d.args[(x->arg + 1) % 6] =
					edges[e++ % (sizeof(edges) / sizeof(edges[0]))];
				check_input(ir, prog, &d, st, what);
			}
		}
	}
}

static void check_all_inputs(const secprof_ir *ir, const secprof_prog *prog, struct stats *st,
			     const char *what)
{
	static const uint32_t audits[] = { 0xc000003eu, 0x40000003u, 0xc00000b7u, 0x40000028u,
					   0xdeadu };

	for (size_t i = 0; i < secprof_ir_arch_count(ir); i++) {
		const secprof_ir_arch *a = secprof_ir_arch_at(ir, i);
		uint32_t base = a->nsyscalls ? (uint32_t)a->syscalls[0].nr & 0x40000000u : 0;
		for (size_t k = 0; k < a->nsyscalls; k++)
			check_syscall(ir, prog, a->audit, &a->syscalls[k], st, what);
		/* numbers without rules, the ENOSYS boundary, the x32 bit */
		for (uint32_t nr = 0; nr < 64; nr++) {
			secprof_data d = { .nr = (int32_t)(base + nr * 7), .arch = a->audit };
			check_input(ir, prog, &d, st, what);
		}
		for (int64_t off = -2; a->enosys_max >= 0 && off <= 2; off++) {
			secprof_data d = { .nr = (int32_t)(a->enosys_max + off), .arch = a->audit };
			check_input(ir, prog, &d, st, what);
		}
		uint32_t odd[] = { 0x40000000u, 0x40000001u, 0x7fffffffu, 0x80000000u,
				   0xbfffffffu, 0xc0000000u, 0xffffffffu, 0xfffffffeu };
		for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
			secprof_data d = { .nr = (int32_t)odd[k], .arch = a->audit };
			check_input(ir, prog, &d, st, what);
		}
	}
	for (size_t k = 0; k < sizeof(audits) / sizeof(audits[0]); k++) {
		secprof_data d = { .nr = 1, .arch = audits[k] };
		check_input(ir, prog, &d, st, what);
	}
}

/* ---- completeness ------------------------------------------------------- */

static bool drop_of(const secprof_ir *ir, size_t idx, const char *name, const char *arch, bool via)
{
	size_t n;
	const secprof_ir_drop *d = secprof_ir_drops(ir, &n);

	for (size_t i = 0; i < n; i++) {
		if (d[i].rule.index != idx)
			continue;
		if (!d[i].name && !d[i].arch)
			return true; /* the whole rule */
		if (d[i].cond >= 0 || !d[i].name || !name || strcmp(d[i].name, name) ||
		    !d[i].arch || strcmp(d[i].arch, arch) || (d[i].via != NULL) != via)
			continue;
		return true;
	}
	return false;
}

static bool in_syscall(const secprof_ir_syscall *s, size_t idx, bool via)
{
	if (!s->conditional)
		return !via && s->src.index == idx;
	for (size_t c = 0; c < s->nchains; c++)
		if (s->chains[c].src.index == idx && (s->chains[c].via != NULL) == via)
			return true;
	return false;
}

static const secprof_ir_syscall *find_sys(const secprof_ir_arch *a, int32_t nr)
{
	for (size_t k = 0; k < a->nsyscalls; k++)
		if (a->syscalls[k].nr == nr)
			return &a->syscalls[k];
	return NULL;
}

/* Every (rule, name, arch) is in the program, or left out with a reason;
 * every rule resolve dropped has one. */
static size_t check_complete(const secprof_ir *ir, const secprof_profile *p,
			     const secprof_resolved *r, const char *what)
{
	size_t bad = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct sp_rule *rule = &p->rules[i];
		bool kept = false;
		for (size_t k = 0; k < r->nrules; k++)
			kept |= r->rules[k] == rule;
		if (!kept) {
			if (!drop_of(ir, rule->index, NULL, NULL, false) && bad++ < 5)
				tap_diag("%s: syscalls[%zu] left out by resolve without a reason",
					 what, i);
			continue;
		}
		for (size_t j = 0; j < rule->nnames; j++) {
			const char *name = rule->names[j].s;
			for (size_t ai = 0; ai < secprof_ir_arch_count(ir); ai++) {
				const secprof_ir_arch *a = secprof_ir_arch_at(ir, ai);
				int32_t nr = sp_syscall_nr(sp_arch_by_name(a->name), name);
				const secprof_ir_syscall *s = nr >= 0 ? find_sys(a, nr) : NULL;
				bool here = (s && in_syscall(s, rule->index, false)) ||
					    drop_of(ir, rule->index, name, a->name, false);
				/* a socket/IPC name also reaches socketcall/ipc */
				bool via = false;
				for (size_t k = 0; k < a->nsyscalls && !via; k++)
					via = in_syscall(&a->syscalls[k], rule->index, true);
				via |= drop_of(ir, rule->index, name, a->name, true);
				if (here || (nr < 0 && via))
					continue;
				if (bad++ < 5)
					tap_diag(
						"%s: syscalls[%zu] \"%s\" on %s: not in the program and no reason",
						what, i, name, a->name);
			}
		}
	}
	return bad;
}

/* ---- the cases ---------------------------------------------------------- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	s = malloc(1 << 20);
	if (s)
		n = fread(s, 1, (1 << 20) - 1, f);
	fclose(f);
	if (s)
		s[n] = 0;
	return s;
}

static void run_case(secprof_ctx *ctx, const char *json, const secprof_resolve_opts *o,
		     const secprof_compile_opts *co, const char *what, struct stats *st, bool must)
{
	secprof_profile *p;
	secprof_resolved *r;
	secprof_prog *prog;
	secprof_ir *ir;

	if (ir_build(ctx, json, o, co, &p, &r, &prog, &ir) < 0) {
		if (must)
			tap_ok(0, "%s builds", what);
	} else {
		check_all_inputs(ir, prog, st, what);
		st->incomplete += check_complete(ir, p, r, what);
	}
	ir_unbuild(p, r, prog, ir);
}

/* Known answers on Docker's default, amd64 6.1: who decides, and which
 * condition of each chain fails. */
static void known_answers(secprof_ctx *ctx)
{
	secprof_resolve_opts o = { .arch = "amd64",
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	secprof_profile *p;
	secprof_resolved *r;
	secprof_prog *prog;
	secprof_ir *ir;
	secprof_ir_decision dec;
	int failed[8];

	if (ir_build(ctx, NULL, &o, &(secprof_compile_opts){ 0 }, &p, &r, &prog, &ir) < 0) {
		tap_ok(0, "builtin builds");
		return;
	}
	/* socket(AF_INET): the chain of syscalls[2] (arg0 < 38) decides; the
	 * chain tried before it (arg0 == 39, syscalls[3]) failed at its test */
	secprof_data d = { .nr = 41, .arch = 0xc000003eu, .args = { 2 } };
	secprof_ir_decide(ir, &d, &dec, failed, 8);
	tap_ok(dec.by == SECPROF_BY_RULE && dec.action == 0x7fff0000u && dec.rule.index == 2 &&
		       dec.chain && dec.chain - dec.syscall->chains == 1 && failed[0] == 0 &&
		       failed[1] == -1 && failed[2] == 0,
	       "socket(AF_INET): allowed by syscalls[2], syscalls[3]'s arg0 test failed first");
	/* socket(AF_VSOCK): every chain fails at its only test: the default */
	d.args[0] = 40;
	secprof_ir_decide(ir, &d, &dec, failed, 8);
	tap_ok(dec.by == SECPROF_BY_DEFAULT && dec.action == 0x50001u && !dec.chain &&
		       dec.syscall && dec.syscall->nchains == 3 && failed[0] == 0 &&
		       failed[1] == 0 && failed[2] == 0,
	       "socket(AF_VSOCK): no chain holds, ERRNO(1) by default");
	/* read: unconditional, syscalls[0] */
	d = (secprof_data){ .nr = 0, .arch = 0xc000003eu };
	secprof_ir_decide(ir, &d, &dec, NULL, 0);
	tap_ok(dec.by == SECPROF_BY_RULE && dec.rule.index == 0 && dec.syscall &&
		       !dec.syscall->conditional && !dec.chain && dec.rule.line > 0,
	       "read: allowed by syscalls[0], with its line");
	/* a number above the highest one the profile names: runc's stub */
	d.nr = 1000;
	secprof_ir_decide(ir, &d, &dec, NULL, 0);
	tap_ok(dec.by == SECPROF_BY_ENOSYS && dec.action == 0x50026u && !dec.syscall,
	       "nr 1000: ENOSYS from runc's stub");
	/* mount without CAP_SYS_ADMIN: no entry, the default */
	d.nr = 165;
	secprof_ir_decide(ir, &d, &dec, NULL, 0);
	tap_ok(dec.by == SECPROF_BY_DEFAULT && dec.action == 0x50001u && !dec.syscall,
	       "mount: no rule, the default");
	/* an arch the filter does not have */
	d.arch = 0xc00000b7u;
	secprof_ir_decide(ir, &d, &dec, NULL, 0);
	tap_ok(dec.by == SECPROF_BY_ARCH && dec.action == 0 && !dec.arch,
	       "aarch64 input: bad arch, killed");
	TAP_EQ_INT(secprof_ir_decide(ir, NULL, &dec, NULL, 0), -SECPROF_E_USAGE,
		   "NULL input refused");
	ir_unbuild(p, r, prog, ir);
}

int main(int argc, char **argv)
{
	secprof_ctx *ctx = secprof_ctx_new();
	struct stats st = { 0 };
	const char *tests = argc > 1 ? argv[1] : getenv("TESTS") ? getenv("TESTS") : "tests";
	secprof_caps def = secprof_caps_docker_default();
	static const char *const goarches[] = { "amd64",   "386",     "arm64",    "arm",
						"ppc64le", "riscv64", "mips64le", "loong64" };
	size_t random_built = 0;

	/* names of the reason codes: stable, as the JSON output uses them */
	TAP_EQ_STR(secprof_reason_name(SECPROF_REASON_CAP_NOT_HELD), "cap-not-held", "reason name");
	TAP_EQ_STR(secprof_reason_name(SECPROF_REASON_BEYOND_ENOSYS), "beyond-enosys",
		   "last reason name");
	tap_ok(secprof_reason_name(SECPROF_REASON__COUNT) == NULL, "no name past the list");
	known_answers(ctx);

	/* Docker's default: containers and arches */
	for (size_t i = 0; i < sizeof(goarches) / sizeof(goarches[0]); i++) {
		for (int caps = 0; caps < 2; caps++) {
			for (int exact = 0; exact < 2; exact++) {
				secprof_resolve_opts o = { .arch = goarches[i],
							   .kernel_major = caps ? 4 : 6,
							   .kernel_minor = caps ? 14 : 1,
							   .caps = caps ? secprof_caps_all()
									: def };
				secprof_compile_opts co = { .exact_libseccomp = exact };
				char what[96];
				struct stats one = { 0 };
				snprintf(what, sizeof(what), "builtin %s %s%s", goarches[i],
					 caps ? "all caps, 4.14" : "default caps, 6.1",
					 exact ? ", exact" : "");
				run_case(ctx, NULL, &o, &co, what, &one, true);
				tap_ok(!one.mismatches && !one.provenance && !one.incomplete,
				       "%s: %zu inputs, query = program, provenance and reasons complete",
				       what, one.inputs);
				st.inputs += one.inputs;
			}
		}
	}

	/* the decide suite's profiles */
	static const char *const files[] = { "10-actions",         "11-word-tree",
					     "12-mux-deny-socket", "13-mux-allow-socket",
					     "14-x32-boundary",    "15-mux-merge",
					     "16-enosys-errnoret" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512], what[96];
		char *json;
		snprintf(path, sizeof(path), "%s/decide/%s.json", tests, files[i]);
		if (!(json = read_all(path))) {
			tap_ok(0, "read %s", path);
			continue;
		}
		for (size_t g = 0; g < 3; g++) {
			static const char *const ga[] = { "amd64", "386", "arm64" };
			secprof_resolve_opts o = {
				.arch = ga[g], .kernel_major = 6, .kernel_minor = 1, .caps = def
			};
			struct stats one = { 0 };
			snprintf(what, sizeof(what), "%s %s", files[i], ga[g]);
			run_case(ctx, json, &o, &(secprof_compile_opts){ 0 }, what, &one, false);
			tap_ok(!one.mismatches && !one.provenance && !one.incomplete,
			       "%s: %zu inputs, query = program, provenance and reasons complete",
			       what, one.inputs);
		}
		free(json);
	}

	/* random profiles (the differential test's generator) */
	secprof_ctx *quiet = secprof_ctx_new();
	struct stats rnd = { 0 };
	for (uint64_t seed = 1; seed <= 400; seed++) {
		const char *go;
		char *json = randprof_json(seed, &go, (int)(seed & 1));
		secprof_resolve_opts o = {
			.arch = go, .kernel_major = 6, .kernel_minor = 1, .caps = def
		};
		char what[64];
		size_t before = rnd.inputs;
		snprintf(what, sizeof(what), "random seed %llu", (unsigned long long)seed);
		run_case(quiet, json, &o,
			 &(secprof_compile_opts){ .exact_libseccomp = seed % 3 == 0 }, what, &rnd,
			 false);
		random_built += rnd.inputs > before;
		free(json);
	}
	tap_ok(!rnd.mismatches && !rnd.provenance && !rnd.incomplete && random_built > 100,
	       "%zu random profiles built, %zu inputs: query = program, provenance and reasons complete",
	       random_built, rnd.inputs);
	tap_ok(rnd.wide - rnd.stale > 100,
	       "... %zu of them decided by the 64-bit twin of low-word rules",
	       rnd.wide - rnd.stale);
	tap_ok(rnd.stale > 0,
	       "... %zu by runc's program where libseccomp's stale accumulator makes it the stricter",
	       rnd.stale);
	secprof_ctx_free(quiet);
	secprof_ctx_free(ctx);
	return tap_done();
}
