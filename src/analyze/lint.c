/* lint.c - secprof_lint: real mistakes in a profile, each read from the rule
 * set (docs/IR.md) and shown by a decision of it (secprof_ir_decide) where
 * a call can show it. The IDs and names below are stable: tests/lint pins
 * them, CI systems key on them through SARIF. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "core/util.h"
#include "profile/profile.h"
#include "profile/resolve.h"

/* X(ID, name, short description for SARIF's rule list) */
#define SP_LINT_RULES(X)                                                                                    \
	X(SP101, "arg-high-word",                                                                           \
	  "range or != test on an argument the kernel reads as 32 bits, passed by a call with a high word") \
	X(SP102, "arg-pointer-range",                                                                       \
	  "range or != test on a pointer argument: the process picks its addresses")                        \
	X(SP103, "condition-dropped",                                                                       \
	  "MASKED_EQ with a zero mask: libseccomp drops the condition")                                     \
	X(SP104, "value-too-wide", "a value that does not fit the argument's 32-bit type")                  \
	X(SP201, "dangerous-allow", "a dangerous call is allowed")                                          \
	X(SP301, "deny-list-gap", "a call is denied but an equivalent call is allowed")                     \
	X(SP302, "newer-call-eperm",                                                                        \
	  "a newer call fails with EPERM, so the C library does not fall back")                             \
	X(SP401, "shadowed-rule", "a rule never decides: an earlier or later rule does")                    \
	X(SP402, "rule-equals-default",                                                                     \
	  "a rule whose action is the default action: runc skips it")                                       \
	X(SP403, "overlap-tree-order",                                                                      \
	  "rules of different actions match one call: libseccomp's tree order picks the winner")            \
	X(SP501, "unknown-name", "a name that is a syscall on no arch")                                     \
	X(SP502, "non-go-arch", "includes/excludes.arches names no arch moby matches")                      \
	X(SP503, "missing-compat-arch",                                                                     \
	  "a compat arch of the native one is missing: its binaries are killed")                            \
	X(SP601, "runtime-start-denied", "a call runc makes after loading the filter is denied")

enum lint_id {
#define X_(id, name, desc) L_##id,
	SP_LINT_RULES(X_)
#undef X_
		L__COUNT
};

/* Strings inline, sized by the longest (SP101's text): no
 * relocation at load (docs/CONVENTIONS.md §18). */
static const struct {
	char id[6], name[21], desc[95];
} lint_rules[] = {
#define X_(id, name, desc) { #id, name, desc },
	SP_LINT_RULES(X_)
#undef X_
};

struct secprof_lint_report {
	struct sp_arena arena;
	struct sp_vec findings; /* secprof_finding */
	bool oom;
};

struct lint {
	secprof_ctx *ctx;
	const secprof_profile *p;
	const secprof_resolve_opts *ro;
	secprof_resolved *r;
	secprof_ir *ir;    /* as compiled (co) */
	secprof_ir *exact; /* libseccomp's: what runc loads */
	secprof_compile_opts exact_opts;
	const secprof_arch *native;
	uint32_t native_audit;
	struct secprof_lint_report *rep;
};

const char *secprof_severity_name(enum secprof_severity s)
{
	switch (s) {
	case SECPROF_SEV_NOTE: return "note";
	case SECPROF_SEV_WARNING: return "warning";
	case SECPROF_SEV_ERROR: return "error";
	}
	return NULL;
}

int secprof_severity_from_name(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "note") || !strcmp(name, "info"))
		return SECPROF_SEV_NOTE;
	if (!strcmp(name, "warning"))
		return SECPROF_SEV_WARNING;
	if (!strcmp(name, "error"))
		return SECPROF_SEV_ERROR;
	return -1;
}

static const char *dup_str(struct lint *l, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = sp_arena_strndup(&l->rep->arena, s, strlen(s))))
		l->rep->oom = true;
	return d;
}

static void add(struct lint *l, enum lint_id id, enum secprof_severity sev, const char *path,
		const struct sp_loc *loc, const char *example, const char *fmt, ...)
	SP_PRINTF(7, 8);

static void add(struct lint *l, enum lint_id id, enum secprof_severity sev, const char *path,
		const struct sp_loc *loc, const char *example, const char *fmt, ...)
{
	secprof_finding *f;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!(f = sp_vec_push(&l->rep->findings))) {
		l->rep->oom = true;
		return;
	}
	f->id = lint_rules[id].id;
	f->name = lint_rules[id].name;
	f->severity = sev;
	f->path = dup_str(l, path ? path : "");
	f->line = loc ? loc->line : 0;
	f->column = loc ? loc->col : 0;
	f->message = dup_str(l, msg);
	f->example = dup_str(l, example);
}

static const struct sp_rule *rule_at(const struct lint *l, size_t index)
{
	return index < l->p->nrules ? &l->p->rules[index] : NULL;
}

static size_t name_index(const struct sp_rule *rule, const char *name)
{
	for (size_t k = 0; k < rule->nnames; k++)
		if (rule->names[k].s && name && !strcmp(rule->names[k].s, name))
			return k;
	return 0;
}

/* Decide one call on the native arch; false when the name is not there. */
static bool decide(const secprof_ir *ir, const secprof_arch *arch, const char *name,
		   const uint64_t *args, secprof_ir_decision *d)
{
	secprof_arch_info info;
	secprof_data in = { 0 };

	secprof_arch_get_info(arch, &info);
	if ((in.nr = secprof_syscall_nr(arch, name)) < 0)
		return false;
	in.arch = info.audit;
	for (int i = 0; args && i < 6; i++)
		in.args[i] = args[i];
	return secprof_ir_decide(ir, &in, d, NULL, 0) == 0;
}

static void call_text(const char *name, const uint64_t *args, char *out, size_t len)
{
	struct sp_buf b = { 0 };
	secprof_data in = { 0 };

	for (int i = 0; args && i < 6; i++)
		in.args[i] = args[i];
	sp_call_text(&in, name, &b);
	snprintf(out, len, "%s", b.data ? b.data : name);
	sp_buf_free(&b);
}

/* Where a decision came from, as a finding's path and location. */
static void where(const struct lint *l, const secprof_ir_decision *d, const char *name, char *path,
		  size_t len, struct sp_loc *loc)
{
	const struct sp_rule *rule;

	if (d->by == SECPROF_BY_RULE && (rule = rule_at(l, d->rule.index))) {
		snprintf(path, len, "syscalls[%zu].names[%zu]", rule->index,
			 name_index(rule, name));
		*loc = rule->nnames ? rule->names[name_index(rule, name)].loc : rule->loc;
		return;
	}
	snprintf(path, len, "defaultAction");
	*loc = l->p->default_action.s ? l->p->default_action.loc : l->p->loc;
}

/* ---- SP101, SP104: 32-bit arguments ------------------------------------ */

/* The rule's conditions other than args[k] (and other than its index),
 * each given a value that passes it: an example call shows the rule
 * matching on every test but the one a finding is about. */
