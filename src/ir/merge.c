/* merge.c - per arch: the (nr, rule) entries, sorted by number, merged into
 * one decision per syscall as libseccomp's db_rule_add does, with the
 * chain-level refusals; the word tree (tree.c) settles the rest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* ---- per-arch merge ----------------------------------------------------- */

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* libseccomp keeps the sibling nodes of a level in descending
 * _db_chain_lt order (_db_tree_add inserts a node before the first one
 * that is "less"), and the BPF tries them in that order: higher argument
 * first, then EQ/NE/MASKED_EQ before LT/LE before GT/GE, then the larger
 * value first (the smaller first for LT/LE). Sorting conditions and chains
 * this way makes "first match" try the rules in libseccomp's order. */
static int op_class(enum sp_op op)
{
	switch (op) {
	case SP_OP_GE:
	case SP_OP_GT: return 1;
	case SP_OP_LE:
	case SP_OP_LT: return 2;
	default: return 3;
	}
}

static int cmp_cond(const struct sp_cond *a, const struct sp_cond *b)
{
	if (a->arg != b->arg)
		return a->arg > b->arg ? -1 : 1;
	if (op_class(a->op) != op_class(b->op))
		return op_class(a->op) > op_class(b->op) ? -1 : 1;
	if (a->value != b->value) {
		bool lt = op_class(a->op) == 2;
		return (a->value > b->value) != lt ? -1 : 1;
	}
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->value_two != b->value_two)
		return a->value_two < b->value_two ? -1 : 1;
	return 0;
}

/* Within a rule, libseccomp chains the conditions by argument number,
 * lowest on top (_db_rule_gen_64 walks args 0..5); a rule has at most one
 * condition per argument (repeated indexes were split, docs/COMPAT.md §4.1.2). */
static int cmp_cond_arg(const void *x, const void *y)
{
	const struct sp_cond *a = x, *b = y;
	return (a->arg > b->arg) - (a->arg < b->arg);
}

/* Chains compare condition by condition; a prefix sorts first, so a shorter
 * chain is tried before the longer chains it prunes (docs/COMPAT.md §4.3). */
static int cmp_chain(const struct sp_crule *a, const struct sp_crule *b)
{
	for (size_t i = 0; i < a->nconds && i < b->nconds; i++) {
		int c = cmp_cond(&a->conds[i], &b->conds[i]);
		if (c)
			return c;
	}
	return (a->nconds > b->nconds) - (a->nconds < b->nconds);
}

static int cmp_crule(const void *x, const void *y)
{
	const struct sp_crule *a = x, *b = y;
	int c = cmp_chain(a, b);
	if (c)
		return c;
	/* keep profile order between equal chains (qsort is not stable) */
	return (a->src->index > b->src->index) - (a->src->index < b->src->index);
}

static struct sp_cond make_cond(const struct sp_arch *a, const struct sp_arg *orig, uint8_t arg32)
{
	struct sp_arg narrow = sp_rs_narrow_arg(orig, arg32);
	const struct sp_arg *arg = &narrow;
	struct sp_cond c = { .arg = (uint8_t)arg->index,
			     .op = arg->op,
			     .value = arg->value,
			     .lo_only = arg->index < 6 && (arg32 >> arg->index & 1) };

	/* libseccomp stores a MASKED_EQ datum already masked, so it means
	 * (arg & value) == (valueTwo & value): valueTwo's bits outside the mask
	 * never matter (checked against libseccomp 2.5.4's output) */
	if (arg->op == SP_OP_MASKED_EQ)
		c.value_two = arg->value_two & arg->value;
	if (a->bits == 32) { /* _db_rule_gen_32 strips the upper 32 bits */
		c.value &= 0xffffffffu;
		c.value_two &= 0xffffffffu;
	}
	return c;
}

bool sp_rs_index_repeats(const struct sp_rule *rule)
{
	unsigned seen = 0;
	for (size_t k = 0; k < rule->nargs; k++) {
		unsigned bit = 1u << rule->args[k].index;
		if (seen & bit)
			return true;
		seen |= bit;
	}
	return false;
}

/* A comparison that can never fail: MASKED_EQ with a zero mask (on a 32-bit
 * ABI, a zero low half). libseccomp drops it from the chain, so a rule made
 * only of such tests is unconditional there (_db_rule_gen_64/_32). */
static bool cond_is_noop(const struct sp_arch *a, const struct sp_arg *arg, uint8_t arg32)
{
	uint64_t mask;

	if (arg->op != SP_OP_MASKED_EQ)
		return false;
	mask = sp_rs_narrow_arg(arg, arg32).value;
	if (a->bits == 32)
		mask &= 0xffffffffu;
	return mask == 0;
}

/* Whether runc's rules for `rule` reach libseccomp as an unconditional rule:
 * no args; all args no-ops when AND-ed; any no-op when OR-ed (split). */
static bool rule_is_unconditional(const struct sp_arch *a, const struct sp_rule *rule,
				  uint8_t arg32)
{
	bool split = sp_rs_index_repeats(rule), all = true, any = false;

	for (size_t k = 0; k < rule->nargs; k++) {
		bool noop = cond_is_noop(a, &rule->args[k], arg32);
		all &= noop;
		any |= noop;
	}
	return split ? any : all;
}

/* runc's matchCall: distinct indexes are one AND-ed rule; any repeated index
 * makes every condition its own rule, so the set is OR-ed (docs/COMPAT.md §4.1.2).
 * The conditions go in `conds`, which has room for all of them (merge_one
 * reserves it: the chains point into it). */
