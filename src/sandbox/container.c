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
#include <glob.h>
#include <linux/futex.h>
#include <poll.h>
#include <linux/sched.h>
#include <linux/capability.h>
#include <linux/prctl.h>
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

static int make_dir(const char *path, secprof_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return sys_fail(err, "cannot create", path);
	return 0;
}

/* Where the container's /proc, /dev and /sys are mounted, in the root the
 * image made: an ordinary directory, never a symlink or a file. Followed
 * here, before pivot_root, a symlink (/proc -> /tmp, -> ../../..) is
 * resolved against the host's root: the filesystem lands on a host path
 * of this namespace, gone with the old root, and the container keeps the
 * image's directory instead: a /dev of the image's nodes and fifos (init
 * opens its /dev/null for the command's stdin), no procfs (the command's
 * process reads its capabilities' range there), no read-only sysfs. runc
 * refuses such a root (libcontainer/rootfs_linux.go mountToRootfs: "must
 * be mounted on ordinary directory"); Docker hides the image's entry
 * under a directory of its init layer (moby daemon/initlayer Setup). */
static int mount_point(const char *name, secprof_error *err)
{
	struct stat st;

	if (make_dir(name, err) < 0)
		return -1;
	if (lstat(name, &st) < 0)
		return sys_fail(err, "cannot read", name);
	if (!S_ISDIR(st.st_mode))
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"the root filesystem's /%s is not a directory (%s): secprof mounts %s only on an ordinary directory, as runc does",
			name, S_ISLNK(st.st_mode) ? "a symbolic link" : "a file", name);
	return 0;
}

/* Make a bind mount at path read-only, keeping the flags the kernel locks
 * on a mount from a more privileged namespace (or EPERM). */
static int bind_read_only(const char *path, secprof_error *err)
{
	static const struct {
		unsigned long st, ms;
	} keep[] = {
		{ ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC },         { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	struct statvfs sv;

	if (statvfs(path, &sv) < 0)
		return sys_fail(err, "cannot read the mount flags of", path);
	for (size_t i = 0; i < SP_ARRAY_SIZE(keep); i++)
		if (sv.f_flag & keep[i].st)
			flags |= keep[i].ms;
	return do_mount(NULL, path, NULL, flags, NULL, err);
}

/* The nodes runc creates in a container's /dev (libcontainer/rootfs_linux.go
 * createDevices, mknodDevice; specconv AllowedDevices), each made on the
 * container's own tmpfs with mode 0666 whatever the umask, so a chmod,
 * chown or touch in the container changes the container's node only, as
 * under Docker. Where mknod is refused (secprof itself in a user namespace
 * or without CAP_MKNOD) runc binds the host's node (bindMountDeviceNode);
 * secprof binds it read-only, so the container can still read and write
 * the device but never change the host's inode (EROFS). *host_nodes says
 * which happened. */
static int make_device(const char *name, unsigned major, unsigned minor, bool *host_nodes,
		       secprof_error *err)
{
	char host[64], inside[64];
	int fd;

	snprintf(host, sizeof(host), "/dev/%s", name);
	snprintf(inside, sizeof(inside), "dev/%s", name);
	if (mknod(inside, S_IFCHR | 0666, makedev(major, minor)) == 0) {
		if (chmod(inside, 0666) < 0)
			return sys_fail(err, "cannot set the mode of", inside);
		return 0;
	}
	if (errno != EPERM)
		return sys_fail(err, "cannot create", inside);
	*host_nodes = true;
	fd = open(inside, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return sys_fail(err, "cannot create", inside);
	close(fd);
	if (do_mount(host, inside, NULL, MS_BIND, NULL, err) < 0)
		return -1;
	return bind_read_only(inside, err);
}

/* With -t the command's stdio is the pty secprof made (tty.c), whose
 * node lives in the host's devpts, which the new root cannot reach. Bound
 * on /dev/console (where runc puts a container's terminal), ttyname()
 * finds it again by device number and `tty`, job control and stty keep
 * working. Read-only: the node is the host's, whose mode and owner the
 * container must not change. Without -t the stdio is pipes (stdio.c) and
 * nothing is bound. */
static int bind_terminal(secprof_error *err)
{
	char path[256];
	int fd;

	for (int i = 0; i < 3; i++) {
		if (!isatty(i) || ttyname_r(i, path, sizeof(path)) != 0)
			continue;
		fd = open("dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0)
			return sys_fail(err, "cannot create", "dev/console");
		close(fd);
		if (do_mount(path, "dev/console", NULL, MS_BIND, NULL, err) < 0)
			return -1;
		return bind_read_only("dev/console", err);
	}
	return 0;
}

static int setup_dev(bool *host_nodes, secprof_error *err)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} devices[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "/proc/self/fd", "dev/fd" },       { "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
		{ "pts/ptmx", "dev/ptmx" },
	};
	int rc = mount_point("dev", err);

	if (!rc)
		rc = do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
			      "mode=755,size=65536k", err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(devices); i++)
		rc = make_device(devices[i].name, devices[i].major, devices[i].minor, host_nodes,
				 err);
	if (!rc)
		rc = make_dir("dev/pts", err);
	if (!rc)
		rc = do_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			      "newinstance,ptmxmode=0666,mode=0620,gid=5", err);
	if (!rc)
		rc = make_dir("dev/shm", err);
	if (!rc)
		rc = do_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      "mode=1777,size=65536k", err);
	if (!rc)
		rc = make_dir("dev/mqueue", err);
	if (!rc)
		rc = do_mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      NULL, err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
			rc = sys_fail(err, "cannot create", links[i][1]);
	if (!rc)
		rc = bind_terminal(err);
	return rc;
}

