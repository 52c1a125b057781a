/* ir.c - the public view of the rule set (docs/IR.md): per arch and
 * syscall the decision with the rule it came from, what was left out and
 * why, and the decision query.
 *
 * Everything here is read from the struct sp_ruleset the compiler emits
 * (ruleset.h), built by the same build with the same options
 * (sp_ruleset_build_ir also records what it leaves out), so what is
 * explained is what is compiled; the query is sp_ruleset_why, the
 * walk sp_ruleset_decide makes. The public structs are plain copies with
 * pointers into the rule set's arena, made once at build time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/jsonw.h"
#include "ir/ruleset.h"

struct secprof_ir {
	struct sp_ruleset *rs;
	secprof_ir_arch *arches; /* [rs->narches], in the arena */
	secprof_ir_drop *drops;  /* [rs->ndrops] */
	size_t ndrops;
	const char *file; /* the profile's, borrowed */
};

/* 22: "newer-than-libseccomp". Names inline: no relocation at load
 * (docs/CONVENTIONS.md §18). */
static const char reason_names[][22] = {
#define X(id, name) name,
	SECPROF_REASONS(X)
#undef X
};

const char *secprof_reason_name(enum secprof_reason reason)
{
	if ((unsigned)reason >= SP_ARRAY_SIZE(reason_names))
		return NULL;
	return reason_names[reason];
}

const char *secprof_action_str(uint32_t ret, char *buf, size_t len)
{
	return sp_ret_str(ret, buf, len);
}

static secprof_ir_src src_of(const struct sp_rule *rule)
{
	if (!rule)
		return (secprof_ir_src){ 0 };
	return (secprof_ir_src){ rule->index, rule->loc.line, rule->loc.col };
}

/* A multiplexer copy (mux.c mux_rule) is a copy of its rule in the
 * rule set's arena, made for socketcall/ipc: the chain says which. A rule
 * naming socketcall or ipc itself is the profile's own. */
static const char *via_of(const struct secprof_profile *p, const struct sp_sysrule *s,
			  const struct sp_rule *src)
{
	if (src >= p->rules && src < p->rules + p->nrules)
		return NULL;
	return s->name;
}

static int fill_chain(struct sp_arena *arena, const struct secprof_profile *p,
		      const struct sp_sysrule *s, const struct sp_crule *cr, secprof_ir_chain *out)
{
	secprof_ir_cond *c = cr->nconds ? sp_arena_alloc(arena, cr->nconds * sizeof(*c)) : NULL;

	if (cr->nconds && !c)
		return -1;
	for (size_t k = 0; k < cr->nconds; k++)
		c[k] = (secprof_ir_cond){ cr->conds[k].arg, sp_op_str(cr->conds[k].op),
					  cr->conds[k].value, cr->conds[k].value_two,
					  cr->conds[k].lo_only };
	*out = (secprof_ir_chain){ cr->ret, c, cr->nconds, src_of(cr->src), via_of(p, s, cr->src) };
	return 0;
}

static int fill_syscall(struct sp_arena *arena, const struct secprof_profile *p,
			const struct sp_sysrule *s, secprof_ir_syscall *out)
{
	secprof_ir_chain *ch = NULL;
	secprof_ir_syscall *wide = NULL;
	const struct sp_wide *tw = sp_sys_wide(s);

	if (s->nrules && !(ch = sp_arena_alloc(arena, s->nrules * sizeof(*ch))))
		return -1;
	for (size_t k = 0; k < s->nrules; k++)
		if (fill_chain(arena, p, s, &s->rules[k], &ch[k]) < 0)
			return -1;
	if (tw && (!(wide = sp_arena_alloc(arena, sizeof(*wide))) ||
		   fill_syscall(arena, p, &tw->rules, wide) < 0))
		return -1;
	*out = (secprof_ir_syscall){ .nr = s->nr,
				     .name = s->name,
				     .conditional = !s->uncond,
				     .action = s->uncond ? s->ret : 0,
				     .src = src_of(s->src),
				     .chains = ch,
				     .nchains = s->nrules,
				     .word_tree = sp_sys_tree(s) != NULL,
				     .wide = wide };
	if (wide) {
		wide->stale_accumulator = tw->dag && !tw->merged;
		wide->tree_merge = tw->dag && tw->merged;
	}
	return 0;
}

static int fill_arch(struct sp_arena *arena, const struct secprof_profile *p,
		     const struct sp_arch_rules *ar, secprof_ir_arch *out)
{
	secprof_ir_syscall *sys = sp_arena_alloc(arena, (ar->nsys ? ar->nsys : 1) * sizeof(*sys));

	if (!sys)
		return -1;
	for (size_t i = 0; i < ar->nsys; i++)
		if (fill_syscall(arena, p, &ar->sys[i], &sys[i]) < 0)
			return -1;
	*out = (secprof_ir_arch){ .name = ar->arch->name,
				  .audit = ar->arch->audit,
				  .enosys_max = ar->enosys_max,
				  .syscalls = sys,
				  .nsyscalls = ar->nsys,
				  .unlisted = ar->unlisted };
	return 0;
}

