/* test_held.c - sp_spawn_held, which starts a container's command held
 * (container.c): it runs nothing of its own until its parent has exec'd,
 * then its set-up up to the gate, where it waits for the byte the
 * parent's next program writes once it has locked itself down. The child
 * must find what it was given intact after its parent's execve, must run
 * as a fork of the parent at the spawn would (dumpable as the parent was
 * then), starts with every signal blocked (no handler of the parent's may
 * run in memory the two share), runs on a stack with a guard below it,
 * and takes the end of the gate's pipe without a byte as no release. It
 * shares the parent's memory rather than copying it (README,
 * "Performance"), except in a sanitizer build, which forks: a write the
 * parent makes after the spawn shows which. In the real kernel: each case
 * runs in a forked process P that spawns the child, waits, and then execs
 * this test again as the releaser, which writes the byte only once the
 * child has said it runs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/run.h"
#include "tap.h"

/* What the held child found at its start, written to the report pipe;
 * the gate's byte follows it there (0xff: the end of the pipe). */
struct report {
	char tag;      /* 'C' */
	int late;      /* `late` as the child reads it once released */
	int dumpable;  /* PR_GET_DUMPABLE in the child once released */
	int blocked;   /* SIGUSR1 and SIGTERM blocked when fn starts */
	int guarded;   /* an inaccessible mapping right below fn's stack */
	char word[16]; /* the argument's text, copied once released */
};

/* Written by P after the spawn: the child sees it only if it shares P's
 * memory. */
static volatile int late;

struct held_arg {
	int report_fd;
	int ready_fd; /* 'R' to the releaser before the gate */
	char word[16];
};

/* Whether the mapping that holds `on_stack` has a mapping without access
 * right below it (/proc/self/maps, in address order). */
static int guarded_stack(const void *on_stack)
{
	unsigned long at = (unsigned long)on_stack, lo, hi, prev_hi = 0;
	char perms[8], line[512], prev_perms[8] = "";
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (at >= lo && at < hi) {
			found = prev_hi == lo && !strcmp(prev_perms, "---p");
			break;
		}
		prev_hi = hi;
		memcpy(prev_perms, perms, sizeof(prev_perms));
	}
	fclose(f);
	return found;
}

static int held_fn(void *data, int gate_fd)
{
	const struct held_arg *a = data;
	struct report r = { .tag = 'C', .late = late };
	unsigned char gate;
	sigset_t mask;

	r.guarded = guarded_stack(&r);
	r.blocked = sigprocmask(SIG_SETMASK, NULL, &mask) == 0 && sigismember(&mask, SIGUSR1) &&
		    sigismember(&mask, SIGTERM);
	r.dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	memcpy(r.word, a->word, sizeof(r.word));
	if (write(a->report_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return 1;
	/* none reads it where P left without exec'ing (EPIPE, SIGPIPE blocked) */
	(void)!write(a->ready_fd, "R", 1);
	gate = (unsigned char)sp_held_gate(gate_fd);
	return write(a->report_fd, &gate, 1) == 1 ? 0 : 1;
}

/* P: spawn, then either close the gate and leave (release false) or make
 * the changes secprof's init makes before its execve, wait (a child
 * released before P's execve would report before P's word), say so on the
 * report pipe ('P') and exec this program to write the byte. */
static void parent_side(int report_fd, bool release, int dumpable)
{
	/* on P's heap: P's memory after the execve is no longer this */
	struct held_arg *a = calloc(1, sizeof(*a));
	char gate_text[16], ready_text[16];
	int ready[2];
	sigset_t mask;
	int gate = -1;

	if (!a || pipe(ready) < 0)
		_exit(2);
	a->report_fd = report_fd;
	a->ready_fd = ready[1];
	snprintf(a->word, sizeof(a->word), "%s", "held-arg");
	if (prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0) < 0 || sp_spawn_held(held_fn, a, &gate) < 0)
		_exit(2);
	close(ready[1]);
	if (!release) {
		close(gate);
		_exit(0);
	}
	late = 42;
	usleep(50000);
	/* P's own mask as it was ('P'), or changed by the spawn ('X') */
	if (sigprocmask(SIG_SETMASK, NULL, &mask) < 0)
		_exit(2);
	/* what drop_privileges does to the memory the two shared */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    write(report_fd, sigismember(&mask, SIGUSR1) ? "X" : "P", 1) != 1 ||
	    fcntl(gate, F_SETFD, 0) < 0)
		_exit(2);
	snprintf(gate_text, sizeof(gate_text), "%d", gate);
	snprintf(ready_text, sizeof(ready_text), "%d", ready[0]);
	execl("/proc/self/exe", "test_held", "release", gate_text, ready_text, (char *)NULL);
	_exit(3);
}

