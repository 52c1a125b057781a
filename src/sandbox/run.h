/* run.h - run a command under a filter as `docker run` + runc would
 * (run.c, container.c), and look at a sandbox from the inside (probe.c,
 * info.c). Internal: the CLI includes it, the public header stays small.
 *
 * Everything here returns data; printing is the CLI's job. The process
 * functions fork, and only the forked children ever call _exit(). */
#ifndef SP_RUN_H
#define SP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h> /* close, in the inline helpers below */

#include "secprof.h"
#include "core/util.h"
#include "sandbox/pid1.h" /* SP_EXIT_*, sp_wait_forwarding */

enum sp_net { SP_NET_NONE, SP_NET_HOST };

/* Which cgroup enforces the container's device policy (devices.c). */
enum sp_devcg_mode { SP_DEVCG_AUTO, SP_DEVCG_V1, SP_DEVCG_V2 };

struct sp_run_opts {
	const secprof_prog *prog; /* NULL: unconfined (docs/COMPAT.md §3.3) */
	secprof_caps caps;        /* bounding = effective = permitted (§3.4) */
	bool no_new_privs;        /* --security-opt no-new-privileges */
	/* --user name|uid[:group|gid]; NULL = root: in container mode looked up
	 * as "0" (Docker's default user), in process mode the caller's ids. */
	const char *user;
	const char *workdir; /* NULL: stay (process) or "/" (container) */
	char *const *argv;   /* argv[0] is looked up in the env's PATH */
	char *const *envp;   /* the command's whole environment */
	/* fds 3 .. 3+preserve_fds-1 reach the command (runc --preserve-fds);
	 * every other fd above 2 is closed before anything the command
	 * controls runs (runc UnsafeCloseFrom, CVE-2024-21626). */
	unsigned preserve_fds;
	/* Bit i: fd 3+i was open when the API was called (sp_fds_sample),
	 * before secprof opened a file of its own. Only those are passed: a
	 * number the caller left closed may since hold one of secprof's
	 * (the name lock, the device cgroup's directory), which must not
	 * reach the container. NULL: none is the caller's. */
	const uint64_t *preserved_open;
	/* Container mode when rootfs is set. */
	const char *rootfs;
	const char *hostname; /* NULL: "secprof" */
	bool read_only;
	bool privileged; /* no masked /proc paths, /sys writable */
	enum sp_net net;
	enum sp_devcg_mode devcg; /* ignored when privileged (all devices) */
	/* run --explain: load live->twin instead of prog and hand its
	 * listener to live's supervisor (live.c); NULL: plain run. */
	struct sp_live *live;
	/* secprof record (src/record/): called where the filter is loaded. */
	const struct sp_run_hook *hook;
	/* The root as an overlay (layers.c), mounted on rootfs (an empty
	 * directory) inside the container's own mount namespace, so it is
	 * gone with the container: lowers[] top first, relative to lower_base
	 * when that is set (the layer cache: shorter mount data), upper and
	 * work the writable layer. nlowers == 0: rootfs is used as it is. */
	const char *lower_base;
	const char *const *lowers;
	size_t nlowers;
	const char *upper, *work;
	/* upper and work are thrown away after: the init makes them on a
	 * tmpfs it mounts on rootfs first (layers.c) */
	bool tmpfs_upper;
	/* Directories sp_run removes (rmdir, so only when empty) once the
	 * command runs, while it runs: the root's mount point and its scratch
	 * parent, which nothing uses after pivot_root. NULL-terminated or NULL. */
	const char *const *rmdir_at_exec;
	/* docker run's -v, --mount and --tmpfs, in that order (layers.c). */
	const struct sp_mount *mounts;
	size_t nmounts;
	/* -t: the command's stdio is a new pty (tty.c); -i: secprof's stdin
	 * is copied to it. tty_slave is sp_run's, -1 otherwise. */
	bool tty;
	bool interactive;
	int tty_slave;
	/* docker run's stdio for a command without --rootfs too (the CLI's
	 * run and record, through container_run): pipes and /dev/null (stdio.c)
	 * and a session of its own, so the command never holds the caller's
	 * terminal (TIOCSTI into the caller's shell). secprof_run leaves it
	 * unset: runc's pass-through, the caller's fds as they are. */
	bool relay_stdio;
	/* Container mode, or relay_stdio, without -t: the pipes and /dev/null
	 * that are the command's stdio (stdio.c), sp_run's; NULL: secprof's
	 * own. */
	const struct sp_stdio *stdio;
	/* Container mode with mounts: the user database as it was before
	 * them (init fills it in its copy); NULL: the files of the root. */
	const struct sp_userdb *userdb;
	/* sp_env_slots(envp) entries for the command's environment, made by
	 * sp_run before the child: the child may not allocate (user.c). */
	char **env_slots;
	/* Container mode: the command is held (sp_spawn_held) and reads
	 * SP_GATE_GO from gate_fd before its filter is loaded (proc.c
	 * pass_gate). Set in the command's own copy. */
	bool held;
	int gate_fd;
};

