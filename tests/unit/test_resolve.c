/* test_resolve.c - capabilities (docs/COMPAT.md §3.4), moby's resolution (docs/COMPAT.md §2),
 * the OCI JSON writer, the decision table (docs/COMPAT.md §3.3), and the built-in
 * profile against the reference file for every arch x caps x kernel.
 * Profiles are built by hand in an arena, so these tests do not depend on
 * the parser except the last group. */
#include <stdarg.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "profile/check.h"
#include "tap.h"

static secprof_caps bit(int cap)
{
	return (secprof_caps)1 << cap;
}

static secprof_caps caps_of(const char *const *names, size_t n)
{
	secprof_caps set = 0;
	for (size_t i = 0; i < n; i++)
		set |= bit(secprof_cap_from_name(names[i]));
	return set;
}

/* ---- capabilities ------------------------------------------------------- */

static void test_cap_names(void)
{
	TAP_EQ_INT(secprof_cap_from_name("CAP_CHOWN"), 0, "CAP_CHOWN is 0");
	TAP_EQ_INT(secprof_cap_from_name("chown"), 0, "lower case without prefix");
	TAP_EQ_INT(secprof_cap_from_name("cap_sys_admin"), 21, "lower case with prefix");
	TAP_EQ_INT(secprof_cap_from_name("Sys_Admin"), 21, "mixed case without prefix");
	TAP_EQ_INT(secprof_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40, "last cap is 40");
	TAP_EQ_INT(secprof_cap_from_name("ALL"), -1, "ALL is not a capability");
	TAP_EQ_INT(secprof_cap_from_name("CAP_FOO"), -1, "unknown name");
	TAP_EQ_INT(secprof_cap_from_name(""), -1, "empty name");
	TAP_EQ_STR(secprof_cap_name(21), "CAP_SYS_ADMIN", "name of 21");
	TAP_EQ_STR(secprof_cap_name(34), "CAP_SYSLOG", "name of 34");
	tap_ok(secprof_cap_name(41) == NULL && secprof_cap_name(-1) == NULL,
	       "no name out of range");
	TAP_EQ_INT(__builtin_popcountll(secprof_caps_all()), 41, "41 known caps");
	TAP_EQ_INT(secprof_caps_all(), (1ull << 41) - 1, "all = caps 0..40");
}

static const char *const docker_defaults[] = {
	"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
	"CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",    "CAP_AUDIT_WRITE",
};

static int tweak(const char *const *add, size_t nadd, const char *const *drop, size_t ndrop,
		 bool priv, secprof_caps avail, secprof_caps *out, secprof_error *err)
{
	*out = 0xdead;
	return secprof_caps_tweak(add, nadd, drop, ndrop, priv, avail, out, err);
}

