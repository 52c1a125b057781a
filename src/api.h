/* api.h - what the public API front files (src/api_*.c) share: the run
 * and container-run entry points with the hook `secprof record` attaches
 * (sandbox/run.h, struct sp_run_hook), so that record runs a command
 * through the very code `secprof run` uses. */
#ifndef SP_API_H
#define SP_API_H

#include "secprof.h"
#include "sandbox/run.h"

/* secprof_run with run --explain's supervisor and secprof record's hook
 * (both NULL: secprof_run itself). */
int sp_api_run(const secprof_run_opts *o, struct sp_live *live, const struct sp_run_hook *hook,
	       secprof_error *err);
/* secprof_container_run with a hook (NULL: secprof_container_run itself),
 * and the caller's fds among those a->preserve_fds passes, sampled (with
 * sp_fds_sample) at the API's entry, before secprof opened anything
 * (NULL: sampled at this call). */
int sp_api_container_run(secprof_ctx *ctx, const secprof_container_opts *a,
			 const struct sp_run_hook *hook, const uint64_t *caller_fds,
			 secprof_error *err);

/* secprof_run_filter with the filter cache in cache_dir (NULL: none;
 * sandbox/progcache.c, README "The filter cache"). With text non-NULL,
 * a profile file's bytes the program was made from are handed over in
 * *text (malloc'ed, *text_len bytes; left alone for builtin, unconfined
 * or on failure). */
int sp_run_filter(secprof_ctx *ctx, const char *seccomp_opt, bool privileged, secprof_caps caps,
		  const secprof_compile_opts *copts, const char *cache_dir, secprof_prog **prog,
		  char **text, size_t *text_len, secprof_error *err);

#endif
