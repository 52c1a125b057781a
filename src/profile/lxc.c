/* lxc.c - LXC seccomp policy files (lxc.seccomp.profile), versions 1 and 2,
 * read into a profile as LXC loads them: LXC 5.0.2 (Debian 12's lxc) with
 * libseccomp 2.5.4, src/lxc/seccomp.c parse_config, parse_config_v1 and
 * parse_config_v2. Each line is read the way LXC's getline/sscanf/strtok
 * code reads it, quirks included (only ' ' separates words, actions are
 * matched by prefix, a comment may only follow the name or the action);
 * what LXC refuses is refused here with file:line:col, and what LXC does
 * that a profile cannot say is refused too, never approximated by a filter
 * that allows more (docs/COMPAT.md §10).
 *
 * The result is an ordinary profile (form SP_FORM_LXC): one rule a line,
 * located at it, so check, explain, lint and the rest point at the LXC
 * file. What depends on the host LXC runs on is said with the profile's
 * own words, resolved for --arch: an [arch] section's rules carry
 * includes.arches with the hosts where LXC applies that section (on
 * x86_64, [x86], [x32] and [x86_64] all apply, each to the whole filter),
 * and an archMap gives the compat arches LXC puts in the filter (x86_64:
 * x86 and x32; aarch64: arm; ppc64: ppc; mips64: o32 and n32). The
 * compiler adds no ENOSYS stub for this form (LXC loads libseccomp's
 * program as it is) and leaves a socket/IPC name out of an arch where it
 * has no number of its own (ruleset.c, merge.c), as LXC's
 * do_resolve_add_rule does. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/arch.h"
#include "core/utf8.h"
#include "profile/profile.h"

/* The hosts LXC 5.0.2 knows (get_hostarch), by Docker's native string
 * (struct sp_arch.go), which includes.arches is matched against. A host it
 * does not know (riscv64, loongarch64: 5.0.2 has no loongarch) applies
 * only [all] sections. The big-endian MIPS o32 host has no native string
 * and cannot be resolved for. */
/* Host names inline (the longest "mipsel64"), as in the tables below: no
 * relocation at load (docs/CONVENTIONS.md §18). */
typedef char lxc_host[9];

static const lxc_host known_hosts[] = { "x86", "amd64",  "arm",      "arm64",  "ppc64le", "ppc64",
					"ppc", "mips64", "mipsel64", "mipsel", "s390x",   "s390" };

/* An [arch] line and the hosts where parse_config_v2 applies the rules
 * below it (elsewhere it skips them); applied, they go to every arch of
 * the host's filter. No hosts: [all]. */
static const struct section {
	char lower[14], upper[14]; /* "[mipsel64n32]" */
	lxc_host hosts[2];
	size_t nhosts;
} sections[] = {
	{ "[x86]", "[X86]", { "x86", "amd64" }, 2 },
	{ "[x32]", "[X32]", { "amd64", "" }, 1 },
	{ "[x86_64]", "[X86_64]", { "amd64", "" }, 1 },
	{ "[all]", "[ALL]", { "", "" }, 0 },
	{ "[arm]", "[ARM]", { "arm", "arm64" }, 2 },
	{ "[arm64]", "[ARM64]", { "arm64", "" }, 1 },
	{ "[ppc64le]", "[PPC64LE]", { "ppc64le", "" }, 1 },
	{ "[ppc64]", "[PPC64]", { "ppc64", "" }, 1 },
	{ "[ppc]", "[PPC]", { "ppc", "ppc64" }, 2 },
	{ "[mips64]", "[MIPS64]", { "mips64", "" }, 1 },
	{ "[mips64n32]", "[MIPS64N32]", { "mips64", "" }, 1 },
	{ "[mips]", "[MIPS]", { "mips64", "" }, 1 }, /* and the o32 host, see above */
	{ "[mipsel64]", "[MIPSEL64]", { "mipsel64", "" }, 1 },
	{ "[mipsel64n32]", "[MIPSEL64N32]", { "mipsel64", "" }, 1 },
	{ "[mipsel]", "[MIPSEL]", { "mipsel", "mipsel64" }, 2 },
	{ "[s390x]", "[S390X]", { "s390x", "" }, 1 },
	{ "[s390]", "[S390]", { "s390", "" }, 1 },
};

/* The compat arches parse_config_v2 merges into the filter on a 64-bit
 * host (get_new_ctx); elsewhere the filter has the native arch alone. */
