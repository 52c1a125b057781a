/* cmd_info.c - `secprof info [--json]`: what this kernel offers for
 * seccomp, and the seccomp state secprof itself runs in. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	uint32_t bit;
	char name[39]; /* the longest, WAIT_KILLABLE_RECV's, and its NUL: no relocation */
} flag_names[] = {
	{ 1u << 0, "SECCOMP_FILTER_FLAG_TSYNC" },
	{ 1u << 1, "SECCOMP_FILTER_FLAG_LOG" },
	{ 1u << 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
	{ 1u << 3, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
	{ 1u << 4, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" },
	{ 1u << 5, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
};

static void print_text(const secprof_info *in)
{
	printf("kernel          %s (%s)\n", in->kernel, in->machine);
	printf("CONFIG_SECCOMP  %s", in->config_seccomp);
	printf("  CONFIG_SECCOMP_FILTER %s  (%s)\n", in->config_seccomp_filter,
	       in->config_source[0] ? in->config_source : "no kernel config found");
	printf("actions         %s\n", in->actions_avail);
	printf("filter flags   ");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (in->flags_ok & flag_names[i].bit)
			printf(" %s", flag_names[i].name + strlen("SECCOMP_FILTER_FLAG_"));
	printf("\narches          %s", in->native_arch);
	for (size_t i = 0; i < in->ncompat; i++)
		printf(" %s", in->compat_arches[i]);
	printf("\naction cache    %s\n", in->action_cache ? "yes (>= 5.11)" : "no");
	if (in->notif_sizes_ok)
		printf("notif sizes     notif %u, resp %u, data %u\n", in->notif_size,
		       in->resp_size, in->data_size);
	printf("this process    seccomp mode %d, %d filter(s)\n", in->seccomp_mode,
	       in->seccomp_filters);
}

static const struct cli_opt info_opts[] = {
	{ "json", 0, 1, CLI_NOARG, NULL, "JSON instead of text", CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_info = {
	.synopsis = "[OPTIONS]",
	.description =
		"Report what this kernel offers for seccomp (actions, filter flags, arches,\n"
		"the action cache) and the seccomp state secprof itself runs in.",
	.opts = info_opts,
};

int cmd_info(struct cli *g, int argc, char **argv)
{
	secprof_info in;
	secprof_error err = { 0 };
	bool json = false;
	bool *flags[] = { &json };
	int first, rc = cli_parse(g, argc, argv, cli_take_flags, flags, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (first < argc)
		return cli_bad_usage(g, "unexpected argument '%s'", argv[first]);
	if (secprof_info_collect(&in, &err) < 0) {
		cli_print_error(g, &err);
		return EXIT_SYSTEM;
	}
	if (json) {
		char *text = NULL;
		return cli_put_json(g, secprof_info_json(&in, &text, &err), &text, &err);
	}
	print_text(&in);
	return EXIT_OK;
}
