/* api_run.c - the public face of run.c, probe.c and info.c: Docker's
 * choice of filter for `docker run`, running a command under it, and the
 * view of a sandbox from the inside. The internal structs (run.h) carry
 * more than the public ones; these functions copy between the two so
 * neither layout binds the other. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "bpf/bpf.h"
#include "sandbox/run.h"
#include "sandbox/run.h"
#include "secprof.h"
#include "api.h"
#include "core/util.h"

_Static_assert((int)SECPROF_EXIT_ERROR == (int)SP_EXIT_ERROR &&
		       (int)SECPROF_EXIT_CANNOT_EXEC == (int)SP_EXIT_CANNOT_EXEC &&
		       (int)SECPROF_EXIT_NOT_FOUND == (int)SP_EXIT_NOT_FOUND,
	       "docker run's exit statuses");

/* A compile that also records its warnings for the cache (sp_warnlog),
 * passing each on to the caller's callback as it comes. */
struct warn_tee {
	struct sp_warnlog *log;
	secprof_warn_fn fwd;
	void *fwd_data;
};

static void warn_tee(void *data, const secprof_error *w)
{
	struct warn_tee *t = data;

	sp_warnlog_add(t->log, w);
	if (t->fwd)
		t->fwd(t->fwd_data, w);
}

/* Everything the program is a function of: the profile's bytes and the
 * name its warnings carry, the container's capabilities, the arch and
 * kernel it is resolved for (the running ones: uname's release as moby
 * reads it), the compile options; the build ID covers the code, the
 * syscall tables and the built-in profile (sp_progkey_init). */
static int filter_key(struct sp_progkey *k, const char *name, const char *data, size_t len,
		      const secprof_resolve_opts *ro, const secprof_compile_opts *co)
{
	const secprof_arch *native = secprof_arch_native();
	secprof_arch_info ai = { 0 };
	struct utsname u;
	uint8_t opts[4] = { co->no_enosys, co->exact_libseccomp, co->newer_syscalls,
			    (uint8_t)co->docker_reading };
	int32_t kernel[2] = { ro->kernel_major, ro->kernel_minor };

	if (!native || uname(&u) < 0 || sp_progkey_init(k) < 0)
		return -1;
	secprof_arch_get_info(native, &ai);
	sp_progkey_add_str(k, name);
	/* the built-in profile is part of the build: its ID stands for its
	 * bytes, which are not hashed again on every run */
	if (data == secprof_builtin_json(NULL))
		sp_progkey_add_str(k, "(built in)");
	else
		sp_progkey_add(k, data, len);
	sp_progkey_add(k, &ro->caps, sizeof(ro->caps));
	sp_progkey_add_str(k, ro->arch ? ro->arch : ai.name);
	sp_progkey_add(k, kernel, sizeof(kernel));
	sp_progkey_add_str(k, ro->kernel_major || ro->kernel_minor ? "" : u.release);
	/* an LXC policy is read for the host uname -m names (lxc.c
	 * sp_lxc_host_check), which a personality (linux32) changes */
	sp_progkey_add_str(k, ro->arch ? "" : u.machine);
	sp_progkey_add(k, opts, sizeof(opts));
	sp_progkey_done(k);
	return 0;
}

/* parse, resolve, compile: 0 with *prog (NULL: the profile resolves to
 * no filter), or a negative class. */
