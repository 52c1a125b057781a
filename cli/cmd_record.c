/* cmd_record.c - `secprof record [OPTIONS] [--] CMD [ARG...]`: run CMD as
 * `secprof run` does and write the profile of what it called (from the
 * point where run loads the filter on), or `secprof record --merge A B...`:
 * the union of recorded profiles, or `secprof record --heal REPORT PROFILE`:
 * PROFILE plus what a run --explain report says it denied. A client of
 * secprof_record, secprof_recording_add_report and secprof_recording_write;
 * it only parses arguments and prints. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define MAX_ENV 256

struct record_args {
	const char *out;
	const char *backend;
	const char *runtime;
	const char *format;
	const char *name;
	const char *append;
	const char *pid, *cgroup, *duration;
	const char *base, *kernel, *heal;
	/* read before recording, so a bad --base or --kernel fails first */
	secprof_record_out_opts wopts;
	char *base_data;
	/* -o's file, opened before the command runs (cli_open_output), and
	 * --append's profile, read before it runs: both may be within the
	 * command's reach */
	FILE *outf;
	bool out_created; /* by open_out: removed if nothing is written */
	char *append_data;
	size_t append_len;
	bool no_args, merge, nnp, portable;
	struct cli_resolve_args caps;
	const char *user, *workdir, *rootfs;
	const char *env[MAX_ENV];
	size_t nenv;
};

enum {
	OPT_OUT = 1,
	OPT_BACKEND,
	OPT_RUNTIME,
	OPT_FORMAT,
	OPT_NAME,
	OPT_NO_ARGS,
	OPT_MERGE,
	OPT_APPEND,
	OPT_NNP,
	OPT_USER,
	OPT_WORKDIR,
	OPT_ENV,
	OPT_ROOTFS,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_PID,
	OPT_CGROUP,
	OPT_DURATION,
	OPT_PORTABLE,
	OPT_BASE,
	OPT_KERNEL,
	OPT_HEAL,
};

