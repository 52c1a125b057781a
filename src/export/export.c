/* export.c - a resolved profile written for the tools that run it, every
 * form read from the rule set (docs/IR.md) or from the program compiled
 * from it (README "Exporting and installing a profile").
 *
 * The profile forms (docker, oci, spo, systemd) are written from the rule
 * set libseccomp builds (exact_libseccomp: values as written, 64-bit
 * compares), per syscall name: a name decided by one unconditional rule is
 * listed under that action, a name with argument chains gets one rule per
 * chain, in the order in which runc hands them to libseccomp's
 * seccomp_rule_add (profile rule, then name, then condition of a rule that
 * tests an argument twice), which decides its argument tree; a name's
 * chains come from a 64-bit arch of the filter where it has one, whose
 * values are not cut to 32 bits. libseccomp's own socketcall/ipc copies (`via`) are
 * left out: libseccomp adds them again. So Docker, runc or crun given the
 * export decide as they do for the original profile in this container,
 * and secprof reads the export back to the same rule set. Before it is
 * written the Docker form is read back and compared with the profile by
 * decision on every arch (self_check): a name one arch's entry cannot
 * speak for is exported as the container's rules wrote it, and what
 * still differs is refused.
 *
 * The program forms (crun, bwrap, c, base64) are the bytes secprof_compile
 * gives, which secprof's tests load and compare with libseccomp's. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "export/export.h"
#include "ir/ruleset.h"
#include "profile/resolve.h"

/* Names in place, no pointers: no relocation at load. */
static const char format_names[][sizeof("oci-artifact")] = {
	[SECPROF_EXPORT_DOCKER] = "docker",   [SECPROF_EXPORT_OCI] = "oci",
	[SECPROF_EXPORT_SPO] = "spo",         [SECPROF_EXPORT_CRUN] = "crun",
	[SECPROF_EXPORT_BWRAP] = "bwrap",     [SECPROF_EXPORT_C] = "c",
	[SECPROF_EXPORT_SYSTEMD] = "systemd", [SECPROF_EXPORT_OCI_ARTIFACT] = "oci-artifact",
	[SECPROF_EXPORT_BASE64] = "base64",
};

const char *secprof_export_format_name(enum secprof_export_format f)
{
	if ((unsigned)f >= SP_ARRAY_SIZE(format_names) || !format_names[f][0])
		return NULL;
	return format_names[f];
}

int secprof_export_format_lookup(const char *name, enum secprof_export_format *out)
{
	for (size_t i = 0; name && i < SP_ARRAY_SIZE(format_names); i++)
		if (!strcmp(name, format_names[i])) {
			*out = (enum secprof_export_format)i;
			return 0;
		}
	return -SECPROF_E_USAGE;
}

/* ---- the program forms ---------------------------------------------------- */

void sp_base64(struct sp_buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		sp_buf_add(b, q, 4);
	}
}

static int finish(struct sp_buf *b, char **out, size_t *len, secprof_error *err)
{
	sp_buf_add(b, "", 0);
	if (b->oom || !b->data) {
		sp_buf_free(b);
		return sp_err_oom(err);
	}
	*out = b->data;
	*len = b->len;
	return 0;
}

int secprof_export_prog(const secprof_prog *prog, enum secprof_export_format f, char **out,
			size_t *len, secprof_error *err)
{
	struct sp_buf b = { 0 };
	const unsigned char *bytes = (const unsigned char *)prog->insns;
	size_t n = prog->len * sizeof(*prog->insns);
	secprof_insn *swapped = NULL;

	/* bwrap and crun hand these bytes to the kernel of the container's
	 * host as its struct sock_filter array (include/uapi/linux/filter.h):
	 * in that arch's byte order, which for s390x or ppc64 is not this
	 * host's. Left in this host's, the kernel there refuses the program. */
	if (f != SECPROF_EXPORT_C && prog->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)) {
		if (n && !(swapped = malloc(n)))
			return sp_err_oom(err);
		for (size_t i = 0; i < prog->len; i++) {
			swapped[i] = prog->insns[i];
			swapped[i].code = __builtin_bswap16(prog->insns[i].code);
			swapped[i].k = __builtin_bswap32(prog->insns[i].k);
		}
		bytes = (const unsigned char *)swapped;
	}

	switch (f) {
	case SECPROF_EXPORT_BWRAP: /* bwrap reads struct sock_filter */
		sp_buf_add(&b, (const char *)bytes, n);
		break;
	case SECPROF_EXPORT_BASE64:
		sp_base64(&b, bytes, n);
		sp_buf_puts(&b, "\n");
		break;
	case SECPROF_EXPORT_CRUN:
		/* crun's libcrun_container_run reads the annotation and
		 * base64-decodes it into the program it hands to
		 * seccomp(SECCOMP_SET_MODE_FILTER), in place of linux.seccomp */
		sp_buf_puts(&b, "{\"run.oci.seccomp_bpf_data\":\"");
		sp_base64(&b, bytes, n);
		sp_buf_puts(&b, "\"}\n");
		break;
	case SECPROF_EXPORT_C:
		sp_buf_printf(&b, "/* %zu instructions, generated by secprof */\n", prog->len);
		sp_buf_puts(&b, "struct sock_filter filter[] = {\n");
		for (size_t i = 0; i < prog->len; i++)
			sp_buf_printf(&b, "\t{ 0x%02x, %u, %u, 0x%08x },\n", prog->insns[i].code,
				      prog->insns[i].jt, prog->insns[i].jf, prog->insns[i].k);
		sp_buf_puts(&b, "};\n");
		break;
	default:
		free(swapped);
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "export: %s is not a program format",
			      secprof_export_format_name(f) ? secprof_export_format_name(f) : "?");
	}
	free(swapped);
	return finish(&b, out, len, err);
}

/* ---- the rule set as per-name rules ------------------------------------------ */

/* One rule of the normalized profile. */
struct xrule {
	uint32_t ret;
	const char **names; /* malloc'ed */
	size_t nnames, cap_names;
	bool cond;                    /* conditional: one rule per chain */
	const secprof_ir_cond *conds; /* its conditions */
	size_t nconds;
	secprof_ir_cond *own; /* conds made here (malloc'ed), or NULL */
	bool own_rule;        /* a profile rule as written (beyond_rules) */
	bool unresolved;      /* for a name libseccomp 2.5.4 skips (unresolved_rules) */
	size_t src, seq;      /* profile order of the rule it came from */
	/* runc's order within that rule (matchCall): name by name, and for a
	 * rule that tests an argument twice, condition by condition */
	size_t name_pos, cond_pos;
};

struct xprof {
	secprof_ir *ir;
	uint32_t default_ret;
	struct xrule *rules;
	size_t nrules, cap;
	const char **seen; /* names already taken, malloc'ed */
	size_t nseen, seen_cap;
	const char **bound; /* names kept for runc's ENOSYS boundary only */
	size_t nbound, bound_cap;
	/* names to export as the profile wrote them (rules_as_written),
	 * borrowed from the caller */
	const char *const *written;
	size_t nwritten;
	bool all_written; /* every name so */
};

static struct xrule *xrule_new(struct xprof *x)
{
	if (x->nrules == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct xrule *n = realloc(x->rules, cap * sizeof(*n));
		if (!n)
			return NULL;
		x->rules = n;
		x->cap = cap;
	}
	memset(&x->rules[x->nrules], 0, sizeof(x->rules[0]));
	return &x->rules[x->nrules++];
}

static bool push_name(const char ***v, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		const char **p = realloc(*v, c * sizeof(*p));
		if (!p)
			return false;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = name;
	return true;
}

