/* syscall-loop.c LOOP N [THREADS] - N system calls of LOOP (getppid or mix,
 * syscall-loops.h) timed from inside, in each of THREADS threads at once
 * (default 1); prints the nanoseconds per call twice: thread CPU time
 * (user + system time of the calling thread, CLOCK_THREAD_CPUTIME_ID,
 * the mean of the threads) and wall time (CLOCK_MONOTONIC, the slowest
 * thread). The workload of bench/record-overhead.sh.
 *
 * The thread CPU time counts all of an in-kernel recorder's cost (an eBPF
 * program runs in the calling thread) but not a tracer's work in another
 * process (strace, the notify backend's supervisor), which only the wall
 * time shows. Threads show what a shared counter costs when the same
 * call is counted on several CPUs at once. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscall-loops.h"

#define MAX_THREADS 64

struct run {
	bool mix;
	long n;
	int null_fd;
	double cpu, wall;
	pthread_t thread;
};

static void *run_loop(void *arg)
{
	struct run *r = arg;
	double c0, w0;

	/* Warm up: page in the code and the buffers. */
	r->mix ? mix_loop(100, r->null_fd) : getppid_loop(1000);
	c0 = loop_ns(CLOCK_THREAD_CPUTIME_ID);
	w0 = loop_ns(CLOCK_MONOTONIC);
	r->mix ? mix_loop(r->n / MIX_CALLS, r->null_fd) : getppid_loop(r->n);
	r->cpu = (loop_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)r->n;
	r->wall = (loop_ns(CLOCK_MONOTONIC) - w0) / (double)r->n;
	return NULL;
}

int main(int argc, char **argv)
{
	static struct run runs[MAX_THREADS];
	const char *loop = argc > 1 ? argv[1] : "getppid";
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	int threads = argc > 3 ? atoi(argv[3]) : 1;
	bool mix = !strcmp(loop, "mix");
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double cpu = 0, wall = 0;

	if ((!mix && strcmp(loop, "getppid")) || n < MIX_CALLS || threads < 1 ||
	    threads > MAX_THREADS || null_fd < 0) {
		fprintf(stderr, "usage: syscall-loop getppid|mix N (N >= %d) [THREADS 1..%d]\n",
			MIX_CALLS, MAX_THREADS);
		return 2;
	}
	if (mix)
		n -= n % MIX_CALLS;
	for (int t = 0; t < threads; t++) {
		runs[t] = (struct run){ .mix = mix, .n = n, .null_fd = null_fd };
		if (threads == 1)
			run_loop(&runs[t]);
		else if (pthread_create(&runs[t].thread, NULL, run_loop, &runs[t]) != 0)
			return perror("syscall-loop: pthread_create"), 1;
	}
	for (int t = 0; t < threads; t++) {
		if (threads > 1)
			pthread_join(runs[t].thread, NULL);
		cpu += runs[t].cpu / threads;
		wall = runs[t].wall > wall ? runs[t].wall : wall;
	}
	printf("%.1f %.1f\n", cpu, wall);
	return 0;
}
