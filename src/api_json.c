/* api_json.c - the JSON texts of `secprof check`, `eval`, `info` and
 * `probe` (include/secprof.h, "JSON output"), written with the library's
 * one JSON writer (core/jsonw.h) so the CLI escapes nothing itself. The
 * layouts are the ones these commands have always printed: check compact
 * (json.Marshal's separators), eval on one line, info and probe indented
 * by two spaces with sorted keys. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/util.h"
#include "secprof.h"

/* A NULL argument: *out (when there is one) NULL, and a usage error. */
static int null_arg(char **out, secprof_error *err, const char *fn)
{
	if (out)
		*out = NULL;
	return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "%s: NULL argument", fn);
}

static void str_list(struct sp_jw *w, const char *key, const char *const *items, size_t n)
{
	sp_jw_key(w, key);
	sp_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		sp_jw_str(w, items[i]);
	sp_jw_end(w);
}

/* {"ACTION": {"rules": N, "names": N}, ..., "invalid": {...}} */
static void action_counts(struct sp_jw *w, const secprof_summary *s)
{
	sp_jw_key(w, "actions");
	sp_jw_obj(w);
	for (size_t i = 0; i < s->nactions; i++) {
		sp_jw_key(w, s->actions[i].action);
		sp_jw_obj(w);
		sp_jw_ku64(w, "rules", s->actions[i].rules);
		sp_jw_ku64(w, "names", s->actions[i].names);
		sp_jw_end(w);
	}
	if (s->bad_actions.rules) {
		sp_jw_key(w, "invalid");
		sp_jw_obj(w);
		sp_jw_ku64(w, "rules", s->bad_actions.rules);
		sp_jw_ku64(w, "names", s->bad_actions.names);
		sp_jw_end(w);
	}
	sp_jw_end(w);
}

int secprof_summary_json(const secprof_summary *s, const char *const *warnings, size_t nwarnings,
			 char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;
	char kernel[32];

	if (!s || !out || (nwarnings && !warnings))
		return null_arg(out, err, "secprof_summary_json");
	sp_jw_init(&w, &b, SP_JW_COMPACT);
	sp_jw_obj(&w);
	sp_jw_kbool(&w, "valid", true);
	sp_jw_kstr(&w, "defaultAction", s->default_action ? s->default_action : "");
	if (s->has_default_errno)
		sp_jw_ku64(&w, "defaultErrnoRet", s->default_errno);
	/* the arch names the profile declares: archMap keys, or the legacy list */
	sp_jw_kstr(&w, "archSource", s->arch_source);
	str_list(&w, "arches", s->arches, s->narches);
	sp_jw_key(&w, "profile");
	sp_jw_obj(&w);
	sp_jw_ku64(&w, "rules", s->rules);
	sp_jw_ku64(&w, "names", s->names);
	sp_jw_ku64(&w, "distinctNames", s->distinct_names);
	sp_jw_ku64(&w, "rulesWithArgs", s->rules_with_args);
	sp_jw_ku64(&w, "capRules", s->cap_rules);
	sp_jw_ku64(&w, "archRules", s->arch_rules);
	sp_jw_ku64(&w, "kernelRules", s->kernel_rules);
	sp_jw_end(&w);
	sp_jw_key(&w, "resolved");
	sp_jw_obj(&w);
	sp_jw_kstr(&w, "arch", s->arch);
	if (s->kernel_set) {
		snprintf(kernel, sizeof(kernel), "%d.%d", s->kernel_major, s->kernel_minor);
		sp_jw_kstr(&w, "kernel", kernel);
	}
	sp_jw_ku64(&w, "caps", s->ncaps);
	sp_jw_kbool(&w, "unconfined", s->unconfined);
	str_list(&w, "architectures", s->architectures, s->narchitectures);
	sp_jw_ku64(&w, "rules", s->res_rules);
	sp_jw_ku64(&w, "names", s->res_names);
	sp_jw_ku64(&w, "distinctNames", s->res_distinct_names);
	action_counts(&w, s);
	sp_jw_end(&w);
	str_list(&w, "warnings", warnings, nwarnings);
	sp_jw_end(&w);
	return sp_jw_take(&w, "\n", out, err);
}

int secprof_check_error_json(const secprof_error *e, const char *const *warnings, size_t nwarnings,
			     char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;
	char msg[1400];

	if (!e || !out || (nwarnings && !warnings))
		return null_arg(out, err, "secprof_check_error_json");
	sp_jw_init(&w, &b, SP_JW_COMPACT);
	sp_jw_obj(&w);
	sp_jw_kbool(&w, "valid", false);
	sp_jw_kstr(&w, "error", secprof_error_format(e, msg, sizeof(msg)));
	str_list(&w, "warnings", warnings, nwarnings);
	sp_jw_end(&w);
	return sp_jw_take(&w, "\n", out, err);
}

