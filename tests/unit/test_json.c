/* test_json.c - the JSON reader: tree shape, positions, exact numbers,
 * decoded strings, limits and messages; and the parse time of the
 * built-in profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "tap.h"

static struct sp_json *parse(struct sp_arena *a, const char *s, secprof_error *e)
{
	return sp_json_parse(a, s, strlen(s), "t.json", e);
}

static const char *err_of(const char *s, size_t len)
{
	static char buf[1400];
	struct sp_arena a = { 0 };
	secprof_error e = { 0 };
	struct sp_json *v = sp_json_parse(&a, s, len, "t.json", &e);

	if (v)
		snprintf(buf, sizeof(buf), "(parsed)");
	else
		secprof_error_format(&e, buf, sizeof(buf));
	sp_arena_free(&a);
	return buf;
}

static void test_tree(void)
{
	struct sp_arena a = { 0 };
	secprof_error e;
	const char *s =
		"{\n  \"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\"],\r\n\t\"b\": {\"c\": null, "
		"\"c\": true},\n  \"d\": 18446744073709551617\n}";
	struct sp_json *v = parse(&a, s, &e), *arr, *b;

	if (!tap_ok(v && v->type == SP_JOBJ, "object parsed")) {
		sp_arena_free(&a);
		return;
	}
	TAP_EQ_INT(v->len, 3, "three members");
	TAP_EQ_STR(v->u.members[0].key, "a", "first key");
	TAP_EQ_INT(v->u.members[0].loc.line, 2, "key a on line 2");
	TAP_EQ_INT(v->u.members[0].loc.col, 3, "key a at column 3");
	arr = v->u.members[0].val;
	TAP_EQ_INT(arr->type, SP_JARR, "a is an array");
	TAP_EQ_INT(arr->loc.col, 8, "array starts at column 8");
	TAP_EQ_INT(arr->len, 3, "three elements");
	TAP_EQ_STR(arr->u.items[1]->u.s, "-2.5e3", "number kept as raw text");
	TAP_EQ_INT(arr->u.items[1]->loc.col, 12, "second element at column 12");
	TAP_EQ_STR(arr->u.items[2]->u.s, "x\xc3\xa9\xf0\x9f\x98\x80",
		   "escapes decoded, surrogate pair joined");
	TAP_EQ_INT(arr->u.items[2]->off, 21, "string offset");
	TAP_EQ_INT(arr->u.items[2]->end, 42, "string end (after the closing quote)");
	b = v->u.members[1].val;
	TAP_EQ_INT(v->u.members[1].loc.line, 3, "key b on line 3 (CRLF counts once)");
	TAP_EQ_INT(v->u.members[1].loc.col, 2, "key b at column 2 (a tab is one byte)");
	TAP_EQ_INT(b->len, 2, "duplicate keys kept in order in the tree");
	TAP_EQ_INT(b->u.members[0].val->type, SP_JNULL, "first c is null");
	TAP_EQ_INT(b->u.members[1].val->u.b, 1, "second c is true");
	TAP_EQ_INT(b->end - b->off, strlen("{\"c\": null, \"c\": true}"), "object span");
	TAP_EQ_STR(v->u.members[2].val->u.s, "18446744073709551617",
		   "a number beyond uint64 stays exact text");
	TAP_EQ_INT(v->u.members[2].val->loc.line, 4, "d's value on line 4");
	TAP_EQ_INT(v->end, strlen(s), "root spans the input");
	sp_arena_free(&a);
}

static void test_scalars(void)
{
	struct sp_arena a = { 0 };
	secprof_error e;
	struct sp_json *v;

	v = parse(&a, "  42 ", &e);
	tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "42") && v->loc.col == 3 && v->end == 4,
	       "top-level number: text, column and end");
	v = parse(&a, "7", &e);
	tap_ok(v && v->end == 1, "top-level number at the very end (yajl_complete_parse)");
	v = parse(&a, "\"a\\u0000b\"", &e);
	tap_ok(v && v->len == 3 && v->u.s[1] == '\0', "\\u0000 decoded, length kept");
	v = parse(&a, "[]", &e);
	tap_ok(v && v->type == SP_JARR && v->len == 0 && v->end == 2, "empty array");
	v = parse(&a, "{}", &e);
	tap_ok(v && v->type == SP_JOBJ && v->len == 0, "empty object");
	sp_arena_free(&a);
}

/* The shared error spellings (core/error.c) and a rule's path (profile/vocab.c). */
static void test_error_helpers(void)
{
	secprof_error err;
	struct sp_rule rule = { .index = 3 };
	char buf[256], path[SP_RULE_PATH_MAX];
	int e;

	TAP_EQ_INT(sp_err_oom(&err), -SECPROF_E_SYSTEM, "sp_err_oom is a system error");
	TAP_EQ_STR(err.msg, "out of memory", "sp_err_oom's text");
	sp_err_oom_in(&err, "p.json");
	TAP_EQ_STR(secprof_error_format(&err, buf, sizeof(buf)), "p.json: out of memory",
		   "sp_err_oom_in names the file");
	errno = ENOENT;
	TAP_EQ_INT(sp_err_errno(&err, "p.json", "cannot open %s", "it"), -SECPROF_E_SYSTEM,
		   "sp_err_errno is a system error");
	snprintf(buf, sizeof(buf), "cannot open it: %s", strerror(ENOENT));
	TAP_EQ_STR(err.msg, buf,
		   "sp_err_errno: the text, then strerror of errno as it was on entry");
	TAP_EQ_STR(err.file, "p.json", "sp_err_errno keeps the file");
	e = errno;
	TAP_EQ_INT(e, ENOENT, "sp_err_errno leaves errno alone");

	TAP_EQ_STR(sp_rule_path(path, sizeof(path), &rule, NULL, SP_NO_INDEX, NULL), "syscalls[3]",
		   "sp_rule_path: the rule");
	TAP_EQ_STR(sp_rule_path(path, sizeof(path), &rule, "errnoRet", SP_NO_INDEX, NULL),
		   "syscalls[3].errnoRet", "sp_rule_path: a field");
	TAP_EQ_STR(sp_rule_path(path, sizeof(path), &rule, "names", 12, NULL),
		   "syscalls[3].names[12]", "sp_rule_path: an element");
	TAP_EQ_STR(sp_rule_path(path, sizeof(path), &rule, "args", 5, "valueTwo"),
		   "syscalls[3].args[5].valueTwo", "sp_rule_path: a field of an element");
	TAP_EQ_STR(sp_rule_path(path, 12, &rule, "args", 5, "valueTwo"), "syscalls[3]",
		   "sp_rule_path: cut at the buffer's size, still terminated");
}

