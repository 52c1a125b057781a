/* runtime.c - the one table of what each container runtime calls itself
 * after it has loaded the filter and before the command's execve.
 *
 * Two users read it. `run` and `check` warn about the rows a profile
 * denies whose denial stops the runtime (`fatal`): secprof run makes other
 * calls after its own load, so such a profile starts under secprof but
 * fails under `docker run` (runc) or `podman run` (crun), and the warning
 * predicts that instead of hiding it (secprof_runtime_denied,
 * secprof_runtime_note). `secprof record --runtime NAME` allows every row
 * of that runtime (sp_runtime_row_at), since a recording that begins at
 * the command's execve misses them.
 *
 * Each row was observed with strace -f on Debian 12's runtimes (runc
 * 1.1.5+ds1-1+deb12u1, crun 1.8.1), `runc run` / `crun run` and `crun
 * create` + `crun start` of a bundle, with and without noNewPrivileges;
 * `fatal` was found by running each with a profile denying only that call
 * (ERRNO(EPERM)). The steps name the upstream functions:
 *
 * runc (libcontainer/standard_init_linux.go, linuxStandardInit.Init):
 * without no-new-privileges the filter is loaded (seccomp.InitSeccomp)
 * before finalizeNamespace; with it, just before the exec fifo, so only
 * the rows marked with_nnp follow it then. runc init is a Go program: the
 * Go runtime runs throughout (futex, rt_sigprocmask, rt_sigreturn are
 * fatal when it needs them in that window, which is not every run).
 *
 * crun (src/libcrun/container.c, container_init_setup and container_init):
 * without no-new-privileges the filter is loaded before libcrun_set_caps
 * (src/libcrun/linux.c, set_required_caps), then come unblock_signals,
 * the sync socket and, under `crun create` + `crun start` as podman runs
 * it, the exec fifo; with it, just before execv.
 *
 * secprof (src/sandbox/proc.c, sp_exec_command after filter_load_point):
 * chdir, sp_user_resolve and sp_user_home (/etc/passwd and /etc/group),
 * finalize_credentials (cap_last_cap, capget, prctl, setgroups,
 * setresgid, setresuid, capset), env_with_home, look_path, execve. run
 * names a denial of these itself (the profile blocks X, which the
 * container needs to start), so they are not warned about here. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "secprof.h"
#include "bpf/bpf.h"

#define RUNC "runc 1.1"
#define CRUN "crun 1.8"
#define SELF "secprof"

/* { syscall, runtime, step, with_nnp, fatal } */
static const secprof_runtime_call calls[] = {
	/* runc, after the load without no-new-privileges only */
	{ "capget", RUNC, "finalizeNamespace: capabilities.New reads the current sets", false,
	  true },
	{ "read", RUNC, "finalizeNamespace: capabilities.New reads /proc/self/status", false,
	  true },
	{ "prctl", RUNC,
	  "finalizeNamespace: ApplyBoundingSet (PR_CAPBSET_DROP), system.SetKeepCaps/ClearKeepCaps; pdeath.Restore",
	  false, true },
	{ "fstat", RUNC, "finalizeNamespace: setupUser, fixStdioPermissions (fstat of stdio)",
	  false, true },
	{ "setgroups", RUNC, "finalizeNamespace: setupUser (unix.Setgroups)", false, true },
	{ "setgid", RUNC, "finalizeNamespace: setupUser (system.Setgid)", false, true },
	{ "setuid", RUNC, "finalizeNamespace: setupUser (system.Setuid)", false, true },
	{ "chdir", RUNC, "finalizeNamespace: unix.Chdir to the process cwd", false, true },
	{ "getcwd", RUNC, "finalizeNamespace: verifyCwd (unix.Getwd)", false, true },
	{ "capset", RUNC, "finalizeNamespace: capabilities ApplyCaps", false, true },
	{ "getppid", RUNC, "linuxStandardInit.Init: the parent-pid check", false, true },
	{ "newfstatat", RUNC,
	  "setupUser: fixStdioPermissions (stat /dev/null); linuxStandardInit.Init: exec.LookPath",
	  false, true },
	{ "faccessat2", RUNC,
	  "linuxStandardInit.Init: exec.LookPath's eaccess (Go falls back to fstatat on EPERM or ENOSYS alone)",
	  false, false },
	{ "fcntl", RUNC, "finalizeNamespace: utils.CloseExecFrom (CloseOnExec ignores errors)",
	  false, false },
	/* runc, after the load in both cases */
	{ "close", RUNC, "linuxStandardInit.Init: closing the init pipe and the log pipe", true,
	  true },
	{ "openat", RUNC,
	  "linuxStandardInit.Init: the exec fifo; UnsafeCloseFrom opens /proc/self/fd", true,
	  true },
	{ "write", RUNC, "linuxStandardInit.Init: writing the exec fifo", true, true },
	{ "fstatfs", RUNC,
	  "utils.CloseExecFrom and UnsafeCloseFrom: EnsureProcHandle of /proc/self/fd (\"error closing exec fds\")",
	  true, true },
	{ "getdents64", RUNC,
	  "utils.CloseExecFrom and UnsafeCloseFrom: Readdirnames of /proc/self/fd", true, true },
	{ "futex", RUNC, "the Go runtime of runc init", true, true },
	{ "rt_sigprocmask", RUNC, "the Go runtime of runc init", true, true },
	{ "rt_sigreturn", RUNC, "the Go runtime of runc init (a signal handler's return)", true,
	  true },
	{ "execve", RUNC, "system.Exec of the command", true, true },
	{ "getpid", RUNC, "linuxStandardInit.Init (unix.Getpid)", true, false },
	{ "epoll_ctl", RUNC, "os.NewFile registers with the Go netpoller (a failure is ignored)",
	  true, false },
	{ "close_range", RUNC,
	  "utils.CloseExecFrom of newer releases (falls back to the /proc/self/fd walk)", true,
	  false },
	{ "openat2", RUNC, "securejoin of newer releases", true, false },
	{ "statx", RUNC, "os.Stat of newer Go releases", true, false },
	{ "faccessat", RUNC, "eaccess of older Go releases", true, false },
	{ "epoll_pwait", RUNC, "the Go runtime of runc init", true, false },
	{ "exit_group", RUNC, "runc init's exit when it fails", true, false },
	{ "gettid", RUNC, "the Go runtime of runc init", true, false },
	{ "getuid", RUNC, "the Go runtime of runc init", true, false },
	{ "madvise", RUNC, "the Go runtime of runc init", true, false },
	{ "mmap", RUNC, "the Go runtime of runc init", true, false },
	{ "munmap", RUNC, "the Go runtime of runc init", true, false },
	{ "nanosleep", RUNC, "the Go runtime of runc init", true, false },
	{ "sched_yield", RUNC, "the Go runtime of runc init", true, false },
	{ "sigaltstack", RUNC, "the Go runtime of runc init", true, false },
	{ "tgkill", RUNC, "the Go runtime of runc init", true, false },

	/* crun, after the load without no-new-privileges only */
	{ "prctl", CRUN,
	  "libcrun_set_caps: PR_CAPBSET_DROP and PR_SET_KEEPCAPS (\"prctl drop bounding\")", false,
	  true },
	{ "setresgid", CRUN, "libcrun_set_caps: setresgid to the process group", false, true },
	{ "setresuid", CRUN, "libcrun_set_caps: setresuid to the process user", false, true },
	{ "capset", CRUN, "libcrun_set_caps: capset", false, true },
	{ "rt_sigprocmask", CRUN, "container_init: unblock_signals (sigprocmask)", false, true },
	{ "rt_sigaction", CRUN, "container_init: unblock_signals (sigaction to SIG_DFL)", false,
	  true },
	{ "write", CRUN, "container_init: sync_socket_send_sync to the parent", false, true },
	{ "pselect6", CRUN, "container_init: the exec fifo of crun create + start (select)", false,
	  true },
	{ "read", CRUN, "container_init: the exec fifo of crun create + start", false, true },
	{ "chdir", CRUN,
	  "container_init_setup: chdir to the cwd when it failed before the user switch", false,
	  false },
	{ "newfstatat", CRUN,
	  "container_init_setup: find_executable when not found before the load", false, false },
	{ "access", CRUN, "container_init_setup: find_executable when not found before the load",
	  false, false },
	{ "faccessat", CRUN, "find_executable (access) on other libcs", false, false },
	{ "faccessat2", CRUN, "find_executable (access) on newer glibc", false, false },
	/* crun, after the load in both cases */
	{ "execve", CRUN, "container_init: execv of the command", true, true },
	{ "close", CRUN, "container_init: close_and_reset of the seccomp fd (errors ignored)", true,
	  false },
	{ "close_range", CRUN, "mark_or_close_fds_ge_than of newer releases", true, false },
	{ "capget", CRUN, "libcrun_set_caps of newer releases", true, false },
	{ "lseek", CRUN, "container_init: after the start hooks (errors ignored)", true, false },
	{ "exit_group", CRUN, "crun's init exit when it fails", true, false },

	/* secprof run: named by run itself when denied (src/sandbox/proc.c) */
	{ "chdir", SELF, "sp_exec_command: chdir to the working directory", false, true },
	{ "openat", SELF, "sp_user_resolve, sp_user_home: /etc/passwd, /etc/group; cap_last_cap",
	  false, true },
	{ "read", SELF, "sp_user_resolve, sp_user_home; cap_last_cap", false, true },
	{ "fstat", SELF, "sp_user_resolve: the size of /etc/passwd (else a page, grown)", false,
	  false },
	{ "mmap", SELF, "sp_user_resolve, sp_user_home: memory for /etc/passwd, /etc/group", false,
	  true },
	{ "mremap", SELF, "sp_user_resolve: a file longer than its size said", false, false },
	{ "munmap", SELF, "sp_user_resolve, sp_user_home", false, false },
	{ "close", SELF, "sp_user_resolve, sp_user_home", false, true },
	{ "capget", SELF, "finalize_credentials", false, true },
	{ "prctl", SELF, "finalize_credentials: bounding set, keep caps, ambient", false, true },
	{ "setgroups", SELF, "finalize_credentials", false, true },
	{ "setresgid", SELF, "finalize_credentials", false, true },
	{ "setresuid", SELF, "finalize_credentials", false, true },
	{ "capset", SELF, "finalize_credentials", false, true },
	{ "newfstatat", SELF, "look_path of the command", true, true },
	{ "execve", SELF, "sp_exec_command: execve of the command", true, true },
	{ "exit_group", SELF, "sp_exec_command: the exit when execve fails", true, false },
};