/* Per-mount flags of a mountinfo options field ("rw,nosuid,nodev"). */
static unsigned long mount_flags(const char *opts)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} known[] = {
		{ "nosuid", MS_NOSUID },         { "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC },         { "noatime", MS_NOATIME },
		{ "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
	};
	unsigned long flags = 0;
	char buf[256], *s = buf, *tok;

	snprintf(buf, sizeof(buf), "%s", opts);
	while ((tok = strsep(&s, ",")))
		for (size_t i = 0; i < SP_ARRAY_SIZE(known); i++)
			if (!strcmp(tok, known[i].name))
				flags |= known[i].flag;
	return flags;
}

/* Remount read-only every mount at or below dir (an absolute path), as
 * runc does for a /sys it had to bind (libcontainer/rootfs_linux.go
 * mountToRootfs, "sysfs" case: rbind, then each submount read-only). A
 * top-level remount alone leaves cgroup files and tracefs writable. */
int sp_remount_tree_ro(const char *dir, secprof_error *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t dl = strlen(dir);
	char line[4096];
	int rc = 0;

	if (!f)
		return sys_fail(err, "cannot read", "/proc/self/mountinfo");
	while (!rc && fgets(line, sizeof(line), f)) {
		char *field[6], *s = line;
		int n = 0;

		while (n < 6 && (field[n] = strsep(&s, " ")))
			n++;
		if (n < 6 || strncmp(field[4], dir, dl) || (field[4][dl] && field[4][dl] != '/'))
			continue;
		if (mount(NULL, field[4], NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags(field[5]), NULL) < 0)
			rc = sys_fail(err, "cannot make read-only", field[4]);
	}
	fclose(f);
	return rc;
}

/* Docker gives every container a fresh sysfs, read-only unless privileged
 * (moby DefaultLinuxSpec mounts), whatever its network: as real root
 * secprof may mount one even in the host's network namespace. Where the
 * kernel refuses (EPERM: a network namespace secprof does not own), runc
 * binds the host's /sys instead, and then every mount under it must be
 * made read-only, not only the top. */
static int setup_sys(bool privileged, secprof_error *err)
{
	unsigned long ro = MS_NOSUID | MS_NODEV | MS_NOEXEC | (privileged ? 0 : MS_RDONLY);
	char abs[4096];
	int rc = mount_point("sys", err);

	if (rc)
		return rc;
	if (mount("sysfs", "sys", "sysfs", ro, NULL) == 0)
		return 0;
	if (errno != EPERM && errno != EBUSY)
		return sys_fail(err, "cannot mount", "sys");
	rc = do_mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL, err);
	if (rc || privileged)
		return rc;
	if (!getcwd(abs, sizeof(abs) - 5))
		return sys_fail(err, "cannot find", "the root filesystem");
	strcat(abs, strcmp(abs, "/") ? "/sys" : "sys");
	return sp_remount_tree_ro(abs, err);
}

/* Docker's masked and read-only paths: moby daemon/pkg/oci/defaults.go,
 * DefaultLinuxSpec (MaskedPaths from defaultLinuxMaskedPaths, which adds
 * each /sys/devices/system/cpu/cpuN/thermal_throttle that exists; here a
 * glob pattern, every match masked) and ReadonlyPaths. Relative to the
 * new root; paths missing there are skipped, as runc skips them. */
static const char *const masked_paths[] = {
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
static const char *const readonly_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

/* The node every masked file is bound from: the container's /dev/null as
 * setup_dev made it, held open from before the -v, --mount and --tmpfs
 * mounts, which could hide it (--tmpfs /dev: the masks would be skipped)
 * or put a symlink in its place that the host's root resolves. */
struct null_src {
	int fd;    /* O_PATH */
	bool host; /* the host's node, bound read-only (make_device) */
};

/* runc maskPath: a read-only tmpfs over a directory, the container's
 * /dev/null over a file (bound through /proc/self/fd, so by the node, not
 * by a path). When that node is the host's, each mask is made read-only
 * too: a new bind does not inherit the read-only flag of the one it
 * copies. */
static int mask_path(const char *p, const struct null_src *null, secprof_error *err)
{
	char src[64];
	struct stat st;
	int r;

	if (stat(p, &st) < 0)
		return 0;
	snprintf(src, sizeof(src), "/proc/self/fd/%d", null->fd);
	if (S_ISDIR(st.st_mode))
		r = mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL);
	else
		r = mount(src, p, NULL, MS_BIND, NULL);
	if (r < 0 && errno != ENOENT)
		return sys_fail(err, "cannot mask", p);
	if (r == 0 && null->host && !S_ISDIR(st.st_mode))
		return bind_read_only(p, err);
	return 0;
}

