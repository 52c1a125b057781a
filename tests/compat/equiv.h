/* equiv.h - compare secprof's compiler with libseccomp driven like runc, on
 * one resolved profile, by running both programs on many inputs.
 * Header-only (used by tests/unit/test_equiv.c). See docs in that file.
 */
#ifndef SECPROF_COMPAT_EQUIV_H
#define SECPROF_COMPAT_EQUIV_H

#include "bpf_eval.h"
#include "bpf/bpf.h"
#include "randprof.h"
#include "runc_scmp.h"

struct eq_stats {
	uint64_t evals;          /* inputs run on both programs */
	uint64_t disagree;       /* different verdicts */
	uint64_t scmp_multiarch; /* libseccomp's multi-arch program contradicts its
				    own single-arch one, secprof agrees with the latter */
	uint64_t scmp_merge;     /* libseccomp's merged program contradicts its own
				    programs for each OR-ed rule alone, or (rules of
				    several actions) its own word tree run with the
				    accumulator it assumes, on a path that compares
				    an ambiguous accumulator (README) */
	/* of those, where libseccomp's verdict is the stricter one (the
	   kernel's order of actions): runc denies what secprof allows */
	uint64_t scmp_multiarch_lib;
	uint64_t scmp_merge_lib;
	uint64_t scmp_merge_unnamed;        /* exception 4 on a syscall no note of
					secprof's names (src/ir/scmpbug.c),
					whose rules have two actions or OR-ed
					tests (the note's scope) */
	uint64_t scmp_merge_unnamed_single; /* the same, rules of one action */
	uint64_t cat_masked;                /* disagreements on a syscall with a MASKED_EQ whose
				    valueTwo has bits outside the mask */
	uint64_t cat_overlap;               /* ... with several conditional rules of different
				    actions, or range tests OR-ed on one argument */
	uint64_t cat_other;
	uint64_t emu_mismatch;     /* secprof_emulate != the independent evaluator */
	uint64_t profiles;         /* compared profiles */
	uint64_t both_error;       /* both refused the profile */
	uint64_t error_mismatch;   /* only one refused it */
	uint64_t readings_refused; /* secprof alone, where the Dockers' readings of
				      "equal to the default" decide otherwise
				      (ir/ruleset.c check_readings): stricter */
	uint64_t names_dropped;    /* names restricted away (tables disagree) */
	uint64_t narrowed;         /* inputs whose input' differs (default mode) */
	uint64_t combine_mismatch; /* default mode: secprof's program is not the
				      stricter of its own two exact ones */
	uint64_t native_unlisted;  /* secprof is runc 1.1.5's stricter answer where
				      it has no stub section (the native arch
				      unlisted), the model a current runc's ENOSYS */
	unsigned printed;          /* disagreements printed in full (per section) */
	unsigned emu_printed;
	unsigned refusal_printed;
};

/* ---- restricting a profile to names both tables agree on --------------- */

struct eq_restricted {
	secprof_resolved r;
	const struct sp_rule **rules;
	struct sp_rule *copies;
	struct sp_str *names;
	struct sp_arg *args; /* eq_restrict_to_audit's multiplexer rules, eq_narrow's cut values */
};

static inline void eq_restricted_free(struct eq_restricted *x)
{
	free(x->rules);
	free(x->copies);
	free(x->names);
	free(x->args);
}

/* The arches of the filter: OCI list + native (as both compilers use). */
static inline size_t eq_filter_arches(const secprof_resolved *r, const struct sp_arch **out,
				      size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->narchitectures && n < max; i++) {
		const struct sp_arch *a =
			r->architectures[i]->s ? sp_arch_by_scmp(r->architectures[i]->s) : NULL;
		if (a)
			out[n++] = a;
	}
	if (n < max && r->native)
		out[n++] = r->native;
	return n;
}

/* libseccomp 2.5.4 resolves the socket and SysV IPC families by name to
 * pseudo numbers (-101..-120, -201..-224) on the arches that multiplex them
 * through socketcall(2)/ipc(2) (syscalls.c abi_syscall_resolve_name_munge):
 * the call number there is -pseudo % 100 (socket) or % 200 (ipc). */
static inline int eq_scmp_mux_call(uint32_t tok, const char *name, int *kind)
{
	int lib = seccomp_syscall_resolve_name_arch(tok, name);

	if (lib <= -100 && lib >= -120) {
		*kind = 0;
		return -lib % 100;
	}
	if (lib <= -200 && lib >= -224) {
		*kind = 1;
		return -lib % 200;
	}
	return -1;
}

/* Does libseccomp 2.5.4 number `name` as our table does on every arch of the
 * filter? Names unknown to both agree (both skip them). libseccomp returns
 * negative pseudo numbers for names absent on an arch: that is "absent". A
 * socket/ipc-family name it multiplexes (eq_scmp_mux_call) agrees when its
 * direct number, which libseccomp still names backwards, is ours. */
static inline bool eq_name_agrees(const char *name, const struct sp_arch *const *arches, size_t n)
{
	if (!*name)
		return true;
	for (size_t i = 0; i < n; i++) {
		uint32_t tok = runc_arch_token(arches[i]->scmp);
		int lib = tok ? seccomp_syscall_resolve_name_arch(tok, name) : -1, kind;
		int32_t ours = sp_syscall_nr(arches[i], name);
		if (tok && eq_scmp_mux_call(tok, name, &kind) >= 0) {
			char *back = ours >= 0 ? seccomp_syscall_resolve_num_arch(tok, ours) : NULL;
			bool same = ours < 0 || (back && !strcmp(back, name));
			free(back);
			if (!same)
				return false;
			continue;
		}
		if (lib < 0)
			lib = -1;
		if (lib != ours)
			return false;
	}
	return true;
}

/* A copy of r whose rules keep only the names both tables agree on; a rule
 * left without names is dropped. Returns how many names were dropped. */
static inline size_t eq_restrict(const secprof_resolved *r, struct eq_restricted *x)
{
	const struct sp_arch *arches[40];
	size_t narch = eq_filter_arches(r, arches, 40), total = 0, used = 0, dropped = 0;

	for (size_t i = 0; i < r->nrules; i++)
		total += r->rules[i]->nnames;
	x->r = *r;
	x->args = NULL;
	x->rules = calloc(r->nrules + 1, sizeof(*x->rules));
	x->copies = calloc(r->nrules + 1, sizeof(*x->copies));
	x->names = calloc(total + 1, sizeof(*x->names));
	x->args = NULL;
	if (!x->rules || !x->copies || !x->names)
		abort();
	x->r.rules = x->rules;
	x->r.nrules = 0;
	for (size_t i = 0; i < r->nrules; i++) {
		struct sp_rule *c = &x->copies[x->r.nrules];
		*c = *r->rules[i];
		c->names = &x->names[used];
		c->nnames = 0;
		for (size_t j = 0; j < r->rules[i]->nnames; j++) {
			const char *nm = r->rules[i]->names[j].s ? r->rules[i]->names[j].s : "";
			if (eq_name_agrees(nm, arches, narch))
				x->names[used + c->nnames++] = r->rules[i]->names[j];
			else
				dropped++;
		}
		used += c->nnames;
		if (c->nnames)
			x->rules[x->r.nrules++] = c;
	}
	return dropped;
}

/* A copy of r keeping only names that exist on an arch of the filter seen as
 * token `audit`. Names absent there must not change that arch's verdicts;
 * libseccomp 2.5.4 sometimes lets them (a rule for such a pseudo syscall can
 * drop the "ld nr" of a single-arch filter), so this copy is the reference
 * that tells its code generation bugs from secprof's mistakes.
 * A socket/ipc-family name that the arch only has through the multiplexer
 * (i386 accept, mipsel semop) is such a pseudo syscall too: libseccomp's
 * abi_rule_add adds the multiplexer rule and a rule for the name's pseudo
 * number. The copy keeps the first and not the second: the name becomes
 * socketcall/ipc, with "arg0 == call" in place of the rule's arg0 test (one
 * rule per condition where runc adds them one by one), as abi_rule_add
 * writes rule_a. */
