/* test_json_scan.c - the JSON reader's scanner on the cases where it differs
 * on purpose from yajl (the fuzzing oracle): yajl's decoding of lone and paired surrogate escapes, positions after the
 * 8-bytes-at-a-time fast paths (long strings, long tab indentation, CRLF),
 * strings and numbers ending in place, and Go's error for an unterminated
 * string after the top-level value (yajl accepted that input). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "tap.h"

/* The decoded text of a one-string document as hex bytes. */
static const char *decoded(const char *json)
{
	static char out[256];
	struct sp_arena a = { 0 };
	secprof_error e;
	struct sp_json *v = sp_json_parse(&a, json, strlen(json), "t.json", &e);
	size_t n = 0;

	out[0] = '\0';
	if (!v || v->type != SP_JSTR) {
		snprintf(out, sizeof(out), "(%.200s)", v ? "not a string" : e.msg);
	} else {
		for (size_t i = 0; i < v->len && n + 4 < sizeof(out); i++)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%02x", i ? " " : "",
					      (unsigned char)v->u.s[i]);
		if (v->u.s[v->len] != '\0')
			snprintf(out, sizeof(out), "(not NUL-terminated)");
	}
	sp_arena_free(&a);
	return out;
}

static void test_surrogates(void)
{
	/* Go's encoding/json: a valid pair joins, any other surrogate is U+FFFD
	 * (ef bf bd) and the escape after it is decoded on its own. */
	TAP_EQ_STR(decoded("\"\\ud800\""), "ef bf bd", "lone high surrogate: U+FFFD");
	TAP_EQ_STR(decoded("\"\\ud800x\""), "ef bf bd 78",
		   "lone high surrogate: the next character is kept");
	TAP_EQ_STR(decoded("\"\\ud800\\\\\""), "ef bf bd 5c",
		   "lone high surrogate before an escaped backslash");
	TAP_EQ_STR(decoded("\"\\ud800\\n\""), "ef bf bd 0a", "lone high surrogate before \\n");
	TAP_EQ_STR(decoded("\"a\\ud800\\u0041b\""), "61 ef bf bd 41 62",
		   "a high surrogate before a non-surrogate escape: U+FFFD, then the escape");
	TAP_EQ_STR(decoded("\"\\ud83d\\ude00\""), "f0 9f 98 80", "a pair joins (U+1F600)");
	TAP_EQ_STR(decoded("\"\\uDBFF\\uDFFF\""), "f4 8f bf bf",
		   "the highest pair, upper-case hex");
	TAP_EQ_STR(decoded("\"\\udc00\""), "ef bf bd", "lone low surrogate: U+FFFD");
	TAP_EQ_STR(decoded("\"\\ud800\\ud800\\udc00\""), "ef bf bd f0 90 80 80",
		   "high, then a pair: U+FFFD and U+10000");
	TAP_EQ_STR(decoded("\"x\\u0000y\""), "78 00 79", "\\u0000 kept inside the length");
	TAP_EQ_STR(decoded("\"\\/\\b\\f\\r\\t\\\"\""), "2f 08 0c 0d 09 22", "short escapes");
}

static void test_positions(void)
{
	struct sp_arena a = { 0 };
	secprof_error e;
	char doc[512];
	struct sp_json *v;

	/* 19 tabs of indentation (two 8-byte steps and a tail), CRLF lines */
	snprintf(doc, sizeof(doc), "[\r\n%s\"abcdefghijklmnopqrstuvwxyz0123\",\r\n%s7\r\n]",
		 "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t", "\t\t\t");
	v = sp_json_parse(&a, doc, strlen(doc), "t.json", &e);
	if (tap_ok(v && v->type == SP_JARR && v->len == 2, "indented array parsed")) {
		TAP_EQ_INT(v->u.items[0]->loc.line, 2, "long string on line 2");
		TAP_EQ_INT(v->u.items[0]->loc.col, 20, "after 19 tabs: column 20");
		TAP_EQ_STR(v->u.items[0]->u.s, "abcdefghijklmnopqrstuvwxyz0123",
			   "a string longer than 8 bytes ends in place");
		TAP_EQ_INT(v->u.items[1]->loc.line, 3, "number on line 3");
		TAP_EQ_INT(v->u.items[1]->loc.col, 4, "after 3 tabs: column 4");
		TAP_EQ_STR(v->u.items[1]->u.s, "7", "number text ends before CR");
	}
	v = sp_json_parse(&a, "[12]", 3, "t.json", &e); /* the input stops inside */
	tap_ok(!v && e.column == 4 && !strcmp(e.msg, "unexpected end of input"),
	       "the reader never reads past len (%s)", v ? "parsed" : e.msg);
	v = sp_json_parse(&a, "-0.5e+10", 8, "t.json", &e);
	tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "-0.5e+10"),
	       "a number ending the input is NUL-terminated");
	sp_arena_free(&a);
}

static void test_trailing_string(void)
{
	struct sp_arena a = { 0 };
	secprof_error e;
	char buf[1400];
	struct sp_json *v = sp_json_parse(&a, "22.5\"A", 6, "t.json", &e);

	/* yajl waited for the end of the string and then finished without
	 * looking at it, so the number parsed; Go refuses it. */
	tap_ok(!v, "an unterminated string after the top-level value is an error");
	if (!v)
		TAP_EQ_STR(secprof_error_format(&e, buf, sizeof(buf)),
			   "t.json:1:5: invalid character '\"' after top-level value",
			   "Go's message");
	sp_arena_free(&a);
}

int main(void)
{
	test_surrogates();
	test_positions();
	test_trailing_string();
	return tap_done();
}
