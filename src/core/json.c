/* json.c - strict JSON reader keeping a line/column for every value.
 *
 * One pass over the bytes, no recursion on input depth (an explicit stack
 * of open containers), building the tree in the arena. It accepts exactly
 * RFC 8259 JSON (one value, no comments, no trailing commas) and keeps
 * numbers as their raw text, so uint64 values stay exact (docs/COMPAT.md §1.3).
 *
 * Cost: the reader is built so that parsing the default profile is cheap:
 *  - the text of every string and number is written, unescaped and
 *    NUL-terminated, one after the other into one block of the input's
 *    size: no allocation per string, and no copy of the whitespace and
 *    punctuation between them, which a cold parse would pay for in cache
 *    lines written (a lazy parse, for large inputs, gives each token read
 *    a block of its own, see sp_json_parse_lazy);
 *  - line/column come for free: newlines can only stand in whitespace, so
 *    the whitespace skipper counts them;
 *  - nodes are carved from blocks, members gathered on one scratch stack
 *    and copied once when their container closes.
 *
 * Escapes decode as Go's encoding/json decodes them (docs/COMPAT.md §1.3): a
 * surrogate escape that is not half of a valid pair becomes U+FFFD (yajl,
 * the independent oracle of tests/fuzz/fuzz_json_diff.c, joins a high
 * surrogate with any \u escape after it; the oracle rewrites such escapes
 * before comparing).
 *
 * Errors: the scanner only says "not here"; what Go's encoding/json would
 * say ("invalid character 'x' after object key", "unexpected end of
 * input", ...) is found by re-scanning from the end of the last complete
 * token with a small diagnoser that knows what was expected there.
 *
 * One deliberate difference from Go: invalid UTF-8 (and overlong forms,
 * encoded surrogates) is an error here, where Go would quietly turn it into
 * U+FFFD; a syscall or capability name with such bytes can only be a
 * mistake. Escaped lone surrogates ("\ud800") are accepted, as in Go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/json.h"
#include "core/scratch.h"
#include "core/utf8.h"

/* Returned by the scanning functions instead of an offset: stop here. */
#define BAD SIZE_MAX

/* The per-token helpers: inlined into the scan loop, they keep the scan
 * position and line in registers (a fifth of the reader's time went to
 * calls and reloads). */
#define HOT static inline __attribute__((always_inline))

static struct sp_loc make_loc(size_t line, size_t col)
{
	struct sp_loc loc;

	loc.line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	loc.col = col > UINT32_MAX ? UINT32_MAX : (uint32_t)col;
	return loc;
}

/* Line:column of any offset, counting from the top: for error messages
 * only, so it may be slow. */
static struct sp_loc loc_from_top(const char *data, size_t off)
{
	size_t line = 1, line_start = 0;

	for (const char *nl = data; (nl = memchr(nl, '\n', off - (size_t)(nl - data)));) {
		line++;
		line_start = (size_t)(++nl - data);
	}
	return make_loc(line, off - line_start + 1);
}

/* ---- parser state ----------------------------------------------------- */

/* What the parser expects next inside the innermost open container, as of
 * the end of the last complete token (a ',' or ':' read after it does not
 * change it: the diagnoser re-reads them). */
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

/* Nodes are carved from blocks of this many, not zeroed: add_value sets
 * every field but the union, which each kind of token then fills. */
#define NODE_BLOCK 64

struct jp {
	const char *data;
	size_t len;
	const char *file;
	secprof_error *err;
	struct sp_arena *arena;      /* the tokens' text: strings point into it */
	struct sp_arena *node_arena; /* value nodes, member and item arrays */
	char *pack;                  /* the next free byte of the block of the tokens'
					text (not lazy): each one NUL-terminated after
					the one before; the block has the input's size
					plus one, which they never pass (a string's
					quotes outweigh its NUL, tokens do not overlap,
					and a number is followed by a byte unless it
					ends the input) */
	struct sp_arena *str_arena;  /* no copy (lazy): each token's text is a block here;
					NULL as well: only validate (token_room) */
	size_t line;                 /* line of the scan position (1-based) */
	size_t line_start;           /* offset of its first byte */
	size_t prev_end;             /* end of the last complete token */
	bool failed;                 /* err is filled */
	struct sp_vec frames;        /* struct frame */
	struct sp_vec scratch;       /* struct sp_jmember of open containers */
	struct sp_json *nodes;       /* free part of the current block */
	size_t nodes_left;
	struct sp_json *root;
	enum expect top_ex;
	enum expect *ex;   /* cur_expect(), cached */
	bool lazy;         /* objects in arrays become lazy nodes (sp_json_parse_lazy) */
	size_t depth_base; /* containers open around a lazy object's own scan */
};

