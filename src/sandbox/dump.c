/* dump.c - read the seccomp filters installed in a running task, as the
 * kernel keeps them (kernel/seccomp.c seccomp_get_filter, reached through
 * ptrace(PTRACE_SECCOMP_GET_FILTER), include/uapi/linux/ptrace.h).
 *
 * The kernel hands out each filter's original classic-BPF instructions
 * (struct sock_filter, the layout of secprof_insn) only to a tracer that
 * holds the task in a ptrace-stop, has CAP_SYS_ADMIN and is not itself
 * under seccomp. So the task is seized (PTRACE_SEIZE: no SIGSTOP is sent,
 * nothing the task can see), stopped with PTRACE_INTERRUPT, read, and let
 * go with PTRACE_DETACH, re-injecting a signal it was about to take, all
 * by a child of the caller that is killed if the task never stops (below,
 * DUMP_TIMEOUT_MS). */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* Wait for the ptrace-stop PTRACE_INTERRUPT asks for. Returns the signal to
 * re-inject at detach (a signal-delivery-stop came first), 0 for an
 * event/group stop, -1 when the task is gone. */
static int wait_stop(pid_t pid)
{
	int st;

	for (;;) {
		pid_t got = waitpid(pid, &st, __WALL);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			return -1;
		if (WIFSTOPPED(st)) {
			/* status>>16: PTRACE_EVENT_STOP for the interrupt and
			 * group stops; 0 for a signal the task is receiving. */
			if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP)
				return WSTOPSIG(st);
			return 0;
		}
	}
}

static void free_filters(secprof_prog **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		secprof_prog_free(f[i]);
	free(f);
}

void secprof_dump_free(secprof_prog **filters, size_t count)
{
	if (filters)
		free_filters(filters, count);
}

/* The ptrace work is done by a child of the caller, which reports through
 * a pipe, so that the caller can give up on a task that never reaches the
 * stop: PTRACE_INTERRUPT stops a task only when it next returns to user
 * space or sleeps interruptibly, and a task can wait without doing either
 * for as long as it likes (a vfork parent whose child never execs or
 * exits: kernel/fork.c wait_for_vfork_done is killable only; an
 * uninterruptible sleep). PTRACE_DETACH needs the stop, but the exit of
 * the tracer detaches (kernel/ptrace.c exit_ptrace, which drops the
 * pending interrupt): killing the child leaves the task as it was. */
#define DUMP_TIMEOUT_MS 5000

enum { MSG_FILTER, MSG_END, MSG_ERR };
enum { STEP_SEIZE, STEP_STOP, STEP_READ };

struct msg {
	int32_t what; /* MSG_* */
	int32_t step; /* MSG_ERR: STEP_* */
	int32_t err;  /* MSG_ERR: errno */
	uint32_t index;
	int64_t len; /* MSG_FILTER: instructions that follow */
};

static bool put(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return true;
}

/* In the child: seize, stop, read every filter into insns (BPF_MAXINSNS,
 * allocated before the fork), detach. Only system calls (the caller may
 * have threads: no malloc after fork). */
static int dump_child(pid_t pid, int out, struct sock_filter *insns)
{
	struct msg m = { .what = MSG_ERR, .step = STEP_SEIZE };
	int sig;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		m.err = errno;
		return put(out, &m, sizeof(m)) ? 0 : 1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 || (sig = wait_stop(pid)) < 0) {
		m.step = STEP_STOP;
		m.err = errno;
		return put(out, &m, sizeof(m)) ? 0 : 1;
	}
	for (uint32_t i = 0;; i++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(unsigned long)i, NULL);

		/* ENOENT past the oldest filter; EINVAL when the task is not
		 * in filter mode at all (seccomp_get_filter). */
		if (len < 0 && (errno == ENOENT || errno == EINVAL)) {
			m = (struct msg){ .what = MSG_END };
			break;
		}
		if (len >= 0 && len <= BPF_MAXINSNS &&
		    ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(unsigned long)i, insns) != len)
			len = -1;
		if (len < 0 || len > BPF_MAXINSNS) {
			m = (struct msg){ .what = MSG_ERR,
					  .step = STEP_READ,
					  .err = len < 0 ? errno : E2BIG,
					  .index = i };
			break;
		}
		m = (struct msg){ .what = MSG_FILTER, .index = i, .len = len };
		if (!put(out, &m, sizeof(m)) || !put(out, insns, (size_t)len * sizeof(*insns)))
			break;
	}
	ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig);
	return put(out, &m, sizeof(m)) ? 0 : 1;
}

