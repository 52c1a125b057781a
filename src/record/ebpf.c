/* ebpf.c - the eBPF recorder: loads bpf/record.bpf.c (its skeleton is
 * generated at build time by bpftool), runs the command with a hook that
 * makes the marker call where `secprof run` loads the filter, and reads the
 * counting maps once when the command is done. x86_64 only: the program
 * reads the x86 argument registers and TS_COMPAT.
 *
 * The marker is a system call no kernel defines (SP_MARKER_NR) with a
 * random 128-bit cookie in its first two arguments: sys_enter sees it, the
 * kernel answers ENOSYS, and only the task that made it (and, through
 * sched_process_fork, its children and threads) is recorded from the next
 * call on. Not seen when a seccomp filter around secprof itself denies
 * unknown numbers first (kernel/entry/common.c syscall_trace_enter runs
 * seccomp before the tracepoint); the recording then fails instead of
 * coming back empty. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/util.h"
#include "record/record.h"

#if !defined(SECPROF_NO_EBPF) && !defined(__x86_64__)
#define SECPROF_NO_EBPF
#endif

#ifndef SECPROF_NO_EBPF
#include <dlfcn.h>
#include <stdarg.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>

/* libbpf is opened with dlopen when a recording starts, not linked: as a
 * dependency of libsecprof.so it (and libelf) would be loaded and
 * relocated at the start of every secprof process (~80 us of each `secprof
 * run`). The skeleton's own calls into libbpf are therefore cut off here:
 * only its pure parts are used (struct sprec, sprec__create_skeleton, which
 * frees its half-built skeleton with skel_free below), and the object is
 * opened, loaded, attached and destroyed through struct lb. */
static void skel_free(struct bpf_object_skeleton *s)
{
	/* libbpf's bpf_object__destroy_skeleton on a skeleton that was never
	 * opened: no object to close, no link to detach */
	if (s) {
		free(s->maps);
		free(s->progs);
		free(s);
	}
}
#define bpf_object__open_skeleton(s, o) ((void)(s), (void)(o), -ENOSYS)
#define bpf_object__load_skeleton(s) ((void)(s), -ENOSYS)
#define bpf_object__attach_skeleton(s) ((void)(s), -ENOSYS)
#define bpf_object__detach_skeleton(s) ((void)(s))
#define bpf_object__destroy_skeleton(s) skel_free(s)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <record.skel.h>
#pragma GCC diagnostic pop
#undef bpf_object__open_skeleton
#undef bpf_object__load_skeleton
#undef bpf_object__attach_skeleton
#undef bpf_object__detach_skeleton
#undef bpf_object__destroy_skeleton

#define LB_SONAME "libbpf.so.1"
_Static_assert(LIBBPF_MAJOR_VERSION == 1, "libbpf 1.x (soname libbpf.so.1)");

#define LB_FUNCS(X)                     \
	X(bpf_object__open_skeleton)    \
	X(bpf_object__load_skeleton)    \
	X(bpf_object__attach_skeleton)  \
	X(bpf_object__detach_skeleton)  \
	X(bpf_object__destroy_skeleton) \
	X(bpf_map__lookup_elem)         \
	X(bpf_map__update_elem)         \
	X(bpf_map__get_next_key)        \
	X(libbpf_set_print)             \
	X(libbpf_num_possible_cpus)

/* libbpf's functions (libbpf.h's names and types), for one recording. */
struct lb {
	void *dl;
#define LB_FIELD(f) __typeof__(&f) f;
	LB_FUNCS(LB_FIELD)
#undef LB_FIELD
};

