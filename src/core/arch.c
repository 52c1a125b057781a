/* arch.c - the architectures secprof knows and lookups over the generated
 * syscall table (gen/syscalls.inc, made by tools/gen-syscalls.py from
 * libseccomp's syscalls.csv).
 *
 * Every number handed out here is the one the kernel puts in
 * seccomp_data.nr: the csv stores x32 numbers without the x32 bit and MIPS
 * numbers without the ABI base, so each arch carries the nr_base to add. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/hash.h"
#include "gen/syscalls.inc"
#include "gen/argtypes.inc"
#include "gen/syscall_mix.inc"

/* tools/gen-argtypes.py writes one byte per row of the syscall table */
_Static_assert(SP_ARRAY_SIZE(sp_syscall_arg32) == SP_SYSCALL_ROWS,
	       "gen/argtypes.inc and gen/syscalls.inc list different names: run make gen");
_Static_assert(SP_ARRAY_SIZE(sp_syscall_scmp_unknown) == SP_SYSCALL_ROWS,
	       "gen/syscalls.inc: one sp_syscall_scmp_unknown entry per row");
_Static_assert(SP_NCOLS <= 32, "sp_syscall_scmp_unknown has 32 bits per row");

/* AUDIT_ARCH_* values are spelled out (not taken from <linux/audit.h>) so
 * the table does not depend on the build host's headers; test_syscalls.c
 * checks each one against the header. Layout: EM_* machine number, plus
 * 0x80000000 for 64-bit, 0x40000000 for little-endian, 0x20000000 for the
 * MIPS n32 convention.
 *
 * go: Docker's native string (goToNative values, docs/COMPAT.md §2.1), "" where no
 * GOARCH maps to the arch. runc_ok: runc's arch list (docs/COMPAT.md §4.1.1) has no
 * PARISC, M68K or SH. */
