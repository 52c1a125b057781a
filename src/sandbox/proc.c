/* proc.c - the process set-up that `secprof run` (run.c) and container mode
 * (container.c) share: the runc init sequence in the forked child, from
 * the filter load to execve (runc standard_init_linux.go Init,
 * finalizeNamespace), inherited fds, and the parent's wait that forwards
 * signals. Its own file so that run.c and container.c each use it without
 * using each other (container.c only needs this; run.c starts a container).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* Docker's PATH when the image sets none (moby oci/defaults.go, DefaultPathEnv). */
#define DOCKER_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void sp_exit_now(int status)
{
	/* A filter may refuse both (an ERRNO default with no rules): then a
	 * fault ends the process, as glibc's _exit does. */
	syscall(SYS_exit_group, status);
	syscall(SYS_exit, status);
	__builtin_trap();
}

void sp_child_fail(struct sp_child_report *rep, int status, const secprof_error *err)
{
	/* Only memory writes before exiting: the filter may deny everything. */
	rep->err = *err;
	__atomic_store_n(&rep->status, status, __ATOMIC_SEQ_CST);
	sp_exit_now(status);
}

void sp_child_fail_errno(struct sp_child_report *rep, int status, const char *what)
{
	secprof_error err;
	sp_err_errno(&err, NULL, "%s", what);
	sp_child_fail(rep, status, &err);
}

/* ---- inherited file descriptors ------------------------------------------ */

static int close_range_one(unsigned lo, unsigned hi, bool cloexec)
{
	if (lo > hi)
		return 0;
	return (int)syscall(SYS_close_range, lo, hi, cloexec ? CLOSE_RANGE_CLOEXEC : 0);
}

/* The fds of /proc/self/fd read with getdents64 into ents, not readdir:
 * this runs in init and the command's child, which may not allocate
 * (user.c), and opendir allocates its DIR. Up to max fds from `from` on,
 * other than keep and dir (and, with cloexec, those already so marked),
 * go to fds; *more when there were more. The count, or -1. */
static int list_fds(int dir, int from, int keep, bool cloexec, int *fds, int max, bool *more)
{
	char ents[4096] __attribute__((aligned(8)));
	int nfds = 0;
	long n = 0;

	*more = false;
	while (!*more && (n = syscall(SYS_getdents64, dir, ents, sizeof(ents))) > 0)
		for (long at = 0; at < n && !*more;) {
			const struct sp_dirent64 *e = (const void *)(ents + at);
			char *end;
			long fd = strtol(e->name, &end, 10);

			at += e->reclen;
			if (*end || e->name[0] == '.' || fd < from || fd == keep || fd == dir)
				continue;
			if (cloexec) {
				int fl = fcntl((int)fd, F_GETFD);
				if (fl < 0 || (fl & FD_CLOEXEC))
					continue;
			}
			if (nfds == max)
				*more = true;
			else
				fds[nfds++] = (int)fd;
		}
	return n < 0 && !*more ? -1 : nfds;
}

/* Kernels before 5.9 (close_range) or 5.11 (CLOSE_RANGE_CLOEXEC): walk
 * /proc/self/fd as runc's UnsafeCloseFrom does. The fds are collected
 * first so the directory's own fd is never touched while it is read. */
static int close_fds_proc(int from, int keep, bool cloexec)
{
	int fds[1024], nfds;
	bool more;

	do {
		int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dir < 0)
			return -1;
		nfds = list_fds(dir, from, keep, cloexec, fds, (int)SP_ARRAY_SIZE(fds), &more);
		close(dir);
		if (nfds < 0)
			return -1;
		for (int i = 0; i < nfds; i++) {
			if (cloexec ? fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0 : close(fds[i]) < 0) {
				if (errno != EBADF && errno != EINTR)
					return -1;
			}
		}
	} while (more);
	return 0;
}

int sp_close_fds_from(int from, int keep, bool cloexec)
{
	int rc;

	if (keep >= from)
		rc = close_range_one((unsigned)from, (unsigned)keep - 1, cloexec) < 0 ||
				     close_range_one((unsigned)keep + 1, ~0U, cloexec) < 0
			     ? -1
			     : 0;
	else
		rc = close_range_one((unsigned)from, ~0U, cloexec);
	if (rc < 0 && (errno == ENOSYS || errno == EINVAL))
		rc = close_fds_proc(from, keep, cloexec);
	return rc;
}

int sp_fds_sample(unsigned n, uint64_t **bits, secprof_error *err)
{
	*bits = NULL;
	if (!n)
		return 0;
	if (n > SECPROF_PRESERVE_FDS_MAX)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "preserve_fds %u: at most %u fds can be passed", n,
			      SECPROF_PRESERVE_FDS_MAX);
	if (!(*bits = calloc((n + 63) / 64, sizeof(**bits))))
		return sp_err_oom(err);
	for (unsigned i = 0; i < n; i++)
		if (fcntl(3 + (int)i, F_GETFD) >= 0)
			(*bits)[i / 64] |= (uint64_t)1 << (i % 64);
	return 0;
}

static bool preserved(const struct sp_run_opts *o, unsigned i)
{
	return o->preserved_open && (o->preserved_open[i / 64] >> (i % 64) & 1);
}

/* keep, and a held command's gate (container.c: its pipe may have taken
 * a number of the range that the caller left closed; it is read and
 * closed at the filter's load point, and is close-on-exec). */
static bool kept(const struct sp_run_opts *o, int fd, int keep)
{
	return fd == keep || (o->held && fd == o->gate_fd);
}

void sp_close_unpreserved(const struct sp_run_opts *o, int keep)
{
	for (unsigned i = 0; i < o->preserve_fds; i++)
		if (!kept(o, 3 + (int)i, keep) && !preserved(o, i))
			close(3 + (int)i);
}

/* The fds passed on purpose are handed over as runc hands ExtraFiles to
 * its init: open across execve whatever flag the caller left on them.
 * Only the caller's: whatever else holds one of their numbers now is
 * secprof's (sp_run_opts.preserved_open) and is closed. */
static void pass_preserved_fds(const struct sp_run_opts *o, int keep_closing)
{
	sp_close_unpreserved(o, keep_closing);
	for (unsigned i = 0; i < o->preserve_fds; i++) {
		int fd = 3 + (int)i;
		if (!kept(o, fd, keep_closing) && preserved(o, i))
			fcntl(fd, F_SETFD, 0);
	}
}