static int fail_at(struct jp *p, size_t off, int code, const char *msg)
{
	struct sp_loc loc = loc_from_top(p->data, off);
	sp_err(p->err, code, p->file, &loc, NULL, "%s", msg);
	p->failed = true;
	return 0;
}

static size_t oom(struct jp *p)
{
	fail_at(p, p->prev_end, SECPROF_E_SYSTEM, "out of memory");
	return BAD;
}

/* A slot at the end of v, not zeroed (callers set every field they read). */
static inline void *push(struct sp_vec *v)
{
	if (v->len < v->cap)
		return (char *)v->items + v->len++ * v->item_size;
	return sp_vec_push(v);
}

/* Where the state of the innermost open container lives: its frame, or
 * top_ex outside all. Kept in p->ex, set again whenever a container opens
 * or closes (the frames may move when their array grows). */
static enum expect *cur_expect(struct jp *p)
{
	if (!p->frames.len)
		return &p->top_ex;
	return &((struct frame *)p->frames.items)[p->frames.len - 1].ex;
}

/* End of the run of tabs from i: pretty-printed input indents every line
 * with them, so they are skipped 8 at a time where 8 bytes are left. */
static inline size_t tab_run(const unsigned char *s, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n - i >= 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		w ^= 0x0909090909090909ull; /* tabs become zero bytes */
		if (w)
			return i + (size_t)__builtin_ctzll(w) / 8;
		i += 8;
	}
#endif
	while (i < n && s[i] == '\t')
		i++;
	return i;
}

static const unsigned char ws_kind[256] = { [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 2 };

/* Skip whitespace from i, counting lines: a newline can stand nowhere else
 * in valid JSON (raw control characters are refused in strings), so this is
 * all the line bookkeeping there is. */
static inline size_t skip_space(struct jp *p, size_t i)
{
	const unsigned char *s = (const unsigned char *)p->data;
	size_t n = p->len;

	for (; i < n; i++) {
		unsigned kind = ws_kind[s[i]];
		if (kind == 1)
			continue;
		if (!kind)
			break;
		p->line++;
		p->line_start = i + 1;
		i = tab_run(s, i + 1, n) - 1;
	}
	return i;
}

HOT struct sp_json *new_node(struct jp *p)
{
	if (!p->nodes_left) {
		p->nodes = sp_arena_alloc_raw(p->node_arena, NODE_BLOCK * sizeof(*p->nodes));
		if (!p->nodes)
			return NULL;
		p->nodes_left = NODE_BLOCK;
	}
	p->nodes_left--;
	return p->nodes++;
}

/* Create a value node for the token [start, end) and hang it on its
 * parent. Called once the token is known to be complete and valid. */
HOT struct sp_json *add_value(struct jp *p, enum sp_jtype type, size_t start, size_t end)
{
	struct sp_json *v = new_node(p);
	enum expect *ex = p->ex;

	if (!v) {
		oom(p);
		return NULL;
	}
	v->type = type;
	memset(&v->u, 0, sizeof(v->u));
	v->len = 0;
	v->off = start;
	v->end = end;
	v->loc = make_loc(p->line, start - p->line_start + 1);
	if (!p->frames.len) {
		p->root = v;
		*ex = EX_END;
	} else if (*ex == EX_COLON) { /* value of the pending member */
		struct sp_jmember *m = (struct sp_jmember *)p->scratch.items + p->scratch.len - 1;
		m->val = v;
		*ex = EX_OBJ_NEXT;
	} else { /* array element */
		struct sp_jmember *m = push(&p->scratch);
		if (!m) {
			oom(p);
			return NULL;
		}
		m->val = v;
		*ex = EX_ARR_NEXT;
	}
	p->prev_end = end;
	return v;
}

/* ---- strings ------------------------------------------------------------ */

/* Bytes that end a plain run inside a string: the closing quote, an escape,
 * a control character (refused) or the lead byte of a multi-byte UTF-8
 * sequence (checked). Everything else is copied as it is. */
/* clang-format off */
static const unsigned char str_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};
/* clang-format on */

