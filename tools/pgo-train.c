/* pgo-train.c - the training run of the profile-guided build (Makefile,
 * "Profile-guided optimisation").
 *
 * The library is first compiled with -fprofile-generate and linked into
 * this program, which runs the work a `secprof run` or `compile` does
 * between reading a profile and loading its program: parse, resolve for a
 * container, compile. GCC then compiles the library again with the counts
 * it wrote: the code these calls run is laid out together and the branches
 * they never take are moved out of it (-freorder-blocks-and-partition),
 * so a compile that starts with cold caches, as a run's does, fetches
 * fewer cache lines of code. Functions this program never reaches are
 * compiled as without profile (-fprofile-partial-training).
 *
 * The inputs are the workloads secprof is measured on (bench/bench.c):
 * Docker's default profile, resolved for amd64 and arm64 with Docker's
 * capabilities and with every capability, and a generated profile of
 * argument rules on the three x86 arches, as large generated profiles and
 * merged recordings are. Only the public API is used. Exits non-zero if a
 * step fails, so a broken training run stops the build instead of leaving
 * counts that describe an error path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"

#define ROUNDS 20
#define ARG_RULES 300

static int fail(const char *what, const secprof_error *err)
{
	char buf[1400];

	fprintf(stderr, "pgo-train: %s: %s\n", what, secprof_error_format(err, buf, sizeof(buf)));
	return 1;
}

/* One profile through parse, resolve and compile, as a run does. */
static int pipeline(secprof_ctx *ctx, const char *json, size_t len, const char *arch,
		    secprof_caps caps)
{
	secprof_resolve_opts ro = {
		.arch = arch, .kernel_major = 6, .kernel_minor = 1, .caps = caps
	};
	secprof_error err;
	secprof_profile *p = secprof_profile_parse(ctx, json, len, "train.json", &err);
	secprof_resolved *r = p ? secprof_resolve(ctx, p, &ro, &err) : NULL;
	secprof_prog *prog = r ? secprof_compile(ctx, r, NULL, &err) : NULL;
	int rc = prog ? 0 : fail(arch, &err);

	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

/* A profile of ARG_RULES rules, each allowing one call when one of its
 * first three arguments equals a value (every fourth under the mask 0xff:
 * in Docker's JSON a MASKED_EQ's value is the mask, valueTwo the datum),
 * on amd64, x86 and x32. */
static char *arg_rules_profile(size_t *len)
{
	static const char *const names[] = { "read",   "write",      "openat", "ioctl", "fcntl",
					     "socket", "setsockopt", "prctl",  "mmap",  "futex" };
	size_t cap = 128 + ARG_RULES * 160, n = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	n += (size_t)snprintf(s + n, cap - n,
			      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
			      "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
			      "\"syscalls\":[");
	for (unsigned i = 0; i < ARG_RULES; i++) {
		bool masked = i % 4 == 3;
		n += (size_t)snprintf(s + n, cap - n,
				      "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\","
				      "\"args\":[{\"index\":%u,\"value\":%u,\"valueTwo\":%u,"
				      "\"op\":\"%s\"}]}",
				      i ? "," : "", names[i % 10], i % 3, masked ? 0xffu : i,
				      masked ? i & 0xffu : 0u,
				      masked ? "SCMP_CMP_MASKED_EQ" : "SCMP_CMP_EQ");
	}
	n += (size_t)snprintf(s + n, cap - n, "]}");
	*len = n;
	return s;
}

int main(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	size_t dlen, alen;
	const char *docker = secprof_builtin_json(&dlen);
	char *args = arg_rules_profile(&alen);
	secprof_caps dflt = secprof_caps_docker_default(), all = secprof_caps_all();
	int rc = !ctx || !args;

	for (unsigned i = 0; !rc && i < ROUNDS; i++) {
		rc = pipeline(ctx, docker, dlen, "amd64", dflt) ||
		     pipeline(ctx, docker, dlen, "amd64", all) ||
		     pipeline(ctx, docker, dlen, "arm64", dflt) ||
		     (i % 4 == 0 && pipeline(ctx, args, alen, "amd64", dflt));
	}
	free(args);
	secprof_ctx_free(ctx);
	return rc;
}
