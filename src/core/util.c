/* util.c - arena, vectors, buffers and file reading. Pure helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "secprof.h"
#include "core/scratch.h"
#include "core/util.h"

struct sp_arena_chunk {
	struct sp_arena_chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

#define SP_ARENA_CHUNK (64u * 1024u)

void *sp_arena_alloc(struct sp_arena *a, size_t size)
{
	void *p = sp_arena_alloc_raw(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* What an arena holds needs no more than the alignment of its widest
 * scalars (integers, pointers, doubles; no long double, no vector types):
 * max_align_t's 16 bytes on x86_64 made every 56-byte struct sp_arg of a
 * large profile 64. */
#define SP_ARENA_ALIGN           \
	_Alignof(union {         \
		uint64_t u;      \
		void *p;         \
		double d;        \
		void (*f)(void); \
	})

/* A block of size bytes at a multiple of align (a power of two, at most
 * max_align_t's) from the start of a chunk's data. */
static void *arena_take(struct sp_arena *a, size_t size, size_t align)
{
	struct sp_arena_chunk *c = a->head;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	bool fits = c && at <= c->size && c->size - at >= size;
	void *p;

	if (c && !fits && size > SP_ARENA_CHUNK / 4) {
		/* a large block gets a chunk of its own behind the current one,
		 * which goes on serving small blocks: replacing it would leave
		 * up to a quarter of each chunk unused (rules of 200 chains per
		 * syscall wasted half the ruleset's memory that way) */
		struct sp_arena_chunk *own = sp_salloc(a->scratch, sizeof(*own) + size);
		if (!own)
			return NULL;
		own->size = own->used = size;
		own->next = c->next;
		c->next = own;
		return own->data;
	}
	if (!fits) {
		size_t csize = size > SP_ARENA_CHUNK ? size : SP_ARENA_CHUNK;
		c = sp_salloc(a->scratch, sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	p = (char *)c->data + at;
	c->used = at + size;
	return p;
}

void *sp_arena_alloc_raw(struct sp_arena *a, size_t size)
{
	return arena_take(a, size ? size : 1, SP_ARENA_ALIGN);
}

void *sp_arena_alloc_bytes(struct sp_arena *a, size_t size)
{
	return arena_take(a, size ? size : 1, 1);
}

char *sp_arena_strndup(struct sp_arena *a, const char *s, size_t n)
{
	char *p = sp_arena_alloc_bytes(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void sp_arena_free(struct sp_arena *a)
{
	struct sp_arena_chunk *c = a->head;
	while (c) {
		struct sp_arena_chunk *next = c->next;
		sp_sfree(a->scratch, c);
		c = next;
	}
	a->head = NULL;
}

void sp_arena_reset(struct sp_arena *a)
{
	struct sp_arena_chunk *keep = a->head;

	if (!keep)
		return;
	a->head = keep->next;
	sp_arena_free(a);
	if (keep->size == keep->used && keep->size > SP_ARENA_CHUNK) {
		sp_sfree(a->scratch, keep); /* a block that had a chunk of its own: not kept */
		return;
	}
	keep->used = 0;
	keep->next = NULL;
	a->head = keep;
}

void *sp_vec_push(struct sp_vec *v)
{
	char *slot;

	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *items = sp_srealloc(v->scratch, v->items, cap * v->item_size);
		if (!items)
			return NULL;
		v->items = items;
		v->cap = cap;
	}
	slot = (char *)v->items + v->len * v->item_size;
	memset(slot, 0, v->item_size);
	v->len++;
	return slot;
}

void sp_vec_free(struct sp_vec *v)
{
	sp_sfree(v->scratch, v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

void sp_buf_add(struct sp_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *d;
		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sp_buf_puts(struct sp_buf *b, const char *s)
{
	sp_buf_add(b, s, strlen(s));
}

void sp_buf_printf(struct sp_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		sp_buf_add(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sp_buf_add(b, big, (size_t)n);
	free(big);
}

void sp_buf_free(struct sp_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISDIR(m))
		return "directory";
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	if (S_ISSOCK(m))
		return "socket";
	return "unknown type";
}

static int not_regular(const char *path, mode_t m, secprof_error *err)
{
	return sp_err(err, SECPROF_E_PROFILE, path, NULL, NULL, "not a regular file (%s)",
		      file_kind(m));
}

static int too_big(const char *path, uint64_t size, size_t max, const char *what,
		   secprof_error *err)
{
	if (size == UINT64_MAX)
		return sp_err(err, SECPROF_E_LIMIT, path, NULL, NULL,
			      "input is larger than the %zu-byte limit for %s", max, what);
	return sp_err(err, SECPROF_E_LIMIT, path, NULL, NULL,
		      "file is %llu bytes, larger than the %zu-byte limit for %s",
		      (unsigned long long)size, max, what);
}

void sp_drop_pages(char *p, size_t n)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + pg - 1) & ~(pg - 1), hi = ((uintptr_t)p + n) & ~(pg - 1);

	/* advice only: if the kernel declines, the pages just stay */
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Everything from fd, refusing more than max bytes. */
static int read_fd(int fd, const char *path, size_t max, size_t hint, const char *what, char **out,
		   size_t *len, secprof_error *err)
{
	size_t n = 0, cap = hint ? hint + 1 : 65536;
	char *data = malloc(cap);

	for (;;) {
		ssize_t r;
		if (!data)
			return sp_err_oom_in(err, path);
		if (n == cap) {
			char *d;
			if (cap > max) {
				free(data);
				return too_big(path, UINT64_MAX, max, what, err);
			}
			cap *= 2;
			d = realloc(data, cap);
			if (!d)
				free(data);
			data = d;
			continue;
		}
		r = read(fd, data + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int rc = sp_err_errno(err, path, "cannot read");
			free(data);
			return rc;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(data);
			return too_big(path, UINT64_MAX, max, what, err);
		}
	}
	*out = data;
	*len = n;
	return 0;
}

/* The one reader of input files (profiles, OCI configs, BPF programs).
 * Only a regular file is read: a FIFO would block open() and read() until
 * some writer came, and a device such as /dev/zero never ends, so both
 * would hang the caller. The type is checked before opening (opening a
 * device can have effects of its own), and again on the open descriptor,
 * which O_NONBLOCK keeps from waiting for a FIFO's writer if the path was
 * swapped in between. "-" is standard input, which may be anything (the
 * caller chose it); it is still cut off at max bytes. */
int sp_read_file_as(const char *path, size_t max, const char *what, char **out, size_t *len,
		    secprof_error *err)
{
	struct stat st;
	int fd, rc;

	if (!strcmp(path, "-"))
		return read_fd(STDIN_FILENO, "<stdin>", max, 0, what, out, len, err);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return not_regular(path, st.st_mode, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return sp_err_errno(err, path, "cannot open");
	if (fstat(fd, &st) < 0) {
		rc = sp_err_errno(err, path, "cannot read");
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_regular(path, st.st_mode, err);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return too_big(path, (uint64_t)st.st_size, max, what, err);
	}
	/* a regular file ignores O_NONBLOCK; /proc files say 0 bytes and have more */
	rc = read_fd(fd, path, max, (size_t)st.st_size, what, out, len, err);
	close(fd);
	return rc;
}

int sp_read_file(const char *path, size_t max, char **out, size_t *len, secprof_error *err)
{
	return sp_read_file_as(path, max, "a profile", out, len, err);
}

int secprof_read_file(const char *path, size_t max, const char *what, char **data, size_t *len,
		      secprof_error *err)
{
	return sp_read_file_as(path, max, what ? what : "this input", data, len, err);
}

bool sp_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

int sp_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#ifndef SYS_pidfd_open
/* The same on every arch since Linux 5.1 numbered new calls alike
 * (include/uapi/asm-generic/unistd.h; alpha apart). */
#define SYS_pidfd_open 434
#endif

int sp_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int sp_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* path absolute, without empty, "." or ".." steps: "a/../b" is "b" read
 * as text, which is what the caller then uses (a symlink "a" is never
 * followed, so this is what the kernel resolves too). */
static bool absolute_path(const char *path, char *out, size_t size)
{
	char cwd[4096];
	size_t len = 0;

	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return false;
		if (!absolute_path(cwd, out, size))
			return false;
		len = strcmp(out, "/") ? strlen(out) : 0;
	}
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !memcmp(p, "..", 2)) {
			while (len && out[--len] != '/')
				;
		} else if (n && !(n == 1 && *p == '.')) {
			if (len + 1 + n >= size) {
				errno = ENAMETOOLONG;
				return false;
			}
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n + (p[n] == '/');
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return true;
}

/* One step of sp_trusted_dir: the directory out names, created if
 * missing (its parent is checked already), must be root's or secprof's
 * user's, and others may write it only if it is sticky: then they can
 * rename nothing in it that is not theirs (the rule behind /tmp), and
 * the next step must be root's or ours. */
#define SP_FUSE_SUPER_MAGIC 0x65735546 /* include/uapi/linux/magic.h */

static int trusted_step(const char *out, const char *what, const char *path, mode_t mode,
			secprof_error *err)
{
	struct stat st;
	struct statfs fs;

	if (lstat(out, &st) < 0 &&
	    (errno != ENOENT || (mkdir(out, mode) < 0 && errno != EEXIST) || lstat(out, &st) < 0))
		return sp_err_errno(err, NULL, "%s %s: %s", what, path, out);
	if (S_ISLNK(st.st_mode))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "%s %s: %s is a symlink, which its owner may point elsewhere "
			      "(refused: give the path it resolves to)",
			      what, path, out);
	if (!S_ISDIR(st.st_mode))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "%s %s: %s is not a directory", what, path, out);
	/* FUSE reports whatever owner and mode its server (any user's, with
	 * allow_other) says (fs/fuse/inode.c fuse_fill_attr). */
	if (statfs(out, &fs) == 0 && fs.f_type == SP_FUSE_SUPER_MAGIC)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "%s %s: %s is on a FUSE filesystem, whose server says who owns it "
			      "(refused)",
			      what, path, out);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"%s %s: %s belongs to uid %u, who may replace what is in it (refused)",
			what, path, out, (unsigned)st.st_uid);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "%s %s: others may write %s and replace what is in it (refused)",
			      what, path, out);
	return 0;
}

