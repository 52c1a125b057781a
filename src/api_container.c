/* api_container.c - secprof_container_run: what the daemon and runc do
 * with `docker run`'s security options before the command starts (moby's
 * container create checks, TweakCapabilities, the seccomp decision, the
 * environment Docker builds), on top of secprof_run. The CLI only parses
 * arguments and prints. */
#include <ctype.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "bpf/bpf.h"
#include "sandbox/notify.h"
#include "sandbox/run.h"
#include "secprof.h"
#include "api.h"
#include "core/util.h"

/* Docker takes the privileged set and checks --cap-add against the caps
 * the daemon holds (docs/COMPAT.md §3.4): here, this process's effective set. */
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
 * name as "invalid CapAdd: ..." / "invalid CapDrop: ..." (docs/COMPAT.md §3.4;
 * daemon/caps NormalizeLegacyCapabilities + ValidateCapabilities). */
static int validate_cap_names(const char *const *list, size_t n, const char *what,
			      secprof_error *err)
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
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "invalid %s: unknown capability: \"%s\"",
			      what, norm);
	}
	return 0;
}

/* The options moby refuses before anything runs; fills the runc-level
 * options from them. */
static int check_options(const secprof_container_opts *a, secprof_run_opts *o, secprof_error *err)
{
#define REFUSE(...) return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, __VA_ARGS__)
	if (!a->argv || !a->argv[0])
		REFUSE("no command given");
	if (a->user && !a->user[0])
		REFUSE("--user needs a name or uid");
	/* moby's daemon: "the working directory '%s' is invalid, it needs to
	 * be an absolute path" (daemon/create.go verifyContainerSettings) */
	if (a->workdir && a->workdir[0] != '/')
		REFUSE("the working directory '%s' is invalid, it needs to be an absolute path", a->workdir);
	if (a->network && strcmp(a->network, "none") && strcmp(a->network, "host"))
		REFUSE("--network takes none or host, got '%s'", a->network);
	if (!a->rootfs && (a->hostname || a->read_only || a->network || a->device_cgroup))
		REFUSE("--hostname, --read-only, --network and --device-cgroup need --rootfs");
	if (a->device_cgroup) {
		if (!strcmp(a->device_cgroup, "auto"))
			o->devcg = SECPROF_DEVCG_AUTO;
		else if (!strcmp(a->device_cgroup, "v1"))
			o->devcg = SECPROF_DEVCG_V1;
		else if (!strcmp(a->device_cgroup, "v2"))
			o->devcg = SECPROF_DEVCG_V2;
		else
			REFUSE("--device-cgroup takes auto, v1 or v2, got '%s'", a->device_cgroup);
	}
#undef REFUSE
	o->user = a->user;
	o->workdir = a->workdir;
	o->no_new_privs = a->no_new_privs;
	o->argv = a->argv;
	o->preserve_fds = a->preserve_fds;
	o->rootfs = a->rootfs;
	o->hostname = a->hostname;
	o->read_only = a->read_only;
	o->privileged = a->privileged;
	o->net = a->network && !strcmp(a->network, "host") ? SECPROF_NET_HOST : SECPROF_NET_NONE;
	return 0;
}

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* What Docker puts in a container's environment: PATH (unless given),
 * HOSTNAME, then -e values; runc adds HOME later (run.c). -e KEY takes
 * KEY from this process's environment and is left out when unset there. */
