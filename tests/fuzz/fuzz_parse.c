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

/* The lazy reader (sp_json_parse_lazy: a profile of 256 KiB or more),
 * forced on any input, decides as the one tree: a profile from both, or
 * the same error from both (code, place, message). Its first pass over an
 * object is a checker of its own (json.c check_container): accepting what
 * the scanner refuses would show here. */
static void same_lazy(secprof_ctx *ctx, const char *data, size_t size)
{
	secprof_error e[2];
	char msg[2][1024];
	bool ok[2];

	for (int lazy = 0; lazy < 2; lazy++) {
		secprof_profile *p;
		memset(&e[lazy], 0, sizeof(e[lazy]));
		p = sp_profile_parse_lazy(ctx, data, size, "fuzz.json", &e[lazy], lazy);
		ok[lazy] = p != NULL;
		secprof_error_format(&e[lazy], msg[lazy], sizeof(msg[lazy]));
		secprof_profile_free(p);
	}
	if (ok[0] != ok[1] || (!ok[0] && (e[0].code != e[1].code || strcmp(msg[0], msg[1]))))
		abort();
}

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
	same_lazy(ctx, (const char *)data, size);
	secprof_ctx_free(ctx);
	return 0;
}
