/* util.h - context, errors, arena and small helpers shared by every stage. */
#ifndef SP_UTIL_H
#define SP_UTIL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "secprof.h"

#define SP_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Defined in a build with AddressSanitizer, which gcc announces with
 * __SANITIZE_ADDRESS__ and clang with __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define SP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SP_UNDER_ASAN 1
#endif
#endif
#define SP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A position in the source profile; 0 = unknown. */
struct sp_loc {
	uint32_t line;
	uint32_t col;
};

struct sp_scratch;

struct secprof_ctx {
	secprof_warn_fn warn;
	void *warn_data;
	bool strict;
	/* the region a call keeps its temporaries in (core/scratch.h),
	 * taken and given back atomically: one context may serve calls
	 * on several threads at once. Only a context of secprof_ctx_new
	 * has one; the library's own on the stack (quiet ones, for a second
	 * pass whose warnings were given) use malloc */
	_Atomic(struct sp_scratch *) scratch;
	bool keeps_scratch;
};

/* Fill err (if non-NULL) and return -code. `file` and `path` may be NULL.
 * Usage: return sp_err(err, SECPROF_E_PROFILE, file, &loc, "syscalls[2]", "bad %s", x); */
int sp_err(secprof_error *err, int code, const char *file, const struct sp_loc *loc,
	   const char *path, const char *fmt, ...) SP_PRINTF(6, 7);
/* "out of memory" (SECPROF_E_SYSTEM): the one spelling every allocation
 * failure reports; sp_err_oom_in names the file being read. */
int sp_err_oom(secprof_error *err);
int sp_err_oom_in(secprof_error *err, const char *file);
/* A failed system call (SECPROF_E_SYSTEM): the formatted text, then ": " and
 * strerror of errno as it was on entry. `file` may be NULL. */
int sp_err_errno(secprof_error *err, const char *file, const char *fmt, ...) SP_PRINTF(3, 4);
/* Prefix the message of err with "outer: " (crun_error_wrap). Returns err->code. */
int sp_err_wrap(secprof_error *err, const char *fmt, ...) SP_PRINTF(2, 3);
/* Report a warning through the context's callback; in strict mode the warning
 * is turned into an error in err and -SECPROF_E_PROFILE is returned, else 0. */
int sp_warn(secprof_ctx *ctx, secprof_error *err, const char *file, const struct sp_loc *loc,
	    const char *path, const char *fmt, ...) SP_PRINTF(6, 7);
/* A warning that never becomes an error. */
void sp_note(secprof_ctx *ctx, const char *file, const struct sp_loc *loc, const char *path,
	     const char *fmt, ...) SP_PRINTF(5, 6);

/* mkdir -p: path and every missing parent with mode; 0 or -1 with errno. */
int sp_mkdir_p(const char *path, mode_t mode);
/* A directory root may keep state in that no other user can swap: path
 * made absolute ("." and ".." taken lexically), each missing step created
 * with mode, and refused (SECPROF_E_USAGE, "WHAT PATH: ...") when a step
 * is a symlink or another user can rename or replace a step (a directory
 * not root's or ours, or one others may write that is not sticky or whose
 * next step is not root's or ours). The absolute path goes to out, which
 * is what the caller must use from then on. */
int sp_trusted_dir(const char *path, mode_t mode, const char *what, char *out, size_t size,
		   secprof_error *err);
/* sp_trusted_dir, and the directory itself secprof's user's alone (mode
 * 0700 or less, created so): where a container's root may leave setuid-root
 * files (a kept layer, a volume, the layer cache), as Docker's data root is
 * closed to others (0710). Refused otherwise: "WHAT PATH: owner uid U, mode
 * M: it must be uid E's alone (0700), for it holds the containers'
 * setuid files (refused)". */
int sp_private_dir(const char *path, const char *what, char *out, size_t size, secprof_error *err);
/* Write all len bytes of data to a blocking fd, again after EINTR. 0, or
 * -1 with errno (ENOSPC when the fd takes no more). */
int sp_write_all(int fd, const void *data, size_t len);
/* pidfd_open(pid, 0) (Linux 5.3): an fd that polls readable once the
 * process has exited; -1 with errno (ENOSYS on older kernels). */
int sp_pidfd_open(pid_t pid);