const secprof_runtime_call *sp_runtime_row_at(size_t i)
{
	return i < SP_ARRAY_SIZE(calls) ? &calls[i] : NULL;
}

bool sp_runtime_is(const secprof_runtime_call *c, const char *runtime)
{
	size_t n = strlen(runtime);

	return !strncmp(c->runtime, runtime, n) && (c->runtime[n] == ' ' || !c->runtime[n]);
}

/* Whether the runtime fails when the program answers `ret` to row c. A
 * row marked fatal fails on every denial. The others were found
 * harmless under ERRNO(EPERM), and stay so under any errno (TRACE without
 * a tracer and USER_NOTIF without a listener answer ENOSYS, seccomp's
 * __seccomp_filter), but for faccessat2, which Go's syscall.Faccessat
 * retries with fstatat on EPERM or ENOSYS alone: under runc 1.1.5 a
 * defaultErrnoRet of 99 fails exec.LookPath ("cannot assign requested
 * address"). A KILL or TRAP answer kills any runtime's init. */
static bool fails_on(const secprof_runtime_call *c, uint32_t ret)
{
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL, data = ret & SECCOMP_RET_DATA;

	/* stricter than ERRNO in the kernel's order (the lowest action as
	 * s32 wins, kernel/seccomp.c): KILL_PROCESS, KILL_THREAD, TRAP */
	if (c->fatal || (int32_t)act < (int32_t)SECCOMP_RET_ERRNO)
		return true;
	if (act != SECCOMP_RET_ERRNO || !sp_runtime_is(c, "runc") ||
	    strcmp(c->syscall, "faccessat2"))
		return false;
	return data != EPERM && data != ENOSYS;
}

