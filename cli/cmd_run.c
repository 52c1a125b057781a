/* cmd_run.c - `secprof run [OPTIONS] [--] CMD [ARG...]`: docker run's
 * security options applied to a command, or to a root filesystem with
 * --rootfs (docs/COMPAT.md §3). Every failure of secprof itself exits 125, as docker
 * run does, and the command is never started without the filter it asked for. */
#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "sandbox/run.h"
#include "core/util.h"

#define MAX_ENV 256

struct run_args {
	const char *seccomp;     /* NULL: not set */
	bool nnp;
	struct cli_resolve_args caps; /* cap_add, cap_drop, privileged */
	const char *user;
	const char *workdir;
	const char *env[MAX_ENV];
	size_t nenv;
	const char *rootfs;
	const char *hostname;
	bool read_only;
	const char *network;
	const char *preserve_fds;
	const char *device_cgroup;
	bool exact;               /* --exact-libseccomp */
	char **argv;
};

enum {
	OPT_SECURITY = 1, OPT_CAP_ADD, OPT_CAP_DROP, OPT_PRIVILEGED, OPT_USER, OPT_WORKDIR, OPT_ENV,
	OPT_ROOTFS, OPT_HOSTNAME, OPT_READ_ONLY, OPT_NETWORK, OPT_PRESERVE_FDS, OPT_DEVCG, OPT_EXACT,
};

/* docker run's spellings, -h (--hostname) included; --help stays long. */
static const struct cli_opt run_opts[] = {
	{ "security-opt", 0, OPT_SECURITY, CLI_ARG, "OPT",
	  "seccomp=PATH|unconfined|builtin (also seccomp:PATH), or\n"
	  "no-new-privileges[=true|false] (repeatable)", CLI_C_WORDS,
	  "seccomp=builtin seccomp=unconfined no-new-privileges", false },
	{ "cap-add", 0, OPT_CAP_ADD, CLI_ARG, "CAP", "add a capability (repeatable)", CLI_C_CAP, NULL, false },
	{ "cap-drop", 0, OPT_CAP_DROP, CLI_ARG, "CAP", "drop a capability (repeatable)", CLI_C_CAP, NULL,
	  false },
	{ "privileged", 0, OPT_PRIVILEGED, CLI_NOARG, NULL, "every capability, as docker run --privileged",
	  CLI_C_NONE, NULL, false },
	{ "user", 'u', OPT_USER, CLI_ARG, "USER", "NAME|UID[:GROUP|GID] to run as", CLI_C_NONE, NULL, false },
	{ "workdir", 'w', OPT_WORKDIR, CLI_ARG, "DIR", "working directory (absolute)", CLI_C_DIR, NULL, false },
	{ "env", 'e', OPT_ENV, CLI_ARG, "KEY[=VALUE]",
	  "set a variable; KEY alone takes secprof's value (repeatable)", CLI_C_NONE, NULL, false },
	{ "rootfs", 0, OPT_ROOTFS, CLI_ARG, "DIR", "run in a container on this root filesystem", CLI_C_DIR,
	  NULL, false },
	{ "hostname", 'h', OPT_HOSTNAME, CLI_ARG, "NAME", "the container's hostname (needs --rootfs)",
	  CLI_C_NONE, NULL, false },
	{ "read-only", 0, OPT_READ_ONLY, CLI_NOARG, NULL, "mount the root filesystem read-only (needs --rootfs)",
	  CLI_C_NONE, NULL, false },
	{ "network", 0, OPT_NETWORK, CLI_ARG, "MODE", "none or host (needs --rootfs)", CLI_C_WORDS, "none host",
	  false },
	{ "net", 0, OPT_NETWORK, CLI_ARG, "MODE", "alias of --network", CLI_C_WORDS, "none host", true },
	{ "preserve-fds", 0, OPT_PRESERVE_FDS, CLI_ARG, "N",
	  "pass fds 3..3+N-1 on (as runc); every other fd above 2 is closed", CLI_C_NONE, NULL, false },
	{ "device-cgroup", 0, OPT_DEVCG, CLI_ARG, "MODE", "auto, v1 or v2: how --rootfs enforces Docker's device rules",
	  CLI_C_WORDS, "auto v1 v2", false },
	{ "exact-libseccomp", 0, OPT_EXACT, CLI_NOARG, NULL,
	  "the filter runc builds: arguments the kernel reads as\n"
	  "32-bit types compared on all 64 bits, as libseccomp does", CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_run = {
	.synopsis = "[OPTIONS] [--] CMD [ARG...]",
	.description =
		"Run CMD as docker run would run it in a container: the profile resolved\n"
		"for its capabilities and compiled as runc does, no_new_privs, user and\n"
		"capabilities set as runc sets them; with --rootfs, in new namespaces on\n"
		"that root filesystem. Options end at CMD. The command never starts\n"
		"without the filter it asked for.",
	.opts = run_opts,
	.in_order = true,
	.usage_exit = SP_EXIT_ERROR,
	.operand = CLI_C_COMMAND,
};

__attribute__((format(printf, 2, 3))) static int run_error(const struct cli *g, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", g->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return SP_EXIT_ERROR;
}

/* strconv.ParseBool, which moby uses for no-new-privileges. */
static int parse_go_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, yes[i]))
			return *out = true, 0;
		if (!strcmp(s, no[i]))
			return *out = false, 0;
	}
	return -1;
}

