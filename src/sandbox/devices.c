/* devices.c - the device policy of a `secprof run --rootfs` container:
 * what Docker + runc allow a non-privileged container to do with device
 * nodes, enforced by a cgroup the container's init joins before it builds
 * the root.
 *
 * CAP_MKNOD is one of Docker's default capabilities, so a container can
 * create a node for any device; only the device cgroup keeps it from
 * opening one (tty0, loop devices, cpu_dma_latency, the host's disks). The
 * rules are moby's DefaultLinuxSpec Resources.Devices (deny all, then
 * allow c 1:5, 1:3, 1:9, 1:8, 5:0, 5:1 rwm, deny c 10:229) followed by the
 * list runc appends to every container (libcontainer/specconv
 * AllowedDevices, runc 1.1: c *:* m, b *:* m, c 1:3, 1:8, 1:7, 5:0, 1:5,
 * 1:9, 136:*, 5:2 and 10:200 rwm). The sum is the table below.
 *
 * Where a cgroup2 hierarchy is mounted (a hybrid host's unified one
 * too) the rules become a BPF_PROG_TYPE_CGROUP_DEVICE program attached
 * with BPF_F_ALLOW_MULTI (runc cgroups/devices/devicefilter.go, crun
 * ebpf_bpf.c), so programs of ancestor cgroups still apply; else, with a
 * cgroup v1 devices controller (runc cgroups/fs devices.go), they are
 * written to devices.deny / devices.allow. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* A device every container may read, write and mknod (-1: any minor). */
struct dev_rule {
	char type;
	int major, minor;
	char what[sizeof("urandom")]; /* no pointer: no relocation at load */
};

static const struct dev_rule allowed_devices[] = {
	{ 'c', 1, 3, "null" },       { 'c', 1, 5, "zero" },    { 'c', 1, 7, "full" },
	{ 'c', 1, 8, "random" },     { 'c', 1, 9, "urandom" }, { 'c', 5, 0, "tty" },
	{ 'c', 5, 1, "console" },    { 'c', 5, 2, "ptmx" },    { 'c', 136, -1, "pts" },
	{ 'c', 10, 200, "net/tun" },
};

/* TOKEN in a comma-separated LIST ("rw,nosuid,devices"). */
static bool list_has(const char *list, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, token, n) && (p[n] == ',' || !p[n] || p[n] == '\n'))
			return true;
	return false;
}

static int sys_fail(secprof_error *err, const char *what, const char *path)
{
	return sp_err_errno(err, NULL, "%s %s", what, path);
}

/* Write TEXT to DIR/NAME; with allow_eperm an EPERM is no failure. */
static int write_file(const char *dir, const char *name, const char *text, bool allow_eperm,
		      secprof_error *err)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(err, "cannot open", path);
	n = write(fd, text, len);
	if (n < 0 && errno == EPERM && allow_eperm) {
		close(fd);
		return 0;
	}
	if (n != (ssize_t)len) {
		int rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				"cannot write \"%s\" to %s: %s", text, path,
				n < 0 ? strerror(errno) : "short write");
		close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

/* ---- finding the hierarchies ---------------------------------------------- */

/* This process's cgroup in the hierarchy whose /proc/self/cgroup line
 * has CONTROLLERS ("devices" for v1, "" for the unified one). */
