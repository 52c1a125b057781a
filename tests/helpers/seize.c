/* seize.c - a tracer that never waits: PTRACE_SEIZE a process (which
 * does not stop it), sleep, exit (which detaches it). While this runs,
 * the tracee's exit is reported to this process first, and its parent's
 * waitpid finds nothing, though the tracee's pidfd polls readable.
 *
 * usage: seize PID SECONDS
 * exit: 0, or 1 when the seize failed (message on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: seize PID SECONDS\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		perror("seize: PTRACE_SEIZE");
		return 1;
	}
	sleep((unsigned)atoi(argv[2]));
	return 0;
}
