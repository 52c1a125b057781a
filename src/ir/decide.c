/* decide.c - the decision oracle: sp_sysrule_eval, sp_ruleset_why and
 * sp_ruleset_decide evaluate a call straight from the rule set, without
 * BPF, for the tests and `secprof eval`/`secprof ir`. */
#include <stdlib.h>
#include <string.h>

#include "ir/ruleset.h"

/* ---- direct evaluation (the oracle) ------------------------------------- */

static bool cond_true(const struct sp_cond *c, const struct sp_arch *a, uint64_t v)
{
	if (a->bits == 32 || c->lo_only)
		v &= 0xffffffffu;
	switch (c->op) {
	case SP_OP_NE: return v != c->value;
	case SP_OP_LT: return v < c->value;
	case SP_OP_LE: return v <= c->value;
	case SP_OP_EQ: return v == c->value;
	case SP_OP_GE: return v >= c->value;
	case SP_OP_GT: return v > c->value;
	case SP_OP_MASKED_EQ: return (v & c->value) == c->value_two;
	case SP_OP__COUNT: break;
	}
	return false;
}

uint32_t sp_tnode_word(const struct sp_tnode *n, const secprof_data *in)
{
	uint64_t v = in->args[n->level >> 1];

	if (n->level & 1)
		return n->lo_only ? 0 : (uint32_t)(v >> 32);
	return (uint32_t)v;
}

bool sp_tnode_test(const struct sp_tnode *n, uint32_t word)
{
	uint32_t w = word & n->mask;

	switch (n->op) {
	case SP_OP_GT: return w > n->datum;
	case SP_OP_GE: return w >= n->datum;
	default: return w == n->datum; /* EQ, MASKED_EQ */
	}
}

static bool tnode_true(const struct sp_tnode *n, const secprof_data *in)
{
	return sp_tnode_test(n, sp_tnode_word(n, in));
}

/* One level of the word tree as libseccomp's BPF runs it (ruleset.h):
 * true with *ret (and *src, the rule that set that action) when a node's
 * side returns, false when every node falls through. The tree was checked
 * to be bounded when it was kept. */
static bool tree_eval(const struct sp_tnode *n, const secprof_data *in, uint32_t *ret,
		      const struct sp_rule **src)
{
	while (n->prev)
		n = n->prev;
	for (; n; n = n->next) {
		bool t = tnode_true(n, in);
		const struct sp_tnode *down = t ? n->t : n->f;
		if (down ? tree_eval(down, in, ret, src) : t ? n->has_t : n->has_f) {
			if (!down) {
				*ret = t ? n->act_t : n->act_f;
				*src = t ? n->src_t : n->src_f;
			}
			return true;
		}
	}
	return false;
}

size_t sp_crule_first_fail(const struct sp_crule *cr, const struct sp_arch *arch,
			   const secprof_data *in)
{
	size_t k = 0;

	while (k < cr->nconds && cond_true(&cr->conds[k], arch, in->args[cr->conds[k].arg]))
		k++;
	return k;
}

/* sp_sysrule_eval with provenance: *rule and *crule (either may stay NULL:
 * the default action decided). */
static uint32_t sysrule_walk(const struct sp_sysrule *s, const struct sp_arch *arch,
			     const secprof_data *in, uint32_t default_ret,
			     const struct sp_rule **rule, const struct sp_crule **crule)
{
	uint32_t ret = default_ret;

	*rule = NULL;
	*crule = NULL;
	if (s->uncond) {
		*rule = s->src;
		return s->ret;
	}
	if (sp_sys_tree(s)) {
		if (!tree_eval(sp_sys_tree(s), in, &ret, rule))
			return default_ret;
		/* the chain of that rule with that action: the tree's leaf
		 * came from it (a split rule has several; the first that
		 * holds is the one the call passed) */
		for (size_t i = 0; i < s->nrules && !*crule; i++)
			if (s->rules[i].src == *rule && s->rules[i].ret == ret &&
			    sp_crule_first_fail(&s->rules[i], arch, in) == s->rules[i].nconds)
				*crule = &s->rules[i];
		return ret;
	}
	for (size_t i = 0; i < s->nrules; i++) {
		const struct sp_crule *cr = &s->rules[i];
		if (sp_crule_first_fail(cr, arch, in) == cr->nconds) {
			*rule = cr->src;
			*crule = cr;
			return cr->ret;
		}
	}
	return default_ret;
}

/* sysrule_walk, and with a twin (sp_sysrule_more.wide) the stricter of the
 * low-word verdict and the 64-bit one; *wide says the twin decided. Both
 * are always walked here: the program skips the twin when the high words
 * match (compile.c), and the tests compare the two. */
