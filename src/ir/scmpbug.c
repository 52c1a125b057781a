/* scmpbug.c - libseccomp 2.5.4's code-generation bugs (docs/COMPAT.md
 * §4.4; listed exceptions 2 and 4 of tests/compat/README.md). The dropped
 * syscall-number load is found from the profile and applied: every call on
 * such an arch gets the stricter of the profile's verdict and the default
 * action, which is what runc's filter returns there, so secprof is never
 * less strict than docker run on it. The stale accumulator is not
 * modelled: a note names the syscalls where it may strike. */
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

/* The stale accumulator (docs/COMPAT.md §4.4) is not modelled: where its
 * trigger is in libseccomp's tree for a syscall, say so once per name. */
#define STALE_NOTE                                                                                 \
	"syscall \"%s\" on %s: libseccomp 2.5.4's program may compare a word another test left in the accumulator (docs/COMPAT.md §4.4), so runc's filter can decide otherwise than these rules, more or less strictly; secprof follows the profile"

/* The rule set's entry for nr on arch ai (sorted by nr), or NULL. */
static const struct sp_sysrule *find_sys(const struct sp_arch_rules *ar, int32_t nr)
{
	size_t lo = 0, hi = ar->nsys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ar->sys[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ar->nsys && ar->sys[lo].nr == nr ? &ar->sys[lo] : NULL;
}

static int note_stale(struct build *b, size_t ai, const struct entry *e, size_t n,
		      struct sp_vec *noted)
{
	const struct sp_arch *a = b->rs->arches[ai].arch;
	const struct sp_sysrule *s = find_sys(&b->rs->arches[ai], e->nr);
	/* the tree libseccomp builds: the twin's where values were cut */
	const struct sp_tnode *kept = !s ? NULL
				      : s->wide && s->wide->rules.tree ? s->wide->rules.tree
								       : s->tree;
	const struct sp_rule *rule = NULL;
	const char **seen = noted->items, **slot;
	size_t adds = 0;
	bool mixed = false;
	char path[SP_RULE_PATH_MAX];

	/* siblings need two rules on the syscall, or one split rule; and the
	 * differential test (tests/compat/README.md, exception 4) sees the
	 * verdict change only where the rules have two actions or a rule is
	 * split (OR-ed tests of one argument), so only those are named: a
	 * layout that adds the load (_gen_bpf_build_bpf) is not modelled, and
	 * Docker's own socket rules would be named for nothing */
	for (size_t i = 0; i < n; i++) {
		/* a multiplexer's part of a split rule (sp_rs_push_mux) follows
		 * its other parts, with the same name seq */
		bool split = sp_rs_index_repeats(e[i].rule) ||
			     (i && entry_is_mux(&e[i]) && e[i].seq >> 32 == e[i - 1].seq >> 32);
		adds += e[i].rule->nargs ? 1 + split : 0;
		mixed |= split || sp_rule_ret(e[i].rule) != sp_rule_ret(e[0].rule);
	}
	if (adds < 2 || !mixed)
		return 0;
	for (size_t i = 0; i < noted->len; i++)
		if (!strcmp(seen[i], e->name))
			return 0;
	if (!sp_rs_word_tree_stale(b, a, e, n, kept, &rule))
		return 0;
	if (!(slot = sp_vec_push(noted)))
		return sp_err_oom(b->err);
	*slot = e->name;
	rule = rule ? rule : e->rule;
	sp_rule_path(path, sizeof(path), rule, NULL, SP_NO_INDEX, NULL);
	sp_note(b->ctx, b->file, &rule->loc, path, STALE_NOTE, e->name, a->scmp);
	return 0;
}

/* note_stale on the tree the rule set keeps for s (rules of two actions),
 * without listing the arch's db: what a profile above 32 names without
 * OR-ed tests needs, at the cost of a walk of those trees. */
static int note_kept(struct build *b, size_t ai, const struct sp_sysrule *s, struct sp_vec *noted)
{
	const struct sp_tnode *kept = s->wide && s->wide->rules.tree ? s->wide->rules.tree : s->tree;
	const struct sp_rule *rule = NULL;
	const char **seen = noted->items, **slot;
	char path[SP_RULE_PATH_MAX];

	if (!kept || !s->name)
		return 0;
	for (size_t i = 0; i < noted->len; i++)
		if (!strcmp(seen[i], s->name))
			return 0;
	if (!sp_rs_word_tree_stale(b, b->rs->arches[ai].arch, NULL, 0, kept, &rule))
		return 0;
	if (!(slot = sp_vec_push(noted)))
		return sp_err_oom(b->err);
	*slot = s->name;
	rule = rule ? rule : s->src;
	if (!rule)
		return 0;
	sp_rule_path(path, sizeof(path), rule, NULL, SP_NO_INDEX, NULL);
	sp_note(b->ctx, b->file, &rule->loc, path, STALE_NOTE, s->name,
		b->rs->arches[ai].arch->scmp);
	return 0;
}

/* The db runc's rules make for one arch (db_rule_add via
 * arch_filter_rule_add): real numbers, the multiplexer's rules, and
 * pseudo numbers where libseccomp keeps them. */
static int scan_arch(struct build *b, size_t ai, struct sect *s, bool counts, struct sp_vec *noted)
{
	const struct sp_arch *a = b->rs->arches[ai].arch;
	struct sp_vec v = { .item_size = sizeof(struct entry) };
	size_t na = b->rs->narches;
	bool mux = sp_rs_multiplexes(a);
	int32_t mux_nr[2] = { -1, -1 };
	uint32_t seq = 0;
	struct entry *e;
	int rc = 0;

	*s = (struct sect){ SIZE_MAX, SIZE_MAX, NULL, false };
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
			    (rc = sp_rs_push_mux(b, &v, mux_nr[mn->kind], seq, rule, mn)))
				break;
			/* abi_rule_add (the multiplexing arches) keeps a pseudo
			 * number only for a socket/IPC call without a direct one */
			if (nr < 0 && mux && !family)
				continue;
			if (!(e = sp_vec_push(&v))) {
				rc = sp_err_oom(b->err);
				break;
			}
			*e = (struct entry){ nr < 0 ? -1 : nr, (uint64_t)seq << 32, rule,
					     rule->names[j].s };
		}
	}
	e = v.items;
	if (!rc && v.len > 1)
		qsort(e, v.len, sizeof(*e), cmp_group);
	for (size_t i = 0, j; !rc && i < v.len; i = j) {
		size_t nodes;
		for (j = i + 1;
		     j < v.len && !cmp_group(&(struct entry){ e[i].nr, 0, NULL, e[i].name },
					     &(struct entry){ e[j].nr, 0, NULL, e[j].name });
		     j++)
			;
		if (e[i].nr >= 0 && (rc = note_stale(b, ai, e + i, j - i, noted)))
			break;
		if (!counts)
			continue;
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

static uint32_t stricter(uint32_t ret, uint32_t def)
{
	return sp_ret_stricter(def, ret) ? def : ret;
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
	if (s->uncond)
		s->ret = stricter(s->ret, def);
	for (size_t i = 0; i < s->nrules; i++)
		s->rules[i].ret = stricter(s->rules[i].ret, def);
	/* the tree and the twin live in the rule set's arena, built for
	 * this rule set alone: they are the rule set's to change */
	tree_apply((struct sp_tnode *)s->tree, def, 0);
	if (s->wide)
		sysrule_apply((struct sp_sysrule *)&s->wide->rules, def);
}

static int find_arch(const struct sp_ruleset *rs, uint32_t audit, uint32_t base)
{
	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch->audit == audit && rs->arches[i].arch->nr_base == base)
			return (int)i;
	return -1;
}