static bool seen(const struct xprof *x, const char *name)
{
	for (size_t i = 0; i < x->nseen; i++)
		if (!strcmp(x->seen[i], name))
			return true;
	return false;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct xrule *p = a, *q = b;

	/* unconditional groups first (in the order made), then the chains in
	 * the profile's order */
	if (p->cond != q->cond)
		return p->cond ? 1 : -1;
	if (p->src != q->src)
		return p->src < q->src ? -1 : 1;
	if (p->name_pos != q->name_pos)
		return p->name_pos < q->name_pos ? -1 : 1;
	if (p->cond_pos != q->cond_pos)
		return p->cond_pos < q->cond_pos ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int add_unconditional(struct xprof *x, const secprof_ir_syscall *s, size_t seq)
{
	struct xrule *r = NULL;

	for (size_t i = 0; i < x->nrules; i++)
		if (!x->rules[i].cond && x->rules[i].ret == s->action) {
			r = &x->rules[i];
			break;
		}
	if (!r) {
		if (!(r = xrule_new(x)))
			return -1;
		r->ret = s->action;
		r->seq = seq;
	}
	return push_name(&r->names, &r->nnames, &r->cap_names, s->name) ? 0 : -1;
}

/* Where runc adds chain c among the rules it makes of its profile rule:
 * libseccomp builds its argument tree in the order of seccomp_rule_add, so
 * the export keeps it. runc's matchCall adds a rule name by name; a rule
 * that tests one argument twice it adds condition by condition, one rule
 * each (the chains of such a rule have one condition each). Positions not
 * found (a name or condition the rule set rewrote) sort last. */
static void runc_position(const struct secprof_profile *p, const char *name,
			  const secprof_ir_chain *c, struct xrule *r)
{
	const struct sp_rule *rule = c->src.index < p->nrules ? &p->rules[c->src.index] : NULL;

	r->name_pos = r->cond_pos = SIZE_MAX;
	if (!rule)
		return;
	for (size_t j = 0; j < rule->nnames && r->name_pos == SIZE_MAX; j++)
		if (rule->names[j].s && !strcmp(rule->names[j].s, name))
			r->name_pos = j;
	if (c->nconds != 1) {
		r->cond_pos = 0;
		return;
	}
	for (size_t k = 0; k < rule->nargs && r->cond_pos == SIZE_MAX; k++) {
		const struct sp_arg *a = &rule->args[k];
		if (a->index == c->conds[0].arg && !strcmp(sp_op_str(a->op), c->conds[0].op) &&
		    (a->value == c->conds[0].value ||
		     (a->value & 0xffffffffu) == c->conds[0].value))
			r->cond_pos = k;
	}
}

static int add_chains(struct xprof *x, const struct secprof_profile *p, const secprof_ir_syscall *s)
{
	for (size_t i = 0; i < s->nchains; i++) {
		const secprof_ir_chain *c = &s->chains[i];
		struct xrule *r;

		if (c->via) /* libseccomp adds its socketcall/ipc copy itself */
			continue;
		if (!(r = xrule_new(x)))
			return -1;
		r->ret = c->action;
		r->cond = true;
		r->conds = c->conds;
		r->nconds = c->nconds;
		r->src = c->src.index;
		r->seq = i;
		runc_position(p, s->name, c, r);
		if (!push_name(&r->names, &r->nnames, &r->cap_names, s->name))
			return -1;
	}
	return 0;
}

static void xprof_free(struct xprof *x)
{
	for (size_t i = 0; i < x->nrules; i++) {
		free(x->rules[i].names);
		free(x->rules[i].own);
	}
	free(x->rules);
	free(x->seen);
	free(x->bound);
	secprof_ir_free(x->ir);
}

static unsigned arch_bits(const secprof_ir_arch *ar)
{
	const struct sp_arch *a = sp_arch_by_name(ar->name);
	return a ? a->bits : 64;
}

/* Whether libseccomp gets an entry's rules from the profile (not only
 * its own socketcall/ipc copies). */
static bool has_own_rules(const secprof_ir_syscall *s)
{
	bool own = !s->conditional;

	for (size_t k = 0; !own && k < s->nchains; k++)
		own = !s->chains[k].via;
	return own;
}

/* Whether the export names the syscall at nr on this arch in a rule of its
 * own: an entry with only libseccomp's socketcall/ipc copies (`via`) is
 * not named, and runc's boundary counts names, not copies. */
static bool arch_has_nr(const secprof_ir_arch *ar, int64_t nr)
{
	for (size_t i = 0; i < ar->nsyscalls; i++)
		if (ar->syscalls[i].nr == nr)
			return has_own_rules(&ar->syscalls[i]);
	return false;
}

/* The entry of a name to export from. A 32-bit arch's entry holds the
 * values libseccomp cut to their low word there (_db_rule_gen_32), and a
 * condition the cut makes always true leaves it unconditional, where a
 * 64-bit arch of the same filter compares the values in full: exported
 * from the 32-bit arch, the rule would decide the cut way on the 64-bit
 * arch too. A 64-bit arch's entry, written as it is, gives the 32-bit arch
 * the same cut values again. */
static const secprof_ir_syscall *widest_view(const secprof_ir *ir, const secprof_ir_syscall *s,
					     const secprof_ir_arch *of)
{
	size_t narch = secprof_ir_arch_count(ir);

	if (arch_bits(of) == 64)
		return s;
	for (size_t a = 0; a < narch; a++) {
		const secprof_ir_arch *ar = secprof_ir_arch_at(ir, a);
		if (arch_bits(ar) != 64)
			continue;
		for (size_t i = 0; i < ar->nsyscalls; i++) {
			const secprof_ir_syscall *o = &ar->syscalls[i];
			if (o->name && !strcmp(o->name, s->name) && has_own_rules(o))
				return o;
		}
	}
	return s;
}

/* runc's ENOSYS stub answers the numbers above the highest one the
 * profile names on each arch (patchbpf/enosys_linux.go generatePatch),
 * counting names whose rule it then skips as equal to the default action.
 * Where that highest name has no rule of its own in the export, it is
 * named in one rule with the default action, which runc skips again but
 * counts, so the boundary stays where it was. Should that name count
 * higher on another arch than its boundary there (a name the profile spelt
 * as an alias), it is named all the same, with a warning: that arch's
 * numbers in between then get the default action instead of ENOSYS, never
 * the other way round (the stub exists only for a default that denies). */
static int boundary_names(secprof_ctx *ctx, const secprof_resolved *r, struct xprof *x,
			  secprof_error *err)
{
	size_t narch = secprof_ir_arch_count(x->ir);

	for (size_t a = 0; a < narch; a++) {
		const secprof_ir_arch *ar = secprof_ir_arch_at(x->ir, a);
		const secprof_arch *arch = secprof_arch_lookup(ar->name);
		const char *name;
		int rc;

		if (ar->enosys_max < 0 || !arch || arch_has_nr(ar, ar->enosys_max))
			continue;
		name = secprof_syscall_name(arch, (int32_t)ar->enosys_max);
		if (!name)
			continue;
		for (size_t i = 0; name && i < x->nbound; i++)
			if (!strcmp(x->bound[i], name))
				name = NULL;
		if (!name)
			continue;
		/* counted as runc counts it on each arch: a socket call's
		 * direct number on ppc64le never counts there */
		for (size_t b = 0; b < narch; b++) {
			const secprof_ir_arch *o = secprof_ir_arch_at(x->ir, b);
			const struct sp_arch *oa = sp_arch_by_name(o->name);
			int32_t nr = oa ? sp_rs_stub_nr(oa, name, false) : -1;

			if (nr < 0 || o->enosys_max < 0 || nr <= o->enosys_max)
				continue;
			rc = sp_warn(ctx, err, r->prof->file, NULL, "syscalls",
				     "keeping runc's ENOSYS boundary on %s (%s, %" PRId64
				     ") moves %s's from %" PRId64 " to %" PRId32
				     ": numbers in between get the default action there "
				     "instead of ENOSYS",
				     ar->name, name, ar->enosys_max, o->name, o->enosys_max, nr);
			if (rc < 0)
				return rc;
		}
		if (!push_name(&x->bound, &x->nbound, &x->bound_cap, name))
			return sp_err_oom(err);
	}
	return 0;
}

/* Whether `rule` tests some argument more than once: runc's matchCall then
 * adds each condition as a rule of its own (libseccomp would AND them),
 * so the rule allows or denies where any one condition holds. */
static bool tests_an_arg_twice(const struct sp_rule *rule)
{
	for (size_t k = 0; k < rule->nargs; k++)
		for (size_t j = 0; j < k; j++)
			if (rule->args[j].index == rule->args[k].index)
				return true;
	return false;
}

/* Export profile rule `rule` for `name` as written (once). A rule that
 * tests an argument twice is written as runc reads it, one rule per
 * condition: crun reads at most six conditions of a rule, and where an
 * index repeats after the sixth ANDs what runc ORs (crun 1.8's
 * src/libcrun/seccomp.c), so such a rule, handed on whole, decides
 * otherwise under crun than under runc. */
static int own_rule(struct xprof *x, const struct sp_rule *rule, const char *name)
{
	bool split = tests_an_arg_twice(rule);
	size_t nparts = split ? rule->nargs : 1;

	for (size_t k = 0; k < x->nrules; k++)
		if (x->rules[k].own_rule && x->rules[k].src == rule->index &&
		    !strcmp(x->rules[k].names[0], name))
			return 0;
	for (size_t part = 0; part < nparts; part++) {
		struct xrule *xr = xrule_new(x);
		size_t from = split ? part : 0, n = split ? 1 : rule->nargs;

		if (!xr)
			return -1;
		xr->ret = sp_rule_ret(rule);
		xr->cond = true; /* a rule of its own, in profile order */
		xr->own_rule = true;
		xr->src = rule->index;
		xr->cond_pos = part;
		xr->name_pos = SIZE_MAX;
		for (size_t j = 0; j < rule->nnames && xr->name_pos == SIZE_MAX; j++)
			if (rule->names[j].s && !strcmp(rule->names[j].s, name))
				xr->name_pos = j;
		if (!push_name(&xr->names, &xr->nnames, &xr->cap_names, name))
			return -1;
		if (n && !(xr->own = calloc(n, sizeof(*xr->own))))
			return -1;
		for (size_t k = 0; k < n; k++) {
			const struct sp_arg *a = &rule->args[from + k];
			xr->own[k] = (secprof_ir_cond){ (unsigned)a->index, sp_op_str(a->op),
							a->value, a->value_two, false };
		}
		xr->conds = xr->own;
		xr->nconds = n;
	}
	return 0;
}

/* A name runc's ENOSYS stub answers on every arch of the filter (the
 * direct socket and IPC numbers on i386) has no entry in the rule set, nor
 * has a socket or IPC call an arch has no direct number for (accept on
 * i386, semop on s390x); but runc hands their rules to libseccomp, which
 * puts its socketcall/ipc copy in the program. Such a rule is exported as
 * the profile wrote it, for that name, so libseccomp makes the copy again. */
static int beyond_rules(const secprof_resolved *r, struct xprof *x)
{
	const struct secprof_profile *p = r->prof;
	size_t nd, narch = secprof_ir_arch_count(x->ir);
	const secprof_ir_drop *d = secprof_ir_drops(x->ir, &nd);

	for (size_t i = 0; i < nd; i++)
		if (d[i].reason == SECPROF_REASON_BEYOND_ENOSYS && d[i].name && !d[i].via &&
		    d[i].rule.index < p->nrules && !seen(x, d[i].name) &&
		    own_rule(x, &p->rules[d[i].rule.index], d[i].name) < 0)
			return -1;
	for (size_t a = 0; a < narch; a++) {
		const secprof_ir_arch *ar = secprof_ir_arch_at(x->ir, a);
		for (size_t i = 0; i < ar->nsyscalls; i++)
			for (size_t k = 0; k < ar->syscalls[i].nchains; k++) {
				const secprof_ir_chain *c = &ar->syscalls[i].chains[k];
				const struct sp_rule *rule;

				if (!c->via || c->src.index >= p->nrules)
					continue;
				rule = &p->rules[c->src.index];
				for (size_t n = 0; n < rule->nnames; n++) {
					const char *name = rule->names[n].s;
					if (name && secprof_syscall_known(name) && !seen(x, name) &&
					    own_rule(x, rule, name) < 0)
						return -1;
				}
			}
	}
	return 0;
}

/* A name Debian 12's runc cannot resolve (newer than its libseccomp 2.5.4:
 * mseal, listmount, ...; or unknown to secprof on every arch of the
 * filter) has no entry in the rule set: that runc skips it (matchCall,
 * "unknown seccomp syscall ... ignored"), so the program is the same with
 * or without its rules. A runtime with a newer libseccomp resolves it and
 * applies them, and there a rule left out of the export is lost: a name
 * the profile denies under a default that allows would be allowed. Such a
 * name's rules (those the container keeps, equal-to-the-default ones
 * skipped as runc skips them) are exported as the profile wrote them, so
 * every runtime decides on it as it does for the original. */
static int unresolved_rules(const secprof_resolved *r, struct xprof *x)
{
	const struct secprof_profile *p = r->prof;
	size_t nd;
	const secprof_ir_drop *d = secprof_ir_drops(x->ir, &nd);

	for (size_t i = 0; i < nd; i++) {
		if ((d[i].reason != SECPROF_REASON_NEWER_THAN_LIBSECCOMP &&
		     d[i].reason != SECPROF_REASON_UNKNOWN_NAME) ||
		    !d[i].name || d[i].via || d[i].rule.index >= p->nrules || seen(x, d[i].name))
			continue;
		if (own_rule(x, &p->rules[d[i].rule.index], d[i].name) < 0)
			return -1;
		for (size_t k = 0; k < x->nrules; k++)
			if (x->rules[k].own_rule && x->rules[k].src == d[i].rule.index &&
			    !strcmp(x->rules[k].names[0], d[i].name))
				x->rules[k].unresolved = true;
	}
	return 0;
}

/* A name only 32-bit arches of a filter with a 64-bit one have: runc still
 * hands its rules to libseccomp for every arch, and on the 64-bit arch
 * libseccomp keeps them under a pseudo number, in blocks that shape the
 * program around them (docs/COMPAT.md §4.4), with the values as written.
 * The 32-bit rule set holds them cut to 32 bits, so such a name's rules
 * with conditions are exported as the profile wrote them, in runc's order
 * (rules equal to the default are skipped, as runc skips them). So is any
 * name in x->written (`all`): one the export decided otherwise than the
 * profile on some arch (self_check). The rules are those the container
 * keeps (r->rules: includes, excludes and minKernel applied), never every
 * rule of the file: a rule moby left out is no rule of this container.
 * Returns how many, or -1. */
static int rules_as_written(struct xprof *x, const secprof_resolved *r, const char *name, bool all)
{
	bool has_args = all;
	int n = 0;

	for (size_t i = 0; i < r->nrules && !has_args; i++)
		for (size_t j = 0; j < r->rules[i]->nnames && !has_args; j++)
			has_args = r->rules[i]->nargs && r->rules[i]->names[j].s &&
				   !strcmp(r->rules[i]->names[j].s, name);
	for (size_t i = 0; has_args && i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		bool named = false;

		for (size_t j = 0; j < rule->nnames && !named; j++)
			named = rule->names[j].s && !strcmp(rule->names[j].s, name);
		if (!named || sp_rule_is_default(r->prof, rule))
			continue;
		if (own_rule(x, rule, name) < 0)
			return -1;
		n++;
	}
	return n;
}

static bool listed(const char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

static bool has_64bit_arch(const secprof_ir *ir)
{
	for (size_t a = 0; a < secprof_ir_arch_count(ir); a++)
		if (arch_bits(secprof_ir_arch_at(ir, a)) == 64)
			return true;
	return false;
}

static int xprof_build(secprof_ctx *ctx, const secprof_resolved *r, struct xprof *x,
		       const char *const *written, size_t nwritten, bool every, secprof_error *err)
{
	secprof_compile_opts co = { .exact_libseccomp = true };
	size_t seq = 0;
	bool wide_filter;

	memset(x, 0, sizeof(*x));
	x->written = written;
	x->nwritten = nwritten;
	x->all_written = every;
	if (r->unconfined)
		return sp_err(err, SECPROF_E_PROFILE, r->prof->file, NULL, NULL,
			      "the profile is unconfined: there is no filter to export");
	if (!(x->ir = secprof_ir_build(ctx, r, &co, err)))
		return err->code ? -err->code : -SECPROF_E_INTERNAL;
	x->default_ret = secprof_ir_default_action(x->ir);
	wide_filter = has_64bit_arch(x->ir);
	if (every) {
		/* the rules runc gets for this container, name by name in
		 * its order, those equal to the default too (it skips them,
		 * but counts them for its ENOSYS boundary) */
		for (size_t i = 0; i < r->nrules; i++)
			for (size_t j = 0; j < r->rules[i]->nnames; j++)
				if (r->rules[i]->names[j].s &&
				    own_rule(x, r->rules[i], r->rules[i]->names[j].s) < 0)
					return sp_err_oom(err);
		if (x->nrules)
			qsort(x->rules, x->nrules, sizeof(*x->rules), cmp_rule);
		return 0;
	}
	for (size_t a = 0; a < secprof_ir_arch_count(x->ir); a++) {
		const secprof_ir_arch *ar = secprof_ir_arch_at(x->ir, a);

		for (size_t i = 0; i < ar->nsyscalls; i++) {
			const secprof_ir_syscall *s = &ar->syscalls[i];

			/* a name another arch listed decides the same there:
			 * the rules are the profile's, per name */
			if (!s->name || !has_own_rules(s) || seen(x, s->name))
				continue;
			const secprof_ir_syscall *v = widest_view(x->ir, s, ar);
			int n = 0;

			bool all = listed(x->written, x->nwritten, s->name);

			if ((all || (v == s && arch_bits(ar) != 64 && wide_filter)) &&
			    (n = rules_as_written(x, r, s->name, all)) < 0)
				return sp_err_oom(err);
			if (n)
				continue;
			if ((v->conditional ? add_chains(x, r->prof, v)
					    : add_unconditional(x, v, seq++)) < 0)
				return sp_err_oom(err);
		}
		/* names are marked after the arch, so one arch's aliases stay */
		for (size_t i = 0; i < ar->nsyscalls; i++) {
			const char *n = ar->syscalls[i].name;
			if (n && !seen(x, n) && !push_name(&x->seen, &x->nseen, &x->seen_cap, n))
				return sp_err_oom(err);
		}
	}
	if (beyond_rules(r, x) < 0 || unresolved_rules(r, x) < 0)
		return sp_err_oom(err);
	if (x->nrules)
		qsort(x->rules, x->nrules, sizeof(*x->rules), cmp_rule);
	return boundary_names(ctx, r, x, err);
}

/* ---- actions ------------------------------------------------------------------ */

/* The profile action for a SECCOMP_RET_* value, and whether its low 16
 * bits are an errnoRet (runc's getAction: ERRNO and TRACE). */
static const char *ret_action(uint32_t ret, bool *takes_errno)
{
	*takes_errno = false;
	switch (ret & 0xffff0000u) {
	case 0x80000000u: return "SCMP_ACT_KILL_PROCESS";
	case 0x00000000u: return "SCMP_ACT_KILL_THREAD";
	case 0x00030000u: return "SCMP_ACT_TRAP";
	case 0x00050000u: *takes_errno = true; return "SCMP_ACT_ERRNO";
	case 0x7ff00000u: *takes_errno = true; return "SCMP_ACT_TRACE";
	case 0x7fff0000u: return "SCMP_ACT_ALLOW";
	case 0x7ffc0000u: return "SCMP_ACT_LOG";
	case 0x7fc00000u: return "SCMP_ACT_NOTIFY";
	}
	return NULL;
}

static const char *arch_scmp(const char *libseccomp_name)
{
	const secprof_arch *a = secprof_arch_lookup(libseccomp_name);
	secprof_arch_info info;

	if (!a)
		return NULL;
	secprof_arch_get_info(a, &info);
	return info.scmp;
}

/* runc leaves its ENOSYS stub out when defaultErrnoRet is the whole
 * action value SCMP_ACT_ERRNO(ENOSYS) (generatePatch; docs/COMPAT.md
 * 4.1.3), which with a default that takes no errno it otherwise ignores:
 * the export keeps the value so that the stub stays off. */
#define RUNC_STUB_OFF 0x50026u

static bool stub_off(const struct secprof_profile *p)
{
	return p->has_default_errno && p->default_errno == RUNC_STUB_OFF;
}

/* Whether the export lists the IR's arch `name`: all of them, but the
 * native arch where the profile leaves it out. Listed, it would get runc
 * 1.1.5's ENOSYS stub, which the profile's filter does not give it there
 * (sp_rs_stub_skips_native, sp_arch_rules.unlisted: above the maximum a
 * kill or trap of libseccomp's program decides); left out, runc still
 * filters it, as the native arch. */
static bool arch_listed(const secprof_resolved *r, const char *name)
{
	const struct sp_arch *native = r->native ? r->native : sp_arch_native();

	return !native || sp_arch_by_name(name) != native || sp_rs_lists_native(r, native);
}

/* ---- docker / oci (JSON) ---------------------------------------------------- */

/* A flag the export keeps: all but SPEC_ALLOW, which secprof never loads
 * with (it turns the kernel's speculative-store-bypass mitigation off;
 * Debian 12's Docker drops a profile's flags: docs/COMPAT.md §9 item 24). */
static bool flag_kept(const struct sp_str *f)
{
	return f->s && sp_flag_from_str(f->s) != SP_FLAG_SPEC_ALLOW;
}

static size_t flags_kept(const struct secprof_profile *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nflags; i++)
		n += flag_kept(&p->flags[i]);
	return n;
}

static void json_names(struct sp_buf *b, const char **names, size_t n)
{
	sp_buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sp_buf_puts(b, ",");
		sp_buf_json_str(b, names[i]);
	}
	sp_buf_puts(b, "]");
}

