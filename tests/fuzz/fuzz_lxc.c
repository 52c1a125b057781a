/* fuzz_lxc.c - libFuzzer harness for the LXC policy reader (src/profile/
 * lxc.c): each input is read as the body of a version 2 policy (after
 * "2\n" and a policy line taken from its first byte) and as a version 1
 * one, then resolved and compiled for amd64 and arm64 when it parses.
 * Build and run (not part of `make check`): make fuzz, or
 *   ./build-fuzz/fuzz_lxc -max_total_time=60 corpus-dir
 * Every input must give a profile or an error with a message, never a
 * crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const heads[] = {
	"2\ndenylist\n",       "2\nallowlist\n", "2\nwhitelist errno 1\n",
	"2\nblacklist trap\n", "1\nallowlist\n", "",
};

static void one(secprof_ctx *ctx, const char *buf, size_t len)
{
	static const char *const arches[] = { "amd64", "arm64", "riscv64" };
	secprof_error err;
	secprof_profile *p;

	memset(&err, 0, sizeof(err));
	p = secprof_profile_parse(ctx, buf, len, "fuzz.seccomp", &err);
	if (!p && (!err.code || !err.msg[0]))
		abort(); /* a failure must say why */
	for (size_t a = 0; p && a < sizeof(arches) / sizeof(arches[0]); a++) {
		secprof_resolve_opts ro = { .arch = arches[a] };
		secprof_compile_opts co = { 0 };
		secprof_resolved *r = secprof_resolve(ctx, p, &ro, &err);
		if (r) {
			secprof_prog_free(secprof_compile(ctx, r, &co, &err));
			secprof_resolved_free(r);
		}
	}
	secprof_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secprof_ctx *ctx = secprof_ctx_new();
	size_t h = size ? data[0] % (sizeof(heads) / sizeof(heads[0])) : 0;
	size_t hl = strlen(heads[h]);
	char *buf;

	if (!ctx)
		return 0;
	if (size > 4096) /* lines, not volume, are what this reader is about */
		size = 4096;
	buf = malloc(hl + size + 1);
	if (buf) {
		memcpy(buf, heads[h], hl);
		if (size > 1)
			memcpy(buf + hl, data + 1, size - 1);
		one(ctx, buf, hl + (size ? size - 1 : 0));
		free(buf);
	}
	secprof_ctx_free(ctx);
	return 0;
}