static const struct cli_opt record_opts[] = {
	{ "output", 'o', OPT_OUT, CLI_ARG, "FILE",
	  "write the profile here (default: standard output)", CLI_C_FILE, NULL, false },
	{ "backend", 0, OPT_BACKEND, CLI_ARG, "NAME",
	  "auto (eBPF when it loads, else notify), ebpf or notify", CLI_C_WORDS, "auto ebpf notify",
	  false },
	{ "no-args", 0, OPT_NO_ARGS, CLI_NOARG, NULL,
	  "no argument rules: allow each name seen whatever its arguments", CLI_C_NONE, NULL,
	  false },
	{ "runtime", 0, OPT_RUNTIME, CLI_ARG, "NAME",
	  "also allow what runc, crun or secprof (the default) call\n"
	  "after loading the filter; none: only what was recorded",
	  CLI_C_WORDS, "runc crun secprof none", false },
	{ "portable", 0, OPT_PORTABLE, CLI_NOARG, NULL,
	  "also allow the equivalents another libc may call (open/openat,\n"
	  "the stat family, dup2/dup3, ...); clone3 and the calls newer\n"
	  "than the kernel (--kernel) the profile does not allow answer\n"
	  "ENOSYS, so a newer libc falls back",
	  CLI_C_NONE, NULL, false },
	{ "kernel", 0, OPT_KERNEL, CLI_ARG, "RELEASE",
	  "the kernel the profile is for (--portable, the base's\n"
	  "minKernel); default: the one recorded on (uname -r)",
	  CLI_C_NONE, NULL, false },
	{ "base", 0, OPT_BASE, CLI_ARG, "BASE",
	  "builtin or a profile: write BASE as it is plus an ALLOW\n"
	  "entry for each call recorded that falls to its default\n"
	  "action (decided as its compiled filter, for --cap-add/\n"
	  "--cap-drop); a call one of its rules answers keeps that\n"
	  "answer (a note says so)",
	  CLI_C_FILE, NULL, false },
	{ "format", 0, OPT_FORMAT, CLI_ARG, "FMT",
	  "docker (profile JSON), oci (linux.seccomp) or spo (SeccompProfile YAML)", CLI_C_WORDS,
	  "docker oci spo", false },
	{ "name", 0, OPT_NAME, CLI_ARG, "NAME", "metadata.name of the spo format", CLI_C_NONE, NULL,
	  false },
	{ "merge", 0, OPT_MERGE, CLI_NOARG, NULL,
	  "the operands are recorded profiles: write their union,\n"
	  "each call's run count in its comment",
	  CLI_C_NONE, NULL, false },
	{ "heal", 0, OPT_HEAL, CLI_ARG, "REPORT",
	  "the operand is the profile a `run --explain=REPORT` used: write\n"
	  "it plus an ALLOW entry for each call REPORT says it denied\n"
	  "(as --base does; back to the profile unless -o)",
	  CLI_C_FILE, NULL, false },
	{ "append", 0, OPT_APPEND, CLI_ARG, "FILE",
	  "merge this recording into FILE (written back unless -o)", CLI_C_FILE, NULL, false },
	{ "pid", 0, OPT_PID, CLI_ARG, "PID",
	  "record a running process, its threads and descendants\n"
	  "(eBPF) until it exits, --duration or SIGINT",
	  CLI_C_NONE, NULL, false },
	{ "cgroup", 0, OPT_CGROUP, CLI_ARG, "DIR",
	  "record every task of a cgroup v2 directory (eBPF) until\n"
	  "it is empty, --duration or SIGINT",
	  CLI_C_DIR, NULL, false },
	{ "duration", 0, OPT_DURATION, CLI_ARG, "SEC", "stop --pid or --cgroup after SEC seconds",
	  CLI_C_NONE, NULL, false },
	{ "security-opt", 0, OPT_NNP, CLI_ARG, "OPT",
	  "no-new-privileges: record as run with it (the filter is then\n"
	  "loaded just before execve)",
	  CLI_C_WORDS, "no-new-privileges", false },
	{ "user", 'u', OPT_USER, CLI_ARG, "USER", "NAME|UID[:GROUP|GID] to run as", CLI_C_NONE,
	  NULL, false },
	{ "workdir", 'w', OPT_WORKDIR, CLI_ARG, "DIR", "working directory (absolute)", CLI_C_DIR,
	  NULL, false },
	{ "env", 'e', OPT_ENV, CLI_ARG, "KEY[=VALUE]", "set a variable (repeatable)", CLI_C_NONE,
	  NULL, false },
	{ "rootfs", 0, OPT_ROOTFS, CLI_ARG, "DIR", "run in a container on this root filesystem",
	  CLI_C_DIR, NULL, false },
	{ "cap-add", 0, OPT_CAP_ADD, CLI_ARG, "CAP", "add a capability (repeatable)", CLI_C_CAP,
	  NULL, false },
	{ "cap-drop", 0, OPT_CAP_DROP, CLI_ARG, "CAP", "drop a capability (repeatable)", CLI_C_CAP,
	  NULL, false },
	{ "privileged", 0, OPT_PRIVILEGED, CLI_NOARG, NULL,
	  "every capability, as docker run --privileged", CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_record = {
	.synopsis =
		"[OPTIONS] [--] CMD [ARG...] | --pid PID | --cgroup DIR | --merge PROFILE... [-o OUT] | "
		"--heal REPORT PROFILE [-o OUT]",
	.description = "Run CMD as secprof run would (no filter) and write a Docker profile of\n"
		       "every system call it, its threads and its children made from the point\n"
		       "where run loads the filter: defaultAction SCMP_ACT_ERRNO (EPERM), the\n"
		       "names seen, and SCMP_CMP_EQ rules for the values of socket's family,\n"
		       "clone's and unshare's flags, personality and prctl's option. Calls are\n"
		       "recorded per ABI (x86_64, i386, x32). The eBPF backend (root) counts in\n"
		       "the kernel; the notify backend is a learning seccomp filter. With\n"
		       "--base, the base profile as it is plus what it does not allow. --heal\n"
		       "adds what a `secprof run --explain=REPORT` run denied to the profile it\n"
		       "ran under. Exits with CMD's status (125 when secprof itself fails).",
	.opts = record_opts,
	.in_order = true,
	.usage_exit = SECPROF_EXIT_ERROR,
	.operand = CLI_C_COMMAND,
};

#define rec_error(g, ...) cli_fail(g, SECPROF_EXIT_ERROR, "record", __VA_ARGS__)

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct record_args *a = data;

	switch (id) {
	case OPT_OUT: a->out = v; break;
	case OPT_BACKEND: a->backend = v; break;
	case OPT_RUNTIME: a->runtime = v; break;
	case OPT_FORMAT: a->format = v; break;
	case OPT_NAME: a->name = v; break;
	case OPT_NO_ARGS: a->no_args = true; break;
	case OPT_PORTABLE: a->portable = true; break;
	case OPT_BASE: a->base = v; break;
	case OPT_KERNEL: a->kernel = v; break;
	case OPT_HEAL: a->heal = v; break;
	case OPT_MERGE: a->merge = true; break;
	case OPT_APPEND: a->append = v; break;
	case OPT_PID: a->pid = v; break;
	case OPT_CGROUP: a->cgroup = v; break;
	case OPT_DURATION: a->duration = v; break;
	case OPT_NNP:
		if (strcmp(v, "no-new-privileges") && strcmp(v, "no-new-privileges=true"))
			return rec_error(
				g, "--security-opt takes only no-new-privileges here, got '%s'", v);
		a->nnp = true;
		break;
	case OPT_USER: a->user = v; break;
	case OPT_WORKDIR: a->workdir = v; break;
	case OPT_ROOTFS: a->rootfs = v; break;
	case OPT_PRIVILEGED: a->caps.privileged = true; break;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP: {
		const char **list = id == OPT_CAP_ADD ? a->caps.cap_add : a->caps.cap_drop;
		size_t *n = id == OPT_CAP_ADD ? &a->caps.nadd : &a->caps.ndrop;
		if (*n >= CLI_MAX_CAPS)
			return rec_error(g, "too many capability options (%s)", v);
		list[(*n)++] = v;
		break;
	}
	case OPT_ENV:
		if (a->nenv >= MAX_ENV)
			return rec_error(g, "too many --env options (%s)", v);
		a->env[a->nenv++] = v;
		break;
	}
	return 0;
}

static int read_profile(struct cli *g, const char *path, char **data, size_t *len)
{
	secprof_error err = { 0 };

	if (secprof_read_file(path, 64u << 20, "a profile", data, len, &err) < 0) {
		cli_print_error(g, &err);
		return SECPROF_EXIT_ERROR;
	}
	return 0;
}

static int merge_data(struct cli *g, secprof_recording *r, const char *data, size_t len,
		      const char *path)
{
	secprof_error err = { 0 };

	if (secprof_recording_merge_profile(r, data, len, path, &err) < 0) {
		cli_print_error(g, &err);
		return SECPROF_EXIT_ERROR;
	}
	return 0;
}

static int merge_file(struct cli *g, secprof_recording *r, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	int rc = read_profile(g, path, &data, &len);

	if (!rc)
		rc = merge_data(g, r, data, len, path);
	free(data);
	return rc;
}

/* Numbers no table names cannot be written in a Docker profile: said. */
static void report(const struct cli *g, const secprof_recording *r, bool merged)
{
	size_t n = secprof_recording_count(r), unnamed = 0;
	uint64_t calls = 0;

	for (size_t i = 0; i < n; i++) {
		secprof_recorded_call c;
		secprof_recording_call(r, i, &c);
		calls += c.count;
		if (!c.name) {
			unnamed++;
			fprintf(stderr,
				"%s: record: %s call number %d has no name in secprof's table: not in the profile\n",
				g->prog, c.arch, (int)c.nr);
		}
		/* i386's socketcall: socket's family sits behind its pointer,
		 * which no filter reads (README "Recording a profile") */
		if (!merged && c.name && !strcmp(c.name, "socketcall"))
			fprintf(stderr,
				"%s: record: warning: socketcall (%s) was called: the profile allows "
				"it, and socket's family sits behind its pointer, which no filter "
				"reads: %s sockets of every family\n",
				g->prog, c.arch, c.arch);
		/* More distinct values than one entry lists (32): the profile
		 * allows the call whatever the argument, which is said. */
		if (!merged && c.name && c.any_args && c.nvalues >= 32)
			fprintf(stderr,
				"%s: record: warning: %s (%s) was called with more than %zu distinct "
				"values of the argument profiles check: the profile allows it "
				"whatever that argument\n",
				g->prog, c.name, c.arch, c.nvalues);
	}
	if (secprof_recording_lost(r))
		fprintf(stderr,
			"%s: record: warning: %llu events could not be kept (a map was full); a "
			"call whose argument values were all lost is left out of the profile\n",
			g->prog, (unsigned long long)secprof_recording_lost(r));
	if (!g->quiet && !merged)
		fprintf(stderr, "%s: record: %llu calls, %zu distinct (ABI, number), backend %s\n",
			g->prog, (unsigned long long)calls, n, secprof_recording_backend(r));
}

static void print_note(void *data, const secprof_error *w)
{
	const struct cli *g = data;
	char buf[1400];

	if (!g->quiet)
		fprintf(stderr, "%s: record: note: %s\n", g->prog,
			secprof_error_format(w, buf, sizeof(buf)));
}

/* --base and --kernel, checked before anything is recorded: the base's
 * text and the container it is decided for. */
static int load_base(struct cli *g, struct record_args *a)
{
	secprof_record_out_opts *o = &a->wopts;
	secprof_error err = { 0 };
	size_t len = 0;
	const char *builtin;

	if (a->kernel && !cli_kernel(a->kernel, &o->kernel_major, &o->kernel_minor))
		return rec_error(g, "invalid --kernel '%s': a release as uname -r prints it",
				 a->kernel);
	if (!a->base)
		return 0;
	if (a->format && strcmp(a->format, "docker"))
		return rec_error(g, "%s", "--base writes a Docker profile: --format docker only");

	if (!strcmp(a->base, "builtin")) {
		builtin = secprof_builtin_json(&len);
		o->base_file = "builtin";
	} else {
		if (secprof_read_file(a->base, 64u << 20, "a profile", &a->base_data, &len, &err) <
		    0) {
			cli_print_error(g, &err);
			return SECPROF_EXIT_ERROR;
		}
		builtin = a->base_data;
		o->base_file = a->base;
	}
	o->base = builtin;
	o->base_len = len;
	if (secprof_caps_tweak(a->caps.cap_add, a->caps.nadd, a->caps.cap_drop, a->caps.ndrop,
			       a->caps.privileged, secprof_caps_all(), &o->base_resolve.caps,
			       &err) < 0) {
		cli_print_error(g, &err);
		return SECPROF_EXIT_ERROR;
	}
	o->ctx = g->ctx;
	return 0;
}

static const char *out_path(const struct record_args *a)
{
	const char *path = a->out ? a->out : a->append;

	if (!path && a->heal && strcmp(a->base, "builtin"))
		path = a->base; /* healed in place */
	return path;
}

/* The output, opened once: before the command runs where there is one.
 * Not truncated until the profile is written, so that a failed recording
 * leaves the last one (and --append's) in place. */
static int open_out(struct cli *g, struct record_args *a)
{
	const char *path = out_path(a), *why = NULL;
	struct stat st;

	if (a->outf)
		return 0;
	a->out_created = path && strcmp(path, "-") && lstat(path, &st) < 0 && errno == ENOENT;
	if (!(a->outf = cli_open_output(path, 0, &why)))
		return rec_error(g, "cannot write %s: %s", path, why);
	return 0;
}

/* A recording that failed after open_out made its file leaves no empty
 * file behind: a script that goes on would hand Docker a profile it
 * refuses. Only the file open_out made, if it is still there and empty. */
static void remove_unwritten(const struct record_args *a)
{
	struct stat opened, now;

	if (!a->outf || a->outf == stdout || !a->out_created)
		return;
	if (fstat(fileno(a->outf), &opened) == 0 && opened.st_size == 0 &&
	    lstat(out_path(a), &now) == 0 && now.st_dev == opened.st_dev &&
	    now.st_ino == opened.st_ino)
		unlink(out_path(a));
}

static int write_out(struct cli *g, struct record_args *a, const secprof_recording *r)
{
	/* secprof by default: the profile is first used with `secprof run`,
	 * whose own calls after the filter-load point (an allocation, the
	 * user's files) vary with the allocator's state and the options, so
	 * one recording need not have seen them all. */
	secprof_record_out_opts o = a->wopts;
	secprof_error err = { 0 };
	const char *path = out_path(a);
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	o.no_args = a->no_args;
	o.name = a->name;
	o.portable = a->portable;
	/* secprof's own calls by default; --heal adds only what was denied */
	o.runtime = !a->runtime                  ? (a->heal ? NULL : "secprof")
		    : strcmp(a->runtime, "none") ? a->runtime
						 : NULL;
	if (o.base) /* what the base keeps answering its own way */
		secprof_ctx_set_warn(g->ctx, print_note, g);

	if (!a->format || !strcmp(a->format, "docker"))
		o.format = SECPROF_RECORD_DOCKER;
	else if (!strcmp(a->format, "oci"))
		o.format = SECPROF_RECORD_OCI;
	else if (!strcmp(a->format, "spo"))
		o.format = SECPROF_RECORD_SPO;
	else
		return rec_error(g, "--format takes docker, oci or spo, got '%s'", a->format);
	if (secprof_recording_write(r, &o, &text, &len, &err) < 0) {
		cli_print_error(g, &err);
		return SECPROF_EXIT_ERROR;
	}
	if ((rc = open_out(g, a)) != 0) {
		free(text);
		return rc;
	}
	f = a->outf;
	a->outf = NULL;
	if (cli_output_truncate(f) < 0) {
		free(text);
		fclose(f);
		return rec_error(g, "cannot write %s: %s", path, strerror(errno));
	}
	fwrite(text, 1, len, f);
	free(text);
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
		return rec_error(g, "cannot write %s: %s", path ? path : "standard output",
				 strerror(errno));
	return 0;
}

/* What a report asks for that Docker's default profile denies is said:
 * --heal allows whatever was denied, kexec_load as well as openat. */
static void warn_dangerous(const struct cli *g, const secprof_recording *r)
{
	for (size_t i = 0; !g->quiet && i < secprof_recording_count(r); i++) {
		secprof_recorded_call c;
		const char *why;

		secprof_recording_call(r, i, &c);
		if (!c.name || !(why = secprof_deny_reason(c.name)))
			continue;
		if (c.nvalues && !c.any_args)
			fprintf(stderr,
				"%s: record --heal: note: allowing %s (%s) for the argument values "
				"the report shows; Docker's default profile denies it for some: %s\n",
				g->prog, c.name, c.arch, why);
		else
			fprintf(stderr,
				"%s: record --heal: warning: allowing %s (%s) whatever its arguments, "
				"which Docker's default profile denies: %s\n",
				g->prog, c.name, c.arch, why);
	}
}

/* --heal: the profile (the base) plus what the report says it denied. */
static int heal(struct cli *g, struct record_args *a)
{
	secprof_recording *r = secprof_recording_new();
	secprof_error err = { 0 };
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!r)
		return rec_error(g, "%s", "out of memory");
	if (secprof_read_file(a->heal, 64u << 20, "a report", &data, &len, &err) < 0 ||
	    secprof_recording_add_report(r, data, len, a->heal, &err) < 0) {
		cli_print_error(g, &err);
		rc = SECPROF_EXIT_ERROR;
	} else {
		warn_dangerous(g, r);
		rc = write_out(g, a, r);
	}
	free(data);
	secprof_recording_free(r);
	return rc;
}

