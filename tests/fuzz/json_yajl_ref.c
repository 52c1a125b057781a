/* json_yajl_ref.c - the yajl-based JSON reader secprof used before its own
 * scanner (src/json.c up to commit e59b611), kept as the oracle of
 * fuzz_json_diff.c: the two must give the same trees and the same errors.
 * Not built into the library. */
/* json.c - strict JSON reader keeping a line/column for every value.
 *
 * yajl does the lexing and validation: the whole buffer goes through one
 * yajl_parse + yajl_complete_parse, numbers come back as raw text (so uint64
 * values stay exact, docs/COMPAT.md §1.3) and the tree is built in the arena with an
 * explicit stack (no recursion on input depth).
 *
 * Positions: during a callback yajl_get_bytes_consumed() is the offset just
 * after the current token. Between the end of the previous token and the
 * start of this one there can only be whitespace and at most one ',' or ':',
 * so the start of every value is found without re-lexing.
 *
 * Errors: yajl's messages are not Go's and carry no position we can trust, so
 * when yajl stops we re-scan the few bytes after the last good token with a
 * small scanner that knows what the parser expected there (from our stack)
 * and say what Go's encoding/json would: "invalid character 'x' after object
 * key", "unexpected end of input", ...
 *
 * One deliberate difference from Go: invalid UTF-8 (and overlong forms,
 * encoded surrogates) is an error here, where Go would quietly turn it into
 * U+FFFD; a syscall or capability name with such bytes can only be a
 * mistake. Escaped lone surrogates ("\ud800") are accepted, as in Go, and
 * decoded the way yajl does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

/* ---- offsets to line:column ------------------------------------------ */

/* Offsets are asked for in increasing order while parsing, so a cursor that
 * only moves forward (memchr for '\n') makes the whole job O(n); a request
 * behind the cursor restarts from the top (only on error paths). */
struct lines {
	const char *data;
	size_t off;        /* cursor */
	size_t line;       /* 1-based line of the cursor */
	size_t line_start; /* offset of the first byte of that line */
};

static struct sp_loc loc_at(struct lines *li, size_t off)
{
	struct sp_loc loc;

	if (off < li->off) {
		li->off = 0;
		li->line = 1;
		li->line_start = 0;
	}
	/* values are a few bytes apart: a plain loop beats memchr calls */
	for (size_t i = li->off; i < off; i++)
		if (li->data[i] == '\n') {
			li->line++;
			li->line_start = i + 1;
		}
	li->off = off;
	loc.line = li->line > UINT32_MAX ? UINT32_MAX : (uint32_t)li->line;
	loc.col = off - li->line_start + 1 > UINT32_MAX ? UINT32_MAX
							  : (uint32_t)(off - li->line_start + 1);
	return loc;
}

/* ---- parser state ----------------------------------------------------- */

/* What the parser expects next inside the innermost open container. */
enum expect {
	EX_VALUE,        /* top level, before the value */
	EX_END,          /* top level, after the value */
	EX_KEY_OR_CLOSE, /* just after '{' */
	EX_COLON,        /* after a key */
	EX_OBJ_NEXT,     /* after a member's value: ',' or '}' */
	EX_VAL_OR_CLOSE, /* just after '[' */
	EX_ARR_NEXT,     /* after an element: ',' or ']' */
};

struct frame {
	struct sp_json *node;
	size_t first; /* index of its first member in the scratch stack */
	enum expect ex;
};

struct jp {
	const char *data;
	size_t len;
	const char *file;
	secprof_error *err;
	struct sp_arena *arena;
	yajl_handle h;
	struct lines li;
	size_t prev_end; /* end of the last token a callback saw */
	bool finishing;  /* inside yajl_complete_parse */
	bool failed;     /* err is filled */
	struct sp_vec frames;  /* struct frame */
	struct sp_vec scratch; /* struct sp_jmember of open containers */
	struct sp_json *root;
	enum expect top_ex;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const struct jp *p, size_t i)
{
	while (i < p->len && is_ws(p->data[i]))
		i++;
	return i;
}

static size_t token_start(const struct jp *p)
{
	size_t i = skip_ws(p, p->prev_end);
	if (i < p->len && (p->data[i] == ',' || p->data[i] == ':'))
		i = skip_ws(p, i + 1);
	return i;
}

/* End of the token a callback is reporting. yajl_complete_parse feeds yajl a
 * single space to end a number at the top level, so there the token ends at
 * the end of our input. */
