/* initimage.c - secprof-init's executable (init/secprof-init.c), embedded
 * in libsecprof: container.c writes it to a sealed memfd (or an unnamed
 * file, where vm.memfd_noexec=2) and execs it as
 * the container's PID 1, so that no file on the host has to be found, or
 * trusted, from inside the container's root. The Makefile builds the
 * program first and passes its path as SP_INIT_IMAGE_PATH; the assembler
 * copies its bytes (.incbin) between two hidden symbols. */
#include "sandbox/run.h"

#ifndef SP_INIT_IMAGE_PATH
#error "SP_INIT_IMAGE_PATH: the path of the built secprof-init (see the Makefile)"
#endif

__asm__(".section .rodata\n"
	".balign 16\n"
	".globl sp_init_image\n"
	".hidden sp_init_image\n"
	"sp_init_image:\n"
	".incbin \"" SP_INIT_IMAGE_PATH "\"\n"
	".globl sp_init_image_end\n"
	".hidden sp_init_image_end\n"
	"sp_init_image_end:\n"
	".previous\n");
