/* resolve.c - a profile resolved for one container, as moby does it
 * (docs/COMPAT.md §2: moby/profiles seccomp_linux.go setupSeccomp), and the
 * --security-opt seccomp decision table (docs/COMPAT.md §3.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "secprof.h"
#include "profile/resolve.h"

/* ---- kernel version ----------------------------------------------------- */

static size_t skip_spaces(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
		i++;
	return i;
}

/* One "%d" of Go's fmt scanning into a uint64. */
static bool scan_go_uint(const char *s, size_t *i, unsigned long *out, char *why, size_t whylen)
{
	size_t start;
	uint64_t v;

	*i = skip_spaces(s, *i);
	if (s[*i] == '\n') {
		snprintf(why, whylen, "unexpected newline");
		return false;
	}
	if (!s[*i]) {
		snprintf(why, whylen, "EOF");
		return false;
	}
	start = *i;
	while (s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	if (*i == start) {
		snprintf(why, whylen, "expected integer");
		return false;
	}
	if (!sp_parse_u64(s + start, *i - start, &v) || v > (uint64_t)(unsigned long)-1) {
		snprintf(why, whylen, "strconv.ParseUint: parsing \"%.*s\": value out of range",
			 (int)(*i - start), s + start);
		return false;
	}
	*out = (unsigned long)v;
	return true;
}

bool sp_kernel_parse_release(const char *release, unsigned long *major, unsigned long *minor,
			     char *why, size_t whylen)
{
	size_t i = 0;

	if (!scan_go_uint(release, &i, major, why, whylen))
		return false;
	if (!release[i]) {
		snprintf(why, whylen, "unexpected EOF");
		return false;
	}
	if (release[i] != '.') {
		snprintf(why, whylen, "input does not match format");
		return false;
	}
	i++;
	return scan_go_uint(release, &i, minor, why, whylen);
}

/* The kernel minKernel is compared with: the caller's, or the running one,
 * read only when a minKernel condition is actually evaluated, since moby
 * only fails on an unparsable release in that case (docs/COMPAT.md §1.5). */
struct kernel {
	bool known;
	unsigned long major, minor;
};

static int kernel_get(struct kernel *k, const struct secprof_profile *p, secprof_error *err)
{
	struct utsname u;
	char why[160];

	if (k->known)
		return 0;
	if (uname(&u) < 0)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "uname failed");
	if (!sp_kernel_parse_release(u.release, &k->major, &k->minor, why, sizeof(why)))
		return sp_err(err, SECPROF_E_SYSTEM, p->file, NULL, NULL,
			      "failed to parse kernel version \"%s\": %s", u.release, why);
	k->known = true;
	return 0;
}

/* kernelGreaterEqualThan (docs/COMPAT.md §2.3): only kernel.major counts. */
static int kernel_at_least(struct kernel *k, const struct secprof_profile *p,
			   const struct sp_filter *f, bool *ge, secprof_error *err)
{
	int rc = kernel_get(k, p, err);

	if (rc < 0)
		return rc;
	*ge = k->major > f->min_kernel[0] ||
	      (k->major == f->min_kernel[0] && k->minor >= f->min_kernel[1]);
	return 0;
}

/* ---- conditions ----------------------------------------------------------- */

struct resolve_state {
	const struct secprof_profile *prof;
	const char *native; /* Docker's native string, NULL when none (x32) */
	secprof_caps caps;
	struct kernel kernel;
	bool kernel_used;
};

static bool arch_listed(const struct sp_filter *f, const char *native)
{
	for (size_t i = 0; i < f->narches; i++)
		if (native && f->arches[i].s && !strcmp(f->arches[i].s, native))
			return true;
	return false;
}

static bool cap_held(const struct sp_str *c, secprof_caps caps)
{
	int cap = c->s ? sp_cap_from_exact_name(c->s) : -1;

	return cap >= 0 && (caps & ((secprof_caps)1 << cap));
}

/* Why a filter decided: the reason code and what decided it (the cap or
 * arch named, or the minKernel), for the IR (docs/IR.md). The text is only
 * written (verdict_detail) for the rules left out: resolving runs once per
 * container, and formatting every verdict showed in its time. */