static inline void eq_restrict_to_audit(const secprof_resolved *r, uint32_t audit,
					struct eq_restricted *x)
{
	static const struct sp_str mux_names[2] = { { .s = "socketcall" }, { .s = "ipc" } };
	const struct sp_arch *arches[40];
	size_t narch = eq_filter_arches(r, arches, 40), total = 0, used = 0, nmux = 0, cap = 0;

	for (size_t i = 0; i < r->nrules; i++) {
		total += r->rules[i]->nnames;
		cap += r->rules[i]->nnames * (r->rules[i]->nargs + 1);
	}
	x->r = *r;
	x->rules = calloc(r->nrules + cap + 1, sizeof(*x->rules));
	x->copies = calloc(r->nrules + cap + 1, sizeof(*x->copies));
	x->names = calloc(total + 1, sizeof(*x->names));
	x->args = calloc(cap * 7 + 1, sizeof(*x->args));
	if (!x->rules || !x->copies || !x->names || !x->args)
		abort();
	x->r.rules = x->rules;
	x->r.nrules = 0;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		/* copies[i]: the multiplexer rules take the slots past r->nrules,
		 * so a slot counted by the rules kept so far could be one of them */
		struct sp_rule *c = &x->copies[i];
		*c = *rule;
		c->names = &x->names[used];
		c->nnames = 0;
		for (size_t j = 0; j < rule->nnames; j++) {
			const char *nm = rule->names[j].s ? rule->names[j].s : "";
			bool here = false;
			int call = -1, kind = 0;
			for (size_t k = 0; k < narch; k++) {
				uint32_t tok = runc_arch_token(arches[k]->scmp);
				if (arches[k]->audit != audit)
					continue;
				here |= sp_syscall_nr(arches[k], nm) >= 0;
				if (*nm && tok && call < 0)
					call = eq_scmp_mux_call(tok, nm, &kind);
			}
			if (here) {
				x->names[used + c->nnames++] = rule->names[j];
				continue;
			}
			if (call < 0)
				continue;
			/* the multiplexer's rules for this name, right here in
			 * runc's order (the rule's other names come after; no
			 * verdict depends on that: they are other syscalls) */
			bool split = runc_index_repeats(rule);
			for (size_t part = 0; part < (split ? rule->nargs : 1); part++) {
				struct sp_rule *m = &x->copies[r->nrules + nmux++];
				struct sp_arg *a = &x->args[(nmux - 1) * 7];
				size_t n = 0;
				*m = *rule;
				m->names = (struct sp_str *)&mux_names[kind];
				m->nnames = 1;
				a[n++] = (struct sp_arg){ .index = 0,
							  .op = SP_OP_EQ,
							  .value = (uint64_t)call };
				for (size_t k = split ? part : 0;
				     k < (split ? part + 1 : rule->nargs); k++)
					if (rule->args[k].index != 0)
						a[n++] = rule->args[k];
				m->args = a;
				m->nargs = n;
				x->rules[x->r.nrules++] = m;
			}
		}
		used += c->nnames;
		if (c->nnames)
			x->rules[x->r.nrules++] = c;
	}
}

/* ---- profile' and input': what secprof's default mode means --------------
 *
 * Unless exact_libseccomp is set, secprof compares an argument the kernel
 * reads as a 32-bit type (gen/argtypes.inc) on its low word, on 64-bit
 * ABIs: its decisions must be libseccomp's for profile' (each such
 * argument's value and valueTwo cut to their low word) on input' (each such
 * argument's high word cleared). libseccomp compares low words only on
 * 32-bit ABIs, so cutting the values there changes nothing. */

/* The 32-bit arguments of `name` secprof compares on their low word: those
 * whose values, over the rules runc adds for the name (with conditions,
 * action not the default), all have one high word H, with (H & mask) ==
 * datum on every MASKED_EQ's high word (else libseccomp's 64-bit compares
 * stay: README). */
static inline uint8_t eq_cut_args(const secprof_resolved *r, const char *name)
{
	uint32_t def = runc_action(r->prof->default_act, r->prof->has_default_errno,
				   r->prof->default_errno);
	uint8_t m = sp_syscall_arg32_of(name), keep = m;

	for (int i = 0; i < 6; i++) {
		bool have = false, ok = true;
		uint32_t h = 0;
		if (!(m >> i & 1))
			continue;
		for (int masked = 0; masked < 2; masked++)
			for (size_t k = 0; k < r->nrules; k++) {
				const struct sp_rule *rule = r->rules[k];
				bool named = false;
				for (size_t j = 0; j < rule->nnames; j++)
					named |= rule->names[j].s &&
						 !strcmp(rule->names[j].s, name);
				if (!named ||
				    runc_action(rule->act, rule->has_errno, rule->errno_ret) == def)
					continue;
				for (size_t j = 0; j < rule->nargs; j++) {
					const struct sp_arg *a = &rule->args[j];
					uint32_t vh = (uint32_t)(a->value >> 32);
					if ((int)a->index != i ||
					    (a->op == SP_OP_MASKED_EQ) != masked)
						continue;
					if (!masked) {
						ok &= !have || vh == h;
						h = vh;
						have = true;
					} else {
						ok &= (h & vh) ==
						      (uint32_t)((a->value_two & a->value) >> 32);
					}
				}
			}
		if (!ok)
			keep &= (uint8_t) ~(1u << i);
	}
	return keep;
}

/* profile': one rule per name (runc adds one rule per name, in this
 * order), with the values of the arguments eq_cut_args gives cut. */
static inline void eq_narrow(const secprof_resolved *r, struct eq_restricted *x)
{
	size_t total = 0, nargs = 0, k = 0, a = 0;

	for (size_t i = 0; i < r->nrules; i++) {
		total += r->rules[i]->nnames;
		nargs += r->rules[i]->nnames * r->rules[i]->nargs;
	}
	x->r = *r;
	x->rules = calloc(total + 1, sizeof(*x->rules));
	x->copies = calloc(total + 1, sizeof(*x->copies));
	x->names = calloc(total + 1, sizeof(*x->names));
	x->args = calloc(nargs + 1, sizeof(*x->args));
	if (!x->rules || !x->copies || !x->names || !x->args)
		abort();
	x->r.rules = x->rules;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		for (size_t j = 0; j < rule->nnames; j++, k++) {
			uint8_t m = rule->names[j].s ? eq_cut_args(r, rule->names[j].s) : 0;
			struct sp_rule *c = &x->copies[k];
			*c = *rule;
			x->names[k] = rule->names[j];
			c->names = &x->names[k];
			c->nnames = 1;
			c->args = rule->nargs ? &x->args[a] : NULL;
			for (size_t q = 0; q < rule->nargs; q++, a++) {
				x->args[a] = rule->args[q];
				if (x->args[a].index < 6 && (m >> x->args[a].index & 1)) {
					x->args[a].value &= 0xffffffffu;
					x->args[a].value_two &= 0xffffffffu;
				}
			}
			x->rules[k] = c;
		}
	}
	x->r.nrules = k;
}

/* The filter arch d runs on (x32 by the x32 bit), NULL if none. */
static inline const struct sp_arch *eq_input_arch(const secprof_resolved *r, const secprof_data *d)
{
	const struct sp_arch *arches[40];
	size_t n = eq_filter_arches(r, arches, 40);

	for (size_t i = 0; i < n; i++)
		if (arches[i]->audit == d->arch &&
		    ((uint32_t)d->nr >= 0x40000000u) == (arches[i]->nr_base == 0x40000000u))
			return arches[i];
	return NULL;
}

/* input': the high words of d's cut arguments cleared (64-bit ABIs). r is
 * the profile before eq_narrow. */
