/* tree.c - libseccomp 2.5.4's argument tree (src/db.c _db_tree_add,
 * _db_tree_prune), replayed where the chain-level checks cannot decide, for
 * the refusals libseccomp makes and the rules it prunes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* ---- libseccomp's argument tree, for the refusals it makes ---------------
 *
 * libseccomp 2.5.4 does not keep 64-bit conditions: it splits each one into
 * tests of 32-bit words (a high-word test, then the low word; LT/LE/GT/GE
 * become "hi > v", "hi == v", "lo >=/> v") and merges the words of all rules
 * of a syscall into one tree, where two tests of one word with the same
 * operator, mask and datum are the same node. So rules whose conditions
 * differ as 64-bit tests can still meet on a node: `arg0 != 0x100000001`
 * and `arg0 != 0x100000002` share the node "hi(arg0) == 1". Where they meet
 * with different actions, db_rule_add fails with -EEXIST and runc aborts
 * (docs/COMPAT.md §4.3) when one of the two nodes ends its chain there, or when the new
 * rule ends on a node whose subtree leads to another action. The chain-level
 * check (check_clashes) sees only whole conditions; this model replays the
 * word tree rule by rule as runc adds them, to refuse what libseccomp
 * refuses. Where a syscall's conditional rules have two or more actions,
 * the order in which the BPF tries the nodes decides which rule wins, so
 * that tree is kept in the sysrule and decides the verdicts (sp_tnode in
 * ruleset.h); elsewhere the chains do, and the tree only answers "refused
 * or not". */

/* Bounds on every walk of the model: the sibling links of nodes that
 * libseccomp shares between levels can form loops, and a walk must end. */
#define TREE_WIDTH 4096u
#define TREE_MAX_CONDS 1024u

/* One unit of replay work; false once the budget is spent. */
static bool step(size_t *steps)
{
	if (!*steps)
		return false;
	--*steps;
	return true;
}

/* prune_scan's answers. Within one prune (_db_tree_prune), until it
 * removes an old chain, the scan is a pure function of (the first node of
 * x's level, n, the state it starts with, the depth): it only reads the two
 * trees (the counts it takes it gives back). After a removal nothing is
 * looked up or kept. libseccomp's walk rescans a level with the same
 * rest of the new chain once for every sibling that sorts after it, and
 * again below, which grows as a power of the level's width (1,024 rules on
 * one syscall: minutes); remembering each answer for the span of one prune
 * makes the work linear in the tree and leaves every answer as it was. */
struct pmemo_ent {
	const struct sp_tnode *x, *n;
	uint32_t gen;     /* the prune the entry belongs to; older ones are free */
	uint16_t in, out; /* the state before and after */
	uint8_t depth;
};

/* The table's first size: a syscall of real profiles has a few rules and
 * its prunes remember a handful of answers, and 64 entries (2 KiB) were
 * most of the stale model's replay of Docker's default in calloc's zeroing
 * (docs/COMPAT.md §4.4); the table doubles as it fills, and only caches. */
#define PMEMO_FIRST_CAP 8u

struct pmemo {
	struct pmemo_ent *v;
	size_t cap, used; /* cap: 0 or a power of two */
	uint32_t gen;
	struct sp_scratch *scratch; /* where v goes: the build's */
};

struct tree {
	struct sp_tnode *pool;
	size_t used, cap;
	struct sp_tnode *root;       /* NULL: no conditional rule yet */
	bool uncond;                 /* an unconditional rule: later ones are dropped */
	bool dry;                    /* only generate the chains (may_clash) */
	uint8_t arg32;               /* arguments read as 32 bits: lo_only nodes */
	const struct sp_rule *clash; /* the earlier rule libseccomp refused against */
	size_t steps;                /* work left (SP_REPLAY_STEPS); 0: the replay was cut */
	/* a merge left out the false side of a new chain (tree_add): the
	 * tree no longer holds every path of its rule */
	bool narrowed;
	struct pmemo memo; /* prune_scan's answers, for one prune */
	/* the action of every chain added so far, while they share one
	 * (tree_rule_add): no node can then hold another (tree_other_action) */
	uint32_t one_ret;
	bool any_chain, mixed_rets;
	/* db.c node_cnt: the nodes of every chain added, less those freed.
	 * Not the nodes left in the tree: a node that _db_tree_remove or a
	 * new action unlinks while a sibling still counts it stays counted. */
	size_t node_cnt;
};

/* ---- libseccomp's reference counts (db.c _db_node_get, _db_node_put) ---
 *
 * libseccomp counts every link to a node: from the level above, from each
 * sibling, from the syscall's root and, while a prune walks it, from the
 * walk. A node whose count falls to zero is freed, which unlinks it from its
 * level; _db_tree_remove unlinks a node without giving back its siblings'
 * counts, so such a node lingers. The tree a prune leaves, and whether
 * libseccomp then treats the new rule as redundant (it looks at the number
 * of nodes freed, not at what was unlinked), follow from those counts, so
 * the replay keeps them exactly and never frees: a freed node is marked
 * dead and left out of every walk. */

static struct sp_tnode *tref(struct sp_tnode *n)
{
	if (n)
		n->refs++;
	return n;
}

static size_t tree_put(struct sp_tnode **np);

/* _db_node_put: drop one count; at zero the node's level closes over it
 * and its subtrees lose a count each. *np becomes a sibling or NULL when
 * the node goes. Returns the nodes freed. */
