/* space.c - cut the input space of seccomp programs into regions where each
 * program decides one way (space.h), exactly: every region is derived from
 * the constants the programs compare the input words with, and every
 * decision is the emulator's (secprof_emulate), so diff and merge follow
 * whatever the compiler emits. */
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/space.h"
#include "core/arch.h"
#include "core/util.h"

/* Regions over all words of one walk, and leaves, before giving up: far
 * above any real profile (Docker's default pair: a few thousand leaves). */
#define MAX_LEAVES (4u << 20)
#define MAX_MASK_BITS 12

/* ---- abstract interpretation: which constants meet a word ------------- */

enum vkind { V_CONST, V_WORD, V_UNK, V_TAINT };

/* A register's content: a constant, (target word & m), anything not
 * derived from the target word, or something computed from it. */
struct val {
	uint8_t k;
	uint32_t m; /* V_WORD: mask; V_CONST: value */
};

struct st {
	struct val a, x;
	struct val mem[BPF_MEMWORDS];
};

struct cons {
	uint32_t *pts; /* interval starts */
	size_t npts, cap;
	uint32_t mm;   /* mask bits compared */
	bool any;      /* the target word is compared at all */
	uint32_t read; /* words the paths load that are not fixed */
};

struct walk {
	bool high_first; /* each argument's high word before its low word */
	const secprof_insn *const *progs;
	const size_t *lens;
	size_t n;
	sp_leaf_fn fn;
	void *data;
	secprof_error *err;
	uint32_t words[SP_SPACE_WORDS];
	uint32_t fixed; /* bit w: words[w] is fixed */
	struct sp_leaf leaf;
	size_t leaves;
	/* visited states per pc, for the current program */
	struct vstate **seen;
	size_t seen_cap;
	struct sp_arena arena;
};

struct vstate {
	struct vstate *next;
	struct st s;
};

/* The word fixed at each depth: arch, number, then each argument's high
 * word before its low word, so a 64-bit range test cuts the high word
 * first and its low word only where the high word is the boundary's (a
 * region then is a 64-bit interval where the test makes one, which merge
 * writes as one SCMP_CMP_LE/GE); the instruction pointer last. */
static unsigned word_at(const struct walk *w, unsigned depth)
{
	if (depth == 0)
		return SP_W_ARCH;
	if (depth == 1)
		return SP_W_NR;
	/* the arch word is fixed first: its byte order places the halves */
	if (depth < 14)
		return sp_space_arg_word(w->words[SP_W_ARCH], (depth - 2) / 2,
					 (depth % 2 == 0) == w->high_first);
	return depth - 12; /* instruction_pointer: words 2, 3 */
}

unsigned sp_space_arg_word(uint32_t arch, unsigned arg, bool high)
{
	/* seccomp_data.args[i] is a u64 of arch's kernel at offset 16 + 8i */
	return 4 + 2 * arg + (high != sp_audit_big_endian(arch) ? 1 : 0);
}

uint32_t sp_space_word(const secprof_data *in, unsigned w)
{
	return sp_data_word(in, 4 * w);
}

bool sp_wregion_has(const struct sp_wregion *r, uint32_t w)
{
	return w >= r->lo && w <= r->hi && (w & r->mask) == r->pat;
}

static int add_pt(struct cons *c, uint32_t p)
{
	if (c->npts == c->cap) {
		size_t nc = c->cap ? 2 * c->cap : 16;
		uint32_t *np = realloc(c->pts, nc * sizeof(*np));
		if (!np)
			return -1;
		c->pts = np;
		c->cap = nc;
	}
	c->pts[c->npts++] = p;
	return 0;
}