/* clang-format off */
static const struct sp_arch arches[] = {
	/* scmp, name, go, audit, nr_base, bits, big_endian, runc_ok, col */
	{ "SCMP_ARCH_X86", "x86", "x86", 0x40000003, 0, 32, false, true, SP_COL_X86 },
	{ "SCMP_ARCH_X86_64", "x86_64", "amd64", 0xC000003E, 0, 64, false, true, SP_COL_X86_64 },
	/* x32 shares AUDIT_ARCH_X86_64 with x86_64; the kernel tells them apart
	 * by bit 30 of the syscall number (__X32_SYSCALL_BIT). libseccomp's
	 * token SCMP_ARCH_X32 (0x4000003E) is never seen by a filter. No GOARCH
	 * is x32, so "x32" in includes.arches never matches (docs/COMPAT.md §2.1). */
	{ "SCMP_ARCH_X32", "x32", "", 0xC000003E, 0x40000000, 32, false, true, SP_COL_X32 },
	{ "SCMP_ARCH_ARM", "arm", "arm", 0x40000028, 0, 32, false, true, SP_COL_ARM },
	{ "SCMP_ARCH_AARCH64", "aarch64", "arm64", 0xC00000B7, 0, 64, false, true, SP_COL_AARCH64 },
	/* MIPS: the kernel numbers o32 from 4000, n64 from 5000 and n32 from
	 * 6000 (__NR_O32_Linux, __NR_64_Linux, __NR_N32_Linux); the csv does not.
	 * GOARCH "mips" has no goToNative entry; "mipsle" gives "mipsel". */
	{ "SCMP_ARCH_MIPS", "mips", "", 0x00000008, 4000, 32, true, true, SP_COL_MIPS },
	{ "SCMP_ARCH_MIPSEL", "mipsel", "mipsel", 0x40000008, 4000, 32, false, true, SP_COL_MIPS },
	{ "SCMP_ARCH_MIPS64", "mips64", "mips64", 0x80000008, 5000, 64, true, true, SP_COL_MIPS64 },
	{ "SCMP_ARCH_MIPSEL64", "mipsel64", "mipsel64", 0xC0000008, 5000, 64, false, true,
	  SP_COL_MIPS64 },
	/* n32: the audit token says 64-bit, but libseccomp treats the ABI as
	 * 32-bit (ARCH_SIZE_32) and compares only the low half of arguments
	 * (docs/COMPAT.md §4.3); bits follows libseccomp, as x32's does. */
	{ "SCMP_ARCH_MIPS64N32", "mips64n32", "mips64n32", 0xA0000008, 6000, 32, true, true,
	  SP_COL_MIPS64N32 },
	/* "mips3l64n32" [sic]: moby's goToNative spells it so (docs/COMPAT.md §2.1). */
	{ "SCMP_ARCH_MIPSEL64N32", "mipsel64n32", "mips3l64n32", 0xE0000008, 6000, 32, false, true,
	  SP_COL_MIPS64N32 },
	{ "SCMP_ARCH_PPC", "ppc", "ppc", 0x00000014, 0, 32, true, true, SP_COL_PPC },
	{ "SCMP_ARCH_PPC64", "ppc64", "ppc64", 0x80000015, 0, 64, true, true, SP_COL_PPC64 },
	{ "SCMP_ARCH_PPC64LE", "ppc64le", "ppc64le", 0xC0000015, 0, 64, false, true, SP_COL_PPC64 },
	{ "SCMP_ARCH_S390", "s390", "s390", 0x00000016, 0, 32, true, true, SP_COL_S390 },
	{ "SCMP_ARCH_S390X", "s390x", "s390x", 0x80000016, 0, 64, true, true, SP_COL_S390X },
	{ "SCMP_ARCH_RISCV64", "riscv64", "riscv64", 0xC00000F3, 0, 64, false, true, SP_COL_RISCV64 },
	{ "SCMP_ARCH_LOONGARCH64", "loongarch64", "loongarch64", 0xC0000102, 0, 64, false, true,
	  SP_COL_LOONGARCH64 },
	{ "SCMP_ARCH_PARISC", "parisc", "", 0x0000000F, 0, 32, true, false, SP_COL_PARISC },
	{ "SCMP_ARCH_PARISC64", "parisc64", "", 0x8000000F, 0, 64, true, false, SP_COL_PARISC64 },
	{ "SCMP_ARCH_M68K", "m68k", "", 0x00000004, 0, 32, true, false, SP_COL_M68K },
	/* libseccomp's "sh" is little-endian SuperH (AUDIT_ARCH_SHEL) and "sheb"
	 * the big-endian one (AUDIT_ARCH_SH); both use the sh column. */
	{ "SCMP_ARCH_SH", "sh", "", 0x4000002A, 0, 32, false, false, SP_COL_SH },
	{ "SCMP_ARCH_SHEB", "sheb", "", 0x0000002A, 0, 32, true, false, SP_COL_SH },
};
/* clang-format on */

size_t sp_arch_count(void)
{
	return SP_ARRAY_SIZE(arches);
}

const struct sp_arch *sp_arch_at(size_t i)
{
	return i < SP_ARRAY_SIZE(arches) ? &arches[i] : NULL;
}

const struct sp_arch *sp_arch_by_scmp(const char *s)
{
	for (size_t i = 0; s && i < SP_ARRAY_SIZE(arches); i++)
		if (!strcmp(arches[i].scmp, s))
			return &arches[i];
	return NULL;
}

const struct sp_arch *sp_arch_by_name(const char *s)
{
	for (size_t i = 0; s && i < SP_ARRAY_SIZE(arches); i++)
		if (!strcasecmp(arches[i].name, s))
			return &arches[i];
	return NULL;
}

const struct sp_arch *sp_arch_by_go(const char *s)
{
	for (size_t i = 0; s && i < SP_ARRAY_SIZE(arches); i++)
		if (arches[i].go[0] && !strcmp(arches[i].go, s))
			return &arches[i];
	return NULL;
}

const char *sp_arch_go(const struct sp_arch *a)
{
	return a->go[0] ? a->go : NULL;
}

/* moby's goToNative: GOARCH -> native string (docs/COMPAT.md §2.1). Inline,
 * as struct sp_arch's. */
static const struct {
	char goarch[12], native[12];
} go_to_native[] = {
	{ "386", "x86" },
	{ "amd64", "amd64" },
	{ "arm", "arm" },
	{ "arm64", "arm64" },
	{ "loong64", "loongarch64" },
	{ "mips64", "mips64" },
	{ "mips64p32", "mips64n32" },
	{ "mips64le", "mipsel64" },
	{ "mips64p32le", "mips3l64n32" },
	{ "mipsle", "mipsel" },
	{ "ppc", "ppc" },
	{ "ppc64", "ppc64" },
	{ "ppc64le", "ppc64le" },
	{ "riscv64", "riscv64" },
	{ "s390", "s390" },
	{ "s390x", "s390x" },
};

