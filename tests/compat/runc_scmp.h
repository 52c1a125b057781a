/* runc_scmp.h - build a seccomp program from a resolved profile exactly as runc
 * does with libseccomp (docs/COMPAT.md §4.1.2-§4.1.4), for the differential test and the
 * bench. Header-only so unit tests, helpers and bench/ can all include it.
 *
 * What runc does, and so what this does:
 *  - seccomp_init(default action), TSYNC attr, every OCI arch + the native one,
 *    OPTIMIZE=2 when more than 32 internal rules (one per name), NNP off;
 *  - one libseccomp rule per name; names libseccomp cannot resolve are skipped,
 *    rules whose action equals the default are skipped;
 *  - args AND-ed in one rule unless an index repeats, then one rule each (OR);
 *  - ERRNO/TRACE data = int16(errnoRet) masked to 16 bits, EPERM when unset;
 *  - export the BPF, then prepend runc's ENOSYS stub (patchbpf, §4.1.3), which
 *    is written here from the spec's description.
 */
#ifndef SECPROF_COMPAT_RUNC_SCMP_H
#define SECPROF_COMPAT_RUNC_SCMP_H

#include <ctype.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

#define RUNC_RET_ENOSYS (0x00050000u | 38u) /* SCMP_ACT_ERRNO(ENOSYS) */
#define RUNC_X32_BIT 0x40000000u

struct runc_opts {
	int optimize;        /* 0: as runc (2 above 32 internal rules, else 1); 1 or 2 forced */
	bool no_stub;        /* leave out the ENOSYS stub (crun's behaviour) */
	uint32_t only_audit; /* test aid: keep only the arches seen as this
				AUDIT_ARCH_* token (0 = all, as runc) */
	bool old_stub;       /* runc 1.1.5's stub whatever the default: no section
				for the native arch the profile does not list */
};

struct runc_prog {
	secprof_insn *insns; /* malloc'ed: stub + libseccomp's program */
	size_t len;
	size_t stub_len;
	int optimize; /* the level used */
	size_t internal_rules;
};

static inline void runc_prog_free(struct runc_prog *p)
{
	free(p->insns);
	memset(p, 0, sizeof(*p));
}

