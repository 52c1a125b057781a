/* compile.c - ruleset -> one classic BPF seccomp filter.
 *
 * Layout (docs/KERNEL.md §2.6, §6):
 *   LD arch; JEQ native -> native section; JEQ other -> ...; RET KILL (bad arch)
 *   section: LD nr; JGE range tree over runs of equal decision, weighted
 *            by the numbers they hold and the recorded calls that run the
 *            filter (on x86_64 its root is the x32 guard); RET
 * A "run" is a stretch of syscall numbers with the same outcome: gaps join
 * the default runs, numbers above the ENOSYS boundary form the ENOSYS run
 * (runc's stub, docs/COMPAT.md §4.1.3, merged into the tree), and every syscall with
 * argument rules is a run of its own whose block loads argument words. So an
 * argument-free syscall runs only LD nr/arch, JEQ/JGE K and RET K: the
 * kernel's action cache can prove it (docs/KERNEL.md §2.1).
 * A block tries the syscall's rules in the ruleset's order; rules that
 * follow each other and all test one argument for equality (with one high
 * word) form a group: LD hi; JEQ hi; LD lo; then a JEQ chain over the
 * low words, one instruction per rule where each rule alone would need
 * four (LD hi, JEQ, LD lo, JEQ).
 * A syscall whose rules have several actions is compiled from libseccomp's
 * word tree instead (ruleset.h, sp_tnode): its order decides there.
 *
 * Code is emitted back to front into `rev` (rev[0] is the last instruction):
 * every jump goes forward to something already emitted, so its offset is
 * known at once and there is no fix-up pass. Returns are shared through a
 * small cache; a return or block farther than 255 instructions is reached by
 * a fresh copy of the return or a JA trampoline.
 */
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "bpf/bpf.h"
#include "core/scratch.h"

#define MAX_JUMP 255u
#define RET_CACHE 64
#define MAX_INSNS 4096u
#define OFF_NR 0u
#define OFF_ARCH 4u
#define OFF_ARGS 16u

/* What a return of the rules becomes. Only the slow path of a syscall
 * with a 64-bit twin (sp_sysrule_more.wide, emit_wide) uses the others: the
 * low-word rules there keep their verdict's rank in X and go on to the
 * twin (RANK), whose returns then return the stricter of the two (MIN),
 * or, when the twin decides one action whatever the arguments, each low
 * return becomes the stricter of it and that action (CONST). Where the
 * twin is runc's program run (a DAG) that replaced the rules as written
 * (sp_wide.written), those come between: each of their returns raises X
 * to its rank where it is not less strict, and goes on to the DAG (RAISE). */
enum leaf_mode { LEAF_RET, LEAF_RANK, LEAF_MIN, LEAF_CONST, LEAF_RAISE };

struct leaves {
	enum leaf_mode mode;
	uint32_t *ranked; /* the low rules' distinct returns, least strict first */
	size_t nranked, cap;
	size_t wide_pos; /* RANK: the twin's first instruction */
	size_t dispatch; /* MIN: returns ranked[X] (A = X there) */
	uint32_t with;   /* CONST: the twin's action */
	struct {
		uint32_t ret;
		size_t pos;
	} cache[RET_CACHE];
	size_t ncache;
};

/* An emitted instruction by what it does: its code and constant, and
 * where it goes next (canon()). Two instructions with the same key behave
 * the same whatever the state they meet, so a second one is never emitted:
 * the blocks of x86 and x32, or the low-word tail of an x86_64 block and
 * the same i386 block, are one copy (libseccomp's _gen_bpf_build_bpf
 * shares equal blocks by hash the same way). */
struct cons {
	uint16_t code;
	uint32_t k;
	uint64_t t, f;
};

struct cons_slot {
	uint32_t pos1; /* 0: empty; else index in rev + 1 */
	uint32_t tag;  /* the key's hash (cons_hash), which also gives its slot */
};

/* Where a jump goes: a return of some value, or an emitted position. */
struct target {
	bool is_ret;
	bool placed;
	uint32_t ret;
	size_t pos; /* index in rev */
};

struct gen {
	secprof_insn *rev;
	size_t len, cap;
	bool oom;
	struct {
		uint32_t ret;
		size_t pos;
	} rets[RET_CACHE];
	size_t nrets, next_evict;
	const struct sp_ruleset *rs;
	struct member *members; /* scratch for one group of equality rules */
	size_t members_cap;
	struct leaves leaf;
	struct cons_slot *cons; /* emitted instructions by what they do (cons_find) */
	size_t ncons, cons_cap;
	/* the second try of a program over the kernel's limit: fewest
	 * instructions, not fewest steps (sp_bpf_generate) */
	bool compact;
	/* where every table above goes: the call's region (core/scratch.h);
	 * only the program handed back comes from malloc */
	struct sp_scratch *scratch;
};

/* A stretch of numbers [start, next run's start) with one decision. */
struct run {
	uint32_t start;
	const struct sp_sysrule *sys; /* argument rules; NULL = constant ret */
	const struct sp_arch *arch;
	uint32_t ret;
};

static struct target ret_target(uint32_t ret)
{
	return (struct target){ .is_ret = true, .ret = ret };
}

static struct target pos_target(size_t pos)
{
	return (struct target){ .placed = true, .pos = pos };
}

static size_t emit(struct gen *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (g->len == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		secprof_insn *r = sp_srealloc(g->scratch, g->rev, cap * sizeof(*r));
		if (!r) {
			g->oom = true;
			return g->len ? g->len - 1 : 0;
		}
		g->rev = r;
		g->cap = cap;
	}
	g->rev[g->len] = (secprof_insn){ code, jt, jf, k };
	return g->len++;
}

/* What an emitted position does: RET K by its value, a JA by where it
 * goes, anything else by its position. */
#define CANON_RET (1ull << 63)

static uint64_t canon(const struct gen *g, size_t pos)
{
	for (unsigned hops = 0; hops < 16 && g->rev[pos].code == (BPF_JMP | BPF_JA); hops++)
		pos = pos - 1 - g->rev[pos].k;
	if (g->rev[pos].code == (BPF_RET | BPF_K))
		return CANON_RET | g->rev[pos].k;
	return pos;
}

/* The key's hash, 32 bits: its slot in the table and the tag kept there,
 * so growing the table needs no key read back. */
static uint32_t cons_hash(const struct cons *c)
{
	uint64_t h = ((uint64_t)c->code << 32 | c->k) * 0x9e3779b97f4a7c15ull;

	h ^= (c->t + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;
	h ^= (c->f + 0x2545f4914f6cdd1dull) * 0x94d049bb133111ebull;
	h ^= h >> 29;
	return (uint32_t)(h >> 32);
}

/* What the instruction at `pos` does, as cons_find keys it: a jump by
 * where its two sides go, anything else by the instruction after it (a
 * JA there is followed, as the key of a bridged load was made). */
static struct cons key_at(const struct gen *g, size_t pos)
{
	const secprof_insn *f = &g->rev[pos];
	struct cons c = { .code = f->code, .k = f->k };

	if (f->code == (BPF_JMP | BPF_JA))
		return (struct cons){ .code = f->code, .t = canon(g, pos) };
	if (BPF_CLASS(f->code) == BPF_JMP) {
		c.t = canon(g, pos - 1 - f->jt);
		c.f = canon(g, pos - 1 - f->jf);
	} else {
		c.t = canon(g, pos - 1);
	}
	return c;
}

/* The position of an instruction that does what `c` says, or -1. The
 * table holds positions and a hash tag only (8 bytes a slot: a compile of
 * Docker's default allocates 8 KiB for it, not 32), the key being read
 * back from the instruction itself. */
static struct cons_slot *cons_slot_of(const struct gen *g, const struct cons *c)
{
	uint32_t h;

	if (!g->cons_cap)
		return NULL;
	h = cons_hash(c);
	for (size_t i = h & (g->cons_cap - 1);; i = (i + 1) & (g->cons_cap - 1)) {
		struct cons_slot *e = &g->cons[i];
		struct cons k;
		if (!e->pos1)
			return NULL;
		if (e->tag != h)
			continue;
		k = key_at(g, e->pos1 - 1);
		if (k.code == c->code && k.k == c->k && k.t == c->t && k.f == c->f)
			return e;
	}
}

static long cons_find(const struct gen *g, const struct cons *c)
{
	const struct cons_slot *e = cons_slot_of(g, c);

	return e ? (long)e->pos1 - 1 : -1;
}

static void cons_put(struct gen *g, uint32_t h, size_t pos);

/* Is `canon` the instruction emitted last? Nothing emitted before it can
 * jump or fall to it (rev grows backward: every instruction goes to an
 * older one), so no instruction that does the same exists yet and the
 * table need not be searched (most of a tree's jumps fall through to the
 * subtree emitted just before them). */
static bool is_newest(const struct gen *g, uint64_t canon)
{
	return canon == g->len - 1;
}

static void cons_grow(struct gen *g)
{
	struct cons_slot *old = g->cons;
	size_t n = g->cons_cap, cap = n ? n * 2 : 1024;

	g->cons = sp_scalloc(g->scratch, cap, sizeof(*g->cons));
	if (!g->cons) {
		g->cons = old; /* keep the old table: consing is only a saving */
		return;
	}
	g->cons_cap = cap;
	g->ncons = 0;
	for (size_t i = 0; i < n; i++)
		if (old[i].pos1)
			cons_put(g, old[i].tag, old[i].pos1 - 1);
	sp_sfree(g->scratch, old);
}

static void cons_put(struct gen *g, uint32_t h, size_t pos)
{
	size_t i;

	if ((g->ncons + 1) * 2 > g->cons_cap)
		cons_grow(g);
	if ((g->ncons + 1) * 2 > g->cons_cap)
		return;
	for (i = h & (g->cons_cap - 1); g->cons[i].pos1; i = (i + 1) & (g->cons_cap - 1))
		;
	g->cons[i] = (struct cons_slot){ (uint32_t)pos + 1, h };
	g->ncons++;
}

static size_t emit_ret(struct gen *g, uint32_t ret)
{
	size_t pos = emit(g, BPF_RET | BPF_K, 0, 0, ret);
	size_t slot = g->nrets;

	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].ret == ret)
			slot = i;
	if (slot == g->nrets) {
		if (g->nrets < RET_CACHE)
			g->nrets++;
		else
			slot = g->next_evict++ % RET_CACHE;
	}
	g->rets[slot].ret = ret;
	g->rets[slot].pos = pos;
	return pos;
}