struct verdict {
	int reason;                     /* enum secprof_reason, or -1: kept */
	const char *what;               /* the cap or arch named (outlives the verdict) */
	const struct sp_filter *kernel; /* the filter whose minKernel decided */
};

static void set_verdict(struct verdict *v, enum secprof_reason reason, const char *what)
{
	*v = (struct verdict){ (int)reason, what, NULL };
}

static void set_kernel_verdict(struct verdict *v, enum secprof_reason reason,
			       const struct sp_filter *f)
{
	*v = (struct verdict){ (int)reason, NULL, f };
}

static char *put_u8(char *d, unsigned n)
{
	if (n >= 100)
		*d++ = (char)('0' + n / 100);
	if (n >= 10)
		*d++ = (char)('0' + n / 10 % 10);
	*d++ = (char)('0' + n % 10);
	return d;
}

/* "SYS_ADMIN", "amd64" or "4.8", cut to fit `size` (>= 8). */
static void verdict_detail(const struct verdict *v, char *out, size_t size)
{
	char *d = out;

	if (v->kernel) {
		d = put_u8(d, v->kernel->min_kernel[0]);
		*d++ = '.';
		d = put_u8(d, v->kernel->min_kernel[1]);
	} else if (v->what) {
		size_t n = strnlen(v->what, size - 1);
		memcpy(d, v->what, n);
		d += n;
	}
	*d = '\0';
}

/* excludes: arches, caps, minKernel, in that order (docs/COMPAT.md §2.3). The order
 * matters only for when the running kernel's version is read. */
static int excluded(struct resolve_state *st, const struct sp_filter *f, struct verdict *v,
		    secprof_error *err)
{
	bool ge;
	int rc;

	if (!f->present)
		return 0;
	if (f->narches && arch_listed(f, st->native)) {
		set_verdict(v, SECPROF_REASON_ARCH_EXCLUDED, st->native);
		return 0;
	}
	for (size_t i = 0; i < f->ncaps; i++) {
		if (cap_held(&f->caps[i], st->caps)) {
			set_verdict(v, SECPROF_REASON_CAP_EXCLUDED, f->caps[i].s);
			return 0;
		}
	}
	if (f->has_min_kernel) {
		st->kernel_used = true;
		if ((rc = kernel_at_least(&st->kernel, st->prof, f, &ge, err)) < 0)
			return rc;
		if (ge)
			set_kernel_verdict(v, SECPROF_REASON_KERNEL_EXCLUDED, f);
	}
	return 0;
}

/* includes: the arch list is OR'ed, the cap list AND'ed (docs/COMPAT.md §2.3). */
static int included(struct resolve_state *st, const struct sp_filter *f, struct verdict *v,
		    secprof_error *err)
{
	bool ge;
	int rc;

	if (!f->present)
		return 0;
	if (f->narches && !arch_listed(f, st->native)) {
		set_verdict(v, SECPROF_REASON_ARCH_NOT_INCLUDED, st->native);
		return 0;
	}
	for (size_t i = 0; i < f->ncaps; i++) {
		if (!cap_held(&f->caps[i], st->caps)) {
			set_verdict(v, SECPROF_REASON_CAP_NOT_HELD, f->caps[i].s);
			return 0;
		}
	}
	if (f->has_min_kernel) {
		st->kernel_used = true;
		if ((rc = kernel_at_least(&st->kernel, st->prof, f, &ge, err)) < 0)
			return rc;
		if (!ge)
			set_kernel_verdict(v, SECPROF_REASON_MIN_KERNEL_NOT_MET, f);
	}
	return 0;
}

/* moby's setupSeccomp: excludes first, then includes; v->reason stays -1
 * when the rule is kept. */
static int rule_kept(struct resolve_state *st, const struct sp_rule *rule, struct verdict *v,
		     secprof_error *err)
{
	int rc;

	*v = (struct verdict){ -1, NULL, NULL };
	if ((rc = excluded(st, &sp_rule_x(rule)->excludes, v, err)) < 0 || v->reason >= 0)
		return rc;
	return included(st, &sp_rule_x(rule)->includes, v, err);
}

/* ---- architectures -------------------------------------------------------- */

static void push_arch(secprof_resolved *r, const struct sp_str *a, size_t cap)
{
	if (r->narchitectures < cap)
		r->architectures[r->narchitectures++] = a;
}

