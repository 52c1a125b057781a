/* progcache.c - compiled programs kept on disk between runs, so that
 * `secprof run` of a profile it has run before skips parse, resolve and
 * compile (README "The filter cache").
 *
 * An entry is found by a key: the SHA-256 of everything the program is a
 * function of (the caller hashes the profile's bytes and the options into
 * it, sp_progkey_*), always including this build's GNU build ID, which
 * changes with any change to the code or the tables compiled into it
 * (the syscall numbers, the built-in profile). A cache can only ever give
 * back a program this build compiled for that key, or nothing:
 * - the directory must be a real directory owned by the effective user
 *   (root for root) and writable by nobody else, or it is ignored, and
 *   every entry is opened below that descriptor without following links;
 * - an entry holds its own key and ends with the SHA-256 of all that
 *   precedes it; a short, corrupt or foreign entry fails the check and is
 *   treated as a miss (compiled again and overwritten);
 * - entries are written to a temporary name and renamed over, so a reader
 *   sees a whole entry or none (no fsync: a torn entry after a crash fails
 *   the digest and is compiled again).
 * The warnings the compile gave are kept in the entry and given again on
 * a hit, so a cached run says what a compiling run says. The directory
 * holds at most SP_PROGCACHE_MAX entries (prune). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

#define ENTRY_MAGIC "SPFC\0\0\0\1"
#define MAX_ENTRY (64 * 1024 + SP_PROGCACHE_MAX_WARN * sizeof(secprof_error))

/* ---- the key ------------------------------------------------------------- */

struct build_id_find {
	uintptr_t addr; /* an address inside this library (or executable) */
	const uint8_t *id;
	size_t len;
};

static const uint8_t *note_build_id(const ElfW(Nhdr) * n, const uint8_t *end, size_t *len)
{
	while ((const uint8_t *)(n + 1) <= end) {
		const uint8_t *name = (const uint8_t *)(n + 1);
		const uint8_t *desc = name + ((n->n_namesz + 3) & ~3u);
		const uint8_t *next = desc + ((n->n_descsz + 3) & ~3u);

		if (next > end)
			return NULL;
		if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
			*len = n->n_descsz;
			return desc;
		}
		n = (const ElfW(Nhdr) *)next;
	}
	return NULL;
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	struct build_id_find *f = data;
	bool mine = false;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum && !mine; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		mine = ph->p_type == PT_LOAD && f->addr >= lo && f->addr < lo + ph->p_memsz;
	}
	if (!mine)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		if (ph->p_type == PT_NOTE &&
		    (f->id = note_build_id((const ElfW(Nhdr) *)p, p + ph->p_memsz, &f->len)))
			return 1;
	}
	return 1;
}

int sp_progkey_init(struct sp_progkey *k)
{
	struct build_id_find f = { .addr = (uintptr_t)&sp_progkey_init };

	sp_sha256_init(&k->sha);
	/* Without a build ID (a binary linked with --build-id=none) there is
	 * no telling one build's programs from another's: no cache. */
	dl_iterate_phdr(find_build_id, &f);
	if (!f.id || !f.len)
		return -1;
	sp_progkey_add(k, ENTRY_MAGIC, 8);
	sp_progkey_add(k, f.id, f.len);
	return 0;
}

void sp_progkey_add(struct sp_progkey *k, const void *data, size_t len)
{
	uint64_t n = len;

	/* length-prefixed, so that no two different lists of fields hash
	 * the same bytes */
	sp_sha256_update(&k->sha, &n, sizeof(n));
	sp_sha256_update(&k->sha, data, len);
}

void sp_progkey_add_str(struct sp_progkey *k, const char *s)
{
	sp_progkey_add(k, s ? s : "", s ? strlen(s) + 1 : 0);
}

void sp_progkey_done(struct sp_progkey *k)
{
	static const char digits[] = "0123456789abcdef";

	sp_sha256_final(&k->sha, k->digest);
	for (size_t i = 0; i < sizeof(k->digest); i++) {
		k->hex[2 * i] = digits[k->digest[i] >> 4];
		k->hex[2 * i + 1] = digits[k->digest[i] & 15];
	}
	k->hex[2 * sizeof(k->digest)] = '\0';
}

/* ---- the directory ------------------------------------------------------- */

