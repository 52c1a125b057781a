/* jsonw.c - the one JSON writer (jsonw.h): escaping as Go's encoding/json
 * writes a string (encode.go, encodeState.string), separators, nesting and
 * line breaks checked as they are written. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/utf8.h"

/* The two-character escapes Go writes; every other control character is
 * \u00XX. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: return NULL;
	}
}

void sp_buf_json_str(struct sp_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	sp_buf_add(b, "\"", 1);
	while (*p) {
		const char *two;
		size_t n;
		char esc[8];
		if ((two = short_escape(*p))) {
			sp_buf_add(b, two, 2);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
			snprintf(esc, sizeof(esc), "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
			sp_buf_add(b, esc, 6);
			p++;
			continue;
		}
		n = sp_utf8_len(p, SIZE_MAX); /* p is NUL-terminated */
		if (!n) {
			sp_buf_add(b, "\\ufffd", 6);
			n = 1;
		} else if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
			   (p[2] == 0xa8 || p[2] == 0xa9)) {
			sp_buf_add(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		} else {
			sp_buf_add(b, (const char *)p, n);
		}
		p += n;
	}
	sp_buf_add(b, "\"", 1);
}

void sp_jw_init(struct sp_jw *w, struct sp_buf *b, unsigned flags)
{
	*w = (struct sp_jw){ .b = b, .flags = flags, .nl = -1 };
}

static bool in_obj(const struct sp_jw *w)
{
	return w->depth && (w->is_obj >> (w->depth - 1) & 1);
}

static void put_nl(struct sp_jw *w)
{
	static const char spaces[] = "                                ";

	if (w->nl < 0)
		return;
	sp_buf_add(w->b, "\n", 1);
	for (int n = w->nl; n > 0; n -= (int)sizeof(spaces) - 1)
		sp_buf_add(w->b, spaces,
			   n < (int)sizeof(spaces) - 1 ? (size_t)n : sizeof(spaces) - 1);
	w->nl = -1;
}

/* Before a key of an object or an element of an array: the separator if
 * the container has an element already, then a requested line break. */
static void next_elem(struct sp_jw *w)
{
	uint64_t bit = (uint64_t)1 << (w->depth - 1);

	if (w->has_elem & bit)
		sp_buf_puts(w->b, (w->flags & SP_JW_COMPACT) || w->nl >= 0 ? "," : ", ");
	w->has_elem |= bit;
	put_nl(w);
}

/* Before any value: its key was written (object), or it is an element
 * (array), or it is the one top-level value. */
static bool before_value(struct sp_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return true;
	}
	if (!w->depth) {
		if (w->top_done)
			w->bad = true;
		put_nl(w);
		return !w->bad;
	}
	if (in_obj(w)) {
		w->bad = true;
		return false;
	}
	next_elem(w);
	return true;
}

static void after_value(struct sp_jw *w)
{
	if (!w->depth)
		w->top_done = true;
}

static void jw_open(struct sp_jw *w, bool obj)
{
	if (!before_value(w))
		return;
	if (w->depth == SP_JW_MAX_DEPTH) {
		w->bad = true;
		return;
	}
	sp_buf_add(w->b, obj ? "{" : "[", 1);
	w->depth++;
	uint64_t bit = (uint64_t)1 << (w->depth - 1);
	w->has_elem &= ~bit;
	w->is_obj = obj ? w->is_obj | bit : w->is_obj & ~bit;
}

void sp_jw_obj(struct sp_jw *w)
{
	jw_open(w, true);
}

void sp_jw_arr(struct sp_jw *w)
{
	jw_open(w, false);
}

void sp_jw_end(struct sp_jw *w)
{
	if (!w->depth || w->after_key) {
		w->bad = true;
		return;
	}
	put_nl(w);
	sp_buf_add(w->b, in_obj(w) ? "}" : "]", 1);
	w->depth--;
	after_value(w);
}

void sp_jw_key(struct sp_jw *w, const char *key)
{
	if (!in_obj(w) || w->after_key || !key) {
		w->bad = true;
		return;
	}
	next_elem(w);
	sp_buf_json_str(w->b, key);
	sp_buf_puts(w->b, w->flags & SP_JW_COMPACT ? ":" : ": ");
	w->after_key = true;
}

/* A scalar: its text, after what must come before it. */
static void scalar(struct sp_jw *w, const char *text)
{
	if (!before_value(w))
		return;
	sp_buf_puts(w->b, text);
	after_value(w);
}

void sp_jw_str(struct sp_jw *w, const char *s)
{
	if (!s) {
		scalar(w, "null");
		return;
	}
	if (!before_value(w))
		return;
	sp_buf_json_str(w->b, s);
	after_value(w);
}

void sp_jw_u64(struct sp_jw *w, uint64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%" PRIu64, v);
	scalar(w, t);
}

void sp_jw_i64(struct sp_jw *w, int64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%" PRId64, v);
	scalar(w, t);
}

void sp_jw_bool(struct sp_jw *w, bool v)
{
	scalar(w, v ? "true" : "false");
}

void sp_jw_null(struct sp_jw *w)
{
	scalar(w, "null");
}

void sp_jw_raw(struct sp_jw *w, const char *json)
{
	if (!json || !*json) {
		w->bad = true;
		return;
	}
	scalar(w, json);
}

void sp_jw_nl(struct sp_jw *w, int indent)
{
	w->nl = indent < 0 ? 0 : indent;
}

int sp_jw_finish(struct sp_jw *w)
{
	return w->bad || w->depth || w->after_key || !w->top_done || w->b->oom ? -1 : 0;
}

int sp_jw_take(struct sp_jw *w, const char *trailer, char **out, secprof_error *err)
{
	bool misuse = sp_jw_finish(w) < 0 && !w->b->oom;

	*out = NULL;
	if (!misuse)
		sp_buf_puts(w->b, trailer);
	if (misuse || w->b->oom) {
		sp_buf_free(w->b);
		if (misuse)
			return sp_err(err, SECPROF_E_INTERNAL, NULL, NULL, NULL,
				      "JSON writer: unbalanced or misplaced value");
		return sp_err_oom(err);
	}
	*out = w->b->data;
	*w->b = (struct sp_buf){ 0 };
	return 0;
}

void sp_jw_kstr(struct sp_jw *w, const char *key, const char *s)
{
	sp_jw_key(w, key);
	sp_jw_str(w, s);
}

void sp_jw_ku64(struct sp_jw *w, const char *key, uint64_t v)
{
	sp_jw_key(w, key);
	sp_jw_u64(w, v);
}

void sp_jw_ki64(struct sp_jw *w, const char *key, int64_t v)
{
	sp_jw_key(w, key);
	sp_jw_i64(w, v);
}

void sp_jw_kbool(struct sp_jw *w, const char *key, bool v)
{
	sp_jw_key(w, key);
	sp_jw_bool(w, v);
}
