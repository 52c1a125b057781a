/* container.c - `secprof run --rootfs DIR`: the command in its own mount,
 * PID, UTS and IPC namespaces (and network, with --network none), with a
 * fresh /proc, a minimal /dev and a read-only /sys, as runc builds a Docker
 * container's root. secprof's init is PID 1: it forwards signals to the
 * command and reaps every zombie, like `docker run --init`.
 *
 * The profile's filter is loaded by the command's process (docs/COMPAT.md
 * §4.1.4 order, in run.c); init, before the command runs, drops every
 * capability and becomes secprof-init (init/secprof-init.c), a fresh
 * program with a filter of its own that allows only its waiting
 * (exec_init). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/futex.h>
#include <linux/openat2.h>
#include <poll.h>
#include <linux/sched.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <locale.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/arch.h"
#include "core/util.h"
#include "sandbox/newmount.h"
#include "sandbox/run.h"

static int sys_fail(secprof_error *err, const char *what, const char *path)
{
	return sp_err_errno(err, NULL, "%s %s", what, path);
}

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		    const char *data, secprof_error *err)
{
	if (mount(src, dst, type, flags, data) < 0)
		return sys_fail(err, "cannot mount", dst);
	return 0;
}

/* ---- the root, built by fd ----------------------------------------------
 *
 * Nothing inside the root is reached by a path from the current directory
 * once init is in it: the root's directory may be shared with another
 * container or belong to another user, who could put a symlink in the
 * place of a checked directory between the check and the mount (/proc ->
 * /, /dev -> /etc), and before pivot_root a symlink is followed against
 * the host's root. runc closes that gap (CVE-2021-30465) by resolving the
 * target inside the root, opening it O_PATH, checking the opened file and
 * mounting on it through /proc/self/fd (libcontainer/rootfs_linux.go
 * mountToRootfs, utils.WithProcfd). secprof does the same with the new
 * mount API: each filesystem is made detached (fsopen, fsmount, open_tree)
 * and moved onto the O_PATH fd of the checked directory (move_mount), and
 * then the path must lead to the new mount (sp_attach_checked), or the run
 * fails. The nodes, directories and symlinks of /dev are made relative to
 * the fd of the container's own /dev tmpfs, never by its path. */

/* How a path of the root is walked: below the root, never through a
 * symlink (the root's /proc, /dev and /sys, and what secprof makes in its
 * own /dev, are never symlinks). */
#define ROOT_WALK (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)

/* Where the container's /proc, /dev and /sys are mounted, in the root the
 * image made: an ordinary directory, never a symlink or a file. Followed
 * before pivot_root, a symlink (/proc -> /tmp, -> ../../..) would be
 * resolved against the host's root: the filesystem would land on a host
 * path of this namespace, gone with the old root, and the container keep
 * the image's directory instead: a /dev of the image's nodes and fifos
 * (init opens its /dev/null for the command's stdin), no procfs (the
 * command's process reads its capabilities' range there), no read-only
 * sysfs. runc refuses such a root (libcontainer/rootfs_linux.go
 * mountToRootfs: "must be mounted on ordinary directory"); Docker hides
 * the image's entry under a directory of its init layer (moby
 * daemon/initlayer Setup). The O_PATH fd of the directory checked, which
 * the filesystem is then mounted on (it is never looked up again by
 * name but to check the mount); -1 on error. */
static int mount_point(int root_fd, const char *name, secprof_error *err)
{
	struct stat st;
	int fd;

	if (mkdirat(root_fd, name, 0755) < 0 && errno != EEXIST)
		return sys_fail(err, "cannot create", name);
	fd = openat(root_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(err, "cannot open", name);
	if (fstat(fd, &st) < 0) {
		sys_fail(err, "cannot read", name);
		close(fd);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"the root filesystem's /%s is not a directory (%s): secprof mounts %s only on an ordinary directory, as runc does",
			name, S_ISLNK(st.st_mode) ? "a symbolic link" : "a file", name);
	}
	return fd;
}

/* A new filesystem (sp_fs_create) on the directory target_fd, which path
 * (from root_fd, ROOT_WALK) must then lead to. *keep (when not NULL): the
 * fd of the new mount's root, for what is made in it. */
static int mount_fs_on(int root_fd, const char *path, int target_fd, const char *type,
		       const char *source, const char *opts, unsigned attrs, int *keep,
		       secprof_error *err)
{
	char shown[64];
	int mfd = sp_fs_create(type, source, opts, attrs), rc;

	snprintf(shown, sizeof(shown), "/%s", path);
	if (mfd < 0)
		return sys_fail(err, "cannot mount", path);
	rc = sp_attach_checked(mfd, target_fd, root_fd, path, ROOT_WALK, shown, err);
	if (!rc && keep)
		*keep = mfd;
	else
		close(mfd);
	return rc;
}

/* A directory name in dir_fd (made when missing, never a symlink) with a
 * new filesystem on it: the /dev subdirectories. */
static int mount_fs_in(int root_fd, int dir_fd, const char *path, const char *name,
		       const char *type, const char *source, const char *opts, unsigned attrs,
		       secprof_error *err)
{
	int fd, rc;

	if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
		return sys_fail(err, "cannot create", path);
	fd = sp_openat2(dir_fd, name, O_PATH | O_DIRECTORY, ROOT_WALK);
	if (fd < 0)
		return sys_fail(err, "cannot open", path);
	rc = mount_fs_on(root_fd, path, fd, type, source, opts, attrs, NULL, err);
	close(fd);
	return rc;
}

/* Bind mfd (open_tree, detached) on name in dev_fd, a file made for it,
 * read-only when asked: a new bind does not inherit the read-only flag
 * of the one it copies, and mount_setattr keeps the flags the kernel
 * locks on a mount from a more privileged namespace. */
