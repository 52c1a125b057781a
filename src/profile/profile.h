/* profile.h - a parsed profile, before resolution (parse.c), and the
 * closed lists of its words (vocab.c).
 * Everything here lives in the profile's arena and is freed with it. */
#ifndef SP_PROFILE_H
#define SP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Actions as runc spells them (docs/COMPAT.md §4.1.1), and the kernel value of each
 * (the low 16 bits, errno/trace data, are added by the compiler). */
#define SP_ACTIONS(X)                                         \
	X(KILL, "SCMP_ACT_KILL", 0x00000000u)                 \
	X(KILL_THREAD, "SCMP_ACT_KILL_THREAD", 0x00000000u)   \
	X(KILL_PROCESS, "SCMP_ACT_KILL_PROCESS", 0x80000000u) \
	X(TRAP, "SCMP_ACT_TRAP", 0x00030000u)                 \
	X(ERRNO, "SCMP_ACT_ERRNO", 0x00050000u)               \
	X(TRACE, "SCMP_ACT_TRACE", 0x7ff00000u)               \
	X(ALLOW, "SCMP_ACT_ALLOW", 0x7fff0000u)               \
	X(LOG, "SCMP_ACT_LOG", 0x7ffc0000u)                   \
	X(NOTIFY, "SCMP_ACT_NOTIFY", 0x7fc00000u)

enum sp_action {
#define X(id, str, ret) SP_ACT_##id,
	SP_ACTIONS(X)
#undef X
		SP_ACT__COUNT
};

#define SP_OPS(X)            \
	X(NE, "SCMP_CMP_NE") \
	X(LT, "SCMP_CMP_LT") \
	X(LE, "SCMP_CMP_LE") \
	X(EQ, "SCMP_CMP_EQ") \
	X(GE, "SCMP_CMP_GE") \
	X(GT, "SCMP_CMP_GT") \
	X(MASKED_EQ, "SCMP_CMP_MASKED_EQ")

enum sp_op {
#define X(id, str) SP_OP_##id,
	SP_OPS(X)
#undef X
		SP_OP__COUNT
};

#define SP_FLAGS(X)                                         \
	X(TSYNC, "SECCOMP_FILTER_FLAG_TSYNC", 1u)           \
	X(LOG, "SECCOMP_FILTER_FLAG_LOG", 2u)               \
	X(SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4u) \
	X(WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32u)
enum {
#define X(id, str, bit) SP_FLAG_##id = bit,
	SP_FLAGS(X)
#undef X
};

/* SECCOMP_RET_* values (include/uapi/linux/seccomp.h) used by the compiler. */
#define SP_RET_KILL_THREAD 0x00000000u
#define SP_RET_KILL_PROCESS 0x80000000u
#define SP_RET_ERRNO 0x00050000u
#define SP_RET_ALLOW 0x7fff0000u
#define SP_RET_ENOSYS (SP_RET_ERRNO | 38u)
#define SP_RET_DATA 0x0000ffffu

/* Name <-> enum (exact match, as runc). Return -1 / NULL when unknown. */
int sp_action_from_str(const char *s);
const char *sp_action_str(enum sp_action a);
uint32_t sp_action_ret(enum sp_action a); /* kernel SECCOMP_RET_* base */
int sp_op_from_str(const char *s);
const char *sp_op_str(enum sp_op op);
/* The i-th name of each closed list, in its order; NULL past the end (for
 * parse.c's "expected one of" lists). */
const char *sp_action_name_at(size_t i);
const char *sp_op_name_at(size_t i);
const char *sp_flag_name_at(size_t i);
/* SECCOMP_FILTER_FLAG_* bit for a flag name, 0 if unknown. */
uint32_t sp_flag_from_str(const char *s);
/* "ALLOW", "ERRNO(1)", "KILL_THREAD", "TRACE(7)", ... for a SECCOMP_RET_* value. */
const char *sp_ret_str(uint32_t ret, char *buf, size_t len);

/* A string value with where it stood in the source. */
struct sp_str {
	const char *s; /* NULL when absent or null */
	struct sp_loc loc;
};