struct sp_child_report;

/* What `secprof record` adds to a run: the command runs exactly as under
 * `secprof run`, and the recorder starts at the point where the filter
 * would be loaded, so none of secprof's own set-up before it is seen and
 * everything the runtime does after it is (runc standard_init_linux.go:
 * InitSeccomp before finalizeNamespace, or just before execve with
 * no-new-privileges). */
struct sp_run_hook {
	void *data;
	/* In the command's process at the filter-load point. It may only
	 * fail through sp_child_fail (the parent then reports it). */
	void (*at_filter_load)(void *data, struct sp_child_report *rep);
	/* In the parent, once the first child exists (its pid as forked or
	 * cloned: in container mode, secprof's init). May be NULL. */
	void (*started)(void *data, pid_t pid);
	/* Pages the hook shares with the host need no care in container
	 * mode: init's execve of secprof-init drops every mapping of the
	 * caller's (container.c exec_init). */
};

/* One docker run mount, parsed (layers.c, as moby's volume/mounts parser). */
enum sp_mount_type { SP_MOUNT_BIND, SP_MOUNT_TMPFS };
struct sp_mount {
	enum sp_mount_type type;
	char *source; /* bind: an absolute host path */
	char *target; /* absolute, in the container */
	bool readonly;
	unsigned long flags; /* tmpfs: MS_* */
	char *data;          /* tmpfs: size=, mode=, ... */
};

/* Run o->argv as runc would start a container process and wait for it.
 * Returns docker run's exit status: the command's status, 128+N when it
 * was killed by signal N, or SP_EXIT_* when secprof could not start it; in
 * that last case err->code is non-zero and err->msg says why. The command
 * never runs when the filter could not be loaded. */
int sp_run(const struct sp_run_opts *o, secprof_error *err);

/* ---- internals shared by run.c and container.c ------------------------ */

struct sp_devcg;

/* What the children tell the parent, in a MAP_SHARED page: writing it
 * needs no system call, so a report survives a filter that denies write()
 * (or even exit_group) right after it was loaded. */
struct sp_child_report {
	volatile int stage;  /* SP_STAGE_*, set by the command's process */
	volatile int status; /* SP_EXIT_* once a child gave up, else 0 */
	int pipe_fd;         /* write end of the close-on-exec sync pipe */
	int pipe_rfd;        /* its read end, the parent's: children close it */
	secprof_error err;
	/* run --explain's listener hand-over (notify.h): the child posts
	 * fd+1, the parent answers 1 (taken) or 2 (it could not). */
	volatile int listener_posted;
	volatile int listener_taken;
	/* container mode: the parent posts 1 once the device rules are in
	 * force (sp_devcg_arm), 2 when they could not be: the init waits
	 * for it before it starts the command (a futex). */
	int devices;
};
enum { SP_STAGE_SETUP, SP_STAGE_EXEC };

