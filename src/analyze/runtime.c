/* runtime.c - the calls the container runtime itself makes after it has
 * loaded the filter, which a profile must therefore allow for `docker run`
 * to start at all (secprof_runtime_denied).
 *
 * secprof run makes fewer calls after the load than runc does (runc init
 * is a Go program and keeps working after it), so a profile that denies,
 * say, fstatfs starts under secprof but fails under Docker with "ensure
 * /proc/self/fd is on procfs: operation not permitted". This table lets run
 * and check predict that. Read from runc v1.1.12, libcontainer/
 * standard_init_linux.go (linuxStandardInit.Init): without
 * no-new-privileges the filter is loaded (seccomp.InitSeccomp) before
 * finalizeNamespace; with it, just before the init pipe is closed, so only
 * the calls from there to system.Exec follow it in both cases. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "secprof.h"
#include "bpf/bpf.h"

static const secprof_runtime_call calls[] = {
	/* after the load without no-new-privileges only */
	{ "capget", "runc 1.1", "finalizeNamespace: capabilities.New reads the current sets",
	  false },
	{ "prctl", "runc 1.1",
	  "finalizeNamespace: ApplyBoundingSet (PR_CAPBSET_DROP), system.SetKeepCaps/ClearKeepCaps; pdeath.Restore",
	  false },
	{ "setgroups", "runc 1.1", "finalizeNamespace: setupUser (unix.Setgroups)", false },
	{ "setgid", "runc 1.1", "finalizeNamespace: setupUser (system.Setgid)", false },
	{ "setuid", "runc 1.1", "finalizeNamespace: setupUser (system.Setuid)", false },
	{ "chdir", "runc 1.1", "finalizeNamespace: unix.Chdir to the process cwd", false },
	{ "capset", "runc 1.1", "finalizeNamespace: capabilities ApplyCaps", false },
	{ "getppid", "runc 1.1", "linuxStandardInit.Init: the parent-pid check", false },
	{ "newfstatat", "runc 1.1", "linuxStandardInit.Init: exec.LookPath of the command", false },
	{ "faccessat2", "runc 1.1",
	  "linuxStandardInit.Init: eaccess (unix.Faccessat with AT_EACCESS)", false },
	/* after the load in both cases */
	{ "close", "runc 1.1", "linuxStandardInit.Init: closing the init pipe and the log pipe",
	  true },
	{ "openat", "runc 1.1",
	  "linuxStandardInit.Init: the exec fifo; UnsafeCloseFrom opens /proc/self/fd", true },
	{ "write", "runc 1.1", "linuxStandardInit.Init: writing the exec fifo", true },
	{ "fstatfs", "runc 1.1", "utils.UnsafeCloseFrom: EnsureProcHandle of /proc/self/fd", true },
	{ "getdents64", "runc 1.1", "utils.UnsafeCloseFrom: Readdirnames of /proc/self/fd", true },
	{ "futex", "runc 1.1", "the Go runtime of runc init", true },
	{ "rt_sigprocmask", "runc 1.1", "the Go runtime of runc init", true },
	{ "execve", "runc 1.1", "system.Exec of the command", true },
};

size_t secprof_runtime_denied(const secprof_insn *insns, size_t len, const secprof_arch *arch,
			      bool no_new_privs, const secprof_runtime_call **out, uint32_t *rets,
			      size_t max)
{
	secprof_arch_info info;
	size_t n = 0;
	/* checked once for all the calls (secprof_emulate would check it for
	 * each: most of `secprof run`'s own time); a program the kernel would
	 * refuse decides 0 (KILL), as secprof_emulate says for it */
	bool loadable;

	if (!insns || !len)
		return 0;
	loadable = sp_bpf_check(insns, len, NULL) == 0;
	if (!arch)
		arch = secprof_arch_native();
	secprof_arch_get_info(arch, &info);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		secprof_data d = { .arch = info.audit };
		uint32_t ret, action;

		if (no_new_privs && !calls[i].with_nnp)
			continue;
		if ((d.nr = secprof_syscall_nr(arch, calls[i].syscall)) < 0)
			continue;
		ret = loadable ? sp_emulate_checked(insns, &d, NULL) : 0;
		action = ret & 0xffff0000u;                         /* SECCOMP_RET_ACTION_FULL */
		if (action == 0x7fff0000u || action == 0x7ffc0000u) /* ALLOW, LOG */
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

size_t secprof_runtime_note(const secprof_insn *insns, size_t len, const secprof_arch *arch,
			    bool no_new_privs, char *buf, size_t buflen)
{
	const secprof_runtime_call *rows[64];
	uint32_t rets[64];
	size_t n = secprof_runtime_denied(insns, len, arch, no_new_privs, rows, rets, 64), at;
	char act[64];
	int w;

	if (!buflen)
		return n;
	buf[0] = '\0';
	if (!n)
		return 0;
	secprof_action_str(rets[0], act, sizeof(act));
	w = snprintf(
		buf, buflen,
		"docker run would fail to start: the profile denies %s (%s), which %s calls after "
		"loading the filter (%s)",
		rows[0]->syscall, act, rows[0]->runtime, rows[0]->step);
	at = w < 0 ? 0 : (size_t)w < buflen ? (size_t)w : buflen - 1;
	for (size_t i = 1; i < n && i < 64 && at + 1 < buflen; i++) {
		w = snprintf(buf + at, buflen - at, "%s%s", i == 1 ? "; and also " : ", ",
			     rows[i]->syscall);
		at = w < 0 ? at : at + (size_t)w < buflen ? at + (size_t)w : buflen - 1;
	}
	return n;
}