static size_t real_ret(struct gen *g, uint32_t ret)
{
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].ret == ret)
			return g->rets[i].pos;
	return emit_ret(g, ret);
}

static size_t leaf_pos(struct gen *g, uint32_t ret);

static void place(struct gen *g, struct target *t)
{
	if (t->placed)
		return;
	t->placed = true;
	if (g->leaf.mode == LEAF_RET) {
		t->pos = real_ret(g, t->ret);
		return;
	}
	/* a leaf of a twin's side: pos is the code that combines t->ret with
	 * the other side (leaf_pos), not a return of t->ret, so from here on
	 * the target is that place; left a return, a jump out of reach copied
	 * t->ret (near_copy) and skipped the twin */
	t->pos = leaf_pos(g, t->ret);
	t->is_ret = false;
}

/* Keep the JA just emitted at `pos` as the trampoline to where it lands:
 * it replaces an older one to the same place, being nearer to all that is
 * emitted after it (rev grows backward). */
static void ja_remember(struct gen *g, size_t pos)
{
	struct cons c = key_at(g, pos);
	struct cons_slot *e = cons_slot_of(g, &c);

	if (e)
		e->pos1 = (uint32_t)pos + 1;
	else
		cons_put(g, cons_hash(&c), pos);
}

/* A JA to `target`: one already emitted within reach when there is one.
 * The blocks of two arches often go on to one shared tail (an x86_64
 * block's low-word test is the same i386 block, and x32's numbers reach
 * it too), so one trampoline serves every far jump to that tail, as
 * libseccomp's x32 entries reuse the x86_64 block's jump to it. */
static size_t trampoline(struct gen *g, size_t target)
{
	struct cons c = { .code = BPF_JMP | BPF_JA, .t = canon(g, target) };
	long have = cons_find(g, &c);
	size_t pos;

	if (have >= 0 && g->len - (size_t)have - 1 <= MAX_JUMP)
		return (size_t)have;
	pos = emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(g->len - target - 1));
	ja_remember(g, pos);
	return pos;
}

/* A target out of reach, brought near: a copy of a return costs nothing
 * at run time, a JA one step. */
static size_t near_copy(struct gen *g, const struct target *t)
{
	if (t->is_ret && g->leaf.mode == LEAF_RET)
		return emit_ret(g, t->ret);
	return trampoline(g, t->pos);
}

/* Bring a target within reach of a jump emitted next (inline: nearly
 * every jump is in reach already). */
static inline bool bring_near(struct gen *g, struct target *t)
{
	if (g->len - t->pos - 1 <= MAX_JUMP)
		return false;
	t->pos = near_copy(g, t);
	return true;
}

static struct target emit_jump(struct gen *g, uint16_t code, uint32_t k, struct target t,
			       struct target f)
{
	struct cons c = { .code = BPF_JMP | code | BPF_K, .k = k };
	size_t pos;
	long have;

	place(g, &t);
	place(g, &f);
	if (g->oom)
		return t;
	c.t = canon(g, t.pos);
	c.f = canon(g, f.pos);
	if (c.t == c.f)
		return t; /* both ways to the same place: nothing to test */
	if (!is_newest(g, c.t) && !is_newest(g, c.f) && (have = cons_find(g, &c)) >= 0)
		return pos_target((size_t)have);
	while (bring_near(g, &t) || bring_near(g, &f))
		;
	pos = emit(g, BPF_JMP | code | BPF_K, (uint8_t)(g->len - t.pos - 1),
		   (uint8_t)(g->len - f.pos - 1), k);
	cons_put(g, cons_hash(&c), pos);
	return pos_target(pos);
}

/* An instruction that goes on to the next one (a load, an ALU step), in
 * front of `next`: a JA bridges when next is not the last one emitted. */
static struct target emit_before(struct gen *g, uint16_t code, uint32_t k, struct target next)
{
	struct cons c = { .code = code, .k = k };
	size_t pos;
	long have;

	place(g, &next);
	if (g->oom)
		return next;
	c.t = canon(g, next.pos);
	/* a copy that reaches next through a JA costs a step at run time: when
	 * next is at hand, a fresh instruction is worth its slot */
	if (!is_newest(g, c.t) && (have = cons_find(g, &c)) >= 0 &&
	    !(next.pos == g->len - 1 && have > 0 && g->rev[have - 1].code == (BPF_JMP | BPF_JA)))
		return pos_target((size_t)have);
	if (next.pos != g->len - 1)
		ja_remember(g, emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(g->len - next.pos - 1)));
	pos = emit(g, code, 0, 0, k);
	cons_put(g, cons_hash(&c), pos);
	return pos_target(pos);
}

/* LD [off] in front of `next`, an emitted instruction that uses A. */
static struct target emit_load(struct gen *g, uint32_t off, struct target next)
{
	return emit_before(g, BPF_LD | BPF_W | BPF_ABS, off, next);
}

/* ---- argument comparisons ------------------------------------------------ */

/* A target that starts by loading the word A already holds can be entered
 * one instruction later (libseccomp's accumulator tracking, docs/KERNEL.md §1.1). */
static struct target skip_reload(const struct gen *g, uint32_t off, struct target t)
{
	if (!t.is_ret && t.placed && t.pos > 0 &&
	    g->rev[t.pos].code == (BPF_LD | BPF_W | BPF_ABS) && g->rev[t.pos].k == off)
		t.pos--;
	return t;
}

/* (A & mask) == want on one 32-bit word, cheapest form first (Chromium's
 * masked-equal lowering, docs/KERNEL.md §3.3): JSET for zero or single-bit cases. */
static struct target masked32(struct gen *g, uint32_t off, uint32_t mask, uint32_t want,
			      struct target p, struct target f)
{
	struct target j;

	if (want & ~mask)
		return f; /* can never match */
	if (mask == 0)
		return p; /* always matches: want is 0 too */
	if (mask == UINT32_MAX)
		j = emit_jump(g, BPF_JEQ, want, skip_reload(g, off, p), skip_reload(g, off, f));
	else if (want == 0)
		j = emit_jump(g, BPF_JSET, mask, skip_reload(g, off, f), skip_reload(g, off, p));
	else if (!(mask & (mask - 1)))
		j = emit_jump(g, BPF_JSET, mask, skip_reload(g, off, p), skip_reload(g, off, f));
	else
		j = emit_before(g, BPF_ALU | BPF_AND | BPF_K, mask,
				emit_jump(g, BPF_JEQ, want, p, f));
	return emit_load(g, off, j);
}