static int own_cgroup(const char *controllers, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *id = line, *ctl = strchr(id, ':'), *path;
		if (!ctl || !(path = strchr(ctl + 1, ':')))
			continue;
		*ctl++ = '\0';
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (!*controllers ? (!strcmp(id, "0") && !*ctl) : list_has(ctl, controllers)) {
			snprintf(out, len, "%s", path);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* The mount of a cgroup hierarchy (fstype "cgroup" with the controller in
 * its super options, or "cgroup2") and the cgroup path it shows as "/". */
static int find_mount(const char *fstype, const char *controller, char *mnt, size_t mlen,
		      char *root, size_t rlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *field[6], *s = line, *dash, *type, *src, *opts;
		int n = 0;

		while (n < 6 && (field[n] = strsep(&s, " ")))
			n++;
		dash = s ? strstr(s, "- ") : NULL;
		if (n < 6 || !dash)
			continue;
		s = dash + 2;
		type = strsep(&s, " ");
		src = strsep(&s, " ");
		opts = strsep(&s, " \n");
		if (!type || !src || !opts || strcmp(type, fstype))
			continue;
		if (controller && !list_has(opts, controller))
			continue;
		snprintf(root, rlen, "%s", field[3]);
		snprintf(mnt, mlen, "%s", field[4]);
		found = 0;
	}
	fclose(f);
	return found;
}

/* Whether only root can move a process into or out of the cgroups below
 * the directory dir: a process moves between two cgroups only for whoever
 * may write cgroup.procs of their nearest common ancestor (cgroup v2,
 * kernel/cgroup/cgroup.c cgroup_procs_write_permission; v1 asks the
 * process's uid or root instead, which the check costs nothing to keep),
 * and new cgroups come from whoever may write the directory. */
static bool only_root_moves(const char *dir)
{
	char procs[PATH_MAX];
	struct stat d, p;

	if ((size_t)snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= sizeof(procs))
		return false;
	return lstat(dir, &d) == 0 && S_ISDIR(d.st_mode) && d.st_uid == 0 && !(d.st_mode & 022) &&
	       stat(procs, &p) == 0 && p.st_uid == 0 && !(p.st_mode & 022);
}

/* Whether dir and every cgroup above it, up to the mount mnt, are only
 * root's to move processes in (only_root_moves). */
static bool ancestors_root_only(char *dir, size_t mlen)
{
	size_t len = strlen(dir);
	bool ok = true;

	while (ok) {
		char keep = dir[len];

		dir[len] = '\0';
		ok = only_root_moves(dir);
		dir[len] = keep;
		if (len <= mlen)
			break;
		while (len > mlen && dir[--len] != '/')
			;
	}
	return ok;
}

/* Directory of a new cgroup NAME (-1: no such hierarchy is mounted; -2:
 * none of its cgroups that could hold it is root's alone): beside this process's own cgroup, so
 * that what limits secprof limits the container too, unless a user other
 * than root may move processes among the cgroups there (a subtree
 * delegated to a user, e.g. systemd's user@UID.service, where `sudo` from
 * that user's terminal runs): that user could move the container out of
 * its device rules. Then, as Docker puts every container under a parent
 * of its own, in "secprof" at the hierarchy's root. */
static int cgroup_dir(const char *fstype, const char *controller, const char *name, char *out,
		      size_t len)
{
	char mnt[PATH_MAX], root[PATH_MAX], own[PATH_MAX], parent[PATH_MAX];
	const char *rel;
	size_t rl;

	if (own_cgroup(controller ? controller : "", own, sizeof(own)) < 0 ||
	    find_mount(fstype, controller, mnt, sizeof(mnt), root, sizeof(root)) < 0)
		return -1;
	/* A mount of a sub-tree shows that cgroup as its root. */
	rl = strlen(root);
	rel = own;
	if (strcmp(root, "/") && !strncmp(own, root, rl) && (own[rl] == '/' || !own[rl]))
		rel = own + rl;
	while (*rel == '/')
		rel++;
	if ((size_t)snprintf(parent, sizeof(parent), "%s%s%s", mnt, *rel ? "/" : "", rel) >=
	    sizeof(parent))
		return -1;
	if (!ancestors_root_only(parent, strlen(mnt))) {
		if ((size_t)snprintf(parent, sizeof(parent), "%s/secprof", mnt) >= sizeof(parent) ||
		    (mkdir(parent, 0755) < 0 && errno != EEXIST) ||
		    !ancestors_root_only(parent, strlen(mnt)))
			return -2;
	}
	if ((size_t)snprintf(out, len, "%s/%s", parent, name) >= len)
		return -1;
	return 0;
}

#define NOT_ROOTS                                                                     \
	"other users may move processes among the cgroups around secprof's, and the " \
	"hierarchy's secprof cgroup cannot be used instead"

/* ---- cgroup v1: devices.deny / devices.allow ------------------------------ */

/* A v1 devices cgroup NAME at path (set even when mkdir fails). */
static int setup_v1(char *path, size_t len, const char *name, secprof_error *err)
{
	char rule[64];
	int rc;

	if ((rc = cgroup_dir("cgroup", "devices", name, path, len)) < 0)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "%s",
			      rc == -1 ? "no cgroup v1 devices hierarchy is mounted" : NOT_ROOTS);
	if (mkdir(path, 0755) < 0) {
		rc = sys_fail(err, "cannot create the device cgroup", path);
		path[0] = '\0';
		return rc;
	}
	/* "a" empties the list and denies everything (runc devices.go
	 * setV1: deny all first, then each allow rule). */
	rc = write_file(path, "devices.deny", "a", false, err);
	/* A v1 cgroup cannot allow what its parent denies (EPERM): when
	 * secprof itself runs confined, such a rule is left out, which only
	 * makes the container stricter. */
	if (!rc)
		rc = write_file(path, "devices.allow", "c *:* m", true, err);
	if (!rc)
		rc = write_file(path, "devices.allow", "b *:* m", true, err);
	for (size_t i = 0; !rc && i < SP_ARRAY_SIZE(allowed_devices); i++) {
		const struct dev_rule *d = &allowed_devices[i];
		if (d->minor < 0)
			snprintf(rule, sizeof(rule), "%c %d:* rwm", d->type, d->major);
		else
			snprintf(rule, sizeof(rule), "%c %d:%d rwm", d->type, d->major, d->minor);
		rc = write_file(path, "devices.allow", rule, true, err);
	}
	return rc;
}

