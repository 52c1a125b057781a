/* merge.c - sp_merge_docker, secprof_merge's Docker form: profiles
 * combined by decision. The inputs' programs are walked over the same
 * exact regions diff uses (space.c); each region's combined action becomes
 * rules whose conditions describe exactly that region, with the operators
 * Docker profiles have (a word interval is a union of aligned blocks, each
 * one SCMP_CMP_MASKED_EQ); the result is compiled and compared with the
 * combination on every region before it is returned, so it never means
 * anything else. The SPO form is the export's, from this one
 * (src/api_merge.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "core/util.h"
#include "ir/ruleset.h"

#define MAX_RULES 20000 /* conditional rules in the output, before giving up */

/* One rule of the output: a name, an action, the conditions (a MASKED_EQ
 * or EQ per argument; mask 0: none). */
struct mrule {
	const char *name;
	const char *muxed; /* socketcall/ipc with arg0 == this call's number */
	uint32_t ret;
	uint64_t mask[6], val[6];
	uint8_t op[6]; /* OP_MASKED: MASKED_EQ (or EQ; mask 0: none); OP_LE, OP_GE: val */
	bool cond;
};

enum { OP_MASKED, OP_LE, OP_GE };

struct merge {
	size_t n;
	enum secprof_merge_mode mode;
	uint32_t def;
	const secprof_ir *ir0;
	struct sp_vec rules; /* struct mrule */
	secprof_error *err;
	/* names of the native arch and compat arches kept */
	const char *arch_names[8];
	size_t narches;
	uint32_t audit0; /* arch_names[0]'s token: the byte order of every kept arch */
	/* the result lists the native arch (archMap) as an input does (union)
	 * or every input does (intersect); unlisted, runc 1.1.5 gives it no
	 * ENOSYS stub section, and the inputs' programs decide so there
	 * (secprof_ir_arch.unlisted) */
	bool native_listed;
	/* per kept arch: the highest number below runc's ENOSYS stub in the
	 * result (the highest of the inputs'), -1 without a stub */
	int64_t enosys_max[8];
	/* per name written from its primary arch: one action on every region
	 * of it, or several (struct nameact) */
	struct sp_vec names;
	/* per input word: the mask bits the inputs' programs test (the
	 * regions' patterns), which the result's masks may use too */
	uint32_t maskbits[SP_SPACE_WORDS];
	/* the walks: 0 collects the actions each name must have somewhere
	 * (struct forced), 1 writes the rules, verify compares */
	int phase;
	struct sp_vec forced;
	/* write 64-bit intervals as SCMP_CMP_LE/GE (else MASKED_EQ blocks
	 * only, which merge_rules can join across regions) */
	bool ranges;
	/* verification; reading: 0 for secprof's rule set of the result,
	 * else the SECPROF_READING_* bit of the Docker whose rule set of it
	 * the walk reads (verify_readings) */
	bool verify;
	unsigned reading;
	char why[256];
};

#define RET_ENOSYS 0x00050026u

/* The combined action: union keeps the one of least precedence (an ALLOW
 * if any allows), intersect the one of most, as the kernel does for stacked
 * filters (kernel/seccomp.c seccomp_run_filters). Between two actions of
 * one precedence with different data, ERRNO(ENOSYS) wins (the C library
 * falls back on it; the inputs' runc stubs end at different numbers per
 * arch, and one answer for every arch keeps the result expressible), else
 * the first input's. */
static uint32_t combine(const struct merge *m, const uint32_t *ret)
{
	uint32_t best = ret[0];

	for (size_t i = 1; i < m->n; i++) {
		int a = sp_action_rank(ret[i]), b = sp_action_rank(best);
		if (m->mode == SECPROF_MERGE_UNION ? a > b : a < b)
			best = ret[i];
		else if (a == b && ret[i] == RET_ENOSYS)
			best = ret[i];
	}
	return best;
}

/* Two conditional rules of one name and action whose conditions differ in
 * one bit of one argument's value under the same mask cover, together,
 * that argument with the bit left out of the mask: merged until none are
 * left (the first step of Quine-McCluskey), so 127 mask patterns or 30
 * interval blocks become a few rules. */
/* Whether a word mask keeps the result's regions as few as the inputs':
 * space.c reads a run of leading ones as intervals and enumerates the
 * patterns of the other bits, so a merge may not add bits the inputs'
 * masks do not have (Docker's personality values 0, 8, 0x20000, 0x20008
 * would become one MASKED_EQ with 15 enumerated bits). */
static bool mask_ok(const struct merge *m, unsigned w, uint32_t h)
{
	uint32_t p;

	if (h == UINT32_MAX)
		return true;
	p = h >> 31 ? ~(uint32_t)((1ull << (32 - __builtin_clz(~h))) - 1) : 0;
	return !(h & ~p & ~m->maskbits[w]);
}

static bool mergeable(const struct merge *m, const struct mrule *x, const struct mrule *y,
		      unsigned *arg, uint64_t *bit)
{
	unsigned diff = 0;

	if (x->ret != y->ret || !x->cond || !y->cond || strcmp(x->name, y->name) ||
	    memcmp(x->op, y->op, sizeof(x->op)))
		return false;
	for (unsigned a = 0; a < 6; a++) {
		uint64_t d;
		if (x->mask[a] != y->mask[a])
			return false;
		if (x->val[a] == y->val[a])
			continue;
		if (x->op[a] != OP_MASKED)
			return false;
		d = x->val[a] ^ y->val[a];
		if (diff++ || (d & (d - 1)) || !(d & x->mask[a]))
			return false;
		*arg = a;
		*bit = d;
	}
	if (diff == 1) {
		uint64_t nm = x->mask[*arg] & ~*bit;
		return mask_ok(m, sp_space_arg_word(m->audit0, *arg, false), (uint32_t)nm) &&
		       mask_ok(m, sp_space_arg_word(m->audit0, *arg, true), (uint32_t)(nm >> 32));
	}
	return false;
}