/* One 32-bit word compared with op; constant outcomes emit nothing. */
static struct target test32(struct gen *g, uint32_t off, enum sp_op op, uint32_t v, uint32_t v2,
			    struct target p, struct target f)
{
	/* the jumps below follow our own load: their targets may skip a
	 * reload; constant outcomes return p or f untouched */
	struct target j, ps = skip_reload(g, off, p), fs = skip_reload(g, off, f);

	switch (op) {
	case SP_OP_EQ: j = emit_jump(g, BPF_JEQ, v, ps, fs); break;
	case SP_OP_NE: j = emit_jump(g, BPF_JEQ, v, fs, ps); break;
	case SP_OP_GT:
		if (v == UINT32_MAX)
			return f;
		j = emit_jump(g, BPF_JGT, v, ps, fs);
		break;
	case SP_OP_GE:
		if (v == 0)
			return p;
		j = emit_jump(g, BPF_JGE, v, ps, fs);
		break;
	case SP_OP_LT:
		if (v == 0)
			return f;
		j = emit_jump(g, BPF_JGE, v, fs, ps);
		break;
	case SP_OP_LE:
		if (v == UINT32_MAX)
			return p;
		j = emit_jump(g, BPF_JGT, v, fs, ps);
		break;
	case SP_OP_MASKED_EQ: return masked32(g, off, v, v2, p, f);
	default: return f;
	}
	return emit_load(g, off, j);
}

/* x > V (or x >= V when ge) on 64 bits: hi > Vh wins, hi == Vh decides on
 * lo (libseccomp _db_rule_gen_64, docs/KERNEL.md §1.4), with minijail's shortcuts:
 * Vh == 0 needs no JEQ, Vh == ~0 no JGT, and x >= Vh:0 is hi >= Vh alone. */
static struct target greater64(struct gen *g, uint32_t hi, uint32_t lo, uint64_t v, bool ge,
			       struct target p, struct target f)
{
	uint32_t vh = (uint32_t)(v >> 32), vl = (uint32_t)v;
	struct target l, j;

	if (ge && vl == 0)
		return test32(g, hi, SP_OP_GE, vh, 0, p, f);
	l = test32(g, lo, ge ? SP_OP_GE : SP_OP_GT, vl, 0, p, f);
	if (vh == 0)
		return emit_load(g, hi, emit_jump(g, BPF_JGT, 0, p, l));
	j = emit_jump(g, BPF_JEQ, vh, l, f);
	if (vh != UINT32_MAX)
		j = emit_jump(g, BPF_JGT, vh, p, j);
	return emit_load(g, hi, j);
}

/* The high-word test an EQ, NE or MASKED_EQ condition starts with on a
 * 64-bit ABI: (hi & mask) == want, and where it went either way. */
struct hi_test {
	bool valid;
	uint8_t arg;
	uint32_t mask, want;
	struct target on_true, on_false;
};

static struct hi_test hi_test_of(const struct sp_arch *a, const struct sp_cond *c, bool ne_ok)
{
	struct hi_test h = { .arg = c->arg };
	bool masked = c->op == SP_OP_MASKED_EQ;

	if (a->bits == 32 || c->lo_only ||
	    !(c->op == SP_OP_EQ || masked || (ne_ok && c->op == SP_OP_NE)))
		return h;
	h.mask = masked ? (uint32_t)(c->value >> 32) : UINT32_MAX;
	h.want = (uint32_t)((masked ? c->value_two : c->value) >> 32);
	h.valid = h.mask != 0 && !(h.want & ~h.mask); /* a test is really emitted */
	return h;
}

static bool same_hi(const struct hi_test *x, const struct hi_test *y)
{
	return x->valid && y->valid && x->arg == y->arg && x->mask == y->mask && x->want == y->want;
}

/* One condition: p if it holds, f if it fails on the high word, f_lo if it
 * fails after the high word matched. *h (may be NULL) gets the high test. */
static struct target emit_cond(struct gen *g, const struct sp_arch *a, const struct sp_cond *c,
			       struct target p, struct target f, struct target f_lo,
			       struct hi_test *h)
{
	uint32_t base = OFF_ARGS + 8u * c->arg;
	uint32_t lo = base + (a->big_endian ? 4u : 0u), hi = base + (a->big_endian ? 0u : 4u);
	uint32_t vh = (uint32_t)(c->value >> 32), vl = (uint32_t)c->value;
	uint32_t wh = (uint32_t)(c->value_two >> 32), wl = (uint32_t)c->value_two;
	struct target l;

	if (h)
		*h = hi_test_of(a, c, true);
	/* 32-bit ABIs compare the low word only (libseccomp _db_rule_gen_32);
	 * so does an argument the kernel reads as 32 bits, whose value was cut
	 * to its low word and whose high word counts as 0 (ir/arg32.c): every
	 * high-word test would hold */
	if (a->bits == 32 || c->lo_only)
		return test32(g, lo, c->op, vl, wl, p, f);
	switch (c->op) {
	case SP_OP_EQ:
		l = test32(g, lo, SP_OP_EQ, vl, 0, p, f_lo);
		if (h)
			h->on_true = l, h->on_false = f;
		return test32(g, hi, SP_OP_EQ, vh, 0, l, f);
	case SP_OP_NE:
		l = test32(g, lo, SP_OP_EQ, vl, 0, f_lo, p);
		if (h)
			h->on_true = l, h->on_false = p;
		return test32(g, hi, SP_OP_EQ, vh, 0, l, p);
	case SP_OP_MASKED_EQ:
		l = masked32(g, lo, vl, wl, p, f_lo);
		if (h)
			h->on_true = l, h->on_false = f;
		return masked32(g, hi, vh, wh, l, f);
	case SP_OP_GT: return greater64(g, hi, lo, c->value, false, p, f);
	case SP_OP_GE: return greater64(g, hi, lo, c->value, true, p, f);
	case SP_OP_LE: return greater64(g, hi, lo, c->value, false, f, p);
	case SP_OP_LT: return greater64(g, hi, lo, c->value, true, f, p);
	default: return f;
	}
}

/* ---- groups of equality rules ---------------------------------------------- */

/* A syscall's rules from `first` to `end` that all test arg == V for one
 * argument, V sharing the high word `hi` (64-bit ABIs): the group tests the
 * high word once, loads the low word once, then dispatches over the low
 * words. For any input at most the rules of one value can match, so the
 * group keeps "first match wins" (libseccomp's rule order, docs/COMPAT.md §4.3) by
 * keeping the order among the rules of each value only. */
struct group {
	size_t first, end;
	uint8_t arg;
	uint32_t hi;
	bool lo_only; /* the key's argument is read as 32 bits: no high test */
};

/* One rule of a group: the low word of its key and where the key is. */
struct member {
	uint32_t lo;
	uint32_t rule; /* index in the syscall's rules: the order to keep */
	uint8_t key;   /* index of the key condition in the rule */
};

/* The key condition of a rule for (arg, hi): the first arg == V with
 * V's high word hi (32-bit ABIs compare the low word only, so any V). */
static int key_of(const struct sp_arch *a, const struct sp_crule *cr, uint8_t arg, uint32_t hi)
{
	for (size_t k = 0; k < cr->nconds; k++) {
		const struct sp_cond *c = &cr->conds[k];
		if (c->op == SP_OP_EQ && c->arg == arg &&
		    (a->bits == 32 || c->lo_only || (uint32_t)(c->value >> 32) == hi))
			return (int)k;
	}
	return -1;
}

/* The longest group ending at rule end - 1, its key chosen among that
 * rule's equality conditions (the earliest on a tie). first == end - 1:
 * no group of two or more. */
static struct group find_group(const struct sp_arch *a, const struct sp_sysrule *s, size_t end)
{
	const struct sp_crule *last = &s->rules[end - 1];
	struct group best = { .first = end - 1, .end = end };

	for (size_t k = 0; k < last->nconds; k++) {
		const struct sp_cond *c = &last->conds[k];
		uint32_t hi = a->bits == 32 || c->lo_only ? 0 : (uint32_t)(c->value >> 32);
		size_t first = end - 1;
		if (c->op != SP_OP_EQ)
			continue;
		while (first > 0 && key_of(a, &s->rules[first - 1], c->arg, hi) >= 0)
			first--;
		if (first < best.first)
			best = (struct group){ first, end, c->arg, hi, c->lo_only };
	}
	return best;
}

static int cmp_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->rule > b->rule) - (a->rule < b->rule);
}

