/* scratch.c - one call's temporary memory in a region the context keeps
 * (scratch.h says why and what may live there). */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/scratch.h"
#include "core/util.h"

#ifdef SP_UNDER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
/* LeakSanitizer scans malloc's blocks, not a mapping of our own: a block
 * spilled to malloc that only the region points at would be a leak. */
#define lsan_root(p, n) __lsan_register_root_region((p), (n))
#define lsan_unroot(p, n) __lsan_unregister_root_region((p), (n))
#else
#define poison(p, n) ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#define lsan_root(p, n) ((void)(p), (void)(n))
#define lsan_unroot(p, n) ((void)(p), (void)(n))
#endif

/* The header in front of every block. */
struct blk {
	size_t size; /* payload bytes, a multiple of ALIGN; | FREED once freed */
	size_t prev; /* bytes of the block below, header included; 0: none */
};

#define ALIGN _Alignof(max_align_t)
/* the header's bytes, rounded up so that a payload keeps max_align_t's
 * alignment (16 bytes on x86_64 and on i386, where the header is 8) */
#define HDR ((sizeof(struct blk) + ALIGN - 1) & ~(ALIGN - 1))
#define FREED ((size_t)1)

struct sp_scratch {
	char *top;   /* end of the top block: the first free byte */
	char *end;   /* end of the region */
	char *ready; /* pages below this are mapped (populate_to) */
	size_t last; /* bytes of the top block, header included; 0: empty */
	size_t peak;
	size_t left; /* bytes in use when it was last given back */
	size_t page;
	char *map;     /* the mapping: the fork page, then this header */
	size_t mapped; /* its bytes */
	/* On the mapping's first page, which a forked child finds zeroed
	 * (MADV_WIPEONFORK): ARMED in the process that wrote it. NULL where
	 * the kernel refused the advice. */
	volatile unsigned *fork_word;
	max_align_t data[];
};

#define ARMED 0x5c7a7c4u

/* MADV_POPULATE_WRITE is Linux 5.14's (include/uapi/asm-generic/mman-common.h);
 * older headers lack the name, older kernels refuse it with EINVAL. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
/* Linux 4.14's (the same header); refused with EINVAL before. */
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

/* Bytes mapped ahead of the top at a time: a compile of Docker's default
 * takes three steps (144 KB), a parse of it two. */
#define POPULATE_STEP (64u * 1024u)

/* Map the region's pages up to at least s->top before they are written.
 * A region is new in a new process (`secprof compile`, `run` without a
 * cached filter), and each of its pages cost a page fault at first write:
 * a compile of Docker's default took ~30 of them. One
 * madvise(MADV_POPULATE_WRITE) maps a step's 64 KB in one entry into the
 * kernel (mm/madvise.c, madvise_populate): on a virtual machine, where
 * every exception exits to the hypervisor, that is several times faster
 * than a fault per page (README, "Performance"). Contents are not touched.
 * On a refusal (an older kernel, a profile denying madvise) the rest of
 * this region is left to fault in as before, and not asked again. */
static void populate_to(struct sp_scratch *s)
{
	uintptr_t mask = s->page - 1;
	char *from = (char *)((uintptr_t)s->ready & ~mask);
	char *to = (char *)(((uintptr_t)s->top + POPULATE_STEP + mask) & ~mask);
	char *map_end = s->map + s->mapped;

	if (to > map_end)
		to = map_end;
	if (madvise(from, (size_t)(to - from), MADV_POPULATE_WRITE) != 0)
		to = map_end;
	s->ready = to;
}

static bool inside(const struct sp_scratch *s, const void *p)
{
	return s && (const char *)p >= (const char *)s->data && (const char *)p < s->end;
}

static struct blk *header(void *p)
{
	return (struct blk *)((char *)p - HDR);
}

static void *payload_of(struct blk *b)
{
	return (char *)b + HDR;
}

