/* ruleset.c - runc's and libseccomp's rule semantics, applied once per arch.
 *
 * Input: the rules moby kept (resolve.c). Output: per arch, one decision per
 * syscall number, sorted by number (struct sp_ruleset, ruleset.h). All the
 * work is a sort of (nr, rule order) pairs followed by linear merges, so the
 * cost is O(n log n) in the number of (name, arch) pairs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

/* One (syscall number, rule) pair on one arch, before merging. */
struct entry {
	int32_t nr;
	/* the name's place (rule order, then name order) << 32, so ties keep
	 * profile order; + 1 + part for the multiplexer rules of that name */
	uint64_t seq;
	const struct sp_rule *rule;
	const char *name;
};

/* The profile name an entry came from (its index in the build's tables). */
static inline size_t entry_name(const struct entry *e)
{
	return (size_t)(e->seq >> 32);
}

static inline bool entry_is_mux(const struct entry *e)
{
	return (uint32_t)e->seq != 0;
}

struct mux_name;

struct build {
	secprof_ctx *ctx;
	const secprof_resolved *r;
	struct sp_ruleset *rs;
	secprof_error *err;
	const char *file;
	bool stub;
	int32_t *nrs; /* [name seq][arch]: every name looked up once per arch */
	struct mux_name *muxn; /* [name seq]: what it is to the multiplexers */
	bool *known;  /* [name seq]: sp_syscall_known, from the same lookup */
	size_t steps; /* replay work left for the whole profile (SP_REPLAY_STEPS) */
	uint8_t *arg32; /* [name seq]: sp_syscall_arg32_of, from the same lookup */
	int32_t *row;   /* [name seq]: the name's index in the syscall table */
	bool exact;   /* secprof_compile_opts.exact_libseccomp */
	const char **names; /* [name seq]: the name as written */
	struct sp_vec drops; /* struct sp_drop: what the program leaves out */
	bool record;  /* keep drops (sp_ruleset_build_ir); the compiler needs none */
};

/* Record what the program leaves out and why (docs/IR.md), when the build
 * records. -SECPROF_E_SYSTEM when out of memory: the build then fails, as an
 * IR that misses a reason would lie. */
static int add_drop(struct build *b, enum secprof_reason reason, const struct sp_rule *rule,
		    const char *name, const struct sp_arch *a, const char *via,
		    const struct sp_rule *by, int cond)
{
	struct sp_drop *d;

	if (!b->record)
		return 0;
	if (!(d = sp_vec_push(&b->drops)))
		return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	*d = (struct sp_drop){ .reason = reason, .rule = rule, .name = name, .arch = a, .via = via,
			       .by = by, .cond = cond };
	return 0;
}

/* The drop of one (nr, rule) entry: the name as written, and the
 * multiplexer when the entry is libseccomp's socketcall/ipc copy. */
static int drop_entry(struct build *b, enum secprof_reason reason, const struct sp_arch *a,
		      const struct entry *e, const struct sp_rule *by, int cond)
{
	return add_drop(b, reason, e->rule, b->names[entry_name(e)], a,
			entry_is_mux(e) ? e->name : NULL, by, cond);
}

/* ---- arguments the kernel reads as 32 bits ------------------------------
 *
 * The kernel's syscall entry (SYSCALL_DEFINEn, include/linux/syscalls.h)
 * casts each argument register to its declared type: an `int family` never
 * sees the high word. libseccomp compares all 64 bits on 64-bit ABIs, so a
 * range or != test on such an argument can be passed with a high word the
 * kernel then drops (`socket(0x100000028, ...)` is AF_VSOCK past Docker's
 * `arg0 > 40`). Unless exact_libseccomp is asked for, on 64-bit ABIs the
 * rules of such an argument are built from values cut to their low word,
 * and the argument's high word counts as 0 (sp_cond.lo_only,
 * sp_tnode.lo_only): the decisions are libseccomp's for the profile with
 * those values cut and the input with those high words cleared, and the
 * program never loads such a high word.
 *
 * That holds where every value the syscall's rules test on the argument
 * has one high word H (0 in practice): the low-word program then decides,
 * for each low word L, exactly what libseccomp decides for H:L, so it
 * never allows a call that Docker's filter refuses for every high word.
 * Where the values' high words differ (-1 as 0xffffffffffffffff beside 5),
 * no one high word reproduces the rules, so that argument keeps
 * libseccomp's 64-bit compares (settle_arg32). */

/* The arguments of name `seq` read as 32 bits on arch a, where it matters. */
static uint8_t arg32_on(const struct build *b, const struct sp_arch *a, size_t seq)
{
	return a->bits == 64 && !b->exact && b->arg32 ? b->arg32[seq] : 0;
}

/* The arg32 mask of a syscall's entries: the same for every entry of one
 * name that has conditions (settle_arg32), and entries without conditions
 * make no tests. */
static uint8_t entries_arg32(const struct build *b, const struct sp_arch *a, const struct entry *e,
			     size_t n);

/* The condition with the values the kernel reads when arg32 says so. */
static struct sp_arg narrow_arg(const struct sp_arg *x, uint8_t arg32)
{
	struct sp_arg c = *x;

	if (c.index < 6 && (arg32 >> c.index & 1)) {
		c.value &= 0xffffffffu;
		c.value_two &= 0xffffffffu;
	}
	return c;
}

/* ---- actions ---------------------------------------------------------- */

/* runc's getAction (docs/COMPAT.md §4.1.2 table): errno/trace data defaults to EPERM,
 * is cast to int16 and kept to 16 bits; KILL is KILL_THREAD. */
static uint32_t action_ret(enum sp_action act, bool has_errno, uint64_t errno_ret)
{
	uint32_t data = has_errno ? (uint16_t)(int16_t)errno_ret : EPERM;

	switch (act) {
	case SP_ACT_ERRNO:
	case SP_ACT_TRACE:
		return sp_action_ret(act) | data;
	default:
		return sp_action_ret(act);
	}
}

/* libseccomp refuses ERRNO data of MAX_ERRNO (4095) or more
 * (db_col_action_valid: data < MAX_ERRNO), so such a profile fails in runc
 * although the kernel would cap the value. */
static bool errno_invalid(uint32_t ret)
{
	return (ret & 0xffff0000u) == SP_RET_ERRNO && (ret & SP_RET_DATA) >= 4095;
}

#define RUNC_ERRNO_ENOSYS_ACTION 0x50026u /* SCMP_ACT_ERRNO(ENOSYS) */

static bool stub_wanted(const struct secprof_profile *p, const secprof_compile_opts *opts)
{
	/* runc's isAllowAction (docs/COMPAT.md §4.1.3): no stub for permissive defaults;
	 * crun never adds one (opts->no_enosys). */
	if (opts && opts->no_enosys)
		return false;
	/* runc's generatePatch (libcontainer/seccomp/patchbpf/enosys_linux.go)
	 * also skips the stub when defaultErrnoRet equals its retErrnoEnosys,
	 * the whole action value SCMP_ACT_ERRNO(ENOSYS) = 0x50026, not 38: with
	 * a KILL default such a profile kills new syscalls under runc. */
	if (p->has_default_errno && p->default_errno == RUNC_ERRNO_ENOSYS_ACTION)
		return false;
	return p->default_act != SP_ACT_ALLOW && p->default_act != SP_ACT_LOG &&
	       p->default_act != SP_ACT_TRACE;
}

static int check_default(struct build *b)
{
	const struct secprof_profile *p = b->r->prof;

	if (!p->default_action_ok)
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &p->default_action.loc,
			      "defaultAction", "error initializing seccomp - invalid default action");
	if (p->default_act == SP_ACT_NOTIFY)
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &p->default_action.loc,
			      "defaultAction", "SCMP_ACT_NOTIFY cannot be used as default action");
	b->rs->default_ret = action_ret(p->default_act, p->has_default_errno, p->default_errno);
	if (errno_invalid(b->rs->default_ret))
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &p->default_errno_loc,
			      "defaultErrnoRet", "error creating filter: could not create filter");
	return 0;
}

static uint32_t rule_ret(const struct sp_rule *rule)
{
	return action_ret(rule->act, rule->has_errno, rule->errno_ret);
}