static void merge_rules(struct merge *m)
{
	struct mrule *r = m->rules.items;
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < m->rules.len; i++)
			for (size_t j = i + 1; j < m->rules.len; j++) {
				unsigned a;
				uint64_t bit;
				if (!mergeable(m, &r[i], &r[j], &a, &bit))
					continue;
				r[i].mask[a] &= ~bit;
				r[i].val[a] &= ~bit;
				r[j] = r[--m->rules.len];
				j--;
				changed = true;
			}
	}
	for (size_t i = 0; i < m->rules.len; i++) {
		r[i].cond = false;
		for (unsigned a = 0; a < 6; a++)
			r[i].cond |= r[i].mask[a] != 0 || r[i].op[a] != OP_MASKED;
	}
}

/* The call socketcall(2) or ipc(2) makes for this leaf's arg0, when it is
 * one value: libseccomp copies a rule for one of those calls onto the
 * multiplexer with arg0 == its number (abi_rule_add), so the multiplexer's
 * own rule for that arg0 would clash. */
static const char *muxed_call(const char *name, const struct sp_leaf *l)
{
	const struct sp_wregion *a0 = &l->r[sp_space_arg_word(l->in.arch, 0, false)];

	if (a0->lo != a0->hi || a0->mask)
		return NULL;
	return sp_rs_muxed_call(name, a0->lo);
}

/* Aligned blocks covering [lo, hi] exactly: (mask, value) pairs. */
static size_t blocks(uint32_t lo, uint32_t hi, uint32_t *mask, uint32_t *val, size_t max)
{
	size_t n = 0;
	uint64_t x = lo;

	while (x <= hi && n < max) {
		uint64_t size = 1;
		/* the largest aligned block at x that stays within hi */
		while (size < (1ull << 32) && !(x & size) && x + 2 * size - 1 <= hi)
			size <<= 1;
		mask[n] = (uint32_t) ~(size - 1);
		val[n] = (uint32_t)x;
		n++;
		x += size;
	}
	return x <= hi ? (size_t)-1 : n;
}

/* The blocks of one word region, each with the region's mask pattern. */
static size_t word_blocks(const struct sp_wregion *r, uint32_t *mask, uint32_t *val, size_t max)
{
	uint32_t bm[66], bv[66];
	size_t nb = blocks(r->lo, r->hi, bm, bv, 66), n = 0;

	if (nb == (size_t)-1)
		return (size_t)-1;
	for (size_t i = 0; i < nb && n < max; i++) {
		if ((bv[i] & bm[i] & r->mask) != (r->pat & bm[i] & r->mask))
			continue;
		mask[n] = bm[i] | r->mask;
		val[n] = (bv[i] & bm[i]) | r->pat;
		n++;
	}
	return n;
}

/* One argument's condition in a rule. */
struct acond {
	uint8_t op;
	uint64_t mask, val;
};

#define MAX_ACONDS (66 * 66)

/* The conditions, one per rule, whose union is one argument's region
 * (high word region hr, low word lr): where it is a 64-bit interval from 0
 * or to the top, one SCMP_CMP_LE or SCMP_CMP_GE (they compare all 64
 * bits, libseccomp's _db_rule_gen_64); else MASKED_EQ blocks, the high
 * word's times the low word's. */
static size_t arg_conds(const struct sp_wregion *hr, const struct sp_wregion *lr, bool ranges,
			struct acond *out)
{
	uint32_t hm[66], hv[66], lm[66], lv[66];
	size_t nh, nl, n = 0;
	bool lfull = !lr->mask && lr->lo == 0 && lr->hi == UINT32_MAX;

	if (lfull && !hr->mask && hr->lo == 0 && hr->hi == UINT32_MAX) {
		out[0] = (struct acond){ OP_MASKED, 0, 0 };
		return 1;
	}
	if (ranges && !hr->mask && !lr->mask) {
		if (lfull && hr->lo == 0 && hr->hi == UINT32_MAX) {
			out[0] = (struct acond){ OP_MASKED, 0, 0 };
			return 1;
		}
		if (lfull && hr->lo == 0) {
			out[0] = (struct acond){ OP_LE, 0, (uint64_t)hr->hi << 32 | UINT32_MAX };
			return 1;
		}
		if (lfull && hr->hi == UINT32_MAX) {
			out[0] = (struct acond){ OP_GE, 0, (uint64_t)hr->lo << 32 };
			return 1;
		}
		if (hr->lo == hr->hi && hr->lo == 0 && lr->lo == 0) {
			out[0] = (struct acond){ OP_LE, 0, lr->hi };
			return 1;
		}
		if (hr->lo == hr->hi && hr->lo == UINT32_MAX && lr->hi == UINT32_MAX) {
			out[0] = (struct acond){ OP_GE, 0, (uint64_t)UINT32_MAX << 32 | lr->lo };
			return 1;
		}
	}
	nh = word_blocks(hr, hm, hv, 66);
	nl = word_blocks(lr, lm, lv, 66);
	if (nh == (size_t)-1 || nl == (size_t)-1)
		return (size_t)-1;
	for (size_t h = 0; h < nh; h++)
		for (size_t k = 0; k < nl; k++)
			out[n++] = (struct acond){ OP_MASKED, (uint64_t)hm[h] << 32 | lm[k],
						   (uint64_t)hv[h] << 32 | lv[k] };
	return n;
}

