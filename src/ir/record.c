/* record.c - what the program leaves out and why (docs/IR.md): the drops
 * the IR reports (secprof_ir), recorded by every stage of the build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* Record what the program leaves out and why (docs/IR.md), when the build
 * records. -SECPROF_E_SYSTEM when out of memory: the build then fails, as an
 * IR that misses a reason would lie. */
int sp_rs_add_drop(struct build *b, enum secprof_reason reason, const struct sp_rule *rule,
		   const char *name, const struct sp_arch *a, const char *via,
		   const struct sp_rule *by, int cond)
{
	struct sp_drop *d;

	if (!b->record)
		return 0;
	if (!(d = sp_vec_push(&b->drops)))
		return sp_err_oom(b->err);
	*d = (struct sp_drop){ .reason = reason,
			       .rule = rule,
			       .name = name,
			       .arch = a,
			       .via = via,
			       .by = by,
			       .cond = cond };
	return 0;
}

/* The drop of one (nr, rule) entry: the name as written, and the
 * multiplexer when the entry is libseccomp's socketcall/ipc copy. */
int sp_rs_drop_entry(struct build *b, enum secprof_reason reason, const struct sp_arch *a,
		     const struct entry *e, const struct sp_rule *by, int cond)
{
	if (!b->record) /* and b->names is NULL */
		return 0;
	return sp_rs_add_drop(b, reason, e->rule, b->names[entry_name(e)], a,
			      entry_is_mux(e) ? e->name : NULL, by, cond);
}