int secprof_eval_json(uint32_t ret, unsigned steps, const secprof_arch *arch, int32_t nr,
		      const char *syscall, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;
	char act[48];

	if (!arch || !out)
		return null_arg(out, err, "secprof_eval_json");
	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	sp_jw_kstr(&w, "action", secprof_action_str(ret, act, sizeof(act)));
	sp_jw_ku64(&w, "ret", ret);
	sp_jw_ku64(&w, "steps", steps);
	sp_jw_kstr(&w, "arch", secprof_arch_name(arch));
	sp_jw_ki64(&w, "nr", nr);
	sp_jw_kstr(&w, "syscall", syscall);
	sp_jw_end(&w);
	return sp_jw_take(&w, "\n", out, err);
}

/* SECCOMP_FILTER_FLAG_* by bit (include/uapi/linux/seccomp.h). */
static const char filter_flags[][sizeof("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")] = {
	"SECCOMP_FILTER_FLAG_TSYNC",       "SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",  "SECCOMP_FILTER_FLAG_NEW_LISTENER",
	"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

/* The key of an object member on a line of its own, `indent` deep. */
static void nl_key(struct sp_jw *w, int indent, const char *key)
{
	sp_jw_nl(w, indent);
	sp_jw_key(w, key);
}

int secprof_info_json(const secprof_info *in, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;
	char avail[sizeof(in->actions_avail)];
	char *save = NULL;

	if (!in || !out)
		return null_arg(out, err, "secprof_info_json");
	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	nl_key(&w, 2, "action_cache");
	sp_jw_bool(&w, in->action_cache);
	/* the kernel's space-separated list, as a JSON list */
	snprintf(avail, sizeof(avail), "%s", in->actions_avail);
	nl_key(&w, 2, "actions_avail");
	sp_jw_arr(&w);
	for (char *t = strtok_r(avail, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		sp_jw_str(&w, t);
	sp_jw_end(&w);
	nl_key(&w, 2, "arch");
	sp_jw_obj(&w);
	nl_key(&w, 4, "compat");
	sp_jw_arr(&w);
	for (size_t i = 0; i < in->ncompat && i < SP_ARRAY_SIZE(in->compat_arches); i++)
		sp_jw_str(&w, in->compat_arches[i]);
	sp_jw_end(&w);
	nl_key(&w, 4, "native");
	sp_jw_str(&w, in->native_arch);
	sp_jw_nl(&w, 2);
	sp_jw_end(&w);
	nl_key(&w, 2, "config");
	sp_jw_obj(&w);
	nl_key(&w, 4, "CONFIG_SECCOMP");
	sp_jw_str(&w, in->config_seccomp);
	nl_key(&w, 4, "CONFIG_SECCOMP_FILTER");
	sp_jw_str(&w, in->config_seccomp_filter);
	nl_key(&w, 4, "source");
	sp_jw_str(&w, in->config_source);
	sp_jw_nl(&w, 2);
	sp_jw_end(&w);
	nl_key(&w, 2, "filter_flags");
	sp_jw_arr(&w);
	for (size_t i = 0; i < SP_ARRAY_SIZE(filter_flags); i++)
		if (in->flags_ok >> i & 1)
			sp_jw_str(&w, filter_flags[i]);
	sp_jw_end(&w);
	nl_key(&w, 2, "kernel");
	sp_jw_str(&w, in->kernel);
	nl_key(&w, 2, "machine");
	sp_jw_str(&w, in->machine);
	nl_key(&w, 2, "notif_sizes");
	if (in->notif_sizes_ok) {
		sp_jw_obj(&w);
		nl_key(&w, 4, "seccomp_data");
		sp_jw_u64(&w, in->data_size);
		nl_key(&w, 4, "seccomp_notif");
		sp_jw_u64(&w, in->notif_size);
		nl_key(&w, 4, "seccomp_notif_resp");
		sp_jw_u64(&w, in->resp_size);
		sp_jw_nl(&w, 2);
		sp_jw_end(&w);
	} else {
		sp_jw_null(&w);
	}
	nl_key(&w, 2, "self");
	sp_jw_obj(&w);
	nl_key(&w, 4, "seccomp_filters");
	sp_jw_i64(&w, in->seccomp_filters);
	nl_key(&w, 4, "seccomp_mode");
	sp_jw_i64(&w, in->seccomp_mode);
	sp_jw_nl(&w, 2);
	sp_jw_end(&w);
	sp_jw_nl(&w, 0);
	sp_jw_end(&w);
	return sp_jw_take(&w, "\n", out, err);
}

const char *secprof_probe_outcome(const secprof_probe_result *p, char *buf, size_t len)
{
	const char *name;

	if (p->signal) {
		name = sp_signal_abbrev(p->signal);
		snprintf(buf, len, "SIG%s", name ? name : "?");
	} else if (p->err == 0) {
		snprintf(buf, len, "ok");
	} else if (p->err < 0) {
		snprintf(buf, len, "unknown");
	} else if ((name = sp_errno_name(p->err))) {
		snprintf(buf, len, "%s", name);
	} else {
		snprintf(buf, len, "errno %d", p->err);
	}
	return buf;
}

int secprof_probe_json(const secprof_probe_report *r, char **out, secprof_error *err)
{
	static const char cap_keys[][sizeof("inheritable")] = { "ambient", "bounding", "effective",
								"inheritable", "permitted" };
	const uint64_t caps[] = { r ? r->cap_amb : 0, r ? r->cap_bnd : 0, r ? r->cap_eff : 0,
				  r ? r->cap_inh : 0, r ? r->cap_prm : 0 };
	struct sp_buf b = { 0 };
	struct sp_jw w;
	char buf[64];

	if (!r || !out)
		return null_arg(out, err, "secprof_probe_json");
	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	nl_key(&w, 2, "caps");
	sp_jw_obj(&w);
	for (size_t i = 0; i < SP_ARRAY_SIZE(cap_keys); i++) {
		snprintf(buf, sizeof(buf), "%016" PRIx64, caps[i]);
		nl_key(&w, 4, cap_keys[i]);
		sp_jw_str(&w, buf);
	}
	sp_jw_nl(&w, 2);
	sp_jw_end(&w);
	nl_key(&w, 2, "gid");
	sp_jw_u64(&w, r->gid);
	nl_key(&w, 2, "no_new_privs");
	sp_jw_i64(&w, r->no_new_privs);
	nl_key(&w, 2, "seccomp");
	sp_jw_obj(&w);
	nl_key(&w, 4, "filters");
	sp_jw_i64(&w, r->seccomp_filters);
	nl_key(&w, 4, "mode");
	sp_jw_i64(&w, r->seccomp_mode);
	sp_jw_nl(&w, 2);
	sp_jw_end(&w);
	nl_key(&w, 2, "syscalls");
	sp_jw_obj(&w);
	for (size_t i = 0; i < r->nresults; i++) {
		nl_key(&w, 4, r->results[i].name);
		sp_jw_str(&w, secprof_probe_outcome(&r->results[i], buf, sizeof(buf)));
	}
	sp_jw_nl(&w, 2);
	sp_jw_end(&w);
	nl_key(&w, 2, "uid");
	sp_jw_u64(&w, r->uid);
	sp_jw_nl(&w, 0);
	sp_jw_end(&w);
	return sp_jw_take(&w, "\n", out, err);
}

/* One object per distinct denial, a line each, after a {"note": ...} line
 * when the report has a note (secprof_container_run_explain). */
static void denial_jw(struct sp_jw *w, const secprof_denial *d)
{
	char act[64];

	sp_jw_obj(w);
	sp_jw_ku64(w, "count", d->count);
	sp_jw_ki64(w, "pid", d->pid);
	sp_jw_kstr(w, "comm", d->comm);
	sp_jw_kstr(w, "arch", d->arch);
	sp_jw_ki64(w, "nr", d->nr);
	sp_jw_kstr(w, "syscall", d->name);
	sp_jw_kstr(w, "call", d->call);
	sp_jw_key(w, "args");
	sp_jw_arr(w);
	for (int i = 0; i < 6; i++)
		sp_jw_u64(w, d->args[i]);
	sp_jw_end(w);
	sp_jw_ku64(w, "ip", d->ip);
	sp_jw_kstr(w, "caller", d->caller);
	sp_jw_kstr(w, "action", secprof_action_str(d->ret, act, sizeof(act)));
	sp_jw_ku64(w, "ret", d->ret);
	sp_jw_kbool(w, "benign", d->benign);
	sp_jw_kbool(w, "killed", d->killed);
	sp_jw_key(w, "explain");
	if (d->explain_json) {
		/* explain's own JSON object, written by this writer already */
		size_t n = strlen(d->explain_json);
		char *copy = strndup(d->explain_json, n);
		while (copy && n && copy[n - 1] == '\n')
			copy[--n] = 0;
		if (copy)
			sp_jw_raw(w, copy);
		else
			sp_jw_null(w);
		free(copy);
	} else {
		sp_jw_null(w);
	}
	sp_jw_end(w);
}

int secprof_live_report_json(const secprof_live_report *r, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	char *line = NULL;

	if (!r || !out)
		return null_arg(out, err, "secprof_live_report_json");
	for (size_t i = 0; i <= r->ndenials; i++) {
		struct sp_buf one = { 0 };
		struct sp_jw w;
		if (i == 0 && !r->note[0])
			continue;
		sp_jw_init(&w, &one, 0);
		if (i == 0) {
			sp_jw_obj(&w);
			sp_jw_kstr(&w, "note", r->note);
			sp_jw_end(&w);
		} else {
			denial_jw(&w, &r->denials[i - 1]);
		}
		if (sp_jw_take(&w, "\n", &line, err) < 0) {
			sp_buf_free(&b);
			return -1;
		}
		sp_buf_puts(&b, line);
		free(line);
	}
	if (b.oom) {
		sp_buf_free(&b);
		return sp_err_oom(err);
	}
	*out = b.data ? b.data : strdup("");
	return *out ? 0 : sp_err_oom(err);
}