int sp_trusted_dir(const char *path, mode_t mode, const char *what, char *out, size_t size,
		   secprof_error *err)
{
	if (!*path)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "%s: an empty path", what);
	if (!absolute_path(path, out, size))
		return sp_err_errno(err, NULL, "%s %s", what, path);
	if (trusted_step("/", what, path, mode, err) < 0)
		return -1;
	/* From the top down, so that nothing is created in a directory before
	 * it is known that no one else controls it. */
	for (char *p = out + 1; *p;) {
		char *slash = strchr(p, '/');
		int rc;

		if (slash)
			*slash = '\0';
		rc = trusted_step(out, what, path, mode, err);
		if (slash)
			*slash = '/';
		if (rc < 0 || !slash)
			return rc;
		p = slash + 1;
	}
	return 0;
}

int sp_private_dir(const char *path, const char *what, char *out, size_t size, secprof_error *err)
{
	struct stat st;

	if (sp_trusted_dir(path, 0700, what, out, size, err) < 0)
		return -1;
	if (stat(out, &st) < 0)
		return sp_err_errno(err, NULL, "%s %s", what, path);
	if (st.st_uid != geteuid() || (st.st_mode & 077))
		return sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"%s %s: owner uid %u, mode %04o: it must be uid %u's alone (0700), for "
			"it holds the containers' setuid files (refused)",
			what, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			(unsigned)geteuid());
	return 0;
}