static void test_errors(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "", "t.json:1:1: unexpected end of input" },
		{ "   \n ", "t.json:2:2: unexpected end of input" },
		{ "{\"a\":1,}",
		  "t.json:1:8: invalid character '}' looking for beginning of object key string" },
		{ "{\"a\" 1}", "t.json:1:6: invalid character '1' after object key" },
		{ "{\"a\":1 \"b\":2}",
		  "t.json:1:8: invalid character '\"' after object key:value pair" },
		{ "[1 2]", "t.json:1:4: invalid character '2' after array element" },
		{ "[1,]", "t.json:1:4: invalid character ']' looking for beginning of value" },
		{ "{}{}", "t.json:1:3: invalid character '{' after top-level value" },
		{ "[01]", "t.json:1:3: invalid character '1' after array element" },
		{ "[-]", "t.json:1:3: invalid character ']' in numeric literal" },
		{ "[1.]",
		  "t.json:1:4: invalid character ']' after decimal point in numeric literal" },
		{ "[1e+]", "t.json:1:5: invalid character ']' in exponent of numeric literal" },
		{ "[nul]", "t.json:1:5: invalid character ']' in literal null" },
		{ "[\"\\a\"]", "t.json:1:4: invalid character 'a' in string escape code" },
		{ "[\"\\u12x4\"]",
		  "t.json:1:7: invalid character 'x' in \\u hexadecimal character escape" },
		{ "[\"a\nb\"]", "t.json:1:4: invalid character '\\n' in string literal" },
		{ "[\f]", "t.json:1:2: invalid character '\\f' looking for beginning of value" },
		{ "/**/[]", "t.json:1:1: invalid character '/' looking for beginning of value" },
		{ "[NaN]", "t.json:1:2: invalid character 'N' looking for beginning of value" },
		{ "[\"\xe2\x82\"]", "t.json:1:3: invalid UTF-8 in string" },
		{ "[\"\xf4\x90\x80\x80\"]", "t.json:1:3: invalid UTF-8 in string" },
		{ "[\"\xe0\x80\xaf\"]", "t.json:1:3: invalid UTF-8 in string" },
		{ "[\xc3\xa9]",
		  "t.json:1:2: invalid character '\xc3\xa9' (U+00E9) looking for beginning of value" },
		{ "{\"k\":\n\n   tru", "t.json:3:7: unexpected end of input" },
	};

	for (size_t i = 0; i < SP_ARRAY_SIZE(cases); i++) {
		char name[64];
		snprintf(name, sizeof(name), "error case %zu", i);
		TAP_EQ_STR(err_of(cases[i].in, strlen(cases[i].in)), cases[i].want, name);
	}
	TAP_EQ_STR(err_of("[1,\0 2]", 7), "t.json:1:4: NUL byte in input", "NUL byte");
	TAP_EQ_STR(err_of("[\"a\0\"]", 6), "t.json:1:4: NUL byte in input", "NUL byte in a string");
	/* the first problem in the text wins: a syntax error before a bad byte */
	TAP_EQ_STR(err_of("[1 2, \"\xff\"]", 10),
		   "t.json:1:4: invalid character '2' after array element",
		   "syntax error before a bad byte is reported first");
}