static int bind_in_dev(int root_fd, int dev_fd, const char *name, int mfd, bool readonly,
		       secprof_error *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "dev/%s", name);
	if (mfd < 0)
		return sys_fail(err, "cannot bind", path);
	fd = openat(dev_fd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		fd = openat(dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		close(mfd);
		return sys_fail(err, "cannot create", path);
	}
	if (readonly && mount_setattr(mfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		rc = sys_fail(err, "cannot make read-only", path);
	else
		rc = sp_attach_checked(mfd, fd, root_fd, path, ROOT_WALK, path + 3, err);
	close(fd);
	close(mfd);
	return rc;
}

/* The nodes runc creates in a container's /dev (libcontainer/rootfs_linux.go
 * createDevices, mknodDevice; specconv AllowedDevices), each made on the
 * container's own tmpfs with mode 0666 whatever the umask, so a chmod,
 * chown or touch in the container changes the container's node only, as
 * under Docker. Where mknod is refused (secprof itself in a user namespace
 * or without CAP_MKNOD) runc binds the host's node (bindMountDeviceNode);
 * secprof binds it read-only, so the container can still read and write
 * the device but never change the host's inode (EROFS). *host_nodes says
 * which happened. dev_fd: the container's /dev tmpfs. */
static int make_device(int root_fd, int dev_fd, const char *name, unsigned major, unsigned minor,
		       bool *host_nodes, secprof_error *err)
{
	char host[128]; /* "/dev/" and a name, which gcc bounds by all of setup_dev's table */

	snprintf(host, sizeof(host), "/dev/%s", name);
	if (mknodat(dev_fd, name, S_IFCHR | 0666, makedev(major, minor)) == 0) {
		if (fchmodat(dev_fd, name, 0666, 0) < 0)
			return sys_fail(err, "cannot set the mode of", host);
		return 0;
	}
	if (errno != EPERM)
		return sys_fail(err, "cannot create", host);
	*host_nodes = true;
	return bind_in_dev(root_fd, dev_fd, name,
			   open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), true,
			   err);
}

/* With -t the command's stdio is the pty secprof made (tty.c), whose
 * node lives in the host's devpts, which the new root cannot reach. Bound
 * on /dev/console (where runc puts a container's terminal), ttyname()
 * finds it again by device number and `tty`, job control and stty keep
 * working. Read-only: the node is the host's, whose mode and owner the
 * container must not change. Without -t the stdio is pipes (stdio.c) and
 * nothing is bound. */
static int bind_terminal(int root_fd, int dev_fd, secprof_error *err)
{
	char path[256];

	for (int i = 0; i < 3; i++) {
		if (!isatty(i) || ttyname_r(i, path, sizeof(path)) != 0)
			continue;
		return bind_in_dev(root_fd, dev_fd, "console",
				   open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC),
				   true, err);
	}
	return 0;
}

/* The node every masked file is bound from: the container's /dev/null as
 * setup_dev made it, held open from before the -v, --mount and --tmpfs
 * mounts, which could hide it (--tmpfs /dev: the masks would be skipped)
 * or put a symlink in its place. */
struct null_src {
	int fd;    /* O_PATH */
	bool host; /* the host's node, bound read-only (make_device) */
};

