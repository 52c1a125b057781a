/* cmd_run.c - `secprof run [OPTIONS] [--] CMD [ARG...]`: docker run's
 * security options applied to a command, or to a root filesystem with
 * --rootfs (docs/COMPAT.md §3). Every failure of secprof itself exits 125, as docker
 * run does, and the command is never started without the filter it asked for. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_ENV 256

struct run_args {
	const char *seccomp; /* NULL: not set */
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
	bool newer;               /* --newer-syscalls */
	bool explain;             /* --explain[=FILE] */
	const char *explain_file; /* NULL: the report goes to stderr */
	const char *filter_cache; /* --filter-cache DIR */
	bool no_filter_cache;     /* --no-filter-cache */
	char **argv;
	/* images, layers, mounts, terminal (secprof_container_ext) */
	secprof_container_ext x;
	const char *volumes[MAX_ENV], *mounts[MAX_ENV], *tmpfs[MAX_ENV];
	/* --security-opt apparmor=P or label=L: accepted, not applied; said
	 * once every option is read, -q among them */
	const char *unapplied[MAX_ENV];
	size_t nunapplied;
};

enum {
	OPT_SECURITY = 1,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_USER,
	OPT_WORKDIR,
	OPT_ENV,
	OPT_ROOTFS,
	OPT_HOSTNAME,
	OPT_READ_ONLY,
	OPT_NETWORK,
	OPT_PRESERVE_FDS,
	OPT_DEVCG,
	OPT_EXACT,
	OPT_NEWER,
	OPT_EXPLAIN,
	OPT_IMAGE,
	OPT_CACHE,
	OPT_UPPER,
	OPT_RM,
	OPT_INTERACTIVE,
	OPT_TTY,
	OPT_VOLUME,
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_NAME,
	OPT_ENTRYPOINT,
	OPT_INIT,
	OPT_VOLUME_DIR,
	OPT_FILTER_CACHE,
	OPT_NO_FILTER_CACHE,
	OPT_UNSUPPORTED = 500, /* + the row's index among them */
};