static size_t tunref(struct sp_tnode **np)
{
	struct sp_tnode *n = *np, *lp, *ln, *nt, *nf;
	size_t freed = 1;

	if (!n || !n->refs || --n->refs)
		return 0;
	lp = n->prev;
	ln = n->next;
	nt = n->t;
	nf = n->f;
	if (lp)
		lp->next = NULL;
	if (ln)
		ln->prev = NULL;
	/* one at a time, as libseccomp (the operands of + are unsequenced) */
	freed += tunref(&lp);
	freed += tunref(&ln);
	if (lp)
		lp->next = tref(ln);
	if (ln)
		ln->prev = tref(lp);
	*np = lp ? lp : ln;
	*n = (struct sp_tnode){ .dead = true };
	freed += tree_put(&nt);
	return freed + tree_put(&nf);
}

/* _db_level_clean: a level that nothing but its own sibling links holds
 * is freed whole. */
static size_t level_clean(struct sp_tnode *n)
{
	struct sp_tnode *start;
	size_t freed = 0;
	unsigned guard = 0;

	while (n->prev && guard++ < TREE_WIDTH)
		n = n->prev;
	start = n;
	for (guard = 0; n && guard < TREE_WIDTH; n = n->next, guard++)
		if (n->refs > (unsigned)(n->prev != NULL) + (n->next != NULL))
			return 0;
	/* a put that frees nothing leaves n where it is, and libseccomp puts
	 * it again: each put drops one count until it goes */
	for (n = start, guard = 0; n && !n->dead && guard < TREE_WIDTH; guard++)
		freed += tunref(&n);
	return freed;
}

/* _db_tree_put */
static size_t tree_put(struct sp_tnode **np)
{
	size_t freed = tunref(np);

	if (*np && !(*np)->dead)
		freed += level_clean(*np);
	return freed;
}

static bool tzombie(const struct sp_tnode *n)
{
	return !n->t && !n->f && !n->has_t && !n->has_f;
}

/* _db_tree_remove: find `node` below *tree (depth first, each level from
 * its first node) and unlink it, and any node on the way that is left with
 * neither a next level nor an action. Returns the nodes freed: 0 when the
 * node was only unlinked, which libseccomp counts as no change. */
static size_t tree_remove(struct tree *t, struct sp_tnode **tree, struct sp_tnode *node,
			  unsigned depth)
{
	struct sp_tnode *c;
	size_t freed = 0;
	unsigned guard = 0;

	if (!tree || !*tree || !node || depth > 64)
		return 0;
	for (c = *tree; c->prev && guard++ < TREE_WIDTH;)
		c = c->prev;
	for (guard = 0; c && guard < TREE_WIDTH; c = c->next, guard++) {
		if (!step(&t->steps))
			return freed;
		if (c == node)
			break;
		freed += tree_remove(t, &c->t, node, depth + 1);
		freed += tree_remove(t, &c->f, node, depth + 1);
		if (tzombie(c))
			break;
		if (freed)
			return freed;
	}
	if (!c || guard >= TREE_WIDTH)
		return freed;
	if (c == *tree)
		*tree = c->prev ? c->prev : c->next;
	if (c->prev)
		c->prev->next = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	return freed + tunref(&c);
}

static struct sp_tnode *tnode_new(struct tree *t, unsigned arg, bool hi, enum sp_op op,
				  enum sp_op orig, uint32_t mask, uint32_t datum, uint64_t full)
{
	struct sp_tnode *n = &t->pool[t->used++];

	memset(n, 0, sizeof(*n));
	n->level = (uint8_t)(arg * 2 + hi);
	n->op = op;
	n->op_orig = orig;
	n->mask = mask;
	n->datum = datum & mask;
	n->datum_full = full;
	n->lo_only = t->arg32 >> arg & 1;
	return n;
}

/* Point every open end of the chain so far at n, on the side tf says. */
static void tlink(struct sp_tnode **ends, bool tf, struct sp_tnode *n)
{
	for (size_t i = 0; ends[i]; i++) {
		if (tf)
			ends[i]->t = tref(n);
		else
			ends[i]->f = tref(n);
	}
	memset(ends, 0, 4 * sizeof(*ends));
}

/* The word tests of one 64-bit condition (the diagrams of libseccomp's
 * _db_rule_gen_arg_64): ends/tf say where the chain goes on from here. */
static struct sp_tnode *gen_cond_64(struct tree *t, const struct sp_arg *a, struct sp_tnode **ends,
				    bool *tf)
{
	uint64_t mask = a->op == SP_OP_MASKED_EQ ? a->value : UINT64_MAX;
	uint64_t datum = a->op == SP_OP_MASKED_EQ ? a->value_two : a->value;
	uint32_t mh = (uint32_t)(mask >> 32), ml = (uint32_t)mask;
	uint32_t dh = (uint32_t)(datum >> 32), dl = (uint32_t)datum;
	unsigned arg = (unsigned)a->index;
	struct sp_tnode *c0, *c1, *c2;

	if (a->op == SP_OP_MASKED_EQ && !mh && !ml)
		return NULL; /* always true: libseccomp leaves it out */
	if (a->op == SP_OP_EQ || a->op == SP_OP_NE || a->op == SP_OP_MASKED_EQ) {
		enum sp_op w = a->op == SP_OP_MASKED_EQ ? SP_OP_MASKED_EQ : SP_OP_EQ;
		c0 = tnode_new(t, arg, true, w, a->op, mh, dh, datum);
		c1 = tnode_new(t, arg, false, w, a->op, ml, dl, datum);
		tlink(ends, *tf, c0);
		c0->t = tref(c1);
		ends[0] = a->op == SP_OP_NE ? c0 : c1;
		ends[1] = a->op == SP_OP_NE ? c1 : NULL;
		*tf = a->op != SP_OP_NE;
		return c0;
	}
	c0 = tnode_new(t, arg, true, SP_OP_GT, a->op, mh, dh, datum);
	c1 = tnode_new(t, arg, true, SP_OP_EQ, a->op, mh, dh, datum);
	c2 = tnode_new(t, arg, false, a->op == SP_OP_GT || a->op == SP_OP_LE ? SP_OP_GT : SP_OP_GE,
		       a->op, ml, dl, datum);
	tlink(ends, *tf, c0);
	c0->f = tref(c1);
	c1->t = tref(c2);
	/* GT/GE go on from "hi >" and the low test when true; LT/LE from
	 * "hi ==" and the low test when false */
	*tf = a->op == SP_OP_GT || a->op == SP_OP_GE;
	ends[0] = *tf ? c0 : c1;
	ends[1] = c2;
	return c0;
}