static void json_profile(struct sp_buf *b, const struct xprof *x, const secprof_resolved *r,
			 bool docker)
{
	const struct secprof_profile *p = r->prof;
	bool takes;
	const char *act = ret_action(x->default_ret, &takes);

	sp_buf_puts(b, "{\n  \"defaultAction\": ");
	sp_buf_json_str(b, act ? act : "");
	if (takes)
		sp_buf_printf(b, ",\n  \"defaultErrnoRet\": %u", x->default_ret & 0xffffu);
	else if (stub_off(p))
		sp_buf_printf(b, ",\n  \"defaultErrnoRet\": %u", RUNC_STUB_OFF);
	sp_buf_puts(b, ",\n  \"architectures\": [");
	for (size_t a = 0, n = 0; a < secprof_ir_arch_count(x->ir); a++) {
		const char *name = secprof_ir_arch_at(x->ir, a)->name;
		const char *s = arch_scmp(name);
		if (!arch_listed(r, name))
			continue;
		sp_buf_puts(b, n++ ? ", " : "");
		sp_buf_json_str(b, s ? s : "");
	}
	sp_buf_puts(b, "]");
	/* the flags secprof loads with (never SPEC_ALLOW, ir/ruleset.c
	 * set_flags); for runc itself (oci) an empty list rather than none,
	 * which a current runc would read as SPEC_ALLOW (docs/COMPAT.md
	 * §4.1.1); moby drops an empty one (omitempty), so docker gets none */
	if (flags_kept(p) || !docker) {
		sp_buf_puts(b, ",\n  \"flags\": [");
		for (size_t i = 0, n = 0; i < p->nflags; i++)
			if (flag_kept(&p->flags[i])) {
				sp_buf_puts(b, n++ ? ", " : "");
				sp_buf_json_str(b, p->flags[i].s);
			}
		sp_buf_puts(b, "]");
	}
	if (p->listener_path.s && *p->listener_path.s) {
		sp_buf_puts(b, ",\n  \"listenerPath\": ");
		sp_buf_json_str(b, p->listener_path.s);
	}
	if (p->listener_metadata.s && *p->listener_metadata.s) {
		sp_buf_puts(b, ",\n  \"listenerMetadata\": ");
		sp_buf_json_str(b, p->listener_metadata.s);
	}
	sp_buf_puts(b, ",\n  \"syscalls\": [");
	for (size_t i = 0; i < x->nrules; i++) {
		const struct xrule *xr = &x->rules[i];

		act = ret_action(xr->ret, &takes);
		sp_buf_puts(b, i ? ",\n    {\"names\": " : "\n    {\"names\": ");
		json_names(b, xr->names, xr->nnames);
		sp_buf_puts(b, ", \"action\": ");
		sp_buf_json_str(b, act ? act : "");
		if (takes)
			sp_buf_printf(b, ", \"errnoRet\": %u", xr->ret & 0xffffu);
		if (xr->nconds) {
			sp_buf_puts(b, ", \"args\": [");
			for (size_t k = 0; k < xr->nconds; k++) {
				const secprof_ir_cond *c = &xr->conds[k];
				sp_buf_printf(b, "%s{\"index\": %u, \"value\": %" PRIu64,
					      k ? ", " : "", c->arg, c->value);
				if (c->value_two)
					sp_buf_printf(b, ", \"valueTwo\": %" PRIu64, c->value_two);
				sp_buf_printf(b, ", \"op\": \"%s\"}", c->op);
			}
			sp_buf_puts(b, "]");
		}
		sp_buf_puts(b, "}");
	}
	if (x->nbound) {
		act = ret_action(x->default_ret, &takes);
		sp_buf_puts(b, x->nrules ? ",\n    {\"names\": " : "\n    {\"names\": ");
		json_names(b, x->bound, x->nbound);
		sp_buf_puts(b, ", \"action\": ");
		sp_buf_json_str(b, act ? act : "");
		if (takes)
			sp_buf_printf(b, ", \"errnoRet\": %u", x->default_ret & 0xffffu);
		if (docker)
			sp_buf_puts(b,
				    ", \"comment\": \"the default action: runc skips this rule but "
				    "counts its names for its ENOSYS boundary\"");
		sp_buf_puts(b, "}");
	}
	sp_buf_puts(b, x->nrules || x->nbound ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- spo (YAML) -------------------------------------------------------------- */

/* A Kubernetes object name (RFC 1123 subdomain): lower case, digits, '-'
 * and '.', alphanumeric at both ends, at most 253 characters. */
static void k8s_name(struct sp_buf *b, const char *name)
{
	size_t start = b->len, n = 0;

	for (const char *s = name; *s && n < 253; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'))
			c = '-';
		if ((c == '-' || c == '.') && b->len == start)
			continue;
		sp_buf_add(b, &c, 1);
		n++;
	}
	while (b->len > start && (b->data[b->len - 1] == '-' || b->data[b->len - 1] == '.'))
		b->len--;
	if (b->len == start)
		sp_buf_puts(b, "profile");
}

/* Whether a name can be a syscall's: lower case, digits and '_' (every
 * kernel's and libseccomp's names are). Any other the profile wrote is a
 * name no runtime resolves, so every one skips its rules: the SPO and
 * systemd forms leave it out, where it could break out of its place (a
 * newline, "#", a "\\" that continues a unit-file line, a space that
 * splits a name, systemd's "~", "@group" and "name:errno"). */
static bool syscall_token(const char *name)
{
	if (!*name)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static int warn_left_out(secprof_ctx *ctx, secprof_error *err, const char *file, const char *form,
			 const char *name)
{
	struct sp_buf q = { 0 };
	int rc;

	sp_buf_json_str(&q, name);
	rc = sp_warn(ctx, err, file, NULL, "syscalls",
		     "%s can be no syscall's name, which every runtime skips: left out of the "
		     "%s form",
		     q.data ? q.data : "", form);
	sp_buf_free(&q);
	return rc;
}

/* A syscall name (a syscall_token) as a YAML scalar: plain where YAML
 * reads it back as the same string (not a number nor one of YAML 1.1's
 * booleans and nulls), else double-quoted. */
static void spo_name(struct sp_buf *b, const char *name)
{
	static const char word[][6] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null"
	};
	/* a syscall_token: ASCII, so JSON's escapes are YAML's */
	bool plain = !(*name >= '0' && *name <= '9');

	for (size_t i = 0; plain && i < SP_ARRAY_SIZE(word); i++)
		plain = strcmp(name, word[i]) != 0;
	if (plain)
		sp_buf_puts(b, name);
	else
		sp_buf_json_str(b, name);
}

static int spo_profile(secprof_ctx *ctx, struct sp_buf *b, const struct xprof *x,
		       const secprof_resolved *r, const char *name, secprof_error *err)
{
	const struct secprof_profile *p = r->prof;
	const char *file = p->file;
	bool takes;
	const char *act = ret_action(x->default_ret, &takes);
	int rc;

	/* The CRD (api/seccompprofile/v1, SeccompProfileSpec) has no
	 * defaultErrnoRet: the runtime then answers EPERM, which denies the
	 * same calls with another errno. */
	if (takes && (x->default_ret & 0xffffu) != EPERM &&
	    (rc = sp_warn(ctx, err, file, NULL, "defaultErrnoRet",
			  "the SeccompProfile CRD has no defaultErrnoRet: denied calls get EPERM "
			  "instead of errno %u",
			  x->default_ret & 0xffffu)) < 0)
		return rc;
	if (!takes && stub_off(p) &&
	    (rc = sp_warn(ctx, err, file, NULL, "defaultErrnoRet",
			  "the SeccompProfile CRD has no defaultErrnoRet: runc's ENOSYS stub, which "
			  "defaultErrnoRet %u leaves out, answers the numbers above the profile's "
			  "highest with ENOSYS instead of the default action",
			  RUNC_STUB_OFF)) < 0)
		return rc;
	if (!strcmp(act ? act : "", "SCMP_ACT_NOTIFY"))
		return sp_err(
			err, SECPROF_E_PROFILE, file, NULL, "defaultAction",
			"the SeccompProfile CRD refuses SCMP_ACT_NOTIFY as the default action");
	sp_buf_puts(b, "---\napiVersion: security-profiles-operator.x-k8s.io/v1\n"
		       "kind: SeccompProfile\nmetadata:\n  name: ");
	k8s_name(b, name ? name : "profile");
	sp_buf_printf(b, "\nspec:\n  defaultAction: %s\n  architectures:\n", act ? act : "\"\"");
	for (size_t a = 0; a < secprof_ir_arch_count(x->ir); a++) {
		const char *an = secprof_ir_arch_at(x->ir, a)->name;
		const char *s = arch_scmp(an);
		if (arch_listed(r, an))
			sp_buf_printf(b, "  - %s\n", s ? s : "\"\"");
	}
	if (flags_kept(p)) {
		sp_buf_puts(b, "  flags:\n");
		for (size_t i = 0; i < p->nflags; i++)
			if (flag_kept(&p->flags[i]))
				sp_buf_printf(b, "  - %s\n", p->flags[i].s);
	}
	if (p->listener_path.s && *p->listener_path.s) {
		if (strncmp(p->listener_path.s, "/var/run/security-profiles-operator/", 36) &&
		    (rc = sp_warn(ctx, err, file, NULL, "listenerPath",
				  "the SeccompProfile CRD takes a listenerPath only under "
				  "/var/run/security-profiles-operator/")) < 0)
			return rc;
		sp_buf_puts(b, "  listenerPath: ");
		sp_buf_json_str(b, p->listener_path.s);
		sp_buf_puts(b, "\n");
	}
	if (p->listener_metadata.s && *p->listener_metadata.s) {
		sp_buf_puts(b, "  listenerMetadata: ");
		sp_buf_json_str(b, p->listener_metadata.s);
		sp_buf_puts(b, "\n");
	}
	if (x->nrules || x->nbound)
		sp_buf_puts(b, "  syscalls:\n");
	for (size_t i = 0; i < x->nrules; i++) {
		const struct xrule *xr = &x->rules[i];
		size_t kept = 0;

		for (size_t k = 0; k < xr->nnames; k++)
			if (syscall_token(xr->names[k]))
				kept++;
			else if ((rc = warn_left_out(ctx, err, file, "spo", xr->names[k])) < 0)
				return rc;
		if (!kept)
			continue;
		act = ret_action(xr->ret, &takes);
		sp_buf_printf(b, "  - action: %s\n", act ? act : "\"\"");
		/* errnoRet 0 is the CRD's "unset" (omitempty): EPERM */
		if (takes && !(xr->ret & 0xffffu) &&
		    (rc = sp_warn(ctx, err, file, NULL, "syscalls",
				  "the SeccompProfile CRD reads errnoRet 0 as unset: %s gets EPERM "
				  "instead of 0",
				  xr->names[0])) < 0)
			return rc;
		if (takes && (xr->ret & 0xffffu))
			sp_buf_printf(b, "    errnoRet: %u\n", xr->ret & 0xffffu);
		sp_buf_puts(b, "    names:\n");
		for (size_t k = 0; k < xr->nnames; k++) {
			if (!syscall_token(xr->names[k]))
				continue;
			sp_buf_puts(b, "    - ");
			spo_name(b, xr->names[k]);
			sp_buf_puts(b, "\n");
		}
		if (!xr->nconds)
			continue;
		sp_buf_puts(b, "    args:\n");
		for (size_t k = 0; k < xr->nconds; k++) {
			const secprof_ir_cond *c = &xr->conds[k];
			/* value and valueTwo are int64 with minimum 0 in the CRD */
			if ((c->value > INT64_MAX || c->value_two > INT64_MAX) &&
			    (rc = sp_warn(ctx, err, file, NULL, "syscalls",
					  "the SeccompProfile CRD holds argument values up to "
					  "2^63-1 (int64): the API server refuses %s's 0x%" PRIx64,
					  xr->names[0],
					  c->value > INT64_MAX ? c->value : c->value_two)) < 0)
				return rc;
			sp_buf_printf(b, "    - index: %u\n      op: %s\n", c->arg, c->op);
			if (c->value)
				sp_buf_printf(b, "      value: %" PRIu64 "\n", c->value);
			if (c->value_two)
				sp_buf_printf(b, "      valueTwo: %" PRIu64 "\n", c->value_two);
		}
	}
	if (x->nbound) { /* runc's ENOSYS boundary (boundary_names) */
		act = ret_action(x->default_ret, &takes);
		sp_buf_printf(b, "  - action: %s\n", act ? act : "\"\"");
		if (takes && (x->default_ret & 0xffffu))
			sp_buf_printf(b, "    errnoRet: %u\n", x->default_ret & 0xffffu);
		sp_buf_puts(b, "    names:\n");
		for (size_t k = 0; k < x->nbound; k++) {
			sp_buf_puts(b, "    - ");
			spo_name(b, x->bound[k]);
			sp_buf_puts(b, "\n");
		}
	}
	return 0;
}

/* ---- systemd ------------------------------------------------------------------ */

/* systemd's names for seccomp arches (seccomp_arch_to_string in systemd's
 * src/shared/seccomp-util.c) by libseccomp's. */
static const char *systemd_arch(const char *name)
{
	/* names in place, no pointers: no relocation at load */
	static const char map[][2][sizeof("mips64-le-n32")] = {
		{ "x86_64", "x86-64" },
		{ "x86", "x86" },
		{ "x32", "x32" },
		{ "aarch64", "arm64" },
		{ "arm", "arm" },
		{ "ppc", "ppc" },
		{ "ppc64", "ppc64" },
		{ "ppc64le", "ppc64-le" },
		{ "s390", "s390" },
		{ "s390x", "s390x" },
		{ "mips", "mips" },
		{ "mipsel", "mips-le" },
		{ "mips64", "mips64" },
		{ "mipsel64", "mips64-le" },
		{ "mips64n32", "mips64-n32" },
		{ "mipsel64n32", "mips64-le-n32" },
		{ "riscv64", "riscv64" },
		{ "loongarch64", "loongarch64" },
		{ "parisc", "parisc" },
		{ "parisc64", "parisc64" },
	};
	for (size_t i = 0; i < SP_ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], name))
			return map[i][1];
	return NULL;
}

