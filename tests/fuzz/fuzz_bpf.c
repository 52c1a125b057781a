/* fuzz_bpf.c - libFuzzer harness for the BPF checker, the interpreter and
 * the listings. Build and run (not part of `make check`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude -Isrc tests/fuzz/fuzz_bpf.c src/[a-z]*.c -lyajl -lz -o fuzz_bpf
 *   ./fuzz_bpf -max_total_time=60
 * The first 64 bytes are the struct seccomp_data, the rest the program. Any
 * program must be checked, run and listed without a crash or undefined
 * behaviour; a program the checker accepts must end at a return within its
 * length; a refused one must run 0 steps. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secprof_data in = { 0 };
	secprof_insn *p;
	size_t n;
	unsigned steps;
	char *text = NULL;

	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	n = (size - sizeof(in)) / sizeof(*p);
	p = malloc((n ? n : 1) * sizeof(*p));
	if (!p)
		return 0;
	memcpy(p, data + sizeof(in), n * sizeof(*p));
	bool ok = sp_bpf_check(p, n, NULL) == 0;
	secprof_emulate(p, n, &in, &steps);
	if (ok ? steps == 0 : steps != 0)
		abort();
	/* forward jumps only: no path runs an instruction twice */
	if (steps > n)
		abort();
	if (sp_bpf_listing(p, n, sp_arch_native(), &text, NULL) == 0)
		free(text);
	else if (ok)
		abort();
	if (sp_bpf_dot(p, n, NULL, &text, NULL) == 0)
		free(text);
	free(p);
	return 0;
}