/* Legacy `architectures` are copied verbatim; otherwise the first archMap
 * entry for the native arch gives [arch, subArchitectures...] (docs/COMPAT.md §2.2).
 * Docker looks the entry up by nativeToSeccomp, which has no key for
 * loong64 and mipsle hosts, so those never expand (docs/COMPAT.md §2.1). */
static int expand_arches(secprof_resolved *r, const struct secprof_profile *p, secprof_error *err)
{
	const char *key = sp_arch_go_to_seccomp(sp_arch_go(r->native));
	const struct sp_archmap *m = NULL;
	size_t cap = p->narchitectures;

	for (size_t i = 0; key && i < p->narchmap && !m; i++)
		if (p->archmap[i].arch.s && !strcmp(p->archmap[i].arch.s, key))
			m = &p->archmap[i];
	if (m)
		cap += 1 + m->nsubs;
	if (!cap)
		return 0;
	r->architectures = calloc(cap, sizeof(*r->architectures));
	if (!r->architectures)
		return sp_err_oom(err);
	for (size_t i = 0; i < p->narchitectures; i++)
		push_arch(r, &p->architectures[i], cap);
	if (m) {
		push_arch(r, &m->arch, cap);
		for (size_t i = 0; i < m->nsubs; i++)
			push_arch(r, &m->subs[i], cap);
	}
	return 0;
}

/* ---- resolution ----------------------------------------------------------- */

static bool is_empty(const struct sp_str *s)
{
	return !s->s || !s->s[0];
}

static int pick_arch(const secprof_resolve_opts *opts, const struct sp_arch **out,
		     secprof_error *err)
{
	/* A GOARCH ("386", "mips64le") or the native string moby derives
	 * from it ("x86", "mipsel64"); both name the same host (docs/COMPAT.md §2.1). */
	if (opts->arch) {
		*out = sp_arch_by_goarch(opts->arch);
		if (!*out)
			*out = sp_arch_by_go(opts->arch);
		if (!*out)
			return sp_err(
				err, SECPROF_E_USAGE, NULL, NULL, NULL,
				"unknown architecture \"%s\" (expected a Go name such as amd64 or arm64)",
				opts->arch);
		return 0;
	}
	*out = sp_arch_native();
	if (!*out)
		return sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL,
			      "this machine's architecture is unknown to secprof");
	return 0;
}

static int keep_rules(secprof_resolved *r, struct resolve_state *st, secprof_error *err)
{
	const struct secprof_profile *p = r->prof;

	if (!p->nrules)
		return 0;
	r->rules = calloc(p->nrules, sizeof(*r->rules));
	if (!r->rules)
		return sp_err_oom(err);
	for (size_t i = 0, cap = 0; i < p->nrules; i++) {
		struct verdict v;
		int rc = rule_kept(st, &p->rules[i], &v, err);
		if (rc < 0)
			return rc;
		if (v.reason < 0) {
			r->rules[r->nrules++] = &p->rules[i];
			continue;
		}
		/* grown as drops come: a slot per rule would be 88 bytes for each
		 * rule of a large profile that keeps them all */
		if (r->ndrops == cap) {
			struct sp_drop *d;
			cap = cap ? cap * 2 : 16;
			if (!(d = realloc(r->drops, cap * sizeof(*d))))
				return sp_err_oom(err);
			r->drops = d;
		}
		r->drops[r->ndrops] = (struct sp_drop){ .reason = (enum secprof_reason)v.reason,
							.rule = &p->rules[i],
							.cond = -1 };
		verdict_detail(&v, r->drops[r->ndrops].detail, sizeof(r->drops[r->ndrops].detail));
		r->ndrops++;
	}
	return 0;
}

static void fill_kernel(secprof_resolved *r, const struct resolve_state *st)
{
	r->kernel_used = st->kernel_used;
	r->kernel_major = st->kernel.known ? (int)st->kernel.major : 0;
	r->kernel_minor = st->kernel.known ? (int)st->kernel.minor : 0;
}