/* The checks runc makes before adding any rule (docs/COMPAT.md §4.1.2 steps 1, 8). */
static int check_rule(struct build *b, const struct sp_rule *rule)
{
	char path[64];

	if (!rule->action_ok) {
		snprintf(path, sizeof(path), "syscalls[%zu].action", rule->index);
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &rule->action.loc, path,
			      "string %s is not a valid action for seccomp",
			      rule->action.s ? rule->action.s : "");
	}
	for (size_t j = 0; j < rule->nnames; j++) {
		const struct sp_str *n = &rule->names[j];
		bool empty = !n->s || !*n->s;
		if (!empty && (rule->act != SP_ACT_NOTIFY || strcmp(n->s, "write")))
			continue;
		snprintf(path, sizeof(path), "syscalls[%zu].names[%zu]", rule->index, j);
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &n->loc, path, "%s",
			      empty ? "empty string is not a valid syscall"
				    : "SCMP_ACT_NOTIFY cannot be used for the write syscall");
	}
	if (rule_ret(rule) != b->rs->default_ret && errno_invalid(rule_ret(rule))) {
		/* runc skips names libseccomp does not know before adding */
		for (size_t j = 0; j < rule->nnames; j++) {
			if (!sp_syscall_known(rule->names[j].s))
				continue;
			snprintf(path, sizeof(path), "syscalls[%zu].errnoRet", rule->index);
			return sp_err(b->err, SECPROF_E_PROFILE, b->file, &rule->errno_loc, path,
				      "error adding seccomp filter rule for syscall %s: invalid argument (errno %u: libseccomp takes 0 to 4094)",
				      rule->names[j].s, rule_ret(rule) & SP_RET_DATA);
		}
	}
	for (size_t k = 0; k < rule->nargs; k++) {
		if (rule->args[k].index <= 5)
			continue;
		snprintf(path, sizeof(path), "syscalls[%zu].args[%zu].index", rule->index, k);
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &rule->args[k].loc, path,
			      "error creating seccomp syscall condition for syscall %s: syscalls only have up to 6 arguments (%llu given)",
			      rule->nnames ? rule->names[0].s : "",
			      (unsigned long long)rule->args[k].index);
	}
	return 0;
}

/* ---- arch set ----------------------------------------------------------- */

static int add_arch(struct build *b, const struct sp_arch *a)
{
	struct sp_ruleset *rs = b->rs;

	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch == a)
			return 0;
	rs->arches[rs->narches].arch = a;
	rs->arches[rs->narches].enosys_max = -1;
	rs->narches++;
	return 0;
}

/* Filter arches = the OCI architectures plus the native arch, always
 * (docs/COMPAT.md §4.1.2 step 4); native first so its dispatch is the shortest. */
static int collect_arches(struct build *b)
{
	const secprof_resolved *r = b->r;
	const struct sp_arch *native = r->native ? r->native : sp_arch_native();

	b->rs->arches = sp_arena_alloc(&b->rs->arena,
				       (r->narchitectures + 1) * sizeof(*b->rs->arches));
	if (!b->rs->arches)
		return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	if (!native)
		return sp_err(b->err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "this machine's architecture is not supported");
	add_arch(b, native);
	for (size_t i = 0; i < r->narchitectures; i++) {
		const struct sp_str *s = r->architectures[i];
		const struct sp_arch *a = sp_arch_by_scmp(s->s ? s->s : "");
		if (!a)
			return sp_err(b->err, SECPROF_E_PROFILE, b->file, &s->loc, "architectures",
				      "string %s is not a valid arch for seccomp", s->s ? s->s : "");
		/* libseccomp's seccomp_arch_add fails with -EDOM when the
		 * endianness differs from the filter's (the native arch's) */
		if (a->big_endian != native->big_endian)
			return sp_err(b->err, SECPROF_E_PROFILE, b->file, &s->loc, "architectures",
				      "error adding architecture to seccomp filter: numerical argument out of domain (%s is %s-endian, %s is not)",
				      s->s, a->big_endian ? "big" : "little", native->scmp);
		add_arch(b, a);
	}
	return 0;
}

/* ---- unknown names ------------------------------------------------------ */

/* Look every (name, arch) pair up once; names are numbered in rule order. */
static int lookup_names(struct build *b)
{
	size_t total = 0, seq = 0, na = b->rs->narches;
	const struct sp_arch **arches = malloc(na * sizeof(*arches));

	for (size_t i = 0; i < b->r->nrules; i++)
		total += b->r->rules[i]->nnames;
	b->nrs = malloc((total ? total : 1) * na * sizeof(*b->nrs));
	b->known = malloc((total ? total : 1) * sizeof(*b->known));
	/* in the rule set's arena: no heap block of its own to come and go */
	b->row = sp_arena_alloc_raw(&b->rs->arena, (total ? total : 1) * sizeof(*b->row));
	b->arg32 = sp_arena_alloc_raw(&b->rs->arena, total ? total : 1);
	b->names = sp_arena_alloc_raw(&b->rs->arena, (total ? total : 1) * sizeof(*b->names));
	if (!b->nrs || !b->known || !b->row || !b->arg32 || !b->names || !arches) {
		free(arches);
		return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	}
	for (size_t a = 0; a < na; a++)
		arches[a] = b->rs->arches[a].arch;
	/* one name lookup per name, its numbers on every arch at once */
	for (size_t i = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			/* argument types matter to rules with conditions only */
			bool args = rule->nargs > 0;
			b->names[seq] = rule->names[j].s;
			b->arg32[seq] = 0;
			b->row[seq] = -1;
			b->known[seq] = args ? sp_syscall_lookup(rule->names[j].s, arches, na,
								 &b->nrs[seq * na], &b->arg32[seq],
								 &b->row[seq])
					     : sp_syscall_nrs(rule->names[j].s, arches, na, &b->nrs[seq * na]);
		}
	}
	free(arches);
	return 0;
}

/* What one name's rules test on its 32-bit arguments: the high word of
 * the first plain value per argument, and the arguments whose values do
 * not share it (or whose MASKED_EQ needs another high word). */
struct a32_state {
	uint32_t h[6];
	uint8_t have, mixed;
};

static void a32_note(struct a32_state *st, const struct sp_rule *rule, uint8_t arg32, bool masked_pass)
{
	for (size_t k = 0; k < rule->nargs; k++) {
		const struct sp_arg *x = &rule->args[k];
		unsigned i = (unsigned)x->index;
		uint32_t vh = (uint32_t)(x->value >> 32), bit;
		if (i > 5 || !(arg32 >> i & 1) || (x->op == SP_OP_MASKED_EQ) != masked_pass)
			continue;
		bit = 1u << i;
		if (masked_pass) {
			/* (H & mask) == datum on the high word, H the plain values'
			 * (0 when there are none) */
			if ((st->h[i] & vh) != (uint32_t)((x->value_two & x->value) >> 32))
				st->mixed |= (uint8_t)bit;
		} else if (!(st->have & bit)) {
			st->h[i] = vh;
			st->have |= (uint8_t)bit;
		} else if (st->h[i] != vh) {
			st->mixed |= (uint8_t)bit;
		}
	}
}

/* Where one name's rules test a 32-bit argument with values of different
 * high words, that argument keeps 64-bit compares (the note above
 * narrow_arg). Only rules runc adds and that have conditions count. One
 * state per name (by its index in the syscall table), in two passes:
 * plain values fix each argument's high word, then MASKED_EQ tests are
 * checked against it; a third applies the result. */
#define A32_SMALL 16

struct a32_table {
	struct a32_state small[A32_SMALL];
	int32_t rows[A32_SMALL];
	size_t n;
	struct a32_state *all; /* by table index, past A32_SMALL names */
};

static struct a32_state *a32_find(struct a32_table *t, int32_t row)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i] == row)
			return &t->small[i];
	if (!t->all && t->n < A32_SMALL) {
		t->rows[t->n] = row;
		t->small[t->n] = (struct a32_state){ 0 };
		return &t->small[t->n++];
	}
	if (!t->all) { /* many names: one state per table index */
		if (!(t->all = calloc(sp_syscall_count(), sizeof(*t->all))))
			return NULL;
		for (size_t i = 0; i < t->n; i++)
			t->all[t->rows[i]] = t->small[i];
		t->n = 0;
	}
	return &t->all[row];
}

