/* load.c - stub, to be written. */
#include "internal.h"

int secprof_load(const secprof_prog *prog, secprof_error *err)
{
	(void)prog;
	return sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL, "not implemented");
}