static const struct compat {
	char arch[19];    /* "SCMP_ARCH_MIPSEL64" */
	char subs[2][22]; /* "SCMP_ARCH_MIPSEL64N32" */
	size_t nsubs;
} compats[] = {
	{ "SCMP_ARCH_X86_64", { "SCMP_ARCH_X86", "SCMP_ARCH_X32" }, 2 },
	{ "SCMP_ARCH_PPC64", { "SCMP_ARCH_PPC", "" }, 1 },
	{ "SCMP_ARCH_AARCH64", { "SCMP_ARCH_ARM", "" }, 1 },
	{ "SCMP_ARCH_MIPS64", { "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32" }, 2 },
	{ "SCMP_ARCH_MIPSEL64", { "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32" }, 2 },
};

struct act {
	enum sp_action act;
	bool has_errno;
	uint64_t errno_ret;
	struct sp_loc loc, errno_loc;
};

struct lx {
	secprof_ctx *ctx;
	secprof_error *err;
	struct secprof_profile *p;
	const char *data;
	size_t len, pos; /* pos: where the next line starts */
	uint32_t lineno; /* of the line in buf */
	uint32_t col0;   /* bytes of that line before buf (after the version) */
	char *buf;       /* that line, NUL-terminated */
	size_t bufcap;
	struct sp_rule *rules; /* malloc'ed; copied to the arena at the end */
	size_t nrules, cap;
	const struct sp_rule_extra *extra; /* the section's includes; NULL: [all] */
	struct act rule_default;
	uint32_t policy_ret; /* the default action's value */
};

static struct sp_loc at(const struct lx *x, const char *where)
{
	return (struct sp_loc){ x->lineno, x->col0 + (uint32_t)(where - x->buf) + 1 };
}

static int lerr(struct lx *x, const char *where, const char *fmt, ...) SP_PRINTF(3, 4);
static int lerr(struct lx *x, const char *where, const char *fmt, ...)
{
	char msg[sizeof(((secprof_error *)0)->msg)];
	struct sp_loc loc = where ? at(x, where) : (struct sp_loc){ x->lineno, 1 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sp_err(x->err, SECPROF_E_PROFILE, x->p->file, &loc, NULL, "%s", msg);
}

static int oom(struct lx *x)
{
	return sp_err_oom_in(x->err, x->p->file);
}

/* The next line as getline(3) returns it: up to and with its '\n'. 0 at
 * the end of the input. */
static int next_line(struct lx *x)
{
	const char *s = x->data + x->pos, *nl;
	size_t n, b = x->pos;

	if (x->pos >= x->len)
		return 0;
	while (b > 0 && x->data[b - 1] != '\n')
		b--;
	x->col0 = (uint32_t)(x->pos - b);
	nl = memchr(s, '\n', x->len - x->pos);
	n = nl ? (size_t)(nl - s) + 1 : x->len - x->pos;
	if (n + 1 > x->bufcap) {
		char *nb = realloc(x->buf, n + 1);
		if (!nb)
			return oom(x);
		x->buf = nb;
		x->bufcap = n + 1;
	}
	memcpy(x->buf, s, n);
	x->buf[n] = '\0';
	x->pos += n;
	x->lineno++;
	return 1;
}

/* sscanf's %d: spaces (isspace), a sign, digits. The value must fit an int
 * (glibc would keep the low bits of a larger one; refused here). */
static int scan_int(struct lx *x, const char *s, const char *what, int *out, const char **end)
{
	const char *p = s;
	long long v = 0;
	bool neg = false;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return lerr(x, p, "%s: expected a number", what);
	const char *num = p;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > (long long)INT_MAX + 1)
			return lerr(x, num, "%s: the number is out of range", what);
	}
	if (neg)
		v = -v;
	if (v > INT_MAX)
		return lerr(x, num, "%s: the number is out of range", what);
	*out = (int)v;
	if (end)
		*end = p;
	return 0;
}

/* get_v2_default_action: the word at s (after spaces) by its prefix. 1 with
 * the action, 0 for nothing at all, or an error. */
