/* syscall-loop.c LOOP N - N system calls timed from inside; prints the
 * nanoseconds per call twice: thread CPU time (user + system time of the
 * calling thread, CLOCK_THREAD_CPUTIME_ID) and wall time
 * (CLOCK_MONOTONIC). The workload of bench/record-overhead.sh.
 *
 * LOOP getppid: getppid(2) only, a real system call with no vDSO and no
 * side effect; the cheapest call, so the worst ratio for a recorder.
 * LOOP mix: N/10 rounds of ten calls a program serving files makes:
 * openat("/dev/zero"), fstat, read 4096, pread64 512, lseek, close,
 * write 4096 to /dev/null, getppid, futex(FUTEX_WAKE_PRIVATE) with no
 * waiter, getrandom 16.
 *
 * Every call goes through syscall(2), so the C library cannot answer it
 * itself or call something else. The thread CPU time counts all of an
 * in-kernel recorder's cost (an eBPF program runs in the calling thread)
 * but not a tracer's work in another process (strace, the notify
 * backend's supervisor), which only the wall time shows. */
#include <fcntl.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void getppid_loop(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void mix_loop(long rounds, int null_fd)
{
	static char buf[4096];
	static int futex_word;
	struct stat st;

	for (long i = 0; i < rounds; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/zero", O_RDONLY | O_CLOEXEC);
		syscall(SYS_fstat, fd, &st);
		syscall(SYS_read, fd, buf, sizeof(buf));
		syscall(SYS_pread64, fd, buf, 512, 0);
		syscall(SYS_lseek, fd, 0, SEEK_SET);
		syscall(SYS_close, fd);
		syscall(SYS_write, null_fd, buf, sizeof(buf));
		syscall(SYS_getppid);
		syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		syscall(SYS_getrandom, buf, 16, 0);
	}
}

int main(int argc, char **argv)
{
	const char *loop = argc > 1 ? argv[1] : "getppid";
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	bool mix = !strcmp(loop, "mix");
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double c0, w0, c1, w1;

	if ((!mix && strcmp(loop, "getppid")) || n < 10 || null_fd < 0) {
		fprintf(stderr, "usage: syscall-loop getppid|mix N (N >= 10)\n");
		return 2;
	}
	if (mix)
		n -= n % 10;
	/* Warm up: page in the code and the buffers. */
	mix ? mix_loop(100, null_fd) : getppid_loop(1000);
	c0 = ns(CLOCK_THREAD_CPUTIME_ID);
	w0 = ns(CLOCK_MONOTONIC);
	mix ? mix_loop(n / 10, null_fd) : getppid_loop(n);
	c1 = ns(CLOCK_THREAD_CPUTIME_ID);
	w1 = ns(CLOCK_MONOTONIC);
	printf("%.1f %.1f\n", (c1 - c0) / (double)n, (w1 - w0) / (double)n);
	return 0;
}
