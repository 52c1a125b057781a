/* test_fds.c - sp_close_fds_from, which keeps the caller's fds from the
 * command (runc UnsafeCloseFrom, CVE-2024-21626), in the real kernel: with
 * close_range(2), and through its /proc/self/fd walk, reached the way an
 * old kernel reaches it: a filter makes close_range fail with ENOSYS. Each
 * case runs in a forked child, which exits 0 when every fd is as expected. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/run.h"
#include "enosys.h"
#include "tap.h"

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* The child's checks: 1 bit per failed expectation. */
static int scenario(bool fallback, bool cloexec, int nfds)
{
	int bad = 0, first = 10, keep = 11;
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	/* fds 3..9 stay below `from`; 10.. are above it, one of them kept. */
	for (int fd = 3; fd < first + nfds; fd++)
		if (dup2(0, fd) < 0)
			return 64;
	if (fallback && answer_enosys(SYS_close_range) < 0)
		return 64;
	if (fallback && syscall(SYS_close_range, 100, 101, 0) == 0)
		return 64; /* the filter did not take */
	if (sp_close_fds_from(first, keep, cloexec) < 0)
		return 32;
	for (int fd = 0; fd < first; fd++)
		if (!is_open(fd) || (fd >= 3 && is_cloexec(fd)))
			bad |= 1;
	if (!is_open(keep) || is_cloexec(keep))
		bad |= 2;
	for (int fd = first; fd < first + nfds; fd++) {
		if (fd == keep)
			continue;
		if (cloexec ? !is_cloexec(fd) : is_open(fd))
			bad |= 4;
	}
	return bad;
}

static void run_case(const char *name, bool fallback, bool cloexec, int nfds)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(scenario(fallback, cloexec, nfds));
	waitpid(pid, &status, 0);
	if (!tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", name))
		tap_diag(
			"child status 0x%x (1: fd below from touched, 2: kept fd touched, 4: fd above "
			"from left, 32: call failed, 64: setup)",
			status);
}

int main(void)
{
	run_case("close_range: every fd from 10 up closed but the kept one", false, false, 40);
	run_case("close_range: every fd from 10 up marked close-on-exec but the kept one", false,
		 true, 40);
	run_case("/proc/self/fd walk (close_range ENOSYS): closed", true, false, 40);
	run_case("/proc/self/fd walk: marked close-on-exec", true, true, 40);
	run_case("/proc/self/fd walk: 3000 fds, more than one pass", true, false, 3000);
	run_case("/proc/self/fd walk: 3000 fds marked, more than one pass", true, true, 3000);
	return tap_done();
}
