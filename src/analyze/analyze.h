/* analyze.h - helpers shared by lint.c, diff.c and merge.c, and the
 * runtimes' post-load table that record reads (the analyze layer's own;
 * the public API is in include/secprof.h). */
#ifndef SP_ANALYZE_H
#define SP_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/space.h"
#include "core/util.h"
#include "secprof.h"

/* The precedence of a return value's action as the kernel weighs stacked
 * filters: lower is stricter (kernel/seccomp.c, ACTION_ONLY as s32). */
int sp_action_rank(uint32_t ret);
/* ret as the kernel applies it: ERRNO data capped at 4095, an unknown
 * action as KILL_PROCESS (kernel/seccomp.c __seccomp_filter). */
uint32_t sp_action_effect(uint32_t ret);
/* ALLOW or LOG: the call runs. */
bool sp_action_allows(uint32_t ret);
/* The arch of an input (x32 told from x86_64 by the number's x32 bit);
 * NULL when none has its audit value. */
const secprof_arch *sp_arch_of_input(const secprof_data *in);
/* The argument words of a region as text ("arg0==38"); "" when none. */
void sp_region_text(const struct sp_wregion *r, char *out, size_t len);
/* "name(a0, a1, ...)" for an input. */
void sp_call_text(const secprof_data *in, const char *name, struct sp_buf *b);
/* What decided side s on `in`: "syscalls[N] (line:col)", "default",
 * "enosys", "arch"; "" without a rule set. */
void sp_by_text(const secprof_side *s, const secprof_data *in, char *out, size_t len);

/* secprof_merge's Docker form (merge.c): the combination of the inputs as
 * one Docker profile, verified; *out malloc'ed. The SPO form is the
 * export's (src/api_merge.c). */
int sp_merge_docker(secprof_ctx *ctx, const secprof_side *in, size_t n,
		    enum secprof_merge_mode mode, const secprof_compile_opts *co, char **out,
		    secprof_error *err);

/* Row i of the runtimes' post-load table (runtime.c), NULL past the end. */
const secprof_runtime_call *sp_runtime_row_at(size_t i);
/* Whether row c is runtime `runtime` ("runc", "crun", "secprof"). */
bool sp_runtime_is(const secprof_runtime_call *c, const char *runtime);
/* secprof_runtime_note for a program whose sp_bpf_check the caller made
 * (is_loadable: it passed), so that a note for each runtime checks it
 * once. */
size_t sp_runtime_note_checked(const secprof_insn *insns, size_t len, bool is_loadable,
			       const secprof_arch *arch, const char *runtime, bool no_new_privs,
			       char *buf, size_t buflen);

#endif