/* In a forked child: fill the report and _exit(status) (proc.c). */
/* _exit as the bare exit_group call, for a child that may be under a
 * filter: the sanitizers' _exit interceptor runs the leak check first,
 * whose calls (sigaltstack, clone) such a filter kills or refuses, and
 * where refused it spins for ever. */
__attribute__((noreturn)) void sp_exit_now(int status);
__attribute__((noreturn)) void sp_child_fail(struct sp_child_report *rep, int status,
					     const secprof_error *err);
/* The same with errno's text after `what`. */
__attribute__((noreturn)) void sp_child_fail_errno(struct sp_child_report *rep, int status,
						   const char *what);
/* In a forked child: the runc init sequence from the filter load to execve
 * (docs/COMPAT.md §4.1.4). Never returns: execs or reports through rep. */
__attribute__((noreturn)) void sp_exec_command(const struct sp_run_opts *o,
					       struct sp_child_report *rep);
/* How many entries the command's environment takes: envp's, HOME and the
 * terminating NULL. */
size_t sp_env_slots(char *const *envp);
/* Which of fds 3 .. 3+n-1 are open now, as sp_run_opts.preserved_open
 * wants it: *bits malloc'ed (NULL when n is 0). -1 (out of memory, err
 * set) or 0. */
int sp_fds_sample(unsigned n, uint64_t **bits, secprof_error *err);
/* Join a new anonymous session keyring, searchable by its user, as runc's
 * init does for every container (proc.c). -1 (err set) or 0. */
int sp_new_session_keyring(secprof_error *err);
/* Close the fds of 3 .. 3+preserve_fds-1 that were not the caller's
 * (preserved_open), keep excepted. */
void sp_close_unpreserved(const struct sp_run_opts *o, int keep);
/* Start fn(arg) in a child that shares this process's memory until it
 * execs or dies, this process waiting meanwhile (proc.c). fn starts with
 * every signal blocked and every handler of the caller's back to the
 * default (ignored signals stay ignored, as sp_default_handlers(false));
 * it allocates nothing (sp_run_opts.env_slots). Returns the pid or -1. A
 * fork where SP_SPAWN_SHARES_MEMORY is 0. */
pid_t sp_spawn_shared(int (*fn)(void *), void *arg);
/* secprof-init's executable, the container's PID 1 once the command is
 * about to run (init/secprof-init.c; initimage.c embeds it). */
extern const unsigned char sp_init_image[], sp_init_image_end[];
/* Every signal handler back to the default, and the ignored signals too
 * when ignored_too: in a child before it unblocks signals (proc.c). */
void sp_default_handlers(bool ignored_too);
/* Start fn(arg, gate_fd) in a child that shares this process's memory (a
 * fork where SP_SPAWN_SHARES_MEMORY is 0) and runs nothing of its own
 * until this process has exec'd or died; this process runs meanwhile. Its
 * next step must be an execve or its exit, allocating nothing and writing
 * nothing fn reads (proc.c). gate_fd is the read end of a pipe whose write
 * end is *gate_fd, this process's (close-on-exec): fn waits there with
 * sp_held_gate where it must wait for what this process's next program
 * says. fn runs on libc's thread data of the caller's, as a posix_spawn
 * child does: no raise, abort, assert or pthread_* call on itself (libc's
 * cached thread id is the caller's). Returns the pid, or -1 with errno
 * when no child could start. */
pid_t sp_spawn_held(int (*fn)(void *, int gate_fd), void *arg, int *gate_fd);
/* The byte written to a held child's gate, -1 where the pipe ended
 * without one, -2 (errno set) where the read failed; closes gate_fd. */
int sp_held_gate(int gate_fd);
/* AddressSanitizer knows one stack per thread: a CLONE_VM child on a
 * stack of its own looks to it like a corrupt stack (at each _exit there
 * it warns that it ignores __asan_handle_no_return), so a sanitizer
 * build forks. */