static int settle_arg32(struct build *b)
{
	struct a32_table t = { .n = 0 };
	bool any = false;

	if (b->exact)
		return 0;
	for (int pass = 0; pass < 3; pass++) {
		size_t seq = 0;
		for (size_t i = 0; i < b->r->nrules; i++) {
			const struct sp_rule *rule = b->r->rules[i];
			if (!rule->nargs || rule_ret(rule) == b->rs->default_ret) {
				seq += rule->nnames;
				continue;
			}
			for (size_t j = 0; j < rule->nnames; j++, seq++) {
				struct a32_state *st;
				if (!b->arg32[seq] || b->row[seq] < 0)
					continue;
				if (!(st = a32_find(&t, b->row[seq]))) {
					free(t.all);
					return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
						      "out of memory");
				}
				any = true;
				if (pass < 2)
					a32_note(st, rule, b->arg32[seq], pass == 1);
				else
					b->arg32[seq] &= (uint8_t)~st->mixed;
			}
		}
		if (!any)
			return 0; /* no rule tests a 32-bit argument */
	}
	free(t.all);
	return 0;
}

static bool known_on_filter(const struct build *b, size_t seq)
{
	for (size_t a = 0; a < b->rs->narches; a++)
		if (b->nrs[seq * b->rs->narches + a] >= 0)
			return true;
	return false;
}

struct unknown {
	const char *name;
	size_t order;
	const struct sp_rule *rule;
	size_t j;
};

static int cmp_unknown(const void *x, const void *y)
{
	const struct unknown *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_unknown_order(const void *x, const void *y)
{
	const struct unknown *a = x, *b = y;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* runc skips names its libseccomp does not know for an arch. Names unknown
 * on every arch of the table are reported (and refused in strict mode) when
 * the profile is checked (check.c); here, once per name and only in strict
 * mode, we note the names that exist elsewhere but on no arch of this
 * filter (recv and send in Docker's default on amd64): normal in a
 * multi-arch profile, so never an error, and not worth a line on every
 * `secprof run`. Rules equal to the default are skipped by runc first. */
static int warn_unknown(struct build *b)
{
	struct sp_vec v = { .item_size = sizeof(struct unknown) };
	size_t kept = 0;
	int rc = 0;

	if (!b->ctx || !b->ctx->strict)
		return 0;

	for (size_t i = 0, seq = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		if (action_ret(rule->act, rule->has_errno, rule->errno_ret) == b->rs->default_ret) {
			seq += rule->nnames;
			continue;
		}
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			struct unknown *u;
			if (known_on_filter(b, seq) || !b->known[seq])
				continue;
			if (!(u = sp_vec_push(&v))) {
				sp_vec_free(&v);
				return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
			}
			*u = (struct unknown){ rule->names[j].s, v.len, rule, j };
		}
	}
	struct unknown *u = v.items;
	if (!v.len)
		return 0;
	qsort(u, v.len, sizeof(*u), cmp_unknown);
	for (size_t i = 0; i < v.len; i++)
		if (i == 0 || strcmp(u[i].name, u[kept - 1].name))
			u[kept++] = u[i];
	qsort(u, kept, sizeof(*u), cmp_unknown_order);
	for (size_t i = 0; i < kept; i++) {
		char path[64];
		snprintf(path, sizeof(path), "syscalls[%zu].names[%zu]", u[i].rule->index, u[i].j);
		sp_note(b->ctx, b->file, &u[i].rule->names[u[i].j].loc, path,
			"syscall \"%s\" does not exist on %s%s: ignored in this filter", u[i].name,
			b->rs->arches[0].arch->name, b->rs->narches > 1 ? " or the other arches" : "");
	}
	sp_vec_free(&v);
	return rc;
}

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
	struct sp_arg narrow = narrow_arg(orig, arg32);
	const struct sp_arg *arg = &narrow;
	struct sp_cond c = { .arg = (uint8_t)arg->index, .op = arg->op, .value = arg->value,
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

static bool index_repeats(const struct sp_rule *rule)
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
	uint64_t mask = narrow_arg(arg, arg32).value;

	if (arg->op != SP_OP_MASKED_EQ)
		return false;
	if (a->bits == 32)
		mask &= 0xffffffffu;
	return mask == 0;
}

/* Whether runc's rules for `rule` reach libseccomp as an unconditional rule:
 * no args; all args no-ops when AND-ed; any no-op when OR-ed (split). */
static bool rule_is_unconditional(const struct sp_arch *a, const struct sp_rule *rule, uint8_t arg32)
{
	bool split = index_repeats(rule), all = true, any = false;

	for (size_t k = 0; k < rule->nargs; k++) {
		bool noop = cond_is_noop(a, &rule->args[k], arg32);
		all &= noop;
		any |= noop;
	}
	return split ? any : all;
}

/* runc's matchCall: distinct indexes are one AND-ed rule; any repeated index
 * makes every condition its own rule, so the set is OR-ed (docs/COMPAT.md §4.1.2). */
static int expand_rule(struct sp_vec *out, const struct sp_arch *a, const struct sp_rule *rule,
		       uint32_t ret, uint8_t arg32)
{
	bool split = index_repeats(rule);
	size_t n = split ? rule->nargs : 1;

	for (size_t i = 0; i < n; i++) {
		struct sp_crule *cr = sp_vec_push(out);
		if (!cr)
			return -1;
		cr->ret = ret;
		cr->src = rule;
		if (split) {
			cr->conds[0] = make_cond(a, &rule->args[i], arg32);
			cr->nconds = 1;
			continue;
		}
		cr->nconds = 0;
		for (size_t k = 0; k < rule->nargs; k++)
			if (!cond_is_noop(a, &rule->args[k], arg32))
				cr->conds[cr->nconds++] = make_cond(a, &rule->args[k], arg32);
		qsort(cr->conds, cr->nconds, sizeof(cr->conds[0]), cmp_cond_arg);
	}
	return 0;
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

static int clash(struct build *b, const struct sp_sysrule *s, const struct sp_rule *x,
		 const struct sp_rule *y, const char *how)
{
	char path[64];

	bool mux = s->name && (!strcmp(s->name, "socketcall") || !strcmp(s->name, "ipc"));

	snprintf(path, sizeof(path), "syscalls[%zu]", y->index);
	return sp_err(b->err, SECPROF_E_PROFILE, b->file, &y->loc, path,
		      "rule for syscall \"%s\" has %s syscalls[%zu] (line %u) with a different action: libseccomp refuses it (EEXIST)%s",
		      s->name, how, x->index, x->loc.line,
		      mux ? " (libseccomp puts socket and IPC rules on socketcall/ipc too, arg0 replaced by the call number)" : "");
}

/* A refusal the chain-level check found: rule y meets the earlier rule x
 * with another action (`how` says on what). */
struct chain_clash {
	const struct sp_rule *x, *y;
	const char *how;
};

/* libseccomp's db_rule_add fails with -EEXIST, and runc aborts (spec
 * §4.3), when a rule meets an earlier one with a different action either
 * on the same chain of conditions, or as a shorter chain that the earlier
 * one extends (the new leaf would cut a subtree with other actions). The
 * reverse, a longer chain after a shorter one, is silently dropped: the
 * shorter chain sorts first and wins. Chains that extend a chain sort right
 * after it, so each check scans neighbours only. Only a candidate: the
 * earlier rule may never have reached the tree, dropped by db_rule_add as
 * redundant with a rule before it (_db_tree_prune), so check_word_tree's
 * replay decides (*cc left empty when there is none). */
static void check_clashes(const struct sp_crule *v, size_t n, struct chain_clash *cc)
{
	for (size_t i = 0, e; i < n; i = e) {
		/* ties sort by profile order: v[i] is the first rule with this chain */
		for (e = i + 1; e < n && !cmp_chain(&v[i], &v[e]); e++)
			if (v[e].ret != v[i].ret) {
				*cc = (struct chain_clash){ v[i].src, v[e].src, "the same conditions as" };
				return;
			}
		/* a longer chain added before the first short one; each chain
		 * extends at most 5 shorter ones, so the scans are O(n) in all */
		for (size_t j = e; j < n && is_proper_prefix(&v[i], &v[j]); j++)
			if (v[j].ret != v[i].ret && v[j].src->index < v[i].src->index) {
				*cc = (struct chain_clash){ v[j].src, v[i].src, "conditions that begin those of" };
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
		    (rc = drop_entry(b, SECPROF_REASON_REDUNDANT, a, d, v[kept - 1].src, -1)))
			return rc;
	}
	s->rules = sp_arena_alloc(&b->rs->arena, kept * sizeof(*v));
	if (!s->rules)
		return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	memcpy(s->rules, v, kept * sizeof(*v));
	s->nrules = kept;
	return 0;
}

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

/* prune_scan's answers. Within one prune (_db_tree_prune) the scan is a
 * pure function of (the first node of x's level, n, the state it starts
 * with, the depth): it only reads the two trees, and `removes` only ever
 * goes from false to true. libseccomp's walk rescans a level with the same
 * rest of the new chain once for every sibling that sorts after it, and
 * again below, which grows as a power of the level's width (1,024 rules on
 * one syscall: minutes); remembering each answer for the span of one prune
 * makes the work linear in the tree and leaves every answer as it was. */
struct pmemo_ent {
	const struct sp_tnode *x, *n;
	uint32_t gen;      /* the prune the entry belongs to; older ones are free */
	uint16_t in, out;  /* the state before and after */
	uint8_t depth;
};

struct pmemo {
	struct pmemo_ent *v;
	size_t cap, used;  /* cap: 0 or a power of two */
	uint32_t gen;
};

struct tree {
	struct sp_tnode *pool;
	size_t used, cap;
	struct sp_tnode *root;      /* NULL: no conditional rule yet */
	bool uncond;             /* an unconditional rule: later ones are dropped */
	bool dry;                /* only generate the chains (may_clash) */
	uint8_t arg32;           /* arguments read as 32 bits: lo_only nodes */
	const struct sp_rule *clash; /* the earlier rule libseccomp refused against */
	size_t steps;            /* work left (SP_REPLAY_STEPS); 0: the replay was cut */
	struct pmemo memo;       /* prune_scan's answers, for one prune */
};

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
			ends[i]->t = n;
		else
			ends[i]->f = n;
	}
	memset(ends, 0, 4 * sizeof(*ends));
}

/* The word tests of one 64-bit condition (the diagrams of libseccomp's
 * _db_rule_gen_arg_64): ends/tf say where the chain goes on from here. */
static struct sp_tnode *gen_cond_64(struct tree *t, const struct sp_arg *a, struct sp_tnode **ends, bool *tf)
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
		c0->t = c1;
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
	c0->f = c1;
	c1->t = c2;
	/* GT/GE go on from "hi >" and the low test when true; LT/LE from
	 * "hi ==" and the low test when false */
	*tf = a->op == SP_OP_GT || a->op == SP_OP_GE;
	ends[0] = *tf ? c0 : c1;
	ends[1] = c2;
	return c0;
}

