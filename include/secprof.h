/* secprof.h - Docker-compatible seccomp profiles: parse, resolve, compile, load.
 *
 * The only public header of libsecprof.
 *
 * Conventions (see docs/ARCHITECTURE.md):
 *  - Fallible functions return 0 (or a pointer) on success and a negative
 *    code (or NULL) on failure, and fill the `secprof_error` passed last.
 *  - The library never prints, never exits and keeps no global mutable state;
 *    warnings go to the callback registered on the context.
 *  - Ownership: every `*_new`/`*_parse`/`*_resolve`/`*_compile` result is owned
 *    by the caller and released with the matching `*_free`.
 */
#ifndef SECPROF_H
#define SECPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SECPROF_BUILDING) && defined(__GNUC__)
#define SECPROF_API __attribute__((visibility("default")))
#else
#define SECPROF_API
#endif

/* ---- errors ----------------------------------------------------------- */

/* Error classes, returned negated. The CLI maps them to exit codes. */
enum secprof_errcode {
	SECPROF_E_PROFILE = 1000, /* the profile is invalid (exit 1) */
	SECPROF_E_USAGE = 1001,   /* a caller option is invalid (exit 2) */
	SECPROF_E_SYSTEM = 1002,  /* the OS refused something (exit 3) */
	SECPROF_E_LIMIT = 1003,   /* a size or depth limit was hit (exit 1) */
	SECPROF_E_INTERNAL = 1004 /* a bug in secprof */
};

/* One error or warning, with where it was found. Fixed buffers: filling an
 * error never allocates. `line`/`column` are 1-based, 0 when unknown;
 * `path` is a JSON path such as "syscalls[3].args[0].op", "" when none. */
typedef struct secprof_error {
	int code;
	unsigned line;
	unsigned column;
	char file[256];
	char path[192];
	char msg[768];
} secprof_error;

/* Format "file:line:col: path: msg" (parts that are unknown are left out)
 * into buf. Returns buf. */
SECPROF_API char *secprof_error_format(const secprof_error *err, char *buf, size_t len);

/* ---- context ---------------------------------------------------------- */

typedef struct secprof_ctx secprof_ctx;

/* Called for every warning; the error struct is only valid during the call. */
typedef void (*secprof_warn_fn)(void *data, const secprof_error *warning);

/* A context keeps, after its first parse or compile, a 256 KB region for
 * the temporaries of the next one (freed by secprof_ctx_free). One context
 * may serve calls on several threads at once: a call that finds the region
 * taken by another uses a region of its own, freed when it returns. */
SECPROF_API secprof_ctx *secprof_ctx_new(void);
SECPROF_API void secprof_ctx_free(secprof_ctx *ctx);
SECPROF_API void secprof_ctx_set_warn(secprof_ctx *ctx, secprof_warn_fn fn, void *data);
/* Strict mode turns what Docker tolerates silently into errors:
 * unknown keys, names unknown on every arch, errnoRet on an action that takes
 * none, rules equal to the default action. */
SECPROF_API void secprof_ctx_set_strict(secprof_ctx *ctx, bool strict);

/* ---- profiles --------------------------------------------------------- */

typedef struct secprof_profile secprof_profile;

/* Largest profile accepted, in bytes. */
#define SECPROF_MAX_PROFILE_SIZE (16u * 1024u * 1024u)

/* Parse a profile from memory: Docker's current or legacy form, Podman's,
 * an OCI linux.seccomp object or a whole OCI config.json. `filename` is used
 * in messages only (may be NULL). Returns NULL and fills err on failure. */
SECPROF_API secprof_profile *secprof_profile_parse(secprof_ctx *ctx, const char *data, size_t len,
						   const char *filename, secprof_error *err);
/* Read a whole input file into *data (malloc'ed, not NUL-terminated): only
 * a regular file, or "-" for standard input, at most `max` bytes. A FIFO,
 * directory or device is refused without waiting on it (-SECPROF_E_PROFILE,
 * "PATH: not a regular file (fifo)"); a larger file with -SECPROF_E_LIMIT
 * ("... larger than the MAX-byte limit for WHAT"); an open or read failure
 * with -SECPROF_E_SYSTEM. Every profile and BPF file secprof reads goes
 * through it. */
SECPROF_API int secprof_read_file(const char *path, size_t max, const char *what, char **data,
				  size_t *len, secprof_error *err);
/* Read (secprof_read_file, "-" is standard input, named "<stdin>") and parse
 * a file of at most SECPROF_MAX_PROFILE_SIZE bytes. */
SECPROF_API secprof_profile *secprof_profile_load_file(secprof_ctx *ctx, const char *path,
						       secprof_error *err);
/* Docker's default profile, built in. */
SECPROF_API secprof_profile *secprof_profile_builtin(secprof_ctx *ctx, secprof_error *err);
/* The JSON text of the built-in profile (static, not owned). */
SECPROF_API const char *secprof_builtin_json(size_t *len);
SECPROF_API void secprof_profile_free(secprof_profile *p);

/* ---- capabilities ----------------------------------------------------- */

/* A capability set as a bit mask over Linux capability numbers. */
typedef uint64_t secprof_caps;

/* Docker's 14 default capabilities. */
SECPROF_API secprof_caps secprof_caps_docker_default(void);
/* Every capability secprof knows (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE). */
SECPROF_API secprof_caps secprof_caps_all(void);
/* Capability number for a name in any case, with or without "CAP_";
 * -1 if unknown. */
SECPROF_API int secprof_cap_from_name(const char *name);
/* "CAP_SYS_ADMIN" for 21; NULL if unknown. */
SECPROF_API const char *secprof_cap_name(int cap);
/* Docker's TweakCapabilities (docs/COMPAT.md §3.4): defaults adjusted by --cap-add /
 * --cap-drop ("ALL" allowed), or `available` when privileged. As Debian 12's
 * Docker, caps above CAP_AUDIT_READ are unknown names and never granted. */
SECPROF_API int secprof_caps_tweak(const char *const *add, size_t nadd, const char *const *drop,
				   size_t ndrop, bool privileged, secprof_caps available,
				   secprof_caps *out, secprof_error *err);

/* ---- architectures and the syscall table ------------------------------ */

/* An architecture secprof knows (a handle into a static table: never freed,
 * valid for the life of the process). */
typedef struct secprof_arch secprof_arch;

/* What the table says about one arch. The strings are static. */
typedef struct secprof_arch_info {
	const char *name; /* libseccomp's name: "x86_64" */
	const char *scmp; /* "SCMP_ARCH_X86_64" */
	const char *go;   /* moby's native string matched by includes.arches
			      ("amd64"); NULL when no GOARCH maps to it */
	uint32_t audit;   /* AUDIT_ARCH_*, seccomp_data.arch */
	uint32_t nr_base; /* added to table numbers: 0x40000000 for x32,
			      4000/5000/6000 for MIPS o32/n64/n32 */
	unsigned bits;    /* 32 or 64: argument width as libseccomp compares */
	bool big_endian;
	bool runc_ok; /* in runc's list of seccomp arches */
} secprof_arch_info;

/* Iterate over every arch, in the table's order; NULL when i >= count. */
SECPROF_API size_t secprof_arch_count(void);
SECPROF_API const secprof_arch *secprof_arch_at(size_t i);
/* The arch this library was built for. */
SECPROF_API const secprof_arch *secprof_arch_native(void);
/* Any spelling of an arch, case ignored: libseccomp's name (x86_64, x32),
 * SCMP_ARCH_*, moby's native string and GOARCH (amd64, 386, arm64,
 * mips64le) and uname -m / Debian names (i686, armv7l, ppc64el). NULL when
 * none matches. */
SECPROF_API const secprof_arch *secprof_arch_lookup(const char *spelling);
/* Every spelling secprof_arch_lookup accepts, each once, for completions
 * and did-you-mean: the first `max` into out (static strings). Returns how
 * many there are, which may be more than max. */
SECPROF_API size_t secprof_arch_spellings(const char **out, size_t max);
/* libseccomp's name of a (the info's name). */
SECPROF_API const char *secprof_arch_name(const secprof_arch *a);
SECPROF_API void secprof_arch_get_info(const secprof_arch *a, secprof_arch_info *out);

/* Number of syscall `name` on `a` (nr_base included); -1 when it has none. */
SECPROF_API int32_t secprof_syscall_nr(const secprof_arch *a, const char *name);
/* Name of number `nr` (nr_base included) on `a`; NULL when none. */
SECPROF_API const char *secprof_syscall_name(const secprof_arch *a, int32_t nr);
/* Whether `name` is a syscall on at least one arch. */
SECPROF_API bool secprof_syscall_known(const char *name);
/* Every syscall name of the table, sorted; NULL when i >= count. */
SECPROF_API size_t secprof_syscall_count(void);
SECPROF_API const char *secprof_syscall_name_at(size_t i);
/* The syscalls of one arch by number: how many, and the k-th smallest
 * number (name in *name when non-NULL); -1 when k >= count. */
SECPROF_API size_t secprof_arch_syscall_count(const secprof_arch *a);
SECPROF_API int32_t secprof_arch_syscall_at(const secprof_arch *a, size_t k, const char **name);