static void test_caps_tweak(void)
{
	const secprof_caps def = caps_of(docker_defaults, 14), all = secprof_caps_all();
	/* what Debian 12's Docker knows: CAP_CHOWN .. CAP_AUDIT_READ */
	const secprof_caps known = all & (bit(38) - 1);
	const char *sysadmin[] = { "sys_admin" }, *ALL[] = { "ALL" }, *all_lc[] = { "all" };
	const char *chown_[] = { "CHOWN" }, *two[] = { "cap_net_admin", "SYS_PTRACE" };
	const char *bogus[] = { "bogus" }, *bogus2[] = { "bogus2" }, *cap_all[] = { "cap_all" };
	const char *quote[] = { "a\"b\\c" };
	secprof_error err = { 0 };
	secprof_caps c;

	TAP_EQ_INT(secprof_caps_docker_default(), def, "Docker's 14 default caps");
	TAP_EQ_INT(__builtin_popcountll(def), 14, "14 of them");
	tap_ok(tweak(NULL, 0, NULL, 0, false, all, &c, &err) == 0 && c == def,
	       "no tweak: defaults");
	tap_ok(tweak(bogus, 1, bogus2, 1, true, all, &c, &err) == 0 && c == known,
	       "privileged: everything available Docker knows, add/drop ignored unchecked");
	tap_ok(tweak(NULL, 0, NULL, 0, true, def | bit(21), &c, &err) == 0 && c == (def | bit(21)),
	       "privileged: exactly `available`");
	tap_ok(tweak(sysadmin, 1, NULL, 0, false, all, &c, &err) == 0 && c == (def | bit(21)),
	       "--cap-add sys_admin: defaults + CAP_SYS_ADMIN");
	tap_ok(tweak(NULL, 0, chown_, 1, false, all, &c, &err) == 0 && c == (def & ~bit(0)),
	       "--cap-drop CHOWN: defaults - CAP_CHOWN");
	tap_ok(tweak(chown_, 1, chown_, 1, false, all, &c, &err) == 0 && c == def,
	       "drop then add the same cap keeps it (adds are appended after drops)");
	tap_ok(tweak(ALL, 1, NULL, 0, false, all, &c, &err) == 0 && c == known,
	       "--cap-add ALL: all");
	tap_ok(tweak(ALL, 1, ALL, 1, false, all, &c, &err) == 0 && c == known,
	       "--cap-add ALL --cap-drop ALL: all caps (the literal ALL drops nothing)");
	tap_ok(tweak(all_lc, 1, chown_, 1, false, all, &c, &err) == 0 && c == (known & ~bit(0)),
	       "--cap-add all --cap-drop chown: all but CAP_CHOWN");
	tap_ok(tweak(ALL, 1, NULL, 0, false, def, &c, &err) == 0 && c == def,
	       "--cap-add ALL gives what is available");
	tap_ok(tweak(two, 2, ALL, 1, false, all, &c, &err) == 0 && c == (bit(12) | bit(19)),
	       "--cap-drop ALL: exactly the add list");
	tap_ok(tweak(NULL, 0, all_lc, 1, false, all, &c, &err) == 0 && c == 0,
	       "--cap-drop all alone: no caps");

	TAP_EQ_INT(tweak(bogus, 1, NULL, 0, false, all, &c, &err), -SECPROF_E_USAGE,
		   "unknown cap is a usage error");
	TAP_EQ_STR(err.msg, "unknown capability: \"CAP_BOGUS\"", "unknown cap message");
	tweak(bogus, 1, bogus2, 1, false, all, &c, &err);
	TAP_EQ_STR(err.msg, "unknown capability: \"CAP_BOGUS2\"", "the drop list is checked first");
	tweak(cap_all, 1, NULL, 0, false, all, &c, &err);
	TAP_EQ_STR(err.msg, "unknown capability: \"CAP_ALL\"", "cap_all is not ALL");
	tweak(quote, 1, NULL, 0, false, all, &c, &err);
	TAP_EQ_STR(err.msg, "unknown capability: \"CAP_A\\\"B\\\\C\"", "name quoted as Go's %q");
	TAP_EQ_INT(tweak(sysadmin, 1, NULL, 0, false, def, &c, &err), -SECPROF_E_USAGE,
		   "known but unavailable cap is refused");
	TAP_EQ_STR(
		err.msg,
		"capability not supported by your kernel or not available in the current environment: \"CAP_SYS_ADMIN\"",
		"unavailable cap message");

	/* Debian 12's Docker (20.10.24) has no CAP_PERFMON, CAP_BPF or
	 * CAP_CHECKPOINT_RESTORE: it refuses the names and never grants them,
	 * so a profile's rules for them never apply (src/profile/caps.c). */
	const char *bpf[] = { "BPF" }, *perfmon[] = { "cap_perfmon" },
		   *checkpoint[] = { "CHECKPOINT_RESTORE" };
	TAP_EQ_INT(tweak(bpf, 1, NULL, 0, false, all, &c, &err), -SECPROF_E_USAGE,
		   "--cap-add BPF refused as Debian 12's Docker does");
	TAP_EQ_STR(err.msg, "unknown capability: \"CAP_BPF\"", "--cap-add BPF: Docker's message");
	TAP_EQ_INT(tweak(perfmon, 1, NULL, 0, false, all, &c, &err), -SECPROF_E_USAGE,
		   "--cap-add cap_perfmon refused");
	TAP_EQ_INT(tweak(NULL, 0, checkpoint, 1, false, all, &c, &err), -SECPROF_E_USAGE,
		   "--cap-drop CHECKPOINT_RESTORE refused");
	tap_ok(tweak(ALL, 1, sysadmin, 1, false, all, &c, &err) == 0 && !(c >> 38),
	       "--cap-add ALL --cap-drop SYS_ADMIN: no PERFMON, BPF, CHECKPOINT_RESTORE");
	tap_ok(tweak(NULL, 0, NULL, 0, true, all, &c, &err) == 0 && !(c >> 38),
	       "--privileged: no PERFMON, BPF, CHECKPOINT_RESTORE");
}

/* ---- a profile built by hand -------------------------------------------- */

struct builder {
	struct secprof_profile *p;
	size_t cap_rules;
};

static struct sp_str str(struct secprof_profile *p, const char *s)
{
	struct sp_str v = { 0 };
	if (s)
		v.s = sp_arena_strndup(&p->arena, s, strlen(s));
	return v;
}

/* NULL-terminated list of strings into the arena. */
static struct sp_str *strs(struct secprof_profile *p, size_t *n, const char *first, ...)
{
	const char *items[32];
	struct sp_str *out;
	va_list ap;

