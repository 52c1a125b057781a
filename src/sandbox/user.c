/* user.c - `--user name|uid[:group|gid]` resolved the way Docker's runtime
 * does (moby/sys/user GetExecUser, used by runc): against the /etc/passwd and
 * /etc/group of the root the command runs in, called after pivot_root. A
 * numeric user without a passwd entry is fine (gid 0); a name must exist.
 *
 * Supplementary groups as Docker sets them (moby daemon/oci_linux.go,
 * getUser, since 20.10.18): the primary gid first, then, only when the spec
 * names no group, the groups that list the user as a member
 * (GetExecUser's "implicit form"). The primary gid among them is the fix
 * for CVE-2022-36109 (GHSA-rc4r-wh2q-q6c4): without it a process that
 * changes its gid (a setgid program) leaves the primary group behind, and
 * with it a file mode that denies that group. Duplicates are dropped: the
 * kernel keeps them, runc's lookup does not (docs/COMPAT.md §3.5). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* Everything here runs between a clone(2) and an execve: in init (the
 * capture) and in the command's child (the lookup). clone runs none of
 * the C library's fork handlers, so a lock of the allocator that another
 * thread of a library caller held at the copy is held for ever in the
 * child, and so is one of the sanitizers' allocators even after a fork
 * (container.c, clone_init_from_fork). So no malloc, no stdio stream:
 * the files' bytes go to anonymous mappings, and lines and fields are
 * read in place as spans. */

/* Bytes of a file, not NUL-terminated; p NULL: no such field or file. */
struct span {
	const char *p;
	size_t n;
};

static struct span span_of(const char *s)
{
	return (struct span){ s, s ? strlen(s) : 0 };
}

static bool span_is(struct span s, const char *str)
{
	return s.p && s.n == strlen(str) && !memcmp(s.p, str, s.n);
}

/* The next line at *cur (without its newline), *cur moved past it. A NUL
 * is a byte like any other, as for runc's reader (Go's bufio.Scanner). */
static bool next_line(const char **cur, const char *end, struct span *line)
{
	const char *nl;

	if (*cur >= end)
		return false;
	nl = memchr(*cur, '\n', (size_t)(end - *cur));
	*line = (struct span){ *cur, (size_t)((nl ? nl : end) - *cur) };
	*cur = nl ? nl + 1 : end;
	return true;
}

/* The next piece of *rest up to sep, *rest moved past the separator
 * (p NULL once nothing is left: strsep's contract on spans). */
static struct span next_piece(struct span *rest, char sep)
{
	struct span piece = *rest;
	const char *at;

	if (!rest->p)
		return piece;
	at = memchr(rest->p, sep, rest->n);
	if (!at) {
		rest->p = NULL;
		rest->n = 0;
		return piece;
	}
	piece.n = (size_t)(at - rest->p);
	rest->n -= piece.n + 1;
	rest->p = at + 1;
	return piece;
}

/* The length of the white space that ends (at_end) or starts s, as
 * Go's unicode.IsSpace has it: ASCII's six, and U+0085, U+00A0, U+1680,
 * U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and U+3000 in UTF-8. */
static size_t space_at(struct span s, bool at_end)
{
	/* 2 or 3 bytes each; no pointers: no relocation at load */
	static const char wide[][4] = {
		"\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
		"\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
		"\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
		"\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
	};
	char c;

	if (!s.n)
		return 0;
	c = at_end ? s.p[s.n - 1] : s.p[0];
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	for (size_t i = 0; i < SP_ARRAY_SIZE(wide); i++) {
		size_t n = strlen(wide[i]);
		if (s.n >= n && !memcmp(at_end ? s.p + s.n - n : s.p, wide[i], n))
			return n;
	}
	return 0;
}

/* The next entry of a passwd or group file as runc's reader takes it
 * (moby/sys/user ParsePasswdFilter, ParseGroupFilter): each line with
 * its leading and trailing white space cut (bytes.TrimSpace), an empty
 * one skipped, and in /etc/group a line starting with '#' too; a
 * passwd line starting with '#' is an entry there, so it is one here
 * (skipping it would give its uid group 0 instead of its own). */
static bool next_entry(const char **cur, const char *end, bool group, struct span *line)
{
	size_t n;

	while (next_line(cur, end, line)) {
		while ((n = space_at(*line, false)))
			*line = (struct span){ line->p + n, line->n - n };
		while ((n = space_at(*line, true)))
			line->n -= n;
		if (line->n && !(group && line->p[0] == '#'))
			return true;
	}
	return false;
}

