/* ruleset.c - runc's and libseccomp's rule semantics, applied once per arch.
 *
 * Input: the rules moby kept (resolve.c). Output: per arch, one decision per
 * syscall number, sorted by number (struct sp_ruleset, ruleset.h). All the
 * work is a sort of (nr, rule order) pairs followed by linear merges, so the
 * cost is O(n log n) in the number of (name, arch) pairs.
 *
 * This file drives the build (build_ruleset) and holds the checks of
 * actions and the arch set; the stages it calls live beside it (build.h):
 * names.c (name lookups, unknown-name warnings), arg32.c (arguments the
 * kernel reads as 32 bits), mux.c (socketcall/ipc), merge.c (per-arch
 * merge), tree.c (libseccomp's word tree), record.c (the IR's drops). The
 * finished rule set is read by zones.c and decide.c (the oracle).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* ---- actions ---------------------------------------------------------- */

/* The action values themselves (runc's getAction) are sp_action_value's,
 * profile/vocab.c. */

/* libseccomp refuses ERRNO data of MAX_ERRNO (4095) or more
 * (db_col_action_valid: data < MAX_ERRNO), so such a profile fails in runc
 * although the kernel would cap the value. */
static bool errno_invalid(uint32_t ret)
{
	return (ret & 0xffff0000u) == SP_RET_ERRNO && (ret & SP_RET_DATA) >= 4095;
}

#define RUNC_ERRNO_ENOSYS_ACTION 0x50026u /* SCMP_ACT_ERRNO(ENOSYS) */

static bool stub_wanted(const struct secprof_profile *p, const secprof_compile_opts *opts)
{
	/* runc's isAllowAction (docs/COMPAT.md §4.1.3): no stub for permissive defaults;
	 * crun never adds one (opts->no_enosys). */
	if (opts && opts->no_enosys)
		return false;
	/* LXC loads libseccomp's program as it is: no stub (lxc.c) */
	if (p->form == SP_FORM_LXC)
		return false;
	/* runc's generatePatch (libcontainer/seccomp/patchbpf/enosys_linux.go)
	 * also skips the stub when defaultErrnoRet equals its retErrnoEnosys,
	 * the whole action value SCMP_ACT_ERRNO(ENOSYS) = 0x50026, not 38: with
	 * a KILL default such a profile kills new syscalls under runc. */
	if (p->has_default_errno && p->default_errno == RUNC_ERRNO_ENOSYS_ACTION)
		return false;
	return p->default_act != SP_ACT_ALLOW && p->default_act != SP_ACT_LOG &&
	       p->default_act != SP_ACT_TRACE;
}

static int check_default(struct build *b)
{
	const struct secprof_profile *p = b->r->prof;

	/* runc's refusals that need only the profile (an unknown or NOTIFY
	 * default, an unknown action, an empty name, NOTIFY on write, an
	 * argument index above 5) are parse.c's (check_runc), which every
	 * command goes through before it gets here. This guard only keeps a
	 * profile that skipped that validation from compiling to anything. */
	if (!p->default_action_ok)
		return sp_err(b->err, SECPROF_E_USAGE, b->file, &p->default_action.loc,
			      "defaultAction", "the profile was not validated");
	b->rs->default_ret = sp_default_ret(p);
	if (errno_invalid(b->rs->default_ret))
		return sp_err(b->err, SECPROF_E_PROFILE, b->file, &p->default_errno_loc,
			      "defaultErrnoRet", "error creating filter: could not create filter");
	return 0;
}

/* The refusal libseccomp makes when runc adds a rule (docs/COMPAT.md §4.1.2
 * step 8): ERRNO data of 4095 or more. It needs the default action (a rule
 * equal to it is never added), so it is made here, at compile time; the
 * profile-only refusals are parse.c's (check_runc). */
static int check_rule(struct build *b, const struct sp_rule *rule)
{
	char path[SP_RULE_PATH_MAX];

	if (!sp_rule_is_default(b->r->prof, rule) && errno_invalid(sp_rule_ret(rule))) {
		/* runc skips names libseccomp does not know before adding */
		for (size_t j = 0; j < rule->nnames; j++) {
			if (!sp_syscall_known(rule->names[j].s))
				continue;
			sp_rule_path(path, sizeof(path), rule, "errnoRet", SP_NO_INDEX, NULL);
			return sp_err(
				b->err, SECPROF_E_PROFILE, b->file, &rule->errno_loc, path,
				"error adding seccomp filter rule for syscall %s: invalid argument (errno %u: libseccomp takes 0 to 4094)",
				rule->names[j].s, sp_rule_ret(rule) & SP_RET_DATA);
		}
	}
	return 0;
}

