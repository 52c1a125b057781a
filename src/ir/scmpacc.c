/* scmpacc.c - libseccomp 2.5.4's stale accumulator (docs/COMPAT.md §4.4,
 * listed exception 4 of tests/compat/README.md), modelled.
 *
 * libseccomp's generator (gen_bpf.c) leaves out a load where it believes
 * the accumulator already holds the word a node tests, and that belief can
 * be wrong: a node is also reached when the level below the node before it
 * falls through, holding another word. Whether a load is put back depends
 * on where the block lands in the program (_gen_bpf_build_bpf). So runc's
 * filter can compare a word the rules never named, and decide otherwise
 * than the profile, in either direction.
 *
 * This file builds libseccomp's blocks for every syscall with conditional
 * rules the way gen_bpf.c does (_gen_bpf_node, _gen_bpf_chain,
 * _gen_bpf_chain_lvl_res: equal blocks are one, as _hsh_add makes them),
 * lays them out as _gen_bpf_build_bpf does (each block after the first
 * block found jumping to it, a load prepended when that block ends with
 * another word), and runs the result: for each syscall, the decisions of
 * runc's program become a decision DAG whose nodes test the word the
 * accumulator really holds. Where one of them tests another word than its
 * rule's, the syscall gets a twin (sp_sysrule_more.wide) deciding the stricter
 * of libseccomp's rules as written and that program, so the call gets the
 * stricter of the profile's verdict and runc's: never less strict than
 * docker run.
 *
 * The layout depends on the order in which libseccomp visits the syscall
 * blocks, which differs between OPTIMIZE 1 (Debian 12's runc 1.1.5, always;
 * current runc up to 32 rules) and 2 (current runc above 32 rules, the
 * binary tree): both are laid out where both can be runc's, and the twin
 * takes the stricter of all. */
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

#define ACC_UNDEF 0xffu
#define ACC_NR 0xfeu
#define MASK_ALL 0xffffffffu
/* work bounds: blocks of the whole profile, nodes of one syscall's DAG */
#define MODEL_MAX_BLOCKS (1u << 18)
#define MODEL_MAX_NODES (1u << 16)
#define LEVEL_MAX 4096u
/* levels below one another: a chain has at most three per condition
 * (hi >, hi ==, lo) and seven conditions (a multiplexer's arg0 test and
 * six), so more is a loop through the true or false sides */
#define DEPTH_MAX 64u

/* An index over a vector's items by content (the blocks, the DAG's
 * keys): open addressing, each slot an item's index + 1, at most half full. */
struct vindex {
	uint32_t *tab;
	size_t cap;
	uint64_t (*hash)(const void *item);
	bool (*same)(const void *a, const void *b);
	struct sp_scratch *scratch; /* where tab goes: the build's */
};

static const void *vec_at(const struct sp_vec *v, size_t i)
{
	return (const char *)v->items + i * v->item_size;
}

/* Room for one more item of v: the table doubled and v's items put back. */
static bool vindex_reserve(struct vindex *x, const struct sp_vec *v)
{
	size_t cap = x->cap ? x->cap * 2 : 256;
	uint32_t *tab;

	if ((v->len + 1) * 2 <= x->cap)
		return true;
	if (!(tab = sp_scalloc(x->scratch, cap, sizeof(*tab))))
		return false;
	for (uint32_t i = 0; i < v->len; i++) {
		size_t k = x->hash(vec_at(v, i)) & (cap - 1);
		while (tab[k])
			k = (k + 1) & (cap - 1);
		tab[k] = i + 1;
	}
	sp_sfree(x->scratch, x->tab);
	x->tab = tab;
	x->cap = cap;
	return true;
}

/* The index + 1 of v's item equal to key, or 0 and *slot where it goes
 * (after vindex_reserve). */
static uint32_t vindex_find(const struct vindex *x, const struct sp_vec *v, const void *key,
			    size_t *slot)
{
	size_t k = x->hash(key) & (x->cap - 1);

	for (; x->tab[k]; k = (k + 1) & (x->cap - 1))
		if (x->same(vec_at(v, x->tab[k] - 1), key))
			return x->tab[k];
	*slot = k;
	return 0;
}

/* What gen_bpf.c believes the accumulator holds (struct acc_state): a
 * word (tree level: arg * 2 + high) and the mask ANDed into it. */
struct acc {
	uint8_t word;
	uint32_t mask;
};

static bool acc_eq(struct acc a, struct acc b)
{
	return a.word == b.word && a.mask == b.mask;
}

/* A jump: a return of some action, or a block. */
struct tgt {
	bool blk;
	uint32_t v;
};

/* One block of _gen_bpf_node: [ld word] [and mask] jXX datum, jt, jf. */
struct mblk {
	/* what _hsh_add compares: the instructions and both states */
	bool ld, and_;
	uint8_t word;
	uint32_t mask; /* the node's own mask (the AND's when and_) */
	enum sp_op op;
	uint32_t datum;
	struct tgt jt, jf;
	struct acc start, end;
	/* not compared */
	const struct sp_tnode *node; /* the first node that made it */
	bool found[2], prepend[2];   /* the layout, per visiting order */
};

/* A syscall with conditional rules, as the model sees it. */
struct msys {
	size_t ai;
	struct sp_sysrule *s;
	uint32_t nr;                 /* as libseccomp numbers it (x32 with its bit) */
	size_t nodes;                /* db.c node_cnt: OPTIMIZE 1 sorts by it */
	size_t section;              /* x86_64 and x32 together are one */
	bool secondary;              /* the second filter of that section */
	const struct sp_tnode *root; /* libseccomp's word tree (a replay) */
	struct tgt head;             /* its first block */
	bool may_stale;
	/* libseccomp's tree may decide otherwise than the chains: a level
	 * with two parents and two nodes (shared_level), or a rule a merge
	 * lost a part of (tree.c tree_add) */
	bool merged;
	size_t seq; /* its place among the syscalls collected (struct collect) */
};

struct model {
	struct build *b;
	struct sp_vec blks;       /* struct mblk */
	struct vindex by_content; /* blks, by what _hsh_add compares */
	bool full;                /* a bound was reached */
	bool long_level;          /* of them: a level of more than LEVEL_MAX nodes, or a loop */
	unsigned depth;           /* gen_level's recursion */
	uint32_t *seen;           /* per block: the stamp of the last walk (layouts_agree) */
	uint32_t stamp;
};

static struct mblk *blk_at(struct model *m, uint32_t i)
{
	return (struct mblk *)m->blks.items + i;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xbf58476d1ce4e5b9ull;
}

static uint64_t blk_hash(const void *item)
{
	const struct mblk *x = item;
	uint64_t h = mix(0, (uint64_t)x->ld << 1 | x->and_);
	h = mix(h, (uint64_t)x->word << 40 | (uint64_t)x->op << 32 | x->mask);
	h = mix(h, x->datum);
	h = mix(h, (uint64_t)x->jt.blk << 32 | x->jt.v);
	h = mix(h, (uint64_t)x->jf.blk << 32 | x->jf.v);
	h = mix(h, (uint64_t)x->start.word << 32 | x->start.mask);
	return mix(h, (uint64_t)x->end.word << 32 | x->end.mask);
}