static void pass_others(const struct sp_rule *rule, size_t k, uint64_t *args)
{
	for (size_t o = 0; o < rule->nargs; o++) {
		const struct sp_arg *h = &rule->args[o];
		if (o == k || h->index >= 6 || h->index == rule->args[k].index)
			continue;
		args[h->index] = h->op == SP_OP_EQ               ? h->value
				 : h->op == SP_OP_GT             ? h->value + 1
				 : h->op == SP_OP_LT && h->value ? h->value - 1
				 : h->op == SP_OP_MASKED_EQ      ? h->value_two
								 : h->value;
	}
}

static void check_arg32(struct lint *l)
{
	uint32_t def = secprof_ir_default_action(l->ir);

	for (size_t i = 0; i < l->r->nrules; i++) {
		const struct sp_rule *rule = l->r->rules[i];
		bool looser = rule->action_ok &&
			      sp_action_rank(sp_rule_ret(rule)) > sp_action_rank(def);

		for (size_t n = 0; n < rule->nnames; n++) {
			uint8_t a32 = rule->names[n].s ? sp_syscall_arg32_of(rule->names[n].s) : 0;
			for (size_t k = 0; k < rule->nargs; k++) {
				const struct sp_arg *g = &rule->args[k];
				char path[SP_RULE_PATH_MAX], ex[128];
				uint64_t args[6] = { 0 }, hi = g->value >> 32;
				secprof_ir_decision d;

				if (g->index >= 6 || !(a32 >> g->index & 1))
					continue;
				sp_rule_path(path, sizeof(path), rule, "args", k, NULL);
				if (hi && !(hi == 0xffffffffu && (g->value & 0x80000000u)) &&
				    n == 0)
					add(l, L_SP104, SECPROF_SEV_WARNING, path, &g->loc, NULL,
					    "%s's argument %" PRIu64
					    " is read by the kernel as 32 bits, but the value %#" PRIx64
					    " has high word %#" PRIx64 ": no call carries it",
					    rule->names[n].s, g->index, g->value, hi);
				if (!looser ||
				    (g->op != SP_OP_GT && g->op != SP_OP_GE && g->op != SP_OP_NE))
					continue;
				/* a call whose low word fails the test as the kernel
				 * reads it, passed by libseccomp's 64-bit compare */
				uint32_t lo = (uint32_t)g->value;
				if (g->op == SP_OP_GE && !lo)
					continue;
				args[g->index] = (1ull << 32) | (g->op == SP_OP_GE ? lo - 1 : lo);
				/* the other conditions of the rule: their value where EQ */
				pass_others(rule, k, args);
				if (!l->exact ||
				    !decide(l->exact, l->native, rule->names[n].s, args, &d) ||
				    !sp_action_allows(d.action) || d.by != SECPROF_BY_RULE)
					continue;
				call_text(rule->names[n].s, args, ex, sizeof(ex));
				add(l, L_SP101, SECPROF_SEV_ERROR, path, &g->loc, ex,
				    "%s reads argument %" PRIu64
				    " as 32 bits, but libseccomp (runc, Docker) compares all 64: a call with a high word passes this %s test and the kernel sees the low word %#" PRIx32,
				    rule->names[n].s, g->index, sp_op_str(g->op),
				    (uint32_t)args[g->index]);
			}
		}
	}
}

/* ---- SP102: pointer arguments ------------------------------------------ */

/* A range or != test on an argument the kernel takes as a user-space
 * address, in a rule that allows more than the default: the process
 * chooses its addresses (mmap with MAP_FIXED anywhere below the top of
 * user space), so the test restricts nothing; seccomp cannot read what the
 * pointer points at (kernel/seccomp.c only hands struct seccomp_data to the
 * filter). The example call passes the test, checked on the rule set. */
static void check_argptr(struct lint *l)
{
	uint32_t def = secprof_ir_default_action(l->ir);

	for (size_t i = 0; i < l->r->nrules; i++) {
		const struct sp_rule *rule = l->r->rules[i];
		bool looser = rule->action_ok &&
			      sp_action_rank(sp_rule_ret(rule)) > sp_action_rank(def);

		for (size_t n = 0; looser && n < rule->nnames; n++) {
			uint8_t ptr = rule->names[n].s ? sp_syscall_argptr_of(rule->names[n].s) : 0;
			for (size_t k = 0; k < rule->nargs; k++) {
				const struct sp_arg *g = &rule->args[k];
				char path[SP_RULE_PATH_MAX], ex[128];
				uint64_t args[6] = { 0 };
				secprof_ir_decision d;

				if (g->index >= 6 || !(ptr >> g->index & 1) ||
				    (g->op != SP_OP_LT && g->op != SP_OP_LE && g->op != SP_OP_GT &&
				     g->op != SP_OP_GE && g->op != SP_OP_NE) ||
				    (g->op == SP_OP_LT && !g->value) ||
				    (g->op == SP_OP_GT && g->value == UINT64_MAX))
					continue;
				/* an address that passes the test */
				args[g->index] = g->op == SP_OP_LT ? g->value - 1
						 : g->op == SP_OP_GT || g->op == SP_OP_NE
							 ? g->value + 1
							 : g->value;
				pass_others(rule, k, args);
				if (!decide(l->ir, l->native, rule->names[n].s, args, &d) ||
				    !sp_action_allows(d.action) || d.by != SECPROF_BY_RULE)
					continue;
				sp_rule_path(path, sizeof(path), rule, "args", k, NULL);
				call_text(rule->names[n].s, args, ex, sizeof(ex));
				add(l, L_SP102, SECPROF_SEV_WARNING, path, &g->loc, ex,
				    "argument %" PRIu64
				    " of %s is a pointer: the process picks its addresses (mmap with MAP_FIXED), so this %s test restricts nothing, and seccomp cannot read what it points at",
				    g->index, rule->names[n].s, sp_op_str(g->op));
			}
		}
	}
}

/* ---- SP103, SP401, SP402, SP501: what the rule set left out ------------ */

static size_t nearest_name(const char *s, char *out, size_t len);

static bool covered_reason(enum secprof_reason r)
{
	return r == SECPROF_REASON_SHADOWED || r == SECPROF_REASON_REPLACED ||
	       r == SECPROF_REASON_REDUNDANT;
}

/* Whether rule `index` never decides `name`: in secprof's rule set and in
 * libseccomp's (l->exact, the one runc loads), on every arch of the filter
 * that has the name, another rule covers it. The two can differ: a test
 * that only holds on the low word (MASKED_EQ with mask 0xffffffff00000000
 * on a 32-bit argument) leaves a rule unconditional in secprof's low-word
 * rules, where it shadows a later rule, while libseccomp compares the high
 * word and lets that later rule replace it; removing the later rule as
 * "never deciding" would then open what it denied under runc. */
static bool covered_in(const secprof_ir *ir, size_t index, const char *name)
{
	size_t n;
	const secprof_ir_drop *drops = secprof_ir_drops(ir, &n);

	for (size_t ai = 0; ai < secprof_ir_arch_count(ir); ai++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(ir, ai);
		const secprof_arch *arch = secprof_arch_lookup(ia->name);
		bool found = false;

		if (!arch || secprof_syscall_nr(arch, name) < 0)
			continue;
		for (size_t i = 0; i < n && !found; i++)
			found = covered_reason(drops[i].reason) && !drops[i].via &&
				drops[i].rule.index == index && drops[i].name &&
				!strcmp(drops[i].name, name) &&
				(!drops[i].arch || !strcmp(drops[i].arch, ia->name));
		if (!found)
			return false;
	}
	return true;
}

