/* explain.c - secprof_explain: why the filter decides what it does for one
 * call, and what would make it ALLOW. Everything is read from the rule set
 * (secprof_ir_decide, docs/IR.md); every "would allow" is computed by
 * resolving (moby's setupSeccomp rule filtering) and deciding again, never
 * guessed from the profile's text. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/util.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "secprof.h"

#include "gen/reasons.inc"

/* Each row names its text by offset into one string, not by pointer: no
 * relocation at load (tools/gen-reasons.py). */
struct reason_row {
	char name[SP_REASON_NAME_SIZE];
	uint16_t text;
};

static const char reason_texts[] = SP_REASON_TEXTS;
static const struct reason_row reasons[] = { SP_REASON_ROWS };

static int cmp_reason(const void *k, const void *e)
{
	return strcmp(k, ((const struct reason_row *)e)->name);
}

const char *secprof_deny_reason(const char *syscall)
{
	const struct reason_row *r;

	if (!syscall)
		return NULL;
	r = bsearch(syscall, reasons, sizeof(reasons) / sizeof(reasons[0]), sizeof(reasons[0]),
		    cmp_reason);
	return r ? reason_texts + r->text : NULL;
}

/* One resolution and rule set, and its decision for one call. */
struct trial {
	secprof_resolved *r;
	secprof_ir *ir;
	bool unconfined;
};

static void trial_free(struct trial *t)
{
	secprof_ir_free(t->ir);
	secprof_resolved_free(t->r);
	memset(t, 0, sizeof(*t));
}

static int trial_build(secprof_ctx *ctx, const secprof_profile *p, const secprof_resolve_opts *ro,
		       const secprof_compile_opts *co, struct trial *t, secprof_error *err)
{
	memset(t, 0, sizeof(*t));
	if (!(t->r = secprof_resolve(ctx, p, ro, err)))
		return -err->code;
	if (secprof_resolved_unconfined(t->r)) {
		t->unconfined = true;
		return 0;
	}
	if (!(t->ir = secprof_ir_build(ctx, t->r, co, err))) {
		trial_free(t);
		return -err->code;
	}
	return 0;
}

#define RET_ALLOW 0x7fff0000u

/* Whether the profile resolved with ro decides ALLOW for syscall `name` on
 * `abi` (arguments from in). A resolution that fails allows nothing. */
static bool allows(secprof_ctx *ctx, const secprof_profile *p, const secprof_resolve_opts *ro,
		   const secprof_compile_opts *co, const secprof_arch *abi, const char *name,
		   const secprof_data *in)
{
	secprof_error e = { 0 };
	struct trial t;
	secprof_ir_decision d;
	secprof_arch_info info;
	secprof_data x = *in;
	bool ok = false;

	if (trial_build(ctx, p, ro, co, &t, &e) < 0)
		return false;
	secprof_arch_get_info(abi, &info);
	x.arch = info.audit;
	if (name && (x.nr = secprof_syscall_nr(abi, name)) < 0)
		goto out;
	ok = t.unconfined ||
	     (secprof_ir_decide(t.ir, &x, &d, NULL, 0) == 0 && d.action == RET_ALLOW);
out:
	trial_free(&t);
	return ok;
}

static bool rule_names(const struct sp_rule *rule, const char *name)
{
	for (size_t i = 0; name && i < rule->nnames; i++)
		if (rule->names[i].s && !strcmp(rule->names[i].s, name))
			return true;
	return false;
}

/* A rule's place: JSON (w) or text (b). */
static void put_src(struct sp_jw *w, struct sp_buf *b, const char *file, const secprof_ir_src *s)
{
	char path[40];

	if (!w) {
		sp_buf_printf(b, "syscalls[%zu] (%s%s%u:%u)", s->index, file, *file ? ":" : "",
			      s->line, s->column);
		return;
	}
	snprintf(path, sizeof(path), "syscalls[%zu]", s->index);
	sp_jw_obj(w);
	sp_jw_ku64(w, "index", s->index);
	sp_jw_kstr(w, "path", path);
	sp_jw_ku64(w, "line", s->line);
	sp_jw_ku64(w, "column", s->column);
	sp_jw_end(w);
}