/* ---- resolution ------------------------------------------------------- */

/* What a container is resolved for. Zero-initialise, then set fields. */
typedef struct secprof_resolve_opts {
	const char *arch; /* Go name ("amd64", "arm64", ...); NULL = this machine */
	int kernel_major; /* kernel for minKernel; both 0 = the running kernel */
	int kernel_minor;
	secprof_caps caps; /* the container's bounding set */
} secprof_resolve_opts;

typedef struct secprof_resolved secprof_resolved;

/* Resolve a profile for a container as Docker does (docs/COMPAT.md §2). A profile with
 * no defaultAction and no syscalls resolves to "unconfined". */
SECPROF_API secprof_resolved *secprof_resolve(secprof_ctx *ctx, const secprof_profile *p,
					      const secprof_resolve_opts *opts, secprof_error *err);
SECPROF_API void secprof_resolved_free(secprof_resolved *r);
/* true when the result means "no seccomp at all". */
SECPROF_API bool secprof_resolved_unconfined(const secprof_resolved *r);
/* The Dockers that read a rule of the container otherwise than secprof:
 * a rule whose action equals the default action as one of them reads the
 * profile, so that its runc skips the rule, while secprof keeps it as the
 * stricter (README "Resolving and checking a profile"). A bit per
 * reading, for secprof_compile_opts.docker_reading; 0 when none. */
#define SECPROF_READING_PODMAN 1u   /* Podman's errno and defaultErrno keys applied */
#define SECPROF_READING_MOBY 2u     /* current moby: those keys ignored */
#define SECPROF_READING_DOCKER20 4u /* Debian 12's docker.io 20.10: defaultErrnoRet dropped too */
SECPROF_API unsigned secprof_resolved_readings(const secprof_resolved *r);
/* The resolved OCI linux.seccomp object, in moby's byte-exact field order.
 * *out is malloc'ed and NUL-terminated; the caller frees it. */
SECPROF_API int secprof_resolved_to_oci_json(const secprof_resolved *r, char **out, size_t *len,
					     secprof_error *err);

/* What `--security-opt seccomp=VALUE` means for a container (docs/COMPAT.md §3.3). */
enum secprof_decision {
	SECPROF_DECIDE_UNCONFINED, /* no filter at all */
	SECPROF_DECIDE_BUILTIN,    /* Docker's default profile */
	SECPROF_DECIDE_CUSTOM      /* the profile at path/JSON `seccomp_opt` */
};
/* seccomp_opt: NULL or "" (not set), "unconfined", "builtin" or a profile.
 * Privileged + not set = unconfined; privileged + custom = the custom
 * profile (Docker >= 27); privileged + "builtin" fails as in moby. */
SECPROF_API int secprof_decide(const char *seccomp_opt, bool privileged, enum secprof_decision *out,
			       secprof_error *err);

/* ---- BPF programs ----------------------------------------------------- */

/* A classic BPF instruction, laid out as the kernel's struct sock_filter. */
typedef struct secprof_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
} secprof_insn;

typedef struct secprof_prog {
	size_t len;
	secprof_insn *insns; /* owned by the prog */
	uint32_t flags;      /* SECCOMP_FILTER_FLAG_* the profile asks for */
	bool needs_listener; /* a rule uses NOTIFY */
	/* the target arch's byte order (the resolved native arch): the raw,
	 * base64 and crun exports lay the instructions out in it, since the
	 * kernel of that arch reads them as its struct sock_filter */
	bool big_endian;
} secprof_prog;

typedef struct secprof_compile_opts {
	bool no_enosys; /* crun's behaviour: no ENOSYS stub above the highest known number */
	/* The program libseccomp 2.5.4 (so runc, so Docker) builds: every
	 * argument compared on all 64 bits. Without it (the default), on 64-bit
	 * ABIs an argument the kernel reads as a 32-bit type (socket's family,
	 * dup3's fds...) is decided both on its low word, as the kernel reads
	 * it (0x100000028 is AF_VSOCK to socket(2)), and on all 64 bits, and
	 * the stricter decision wins (README "Arguments the kernel reads as 32
	 * bits"). */
	bool exact_libseccomp;
	/* Names libseccomp 2.5.4 (Debian 12's runc) does not know (mseal,
	 * listmount, lsm_*...) are skipped by default, as that runc skips them:
	 * those syscalls get the default action, or ENOSYS above the highest
	 * number the profile names. With this, they are compiled as the profile
	 * says, as a runc linked with a newer libseccomp does. */
	bool newer_syscalls;
	/* 0: secprof's rule set. One SECPROF_READING_* bit: the rule set that
	 * Docker's runc builds, skipping the rules equal to the default
	 * action as that reading reads them (secprof_resolved_readings), so a
	 * comparison holds for every Docker (secprof diff). */
	unsigned docker_reading;
} secprof_compile_opts;

/* Compile a resolved profile to one BPF filter (docs/COMPAT.md §4.1, §4.3). */
SECPROF_API secprof_prog *secprof_compile(secprof_ctx *ctx, const secprof_resolved *r,
					  const secprof_compile_opts *opts, secprof_error *err);
SECPROF_API void secprof_prog_free(secprof_prog *prog);

/* Check a program as the kernel's seccomp_check_filter and
 * bpf_check_classic do before accepting it. 0, or -SECPROF_E_PROFILE with
 * the first fault. */
SECPROF_API int secprof_bpf_check(const secprof_insn *insns, size_t len, secprof_error *err);
/* A program as text: one instruction a line with the syscall and action it
 * tests (secprof_bpf_listing), or a Graphviz digraph (secprof_bpf_dot).
 * `arch` names syscalls where the program does not say which arch a
 * section is for (NULL: none). *out is malloc'ed, NUL-terminated. */
SECPROF_API int secprof_bpf_listing(const secprof_insn *insns, size_t len, const secprof_arch *arch,
				    char **out, secprof_error *err);
SECPROF_API int secprof_bpf_dot(const secprof_insn *insns, size_t len, const secprof_arch *arch,
				char **out, secprof_error *err);

/* Input of a filter, laid out as the kernel's struct seccomp_data. A
 * program reads it as the kernel of the arch in `arch` stores it: the u64s
 * (instruction_pointer, args) high word first on a big-endian arch (s390x,
 * ppc64, mips...), whatever machine runs secprof_emulate; a token secprof
 * does not know, in this machine's order. */
typedef struct secprof_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
} secprof_data;

/* Run a program on one input in userspace, as the kernel would. Returns the
 * SECCOMP_RET_* value; *steps (may be NULL) gets the instructions executed.
 * A malformed program returns SECCOMP_RET_KILL_PROCESS-like 0 and steps 0. */
SECPROF_API uint32_t secprof_emulate(const secprof_insn *insns, size_t len, const secprof_data *in,
				     unsigned *steps);

/* ---- checking a profile ----------------------------------------------- */

/* Rules and name entries of one action among the resolved rules. */
typedef struct secprof_action_count {
	const char *action; /* "SCMP_ACT_ERRNO", ...; NULL for invalid actions */
	size_t rules;
	size_t names;
} secprof_action_count;

/* What a profile and its resolution contain (secprof_check). Its strings
 * and arrays stay valid until secprof_summary_free, whatever becomes of the
 * profile and the resolution. */
typedef struct secprof_summary {
	/* The profile as written. */
	const char *default_action; /* NULL when absent */
	bool has_default_errno;
	uint64_t default_errno;
	const char *arch_source; /* "archMap", "architectures" or "none" */
	const char **arches;     /* archMap keys or the legacy list ("" if not a string) */
	size_t narches;
	size_t rules; /* syscalls[] entries */
	size_t names; /* name entries over all rules */
	size_t distinct_names;
	size_t rules_with_args;
	size_t cap_rules;    /* includes/excludes.caps */
	size_t arch_rules;   /* includes/excludes.arches */
	size_t kernel_rules; /* includes/excludes.minKernel */
	/* The resolution. */
	const char *arch; /* resolved for: moby's native string, else libseccomp's name */
	bool kernel_set;  /* a kernel was given or a minKernel evaluated */
	int kernel_major, kernel_minor;
	unsigned ncaps; /* capabilities in the bounding set */
	bool unconfined;
	const char **architectures; /* the OCI architectures (SCMP_ARCH_*) */
	size_t narchitectures;
	size_t res_rules; /* the OCI rules */
	size_t res_names;
	size_t res_distinct_names;
	const secprof_action_count *actions; /* actions with rules, in a fixed order */
	size_t nactions;
	secprof_action_count bad_actions; /* action strings runc rejects */
	size_t warnings;                  /* warnings secprof_check reported */
} secprof_summary;

/* Check a profile as `docker run` would take it, and summarise it: warn
 * through the context's callback about what Docker accepts but does
 * nothing useful (strict mode: the first is an error) -- names unknown on
 * every arch, errnoRet on an action that takes none, rules equal to the
 * default action, argument values a 32-bit argument never sees -- then
 * build the filter runc would build (so check refuses what compile and
 * run refuse, including NOTIFY rules without a listenerPath, as runc's
 * procSeccomp does), then count. `r` is `p` resolved. NULL and err on
 * failure. */
