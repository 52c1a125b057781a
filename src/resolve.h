/* resolve.h - a profile resolved for one container (resolve.c, spec §2). */
#ifndef SP_RESOLVE_H
#define SP_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "profile.h"

/* The OCI linux.seccomp moby would hand to runc. Borrows strings and rules
 * from the profile: the profile must outlive it. */
struct secprof_resolved {
	const struct secprof_profile *prof;
	bool unconfined;               /* {} or OCI config without seccomp */
	const struct sp_arch *native;  /* the arch resolved for */
	secprof_caps caps;
	int kernel_major, kernel_minor;
	const struct sp_str **architectures; /* OCI "architectures" (SCMP_ARCH_*) */
	size_t narchitectures;
	const struct sp_rule **rules;  /* rules kept, in profile order */
	size_t nrules;
};

#endif
