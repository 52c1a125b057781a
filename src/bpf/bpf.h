/* bpf.h - the BPF layer: program generation from the rule set (compile.c),
 * the kernel's load-time checks (emulate.c), listings (disasm.c). */
#ifndef SP_BPF_H
#define SP_BPF_H

#include <stddef.h>

#include "secprof.h"
#include "core/arch.h"
#include "ir/ruleset.h"

/* Generate BPF for a ruleset (compile.c). No size limit is applied here:
 * secprof_compile refuses programs over BPF_MAXINSNS. *out is malloc'ed. */
int sp_bpf_generate(const struct sp_ruleset *rs, secprof_insn **out, size_t *len,
		    secprof_error *err);

/* Check a program as the kernel's seccomp_check_filter + bpf_check_classic
 * would (emulate.c). 0 if loadable, else -SECPROF_E_PROFILE with the reason
 * and the instruction index in err->path ("insn[12]"). */
int sp_bpf_check(const secprof_insn *insns, size_t len, secprof_error *err);

/* secprof_emulate of a program that already passed sp_bpf_check: for a
 * caller that runs many inputs through one program (the check walks the
 * whole program, the run only its path). */
uint32_t sp_emulate_checked(const secprof_insn *insns, const secprof_data *in, unsigned *steps);

/* Listing and Graphviz text (disasm.c). `arch` names syscalls when the
 * program does not say which arch a section is for (may be NULL). *out is
 * malloc'ed and NUL-terminated. */
int sp_bpf_listing(const secprof_insn *insns, size_t len, const struct sp_arch *arch, char **out,
		   secprof_error *err);
int sp_bpf_dot(const secprof_insn *insns, size_t len, const struct sp_arch *arch, char **out,
	       secprof_error *err);

#endif