static int expand_rule(struct sp_vec *out, struct sp_vec *conds, const struct sp_arch *a,
		       const struct sp_rule *rule, uint32_t ret, uint8_t arg32)
{
	bool split = sp_rs_index_repeats(rule);
	size_t n = split ? rule->nargs : 1;

	for (size_t i = 0; i < n; i++) {
		struct sp_crule *cr = sp_vec_push(out);
		struct sp_cond *c = (struct sp_cond *)conds->items + conds->len;
		if (!cr)
			return -1;
		cr->ret = ret;
		cr->src = rule;
		cr->conds = c;
		if (split) {
			c[0] = make_cond(a, &rule->args[i], arg32);
			cr->nconds = 1;
			conds->len++;
			continue;
		}
		cr->nconds = 0;
		for (size_t k = 0; k < rule->nargs; k++)
			if (!cond_is_noop(a, &rule->args[k], arg32))
				c[cr->nconds++] = make_cond(a, &rule->args[k], arg32);
		qsort(c, cr->nconds, sizeof(*c), cmp_cond_arg);
		conds->len += cr->nconds;
	}
	return 0;
}

/* Room for n items in v (the conditions: before any chain points into them). */
static bool vec_reserve(struct sp_vec *v, size_t n)
{
	void *items;

	if (v->cap >= n)
		return true;
	if (!(items = sp_srealloc(v->scratch, v->items, n * v->item_size)))
		return false;
	v->items = items;
	v->cap = n;
	return true;
}

static bool is_proper_prefix(const struct sp_crule *a, const struct sp_crule *b)
{
	if (a->nconds >= b->nconds)
		return false;
	for (size_t k = 0; k < a->nconds; k++)
		if (cmp_cond(&a->conds[k], &b->conds[k]))
			return false;
	return true;
}

int sp_rs_clash(struct build *b, const struct sp_sysrule *s, const struct sp_rule *x,
		const struct sp_rule *y, const char *how)
{
	char path[SP_RULE_PATH_MAX];
	bool mux = s->name && (!strcmp(s->name, "socketcall") || !strcmp(s->name, "ipc"));

	sp_rule_path(path, sizeof(path), y, NULL, SP_NO_INDEX, NULL);
	return sp_err(
		b->err, SECPROF_E_PROFILE, b->file, &y->loc, path,
		"rule for syscall \"%s\" has %s syscalls[%zu] (line %u) with a different action: libseccomp refuses it (EEXIST)%s",
		s->name, how, x->index, x->loc.line,
		mux ? " (libseccomp puts socket and IPC rules on socketcall/ipc too, arg0 replaced by the call number)"
		    : "");
}

/* libseccomp's db_rule_add fails with -EEXIST, and runc aborts (spec
 * §4.3), when a rule meets an earlier one with a different action either
 * on the same chain of conditions, or as a shorter chain that the earlier
 * one extends (the new leaf would cut a subtree with other actions). The
 * reverse, a longer chain after a shorter one, is silently dropped: the
 * shorter chain sorts first and wins. Chains that extend a chain sort right
 * after it, so each check scans neighbours only. Only a candidate: the
 * earlier rule may never have reached the tree, dropped by db_rule_add as
 * redundant with a rule before it (_db_tree_prune), so sp_rs_check_word_tree's
 * replay decides (*cc left empty when there is none). */
static void check_clashes(const struct sp_crule *v, size_t n, struct chain_clash *cc)
{
	for (size_t i = 0, e; i < n; i = e) {
		/* ties sort by profile order: v[i] is the first rule with this chain */
		for (e = i + 1; e < n && !cmp_chain(&v[i], &v[e]); e++)
			if (v[e].ret != v[i].ret) {
				*cc = (struct chain_clash){ v[i].src, v[e].src,
							    "the same conditions as" };
				return;
			}
		/* a longer chain added before the first short one; each chain
		 * extends at most 5 shorter ones, so the scans are O(n) in all */
		for (size_t j = e; j < n && is_proper_prefix(&v[i], &v[j]); j++)
			if (v[j].ret != v[i].ret && v[j].src->index < v[i].src->index) {
				*cc = (struct chain_clash){ v[j].src, v[i].src,
							    "conditions that begin those of" };
				return;
			}
	}
}

/* The entry of a rule (or of libseccomp's multiplexer copy of it). */
static const struct entry *entry_of(const struct entry *e, size_t n, const struct sp_rule *rule)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].rule == rule)
			return &e[i];
	return NULL;
}

/* Sort a syscall's conditional rules into libseccomp's order, note what it
 * may refuse (*cc), and merge equal chains with the same action (the later
 * rule is then redundant: the earlier one's chain decides). */
static int merge_chains(struct build *b, const struct sp_arch *a, struct sp_sysrule *s,
			struct sp_crule *v, size_t n, const struct entry *e, size_t ne,
			struct chain_clash *cc)
{
	size_t kept = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_crule);
	check_clashes(v, n, cc);
	for (size_t i = 0; i < n; i++) {
		const struct entry *d;
		int rc;
		if (!kept || cmp_chain(&v[kept - 1], &v[i])) {
			v[kept++] = v[i];
			continue;
		}
		/* a split rule whose parts repeat stays one rule */
		if (b->record && !s->uncond && v[i].src != v[kept - 1].src &&
		    (d = entry_of(e, ne, v[i].src)) &&
		    (rc = sp_rs_drop_entry(b, SECPROF_REASON_REDUNDANT, a, d, v[kept - 1].src, -1)))
			return rc;
	}
	/* the kept chains and their conditions move to the arena, the
	 * conditions in one array */
	size_t nconds = 0;
	struct sp_cond *c;
	for (size_t i = 0; i < kept; i++)
		nconds += v[i].nconds;
	s->rules = sp_arena_alloc_raw(&b->rs->arena, kept * sizeof(*v));
	c = sp_arena_alloc_raw(&b->rs->arena, nconds * sizeof(*c));
	if (!s->rules || !c)
		return sp_err_oom(b->err);
	for (size_t i = 0; i < kept; i++) {
		s->rules[i] = v[i];
		s->rules[i].conds = memcpy(c, v[i].conds, v[i].nconds * sizeof(*c));
		c += v[i].nconds;
	}
	s->nrules = kept;
	return 0;
}

