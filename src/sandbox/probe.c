/* probe.c - what the sandbox we run in allows, seen from the inside.
 *
 * Each probe calls one system call with arguments chosen so that the call
 * fails harmlessly *after* the seccomp check (bad fd, bad pointer, invalid
 * flags) and, where the kernel allows it, before any capability check: an
 * allowed call then fails with EBADF/EFAULT/EINVAL while a denied one fails
 * with the profile's errno (docs/CONVENTIONS.md §13). Where the kernel checks a
 * capability first (reboot, init_module, ...) the errno is reported as is.
 * Raw syscall(2) everywhere, so no libc fallback hides what the kernel said.
 * Every probe runs in its own forked child, because a filter may kill. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* Numbers shared by every arch since 4.20's unified table (not alpha). */
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#define SP_SYS_fchmodat2 452
#define SP_SYS_mseal 462
#define SP_SYS_listmount 458

#define BAD_PTR ((long)1) /* never mapped: EFAULT once the kernel reads it */
#define AF_ALG_NR 38
#define AF_VSOCK_NR 40

typedef long (*probe_fn)(void);

/* clang-format off */
static long p_acct(void) { return syscall(SYS_acct, BAD_PTR); }
/* add_key copies its type string first. */
static long p_add_key(void) { return syscall(SYS_add_key, BAD_PTR, 0, 0, 0, 0); }
static long p_bpf(void) { return syscall(SYS_bpf, -1, 0, 0); }
static long p_chroot(void) { return syscall(SYS_chroot, BAD_PTR); }
/* CLONE_NEWNS|CLONE_FS and CLONE_NEWUSER|CLONE_FS are refused with EINVAL
 * by copy_process, after the filter saw the CLONE_NEW* bit. */