/* One 32-bit word per condition (_db_rule_gen_32): NE, LT and LE are
 * tested as EQ, GE and GT with the chain going on when false. */
static struct sp_tnode *gen_cond_32(struct tree *t, const struct sp_arg *a, struct sp_tnode **ends,
				    bool *tf)
{
	uint32_t mask = a->op == SP_OP_MASKED_EQ ? (uint32_t)a->value : UINT32_MAX;
	uint32_t datum = (uint32_t)(a->op == SP_OP_MASKED_EQ ? a->value_two : a->value);
	enum sp_op w = a->op == SP_OP_NE   ? SP_OP_EQ
		       : a->op == SP_OP_LT ? SP_OP_GE
		       : a->op == SP_OP_LE ? SP_OP_GT
					   : a->op;
	struct sp_tnode *c;

	if (a->op == SP_OP_MASKED_EQ && !mask)
		return NULL;
	c = tnode_new(t, (unsigned)a->index, false, w, a->op, mask, datum,
		      a->op == SP_OP_MASKED_EQ ? a->value_two : a->value);
	tlink(ends, *tf, c);
	ends[0] = c;
	*tf = !(a->op == SP_OP_NE || a->op == SP_OP_LT || a->op == SP_OP_LE);
	return c;
}

/* The chain of one rule as runc adds it (conditions by argument number). */
static struct sp_tnode *gen_chain(struct tree *t, const struct sp_arch *arch,
				  const struct sp_arg *const *args, size_t n, uint32_t ret,
				  const struct sp_rule *src)
{
	struct sp_tnode *ends[4] = { NULL }, *head = NULL, *c;
	size_t first = t->used;
	bool tf = false;

	for (unsigned arg = 0; arg < 6; arg++)
		for (size_t k = 0; k < n; k++) {
			if (args[k]->index != arg)
				continue;
			c = arch->bits == 32 ? gen_cond_32(t, args[k], ends, &tf)
					     : gen_cond_64(t, args[k], ends, &tf);
			if (!head)
				head = c;
		}
	for (size_t i = first; i < t->used; i++)
		t->pool[i].ret = ret;
	tref(head); /* the new rule's own root (s_new->chains) */
	for (size_t i = 0; head && ends[i]; i++) {
		if (tf) {
			ends[i]->has_t = true;
			ends[i]->act_t = ret;
			ends[i]->src_t = src;
		} else {
			ends[i]->has_f = true;
			ends[i]->act_f = ret;
			ends[i]->src_f = src;
		}
	}
	return head;
}

static unsigned op_rank(enum sp_op op)
{
	return op == SP_OP_GE || op == SP_OP_GT ? 1 : op == SP_OP_LE || op == SP_OP_LT ? 2 : 3;
}

/* libseccomp's sibling order (_db_chain_lt): a level is kept with the
 * "greatest" node first. */
static bool tnode_lt(const struct sp_tnode *a, const struct sp_tnode *b)
{
	if (a->level != b->level)
		return a->level < b->level;
	if (op_rank(a->op_orig) != op_rank(b->op_orig))
		return op_rank(a->op_orig) < op_rank(b->op_orig);
	if (a->op_orig == SP_OP_LE || a->op_orig == SP_OP_LT)
		return a->datum > b->datum;
	return a->datum < b->datum;
}

static bool tnode_eq(const struct sp_tnode *a, const struct sp_tnode *b)
{
	return a->level == b->level && a->op == b->op && a->datum == b->datum && a->mask == b->mask;
}

/* The first rule in the level of n (and below) that ends with another
 * action than ret, or NULL (_db_tree_act_check). */
static const struct sp_rule *other_action(const struct sp_tnode *n, uint32_t ret, unsigned depth,
					  size_t *steps)
{
	const struct sp_rule *r = NULL;
	unsigned guard = 0;

	while (n && n->prev && guard++ < TREE_WIDTH && step(steps))
		n = n->prev;
	for (guard = 0; n && !r && depth < 64 && guard < TREE_WIDTH; n = n->next, guard++) {
		if (!step(steps))
			return NULL;
		if (n->has_t && n->act_t != ret)
			return n->src_t;
		if (n->has_f && n->act_f != ret)
			return n->src_f;
		r = other_action(n->t, ret, depth + 1, steps);
		if (!r)
			r = other_action(n->f, ret, depth + 1, steps);
	}
	return r;
}

