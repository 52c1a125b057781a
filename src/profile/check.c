/* check.c - what `secprof check` reports: warnings about rules runc would
 * ignore, and counts over a profile and its resolution. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/check.h"

/* Every profile checked here has passed parse.c's validation, which refuses
 * an unknown action, so rule->act and p->default_act are set; the action
 * value and "equals the default" are profile/vocab.c's (sp_rule_is_default). */

static int check_names(secprof_ctx *ctx, const struct secprof_profile *p,
		       const struct sp_rule *rule, size_t *nwarn, secprof_error *err)
{
	for (size_t j = 0; j < rule->nnames; j++) {
		const struct sp_str *n = &rule->names[j];
		char path[SP_RULE_PATH_MAX];
		int rc;

		if (n->s && sp_syscall_known(n->s))
			continue;
		/* A legacy "name" was folded into names[0] by the parser. */
		if (sp_rule_x(rule)->name.s && sp_rule_x(rule)->name.s[0])
			sp_rule_path(path, sizeof(path), rule, "name", SP_NO_INDEX, NULL);
		else
			sp_rule_path(path, sizeof(path), rule, "names", j, NULL);
		/* runc skips names libseccomp does not know (docs/COMPAT.md §4.1.2). */
		rc = sp_warn(
			ctx, err, p->file, &n->loc, path,
			"unknown syscall \"%s\": not a syscall on any architecture, runc ignores it",
			n->s ? n->s : "");
		(*nwarn)++;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Who reads the profile so that the rule equals the default: the readings
 * of sp_rule_default_readings, named. */
static const char reading_names[][sizeof(
	"as Debian 12's Docker 20.10 passes it (without defaultErrnoRet)")] = {
	"as secprof applies Podman's errno keys",
	"as current Docker passes it",
	"as Debian 12's Docker 20.10 passes it (without defaultErrnoRet)",
};

static void list_readings(char *buf, size_t len, unsigned set)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < SP_ARRAY_SIZE(reading_names); i++)
		if (set >> i & 1) {
			int n = snprintf(buf + used, len - used, "%s%s", used ? " and " : "",
					 reading_names[i]);
			if (n < 0 || (size_t)n >= len - used)
				return;
			used += (size_t)n;
		}
}

/* A rule one reading of the profile skips and another adds: kept, or
 * refused beside a stricter rule (profile.h, sp_rule_is_default). */
static int warn_partly_default(secprof_ctx *ctx, const struct secprof_profile *p,
			       const struct sp_rule *rule, size_t *nwarn, secprof_error *err)
{
	unsigned skip = sp_rule_default_readings(p, rule), all = SP_SKIP_ALL;
	char path[SP_RULE_PATH_MAX], skips[256], adds[256];

	/* without Podman's keys secprof reads the profile as current Docker */
	if (!(sp_rule_x(rule)->errno_name.s && *sp_rule_x(rule)->errno_name.s) &&
	    !(p->default_errno_name.s && *p->default_errno_name.s)) {
		all &= ~(unsigned)SP_SKIP_APPLIED;
		skip &= all;
	}
	list_readings(skips, sizeof(skips), skip);
	list_readings(adds, sizeof(adds), all & ~skip);
	sp_rule_path(path, sizeof(path), rule, "action", SP_NO_INDEX, NULL);
	(*nwarn)++;
	/* what the rule set then does: ir/ruleset.c check_readings */
	return sp_warn(ctx, err, p->file, &rule->action.loc, path,
		       "the rule's action equals the default action %s, where runc skips the "
		       "rule, but not %s: %s",
		       skips, adds,
		       "secprof keeps the rule, unless a stricter rule shares its calls");
}

static int check_action(secprof_ctx *ctx, const struct secprof_profile *p,
			const struct sp_rule *rule, size_t *nwarn, secprof_error *err)
{
	int rc = 0;
	char path[SP_RULE_PATH_MAX];

	if (rule->has_errno && !sp_action_takes_errno(rule->act)) {
		sp_rule_path(path, sizeof(path), rule, "errnoRet", SP_NO_INDEX, NULL);
		rc = sp_warn(ctx, err, p->file, &rule->errno_loc, path,
			     "errnoRet is ignored with %s (runc ignores it, crun fails)",
			     sp_action_str(rule->act));
		(*nwarn)++;
		if (rc < 0)
			return rc;
	}
	if (sp_rule_is_default(p, rule)) {
		sp_rule_path(path, sizeof(path), rule, "action", SP_NO_INDEX, NULL);
		rc = sp_warn(ctx, err, p->file, &rule->action.loc, path,
			     "the rule's action equals the default action, so runc skips the rule");
		(*nwarn)++;
	} else if (sp_rule_default_readings(p, rule)) {
		rc = warn_partly_default(ctx, p, rule, nwarn, err);
	}
	return rc;
}