/* End of the run of plain string bytes from k: 8 bytes at a time while 8
 * are left (little-endian: the lowest flagged byte is the first one, and
 * the borrow tricks below never flag a byte before the first real match),
 * then byte by byte. */
HOT size_t plain_run(const unsigned char *s, size_t k, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (len - k >= 8) {
		uint64_t w, q, b, m;
		memcpy(&w, s + k, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		m = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
		m &= highs;
		if (m)
			return k + (size_t)__builtin_ctzll(m) / 8;
		k += 8;
	}
#endif
	while (k < len && !str_stop[s[k]])
		k++;
	return k;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)s[i];
		v = v << 4 | (c <= '9' ? c - (unsigned)'0' : (c | 0x20u) - 'a' + 10u);
	}
	return v;
}

/* Lex the string whose opening quote is at i: the offset of its closing
 * quote, or BAD when it is malformed or runs off the end (RFC 8259: no raw
 * control characters, only the eight short escapes and \uXXXX, valid
 * UTF-8). *escaped says whether it holds any escape. */
HOT size_t lex_string(const struct jp *p, size_t i, bool *escaped)
{
	const unsigned char *s = (const unsigned char *)p->data;
	size_t k = i + 1, n;

	for (;;) {
		k = plain_run(s, k, p->len);
		if (k >= p->len)
			return BAD;
		if (s[k] == '"')
			return k;
		if (s[k] == '\\') {
			*escaped = true;
			if (++k >= p->len)
				return BAD;
			switch (s[k]) {
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't': k++; continue;
			case 'u':
				if (p->len - k < 5 || !is_hex(s[k + 1]) || !is_hex(s[k + 2]) ||
				    !is_hex(s[k + 3]) || !is_hex(s[k + 4]))
					return BAD;
				k += 5;
				continue;
			default: return BAD;
			}
		}
		if (s[k] < 0x80) /* a raw control character */
			return BAD;
		n = sp_utf8_len(s + k, p->len - k);
		if (!n)
			return BAD;
		k += n;
	}
}

/* UTF-8 of a code point ('?' beyond 21 bits; not reached: a joined pair is
 * at most U+10FFFF). */
static size_t utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp < 0x200000) {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	out[0] = '?';
	return 1;
}

/* Decode a \u escape whose 'u' is at s[*end]; leaves *end on its last hex
 * digit. As Go's encoding/json (what Docker decodes with, docs/COMPAT.md §1.3): a high
 * surrogate followed by a \u low surrogate is one code point; any other
 * surrogate becomes U+FFFD and what follows it is decoded on its own. */
static size_t unescape_u(const char *s, size_t *end, char *out)
{
	unsigned cp = hex4(s + *end + 1);

	*end += 4;
	if (cp >= 0xd800 && cp < 0xe000) {
		unsigned lo = 0;
		if (cp < 0xdc00 && s[*end + 1] == '\\' && s[*end + 2] == 'u')
			lo = hex4(s + *end + 3);
		if (lo < 0xdc00 || lo >= 0xe000)
			return utf8_put(0xfffd, out);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*end += 6;
	}
	return utf8_put(cp, out);
}

/* Decode the escapes of a lexed string body s[0..n) (s[n] is its closing
 * quote) into out; returns the decoded length, never more than n. */
static size_t unescape(const char *s, size_t n, char *out)
{
	size_t beg = 0, w = 0;

	for (size_t end = 0; end < n; end++) {
		if (s[end] != '\\')
			continue;
		memcpy(out + w, s + beg, end - beg);
		w += end - beg;
		switch (s[++end]) {
		case 'b': out[w++] = '\b'; break;
		case 'f': out[w++] = '\f'; break;
		case 'n': out[w++] = '\n'; break;
		case 'r': out[w++] = '\r'; break;
		case 't': out[w++] = '\t'; break;
		case 'u': w += unescape_u(s, &end, out + w); break;
		default: out[w++] = s[end]; break; /* '"', '\\' or '/' */
		}
		beg = end + 1;
	}
	memcpy(out + w, s + beg, n - beg);
	return w + n - beg;
}

/* Where the text of a token of n bytes goes, with room for its NUL: next
 * in the packed block (p->pack); in a lazy parse, a block of its own in
 * str_arena. NULL when the scan only validates (a lazy object's first
 * scan: its nodes are dropped) or, with p->failed set, on ENOMEM. */