#ifdef SP_UNDER_ASAN
#define SP_SPAWN_SHARES_MEMORY 0
#else
#define SP_SPAWN_SHARES_MEMORY 1
#endif
/* Container mode: clone into new namespaces, build the root and start the
 * command under secprof's init. Returns the init's pid or -1 with err. */
pid_t sp_container_start(const struct sp_run_opts *o, struct sp_child_report *rep,
			 const struct sp_devcg *cg, secprof_error *err);

/* Close (or, with cloexec, mark close-on-exec) every fd >= from except
 * keep (-1: none). close_range(2), or /proc/self/fd where the kernel has
 * no close_range. Returns 0 or -1 with errno. */
int sp_close_fds_from(int from, int keep, bool cloexec);

/* The container's device cgroup (devices.c). */
struct sp_devcg {
	int version; /* 1, 2, or 0 when none was made */
	enum sp_devcg_mode mode;
	char path[4096];
	char v1_path[4096]; /* AUTO's v1 cgroup when path's took no program */
};
/* Make a cgroup beside secprof's own that allows the devices a Docker
 * container may open and the mknod of any; a cgroup2 BPF program or the
 * v1 devices controller as mode says (AUTO: cgroup2 when mounted, else
 * v1). A v1 cgroup has its rules; a cgroup2 one gets its program from
 * sp_devcg_arm. Returns 0, or negative with err when none could be made. */
int sp_devcg_create(struct sp_devcg *cg, enum sp_devcg_mode mode, secprof_error *err);
/* The cgroup2 device program (BPF_PROG_TYPE_CGROUP_DEVICE) into p: its
 * length, or 0 (no program: its load fails) when it does not fit in cap
 * or in the generator's own jump lists. */
struct bpf_insn;
size_t sp_devcg_program(struct bpf_insn *p, size_t cap);
/* BPF_PROG_LOAD of a device program of n instructions: its fd, or -1 with
 * errno. With log, the verifier's log (level 1) is written there. */
int sp_devcg_load(const struct bpf_insn *p, size_t n, char *log, size_t log_size);
/* In the parent, once the init (pid) exists, while it builds the root:
 * the cgroup2 program attached (AUTO: when that fails, the v1 rules and
 * pid moved there). The init starts the command only after this
 * returned 0 (sp_child_report.devices). */
int sp_devcg_arm(struct sp_devcg *cg, pid_t pid, secprof_error *err);
/* In the container's init: move the calling process into cg (where it
 * was not created inside it). */
int sp_devcg_join(const struct sp_devcg *cg, secprof_error *err);
/* Remove the cgroup once the container is gone. */
void sp_devcg_remove(struct sp_devcg *cg);

/* A resolved --user (user.c). */
struct sp_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[1024]; /* supplementary: the gid, then the groups listing the user */
	size_t ngroups;
	bool too_many;       /* more groups than groups[] holds: refused (user.c) */
	bool too_long;       /* a line of /etc/passwd or /etc/group too long to read: refused */
	bool no_memory;      /* no memory to read one of them into: refused */
	bool bad_member_gid; /* a group listing the user has a gid that is no number: refused */
};
/* The root's /etc/passwd and /etc/group as they were before -v, --mount
 * and --tmpfs covered anything: Docker's daemon looks the user up in the
 * container's own layers (moby daemon/oci_linux.go getUser, on BaseFS),
 * never in a volume, and hands runc numbers. NULL: a file that is missing
 * (or not a regular file). */
/* A record of getdents64 (the kernel's struct linux_dirent64,
 * include/linux/dirent.h; not the C library's dirent): what lists a
 * directory where nothing may allocate (opendir's DIR is malloc'ed). */
struct sp_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

struct sp_userdb {
	char *passwd, *group;
	size_t passwd_len, group_len;
};
/* Read both, resolved inside the root that is the current directory
 * (RESOLVE_IN_ROOT), at most 16 MiB each. */
