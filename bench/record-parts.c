/* record-parts.c [N] [ROUNDS] - where the eBPF recorder's time per system
 * call goes (docs/KERNEL.md §7): the two loops of syscall-loops.h run in
 * this process with nothing attached, under an allow-all seccomp filter
 * (the syscall entry's slow path alone, with the action cache), with one
 * part of the recorder attached at a time (record-parts.bpf.c), and with
 * the real recorder (src/record/bpf/record.bpf.c) attached, once with this
 * task recorded (marked by the marker call, as `secprof record` marks its
 * child) and once not (what every other task pays while a recording
 * runs). Every program is loaded once and attached for its turn only.
 * The real program is loaded with no argument to capture: none of the
 * loops' calls is one.
 *
 * Protocol: ROUNDS rounds (default 15), each timing every way in turn;
 * N calls per loop and way (default 300000); the median of the rounds of
 * thread CPU time per call (CLOCK_THREAD_CPUTIME_ID: the program runs in
 * the calling thread, and other load on the machine is left out), and the
 * difference from "none". Needs root; a part the kernel refuses to load
 * is reported as refused, with the reason. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>

#include <bpf/libbpf.h>
#include <record-parts.skel.h>
#include <record.skel.h>

#include "syscall-loops.h"

#define MAX_ROUNDS 101
#define MARKER_NR 0x0badc0deL /* any number no syscall table has */

enum kind { NONE, SECCOMP, PART, FENTRY, RECORDER, RECORDER_OTHER };

static const struct way {
	const char *name;
	enum kind kind;
	const char *what;
} ways[] = {
	{ "none", NONE, "nothing attached" },
	{ "seccomp", SECCOMP, "allow-all seccomp filter: the entry's slow path, action cache" },
	{ "empty_raw_tp", PART, "raw_tp/sys_enter, empty: tracepoint + slow path + call" },
	{ "empty_tp_btf", PART, "tp_btf/sys_enter, empty" },
	{ "empty_fentry", FENTRY, "fentry/x64_sys_call, empty: no slow path" },
	{ "task_abi", PART, "+ bpf_get_current_task_btf, TS_COMPAT" },
	{ "scope_tid_hash", PART, "+ tid hash lookup (the replaced scope)" },
	{ "scope_cgroup_id", PART, "+ bpf_get_current_cgroup_id (--cgroup)" },
	{ "scope_task_storage", PART, "+ task + task storage lookup (the scope)" },
	{ "count_shared", PART, "+ atomic add, one array for all CPUs (replaced)" },
	{ "count_percpu", PART, "+ atomic add, per-CPU array (now)" },
	{ "recorder", RECORDER, "record.bpf.c, this task recorded" },
	{ "recorder_other", RECORDER_OTHER, "record.bpf.c, this task not recorded" },
};
#define NWAYS (sizeof(ways) / sizeof(ways[0]))

struct ctx {
	struct parts *parts;
	struct parts *fentry; /* NULL: refused, see fentry_err */
	int fentry_err;
	struct sprec *rec, *rec_other; /* NULL: cannot load */
	int null_fd;
	long n;
};

/* Times both loops in this thread: ns per call into out[0], out[1]. */
static void time_loops(const struct ctx *c, double out[2])
{
	double t;

	getppid_loop(1000);
	t = loop_ns(CLOCK_THREAD_CPUTIME_ID);
	getppid_loop(c->n);
	out[0] = (loop_ns(CLOCK_THREAD_CPUTIME_ID) - t) / (double)c->n;
	mix_loop(10, c->null_fd);
	t = loop_ns(CLOCK_THREAD_CPUTIME_ID);
	mix_loop(c->n / MIX_CALLS, c->null_fd);
	out[1] = (loop_ns(CLOCK_THREAD_CPUTIME_ID) - t) / (double)(c->n / MIX_CALLS * MIX_CALLS);
}

/* A filter cannot be taken off: timed in a child, sent back by a pipe. */
static int time_seccomp(const struct ctx *c, double out[2])
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };
	int p[2], st;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(1);
		time_loops(c, out);
		_exit(write(p[1], out, 2 * sizeof(double)) == 2 * sizeof(double) ? 0 : 1);
	}
	close(p[1]);
	st = read(p[0], out, 2 * sizeof(double)) == 2 * sizeof(double) ? 0 : -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return st;
}

/* The real program, loaded once; with marked, this task makes the marker
 * call at once, so it is recorded while that instance lives. */
static struct sprec *load_recorder(bool marked)
{
	struct sprec *skel = sprec__open();
	uint64_t cookie[2];

	if (!skel || getrandom(cookie, sizeof(cookie), 0) != sizeof(cookie))
		goto fail;
	skel->rodata->cookie_lo = cookie[0];
	skel->rodata->cookie_hi = cookie[1];
	skel->rodata->marker_nr = MARKER_NR;
	if (sprec__load(skel) < 0)
		goto fail;
	if (marked) {
		if (sprec__attach(skel) < 0)
			goto fail;
		syscall(MARKER_NR, cookie[0], cookie[1]);
		sprec__detach(skel);
	}
	return skel;
fail:
	sprec__destroy(skel);
	return NULL;
}