/* other_action in t's tree. Every action a node holds is the action of
 * the chain that set it (gen_chain, merge_side), so while all chains added
 * share one action, none can be another: the walk (the whole level below,
 * once per rule added, quadratic in the rules on one level) is skipped and
 * the answer is the same. The callers ask about the chain being added,
 * whose action is one_ret then; the test of ret only keeps the shortcut
 * from answering any other question. */
static const struct sp_rule *tree_other_action(struct tree *t, const struct sp_tnode *n,
					       uint32_t ret)
{
	if (!t->mixed_rets && ret == t->one_ret)
		return NULL;
	return other_action(n, ret, 0, &t->steps);
}

static bool tleaf(const struct sp_tnode *n)
{
	return !n->t && !n->f;
}

/* The action of the new node n on one side meets the existing node x. */
static bool merge_side(struct tree *t, struct sp_tnode *x, const struct sp_tnode *n, bool side)
{
	bool xhas = side ? x->has_t : x->has_f;
	uint32_t *xact = side ? &x->act_t : &x->act_f, nact = side ? n->act_t : n->act_f;
	struct sp_tnode **xnext = side ? &x->t : &x->f;

	if (!(side ? n->has_t : n->has_f))
		return true;
	if (!xhas) {
		/* the new chain ends where the old one goes on */
		if ((t->clash = tree_other_action(t, *xnext, nact)))
			return false;
		t->node_cnt -= tunref(xnext);
		*xnext = NULL;
		*xact = nact;
		if (side) {
			x->has_t = true;
			x->src_t = n->src_t;
		} else {
			x->has_f = true;
			x->src_f = n->src_f;
		}
		return true;
	}
	if (*xact == nact)
		return true;
	/* libseccomp 2.5.4 lets the larger 64-bit datum's action win on a
	 * shared high-word node, and on the false side writes the true one */
	if (n->level & 1) {
		if ((side && n->datum_full > x->datum_full) ||
		    (!side && n->datum_full < x->datum_full)) {
			x->act_t = n->act_t;
			x->src_t = n->src_t ? n->src_t : n->src_f;
		}
	}
	if (tleaf(x) || tleaf(n)) {
		t->clash = side ? x->src_t : x->src_f;
		return false;
	}
	return true;
}

/* Add the new chain n into the level *where (_db_tree_add). False: EEXIST. */
static bool tree_add(struct tree *t, struct sp_tnode **where, struct sp_tnode *n, unsigned depth)
{
	struct sp_tnode *x = *where;

	for (unsigned guard = 0; x && guard < TREE_WIDTH && depth < 64; guard++) {
		if (!step(&t->steps))
			return true; /* cut: sp_rs_check_word_tree refuses the syscall */
		if (tnode_eq(x, n)) {
			if (!merge_side(t, x, n, true) || !merge_side(t, x, n, false))
				return false;
			if (n->t) {
				if (x->t) {
					if (!tree_add(t, &x->t, n->t, depth + 1))
						return false;
				} else if (!x->has_t) {
					x->t = tref(n->t);
				} else {
					/* the old chain is shorter: _db_tree_add
					 * returns before the new chain's false side,
					 * which is lost (its hi == V and low test,
					 * for GE/GT) */
					t->narrowed |= n->f != NULL;
					return true;
				}
			}
			if (n->f) {
				if (x->f)
					return tree_add(t, &x->f, n->f, depth + 1);
				if (!x->has_f)
					x->f = tref(n->f);
			}
			return true;
		}
		if (tnode_lt(x, n)) {
			/* the links the neighbours held on each other pass to
			 * n; a first node gains two */
			bool first = !x->prev;
			n->prev = x->prev;
			n->next = first ? tref(x) : x;
			if (x->prev)
				x->prev->next = tref(n);
			x->prev = tref(n);
			if (*where == x) {
				*where = tref(n);
				tunref(&x);
			}
			return true;
		}
		if (!x->next) {
			x->next = tref(n);
			n->prev = tref(x);
			return true;
		}
		x = x->next;
	}
	return true;
}

/* Before adding, libseccomp looks for an existing chain that makes the new
 * one redundant (_db_tree_prune): one whose tests are a subset of the new
 * chain's, on the same path, ending in the same action. Such a rule is
 * dropped and cannot clash. Flags as libseccomp's iteration state. */
enum {
	P_MATCH = 0x1,
	P_ONCE = 0x2,
	P_XFIN = 0x10,
	P_NFIN = 0x20,
	P_XPRE = 0x100,
	P_NPRE = 0x200,
	P_REDUNDANT = P_MATCH | P_XFIN | P_NPRE,
};

struct prune {
	struct tree *t;
	uint32_t ret;
	size_t freed; /* nodes freed: what _db_tree_prune returns */
	bool changed; /* a removal reshaped the tree: no answer is kept */
	struct pmemo *memo;
};

/* Where the walk of a level goes after one node: on to the next, or
 * back to the level above (prune_return). */
enum pnext { P_NEXT, P_DONE };

static size_t pmemo_slot(const struct pmemo *m, const struct sp_tnode *x, const struct sp_tnode *n,
			 unsigned in, unsigned depth)
{
	uint64_t h = (uint64_t)(uintptr_t)x * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)(uintptr_t)n + ((uint64_t)in << 8) + depth) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	for (size_t i = (size_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct pmemo_ent *e = &m->v[i];
		if (e->gen != m->gen ||
		    (e->x == x && e->n == n && e->in == in && e->depth == depth))
			return i;
	}
}