/* docker/cli parseSecurityOpts + moby parseSecurityOpt (docs/COMPAT.md §3.1, §3.2):
 * cut at the first '=', else at the first ':'. */
static int security_opt(const struct cli *g, struct run_args *a, const char *opt)
{
	const char *sep = strchr(opt, '=');
	char key[64];
	const char *val;

	if (!sep)
		sep = strchr(opt, ':');
	if (!strcmp(opt, "no-new-privileges")) {
		a->nnp = true;
		return 0;
	}
	if (!sep || !sep[1])
		return run_error(g, "invalid --security-opt: \"%s\"", opt);
	snprintf(key, sizeof(key), "%.*s", (int)(sep - opt), opt);
	val = sep + 1;
	if (!strcmp(key, "seccomp")) {
		a->seccomp = val;
		return 0;
	}
	if (!strcmp(key, "no-new-privileges")) {
		if (parse_go_bool(val, &a->nnp) < 0)
			return run_error(g, "invalid --security-opt 2: \"%s\"", opt);
		return 0;
	}
	if (!strcmp(key, "apparmor") || !strcmp(key, "label") || !strcmp(key, "systempaths"))
		return run_error(g, "--security-opt %s is not supported by secprof run", key);
	return run_error(g, "invalid --security-opt 2: \"%s\"", opt);
}

static int take_cap(const struct cli *g, const char **list, size_t *n, const char *v)
{
	if (*n >= CLI_MAX_CAPS)
		return run_error(g, "too many capability options (%s)", v);
	list[(*n)++] = v;
	return 0;
}

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct run_args *a = data;

	switch (id) {
	case OPT_SECURITY: return security_opt(g, a, v) ? SP_EXIT_ERROR : 0;
	case OPT_CAP_ADD: return take_cap(g, a->caps.cap_add, &a->caps.nadd, v);
	case OPT_CAP_DROP: return take_cap(g, a->caps.cap_drop, &a->caps.ndrop, v);
	case OPT_PRIVILEGED: a->caps.privileged = true; break;
	case OPT_USER: a->user = v; break;
	case OPT_WORKDIR: a->workdir = v; break;
	case OPT_ROOTFS: a->rootfs = v; break;
	case OPT_HOSTNAME: a->hostname = v; break;
	case OPT_READ_ONLY: a->read_only = true; break;
	case OPT_NETWORK: a->network = v; break;
	case OPT_PRESERVE_FDS: a->preserve_fds = v; break;
	case OPT_DEVCG: a->device_cgroup = v; break;
	case OPT_EXACT: a->exact = true; break;
	case OPT_ENV:
		if (a->nenv >= MAX_ENV)
			return run_error(g, "too many --env options (%s)", v);
		a->env[a->nenv++] = v;
		break;
	}
	return 0;
}

