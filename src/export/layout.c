/* layout.c - writing exports to disk: the OCI image layout of a profile
 * artifact (KEP-6061's runtime format, as CRI-O's seccompociartifact and
 * the Security Profiles Operator's artifact package read it), and the
 * atomic install into the kubelet's localhost profile tree. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secprof.h"
#include "export/export.h"
#include "profile/resolve.h"

/* ---- atomic file writes --------------------------------------------------- */

/* A directory another user could change what is written below it in:
 * one every user may write to that is not sticky (anyone could rename a
 * file of their own over it, after the fact), or one owned by a user
 * other than root and the caller (its owner could). The kubelet's seccomp
 * root and its parents are root's, 0755. Refused rather than warned
 * about: an installed profile someone else can swap is no filter. */
static int refuse_stat(const struct stat *st, const char *dirname, const char *part,
		       secprof_error *err)
{
	if ((st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX))
		return sp_err(err, SECPROF_E_SYSTEM, dirname, NULL, NULL,
			      "the directory%s%s is writable by every user, who could replace "
			      "what is written there: refused (chmod o-w)",
			      part ? " " : "", part ? part : "");
	if ((st->st_mode & S_IWGRP) && !(st->st_mode & S_ISVTX) && st->st_gid != 0 &&
	    st->st_gid != getegid())
		return sp_err(err, SECPROF_E_SYSTEM, dirname, NULL, NULL,
			      "the directory%s%s is writable by group %u, whose users could "
			      "replace what is written there: refused (chmod g-w)",
			      part ? " " : "", part ? part : "", (unsigned)st->st_gid);
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return sp_err(err, SECPROF_E_SYSTEM, dirname, NULL, NULL,
			      "the directory%s%s belongs to user %u, who could replace what is "
			      "written there: refused",
			      part ? " " : "", part ? part : "", (unsigned)st->st_uid);
	return 0;
}

static int refuse_open_dir(int dfd, const char *dirname, const char *part, secprof_error *err)
{
	struct stat st;

	if (fstat(dfd, &st) < 0)
		return sp_err_errno(err, dirname, "cannot stat directory %s", part ? part : ".");
	return refuse_stat(&st, dirname, part, err);
}

/* The root's path walked from / as the kernel resolves it, before
 * anything is created: every directory on the way held to refuse_stat,
 * and every symbolic link followed only when root or the caller owns it
 * (another user could point it elsewhere later, as they could rename a
 * directory they own). Without `end`, the walk ends at the first part
 * that does not exist yet (install creates it, the caller's then); with
 * it, every part must exist and *end is the directory the walk reaches. */
static int refuse_open_path(const char *root, struct stat *end, secprof_error *err)
{
	char cur[4096] = "/", rest[8192], link[4096];
	int hops = 0;

	if (root[0] == '/')
		snprintf(rest, sizeof(rest), "%s", root);
	else if (!getcwd(link, sizeof(link)) ||
		 snprintf(rest, sizeof(rest), "%s/%s", link, root) >= (int)sizeof(rest))
		return sp_err_errno(err, root, "cannot resolve the directory");
	{
		struct stat st;
		int rc;
		if (stat("/", &st) < 0)
			return sp_err_errno(err, root, "cannot stat /");
		if ((rc = refuse_stat(&st, root, "/", err)) < 0)
			return rc;
		if (end)
			*end = st;
	}
	for (char *p = rest;;) {
		struct stat st;
		char next[4096], *part;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		part = p;
		n = strcspn(p, "/");
		p += n;
		if (n == 1 && part[0] == '.')
			continue;
		if (n == 2 && part[0] == '.' && part[1] == '.') {
			char *slash = strrchr(cur, '/');
			slash[slash == cur] = '\0';
			if (end && stat(cur, end) < 0)
				return sp_err_errno(err, root, "cannot stat %s", cur);
			continue;
		}
		if (snprintf(next, sizeof(next), "%s%s%.*s", cur, strcmp(cur, "/") ? "/" : "",
			     (int)n, part) >= (int)sizeof(next))
			return sp_err(err, SECPROF_E_USAGE, root, NULL, NULL, "path too long");
		if (lstat(next, &st) < 0)
			return errno == ENOENT && !end
				       ? 0
				       : sp_err_errno(err, root, "cannot stat %s", next);
		if (S_ISLNK(st.st_mode)) {
			ssize_t l;
			if (st.st_uid != 0 && st.st_uid != geteuid())
				return sp_err(err, SECPROF_E_SYSTEM, root, NULL, NULL,
					      "the symbolic link %s belongs to user %u, who could "
					      "point it elsewhere: refused",
					      next, (unsigned)st.st_uid);
			if (++hops > 40 || (l = readlink(next, link, sizeof(link) - 1)) < 0)
				return sp_err(err, SECPROF_E_SYSTEM, root, NULL, NULL,
					      "cannot resolve the symbolic link %s", next);
			link[l] = '\0';
			if (snprintf(next, sizeof(next), "%s/%s", link, p) >= (int)sizeof(next))
				return sp_err(err, SECPROF_E_USAGE, root, NULL, NULL,
					      "path too long");
			snprintf(rest, sizeof(rest), "%s", next);
			p = rest;
			if (link[0] == '/')
				snprintf(cur, sizeof(cur), "/");
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int rc = refuse_stat(&st, root, next, err);
			if (rc < 0)
				return rc;
		}
		if (end)
			*end = st;
		snprintf(cur, sizeof(cur), "%s", next);
	}
}