/* Sorted members of a group in g->members (by value, then rule order). */
static size_t group_members(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s,
			    const struct group *gr)
{
	size_t n = gr->end - gr->first;
	bool sorted = true;

	if (n > g->members_cap) {
		struct member *m = sp_srealloc(g->scratch, g->members, n * sizeof(*m));
		if (!m) {
			g->oom = true;
			return 0;
		}
		g->members = m;
		g->members_cap = n;
	}
	/* filled from the last rule: libseccomp's order puts larger values
	 * first (docs/COMPAT.md §4.3), so distinct values usually arrive sorted */
	for (size_t i = 0; i < n; i++) {
		size_t r = gr->end - 1 - i;
		int key = key_of(a, &s->rules[r], gr->arg, gr->hi);
		g->members[i] = (struct member){ (uint32_t)s->rules[r].conds[key].value,
						 (uint32_t)r, (uint8_t)key };
		sorted = sorted && (i == 0 || g->members[i - 1].lo < g->members[i].lo);
	}
	if (!sorted)
		qsort(g->members, n, sizeof(*g->members), cmp_member);
	return n;
}

/* A rule's conditions but its key: ret if they all hold, else miss. */
static struct target emit_rest(struct gen *g, const struct sp_arch *a, const struct sp_crule *cr,
			       size_t key, struct target miss)
{
	struct target t = ret_target(cr->ret);

	for (size_t k = cr->nconds; k-- > 0;)
		if (k != key)
			t = emit_cond(g, a, &cr->conds[k], t, miss, miss, NULL);
	return t;
}

/* What members [lo, hi) of one value do: their rules in order; a rule
 * with nothing but its key ends the walk (later ones cannot be reached). */
static struct target emit_value(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s,
				size_t lo, size_t hi, struct target miss)
{
	struct target t = miss;

	for (size_t i = lo; i < hi; i++) {
		if (s->rules[g->members[i].rule].nconds == 1) {
			hi = i + 1;
			break;
		}
	}
	for (size_t i = hi; i-- > lo;)
		t = emit_rest(g, a, &s->rules[g->members[i].rule], g->members[i].key, t);
	return t;
}

/* Dispatch on A (the key's low word) over the distinct values vals[lo, hi)
 * (indexes into g->members, one per value; vals[hi] ends the last one):
 * a chain of JEQs, one instruction a value, as libseccomp's. A JGE tree
 * over the sorted values would take about log2 n steps instead of n, but
 * each split is an instruction more and no JEQ less, and the program is
 * to be no longer than libseccomp's on any profile: bench.c's 1,000 rules
 * (20 values on each of 50 syscalls) leave about ten instructions to
 * spare, not one a syscall. */
static struct target emit_values(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s,
				 uint32_t off, const size_t *vals, size_t lo, size_t hi,
				 struct target miss)
{
	struct target cur = miss;

	for (size_t v = hi; v-- > lo;) {
		struct target t = emit_value(g, a, s, vals[v], vals[v + 1], miss);
		/* A holds the low word: a rest starting with its load skips it */
		cur = emit_jump(g, BPF_JEQ, g->members[vals[v]].lo, skip_reload(g, off, t),
				skip_reload(g, off, cur));
	}
	return cur;
}

/* Indexes of the first member of each distinct value, then n; *nvals
 * gets the count. NULL when out of memory. */
static size_t *distinct_values(struct gen *g, size_t n, size_t *nvals)
{
	size_t *vals = sp_salloc(g->scratch, (n + 1) * sizeof(*vals)), d = 0;

	if (!vals) {
		g->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || g->members[i].lo != g->members[i - 1].lo)
			vals[d++] = i;
	vals[d] = n;
	*nvals = d;
	return vals;
}

/* The high-word test a group starts with (none on 32-bit ABIs). */
static struct hi_test group_hi_test(const struct sp_arch *a, const struct group *gr)
{
	return (struct hi_test){ .valid = a->bits != 32 && !gr->lo_only,
				 .arg = gr->arg,
				 .mask = UINT32_MAX,
				 .want = gr->hi };
}

/* A group: LD hi; JEQ hi -> on, else f_hi; on: LD lo; dispatch (misses
 * go to f_lo, the high word having matched). *h describes the high test
 * for the rule before the group. */
static struct target emit_group(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s,
				const struct group *gr, struct target f_hi, struct target f_lo,
				struct hi_test *h)
{
	uint32_t base = OFF_ARGS + 8u * gr->arg;
	uint32_t lo = base + (a->big_endian ? 4u : 0u), hi = base + (a->big_endian ? 0u : 4u);
	size_t n = group_members(g, a, s, gr), nvals = 0;
	size_t *vals = n ? distinct_values(g, n, &nvals) : NULL;
	struct target on;

	*h = (struct hi_test){ 0 };
	if (!vals)
		return f_hi;
	on = emit_values(g, a, s, lo, vals, 0, nvals, f_lo);
	sp_sfree(g->scratch, vals);
	on = emit_load(g, lo, on);
	if (a->bits == 32 || gr->lo_only)
		return on;
	*h = group_hi_test(a, gr);
	h->on_true = on;
	h->on_false = f_hi;
	return test32(g, hi, SP_OP_EQ, gr->hi, 0, on, f_hi);
}

/* One rule alone: its first condition may share the high-word test of
 * what follows (nxt): failing after that test matched enters the next
 * rule past it, failing the test itself skips the next rule's copy (so a
 * rule cut by a group still costs one high-word test for both). */
static struct target emit_rule(struct gen *g, const struct sp_arch *a, const struct sp_crule *cr,
			       struct target f_hi, struct target f_lo, struct hi_test *h)
{
	struct target t = ret_target(cr->ret);

	for (size_t k = cr->nconds; k-- > 1;)
		t = emit_cond(g, a, &cr->conds[k], t, f_lo, f_lo, NULL);
	return emit_cond(g, a, &cr->conds[0], t, f_hi, f_lo, h);
}

/* ---- libseccomp's word tree ------------------------------------------------ */

/* The word test of one tree node (its own load: A may hold another word
 * when a level below fell through, so nothing is assumed of it). */
static struct target emit_tnode(struct gen *g, const struct sp_arch *a, const struct sp_tnode *n,
				struct target t, struct target f)
{
	uint32_t base = OFF_ARGS + 8u * (n->level >> 1u);
	bool hi = n->level & 1u;
	uint32_t off = base + (hi != a->big_endian ? 4u : 0u);

	/* the high word of an argument the kernel reads as 32 bits counts as
	 * 0 (ir/arg32.c): the test's outcome is known, nothing is loaded */
	if (hi && n->lo_only)
		return sp_tnode_test(n, 0) ? t : f;
	if (n->op == SP_OP_MASKED_EQ)
		return masked32(g, off, n->mask, n->datum, t, f);
	if (n->mask != UINT32_MAX) /* a range test of a masked word: only
				      libseccomp's stale accumulator makes one
				      (ir/scmpacc.c) */
		return emit_load(g, off,
				 emit_before(g, BPF_ALU | BPF_AND | BPF_K, n->mask,
					     emit_jump(g, n->op == SP_OP_GT ? BPF_JGT : BPF_JGE,
						       n->datum, t, f)));
	return test32(g, off, n->op, n->datum, 0, t, f);
}

/* One level of the tree (ruleset.h, sp_tnode): its nodes in sibling order,
 * each side going down a level, returning, or on to the next node; `fall`
 * is where the level goes on when every node falls through. Emitted from
 * the last sibling up, so each node's "next" is already placed. */
static struct target emit_level(struct gen *g, const struct sp_arch *a, const struct sp_tnode *n,
				struct target fall)
{
	struct target cur = fall;

	while (n->next)
		n = n->next;
	for (; n; n = n->prev) {
		struct target t = n->t       ? emit_level(g, a, n->t, cur)
				  : n->has_t ? ret_target(n->act_t)
					     : cur;
		struct target f = n->f       ? emit_level(g, a, n->f, cur)
				  : n->has_f ? ret_target(n->act_f)
					     : cur;
		cur = emit_tnode(g, a, n, t, f);
	}
	return cur;
}

/* The twin of a syscall where libseccomp's program compares a stale
 * accumulator (ruleset.h, sp_wide.dag): a DAG whose nodes several paths
 * share, so each is emitted once and jumped to from every path. */
struct dag_emit {
	const struct sp_wide *w;
	struct target *at;
	bool *done;
};

static struct target emit_dag_node(struct gen *g, const struct sp_arch *a, struct dag_emit *d,
				   const struct sp_tnode *n)
{
	size_t i = (size_t)(n - d->w->dag);
	struct target t, f;

	if (d->done[i])
		return d->at[i];
	t = n->t ? emit_dag_node(g, a, d, n->t) : ret_target(n->act_t);
	f = n->f ? emit_dag_node(g, a, d, n->f) : ret_target(n->act_f);
	d->at[i] = emit_tnode(g, a, n, t, f);
	place(g, &d->at[i]);
	d->done[i] = true;
	return d->at[i];
}