/* One 32-bit word per condition (_db_rule_gen_32): NE, LT and LE are
 * tested as EQ, GE and GT with the chain going on when false. */
static struct sp_tnode *gen_cond_32(struct tree *t, const struct sp_arg *a, struct sp_tnode **ends, bool *tf)
{
	uint32_t mask = a->op == SP_OP_MASKED_EQ ? (uint32_t)a->value : UINT32_MAX;
	uint32_t datum = (uint32_t)(a->op == SP_OP_MASKED_EQ ? a->value_two : a->value);
	enum sp_op w = a->op == SP_OP_NE ? SP_OP_EQ : a->op == SP_OP_LT ? SP_OP_GE
		     : a->op == SP_OP_LE ? SP_OP_GT : a->op;
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
static struct sp_tnode *gen_chain(struct tree *t, const struct sp_arch *arch, const struct sp_arg *const *args,
			       size_t n, uint32_t ret, const struct sp_rule *src)
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
		if ((t->clash = other_action(*xnext, nact, 0, &t->steps)))
			return false;
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
			return true; /* cut: check_word_tree refuses the syscall */
		if (tnode_eq(x, n)) {
			if (!merge_side(t, x, n, true) || !merge_side(t, x, n, false))
				return false;
			if (n->t) {
				if (x->t) {
					if (!tree_add(t, &x->t, n->t, depth + 1))
						return false;
				} else if (!x->has_t) {
					x->t = n->t;
				} else {
					return true; /* the old chain is shorter */
				}
			}
			if (n->f) {
				if (x->f)
					return tree_add(t, &x->f, n->f, depth + 1);
				if (!x->has_f)
					x->f = n->f;
			}
			return true;
		}
		if (tnode_lt(x, n)) {
			n->prev = x->prev;
			n->next = x;
			if (x->prev)
				x->prev->next = n;
			x->prev = n;
			if (*where == x)
				*where = n;
			return true;
		}
		if (!x->next) {
			x->next = n;
			n->prev = x;
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
	uint32_t ret;
	bool removes;      /* the new chain would cut an old subtree instead */
	size_t *steps;
	struct pmemo *memo;
};

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
		size_t cap = old.cap ? old.cap * 2 : 64;
		if (!(m->v = calloc(cap, sizeof(*m->v)))) {
			*m = old;
			return; /* the table stays at most half full */
		}
		m->cap = cap;
		m->used = 0;
		m->gen = 1;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].gen == old.gen) {
				e = &m->v[pmemo_slot(m, old.v[i].x, old.v[i].n, old.v[i].in, old.v[i].depth)];
				*e = old.v[i];
				e->gen = m->gen;
				m->used++;
			}
		free(old.v);
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

static void prune_scan(struct prune *p, const struct sp_tnode *x, const struct sp_tnode *n, unsigned *state,
		       unsigned depth);

/* Go on one level down, in the old tree (xnext) or the new one (nnext). */
static bool prune_down(struct prune *p, const struct sp_tnode *xnext, const struct sp_tnode *nnext,
		       unsigned from, unsigned set, unsigned *st, unsigned depth)
{
	unsigned nx = (from & ~(unsigned)P_MATCH) | set;

	if (set == (P_MATCH | P_ONCE))
		nx = from | set;
	prune_scan(p, xnext, nnext, &nx, depth + 1);
	if (nx & P_MATCH)
		*st |= nx;
	return (nx & P_MATCH) != 0;
}

static bool prune_eq(struct prune *p, const struct sp_tnode *x, const struct sp_tnode *n, unsigned from,
		     unsigned *st, unsigned depth)
{
	*st |= P_MATCH | P_ONCE;
	if (tleaf(n))
		*st |= P_NFIN;
	if (tleaf(x))
		*st |= P_XFIN;
	if (((x->has_t || x->t) && !(n->has_t || n->t)) || ((x->has_f || x->f) && !(n->has_f || n->f)))
		return false;
	if ((*st & P_NFIN) && (*st & P_XFIN) &&
	    (n->has_t != x->has_t || n->act_t != x->act_t || n->has_f != x->has_f || n->act_f != x->act_f))
		return false;
	if (n->t)
		prune_down(p, x->t, n->t, from, P_MATCH | P_ONCE, st, depth);
	if (n->f)
		prune_down(p, x->f, n->f, from, P_MATCH | P_ONCE, st, depth);
	if (other_action(x, p->ret, 0, p->steps) || !(*st & P_MATCH))
		return true;
	if ((*st & P_NFIN) && (*st & P_XPRE))
		p->removes = true;
	else if ((*st & P_XFIN) && (*st & P_NPRE))
		return false; /* the new chain is longer: done */
	return true;
}

static void prune_scan(struct prune *p, const struct sp_tnode *x, const struct sp_tnode *n, unsigned *state,
		       unsigned depth)
{
	unsigned st = *state, in = *state;
	bool done = false;
	const struct pmemo_ent *m;
	unsigned guard = 0;
	bool scanned = false; /* the answer for (first, n, in, depth) is kept */
	const struct sp_tnode *first = NULL;

	if (!n || !x || depth > 64 || (*state & (P_MATCH | P_ONCE)) == P_ONCE)
		goto out;
	while (x->prev && guard++ < TREE_WIDTH && step(p->steps))
		x = x->prev;
	if (!step(p->steps))
		goto out;
	if ((m = pmemo_get(p->memo, x, n, in, depth))) {
		*state = m->out;
		return;
	}
	scanned = true;
	first = x;
	for (guard = 0; x && !done && guard < TREE_WIDTH; x = x->next, guard++) {
		if (!step(p->steps))
			goto out;
		if (tnode_eq(x, n)) {
			done = !prune_eq(p, x, n, *state, &st, depth);
		} else if (tnode_lt(x, n)) {
			if (*state & P_NPRE)
				goto out;
			done = (x->t && prune_down(p, x->t, n, *state, P_XPRE, &st, depth)) ||
			       (x->f && prune_down(p, x->f, n, *state, P_XPRE, &st, depth));
		} else {
			if (*state & P_XPRE)
				goto out;
			/* the same level again: from its first node, which the
			 * scan below would rewind to (unless the level loops) */
			const struct sp_tnode *lvl = first->prev ? x : first;
			done = (n->t && prune_down(p, lvl, n->t, *state, P_NPRE, &st, depth)) ||
			       (n->f && prune_down(p, lvl, n->f, *state, P_NPRE, &st, depth));
		}
	}
	if (!done)
		st &= ~(unsigned)P_MATCH;
out:
	if (st & P_MATCH)
		*state |= st;
	else
		*state &= ~(unsigned)P_MATCH;
	if (scanned)
		pmemo_put(p->memo, first, n, in, depth, *state);
}