static int get_action(struct lx *x, const char *s, struct act *a)
{
	while (*s == ' ')
		s++;
	a->loc = at(x, s);
	a->has_errno = false;
	a->errno_ret = 0;
	if (!strncmp(s, "kill", 4)) {
		a->act = SP_ACT_KILL;
	} else if (!strncmp(s, "errno", 5)) {
		int e;
		const char *num = s + 5;
		int rc = scan_int(x, num, "errno", &e, NULL);
		if (rc < 0)
			return rc;
		while (isspace((unsigned char)*num))
			num++;
		a->act = SP_ACT_ERRNO;
		a->has_errno = true;
		/* SCMP_ACT_ERRNO(e) keeps the low 16 bits */
		a->errno_ret = (uint32_t)e & SP_RET_DATA;
		a->errno_loc = at(x, num);
	} else if (!strncmp(s, "allow", 5)) {
		a->act = SP_ACT_ALLOW;
	} else if (!strncmp(s, "trap", 4)) {
		a->act = SP_ACT_TRAP;
	} else if (!strncmp(s, "notify", 6)) {
		return lerr(x, s,
			    "notify: LXC hands these calls to its seccomp notify proxy "
			    "(lxc.seccomp.notify.proxy), which secprof cannot stand in for");
	} else if (*s == '\n' || *s == '\r') {
		return lerr(x, s,
			    "a space but no action after it (LXC reads the line end as an unknown "
			    "action and fails to load the policy)");
	} else if (*s) {
		size_t n = strcspn(s, " \n");
		return lerr(
			x, s,
			"unknown action \"%.*s\" (LXC takes kill, errno N, allow, trap or notify, "
			"and fails to load the policy on anything else)",
			(int)(n > 40 ? 40 : n), s);
	} else {
		return 0;
	}
	return 1;
}

static const char *action_name(enum sp_action a)
{
	return sp_action_str(a);
}

static uint32_t act_value(const struct act *a)
{
	return sp_action_value(a->act, a->has_errno, a->errno_ret);
}

/* ---- argument specs [index,value,op] / [index,value,op,mask] ---------- */

static const struct {
	char name[19], sym[3]; /* "SCMP_CMP_MASKED_EQ" */
	enum sp_op op;
} ops[] = {
	{ "SCMP_CMP_NE", "!=", SP_OP_NE },
	{ "SCMP_CMP_LT", "<", SP_OP_LT },
	{ "SCMP_CMP_LE", "<=", SP_OP_LE },
	{ "SCMP_CMP_EQ", "==", SP_OP_EQ },
	{ "SCMP_CMP_GE", ">=", SP_OP_GE },
	{ "SCMP_CMP_GT", ">", SP_OP_GT },
	{ "SCMP_CMP_MASKED_EQ", "&=", SP_OP_MASKED_EQ },
};

/* %Nset: up to n bytes for which `in` holds; the count read. */
static size_t scan_set(const char *s, size_t n, bool (*in)(char))
{
	size_t i = 0;

	while (i < n && s[i] && in(s[i]))
		i++;
	return i;
}

static bool not_comma(char c)
{
	return c != ',';
}

static bool op_char(char c)
{
	return c != ',' && c != '^' && !(c >= '0' && c <= '9');
}

/* lxc_safe_uint64(s, base 0), on a copy of the field. */
static bool safe_uint64(const char *s, size_t n, uint64_t *out)
{
	char tmp[32], *end = NULL;
	const char *p = tmp;
	unsigned long long u;

	memcpy(tmp, s, n);
	tmp[n] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return false;
	errno = 0;
	u = strtoull(p, &end, 0);
	if (errno == ERANGE && u == ULLONG_MAX)
		return false;
	if (end == p || *end != '\0')
		return false;
	*out = u;
	return true;
}

/* %i: decimal, 0x hex or 0 octal, after spaces, with a sign. */
static bool scan_index(const char *s, const char **end, long long *out)
{
	const char *p = s;
	bool neg = false;
	int base = 10;
	long long v = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	const char *digits = p;
	for (;; p++) {
		int d = isdigit((unsigned char)*p)    ? *p - '0'
			: isxdigit((unsigned char)*p) ? (tolower((unsigned char)*p) - 'a' + 10)
						      : 99;
		if (d >= base)
			break;
		v = v * base + d;
		if (v > (long long)UINT32_MAX)
			v = (long long)UINT32_MAX + 1; /* out of range either way */
	}
	if (p == digits)
		return false;
	*out = neg ? -v : v;
	*end = p;
	return true;
}

/* get_seccomp_arg_value: sscanf(br, "[%i,%23[^,],%30[^0-9^,],%23[^,]")
 * on the text from '[' up to the ']' that ended the token. */