static struct target emit_dag(struct gen *g, const struct sp_arch *a, const struct sp_wide *w)
{
	struct dag_emit d = { w, sp_scalloc(g->scratch, w->ndag, sizeof(*d.at)),
			      sp_scalloc(g->scratch, w->ndag, sizeof(*d.done)) };
	struct target root = ret_target(0);

	if (d.at && d.done)
		root = emit_dag_node(g, a, &d, sp_sys_tree(&w->rules));
	else
		g->oom = true;
	sp_sfree(g->scratch, d.done);
	sp_sfree(g->scratch, d.at);
	return root;
}

/* A syscall's conditional rules: first match wins, else the default.
 * Emitted from the last rule up, as groups of equality rules where two or
 * more follow each other, else one rule at a time. */
static struct target emit_args(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s)
{
	struct target next = ret_target(g->rs->default_ret);
	struct hi_test nxt = { 0 };

	if (sp_sys_tree(s)) /* rules of several actions: the tree's order decides */
		return emit_level(g, a, sp_sys_tree(s), next);

	for (size_t end = s->nrules; end > 0;) {
		struct group gr = find_group(a, s, end);
		bool grouped = gr.end - gr.first > 1;
		const struct sp_crule *cr = &s->rules[gr.first];
		struct hi_test mine = grouped ? group_hi_test(a, &gr)
					      : hi_test_of(a, &cr->conds[0], false);
		bool share = same_hi(&mine, &nxt);
		struct target f_lo = share ? nxt.on_true : next;
		struct target f_hi = share ? nxt.on_false : next;

		if (grouped)
			next = emit_group(g, a, s, &gr, f_hi, f_lo, &nxt);
		else
			next = emit_rule(g, a, cr, f_hi, f_lo, &nxt);
		end = gr.first;
	}
	return next;
}

/* ---- the stricter of the low-word and the 64-bit verdicts ------------------ */

static struct target emit_sys(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s)
{
	return s->uncond ? ret_target(s->ret) : emit_args(g, a, s);
}

static size_t rank_of(const struct leaves *l, uint32_t ret)
{
	for (size_t i = 0; i < l->nranked; i++)
		if (l->ranked[i] == ret)
			return i;
	return 0; /* not reached: every low return was ranked */
}

/* The first rank whose return is strictly stricter than `ret`; nranked
 * when none is. */
static size_t rank_above(const struct leaves *l, uint32_t ret)
{
	size_t i = 0;

	while (i < l->nranked && !sp_ret_stricter(l->ranked[i], ret))
		i++;
	return i;
}

static size_t leaf_pos(struct gen *g, uint32_t ret)
{
	struct leaves *l = &g->leaf;
	size_t pos, r;

	if (l->mode == LEAF_CONST)
		return real_ret(g, sp_ret_stricter(ret, l->with) ? ret : l->with);
	for (size_t i = 0; i < l->ncache; i++)
		if (l->cache[i].ret == ret && g->len - l->cache[i].pos - 1 <= MAX_JUMP)
			return l->cache[i].pos;
	if (l->mode == LEAF_RANK) {
		/* X = the rank; then the twin */
		pos = emit_before(g, BPF_LDX | BPF_IMM, (uint32_t)rank_of(l, ret),
				  pos_target(l->wide_pos))
			      .pos;
	} else if (l->mode == LEAF_RAISE) {
		/* X = the rank of ret unless X's is strictly stricter (A = X
		 * then; ranks from r on are); then the twin */
		struct target set = emit_before(g, BPF_LDX | BPF_IMM, (uint32_t)rank_of(l, ret),
						pos_target(l->wide_pos));
		if ((r = rank_above(l, ret)) == l->nranked) {
			pos = set.pos;
		} else {
			struct target t =
				emit_jump(g, BPF_JGE, (uint32_t)r, pos_target(l->wide_pos), set);
			pos = emit_before(g, BPF_MISC | BPF_TXA, 0, t).pos;
		}
	} else if ((r = rank_above(l, ret)) == l->nranked) {
		return real_ret(g, ret); /* no low verdict is stricter */
	} else {
		/* A = X; ranks from r on are stricter than ret */
		struct target t = emit_jump(g, BPF_JGE, (uint32_t)r, pos_target(l->dispatch),
					    pos_target(real_ret(g, ret)));
		pos = emit_before(g, BPF_MISC | BPF_TXA, 0, t).pos;
	}
	if (l->ncache < RET_CACHE) {
		l->cache[l->ncache].ret = ret;
		l->cache[l->ncache++].pos = pos;
	}
	return pos;
}

static void rank_add(struct gen *g, uint32_t ret)
{
	struct leaves *l = &g->leaf;

	for (size_t i = 0; i < l->nranked; i++)
		if (l->ranked[i] == ret)
			return;
	if (l->nranked == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		uint32_t *p = sp_srealloc(g->scratch, l->ranked, cap * sizeof(*p));
		if (!p) {
			g->oom = true;
			return;
		}
		l->ranked = p;
		l->cap = cap;
	}
	l->ranked[l->nranked++] = ret;
}

static void rank_tree(struct gen *g, const struct sp_tnode *n)
{
	for (; n; n = n->next) {
		if (n->has_t)
			rank_add(g, n->act_t);
		if (n->has_f)
			rank_add(g, n->act_f);
		if (n->t)
			rank_tree(g, n->t);
		if (n->f)
			rank_tree(g, n->f);
	}
}

static int cmp_strictness(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (sp_ret_stricter(a, b) != sp_ret_stricter(b, a))
		return sp_ret_stricter(a, b) ? 1 : -1;
	return (a > b) - (a < b);
}

static void rank_sys(struct gen *g, const struct sp_sysrule *s)
{
	const struct sp_tnode *root = sp_sys_tree(s);

	rank_add(g, s->uncond ? s->ret : g->rs->default_ret);
	for (size_t i = 0; !s->uncond && i < s->nrules; i++)
		rank_add(g, s->rules[i].ret);
	while (root && root->prev)
		root = root->prev;
	rank_tree(g, root);
}

/* Every return the low rules of s can make, and the rules as written
 * where the twin keeps them (sp_wide.written), least strict first. */
static void rank_returns(struct gen *g, const struct sp_sysrule *s)
{
	g->leaf.nranked = 0;
	rank_sys(g, s);
	if (sp_sys_wide(s) && sp_sys_wide(s)->written)
		rank_sys(g, sp_sys_wide(s)->written);
	qsort(g->leaf.ranked, g->leaf.nranked, sizeof(*g->leaf.ranked), cmp_strictness);
}

/* X holds a rank (A = X on entry): return ranked[X]. */
static size_t emit_dispatch(struct gen *g)
{
	const struct leaves *l = &g->leaf;
	struct target cur = ret_target(l->ranked[0]);

	for (size_t r = 1; r < l->nranked; r++)
		cur = emit_jump(g, BPF_JEQ, (uint32_t)r, ret_target(l->ranked[r]), cur);
	place(g, &cur);
	return cur.pos;
}

static void leaf_mode(struct gen *g, enum leaf_mode mode)
{
	g->leaf.mode = mode;
	g->leaf.ncache = 0;
}

/* A syscall whose rules test arguments the kernel reads as 32 bits
 * (ir/arg32.c) returns the stricter of its low-word verdict and its
 * twin's 64-bit one, libseccomp's (ruleset.h, sp_sysrule_more.wide):
 *   guard: LD hi(arg); JEQ H ... for each such argument
 *   fast:  the low-word rules (all high words as the rules expect: the two
 *          verdicts are equal, so this is the common path)
 *   slow:  the low-word rules, each return leaving its rank in X; the
 *          twin, each return compared with X (TXA; JGE) and the stricter
 *          returned, through a JEQ chain over the ranks.
 * No scratch memory: the kernel's store/load check (net/core/filter.c
 * check_load_and_stores) does not clear its state at a RET, so a load
 * laid out after a shared return could be refused. */
static struct target emit_wide(struct gen *g, const struct sp_arch *a, const struct sp_sysrule *s)
{
	const struct sp_wide *tw = sp_sys_wide(s);
	const struct sp_sysrule *w = tw ? &tw->rules : NULL;
	struct target fast, slow, next;