/* What the profile decides for one name over every arch of the filter
 * that has it: whether some input is allowed, some denied, whether that
 * depends on arguments, and the denying action (mixed: more than one). */
struct sd_view {
	bool allow, deny, cond, mixed;
	uint32_t deny_ret;
};

static void sd_note(struct sd_view *v, uint32_t ret)
{
	uint32_t k = ret & 0xffff0000u;

	if (k == 0x7fff0000u || k == 0x7ffc0000u) {
		v->allow = true;
		return;
	}
	if (v->deny && v->deny_ret != ret)
		v->mixed = true;
	if (!v->deny)
		v->deny_ret = ret;
	v->deny = true;
}

static struct sd_view sd_name_view(const struct xprof *x, const char *name)
{
	struct sd_view v = { 0 };
	bool written = false;

	/* a name the rule set has no entry for (unresolved_rules): its rules
	 * as written, every action they give, and the default where one
	 * tests arguments; a systemd whose libseccomp knows the name applies
	 * the line, one that does not ignores it */
	for (size_t i = 0; i < x->nrules; i++)
		if (x->rules[i].unresolved && !strcmp(x->rules[i].names[0], name)) {
			written = true;
			v.cond |= x->rules[i].nconds > 0;
			sd_note(&v, x->rules[i].ret);
		}
	if (written) {
		if (v.cond)
			sd_note(&v, x->default_ret);
		return v;
	}
	for (size_t a = 0; a < secprof_ir_arch_count(x->ir); a++) {
		const secprof_ir_arch *ar = secprof_ir_arch_at(x->ir, a);
		const secprof_arch *arch = secprof_arch_lookup(ar->name);
		const secprof_ir_syscall *e = NULL;

		if (!arch || secprof_syscall_nr(arch, name) < 0)
			continue;
		for (size_t i = 0; i < ar->nsyscalls && !e; i++)
			if (ar->syscalls[i].name && !strcmp(ar->syscalls[i].name, name))
				e = &ar->syscalls[i];
		if (!e) {
			sd_note(&v, x->default_ret);
			continue;
		}
		if (!e->conditional) {
			sd_note(&v, e->action);
			continue;
		}
		v.cond = true;
		for (size_t k = 0; k < e->nchains; k++)
			sd_note(&v, e->chains[k].action);
		sd_note(&v, x->default_ret); /* no chain matching */
	}
	return v;
}