/* Whether rule `index` never decides `name`: in secprof's rule set, in
 * libseccomp's (l->exact, the one runc loads) and in runc's for each
 * Docker that reads the profile otherwise (secprof_resolved_readings: a
 * rule one Docker skips as equal to the default no longer shadows a later
 * rule there), on every arch of the filter that has the name, another
 * rule covers it. They can differ: a test that only holds on the low word
 * (MASKED_EQ with mask 0xffffffff00000000 on a 32-bit argument) leaves a
 * rule unconditional in secprof's low-word rules, where it shadows a later
 * rule, while libseccomp compares the high word and lets that later rule
 * replace it; removing the later rule as "never deciding" would then open
 * what it denied under runc. */
static bool never_decides(const struct lint *l, size_t index, const char *name)
{
	static const unsigned readings[] = { SECPROF_READING_PODMAN, SECPROF_READING_MOBY,
					     SECPROF_READING_DOCKER20 };
	unsigned seen = secprof_resolved_readings(l->r);
	secprof_ctx *quiet;
	bool never;

	if (!l->exact || !covered_in(l->ir, index, name) || !covered_in(l->exact, index, name))
		return false;
	if (!seen)
		return true;
	if (!(quiet = secprof_ctx_new()))
		return false;
	never = true;
	for (size_t k = 0; never && k < sizeof(readings) / sizeof(readings[0]); k++) {
		secprof_compile_opts o = l->exact_opts;
		secprof_error e = { 0 };
		secprof_ir *ir;

		if (!(seen & readings[k]))
			continue;
		o.docker_reading = readings[k];
		ir = secprof_ir_build(quiet, l->r, &o, &e);
		never = ir && covered_in(ir, index, name);
		secprof_ir_free(ir);
	}
	secprof_ctx_free(quiet);
	return never;
}

/* Whether a name of `rule` is the highest number on some arch of the
 * filter, where runc's ENOSYS stub starts (findLastSyscalls counts rules
 * equal to the default too): "name on arch" into out. */
static bool stub_top(const struct lint *l, const struct sp_rule *rule, char *out, size_t len)
{
	for (size_t ai = 0; ai < secprof_ir_arch_count(l->ir); ai++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(l->ir, ai);
		const secprof_arch *arch = secprof_arch_lookup(ia->name);

		for (size_t n = 0; arch && ia->enosys_max >= 0 && n < rule->nnames; n++)
			if (rule->names[n].s &&
			    secprof_syscall_nr(arch, rule->names[n].s) == ia->enosys_max) {
				snprintf(out, len, "%s on %s", rule->names[n].s, ia->name);
				return true;
			}
	}
	return false;
}

/* Whether libseccomp (l->exact) drops condition `cond` of rule `index` on
 * some arch: secprof's low-word rules also drop a MASKED_EQ whose mask
 * holds only high bits of a 32-bit argument, which libseccomp still tests
 * on a 64-bit arch. */
static bool exact_drops_cond(const struct lint *l, size_t index, int cond)
{
	size_t n;
	const secprof_ir_drop *drops = l->exact ? secprof_ir_drops(l->exact, &n) : NULL;

	for (size_t i = 0; drops && i < n; i++)
		if (drops[i].reason == SECPROF_REASON_CONDITION_DROPPED &&
		    drops[i].rule.index == index && drops[i].cond == cond)
			return true;
	return false;
}

static void check_drops(struct lint *l)
{
	size_t n;
	const secprof_ir_drop *drops = secprof_ir_drops(l->ir, &n);

	for (size_t i = 0; i < n; i++) {
		const secprof_ir_drop *x = &drops[i];
		const struct sp_rule *rule = rule_at(l, x->rule.index);
		char path[96], near[64];
		bool again = false;

		if (!rule)
			continue;
		/* one finding per rule and name, not one per arch */
		for (size_t j = 0; j < i && !again; j++)
			again = drops[j].reason == x->reason &&
				drops[j].rule.index == x->rule.index && drops[j].cond == x->cond &&
				!drops[j].via == !x->via &&
				((!drops[j].name && !x->name) ||
				 (drops[j].name && x->name && !strcmp(drops[j].name, x->name)));
		if (again || x->via)
			continue;
		switch (x->reason) {
		case SECPROF_REASON_CONDITION_DROPPED:
			if (x->cond < 0 || (size_t)x->cond >= rule->nargs ||
			    !exact_drops_cond(l, x->rule.index, x->cond))
				break;
			sp_rule_path(path, sizeof(path), rule, "args", (size_t)x->cond, NULL);
			add(l, L_SP103, SECPROF_SEV_ERROR, path, &rule->args[x->cond].loc, NULL,
			    "SCMP_CMP_MASKED_EQ with mask 0 always holds: libseccomp drops the condition, so the rule applies to every value of argument %" PRIu64,
			    rule->args[x->cond].index);
			break;
		case SECPROF_REASON_SHADOWED:
		case SECPROF_REASON_REPLACED:
		case SECPROF_REASON_REDUNDANT:
			if (!x->name || !never_decides(l, x->rule.index, x->name))
				break;
			snprintf(path, sizeof(path), "syscalls[%zu].names[%zu]", rule->index,
				 name_index(rule, x->name));
			if (x->has_by)
				add(l, L_SP401, SECPROF_SEV_WARNING, path,
				    &rule->names[name_index(rule, x->name)].loc, NULL,
				    "this rule never decides %s: syscalls[%zu] (line %u) %s",
				    x->name, x->by.index, x->by.line,
				    x->reason == SECPROF_REASON_SHADOWED
					    ? "comes first and has no conditions"
				    : x->reason == SECPROF_REASON_REPLACED
					    ? "comes later without conditions and replaces it"
					    : "has the same conditions and action");
			else
				add(l, L_SP401, SECPROF_SEV_NOTE, path,
				    &rule->names[name_index(rule, x->name)].loc, NULL,
				    "this rule never decides %s: libseccomp prunes it as covered by another rule of the same action",
				    x->name);
			break;
		case SECPROF_REASON_EQUALS_DEFAULT:
			sp_rule_path(path, sizeof(path), rule, "action", SP_NO_INDEX, NULL);
			if (stub_top(l, rule, near, sizeof(near)))
				add(l, L_SP402, SECPROF_SEV_NOTE, path, &rule->action.loc, NULL,
				    "the action equals the default action: runc skips the rule (its conditions, if any, change nothing), but its names still count for runc's ENOSYS stub, which starts above %s: without the rule, calls above a lower number may get the default action instead of ENOSYS",
				    near);
			else
				add(l, L_SP402, SECPROF_SEV_NOTE, path, &rule->action.loc, NULL,
				    "the action equals the default action: runc skips the rule (its conditions, if any, change nothing)");
			break;
		case SECPROF_REASON_UNKNOWN_NAME:
			if (!x->name || secprof_syscall_known(x->name))
				break;
			snprintf(path, sizeof(path), "syscalls[%zu].names[%zu]", rule->index,
				 name_index(rule, x->name));
			if (nearest_name(x->name, near, sizeof(near)))
				add(l, L_SP501, SECPROF_SEV_ERROR, path,
				    &rule->names[name_index(rule, x->name)].loc, NULL,
				    "\"%s\" is a syscall on no arch, so the rule does nothing for it; did you mean \"%s\"?",
				    x->name, near);
			else
				add(l, L_SP501, SECPROF_SEV_ERROR, path,
				    &rule->names[name_index(rule, x->name)].loc, NULL,
				    "\"%s\" is a syscall on no arch, so the rule does nothing for it",
				    x->name);
			break;
		default: break;
		}
	}
}