/* Is the new chain made redundant by the tree (and so dropped)? */
static bool tree_redundant(struct tree *t, const struct sp_tnode *head, uint32_t ret)
{
	struct prune p = { ret, false, &t->steps, &t->memo };
	unsigned state = 0;

	pmemo_reset(&t->memo);
	prune_scan(&p, t->root, head, &state, 0);
	return !p.removes && (state & P_REDUNDANT) == P_REDUNDANT;
}

/* db_rule_add for one rule as runc adds it. False: libseccomp's -EEXIST. */
static bool tree_rule_add(struct tree *t, const struct sp_arch *arch, const struct sp_arg *const *args,
			  size_t n, uint32_t ret, const struct sp_rule *src)
{
	struct sp_tnode *head;

	if (t->uncond)
		return true; /* the syscall is decided: libseccomp drops the rule */
	head = n ? gen_chain(t, arch, args, n, ret, src) : NULL;
	if (t->dry)
		return true;
	if (!head) {
		t->uncond = true; /* no conditions left: replaces the tree */
		t->root = NULL;
		return true;
	}
	if (!t->root) {
		t->root = head;
		return true;
	}
	if (tree_redundant(t, head, ret))
		return true;
	return tree_add(t, &t->root, head, 0);
}

static int cmp_tnode_key(const void *x, const void *y)
{
	const struct sp_tnode *a = *(const struct sp_tnode *const *)x, *b = *(const struct sp_tnode *const *)y;

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
	const struct sp_tnode **v = malloc((t->used ? t->used : 1) * sizeof(*v));

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
	free(v);
}

/* Replay one syscall's rules in profile order into libseccomp's word tree;
 * refuse (as clash) where db_rule_add would fail with -EEXIST. */