static int cmp_entry_name(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* A name of a rule libseccomp adds on arch ai under a pseudo number: one the
 * arch lacks but libseccomp 2.5.4 knows (a name it does not know at all is
 * never added), in a rule that is not the default action's. */
static bool absent_entry(const struct build *b, bool dropped, uint32_t seq, size_t ai)
{
	int nr = b->nrs[seq * b->rs->narches + ai];

	return !dropped && nr < 0 && nr != SP_NR_NEWER && b->known[seq];
}

/* sp_rs_check_word_tree replays a name only where its rules pass the clash
 * scan (build.h); a name's rules pass it only if all the absent names'
 * rules together do. Nearly always they do not (Docker's default: never),
 * and the grouping by name (a sort of every absent name on every arch) is
 * skipped. */
static bool absent_may_clash(const struct build *b, size_t ai)
{
	struct clash_scan s = { 0 };
	uint32_t seq = 0;

	for (size_t i = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		if (!rule->nargs || sp_rule_is_default(b->r->prof, rule)) {
			seq += (uint32_t)rule->nnames;
			continue;
		}
		for (size_t j = 0; j < rule->nnames; j++, seq++)
			if (absent_entry(b, false, seq, ai))
				sp_rs_clash_scan_add(&s, rule);
	}
	return sp_rs_clash_scan_may(&s);
}

/* libseccomp numbers a name that does not exist on an arch with a negative
 * pseudo number and still builds its tree there (it never matches a real
 * call, but it refuses like any other): replay those trees too, per name. */
int sp_rs_check_absent(struct build *b, const struct sp_arch_rules *ar)
{
	struct sp_vec v = { .item_size = sizeof(struct entry), .scratch = b->scratch };
	size_t ai = (size_t)(ar - b->rs->arches);
	uint32_t seq = 0;
	struct entry *e;
	int rc = 0;

	if (!absent_may_clash(b, ai))
		return 0;
	for (size_t i = 0; i < b->r->nrules && !rc; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		bool dropped = sp_rule_is_default(b->r->prof, rule);
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			if (!absent_entry(b, dropped, seq, ai))
				continue;
			if (!(e = sp_vec_push(&v))) {
				rc = sp_err_oom(b->err);
				break;
			}
			*e = (struct entry){ -1, (uint64_t)seq << 32, rule, rule->names[j].s };
		}
	}
	e = v.items;
	if (!rc && v.len > 1)
		qsort(e, v.len, sizeof(*e), cmp_entry_name);
	for (size_t i = 0, j; !rc && i < v.len; i = j) {
		for (j = i + 1; j < v.len && !strcmp(e[j].name, e[i].name); j++)
			;
		rc = sp_rs_check_word_tree(b, ar->arch, NULL, e[i].name, e + i, j - i, NULL);
	}
	sp_vec_free(&v);
	return rc;
}

/* Many rules that each test one argument for equality with a value of its
 * own can never match the same call, so no order between them matters and
 * the rules decide as libseccomp's tree does without replaying it (the
 * replay is quadratic in the rules of a level, as libseccomp's own
 * _db_tree_add; 10,000 such rules take ~200 ms). Merged chains are
 * distinct, so one condition each means distinct values. Small syscalls
 * keep the tree: it costs nothing there, and it is what the differential
 * test compares with libseccomp. */
#define ORDER_FREE_MIN_RULES 64

static bool order_free(const struct sp_sysrule *s)
{
	if (s->uncond || s->nrules < ORDER_FREE_MIN_RULES)
		return false;
	for (size_t i = 0; i < s->nrules; i++)
		if (s->rules[i].nconds != 1 || s->rules[i].conds[0].op != SP_OP_EQ ||
		    s->rules[i].conds[0].arg != s->rules[0].conds[0].arg)
			return false;
	return true;
}

/* A chain whose rule ends no path of libseccomp's tree was pruned there
 * (_db_tree_prune, or a later rule's shorter chain with the same action cut
 * its subtree): the rules that end those paths decide for it. */
static int drop_pruned(struct build *b, const struct sp_arch *a, const struct sp_sysrule *s,
		       const struct entry *e, size_t n)
{
	for (size_t i = 0; i < s->nrules; i++) {
		const struct sp_rule *rule = s->rules[i].src;
		const struct entry *d;
		bool seen = false;
		int rc;
		for (size_t k = 0; k < i && !seen; k++)
			seen = s->rules[k].src == rule;
		if (seen || sp_rs_tree_has_src(sp_sys_tree(s), rule) || !(d = entry_of(e, n, rule)))
			continue;
		if ((rc = sp_rs_drop_entry(b, SECPROF_REASON_REDUNDANT, a, d, NULL, -1)))
			return rc;
	}
	return 0;
}

