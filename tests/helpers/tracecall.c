/* tracecall.c - make one getppid() under a raw seccomp filter, with or
 * without a tracer: with `trace`, the parent traces the child with
 * PTRACE_O_TRACESECCOMP and resumes every stop unchanged (a tracer that
 * lets a SECCOMP_RET_TRACE call run). Prints "ran" when the call returned
 * the parent's pid, "errno N" when it failed.
 *
 * usage: tracecall FILTER.bpf [trace]
 * exit: 0, or 1 on a setup error (message on stderr). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static struct sock_filter insns[4096];
	struct sock_fprog prog;
	pid_t parent = getpid(), child;
	int trace = argc > 2, status;
	size_t n;
	FILE *f;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: tracecall FILTER.bpf [trace]\n");
		return 1;
	}
	n = fread(insns, sizeof(insns[0]), 4096, f);
	fclose(f);
	prog = (struct sock_fprog){ (unsigned short)n, insns };
	fflush(stdout);
	if ((child = fork()) < 0)
		return perror("tracecall: fork"), 1;
	if (!child) {
		long r;
		if (trace && (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 || raise(SIGSTOP)))
			_exit(3);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
			perror("tracecall: seccomp");
			_exit(3);
		}
		r = syscall(SYS_getppid);
		if (r == parent)
			printf("ran\n");
		else
			printf("errno %d\n", r < 0 ? errno : 0);
		fflush(stdout);
		_exit(0);
	}
	if (trace) {
		if (waitpid(child, &status, 0) < 0 ||
		    ptrace(PTRACE_SETOPTIONS, child, NULL,
			   PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL) < 0)
			return perror("tracecall: ptrace"), 1;
		ptrace(PTRACE_CONT, child, NULL, NULL);
		for (;;) {
			int sig = 0;
			if (waitpid(child, &status, 0) < 0 || WIFEXITED(status) ||
			    WIFSIGNALED(status))
				break;
			/* a seccomp event stop (status>>16) or SIGTRAP: resume as it is */
			if (WIFSTOPPED(status) && !(status >> 16) && WSTOPSIG(status) != SIGTRAP)
				sig = WSTOPSIG(status);
			ptrace(PTRACE_CONT, child, NULL, sig);
		}
	} else if (waitpid(child, &status, 0) < 0) {
		return perror("tracecall: waitpid"), 1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
