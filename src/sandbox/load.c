/* load.c - install a compiled program in the calling thread (docs/COMPAT.md §4.1.4).
 *
 * Like runc's PatchAndLoad, the program goes to seccomp(2) with the flags the
 * profile asked for, or to prctl(PR_SET_SECCOMP) when there are none, and
 * no_new_privs is only set when the kernel would refuse the filter without
 * it (no CAP_SYS_ADMIN in the effective set). Like crun, flags a kernel does
 * not know are dropped one at a time when seccomp(2) says EINVAL. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Flags an older kernel may not know, newest first: each is dropped in turn
 * on EINVAL. NEW_LISTENER is never dropped (the caller needs the fd) and
 * TSYNC neither (other threads would stay unfiltered). */
static const uint32_t droppable_flags[] = {
	SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, /* 5.19 */
	SECCOMP_FILTER_FLAG_SPEC_ALLOW,         /* 4.17 */
	SECCOMP_FILTER_FLAG_LOG,                /* 4.14 */
};

static bool has_effective_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
}

static long install(struct sock_fprog *fprog, uint32_t flags)
{
	if (flags == 0)
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog, 0, 0);
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, fprog);
}

static long install_dropping_unknown_flags(struct sock_fprog *fprog, uint32_t flags)
{
	long rc = install(fprog, flags);

	for (size_t i = 0; rc < 0 && errno == EINVAL && i < SP_ARRAY_SIZE(droppable_flags); i++) {
		if (!(flags & droppable_flags[i]))
			continue;
		flags &= ~droppable_flags[i];
		rc = install(fprog, flags);
	}
	return rc;
}

int secprof_load(const secprof_prog *prog, secprof_error *err)
{
	struct sock_fprog fprog;
	uint32_t flags;
	long rc;

	if (!prog || !prog->insns || prog->len == 0)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "cannot load an empty seccomp program");
	if (prog->len > BPF_MAXINSNS)
		return sp_err(err, SECPROF_E_LIMIT, NULL, NULL, NULL,
			      "seccomp program has %zu instructions, the kernel takes at most %d",
			      prog->len, BPF_MAXINSNS);
	fprog.len = (unsigned short)prog->len;
	/* secprof_insn is laid out as struct sock_filter (secprof.h). */
	fprog.filter = (struct sock_filter *)prog->insns;
	flags = prog->flags;
	if (prog->needs_listener)
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;

	/* The kernel refuses a filter from a task without CAP_SYS_ADMIN unless
	 * no_new_privs is set; runc relies on that and loads before dropping
	 * caps when no-new-privileges is off (docs/COMPAT.md §4.1.4). */
	if (!has_effective_sys_admin() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sp_err_errno(err, NULL, "cannot set no_new_privs");
	rc = install_dropping_unknown_flags(&fprog, flags);
	if (rc < 0)
		return sp_err_errno(err, NULL,
				    "cannot load seccomp filter (%zu instructions, flags 0x%x)",
				    prog->len, flags);
	return prog->needs_listener ? (int)rc : 0;
}