static int lb_open(struct lb *L, secprof_error *err)
{
	const char *missing = NULL;

	if (!(L->dl = dlopen(LB_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "cannot load %s, which the eBPF recorder needs: %s", LB_SONAME,
			      dlerror());
#define LB_SYM(f)                                              \
	if (!missing && !(*(void **)&L->f = dlsym(L->dl, #f))) \
		missing = #f;
	LB_FUNCS(LB_SYM)
#undef LB_SYM
	if (missing) {
		dlclose(L->dl);
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "%s has no %s", LB_SONAME,
			      missing);
	}
	return 0;
}

#include "record/bpf/record_abi.h"

/* Below __X32_SYSCALL_BIT and far above any syscall table. */
#define SP_MARKER_NR 0x0badc0deL

struct ebpf_state {
	uint64_t cookie[2];
};

static void at_filter_load(void *data, struct sp_child_report *rep)
{
	const struct ebpf_state *s = data;

	(void)rep;
	syscall(SP_MARKER_NR, s->cookie[0], s->cookie[1]);
}

/* Names in place, no pointers: no relocation at load. */
static const char abi_arch[SPREC_NABI][sizeof("x86_64")] = { "x86_64", "x86", "x32" };

/* libbpf prints to stderr by default; the library never prints. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Before the load: argsel is read-only data of the program. */
static void fill_argsel(struct sprec *skel)
{
	for (__u32 abi = 0; abi < SPREC_NABI; abi++) {
		const struct sp_arch *a = sp_arch_by_name(abi_arch[abi]);
		static const char names[][sizeof("personality")] = { "clone", "personality",
								     "prctl", "socket", "unshare" };
		for (size_t i = 0; a && i < SP_ARRAY_SIZE(names); i++) {
			int32_t nr = sp_syscall_nr(a, names[i]);
			if (nr < 0 || (__u32)(nr - (int32_t)a->nr_base) >= SPREC_DIRECT_NR)
				continue;
			skel->rodata->argsel[abi * SPREC_DIRECT_NR +
					     (__u32)(nr - (int32_t)a->nr_base)] =
				(__u8)(sp_rec_arg_of(names[i]) + 1);
		}
		int32_t nr = a ? sp_syscall_nr(a, "clone3") : -1;
		if (nr >= 0 && (__u32)(nr - (int32_t)a->nr_base) < SPREC_DIRECT_NR)
			skel->rodata->argsel[abi * SPREC_DIRECT_NR +
					     (__u32)(nr - (int32_t)a->nr_base)] = SPREC_ARG_CLONE3;
	}
}

static int read_maps(const struct lb *L, struct sprec *skel, struct secprof_recording *r)
{
	/* libbpf's bpf_map__* calls (through L): <bpf/bpf.h> is shadowed by
	 * src/bpf/bpf.h. */
	struct bpf_map *cm = skel->maps.counts, *om = skel->maps.other;
	struct bpf_map *am = skel->maps.argvals, *lm = skel->maps.lost;
	struct sprec_key k, cur, *prev = NULL;
	struct sprec_argkey ak, acur, *aprev = NULL;
	int ncpu = L->libbpf_num_possible_cpus();
	__u64 v, *per_cpu;

	/* counts is per CPU: a lookup gives every CPU's counter. */
	if (ncpu <= 0 || !(per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu))))
		return -1;
	for (__u32 slot = 0; slot < SPREC_NSLOT; slot++) {
		const struct sp_arch *a = sp_arch_by_name(abi_arch[slot / SPREC_DIRECT_NR]);
		if (L->bpf_map__lookup_elem(cm, &slot, sizeof(slot), per_cpu,
					    (size_t)ncpu * sizeof(*per_cpu), 0) < 0)
			continue;
		v = 0;
		for (int c = 0; c < ncpu; c++)
			v += per_cpu[c];
		if (v && sp_rec_add(r, a, (int32_t)(slot % SPREC_DIRECT_NR + a->nr_base), v) < 0) {
			free(per_cpu);
			return -1;
		}
	}
	free(per_cpu);
	while (L->bpf_map__get_next_key(om, prev, &k, sizeof(k)) == 0) {
		const struct sp_arch *a = k.abi < SPREC_NABI ? sp_arch_by_name(abi_arch[k.abi])
							     : NULL;
		cur = k;
		prev = &cur;
		if (a && L->bpf_map__lookup_elem(om, &k, sizeof(k), &v, sizeof(v), 0) == 0 &&
		    sp_rec_add(r, a, (int32_t)(k.nr + a->nr_base), v) < 0)
			return -1;
	}
	while (L->bpf_map__get_next_key(am, aprev, &ak, sizeof(ak)) == 0) {
		const struct sp_arch *a = ak.abi < SPREC_NABI ? sp_arch_by_name(abi_arch[ak.abi])
							      : NULL;
		acur = ak;
		aprev = &acur;
		if (a && L->bpf_map__lookup_elem(am, &ak, sizeof(ak), &v, sizeof(v), 0) == 0 &&
		    sp_rec_add_val(r, a, (int32_t)(ak.nr + a->nr_base), ak.idx, ak.val, v) < 0)
			return -1;
	}
	for (__u32 i = 0; i < SPREC_NLOST; i++)
		if (L->bpf_map__lookup_elem(lm, &i, sizeof(i), &v, sizeof(v), 0) == 0)
			r->lost += v;
	return 0;
}

/* sprec__destroy, through L. */
static void recorder_free(const struct lb *L, struct sprec *skel)
{
	if (!skel)
		return;
	if (skel->skeleton)
		L->bpf_object__destroy_skeleton(skel->skeleton);
	free(skel);
}

/* Open, load and attach the program (sprec__open, __load, __attach, through
 * L); cgid non-zero: --cgroup mode; seeded: --pid mode (add_tree fills the
 * seed map). */
static struct sprec *open_recorder(const struct lb *L, struct ebpf_state *st, uint64_t cgid,
				   bool seeded, secprof_error *err)
{
	struct sprec *skel;
	int e;

	if (getrandom(st->cookie, sizeof(st->cookie), 0) != (ssize_t)sizeof(st->cookie)) {
		sp_err_errno(err, NULL, "getrandom");
		return NULL;
	}
	if (!(skel = calloc(1, sizeof(*skel))) || (e = sprec__create_skeleton(skel)) < 0 ||
	    (e = L->bpf_object__open_skeleton(skel->skeleton, NULL)) < 0) {
		sp_err_errno(err, NULL, "cannot open the eBPF recorder");
		recorder_free(L, skel);
		return NULL;
	}
	skel->rodata->cookie_lo = st->cookie[0];
	skel->rodata->cookie_hi = st->cookie[1];
	skel->rodata->marker_nr = SP_MARKER_NR;
	skel->rodata->target_cgroup = cgid;
	skel->bss->use_seed = seeded;
	fill_argsel(skel);
	if ((e = L->bpf_object__load_skeleton(skel->skeleton)) < 0) {
		errno = -e;
		sp_err_errno(
			err, NULL,
			"cannot load the eBPF recorder (root and a kernel with BTF are needed)");
	} else if ((e = L->bpf_object__attach_skeleton(skel->skeleton)) < 0) {
		sp_err_errno(err, NULL, "cannot attach the eBPF recorder");
	} else {
		return skel;
	}
	recorder_free(L, skel);
	return NULL;
}

/* Read the maps once the recorded tasks are done. */
static int finish_recording(const struct lb *L, struct sprec *skel, struct secprof_recording *r,
			    secprof_error *err)
{
	L->bpf_object__detach_skeleton(skel->skeleton);
	snprintf(r->backend, sizeof(r->backend), "ebpf");
	if (read_maps(L, skel, r) < 0)
		return sp_err_oom(err);
	if (!r->n)
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"the eBPF recorder saw no call (does a seccomp filter around secprof deny unknown syscall numbers?)");
	return 0;
}

int sp_rec_ebpf_run(struct secprof_recording *r, const struct sp_rec_runner *run,
		    secprof_error *err)
{
	struct lb L = { 0 };
	libbpf_print_fn_t old;
	struct ebpf_state st;
	struct sp_run_hook hook = { .data = &st, .at_filter_load = at_filter_load };
	struct sprec *skel;
	int status = SECPROF_EXIT_ERROR;

	if (lb_open(&L, err) < 0)
		return status;
	old = L.libbpf_set_print(quiet);
	if ((skel = open_recorder(&L, &st, 0, false, err))) {
		status = run->run(run->data, &hook, err);
		if (!err->code && finish_recording(&L, skel, r, err) < 0)
			status = SECPROF_EXIT_ERROR;
	}
	recorder_free(&L, skel);
	L.libbpf_set_print(old);
	dlclose(L.dl);
	return status;
}

/* --pid: the process's threads and descendants as they are now; the fork
 * tracepoint adds every later one. Walked until a pass adds nothing, so a
 * child forked during the walk is found by the next pass. */
static int add_tree(const struct lb *L, struct sprec *skel, pid_t pid, int depth)
{
	char path[96];
	struct dirent *e;
	int added = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (depth > 64 || !(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		__u32 tid = (__u32)strtoul(e->d_name, NULL, 10);
		__u8 on = 1, v;
		char cpath[128], buf[4096];
		ssize_t n;
		int fd;

		if (!tid)
			continue;
		if (L->bpf_map__lookup_elem(skel->maps.seed, &tid, sizeof(tid), &v, sizeof(v), 0) <
			    0 &&
		    L->bpf_map__update_elem(skel->maps.seed, &tid, sizeof(tid), &on, sizeof(on),
					    BPF_ANY) == 0)
			added++;
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%u/children", (int)pid, tid);
		fd = open(cpath, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		for (char *p = buf, *end; *p; p = end) {
			long c = strtol(p, &end, 10);
			if (end == p)
				break;
			if (c > 0)
				added += add_tree(L, skel, (pid_t)c, depth + 1);
		}
	}
	closedir(d);
	return added;
}

static bool cgroup_populated(const char *dir)
{
	char path[4200], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return !strstr(buf, "populated 0");
}

int sp_rec_ebpf_attach(struct secprof_recording *r, const secprof_record_target *t,
		       secprof_error *err)
{
	libbpf_print_fn_t old;
	struct ebpf_state st;
	struct sprec *skel;
	struct lb L = { 0 };
	struct statfs sfs;
	struct stat sb;
	struct timespec t0, now;
	int pidfd = -1, rc = 0;

	if (!!t->cgroup == (t->pid > 0))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "record a pid or a cgroup, one of them");
	/* A cgroup v2 id is its directory's inode number (kernfs node id,
	 * include/linux/cgroup.h cgroup_id), what bpf_get_current_cgroup_id
	 * returns for the tasks in it. */
	if (t->cgroup && (statfs(t->cgroup, &sfs) < 0 || stat(t->cgroup, &sb) < 0))
		return sp_err_errno(err, NULL, "%s", t->cgroup);
	if (t->cgroup && sfs.f_type != 0x63677270 /* CGROUP2_SUPER_MAGIC */)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "%s is not a cgroup v2 directory", t->cgroup);
	if (t->pid > 0 && (pidfd = sp_pidfd_open(t->pid)) < 0)
		return sp_err_errno(err, NULL, "process %d", (int)t->pid);
	if ((rc = lb_open(&L, err)) < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return rc;
	}
	old = L.libbpf_set_print(quiet);
	skel = open_recorder(&L, &st, t->cgroup ? (uint64_t)sb.st_ino : 0, t->pid > 0, err);
	if (!skel) {
		rc = -err->code;
		goto out;
	}
	if (t->pid > 0)
		for (int pass = 0; pass < 8 && add_tree(&L, skel, t->pid, 0) > 0; pass++)
			;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		long ms;

		if (pidfd >= 0 ? poll(&p, 1, 50) > 0
			       : (usleep(50000), !cgroup_populated(t->cgroup)))
			break; /* the process exited, or the cgroup is empty */
		if (t->stop && *t->stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (t->duration_ms && ms >= (long)t->duration_ms)
			break;
	}
	rc = finish_recording(&L, skel, r, err);
out:
	recorder_free(&L, skel);
	L.libbpf_set_print(old);
	dlclose(L.dl);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

bool sp_rec_ebpf_available(secprof_error *why)
{
	if (geteuid() != 0) {
		sp_err(why, SECPROF_E_USAGE, NULL, NULL, NULL, "the eBPF backend needs root");
		return false;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		sp_err(why, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "the kernel has no BTF (/sys/kernel/btf/vmlinux)");
		return false;
	}
	{
		struct lb L = { 0 };
		if (lb_open(&L, why) < 0)
			return false;
		dlclose(L.dl);
	}
	return true;
}

#else

int sp_rec_ebpf_attach(struct secprof_recording *r, const secprof_record_target *t,
		       secprof_error *err)
{
	(void)r;
	(void)t;
	return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		      "secprof was built without the eBPF backend");
}

int sp_rec_ebpf_run(struct secprof_recording *r, const struct sp_rec_runner *run,
		    secprof_error *err)
{
	(void)r;
	(void)run;
	sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
	       "secprof was built without the eBPF backend");
	return SECPROF_EXIT_ERROR;
}

bool sp_rec_ebpf_available(secprof_error *why)
{
	sp_err(why, SECPROF_E_USAGE, NULL, NULL, NULL,
	       "secprof was built without the eBPF backend");
	return false;
}

#endif