static bool blk_same(const void *a, const void *b)
{
	const struct mblk *x = a, *y = b;
	return x->ld == y->ld && x->and_ == y->and_ && x->word == y->word && x->mask == y->mask &&
	       x->op == y->op && x->datum == y->datum && x->jt.blk == y->jt.blk &&
	       x->jt.v == y->jt.v && x->jf.blk == y->jf.blk && x->jf.v == y->jf.v &&
	       acc_eq(x->start, y->start) && acc_eq(x->end, y->end);
}

/* The block equal to x (_hsh_add: one block per content), added if new. */
static bool cons(struct model *m, const struct mblk *x, struct tgt *out)
{
	size_t slot;
	uint32_t have;
	struct mblk *item;

	if (!vindex_reserve(&m->by_content, &m->blks))
		return false;
	if ((have = vindex_find(&m->by_content, &m->blks, x, &slot))) {
		*out = (struct tgt){ true, have - 1 };
		return true;
	}
	if (m->blks.len >= MODEL_MAX_BLOCKS) {
		m->full = true;
		return false;
	}
	if (!(item = sp_vec_push(&m->blks)))
		return false;
	*item = *x;
	m->by_content.tab[slot] = (uint32_t)m->blks.len;
	*out = (struct tgt){ true, (uint32_t)m->blks.len - 1 };
	return true;
}

/* _gen_bpf_node: the block of one node, given what the generator believes
 * A holds (*acc, updated as the block leaves it). */
static void gen_node(const struct sp_tnode *n, struct acc *acc, struct mblk *x)
{
	/* a masked == is a JEQ like ==, its mask an AND only where A is not
	 * masked so already: _hsh_add merges the two when they match */
	*x = (struct mblk){ .word = n->level,
			    .mask = n->mask,
			    .op = n->op == SP_OP_MASKED_EQ ? SP_OP_EQ : n->op,
			    .datum = n->datum,
			    .node = n,
			    .start = *acc };
	if (n->level != acc->word || (n->mask & acc->mask) != n->mask) {
		x->ld = true;
		x->start = (struct acc){ ACC_UNDEF, MASK_ALL };
		*acc = (struct acc){ n->level, MASK_ALL };
	}
	if (n->mask != acc->mask) {
		x->and_ = true;
		acc->mask = n->mask;
	}
	x->end = *acc;
}

static bool gen_level(struct model *m, const struct sp_tnode *n, struct tgt nxt, struct acc acc,
		      struct tgt *out);

/* Where one side of a node goes: down a level (its fall-through is the
 * node's next, _gen_bpf_chain_lvl_res), to an action, or on. */
static bool gen_side(struct model *m, const struct sp_tnode *down, bool has, uint32_t act,
		     struct tgt nx, struct acc end, struct tgt *out)
{
	if (down)
		return gen_level(m, down, nx, end, out);
	*out = has ? (struct tgt){ false, act } : nx;
	return true;
}

/* A level of at most this many nodes keeps its blocks on the stack (a
 * real profile's levels have a few: a malloc each was a tenth of the
 * model's work on Docker's default); gen_level's recursion is bounded by
 * DEPTH_MAX, so the frames stay within 64 times this. */
#define SMALL_LEVEL 8u

/* _gen_bpf_chain: the blocks of one level, the accumulator state threaded
 * through the siblings; resolved from the last, each node's "next" being
 * the block after it (or the level's nxt). */
static bool gen_level_at(struct model *m, const struct sp_tnode *n, struct tgt nxt, struct acc acc,
			 struct tgt *out)
{
	const struct sp_tnode *first = n;
	struct mblk small[SMALL_LEVEL], *lv;
	size_t k = 0;
	bool ok = true;

	for (size_t w = 0; first->prev; w++) {
		if (w >= LEVEL_MAX)
			return !(m->full = m->long_level = true);
		first = first->prev;
	}
	for (n = first; n; n = n->next)
		if (++k > LEVEL_MAX)
			return !(m->full = m->long_level = true);
	if (!(lv = k <= SMALL_LEVEL ? small : sp_salloc(m->b->scratch, k * sizeof(*lv))))
		return false;
	n = first;
	for (size_t i = 0; i < k; i++, n = n->next)
		gen_node(n, &acc, &lv[i]);
	for (size_t i = k; ok && i-- > 0;) {
		struct tgt nx = i + 1 == k ? nxt : *out;
		n = lv[i].node;
		ok = gen_side(m, n->t, n->has_t, n->act_t, nx, lv[i].end, &lv[i].jt) &&
		     gen_side(m, n->f, n->has_f, n->act_f, nx, lv[i].end, &lv[i].jf) &&
		     cons(m, &lv[i], out);
	}
	if (lv != small)
		sp_sfree(m->b->scratch, lv);
	return ok;
}

static bool gen_level(struct model *m, const struct sp_tnode *n, struct tgt nxt, struct acc acc,
		      struct tgt *out)
{
	bool ok;

	if (m->depth >= DEPTH_MAX)
		return !(m->full = m->long_level = true);
	m->depth++;
	ok = gen_level_at(m, n, nxt, acc, out);
	m->depth--;
	return ok;
}

/* ---- the layout (_gen_bpf_build_bpf) ----------------------------------------
 *
 * From the end of the block list back, the first block with a jump to a
 * block not yet placed gets that block right after it (its jumps from the
 * last instruction back, jt before jf), and the scan starts again from the
 * end: a depth-first walk, each block placed after the first block found
 * jumping to it. A block that trusts the accumulator (acc_start defined)
 * gets a load in front when the block it follows ends with another state. */

struct frame {
	uint32_t blk;
	uint8_t side;
};

static void pull(struct model *m, int order, struct acc from, struct tgt t, struct sp_vec *stack)
{
	struct mblk *x;
	struct frame *f;

	if (!t.blk || (x = blk_at(m, t.v))->found[order])
		return;
	x->found[order] = true;
	x->prepend[order] = x->start.word != ACC_UNDEF && !acc_eq(from, x->start);
	if ((f = sp_vec_push(stack)))
		*f = (struct frame){ t.v, 0 };
	else
		m->full = true;
}

static void lay_out(struct model *m, int order, struct tgt head, struct sp_vec *stack)
{
	pull(m, order, (struct acc){ ACC_NR, MASK_ALL }, head, stack);
	while (stack->len) {
		struct frame *f = (struct frame *)stack->items + stack->len - 1;
		struct mblk *x = blk_at(m, f->blk);
		struct acc end = x->end;
		if (f->side == 2) {
			stack->len--;
			continue;
		}
		pull(m, order, end, f->side++ ? x->jf : x->jt, stack);
	}
}

/* The order libseccomp visits the syscall blocks in: sections from the
 * last, each section's list from its end. OPTIMIZE 1 lists a section by
 * priority (_sys_priority_sort: fewest nodes first, ties in the db's order,
 * the primary filter's before the secondary's); OPTIMIZE 2 by number,
 * highest first (_sys_num_sort). */