/* A comparison of (target & m) with constant k by jump op. */
static int record(struct cons *c, uint16_t op, uint32_t m, uint32_t k)
{
	c->any = true;
	if (op == BPF_JSET) {
		uint32_t bits = m & k;
		/* x & ~(2^s - 1) != 0 holds exactly from 2^s on */
		if (bits && (~bits & (~bits + 1)) == 0)
			return add_pt(c, bits & -bits);
		c->mm |= bits;
		return 0;
	}
	if ((~m & (~m + 1)) != 0) {
		/* not a prefix mask. An equality splits: (x & m) == k holds
		 * exactly where x & P == k & P (P the run of ones m starts
		 * with: an interval of x, a MASKED_EQ block) and x & R == k & R
		 * (R the other bits, enumerated), so only R's bits count; other
		 * tests enumerate all of m's */
		uint32_t p = m >> 31 ? ~(uint32_t)((1ull << (32 - __builtin_clz(~m))) - 1) : 0;
		if (op != BPF_JEQ || !p) {
			c->mm |= m;
			return 0;
		}
		if (k & ~m)
			return 0; /* never equal */
		c->mm |= m & ~p;
		return record(c, op, p, k & p);
	}
	if (m != UINT32_MAX) {
		/* a prefix mask ~(2^s - 1) (or 0): x & m grows with x, so the
		 * test holds on an interval of x (a MASKED_EQ block) */
		uint64_t blk = (uint64_t)(uint32_t)~m + 1, t;
		switch (op) {
		case BPF_JEQ:
			if (k & ~m)
				return 0; /* never equal */
			if (add_pt(c, k) < 0)
				return -1;
			return (uint64_t)k + blk > UINT32_MAX ? 0 : add_pt(c, (uint32_t)(k + blk));
		case BPF_JGT:
		case BPF_JGE:
			t = (uint64_t)k + (op == BPF_JGT);
			t = (t + blk - 1) & ~(blk - 1); /* the first x whose x & m reaches it */
			return t > UINT32_MAX ? 0 : add_pt(c, (uint32_t)t);
		}
		return 0;
	}
	switch (op) {
	case BPF_JEQ:
		if (add_pt(c, k) < 0)
			return -1;
		return k == UINT32_MAX ? 0 : add_pt(c, k + 1);
	case BPF_JGT: return k == UINT32_MAX ? 0 : add_pt(c, k + 1);
	case BPF_JGE: return add_pt(c, k);
	}
	return 0;
}

static bool involves(const struct val *v)
{
	return v->k == V_WORD || v->k == V_TAINT;
}

static uint32_t alu_const(uint16_t op, uint32_t a, uint32_t v, bool *ok)
{
	*ok = true;
	switch (op) {
	case BPF_ADD: return a + v;
	case BPF_SUB: return a - v;
	case BPF_MUL: return a * v;
	case BPF_DIV:
		if (!v)
			*ok = false;
		return v ? a / v : 0;
	case BPF_MOD:
		if (!v)
			*ok = false;
		return v ? a % v : 0;
	case BPF_AND: return a & v;
	case BPF_OR: return a | v;
	case BPF_XOR: return a ^ v;
	case BPF_LSH: return a << (v & 31);
	case BPF_RSH: return a >> (v & 31);
	case BPF_NEG: return -a;
	}
	*ok = false;
	return 0;
}

static bool seen_before(struct walk *w, size_t pc, const struct st *s)
{
	struct vstate *v;

	for (v = w->seen[pc]; v; v = v->next)
		if (!memcmp(&v->s, s, sizeof(*s)))
			return true;
	if (!(v = sp_arena_alloc_raw(&w->arena, sizeof(*v))))
		return false; /* out of memory: explore again, still correct */
	v->s = *s;
	v->next = w->seen[pc];
	w->seen[pc] = v;
	return false;
}

/* Depth-first over the program's paths from (pc, s), with the fixed words
 * as constants, collecting what the target word is compared with. 0, -1
 * out of memory, -2 the target is computed on (not a plain comparison), -3
 * the target (or a value computed from it) is returned. */