/* The directory `root`, opened after refuse_open_path walked it. A part
 * missing when the path was walked may have been made by another user
 * since (a symbolic link of theirs in a sticky /tmp, which open follows):
 * walked again, every part must now exist and be held to the same rules,
 * and the directory opened must be the one that walk reaches. An fd
 * (O_CLOEXEC) or a negative code with err. */
static int open_walked(const char *root, secprof_error *err)
{
	struct stat end, got;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return sp_err_errno(err, root, "cannot open directory");
	if ((rc = refuse_open_path(root, &end, err)) < 0) {
		close(fd);
		return rc;
	}
	if (fstat(fd, &got) < 0 || got.st_dev != end.st_dev || got.st_ino != end.st_ino) {
		close(fd);
		return sp_err(err, SECPROF_E_SYSTEM, root, NULL, NULL,
			      "the directory changed while it was opened (a symbolic link or a "
			      "directory of another user put in its place?): refused");
	}
	return fd;
}

/* The directory holding dirfd-relative `path` (its parts up to, not
 * including, the last), walked one part at a time from dirfd: each part is
 * created (0755) when missing and opened with O_NOFOLLOW, so a symbolic
 * link on the way (ROOT/profiles -> /elsewhere) is refused, never followed,
 * as mkdirat, openat and renameat on the whole path would follow it. An fd
 * (O_CLOEXEC) or a negative code with err. */
static int open_parent(int dirfd, const char *dirname, const char *path, secprof_error *err)
{
	char buf[4096];
	size_t n = strlen(path);
	int dfd, rc0;

	if (n >= sizeof(buf))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "%s: name too long", path);
	memcpy(buf, path, n + 1);
	if ((dfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return sp_err_errno(err, dirname, "cannot open directory");
	if ((rc0 = refuse_open_dir(dfd, dirname, NULL, err)) < 0) {
		close(dfd);
		return rc0;
	}
	for (char *part = buf, *s; (s = strchr(part, '/')); part = s + 1) {
		struct stat st;
		int next, rc;

		*s = 0;
		if (!*part) {
			*s = '/';
			continue;
		}
		if (mkdirat(dfd, part, 0755) < 0 && errno != EEXIST) {
			rc = sp_err_errno(err, dirname, "cannot create directory %s", buf);
			close(dfd);
			return rc;
		}
		next = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int e = errno;
			bool link = !fstatat(dfd, part, &st, AT_SYMLINK_NOFOLLOW) &&
				    S_ISLNK(st.st_mode);

			errno = e;
			if (link)
				rc = sp_err(err, SECPROF_E_SYSTEM, dirname, NULL, NULL,
					    "%s is a symbolic link: refused, links below the "
					    "directory are not followed",
					    buf);
			else
				rc = sp_err_errno(err, dirname, "cannot open directory %s", buf);
			close(dfd);
			return rc;
		}
		close(dfd);
		dfd = next;
		if ((rc = refuse_open_dir(dfd, dirname, buf, err)) < 0) {
			close(dfd);
			return rc;
		}
		*s = '/';
	}
	return dfd;
}