	if (!w)
		return emit_args(g, a, s);
	if (w->uncond) {
		g->leaf.with = w->ret;
		leaf_mode(g, LEAF_CONST);
		slow = emit_sys(g, a, s);
		place(g, &slow);
	} else {
		struct target wide;
		rank_returns(g, s);
		leaf_mode(g, LEAF_RET);
		g->leaf.dispatch = emit_dispatch(g);
		leaf_mode(g, LEAF_MIN);
		wide = tw->dag ? emit_dag(g, a, tw) : emit_sys(g, a, w);
		place(g, &wide);
		g->leaf.wide_pos = wide.pos;
		if (tw->written) {
			/* the rules as written, between the low ones and the DAG */
			struct target mid;
			leaf_mode(g, LEAF_RAISE);
			mid = emit_sys(g, a, tw->written);
			place(g, &mid);
			g->leaf.wide_pos = mid.pos;
		}
		leaf_mode(g, LEAF_RANK);
		slow = emit_sys(g, a, s);
		place(g, &slow);
	}
	leaf_mode(g, LEAF_RET);
	if (!tw->args || g->compact)
		return slow;
	fast = emit_sys(g, a, s);
	next = fast;
	for (unsigned i = 6; i-- > 0;) {
		uint32_t hi = OFF_ARGS + 8u * i + (a->big_endian ? 0u : 4u);
		if (!(tw->args >> i & 1))
			continue;
		next = emit_jump(g, BPF_JEQ, tw->hi[i], next, slow);
		next = emit_load(g, hi, next);
	}
	return next;
}

/* ---- runs and the range tree ---------------------------------------------- */

static void push_run(struct sp_vec *runs, uint32_t start, const struct sp_sysrule *s,
		     const struct sp_arch *a, uint32_t ret)
{
	struct run *last = runs->len ? (struct run *)runs->items + runs->len - 1 : NULL;
	struct run *r;

	if (last && !s && !last->sys && last->ret == ret)
		return; /* same constant outcome: the run just grows */
	/* emit_section reserved room for every run: no zeroed slot to write
	 * over, no growth to copy */
	r = runs->len < runs->cap ? (struct run *)runs->items + runs->len++ : sp_vec_push(runs);
	if (r)
		*r = (struct run){ start, s, a, ret };
}

/* The numbers [cur, end) that no rule names: the default, and runc's
 * stub's ENOSYS from enosys_from on. */
static void gap_runs(struct sp_vec *runs, uint64_t cur, uint64_t end, uint64_t enosys_from,
		     uint32_t def)
{
	if (cur >= end)
		return;
	if (cur < enosys_from)
		push_run(runs, (uint32_t)cur, NULL, NULL, def);
	if (enosys_from < end)
		push_run(runs, (uint32_t)(cur > enosys_from ? cur : enosys_from), NULL, NULL,
			 SP_RET_ENOSYS);
}

static void table_runs(struct sp_vec *runs, const struct sp_zone *z, uint32_t def)
{
	const struct sp_arch_rules *t = z->table;
	uint64_t cur = z->lo;
	/* runc's stub: numbers above the highest named one get ENOSYS; on
	 * the unlisted native arch a number kept above it has a slot too
	 * (ruleset.h sp_arch_rules.unlisted) */
	uint64_t enosys_from = t->enosys_max > 0 ? (uint64_t)t->enosys_max + 1 : UINT64_MAX;

	for (size_t i = 0; i < t->nsys; i++) {
		const struct sp_sysrule *s = &t->sys[i];
		uint32_t nr = (uint32_t)s->nr;
		if (nr < z->lo || nr > z->hi)
			continue;
		gap_runs(runs, cur, nr, enosys_from, def);
		bool constant = s->uncond && !sp_sys_wide(s);
		push_run(runs, nr, constant ? NULL : s, t->arch, constant ? s->ret : 0);
		cur = (uint64_t)nr + 1;
	}
	gap_runs(runs, cur, (uint64_t)z->hi + 1, enosys_from, def);
}

static struct target emit_leaf(struct gen *g, const struct run *r)
{
	if (!r->sys)
		return ret_target(r->ret);
	return emit_wide(g, r->arch, r->sys);
}

/* The split of runs [lo, hi) that halves their weight: w[i] is the weight
 * of runs [0, i), so the search is a binary search over prefix sums. */
static size_t weighted_mid(const uint64_t *w, size_t lo, size_t hi)
{
	uint64_t half = w[lo] + (w[hi] - w[lo]) / 2;
	size_t a = lo + 1, b = hi - 1;

	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (w[m] < half)
			a = m + 1;
		else
			b = m;
	}
	/* a is the first split with at least half on the left; its neighbour
	 * may be closer to the middle */
	if (a > lo + 1 && half - w[a - 1] < w[a] - half)
		a--;
	return a;
}

/* Runs [lo, hi) that are one number each on a background of one constant
 * action (gaps between the syscalls a profile names): a JEQ per number, half
 * the JGE tree's instructions (libseccomp's dispatch is JEQs too). The
 * background, which holds most numbers, then takes one compare per single:
 * with two, 2 where the tree over five runs takes 2 or 3; with three, 3
 * where the tree over seven takes 2 or 3, which raised the mean steps of
 * Docker's default on x86_64 (bench: 10.05 with at most 2, 10.17 with 3).
 * Returns how many, 0 if not so. */
#define JEQ_CHAIN_MAX 2u

static size_t singles(const struct run *runs, size_t n, size_t lo, size_t hi, uint32_t *bg)
{
	size_t count = 0;
	bool have_bg = false;

	/* at most JEQ_CHAIN_MAX singles with a background run around each:
	 * a longer stretch is never one (and the scan would make the tree
	 * quadratic in the runs) */
	if (hi - lo > 2 * JEQ_CHAIN_MAX + 1)
		return 0;
	for (size_t i = lo; i < hi; i++) {
		uint64_t end = i + 1 < n ? runs[i + 1].start : (uint64_t)UINT32_MAX + 1;
		if (!runs[i].sys && (!have_bg || runs[i].ret == *bg) && end - runs[i].start > 1) {
			*bg = runs[i].ret;
			have_bg = true;
		} else if (end - runs[i].start == 1) {
			count++;
		} else {
			return 0;
		}
	}
	/* a single of the background action is background too: keep it simple */
	for (size_t i = lo; have_bg && i < hi; i++)
		if (!runs[i].sys && runs[i].ret == *bg && i + 1 < n &&
		    runs[i + 1].start - runs[i].start == 1)
			return 0;
	return have_bg && count <= JEQ_CHAIN_MAX && count + 1 < hi - lo ? count : 0;
}

static struct target emit_singles(struct gen *g, const struct run *runs, size_t lo, size_t hi,
				  uint32_t bg)
{
	struct target next = ret_target(bg);

	for (size_t i = hi; i-- > lo;)
		if (runs[i].sys || runs[i].ret != bg)
			next = emit_jump(g, BPF_JEQ, runs[i].start, emit_leaf(g, &runs[i]), next);
	return next;
}

/* ---- the dispatch plan: an optimal alphabetic tree ------------------------- */

/* Weight-balanced splits (weighted_mid) cut the runs down to stretches of
 * at most PLAN_MAX, and the tree over each stretch is the best one for the
 * runs' weights (run_weights), found by the interval dynamic program for
 * optimal alphabetic trees with Knuth's bound on the root (the best root of
 * [i, j) lies between those of [i, j - 1) and [i + 1, j); Knuth 1971,
 * "Optimum binary search trees"). An interval a JEQ chain can cover
 * (singles) is always that chain, as before, and costs what the chain
 * costs. The splits keep the expected depth within 2 of the entropy bound;
 * the plans take up most of the rest (docs/KERNEL.md §6). 16 runs: on
 * Docker's and Podman's defaults, 8 leaves the numbers' mean above the
 * weight-balanced tree's, 32 and more gain little for twice the time
 * (m^2/2 intervals per stretch, held on the stack). */
#define PLAN_MAX 16u

struct plan {
	const struct run *runs;
	size_t n, lo, m; /* the plan covers runs [lo, lo + m) of n */
	const uint64_t *w;
	/* per interval [i, j), stored by length then start (at(), a
	 * triangle): the sweep over i for one length reads each row front
	 * to back */
	uint64_t *cost; /* least weighted depth */
	uint8_t *root;  /* its first run on the right; 0: a JEQ chain */
	uint32_t *row;  /* row[d]: where the intervals of d runs start */
	uint8_t *ones;  /* ones[i]: how many of the first i runs hold one number */
};

static size_t at(const struct plan *p, size_t i, size_t j)
{
	return p->row[j - i] + i;
}