static int cmp_visit1(const void *x, const void *y)
{
	const struct msys *a = x, *b = y;

	if (a->section != b->section)
		return a->section > b->section ? -1 : 1;
	if (a->nodes != b->nodes)
		return a->nodes > b->nodes ? -1 : 1;
	if (a->secondary != b->secondary)
		return a->secondary ? -1 : 1;
	return (a->nr < b->nr) - (a->nr > b->nr);
}

static int cmp_visit2(const void *x, const void *y)
{
	const struct msys *a = x, *b = y;

	if (a->section != b->section)
		return a->section > b->section ? -1 : 1;
	return (a->nr > b->nr) - (a->nr < b->nr);
}

/* ---- runc's program, run: the decision DAG ----------------------------------
 *
 * Each phase runs the syscall's blocks once: PHASE_AS_WRITTEN with every
 * node loading its own word (the rules as libseccomp means them: needed
 * where this twin takes the place of a 64-bit one), the others as one
 * layout left them, the accumulator carried along the path. A phase's
 * return goes on to the next phase from the syscall's first block,
 * carrying the stricter verdict so far, and the last returns it: one DAG
 * deciding the stricter of all. A node per (block, phase, what A holds,
 * verdict so far): the blocks times a few, and most syscalls need one
 * phase (the layouts agree on their blocks), so nothing is carried. */

#define PHASE_AS_WRITTEN (-1)
#define DAG_MAX_DEPTH 2048u /* the walk, and compile.c's emission, recurse */

struct rkey {
	uint32_t blk;
	uint8_t phase;
	bool has_carry;
	struct acc a;
	uint32_t carry; /* the stricter of the earlier phases' verdicts */
};

/* A side of a DAG node: node index + 1, or 0 and the action with the
 * rule it came from (NULL: the default). */
struct dside {
	uint32_t node1;
	uint32_t act;
	const struct sp_rule *src;
};

struct dnode {
	struct sp_tnode n;
	struct dside t, f;
};

enum dag_fault { DAG_OK, DAG_TOO_BIG, DAG_TOO_DEEP, DAG_UNPLACED };

struct dag {
	struct model *m;
	struct tgt head;
	int phases[3]; /* PHASE_AS_WRITTEN or a layout's order */
	size_t nphases;
	struct sp_vec nodes; /* struct dnode */
	struct sp_vec keys;  /* struct rkey, one per node */
	struct vindex by_key;
	bool stale; /* a node tests another word than its rule's */
	enum dag_fault fault;
};

static uint64_t key_hash(const void *item)
{
	const struct rkey *k = item;
	uint64_t h = mix(k->blk, (uint64_t)k->phase << 40 | (uint64_t)k->a.word << 32 | k->a.mask);
	return mix(h, (uint64_t)k->has_carry << 32 | k->carry);
}

static bool key_same(const void *a, const void *b)
{
	const struct rkey *x = a, *y = b;
	return x->blk == y->blk && x->phase == y->phase && acc_eq(x->a, y->a) &&
	       x->has_carry == y->has_carry && x->carry == y->carry;
}

/* Where the phases have got to: the stricter verdict so far and its rule
 * (the rule is for explanations: nodes are shared whatever rule brought
 * the verdict, so it is the first path's). */
struct carry {
	bool has;
	uint32_t act;
	const struct sp_rule *src;
};

static bool dag_at(struct dag *d, uint8_t phase, struct tgt t, const struct sp_rule *src,
		   struct acc a, struct carry c, unsigned depth, struct dside *out);

static bool dag_fail(struct dag *d, enum dag_fault f)
{
	d->fault = f;
	return false;
}

/* A return of `phase` (src: its rule): the stricter verdict so far (on a
 * tie, as between two errnos, the later phase's: runc's program, Debian's
 * layout last), then the next phase from the syscall's first block (A
 * holds the number there). */
static bool dag_ret(struct dag *d, uint8_t phase, uint32_t act, const struct sp_rule *src,
		    struct carry c, unsigned depth, struct dside *out)
{
	if (!c.has || !sp_ret_stricter(c.act, act))
		c = (struct carry){ true, act, src };
	if ((size_t)phase + 1 >= d->nphases) {
		*out = (struct dside){ 0, c.act, c.src };
		return true;
	}
	return dag_at(d, (uint8_t)(phase + 1), d->head, NULL, (struct acc){ ACC_NR, MASK_ALL }, c,
		      depth + 1, out);
}

/* Does x load in `phase` (its own load, or one the layout put back)? */
static bool loads(const struct dag *d, uint8_t phase, const struct mblk *x)
{
	int order = d->phases[phase];

	return order == PHASE_AS_WRITTEN || x->ld || x->prepend[order];
}

/* What A holds when x compares, in `phase`, arriving with `a`. */
static struct acc acc_run(const struct dag *d, uint8_t phase, const struct mblk *x, struct acc a)
{
	int order = d->phases[phase];

	if (order == PHASE_AS_WRITTEN)
		return (struct acc){ x->word, x->mask }; /* its own word, as the rule says */
	if (x->ld)
		a = (struct acc){ x->word, MASK_ALL };
	else if (x->prepend[order]) /* ld start, then AND its mask */
		a = x->start;
	if (x->and_)
		a.mask &= x->mask;
	return a;
}

static bool dag_node(struct dag *d, uint8_t phase, const struct mblk *x, struct acc run,
		     const struct rkey *key, struct carry c, size_t slot, unsigned depth,
		     struct dside *out)
{
	uint32_t idx = (uint32_t)d->nodes.len;
	struct dnode *dn;
	struct rkey *k;
	struct dside t, f;
	enum sp_op op = x->op;

	if (idx >= MODEL_MAX_NODES)
		return dag_fail(d, DAG_TOO_BIG);
	if (run.word >= 12) /* A holds no argument: the layout cannot be */
		return dag_fail(d, DAG_UNPLACED);
	if (run.mask != MASK_ALL && op == SP_OP_EQ)
		op = SP_OP_MASKED_EQ; /* (A & mask) == datum; a range test keeps
					 its op and the mask (compile.c emit_tnode) */
	d->stale |= run.word != x->word || run.mask != x->mask;
	if (!(dn = sp_vec_push(&d->nodes)) || !(k = sp_vec_push(&d->keys)))
		return false;
	*k = *key;
	d->by_key.tab[slot] = idx + 1;
	/* a return is the node's own action, or the level falling through to
	 * the default */
	if (!dag_at(d, phase, x->jt, x->node->has_t ? x->node->src_t : NULL, run, c, depth + 1,
		    &t) ||
	    !dag_at(d, phase, x->jf, x->node->has_f ? x->node->src_f : NULL, run, c, depth + 1, &f))
		return false;
	dn = (struct dnode *)d->nodes.items + idx;
	dn->n = (struct sp_tnode){ .level = run.word,
				   .op = op,
				   .op_orig = x->node->op_orig,
				   .mask = run.mask,
				   .datum = x->datum,
				   .datum_full = x->node->datum_full,
				   .src_t = t.src,
				   .src_f = f.src,
				   .ret = x->node->ret };
	dn->t = t;
	dn->f = f;
	*out = (struct dside){ idx + 1, 0, NULL };
	return true;
}