static int parse_args(struct cli *g, struct run_args *a, int argc, char **argv)
{
	int first, rc = cli_parse(g, argc, argv, take, a, NULL, &first);

	if (rc)
		return rc;
	if (first >= argc)
		return run_error(g, "%s", "no command given: secprof run [OPTIONS] [--] CMD [ARG...]");
	a->argv = argv + first;
	return 0;
}

/* What Docker puts in a container's environment: PATH (unless given),
 * HOSTNAME, then -e values; runc adds HOME later (run.c). -e KEY takes
 * KEY from secprof's environment and is left out when unset there. */
static char **build_env(const struct run_args *a, const char *hostname)
{
	char **env = calloc(a->nenv + 3, sizeof(*env));
	size_t n = 0;
	bool has_path = false;

	if (!env)
		return NULL;
	for (size_t i = 0; i < a->nenv; i++)
		if (!strncmp(a->env[i], "PATH=", 5) || !strcmp(a->env[i], "PATH"))
			has_path = true;
	if (!has_path)
		env[n++] = strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (asprintf(&env[n], "HOSTNAME=%s", hostname) >= 0)
		n++;
	for (size_t i = 0; i < a->nenv; i++) {
		const char *e = a->env[i], *v;
		if (strchr(e, '=')) {
			env[n++] = strdup(e);
		} else if ((v = getenv(e)) && asprintf(&env[n], "%s=%s", e, v) >= 0) {
			n++;
		}
	}
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* Docker takes the privileged set and checks --cap-add against the caps
 * the daemon holds (docs/COMPAT.md §3.4): here, secprof's own effective set. */
static secprof_caps own_effective_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (secprof_caps)data[0].effective | (secprof_caps)data[1].effective << 32;
}

/* moby validates both lists at create time and wraps the first unknown
 * name as "invalid CapAdd: ..." / "invalid CapDrop: ..." (docs/COMPAT.md §3.4). */
static int validate_cap_names(const struct cli *g, const char *const *list, size_t n,
			      const char *what)
{
	for (size_t i = 0; i < n; i++) {
		char norm[64];
		size_t k = 0;

		if (!strcasecmp(list[i], "ALL") || secprof_cap_from_name(list[i]) >= 0)
			continue;
		if (strncasecmp(list[i], "CAP_", 4))
			k = (size_t)snprintf(norm, sizeof(norm), "CAP_");
		for (const char *c = list[i]; *c && k + 1 < sizeof(norm); c++)
			norm[k++] = (char)toupper((unsigned char)*c);
		norm[k] = '\0';
		return run_error(g, "invalid %s: unknown capability: \"%s\"", what, norm);
	}
	return 0;
}

static int print_and_exit(const struct cli *g, const secprof_error *err)
{
	cli_print_error(g, err);
	return SP_EXIT_ERROR;
}

/* Load, resolve against exactly the container's caps and compile. *prog
 * stays NULL when the result is unconfined. */
static int build_filter(struct cli *g, const struct run_args *a, secprof_caps caps,
			secprof_prog **prog)
{
	enum secprof_decision d;
	secprof_error err = { 0 };
	secprof_resolve_opts ro = { .caps = caps };
	secprof_compile_opts co = { .exact_libseccomp = a->exact };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	int rc = SP_EXIT_ERROR;

	*prog = NULL;
	if (secprof_decide(a->seccomp, a->caps.privileged, &d, &err) < 0)
		return print_and_exit(g, &err);
	if (d == SECPROF_DECIDE_UNCONFINED)
		return 0;
	if (d == SECPROF_DECIDE_BUILTIN)
		p = secprof_profile_builtin(g->ctx, &err);
	else if (access(a->seccomp, R_OK) < 0)
		/* docker/cli's wording (docs/COMPAT.md §3.1). */
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "opening seccomp profile (%s) failed: open %s: %s", a->seccomp,
			    a->seccomp, strerror(errno));
	else
		p = secprof_profile_load_file(g->ctx, a->seccomp, &err);
	if (p)
		r = secprof_resolve(g->ctx, p, &ro, &err);
	if (r && !secprof_resolved_unconfined(r))
		*prog = secprof_compile(g->ctx, r, &co, &err);
	if (r && (secprof_resolved_unconfined(r) || *prog))
		rc = 0;
	else
		cli_print_error(g, &err);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