static uint64_t chain_cost(const struct plan *p, size_t i, size_t j, uint32_t bg)
{
	const struct run *r = p->runs + p->lo;
	uint64_t cost = 0, pos = 0, count = 0;

	for (size_t k = i; k < j; k++)
		count += r[k].sys || r[k].ret != bg;
	for (size_t k = i; k < j; k++) {
		uint64_t w = p->w[p->lo + k + 1] - p->w[p->lo + k];
		bool single = r[k].sys || r[k].ret != bg;
		pos += single;
		cost += w * (single ? pos : count);
	}
	return cost;
}

/* Every interval of d runs, from the shorter ones already planned. */
static void plan_length(struct plan *p, size_t d)
{
	const uint32_t *row = p->row;
	const uint64_t *w = p->w + p->lo;
	uint64_t *cost = p->cost;
	uint8_t *root = p->root;
	size_t here = row[d], shorter = row[d - 1];

	for (size_t i = 0, j = d; j <= p->m; i++, j++) {
		size_t a = i + 1, b = j - 1, best_k = a;
		uint64_t best = UINT64_MAX;
		uint32_t bg = 0;
		size_t nsingle = (size_t)(p->ones[j] - p->ones[i]);
		/* a chain has one to JEQ_CHAIN_MAX numbers alone and two or
		 * more longer runs around them, in at most 2 * JEQ_CHAIN_MAX + 1
		 * runs (singles): count first */
		if (nsingle && nsingle <= JEQ_CHAIN_MAX && nsingle + 1 < d &&
		    d <= 2 * JEQ_CHAIN_MAX + 1 &&
		    singles(p->runs, p->n, p->lo + i, p->lo + j, &bg)) {
			cost[here + i] = chain_cost(p, i, j, bg);
			root[here + i] = 0;
			continue;
		}
		/* Knuth's bound, where both neighbours have a root */
		if (d > 2 && root[shorter + i] && root[shorter + i + 1] &&
		    root[shorter + i] <= root[shorter + i + 1]) {
			a = root[shorter + i] > a ? root[shorter + i] : a;
			b = root[shorter + i + 1] < b ? root[shorter + i + 1] : b;
		}
		for (size_t k = a; k <= b; k++) {
			uint64_t c = cost[row[k - i] + i] + cost[row[j - k] + k];
			if (c < best) {
				best = c;
				best_k = k;
			}
		}
		cost[here + i] = best + w[j] - w[i];
		root[here + i] = (uint8_t)best_k;
	}
}

static struct target emit_plan(struct gen *g, const struct plan *p, size_t i, size_t j)
{
	size_t k = j - i > 1 ? p->root[at(p, i, j)] : 0;
	struct target left, right;
	uint32_t bg = 0;

	if (j - i == 1)
		return emit_leaf(g, &p->runs[p->lo + i]);
	if (!k) {
		singles(p->runs, p->n, p->lo + i, p->lo + j, &bg);
		return emit_singles(g, p->runs, p->lo + i, p->lo + j, bg);
	}
	right = emit_plan(g, p, k, j);
	left = emit_plan(g, p, i, k);
	return emit_jump(g, BPF_JGE, p->runs[p->lo + k].start, right, left);
}

static struct target emit_planned(struct gen *g, const struct run *runs, size_t n,
				  const uint64_t *w, size_t lo, size_t hi)
{
	uint64_t cost[PLAN_MAX * (PLAN_MAX + 1) / 2];
	uint8_t root[PLAN_MAX * (PLAN_MAX + 1) / 2], ones[PLAN_MAX + 1];
	uint32_t row[PLAN_MAX + 1];
	struct plan p = { runs, n, lo, hi - lo, w, cost, root, row, ones };

	row[1] = 0;
	for (size_t d = 2; d <= p.m; d++)
		row[d] = row[d - 1] + (uint32_t)(p.m - d + 2);
	ones[0] = 0;
	for (size_t i = 0; i < p.m; i++) {
		uint64_t end = lo + i + 1 < n ? runs[lo + i + 1].start : (uint64_t)UINT32_MAX + 1;
		ones[i + 1] = (uint8_t)(ones[i] + (end - runs[lo + i].start == 1));
		cost[at(&p, i, i + 1)] = 0;
		root[at(&p, i, i + 1)] = 0;
	}
	for (size_t d = 2; d <= p.m; d++)
		plan_length(&p, d);
	return emit_plan(g, &p, 0, p.m);
}

/* The tree of compares over runs [lo, hi) (split, when not 0, is its root):
 * the higher half is emitted first so the lower half falls through
 * (jf == 0). */
static struct target emit_tree(struct gen *g, const struct run *runs, size_t n, const uint64_t *w,
			       size_t lo, size_t hi, size_t split)
{
	struct target left, right;
	uint32_t bg = 0;
	size_t mid;

	if (hi - lo == 1)
		return emit_leaf(g, &runs[lo]);
	if (!split && hi - lo <= PLAN_MAX)
		return emit_planned(g, runs, n, w, lo, hi);
	if (!split && singles(runs, n, lo, hi, &bg))
		return emit_singles(g, runs, lo, hi, bg);
	mid = split ? split : weighted_mid(w, lo, hi);
	right = emit_tree(g, runs, n, w, mid, hi, 0);
	left = emit_tree(g, runs, n, w, lo, mid, 0);
	return emit_jump(g, BPF_JGE, runs[mid].start, right, left);
}