static bool dag_at(struct dag *d, uint8_t phase, struct tgt t, const struct sp_rule *src,
		   struct acc a, struct carry c, unsigned depth, struct dside *out)
{
	const struct mblk *x;
	struct rkey key;
	size_t slot = 0;
	uint32_t have;

	if (d->fault)
		return false;
	if (depth > DAG_MAX_DEPTH)
		return dag_fail(d, DAG_TOO_DEEP);
	if (!t.blk)
		return dag_ret(d, phase, t.v, src, c, depth, out);
	x = blk_at(d->m, t.v);
	if (d->phases[phase] != PHASE_AS_WRITTEN && !x->found[d->phases[phase]])
		return dag_fail(d, DAG_UNPLACED); /* not laid out: cannot be */
	/* what A held matters only to a block that does not load */
	key = (struct rkey){ t.v, phase, c.has,
			     loads(d, phase, x) ? (struct acc){ ACC_UNDEF, MASK_ALL } : a,
			     c.has ? c.act : 0 };
	if (!vindex_reserve(&d->by_key, &d->keys))
		return false;
	if ((have = vindex_find(&d->by_key, &d->keys, &key, &slot))) {
		*out = (struct dside){ have, 0, NULL };
		return true;
	}
	return dag_node(d, phase, x, acc_run(d, phase, x, a), &key, c, slot, depth, out);
}

static void dag_free(struct dag *d)
{
	sp_sfree(d->by_key.scratch, d->by_key.tab);
	sp_vec_free(&d->keys);
	sp_vec_free(&d->nodes);
}

/* The DAG as sp_tnodes in the rule set's arena: links from indexes. */
static struct sp_tnode *dag_settle(struct build *b, const struct dag *d)
{
	const struct dnode *dn = d->nodes.items;
	size_t n = d->nodes.len;
	struct sp_tnode *v = sp_arena_alloc_raw(&b->rs->arena, n * sizeof(*v));

	for (size_t i = 0; v && i < n; i++) {
		v[i] = dn[i].n;
		v[i].t = dn[i].t.node1 ? &v[dn[i].t.node1 - 1] : NULL;
		v[i].f = dn[i].f.node1 ? &v[dn[i].f.node1 - 1] : NULL;
		v[i].has_t = !dn[i].t.node1;
		v[i].has_f = !dn[i].f.node1;
		v[i].act_t = dn[i].t.act;
		v[i].act_f = dn[i].f.act;
	}
	return v;
}

#define STALE_NOTE \
	"syscall \"%s\" on %s: libseccomp 2.5.4's program compares a word another test left in the accumulator (docs/COMPAT.md §4.4), so runc's filter decides otherwise than these rules for some arguments; secprof returns the stricter of the two verdicts"
#define MERGE_NOTE \
	"syscall \"%s\" on %s: libseccomp 2.5.4 merges these rules' tests into one tree that can decide otherwise than they read (docs/COMPAT.md §4.4), so runc's filter may decide otherwise for some arguments; secprof returns the stricter of the two verdicts"

/* The twin of s: runc's program for it, run (ruleset.h, sp_wide.dag). It
 * takes the place of a 64-bit twin, whose rules phase 0 decides as they
 * were written (the same rules, libseccomp's values: merge.c merge_wide). */
static int attach(struct build *b, const struct msys *ms, const struct dag *d, uint32_t root1,
		  bool stale)
{
	struct sp_wide *twin = sp_arena_alloc(&b->rs->arena, sizeof(*twin));
	struct sp_tnode *v = twin ? dag_settle(b, d) : NULL;
	const struct sp_wide *had = sp_sys_wide(ms->s);
	const struct sp_sysrule *from = had ? &had->rules : ms->s;
	const struct sp_rule *rule = from->src      ? from->src
				     : from->nrules ? from->rules[0].src
						    : NULL;
	char path[SP_RULE_PATH_MAX];

	if (!v)
		return sp_err_oom(b->err);
	twin->rules = (struct sp_sysrule){ .nr = from->nr,
					   .name = from->name,
					   .rules = from->rules,
					   .nrules = from->nrules,
					   .src = from->src };
	if (!sp_sys_set(&b->rs->arena, &twin->rules, &v[root1 - 1], NULL) ||
	    !sp_sys_set(&b->rs->arena, ms->s, sp_sys_tree(ms->s), twin))
		return sp_err_oom(b->err);
	twin->dag = v;
	twin->ndag = d->nodes.len;
	twin->merged = !stale;
	twin->written = had ? &had->rules : NULL;
	if (rule) {
		sp_rule_path(path, sizeof(path), rule, NULL, SP_NO_INDEX, NULL);
		sp_note(b->ctx, b->file, &rule->loc, path, stale ? STALE_NOTE : MERGE_NOTE,
			ms->s->name, b->rs->arches[ms->ai].arch->scmp);
	}
	return 0;
}

/* Do the two layouts treat every block the syscall reaches alike? Then
 * one phase runs both. A walk of its blocks, marked with this walk's
 * stamp. */
static bool layouts_agree(struct model *m, struct tgt head)
{
	struct sp_vec stack = { .item_size = sizeof(uint32_t), .scratch = m->b->scratch };
	bool agree = true;
	uint32_t *top;

	if (++m->stamp == 0) { /* wrapped: old marks could read as this walk's */
		memset(m->seen, 0, m->blks.len * sizeof(*m->seen));
		m->stamp = 1;
	}
	if (!head.blk)
		return true;
	if (!(top = sp_vec_push(&stack)))
		return false;
	*top = head.v;
	m->seen[head.v] = m->stamp;
	while (agree && stack.len) {
		const struct mblk *x = blk_at(m, ((uint32_t *)stack.items)[--stack.len]);
		agree = x->found[0] == x->found[1] && x->prepend[0] == x->prepend[1];
		for (int side = 0; agree && side < 2; side++) {
			struct tgt t = side ? x->jf : x->jt;
			if (!t.blk || m->seen[t.v] == m->stamp)
				continue;
			m->seen[t.v] = m->stamp;
			if (!(top = sp_vec_push(&stack)))
				agree = false; /* out of memory: both phases, stricter */
			else
				*top = t.v;
		}
	}
	sp_vec_free(&stack);
	return agree;
}

/* Does every block the syscall reaches compare the word its rule names, in
 * every layout runc may use? Then its DAG finds nothing stale and no
 * fault, and is not built (Docker's default: socket on x86_64, whose
 * `a0 < 38` rule makes the shape may_stale looks for, and whose layout
 * puts the load back; the DAG was a sixth of the model's work). A block
 * that loads (its own `ld` or one the layout prepends) holds its word
 * whatever A was; one that does not holds what it arrives with, and if
 * every block jumping to it (among the reached) ends in the state it
 * starts from, that is its word, by induction from the first block, which
 * loads (gen_level starts from an undefined state). The bound keeps the
 * DAG of such a syscall under DAG_MAX_DEPTH and MODEL_MAX_NODES (at most
 * 3 phases of FRESH_MAX blocks, each with at most 2 * FRESH_MAX + 1
 * verdicts carried), so skipping it cannot hide a fault. False: the DAG
 * decides. */
