/* test_jsonw.c - the one JSON writer (src/core/jsonw.c): the escaping of
 * every byte pinned (Go's encoding/json: quotes, backslash, control
 * characters, <, >, &, U+2028/U+2029, invalid UTF-8 as \ufffd per byte),
 * separators and line breaks, misuse refused; and every escaped text
 * checked by python3's json module, a reader that shares nothing with ours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "core/jsonw.h"
#include "tap.h"

/* sp_buf_json_str of s, in a static buffer. */
static const char *esc(const char *s)
{
	static char out[4096];
	struct sp_buf b = { 0 };

	sp_buf_json_str(&b, s);
	snprintf(out, sizeof(out), "%s", b.oom ? "(oom)" : b.data);
	sp_buf_free(&b);
	return out;
}

static void is_esc(const char *in, const char *want, const char *what)
{
	const char *got = esc(in);

	if (!tap_ok(!strcmp(got, want), "escape: %s", what))
		tap_diag("got %s, want %s", got, want);
}

static void test_escapes(void)
{
	is_esc("", "\"\"", "empty string");
	is_esc("plain ASCII 0-9 ~", "\"plain ASCII 0-9 ~\"", "printable ASCII as is");
	is_esc("a\"b", "\"a\\\"b\"", "quote");
	is_esc("a\\b", "\"a\\\\b\"", "backslash");
	is_esc("/", "\"/\"", "solidus not escaped (Go does not)");
	is_esc("\n\r\t", "\"\\n\\r\\t\"", "\\n \\r \\t short forms");
	is_esc("\b\f", "\"\\u0008\\u000c\"", "\\b and \\f as \\u00XX, as Go writes them");
	is_esc("\x01\x1f", "\"\\u0001\\u001f\"",
	       "other control characters as \\u00XX, lower-case hex");
	is_esc("\x1b[0m", "\"\\u001b[0m\"", "ESC of a terminal sequence");
	is_esc("\x7f", "\"\x7f\"", "DEL as is (Go leaves it)");
	is_esc("<a>&", "\"\\u003ca\\u003e\\u0026\"", "<, > and & (Go's HTML-safe default)");
	is_esc("\xe2\x80\xa8|\xe2\x80\xa9", "\"\\u2028|\\u2029\"", "U+2028 and U+2029");
	is_esc("\xe2\x80\xa7", "\"\xe2\x80\xa7\"", "U+2027 (next to them) as is");
	is_esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
	       "valid 2-, 3- and 4-byte UTF-8 as is");
	is_esc("\xef\xbf\xbd", "\"\xef\xbf\xbd\"", "U+FFFD itself as is");
	is_esc("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF as is");
	is_esc("\x80", "\"\\ufffd\"", "lone continuation byte");
	is_esc("a\xff"
	       "b",
	       "\"a\\ufffdb\"", "0xff");
	is_esc("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong 2-byte: each byte replaced");
	is_esc("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"", "overlong 3-byte");
	is_esc("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "overlong 4-byte");
	is_esc("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "UTF-8 of a surrogate");
	is_esc("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF");
	is_esc("\xe2\x82x", "\"\\ufffd\\ufffdx\"", "sequence cut by ASCII");
	is_esc("x\xe2\x82", "\"x\\ufffd\\ufffd\"", "sequence cut by the end");
	is_esc("\xe2\x80", "\"\\ufffd\\ufffd\"", "U+2028 cut short: not read past the end");
	is_esc("\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"", "5-byte form");
}

/* Every escaped text parses with python3 and decodes to the input with
 * each invalid byte as U+FFFD (compared as hex of the UTF-8). */
static void test_python(void)
{
	static const char *const in[] = {
		"a\"b\\c",
		"\n\r\t\b\f\x01\x1f\x7f",
		"<>&",
		"\xe2\x80\xa8\xe2\x80\xa9",
		"\xc3\xa9\xf0\x9f\x98\x80",
		"\x80\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",
		"x\xe2\x82",
	};
	static const char *const want[] = {
		"6122625c63",
		"0a0d09080c011f7f",
		"3c3e26",
		"e280a8e280a9",
		"c3a9f09f9880",
		"efbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbd",
		"78efbfbdefbfbd",
	};
	char all[256];
	struct sp_buf b = { 0 };
	struct sp_jw w;
	char path[] = "/tmp/test_jsonw.XXXXXX";
	char cmd[256], line[2048], want_all[1024] = "";
	int fd;
	FILE *f;
	size_t n = 0;

	/* every byte 1..255 in one string too: must at least parse */
	for (int c = 1; c < 256; c++)
		all[c - 1] = (char)c;
	all[255] = 0;
	for (int c = 1; c < 128; c++)
		snprintf(want_all + strlen(want_all), sizeof(want_all) - strlen(want_all), "%02x",
			 c);
	for (int c = 128; c < 256; c++)
		strcat(want_all, "efbfbd");
	sp_jw_init(&w, &b, 0);
	sp_jw_arr(&w);
	for (size_t i = 0; i < SP_ARRAY_SIZE(in); i++)
		sp_jw_str(&w, in[i]);
	sp_jw_str(&w, all);
	sp_jw_end(&w);
	tap_ok(sp_jw_finish(&w) == 0, "python: the array was written");
	if ((fd = mkstemp(path)) < 0 || write(fd, b.data, b.len) != (ssize_t)b.len) {
		tap_ok(0, "python: temp file");
		return;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; [print(s.encode(\"utf-8\").hex()) for s in "
		 "json.load(open(sys.argv[1], encoding=\"utf-8\"))]' %s 2>&1",
		 path);
	if (!(f = popen(cmd, "r"))) {
		tap_ok(0, "python: popen");
		unlink(path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (n < SP_ARRAY_SIZE(want) &&
		    !tap_ok(!strcmp(line, want[n]), "python: string %zu decodes as written", n))
			tap_diag("got %s, want %s", line, want[n]);
		if (n == SP_ARRAY_SIZE(want))
			tap_ok(!strcmp(line, want_all),
			       "python: bytes 1..127 as is, 128..255 each U+FFFD");
		n++;
	}
	tap_ok(pclose(f) == 0 && n == SP_ARRAY_SIZE(in) + 1,
	       "python3 json reads the escaped strings, every byte 1..255 included (%zu read)", n);
	unlink(path);
	sp_buf_free(&b);
}

/* The text a writer made, or "(invalid)" when sp_jw_finish refuses it. */
static const char *text(struct sp_jw *w)
{
	static char out[512];

	snprintf(out, sizeof(out), "%s", sp_jw_finish(w) ? "(invalid)" : w->b->data);
	sp_buf_free(w->b);
	return out;
}

static void is_text(struct sp_jw *w, const char *want, const char *what)
{
	const char *got = text(w);

	if (!tap_ok(!strcmp(got, want), "writer: %s", what))
		tap_diag("got %s, want %s", got, want);
}

static void test_writer(void)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;

	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	sp_jw_kstr(&w, "s", "x");
	sp_jw_kstr(&w, "n", NULL);
	sp_jw_ku64(&w, "u", UINT64_MAX);
	sp_jw_ki64(&w, "i", INT64_MIN);
	sp_jw_kbool(&w, "t", true);
	sp_jw_key(&w, "a");
	sp_jw_arr(&w);
	sp_jw_null(&w);
	sp_jw_bool(&w, false);
	sp_jw_obj(&w);
	sp_jw_end(&w);
	sp_jw_arr(&w);
	sp_jw_end(&w);
	sp_jw_raw(&w, "{\"r\": 1}");
	sp_jw_end(&w);
	sp_jw_end(&w);
	is_text(&w,
		"{\"s\": \"x\", \"n\": null, \"u\": 18446744073709551615, \"i\": -9223372036854775808, "
		"\"t\": true, \"a\": [null, false, {}, [], {\"r\": 1}]}",
		"default separators, every kind of value");

	sp_jw_init(&w, &b, SP_JW_COMPACT);
	sp_jw_obj(&w);
	sp_jw_kstr(&w, "k<", "v");
	sp_jw_key(&w, "a");
	sp_jw_arr(&w);
	sp_jw_u64(&w, 1);
	sp_jw_u64(&w, 2);
	sp_jw_end(&w);
	sp_jw_end(&w);
	is_text(&w, "{\"k\\u003c\":\"v\",\"a\":[1,2]}", "compact separators; keys escaped too");

	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	sp_jw_nl(&w, 2);
	sp_jw_ku64(&w, "a", 1);
	sp_jw_nl(&w, 2);
	sp_jw_key(&w, "l");
	sp_jw_arr(&w);
	sp_jw_nl(&w, 4);
	sp_jw_u64(&w, 1);
	sp_jw_nl(&w, 4);
	sp_jw_u64(&w, 2);
	sp_jw_end(&w);
	sp_jw_nl(&w, 0);
	sp_jw_end(&w);
	is_text(&w, "{\n  \"a\": 1,\n  \"l\": [\n    1,\n    2]\n}",
		"line breaks: after the comma, before the close");

	sp_jw_init(&w, &b, 0);
	sp_jw_str(&w, "top");
	is_text(&w, "\"top\"", "a top-level string");

	/* misuse is refused, not written as broken JSON */
	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	sp_jw_str(&w, "no key");
	sp_jw_end(&w);
	is_text(&w, "(invalid)", "misuse: a value in an object without its key");
	sp_jw_init(&w, &b, 0);
	sp_jw_arr(&w);
	sp_jw_key(&w, "k");
	sp_jw_end(&w);
	is_text(&w, "(invalid)", "misuse: a key in an array");
	sp_jw_init(&w, &b, 0);
	sp_jw_obj(&w);
	sp_jw_key(&w, "k");
	sp_jw_end(&w);
	is_text(&w, "(invalid)", "misuse: a key without its value");
	sp_jw_init(&w, &b, 0);
	sp_jw_arr(&w);
	is_text(&w, "(invalid)", "misuse: a container left open");
	sp_jw_init(&w, &b, 0);
	sp_jw_arr(&w);
	sp_jw_end(&w);
	sp_jw_end(&w);
	is_text(&w, "(invalid)", "misuse: one end too many");
	sp_jw_init(&w, &b, 0);
	sp_jw_u64(&w, 1);
	sp_jw_u64(&w, 2);
	is_text(&w, "(invalid)", "misuse: two top-level values");
	sp_jw_init(&w, &b, 0);
	is_text(&w, "(invalid)", "misuse: nothing written");
	sp_jw_init(&w, &b, 0);
	for (int i = 0; i < SP_JW_MAX_DEPTH + 1; i++)
		sp_jw_arr(&w);
	for (int i = 0; i < SP_JW_MAX_DEPTH + 1; i++)
		sp_jw_end(&w);
	is_text(&w, "(invalid)", "misuse: deeper than SP_JW_MAX_DEPTH");
	sp_jw_init(&w, &b, 0);
	for (int i = 0; i < SP_JW_MAX_DEPTH; i++)
		sp_jw_arr(&w);
	for (int i = 0; i < SP_JW_MAX_DEPTH; i++)
		sp_jw_end(&w);
	tap_ok(strcmp(text(&w), "(invalid)") != 0, "writer: SP_JW_MAX_DEPTH levels are fine");
}

/* sp_jw_take hands the text over, or frees it and says why. */
static void test_take(void)
{
	struct sp_buf b = { 0 };
	struct sp_jw w;
	secprof_error e = { 0 };
	char *out = (char *)"unset";

	sp_jw_init(&w, &b, 0);
	sp_jw_arr(&w);
	sp_jw_end(&w);
	tap_ok(sp_jw_take(&w, "\n", &out, &e) == 0 && out && !strcmp(out, "[]\n") && !b.data,
	       "take: the text and its trailer, the buffer emptied");
	free(out);
	sp_jw_init(&w, &b, 0);
	sp_jw_arr(&w);
	tap_ok(sp_jw_take(&w, "\n", &out, &e) == -SECPROF_E_INTERNAL && !out && !b.data,
	       "take: misuse is an internal error, nothing handed over");
}

/* The public texts: a NULL argument is a usage error. */
static void test_public(void)
{
	secprof_error e = { 0 };
	char *out = (char *)"unset";
	const char *warn[] = { "w<1>", "w\xff" };
	secprof_error inval = { .code = SECPROF_E_PROFILE };

	tap_ok(secprof_ir_json(NULL, &out, &e) == -SECPROF_E_USAGE && !out,
	       "secprof_ir_json(NULL)");
	tap_ok(secprof_info_json(NULL, &out, &e) == -SECPROF_E_USAGE, "secprof_info_json(NULL)");
	snprintf(inval.msg, sizeof(inval.msg), "bad \"x\"\n");
	if (!tap_ok(secprof_check_error_json(&inval, warn, 2, &out, &e) == 0 && out &&
			    !strcmp(out, "{\"valid\":false,\"error\":\"bad \\\"x\\\"\\n\","
					 "\"warnings\":[\"w\\u003c1\\u003e\",\"w\\ufffd\"]}\n"),
		    "secprof_check_error_json: message and warnings escaped"))
		tap_diag("got %s", out ? out : "NULL");
	free(out);
}

int main(void)
{
	test_escapes();
	test_python();
	test_writer();
	test_take();
	test_public();
	return tap_done();
}