/* Edit distance with transpositions (optimal string alignment). */
static size_t edit(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), d[40][40];

	if (n >= 40 || m >= 40)
		return 99;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[n][m];
}

static size_t nearest_name(const char *s, char *out, size_t len)
{
	size_t best = 99;
	const char *bn = NULL;

	for (size_t i = 0; i < secprof_syscall_count(); i++) {
		const char *c = secprof_syscall_name_at(i);
		size_t e = edit(s, c);
		if (e < best) {
			best = e;
			bn = c;
		}
	}
	if (!bn || best > 2 || best * 3 > strlen(s))
		return 0;
	snprintf(out, len, "%s", bn);
	return best;
}

/* ---- SP201: dangerous allows ------------------------------------------- */

/* Strings inline (the longest names "open_by_handle_at" and
 * "process_vm_writev", the longest why
 * clone's): no relocation at load (docs/CONVENTIONS.md §18). */
struct danger {
	char name[18];
	int cap, cap2; /* a capability that makes it work (-1: none needed) */
	uint64_t args[6];
	char why[156];
};

#define CAP_DAC_READ_SEARCH 2
#define CAP_SYS_MODULE 16
#define CAP_SYS_PTRACE 19
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_PERFMON 38
#define CAP_BPF 39
#define NS_FLAGS 0x7e020000ull /* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */

static const struct danger dangers[] = {
	{ "mount", CAP_SYS_ADMIN, -1, { 0 }, "mounts filesystems" },
	{ "fsopen", CAP_SYS_ADMIN, -1, { 0 }, "the new mount API" },
	{ "fsmount", CAP_SYS_ADMIN, -1, { 0 }, "the new mount API" },
	{ "move_mount", CAP_SYS_ADMIN, -1, { 0 }, "the new mount API" },
	{ "open_tree", CAP_SYS_ADMIN, -1, { 0 }, "the new mount API" },
	{ "pivot_root", CAP_SYS_ADMIN, -1, { 0 }, "changes the root filesystem" },
	{ "unshare",
	  -1,
	  -1,
	  { 0x10000000 },
	  "CLONE_NEWUSER: a new user namespace with every capability in it, and the kernel attack surface behind it" },
	{ "clone",
	  -1,
	  -1,
	  { 0x10000000 | 17 },
	  "CLONE_NEWUSER: a new user namespace with every capability in it" },
	{ "setns", CAP_SYS_ADMIN, -1, { 0 }, "joins another namespace" },
	{ "bpf", CAP_SYS_ADMIN, CAP_BPF, { 0 }, "loads BPF programs into the kernel" },
	{ "userfaultfd",
	  -1,
	  -1,
	  { 0 },
	  "stalls kernel page faults at will, a common exploit primitive" },
	{ "perf_event_open",
	  CAP_PERFMON,
	  CAP_SYS_ADMIN,
	  { 0 },
	  "reads performance counters and kernel addresses" },
	{ "keyctl", -1, -1, { 0 }, "the kernel keyring, not namespaced" },
	{ "add_key", -1, -1, { 0 }, "the kernel keyring, not namespaced" },
	{ "request_key", -1, -1, { 0 }, "the kernel keyring, not namespaced" },
	{ "ptrace",
	  CAP_SYS_PTRACE,
	  -1,
	  { 0 },
	  "reads and writes other processes (of the same user without the capability)" },
	{ "process_vm_readv", CAP_SYS_PTRACE, -1, { 0 }, "reads other processes' memory" },
	{ "process_vm_writev", CAP_SYS_PTRACE, -1, { 0 }, "writes other processes' memory" },
	{ "io_uring_setup",
	  -1,
	  -1,
	  { 0 },
	  "io_uring, a large attack surface that bypasses later seccomp checks" },
	{ "open_by_handle_at",
	  CAP_DAC_READ_SEARCH,
	  -1,
	  { 0 },
	  "opens host files by handle (the shocker escape)" },
	{ "kexec_load", CAP_SYS_BOOT, -1, { 0 }, "loads a new kernel" },
	{ "kexec_file_load", CAP_SYS_BOOT, -1, { 0 }, "loads a new kernel" },
	{ "init_module", CAP_SYS_MODULE, -1, { 0 }, "loads kernel modules" },
	{ "finit_module", CAP_SYS_MODULE, -1, { 0 }, "loads kernel modules" },
	{ "delete_module", CAP_SYS_MODULE, -1, { 0 }, "unloads kernel modules" },
	{ "clone3",
	  -1,
	  -1,
	  { 0 },
	  "its flags (CLONE_NEWUSER: a new user namespace with every capability in it) sit in memory "
	  "no filter can read, which is why moby's default answers it ENOSYS" },
	{ "socket", -1, -1, { 38 }, "AF_ALG: the kernel crypto API, a frequent source of exploits" },
	{ "socket", -1, -1, { 40 }, "AF_VSOCK: talks to the hypervisor" },
};

static bool has_cap(const struct lint *l, int cap)
{
	return cap >= 0 && (l->ro->caps >> cap & 1);
}

/* Whether a call under ret may run: ALLOW and LOG run it, and TRACE
 * runs it once a tracer takes the PTRACE_EVENT_SECCOMP stop and leaves
 * the number alone (kernel/seccomp.c __seccomp_filter rechecks and goes
 * on). Any process that may ptrace the task can be that tracer, its
 * parent in the same container included (Docker's default allows ptrace
 * from kernel 4.8), so a dangerous call under TRACE is as good as
 * allowed. USER_NOTIF is left out: its supervisor sits outside the
 * container, set up by whoever runs it. */
static bool may_run(uint32_t ret)
{
	return sp_action_allows(ret) || (ret & 0xffff0000u) == 0x7ff00000u;
}

/* An input that meets every condition of chain c (NE: value + 1, LT:
 * value - 1; MASKED_EQ: the datum), the danger's arguments OR-ed in: a
 * chain that allows unshare for `arg0 != 0x10000000` allows
 * unshare(0x10000001) too, with CLONE_NEWUSER in it. false where two
 * conditions of one argument want different values. */
static bool chain_example(const secprof_ir_chain *c, const uint64_t *base, uint64_t args[6])
{
	bool set[6] = { false };

	for (int i = 0; i < 6; i++)
		args[i] = 0;
	for (size_t k = 0; k < c->nconds; k++) {
		const secprof_ir_cond *q = &c->conds[k];
		uint64_t v = q->value;
		if (q->arg >= 6)
			return false;
		if (!strcmp(q->op, "SCMP_CMP_NE") || !strcmp(q->op, "SCMP_CMP_GT"))
			v = q->value + 1;
		else if (!strcmp(q->op, "SCMP_CMP_LT"))
			v = q->value ? q->value - 1 : 0;
		else if (!strcmp(q->op, "SCMP_CMP_MASKED_EQ"))
			v = q->value_two;
		if (set[q->arg] && args[q->arg] != v)
			return false;
		set[q->arg] = true;
		args[q->arg] = v;
	}
	for (int i = 0; base && i < 6; i++)
		args[i] |= base[i];
	return true;
}