#define FRESH_MAX 64u

static bool surely_fresh(struct model *m, struct tgt head, bool optimize2)
{
	uint32_t stack[FRESH_MAX];
	size_t top = 0, reached = 1;
	bool fresh = true;

	if (!head.blk)
		return true;   /* no block: no compare */
	if (++m->stamp == 0) { /* wrapped: old marks could read as this walk's */
		memset(m->seen, 0, m->blks.len * sizeof(*m->seen));
		m->stamp = 1;
	}
	for (int o = 0; o < 1 + optimize2; o++)
		fresh &= blk_at(m, head.v)->found[o] && blk_at(m, head.v)->ld;
	stack[top++] = head.v;
	m->seen[head.v] = m->stamp;
	while (fresh && top) {
		const struct mblk *x = blk_at(m, stack[--top]);
		for (int side = 0; fresh && side < 2; side++) {
			struct tgt t = side ? x->jf : x->jt;
			const struct mblk *y;
			if (!t.blk)
				continue;
			y = blk_at(m, t.v);
			for (int o = 0; o < 1 + optimize2; o++)
				fresh &= y->found[o] &&
					 (y->ld || y->prepend[o] || acc_eq(x->end, y->start));
			if (!fresh || m->seen[t.v] == m->stamp)
				continue;
			if (reached++ == FRESH_MAX)
				return false;
			m->seen[t.v] = m->stamp;
			stack[top++] = t.v;
		}
	}
	return fresh;
}

static int dag_error(struct model *m, const struct msys *ms, enum dag_fault f)
{
	static const char why[][45] = {
		/* inline (docs/CONVENTIONS.md §18) */
		[DAG_TOO_BIG] = "more decisions than secprof's limit",
		[DAG_TOO_DEEP] = "decisions nested deeper than secprof's limit",
		[DAG_UNPLACED] = "a block the model could not place",
	};

	if (f == DAG_OK)
		return sp_err_oom(m->b->err);
	return sp_err(
		m->b->err, SECPROF_E_LIMIT, m->b->file, ms->s->src ? &ms->s->src->loc : NULL, NULL,
		"syscall \"%s\" on %s: secprof cannot model the code libseccomp 2.5.4 generates for these rules (%s), so it cannot tell whether runc's filter is stricter",
		ms->s->name, m->b->rs->arches[ms->ai].arch->scmp, why[f]);
}

/* Build the DAG of one syscall and give it a twin where runc's program
 * tests another word than the rules, or where its tree may decide
 * otherwise than them (msys.merged): there runc's program can differ with
 * every word loaded afresh, and the DAG is that program. The phases: the rules as written
 * where the twin replaces a 64-bit twin (whose decisions they are), and
 * each layout runc may use whose program differs here, Debian 12's
 * (OPTIMIZE 1) last, so that its errno is the one a tie returns. */
static int model_syscall(struct model *m, const struct msys *ms, bool optimize2)
{
	struct dag d = { .m = m, .head = ms->head };
	struct dside root;
	int rc = 0;

	if (!ms->merged && surely_fresh(m, ms->head, optimize2))
		return 0;
	d.nodes.item_size = sizeof(struct dnode);
	d.nodes.scratch = m->b->scratch;
	d.keys.item_size = sizeof(struct rkey);
	d.keys.scratch = m->b->scratch;
	if (sp_sys_wide(ms->s))
		d.phases[d.nphases++] = PHASE_AS_WRITTEN;
	if (optimize2 && !layouts_agree(m, ms->head))
		d.phases[d.nphases++] = 1;
	d.phases[d.nphases++] = 0;
	d.by_key = (struct vindex){ .hash = key_hash, .same = key_same, .scratch = m->b->scratch };
	if (!dag_at(&d, 0, ms->head, NULL, (struct acc){ ACC_NR, MASK_ALL }, (struct carry){ 0 }, 0,
		    &root))
		rc = dag_error(m, ms, d.fault);
	else if ((d.stale || ms->merged) && root.node1)
		rc = attach(m->b, ms, &d, root.node1, d.stale);
	dag_free(&d);
	return rc;
}

/* ---- the syscalls, their trees and blocks ----------------------------------- */

/* The pool nodes reachable from root along every link (both sides and
 * both siblings), in seen[] (nodes entries, zeroed by the caller; stack:
 * room for nodes indexes). Each node once: the replay's tree can give a
 * level two parents, and a merge can leave sibling links in a loop, so a
 * walk by paths takes exponential time or never ends (an adversarial
 * review's two shutdown rules of four conditions hung the compile that
 * way). */
static void reachable(const struct sp_tnode *pool, const struct sp_tnode *root, bool *seen,
		      uint32_t *stack)
{
	size_t top = 0;

	if (root) {
		stack[top++] = (uint32_t)(root - pool);
		seen[root - pool] = true;
	}
	while (top) {
		const struct sp_tnode *n = &pool[stack[--top]];
		const struct sp_tnode *next[4] = { n->t, n->f, n->prev, n->next };
		for (int k = 0; k < 4; k++)
			if (next[k] && !seen[next[k] - pool]) {
				seen[next[k] - pool] = true;
				stack[top++] = (uint32_t)(next[k] - pool);
			}
	}
}

/* A level node whose predecessor has a level below it: only there can a
 * level below fall through into a node that trusts the accumulator. */
static bool may_stale(const struct sp_tnode *pool, size_t nodes, const bool *seen)
{
	bool may = false;

	for (size_t i = 0; !may && i < nodes; i++)
		may = seen[i] && pool[i].prev && (pool[i].prev->t || pool[i].prev->f);
	return may;
}

/* Can these rules make, in libseccomp's tree, a node that reaches the
 * next one in its level on its true side (the rule failing there) and a
 * level below on its false side? _gen_bpf_build_bpf visits jt first, so
 * that next node is placed right after it, with no load, and the level
 * below falls through into it holding another word. The word tests
 * (tree.c gen_cond_64/gen_cond_32) make that shape for LT and LE (hi > V
 * fails to the next node when true and goes on to hi == V when false),
 * and for NE when a condition follows it; EQ, MASKED_EQ, GT and GE go
 * down a level on their true side, which the walk visits first, so a
 * load is put back there. A block another syscall placed can still bring
 * the stale compare to rules without the shape (blocks are shared by
 * content), so every syscall is modelled; this only says which large ones
 * must be: replaying libseccomp's tree is quadratic in the rules of a
 * level, and one with more than LAYOUT_MAX_CONDS conditions and no such
 * rule is left out (docs/COMPAT.md §4.4). */
#define LAYOUT_MAX_CONDS 256u

static bool has_shape(const struct entry *e, size_t n, size_t *conds, size_t *adds)
{
	bool shape = false;

	*conds = *adds = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sp_rule *r = e[i].rule;
		bool split = sp_rs_index_repeats(r);
		*adds += r->nargs ? (split ? r->nargs : 1) : 0;
		*conds += r->nargs;
		for (size_t k = 0; k < r->nargs; k++) {
			enum sp_op op = r->args[k].op;
			shape |= op == SP_OP_LT || op == SP_OP_LE ||
				 (op == SP_OP_NE && !split && r->nargs > 1);
		}
	}
	return shape;
}