/* ---- cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program --------------------- */

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* The program the kernel runs for every mknod and open of a device node
 * (struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major,
 * minor); 1 allows, 0 denies with EPERM.
 *
 * Its shape is chosen for the verifier, which every `run --rootfs` pays
 * when it loads the program (kernel/bpf/verifier.c explores both sides of
 * each conditional jump, keeping a state per branch): the rules are
 * grouped by type and major, so each major costs one compare, and the
 * minors of a major below 32 are one bitmap test, (mask >> minor) & 1,
 * with no jump. A rule per compare chain (type, major, minor, each
 * jumping past the rest) made the verifier process 198 instructions and
 * 22 states for Docker's list, 310-390 us per load on the bench machine;
 * this one 41 and 4, ~100 us (tests/unit/test_devcg.c checks its
 * decisions against the list). */
#define DEV_BITMAP_MINORS 32

/* Jumps to one place not yet placed: at most one per rule and per type,
 * and the mknod one; more (full) and no program is made at all. */
struct dev_jumps {
	size_t at[SP_ARRAY_SIZE(allowed_devices) + 4];
	size_t n;
	bool full;
};

static void dev_jump(struct dev_jumps *j, size_t at)
{
	if (j->n < SP_ARRAY_SIZE(j->at))
		j->at[j->n++] = at;
	else
		j->full = true;
}

static void dev_land(struct bpf_insn *p, const struct dev_jumps *j, size_t to)
{
	for (size_t i = 0; i < j->n; i++)
		p[j->at[i]].off = (short)(to - j->at[i] - 1);
}

/* Has an earlier rule of the table the same type and major as rule i? */
static bool major_seen(size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (allowed_devices[k].type == allowed_devices[i].type &&
		    allowed_devices[k].major == allowed_devices[i].major)
			return true;
	return false;
}

/* The tests of one major of one type (the rules from index i on with
 * them), placed at n: either major's minors all allowed, a bitmap of
 * minors below DEV_BITMAP_MINORS, or a compare per minor. */
static size_t device_major(struct bpf_insn *p, size_t n, size_t i, struct dev_jumps *allow,
			   struct dev_jumps *deny)
{
	const struct dev_rule *d = &allowed_devices[i];
	uint32_t mask = 0;
	size_t minors = 0;
	bool any = false, small = true;

	for (size_t k = i; k < SP_ARRAY_SIZE(allowed_devices); k++) {
		const struct dev_rule *e = &allowed_devices[k];
		if (e->type != d->type || e->major != d->major)
			continue;
		any |= e->minor < 0;
		small &= e->minor >= 0 && e->minor < DEV_BITMAP_MINORS;
		mask |= small ? 1u << e->minor : 0;
		minors++;
	}
	if (any) { /* d:* */
		dev_jump(allow, n);
		p[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_4, 0, 0, d->major);
		return n;
	}
	if (small) {
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 5, d->major);
		dev_jump(deny, n);
		p[n++] = INSN(BPF_JMP | BPF_JGT | BPF_K, BPF_REG_5, 0, 0, DEV_BITMAP_MINORS - 1);
		/* the immediate is sign-extended: only bits below 32 are read */
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, (int32_t)mask);
		p[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_X, BPF_REG_0, BPF_REG_5, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_0, 0, 0, 1);
		p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return n;
	}
	p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, (short)(minors + 1), d->major);
	for (size_t k = i; k < SP_ARRAY_SIZE(allowed_devices); k++) {
		const struct dev_rule *e = &allowed_devices[k];
		if (e->type != d->type || e->major != d->major)
			continue;
		dev_jump(allow, n);
		p[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_5, 0, 0, e->minor);
	}
	dev_jump(deny, n);
	p[n++] = INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0);
	return n;
}