/* docker run's spellings, -h (--hostname) included; --help stays long. */
static const struct cli_opt run_opts[] = {
	{ "security-opt", 0, OPT_SECURITY, CLI_ARG, "OPT",
	  "seccomp=PATH|unconfined|builtin (also seccomp:PATH), or\n"
	  "no-new-privileges[=true|false] (repeatable)",
	  CLI_C_WORDS, "seccomp=builtin seccomp=unconfined no-new-privileges", false },
	{ "cap-add", 0, OPT_CAP_ADD, CLI_ARG, "CAP", "add a capability (repeatable)", CLI_C_CAP,
	  NULL, false },
	{ "cap-drop", 0, OPT_CAP_DROP, CLI_ARG, "CAP", "drop a capability (repeatable)", CLI_C_CAP,
	  NULL, false },
	{ "privileged", 0, OPT_PRIVILEGED, CLI_NOARG, NULL,
	  "every capability, as docker run --privileged", CLI_C_NONE, NULL, false },
	{ "user", 'u', OPT_USER, CLI_ARG, "USER", "NAME|UID[:GROUP|GID] to run as", CLI_C_NONE,
	  NULL, false },
	{ "workdir", 'w', OPT_WORKDIR, CLI_ARG, "DIR", "working directory (absolute)", CLI_C_DIR,
	  NULL, false },
	{ "env", 'e', OPT_ENV, CLI_ARG, "KEY[=VALUE]",
	  "set a variable; KEY alone takes secprof's value (repeatable)", CLI_C_NONE, NULL, false },
	{ "rootfs", 0, OPT_ROOTFS, CLI_ARG, "DIR", "run in a container on this root filesystem",
	  CLI_C_DIR, NULL, false },
	{ "hostname", 'h', OPT_HOSTNAME, CLI_ARG, "NAME",
	  "the container's hostname (needs --rootfs)", CLI_C_NONE, NULL, false },
	{ "read-only", 0, OPT_READ_ONLY, CLI_NOARG, NULL,
	  "mount the root filesystem read-only (needs --rootfs)", CLI_C_NONE, NULL, false },
	{ "network", 0, OPT_NETWORK, CLI_ARG, "MODE", "none or host (needs --rootfs)", CLI_C_WORDS,
	  "none host", false },
	{ "net", 0, OPT_NETWORK, CLI_ARG, "MODE", "alias of --network", CLI_C_WORDS, "none host",
	  true },
	{ "preserve-fds", 0, OPT_PRESERVE_FDS, CLI_ARG, "N",
	  "pass fds 3..3+N-1 on (as runc); every other fd above 2 is closed", CLI_C_NONE, NULL,
	  false },
	{ "device-cgroup", 0, OPT_DEVCG, CLI_ARG, "MODE",
	  "auto, v1 or v2: how --rootfs enforces Docker's device rules", CLI_C_WORDS, "auto v1 v2",
	  false },
	{ "exact-libseccomp", 0, OPT_EXACT, CLI_NOARG, NULL,
	  "the filter runc builds: arguments the kernel reads as\n"
	  "32-bit types compared on all 64 bits, as libseccomp does",
	  CLI_C_NONE, NULL, false },
	{ "newer-syscalls", 0, OPT_NEWER, CLI_NOARG, NULL,
	  "compile names libseccomp 2.5.4 (Debian 12's runc) does not\n"
	  "know (mseal, listmount...) as the profile says; by default\n"
	  "they are skipped, as that runc skips them",
	  CLI_C_NONE, NULL, false },
	{ "explain", 0, OPT_EXPLAIN, CLI_OPTARG, "FILE",
	  "report every denied call at exit, once with a count: the\n"
	  "call decoded, its caller, the rule and what would allow it\n"
	  "(to stderr, or JSON lines to FILE); the command sees the\n"
	  "same results (user notification answered with the real\n"
	  "filter's verdict)",
	  CLI_C_FILE, NULL, false },
	{ "image", 0, OPT_IMAGE, CLI_ARG, "REF",
	  "run a container of this image: a docker save archive,\n"
	  "an OCI layout (oci:PATH[:TAG]) or docker-archive:PATH[:REPO:TAG];\n"
	  "its Entrypoint, Cmd, Env, WorkingDir and User apply",
	  CLI_C_FILE, NULL, false },
	{ "cache", 0, OPT_CACHE, CLI_ARG, "DIR",
	  "unpacked layers (default /var/cache/secprof/layers)", CLI_C_DIR, NULL, false },
	{ "upper", 0, OPT_UPPER, CLI_ARG, "DIR",
	  "keep the container's writes in DIR (overlay upper and work);\n"
	  "without it they are thrown away at exit",
	  CLI_C_DIR, NULL, false },
	{ "rm", 0, OPT_RM, CLI_NOARG, NULL,
	  "accepted: the writable layer is always removed (see --upper)", CLI_C_NONE, NULL, false },
	{ "interactive", 'i', OPT_INTERACTIVE, CLI_NOARG, NULL,
	  "copy stdin to the container (without: /dev/null)", CLI_C_NONE, NULL, false },
	{ "tty", 't', OPT_TTY, CLI_NOARG, NULL, "run the command on a new pseudo-terminal",
	  CLI_C_NONE, NULL, false },
	{ "volume", 'v', OPT_VOLUME, CLI_ARG, "SPEC",
	  "HOST:CTR[:ro], NAME:CTR[:ro] or CTR (repeatable)", CLI_C_NONE, NULL, false },
	{ "mount", 0, OPT_MOUNT, CLI_ARG, "SPEC",
	  "type=bind|volume|tmpfs,target=...,... (repeatable)", CLI_C_NONE, NULL, false },
	{ "tmpfs", 0, OPT_TMPFS, CLI_ARG, "CTR[:OPTS]", "a tmpfs at CTR (repeatable)", CLI_C_NONE,
	  NULL, false },
	{ "name", 0, OPT_NAME, CLI_ARG, "NAME", "refuse to start while a run of this name is alive",
	  CLI_C_NONE, NULL, false },
	{ "entrypoint", 0, OPT_ENTRYPOINT, CLI_ARG, "CMD",
	  "replace the image's entrypoint (\"\" clears it)", CLI_C_NONE, NULL, false },
	{ "init", 0, OPT_INIT, CLI_NOARG, NULL, "accepted: secprof's init is always PID 1",
	  CLI_C_NONE, NULL, false },
	{ "volume-dir", 0, OPT_VOLUME_DIR, CLI_ARG, "DIR",
	  "named volumes (default /var/lib/secprof/volumes)", CLI_C_DIR, NULL, false },
	{ "filter-cache", 0, OPT_FILTER_CACHE, CLI_ARG, "DIR",
	  "compiled filters reused across runs (default\n"
	  "/var/cache/secprof/filters as root, else\n"
	  "$XDG_CACHE_HOME/secprof/filters)",
	  CLI_C_DIR, NULL, false },
	{ "no-filter-cache", 0, OPT_NO_FILTER_CACHE, CLI_NOARG, NULL,
	  "compile the filter every time (also SECPROF_NO_FILTER_CACHE=1)", CLI_C_NONE, NULL,
	  false },
	/* docker run options secprof does not do: named in the error, never
	 * ignored (hidden from --help). */
	{ "publish", 'p', OPT_UNSUPPORTED + 0, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "publish-all", 'P', OPT_UNSUPPORTED + 1, CLI_NOARG, NULL,
	  "not supported (an error naming it)", CLI_C_NONE, NULL, true },
	{ "detach", 'd', OPT_UNSUPPORTED + 2, CLI_NOARG, NULL, "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "restart", 0, OPT_UNSUPPORTED + 3, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "memory", 'm', OPT_UNSUPPORTED + 4, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "cpus", 0, OPT_UNSUPPORTED + 5, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "pids-limit", 0, OPT_UNSUPPORTED + 6, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "pid", 0, OPT_UNSUPPORTED + 7, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "ipc", 0, OPT_UNSUPPORTED + 8, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "userns", 0, OPT_UNSUPPORTED + 9, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "device", 0, OPT_UNSUPPORTED + 10, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "volumes-from", 0, OPT_UNSUPPORTED + 11, CLI_ARG, "X",
	  "not supported (an error naming it)", CLI_C_NONE, NULL, true },
	{ "env-file", 0, OPT_UNSUPPORTED + 12, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "ulimit", 0, OPT_UNSUPPORTED + 13, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "sysctl", 0, OPT_UNSUPPORTED + 14, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "runtime", 0, OPT_UNSUPPORTED + 15, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "platform", 0, OPT_UNSUPPORTED + 16, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "gpus", 0, OPT_UNSUPPORTED + 17, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "group-add", 0, OPT_UNSUPPORTED + 18, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "add-host", 0, OPT_UNSUPPORTED + 19, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "dns", 0, OPT_UNSUPPORTED + 20, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "link", 0, OPT_UNSUPPORTED + 21, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "label", 'l', OPT_UNSUPPORTED + 22, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "shm-size", 0, OPT_UNSUPPORTED + 23, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "userns-remap", 0, OPT_UNSUPPORTED + 24, CLI_ARG, "X",
	  "not supported (an error naming it)", CLI_C_NONE, NULL, true },
	{ "attach", 'a', OPT_UNSUPPORTED + 25, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ "pull", 0, OPT_UNSUPPORTED + 26, CLI_ARG, "X", "not supported (an error naming it)",
	  CLI_C_NONE, NULL, true },
	{ 0 },
};