/* The section of each arch: x86_64 and x32 in one filter share the first
 * one's (_gen_bpf_build_bpf's secondary filter). */
static size_t section_of(const struct sp_ruleset *rs, size_t ai, bool *secondary)
{
	*secondary = false;
	for (size_t i = 0; i < ai; i++)
		if (rs->arches[i].arch->audit == rs->arches[ai].arch->audit) {
			*secondary = true; /* x32 after x86_64, or the reverse */
			return i;
		}
	return ai;
}

/* The numbers of arch ar whose rules test arguments on either side (only
 * they have blocks past their number's: an unconditional syscall's is a
 * return), ascending, and as bits over [lo, lo + span), and every number
 * beyond runc's ENOSYS boundary (no rule of the rule set's, but blocks in
 * libseccomp's program: collect_one): sp_rs_list_db asks for every name
 * of the profile, a few of which are wanted. */
#define WANTED_SPAN_MAX 65536u

struct wanted {
	int32_t *nr;
	size_t n;
	int32_t beyond; /* runc's ENOSYS boundary: every number above it too */
	int32_t lo;
	uint32_t span;  /* 0: no bits, search nr */
	uint64_t *bits; /* bit nr - lo */
};

static bool is_wanted(const void *data, int32_t nr)
{
	const struct wanted *w = data;
	size_t lo = 0, hi = w->n;

	if (nr > w->beyond)
		return true;
	if (w->span) {
		uint32_t k = (uint32_t)nr - (uint32_t)w->lo;
		return nr >= w->lo && k < w->span && (w->bits[k / 64] >> (k % 64) & 1u);
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->nr[mid] < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->n && w->nr[lo] == nr;
}

static int wanted_of(struct build *b, const struct sp_arch_rules *ar, struct wanted *w)
{
	*w = (struct wanted){ .nr = sp_salloc(b->scratch,
					      (ar->nsys ? ar->nsys : 1) * sizeof(*w->nr)),
			      .beyond = ar->enosys_max > 0 ? (int32_t)ar->enosys_max : INT32_MAX };
	if (!w->nr)
		return sp_err_oom(b->err);
	for (size_t i = 0; i < ar->nsys; i++) {
		const struct sp_sysrule *s = &ar->sys[i];
		if (sp_rs_tests_args(s))
			w->nr[w->n++] = s->nr;
	}
	if (!w->n || (int64_t)w->nr[w->n - 1] - w->nr[0] >= WANTED_SPAN_MAX)
		return 0; /* none, or too far apart: the search */
	w->lo = w->nr[0];
	if (!(w->bits = sp_scalloc(b->scratch, ((size_t)(w->nr[w->n - 1] - w->lo) + 64) / 64,
				   sizeof(*w->bits))))
		return sp_err_oom(b->err);
	w->span = (uint32_t)(w->nr[w->n - 1] - w->lo) + 1;
	for (size_t i = 0; i < w->n; i++)
		w->bits[(uint32_t)(w->nr[i] - w->lo) / 64] |=
			1ull << ((uint32_t)(w->nr[i] - w->lo) % 64);
	return 0;
}

struct collect {
	struct sp_vec sys;   /* struct msys */
	struct sp_vec pools; /* struct sp_tnode *: the replays' */
	bool any;            /* a syscall whose tree may be stale */
	/* first pass: leave out the syscalls whose trees cannot be stale
	 * (eq_leaves_only), to be collected only if another one makes the
	 * model run (sp_rs_model_stale) */
	bool defer;
	struct sp_vec later; /* struct later */
	size_t groups;       /* the syscalls met so far: the next one's seq */
};

/* A syscall the first pass left out. */
struct later {
	size_t ai;
	const struct entry *e;
	size_t n;
	bool skip;
	size_t seq;
};

/* Does libseccomp's tree give a level of two or more nodes two or more
 * links from the level above? _db_rule_gen_64 points two tests of one
 * condition at the same next node (GT and GE: "hi > V" and the low test;
 * LT and LE: "hi == V" and the low test, on their false sides; NE: both
 * tests, when a condition follows), and _db_tree_add, merging a later
 * rule's chain through one of them, puts that rule's remaining tests
 * beside the node (tree.c merge_side). Reached through the other test,
 * they decide for arguments that rule does not match: two ERRNO rules on
 * write, `arg0 >= 3840 && arg5 >= X` and `arg0 >= 0x9303091d && arg2 >
 * Y`, make runc return ERRNO for arg0 = 0x745ee47d with arg2 > Y alone.
 * Not the whole story: a merge through such a node can also end, extend or
 * prune what both parents reach (merge_shape, which decides first). `nodes`: the pool's nodes (every node of
 * the tree is one); loops in the sibling links (tree.c) answer true. */
static bool shared_level(const struct sp_tnode *pool, size_t nodes, const bool *seen,
			 uint32_t *head, uint32_t *links, uint32_t *size)
{
	bool shared = false;

	/* head: index + 1 of a node's level's first (all three zeroed) */
	for (size_t i = 0; !shared && i < nodes; i++) { /* each level from its first */
		if (!seen[i] || pool[i].prev)
			continue;
		for (const struct sp_tnode *n = &pool[i]; !shared && n; n = n->next) {
			shared = head[n - pool] != 0; /* a loop */
			head[n - pool] = (uint32_t)i + 1;
			size[i]++;
		}
	}
	for (size_t i = 0; !shared && i < nodes; i++) {
		const struct sp_tnode *side[2] = { pool[i].t, pool[i].f };
		for (int k = 0; seen[i] && k < 2; k++) {
			if (!side[k])
				continue;
			if (!head[side[k] - pool]) {
				shared = true; /* a level without a first: a loop */
				break;
			}
			links[head[side[k] - pool] - 1]++;
		}
	}
	for (size_t i = 0; !shared && i < nodes; i++)
		shared = size[i] >= 2 && links[i] >= 2;
	return shared;
}

/* The two questions above of one replayed tree, from one walk of it, in
 * scratch on the stack for the few nodes of a real profile's syscall
 * (Docker's default: at most 6; a calloc and a walk each were a sixth of
 * the model's work there), else on the heap. shared: NULL when not
 * wanted. No memory: both true (the model decides, the twin is kept). */
#define SMALL_TREE 64u

static void tree_questions(const struct sp_tnode *pool, size_t nodes, const struct sp_tnode *root,
			   bool *may, bool *shared)
{
	uint32_t small_u32[4 * SMALL_TREE];
	bool small_seen[SMALL_TREE];
	size_t n = nodes ? nodes : 1;
	bool big = n > SMALL_TREE;
	uint32_t *u32 = big ? calloc(4 * n, sizeof(*u32)) : small_u32;
	bool *seen = big ? calloc(n, sizeof(*seen)) : small_seen;

	if (!u32 || !seen) {
		*may = true;
		if (shared)
			*shared = true;
	} else {
		/* u32: the walk's stack, then head, links, size */
		memset(seen, 0, n * sizeof(*seen));
		if (shared)
			memset(u32 + n, 0, 3 * n * sizeof(*u32));
		reachable(pool, root, seen, u32);
		*may = may_stale(pool, nodes, seen);
		if (shared)
			*shared =
				shared_level(pool, nodes, seen, u32 + n, u32 + 2 * n, u32 + 3 * n);
	}
	if (big) {
		free(u32);
		free(seen);
	}
}

/* Can libseccomp's merge of these rules' chains decide otherwise than
 * their OR, on a 64-bit arch? _db_rule_gen_64 points two tests of a range
 * or `!=` condition at the next condition's first node, so a chain with
 * such a condition followed by another has a node with two parents, and a
 * second chain merged into the tree through one of them changes what the
 * other reaches: siblings added (shared_level), a side ended by an action
 * or given the new chain's tail, a node pruned from under both
 * (tests/data/shared-level-stricter.json, merge-drops-part.json;
 * an adversarial review found the last three, which no test of the final
 * tree's shape sees). So: two or more chains, one of them with that
 * shape. A chain of a rule whose index repeats is one condition (runc adds
 * each alone) and goes on nowhere. Conservative: the twin then equals the
 * rules where the merge changed nothing. */
static bool merge_shape(const struct entry *e, size_t n, const struct sp_arch *arch)
{
	size_t chains = 0;
	bool shape = false;

	if (arch->bits != 64)
		return false; /* _db_rule_gen_32: one next side per test */
	for (size_t i = 0; i < n; i++) {
		const struct sp_rule *r = e[i].rule;
		bool split = sp_rs_index_repeats(r);
		unsigned last = 0;
		chains += r->nargs ? (split ? r->nargs : 1) : 0;
		if (split || r->nargs < 2)
			continue;
		for (size_t k = 0; k < r->nargs; k++)
			last = r->args[k].index > last ? r->args[k].index : last;
		/* conditions are chained by argument number: one is followed
		 * unless it tests the last argument */
		for (size_t k = 0; k < r->nargs; k++) {
			enum sp_op op = r->args[k].op;
			shape |= r->args[k].index != last && op != SP_OP_EQ &&
				 op != SP_OP_MASKED_EQ;
		}
	}
	return chains >= 2 && shape;
}

/* Is every rule of these entries one test `argN == V` of the same N, with
 * V below 2^32? Then libseccomp's tree for them is one high-word node
 * (== 0; none on a 32-bit arch) over one level of leaves, or that level
 * alone: no node of a level follows one with a level below (may_stale), no
 * level has two parents (shared_level), merge_shape needs two conditions
 * in a rule, and tree_add narrows only a chain with a false side, which
 * `==` has not. Its replay can only answer "nothing stale"; it is needed
 * when another syscall's blocks are laid out, as a part of the layout.
 * The bench's N-rule profiles are this shape, and replaying 200 rules on
 * one level is quadratic (tree.c). */
static bool eq_leaves_only(const struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_rule *r = e[i].rule;
		if (r->nargs != 1 || r->args[0].op != SP_OP_EQ ||
		    r->args[0].index != e[0].rule->args[0].index || r->args[0].value >> 32)
			return false;
	}
	return n > 0;
}