int sp_userdb_capture(struct sp_userdb *db, secprof_error *err);
/* Resolve spec against db, or (db NULL) /etc/passwd and /etc/group of the
 * current root. */
int sp_user_resolve(const char *spec, const struct sp_userdb *db, struct sp_user *u,
		    secprof_error *err);
/* runc sets HOME from the user's passwd entry when the env has none ("/"
 * when there is no entry). -1 when it does not fit in len. */
int sp_user_home(const struct sp_userdb *db, uid_t uid, char *out, size_t len);
/* openat2(dir, path, flags | O_CLOEXEC, resolve); -1 with errno. */
int sp_openat2(int dir, const char *path, int flags, uint64_t resolve);
/* openat2(root, path, flags | O_CLOEXEC) resolved inside root
 * (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; layers.c). */
int sp_open_in_root(int root, const char *path, int flags);
/* Every mount inside the root is made on what was checked, never on a
 * path that another process could change between the check and the mount
 * (runc libcontainer/rootfs_linux.go mountToRootfs, utils.WithProcfd;
 * CVE-2021-30465): the detached mount mfd (fsmount, open_tree) is moved
 * onto target_fd, an O_PATH fd of the checked target, and path is looked
 * up again from dir_fd as the target was (openat2 resolve flags); unless
 * it now leads to the new mount, the run fails (shown: the container's
 * path, for the message). */
int sp_attach_checked(int mfd, int target_fd, int dir_fd, const char *path, uint64_t resolve,
		      const char *shown, secprof_error *err);
/* A new filesystem of type as a detached mount (fsopen, fsconfig of
 * source and of opts, "key=value" or "flag" separated by ',', fsmount
 * with attrs, MOUNT_ATTR_*; MOUNT_ATTR_RDONLY also makes a new superblock
 * read-only, as mount(2)'s MS_RDONLY). Its fd, or -1 with errno. */
int sp_fs_create(const char *type, const char *source, const char *opts, unsigned attrs);

/* ---- layers, mounts, terminals (layers.c, image.c, archive.c, tty.c) --- */

/* In init, before anything else of the root is built: the overlay of
 * o->lowers on o->rootfs (nothing when nlowers is 0). */
int sp_overlay_mount(const struct sp_run_opts *o, secprof_error *err);
/* In init, cwd = the new root before pivot_root: o->mounts, each target
 * resolved inside the root (openat2 RESOLVE_IN_ROOT) so a symlink in the
 * image cannot point a mount at a host path. */
int sp_mounts_apply(const struct sp_run_opts *o, secprof_error *err);
/* Parse -v SPEC, --mount SPEC, --tmpfs SPEC into *m (malloc'ed strings;
 * sp_mount_free). Named and anonymous volumes become binds of a
 * directory under voldir / scratch. */
int sp_mount_parse_volume(const char *spec, const char *voldir, const char *scratch,
			  struct sp_mount *m, secprof_error *err);
int sp_mount_parse_mount(const char *spec, const char *voldir, const char *scratch,
			 struct sp_mount *m, secprof_error *err);
int sp_mount_parse_tmpfs(const char *spec, struct sp_mount *m, secprof_error *err);
void sp_mount_free(struct sp_mount *m);
/* Order mounts parents first, as Docker does before runc applies them, so
 * a mount is never hidden by one of a directory above it. */
void sp_mounts_sort(struct sp_mount *m, size_t n);
/* rm -rf of a scratch directory (no symlink followed, no mount crossed). */
void sp_remove_tree(const char *dir);

/* fd moved to the lowest free number at or above min_fd (close-on-exec),
 * so that it neither hides nor stands in for one of fds 0 to min_fd - 1
 * (stdio, --preserve-fds); fd itself when already there, -1 when fd is
 * -1 or cannot be moved (then closed). */
int sp_fd_above(int fd, int min_fd);
/* What the relays and waits below return when the command's exit status
 * is gone: another waiter of this process (a thread of a library caller
 * waiting for any child) reaped it first, or waiting failed. */