static int parse_arg(struct lx *x, const char *br, struct sp_arg *a)
{
	const char *p = br + 1, *v, *op, *m = "0";
	size_t nv, nop, nm = 1;
	long long index;
	uint64_t value, mask;
	static const char form[] = "expected an argument as [index,value,op] or "
				   "[index,value,op,mask] (LXC fails to load the policy)";

	if (!scan_index(p, &p, &index) || *p != ',')
		return lerr(x, br, "%s", form);
	if (index < 0 || index >= 6)
		return lerr(x, br + 1,
			    "argument index %lld is out of range: a syscall has 6 arguments (0..5)",
			    index);
	v = ++p;
	nv = scan_set(p, 23, not_comma);
	p += nv;
	if (!nv || *p != ',')
		return lerr(x, br, "%s", form);
	op = ++p;
	nop = scan_set(p, 30, op_char);
	p += nop;
	if (!nop)
		return lerr(x, br, "%s", form);
	if (*p == ',') {
		size_t n = scan_set(p + 1, 23, not_comma);
		if (n) {
			m = p + 1;
			nm = n;
		}
	}
	if (!safe_uint64(v, nv, &value))
		return lerr(x, v,
			    "argument value \"%.*s\" is not a number LXC reads (strtoull, base 0)",
			    (int)nv, v);
	if (!safe_uint64(m, nm, &mask))
		return lerr(x, m,
			    "argument mask \"%.*s\" is not a number LXC reads (strtoull, base 0)",
			    (int)nm, m);
	for (size_t i = 0; i < SP_ARRAY_SIZE(ops); i++) {
		if ((strlen(ops[i].name) != nop || memcmp(ops[i].name, op, nop)) &&
		    (strlen(ops[i].sym) != nop || memcmp(ops[i].sym, op, nop)))
			continue;
		*a = (struct sp_arg){ .index = (uint64_t)index, .op = ops[i].op, .loc = at(x, br) };
		a->op_str = (struct sp_str){ ops[i].name, at(x, op) };
		if (ops[i].op == SP_OP_MASKED_EQ) {
			/* SCMP_CMP(index, op, mask, value): (arg & mask) == value */
			a->value = mask;
			a->value_two = value;
		} else {
			a->value = value;
		}
		return 0;
	}
	return lerr(x, op,
		    "unknown operator \"%.*s\" (LXC takes SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
		    "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ or !=, <, <=, ==, "
		    ">=, >, &=)",
		    (int)nop, op);
}

/* ---- rules -------------------------------------------------------------- */

static struct sp_rule *new_rule(struct lx *x)
{
	if (x->nrules == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		struct sp_rule *r = realloc(x->rules, cap * sizeof(*r));
		if (!r)
			return NULL;
		x->rules = r;
		x->cap = cap;
	}
	memset(&x->rules[x->nrules], 0, sizeof(x->rules[0]));
	return &x->rules[x->nrules++];
}

/* A name is text, as every form's names are: the JSON reader gives
 * invalid UTF-8 as U+FFFD (Go's decoder), and the OCI writer would write
 * raw bytes as \ufffd, another name when read back. LXC would look such
 * a name up, find no syscall and skip it; refused here instead. */
static int check_name_text(struct lx *x, const char *name, struct sp_loc loc)
{
	for (const unsigned char *s = (const unsigned char *)name; *s;) {
		size_t n = sp_utf8_len(s, SIZE_MAX);
		if (!n)
			return sp_err(
				x->err, SECPROF_E_PROFILE, x->p->file, &loc, NULL,
				"the syscall name is not UTF-8 text (no syscall has such a name)");
		s += n;
	}
	return 0;
}

static int add_rule(struct lx *x, const char *name, struct sp_loc name_loc, const struct act *a,
		    const struct sp_arg *args, size_t nargs, const struct sp_rule_extra *extra)
{
	struct sp_arena *ar = &x->p->arena;
	struct sp_rule *r;

	if (check_name_text(x, name, name_loc) < 0)
		return -1;
	if (!(r = new_rule(x)))
		return oom(x);
	r->loc = (struct sp_loc){ x->lineno, 1 };
	r->names = sp_arena_alloc(ar, sizeof(*r->names));
	if (!r->names || !(r->names[0].s = sp_arena_strndup(ar, name, strlen(name))))
		return oom(x);
	r->names[0].loc = name_loc;
	r->nnames = 1;
	r->action = (struct sp_str){ action_name(a->act), a->loc };
	r->has_errno = a->has_errno;
	r->errno_ret = a->errno_ret;
	r->errno_loc = a->errno_loc;
	if (nargs) {
		r->args = sp_arena_alloc(ar, nargs * sizeof(*r->args));
		if (!r->args)
			return oom(x);
		memcpy(r->args, args, nargs * sizeof(*args));
		r->nargs = nargs;
		r->args_present = true;
	}
	r->extra = (struct sp_rule_extra *)extra;
	return 0;
}

