/* emulate.c - stub, to be written. */
#include "internal.h"

uint32_t secprof_emulate(const secprof_insn *insns, size_t len, const secprof_data *in,
			 unsigned *steps)
{
	(void)insns; (void)len; (void)in;
	if (steps)
		*steps = 0;
	return 0;
}