static bool replay_entries(struct tree *t, const struct sp_arch *a, const struct entry *e, size_t n,
			   const struct sp_rule **failed)
{
	for (size_t i = 0; i < n && !t->uncond; i++) {
		const struct sp_rule *rule = e[i].rule;
		const struct sp_arg *args[6];
		struct sp_arg narrow[6];
		bool split = index_repeats(rule);
		size_t nadd = split ? rule->nargs : 1;

		for (size_t k = 0; k < nadd; k++) {
			size_t m = split ? 1 : rule->nargs;
			for (size_t j = 0; j < m; j++) {
				args[j] = &rule->args[split ? k : j];
				if (t->arg32) {
					narrow[j] = narrow_arg(args[j], t->arg32);
					args[j] = &narrow[j];
				}
			}
			if (!tree_rule_add(t, a, args, m, rule_ret(rule), rule)) {
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
	return sp_err(b->err, SECPROF_E_LIMIT, b->file, at ? &at->loc : NULL, NULL,
		      "syscall \"%s\": replaying libseccomp's argument tree for rules of different actions takes more than %u steps in this profile, secprof's limit",
		      name, SP_REPLAY_STEPS);
}

/* Replay one syscall's rules into libseccomp's word tree and refuse what
 * it refuses. `keep` (the syscall's sysrule, NULL for a pseudo number):
 * where its conditional rules have two actions, the tree is kept there to
 * decide (ruleset.h, sp_tnode). `cc` (may be NULL): the chain-level
 * check's candidate, named in the message when the replay refuses too. */
static int check_word_tree(struct build *b, const struct sp_arch *a, struct sp_sysrule *keep,
			   const char *name, const struct entry *e, size_t n, const struct chain_clash *cc)
{
	struct tree t; /* set up below: most syscalls return before */
	const struct sp_rule *failed = NULL;
	size_t adds = 0;
	const struct sp_rule *first = NULL;
	bool may = true, mixed = false;
	int rc = 0;

	/* only conditional rules make nodes, and a clash needs two actions */
	for (size_t i = 0; i < n; i++) {
		if (!e[i].rule->nargs)
			continue;
		adds += e[i].rule->nargs;
		if (!first)
			first = e[i].rule;
		mixed |= rule_ret(e[i].rule) != rule_ret(first);
	}
	if (adds < 2 || !mixed)
		return 0;
	if (keep && keep->uncond)
		keep = NULL; /* an unconditional rule decides: no tree is left */
	/* With at most TREE_MAX_CONDS conditions no sibling walk of the model
	 * (3 nodes per condition) reaches TREE_WIDTH and no chain the depth
	 * bound, so the kept tree is libseccomp's whole; past it, refuse
	 * rather than decide from a cut tree. */
	if (keep && adds > TREE_MAX_CONDS)
		return sp_err(b->err, SECPROF_E_LIMIT, b->file, &first->loc, NULL,
			      "syscall \"%s\" has %zu argument conditions in rules of different actions: secprof reproduces libseccomp's order for at most %u",
			      name, adds, TREE_MAX_CONDS);
	t = (struct tree){ .dry = true, .cap = adds * 3 * 6, .arg32 = entries_arg32(b, a, e, n) };
	t.pool = keep ? sp_arena_alloc_raw(&b->rs->arena, t.cap * sizeof(*t.pool))
		      : malloc(t.cap * sizeof(*t.pool));
	if (!t.pool)
		return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	if (!keep) { /* only the refusal is wanted: skip the replay if none can be */
		replay_entries(&t, a, e, n, &failed);
		may_clash(&t, &may);
	}
	t = (struct tree){ .pool = t.pool, .cap = t.cap, .steps = b->steps, .arg32 = t.arg32 };
	if (may && !replay_entries(&t, a, e, n, &failed) && t.steps) {
		struct sp_sysrule s = { .name = name };
		rc = cc && cc->x ? clash(b, &s, cc->x, cc->y, cc->how)
				 : clash(b, &s, t.clash, failed,
					 "a test of a 32-bit half of an argument that libseccomp shares with");
	}
	b->steps = t.steps;
	if (!rc && !t.steps)
		rc = too_much_work(b, first, name);
	if (!rc && keep) {
		size_t budget = 4 * t.used + 64;
		if (!tree_walk_bounded(t.root, 0, &budget))
			rc = sp_err(b->err, SECPROF_E_PROFILE, b->file, &first->loc, NULL,
				    "the argument rules for syscall \"%s\" make a tree libseccomp cannot generate code for",
				    name);
		keep->tree = t.root;
	}
	if (!keep)
		free(t.pool);
	free(t.memo.v);
	return rc;
}

/* ---- the multiplexers: socketcall(2) and ipc(2) ---------------------------
 *
 * On x86, ppc, ppc64(le), MIPS o32 and s390(x) libseccomp 2.5.4 resolves
 * the socket and SysV IPC family names to pseudo numbers
 * (syscalls.c abi_syscall_resolve_name_munge), and abi_rule_add turns a rule
 * for one of them into two: one for the multiplexer, socketcall(2) or
 * ipc(2), whose arg0 test is replaced by "arg0 == call number" (the rule's
 * other tests stay on their own arguments), and one for the direct syscall
 * where the arch has it (i386 socket 359), with the rule as written. The
 * multiplexer rules are entries of the multiplexer's number like any other
 * (push_entries), in runc's order among the profile's own rules for
 * socketcall/ipc, so they merge, refuse and decide in one tree as in
 * libseccomp. */
struct mux_call {
	const char *name;
	uint8_t len;
	uint8_t call;
};

#define MUX(n, c) { n, sizeof(n) - 1, c }

/* the SYS_* numbers of include/uapi/linux/net.h and ipc/syscall.c */
static const struct mux_call socket_calls[] = {
	MUX("socket", 1), MUX("bind", 2), MUX("connect", 3), MUX("listen", 4), MUX("accept", 5),
	MUX("getsockname", 6), MUX("getpeername", 7), MUX("socketpair", 8), MUX("send", 9),
	MUX("recv", 10), MUX("sendto", 11), MUX("recvfrom", 12), MUX("shutdown", 13),
	MUX("setsockopt", 14), MUX("getsockopt", 15), MUX("sendmsg", 16), MUX("recvmsg", 17),
	MUX("accept4", 18), MUX("recvmmsg", 19), MUX("sendmmsg", 20), { NULL, 0, 0 },
};

static const struct mux_call ipc_calls[] = {
	MUX("semop", 1), MUX("semget", 2), MUX("semctl", 3), MUX("semtimedop", 4), MUX("msgsnd", 11),
	MUX("msgrcv", 12), MUX("msgget", 13), MUX("msgctl", 14), MUX("shmat", 21), MUX("shmdt", 22),
	MUX("shmget", 23), MUX("shmctl", 24), { NULL, 0, 0 },
};

/* The arches whose arch_def has sys_socketcall/sys_ipc and abi_rule_add in
 * libseccomp 2.5.4 (arch-x86.c, arch-ppc.c, arch-ppc64.c, arch-mips.c for
 * o32 only, arch-s390.c, arch-s390x.c). */
static bool multiplexes(const struct sp_arch *a)
{
	static const char *const scmp[] = { "SCMP_ARCH_X86", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
					    "SCMP_ARCH_PPC64LE", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPSEL",
					    "SCMP_ARCH_S390", "SCMP_ARCH_S390X" };

	for (size_t i = 0; i < SP_ARRAY_SIZE(scmp); i++)
		if (!strcmp(a->scmp, scmp[i]))
			return true;
	return false;
}

static int mux_call_of(const struct mux_call *calls, const char *name, size_t len)
{
	/* length and first byte before memcmp: most names are neither */
	for (size_t i = 0; name && calls[i].name; i++)
		if (calls[i].len == len && calls[i].name[0] == name[0] && !memcmp(calls[i].name, name, len))
			return calls[i].call;
	return -1;
}

/* What one name is to the multiplexers: socketcall(2) (kind 0) or ipc(2)
 * (kind 1) and its call number there; kind -1 for every other name. Worked
 * out once per build (mux_names), since every multiplexing arch reads it. */
struct mux_name {
	int8_t kind;
	uint8_t call;
};

static const char *const mux_syscall[2] = { "socketcall", "ipc" };
static const struct mux_call *const mux_calls[2] = { socket_calls, ipc_calls };

static int mux_names(struct build *b)
{
	size_t total = 0, seq = 0;

	if (b->muxn)
		return 0;
	for (size_t i = 0; i < b->r->nrules; i++)
		total += b->r->rules[i]->nnames;
	if (!(b->muxn = malloc((total ? total : 1) * sizeof(*b->muxn))))
		return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	for (size_t i = 0; i < b->r->nrules; i++)
		for (size_t j = 0; j < b->r->rules[i]->nnames; j++, seq++) {
			const char *nm = b->r->rules[i]->names[j].s;
			size_t len = nm ? strlen(nm) : 0;
			b->muxn[seq] = (struct mux_name){ -1, 0 };
			for (int k = 0; k < 2; k++) {
				int call = mux_call_of(mux_calls[k], nm, len);
				if (call >= 0)
					b->muxn[seq] = (struct mux_name){ (int8_t)k, (uint8_t)call };
			}
		}
	return 0;
}

/* The rule libseccomp adds for the multiplexer from part `part` of `rule`
 * (runc adds each condition of a rule with a repeated index as a rule of
 * its own): abi_rule_add overwrites args[0] with "arg0 == call" (mask
 * DATUM_MAX), so a test of the rule's own arg0 is gone and the others stay
 * where they were. Lives in the ruleset's arena, as a copy of the rule, so
 * that explanations still point at the profile's rule. */
static const struct sp_rule *mux_rule(struct build *b, const struct sp_rule *rule, unsigned call,
				      size_t part)
{
	struct sp_rule *m = sp_arena_alloc(&b->rs->arena, sizeof(*m));
	struct sp_arg *args = sp_arena_alloc(&b->rs->arena, (rule->nargs + 1) * sizeof(*args));
	bool split = index_repeats(rule);
	size_t n = 0;

	if (!m || !args)
		return NULL;
	*m = *rule;
	args[n++] = (struct sp_arg){ .index = 0, .op = SP_OP_EQ, .value = call, .loc = rule->loc };
	for (size_t k = split ? part : 0; k < (split ? part + 1 : rule->nargs); k++)
		if (rule->args[k].index != 0)
			args[n++] = rule->args[k];
	m->args = args;
	m->nargs = n;
	m->args_present = true;
	return m;
}

static int cmp_entry_name(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* libseccomp numbers a name that does not exist on an arch with a negative
 * pseudo number and still builds its tree there (it never matches a real
 * call, but it refuses like any other): replay those trees too, per name. */
static int check_absent(struct build *b, const struct sp_arch_rules *ar)
{
	struct sp_vec v = { .item_size = sizeof(struct entry) };
	size_t ai = (size_t)(ar - b->rs->arches), na = b->rs->narches;
	uint32_t seq = 0;
	struct entry *e;
	int rc = 0;

	for (size_t i = 0; i < b->r->nrules && !rc; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		bool dropped = rule_ret(rule) == b->rs->default_ret;
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			if (dropped || b->nrs[seq * na + ai] >= 0 || !b->known[seq])
				continue;
			if (!(e = sp_vec_push(&v))) {
				rc = sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
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
		rc = check_word_tree(b, ar->arch, NULL, e[i].name, e + i, j - i, NULL);
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

static uint8_t entries_arg32(const struct build *b, const struct sp_arch *a, const struct entry *e,
			     size_t n)
{
	const struct entry *first = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!e[i].rule->nargs)
			continue;
		/* a multiplexer rule tests socketcall/ipc's own registers with
		 * the family call's values, and two names of one number were
		 * settled apart: no one high word is known for them, so keep
		 * libseccomp's 64-bit compares (never less than Docker's) */
		if (entry_is_mux(&e[i]))
			return 0;
		if (!first)
			first = &e[i];
		else if (b->row && b->row[entry_name(&e[i])] != b->row[entry_name(first)])
			return 0;
	}
	return first ? arg32_on(b, a, entry_name(first)) : 0;
}

/* Does an action of the word tree come from `rule`? (bounded: the tree was
 * checked with tree_walk_bounded when it was kept) */
static bool tree_has_src(const struct sp_tnode *n, const struct sp_rule *rule)
{
	if (!n)
		return false;
	while (n->prev)
		n = n->prev;
	for (; n; n = n->next)
		if ((n->has_t && n->src_t == rule) || (n->has_f && n->src_f == rule) ||
		    tree_has_src(n->t, rule) || tree_has_src(n->f, rule))
			return true;
	return false;
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
		if (seen || tree_has_src(s->tree, rule) || !(d = entry_of(e, n, rule)))
			continue;
		if ((rc = drop_entry(b, SECPROF_REASON_REDUNDANT, a, d, NULL, -1)))
			return rc;
	}
	return 0;
}

/* Merge all rules naming one nr, in profile order (libseccomp db_rule_add,
 * docs/COMPAT.md §4.3): the first unconditional rule wins and replaces the
 * conditional rules before it; rules after it are dropped. */
static int merge_nr(struct build *b, const struct sp_arch *a, struct sp_sysrule *s,
		    const struct entry *e, size_t n, struct sp_vec *tmp)
{
	uint8_t arg32 = entries_arg32(b, a, e, n);

	tmp->len = 0;
	s->nr = e[0].nr;
	s->name = e[0].name;
	s->src = e[0].rule;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct sp_rule *rule = e[i].rule;
		uint32_t ret = action_ret(rule->act, rule->has_errno, rule->errno_ret);
		/* libseccomp leaves a zero-mask MASKED_EQ out of the chain
		 * (_db_rule_gen_64/_32); the multiplexer copies were made from
		 * the rule's own conditions, which are recorded on its entry */
		for (size_t k = 0; b->record && !entry_is_mux(&e[i]) && k < rule->nargs; k++)
			if (cond_is_noop(a, &rule->args[k], arg32) &&
			    (rc = drop_entry(b, SECPROF_REASON_CONDITION_DROPPED, a, &e[i], NULL, (int)k)))
				return rc;
		if (rule->nargs == 0 || rule_is_unconditional(a, rule, arg32)) {
			s->uncond = true;
			s->ret = ret;
			s->src = rule;
			break;
		}
		if (expand_rule(tmp, a, rule, ret, arg32) < 0)
			return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	}
	/* db_rule_add: an unconditional rule replaces the conditional rules
	 * added before it, and every rule after it finds the syscall decided */
	for (size_t k = 0; b->record && s->uncond && k < n; k++)
		if (k != i && (rc = drop_entry(b, k < i ? SECPROF_REASON_REPLACED : SECPROF_REASON_SHADOWED,
					       a, &e[k], s->src, -1)))
			return rc;
	struct chain_clash cc = { 0 };
	rc = merge_chains(b, a, s, tmp->items, tmp->len, e, n, &cc);
	if (!rc)
		rc = check_word_tree(b, a, order_free(s) ? NULL : s, s->name, e, n, &cc);
	if (s->uncond) {
		s->rules = NULL;
		s->nrules = 0;
	}
	if (!rc && s->tree && b->record)
		rc = drop_pruned(b, a, s, e, n);
	return rc;
}

/* The entries libseccomp's multiplexer gets from one name of `rule` on a
 * multiplexing arch (mux_rule): one per rule runc adds for it. */
static int push_mux(struct build *b, struct sp_vec *v, int32_t nr, uint32_t seq,
		    const struct sp_rule *rule, const struct mux_name *mn)
{
	size_t parts = index_repeats(rule) ? rule->nargs : 1;

	for (size_t k = 0; k < parts; k++) {
		const struct sp_rule *m = mux_rule(b, rule, mn->call, k);
		struct entry *e = m ? sp_vec_push(v) : NULL;
		if (!e)
			return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
		/* the parts follow each other as runc adds them */
		*e = (struct entry){ nr, (uint64_t)seq << 32 | (k + 1), m, mux_syscall[mn->kind] };
	}
	return 0;
}

static int push_entries(struct build *b, struct sp_arch_rules *ar, struct sp_vec *v)
{
	size_t ai = (size_t)(ar - b->rs->arches), na = b->rs->narches;
	bool mux = multiplexes(ar->arch);
	int32_t mux_nr[2] = { -1, -1 };
	uint32_t seq = 0;

	for (int k = 0; mux && k < 2; k++)
		mux_nr[k] = sp_syscall_nr(ar->arch, mux_syscall[k]);
	for (size_t i = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		bool dropped = action_ret(rule->act, rule->has_errno, rule->errno_ret) ==
			       b->rs->default_ret;
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			int32_t nr = b->nrs[seq * na + ai];
			const struct mux_name *mn = mux ? &b->muxn[seq] : NULL;
			bool family = mn && mn->kind >= 0;
			struct entry *e;
			int rc;
			if (family && !dropped && b->known[seq] && mux_nr[mn->kind] >= 0 &&
			    (rc = push_mux(b, v, mux_nr[mn->kind], seq, rule, mn)))
				return rc;
			/* runc skips a name libseccomp cannot resolve for the
			 * arch; a family name still reaches the multiplexer */
			if (nr < 0 && !dropped && !(family && b->known[seq] && mux_nr[mn->kind] >= 0) &&
			    (rc = add_drop(b, SECPROF_REASON_UNKNOWN_NAME, rule, rule->names[j].s,
					   ar->arch, NULL, NULL, -1)))
				return rc;
			if (nr < 0)
				continue;
			/* runc's stub counts every rule, dropped ones too (§4.1.3);
			 * the max of nr 0 alone counts as "no syscalls". It asks
			 * libseccomp for the number by name, which gives the
			 * family's pseudo numbers on a multiplexing arch, so their
			 * direct numbers (i386 socket 359) never count. */
			if (b->stub && nr > 0 && nr > ar->enosys_max && !family)
				ar->enosys_max = nr;
			if (dropped)
				continue;
			if (!(e = sp_vec_push(v)))
				return sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
			*e = (struct entry){ nr, (uint64_t)seq << 32, rule, rule->names[j].s };
		}
	}
	return 0;
}

/* Stable sort by nr: entries arrive in rule order, so a counting sort over
 * the (small) span of numbers keeps ties in profile order in O(n + span). */
static bool sort_entries(struct entry *e, size_t n)
{
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
	start = calloc((size_t)(hi - lo) + 2, sizeof(*start));
	out = malloc(n * sizeof(*out));
	if (!start || !out) {
		free(start);
		free(out);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		start[e[i].nr - lo + 1]++;
	for (int64_t k = 1; k <= (int64_t)hi - lo + 1; k++)
		start[k] += start[k - 1];
	for (size_t i = 0; i < n; i++)
		out[start[e[i].nr - lo]++] = e[i];
	memcpy(e, out, n * sizeof(*e));
	free(start);
	free(out);
	return true;
}

static int build_arch(struct build *b, struct sp_arch_rules *ar)
{
	struct sp_vec v = { .item_size = sizeof(struct entry) };
	struct sp_vec tmp = { .item_size = sizeof(struct sp_crule) };
	struct entry *e;
	size_t groups = 0;
	int rc = push_entries(b, ar, &v);

	e = v.items;
	if (!rc && !sort_entries(e, v.len))
		rc = sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	for (size_t i = 0; !rc && i < v.len; i++)
		groups += i == 0 || e[i].nr != e[i - 1].nr;
	ar->sys = sp_arena_alloc(&b->rs->arena, (groups ? groups : 1) * sizeof(*ar->sys));
	if (!rc && !ar->sys)
		rc = sp_err(b->err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
	for (size_t i = 0; !rc && i < v.len;) {
		size_t j = i + 1, mark = b->drops.len;
		while (j < v.len && e[j].nr == e[i].nr)
			j++;
		rc = merge_nr(b, ar->arch, &ar->sys[ar->nsys], e + i, j - i, &tmp);
		/* above the boundary every rule of the number is unreached,
		 * whatever libseccomp made of it */
		if (!rc && b->record && ar->enosys_max > 0 && e[i].nr > ar->enosys_max) {
			b->drops.len = mark;
			for (size_t k = i; !rc && k < j; k++)
				rc = drop_entry(b, SECPROF_REASON_BEYOND_ENOSYS, ar->arch, &e[k], NULL, -1);
		}
		/* runc's stub answers ENOSYS above enosys_max before libseccomp's
		 * program runs, so a rule there is never reached: the direct
		 * number of a family name, or the multiplexer itself, on an arch
		 * whose maximum does not count them (push_entries). libseccomp
		 * still merged it, so it still refuses what it refuses. */
		if (!rc && (ar->sys[ar->nsys].uncond || ar->sys[ar->nsys].nrules) &&
		    !(ar->enosys_max > 0 && e[i].nr > ar->enosys_max))
			ar->nsys++;
		i = j;
	}
	sp_vec_free(&tmp);
	sp_vec_free(&v);
	return rc;
}

static void set_flags(struct build *b)
{
	const struct secprof_profile *p = b->r->prof;

	/* runc sets SPEC_ALLOW when flags are absent (docs/COMPAT.md §4.1.1). */
	if (!p->flags_present)
		b->rs->flags = 4u;
	for (size_t i = 0; i < p->nflags; i++)
		b->rs->flags |= sp_flag_from_str(p->flags[i].s ? p->flags[i].s : "");
	for (size_t i = 0; i < b->r->nrules; i++)
		if (b->r->rules[i]->act == SP_ACT_NOTIFY)
			b->rs->needs_listener = true;
}

static struct sp_ruleset *build_ruleset(secprof_ctx *ctx, const secprof_resolved *r,
					const secprof_compile_opts *opts, bool record, secprof_error *err)
{
	struct sp_ruleset *rs = calloc(1, sizeof(*rs));
	struct build b = { .ctx = ctx, .r = r, .rs = rs, .err = err, .steps = SP_REPLAY_STEPS,
			   .record = record };
	int rc = 0;

	if (!rs) {
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
		return NULL;
	}
	if (!r || r->unconfined || !r->prof) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "the profile is unconfined: there is no filter to compile");
		free(rs);
		return NULL;
	}
	b.file = r->prof->file;
	b.stub = stub_wanted(r->prof, opts);
	b.exact = opts && opts->exact_libseccomp;
	b.drops.item_size = sizeof(struct sp_drop);
	rc = check_default(&b);
	for (size_t i = 0; !rc && i < r->nrules; i++)
		rc = check_rule(&b, r->rules[i]);
	for (size_t i = 0; !rc && record && i < r->ndrops; i++) {
		struct sp_drop *d = sp_vec_push(&b.drops);
		if (!d)
			rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
		else
			*d = r->drops[i];
	}
	/* runc's "equal to the default action" skip (docs/COMPAT.md §4.1.2 step 5) */
	for (size_t i = 0; !rc && i < r->nrules; i++)
		if (rule_ret(r->rules[i]) == rs->default_ret)
			rc = add_drop(&b, SECPROF_REASON_EQUALS_DEFAULT, r->rules[i], NULL, NULL, NULL,
				      NULL, -1);
	if (!rc)
		rc = collect_arches(&b);
	if (!rc)
		rc = lookup_names(&b);
	if (!rc)
		rc = warn_unknown(&b);
	if (!rc)
		rc = settle_arg32(&b);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		if (multiplexes(rs->arches[i].arch))
			rc = mux_names(&b);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		rc = build_arch(&b, &rs->arches[i]);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		rc = check_absent(&b, &rs->arches[i]);
	free(b.nrs);
	free(b.known);
	free(b.muxn);
	if (!rc && b.drops.len) {
		rs->drops = sp_arena_alloc_raw(&rs->arena, b.drops.len * sizeof(*rs->drops));
		if (!rs->drops)
			rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "out of memory");
		else
			memcpy(rs->drops, b.drops.items, b.drops.len * sizeof(*rs->drops));
		rs->ndrops = b.drops.len;
	}
	sp_vec_free(&b.drops);
	if (rc) {
		sp_ruleset_free(rs);
		return NULL;
	}
	set_flags(&b);
	rs->replay_steps = SP_REPLAY_STEPS - b.steps;
	return rs;
}

struct sp_ruleset *sp_ruleset_build(secprof_ctx *ctx, const secprof_resolved *r,
				    const secprof_compile_opts *opts, secprof_error *err)
{
	return build_ruleset(ctx, r, opts, false, err);
}

struct sp_ruleset *sp_ruleset_build_ir(secprof_ctx *ctx, const secprof_resolved *r,
				       const secprof_compile_opts *opts, secprof_error *err)
{
	return build_ruleset(ctx, r, opts, true, err);
}

void sp_ruleset_free(struct sp_ruleset *rs)
{
	if (!rs)
		return;
	sp_arena_free(&rs->arena);
	free(rs);
}

const struct sp_arch_rules *sp_ruleset_arch(const struct sp_ruleset *rs, const struct sp_arch *a)
{
	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch->audit == a->audit &&
		    rs->arches[i].arch->nr_base == a->nr_base)
			return &rs->arches[i];
	return NULL;
}