/* Read exactly n bytes before the deadline: 1, 0 on EOF or a short read,
 * -1 when the time is up. */
static int get(int fd, void *p, size_t n, const struct timespec *deadline)
{
	while (n) {
		struct timespec now;
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		long ms;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (deadline->tv_sec - now.tv_sec) * 1000 +
		     (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return -1;
		if (poll(&pf, 1, (int)ms) < 0 && errno != EINTR)
			return 0;
		if (!pf.revents)
			continue;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 1;
}

static int step_error(const struct msg *m, int pid, secprof_error *err)
{
	errno = m->err;
	switch (m->step) {
	case STEP_SEIZE:
		if (m->err == ESRCH)
			return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				      "no such process: %d", pid);
		return sp_err_errno(err, NULL, "cannot attach to %d (ptrace)", pid);
	case STEP_STOP: return sp_err_errno(err, NULL, "cannot stop %d (ptrace)", pid);
	default: break;
	}
	if (m->err == EACCES)
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"cannot read the filters of %d: the kernel gives them only to a caller "
			"with CAP_SYS_ADMIN that is not itself under seccomp",
			pid);
	if (m->err == EMEDIUMTYPE)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "filter %u of %d has no classic BPF form the kernel can return",
			      m->index, pid);
	return sp_err_errno(err, NULL, "PTRACE_SECCOMP_GET_FILTER %u of %d", m->index, pid);
}

/* The child's messages, until its MSG_END or MSG_ERR. */
static int read_child(int fd, int pid, secprof_prog ***out, size_t *count, secprof_error *err)
{
	struct timespec deadline;
	secprof_prog **f = NULL;
	size_t n = 0;
	int rc = 0, got;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += DUMP_TIMEOUT_MS / 1000;
	for (;;) {
		struct msg m;
		secprof_prog **g;
		secprof_prog *p;

		if ((got = get(fd, &m, sizeof(m), &deadline)) <= 0)
			break;
		if (m.what != MSG_FILTER) {
			rc = m.what == MSG_END ? 0 : step_error(&m, pid, err);
			goto done;
		}
		if (m.len < 0 || m.len > BPF_MAXINSNS || !(g = realloc(f, (n + 1) * sizeof(*f)))) {
			rc = sp_err_oom(err);
			goto done;
		}
		f = g;
		p = calloc(1, sizeof(*p));
		if (!p || !(p->insns = calloc(m.len ? (size_t)m.len : 1, sizeof(*p->insns)))) {
			free(p);
			rc = sp_err_oom(err);
			goto done;
		}
		f[n++] = p;
		p->len = (size_t)m.len;
		_Static_assert(sizeof(secprof_insn) == sizeof(struct sock_filter),
			       "sock_filter layout");
		if ((got = get(fd, p->insns, p->len * sizeof(*p->insns), &deadline)) <= 0)
			break;
	}
	rc = got < 0 ? sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "process %d did not stop within %d s for the read (it waits where "
			      "the kernel does not stop it: a vfork whose child has not exec'd "
			      "or exited, or an uninterruptible sleep); it was left as it was",
			      pid, DUMP_TIMEOUT_MS / 1000)
		     : sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "the reader of the filters of %d ended early", pid);
done:
	if (rc < 0) {
		free_filters(f, n);
		return rc;
	}
	*out = f;
	*count = n;
	return 0;
}

int secprof_dump(int pid, secprof_prog ***filters, size_t *count, secprof_error *err)
{
	struct sock_filter *insns;
	int pfd[2], rc, st;
	pid_t child;

	*filters = NULL;
	*count = 0;
	if (pid <= 0)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "no such process: %d", pid);
	if (pid == getpid())
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "a process cannot read its own filters (the kernel needs a tracer)");
	if (!(insns = malloc(BPF_MAXINSNS * sizeof(*insns))))
		return sp_err_oom(err);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(insns);
		return sp_err_errno(err, NULL, "pipe");
	}
	if ((child = fork()) < 0) {
		rc = sp_err_errno(err, NULL, "fork");
		close(pfd[0]);
		close(pfd[1]);
		free(insns);
		return rc;
	}
	if (child == 0) {
		close(pfd[0]);
		_exit(dump_child((pid_t)pid, pfd[1], insns));
	}
	free(insns);
	close(pfd[1]);
	rc = read_child(pfd[0], pid, filters, count, err);
	close(pfd[0]);
	/* done, or given up on: its exit lets the task go either way */
	kill(child, SIGKILL);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	return rc;
}