static int resolve_into(secprof_resolved *r, const secprof_resolve_opts *opts, secprof_error *err)
{
	const struct secprof_profile *p = r->prof;
	struct resolve_state st = { .prof = p, .caps = opts->caps };
	int rc;

	if ((rc = pick_arch(opts, &r->native, err)) < 0 ||
	    (rc = sp_lxc_host_check(p, r->native, opts->arch != NULL, err)) < 0)
		return rc;
	st.native = sp_arch_go(r->native);
	if (opts->kernel_major || opts->kernel_minor) {
		st.kernel.known = true;
		st.kernel.major = (unsigned long)opts->kernel_major;
		st.kernel.minor = (unsigned long)opts->kernel_minor;
	}
	fill_kernel(r, &st);
	/* Neither a default action nor rules: no seccomp at all (docs/COMPAT.md §1.5);
	 * runc applies the same rule to an OCI linux.seccomp. */
	if (p->no_seccomp || (is_empty(&p->default_action) && p->nrules == 0)) {
		r->unconfined = true;
		return 0;
	}
	/* Checked after the early exit, as moby does (docs/COMPAT.md §1.5). */
	if (p->narchitectures && p->narchmap)
		return sp_err(
			err, SECPROF_E_PROFILE, p->file, &p->archmap_loc, "archMap",
			"both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
	if ((rc = expand_arches(r, p, err)) < 0)
		return rc;
	rc = keep_rules(r, &st, err);
	fill_kernel(r, &st);
	return rc;
}

secprof_resolved *secprof_resolve(secprof_ctx *ctx, const secprof_profile *p,
				  const secprof_resolve_opts *opts, secprof_error *err)
{
	static const secprof_resolve_opts no_opts;
	secprof_resolved *r;

	(void)ctx;
	if (!p) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "no profile to resolve");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		sp_err_oom(err);
		return NULL;
	}
	r->prof = p;
	r->caps = (opts ? opts : &no_opts)->caps;
	if (resolve_into(r, opts ? opts : &no_opts, err) < 0) {
		secprof_resolved_free(r);
		return NULL;
	}
	return r;
}

void secprof_resolved_free(secprof_resolved *r)
{
	if (!r)
		return;
	free(r->architectures);
	free(r->rules);
	free(r->drops);
	free(r);
}

unsigned secprof_resolved_readings(const secprof_resolved *r)
{
	unsigned seen = 0;

	_Static_assert(SECPROF_READING_PODMAN == SP_SKIP_APPLIED &&
			       SECPROF_READING_MOBY == SP_SKIP_MOBY &&
			       SECPROF_READING_DOCKER20 == SP_SKIP_DOCKER20,
		       "the public reading bits are profile.h's");
	for (size_t i = 0; r && !r->unconfined && r->prof && i < r->nrules; i++) {
		unsigned k = sp_rule_default_readings(r->prof, r->rules[i]);
		if (k != SP_SKIP_ALL)
			seen |= k;
	}
	return seen;
}

bool secprof_resolved_unconfined(const secprof_resolved *r)
{
	return r->unconfined;
}

/* ---- --security-opt seccomp=... (docs/COMPAT.md §3.3) -------------------------------- */

int secprof_decide(const char *seccomp_opt, bool privileged, enum secprof_decision *out,
		   secprof_error *err)
{
	bool unset = !seccomp_opt || !seccomp_opt[0];

	if (!unset && !strcmp(seccomp_opt, "unconfined")) {
		*out = SECPROF_DECIDE_UNCONFINED;
		return 0;
	}
	/* The daemon's default is ignored for privileged containers. */
	if (unset) {
		*out = privileged ? SECPROF_DECIDE_UNCONFINED : SECPROF_DECIDE_BUILTIN;
		return 0;
	}
	if (!strcmp(seccomp_opt, "builtin")) {
		/* moby hands the word "builtin" to LoadProfile for privileged
		 * containers, which fails to decode it (docs/COMPAT.md §3.3, derived). */
		if (privileged)
			return sp_err(
				err, SECPROF_E_PROFILE, NULL, NULL, NULL,
				"Decoding seccomp profile failed: invalid character 'b' looking for beginning of value");
		*out = SECPROF_DECIDE_BUILTIN;
		return 0;
	}
	/* A custom profile applies even to privileged containers since
	 * Docker v27 (moby#47500). */
	*out = SECPROF_DECIDE_CUSTOM;
	return 0;
}
