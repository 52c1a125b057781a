/* check.h - validation warnings and a summary of a profile and its
 * resolution, for `secprof check` (check.c). */
#ifndef SP_CHECK_H
#define SP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "profile/profile.h"
#include "profile/resolve.h"

/* Rules and name entries per action, over the resolved rules. */
struct sp_action_count {
	size_t rules;
	size_t names;
};

struct sp_summary {
	/* The profile as written. */
	size_t rules; /* syscalls[] entries */
	size_t names; /* name entries over all rules */
	size_t distinct_names;
	size_t rules_with_args;
	size_t cap_rules;    /* includes.caps or excludes.caps */
	size_t arch_rules;   /* includes.arches or excludes.arches */
	size_t kernel_rules; /* includes.minKernel or excludes.minKernel */
	/* The OCI linux.seccomp it resolves to. */
	size_t res_rules;
	size_t res_names;
	size_t res_distinct_names;
	struct sp_action_count actions[SP_ACT__COUNT];
	struct sp_action_count bad_actions; /* action strings runc rejects */
	size_t warnings;                    /* warnings reported by sp_check_profile */
};

/* Report through the context's warning callback what Docker accepts but
 * does nothing useful (in strict mode the first one is an error):
 * names unknown on every arch, errnoRet on an action that takes none, rules
 * equal to the default action (runc skips them, docs/COMPAT.md §4.1.2), argument
 * values with high bits a syscall reading the argument as 32 bits never
 * sees (neither 0 nor a sign extension), and 32-bit arguments one name's
 * rules test with values of different high words (compared on 64 bits,
 * as libseccomp does). Adds the
 * number of warnings to *nwarn. */
int sp_check_profile(secprof_ctx *ctx, const struct secprof_profile *p, size_t *nwarn,
		     secprof_error *err);

/* Count what the profile and its resolution contain. */
int sp_summarize(const struct secprof_profile *p, const struct secprof_resolved *r,
		 struct sp_summary *s, secprof_error *err);

#endif