static inline secprof_data eq_narrow_input(const secprof_resolved *r, const secprof_data *d)
{
	const struct sp_arch *a = eq_input_arch(r, d);
	const char *name = a && a->bits == 64 ? sp_syscall_name(a, d->nr) : NULL;
	uint8_t m = name ? eq_cut_args(r, name) : 0;
	secprof_data out = *d;

	for (int i = 0; i < 6; i++)
		if (m >> i & 1)
			out.args[i] &= 0xffffffffu;
	return out;
}

/* libseccomp once per arch token of the filter, with only the names that
 * exist there: the reference for telling libseccomp's code generation bugs
 * (multi-arch, pseudo syscalls) from secprof's mistakes. Each program is
 * freed with runc_prog_free (an arch with no rule or a refusal leaves an
 * empty one). */
static inline size_t eq_per_arch_programs(const secprof_resolved *r, struct runc_prog *per,
					  uint32_t *audits, size_t max)
{
	const struct sp_arch *arches[40];
	size_t n = eq_filter_arches(r, arches, 40), k = 0;
	char err[256];

	for (size_t i = 0; i < n && k < max; i++) {
		struct runc_opts o = { .only_audit = arches[i]->audit };
		size_t j;
		for (j = 0; j < k && audits[j] != arches[i]->audit; j++)
			;
		if (j < k)
			continue;
		struct eq_restricted only;
		eq_restrict_to_audit(r, arches[i]->audit, &only);
		if (!only.r.nrules || runc_scmp_build(&only.r, &o, &per[k], err, sizeof(err)))
			memset(&per[k], 0, sizeof(per[k]));
		eq_restricted_free(&only);
		audits[k++] = arches[i]->audit;
	}
	return k;
}

/* ---- inputs -------------------------------------------------------------- */

struct eq_case {
	const char *label;     /* for messages */
	const char *json;      /* the profile text, printed on disagreement (may be NULL) */
	const secprof_insn *a; /* secprof */
	size_t alen;
	const secprof_insn *b; /* libseccomp like runc */
	size_t blen;
	struct eq_stats *st;
	unsigned *shown;     /* disagreements shown for this profile */
	secprof_data *first; /* the first disagreeing input (when *shown) */
	const secprof_resolved *r;
	const struct runc_prog *per_arch; /* libseccomp with one arch token each */
	const uint32_t *per_audit;
	size_t nper;
	bool narrow; /* a is secprof's default program for the profile `orig`, b
			and r libseccomp's profile': b runs on input' (eq_narrow) */
	const secprof_resolved *orig;
	const secprof_insn *b_exact; /* narrow: libseccomp's program for `orig` */
	size_t blen_exact;
	/* narrow: a is secprof's exact program for profile' (compared with b
	   on input'); def its default program for `orig`, which must return
	   the stricter of a on input' and wide (its exact program for `orig`)
	   on the input as given (src/ir/merge.c, sp_sysrule_more.wide) */
	const secprof_insn *def;
	size_t deflen;
	const secprof_insn *wide;
	size_t widelen;
	const char *notes; /* what secprof noted compiling it (may be NULL) */
	/* narrow: secprof's program for profile' as written, none of
	   libseccomp's bugs modelled (eq_compile_plain): the low-word side of
	   def, which models them for the profile itself only */
	const secprof_insn *plain;
	size_t plainlen;
	/* narrow: libseccomp once per arch token for `orig` (eq_mux_keeps_64's
	   inputs are explained on the profile as written; nper_exact 0 when
	   no arch of the filter keeps them) */
	const struct runc_prog *per_arch_exact;
	const uint32_t *per_audit_exact;
	size_t nper_exact;
};

/* secprof's exact program for r without any of libseccomp's code-generation
 * bugs modelled (sp_ruleset_build_as_written: no stale-accumulator or
 * tree-merge twin, no dropped number load): the rules as written. The
 * default mode's low-word rules decide that way (runc never sees profile',
 * so its program for profile' is nobody's); malloc'ed, NULL on error. */
static inline secprof_insn *eq_compile_plain(const secprof_resolved *r, size_t *len)
{
	secprof_error err;
	secprof_insn *insns = NULL;
	struct sp_ruleset *rs = sp_ruleset_build_as_written(
		NULL, r, &(secprof_compile_opts){ .exact_libseccomp = true }, &err);

	if (!rs)
		return NULL;
	if (sp_bpf_generate(rs, &insns, len, &err))
		insns = NULL;
	sp_ruleset_free(rs);
	return insns;
}

static inline const char *eq_input_name(const struct eq_case *c, const secprof_data *d)
{
	const struct sp_arch *arches[40];
	size_t n = eq_filter_arches(c->r, arches, 40);

	for (size_t i = 0; i < n; i++) {
		const char *name;
		if (arches[i]->audit != d->arch ||
		    ((uint32_t)d->nr >= 0x40000000u) != (arches[i]->nr_base == 0x40000000u))
			continue;
		if ((name = sp_syscall_name(arches[i], d->nr)))
			return name;
	}
	return NULL;
}

/* Do the conditional rules naming `name` have two actions, or OR-ed tests
 * of one argument (a repeated index)? */
static inline bool eq_rules_overlap(const struct eq_case *c, const char *name)
{
	uint32_t first = 0;
	int conditional = 0;

	for (size_t i = 0; name && i < c->r->nrules; i++) {
		const struct sp_rule *rule = c->r->rules[i];
		bool named = false;
		uint32_t act;
		for (size_t j = 0; j < rule->nnames; j++)
			named |= rule->names[j].s && !strcmp(rule->names[j].s, name);
		if (!named || !rule->nargs)
			continue;
		if (runc_index_repeats(rule))
			return true;
		act = runc_action(rule->act, rule->has_errno, rule->errno_ret);
		if (conditional++ && act != first)
			return true;
		first = act;
	}
	return false;
}

/* Which known libseccomp behaviour a disagreement most likely comes from
 * (a heuristic over the rules naming the syscall; see README.md). */
static inline void eq_classify(const struct eq_case *c, const secprof_data *d)
{
	const char *name = eq_input_name(c, d);
	bool masked = false, overlap = false;
	uint32_t first_act = 0;
	int conditional = 0;

	for (size_t i = 0; name && i < c->r->nrules; i++) {
		const struct sp_rule *rule = c->r->rules[i];
		bool named = false;
		for (size_t j = 0; j < rule->nnames; j++)
			named |= rule->names[j].s && !strcmp(rule->names[j].s, name);
		if (!named || !rule->nargs)
			continue;
		for (size_t j = 0; j < rule->nargs; j++)
			masked |= rule->args[j].op == SP_OP_MASKED_EQ &&
				  (rule->args[j].value_two & ~rule->args[j].value) != 0;
		if (runc_index_repeats(rule))
			overlap = true;
		if (conditional++ &&
		    runc_action(rule->act, rule->has_errno, rule->errno_ret) != first_act)
			overlap = true;
		if (conditional == 1)
			first_act = runc_action(rule->act, rule->has_errno, rule->errno_ret);
	}
	if (masked)
		c->st->cat_masked++;
	else if (overlap)
		c->st->cat_overlap++;
	else
		c->st->cat_other++;
}

/* The single-arch libseccomp program for d's token, if any. */
static inline const struct runc_prog *eq_per_arch(const struct eq_case *c, uint32_t audit)
{
	for (size_t i = 0; i < c->nper; i++)
		if (c->per_audit[i] == audit)
			return &c->per_arch[i];
	return NULL;
}

static inline const char *eq_ret_str(uint32_t ret, char *buf, size_t len)
{
	switch (ret & 0xffff0000u) {
	case 0x80000000u: snprintf(buf, len, "KILL_PROCESS"); break;
	case 0x00000000u: snprintf(buf, len, "KILL_THREAD"); break;
	case 0x00030000u: snprintf(buf, len, "TRAP(%u)", ret & 0xffff); break;
	case 0x00050000u: snprintf(buf, len, "ERRNO(%u)", ret & 0xffff); break;
	case 0x7ff00000u: snprintf(buf, len, "TRACE(%u)", ret & 0xffff); break;
	case 0x7fc00000u: snprintf(buf, len, "NOTIFY"); break;
	case 0x7ffc0000u: snprintf(buf, len, "LOG"); break;
	case 0x7fff0000u: snprintf(buf, len, "ALLOW"); break;
	default: snprintf(buf, len, "0x%08x", ret); break;
	}
	return buf;
}