	*n = 0;
	va_start(ap, first);
	for (const char *s = first; s && *n < 32; s = va_arg(ap, const char *))
		items[(*n)++] = s;
	va_end(ap);
	out = sp_arena_alloc(&p->arena, (*n + 1) * sizeof(*out));
	for (size_t i = 0; i < *n; i++)
		out[i] = str(p, items[i]);
	return out;
}

static struct secprof_profile *profile(const char *default_action)
{
	struct secprof_profile *p = calloc(1, sizeof(*p));
	int act = sp_action_from_str(default_action);

	p->file = "test.json";
	p->default_action = str(p, default_action);
	/* what parse.c's validation decodes; check.c and the rule set read it */
	p->default_action_ok = act >= 0;
	p->default_act = act >= 0 ? (enum sp_action)act : SP_ACT_KILL;
	p->rules = sp_arena_alloc(&p->arena, 64 * sizeof(*p->rules));
	return p;
}

static void free_profile(struct secprof_profile *p)
{
	sp_arena_free(&p->arena);
	free(p);
}

static struct sp_rule *rule(struct secprof_profile *p, const char *name, const char *action)
{
	struct sp_rule *r = &p->rules[p->nrules];
	r->index = p->nrules++;
	r->names = strs(p, &r->nnames, name, NULL);
	r->action = str(p, action);
	r->action_ok = sp_action_from_str(action) >= 0;
	r->act = r->action_ok ? (enum sp_action)sp_action_from_str(action) : SP_ACT_KILL;
	return r;
}

/* The rule's includes/excludes, made as parse.c makes them. */
static struct sp_rule_extra *extra(struct secprof_profile *p, struct sp_rule *r)
{
	if (!r->extra)
		r->extra = sp_arena_alloc(&p->arena, sizeof(*r->extra));
	return r->extra;
}

static void kernel_filter(struct sp_filter *f, uint8_t a, uint8_t b)
{
	f->present = true;
	f->has_min_kernel = true;
	f->min_kernel[0] = a;
	f->min_kernel[1] = b;
}

static secprof_resolve_opts opts_for(const char *arch, int kmaj, int kmin, secprof_caps caps)
{
	secprof_resolve_opts o = {
		.arch = arch, .kernel_major = kmaj, .kernel_minor = kmin, .caps = caps
	};
	return o;
}

/* Resolve and return the names of the kept rules joined by ",". */
static const char *kept(struct secprof_profile *p, secprof_resolve_opts o)
{
	static char buf[1024];
	secprof_error err = { 0 };
	secprof_resolved *r = secprof_resolve(NULL, p, &o, &err);

	if (!r) {
		snprintf(buf, sizeof(buf), "error: %s", err.msg);
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < r->nrules; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "",
			 r->rules[i]->names[0].s);
	secprof_resolved_free(r);
	return buf;
}

static char *oci(struct secprof_profile *p, secprof_resolve_opts o)
{
	secprof_error err = { 0 };
	secprof_resolved *r = secprof_resolve(NULL, p, &o, &err);
	char *json = NULL;

	if (!r)
		return strdup(err.msg);
	if (secprof_resolved_to_oci_json(r, &json, NULL, &err) < 0)
		json = strdup(err.msg);
	secprof_resolved_free(r);
	return json;
}

static void test_caps_conditions(void)
{
	/* The moby fixture conditional_include.json, by hand (docs/COMPAT.md §2.3). */
	struct secprof_profile *p = profile("SCMP_ACT_ERRNO");
	struct sp_rule *r;
	struct sp_rule_extra *x;
	const secprof_caps none = 0;

	rule(p, "chmod", "SCMP_ACT_ALLOW");
	r = rule(p, "syslog", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.caps = strs(p, &x->includes.ncaps, "CAP_SYSLOG", NULL);
	r = rule(p, "ptrace", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->excludes.present = true;
	x->excludes.caps = strs(p, &x->excludes.ncaps, "CAP_SYS_ADMIN", NULL);
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 1, none)), "chmod,ptrace", "caps {}");
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 1, bit(34))), "chmod,syslog,ptrace",
		   "caps {CAP_SYSLOG}");
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 1, bit(21))), "chmod", "caps {CAP_SYS_ADMIN}");

	/* includes.caps is AND'ed, excludes.caps OR'ed; matching is exact. */
	r = rule(p, "both", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.caps = strs(p, &x->includes.ncaps, "CAP_SYSLOG", "CAP_BPF", NULL);
	r = rule(p, "either", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->excludes.present = true;
	x->excludes.caps = strs(p, &x->excludes.ncaps, "CAP_SYSLOG", "CAP_BPF", NULL);
	r = rule(p, "lower", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.caps = strs(p, &x->includes.ncaps, "cap_syslog", NULL);
	r = rule(p, "emptylist", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->excludes.present = true;
	TAP_EQ_STR(
		kept(p, opts_for("amd64", 6, 1, bit(34))), "chmod,syslog,ptrace,emptylist",
		"one of two included caps: dropped; one of two excluded: dropped; lower case never matches");
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 1, bit(34) | bit(39))),
		   "chmod,syslog,ptrace,both,emptylist", "both included caps held: kept");
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 1, 0)), "chmod,ptrace,either,emptylist",
		   "no caps: excluded-caps rule kept");
	free_profile(p);
}