/* Whether name may run on arch for the danger's arguments, or for those of
 * an example of one of its conditional rules with them OR-ed in (an
 * argument rule wider than the one value tried). *used gets the arguments
 * that did. */
static bool danger_runs(const secprof_ir *ir, const secprof_arch *arch, const struct danger *x,
			secprof_ir_decision *d, uint64_t used[6])
{
	secprof_arch_info info;
	int32_t nr = secprof_syscall_nr(arch, x->name);
	/* socket's family is one value, not flags: no OR with an example */
	bool flags = strcmp(x->name, "socket") != 0;

	memcpy(used, x->args, sizeof(x->args));
	if (decide(ir, arch, x->name, x->args, d) && may_run(d->action))
		return true;
	secprof_arch_get_info(arch, &info);
	for (size_t ai = 0; flags && nr >= 0 && ai < secprof_ir_arch_count(ir); ai++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(ir, ai);
		if (strcmp(ia->name, info.name))
			continue;
		for (size_t i = 0; i < ia->nsyscalls; i++) {
			const secprof_ir_syscall *sc = &ia->syscalls[i];
			if (sc->nr != (nr | (int32_t)info.nr_base) && sc->nr != nr)
				continue;
			/* no unshare flag is above bit 31: the kernel refuses a
			 * call with one (EINVAL, check_unshare_flags); clone reads
			 * the low 32 bits of its flags (kernel/fork.c), so there a
			 * high word passes */
			for (size_t k = 0; sc->conditional && k < sc->nchains; k++)
				if (may_run(sc->chains[k].action) &&
				    chain_example(&sc->chains[k], x->args, used) &&
				    (!(used[0] >> 32) || !strcmp(x->name, "clone")) &&
				    decide(ir, arch, x->name, used, d) && may_run(d->action))
					return true;
		}
	}
	return false;
}

/* The first arch of the filter (the native one first) on which the
 * program secprof compiles, or the one runc loads (libseccomp's), allows
 * the call: a compat arch is as reachable as the native one (int 0x80 from
 * any x86_64 process), and its rules may differ (libseccomp compares only
 * low words there). NULL when none does. */
static const secprof_arch *danger_arch(const struct lint *l, const struct danger *x,
				       secprof_ir_decision *d, uint64_t used[6])
{
	const secprof_ir *irs[2] = { l->ir, l->exact };

	for (size_t ai = 0; ai <= secprof_ir_arch_count(l->ir); ai++) {
		const secprof_arch *arch =
			ai ? secprof_arch_lookup(secprof_ir_arch_at(l->ir, ai - 1)->name)
			   : l->native;

		if (!arch || (ai && arch == l->native))
			continue;
		for (size_t k = 0; k < 2; k++)
			if (irs[k] && danger_runs(irs[k], arch, x, d, used))
				return arch;
	}
	return NULL;
}

/* socket's family on an arch that multiplexes socket calls (i386, s390,
 * ppc): behind socketcall's pointer, which no filter reads, so a
 * socketcall(SYS_SOCKET) that may run opens any family. */
static const secprof_arch *socketcall_arch(const struct lint *l, secprof_ir_decision *d)
{
	const secprof_ir *irs[2] = { l->ir, l->exact };
	static const uint64_t sys_socket[6] = { 1 };

	for (size_t ai = 0; ai < secprof_ir_arch_count(l->ir); ai++) {
		const secprof_arch *arch = secprof_arch_lookup(secprof_ir_arch_at(l->ir, ai)->name);
		for (size_t k = 0; arch && k < 2; k++)
			if (irs[k] && decide(irs[k], arch, "socketcall", sys_socket, d) &&
			    may_run(d->action))
				return arch;
	}
	return NULL;
}

static void check_dangers(struct lint *l)
{
	bool socketcall_said = false;

	for (size_t i = 0; i < sizeof(dangers) / sizeof(dangers[0]); i++) {
		const struct danger *x = &dangers[i];
		const secprof_arch *arch;
		secprof_arch_info info;
		secprof_ir_decision d;
		char path[96], ex[128], on[48] = "", how[96] = "is allowed";
		struct sp_loc loc;
		enum secprof_severity sev;
		bool granted;

		uint64_t used[6];
		const char *name = x->name;

		if (!(arch = danger_arch(l, x, &d, used))) {
			/* said once for every family */
			if (strcmp(x->name, "socket") || socketcall_said ||
			    !(arch = socketcall_arch(l, &d)))
				continue;
			socketcall_said = true;
			name = "socketcall";
			memset(used, 0, sizeof(used));
			used[0] = 1; /* SYS_SOCKET; the family behind its pointer */
		}
		if (arch != l->native) {
			secprof_arch_get_info(arch, &info);
			snprintf(on, sizeof(on), " on %s", info.name);
		}
		if (!sp_action_allows(d.action))
			snprintf(
				how, sizeof(how),
				"runs under a tracer (SCMP_ACT_TRACE; any process that may ptrace it)");
		granted = x->cap < 0 || has_cap(l, x->cap) || has_cap(l, x->cap2);
		sev = x->cap < 0 ? SECPROF_SEV_WARNING
		      : granted  ? SECPROF_SEV_ERROR
				 : SECPROF_SEV_NOTE;
		where(l, &d, name, path, sizeof(path), &loc);
		call_text(name, used, ex, sizeof(ex));
		if (name != x->name)
			add(l, L_SP201, sev, path, &loc, ex,
			    "socketcall(SYS_SOCKET) %s%s, and the family it opens sits behind "
			    "its pointer, which no filter reads: any family, AF_ALG (the kernel "
			    "crypto API) and AF_VSOCK (the hypervisor) too; no capability is "
			    "needed",
			    how, on);
		else if (x->cap < 0)
			add(l, L_SP201, sev, path, &loc, ex, "%s %s%s: %s; no capability is needed",
			    x->name, how, on, x->why);
		else
			add(l, L_SP201, sev, path, &loc, ex, "%s %s%s: %s; %s", x->name, how, on,
			    x->why,
			    granted ? "the container holds the capability it needs"
				    : "the container lacks the capability it needs, so only the kernel's check stands");
	}
}

/* ---- SP301: deny-lists that miss equivalent calls ------------------------ */

/* Each group ends at its first "" (names inline: "fchmodat2" and the
 * others of 9 letters are the longest). */
static const char groups[][8][10] = {
	{ "chmod", "fchmod", "fchmodat", "fchmodat2" },
	{ "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32" },
	{ "open", "openat", "openat2", "creat" },
	{ "rename", "renameat", "renameat2" },
	{ "unlink", "unlinkat", "rmdir" },
	{ "execve", "execveat" },
	{ "link", "linkat", "symlink", "symlinkat" },
	{ "mkdir", "mkdirat" },
	{ "mknod", "mknodat" },
	{ "utime", "utimes", "utimensat", "futimesat" },
	{ "dup2", "dup3" },
};