SECPROF_API secprof_summary *secprof_check(secprof_ctx *ctx, const secprof_profile *p,
					   const secprof_resolved *r, secprof_error *err);
SECPROF_API void secprof_summary_free(secprof_summary *s);

/* ---- the rule set (IR) ------------------------------------------------ */

/* The resolved rule set the compiler emits, with where each decision came
 * from and why every rule left out of the program is not in it
 * (docs/IR.md). Everything secprof explains is read from here. */

/* Why a rule (or one name of it, on one arch; or one condition of it) is not
 * in the program. Stable: the string names are part of `secprof ir --json`.
 * X(ID, name) */
#define SECPROF_REASONS(X)                                                                       \
	X(CAP_NOT_HELD, "cap-not-held")             /* includes.caps: one not held */            \
	X(CAP_EXCLUDED, "cap-excluded")             /* excludes.caps: one held */                \
	X(ARCH_NOT_INCLUDED, "arch-not-included")   /* includes.arches lacks it */               \
	X(ARCH_EXCLUDED, "arch-excluded")           /* excludes.arches has it */                 \
	X(MIN_KERNEL_NOT_MET, "min-kernel-not-met") /* includes.minKernel */                     \
	X(KERNEL_EXCLUDED, "kernel-excluded")       /* excludes.minKernel is met */              \
	X(UNKNOWN_NAME, "unknown-name")             /* no such syscall on the arch */            \
	X(EQUALS_DEFAULT, "equals-default")         /* runc skips the rule */                    \
	X(SHADOWED, "shadowed")                     /* an earlier unconditional rule decides */  \
	X(REPLACED, "replaced")                     /* a later unconditional rule replaced it */ \
	X(REDUNDANT, "redundant")                   /* same chain as, or pruned by, another */   \
	X(CONDITION_DROPPED, "condition-dropped")   /* MASKED_EQ with a zero mask */             \
	X(BEYOND_ENOSYS, "beyond-enosys")           /* runc's stub answers first */              \
	X(NEWER_THAN_LIBSECCOMP, "newer-than-libseccomp") /* 2.5.4 skips the name */             \
	X(NO_NAMES, "no-names")                           /* names empty: no syscall named */

enum secprof_reason {
#define SECPROF_X_(id, name) SECPROF_REASON_##id,
	SECPROF_REASONS(SECPROF_X_)
#undef SECPROF_X_
		SECPROF_REASON__COUNT
};

/* "cap-not-held" for SECPROF_REASON_CAP_NOT_HELD; NULL if out of range. */
SECPROF_API const char *secprof_reason_name(enum secprof_reason reason);
/* "ALLOW", "ERRNO(1)", "KILL_THREAD", "TRACE(7)", ... for a SECCOMP_RET_*
 * value, written into buf. Returns buf. */
SECPROF_API const char *secprof_action_str(uint32_t ret, char *buf, size_t len);

/* A rule of the profile: syscalls[index], at line:column of its object
 * (both 0 when unknown, as for rules built in memory). */
typedef struct secprof_ir_src {
	size_t index;
	unsigned line;
	unsigned column;
} secprof_ir_src;

/* One argument comparison as the program makes it: on 32-bit ABIs the
 * values are already cut to 32 bits; `lo_only`: the kernel reads the
 * argument as 32 bits, so only its low word is compared (README). */
typedef struct secprof_ir_cond {
	unsigned arg;
	const char *op; /* "SCMP_CMP_EQ", ... */
	uint64_t value;
	uint64_t value_two; /* MASKED_EQ: already & value, else 0 */
	bool lo_only;
} secprof_ir_cond;

/* A conditional rule: all conditions AND-ed. */
typedef struct secprof_ir_chain {
	uint32_t action; /* SECCOMP_RET_* */
	const secprof_ir_cond *conds;
	size_t nconds;
	secprof_ir_src src;
	/* "socketcall"/"ipc" when this is libseccomp's copy of a socket or
	 * SysV IPC rule for the multiplexer (arg0 == the call), else NULL */
	const char *via;
} secprof_ir_chain;

/* What one syscall number decides on one arch. */
typedef struct secprof_ir_syscall {
	int32_t nr; /* with the arch's number base (x32: | 0x40000000) */
	const char *name;
	bool conditional;
	uint32_t action;    /* !conditional: the action */
	secprof_ir_src src; /* !conditional: the deciding rule; else the first */
	/* conditional: the chains in the order libseccomp's program tries
	 * them; no chain matching gives the default action */
	const secprof_ir_chain *chains;
	size_t nchains;
	/* the chains have two or more actions: libseccomp's word tree decides
	 * which wins (docs/IR.md); the chains are its rules */
	bool word_tree;
	/* Where the chains compare arguments the kernel reads as 32 bits on
	 * their low word (lo_only) and that alone could allow what
	 * libseccomp's 64-bit compares deny: the same rules with 64-bit
	 * compares (nr and name as here). A call gets the stricter of the two
	 * decisions (the kernel's order of actions; a tie goes to this one),
	 * so it is never allowed where Docker's filter denies it (README
	 * "Arguments the kernel reads as 32 bits"). NULL otherwise. */
	const struct secprof_ir_syscall *wide;
	/* on a `wide`: it is runc's program as libseccomp 2.5.4 generates it,
	 * which compares a word another test left in the accumulator, run
	 * against the same chains (README "libseccomp 2.5.4's code-generation
	 * bugs"): the stricter of that and the chains decides there */
	bool stale_accumulator;
	/* on a `wide`: the same, runc's program run, where it differs from the
	 * chains because libseccomp's tree merges them otherwise than they
	 * read (one rule's tests reached from another's, or a part of a rule
	 * lost; docs/COMPAT.md §4.4) */
	bool tree_merge;
} secprof_ir_syscall;

typedef struct secprof_ir_arch {
	const char *name;                   /* libseccomp's: "x86_64", "x32", "x86" */
	uint32_t audit;                     /* AUDIT_ARCH_* */
	int64_t enosys_max;                 /* numbers above get runc's ENOSYS stub; -1: no stub */
	const secprof_ir_syscall *syscalls; /* sorted by nr */
	size_t nsyscalls;
	/* the native arch, which the profile's `architectures` leave out:
	 * runc 1.1.5 gives it no ENOSYS stub section, so above enosys_max a
	 * rule that kills or traps still decides there (a syscall listed
	 * above enosys_max; docs/COMPAT.md §4.1.3) */
	bool unlisted;
} secprof_ir_arch;

/* A rule, a (rule, name, arch), or one condition of a rule, that is not in
 * the program as written, and why. */
typedef struct secprof_ir_drop {
	enum secprof_reason reason;
	secprof_ir_src rule;
	const char *name; /* the syscall name; NULL: the whole rule */
	const char *arch; /* libseccomp arch name; NULL: on every arch */
	const char *via;  /* "socketcall"/"ipc": libseccomp's copy of the rule */
	bool has_by;      /* shadowed/replaced/redundant: the rule that decides */
	secprof_ir_src by;
	int cond;        /* condition-dropped: the index in args[]; else -1 */
	char detail[32]; /* the capability, arch or kernel that decided; "" */
} secprof_ir_drop;

typedef struct secprof_ir secprof_ir;

/* Build the rule set for a resolved profile, as secprof_compile does (the
 * same options, the same refusals and error codes). The IR borrows from `r`
 * and its profile: both must outlive it. NULL and err on failure. */
SECPROF_API secprof_ir *secprof_ir_build(secprof_ctx *ctx, const secprof_resolved *r,
					 const secprof_compile_opts *opts, secprof_error *err);
SECPROF_API void secprof_ir_free(secprof_ir *ir);
/* The default action (SECCOMP_RET_*). */
SECPROF_API uint32_t secprof_ir_default_action(const secprof_ir *ir);
/* The file the profile was read from, as given to the parser: the file of
 * every secprof_ir_src line:column; "" when none (borrowed). */
SECPROF_API const char *secprof_ir_file(const secprof_ir *ir);
/* The arches of the filter, native first; NULL when i >= count. */
SECPROF_API size_t secprof_ir_arch_count(const secprof_ir *ir);
SECPROF_API const secprof_ir_arch *secprof_ir_arch_at(const secprof_ir *ir, size_t i);
/* Everything left out, in a stable order: resolution first (profile
 * order), then per arch of the filter. Owned by the IR. */
SECPROF_API const secprof_ir_drop *secprof_ir_drops(const secprof_ir *ir, size_t *count);

/* What decided one call. */
enum secprof_decided_by {
	SECPROF_BY_RULE,    /* a rule: `rule`, and `chain` when conditional */
	SECPROF_BY_DEFAULT, /* no rule for the number, or no chain matched */
	SECPROF_BY_ENOSYS,  /* runc's ENOSYS stub: above the arch's known numbers */
	SECPROF_BY_ARCH     /* not an arch (or number range) of the filter: killed */
};