/* ---- the session keyring (runc standard_init_linux.go Init) ------------ */

/* runc gives every container a session keyring of its own, whatever its
 * namespaces (libcontainer/standard_init_linux.go Init:
 * keys.JoinSessionKeyring, then ModKeyringPerm adding the user's search
 * right). The kernel's keyrings are not namespaced: without this the
 * command shares the session keyring, and so the keys, of whoever started
 * secprof, and possesses them (so the possessor's rights apply) even as
 * the other user --user names. Anonymous here: runc names it
 * "_ses.<container id>" so that `runc exec` can join it; secprof has no
 * exec, and no other process can join an anonymous keyring by name. A
 * kernel without keyrings (ENOSYS) is fine, as it is for runc, and so is a
 * keyctl refused altogether (keyctl_refused). Only stack
 * memory: a CLONE_VM child (sp_spawn_shared) calls it too. */
#define SP_KEY_USR_SEARCH 0x00080000u /* include/uapi/linux/keyctl.h's KEY_USR_SEARCH */

/* Whether keyctl is refused to this process altogether, as a filter that
 * secprof itself runs under does (Docker's default profile answers EPERM
 * to every keyctl: `secprof run` inside a container). The command inherits
 * that filter under its own, so no keyring it holds is reachable through
 * keyctl: joining none is then no leak, where runc would fail the start.
 * Checked with the call that asks the least (the session keyring's id,
 * created by nothing): a filter that refuses only the join fails the run. */
static bool keyctl_refused(void)
{
	/* EPERM only: that call never answers it itself (security/keys/
	 * keyctl.c keyctl_get_keyring_ID: EACCES or ENOKEY when a keyring is
	 * out of reach), so it is the filter's; an EACCES says nothing about
	 * the other keyrings the command could still reach. */
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) < 0 &&
	       errno == EPERM;
}

int sp_new_session_keyring(secprof_error *err)
{
	long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
	int join_errno = errno;
	char desc[256] = "";
	unsigned long perm;

	if (id < 0 && (join_errno == ENOSYS || keyctl_refused()))
		return 0;
	if (id < 0) {
		errno = join_errno;
		return sp_err_errno(err, NULL, "unable to join session keyring");
	}
	/* "type;uid;gid;perm;description", perm in hex (KEYCTL_DESCRIBE) */
	if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1) < 0 ||
	    sscanf(desc, "%*[^;];%*[^;];%*[^;];%lx", &perm) != 1)
		return sp_err_errno(err, NULL, "cannot read the session keyring's permissions");
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm | SP_KEY_USR_SEARCH) < 0)
		return sp_err_errno(err, NULL, "unable to mod keyring permissions");
	return 0;
}

/* ---- capabilities and user (runc finalizeNamespace) -------------------- */

/* /proc/sys/kernel/cap_last_cap, or the headers' CAP_LAST_CAP without it
 * (last_cap says when). */
static int cap_last_from_file(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	return atoi(buf);
}

static int last_cap_counting_up(void)
{
	int c;

	for (c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
			break;
	if (c > 0 && (c == 64 || errno == EINVAL))
		return c - 1;
	return cap_last_from_file();
}

/* The highest capability the kernel knows, asked of the kernel: the last
 * one PR_CAPBSET_READ takes (kernel/sys.c: EINVAL past cap_valid), which
 * is what /proc/sys/kernel/cap_last_cap shows. Not taken from that file
 * alone: in a container it is the container's /proc, after pivot_root,
 * and a /proc that is not the procfs init mounted (whoever can change the
 * root's entries could swap it after init checked it) could say "0", so
 * that nothing above CAP_CHOWN left the bounding set and root's execve
 * took every capability back. Asked before the profile's filter is loaded
 * (sp_exec_command): a rule answering PR_CAPBSET_READ of CAP_SYS_ADMIN
 * with EINVAL (or a file read with ERRNO(0)) would otherwise shrink the
 * range the bounding set is cut over, and keep every capability above it.
 * Found by bisection and checked against the file: 10 system calls where
 * counting up takes 42 (each 1-2 us on a virtual machine). Where the
 * kernel alone answers, it takes 0..CAP_LAST_CAP and refuses the rest with
 * EINVAL (include/linux/capability.h cap_valid), so bisection, counting up
 * and the file agree. A filter secprof itself runs under can answer any
 * number any way; then any answer but EINVAL, or a file that disagrees,
 * means counting up, which reads the file on an answer other than EINVAL.
 * So the result is never below what counting up gives: where counting up
 * stops at an EINVAL, bisection (which only moves down past an EINVAL)
 * stops at or above it, and where counting up reads the file, the result
 * is the file's or counting up's own. Never fewer capabilities cut. */
static int last_cap(void)
{
	int lo = 0, hi = 64; /* lo taken, hi refused (64: past any) */

	if (prctl(PR_CAPBSET_READ, 0, 0, 0, 0) < 0)
		return last_cap_counting_up();
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
			lo = mid;
		else if (errno == EINVAL)
			hi = mid;
		else
			return last_cap_counting_up();
	}
	return lo == cap_last_from_file() ? lo : last_cap_counting_up();
}

/* capget into values it overwrites: a capget the profile answers with
 * ERRNO(0) returns 0 without running (kernel/seccomp.c) and leaves every
 * bit set, which no check below takes for a set that was cut. */
static int capget_checked(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	memset(d, 0xff, 2 * sizeof(*d));
	return (int)syscall(SYS_capget, &hdr, d);
}

/* This process's effective and permitted sets. */
static int own_caps(secprof_caps *eff, secprof_caps *prm, secprof_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) < 0)
		return sp_err_errno(err, NULL, "cannot read capabilities");
	*eff = (secprof_caps)d[0].effective | (secprof_caps)d[1].effective << 32;
	*prm = (secprof_caps)d[0].permitted | (secprof_caps)d[1].permitted << 32;
	return 0;
}