size_t sp_ruleset_audits(const struct sp_ruleset *rs, uint32_t *audits, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->narches; i++) {
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= audits[j] == rs->arches[i].arch->audit;
		if (!seen && n < max)
			audits[n++] = rs->arches[i].arch->audit;
	}
	return n;
}

/* ---- zones -------------------------------------------------------------- */

static const struct sp_arch_rules *find_by_base(const struct sp_ruleset *rs, uint32_t audit,
						bool x32)
{
	for (size_t i = 0; i < rs->narches; i++) {
		const struct sp_arch *a = rs->arches[i].arch;
		if (a->audit == audit && (a->nr_base == SP_X32_BIT) == x32)
			return &rs->arches[i];
	}
	return NULL;
}

static size_t zone(struct sp_zone *z, size_t n, uint32_t lo, uint32_t hi,
		   const struct sp_arch_rules *t, uint32_t ret)
{
	z[n] = (struct sp_zone){ lo, hi, t, ret };
	return n + 1;
}

/* x86_64 and x32 share AUDIT_ARCH_X86_64; bit 30 of nr tells them apart.
 * What runc's stub (JSET 1<<30, §4.1.3) and libseccomp 2.5.4 do together:
 * - x86_64 only: nr >= 0x40000000 is bad-arch (KILL) except nr == -1, kept
 *   for tracers (it reaches the syscall table and gets the default); with
 *   the stub, 0x80000000..0xbfffffff (bit 30 clear) are above max: ENOSYS.
 * - x86_64 + x32: libseccomp emits no guard, so any unlisted number gets the
 *   default; the stub gives ENOSYS above each table's max (bit 30 picks which).
 * - x32 only: numbers below 0x40000000 are bad-arch. */