HOT char *token_room(struct jp *p, size_t n)
{
	char *t;

	if (p->pack) {
		t = p->pack;
		p->pack += n + 1;
		return t;
	}
	if (!p->str_arena)
		return NULL;
	t = sp_arena_alloc_bytes(p->str_arena, n + 1);
	if (!t)
		oom(p);
	return t;
}

/* The string token at i: its decoded text, NUL-terminated (token_room);
 * returns the offset after the closing quote, or BAD. */
HOT size_t scan_string(struct jp *p, size_t i, const char **out, size_t *outlen)
{
	bool escaped = false;
	size_t close = lex_string(p, i, &escaped), n;
	char *dst;

	if (close == BAD)
		return BAD;
	n = close - i - 1;
	dst = token_room(p, n);
	if (!dst) {
		*out = "";
		*outlen = 0;
		return p->failed ? BAD : close + 1;
	}
	if (escaped) /* the decoded text is never longer: it fits */
		n = unescape(p->data + i + 1, n, dst);
	else
		memcpy(dst, p->data + i + 1, n);
	dst[n] = '\0';
	*out = dst;
	*outlen = n;
	return close + 1;
}

/* ---- other tokens ------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* End of the number at i (RFC 8259 grammar), or BAD. */
HOT size_t lex_number(const struct jp *p, size_t i)
{
	const char *s = p->data;
	size_t k = i, n = p->len;

	if (s[k] == '-')
		k++;
	if (k >= n || !is_digit(s[k]))
		return BAD;
	if (s[k++] != '0')
		while (k < n && is_digit(s[k]))
			k++;
	if (k < n && s[k] == '.') {
		if (++k >= n || !is_digit(s[k]))
			return BAD;
		while (k < n && is_digit(s[k]))
			k++;
	}
	if (k < n && (s[k] == 'e' || s[k] == 'E')) {
		if (++k < n && (s[k] == '+' || s[k] == '-'))
			k++;
		if (k >= n || !is_digit(s[k]))
			return BAD;
		while (k < n && is_digit(s[k]))
			k++;
	}
	return k;
}

HOT size_t scan_literal(struct jp *p, size_t i, const char *lit, size_t n, enum sp_jtype type,
			bool b)
{
	struct sp_json *v;

	if (p->len - i < n || memcmp(p->data + i, lit, n))
		return BAD;
	v = add_value(p, type, i, i + n);
	if (!v)
		return BAD;
	v->u.b = b;
	return i + n;
}

HOT size_t scan_text_value(struct jp *p, size_t i, enum sp_jtype type)
{
	struct sp_json *v;
	const char *s;
	size_t n, end;

	if (type == SP_JSTR) {
		end = scan_string(p, i, &s, &n);
	} else if ((end = lex_number(p, i)) != BAD) {
		char *t = token_room(p, n = end - i);
		if (!t && p->failed)
			return BAD;
		if (t) {
			memcpy(t, p->data + i, n);
			t[n] = '\0';
		}
		s = t ? t : "";
	}
	if (end == BAD)
		return BAD;
	v = add_value(p, type, i, end);
	if (!v)
		return BAD;
	v->u.s = s;
	v->len = n;
	return end;
}

HOT size_t scan_key(struct jp *p, size_t i)
{
	struct sp_jmember *m;
	const char *s;
	size_t n, end = scan_string(p, i, &s, &n);

	if (end == BAD)
		return BAD;
	m = push(&p->scratch);
	if (!m)
		return oom(p);
	m->key = s;
	m->key_len = n;
	m->loc = make_loc(p->line, i - p->line_start + 1);
	m->val = NULL;
	*p->ex = EX_COLON;
	p->prev_end = end;
	return end;
}

/* ---- containers -------------------------------------------------------- */

static size_t open_container(struct jp *p, size_t i, enum sp_jtype type)
{
	struct sp_json *v;
	struct frame *f;

	/* Go's encoding/json stops at 10000 levels; so do we (a frame per level
	 * is all it costs, but deeper input is never a real profile). */
	if (p->frames.len + p->depth_base >= SP_JSON_MAX_DEPTH) {
		fail_at(p, i, SECPROF_E_LIMIT, "nesting deeper than 10000 levels");
		return BAD;
	}
	v = add_value(p, type, i, i + 1);
	if (!v)
		return BAD;
	f = push(&p->frames);
	if (!f)
		return oom(p);
	f->node = v;
	f->first = p->scratch.len;
	f->ex = type == SP_JOBJ ? EX_KEY_OR_CLOSE : EX_VAL_OR_CLOSE;
	p->ex = &f->ex;
	return i + 1;
}