static int compile_bytes(secprof_ctx *ctx, const char *name, const char *data, size_t len,
			 const secprof_resolve_opts *ro, const secprof_compile_opts *co,
			 secprof_prog **prog, secprof_error *err)
{
	secprof_profile *p = secprof_profile_parse(ctx, data, len, name, err);
	secprof_resolved *r = NULL;
	int rc = -SECPROF_E_PROFILE;

	if (p)
		r = secprof_resolve(ctx, p, ro, err);
	if (r && !secprof_resolved_unconfined(r))
		*prog = secprof_compile(ctx, r, co, err);
	if (r && (secprof_resolved_unconfined(r) || *prog))
		rc = 0;
	else if (err->code)
		rc = -err->code;
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

/* docker/cli reads seccomp=PATH with os.ReadFile, so "-" is a file of
 * that name, not standard input as elsewhere in secprof (sp_read_file):
 * read as "./-", the file access() checks. Reading standard input after
 * checking the file let `seccomp=-` run under whatever came on stdin
 * ("{}": unconfined) where docker run applies the file "-". */
static const char *sp_run_profile_path(const char *seccomp_opt)
{
	return strcmp(seccomp_opt, "-") ? seccomp_opt : "./-";
}

int sp_run_filter(secprof_ctx *ctx, const char *seccomp_opt, bool privileged, secprof_caps caps,
		  const secprof_compile_opts *copts, const char *cache_dir, secprof_prog **prog,
		  char **text, size_t *text_len, secprof_error *err)
{
	enum secprof_decision d;
	secprof_resolve_opts ro = { .caps = caps };
	secprof_compile_opts co = { 0 };
	struct sp_warnlog log = { 0 };
	struct sp_progkey key;
	const char *name, *data;
	char *file = NULL;
	size_t len;
	int rc, dirfd = -1;

	*prog = NULL;
	if (copts)
		co = *copts;
	if ((rc = secprof_decide(seccomp_opt, privileged, &d, err)) < 0)
		return rc;
	if (d == SECPROF_DECIDE_UNCONFINED)
		return 0;
	if (d == SECPROF_DECIDE_BUILTIN) {
		/* compiled in: no file is read, hit or miss */
		name = "builtin";
		data = secprof_builtin_json(&len);
	} else if (access(sp_run_profile_path(seccomp_opt), R_OK) < 0) {
		/* docker/cli's wording: it reads the file before the daemon
		 * sees it (cli/command/container/opts.go parseSecurityOpts). */
		return sp_err_errno(err, NULL, "opening seccomp profile (%s) failed: open %s",
				    seccomp_opt, seccomp_opt);
	} else {
		/* the file just checked, never standard input (below) */
		if ((rc = sp_read_file(sp_run_profile_path(seccomp_opt), SECPROF_MAX_PROFILE_SIZE,
				       &file, &len, err)) < 0)
			return rc;
		name = seccomp_opt;
		data = file;
	}
	/* --strict turns the first warning into an error: that compile runs
	 * every time, as the cache keeps warnings, not their verdict. */
	if (cache_dir && !ctx->strict && filter_key(&key, name, data, len, &ro, &co) == 0 &&
	    (dirfd = sp_progcache_open(ctx, cache_dir)) >= 0 &&
	    (*prog = sp_progcache_get(dirfd, &key, &log))) {
		for (size_t i = 0; i < log.n; i++)
			if (ctx->warn)
				ctx->warn(ctx->warn_data, &log.w[i]);
		rc = 0;
		goto out;
	}
	if (dirfd >= 0) {
		struct warn_tee t = { .log = &log, .fwd = ctx->warn, .fwd_data = ctx->warn_data };
		sp_warnlog_free(&log);
		secprof_ctx_set_warn(ctx, warn_tee, &t);
		rc = compile_bytes(ctx, name, data, len, &ro, &co, prog, err);
		secprof_ctx_set_warn(ctx, t.fwd, t.fwd_data);
		if (rc == 0 && *prog)
			sp_progcache_put(dirfd, &key, *prog, &log);
	} else {
		rc = compile_bytes(ctx, name, data, len, &ro, &co, prog, err);
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	sp_warnlog_free(&log);
	/* the bytes the program was made from, for run --explain's report */
	if (text && rc == 0 && file) {
		*text = file;
		*text_len = len;
		file = NULL;
	}
	free(file);
	return rc;
}

int secprof_run_filter(secprof_ctx *ctx, const char *seccomp_opt, bool privileged,
		       secprof_caps caps, const secprof_compile_opts *copts, secprof_prog **prog,
		       secprof_error *err)
{
	return sp_run_filter(ctx, seccomp_opt, privileged, caps, copts, NULL, prog, NULL, NULL,
			     err);
}

int sp_api_run(const secprof_run_opts *o, struct sp_live *live, const struct sp_run_hook *hook,
	       secprof_error *err)
{
	struct sp_run_opts r = {
		.prog = o->prog,
		.caps = o->caps,
		.no_new_privs = o->no_new_privs,
		.user = o->user,
		.workdir = o->workdir,
		.argv = o->argv,
		.envp = o->envp,
		.preserve_fds = o->preserve_fds,
		.rootfs = o->rootfs,
		.hostname = o->hostname,
		.read_only = o->read_only,
		.privileged = o->privileged,
		.net = o->net == SECPROF_NET_HOST ? SP_NET_HOST : SP_NET_NONE,
		.devcg = o->devcg == SECPROF_DEVCG_V1   ? SP_DEVCG_V1
			 : o->devcg == SECPROF_DEVCG_V2 ? SP_DEVCG_V2
							: SP_DEVCG_AUTO,
		.live = live,
		.hook = hook,
	};
	uint64_t *caller_fds;
	int status;

	/* First thing: which of the preserved fds are the caller's. */
	if (sp_fds_sample(o->preserve_fds, &caller_fds, err) < 0)
		return SECPROF_EXIT_ERROR;
	r.preserved_open = caller_fds;
	status = sp_run(&r, err);
	free(caller_fds);
	return status;
}

int secprof_run(const secprof_run_opts *o, secprof_error *err)
{
	return sp_api_run(o, NULL, NULL, err);
}

int secprof_probe(secprof_probe_report *out, secprof_error *err)
{
	struct sp_probe_report r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sp_probe(&r, err)) < 0)
		return rc;
	if (r.nresults && !(out->results = calloc(r.nresults, sizeof(*out->results)))) {
		sp_probe_report_free(&r);
		return sp_err_oom(err);
	}
	for (size_t i = 0; i < r.nresults; i++)
		out->results[i] = (secprof_probe_result){ .name = r.results[i].name,
							  .err = r.results[i].err,
							  .signal = r.results[i].signal,
							  .group = r.results[i].group };
	out->nresults = r.nresults;
	out->seccomp_mode = r.seccomp_mode;
	out->seccomp_filters = r.seccomp_filters;
	out->no_new_privs = r.no_new_privs;
	out->cap_inh = r.cap_inh;
	out->cap_prm = r.cap_prm;
	out->cap_eff = r.cap_eff;
	out->cap_bnd = r.cap_bnd;
	out->cap_amb = r.cap_amb;
	out->uid = (unsigned)r.uid;
	out->gid = (unsigned)r.gid;
	sp_probe_report_free(&r);
	return 0;
}

