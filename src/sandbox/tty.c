/* tty.c - `secprof run -t`: the command on a new pseudo-terminal, as
 * runc's console (libcontainer/console_linux.go, setupConsole): the pty
 * is the command's stdio and controlling terminal, in its own session,
 * so a shell gets job control and Ctrl-C reaches the foreground job
 * inside the container, not secprof. The parent copies between the pty
 * and its own stdio as the docker client does (with -i, stdin in raw
 * mode), and passes window size changes on (docker's resizeTTY). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

int sp_fd_above(int fd, int min_fd)
{
	int nfd;

	if (fd < 0 || fd >= min_fd)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	close(fd);
	return nfd;
}

static void copy_winsize(int master)
{
	struct winsize ws;

	for (int fd = 0; fd < 3; fd++)
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
			ioctl(master, TIOCSWINSZ, &ws);
			return;
		}
}

int sp_tty_open(int min_fd, int *master, int *slave, secprof_error *err)
{
	char name[128];
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), s;

	if (m < 0)
		return sp_err_errno(err, NULL, "cannot open a pseudo-terminal");
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0) {
		close(m);
		return sp_err_errno(err, NULL, "cannot set up the pseudo-terminal");
	}
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		close(m);
		return sp_err_errno(err, NULL, "cannot open %s", name);
	}
	m = sp_fd_above(m, min_fd);
	s = sp_fd_above(s, min_fd);
	if (m < 0 || s < 0) {
		if (m >= 0)
			close(m);
		if (s >= 0)
			close(s);
		return sp_err_errno(err, NULL, "cannot move the pseudo-terminal's descriptors");
	}
	copy_winsize(m);
	*master = m;
	*slave = s;
	return 0;
}

int sp_tty_attach(int slave)
{
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return -1;
	return 0;
}

/* A caller's stdout may be non-blocking (a flag of the open file, which
 * another process set): EAGAIN waits until it takes more, as a blocking
 * write would, rather than dropping the rest. */
static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd out = { .fd = fd, .events = POLLOUT };
			if (poll(&out, 1, -1) < 0 && errno != EINTR)
				return false;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* What is left in the pty once the command is gone: read until EIO (no
 * slave open any more) or nothing comes. */
static void drain(int master)
{
	char buf[4096];
	ssize_t r;

	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while ((r = read(master, buf, sizeof(buf))) > 0)
		if (!write_all(STDOUT_FILENO, buf, (size_t)r))
			break;
}

int sp_tty_relay(pid_t pid, int master, bool interactive)
{
	struct termios saved, raw;
	bool restore = false, in_open = interactive, fired = false;
	sigset_t set;
	int sfd, xfd, status = SP_STATUS_LOST, wstatus;

	sp_forward_sigset(&set);
	sigaddset(&set, SIGCHLD);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	xfd = sp_pidfd_open(pid); /* not SIGCHLD alone: run.c, wait_forwarding */
	/* The docker client puts its terminal in raw mode for -it: every key,
	 * Ctrl-C included, goes to the container's pty, whose line
	 * discipline turns it into the signal for the foreground job there. */
	if (interactive && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = xfd, .events = POLLIN },
		};
		char buf[4096];
		ssize_t r;
		pid_t got = waitpid(pid, &wstatus, WNOHANG);

		if (got == pid) {
			status = sp_shell_status(wstatus);
			break;
		}
		if (got < 0 && errno != EINTR)
			break;
		if (got == 0)
			sp_exit_fd_settle(&xfd, &fired);
		p[3].fd = xfd;
		if (poll(p, 4, sfd < 0 || xfd < 0 ? 100 : -1) < 0 && errno != EINTR)
			break;
		fired = p[3].revents & POLLIN;
		if (p[0].revents & POLLIN) {
			r = read(master, buf, sizeof(buf));
			if (r > 0)
				write_all(STDOUT_FILENO, buf, (size_t)r);
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			/* No slave open (the command closed its terminal):
			 * wait for it without spinning on the master. */
			p[0].fd = -1;
			if (waitpid(pid, &wstatus, 0) == pid)
				status = sp_shell_status(wstatus);
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH)
					copy_winsize(master);
				else if (si.ssi_signo != SIGCHLD)
					kill(pid, (int)si.ssi_signo);
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r > 0)
				write_all(master, buf, (size_t)r);
			else if (r == 0 || errno != EINTR)
				in_open = false;
		}
	}
	drain(master);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (sfd >= 0)
		close(sfd);
	if (xfd >= 0)
		close(xfd);
	close(master);
	return status;
}
