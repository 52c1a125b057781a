/* scmp-names ARCH BASE... - every syscall the host's libseccomp knows on
 * ARCH, as "NAME NUMBER" lines, NUMBER as the kernel sees it.
 *
 * scmp_sys_resolver answers one question per process, and libseccomp's
 * number -> name lookup ignores the ABI base (on mips, 3 and 4003 are both
 * "read"), so tests/suites/syscalls.sh asks this helper for the complete
 * list: it scans BASE..BASE+1023 (BASE = 0, 4000, 0x40000000, ...) plus
 * ARM's private range and prints what libseccomp names there. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>

static void scan(uint32_t token, long from, long to)
{
	for (long nr = from; nr < to; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(token, (int)nr);
		if (name)
			printf("%s %ld\n", name, nr);
		free(name);
	}
}

int main(int argc, char **argv)
{
	uint32_t token;
	long base;

	if (argc != 3) {
		fprintf(stderr, "usage: scmp-names ARCH BASE\n");
		return 2;
	}
	token = seccomp_arch_resolve_name(argv[1]);
	if (!token) {
		fprintf(stderr, "scmp-names: libseccomp does not know arch '%s'\n", argv[1]);
		return 77;
	}
	base = strtol(argv[2], NULL, 0);
	scan(token, base, base + 1024);
	/* ARM's private syscalls (__ARM_NR_BASE). */
	if (token == SCMP_ARCH_ARM)
		scan(token, 0x0f0000, 0x0f0100);
	return 0;
}