static void test_arch_conditions(void)
{
	struct secprof_profile *p = profile("SCMP_ACT_ERRNO");
	struct sp_rule *r;
	struct sp_rule_extra *x;

	r = rule(p, "only_arm64", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.arches = strs(p, &x->includes.narches, "arm64", NULL);
	r = rule(p, "amd64_or_arm64", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.arches = strs(p, &x->includes.narches, "amd64", "arm64", NULL);
	r = rule(p, "not_amd64", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->excludes.present = true;
	x->excludes.arches = strs(p, &x->excludes.narches, "amd64", NULL);
	r = rule(p, "x86_64_name", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.arches = strs(p, &x->includes.narches, "x86_64", "x32", NULL);
	r = rule(p, "x86", "SCMP_ACT_ALLOW");
	x = extra(p, r);
	x->includes.present = true;
	x->includes.arches = strs(p, &x->includes.narches, "x86", NULL);
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 1, 0)), "amd64_or_arm64",
		   "amd64: arches matched on Go names only");
	TAP_EQ_STR(kept(p, opts_for("arm64", 6, 1, 0)), "only_arm64,amd64_or_arm64,not_amd64",
		   "arm64");
	TAP_EQ_STR(kept(p, opts_for("386", 6, 1, 0)), "not_amd64,x86",
		   "GOARCH 386 matches the native string x86");
	TAP_EQ_STR(kept(p, opts_for("x86", 6, 1, 0)), "not_amd64,x86", "--arch x86 = 386");
	TAP_EQ_STR(
		kept(p, opts_for("sparc", 6, 1, 0)),
		"error: unknown architecture \"sparc\" (expected a Go name such as amd64 or arm64)",
		"unknown arch");
	{
		secprof_error err = { 0 };
		secprof_resolve_opts o = opts_for("x86_64", 6, 1, 0);
		tap_ok(!secprof_resolve(NULL, p, &o, &err) && err.code == SECPROF_E_USAGE,
		       "libseccomp name x86_64 is not a Go name: usage error");
	}
	free_profile(p);
}

static void test_kernel_conditions(void)
{
	struct secprof_profile *p = profile("SCMP_ACT_ERRNO");
	secprof_error err = { 0 };
	secprof_resolved *res;
	secprof_resolve_opts o;

	rule(p, "plain", "SCMP_ACT_ALLOW");
	o = opts_for("amd64", 4, 7, 0);
	res = secprof_resolve(NULL, p, &o, &err);
	tap_ok(res && !res->kernel_used, "kernel not consulted without minKernel");
	secprof_resolved_free(res);

	kernel_filter(&extra(p, rule(p, "inc48", "SCMP_ACT_ALLOW"))->includes, 4, 8);
	kernel_filter(&extra(p, rule(p, "exc48", "SCMP_ACT_ALLOW"))->excludes, 4, 8);
	kernel_filter(&extra(p, rule(p, "inc_empty", "SCMP_ACT_ALLOW"))->includes, 0, 0);
	kernel_filter(&extra(p, rule(p, "exc_empty", "SCMP_ACT_ALLOW"))->excludes, 0, 0);
	kernel_filter(&extra(p, rule(p, "inc5_10", "SCMP_ACT_ALLOW"))->includes, 5, 10);
	TAP_EQ_STR(kept(p, opts_for("amd64", 4, 7, 0)), "plain,exc48,inc_empty", "kernel 4.7");
	TAP_EQ_STR(kept(p, opts_for("amd64", 4, 8, 0)), "plain,inc48,inc_empty", "kernel 4.8");
	TAP_EQ_STR(kept(p, opts_for("amd64", 5, 9, 0)), "plain,inc48,inc_empty",
		   "kernel 5.9: minor compared only for the same major");
	TAP_EQ_STR(kept(p, opts_for("amd64", 5, 10, 0)), "plain,inc48,inc_empty,inc5_10",
		   "kernel 5.10");
	TAP_EQ_STR(kept(p, opts_for("amd64", 6, 0, 0)), "plain,inc48,inc_empty,inc5_10",
		   "kernel 6.0: major beats minor");
	o = opts_for("amd64", 0, 0, 0);
	res = secprof_resolve(NULL, p, &o, &err);
	tap_ok(res && res->kernel_used && res->kernel_major > 0,
	       "kernel 0.0 = the running kernel, read from uname");
	secprof_resolved_free(res);
	free_profile(p);
}

static void test_release_parse(void)
{
	static const struct {
		const char *release, *want;
	} cases[] = {
		{ "6.1.0-13-amd64", "6.1" },
		{ "3.12-1-amd64", "3.12" },
		{ "4.15abc", "4.15" },
		{ "5", "unexpected EOF" },
		{ "", "EOF" },
		{ "abc", "expected integer" },
		{ "5-1", "input does not match format" },
		{ "5.", "EOF" },
		{ "5.x", "expected integer" },
		{ "99999999999999999999.1",
		  "strconv.ParseUint: parsing \"99999999999999999999\": value out of range" },
	};
	for (size_t i = 0; i < SP_ARRAY_SIZE(cases); i++) {
		unsigned long a = 0, b = 0;
		char got[160];
		if (sp_kernel_parse_release(cases[i].release, &a, &b, got, sizeof(got)))
			snprintf(got, sizeof(got), "%lu.%lu", a, b);
		TAP_EQ_STR(got, cases[i].want, cases[i].release);
	}
}

static void test_early_exit(void)
{
	struct secprof_profile *p = profile(NULL);
	secprof_resolve_opts o = opts_for("amd64", 6, 1, 0);
	char *json;

	json = oci(p, o);
	TAP_EQ_STR(json, "null", "{} is unconfined and marshals as null");
	free(json);
	/* both 'architectures' and 'archMap', but unconfined first (docs/COMPAT.md §1.5) */
	p->architectures = strs(p, &p->narchitectures, "SCMP_ARCH_X86", NULL);
	p->archmap = sp_arena_alloc(&p->arena, sizeof(*p->archmap));
	p->narchmap = 1;
	p->archmap[0].arch = str(p, "SCMP_ARCH_X86_64");
	json = oci(p, o);
	TAP_EQ_STR(json, "null", "architectures+archMap without rules: still unconfined");
	free(json);
	p->default_action = str(p, "SCMP_ACT_ALLOW");
	json = oci(p, o);
	TAP_EQ_STR(
		json,
		"both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
		"architectures+archMap error");
	free(json);
	free_profile(p);

	p = profile("");
	rule(p, "read", "SCMP_ACT_ALLOW");
	json = oci(p, o);
	TAP_EQ_STR(
		json,
		"{\"defaultAction\":\"\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		"no defaultAction but rules: resolved, defaultAction \"\"");
	free(json);
	free_profile(p);

	p = profile("SCMP_ACT_ERRNO");
	p->no_seccomp = true;
	json = oci(p, o);
	TAP_EQ_STR(json, "null", "OCI config without linux.seccomp: unconfined");
	free(json);
	free_profile(p);
}

static void add_archmap(struct secprof_profile *p, const char *arch, const char *sub1,
			const char *sub2)
{
	struct sp_archmap *m = &p->archmap[p->narchmap++];
	m->arch = str(p, arch);
	m->subs = strs(p, &m->nsubs, sub1, sub2, NULL);
}

static void test_archmap(void)
{
	struct secprof_profile *p = profile("SCMP_ACT_ERRNO");
	char *json;

	p->archmap = sp_arena_alloc(&p->arena, 8 * sizeof(*p->archmap));
	add_archmap(p, "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL);
	add_archmap(p, "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_X86");
	add_archmap(p, "SCMP_ARCH_X86_64", "SCMP_ARCH_MIPS", NULL);
	add_archmap(p, "SCMP_ARCH_LOONGARCH64", NULL, NULL);
	add_archmap(p, "SCMP_ARCH_MIPSEL", NULL, NULL);
	add_archmap(p, "SCMP_ARCH_X86", "SCMP_ARCH_BOGUS", NULL);
	json = oci(p, opts_for("amd64", 6, 1, 0));
	TAP_EQ_STR(
		json,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_X86\"]}",
		"amd64: first matching entry only, subArchitectures in order");
	free(json);
	json = oci(p, opts_for("386", 6, 1, 0));
	TAP_EQ_STR(
		json,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_BOGUS\"]}",
		"386: unknown sub-architecture copied verbatim");
	free(json);
	json = oci(p, opts_for("loong64", 6, 1, 0));
	TAP_EQ_STR(json, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}",
		   "loong64: nativeToSeccomp has no loongarch64 key, no expansion");
	free(json);
	json = oci(p, opts_for("mipsle", 6, 1, 0));
	TAP_EQ_STR(json, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}",
		   "mipsle: nativeToSeccomp has no mipsel key, no expansion");
	free(json);
	json = oci(p, opts_for("riscv64", 6, 1, 0));
	TAP_EQ_STR(json, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}",
		   "no entry for the arch: architectures left out");
	free(json);
	free_profile(p);

	p = profile("SCMP_ACT_ERRNO");
	p->architectures = strs(p, &p->narchitectures, "SCMP_ARCH_AARCH64", "SCMP_ARCH_BOGUS",
				"SCMP_ARCH_AARCH64", NULL);
	json = oci(p, opts_for("amd64", 6, 1, 0));
	TAP_EQ_STR(
		json,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_BOGUS\",\"SCMP_ARCH_AARCH64\"]}",
		"legacy architectures: verbatim, not filtered by host");
	free(json);
	free_profile(p);
}

