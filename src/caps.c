/* caps.c - stub, to be written. */
#include "internal.h"

secprof_caps secprof_caps_docker_default(void) { return 0; }
secprof_caps secprof_caps_all(void) { return 0; }
int secprof_cap_from_name(const char *name) { (void)name; return -1; }
const char *secprof_cap_name(int cap) { (void)cap; return NULL; }
int secprof_caps_tweak(const char *const *add, size_t nadd, const char *const *drop, size_t ndrop,
		       bool privileged, secprof_caps available, secprof_caps *out, secprof_error *err)
{
	(void)add; (void)nadd; (void)drop; (void)ndrop; (void)privileged; (void)available;
	*out = 0;
	return sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL, "not implemented");
}