/* socketcall(2) / ipc(2) numbers (include/uapi/linux/net.h, ipc/syscall.c) */
static const struct {
	char name[8], mux[11];
	uint64_t call;
} muxed[] = {
	{ "socket", "socketcall", 1 },  { "bind", "socketcall", 2 },
	{ "connect", "socketcall", 3 }, { "listen", "socketcall", 4 },
	{ "accept", "socketcall", 5 },  { "semget", "ipc", 2 },
	{ "msgget", "ipc", 13 },        { "shmget", "ipc", 23 },
};

static bool denied_by_rule(const secprof_ir_decision *d)
{
	/* ERRNO(ENOSYS) is how a profile hides a call the C library replaces */
	return d->by == SECPROF_BY_RULE && !sp_action_allows(d->action) && d->action != 0x50026u;
}

static void check_groups(struct lint *l)
{
	for (size_t ai = 0; ai < secprof_ir_arch_count(l->ir); ai++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(l->ir, ai);
		const secprof_arch *arch = secprof_arch_lookup(ia->name);

		if (!arch)
			continue;
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			const char *deny = NULL, *allow = NULL;
			secprof_ir_decision dd = { 0 }, d;
			for (size_t k = 0; k < 8 && groups[g][k][0]; k++) {
				if (!decide(l->ir, arch, groups[g][k], NULL, &d))
					continue;
				if (!deny && denied_by_rule(&d)) {
					deny = groups[g][k];
					dd = d;
				} else if (!allow && sp_action_allows(d.action)) {
					allow = groups[g][k];
				}
			}
			if (deny && allow) {
				char path[96], ex[64], act[32];
				struct sp_loc loc;
				where(l, &dd, deny, path, sizeof(path), &loc);
				call_text(allow, NULL, ex, sizeof(ex));
				add(l, L_SP301, SECPROF_SEV_ERROR, path, &loc, ex,
				    "%s is denied (%s) but %s, which does the same, is allowed on %s",
				    deny, secprof_action_str(dd.action, act, sizeof(act)), allow,
				    ia->name);
			}
		}
		for (size_t m = 0; m < sizeof(muxed) / sizeof(muxed[0]); m++) {
			secprof_ir_decision d, dm;
			uint64_t args[6] = { muxed[m].call };
			if (!decide(l->ir, arch, muxed[m].name, NULL, &d) || !denied_by_rule(&d) ||
			    !decide(l->ir, arch, muxed[m].mux, args, &dm) ||
			    !sp_action_allows(dm.action))
				continue;
			char path[96], ex[64], act[32];
			struct sp_loc loc;
			where(l, &d, muxed[m].name, path, sizeof(path), &loc);
			call_text(muxed[m].mux, args, ex, sizeof(ex));
			add(l, L_SP301, SECPROF_SEV_ERROR, path, &loc, ex,
			    "%s is denied (%s) but %s(%" PRIu64
			    ", ...), which makes the same call, is allowed on %s",
			    muxed[m].name, secprof_action_str(d.action, act, sizeof(act)),
			    muxed[m].mux, muxed[m].call, ia->name);
		}
	}
}

/* ---- SP302: newer calls failing with EPERM ------------------------------- */

/* Calls the C library (glibc) or Go tries first and replaces with the
 * older one only when the kernel answers ENOSYS. */
static const char newer[][2][12] = {
	{ "clone3", "clone" },      { "openat2", "openat" },   { "faccessat2", "faccessat" },
	{ "close_range", "close" }, { "statx", "newfstatat" }, { "fchmodat2", "fchmodat" },
	{ "preadv2", "preadv" },    { "pwritev2", "pwritev" },
};

static void check_newer(struct lint *l)
{
	for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]); i++) {
		secprof_ir_decision dn, dold;
		char path[96], ex[64], act[32];
		struct sp_loc loc;

		if (!decide(l->ir, l->native, newer[i][0], NULL, &dn) ||
		    !decide(l->ir, l->native, newer[i][1], NULL, &dold) ||
		    (dn.action & 0xffff0000u) != 0x50000u || (dn.action & 0xffffu) == 38 ||
		    !sp_action_allows(dold.action))
			continue;
		where(l, &dn, newer[i][0], path, sizeof(path), &loc);
		call_text(newer[i][0], NULL, ex, sizeof(ex));
		add(l, L_SP302, SECPROF_SEV_WARNING, path, &loc, ex,
		    "%s fails with %s while %s is allowed: glibc and Go fall back to the older call only on ENOSYS, so programs break; deny it with errnoRet 38",
		    newer[i][0], secprof_action_str(dn.action, act, sizeof(act)), newer[i][1]);
	}
}

/* ---- SP403: rules of different actions that match one call -------------- */

static void check_overlap(struct lint *l)
{
	const secprof_ir_arch *ia = secprof_ir_arch_count(l->ir) ? secprof_ir_arch_at(l->ir, 0)
								 : NULL;

	for (size_t s = 0; ia && s < ia->nsyscalls; s++) {
		const secprof_ir_syscall *sc = &ia->syscalls[s];
		bool found = false;

		if (!sc->word_tree)
			continue;
		for (size_t c1 = 0; c1 < sc->nchains && !found; c1++)
			for (size_t c2 = c1 + 1; c2 < sc->nchains && !found; c2++) {
				const secprof_ir_chain *x = &sc->chains[c1], *y = &sc->chains[c2];
				secprof_data in = { .nr = sc->nr, .arch = ia->audit };
				int failed[64];
				secprof_ir_decision d;

				if (x->action == y->action || x->via || y->via || sc->nchains > 64)
					continue;
				/* a call meeting both: each condition's own value,
				 * stepped into its range */
				for (int pass = 0; pass < 2; pass++)
					for (size_t k = 0; k < (pass ? y : x)->nconds; k++) {
						const secprof_ir_cond *c =
							&(pass ? y : x)->conds[k];
						uint64_t v = c->value;
						if (!strcmp(c->op, "SCMP_CMP_GT"))
							v++;
						else if (!strcmp(c->op, "SCMP_CMP_LT"))
							v--;
						else if (!strcmp(c->op, "SCMP_CMP_NE"))
							v = ~v;
						else if (!strcmp(c->op, "SCMP_CMP_MASKED_EQ"))
							v = c->value_two |
							    (in.args[c->arg] & ~c->value);
						in.args[c->arg] = v;
					}
				if (secprof_ir_decide(l->ir, &in, &d, failed, 64) < 0 ||
				    failed[c1] != -1 || failed[c2] != -1)
					continue;
				found = true;
				{
					const struct sp_rule *rule = rule_at(l, y->src.index);
					/* a buffer per action: the arguments of one
					 * call are evaluated in no set order (gcc and
					 * clang printed different, wrong actions when
					 * two shared one) */
					char path[96], ex[128], a1[32], a2[32], a3[32];
					struct sp_buf b = { 0 };
					if (!rule)
						continue;
					sp_call_text(&in, sc->name, &b);
					snprintf(ex, sizeof(ex), "%s", b.data ? b.data : "");
					sp_buf_free(&b);
					sp_rule_path(path, sizeof(path), rule, NULL, SP_NO_INDEX,
						     NULL);
					add(l, L_SP403, SECPROF_SEV_WARNING, path, &rule->loc, ex,
					    "this rule (%s) and syscalls[%zu] (%s) both match one %s call: libseccomp's argument tree, not the order in the file, decides it is %s",
					    secprof_action_str(y->action, a1, sizeof(a1)),
					    x->src.index,
					    secprof_action_str(x->action, a2, sizeof(a2)), sc->name,
					    secprof_action_str(d.action, a3, sizeof(a3)));
				}
			}
	}
}