/* The exec'd P: the byte, once the child has said it runs (it started
 * at this execve and got as far as its gate), or none after 10 s. */
static int releaser(int gate_fd, int ready_fd)
{
	struct pollfd p = { .fd = ready_fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, 10000) != 1 || read(ready_fd, &c, 1) != 1 || c != 'R')
		return 4;
	return write(gate_fd, "g", 1) == 1 ? 0 : 1;
}

/* Read what comes through the report pipe until its end or 10 s. */
static size_t read_reports(int fd, char *buf, size_t len)
{
	size_t got = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (got < len && poll(&p, 1, 10000) == 1) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* One case: what reached the pipe, in order, and P's exit status. */
static size_t run_case(bool release, int dumpable, char *buf, size_t len, int *p_status)
{
	int pipefd[2];
	size_t got;
	pid_t p;

	if (pipe(pipefd) < 0)
		return 0;
	p = fork();
	if (p == 0) {
		close(pipefd[0]);
		parent_side(pipefd[1], release, dumpable);
	}
	close(pipefd[1]);
	got = read_reports(pipefd[0], buf, len);
	close(pipefd[0]);
	*p_status = -1;
	if (p > 0)
		waitpid(p, p_status, 0);
	/* the held child is ours as a subreaper once P is gone; it has
	 * reported (or the pipe's end came), so it is leaving */
	while (waitpid(-1, NULL, 0) > 0)
		;
	return got;
}

/* P dumpable or not at the spawn: the child runs as it was then. */
static void released(int dumpable)
{
	char buf[1 + sizeof(struct report) + 1 + 8];
	struct report r;
	int status;
	size_t got = run_case(true, dumpable, buf, sizeof(buf), &status);

	tap_diag("P %sdumpable at the spawn", dumpable ? "" : "not ");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "P exec'd the releaser, which the child reached before the byte (status 0x%x)",
	       status);
	if (!tap_ok(got == 1 + sizeof(r) + 1 && buf[1] == 'C',
		    "fn ran only after P's execve (P's word first)"))
		tap_diag("%zu bytes, first '%c'", got, got ? buf[0] : '-');
	tap_ok(got && buf[0] == 'P', "P's signal mask as it was");
	if (got < 1 + sizeof(r) + 1) {
		tap_ok(0, "the child's report");
		return;
	}
	memcpy(&r, buf + 1, sizeof(r));
	TAP_EQ_INT(buf[1 + sizeof(r)], 'g', "released by the byte the exec'd P wrote");
	TAP_EQ_STR(r.word, "held-arg", "its argument still readable after P's execve");
	TAP_EQ_INT(r.dumpable, dumpable, "dumpable as P was at the spawn");
	TAP_EQ_INT(r.blocked, 1, "every signal blocked in the child (SIGUSR1, SIGTERM)");
	if (!SP_SPAWN_SHARES_MEMORY) {
		TAP_EQ_INT(r.late, 0, "a copy of P's memory (sanitizer build)");
		tap_ok(1, "a guard below its stack # SKIP a sanitizer build forks");
	} else {
		TAP_EQ_INT(r.late, 42, "P's memory shared, not copied");
		TAP_EQ_INT(r.guarded, 1, "a guard below its stack");
	}
}

static void closed_without_a_byte(void)
{
	char buf[sizeof(struct report) + 1 + 8];
	int status;
	size_t got = run_case(false, 1, buf, sizeof(buf), &status);

	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "P closed the gate and left");
	if (!tap_ok(got == sizeof(struct report) + 1 && buf[0] == 'C',
		    "the child ran once P had left")) {
		tap_ok(0, "and got no release");
		return;
	}
	TAP_EQ_INT((unsigned char)buf[sizeof(struct report)], 0xff, "end of file is no release");
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "release"))
		return releaser(atoi(argv[2]), atoi(argv[3]));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		tap_diag("no subreaper (%s): a held child may be left for init", strerror(errno));
	released(1);
	released(0);
	closed_without_a_byte();
	return tap_done();
}