static int add_rules(struct merge *m, const char *name, uint32_t ret, const struct sp_leaf *l,
		     bool bits32)
{
	/* libseccomp compares only low words on 32-bit ABIs (_db_rule_gen_32):
	 * there the high words are left out of the rule (a name whose rules
	 * come from such an arch has none on a 64-bit arch kept: primary_arch);
	 * a range there is written from a high word of 0 */
	const struct sp_wregion any = { 0, UINT32_MAX, 0, 0, 0 }, zero = { 0, 0, 0, 0, 0 };
	struct acond *c[6] = { NULL };
	size_t nc[6], idx[6] = { 0 }, total = 1;
	int rc = 0;

	for (unsigned a = 0; a < 6; a++) {
		const struct sp_wregion *lr = &l->r[sp_space_arg_word(l->in.arch, a, false)];
		const struct sp_wregion *hr = &l->r[sp_space_arg_word(l->in.arch, a, true)];
		if (bits32)
			hr = !lr->mask && lr->lo == 0 && lr->hi != UINT32_MAX ? &zero : &any;
		if (!(c[a] = malloc(MAX_ACONDS * sizeof(*c[a])))) {
			rc = sp_err_oom(m->err);
			goto out;
		}
		nc[a] = arg_conds(hr, lr, m->ranges, c[a]);
		if (nc[a] == (size_t)-1) {
			rc = sp_err(m->err, SECPROF_E_INTERNAL, NULL, NULL, NULL, "bad region");
			goto out;
		}
		if (!nc[a])
			goto out; /* an empty region: nothing to say */
		if (total <= MAX_RULES)
			total *= nc[a];
	}
	if (total + m->rules.len > MAX_RULES) {
		rc = sp_err(m->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			    "%s: the combination needs more than %d rules", name, MAX_RULES);
		goto out;
	}
	for (;;) {
		struct mrule *r = sp_vec_push(&m->rules);
		unsigned a;

		if (!r) {
			rc = sp_err_oom(m->err);
			goto out;
		}
		r->name = name;
		r->muxed = muxed_call(name, l);
		r->ret = ret;
		for (a = 0; a < 6; a++) {
			const struct acond *x = &c[a][idx[a]];
			r->op[a] = x->op;
			r->mask[a] = x->mask;
			r->val[a] = x->val;
			r->cond |= x->op != OP_MASKED || x->mask != 0;
		}
		/* next combination */
		for (a = 0; a < 6; a++) {
			if (++idx[a] < nc[a])
				break;
			idx[a] = 0;
		}
		if (a == 6)
			break;
	}
out:
	for (unsigned a = 0; a < 6; a++)
		free(c[a]);
	return rc;
}

/* Leave out the multiplexer rules that the direct call's rules make. */
static void drop_muxed(struct merge *m)
{
	struct mrule *r = m->rules.items;
	size_t w = 0;

	for (size_t i = 0; i < m->rules.len; i++) {
		bool covered = false;
		for (size_t j = 0; r[i].muxed && j < m->rules.len && !covered; j++)
			covered = !strcmp(r[j].name, r[i].muxed);
		if (!covered)
			r[w++] = r[i];
	}
	m->rules.len = w;
}

static bool kept_arch(const struct merge *m, const secprof_arch *a)
{
	for (size_t i = 0; a && i < m->narches; i++)
		if (!strcmp(m->arch_names[i], secprof_arch_name(a)))
			return true;
	return false;
}

static size_t arch_index(const struct merge *m, const secprof_arch *a)
{
	for (size_t i = 0; a && i < m->narches; i++)
		if (!strcmp(m->arch_names[i], secprof_arch_name(a)))
			return i;
	return (size_t)-1;
}

/* The arch whose regions a name's rules are written from: the first kept
 * arch (the native one first) that has the name below its ENOSYS stub. A
 * Docker profile names syscalls, not numbers: one rule applies on every
 * arch that has the name (libseccomp resolves it per arch), so the rules
 * come from one arch and the verification checks them on the others. */
static bool primary_arch(const struct merge *m, const char *name, size_t ai)
{
	for (size_t i = 0; i < m->narches; i++) {
		int32_t nr = secprof_syscall_nr(secprof_arch_lookup(m->arch_names[i]), name);
		if (nr < 0 || (m->enosys_max[i] >= 0 && nr > m->enosys_max[i]))
			continue;
		return i == ai;
	}
	return false;
}

/* Where the inputs tie (one precedence, different data: EPERM against
 * ENOSYS) the result may give any of the tied values: the kernel's
 * stacked filters would give one of them too (the most recent filter's).
 * combine() picks ENOSYS, but a name that gets EPERM on another arch where
 * nothing ties (one input's stub ends lower on x86_64 than on x32, say)
 * gets EPERM on every arch (tie_pick), since a rule names the syscall on
 * all of them; and a number no syscall has can only get the default. */
static bool tie_ok(const struct merge *m, const struct sp_leaf *l, uint32_t got)
{
	uint32_t want = combine(m, l->ret);

	if (sp_action_rank(got) != sp_action_rank(want))
		return false;
	for (size_t i = 0; i < m->n; i++)
		if (l->ret[i] == got)
			return true;
	return false;
}

/* Whether the inputs tie on this region (see tie_ok). */
static bool tied(const struct merge *m, const uint32_t *ret, uint32_t want)
{
	for (size_t i = 0; i < m->n; i++)
		if (ret[i] != want && sp_action_rank(ret[i]) == sp_action_rank(want))
			return true;
	return false;
}

