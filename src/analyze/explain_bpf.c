/* explain_bpf.c - secprof_explain_bpf: for a raw program (a `secprof dump`
 * of a running process, a `compile -o` file), the action it takes for one
 * call and the instructions it runs to get there.
 *
 * There is no profile behind such a program, so no rule to name: the path
 * is the explanation. It is found with the one emulator (secprof_emulate)
 * rather than a second interpreter: classic BPF only jumps forward, so
 * whether instruction i runs depends only on the instructions before it,
 * and it runs exactly when the program with instruction i replaced by a
 * `ret` of a marker value returns that marker. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "secprof.h"

#define BPF_RET_K 0x06 /* BPF_RET | BPF_K */

/* A value no program returns for a call: SECCOMP_RET_ACTION_FULL bits the
 * kernel does not define (kernel/seccomp.c treats them as KILL_PROCESS,
 * so no compiler emits them). */
#define MARKER 0x7ffe0000u

static int run_path(const secprof_insn *insns, size_t len, const secprof_data *in, size_t **path,
		    size_t *npath, secprof_error *err)
{
	secprof_insn *copy = malloc(len * sizeof(*copy));
	size_t *p = malloc(len * sizeof(*p)), n = 0;

	if (!copy || !p) {
		free(copy);
		free(p);
		return sp_err_oom(err);
	}
	memcpy(copy, insns, len * sizeof(*copy));
	for (size_t i = 0; i < len; i++) {
		secprof_insn saved = copy[i];

		copy[i] = (secprof_insn){ .code = BPF_RET_K, .k = MARKER };
		if (secprof_emulate(copy, len, in, NULL) == MARKER)
			p[n++] = i;
		copy[i] = saved;
	}
	free(copy);
	*path = p;
	*npath = n;
	return 0;
}

/* Line i of a listing whose lines start "NNNN:" (secprof_bpf_listing). */
static const char *listing_line(const char *listing, size_t i, size_t *n)
{
	char tag[16];
	const char *s;
	size_t tl = (size_t)snprintf(tag, sizeof(tag), "%04zu:", i);

	for (s = listing; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		if (!strncmp(s, tag, tl)) {
			const char *e = strchrnul(s, '\n');
			*n = (size_t)(e - s);
			return s;
		}
	}
	return NULL;
}

int secprof_explain_bpf(const secprof_insn *insns, size_t len, const secprof_arch *abi,
			const secprof_data *in, unsigned flags, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	char *listing = NULL, act[64];
	const char *name;
	size_t *path = NULL, npath = 0;
	uint32_t ret;
	int rc;

	*out = NULL;
	if (!insns || !len || !in)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "no program or no call to explain");
	if ((rc = secprof_bpf_check(insns, len, err)) < 0)
		return rc;
	if ((rc = secprof_bpf_listing(insns, len, abi, &listing, err)) < 0)
		return rc;
	if ((rc = run_path(insns, len, in, &path, &npath, err)) < 0) {
		free(listing);
		return rc;
	}
	ret = secprof_emulate(insns, len, in, NULL);
	secprof_action_str(ret, act, sizeof(act));
	name = abi ? secprof_syscall_name(abi, in->nr) : NULL;
	if (flags & SECPROF_EXPLAIN_JSON) {
		sp_buf_puts(&b, "{\"syscall\": ");
		if (name)
			sp_buf_json_str(&b, name);
		else
			sp_buf_puts(&b, "null");
		sp_buf_printf(&b,
			      ", \"nr\": %" PRId32 ", \"arch\": %" PRIu32 ", \"action\": ", in->nr,
			      in->arch);
		sp_buf_json_str(&b, act);
		sp_buf_printf(&b, ", \"ret\": %" PRIu32 ", \"rule\": null, \"path\": [", ret);
		for (size_t i = 0; i < npath; i++)
			sp_buf_printf(&b, "%s%zu", i ? ", " : "", path[i]);
		sp_buf_puts(&b, "]}\n");
	} else {
		sp_buf_printf(&b,
			      "%s (SECCOMP_RET 0x%08" PRIx32 ") for %s (nr %" PRId32
			      ", arch 0x%08" PRIx32 ")\n",
			      act, ret, name ? name : "syscall", in->nr, in->arch);
		sp_buf_printf(&b,
			      "decided by: a raw program (no profile, so no rule to name); the %zu "
			      "instructions it runs:\n",
			      npath);
		for (size_t i = 0; i < npath; i++) {
			size_t n = 0;
			const char *l = listing_line(listing, path[i], &n);
			if (l)
				sp_buf_printf(&b, "  %.*s\n", (int)n, l);
		}
	}
	free(listing);
	free(path);
	if (b.oom) {
		sp_buf_free(&b);
		return sp_err_oom(err);
	}
	*out = b.data;
	return 0;
}