/* ---- rules one reading skips and another adds --------------------------- */

/* The table row a name's rules meet on, and with a socket or IPC call the
 * multiplexer's too (libseccomp copies such a rule onto socketcall/ipc). */
static int name_rows(const char *name, int32_t rows[2])
{
	int32_t none, n = 0;
	int k = sp_rs_mux_family(name);

	if (sp_syscall_lookup(name, NULL, 0, &none, NULL, &rows[n]) && rows[n] >= 0)
		n++;
	if (k >= 0 && sp_syscall_lookup(sp_rs_mux_syscall[k], NULL, 0, &none, NULL, &rows[n]) &&
	    rows[n] >= 0)
		n++;
	return (int)n;
}

static bool partly_default(const struct secprof_profile *p, const struct sp_rule *rule)
{
	unsigned r = sp_rule_default_readings(p, rule);

	return r && r != SP_SKIP_ALL;
}

/* A rule one reading of the profile skips as equal to the default and
 * another adds (profile.h, sp_rule_is_default) is kept: its verdict is
 * the default's kind of denial, and kept it takes its calls from later
 * rules (the first unconditional rule wins) and replaces earlier
 * conditional ones, the stricter while no other rule of its calls is
 * stricter than it. Where one is (KILL, TRAP, ERRNO beside a TRACE
 * default, also through libseccomp's copies of socket and IPC rules onto
 * socketcall/ipc), the reading that keeps it can replace that rule and
 * the one that skips it can let a later ALLOW through: which is the
 * stricter depends on the arguments, and the profile is refused
 * (docs/COMPAT.md §9, 9). */
static int check_readings(struct build *b)
{
	const struct secprof_profile *p = b->r->prof;
	const secprof_resolved *r = b->r;
	int32_t *strictest = NULL, rows[2];
	int rc = 0;

	for (size_t i = 0; i < r->nrules && !strictest; i++)
		if (partly_default(p, r->rules[i]) &&
		    !(strictest = calloc(sp_syscall_count(), sizeof(*strictest))))
			return sp_err_oom(b->err);
	if (!strictest || p->reading)
		return (free(strictest), 0);
	for (size_t i = 0; i < sp_syscall_count(); i++)
		strictest[i] = INT32_MAX;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		int32_t rank = (int32_t)(sp_rule_ret(rule) & 0xffff0000u);
		if (sp_rule_default_readings(p, rule))
			continue;
		for (size_t j = 0; j < rule->nnames; j++)
			for (int n = name_rows(rule->names[j].s, rows); n-- > 0;)
				if (rank < strictest[rows[n]])
					strictest[rows[n]] = rank;
	}
	for (size_t i = 0; !rc && i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		int32_t rank = (int32_t)(sp_rule_ret(rule) & 0xffff0000u);
		char path[SP_RULE_PATH_MAX];
		if (!partly_default(p, rule))
			continue;
		for (size_t j = 0; !rc && j < rule->nnames; j++)
			for (int n = name_rows(rule->names[j].s, rows); !rc && n-- > 0;) {
				if (strictest[rows[n]] >= rank)
					continue;
				sp_rule_path(path, sizeof(path), rule, "action", SP_NO_INDEX, NULL);
				rc = sp_err(
					b->err, SECPROF_E_PROFILE, b->file, &rule->action.loc, path,
					"the rule's action equals the default action as one Docker reads the profile, so that its runc skips the rule, but another Docker adds it; with a stricter rule for %s beside it the two decide otherwise and neither is always the stricter (give the rule an errno no reading takes for the default, or remove it)",
					sp_syscall_name_at((size_t)rows[n]));
			}
	}
	free(strictest);
	return rc;
}

/* ---- arch set ----------------------------------------------------------- */

static int add_arch(struct build *b, const struct sp_arch *a)
{
	struct sp_ruleset *rs = b->rs;

	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch == a)
			return 0;
	rs->arches[rs->narches].arch = a;
	rs->arches[rs->narches].enosys_max = -1;
	rs->arches[rs->narches].unlisted = false;
	rs->narches++;
	return 0;
}

/* Filter arches = the OCI architectures plus the native arch, always
 * (docs/COMPAT.md §4.1.2 step 4); native first so its dispatch is the shortest. */
