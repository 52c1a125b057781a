/* space.h - the input space of seccomp programs cut into regions where
 * every program decides one way (space.c), for diff and merge.
 *
 * A seccomp program only loads 32-bit words of struct seccomp_data and
 * compares them (possibly masked) with constants (kernel/seccomp.c
 * seccomp_check_filter allows nothing else that reads the input), so for
 * each word the constants it is compared with cut it into intervals (and
 * mask patterns) on which every comparison keeps its truth. The walk fixes
 * the words one at a time (arch, nr, then the arguments), collecting only
 * the constants the programs compare that word with on the paths the
 * already fixed words leave open, and runs every program on one
 * representative input per region (secprof_emulate). */
#ifndef SP_ANALYZE_SPACE_H
#define SP_ANALYZE_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secprof.h"

#define SP_SPACE_WORDS 16 /* sizeof(struct seccomp_data) / 4 */
#define SP_SPACE_MAXPROGS 8
#define SP_W_NR 0
#define SP_W_ARCH 1

/* The values x of one word in [lo, hi] with (x & mask) == pat; rep is the
 * smallest of them. A word no program reads: [0, UINT32_MAX], mask 0. */
struct sp_wregion {
	uint32_t lo, hi, mask, pat, rep;
};

/* One region of the whole input: a representative input and the region of
 * each word, and what each program returns on all of it. */
struct sp_leaf {
	secprof_data in;
	struct sp_wregion r[SP_SPACE_WORDS];
	uint32_t ret[SP_SPACE_MAXPROGS];
};

/* Called once per region; a non-zero return stops the walk with it. */
typedef int (*sp_leaf_fn)(void *data, const struct sp_leaf *leaf);

/* Walk the regions of progs[0..n) (n <= SP_SPACE_MAXPROGS, each checked
 * with secprof_bpf_check first). 0, the callback's non-zero value, or
 * -SECPROF_E_LIMIT (too many regions, a program that computes on an input
 * word before comparing it, or one that returns a value computed from an
 * input word) / -SECPROF_E_PROFILE (a bad program) with err. */
int sp_space_walk(const secprof_insn *const *progs, const size_t *lens, size_t n, sp_leaf_fn fn,
		  void *data, secprof_error *err);

/* sp_space_walk with each argument's low word fixed before its high word
 * (high_first false): other regions, the same decisions (merge writes
 * rules from both orders and keeps the shorter profile). */
int sp_space_walk_order(const secprof_insn *const *progs, const size_t *lens, size_t n,
			sp_leaf_fn fn, void *data, bool high_first, secprof_error *err);

/* Word index of argument i's low / high half in an input of arch token
 * `arch`: the words of a u64 in that kernel's memory order (core/arch.h
 * sp_data_word). */
unsigned sp_space_arg_word(uint32_t arch, unsigned arg, bool high);

/* Whether value w of a word is in region r. */
bool sp_wregion_has(const struct sp_wregion *r, uint32_t w);

/* The word w of an input. */
uint32_t sp_space_word(const secprof_data *in, unsigned w);

#endif