/* Merge all rules naming one nr, in profile order (libseccomp db_rule_add,
 * docs/COMPAT.md §4.3): the first unconditional rule wins and replaces the
 * conditional rules before it; rules after it are dropped. */
static int merge_one(struct build *b, const struct sp_arch *a, struct sp_sysrule *s,
		     const struct entry *e, size_t n, struct sp_vec *tmp)
{
	uint8_t arg32 = sp_rs_entries_arg32(b, a, e, n);
	size_t nargs = 0;

	for (size_t k = 0; k < n; k++)
		nargs += e[k].rule->nargs;
	tmp->len = 0;
	b->conds.len = 0;
	if (!vec_reserve(&b->conds, nargs))
		return sp_err_oom(b->err);
	s->nr = e[0].nr;
	s->name = e[0].name;
	s->src = e[0].rule;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct sp_rule *rule = e[i].rule;
		uint32_t ret = sp_rule_ret(rule);
		/* libseccomp leaves a zero-mask MASKED_EQ out of the chain
		 * (_db_rule_gen_64/_32); the multiplexer copies were made from
		 * the rule's own conditions, which are recorded on its entry */
		for (size_t k = 0; b->record && !entry_is_mux(&e[i]) && k < rule->nargs; k++)
			if (cond_is_noop(a, &rule->args[k], arg32) &&
			    (rc = sp_rs_drop_entry(b, SECPROF_REASON_CONDITION_DROPPED, a, &e[i],
						   NULL, (int)k)))
				return rc;
		if (rule->nargs == 0 || rule_is_unconditional(a, rule, arg32)) {
			s->uncond = true;
			s->ret = ret;
			s->src = rule;
			break;
		}
		if (expand_rule(tmp, &b->conds, a, rule, ret, arg32) < 0)
			return sp_err_oom(b->err);
	}
	/* db_rule_add: an unconditional rule replaces the conditional rules
	 * added before it, and every rule after it finds the syscall decided */
	for (size_t k = 0; b->record && s->uncond && k < n; k++)
		if (k != i && (rc = sp_rs_drop_entry(
				       b, k < i ? SECPROF_REASON_REPLACED : SECPROF_REASON_SHADOWED,
				       a, &e[k], s->src, -1)))
			return rc;
	struct chain_clash cc = { 0 };
	rc = merge_chains(b, a, s, tmp->items, tmp->len, e, n, &cc);
	if (!rc)
		rc = sp_rs_check_word_tree(b, a, order_free(s) ? NULL : s, s->name, e, n, &cc);
	if (s->uncond) {
		s->rules = NULL;
		s->nrules = 0;
	}
	if (!rc && sp_sys_tree(s) && b->record)
		rc = drop_pruned(b, a, s, e, n);
	return rc;
}

/* The arguments of the number's rules that are read as 32 bits (arg32)
 * and tested by some rule: where the low-word rules and libseccomp's
 * 64-bit ones can differ. */
static uint8_t tested_arg32(const struct entry *e, size_t n, uint8_t arg32)
{
	uint8_t tested = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < e[i].rule->nargs; k++)
			if (e[i].rule->args[k].index < 6)
				tested |= (uint8_t)(1u << e[i].rule->args[k].index);
	return tested & arg32;
}

/* The high word the fast path expects of each such argument: the one all
 * the rules' values share (sp_rs_settle_arg32 keeps an argument 64-bit
 * otherwise), 0 when only MASKED_EQ tests it (settle then requires the
 * masked high word to be 0). With that high word, every 64-bit compare
 * decides as its low-word cut does. */
static void set_wide_hi(struct sp_wide *s, const struct entry *e, size_t n, uint8_t args)
{
	uint8_t have = 0;

	s->args = args;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < e[i].rule->nargs; k++) {
			const struct sp_arg *x = &e[i].rule->args[k];
			unsigned bit = x->index < 6 ? 1u << x->index : 0;
			if (!(args & bit) || (have & bit) || x->op == SP_OP_MASKED_EQ)
				continue;
			s->hi[x->index] = (uint32_t)(x->value >> 32);
			have |= (uint8_t)bit;
		}
}

/* The number's rules with libseccomp's 64-bit compares on every argument
 * (ruleset.h, sp_sysrule_more.wide). Built as exact_libseccomp builds them, so
 * they refuse what libseccomp refuses for the profile as written; what
 * they leave out is the low-word rules' business, so nothing is recorded. */
static int merge_wide(struct build *b, const struct sp_arch *a, struct sp_sysrule *s,
		      const struct entry *e, size_t n, struct sp_vec *tmp, uint8_t args)
{
	struct sp_wide *twin = sp_arena_alloc(&b->rs->arena, sizeof(*twin));
	struct sp_sysrule *w = twin ? &twin->rules : NULL;
	bool record = b->record;
	int rc;

	if (!w)
		return sp_err_oom(b->err);
	b->exact = true;
	b->record = false;
	rc = merge_one(b, a, w, e, n, tmp);
	b->exact = false;
	b->record = record;
	if (rc)
		return rc;
	if (s->uncond && w->uncond && s->ret == w->ret)
		return 0; /* one action whatever the arguments: no twin needed */
	if (!sp_sys_set(&b->rs->arena, s, sp_sys_tree(s), twin))
		return sp_err_oom(b->err);
	/* Without a word tree, each side's rules have one action and the
	 * verdict is whether any chain holds; chain for chain, the compares
	 * agree when the high words are the rules' own. A tree's shape follows
	 * the values, and a rule the cut made unconditional replaces the rules
	 * before it (db_rule_add): no such shortcut there, nor where both
	 * sides are unconditional (they differ, or there would be no twin:
	 * the cut made a later rule of another action take over). */
	if (!sp_sys_tree(s) && !sp_sys_tree(w) && !s->uncond && !w->uncond)
		set_wide_hi(twin, e, n, args);
	return 0;
}

