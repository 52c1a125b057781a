/* fuzz_compile.c - libFuzzer harness for the compiler: every profile that
 * compiles must give a program the kernel's checks accept and that decides
 * like the ruleset oracle (sp_ruleset_decide) on every arch of the filter,
 * the oracle's rule set built with its provenance (sp_ruleset_build_ir), as
 * the IR is: recording what is left out must never change a decision, and
 * every drop has a reason code and a rule.
 * Build and run (not part of `make check`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude -Isrc tests/fuzz/fuzz_compile.c src/[a-z]*.c -lyajl -lz -o fuzz_compile
 *   ./fuzz_compile -max_total_time=60 corpus-dir tests/decide
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "bpf/bpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t values[] = { 0,
				   1,
				   2,
				   38,
				   40,
				   0x7fffffff,
				   0x80000000,
				   0xffffffff,
				   0x100000000ull,
				   0x1234000000000000ull,
				   UINT64_MAX };

/* Numbers around everything the filter names, plus the edges. */
static void check_arch(const secprof_prog *prog, const struct sp_ruleset *rs, uint32_t audit,
		       const struct sp_arch_rules *t)
{
	static const uint32_t edges[] = { 0,          1,          0x3fffffff,
					  0x40000000, 0x7fffffff, 0x80000000,
					  0xbfffffff, 0xc0000000, UINT32_MAX - 1,
					  UINT32_MAX };
	for (size_t i = 0; i < t->nsys + SP_ARRAY_SIZE(edges); i++) {
		uint32_t nr = i < t->nsys ? (uint32_t)t->sys[i].nr : edges[i - t->nsys];
		for (size_t v = 0; v < SP_ARRAY_SIZE(values); v++) {
			secprof_data d = { .nr = (int32_t)nr, .arch = audit };
			for (int a = 0; a < 6; a++)
				d.args[a] = values[(v + (size_t)a) % SP_ARRAY_SIZE(values)];
			if (secprof_emulate(prog->insns, prog->len, &d, NULL) !=
			    sp_ruleset_decide(rs, &d))
				abort();
			d.nr = (int32_t)(nr + 1);
			if (secprof_emulate(prog->insns, prog->len, &d, NULL) !=
			    sp_ruleset_decide(rs, &d))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err;
	secprof_resolve_opts o = { .arch = "amd64", .kernel_major = 6, .kernel_minor = 1 };
	secprof_profile *p = ctx ? secprof_profile_parse(ctx, (const char *)data, size, "f", &err)
				 : NULL;
	secprof_resolved *r = p ? secprof_resolve(ctx, p, &o, &err) : NULL;
	secprof_prog *prog = r && !r->unconfined ? secprof_compile(ctx, r, NULL, &err) : NULL;
	struct sp_ruleset *rs = prog ? sp_ruleset_build_ir(ctx, r, NULL, &err) : NULL;

	if (prog && !rs)
		abort(); /* compiled once, must build again */
	if (prog && sp_bpf_check(prog->insns, prog->len, NULL))
		abort();
	for (size_t i = 0; rs && i < rs->ndrops; i++)
		if ((unsigned)rs->drops[i].reason >= SECPROF_REASON__COUNT || !rs->drops[i].rule)
			abort();
	for (size_t i = 0; rs && i < rs->narches; i++)
		check_arch(prog, rs, rs->arches[i].arch->audit, &rs->arches[i]);
	sp_ruleset_free(rs);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	return 0;
}
