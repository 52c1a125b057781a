/* scmpbug.c - libseccomp 2.5.4's code-generation bugs (docs/COMPAT.md
 * §4.4; listed exceptions 2 and 4 of tests/compat/README.md). The dropped
 * syscall-number load is found from the profile and applied: every call on
 * such an arch gets the stricter of the profile's verdict and the default
 * action, which is what runc's filter returns there, so secprof is never
 * less strict than docker run on it. The stale accumulator is modelled in
 * scmpacc.c, on the arches whose program reaches the rules. */
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

#define AUDIT_X86_64 0xC000003Eu

/* libseccomp's gen_bpf.c `_gen_bpf_syscalls` emits `ld nr` only in the
 * block of the first syscall of an arch's sorted list (acc_reset), except
 * for x86_64 or x32 alone, whose ABI check loads it (`_gen_bpf_arch`), and
 * under OPTIMIZE=2, whose binary tree loads it. The list is sorted by
 * priority (`_sys_priority_sort`: fewest tree nodes first, ties in the
 * db's order: ascending unsigned number, so pseudo numbers last, the
 * primary filter's entries before the secondary's), and a pseudo number
 * is skipped (`_skip_syscall`) with its load. Then every `jeq NR` of the
 * arch compares the arch token and fails: every call reaching the list
 * gets the default action. */

/* The fewest tree nodes among the real and among the pseudo-numbered
 * entries of one filter's db (SIZE_MAX: none), and a pseudo name with the
 * fewest. `unknown`: a replay could not say. */
struct sect {
	size_t min_real, min_pseudo;
	const char *pseudo_name;
	bool unknown;
};

/* Entries of one name or number, grouped: real numbers by number, pseudo
 * ones (nr -1) by name, each in runc's order. */