/* Which verdict is the stricter, where the rules alone tell: the low
 * word's (LOW), libseccomp's 64-bit one (WIDE), or each call's own (BOTH:
 * the twin). With one action A on every rule and no rule unconditional,
 * each side decides "A if some chain holds, else the default". Where every
 * 64-bit test implies its low-word cut (==, MASKED_EQ), a wide chain that
 * holds means its low chain holds: an allow-list is then strictest wide,
 * a deny-list low. Where every low-word test implies the 64-bit one (!=,
 * MASKED_EQ with no high mask), the reverse. Ranges imply neither. */
enum a32_verdict { A32_LOW, A32_WIDE, A32_BOTH };

static enum a32_verdict arg32_verdict(const struct build *b, const struct sp_arch *a,
				      const struct entry *e, size_t n, uint8_t arg32)
{
	bool wide_implies_low = true, low_implies_wide = true, one_kind = true;
	uint32_t act = 0, def = b->rs->default_ret;

	/* actions of one kind (ERRNO(1) and ERRNO(13)): neither verdict is
	 * ever the stricter, and a tie goes to libseccomp's */
	for (size_t i = 0; i < n; i++)
		one_kind &= !sp_ret_stricter(sp_rule_ret(e[i].rule), def) &&
			    !sp_ret_stricter(def, sp_rule_ret(e[i].rule));
	if (one_kind)
		return A32_WIDE;
	for (size_t i = 0; i < n; i++) {
		const struct sp_rule *rule = e[i].rule;
		if (!rule->nargs || rule_is_unconditional(a, rule, arg32) ||
		    rule_is_unconditional(a, rule, 0) || (i && sp_rule_ret(rule) != act))
			return A32_BOTH;
		act = sp_rule_ret(rule);
		for (size_t k = 0; k < rule->nargs; k++) {
			const struct sp_arg *x = &rule->args[k];
			if (x->index > 5 || !(arg32 >> x->index & 1))
				continue;
			wide_implies_low &= x->op == SP_OP_EQ || x->op == SP_OP_MASKED_EQ;
			low_implies_wide &= x->op == SP_OP_NE ||
					    (x->op == SP_OP_MASKED_EQ && !(x->value >> 32));
		}
	}
	if (wide_implies_low)
		return sp_ret_stricter(def, act) ? A32_WIDE : A32_LOW;
	if (low_implies_wide)
		return sp_ret_stricter(def, act) ? A32_LOW : A32_WIDE;
	return A32_BOTH;
}

/* One number's slot s from its entries e[0..n). 1 when the slot decides
 * something (an unconditional action, or rules left), 0 when every rule
 * was left out, -1 on error. The caller takes that answer rather than
 * reading s back: s was just written in pieces, and the one wide load
 * the compiler makes of uncond and nrules together cannot be forwarded
 * from those stores (a stall on every number of every arch, ~4% of
 * the moby default's compile). */
static int merge_nr(struct build *b, const struct sp_arch *a, struct sp_sysrule *s,
		    const struct entry *e, size_t n, struct sp_vec *tmp)
{
	uint8_t args;
	enum a32_verdict v;
	int rc;

	if (n == 1 && !e[0].rule->nargs && !entry_is_mux(&e[0])) {
		/* one rule without conditions (most of a real profile): its action
		 * decides, with nothing to merge, drop or replay (merge_one would
		 * come to the same after walking every step). Most such numbers
		 * come from one rule of many names: its action is worked out once
		 * (sp_rule_ret was 1 % of a compile of Docker's default) */
		if (b->ret_of != e[0].rule) {
			b->ret_of = e[0].rule;
			b->ret = sp_rule_ret(e[0].rule);
		}
		*s = (struct sp_sysrule){ .nr = e[0].nr,
					  .name = e[0].name,
					  .uncond = true,
					  .ret = b->ret,
					  .src = e[0].rule };
		return 1;
	}
	*s = (struct sp_sysrule){ 0 }; /* the slot of a number left out may be reused */
	args = tested_arg32(e, n, sp_rs_entries_arg32(b, a, e, n));
	v = args ? arg32_verdict(b, a, e, n, args) : A32_LOW;
	if (v == A32_WIDE) { /* libseccomp's compares alone, as with exact_libseccomp */
		b->exact = true;
		rc = merge_one(b, a, s, e, n, tmp);
		b->exact = false;
	} else {
		rc = merge_one(b, a, s, e, n, tmp);
		if (!rc && v == A32_BOTH)
			rc = merge_wide(b, a, s, e, n, tmp, args);
	}
	for (size_t r = 0; r < s->nrules; r++) /* struct sp_ruleset.insn_hint */
		b->insn_hint += s->rules[r].nconds + (r ? 0 : 3);
	return rc < 0 ? rc : s->uncond || s->nrules;
}

/* Where each number's entries go when push_entries writes them in number
 * order: place[nr - lo] is the next slot of nr. Counted from the rules
 * first, as the pushes below make them; only where the arch's numbers in
 * the syscall table span less than PLACE_SPAN (every arch but arm, whose
 * private calls sit near 0xf0000): the entries are then written once,
 * where a list in rule order and a counting sort wrote them twice (10 KiB
 * an arch on Docker's default, and the copy). Ties stay in push order,
 * as the stable sort keeps them. */
