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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return n;
}

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out <= 0xfffffffeUL;
}

/* Find name (or id, when name is NULL) in a passwd/group style file; on a
 * match copy the line's fields into buf/field and return true. */
static bool find_entry(const char *file, const char *name, unsigned long id, char *buf, size_t len,
		       char **field, int nfields)
{
	FILE *f = fopen(file, "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(buf, (int)len, f)) {
		unsigned long fid;
		if (buf[0] == '#' || split_fields(buf, field, nfields) < 3)
			continue;
		if (name)
			found = !strcmp(field[0], name);
		else
			found = parse_id(field[2], &fid) && fid == id;
	}
	fclose(f);
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

static void add_member_groups(const char *user, struct sp_user *u)
{
	FILE *f = fopen("/etc/group", "re");
	char line[4096], *field[4];
	unsigned long gid;

	if (!f)
		return;
	while (!u->too_many && fgets(line, sizeof(line), f)) {
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
	fclose(f);
}

static int resolve_group(const char *spec, struct sp_user *u, secprof_error *err)
{
	char line[4096], *field[4];
	unsigned long id;

	if (parse_id(spec, &id)) {
		u->gid = (gid_t)id;
		return 0;
	}
	if (!find_entry("/etc/group", spec, 0, line, sizeof(line), field, 4))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "unable to find group %s: no matching entries in group file", spec);
	if (!parse_id(field[2], &id))
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "bad gid for group %s in /etc/group", spec);
	u->gid = (gid_t)id;
	return 0;
}

int sp_user_resolve(const char *spec, struct sp_user *u, secprof_error *err)
{
	char copy[256], line[4096], *field[7], *group;
	unsigned long id = 0;
	bool numeric, found;

	memset(u, 0, sizeof(*u));
	snprintf(copy, sizeof(copy), "%s", spec);
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	numeric = parse_id(copy, &id);
	if (!numeric && !copy[0])
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "invalid user: \"%s\"", spec);
	found = find_entry("/etc/passwd", numeric ? NULL : copy, id, line, sizeof(line), field, 7);
	if (!found && !numeric)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "unable to find user %s: no matching entries in passwd file", copy);
	u->uid = (uid_t)id;
	if (found) {
		unsigned long gid = 0;
		if (!parse_id(field[2], &id) || !parse_id(field[3], &gid))
			return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				      "bad uid or gid for user %s in /etc/passwd", copy);
		u->uid = (uid_t)id;
		u->gid = (gid_t)gid;
	}
	if (group && resolve_group(group, u, err) < 0)
		return -1;
	add_group(u, u->gid);
	if (found && !group)
		add_member_groups(field[0], u);
	/* Fewer groups than Docker sets would let a file through whose mode
	 * denies one of the others: refuse rather than cut the list. */
	if (u->too_many)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "user %s is in more than %zu groups: secprof cannot set them all",
			      copy, SP_ARRAY_SIZE(u->groups));
	return 0;
}