size_t sp_devcg_program(struct bpf_insn *p, size_t cap)
{
	static const char types[] = { 'c', 'b' };
	struct dev_jumps allow = { .n = 0 }, deny = { .n = 0 };
	bool full = false;
	size_t n = 0;

	/* 7 first, 2 per type, at most 6 per rule (a bitmap: 6 for one or
	 * more; a list: 2 and 1 per rule), 4 last */
	if (cap < 11 + 2 * SP_ARRAY_SIZE(types) + 6 * SP_ARRAY_SIZE(allowed_devices))
		return 0;
	/* r2 = access, r3 = type, r4 = major, r5 = minor */
	p[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
	p[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
	p[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
	p[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
	/* c *:* m and b *:* m: a request for nothing but mknod. */
	dev_jump(&allow, n);
	p[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, 0, BPF_DEVCG_ACC_MKNOD);
	for (size_t t = 0; t < SP_ARRAY_SIZE(types); t++) {
		struct dev_jumps other = { .n = 0 };
		bool any = false;
		for (size_t i = 0; i < SP_ARRAY_SIZE(allowed_devices) && !any; i++)
			any = allowed_devices[i].type == types[t];
		if (!any)
			continue;
		/* not this type: on to the next type's tests, or deny */
		dev_jump(&other, n);
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0,
			      types[t] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
		for (size_t i = 0; i < SP_ARRAY_SIZE(allowed_devices); i++)
			if (allowed_devices[i].type == types[t] && !major_seen(i))
				n = device_major(p, n, i, &allow, &deny);
		dev_jump(&deny, n);
		p[n++] = INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0);
		dev_land(p, &other, n);
		full |= other.full;
	}
	dev_land(p, &deny, n);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	dev_land(p, &allow, n);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	/* a jump left unplaced would fall through: no program (the load
	 * fails, and the run with it) rather than one that may allow more */
	return full || allow.full || deny.full ? 0 : n;
}

/* The program loaded and attached to the cgroup at path. */
int sp_devcg_load(const struct bpf_insn *p, size_t n, char *log, size_t log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	if (log && log_size) {
		log[0] = '\0';
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

static int attach_program(const char *path, secprof_error *err)
{
	struct bpf_insn insns[96];
	size_t n = sp_devcg_program(insns, SP_ARRAY_SIZE(insns));
	char log[4096] = "";
	union bpf_attr attr;
	int prog, dir, rc = 0;

	prog = sp_devcg_load(insns, n, NULL, 0);
	if (prog < 0 && errno == EINVAL) {
		/* Again with the verifier's log, only to say why. */
		prog = sp_devcg_load(insns, n, log, sizeof(log));
		errno = EINVAL;
	}
	if (prog < 0)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "cannot load the device cgroup program: %s%s%.200s", strerror(errno),
			      log[0] ? ": " : "", log);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		rc = sys_fail(err, "cannot open", path);
	} else {
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)dir;
		attr.attach_bpf_fd = (uint32_t)prog;
		attr.attach_type = BPF_CGROUP_DEVICE;
		attr.attach_flags = BPF_F_ALLOW_MULTI;
		if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
			rc = sys_fail(err, "cannot attach the device program to", path);
		close(dir);
	}
	/* The attachment holds the program; the cgroup's removal frees it. */
	close(prog);
	return rc;
}

/* The cgroup alone: its program comes with sp_devcg_arm. */
static int setup_v2(struct sp_devcg *cg, const char *name, secprof_error *err)
{
	int rc = cgroup_dir("cgroup2", NULL, name, cg->path, sizeof(cg->path));

	if (rc < 0)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "%s",
			      rc == -1 ? "no cgroup2 hierarchy is mounted" : NOT_ROOTS);
	if (mkdir(cg->path, 0755) < 0)
		return sys_fail(err, "cannot create the device cgroup", cg->path);
	cg->version = 2;
	return 0;
}

/* ---- the interface run.c uses --------------------------------------------- */

static void devcg_name(char *name, size_t len)
{
	snprintf(name, len, "secprof-%d-%ld", (int)getpid(), (long)time(NULL));
}

/* err's message as "cgroup v1: ...; cgroup2: WHY_V2" (AUTO tried both). */
static void both_failed(secprof_error *err, const char *why_v2)
{
	char why_v1[sizeof(err->msg)];

	snprintf(why_v1, sizeof(why_v1), "%s", err->msg);
	sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "cgroup v1: %.300s; cgroup2: %.300s",
	       why_v1, why_v2);
}