static int collect_arches(struct build *b)
{
	const secprof_resolved *r = b->r;
	const struct sp_arch *native = r->native ? r->native : sp_arch_native();

	b->rs->arches =
		sp_arena_alloc(&b->rs->arena, (r->narchitectures + 1) * sizeof(*b->rs->arches));
	if (!b->rs->arches)
		return sp_err_oom(b->err);
	if (!native)
		return sp_err(b->err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "this machine's architecture is not supported");
	add_arch(b, native);
	for (size_t i = 0; i < r->narchitectures; i++) {
		const struct sp_str *s = r->architectures[i];
		const struct sp_arch *a = sp_arch_by_scmp(s->s ? s->s : "");
		if (!a)
			return sp_err(b->err, SECPROF_E_PROFILE, b->file, &s->loc, "architectures",
				      "string %s is not a valid arch for seccomp",
				      s->s ? s->s : "");
		/* libseccomp's seccomp_arch_add fails with -EDOM when the
		 * endianness differs from the filter's (the native arch's) */
		if (a->big_endian != native->big_endian)
			return sp_err(
				b->err, SECPROF_E_PROFILE, b->file, &s->loc, "architectures",
				"error adding architecture to seccomp filter: numerical argument out of domain (%s is %s-endian, %s is not)",
				s->s, a->big_endian ? "big" : "little", native->scmp);
		add_arch(b, a);
	}
	b->rs->arches[0].unlisted = !sp_rs_lists_native(r, native);
	if (b->stub && sp_rs_stub_skips_native(r, native))
		b->stubless = native;
	return 0;
}

bool sp_rs_lists_native(const secprof_resolved *r, const struct sp_arch *native)
{
	for (size_t i = 0; i < r->narchitectures; i++)
		if (sp_arch_by_scmp(r->architectures[i]->s ? r->architectures[i]->s : "") == native)
			return true;
	return false;
}

/* runc 1.1.5 (Debian 12's) builds its ENOSYS stub for the arches of
 * `architectures` alone (patchbpf/enosys_linux.go findLastSyscalls, tag
 * v1.1.5); a current runc adds the native arch. Unlisted, the native calls
 * above the profile's highest number get the default action there. Where
 * that is KILL, KILL_PROCESS or TRAP it is the stricter of the two runcs,
 * so the native arch gets no stub; under another default the current
 * runc's ENOSYS is kept, raised where runc 1.1.5's libseccomp program
 * kills or traps above the maximum (sp_arch_rules.unlisted; docs/COMPAT.md
 * §4.1.3, §9). */
bool sp_rs_stub_skips_native(const secprof_resolved *r, const struct sp_arch *native)
{
	enum sp_action d = r->prof->default_act;

	if (d != SP_ACT_KILL && d != SP_ACT_KILL_THREAD && d != SP_ACT_KILL_PROCESS &&
	    d != SP_ACT_TRAP)
		return false;
	return !sp_rs_lists_native(r, native);
}

/* runc 1.1.5 has no stub section for the unlisted native arch (§4.1.3):
 * above enosys_max its calls reach libseccomp's program, and the numbers
 * sp_rs_build_arch kept there have a rule that kills or traps. A current
 * runc answers ENOSYS before it: the stricter of the two decides, a tie (an
 * errno) to ENOSYS, so that libc's fallbacks keep working. That is a twin
 * (sp_wide) that is ENOSYS whatever the arguments. Where the number has a
 * twin with conditions already (arguments the kernel reads as 32 bits),
 * that twin, libseccomp's 64-bit compares, is 1.1.5's answer and decides
 * under the ENOSYS twin (not the low-word rules: both runcs' verdicts,
 * docs/COMPAT.md §9); where it is runc's program modelled (a DAG), the
 * strictest of its actions whatever the arguments, stricter than both. */
static uint32_t raise_ret(uint32_t ret)
{
	return sp_ret_stricter(ret, SP_RET_ENOSYS) ? ret : SP_RET_ENOSYS;
}