const char *sp_arch_goarch_to_native(const char *goarch)
{
	for (size_t i = 0; goarch && i < SP_ARRAY_SIZE(go_to_native); i++)
		if (!strcmp(go_to_native[i].goarch, goarch))
			return go_to_native[i].native;
	return NULL;
}

const struct sp_arch *sp_arch_by_goarch(const char *goarch)
{
	return sp_arch_by_go(sp_arch_goarch_to_native(goarch));
}

const struct sp_arch *sp_arch_lookup(const char *s)
{
	const struct sp_arch *a;

	if ((a = sp_arch_by_scmp(s)) || (a = sp_arch_by_name(s)) || (a = sp_arch_by_go(s)))
		return a;
	return sp_arch_by_goarch(s);
}

/* moby's nativeToSeccomp, keys and all. Two keys are not native strings
 * goToNative produces ("loong64" for "loongarch64", "mipsle" for "mipsel"),
 * so on those hosts archMap never expands (docs/COMPAT.md §2.1, §2.2); copying the
 * keys keeps that behaviour. */
static const struct {
	char native[12], scmp[22];
} native_to_seccomp[] = {
	{ "x86", "SCMP_ARCH_X86" },
	{ "amd64", "SCMP_ARCH_X86_64" },
	{ "arm", "SCMP_ARCH_ARM" },
	{ "arm64", "SCMP_ARCH_AARCH64" },
	{ "loong64", "SCMP_ARCH_LOONGARCH64" },
	{ "mips64", "SCMP_ARCH_MIPS64" },
	{ "mips64n32", "SCMP_ARCH_MIPS64N32" },
	{ "mipsel64", "SCMP_ARCH_MIPSEL64" },
	{ "mips3l64n32", "SCMP_ARCH_MIPSEL64N32" },
	{ "mipsle", "SCMP_ARCH_MIPSEL" },
	{ "ppc", "SCMP_ARCH_PPC" },
	{ "ppc64", "SCMP_ARCH_PPC64" },
	{ "ppc64le", "SCMP_ARCH_PPC64LE" },
	{ "riscv64", "SCMP_ARCH_RISCV64" },
	{ "s390", "SCMP_ARCH_S390" },
	{ "s390x", "SCMP_ARCH_S390X" },
};

const char *sp_arch_go_to_seccomp(const char *go)
{
	for (size_t i = 0; go && i < SP_ARRAY_SIZE(native_to_seccomp); i++)
		if (!strcmp(native_to_seccomp[i].native, go))
			return native_to_seccomp[i].scmp;
	return NULL;
}

#define BIG_ENDIAN_HOST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE_SCMP "SCMP_ARCH_X32"
#elif defined(__x86_64__)
#define NATIVE_SCMP "SCMP_ARCH_X86_64"
#elif defined(__i386__)
#define NATIVE_SCMP "SCMP_ARCH_X86"
#elif defined(__aarch64__)
#define NATIVE_SCMP "SCMP_ARCH_AARCH64"
#elif defined(__arm__)
#define NATIVE_SCMP "SCMP_ARCH_ARM"
#elif defined(__mips__)
#if _MIPS_SIM == _ABIO32
#define NATIVE_SCMP (BIG_ENDIAN_HOST ? "SCMP_ARCH_MIPS" : "SCMP_ARCH_MIPSEL")
#elif _MIPS_SIM == _ABIN32
#define NATIVE_SCMP (BIG_ENDIAN_HOST ? "SCMP_ARCH_MIPS64N32" : "SCMP_ARCH_MIPSEL64N32")
#else
#define NATIVE_SCMP (BIG_ENDIAN_HOST ? "SCMP_ARCH_MIPS64" : "SCMP_ARCH_MIPSEL64")
#endif
#elif defined(__powerpc64__)
#define NATIVE_SCMP (BIG_ENDIAN_HOST ? "SCMP_ARCH_PPC64" : "SCMP_ARCH_PPC64LE")
#elif defined(__powerpc__)
#define NATIVE_SCMP "SCMP_ARCH_PPC"
#elif defined(__s390x__)
#define NATIVE_SCMP "SCMP_ARCH_S390X"
#elif defined(__s390__)
#define NATIVE_SCMP "SCMP_ARCH_S390"
#elif defined(__riscv) && defined(__LP64__)
#define NATIVE_SCMP "SCMP_ARCH_RISCV64"
#elif defined(__loongarch64)
#define NATIVE_SCMP "SCMP_ARCH_LOONGARCH64"
#elif defined(__hppa__) && defined(__LP64__)
#define NATIVE_SCMP "SCMP_ARCH_PARISC64"
#elif defined(__hppa__)
#define NATIVE_SCMP "SCMP_ARCH_PARISC"
#elif defined(__m68k__)
#define NATIVE_SCMP "SCMP_ARCH_M68K"
#elif defined(__sh__)
#define NATIVE_SCMP (BIG_ENDIAN_HOST ? "SCMP_ARCH_SHEB" : "SCMP_ARCH_SH")
#else
#define NATIVE_SCMP NULL /* an arch libseccomp does not know either */
#endif