/* The closing bracket at i: the members gathered since the container
 * opened move from the scratch stack to the arena. */
static size_t close_container(struct jp *p, size_t i)
{
	struct frame *f = (struct frame *)p->frames.items + p->frames.len - 1;
	struct sp_json *v = f->node;
	size_t n = p->scratch.len - f->first;
	/* No arithmetic on a NULL scratch array (UB even with offset 0). */
	struct sp_jmember *m = n ? (struct sp_jmember *)p->scratch.items + f->first : NULL;

	if (v->type == SP_JOBJ) {
		v->u.members = n ? sp_arena_alloc_raw(p->node_arena, n * sizeof(*m)) : NULL;
		if (n && !v->u.members)
			return oom(p);
		if (n)
			memcpy(v->u.members, m, n * sizeof(*m));
		v->len = n;
	} else {
		v->u.items = n ? sp_arena_alloc_raw(p->node_arena, n * sizeof(v)) : NULL;
		if (n && !v->u.items)
			return oom(p);
		for (size_t k = 0; k < n; k++)
			v->u.items[k] = m[k].val;
		v->len = n;
	}
	p->scratch.len = f->first;
	p->frames.len--;
	p->ex = cur_expect(p);
	v->end = i + 1;
	p->prev_end = i + 1;
	return i + 1;
}

static size_t lazy_object(struct jp *p, size_t i);
static void report_syntax(struct jp *p);

HOT size_t scan_value(struct jp *p, size_t i)
{
	if (i >= p->len)
		return BAD;
	switch (p->data[i]) {
	case '{':
		if (p->lazy && (*p->ex == EX_VAL_OR_CLOSE || *p->ex == EX_ARR_NEXT))
			return lazy_object(p, i);
		return open_container(p, i, SP_JOBJ);
	case '[': return open_container(p, i, SP_JARR);
	case '"': return scan_text_value(p, i, SP_JSTR);
	case 't': return scan_literal(p, i, "true", 4, SP_JBOOL, true);
	case 'f': return scan_literal(p, i, "false", 5, SP_JBOOL, false);
	case 'n': return scan_literal(p, i, "null", 4, SP_JNULL, false);
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9': return scan_text_value(p, i, SP_JNUM);
	default: return BAD;
	}
}

/* One step from i (after whitespace) in state ex: the offset after the next
 * complete token, or BAD. Separators (',' and ':') are read here and not
 * recorded: on an error the diagnoser reads them again. */
HOT size_t scan_step(struct jp *p, size_t i, enum expect ex)
{
	char c = p->data[i];

	switch (ex) {
	case EX_END: return BAD;
	case EX_COLON:
		if (c != ':')
			return BAD;
		return scan_value(p, skip_space(p, i + 1));
	case EX_KEY_OR_CLOSE:
	case EX_OBJ_NEXT:
		if (c == '}')
			return close_container(p, i);
		if (ex == EX_OBJ_NEXT) {
			if (c != ',')
				return BAD;
			i = skip_space(p, i + 1);
			if (i >= p->len)
				return BAD;
			c = p->data[i];
		}
		return c == '"' ? scan_key(p, i) : BAD;
	case EX_VAL_OR_CLOSE:
	case EX_ARR_NEXT:
		if (c == ']')
			return close_container(p, i);
		if (ex == EX_ARR_NEXT) {
			if (c != ',')
				return BAD;
			i = skip_space(p, i + 1);
		}
		return scan_value(p, i);
	case EX_VALUE: break;
	}
	return scan_value(p, i);
}

/* true when the whole input is one valid value; else the scan stopped at
 * the first problem (err filled when it was not a syntax error). */
static bool scan(struct jp *p)
{
	size_t i = 0;

	for (;;) {
		enum expect ex = *p->ex;
		i = skip_space(p, i);
		if (i >= p->len)
			return ex == EX_END;
		i = scan_step(p, i, ex);
		if (i == BAD)
			return false;
	}
}

/* ---- lazy objects ------------------------------------------------------ */

/* Scan the one value starting at i in a parser of its own (q): the offset
 * after it, or BAD. Whitespace after it is left to the caller. */
