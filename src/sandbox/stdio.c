/* stdio.c - a container's stdin, stdout and stderr without -t, as docker
 * run gives them: pipes that the client (here secprof's parent) copies
 * to and from its own, and no stdin at all without -i (containerd's shim
 * hands runc /dev/null then). The container never holds one of the
 * caller's descriptors: not its terminal, which it could type into with
 * TIOCSTI under CAP_SYS_ADMIN or bind on /dev/console, and not a file the
 * caller redirected to, which /proc/self/fd/1 would reopen for reading
 * or truncation. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* How long the relay still reads once the container is gone: its
 * processes are all dead by then (the PID namespace's init waits for
 * them, kernel/pid_namespace.c zap_pid_ns_processes), so only a pipe end
 * passed out of the container (SCM_RIGHTS over a mounted socket) can
 * keep one open. */
#define SP_STDIO_LINGER_MS 1000

static int move_above(int fd, int min_fd)
{
	int nfd;

	if (fd < 0 || fd >= min_fd)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	close(fd);
	return nfd;
}

static int pipe_at_or_above(int min_fd, int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	p[0] = move_above(p[0], min_fd);
	p[1] = move_above(p[1], min_fd);
	if (p[0] >= 0 && p[1] >= 0)
		return 0;
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return -1;
}

/* Whether fds 1 and 2 are one file (2>&1, or one terminal): then the
 * container gets one pipe for both, and what it writes keeps its order. */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

void sp_stdio_close(struct sp_stdio *s)
{
	int *fds[] = { &s->child[0], &s->child[1], &s->child[2], &s->in_w, &s->out_r, &s->err_r };

	for (size_t i = 0; i < SP_ARRAY_SIZE(fds); i++) {
		/* child[2] may be child[1] */
		if (*fds[i] >= 0 && !(i == 2 && s->child[2] == s->child[1]))
			close(*fds[i]);
		*fds[i] = -1;
	}
	s->child[2] = -1;
}

int sp_stdio_open(struct sp_stdio *s, bool interactive, int min_fd, secprof_error *err)
{
	int p[2];

	for (int i = 0; i < 3; i++)
		s->child[i] = -1;
	s->in_w = s->out_r = s->err_r = -1;
	if (interactive) {
		if (pipe_at_or_above(min_fd, p) < 0)
			goto fail;
		s->child[0] = p[0], s->in_w = p[1];
	} else if ((s->child[0] = move_above(open("/dev/null", O_RDONLY | O_CLOEXEC), min_fd)) <
		   0) {
		goto fail;
	}
	if (pipe_at_or_above(min_fd, p) < 0)
		goto fail;
	s->out_r = p[0], s->child[1] = p[1];
	if (same_file(STDOUT_FILENO, STDERR_FILENO)) {
		s->child[2] = s->child[1];
		return 0;
	}
	if (pipe_at_or_above(min_fd, p) < 0)
		goto fail;
	s->err_r = p[0], s->child[2] = p[1];
	return 0;
fail:
	sp_err_errno(err, NULL, "cannot make the container's stdio pipes");
	sp_stdio_close(s);
	return -1;
}

int sp_stdio_attach(const struct sp_stdio *s)
{
	for (int fd = 0; fd < 3; fd++)
		if (dup2(s->child[fd], fd) < 0)
			return -1;
	return 0;
}

/* The parent's copy of the container's ends, once the container holds
 * them: its output then ends when the container's last process goes. */
void sp_stdio_parent_side(struct sp_stdio *s)
{
	for (int i = 0; i < 3; i++) {
		if (s->child[i] >= 0 && !(i == 2 && s->child[2] == s->child[1]))
			close(s->child[i]);
	}
	s->child[0] = s->child[1] = s->child[2] = -1;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* One read from *from to `to`. At end of file, or when `to` takes no
 * more (the caller's reader is gone: EPIPE), *from is closed, and the
 * container's next write fails as it would have on the caller's pipe. */
static void copy_once(int *from, int to)
{
	char buf[16384];
	ssize_t r = read(*from, buf, sizeof(buf));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0 || !write_all(to, buf, (size_t)r)) {
		close(*from);
		*from = -1;
	}
}

static int shell_status(int wstatus)
{
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

/* The caller's stdin, to the container's (-i). It stops at end of file
 * (the container's stdin ends too, as docker run -i closes it) or when
 * the container no longer reads it. */
static void copy_stdin(struct sp_stdio *s, bool *in_open)
{
	char buf[16384];
	ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));

	if (r < 0 && errno == EINTR)
		return;
	if (r <= 0 || !write_all(s->in_w, buf, (size_t)r)) {
		*in_open = false;
		close(s->in_w);
		s->in_w = -1;
	}
}

/* A SIGPIPE for a write to the caller's closed pipe stays pending while
 * it is blocked; taken here unless it was pending before. */
static void drop_new_sigpipe(bool was_pending)
{
	sigset_t pipe_only;
	struct timespec now = { 0 };

	if (was_pending)
		return;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	while (sigtimedwait(&pipe_only, NULL, &now) == SIGPIPE)
		;
}

int sp_stdio_relay(pid_t pid, struct sp_stdio *s)
{
	sigset_t set, pipe_only, old, pending;
	int sfd, status = SP_EXIT_ERROR, wstatus;
	bool exited = false, in_open = s->in_w >= 0, had_sigpipe;

	sp_forward_sigset(&set);
	sigaddset(&set, SIGCHLD);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigpending(&pending);
	had_sigpipe = sigismember(&pending, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_only, &old);
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = s->out_r, .events = POLLIN },
			{ .fd = s->err_r, .events = POLLIN },
			{ .fd = exited ? -1 : sfd, .events = POLLIN },
			{ .fd = in_open && !exited ? STDIN_FILENO : -1, .events = POLLIN },
		};
		int n;

		if (!exited && waitpid(pid, &wstatus, WNOHANG) == pid) {
			exited = true;
			status = shell_status(wstatus);
			continue;
		}
		if (exited && s->out_r < 0 && s->err_r < 0)
			break;
		n = poll(p, 4, exited ? SP_STDIO_LINGER_MS : sfd < 0 ? 100 : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && exited)
			break;
		if (p[0].revents)
			copy_once(&s->out_r, STDOUT_FILENO);
		if (p[1].revents)
			copy_once(&s->err_r, STDERR_FILENO);
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			/* The container is in a session of its own (container.c
			 * init_main): the terminal's signals reach only secprof,
			 * and are passed on as any other. */
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
			    si.ssi_signo != SIGCHLD)
				kill(pid, (int)si.ssi_signo);
		}
		if (p[3].revents)
			copy_stdin(s, &in_open);
	}
	drop_new_sigpipe(had_sigpipe);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (sfd >= 0)
		close(sfd);
	if (!exited && waitpid(pid, &wstatus, 0) == pid)
		status = shell_status(wstatus);
	sp_stdio_close(s);
	return status;
}
