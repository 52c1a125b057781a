/* syscall-loops.h - the two system-call loops of the recorder benches
 * (syscall-loop.c, record-parts.c), so both time the same calls.
 *
 * getppid: getppid(2) only, a real system call with no vDSO and no side
 * effect; the cheapest call, so the worst ratio for a recorder.
 * mix: rounds of ten calls a program serving files makes:
 * openat("/dev/zero"), fstat, read 4096, pread64 512, lseek, close,
 * write 4096 to /dev/null, getppid, futex(FUTEX_WAKE_PRIVATE) with no
 * waiter, getrandom 16.
 *
 * Every call goes through syscall(2), so the C library cannot answer it
 * itself or call something else. */
#ifndef SECPROF_BENCH_SYSCALL_LOOPS_H
#define SECPROF_BENCH_SYSCALL_LOOPS_H

#include <fcntl.h>
#include <linux/futex.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MIX_CALLS 10 /* calls per round of mix_loop */

static inline double loop_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static inline void getppid_loop(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static inline void mix_loop(long rounds, int null_fd)
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

#endif