#define SP_STATUS_LOST (-1)

/* The waits below poll the command's pidfd (sp_pidfd_open) for its exit.
 * It stays readable from then on, but while a tracer holds the zombie,
 * the parent's waitpid still finds nothing (the tracer is told first):
 * once it fired and waitpid found nothing, it is dropped, and waitpid is
 * tried every 100 ms instead, lest the wait spin. Call when waitpid
 * returned 0; *fired is whether the last poll found it readable. */
static inline void sp_exit_fd_settle(int *xfd, bool *fired)
{
	if (*fired && *xfd >= 0) {
		close(*xfd);
		*xfd = -1;
	}
	*fired = false;
}

/* A pty for -t: *master (close-on-exec) and *slave, both at or above
 * min_fd; the window size copied from secprof's terminal. */
int sp_tty_open(int min_fd, int *master, int *slave, secprof_error *err);
/* In a child: slave becomes fds 0, 1 and 2, as runc's console. */
int sp_tty_attach(int slave);
/* The parent's loop while the command runs on a pty: the pty's output to
 * stdout, stdin to the pty (interactive), window size changes, signals
 * passed on; secprof's terminal raw meanwhile. Returns the exit status,
 * or SP_STATUS_LOST. */
int sp_tty_relay(pid_t pid, int master, bool interactive);

/* A container's stdio without -t, as docker run's (stdio.c): child[] are
 * the container's fds 0-2 (/dev/null, or with -i a pipe; one pipe for 1
 * and 2 when secprof's own are one file), the rest the parent's ends, -1
 * where unused. All close-on-exec and at or above min_fd. */
struct sp_stdio {
	int child[3];
	int in_w, out_r, err_r;
	bool caller_open[3]; /* secprof's fds 0-2 were open at sp_stdio_open */
	/* Without --rootfs: the command leads a process group of its own
	 * (run.c), and a signal from the caller's terminal goes to all of
	 * it, as the terminal would have sent it; a container's go to its
	 * init, as Docker's signal proxy sends them. */
	bool signal_group;
};
int sp_stdio_open(struct sp_stdio *s, bool interactive, int min_fd, secprof_error *err);
/* In the container's init: child[] become fds 0, 1 and 2. */
int sp_stdio_attach(const struct sp_stdio *s);
/* In the parent once the container holds child[]: closes its copies. */
void sp_stdio_parent_side(struct sp_stdio *s);
/* The parent's loop while the container runs: its output to secprof's
 * stdout and stderr, secprof's stdin to it (-i), signals passed on;
 * returns the exit status (or SP_STATUS_LOST) once the container is gone
 * and its output read. Closes everything. */
int sp_stdio_relay(pid_t pid, struct sp_stdio *s);
void sp_stdio_close(struct sp_stdio *s);

/* An image, read (image.c): its layers unpacked in the cache and its
 * config. Strings and arrays malloc'ed; sp_image_free. */
struct sp_image {
	char **layers; /* cache directory names (hex digests), bottom first */
	size_t nlayers;
	char *cache;       /* the cache directory, absolute */
	char **entrypoint; /* NULL: not set */
	size_t nentrypoint;
	char **cmd;
	size_t ncmd;
	char **env;
	size_t nenv;
	char *workdir; /* NULL or "" : not set */
	char *user;
};
int sp_image_load(const char *ref, const char *cache, struct sp_image *img, secprof_error *err);
void sp_image_free(struct sp_image *img);

/* archive.c: the only user of libarchive (a static secprof links
 * tools/archive-stub.c instead). */
struct sp_member {
	char *name;
	char *data;
	size_t len;
};
/* The regular members of the archive at path that look like JSON (its
 * metadata), each no larger than max, in memory. */
int sp_archive_small_members(const char *path, size_t max, struct sp_member **out, size_t *n,
			     secprof_error *err);