static const struct pmemo_ent *pmemo_get(const struct pmemo *m, const struct sp_tnode *x,
					 const struct sp_tnode *n, unsigned in, unsigned depth)
{
	const struct pmemo_ent *e;

	if (!m->cap)
		return NULL;
	e = &m->v[pmemo_slot(m, x, n, in, depth)];
	return e->gen == m->gen ? e : NULL;
}

/* Remember one answer; out of memory only forgets it (the walk is the same,
 * it costs more steps). */
static void pmemo_put(struct pmemo *m, const struct sp_tnode *x, const struct sp_tnode *n,
		      unsigned in, unsigned depth, unsigned out)
{
	struct pmemo_ent *e;

	if ((m->used + 1) * 2 > m->cap) {
		struct pmemo old = *m;
		size_t cap = old.cap ? old.cap * 2 : PMEMO_FIRST_CAP;
		if (!(m->v = sp_scalloc(m->scratch, cap, sizeof(*m->v)))) {
			*m = old;
			return; /* the table stays at most half full */
		}
		m->cap = cap;
		m->used = 0;
		m->gen = 1;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].gen == old.gen) {
				e = &m->v[pmemo_slot(m, old.v[i].x, old.v[i].n, old.v[i].in,
						     old.v[i].depth)];
				*e = old.v[i];
				e->gen = m->gen;
				m->used++;
			}
		sp_sfree(m->scratch, old.v);
	}
	e = &m->v[pmemo_slot(m, x, n, in, depth)];
	m->used += e->gen != m->gen;
	*e = (struct pmemo_ent){ x, n, m->gen, (uint16_t)in, (uint16_t)out, (uint8_t)depth };
}

/* A new prune: every remembered answer is stale (the tree has changed). */
static void pmemo_reset(struct pmemo *m)
{
	m->used = 0;
	if (++m->gen == 0) { /* wrapped: no entry may look current */
		if (m->cap)
			memset(m->v, 0, m->cap * sizeof(*m->v));
		m->gen = 1;
	}
}

static void prune_scan(struct prune *p, struct sp_tnode *x, struct sp_tnode *n, unsigned *state,
		       unsigned depth);

/* One level down, the walk holding x as _db_tree_prune does (a count taken
 * around the call): when x is freed meanwhile, *xp becomes what
 * _db_node_put leaves, a sibling or NULL. Returns the state from below. */
static unsigned prune_down(struct prune *p, struct sp_tnode **xp, struct sp_tnode *xnext,
			   struct sp_tnode *nnext, unsigned in, unsigned depth)
{
	struct sp_tnode *hold = tref(*xp);

	prune_scan(p, xnext, nnext, &in, depth + 1);
	p->freed += tunref(&hold);
	*xp = hold;
	return in;
}

/* x tests what n tests: look on below both, then remove x where the new
 * chain is the shorter one. */
static enum pnext prune_match(struct prune *p, struct sp_tnode **xp, struct sp_tnode *n,
			      unsigned in, unsigned *st, unsigned depth)
{
	struct sp_tnode *x = *xp;
	unsigned below;

	*st |= P_MATCH | P_ONCE;
	if (tleaf(n))
		*st |= P_NFIN;
	if (tleaf(x))
		*st |= P_XFIN;
	if (((x->has_t || x->t) && !(n->has_t || n->t)) ||
	    ((x->has_f || x->f) && !(n->has_f || n->f)))
		return P_DONE;
	if ((*st & P_NFIN) && (*st & P_XFIN) &&
	    (n->has_t != x->has_t || n->act_t != x->act_t || n->has_f != x->has_f ||
	     n->act_f != x->act_f))
		return P_DONE;
	if (n->t) {
		below = prune_down(p, xp, (*xp)->t, n->t, in | P_MATCH | P_ONCE, depth);
		if (below & P_MATCH)
			*st |= below;
		if (!*xp)
			return P_NEXT;
	}
	if (n->f) {
		below = prune_down(p, xp, (*xp)->f, n->f, in | P_MATCH | P_ONCE, depth);
		if (below & P_MATCH)
			*st |= below;
		if (!*xp)
			return P_NEXT;
	}
	x = *xp;
	if (!(*st & P_MATCH) || tree_other_action(p->t, x, p->ret))
		return P_NEXT;
	if ((*st & P_NFIN) && (*st & P_XPRE)) {
		/* the new chain is shorter: the old one goes */
		p->changed = true;
		p->freed += tree_remove(p->t, &p->t->root, x, 0);
		return p->t->root ? P_NEXT : P_DONE;
	}
	return (*st & P_XFIN) && (*st & P_NPRE) ? P_DONE : P_NEXT; /* longer: done */
}

/* x sorts before n: the old chain may test more first (a prefix in x). */
static enum pnext prune_xprefix(struct prune *p, struct sp_tnode **xp, struct sp_tnode *n,
				unsigned in, unsigned *st, unsigned depth)
{
	unsigned from = (in & ~(unsigned)P_MATCH) | P_XPRE, below;

	if (in & P_NPRE)
		return P_DONE;
	for (int side = 1; side >= 0; side--) {
		struct sp_tnode *down = side ? (*xp)->t : (*xp)->f;
		if (!down)
			continue;
		below = prune_down(p, xp, down, n, from, depth);
		if (below & P_MATCH) {
			*st |= below;
			return P_DONE;
		}
		if (!*xp)
			return P_NEXT;
	}
	return P_NEXT;
}

/* n sorts before x: the new chain may test more first (a prefix in n);
 * the level is walked again from lvl, its first node. */