/* SystemCallFilter= holds names only: one list, allowed (the default
 * denies) or denied ("~", the default allows), and one errno for all
 * (SystemCallErrorNumber=; without it systemd kills); it applies on every
 * arch of SystemCallArchitectures=. Each name is decided from its entries
 * on every arch of the filter (not one arch's): what its argument rules,
 * its arches or its own action decide that cannot be written leaves it
 * out of an allow list and puts it in a deny list, so the unit denies at
 * least what the profile denies, with a warning each.
 *
 * Two rules of systemd's parser (config_parse_syscall_filter in
 * src/core/load-fragment.c, seccomp_parse_syscall_filter in
 * src/shared/seccomp-util.c; systemd.exec(5), SystemCallFilter=) shape an
 * allow list. The first allow-list assignment adds the @default set
 * (execve, mmap, getpid, ... and more in each release), and a later "~"
 * assignment removes names from the list, those of @default too: so a
 * second line takes back every name of the filter's arches the profile
 * denies, whatever that systemd's @default holds. And an empty
 * assignment resets the setting to no filter at all: an allow list with
 * no name is written as @default, which the second line empties. */
static int systemd_profile(secprof_ctx *ctx, struct sp_buf *b, const struct xprof *x,
			   const secprof_resolved *r, secprof_error *err)
{
	const char *file = r->prof->file;
	uint32_t def = x->default_ret, kind = def & 0xffff0000u;
	bool allow_list = kind != 0x7fff0000u && kind != 0x7ffc0000u;
	struct sp_buf names = { 0 }, denied = { 0 };
	const char **all = NULL;
	size_t nall = 0, cap = 0;
	uint32_t deny_ret = 0;
	bool deny_set = false;
	int rc = 0;

	if (kind == 0x7ffc0000u &&
	    (rc = sp_warn(ctx, err, file, NULL, "defaultAction",
			  "systemd has no logging default: SCMP_ACT_LOG is written as allow")) < 0)
		return rc;
	if (kind == 0x00030000u || kind == 0x7ff00000u || kind == 0x7fc00000u) {
		char buf[32];
		rc = sp_warn(ctx, err, file, NULL, "defaultAction",
			     "systemd cannot %s: the unit kills the process instead",
			     secprof_action_str(def, buf, sizeof(buf)));
		if (rc < 0)
			return rc;
	}
	/* every name of the filter: in the order of the Docker form's rules,
	 * then arch by arch; then @default's */
	for (size_t i = 0; i < x->nrules && rc >= 0; i++)
		for (size_t j = 0; j < x->rules[i].nnames && rc >= 0; j++) {
			const char *n = x->rules[i].names[j];
			if (listed(all, nall, n))
				continue;
			if (!syscall_token(n))
				rc = warn_left_out(ctx, err, file, "systemd", n);
			else if (!push_name(&all, &nall, &cap, n))
				goto oom;
		}
	if (rc < 0) {
		free(all);
		return rc;
	}
	for (size_t a = 0; a < secprof_ir_arch_count(x->ir); a++) {
		const secprof_ir_arch *ar = secprof_ir_arch_at(x->ir, a);
		for (size_t i = 0; i < ar->nsyscalls; i++) {
			const char *n = ar->syscalls[i].name;
			if (n && !listed(all, nall, n) && !push_name(&all, &nall, &cap, n))
				goto oom;
		}
	}
	for (size_t a = 0; allow_list && a < secprof_ir_arch_count(x->ir); a++) {
		const secprof_arch *arch = secprof_arch_lookup(secprof_ir_arch_at(x->ir, a)->name);
		for (size_t k = 0; arch && k < secprof_arch_syscall_count(arch); k++) {
			const char *n = NULL;
			secprof_arch_syscall_at(arch, k, &n);
			if (n && !listed(all, nall, n) && !push_name(&all, &nall, &cap, n))
				goto oom;
		}
	}
	/* a deny list's one errno: the denying rules', when they agree */
	for (size_t i = 0; !allow_list && i < nall; i++) {
		struct sd_view v = sd_name_view(x, all[i]);
		if (!v.deny || (v.deny_ret & 0xffff0000u) != 0x00050000u)
			continue;
		if (!deny_set)
			deny_ret = v.deny_ret;
		else if (deny_ret != v.deny_ret || v.mixed)
			deny_ret = 0x00050000u | EPERM;
		deny_set = true;
	}
	if (!deny_set)
		deny_ret = 0x00050000u | EPERM;
	for (size_t i = 0; i < nall && rc >= 0; i++) {
		const char *n = all[i];
		struct sd_view v = sd_name_view(x, n);
		char buf[32];
		bool list;

		/* allowed somewhere and denied elsewhere: denied everywhere, the
		 * stricter of the two, in an allow list as in a deny list */
		if (v.allow && v.deny)
			rc = sp_warn(ctx, err, file, NULL, "syscalls",
				     v.cond ? "systemd cannot test arguments: %s is denied "
					      "for every argument"
					    : "systemd cannot tell arches apart: %s is "
					      "denied on every arch",
				     n);
		if (allow_list) {
			list = v.allow && !v.deny;
			if (!v.allow && v.deny && !v.mixed && v.deny_ret != def)
				rc = sp_warn(ctx, err, file, NULL, "syscalls",
					     "systemd has one errno for every denied call: %s "
					     "gets the default's instead of %s",
					     n, secprof_action_str(v.deny_ret, buf, sizeof(buf)));
		} else {
			list = v.deny;
			if (rc >= 0 && v.deny && (v.mixed || v.deny_ret != deny_ret))
				rc = sp_warn(ctx, err, file, NULL, "syscalls",
					     "systemd has one action for denied calls: %s is "
					     "denied with errno %u instead of %s",
					     n, deny_ret & 0xffffu,
					     secprof_action_str(v.deny_ret, buf, sizeof(buf)));
		}
		if (list)
			sp_buf_printf(&names, " %s", n);
		else if (allow_list)
			sp_buf_printf(&denied, " %s", n);
	}
	free(all);
	if (rc < 0) {
		sp_buf_free(&names);
		sp_buf_free(&denied);
		return rc;
	}
	sp_buf_puts(b, "# generated by secprof export --format systemd\n");
	if (allow_list) {
		sp_buf_puts(b, "SystemCallFilter=");
		if (names.len)
			sp_buf_add(b, names.data + 1, names.len - 1);
		else
			sp_buf_puts(b, "@default"); /* never empty: that is no filter */
		sp_buf_puts(b, "\n# systemd adds its @default set to an allow list: "
			       "what the profile denies is taken back\n");
		sp_buf_puts(b, "SystemCallFilter=~");
		if (denied.len)
			sp_buf_add(b, denied.data + 1, denied.len - 1);
	} else {
		sp_buf_puts(b, "SystemCallFilter=~");
		if (names.len)
			sp_buf_add(b, names.data + 1, names.len - 1);
	}
	sp_buf_free(&names);
	sp_buf_free(&denied);
	sp_buf_puts(b, "\n");
	if (kind == 0x00050000u || !allow_list) {
		unsigned e = (allow_list ? def : deny_ret) & 0xffffu;
		const char *en = sp_errno_name((int)e); /* systemd knows the kernel's names */
		if (en)
			sp_buf_printf(b, "SystemCallErrorNumber=%s\n", en);
		else
			sp_buf_printf(b, "SystemCallErrorNumber=%u\n", e);
	} else {
		sp_buf_puts(b, "SystemCallErrorNumber=kill\n");
	}
	sp_buf_puts(b, "SystemCallArchitectures=");
	for (size_t a = 0; a < secprof_ir_arch_count(x->ir); a++) {
		const char *sa = systemd_arch(secprof_ir_arch_at(x->ir, a)->name);
		sp_buf_printf(b, "%s%s", a ? " " : "",
			      sa ? sa : secprof_ir_arch_at(x->ir, a)->name);
	}
	sp_buf_puts(b, "\n");
	return 0;
oom:
	free(all);
	sp_buf_free(&names);
	sp_buf_free(&denied);
	return sp_err_oom(err);
}