/* SHA-256 (core/sha256.c). */
#define SP_SHA256_SIZE 32
struct sp_sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[64];
	size_t fill;
	bool ni; /* blocks through the CPU's SHA extensions (set by init) */
};
void sp_sha256_init(struct sp_sha256 *s);
void sp_sha256_update(struct sp_sha256 *s, const void *data, size_t len);
void sp_sha256_final(struct sp_sha256 *s, uint8_t out[SP_SHA256_SIZE]);
/* The digest of one buffer (an OCI layout's blobs, the filter cache's keys). */
void sp_sha256(const void *data, size_t n, uint8_t out[SP_SHA256_SIZE]);

/* Bump allocator: everything a profile holds lives in one arena and is freed
 * at once, so deep or large inputs never need recursive frees. Blocks are
 * aligned for integers, pointers and doubles (not max_align_t). */
struct sp_arena_chunk;
struct sp_arena {
	struct sp_arena_chunk *head;
	/* where its chunks come from: NULL for malloc, or the call's scratch
	 * region (core/scratch.h) for an arena freed before the call returns */
	struct sp_scratch *scratch;
};
void *sp_arena_alloc(struct sp_arena *a, size_t size);     /* zeroed; NULL on ENOMEM */
void *sp_arena_alloc_raw(struct sp_arena *a, size_t size); /* not zeroed: caller fills it */
/* Not zeroed and not aligned: for text, which then costs its bytes alone. */
void *sp_arena_alloc_bytes(struct sp_arena *a, size_t size);
char *sp_arena_strndup(struct sp_arena *a, const char *s, size_t n);
void sp_arena_free(struct sp_arena *a);
/* Empty the arena for reuse: what it held is gone, its first chunk stays. */
void sp_arena_reset(struct sp_arena *a);

/* Growable array of fixed-size items (malloc'ed, not in an arena). */
struct sp_vec {
	void *items;
	size_t len;
	size_t cap;
	size_t item_size;
	/* as struct sp_arena's: NULL, or the scratch region of a call that
	 * frees the vector before it returns */
	struct sp_scratch *scratch;
};
void *sp_vec_push(struct sp_vec *v); /* zeroed new slot or NULL */
void sp_vec_free(struct sp_vec *v);

/* Growable string buffer. */
struct sp_buf {
	char *data;
	size_t len;
	size_t cap;
	bool oom;
};
void sp_buf_add(struct sp_buf *b, const char *s, size_t n);
void sp_buf_puts(struct sp_buf *b, const char *s);
void sp_buf_printf(struct sp_buf *b, const char *fmt, ...) SP_PRINTF(2, 3);
/* A JSON string literal, escaped as Go's encoding/json does (core/jsonw.h,
 * where it is defined with the rest of the JSON writer). */
void sp_buf_json_str(struct sp_buf *b, const char *s);
void sp_buf_free(struct sp_buf *b);

/* Read a whole regular file ("-": standard input), refusing more than `max`
 * bytes and anything that is not a regular file (a FIFO or a device would
 * block or never end). *out is malloc'ed. `what` ends the size message
 * ("... limit for a profile"); sp_read_file says "a profile". */
int sp_read_file_as(const char *path, size_t max, const char *what, char **out, size_t *len,
		    secprof_error *err);
int sp_read_file(const char *path, size_t max, char **out, size_t *len, secprof_error *err);
/* Give the pages wholly inside [p, p + n) of a buffer one owns back to the
 * kernel (MADV_DONTNEED): they read as zeros afterwards. For a large input
 * whose parts are done with while the rest is still read. */
void sp_drop_pages(char *p, size_t n);

/* Parse a decimal uint64 exactly ("0".."18446744073709551615", no sign, no
 * leading '+'); returns false on overflow or a bad character. */
bool sp_parse_u64(const char *s, size_t n, uint64_t *out);

/* "EPERM" for EPERM, "SYS" for SIGSYS (strerrorname_np and sigabbrev_np's
 * names, on any C library: core/names.c); NULL for a number without one. */
const char *sp_errno_name(int err);
/* The value of errno name `name` ("EPERM"; also "EWOULDBLOCK", "EDEADLOCK"
 * and "ENOTSUP", the C library's other spellings), or -1. */
int sp_errno_value(const char *name);
const char *sp_signal_abbrev(int sig);

/* Go's text of an errno value ("permission denied", "errno 41" where Go
 * has none), as runc's messages carry it, on any C library: core/names.c. */
void sp_go_errno_text(int err, char *buf, size_t len);

#endif