static int floor_unlisted(struct build *b, struct sp_arch_rules *ar)
{
	for (size_t i = 0; ar->unlisted && ar->enosys_max > 0 && i < ar->nsys; i++) {
		struct sp_sysrule *s = &ar->sys[i];
		const struct sp_wide *tw = sp_sys_wide(s);
		struct sp_wide *twin;

		if (s->nr <= ar->enosys_max)
			continue;
		if (s->uncond && !tw) {
			s->ret = raise_ret(s->ret);
			continue;
		}
		if (tw && !tw->rules.uncond && !tw->dag && !tw->written) {
			/* the 64-bit twin is runc 1.1.5's libseccomp program:
			 * it decides, under the ENOSYS twin */
			struct sp_sysrule w = tw->rules;
			if (!(twin = sp_arena_alloc(&b->rs->arena, sizeof(*twin))))
				return sp_err_oom(b->err);
			twin->rules = (struct sp_sysrule){
				.nr = s->nr, .name = s->name, .uncond = true, .ret = SP_RET_ENOSYS
			};
			w.nr = s->nr;
			w.name = s->name;
			*s = w;
			if (!sp_sys_set(&b->rs->arena, s, sp_sys_tree(&w), twin))
				return sp_err_oom(b->err);
			continue;
		}
		if (tw && (!tw->rules.uncond || tw->dag || tw->written)) {
			uint32_t ret = s->uncond ? s->ret : SP_RET_ENOSYS;
			const struct sp_rule *src = s->src;
			for (uint32_t k = 0; k < s->nrules; k++)
				if (sp_ret_stricter(s->rules[k].ret, ret)) {
					ret = s->rules[k].ret;
					src = s->rules[k].src;
				}
			for (uint32_t k = 0; k < tw->rules.nrules; k++)
				if (sp_ret_stricter(tw->rules.rules[k].ret, ret)) {
					ret = tw->rules.rules[k].ret;
					src = tw->rules.rules[k].src;
				}
			if (tw->rules.uncond && sp_ret_stricter(tw->rules.ret, ret)) {
				ret = tw->rules.ret;
				src = tw->rules.src;
			}
			s->uncond = true;
			s->ret = ret;
			s->src = src;
			if (!sp_sys_set(&b->rs->arena, s, NULL, NULL))
				return sp_err_oom(b->err);
			continue;
		}
		if (!(twin = sp_arena_alloc(&b->rs->arena, sizeof(*twin))))
			return sp_err_oom(b->err);
		twin->rules =
			(struct sp_sysrule){ .nr = s->nr,
					     .name = s->name,
					     .uncond = true,
					     .ret = raise_ret(tw ? tw->rules.ret : SP_RET_ENOSYS),
					     .src = tw ? tw->rules.src : NULL };
		if (!sp_sys_set(&b->rs->arena, s, sp_sys_tree(s), twin))
			return sp_err_oom(b->err);
	}
	return 0;
}

/* Room for the entries the stale model needs, kept while the arches are
 * built (struct build.model_db): listing the db again costs a walk over
 * every name of the profile per arch. */
static int keep_model_db(struct build *b)
{
	size_t na = b->rs->narches;

	if (!(b->model_db = sp_scalloc(b->scratch, na ? na : 1, sizeof(*b->model_db))))
		return sp_err_oom(b->err);
	for (size_t i = 0; i < na; i++)
		b->model_db[i].ok = true;
	return 0;
}

static void set_flags(struct build *b)
{
	const struct secprof_profile *p = b->r->prof;

	/* A current runc adds SPEC_ALLOW when flags are absent; Debian 12's
	 * runc 1.1.5 never does, so its containers keep the kernel's
	 * speculative-store-bypass mitigation where the kernel ties it to
	 * seccomp (kernel/seccomp.c seccomp_assign_mode). The stricter of
	 * the two. A profile that lists it does not get it either: Debian
	 * 12's Docker 20.10 drops a profile's flags (the config.json its
	 * daemon writes has none: docs/COMPAT.md §9 item 24), so runc never
	 * sees them there
	 * (docs/COMPAT.md §4.1.1, §9 item 24; parse.c check_flags warns). */
	for (size_t i = 0; i < p->nflags; i++)
		b->rs->flags |= sp_flag_from_str(p->flags[i].s ? p->flags[i].s : "");
	b->rs->flags &= ~(uint32_t)SP_FLAG_SPEC_ALLOW;
	for (size_t i = 0; i < b->r->nrules; i++)
		if (b->r->rules[i]->act == SP_ACT_NOTIFY)
			b->rs->needs_listener = true;
}

enum build_kind { BUILD_COMPILER, BUILD_IR, BUILD_AS_WRITTEN };

static struct sp_ruleset *build_ruleset(secprof_ctx *ctx, struct sp_scratch *scratch,
					const secprof_resolved *r, const secprof_compile_opts *opts,
					enum build_kind kind, secprof_error *err);

/* The notes of libseccomp 2.5.4's bugs a build gives, one per line. */
struct scmp_notes {
	char *text;
	size_t len;
	bool oom;
};

static void collect_scmp_notes(void *data, const secprof_error *w)
{
	struct scmp_notes *n = data;
	size_t add = strlen(w->msg);
	char *t;

	if (w->code || !strstr(w->msg, "libseccomp 2.5.4") || n->oom)
		return;
	if (!(t = realloc(n->text, n->len + add + 2))) {
		n->oom = true;
		return;
	}
	memcpy(t + n->len, w->msg, add);
	t[n->len + add] = '\n';
	t[n->len + add + 1] = '\0';
	n->text = t;
	n->len += add + 1;
}