const struct cli_spec cli_spec_run = {
	.synopsis = "[OPTIONS] [--] CMD [ARG...]",
	.description = "Run CMD as docker run would run it in a container: the profile resolved\n"
		       "for its capabilities and compiled as runc does, no_new_privs, user and\n"
		       "capabilities set as runc sets them; with --rootfs, in new namespaces on\n"
		       "that root filesystem, or on an image's layers with --image (CMD is\n"
		       "then optional); the root's writes go to a layer thrown away at exit\n"
		       "(--upper keeps it). Options end at CMD. The command never starts\n"
		       "without the filter it asked for.",
	.opts = run_opts,
	.in_order = true,
	.usage_exit = SECPROF_EXIT_ERROR,
	.operand = CLI_C_COMMAND,
};

#define run_error(g, ...) cli_fail(g, SECPROF_EXIT_ERROR, NULL, __VA_ARGS__)

/* strconv.ParseBool, which moby uses for no-new-privileges. */
static int parse_go_bool(const char *s, bool *out)
{
	/* char arrays, not pointers: no relocation at load */
	static const char yes[][6] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char no[][6] = { "0", "f", "F", "FALSE", "false", "False" };

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
	/* apparmor=unconfined is what secprof gives; on a host that runs
	 * AppArmor a container needs it said (secprof_container_ext.apparmor). */
	if (!strcmp(key, "apparmor"))
		a->x.apparmor = val;
	if (!strcmp(opt, "apparmor=unconfined") || !strcmp(opt, "apparmor:unconfined"))
		return 0;
	/* Accepted so that docker run lines work as they are, but said
	 * (warn_unapplied): secprof confines with seccomp, capabilities and
	 * namespaces only. */
	if (!strcmp(key, "apparmor") || !strcmp(key, "label")) {
		if (a->nunapplied < MAX_ENV)
			a->unapplied[a->nunapplied++] = opt;
		return 0;
	}
	if (!strcmp(key, "systempaths"))
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

	if (id >= OPT_UNSUPPORTED)
		for (const struct cli_opt *o = run_opts; o->name; o++)
			if (o->id == id)
				return run_error(
					g, "docker run option --%s is not supported by secprof run",
					o->name);

	switch (id) {
	case OPT_SECURITY: return security_opt(g, a, v) ? SECPROF_EXIT_ERROR : 0;
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
	case OPT_NEWER: a->newer = true; break;
	case OPT_EXPLAIN:
		a->explain = true;
		a->explain_file = v;
		break;
	case OPT_IMAGE: a->x.image = v; break;
	case OPT_CACHE: a->x.cache_dir = v; break;
	case OPT_UPPER: a->x.upper_dir = v; break;
	case OPT_VOLUME_DIR: a->x.volume_dir = v; break;
	case OPT_FILTER_CACHE: a->filter_cache = v; break;
	case OPT_NO_FILTER_CACHE: a->no_filter_cache = true; break;
	case OPT_RM:
	case OPT_INIT: break;
	case OPT_INTERACTIVE: a->x.interactive = true; break;
	case OPT_TTY: a->x.tty = true; break;
	case OPT_NAME: a->x.name = v; break;
	case OPT_ENTRYPOINT:
		a->x.entrypoint = v;
		a->x.entrypoint_set = true;
		break;
	case OPT_VOLUME:
	case OPT_MOUNT:
	case OPT_TMPFS: {
		const char **list = id == OPT_VOLUME  ? a->volumes
				    : id == OPT_MOUNT ? a->mounts
						      : a->tmpfs;
		size_t *n = id == OPT_VOLUME  ? &a->x.nvolumes
			    : id == OPT_MOUNT ? &a->x.nmounts
					      : &a->x.ntmpfs;
		if (*n >= MAX_ENV)
			return run_error(g, "too many mount options (%s)", v);
		list[(*n)++] = v;
		break;
	}
	case OPT_ENV:
		if (a->nenv >= MAX_ENV)
			return run_error(g, "too many --env options (%s)", v);
		a->env[a->nenv++] = v;
		break;
	}
	return 0;
}

