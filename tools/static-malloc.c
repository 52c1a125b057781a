/* static-malloc.c - the allocator of the static secprof, linked into
 * build/secprof-static in place of musl's (Makefile, "A static secprof").
 *
 * A secprof command lives for a few milliseconds and makes a few hundred
 * allocations. musl's mallocng gives each size class a group of its own,
 * mapped with mmap and headed by metadata it writes on first use:
 * `secprof-static compile` of Docker's default took 144 page faults, 84 of
 * them mallocng's own first writes (perf record -e page-faults), and on a
 * virtual machine a fault costs microseconds. Here a block is cut from
 * 1 MiB mappings one after the other, so a command touches few pages beyond
 * the bytes it writes; a freed block goes on the free list of its size
 * class (powers of two from 16 bytes to 256 KiB) for the next request of
 * that class. A larger block gets a mapping of its own (grown with mremap,
 * unmapped on free), so a large input read and freed goes back to the
 * kernel as before.
 *
 * No lock. Besides the main thread, secprof has two CLONE_VM children
 * (src/sandbox/proc.c): sp_spawn_shared's, while the caller is stopped
 * (CLONE_VFORK), and sp_spawn_held's, a container's command, which runs
 * its own code only after its parent (the container's init, which
 * allocates nothing between the spawn and its execve) has exec'd; and two
 * threads: run --explain's server (live.c), started
 * after that child has exec'd, and record's notify supervisor (notify.c),
 * which allocates only while the child is stopped in a system call it
 * reports. So two allocations can overlap only where one of them is inside
 * mmap, mremap or munmap, and none of those calls is made with the state
 * half changed: a region mapped while another allocation took blocks from
 * the old one replaces it, whose rest is lost, never handed out twice. A
 * lock would deadlock there instead (the child stopped inside mmap while
 * holding it, the supervisor waiting for it). A new use of threads must
 * keep to this, or give this file a lock that no reported call holds. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN 16u
#define MIN_SHIFT 4u  /* 16 bytes */
#define MAX_SHIFT 18u /* 256 KiB: larger blocks are mapped alone */
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define REGION (1u << 20)
#define LARGE_FLAG ((size_t)1 << 63)

/* 16 bytes before every block: its class, or its mapping's length with
 * LARGE_FLAG. The second word keeps the block 16-aligned. */
struct header {
	size_t what;
	size_t unused;
};

struct free_block {
	struct free_block *next;
};

/* The allocator's state: the process's one heap (malloc has no context to
 * hold it in). */
static struct {
	char *bump, *end; /* the unused rest of the current region */
	struct free_block *free[NCLASSES];
} heap;

void *malloc(size_t size);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *aligned_alloc(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);
void *memalign(size_t align, size_t size);
size_t malloc_usable_size(void *p);

static struct header *header_of(void *p)
{
	return (struct header *)p - 1;
}

static unsigned class_of(size_t size)
{
	unsigned c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static size_t class_size(unsigned c)
{
	return (size_t)1 << (c + MIN_SHIFT);
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void *large_alloc(size_t size)
{
	size_t len = (size + sizeof(struct header) + 4095) & ~(size_t)4095;
	struct header *h;

	if (len < size || !(h = map(len))) {
		errno = ENOMEM;
		return NULL;
	}
	h->what = len | LARGE_FLAG;
	return h + 1;
}

/* A block of class c: from its free list, else cut from the region.
 * *fresh: the block was never used (mmap's pages read as zeros). */
static void *small_alloc(unsigned c, int *fresh)
{
	size_t need = sizeof(struct header) + class_size(c);
	struct free_block *f = heap.free[c];
	struct header *h;

	if (f) {
		heap.free[c] = f->next;
		*fresh = 0;
		return f;
	}
	if ((size_t)(heap.end - heap.bump) < need) {
		char *r = map(REGION);
		if (!r) {
			errno = ENOMEM;
			return NULL;
		}
		heap.bump = r;
		heap.end = r + REGION;
	}
	h = (struct header *)heap.bump;
	heap.bump += need;
	h->what = c;
	*fresh = 1;
	return h + 1;
}

static void *alloc(size_t size, int *fresh)
{
	*fresh = 1;
	if (size > class_size(NCLASSES - 1))
		return large_alloc(size);
	return small_alloc(class_of(size ? size : 1), fresh);
}

void *malloc(size_t size)
{
	int fresh;

	return alloc(size, &fresh);
}

void free(void *p)
{
	struct header *h;

	if (!p)
		return;
	h = header_of(p);
	if (h->what & LARGE_FLAG) {
		munmap(h, h->what & ~LARGE_FLAG);
		return;
	}
	((struct free_block *)p)->next = heap.free[h->what];
	heap.free[h->what] = p;
}

void *calloc(size_t n, size_t size)
{
	void *p;
	int fresh;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc(n * size, &fresh);
	if (p && !fresh)
		memset(p, 0, n * size);
	return p;
}

size_t malloc_usable_size(void *p)
{
	struct header *h;

	if (!p)
		return 0;
	h = header_of(p);
	if (h->what & LARGE_FLAG)
		return (h->what & ~LARGE_FLAG) - sizeof(*h);
	return class_size((unsigned)h->what);
}

void *realloc(void *p, size_t size)
{
	struct header *h;
	size_t have;
	void *q;

	if (!p)
		return malloc(size);
	h = header_of(p);
	have = malloc_usable_size(p);
	if (size <= have && (h->what & LARGE_FLAG || size > have / 2 || !h->what))
		return p;
	if ((h->what & LARGE_FLAG) && size > class_size(NCLASSES - 1)) {
		size_t len = (size + sizeof(*h) + 4095) & ~(size_t)4095;
		struct header *m = len < size
					   ? MAP_FAILED
					   : mremap(h, h->what & ~LARGE_FLAG, len, MREMAP_MAYMOVE);
		if (m == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		m->what = len | LARGE_FLAG;
		return m + 1;
	}
	if (!(q = malloc(size)))
		return NULL;
	memcpy(q, p, have < size ? have : size);
	free(p);
	return q;
}

/* Small blocks are 16-aligned, large ones 16 bytes past a page: more than
 * 16 is not given (nothing in secprof asks for it). */
void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1)) || align > ALIGN) {
		errno = EINVAL;
		return NULL;
	}
	return malloc(size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) || align > ALIGN)
		return EINVAL;
	if (!(p = malloc(size)))
		return ENOMEM;
	*out = p;
	return 0;
}

void *memalign(size_t align, size_t size)
{
	return aligned_alloc(align, size);
}