static enum pnext prune_nprefix(struct prune *p, struct sp_tnode **xp, struct sp_tnode *lvl,
				struct sp_tnode *n, unsigned in, unsigned *st, unsigned depth)
{
	unsigned from = (in & ~(unsigned)P_MATCH) | P_NPRE, below;

	if (in & P_XPRE)
		return P_DONE;
	for (int side = 1; side >= 0; side--) {
		struct sp_tnode *down = side ? n->t : n->f;
		if (!down)
			continue;
		below = prune_down(p, xp, lvl, down, from, depth);
		if (below & P_MATCH) {
			*st |= below;
			return P_DONE;
		}
		if (!*xp)
			return P_NEXT;
		if ((*xp)->level != lvl->level || lvl->dead)
			lvl = *xp;
	}
	return P_NEXT;
}

static void prune_scan(struct prune *p, struct sp_tnode *x, struct sp_tnode *n, unsigned *state,
		       unsigned depth)
{
	unsigned st = *state, in = *state;
	enum pnext next = P_NEXT;
	const struct pmemo_ent *m;
	unsigned guard = 0;
	bool remember = false; /* keep the answer for (first, n, in, depth) */
	bool leaves_pass;
	struct sp_tnode *first = NULL, *xnext;

	if (!n || !x || depth > 64 || (*state & (P_MATCH | P_ONCE)) == P_ONCE)
		goto out;
	while (x->prev && guard++ < TREE_WIDTH && step(&p->t->steps))
		x = x->prev;
	if (!step(&p->t->steps))
		goto out;
	if (!p->changed && (m = pmemo_get(p->memo, x, n, in, depth))) {
		*state = m->out;
		return;
	}
	remember = !p->changed;
	first = x;
	/* a leaf n outside a prefix (no P_NPRE, P_XPRE): a leaf x other
	 * than n leads nowhere, on either branch below (nothing to go down
	 * on, no flag to stop at) */
	leaves_pass = tleaf(n) && !(in & (P_NPRE | P_XPRE));
	for (guard = 0; x && next == P_NEXT && guard < TREE_WIDTH; x = xnext, guard++) {
		if (!step(&p->t->steps))
			goto out;
		xnext = x->next; /* before x can be removed */
		if (leaves_pass && tleaf(x) && !tnode_eq(x, n)) {
			/* as prune_xprefix or prune_nprefix would: P_NEXT */
		} else if (tnode_eq(x, n)) {
			next = prune_match(p, &x, n, in, &st, depth);
		} else if (tnode_lt(x, n)) {
			next = prune_xprefix(p, &x, n, in, &st, depth);
		} else {
			/* from the level's first node, which the scan below
			 * would rewind to (unless the level loops or a
			 * removal changed it) */
			struct sp_tnode *lvl = first->prev || p->changed ? x : first;
			next = prune_nprefix(p, &x, lvl, n, in, &st, depth);
		}
		if (xnext && xnext->dead)
			xnext = NULL; /* freed under the walk: libseccomp reads freed memory */
	}
	if (next == P_NEXT)
		st &= ~(unsigned)P_MATCH;
out:
	if (st & P_MATCH)
		*state |= st;
	else
		*state &= ~(unsigned)P_MATCH;
	if (remember && !p->changed)
		pmemo_put(p->memo, first, n, in, depth, *state);
}

/* db.c db_rule_add for one rule as runc adds it: prune, then add or drop. False: libseccomp's -EEXIST. */
static bool tree_rule_add(struct tree *t, const struct sp_arch *arch,
			  const struct sp_arg *const *args, size_t n, uint32_t ret,
			  const struct sp_rule *src)
{
	struct sp_tnode *head;
	struct prune p = { .t = t, .ret = ret, .memo = &t->memo };
	unsigned state = 0;
	size_t made = t->used; /* s_new->node_cnt: the nodes gen_chain makes */
	bool added;

	if (t->uncond)
		return true; /* the syscall is decided: libseccomp drops the rule */
	t->mixed_rets |= t->any_chain && ret != t->one_ret;
	t->one_ret = ret;
	t->any_chain = true;
	head = n ? gen_chain(t, arch, args, n, ret, src) : NULL;
	made = t->used - made;
	if (t->dry)
		return true;
	if (!head) {
		t->uncond = true; /* no conditions left: replaces the tree */
		t->root = NULL;
		t->node_cnt = 0;
		return true;
	}
	if (!t->root) {
		t->root = head;
		t->node_cnt = made;
		return true;
	}
	pmemo_reset(&t->memo);
	prune_scan(&p, t->root, head, &state, 0);
	t->node_cnt -= p.freed;
	if (!t->root) {
		/* the prune took every old chain: the new one is the tree (with
		 * nothing freed libseccomp would go on to add into an empty
		 * tree and crash; it cannot happen, as a first-level node is
		 * held by the root alone) */
		t->root = head;
		t->node_cnt = made;
		return true;
	}
	if (!p.freed && (state & P_REDUNDANT) == P_REDUNDANT)
		return true; /* an old chain is shorter: the new one is dropped */
	t->node_cnt += made;
	added = tree_add(t, &t->root, head, 0);
	t->node_cnt -= tree_put(&head);
	return added;
}

static int cmp_tnode_key(const void *x, const void *y)
{
	const struct sp_tnode *a = *(const struct sp_tnode *const *)x,
			      *b = *(const struct sp_tnode *const *)y;

	if (a->level != b->level)
		return a->level < b->level ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	return (a->datum > b->datum) - (a->datum < b->datum);
}

