/* notify.c - the seccomp user-notification recorder: needs no BPF and no
 * root. At the point where `secprof run` loads the filter, the command's
 * process loads a learning filter whose every answer is SECCOMP_RET_USER_NOTIF
 * (seccomp_unotify(2)); a supervisor thread of secprof takes the listener
 * (pidfd_getfd(2): the command cannot send it, its next call already
 * waits for a supervisor), records each notification's seccomp_data (the
 * kernel's own arch token, the number, the arguments) and lets the call
 * run with SECCOMP_USER_NOTIF_FLAG_CONTINUE. The filter is inherited by
 * every thread and child, and the listener hangs up (EPOLLHUP) when the
 * last of them is gone. The same filter program is what the kernel runs
 * for an enforced profile, so both ABIs of x86 are recorded as the
 * filter sees them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "record/record.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

#define DIRECT_NR 1024
/* Distinct (ABI, number) pairs kept outside the direct counters: the
 * command chooses how many it makes (syscall(100000 + i) in a loop), and
 * each one is an entry of the recording that every later call searches.
 * The eBPF recorder's map of them holds as many (SPREC_MAX_OTHER,
 * bpf/record_abi.h); past it a call is lost and the report says so. */
#define MAX_OTHER 4096
/* How long orphans the command left behind are still served once it is
 * done: a few of their last calls are recorded, then their calls fail
 * with ENOSYS. A busy orphan would keep an idle wait going forever. */
#define DRAIN_MS 1000

/* Written by the command's process without a system call (its filter is
 * already loaded): a MAP_SHARED page. */
struct shared {
	volatile int listener; /* the listener's fd number in the command */
	volatile int ready;
};

struct state {
	struct shared *sh;
	volatile pid_t top; /* the first child, from the started hook */
	volatile int stop;  /* the command is done */
	bool container;     /* the command is the child of secprof's init */
	struct secprof_recording *r;
	secprof_error err;
	/* Counts by ABI and number below DIRECT_NR, so the hot path does
	 * not search the recording. */
	uint64_t direct[3][DIRECT_NR];
	const struct sp_arch *arches[3];
	uint64_t notified;
	size_t nother; /* entries kept outside direct (keep_other) */
};

static void at_filter_load(void *data, struct sp_child_report *rep)
{
	struct state *s = data;
	secprof_insn insn = { .code = BPF_RET | BPF_K, .k = SECCOMP_RET_USER_NOTIF };
	secprof_prog prog = { .len = 1, .insns = &insn, .needs_listener = true };
	secprof_error err;
	int fd = secprof_load(&prog, &err);

	if (fd < 0)
		sp_child_fail(rep, SECPROF_EXIT_ERROR, &err);
	/* The listener is close-on-exec (kernel/seccomp.c init_listener):
	 * the command never sees it. */
	s->sh->listener = fd;
	__atomic_store_n(&s->sh->ready, 1, __ATOMIC_SEQ_CST);
}

static void started(void *data, pid_t pid)
{
	struct state *s = data;
	__atomic_store_n(&s->top, pid, __ATOMIC_SEQ_CST);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* In container mode the command is the only child of secprof's init. */
static pid_t command_pid(struct state *s)
{
	char path[64], buf[64] = "";
	pid_t top = s->top;
	FILE *f;

	if (!s->container)
		return top;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)top, (int)top);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? (pid_t)atoi(buf) : -1;
}

/* clone3's struct clone_args, read from the caller's memory as the eBPF
 * recorder reads it (record_abi.h, SPREC_ARG_CLONE3): what clone(2) would
 * be given for the same call. The task waits in the filter meanwhile; the
 * memory was its own only if it still does after the read (the pid of a
 * task that died may have been given to another process):
 * SECCOMP_IOCTL_NOTIF_ID_VALID, as seccomp_unotify(2) says. */
static bool clone3_flags(int listener, uint64_t id, pid_t pid, uint64_t addr, uint64_t *val)
{
	uint64_t ca[5];
	struct iovec local = { ca, sizeof(ca) }, remote = { (void *)(uintptr_t)addr, sizeof(ca) };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(ca) ||
	    ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return false;
	*val = ca[0] | (ca[4] & 0xff);
	return true;
}

/* Whether a call outside the direct counters has room in the recording:
 * one already in it, or fewer than MAX_OTHER kept so far. */
static bool keep_other(struct state *s, const struct sp_arch *a, int32_t nr)
{
	for (size_t i = 0; i < s->r->n; i++)
		if (s->r->calls[i].arch == a && s->r->calls[i].nr == nr)
			return true;
	if (s->nother >= MAX_OTHER)
		return false;
	s->nother++;
	return true;
}

