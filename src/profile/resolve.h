/* resolve.h - a profile resolved for one container (resolve.c, docs/COMPAT.md §2). */
#ifndef SP_RESOLVE_H
#define SP_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arch.h"
#include "profile/profile.h"

/* A rule, or one name of it on one arch, or one condition of it, that the
 * program leaves out, and why (docs/IR.md). resolve.c records the rules
 * moby drops; ir/ what runc and libseccomp drop. */
struct sp_drop {
	enum secprof_reason reason;
	const struct sp_rule *rule;
	const char *name;           /* NULL: the whole rule */
	const struct sp_arch *arch; /* NULL: every arch */
	const char *via;            /* "socketcall"/"ipc": libseccomp's copy */
	const struct sp_rule *by;   /* the rule that decides instead, or NULL */
	int cond;                   /* CONDITION_DROPPED: args[cond]; else -1 */
	char detail[32];            /* capability, arch or kernel; "" */
};

/* The OCI linux.seccomp moby would hand to runc. Borrows strings and rules
 * from the profile: the profile must outlive it. */
struct secprof_resolved {
	const struct secprof_profile *prof;
	bool unconfined;              /* {} or OCI config without seccomp */
	const struct sp_arch *native; /* the arch resolved for */
	secprof_caps caps;
	int kernel_major, kernel_minor;
	const struct sp_str **architectures; /* OCI "architectures" (SCMP_ARCH_*) */
	size_t narchitectures;
	const struct sp_rule **rules; /* rules kept, in profile order */
	size_t nrules;
	bool kernel_used;      /* a minKernel condition was evaluated */
	struct sp_drop *drops; /* the rules moby left out, in profile order */
	size_t ndrops;
};

/* Exact, case-sensitive capability lookup, as includes/excludes.caps match
 * the bounding set (docs/COMPAT.md §2.3); -1 when the name is not a capability. */
int sp_cap_from_exact_name(const char *name);

/* Whether Debian 12's Docker can give a container this capability (it
 * knows CAP_CHOWN .. CAP_AUDIT_READ only: src/profile/caps.c). */
bool sp_cap_docker_grantable(int cap);

/* Parse a uname release like Go's Sscanf(release, "%d.%d") (docs/COMPAT.md §2.3).
 * On failure returns false and puts Go's error text ("unexpected EOF",
 * "expected integer", ...) in why. */
bool sp_kernel_parse_release(const char *release, unsigned long *major, unsigned long *minor,
			     char *why, size_t whylen);

#endif