static long p_clone_newns(void) { return syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0); }
static long p_clone_newuser(void) { return syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0); }
/* size 0 is below CLONE_ARGS_SIZE_VER0: EINVAL. */
static long p_clone3(void) { return syscall(SYS_clone3, 0, 0); }
static long p_clock_settime(void) { return syscall(SYS_clock_settime, CLOCK_REALTIME, BAD_PTR); }
static long p_delete_module(void) { return syscall(SYS_delete_module, BAD_PTR, 0); }
static long p_fchmodat2(void) { return syscall(SP_SYS_fchmodat2, -1, BAD_PTR, 0, 0); }
static long p_finit_module(void) { return syscall(SYS_finit_module, -1, BAD_PTR, 0); }
static long p_fsopen(void) { return syscall(SYS_fsopen, BAD_PTR, ~0u); }
static long p_get_mempolicy(void) { return syscall(SYS_get_mempolicy, 0, 0, 0, 0, 0); }
static long p_init_module(void) { return syscall(SYS_init_module, 0, 0, BAD_PTR); }
static long p_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, 0); }
#ifdef SYS_ioperm
static long p_ioperm(void) { return syscall(SYS_ioperm, 0, 0, 0); } /* num 0: EINVAL */
static long p_iopl(void) { return syscall(SYS_iopl, 4); }            /* level 4: EINVAL */
#endif
static long p_kcmp(void) { return syscall(SYS_kcmp, 0, 0, 99, 0, 0); }
static long p_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, 0, ~0ul); }
static long p_keyctl(void) { return syscall(SYS_keyctl, -1, 0, 0, 0, 0); }
static long p_listmount(void) { return syscall(SP_SYS_listmount, BAD_PTR, BAD_PTR, 0, ~0ul); }
static long p_mount(void) { return syscall(SYS_mount, 0, BAD_PTR, 0, 0, 0); }
static long p_move_mount(void) { return syscall(SYS_move_mount, -1, BAD_PTR, -1, BAD_PTR, ~0u); }
static long p_mseal(void) { return syscall(SP_SYS_mseal, 0, 0, ~0ul); }
static long p_open_by_handle_at(void) { return syscall(SYS_open_by_handle_at, -1, BAD_PTR, 0); }
static long p_open_tree(void) { return syscall(SYS_open_tree, -1, BAD_PTR, ~0u); }
static long p_perf_event_open(void) { return syscall(SYS_perf_event_open, BAD_PTR, 0, -1, -1, 0); }
static long p_personality_query(void) { return syscall(SYS_personality, 0xffffffffUL); }
/* ADDR_NO_RANDOMIZE only changes the next execve of this probe child. */
static long p_personality_addr_no_randomize(void) { return syscall(SYS_personality, 0x0040000UL); }
static long p_personality_linux32(void) { return syscall(SYS_personality, 0x0008UL); }
static long p_pidfd_getfd(void) { return syscall(SYS_pidfd_getfd, -1, 0, 0); }
static long p_process_vm_readv(void) { return syscall(SYS_process_vm_readv, 0, 0, 0, 0, 0, 1); }
static long p_process_vm_writev(void) { return syscall(SYS_process_vm_writev, 0, 0, 0, 0, 0, 1); }
static long p_ptrace(void) { return syscall(SYS_ptrace, 2 /* PEEKDATA */, 0, 0, 0); }
static long p_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, 0); }
static long p_setdomainname(void) { return syscall(SYS_setdomainname, BAD_PTR, 100000); }
static long p_sethostname(void) { return syscall(SYS_sethostname, BAD_PTR, 100000); }
static long p_setns(void) { return syscall(SYS_setns, -1, 0); }
static long p_settimeofday(void) { return syscall(SYS_settimeofday, BAD_PTR, 0); }
static long p_socket(int family, int type)
{
	long fd = syscall(SYS_socket, family, type, 0);
	if (fd >= 0)
		close((int)fd);
	return fd < 0 ? fd : 0;
}
static long p_socket_alg(void) { return p_socket(AF_ALG_NR, SOCK_SEQPACKET); }
static long p_socket_vsock(void) { return p_socket(AF_VSOCK_NR, SOCK_STREAM); }
static long p_socket_inet(void) { return p_socket(AF_INET, SOCK_STREAM); }
static long p_socket_inet6(void) { return p_socket(AF_INET6, SOCK_DGRAM); }
static long p_socket_netlink(void) { return p_socket(AF_NETLINK, SOCK_RAW); }
static long p_socket_unix(void) { return p_socket(AF_UNIX, SOCK_STREAM); }
static long p_swapoff(void) { return syscall(SYS_swapoff, BAD_PTR); }
static long p_swapon(void) { return syscall(SYS_swapon, BAD_PTR, ~0u); } /* bad flags: EINVAL */
/* SYSLOG_ACTION_SIZE_BUFFER reads nothing but the buffer size. */
static long p_syslog(void) { return syscall(SYS_syslog, 10, 0, 0); }
static long p_umount2(void) { return syscall(SYS_umount2, BAD_PTR, 0x80000000u); }
static long p_unshare(void) { return syscall(SYS_unshare, 0x1); } /* CSIGNAL bit: EINVAL */
/* UFFD_USER_MODE_ONLY passes the sysctl check; bit 1 is not a flag: EINVAL. */
static long p_userfaultfd(void) { return syscall(SYS_userfaultfd, 1 | 2); }
#ifdef SYS_uselib
static long p_uselib(void) { return syscall(SYS_uselib, BAD_PTR); }
#endif
#ifdef SYS_afs_syscall
static long p_afs_syscall(void) { return syscall(SYS_afs_syscall); }
#endif
/* Above every syscall: runc's stub answers ENOSYS (docs/COMPAT.md §4.1.3), crun the
 * default action. */
static long p_nr_1000(void) { return syscall(1000); }

/* Common calls a program needs anyway. */
static long p_getpid(void) { return syscall(SYS_getpid) > 0 ? 0 : -1; }
static long p_read(void) { return syscall(SYS_read, -1, 0, 0); }
static long p_write(void) { return syscall(SYS_write, -1, 0, 0); }
static long p_openat(void) { return syscall(SYS_openat, AT_FDCWD, BAD_PTR, O_RDONLY); }
static long p_close(void) { return syscall(SYS_close, -1); }
static long p_mmap(void) { return syscall(SYS_mmap, 0, 0, 0, 0, -1, 0); } /* len 0: EINVAL */
static long p_getuid(void) { return syscall(SYS_getuid) >= 0 ? 0 : -1; }
static long p_capset(void) { return syscall(SYS_capset, BAD_PTR, BAD_PTR); }
static long p_chown(void) { return syscall(SYS_fchownat, AT_FDCWD, BAD_PTR, 0, 0, 0); }
static long p_fchown(void) { return syscall(SYS_fchown, -1, 0, 0); }
static long p_setuid(void) { return syscall(SYS_setresuid, -1, -1, -1); }
static long p_prctl(void) { return syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0); }
static long p_seccomp(void) { return syscall(SYS_seccomp, 0xffff, 0, 0); }
static long p_name_to_handle_at(void) { return syscall(SYS_name_to_handle_at, -1, BAD_PTR, BAD_PTR, BAD_PTR, 0); }
static long p_pivot_root(void) { return syscall(SYS_pivot_root, BAD_PTR, BAD_PTR); }
static long p_quotactl(void) { return syscall(SYS_quotactl, 0, BAD_PTR, 0, 0); }
/* clang-format on */
static long p_clone_plain(void)
{
	/* A plain fork: the child leaves at once. */
	long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid < 0 ? pid : 0;
}