/* The write a kubelet node or a registry tool may read at any moment:
 * the new bytes go to a temporary name beside the target, are fsync'ed,
 * renamed over it (rename(2) replaces atomically), and the directory is
 * fsync'ed so the rename itself survives a crash (as containerd's
 * atomicfile and the SPO's profile writer do). Every step is relative to
 * the target's directory, opened by open_parent. */
static int atomic_write(int rootfd, const char *rootname, const char *name, const char *data,
			size_t len, secprof_error *err)
{
	char tmp[4200], dir[4096];
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name, *tbase;
	int fd, dfd, rc = 0;

	if ((dfd = open_parent(rootfd, rootname, name, err)) < 0)
		return dfd;
	snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp.%ld", (int)(base - name), name, base,
		 (long)getpid());
	tbase = tmp + (base - name);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - name) : 1, slash ? name : ".");
	fd = openat(dfd, tbase, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		rc = sp_err_errno(err, rootname, "cannot create %s", tmp);
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || sp_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		rc = sp_err_errno(err, rootname, "cannot write %s", tmp);
		close(fd);
		unlinkat(dfd, tbase, 0);
		goto out;
	}
	if (close(fd) < 0 || renameat(dfd, tbase, dfd, base) < 0) {
		rc = sp_err_errno(err, rootname, "cannot rename %s to %s", tmp, name);
		unlinkat(dfd, tbase, 0);
		goto out;
	}
	if (fsync(dfd) < 0)
		rc = sp_err_errno(err, rootname, "cannot sync directory %s", dir);
out:
	close(dfd);
	return rc;
}

static bool safe_name(const char *name)
{
	const char *s = name;

	if (!*name || *name == '/')
		return false;
	while (*s) {
		size_t n = strcspn(s, "/");
		if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
		if (*s)
			s++;
	}
	return s[-1] != '/';
}

int secprof_install_file(const char *root, const char *name, const char *data, size_t len,
			 secprof_error *err)
{
	int rootfd, rc;

	if (!root || !name || (!data && len))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "install: NULL argument");
	/* the kubelet's localhostProfile must be a descending path */
	if (!safe_name(name))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "install: '%s' is not a relative path below the root (no '..', "
			      "'.', empty or absolute parts)",
			      name);
	if ((rc = refuse_open_path(root, NULL, err)) < 0)
		return rc;
	if (mkdir(root, 0755) < 0 && errno != EEXIST) {
		/* the root's parents (a kubelet tree not made yet) */
		char *copy = strdup(root);
		for (char *s = copy ? copy + 1 : NULL; s && (s = strchr(s, '/')); s++) {
			*s = 0;
			if (mkdir(copy, 0755) < 0 && errno != EEXIST)
				break;
			*s = '/';
		}
		free(copy);
		if (mkdir(root, 0755) < 0 && errno != EEXIST)
			return sp_err_errno(err, root, "cannot create directory");
	}
	if ((rootfd = open_walked(root, err)) < 0)
		return rootfd;
	rc = atomic_write(rootfd, root, name, data ? data : "", len, err);
	close(rootfd);
	return rc;
}

/* ---- the OCI image layout ----------------------------------------------------- */

#define SECCOMP_MEDIA_TYPE "application/vnd.cncf.seccomp-profile.config.v1+json"

