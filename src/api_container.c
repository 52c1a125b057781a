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

int secprof_container_run(secprof_ctx *ctx, const secprof_container_opts *a, secprof_error *err)
{
	return sp_api_container_run(ctx, a, NULL, err);
}

int sp_api_container_run(secprof_ctx *ctx, const secprof_container_opts *a,
			 const struct sp_run_hook *hook, secprof_error *err)
{
	secprof_run_opts o = { 0 };
	secprof_compile_opts co = { .exact_libseccomp = a->exact_libseccomp };
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
	status = sp_api_run(&o, hook, err);
	free_env(env);
	secprof_prog_free(prog);
	return status;
}