/* ---- SP502, SP503: arches --------------------------------------------- */

static bool go_arch(const char *s)
{
	for (size_t i = 0; s && i < secprof_arch_count(); i++) {
		secprof_arch_info info;
		secprof_arch_get_info(secprof_arch_at(i), &info);
		if (info.go && !strcmp(info.go, s))
			return true;
	}
	return false;
}

static void check_arch_filter(struct lint *l, const struct sp_rule *rule, const struct sp_filter *f,
			      const char *field)
{
	bool any_ok = false;

	for (size_t k = 0; k < f->narches; k++)
		any_ok |= go_arch(f->arches[k].s);
	for (size_t k = 0; k < f->narches; k++) {
		const char *s = f->arches[k].s;
		const secprof_arch *a;
		secprof_arch_info info;
		char path[96];

		if (!s || go_arch(s))
			continue;
		snprintf(path, sizeof(path), "syscalls[%zu].%s.arches[%zu]", rule->index, field, k);
		a = secprof_arch_lookup(s);
		if (a)
			secprof_arch_get_info(a, &info);
		if (a && info.go)
			add(l, L_SP502, any_ok ? SECPROF_SEV_WARNING : SECPROF_SEV_ERROR, path,
			    &f->arches[k].loc, NULL,
			    "moby matches arches against Go's names: \"%s\" never matches; did you mean \"%s\"?",
			    s, info.go);
		else
			add(l, L_SP502, any_ok ? SECPROF_SEV_NOTE : SECPROF_SEV_ERROR, path,
			    &f->arches[k].loc, NULL,
			    "moby matches arches against Go's names: \"%s\" is none, so it never matches",
			    s);
	}
}

static void check_arches(struct lint *l)
{
	/* "" ends a row; inline, as the tables above */
	static const char compat[][3][12] = {
		{ "x86_64", "x86", "x32" }, { "aarch64", "arm" },          { "s390x", "s390" },
		{ "mips64", "mips64n32" },  { "mipsel64", "mipsel64n32" },
	};

	for (size_t i = 0; i < l->p->nrules; i++) {
		check_arch_filter(l, &l->p->rules[i], &sp_rule_x(&l->p->rules[i])->includes,
				  "includes");
		check_arch_filter(l, &l->p->rules[i], &sp_rule_x(&l->p->rules[i])->excludes,
				  "excludes");
	}
	for (size_t c = 0; c < sizeof(compat) / sizeof(compat[0]); c++) {
		if (strcmp(secprof_arch_name(l->native), compat[c][0]))
			continue;
		for (size_t k = 1; k < 3 && compat[c][k][0]; k++) {
			bool have = false;
			for (size_t ai = 0; ai < secprof_ir_arch_count(l->ir); ai++)
				have |= !strcmp(secprof_ir_arch_at(l->ir, ai)->name, compat[c][k]);
			if (have)
				continue;
			add(l, L_SP503, SECPROF_SEV_WARNING,
			    l->p->narchmap ? "archMap" : "architectures",
			    l->p->narchmap ? &l->p->archmap_loc : &l->p->loc, NULL,
			    "the filter has no %s arch: every %s binary is killed at its first system call (add it as a subArchitecture of %s)",
			    compat[c][k], compat[c][k], compat[c][0]);
		}
	}
}

/* ---- SP601: what runc needs after loading the filter --------------------- */

/* The calls runc or crun cannot do without after loading the filter, as
 * Docker and Podman run them by default (without no-new-privileges): the
 * fatal rows of the runtimes' table (src/analyze/runtime.c). A deny of
 * any of these stops every such container. */
static bool runtime_needs(size_t i, const char **name)
{
	const secprof_runtime_call *c = sp_runtime_row_at(i);

	*name = NULL;
	if (!c || !c->fatal || sp_runtime_is(c, "secprof"))
		return c != NULL;
	/* once per name, at its first row */
	for (size_t k = 0; k < i; k++) {
		const secprof_runtime_call *e = sp_runtime_row_at(k);
		if (e->fatal && !sp_runtime_is(e, "secprof") && !strcmp(e->syscall, c->syscall))
			return true;
	}
	*name = c->syscall;
	return true;
}

static void check_runtime(struct lint *l)
{
	secprof_ir_decision first = { 0 };
	const char *first_name = NULL, *name;
	char names[512] = "", path[96], ex[64], act[32];
	struct sp_loc loc;
	size_t n = 0;

	for (size_t i = 0; runtime_needs(i, &name); i++) {
		secprof_ir_decision d;

		if (!name || !decide(l->ir, l->native, name, NULL, &d) ||
		    sp_action_allows(d.action))
			continue;
		if (!n++) {
			first = d;
			first_name = name;
		}
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 n > 1 ? ", " : "", name);
	}
	if (!n)
		return;
	where(l, &first, first_name, path, sizeof(path), &loc);
	call_text(first_name, NULL, ex, sizeof(ex));
	add(l, L_SP601, SECPROF_SEV_ERROR, path, &loc, ex,
	    "%s %s denied (%s first), but runc or crun call %s after loading the filter: docker run and podman run start no container under this profile",
	    names, n > 1 ? "are" : "is", secprof_action_str(first.action, act, sizeof(act)),
	    n > 1 ? "them" : "it");
}

/* ---- the report -------------------------------------------------------- */

/* A finding and where the checks reported it: the report's order is by
 * place and ID, then the checks' own (two SP201 on one defaultAction, one
 * per syscall). qsort need not keep equal elements in order (glibc's
 * mergesort did, musl's smoothsort and glibc 2.37's introsort do not), so
 * the index breaks the tie. */
struct ranked_finding {
	secprof_finding f;
	size_t index;
};

static int cmp_finding(const void *x, const void *y)
{
	const struct ranked_finding *ra = x, *rb = y;
	const secprof_finding *a = &ra->f, *b = &rb->f;
	int c;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = strcmp(a->id, b->id)))
		return c;
	return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/* false on ENOMEM (the report is left as it was) */
static bool sort_findings(struct sp_vec *v)
{
	secprof_finding *f = v->items;
	struct ranked_finding *r = v->len ? malloc(v->len * sizeof(*r)) : NULL;

	if (v->len && !r)
		return false;
	for (size_t i = 0; i < v->len; i++)
		r[i] = (struct ranked_finding){ f[i], i };
	if (v->len)
		qsort(r, v->len, sizeof(*r), cmp_finding);
	for (size_t i = 0; i < v->len; i++)
		f[i] = r[i].f;
	free(r);
	return true;
}