static inline void eq_report(const struct eq_case *c, const secprof_data *d, uint32_t va,
			     uint32_t vb)
{
	char sa[32], sb[32];

	if (!*c->shown)
		*c->first = *d;
	if (c->st->printed >= 5 || (*c->shown)++ >= 2)
		return;
	c->st->printed++;
	printf("# DISAGREEMENT in %s\n", c->label);
	if (c->json && *c->shown == 1)
		printf("# profile: %s\n", c->json);
	printf("# input: arch 0x%08x nr %d (0x%x) args 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n",
	       d->arch, d->nr, (unsigned)d->nr, (unsigned long long)d->args[0],
	       (unsigned long long)d->args[1], (unsigned long long)d->args[2],
	       (unsigned long long)d->args[3], (unsigned long long)d->args[4],
	       (unsigned long long)d->args[5]);
	printf("# secprof: %s (0x%08x)   libseccomp/runc: %s (0x%08x)\n",
	       eq_ret_str(va, sa, sizeof(sa)), va, eq_ret_str(vb, sb, sizeof(sb)), vb);
}

/* ---- libseccomp's merge bug: an accumulator of two meanings ------------- */

/* Bit (offset / 4) of every seccomp_data word the accumulator may hold at each
 * instruction, over all paths (BPF jumps only go forward, so one pass in
 * program order is a fixpoint); bit 16 is "anything else". `and k` keeps the
 * word's bit: the MASKED_EQ datum is still that argument word. */
#define EQ_ACC_OTHER (1u << 16)

static inline void eq_acc_sources(const secprof_insn *p, size_t len, uint32_t *in)
{
	memset(in, 0, len * sizeof(*in));
	if (len)
		in[0] = EQ_ACC_OTHER;
	for (size_t i = 0; i < len; i++) {
		uint16_t code = p[i].code;
		uint32_t out = in[i];
		if (code == (BPF_LD | BPF_W | BPF_ABS))
			out = p[i].k < 64 ? 1u << (p[i].k / 4) : EQ_ACC_OTHER;
		else if (BPF_CLASS(code) == BPF_ALU && BPF_OP(code) == BPF_AND &&
			 BPF_SRC(code) == BPF_K)
			out = in[i];
		else if (BPF_CLASS(code) == BPF_LD || BPF_CLASS(code) == BPF_ALU ||
			 code == (BPF_MISC | BPF_TXA))
			out = EQ_ACC_OTHER;
		if (BPF_CLASS(code) == BPF_RET)
			continue;
		if (BPF_CLASS(code) != BPF_JMP) {
			if (i + 1 < len)
				in[i + 1] |= out;
		} else if (BPF_OP(code) == BPF_JA) {
			if (i + 1 + p[i].k < len)
				in[i + 1 + p[i].k] |= out;
		} else {
			if (i + 1 + p[i].jt < len)
				in[i + 1 + p[i].jt] |= out;
			if (i + 1 + p[i].jf < len)
				in[i + 1 + p[i].jf] |= out;
		}
	}
}

/* Does d's run through p make a conditional jump on an accumulator that other
 * paths reach holding a different argument word? A program libseccomp means
 * never does: each tree node compares one word. 2.5.4 does it when OR-ed range
 * tests on one argument share the high-word block, so a path arriving from
 * the low-word test compares the low word with the high-word constant. */
static inline bool eq_path_acc_ambiguous(const secprof_insn *p, size_t len, const secprof_data *d)
{
	uint32_t *in = malloc((len ? len : 1) * sizeof(*in)), a = 0;
	bool hit = false;
	size_t pc = 0;

	if (!in)
		abort();
	eq_acc_sources(p, len, in);
	while (pc < len && !hit) {
		const secprof_insn *ins = &p[pc];
		uint16_t code = ins->code;
		bool taken;
		if (code == (BPF_LD | BPF_W | BPF_ABS)) {
			if (!be_load_word(d, ins->k, &a))
				break;
			pc++;
		} else if (BPF_CLASS(code) == BPF_ALU && BPF_SRC(code) == BPF_K) {
			if (!be_alu(BPF_OP(code), &a, ins->k))
				break;
			pc++;
		} else if (code == (BPF_JMP | BPF_JA)) {
			pc += 1 + ins->k;
		} else if (BPF_CLASS(code) == BPF_JMP && BPF_SRC(code) == BPF_K &&
			   be_cond(BPF_OP(code), a, ins->k, &taken)) {
			hit = __builtin_popcount(in[pc] & ~EQ_ACC_OTHER) > 1;
			pc += 1 + (taken ? ins->jt : ins->jf);
		} else {
			break; /* RET, or something libseccomp does not emit */
		}
	}
	free(in);
	return hit;
}

/* libseccomp's verdict for d with only the conditions `args` (one rule as
 * runc adds it) of `rule`, for the one name `nm`, in a program for d's arch
 * token alone. */
static inline uint32_t eq_scmp_one_rule(const secprof_resolved *r, const struct sp_rule *rule,
					const struct sp_str *nm, struct sp_arg *args, size_t nargs,
					const secprof_data *d, bool *ok)
{
	struct sp_rule one = *rule;
	const struct sp_rule *list[1] = { &one };
	secprof_resolved rr = *r;
	struct runc_opts o = { .only_audit = d->arch };
	struct runc_prog rp;
	char err[256];
	uint32_t v = 0;

	one.names = (struct sp_str *)nm;
	one.nnames = 1;
	one.args = args;
	one.nargs = nargs;
	rr.rules = list;
	rr.nrules = 1;
	if (runc_scmp_build(&rr, &o, &rp, err, sizeof(err))) {
		*ok = false;
		return 0;
	}
	v = secprof_emulate(rp.insns, rp.len, d, NULL);
	runc_prog_free(&rp);
	return v;
}

/* eq_scmp_unmerged over the rules r (d's arch only); tok: d's arch token,
 * for the family names libseccomp also puts on `name` when it is that
 * arch's socketcall/ipc (0: none). */
static inline bool eq_scmp_unmerged_in(const secprof_resolved *r, const secprof_data *d,
				       const char *name, uint32_t tok, uint32_t *verdict)
{
	int mux_kind = !strcmp(name, "socketcall") ? 0 : !strcmp(name, "ipc") ? 1 : -1;

	uint32_t def = runc_action(r->prof->default_act, r->prof->has_default_errno,
				   r->prof->default_errno);
	uint32_t act = 0, miss = 0;
	bool have_act = false, matched = false, ok = true, built = false;

	for (size_t i = 0; i < r->nrules && ok; i++) {
		const struct sp_rule *rule = r->rules[i];
		uint32_t ra = runc_action(rule->act, rule->has_errno, rule->errno_ret);
		for (size_t j = 0; j < rule->nnames && ok; j++) {
			const struct sp_str *nm = &rule->names[j];
			int kind = -1;
			bool family = nm->s && tok && mux_kind >= 0 && strcmp(nm->s, name) &&
				      eq_scmp_mux_call(tok, nm->s, &kind) >= 0 && kind == mux_kind;
			if (!nm->s || (strcmp(nm->s, name) && !family) || ra == def)
				continue;
			/* a family rule without conditions is "arg0 == call" there */
			if ((!rule->nargs && !family) || (have_act && ra != act))
				return false;
			have_act = true;
			act = ra;
			bool split = runc_index_repeats(rule);
			for (size_t k = 0; k < (split ? rule->nargs : 1) && ok; k++) {
				uint32_t v = eq_scmp_one_rule(r, rule, nm,
							      split ? &rule->args[k] : rule->args,
							      split ? 1 : rule->nargs, d, &ok);
				matched |= v == act;
				if (v != act)
					miss = v;
				built = true;
			}
		}
	}
	if (!ok || !built)
		return false;
	*verdict = matched ? act : miss;
	return true;
}

