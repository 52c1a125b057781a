/* api_run.c - the public face of run.c, probe.c and info.c: Docker's
 * choice of filter for `docker run`, running a command under it, and the
 * view of a sandbox from the inside. The internal structs (run.h) carry
 * more than the public ones; these functions copy between the two so
 * neither layout binds the other. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

int secprof_run_filter(secprof_ctx *ctx, const char *seccomp_opt, bool privileged,
		       secprof_caps caps, const secprof_compile_opts *copts, secprof_prog **prog,
		       secprof_error *err)
{
	enum secprof_decision d;
	secprof_resolve_opts ro = { .caps = caps };
	secprof_compile_opts co = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	int rc;

	*prog = NULL;
	if (copts)
		co = *copts;
	if ((rc = secprof_decide(seccomp_opt, privileged, &d, err)) < 0)
		return rc;
	if (d == SECPROF_DECIDE_UNCONFINED)
		return 0;
	if (d == SECPROF_DECIDE_BUILTIN)
		p = secprof_profile_builtin(ctx, err);
	else if (access(seccomp_opt, R_OK) < 0)
		/* docker/cli's wording: it reads the file before the daemon
		 * sees it (cli/command/container/opts.go parseSecurityOpts). */
		return sp_err_errno(err, NULL, "opening seccomp profile (%s) failed: open %s",
				    seccomp_opt, seccomp_opt);
	else
		p = secprof_profile_load_file(ctx, seccomp_opt, err);
	rc = -SECPROF_E_PROFILE;
	if (p)
		r = secprof_resolve(ctx, p, &ro, err);
	if (r && !secprof_resolved_unconfined(r))
		*prog = secprof_compile(ctx, r, &co, err);
	if (r && (secprof_resolved_unconfined(r) || *prog))
		rc = 0;
	else if (err->code)
		rc = -err->code;
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
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

	return sp_run(&r, err);
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