/* One "would allow" entry: kind and value as JSON (w), or text (b). */
static void put_would(struct sp_jw *w, struct sp_buf *b, bool *first, const char *kind,
		      const char *value, const char *text)
{
	if (w) {
		sp_jw_obj(w);
		sp_jw_kstr(w, kind, value);
		sp_jw_end(w);
	} else {
		sp_buf_printf(b, "%s  %s\n", *first ? "would allow it:\n" : "", text);
	}
	*first = false;
}

/* The values of argument `arg` the rule set allows with the other
 * arguments as in `in`. Between consecutive boundaries (each value a
 * condition tests, and the value after it) every EQ/NE/LT/LE/GT/GE
 * comparison keeps its truth, so deciding at each interval's start is
 * exact. MASKED_EQ is not piecewise constant: false (not computed). */
static bool allowed_values(const secprof_ir *ir, const secprof_ir_syscall *sc, unsigned arg,
			   const secprof_data *in, unsigned bits, struct sp_buf *out)
{
	uint64_t max = bits == 32 ? UINT32_MAX : UINT64_MAX;
	size_t cap = 2, n = 0;
	uint64_t *pts;
	bool any = false, open = false;
	uint64_t start = 0;

	for (size_t c = 0; c < sc->nchains; c++)
		for (size_t k = 0; k < sc->chains[c].nconds; k++) {
			const secprof_ir_cond *cd = &sc->chains[c].conds[k];
			if (cd->arg != arg)
				continue;
			if (!strcmp(cd->op, "SCMP_CMP_MASKED_EQ"))
				return false;
			if (cd->lo_only)
				max = UINT32_MAX;
			cap += 2;
		}
	if (!(pts = malloc(cap * sizeof(*pts))))
		return false;
	pts[n++] = 0;
	for (size_t c = 0; c < sc->nchains; c++)
		for (size_t k = 0; k < sc->chains[c].nconds; k++) {
			const secprof_ir_cond *cd = &sc->chains[c].conds[k];
			uint64_t v = cd->value & max;
			if (cd->arg != arg)
				continue;
			pts[n++] = v;
			if (v < max)
				pts[n++] = v + 1;
		}
	/* sort (few points: insertion sort) and drop duplicates */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && pts[j - 1] > pts[j]; j--) {
			uint64_t t = pts[j];
			pts[j] = pts[j - 1];
			pts[j - 1] = t;
		}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || pts[m - 1] != pts[i])
			pts[m++] = pts[i];
	for (size_t i = 0; i <= m; i++) {
		bool ok = false;
		if (i < m) {
			secprof_data x = *in;
			secprof_ir_decision d;
			x.args[arg] = (in->args[arg] & ~max) | pts[i];
			if (max == UINT32_MAX)
				x.args[arg] = pts[i];
			ok = secprof_ir_decide(ir, &x, &d, NULL, 0) == 0 && d.action == RET_ALLOW;
		}
		if (ok && !open) {
			open = true;
			start = pts[i];
		} else if (!ok && open) {
			uint64_t end = i < m ? pts[i] - 1 : max;
			open = false;
			sp_buf_puts(out, any ? ", " : "");
			any = true;
			if (end == start)
				sp_buf_printf(out, "%" PRIu64, start);
			else
				sp_buf_printf(out, "%" PRIu64 "-%" PRIu64, start, end);
		}
	}
	free(pts);
	return any;
}

static const char *by_name(enum secprof_decided_by by)
{
	switch (by) {
	case SECPROF_BY_RULE: return "rule";
	case SECPROF_BY_DEFAULT: return "default";
	case SECPROF_BY_ENOSYS: return "enosys";
	case SECPROF_BY_ARCH: return "arch";
	}
	return "?";
}

static int explain(secprof_ctx *ctx, const secprof_profile *p, const secprof_resolve_opts *ro,
		   const secprof_compile_opts *co, const secprof_arch *abi, const secprof_data *in,
		   struct sp_jw *w, struct sp_buf *b, secprof_error *err)
{
	struct trial t;
	secprof_ir_decision d = { 0 };
	secprof_arch_info ai;
	const char *name = secprof_syscall_name(abi, in->nr);
	const char *file;
	char act[48];
	int failed[256];
	int rc;
	bool first;