static int drop_bounding_set(secprof_caps keep, int last, secprof_error *err)
{
	for (int c = 0; c <= last && c < 64; c++) {
		if (keep & ((secprof_caps)1 << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return sp_err_errno(err, NULL, "cannot drop %s from the bounding set",
					    secprof_cap_name(c) ? secprof_cap_name(c)
								: "a capability");
	}
	return 0;
}

/* Docker sets Bounding = Effective = Permitted = the list and leaves
 * Inheritable and Ambient empty since 20.10.14 (CVE-2022-24769, moby#43417);
 * a non-root user therefore loses them all at execve, as in Docker. */
static int set_cap_sets(secprof_caps caps, int last, bool verify, secprof_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	secprof_caps got;
	secprof_caps known = last >= 63 ? ~(secprof_caps)0 : ((secprof_caps)1 << (last + 1)) - 1;
	secprof_caps eff, prm;

	if (own_caps(&eff, &prm, err) < 0)
		return -SECPROF_E_SYSTEM;
	/* Without privileges secprof can only hand on what it holds. */
	caps &= known & prm;
	memset(data, 0, sizeof(data));
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(caps >> (32 * i));
		data[i].permitted = (uint32_t)(caps >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return sp_err_errno(err, NULL, "cannot set capabilities 0x%llx",
				    (unsigned long long)caps);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return sp_err_errno(err, NULL, "cannot clear the ambient capabilities");
	if (!verify)
		return 0;
	/* Where the bounding set could not be cut (cut_bounding_set_early),
	 * only this capset keeps the command's permitted set to the list:
	 * no_new_privs lets an execve keep what the process held
	 * (security/commoncap.c cap_bprm_creds_from_file), so a capset the
	 * profile answers with ERRNO(0), which returns 0 without running it
	 * (kernel/seccomp.c), left root's command (or a file-capability
	 * program) every capability of the caller. Read back. */
	if (capget_checked(data) < 0)
		return sp_err_errno(err, NULL, "cannot read capabilities");
	got = (secprof_caps)data[0].permitted | (secprof_caps)data[1].permitted << 32 |
	      (secprof_caps)data[0].inheritable | (secprof_caps)data[1].inheritable << 32;
	if (got & ~caps)
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"capset returned success but the process kept capabilities outside 0x%llx (a profile answering capset with ERRNO(0)?), and without CAP_SETPCAP secprof cannot cut the bounding set; refused rather than run the command with them",
			(unsigned long long)caps);
	return 0;
}

/* The 32-bit id calls where an arch also has 16-bit ones (i386). */
#ifdef SYS_setresuid32
#define SP_SYS_SETRESUID SYS_setresuid32
#define SP_SYS_SETRESGID SYS_setresgid32
#define SP_SYS_SETGROUPS SYS_setgroups32
#else
#define SP_SYS_SETRESUID SYS_setresuid
#define SP_SYS_SETRESGID SYS_setresgid
#define SP_SYS_SETGROUPS SYS_setgroups
#endif

/* The user the command runs as. A container without --user runs as uid 0
 * looked up in its own /etc/passwd and /etc/group, as Docker's getUser
 * looks up an empty user (GetExecUser matches uid 0): it gets the groups
 * that root has in that root, never those of whoever started secprof. A
 * process (no rootfs) without --user keeps the caller's ids and groups. */
static const char *user_spec(const struct sp_run_opts *o)
{
	return o->user ? o->user : o->rootfs ? "0" : NULL;
}

/* Whether a switch from euid 0 to another uid really happened, as far
 * as the kernel shows it: leaving euid 0 empties the effective set
 * (security/commoncap.c cap_emulate_setxuid), unless the caller set
 * SECBIT_NO_SETUID_FIXUP. A profile can answer setresuid with ERRNO(0),
 * which returns 0 without running it (kernel/seccomp.c); runc believes
 * it and runs the command as root. Only from euid 0: a caller of another
 * uid keeps the effective set it holds (ambient or file capabilities,
 * such as CAP_SETUID for --user) across a real switch, and a switch that
 * did not happen leaves it that uid, not root. */
static bool left_root(void)
{
	struct __user_cap_data_struct d[2];
	int bits;

	if (capget_checked(d) < 0)
		return false;
	if (!d[0].effective && !d[1].effective)
		return true;
	bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	return bits > 0 && (bits & SECBIT_NO_SETUID_FIXUP);
}

/* runc keeps the permitted set across setuid with PR_SET_KEEPCAPS and
 * writes the capability sets afterwards (setupUser, ApplyCaps). The ids
 * are set with raw system calls, for this task alone: glibc's wrappers
 * change every thread of what they take for the process (nptl setxid),
 * and a CLONE_VM child (run.c) shares the caller's idea of its threads. */
static int switch_user(const struct sp_user *u, bool from_root, secprof_error *err)
{
	const char *what = NULL;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		what = "PR_SET_KEEPCAPS";
	else if (syscall(SP_SYS_SETGROUPS, u->ngroups, u->groups) < 0)
		what = "setgroups";
	else if (syscall(SP_SYS_SETRESGID, u->gid, u->gid, u->gid) < 0)
		what = "setgid";
	else if (syscall(SP_SYS_SETRESUID, u->uid, u->uid, u->uid) < 0)
		what = "setuid";
	else if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		what = "PR_SET_KEEPCAPS";
	if (what)
		return sp_err_errno(err, NULL, "cannot change to user %u:%u (%s)", (unsigned)u->uid,
				    (unsigned)u->gid, what);
	if (from_root && u->uid != 0 && !left_root())
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"cannot change to user %u:%u: setresuid returned success but the process kept root's capabilities (a profile answering setresuid with ERRNO(0)?); refused rather than run the command as root",
			(unsigned)u->uid, (unsigned)u->gid);
	return 0;
}

/* What sp_exec_command learns before the profile's filter is loaded,
 * where only the kernel answers. */
struct pre_filter {
	int last;       /* last_cap() */
	bool from_root; /* euid 0 (switch_user's check) */
	bool cut;       /* the bounding set cut (CAP_SETPCAP held) */
};

/* The bounding set cut before the profile's filter is loaded, where only
 * the kernel answers. runc cuts it after (finalizeNamespace, with
 * seccomp loaded first unless no_new_privs) and ignores EINVAL from
 * PR_CAPBSET_DROP, so a profile answering PR_CAPBSET_DROP of
 * CAP_SYS_ADMIN with EINVAL or ERRNO(0) keeps that capability in runc's
 * bounding set, and root's execve takes it back. finalize_credentials
 * still makes the same calls under the filter, so a profile that denies
 * them fails the start as under runc. Without CAP_SETPCAP there is
 * nothing to cut: no_new_privs stands in for the cut (finalize_credentials),
 * and is set here too, before the filter, for the same reason: a caller
 * with CAP_SYS_ADMIN loads the filter without it (load.c), and a profile
 * answering prctl with ERRNO(0) would otherwise leave it unset, so that
 * a root command's execve took the whole bounding set back
 * (security/commoncap.c cap_bprm_creds_from_file), --cap-drop ALL or
 * not. */
static int cut_bounding_set_early(const struct sp_run_opts *o, struct pre_filter *pf,
				  secprof_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	secprof_caps eff, prm;
	int rc = own_caps(&eff, &prm, err);

	if (rc < 0)
		return rc;
	/* The inheritable and ambient sets emptied too (set_cap_sets does
	 * it again under the filter): a root command's execve adds the
	 * inheritable set to what the bounding set lets through
	 * (security/commoncap.c cap_bprm_creds_from_file), so a caller's
	 * inheritable CAP_SYS_ADMIN would pass a capset the profile answers
	 * with ERRNO(0). Emptying the inheritable set empties the ambient
	 * one (cap_capset). */
	memset(d, 0, sizeof(d));
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(eff >> (32 * i));
		d[i].permitted = (uint32_t)(prm >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, d) < 0)
		return sp_err_errno(err, NULL, "cannot empty the inheritable capabilities");
	pf->cut = eff & ((secprof_caps)1 << CAP_SETPCAP);
	if (pf->cut)
		return drop_bounding_set(o->caps, pf->last, err);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sp_err_errno(err, NULL, "cannot set no_new_privs");
	return 0;
}