static void fill_drop(const struct sp_drop *d, secprof_ir_drop *out)
{
	*out = (secprof_ir_drop){ .reason = d->reason,
				  .rule = src_of(d->rule),
				  .name = d->name,
				  .arch = d->arch ? d->arch->name : NULL,
				  .via = d->via,
				  .has_by = d->by != NULL,
				  .by = src_of(d->by),
				  .cond = d->cond };
	memcpy(out->detail, d->detail, sizeof(out->detail));
}

secprof_ir *secprof_ir_build(secprof_ctx *ctx, const secprof_resolved *r,
			     const secprof_compile_opts *opts, secprof_error *err)
{
	secprof_ir *ir = calloc(1, sizeof(*ir));
	struct sp_ruleset *rs;

	if (!ir) {
		sp_err_oom(err);
		return NULL;
	}
	if (!(rs = sp_ruleset_build_ir(ctx, r, opts, err))) {
		free(ir);
		return NULL;
	}
	ir->rs = rs;
	ir->file = r->prof->file ? r->prof->file : "";
	ir->arches = sp_arena_alloc(&rs->arena, rs->narches * sizeof(*ir->arches));
	ir->drops = sp_arena_alloc(&rs->arena, (rs->ndrops ? rs->ndrops : 1) * sizeof(*ir->drops));
	if (!ir->arches || !ir->drops)
		goto oom;
	for (size_t i = 0; i < rs->narches; i++)
		if (fill_arch(&rs->arena, r->prof, &rs->arches[i], &ir->arches[i]) < 0)
			goto oom;
	for (size_t i = 0; i < rs->ndrops; i++)
		fill_drop(&rs->drops[i], &ir->drops[i]);
	ir->ndrops = rs->ndrops;
	return ir;
oom:
	secprof_ir_free(ir);
	sp_err_oom(err);
	return NULL;
}

void secprof_ir_free(secprof_ir *ir)
{
	if (!ir)
		return;
	sp_ruleset_free(ir->rs);
	free(ir);
}

uint32_t secprof_ir_default_action(const secprof_ir *ir)
{
	return ir->rs->default_ret;
}

const char *secprof_ir_file(const secprof_ir *ir)
{
	return ir->file;
}

size_t secprof_ir_arch_count(const secprof_ir *ir)
{
	return ir->rs->narches;
}

const secprof_ir_arch *secprof_ir_arch_at(const secprof_ir *ir, size_t i)
{
	return i < ir->rs->narches ? &ir->arches[i] : NULL;
}

const secprof_ir_drop *secprof_ir_drops(const secprof_ir *ir, size_t *count)
{
	if (count)
		*count = ir->ndrops;
	return ir->drops;
}

int secprof_ir_decide(const secprof_ir *ir, const secprof_data *in, secprof_ir_decision *out,
		      int *failed, size_t nfailed)
{
	struct sp_why w;
	const secprof_ir_arch *a = NULL;
	const secprof_ir_syscall *sys = NULL;

	if (!ir || !in || !out)
		return -SECPROF_E_USAGE;
	sp_ruleset_why(ir->rs, in, &w);
	if (w.table)
		a = &ir->arches[w.table - ir->rs->arches];
	if (a && w.sys)
		sys = &a->syscalls[w.sys - w.table->sys];
	*out = (secprof_ir_decision){ .action = w.ret,
				      .by = w.by,
				      .arch = a,
				      .syscall = sys,
				      .rule = src_of(w.rule),
				      .wide = w.wide };
	/* the side that decided: the rules, or their 64-bit twin */
	const struct sp_sysrule *ss = w.sys && w.wide ? &sp_sys_wide(w.sys)->rules : w.sys;
	const secprof_ir_syscall *side = sys && w.wide ? sys->wide : sys;
	if (side && w.crule)
		out->chain = &side->chains[w.crule - ss->rules];
	/* each chain's first failing condition: the test the walk made */
	for (size_t i = 0; failed && side && i < side->nchains && i < nfailed; i++) {
		size_t k = sp_crule_first_fail(&ss->rules[i], w.table->arch, in);
		failed[i] = k == ss->rules[i].nconds ? -1 : (int)k;
	}
	return 0;
}

/* ---- secprof_ir_json: `secprof ir --json` (docs/IR.md) ------------------ */

static void jw_src(struct sp_jw *w, const secprof_ir_src *s)
{
	char path[40];

	snprintf(path, sizeof(path), "syscalls[%zu]", s->index);
	sp_jw_obj(w);
	sp_jw_ku64(w, "index", s->index);
	sp_jw_kstr(w, "path", path);
	sp_jw_ku64(w, "line", s->line);
	sp_jw_ku64(w, "column", s->column);
	sp_jw_end(w);
}

static void jw_action(struct sp_jw *w, const char *key, uint32_t ret)
{
	char buf[64];

	sp_jw_kstr(w, key, sp_ret_str(ret, buf, sizeof(buf)));
}

