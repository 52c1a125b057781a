/* test_lazy.c - the JSON reader's lazy mode (sp_json_parse_lazy, used for
 * inputs of 256 KiB and more) decodes every profile exactly as one whole
 * tree does: the same error (code, line, column, path, message) or the same
 * warnings in the same order, the same resolved OCI object and the same
 * program. Inputs: the parse corpus (tests/parse, most of them errors), the
 * reference profiles (REF), random profiles (randprof.h, every other one
 * with a newline after each ',' and '[') and, of each random profile, every
 * 7th prefix (syntax errors inside and between elements) and
 * copies with one byte replaced (syntax and type errors anywhere). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"
#include "profile/profile.h"
#include "../compat/randprof.h"
#include "tap.h"

struct outcome {
	bool ok;
	secprof_error err;
	char warnings[16384];
	size_t wlen;
	char *oci;
	secprof_insn *prog;
	size_t prog_len;
	char prog_err[800];
};

static void collect(void *data, const secprof_error *w)
{
	struct outcome *o = data;
	char buf[1400];
	int n = snprintf(o->warnings + o->wlen, sizeof(o->warnings) - o->wlen, "%s\n",
			 secprof_error_format(w, buf, sizeof(buf)));
	if (n > 0 && (size_t)n < sizeof(o->warnings) - o->wlen)
		o->wlen += (size_t)n;
}

static void run(const char *data, size_t len, int lazy, struct outcome *o)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_resolve_opts ro = { .arch = "amd64",
				    .kernel_major = 6,
				    .kernel_minor = 1,
				    .caps = secprof_caps_docker_default() };
	secprof_profile *p;

	memset(o, 0, sizeof(*o));
	secprof_ctx_set_warn(ctx, collect, o);
	p = sp_profile_parse_lazy(ctx, data, len, "t.json", &o->err, lazy);
	o->ok = p != NULL;
	if (p) {
		secprof_error e;
		secprof_resolved *r = secprof_resolve(ctx, p, &ro, &e);
		size_t olen;
		if (r && !secprof_resolved_unconfined(r)) {
			secprof_prog *prog;
			if (secprof_resolved_to_oci_json(r, &o->oci, &olen, &e))
				o->oci = NULL;
			prog = secprof_compile(ctx, r, NULL, &e);
			if (prog) {
				o->prog_len = prog->len;
				o->prog = malloc(prog->len * sizeof(*prog->insns) + 1);
				memcpy(o->prog, prog->insns, prog->len * sizeof(*prog->insns));
				secprof_prog_free(prog);
			} else {
				snprintf(o->prog_err, sizeof(o->prog_err), "%s", e.msg);
			}
		} else if (!r) {
			snprintf(o->prog_err, sizeof(o->prog_err), "resolve: %s", e.msg);
		}
		secprof_resolved_free(r);
	}
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	if (a->ok != b->ok || a->wlen != b->wlen || memcmp(a->warnings, b->warnings, a->wlen))
		return false;
	if (!a->ok)
		return a->err.code == b->err.code && a->err.line == b->err.line &&
		       a->err.column == b->err.column && !strcmp(a->err.path, b->err.path) &&
		       !strcmp(a->err.msg, b->err.msg);
	if ((a->oci == NULL) != (b->oci == NULL) || (a->oci && strcmp(a->oci, b->oci)))
		return false;
	if (strcmp(a->prog_err, b->prog_err) || a->prog_len != b->prog_len)
		return false;
	return !a->prog_len || !memcmp(a->prog, b->prog, a->prog_len * sizeof(*a->prog));
}

static void release(struct outcome *o)
{
	free(o->oci);
	free(o->prog);
}

static size_t checked, differ, lazy_errors;

/* Compare both modes on one input; report the first few differences. */
static void compare(const char *label, const char *data, size_t len)
{
	static struct outcome whole, lazy;

	run(data, len, 0, &whole);
	run(data, len, 1, &lazy);
	checked++;
	lazy_errors += !lazy.ok;
	if (!same(&whole, &lazy) && ++differ <= 5) {
		tap_diag("%s: whole tree %s \"%s\" %u:%u, lazy %s \"%s\" %u:%u", label,
			 whole.ok ? "ok" : "error", whole.err.msg, whole.err.line, whole.err.column,
			 lazy.ok ? "ok" : "error", lazy.err.msg, lazy.err.line, lazy.err.column);
		if (whole.wlen != lazy.wlen || memcmp(whole.warnings, lazy.warnings, whole.wlen))
			tap_diag("warnings differ:\n# %s\n# vs\n# %s", whole.warnings,
				 lazy.warnings);
	}
	release(&whole);
	release(&lazy);
}