struct forced {
	const char *name;
	uint32_t v[4];
	size_t n;
};

static struct forced *forced_of(struct merge *m, const char *name)
{
	struct forced *f = m->forced.items;

	for (size_t i = m->forced.len; i-- > 0;)
		if (f[i].name == name || !strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

static int add_forced(struct merge *m, const char *name, uint32_t v)
{
	struct forced *f = forced_of(m, name);

	if (!f) {
		if (!(f = sp_vec_push(&m->forced)))
			return sp_err_oom(m->err);
		f->name = name;
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i] == v)
			return 0;
	if (f->n < 4)
		f->v[f->n++] = v;
	return 0;
}

/* The value a tie gives on one name: a tied value the name must have
 * elsewhere (where nothing ties), else combine()'s. */
static uint32_t tie_pick(struct merge *m, const char *name, const uint32_t *ret, uint32_t want)
{
	const struct forced *f = forced_of(m, name);

	for (size_t k = 0; f && k < f->n; k++)
		for (size_t i = 0; i < m->n; i++)
			if (ret[i] == f->v[k] && sp_action_rank(ret[i]) == sp_action_rank(want))
				return f->v[k];
	return want;
}

struct nameact {
	const char *name;
	uint32_t ret;
	bool mixed;
};

/* Record the combined action of one region of a name; a name whose
 * regions all get one action (other than the default) is written as one
 * unconditional rule (uniform_names), not as a rule per region. */
static int note_name(struct merge *m, const char *name, uint32_t ret)
{
	struct nameact *n = m->names.items;

	for (size_t i = m->names.len; i-- > 0;)
		if (n[i].name == name || !strcmp(n[i].name, name)) {
			n[i].mixed |= n[i].ret != ret;
			return 0;
		}
	if (!(n = sp_vec_push(&m->names)))
		return sp_err_oom(m->err);
	n->name = name;
	n->ret = ret;
	return 0;
}

static void uniform_names(struct merge *m)
{
	struct mrule *r = m->rules.items;
	const struct nameact *n = m->names.items;

	for (size_t i = 0; i < m->names.len; i++) {
		bool first = true;
		if (n[i].mixed || n[i].ret == m->def)
			continue;
		for (size_t k = 0; k < m->rules.len; k++) {
			if (strcmp(r[k].name, n[i].name))
				continue;
			/* the first stays, as an unconditional rule; the others
			 * are the same rule again */
			memset(r[k].mask, 0, sizeof(r[k].mask));
			memset(r[k].val, 0, sizeof(r[k].val));
			memset(r[k].op, 0, sizeof(r[k].op));
			r[k].cond = false;
			r[k].muxed = NULL;
			if (!first)
				r[k].name = "";
			first = false;
		}
	}
	{
		size_t w = 0;
		for (size_t k = 0; k < m->rules.len; k++)
			if (r[k].name[0])
				r[w++] = r[k];
		m->rules.len = w;
	}
}

/* The Dockers whose runc may build the result otherwise than secprof
 * (secprof_resolved_readings): each skips the rules whose action equals
 * the default as it reads the profile (runc's InitSeccomp), which can let
 * a later rule or libseccomp's socketcall copy of it decide. */
static const struct {
	unsigned bit;
	char text[72];
} readings[] = {
	{ SECPROF_READING_PODMAN, " under Podman's reading (errno keys applied)" },
	{ SECPROF_READING_MOBY, " under current Docker's reading (errno keys ignored)" },
	{ SECPROF_READING_DOCKER20, " under Docker 20.10's reading (defaultErrnoRet dropped)" },
};

static const char *reading_text(unsigned reading)
{
	for (size_t k = 0; k < SP_ARRAY_SIZE(readings); k++)
		if (readings[k].bit == reading)
			return readings[k].text;
	return "";
}

static int on_leaf(void *data, const struct sp_leaf *l)
{
	struct merge *m = data;
	uint32_t want = combine(m, l->ret);
	const secprof_arch *arch;
	secprof_arch_info info;
	const char *name;
	uint32_t pick;
	size_t ai;

	if (m->verify) {
		uint32_t got = l->ret[m->n];
		/* one Docker's reading of the result may give other data (EPERM
		 * for a dropped defaultErrnoRet) but never a looser action */
		bool bad = m->reading ? sp_action_rank(got) > sp_action_rank(want)
				      : got != want && !tie_ok(m, l, got);
		if (bad && !m->why[0]) {
			char a[32], b[32], region[192];
			struct sp_buf call = { 0 };
			arch = sp_arch_of_input(&l->in);
			sp_region_text(l->r, region, sizeof(region));
			sp_call_text(&l->in, arch ? secprof_syscall_name(arch, l->in.nr) : NULL,
				     &call);
			snprintf(m->why, sizeof(m->why),
				 "%s %s%s%s: the merged profile gives %s%s, the combination %s",
				 arch ? secprof_arch_name(arch) : "other-arch",
				 call.data ? call.data : "", region[0] ? " " : "", region,
				 secprof_action_str(got, a, sizeof(a)), reading_text(m->reading),
				 secprof_action_str(want, b, sizeof(b)));
			sp_buf_free(&call);
		}
		return 0;
	}
	arch = sp_arch_of_input(&l->in);
	if (!kept_arch(m, arch))
		return 0;
	ai = arch_index(m, arch);
	for (unsigned w = 0; w < SP_SPACE_WORDS; w++)
		m->maskbits[w] |= l->r[w].mask;
	secprof_arch_get_info(arch, &info);
	/* every named number of the region (the compiler tests runs of
	 * numbers that decide alike as one range); numbers without a name are
	 * runc's stub or the default, checked when the result is verified */
	for (size_t k = 0; k < secprof_arch_syscall_count(arch); k++) {
		int32_t nr = secprof_arch_syscall_at(arch, k, &name);
		int rc;
		if (nr < 0 || (uint32_t)nr < l->r[SP_W_NR].lo ||
		    !sp_wregion_has(&l->r[SP_W_NR], (uint32_t)nr))
			continue;
		/* above the stub the result's own stub answers (its names end
		 * where the inputs' end, below); elsewhere the name's rules come
		 * from one arch */
		if (m->enosys_max[ai] >= 0 && nr > m->enosys_max[ai])
			continue;
		if (m->phase == 0) {
			if (!tied(m, l->ret, want) && (rc = add_forced(m, name, want)))
				return rc;
			continue;
		}
		if (!primary_arch(m, name, ai))
			continue;
		pick = tied(m, l->ret, want) ? tie_pick(m, name, l->ret, want) : want;
		if ((rc = note_name(m, name, pick)))
			return rc;
		if (pick != m->def && (rc = add_rules(m, name, pick, l, info.bits == 32)))
			return rc;
	}
	return 0;
}

static const char *action_name(uint32_t ret, bool *has_errno)
{
	*has_errno = false;
	switch (ret & 0xffff0000u) {
	case 0x7fff0000u: return "SCMP_ACT_ALLOW";
	case 0x7ffc0000u: return "SCMP_ACT_LOG";
	case 0x80000000u: return "SCMP_ACT_KILL_PROCESS";
	case 0x00000000u: return "SCMP_ACT_KILL_THREAD";
	case 0x00030000u: return "SCMP_ACT_TRAP";
	case 0x00050000u: *has_errno = true; return "SCMP_ACT_ERRNO";
	case 0x7ff00000u: *has_errno = true; return "SCMP_ACT_TRACE";
	}
	return NULL;
}

static int cmp_rule(const void *x, const void *y)
{
	const struct mrule *a = x, *b = y;
	int c;

	if (a->cond != b->cond)
		return a->cond ? 1 : -1;
	if (a->ret != b->ret)
		return a->ret < b->ret ? -1 : 1;
	if ((c = strcmp(a->name, b->name)))
		return c;
	if ((c = memcmp(a->mask, b->mask, sizeof(a->mask))) ||
	    (c = memcmp(a->val, b->val, sizeof(a->val))))
		return c;
	return memcmp(a->op, b->op, sizeof(a->op));
}

static void put_action(struct sp_buf *b, uint32_t ret, const char *key, const char *errkey)
{
	bool has_errno;
	const char *act = action_name(ret, &has_errno);

	sp_buf_printf(b, "\"%s\": \"%s\"", key, act ? act : "");
	if (has_errno)
		sp_buf_printf(b, ", \"%s\": %" PRIu32, errkey, ret & 0xffffu);
}

static int write_profile(struct merge *m, char **out)
{
	struct sp_buf b = { 0 };
	struct mrule *rules = m->rules.items;
	size_t n = m->rules.len, i = 0;
	secprof_arch_info info;
	bool first = true;

	if (n) /* qsort may not be given NULL, even for no items */
		qsort(rules, n, sizeof(*rules), cmp_rule);
	/* the same rule from two arches (a name with one meaning on both) */
	for (size_t k = 0, w = 0; k < n; k++) {
		if (w && rules[k].cond == rules[w - 1].cond && rules[k].ret == rules[w - 1].ret &&
		    !strcmp(rules[k].name, rules[w - 1].name) &&
		    !memcmp(rules[k].mask, rules[w - 1].mask, sizeof(rules[k].mask)) &&
		    !memcmp(rules[k].val, rules[w - 1].val, sizeof(rules[k].val)) &&
		    !memcmp(rules[k].op, rules[w - 1].op, sizeof(rules[k].op)))
			continue;
		rules[w++] = rules[k];
		m->rules.len = w;
	}
	n = m->rules.len;
	sp_buf_puts(&b, "{\n  ");
	put_action(&b, m->def, "defaultAction", "defaultErrnoRet");
	secprof_arch_get_info(secprof_arch_lookup(m->arch_names[0]), &info);
	if (m->native_listed)
		sp_buf_printf(
			&b, ",\n  \"archMap\": [{\"architecture\": \"%s\", \"subArchitectures\": [",
			info.scmp);
	else if (m->narches > 1)
		sp_buf_puts(&b, ",\n  \"architectures\": [");
	for (size_t k = 1; k < m->narches; k++) {
		secprof_arch_get_info(secprof_arch_lookup(m->arch_names[k]), &info);
		sp_buf_printf(&b, "%s\"%s\"", k > 1 ? ", " : "", info.scmp);
	}
	sp_buf_puts(&b, m->native_listed ? "]}],\n  \"syscalls\": ["
			: m->narches > 1 ? "],\n  \"syscalls\": ["
					 : ",\n  \"syscalls\": [");
	while (i < n) {
		size_t j = i + 1;
		/* unconditional rules of one action share one entry */
		if (!rules[i].cond)
			while (j < n && !rules[j].cond && rules[j].ret == rules[i].ret)
				j++;
		sp_buf_puts(&b, first ? "\n    {\"names\": [" : ",\n    {\"names\": [");
		first = false;
		for (size_t k = i; k < j; k++) {
			if (k > i && !strcmp(rules[k].name, rules[k - 1].name))
				continue;
			sp_buf_printf(&b, "%s\"%s\"", k > i ? ", " : "", rules[k].name);
		}
		sp_buf_puts(&b, "], ");
		put_action(&b, rules[i].ret, "action", "errnoRet");
		if (rules[i].cond) {
			bool f2 = true;
			sp_buf_puts(&b, ", \"args\": [");
			for (unsigned a = 0; a < 6; a++) {
				if (rules[i].op[a] != OP_MASKED)
					sp_buf_printf(&b,
						      "%s{\"index\": %u, \"value\": %" PRIu64
						      ", \"valueTwo\": 0, \"op\": \"%s\"}",
						      f2 ? "" : ", ", a, rules[i].val[a],
						      rules[i].op[a] == OP_LE ? "SCMP_CMP_LE"
									      : "SCMP_CMP_GE");
				else if (!rules[i].mask[a])
					continue;
				else if (rules[i].mask[a] == UINT64_MAX)
					sp_buf_printf(&b,
						      "%s{\"index\": %u, \"value\": %" PRIu64
						      ", \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}",
						      f2 ? "" : ", ", a, rules[i].val[a]);
				else
					sp_buf_printf(&b,
						      "%s{\"index\": %u, \"value\": %" PRIu64
						      ", \"valueTwo\": %" PRIu64
						      ", \"op\": \"SCMP_CMP_MASKED_EQ\"}",
						      f2 ? "" : ", ", a, rules[i].mask[a],
						      rules[i].val[a]);
				f2 = false;
			}
			sp_buf_puts(&b, "]");
		}
		sp_buf_puts(&b, "}");
		i = j;
	}
	sp_buf_puts(&b, "\n  ]\n}\n");
	if (b.oom) {
		sp_buf_free(&b);
		return sp_err_oom(m->err);
	}
	*out = b.data;
	return 0;
}

/* Whether libseccomp 2.5.4 builds a name of the result otherwise than its
 * rules read: a stale accumulator or a word tree that merges the rules'
 * tests otherwise (docs/COMPAT.md §4.4; secprof_ir_syscall's twin). The
 * compiled result then returns the stricter of the rules and runc's
 * program, so walking it cannot show where runc's program is the looser
 * (arch_prctl allowed for arg0 != 0x80000000, written as SCMP_CMP_LE/GE
 * and MASKED_EQ blocks of arg0: runc's filter lets 0x80000000 through). */
static const char *runc_builds_otherwise(const secprof_ir *ir, const char **arch)
{
	for (size_t a = 0; a < secprof_ir_arch_count(ir); a++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(ir, a);
		for (size_t s = 0; s < ia->nsyscalls; s++)
			for (const secprof_ir_syscall *w = ia->syscalls[s].wide; w; w = w->wide)
				if (w->stale_accumulator || w->tree_merge) {
					*arch = ia->name;
					return ia->syscalls[s].name ? ia->syscalls[s].name : "?";
				}
	}
	return NULL;
}

/* The result as each Docker that reads it otherwise than secprof builds
 * it (secprof_resolved_readings; the program runc loads, exact_libseccomp),
 * walked beside the inputs: it may give other data, but nowhere a looser
 * action than the combination. Docker 20.10 drops defaultErrnoRet, so its
 * runc skips an ERRNO(1) rule the result keeps beside a default of
 * ERRNO(38) (runc's InitSeccomp), and libseccomp then copies a later
 * socket rule onto i386's socketcall without the rule that denied it
 * first (abi_rule_add): a union of two inputs that each deny
 * socketcall(SYS_SOCKET, 2) allowed it. progs[m->n] is the walk's slot
 * for the result. */
static int verify_readings(struct merge *m, const secprof_resolved *r, const secprof_insn **progs,
			   size_t *lens, const secprof_compile_opts *co)
{
	unsigned seen = secprof_resolved_readings(r);
	struct secprof_ctx quiet = { 0 };
	int rc = 0;

	for (size_t k = 0; !rc && !m->why[0] && k < SP_ARRAY_SIZE(readings); k++) {
		secprof_compile_opts rco = *co;
		secprof_prog *prog;

		if (!(seen & readings[k].bit))
			continue;
		rco.exact_libseccomp = true;
		rco.docker_reading = readings[k].bit;
		if (!(prog = secprof_compile(&quiet, r, &rco, m->err))) {
			rc = -m->err->code;
			sp_err_wrap(m->err, "the merged profile%s", readings[k].text);
			break;
		}
		progs[m->n] = prog->insns;
		lens[m->n] = prog->len;
		m->reading = readings[k].bit;
		rc = sp_space_walk(progs, lens, m->n + 1, on_leaf, m, m->err);
		m->reading = 0;
		secprof_prog_free(prog);
	}
	return rc;
}

/* Compile the Docker form of the result for the inputs' arch, and walk it
 * beside them: any region where it does not give the combination fails,
 * and so does a result libseccomp would build otherwise than its rules
 * read (runc_builds_otherwise), or one a Docker reads otherwise and then
 * finds looser than the combination (verify_readings). */
static int verify(secprof_ctx *ctx, struct merge *m, const secprof_side *in, const char *docker,
		  const secprof_compile_opts *co)
{
	const secprof_insn *progs[SP_SPACE_MAXPROGS];
	size_t lens[SP_SPACE_MAXPROGS];
	secprof_resolve_opts ro = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_prog *prog = NULL;
	secprof_ir *ir = NULL;
	struct secprof_ctx quiet = { 0 };
	secprof_arch_info info;
	const char *name, *arch = NULL;
	int rc;

	secprof_arch_get_info(secprof_arch_lookup(m->arch_names[0]), &info);
	ro.arch = info.go;
	ro.kernel_major = 6; /* the profile has no minKernel: any kernel */
	ro.kernel_minor = 1;
	ro.caps = secprof_caps_all();
	/* warnings about a text that may not be kept are not the user's: the
	 * written result can be checked (secprof check) */
	(void)ctx;
	if (!(p = secprof_profile_parse(&quiet, docker, strlen(docker), "<merged>", m->err)) ||
	    !(r = secprof_resolve(&quiet, p, &ro, m->err)) ||
	    !(prog = secprof_compile(&quiet, r, co, m->err))) {
		rc = -m->err->code;
		sp_err_wrap(m->err, "the merged profile");
		goto out;
	}
	if (!(ir = secprof_ir_build(&quiet, r, co, m->err))) {
		rc = -m->err->code;
		sp_err_wrap(m->err, "the merged profile");
		goto out;
	}
	if ((name = runc_builds_otherwise(ir, &arch))) {
		rc = sp_err(m->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			    "the combination cannot be written as one Docker profile: %s on %s: "
			    "libseccomp 2.5.4 would build the rules written for it otherwise than "
			    "they read (docs/COMPAT.md 4.4)",
			    name, arch);
		goto out;
	}
	for (size_t i = 0; i < m->n; i++) {
		progs[i] = in[i].insns;
		lens[i] = in[i].len;
	}
	progs[m->n] = prog->insns;
	lens[m->n] = prog->len;
	m->verify = true;
	if ((rc = sp_space_walk(progs, lens, m->n + 1, on_leaf, m, m->err)) ||
	    (!m->why[0] && (rc = verify_readings(m, r, progs, lens, co))))
		goto out;
	if (m->why[0])
		rc = sp_err(m->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			    "the combination cannot be written as one Docker profile: %s", m->why);
out:
	secprof_ir_free(ir);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

/* runc puts its ENOSYS stub above the highest number, per arch, of any
 * name of any rule, default-equal ones included (patchbpf/enosys_linux.go
 * findLastSyscalls; docs/COMPAT.md 4.1.3). Above the highest of the
 * inputs' stubs every input answers ENOSYS, so the result's stub starts
 * there: no rule is written above it (on_leaf), and the name at it is
 * listed (boundary_names). No stub where the result's default lets calls
 * through (isAllowAction) or without one (--no-enosys: crun). */
static void enosys_bounds(struct merge *m, const secprof_side *in, const secprof_compile_opts *co)
{
	uint32_t act = m->def & 0xffff0000u;
	bool stub = !co->no_enosys && act != 0x7fff0000u && act != 0x7ffc0000u &&
		    act != 0x7ff00000u;

	for (size_t k = 0; k < m->narches; k++) {
		m->enosys_max[k] = -1;
		for (size_t i = 0; stub && i < m->n; i++)
			for (size_t a = 0; a < secprof_ir_arch_count(in[i].ir); a++) {
				const secprof_ir_arch *ia = secprof_ir_arch_at(in[i].ir, a);
				if (!strcmp(ia->name, m->arch_names[k]) &&
				    ia->enosys_max > m->enosys_max[k])
					m->enosys_max[k] = ia->enosys_max;
			}
	}
}

/* List a name with the default action unless a rule names it. */
static int list_name(struct merge *m, const char *name)
{
	struct mrule *r = m->rules.items;

	for (size_t i = 0; i < m->rules.len; i++)
		if (!strcmp(r[i].name, name))
			return 0;
	if (!(r = sp_vec_push(&m->rules)))
		return sp_err_oom(m->err);
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->ret = m->def;
	return 0;
}

/* The names that place the inputs' stubs, listed with the default action
 * where no rule names them: runc leaves such a rule out of the filter
 * (matchCall skips an action equal to the default) but counts its names
 * for the stub. The name at each arch's boundary, and every name an input
 * decides below it: runc counts only the names its libseccomp resolves,
 * and with the inputs' own names the result's stub is where the inputs'
 * are under an older libseccomp too (2.5.4 has no mseal, whose number is
 * the boundary in secprof's table for Docker's default). */
static int boundary_names(struct merge *m, const secprof_side *in)
{
	for (size_t k = 0; k < m->narches; k++) {
		const char *name;
		int rc;

		if (m->enosys_max[k] < 0)
			continue;
		if ((name = secprof_syscall_name(secprof_arch_lookup(m->arch_names[k]),
						 (int32_t)m->enosys_max[k])) &&
		    (rc = list_name(m, name)))
			return rc;
		for (size_t i = 0; i < m->n; i++)
			for (size_t a = 0; a < secprof_ir_arch_count(in[i].ir); a++) {
				const secprof_ir_arch *ia = secprof_ir_arch_at(in[i].ir, a);
				if (strcmp(ia->name, m->arch_names[k]))
					continue;
				for (size_t s = 0; s < ia->nsyscalls; s++)
					if (ia->syscalls[s].nr <= m->enosys_max[k] &&
					    ia->syscalls[s].name &&
					    (rc = list_name(m, ia->syscalls[s].name)))
						return rc;
			}
	}
	return 0;
}

/* The rules of the combination from one walk order, written and verified;
 * 0 and the Docker text in *docker, or the error. */
static int attempt(secprof_ctx *ctx, struct merge *m, const secprof_side *in,
		   const secprof_insn *const *progs, const size_t *lens,
		   const secprof_compile_opts *co, bool high_first, char **docker)
{
	int rc;

	m->rules.len = m->names.len = m->forced.len = 0;
	memset(m->maskbits, 0, sizeof(m->maskbits));
	m->phase = 0;
	m->ranges = high_first;
	m->verify = false;
	m->why[0] = 0;
	*docker = NULL;
	if ((rc = sp_space_walk_order(progs, lens, m->n, on_leaf, m, high_first, m->err)))
		return rc;
	m->phase = 1;
	if ((rc = sp_space_walk_order(progs, lens, m->n, on_leaf, m, high_first, m->err)))
		return rc;
	for (size_t i = 0; i < m->rules.len; i++) {
		bool e;
		if (!action_name(((struct mrule *)m->rules.items)[i].ret, &e))
			return sp_err(m->err, SECPROF_E_LIMIT, NULL, NULL, NULL,
				      "%s: a combined action (SCMP_ACT_NOTIFY) needs a listener",
				      ((struct mrule *)m->rules.items)[i].name);
	}
	uniform_names(m);
	drop_muxed(m);
	merge_rules(m);
	if ((rc = boundary_names(m, in)) || (rc = write_profile(m, docker)))
		return rc;
	if ((rc = verify(ctx, m, in, *docker, co))) {
		free(*docker);
		*docker = NULL;
	}
	return rc;
}

int sp_merge_docker(secprof_ctx *ctx, const secprof_side *in, size_t n,
		    enum secprof_merge_mode mode, const secprof_compile_opts *co, char **out,
		    secprof_error *err)
{
	struct merge m = { .n = n, .mode = mode, .err = err };
	const secprof_insn *progs[SP_SPACE_MAXPROGS];
	size_t lens[SP_SPACE_MAXPROGS];
	uint32_t defs[SP_SPACE_MAXPROGS];
	secprof_compile_opts none = { 0 };
	char *docker = NULL;
	int rc;

	if (!ctx || !in || !out || n < 1 || n >= SP_SPACE_MAXPROGS)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "secprof_merge: 1 to %d inputs", SP_SPACE_MAXPROGS - 1);
	if (!co)
		co = &none;
	for (size_t i = 0; i < n; i++) {
		if (!in[i].ir || !in[i].insns)
			return sp_err(
				err, SECPROF_E_USAGE, NULL, NULL, NULL,
				"%s: a merge input needs its rule set (a profile, not a BPF program)",
				in[i].label ? in[i].label : "input");
		progs[i] = in[i].insns;
		lens[i] = in[i].len;
		defs[i] = secprof_ir_default_action(in[i].ir);
		if (i && strcmp(secprof_ir_arch_at(in[i].ir, 0)->name,
				secprof_ir_arch_at(in[0].ir, 0)->name))
			return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "the inputs are resolved for different arches (%s, %s)",
				      secprof_ir_arch_at(in[0].ir, 0)->name,
				      secprof_ir_arch_at(in[i].ir, 0)->name);
	}
	m.def = combine(&m, defs);
	m.rules.item_size = sizeof(struct mrule);
	m.names.item_size = sizeof(struct nameact);
	m.forced.item_size = sizeof(struct forced);
	/* the arches of the filter: any input's (union) or every input's
	 * (intersect), the native one first */
	for (size_t k = 0; k < n; k++)
		for (size_t a = 0; a < secprof_ir_arch_count(in[k].ir); a++) {
			const char *name = secprof_ir_arch_at(in[k].ir, a)->name;
			bool everywhere = true, have = false;
			for (size_t j = 0; j < n; j++) {
				bool in_j = false;
				for (size_t b = 0; b < secprof_ir_arch_count(in[j].ir); b++)
					in_j |= !strcmp(secprof_ir_arch_at(in[j].ir, b)->name,
							name);
				everywhere &= in_j;
			}
			for (size_t j = 0; j < m.narches; j++)
				have |= !strcmp(m.arch_names[j], name);
			if (!have && m.narches < 8 && (mode == SECPROF_MERGE_UNION || everywhere))
				m.arch_names[m.narches++] = name;
		}
	if (!m.narches)
		return sp_err(err, SECPROF_E_LIMIT, NULL, NULL, NULL, "the inputs share no arch");
	m.native_listed = mode != SECPROF_MERGE_UNION;
	for (size_t k = 0; k < n; k++) {
		bool listed = !secprof_ir_arch_at(in[k].ir, 0)->unlisted;
		m.native_listed = mode == SECPROF_MERGE_UNION ? m.native_listed || listed
							      : m.native_listed && listed;
	}
	{
		secprof_arch_info a0 = { 0 };
		secprof_arch_get_info(secprof_arch_lookup(m.arch_names[0]), &a0);
		m.audit0 = a0.audit;
	}
	enosys_bounds(&m, in, co);
	if (!action_name(m.def, &(bool){ false }))
		return sp_err(err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			      "the combined default action has no Docker name");
	/* two ways to write the rules: regions cut with each argument's high
	 * word first, a 64-bit range as one SCMP_CMP_LE/GE; or low word first
	 * and MASKED_EQ blocks only, which merge_rules joins across regions
	 * (Docker's socket rules over Podman's: 33 rules, against 129). Both
	 * are tried, each verified, the shorter text kept. */
	{
		secprof_error first = { 0 };
		char *other = NULL;
		size_t nlow = 0;
		int rlow = attempt(ctx, &m, in, progs, lens, co, false, &other);

		if (!rlow)
			nlow = strlen(other);
		else if (err)
			first = *err;
		rc = attempt(ctx, &m, in, progs, lens, co, true, &docker);
		if (!rlow && (rc || nlow < strlen(docker))) {
			free(docker);
			docker = other;
			other = NULL;
			rc = 0;
		} else if (rc && rlow && err) {
			*err = first; /* the first refusal, as before the second order */
		}
		free(other);
		if (rc)
			goto out;
	}
	*out = docker;
	docker = NULL;
out:
	free(docker);
	sp_vec_free(&m.rules);
	sp_vec_free(&m.names);
	sp_vec_free(&m.forced);
	return rc;
}
