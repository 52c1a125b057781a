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
 * --cap-drop ("ALL" allowed), or `available` when privileged. */
SECPROF_API int secprof_caps_tweak(const char *const *add, size_t nadd, const char *const *drop,
				   size_t ndrop, bool privileged, secprof_caps available,
				   secprof_caps *out, secprof_error *err);

/* ---- resolution ------------------------------------------------------- */

/* What a container is resolved for. Zero-initialise, then set fields. */
typedef struct secprof_resolve_opts {
	const char *arch;    /* Go name ("amd64", "arm64", ...); NULL = this machine */
	int kernel_major;    /* kernel for minKernel; both 0 = the running kernel */
	int kernel_minor;
	secprof_caps caps;   /* the container's bounding set */
} secprof_resolve_opts;

typedef struct secprof_resolved secprof_resolved;

/* Resolve a profile for a container as Docker does (docs/COMPAT.md §2). A profile with
 * no defaultAction and no syscalls resolves to "unconfined". */
SECPROF_API secprof_resolved *secprof_resolve(secprof_ctx *ctx, const secprof_profile *p,
					      const secprof_resolve_opts *opts, secprof_error *err);
SECPROF_API void secprof_resolved_free(secprof_resolved *r);
/* true when the result means "no seccomp at all". */
SECPROF_API bool secprof_resolved_unconfined(const secprof_resolved *r);
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
SECPROF_API int secprof_decide(const char *seccomp_opt, bool privileged,
			       enum secprof_decision *out, secprof_error *err);

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
} secprof_prog;

typedef struct secprof_compile_opts {
	bool no_enosys; /* crun's behaviour: no ENOSYS stub above the highest known number */
	/* The program libseccomp 2.5.4 (so runc, so Docker) builds: every
	 * argument compared on all 64 bits. Without it (the default), on 64-bit
	 * ABIs an argument the kernel reads as a 32-bit type (socket's family,
	 * dup3's fds...) is compared on its low word only, with the rule's
	 * values cut to their low word, as the kernel reads them: 0x100000028
	 * is AF_VSOCK to socket(2) and to the filter alike. */
	bool exact_libseccomp;
} secprof_compile_opts;

/* Compile a resolved profile to one BPF filter (docs/COMPAT.md §4.1, §4.3). */
SECPROF_API secprof_prog *secprof_compile(secprof_ctx *ctx, const secprof_resolved *r,
					  const secprof_compile_opts *opts, secprof_error *err);
SECPROF_API void secprof_prog_free(secprof_prog *prog);

/* Input of a filter, laid out as the kernel's struct seccomp_data. */
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

/* Install a program in the calling thread with seccomp(2) and its flags.
 * Sets no_new_privs when the caller lacks CAP_SYS_ADMIN. Returns the listener
 * fd (>= 0) when the program needs one, 0 otherwise, negative on error. */
SECPROF_API int secprof_load(const secprof_prog *prog, secprof_error *err);

#ifdef __cplusplus
}
#endif
#endif
