/* api_syscalls.c - the public face of the arch and syscall table
 * (arch.c, gen/syscalls.inc) and of the BPF checker and disassembler
 * (disasm.c): secprof_arch_*, secprof_syscall_*, secprof_bpf_*.
 *
 * A secprof_arch handle is a struct sp_arch of the static table, so a
 * lookup costs nothing and the handle never needs freeing. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/arch.h"
#include "bpf/bpf.h"
#include "ir/ruleset.h"
#include "secprof.h"

static const struct sp_arch *in(const secprof_arch *a)
{
	return (const struct sp_arch *)(const void *)a;
}

static const secprof_arch *out(const struct sp_arch *a)
{
	return (const secprof_arch *)(const void *)a;
}

SECPROF_API size_t secprof_arch_count(void)
{
	return sp_arch_count();
}

SECPROF_API const secprof_arch *secprof_arch_at(size_t i)
{
	return i < sp_arch_count() ? out(sp_arch_at(i)) : NULL;
}

SECPROF_API const secprof_arch *secprof_arch_native(void)
{
	return out(sp_arch_native());
}

/* GOARCH values moby's goToNative maps (pkg/seccomp/seccomp_linux.go);
 * sp_arch_by_goarch turns each into the arch it runs as. Names in place,
 * no pointers: no relocation at load (uname_names too). */
static const char goarches[][sizeof("mips64p32le")] = {
	"386",         "amd64",  "arm", "arm64", "loong64", "mips64",  "mips64le", "mips64p32",
	"mips64p32le", "mipsle", "ppc", "ppc64", "ppc64le", "riscv64", "s390x",
};

/* uname -m and Debian architecture names -> libseccomp's name. x86_64,
 * aarch64, ppc64le, s390x, riscv64, mips64 and loongarch64 already are
 * libseccomp names. */
static const struct {
	char alias[sizeof("mips64el")], name[sizeof("mipsel64")];
} uname_names[] = {
	{ "i386", "x86" },    { "i486", "x86" },        { "i586", "x86" },
	{ "i686", "x86" },    { "x86-64", "x86_64" },   { "armv6l", "arm" },
	{ "armv7l", "arm" },  { "armv8l", "arm" },      { "armhf", "arm" },
	{ "armel", "arm" },   { "ppc64el", "ppc64le" }, { "mips64el", "mipsel64" },
	{ "s390x", "s390x" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

SECPROF_API const secprof_arch *secprof_arch_lookup(const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < sp_arch_count(); i++) {
		const struct sp_arch *a = sp_arch_at(i);
		if (!strcasecmp(a->scmp, s) || !strcasecmp(a->name, s) ||
		    (a->go[0] && !strcasecmp(a->go, s)))
			return out(a);
	}
	for (size_t i = 0; i < NELEM(goarches); i++)
		if (!strcasecmp(goarches[i], s))
			return out(sp_arch_by_goarch(goarches[i]));
	for (size_t i = 0; i < NELEM(uname_names); i++)
		if (!strcasecmp(uname_names[i].alias, s))
			return out(sp_arch_by_name(uname_names[i].name));
	return NULL;
}

/* The k-th candidate spelling, duplicates included, in the order
 * suggestions prefer: GOARCH, libseccomp and moby names, uname names,
 * SCMP_ARCH_*. NULL past the last. */
static const char *candidate(size_t k)
{
	size_t n = sp_arch_count();

	if (k < NELEM(goarches))
		return goarches[k];
	k -= NELEM(goarches);
	if (k < 2 * n)
		return k % 2 ? sp_arch_go(sp_arch_at(k / 2)) : sp_arch_at(k / 2)->name;
	k -= 2 * n;
	if (k < NELEM(uname_names))
		return uname_names[k].alias;
	k -= NELEM(uname_names);
	return k < n ? sp_arch_at(k)->scmp : NULL;
}

static size_t ncandidates(void)
{
	return NELEM(goarches) + 3 * sp_arch_count() + NELEM(uname_names);
}

SECPROF_API size_t secprof_arch_spellings(const char **out, size_t max)
{
	size_t seen = 0;

	/* Walk the candidates, skipping NULL and repeated words; the table is
	 * small (a hundred words), so a quadratic walk beats keeping an index
	 * (no global state). */
	for (size_t k = 0; k < ncandidates(); k++) {
		const char *w = candidate(k);
		bool dup = false;

		for (size_t j = 0; w && !dup && j < k; j++) {
			const char *v = candidate(j);
			dup = v && !strcmp(v, w);
		}
		if (!w || dup)
			continue;
		if (out && seen < max)
			out[seen] = w;
		seen++;
	}
	return seen;
}

SECPROF_API const char *secprof_arch_name(const secprof_arch *a)
{
	return a ? in(a)->name : NULL;
}

SECPROF_API void secprof_arch_get_info(const secprof_arch *a, secprof_arch_info *o)
{
	const struct sp_arch *p = in(a);

	memset(o, 0, sizeof(*o));
	if (!p)
		return;
	o->name = p->name;
	o->scmp = p->scmp;
	o->go = sp_arch_go(p);
	o->audit = p->audit;
	o->nr_base = p->nr_base;
	o->bits = p->bits;
	o->big_endian = p->big_endian;
	o->runc_ok = p->runc_ok;
}

SECPROF_API int32_t secprof_syscall_nr(const secprof_arch *a, const char *name)
{
	return a && name ? sp_syscall_nr(in(a), name) : -1;
}

SECPROF_API const char *secprof_syscall_name(const secprof_arch *a, int32_t nr)
{
	return a ? sp_syscall_name(in(a), nr) : NULL;
}

SECPROF_API bool secprof_syscall_known(const char *name)
{
	return name && sp_syscall_known(name);
}

SECPROF_API size_t secprof_syscall_count(void)
{
	return sp_syscall_count();
}

SECPROF_API const char *secprof_syscall_name_at(size_t i)
{
	return i < sp_syscall_count() ? sp_syscall_name_at(i) : NULL;
}

SECPROF_API size_t secprof_arch_syscall_count(const secprof_arch *a)
{
	return a ? sp_syscall_arch_count(in(a)) : 0;
}

SECPROF_API int32_t secprof_arch_syscall_at(const secprof_arch *a, size_t k, const char **name)
{
	if (name)
		*name = NULL;
	return a ? sp_syscall_nth(in(a), k, name) : -1;
}

SECPROF_API int secprof_bpf_check(const secprof_insn *insns, size_t len, secprof_error *err)
{
	return sp_bpf_check(insns, len, err);
}

SECPROF_API int secprof_bpf_listing(const secprof_insn *insns, size_t len, const secprof_arch *arch,
				    char **o, secprof_error *err)
{
	return sp_bpf_listing(insns, len, in(arch), o, err);
}

SECPROF_API int secprof_bpf_dot(const secprof_insn *insns, size_t len, const secprof_arch *arch,
				char **o, secprof_error *err)
{
	return sp_bpf_dot(insns, len, in(arch), o, err);
}