static void record(struct state *s, int listener, const struct seccomp_notif *req)
{
	const struct seccomp_data *d = &req->data;
	const struct sp_arch *a = NULL;
	int slot = -1;
	int32_t nr = d->nr;
	const char *name;
	int arg;

	/* x32 shares AUDIT_ARCH_X86_64 and marks its numbers with
	 * __X32_SYSCALL_BIT (arch/x86/include/uapi/asm/unistd.h). */
	if (d->arch == s->arches[0]->audit && !(d->nr & 0x40000000))
		slot = 0;
	else if (s->arches[1] && d->arch == s->arches[1]->audit)
		slot = 1;
	else if (s->arches[2] && d->arch == s->arches[2]->audit)
		slot = 2;
	if (slot >= 0) {
		a = s->arches[slot];
		if (nr - (int32_t)a->nr_base >= 0 && nr - (int32_t)a->nr_base < DIRECT_NR)
			s->direct[slot][nr - a->nr_base]++;
		else if (!keep_other(s, a, nr) || sp_rec_add(s->r, a, nr, 1) < 0)
			s->r->lost++;
	} else {
		for (size_t i = 0; i < sp_arch_count() && !a; i++)
			if (sp_arch_at(i)->audit == d->arch)
				a = sp_arch_at(i);
		if (!a || !keep_other(s, a, nr) || sp_rec_add(s->r, a, nr, 1) < 0) {
			s->r->lost++;
			return;
		}
	}
	name = sp_syscall_name(a, nr);
	if (name && !strcmp(name, "clone3")) {
		uint64_t v;
		if (!clone3_flags(listener, req->id, (pid_t)req->pid, d->args[0], &v) ||
		    sp_rec_add_val(s->r, a, nr, 0, v, 1) < 0)
			s->r->lost++;
	} else if (name && (arg = sp_rec_arg_of(name)) >= 0) {
		uint64_t v = d->args[arg];
		if (a->bits == 32 && a->nr_base == 0)
			v = (uint32_t)v; /* as the eBPF recorder reads an i386 register */
		if (sp_rec_add_val(s->r, a, nr, (unsigned)arg, v, 1) < 0)
			s->r->lost++;
	}
}

static int take_listener(struct state *s)
{
	int pidfd, fd;
	pid_t pid;

	while (!__atomic_load_n(&s->sh->ready, __ATOMIC_SEQ_CST)) {
		if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST))
			return -1;
		sleep_ms(1);
	}
	while ((pid = command_pid(s)) <= 0) {
		if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST))
			return -1;
		sleep_ms(1);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		/* gone: nothing waits for a supervisor */
		sp_err_errno(&s->err, NULL, "pidfd_open of the recorded command");
		return -1;
	}
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, s->sh->listener, 0);
	if (fd < 0) {
		sp_err_errno(&s->err, NULL, "pidfd_getfd of the seccomp listener");
		/* The command holds its listener and waits in its next call
		 * for a supervisor that will never come: it would wait
		 * forever. Signalled through its pidfd, not its number, which
		 * another process may have by now. */
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	}
	close(pidfd);
	return fd;
}

static void *supervise(void *data)
{
	struct state *s = data;
	int fd = take_listener(s);
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct timespec stopped = { 0 }, now;
	int idle = 0;

	if (fd < 0)
		return NULL;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, 50);

		/* Once the command is done, orphans it left behind are not
		 * waited for: served until they are idle for 200 ms, DRAIN_MS
		 * at most, then their calls fail with ENOSYS. */
		if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!stopped.tv_sec && !stopped.tv_nsec)
				stopped = now;
			if ((now.tv_sec - stopped.tv_sec) * 1000 +
				    (now.tv_nsec - stopped.tv_nsec) / 1000000 >=
			    DRAIN_MS)
				break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST) && ++idle >= 4)
				break;
			continue;
		}
		if (n < 0 || !(p.revents & POLLIN))
			break; /* EPOLLHUP: the last task of the filter is gone */
		idle = 0;
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			continue; /* ENOENT: the task died meanwhile */
		record(s, fd, &req);
		s->notified++;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	close(fd);
	return NULL;
}

int sp_rec_notify_run(struct secprof_recording *r, const struct sp_rec_runner *run,
		      secprof_error *err)
{
	struct state *s = calloc(1, sizeof(*s));
	struct sp_run_hook hook = { .at_filter_load = at_filter_load, .started = started };
	pthread_t thr;
	int status, rc;

	if (!s) {
		sp_err_oom(err);
		return SECPROF_EXIT_ERROR;
	}
	s->sh = mmap(NULL, sizeof(*s->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (s->sh == MAP_FAILED) {
		free(s);
		sp_err_errno(err, NULL, "mmap");
		return SECPROF_EXIT_ERROR;
	}
	s->r = r;
	s->container = run->container;
	s->arches[0] = sp_arch_native();
	s->arches[1] = sp_arch_by_name("x86");
	s->arches[2] = sp_arch_by_name("x32");
	if (strcmp(s->arches[0]->name, "x86_64"))
		s->arches[1] = s->arches[2] = NULL;
	hook.data = s;
	if ((rc = pthread_create(&thr, NULL, supervise, s)) != 0) {
		errno = rc;
		sp_err_errno(err, NULL, "cannot start the notification supervisor");
		munmap(s->sh, sizeof(*s->sh));
		free(s);
		return SECPROF_EXIT_ERROR;
	}
	status = run->run(run->data, &hook, err);
	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(thr, NULL);
	for (int a = 0; a < 3; a++)
		for (int nr = 0; s->arches[a] && nr < DIRECT_NR; nr++)
			if (s->direct[a][nr] &&
			    sp_rec_add(r, s->arches[a], nr + (int32_t)s->arches[a]->nr_base,
				       s->direct[a][nr]) < 0)
				r->lost++;
	if (!err->code && s->err.code) {
		*err = s->err;
		status = SECPROF_EXIT_ERROR;
	} else if (!err->code && !s->notified) {
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "the notification recorder saw no call");
		status = SECPROF_EXIT_ERROR;
	}
	snprintf(r->backend, sizeof(r->backend), "notify");
	munmap(s->sh, sizeof(*s->sh));
	free(s);
	return status;
}
