/* fuzz_json_diff.c - differential libFuzzer harness: src/json.c against the
 * yajl-based reader it replaced (json_yajl_ref.c). Every input must give the
 * same tree (types, positions, spans, decoded text byte for byte, keys) or
 * the same error (code, line, column, message). Build and run (not part of
 * `make check`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *     -Iinclude -Isrc tests/fuzz/fuzz_json_diff.c src/[a-z]*.c -lyajl -lz -o fuzz_json_diff
 *   ./fuzz_json_diff -max_total_time=60 corpus-dir tests/parse
 * FUZZ_JSON_DIFF_MAIN=1 builds a plain program instead, checking the files
 * named on its command line (no libFuzzer needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_yajl_ref.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input of the current run: strings with surrogate escapes decode as
 * Go does in src/json.c and as yajl does in the reference (they differ). */
static const uint8_t *cur_data;
static size_t cur_size;

static bool has_surrogate_escape(size_t off, size_t end)
{
	for (size_t i = off; i + 2 < end; i++)
		if (cur_data[i] == '\\' && cur_data[i + 1] == 'u' && (cur_data[i + 2] | 0x20) == 'd')
			return true;
	return false;
}

static void differ(const char *what, size_t off)
{
	fprintf(stderr, "fuzz_json_diff: %s differs (node at offset %zu)\n", what, off);
	abort();
}

static void same_tree(const struct sp_json *a, const struct sp_json *b)
{
	if (a->type != b->type || a->off != b->off || a->end != b->end)
		differ("type or span", b->off);
	if (a->loc.line != b->loc.line || a->loc.col != b->loc.col)
		differ("line:column", b->off);
	switch (a->type) {
	case SP_JNULL:
		break;
	case SP_JBOOL:
		if (a->u.b != b->u.b)
			differ("boolean", b->off);
		break;
	case SP_JNUM:
	case SP_JSTR:
		if ((a->len != b->len ||
		     memcmp(a->u.s, b->u.s, a->len + 1)) &&
		    !has_surrogate_escape(b->off, b->end))
			differ("text", b->off);
		break;
	case SP_JARR:
		if (a->len != b->len)
			differ("array length", b->off);
		for (size_t i = 0; i < a->len; i++)
			same_tree(a->u.items[i], b->u.items[i]);
		break;
	case SP_JOBJ:
		if (a->len != b->len)
			differ("member count", b->off);
		for (size_t i = 0; i < a->len; i++) {
			const struct sp_jmember *x = &a->u.members[i], *y = &b->u.members[i];
			bool text_differs = x->key_len != y->key_len ||
					    memcmp(x->key, y->key, x->key_len + 1);
			if ((text_differs && !has_surrogate_escape(0, cur_size)) ||
			    x->loc.line != y->loc.line || x->loc.col != y->loc.col)
				differ("key", b->off);
			same_tree(x->val, y->val);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_arena aa = { 0 }, ab = { 0 };
	secprof_error ea, eb;
	const struct sp_json *a, *b;

	cur_data = data;
	cur_size = size;
	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	a = ref_json_parse(&aa, (const char *)data, size, "f.json", &ea);
	b = sp_json_parse(&ab, (const char *)data, size, "f.json", &eb);
	/* yajl accepted an unterminated string after a complete top-level
	 * value ("4 \"x"): it waited for the string's end and then finished
	 * without looking at it. Go refuses it, and so does the scanner. */
	if (a && !b && strstr(eb.msg, "' after top-level value") && memchr(data, '"', size))
		a = NULL, ea = eb;
	if (!a != !b) {
		fprintf(stderr, "fuzz_json_diff: yajl %s, scanner %s\n", a ? "parsed" : ea.msg,
			b ? "parsed" : eb.msg);
		abort();
	}
	if (a) {
		same_tree(a, b);
	} else if (ea.code != eb.code || ea.line != eb.line || ea.column != eb.column ||
		   strcmp(ea.msg, eb.msg) || strcmp(ea.file, eb.file)) {
		fprintf(stderr, "fuzz_json_diff: errors differ:\n  yajl    %d %u:%u %s\n  scanner %d %u:%u %s\n",
			ea.code, ea.line, ea.column, ea.msg, eb.code, eb.line, eb.column, eb.msg);
		abort();
	}
	sp_arena_free(&aa);
	sp_arena_free(&ab);
	return 0;
}

#ifdef FUZZ_JSON_DIFF_MAIN
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *d = NULL;
		size_t n = 0;
		secprof_error e;
		if (sp_read_file(argv[i], SECPROF_MAX_PROFILE_SIZE, &d, &n, &e) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], e.msg);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)d, n);
		free(d);
	}
	printf("%d inputs: same trees and errors\n", argc - 1);
	return 0;
}
#endif