static int explore(struct walk *w, const secprof_insn *p, size_t len, size_t pc, struct st s,
		   unsigned target, struct cons *c)
{
	for (;;) {
		const secprof_insn *f;
		uint16_t cls;

		if (pc >= len)
			return 0; /* a checked program never gets here */
		if (seen_before(w, pc, &s))
			return 0;
		f = &p[pc];
		cls = BPF_CLASS(f->code);
		if (cls == BPF_RET) {
			/* RET A hands the kernel a value read from the input:
			 * each value of the word may be another action or
			 * errno, which no set of regions captures */
			if (BPF_RVAL(f->code) == BPF_A && involves(&s.a))
				return -3;
			return 0;
		}
		if (cls == BPF_JMP) {
			uint16_t op = BPF_OP(f->code);
			struct val v = BPF_SRC(f->code) == BPF_X ? s.x
								 : (struct val){ V_CONST, f->k };
			size_t t, e;
			int rc;

			if (op == BPF_JA) {
				pc += 1 + f->k;
				continue;
			}
			t = pc + 1 + f->jt;
			e = pc + 1 + f->jf;
			if (s.a.k == V_CONST && v.k == V_CONST) {
				bool taken;
				switch (op) {
				case BPF_JEQ: taken = s.a.m == v.m; break;
				case BPF_JGT: taken = s.a.m > v.m; break;
				case BPF_JGE: taken = s.a.m >= v.m; break;
				default: taken = (s.a.m & v.m) != 0; break;
				}
				pc = taken ? t : e;
				continue;
			}
			if (s.a.k == V_WORD && v.k == V_CONST) {
				if (record(c, op, s.a.m, v.m) < 0)
					return -1;
			} else if (involves(&s.a) || involves(&v)) {
				return -2;
			}
			if ((rc = explore(w, p, len, t, s, target, c)))
				return rc;
			pc = e;
			continue;
		}
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS: {
			unsigned wd = f->k / 4;
			if (wd >= SP_SPACE_WORDS || f->k % 4)
				return 0;
			if (w->fixed >> wd & 1)
				s.a = (struct val){ V_CONST, w->words[wd] };
			else if (wd == target)
				s.a = (struct val){ V_WORD, UINT32_MAX };
			else
				s.a = (struct val){ V_UNK, 0 };
			if (!(w->fixed >> wd & 1))
				c->read |= 1u << wd;
			break;
		}
		case BPF_LD | BPF_W | BPF_LEN: s.a = (struct val){ V_CONST, 64 }; break;
		case BPF_LDX | BPF_W | BPF_LEN: s.x = (struct val){ V_CONST, 64 }; break;
		case BPF_LD | BPF_IMM: s.a = (struct val){ V_CONST, f->k }; break;
		case BPF_LDX | BPF_IMM: s.x = (struct val){ V_CONST, f->k }; break;
		case BPF_LD | BPF_MEM: s.a = s.mem[f->k & 15]; break;
		case BPF_LDX | BPF_MEM: s.x = s.mem[f->k & 15]; break;
		case BPF_ST: s.mem[f->k & 15] = s.a; break;
		case BPF_STX: s.mem[f->k & 15] = s.x; break;
		case BPF_MISC | BPF_TAX: s.x = s.a; break;
		case BPF_MISC | BPF_TXA: s.a = s.x; break;
		default:
			if (cls == BPF_ALU) {
				uint16_t op = BPF_OP(f->code);
				struct val v = op == BPF_NEG ? (struct val){ V_CONST, 0 }
					       : BPF_SRC(f->code) == BPF_X
						       ? s.x
						       : (struct val){ V_CONST, f->k };
				bool ok;
				if (s.a.k == V_CONST && v.k == V_CONST) {
					s.a.m = alu_const(op, s.a.m, v.m, &ok);
					if (!ok)
						return 0; /* division by zero: the kernel returns 0 */
				} else if (s.a.k == V_WORD && op == BPF_AND && v.k == V_CONST) {
					s.a.m &= v.m;
				} else if (involves(&s.a) || involves(&v)) {
					s.a = (struct val){ V_TAINT, 0 };
				} else {
					s.a = (struct val){ V_UNK, 0 };
				}
			}
			break;
		}
		pc++;
	}
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* The smallest x >= a with (x & mm) == p, if any. */
static bool min_ge(uint32_t a, uint32_t mm, uint32_t p, uint32_t *out)
{
	uint32_t fr = ~mm, x = (a & fr) | p, diff, below, above, cand, bj;
	int i;

	if (x == a) {
		*out = x;
		return true;
	}
	diff = x ^ a;
	i = 31 - __builtin_clz(diff);
	below = i ? (1u << i) - 1 : 0;
	if (x >> i & 1) {
		*out = x & ~(below & fr);
		return true;
	}
	above = i == 31 ? 0 : ~((2u << i) - 1);
	cand = fr & ~x & above;
	if (!cand)
		return false;
	bj = cand & -cand;
	*out = (x | bj) & ~((bj - 1) & fr);
	return true;
}

static int walk_from(struct walk *w, unsigned depth);

static int leaf(struct walk *w)
{
	struct sp_leaf *l = &w->leaf;

	if (++w->leaves > MAX_LEAVES)
		return sp_err(w->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			      "more than %u regions of input to compare", MAX_LEAVES);
	sp_data_from_words(w->words, &l->in);
	for (size_t i = 0; i < w->n; i++)
		l->ret[i] = secprof_emulate(w->progs[i], w->lens[i], &l->in, NULL);
	return w->fn(w->data, l);
}

