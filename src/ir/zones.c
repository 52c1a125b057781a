/* zones.c - the number space of one audit arch split into the zones the
 * compiler tests (x86_64 and x32 share AUDIT_ARCH_X86_64). */
#include <stdlib.h>
#include <string.h>

#include "ir/ruleset.h"

/* ---- zones -------------------------------------------------------------- */

static const struct sp_arch_rules *find_by_base(const struct sp_ruleset *rs, uint32_t audit,
						bool x32)
{
	for (size_t i = 0; i < rs->narches; i++) {
		const struct sp_arch *a = rs->arches[i].arch;
		if (a->audit == audit && (a->nr_base == SP_X32_BIT) == x32)
			return &rs->arches[i];
	}
	return NULL;
}

static size_t zone(struct sp_zone *z, size_t n, uint32_t lo, uint32_t hi,
		   const struct sp_arch_rules *t, uint32_t ret)
{
	z[n] = (struct sp_zone){ lo, hi, t, ret };
	return n + 1;
}

/* x86_64 and x32 share AUDIT_ARCH_X86_64; bit 30 of nr tells them apart.
 * What runc's stub (JSET 1<<30, §4.1.3) and libseccomp 2.5.4 do together:
 * - x86_64 only: nr >= 0x40000000 is bad-arch (KILL) except nr == -1, kept
 *   for tracers (it reaches the syscall table and gets the default); with
 *   the stub, 0x80000000..0xbfffffff (bit 30 clear) are above max: ENOSYS,
 *   but where the profile does not list x86_64 (sp_arch_rules.unlisted):
 *   runc 1.1.5 has no stub section for it there, and libseccomp's guard
 *   kills them, the stricter answer.
 * - x86_64 + x32: libseccomp emits no guard, so any unlisted number gets the
 *   default; the stub gives ENOSYS above each table's max (bit 30 picks which).
 * - x32 only: numbers below 0x40000000 are bad-arch. */
static size_t x86_64_zones(const struct sp_ruleset *rs, uint32_t audit, struct sp_zone *z)
{
	const struct sp_arch_rules *t64 = find_by_base(rs, audit, false);
	const struct sp_arch_rules *t32 = find_by_base(rs, audit, true);
	uint32_t def = rs->default_ret, kill = SP_RET_KILL_THREAD;
	bool stub64 = t64 && t64->enosys_max > 0, stub32 = t32 && t32->enosys_max > 0;
	bool enosys64 = stub64 && !t64->unlisted;
	size_t n = 0;

	n = zone(z, n, 0, SP_X32_BIT - 1, t64, t64 ? 0 : kill);
	if (!t32) {
		n = zone(z, n, SP_X32_BIT, 0x7fffffffu, NULL, kill);
		n = zone(z, n, 0x80000000u, 0xbfffffffu, NULL, enosys64 ? SP_RET_ENOSYS : kill);
		n = zone(z, n, 0xc0000000u, UINT32_MAX - 1, NULL, kill);
		return zone(z, n, UINT32_MAX, UINT32_MAX, NULL, def);
	}
	n = zone(z, n, SP_X32_BIT, 0x7fffffffu, t32, 0);
	n = zone(z, n, 0x80000000u, 0xbfffffffu, NULL, stub64 ? SP_RET_ENOSYS : def);
	return zone(z, n, 0xc0000000u, UINT32_MAX, NULL, stub32 ? SP_RET_ENOSYS : def);
}

size_t sp_ruleset_zones(const struct sp_ruleset *rs, uint32_t audit, struct sp_zone *z)
{
	const struct sp_arch_rules *t = NULL;
	size_t n = 0;

	for (size_t i = 0; i < rs->narches; i++)
		if (rs->arches[i].arch->audit == audit)
			t = &rs->arches[i];
	if (!t)
		return 0;
	if (find_by_base(rs, audit, true))
		return x86_64_zones(rs, audit, z);
	if (t->arch->nr_base == 0 && !strcmp(t->arch->name, "x86_64"))
		return x86_64_zones(rs, audit, z);
	/* s390(x): nr 0 is the multiplexer "setup" syscall; runc's stub gives
	 * it ENOSYS so unknown multiplexed numbers fail cleanly (§4.1.3). */
	if (t->enosys_max > 0 && !strncmp(t->arch->name, "s390", 4)) {
		n = zone(z, n, 0, 0, NULL, SP_RET_ENOSYS);
		return zone(z, n, 1, UINT32_MAX, t, 0);
	}
	return zone(z, n, 0, UINT32_MAX, t, 0);
}
