/* runtime.c - what each runtime calls itself after it has loaded the
 * filter and before the command's execve: a recorded profile must allow
 * these too, or the container never starts (a recording that begins at
 * the command's execve misses them).
 *
 * runc 1.1 (libcontainer/standard_init_linux.go, linuxStandardInit.Init):
 * after seccomp.InitSeccomp come finalizeNamespace (utils.CloseExecFrom
 * checks with fstatfs that /proc/self/fd is procfs, then walks it;
 * capabilities.New reads capget and /proc/self/status;
 * SetKeepCaps, ApplyBoundingSet and ApplyCaps are prctl and capset;
 * setupUser reads /etc/passwd and /etc/group and calls setgroups, setgid,
 * setuid; chdir to the cwd), pdeath.Restore (prctl), unix.Getppid,
 * exec.LookPath and eaccess (newfstatat, faccessat2), the close of the
 * sync and log pipes, the exec fifo (openat of /proc/self/fd/N, write,
 * close), unix.Getpid, utils.UnsafeCloseFrom (close_range, or the
 * /proc/self/fd walk), then system.Exec (execve). The Go runtime runs
 * alongside (futex, nanosleep, sched_yield, epoll_pwait, epoll_ctl,
 * mmap/munmap/madvise, sigaltstack, rt_sigprocmask, rt_sigreturn, tgkill,
 * gettid). fstatfs was found missing by tests/suites/record-container.sh
 * (runc 1.1.5: "ensure /proc/self/fd is on procfs: operation not
 * permitted"); openat2 and statx are what securejoin and Go's os.Stat
 * use on newer releases. With no-new-privileges the filter is loaded after LookPath, so
 * the set is smaller; these are the names of the larger order.
 *
 * crun (src/libcrun/container.c, container_init_setup and
 * libcrun_container_run_internal's init): after libcrun_apply_seccomp
 * come libcrun_set_caps (capget, capset, prctl), setgroups, setresgid,
 * setresuid, chdir, close_range (or close), then execve (execvpe looks up
 * PATH with newfstatat/access).
 *
 * secprof (src/sandbox/proc.c, sp_exec_command after filter_load_point):
 * chdir, sp_user_resolve and home_of (openat, read, fstat, lseek, close of
 * /etc/passwd and /etc/group), finalize_credentials (openat/read/close of
 * /proc/sys/kernel/cap_last_cap, capget, prctl, setgroups, setresgid,
 * setresuid, capset), env_with_home (brk or mmap), look_path (newfstatat),
 * execve; exit_group when it fails. */
#include <stddef.h>
#include <string.h>

#include "record/record.h"

static const char *const runc_names[] = {
	"capget",         "capset",       "chdir",       "close",     "close_range", "epoll_ctl",
	"epoll_pwait",    "execve",       "exit_group",  "faccessat", "faccessat2",  "fcntl",
	"fstat",          "fstatfs",      "futex",       "getcwd",    "getdents64",  "getpid",
	"getppid",        "gettid",       "getuid",      "madvise",   "mmap",        "munmap",
	"nanosleep",      "newfstatat",   "openat",      "openat2",   "prctl",       "read",
	"rt_sigprocmask", "rt_sigreturn", "sched_yield", "setgid",    "setgroups",   "setuid",
	"sigaltstack",    "statx",        "tgkill",      "write",     NULL,
};

static const char *const crun_names[] = {
	"access",    "capget",     "capset",    "chdir",      "close",      "close_range",
	"execve",    "exit_group", "faccessat", "faccessat2", "newfstatat", "prctl",
	"setgroups", "setresgid",  "setresuid", NULL,
};

static const char *const secprof_names[] = {
	"brk",        "capget", "capset",    "chdir",     "close",      "execve",
	"exit_group", "fstat",  "lseek",     "mmap",      "newfstatat", "openat",
	"prctl",      "read",   "setgroups", "setresgid", "setresuid",  NULL,
};

const char *const *sp_rec_runtime_names(const char *runtime)
{
	if (!strcmp(runtime, "runc"))
		return runc_names;
	if (!strcmp(runtime, "crun"))
		return crun_names;
	if (!strcmp(runtime, "secprof"))
		return secprof_names;
	return NULL;
}