const struct sp_arch *sp_arch_native(void)
{
	return sp_arch_by_scmp(NATIVE_SCMP);
}

/* ---- seccomp_data's layout -------------------------------------------- */

static bool host_big_endian(void)
{
	const uint16_t probe = 1;
	return *(const uint8_t *)&probe == 0;
}

bool sp_audit_big_endian(uint32_t audit)
{
	for (size_t i = 0; i < SP_ARRAY_SIZE(arches); i++)
		if (arches[i].audit == audit)
			return arches[i].big_endian;
	return host_big_endian();
}

uint32_t sp_data_word(const secprof_data *d, uint32_t k)
{
	uint64_t v;

	if (k < 8)
		return k < 4 ? (uint32_t)d->nr : d->arch;
	v = k < 16 ? d->instruction_pointer : d->args[(k - 16) / 8];
	/* the word at the lower offset: the high half where the u64 is big-endian */
	return ((k & 4) == 0) == sp_audit_big_endian(d->arch) ? (uint32_t)(v >> 32) : (uint32_t)v;
}

void sp_data_from_words(const uint32_t *words, secprof_data *d)
{
	bool be = sp_audit_big_endian(words[1]);

	memset(d, 0, sizeof(*d));
	d->nr = (int32_t)words[0];
	d->arch = words[1];
	for (unsigned i = 0; i < 7; i++) {
		uint64_t first = words[2 + 2 * i], second = words[3 + 2 * i];
		uint64_t v = be ? first << 32 | second : second << 32 | first;
		if (i == 0)
			d->instruction_pointer = v;
		else
			d->args[i - 1] = v;
	}
}

/* ---- the syscall table ------------------------------------------------ */

static const char *row_name(int row)
{
	return sp_syscall_pool + sp_syscall_name_off[row];
}

/* The row of a name (an index into the generated tables), or -1. Hashed
 * as tools/gen-syscalls.py hashed the table's names (core/hash.h); a row's
 * length is the distance to the next row's name, less its NUL. */
static int row_by_name(const char *name)
{
	size_t len;

	if (!name || !(len = strnlen(name, SP_SYSCALL_NAME_MAX + 1)) || len > SP_SYSCALL_NAME_MAX)
		return -1;
	for (uint32_t h = sp_hash_bytes(name, len);; h++) {
		unsigned slot = sp_syscall_by_name[h & (SP_SYSCALL_HASH_SIZE - 1)];
		int row = (int)slot - 1;

		if (!slot)
			return -1;
		if ((size_t)(sp_syscall_name_off[row + 1] - sp_syscall_name_off[row]) == len + 1 &&
		    !memcmp(row_name(row), name, len))
			return row;
	}
}

static bool valid_arch(const struct sp_arch *arch)
{
	return arch && arch->col >= 0 && arch->col < SP_NCOLS;
}

/* Number of row `row` on `arch` as the kernel sees it, or -1. */
static int32_t row_nr(const struct sp_arch *arch, int row)
{
	int32_t nr = sp_syscall_col[arch->col][row];
	return nr < 0 ? -1 : (int32_t)((uint32_t)nr + arch->nr_base);
}