static void digest_hex(const char *data, size_t n, char hex[65])
{
	unsigned char d[32];

	sp_sha256(data, n, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static int put_blob(int dfd, const char *dir, const char *data, size_t n, char hex[65],
		    secprof_error *err)
{
	char name[128];

	digest_hex(data, n, hex);
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	return atomic_write(dfd, dir, name, data, n, err);
}

int secprof_export_oci_layout(secprof_ctx *ctx, const secprof_resolved *r,
			      const secprof_export_opts *o, const char *dir, secprof_error *err)
{
	secprof_export_opts jo = { .format = SECPROF_EXPORT_OCI };
	struct sp_buf man = { 0 }, idx = { 0 };
	char cfg_hex[65], prof_hex[65], man_hex[65];
	char *prof = NULL;
	size_t nprof = 0;
	const char *config = "{}";
	int dfd = -1, rc;

	if (!r || !o || !dir)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "export: NULL argument");
	if (!r->unconfined) {
		const struct secprof_profile *p = r->prof;
		if ((p->listener_path.s && *p->listener_path.s) ||
		    (p->listener_metadata.s && *p->listener_metadata.s))
			return sp_err(err, SECPROF_E_PROFILE, p->file, NULL, "listenerPath",
				      "a seccomp profile artifact cannot carry listener settings "
				      "(runtimes refuse them in KEP-6061 artifacts)");
	}
	if ((rc = secprof_export(ctx, r, &jo, &prof, &nprof, err)) < 0)
		return rc;
	if (strstr(prof, "\"SCMP_ACT_NOTIFY\"")) {
		free(prof);
		return sp_err(err, SECPROF_E_PROFILE, r->prof->file, NULL, NULL,
			      "a seccomp profile artifact cannot use SCMP_ACT_NOTIFY (runtimes "
			      "refuse it in KEP-6061 artifacts)");
	}
	/* DIR itself held to install's rules: a link of another user's there
	 * (made before, or while DIR was created) is not followed */
	if ((rc = refuse_open_path(dir, NULL, err)) < 0) {
		free(prof);
		return rc;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		free(prof);
		return sp_err_errno(err, dir, "cannot create directory");
	}
	if ((dfd = open_walked(dir, err)) < 0) {
		free(prof);
		return dfd;
	}
	rc = put_blob(dfd, dir, config, strlen(config), cfg_hex, err);
	if (rc == 0)
		rc = put_blob(dfd, dir, prof, nprof, prof_hex, err);
	if (rc == 0) {
		/* image-spec v1.1 manifest.md: artifactType names the
		 * artifact; the config is the empty JSON object carrying the
		 * media type runtimes select on (CRI-O seccompociartifact's
		 * requiredConfigMediaType) */
		sp_buf_printf(
			&man,
			"{\"schemaVersion\":2,"
			"\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			"\"artifactType\":\"" SECCOMP_MEDIA_TYPE "\","
			"\"config\":{\"mediaType\":\"" SECCOMP_MEDIA_TYPE "\","
			"\"digest\":\"sha256:%s\",\"size\":%zu},"
			"\"layers\":[{\"mediaType\":\"application/json\","
			"\"digest\":\"sha256:%s\",\"size\":%zu,"
			"\"annotations\":{\"org.opencontainers.image.title\":\"profile.json\"}}],"
			"\"annotations\":{\"org.opencontainers.image.title\":",
			cfg_hex, strlen(config), prof_hex, nprof);
		sp_buf_json_str(&man, o->name ? o->name : "profile");
		sp_buf_puts(&man, "}}");
		rc = man.oom ? sp_err_oom(err)
			     : put_blob(dfd, dir, man.data, man.len, man_hex, err);
	}
	if (rc == 0) {
		sp_buf_printf(
			&idx,
			"{\"schemaVersion\":2,"
			"\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
			"\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			"\"artifactType\":\"" SECCOMP_MEDIA_TYPE "\","
			"\"digest\":\"sha256:%s\",\"size\":%zu,"
			"\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
			man_hex, man.len);
		rc = idx.oom ? sp_err_oom(err)
			     : atomic_write(dfd, dir, "oci-layout",
					    "{\"imageLayoutVersion\":\"1.0.0\"}",
					    strlen("{\"imageLayoutVersion\":\"1.0.0\"}"), err);
	}
	/* index.json last: a reader that finds it finds every blob */
	if (rc == 0)
		rc = atomic_write(dfd, dir, "index.json", idx.data, idx.len, err);
	sp_buf_free(&man);
	sp_buf_free(&idx);
	free(prof);
	close(dfd);
	return rc;
}