static void test_oci_json(void)
{
	struct secprof_profile *p = profile("SCMP_ACT_ERRNO");
	struct sp_rule *r;
	char *json;

	p->has_default_errno = true;
	p->default_errno = 0;
	p->flags = strs(p, &p->nflags, "SECCOMP_FILTER_FLAG_LOG", NULL);
	p->flags_present = true;
	p->listener_path = str(p, "/run/l.sock");
	p->listener_metadata = str(p, "a<b>&c\"\\\n");
	r = rule(p, "clone", "SCMP_ACT_ALLOW");
	r->args = sp_arena_alloc(&p->arena, 2 * sizeof(*r->args));
	r->nargs = 2;
	r->args_present = true;
	r->args[0] = (struct sp_arg){ .index = 0,
				      .value = 2114060288,
				      .value_two = 0,
				      .op_str = str(p, "SCMP_CMP_MASKED_EQ") };
	r->args[1] = (struct sp_arg){ .index = 5,
				      .value = UINT64_MAX,
				      .value_two = 7,
				      .op_str = str(p, "SCMP_CMP_MASKED_EQ") };
	r = rule(p, "x", "SCMP_ACT_ERRNO");
	r->names = NULL;
	r->nnames = 0;
	r->has_errno = true;
	r->errno_ret = 0;
	r->args_present = true;
	r = rule(p, "y", "");
	r->nnames = 0;
	r = rule(p, "z", "SCMP_ACT_KILL");
	r->names[0].s = NULL;
	json = oci(p, opts_for("amd64", 6, 1, 0));
	TAP_EQ_STR(
		json,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":0,"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"listenerPath\":\"/run/l.sock\","
		"\"listenerMetadata\":\"a\\u003cb\\u003e\\u0026c\\\"\\\\\\n\",\"syscalls\":["
		"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"},"
		"{\"index\":5,\"value\":18446744073709551615,\"valueTwo\":7,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\":null,\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0},"
		"{\"names\":[],\"action\":\"\"},"
		"{\"names\":[\"\"],\"action\":\"SCMP_ACT_KILL\"}]}",
		"OCI JSON: Go field order, omitempty, set-but-zero errno kept, Go escaping");
	free(json);
	free_profile(p);
}