static int finalize_credentials(const struct sp_run_opts *o, const struct sp_user *u,
				const struct pre_filter *pf, secprof_error *err)
{
	secprof_caps eff, prm;
	int rc = own_caps(&eff, &prm, err);

	/* An unprivileged caller cannot shrink the bounding set; no_new_privs
	 * instead makes sure no setuid or file-capability program gains what
	 * the bounding set would have kept out. */
	if (rc < 0)
		return rc;
	if (eff & ((secprof_caps)1 << CAP_SETPCAP))
		rc = drop_bounding_set(o->caps, pf->last, err);
	else if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rc = sp_err_errno(err, NULL, "cannot set no_new_privs");
	if (!rc && user_spec(o))
		rc = switch_user(u, pf->from_root, err);
	if (!rc)
		rc = set_cap_sets(o->caps, pf->last, !pf->cut, err);
	return rc;
}

/* ---- messages that point at the filter ----------------------------------- */

/* A set-up step between the filter load and execve failed: when the filter
 * denies one of the calls the step makes, say that instead of the step's
 * own message ("cannot read capabilities", "executable file not found"),
 * which would send the user looking everywhere but the profile. Only pure
 * computation here (the table lookup, secprof_emulate, snprintf): the
 * filter is loaded and may deny anything. Returns whether it did. */
static bool blame_filter(const struct sp_run_opts *o, bool loaded, const char *calls,
			 secprof_error *err)
{
	const secprof_arch *a = secprof_arch_native();
	secprof_arch_info info;

	if (!o->prog || !loaded || !a)
		return false;
	secprof_arch_get_info(a, &info);
	for (; *calls; calls += strlen(calls) + 1) {
		secprof_data d = { .arch = info.audit };
		uint32_t ret, action;
		char act[64];

		if ((d.nr = secprof_syscall_nr(a, calls)) < 0)
			continue;
		ret = secprof_emulate(o->prog->insns, o->prog->len, &d, NULL);
		action = ret & 0xffff0000u;                         /* SECCOMP_RET_ACTION_FULL */
		if (action == 0x7fff0000u || action == 0x7ffc0000u) /* ALLOW, LOG */
			continue;
		secprof_action_str(ret, act, sizeof(act));
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "the profile blocks %s (%s), which the container needs to start%s", calls,
		       act,
		       strcmp(calls, "execve")
			       ? " (the runtime calls it after loading the filter, as runc does)"
			       : " (it starts the command)");
		return true;
	}
	return false;
}

/* The filter is in force from this point of the set-up on: loaded first
 * without no-new-privileges, just before execve with it. */
static bool loaded_early(const struct sp_run_opts *o)
{
	return o->prog && !o->no_new_privs;
}

/* Each a list of names, each ended by a NUL and the list by one more (a
 * string, not pointers: no relocation at load). */
static const char calls_chdir[] = "chdir\0";
static const char calls_creds[] = "capget\0capset\0prctl\0setgroups\0setresgid\0setresuid\0";
static const char calls_user[] = "openat\0read\0newfstatat\0fstat\0";
static const char calls_prctl[] = "prctl\0";
static const char calls_lookup[] = "newfstatat\0stat\0";
static const char calls_exec[] = "execve\0";

/* ---- environment and PATH lookup --------------------------------------- */

static const char *env_get(char *const *envp, const char *key)
{
	size_t n = strlen(key);
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, key, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

size_t sp_env_slots(char *const *envp)
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n + 2;
}

/* In o->env_slots, which the caller made before the child was: a child
 * made by clone(2) may not allocate (sandbox/user.c), and a CLONE_VM
 * child's memory would be the parent's, never freed. */
static char **env_with_home(const struct sp_run_opts *o, uid_t uid, char *home_buf, size_t len)
{
	size_t n = sp_env_slots(o->envp) - 2;
	char **env = o->env_slots;

	if (!env) {
		errno = EINVAL;
		return NULL;
	}
	env[n] = env[n + 1] = NULL;
	for (size_t i = 0; i < n; i++)
		env[i] = o->envp[i];
	if (!env_get(o->envp, "HOME")) {
		memcpy(home_buf, "HOME=", 5);
		/* refused rather than cut, as runc would pass it whole */
		if (sp_user_home(o->userdb, uid, home_buf + 5, len - 5) < 0) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		env[n] = home_buf;
	}
	return env;
}