__attribute__((format(printf, 3, 4))) static inline int runc_fail(char *err, size_t len,
								  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp token, as libseccomp-golang's
 * GetArchFromString after runc strips the prefix (§4.1.1). 0 if unknown,
 * which also covers arches libseccomp 2.5.4 predates (LOONGARCH64). */
static inline uint32_t runc_arch_token(const char *scmp)
{
	char low[32];
	size_t i;

	if (strncmp(scmp, "SCMP_ARCH_", 10) != 0 || strlen(scmp + 10) >= sizeof(low))
		return 0;
	for (i = 0; scmp[10 + i]; i++)
		low[i] = (char)tolower((unsigned char)scmp[10 + i]);
	low[i] = 0;
	return seccomp_arch_resolve_name(low);
}

/* The token seen in seccomp_data.arch: x32 shares x86_64's (§4.1.3). */
static inline uint32_t runc_audit_of(uint32_t token)
{
	return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

static inline uint16_t runc_errno16(bool has, uint64_t val)
{
	/* runc: int16(errnoRet), EPERM when unset; libseccomp keeps 16 bits (§4.1.2). */
	return has ? (uint16_t)(int16_t)val : 1;
}

static inline uint32_t runc_action(enum sp_action act, bool has_errno, uint64_t errno_ret)
{
	switch (act) {
	case SP_ACT_KILL:
	case SP_ACT_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
	case SP_ACT_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
	case SP_ACT_TRAP: return SCMP_ACT_TRAP;
	case SP_ACT_ALLOW: return SCMP_ACT_ALLOW;
	case SP_ACT_LOG: return SCMP_ACT_LOG;
	case SP_ACT_NOTIFY: return SCMP_ACT_NOTIFY;
	case SP_ACT_ERRNO: return SCMP_ACT_ERRNO(runc_errno16(has_errno, errno_ret));
	case SP_ACT_TRACE: return SCMP_ACT_TRACE(runc_errno16(has_errno, errno_ret));
	case SP_ACT__COUNT: break;
	}
	return SCMP_ACT_KILL_THREAD;
}

static inline enum scmp_compare runc_op(enum sp_op op)
{
	switch (op) {
	case SP_OP_NE: return SCMP_CMP_NE;
	case SP_OP_LT: return SCMP_CMP_LT;
	case SP_OP_LE: return SCMP_CMP_LE;
	case SP_OP_EQ: return SCMP_CMP_EQ;
	case SP_OP_GE: return SCMP_CMP_GE;
	case SP_OP_GT: return SCMP_CMP_GT;
	case SP_OP_MASKED_EQ: return SCMP_CMP_MASKED_EQ;
	case SP_OP__COUNT: break;
	}
	return _SCMP_CMP_MIN;
}

static inline struct scmp_arg_cmp runc_cond(const struct sp_arg *a)
{
	/* MASKED_EQ: value is the mask, valueTwo the datum (§4.1.2) */
	return (struct scmp_arg_cmp){ (unsigned)a->index, runc_op(a->op), a->value, a->value_two };
}

static inline bool runc_index_repeats(const struct sp_rule *rule)
{
	for (size_t i = 0; i < rule->nargs; i++)
		for (size_t j = i + 1; j < rule->nargs; j++)
			if (rule->args[i].index == rule->args[j].index)
				return true;
	return false;
}

/* matchCall for one name (§4.1.2 step 8). */
static inline int runc_add_name(scmp_filter_ctx ctx, const struct sp_rule *rule, const char *name,
				uint32_t act, uint32_t def, char *err, size_t errlen)
{
	struct scmp_arg_cmp conds[6];
	int nr, rc = 0;

	if (!*name)
		return runc_fail(err, errlen, "empty string is not a valid syscall");
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* unknown to libseccomp: runc only logs it */
	if (act == def)
		return 0; /* redundant: libseccomp would refuse it with -EACCES */
	if (act == SCMP_ACT_NOTIFY && !strcmp(name, "write"))
		return runc_fail(err, errlen,
				 "SCMP_ACT_NOTIFY cannot be used for the write syscall");
	for (size_t i = 0; i < rule->nargs; i++)
		if (rule->args[i].index > 5)
			return runc_fail(err, errlen,
					 "syscalls only have up to 6 arguments (%llu given)",
					 (unsigned long long)rule->args[i].index);
	if (!runc_index_repeats(rule)) {
		/* distinct indexes (so at most 6): one rule, conditions AND-ed */
		for (size_t i = 0; i < rule->nargs; i++)
			conds[i] = runc_cond(&rule->args[i]);
		rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)rule->nargs,
					    rule->nargs ? conds : NULL);
	} else {
		/* a repeated index: every condition its own rule, OR-ed */
		for (size_t i = 0; i < rule->nargs && !rc; i++) {
			struct scmp_arg_cmp one = runc_cond(&rule->args[i]);
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &one);
		}
	}
	if (rc)
		return runc_fail(err, errlen, "error adding seccomp filter rule for syscall %s: %s",
				 name, strerror(-rc));
	return 0;
}