/* A block of the region for size bytes, or NULL when it does not fit. */
static void *take(struct sp_scratch *s, size_t size)
{
	size_t payload, need;
	struct blk *b;

	if (!s || size > SP_SCRATCH_BYTES)
		return NULL;
	payload = size ? (size + ALIGN - 1) & ~(ALIGN - 1) : ALIGN;
	need = HDR + payload;
	if ((size_t)(s->end - s->top) < need)
		return NULL;
	b = (struct blk *)s->top;
	unpoison(b, HDR);
	b->size = payload;
	b->prev = s->last;
	poison(b, HDR);
	s->last = need;
	s->top += need;
	if (s->top > s->ready)
		populate_to(s);
	if ((size_t)(s->top - (char *)s->data) > s->peak)
		s->peak = (size_t)(s->top - (char *)s->data);
	unpoison(payload_of(b), size);
	return payload_of(b);
}

void *sp_salloc(struct sp_scratch *s, size_t size)
{
	void *p = take(s, size);

	return p ? p : malloc(size);
}

void *sp_scalloc(struct sp_scratch *s, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = take(s, n * size);
	if (!p)
		return calloc(n, size);
	memset(p, 0, n * size);
	return p;
}

/* Give back the top block while it is a freed one: what a free below the
 * top left behind comes back once everything above it is gone. */
static void pop_freed(struct sp_scratch *s)
{
	while (s->last) {
		struct blk *t = (struct blk *)(s->top - s->last);
		size_t size, prev;

		unpoison(t, HDR);
		size = t->size;
		prev = t->prev;
		poison(t, HDR);
		if (!(size & FREED))
			return;
		s->top = (char *)t;
		s->last = prev;
	}
}

void sp_sfree(struct sp_scratch *s, void *p)
{
	struct blk *b;

	if (!inside(s, p)) {
		free(p);
		return;
	}
	b = header(p);
	unpoison(b, HDR);
	poison(p, b->size);
	b->size |= FREED;
	poison(b, HDR);
	pop_freed(s);
}

void *sp_srealloc(struct sp_scratch *s, void *p, size_t size)
{
	struct blk *b;
	size_t have, payload;
	void *q;

	if (!p)
		return sp_salloc(s, size);
	if (!inside(s, p))
		return realloc(p, size);
	b = header(p);
	unpoison(b, HDR);
	have = b->size;
	payload = size ? (size + ALIGN - 1) & ~(ALIGN - 1) : ALIGN;
	/* the top block grows (or shrinks) in place */
	if ((char *)p + have == s->top && size <= SP_SCRATCH_BYTES &&
	    (size_t)(s->end - (char *)p) >= payload) {
		char *old_end = s->top;

		b->size = payload;
		poison(b, HDR);
		s->top = (char *)p + payload;
		s->last = HDR + payload;
		if (s->top > s->ready)
			populate_to(s);
		if ((size_t)(s->top - (char *)s->data) > s->peak)
			s->peak = (size_t)(s->top - (char *)s->data);
		unpoison(p, size);
		/* the slack, and what a shrink gave back */
		poison((char *)p + size,
		       (size_t)((old_end > s->top ? old_end : s->top) - ((char *)p + size)));
		return p;
	}
	poison(b, HDR);
	if (size <= have) { /* grown within its rounding, or shrunk */
		unpoison(p, size);
		poison((char *)p + size, have - size);
		return p;
	}
	q = sp_salloc(s, size);
	if (!q)
		return NULL; /* p stays as it was, as realloc leaves it */
	unpoison(p, have);
	memcpy(q, p, have);
	sp_sfree(s, p);
	return q;
}

/* A region of its own mapping, so that its pages are whole and populate_to
 * maps only the region's: a page for the fork word, then the header and
 * the blocks. The first step is mapped before anything is written, so
 * that not even the header's page takes a fault; the rest as the top
 * reaches it. */
