/* live.c - `secprof run --explain`: every denial of a running command,
 * reported with the call that was denied, at no cost to allowed calls.
 *
 * The command runs under a twin of the real program in which every ERRNO
 * answer becomes SECCOMP_RET_USER_NOTIF: allowed calls take the very same
 * paths (and the kernel's action cache, kernel/seccomp.c
 * seccomp_cache_prepare, keeps the same always-allowed numbers), and only a
 * denied call waits for the supervisor. The supervisor, a thread of
 * secprof's parent process, runs the REAL program on the call's
 * seccomp_data (secprof_emulate) and answers exactly what it returns: that
 * rule's errno, or CONTINUE when it allows. A `ret A` (a verdict computed
 * in the accumulator) is made USER_NOTIF too, whatever its value: the
 * supervisor evaluates the real program anyway.
 *
 * KILL_PROCESS, KILL_THREAD and TRAP stay in the twin as themselves: the
 * kernel applies them without asking anyone, so the command dies (or gets
 * its SIGSYS) exactly as without --explain; the death is attributed
 * afterwards from the kernel's audit record of it (kernel/seccomp.c
 * seccomp_log, type 1326 AUDIT_SECCOMP, which names the syscall), read
 * from /dev/kmsg when no audit daemon takes it. TRACE stays too (no tracer:
 * the kernel answers ENOSYS itself) and is not reported.
 *
 * Why this cannot allow more than the real filter: the twin's allow
 * answers are the real program's; every other answer of the real program
 * is either kept or asked of the supervisor, which answers the real
 * program's verdict on the same registers the kernel filtered (seccomp
 * never reads memory, so the TOCTOU the uapi header warns about for
 * CONTINUE does not apply); and if the supervisor goes away, the kernel
 * fails every notified call with ENOSYS (seccomp_do_user_notification). A
 * command that loads its own filter with a listener gets EBUSY, since the
 * kernel allows one listener per filter chain (init_listener): that is the
 * one difference a program can observe, besides time. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "sandbox/notify.h"
#include "sandbox/run.h"

int sp_live_twin(struct sp_live *lv, secprof_error *err)
{
	const secprof_prog *r = lv->real;
	secprof_prog *t;

	if (!r || !r->len)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "run --explain: no filter to explain");
	if (!(t = calloc(1, sizeof(*t))) || !(t->insns = malloc(r->len * sizeof(*t->insns)))) {
		free(t);
		return sp_err_oom(err);
	}
	memcpy(t->insns, r->insns, r->len * sizeof(*t->insns));
	t->len = r->len;
	t->flags = r->flags;
	/* The kernel refuses TSYNC with NEW_LISTENER unless TSYNC_ESRCH (5.7)
	 * says how a thread that cannot sync is reported (seccomp_set_mode_filter);
	 * the child that loads it has one thread. */
	if (t->flags & SECCOMP_FILTER_FLAG_TSYNC)
		t->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	t->needs_listener = true;
	for (size_t i = 0; i < t->len; i++) {
		secprof_insn *f = &t->insns[i];
		uint32_t action = f->k & SECCOMP_RET_ACTION_FULL;

		if (f->code == (BPF_RET | BPF_A))
			*f = (secprof_insn){ .code = BPF_RET | BPF_K, .k = SECCOMP_RET_USER_NOTIF };
		else if (f->code == (BPF_RET | BPF_K) && action == SECCOMP_RET_ERRNO)
			f->k = SECCOMP_RET_USER_NOTIF;
	}
	lv->twin = t;
	return 0;
}

/* The arch of secprof's table a call is on: the one whose audit value it
 * carries and that names the number (x32 and x86_64 share AUDIT_ARCH_X86_64). */
static const secprof_arch *arch_of(uint32_t audit, int32_t nr, const char **name)
{
	const secprof_arch *first = NULL;

	*name = NULL;
	for (size_t i = 0; i < secprof_arch_count(); i++) {
		const secprof_arch *a = secprof_arch_at(i);
		secprof_arch_info info;

		secprof_arch_get_info(a, &info);
		if (info.audit != audit)
			continue;
		if (!first)
			first = a;
		if ((*name = secprof_syscall_name(a, nr)))
			return a;
	}
	return first;
}