/* One syscall's entries on arch ai: its tree, if it has one. */
static int collect_one(struct build *b, size_t ai, const struct entry *e, size_t n, bool skip,
		       size_t seq, struct collect *c)
{
	struct sp_arch_rules *ar = &b->rs->arches[ai];
	struct sp_sysrule *s = sp_arch_rules_find(ar, (uint32_t)e->nr);
	struct sp_word_tree w;
	struct sp_tnode **pool;
	struct msys *ms;
	size_t conds, adds;
	bool secondary, may = false, shared = false;
	bool ok;

	/* no rule of its own: a number beyond runc's ENOSYS boundary
	 * (sp_rs_build_arch keeps it for the layout), or a multiplexer the
	 * profile does not name (exception 10). libseccomp still generates
	 * its blocks, which can pull a shared block first: laid out, no twin */
	bool layout_only = skip || !s;
	bool mshape = !layout_only && !sp_sys_tree(s) && merge_shape(e, n, ar->arch);

	if (c->defer && eq_leaves_only(e, n)) {
		struct later *l = sp_vec_push(&c->later);
		if (!l)
			return sp_err_oom(b->err);
		*l = (struct later){ ai, e, n, skip, seq };
		return 0;
	}
	/* see has_shape; a merge that may differ is replayed whatever its size
	 * (its step budget refuses what is too large: fail closed) */
	if (!has_shape(e, n, &conds, &adds) && !mshape && conds > LAYOUT_MAX_CONDS)
		return 0;
	ok = sp_rs_word_tree_replay(b, ar->arch, e, n, &w);
	if (!(pool = sp_vec_push(&c->pools))) {
		sp_sfree(b->scratch, w.pool);
		return sp_err_oom(b->err);
	}
	*pool = w.pool;
	if (!ok && !b->steps)
		return sp_err(
			b->err, SECPROF_E_LIMIT, b->file, &e->rule->loc, NULL,
			"syscall \"%s\": replaying libseccomp's argument tree takes more than %u steps in this profile, secprof's limit",
			e->name, SP_REPLAY_STEPS);
	if (!ok || !w.root)
		return 0; /* refused (the build said so already), or no chain */
	if (!(ms = sp_vec_push(&c->sys)))
		return sp_err_oom(b->err);
	/* an arch whose program never reaches its rules (scmpbug.c) is laid
	 * out, but needs no twin; a word tree in the rules already decides as
	 * libseccomp's */
	if (!layout_only)
		tree_questions(w.pool, w.used, w.root, &may,
			       !sp_sys_tree(s) && !mshape && !w.narrowed ? &shared : NULL);
	*ms = (struct msys){ .ai = ai,
			     .seq = seq,
			     .s = s,
			     .nr = (uint32_t)e->nr,
			     .nodes = w.nodes,
			     .section = section_of(b->rs, ai, &secondary),
			     .root = w.root,
			     .may_stale = may };
	ms->secondary = secondary;
	ms->merged = mshape || (!layout_only && !sp_sys_tree(s) && (w.narrowed || shared));
	c->any |= ms->may_stale || ms->merged;
	return 0;
}

/* Could any syscall of arch ai meet a stale accumulator: two chains, so a
 * level with two nodes? (No replay: most profiles stop here.) */
static bool arch_may_stale(const struct entry *e, size_t len)
{
	for (size_t i = 0, j; i < len; i = j) {
		size_t conds, adds;
		for (j = i + 1; j < len && e[j].nr == e[i].nr; j++)
			;
		if (e[i].nr >= 0 && (has_shape(e + i, j - i, &conds, &adds) || adds >= 2))
			return true;
	}
	return false;
}

/* The db entries of arch ai's numbers with argument rules: those
 * sp_rs_build_arch kept (read in place, in the rule set's arena), or
 * listed again into own (the caller frees it). */
struct db_entries {
	const struct entry *e;
	size_t n;
	struct sp_vec own;
};