/* The arches runc puts in the filter: the OCI list, then the native one. */
static inline size_t runc_arches(const struct secprof_resolved *r, uint32_t *tokens, size_t max,
				 char *err, size_t errlen, int *rc)
{
	size_t n = 0;

	*rc = 0;
	for (size_t i = 0; i < r->narchitectures && n < max; i++) {
		uint32_t t = runc_arch_token(r->architectures[i]->s ? r->architectures[i]->s : "");
		if (!t) {
			*rc = runc_fail(err, errlen, "string %s is not a valid arch for seccomp",
					r->architectures[i]->s ? r->architectures[i]->s : "");
			return 0;
		}
		tokens[n++] = t;
	}
	if (n < max)
		tokens[n++] = r->native ? runc_arch_token(r->native->scmp) : seccomp_arch_native();
	if (!tokens[n - 1]) {
		*rc = runc_fail(err, errlen, "native arch %s unknown to libseccomp",
				r->native ? r->native->scmp : "?");
		return 0;
	}
	return n;
}

/* ---- the ENOSYS stub (§4.1.3) ------------------------------------------ */

/* Per arch: the largest number on that arch of any name of any rule (every
 * action, also rules skipped as redundant); 0 = no known name there. */
static inline uint32_t runc_arch_max(const struct secprof_resolved *r, uint32_t token)
{
	int max = 0;

	for (size_t i = 0; i < r->nrules; i++)
		for (size_t j = 0; j < r->rules[i]->nnames; j++) {
			const char *name = r->rules[i]->names[j].s;
			int nr = name ? seccomp_syscall_resolve_name_arch(token, name)
				      : __NR_SCMP_ERROR;
			if (nr > max)
				max = nr; /* pseudo numbers (< 0) never count */
		}
	return (uint32_t)max;
}

struct runc_asm {
	secprof_insn *p;
	size_t len;
};

static inline size_t runc_emit(struct runc_asm *a, uint16_t code, uint8_t jt, uint8_t jf,
			       uint32_t k)
{
	if (a->p)
		a->p[a->len] = (secprof_insn){ code, jt, jf, k };
	return a->len++;
}

/* One section: nr already loaded. `jmax` jumps to ENOSYS when nr > max.
 * Layout (all jumps short and forward; `prog_ja` jumps to the program):
 *   [s390: jeq 0 -> enosys] jgt max -> enosys ; ja prog ; enosys: ret ENOSYS */
static inline void runc_emit_tail(struct runc_asm *a, uint32_t max, bool s390, size_t prog_at)
{
	if (s390)
		runc_emit(a, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 0);
	runc_emit(a, BPF_JMP | BPF_JGT | BPF_K, 1, 0, max);
	runc_emit(a, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(prog_at - a->len - 1));
	runc_emit(a, BPF_RET | BPF_K, 0, 0, RUNC_RET_ENOSYS);
}

/* The x86_64 audit token covers x86_64 and x32, told apart by bit 30 (§4.1.3):
 * a side that is not in the filter goes straight to libseccomp's program. */
static inline void runc_emit_amd64(struct runc_asm *a, uint32_t max64, uint32_t max32,
				   size_t prog_at)
{
	if (max64 && max32) {
		runc_emit(a, BPF_JMP | BPF_JSET | BPF_K, 0, 3, RUNC_X32_BIT);
		runc_emit_tail(a, max32, false, prog_at);
		runc_emit_tail(a, max64, false, prog_at);
	} else if (max64) {
		runc_emit(a, BPF_JMP | BPF_JSET | BPF_K, 0, 1, RUNC_X32_BIT);
		runc_emit(a, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(prog_at - a->len - 1));
		runc_emit_tail(a, max64, false, prog_at);
	} else {
		runc_emit(a, BPF_JMP | BPF_JSET | BPF_K, 1, 0, RUNC_X32_BIT);
		runc_emit(a, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(prog_at - a->len - 1));
		runc_emit_tail(a, max32, false, prog_at);
	}
}

/* The maxima of the arches seen as one audit token: x86_64 and x32 apart. */
struct runc_group {
	uint32_t audit, m64, m32, other;
};