/* secprof_runtime_denied with the program's check done by the caller: a
 * program the kernel would refuse (!is_loadable) decides 0 (KILL), as
 * secprof_emulate says for it. */
static size_t runtime_denied(const secprof_insn *insns, size_t len, bool is_loadable,
			     const secprof_arch *arch, const char *runtime, bool no_new_privs,
			     const secprof_runtime_call **out, uint32_t *rets, size_t max)
{
	secprof_arch_info info;
	size_t n = 0;

	if (!insns || !len)
		return 0;
	if (!arch)
		arch = secprof_arch_native();
	secprof_arch_get_info(arch, &info);
	for (size_t i = 0; i < SP_ARRAY_SIZE(calls); i++) {
		secprof_data d = { .arch = info.audit };
		uint32_t ret;

		if (no_new_privs && !calls[i].with_nnp)
			continue;
		if (runtime ? !sp_runtime_is(&calls[i], runtime)
			    : sp_runtime_is(&calls[i], "secprof"))
			continue;
		if ((d.nr = secprof_syscall_nr(arch, calls[i].syscall)) < 0)
			continue;
		ret = is_loadable ? sp_emulate_checked(insns, &d, NULL) : 0;
		if (sp_action_allows(ret) || !fails_on(&calls[i], ret))
			continue;
		if (n < max) {
			if (out)
				out[n] = &calls[i];
			if (rets)
				rets[n] = ret;
		}
		n++;
	}
	return n;
}

