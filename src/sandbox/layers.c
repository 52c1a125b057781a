/* layers.c - the container's root as an overlay and docker run's mounts.
 *
 * The root: `secprof run --rootfs DIR` and `--image` both mount an
 * overlay (Documentation/filesystems/overlayfs.rst) whose lower layers are
 * DIR or the image's unpacked layers and whose upper layer is a fresh
 * directory thrown away when the container exits, as `docker run --rm`
 * throws away its container layer (moby's overlay2 graph driver). It is
 * mounted by the container's init, inside its own mount namespace, so it
 * vanishes with the container even when secprof is killed.
 *
 * The mounts: -v, --mount and --tmpfs parsed as docker/cli and moby parse
 * them (docker/cli opts/mount.go, moby volume/mounts/linux_parser.go
 * ParseMountRaw, daemon/oci_linux.go's tmpfs defaults), then made with the
 * new mount API onto a target opened inside the root with openat2
 * RESOLVE_IN_ROOT, as runc resolves a mount's destination with
 * securejoin: a symlink planted in an image (/data -> /etc) is resolved
 * as if the root were /, never to a host path. */
#include <errno.h>
#include <locale.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/newmount.h"
#include "sandbox/run.h"

#define USAGE(...) sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, __VA_ARGS__)

/* ---- the overlay root ------------------------------------------------------ */

/* overlayfs splits lowerdir at ':' and the mount data at ','; a path with
 * either (or the escape '\') is refused rather than escaped. */
static bool overlay_safe(const char *p)
{
	return !strpbrk(p, ":,\\");
}

/* A throwaway upper and its work directory live on a tmpfs mounted on the
 * overlay's own mount point, in the container's mount namespace: nothing
 * of the layer ever reaches the disk, so nothing is synced when the
 * namespace dies (ovl_sync_fs on ext4: a writeback, a journal commit and a
 * disk cache flush, ~10 ms) and nothing is left to delete (on a disk
 * mounted "discard" each rmdir waits for a discard, 0.15 to 0.3 ms). The
 * overlay then covers the tmpfs: it keeps its own private clone of the
 * upper's mount (fs/overlayfs/super.c ovl_get_upper, clone_private_mount),
 * and the tmpfs goes with the old root at pivot_root. Neither nosuid nor
 * nodev, as a directory on the host's disk would not be. */
static int mount_upper_tmpfs(const struct sp_run_opts *o, secprof_error *err)
{
	if (mount("tmpfs", o->rootfs, "tmpfs", 0, "mode=755") < 0)
		return sp_err_errno(err, NULL, "cannot mount the throwaway layer's tmpfs on %s",
				    o->rootfs);
	/* The upper's root is the container's /: as open as a root is,
	 * whatever the umask. */
	if (mkdir(o->upper, 0755) < 0 || chmod(o->upper, 0755) < 0 || mkdir(o->work, 0700) < 0)
		return sp_err_errno(err, NULL, "cannot create the container's layer directories");
	return 0;
}

/* mount(2)'s options for the overlay, built in a page of anonymous
 * memory: init may not allocate (user.c). len counts every byte asked
 * for, copied or not. */
struct page_text {
	char *p;
	size_t len, cap;
};

static void page_add(struct page_text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->len + n < t->cap)
		memcpy(t->p + t->len, s, n + 1);
	t->len += n;
}

static int overlay_options(const struct sp_run_opts *o, struct page_text *t, secprof_error *err)
{
	if (!overlay_safe(o->upper) || !overlay_safe(o->work))
		return USAGE("overlay: a layer path may not contain ':', ',' or '\\'");
	page_add(t, "lowerdir=");
	for (size_t i = 0; i < o->nlowers; i++) {
		if (!overlay_safe(o->lowers[i]))
			return USAGE("overlay: the layer path '%s' contains ':', ',' or '\\'",
				     o->lowers[i]);
		if (i)
			page_add(t, ":");
		page_add(t, o->lowers[i]);
	}
	/* index=off as moby's overlay2 driver mounts (a lower shared by many
	 * containers with different uppers). */
	page_add(t, ",upperdir=");
	page_add(t, o->upper);
	page_add(t, ",workdir=");
	page_add(t, o->work);
	page_add(t, ",index=off");
	/* mount(2) reads one page of options (fs/namespace.c
	 * copy_mount_options, path_mount ends it at PAGE_SIZE - 1): beyond
	 * it a layer's name is cut short and the mount fails as ENOENT,
	 * naming nothing. Docker's overlay2 names its layers by 26-byte
	 * links (l/<id>) to stack 128; the cache's names are 67 (<diff_id>.v2). */
	if (t->len >= t->cap)
		return USAGE(
			"an image of %zu layers cannot be stacked in one overlay: their names (%zu bytes of mount options) are more than the %zu bytes mount(2) reads",
			o->nlowers, t->len, t->cap - 1);
	return 0;
}