static void test_decide(void)
{
	static const struct {
		const char *opt;
		bool priv;
		int want; /* decision, or -1 for an error */
	} rows[] = {
		{ "unconfined", false, SECPROF_DECIDE_UNCONFINED },
		{ "unconfined", true, SECPROF_DECIDE_UNCONFINED },
		{ NULL, true, SECPROF_DECIDE_UNCONFINED },
		{ "", true, SECPROF_DECIDE_UNCONFINED },
		{ "/p.json", true, SECPROF_DECIDE_CUSTOM },
		{ "builtin", true, -1 },
		{ "builtin", false, SECPROF_DECIDE_BUILTIN },
		{ "/p.json", false, SECPROF_DECIDE_CUSTOM },
		{ NULL, false, SECPROF_DECIDE_BUILTIN },
		{ "", false, SECPROF_DECIDE_BUILTIN },
	};
	for (size_t i = 0; i < SP_ARRAY_SIZE(rows); i++) {
		enum secprof_decision d = (enum secprof_decision)99;
		secprof_error err = { 0 };
		int rc = secprof_decide(rows[i].opt, rows[i].priv, &d, &err);
		TAP_EQ_INT(rc < 0 ? -1 : (int)d, rows[i].want, "decide");
		if (rc < 0)
			TAP_EQ_STR(
				err.msg,
				"Decoding seccomp profile failed: invalid character 'b' looking for beginning of value",
				"privileged + builtin fails as in moby");
	}
}

/* ---- check warnings ------------------------------------------------------- */

struct seen {
	char msgs[8][1024];
	size_t n;
};

static void remember(void *data, const secprof_error *w)
{
	struct seen *s = data;
	if (s->n < 8)
		snprintf(s->msgs[s->n++], sizeof(s->msgs[0]), "%.192s: %.768s", w->path, w->msg);
}

/* A profile that never passed parse.c's validation (where runc's refusals
 * are made) compiles to nothing: the rule set's guard, not a filter built
 * from an action nobody decoded. */
