/* fuzz_json_diff.c - differential harness: secprof's JSON reader (src/json.c)
 * against an oracle built on yajl alone (json_yajl_oracle.c, which includes
 * no secprof header and shares no code with the reader; how it decides and
 * the differences from yajl it handles on purpose are described there).
 *
 * Every input must be valid for both or invalid for both, and:
 *  - valid: the same tree, node by node in document order: type, byte span
 *    and line:column of every value and key, booleans, the raw text of
 *    numbers, the decoded bytes of strings and keys (escaped surrogates as
 *    Go decodes them);
 *  - invalid: secprof's error at exactly the line:column of the first byte
 *    at which the input stops being the beginning of a valid text (end of
 *    input when it never stops), with bad UTF-8 in a string reported at its
 *    first byte and nesting deeper than 10000 at the bracket that opens
 *    level 10001 (SECPROF_E_LIMIT; every other error SECPROF_E_PROFILE).
 *    That offset always lies between the end of the last token yajl
 *    reported and the byte yajl refused, which is checked too.
 * The wording of the errors (Go's "invalid character 'x' after object key",
 * ...) is not compared here: yajl cannot tell it without copying the
 * reader's diagnoser. The parse corpus (the .err files of tests/parse, tests/suites/
 * parse.sh) pins the exact messages.
 *
 * Builds: `make fuzz` (libFuzzer; corpus tests/parse and the reference
 * profiles). With -DFUZZ_JSON_DIFF_MAIN a plain program,
 *   json-oracle [--prefixes] FILE...
 * checks each file and, with --prefixes, every prefix of each file of at
 * most PREFIX_MAX bytes (each truncation is an error case of its own);
 * `make check` runs it (tests/suites/json-oracle.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_yajl_oracle.c"

#include "core/util.h"
#include "core/json.h"

_Static_assert(ORACLE_MAX_DEPTH == SP_JSON_MAX_DEPTH, "both follow Go's nesting limit");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The current input and the offsets of its line starts, for line:column. */
static const uint8_t *cur_data;
static size_t cur_size;
static size_t *line_starts, nlines, lines_cap;
static const struct oev *ev_next, *ev_stop;

static void index_lines(void)
{
	nlines = 0;
	for (size_t i = 0; i <= cur_size; i++) {
		if (i && cur_data[i - 1] != '\n')
			continue;
		if (nlines == lines_cap) {
			lines_cap = lines_cap ? 2 * lines_cap : 256;
			line_starts = realloc(line_starts, lines_cap * sizeof(*line_starts));
			if (!line_starts)
				abort();
		}
		line_starts[nlines++] = i;
	}
}

static struct sp_loc loc_of(size_t off)
{
	size_t lo = 0, hi = nlines; /* the last line start <= off */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (struct sp_loc){ .line = (uint32_t)(lo + 1),
				.col = (uint32_t)(off - line_starts[lo] + 1) };
}

static size_t off_of(uint32_t line, uint32_t col)
{
	if (!line || line > nlines || !col)
		return SIZE_MAX;
	return line_starts[line - 1] + col - 1;
}

static void differ(const char *what, size_t off)
{
	fprintf(stderr, "fuzz_json_diff: %s differs (at offset %zu)\n", what, off);
	abort();
}

static const struct oev *next_event(enum oev_type type, size_t off)
{
	if (ev_next == ev_stop || ev_next->type != type)
		differ("structure (type, member or element count)", off);
	return ev_next++;
}

static void same_loc(struct sp_loc got, size_t want_off, const char *what)
{
	struct sp_loc want = loc_of(want_off);

	if (got.line != want.line || got.col != want.col)
		differ(what, want_off);
}

static void same_text(const char *s, size_t n, const struct oev *e, const char *what)
{
	if (n != e->len || memcmp(s, e->text, n) || s[n])
		differ(what, e->start);
}

static const enum oev_type ev_of[] = {
	[SP_JNULL] = OEV_NULL, [SP_JBOOL] = OEV_BOOL, [SP_JNUM] = OEV_NUM,
	[SP_JSTR] = OEV_STR,   [SP_JARR] = OEV_ARR,   [SP_JOBJ] = OEV_OBJ,
};

