/* enosys.h - how a unit test reaches the fallback an old kernel (or a
 * filter secprof runs under, such as Docker's default) takes: a seccomp
 * filter in the test's own child answers one native system call ENOSYS
 * and allows the rest. The child only makes native calls, so no arch
 * check is needed. 0, or -1 with errno. (header-only) */
#ifndef SECPROF_TEST_ENOSYS_H
#define SECPROF_TEST_ENOSYS_H

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>

__attribute__((unused)) static int answer_enosys(unsigned nr)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

#endif