static void test_unvalidated_refused(void)
{
	struct secprof_profile *p = profile("SCMP_ACT_BOGUS");
	secprof_resolve_opts o = opts_for("amd64", 6, 1, secprof_caps_docker_default());
	secprof_error err = { 0 };
	secprof_resolved *r;
	secprof_prog *prog = NULL;

	rule(p, "read", "SCMP_ACT_ALLOW");
	r = secprof_resolve(NULL, p, &o, &err);
	tap_ok(r != NULL, "an unvalidated profile resolves (%s)", r ? "ok" : err.msg);
	if (r)
		prog = secprof_compile(NULL, r, NULL, &err);
	tap_ok(r && !prog && err.code == SECPROF_E_USAGE &&
		       !strcmp(err.msg, "the profile was not validated"),
	       "... and does not compile: %s", prog ? "compiled" : err.msg);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	free_profile(p);
}

static void test_check_warnings(void)
{
	struct secprof_profile *p = profile("SCMP_ACT_KILL_THREAD");
	secprof_ctx *ctx = secprof_ctx_new();
	struct seen seen = { .n = 0 };
	secprof_error err = { 0 };
	struct sp_rule *r;
	size_t n = 0;

	secprof_ctx_set_warn(ctx, remember, &seen);
	rule(p, "read", "SCMP_ACT_KILL");       /* KILL is KILL_THREAD in runc */
	r = rule(p, "write", "SCMP_ACT_TRACE"); /* TRACE takes an errno: fine */
	r->has_errno = true;
	r->errno_ret = 3;
	r = rule(p, "open", "SCMP_ACT_ALLOW"); /* errnoRet ignored */
	r->has_errno = true;
	rule(p, "bogus_call", "SCMP_ACT_ALLOW"); /* unknown everywhere */
	TAP_EQ_INT(sp_check_profile(ctx, p, &n, &err), 0, "warnings are not errors");
	TAP_EQ_INT(n, 3, "three warnings");
	TAP_EQ_STR(
		seen.msgs[0],
		"syscalls[0].action: the rule's action equals the default action, so runc skips the rule",
		"KILL under a KILL_THREAD default is skipped by runc");
	TAP_EQ_STR(
		seen.msgs[1],
		"syscalls[2].errnoRet: errnoRet is ignored with SCMP_ACT_ALLOW (runc ignores it, crun fails)",
		"errnoRet on ALLOW");
	TAP_EQ_STR(
		seen.msgs[2],
		"syscalls[3].names[0]: unknown syscall \"bogus_call\": not a syscall on any architecture, runc ignores it",
		"unknown name");
	free_profile(p);

	/* errno data is masked to 16 bits; unset means EPERM (docs/COMPAT.md §4.1.2). */
	p = profile("SCMP_ACT_ERRNO");
	p->has_default_errno = true;
	p->default_errno = 1;
	r = rule(p, "read", "SCMP_ACT_ERRNO");
	r->has_errno = true;
	r->errno_ret = 65537;
	rule(p, "write", "SCMP_ACT_ERRNO");
	r = rule(p, "open", "SCMP_ACT_ERRNO");
	r->has_errno = true;
	r->errno_ret = 2;
	seen.n = n = 0;
	sp_check_profile(ctx, p, &n, &err);
	TAP_EQ_INT(n, 2,
		   "ERRNO(65537) and ERRNO(unset) equal a default ERRNO(1); ERRNO(2) does not");
	TAP_EQ_STR(
		seen.msgs[1],
		"syscalls[1].action: the rule's action equals the default action, so runc skips the rule",
		"unset errno is EPERM");

	secprof_ctx_set_strict(ctx, true);
	seen.n = n = 0;
	TAP_EQ_INT(sp_check_profile(ctx, p, &n, &err), -SECPROF_E_PROFILE,
		   "strict: the first warning is an error");
	TAP_EQ_STR(err.path, "syscalls[0].action", "strict error path");
	TAP_EQ_INT(seen.n, 0, "strict: nothing reported as a warning");
	free_profile(p);
	secprof_ctx_free(ctx);
}

/* ---- the built-in profile is the reference file ------------------------- */

static char *resolve_json(secprof_profile *p, const char *arch, const int *kernel,
			  secprof_caps caps)
{
	return oci(p, opts_for(arch, kernel[0], kernel[1], caps));
}

