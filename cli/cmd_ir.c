/* cmd_ir.c - `secprof ir`: the rule set the compiler emits (docs/IR.md),
 * per arch and syscall the decision with the profile rule it came from, and
 * every rule, name or condition left out with its reason code. Reads only
 * the public IR API (secprof_ir_*), as explain, lint and diff will. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_JSON = 1 };
static const struct cli_opt ir_opts[] = {
	{ "json", 0, OPT_JSON, CLI_NOARG, NULL, "JSON instead of text", CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_ir = {
	.synopsis = "PROFILE|builtin|- [OPTIONS]",
	.description =
		"Print the rule set the compiler emits (docs/IR.md): per arch of the filter and\n"
		"syscall number, the decision and the rule it came from (syscalls[N] line:col),\n"
		"then every rule, name or condition left out of the program with its reason.",
	.opts = ir_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

static const char *op_sym(const char *op)
{
	/* char arrays, not pointers: no relocation at load */
	static const char map[][2][12] = {
		{ "SCMP_CMP_NE", "!=" }, { "SCMP_CMP_LT", "<" },  { "SCMP_CMP_LE", "<=" },
		{ "SCMP_CMP_EQ", "==" }, { "SCMP_CMP_GE", ">=" }, { "SCMP_CMP_GT", ">" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(op, map[i][0]))
			return map[i][1];
	return op;
}

static void text_src(FILE *f, const secprof_ir_src *s)
{
	fprintf(f, "syscalls[%zu]", s->index);
	if (s->line)
		fprintf(f, " %u:%u", s->line, s->column);
}

static void text_syscall(FILE *f, const secprof_ir_syscall *s, uint32_t def)
{
	char buf[64];

	if (!s->conditional) {
		fprintf(f, "%-12s ", secprof_action_str(s->action, buf, sizeof(buf)));
		text_src(f, &s->src);
		fputc('\n', f);
		return;
	}
	fprintf(f, "conditional%s, first match:\n",
		s->word_tree ? " (libseccomp's word tree orders the actions)" : "");
	for (size_t c = 0; c < s->nchains; c++) {
		const secprof_ir_chain *ch = &s->chains[c];
		fprintf(f, "        %-12s if", secprof_action_str(ch->action, buf, sizeof(buf)));
		for (size_t j = 0; j < ch->nconds; j++) {
			const secprof_ir_cond *x = &ch->conds[j];
			fprintf(f, "%s arg%u", j ? " &&" : "", x->arg);
			if (!strcmp(x->op, "SCMP_CMP_MASKED_EQ"))
				fprintf(f, " & 0x%" PRIx64 " == 0x%" PRIx64, x->value,
					x->value_two);
			else
				fprintf(f, " %s %" PRIu64, op_sym(x->op), x->value);
			if (x->lo_only)
				fputs(" (low word)", f);
		}
		fputs("  ", f);
		text_src(f, &ch->src);
		if (ch->via)
			fprintf(f, " via %s", ch->via);
		fputc('\n', f);
	}
	fprintf(f, "        %-12s otherwise (default)\n",
		secprof_action_str(def, buf, sizeof(buf)));
}

static void print_text(FILE *f, const secprof_ir *ir)
{
	char buf[64];
	size_t ndrops;
	const secprof_ir_drop *drops = secprof_ir_drops(ir, &ndrops);
	uint32_t def = secprof_ir_default_action(ir);

	if (secprof_ir_file(ir)[0])
		fprintf(f, "profile: %s (rules as syscalls[N] line:column)\n", secprof_ir_file(ir));
	fprintf(f, "default action: %s\n", secprof_action_str(def, buf, sizeof(buf)));
	for (size_t i = 0; i < secprof_ir_arch_count(ir); i++) {
		const secprof_ir_arch *a = secprof_ir_arch_at(ir, i);
		fprintf(f, "\narch %s (audit 0x%08" PRIx32 ")", a->name, a->audit);
		if (a->enosys_max >= 0)
			fprintf(f, ", ENOSYS above %" PRId64, a->enosys_max);
		fputs(":\n", f);
		for (size_t k = 0; k < a->nsyscalls; k++) {
			const secprof_ir_syscall *s = &a->syscalls[k];
			fprintf(f, "  %-5" PRId32 " %-22s ", s->nr, s->name);
			text_syscall(f, s, def);
			if (s->wide && a->unlisted && a->enosys_max >= 0 && s->nr > a->enosys_max) {
				/* ir/ruleset.c floor_unlisted: the twin is the
				 * current runc's stub, the rules runc 1.1.5's */
				fprintf(f,
					"        and, as a current runc's ENOSYS stub answers above the maximum (runc 1.1.5 has none for this unlisted arch; the stricter decision wins, an errno goes to ENOSYS):\n"
					"        %-22s %s\n",
					"", secprof_action_str(s->wide->action, buf, sizeof(buf)));
			} else if (s->wide && (s->wide->stale_accumulator || s->wide->tree_merge)) {
				fprintf(f,
					"        and, as runc's filter decides them (libseccomp 2.5.4 %s; the stricter decision wins):\n"
					"        %-22s ",
					s->wide->stale_accumulator
						? "compares a word another test left in its accumulator"
						: "merges these rules' tests into one tree that decides otherwise than they read",
					"");
				text_syscall(f, s->wide, def);
			} else if (s->wide) {
				fprintf(f,
					"        and, compared on all 64 bits as libseccomp does (the stricter decision wins):\n"
					"        %-22s ",
					"");
				text_syscall(f, s->wide, def);
			}
		}
	}
	fprintf(f, "\nleft out (%zu):\n", ndrops);
	for (size_t i = 0; i < ndrops; i++) {
		const secprof_ir_drop *d = &drops[i];
		fputs("  ", f);
		text_src(f, &d->rule);
		if (d->cond >= 0)
			fprintf(f, " args[%d]", d->cond);
		if (d->name)
			fprintf(f, " \"%s\"", d->name);
		if (d->via)
			fprintf(f, " via %s", d->via);
		if (d->arch)
			fprintf(f, " on %s", d->arch);
		fprintf(f, ": %s", secprof_reason_name(d->reason));
		if (d->detail[0])
			fprintf(f, " %s", d->detail);
		if (d->has_by) {
			fputs(" by ", f);
			text_src(f, &d->by);
		}
		fputc('\n', f);
	}
}

int cmd_ir(struct cli *g, int argc, char **argv)
{
	struct cli_resolve_args a = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_error err = { 0 };
	secprof_ir *ir = NULL;
	bool json = false;
	int rc;
	bool *flags[] = { &json };

	if ((rc = cli_parse_profile(g, argc, argv, cli_take_flags, flags, &a)))
		return rc == CLI_DONE ? EXIT_OK : rc;
	if ((rc = cli_resolve(g, &a, &p, &r)))
		return rc;
	if (secprof_resolved_unconfined(r)) {
		fprintf(stderr,
			"%s: the profile disables seccomp (unconfined): there is no rule set\n",
			g->prog);
		rc = EXIT_PROFILE;
		goto out;
	}
	if (!(ir = secprof_ir_build(g->ctx, r, &a.compile, &err))) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
		goto out;
	}
	if (json) {
		char *text = NULL;
		rc = cli_put_json(g, secprof_ir_json(ir, &text, &err), &text, &err);
	} else {
		print_text(stdout, ir);
		rc = fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
	}
out:
	secprof_ir_free(ir);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}