typedef struct secprof_ir_decision {
	uint32_t action;
	enum secprof_decided_by by;
	const secprof_ir_arch *arch;       /* NULL when by ARCH */
	const secprof_ir_syscall *syscall; /* the number's entry, NULL if none */
	const secprof_ir_chain *chain;     /* the chain that decided, or NULL */
	secprof_ir_src rule;               /* by RULE */
	/* syscall->wide decided (its verdict was the stricter): chain is one
	 * of syscall->wide's chains, and `failed` describes those */
	bool wide;
} secprof_ir_decision;

/* Decide one call from the rule set, walking the same structures the
 * compiler emits (the action always equals secprof_emulate of the
 * compiled program). When `failed` is non-NULL and the number has chains,
 * failed[i] (for i < nfailed and < the deciding side's nchains: syscall's,
 * or syscall->wide's when `wide`) gets, for chain i,
 * the index in its conds of the first condition that does not hold, or -1
 * when all hold. Returns 0; -SECPROF_E_USAGE for NULL arguments. */
SECPROF_API int secprof_ir_decide(const secprof_ir *ir, const secprof_data *in,
				  secprof_ir_decision *out, int *failed, size_t nfailed);

/* ---- explaining one decision ------------------------------------------- */

/* secprof_explain flags. */
#define SECPROF_EXPLAIN_JSON 1u /* one JSON object instead of text */

/* Why the filter built from `p` (resolved with `ro`, compiled with `co`)
 * decides what it does for one call `in` on ABI `abi` (NULL: from
 * in->arch): the action, the deciding rule or the default action / runc's
 * ENOSYS stub / a foreign arch, per conditional rule the first failed
 * condition, the rules for the syscall left out and why, and what would
 * make it ALLOW, each computed by resolving and deciding again: a
 * capability to add, a kernel, an arch, the argument values allowed, or a
 * rule to add to the profile. *out is malloc'ed, NUL-terminated; the
 * caller frees it. 0, or a negative SECPROF_E_* with err. */
SECPROF_API int secprof_explain(secprof_ctx *ctx, const secprof_profile *p,
				const secprof_resolve_opts *ro, const secprof_compile_opts *co,
				const secprof_arch *abi, const secprof_data *in, unsigned flags,
				char **out, secprof_error *err);
/* One line, in secprof's words, on why Docker's default profile denies
 * `syscall` (data/reasons.tsv); NULL when it does not deny it by default. */
SECPROF_API const char *secprof_deny_reason(const char *syscall);

/* Install a program in the calling thread with seccomp(2) and its flags.
 * Sets no_new_privs when the caller lacks CAP_SYS_ADMIN. Returns the listener
 * fd (>= 0) when the program needs one, 0 otherwise, negative on error. */
SECPROF_API int secprof_load(const secprof_prog *prog, secprof_error *err);

/* ---- running a command under a filter --------------------------------- */

/* docker run's own exit statuses (docker run reference, "Exit status"). */
enum {
	SECPROF_EXIT_ERROR = 125,       /* secprof (the daemon) failed */
	SECPROF_EXIT_CANNOT_EXEC = 126, /* the command cannot be invoked */
	SECPROF_EXIT_NOT_FOUND = 127    /* the command cannot be found */
};

enum secprof_net { SECPROF_NET_NONE, SECPROF_NET_HOST };
/* Which cgroup enforces a container's device policy (AUTO: v1 when its
 * devices controller is mounted, else a cgroup2 BPF program). */
enum secprof_devcg { SECPROF_DEVCG_AUTO, SECPROF_DEVCG_V1, SECPROF_DEVCG_V2 };

/* The most fds --preserve-fds may pass. */
#define SECPROF_PRESERVE_FDS_MAX 65536u

/* How to run a command. Zero-initialise, then set fields. */
typedef struct secprof_run_opts {
	const secprof_prog *prog; /* NULL: unconfined */
	secprof_caps caps;        /* bounding = effective = permitted */
	bool no_new_privs;        /* --security-opt no-new-privileges */
	/* --user name|uid[:group|gid], looked up as Docker does (groups: the
	 * gid, then the groups listing the user when no group is named); NULL:
	 * a container runs as uid 0 of its own /etc/passwd with root's groups
	 * there, a process keeps the caller's ids and groups. */
	const char *user;
	const char *workdir; /* NULL: stay (process) or "/" (container) */
	char *const *argv;   /* argv[0] is looked up in the env's PATH */
	char *const *envp;   /* the command's whole environment */
	/* fds 3 .. 3+preserve_fds-1 reach the command (runc --preserve-fds),
	 * those of them open when secprof_run was called (at most
	 * SECPROF_PRESERVE_FDS_MAX); every other fd above 2 is closed first
	 * (CVE-2024-21626). */
	unsigned preserve_fds;
	/* Container mode when rootfs is set: new namespaces and a root built
	 * from rootfs as runc builds a container's. */
	const char *rootfs;
	const char *hostname; /* NULL: "secprof" */
	bool read_only;
	bool privileged; /* no masked /proc paths, /sys writable, all devices */
	enum secprof_net net;
	enum secprof_devcg devcg;
} secprof_run_opts;

/* The filter `docker run --security-opt seccomp=SECCOMP_OPT` gives a
 * container with bounding set `caps` (secprof_decide, then Docker's
 * default or the profile at that path, resolved for this machine and
 * compiled). *prog is NULL when the container is unconfined. A profile
 * that cannot be opened fails with docker/cli's "opening seccomp profile
 * (PATH) failed: ..." (-SECPROF_E_SYSTEM). A caller with no listener to
 * serve must refuse a program with needs_listener, as runc's procSeccomp
 * does ("seccomp listenerPath is not set"). */
SECPROF_API int secprof_run_filter(secprof_ctx *ctx, const char *seccomp_opt, bool privileged,
				   secprof_caps caps, const secprof_compile_opts *copts,
				   secprof_prog **prog, secprof_error *err);

/* Run o->argv as runc would start a container process and wait for it.
 * Returns docker run's exit status: the command's, 128+N when it was
 * killed by signal N, or SECPROF_EXIT_* when it could not be started; in
 * that case err->code is non-zero. The command never runs when the filter
 * could not be loaded. The calling process forks; only children exit.
 * SIGCHLD must not be ignored while secprof waits for its children: when
 * the caller ignores it (or sets SA_NOCLDWAIT), it is set to the default
 * for the run and put back after, for the whole process; so a process
 * that ignores SIGCHLD makes its runs one at a time. The same holds for
 * the secprof_container_run and secprof_record functions.
 * The calling thread keeps blocked during the run, and passes on to the
 * command, every signal the docker client passes on, real-time ones
 * included: all but SIGCHLD, SIGPIPE, SIGURG, SIGTSTP, SIGTTIN, SIGTTOU,
 * SIGCONT, the fault signals (SEGV, BUS, FPE, ILL, TRAP, SYS), SIGABRT,
 * SIGXCPU, SIGXFSZ and the C library's own. So a process-directed signal
 * the caller meant for itself (a POSIX timer's, SIGIO, SIGPROF) goes to
 * the command if this thread takes it; in a process with other threads,
 * only the signals that reach this thread (those the others block) are
 * passed on. The command's end is seen on a
 * pidfd (Linux 5.3), so another thread taking SIGCHLD does not hold the
 * run up (before 5.3, it is checked for every 100 ms). A thread that
 * reaps any child (waitpid(-1)) may take the command's status: the run
 * then returns SECPROF_EXIT_ERROR with an error that says so.
 * The command gets this process's fds 0-2 as they are, as runc run's
 * pass-through gives them: a terminal among them is the command's too
 * (TIOCSTI types into it); secprof_container_run relays them instead.
 * With a root filesystem, the container's init is made with clone(2)
 * itself (its namespaces need the flags); in a process with other
 * threads, from a fork() of the caller, which makes malloc and stdio
 * usable in the copy: so the caller's pthread_atfork handlers run (the
 * prepare ones in the calling thread: do not call it holding a lock they
 * take), that fork costs what any fork of the process costs, and a
 * thread reaping any child may see that copy, which only makes init and
 * exits with status 0.
 * No AppArmor profile is applied, as runc applies none when its config
 * names none: on a host that runs AppArmor, docker run would confine a
 * container with docker-default, and secprof_container_run refuses such a
 * container (secprof_container_ext.apparmor); a caller of secprof_run
 * with a rootfs takes that decision itself. */
SECPROF_API int secprof_run(const secprof_run_opts *o, secprof_error *err);

/* What `docker run` is given, for secprof_container_run: the daemon's and
 * runc's side of docker run (docs/COMPAT.md §3). Zero-initialise, then set
 * fields; the strings are borrowed for the call. */