static void test_builtin_equals_reference(void)
{
	static const int kernels[][2] = { { 4, 7 }, { 6, 1 } };
	/* the file the built-in profile is made from (tests/run-tests) */
	const char *source = getenv("BUILTIN_SOURCE");
	secprof_ctx *ctx = secprof_ctx_new();
	char path[512];
	secprof_error err = { 0 };
	secprof_profile *file, *builtin;
	size_t combos = 0, diffs = 0;

	snprintf(path, sizeof(path), "%s", source ? source : "/nonexistent");
	file = secprof_profile_load_file(ctx, path, &err);
	if (!tap_ok(file != NULL, "load %s", path))
		tap_diag("%s", err.msg);
	builtin = secprof_profile_builtin(ctx, &err);
	if (!tap_ok(builtin != NULL, "load builtin"))
		tap_diag("%s", err.msg);
	if (!file || !builtin)
		goto out;
	/* Every arch of moby-default's archMap that a GOARCH runs as. */
	for (size_t a = 0; a < file->narchmap; a++) {
		const struct sp_arch *arch = sp_arch_by_scmp(file->archmap[a].arch.s);
		if (!arch || !arch->go[0])
			continue;
		/* default caps, each single --cap-add, privileged (= all). */
		for (int c = -1; c <= 41; c++) {
			secprof_caps caps = secprof_caps_docker_default();
			if (c >= 0 && c < 41)
				caps |= bit(c);
			if (c == 41)
				caps = secprof_caps_all();
			for (size_t k = 0; k < SP_ARRAY_SIZE(kernels); k++) {
				char *x = resolve_json(file, arch->go, kernels[k], caps);
				char *y = resolve_json(builtin, arch->go, kernels[k], caps);
				combos++;
				if ((!x || !y || strcmp(x, y)) && !diffs++)
					tap_diag("first difference: %s cap %d kernel %d.%d",
						 arch->go, c, kernels[k][0], kernels[k][1]);
				free(x);
				free(y);
			}
		}
	}
	tap_ok(combos >= 8 * 43 * 2 && diffs == 0,
	       "builtin resolves byte-equal to its source file: %zu combinations, %zu differ",
	       combos, diffs);
out:
	secprof_profile_free(file);
	secprof_profile_free(builtin);
	secprof_ctx_free(ctx);
}

/* The OCI output is itself a profile (linux.seccomp); resolving it again
 * must give the same bytes, for every reference profile, arch and caps. */
static void test_oci_round_trip(void)
{
	static const char *const files[] = {
		"moby-default.json",
		"podman-default.json",
		"moby-fixtures/example.json",
		"moby-fixtures/conditional_include.json",
		"moby-fixtures/default-old-format.json",
		"profiles/jessfraz-chrome.json",
		"profiles/redpwn-jail.json",
		"profiles/runc-syscall-test1.json",
		"profiles/runc-syscall-test2.json",
		"profiles/docker-labs-default-no-chmod.json",
	};
	static const char *const arches[] = { "amd64", "arm64", "386", "s390x", "ppc64le" };
	const char *ref = getenv("REF");
	secprof_ctx *ctx = secprof_ctx_new();
	size_t runs = 0, bad = 0;

	for (size_t f = 0; f < SP_ARRAY_SIZE(files); f++) {
		char path[512];
		secprof_error err = { 0 };
		secprof_profile *p;

		snprintf(path, sizeof(path), "%s/%s", ref ? ref : "../shared/reference", files[f]);
		if (!(p = secprof_profile_load_file(ctx, path, &err))) {
			tap_diag("%s: %s", path, err.msg);
			bad++;
			continue;
		}
		for (size_t a = 0; a < SP_ARRAY_SIZE(arches); a++) {
			for (int c = 0; c < 2; c++) {
				secprof_caps caps = c ? secprof_caps_all()
						      : secprof_caps_docker_default();
				char *once = oci(p, opts_for(arches[a], 6, 1, caps)), *twice = NULL;
				secprof_profile *q =
					secprof_profile_parse(ctx, once, strlen(once), "oci", &err);
				if (q)
					twice = oci(q, opts_for(arches[a], 6, 1, caps));
				runs++;
				if (!twice || strcmp(once, twice)) {
					if (!bad++)
						tap_diag("%s %s: %s", files[f], arches[a],
							 q ? "differs" : err.msg);
				}
				free(once);
				free(twice);
				secprof_profile_free(q);
			}
		}
		secprof_profile_free(p);
	}
	tap_ok(runs == SP_ARRAY_SIZE(files) * SP_ARRAY_SIZE(arches) * 2 && bad == 0,
	       "resolving the OCI output again is a fixed point: %zu runs, %zu differ", runs, bad);
	secprof_ctx_free(ctx);
}

int main(void)
{
	test_cap_names();
	test_caps_tweak();
	test_caps_conditions();
	test_arch_conditions();
	test_kernel_conditions();
	test_release_parse();
	test_early_exit();
	test_archmap();
	test_oci_json();
	test_decide();
	test_check_warnings();
	test_unvalidated_refused();
	test_builtin_equals_reference();
	test_oci_round_trip();
	return tap_done();
}
