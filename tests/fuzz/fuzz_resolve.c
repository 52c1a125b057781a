/* fuzz_resolve.c - libFuzzer harness for resolution and the OCI writer.
 *
 * Input: a profile. For a few containers (arch, kernel, caps) it resolves the
 * profile, writes the OCI JSON, re-parses that JSON and resolves it again:
 * the bytes must be the same (the OCI output is a fixed point), and nothing
 * may crash or leak under ASan/UBSan.
 *
 * Build and run (from the top of the tree):
 *   mkdir -p build-fuzz && for f in src/[a-z]*.c; do clang -std=gnu11 -g -O1 \
 *     -D_GNU_SOURCE -DSECPROF_BUILDING -Iinclude -Isrc \
 *     -fsanitize=address,undefined -c $f -o build-fuzz/$(basename $f .c).o; done
 *   ar rcs build-fuzz/lib.a build-fuzz/[a-z]*.o
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude \
 *     -Isrc tests/fuzz/fuzz_resolve.c build-fuzz/lib.a -lyajl -lz -o fuzz_resolve
 *   ./fuzz_resolve -max_total_time=60 CORPUS_DIR   (seed: the reference profiles)
 */
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

static char *resolve_to_json(const secprof_profile *p, const secprof_resolve_opts *o)
{
	secprof_error err;
	secprof_resolved *r = secprof_resolve(NULL, p, o, &err);
	char *json = NULL;

	if (r && secprof_resolved_to_oci_json(r, &json, NULL, &err) < 0)
		json = NULL;
	if (r && r->unconfined) {
		free(json);
		json = NULL; /* "null" is not a profile to re-parse */
	}
	secprof_resolved_free(r);
	return json;
}

static void check_fixed_point(secprof_ctx *ctx, const secprof_profile *p,
			      const secprof_resolve_opts *o)
{
	secprof_error err;
	char *once = resolve_to_json(p, o), *twice;
	secprof_profile *q;

	if (!once)
		return;
	q = secprof_profile_parse(ctx, once, strlen(once), "oci", &err);
	if (!q)
		abort(); /* our own output must parse */
	twice = resolve_to_json(q, o);
	if (!twice || strcmp(once, twice))
		abort();
	free(twice);
	secprof_profile_free(q);
	free(once);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const secprof_resolve_opts containers[] = {
		/* Docker's 14 default caps, none, all */
		{ .arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0xa80425fbull },
		{ .arch = "arm64", .kernel_major = 4, .kernel_minor = 7, .caps = 0 },
		{ .arch = "386", .kernel_major = 5, .kernel_minor = 10, .caps = (1ull << 41) - 1 },
	};
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err;
	secprof_profile *p;

	if (!ctx)
		return 0;
	p = secprof_profile_parse(ctx, (const char *)data, size, "fuzz", &err);
	for (size_t i = 0; p && i < SP_ARRAY_SIZE(containers); i++)
		check_fixed_point(ctx, p, &containers[i]);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	return 0;
}
