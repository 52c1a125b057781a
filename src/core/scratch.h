/* scratch.h - the memory one call of the library needs only until it
 * returns, from a region the context keeps between calls.
 *
 * Why: a compile makes some eighty allocations (vectors, tables, the
 * program being emitted) and frees them all before it returns. From malloc
 * they land wherever the process's heap has room; in a process that did
 * other work first (`make bench` compiles with libseccomp between secprof's
 * compiles) that is scattered over many pages, and a compile that follows
 * other work (its caches and TLB cold) paid 15-20 % more for it. From one
 * region they land on the same few pages at every call.
 *
 * The region is a stack of blocks: sp_sfree of the top block gives its
 * bytes back (and those of the freed blocks below it), sp_srealloc of the
 * top block grows it in place, and a free of a block below the top is
 * taken back once everything above it is freed. A request that does not
 * fit goes to malloc, so the region bounds the memory it can hold
 * (SP_SCRATCH_BYTES) and never makes a call fail. Every function takes a
 * NULL scratch as "use malloc": code that may run outside a call that has
 * one (or that must return what it allocates) passes NULL.
 *
 * The region is a mapping of its own whose pages are mapped a step ahead
 * of the top with one madvise each step (scratch.c, populate_to), rather
 * than one page fault at each page's first write: a new process's first
 * compile of Docker's default took ~30 faults fewer. A forked child that
 * takes its copy of the parent's region (empty, as every kept region is)
 * drops the parent's pages instead of copying each on its first write
 * (scratch.c, forked_copy): it finds out from a word the kernel zeroes in
 * a child (MADV_WIPEONFORK), with no system call in the parent.
 *
 * Nothing allocated from a scratch may outlive the call that took it:
 * sp_scratch_give empties it. Under AddressSanitizer, free and unused
 * bytes and block headers are poisoned, so a block used after its free or
 * after the call is reported. */
#ifndef SP_SCRATCH_H
#define SP_SCRATCH_H

#include <stddef.h>

#include "secprof.h"

/* Bytes a context keeps for one call's temporaries: a compile of Docker's
 * default needs 144 KB of them (the rule set's arena is one 64 KB chunk),
 * Podman's 191 KB, a parse of either 80 KB. A larger call spills to malloc;
 * secprof_compile does not use the region at all for a profile of more
 * than a thousand names (compile.c SCRATCH_MAX_NAMES), nor the parser for
 * one it reads lazily: such a call would hold the region's pages on top of
 * the heap's. */
#define SP_SCRATCH_BYTES (256u * 1024u)

struct sp_scratch;

/* The context's region (a new one if another thread holds it), or NULL:
 * then everything comes from malloc. NULL without memory, without a
 * context, or for a context that is not one of secprof_ctx_new (a zeroed
 * one on the stack, which nothing would free). */
struct sp_scratch *sp_scratch_take(secprof_ctx *ctx);
/* Empty s and keep it in ctx for the next call (or free it if ctx already
 * keeps one). NULL is a no-op. */
void sp_scratch_give(secprof_ctx *ctx, struct sp_scratch *s);
/* Free a region, and the one a context keeps (secprof_ctx_free). */
void sp_scratch_free(struct sp_scratch *s);
void sp_scratch_release(secprof_ctx *ctx);

void *sp_salloc(struct sp_scratch *s, size_t size);
void *sp_scalloc(struct sp_scratch *s, size_t n, size_t size);
void *sp_srealloc(struct sp_scratch *s, void *p, size_t size);
void sp_sfree(struct sp_scratch *s, void *p);

/* Bytes of the region in use now, the most in use since it was taken,
 * and those still in use when it was last given back: 0 unless a call
 * left a block behind (tests and tuning). */
size_t sp_scratch_used(const struct sp_scratch *s);
size_t sp_scratch_peak(const struct sp_scratch *s);
size_t sp_scratch_left(const struct sp_scratch *s);

#endif