static void jw_chain(struct sp_jw *w, const secprof_ir_chain *c)
{
	sp_jw_obj(w);
	jw_action(w, "action", c->action);
	sp_jw_key(w, "rule");
	jw_src(w, &c->src);
	if (c->via)
		sp_jw_kstr(w, "via", c->via);
	sp_jw_key(w, "args");
	sp_jw_arr(w);
	for (size_t k = 0; k < c->nconds; k++) {
		const secprof_ir_cond *x = &c->conds[k];
		sp_jw_obj(w);
		sp_jw_ku64(w, "index", x->arg);
		sp_jw_kstr(w, "op", x->op);
		sp_jw_ku64(w, "value", x->value);
		if (!strcmp(x->op, "SCMP_CMP_MASKED_EQ"))
			sp_jw_ku64(w, "valueTwo", x->value_two);
		sp_jw_kbool(w, "lowWordOnly", x->lo_only);
		sp_jw_end(w);
	}
	sp_jw_end(w);
	sp_jw_end(w);
}

static void jw_syscall(struct sp_jw *w, const secprof_ir_syscall *s)
{
	sp_jw_obj(w);
	sp_jw_ki64(w, "nr", s->nr);
	sp_jw_kstr(w, "name", s->name);
	if (!s->conditional) {
		jw_action(w, "action", s->action);
		sp_jw_key(w, "rule");
		jw_src(w, &s->src);
	} else {
		sp_jw_kbool(w, "wordTree", s->word_tree);
		sp_jw_key(w, "chains");
		sp_jw_arr(w);
		for (size_t i = 0; i < s->nchains; i++)
			jw_chain(w, &s->chains[i]);
		sp_jw_end(w);
	}
	if (s->stale_accumulator)
		sp_jw_kbool(w, "staleAccumulator", true);
	if (s->tree_merge)
		sp_jw_kbool(w, "treeMerge", true);
	if (s->wide) { /* the 64-bit twin, or runc's program run (secprof_ir_syscall.wide) */
		sp_jw_key(w, "wide");
		jw_syscall(w, s->wide);
	}
	sp_jw_end(w);
}

static void jw_drop(struct sp_jw *w, const secprof_ir_drop *d)
{
	sp_jw_obj(w);
	sp_jw_kstr(w, "reason", secprof_reason_name(d->reason));
	sp_jw_key(w, "rule");
	jw_src(w, &d->rule);
	sp_jw_kstr(w, "name", d->name);
	sp_jw_kstr(w, "arch", d->arch);
	if (d->via)
		sp_jw_kstr(w, "via", d->via);
	if (d->has_by) {
		sp_jw_key(w, "by");
		jw_src(w, &d->by);
	}
	if (d->cond >= 0) {
		char path[64];
		snprintf(path, sizeof(path), "syscalls[%zu].args[%d]", d->rule.index, d->cond);
		sp_jw_ki64(w, "arg", d->cond);
		sp_jw_kstr(w, "argPath", path);
	}
	if (d->detail[0])
		sp_jw_kstr(w, "detail", d->detail);
	sp_jw_end(w);
}

/* One object; each arch, syscall and left-out entry on a line of its own,
 * so a diff of two outputs shows what changed. */
int secprof_ir_json(const secprof_ir *ir, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;

	if (out)
		*out = NULL;
	if (!ir || !out)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "secprof_ir_json: NULL argument");
	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	sp_jw_kstr(&w, "file", ir->file);
	jw_action(&w, "defaultAction", ir->rs->default_ret);
	sp_jw_nl(&w, 1);
	sp_jw_key(&w, "arches");
	sp_jw_arr(&w);
	for (size_t i = 0; i < ir->rs->narches; i++) {
		const secprof_ir_arch *a = &ir->arches[i];
		char audit[16];
		snprintf(audit, sizeof(audit), "0x%08" PRIx32, a->audit);
		sp_jw_nl(&w, 2);
		sp_jw_obj(&w);
		sp_jw_kstr(&w, "arch", a->name);
		sp_jw_kstr(&w, "audit", audit);
		sp_jw_ki64(&w, "enosysMax", a->enosys_max);
		if (a->unlisted)
			sp_jw_kbool(&w, "unlisted", true);
		sp_jw_key(&w, "syscalls");
		sp_jw_arr(&w);
		for (size_t k = 0; k < a->nsyscalls; k++) {
			sp_jw_nl(&w, 3);
			jw_syscall(&w, &a->syscalls[k]);
		}
		sp_jw_end(&w);
		sp_jw_end(&w);
	}
	sp_jw_end(&w);
	sp_jw_nl(&w, 1);
	sp_jw_key(&w, "dropped");
	sp_jw_arr(&w);
	for (size_t i = 0; i < ir->ndrops; i++) {
		sp_jw_nl(&w, 2);
		jw_drop(&w, &ir->drops[i]);
	}
	sp_jw_end(&w);
	sp_jw_end(&w);
	return sp_jw_take(&w, "\n", out, err);
}
