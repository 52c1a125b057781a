/* fuzz_parse.c - libFuzzer harness for the JSON reader and the profile
 * parser (both modes). Build and run (not part of `make check`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     (or simply: make fuzz)
 *   ./fuzz_parse -max_total_time=60 corpus-dir tests/parse
 * Every input must give a profile or an error with a message, never a
 * crash, a leak or undefined behaviour. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err;

	if (!ctx)
		return 0;
	for (int strict = 0; strict < 2; strict++) {
		secprof_profile *p;
		secprof_ctx_set_strict(ctx, strict);
		memset(&err, 0, sizeof(err));
		p = secprof_profile_parse(ctx, (const char *)data, size, "fuzz.json", &err);
		if (!p && (!err.code || !err.msg[0]))
			abort(); /* a failure must say why */
		secprof_profile_free(p);
	}
	secprof_ctx_free(ctx);
	return 0;
}