/* stat(2) as runc's LookPath (Go's os.Stat: fstatat) and glibc's stat
 * (sysdeps/unix/sysv/linux/fstatat64.c) make it under the filter:
 * newfstatat(AT_FDCWD, path, st, 0). musl's stat, and its fstatat on
 * AT_FDCWD, make stat(2) where the arch has it (src/stat/fstatat.c,
 * fstatat_kstat), which a profile allowing newfstatat alone denies. The
 * raw call only where struct stat is the kernel's in both libraries
 * (x86_64: arch/x86/include/uapi/asm/stat.h, musl arch/x86_64/kstat.h). */
static int stat_as_runc(const char *path, struct stat *st)
{
#if defined(__x86_64__) && defined(SYS_newfstatat)
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
#else
	return fstatat(AT_FDCWD, path, st, 0);
#endif
}

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat_as_runc(path, &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111);
}

/* Go's exec.LookPath over the container's PATH, as runc's init does. */
static const char *look_path(const char *name, const char *path, char *buf, size_t len)
{
	if (strchr(name, '/'))
		return name;
	while (path && *path) {
		const char *end = strchrnul(path, ':');
		int dl = (int)(end - path);
		snprintf(buf, len, "%.*s/%s", dl ? dl : 1, dl ? path : ".", name);
		if (is_executable_file(buf))
			return buf;
		path = *end ? end + 1 : end;
	}
	return NULL;
}

/* Go's errno texts ("permission denied"); docker shows those. */
static void go_strerror(int e, char *buf, size_t len)
{
	sp_go_errno_text(e, buf, len);
}

static void fail_exec(const struct sp_run_opts *o, struct sp_child_report *rep, const char *name,
		      int e)
{
	secprof_error err;
	char why[128];
	/* docker run: 127 when the command cannot be found, 126 when it
	 * cannot be invoked (docker run reference, "Exit status"). */
	int status = (e == ENOENT || e == ENOTDIR) ? SP_EXIT_NOT_FOUND : SP_EXIT_CANNOT_EXEC;

	go_strerror(e, why, sizeof(why));
	sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "exec: \"%s\": %s", name, why);
	blame_filter(o, o->prog != NULL, calls_exec, &err);
	sp_child_fail(rep, status, &err);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

static void load_or_fail(const struct sp_run_opts *o, struct sp_child_report *rep)
{
	secprof_error err;
	int rc = secprof_load(o->live ? o->live->twin : o->prog, &err);

	if (rc < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* run --explain: the twin's listener goes to secprof's supervisor
	 * (notify.h). Until it has the fd, a call the twin notifies would
	 * wait for nobody, so no system call is made: post the number in the
	 * shared page and spin on the answer. */
	if (rc > 0 && o->live) {
		int taken;

		__atomic_store_n(&rep->listener_posted, rc + 1, __ATOMIC_SEQ_CST);
		while (!(taken = __atomic_load_n(&rep->listener_taken, __ATOMIC_SEQ_CST)))
			cpu_relax();
		if (taken != 1) {
			sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			       "run --explain: secprof could not take the filter's listener");
			sp_child_fail(rep, SP_EXIT_ERROR, &err);
		}
	}
	/* The command must not hold the listener (it could answer its own
	 * notifications): seccomp(2) made it close-on-exec (kernel/seccomp.c
	 * init_listener), so execve drops it. It is not closed here: under
	 * the twin that close is itself a call the real filter may deny, a
	 * denial the report would give the command although a run without
	 * --explain never makes it. Without --explain no filter asks for a
	 * listener (runc would hand it to listenerPath, which secprof run does
	 * not offer; NOTIFY profiles are refused). */
	if (rc > 0 && !o->live)
		close(rc);
}

/* A container's command (held, container.c command_main) goes no further
 * than this before its init has locked itself down: what comes next is
 * its filter (then the calls made under it) or, with no-new-privileges,
 * the execve itself. What it did before is secprof's own set-up, no code
 * of the command's: signal dispositions and mask, the bounding set, fds
 * and, with -t, its session; with no-new-privileges also the working
 * directory, the user's lookup in the container's files, the switch to
 * that user and its capabilities, no_new_privs, the environment and the
 * PATH lookup. Waited for here and not later: the read must not be a
 * call the profile's filter answers. Where both fail, that set-up's own
 * error is the one reported (the command stops there; secprof-init's
 * byte then finds no reader, EPIPE). */
static void pass_gate(const struct sp_run_opts *o, struct sp_child_report *rep)
{
	int gate = sp_held_gate(o->gate_fd);
	secprof_error err;

	if (gate == SP_GATE_GO)
		return;
	if (gate == -2)
		sp_err_errno(&err, NULL, "cannot read the gate of the container's init");
	else
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "the container's init (secprof-init) could not lock itself down: %s",
		       sp_gate_reason(gate));
	sp_child_fail(rep, SP_EXIT_ERROR, &err);
}

/* Where runc loads the filter: a recorder starts there instead. Reached
 * once in every run, before execve: early without no-new-privileges,
 * just before the execve with it. */
static void filter_load_point(const struct sp_run_opts *o, struct sp_child_report *rep)
{
	if (o->held)
		pass_gate(o, rep);
	if (o->hook)
		o->hook->at_filter_load(o->hook->data, rep);
	if (o->prog)
		load_or_fail(o, rep);
}

/* runc's setupUser gives the command's stdio to its user before the ids
 * change (init_linux.go fixStdioPermissions: fchown of fds 0-2 to the
 * uid, the gid left, /dev/null skipped, EINVAL and EPERM ignored), so a
 * --user command may open /dev/stdout and /dev/stderr (the image's
 * `ln -sf /dev/stdout /var/log/app.log`). Only secprof's own pipes are
 * given (o->stdio: container mode, run and record alike): the caller's
 * fds of secprof_run may be host files. A terminal is not: secprof's pty
 * is the host devpts's (tty.c), where runc's console is made in the
 * container's own /dev/pts, and giving it to the uid would let any host
 * process of that uid read the session's keystrokes. A failure leaves
 * the fd as it was, as runc's ignored errors. */
static void give_stdio(const struct sp_run_opts *o, uid_t uid)
{
	if (!o->stdio)
		return;
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
			(void)fchown(fd, uid, (gid_t)-1);
	}
}