/* ---- the self-check --------------------------------------------------------------- */

/* Names with a number in [lo, hi] on `arch` (at most 4096 numbers looked
 * at); false when a number has none, or the range is wider. */
static bool range_names(const secprof_arch *arch, uint32_t lo, uint32_t hi, const char ***v,
			size_t *n, size_t *cap, bool *oom)
{
	if (!arch || hi < lo || hi - lo >= 4096)
		return false;
	for (uint64_t nr = lo; nr <= hi; nr++) {
		const char *name = secprof_syscall_name(arch, (int32_t)nr);
		if (!name)
			return false;
		if (!listed(*v, *n, name) && !push_name(v, n, cap, name))
			*oom = true;
	}
	return true;
}

/* An action under which the call runs (ALLOW, LOG). */
static bool lets_through(uint32_t ret)
{
	uint32_t k = ret & 0xffff0000u;
	return k == 0x7fff0000u || k == 0x7ffc0000u;
}

/* The profile's program and the export's read back, compiled alike, and
 * where they decide differently. *pa and *pb are the caller's to free. */
static secprof_diff *diff_programs(const secprof_resolved *r, const secprof_resolved *back,
				   const secprof_compile_opts *co, secprof_prog **pa,
				   secprof_prog **pb, secprof_error *err)
{
	secprof_ctx quiet = { 0 };

	if (!(*pa = secprof_compile(&quiet, r, co, err)) ||
	    !(*pb = secprof_compile(&quiet, back, co, err)))
		return NULL;
	return secprof_diff_compute(&(secprof_side){ (*pa)->insns, (*pa)->len, NULL, "profile" },
				    &(secprof_side){ (*pb)->insns, (*pb)->len, NULL, "export" },
				    err);
}

