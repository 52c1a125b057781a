/* container.c - `secprof run --rootfs DIR`: the command in its own mount,
 * PID, UTS and IPC namespaces (and network, with --network none), with a
 * fresh /proc, a minimal /dev and a read-only /sys, as runc builds a Docker
 * container's root. secprof's init is PID 1: it forwards signals to the
 * command and reaps every zombie, like `docker run --init`.
 *
 * The filter is loaded by the command's process, never by init (spec §4.1.4
 * order, in run.c); init keeps no capability the command could reach. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "run.h"


static int sys_fail(secprof_error *err, const char *what, const char *path)
{
	return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "%s %s: %s", what, path,
		      strerror(errno));
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

/* Host device nodes bound into a tmpfs /dev: works whether or not mknod is
 * allowed where secprof runs, and gives the same nodes runc creates. */
static int bind_device(const char *name, secprof_error *err)
{
	char host[64], inside[64];
	int fd;

	snprintf(host, sizeof(host), "/dev/%s", name);
	snprintf(inside, sizeof(inside), "dev/%s", name);
	fd = open(inside, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return sys_fail(err, "cannot create", inside);
	close(fd);
	return do_mount(host, inside, NULL, MS_BIND, NULL, err);
}

/* The terminal secprof runs on stays the command's stdio, but its node
 * lives in the host's devpts, which the new root cannot reach. Bound on
 * /dev/console (where runc puts a container's terminal), ttyname() finds it
 * again by device number and `tty`, job control and stty keep working. */
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
		return do_mount(path, "dev/console", NULL, MS_BIND, NULL, err);
	}
	return 0;
}

static int setup_dev(secprof_error *err)
{
	static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "dev/fd" },     { "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
		{ "pts/ptmx", "dev/ptmx" },
	};
	int rc = make_dir("dev", err);

	if (!rc)
		rc = do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(devices); i++)
		rc = bind_device(devices[i], err);
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
		rc = do_mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
			rc = sys_fail(err, "cannot create", links[i][1]);
	if (!rc)
		rc = bind_terminal(err);
	return rc;
}

/* sysfs can only be mounted by the owner of the network namespace; with the
 * host's network a recursive read-only bind of /sys is what runc does. */
static int setup_sys(enum sp_net net, bool privileged, secprof_error *err)
{
	/* Docker leaves /sys writable for --privileged only. */
	unsigned long ro = MS_NOSUID | MS_NODEV | MS_NOEXEC | (privileged ? 0 : MS_RDONLY);
	int rc = make_dir("sys", err);

	if (rc)
		return rc;
	if (net == SP_NET_NONE)
		return do_mount("sysfs", "sys", "sysfs", ro, NULL, err);
	rc = do_mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL, err);
	if (!rc)
		rc = do_mount(NULL, "sys", NULL, MS_BIND | MS_REMOUNT | ro, NULL, err);
	return rc;
}

/* Docker's masked and read-only /proc paths (moby oci/defaults.go), so a
 * container here sees what a Docker container sees. Missing ones are fine. */
static int protect_proc(secprof_error *err)
{
	static const char *const masked[] = {
		"proc/asound", "proc/acpi", "proc/kcore", "proc/keys", "proc/latency_stats",
		"proc/timer_list", "proc/timer_stats", "proc/sched_debug", "proc/scsi",
		"sys/firmware", "sys/devices/virtual/powercap",
	};
	static const char *const readonly[] = {
		"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
	};
	struct stat st;

	for (size_t i = 0; i < SP_ARRAY_SIZE(masked); i++) {
		const char *p = masked[i];
		int r;
		if (stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL);
		else
			r = mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (r < 0 && errno != ENOENT)
			return sys_fail(err, "cannot mask", p);
	}
	for (size_t i = 0; i < SP_ARRAY_SIZE(readonly); i++) {
		const char *p = readonly[i];
		if (stat(p, &st) < 0)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return sys_fail(err, "cannot make read-only", p);
	}
	return 0;
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

static int enter_root(const char *rootfs, secprof_error *err)
{
	/* Nothing mounted below may leak back to the host (runc: rprivate
	 * unless told otherwise), and pivot_root wants a private parent. */
	int rc = do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err);

	if (!rc)
		rc = do_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL, err);
	if (!rc && chdir(rootfs) < 0)
		rc = sys_fail(err, "cannot enter", rootfs);
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

static int build_root(const struct sp_run_opts *o, secprof_error *err)
{
	const char *host = o->hostname ? o->hostname : "secprof";
	int rc = enter_root(o->rootfs, err);

	if (!rc)
		rc = make_dir("proc", err);
	if (!rc)
		rc = do_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	if (!rc)
		rc = setup_dev(err);
	if (!rc)
		rc = setup_sys(o->net, o->privileged, err);
	/* A privileged container sees /proc unmasked (moby WithMaskedPaths). */
	if (!rc && !o->privileged)
		rc = protect_proc(err);
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

/* Init outlives the command's setup with every capability the parent had;
 * it needs none to wait and forward signals. Dropping them all and turning
 * off dumpability keeps the command (same uid 0) from reaching init's
 * memory or descriptors through /proc/1. */
static void drop_init_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2];

	memset(none, 0, sizeof(none));
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	syscall(SYS_capset, &hdr, none);
}

static void ignore_signal(int sig)
{
	(void)sig;
}

/* PID 1 of the new PID namespace: a PID-namespace init only receives
 * signals it has a handler for, so every forwarded one gets a no-op
 * handler; they stay blocked and are taken with sigwaitinfo. */
__attribute__((noreturn)) static void init_main(const struct sp_run_opts *o, struct sp_child_report *rep)
{
	struct sp_run_opts cmd = *o;
	struct sigaction sa;
	secprof_error err;
	sigset_t set;
	pid_t pid;

	if (build_root(o, &err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	cmd.workdir = o->workdir ? o->workdir : "/";
	if (o->workdir && make_workdir(o->workdir, &err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore_signal;
	sp_forward_sigset(&set);
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&set, s))
			sigaction(s, &sa, NULL);
	pid = fork();
	if (pid < 0) {
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "fork: %s", strerror(errno));
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		for (int s = 1; s < NSIG; s++)
			if (sigismember(&set, s))
				sigaction(s, &sa, NULL);
		sp_exec_command(&cmd, rep);
	}
	/* The command holds the report pipe now; the parent must see its end
	 * of file when the command execs. */
	close(rep->pipe_fd);
	drop_init_privileges();
	_exit(sp_wait_forwarding(pid, true));
}

pid_t sp_container_start(const struct sp_run_opts *o, struct sp_child_report *rep,
			  secprof_error *err)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
	pid_t pid;

	if (o->net == SP_NET_NONE)
		flags |= CLONE_NEWNET;
	/* Raw clone without a new stack behaves like fork(), in new namespaces;
	 * the child is PID 1 of its PID namespace. */
	pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "cannot create namespaces: %s",
		       strerror(errno));
		return -1;
	}
	if (pid == 0)
		init_main(o, rep);
	return pid;
}