static int collect(struct walk *w, unsigned target, struct cons *c)
{
	for (size_t i = 0; i < w->n; i++) {
		struct st s;
		int rc;

		memset(&s, 0, sizeof(s));
		s.a = s.x = (struct val){ V_CONST, 0 };
		for (size_t k = 0; k < BPF_MEMWORDS; k++)
			s.mem[k] = (struct val){ V_CONST, 0 };
		if (w->lens[i] > w->seen_cap) {
			struct vstate **ns = realloc(w->seen, w->lens[i] * sizeof(*ns));
			if (!ns)
				return sp_err_oom(w->err);
			w->seen = ns;
			w->seen_cap = w->lens[i];
		}
		memset(w->seen, 0, w->lens[i] * sizeof(*w->seen));
		rc = explore(w, w->progs[i], w->lens[i], 0, s, target, c);
		sp_arena_free(&w->arena);
		if (rc == -1)
			return sp_err_oom(w->err);
		if (rc == -2)
			return sp_err(
				w->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
				"program %zu computes on word %u of the input before comparing it: its regions cannot be derived",
				i + 1, target);
		if (rc == -3)
			return sp_err(
				w->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
				"program %zu returns a value computed from word %u of the input (ret A): its decisions cannot be compared",
				i + 1, target);
	}
	return 0;
}

static int walk_from(struct walk *w, unsigned depth)
{
	struct cons c = { 0 };
	unsigned t;
	int rc = 0;

	if (depth == SP_SPACE_WORDS)
		return leaf(w);
	t = word_at(w, depth);
	if ((rc = collect(w, t, &c)) < 0)
		goto out;
	if (!c.read) {
		/* no path left open reads any word not yet fixed */
		for (unsigned d = depth; d < SP_SPACE_WORDS; d++) {
			unsigned u = word_at(w, d);
			w->words[u] = 0;
			w->leaf.r[u] = (struct sp_wregion){ 0, UINT32_MAX, 0, 0, 0 };
		}
		rc = leaf(w);
		goto out;
	}
	if (!c.any) {
		w->words[t] = 0;
		w->leaf.r[t] = (struct sp_wregion){ 0, UINT32_MAX, 0, 0, 0 };
		w->fixed |= 1u << t;
		rc = walk_from(w, depth + 1);
		w->fixed &= ~(1u << t);
		goto out;
	}
	if (__builtin_popcount(c.mm) > MAX_MASK_BITS) {
		rc = sp_err(w->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			    "word %u is compared under masks with %d bits (at most %d)", t,
			    __builtin_popcount(c.mm), MAX_MASK_BITS);
		goto out;
	}
	if (add_pt(&c, 0) < 0) {
		rc = sp_err_oom(w->err);
		goto out;
	}
	qsort(c.pts, c.npts, sizeof(*c.pts), cmp_u32);
	{
		size_t m = 0;
		for (size_t i = 0; i < c.npts; i++)
			if (!m || c.pts[m - 1] != c.pts[i])
				c.pts[m++] = c.pts[i];
		c.npts = m;
	}
	w->fixed |= 1u << t;
	for (size_t i = 0; i < c.npts && !rc; i++) {
		uint32_t lo = c.pts[i], hi = i + 1 < c.npts ? c.pts[i + 1] - 1 : UINT32_MAX;
		uint32_t p = 0;
		/* every pattern of the mask bits: submasks of mm, from 0 up */
		for (;;) {
			uint32_t rep;
			if (min_ge(lo, c.mm, p, &rep) && rep <= hi) {
				w->words[t] = rep;
				w->leaf.r[t] = (struct sp_wregion){ lo, hi, c.mm, p, rep };
				if ((rc = walk_from(w, depth + 1)))
					break;
			}
			if (p == c.mm)
				break;
			p = (p - c.mm) & c.mm;
		}
	}
	w->fixed &= ~(1u << t);
out:
	free(c.pts);
	return rc;
}

int sp_space_walk(const secprof_insn *const *progs, const size_t *lens, size_t n, sp_leaf_fn fn,
		  void *data, secprof_error *err)
{
	return sp_space_walk_order(progs, lens, n, fn, data, true, err);
}

int sp_space_walk_order(const secprof_insn *const *progs, const size_t *lens, size_t n,
			sp_leaf_fn fn, void *data, bool high_first, secprof_error *err)
{
	struct walk w = { .progs = progs,
			  .lens = lens,
			  .n = n,
			  .fn = fn,
			  .data = data,
			  .err = err,
			  .high_first = high_first };
	int rc;

	if (n > SP_SPACE_MAXPROGS)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "at most %d programs",
			      SP_SPACE_MAXPROGS);
	for (size_t i = 0; i < n; i++)
		if ((rc = secprof_bpf_check(progs[i], lens[i], err)) < 0)
			return rc;
	rc = walk_from(&w, 0);
	free(w.seen);
	sp_arena_free(&w.arena);
	return rc;
}