#define PLACE_SPAN 8192

/* Whether name seq goes to the multiplexer (socketcall/ipc) of the arch
 * whose numbers for them are mux_nr: runc adds rules with
 * seccomp_rule_add, and libseccomp puts a socket or IPC name it knows
 * there (and on the name's own number where the arch has one). */
static bool to_mux(const struct build *b, const struct mux_name *mn, uint32_t seq,
		   const int32_t *mux_nr, const struct sp_rule *rule)
{
	/* an LXC policy: only a rule stricter than the default, whose
	 * denial then holds on the multiplexer too, as under runc, where LXC
	 * loses it (a clash with the policy's own socketcall/ipc rules is
	 * refused as runc's libseccomp refuses it, EEXIST: fail closed) */
	return mn && mn->kind >= 0 && b->known[seq] && mux_nr[mn->kind] >= 0 &&
	       (!b->lxc || sp_ret_stricter(sp_rule_ret(rule), b->rs->default_ret));
}

/* LXC leaves such a name out of the arch altogether: do_resolve_add_rule
 * adds a rule only where seccomp_syscall_resolve_name(_arch) gives a
 * number, and libseccomp 2.5.4 gives every socket and IPC name a pseudo
 * number on an arch that multiplexes them (i386's socket, 359 in the
 * kernel's table, too), so the default decides there; nothing reaches
 * the multiplexer either (to_mux). Checked against LXC 5.0.2
 * (tests/suites/lxc.sh). secprof follows it only where the default is at
 * least as strict as the rule (an allowlist's allow): a rule stricter
 * than the default (a denylist's errno) stays on the name's direct number
 * (i386's socket, 359), and on the multiplexer where to_mux puts it, so
 * the policy's denial holds there where LXC loses it: stricter than LXC
 * (docs/COMPAT.md §10). */
static bool lxc_left_out_call(const struct build *b, const struct mux_name *mn, uint32_t seq,
			      const int32_t *mux_nr, const struct sp_rule *rule)
{
	return b->lxc && mn && mn->kind >= 0 && b->known[seq] && mux_nr[mn->kind] >= 0 &&
	       !sp_ret_stricter(sp_rule_ret(rule), b->rs->default_ret);
}

/* lxc_left_out_call, which gcc keeps out of line: asked for every name on
 * every arch twice (count_entries, push_entries), where all but LXC's
 * policies have the answer in b->lxc (~2 % of a compile of Docker's
 * default went to the calls) */
static inline bool lxc_left_out(const struct build *b, const struct mux_name *mn, uint32_t seq,
				const int32_t *mux_nr, const struct sp_rule *rule)
{
	return b->lxc && lxc_left_out_call(b, mn, seq, mux_nr, rule);
}

struct placing {
	uint32_t *place;
	int32_t lo;
	size_t total;
};

static int count_entries(struct build *b, const struct sp_arch_rules *ar, const int32_t *mux_nr,
			 struct placing *pl)
{
	const struct sp_arch *a = ar->arch;
	size_t ai = (size_t)(ar - b->rs->arches), na = b->rs->narches, rows;
	int32_t lo, hi;
	uint32_t seq = 0, sum = 0;

	*pl = (struct placing){ NULL, 0, 0 };
	rows = sp_syscall_arch_count(a);
	if (!rows)
		return 0;
	lo = sp_syscall_nth(a, 0, NULL);
	hi = sp_syscall_max(a);
	for (int k = 0; k < 2; k++)
		if (mux_nr[k] >= 0 && (mux_nr[k] < lo || mux_nr[k] > hi))
			return 0; /* not from this column: the sort */
	if (lo < 0 || (int64_t)hi - lo >= PLACE_SPAN)
		return 0;
	if (!(pl->place = sp_scalloc(b->scratch, (size_t)(hi - lo) + 1, sizeof(*pl->place))))
		return sp_err_oom(b->err);
	pl->lo = lo;
	for (size_t i = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		if (sp_rule_is_default(b->r->prof, rule)) {
			seq += (uint32_t)rule->nnames;
			continue;
		}
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			int32_t nr = b->nrs[seq * na + ai];
			const struct mux_name *mn = mux_nr[0] >= 0 || mux_nr[1] >= 0 ? &b->muxn[seq]
										     : NULL;
			if (lxc_left_out(b, mn, seq, mux_nr, rule))
				continue;
			if (to_mux(b, mn, seq, mux_nr, rule))
				pl->place[mux_nr[mn->kind] - lo] += (uint32_t)sp_rs_mux_parts(rule);
			if (nr >= 0)
				pl->place[nr - lo]++;
		}
	}
	for (int64_t k = 0; k <= (int64_t)hi - lo; k++) {
		uint32_t c = pl->place[k];
		pl->place[k] = sum;
		sum += c;
	}
	pl->total = sum;
	return 0;
}

/* The entries of arch ar's db in v: in number order (*sorted) where
 * count_entries could place them, else in rule order. */
