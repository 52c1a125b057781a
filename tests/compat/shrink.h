/* shrink.h - reduce a profile on which the two compilers disagree to a
 * minimal one that still disagrees on the same input, and print it as JSON,
 * so a report reads "these two rules, this call" instead of a page of noise.
 * Header-only; used by tests/unit/test_equiv.c.
 */
#ifndef SECPROF_COMPAT_SHRINK_H
#define SECPROF_COMPAT_SHRINK_H

#include "equiv.h"

/* A profile we own completely: rules, names and args can be dropped. */
struct sh_prof {
	secprof_resolved r;
	const struct sp_rule **rules;
	struct sp_rule *copies;
	size_t nrules;
};

static inline void sh_free(struct sh_prof *s)
{
	for (size_t i = 0; i < s->nrules; i++) {
		free(s->copies[i].names);
		free(s->copies[i].args);
	}
	free(s->copies);
	free(s->rules);
}

static inline void sh_copy(const secprof_resolved *r, struct sh_prof *s)
{
	s->r = *r;
	s->nrules = r->nrules;
	s->copies = calloc(r->nrules + 1, sizeof(*s->copies));
	s->rules = calloc(r->nrules + 1, sizeof(*s->rules));
	if (!s->copies || !s->rules)
		abort();
	for (size_t i = 0; i < r->nrules; i++) {
		struct sp_rule *c = &s->copies[i];
		*c = *r->rules[i];
		c->names = calloc(c->nnames + 1, sizeof(*c->names));
		c->args = calloc(c->nargs + 1, sizeof(*c->args));
		if (!c->names || !c->args)
			abort();
		if (c->nnames)
			memcpy(c->names, r->rules[i]->names, c->nnames * sizeof(*c->names));
		if (c->nargs)
			memcpy(c->args, r->rules[i]->args, c->nargs * sizeof(*c->args));
		s->rules[i] = c;
	}
	s->r.rules = s->rules;
}

/* Do both compilers still disagree on d, in a way no listed libseccomp bug
 * explains (equiv.h eq_explain)? Keeping only such disagreements makes the
 * minimal profile show what test_equiv failed on, not a smaller profile
 * where the difference has become a known libseccomp bug. (A refusal
 * counts as "no".) */
static inline bool sh_differs(secprof_ctx *ctx, const struct sh_prof *s, const secprof_data *d)
{
	struct runc_prog rp;
	secprof_error err;
	char rerr[256];
	secprof_prog *sp = secprof_compile(
		ctx, &s->r, &(secprof_compile_opts){ .exact_libseccomp = true }, &err);
	bool differs = false;

	if (sp && !runc_scmp_build(&s->r, NULL, &rp, rerr, sizeof(rerr))) {
		uint32_t va = secprof_emulate(sp->insns, sp->len, d, NULL);
		uint32_t vb = secprof_emulate(rp.insns, rp.len, d, NULL);
		if (va != vb) {
			struct runc_prog per[8];
			uint32_t audits[8];
			size_t nper = eq_per_arch_programs(&s->r, per, audits, 8);
			struct eq_case c = { .label = "shrink",
					     .a = sp->insns,
					     .alen = sp->len,
					     .b = rp.insns,
					     .blen = rp.len,
					     .r = &s->r,
					     .per_arch = per,
					     .per_audit = audits,
					     .nper = nper };
			differs = eq_explain(&c, d, va, vb) == EQ_UNEXPLAINED;
			for (size_t i = 0; i < nper; i++)
				runc_prog_free(&per[i]);
		}
		runc_prog_free(&rp);
	}
	secprof_prog_free(sp);
	return differs;
}

/* Try dropping item i of an array of n items of size sz; keep it dropped if
 * the disagreement survives. Returns true when dropped. */