/* Build the rule set as `reading` skips rules (profile.h), quietly, and
 * collect its notes of libseccomp's bugs; false if it is refused, the
 * refusal in *e. */
static bool notes_of(const secprof_resolved *r, unsigned reading, const secprof_compile_opts *opts,
		     struct scmp_notes *n, secprof_error *e)
{
	struct secprof_profile alt = *r->prof;
	secprof_resolved altr = *r;
	secprof_ctx collecting = { .warn = collect_scmp_notes, .warn_data = n };
	struct sp_ruleset *rs;

	alt.reading = reading;
	altr.prof = &alt;
	rs = build_ruleset(&collecting, NULL, &altr, opts, BUILD_COMPILER, e);
	sp_ruleset_free(rs);
	return rs != NULL;
}

/* Does every line of `some` appear in `all`? */
static bool notes_within(const char *some, const char *all)
{
	for (const char *l = some; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		bool found = false;
		for (const char *a = all; a && *a && !found;) {
			const char *anl = strchr(a, '\n');
			size_t alen = anl ? (size_t)(anl - a) + 1 : strlen(a);
			found = alen == len && !memcmp(a, l, len);
			a += alen;
		}
		if (!found)
			return false;
		l += len;
	}
	return true;
}

/* Who passes the profile to the runtime in a reading, for reading_refused. */
static const char *reading_name(unsigned reading)
{
	return reading == SP_SKIP_MOBY ? "current Docker passes the profile, runc"
	       : reading == SP_SKIP_DOCKER20
		       ? "Debian 12's Docker 20.10 (without defaultErrnoRet) passes the profile, runc"
		       : "Podman passes the profile (its errno keys applied), crun";
}

/* e's message after the first w bytes of dst's (a prefix naming the
 * reading), cut to fit. */
static void append_msg(secprof_error *dst, int w, const secprof_error *e)
{
	if (w > 0 && (size_t)w < sizeof(dst->msg)) {
		size_t m = strnlen(e->msg, sizeof(e->msg));
		if (m > sizeof(dst->msg) - 1 - (size_t)w)
			m = sizeof(dst->msg) - 1 - (size_t)w;
		memcpy(dst->msg + w, e->msg, m);
		dst->msg[(size_t)w + m] = '\0';
	}
}

/* The reading's runc fails where its libseccomp refuses the rule set it is
 * given (EEXIST: docs/COMPAT.md §4.3), and so does secprof: *e, the
 * reading's refusal, named with the reading and the rules it skips that
 * secprof keeps (which can hide the clash from secprof's own set). A
 * limit secprof meets in that set refuses too (fail closed). */
static int reading_refused(struct build *b, unsigned reading, secprof_error *e)
{
	const struct secprof_profile *p = b->r->prof;
	char skipped[160] = "", path[SP_RULE_PATH_MAX], one[SP_RULE_PATH_MAX + 24];
	size_t used = 0, n = 0, more = 0;
	int w;

	for (size_t i = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		unsigned r = sp_rule_default_readings(p, rule);
		if (!(r & reading) || r == SP_SKIP_ALL)
			continue;
		sp_rule_path(path, sizeof(path), rule, NULL, SP_NO_INDEX, NULL);
		snprintf(one, sizeof(one), "%s%s (line %u)", n ? ", " : "", path, rule->loc.line);
		/* room left for " and N more" */
		if (!more && used + strlen(one) < sizeof(skipped) - 24) {
			memcpy(skipped + used, one, strlen(one) + 1);
			used += strlen(one);
			n++;
		} else {
			more++;
		}
	}
	if (more)
		snprintf(skipped + used, sizeof(skipped) - used, " and %zu more", more);
	if (!b->err)
		return -e->code;
	/* sp_err_wrap keeps 256 bytes of the prefix: too few for the list */
	*b->err = *e;
	w = snprintf(
		b->err->msg, sizeof(b->err->msg),
		"as %s skips %s as equal to the default action, where secprof keeps %s, and %s: ",
		reading_name(reading), skipped, n + more > 1 ? "them" : "it",
		/* a limit of secprof's own: runc may take that set, secprof cannot check it */
		e->code == SECPROF_E_PROFILE ? "fails" : "in the rules it then adds");
	append_msg(b->err, w, e);
	return -e->code;
}