int sp_rs_libseccomp_bugs(struct build *b)
{
	struct sp_vec noted = { .item_size = sizeof(const char *) };
	size_t internal = 0;
	bool split = false;
	int rc = 0;
	int x64 = find_arch(b->rs, AUDIT_X86_64, 0),
	    x32 = find_arch(b->rs, AUDIT_X86_64, SP_X32_BIT);

	/* runc sets OPTIMIZE=2 above 32 internal rules (one per name,
	 * docs/COMPAT.md §4.1.2): the binary tree loads the number itself */
	for (size_t i = 0; i < b->r->nrules; i++) {
		internal += b->r->rules[i]->nnames;
		split |= sp_rs_index_repeats(b->r->rules[i]);
	}
	/* Docker's default and most large profiles: no db to list (the notes
	 * read the kept trees), so a compile pays only a walk of those */
	if (internal > 32 && !split) {
		for (size_t i = 0; i < b->rs->narches && !rc; i++)
			for (size_t j = 0; j < b->rs->arches[i].nsys && !rc; j++)
				rc = note_kept(b, i, &b->rs->arches[i].sys[j], &noted);
		sp_vec_free(&noted);
		return rc;
	}
	for (size_t i = 0; i < b->rs->narches && !rc; i++) {
		struct sect p, q = { SIZE_MAX, SIZE_MAX, NULL, false };
		const char *first;
		int other = -1;
		bool counts = internal <= 32;
		size_t m;
		if ((int)i == x64 || (int)i == x32) {
			other = (int)i == x64 ? x32 : x64;
			/* alone, the ABI check loads the number; together the
			 * first in the collection is the primary filter, which
			 * carries the section (_gen_bpf_build_bpf) */
			if (other < 0)
				counts = false;
			else if (other < (int)i)
				continue;
		}
		if ((rc = scan_arch(b, i, &p, counts, &noted)) ||
		    (other >= 0 && (rc = scan_arch(b, (size_t)other, &q, counts, &noted))))
			break;
		if (!counts)
			continue;
		if (p.min_real == SIZE_MAX && q.min_real == SIZE_MAX)
			continue; /* no real number: the default everywhere already */
		/* the first entry of the sorted list: fewest nodes, then the
		 * primary filter's before the secondary's, then real numbers
		 * before pseudo ones */
		m = p.min_real < p.min_pseudo ? p.min_real : p.min_pseudo;
		m = q.min_real < m ? q.min_real : q.min_pseudo < m ? q.min_pseudo : m;
		first = p.min_real == m     ? NULL
			: p.min_pseudo == m ? p.pseudo_name
			: q.min_real == m   ? NULL
					    : q.pseudo_name;
		if (p.unknown || q.unknown) {
			sp_note(b->ctx, b->file, NULL, NULL,
				"%s: libseccomp 2.5.4 may drop its load of the syscall number on this arch, secprof could not tell (docs/COMPAT.md §4.4)",
				b->rs->arches[i].arch->scmp);
			continue;
		}
		if (!first)
			continue;
		sp_note(b->ctx, b->file, NULL, NULL,
			"%s: libseccomp 2.5.4 drops its load of the syscall number on this arch (\"%s\", which has no number here, sorts first), so runc's filter gives every call on it the default action; secprof returns the stricter of that and the profile's verdict (docs/COMPAT.md §4.4)",
			b->rs->arches[i].arch->scmp, first);
		for (int k = 0; k < 2; k++) {
			int ai = k ? other : (int)i;
			if (ai < 0)
				continue;
			struct sp_arch_rules *ar = &b->rs->arches[ai];
			for (size_t j = 0; j < ar->nsys; j++)
				sysrule_apply(&ar->sys[j], b->rs->default_ret);
		}
	}
	sp_vec_free(&noted);
	return rc;
}