int sp_devcg_create(struct sp_devcg *cg, enum sp_devcg_mode mode, secprof_error *err)
{
	char name[64], why_v2[sizeof(err->msg)] = "";
	int rc = -SECPROF_E_SYSTEM;

	memset(cg, 0, sizeof(*cg));
	cg->mode = mode;
	devcg_name(name, sizeof(name));
	/* cgroup2 first wherever it is mounted, a hybrid host's unified
	 * hierarchy included: the container's init is then created inside its
	 * cgroup (clone3 CLONE_INTO_CGROUP, container.c), where moving it
	 * into a v1 cgroup afterwards waits for an RCU grace period
	 * (cgroup_procs_write_start takes cgroup_threadgroup_rwsem for
	 * writing: 0.1 to 25 ms). The program allows exactly the table the v1
	 * rules list, and the kernel checks both kinds
	 * (devcgroup_check_permission runs the cgroup's BPF programs, then
	 * the v1 controller), so a v1 device cgroup secprof itself runs in
	 * still applies on top. The program is attached by sp_devcg_arm. */
	if (mode != SP_DEVCG_V1) {
		rc = setup_v2(cg, name, err);
		if (rc < 0) {
			snprintf(why_v2, sizeof(why_v2), "%s", err->msg);
			sp_devcg_remove(cg);
		}
	}
	if (rc < 0 && mode != SP_DEVCG_V2) {
		rc = setup_v1(cg->path, sizeof(cg->path), name, err);
		if (cg->path[0])
			cg->version = 1;
		if (rc < 0) {
			sp_devcg_remove(cg);
			if (mode == SP_DEVCG_AUTO)
				both_failed(err, why_v2);
		}
	}
	if (rc < 0)
		sp_err_wrap(err, "cannot confine the container's devices as Docker does");
	return rc;
}

/* AUTO, when the cgroup2 one took no program: the v1 rules, and the init
 * moved there by its pid (it opens no device before sp_devcg_arm
 * returns, container.c). */
static int arm_v1_instead(struct sp_devcg *cg, pid_t pid, secprof_error *err)
{
	char name[64], why_v2[sizeof(err->msg)], text[32];
	int rc;

	snprintf(why_v2, sizeof(why_v2), "%s", err->msg);
	devcg_name(name, sizeof(name));
	rc = setup_v1(cg->v1_path, sizeof(cg->v1_path), name, err);
	if (!rc) {
		snprintf(text, sizeof(text), "%d", (int)pid);
		rc = write_file(cg->v1_path, "cgroup.procs", text, false, err);
	}
	if (rc < 0)
		both_failed(err, why_v2);
	return rc;
}

int sp_devcg_arm(struct sp_devcg *cg, pid_t pid, secprof_error *err)
{
	int rc;

	if (cg->version != 2)
		return 0;
	rc = attach_program(cg->path, err);
	if (rc < 0 && cg->mode == SP_DEVCG_AUTO)
		rc = arm_v1_instead(cg, pid, err);
	if (rc < 0)
		return sp_err_wrap(err, "cannot confine the container's devices as Docker does");
	/* the cgroup2 failure is no error once v1 holds the rules */
	memset(err, 0, sizeof(*err));
	return 0;
}

int sp_devcg_join(const struct sp_devcg *cg, secprof_error *err)
{
	if (!cg || !cg->version)
		return 0;
	return write_file(cg->path, "cgroup.procs", "0", false, err);
}

static void remove_cgroup(const char *path)
{
	/* The container's processes leave the cgroup as they exit; the last
	 * ones may still be on their way out when init has been reaped. */
	for (int i = 0; path[0] && i < 200; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY)
			break;
		usleep(5000);
	}
}

void sp_devcg_remove(struct sp_devcg *cg)
{
	if (cg->version)
		remove_cgroup(cg->path);
	remove_cgroup(cg->v1_path);
	cg->version = 0;
	cg->v1_path[0] = '\0';
}