/* The rule set secprof keeps for a rule one reading skips is not that
 * reading's: where libseccomp 2.5.4's code for the reading's set has a
 * bug of docs/COMPAT.md §4.4 (a dropped number load, a stale
 * accumulator, a merged tree; which fires depends on every rule it holds,
 * their order and where their blocks land) that secprof's set does not
 * have, that runc's filter decides other calls otherwise than secprof's,
 * which models the bugs of its own set. Each such reading's set is built
 * as its runc builds it, and a bug there that secprof's set has not
 * refuses the profile; so does a set the reading's libseccomp refuses
 * (EEXIST), where secprof's set, which keeps the skipped rule, may not. */
static int check_reading_sets(struct build *b, const secprof_compile_opts *opts)
{
	const struct secprof_profile *p = b->r->prof;
	/* without Podman's keys the applied reading is current Docker's:
	 * Docker's first names it in a refusal */
	static const unsigned readings[] = { SP_SKIP_MOBY, SP_SKIP_DOCKER20, SP_SKIP_APPLIED };
	struct scmp_notes own = { 0 };
	secprof_error e = { 0 };
	unsigned seen;
	int rc = 0;

	if (p->reading || b->as_written || !(seen = secprof_resolved_readings(b->r)))
		return 0;
	/* secprof's own set refused: the build says why */
	if (!notes_of(b->r, SP_READING_OWN, opts, &own, &e) || own.oom) {
		free(own.text);
		return own.oom || e.code == SECPROF_E_SYSTEM ? sp_err_oom(b->err) : 0;
	}
	for (size_t k = 0; !rc && k < SP_ARRAY_SIZE(readings); k++) {
		struct scmp_notes theirs = { 0 };
		bool built;
		e = (secprof_error){ 0 };
		built = !(seen & readings[k]) || notes_of(b->r, readings[k], opts, &theirs, &e);
		if (theirs.oom || (!built && e.code == SECPROF_E_SYSTEM))
			rc = sp_err_oom(b->err);
		else if (!built)
			rc = reading_refused(b, readings[k], &e);
		else if (!notes_within(theirs.text, own.text))
			rc = sp_err(
				b->err, SECPROF_E_PROFILE, b->file, NULL, NULL,
				"a rule one Docker skips as equal to the default action and another adds changes the rules libseccomp 2.5.4 holds, and in the set one Docker's runc builds, libseccomp's program decides some calls otherwise than the rules read (docs/COMPAT.md §4.4): secprof models the bugs of its own set only, so it refuses the profile (secprof check names the rule)");
		free(theirs.text);
	}
	free(own.text);
	return rc;
}

/* Whether Podman's errno keys give some value Docker does not read
 * (moby's Syscall and Seccomp have no such fields). */
static bool podman_values_differ(const secprof_resolved *r)
{
	const struct secprof_profile *p = r->prof;

	if (p->default_errno_name.s && *p->default_errno_name.s &&
	    sp_default_ret(p) != sp_action_value(p->default_act, p->docker_has_default_errno,
						 p->docker_default_errno))
		return true;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule_extra *x = sp_rule_x(r->rules[i]);
		if (x->errno_name.s && *x->errno_name.s &&
		    sp_rule_ret(r->rules[i]) != sp_action_value(r->rules[i]->act,
								x->docker_has_errno,
								x->docker_errno_ret))
			return true;
	}
	return false;
}

/* Every rule set above applies Podman's errno keys. Docker ignores them,
 * so its runc may be given two rules of one condition with two actions
 * where secprof and Podman see one action: libseccomp refuses that set
 * (EEXIST) and the container does not start, so secprof refuses the
 * profile too (docs/COMPAT.md §4.3). Built as each Docker reads it: the
 * keys dropped, errnoRet and defaultErrnoRet as written. */