static void record(struct sp_live *lv, int listener, const struct seccomp_notif *req, uint32_t ret)
{
	struct sp_buf text = { 0 }, key = { 0 };
	const char *name;
	const secprof_arch *a = arch_of(req->data.arch, req->data.nr, &name);
	secprof_arch_info info = { 0 };
	struct sp_denial *d;

	if (a)
		secprof_arch_get_info(a, &info);
	sp_buf_printf(&key, "%08" PRIx32 ":%" PRId32 ":%08" PRIx32 ":", req->data.arch,
		      req->data.nr, ret);
	sp_decode_call((pid_t)req->pid, name, (const uint64_t *)req->data.args, info.bits == 32,
		       &text, &key);
	/* What was read from the task's memory is only its own if the task
	 * is still the one waiting (notify.h). */
	if (text.oom || key.oom || !sp_notify_id_valid(listener, req->id))
		goto out;
	for (size_t i = 0; i < lv->ndenials; i++) {
		if (!strcmp(lv->denials[i].key, key.data)) {
			lv->denials[i].count++;
			goto out;
		}
	}
	/* The command chooses how many distinct calls it makes (a mount of a
	 * new string each time): secprof's memory and the search above stay
	 * bounded, and the report says it is cut. */
	if (lv->ndenials >= SP_LIVE_MAX_DENIALS) {
		if (!lv->note[0])
			snprintf(lv->note, sizeof(lv->note),
				 "run --explain: more than %u distinct denied calls; the report "
				 "lists the first %u",
				 SP_LIVE_MAX_DENIALS, SP_LIVE_MAX_DENIALS);
		goto out;
	}
	if (lv->ndenials == lv->cap) {
		size_t cap = lv->cap ? 2 * lv->cap : 16;
		struct sp_denial *n = realloc(lv->denials, cap * sizeof(*n));
		if (!n)
			goto out;
		lv->denials = n;
		lv->cap = cap;
	}
	d = &lv->denials[lv->ndenials++];
	memset(d, 0, sizeof(*d));
	d->count = 1;
	d->pid = (pid_t)req->pid;
	d->audit = req->data.arch;
	d->arch = a ? info.name : NULL;
	d->nr = req->data.nr;
	d->name = name;
	memcpy(d->args, req->data.args, sizeof(d->args));
	d->ip = req->data.instruction_pointer;
	d->ret = ret;
	/* glibc's clone3 wrappers fall back to clone on ENOSYS (sysdeps/unix/
	 * sysv/linux/clone-internal.c), which is why Docker answers it so. */
	d->benign = name && !strcmp(name, "clone3") &&
		    ret == (SECCOMP_RET_ERRNO | (uint32_t)ENOSYS);
	snprintf(d->call, sizeof(d->call), "%s", text.data);
	sp_decode_comm(d->pid, d->comm, sizeof(d->comm));
	sp_decode_caller(d->pid, d->ip, d->caller, sizeof(d->caller));
	/* /proc/PID/comm and maps are read by number too: the same check,
	 * after them. */
	if (!sp_notify_id_valid(listener, req->id)) {
		lv->ndenials--;
		goto out;
	}
	d->key = key.data;
	key.data = NULL;
out:
	sp_buf_free(&text);
	sp_buf_free(&key);
}

static void on_notification(void *data, int listener, const struct seccomp_notif *req,
			    struct seccomp_notif_resp *resp)
{
	struct sp_live *lv = data;
	secprof_data in = { .nr = req->data.nr,
			    .arch = req->data.arch,
			    .instruction_pointer = req->data.instruction_pointer };
	uint32_t ret, action, errno_val;