/* Includes naming the n (at least one) hosts a rule of this line applies
 * on, in the profile's arena; NULL when out of memory. */
static struct sp_rule_extra *hosts_extra(struct lx *x, const char *const *hosts, size_t n)
{
	struct sp_rule_extra *e = sp_arena_alloc(&x->p->arena, sizeof(*e));
	struct sp_str *a = sp_arena_alloc(&x->p->arena, n * sizeof(*a));

	if (!e || !a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		a[i] = (struct sp_str){ hosts[i], { x->lineno, 1 } };
	e->includes = (struct sp_filter){
		.present = true, .arches = a, .narches = n, .loc = { x->lineno, 1 }
	};
	return e;
}

/* The includes of the rules below a section (or before any: the hosts LXC
 * knows, where it starts with the native arch's rules). */
static int set_hosts(struct lx *x, const lxc_host *hosts, size_t n)
{
	const char *names[SP_ARRAY_SIZE(known_hosts)];

	x->extra = NULL;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		names[i] = hosts[i];
	if (!(x->extra = hosts_extra(x, names, n)))
		return oom(x);
	return 0;
}

static int section_line(struct lx *x, const char *line)
{
	for (size_t i = 0; i < SP_ARRAY_SIZE(sections); i++)
		if (!strcmp(line, sections[i].lower) || !strcmp(line, sections[i].upper))
			return set_hosts(x, sections[i].hosts, sections[i].nhosts);
	return lerr(
		x, line,
		"unknown section \"%.40s\" (LXC: Unsupported architecture; it takes [all], [x86], "
		"[x32], [x86_64], [arm], [arm64], [ppc64le], [ppc64], [ppc], [mips], [mips64], "
		"[mips64n32], [mipsel], [mipsel64], [mipsel64n32], [s390x], [s390], lower or "
		"upper case, alone on the line)",
		line);
}

/* libseccomp refuses a rule with the filter's default action (EACCES), and
 * with it LXC the whole policy; only for a name it resolves. */
static int check_not_default(struct lx *x, const struct act *a, const char *name, bool reject)
{
	char buf[32];

	if (act_value(a) != x->policy_ret || (!reject && !sp_syscall_known(name)))
		return 0;
	return sp_err(x->err, SECPROF_E_PROFILE, x->p->file, &a->loc, NULL,
		      "%s: the action is the policy's default (%s): libseccomp refuses such a rule "
		      "(EACCES), so LXC fails to load the policy",
		      name, sp_ret_str(x->policy_ret, buf, sizeof(buf)));
}

/* One line of a version 2 policy, as parse_v2_rules and do_resolve_add_rule
 * read it. */
static int rule_line(struct lx *x, char *line)
{
	struct act a = x->rule_default;
	struct sp_arg args[6];
	size_t nargs = 0;
	char *sp = strchr(line, ' '), *name_end;
	int rc;

	a.loc = at(x, line);
	/* get_v2_action: the word after the first space, unless none or '#' */
	if (sp) {
		const char *q = sp + 1;
		while (*q == ' ')
			q++;
		if (*q && *q != '#' && (rc = get_action(x, q, &a)) < 0)
			return rc;
	}
	/* the tokens up to each ']', the first six, each from its '[' */
	if (strchr(line, '[')) {
		char *s = line;
		for (size_t i = 0; i < 6; i++) {
			char *tok, *end, *br;
			char save;
			while (*s == ']')
				s++;
			if (!*s)
				break;
			tok = s;
			end = strchr(s, ']');
			if (!end)
				end = s + strlen(s);
			br = memchr(tok, '[', (size_t)(end - tok));
			if (!br)
				return lerr(x, tok,
					    "expected an argument as [index,value,op] or "
					    "[index,value,op,mask] (LXC fails to load the policy)");
			save = *end;
			*end = '\0';
			rc = parse_arg(x, br, &args[nargs]);
			*end = save;
			if (rc < 0)
				return rc;
			for (size_t j = 0; j < nargs; j++)
				if (args[j].index == args[nargs].index)
					return lerr(
						x, br,
						"argument %u is compared twice: libseccomp "
						"refuses that (EINVAL), so LXC fails to load the "
						"policy",
						(unsigned)args[nargs].index);
			nargs++;
			s = *end ? end + 1 : end;
		}
	}
	/* do_resolve_add_rule: the name ends at the first space */
	name_end = sp ? sp : line + strlen(line);
	*name_end = '\0';
	if (!strncmp(line, "reject_force_umount", 19)) {
		/* seccomp_rule_add_exact(ERRNO(EACCES), umount2, 1,
		 * SCMP_A1(SCMP_CMP_MASKED_EQ, MNT_FORCE, MNT_FORCE)) */
		struct act r = { .act = SP_ACT_ERRNO,
				 .has_errno = true,
				 .errno_ret = EACCES,
				 .loc = at(x, line),
				 .errno_loc = at(x, line) };
		struct sp_arg force = { .index = 1,
					.value = 1,
					.value_two = 1,
					.op = SP_OP_MASKED_EQ,
					.loc = at(x, line),
					.op_str = { "SCMP_CMP_MASKED_EQ", at(x, line) } };
		if ((rc = check_not_default(x, &r, line, true)) < 0)
			return rc;
		return add_rule(x, "umount2", at(x, line), &r, &force, 1, x->extra);
	}
	if (!*line) /* no name: nothing libseccomp resolves */
		return 0;
	if ((rc = check_not_default(x, &a, line, false)) < 0)
		return rc;
	return add_rule(x, line, at(x, line), &a, args, nargs, x->extra);
}

/* ---- versions ----------------------------------------------------------- */

static int parse_v2(struct lx *x, const char *policy)
{
	bool deny = !strncmp(policy, "denylist", 8) || !strncmp(policy, "blacklist", 9);
	struct act def = { .act = deny ? SP_ACT_ALLOW : SP_ACT_KILL, .loc = at(x, policy) };
	const char *sp;
	int rc = 0;

	if (!deny && strncmp(policy, "allowlist", 9) && strncmp(policy, "whitelist", 9))
		return lerr(
			x, policy,
			"unknown policy \"%.*s\" (LXC takes allowlist or denylist, or whitelist "
			"or blacklist, then an optional default action)",
			(int)(strcspn(policy, " \n") > 40 ? 40 : strcspn(policy, " \n")), policy);
	/* the rest of the line, its '\n' too, is the default action */
	if ((sp = strchr(policy, ' ')) && (rc = get_action(x, sp + 1, &def)) < 0)
		return rc;
	if (!sp || rc == 0)
		def.loc = at(x, policy);
	x->p->default_action = (struct sp_str){ action_name(def.act), def.loc };
	x->p->has_default_errno = def.has_errno;
	x->p->default_errno = def.errno_ret;
	x->p->default_errno_loc = def.errno_loc;
	x->policy_ret = act_value(&def);
	x->rule_default = (struct act){ .act = deny ? SP_ACT_KILL : SP_ACT_ALLOW };

	/* the compat arches of the filter, by host */
	x->p->narchmap = SP_ARRAY_SIZE(compats);
	x->p->archmap = sp_arena_alloc(&x->p->arena, sizeof(compats) / sizeof(compats[0]) *
							     sizeof(*x->p->archmap));
	if (!x->p->archmap)
		return oom(x);
	x->p->archmap_loc = at(x, policy);
	for (size_t i = 0; i < SP_ARRAY_SIZE(compats); i++) {
		struct sp_archmap *m = &x->p->archmap[i];
		m->arch = (struct sp_str){ compats[i].arch, at(x, policy) };
		m->subs = sp_arena_alloc(&x->p->arena, compats[i].nsubs * sizeof(*m->subs));
		if (!m->subs)
			return oom(x);
		for (size_t j = 0; j < compats[i].nsubs; j++)
			m->subs[j] = (struct sp_str){ compats[i].subs[j], at(x, policy) };
		m->nsubs = compats[i].nsubs;
	}
	/* before any section: the native arch's rules (on 64-bit hosts
	 * "all"), skipped on a host LXC does not know */
	if ((rc = set_hosts(x, known_hosts, SP_ARRAY_SIZE(known_hosts))) < 0)
		return rc;

	while ((rc = next_line(x)) > 0) {
		char *line = x->buf;
		size_t n;
		if (line[0] == '#')
			continue;
		/* remove_trailing_newlines */
		n = strlen(line);
		while (n && line[n - 1] == '\n')
			line[--n] = '\0';
		rc = line[0] == '[' ? section_line(x, line) : rule_line(x, line);
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* Version 1: one native syscall number a line, each allowed, the rest
 * killed, on the native arch alone. A number is a name here, on each host
 * where it has one; where it has none the number is left out (killed),
 * stricter than LXC, which would allow it. */
static int parse_v1(struct lx *x)
{
	int rc;

	x->p->default_action = (struct sp_str){ "SCMP_ACT_KILL", { x->lineno, 1 } };
	while ((rc = next_line(x)) > 0) {
		const char *hosts[64];
		const char *names[64];
		size_t nnames = 0, nh = sp_arch_count() < 64 ? sp_arch_count() : 64;
		int nr;
		const char *end;

		if ((rc = scan_int(x, x->buf,
				   "version 1 takes one syscall number a line (LXC fails on "
				   "anything else, comments and empty lines too)",
				   &nr, &end)) < 0)
			return rc;
		if (nr < 0)
			return lerr(x, x->buf,
				    "syscall number %d: LXC's libseccomp takes no negative "
				    "number here",
				    nr);
		/* one rule per name the number has, on the hosts where it has it */
		for (size_t i = 0; i < nh; i++) {
			const struct sp_arch *h = sp_arch_at(i);
			const char *nm = h->go[0] ? sp_syscall_name(h, nr) : NULL;
			size_t k;
			if (!nm)
				continue;
			for (k = 0; k < nnames && strcmp(names[k], nm); k++)
				;
			if (k == nnames)
				names[nnames++] = nm;
		}
		for (size_t k = 0; k < nnames; k++) {
			size_t n = 0;
			struct sp_rule_extra *e;
			struct act allow = { .act = SP_ACT_ALLOW, .loc = { x->lineno, 1 } };
			for (size_t i = 0; i < nh; i++) {
				const struct sp_arch *h = sp_arch_at(i);
				const char *nm = h->go[0] ? sp_syscall_name(h, nr) : NULL;
				if (nm && !strcmp(nm, names[k]))
					hosts[n++] = h->go;
			}
			if (!(e = hosts_extra(x, hosts, n)))
				return oom(x);
			if ((rc = add_rule(x, names[k], (struct sp_loc){ x->lineno, 1 }, &allow,
					   NULL, 0, e)) < 0)
				return rc;
		}
	}
	return rc;
}

/* ---- public ------------------------------------------------------------- */

bool sp_lxc_sniff(const char *data, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i < len && (data[i] == '+' || data[i] == '-'))
		i++;
	if (i >= len || !isdigit((unsigned char)data[i]))
		return false;
	while (i < len && isdigit((unsigned char)data[i]))
		i++;
	if (i >= len || !isspace((unsigned char)data[i]))
		return false;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	return i < len;
}

int sp_lxc_read(secprof_ctx *ctx, struct secprof_profile *p, const char *data, size_t len,
		secprof_error *err)
{
	struct lx x = { .ctx = ctx, .err = err, .p = p, .data = data, .len = len };
	const char *nul = memchr(data, '\0', len);
	const char *end;
	int version, rc;

	p->form = SP_FORM_LXC;
	p->loc = (struct sp_loc){ 1, 1 };
	if (nul) {
		uint32_t line = 1, col = 1;
		for (const char *s = data; s < nul; s++, col++)
			if (*s == '\n')
				line++, col = 0;
		return sp_err(err, SECPROF_E_PROFILE, p->file, &(struct sp_loc){ line, col }, NULL,
			      "a NUL byte in an LXC policy (LXC reads each line as a C string)");
	}
	/* fscanf(f, "%d\n", &version): the number, then every space and
	 * newline after it; the policy line is what getline reads next */
	while (x.pos < len && isspace((unsigned char)data[x.pos])) {
		if (data[x.pos] == '\n')
			x.lineno++;
		x.pos++;
	}
	rc = next_line(&x);
	if (rc <= 0)
		return rc < 0 ? rc
			      : sp_err(err, SECPROF_E_PROFILE, p->file, NULL, NULL,
				       "an empty LXC policy");
	if ((rc = scan_int(&x, x.buf, "the policy version (1 or 2)", &version, &end)) < 0)
		goto out;
	if (version != 1 && version != 2) {
		rc = lerr(&x, x.buf, "policy version %d: LXC reads versions 1 and 2", version);
		goto out;
	}
	x.pos = (size_t)(end - x.buf) + (x.pos - strlen(x.buf));
	x.lineno--;
	while (x.pos < len && isspace((unsigned char)data[x.pos])) {
		if (data[x.pos] == '\n')
			x.lineno++;
		x.pos++;
	}
	if ((rc = next_line(&x)) <= 0) {
		if (rc == 0)
			rc = sp_err(err, SECPROF_E_PROFILE, p->file,
				    &(struct sp_loc){ x.lineno ? x.lineno : 1, 1 }, NULL,
				    "no policy line after the version (LXC: Invalid config file)");
		goto out;
	}
	if (version == 1 && !strstr(x.buf, "allowlist")) {
		rc = lerr(&x, x.buf, "version 1 takes only an allowlist policy");
		goto out;
	}
	if ((end = strstr(x.buf, "debug"))) {
		rc = lerr(&x, end, "LXC refuses \"debug\" in the policy line (not implemented)");
		goto out;
	}
	rc = version == 1 ? parse_v1(&x) : parse_v2(&x, x.buf);
	if (rc < 0)
		goto out;
	if (x.nrules) {
		p->rules = sp_arena_alloc(&p->arena, x.nrules * sizeof(*p->rules));
		if (!p->rules) {
			rc = oom(&x);
			goto out;
		}
		memcpy(p->rules, x.rules, x.nrules * sizeof(*p->rules));
		p->nrules = x.nrules;
	}
	rc = 0;
out:
	free(x.buf);
	free(x.rules);
	return rc;
}

/* get_hostarch: the host LXC reads a policy for, from uname -m, as
 * Docker's native string; NULL for a machine LXC 5.0.2 does not know
 * (i386, i586, armv6l, armv8l, riscv64...). The MIPS ones follow the
 * build's byte order, as LXC's MIPS_ARCH_O32/N64 do (__MIPSEL__). */
static const char *lxc_uname_host(const char *m)
{
	bool el = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	if (!strcmp(m, "i686"))
		return "x86";
	if (!strcmp(m, "x86_64"))
		return "amd64";
	if (!strncmp(m, "armv7", 5))
		return "arm";
	if (!strncmp(m, "aarch64", 7))
		return "arm64";
	if (!strncmp(m, "ppc64le", 7))
		return "ppc64le";
	if (!strncmp(m, "ppc64", 5))
		return "ppc64";
	if (!strncmp(m, "ppc", 3))
		return "ppc";
	if (!strncmp(m, "mips64", 6))
		return el ? "mipsel64" : "mips64";
	if (!strncmp(m, "mips", 4))
		return el ? "mipsel" : "mips";
	if (!strncmp(m, "s390x", 5))
		return "s390x";
	if (!strncmp(m, "s390", 4))
		return "s390";
	return NULL;
}

static bool lxc_known_host(const char *go)
{
	for (size_t i = 0; i < SP_ARRAY_SIZE(known_hosts); i++)
		if (!strcmp(known_hosts[i], go))
			return true;
	return false;
}

int sp_lxc_host_check(const struct secprof_profile *p, const struct sp_arch *native, bool given,
		      secprof_error *err)
{
	struct utsname u;
	const char *host;

	if (p->form != SP_FORM_LXC)
		return 0;
	if (!native->go[0] || native->nr_base == 6000)
		return sp_err(err, SECPROF_E_USAGE, p->file, NULL, NULL,
			      "LXC has no %s host: it takes the host from uname -m, which says "
			      "mips64 under a %s userland (resolve for the kernel's arch instead)",
			      native->name, native->name);
	if (given)
		return 0;
	/* This machine: LXC takes its host from the kernel (uname -m), not
	 * from the arch it was built for, so an i386 or armhf userland on a
	 * 64-bit kernel, or a linux32 personality, reads the policy's
	 * sections for another host than secprof's own arch (and a host LXC
	 * does not know, such as armv6l, for [all] alone). */
	if (uname(&u) < 0)
		return sp_err(err, SECPROF_E_SYSTEM, p->file, NULL, NULL, "uname failed");
	host = lxc_uname_host(u.machine);
	if (host ? !strcmp(host, native->go) : !lxc_known_host(native->go))
		return 0;
	if (!host)
		return sp_err(err, SECPROF_E_USAGE, p->file, NULL, NULL,
			      "LXC 5.0.2 knows no %s host (uname -m): it applies only the [all] "
			      "sections there, while secprof would read the policy for %s; pass "
			      "--arch to say which host the filter is for",
			      u.machine, native->go);
	return sp_err(err, SECPROF_E_USAGE, p->file, NULL, NULL,
		      "LXC takes its host from uname -m, which says %s here: it reads the policy "
		      "for host %s, while secprof would read it for %s (its own arch); pass "
		      "--arch to say which host the filter is for",
		      u.machine, host, native->go);
}