static int check_docker_values(struct build *b, const secprof_compile_opts *opts)
{
	static const unsigned readings[] = { SP_SKIP_MOBY, SP_SKIP_DOCKER20 };
	const secprof_resolved *r = b->r;
	struct secprof_profile prof = *r->prof;
	secprof_resolved docker = *r;
	const struct sp_rule **rules = NULL;
	struct sp_rule *copies = NULL;
	struct sp_rule_extra *extras = NULL;
	int rc = 0;

	if (r->prof->reading || b->as_written || !podman_values_differ(r))
		return 0;
	rules = calloc(r->nrules ? r->nrules : 1, sizeof(*rules));
	copies = calloc(r->nrules ? r->nrules : 1, sizeof(*copies));
	extras = calloc(r->nrules ? r->nrules : 1, sizeof(*extras));
	if (!rules || !copies || !extras) {
		rc = sp_err_oom(b->err);
		goto out;
	}
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule_extra *x = sp_rule_x(r->rules[i]);
		rules[i] = r->rules[i];
		if (!x->errno_name.s || !*x->errno_name.s)
			continue;
		copies[i] = *r->rules[i];
		extras[i] = *x;
		extras[i].errno_name = (struct sp_str){ 0 };
		copies[i].has_errno = x->docker_has_errno;
		copies[i].errno_ret = x->docker_errno_ret;
		copies[i].extra = &extras[i];
		rules[i] = &copies[i];
	}
	if (prof.default_errno_name.s && *prof.default_errno_name.s) {
		prof.has_default_errno = prof.docker_has_default_errno;
		prof.default_errno = prof.docker_default_errno;
		prof.default_errno_name = (struct sp_str){ 0 };
	}
	docker.prof = &prof;
	docker.rules = rules;
	for (size_t k = 0; !rc && k < SP_ARRAY_SIZE(readings); k++) {
		struct scmp_notes notes = { 0 };
		secprof_error e = { 0 };
		bool built = notes_of(&docker, readings[k], opts, &notes, &e);

		free(notes.text);
		if (notes.oom || (!built && e.code == SECPROF_E_SYSTEM))
			rc = sp_err_oom(b->err);
		else if (!built && b->err) {
			*b->err = e;
			append_msg(b->err,
				   snprintf(b->err->msg, sizeof(b->err->msg),
					    "Docker ignores Podman's errno keys: as %s fails: ",
					    reading_name(readings[k])),
				   &e);
			rc = -e.code;
		} else if (!built)
			rc = -e.code;
	}
out:
	free(rules);
	free(copies);
	free(extras);
	return rc;
}

/* `scratch`: the caller's region (core/scratch.h), which then holds the
 * build's temporaries and the rule set's arena too (the caller frees the
 * rule set before it gives the region back); NULL: malloc. */
static struct sp_ruleset *build_ruleset(secprof_ctx *ctx, struct sp_scratch *scratch,
					const secprof_resolved *r, const secprof_compile_opts *opts,
					enum build_kind kind, secprof_error *err)
{
	struct sp_ruleset *rs = calloc(1, sizeof(*rs));
	bool record = kind == BUILD_IR;
	/* one Docker's reading (secprof_compile_opts.docker_reading): the
	 * build reads the copies only; the rule set keeps no pointer to them */
	struct secprof_profile alt;
	secprof_resolved altr;
	struct build b = { .ctx = ctx,
			   .r = r,
			   .rs = rs,
			   .err = err,
			   .steps = SP_REPLAY_STEPS,
			   .record = record,
			   .as_written = kind == BUILD_AS_WRITTEN };
	int rc = 0;