static size_t x86_64_zones(const struct sp_ruleset *rs, uint32_t audit, struct sp_zone *z)
{
	const struct sp_arch_rules *t64 = find_by_base(rs, audit, false);
	const struct sp_arch_rules *t32 = find_by_base(rs, audit, true);
	uint32_t def = rs->default_ret, kill = SP_RET_KILL_THREAD;
	bool stub64 = t64 && t64->enosys_max > 0, stub32 = t32 && t32->enosys_max > 0;
	size_t n = 0;

	n = zone(z, n, 0, SP_X32_BIT - 1, t64, t64 ? 0 : kill);
	if (!t32) {
		n = zone(z, n, SP_X32_BIT, 0x7fffffffu, NULL, kill);
		n = zone(z, n, 0x80000000u, 0xbfffffffu, NULL, stub64 ? SP_RET_ENOSYS : kill);
		n = zone(z, n, 0xc0000000u, UINT32_MAX - 1, NULL, kill);
		return zone(z, n, UINT32_MAX, UINT32_MAX, NULL, def);
	}
	n = zone(z, n, SP_X32_BIT, 0x7fffffffu, t32, 0);
	n = zone(z, n, 0x80000000u, 0xbfffffffu, NULL, stub64 ? SP_RET_ENOSYS : def);
	return zone(z, n, 0xc0000000u, UINT32_MAX, NULL, stub32 ? SP_RET_ENOSYS : def);
}

size_t sp_ruleset_zones(const struct sp_ruleset *rs, uint32_t audit, struct sp_zone *z)
{
	const struct sp_arch_rules *t = NULL;
	size_t n = 0;

	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch->audit == audit)
			t = &rs->arches[i];
	if (!t)
		return 0;
	if (find_by_base(rs, audit, true))
		return x86_64_zones(rs, audit, z);
	if (t->arch->nr_base == 0 && !strcmp(t->arch->name, "x86_64"))
		return x86_64_zones(rs, audit, z);
	/* s390(x): nr 0 is the multiplexer "setup" syscall; runc's stub gives
	 * it ENOSYS so unknown multiplexed numbers fail cleanly (§4.1.3). */
	if (t->enosys_max > 0 && !strncmp(t->arch->name, "s390", 4)) {
		n = zone(z, n, 0, 0, NULL, SP_RET_ENOSYS);
		return zone(z, n, 1, UINT32_MAX, t, 0);
	}
	return zone(z, n, 0, UINT32_MAX, t, 0);
}

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
	if (s->tree) {
		if (!tree_eval(s->tree, in, &ret, rule))
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

uint32_t sp_sysrule_eval(const struct sp_sysrule *s, const struct sp_arch *arch,
			 const secprof_data *in, uint32_t default_ret)
{
	const struct sp_rule *rule;
	const struct sp_crule *crule;

	return sysrule_walk(s, arch, in, default_ret, &rule, &crule);
}

static const struct sp_sysrule *find_nr(const struct sp_arch_rules *t, uint32_t nr)
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
				       z[i].ret == SP_RET_ENOSYS	 ? SECPROF_BY_ENOSYS
				       : z[i].ret == rs->default_ret ? SECPROF_BY_DEFAULT
								     : SECPROF_BY_ARCH);
		w->table = t;
		if ((w->sys = find_nr(t, nr))) {
			uint32_t ret = sysrule_walk(w->sys, t->arch, in, rs->default_ret, &w->rule,
						    &w->crule);
			return why_set(w, ret, w->rule ? SECPROF_BY_RULE : SECPROF_BY_DEFAULT);
		}
		if (t->enosys_max > 0 && nr > (uint32_t)t->enosys_max)
			return why_set(w, SP_RET_ENOSYS, SECPROF_BY_ENOSYS);
		return why_set(w, rs->default_ret, SECPROF_BY_DEFAULT);
	}
	return why_set(w, SP_RET_KILL_THREAD, SECPROF_BY_ARCH); /* act_badarch (docs/COMPAT.md §4.3) */
}

uint32_t sp_ruleset_decide(const struct sp_ruleset *rs, const secprof_data *in)
{
	struct sp_why w;

	return sp_ruleset_why(rs, in, &w);
}