static int cmp_group(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c;

	if ((a->nr < 0) != (b->nr < 0))
		return a->nr < 0 ? 1 : -1;
	if (a->nr >= 0 && a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	if (a->nr < 0 && (c = strcmp(a->name, b->name)))
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* sp_rs_list_db without its sort. */
static int list_unsorted(struct build *b, size_t ai, struct sp_vec *v,
			 bool (*want)(const void *data, int32_t nr), const void *data)
{
	const struct sp_arch *a = b->rs->arches[ai].arch;
	size_t na = b->rs->narches;
	bool mux = sp_rs_multiplexes(a);
	int32_t mux_nr[2] = { -1, -1 };
	uint32_t seq = 0;
	struct entry *e;
	int rc = 0;

	for (int k = 0; mux && k < 2; k++)
		mux_nr[k] = sp_syscall_nr(a, sp_rs_mux_syscall[k]);
	for (size_t i = 0; i < b->r->nrules && !rc; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		bool dropped = sp_rule_is_default(b->r->prof, rule);
		for (size_t j = 0; j < rule->nnames && !rc; j++, seq++) {
			int32_t nr = b->nrs[seq * na + ai];
			const struct mux_name *mn = mux ? &b->muxn[seq] : NULL;
			bool family = mn && mn->kind >= 0;
			if (dropped || !b->known[seq] || nr == SP_NR_NEWER)
				continue;
			if (family && mux_nr[mn->kind] >= 0 &&
			    (!want || want(data, mux_nr[mn->kind])) &&
			    (rc = sp_rs_push_mux(b, v, mux_nr[mn->kind], seq, rule, mn)))
				break;
			/* abi_rule_add (the multiplexing arches) keeps a pseudo
			 * number only for a socket/IPC call without a direct one */
			if ((nr < 0 && mux && !family) || (want && !want(data, nr)))
				continue;
			if (!(e = sp_vec_push(v))) {
				rc = sp_err_oom(b->err);
				break;
			}
			*e = (struct entry){ nr < 0 ? -1 : nr, (uint64_t)seq << 32, rule,
					     rule->names[j].s };
		}
	}
	return rc;
}

int sp_rs_list_db(struct build *b, size_t ai, struct sp_vec *v,
		  bool (*want)(const void *data, int32_t nr), const void *data)
{
	int rc = list_unsorted(b, ai, v, want, data);

	if (!rc && v->len > 1)
		qsort(v->items, v->len, sizeof(struct entry), cmp_group);
	return rc;
}

/* Is there a real number all of whose entries test no argument? Its tree
 * has no node, the fewest there can be, and a real number sorts before
 * every pseudo one of its filter and before the other filter's entries, so
 * it is first whatever the other trees hold: nothing to sort or replay.
 * (A multiplexed call's entries carry the call test as an argument.) */
static bool plain_real_first(const struct entry *e, size_t n)
{
	int32_t lo = INT32_MAX, hi = -1;
	unsigned char *seen; /* 1: entries without arguments only, 2: with */
	bool found = false;

	for (size_t i = 0; i < n; i++)
		if (e[i].nr >= 0) {
			lo = e[i].nr < lo ? e[i].nr : lo;
			hi = e[i].nr > hi ? e[i].nr : hi;
		}
	if (hi < 0 || (uint32_t)(hi - lo) > 1u << 16 || !(seen = calloc((size_t)(hi - lo) + 1, 1)))
		return false; /* the full scan answers */
	for (size_t i = 0; i < n; i++)
		if (e[i].nr >= 0)
			seen[e[i].nr - lo] |= e[i].rule->nargs ? 2 : 1;
	for (int32_t k = 0; k <= hi - lo && !found; k++)
		found = seen[k] == 1;
	free(seen);
	return found;
}

/* plain_real_first's answer, found without listing the db: list_unsorted
 * walks every name of the profile and makes the multiplexer's rules again,
 * most of the dropped-load check's work on Docker's default (callgrind:
 * ~48,000 instructions an arch). A real number is plain unless a
 * conditional rule's name has it, or it is socketcall's or ipc's on a
 * multiplexing arch (their rules carry the call test: sp_rs_push_mux), so
 * one unconditional rule's name with another real number is what
 * plain_real_first finds; like it, no answer where the real numbers span
 * more than 2^16 (arm's private calls: the full scan decides, and spends
 * the replay steps it spent before). The numbers come from the syscall
 * table, so where its column for the arch spans less (every arch but arm)
 * the first such name answers. False: the full scan decides. */
#define QUICK_COND_MAX 64u

static bool plain_real_quick(const struct build *b, size_t ai)
{
	const struct sp_arch *a = b->rs->arches[ai].arch;
	size_t na = b->rs->narches, ncond = 0, seq = 0;
	int32_t cond[QUICK_COND_MAX + 2], lo = INT32_MAX, hi = -1;
	size_t rows = sp_syscall_arch_count(a);
	uint32_t span = rows ? (uint32_t)(sp_syscall_max(a) - sp_syscall_nth(a, 0, NULL)) : 0;
	bool found = false;

	for (size_t i = 0; i < b->r->nrules; seq += b->r->rules[i++]->nnames) {
		const struct sp_rule *rule = b->r->rules[i];
		if (!rule->nargs || sp_rule_is_default(b->r->prof, rule))
			continue;
		for (size_t j = 0; j < rule->nnames; j++) {
			int32_t nr = b->nrs[(seq + j) * na + ai];
			if (nr < 0 || !b->known[seq + j])
				continue;
			if (ncond == QUICK_COND_MAX)
				return false;
			cond[ncond++] = nr;
		}
	}
	for (int k = 0; sp_rs_multiplexes(a) && k < 2; k++)
		if ((cond[ncond] = sp_syscall_nr(a, sp_rs_mux_syscall[k])) >= 0) {
			/* may widen the span: the full scan then answers */
			lo = cond[ncond] < lo ? cond[ncond] : lo;
			hi = cond[ncond] > hi ? cond[ncond] : hi;
			ncond++;
		}
	seq = 0;
	for (size_t i = 0; i < b->r->nrules; seq += b->r->rules[i++]->nnames) {
		const struct sp_rule *rule = b->r->rules[i];
		if (sp_rule_is_default(b->r->prof, rule))
			continue;
		for (size_t j = 0; j < rule->nnames; j++) {
			int32_t nr = b->nrs[(seq + j) * na + ai];
			size_t k = 0;
			if (nr < 0 || !b->known[seq + j])
				continue; /* SP_NR_NEWER is < 0 too */
			lo = nr < lo ? nr : lo;
			hi = nr > hi ? nr : hi;
			while (!found && !rule->nargs && k < ncond && cond[k] != nr)
				k++;
			found |= !rule->nargs && k == ncond;
			if (found && span <= 1u << 16)
				return true;
		}
	}
	return found && (uint32_t)(hi - lo) <= 1u << 16;
}

/* The fewest tree nodes of the real and the pseudo-numbered entries of
 * arch ai's db (the order _sys_priority_sort gives). */
static int scan_arch(struct build *b, size_t ai, struct sect *s)
{
	const struct sp_arch *a = b->rs->arches[ai].arch;
	struct sp_vec v = { .item_size = sizeof(struct entry), .scratch = b->scratch };
	struct entry *e;
	int rc;

	*s = (struct sect){ SIZE_MAX, SIZE_MAX, NULL, false };
	if (plain_real_quick(b, ai)) {
		s->min_real = 0;
		return 0;
	}
	rc = list_unsorted(b, ai, &v, NULL, NULL);
	if (!rc && plain_real_first(v.items, v.len)) {
		s->min_real = 0;
		sp_vec_free(&v);
		return 0;
	}
	if (!rc && v.len > 1)
		qsort(v.items, v.len, sizeof(struct entry), cmp_group);
	e = v.items;
	for (size_t i = 0, j; !rc && i < v.len; i = j) {
		size_t nodes;
		for (j = i + 1;
		     j < v.len && !cmp_group(&(struct entry){ e[i].nr, 0, NULL, e[i].name },
					     &(struct entry){ e[j].nr, 0, NULL, e[j].name });
		     j++)
			;
		nodes = sp_rs_word_tree_nodes(b, a, e + i, j - i);
		if (nodes == SIZE_MAX) {
			s->unknown = true;
		} else if (e[i].nr >= 0) {
			s->min_real = nodes < s->min_real ? nodes : s->min_real;
		} else if (nodes < s->min_pseudo) {
			s->min_pseudo = nodes;
			s->pseudo_name = e[i].name;
		}
	}
	sp_vec_free(&v);
	return rc;
}

/* Where runc's program gives the default: the default, unless the
 * profile's verdict is strictly stricter. A tie of kind (ERRNO(1) against
 * a default ERRNO(38)) the kernel ranks equal, and runc returns its own. */
static uint32_t stricter(uint32_t ret, uint32_t def)
{
	return sp_ret_stricter(ret, def) ? ret : def;
}

static void tree_apply(struct sp_tnode *n, uint32_t def, unsigned depth)
{
	if (!n || depth > 64)
		return;
	while (n->prev)
		n = n->prev;
	for (; n; n = n->next) {
		if (n->has_t)
			n->act_t = stricter(n->act_t, def);
		if (n->has_f)
			n->act_f = stricter(n->act_f, def);
		tree_apply(n->t, def, depth + 1);
		tree_apply(n->f, def, depth + 1);
	}
}

/* Every verdict of s becomes the stricter of it and the default. The
 * default decides where no rule matches, so the whole walk's verdict is
 * mapped too; the word tree was checked bounded when it was kept. */
static void sysrule_apply(struct sp_sysrule *s, uint32_t def)
{
	const struct sp_wide *tw = sp_sys_wide(s);

	if (s->uncond)
		s->ret = stricter(s->ret, def);
	for (size_t i = 0; i < s->nrules; i++)
		s->rules[i].ret = stricter(s->rules[i].ret, def);
	/* the tree and the twin live in the rule set's arena, built for
	 * this rule set alone: they are the rule set's to change */
	tree_apply((struct sp_tnode *)sp_sys_tree(s), def, 0);
	if (tw && tw->dag) { /* a DAG (scmpacc.c): each node once */
		struct sp_tnode *v = (struct sp_tnode *)tw->dag;
		for (size_t i = 0; i < tw->ndag; i++) {
			v[i].act_t = v[i].has_t ? stricter(v[i].act_t, def) : v[i].act_t;
			v[i].act_f = v[i].has_f ? stricter(v[i].act_f, def) : v[i].act_f;
		}
		if (tw->written)
			sysrule_apply((struct sp_sysrule *)tw->written, def);
	} else if (tw) {
		sysrule_apply((struct sp_sysrule *)&tw->rules, def);
	}
}

static int find_arch(const struct sp_ruleset *rs, uint32_t audit, uint32_t base)
{
	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch->audit == audit && rs->arches[i].arch->nr_base == base)
			return (int)i;
	return -1;
}

/* Where the load is dropped on arch i (and on the other filter of its
 * section): true in dropped[], with a note. linear_only: above 32 rules,
 * where only Debian 12's runc 1.1.5 builds the linear program that drops
 * it (a current runc's tree loads the number). */
static int find_dropped(struct build *b, size_t i, int other, bool linear_only, bool *dropped)
{
	struct sect p, q = { SIZE_MAX, SIZE_MAX, NULL, false };
	const char *first;
	size_t m;
	int rc;

	if ((rc = scan_arch(b, i, &p)))
		return rc;
	if (p.min_real == 0)
		return 0; /* a real number of the primary filter is first */
	if (other >= 0 && (rc = scan_arch(b, (size_t)other, &q)))
		return rc;
	if (p.min_real == SIZE_MAX && q.min_real == SIZE_MAX)
		return 0; /* no real number: the default everywhere already */
	/* the first entry of the sorted list: fewest nodes, then the primary
	 * filter's before the secondary's, then real numbers before pseudo
	 * ones */
	m = p.min_real < p.min_pseudo ? p.min_real : p.min_pseudo;
	m = q.min_real < m ? q.min_real : m;
	m = q.min_pseudo < m ? q.min_pseudo : m; /* may be fewer than q.min_real */
	first = p.min_real == m     ? NULL
		: p.min_pseudo == m ? p.pseudo_name
		: q.min_real == m   ? NULL
				    : q.pseudo_name;
	if (p.unknown || q.unknown) {
		sp_note(b->ctx, b->file, NULL, NULL,
			"%s: libseccomp 2.5.4 may drop its load of the syscall number on this arch, secprof could not tell (docs/COMPAT.md §4.4)",
			b->rs->arches[i].arch->scmp);
		return 0;
	}
	if (!first)
		return 0;
	sp_note(b->ctx, b->file, NULL, NULL,
		"%s: libseccomp 2.5.4 drops its load of the syscall number on this arch (\"%s\", which has no number here, sorts first), so %s gives every call on it the default action; secprof returns the stricter of that and the profile's verdict (docs/COMPAT.md §4.4)",
		b->rs->arches[i].arch->scmp, first,
		linear_only ? "the linear filter of Debian 12's runc 1.1.5 (more than 32 rules)"
			    : "runc's filter");
	dropped[i] = true;
	if (other >= 0)
		dropped[other] = true;
	return 0;
}

int sp_rs_libseccomp_bugs(struct build *b)
{
	size_t internal = 0, na = b->rs->narches;
	bool *dropped = sp_scalloc(b->scratch, 2 * (na ? na : 1), sizeof(*dropped));
	bool *dropped_linear = dropped + (na ? na : 1);
	int rc = 0;
	int x64 = find_arch(b->rs, AUDIT_X86_64, 0),
	    x32 = find_arch(b->rs, AUDIT_X86_64, SP_X32_BIT);

	if (!dropped)
		return sp_err_oom(b->err);
	/* A current runc sets OPTIMIZE=2 above 32 internal rules (one per
	 * name, docs/COMPAT.md §4.1.2), whose binary tree loads the number
	 * itself; Debian 12's runc 1.1.5 never does, and its linear program
	 * drops the load there too. Both are docker run's: the stricter
	 * answer counts. */
	for (size_t i = 0; i < b->r->nrules; i++)
		internal += b->r->rules[i]->nnames;
	for (size_t i = 0; i < na && !rc; i++) {
		int other = -1;
		if ((int)i == x64 || (int)i == x32) {
			other = (int)i == x64 ? x32 : x64;
			/* alone, the ABI check loads the number; together the
			 * first in the collection is the primary filter, which
			 * carries the section (_gen_bpf_build_bpf) */
			if (other < 0 || other < (int)i)
				continue;
		}
		rc = find_dropped(b, i, other, internal > 32,
				  internal > 32 ? dropped_linear : dropped);
	}
	/* The stale accumulator is modelled for both layouts above 32 rules;
	 * on an arch whose linear program drops the load, the default then
	 * applies over whatever the model said. */
	if (!rc)
		rc = sp_rs_model_stale(b, dropped, internal > 32);
	for (size_t i = 0; i < na && !rc; i++) {
		struct sp_arch_rules *ar = &b->rs->arches[i];
		for (size_t j = 0; (dropped[i] || dropped_linear[i]) && j < ar->nsys; j++)
			sysrule_apply(&ar->sys[j], b->rs->default_ret);
	}
	sp_sfree(b->scratch, dropped);
	return rc;
}