	if (!rs) {
		sp_err_oom(err);
		return NULL;
	}
	if (!r || r->unconfined || !r->prof) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "the profile is unconfined: there is no filter to compile");
		free(rs);
		return NULL;
	}
	if (opts && (opts->docker_reading & SP_SKIP_ALL) && !r->prof->reading) {
		alt = *r->prof;
		alt.reading = opts->docker_reading & SP_SKIP_ALL;
		/* the default action as that Docker passes it: Podman's
		 * defaultErrno ignored; Docker 20.10 drops defaultErrnoRet */
		if (alt.reading != SP_SKIP_APPLIED && alt.default_errno_name.s) {
			alt.default_errno_name = (struct sp_str){ 0 };
			alt.has_default_errno = alt.docker_has_default_errno;
			alt.default_errno = alt.docker_default_errno;
		}
		if (alt.reading == SP_SKIP_DOCKER20)
			alt.has_default_errno = false;
		altr = *r;
		altr.prof = &alt;
		b.r = r = &altr;
	}
	b.scratch = scratch;
	rs->arena.scratch = scratch;
	b.file = r->prof->file;
	b.stub = stub_wanted(r->prof, opts);
	b.exact = opts && opts->exact_libseccomp;
	b.newer = opts && opts->newer_syscalls;
	b.lxc = r->prof->form == SP_FORM_LXC;
	b.drops.item_size = sizeof(struct sp_drop);
	b.drops.scratch = b.scratch;
	b.conds.item_size = sizeof(struct sp_cond);
	b.conds.scratch = b.scratch;
	rc = check_default(&b);
	for (size_t i = 0; !rc && i < r->nrules; i++)
		rc = check_rule(&b, r->rules[i]);
	if (!rc)
		rc = check_readings(&b);
	if (!rc)
		rc = check_reading_sets(&b, opts);
	if (!rc)
		rc = check_docker_values(&b, opts);
	for (size_t i = 0; !rc && record && i < r->ndrops; i++) {
		struct sp_drop *d = sp_vec_push(&b.drops);
		if (!d)
			rc = sp_err_oom(err);
		else
			*d = r->drops[i];
	}
	/* runc's "equal to the default action" skip (docs/COMPAT.md §4.1.2 step 5) */
	for (size_t i = 0; !rc && i < r->nrules; i++)
		if (sp_rule_is_default(r->prof, r->rules[i]))
			rc = sp_rs_add_drop(&b, SECPROF_REASON_EQUALS_DEFAULT, r->rules[i], NULL,
					    NULL, NULL, NULL, -1);
	/* A rule that names no syscall (names [] or absent) gives runc nothing
	 * to add: specconv's SetupSeccomp makes one rule per entry of Names.
	 * It is left out with its own reason, so no rule leaves the IR
	 * without one. */
	for (size_t i = 0; !rc && i < r->nrules; i++)
		if (!r->rules[i]->nnames && !sp_rule_is_default(r->prof, r->rules[i]))
			rc = sp_rs_add_drop(&b, SECPROF_REASON_NO_NAMES, r->rules[i], NULL, NULL,
					    NULL, NULL, -1);
	if (!rc)
		rc = collect_arches(&b);
	if (!rc)
		rc = sp_rs_lookup_names(&b);
	if (!rc)
		rc = sp_rs_warn_unknown(&b);
	if (!rc)
		rc = sp_rs_settle_arg32(&b);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		if (sp_rs_multiplexes(rs->arches[i].arch))
			rc = sp_rs_mux_names(&b);
	if (!rc)
		rc = keep_model_db(&b);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		rc = sp_rs_build_arch(&b, &rs->arches[i]);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		rc = sp_rs_check_absent(&b, &rs->arches[i]);
	if (!rc && !b.as_written)
		rc = sp_rs_libseccomp_bugs(&b);
	for (size_t i = 0; !rc && i < rs->narches; i++)
		rc = floor_unlisted(&b, &rs->arches[i]);
	sp_sfree(b.scratch, b.model_db);
	sp_sfree(b.scratch, b.muxn);
	sp_sfree(b.scratch, b.known);
	sp_sfree(b.scratch, b.nrs);
	if (!rc && b.drops.len) {
		rs->drops = sp_arena_alloc_raw(&rs->arena, b.drops.len * sizeof(*rs->drops));
		if (!rs->drops)
			rc = sp_err_oom(err);
		else
			memcpy(rs->drops, b.drops.items, b.drops.len * sizeof(*rs->drops));
		rs->ndrops = b.drops.len;
	}
	sp_vec_free(&b.drops);
	if (rc) {
		sp_ruleset_free(rs);
		return NULL;
	}
	set_flags(&b);
	rs->replay_steps = SP_REPLAY_STEPS - b.steps;
	return rs;
}

struct sp_ruleset *sp_ruleset_build(secprof_ctx *ctx, const secprof_resolved *r,
				    const secprof_compile_opts *opts, secprof_error *err)
{
	return build_ruleset(ctx, NULL, r, opts, BUILD_COMPILER, err);
}

struct sp_ruleset *sp_ruleset_build_in(secprof_ctx *ctx, struct sp_scratch *scratch,
				       const secprof_resolved *r, const secprof_compile_opts *opts,
				       secprof_error *err)
{
	return build_ruleset(ctx, scratch, r, opts, BUILD_COMPILER, err);
}

struct sp_ruleset *sp_ruleset_build_ir(secprof_ctx *ctx, const secprof_resolved *r,
				       const secprof_compile_opts *opts, secprof_error *err)
{
	return build_ruleset(ctx, NULL, r, opts, BUILD_IR, err);
}

struct sp_ruleset *sp_ruleset_build_as_written(secprof_ctx *ctx, const secprof_resolved *r,
					       const secprof_compile_opts *opts, secprof_error *err)
{
	return build_ruleset(ctx, NULL, r, opts, BUILD_AS_WRITTEN, err);
}

void sp_ruleset_free(struct sp_ruleset *rs)
{
	if (!rs)
		return;
	sp_arena_free(&rs->arena);
	free(rs);
}

const struct sp_arch_rules *sp_ruleset_arch(const struct sp_ruleset *rs, const struct sp_arch *a)
{
	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch->audit == a->audit &&
		    rs->arches[i].arch->nr_base == a->nr_base)
			return &rs->arches[i];
	return NULL;
}

size_t sp_ruleset_audits(const struct sp_ruleset *rs, uint32_t *audits, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->narches; i++) {
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= audits[j] == rs->arches[i].arch->audit;
		if (!seen && n < max)
			audits[n++] = rs->arches[i].arch->audit;
	}
	return n;
}