/* The probes: name, group ("special": Docker's default names it, or
 * "common") and function. Names and groups go to a table without pointers
 * (.rodata: no relocation at load); the functions alone stay pointers, in a
 * separate array in the same order. */
/* clang-format off */
#ifdef SYS_ioperm
#define PROBES_IOPERM(X) X("ioperm", "special", p_ioperm) X("iopl", "special", p_iopl)
#else
#define PROBES_IOPERM(X)
#endif
#ifdef SYS_afs_syscall
#define PROBES_AFS_SYSCALL(X) X("afs_syscall", "special", p_afs_syscall)
#else
#define PROBES_AFS_SYSCALL(X)
#endif
#ifdef SYS_uselib
#define PROBES_USELIB(X) X("uselib", "special", p_uselib)
#else
#define PROBES_USELIB(X)
#endif
#define PROBES(X)                                                             \
	X("acct", "special", p_acct)                                          \
	X("add_key", "special", p_add_key)                                    \
	X("bpf", "special", p_bpf)                                            \
	X("capset", "common", p_capset)                                       \
	X("chroot", "special", p_chroot)                                      \
	X("clock_settime", "special", p_clock_settime)                        \
	X("clone", "common", p_clone_plain)                                   \
	X("clone(CLONE_NEWNS)", "special", p_clone_newns)                     \
	X("clone(CLONE_NEWUSER)", "special", p_clone_newuser)                 \
	X("clone3", "special", p_clone3)                                      \
	X("close", "common", p_close)                                         \
	X("delete_module", "special", p_delete_module)                        \
	X("fchmodat2", "common", p_fchmodat2)                                 \
	X("fchown", "common", p_fchown)                                       \
	X("fchownat", "common", p_chown)                                      \
	X("finit_module", "special", p_finit_module)                          \
	X("fsopen", "special", p_fsopen)                                      \
	X("get_mempolicy", "special", p_get_mempolicy)                        \
	X("getpid", "common", p_getpid)                                       \
	X("getuid", "common", p_getuid)                                       \
	X("init_module", "special", p_init_module)                            \
	X("io_uring_setup", "special", p_io_uring_setup)                      \
	PROBES_IOPERM(X)                                                      \
	X("kcmp", "special", p_kcmp)                                          \
	X("kexec_load", "special", p_kexec_load)                              \
	X("keyctl", "special", p_keyctl)                                      \
	X("listmount", "common", p_listmount)                                 \
	X("mmap", "common", p_mmap)                                           \
	X("mount", "special", p_mount)                                        \
	X("move_mount", "special", p_move_mount)                              \
	X("mseal", "common", p_mseal)                                         \
	X("name_to_handle_at", "common", p_name_to_handle_at)                 \
	X("open_by_handle_at", "special", p_open_by_handle_at)                \
	X("open_tree", "special", p_open_tree)                                \
	X("openat", "common", p_openat)                                       \
	X("perf_event_open", "special", p_perf_event_open)                    \
	X("personality(0x0008)", "special", p_personality_linux32)            \
	X("personality(0x40000)", "special", p_personality_addr_no_randomize) \
	X("personality(0xffffffff)", "special", p_personality_query)          \
	X("pidfd_getfd", "special", p_pidfd_getfd)                            \
	X("pivot_root", "common", p_pivot_root)                               \
	X("prctl", "common", p_prctl)                                         \
	X("process_vm_readv", "special", p_process_vm_readv)                  \
	X("process_vm_writev", "special", p_process_vm_writev)                \
	X("ptrace", "special", p_ptrace)                                      \
	X("quotactl", "special", p_quotactl)                                  \
	X("read", "common", p_read)                                           \
	X("reboot", "special", p_reboot)                                      \
	X("seccomp", "common", p_seccomp)                                     \
	X("setdomainname", "special", p_setdomainname)                        \
	X("sethostname", "special", p_sethostname)                            \
	X("setns", "special", p_setns)                                        \
	X("setresuid", "common", p_setuid)                                    \
	X("settimeofday", "special", p_settimeofday)                          \
	X("socket(AF_ALG)", "special", p_socket_alg)                          \
	X("socket(AF_INET)", "special", p_socket_inet)                        \
	X("socket(AF_INET6)", "common", p_socket_inet6)                       \
	X("socket(AF_NETLINK)", "common", p_socket_netlink)                   \
	X("socket(AF_UNIX)", "common", p_socket_unix)                         \
	X("socket(AF_VSOCK)", "special", p_socket_vsock)                      \
	X("swapoff", "special", p_swapoff)                                    \
	X("swapon", "special", p_swapon)                                      \
	X("syscall(1000)", "special", p_nr_1000)                              \
	X("syslog", "special", p_syslog)                                      \
	X("umount2", "special", p_umount2)                                    \
	X("unshare", "special", p_unshare)                                    \
	PROBES_AFS_SYSCALL(X)                                                 \
	PROBES_USELIB(X)                                                      \
	X("userfaultfd", "special", p_userfaultfd)                            \
	X("write", "common", p_write)