static int setup_dev(int root_fd, struct null_src *null, secprof_error *err)
{
	/* Strings in the rows, no pointers: no relocation at load. */
	static const struct {
		char name[sizeof("urandom")];
		unsigned major, minor;
	} devices[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct {
		char name[sizeof("mqueue")], path[sizeof("dev/mqueue")];
		char type[sizeof("devpts")], source[sizeof("devpts")];
		char opts[sizeof("newinstance,ptmxmode=0666,mode=0620,gid=5")]; /* "": none */
		unsigned attrs;
	} subs[] = {
		{ "pts", "dev/pts", "devpts", "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5",
		  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC },
		{ "shm", "dev/shm", "tmpfs", "shm", "mode=1777,size=65536k",
		  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
		{ "mqueue", "dev/mqueue", "mqueue", "mqueue", "",
		  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
	};
	static const char links[][2][sizeof("/proc/self/fd/0")] = {
		{ "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "pts/ptmx", "ptmx" },
	};
	int target = mount_point(root_fd, "dev", err), dev = -1, rc;

	if (target < 0)
		return -1;
	rc = mount_fs_on(root_fd, "dev", target, "tmpfs", "tmpfs", "mode=755,size=65536k",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME, &dev, err);
	close(target);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(devices); i++)
		rc = make_device(root_fd, dev, devices[i].name, devices[i].major, devices[i].minor,
				 &null->host, err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(subs); i++)
		rc = mount_fs_in(root_fd, dev, subs[i].path, subs[i].name, subs[i].type,
				 subs[i].source, subs[i].opts, subs[i].attrs, err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			rc = sp_err_errno(err, NULL, "cannot create /dev/%s", links[i][1]);
	if (!rc)
		rc = bind_terminal(root_fd, dev, err);
	if (!rc && (null->fd = openat(dev, "null", O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		rc = sys_fail(err, "cannot open", "/dev/null");
	if (dev >= 0)
		close(dev);
	return rc;
}

/* Docker gives every container a fresh sysfs, read-only unless privileged
 * (moby DefaultLinuxSpec mounts), whatever its network: as real root
 * secprof may mount one even in the host's network namespace. Where the
 * kernel refuses (EPERM: a network namespace secprof does not own), runc
 * binds the host's /sys instead, and then every mount under it must be
 * made read-only, not only the top (libcontainer/rootfs_linux.go
 * mountToRootfs, "sysfs" case: rbind, then each submount read-only): here
 * the whole detached copy at once (mount_setattr AT_RECURSIVE), before it
 * is attached. *keep: the fd of the mount's root (the masks). */
static int setup_sys(int root_fd, bool privileged, int *keep, secprof_error *err)
{
	unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			 (privileged ? 0 : MOUNT_ATTR_RDONLY);
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int target = mount_point(root_fd, "sys", err), mfd, rc;

	if (target < 0)
		return -1;
	mfd = sp_fs_create("sysfs", "sysfs", NULL, attrs);
	if (mfd < 0 && errno != EPERM && errno != EBUSY) {
		close(target);
		return sys_fail(err, "cannot mount", "sys");
	}
	if (mfd < 0) {
		mfd = open_tree(AT_FDCWD, "/sys",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (mfd < 0) {
			close(target);
			return sys_fail(err, "cannot bind", "/sys");
		}
		if (!privileged &&
		    mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0) {
			close(mfd);
			close(target);
			return sys_fail(err, "cannot make read-only", "sys");
		}
	}
	rc = sp_attach_checked(mfd, target, root_fd, "sys", ROOT_WALK, "/sys", err);
	close(target);
	if (rc)
		close(mfd);
	else
		*keep = mfd;
	return rc;
}

/* Docker's masked and read-only paths: moby daemon/pkg/oci/defaults.go,
 * DefaultLinuxSpec (MaskedPaths from defaultLinuxMaskedPaths, which adds
 * each /sys/devices/system/cpu/cpuN/thermal_throttle that exists; here a
 * pattern whose one '*' component matches any name, every match masked)
 * and ReadonlyPaths. Under the /proc and /sys that build_root mounted,
 * looked up from their fds, not through the root's entries; paths
 * missing there are skipped, as runc skips them. Paths in place, no
 * pointers: no relocation at load. */
static const char masked_paths[][sizeof("sys/devices/system/cpu/cpu*/thermal_throttle")] = {
	"proc/acpi",
	"proc/asound",
	"proc/interrupts",
	"proc/kcore",
	"proc/keys",
	"proc/latency_stats",
	"proc/sched_debug",
	"proc/scsi",
	"proc/timer_list",
	"proc/timer_stats",
	"sys/devices/virtual/powercap",
	"sys/firmware",
	"sys/devices/system/cpu/cpu*/thermal_throttle",
};
static const char readonly_paths[][sizeof("proc/sysrq-trigger")] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

/* The fds of what the masks and read-only paths are under. */
struct special_fs {
	int proc, sys;
	struct null_src null;
};

/* Inside one of them, as if it were the root (a symlink there, or in a
 * volume mounted under /sys, resolves inside it). */
#define FS_WALK (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* path ("proc/kcore") opened O_PATH under fs's /proc or /sys; *rel: path
 * below it. -1 with errno (ENOENT: missing). */
static int open_special(const struct special_fs *fs, const char *path, int *dir, const char **rel)
{
	*dir = !strncmp(path, "proc/", 5) ? fs->proc : fs->sys;
	*rel = strchr(path, '/') + 1;
	return sp_openat2(*dir, *rel, O_PATH, FS_WALK);
}

/* runc maskPath: a read-only tmpfs over a directory, the container's
 * /dev/null over a file (bound from the node's fd, not by a path). When
 * that node is the host's, each mask is made read-only too. */
static int mask_path(const struct special_fs *fs, const char *path, secprof_error *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	const char *rel;
	char shown[4096];
	struct stat st;
	int dir, fd = open_special(fs, path, &dir, &rel), mfd, rc = 0;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : sys_fail(err, "cannot mask", path);
	snprintf(shown, sizeof(shown), "/%s", path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return sys_fail(err, "cannot mask", path);
	}
	if (S_ISDIR(st.st_mode))
		mfd = sp_fs_create("tmpfs", "tmpfs", NULL, MOUNT_ATTR_RDONLY);
	else
		mfd = open_tree(fs->null.fd, "",
				AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (mfd < 0 || (!S_ISDIR(st.st_mode) && fs->null.host &&
			mount_setattr(mfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0))
		rc = sys_fail(err, "cannot mask", path);
	if (!rc)
		rc = sp_attach_checked(mfd, fd, dir, rel, FS_WALK, shown, err);
	if (mfd >= 0)
		close(mfd);
	close(fd);
	return rc;
}

/* Every match of a pattern whose one component with a star (the cpuN
 * of thermal_throttle) matches names of its directory, listed from the
 * directory's fd. With getdents64 into a buffer on the stack, not
 * readdir: fdopendir allocates its DIR, and init may not (user.c). */
static int mask_pattern(const struct special_fs *fs, const char *pattern, secprof_error *err)
{
	const char *star = strchr(pattern, '*'), *rel;
	const char *start = star, *end = strchr(star, '/');
	char dirpath[4096], comp[256], path[4096];
	char ents[4096] __attribute__((aligned(8)));
	int dir, fd, rc = 0;
	long n = 0;

	while (start > pattern && start[-1] != '/')
		start--;
	snprintf(dirpath, sizeof(dirpath), "%.*s", (int)(start - pattern - 1), pattern);
	snprintf(comp, sizeof(comp), "%.*s", end ? (int)(end - start) : (int)strlen(start), start);
	fd = open_special(fs, dirpath, &dir, &rel);
	if (fd >= 0) {
		int rd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = rd;
	}
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0
							   : sys_fail(err, "cannot list", dirpath);
	while (!rc && (n = syscall(SYS_getdents64, fd, ents, sizeof(ents))) > 0)
		for (long at = 0; !rc && at < n;) {
			const struct sp_dirent64 *e = (const void *)(ents + at);

			at += e->reclen;
			if (fnmatch(comp, e->name, FNM_PERIOD) == 0 &&
			    snprintf(path, sizeof(path), "%s/%s%s", dirpath, e->name,
				     end ? end : "") < (int)sizeof(path))
				rc = mask_path(fs, path, err);
		}
	if (!rc && n < 0)
		rc = sys_fail(err, "cannot list", dirpath);
	close(fd);
	return rc;
}

/* runc readonlyPath: a recursive bind of the path on itself, read-only. */
static int readonly_path(const struct special_fs *fs, const char *path, secprof_error *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	const char *rel;
	char shown[4096];
	int dir, fd = open_special(fs, path, &dir, &rel), mfd, rc = 0;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? 0
			       : sys_fail(err, "cannot make read-only", path);
	snprintf(shown, sizeof(shown), "/%s", path);
	mfd = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (mfd < 0 || mount_setattr(mfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		rc = sys_fail(err, "cannot make read-only", path);
	if (!rc)
		rc = sp_attach_checked(mfd, fd, dir, rel, FS_WALK, shown, err);
	if (mfd >= 0)
		close(mfd);
	close(fd);
	return rc;
}

static int protect_proc(const struct special_fs *fs, secprof_error *err)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(masked_paths); i++)
		rc = strchr(masked_paths[i], '*') ? mask_pattern(fs, masked_paths[i], err)
						  : mask_path(fs, masked_paths[i], err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(readonly_paths); i++)
		rc = readonly_path(fs, readonly_paths[i], err);
	return rc;
}

/* runc brings up lo in a new network namespace (specconv adds a loopback
 * network), so --network none matches `docker run --network none`. */
static int loopback_up(secprof_error *err)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return sys_fail(err, "cannot open a socket for", "lo");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		rc = sys_fail(err, "cannot read the flags of", "lo");
	ifr.ifr_flags |= IFF_UP;
	if (!rc && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		rc = sys_fail(err, "cannot bring up", "lo");
	close(s);
	return rc;
}

static int enter_root(const struct sp_run_opts *o, secprof_error *err)
{
	/* Nothing mounted below may leak back to the host (runc: rprivate
	 * unless told otherwise), and pivot_root wants a private parent. */
	int rc = do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err);

	/* The throwaway layer (layers.c), in this namespace only. */
	if (!rc)
		rc = sp_overlay_mount(o, err);
	if (!rc)
		rc = do_mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL, err);
	if (!rc && chdir(o->rootfs) < 0)
		rc = sys_fail(err, "cannot enter", o->rootfs);
	return rc;
}

/* runc's pivot_root(".", ".") then a lazy unmount of the old root: needs
 * no spare directory inside the root filesystem. */
static int switch_root(secprof_error *err)
{
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return sys_fail(err, "pivot_root into", "the root filesystem");
	if (umount2(".", MNT_DETACH) < 0)
		return sys_fail(err, "cannot detach", "the old root");
	if (chdir("/") < 0)
		return sys_fail(err, "cannot enter", "/");
	return 0;
}

/* Docker creates a missing --workdir inside the container (daemon side),
 * runc too (prepareRootfs: MkdirAll(cwd) in the new root, before
 * finalizeRootfs makes it read-only): so before --read-only's remount. */
static int make_workdir(const char *dir, secprof_error *err)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return sys_fail(err, "cannot create workdir", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST && errno != EROFS)
		return sys_fail(err, "cannot create workdir", buf);
	return 0;
}

/* db: the user database as the root had it before -v, --mount and
 * --tmpfs, filled only when there are any (sp_userdb). */
static int build_root(const struct sp_run_opts *o, struct sp_userdb *db, secprof_error *err)
{
	const char *host = o->hostname ? o->hostname : "secprof";
	struct special_fs fs = { -1, -1, { -1, false } };
	int root = -1, target = -1, rc = enter_root(o, err);

	/* The root's directory, for every lookup below: the current
	 * directory is no name another process can change. */
	if (!rc && (root = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = sys_fail(err, "cannot open", "the root filesystem");
	if (!rc && (target = mount_point(root, "proc", err)) < 0)
		rc = -1;
	if (!rc)
		rc = mount_fs_on(root, "proc", target, "proc", "proc", NULL,
				 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &fs.proc,
				 err);
	if (target >= 0)
		close(target);
	if (!rc)
		rc = setup_dev(root, &fs.null, err);
	if (!rc)
		rc = setup_sys(root, o->privileged, &fs.sys, err);
	if (!rc && o->nmounts)
		rc = sp_userdb_capture(db, err);
	/* -v, --mount, --tmpfs after Docker's own mounts and before the
	 * masks, in the order of runc's spec (moby WithMounts). */
	if (!rc)
		rc = sp_mounts_apply(o, err);
	/* A privileged container sees /proc unmasked (moby WithMaskedPaths). */
	if (!rc && !o->privileged)
		rc = protect_proc(&fs, err);
	if (fs.null.fd >= 0)
		close(fs.null.fd);
	if (fs.proc >= 0)
		close(fs.proc);
	if (fs.sys >= 0)
		close(fs.sys);
	if (root >= 0)
		close(root);
	if (!rc && sethostname(host, strlen(host)) < 0)
		rc = sys_fail(err, "cannot set hostname", host);
	if (!rc && o->net == SP_NET_NONE)
		rc = loopback_up(err);
	if (!rc)
		rc = switch_root(err);
	if (!rc && o->workdir)
		rc = make_workdir(o->workdir, err);
	if (!rc && o->read_only)
		rc = do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, err);
	return rc;
}

/* PID 1 outlives the command's execve, and this process is a copy of the
 * one that called secprof: the run's settings with their host paths, and
 * for a program linking libsecprof anything else it holds. A container
 * with CAP_SYS_PTRACE (--cap-add SYS_PTRACE) may read and trace it. Docker's
 * PID 1 is a fresh program under the container's filter and capabilities
 * (the command, or docker-init with --init). So before the command runs,
 * init becomes secprof-init (init/secprof-init.c), a fresh program
 * embedded in libsecprof, which keeps nothing worth taking: no bounding
 * set, no capability, not dumpable, no_new_privs, and a filter that allows
 * only its waiting. The bounding set and capabilities go before the
 * execve, so that the kernel gives root none back
 * (security/commoncap.c cap_bprm_creds_from_file); secprof-init checks. */
static int drop_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2];

	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno == EINVAL)
			break;
	memset(none, 0, sizeof(none));
	if (syscall(SYS_capset, &hdr, none) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_CAPBSET_READ, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}

/* memfd_create's MFD_EXEC (include/uapi/linux/memfd.h, Linux 6.3): an
 * executable memfd where vm.memfd_noexec would make it non-executable. */
#define SP_MFD_EXEC 0x0010U

static int write_image(int fd)
{
	return sp_write_all(fd, sp_init_image, (size_t)(sp_init_image_end - sp_init_image));
}

/* secprof-init's image in a memfd, sealed so that no one (a container
 * that may open /proc/1/exe) can change it (runc seals its own copy the
 * same way against CVE-2019-5736: libcontainer/dmz/cloned_binary_linux.go).
 * -1 with errno. */
static int image_memfd(void)
{
	int fd = (int)syscall(SYS_memfd_create, "secprof-init",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING | SP_MFD_EXEC);

	/* kernels before 6.3 know no MFD_EXEC (their memfds are executable) */
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_memfd_create, "secprof-init",
				  MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd >= 0 && (write_image(fd) < 0 ||
			fcntl(fd, F_ADD_SEALS,
			      F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The read-only reopening of w is w's file, and that file has no name. */
static bool same_unnamed_file(int w, int r)
{
	struct stat a, b;

	return fstat(w, &a) == 0 && fstat(r, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino && b.st_nlink == 0;
}

/* Where vm.memfd_noexec=2 refuses an executable memfd (EACCES), the image
 * goes to a file that has no name and never gets one (O_TMPFILE | O_EXCL:
 * it goes when init exits) on the host's /dev/shm or /tmp, where that
 * mount allows exec, as runc falls back (libcontainer/exeseal/
 * cloned_binary_linux.go, otmpfile). What is executed is a read-only
 * reopening through /proc, checked to be that file: a file open for
 * writing cannot be executed (ETXTBSY). While it runs, the kernel refuses
 * to open it for writing (deny_write_access, fs/exec.c); the mode (0511)
 * does not stop the container's root, which has CAP_DAC_OVERRIDE, and
 * only a container that may trace init (CAP_SYS_PTRACE) can open
 * /proc/1/exe at all. Only before the root is built, while those
 * directories are the host's. */
static int image_tmpfile(void)
{
	static const char dirs[][sizeof("/dev/shm")] = { "/dev/shm", "/tmp" };

	for (size_t i = 0; i < SP_ARRAY_SIZE(dirs); i++) {
		int w = open(dirs[i], O_TMPFILE | O_EXCL | O_RDWR | O_CLOEXEC, 0700), r = -1;
		struct statvfs sv;
		char path[64];

		if (w < 0)
			continue;
		if (fstatvfs(w, &sv) == 0 && !(sv.f_flag & ST_NOEXEC) && write_image(w) == 0 &&
		    fchmod(w, 0511) == 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", w);
			r = open(path, O_RDONLY | O_CLOEXEC);
			if (r >= 0 && !same_unnamed_file(w, r)) {
				close(r);
				r = -1;
			}
		}
		close(w);
		if (r >= 0)
			return r;
	}
	return -1;
}

static int init_image_fd(secprof_error *err)
{
	int fd = image_memfd();

	if (fd < 0 && errno == EACCES && (fd = image_tmpfile()) < 0)
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"cannot write the container's init (secprof-init): executable memfds are refused (vm.memfd_noexec=2), and no unnamed file of /dev/shm or /tmp could be made executable");
	if (fd < 0)
		return sp_err_errno(err, NULL, "cannot write the container's init (secprof-init)");
	return fd;
}

/* Become secprof-init (pid1.h has its command line) from image, a
 * close-on-exec fd (init_image_fd); returns only on failure, with errno. */
static void exec_init(int image, pid_t command, int gate_fd)
{
	/* argv[0] on the stack too: a literal in the initializer would be
	 * a pointer gcc keeps in .data.rel.ro (a relocation at load) */
	char name[] = "secprof-init", spid[16], sgate[16], sarch[16];
	char *argv[SP_INIT_ARGC + 1] = { name, spid, sgate, sarch, NULL };
	char *envp[] = { NULL };

	snprintf(spid, sizeof(spid), "%d", (int)command);
	snprintf(sgate, sizeof(sgate), "%d", gate_fd);
	snprintf(sarch, sizeof(sarch), "%x", sp_arch_native()->audit);
	/* the gate is close-on-exec (sp_spawn_held): kept for secprof-init */
	if (fcntl(gate_fd, F_SETFD, 0) < 0 || drop_privileges() < 0)
		return;
	syscall(SYS_execveat, image, "", argv, envp, AT_EMPTY_PATH);
}

/* Any of fds 0-2 that is a null device (stdin without -i) is opened
 * again through the container's /dev: through /proc/self/fd the
 * container's root could otherwise chmod or chown the host's node, on
 * the host's mount (runc does the same, libcontainer/rootfs_linux.go
 * reOpenDevNull). Where the container's node is the host's bound
 * read-only (no CAP_MKNOD), the new fd carries that read-only mount. */
/* Where the container has no /dev/null (--tmpfs /dev): a pipe whose
 * write end is closed reads as empty, as /dev/null does. */
static int empty_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	close(p[1]);
	return p[0];
}

static int reopen_dev_null(secprof_error *err)
{
	struct stat host;
	int fd = -1;

	for (int i = 0; i < 3; i++) {
		if (fstat(i, &host) < 0 || !S_ISCHR(host.st_mode) || host.st_rdev != makedev(1, 3))
			continue;
		if (fd < 0 && (fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 &&
		    (fd = empty_pipe()) < 0)
			return sys_fail(err, "cannot open", "/dev/null");
		if (dup2(fd, i) < 0) {
			close(fd);
			return sys_fail(err, "cannot reopen", "/dev/null");
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* The parent attaches the device program while init builds the root
 * (devices.c sp_devcg_arm), and the command starts only once it is in
 * force; building the root opens no device node (mounts only, and
 * regular files on the fresh /dev tmpfs). Waits on the shared page; gives
 * up when the parent is gone (its end of the sync pipe closed). */
static bool devices_armed(struct sp_child_report *rep)
{
	int v;

	while (!(v = __atomic_load_n(&rep->devices, __ATOMIC_SEQ_CST))) {
		struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
		struct pollfd p = { .fd = rep->pipe_fd };

		syscall(SYS_futex, &rep->devices, FUTEX_WAIT, 0, &tick, NULL, 0);
		if (poll(&p, 1, 0) > 0 && (p.revents & POLLERR))
			return false;
	}
	return v == 1;
}

/* ---- what the caller's process would have handed down ------------------ */

/* A Docker container's first process descends from containerd's shim, not
 * from the docker client: none of the client's scheduling, OOM or
 * personality settings reach it, and runc's init sets umask 0022 and
 * writes the spec's oom_score_adj, 0 unless asked (runc
 * libcontainer/standard_init_linux.go, process_linux.go). secprof's init is
 * a copy of its caller, so it undoes what would give the container more
 * than Docker's would have and what the container could not take for
 * itself: a real-time scheduling or I/O class, a negative nice or
 * oom_score_adj (those need CAP_SYS_NICE, CAP_SYS_ADMIN,
 * CAP_SYS_RESOURCE) and the rlimits that would let it take the first two
 * (RLIMIT_RTPRIO, RLIMIT_NICE), personality flags Docker's profile refuses to set
 * (ADDR_NO_RANDOMIZE: no ASLR), and the securebit that keeps a root
 * process's capabilities across setuid (no-setuid-fixup). What is less
 * favourable than Docker's (a positive nice, a batch or idle class) stays,
 * as the caller meant it: the container cannot lift it either. */
#define SP_IOPRIO_WHO_PROCESS 1 /* include/uapi/linux/ioprio.h */
#define SP_IOPRIO_CLASS_RT 1
#define SP_IOPRIO_CLASS_SHIFT 13

static int drop_scheduling(secprof_error *err)
{
	struct sched_param none = { 0 };
	/* raw calls: musl's sched_getscheduler and sched_setscheduler only
	 * return ENOSYS (its scheduling is per thread, and Linux's calls act on
	 * one thread), which skipped this silently in the static secprof */
	long policy = syscall(SYS_sched_getscheduler, 0);
	long io = syscall(SYS_ioprio_get, SP_IOPRIO_WHO_PROCESS, 0);

	if (policy < 0)
		return sp_err_errno(err, NULL, "cannot read the caller's scheduling policy");
	policy &= ~(long)SCHED_RESET_ON_FORK;
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) < 0 && !errno && setpriority(PRIO_PROCESS, 0, 0) < 0)
		return sp_err_errno(err, NULL, "cannot undo the caller's negative nice value");
	if ((policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_DEADLINE) &&
	    syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &none) < 0)
		return sp_err_errno(err, NULL, "cannot undo the caller's real-time scheduling");
	if (io >= 0 && io >> SP_IOPRIO_CLASS_SHIFT == SP_IOPRIO_CLASS_RT &&
	    syscall(SYS_ioprio_set, SP_IOPRIO_WHO_PROCESS, 0, 0) < 0)
		return sp_err_errno(err, NULL, "cannot undo the caller's real-time I/O class");
	return 0;
}

/* The limits under which a process without CAP_SYS_NICE may still take a
 * real-time class (RLIMIT_RTPRIO: kernel/sched/core.c
 * __sched_setscheduler) or a negative nice (RLIMIT_NICE: can_nice) for
 * itself. Docker's container has containerd's, 0 and 0 as systemd starts
 * it; a caller's higher limit would let the container take back what
 * drop_scheduling takes away, and raising either needs CAP_SYS_RESOURCE,
 * which Docker does not give. Lowered to 0 (lowering needs nothing). */
static int drop_priority_limits(secprof_error *err)
{
	static const struct {
		int resource;
		char name[sizeof("real-time priority")]; /* no pointer: no relocation at load */
	} limits[] = { { RLIMIT_RTPRIO, "real-time priority" }, { RLIMIT_NICE, "nice" } };

	for (size_t i = 0; i < SP_ARRAY_SIZE(limits); i++) {
		struct rlimit rl, none = { 0, 0 };

		if (getrlimit(limits[i].resource, &rl) < 0)
			return sp_err_errno(err, NULL, "cannot read the caller's %s limit",
					    limits[i].name);
		if ((rl.rlim_cur || rl.rlim_max) && setrlimit(limits[i].resource, &none) < 0)
			return sp_err_errno(err, NULL, "cannot undo the caller's %s limit",
					    limits[i].name);
	}
	return 0;
}

static int drop_oom_protection(secprof_error *err)
{
	char buf[16] = { 0 };
	int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	int rc = 0;

	if (n > 0 && buf[0] == '-' && pwrite(fd, "0", 1, 0) != 1)
		rc = sp_err_errno(err, NULL, "cannot undo the caller's oom_score_adj %.*s",
				  (int)n - 1, buf);
	if (fd >= 0)
		close(fd);
	return n < 0 ? sp_err_errno(err, NULL, "cannot read /proc/self/oom_score_adj") : rc;
}

static int drop_caller_settings(secprof_error *err)
{
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	umask(022);
	if (personality(0xffffffff) != PER_LINUX && personality(PER_LINUX) < 0)
		return sp_err_errno(err, NULL, "cannot undo the caller's personality");
	if (bits > 0 && (bits & SECBIT_NO_SETUID_FIXUP) &&
	    prctl(PR_SET_SECUREBITS, bits & ~SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
		return sp_err_errno(err, NULL,
				    "cannot undo the caller's no-setuid-fixup securebit");
	if (drop_scheduling(err) < 0 || drop_priority_limits(err) < 0)
		return -1;
	return drop_oom_protection(err);
}

/* Docker gives a container a cgroup namespace of its own where the host
 * runs cgroup v2 alone, and shares the host's where it mounts v1 (moby:
 * the daemon's default-cgroupns-mode, "private" on cgroup v2); runc
 * unshares it once the init is in its cgroup, so that the container's
 * cgroup is its root (libcontainer/process_linux.go). Without it,
 * /proc/self/cgroup names the container's cgroup by its host path. */
#define SP_CGROUP2_SUPER_MAGIC 0x63677270 /* include/uapi/linux/magic.h */

static int cgroup_namespace(secprof_error *err)
{
	struct statfs fs;

	if (statfs("/sys/fs/cgroup", &fs) < 0 || fs.f_type != SP_CGROUP2_SUPER_MAGIC)
		return 0;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return sp_err_errno(err, NULL, "cannot create the container's cgroup namespace");
	return 0;
}

struct command_child {
	struct sp_run_opts *o; /* init's copy, the command's once released */
	struct sp_child_report *rep;
};

/* The command's process, a child of init that shares init's memory (init
 * execs secprof-init next, which leaves that memory to the command). It
 * starts once init's execve has, and goes as far as its filter's load
 * point, where it waits until secprof-init has locked itself down (gate
 * SP_GATE_GO) or told it could not (proc.c pass_gate). init is a copy of
 * the caller: every signal the caller handled or ignored goes back to the
 * default before the command unblocks signals (sp_exec_command). A
 * container never sees the caller's dispositions: a forwarded SIGTERM
 * must not find the command ignoring it because the shell that started
 * secprof in the background did (`trap '' TERM`, `nohup`, `cmd &`). */
static int command_main(void *data, int gate_fd)
{
	const struct command_child *c = data;

	c->o->gate_fd = gate_fd; /* held since init_main: -1 would fail closed */
	sp_default_handlers(true);
	sp_exec_command(c->o, c->rep);
}

/* Messages in the C locale from here on. After pivot_root the files are
 * the image's, and this process still holds every capability and no
 * filter: under a caller's locale (a program that called setlocale, with
 * LANGUAGE=de) strerror looks its translation up in the image's
 * /usr/share/locale/<lang>/LC_MESSAGES/libc.mo, and a catalog in another
 * charset makes glibc load a gconv module, a shared object, from the
 * image's tree. The C locale translates nothing (glibc's dcigettext
 * returns the message as it is) and so reads no file. runc's init is
 * Go, which never reads the container's locale files. */
static int messages_in_c_locale(secprof_error *err)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);

	if (!c || !uselocale(c))
		return sp_err_errno(err, NULL, "cannot switch to the C locale");
	return 0;
}

/* PID 1 of the new PID namespace, until it becomes secprof-init. */
__attribute__((noreturn)) static void init_main(const struct sp_run_opts *o,
						struct sp_child_report *rep,
						const struct sp_devcg *cg, bool born_in_cg)
{
	struct sp_run_opts cmd = *o;
	struct command_child child = { .o = &cmd, .rep = rep };
	struct sp_userdb userdb = { 0 };
	secprof_error err;
	int gate_fd = -1, image;
	pid_t pid;

	/* Before the root is built: an inherited directory fd would survive
	 * pivot_root as a way back to the host's tree (CVE-2024-21626), and
	 * init outlives the command's execve, so they are closed, not marked
	 * close-on-exec. Only the sync pipe's write end stays. */
	close(rep->pipe_rfd);
	if (messages_in_c_locale(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* A session of its own, without a controlling terminal: the
	 * caller's terminal is not the container's /dev/tty, and its
	 * job-control signals reach the container only through secprof
	 * (stdio.c, tty.c). Docker's container has no session with the
	 * client's terminal either. */
	if (setsid() < 0)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot start a session");
	if (drop_caller_settings(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* -t: the pty is init's stdio too, so that bind_terminal puts it on
	 * /dev/console and the command inherits it. */
	if (o->tty && sp_tty_attach(o->tty_slave) < 0)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot attach the terminal");
	/* Without -t the pipes secprof relays (stdio.c): nothing of the
	 * caller's stdio reaches the container, and with no terminal there
	 * bind_terminal binds none on /dev/console. */
	if (o->stdio && sp_stdio_attach(o->stdio) < 0)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot attach the container's stdio");
	if (sp_close_fds_from(3 + (int)o->preserve_fds, rep->pipe_fd, false) < 0) {
		sp_err_errno(&err, NULL, "cannot close inherited file descriptors");
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	sp_close_unpreserved(o, rep->pipe_fd);
	/* Joined before anything else, so no process of the container ever
	 * runs outside the device rules (unless created inside the cgroup). */
	if (!born_in_cg && sp_devcg_join(cg, &err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	if (cgroup_namespace(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* The command inherits it from init at fork (proc.c). */
	if (sp_new_session_keyring(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* Before the root is built: the fallback needs the host's /tmp. */
	if ((image = init_image_fd(&err)) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	if (build_root(o, &userdb, &err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	if (o->nmounts)
		cmd.userdb = &userdb;
	cmd.workdir = o->workdir ? o->workdir : "/";
	/* The parent said why (it set rep's status). */
	if (!devices_armed(rep))
		sp_exit_now(SP_EXIT_ERROR);
	if (reopen_dev_null(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* The command waits for secprof-init at its filter's load point
	 * (proc.c pass_gate); command_main only fills the fd in. */
	cmd.held = true;
	cmd.gate_fd = -1;
	pid = sp_spawn_held(command_main, &child, &gate_fd);
	if (pid < 0) {
		sp_err_errno(&err, NULL, "cannot start the command's process");
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	/* The command holds the report pipe now; the parent must see its end
	 * of file when the command execs. */
	close(rep->pipe_fd);
	/* Signals stay blocked across the execve (run.c blocked them), and
	 * a blocked signal is queued even for a PID-namespace init without a
	 * handler (kernel/signal.c sig_ignored): none is lost meanwhile. The
	 * pages this process shares with secprof on the host (rep, the
	 * record hook's) go with the rest of its memory. */
	exec_init(image, pid, gate_fd);
	/* The report first: the command holds the report pipe, and its death
	 * is the end of file after which secprof reads it. */
	sp_err_errno(&err, NULL, "cannot start the container's init (secprof-init)");
	rep->err = err;
	__atomic_store_n(&rep->status, SP_EXIT_ERROR, __ATOMIC_SEQ_CST);
	kill(pid, SIGKILL);
	sp_exit_now(SP_EXIT_ERROR);
}

/* clone3 with CLONE_INTO_CGROUP (Linux 5.7): the init starts its life in
 * its cgroup2 device cgroup, so nothing has to move it there. Without a
 * stack it returns twice, like fork(). -1 with errno when the kernel (or
 * a seccomp filter secprof runs under) refuses clone3 itself. */
static pid_t clone_into_cgroup(unsigned long flags, const struct sp_devcg *cg)
{
	struct clone_args args;
	pid_t pid;
	int fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(&args, 0, sizeof(args));
	args.flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP;
	/* A sibling's exit signal is its creator's (kernel/fork.c), and
	 * clone3 refuses to be given one with CLONE_PARENT. */
	args.exit_signal = flags & CLONE_PARENT ? 0 : flags & CSIGNAL;
	args.cgroup = (uint64_t)fd;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid != 0) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return pid;
}

/* init's process, in new namespaces and (clone3) its device cgroup:
 * returns twice, like fork(); -1 with errno. */
static pid_t clone_init(unsigned long flags, const struct sp_devcg *cg, bool *born_in_cg)
{
	pid_t pid = -1;

	*born_in_cg = false;
	if (cg && cg->version == 2) {
		pid = clone_into_cgroup(flags, cg);
		*born_in_cg = pid >= 0;
	}
	/* Raw clone without a new stack behaves like fork(), in new namespaces;
	 * the child is PID 1 of its PID namespace. Where clone3 is missing
	 * (ENOSYS) or refused, the init joins its cgroup first thing. */
	if (!*born_in_cg)
		pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	return pid;
}

/* Whether the calling process has other threads: procfs counts a link
 * of /proc/self/task per thread, above the directory's own two
 * (fs/proc/base.c, proc_task_getattr). Without /proc, assume so. */
static bool caller_has_threads(void)
{
	struct stat st;

	return stat("/proc/self/task", &st) < 0 || st.st_nlink != 3;
}

/* What the single-threaded copy below tells the caller. */
struct init_started {
	pid_t pid;
	int error;
	bool born_in_cg;
};

/* A raw clone copies the caller's memory as it is, glibc's locks with it;
 * only fork() makes malloc and stdio usable again in the child (it takes
 * their locks around the copy). With one thread, nothing else can hold
 * them. With others, one may hold the lock of malloc's arena or of stdio's
 * list of files at that moment, and init, or the command it forks, then
 * waits for it for ever (fopen of mountinfo, /etc/passwd; calloc). So
 * init is cloned from a fork() of the caller instead, a sibling of it
 * (CLONE_PARENT), so that the caller still waits for init itself. Costs
 * one more process, and runs the caller's pthread_atfork handlers in that
 * copy, as any fork of a multi-threaded program must. Returns 0 in init. */
static pid_t clone_init_from_fork(unsigned long flags, const struct sp_devcg *cg, bool *born_in_cg)
{
	struct init_started got = { .pid = -1, .error = EIO };
	int p[2], wstatus;
	pid_t copy;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	copy = fork();
	if (copy < 0)
		got.error = errno;
	if (copy == 0) {
		close(p[0]);
		got.pid = clone_init(flags | CLONE_PARENT, cg, &got.born_in_cg);
		if (got.pid == 0) {
			close(p[1]);
			*born_in_cg = got.born_in_cg;
			return 0;
		}
		got.error = errno;
		sp_exit_now(sp_write_all(p[1], &got, sizeof(got)) < 0);
	}
	close(p[1]);
	if (copy > 0) {
		ssize_t n;

		/* again after a handler of the caller's (one for a signal
		 * secprof does not block) interrupted it: init may exist */
		while ((n = read(p[0], &got, sizeof(got))) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(got))
			got = (struct init_started){ .pid = -1, .error = EIO };
		while (waitpid(copy, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	close(p[0]);
	*born_in_cg = got.born_in_cg;
	errno = got.error;
	return got.pid;
}

pid_t sp_container_start(const struct sp_run_opts *o, struct sp_child_report *rep,
			 const struct sp_devcg *cg, secprof_error *err)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
	bool born_in_cg;
	pid_t pid;

	if (o->net == SP_NET_NONE)
		flags |= CLONE_NEWNET;
	pid = caller_has_threads() ? clone_init_from_fork(flags, cg, &born_in_cg)
				   : clone_init(flags, cg, &born_in_cg);
	if (pid < 0) {
		sp_err_errno(err, NULL, "cannot create namespaces");
		return -1;
	}
	if (pid == 0)
		init_main(o, rep, cg, born_in_cg);
	return pid;
}