void sp_exec_command(const struct sp_run_opts *o, struct sp_child_report *rep)
{
	char home[PATH_MAX + 8], found[4096], why[128];
	struct sp_user user = { .uid = getuid(), .gid = getgid() };
	secprof_error err;
	const char *path;
	sigset_t none;
	char **env;
	struct pre_filter pf = { 0 };

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* before the filter can answer for the kernel */
	pf.last = last_cap();
	pf.from_root = geteuid() == 0;
	if (cut_bounding_set_early(o, &pf, &err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	/* -t: the pty on fds 0-2 becomes the controlling terminal of a new
	 * session, as runc's console setup does (setsid, TIOCSCTTY). */
	if (o->tty && (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0))
		sp_child_fail_errno(rep, SP_EXIT_ERROR,
				    "cannot make the terminal the controlling one");
	/* Whatever secprof or the caller still holds above the preserved fds
	 * is gone at execve; done before the filter is loaded, so a profile
	 * that denies close_range or fcntl cannot leave one open. */
	if (sp_close_fds_from(3 + (int)o->preserve_fds, rep->pipe_fd, true) < 0)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot close inherited file descriptors");
	pass_preserved_fds(o, rep->pipe_fd);
	if (!o->no_new_privs)
		filter_load_point(o, rep);
	if (o->workdir && chdir(o->workdir) < 0) {
		go_strerror(errno, why, sizeof(why));
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "chdir to cwd (\"%s\") set in config.json failed: %s", o->workdir, why);
		blame_filter(o, loaded_early(o), calls_chdir, &err);
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	/* Looked up where runc's setupUser does it, in the container's files
	 * (after pivot_root in container mode), as they were before any
	 * volume covered them (o->userdb, container.c). */
	if (user_spec(o) && sp_user_resolve(user_spec(o), o->userdb, &user, &err) < 0) {
		blame_filter(o, loaded_early(o), calls_user, &err);
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	if (user_spec(o))
		give_stdio(o, user.uid);
	if (finalize_credentials(o, &user, &pf, &err) < 0) {
		blame_filter(o, loaded_early(o), calls_creds, &err);
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sp_err_errno(&err, NULL, "cannot set no_new_privs");
		blame_filter(o, loaded_early(o), calls_prctl, &err);
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	}
	env = env_with_home(o, user.uid, home, sizeof(home));
	if (!env)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot build the environment");
	path = look_path(o->argv[0], env_get(env, "PATH"), found, sizeof(found));
	if (!path) {
		sp_err(&err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "exec: \"%s\": executable file not found in $PATH", o->argv[0]);
		blame_filter(o, loaded_early(o), calls_lookup, &err);
		sp_child_fail(rep, SP_EXIT_NOT_FOUND, &err);
	}
	/* "as close to execve as possible" (runc standard_init_linux.go). */
	if (o->no_new_privs)
		filter_load_point(o, rep);
	rep->stage = SP_STAGE_EXEC;
	execve(path, o->argv, env);
	fail_exec(o, rep, o->argv[0], errno);
	sp_exit_now(SP_EXIT_CANNOT_EXEC); /* not reached */
}

/* ---- starting the command's process ------------------------------------ */

/* The child shares the caller's memory until it execs or dies, and the
 * caller waits meanwhile (clone CLONE_VM | CLONE_VFORK on a stack of its
 * own, as glibc's posix_spawn, spawni.c): no page table is copied and no
 * page copied on write, in either process, and the exec frees nothing.
 * The child sets its ids for itself alone (switch_user). */
#define SHARED_CHILD_STACK (1u << 20)
/* Below a child's stack, no access: an overflow faults instead of writing
 * the next mapping down, which is often the heap (tools/static-malloc.c
 * takes 1 MiB mappings). Several pages, as a frame may skip one (the
 * kernel keeps a gap of 256 pages below a main stack: mm/mmap.c,
 * stack_guard_gap). */
#define CHILD_STACK_GUARD (64u * 1024u)

/* A child's stack: SHARED_CHILD_STACK bytes above a guard. Its base (the
 * lowest usable byte), or NULL with errno. */
static char *child_stack_map(void)
{
	char *map = mmap(NULL, CHILD_STACK_GUARD + SHARED_CHILD_STACK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

	if (map == MAP_FAILED)
		return NULL;
	if (mprotect(map, CHILD_STACK_GUARD, PROT_NONE) < 0) {
		int e = errno;
		munmap(map, CHILD_STACK_GUARD + SHARED_CHILD_STACK);
		errno = e;
		return NULL;
	}
	return map + CHILD_STACK_GUARD;
}

static void child_stack_unmap(char *stack)
{
	int e = errno;

	munmap(stack - CHILD_STACK_GUARD, CHILD_STACK_GUARD + SHARED_CHILD_STACK);
	errno = e;
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL /* include/uapi/linux/sched.h, Linux 5.5 */
#endif

struct shared_start {
	int (*fn)(void *);
	void *arg;
};

/* The fallback's child: what CLONE_CLEAR_SIGHAND would have done, one
 * rt_sigaction at a time. */
static int start_with_default_handlers(void *data)
{
	const struct shared_start *s = data;

	sp_default_handlers(false);
	return s->fn(s->arg);
}

#if defined(__x86_64__)
/* clone3 for a child on a stack of its own. Not through syscall(): the
 * child wakes on the new stack and would return through a frame that is
 * not there (glibc's clone3.S does the same as this). Arguments: rdi the
 * clone_args, rsi their size, rdx fn, rcx arg, r8 the child's stack top.
 * The syscall overwrites rax, rcx and r11 and leaves every other register
 * as it was, in both processes: fn stays in rdx, arg moves to r9. The
 * child calls fn(arg) with the stack 16-byte aligned at the call, as the
 * ABI requires, and exits with its result (exit_group, then exit should a
 * filter refuse that). A 0 on the caller's own stack is no child but a
 * filter's ERRNO(0) (clone3_clear_handlers does not try under a filter it
 * knows of; this is for one that also hid itself): running fn there would
 * run the child's code in the caller, so it returns -ENOSYS instead, and
 * the caller takes the fallback. Returns the pid, or -errno, in the
 * parent. */
__attribute__((visibility("hidden"))) long sp_clone3_on_stack(struct clone_args *args, size_t size,
							      int (*fn)(void *), void *arg,
							      void *stack_top);
__asm__(".pushsection .text\n"
	".globl sp_clone3_on_stack\n"
	".hidden sp_clone3_on_stack\n"
	".type sp_clone3_on_stack,@function\n"
	".p2align 4\n"
	"sp_clone3_on_stack:\n"
	"	.cfi_startproc\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n" /* SYS_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	cmp %r8, %rsp\n"
	"	je 2f\n"
	"	mov $-38, %rax\n" /* -ENOSYS */
	"1:	ret\n"
	"2:\n"
	"	.cfi_undefined rip\n" /* the child's outermost frame */
	"	xor %ebp, %ebp\n"
	"	mov %r9, %rdi\n"
	"	call *%rdx\n"
	"	mov %eax, %edi\n"
	"	mov $231, %eax\n" /* SYS_exit_group */
	"	syscall\n"
	"	mov $60, %eax\n" /* SYS_exit */
	"	syscall\n"
	"	hlt\n"
	"	.cfi_endproc\n"
	".size sp_clone3_on_stack, .-sp_clone3_on_stack\n"
	".popsection\n");

/* clone3 with CLONE_CLEAR_SIGHAND: the kernel sets every handled signal
 * back to the default in the child (kernel/fork.c copy_sighand,
 * kernel/signal.c flush_signal_handlers), ignored ones staying ignored,
 * as sp_default_handlers(false) does in 64 system calls. -1 with errno
 * when clone3 or the flag is refused: a kernel before 5.5 (EINVAL,
 * ENOSYS), or a filter (Docker's default answers clone3 ENOSYS). Not
 * tried at all under a filter: one that knows clone but not clone3 may
 * kill on it, as a hand-written allow-list can, where the fallback's
 * clone would have been let through. */
static pid_t clone3_clear_handlers(int (*fn)(void *), void *arg, void *stack)
{
	struct clone_args args;
	long r;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0) {
		errno = ENOSYS;
		return -1;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_VM | CLONE_VFORK | CLONE_CLEAR_SIGHAND;
	args.exit_signal = SIGCHLD;
	args.stack = (uint64_t)(uintptr_t)stack;
	args.stack_size = SHARED_CHILD_STACK;
	r = sp_clone3_on_stack(&args, sizeof(args), fn, arg, (char *)stack + SHARED_CHILD_STACK);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}
#else
static pid_t clone3_clear_handlers(int (*fn)(void *), void *arg, void *stack)
{
	(void)fn, (void)arg, (void)stack;
	errno = ENOSYS;
	return -1;
}
#endif

/* Every signal blocked in this thread, glibc's own two (32 and 33, which
 * its sigfillset and sigprocmask leave out) included, with the kernel's
 * call; *old gets the mask it replaced. A child started meanwhile starts
 * with them all blocked: no handler of the caller's can run in it before
 * its handlers are the default. (A thread of the caller's calling setuid
 * waits for this one to take SIGSETXID until the mask is back, a clone
 * later.) */
static void block_every_signal(sigset_t *old)
{
	sigset_t all;

	memset(&all, 0xff, sizeof(all));
	sigemptyset(old);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, old, (size_t)(_NSIG / 8));
}

static void restore_signals(const sigset_t *old)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, (size_t)(_NSIG / 8));
}

pid_t sp_spawn_shared(int (*fn)(void *), void *arg)
{
	struct shared_start start = { .fn = fn, .arg = arg };
	sigset_t old;
	char *stack;
	pid_t pid;

	if (!SP_SPAWN_SHARES_MEMORY) {
		block_every_signal(&old);
		pid = fork();
		if (pid == 0)
			sp_exit_now(start_with_default_handlers(&start));
		restore_signals(&old);
		return pid;
	}
	if (!(stack = child_stack_map()))
		return -1;
	block_every_signal(&old);
	pid = clone3_clear_handlers(fn, arg, stack);
	if (pid < 0)
		pid = clone(start_with_default_handlers, (char *)stack + SHARED_CHILD_STACK,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
	restore_signals(&old);
	child_stack_unmap(stack);
	return pid;
}

/* ---- the child side ------------------------------------------------------ */

/* Where the handler is in the kernel's struct sigaction: first, but for
 * MIPS, whose sa_flags comes first (arch/mips/include/uapi/asm/signal.h),
 * an int padded to a long on 64-bit. */
#if defined(__mips__)
#define KSA_HANDLER 1
#else
#define KSA_HANDLER 0
#endif

/* The signals glibc keeps for itself (SIGCANCEL, SIGSETXID: 32 and 33 on
 * Linux; musl keeps 32 to 34), which its sigaction refuses (EINVAL), read
 * and set with the kernel's call: an all-zero kernel sigaction is
 * SIG_DFL, no flags and an empty mask on every arch's layout. A process
 * that started secprof may have left them ignored, and an ignored signal
 * stays ignored across execve. A handler there (the libc's, or one set
 * with the kernel's call) goes back to the default as any other, as
 * CLONE_CLEAR_SIGHAND does. */
static void default_libc_signal(int s, bool ignored_too)
{
	unsigned long now[8] = { 0 }, zero[8] = { 0 }; /* larger than any arch's struct */

	if (!ignored_too && (syscall(SYS_rt_sigaction, s, NULL, now, (size_t)(_NSIG / 8)) < 0 ||
			     now[KSA_HANDLER] == (unsigned long)(uintptr_t)SIG_DFL ||
			     now[KSA_HANDLER] == (unsigned long)(uintptr_t)SIG_IGN))
		return;
	syscall(SYS_rt_sigaction, s, zero, NULL, (size_t)(_NSIG / 8));
}

/* A signal handler of the caller's must not run in a child that shares
 * its memory, or that is a copy of it: each one is set back to the
 * default before the child unblocks signals (glibc's posix_spawn does the
 * same, spawni.c). Ignored signals stay ignored, as across any execve,
 * unless ignored_too. */
void sp_default_handlers(bool ignored_too)
{
	for (int s = 1; s < NSIG; s++) {
		struct sigaction sa;

		if (s == SIGKILL || s == SIGSTOP)
			continue;
		if (sigaction(s, NULL, &sa) < 0) {
			if (errno == EINVAL)
				default_libc_signal(s, ignored_too);
			continue;
		}
		if (sa.sa_handler == SIG_DFL || (sa.sa_handler == SIG_IGN && !ignored_too))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(s, &sa, NULL);
	}
}

/* ---- a command started held ---------------------------------------------- */

/* A process that must not run a single instruction of its own before its
 * parent has left the memory the two share, and must not go past a point
 * of its set-up before its parent's next program has finished something
 * (container.c: the command loads its filter and execs only once
 * secprof-init has locked itself down, before the command can trace it).
 * The child first blocks reading a pipe nobody writes to, whose write end
 * only the parent holds, close-on-exec: its end of file comes when the
 * parent's execve has replaced the parent's memory (fs/exec.c
 * begin_new_exec: exec_mmap, then do_close_on_exec) or the parent died.
 * From there on the memory is the child's alone and it runs its own
 * set-up while the parent's next program starts; at the point that must
 * wait it reads the gate, a second pipe that outlives the parent's
 * execve (a page shared for a futex would not), for the byte that
 * program writes (sp_held_gate). The overlap is the command's set-up
 * before its filter (signal dispositions, the bounding set: ~100 system
 * calls) against secprof-init's start and lockdown.
 *
 * The child shares the parent's memory (CLONE_VM, on a stack of its own),
 * and the parent goes on: the parent's next step is an execve, which
 * gives the parent a new memory and leaves the old one to the child
 * alone (fs/exec.c exec_mmap: the old mm is dropped with mmput, and freed
 * only with its last user). A fork copied the parent's page tables, and
 * then each process took a copy-on-write fault at each page it wrote, and
 * both execs tore a whole address space down: on a virtual machine whose
 * page-table updates exit to the hypervisor, 0.6 to 0.9 ms of a container's
 * start (README, "Performance"). What the two share before the parent's
 * execve is read by the child only after its release:
 * - the child writes nothing the parent reads: it starts with every signal
 *   blocked (no handler of the caller's can run in it, and a pipe's read
 *   then returns only at its end) and blocks in read at once, with the
 *   kernel's calls rather than libc's cancellation points (which mark
 *   libc's thread data, shared here), so it cannot even set errno before
 *   the release, while the parent's drop_privileges reads errno;
 * - the memory's own flags: PR_SET_DUMPABLE sets a flag of the mm, not of
 *   the task (kernel/sys.c, fs/exec.c set_dumpable), and the parent clears
 *   it before its execve (container.c, drop_privileges); the child sets it
 *   back where the parent had it at the spawn, as a fork would have kept
 *   it (a 2, SUID_DUMP_ROOT, which prctl cannot set, stays 0: stricter);
 * - everything else the parent changes before its execve is its own
 *   (capabilities, bounding set and no_new_privs are the task's
 *   credentials; the fd table is not shared, no CLONE_FILES).
 * No atfork handler runs: the caller of a library run may have registered
 * some (its own, or its libraries'), which have no business in the
 * container's processes. init has one thread (container.c,
 * clone_init_from_fork), so no lock of libc's is held at the clone.
 * Under AddressSanitizer (SP_SPAWN_SHARES_MEMORY 0) a plain _Fork. */
struct held_start {
	int (*fn)(void *, int gate_fd);
	void *arg;
	int gate[2];
	int released[2]; /* nobody writes: the parent's execve closes its end */
	int dumpable;    /* the parent's at the spawn */
};

_Static_assert(sizeof(struct held_start) <= 64, "clone_held keeps the block in 64 bytes");

/* The held child's first steps, on its own stack. */
static int held_main(void *data)
{
	const struct held_start *h = data;
	unsigned char byte;
	long n;

	syscall(SYS_close, h->gate[1]);
	syscall(SYS_close, h->released[1]);
	do
		n = syscall(SYS_read, h->released[0], &byte, 1);
	while (n > 0);
	/* With every signal blocked a read fails only on a kernel's bug;
	 * the parent's state is then unknown: nothing of the child's runs. */
	if (n < 0)
		sp_exit_now(SP_EXIT_ERROR);
	syscall(SYS_close, h->released[0]);
	if (h->dumpable == 1)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	sp_exit_now(h->fn(h->arg, h->gate[0]));
}

/* The held child with a copy of the parent's memory. */
static pid_t fork_held(struct held_start *h)
{
	pid_t pid = _Fork();

	if (pid == 0)
		held_main(h);
	return pid;
}

/* The held child sharing the parent's memory. Its start block lives at
 * the top of its stack mapping, which the child keeps: the parent's frame
 * is gone once this returns. */
static pid_t clone_held(const struct held_start *start)
{
	struct held_start *h;
	char *stack = child_stack_map();
	pid_t pid;

	if (!stack)
		return -1;
	/* 64 bytes at the top: the block, and a stack top 16-byte aligned */
	h = (struct held_start *)(stack + SHARED_CHILD_STACK - 64);
	*h = *start;
	pid = clone(held_main, h, CLONE_VM | SIGCHLD, h);
	if (pid < 0)
		child_stack_unmap(stack);
	/* else the mapping stays: it is the child's stack until it execs */
	return pid;
}

pid_t sp_spawn_held(int (*fn)(void *, int gate_fd), void *arg, int *gate_fd)
{
	struct held_start h = { .fn = fn, .arg = arg };
	sigset_t old;
	pid_t pid;

	if (pipe2(h.gate, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(h.released, O_CLOEXEC) < 0) {
		close(h.gate[0]);
		close(h.gate[1]);
		return -1;
	}
	h.dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	block_every_signal(&old);
	pid = SP_SPAWN_SHARES_MEMORY ? clone_held(&h) : fork_held(&h);
	restore_signals(&old);
	close(h.gate[0]);
	close(h.released[0]);
	if (pid < 0) {
		close(h.gate[1]);
		close(h.released[1]);
		return -1;
	}
	/* h.released[1] stays open, close-on-exec: the caller's execve or
	 * exit is the child's release */
	*gate_fd = h.gate[1];
	return pid;
}

int sp_held_gate(int gate_fd)
{
	unsigned char byte;
	ssize_t n;
	int e;

	do
		n = read(gate_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	e = errno;
	close(gate_fd);
	errno = e;
	return n == 1 ? byte : n == 0 ? -1 : -2;
}