void sp_members_free(struct sp_member *m, size_t n);
/* Unpack a layer (a tar, possibly compressed) into the new directory dest,
 * whiteouts turned into overlayfs's (OCI image-spec layer.md). The layer
 * is the open file fd (path only names it), or, when fd is -1, the member
 * `member` of the archive at path;
 * the SHA-256 of its bytes must be expect_hex (64 hex digits) unless
 * NULL, and that of its uncompressed tar plain_hex unless NULL, else it
 * is refused (the caller removes dest). */
int sp_layer_unpack(const char *path, int fd, const char *member, const char *dest,
		    const char *expect_hex, const char *plain_hex, secprof_error *err);

/* ---- probe and info ---------------------------------------------------- */

/* One probed system call: the errno it failed with, 0 when it succeeded. */
struct sp_probe_result {
	const char *name;  /* "mount", "socket(AF_ALG)", ... */
	int err;           /* errno; 0 = succeeded (or killed) */
	int signal;        /* the signal that killed the probe, 0 if none */
	const char *group; /* "special" (Docker's default names it) or "common" */
};

struct sp_probe_report {
	struct sp_probe_result *results; /* malloc'ed, sorted by name */
	size_t nresults;
	int seccomp_mode;    /* Seccomp: of /proc/self/status, -1 unknown */
	int seccomp_filters; /* Seccomp_filters:, -1 unknown (< 5.9) */
	int no_new_privs;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uid_t uid;
	gid_t gid;
};

/* Try every probe in a child (a probe may be killed by the filter) and
 * fill r. Returns 0 or negative with err. */
/* /proc/self/status into buf (NUL-terminated, truncated to len). */
int sp_read_proc_status(char *buf, size_t len, secprof_error *err);
int sp_probe(struct sp_probe_report *r, secprof_error *err);
void sp_probe_report_free(struct sp_probe_report *r);

struct sp_info {
	char config_seccomp[16]; /* "y", "n", "unknown" */
	char config_seccomp_filter[16];
	char config_source[256]; /* "/proc/config.gz", ... or "" */
	char kernel[128];        /* uname release */
	char machine[72];
	int seccomp_mode;
	int seccomp_filters;
	char actions_avail[256]; /* /proc/sys/kernel/seccomp/actions_avail */
	uint32_t flags_ok;       /* SECCOMP_FILTER_FLAG_* the kernel takes */
	uint32_t flags_tried;
	bool action_cache; /* kernel >= 5.11 (SECCOMP_ARCH_NATIVE bitmap) */
	bool notif_sizes_ok;
	unsigned notif_size, resp_size, data_size;
	const char *native_arch; /* libseccomp name of this build */
	const char *compat_arches[4];
	size_t ncompat;
};

int sp_info_collect(struct sp_info *info, secprof_error *err);
/* The host runs AppArmor (Docker would confine a container with it). */
bool sp_host_apparmor(void);

/* ---- run --explain (live.c, decode.c) ---------------------------------- */

/* One distinct denial: the calls with the same arch, number, answer and
 * decoded flag/string arguments (pointers left out) are counted together;
 * the rest is the first such call's. */
struct sp_denial {
	unsigned long count;
	pid_t pid;
	char comm[17];
	uint32_t audit;
	const char *arch; /* libseccomp's name; NULL when no arch of secprof's */
	int32_t nr;
	const char *name; /* NULL when the number has none */
	uint64_t args[6];
	uint64_t ip;
	uint32_t ret;     /* what the real filter answers (SECCOMP_RET_*) */
	bool benign;      /* an expected denial a program falls back from */
	bool killed;      /* attributed from the kernel's audit record */
	char call[768];   /* "mount(\"none\", \"/mnt\", \"tmpfs\", MS_RDONLY, 0x0)" */
	char caller[512]; /* "/usr/bin/prog+0x1234", or the address */
	char *key;
};

/* The supervisor of one `run --explain` (live.c). Fill `real`, call
 * sp_live_twin, set sp_run_opts.live; sp_run starts and stops it. */
/* run --explain lists at most this many distinct denials (live.c). */
#define SP_LIVE_MAX_DENIALS 4096u