	memcpy(in.args, req->data.args, sizeof(in.args));
	ret = secprof_emulate(lv->real->insns, lv->real->len, &in, NULL);
	action = ret & SECCOMP_RET_ACTION_FULL;
	if (action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		return;
	}
	record(lv, listener, req, ret);
	switch (action) {
	case SECCOMP_RET_ERRNO:
		/* capped at MAX_ERRNO as __seccomp_filter caps it */
		errno_val = ret & SECCOMP_RET_DATA;
		resp->error = -(int32_t)(errno_val > 4095 ? 4095 : errno_val);
		break;
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
		/* Only through a `ret A` (the twin keeps `ret #KILL`): the
		 * nearest the supervisor can do; the wait status then says
		 * SIGKILL, not SIGSYS. The number is the caller's only while
		 * its notification is pending (notify.h). */
		if (sp_notify_id_valid(listener, req->id))
			kill((pid_t)req->pid, SIGKILL);
		resp->error = -ENOSYS;
		break;
	case SECCOMP_RET_TRAP:
		if (sp_notify_id_valid(listener, req->id))
			syscall(SYS_tkill, (pid_t)req->pid, SIGSYS);
		resp->error = -ENOSYS;
		break;
	default: /* TRACE without a tracer, or anything else: ENOSYS */
		resp->error = -ENOSYS;
		break;
	}
}

/* The command's pid: pid itself, or in container mode the init's one
 * child (/proc/PID/task/PID/children, CONFIG_PROC_CHILDREN). */
static pid_t command_pid(const struct sp_live *lv)
{
	char path[96], buf[64] = "";
	FILE *f;

	if (!lv->container)
		return lv->pid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)lv->pid, (int)lv->pid);
	if (!(f = fopen(path, "re")))
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? (pid_t)atoi(buf) : -1;
}

static bool stop_requested(const struct sp_live *lv)
{
	struct timespec ts = { 0, 200 * 1000 };
	char c;

	nanosleep(&ts, NULL);
	return read(lv->stop_pipe[0], &c, 1) == 1;
}

static void *serve(void *arg)
{
	struct sp_live *lv = arg;
	struct sp_child_report *rep = lv->rep;
	secprof_error err = { 0 };
	int posted, fd = -1;
	pid_t cmd = -1;

	/* Until the child has loaded the twin and posted the listener (or
	 * given up): it spins meanwhile, so this loop is short. */
	while (!(posted = __atomic_load_n(&rep->listener_posted, __ATOMIC_SEQ_CST))) {
		if (__atomic_load_n(&rep->status, __ATOMIC_SEQ_CST) || stop_requested(lv))
			return NULL;
	}
	for (int i = 0; i < 5000 && (cmd = command_pid(lv)) <= 0; i++)
		stop_requested(lv);
	if (cmd > 0)
		fd = sp_notify_take_fd(cmd, posted - 1, &err);
	else
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "cannot find the container's command process");
	if (fd < 0) {
		snprintf(lv->note, sizeof(lv->note),
			 "run --explain: cannot take the seccomp listener: %.400s", err.msg);
		__atomic_store_n(&rep->listener_taken, 2, __ATOMIC_SEQ_CST);
		return NULL;
	}
	lv->cmd_pid = cmd;
	__atomic_store_n(&rep->listener_taken, 1, __ATOMIC_SEQ_CST);
	if (sp_notify_serve(fd, lv->stop_pipe[0], on_notification, lv, &err) < 0)
		snprintf(lv->note, sizeof(lv->note),
			 "run --explain: the supervisor stopped: %.400s", err.msg);
	close(fd);
	return NULL;
}