/* Checked once for all the calls (secprof_emulate would check it for
 * each: most of `secprof run`'s own time). */
static bool loadable(const secprof_insn *insns, size_t len)
{
	return insns && len && sp_bpf_check(insns, len, NULL) == 0;
}

size_t secprof_runtime_denied(const secprof_insn *insns, size_t len, const secprof_arch *arch,
			      const char *runtime, bool no_new_privs,
			      const secprof_runtime_call **out, uint32_t *rets, size_t max)
{
	return runtime_denied(insns, len, loadable(insns, len), arch, runtime, no_new_privs, out,
			      rets, max);
}

size_t sp_runtime_note_checked(const secprof_insn *insns, size_t len, bool is_loadable,
			       const secprof_arch *arch, const char *runtime, bool no_new_privs,
			       char *buf, size_t buflen)
{
	const secprof_runtime_call *rows[64];
	uint32_t rets[64];
	size_t n = runtime_denied(insns, len, is_loadable, arch, runtime, no_new_privs, rows, rets,
				  64),
	       at;
	/* the command a user of each runtime starts containers with */
	const char *front = runtime && !strcmp(runtime, "crun") ? "podman run" : "docker run";
	char act[64];
	int w;

	if (!buflen)
		return n;
	buf[0] = '\0';
	if (!n)
		return 0;
	secprof_action_str(rets[0], act, sizeof(act));
	/* ERRNO(0) returns 0 without running the call (kernel/seccomp.c,
	 * SECCOMP_RET_ERRNO): the runtime goes on as if it had, so a
	 * setgroups or setuid that never ran leaves the command root */
	if (rets[0] == SECCOMP_RET_ERRNO)
		w = snprintf(
			buf, buflen,
			"%s may start with more than it asks for: the profile answers %s with "
			"ERRNO(0), a success that never runs, and %s calls it after loading the "
			"filter (%s)",
			front, rows[0]->syscall, rows[0]->runtime, rows[0]->step);
	else
		w = snprintf(
			buf, buflen,
			"%s would fail to start: the profile denies %s (%s), which %s calls after "
			"loading the filter (%s)",
			front, rows[0]->syscall, act, rows[0]->runtime, rows[0]->step);
	at = w < 0 ? 0 : (size_t)w < buflen ? (size_t)w : buflen - 1;
	for (size_t i = 1; i < n && i < 64 && at + 1 < buflen; i++) {
		w = snprintf(buf + at, buflen - at, "%s%s", i == 1 ? "; and also " : ", ",
			     rows[i]->syscall);
		at = w < 0 ? at : at + (size_t)w < buflen ? at + (size_t)w : buflen - 1;
	}
	return n;
}

size_t secprof_runtime_note(const secprof_insn *insns, size_t len, const secprof_arch *arch,
			    const char *runtime, bool no_new_privs, char *buf, size_t buflen)
{
	return sp_runtime_note_checked(insns, len, loadable(insns, len), arch, runtime,
				       no_new_privs, buf, buflen);
}