/* A value a 32-bit argument can hold as the kernel reads it: a high word of
 * 0, or the sign extension of a negative int (how an `int` -1 reaches a
 * 64-bit register through glibc's syscall wrappers). */
static bool fits_32(uint64_t v)
{
	uint32_t hi = (uint32_t)(v >> 32);

	return hi == 0 || (hi == UINT32_MAX && (v & 0x80000000u));
}

/* Values with high bits the kernel never reads: on 64-bit ABIs secprof
 * compares such an argument on its low word (ir/arg32.c), libseccomp on all
 * 64 bits, so the rule means something else to each; neither 64-bit meaning
 * is one the syscall can see. Reported once per argument, for the first
 * name that reads it as 32 bits. */
static int check_args(secprof_ctx *ctx, const struct secprof_profile *p, const struct sp_rule *rule,
		      size_t *nwarn, secprof_error *err)
{
	for (size_t k = 0; k < rule->nargs; k++) {
		const struct sp_arg *a = &rule->args[k];
		bool masked = a->op == SP_OP_MASKED_EQ;
		uint64_t v = a->value, v2 = a->value_two & a->value;
		const char *name = NULL, *field = "value";
		char path[SP_RULE_PATH_MAX];
		int rc;

		if (a->index > 5 || (fits_32(v) && (!masked || fits_32(v2))))
			continue;
		for (size_t j = 0; j < rule->nnames && !name; j++)
			if (rule->names[j].s &&
			    (sp_syscall_arg32_of(rule->names[j].s) >> a->index & 1))
				name = rule->names[j].s;
		if (!name)
			continue;
		if (fits_32(v)) {
			v = a->value_two;
			field = "valueTwo";
		}
		sp_rule_path(path, sizeof(path), rule, "args", k, field);
		rc = sp_warn(
			ctx, err, p->file, &a->loc, path,
			"%s reads argument %llu as 32 bits, so the high bits of 0x%llx never reach it: secprof compares the low word 0x%llx, libseccomp (and so runc, or secprof --exact-libseccomp) all 64 bits",
			name, (unsigned long long)a->index, (unsigned long long)v,
			(unsigned long long)(v & 0xffffffffu));
		(*nwarn)++;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The first plain value each name's rules test on each 32-bit argument. */
struct first_high {
	const struct sp_rule *rule[6];
	uint32_t hi[6];
	uint8_t warned;
};

/* A 32-bit argument whose values, over one name's rules, have different
 * high words keeps libseccomp's 64-bit compares (ir/arg32.c sp_rs_settle_arg32):
 * a high word can then pass its range and != tests, as under Docker. Only
 * rules runc adds count (not those equal to the default); MASKED_EQ tests
 * are left to the compiler. Said once per name and argument. */
static int check_mixed(secprof_ctx *ctx, const struct secprof_profile *p, size_t *nwarn,
		       secprof_error *err)
{
	struct first_high *seen = NULL;
	int rc = 0;

	for (size_t i = 0; i < p->nrules && rc >= 0; i++) {
		const struct sp_rule *rule = &p->rules[i];
		if (!rule->nargs || sp_rule_is_default(p, rule))
			continue;
		for (size_t j = 0; j < rule->nnames && rc >= 0; j++) {
			uint8_t m = 0;
			int32_t row = -1, none;
			if (!rule->names[j].s ||
			    !sp_syscall_lookup(rule->names[j].s, NULL, 0, &none, &m, &row) || !m)
				continue;
			if (!seen && !(seen = calloc(sp_syscall_count(), sizeof(*seen))))
				return sp_err_oom(err);
			for (size_t k = 0; k < rule->nargs && rc >= 0; k++) {
				const struct sp_arg *a = &rule->args[k];
				struct first_high *f = &seen[row];
				unsigned x = (unsigned)a->index;
				uint32_t hi = (uint32_t)(a->value >> 32);
				char path[SP_RULE_PATH_MAX];
				if (x > 5 || !(m >> x & 1) || a->op == SP_OP_MASKED_EQ)
					continue;
				if (!f->rule[x]) {
					f->rule[x] = rule;
					f->hi[x] = hi;
					continue;
				}
				if (f->hi[x] == hi || (f->warned >> x & 1))
					continue;
				f->warned |= (uint8_t)(1u << x);
				sp_rule_path(path, sizeof(path), rule, "args", k, "value");
				rc = sp_warn(
					ctx, err, p->file, &a->loc, path,
					"%s's argument %u is tested with values of high word 0x%x here and 0x%x in syscalls[%zu]: no one high word fits both, so it keeps libseccomp's 64-bit compares, and a high word the kernel never reads can pass its range and != tests",
					rule->names[j].s, x, hi, f->hi[x], f->rule[x]->index);
				(*nwarn)++;
			}
		}
	}
	free(seen);
	return rc < 0 ? rc : 0;
}

int sp_check_profile(secprof_ctx *ctx, const struct secprof_profile *p, size_t *nwarn,
		     secprof_error *err)
{
	int rc;

	for (size_t i = 0; i < p->nrules; i++) {
		if ((rc = check_names(ctx, p, &p->rules[i], nwarn, err)) < 0)
			return rc;
		if ((rc = check_action(ctx, p, &p->rules[i], nwarn, err)) < 0)
			return rc;
		if ((rc = check_args(ctx, p, &p->rules[i], nwarn, err)) < 0)
			return rc;
	}
	return check_mixed(ctx, p, nwarn, err);
}

/* ---- counting --------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct names over a list of rules; -1 when out of memory. */
static long count_distinct(const struct sp_rule *const *rules, size_t nrules, size_t nnames)
{
	const char **all;
	size_t k = 0, distinct = 0;

	if (!nnames)
		return 0;
	all = malloc(nnames * sizeof(*all));
	if (!all)
		return -1;
	for (size_t i = 0; i < nrules; i++)
		for (size_t j = 0; j < rules[i]->nnames; j++)
			all[k++] = rules[i]->names[j].s ? rules[i]->names[j].s : "";
	qsort(all, k, sizeof(*all), cmp_str);
	for (size_t i = 0; i < k; i++)
		if (i == 0 || strcmp(all[i], all[i - 1]))
			distinct++;
	free(all);
	return (long)distinct;
}

static void count_conditions(const struct sp_rule *rule, struct sp_summary *s)
{
	const struct sp_filter *in = &sp_rule_x(rule)->includes, *ex = &sp_rule_x(rule)->excludes;

	if (rule->nargs)
		s->rules_with_args++;
	if ((in->present && in->ncaps) || (ex->present && ex->ncaps))
		s->cap_rules++;
	if ((in->present && in->narches) || (ex->present && ex->narches))
		s->arch_rules++;
	if ((in->present && in->has_min_kernel) || (ex->present && ex->has_min_kernel))
		s->kernel_rules++;
}

static void count_resolved(const struct secprof_resolved *r, struct sp_summary *s)
{
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		struct sp_action_count *c = rule->action_ok ? &s->actions[rule->act]
							    : &s->bad_actions;

		c->rules++;
		c->names += rule->nnames;
		s->res_names += rule->nnames;
	}
	s->res_rules = r->nrules;
}

int sp_summarize(const struct secprof_profile *p, const struct secprof_resolved *r,
		 struct sp_summary *s, secprof_error *err)
{
	const struct sp_rule **all = NULL;
	long distinct;

	memset(s, 0, sizeof(*s));
	s->rules = p->nrules;
	if (p->nrules && !(all = malloc(p->nrules * sizeof(*all))))
		return sp_err_oom(err);
	for (size_t i = 0; i < p->nrules; i++) {
		all[i] = &p->rules[i];
		s->names += p->rules[i].nnames;
		count_conditions(&p->rules[i], s);
	}
	distinct = count_distinct(all, p->nrules, s->names);
	free(all);
	if (distinct < 0)
		return sp_err_oom(err);
	s->distinct_names = (size_t)distinct;
	if (!r || r->unconfined)
		return 0;
	count_resolved(r, s);
	distinct = count_distinct(r->rules, r->nrules, s->res_names);
	if (distinct < 0)
		return sp_err_oom(err);
	s->res_distinct_names = (size_t)distinct;
	return 0;
}