static volatile int stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* What the recorded processes may reach is read and opened first:
 * --append's profile, and the output (open_out). */
static int before_recording(struct cli *g, struct record_args *a)
{
	secprof_recording *check;
	int rc;

	if (a->append && (rc = read_profile(g, a->append, &a->append_data, &a->append_len)) != 0)
		return rc;
	/* A profile no recording can hold (secprof_recording_merge_profile)
	 * is refused before the command runs, not after. */
	if (a->append) {
		if (!(check = secprof_recording_new()))
			return rec_error(g, "out of memory");
		rc = merge_data(g, check, a->append_data, a->append_len, a->append);
		secprof_recording_free(check);
		if (rc != 0)
			return rc;
	}
	return open_out(g, a);
}

/* --pid / --cgroup: what runs already, recorded until it is gone. */
static int record_running(struct cli *g, struct record_args *a)
{
	secprof_record_target t = { .cgroup = a->cgroup, .stop = &stop_requested };
	secprof_recording *r = NULL;
	secprof_error err = { 0 };
	struct sigaction sa = { .sa_handler = on_stop };
	uint64_t v;
	int rc;

	if (a->pid) {
		if (!cli_number(a->pid, 0x7fffffff, &v, NULL) || !v)
			return rec_error(g, "invalid --pid '%s'", a->pid);
		t.pid = (int)v;
	}
	if (a->duration) {
		if (!cli_number(a->duration, 86400 * 365, &v, NULL))
			return rec_error(g, "invalid --duration '%s': seconds", a->duration);
		t.duration_ms = (unsigned)(v * 1000);
	}
	if ((rc = before_recording(g, a)) != 0)
		return rc;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = secprof_record_attach(g->ctx, &t, &r, &err);
	if (rc < 0) {
		cli_print_error(g, &err);
		return SECPROF_EXIT_ERROR;
	}
	if (a->append && (rc = merge_data(g, r, a->append_data, a->append_len, a->append)) != 0) {
		secprof_recording_free(r);
		return rc;
	}
	report(g, r, false);
	rc = write_out(g, a, r);
	secprof_recording_free(r);
	return rc;
}