/* Every -EEXIST needs a new node that carries an action to equal an old
 * node of a rule with another action. Without such a pair of word tests
 * (the common case: many rules, each on its own value) the tree cannot
 * refuse, and replaying it (quadratic in rules that share a level, as in
 * libseccomp) is skipped. *may is set on out of memory too. */
static void may_clash(const struct tree *t, bool *may)
{
	const struct sp_tnode **v =
		sp_salloc(t->memo.scratch, (t->used ? t->used : 1) * sizeof(*v));

	*may = true;
	if (!v)
		return;
	for (size_t i = 0; i < t->used; i++)
		v[i] = &t->pool[i];
	qsort(v, t->used, sizeof(*v), cmp_tnode_key);
	*may = false;
	for (size_t i = 0, j; i < t->used && !*may; i = j) {
		bool carries = false, mixed = false;
		for (j = i; j < t->used && !cmp_tnode_key(&v[i], &v[j]); j++) {
			carries |= v[j]->has_t || v[j]->has_f;
			mixed |= v[j]->ret != v[i]->ret;
		}
		*may = carries && mixed;
	}
	sp_sfree(t->memo.scratch, v);
}

/* Replay one syscall's rules in profile order into libseccomp's word tree;
 * refuse (as sp_rs_clash) where db_rule_add would fail with -EEXIST. */
static bool replay_entries(struct tree *t, const struct sp_arch *a, const struct entry *e, size_t n,
			   const struct sp_rule **failed)
{
	for (size_t i = 0; i < n && !t->uncond; i++) {
		const struct sp_rule *rule = e[i].rule;
		const struct sp_arg *args[6];
		struct sp_arg narrow[6];
		bool split = sp_rs_index_repeats(rule);
		size_t nadd = split ? rule->nargs : 1;

		for (size_t k = 0; k < nadd; k++) {
			size_t m = split ? 1 : rule->nargs;
			for (size_t j = 0; j < m; j++) {
				args[j] = &rule->args[split ? k : j];
				if (t->arg32) {
					narrow[j] = sp_rs_narrow_arg(args[j], t->arg32);
					args[j] = &narrow[j];
				}
			}
			if (!tree_rule_add(t, a, args, m, sp_rule_ret(rule), rule)) {
				*failed = rule;
				return false;
			}
		}
	}
	return true;
}

/* Visits of the kept tree as libseccomp's generator walks it (each level
 * from its first sibling, each side once): bounded, so that a tree whose
 * links libseccomp would share or loop is refused, not compiled. */
static bool tree_walk_bounded(const struct sp_tnode *n, unsigned depth, size_t *budget)
{
	if (!n)
		return true;
	if (depth > 64)
		return false;
	while (n->prev) {
		if (!(*budget)--)
			return false;
		n = n->prev;
	}
	for (; n; n = n->next) {
		if (!(*budget)-- || !tree_walk_bounded(n->t, depth + 1, budget) ||
		    !tree_walk_bounded(n->f, depth + 1, budget))
			return false;
	}
	return true;
}

/* The replay spent the profile's budget: its answer is cut short, so
 * refuse rather than decide from it (fail closed). */
static int too_much_work(struct build *b, const struct sp_rule *at, const char *name)
{
	return sp_err(
		b->err, SECPROF_E_LIMIT, b->file, at ? &at->loc : NULL, NULL,
		"syscall \"%s\": replaying libseccomp's argument tree for rules of different actions takes more than %u steps in this profile, secprof's limit",
		name, SP_REPLAY_STEPS);
}

/* Replay one syscall's rules into libseccomp's word tree and refuse what
 * it refuses. `keep` (the syscall's sysrule, NULL for a pseudo number):
 * where its conditional rules have two actions, the tree is kept there to
 * decide (ruleset.h, sp_tnode). `cc` (may be NULL): the chain-level
 * check's candidate, named in the message when the replay refuses too. */
static int replay_syscall(struct build *b, const struct sp_arch *a, struct sp_sysrule *keep,
			  const char *name, const struct entry *e, size_t n,
			  const struct chain_clash *cc, const struct sp_rule *first, size_t adds);

void sp_rs_clash_scan_add(struct clash_scan *s, const struct sp_rule *rule)
{
	if (!rule->nargs)
		return;
	s->adds += rule->nargs;
	if (!s->first) {
		s->first = rule;
		s->first_ret = sp_rule_ret(rule);
	} else {
		s->mixed |= sp_rule_ret(rule) != s->first_ret;
	}
}

int sp_rs_check_word_tree(struct build *b, const struct sp_arch *a, struct sp_sysrule *keep,
			  const char *name, const struct entry *e, size_t n,
			  const struct chain_clash *cc)
{
	struct clash_scan s = { 0 };

	/* only conditional rules make nodes, and a clash needs two actions:
	 * nearly every syscall returns here, so the replay's large frame is
	 * set up only past this scan (replay_syscall) */
	for (size_t i = 0; i < n; i++)
		sp_rs_clash_scan_add(&s, e[i].rule);
	if (!sp_rs_clash_scan_may(&s))
		return 0;
	return replay_syscall(b, a, keep, name, e, n, cc, s.first, s.adds);
}