struct sp_live {
	const secprof_prog *real; /* the program Docker would load */
	secprof_prog *twin;       /* real with every ERRNO (and RET A) made USER_NOTIF */
	struct sp_denial *denials;
	size_t ndenials, cap;
	char note[512]; /* why serving stopped early, "" */
	/* private to live.c */
	pid_t cmd_pid;
	int kmsg_fd;
	int stop_pipe[2];
	bool started;
	unsigned long thread; /* pthread_t */
	pid_t pid;
	bool container;
	struct sp_child_report *rep;
};

/* Build lv->twin from lv->real. 0, or negative with err. */
int sp_live_twin(struct sp_live *lv, secprof_error *err);
/* In the parent, after forking `pid` (the command, or the container's init
 * whose child is the command): take the listener once the child posts it
 * and serve it on a thread. */
int sp_live_start(struct sp_live *lv, pid_t pid, bool container, struct sp_child_report *rep,
		  secprof_error *err);
/* After the command ended with `status` (sp_run's): stop serving, and
 * when it was killed by SIGSYS (a KILL or TRAP action, which the twin
 * keeps in the kernel) attribute the death from the kernel's audit record. */
void sp_live_stop(struct sp_live *lv, int status);
void sp_live_free(struct sp_live *lv);

/* decode.c: the call as text (flags by name, strings read from the
 * caller) into text, and its grouping key into key; the caller's ip as
 * file+offset; the task's comm. */
struct sp_buf;
void sp_decode_call(pid_t pid, const char *name, const uint64_t args[6], bool is32,
		    struct sp_buf *text, struct sp_buf *key);
void sp_decode_caller(pid_t pid, uint64_t ip, char *out, size_t len);
void sp_decode_comm(pid_t pid, char *out, size_t len);

/* ---- the filter cache (progcache.c) -------------------------------------- */

/* The key of a compiled program: SHA-256 over this build's ID and every
 * input the caller adds (profile bytes, options), each length-prefixed. */
struct sp_progkey {
	struct sp_sha256 sha;
	uint8_t digest[32];
	char hex[2 * 32 + 1]; /* the entry's file name */
};
/* -1 when this build has no build ID (no cache then). */
int sp_progkey_init(struct sp_progkey *k);
void sp_progkey_add(struct sp_progkey *k, const void *data, size_t len);
void sp_progkey_add_str(struct sp_progkey *k, const char *s); /* NULL and "" differ */
void sp_progkey_done(struct sp_progkey *k);

/* The warnings a compile gave, kept with its program (at most
 * SP_PROGCACHE_MAX_WARN: a compile with more is not stored). */
#define SP_PROGCACHE_MAX_WARN 64
struct sp_warnlog {
	secprof_error *w; /* malloc'ed: sp_warnlog_free */
	size_t n;
	bool overflow; /* more than fit, or no memory: the program is not stored */
};
void sp_warnlog_add(struct sp_warnlog *log, const secprof_error *w);
void sp_warnlog_free(struct sp_warnlog *log);

/* The cache directory, created 0700 when missing: a descriptor, or -1
 * (a note with path "filter-cache" says why) when it cannot be opened or
 * is not owned by the effective uid alone (owner, no group/other write). */
int sp_progcache_open(secprof_ctx *ctx, const char *dir);
/* The program stored under k, with its warnings in *log, or NULL (a miss:
 * absent, or failing any check). The caller frees it. */
secprof_prog *sp_progcache_get(int dirfd, const struct sp_progkey *k, struct sp_warnlog *log);
/* Store prog under k (atomically; errors are ignored: a cache that cannot
 * be written is a cache that misses), keeping the directory within
 * SP_PROGCACHE_MAX entries. */
#define SP_PROGCACHE_MAX 1024
void sp_progcache_put(int dirfd, const struct sp_progkey *k, const secprof_prog *prog,
		      const struct sp_warnlog *log);

#endif