secprof_lint_report *secprof_lint(secprof_ctx *ctx, const secprof_profile *p,
				  const secprof_resolve_opts *ro, const secprof_compile_opts *co,
				  secprof_error *err)
{
	struct lint l = { .ctx = ctx, .p = p, .ro = ro };
	secprof_compile_opts exact = { 0 };
	secprof_arch_info info;

	if (!ctx || !p || !ro || !co) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "secprof_lint: NULL argument");
		return NULL;
	}
	if (!(l.rep = calloc(1, sizeof(*l.rep)))) {
		sp_err_oom(err);
		return NULL;
	}
	l.rep->findings.item_size = sizeof(secprof_finding);
	if (!(l.r = secprof_resolve(ctx, p, ro, err)))
		goto fail;
	if (secprof_resolved_unconfined(l.r))
		goto done; /* nothing is filtered: nothing to lint */
	if (!(l.ir = secprof_ir_build(ctx, l.r, co, err)))
		goto fail;
	exact = *co;
	exact.exact_libseccomp = true;
	l.exact_opts = exact;
	l.exact = secprof_ir_build(ctx, l.r, &exact, err); /* same refusals: cannot fail here */
	l.native = secprof_ir_arch_count(l.ir)
			   ? secprof_arch_lookup(secprof_ir_arch_at(l.ir, 0)->name)
			   : NULL;
	if (!l.native)
		l.native = secprof_arch_native();
	secprof_arch_get_info(l.native, &info);
	l.native_audit = info.audit;
	check_drops(&l);
	check_arg32(&l);
	check_argptr(&l);
	check_dangers(&l);
	check_groups(&l);
	check_newer(&l);
	check_overlap(&l);
	check_arches(&l);
	check_runtime(&l);
	if (!sort_findings(&l.rep->findings))
		l.rep->oom = true;
done:
	secprof_ir_free(l.exact);
	secprof_ir_free(l.ir);
	secprof_resolved_free(l.r);
	if (l.rep->oom) {
		sp_err_oom(err);
		secprof_lint_report_free(l.rep);
		return NULL;
	}
	return l.rep;
fail:
	secprof_ir_free(l.ir);
	secprof_resolved_free(l.r);
	secprof_lint_report_free(l.rep);
	return NULL;
}

size_t secprof_lint_count(const secprof_lint_report *r)
{
	return r ? r->findings.len : 0;
}

const secprof_finding *secprof_lint_at(const secprof_lint_report *r, size_t i)
{
	return r && i < r->findings.len ? (const secprof_finding *)r->findings.items + i : NULL;
}

void secprof_lint_report_free(secprof_lint_report *r)
{
	if (!r)
		return;
	sp_vec_free(&r->findings);
	sp_arena_free(&r->arena);
	free(r);
}

static const char *sarif_level(enum secprof_severity s)
{
	return s == SECPROF_SEV_ERROR ? "error" : s == SECPROF_SEV_WARNING ? "warning" : "note";
}

int secprof_lint_format(const secprof_lint_report *r, const char *file,
			enum secprof_lint_format fmt, enum secprof_severity min, char **out,
			secprof_error *err)
{
	struct sp_buf b = { 0 };
	size_t shown = 0;

	if (!file)
		file = "";
	if (fmt == SECPROF_LINT_SARIF) {
		sp_buf_puts(
			&b,
			"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
			"  \"version\": \"2.1.0\",\n  \"runs\": [{\n    \"tool\": {\"driver\": {"
			"\"name\": \"secprof\", \"rules\": [");
		for (size_t i = 0; i < L__COUNT; i++) {
			sp_buf_printf(&b, "%s\n      {\"id\": \"%s\", \"name\": ", i ? "," : "",
				      lint_rules[i].id);
			sp_buf_json_str(&b, lint_rules[i].name);
			sp_buf_puts(&b, ", \"shortDescription\": {\"text\": ");
			sp_buf_json_str(&b, lint_rules[i].desc);
			sp_buf_puts(&b, "}}");
		}
		sp_buf_puts(&b, "]}},\n    \"results\": [");
	} else if (fmt == SECPROF_LINT_JSON) {
		sp_buf_puts(&b, "[");
	}
	for (size_t i = 0; r && i < r->findings.len; i++) {
		const secprof_finding *f = (const secprof_finding *)r->findings.items + i;
		size_t rule_index = 0;

		if (f->severity < min)
			continue;
		for (size_t k = 0; k < L__COUNT; k++)
			if (!strcmp(lint_rules[k].id, f->id))
				rule_index = k;
		if (fmt == SECPROF_LINT_TEXT) {
			sp_buf_printf(&b, "%s%s%u:%u: %s %s %s: %s", file, *file ? ":" : "",
				      f->line, f->column, secprof_severity_name(f->severity), f->id,
				      *f->path ? f->path : "(profile)", f->message);
			if (f->example)
				sp_buf_printf(&b, "  e.g. %s", f->example);
			sp_buf_puts(&b, "\n");
		} else if (fmt == SECPROF_LINT_JSON) {
			sp_buf_printf(
				&b,
				"%s\n  {\"id\": \"%s\", \"name\": \"%s\", \"severity\": \"%s\", \"path\": ",
				shown ? "," : "", f->id, f->name,
				secprof_severity_name(f->severity));
			sp_buf_json_str(&b, f->path);
			sp_buf_puts(&b, ", \"file\": ");
			sp_buf_json_str(&b, file);
			sp_buf_printf(&b, ", \"line\": %u, \"column\": %u, \"message\": ", f->line,
				      f->column);
			sp_buf_json_str(&b, f->message);
			sp_buf_puts(&b, ", \"example\": ");
			if (f->example)
				sp_buf_json_str(&b, f->example);
			else
				sp_buf_puts(&b, "null");
			sp_buf_puts(&b, "}");
		} else {
			char msg[768];
			snprintf(msg, sizeof(msg), "%s%s%s", f->message, f->example ? " e.g. " : "",
				 f->example ? f->example : "");
			sp_buf_printf(
				&b,
				"%s\n      {\"ruleId\": \"%s\", \"ruleIndex\": %zu, \"level\": \"%s\", \"message\": {\"text\": ",
				shown ? "," : "", f->id, rule_index, sarif_level(f->severity));
			sp_buf_json_str(&b, msg);
			sp_buf_puts(
				&b,
				"}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
			sp_buf_json_str(&b, file);
			sp_buf_puts(&b, "}");
			if (f->line)
				sp_buf_printf(
					&b,
					", \"region\": {\"startLine\": %u, \"startColumn\": %u}",
					f->line, f->column ? f->column : 1);
			sp_buf_puts(&b, "}, \"logicalLocations\": [{\"fullyQualifiedName\": ");
			sp_buf_json_str(&b, *f->path ? f->path : "$");
			sp_buf_puts(&b, ", \"kind\": \"member\"}]}]}");
		}
		shown++;
	}
	if (fmt == SECPROF_LINT_SARIF)
		sp_buf_puts(&b, "\n    ]\n  }]\n}\n");
	else if (fmt == SECPROF_LINT_JSON)
		sp_buf_puts(&b, shown ? "\n]\n" : "]\n");
	if (b.oom) {
		sp_buf_free(&b);
		return sp_err_oom(err);
	}
	if (!b.data) {
		sp_buf_puts(&b, "");
		if (b.oom || !b.data)
			return sp_err_oom(err);
	}
	*out = b.data;
	return 0;
}