void secprof_probe_report_free(secprof_probe_report *r)
{
	if (!r)
		return;
	free(r->results);
	r->results = NULL;
	r->nresults = 0;
}

#define COPY_STR(f) memcpy(out->f, in.f, sizeof(out->f))

int secprof_info_collect(secprof_info *out, secprof_error *err)
{
	struct sp_info in;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sp_info_collect(&in, err)) < 0)
		return rc;
	_Static_assert(sizeof(out->config_source) == sizeof(in.config_source) &&
			       sizeof(out->kernel) == sizeof(in.kernel) &&
			       sizeof(out->machine) == sizeof(in.machine) &&
			       sizeof(out->actions_avail) == sizeof(in.actions_avail) &&
			       sizeof(out->config_seccomp) == sizeof(in.config_seccomp) &&
			       sizeof(out->config_seccomp_filter) ==
				       sizeof(in.config_seccomp_filter) &&
			       sizeof(out->compat_arches) == sizeof(in.compat_arches),
		       "secprof_info mirrors struct sp_info");
	COPY_STR(config_seccomp);
	COPY_STR(config_seccomp_filter);
	COPY_STR(config_source);
	COPY_STR(kernel);
	COPY_STR(machine);
	COPY_STR(actions_avail);
	out->seccomp_mode = in.seccomp_mode;
	out->seccomp_filters = in.seccomp_filters;
	out->flags_ok = in.flags_ok;
	out->flags_tried = in.flags_tried;
	out->action_cache = in.action_cache;
	out->notif_sizes_ok = in.notif_sizes_ok;
	out->notif_size = in.notif_size;
	out->resp_size = in.resp_size;
	out->data_size = in.data_size;
	out->native_arch = in.native_arch;
	for (size_t i = 0; i < in.ncompat && i < 4; i++)
		out->compat_arches[i] = in.compat_arches[i];
	out->ncompat = in.ncompat;
	return 0;
}
