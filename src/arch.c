/* arch.c - stub, to be written. */
#include "internal.h"

size_t sp_arch_count(void) { return 0; }
const struct sp_arch *sp_arch_at(size_t i) { (void)i; return NULL; }
const struct sp_arch *sp_arch_by_scmp(const char *s) { (void)s; return NULL; }
const struct sp_arch *sp_arch_by_name(const char *s) { (void)s; return NULL; }
const struct sp_arch *sp_arch_by_go(const char *s) { (void)s; return NULL; }
const struct sp_arch *sp_arch_native(void) { return NULL; }
const char *sp_arch_go_to_seccomp(const char *go) { (void)go; return NULL; }
int32_t sp_syscall_nr(const struct sp_arch *arch, const char *name) { (void)arch; (void)name; return -1; }
bool sp_syscall_known(const char *name) { (void)name; return false; }
const char *sp_syscall_name(const struct sp_arch *arch, int32_t nr) { (void)arch; (void)nr; return NULL; }
int32_t sp_syscall_max(const struct sp_arch *arch) { (void)arch; return -1; }
size_t sp_syscall_count(void) { return 0; }
const char *sp_syscall_name_at(size_t i) { (void)i; return NULL; }