/* The run holding number nr: the last one starting at or below it. */
static size_t run_at(const struct run *runs, size_t n, uint32_t nr)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (runs[mid].start <= nr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Does the kernel's action cache leave a call of this run of zone z to the
 * filter? It answers, without running it, only a native or compat number
 * whose verdict is ALLOW whatever the arguments (kernel/seccomp.c,
 * seccomp_cache_check_allow; docs/KERNEL.md §2.1); an x32 number lies past
 * the native bitmap. */
static bool runs_filter(const struct run *r, const struct sp_zone *z)
{
	return r->sys || r->ret != SP_RET_ALLOW || z->table->arch->nr_base == SP_X32_BIT;
}

/* How many syscall numbers run i holds across the zones, up to each arch's
 * highest (top[k], one past it; at least 1). */
static uint64_t numbers_held(const struct run *runs, size_t n, size_t i, const struct sp_zone *z,
			     const uint64_t *top, size_t nz)
{
	uint64_t end = i + 1 < n ? runs[i + 1].start : (uint64_t)UINT32_MAX + 1;
	uint64_t weight = 0;

	for (size_t k = 0; k < nz; k++) {
		uint64_t lo, hi;
		if (!z[k].table)
			continue;
		lo = runs[i].start > z[k].lo ? runs[i].start : z[k].lo;
		hi = end - 1 < top[k] ? end - 1 : top[k];
		hi = hi < z[k].hi ? hi : z[k].hi;
		weight += hi >= lo ? hi - lo + 1 : 0;
	}
	return weight ? weight : 1;
}

/* Add to mix[r + 1] the share (in parts of 2^20) of zone z's recorded
 * calls that run the filter (sp_syscall_mix_at, runs_filter) falling in run
 * r: a distribution over the runs, whatever the share of such calls. The
 * first MIX_SEEN such names, most frequent first, are enough for that. */
#define MIX_SEEN 128u

static void mix_weights(const struct run *runs, size_t n, const struct sp_zone *z, uint64_t *mix)
{
	struct {
		size_t run;
		uint32_t weight;
	} seen[MIX_SEEN];
	size_t nseen = 0;
	uint64_t total = 0;
	uint32_t weight;
	int32_t nr;

	for (size_t k = 0;
	     nseen < MIX_SEEN && (weight = sp_syscall_mix_at(z->table->arch, k, &nr, NULL)); k++) {
		size_t r;
		if (nr < 0 || (uint32_t)nr < z->lo || (uint32_t)nr > z->hi)
			continue;
		r = run_at(runs, n, (uint32_t)nr);
		if (!runs_filter(&runs[r], z))
			continue;
		seen[nseen].run = r;
		seen[nseen++].weight = weight;
		total += weight;
	}
	for (size_t k = 0; k < nseen; k++)
		mix[seen[k].run + 1] += ((uint64_t)seen[k].weight << 20) / total;
}

/* Prefix sums of run weights; w has n + 1 entries. A run weighs the
 * syscall numbers it holds (numbers_held) times 2^UNIFORM_SHIFT plus its
 * share of the recorded calls that run the filter (mix_weights, 2^20 per
 * zone): a blend of two models of the calls a filter sees, any number
 * alike (a kernel without the action cache, a workload unlike the
 * recorded one) and the calls people make that the cache cannot answer
 * (clone, socket, clone3 and every x32 call under Docker's default).
 * Numbers keep the real syscalls above the long ENOSYS or bad-arch
 * stretches; the mix lifts the calls that run the filter. 2^14 per number
 * (a zone's ~460 numbers then weigh 7 times its mix) is the lightest
 * number weight that keeps the numbers' mean steps below the
 * weight-balanced tree's on Docker's default for x86_64, i386 and x32
 * (2^13 raised i386's; `make bench`, docs/KERNEL.md §6). Sums stay far
 * below 2^64: a few thousand numbers times 2^14, times a depth below 64. */
#define UNIFORM_SHIFT 14

static uint64_t *run_weights(struct sp_scratch *scratch, const struct run *runs, size_t n,
			     const struct sp_zone *z, size_t nz)
{
	uint64_t *w = sp_scalloc(scratch, n + 1, sizeof(*w)), top[SP_MAX_ZONES] = { 0 };

	if (!w)
		return NULL;
	for (size_t k = 0; k < nz; k++)
		if (z[k].table) {
			top[k] = (uint64_t)(uint32_t)sp_syscall_max(z[k].table->arch) + 1;
			mix_weights(runs, n, &z[k], w);
		}
	for (size_t i = 0; i < n; i++)
		w[i + 1] =
			w[i] + (numbers_held(runs, n, i, z, top, nz) << UNIFORM_SHIFT) + w[i + 1];
	return w;
}

/* One audit arch: LD nr, then the tree. On x86_64 the root compare is the
 * x32 guard, nr >= 0x40000000 (a cacheable JGE, docs/KERNEL.md §2.6). */
static struct target emit_section(struct gen *g, uint32_t audit)
{
	struct sp_zone z[SP_MAX_ZONES];
	struct sp_vec v = { .item_size = sizeof(struct run), .scratch = g->scratch };
	size_t n = sp_ruleset_zones(g->rs, audit, z), split = 0, most = 0;
	struct target root;

	/* at most a gap and a number per syscall, and a gap and the ENOSYS
	 * stretch after the last (table_runs), or one run for a zone */
	for (size_t i = 0; i < n; i++)
		most += z[i].table ? 2 * z[i].table->nsys + 2 : 1;
	if ((v.items = sp_salloc(g->scratch, most * sizeof(struct run))))
		v.cap = most;
	for (size_t i = 0; i < n; i++) {
		if (z[i].table)
			table_runs(&v, &z[i], g->rs->default_ret);
		else
			push_run(&v, z[i].lo, NULL, NULL, z[i].ret);
	}
	if (!v.len) {
		g->oom = true;
		return ret_target(SP_RET_KILL_THREAD);
	}
	const struct run *runs = v.items;
	uint64_t *w = run_weights(g->scratch, runs, v.len, z, n);
	for (size_t i = 1; i < v.len; i++)
		if (runs[i].start == SP_X32_BIT && z[0].hi == SP_X32_BIT - 1)
			split = i;
	if (!w) {
		g->oom = true;
		sp_vec_free(&v);
		return ret_target(SP_RET_KILL_THREAD);
	}
	root = emit_tree(g, runs, v.len, w, 0, v.len, split);
	sp_sfree(g->scratch, w);
	sp_vec_free(&v);
	if (root.is_ret)
		return root;
	return emit_load(g, OFF_NR, root);
}

static void reverse_into(const struct gen *g, secprof_insn *out)
{
	for (size_t i = 0; i < g->len; i++)
		out[i] = g->rev[g->len - 1 - i];
}

/* Room for about every instruction the program may have (a compare per
 * condition and a few loads per syscall with argument rules; numbers with
 * one action share runs, a few hundred dispatch steps), so the instruction
 * table is sized once instead of grown and refilled a few times on large
 * profiles; a bad guess costs only a regrowth. */
static void cons_presize(struct gen *g)
{
	size_t want = 256 + g->rs->insn_hint, cap = 1024;

	while (cap < 2 * want && cap < (1u << 20))
		cap *= 2;
	if ((g->cons = sp_scalloc(g->scratch, cap, sizeof(*g->cons))))
		g->cons_cap = cap;
}

static int generate(const struct sp_ruleset *rs, struct sp_scratch *scratch, bool compact,
		    secprof_insn **out, size_t *len, secprof_error *err)
{
	struct gen g = { .rs = rs, .compact = compact, .scratch = scratch };
	uint32_t audits[32];
	size_t na = sp_ruleset_audits(rs, audits, SP_ARRAY_SIZE(audits));
	struct target next = ret_target(SP_RET_KILL_THREAD); /* act_badarch */

	/* sections of the other arches, then the chain of arch checks */
	struct target sect[32];
	cons_presize(&g);
	for (size_t i = na; i-- > 1;)
		sect[i] = emit_section(&g, audits[i]);
	for (size_t i = na; i-- > 1;)
		next = emit_jump(&g, BPF_JEQ, audits[i], sect[i], next);
	/* the native section sits right after its check: it falls through */
	sect[0] = emit_section(&g, audits[0]);
	emit_jump(&g, BPF_JEQ, audits[0], sect[0], next);
	emit(&g, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	sp_sfree(scratch, g.members);
	sp_sfree(scratch, g.leaf.ranked);
	sp_sfree(scratch, g.cons);
	*out = g.oom ? NULL : malloc(g.len * sizeof(**out));
	if (*out)
		reverse_into(&g, *out);
	sp_sfree(scratch, g.rev);
	if (!*out)
		return sp_err_oom(err);
	*len = g.len;
	return 0;
}

/* A program is built for speed (a fast path where 32-bit arguments have
 * their rules' high words, emit_wide); one that would pass the kernel's
 * limit is built again without it, with the same decisions. */
static int generate_fitting(const struct sp_ruleset *rs, struct sp_scratch *scratch,
			    secprof_insn **out, size_t *len, secprof_error *err)
{
	int rc = generate(rs, scratch, false, out, len, err);

	if (rc || *len <= MAX_INSNS)
		return rc;
	free(*out);
	*out = NULL;
	return generate(rs, scratch, true, out, len, err);
}

int sp_bpf_generate(const struct sp_ruleset *rs, secprof_insn **out, size_t *len,
		    secprof_error *err)
{
	return generate_fitting(rs, NULL, out, len, err);
}

/* The rule set and every table of its build and of the generation live in
 * the context's scratch region (core/scratch.h) and are freed before it is
 * given back: only the program is the caller's. */
static secprof_prog *compile_in(secprof_ctx *ctx, struct sp_scratch *scratch,
				const secprof_resolved *r, const secprof_compile_opts *opts,
				secprof_error *err)
{
	struct sp_ruleset *rs = sp_ruleset_build_in(ctx, scratch, r, opts, err);
	secprof_prog *prog = rs ? calloc(1, sizeof(*prog)) : NULL;

	if (rs && !prog)
		sp_err_oom(err);
	if (prog && generate_fitting(rs, scratch, &prog->insns, &prog->len, err) < 0) {
		free(prog);
		prog = NULL;
	}
	if (prog) {
		prog->flags = rs->flags;
		prog->needs_listener = rs->needs_listener;
		prog->big_endian = r->native && r->native->big_endian;
	}
	sp_ruleset_free(rs);
	return prog;
}

/* A profile of at most this many names compiles in the context's scratch
 * region: its few hundred small tables then sit on the same pages at every
 * compile, wherever the process's heap has room (core/scratch.h). A larger
 * one compiles from malloc: its tables outgrow the region, whose pages
 * would then be held on top of the heap's (+0.15 byte of peak per input
 * byte at 10,000 rules, test_memory), for a compile whose time is its
 * work, not its cache misses. */
#define SCRATCH_MAX_NAMES 1024

static bool compiles_in_scratch(const secprof_resolved *r)
{
	size_t names = 0;

	for (size_t i = 0; r && i < r->nrules && names <= SCRATCH_MAX_NAMES; i++)
		names += r->rules[i]->nnames;
	return names <= SCRATCH_MAX_NAMES;
}

secprof_prog *secprof_compile(secprof_ctx *ctx, const secprof_resolved *r,
			      const secprof_compile_opts *opts, secprof_error *err)
{
	struct sp_scratch *scratch = compiles_in_scratch(r) ? sp_scratch_take(ctx) : NULL;
	secprof_prog *prog = compile_in(ctx, scratch, r, opts, err);

	sp_scratch_give(ctx, scratch);
	if (prog && prog->len > MAX_INSNS) {
		sp_err(err, SECPROF_E_LIMIT, r->prof->file, NULL, NULL,
		       "the filter needs %zu instructions, more than the kernel's limit of %u (BPF_MAXINSNS)",
		       prog->len, MAX_INSNS);
		secprof_prog_free(prog);
		return NULL;
	}
	return prog;
}

void secprof_prog_free(secprof_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog);
}