typedef struct secprof_container_opts {
	const char *seccomp;        /* --security-opt seccomp=: NULL (not set),
				     "unconfined", "builtin" or a profile's path */
	bool no_new_privs;          /* --security-opt no-new-privileges */
	const char *const *cap_add; /* --cap-add, any case, "CAP_" optional, "ALL" */
	size_t ncap_add;
	const char *const *cap_drop;
	size_t ncap_drop;
	bool privileged;
	const char *user;    /* --user; NULL = root (see secprof_run_opts), "" is refused */
	const char *workdir; /* absolute; NULL: stay (process) or "/" (container) */
	/* -e KEY=VALUE, or KEY: this process's value, left out when unset.
	 * The environment is Docker's: PATH (unless given), HOSTNAME, then these. */
	const char *const *env;
	size_t nenv;
	char *const *argv;     /* the command; argv[0] looked up in PATH */
	unsigned preserve_fds; /* runc --preserve-fds, as secprof_run_opts' */
	/* Container mode (new namespaces on rootfs); the options below need it. */
	const char *rootfs;
	const char *hostname; /* NULL: "secprof" */
	bool read_only;
	const char *network;       /* NULL, "none" or "host" (HostConfig.NetworkMode) */
	const char *device_cgroup; /* NULL, "auto", "v1" or "v2" */
	bool exact_libseccomp;     /* the filter exactly as runc builds it */
	bool newer_syscalls;       /* secprof_compile_opts.newer_syscalls */
	/* A directory of compiled programs reused across runs (README "The
	 * filter cache"): created 0700 when missing, ignored (a warning
	 * through the context's callback, path "filter-cache") unless owned
	 * by the effective uid and writable by it alone. NULL: no cache. */
	const char *filter_cache;
} secprof_container_opts;

/* Run a command as `docker run` with these options would: the options
 * checked as moby checks them (unknown capabilities as "invalid CapAdd:
 * unknown capability: \"CAP_X\""), the capabilities of a privileged
 * container being those this process holds (the daemon's), the filter of
 * secprof_run_filter, Docker's environment, then secprof_run. Returns
 * docker run's exit status: the command's, or SECPROF_EXIT_* with err set
 * when the command could not be started. The command never runs without
 * the filter it asked for. As docker run, with or without a root
 * filesystem, the command's stdout and stderr are pipes copied to this
 * process's fds 1 and 2, its stdin /dev/null, and it leads a session of
 * its own (never the caller's terminal; secprof_run instead passes fds 0-2
 * on as runc's pass-through does): keep fds 0-2 open
 * (on /dev/null if need be) while files are opened, or one of them may
 * take the number and receive the output (the CLI does, in main). */
SECPROF_API int secprof_container_run(secprof_ctx *ctx, const secprof_container_opts *o,
				      secprof_error *err);

/* ---- looking at a sandbox from the inside ----------------------------- */

/* One probed system call. */
typedef struct secprof_probe_result {
	const char *name;  /* "mount", "socket(AF_ALG)", ... (static) */
	int err;           /* the errno it failed with; 0 = succeeded; < 0 unknown */
	int signal;        /* the signal that killed the probe, 0 if none */
	const char *group; /* "special" (Docker's default names it) or "common" */
} secprof_probe_result;

typedef struct secprof_probe_report {
	secprof_probe_result *results; /* sorted by name */
	size_t nresults;
	int seccomp_mode;    /* Seccomp: of /proc/self/status, -1 unknown */
	int seccomp_filters; /* Seccomp_filters:, -1 unknown (< 5.9) */
	int no_new_privs;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	unsigned uid, gid;
} secprof_probe_report;

/* Try every probe, each in a child (the filter may kill it), and fill r;
 * free it with secprof_probe_report_free. 0, or negative with err. */
SECPROF_API int secprof_probe(secprof_probe_report *r, secprof_error *err);
SECPROF_API void secprof_probe_report_free(secprof_probe_report *r);

/* What this kernel offers for seccomp, and this process's seccomp state. */
typedef struct secprof_info {
	char config_seccomp[16]; /* "y", "n", "unknown" */
	char config_seccomp_filter[16];
	char config_source[256]; /* "/proc/config.gz", ... or "" */
	char kernel[128];        /* uname release */
	char machine[72];
	int seccomp_mode;
	int seccomp_filters;
	char actions_avail[256]; /* /proc/sys/kernel/seccomp/actions_avail */
	uint32_t flags_ok;       /* SECCOMP_FILTER_FLAG_* the kernel takes */
	uint32_t flags_tried;
	bool action_cache; /* kernel >= 5.11 */
	bool notif_sizes_ok;
	unsigned notif_size, resp_size, data_size;
	const char *native_arch; /* libseccomp name of this build */
	const char *compat_arches[4];
	size_t ncompat;
} secprof_info;

SECPROF_API int secprof_info_collect(secprof_info *info, secprof_error *err);

/* ---- lint, diff, merge (analyze) -------------------------------------- */

/* How bad a lint finding is. */
enum secprof_severity {
	SECPROF_SEV_NOTE = 0,    /* worth knowing; nothing is wrong as such */
	SECPROF_SEV_WARNING = 1, /* likely a mistake, or a risk the profile takes */
	SECPROF_SEV_ERROR = 2    /* the profile does not do what it says, or lets out more */
};

/* "note", "warning", "error"; NULL when out of range. */
SECPROF_API const char *secprof_severity_name(enum secprof_severity s);
/* The severity of a name ("note", "info", "warning", "error"); -1 if none. */
SECPROF_API int secprof_severity_from_name(const char *name);

/* One finding of secprof_lint. Strings are owned by the report. */
typedef struct secprof_finding {
	const char *id;   /* stable: "SP101" */
	const char *name; /* stable: "arg-high-word" */
	enum secprof_severity severity;
	const char *path;      /* JSON path: "syscalls[12].args[0]", "" for the whole profile */
	unsigned line, column; /* of that value in the file; 0 when unknown */
	const char *message;   /* one sentence */
	const char *example;   /* a call that shows it ("socket(0x100000028, 1, 0)"), or NULL */
} secprof_finding;

typedef struct secprof_lint_report secprof_lint_report;

/* Audit profile p resolved with ro (and its rule set built with co) for
 * real mistakes: every finding read from the rule set and checked by its
 * decisions (secprof_ir_decide), in a stable order. NULL and err on
 * failure (a profile secprof_compile refuses fails the same way). */
SECPROF_API secprof_lint_report *secprof_lint(secprof_ctx *ctx, const secprof_profile *p,
					      const secprof_resolve_opts *ro,
					      const secprof_compile_opts *co, secprof_error *err);
SECPROF_API size_t secprof_lint_count(const secprof_lint_report *r);
SECPROF_API const secprof_finding *secprof_lint_at(const secprof_lint_report *r, size_t i);
SECPROF_API void secprof_lint_report_free(secprof_lint_report *r);

/* Output forms of secprof_lint_format. */
enum secprof_lint_format { SECPROF_LINT_TEXT, SECPROF_LINT_JSON, SECPROF_LINT_SARIF };
/* The findings of at least severity min as text (one per line,
 * "file:line:col: severity ID path: message"), a JSON array, or a SARIF
 * 2.1.0 log; file names the profile. *out malloc'ed, NUL-terminated. */
SECPROF_API int secprof_lint_format(const secprof_lint_report *r, const char *file,
				    enum secprof_lint_format fmt, enum secprof_severity min,
				    char **out, secprof_error *err);

/* One side of a diff or one input of a merge: a program, and optionally the
 * rule set it was compiled from (names the rule behind each decision). */
typedef struct secprof_side {
	const secprof_insn *insns;
	size_t len;
	const secprof_ir *ir; /* NULL for a raw BPF program */
	const char *label;    /* file name for messages */
} secprof_side;

/* The values x of one 32-bit word of struct seccomp_data in [lo, hi] with
 * (x & mask) == pat. */
typedef struct secprof_word_region {
	uint32_t lo, hi, mask, pat;
} secprof_word_region;

/* Where two programs decide differently: a region of inputs (per word of
 * struct seccomp_data: word 0 nr, 1 arch, 2-3 instruction pointer, then
 * each argument's two halves in memory order) and an example call in it. */
typedef struct secprof_diff_entry {
	const char *arch; /* libseccomp's name; NULL: an arch neither filter has */
	uint32_t audit;
	uint32_t nr_lo, nr_hi; /* the syscall numbers (several when merged) */
	const char *syscall;   /* nr_lo's name on arch, or NULL */
	secprof_word_region words[16];
	secprof_data example;
	uint32_t a, b;           /* what each side returns on the whole region */
	char region[192];        /* "arg0==38", "arg0 high word 1-0xffffffff", "" */
	char a_by[64], b_by[64]; /* "syscalls[3] (12:5)", "default", "enosys", "arch", "" */
	bool runc; /* found by secprof_diff_fold: runc's programs differ so here, secprof's not */
} secprof_diff_entry;

enum secprof_diff_verdict {
	SECPROF_DIFF_IDENTICAL,
	SECPROF_DIFF_A_STRICTER, /* wherever they differ, A's action takes precedence in the kernel */
	SECPROF_DIFF_B_STRICTER,
	SECPROF_DIFF_NEITHER
};

typedef struct secprof_diff secprof_diff;

/* Compare two programs by decision over every input: the input space is
 * cut into regions by the constants the programs compare each word with,
 * and both are run (secprof_emulate) on one input per region, so every
 * difference is found and each has an example. NULL and err on failure
 * (-SECPROF_E_LIMIT: a program that computes on the input before
 * comparing it, or too many regions). */
SECPROF_API secprof_diff *secprof_diff_compute(const secprof_side *a, const secprof_side *b,
					       secprof_error *err);