static size_t token_end(const struct jp *p)
{
	return p->finishing ? p->len : yajl_get_bytes_consumed(p->h);
}

static int fail_at(struct jp *p, size_t off, int code, const char *msg)
{
	struct sp_loc loc = loc_at(&p->li, off);
	sp_err(p->err, code, p->file, &loc, NULL, "%s", msg);
	p->failed = true;
	return 0;
}

static int oom(struct jp *p)
{
	return fail_at(p, p->prev_end, SECPROF_E_SYSTEM, "out of memory");
}

static enum expect *cur_expect(struct jp *p)
{
	if (!p->frames.len)
		return &p->top_ex;
	return &((struct frame *)p->frames.items)[p->frames.len - 1].ex;
}

/* Create a value node at the current token and hang it on its parent. */
static struct sp_json *add_value(struct jp *p, enum sp_jtype type)
{
	size_t start = token_start(p);
	struct sp_json *v = sp_arena_alloc(p->arena, sizeof(*v));
	enum expect *ex = cur_expect(p);

	if (!v) {
		oom(p);
		return NULL;
	}
	v->type = type;
	v->off = start;
	v->loc = loc_at(&p->li, start);
	if (!p->frames.len) {
		p->root = v;
		*ex = EX_END;
	} else if (*ex == EX_COLON) { /* value of the pending member */
		struct sp_jmember *m = (struct sp_jmember *)p->scratch.items + p->scratch.len - 1;
		m->val = v;
		*ex = EX_OBJ_NEXT;
	} else { /* array element */
		struct sp_jmember *m = sp_vec_push(&p->scratch);
		if (!m) {
			oom(p);
			return NULL;
		}
		m->val = v;
		*ex = EX_ARR_NEXT;
	}
	return v;
}

static int scalar_done(struct jp *p, struct sp_json *v)
{
	if (!v)
		return 0;
	v->end = token_end(p);
	p->prev_end = v->end;
	return 1;
}

static int cb_null(void *ctx)
{
	struct jp *p = ctx;
	return scalar_done(p, add_value(p, SP_JNULL));
}

static int cb_bool(void *ctx, int b)
{
	struct jp *p = ctx;
	struct sp_json *v = add_value(p, SP_JBOOL);
	if (v)
		v->u.b = b != 0;
	return scalar_done(p, v);
}

static int set_text(struct jp *p, struct sp_json *v, const char *s, size_t n)
{
	if (!v)
		return 0;
	v->u.s = sp_arena_strndup(p->arena, s, n);
	v->len = n;
	if (!v->u.s)
		return oom(p);
	return scalar_done(p, v);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
	struct jp *p = ctx;
	return set_text(p, add_value(p, SP_JNUM), s, n);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
	struct jp *p = ctx;
	return set_text(p, add_value(p, SP_JSTR), (const char *)s, n);
}

static int cb_key(void *ctx, const unsigned char *s, size_t n)
{
	struct jp *p = ctx;
	size_t start = token_start(p);
	struct sp_jmember *m = sp_vec_push(&p->scratch);

	if (!m)
		return oom(p);
	m->key = sp_arena_strndup(p->arena, (const char *)s, n);
	if (!m->key)
		return oom(p);
	m->key_len = n;
	m->loc = loc_at(&p->li, start);
	*cur_expect(p) = EX_COLON;
	p->prev_end = token_end(p);
	return 1;
}

static int open_container(struct jp *p, enum sp_jtype type)
{
	struct sp_json *v;
	struct frame *f;

	/* Go's encoding/json stops at 10000 levels; so do we (a frame per level
	 * is all it costs, but deeper input is never a real profile). */
	if (p->frames.len >= SP_JSON_MAX_DEPTH)
		return fail_at(p, token_start(p), SECPROF_E_LIMIT,
			       "nesting deeper than 10000 levels");
	v = add_value(p, type);
	if (!v)
		return 0;
	f = sp_vec_push(&p->frames);
	if (!f)
		return oom(p);
	f->node = v;
	f->first = p->scratch.len;
	f->ex = type == SP_JOBJ ? EX_KEY_OR_CLOSE : EX_VAL_OR_CLOSE;
	p->prev_end = token_end(p);
	return 1;
}