int32_t sp_syscall_nr(const struct sp_arch *arch, const char *name)
{
	int row = row_by_name(name);
	return row >= 0 && valid_arch(arch) ? row_nr(arch, row) : -1;
}

bool sp_syscall_nrs(const char *name, const struct sp_arch *const *of, size_t n, int32_t *nrs)
{
	int row = row_by_name(name);

	for (size_t i = 0; i < n; i++)
		nrs[i] = row >= 0 && valid_arch(of[i]) ? row_nr(of[i], row) : -1;
	return row >= 0;
}

bool sp_syscall_lookup(const char *name, const struct sp_arch *const *of, size_t n, int32_t *nrs,
		       uint8_t *arg32, int32_t *index)
{
	int row = row_by_name(name);

	for (size_t i = 0; i < n; i++)
		nrs[i] = row >= 0 && valid_arch(of[i]) ? row_nr(of[i], row) : -1;
	if (arg32)
		*arg32 = row >= 0 ? sp_syscall_arg32[row] : 0;
	if (index)
		*index = row;
	return row >= 0;
}

uint8_t sp_syscall_arg32_of(const char *name)
{
	int row = row_by_name(name);

	return row >= 0 ? sp_syscall_arg32[row] : 0;
}

_Static_assert(SP_ARRAY_SIZE(sp_syscall_argptr) == SP_SYSCALL_ROWS,
	       "gen/argtypes.inc's pointer table has other rows: run make gen");

uint8_t sp_syscall_argptr_of(const char *name)
{
	int row = row_by_name(name);

	return row >= 0 ? sp_syscall_argptr[row] : 0;
}

bool sp_syscall_known(const char *name)
{
	return row_by_name(name) >= 0;
}

bool sp_syscall_newer(const struct sp_arch *arch, int32_t index)
{
	return index >= 0 && (size_t)index < SP_ARRAY_SIZE(sp_syscall_scmp_unknown) &&
	       valid_arch(arch) && (sp_syscall_scmp_unknown[index] >> arch->col & 1u);
}

bool sp_syscall_newer_anywhere(int32_t index)
{
	return index >= 0 && (size_t)index < SP_ARRAY_SIZE(sp_syscall_scmp_unknown) &&
	       (sp_syscall_scmp_unknown_any[(uint32_t)index / 32] >> ((uint32_t)index % 32) & 1u);
}

size_t sp_syscall_arch_count(const struct sp_arch *arch)
{
	return valid_arch(arch) ? sp_syscall_by_nr[arch->col].len : 0;
}

int32_t sp_syscall_nth(const struct sp_arch *arch, size_t k, const char **name)
{
	int row;

	if (k >= sp_syscall_arch_count(arch))
		return -1;
	row = sp_syscall_by_nr_rows[sp_syscall_by_nr[arch->col].start + k];
	if (name)
		*name = row_name(row);
	return row_nr(arch, row);
}

const char *sp_syscall_name(const struct sp_arch *arch, int32_t nr)
{
	size_t lo = 0, hi = sp_syscall_arch_count(arch);

	/* Below nr_base is another ABI (x86_64 numbers without the x32 bit,
	 * say), not this one. */
	if (!valid_arch(arch) || nr < 0 || (uint32_t)nr < arch->nr_base)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name;
		int32_t got = sp_syscall_nth(arch, mid, &name);
		if (got == nr)
			return name;
		if (nr < got)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int32_t sp_syscall_max(const struct sp_arch *arch)
{
	size_t n = sp_syscall_arch_count(arch);
	return n ? sp_syscall_nth(arch, n - 1, NULL) : -1;
}

size_t sp_syscall_count(void)
{
	return SP_SYSCALL_ROWS;
}

const char *sp_syscall_name_at(size_t i)
{
	return i < SP_SYSCALL_ROWS ? row_name((int)i) : NULL;
}

uint32_t sp_syscall_mix_at(const struct sp_arch *arch, size_t k, int32_t *nr, const char **name)
{
	const struct sp_mix_row *m;

	*nr = -1;
	if (k >= SP_ARRAY_SIZE(sp_syscall_mix))
		return 0;
	m = &sp_syscall_mix[k];
	if (name)
		*name = row_name(m->row);
	if (valid_arch(arch))
		*nr = row_nr(arch, m->row);
	return m->weight;
}
