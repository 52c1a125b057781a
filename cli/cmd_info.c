/* cmd_info.c - `secprof info [--json]`: what this kernel offers for
 * seccomp, and the seccomp state secprof itself runs in. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sandbox/run.h"

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ 1u << 0, "SECCOMP_FILTER_FLAG_TSYNC" },
	{ 1u << 1, "SECCOMP_FILTER_FLAG_LOG" },
	{ 1u << 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
	{ 1u << 3, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
	{ 1u << 4, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" },
	{ 1u << 5, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
};

static void json_flags(const struct sp_info *in)
{
	bool first = true;

	printf("  \"filter_flags\": [");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(in->flags_ok & flag_names[i].bit))
			continue;
		printf("%s\"%s\"", first ? "" : ", ", flag_names[i].name);
		first = false;
	}
	printf("],\n");
}

static void json_actions(const struct sp_info *in)
{
	char buf[sizeof(in->actions_avail)];
	char *save = NULL, *tok;
	bool first = true;

	snprintf(buf, sizeof(buf), "%s", in->actions_avail);
	printf("  \"actions_avail\": [");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		printf("%s\"%s\"", first ? "" : ", ", tok);
		first = false;
	}
	printf("],\n");
}

static void print_json(const struct sp_info *in)
{
	printf("{\n");
	printf("  \"action_cache\": %s,\n", in->action_cache ? "true" : "false");
	json_actions(in);
	printf("  \"arch\": {\n    \"compat\": [");
	for (size_t i = 0; i < in->ncompat; i++)
		printf("%s\"%s\"", i ? ", " : "", in->compat_arches[i]);
	printf("],\n    \"native\": \"%s\"\n  },\n", in->native_arch);
	printf("  \"config\": {\n    \"CONFIG_SECCOMP\": \"%s\",\n    \"CONFIG_SECCOMP_FILTER\": \"%s\",\n"
	       "    \"source\": \"%s\"\n  },\n",
	       in->config_seccomp, in->config_seccomp_filter, in->config_source);
	json_flags(in);
	printf("  \"kernel\": \"%s\",\n  \"machine\": \"%s\",\n", in->kernel, in->machine);
	if (in->notif_sizes_ok)
		printf("  \"notif_sizes\": {\n    \"seccomp_data\": %u,\n    \"seccomp_notif\": %u,\n"
		       "    \"seccomp_notif_resp\": %u\n  },\n",
		       in->data_size, in->notif_size, in->resp_size);
	else
		printf("  \"notif_sizes\": null,\n");
	printf("  \"self\": {\n    \"seccomp_filters\": %d,\n    \"seccomp_mode\": %d\n  }\n}\n",
	       in->seccomp_filters, in->seccomp_mode);
}

static void print_text(const struct sp_info *in)
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
		printf("notif sizes     notif %u, resp %u, data %u\n", in->notif_size, in->resp_size,
		       in->data_size);
	printf("this process    seccomp mode %d, %d filter(s)\n", in->seccomp_mode, in->seccomp_filters);
}

static const struct cli_opt info_opts[] = {
	{ "json", 0, 1, CLI_NOARG, NULL, "JSON instead of text", CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_info = {
	.synopsis = "[OPTIONS]",
	.description = "Report what this kernel offers for seccomp (actions, filter flags, arches,\n"
		       "the action cache) and the seccomp state secprof itself runs in.",
	.opts = info_opts,
};

int cmd_info(struct cli *g, int argc, char **argv)
{
	struct sp_info in;
	secprof_error err = { 0 };
	bool json = false;
	bool *flags[] = { &json };
	int first, rc = cli_parse(g, argc, argv, cli_take_flags, flags, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (first < argc)
		return cli_bad_usage(g, "unexpected argument '%s'", argv[first]);
	if (sp_info_collect(&in, &err) < 0) {
		cli_print_error(g, &err);
		return EXIT_SYSTEM;
	}
	if (json)
		print_json(&in);
	else
		print_text(&in);
	return EXIT_OK;
}