/* The verdict libseccomp gives d when the rules naming d's syscall are not
 * merged: every rule runc adds (one per OR-ed condition) is built alone, and
 * since all of them must have one action, d gets it if any of them matches.
 * The rules are those of d's arch (eq_restrict_to_audit), so a socket or
 * IPC rule that libseccomp puts on socketcall/ipc there counts among the
 * multiplexer's rules (as a multiplexer rule where the arch lacks the
 * name, under its own name where libseccomp adds both), and each is built
 * for that arch alone (a multi-arch one-rule program can drop its `ld nr`,
 * listed exception 2).
 * Returns false when that reference does not exist (no such syscall, an
 * unconditional rule, different actions, a build failure). */
static inline bool eq_scmp_unmerged(const struct eq_case *c, const secprof_data *d,
				    const char *name, uint32_t *verdict)
{
	struct eq_restricted only;
	bool ok;

	const struct sp_arch *arches[40];
	size_t n = eq_filter_arches(c->r, arches, 40);
	uint32_t tok = 0;

	for (size_t i = 0; i < n && !tok; i++)
		if (arches[i]->audit == d->arch)
			tok = runc_arch_token(arches[i]->scmp);
	eq_restrict_to_audit(c->r, d->arch, &only);
	ok = eq_scmp_unmerged_in(&only.r, d, name, tok, verdict);
	eq_restricted_free(&only);
	return ok;
}

/* A disagreement explained by libseccomp 2.5.4's merge bug (README "Listed
 * exceptions" 4): its program contradicts its own programs for each OR-ed
 * rule alone, secprof agrees with those, and d's path through libseccomp's
 * program compares an accumulator that can hold two different words. */
static inline bool eq_scmp_merge_bug(const struct eq_case *c, const secprof_data *d, uint32_t va,
				     uint32_t vb)
{
	const char *name = eq_input_name(c, d);
	uint32_t unmerged;

	if (!name || !eq_scmp_unmerged(c, d, name, &unmerged))
		return false;
	/* eq_scmp_unmerged only answers for rules of one action, where runc's
	 * meaning is "that action if any rule matches": libseccomp's merged
	 * program contradicting its own one-rule programs is its bug whether
	 * or not the path shows the ambiguous-accumulator footprint (which
	 * eq_path_acc_ambiguous finds, for --dump diagnosis). */
	return unmerged == va && unmerged != vb;
}

/* ---- libseccomp's accumulator on its word tree ------------------------------
 *
 * Where a syscall's rules have several actions, secprof compiles libseccomp's
 * own word tree (ruleset.h, sp_tnode), each node loading the word it tests.
 * libseccomp 2.5.4 emits the same nodes but loads a word only where it
 * believes the accumulator holds another one: gen_bpf.c _gen_bpf_node skips
 * the load when the node before it in the level tested the same word, and
 * _gen_bpf_build_bpf, laying the blocks out, prepends a load to a block that
 * trusts the accumulator only when the block it is placed after ends with
 * another word. Either way a node is also reached when the level below its
 * predecessor fell through, or from a block other than the one it was
 * placed after, with A holding a word of that other place.
 *
 * The check reads libseccomp's real program rather than modelling those
 * two passes: d's run through the syscall's argument section is matched,
 * compare by compare, with the nodes secprof's tree visits for d (fresh
 * loads, src/ir/decide.c tree_eval), and each compare is decided on the word its
 * node tests. If every compare is that node's own (same jump, same
 * constant) and the run ends on secprof's verdict, libseccomp's program is
 * that tree along d's path; if the real accumulator first decides
 * otherwise at a compare that other paths reach holding another word, that
 * accumulator is the whole difference. */

/* secprof's word tree for d's syscall on d's arch, built from the same
 * resolved profile (NULL if the syscall has none). *rs must be freed. */
static inline const struct sp_sysrule *eq_tree_of(const struct eq_case *c, const secprof_data *d,
						  struct sp_ruleset **rs,
						  const struct sp_arch **arch)
{
	struct sp_zone z[SP_MAX_ZONES];
	secprof_error err;
	size_t nz;

	/* libseccomp's own word tree: the exact rule set */
	*rs = sp_ruleset_build(NULL, c->r, &(secprof_compile_opts){ .exact_libseccomp = true },
			       &err);
	if (!*rs)
		return NULL;
	nz = sp_ruleset_zones(*rs, d->arch, z);
	for (size_t i = 0; i < nz; i++) {
		if ((uint32_t)d->nr < z[i].lo || (uint32_t)d->nr > z[i].hi || !z[i].table)
			continue;
		for (size_t k = 0; k < z[i].table->nsys; k++)
			if ((uint32_t)z[i].table->sys[k].nr == (uint32_t)d->nr &&
			    sp_sys_tree(&z[i].table->sys[k])) {
				*arch = z[i].table->arch;
				return &z[i].table->sys[k];
			}
	}
	return NULL;
}

/* The nodes a fresh-load walk of the tree visits for d, in order
 * (src/ir/decide.c tree_eval's order); false if more than max. */
static inline bool eq_tree_trace(const struct sp_tnode *n, const secprof_data *d,
				 const struct sp_tnode **seq, size_t *nseq, size_t max, bool *ended)
{
	while (n->prev)
		n = n->prev;
	for (; n; n = n->next) {
		uint32_t w = sp_tnode_word(n, d) & n->mask;
		bool t = n->op == SP_OP_GT   ? w > n->datum
			 : n->op == SP_OP_GE ? w >= n->datum
					     : w == n->datum;
		const struct sp_tnode *down = t ? n->t : n->f;
		if (*nseq >= max)
			return false;
		seq[(*nseq)++] = n;
		if (down) {
			if (!eq_tree_trace(down, d, seq, nseq, max, ended))
				return false;
			if (*ended)
				return true;
		} else if (t ? n->has_t : n->has_f) {
			*ended = true;
			return true;
		}
	}
	return true;
}

#define EQ_TRACE_MAX 4096

/* Run p on d; from the first load of an argument word on, each conditional
 * jump must be the next node of seq and is decided on that node's word.
 * Returns false when the program is not the tree along this path; else
 * *ret is the verdict so reached and *footprint says whether the real
 * accumulator first diverged from the node's word at a compare with an
 * ambiguous accumulator (eq_acc_sources). */
static inline bool eq_scmp_tree_walk(const secprof_insn *p, size_t len, const secprof_data *d,
				     const struct sp_tnode *const *seq, size_t nseq, uint32_t *ret,
				     bool *footprint)
{
	uint32_t *in = malloc((len ? len : 1) * sizeof(*in)), a = 0;
	size_t pc = 0, k = 0;
	bool in_tree = false, diverged = false, ok = false;

	if (!in)
		abort();
	eq_acc_sources(p, len, in);
	*footprint = false;
	while (pc < len) {
		const secprof_insn *ins = &p[pc];
		uint16_t code = ins->code;
		bool taken;
		if (code == (BPF_LD | BPF_W | BPF_ABS)) {
			if (!be_load_word(d, ins->k, &a))
				break;
			in_tree |= ins->k >= offsetof(secprof_data, args);
			pc++;
		} else if (BPF_CLASS(code) == BPF_ALU && BPF_SRC(code) == BPF_K) {
			if (!be_alu(BPF_OP(code), &a, ins->k))
				break;
			pc++;
		} else if (code == (BPF_JMP | BPF_JA)) {
			pc += 1 + ins->k;
		} else if (BPF_CLASS(code) == BPF_JMP && BPF_SRC(code) == BPF_K &&
			   be_cond(BPF_OP(code), a, ins->k, &taken)) {
			if (in_tree) {
				const struct sp_tnode *n = k < nseq ? seq[k++] : NULL;
				uint16_t want = !n                  ? 0
						: n->op == SP_OP_GT ? BPF_JGT
						: n->op == SP_OP_GE ? BPF_JGE
								    : BPF_JEQ;
				if (!n || BPF_OP(code) != want || ins->k != n->datum)
					break;
				uint32_t w = sp_tnode_word(n, d) & n->mask;
				bool t = want == BPF_JGT   ? w > n->datum
					 : want == BPF_JGE ? w >= n->datum
							   : w == n->datum;
				if (t != taken && !diverged) {
					diverged = true;
					*footprint = __builtin_popcount(in[pc] & ~EQ_ACC_OTHER) > 1;
				}
				taken = t;
			}
			pc += 1 + (taken ? ins->jt : ins->jf);
		} else {
			if (code == (BPF_RET | BPF_K) && in_tree && k == nseq) {
				*ret = ins->k;
				ok = true;
			}
			break;
		}
	}
	free(in);
	return ok;
}