SECPROF_API void secprof_diff_free(secprof_diff *d);
SECPROF_API size_t secprof_diff_count(const secprof_diff *d);
SECPROF_API const secprof_diff_entry *secprof_diff_at(const secprof_diff *d, size_t i);
SECPROF_API enum secprof_diff_verdict secprof_diff_verdict_of(const secprof_diff *d);
/* true when A lets no call run that B may stop: where they differ, A
 * never returns ALLOW or LOG, nor TRACE or USER_NOTIF (a tracer or the
 * supervisor can let the call run), unless B returns ALLOW or LOG there. */
SECPROF_API bool secprof_diff_subset(const secprof_diff *d);
/* How many regions were compared. */
SECPROF_API size_t secprof_diff_regions(const secprof_diff *d);
/* Fold into d the comparison of the same two profiles as runc builds their
 * programs (secprof_compile_opts.exact_libseccomp: every argument compared
 * on all 64 bits, where d's programs also read 32-bit arguments as the
 * kernel does): its differences that d's programs do not make on the same
 * example call are added (entry.runc), and the verdict and subset then hold
 * for both pairs, so "identical" or a subset is true of Docker's filters
 * too. d's sides must still be valid. 0, or -SECPROF_E_SYSTEM. */
SECPROF_API int secprof_diff_fold(secprof_diff *d, const secprof_diff *runc, secprof_error *err);
/* "identical", "A stricter", "B stricter", "neither". */
SECPROF_API const char *secprof_diff_verdict_name(enum secprof_diff_verdict v);

#define SECPROF_DIFF_JSON 1u   /* one JSON object */
#define SECPROF_DIFF_SUBSET 2u /* only the regions A allows and B does not */
/* The differences as text lines ("x86_64 socket arg0==38: ALLOW → ERRNO(1)
 * e.g. socket(38)") and a verdict line, or as JSON. */
SECPROF_API int secprof_diff_format(const secprof_diff *d, unsigned flags, char **out,
				    secprof_error *err);

enum secprof_merge_mode {
	SECPROF_MERGE_UNION,    /* allows what any input allows */
	SECPROF_MERGE_INTERSECT /* allows what every input allows */
};
enum secprof_merge_format {
	SECPROF_MERGE_DOCKER, /* a Docker seccomp profile */
	SECPROF_MERGE_SPO     /* the Docker form exported as SECPROF_EXPORT_SPO (YAML) */
};

/* Combine programs by decision (up to 7 inputs, each with its rule set, all
 * resolved for the same arch): on every input, union takes the action of
 * least precedence among the inputs' (an ALLOW if any allows), intersect
 * the one of most precedence, as the kernel does for stacked filters
 * (kernel/seccomp.c seccomp_run_filters). The result is a Docker profile
 * without includes/excludes; before returning it is compiled and compared
 * by decision with the combination (secprof_diff_compute's regions), and
 * refused (-SECPROF_E_LIMIT, with the first region) if it differs anywhere,
 * as when the inputs decide one name differently on two arches, or if
 * libseccomp 2.5.4 would build a name's rules otherwise than they read
 * (secprof_ir_syscall.stale_accumulator, tree_merge), or if, built as a
 * Docker that reads it otherwise builds it (secprof_resolved_readings,
 * secprof_compile_opts.docker_reading), it is looser anywhere than the
 * combination. The SPO form is the Docker form given to secprof_export
 * (SECPROF_EXPORT_SPO, metadata.name "merged"): its warnings go to ctx,
 * and it is refused as that export refuses. *out is malloc'ed,
 * NUL-terminated. */
SECPROF_API int secprof_merge(secprof_ctx *ctx, const secprof_side *in, size_t n,
			      enum secprof_merge_mode mode, enum secprof_merge_format fmt,
			      const secprof_compile_opts *co, char **out, secprof_error *err);
/* ---- JSON output (one writer) ------------------------------------------ */

/* The JSON texts secprof's commands print, written by the library's one
 * JSON writer so every string is escaped the same way: as Go's
 * encoding/json does (", \, \n, \r, \t; other control characters as
 * \u00XX; <, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029 as
 * \u2028, \u2029; each byte that is not part of valid UTF-8 as \ufffd), so
 * the text is valid UTF-8 JSON whatever bytes a string held. Each function
 * sets *out to one JSON object followed by a newline (malloc'ed, freed by
 * the caller) and returns 0; or NULL in *out and -SECPROF_E_USAGE (a NULL
 * argument) or -SECPROF_E_SYSTEM (out of memory) with err. */

/* `secprof ir --json` (docs/IR.md): "file", "defaultAction", "arches"
 * (each with its "syscalls"), "dropped"; one arch, syscall or left-out
 * entry per line. */
SECPROF_API int secprof_ir_json(const secprof_ir *ir, char **out, secprof_error *err);
/* `secprof check --json` of a valid profile: its summary (secprof_check)
 * and the warnings reported while checking it (the messages as
 * secprof_error_format writes them; `warnings` may be NULL when
 * nwarnings is 0). */
SECPROF_API int secprof_summary_json(const secprof_summary *s, const char *const *warnings,
				     size_t nwarnings, char **out, secprof_error *err);
/* `secprof check --json` of an invalid profile: {"valid": false, "error":
 * the message of e as secprof_error_format writes it, "warnings": [...]}. */
SECPROF_API int secprof_check_error_json(const secprof_error *e, const char *const *warnings,
					 size_t nwarnings, char **out, secprof_error *err);
/* `secprof eval --json`: the action `ret` as secprof_action_str spells it,
 * ret, the instructions executed, the arch, the number and the syscall as
 * the caller named it (NULL: null). */
SECPROF_API int secprof_eval_json(uint32_t ret, unsigned steps, const secprof_arch *arch,
				  int32_t nr, const char *syscall, char **out, secprof_error *err);
/* `secprof info --json`. */
SECPROF_API int secprof_info_json(const secprof_info *in, char **out, secprof_error *err);
/* `secprof probe --json`: sorted keys, no run-dependent values. */
SECPROF_API int secprof_probe_json(const secprof_probe_report *r, char **out, secprof_error *err);
/* What one probe gave, as `secprof probe` prints it: "ok", the errno's
 * name ("EPERM"), "SIG" and the signal's ("SIGSYS"), or "unknown";
 * written into buf. Returns buf. */
SECPROF_API const char *secprof_probe_outcome(const secprof_probe_result *p, char *buf, size_t len);
/* ---- live inspection: the filters of a running process, run --explain --- */

/* The seccomp filters installed in task `pid` (a thread id; filters are per
 * thread), read with ptrace(PTRACE_SECCOMP_GET_FILTER) while the task is
 * held in a ptrace-stop for the duration of the call. (*filters)[0] is the
 * oldest filter (the first installed) and the last one the newest, as the
 * kernel numbers them (kernel/seccomp.c get_nth_filter); the kernel runs
 * every one on each call and takes the action of highest precedence.
 * Each program's instructions are the kernel's own copy of what was loaded,
 * in the layout secprof_compile gives (flags and needs_listener are not
 * known and are 0). A task without filters gives *count 0. Needs
 * CAP_SYS_ADMIN, ptrace rights over the task, and a caller not itself under
 * seccomp. The ptrace calls are made by a child process of the caller; a
 * task that does not reach the stop within 5 s (a vfork parent waiting for
 * its child, an uninterruptible sleep) fails the call and is left as it
 * was. 0, or negative with err. Free with secprof_dump_free. */
SECPROF_API int secprof_dump(int pid, secprof_prog ***filters, size_t *count, secprof_error *err);
SECPROF_API void secprof_dump_free(secprof_prog **filters, size_t count);

/* For a raw program (a dump, a `compile -o` file): the action it takes
 * for call `in` and the instructions it runs to reach it, each as a line of
 * secprof_bpf_listing (`abi` names syscalls there; NULL: none). With
 * SECPROF_EXPLAIN_JSON one object: syscall, nr, arch, action, ret, rule
 * (always null: a program has no rules) and path (instruction indexes).
 * *out is malloc'ed; 0, or negative with err (a program the kernel would
 * refuse fails as secprof_bpf_check). */
SECPROF_API int secprof_explain_bpf(const secprof_insn *insns, size_t len, const secprof_arch *abi,
				    const secprof_data *in, unsigned flags, char **out,
				    secprof_error *err);

/* One distinct denial seen by `run --explain`: the calls with the same
 * arch, number, answer and decoded flag/string arguments, counted; the
 * rest is the first such call's. comm and caller are the command's own
 * bytes (any but NUL: escape sequences, newlines in comm): escape them
 * before printing them to a terminal; call has its strings escaped. */
typedef struct secprof_denial {
	unsigned long count;
	int pid; /* the caller (first seen) */
	char comm[17];
	const char *arch; /* libseccomp's name (static); NULL if unknown */
	uint32_t audit;   /* seccomp_data.arch */
	int32_t nr;
	const char *name; /* the syscall's name (static); NULL if none */
	uint64_t args[6];
	uint64_t ip;
	char caller[512];   /* ip as "FILE+0xOFFSET" through /proc/PID/maps */
	char call[768];     /* the call decoded: flags by name, strings read */
	uint32_t ret;       /* what the filter answered (SECCOMP_RET_*) */
	bool benign;        /* expected and harmless (clone3 -> ENOSYS: glibc falls back) */
	bool killed;        /* a KILL/TRAP action, known from the kernel's audit
				record after the death: no arguments */
	char *explain;      /* secprof_explain's text for it; NULL if none */
	char *explain_json; /* the same as JSON */
} secprof_denial;