static int time_recorder(const struct ctx *c, struct sprec *skel, double out[2])
{
	if (!skel || sprec__attach(skel) < 0)
		return -1;
	time_loops(c, out);
	sprec__detach(skel);
	return 0;
}

static int time_way(const struct ctx *c, const struct way *w, double out[2])
{
	struct bpf_program *p;
	struct bpf_link *l;

	switch (w->kind) {
	case NONE: time_loops(c, out); return 0;
	case SECCOMP: return time_seccomp(c, out);
	case RECORDER:
	case RECORDER_OTHER:
		return time_recorder(c, w->kind == RECORDER ? c->rec : c->rec_other, out);
	case PART:
	case FENTRY: break;
	}
	if (w->kind == FENTRY && !c->fentry)
		return -1;
	p = bpf_object__find_program_by_name(w->kind == FENTRY ? c->fentry->obj : c->parts->obj,
					     w->name);
	if (!p || !(l = bpf_program__attach(p)))
		return -1;
	time_loops(c, out);
	bpf_link__destroy(l);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The cgroup v2 id of this process: its directory's inode number. */
static uint64_t my_cgroup_id(void)
{
	char line[4096], path[4200];
	struct stat st;
	uint64_t id = 0;
	FILE *f = fopen("/proc/self/cgroup", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
			if (stat(path, &st) == 0)
				id = st.st_ino;
		}
	if (f)
		fclose(f);
	return id;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int main(int argc, char **argv)
{
	static double res[NWAYS][2][MAX_ROUNDS];
	bool failed[NWAYS] = { false };
	struct ctx c = { .n = argc > 1 ? atol(argv[1]) : 300000 };
	int rounds = argc > 2 ? atoi(argv[2]) : 15, pidfd;
	uint32_t tid = (uint32_t)gettid();
	uint8_t on = 1;
	double base[2] = { 0, 0 };

	if (rounds < 1 || rounds > MAX_ROUNDS || c.n < 1000) {
		fprintf(stderr, "usage: record-parts [N >= 1000] [ROUNDS 1..%d]\n", MAX_ROUNDS);
		return 2;
	}
	libbpf_set_print(quiet);
	c.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	c.parts = parts__open();
	if (!c.parts || c.null_fd < 0)
		return perror("record-parts"), 1;
	c.parts->rodata->my_cgroup = my_cgroup_id();
	bpf_program__set_autoload(c.parts->progs.empty_fentry, false);
	if (parts__load(c.parts) < 0)
		return perror("record-parts: cannot load record-parts.bpf.o (root?)"), 1;
	/* This task is in the scopes, so each part takes its recorded path. */
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (bpf_map__update_elem(c.parts->maps.tids, &tid, sizeof(tid), &on, sizeof(on), 0) < 0 ||
	    pidfd < 0 ||
	    bpf_map__update_elem(c.parts->maps.marks, &pidfd, sizeof(pidfd), &on, sizeof(on), 0) <
		    0)
		return perror("record-parts: cannot mark this task"), 1;
	/* fentry in an object of its own: a refusal leaves the rest loadable. */
	c.fentry = parts__open();
	if (c.fentry) {
		struct bpf_program *p;
		bpf_object__for_each_program(p, c.fentry->obj)
			bpf_program__set_autoload(p, p == c.fentry->progs.empty_fentry);
		struct bpf_link *l = NULL;
		if (parts__load(c.fentry) < 0 ||
		    !(l = bpf_program__attach(c.fentry->progs.empty_fentry))) {
			c.fentry_err = errno;
			parts__destroy(c.fentry);
			c.fentry = NULL;
		}
		bpf_link__destroy(l);
	}
	c.rec = load_recorder(true);
	c.rec_other = load_recorder(false);
	for (int r = 0; r < rounds; r++)
		for (size_t w = 0; w < NWAYS; w++) {
			double out[2];
			if (failed[w] || time_way(&c, &ways[w], out) < 0) {
				failed[w] = true;
				continue;
			}
			res[w][0][r] = out[0];
			res[w][1][r] = out[1];
		}
	printf("record-parts: median of %d interleaved rounds, thread CPU ns per call, %ld calls a loop\n",
	       rounds, c.n);
	printf("%-19s %8s %7s %8s %7s  %s\n", "way", "getppid", "+ns", "mix", "+ns", "what");
	for (size_t w = 0; w < NWAYS; w++) {
		double m[2];
		if (failed[w]) {
			printf("%-19s refused: %s  (%s)\n", ways[w].name,
			       ways[w].kind == FENTRY && c.fentry_err ? strerror(c.fentry_err)
								      : "cannot load or attach",
			       ways[w].what);
			continue;
		}
		for (int l = 0; l < 2; l++) {
			qsort(res[w][l], (size_t)rounds, sizeof(double), cmp_double);
			m[l] = res[w][l][rounds / 2];
		}
		if (w == 0)
			base[0] = m[0], base[1] = m[1];
		printf("%-19s %8.1f %+7.1f %8.1f %+7.1f  %s\n", ways[w].name, m[0], m[0] - base[0],
		       m[1], m[1] - base[1], ways[w].what);
	}
	sprec__destroy(c.rec);
	sprec__destroy(c.rec_other);
	if (c.fentry)
		parts__destroy(c.fentry);
	parts__destroy(c.parts);
	return 0;
}