__attribute__((noinline)) static int replay_syscall(struct build *b, const struct sp_arch *a,
						    struct sp_sysrule *keep, const char *name,
						    const struct entry *e, size_t n,
						    const struct chain_clash *cc,
						    const struct sp_rule *first, size_t adds)
{
	struct tree t;
	const struct sp_rule *failed = NULL;
	bool may = true;
	int rc = 0;

	if (keep && keep->uncond)
		keep = NULL; /* an unconditional rule decides: no tree is left */
	/* With at most TREE_MAX_CONDS conditions no sibling walk of the model
	 * (3 nodes per condition) reaches TREE_WIDTH and no chain the depth
	 * bound, so the kept tree is libseccomp's whole; past it, refuse
	 * rather than decide from a cut tree. */
	if (keep && adds > TREE_MAX_CONDS)
		return sp_err(
			b->err, SECPROF_E_LIMIT, b->file, &first->loc, NULL,
			"syscall \"%s\" has %zu argument conditions in rules of different actions: secprof reproduces libseccomp's order for at most %u",
			name, adds, TREE_MAX_CONDS);
	t = (struct tree){ .dry = true,
			   .cap = adds * 3 * 6,
			   .arg32 = sp_rs_entries_arg32(b, a, e, n),
			   .memo.scratch = b->scratch };
	t.pool = keep ? sp_arena_alloc_raw(&b->rs->arena, t.cap * sizeof(*t.pool))
		      : sp_salloc(b->scratch, t.cap * sizeof(*t.pool));
	if (!t.pool)
		return sp_err_oom(b->err);
	if (!keep) { /* only the refusal is wanted: skip the replay if none can be */
		replay_entries(&t, a, e, n, &failed);
		may_clash(&t, &may);
	}
	t = (struct tree){ .pool = t.pool,
			   .cap = t.cap,
			   .steps = b->steps,
			   .arg32 = t.arg32,
			   .memo.scratch = b->scratch };
	if (may && !replay_entries(&t, a, e, n, &failed) && t.steps) {
		struct sp_sysrule s = { .name = name };
		rc = cc && cc->x
			     ? sp_rs_clash(b, &s, cc->x, cc->y, cc->how)
			     : sp_rs_clash(
				       b, &s, t.clash, failed,
				       "a test of a 32-bit half of an argument that libseccomp shares with");
	}
	b->steps = t.steps;
	if (!rc && !t.steps)
		rc = too_much_work(b, first, name);
	if (!rc && keep) {
		/* a level shared by two parents (scmpacc.c shared_level) is
		 * walked once from each, as libseccomp's generator walks it:
		 * 4 visits a node were too few for trees runc compiles (random
		 * profile seeds 7020624 and 7218322 of test_equiv) */
		size_t budget = 64 * t.used + 4096;
		if (!tree_walk_bounded(t.root, 0, &budget))
			rc = sp_err(
				b->err, SECPROF_E_LIMIT, b->file, &first->loc, NULL,
				"the argument rules for syscall \"%s\" make a tree whose shared or looping links secprof cannot bound: it refuses the profile rather than compile a part of it",
				name);
		if (!sp_sys_set(&b->rs->arena, keep, t.root, sp_sys_wide(keep)))
			rc = sp_err_oom(b->err);
	}
	sp_sfree(b->scratch, t.memo.v);
	if (!keep)
		sp_sfree(b->scratch, t.pool);
	return rc;
}

/* Does an action of the word tree come from `rule`? (bounded: the tree was
 * checked with tree_walk_bounded when it was kept) */
bool sp_rs_tree_has_src(const struct sp_tnode *n, const struct sp_rule *rule)
{
	if (!n)
		return false;
	while (n->prev)
		n = n->prev;
	for (; n; n = n->next)
		if ((n->has_t && n->src_t == rule) || (n->has_f && n->src_f == rule) ||
		    sp_rs_tree_has_src(n->t, rule) || sp_rs_tree_has_src(n->f, rule))
			return true;
	return false;
}

/* libseccomp's word tree for one syscall's entries as runc adds them (the
 * profile's own values: runc adds them uncut). w->pool is the caller's to
 * free; w->root stays NULL when no conditional chain is left (none, or an
 * unconditional rule replaced them). False when the replay refuses or runs
 * out of steps. */
bool sp_rs_word_tree_replay(struct build *b, const struct sp_arch *a, const struct entry *e,
			    size_t n, struct sp_word_tree *w)
{
	size_t adds = 0;
	const struct sp_rule *failed = NULL;
	struct tree t;
	bool ok;

	for (size_t i = 0; i < n; i++)
		adds += e[i].rule->nargs;
	*w = (struct sp_word_tree){ 0 };
	t = (struct tree){ .cap = adds * 3 * 6 + 1, .steps = b->steps, .memo.scratch = b->scratch };
	t.pool = w->pool = sp_salloc(b->scratch, t.cap * sizeof(*t.pool));
	ok = t.pool && replay_entries(&t, a, e, n, &failed) && t.steps;
	b->steps = t.steps;
	sp_sfree(b->scratch, t.memo.v);
	if (ok && !t.uncond && t.root) {
		w->root = t.root;
		w->nodes = t.node_cnt; /* _sys_priority_sort (gen_bpf.c) orders by it */
		w->used = t.used;
		w->narrowed = t.narrowed;
	}
	return ok && w->nodes != SIZE_MAX;
}

size_t sp_rs_word_tree_nodes(struct build *b, const struct sp_arch *a, const struct entry *e,
			     size_t n)
{
	struct sp_word_tree w;
	size_t count = sp_rs_word_tree_replay(b, a, e, n, &w) ? w.nodes : SIZE_MAX;

	sp_sfree(b->scratch, w.pool);
	return count;
}
