/* test_load.c - secprof_load in the real kernel: each case runs in a forked
 * child, since a loaded filter cannot be removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "tap.h"

/* getppid -> ERRNO(ESRCH), everything else allowed. */
static secprof_insn deny_getppid[] = {
	{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
	{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SYS_getppid },
	{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | ESRCH },
	{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW },
};

static int nnp(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

static void drop_effective_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	syscall(SYS_capset, &h, d);
}

/* Child body: return 0 when every expectation held. */
static int load_and_check(uint32_t flags, bool drop_admin, int want_nnp)
{
	secprof_prog prog = { .len = 4, .insns = deny_getppid, .flags = flags };
	secprof_error err;

	if (drop_admin)
		drop_effective_sys_admin();
	if (secprof_load(&prog, &err) != 0)
		return 10;
	if (syscall(SYS_getppid) != -1 || errno != ESRCH)
		return 11;
	if (syscall(SYS_getpid) <= 0)
		return 12;
	return nnp() == want_nnp ? 0 : 13;
}

static int in_child(uint32_t flags, bool drop_admin, int want_nnp)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(load_and_check(flags, drop_admin, want_nnp));
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static int listener_child(void)
{
	secprof_prog prog = { .len = 4, .insns = deny_getppid, .needs_listener = true };
	secprof_error err;
	int fd = secprof_load(&prog, &err);

	if (fd <= 0)
		return 20;
	return fcntl(fd, F_GETFD) >= 0 ? 0 : 21;
}

int main(void)
{
	secprof_insn big[BPF_MAXINSNS + 1];
	secprof_prog empty = { 0 }, huge = { .len = BPF_MAXINSNS + 1, .insns = big };
	secprof_prog unknown = { .len = 4, .insns = deny_getppid, .flags = 1u << 30 };
	secprof_error err;
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to test both CAP_SYS_ADMIN cases\n");
		return 0;
	}
	TAP_EQ_INT(secprof_load(&empty, &err), -SECPROF_E_USAGE, "an empty program is refused");
	TAP_EQ_STR(err.msg, "cannot load an empty seccomp program", "empty program message");
	memset(big, 0, sizeof(big));
	TAP_EQ_INT(secprof_load(&huge, &err), -SECPROF_E_LIMIT,
		   "more than BPF_MAXINSNS is refused");
	TAP_EQ_STR(err.msg, "seccomp program has 4097 instructions, the kernel takes at most 4096",
		   "too-long program message");

	TAP_EQ_INT(in_child(0, false, 0), 0,
		   "flags 0 (prctl): filter works, no_new_privs untouched with CAP_SYS_ADMIN");
	TAP_EQ_INT(in_child(0, true, 1), 0,
		   "without CAP_SYS_ADMIN: no_new_privs set first, filter works");
	TAP_EQ_INT(in_child(SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_LOG, false, 0), 0,
		   "seccomp(2) with SPEC_ALLOW|LOG");

	pid = fork();
	if (pid == 0)
		_exit(listener_child());
	waitpid(pid, &status, 0);
	TAP_EQ_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
		   "NEW_LISTENER: a listener fd is returned");

	/* A flag no kernel knows is not one of the droppable ones: the load
	 * fails (in a child, in case it did not). */
	pid = fork();
	if (pid == 0) {
		int rc = secprof_load(&unknown, &err);
		_exit(rc == -SECPROF_E_SYSTEM &&
				      !strcmp(err.msg,
					      "cannot load seccomp filter (4 instructions, flags 0x40000000): Invalid argument")
			      ? 0
			      : 1);
	}
	waitpid(pid, &status, 0);
	TAP_EQ_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
		   "an unknown flag fails with EINVAL and says so");
	return tap_done();
}
