/* api_check.c - secprof_check: the warnings, the build runc would do and
 * the counts of `secprof check`, as one public call over check.c. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "profile/check.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "analyze/analyze.h"
#include "bpf/bpf.h"
#include "sandbox/run.h"
#include "profile/resolve.h"
#include "secprof.h"
#include "core/util.h"

/* The summary and the storage of its arrays, freed together. The strings
 * of the profile and the resolution are copied into `strings`, so the
 * summary outlives both (the table's and the action names are static). */
struct summary_box {
	secprof_summary pub;
	secprof_action_count actions[SP_ACT__COUNT];
	char *strings;
	size_t used;
};

/* Copy s into the box's string block (sized beforehand by fill). */
static const char *keep(struct summary_box *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = b->strings + b->used;

	memcpy(d, s, n);
	b->used += n;
	return d;
}

static const char *str_or_empty(const struct sp_str *s)
{
	return s->s ? s->s : "";
}

/* The calls runc's and crun's init make after loading the filter that
 * the program denies (src/analyze/runtime.c): docker run (runc) or podman
 * run (crun) would fail to start. Both runtimes are checked, since one
 * profile commonly serves Docker, Podman and Kubernetes alike; checked as
 * they run by default, without no-new-privileges (more calls follow the
 * load then). */
static void warn_runtime(secprof_ctx *ctx, const secprof_profile *p, const secprof_resolved *r,
			 const secprof_prog *prog)
{
	/* the arch the profile was resolved for: the filter's native one */
	const secprof_arch *arch = secprof_arch_lookup(r->native->name);
	char msg[700];

	static const char runtimes[][sizeof("runc")] = { "runc", "crun" }; /* no relocation */

	/* the program checked once for both runtimes */
	bool loadable = sp_bpf_check(prog->insns, prog->len, NULL) == 0;

	/* an LXC policy is loaded by LXC, not by these runtimes' init */
	if (p->form == SP_FORM_LXC)
		return;

	for (size_t i = 0; arch && i < SP_ARRAY_SIZE(runtimes); i++)
		if (sp_runtime_note_checked(prog->insns, prog->len, loadable, arch, runtimes[i],
					    false, msg, sizeof(msg)))
			sp_note(ctx, p->file, NULL, runtimes[i], "%s", msg);
}

/* runc's init hands a NOTIFY filter's fd to listenerPath and fails the
 * container without one (libcontainer/process_linux.go, procSeccomp:
 * "seccomp listenerPath is not set"); libseccomp refuses while building
 * what it cannot build (errno data over 4094, rule clashes in its tree).
 * Building the filter here makes check refuse exactly what compile and
 * run refuse, with the same message. */
static int refused_by_compile(secprof_ctx *ctx, const secprof_profile *p, const secprof_resolved *r,
			      secprof_error *err)
{
	secprof_compile_opts co = { 0 };
	secprof_prog *prog;
	bool notify;

	if (r->unconfined)
		return 0;
	prog = secprof_compile(ctx, r, &co, err);
	if (!prog)
		return err->code ? -err->code : -SECPROF_E_PROFILE;
	notify = prog->needs_listener;
	warn_runtime(ctx, p, r, prog);
	secprof_prog_free(prog);
	if (notify && !(p->listener_path.s && *p->listener_path.s))
		return sp_err(err, SECPROF_E_PROFILE, p->file, &p->loc, "listenerPath",
			      "SCMP_ACT_NOTIFY rules need a listenerPath: runc refuses to start "
			      "the container (seccomp listenerPath is not set)");
	return 0;
}