static int record_main(struct cli *g, int argc, char **argv, struct record_args *a)
{
	secprof_record_opts ro = { 0 };
	secprof_recording *r = NULL;
	secprof_error err = { 0 };
	int first, status = 0, rc = cli_parse(g, argc, argv, take, a, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (a->runtime && strcmp(a->runtime, "runc") && strcmp(a->runtime, "crun") &&
	    strcmp(a->runtime, "secprof") && strcmp(a->runtime, "none"))
		return rec_error(g, "--runtime takes runc, crun, secprof or none, got '%s'",
				 a->runtime);
	if (a->heal) {
		/* `--heal REPORT PROFILE [-o OUT]`: options end at the operand */
		for (int i = first + 1; i < argc; i++) {
			if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
			    i + 1 < argc)
				a->out = argv[++i];
			else if (!strncmp(argv[i], "--output=", 9))
				a->out = argv[i] + 9;
			else
				first = argc; /* a second operand */
		}
		if (first >= argc || a->base || a->merge || a->pid || a->cgroup)
			return rec_error(g, "%s",
					 "--heal takes one profile: secprof record --heal REPORT "
					 "builtin|PROFILE [-o OUT]");
		a->base = argv[first];
	}
	rc = load_base(g, a);
	if (rc)
		return rc;
	if (a->heal)
		return heal(g, a);
	if (a->merge) {
		if (first >= argc)
			return rec_error(
				g, "%s",
				"--merge needs recorded profiles: secprof record --merge A B... [-o OUT]");
		if (!(r = secprof_recording_new()))
			return rec_error(g, "%s", "out of memory");
		/* Options end at the first operand (CMD's own follow it), so
		 * `--merge A B -o OUT` reads its -o here. */
		for (int i = first; i < argc && !rc; i++) {
			if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
			    i + 1 < argc)
				a->out = argv[++i];
			else if (!strncmp(argv[i], "--output=", 9))
				a->out = argv[i] + 9;
			else
				rc = merge_file(g, r, argv[i]);
		}
		if (!rc) {
			report(g, r, true);
			rc = write_out(g, a, r);
		}
		secprof_recording_free(r);
		return rc;
	}
	if (a->pid || a->cgroup) {
		if (first < argc || (a->pid && a->cgroup))
			return rec_error(g, "%s",
					 "--pid and --cgroup take no command, and not both");
		if (a->backend && strcmp(a->backend, "ebpf") && strcmp(a->backend, "auto"))
			return rec_error(g, "%s", "--pid and --cgroup need the eBPF backend");
		rc = record_running(g, a);
		return rc;
	}
	if (first >= argc)
		return rec_error(g, "%s",
				 "no command given: secprof record [OPTIONS] [--] CMD [ARG...]");
	if (!a->backend || !strcmp(a->backend, "auto"))
		ro.backend = SECPROF_RECORD_AUTO;
	else if (!strcmp(a->backend, "ebpf"))
		ro.backend = SECPROF_RECORD_EBPF;
	else if (!strcmp(a->backend, "notify"))
		ro.backend = SECPROF_RECORD_NOTIFY;
	else
		return rec_error(g, "--backend takes auto, ebpf or notify, got '%s'", a->backend);
	ro.run = (secprof_container_opts){
		.no_new_privs = a->nnp,
		.cap_add = a->caps.cap_add,
		.ncap_add = a->caps.nadd,
		.cap_drop = a->caps.cap_drop,
		.ncap_drop = a->caps.ndrop,
		.privileged = a->caps.privileged,
		.user = a->user,
		.workdir = a->workdir,
		.env = a->env,
		.nenv = a->nenv,
		.argv = argv + first,
		.rootfs = a->rootfs,
	};
	if (!g->strict)
		secprof_ctx_set_warn(g->ctx, NULL, NULL);
	rc = before_recording(g, a);
	if (rc)
		return rc;
	fflush(NULL); /* the command is forked: nothing buffered may be written twice */
	if (secprof_record(g->ctx, &ro, &r, &status, &err) < 0) {
		cli_print_error(g, &err);
		return status ? status : SECPROF_EXIT_ERROR;
	}
	if (a->append && (rc = merge_data(g, r, a->append_data, a->append_len, a->append)) != 0) {
		secprof_recording_free(r);
		return rc;
	}
	report(g, r, false);
	rc = write_out(g, a, r);
	secprof_recording_free(r);
	return rc ? rc : status;
}

int cmd_record(struct cli *g, int argc, char **argv)
{
	struct record_args a = { 0 };
	int rc = record_main(g, argc, argv, &a);

	if (rc)
		remove_unwritten(&a);
	if (a.outf && a.outf != stdout)
		fclose(a.outf);
	free(a.base_data);
	free(a.append_data);
	return rc;
}