	if ((rc = trial_build(ctx, p, ro, co, &t, err)) < 0)
		return rc;
	secprof_arch_get_info(abi, &ai);
	if (t.unconfined) {
		if (w) {
			const char *lists[] = { "conditions", "not_applied", "would_allow" };
			sp_jw_obj(w);
			sp_jw_kstr(w, "action", "ALLOW");
			sp_jw_ku64(w, "ret", RET_ALLOW);
			sp_jw_kstr(w, "by", "unconfined");
			sp_jw_kstr(w, "rule", NULL);
			for (size_t i = 0; i < SP_ARRAY_SIZE(lists); i++) {
				sp_jw_key(w, lists[i]);
				sp_jw_arr(w);
				sp_jw_end(w);
			}
			sp_jw_kstr(w, "reason", NULL);
			sp_jw_end(w);
		} else
			sp_buf_puts(b, "ALLOW: the profile is unconfined (no filter at all)\n");
		trial_free(&t);
		return 0;
	}
	for (size_t i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
		failed[i] = -1;
	secprof_ir_decide(t.ir, in, &d, failed, sizeof(failed) / sizeof(failed[0]));
	file = secprof_ir_file(t.ir);
	secprof_action_str(d.action, act, sizeof(act));

	/* the action and what decided it */
	if (w) {
		sp_jw_obj(w);
		sp_jw_kstr(w, "syscall", name);
		sp_jw_ki64(w, "nr", in->nr);
		sp_jw_kstr(w, "abi", ai.name);
		sp_jw_kstr(w, "action", act);
		sp_jw_ku64(w, "ret", d.action);
		sp_jw_kstr(w, "by", by_name(d.by));
		sp_jw_key(w, "rule");
		if (d.by == SECPROF_BY_RULE)
			put_src(w, b, file, &d.rule);
		else
			sp_jw_null(w);
	} else {
		sp_buf_printf(b, "%s (SECCOMP_RET 0x%08" PRIx32 ") for %s (nr %" PRId32 " on %s)\n",
			      act, d.action, name ? name : "a number with no name", in->nr,
			      ai.name);
		sp_buf_puts(b, "decided by: ");
		switch (d.by) {
		case SECPROF_BY_RULE: put_src(NULL, b, file, &d.rule); break;
		case SECPROF_BY_DEFAULT:
			sp_buf_puts(b, d.syscall
					       ? "the default action (no conditional rule matched)"
					       : "the default action (no rule names it)");
			break;
		case SECPROF_BY_ENOSYS:
			sp_buf_printf(b,
				      "runc's ENOSYS stub (number above %" PRId64
				      ", the highest the profile names)",
				      d.arch ? d.arch->enosys_max : -1);
			break;
		case SECPROF_BY_ARCH:
			sp_buf_puts(b, "not an arch of the filter: the process is killed");
			break;
		}
		sp_buf_puts(b, "\n");
	}

	/* the side that decided: the rules as the kernel reads them, or their
	 * 64-bit twin when libseccomp's compares were the stricter */
	const secprof_ir_syscall *side = d.syscall && d.wide ? d.syscall->wide : d.syscall;
	bool stale = d.wide && side && side->stale_accumulator;
	bool merged = d.wide && side && side->tree_merge;
	if (w && stale)
		sp_jw_kbool(w, "staleAccumulator", true);
	if (w && merged)
		sp_jw_kbool(w, "treeMerge", true);
	if (w)
		sp_jw_kbool(w, "wide", d.wide);
	else if (stale)
		sp_buf_puts(
			b,
			"decided as runc's filter decides: libseccomp 2.5.4 generates code that compares a "
			"word another test left in its accumulator, stricter here than these rules, so "
			"that decision stands\n");
	else if (merged)
		sp_buf_puts(
			b,
			"decided as runc's filter decides: libseccomp 2.5.4 merges these rules' tests "
			"into one tree that decides otherwise than they read, stricter here, so that "
			"decision stands\n");
	else if (d.wide && d.by == SECPROF_BY_ENOSYS)
		/* ir/ruleset.c floor_unlisted: the twin is the current runc's
		 * stub, the rules runc 1.1.5's (no stub section there) */
		sp_buf_puts(b, "runc 1.1.5 has no stub section for this arch, which the profile "
			       "does not list: its rules here give an errno or allow, and ENOSYS "
			       "stands\n");
	else if (d.wide)
		sp_buf_puts(
			b,
			"compared on all 64 bits, as libseccomp (Docker's filter) compares them: "
			"stricter here than the low word the kernel reads, so that decision stands\n");

	/* each chain: which condition failed (secprof_ir_decide's failed[]) */
	if (w) {
		sp_jw_key(w, "conditions");
		sp_jw_arr(w);
	} else if (side && side->conditional)
		sp_buf_puts(b, "conditional rules, in the order the filter tries them:\n");
	first = true;
	for (size_t c = 0; side && side->conditional && c < side->nchains; c++) {
		const secprof_ir_chain *ch = &side->chains[c];
		int f = c < sizeof(failed) / sizeof(failed[0]) ? failed[c] : -1;
		const secprof_ir_cond *cd = f >= 0 ? &ch->conds[f] : NULL;
		char ca[48];

		secprof_action_str(ch->action, ca, sizeof(ca));
		if (w) {
			sp_jw_obj(w);
			sp_jw_key(w, "rule");
			put_src(w, b, file, &ch->src);
			sp_jw_kstr(w, "action", ca);
			sp_jw_kstr(w, "via", ch->via);
			sp_jw_key(w, "failed");
			if (cd) {
				sp_jw_obj(w);
				sp_jw_ku64(w, "arg", cd->arg);
				sp_jw_kstr(w, "op", cd->op);
				sp_jw_ku64(w, "value", cd->value);
				sp_jw_ku64(w, "value_two", cd->value_two);
				sp_jw_kbool(w, "lo_only", cd->lo_only);
				sp_jw_end(w);
			} else {
				sp_jw_null(w);
			}
			sp_jw_end(w);
		} else {
			sp_buf_puts(b, "  ");
			put_src(NULL, b, file, &ch->src);
			sp_buf_printf(b, " %s%s%s: ", ca, ch->via ? " via " : "",
				      ch->via ? ch->via : "");
			if (cd)
				sp_buf_printf(b,
					      "arg%u %s 0x%" PRIx64 "%s fails (arg%u = 0x%" PRIx64
					      ")\n",
					      cd->arg, cd->op, cd->value,
					      cd->lo_only ? " (low word)" : "", cd->arg,
					      in->args[cd->arg]);
			else
				sp_buf_puts(b, "all conditions hold\n");
		}
		first = false;
	}
	/* the rules naming it that are not in the program, and why */
	if (w) {
		sp_jw_end(w);
		sp_jw_key(w, "not_applied");
		sp_jw_arr(w);
	}
	first = true;
	size_t ndrops = 0;
	const secprof_ir_drop *drops = secprof_ir_drops(t.ir, &ndrops);
	for (size_t i = 0; name && i < ndrops; i++) {
		const secprof_ir_drop *dr = &drops[i];
		if (dr->arch && strcmp(dr->arch, ai.name))
			continue;
		/* the rule that decided is not "left out": secprof's low-word
		 * rules may drop it as covered where libseccomp's 64-bit rules
		 * (the twin that decided, d.wide) keep it */
		if (d.by == SECPROF_BY_RULE && dr->rule.index == d.rule.index &&
		    (dr->reason == SECPROF_REASON_SHADOWED ||
		     dr->reason == SECPROF_REASON_REPLACED ||
		     dr->reason == SECPROF_REASON_REDUNDANT))
			continue;
		if (dr->name ? strcmp(dr->name, name)
			     : !(dr->rule.index < p->nrules &&
				 rule_names(&p->rules[dr->rule.index], name)))
			continue;
		if (w) {
			sp_jw_obj(w);
			sp_jw_key(w, "rule");
			put_src(w, b, file, &dr->rule);
			sp_jw_kstr(w, "reason", secprof_reason_name(dr->reason));
			sp_jw_kstr(w, "detail", dr->detail);
			sp_jw_end(w);
		} else {
			sp_buf_puts(b, first ? "rules for it not applied:\n  " : "  ");
			put_src(NULL, b, file, &dr->rule);
			sp_buf_printf(b, ": %s%s%s\n", secprof_reason_name(dr->reason),
				      dr->detail[0] ? " " : "", dr->detail);
		}
		first = false;
	}
	if (w) {
		sp_jw_end(w);
		sp_jw_key(w, "would_allow");
		sp_jw_arr(w);
	}

	/* what would change the decision, each tried */
	first = true;
	if (d.action != RET_ALLOW && d.by != SECPROF_BY_ARCH) {
		char val[64], text[160];
		secprof_caps tried = ro->caps;
		/* a capability named by a rule for this syscall */
		for (size_t i = 0; name && i < p->nrules; i++) {
			const struct sp_rule *rule = &p->rules[i];
			if (!rule_names(rule, name))
				continue;
			for (int pass = 0; pass < 2; pass++) {
				const struct sp_filter *fl = pass ? &sp_rule_x(rule)->excludes
								  : &sp_rule_x(rule)->includes;
				for (size_t k = 0; k < fl->ncaps; k++) {
					int cap = fl->caps[k].s
							  ? secprof_cap_from_name(fl->caps[k].s)
							  : -1;
					secprof_resolve_opts o = *ro;
					/* only what docker run --cap-add accepts */
					if (!sp_cap_docker_grantable(cap) || (tried >> cap & 1))
						continue;
					tried |= (secprof_caps)1 << cap;
					o.caps |= (secprof_caps)1 << cap;
					if (!allows(ctx, p, &o, co, abi, name, in))
						continue;
					snprintf(val, sizeof(val), "%s", secprof_cap_name(cap));
					snprintf(text, sizeof(text), "--cap-add %s", val);
					put_would(w, b, &first, "cap_add", val, text);
				}
			}
		}
		unsigned kern_tried[64];
		size_t nkern = 0;
		/* a kernel named by a minKernel of a rule for it */
		for (size_t i = 0; name && i < p->nrules; i++) {
			const struct sp_rule *rule = &p->rules[i];
			if (!rule_names(rule, name))
				continue;
			for (int pass = 0; pass < 3; pass++) {
				const struct sp_filter *fl = pass ? &sp_rule_x(rule)->excludes
								  : &sp_rule_x(rule)->includes;
				int maj, min;
				if (!fl->has_min_kernel || !fl->min_kernel[0])
					continue;
				maj = fl->min_kernel[0];
				min = fl->min_kernel[1];
				if (pass == 2) { /* just below an excludes.minKernel */
					if (!min)
						continue;
					min--;
				}
				secprof_resolve_opts o = *ro;
				o.kernel_major = maj;
				o.kernel_minor = min;
				unsigned key = (unsigned)maj << 8 | (unsigned)min;
				bool seen = maj == ro->kernel_major && min == ro->kernel_minor;
				for (size_t j = 0; j < nkern; j++)
					seen |= kern_tried[j] == key;
				if (seen || nkern == 64)
					continue;
				kern_tried[nkern++] = key;
				if (!allows(ctx, p, &o, co, abi, name, in))
					continue;
				snprintf(val, sizeof(val), "%d.%d", maj, min);
				snprintf(text, sizeof(text), "--kernel %s", val);
				put_would(w, b, &first, "kernel", val, text);
			}
		}
		const secprof_arch *arch_tried[64];
		size_t narch = 0;
		/* an arch named by a rule for it */
		for (size_t i = 0; name && i < p->nrules; i++) {
			const struct sp_rule *rule = &p->rules[i];
			if (!rule_names(rule, name))
				continue;
			for (int pass = 0; pass < 2; pass++) {
				const struct sp_filter *fl = pass ? &sp_rule_x(rule)->excludes
								  : &sp_rule_x(rule)->includes;
				for (size_t k = 0; k < fl->narches; k++) {
					const secprof_arch *a =
						fl->arches[k].s
							? secprof_arch_lookup(fl->arches[k].s)
							: NULL;
					secprof_resolve_opts o = *ro;
					secprof_arch_info oi;
					bool seen = !a || a == abi || narch == 64;
					for (size_t j = 0; !seen && j < narch; j++)
						seen = arch_tried[j] == a;
					if (seen)
						continue;
					arch_tried[narch++] = a;
					secprof_arch_get_info(a, &oi);
					if (!oi.go)
						continue;
					o.arch = oi.go;
					if (!allows(ctx, p, &o, co, a, name, in))
						continue;
					snprintf(val, sizeof(val), "%s", oi.go);
					snprintf(text, sizeof(text), "--arch %s", val);
					put_would(w, b, &first, "arch", val, text);
				}
			}
		}
		/* the values of each argument a conditional rule tests */
		if (d.syscall && d.syscall->conditional && d.by != SECPROF_BY_ENOSYS) {
			for (unsigned arg = 0; arg < 6; arg++) {
				struct sp_buf vals = { 0 };
				bool tested = false;
				for (size_t c = 0; c < d.syscall->nchains; c++)
					for (size_t k = 0; k < d.syscall->chains[c].nconds; k++)
						tested |= d.syscall->chains[c].conds[k].arg == arg;
				if (tested &&
				    allowed_values(t.ir, d.syscall, arg, in, ai.bits, &vals) &&
				    !vals.oom) {
					if (w) {
						sp_jw_obj(w);
						sp_jw_key(w, "args");
						sp_jw_obj(w);
						sp_jw_ku64(w, "arg", arg);
						sp_jw_kstr(w, "allowed", vals.data);
						sp_jw_end(w);
						sp_jw_end(w);
						first = false;
					} else {
						sp_buf_printf(
							b,
							"%sarg%u in %s (the other arguments as given)\n",
							first ? "would allow it:\n  " : "  ", arg,
							vals.data);
						first = false;
					}
				}
				sp_buf_free(&vals);
			}
		}
		/* a rule added to the profile: appended to syscalls[], tried */
		if (name && p->rules && d.by != SECPROF_BY_ENOSYS) {
			struct secprof_profile q = *p;
			struct sp_rule *rules = calloc(p->nrules + 1, sizeof(*rules));
			struct sp_str nm = { .s = name };
			if (rules) {
				memcpy(rules, p->rules, p->nrules * sizeof(*rules));
				rules[p->nrules].index = p->nrules;
				rules[p->nrules].names = &nm;
				rules[p->nrules].nnames = 1;
				rules[p->nrules].action.s = "SCMP_ACT_ALLOW";
				rules[p->nrules].act = SP_ACT_ALLOW;
				rules[p->nrules].action_ok = true;
				q.rules = rules;
				q.nrules = p->nrules + 1;
				if (allows(ctx, &q, ro, co, abi, name, in)) {
					struct sp_buf pb = { 0 };
					struct sp_jw pw;
					sp_jw_init(&pw, &pb, 0);
					sp_jw_obj(&pw);
					sp_jw_key(&pw, "names");
					sp_jw_arr(&pw);
					sp_jw_str(&pw, name);
					sp_jw_end(&pw);
					sp_jw_kstr(&pw, "action", "SCMP_ACT_ALLOW");
					sp_jw_end(&pw);
					if (!sp_jw_finish(&pw)) {
						if (!w && first)
							sp_buf_puts(b, "would allow it:\n");
						char *txt = malloc(pb.len + 48);
						if (txt) {
							snprintf(txt, pb.len + 48,
								 "add to syscalls[]: %s", pb.data);
							if (w) {
								sp_jw_obj(w);
								sp_jw_key(w, "profile_patch");
								sp_jw_raw(w, pb.data);
								sp_jw_end(w);
							} else {
								sp_buf_printf(b, "  %s\n", txt);
							}
							first = false;
							free(txt);
						}
					}
					sp_buf_free(&pb);
				}
				free(rules);
			}
		}
	}

	const char *why = d.action != RET_ALLOW ? secprof_deny_reason(name) : NULL;
	if (w) {
		sp_jw_end(w);
		sp_jw_kstr(w, "reason", why);
		sp_jw_end(w);
	} else if (why) {
		sp_buf_printf(b, "why Docker's default profile denies %s: %s\n", name, why);
	}
	trial_free(&t);
	return 0;
}

int secprof_explain(secprof_ctx *ctx, const secprof_profile *p, const secprof_resolve_opts *ro,
		    const secprof_compile_opts *co, const secprof_arch *abi, const secprof_data *in,
		    unsigned flags, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;
	bool json = flags & SECPROF_EXPLAIN_JSON;
	secprof_compile_opts c0 = { 0 };
	int rc;

	if (!p || !ro || !in || !out || !abi)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "secprof_explain: NULL argument");
	*out = NULL;
	sp_jw_init(&w, &b, 0);
	if ((rc = explain(ctx, p, ro, co ? co : &c0, abi, in, json ? &w : NULL, &b, err)) < 0) {
		sp_buf_free(&b);
		return rc;
	}
	if (json)
		return sp_jw_take(&w, "\n", out, err);
	if (b.oom) {
		sp_buf_free(&b);
		return sp_err_oom(err);
	}
	*out = b.data;
	return 0;
}