static int fill(struct summary_box *b, const secprof_profile *p, const secprof_resolved *r,
		const struct sp_summary *s, secprof_error *err)
{
	secprof_summary *o = &b->pub;
	size_t need = (p->default_action.s ? strlen(p->default_action.s) + 1 : 0);

	for (size_t i = 0; i < p->narchmap; i++)
		need += strlen(str_or_empty(&p->archmap[i].arch)) + 1;
	for (size_t i = 0; !p->narchmap && i < p->narchitectures; i++)
		need += strlen(str_or_empty(&p->architectures[i])) + 1;
	for (size_t i = 0; i < r->narchitectures; i++)
		need += strlen(str_or_empty(r->architectures[i])) + 1;
	if (need && !(b->strings = malloc(need)))
		return sp_err_oom(err);
	o->default_action = p->default_action.s ? keep(b, p->default_action.s) : NULL;
	o->has_default_errno = p->has_default_errno;
	o->default_errno = p->default_errno;
	o->arch_source = p->narchmap ? "archMap" : p->narchitectures ? "architectures" : "none";
	o->narches = p->narchmap ? p->narchmap : p->narchitectures;
	o->narchitectures = r->narchitectures;
	if ((o->narches && !(o->arches = calloc(o->narches, sizeof(*o->arches)))) ||
	    (o->narchitectures && !(o->architectures = calloc(o->narchitectures, sizeof(char *)))))
		return sp_err_oom(err);
	for (size_t i = 0; i < o->narches; i++)
		o->arches[i] = keep(b, p->narchmap ? str_or_empty(&p->archmap[i].arch)
						   : str_or_empty(&p->architectures[i]));
	o->rules = s->rules;
	o->names = s->names;
	o->distinct_names = s->distinct_names;
	o->rules_with_args = s->rules_with_args;
	o->cap_rules = s->cap_rules;
	o->arch_rules = s->arch_rules;
	o->kernel_rules = s->kernel_rules;

	o->arch = r->native->go[0] ? r->native->go : r->native->name;
	o->kernel_set = r->kernel_used || r->kernel_major || r->kernel_minor;
	o->kernel_major = r->kernel_major;
	o->kernel_minor = r->kernel_minor;
	o->ncaps = (unsigned)__builtin_popcountll(r->caps);
	o->unconfined = r->unconfined;
	for (size_t i = 0; i < o->narchitectures; i++)
		o->architectures[i] = keep(b, str_or_empty(r->architectures[i]));
	o->res_rules = s->res_rules;
	o->res_names = s->res_names;
	o->res_distinct_names = s->res_distinct_names;
	for (size_t i = 0; i < SP_ACT__COUNT; i++)
		if (s->actions[i].rules)
			b->actions[o->nactions++] = (secprof_action_count){
				.action = sp_action_str((enum sp_action)i),
				.rules = s->actions[i].rules,
				.names = s->actions[i].names,
			};
	o->actions = b->actions;
	o->bad_actions.rules = s->bad_actions.rules;
	o->bad_actions.names = s->bad_actions.names;
	o->warnings = s->warnings;
	return 0;
}

secprof_summary *secprof_check(secprof_ctx *ctx, const secprof_profile *p,
			       const secprof_resolved *r, secprof_error *err)
{
	struct sp_summary s;
	struct summary_box *b;
	size_t nwarn = 0;
	int rc;

	if (!ctx || !p || !r) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "secprof_check: NULL argument");
		return NULL;
	}
	rc = sp_check_profile(ctx, p, &nwarn, err);
	if (rc == 0)
		rc = refused_by_compile(ctx, p, r, err);
	if (rc == 0)
		rc = sp_summarize(p, r, &s, err);
	if (rc < 0)
		return NULL;
	s.warnings = nwarn;
	if (!(b = calloc(1, sizeof(*b)))) {
		sp_err_oom(err);
		return NULL;
	}
	if (fill(b, p, r, &s, err) < 0) {
		secprof_summary_free(&b->pub);
		return NULL;
	}
	return &b->pub;
}

void secprof_summary_free(secprof_summary *s)
{
	if (!s)
		return;
	free(s->arches);
	free(s->architectures);
	/* pub is the first member of the box that was allocated */
	free(((struct summary_box *)(void *)s)->strings);
	free((struct summary_box *)(void *)s);
}