static void warn_unapplied(const struct cli *g, const struct run_args *a)
{
	for (size_t i = 0; !g->quiet && i < a->nunapplied; i++)
		fprintf(stderr,
			"%s: warning: --security-opt %s is accepted but not applied: secprof run sets no %s\n",
			g->prog, a->unapplied[i],
			!strncmp(a->unapplied[i], "apparmor", 8) ? "AppArmor profile"
								 : "SELinux label");
}

static int parse_args(struct cli *g, struct run_args *a, int argc, char **argv)
{
	int first, rc = cli_parse(g, argc, argv, take, a, NULL, &first);

	if (rc)
		return rc;
	/* An image may give the command (its Entrypoint and Cmd). */
	if (first >= argc && !a->x.image)
		return run_error(g, "%s",
				 "no command given: secprof run [OPTIONS] [--] CMD [ARG...]");
	a->argv = argv + first;
	warn_unapplied(g, a);
	a->x.volumes = a->volumes;
	a->x.mounts = a->mounts;
	a->x.tmpfs = a->tmpfs;
	return 0;
}

/* What run prints of the library's warnings when not --strict: only
 * what predicts Docker and Podman (notes with path "runc" or "crun":
 * calls that runtime makes after the load that the profile denies;
 * "seccomp": a profile that leaves the container unconfined; "apparmor":
 * a host where Docker would add an AppArmor profile) and a filter cache
 * that is not used. */