int sp_overlay_mount(const struct sp_run_opts *o, secprof_error *err)
{
	struct page_text data = { .cap = (size_t)sysconf(_SC_PAGESIZE) };
	int rc;

	if (!o->nlowers)
		return 0;
	data.p = mmap(NULL, data.cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (data.p == MAP_FAILED)
		return sp_err_errno(err, NULL, "cannot mount the overlay root on %s", o->rootfs);
	rc = overlay_options(o, &data, err);
	if (!rc && o->tmpfs_upper)
		rc = mount_upper_tmpfs(o, err);
	/* Relative lower paths keep the data under the kernel's page limit
	 * for images with many layers. */
	if (!rc && o->lower_base && chdir(o->lower_base) < 0)
		rc = sp_err_errno(err, NULL, "cannot enter the layer cache %s", o->lower_base);
	if (!rc && mount("overlay", o->rootfs, "overlay", 0, data.p) < 0)
		rc = sp_err_errno(err, NULL, "cannot mount the overlay root on %s (%zu layers)",
				  o->rootfs, o->nlowers);
	munmap(data.p, data.cap);
	return rc;
}

/* ---- mounts inside the root --------------------------------------------------- */

int sp_openat2(int dir, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };

	return (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
}

int sp_open_in_root(int root, const char *path, int flags)
{
	return sp_openat2(root, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* The id of the mount fd's file is on (statx STATX_MNT_ID, Linux 5.8). */
static int mount_id(int fd, uint64_t *id)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
		return -1;
	if (!(sx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = sx.stx_mnt_id;
	return 0;
}

int sp_attach_checked(int mfd, int target_fd, int dir_fd, const char *path, uint64_t resolve,
		      const char *shown, secprof_error *err)
{
	uint64_t want, got;
	int fd;

	if (move_mount(mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return sp_err_errno(err, NULL, "cannot mount on %s", shown);
	if (mount_id(mfd, &want) < 0)
		return sp_err_errno(err, NULL, "cannot read the mount on %s", shown);
	fd = sp_openat2(dir_fd, path, O_PATH, resolve);
	if (fd >= 0 && mount_id(fd, &got) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return sp_err_errno(err, NULL, "cannot read the mount on %s", shown);
	}
	if (fd >= 0)
		close(fd);
	if (fd < 0 || got != want)
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"the root filesystem's %s changed while secprof mounted on it (%s): refused, as runc refuses a mount target that moved (CVE-2021-30465)",
			shown, fd < 0 ? strerror(errno) : "it leads elsewhere now");
	return 0;
}

/* mount(2)'s data ("key=value" or "flag", separated by ',') given to a
 * new filesystem's context one by one; -1 with errno, and the option the
 * kernel refused in bad (when not NULL; "" when none was). Each option is
 * copied to the stack: this runs in init, which may not allocate
 * (user.c). fsconfig takes a key and a value of at most 256 bytes each
 * (fs/fsopen.c, strndup_user): a longer option is EINVAL here as there. */
static int fs_set_options(int fsfd, const char *opts, char *bad, size_t badlen)
{
	char tok[2 * 256 + 2];
	int rc = 0;

	if (bad && badlen)
		bad[0] = '\0';
	for (const char *s = opts, *next; !rc && s && *s; s = next) {
		size_t n = strcspn(s, ",");
		char *eq;

		next = s[n] ? s + n + 1 : s + n;
		if (!n)
			continue;
		if (n >= sizeof(tok)) {
			errno = EINVAL;
			rc = -1;
		} else {
			memcpy(tok, s, n);
			tok[n] = '\0';
			if ((eq = strchr(tok, '=')))
				*eq = '\0';
			rc = eq ? fsconfig(fsfd, FSCONFIG_SET_STRING, tok, eq + 1, 0)
				: fsconfig(fsfd, FSCONFIG_SET_FLAG, tok, NULL, 0);
		}
		if (rc < 0 && bad && badlen)
			snprintf(bad, badlen, "%.*s", (int)strcspn(s, ",="), s);
	}
	return rc < 0 ? -1 : 0;
}

int sp_fs_create(const char *type, const char *source, const char *opts, unsigned attrs)
{
	int fsfd = fsopen(type, FSOPEN_CLOEXEC), mfd = -1, e;

	if (fsfd < 0)
		return -1;
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		goto out;
	/* mount(2)'s MS_RDONLY makes the superblock read-only too */
	if ((attrs & MOUNT_ATTR_RDONLY) && fsconfig(fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
		goto out;
	if (fs_set_options(fsfd, opts, NULL, 0) < 0)
		goto out;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
out:
	e = errno;
	close(fsfd);
	errno = e;
	return mfd;
}

/* The target opened O_PATH inside the root at root_fd, missing components
 * created (directories; the last one a file when want_file), as moby
 * creates a bind's destination. Every step is resolved from the root
 * again, so no component can lead outside it. A dangling symlink on the
 * way is replaced by its target, read as inside the root, and the walk
 * starts over (securejoin's MkdirAll, 40 links at most as the kernel). */
static int open_target(int root_fd, const char *target, bool want_file, secprof_error *err)
{
	char path[4096], partial[4096];
	int links = 0;

	snprintf(path, sizeof(path), "%s", target);
restart:;
	size_t len = 0;
	const char *p = path;
	int fd = -1;

	while (*p) {
		const char *end;
		size_t n;
		bool last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		last = !p[n] || !p[n + strspn(p + n, "/")];
		if (len + n + 2 >= sizeof(partial))
			return USAGE("mount target too long: %s", target);
		if (fd >= 0)
			close(fd);
		partial[len] = '/';
		memcpy(partial + len + 1, p, n);
		partial[len + 1 + n] = '\0';
		fd = sp_open_in_root(root_fd, partial + 1, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			char name[256], link[4096], next[4096];
			ssize_t ln;
			int parent;

			partial[len] = '\0';
			parent = sp_open_in_root(root_fd, len ? partial + 1 : ".",
						 O_PATH | O_DIRECTORY);
			partial[len] = '/';
			if (parent < 0)
				return sp_err_errno(err, NULL,
						    "cannot open the parent of mount target %s",
						    target);
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			ln = readlinkat(parent, name, link, sizeof(link) - 1);
			if (ln >= 0) {
				close(parent);
				link[ln] = '\0';
				if (++links > 40)
					return USAGE(
						"mount target %s: too many levels of symbolic links",
						target);
				partial[len] = '\0';
				if (snprintf(next, sizeof(next), "%s/%s%s",
					     link[0] == '/' ? "" : partial, link,
					     p + n) >= (int)sizeof(next))
					return USAGE("mount target too long: %s", target);
				snprintf(path, sizeof(path), "%s", next);
				goto restart;
			}
			if (last && want_file) {
				int f = openat(parent, name,
					       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
					       0644);
				if (f >= 0)
					close(f);
			} else {
				mkdirat(parent, name, 0755);
			}
			close(parent);
			fd = sp_open_in_root(root_fd, partial + 1, O_PATH);
		}
		if (fd < 0)
			return sp_err_errno(err, NULL, "cannot create mount target %s", target);
		len += 1 + n;
		p += n;
	}
	if (fd < 0)
		return USAGE("invalid mount target %s", target);
	return fd;
}

/* On the target as opened, and its path leads there still. */
static int attach(int mfd, int root_fd, int target_fd, const char *target, secprof_error *err)
{
	return sp_attach_checked(mfd, target_fd, root_fd, target,
				 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, target, err);
}

static int bind_mount(const struct sp_mount *m, int root_fd, int target_fd, secprof_error *err)
{
	/* moby's default for a bind: rbind, rprivate (the clone of a mount
	 * of this private namespace is private). */
	int mfd =
		open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	int rc = 0;

	if (mfd < 0)
		return sp_err_errno(err, NULL, "cannot bind %s", m->source);
	/* Read-only all the way down, as runc's recursive read-only binds:
	 * a mount below the source must not stay writable. */
	if (m->readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			rc = sp_err_errno(err, NULL, "cannot make %s read-only", m->target);
	}
	if (!rc)
		rc = attach(mfd, root_fd, target_fd, m->target, err);
	close(mfd);
	return rc;
}

static int tmpfs_mount(const struct sp_mount *m, int root_fd, int target_fd, secprof_error *err)
{
	int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC), mfd = -1, rc = 0;
	unsigned attrs = 0;
	char bad[256];

	if (fsfd < 0)
		return sp_err_errno(err, NULL, "cannot open a tmpfs for %s", m->target);
	if (fs_set_options(fsfd, m->data, bad, sizeof(bad)) < 0)
		rc = bad[0] ? sp_err_errno(err, NULL, "tmpfs %s: option '%s'", m->target, bad)
			    : sp_err_oom(err);
	if (!rc && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		rc = sp_err_errno(err, NULL, "cannot create the tmpfs for %s", m->target);
	if (m->flags & MS_RDONLY)
		attrs |= MOUNT_ATTR_RDONLY;
	if (m->flags & MS_NOSUID)
		attrs |= MOUNT_ATTR_NOSUID;
	if (m->flags & MS_NODEV)
		attrs |= MOUNT_ATTR_NODEV;
	if (m->flags & MS_NOEXEC)
		attrs |= MOUNT_ATTR_NOEXEC;
	if (m->flags & MS_NOATIME)
		attrs |= MOUNT_ATTR_NOATIME;
	if (!rc && (mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs)) < 0)
		rc = sp_err_errno(err, NULL, "cannot mount the tmpfs for %s", m->target);
	if (!rc)
		rc = attach(mfd, root_fd, target_fd, m->target, err);
	if (mfd >= 0)
		close(mfd);
	close(fsfd);
	return rc;
}

/* A target named inside /proc or /sys is refused before the run starts
 * (runc's checkProcMount; secprof allows none of its exceptions); one that
 * only resolves there, through a symlink of the image (/pr -> /proc,
 * /sy -> /sys), is refused here, by the filesystem it landed on. A mount
 * there would cover what procfs shows, or stand over the container's
 * sysfs where the masks (container.c protect_proc) never reach it: they
 * go on that sysfs through its own fd, so a bind of the host's /sys over
 * /sys showed its /sys/firmware, which runc, masking by path after every
 * mount, covers. Docker starts no container with a mount in /proc, and
 * none where a mask does not hide what it names. */
#define SP_PROC_SUPER_MAGIC 0x9fa0 /* include/uapi/linux/magic.h */
#define SP_SYSFS_MAGIC 0x62656572  /* include/uapi/linux/magic.h */

static int refuse_in_proc_or_sys(int target_fd, const char *target, secprof_error *err)
{
	struct statfs fs;

	if (fstatfs(target_fd, &fs) < 0)
		return sp_err_errno(err, NULL, "mount target %s", target);
	if (fs.f_type == SP_PROC_SUPER_MAGIC)
		return USAGE(
			"secprof run does not mount over %s: it resolves into /proc (runc's checkProcMount)",
			target);
	if (fs.f_type == SP_SYSFS_MAGIC)
		return USAGE(
			"secprof run does not mount over %s: it resolves into /sys (Docker's masked paths)",
			target);
	return 0;
}

/* A target that resolves to the root itself, through a symlink of the
 * image (/data -> /, -> ..): the mount would go on top of the root's
 * mount, where no path from the container's root reaches it (the root is
 * the mount below), and the container would run without it, its writes
 * going to the image's files. runc fails such a mount (its procfd of the
 * target no longer names a file); refused here by the target's inode. */
static int refuse_root(int root_fd, int target_fd, const char *target, secprof_error *err)
{
	struct stat r, t;

	if (fstat(root_fd, &r) < 0 || fstat(target_fd, &t) < 0)
		return sp_err_errno(err, NULL, "mount target %s", target);
	if (r.st_dev == t.st_dev && r.st_ino == t.st_ino)
		return USAGE("secprof run does not mount over %s: it resolves to the root (/)",
			     target);
	return 0;
}

int sp_mounts_apply(const struct sp_run_opts *o, secprof_error *err)
{
	int root_fd, rc = 0;

	if (!o->nmounts)
		return 0;
	root_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return sp_err_errno(err, NULL, "cannot open the root filesystem");
	for (size_t i = 0; !rc && i < o->nmounts; i++) {
		const struct sp_mount *m = &o->mounts[i];
		struct stat st;
		bool file = m->type == SP_MOUNT_BIND && stat(m->source, &st) == 0 &&
			    !S_ISDIR(st.st_mode);
		int fd = open_target(root_fd, m->target, file, err);

		if (fd < 0) {
			rc = fd;
			break;
		}
		rc = refuse_in_proc_or_sys(fd, m->target, err);
		if (!rc)
			rc = refuse_root(root_fd, fd, m->target, err);
		if (!rc)
			rc = m->type == SP_MOUNT_BIND ? bind_mount(m, root_fd, fd, err)
						      : tmpfs_mount(m, root_fd, fd, err);
		close(fd);
	}
	close(root_fd);
	return rc;
}

/* The number of components of a clean target ("/a/b": 2). */
static size_t target_depth(const char *target)
{
	size_t n = 0;

	for (const char *p = target; *p; p++)
		n += *p == '/';
	return n;
}

/* moby sorts a container's mounts by how many components their
 * destination has (daemon/volumes.go, type mounts, Less on parts()) before
 * runc mounts them in that order: `-v A:/app/conf:ro -v B:/app` mounts
 * /app first, then the read-only /app/conf on it. In the order given, /app
 * would hide the read-only mount and let the container write the host
 * directory beneath it. Stable, so that siblings keep their order. */
void sp_mounts_sort(struct sp_mount *m, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sp_mount cur = m[i];
		size_t depth = target_depth(cur.target), k = i;

		for (; k > 0 && target_depth(m[k - 1].target) > depth; k--)
			m[k] = m[k - 1];
		m[k] = cur;
	}
}

/* ---- parsing ---------------------------------------------------------------- */

void sp_mount_free(struct sp_mount *m)
{
	free(m->source);
	free(m->target);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/* The target as moby keeps it (filepath.Clean of an absolute path); ".."
 * is refused instead of cleaned, and so are "/", /proc and /sys, whose
 * contents runc guards (checkProcMount) and Docker masks. */
static int clean_target(const char *in, const char *spec, char **out, secprof_error *err)
{
	char buf[4096];
	size_t n = 0;
	const char *p = in;

	if (in[0] != '/')
		return USAGE(
			"invalid mount config: invalid mount path: '%s' mount path must be absolute",
			in);
	while (*p) {
		size_t k;
		while (*p == '/')
			p++;
		k = strcspn(p, "/");
		if (!k)
			break;
		if ((k == 1 && p[0] == '.')) {
			p += k;
			continue;
		}
		if (k == 2 && p[0] == '.' && p[1] == '.')
			return USAGE("invalid mount path '%s' in '%s': '..' is not allowed", in,
				     spec);
		if (n + k + 2 >= sizeof(buf))
			return USAGE("mount path too long: %s", in);
		buf[n++] = '/';
		memcpy(buf + n, p, k);
		n += k;
		p += k;
	}
	buf[n] = '\0';
	if (!n)
		return USAGE("invalid mount config: destination can't be '/' (%s)", spec);
	if (!strcmp(buf, "/proc") || !strncmp(buf, "/proc/", 6) || !strcmp(buf, "/sys") ||
	    !strncmp(buf, "/sys/", 5))
		return USAGE(
			"secprof run does not mount over %s (runc's checkProcMount, Docker's masked paths)",
			buf);
	if (!(*out = strdup(buf)))
		return sp_err_oom(err);
	return 0;
}

/* moby's volume name rule (volume/local validateName: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$). */
static bool valid_volume_name(const char *s)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')) ||
	    !s[1])
		return false;
	for (const char *c = s + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-'))
			return false;
	return true;
}

/* A volume is a directory of secprof's: named ones under voldir
 * (NAME/_data, as /var/lib/docker/volumes), anonymous ones in the run's
 * scratch directory, gone with it (docker run --rm removes them). */
static int volume_source(const char *name, const char *voldir, const char *scratch, char **out,
			 secprof_error *err)
{
	char base[4096], sub[300], path[4096], real[4096];

	if (name) {
		if (!valid_volume_name(name))
			return USAGE(
				"invalid volume name \"%s\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]+",
				name);
		/* Only root may enter the volumes' directory (Docker's data
		 * root is 0710, its volumes 0701): a container's root may leave
		 * a setuid-root file in a volume, which no host user may reach.
		 * And no one else may plant or swap a step on the way to the
		 * volume (a symlink NAME/_data -> /etc), which is bound by its
		 * path: the way is checked step by step, then used as checked. */
		if (sp_private_dir(voldir, "--volume-dir", base, sizeof(base), err) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s/_data", name);
	} else {
		if (!scratch)
			return USAGE("an anonymous volume needs a scratch directory");
		snprintf(base, sizeof(base), "%s", scratch);
		snprintf(sub, sizeof(sub), "volumes");
	}
	if (snprintf(path, sizeof(path), "%s/%s", base, sub) >= (int)sizeof(path))
		return USAGE("volume path too long: %s", base);
	if (sp_trusted_dir(path, 0755, "volume", real, sizeof(real), err) < 0)
		return -1;
	/* An anonymous one: a name of its own in the run's scratch directory
	 * (mkdtemp, no counter kept between calls), 0755 as Docker's _data. */
	if (!name && (strlen(real) + sizeof("/anon-XXXXXX") > sizeof(real) ||
		      !mkdtemp(strcat(real, "/anon-XXXXXX")) || chmod(real, 0755) < 0))
		return sp_err_errno(err, NULL, "cannot create an anonymous volume in %s", path);
	if (!(*out = strdup(real)))
		return sp_err_oom(err);
	return 0;
}

/* The -v mode list (moby volume/mounts linux_parser.go: rw|ro, z|Z, a
 * propagation mode, nocopy). Only what secprof does is taken. */
static int volume_mode(const char *mode, const char *spec, bool *ro, secprof_error *err)
{
	char buf[256], *s = buf, *tok;
	int rw_seen = 0;

	snprintf(buf, sizeof(buf), "%s", mode);
	while ((tok = strsep(&s, ","))) {
		if (!strcmp(tok, "ro") || !strcmp(tok, "rw")) {
			if (rw_seen++)
				return USAGE("invalid mode: %s", mode);
			*ro = tok[1] == 'o';
		} else if (!strcmp(tok, "private") || !strcmp(tok, "rprivate") ||
			   !strcmp(tok, "nocopy")) {
			/* rprivate is what secprof does; nocopy: secprof never
			 * copies image content into a volume. */
		} else if (!strcmp(tok, "z") || !strcmp(tok, "Z")) {
			return USAGE(
				"-v %s: SELinux relabelling ('%s') is not supported by secprof run",
				spec, tok);
		} else if (!strcmp(tok, "shared") || !strcmp(tok, "rshared") ||
			   !strcmp(tok, "slave") || !strcmp(tok, "rslave")) {
			return USAGE(
				"-v %s: propagation '%s' is not supported by secprof run (rprivate only)",
				spec, tok);
		} else {
			return USAGE("invalid mode: %s", mode);
		}
	}
	return 0;
}

static bool looks_like_mode(const char *s)
{
	bool ro = false;
	secprof_error e;
	return volume_mode(s, s, &ro, &e) == 0;
}

int sp_mount_parse_volume(const char *spec, const char *voldir, const char *scratch,
			  struct sp_mount *m, secprof_error *err)
{
	char *parts[4] = { 0 }, *copy = strdup(spec), *s = copy;
	const char *src = NULL, *dst = NULL, *mode = NULL;
	size_t n = 0;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!copy)
		return sp_err_oom(err);
	while (s && n < 4)
		parts[n++] = strsep(&s, ":");
	if (s || !parts[0][0] || n > 3) {
		free(copy);
		return USAGE("invalid spec: %s", spec);
	}
	if (n == 1) {
		dst = parts[0];
	} else if (n == 2) {
		/* moby's linux_parser ParseMountRaw: "/foo:rw" is no volume
		 * (a volume cannot take a mode), refused where secprof made
		 * a read-only anonymous volume of it */
		if (looks_like_mode(parts[1])) {
			free(copy);
			return USAGE("invalid volume specification: '%s'", spec);
		}
		src = parts[0], dst = parts[1];
	} else {
		src = parts[0], dst = parts[1], mode = parts[2];
	}
	m->type = SP_MOUNT_BIND;
	rc = clean_target(dst, spec, &m->target, err);
	if (!rc && mode)
		rc = volume_mode(mode, spec, &m->readonly, err);
	if (!rc && src && src[0] == '/') {
		/* -v creates a missing host directory (moby: "bind mounts
		 * with -v are created on the host if missing"). */
		if (sp_mkdir_p(src, 0755) < 0)
			rc = sp_err_errno(err, NULL, "cannot create host directory %s for -v", src);
		else if (!(m->source = realpath(src, NULL)))
			rc = sp_err_errno(err, NULL, "invalid -v source %s", src);
	} else if (!rc) {
		rc = volume_source(src, voldir, scratch, &m->source, err);
	}
	free(copy);
	if (rc)
		sp_mount_free(m);
	return rc;
}

static bool go_bool(const char *v, bool *out)
{
	if (!v || !strcmp(v, "1") || !strcasecmp(v, "true"))
		return *out = true, true;
	if (!strcmp(v, "0") || !strcasecmp(v, "false"))
		return *out = false, true;
	return false;
}

/* docker/go-units RAMInBytes for tmpfs-size: digits, at most one
 * fraction, an optional blank, then k, m, g, t or p (1024-based) with an
 * optional i and b, as its pattern and strconv.ParseFloat take them
 * (^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$; a second fraction fails
 * ParseFloat). The value is the float's product, truncated (int64(size)):
 * "1.5m" is 1572864. No sign or leading blank (strtod would take them),
 * and nothing at or past 2^63, which Go's int64 cannot hold: "-1" or a
 * huge value once gave a tmpfs without Docker's limit. */
static bool ram_bytes(const char *v, unsigned long long *out)
{
	static const char units[] = "kmgtp";
	const char *p = v, *u;
	char num[64];
	locale_t c_locale;
	double size;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if ((size_t)(p - v) >= sizeof(num))
		return false;
	snprintf(num, sizeof(num), "%.*s", (int)(p - v), v);
	/* in the C locale, as ParseFloat reads it: a library caller's
	 * decimal-comma LC_NUMERIC read "0.5g" as 0, a tmpfs without limit */
	if (!(c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)))
		return false;
	size = strtod_l(num, NULL, c_locale);
	freelocale(c_locale);
	if (*p == ' ')
		p++;
	if (*p && (u = strchr(units, *p | 0x20))) {
		size *= (double)(1ULL << (10 * (u - units + 1)));
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p || !(size < 9223372036854775808.0))
		return false;
	*out = (unsigned long long)size;
	return true;
}

/* Docker's tmpfs options: noexec,nosuid,nodev first, then the user's; a
 * later flag wins (moby daemon/oci_linux.go, pkg/mount MergeTmpfsOptions). */
static int tmpfs_options(const char *opts, struct sp_mount *m, secprof_error *err)
{
	static const struct {
		char name[sizeof("strictatime")]; /* no pointer: no relocation at load */
		unsigned long set, clear;
	} flags[] = {
		{ "ro", MS_RDONLY, 0 },       { "rw", 0, MS_RDONLY },
		{ "noexec", MS_NOEXEC, 0 },   { "exec", 0, MS_NOEXEC },
		{ "nosuid", MS_NOSUID, 0 },   { "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },     { "dev", 0, MS_NODEV },
		{ "noatime", MS_NOATIME, 0 }, { "atime", 0, MS_NOATIME },
		{ "relatime", 0, 0 },         { "strictatime", 0, 0 },
		{ "private", 0, 0 },          { "rprivate", 0, 0 },
	};
	struct sp_buf data = { 0 };
	char *copy = strdup(opts ? opts : ""), *s = copy, *tok;

	if (!copy)
		return sp_err_oom(err);
	m->flags = MS_NOEXEC | MS_NOSUID | MS_NODEV;
	while ((tok = strsep(&s, ","))) {
		size_t i;
		if (!*tok)
			continue;
		for (i = 0; i < SP_ARRAY_SIZE(flags); i++)
			if (!strcmp(tok, flags[i].name))
				break;
		if (i < SP_ARRAY_SIZE(flags)) {
			m->flags = (m->flags | flags[i].set) & ~flags[i].clear;
			continue;
		}
		if (!strncmp(tok, "size=", 5) || !strncmp(tok, "mode=", 5) ||
		    !strncmp(tok, "uid=", 4) || !strncmp(tok, "gid=", 4) ||
		    !strncmp(tok, "nr_inodes=", 10) || !strncmp(tok, "nr_blocks=", 10)) {
			if (data.len)
				sp_buf_puts(&data, ",");
			sp_buf_puts(&data, tok);
			continue;
		}
		USAGE("tmpfs option '%s' is not supported by secprof run", tok);
		free(copy);
		sp_buf_free(&data);
		return -SECPROF_E_USAGE;
	}
	free(copy);
	if (data.oom) {
		sp_buf_free(&data);
		return sp_err_oom(err);
	}
	m->data = data.data;
	return 0;
}

int sp_mount_parse_tmpfs(const char *spec, struct sp_mount *m, secprof_error *err)
{
	const char *colon = strchr(spec, ':');
	char target[4096];
	int rc;

	memset(m, 0, sizeof(*m));
	m->type = SP_MOUNT_TMPFS;
	snprintf(target, sizeof(target), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec),
		 spec);
	rc = clean_target(target, spec, &m->target, err);
	if (!rc)
		rc = tmpfs_options(colon ? colon + 1 : NULL, m, err);
	if (!rc)
		m->readonly = m->flags & MS_RDONLY;
	if (rc)
		sp_mount_free(m);
	return rc;
}

/* docker/cli opts/mount.go MountOpt.Set: comma-separated key=value. */
int sp_mount_parse_mount(const char *spec, const char *voldir, const char *scratch,
			 struct sp_mount *m, secprof_error *err)
{
	char *copy = strdup(spec), *s = copy, *tok;
	const char *type = "volume", *src = NULL, *dst = NULL;
	struct sp_buf topts = { 0 };
	bool ro = false;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!copy)
		return sp_err_oom(err);
	while (!rc && (tok = strsep(&s, ","))) {
		char *v = strchr(tok, '=');
		if (v)
			*v++ = '\0';
		if (!strcmp(tok, "type") && v)
			type = v;
		else if ((!strcmp(tok, "source") || !strcmp(tok, "src")) && v)
			src = v;
		else if ((!strcmp(tok, "target") || !strcmp(tok, "destination") ||
			  !strcmp(tok, "dst")) &&
			 v)
			dst = v;
		else if (!strcmp(tok, "readonly") || !strcmp(tok, "ro")) {
			if (!go_bool(v, &ro))
				rc = USAGE("invalid value for %s: %s", tok, v);
		} else if (!strcmp(tok, "bind-propagation") && v) {
			if (strcmp(v, "rprivate") && strcmp(v, "private"))
				rc = USAGE(
					"--mount %s: bind-propagation=%s is not supported by secprof run (rprivate only)",
					spec, v);
		} else if (!strcmp(tok, "volume-nocopy") || !strcmp(tok, "consistency")) {
			/* nothing to do: secprof never copies into volumes;
			 * consistency is for Docker Desktop only */
		} else if (!strcmp(tok, "tmpfs-size") && v) {
			unsigned long long b;
			/* 0: no size= (moby ConvertTmpfsOptions: SizeBytes
			 * != 0 only), the kernel's half of RAM; size=0 would
			 * lift the limit (mm/shmem.c) */
			if (!ram_bytes(v, &b))
				rc = USAGE("invalid value for tmpfs-size: %s", v);
			else if (b)
				sp_buf_printf(&topts, ",size=%llu", b);
		} else if (!strcmp(tok, "tmpfs-mode") && v) {
			char *end;
			unsigned long mode = strtoul(v, &end, 8);
			if (!*v || *end || mode > 07777)
				rc = USAGE("invalid value for tmpfs-mode: %s", v);
			else
				sp_buf_printf(&topts, ",mode=%lo", mode);
		} else if (!strcmp(tok, "volume-driver") || !strcmp(tok, "volume-opt") ||
			   !strcmp(tok, "volume-label") || !strcmp(tok, "bind-nonrecursive")) {
			rc = USAGE("--mount %s: '%s' is not supported by secprof run", spec, tok);
		} else {
			rc = USAGE("unexpected key '%s' in '%s'", tok, spec);
		}
	}
	if (!rc && !dst)
		rc = USAGE("invalid argument \"%s\" for \"--mount\" flag: target is required",
			   spec);
	if (!rc && !strcmp(type, "tmpfs")) {
		if (src)
			rc = USAGE(
				"invalid mount config for type \"tmpfs\": field Source must not be specified");
		else if (topts.oom)
			rc = sp_err_oom(err);
		else if (!(rc = clean_target(dst, spec, &m->target, err)))
			rc = tmpfs_options(topts.data ? topts.data + 1 : NULL, m, err);
		m->type = SP_MOUNT_TMPFS;
		if (!rc && ro)
			m->flags |= MS_RDONLY;
		m->readonly = m->flags & MS_RDONLY;
	} else if (!rc && !strcmp(type, "bind")) {
		struct stat st;
		m->type = SP_MOUNT_BIND;
		m->readonly = ro;
		if (!src)
			rc = USAGE(
				"invalid mount config for type \"bind\": field Source must not be empty");
		else if (src[0] != '/')
			rc = USAGE(
				"invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute",
				src);
		/* --mount never creates the host path (moby: "bind source
		 * path does not exist"). */
		else if (stat(src, &st) < 0)
			rc = USAGE(
				"invalid mount config for type \"bind\": bind source path does not exist: %s",
				src);
		else if (!(m->source = realpath(src, NULL)))
			rc = sp_err_errno(err, NULL, "invalid bind source %s", src);
		if (!rc)
			rc = clean_target(dst, spec, &m->target, err);
	} else if (!rc && !strcmp(type, "volume")) {
		m->type = SP_MOUNT_BIND;
		m->readonly = ro;
		rc = clean_target(dst, spec, &m->target, err);
		if (!rc)
			rc = volume_source(src, voldir, scratch, &m->source, err);
	} else if (!rc) {
		rc = USAGE(
			"--mount type=%s is not supported by secprof run (bind, volume or tmpfs)",
			type);
	}
	sp_buf_free(&topts);
	free(copy);
	if (rc)
		sp_mount_free(m);
	return rc;
}

/* ---- scratch directories -------------------------------------------------------- */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void sp_remove_tree(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