/* A disagreement on a mixed-action syscall where libseccomp's program p
 * (its verdict vb), each compare given the word of its tree node, gives
 * secprof's va: the program is secprof's tree along d's path, and the real
 * run left it at a compare of an ambiguous accumulator. */
static inline bool eq_scmp_tree_acc_bug(const struct eq_case *c, const secprof_insn *p, size_t len,
					const secprof_data *d, uint32_t va, uint32_t vb)
{
	struct sp_ruleset *rs = NULL;
	const struct sp_arch *arch = NULL;
	const struct sp_sysrule *s = eq_tree_of(c, d, &rs, &arch);
	const struct sp_tnode **seq = malloc(EQ_TRACE_MAX * sizeof(*seq));
	size_t nseq = 0;
	bool ended = false, footprint = false, ok = false;
	uint32_t fixed = 0;

	if (!seq)
		abort();
	if (s && va != vb && eq_tree_trace(sp_sys_tree(s), d, seq, &nseq, EQ_TRACE_MAX, &ended) &&
	    sp_sysrule_eval(s, arch, d, rs->default_ret) == va)
		ok = eq_scmp_tree_walk(p, len, d, seq, nseq, &fixed, &footprint) && fixed == va &&
		     footprint;
	free(seq);
	sp_ruleset_free(rs);
	return ok;
}

/* Does d's run through p load a word of the arguments? */
static inline bool eq_path_loads_arg(const secprof_insn *p, size_t len, const secprof_data *d)
{
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < len) {
		const secprof_insn *ins = &p[pc];
		bool taken;
		if (ins->code == (BPF_LD | BPF_W | BPF_ABS)) {
			if (ins->k >= offsetof(secprof_data, args))
				return true;
			if (!be_load_word(d, ins->k, &a))
				return false;
			pc++;
		} else if (BPF_CLASS(ins->code) == BPF_ALU && BPF_SRC(ins->code) == BPF_K) {
			if (!be_alu(BPF_OP(ins->code), &a, ins->k))
				return false;
			pc++;
		} else if (ins->code == (BPF_JMP | BPF_JA)) {
			pc += 1 + ins->k;
		} else if (BPF_CLASS(ins->code) == BPF_JMP && BPF_SRC(ins->code) == BPF_K &&
			   be_cond(BPF_OP(ins->code), a, ins->k, &taken)) {
			pc += 1 + (taken ? ins->jt : ins->jf);
		} else {
			return false;
		}
	}
	return false;
}

/* Which listed libseccomp bug (tests/compat/README.md) explains secprof's
 * va against libseccomp's vb on d, if any. Needs c->r, c->b and the
 * per-arch programs; reads no statistics.
 * The single-arch program libseccomp builds for d's token (the reference of
 * listed exception 2) can itself carry the merge or accumulator bug of
 * exception 4: where the multi-arch program's run never loads an argument
 * (its dropped `ld nr` sent the call past its rules), that program's
 * verdict is explained against va instead. */
enum eq_why {
	EQ_UNEXPLAINED,
	EQ_SCMP_MULTIARCH,
	EQ_SCMP_MERGE,
	EQ_SCMP_TREE_ACC,
	EQ_SCMP_MULTIARCH_ACC
};

/* secprof is the stricter, and decides as libseccomp's program at
 * OPTIMIZE 1, the layout of Debian 12's runc 1.1.5 (which never sets it):
 * above 32 rules this test drives libseccomp as a current runc (OPTIMIZE
 * 2), and secprof returns the stricter of both layouts' stale accumulator
 * (src/ir/scmpacc.c), so Debian's layout can decide. */
static inline bool eq_debian_layout(const struct eq_case *c, const secprof_data *d, uint32_t va,
				    uint32_t vb)
{
	struct runc_prog p;
	char e[256];
	bool same;

	if (!sp_ret_stricter(va, vb) ||
	    runc_scmp_build(c->r, &(struct runc_opts){ .optimize = 1 }, &p, e, sizeof(e)))
		return false;
	same = p.optimize == 1 && secprof_emulate(p.insns, p.len, d, NULL) == va;
	runc_prog_free(&p);
	return same;
}

static inline enum eq_why eq_explain(const struct eq_case *c, const secprof_data *d, uint32_t va,
				     uint32_t vb)
{
	const struct runc_prog *one = eq_per_arch(c, d->arch);
	uint32_t vc = one && one->insns ? secprof_emulate(one->insns, one->len, d, NULL) : va;

	if (vc != vb && vc == va)
		return EQ_SCMP_MULTIARCH;
	if (eq_scmp_merge_bug(c, d, va, vb))
		return EQ_SCMP_MERGE;
	if (eq_scmp_tree_acc_bug(c, c->b, c->blen, d, va, vb))
		return EQ_SCMP_TREE_ACC;
	if (vc != va && !eq_path_loads_arg(c->b, c->blen, d) &&
	    (eq_scmp_merge_bug(c, d, va, vc) ||
	     eq_scmp_tree_acc_bug(c, one->insns, one->len, d, va, vc)))
		return EQ_SCMP_MULTIARCH_ACC;
	if (eq_debian_layout(c, d, va, vb))
		return EQ_SCMP_MERGE;
	return EQ_UNEXPLAINED;
}

static inline const char *eq_why_str(enum eq_why w)
{
	switch (w) {
	case EQ_SCMP_MULTIARCH:
		return "libseccomp code generation bug (dropped nr load), listed exception 2";
	case EQ_SCMP_MERGE:
		return "libseccomp merge bug (its word tree or accumulator), listed exception 4";
	case EQ_SCMP_TREE_ACC:
		return "libseccomp accumulator bug on its word tree, listed exception 4";
	case EQ_SCMP_MULTIARCH_ACC:
		return "libseccomp's single-arch program has its merge or accumulator bug (listed exception 4), "
		       "its multi-arch program never reaches the rules (dropped nr load, listed exception 2)";
	case EQ_UNEXPLAINED: break;
	}
	return "unexplained";
}

/* Default mode keeps libseccomp's 64-bit compares on socketcall(2)/ipc(2)
 * of a 64-bit arch (s390x, ppc64) where the profile puts family rules on
 * them (src/ir/arg32.c sp_rs_entries_arg32): those rules test the multiplexer's
 * registers with another call's values, so no one high word is known. On
 * such inputs the reference is libseccomp's program for the profile as
 * written, on the input as given. */
static inline bool eq_mux_keeps_64(const struct eq_case *c, const secprof_data *d)
{
	const struct sp_arch *a = eq_input_arch(c->orig, d);
	const secprof_resolved *r = c->orig;
	const char *name = a && a->bits == 64 ? sp_syscall_name(a, d->nr) : NULL;
	uint32_t tok, def;
	int want;

	if (!name || !c->b_exact)
		return false;
	want = !strcmp(name, "socketcall") ? 0 : !strcmp(name, "ipc") ? 1 : -1;
	if (want < 0)
		return false;
	tok = runc_arch_token(a->scmp);
	def = runc_action(r->prof->default_act, r->prof->has_default_errno, r->prof->default_errno);
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		if (runc_action(rule->act, rule->has_errno, rule->errno_ret) == def)
			continue;
		for (size_t j = 0; j < rule->nnames; j++) {
			int kind = -1;
			const char *nm = rule->names[j].s;
			if (nm && *nm && eq_scmp_mux_call(tok, nm, &kind) >= 0 && kind == want)
				return true;
		}
	}
	return false;
}