/* Whether the export `text` (the Docker form of x) decides as the profile
 * on every input of every arch of the filter, compiled both ways (as
 * libseccomp builds it, which runc and Docker load, and as secprof does):
 * the export is read back, resolved for the same container and compared
 * by decision over every region (secprof_diff_compute), as merge checks
 * its result; with laxer_only, only where the export lets a call run that
 * the profile does not (the SPO form, whose consumer answers EPERM where
 * the profile gives another errno, is held to that). The names of the syscalls where it does not are added to
 * *v and the first difference described in *first; 1 where one has no
 * name (numbers with no syscall, a range too wide), 0 else; or the error
 * (-SECPROF_E_LIMIT: too many regions to compare). */
static int self_check(const secprof_resolved *r, const secprof_export_opts *o, const char *text,
		      bool laxer_only, const char ***v, size_t *n, size_t *cap,
		      struct sp_buf *first, secprof_error *err)
{
	secprof_ctx quiet = { 0 }; /* the export's warnings were given */
	secprof_profile *p = NULL;
	secprof_resolved *back = NULL;
	secprof_resolve_opts ro = { 0 };
	secprof_arch_info info;
	int rc = 0;

	secprof_arch_get_info(secprof_arch_lookup(r->native->name), &info);
	ro.arch = info.go;
	ro.kernel_major = r->kernel_major ? r->kernel_major : 6; /* no minKernel is left */
	ro.kernel_minor = r->kernel_major ? r->kernel_minor : 1;
	ro.caps = secprof_caps_all(); /* nor includes */
	if (!(p = secprof_profile_parse(&quiet, text, strlen(text), "<export>", err)) ||
	    !(back = secprof_resolve(&quiet, p, &ro, err))) {
		rc = err && err->code ? -err->code : -SECPROF_E_INTERNAL;
		goto out;
	}
	for (int exact = 1; exact >= 0 && rc >= 0; exact--) {
		secprof_compile_opts co = o->compile;
		secprof_prog *pa = NULL, *pb = NULL;
		secprof_diff *d = NULL;
		bool oom = false;

		co.exact_libseccomp = exact || o->compile.exact_libseccomp;
		if (!exact && o->compile.exact_libseccomp)
			break;
		if (!(d = diff_programs(r, back, &co, &pa, &pb, err)))
			rc = err && err->code ? -err->code : -SECPROF_E_INTERNAL;
		for (size_t i = 0; d && i < secprof_diff_count(d); i++) {
			const secprof_diff_entry *e = secprof_diff_at(d, i);
			const secprof_arch *arch = e->arch ? secprof_arch_lookup(e->arch) : NULL;
			bool named;
			char ba[32], bb[32];

			if (laxer_only && (lets_through(e->a) || !lets_through(e->b)))
				continue;
			named = range_names(arch, e->nr_lo, e->nr_hi, v, n, cap, &oom);

			/* the first difference, or the first no name can mend */
			if (!first->len || (!named && rc != 1)) {
				first->len = 0;
				sp_buf_printf(
					first, "%s %s%s%s: %s in the profile, %s in the export%s",
					e->arch ? e->arch : "(no arch)",
					e->syscall ? e->syscall : "(no syscall)",
					e->region[0] ? " " : "", e->region,
					secprof_action_str(e->a, ba, sizeof(ba)),
					secprof_action_str(e->b, bb, sizeof(bb)),
					exact ? "" : " (arguments read as the kernel reads them)");
			}
			if (oom)
				rc = sp_err_oom(err);
			else if (!named)
				rc = 1;
		}
		secprof_diff_free(d);
		secprof_prog_free(pa);
		secprof_prog_free(pb);
	}
out:
	secprof_resolved_free(back);
	secprof_profile_free(p);
	return rc;
}

/* The SPO form read back as its consumer reads it: the CRD has neither
 * defaultErrnoRet nor errnoRet 0, so runc answers EPERM there and skips a
 * rule of ERRNO(1) as the default's (matchCall in runc's
 * libcontainer/seccomp/seccomp_linux.go), which lets a later ALLOW rule of
 * the same call decide. Another errno for a denied call is warned about
 * (spo_profile); a call the form lets run and the profile does not is
 * refused, never written. */
static int spo_check(const secprof_resolved *r, const secprof_export_opts *o, struct sp_buf *b,
		     secprof_error *err)
{
	struct sp_buf first = { 0 };
	const char **names = NULL;
	size_t n = 0, cap = 0;
	int rc;

	sp_buf_add(b, "", 0); /* a C string, len unchanged */
	if (b->oom)
		return sp_err_oom(err);
	rc = self_check(r, o, b->data, true, &names, &n, &cap, &first, err);
	free(names);
	sp_buf_add(&first, "", 0);
	if (rc >= 0 && first.oom)
		rc = sp_err_oom(err);
	if (rc == -SECPROF_E_LIMIT)
		rc = sp_err(err, SECPROF_E_LIMIT, r->prof->file, NULL, NULL,
			    "the spo export could not be compared with the profile: refused, "
			    "since nothing shows it denies what the profile denies");
	else if (rc >= 0 && first.len > 1)
		rc = sp_err(
			err, SECPROF_E_PROFILE, r->prof->file, NULL, NULL,
			"the spo export would let through what the profile denies: %s (the "
			"SeccompProfile CRD has no defaultErrnoRet nor errnoRet 0: runc answers "
			"EPERM and skips a rule of ERRNO(1) as the default's); refused",
			first.data);
	else if (rc > 0)
		rc = 0;
	sp_buf_free(&first);
	return rc;
}