static inline struct runc_group runc_group_of(uint32_t audit, const uint32_t *tokens, size_t ntok,
					      const uint32_t *max)
{
	struct runc_group g = { audit, 0, 0, 0 };

	for (size_t i = 0; i < ntok; i++) {
		if (runc_audit_of(tokens[i]) != audit)
			continue;
		if (tokens[i] == SCMP_ARCH_X32)
			g.m32 = max[i];
		else if (tokens[i] == SCMP_ARCH_X86_64)
			g.m64 = max[i];
		else
			g.other = max[i];
	}
	return g;
}

static inline bool runc_is_s390(uint32_t audit)
{
	return audit == AUDIT_ARCH_S390 || audit == AUDIT_ARCH_S390X;
}

/* Instructions in one section, "ld nr" included (see the emitters). */
static inline size_t runc_section_len(const struct runc_group *g)
{
	if (g->audit == AUDIT_ARCH_X86_64)
		return 1 + (g->m64 && g->m32 ? 7 : 5);
	return 1 + (runc_is_s390(g->audit) ? 4 : 3);
}

/* Emit the stub at a->len, jumping to prog_at when a call is not ENOSYS:
 *   ld arch; per token: jeq tok,0,1; ja section; ...; ja prog; sections.
 * Only tokens with a known syscall get a section (§4.1.3). Returns its size;
 * with a->p == NULL it only counts (the sizes do not depend on prog_at). */
static inline size_t runc_stub(struct runc_asm *a, const uint32_t *tokens, size_t ntok,
			       const uint32_t *max, size_t prog_at)
{
	struct runc_group g[32];
	size_t ng = 0, start = a->len, sect;

	for (size_t i = 0; i < ntok; i++) {
		uint32_t au = runc_audit_of(tokens[i]);
		size_t j;
		if (!max[i])
			continue;
		for (j = 0; j < ng && g[j].audit != au; j++)
			;
		if (j == ng && ng < 32)
			g[ng++] = runc_group_of(au, tokens, ntok, max);
	}
	if (!ng)
		return 0;
	runc_emit(a, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4);
	sect = start + 1 + 2 * ng + 1;
	for (size_t j = 0; j < ng; j++) {
		runc_emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, g[j].audit);
		runc_emit(a, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(sect - a->len - 1));
		sect += runc_section_len(&g[j]);
	}
	runc_emit(a, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(prog_at - a->len - 1));
	for (size_t j = 0; j < ng; j++) {
		runc_emit(a, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
		if (g[j].audit == AUDIT_ARCH_X86_64)
			runc_emit_amd64(a, g[j].m64, g[j].m32, prog_at);
		else
			runc_emit_tail(a, g[j].other, runc_is_s390(g[j].audit), prog_at);
	}
	return a->len - start;
}

/* ---- the whole build --------------------------------------------------- */

static inline int runc_export(scmp_filter_ctx ctx, secprof_insn **out, size_t *len, char *err,
			      size_t errlen)
{
	int fd = memfd_create("runc-bpf", MFD_CLOEXEC), rc;
	off_t size;

	if (fd < 0)
		return runc_fail(err, errlen, "memfd_create: %s", strerror(errno));
	rc = seccomp_export_bpf(ctx, fd);
	size = lseek(fd, 0, SEEK_END);
	if (rc || size <= 0 || size % 8) {
		close(fd);
		return runc_fail(err, errlen, "seccomp_export_bpf: %s", strerror(-rc));
	}
	*out = malloc((size_t)size);
	*len = (size_t)size / 8;
	if (!*out || pread(fd, *out, (size_t)size, 0) != size) {
		close(fd);
		return runc_fail(err, errlen, "reading the exported BPF failed");
	}
	close(fd);
	return 0;
}

static inline uint32_t runc_action(enum sp_action act, bool has_errno, uint64_t errno_ret);

/* Is v an action the filter of r can return: the default, a rule's, or
 * libseccomp's bad-arch KILL? */