static char *nested(size_t depth, const char *open, const char *close, size_t *len)
{
	size_t o = strlen(open), c = strlen(close);
	char *s = malloc(depth * (o + c) + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < depth; i++)
		memcpy(s + i * o, open, o);
	for (size_t i = 0; i < depth; i++)
		memcpy(s + depth * o + i * c, close, c);
	*len = depth * (o + c);
	s[*len] = '\0';
	return s;
}

static void test_depth(void)
{
	struct sp_arena a = { 0 };
	secprof_error e;
	size_t len;
	char *s = nested(SP_JSON_MAX_DEPTH, "[", "]", &len);
	struct sp_json *v = s ? sp_json_parse(&a, s, len, "t.json", &e) : NULL;

	tap_ok(v && v->type == SP_JARR, "10000 levels parse (Go's limit)");
	free(s);
	s = nested(SP_JSON_MAX_DEPTH + 1, "{\"k\":", "}", &len);
	v = s ? sp_json_parse(&a, s, len, "t.json", &e) : NULL;
	tap_ok(!v && e.code == SECPROF_E_LIMIT, "10001 levels: a limit error");
	TAP_EQ_STR(e.msg, "nesting deeper than 10000 levels", "depth message");
	TAP_EQ_INT(e.column, 10000 * 5 + 1, "pointing at the first level too deep");
	free(s);
	sp_arena_free(&a);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the VM is shared */
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Not a pass/fail figure (machines differ): the time is printed so the
 * number stays visible; the test only checks it ran. */
static void test_speed(void)
{
	size_t len;
	const char *json = secprof_builtin_json(&len);
	secprof_error e;
	double t0, json_us, prof_us;
	int n = 500, ok = 1;

	t0 = now_us();
	for (int i = 0; i < n; i++) {
		struct sp_arena a = { 0 };
		ok &= sp_json_parse(&a, json, len, "builtin", &e) != NULL;
		sp_arena_free(&a);
	}
	json_us = (now_us() - t0) / n;
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		secprof_profile *p = secprof_profile_builtin(NULL, &e);
		ok &= p != NULL;
		secprof_profile_free(p);
	}
	prof_us = (now_us() - t0) / n;
	tap_ok(ok, "builtin (%zu bytes): JSON tree %.1f us, profile %.1f us per parse", len,
	       json_us, prof_us);
}

/* The embedded default is the file tools/gen-default.py makes of moby's
 * (held to data/default-floor.tsv), byte for byte: BUILTIN_SOURCE, which
 * tests/run-tests writes. */
static void test_builtin_bytes(void)
{
	const char *path = getenv("BUILTIN_SOURCE");
	char *data = NULL;
	size_t len = 0, blen;
	const char *b = secprof_builtin_json(&blen);
	secprof_error e;

	if (!path || sp_read_file(path, SECPROF_MAX_PROFILE_SIZE, &data, &len, &e) < 0) {
		printf("ok %d - builtin equals its source # SKIP BUILTIN_SOURCE %s\n", ++tap_n,
		       path ? path : "unset");
		return;
	}
	tap_ok(len == blen && !memcmp(data, b, len) && b[blen] == '\0',
	       "builtin equals moby-default.json held to the floor, byte for byte (%zu bytes), NUL-terminated",
	       len);
	free(data);
}

