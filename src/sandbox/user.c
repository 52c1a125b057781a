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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* Split a colon-separated line into at most max fields; returns the count. */
static int split_fields(char *line, char **field, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max && (field[n] = strsep(&line, ":")))
		n++;
	for (int i = n; i < max; i++)
		field[i] = NULL;
	return n;
}

/* A field that is missing (NULL: a line with fewer fields, "app:x:1000")
 * is no id. */
static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out <= 0xfffffffeUL;
}

#define USERDB_MAX (16u << 20)

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

static int capture_file(const char *path, char **out, size_t *len, secprof_error *err)
{
	struct stat st;
	ssize_t got;
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
	if (st.st_size > (off_t)USERDB_MAX || !(*out = malloc((size_t)st.st_size))) {
		close(fd);
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "cannot read the container's %s (%lld bytes)", path,
			      (long long)st.st_size);
	}
	while ((got = read(fd, *out + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)got;
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

/* The root's own file, read whole into *copy (the caller frees it) with
 * openat, read and close alone. It is read under the profile's filter
 * (runc's setupUser reads it after InitSeccomp, with Go's os.Open: openat),
 * and a file the filter keeps shut reads as no file, as in runc
 * (GetExecUserPath): a numeric user in group 0. So no stdio open, whose
 * calls are the C library's: musl's fopen makes open(2) where the arch has
 * it, and fcntl (src/stdio/fopen.c), which a profile allowing openat alone
 * denies; glibc's fdopen makes fcntl (libio/iofdopen.c). At USERDB_MAX
 * bytes: *too_long, never a cut file whose missing entries would read as
 * a numeric user without one. */
static FILE *open_host_db(bool group, char **copy, bool *too_long)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, group ? "/etc/group" : "/etc/passwd",
			      O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 0;
	char *buf = NULL;
	bool big = false;

	*copy = NULL;
	if (fd < 0)
		return NULL;
	for (;;) {
		if (len == cap) {
			char *p = NULL;
			if (cap < USERDB_MAX)
				p = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!p) {
				big = true;
				break;
			}
			buf = p;
		}
		ssize_t got = read(fd, buf + len, cap - len);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (big)
		*too_long = true;
	if (big || !len) {
		free(buf);
		return NULL;
	}
	*copy = buf;
	return fmemopen(buf, len, "r");
}

/* One of the two files: the captured copy, or the root's own (*copy: the
 * caller frees it after fclose). */
static FILE *open_db(const struct sp_userdb *db, bool group, char **copy, bool *too_long)
{
	const char *buf = !db ? NULL : group ? db->group : db->passwd;
	size_t len = !db ? 0 : group ? db->group_len : db->passwd_len;

	*copy = NULL;
	if (!db)
		return open_host_db(group, copy, too_long);
	return buf && len ? fmemopen((void *)buf, len, "r") : NULL;
}

/* The next line of f, whole however long (a group that lists many
 * members can be longer than any fixed buffer, and a line read in pieces
 * would lose the member named past the cut, or read a piece as an entry
 * of its own), in *line, grown as needed (the caller frees it). runc reads
 * a group line whole too (libcontainer/user/user.go ParseGroupFilter:
 * ReadLine while isPrefix), so Docker gives the user that group. Its
 * length, or -1 at the end of the file or past USERDB_MAX bytes without a
 * newline (*too_long: /etc/group a link to /dev/zero would otherwise be
 * read until memory runs out). Byte by byte: a NUL is no end. */
static ssize_t read_line(FILE *f, char **line, size_t *cap, bool *too_long)
{
	size_t len = 0;
	int c;

	while ((c = getc(f)) != EOF) {
		if (len + 2 > *cap) {
			size_t n = *cap ? *cap * 2 : 4096;
			char *p;

			if (n > USERDB_MAX + 2) {
				*too_long = true;
				return -1;
			}
			if (!(p = realloc(*line, n))) {
				*too_long = true; /* unread, as a line too long */
				return -1;
			}
			*line = p;
			*cap = n;
		}
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (!len)
		return -1;
	(*line)[len] = '\0';
	return (ssize_t)len;
}

/* Find name (or id, when name is NULL) in a passwd/group style file; on a
 * match the whole line is in *line (read_line's) and its fields in field. */
static bool find_entry(const struct sp_userdb *db, bool group, const char *name, unsigned long id,
		       char **line, size_t *cap, char **field, int nfields, bool *too_long)
{
	char *copy;
	FILE *f = open_db(db, group, &copy, too_long);
	bool found = false;

	if (!f) {
		free(copy);
		return false;
	}
	while (!found && read_line(f, line, cap, too_long) >= 0) {
		unsigned long fid;
		if ((*line)[0] == '#' || split_fields(*line, field, nfields) < 3)
			continue;
		if (name)
			found = !strcmp(field[0], name);
		else
			found = parse_id(field[2], &fid) && fid == id;
	}
	fclose(f);
	free(copy);
	return found;
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

static void add_member_groups(const struct sp_userdb *db, const char *user, struct sp_user *u)
{
	char *line = NULL, *field[4], *copy;
	FILE *f = open_db(db, true, &copy, &u->too_long);
	size_t cap = 0;
	unsigned long gid;

	if (!f) {
		free(copy);
		return;
	}
	while (!u->too_many && read_line(f, &line, &cap, &u->too_long) >= 0) {
		char *members, *m;
		if (split_fields(line, field, 4) < 4 || !parse_id(field[2], &gid))
			continue;
		members = field[3];
		while ((m = strsep(&members, ",")))
			if (!strcmp(m, user)) {
				add_group(u, (gid_t)gid);
				break;
			}
	}
	free(line);
	fclose(f);
	free(copy);
}

static int resolve_group(const struct sp_userdb *db, const char *spec, struct sp_user *u,
			 secprof_error *err)
{
	char *line = NULL, *field[4];
	size_t cap = 0;
	unsigned long id;
	int rc = 0;

	if (parse_id(spec, &id)) {
		u->gid = (gid_t)id;
		return 0;
	}
	if (!find_entry(db, true, spec, 0, &line, &cap, field, 4, &u->too_long))
		rc = u->too_long
			     ? 0
			     : sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "unable to find group %s: no matching entries in group file",
				      spec);
	else if (!parse_id(field[2], &id))
		rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			    "bad gid for group %s in /etc/group", spec);
	else
		u->gid = (gid_t)id;
	free(line);
	return rc;
}

int sp_user_resolve(const char *spec, const struct sp_userdb *db, struct sp_user *u,
		    secprof_error *err)
{
	char copy[256], *line = NULL, *field[7], *group;
	size_t cap = 0;
	unsigned long id = 0;
	bool numeric, found;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	snprintf(copy, sizeof(copy), "%s", spec);
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	numeric = parse_id(copy, &id);
	if (!numeric && !copy[0])
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "invalid user: \"%s\"", spec);
	found = find_entry(db, false, numeric ? NULL : copy, id, &line, &cap, field, 7,
			   &u->too_long);
	if (u->too_long)
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
	if (u->too_long)
		goto out;
	if (u->too_many)
		rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			    "user %s is in more than %zu groups: secprof cannot set them all", copy,
			    SP_ARRAY_SIZE(u->groups));
out:
	if (u->too_long)
		rc = sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"cannot look user %s up: the container's /etc/passwd or /etc/group has a line longer than %u bytes",
			copy, USERDB_MAX);
	free(line);
	return rc;
}

void sp_user_home(const struct sp_userdb *db, uid_t uid, char *out, size_t len)
{
	char *line = NULL, *field[7];
	size_t cap = 0;
	bool too_long = false;

	snprintf(out, len, "/");
	if (find_entry(db, false, NULL, uid, &line, &cap, field, 7, &too_long) && field[5])
		snprintf(out, len, "%s", field[5]);
	free(line);
}