int sp_live_start(struct sp_live *lv, pid_t pid, bool container, struct sp_child_report *rep,
		  secprof_error *err)
{
	pthread_t t;
	sigset_t all, old;
	int rc;

	lv->pid = pid;
	lv->container = container;
	lv->rep = rep;
	lv->kmsg_fd = -1;
	if (pipe2(lv->stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return sp_err_errno(err, NULL, "pipe");
	/* New records only: the death of this command, if any, comes later. */
	lv->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (lv->kmsg_fd >= 0)
		lseek(lv->kmsg_fd, 0, SEEK_END);
	/* The thread takes no signal: secprof's main thread waits for the
	 * forwarded ones (run.c wait_forwarding, stdio.c, tty.c). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, NULL, serve, lv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errno = rc;
		return sp_err_errno(err, NULL, "cannot start the run --explain supervisor");
	}
	_Static_assert(sizeof(t) == sizeof(lv->thread), "pthread_t kept as unsigned long");
	lv->thread = (unsigned long)t;
	lv->started = true;
	return 0;
}

/* "... pid=N ... syscall=N ... ip=0x..." of an AUDIT_SECCOMP record. */
static bool audit_field(const char *rec, const char *field, unsigned long long *v, int base)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", field);
	if (!(p = strstr(rec, pat)))
		return false;
	*v = strtoull(p + strlen(pat), NULL, base);
	return true;
}

/* The kernel logs KILL_* and TRAP actions (actions_logged); find the
 * record of the command's death and add it as a denial. Returns whether
 * it was found. */
static bool attribute_death_once(struct sp_live *lv)
{
	char rec[2048];
	ssize_t n;

	if (lv->kmsg_fd < 0 || lv->cmd_pid <= 0)
		return true;
	while ((n = read(lv->kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		unsigned long long pid, nr, ip, arch, code;
		const char *p;

		if (n <= 0)
			continue; /* EPIPE: records were overwritten; read on */
		rec[n] = '\0';
		if (!(p = strstr(rec, "type=1326")) || !audit_field(p, "pid", &pid, 10) ||
		    (pid_t)pid != lv->cmd_pid || !audit_field(p, "syscall", &nr, 10) ||
		    !audit_field(p, "arch", &arch, 16) || !audit_field(p, "code", &code, 16))
			continue;
		if (!audit_field(p, "ip", &ip, 16))
			ip = 0;
		/* The task is gone: no memory to read, no notification to
		 * check; the record carries no arguments. */
		{
			struct sp_denial *d;
			const char *name;
			const secprof_arch *a = arch_of((uint32_t)arch, (int32_t)nr, &name);
			secprof_arch_info info = { 0 };
			struct sp_denial *grown;

			if (lv->ndenials == lv->cap) {
				size_t cap = lv->cap ? 2 * lv->cap : 16;
				if (!(grown = realloc(lv->denials, cap * sizeof(*grown))))
					return true;
				lv->denials = grown;
				lv->cap = cap;
			}
			if (a)
				secprof_arch_get_info(a, &info);
			d = &lv->denials[lv->ndenials++];
			memset(d, 0, sizeof(*d));
			d->count = 1;
			d->pid = (pid_t)pid;
			d->audit = (uint32_t)arch;
			d->arch = a ? info.name : NULL;
			d->nr = (int32_t)nr;
			d->name = name;
			d->ip = ip;
			d->ret = (uint32_t)code;
			d->killed = true;
			if ((p = strstr(rec, " comm=\""))) {
				snprintf(d->comm, sizeof(d->comm), "%.*s",
					 (int)strcspn(p + 7, "\""), p + 7);
			}
			snprintf(d->call, sizeof(d->call), "%s(...)", name ? name : "?");
			snprintf(d->caller, sizeof(d->caller), "0x%llx", ip);
			if ((d->key = malloc(64)))
				snprintf(d->key, 64, "killed:%llu:%llu", nr, arch);
		}
		return true;
	}
	return false;
}

/* kauditd prints the record from its own thread, so it may reach the log
 * a little after the parent saw the death: a second at most. */
static void attribute_death(struct sp_live *lv)
{
	for (int i = 0; i < 100 && !attribute_death_once(lv); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

void sp_live_stop(struct sp_live *lv, int status)
{
	if (lv->started) {
		if (write(lv->stop_pipe[1], "x", 1) < 0) {
			/* the pipe is empty and ours: cannot fail */
		}
		pthread_join((pthread_t)lv->thread, NULL);
		lv->started = false;
	}
	if (status == 128 + SIGSYS) {
		size_t before = lv->ndenials;

		attribute_death(lv);
		if (lv->ndenials == before && !lv->note[0])
			snprintf(
				lv->note, sizeof(lv->note),
				"run --explain: the command was killed by SIGSYS, a KILL or TRAP action of "
				"the filter, which the kernel applies without asking the supervisor; its "
				"audit record (which names the call) was not readable in /dev/kmsg");
	}
}

void sp_live_free(struct sp_live *lv)
{
	for (size_t i = 0; i < lv->ndenials; i++)
		free(lv->denials[i].key);
	free(lv->denials);
	secprof_prog_free(lv->twin);
	/* the fds exist once sp_live_start ran (it sets pid first) */
	if (lv->pid > 0) {
		if (lv->kmsg_fd >= 0)
			close(lv->kmsg_fd);
		for (int i = 0; i < 2; i++)
			if (lv->stop_pipe[i] > 0)
				close(lv->stop_pipe[i]);
	}
	memset(lv, 0, sizeof(*lv));
}