int sp_progcache_open(secprof_ctx *ctx, const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && sp_mkdir_p(dir, 0700) == 0)
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		sp_note(ctx, dir, NULL, "filter-cache", "not used: cannot open it: %s",
			strerror(errno));
		return -1;
	}
	/* Whoever else can write here could plant a program that allows more
	 * than the profile: such a directory is not read at all. */
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		sp_note(ctx, dir, NULL, "filter-cache",
			"not used: it must be owned by uid %u and writable by it alone (owner %u, "
			"mode %03o)",
			(unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the bound ------------------------------------------------------------- */

/* One put in PRUNE_EVERY (those whose key starts with a byte that is a
 * multiple of it: a uniform draw that keeps no state) counts the entries,
 * and above SP_PROGCACHE_MAX removes those written, or refreshed by a hit,
 * longest ago, down to three quarters of it: profiles generated by the
 * thousand (a CI loop, recordings merged run after run) would otherwise
 * fill the disk. A hit refreshes its entry at most once an hour. */
#define PRUNE_EVERY 8
#define REFRESH_SECONDS 3600

#define KEY_HEX (2 * SP_SHA256_SIZE)

struct aged {
	time_t mtime;
	char name[KEY_HEX + 1];
};

/* n characters of lowercase hex at s, then end. */
static bool hex_run(const char *s, size_t n, char end)
{
	return strspn(s, "0123456789abcdef") == n && s[n] == end;
}

/* A temporary file of a writer that died between create and rename
 * (".<key>.<pid>", sp_progcache_put), older than an hour. */
static bool is_stale_temp(int dirfd, const char *s, time_t now)
{
	struct stat st;

	return s[0] == '.' && hex_run(s + 1, KEY_HEX, '.') &&
	       fstatat(dirfd, s, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_mtime < now - REFRESH_SECONDS;
}

static int by_age(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;

	return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

/* The entries' names (stale temporary files are removed on the way):
 * their number, or -1. */
static ssize_t list_entries(int dirfd, struct aged **out, time_t now)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct aged *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (is_stale_temp(dirfd, e->d_name, now))
			unlinkat(dirfd, e->d_name, 0);
		if (!hex_run(e->d_name, KEY_HEX, '\0'))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if (!(nv = realloc(v, cap * sizeof(*v))))
				break;
			v = nv;
		}
		memcpy(v[n++].name, e->d_name, sizeof(v->name));
	}
	closedir(d);
	*out = v;
	return (ssize_t)n;
}

/* Above the bound, the oldest go: an entry that vanished meanwhile (time
 * 0) is first, and its unlink fails harmlessly. */
static void prune(int dirfd)
{
	struct aged *v = NULL;
	ssize_t n = list_entries(dirfd, &v, time(NULL));
	struct stat st;

	if (n > SP_PROGCACHE_MAX) {
		for (ssize_t i = 0; i < n; i++)
			v[i].mtime = fstatat(dirfd, v[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0
					     ? st.st_mtime
					     : 0;
		qsort(v, (size_t)n, sizeof(*v), by_age);
		for (ssize_t i = 0; i < n - SP_PROGCACHE_MAX * 3 / 4; i++)
			unlinkat(dirfd, v[i].name, 0);
	}
	free(v);
}

/* ---- entries --------------------------------------------------------------- */

void sp_warnlog_add(struct sp_warnlog *log, const secprof_error *w)
{
	secprof_error *nw;

	if (log->n == SP_PROGCACHE_MAX_WARN ||
	    !(nw = realloc(log->w, (log->n + 1) * sizeof(*log->w)))) {
		log->overflow = true;
		return;
	}
	log->w = nw;
	log->w[log->n++] = *w;
}

void sp_warnlog_free(struct sp_warnlog *log)
{
	free(log->w);
	*log = (struct sp_warnlog){ 0 };
}

struct entry_head {
	char magic[8];
	uint8_t key[32];
	uint32_t len, flags, needs_listener, nwarn, warn_bytes, pad;
};

static bool take_str(const uint8_t **p, const uint8_t *end, char *out, size_t size)
{
	const uint8_t *z = memchr(*p, '\0', (size_t)(end - *p));

	if (!z || (size_t)(z - *p) >= size)
		return false;
	memcpy(out, *p, (size_t)(z - *p) + 1);
	*p = z + 1;
	return true;
}

/* The warnings of an entry, checked whole before any is given. */
static bool read_warnings(const uint8_t *p, const uint8_t *end, uint32_t n, struct sp_warnlog *log)
{
	sp_warnlog_free(log);
	for (uint32_t i = 0; i < n; i++) {
		secprof_error w = { 0 };
		int32_t code;

		if (end - p < 12)
			return false;
		memcpy(&code, p, 4);
		memcpy(&w.line, p + 4, 4);
		memcpy(&w.column, p + 8, 4);
		w.code = code;
		p += 12;
		if (!take_str(&p, end, w.file, sizeof(w.file)) ||
		    !take_str(&p, end, w.path, sizeof(w.path)) ||
		    !take_str(&p, end, w.msg, sizeof(w.msg)))
			return false;
		sp_warnlog_add(log, &w);
		if (log->overflow)
			return false;
	}
	return p == end;
}

secprof_prog *sp_progcache_get(int dirfd, const struct sp_progkey *k, struct sp_warnlog *log)
{
	struct entry_head h;
	struct sp_sha256 sha;
	uint8_t *buf = NULL, digest[SP_SHA256_SIZE];
	secprof_prog *prog = NULL;
	struct stat st;
	size_t size, body;
	/* O_NONBLOCK: a FIFO in an entry's place must not hang the run
	 * before fstat refuses it. */
	int fd = openat(dirfd, k->hex, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size < (off_t)(sizeof(h) + sizeof(digest)) || st.st_size > (off_t)MAX_ENTRY)
		goto out;
	size = (size_t)st.st_size;
	if (!(buf = malloc(size)) || read(fd, buf, size) != (ssize_t)size)
		goto out;
	body = size - sizeof(digest);
	sp_sha256_init(&sha);
	sp_sha256_update(&sha, buf, body);
	sp_sha256_final(&sha, digest);
	memcpy(&h, buf, sizeof(h));
	if (memcmp(digest, buf + body, sizeof(digest)) || memcmp(h.magic, ENTRY_MAGIC, 8) ||
	    memcmp(h.key, k->digest, sizeof(h.key)) || h.len == 0 || h.len > 4096 ||
	    h.warn_bytes > body - sizeof(h) ||
	    body != sizeof(h) + h.warn_bytes + (size_t)h.len * sizeof(secprof_insn))
		goto out;
	if (!read_warnings(buf + sizeof(h), buf + sizeof(h) + h.warn_bytes, h.nwarn, log)) {
		sp_warnlog_free(log);
		goto out;
	}
	if (!(prog = calloc(1, sizeof(*prog))) ||
	    !(prog->insns = malloc((size_t)h.len * sizeof(secprof_insn)))) {
		free(prog);
		prog = NULL;
		goto out;
	}
	memcpy(prog->insns, buf + sizeof(h) + h.warn_bytes, (size_t)h.len * sizeof(secprof_insn));
	prog->len = h.len;
	prog->flags = h.flags;
	prog->needs_listener = h.needs_listener != 0;
	/* the cache serves this host's runs only */
	prog->big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
	if (st.st_mtime < time(NULL) - REFRESH_SECONDS)
		futimens(fd, NULL); /* in use: the last to be pruned */
out:
	free(buf);
	close(fd);
	return prog;
}

void sp_progcache_put(int dirfd, const struct sp_progkey *k, const secprof_prog *prog,
		      const struct sp_warnlog *log)
{
	struct entry_head h = { .len = (uint32_t)prog->len,
				.flags = prog->flags,
				.needs_listener = prog->needs_listener,
				.nwarn = (uint32_t)log->n };
	struct sp_buf b = { 0 };
	struct sp_sha256 sha;
	uint8_t digest[SP_SHA256_SIZE];
	char tmp[96];
	int fd;

	if (log->overflow || prog->len == 0 || prog->len > 4096)
		return;
	memcpy(h.magic, ENTRY_MAGIC, 8);
	memcpy(h.key, k->digest, sizeof(h.key));
	for (size_t i = 0; i < log->n; i++) {
		const secprof_error *w = &log->w[i];
		int32_t code = w->code;
		uint32_t lc[2] = { w->line, w->column };
		sp_buf_add(&b, (const char *)&code, 4);
		sp_buf_add(&b, (const char *)lc, 8);
		sp_buf_add(&b, w->file, strnlen(w->file, sizeof(w->file) - 1) + 1);
		sp_buf_add(&b, w->path, strnlen(w->path, sizeof(w->path) - 1) + 1);
		sp_buf_add(&b, w->msg, strnlen(w->msg, sizeof(w->msg) - 1) + 1);
	}
	h.warn_bytes = (uint32_t)b.len;
	{
		struct sp_buf e = { 0 };
		sp_buf_add(&e, (const char *)&h, sizeof(h));
		if (b.len)
			sp_buf_add(&e, b.data, b.len);
		sp_buf_add(&e, (const char *)prog->insns, prog->len * sizeof(secprof_insn));
		free(b.data);
		b = e;
	}
	if (b.oom)
		goto out;
	sp_sha256_init(&sha);
	sp_sha256_update(&sha, b.data, b.len);
	sp_sha256_final(&sha, digest);
	sp_buf_add(&b, (const char *)digest, sizeof(digest));
	if (b.oom)
		goto out;
	snprintf(tmp, sizeof(tmp), ".%s.%ld", k->hex, (long)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	{
		bool ok = write(fd, b.data, b.len) == (ssize_t)b.len;
		ok &= close(fd) == 0; /* closed either way */
		if (!ok || renameat(dirfd, tmp, dirfd, k->hex) < 0)
			unlinkat(dirfd, tmp, 0);
	}
	if (k->digest[0] % PRUNE_EVERY == 0)
		prune(dirfd);
out:
	free(b.data);
}