/* Can eq_mux_keeps_64 apply to r: a 64-bit arch of its filter with
 * socketcall(2) or ipc(2)? */
static inline bool eq_has_mux64(const secprof_resolved *r)
{
	const struct sp_arch *arches[40];
	size_t n = eq_filter_arches(r, arches, 40);

	for (size_t i = 0; i < n; i++)
		if (arches[i]->bits == 64 && (sp_syscall_nr(arches[i], "socketcall") >= 0 ||
					      sp_syscall_nr(arches[i], "ipc") >= 0))
			return true;
	return false;
}

/* Default mode: secprof's program returns the stricter (the kernel's
 * order of actions; a tie goes to the 64-bit verdict) of its exact
 * program for profile' on input' (`lo`) and its exact program for the
 * profile on the input as given. No exception applies: both sides are
 * secprof's. */
static inline void eq_check_combined(const struct eq_case *c, const secprof_data *da, uint32_t lo)
{
	uint32_t got = secprof_emulate(c->def, c->deflen, da, NULL);
	uint32_t wide = secprof_emulate(c->wide, c->widelen, da, NULL);
	uint32_t want = lo != wide && sp_ret_stricter(lo, wide) ? lo : wide;

	if (got == want)
		return;
	if (c->st->combine_mismatch++ < 5 || getenv("EQUIV_EACH"))
		printf("# COMBINATION MISMATCH in %s\n# profile: %s\n# input: arch 0x%08x nr %d args 0x%llx 0x%llx 0x%llx\n"
		       "# secprof default: 0x%08x, low-word (exact on profile', as written) 0x%08x, 64-bit (exact) 0x%08x\n",
		       c->label, c->json ? c->json : "(builtin)", da->arch, da->nr,
		       (unsigned long long)da->args[0], (unsigned long long)da->args[1],
		       (unsigned long long)da->args[2], got, lo, wide);
}

/* Run one input on both programs, with both evaluators. */
static inline void eq_eval(const struct eq_case *c, const secprof_data *da)
{
	bool mux64 = c->narrow && eq_mux_keeps_64(c, da);
	secprof_data narrowed = c->narrow && !mux64 ? eq_narrow_input(c->orig, da) : *da;
	const secprof_data *d = &narrowed; /* what libseccomp's side sees */
	const secprof_insn *bp = mux64 ? c->b_exact : c->b;
	size_t blen = mux64 ? c->blen_exact : c->blen;
	const secprof_insn *ap = mux64 ? c->wide : c->a;
	size_t alen = mux64 ? c->widelen : c->alen;
	uint32_t va = secprof_emulate(ap, alen, c->narrow ? d : da, NULL);
	uint32_t vb = secprof_emulate(bp, blen, d, NULL);

	c->st->evals++;
	c->st->narrowed += memcmp(d->args, da->args, sizeof(d->args)) != 0;
	if (c->narrow)
		eq_check_combined(c, da,
				  mux64 ? secprof_emulate(c->wide, c->widelen, da, NULL)
					: secprof_emulate(c->plain, c->plainlen, d, NULL));
	if (va != be_run(ap, alen, c->narrow ? d : da, NULL) || vb != be_run(bp, blen, d, NULL)) {
		c->st->emu_mismatch++;
		if (c->st->emu_printed++ < 3)
			printf("# EMULATOR MISMATCH in %s: arch 0x%08x nr %d: secprof_emulate 0x%08x/0x%08x, "
			       "bpf_eval 0x%08x/0x%08x (secprof/libseccomp program)\n",
			       c->label, d->arch, d->nr, va, vb,
			       be_run(ap, alen, c->narrow ? d : da, NULL),
			       be_run(bp, blen, d, NULL));
	}
	if (va == vb)
		return;
	/* The model keeps a current runc's stub section for the native arch
	   the profile does not list (under an ERRNO default); runc 1.1.5 has
	   none, and where its libseccomp program kills or traps there secprof
	   does too, the stricter of the two runcs (src/ir/ruleset.c
	   floor_unlisted, docs/COMPAT.md §4.1.3) */
	if (vb == RUNC_RET_ENOSYS && sp_ret_stricter(va, vb)) {
		struct runc_prog old = { 0 };
		char e[256];
		if (!runc_scmp_build(mux64 ? c->orig : c->r,
				     &(struct runc_opts){ .old_stub = true }, &old, e, sizeof(e))) {
			uint32_t vo = secprof_emulate(old.insns, old.len, d, NULL);
			free(old.insns);
			if (vo == va) {
				c->st->native_unlisted++;
				return;
			}
		}
	}
	/* eq_mux_keeps_64: both sides are the profile as written, so are the
	   references a listed bug is told by */
	struct eq_case as_written = *c;
	if (mux64) {
		as_written.r = c->orig;
		as_written.b = c->b_exact;
		as_written.blen = c->blen_exact;
		as_written.per_arch = c->per_arch_exact;
		as_written.per_audit = c->per_audit_exact;
		as_written.nper = c->nper_exact;
	}
	switch (eq_explain(&as_written, d, va, vb)) {
	case EQ_SCMP_MULTIARCH:
	case EQ_SCMP_MULTIARCH_ACC:
		c->st->scmp_multiarch++;
		c->st->scmp_multiarch_lib += sp_ret_stricter(vb, va);
		if (sp_ret_stricter(vb, va) &&
		    (c->st->scmp_multiarch_lib <= 3 || getenv("EQUIV_EACH")))
			printf("# DROPPED NR LOAD, LIBSECCOMP STRICTER in %s\n# profile: %s\n"
			       "# input: arch 0x%08x nr %d args 0x%llx 0x%llx 0x%llx 0x%llx\n"
			       "# secprof 0x%08x, libseccomp 0x%08x\n",
			       c->label, c->json ? c->json : "(builtin)", d->arch, d->nr,
			       (unsigned long long)d->args[0], (unsigned long long)d->args[1],
			       (unsigned long long)d->args[2], (unsigned long long)d->args[3], va,
			       vb);
		return;
	case EQ_SCMP_MERGE:
	case EQ_SCMP_TREE_ACC:
		c->st->scmp_merge++;
		c->st->scmp_merge_lib += sp_ret_stricter(vb, va);
		/* runc denies what secprof allows: src/ir/scmpacc.c should
		 * have modelled it */
		if (sp_ret_stricter(vb, va) && (c->st->scmp_merge_lib <= 3 || getenv("EQUIV_EACH")))
			printf("# STALE ACCUMULATOR, LIBSECCOMP STRICTER in %s\n# profile: %s\n"
			       "# input: arch 0x%08x nr %d args 0x%llx 0x%llx 0x%llx 0x%llx\n"
			       "# secprof 0x%08x, libseccomp 0x%08x\n",
			       c->label, c->json ? c->json : "(builtin)", d->arch, d->nr,
			       (unsigned long long)d->args[0], (unsigned long long)d->args[1],
			       (unsigned long long)d->args[2], (unsigned long long)d->args[3], va,
			       vb);
		if (c->notes) {
			char want[96];
			const char *name = eq_input_name(c, d);
			snprintf(want, sizeof(want), "syscall \"%s\" on ", name ? name : "?");
			if (!strstr(c->notes, want)) {
				if (eq_rules_overlap(c, name))
					c->st->scmp_merge_unnamed++;
				else
					c->st->scmp_merge_unnamed_single++;
			}
		}
		return;
	case EQ_UNEXPLAINED: break;
	}
	c->st->disagree++;
	eq_classify(c, d);
	eq_report(c, da, va, vb);
}