static inline bool runc_is_action(const struct secprof_resolved *r, uint32_t v)
{
	const struct secprof_profile *p = r->prof;

	if (v == SCMP_ACT_KILL_THREAD ||
	    v == runc_action(p->default_act, p->has_default_errno, p->default_errno))
		return true;
	for (size_t i = 0; i < r->nrules; i++)
		if (v ==
		    runc_action(r->rules[i]->act, r->rules[i]->has_errno, r->rules[i]->errno_ret))
			return true;
	return false;
}

/* libseccomp writes the program in the filter's byte order (it is loaded on
 * that machine); bring a big-endian one back to ours to run it here.
 * gen_bpf.c _gen_bpf_build_jmp_ret, which repeats a RET closer to a jump
 * that cannot reach the first one, passes the RET's k, already in the
 * filter's order, through _gen_bpf_action's _htot32 again: the identity on
 * a big-endian host (where runc for s390x runs, and loads the right
 * action), a second swap here, which leaves that k in our order. Such a k
 * is told by being an action of the filter only unswapped. */
static inline void runc_to_host_order(secprof_insn *p, size_t len, uint32_t token,
				      const struct secprof_resolved *r)
{
	if (token & __AUDIT_ARCH_LE)
		return;
	for (size_t i = 0; i < len; i++) {
		p[i].code = __builtin_bswap16(p[i].code);
		if (p[i].code == (BPF_RET | BPF_K) &&
		    !runc_is_action(r, __builtin_bswap32(p[i].k)) && runc_is_action(r, p[i].k))
			continue;
		p[i].k = __builtin_bswap32(p[i].k);
	}
}

static inline bool runc_is_allow_like(enum sp_action a)
{
	return a == SP_ACT_ALLOW || a == SP_ACT_LOG || a == SP_ACT_TRACE; /* isAllowAction */
}

/* Add every rule; the filter's arches must already be set. */
static inline int runc_add_rules(scmp_filter_ctx ctx, const struct secprof_resolved *r,
				 uint32_t def, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nrules; i++) {
		const struct sp_rule *rule = r->rules[i];
		uint32_t act;
		if (!rule->action_ok)
			return runc_fail(err, errlen, "string %s is not a valid action for seccomp",
					 rule->action.s ? rule->action.s : "");
		act = runc_action(rule->act, rule->has_errno, rule->errno_ret);
		for (size_t j = 0; j < rule->nnames; j++)
			if (runc_add_name(ctx, rule, rule->names[j].s ? rule->names[j].s : "", act,
					  def, err, errlen))
				return -1;
	}
	return 0;
}

static inline int runc_setup(scmp_filter_ctx *pctx, const struct secprof_resolved *r,
			     const struct runc_opts *o, struct runc_prog *out, uint32_t *tokens,
			     size_t *ntok, uint32_t *def, char *err, size_t errlen)
{
	const struct secprof_profile *p = r->prof;
	scmp_filter_ctx ctx;
	int rc;

	if (!p->default_action_ok)
		return runc_fail(err, errlen,
				 "error initializing seccomp - invalid default action");
	if (p->default_act == SP_ACT_NOTIFY)
		return runc_fail(err, errlen, "SCMP_ACT_NOTIFY cannot be used as default action");
	*def = runc_action(p->default_act, p->has_default_errno, p->default_errno);
	*ntok = runc_arches(r, tokens, 32, err, errlen, &rc);
	if (rc)
		return rc;
	if (o && o->only_audit) {
		size_t kept = 0;
		for (size_t i = 0; i < *ntok; i++)
			if (runc_audit_of(tokens[i]) == o->only_audit)
				tokens[kept++] = tokens[i];
		if (!kept)
			return runc_fail(err, errlen, "no arch of token 0x%08x in the filter",
					 o->only_audit);
		*ntok = kept;
	}
	*pctx = ctx = seccomp_init(*def);
	if (!ctx)
		return runc_fail(err, errlen, "seccomp_init failed");
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1); /* NewFilter; ENOTSUP tolerated */
	{
		/* resolved for another arch than this machine: runc would run there */
		bool listed = false;
		for (size_t i = 0; i < *ntok; i++)
			listed |= tokens[i] == seccomp_arch_native();
		if (!listed)
			seccomp_arch_remove(ctx, seccomp_arch_native());
	}
	for (size_t i = 0; i < *ntok; i++) {
		rc = seccomp_arch_add(ctx, tokens[i]);
		if (rc && rc != -EEXIST)
			return runc_fail(err, errlen,
					 "error adding architecture to seccomp filter: %s",
					 strerror(-rc));
	}
	out->internal_rules = 0;
	for (size_t i = 0; i < r->nrules; i++)
		out->internal_rules += r->rules[i]->nnames;
	out->optimize = o && o->optimize ? o->optimize : out->internal_rules > 32 ? 2 : 1;
	if (out->optimize == 2)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	return 0;
}