struct seen {
	int n;
	secprof_error first;
};

static void on_warning(void *data, const secprof_error *w)
{
	struct seen *s = data;
	if (!s->n++)
		s->first = *w;
}

/* The public entry points: errors and warnings as structured data. */
static void test_api(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	struct seen seen = { 0 };
	secprof_error e = { 0 };
	secprof_profile *p;
	const char *warn = "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"bogus\": 1}";
	size_t big = SECPROF_MAX_PROFILE_SIZE + 1;
	char *huge = calloc(1, big);

	if (!ctx)
		return;
	secprof_ctx_set_warn(ctx, on_warning, &seen);
	p = secprof_profile_parse(ctx, warn, strlen(warn), "w.json", &e);
	tap_ok(p && seen.n == 1, "unknown key: parsed, one warning");
	TAP_EQ_INT(seen.first.line, 2, "warning line");
	TAP_EQ_INT(seen.first.column, 3, "warning column");
	TAP_EQ_STR(seen.first.path, "bogus", "warning path");
	TAP_EQ_STR(seen.first.file, "w.json", "warning file");
	TAP_EQ_STR(seen.first.msg, "unknown key \"bogus\" (Docker ignores it)", "warning text");
	secprof_profile_free(p);
	secprof_ctx_set_strict(ctx, true);
	p = secprof_profile_parse(ctx, warn, strlen(warn), "w.json", &e);
	tap_ok(!p && e.code == SECPROF_E_PROFILE && e.line == 2 && !strcmp(e.path, "bogus"),
	       "strict: the warning is the error, with its position");
	p = secprof_profile_parse(NULL, "{}", 2, NULL, &e);
	tap_ok(p != NULL, "no context, no file name: {} parses");
	secprof_profile_free(p);
	p = secprof_profile_parse(NULL, "{\"defaultAction\": 1}", 20, NULL, &e);
	tap_ok(!p && e.line == 1 && e.column == 19 && !strcmp(e.path, "defaultAction") &&
		       !e.file[0],
	       "no file name: position and path still filled");
	if (huge) {
		p = secprof_profile_parse(NULL, huge, big, "huge", &e);
		tap_ok(!p && e.code == SECPROF_E_LIMIT, "input over the size limit: a limit error");
		free(huge);
	}
	p = secprof_profile_load_file(NULL, "/nonexistent/profile.json", &e);
	tap_ok(!p && e.code == SECPROF_E_SYSTEM, "missing file: a system error (%s)", e.msg);
	/* only a regular file is read: a directory, a FIFO (open() would wait
	 * for a writer) or a device is invalid input, refused at once */
	p = secprof_profile_load_file(NULL, "/", &e);
	tap_ok(!p && e.code == SECPROF_E_PROFILE &&
		       !strcmp(e.msg, "not a regular file (directory)"),
	       "a directory: invalid input (%s)", e.msg);
	p = secprof_profile_load_file(NULL, "/dev/zero", &e);
	tap_ok(!p && e.code == SECPROF_E_PROFILE &&
		       !strcmp(e.msg, "not a regular file (character device)"),
	       "/dev/zero: invalid input (%s)", e.msg);
	{
		char dir[] = "/tmp/secprof-fifo-XXXXXX", fifo[64];
		if (mkdtemp(dir)) {
			snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
			if (mkfifo(fifo, 0600) == 0) {
				/* no writer ever comes: a blocking open() would hang
				 * here, so SIGALRM ends the test (a failure) instead */
				alarm(10);
				p = secprof_profile_load_file(NULL, fifo, &e);
				alarm(0);
				tap_ok(!p && e.code == SECPROF_E_PROFILE &&
					       !strcmp(e.msg, "not a regular file (fifo)") &&
					       !strcmp(e.file, fifo),
				       "a FIFO: invalid input, at once (%s: %s)", e.file, e.msg);
				unlink(fifo);
			}
			rmdir(dir);
		}
	}
	tap_ok(secprof_builtin_json(NULL) != NULL, "secprof_builtin_json(NULL) is safe");
	secprof_ctx_free(ctx);
}

int main(void)
{
	test_builtin_bytes();
	test_api();
	test_tree();
	test_scalars();
	test_errors();
	test_error_helpers();
	test_depth();
	test_speed();
	return tap_done();
}
