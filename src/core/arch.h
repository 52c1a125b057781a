/* arch.h - architectures and the syscall table (arch.c, syscalls.c, gen/syscalls.inc). */
#ifndef SP_ARCH_H
#define SP_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secprof.h"

/* One architecture secprof knows: libseccomp's names, Docker's Go name and
 * the kernel's AUDIT_ARCH_* token seen in seccomp_data.arch. */
/* Strings inline, sized by the longest ("SCMP_ARCH_MIPSEL64N32",
 * "mipsel64n32", "mips3l64n32"): no relocation at load
 * (docs/CONVENTIONS.md §18). */
struct sp_arch {
	char scmp[22];    /* "SCMP_ARCH_X86_64" */
	char name[12];    /* libseccomp / syscalls.csv name: "x86_64" */
	char go[12];      /* Docker's native string matched by includes.arches
			   ("amd64"); "" when no GOARCH maps to it (docs/COMPAT.md §2.1):
			   read it with sp_arch_go */
	uint32_t audit;   /* AUDIT_ARCH_* */
	uint32_t nr_base; /* added to table numbers: 0x40000000 for x32, 4000,
			       5000, 6000 for MIPS o32, n64, n32 */
	uint8_t bits;     /* 32 or 64: width of syscall arguments as libseccomp
			       compares them (32 for x32 and MIPS n32) */
	bool big_endian;
	bool runc_ok; /* accepted by runc's arch list (docs/COMPAT.md §4.1.1) */
	int col;      /* column in the generated syscall table */
};

size_t sp_arch_count(void);
const struct sp_arch *sp_arch_at(size_t i);
/* a->go, NULL where no GOARCH maps to the arch */
const char *sp_arch_go(const struct sp_arch *a);
/* "SCMP_ARCH_X86_64" (exact, as runc). NULL if unknown. */
const struct sp_arch *sp_arch_by_scmp(const char *s);
/* "x86_64", "aarch64", ... (libseccomp names, case-insensitive). */
const struct sp_arch *sp_arch_by_name(const char *s);
/* Go name as Docker's goToNative gives it ("amd64"; docs/COMPAT.md §2.1). */
const struct sp_arch *sp_arch_by_go(const char *s);
/* The arch of the running process (compile-time). */
const struct sp_arch *sp_arch_native(void);
/* The archMap key Docker looks up for a native arch (nativeToSeccomp,
 * docs/COMPAT.md §2.1): "SCMP_ARCH_X86_64" for amd64; NULL when there is none. */
const char *sp_arch_go_to_seccomp(const char *go);
/* moby's goToNative: GOARCH ("386", "loong64") -> native string ("x86",
 * "loongarch64"); NULL for a GOARCH moby does not map. */
const char *sp_arch_goarch_to_native(const char *goarch);
/* The arch a GOARCH runs as: sp_arch_by_go(sp_arch_goarch_to_native(g)). */
const struct sp_arch *sp_arch_by_goarch(const char *goarch);
/* Any spelling a user may type: SCMP_ARCH_*, libseccomp name, Docker's
 * native string or GOARCH (none of them clash). NULL if unknown. */
const struct sp_arch *sp_arch_lookup(const char *s);

/* seccomp_data as the kernel of its arch lays it out. kernel/seccomp.c
 * populate_seccomp_data stores instruction_pointer and args[] as that
 * machine's u64s, and a filter's "ld [k]" reads a u32 of them in place
 * (seccomp_bpf_load): on a big-endian arch (s390x, ppc64, mips...) the word
 * at offset 16 + 8i is the high half of args[i], on a little-endian one the
 * low half. The byte order is the one of the arch whose AUDIT_ARCH_* token
 * is in->arch; a token secprof does not know is laid out in this machine's
 * order. So a program compiled for s390x means on this machine what it
 * means there. */
bool sp_audit_big_endian(uint32_t audit);
/* The u32 "ld [k]" reads from in (k a multiple of 4 below 64). */
uint32_t sp_data_word(const secprof_data *in, uint32_t k);
/* The inverse: out from its 16 words as the kernel of
 * arch lays them out (words[1] is the arch token itself). */
void sp_data_from_words(const uint32_t *words, secprof_data *out);

/* Syscall number of `name` on `arch`, including nr_base; -1 if the syscall
 * does not exist there. */
int32_t sp_syscall_nr(const struct sp_arch *arch, const char *name);
/* The numbers of `name` on of[0..n) into nrs (-1 where it does not
 * exist): one name lookup for them all. Returns sp_syscall_known(name). */
bool sp_syscall_nrs(const char *name, const struct sp_arch *const *of, size_t n, int32_t *nrs);
/* sp_syscall_nrs, and from the same lookup (where non-NULL) the mask
 * sp_syscall_arg32_of gives and the name's index in the table (as
 * sp_syscall_name_at counts, -1 if unknown). */
bool sp_syscall_lookup(const char *name, const struct sp_arch *const *of, size_t n, int32_t *nrs,
		       uint8_t *arg32, int32_t *index);
/* Bit i set: the kernel reads argument i of `name` as a 32-bit (or narrower)
 * type, so on 64-bit ABIs its high word never reaches the syscall
 * (gen/argtypes.inc, from the kernel's prototypes). 0 for unknown names and
 * for syscalls without a generic prototype: all arguments 64-bit. */
uint8_t sp_syscall_arg32_of(const char *name);
/* Bit i set: argument i of `name` is a user-space address in every
 * prototype (gen/argtypes.inc); 0 for unknown names and no prototype. */
uint8_t sp_syscall_argptr_of(const char *name);
/* true if `name` exists on at least one arch of the table. */
bool sp_syscall_known(const char *name);
/* Row `index` (sp_syscall_lookup's) exists on `arch` in the kernel's table,
 * but libseccomp 2.5.4, which Debian 12's runc links, does not know it
 * there, so runc skips the name (data/libseccomp-2.5.4-unknown.tsv). */
bool sp_syscall_newer(const struct sp_arch *arch, int32_t index);
/* Is row `index` newer than libseccomp 2.5.4 on some arch at all? (most
 * rows are not: one test saves a look at every arch of the filter) */
bool sp_syscall_newer_anywhere(int32_t index);
/* Name of syscall `nr` (with nr_base) on `arch`, NULL if none. */
const char *sp_syscall_name(const struct sp_arch *arch, int32_t nr);
/* Highest syscall number (with nr_base) defined on `arch`. On arm this is
 * a private syscall of the 0xf0000 range (get_tls, 983046). */
int32_t sp_syscall_max(const struct sp_arch *arch);
/* Iterate over the table: names in sorted order. */
size_t sp_syscall_count(void);
const char *sp_syscall_name_at(size_t i);
/* Iterate over one arch by number: how many syscalls it has, and the k-th
 * smallest number (with nr_base; its name in *name if non-NULL), -1 when k
 * is out of range. */
size_t sp_syscall_arch_count(const struct sp_arch *arch);
int32_t sp_syscall_nth(const struct sp_arch *arch, size_t k, const char **name);
/* The recorded syscall mix (data/syscall-mix.tsv: how often x86_64 workloads
 * make each call; docs/KERNEL.md §6), most frequent first: the weight of its
 * k-th name (its share of the calls in parts of 2^20, at least 1; 0 past the
 * end), that name's number on `arch` (with nr_base, -1 if it has none there)
 * in *nr and, where non-NULL, the name in *name. */
uint32_t sp_syscall_mix_at(const struct sp_arch *arch, size_t k, int32_t *nr, const char **name);

#endif