/* Constants of the profile (and their neighbours) are the interesting args. */
static inline size_t eq_constants(const secprof_resolved *r, uint64_t *out, size_t max)
{
	static const uint64_t edges[] = { 0,
					  1,
					  0x80000000ULL,
					  0xffffffffULL,
					  0x100000000ULL,
					  0x8000000000000000ULL,
					  0xffffffffffffffffULL };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) && n < max; i++)
		out[n++] = edges[i];
	for (size_t i = 0; i < r->nrules; i++)
		for (size_t j = 0; j < r->rules[i]->nargs; j++) {
			const struct sp_arg *a = &r->rules[i]->args[j];
			uint64_t v[] = { a->value,
					 a->value - 1,
					 a->value + 1,
					 a->value_two,
					 a->value_two - 1,
					 a->value_two + 1,
					 a->value_two | ~a->value };
			for (size_t k = 0; k < sizeof(v) / sizeof(v[0]) && n < max; k++)
				out[n++] = v[k];
		}
	return n;
}

/* Arg vectors for a syscall the profile names: each index drawn from the
 * constants, plus one-hot vectors. */
static inline void eq_args_sweep(const struct eq_case *c, secprof_data *d, const uint64_t *k,
				 size_t nk, struct rp_rng *rng, unsigned vectors)
{
	for (unsigned v = 0; v < vectors; v++) {
		for (int i = 0; i < 6; i++)
			d->args[i] = (v & 1) ? k[rp_below(rng, nk)]
					     : (rp_below(rng, 6) == (uint64_t)i
							? k[rp_below(rng, nk)]
							: 0);
		eq_eval(c, d);
	}
	memset(d->args, 0, sizeof(d->args));
}

static inline bool eq_named(const secprof_resolved *r, const struct sp_arch *a, int32_t nr)
{
	const char *name = sp_syscall_name(a, nr);

	if (!name)
		return false;
	for (size_t i = 0; i < r->nrules; i++)
		for (size_t j = 0; j < r->rules[i]->nnames; j++)
			if (r->rules[i]->names[j].s && !strcmp(r->rules[i]->names[j].s, name))
				return r->rules[i]->nargs > 0;
	return false;
}

/* On an arch where libseccomp multiplexes (eq_scmp_mux_call), its
 * socketcall(2)/ipc(2) rules test arg0 against the call numbers of the
 * family names the profile has: each such call gets `vectors` arg vectors
 * with arg0 = the call (and its neighbours once), the other args drawn as
 * eq_args_sweep draws them. */
static inline void eq_mux_sweep(const struct eq_case *c, const secprof_resolved *r,
				const struct sp_arch *a, secprof_data *d, const uint64_t *k,
				size_t nk, struct rp_rng *rng, unsigned vectors)
{
	uint32_t tok = runc_arch_token(a->scmp);
	int kind;

	if (!tok)
		return;
	for (size_t i = 0; i < r->nrules; i++)
		for (size_t j = 0; j < r->rules[i]->nnames; j++) {
			const char *nm = r->rules[i]->names[j].s ? r->rules[i]->names[j].s : "";
			int call = *nm ? eq_scmp_mux_call(tok, nm, &kind) : -1;
			if (call < 0 || seccomp_syscall_resolve_name_rewrite(tok, nm) != d->nr)
				continue;
			for (int x = -1; x <= 1; x++) {
				memset(d->args, 0, sizeof(d->args));
				d->args[0] = (uint64_t)(call + x);
				eq_eval(c, d);
			}
			for (unsigned v = 0; v < vectors; v++) {
				for (int x = 1; x < 6; x++)
					d->args[x] = (v & 1) || rp_below(rng, 5) == (uint64_t)x
							     ? k[rp_below(rng, nk)]
							     : 0;
				d->args[0] = (uint64_t)call | (v % 4 == 3 ? 0x100000000ULL : 0);
				eq_eval(c, d);
			}
		}
	memset(d->args, 0, sizeof(d->args));
}

static inline void eq_eval_nr(const struct eq_case *c, const secprof_resolved *r,
			      const struct sp_arch *a, int32_t nr, const uint64_t *k, size_t nk,
			      struct rp_rng *rng, unsigned vectors)
{
	secprof_data d = { .nr = nr, .arch = a->audit };

	eq_eval(c, &d);
	if (eq_named(r, a, nr))
		eq_args_sweep(c, &d, k, nk, rng, vectors);
	if (vectors)
		eq_mux_sweep(c, r, a, &d, k, nk, rng, vectors);
}

/* Every number base-20..base+max+20 of an arch (0..19 too for MIPS), zero
 * args, where max is the highest number of the dense table (ARM's private
 * 0xf0000+ calls are visited one by one, with their neighbours, instead);
 * numbers with argument rules also get `vectors` arg vectors. */
static inline void eq_sweep_arch(const struct eq_case *c, const secprof_resolved *r,
				 const struct sp_arch *a, const uint64_t *k, size_t nk,
				 struct rp_rng *rng, unsigned vectors)
{
	int32_t max = sp_syscall_max(a), base = (int32_t)a->nr_base;
	int32_t lo = base >= 20 ? base - 20 : 0;

	if (max < base || max > base + 1100)
		max = base + 1100;
	for (int32_t nr = 0; nr < 20 && base; nr++)
		eq_eval_nr(c, r, a, nr, k, nk, rng, 0);
	for (int32_t nr = lo; nr <= max + 20; nr++)
		eq_eval_nr(c, r, a, nr, k, nk, rng, vectors);
	for (size_t i = 0; i < sp_syscall_count(); i++) {
		int32_t nr = sp_syscall_nr(a, sp_syscall_name_at(i));
		if (nr > max + 20)
			for (int32_t d = -1; d <= 1; d++)
				eq_eval_nr(c, r, a, nr + d, k, nk, rng, vectors);
	}
}

/* Edge numbers and foreign arch tokens. */
static inline void eq_sweep_edges(const struct eq_case *c, const struct sp_arch *const *arches,
				  size_t n, struct rp_rng *rng)
{
	static const uint32_t foreign[] = { AUDIT_ARCH_X86_64,
					    AUDIT_ARCH_I386,
					    AUDIT_ARCH_AARCH64,
					    AUDIT_ARCH_ARM,
					    AUDIT_ARCH_S390X,
					    AUDIT_ARCH_RISCV64,
					    0,
					    0xffffffffu,
					    0x4000003eu };
	static const int32_t nrs[] = { -1,         INT32_MIN,  INT32_MAX, 0x3fffffff, 0x40000000,
				       0x4000ffff, 0x7fffffff, 1000,      4096,       65535 };
	secprof_data d = { 0 };

	for (size_t i = 0; i < n + sizeof(foreign) / sizeof(foreign[0]); i++) {
		d.arch = i < n ? arches[i]->audit : foreign[i - n];
		for (size_t j = 0; j < sizeof(nrs) / sizeof(nrs[0]); j++) {
			d.nr = nrs[j];
			eq_eval(c, &d);
		}
		for (int j = 0; j < 50; j++) {
			d.nr = (int32_t)rp_next(rng);
			d.args[j % 6] = rp_next(rng);
			eq_eval(c, &d);
		}
		memset(d.args, 0, sizeof(d.args));
	}
}

/* Compare both programs for one resolved profile over the whole input space
 * described in test_equiv.c. */
static inline void eq_compare_programs(const struct eq_case *c, const secprof_resolved *r,
				       uint64_t seed, unsigned vectors)
{
	const struct sp_arch *arches[40];
	size_t n = eq_filter_arches(r, arches, 40);
	uint64_t k[256];
	size_t nk = eq_constants(r, k, 256);
	struct rp_rng rng;
	const struct sp_arch *x32 = sp_arch_by_scmp("SCMP_ARCH_X32");

	rp_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		eq_sweep_arch(c, r, arches[i], k, nk, &rng, vectors);
		/* x32 numbers reach the x86_64 token even when x32 is not listed */
		if (arches[i]->audit == AUDIT_ARCH_X86_64 && x32 && arches[i] != x32)
			eq_sweep_arch(c, r, x32, k, nk, &rng, 0);
	}
	eq_sweep_edges(c, arches, n, &rng);
}

#endif