/* clang-format on */

/* The longest name's size, from the rows themselves. */
#define PROBE_NAME_SIZE(name, group, fn) char fn[sizeof(name)];
union probe_name_size {
	PROBES(PROBE_NAME_SIZE)
};

static const struct probe {
	char name[sizeof(union probe_name_size)];
	char group[sizeof("special")];
} probes[] = {
#define PROBE_ROW(name, group, fn) { name, group },
	PROBES(PROBE_ROW)
};

static const probe_fn probe_fns[] = {
#define PROBE_FN(name, group, fn) fn,
	PROBES(PROBE_FN)
};

/* Run one probe in a child; the child reports errno (0 = success) as its
 * exit status, errnos above 254 as 255 plus the value through a pipe. */
static void run_one(const struct probe *p, probe_fn fn, struct sp_probe_result *out)
{
	int pfd[2], wstatus, e = 0;
	pid_t pid;

	out->name = p->name;
	out->group = p->group;
	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		/* fork itself refused: probe in this process (nothing kills
		 * us that could not already have killed fork). */
		out->err = fn() < 0 ? errno : 0;
		return;
	}
	if (pid == 0) {
		e = fn() < 0 ? errno : 0;
		if (write(pfd[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
		e = -1;
	close(pfd[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	out->err = e;
	out->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	if (out->signal)
		out->err = 0;
}

static int status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? atoi(p + strlen(key)) : -1;
}

static uint64_t status_hex(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

int sp_read_proc_status(char *buf, size_t len, secprof_error *err)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return sp_err_errno(err, NULL, "cannot open /proc/self/status");
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return 0;
}

static int read_self(struct sp_probe_report *r, secprof_error *err)
{
	char status[8192];
	int rc = sp_read_proc_status(status, sizeof(status), err);

	if (rc)
		return rc;
	r->seccomp_mode = status_field(status, "\nSeccomp:");
	r->seccomp_filters = status_field(status, "\nSeccomp_filters:");
	r->no_new_privs = status_field(status, "\nNoNewPrivs:");
	r->cap_inh = status_hex(status, "\nCapInh:");
	r->cap_prm = status_hex(status, "\nCapPrm:");
	r->cap_eff = status_hex(status, "\nCapEff:");
	r->cap_bnd = status_hex(status, "\nCapBnd:");
	r->cap_amb = status_hex(status, "\nCapAmb:");
	r->uid = getuid();
	r->gid = getgid();
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sp_probe_result *)a)->name,
		      ((const struct sp_probe_result *)b)->name);
}

int sp_probe(struct sp_probe_report *r, secprof_error *err)
{
	memset(r, 0, sizeof(*r));
	r->results = calloc(SP_ARRAY_SIZE(probes), sizeof(*r->results));
	if (!r->results)
		return sp_err_oom(err);
	if (read_self(r, err) < 0) {
		sp_probe_report_free(r);
		return -SECPROF_E_SYSTEM;
	}
	for (size_t i = 0; i < SP_ARRAY_SIZE(probes); i++)
		run_one(&probes[i], probe_fns[i], &r->results[i]);
	r->nresults = SP_ARRAY_SIZE(probes);
	/* Sorted by name so two reports can be diffed. */
	qsort(r->results, r->nresults, sizeof(*r->results), by_name);
	return 0;
}

void sp_probe_report_free(struct sp_probe_report *r)
{
	free(r->results);
	r->results = NULL;
	r->nresults = 0;
}
