/* alloc-guard.c - LD_PRELOAD'ed on a glibc secprof in tests: says so on
 * standard error when a process other than the one it was loaded into,
 * before its own execve, calls the allocator. Such a process is a child
 * that secprof made with clone(2), or a fork of a caller with threads;
 * clone runs none of the C library's fork handlers, so another thread's
 * allocator lock can be held for ever there (src/sandbox/user.c). The
 * test (tests/suites/container.sh) wants no line of it.
 *
 * glibc's own malloc is reached through its __libc_ names, which it
 * exports for allocators that wrap it (malloc/malloc.c). The report uses
 * raw system calls and dladdr alone, so it allocates nothing itself. */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

/* The build hides every symbol not marked (-fvisibility=hidden). */
#define INTERPOSED __attribute__((visibility("default")))

static pid_t loaded_into;

/* Out of the environment again: a container's command, which gets the
 * library caller's environment (tests/helpers/api-threads.c), would try
 * to load it from a path its root does not have. */
__attribute__((constructor)) static void remember_process(void)
{
	loaded_into = (pid_t)syscall(SYS_getpid);
	unsetenv("LD_PRELOAD");
}

static void report(const char *call, const void *caller)
{
	char line[512];
	Dl_info where = { 0 };
	const char *file;
	int n;

	if (!loaded_into || (pid_t)syscall(SYS_getpid) == loaded_into)
		return;
	dladdr(caller, &where);
	file = where.dli_fname ? strrchr(where.dli_fname, '/') : NULL;
	n = snprintf(line, sizeof(line), "alloc-guard: %s in a child before execve, from %s+%#lx\n",
		     call, file ? file + 1 : "?",
		     (unsigned long)((const char *)caller - (const char *)where.dli_fbase));
	if (n > 0)
		syscall(SYS_write, 2, line,
			(size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

INTERPOSED void *malloc(size_t n)
{
	report("malloc", __builtin_return_address(0));
	return __libc_malloc(n);
}

INTERPOSED void *calloc(size_t n, size_t size)
{
	report("calloc", __builtin_return_address(0));
	return __libc_calloc(n, size);
}

INTERPOSED void *realloc(void *p, size_t n)
{
	report("realloc", __builtin_return_address(0));
	return __libc_realloc(p, n);
}

INTERPOSED void *memalign(size_t align, size_t n)
{
	report("memalign", __builtin_return_address(0));
	return __libc_memalign(align, n);
}

INTERPOSED int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	report("posix_memalign", __builtin_return_address(0));
	if (!(p = __libc_memalign(align, n)))
		return ENOMEM;
	*out = p;
	return 0;
}

INTERPOSED void *aligned_alloc(size_t align, size_t n)
{
	report("aligned_alloc", __builtin_return_address(0));
	return __libc_memalign(align, n);
}

INTERPOSED void free(void *p)
{
	if (p)
		report("free", __builtin_return_address(0));
	__libc_free(p);
}
