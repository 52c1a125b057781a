/* cmd_probe.c - `secprof probe [--json]`: what the sandbox this runs in
 * allows. The JSON is sorted and has no run-dependent values (no pids, no
 * times), so two sandboxes can be compared with diff. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_caps(const char *what, unsigned long long set)
{
	printf("%-12s %016llx", what, set);
	for (int c = 0; c < 64; c++)
		if (set & (1ull << c))
			printf(" %s", secprof_cap_name(c) ? secprof_cap_name(c) + 4 : "?");
	printf("\n");
}

static void print_text(const secprof_probe_report *r)
{
	static const char modes[][9] = { "disabled", "strict", "filter" }; /* no relocation */
	char buf[64];

	printf("seccomp      %s, %d filter(s)\n",
	       r->seccomp_mode >= 0 && r->seccomp_mode <= 2 ? modes[r->seccomp_mode] : "unknown",
	       r->seccomp_filters);
	printf("no_new_privs %d\nuser         %u:%u\n", r->no_new_privs, (unsigned)r->uid,
	       (unsigned)r->gid);
	print_caps("bounding", r->cap_bnd);
	print_caps("effective", r->cap_eff);
	print_caps("permitted", r->cap_prm);
	print_caps("inheritable", r->cap_inh);
	print_caps("ambient", r->cap_amb);
	for (size_t i = 0; i < r->nresults; i++)
		printf("%-26s %-8s %s\n", r->results[i].name, r->results[i].group,
		       secprof_probe_outcome(&r->results[i], buf, sizeof(buf)));
}

static const struct cli_opt probe_opts[] = {
	{ "json", 0, 1, CLI_NOARG, NULL, "JSON instead of text", CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_probe = {
	.synopsis = "[OPTIONS]",
	.description = "Try side-effect-free syscalls and report what the sandbox this runs in\n"
		       "allows, with its capabilities and seccomp state. The JSON is sorted and\n"
		       "has no run-dependent values, so two sandboxes compare with diff.",
	.opts = probe_opts,
};

int cmd_probe(struct cli *g, int argc, char **argv)
{
	secprof_probe_report r;
	secprof_error err = { 0 };
	bool json = false;
	bool *flags[] = { &json };
	int first, rc = cli_parse(g, argc, argv, cli_take_flags, flags, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (first < argc)
		return cli_bad_usage(g, "unexpected argument '%s'", argv[first]);
	fflush(stdout);
	if (secprof_probe(&r, &err) < 0) {
		cli_print_error(g, &err);
		return EXIT_SYSTEM;
	}
	if (json) {
		char *text = NULL;
		rc = cli_put_json(g, secprof_probe_json(&r, &text, &err), &text, &err);
	} else {
		print_text(&r);
		rc = EXIT_OK;
	}
	secprof_probe_report_free(&r);
	return rc;
}