/* Build the program runc would load for r. Returns 0, or -1 with err filled
 * (the profile runc would refuse, e.g. a libseccomp -EEXIST clash). */
static inline int runc_scmp_build(const struct secprof_resolved *r, const struct runc_opts *o,
				  struct runc_prog *out, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = NULL;
	uint32_t tokens[32], max[32] = { 0 }, def = 0;
	size_t ntok = 0;
	secprof_insn *bpf = NULL;
	size_t bpf_len = 0;
	struct runc_asm sizing = { NULL, 0 }, real;

	memset(out, 0, sizeof(*out));
	if (runc_setup(&ctx, r, o, out, tokens, &ntok, &def, err, errlen) ||
	    runc_add_rules(ctx, r, def, err, errlen) ||
	    runc_export(ctx, &bpf, &bpf_len, err, errlen)) {
		if (ctx)
			seccomp_release(ctx);
		free(bpf);
		return -1;
	}
	seccomp_release(ctx);
	runc_to_host_order(bpf, bpf_len, tokens[0], r);
	/* generatePatch: no stub when defaultErrnoRet == SCMP_ACT_ERRNO(ENOSYS) */
	bool enosys_ret = r->prof->has_default_errno && r->prof->default_errno == 0x50026u;
	if (!(o && o->no_stub) && !enosys_ret && !runc_is_allow_like(r->prof->default_act)) {
		for (size_t i = 0; i < ntok; i++)
			max[i] = runc_arch_max(r, tokens[i]);
		/* runc 1.1.5 (Debian 12's) builds the stub for the listed
		 * arches alone, a current runc adds the native one
		 * (runc_arches): under a KILL or TRAP default the older runc
		 * is the stricter there, and it is the one modelled
		 * (docs/COMPAT.md §4.1.3); a max of 0 is no section. */
		uint32_t native = r->native ? runc_arch_token(r->native->scmp)
					    : seccomp_arch_native();
		bool native_listed = false;
		for (size_t i = 0; i < r->narchitectures; i++)
			native_listed |= runc_arch_token(r->architectures[i]->s
								 ? r->architectures[i]->s
								 : "") == native;
		for (size_t i = 0; i < ntok; i++)
			if (tokens[i] == native && !native_listed &&
			    (r->prof->default_act != SP_ACT_ERRNO || (o && o->old_stub)))
				max[i] = 0;
		out->stub_len = runc_stub(&sizing, tokens, ntok, max, 0);
	}
	out->len = out->stub_len + bpf_len;
	out->insns = malloc(out->len * sizeof(*out->insns));
	if (!out->insns) {
		free(bpf);
		return runc_fail(err, errlen, "out of memory");
	}
	real = (struct runc_asm){ out->insns, 0 };
	if (out->stub_len)
		runc_stub(&real, tokens, ntok, max, out->stub_len);
	memcpy(out->insns + out->stub_len, bpf, bpf_len * sizeof(*bpf));
	free(bpf);
	return 0;
}

#endif