static uint32_t sysrule_decide(const struct sp_sysrule *s, const struct sp_arch *arch,
			       const secprof_data *in, uint32_t default_ret,
			       const struct sp_rule **rule, const struct sp_crule **crule,
			       bool *wide)
{
	uint32_t lo = sysrule_walk(s, arch, in, default_ret, rule, crule), full;
	const struct sp_wide *tw = sp_sys_wide(s);
	const struct sp_rule *wrule;
	const struct sp_crule *wcrule;

	*wide = false;
	if (!tw)
		return lo;
	if (tw->written) {
		/* the rules as written, whose verdict the DAG below may lack
		 * (ruleset.h sp_wide.written): the stricter, a tie to them */
		uint32_t mid = sysrule_walk(tw->written, arch, in, default_ret, &wrule, &wcrule);
		if (mid != lo && !sp_ret_stricter(lo, mid)) {
			lo = mid;
			*wide = true;
			*rule = wrule;
			*crule = wcrule;
		}
	}
	full = sysrule_walk(&tw->rules, arch, in, default_ret, &wrule, &wcrule);
	if (full == lo || sp_ret_stricter(lo, full))
		return lo;
	*wide = true;
	*rule = wrule;
	*crule = wcrule;
	return full;
}

uint32_t sp_sysrule_eval(const struct sp_sysrule *s, const struct sp_arch *arch,
			 const secprof_data *in, uint32_t default_ret)
{
	const struct sp_rule *rule;
	const struct sp_crule *crule;
	bool wide;

	return sysrule_decide(s, arch, in, default_ret, &rule, &crule, &wide);
}

struct sp_sysrule *sp_arch_rules_find(const struct sp_arch_rules *t, uint32_t nr)
{
	size_t lo = 0, hi = t->nsys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)t->sys[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nsys && (uint32_t)t->sys[lo].nr == nr ? &t->sys[lo] : NULL;
}

static uint32_t why_set(struct sp_why *w, uint32_t ret, enum secprof_decided_by by)
{
	w->ret = ret;
	w->by = by;
	return ret;
}

uint32_t sp_ruleset_why(const struct sp_ruleset *rs, const secprof_data *in, struct sp_why *w)
{
	struct sp_zone z[SP_MAX_ZONES];
	size_t n = sp_ruleset_zones(rs, in->arch, z);
	uint32_t nr = (uint32_t)in->nr;

	*w = (struct sp_why){ 0 };
	for (size_t i = 0; i < n; i++) {
		const struct sp_arch_rules *t = z[i].table;
		if (nr < z[i].lo || nr > z[i].hi)
			continue;
		/* a number range the zones give one action: runc's stub, the
		 * default (x86_64's nr -1), or libseccomp's bad-arch kill; a
		 * kill default reads as "default" there */
		if (!t)
			return why_set(w, z[i].ret,
				       z[i].ret == SP_RET_ENOSYS     ? SECPROF_BY_ENOSYS
				       : z[i].ret == rs->default_ret ? SECPROF_BY_DEFAULT
								     : SECPROF_BY_ARCH);
		w->table = t;
		if ((w->sys = sp_arch_rules_find(t, nr))) {
			uint32_t ret = sysrule_decide(w->sys, t->arch, in, rs->default_ret,
						      &w->rule, &w->crule, &w->wide);
			/* the unlisted native arch's ENOSYS above the stub's
			 * maximum, a twin without a rule (ruleset.c floor_unlisted) */
			if (!w->rule && w->wide && ret == SP_RET_ENOSYS && t->enosys_max > 0 &&
			    nr > (uint32_t)t->enosys_max)
				return why_set(w, ret, SECPROF_BY_ENOSYS);
			return why_set(w, ret, w->rule ? SECPROF_BY_RULE : SECPROF_BY_DEFAULT);
		}
		if (t->enosys_max > 0 && nr > (uint32_t)t->enosys_max)
			return why_set(w, SP_RET_ENOSYS, SECPROF_BY_ENOSYS);
		return why_set(w, rs->default_ret, SECPROF_BY_DEFAULT);
	}
	return why_set(w, SP_RET_KILL_THREAD,
		       SECPROF_BY_ARCH); /* act_badarch (docs/COMPAT.md §4.3) */
}

uint32_t sp_ruleset_decide(const struct sp_ruleset *rs, const secprof_data *in)
{
	struct sp_why w;

	return sp_ruleset_why(rs, in, &w);
}
