/* i386call NR [ARG0 [ARG1]]: syscall NR through the i386 ABI (int $0x80),
 * which seccomp sees as AUDIT_ARCH_I386; prints "ret=N" or "errno=E". */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	long nr = argc > 1 ? strtol(argv[1], NULL, 0) : 20, ret;
	unsigned a0 = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 0;
	unsigned a1 = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 0;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(0) : "memory");
	if (ret < 0 && ret > -4096)
		printf("errno=%ld\n", -ret);
	else
		printf("ret=%ld\n", ret);
	return 0;
}