static int push_entries(struct build *b, struct sp_arch_rules *ar, struct sp_vec *v, bool *sorted)
{
	size_t ai = (size_t)(ar - b->rs->arches), na = b->rs->narches;
	bool mux = sp_rs_multiplexes(ar->arch);
	int32_t mux_nr[2] = { -1, -1 };
	uint32_t seq = 0;
	struct placing pl;
	int rc;

	size_t names = 0;

	for (int k = 0; mux && k < 2; k++)
		mux_nr[k] = sp_syscall_nr(ar->arch, sp_rs_mux_syscall[k]);
	if ((rc = count_entries(b, ar, mux_nr, &pl)))
		return rc;
	*sorted = pl.place != NULL;
	/* an entry per name, as a rule of a large profile has one, and on a
	 * multiplexing arch one per part of each family name's rule
	 * (sp_rs_push_mux): sized once rather than doubled and copied */
	for (size_t i = 0, at = 0; !pl.place && i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		size_t parts = sp_rs_index_repeats(rule) ? rule->nargs : 1;
		names += rule->nnames;
		for (size_t j = 0; mux && j < rule->nnames; j++)
			names += b->muxn[at + j].kind >= 0 ? parts : 0;
		at += rule->nnames;
	}
	if (!vec_reserve(v, pl.place ? pl.total : names)) {
		sp_sfree(b->scratch, pl.place);
		return sp_err_oom(b->err);
	}
	if (pl.place)
		v->len = pl.total; /* every slot is written below */
	for (size_t i = 0; !rc && i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		bool dropped = sp_rule_is_default(b->r->prof, rule);
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			int32_t nr = b->nrs[seq * na + ai];
			const struct mux_name *mn = mux ? &b->muxn[seq] : NULL;
			bool family = mn && mn->kind >= 0;
			bool m = !dropped && to_mux(b, mn, seq, mux_nr, rule);
			struct entry *e;
			if (lxc_left_out(b, mn, seq, mux_nr, rule))
				nr = -1; /* a pseudo number: no rule on this arch */
			if (m) {
				/* sp_rs_list_db leaves this one out: the model
				 * lists the db itself */
				if (nr == SP_NR_NEWER && b->model_db)
					b->model_db[ai].ok = false;
				if (!pl.place) {
					rc = sp_rs_push_mux(b, v, mux_nr[mn->kind], seq, rule, mn);
				} else {
					uint32_t *at = &pl.place[mux_nr[mn->kind] - pl.lo];
					rc = sp_rs_mux_entries(b, (struct entry *)v->items + *at,
							       mux_nr[mn->kind], seq, rule, mn);
					*at += (uint32_t)sp_rs_mux_parts(rule);
				}
				if (rc)
					break;
			}
			/* runc skips a name libseccomp cannot resolve for the
			 * arch; a family name still reaches the multiplexer */
			if (nr < 0 && !dropped && !m &&
			    (rc = sp_rs_add_drop(b,
						 nr == SP_NR_NEWER
							 ? SECPROF_REASON_NEWER_THAN_LIBSECCOMP
							 : SECPROF_REASON_UNKNOWN_NAME,
						 rule, rule->names[j].s, ar->arch, NULL, NULL, -1)))
				break;
			if (nr < 0)
				continue;
			/* runc's stub counts every rule, dropped ones too (§4.1.3);
			 * the max of nr 0 alone counts as "no syscalls". It asks
			 * libseccomp for the number by name, which gives the
			 * family's pseudo numbers on a multiplexing arch, so their
			 * direct numbers (i386 socket 359) never count. */
			if (b->stub && ar->arch != b->stubless && nr > 0 && nr > ar->enosys_max &&
			    !family)
				ar->enosys_max = nr;
			if (dropped)
				continue;
			/* reserved above, unless the multiplexers took the room:
			 * no zeroing of a slot that is then written whole */
			if (pl.place)
				e = (struct entry *)v->items + pl.place[nr - pl.lo]++;
			else
				e = v->len < v->cap ? (struct entry *)v->items + v->len++
						    : sp_vec_push(v);
			if (!e) {
				rc = sp_err_oom(b->err);
				break;
			}
			*e = (struct entry){ nr, (uint64_t)seq << 32, rule, rule->names[j].s };
		}
	}
	sp_sfree(b->scratch, pl.place);
	return rc;
}

/* Stable sort by nr: entries arrive in rule order, so a counting sort over
 * the (small) span of numbers keeps ties in profile order in O(n + span).
 * The sorted entries go to a new buffer that replaces v's (no copy back). */