static size_t scan_one(struct jp *q, size_t i)
{
	for (;;) {
		enum expect ex = *q->ex;
		if (ex == EX_END)
			return i;
		i = skip_space(q, i);
		if (i >= q->len)
			return BAD;
		i = scan_step(q, i, ex);
		if (i == BAD)
			return BAD;
	}
}

/* A parser for the value at `off` of p's input, on line `line` whose first
 * byte is at line_start, its nodes in node_arena and the text of its tokens
 * in str_arena (NULL: only validated). */
static void sub_parser(struct jp *q, const struct jp *p, struct sp_arena *node_arena,
		       struct sp_arena *str_arena, size_t line, size_t line_start,
		       size_t depth_base)
{
	*q = (struct jp){
		.data = p->data,
		.len = p->len,
		.file = p->file,
		.err = p->err,
		.arena = p->arena,
		.node_arena = node_arena,
		.str_arena = str_arena,
		.line = line,
		.line_start = line_start,
		.frames = { .item_size = sizeof(struct frame) },
		.scratch = { .item_size = sizeof(struct sp_jmember) },
		.top_ex = EX_VALUE,
		.depth_base = depth_base,
	};
	q->ex = &q->top_ex;
}

/* The lazy objects' first scan: how deep it goes on its own (a profile's
 * objects nest two or three levels); deeper ones are scanned by the
 * scanner, which knows the limit and its message. */
#define CHECK_DEPTH 64u

/* A member's key at i and its colon: the offset of its value, or BAD. */
static size_t check_key(struct jp *q, size_t i)
{
	bool escaped = false;

	if (i >= q->len || q->data[i] != '"' || (i = lex_string(q, i, &escaped)) == BAD)
		return BAD;
	i = skip_space(q, i + 1);
	if (i >= q->len || q->data[i] != ':')
		return BAD;
	i = skip_space(q, i + 1);
	return i < q->len ? i : BAD;
}

/* The offset after the object or array at i when all of it is valid JSON,
 * else BAD: the scanner's grammar, with its lexers (lex_string, lex_number
 * and the literals), lines counted as it counts them, and no node made and
 * no text kept. A lazy object is checked by this first; only where it says
 * BAD does the scanner go over the object again, to find what Go's
 * encoding/json would say (that scan cost three times as much per byte,
 * most of a lazy parse's first pass). */
static size_t check_container(struct jp *q, size_t i)
{
	const char *s = q->data;
	char open[CHECK_DEPTH];
	size_t d = 0, n = q->len;
	bool escaped;

	for (;;) {
		/* a value starts at i */
		switch (s[i]) {
		case '{':
		case '[':
			if (d == CHECK_DEPTH || d + q->depth_base + 1 >= SP_JSON_MAX_DEPTH)
				return BAD;
			open[d++] = s[i];
			i = skip_space(q, i + 1);
			if (i >= n)
				return BAD;
			if (s[i] == (open[d - 1] == '{' ? '}' : ']')) {
				d--;
				i++;
				break;
			}
			if (open[d - 1] == '{' && (i = check_key(q, i)) == BAD)
				return BAD;
			continue;
		case '"':
			escaped = false;
			if ((i = lex_string(q, i, &escaped)) == BAD)
				return BAD;
			i++;
			break;
		case 't':
		case 'n':
			if (n - i < 4 || memcmp(s + i, s[i] == 't' ? "true" : "null", 4))
				return BAD;
			i += 4;
			break;
		case 'f':
			if (n - i < 5 || memcmp(s + i, "false", 5))
				return BAD;
			i += 5;
			break;
		default:
			if ((i = lex_number(q, i)) == BAD)
				return BAD;
			break;
		}
		/* after a value: close what it ends, or go on to the next */
		for (;;) {
			char close;
			if (!d)
				return i;
			i = skip_space(q, i);
			if (i >= n)
				return BAD;
			close = open[d - 1] == '{' ? '}' : ']';
			if (s[i] == close) {
				d--;
				i++;
				continue;
			}
			if (s[i] != ',')
				return BAD;
			i = skip_space(q, i + 1);
			if (i >= n || (open[d - 1] == '{' && (i = check_key(q, i)) == BAD))
				return BAD;
			break;
		}
	}
}