static int list_arch(struct build *b, size_t ai, struct db_entries *d)
{
	const struct model_db *db = b->model_db ? &b->model_db[ai] : NULL;
	struct wanted w;
	int rc;

	d->own = (struct sp_vec){ .item_size = sizeof(struct entry), .scratch = b->scratch };
	if (db && db->kept && db->ok) {
		d->e = db->e;
		d->n = db->n;
		return 0;
	}
	rc = wanted_of(b, &b->rs->arches[ai], &w);
	if (!rc && (w.n || w.beyond < INT32_MAX))
		rc = sp_rs_list_db(b, ai, &d->own, is_wanted, &w);
	sp_sfree(b->scratch, w.bits);
	sp_sfree(b->scratch, w.nr);
	d->e = d->own.items;
	d->n = d->own.len;
	return rc;
}

static int collect_arch(struct build *b, size_t ai, const struct db_entries *d, bool skip,
			struct collect *c)
{
	const struct entry *e = d->e;
	int rc = 0;

	for (size_t i = 0, j; !rc && i < d->n; i = j) {
		for (j = i + 1; j < d->n && e[j].nr == e[i].nr && e[i].nr >= 0; j++)
			;
		if (e[i].nr >= 0) /* pseudo numbers get no block (_skip_syscall) */
			rc = collect_one(b, ai, e + i, j - i, skip, c->groups++, c);
	}
	return rc;
}

static int lay_out_all(struct model *m, struct collect *c, int order)
{
	struct sp_vec stack = { .item_size = sizeof(struct frame), .scratch = m->b->scratch };
	struct msys *v = sp_salloc(m->b->scratch, c->sys.len * sizeof(*v));

	if (!v)
		return sp_err_oom(m->b->err);
	memcpy(v, c->sys.items, c->sys.len * sizeof(*v));
	qsort(v, c->sys.len, sizeof(*v), order ? cmp_visit2 : cmp_visit1);
	for (size_t i = 0; i < c->sys.len; i++)
		lay_out(m, order, v[i].head, &stack);
	sp_vec_free(&stack);
	sp_sfree(m->b->scratch, v);
	return m->full ? sp_err_oom(m->b->err) : 0;
}

/* The bound gen_level reached. A merge can link a level of libseccomp's
 * tree into a loop: its own seccomp_rule_add then never returns (two
 * shutdown rules of an adversarial review), and runc never loads the
 * profile either. */
static int model_limit(struct model *m, const struct msys *ms)
{
	struct build *b = m->b;
	const char *name = sp_syscall_name(b->rs->arches[ms->ai].arch, (int32_t)ms->nr);

	if (!m->full)
		return sp_err_oom(b->err);
	if (m->long_level)
		return sp_err(
			b->err, SECPROF_E_LIMIT, b->file, NULL, NULL,
			"syscall \"%s\" on %s: libseccomp 2.5.4's tree for its argument rules has a level of more than %u tests, or levels linked into a loop (where libseccomp never finishes adding the rules): secprof cannot model it",
			name ? name : "?", b->rs->arches[ms->ai].arch->scmp, LEVEL_MAX);
	return sp_err(
		b->err, SECPROF_E_LIMIT, b->file, NULL, NULL,
		"libseccomp 2.5.4 would generate more than %u blocks for this profile's argument rules: secprof cannot model them",
		MODEL_MAX_BLOCKS);
}

static int model_all(struct build *b, struct collect *c, bool optimize2)
{
	struct model m = { .b = b,
			   .blks = { .item_size = sizeof(struct mblk), .scratch = b->scratch },
			   .by_content = {
				   .hash = blk_hash, .same = blk_same, .scratch = b->scratch } };
	struct msys *ms = c->sys.items;
	int rc = 0;

	/* every syscall's blocks: where one lands depends on them all */
	for (size_t i = 0; !rc && i < c->sys.len; i++)
		if (!gen_level(&m, ms[i].root, (struct tgt){ false, b->rs->default_ret },
			       (struct acc){ ACC_UNDEF, MASK_ALL }, &ms[i].head))
			rc = model_limit(&m, &ms[i]);
	for (int o = 0; !rc && o < 1 + optimize2; o++)
		rc = lay_out_all(&m, c, o);
	if (!rc && !(m.seen = sp_scalloc(b->scratch, m.blks.len + 1, sizeof(*m.seen))))
		rc = sp_err_oom(b->err);
	for (size_t i = 0; !rc && i < c->sys.len; i++)
		if (ms[i].may_stale || ms[i].merged)
			rc = model_syscall(&m, &ms[i], optimize2);
	sp_sfree(b->scratch, m.seen);
	sp_sfree(b->scratch, m.by_content.tab);
	sp_vec_free(&m.blks);
	return rc;
}

static void collect_free(struct build *b, struct collect *c)
{
	for (size_t i = c->pools.len; i-- > 0;)
		sp_sfree(b->scratch, ((struct sp_tnode **)c->pools.items)[i]);
	sp_vec_free(&c->pools);
	sp_vec_free(&c->sys);
	sp_vec_free(&c->later);
}

static int cmp_seq(const void *x, const void *y)
{
	const struct msys *a = x, *b = y;

	return (a->seq > b->seq) - (a->seq < b->seq);
}

int sp_rs_model_stale(struct build *b, const bool *skip, bool optimize2)
{
	struct collect c = {
		.sys = { .item_size = sizeof(struct msys), .scratch = b->scratch },
		.pools = { .item_size = sizeof(struct sp_tnode *), .scratch = b->scratch },
		.later = { .item_size = sizeof(struct later), .scratch = b->scratch }
	};
	size_t na = b->rs->narches;
	struct db_entries *dbs = sp_scalloc(b->scratch, na ? na : 1, sizeof(*dbs));
	bool any = false;
	int rc = 0;

	if (!dbs)
		return sp_err_oom(b->err);
	for (size_t ai = 0; ai < na && !rc; ai++) {
		rc = list_arch(b, ai, &dbs[ai]);
		any |= !rc && !skip[ai] && arch_may_stale(dbs[ai].e, dbs[ai].n);
	}
	/* the arches whose program never reaches the rules are laid out too:
	 * their blocks can pull a shared block first */
	c.defer = true;
	for (size_t ai = 0; ai < na && !rc && any; ai++)
		rc = collect_arch(b, ai, &dbs[ai], skip[ai], &c);
	if (!rc && c.any && c.later.len) {
		/* the model runs: every syscall is laid out, in the order of
		 * one pass over the db (blocks are made in that order) */
		const struct later *l = c.later.items;
		c.defer = false;
		for (size_t i = 0; i < c.later.len && !rc; i++)
			rc = collect_one(b, l[i].ai, l[i].e, l[i].n, l[i].skip, l[i].seq, &c);
		qsort(c.sys.items, c.sys.len, sizeof(struct msys), cmp_seq);
	}
	if (!rc && c.any)
		rc = model_all(b, &c, optimize2);
	collect_free(b, &c);
	for (size_t ai = na; ai-- > 0;)
		sp_vec_free(&dbs[ai].own);
	sp_sfree(b->scratch, dbs);
	return rc;
}