static int protect_proc(const struct null_src *null, secprof_error *err)
{
	struct stat st;
	int rc = 0;

	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(masked_paths); i++) {
		const char *p = masked_paths[i];
		glob_t g = { 0 };

		if (!strchr(p, '*')) {
			rc = mask_path(p, null, err);
			continue;
		}
		if (glob(p, GLOB_NOSORT, NULL, &g) == 0)
			for (size_t k = 0; !rc && k < g.gl_pathc; k++)
				rc = mask_path(g.gl_pathv[k], null, err);
		globfree(&g);
	}
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(readonly_paths); i++) {
		const char *p = readonly_paths[i];
		if (stat(p, &st) < 0)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, p, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			rc = sys_fail(err, "cannot make read-only", p);
	}
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

/* db: the user database as the root had it before -v, --mount and
 * --tmpfs, filled only when there are any (sp_userdb). */
static int build_root(const struct sp_run_opts *o, struct sp_userdb *db, secprof_error *err)
{
	const char *host = o->hostname ? o->hostname : "secprof";
	struct null_src null = { -1, false };
	int rc = enter_root(o, err);

	if (!rc)
		rc = mount_point("proc", err);
	if (!rc)
		rc = do_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	if (!rc)
		rc = setup_dev(&null.host, err);
	if (!rc && (null.fd = open("dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		rc = sys_fail(err, "cannot open", "dev/null");
	if (!rc)
		rc = setup_sys(o->privileged, err);
	if (!rc && o->nmounts)
		rc = sp_userdb_capture(db, err);
	/* -v, --mount, --tmpfs after Docker's own mounts and before the
	 * masks, in the order of runc's spec (moby WithMounts). */
	if (!rc)
		rc = sp_mounts_apply(o, err);
	/* A privileged container sees /proc unmasked (moby WithMaskedPaths). */
	if (!rc && !o->privileged)
		rc = protect_proc(&null, err);
	if (null.fd >= 0)
		close(null.fd);
	if (!rc && sethostname(host, strlen(host)) < 0)
		rc = sys_fail(err, "cannot set hostname", host);
	if (!rc && o->net == SP_NET_NONE)
		rc = loopback_up(err);
	if (!rc)
		rc = switch_root(err);
	if (!rc && o->read_only)
		rc = do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, err);
	return rc;
}

/* Docker creates a missing --workdir inside the container (daemon side). */
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
	static const char *const dirs[] = { "/dev/shm", "/tmp" };

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
	char spid[16], sgate[16], sarch[16];
	char *argv[SP_INIT_ARGC + 1] = { "secprof-init", spid, sgate, sarch, NULL };
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
	int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	long io = syscall(SYS_ioprio_get, SP_IOPRIO_WHO_PROCESS, 0);

	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) < 0 && !errno && setpriority(PRIO_PROCESS, 0, 0) < 0)
		return sp_err_errno(err, NULL, "cannot undo the caller's negative nice value");
	if ((policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_DEADLINE) &&
	    sched_setscheduler(0, SCHED_OTHER, &none) < 0)
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
		const char *name;
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
	const struct sp_run_opts *o;
	struct sp_child_report *rep;
};

/* The command's process, a fork of init, held until secprof-init has
 * locked itself down (gate SP_GATE_GO), or told it could not. init is a copy of
 * the caller: every signal the caller handled or ignored goes back to the
 * default before the command unblocks signals (sp_exec_command). A
 * container never sees the caller's dispositions: a forwarded SIGTERM
 * must not find the command ignoring it because the shell that started
 * secprof in the background did (`trap '' TERM`, `nohup`, `cmd &`). */
static int command_main(void *data, int gate)
{
	const struct command_child *c = data;

	if (gate != SP_GATE_GO) {
		secprof_error err;
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "the container's init (secprof-init) could not lock itself down: %s",
		       sp_gate_reason(gate));
		sp_child_fail(c->rep, SP_EXIT_ERROR, &err);
	}
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
	if (o->workdir && make_workdir(o->workdir, &err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* The parent said why (it set rep's status). */
	if (!devices_armed(rep))
		sp_exit_now(SP_EXIT_ERROR);
	if (reopen_dev_null(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	cmd.env_slots = calloc(sp_env_slots(cmd.envp), sizeof(char *));
	pid = cmd.env_slots ? sp_spawn_held(command_main, &child, &gate_fd) : -1;
	if (pid < 0) {
		sp_err_errno(&err, NULL, "fork");
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