/* An object that is an element of an array, in a lazy parse: checked whole
 * (check_container: no node made, no text kept); what stays is one node
 * with its span and place, which
 * sp_json_expand turns into the full object when it is read. The elements
 * of a profile's syscalls array are most of a large profile, and their
 * trees (and a copy of their text) were most of its peak memory. */
static size_t lazy_object(struct jp *p, size_t i)
{
	struct jp q;
	struct sp_json *v;
	size_t end;

	sub_parser(&q, p, NULL, NULL, p->line, p->line_start, p->frames.len);
	end = check_container(&q, i);
	if (end == BAD) {
		/* the scanner's own pass, for its message (its nodes in an
		 * arena dropped at once): from where it stopped, in the state
		 * of the innermost container open there, which is what the
		 * whole-tree scan would have stopped in (diagnose reads no
		 * more) */
		struct sp_arena tmp = { 0 };
		sub_parser(&q, p, &tmp, NULL, p->line, p->line_start, p->frames.len);
		end = scan_one(&q, i);
		if (end == BAD && !q.failed)
			report_syntax(&q);
		sp_vec_free(&q.frames);
		sp_vec_free(&q.scratch);
		sp_arena_free(&tmp);
	}
	if (end == BAD) {
		p->failed = true;
		return BAD;
	}
	v = add_value(p, SP_JOBJ, i, end); /* its place: the line before the scan moved it */
	if (!v)
		return BAD;
	v->len = SP_JSON_LAZY;
	v->u.members = NULL;
	p->line = q.line;
	p->line_start = q.line_start;
	return end;
}

struct sp_json *sp_json_expand(struct sp_arena *node_arena, const struct sp_json *lazy,
			       const char *data, size_t len, const char *file,
			       struct sp_json_room *room, secprof_error *err)
{
	struct jp p = { .data = data, .len = len, .file = file, .err = err }, q;
	size_t end;

	if (!sp_json_is_lazy(lazy))
		return (struct sp_json *)lazy;
	/* the column is the byte offset on its line plus one (add_value) */
	sub_parser(&q, &p, node_arena, node_arena, lazy->loc.line, lazy->off - (lazy->loc.col - 1),
		   0);
	if (room) {
		q.frames.items = room->frames;
		q.frames.cap = room->nframes;
		q.scratch.items = room->members;
		q.scratch.cap = room->nmembers;
	}
	end = scan_one(&q, lazy->off);
	if (room) {
		room->frames = q.frames.items;
		room->nframes = q.frames.cap;
		room->members = q.scratch.items;
		room->nmembers = q.scratch.cap;
	} else {
		sp_vec_free(&q.frames);
		sp_vec_free(&q.scratch);
	}
	if (end != lazy->end || !q.root) {
		if (!q.failed) /* not reached: the same bytes scanned before */
			sp_err(err, SECPROF_E_INTERNAL, file, &lazy->loc, NULL,
			       "a lazy JSON object did not scan again");
		return NULL;
	}
	return q.root;
}