static void run_notes(void *data, const secprof_error *w)
{
	static const char shown[][13] = { "runc", "crun", "seccomp", "apparmor", "filter-cache" };
	const struct cli *g = data;
	char buf[1400];
	bool show = false;

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		show = show || !strcmp(w->path, shown[i]);
	if (g->quiet || !show)
		return;
	fprintf(stderr, "%s: warning: %s\n", g->prog, secprof_error_format(w, buf, sizeof(buf)));
}

/* ---- --explain ------------------------------------------------------------ */

static void print_indented(FILE *f, const char *text, const char *indent)
{
	for (const char *s = text; s && *s;) {
		const char *e = strchrnul(s, '\n');
		fprintf(f, "%s%.*s\n", indent, (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
}

/* Text the command chose (its comm, the name of the file it calls from):
 * printable ASCII as it is, every other byte and the backslash escaped as
 * the call's strings are (decode.c put_str), so that no escape sequence,
 * carriage return or bidi override reaches the terminal and no line of
 * the report can be forged. */
static void put_untrusted(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void denial_text(FILE *f, const secprof_denial *d)
{
	char act[64];

	secprof_action_str(d->ret, act, sizeof(act));
	fprintf(f, "  %lux %s -> %s%s\n", d->count, d->call, act,
		d->benign ? " (benign: expected, the program falls back)" : "");
	fprintf(f, "      pid %d (", d->pid);
	put_untrusted(f, d->comm);
	fprintf(f, "), %s, called from ", d->arch ? d->arch : "unknown arch");
	put_untrusted(f, d->caller);
	fputc('\n', f);
	if (d->killed)
		fprintf(f,
			"      the kernel %s the process for it (from its audit record: no arguments)\n",
			(d->ret & 0xffff0000u) == 0x00030000u ? "sent SIGSYS to" : "killed");
	if (d->explain)
		print_indented(f, d->explain, "      ");
}

/* The report at exit: text to stderr, or JSON lines to FILE (one object
 * per distinct denial; a note, when there is one, as {"note": ...}). */
static int print_report(struct cli *g, const struct run_args *a, const secprof_live_report *r,
			FILE *f)
{
	if (!r) {
		fprintf(stderr, "%s: run --explain: out of memory building the report\n", g->prog);
		if (f != stderr)
			fclose(f);
		return -1;
	}
	if (r->note[0])
		fprintf(stderr, "%s: %s\n", g->prog, r->note);
	if (f == stderr) {
		if (r->served)
			fprintf(f, "%s: run --explain: %zu distinct denied call%s\n", g->prog,
				r->ndenials, r->ndenials == 1 ? "" : "s");
		for (size_t i = 0; i < r->ndenials; i++)
			denial_text(f, &r->denials[i]);
		return 0;
	}
	char *lines = NULL;
	secprof_error err = { 0 };
	if (cli_output_truncate(f) < 0 || secprof_live_report_json(r, &lines, &err) < 0) {
		cli_print_error(g, &err);
		fclose(f);
		return -1;
	}
	fputs(lines, f);
	free(lines);
	if (fclose(f) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", g->prog, a->explain_file,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int run_explained(struct cli *g, const struct run_args *a, const secprof_container_opts *o)
{
	secprof_live_report *r = NULL;
	secprof_error err = { 0 };
	const char *why = NULL;
	FILE *f = a->explain_file ? cli_open_output(a->explain_file, o->preserve_fds, &why)
				  : stderr;
	int status;

	if (!f)
		return run_error(g, "%s: cannot write the report there: %s", a->explain_file, why);
	status = secprof_container_run_explain_ext(g->ctx, o, &a->x, &r, &err);
	if (err.code)
		cli_print_error(g, &err);
	/* the command's status is the one to return, even when the report
	 * cannot be written (that was said on stderr) */
	print_report(g, a, r, f);
	secprof_live_report_free(r);
	return status;
}

/* The filter cache's directory (README "The filter cache"): root's in
 * /var/cache like the layer cache, a user's in the XDG cache directory;
 * NULL (none) when turned off or there is no home to put it in. */
static const char *filter_cache_dir(const struct run_args *a, char *buf, size_t len)
{
	const char *off = getenv("SECPROF_NO_FILTER_CACHE"), *xdg, *home;

	if (a->no_filter_cache || (off && *off && strcmp(off, "0")))
		return NULL;
	if (a->filter_cache)
		return a->filter_cache;
	if (geteuid() == 0)
		return "/var/cache/secprof/filters";
	if ((xdg = getenv("XDG_CACHE_HOME")) && xdg[0] == '/')
		snprintf(buf, len, "%s/secprof/filters", xdg);
	else if ((home = getenv("HOME")) && home[0] == '/')
		snprintf(buf, len, "%s/.cache/secprof/filters", home);
	else
		return NULL;
	return buf;
}

int cmd_run(struct cli *g, int argc, char **argv)
{
	char cache_buf[4096];
	struct run_args a = { 0 };
	secprof_error err = { 0 };
	int status, rc = parse_args(g, &a, argc, argv);
	secprof_container_opts o = {
		.seccomp = a.seccomp,
		.no_new_privs = a.nnp,
		.cap_add = a.caps.cap_add,
		.ncap_add = a.caps.nadd,
		.cap_drop = a.caps.cap_drop,
		.ncap_drop = a.caps.ndrop,
		.privileged = a.caps.privileged,
		.user = a.user,
		.workdir = a.workdir,
		.env = a.env,
		.nenv = a.nenv,
		.argv = a.argv,
		.rootfs = a.rootfs,
		.hostname = a.hostname,
		.read_only = a.read_only,
		.network = a.network,
		.device_cgroup = a.device_cgroup,
		.exact_libseccomp = a.exact,
		.newer_syscalls = a.newer,
		.filter_cache = filter_cache_dir(&a, cache_buf, sizeof(cache_buf)),
	};

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (a.preserve_fds) {
		uint64_t n;
		if (!cli_number(a.preserve_fds, SECPROF_PRESERVE_FDS_MAX, &n, NULL))
			return run_error(g,
					 "invalid --preserve-fds '%s': a number of fds is needed",
					 a.preserve_fds);
		o.preserve_fds = (unsigned)n;
	}
	/* docker run is silent about names runc skips (a debug log in runc,
	 * docs/COMPAT.md §4.1.2); `secprof check` is where those warnings belong. */
	if (!g->strict)
		secprof_ctx_set_warn(g->ctx, run_notes, g);
	fflush(NULL); /* the command is forked: nothing buffered may be written twice */
	if (a.explain)
		return run_explained(g, &a, &o);
	status = secprof_container_run_ext(g->ctx, &o, &a.x, &err);
	if (err.code)
		cli_print_error(g, &err);
	return status;
}