static void same_tree(const struct sp_json *v)
{
	const struct oev *e = next_event(ev_of[v->type], v->off);

	if (v->off != e->start)
		differ("start of value", e->start);
	same_loc(v->loc, e->start, "line:column of value");
	switch (v->type) {
	case SP_JNULL: break;
	case SP_JBOOL:
		if (v->u.b != e->b)
			differ("boolean", e->start);
		break;
	case SP_JNUM: same_text(v->u.s, v->len, e, "number text"); break;
	case SP_JSTR: same_text(v->u.s, v->len, e, "decoded string"); break;
	case SP_JARR:
		for (size_t i = 0; i < v->len; i++)
			same_tree(v->u.items[i]);
		break;
	case SP_JOBJ:
		for (size_t i = 0; i < v->len; i++) {
			const struct sp_jmember *m = &v->u.members[i];
			const struct oev *k = next_event(OEV_KEY, v->off);
			same_text(m->key, m->key_len, k, "key");
			same_loc(m->loc, k->start, "line:column of key");
			same_tree(m->val);
		}
		break;
	}
	if (v->type == SP_JARR || v->type == SP_JOBJ)
		e = next_event(OEV_END, v->off);
	if (v->end != e->end)
		differ("end of value", e->start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_arena arena = { 0 };
	struct oracle_result r;
	secprof_error err;
	const struct sp_json *v;

	cur_data = data;
	cur_size = size;
	index_lines();
	if (!oracle_decide(data, size, &r))
		return 0; /* out of memory: nothing to compare */
	memset(&err, 0, sizeof(err));
	v = sp_json_parse(&arena, (const char *)data, size, "f.json", &err);
	if (!v != (r.err != ORACLE_OK)) {
		fprintf(stderr, "fuzz_json_diff: the oracle says %s, secprof %s\n",
			r.err == ORACLE_OK ? "valid" : "invalid", v ? "parsed it" : err.msg);
		abort();
	}
	if (v) {
		ev_next = r.ev;
		ev_stop = r.ev + r.nev;
		same_tree(v);
		if (ev_next != ev_stop)
			differ("structure (values after the top-level one)", ev_next->start);
	} else {
		size_t got = off_of(err.line, err.column);
		int want_code = r.err == ORACLE_DEPTH ? SECPROF_E_LIMIT : SECPROF_E_PROFILE;
		struct sp_loc want = loc_of(r.off);
		/* the oracle against yajl's own bounds */
		if (r.err == ORACLE_SYNTAX && (r.off < r.lower || r.off > r.upper)) {
			fprintf(stderr, "fuzz_json_diff: oracle offset %zu outside [%zu, %zu]\n",
				r.off, r.lower, r.upper);
			abort();
		}
		if (err.code != want_code || got != r.off || strcmp(err.file, "f.json")) {
			fprintf(stderr,
				"fuzz_json_diff: error differs: secprof %d at %u:%u (offset %zu) %s;"
				" oracle %s %d at %u:%u (offset %zu; yajl's bounds %zu..%zu)\n",
				err.code, err.line, err.column, got, err.msg,
				r.err == ORACLE_UTF8    ? "bad UTF-8"
				: r.err == ORACLE_DEPTH ? "too deep"
							: "syntax",
				want_code, want.line, want.col, r.off, r.lower, r.upper);
			abort();
		}
	}
	oracle_free(&r);
	sp_arena_free(&arena);
	return 0;
}

#ifdef FUZZ_JSON_DIFF_MAIN
/* Files larger than this are checked whole but not prefix by prefix. */
#define PREFIX_MAX 4096

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*n == cap) {
			char *nd = realloc(d, cap = cap ? 2 * cap : 4096);
			if (!nd) {
				free(d);
				fclose(f);
				return NULL;
			}
			d = nd;
		}
		size_t got = fread(d + *n, 1, cap - *n, f);
		*n += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		free(d);
		d = NULL;
	}
	fclose(f);
	return d;
}

int main(int argc, char **argv)
{
	bool prefixes = false;
	size_t inputs = 0;

	for (int i = 1; i < argc; i++) {
		size_t n;
		char *d;

		if (!strcmp(argv[i], "--prefixes")) {
			prefixes = true;
			continue;
		}
		d = read_all(argv[i], &n);
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		fprintf(stderr, "%s\n", argv[i]); /* names the file an abort is about */
		LLVMFuzzerTestOneInput((const uint8_t *)d, n);
		inputs++;
		for (size_t k = 0; prefixes && n <= PREFIX_MAX && k < n; k++) {
			/* a copy of exactly k bytes, so ASan sees a read past them */
			char *p = malloc(k ? k : 1);
			if (!p)
				return 1;
			memcpy(p, d, k);
			LLVMFuzzerTestOneInput((const uint8_t *)p, k);
			free(p);
			inputs++;
		}
		free(d);
	}
	free(line_starts);
	printf("%zu inputs: the oracle and secprof agree\n", inputs);
	return 0;
}
#endif