static inline bool sh_try_drop(secprof_ctx *ctx, struct sh_prof *s, const secprof_data *d,
			       void *arr, size_t *n, size_t sz, size_t i)
{
	unsigned char *a = arr,
		      saved[sizeof(struct sp_rule) > sizeof(struct sp_arg) ? sizeof(struct sp_rule)
									   : sizeof(struct sp_arg)];

	if (sz > sizeof(saved) || (*n == 1 && arr != (void *)s->r.rules))
		return false;
	memcpy(saved, a + i * sz, sz);
	memmove(a + i * sz, a + (i + 1) * sz, (*n - i - 1) * sz);
	(*n)--;
	if (sh_differs(ctx, s, d))
		return true;
	memmove(a + (i + 1) * sz, a + i * sz, (*n - i) * sz);
	memcpy(a + i * sz, saved, sz);
	(*n)++;
	return false;
}

static inline void sh_minimize(secprof_ctx *ctx, struct sh_prof *s, const secprof_data *d)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < s->r.nrules && !changed; i++)
			changed = sh_try_drop(ctx, s, d, (void *)s->r.rules, &s->r.nrules,
					      sizeof(*s->r.rules), i);
		for (size_t i = 0; i < s->r.nrules && !changed; i++) {
			struct sp_rule *rule = (struct sp_rule *)s->r.rules[i];
			for (size_t j = 0; j < rule->nnames && !changed; j++)
				changed = sh_try_drop(ctx, s, d, rule->names, &rule->nnames,
						      sizeof(*rule->names), j);
			for (size_t j = 0; j < rule->nargs && !changed; j++) {
				size_t n = rule->nargs;
				if (n == 1) {
					rule->nargs = 0; /* no args at all is also a candidate */
					changed = sh_differs(ctx, s, d);
					if (!changed)
						rule->nargs = 1;
				} else {
					changed = sh_try_drop(ctx, s, d, rule->args, &rule->nargs,
							      sizeof(*rule->args), j);
				}
			}
		}
	}
}

static inline void sh_print(const secprof_resolved *r)
{
	const struct secprof_profile *p = r->prof;

	printf("# minimal: {\"defaultAction\": \"%s\"",
	       p->default_action.s ? p->default_action.s : "");
	if (p->has_default_errno)
		printf(", \"defaultErrnoRet\": %llu", (unsigned long long)p->default_errno);
	printf(", \"architectures\": [");
	for (size_t i = 0; i < r->narchitectures; i++)
		printf("%s\"%s\"", i ? ", " : "",
		       r->architectures[i]->s ? r->architectures[i]->s : "");
	printf("], \"syscalls\": [");
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		printf("%s{\"names\": [", i ? ", " : "");
		for (size_t j = 0; j < rule->nnames; j++)
			printf("%s\"%s\"", j ? ", " : "", rule->names[j].s ? rule->names[j].s : "");
		printf("], \"action\": \"%s\"", rule->action.s ? rule->action.s : "");
		if (rule->has_errno)
			printf(", \"errnoRet\": %llu", (unsigned long long)rule->errno_ret);
		if (rule->nargs)
			printf(", \"args\": [");
		for (size_t j = 0; j < rule->nargs; j++)
			printf("%s{\"index\": %llu, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}",
			       j ? ", " : "", (unsigned long long)rule->args[j].index,
			       (unsigned long long)rule->args[j].value,
			       (unsigned long long)rule->args[j].value_two,
			       sp_op_str(rule->args[j].op));
		printf("%s}", rule->nargs ? "]" : "");
	}
	printf("]}\n");
}

/* Shrink r for input d and print the result (nothing when no unexplained
 * disagreement on d is left to shrink). */
static inline void sh_report(secprof_ctx *ctx, const secprof_resolved *r, const secprof_data *d)
{
	struct sh_prof s;

	sh_copy(r, &s);
	if (sh_differs(ctx, &s, d)) {
		sh_minimize(ctx, &s, d);
		sh_print(&s.r);
	}
	sh_free(&s);
}

#endif