static int set_options(const struct cli *g, const struct run_args *a, struct sp_run_opts *o)
{
	if (a->user && !a->user[0])
		return run_error(g, "%s", "--user needs a name or uid");
	o->user = a->user;
	if (a->workdir && a->workdir[0] != '/')
		return run_error(g, "the working directory '%s' is invalid, it needs to be an absolute path",
				 a->workdir);
	if (a->network && strcmp(a->network, "none") && strcmp(a->network, "host"))
		return run_error(g, "--network takes none or host, got '%s'", a->network);
	if (!a->rootfs && (a->hostname || a->read_only || a->network || a->device_cgroup))
		return run_error(g, "%s", "--hostname, --read-only, --network and --device-cgroup need --rootfs");
	if (a->preserve_fds) {
		uint64_t n;
		if (!cli_number(a->preserve_fds, 65536, &n, NULL))
			return run_error(g, "invalid --preserve-fds '%s': a number of fds is needed",
					 a->preserve_fds);
		o->preserve_fds = (unsigned)n;
	}
	if (a->device_cgroup) {
		if (!strcmp(a->device_cgroup, "auto"))
			o->devcg = SP_DEVCG_AUTO;
		else if (!strcmp(a->device_cgroup, "v1"))
			o->devcg = SP_DEVCG_V1;
		else if (!strcmp(a->device_cgroup, "v2"))
			o->devcg = SP_DEVCG_V2;
		else
			return run_error(g, "--device-cgroup takes auto, v1 or v2, got '%s'", a->device_cgroup);
	}
	o->no_new_privs = a->nnp;
	o->workdir = a->workdir;
	o->argv = a->argv;
	o->rootfs = a->rootfs;
	o->hostname = a->hostname;
	o->read_only = a->read_only;
	o->privileged = a->caps.privileged;
	o->net = a->network && !strcmp(a->network, "host") ? SP_NET_HOST : SP_NET_NONE;
	return 0;
}

int cmd_run(struct cli *g, int argc, char **argv)
{
	struct run_args a = { 0 };
	struct sp_run_opts o = { 0 };
	secprof_error err = { 0 };
	secprof_prog *prog = NULL;
	char host[256] = "secprof";
	char **env;
	int status;

	int rc = parse_args(g, &a, argc, argv);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (set_options(g, &a, &o))
		return SP_EXIT_ERROR;
	/* docker run is silent about names runc skips (a debug log in runc,
	 * docs/COMPAT.md §4.1.2); `secprof check` is where those warnings belong. */
	if (!g->strict)
		secprof_ctx_set_warn(g->ctx, NULL, NULL);
	if (validate_cap_names(g, a.caps.cap_add, a.caps.nadd, "CapAdd") ||
	    validate_cap_names(g, a.caps.cap_drop, a.caps.ndrop, "CapDrop"))
		return SP_EXIT_ERROR;
	if (secprof_caps_tweak(a.caps.cap_add, a.caps.nadd, a.caps.cap_drop, a.caps.ndrop,
			       a.caps.privileged, own_effective_caps(), &o.caps, &err) < 0)
		return print_and_exit(g, &err);
	if (build_filter(g, &a, o.caps, &prog))
		return SP_EXIT_ERROR;
	/* runc hands a NOTIFY filter's listener to listenerPath and refuses
	 * to start without one (docs/COMPAT.md §4.1.4); secprof run has none to offer. */
	if (prog && prog->needs_listener) {
		secprof_prog_free(prog);
		return run_error(g, "%s", "seccomp listenerPath is not set: secprof run cannot serve SCMP_ACT_NOTIFY rules");
	}
	o.prog = prog;
	if (a.hostname)
		snprintf(host, sizeof(host), "%s", a.hostname);
	else if (!a.rootfs)
		gethostname(host, sizeof(host) - 1);
	env = build_env(&a, host);
	if (!env) {
		secprof_prog_free(prog);
		return run_error(g, "%s", "out of memory");
	}
	o.envp = env;
	fflush(NULL);
	status = sp_run(&o, &err);
	if (err.code)
		cli_print_error(g, &err);
	free_env(env);
	secprof_prog_free(prog);
	return status;
}
