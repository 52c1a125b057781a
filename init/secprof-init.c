/* secprof-init - what a container's PID 1 becomes before its command runs.
 *
 * secprof's init (src/sandbox/container.c) starts as a copy of the process
 * that called secprof: the run's settings with their host paths, and for a
 * program linking libsecprof anything else it holds. It stays for the
 * container's life, and a container given CAP_SYS_PTRACE may read its
 * memory through /proc/1/mem. Docker's PID 1 is a fresh program (the
 * command, or docker-init with --init), so init becomes one too: once the
 * root is built and the command forked (held), it drops its bounding set
 * and capabilities, sets no_new_privs and execs this program from a sealed
 * memfd (or an unnamed file, where vm.memfd_noexec=2). Nothing of the old memory survives an execve. This program then
 * locks itself down, releases the command and waits: it forwards signals
 * and reaps zombies, as before.
 *
 * Built static against musl (Makefile, "secprof-init"): ~20 KB,
 * embedded in libsecprof (src/sandbox/initimage.c), so that no file on the
 * host has to be found from inside the container's root.
 *
 * Usage (written by container.c only): see src/sandbox/pid1.h. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/pid1.h"

/* What init calls once locked down: write and close on the gate (the
 * release; the fd checked), then wait4, rt_sigtimedwait and kill
 * (sp_wait_forwarding) and exit_group; a handler's return and a restarted
 * call. An x32 number (__X32_SYSCALL_BIT set) matches none of them. */
static const int init_calls[] = {
	SYS_wait4,
	SYS_rt_sigtimedwait,
	SYS_kill,
	SYS_exit,
	SYS_exit_group,
	SYS_rt_sigreturn,
	SYS_restart_syscall,
#ifdef SYS_rt_sigtimedwait_time64
	SYS_rt_sigtimedwait_time64,
#endif
#ifdef SYS_waitpid
	SYS_waitpid,
#endif
};

#define ARG_LO(n) offsetof(struct seccomp_data, args[n])
#define ARG_HI(n) (offsetof(struct seccomp_data, args[n]) + 4)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#undef ARG_LO
#undef ARG_HI
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]) + 4)
#define ARG_HI(n) offsetof(struct seccomp_data, args[n])
#endif

/* Those calls on this arch, write and close on the gate alone, and death for
 * anything else (the whole container goes with PID 1). */
static int load_filter(unsigned audit_arch, int gate_fd)
{
	enum { N = sizeof(init_calls) / sizeof(init_calls[0]) };
	struct sock_filter f[N + 12];
	struct sock_fprog prog = { .filter = f };
	size_t k = 0;

	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	/* each JEQ lands on the ALLOW: past the N - i - 1 JEQs after it and
	 * the 7 instructions of the gate check */
	for (size_t i = 0; i < N; i++)
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)init_calls[i],
						      (unsigned char)(N - i + 6), 0);
	/* write or close on gate_fd (both words of the fd); else the KILL */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 1, 0);
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close, 0, 4);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)gate_fd, 0, 2);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(0));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)k;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -1 : 0;
}

/* Nothing the execve could have given back: the library dropped the
 * bounding set and every capability and set no_new_privs before it
 * (container.c exec_init), so the kernel computed empty sets for root
 * (security/commoncap.c cap_bprm_creds_from_file). Checked, not trusted:
 * init must never hold more than the command may. */
static int holds_nothing(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2];

	if (syscall(SYS_capget, &hdr, caps) < 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (caps[i].effective || caps[i].permitted || caps[i].inheritable)
			return 0;
	for (int c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break;
		if (r != 0)
			return 0;
	}
	/* the ambient set is a subset of permitted and inheritable: empty */
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

static void ignore_signal(int sig)
{
	(void)sig;
}

/* A PID-namespace init only receives signals it has a handler for
 * (kernel/signal.c sig_task_ignored, SIGNAL_UNKILLABLE), and execve has
 * reset them: every forwarded signal gets a no-op handler again. They
 * stay blocked (the mask survived the execve) and are taken with
 * sigwaitinfo. */
static int catch_forwarded(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore_signal;
	sp_forward_sigset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	for (int s = 1; s < _NSIG; s++)
		if (s != SIGCHLD && sigismember(&set, s) && sigaction(s, &sa, NULL) < 0)
			return -1;
	return 0;
}

static int parse_int(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, base);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

#ifndef SYS_close_range
#define SYS_close_range 436 /* Linux 5.9; the number of the common arches */
#endif

/* The fds --preserve-fds passed are the command's: init keeps only its
 * stdio and the gate, so that the command closing its copy is the end of
 * file the other side waits for, as with runc, whose PID 1 is the command.
 * A kernel before 5.9 (ENOSYS) closes them one by one. */
static void close_others(int gate)
{
	long max;

	if ((gate == 3 || syscall(SYS_close_range, 3, gate - 1, 0) == 0) &&
	    syscall(SYS_close_range, gate + 1, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < max; fd++)
		if (fd != gate)
			close((int)fd);
}

/* The command is told why (pid1.h sp_gate), and reports it to secprof
 * through its own channel; init waits for it, so that its report is
 * written before PID 1's exit kills it. */
__attribute__((noreturn)) static void fail(enum sp_gate why, pid_t pid, int gate)
{
	unsigned char b = (unsigned char)why;

	(void)!write(gate, &b, 1);
	close(gate);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	_exit(SP_EXIT_ERROR);
}

int main(int argc, char **argv)
{
	unsigned long pid, gate, arch;

	/* Only container.c starts it, so this is a build mismatch. With no
	 * gate to say why, PID 1's exit ends the container, the command with
	 * it, and secprof reports that it died before the command started. */
	if (argc != SP_INIT_ARGC || parse_int(argv[1], 10, 0x7fffffff, &pid) < 0 ||
	    parse_int(argv[2], 10, 0x7fffffff, &gate) < 0 ||
	    parse_int(argv[3], 16, 0xffffffff, &arch) < 0)
		_exit(SP_EXIT_ERROR);
	/* The execve made the process dumpable again (fs/exec.c
	 * begin_new_exec), and until this call a process that may trace it
	 * could attach. None does: the only other process of the container
	 * is the command, which runs only secprof's own set-up, up to its
	 * filter, until the gate's byte below (proc.c pass_gate). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(SP_GATE_DUMPABLE, (pid_t)pid, (int)gate);
	/* /proc/1/comm: its name, not the memfd's */
	prctl(PR_SET_NAME, "secprof-init", 0, 0, 0);
	close_others((int)gate);
	if (!holds_nothing())
		fail(SP_GATE_PRIVILEGES, (pid_t)pid, (int)gate);
	if (catch_forwarded() < 0)
		fail(SP_GATE_SIGNALS, (pid_t)pid, (int)gate);
	if (load_filter((unsigned)arch, (int)gate) < 0)
		fail(SP_GATE_FILTER, (pid_t)pid, (int)gate);
	/* Locked down: the command may run. The write fails only when the
	 * command is gone already (EPIPE; SIGPIPE is ignored by a PID-namespace
	 * init without a handler): its status is then what the wait returns.
	 * Anything else would leave it reading the end of file: no release. */
	(void)!write((int)gate, &(unsigned char){ SP_GATE_GO }, 1);
	close((int)gate);
	syscall(SYS_exit_group, sp_wait_forwarding((pid_t)pid, true, false, NULL));
	return SP_EXIT_ERROR;
}