typedef struct secprof_live_report {
	secprof_denial *denials; /* in the order first seen */
	size_t ndenials;
	bool served;    /* the supervisor ran; false: a plain run, note says why */
	char note[512]; /* "" or why the report is missing or partial */
} secprof_live_report;

/* secprof_container_run with a live report of every denied call: the
 * command runs under a twin of its filter in which every ERRNO answer is
 * SECCOMP_RET_USER_NOTIF, answered by a supervisor thread of this process
 * with the real program's verdict (secprof_emulate), so the command sees
 * exactly what it would see without it; KILL/TRAP actions stay in the
 * kernel and a death they cause is attributed from the audit record.
 * Where user notification is unavailable the run goes on without it and
 * report->note says so. Returns as secprof_container_run; *report (may be
 * NULL when out of memory) is freed with secprof_live_report_free. */
SECPROF_API int secprof_container_run_explain(secprof_ctx *ctx, const secprof_container_opts *o,
					      secprof_live_report **report, secprof_error *err);
SECPROF_API void secprof_live_report_free(secprof_live_report *r);

/* A call a container runtime makes after it has loaded the filter and
 * before the command's execve (src/analyze/runtime.c, one table for runc,
 * crun and secprof itself, observed with strace on Debian 12's runc 1.1.5
 * and crun 1.8.1). Rows are static. */
typedef struct secprof_runtime_call {
	const char *syscall;
	const char *runtime; /* "runc 1.1", "crun 1.8" or "secprof" */
	const char *step;    /* the runtime function that makes it */
	bool with_nnp;       /* also after the load with no-new-privileges */
	bool fatal;          /* denied (ERRNO(EPERM)), the runtime fails to start the container */
} secprof_runtime_call;

/* The calls runtime `runtime` ("runc", "crun"; NULL: both) makes after its
 * filter load that program `insns` answers, on `arch` (NULL: native) with
 * arguments 0, in a way that stops the runtime: a fatal row denied, any
 * row killed or trapped, runc's faccessat2 denied with an errno other than
 * EPERM or ENOSYS (Go retries on those alone); with no_new_privs only the
 * calls after its later load. The first `max` go to out[] (static rows) and
 * rets[] (the program's answers); either may be NULL. Returns how many
 * there are. */
SECPROF_API size_t secprof_runtime_denied(const secprof_insn *insns, size_t len,
					  const secprof_arch *arch, const char *runtime,
					  bool no_new_privs, const secprof_runtime_call **out,
					  uint32_t *rets, size_t max);
/* The same for one runtime ("runc" or "crun") as one sentence for a
 * warning ("docker run would fail to start: the profile denies fstatfs
 * (ERRNO(1)), which runc 1.1 calls after loading the filter (STEP); and
 * also ..."; for crun "podman run would fail to start: ..."), into buf.
 * Returns the count (0: buf ""). */
SECPROF_API size_t secprof_runtime_note(const secprof_insn *insns, size_t len,
					const secprof_arch *arch, const char *runtime,
					bool no_new_privs, char *buf, size_t buflen);
/* ---- exports and installs (area: export, src/export/) ------------------ */

/* What `secprof export` writes, all from the rule set (IR) or the program
 * compiled from it. */
enum secprof_export_format {
	SECPROF_EXPORT_DOCKER,  /* a normalized Docker profile (JSON) */
	SECPROF_EXPORT_OCI,     /* the OCI runtime-spec linux.seccomp object */
	SECPROF_EXPORT_SPO,     /* a security-profiles-operator.x-k8s.io/v1 SeccompProfile (YAML) */
	SECPROF_EXPORT_CRUN,    /* {"run.oci.seccomp_bpf_data": base64 of the program} */
	SECPROF_EXPORT_BWRAP,   /* the raw struct sock_filter array (bwrap --seccomp FD) */
	SECPROF_EXPORT_C,       /* a struct sock_filter initialiser */
	SECPROF_EXPORT_SYSTEMD, /* SystemCallFilter= ... lines for a unit */
	SECPROF_EXPORT_OCI_ARTIFACT, /* an OCI image layout directory (secprof_export_oci_layout) */
	SECPROF_EXPORT_BASE64,       /* the program in base64, one line (secprof compile) */
	SECPROF_EXPORT__COUNT
};

typedef struct secprof_export_opts {
	enum secprof_export_format format;
	/* The program's options (crun, bwrap, c, base64). The profile formats
	 * are written from the rule set libseccomp builds (exact_libseccomp),
	 * values as written, so a runtime given them decides as runc decides
	 * for the original and secprof reads them back to the same rule set. */
	secprof_compile_opts compile;
	/* metadata.name (spo) and the artifact's title; NULL: "profile" */
	const char *name;
} secprof_export_opts;

/* "docker", "oci", "spo", ... for a format, NULL if out of range; and back
 * (-SECPROF_E_USAGE for an unknown name). */
SECPROF_API const char *secprof_export_format_name(enum secprof_export_format f);
SECPROF_API int secprof_export_format_lookup(const char *name, enum secprof_export_format *out);
/* Write the resolved profile in o->format into *out (malloc'ed, *len bytes,
 * NUL-terminated past them). What the format cannot carry is warned about
 * through the context (strict mode: an error); where it would be lost
 * the output denies more, never less. DOCKER, OCI and SPO are read back
 * and compared by decision with the profile on every arch before they
 * are returned; one that would decide otherwise is refused
 * (-SECPROF_E_LIMIT, naming the arch, syscall and actions). An unconfined profile has nothing
 * to export (-SECPROF_E_PROFILE). OCI_ARTIFACT is not a byte stream:
 * use secprof_export_oci_layout. */
SECPROF_API int secprof_export(secprof_ctx *ctx, const secprof_resolved *r,
			       const secprof_export_opts *o, char **out, size_t *len,
			       secprof_error *err);
/* A compiled program in one of the program formats (CRUN, BWRAP, C, BASE64). */
SECPROF_API int secprof_export_prog(const secprof_prog *prog, enum secprof_export_format f,
				    char **out, size_t *len, secprof_error *err);
/* The profile (the OCI form) as an OCI image layout in `dir` (created, or
 * an empty directory) in KEP-6061's runtime format: a manifest whose
 * artifactType and config media type are
 * application/vnd.cncf.seccomp-profile.config.v1+json (config blob "{}"),
 * with the profile as its one application/json layer titled profile.json,
 * tagged "latest" in index.json, so skopeo or oras can push it. NOTIFY
 * rules and listener settings, which runtimes refuse in such an artifact,
 * are refused, and so is a symbolic link below `dir` (not followed). */
SECPROF_API int secprof_export_oci_layout(secprof_ctx *ctx, const secprof_resolved *r,
					  const secprof_export_opts *o, const char *dir,
					  secprof_error *err);
/* The kubelet's localhost profile root. */
#define SECPROF_KUBELET_SECCOMP_ROOT "/var/lib/kubelet/seccomp"
/* Write data to root/name atomically: a temporary file in the same
 * directory, written and fsync'ed, renamed over root/name, then the
 * directory fsync'ed, so a reader sees the old file or the whole new one,
 * never a part. `name` is relative, without "..", and may have
 * subdirectories (created 0755), each opened with O_NOFOLLOW from the one
 * above it: a symbolic link below root is refused (SECPROF_E_SYSTEM), not
 * followed. The file gets mode 0644. */
SECPROF_API int secprof_install_file(const char *root, const char *name, const char *data,
				     size_t len, secprof_error *err);
/* ---- secprof record: a profile from what a command calls (src/record/) -- */

typedef enum secprof_record_backend {
	SECPROF_RECORD_AUTO,   /* eBPF when it can be loaded, else NOTIFY */
	SECPROF_RECORD_EBPF,   /* sys_enter tracepoint program (needs root) */
	SECPROF_RECORD_NOTIFY, /* a learning seccomp filter, user notification */
} secprof_record_backend;

/* What a command called: calls per ABI and number, the argument values
 * captured, how many runs saw each. */
typedef struct secprof_recording secprof_recording;

typedef struct secprof_record_opts {
	/* How the command runs, as secprof_container_run runs it; seccomp is
	 * ignored: recording starts where the filter would be loaded. */
	secprof_container_opts run;
	secprof_record_backend backend;
} secprof_record_opts;

/* Run the command as secprof_container_run would and record every call of
 * it, its threads and children from the filter-load point on. *status is
 * the command's exit status (docker run's). Returns 0 with *out set (free
 * with secprof_recording_free), or negative with err. */
SECPROF_API int secprof_record(secprof_ctx *ctx, const secprof_record_opts *o,
			       secprof_recording **out, int *status, secprof_error *err);