void sp_json_room_free(struct sp_json_room *room)
{
	free(room->frames);
	free(room->members);
	*room = (struct sp_json_room){ 0 };
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
	n = sp_utf8_len(u, p->len - i);
	if (!n) { /* not reached: bad_anywhere() reports these first */
		snprintf(buf, len, "byte 0x%02x", c);
		return;
	}
	cp = n == 2 ? (u[0] & 0x1fu) : n == 3 ? (u[0] & 0x0fu) : (u[0] & 0x07u);
	for (size_t k = 1; k < n; k++)
		cp = cp << 6 | (u[k] & 0x3fu);
	snprintf(buf, len, "'%.*s' (U+%04X)", (int)n, p->data + i, cp);
}

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
	if (c >= 0x80 && !sp_utf8_len((const unsigned char *)p->data + i, p->len - i)) {
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
			size_t n = sp_utf8_len((const unsigned char *)p->data + i, p->len - i);
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

/* Scan a number at *i; true with d filled on a malformed one. */
static bool diag_number(const struct jp *p, size_t *i, struct diag *d)
{
	size_t k = *i;

#define NEED_DIGIT(w)                                       \
	do {                                                \
		if (k >= p->len) {                          \
			d->off = p->len;                    \
			d->msg = "unexpected end of input"; \
			return true;                        \
		}                                           \
		if (!is_digit(p->data[k])) {                \
			d->off = k;                         \
			d->what = w;                        \
			return true;                        \
		}                                           \
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
			d->what = lit[0] == 't'   ? "in literal true"
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
 * during the scan are not followed: the scanner has already stopped before
 * them. */
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
		case EX_END: d->what = "after top-level value"; return true;
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

static void report_syntax(struct jp *p)
{
	struct diag d;
	char q[32], msg[160];

	if (!diagnose(p, &d)) { /* not reached: the scanner and diagnoser agree */
		fail_at(p, p->prev_end, SECPROF_E_INTERNAL, "invalid JSON");
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

struct sp_json *sp_json_parse(struct sp_arena *arena, const char *data, size_t len,
			      const char *file, secprof_error *err)
{
	return sp_json_parse_split(arena, arena, data, len, file, err);
}

static size_t scratch_cap(size_t len)
{
	size_t cap = len / 32;

	return cap < 16 ? 16 : cap > 1024 ? 1024 : cap;
}

static struct sp_json *parse(struct sp_arena *arena, struct sp_arena *node_arena, const char *data,
			     size_t len, const char *file, secprof_error *err, bool lazy)
{
	struct jp p = {
		.lazy = lazy,
		.data = data ? data : "",
		.len = data ? len : 0,
		.file = file,
		.err = err,
		.arena = arena,
		.node_arena = node_arena,
		.line = 1,
		/* the stacks are as temporary as the nodes: from where their
		 * arena takes its chunks (a call's scratch region, or malloc) */
		.frames = { .item_size = sizeof(struct frame), .scratch = node_arena->scratch },
		.scratch = { .item_size = sizeof(struct sp_jmember),
			     .scratch = node_arena->scratch },
		.top_ex = EX_VALUE,
	};

	/* offsets and lengths are kept in 32 bits (struct sp_json) */
	if (p.len > SECPROF_MAX_PROFILE_SIZE) {
		sp_err(err, SECPROF_E_LIMIT, file, NULL, NULL, "the input is larger than %u bytes",
		       SECPROF_MAX_PROFILE_SIZE);
		return NULL;
	}
	/* The tokens' text, packed (struct jp.pack); only what is written of
	 * it is touched. A lazy parse reserves none: the few tokens outside
	 * lazy objects get a block each (token_room), those inside when they
	 * are expanded. */
	if (lazy) {
		p.str_arena = arena;
	} else {
		p.pack = sp_arena_alloc_bytes(arena, p.len + 1);
		if (!p.pack) {
			sp_err_oom_in(err, file);
			return NULL;
		}
	}
	/* room for the members of the open containers, from the input's size
	 * (a member takes at least 4 bytes, most far more): a profile's long
	 * name lists would otherwise grow the stack and copy it a few times */
	p.scratch.items =
		sp_salloc(p.scratch.scratch, scratch_cap(p.len) * sizeof(struct sp_jmember));
	p.scratch.cap = p.scratch.items ? scratch_cap(p.len) : 0;
	p.ex = &p.top_ex;
	if (!scan(&p) && !p.failed)
		report_syntax(&p);
	sp_vec_free(&p.frames);
	sp_vec_free(&p.scratch);
	return p.failed ? NULL : p.root;
}

struct sp_json *sp_json_parse_split(struct sp_arena *arena, struct sp_arena *node_arena,
				    const char *data, size_t len, const char *file,
				    secprof_error *err)
{
	return parse(arena, node_arena, data, len, file, err, false);
}

struct sp_json *sp_json_parse_lazy(struct sp_arena *arena, struct sp_arena *node_arena,
				   const char *data, size_t len, const char *file,
				   secprof_error *err)
{
	return parse(arena, node_arena, data, len, file, err, true);
}

bool sp_json_key_fold_eq(const char *key, size_t klen, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t i = 0;

	for (; *name; name++) {
		unsigned char c = (unsigned char)*name, lc = c | 0x20;
		bool letter = lc >= 'a' && lc <= 'z';

		if (i >= klen)
			return false;
		if (letter && (k[i] | 0x20) == lc) {
			i++;
		} else if (!letter && k[i] == c) {
			i++;
		} else if (lc == 's' && i + 1 < klen && k[i] == 0xc5 && k[i + 1] == 0xbf) {
			i += 2;
		} else if (lc == 'k' && i + 2 < klen && k[i] == 0xe2 && k[i + 1] == 0x84 &&
			   k[i + 2] == 0xaa) {
			i += 3;
		} else {
			return false;
		}
	}
	return i == klen;
}
