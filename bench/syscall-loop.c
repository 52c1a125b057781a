/* syscall-loop.c LOOP N - N system calls of LOOP (getppid or mix,
 * syscall-loops.h) timed from inside; prints the nanoseconds per call
 * twice: thread CPU time (user + system time of the calling thread,
 * CLOCK_THREAD_CPUTIME_ID) and wall time (CLOCK_MONOTONIC). The workload
 * of bench/record-overhead.sh.
 *
 * The thread CPU time counts all of an in-kernel recorder's cost (an eBPF
 * program runs in the calling thread) but not a tracer's work in another
 * process (strace, the notify backend's supervisor), which only the wall
 * time shows. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscall-loops.h"

int main(int argc, char **argv)
{
	const char *loop = argc > 1 ? argv[1] : "getppid";
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	bool mix = !strcmp(loop, "mix");
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double c0, w0, c1, w1;

	if ((!mix && strcmp(loop, "getppid")) || n < MIX_CALLS || null_fd < 0) {
		fprintf(stderr, "usage: syscall-loop getppid|mix N (N >= %d)\n", MIX_CALLS);
		return 2;
	}
	if (mix)
		n -= n % MIX_CALLS;
	/* Warm up: page in the code and the buffers. */
	mix ? mix_loop(100, null_fd) : getppid_loop(1000);
	c0 = loop_ns(CLOCK_THREAD_CPUTIME_ID);
	w0 = loop_ns(CLOCK_MONOTONIC);
	mix ? mix_loop(n / MIX_CALLS, null_fd) : getppid_loop(n);
	c1 = loop_ns(CLOCK_THREAD_CPUTIME_ID);
	w1 = loop_ns(CLOCK_MONOTONIC);
	printf("%.1f %.1f\n", (c1 - c0) / (double)n, (w1 - w0) / (double)n);
	return 0;
}