/* What runs already, for secprof_record_attach (eBPF backend): a process
 * with its threads and descendants (pid), or every task of a cgroup v2
 * directory (cgroup), recorded until the process exits or the cgroup is
 * empty, duration_ms (0: no limit) has passed, or *stop becomes non-zero
 * (set from a signal handler). */
typedef struct secprof_record_target {
	int pid;            /* > 0, or 0 */
	const char *cgroup; /* a cgroup v2 directory, or NULL */
	unsigned duration_ms;
	const volatile int *stop; /* NULL: none */
} secprof_record_target;

SECPROF_API int secprof_record_attach(secprof_ctx *ctx, const secprof_record_target *t,
				      secprof_recording **out, secprof_error *err);
SECPROF_API secprof_recording *secprof_recording_new(void);
SECPROF_API void secprof_recording_free(secprof_recording *r);
/* "ebpf", "notify", or "" for a recording made by merging only. */
SECPROF_API const char *secprof_recording_backend(const secprof_recording *r);
/* Events the recorder could not keep (0 unless a map filled up). */
SECPROF_API uint64_t secprof_recording_lost(const secprof_recording *r);

typedef struct secprof_recorded_call {
	const char *arch; /* "x86_64", "x86", "x32" */
	int32_t nr;       /* with the arch's nr_base; -1: known by name only */
	const char *name; /* NULL when no syscall table knows the number */
	uint64_t count;   /* calls seen (0 when merged from a profile) */
	unsigned runs;    /* runs that saw it */
	size_t nvalues;   /* argument values captured */
	bool any_args;    /* also seen with arguments not captured */
} secprof_recorded_call;

SECPROF_API size_t secprof_recording_count(const secprof_recording *r);
/* Call i (0 <= i < secprof_recording_count); out of range, *out is zeroed
 * (name and arch NULL, nr -1). */
SECPROF_API void secprof_recording_call(const secprof_recording *r, size_t i,
					secprof_recorded_call *out);
/* Captured value k (0 <= k < nvalues) of call i: argument index and value
 * (both 0 when i or k is out of range). */
SECPROF_API void secprof_recording_value(const secprof_recording *r, size_t i, size_t k,
					 unsigned *index, uint64_t *value);

/* Add a profile's ALLOW rules to r (as `secprof record --merge` does): a
 * profile written by secprof record keeps the run counts of its comments. */
SECPROF_API int secprof_recording_merge_profile(secprof_recording *r, const char *data, size_t len,
						const char *file, secprof_error *err);

/* Add the calls a `secprof run --explain=FILE` report denied (the JSON
 * lines of secprof_live_report_json: arch, nr, args, count) to r as one
 * run, the argument values profiles filter on captured as a recorder
 * captures them; lines with a "note" and benign denials (clone3 -> ENOSYS:
 * the C library falls back) are skipped. Written with a base (the profile
 * the run used), it gives that profile plus what it denied: `secprof
 * record --heal`. 0, or -SECPROF_E_PROFILE (a line that is not such an
 * object, an ABI secprof does not record) or -ENOMEM with err. */
SECPROF_API int secprof_recording_add_report(secprof_recording *r, const char *data, size_t len,
					     const char *file, secprof_error *err);

typedef enum secprof_record_format {
	SECPROF_RECORD_DOCKER, /* Docker's profile JSON */
	SECPROF_RECORD_OCI,    /* the OCI runtime spec's linux.seccomp object */
	SECPROF_RECORD_SPO,    /* Security Profiles Operator's SeccompProfile (YAML) */
} secprof_record_format;

typedef struct secprof_record_out_opts {
	secprof_record_format format;
	bool no_args;        /* no argument rules: the names only */
	const char *runtime; /* NULL, "runc", "crun" or "secprof": add its own calls */
	const char *name;    /* SPO metadata.name; NULL: "recorded" */
	/* Also the equivalent calls another libc may make, and ENOSYS for the
	 * calls newer than the kernel (below) that the profile does not allow,
	 * so a newer libc falls back to the calls it allows. */
	bool portable;
	/* The kernel the profile is for: --portable's "newer" and the base's
	 * minKernel. Both 0: the kernel the recording was made on, or the
	 * running kernel for a recording made by merging only. */
	int kernel_major, kernel_minor;
	/* Base ∪ recorded (secprof record --base): `base` is a Docker profile's
	 * JSON text (base_len bytes; base_file names it in errors), written as
	 * it is, its defaultAction and rules kept, followed by ALLOW entries
	 * for what it does not allow: each recorded call (and --runtime,
	 * --portable call) is decided by the base's rule set (secprof_ir_decide,
	 * resolved with base_resolve: caps, arch; its kernel is the one above),
	 * and only a call the base falls to its default action for is added. A
	 * call one of the base's own rules answers (Docker's clone3 -> ENOSYS)
	 * keeps that answer and is reported through ctx's warning callback.
	 * Docker format only. NULL: no base. */
	const char *base;
	size_t base_len;
	const char *base_file;
	secprof_resolve_opts base_resolve;
	secprof_ctx *ctx; /* for the base: parse, warnings; NULL: a default context */
} secprof_record_out_opts;

/* The profile of a recording: defaultAction SCMP_ACT_ERRNO (EPERM), the
 * names seen sorted in as few entries as the run counts allow, EQ rules for
 * the arguments captured (with a base: the base's text plus the entries it
 * lacks, see above). *out is malloc'ed and NUL-terminated. Returns 0, or
 * -SECPROF_E_USAGE (unknown runtime, a base with another format),
 * -SECPROF_E_PROFILE (a base that is not a valid Docker profile, or that
 * leaves out an ABI recorded), or -ENOMEM, with err. */
SECPROF_API int secprof_recording_write(const secprof_recording *r,
					const secprof_record_out_opts *o, char **out, size_t *len,
					secprof_error *err);

/* ---- run: images, throwaway layers, docker run's mounts and terminal --- */
/* (secprof run --image/-v/--mount/--tmpfs/-t/--name; src/sandbox/layers.c,
 * image.c, archive.c, tty.c.) */

/* The rest of `docker run`, for secprof_container_run_ext. Zero-initialise,
 * then set fields; strings are borrowed for the call. With rootfs or
 * image the container's root is an overlay whose upper layer is thrown
 * away at exit (docker run --rm), unless upper_dir keeps it. */
typedef struct secprof_container_ext {
	/* A `docker save` archive, an OCI layout directory or archive
	 * (oci:PATH[:TAG]), or docker-archive:PATH[:REPO:TAG]. Its config's
	 * Entrypoint, Cmd, Env, WorkingDir and User apply as in docker run. */
	const char *image;
	const char *cache_dir;  /* unpacked layers; NULL: /var/cache/secprof/layers */
	const char *volume_dir; /* named volumes; NULL: /var/lib/secprof/volumes */
	/* Keep the container's writes: DIR/upper and DIR/work are the
	 * overlay's upper and work directories, reused by the next run. */
	const char *upper_dir;
	const char *entrypoint; /* --entrypoint (with entrypoint_set; "" clears the image's) */
	bool entrypoint_set;
	const char *const *volumes; /* -v HOST:CTR[:MODE], NAME:CTR[:MODE], CTR */
	size_t nvolumes;
	const char *const *mounts; /* --mount type=bind|volume|tmpfs,... */
	size_t nmounts;
	const char *const *tmpfs; /* --tmpfs CTR[:OPTIONS] */
	size_t ntmpfs;
	bool tty;         /* -t: a new pty, the command's controlling terminal */
	bool interactive; /* -i: with -t, stdin copied to the pty (raw mode) */
	const char *name; /* --name: refused while a run of that name is alive */
	/* --security-opt apparmor=: NULL (not set) or "unconfined". On a host
	 * that runs AppArmor, where docker run gives a container the
	 * docker-default profile that secprof cannot apply, a container is
	 * refused unless this is "unconfined" (or it is privileged). */
	const char *apparmor;
} secprof_container_ext;

/* secprof_container_run with the options above; o->argv may be empty
 * when the image gives the command. Same return values. */
SECPROF_API int secprof_container_run_ext(secprof_ctx *ctx, const secprof_container_opts *o,
					  const secprof_container_ext *x, secprof_error *err);
/* secprof_container_run_explain with the options above (x NULL: none):
 * the live report of an image's container, with mounts, a terminal or a
 * name, as secprof_container_run_ext runs it. Same return values. */
SECPROF_API int secprof_container_run_explain_ext(secprof_ctx *ctx, const secprof_container_opts *o,
						  const secprof_container_ext *x,
						  secprof_live_report **report, secprof_error *err);

#ifdef __cplusplus
}
#endif
/* ---- live report as JSON lines (run --explain=FILE) ------------------------ */

/* The report of secprof_container_run_explain as JSON lines: {"note": ...}
 * first when there is a note, then one object per distinct denial (count,
 * pid, comm, arch, nr, syscall, call, args, ip, caller, action, ret,
 * benign, killed, explain: secprof_explain's JSON or null). *out is
 * malloc'd, "" when there is nothing. Returns 0, or -code. */
SECPROF_API int secprof_live_report_json(const secprof_live_report *r, char **out,
					 secprof_error *err);

#endif