/* The Docker form as each Docker reads it (secprof_resolved_readings):
 * Debian 12's docker.io 20.10 drops defaultErrnoRet, so its runc answers
 * EPERM and skips a rule of ERRNO(1) as the default's, which lets a later
 * ALLOW rule of the same call decide (runc's InitSeccomp). The profile's
 * own rule may read otherwise there (Podman's "errno", which secprof
 * applies and 20.10 ignores): the export, read by a Docker, must let
 * nothing run that the profile read by the same Docker denies. Compared
 * by decision as self_check does, for each reading either of them has;
 * a call the export lets through there is refused, never written. */
static int readings_check(const secprof_resolved *r, const secprof_export_opts *o, const char *text,
			  secprof_error *err)
{
	/* text in place, not a pointer: no table is relocated at load
	 * (docs/CONVENTIONS.md §18) */
	static const struct {
		unsigned bit;
		char text[112];
	} rd[] = {
		{ SECPROF_READING_PODMAN, "Podman (errno keys applied)" },
		{ SECPROF_READING_MOBY, "current Docker (errno keys ignored)" },
		{ SECPROF_READING_DOCKER20, "Docker 20.10 (no defaultErrnoRet: runc answers EPERM "
					    "and skips a rule of ERRNO(1) as the default's)" },
	};
	secprof_ctx quiet = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *back = NULL;
	secprof_resolve_opts ro = { 0 };
	secprof_arch_info info;
	unsigned seen;
	int rc = 0;

	secprof_arch_get_info(secprof_arch_lookup(r->native->name), &info);
	ro.arch = info.go;
	ro.kernel_major = r->kernel_major ? r->kernel_major : 6;
	ro.kernel_minor = r->kernel_major ? r->kernel_minor : 1;
	ro.caps = secprof_caps_all();
	if (!(p = secprof_profile_parse(&quiet, text, strlen(text), "<export>", err)) ||
	    !(back = secprof_resolve(&quiet, p, &ro, err))) {
		rc = err && err->code ? -err->code : -SECPROF_E_INTERNAL;
		goto out;
	}
	seen = secprof_resolved_readings(back) | secprof_resolved_readings(r);
	for (size_t k = 0; rc == 0 && k < SP_ARRAY_SIZE(rd); k++) {
		secprof_compile_opts co = o->compile;
		secprof_prog *pa = NULL, *pb = NULL;
		secprof_diff *d = NULL;

		if (!(seen & rd[k].bit))
			continue;
		co.exact_libseccomp = true;
		co.docker_reading = rd[k].bit;
		if (!(d = diff_programs(r, back, &co, &pa, &pb, err)))
			rc = err && err->code ? -err->code : -SECPROF_E_INTERNAL;
		for (size_t i = 0; d && rc == 0 && i < secprof_diff_count(d); i++) {
			const secprof_diff_entry *e = secprof_diff_at(d, i);
			char ba[32], bb[32];

			if (lets_through(e->a) || !lets_through(e->b))
				continue;
			rc = sp_err(err, SECPROF_E_PROFILE, r->prof->file, NULL, NULL,
				    "the %s export would let through what the profile denies "
				    "under %s: %s %s%s%s: %s in the profile, %s in the export; "
				    "refused",
				    secprof_export_format_name(o->format), rd[k].text,
				    e->arch ? e->arch : "(no arch)",
				    e->syscall ? e->syscall : "(no syscall)",
				    e->region[0] ? " " : "", e->region,
				    secprof_action_str(e->a, ba, sizeof(ba)),
				    secprof_action_str(e->b, bb, sizeof(bb)));
		}
		secprof_diff_free(d);
		secprof_prog_free(pa);
		secprof_prog_free(pb);
	}
	if (rc == -SECPROF_E_LIMIT)
		rc = sp_err(err, SECPROF_E_LIMIT, r->prof->file, NULL, NULL,
			    "the %s export could not be compared with the profile as each Docker "
			    "reads them: refused, since nothing shows it denies what the profile "
			    "denies",
			    secprof_export_format_name(o->format));
out:
	secprof_resolved_free(back);
	secprof_profile_free(p);
	return rc;
}

/* ---- public ------------------------------------------------------------------- */

int secprof_export(secprof_ctx *ctx, const secprof_resolved *r, const secprof_export_opts *o,
		   char **out, size_t *len, secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct xprof x;
	const char **written = NULL;
	size_t nwritten = 0, written_cap = 0;
	int rc;

	if (!r || !o || !out || !len)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "export: NULL argument");
	switch (o->format) {
	case SECPROF_EXPORT_CRUN:
	case SECPROF_EXPORT_BWRAP:
	case SECPROF_EXPORT_C:
	case SECPROF_EXPORT_BASE64: {
		secprof_prog *prog;
		if (r->unconfined)
			return sp_err(err, SECPROF_E_PROFILE, r->prof->file, NULL, NULL,
				      "the profile is unconfined: there is no filter to export");
		if (!(prog = secprof_compile(ctx, r, &o->compile, err)))
			return -err->code;
		rc = secprof_export_prog(prog, o->format, out, len, err);
		secprof_prog_free(prog);
		return rc;
	}
	case SECPROF_EXPORT_OCI_ARTIFACT:
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "export: oci-artifact is a directory (secprof_export_oci_layout)");
	case SECPROF_EXPORT_DOCKER:
	case SECPROF_EXPORT_OCI:
	case SECPROF_EXPORT_SPO:
	case SECPROF_EXPORT_SYSTEMD: break;
	default:
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "export: unknown format %d",
			      (int)o->format);
	}
	/* The Docker form is read back and compared with the profile
	 * (self_check). A name it decides otherwise on some arch (one rule
	 * set entry cannot say what libseccomp makes of the rules on x86 and
	 * on x86_64) is exported again as the container's rules wrote it,
	 * which runc hands to libseccomp as it did the original; should that
	 * not do (libseccomp's program shaped by other names' blocks), every
	 * name is; what still differs is refused, never written. */
	for (int stage = 0;; stage++) {
		secprof_ctx quiet = { 0 }; /* warnings once, from the first build */
		size_t had = nwritten;
		struct sp_buf first = { 0 };
		char why[sizeof(err->msg)];

		if ((rc = xprof_build(stage ? &quiet : ctx, r, &x, written, nwritten, stage == 2,
				      err)) < 0)
			goto fail;
		if (o->format == SECPROF_EXPORT_SYSTEMD)
			break;
		json_profile(&b, &x, r, true);
		sp_buf_add(&b, "", 0);
		if (b.oom) {
			rc = sp_err_oom(err);
			goto fail;
		}
		rc = self_check(r, o, b.data, false, &written, &nwritten, &written_cap, &first,
				err);
		sp_buf_free(&b);
		sp_buf_add(&first, "", 0);
		if (rc >= 0 && first.oom)
			rc = sp_err_oom(err);
		if (rc == -SECPROF_E_LIMIT) {
			/* too many regions to compare (secprof diff refuses
			 * them too): an export not known to decide as the
			 * profile is not written (fail closed) */
			snprintf(why, sizeof(why), "%s", err ? err->msg : "");
			sp_buf_free(&first);
			rc = sp_err(err, SECPROF_E_LIMIT, r->prof->file, NULL, NULL,
				    "the %s export could not be compared with the profile (%s): "
				    "refused, since nothing shows it decides as the profile does",
				    secprof_export_format_name(o->format), why);
			goto fail;
		}
		if (rc < 0) {
			sp_buf_free(&first);
			sp_err_wrap(err, "checking the %s export",
				    secprof_export_format_name(o->format));
			goto fail;
		}
		if (first.len <= 1) {
			sp_buf_free(&first);
			break;
		}
		if (stage == 2) {
			rc = sp_err(err, SECPROF_E_LIMIT, r->prof->file, NULL, NULL,
				    "the %s export would decide otherwise than the profile: %s; "
				    "refused",
				    secprof_export_format_name(o->format), first.data);
			sp_buf_free(&first);
			goto fail;
		}
		sp_buf_free(&first);
		if (stage == 0 && (rc == 1 || nwritten == had))
			stage = 1; /* no name to mend it by: every name next */
		xprof_free(&x);
	}
	if (o->format == SECPROF_EXPORT_SPO) {
		if ((rc = spo_profile(ctx, &b, &x, r, o->name, err)) >= 0)
			rc = spo_check(r, o, &b, err);
	} else if (o->format == SECPROF_EXPORT_SYSTEMD)
		rc = systemd_profile(ctx, &b, &x, r, err);
	else {
		json_profile(&b, &x, r, o->format == SECPROF_EXPORT_DOCKER);
		sp_buf_add(&b, "", 0); /* a C string, len unchanged */
		if (b.oom)
			rc = sp_err_oom(err);
		else if (o->format == SECPROF_EXPORT_DOCKER)
			rc = readings_check(r, o, b.data, err);
	}
	xprof_free(&x);
	free(written);
	if (rc < 0) {
		sp_buf_free(&b);
		return rc;
	}
	return finish(&b, out, len, err);
fail:
	xprof_free(&x);
	free(written);
	sp_buf_free(&b);
	return rc;
}