/* Split a colon-separated line into at most max fields (the rest: p
 * NULL); returns the count. */
static int split_fields(struct span line, struct span *field, int max)
{
	int n = 0;

	while (n < max && (field[n] = next_piece(&line, ':')).p)
		n++;
	for (int i = n; i < max; i++)
		field[i] = (struct span){ NULL, 0 };
	return n;
}

/* A decimal id up to 2^32 - 2 (-1 is no id to the kernel); a field that
 * is missing (a line with fewer fields, "app:x:1000") is none. */
static bool parse_id(struct span s, unsigned long *out)
{
	uint64_t v = 0; /* 64 bits where unsigned long has 32: no wrap to 0 */

	if (!s.p || !s.n)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
		if (v > 0xfffffffeu)
			return false;
	}
	*out = (unsigned long)v;
	return true;
}

#define USERDB_MAX (16u << 20)

/* Anonymous memory for a file's bytes, never the allocator's (above):
 * MAP_NORESERVE, as only the pages read into are ever touched. */
static char *map_bytes(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Read fd into buf until its end or cap bytes; the count read. */
static size_t read_into(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t got;

	while (len < cap && (got = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)got;
	return len;
}

/* A regular file of the root, opened for reading: -1 for anything else
 * (as a missing file), -2 with errno when it is one and cannot be opened.
 * Found with O_PATH, which opens nothing: the root is still being built
 * and the device rules may not be in force yet (container.c
 * devices_armed), so a device node planted in the image as /etc/passwd
 * must not reach its driver's open. Opened through the host's /proc
 * (this runs before pivot_root; the masks are bound the same way). */
static int open_regular(const char *path)
{
	char self[64];
	struct stat st;
	int p = sp_open_in_root(AT_FDCWD, path, O_PATH), fd, e;

	if (p < 0)
		return -1;
	if (fstat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(p);
		return -1;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
	fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	e = errno;
	close(p);
	errno = e;
	return fd < 0 ? -2 : fd;
}

/* Kept mapped for the rest of init and its command child: both end in
 * execve, which unmaps it. */
static int capture_file(const char *path, char **out, size_t *len, secprof_error *err)
{
	struct stat st;
	int fd = open_regular(path);

	*out = NULL;
	*len = 0;
	if (fd == -2)
		return sp_err_errno(err, NULL, "cannot read the container's %s", path);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return 0; /* as a missing file: no entries */
	}
	if (st.st_size > (off_t)USERDB_MAX || !(*out = map_bytes((size_t)st.st_size))) {
		close(fd);
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "cannot read the container's %s (%lld bytes)", path,
			      (long long)st.st_size);
	}
	*len = read_into(fd, *out, (size_t)st.st_size);
	close(fd);
	return 0;
}

int sp_userdb_capture(struct sp_userdb *db, secprof_error *err)
{
	if (capture_file("etc/passwd", &db->passwd, &db->passwd_len, err) < 0 ||
	    capture_file("etc/group", &db->group, &db->group_len, err) < 0)
		return -1;
	return 0;
}

/* One of the two files, whole: the captured copy, or the root's own read
 * into a mapping of its own (map, maplen: unmapped by close_db). */
struct db_file {
	const char *p, *end;
	char *map;
	size_t maplen;
};

/* Read fd whole into f->map, a mapping sized by fstat and grown with
 * mremap while reads fill it (a file that grew, or is no regular file),
 * never past USERDB_MAX + 1 bytes: each lookup's mapping counts against
 * RLIMIT_DATA and RLIMIT_AS, and one of the limit's size refused every
 * run under a modest limit. The count read, or -1 with no memory. */
static ssize_t read_mapped(int fd, struct db_file *f)
{
	struct stat st;
	size_t len = 0, page = (size_t)sysconf(_SC_PAGESIZE);

	f->maplen = page;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (off_t)USERDB_MAX)
		f->maplen = ((size_t)st.st_size + page) / page * page; /* room for one byte more */
	if (!(f->map = map_bytes(f->maplen)))
		return -1;
	for (;;) {
		len += read_into(fd, f->map + len, f->maplen - len);
		if (len < f->maplen || f->maplen > USERDB_MAX)
			return (ssize_t)len;
		size_t more = f->maplen * 2 > USERDB_MAX + 1 ? USERDB_MAX + 1 : f->maplen * 2;
		void *p = mremap(f->map, f->maplen, more, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return -1;
		f->map = p;
		f->maplen = more;
	}
}

/* The root's own file, read with openat, read and close alone. It is read
 * under the profile's filter (runc's setupUser reads it after
 * InitSeccomp, with Go's os.Open: openat), and a file the filter keeps
 * shut reads as no file, as in runc (GetExecUserPath): a numeric user in
 * group 0. So no stdio open, whose calls are the C library's: musl's
 * fopen makes open(2) where the arch has it, and fcntl
 * (src/stdio/fopen.c), which a profile allowing openat alone denies;
 * glibc's fdopen makes fcntl (libio/iofdopen.c). Past USERDB_MAX bytes:
 * *too_long, never a cut file whose missing entries would read as a
 * numeric user without one (/etc/group a link to /dev/zero). No memory
 * to read it into (a profile denying mmap or mremap, a data limit):
 * *no_memory, refused too. */
static void open_host_db(bool group, struct db_file *f, bool *too_long, bool *no_memory)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, group ? "/etc/group" : "/etc/passwd",
			      O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return;
	len = read_mapped(fd, f);
	close(fd);
	if (len < 0)
		*no_memory = true;
	else if ((size_t)len > USERDB_MAX)
		*too_long = true;
	else
		*f = (struct db_file){ f->map, f->map + len, f->map, f->maplen };
}