static void compare_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		size_t l = strlen(e->d_name), len;
		char *data = NULL;
		secprof_error err;
		if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (sp_read_file(path, SECPROF_MAX_PROFILE_SIZE, &data, &len, &err) < 0)
			continue;
		compare(path, data, len);
		free(data);
	}
	closedir(d);
}

int main(void)
{
	const char *ref = getenv("REF");
	size_t files, random;

	{
		/* tests/run-tests exports TESTS (this tests/ directory) */
		const char *tests = getenv("TESTS");
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/parse", tests ? tests : "tests");
		compare_dir(dir);
	}
	if (ref) {
		char sub[4096];
		compare_dir(ref);
		snprintf(sub, sizeof(sub), "%s/profiles", ref);
		compare_dir(sub);
		snprintf(sub, sizeof(sub), "%s/moby-fixtures", ref);
		compare_dir(sub);
	}
	files = checked;
	tap_ok(files >= 100 && differ == 0,
	       "%zu corpus and reference files: lazy and whole-tree decoding agree "
	       "(%zu differ)",
	       files, differ);
	for (uint64_t seed = 1; seed <= 400; seed++) {
		const char *go;
		char *json = randprof_json(seed, &go, seed % 3 == 0), label[64];
		size_t len = strlen(json);
		if (seed % 2) {
			/* every other one on many lines: a lazy object's lines
			 * must be counted into the places after it */
			char *lines = malloc(2 * len + 1);
			size_t w = 0;
			for (size_t i = 0; i < len; i++) {
				lines[w++] = json[i];
				if (json[i] == ',' || json[i] == '[')
					lines[w++] = '\n';
			}
			lines[w] = 0;
			free(json);
			json = lines;
			len = w;
		}
		snprintf(label, sizeof(label), "randprof seed %llu", (unsigned long long)seed);
		compare(label, json, len);
		for (size_t cut = 1; cut < len; cut += 7) {
			snprintf(label, sizeof(label), "randprof seed %llu cut at %zu",
				 (unsigned long long)seed, cut);
			compare(label, json, cut);
		}
		for (size_t k = 0; k < 8; k++) {
			static const char bytes[] = "{}[]\",:0a \x01";
			size_t at = (size_t)((seed * 7919 + k * 104729) % len);
			char keep = json[at];
			json[at] = bytes[(seed + k) % (sizeof(bytes) - 1)];
			snprintf(label, sizeof(label), "randprof seed %llu byte %zu",
				 (unsigned long long)seed, at);
			compare(label, json, len);
			json[at] = keep;
		}
		free(json);
	}
	random = checked - files;
	tap_ok(differ == 0, "%zu random profiles, prefixes and corruptions agree (%zu differ)",
	       random, differ);
	/* the test exercises the error paths of the lazy reader, not only its successes */
	tap_ok(lazy_errors > random / 4, "%zu of the inputs are errors", lazy_errors);
	{
		/* Go's nesting limit counts the containers around a lazy object */
		size_t before = differ, deep_errors = 0;
		for (size_t depth = 9996; depth <= 10000; depth++) {
			struct rp_buf b = { 0 };
			struct outcome o;
			rp_printf(&b, "{\"syscalls\": [");
			for (size_t k = 0; k < depth; k++)
				rp_printf(&b, "{\"a\": ");
			rp_printf(&b, "1");
			for (size_t k = 0; k < depth; k++)
				rp_printf(&b, "}");
			rp_printf(&b, "]}");
			compare("deep", b.s, b.len);
			run(b.s, b.len, 1, &o);
			deep_errors += !o.ok && o.err.code == SECPROF_E_LIMIT;
			release(&o);
			free(b.s);
		}
		tap_ok(differ == before && deep_errors > 0 && deep_errors < 5,
		       "nesting at the limit inside a lazy object: the same errors (%zu of 5 too deep)",
		       deep_errors);
	}
	{
		static const char *const pool[] = { "read", "write", "open", "close", "ioctl" };
		char *big = randprof_arg_rules_arches(3000, pool, 5, 3);
		size_t n = strlen(big);
		size_t before = differ;
		compare("3,000 argument rules, 3 arches", big, n);
		tap_ok(differ == before,
		       "a %zu-byte profile decoded lazily compiles to the same program", n);
		free(big);
	}
	return tap_done();
}