/* includes / excludes (docs/COMPAT.md §1.2, §2.3). */
struct sp_filter {
	bool present; /* the object was given and not null */
	struct sp_str *caps;
	size_t ncaps;
	struct sp_str *arches;
	size_t narches;
	bool has_min_kernel;   /* minKernel given (even "") */
	uint8_t min_kernel[2]; /* {kernel, major} (docs/COMPAT.md §1.4) */
	struct sp_loc min_kernel_loc;
	struct sp_loc loc;
};

struct sp_arg {
	uint64_t index;
	uint64_t value;
	uint64_t value_two;
	struct sp_str op_str; /* as written */
	enum sp_op op;
	struct sp_loc loc;
};

/* What few rules say: moby's conditions, the legacy "name" and Podman's
 * "errno". Kept out of struct sp_rule, which a large profile has by the
 * hundred thousand (sp_rule_extra). */
struct sp_rule_extra {
	struct sp_filter includes;
	struct sp_filter excludes;
	struct sp_str name;       /* legacy "name" as written (already in names) */
	struct sp_str errno_name; /* Podman's "errno" as written (applied to errno_ret) */
	/* errnoRet as Docker reads it, Podman's "errno" ignored: set when
	 * errno_name was applied (sp_rule_docker_ret) */
	bool docker_has_errno;
	uint64_t docker_errno_ret;
};

struct sp_rule {
	size_t index; /* position in syscalls[] */
	struct sp_loc loc;
	struct sp_str *names; /* legacy "name" already folded in (docs/COMPAT.md §1.2) */
	size_t nnames;
	struct sp_str action; /* as written ("" allowed by moby) */
	uint64_t errno_ret;
	struct sp_loc errno_loc;
	struct sp_arg *args;
	size_t nargs;
	struct sp_rule_extra *extra; /* NULL when the rule says none of it */
	enum sp_action act;          /* valid only when action_ok */
	bool action_ok;
	bool has_errno;    /* errnoRet given (or Podman's errno) */
	bool args_present; /* args given as an array, even [] */
};

/* A rule's includes, excludes, legacy name and Podman errno: its own, or
 * all absent (vocab.c). */
extern const struct sp_rule_extra sp_rule_no_extra;
static inline const struct sp_rule_extra *sp_rule_x(const struct sp_rule *rule)
{
	return rule->extra ? rule->extra : &sp_rule_no_extra;
}

struct sp_archmap {
	struct sp_str arch;
	struct sp_str *subs;
	size_t nsubs;
	bool subs_null; /* "subArchitectures": null */
};

enum sp_form {
	SP_FORM_DOCKER,     /* Docker/moby profile (archMap or not) */
	SP_FORM_OCI_CONFIG, /* a whole OCI config.json: its linux.seccomp */
	SP_FORM_SPO, /* a Security Profiles Operator SeccompProfile (YAML or JSON): its spec */
	SP_FORM_LXC  /* an LXC seccomp policy (lxc.seccomp.profile), lxc.c */
};

struct secprof_profile {
	struct sp_arena arena;
	const char *file; /* for messages; "" when none */
	enum sp_form form;
	bool no_seccomp; /* OCI config without linux.seccomp */
	struct sp_str default_action;
	enum sp_action default_act;
	bool default_action_ok;
	bool has_default_errno;
	uint64_t default_errno;
	struct sp_loc default_errno_loc;
	struct sp_str *architectures;
	size_t narchitectures;
	struct sp_str *flags;
	size_t nflags;
	bool flags_present; /* non-empty list given; absent/[] = runc's nil */
	struct sp_str listener_path;
	struct sp_str listener_metadata;
	struct sp_archmap *archmap;
	size_t narchmap;
	struct sp_rule *rules;
	size_t nrules;
	struct sp_loc loc;
	struct sp_loc archmap_loc;
	struct sp_str default_errno_name; /* Podman's "defaultErrno" (applied) */
	/* defaultErrnoRet as Docker reads it, Podman's "defaultErrno" ignored */
	bool docker_has_default_errno;
	uint64_t docker_default_errno;
	/* 0: a rule is skipped as equal to the default where every reading
	 * skips it; one SP_SKIP_* bit: where that reading does (a copy of the
	 * profile built as that reading's runc builds it, ir/ruleset.c) */
	unsigned reading;
};
/* secprof.reading: secprof's own choice, built again to be compared */
#define SP_READING_OWN 8u