static bool sort_entries(struct sp_vec *v)
{
	struct entry *e = v->items;
	size_t n = v->len;
	int32_t lo = INT32_MAX, hi = INT32_MIN;
	uint32_t *start;
	struct entry *out;

	for (size_t i = 0; i < n; i++) {
		lo = e[i].nr < lo ? e[i].nr : lo;
		hi = e[i].nr > hi ? e[i].nr : hi;
	}
	if (n < 2)
		return true;
	if ((int64_t)hi - lo >= 8192) {
		qsort(e, n, sizeof(*e), cmp_entry);
		return true;
	}
	out = sp_salloc(v->scratch, n * sizeof(*out));
	start = sp_scalloc(v->scratch, (size_t)(hi - lo) + 2, sizeof(*start));
	if (!start || !out) {
		sp_sfree(v->scratch, start);
		sp_sfree(v->scratch, out);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		start[e[i].nr - lo + 1]++;
	for (int64_t k = 1; k <= (int64_t)hi - lo + 1; k++)
		start[k] += start[k - 1];
	for (size_t i = 0; i < n; i++)
		out[start[e[i].nr - lo]++] = e[i];
	sp_sfree(v->scratch, start);
	sp_sfree(v->scratch, v->items);
	v->items = out;
	v->cap = n;
	return true;
}

bool sp_rs_tests_args(const struct sp_sysrule *s)
{
	return !s->uncond || (sp_sys_wide(s) && !sp_sys_wide(s)->rules.uncond);
}

bool sp_sys_set(struct sp_arena *arena, struct sp_sysrule *s, const struct sp_tnode *tree,
		const struct sp_wide *wide)
{
	struct sp_sysrule_more *more = NULL;

	if ((tree || wide) && !(more = sp_arena_alloc_raw(arena, sizeof(*more))))
		return false;
	if (more)
		*more = (struct sp_sysrule_more){ tree, wide };
	s->more = more;
	return true;
}

/* Move entries [i, j) of one number whose rules test arguments down to
 * e[at], behind the ones kept before (at <= i: merged already), for the
 * stale model. sp_rs_list_db orders a number's entries by seq, the order
 * push_entries made them in unless a part of a multiplexer rule came
 * before its own name's entry: then the model lists the db itself. */
static size_t model_take(struct build *b, size_t ai, struct entry *e, size_t at, size_t i, size_t j)
{
	for (size_t k = i; k < j; k++) {
		if (k > i && e[k].seq < e[k - 1].seq)
			b->model_db[ai].ok = false;
	}
	memmove(e + at, e + i, (j - i) * sizeof(*e));
	return at + (j - i);
}

/* Keep what the stale model lists (struct build.model_db) in the rule
 * set's arena: a few entries, where heap blocks would come between the
 * arches' large ones. */
static int keep_for_model(struct build *b, size_t ai, const struct entry *e, size_t n)
{
	struct model_db *db = &b->model_db[ai];
	struct entry *to = sp_arena_alloc_raw(&b->rs->arena, (n ? n : 1) * sizeof(*to));

	if (!to)
		return sp_err_oom(b->err);
	if (n)
		memcpy(to, e, n * sizeof(*to));
	db->e = to;
	db->n = n;
	db->kept = true;
	return 0;
}

/* Whether a number's rules can give an action stricter than an errno (a
 * kill or a trap), where runc's ENOSYS is the weaker answer. */
bool sp_rs_beats_errno(const struct sp_sysrule *s)
{
	const struct sp_wide *tw = sp_sys_wide(s);

	if (s->uncond)
		return sp_ret_stricter(s->ret, SP_RET_ENOSYS);
	for (uint32_t k = 0; k < s->nrules; k++)
		if (sp_ret_stricter(s->rules[k].ret, SP_RET_ENOSYS))
			return true;
	return tw && sp_rs_beats_errno(&tw->rules);
}

int sp_rs_build_arch(struct build *b, struct sp_arch_rules *ar)
{
	size_t ai = (size_t)(ar - b->rs->arches), nmodel = 0;
	struct sp_vec v = { .item_size = sizeof(struct entry), .scratch = b->scratch };
	struct sp_vec tmp = { .item_size = sizeof(struct sp_crule), .scratch = b->scratch };
	struct entry *e;
	size_t groups = 0;
	bool sorted = false;
	int rc = push_entries(b, ar, &v, &sorted);

	if (!rc && !sorted && !sort_entries(&v))
		rc = sp_err_oom(b->err);
	e = v.items;
	for (size_t i = 0; !rc && i < v.len; i++)
		groups += i == 0 || e[i].nr != e[i - 1].nr;
	/* not zeroed: merge_nr fills each slot it hands out, and only the
	 * first nsys are read */
	ar->sys = sp_arena_alloc_raw(&b->rs->arena, (groups ? groups : 1) * sizeof(*ar->sys));
	if (!rc && !ar->sys)
		rc = sp_err_oom(b->err);
	for (size_t i = 0; !rc && i < v.len;) {
		size_t j = i + 1, mark = b->drops.len;
		while (j < v.len && e[j].nr == e[i].nr)
			j++;
		b->insn_hint = 0;
		int slot = merge_nr(b, ar->arch, &ar->sys[ar->nsys], e + i, j - i, &tmp);

		rc = slot < 0 ? slot : 0;
		/* runc's stub answers ENOSYS above enosys_max before libseccomp's
		 * program runs, so a rule there is never reached: the direct
		 * number of a family name, or the multiplexer itself, on an arch
		 * whose maximum does not count them (push_entries). libseccomp
		 * still merged it, so it still refuses what it refuses. But on
		 * the unlisted native arch runc 1.1.5 has no stub section: a
		 * rule there that kills or traps is reached, and kept
		 * (floor_unlisted raises the rest to ENOSYS). */
		bool beyond = ar->enosys_max > 0 && e[i].nr > ar->enosys_max &&
			      !(ar->unlisted && slot > 0 && sp_rs_beats_errno(&ar->sys[ar->nsys]));
		/* above the boundary every rule of the number is unreached,
		 * whatever libseccomp made of it */
		if (!rc && b->record && beyond) {
			b->drops.len = mark;
			for (size_t k = i; !rc && k < j; k++)
				rc = sp_rs_drop_entry(b, SECPROF_REASON_BEYOND_ENOSYS, ar->arch,
						      &e[k], NULL, -1);
		}
		bool decides = !rc && slot > 0;
		/* the model lays out a number beyond the boundary too: runc's
		 * stub keeps calls from its blocks, but libseccomp generated
		 * them, and where a block shared with another number lands
		 * depends on every number that jumps to it (scmpacc.c) */
		if (decides && b->model_db && sp_rs_tests_args(&ar->sys[ar->nsys]))
			nmodel = model_take(b, ai, e, nmodel, i, j);
		if (decides && !beyond) {
			b->rs->insn_hint += b->insn_hint;
			ar->nsys++;
		}
		i = j;
	}
	if (!rc && b->model_db)
		rc = keep_for_model(b, ai, e, nmodel);
	sp_vec_free(&tmp);
	sp_vec_free(&b->conds);
	sp_vec_free(&v);
	return rc;
}