static int close_container(struct jp *p)
{
	struct frame *f = (struct frame *)p->frames.items + p->frames.len - 1;
	struct sp_json *v = f->node;
	size_t n = p->scratch.len - f->first;
	/* No arithmetic on a NULL scratch array (UB even with offset 0). */
	struct sp_jmember *m = n ? (struct sp_jmember *)p->scratch.items + f->first : NULL;

	if (v->type == SP_JOBJ) {
		v->u.members = n ? sp_arena_alloc(p->arena, n * sizeof(*m)) : NULL;
		if (n && !v->u.members)
			return oom(p);
		if (n)
			memcpy(v->u.members, m, n * sizeof(*m));
		v->len = n;
	} else {
		v->u.items = n ? sp_arena_alloc(p->arena, n * sizeof(v)) : NULL;
		if (n && !v->u.items)
			return oom(p);
		for (size_t i = 0; i < n; i++)
			v->u.items[i] = m[i].val;
		v->len = n;
	}
	p->scratch.len = f->first;
	p->frames.len--;
	v->end = token_end(p);
	p->prev_end = v->end;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, SP_JOBJ);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, SP_JARR);
}

static int cb_end(void *ctx)
{
	return close_container(ctx);
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

/* ---- strict byte checks yajl does not make --------------------------- */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* > U+10FFFF */
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* First byte yajl would let through but RFC 8259 forbids: a NUL, a vertical
 * tab or form feed (yajl counts them as whitespace), or UTF-8 that is
 * overlong, a surrogate or out of range (yajl checks only the shape).
 * Returns len when there is none. */
static size_t first_bad_byte(const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;

	while (i < len) {
		unsigned c;
		/* Fast path, 8 bytes at a time: ASCII without NUL, VT or FF. */
		if (len - i >= 8) {
			uint64_t w, v, f;
			memcpy(&w, s + i, 8);
			v = w ^ (ones * 0x0b);
			f = w ^ (ones * 0x0c);
			if (!((w | ((w - ones) & ~w) | ((v - ones) & ~v) | ((f - ones) & ~f)) & highs)) {
				i += 8;
				continue;
			}
		}
		c = s[i];
		if (c == 0 || c == 0x0b || c == 0x0c)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_len(s + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

/* ---- error diagnosis -------------------------------------------------- */

/* A character as Go's encoding/json quotes it in messages: 'x', '\n',
 * '\x00'; a non-ASCII character as its UTF-8 text. */
static void quote_char(const struct jp *p, size_t i, char *buf, size_t len)
{
	unsigned char c = (unsigned char)p->data[i];
	size_t n;

	switch (c) {
	case '\n': snprintf(buf, len, "'\\n'"); return;
	case '\r': snprintf(buf, len, "'\\r'"); return;
	case '\t': snprintf(buf, len, "'\\t'"); return;
	case '\'': snprintf(buf, len, "'\\''"); return;
	case '\v': snprintf(buf, len, "'\\v'"); return;
	case '\f': snprintf(buf, len, "'\\f'"); return;
	case '\b': snprintf(buf, len, "'\\b'"); return;
	case '\a': snprintf(buf, len, "'\\a'"); return;
	default: break;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(buf, len, "'\\x%02x'", c);
		return;
	}
	if (c < 0x80) {
		snprintf(buf, len, "'%c'", c);
		return;
	}
	/* with its code point: a byte order mark or a no-break space is
	 * invisible between quotes */
	const unsigned char *u = (const unsigned char *)p->data + i;
	unsigned cp;
	n = utf8_len(u, p->len - i);
	if (!n) { /* not reached: bad_anywhere() reports these first */
		snprintf(buf, len, "byte 0x%02x", c);
		return;
	}
	cp = n == 2 ? (u[0] & 0x1fu) : n == 3 ? (u[0] & 0x0fu) : (u[0] & 0x07u);
	for (size_t k = 1; k < n; k++)
		cp = cp << 6 | (u[k] & 0x3fu);
	snprintf(buf, len, "'%.*s' (U+%04X)", (int)n, p->data + i, cp);
}

struct diag {
	size_t off;
	const char *what; /* "invalid character %s <what>" */
	const char *msg;  /* a whole message instead */
};

/* Anything that makes a byte unacceptable wherever it stands. */
static bool bad_anywhere(const struct jp *p, size_t i, struct diag *d)
{
	unsigned char c = (unsigned char)p->data[i];

	d->off = i;
	if (c == 0) {
		d->msg = "NUL byte in input";
		return true;
	}
	if (c >= 0x80 && !utf8_len((const unsigned char *)p->data + i, p->len - i)) {
		d->msg = "invalid UTF-8 in input";
		return true;
	}
	return false;
}

/* Scan a string at *i (its opening quote); true with d filled when it is
 * malformed, else *i is moved past it. */
static bool diag_string(const struct jp *p, size_t *at, struct diag *d)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	size_t i;

	for (i = *at + 1; i < p->len; i++) {
		unsigned char c = (unsigned char)p->data[i];
		d->off = i;
		if (c == '"') {
			*at = i + 1;
			return false;
		}
		if (c == 0) {
			d->msg = "NUL byte in input";
			return true;
		}
		if (c < 0x20) {
			d->what = "in string literal";
			return true;
		}
		if (c >= 0x80) {
			size_t n = utf8_len((const unsigned char *)p->data + i, p->len - i);
			if (!n) {
				d->msg = "invalid UTF-8 in string";
				return true;
			}
			i += n - 1;
			continue;
		}
		if (c != '\\')
			continue;
		if (++i >= p->len)
			break;
		d->off = i;
		c = (unsigned char)p->data[i];
		if (c == 'u') {
			for (int k = 0; k < 4; k++) {
				if (++i >= p->len)
					goto eof;
				d->off = i;
				if (!p->data[i] || !strchr(hex, p->data[i])) {
					d->what = "in \\u hexadecimal character escape";
					return true;
				}
			}
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			d->what = "in string escape code";
			return true;
		}
	}
eof:
	d->off = p->len;
	d->msg = "unexpected end of input";
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Scan a number at *i; true with d filled on a malformed one. */
static bool diag_number(const struct jp *p, size_t *i, struct diag *d)
{
	size_t k = *i;

#define NEED_DIGIT(w)                                  \
	do {                                           \
		if (k >= p->len) {                     \
			d->off = p->len;               \
			d->msg = "unexpected end of input"; \
			return true;                   \
		}                                      \
		if (!is_digit(p->data[k])) {           \
			d->off = k;                    \
			d->what = w;                   \
			return true;                   \
		}                                      \
	} while (0)
	if (p->data[k] == '-')
		k++;
	NEED_DIGIT("in numeric literal");
	if (p->data[k++] != '0')
		while (k < p->len && is_digit(p->data[k]))
			k++;
	if (k < p->len && p->data[k] == '.') {
		k++;
		NEED_DIGIT("after decimal point in numeric literal");
		while (k < p->len && is_digit(p->data[k]))
			k++;
	}
	if (k < p->len && (p->data[k] == 'e' || p->data[k] == 'E')) {
		k++;
		if (k < p->len && (p->data[k] == '+' || p->data[k] == '-'))
			k++;
		NEED_DIGIT("in exponent of numeric literal");
		while (k < p->len && is_digit(p->data[k]))
			k++;
	}
#undef NEED_DIGIT
	*i = k;
	return false;
}

static bool diag_literal(const struct jp *p, size_t *i, struct diag *d)
{
	const char *lit = p->data[*i] == 't' ? "true" : p->data[*i] == 'f' ? "false" : "null";
	size_t k = *i;

	for (size_t j = 0; lit[j]; j++, k++) {
		if (k >= p->len) {
			d->off = p->len;
			d->msg = "unexpected end of input";
			return true;
		}
		if (p->data[k] != lit[j]) {
			d->off = k;
			d->what = lit[0] == 't'	  ? "in literal true"
				  : lit[0] == 'f' ? "in literal false"
						  : "in literal null";
			return true;
		}
	}
	*i = k;
	return false;
}

/* Re-scan from the end of the last good token, knowing what was expected
 * there, and find the first byte Go's scanner would refuse. Containers opened
 * during the scan are not followed: yajl has already stopped before them. */
static bool diagnose(const struct jp *p, struct diag *d)
{
	enum expect ex = p->frames.len ? ((struct frame *)p->frames.items)[p->frames.len - 1].ex
				       : p->top_ex;
	bool in_obj = ex == EX_KEY_OR_CLOSE || ex == EX_COLON || ex == EX_OBJ_NEXT;
	bool need_key = false; /* after ',' in an object: '}' is not allowed */
	size_t i = p->prev_end;

	memset(d, 0, sizeof(*d));
	for (;;) {
		i = skip_ws(p, i);
		d->off = i;
		if (i >= p->len) {
			if (ex == EX_END)
				return false;
			d->msg = "unexpected end of input";
			return true;
		}
		if (bad_anywhere(p, i, d))
			return true;
		char c = p->data[i];
		switch (ex) {
		case EX_END:
			d->what = "after top-level value";
			return true;
		case EX_COLON:
			if (c != ':') {
				d->what = "after object key";
				return true;
			}
			i++;
			ex = EX_VALUE;
			continue;
		case EX_OBJ_NEXT:
		case EX_ARR_NEXT:
			if (c == (ex == EX_OBJ_NEXT ? '}' : ']'))
				return false;
			if (c != ',') {
				d->what = ex == EX_OBJ_NEXT ? "after object key:value pair"
							    : "after array element";
				return true;
			}
			i++;
			need_key = ex == EX_OBJ_NEXT;
			ex = ex == EX_OBJ_NEXT ? EX_KEY_OR_CLOSE : EX_VALUE;
			continue;
		case EX_KEY_OR_CLOSE:
			if (c == '}' && !need_key)
				return false;
			if (c != '"') {
				d->what = "looking for beginning of object key string";
				return true;
			}
			if (diag_string(p, &i, d))
				return true;
			ex = EX_COLON;
			continue;
		case EX_VAL_OR_CLOSE:
			if (c == ']')
				return false;
			ex = EX_VALUE;
			/* fall through */
		case EX_VALUE:
			if (c == '{' || c == '[')
				return false;
			if (c == '"') {
				if (diag_string(p, &i, d))
					return true;
			} else if (c == '-' || is_digit(c)) {
				if (diag_number(p, &i, d))
					return true;
			} else if (c == 't' || c == 'f' || c == 'n') {
				if (diag_literal(p, &i, d))
					return true;
			} else {
				d->what = "looking for beginning of value";
				return true;
			}
			ex = !p->frames.len ? EX_END : in_obj ? EX_OBJ_NEXT : EX_ARR_NEXT;
			continue;
		}
	}
}

static void report_syntax(struct jp *p, const char *yajl_msg)
{
	struct diag d;
	char q[32], msg[160];

	if (!diagnose(p, &d)) {
		/* Our scanner found nothing: pass yajl's own words on. */
		size_t off = p->h ? yajl_get_bytes_consumed(p->h) : p->prev_end;
		snprintf(msg, sizeof(msg), "invalid JSON (%s)", yajl_msg ? yajl_msg : "?");
		msg[strcspn(msg, "\n")] = '\0';
		fail_at(p, off < p->len ? off : p->len, SECPROF_E_PROFILE, msg);
		return;
	}
	if (d.msg) {
		fail_at(p, d.off, SECPROF_E_PROFILE, d.msg);
		return;
	}
	quote_char(p, d.off, q, sizeof(q));
	snprintf(msg, sizeof(msg), "invalid character %s %s", q, d.what);
	fail_at(p, d.off, SECPROF_E_PROFILE, msg);
}

/* ---- entry point ------------------------------------------------------ */

static void run_yajl(struct jp *p)
{
	size_t bad = first_bad_byte(p->data, p->len);
	yajl_status st;
	char *ymsg = NULL;

	/* Give yajl only the bytes before the first byte we refuse: an error
	 * yajl finds there comes first in the text, else the bad byte does. */
	st = yajl_parse(p->h, (const unsigned char *)p->data, bad);
	if (st == yajl_status_ok && bad == p->len) {
		p->finishing = true;
		st = yajl_complete_parse(p->h);
		p->finishing = false;
	}
	if (p->failed)
		return;
	if (st == yajl_status_ok && bad == p->len)
		return;
	if (st == yajl_status_error)
		ymsg = (char *)yajl_get_error(p->h, 0, NULL, 0);
	report_syntax(p, ymsg);
	if (ymsg)
		yajl_free_error(p->h, (unsigned char *)ymsg);
}

static struct sp_json *ref_json_parse(struct sp_arena *arena, const char *data, size_t len,
			      const char *file, secprof_error *err)
{
	struct jp p = {
		.data = data,
		.len = len,
		.file = file,
		.err = err,
		.arena = arena,
		.li = { .data = data, .line = 1 },
		.frames = { .item_size = sizeof(struct frame) },
		.scratch = { .item_size = sizeof(struct sp_jmember) },
		.top_ex = EX_VALUE,
	};

	if (!data)
		data = p.data = "";
	p.h = yajl_alloc(&callbacks, NULL, &p);
	if (!p.h) {
		sp_err(err, SECPROF_E_SYSTEM, file, NULL, NULL, "out of memory");
		return NULL;
	}
	run_yajl(&p);
	yajl_free(p.h);
	sp_vec_free(&p.frames);
	sp_vec_free(&p.scratch);
	return p.failed ? NULL : p.root;
}