/* The filter return value runc asks libseccomp for (runc's getAction,
 * libcontainer/seccomp/seccomp_linux.go): the SECCOMP_RET_* base, and for
 * ERRNO and TRACE the errnoRet data cast to int16 and kept to 16 bits, EPERM
 * when unset; KILL is KILL_THREAD. The one place this value is computed
 * (vocab.c); `secprof check`, the rule set and the compiler all use it. */
/* ERRNO and TRACE take errnoRet; runc ignores it elsewhere, crun fails. */
bool sp_action_takes_errno(enum sp_action act);
uint32_t sp_action_value(enum sp_action act, bool has_errno, uint64_t errno_ret);
uint32_t sp_rule_ret(const struct sp_rule *rule);
uint32_t sp_default_ret(const struct secprof_profile *p);
/* runc skips a rule whose action value equals the default's (its
 * `if call.Action == config.DefaultAction` in InitSeccomp). What runc is
 * given depends on who read the profile: secprof applies Podman's "errno"
 * and "defaultErrno"; every Docker ignores them; Debian 12's docker.io
 * 20.10 also drops defaultErrnoRet, so runc's default errno is EPERM.
 * A bit per reading in which the rule equals the default: */
enum {
	SP_SKIP_APPLIED = 1,  /* as secprof applies the profile */
	SP_SKIP_MOBY = 2,     /* current moby: Podman's keys ignored */
	SP_SKIP_DOCKER20 = 4, /* docker.io 20.10: also defaultErrnoRet dropped */
	SP_SKIP_ALL = 7
};
unsigned sp_rule_default_readings(const struct secprof_profile *p, const struct sp_rule *rule);
/* Left out as equal to the default only where every reading leaves it
 * out: a rule one of them adds is kept, its verdict the default's kind of
 * denial, and refused where a stricter rule shares its calls (ir/ruleset.c
 * check_readings). The one test of it, for check.c's warning and the rule
 * set's drop alike (docs/COMPAT.md §9, 9 and 24). */
bool sp_rule_is_default(const struct secprof_profile *p, const struct sp_rule *rule);

/* The JSON path messages give for a rule or one of its fields:
 * "syscalls[N]", then ".field" if field is set, "[i]" if i is not
 * SP_NO_INDEX, then ".sub" if sub is set ("syscalls[3].args[1].value").
 * The one spelling outside parse.c's decoder, which keeps its own stack of
 * keys. Returns buf. */
#define SP_NO_INDEX ((size_t)-1)
#define SP_RULE_PATH_MAX 64
const char *sp_rule_path(char *buf, size_t len, const struct sp_rule *rule, const char *field,
			 size_t i, const char *sub);

/* Parse bytes into a profile (parse.c); the public secprof_profile_parse. */

/* secprof_profile_parse with the JSON reader's lazy mode chosen: 1 objects
 * in arrays are expanded one at a time while decoded (sp_json_parse_lazy),
 * 0 one whole tree, -1 by the input's size (what secprof_profile_parse
 * does). The result is the same either way (tests/unit/test_memory.c). */
secprof_profile *sp_profile_parse_lazy(secprof_ctx *ctx, const char *data, size_t len,
				       const char *filename, secprof_error *err, int lazy);

/* LXC seccomp policies (lxc.c). Whether `data` is one: a number (the
 * policy version) then, after spaces or line ends, more text; no JSON
 * profile or YAML document is. */
bool sp_lxc_sniff(const char *data, size_t len);
/* Read an LXC policy into p (form SP_FORM_LXC; rules in p's arena), as
 * LXC 5.0.2 with libseccomp 2.5.4 loads it; p->file names it in messages.
 * 0, or an error at file:line:col. The caller validates p as any profile. */
int sp_lxc_read(secprof_ctx *ctx, struct secprof_profile *p, const char *data, size_t len,
		secprof_error *err);
/* The arch an LXC profile is resolved for must be one LXC can run on
 * (not x32 or MIPS n32, which run on x86_64 and mips64 kernels), and,
 * when it is this machine's (given false: no --arch), the host LXC's
 * get_hostarch reads from uname -m here. 0 or an error; 0 for every
 * other form. */
struct sp_arch;
int sp_lxc_host_check(const struct secprof_profile *p, const struct sp_arch *native, bool given,
		      secprof_error *err);

#endif