static struct sp_scratch *new_region(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t psize = page > 0 ? (size_t)page : 4096;
	size_t mapped =
		psize + ((sizeof(struct sp_scratch) + SP_SCRATCH_BYTES + psize - 1) & ~(psize - 1));
	size_t first =
		psize + ((sizeof(struct sp_scratch) + POPULATE_STEP + psize - 1) & ~(psize - 1));
	char *map = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool wipes, populated;
	struct sp_scratch *s;

	if (map == MAP_FAILED)
		return NULL;
	wipes = madvise(map, psize, MADV_WIPEONFORK) == 0;
	populated = madvise(wipes ? map : map + psize, wipes ? first : first - psize,
			    MADV_POPULATE_WRITE) == 0;
	s = (struct sp_scratch *)(map + psize);
	s->page = psize;
	s->map = map;
	s->mapped = mapped;
	s->top = (char *)s->data;
	s->end = s->top + SP_SCRATCH_BYTES;
	s->ready = populated ? map + first : map + mapped; /* refused: not asked again */
	s->last = 0;
	s->left = 0;
	s->fork_word = wipes ? (volatile unsigned *)map : NULL;
	if (wipes)
		*s->fork_word = ARMED;
	poison(s->data, SP_SCRATCH_BYTES);
	lsan_root(map, mapped);
	return s;
}

/* A region this process did not create: a forked child's copy of the one
 * its parent's context kept. It is empty (sp_scratch_give), but each of
 * its pages is the parent's until written, and each first write would
 * take a copy-on-write fault (12-23 us on a virtual machine, 36 of them
 * for a compile of Docker's default) to copy bytes no one will read. The
 * pages are dropped instead (mm/madvise.c, MADV_DONTNEED: the next touch
 * finds a zeroed page) and mapped again a step at a time as in a new
 * region. Only the header's page is kept. */
static void forked_copy(struct sp_scratch *s)
{
	char *kept_end = (char *)s + s->page; /* s is page-aligned */

	madvise(kept_end, (size_t)(s->map + s->mapped - kept_end), MADV_DONTNEED);
	s->ready = s->map;
	populate_to(s);
	*s->fork_word = ARMED;
}

struct sp_scratch *sp_scratch_take(secprof_ctx *ctx)
{
	struct sp_scratch *s;

	if (!ctx || !ctx->keeps_scratch)
		return NULL;
	s = atomic_exchange(&ctx->scratch, NULL);
	if (!s) {
		s = new_region();
		if (!s)
			return NULL;
	}
	if (s->fork_word && *s->fork_word != ARMED)
		forked_copy(s);
	s->peak = 0;
	return s;
}

void sp_scratch_give(secprof_ctx *ctx, struct sp_scratch *s)
{
	struct sp_scratch *none = NULL;

	if (!s)
		return;
	s->left = (size_t)(s->top - (char *)s->data);
	poison(s->data, SP_SCRATCH_BYTES);
	s->top = (char *)s->data;
	s->last = 0;
	if (!ctx || !atomic_compare_exchange_strong(&ctx->scratch, &none, s))
		sp_scratch_free(s);
}

void sp_scratch_free(struct sp_scratch *s)
{
	if (!s)
		return;
	unpoison(s->data, SP_SCRATCH_BYTES);
	lsan_unroot(s->map, s->mapped);
	munmap(s->map, s->mapped);
}

void sp_scratch_release(secprof_ctx *ctx)
{
	if (ctx)
		sp_scratch_free(atomic_exchange(&ctx->scratch, NULL));
}

size_t sp_scratch_used(const struct sp_scratch *s)
{
	return s ? (size_t)(s->top - (const char *)s->data) : 0;
}

size_t sp_scratch_peak(const struct sp_scratch *s)
{
	return s ? s->peak : 0;
}

size_t sp_scratch_left(const struct sp_scratch *s)
{
	return s ? s->left : 0;
}