static char **build_env(const secprof_container_opts *a, const char *hostname)
{
	char **env = calloc(a->nenv + 3, sizeof(*env));
	size_t n = 0;
	bool has_path = false;

	if (!env)
		return NULL;
	for (size_t i = 0; i < a->nenv; i++)
		if (!strncmp(a->env[i], "PATH=", 5) || !strcmp(a->env[i], "PATH"))
			has_path = true;
	if (!has_path && !(env[n++] = strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")))
		goto oom;
	if (asprintf(&env[n], "HOSTNAME=%s", hostname) < 0) {
		env[n] = NULL;
		goto oom;
	}
	n++;
	for (size_t i = 0; i < a->nenv; i++) {
		const char *e = a->env[i], *v;
		if (strchr(e, '=')) {
			if (!(env[n++] = strdup(e)))
				goto oom;
		} else if ((v = getenv(e))) {
			if (asprintf(&env[n], "%s=%s", e, v) < 0) {
				env[n] = NULL;
				goto oom;
			}
			n++;
		}
	}
	return env;
oom:
	free_env(env);
	return NULL;
}

/* What run --explain adds to a run (secprof_container_run_explain). */
struct live_req {
	struct sp_live lv;
	secprof_caps caps;  /* the container's, for explaining afterwards */
	bool served;        /* the supervisor ran (else note says why not) */
	bool unconfined;
	char note[512];
};

static int container_run(secprof_ctx *ctx, const secprof_container_opts *a, struct live_req *lr,
			 const struct sp_run_hook *hook, secprof_error *err);

/* What secprof run does not show by itself, as notes (path "runc" or
 * "seccomp"; `secprof run` prints these even when it silences the
 * profile's other warnings): a profile that resolves to no filter at all
 * (neither defaultAction nor syscalls, e.g. a misspelled default_action,
 * which Docker ignores), and the calls runc makes after loading the filter
 * that it denies, where docker run would fail and secprof run starts. */
static void predict_runtime(secprof_ctx *ctx, const secprof_container_opts *a, const secprof_prog *prog)
{
	enum secprof_decision d;
	secprof_error e = { 0 };
	char msg[700];

	if (secprof_decide(a->seccomp, a->privileged, &d, &e) < 0)
		return;
	if (!prog) {
		if (d == SECPROF_DECIDE_CUSTOM)
			sp_note(ctx, a->seccomp, NULL, "seccomp",
				"the profile has neither defaultAction nor syscalls: the container runs "
				"unconfined (no seccomp filter), as Docker runs it");
		return;
	}
	if (secprof_runtime_note(prog->insns, prog->len, NULL, a->no_new_privs, msg, sizeof(msg)))
		sp_note(ctx, d == SECPROF_DECIDE_CUSTOM ? a->seccomp : NULL, NULL, "runc", "%s", msg);
}

/* run --explain's twin filter and supervisor, or the reason to fall back
 * to a plain run (the run itself goes on: the command behaves the same
 * either way, only the report is missing). 0, or SECPROF_EXIT_ERROR. */
static int live_prepare(struct live_req *lr, const secprof_prog *prog, secprof_caps caps,
			secprof_error *err)
{
	const char *why;

	lr->caps = caps;
	if (!prog) {
		lr->unconfined = true;
		snprintf(lr->note, sizeof(lr->note),
			 "run --explain: the container is unconfined (no filter): nothing is denied");
		return 0;
	}
	if (!sp_notify_available(&why)) {
		snprintf(lr->note, sizeof(lr->note),
			 "run --explain: %s; running without the live report (secprof explain PROFILE "
			 "SYSCALL still says why a call is denied)",
			 why);
		return 0;
	}
	lr->lv.real = prog;
	if (sp_live_twin(&lr->lv, err) < 0)
		return SECPROF_EXIT_ERROR;
	lr->served = true;
	return 0;
}

int secprof_container_run(secprof_ctx *ctx, const secprof_container_opts *a, secprof_error *err)
{
	return container_run(ctx, a, NULL, NULL, err);
}

int sp_api_container_run(secprof_ctx *ctx, const secprof_container_opts *a,
			 const struct sp_run_hook *hook, secprof_error *err)
{
	return container_run(ctx, a, NULL, hook, err);
}

/* lr: run --explain (NULL: a plain run); hook: secprof record (NULL: none) */
static int container_run(secprof_ctx *ctx, const secprof_container_opts *a, struct live_req *lr,
			 const struct sp_run_hook *hook, secprof_error *err)
{
	secprof_run_opts o = { 0 };
	secprof_compile_opts co = { .exact_libseccomp = a->exact_libseccomp,
				    .newer_syscalls = a->newer_syscalls };
	secprof_prog *prog = NULL;
	char host[256] = "secprof";
	char **env;
	int status;

	if (check_options(a, &o, err) < 0 ||
	    validate_cap_names(a->cap_add, a->ncap_add, "CapAdd", err) < 0 ||
	    validate_cap_names(a->cap_drop, a->ncap_drop, "CapDrop", err) < 0 ||
	    secprof_caps_tweak(a->cap_add, a->ncap_add, a->cap_drop, a->ncap_drop, a->privileged,
			       own_effective_caps(), &o.caps, err) < 0 ||
	    secprof_run_filter(ctx, a->seccomp, a->privileged, o.caps, &co, &prog, err) < 0)
		return SECPROF_EXIT_ERROR;
	/* runc hands a NOTIFY filter's listener to listenerPath and refuses
	 * to start without one (docs/COMPAT.md §4.1.4); there is none to offer. */
	if (prog && prog->needs_listener) {
		secprof_prog_free(prog);
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "seccomp listenerPath is not set: secprof run cannot serve SCMP_ACT_NOTIFY rules");
		return SECPROF_EXIT_ERROR;
	}
	o.prog = prog;
	predict_runtime(ctx, a, prog);
	if (lr && (status = live_prepare(lr, prog, o.caps, err)) != 0) {
		secprof_prog_free(prog);
		return status;
	}
	if (a->hostname)
		snprintf(host, sizeof(host), "%s", a->hostname);
	else if (!a->rootfs)
		gethostname(host, sizeof(host) - 1);
	if (!(env = build_env(a, host))) {
		secprof_prog_free(prog);
		sp_err_oom(err);
		return SECPROF_EXIT_ERROR;
	}
	o.envp = env;
	status = sp_api_run(&o, lr && lr->served ? &lr->lv : NULL, hook, err);
	free_env(env);
	secprof_prog_free(prog);
	return status;
}

/* ---- run --explain ------------------------------------------------------ */

/* The profile the run used, loaded again to explain each denial with
 * secprof_explain (the same resolution: this machine's arch and kernel,
 * the container's capabilities). NULL when there is none to explain. */
static secprof_profile *explain_profile(secprof_ctx *ctx, const secprof_container_opts *a)
{
	enum secprof_decision d;
	secprof_error e = { 0 };

	if (secprof_decide(a->seccomp, a->privileged, &d, &e) < 0 || d == SECPROF_DECIDE_UNCONFINED)
		return NULL;
	return d == SECPROF_DECIDE_BUILTIN ? secprof_profile_builtin(ctx, &e)
					   : secprof_profile_load_file(ctx, a->seccomp, &e);
}

static const secprof_arch *arch_named(const char *name)
{
	return name ? secprof_arch_lookup(name) : NULL;
}

static int fill_report(secprof_ctx *ctx, const secprof_container_opts *a, struct live_req *lr,
		       secprof_live_report *out)
{
	secprof_resolve_opts ro = { .caps = lr->caps };
	secprof_compile_opts co = { .exact_libseccomp = a->exact_libseccomp };
	secprof_profile *p = NULL;

	out->served = lr->served;
	snprintf(out->note, sizeof(out->note), "%s", lr->lv.note[0] ? lr->lv.note : lr->note);
	if (!lr->lv.ndenials)
		return 0;
	if (!(out->denials = calloc(lr->lv.ndenials, sizeof(*out->denials))))
		return -1;
	p = explain_profile(ctx, a);
	for (size_t i = 0; i < lr->lv.ndenials; i++) {
		const struct sp_denial *d = &lr->lv.denials[i];
		secprof_denial *o = &out->denials[out->ndenials++];
		secprof_data in = { .nr = d->nr, .arch = d->audit, .instruction_pointer = d->ip };
		secprof_error e = { 0 };

		memcpy(in.args, d->args, sizeof(in.args));
		o->count = d->count;
		o->pid = (int)d->pid;
		snprintf(o->comm, sizeof(o->comm), "%s", d->comm);
		o->arch = d->arch;
		o->audit = d->audit;
		o->nr = d->nr;
		o->name = d->name;
		memcpy(o->args, d->args, sizeof(o->args));
		o->ip = d->ip;
		snprintf(o->caller, sizeof(o->caller), "%s", d->caller);
		snprintf(o->call, sizeof(o->call), "%s", d->call);
		o->ret = d->ret;
		o->benign = d->benign;
		o->killed = d->killed;
		if (p) {
			const secprof_arch *abi = arch_named(d->arch);
			if (secprof_explain(ctx, p, &ro, &co, abi, &in, 0, &o->explain, &e) < 0)
				o->explain = NULL;
			if (secprof_explain(ctx, p, &ro, &co, abi, &in, SECPROF_EXPLAIN_JSON, &o->explain_json,
					    &e) < 0)
				o->explain_json = NULL;
		}
	}
	secprof_profile_free(p);
	return 0;
}

int secprof_container_run_explain(secprof_ctx *ctx, const secprof_container_opts *a,
				  secprof_live_report **report, secprof_error *err)
{
	struct live_req *lr = calloc(1, sizeof(*lr));
	secprof_live_report *out = calloc(1, sizeof(*out));
	int status;

	*report = NULL;
	if (!lr || !out) {
		free(lr);
		free(out);
		sp_err_oom(err);
		return SECPROF_EXIT_ERROR;
	}
	status = container_run(ctx, a, lr, NULL, err);
	if (fill_report(ctx, a, lr, out) < 0) {
		secprof_live_report_free(out);
		out = NULL;
	}
	sp_live_free(&lr->lv);
	free(lr);
	*report = out;
	return status;
}

void secprof_live_report_free(secprof_live_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ndenials; i++) {
		free(r->denials[i].explain);
		free(r->denials[i].explain_json);
	}
	free(r->denials);
	free(r);
}