static void open_db(const struct sp_userdb *db, bool group, struct db_file *f, struct sp_user *u)
{
	const char *buf = !db ? NULL : group ? db->group : db->passwd;
	size_t len = !db ? 0 : group ? db->group_len : db->passwd_len;

	*f = (struct db_file){ NULL, NULL, NULL, 0 };
	if (!db)
		open_host_db(group, f, &u->too_long, &u->no_memory);
	else if (buf)
		*f = (struct db_file){ buf, buf + len, NULL, 0 };
}

static void close_db(struct db_file *f)
{
	if (f->map)
		munmap(f->map, f->maplen);
}

/* Find name (or id, when name is NULL) in a passwd/group style file, its
 * fields in field on a match. They point into the file: the captured copy
 * outlives them; a file of the root's own is kept open in *f. */
static bool find_entry(const struct sp_userdb *db, bool group, const char *name, unsigned long id,
		       struct db_file *f, struct span *field, int nfields, struct sp_user *u)
{
	const char *cur;
	struct span line;
	unsigned long fid;

	open_db(db, group, f, u);
	for (cur = f->p; cur && next_entry(&cur, f->end, group, &line);) {
		if (split_fields(line, field, nfields) < 3)
			continue;
		if (name ? span_is(field[0], name) : parse_id(field[2], &fid) && fid == id)
			return true;
	}
	return false;
}

static void add_group(struct sp_user *u, gid_t gid)
{
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] == gid)
			return;
	if (u->ngroups < SP_ARRAY_SIZE(u->groups))
		u->groups[u->ngroups++] = gid;
	else
		u->too_many = true;
}

/* An empty member field lists nobody, as runc reads it (moby/sys/user
 * parseLine: "" is no member, not one of empty name), so a passwd entry
 * without a name is in no group by it. */
static bool lists_member(struct span members, struct span user)
{
	struct span m;

	if (!members.n)
		return false;
	while ((m = next_piece(&members, ',')).p)
		if (m.n == user.n && !memcmp(m.p, user.p, m.n))
			return true;
	return false;
}

static void add_member_groups(const struct sp_userdb *db, struct span user, struct sp_user *u)
{
	struct db_file f;
	struct span line, field[4];
	const char *cur;
	unsigned long gid;

	open_db(db, true, &f, u);
	for (cur = f.p;
	     cur && !u->too_many && !u->bad_member_gid && next_entry(&cur, f.end, true, &line);) {
		if (split_fields(line, field, 4) < 4 || !lists_member(field[3], user))
			continue;
		/* runc reads a gid that is no number as 0 (parseLine:
		 * strconv.Atoi's error dropped): root's group, which a
		 * refusal gives no one */
		if (parse_id(field[2], &gid))
			add_group(u, (gid_t)gid);
		else
			u->bad_member_gid = true;
	}
	close_db(&f);
}

/* moby/sys/user GetExecUser refuses a numeric user or group of the
 * --user argument above 2^31 - 1 (ErrRange), though the kernel takes up
 * to 2^32 - 2; the ids of passwd and group entries are not held to it. */
#define ID_ARG_MAX 0x7fffffffu

static int id_range(secprof_error *err)
{
	return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "uids and gids must be in range 0-%u",
		      ID_ARG_MAX);
}

static int resolve_group(const struct sp_userdb *db, const char *spec, struct sp_user *u,
			 secprof_error *err)
{
	struct db_file f;
	struct span field[4];
	unsigned long id;
	int rc = 0;

	if (parse_id(span_of(spec), &id)) {
		if (id > ID_ARG_MAX)
			return id_range(err);
		u->gid = (gid_t)id;
		return 0;
	}
	if (!find_entry(db, true, spec, 0, &f, field, 4, u))
		rc = u->too_long || u->no_memory
			     ? 0
			     : sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "unable to find group %s: no matching entries in group file",
				      spec);
	else if (!parse_id(field[2], &id))
		rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			    "bad gid for group %s in /etc/group", spec);
	else
		u->gid = (gid_t)id;
	close_db(&f);
	return rc;
}

/* Why a lookup read no file whole, or 0. */
static int unread_db(const struct sp_user *u, const char *name, secprof_error *err)
{
	if (u->too_long)
		return sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"cannot look user %s up: the container's /etc/passwd or /etc/group has a line longer than %u bytes",
			name, USERDB_MAX);
	if (u->no_memory)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "cannot look user %s up: no memory to read /etc/passwd or /etc/group",
			      name);
	return 0;
}

int sp_user_resolve(const char *spec, const struct sp_userdb *db, struct sp_user *u,
		    secprof_error *err)
{
	char copy[256], *group;
	struct db_file f;
	struct span field[7];
	unsigned long id = 0;
	bool numeric, found;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	/* Refused rather than cut: a cut "<252 zeros>1000:65534" ran as uid
	 * 100 and group 0, where Docker gives uid 1000, gid 65534. */
	if ((size_t)snprintf(copy, sizeof(copy), "%s", spec) >= sizeof(copy))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "invalid user: \"%.32s...\" is longer than %zu bytes", spec,
			      sizeof(copy) - 1);
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	numeric = parse_id(span_of(copy), &id);
	if (!numeric && !copy[0])
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "invalid user: \"%s\"", spec);
	if (numeric && id > ID_ARG_MAX)
		return id_range(err);
	found = find_entry(db, false, numeric ? NULL : copy, id, &f, field, 7, u);
	if (u->too_long || u->no_memory)
		goto out;
	if (!found && !numeric) {
		rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			    "unable to find user %s: no matching entries in passwd file", copy);
		goto out;
	}
	u->uid = (uid_t)id;
	if (found) {
		unsigned long gid = 0;
		if (!parse_id(field[2], &id) || !parse_id(field[3], &gid)) {
			rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				    "bad uid or gid for user %s in /etc/passwd", copy);
			goto out;
		}
		u->uid = (uid_t)id;
		u->gid = (gid_t)gid;
	}
	if (group && (rc = resolve_group(db, group, u, err)) < 0)
		goto out;
	add_group(u, u->gid);
	if (found && !group)
		add_member_groups(db, field[0], u);
	/* Fewer groups than Docker sets would let a file through whose mode
	 * denies one of the others: refuse rather than cut the list. */
	if (u->bad_member_gid && !u->too_long && !u->no_memory)
		rc = sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"user %s is listed in a group of /etc/group whose gid is no number: Docker would give it group 0, secprof refuses",
			copy);
	else if (u->too_many && !u->too_long && !u->no_memory)
		rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			    "user %s is in more than %zu groups: secprof cannot set them all", copy,
			    SP_ARRAY_SIZE(u->groups));
out:
	if (u->too_long || u->no_memory)
		rc = unread_db(u, copy, err);
	close_db(&f);
	return rc;
}

int sp_user_home(const struct sp_userdb *db, uid_t uid, char *out, size_t len)
{
	struct sp_user u = { 0 };
	struct db_file f;
	struct span field[7];
	int rc = 0;

	snprintf(out, len, "/");
	if (find_entry(db, false, NULL, uid, &f, field, 7, &u) && field[5].p &&
	    (size_t)snprintf(out, len, "%.*s", (int)field[5].n, field[5].p) >= len)
		rc = -1;
	close_db(&f);
	return rc;
}
