/* json_yajl_oracle.c - what a strict RFC 8259 reader must say about a byte
 * string, decided with yajl 2 and nothing of secprof: included by
 * fuzz_json_diff.c, which holds src/json.c to it. This file includes no
 * secprof header and shares no code with src/json.c.
 *
 * yajl is a streaming parser: it is given bytes, calls back once per value
 * or key token it accepts, and fails on the first token that cannot follow.
 * From that alone the oracle derives:
 *
 *  - validity: yajl_parse + yajl_complete_parse succeed and nothing but
 *    JSON whitespace follows the top-level value (yajl_do_parse, in state
 *    yajl_state_parse_complete, only lexes one more token to look for
 *    trailing garbage, and an unterminated string there is an incomplete
 *    token, not garbage: yajl accepts `4 "x`);
 *  - positions, from yajl_get_bytes_consumed() during a callback, which is
 *    the end of the token being reported, relative to the chunk passed to
 *    yajl_parse (the lexer unreads the byte that ends a number). A number
 *    ending the input is only reported inside yajl_complete_parse, which
 *    parses a one-space chunk of its own: it ends at the end of the input.
 *    Starts: a bracket is one byte, a number's raw text and a literal have
 *    known lengths, and a string starts after the previous token's end,
 *    JSON whitespace and at most one ',' or ':' (RFC 8259 section 2: nothing
 *    else can stand between two tokens of a valid text);
 *  - the error offset: Go's encoding/json reports the first byte at which
 *    the input stops being the beginning of some valid JSON text ("unexpected
 *    end of input" at the end when it never stops). That is the largest k
 *    for which bytes [0, k) are a valid prefix, a monotone property, found
 *    by bisection. "Valid prefix" is decided by yajl too: [0, k) is one iff
 *    one of a fixed set of completions (finish the pending token, supply
 *    what the parser state may still need, close the open containers)
 *    makes yajl accept it as a whole text. The search is bounded below by
 *    the end of the last token yajl reported (a valid prefix) and above by
 *    the byte yajl refused when fed one byte at a time (yajl only refuses
 *    bytes that cannot continue a valid text, but it may refuse late: it
 *    sees a misplaced token only once the token ends).
 *
 * What yajl accepts and RFC 8259 (and so secprof) does not, handled here on
 * purpose:
 *  - yajl counts \v and \f as whitespace (yajl_lex_lex): the oracle maps
 *    them to \x01 before yajl sees the input, a byte refused everywhere by
 *    both, at the same offset;
 *  - yajl checks UTF-8 only for its shape (yajl_lex_utf8_char: no overlong,
 *    surrogate or range check), and Go not at all. secprof refuses invalid
 *    UTF-8 in strings on purpose (src/json.c, docs/COMPAT.md), reporting the
 *    first byte of the bad sequence. So the grammar is decided on a copy
 *    with every byte >= 0x80 mapped to '~' (valid inside a string, an error
 *    outside one, in a number, literal or escape: exactly as a non-ASCII
 *    byte is for Go), and the oracle checks the original bytes of every
 *    string itself (RFC 3629: no overlong form, no surrogate, nothing above
 *    U+10FFFF, no sequence cut short);
 *  - nesting deeper than Go's maximum of 10000 levels is an error at the
 *    bracket that opens level 10001 (yajl has no limit);
 *  - escaped surrogates: Go's encoding/json (unquote) joins a high surrogate
 *    with an immediately following \u low surrogate and turns every other
 *    surrogate escape into U+FFFD; yajl joins a high surrogate with any \u
 *    escape after it and turns a lone high one into '?'. Before the tree is
 *    read, every surrogate escape Go would replace is rewritten to \uFFFD
 *    (same length: positions do not move), so yajl decodes what Go does.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

/* Go's encoding/json maxNestingDepth. */
#define ORACLE_MAX_DEPTH 10000

enum oev_type { OEV_NULL, OEV_BOOL, OEV_NUM, OEV_STR, OEV_ARR, OEV_OBJ, OEV_KEY, OEV_END };

/* One token yajl reported, in document order: a container is OEV_ARR or
 * OEV_OBJ, its members (OEV_KEY then the value, in an object) and OEV_END. */
struct oev {
	enum oev_type type;
	size_t start, end; /* byte span of the token (OEV_END: the closing bracket) */
	size_t level;      /* containers open around it, itself included */
	bool b;            /* OEV_BOOL */
	char *text;        /* OEV_NUM raw text, OEV_STR/OEV_KEY decoded; when kept */
	size_t len;
};

enum oracle_err { ORACLE_OK, ORACLE_SYNTAX, ORACLE_UTF8, ORACLE_DEPTH };

struct oracle_result {
	enum oracle_err err; /* ORACLE_OK: valid */
	size_t off;          /* the error's offset (err != ORACLE_OK) */
	size_t lower, upper; /* bounds the bisection ran in, for the report */
	struct oev *ev;      /* valid: the tree, with texts */
	size_t nev;
};

struct oyp {
	yajl_handle h;
	const unsigned char *buf;
	size_t len;
	size_t base;    /* offset of the chunk yajl is parsing */
	bool finishing; /* inside yajl_complete_parse */
	bool keep_text;
	bool oom;
	size_t level;    /* containers open */
	size_t prev_end; /* end of the last reported token */
	bool have_root;
	size_t root_end;
	struct oev *ev;
	size_t nev, cap;
};

static bool oracle_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t oracle_tok_end(const struct oyp *p)
{
	return p->finishing ? p->len : p->base + yajl_get_bytes_consumed(p->h);
}

/* Start of a string token: after whitespace and one separator from the
 * previous token's end (the text so far is valid, yajl said so). */
static size_t oracle_string_start(const struct oyp *p)
{
	size_t i = p->prev_end;

	while (i < p->len && oracle_is_ws(p->buf[i]))
		i++;
	if (i < p->len && (p->buf[i] == ',' || p->buf[i] == ':'))
		i++;
	while (i < p->len && oracle_is_ws(p->buf[i]))
		i++;
	return i;
}

static struct oev *oracle_push(struct oyp *p, enum oev_type type, size_t start, size_t end)
{
	struct oev *e;

	if (p->nev == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct oev *n = realloc(p->ev, cap * sizeof(*n));
		if (!n) {
			p->oom = true;
			return NULL;
		}
		p->ev = n;
		p->cap = cap;
	}
	e = &p->ev[p->nev++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->start = start;
	e->end = end;
	e->level = p->level;
	p->prev_end = end;
	if (type != OEV_KEY && p->level == 0) {
		p->have_root = true;
		p->root_end = end;
	}
	return e;
}

static int oracle_scalar(struct oyp *p, enum oev_type type, size_t start, size_t end,
			 const void *text, size_t len)
{
	struct oev *e = oracle_push(p, type, start, end);

	if (!e)
		return 0;
	if (p->keep_text && text) {
		e->text = malloc(len + 1);
		if (!e->text) {
			p->oom = true;
			return 0;
		}
		memcpy(e->text, text, len);
		e->text[len] = '\0';
		e->len = len;
	}
	return 1;
}

static int ocb_null(void *ctx)
{
	struct oyp *p = ctx;
	size_t end = oracle_tok_end(p);
	return oracle_scalar(p, OEV_NULL, end - 4, end, NULL, 0);
}

static int ocb_bool(void *ctx, int b)
{
	struct oyp *p = ctx;
	size_t end = oracle_tok_end(p);
	if (!oracle_scalar(p, OEV_BOOL, end - (b ? 4 : 5), end, NULL, 0))
		return 0;
	p->ev[p->nev - 1].b = b != 0;
	return 1;
}

static int ocb_number(void *ctx, const char *s, size_t n)
{
	struct oyp *p = ctx;
	size_t end = oracle_tok_end(p);
	return oracle_scalar(p, OEV_NUM, end - n, end, s, n);
}

static int ocb_string(void *ctx, const unsigned char *s, size_t n)
{
	struct oyp *p = ctx;
	return oracle_scalar(p, OEV_STR, oracle_string_start(p), oracle_tok_end(p), s, n);
}

static int ocb_key(void *ctx, const unsigned char *s, size_t n)
{
	struct oyp *p = ctx;
	return oracle_scalar(p, OEV_KEY, oracle_string_start(p), oracle_tok_end(p), s, n);
}

static int ocb_open(struct oyp *p, enum oev_type type)
{
	size_t end = oracle_tok_end(p);

	p->level++;
	return oracle_push(p, type, end - 1, end) != NULL;
}

static int ocb_start_map(void *ctx)
{
	return ocb_open(ctx, OEV_OBJ);
}

static int ocb_start_array(void *ctx)
{
	return ocb_open(ctx, OEV_ARR);
}

static int ocb_end(void *ctx)
{
	struct oyp *p = ctx;
	size_t end = oracle_tok_end(p);
	struct oev *e;

	p->level--;
	e = oracle_push(p, OEV_END, end - 1, end);
	if (e)
		e->level = p->level + 1;
	return e != NULL;
}

static const yajl_callbacks oracle_callbacks = {
	.yajl_null = ocb_null,
	.yajl_boolean = ocb_bool,
	.yajl_number = ocb_number,
	.yajl_string = ocb_string,
	.yajl_start_map = ocb_start_map,
	.yajl_map_key = ocb_key,
	.yajl_end_map = ocb_end,
	.yajl_start_array = ocb_start_array,
	.yajl_end_array = ocb_end,
};

static void oracle_free_events(struct oev *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ev[i].text);
	free(ev);
}

/* Run yajl over buf with yajl's default flags (no comments, no trailing
 * garbage, one value, strings validated). byte_at_a_time: one yajl_parse
 * per byte, so *refused is the first byte yajl refused (len when it only
 * failed at the end). Returns true when yajl accepted the whole text and
 * only whitespace follows the top-level value. */
static bool oracle_yajl(struct oyp *p, const unsigned char *buf, size_t len, bool byte_at_a_time,
			bool keep_text, size_t *refused)
{
	yajl_status st = yajl_status_ok;
	size_t bad = len;

	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->len = len;
	p->keep_text = keep_text;
	p->h = yajl_alloc(&oracle_callbacks, NULL, p);
	if (!p->h) {
		p->oom = true;
		return false;
	}
	if (byte_at_a_time) {
		for (size_t i = 0; i < len && st == yajl_status_ok; i++) {
			p->base = i;
			st = yajl_parse(p->h, buf + i, 1);
			if (st != yajl_status_ok)
				bad = i;
		}
	} else {
		st = yajl_parse(p->h, buf, len);
	}
	if (st == yajl_status_ok) {
		p->base = len;
		p->finishing = true;
		st = yajl_complete_parse(p->h);
		p->finishing = false;
	}
	yajl_free(p->h);
	p->h = NULL;
	if (refused)
		*refused = bad;
	if (st != yajl_status_ok || p->oom || !p->have_root)
		return false;
	for (size_t i = p->root_end; i < len; i++)
		if (!oracle_is_ws(buf[i]))
			return false;
	return true;
}

/* Completions of a valid prefix: first the pending token (nothing, the end
 * of a string, of an escape, of a \u escape with 0-3 hex digits given, a
 * digit after '-', '.', 'e' or a sign, the rest of true, false or null)... */
static const char *const oracle_tok_tails[] = {
	"",   "\"", "n\"",  "0000\"", "000\"", "00\"", "0\"", "0", "rue",
	"ue", "e",  "alse", "lse",    "se",    "ull",  "ll",  "l",
};
/* ...then what the parser may still need before the containers can close:
 * nothing, a value (top level, after ':' or an array's ','), a key's ':'
 * and value, a whole member (after an object's ','). */
static const char *const oracle_state_tails[] = { "", "0", ":0", "\"\":0" };

struct oracle_prefix {
	const unsigned char *m; /* the mapped input */
	const char *closers;    /* the brackets that close what is open, innermost first */
	size_t nclosers;
	unsigned char *scratch; /* room for a prefix and its longest completion */
};

/* Is m[0, k) the beginning of some valid text? On yes, *witness (when not
 * NULL) gets the events of the completed text. */
static bool oracle_valid_prefix(const struct oracle_prefix *op, size_t k, struct oyp *witness)
{
	for (size_t t = 0; t < sizeof(oracle_tok_tails) / sizeof(*oracle_tok_tails); t++)
		for (size_t s = 0; s < sizeof(oracle_state_tails) / sizeof(*oracle_state_tails);
		     s++) {
			size_t n = k, lt = strlen(oracle_tok_tails[t]),
			       ls = strlen(oracle_state_tails[s]);
			struct oyp p;
			bool ok;

			memcpy(op->scratch, op->m, k);
			memcpy(op->scratch + n, oracle_tok_tails[t], lt);
			n += lt;
			memcpy(op->scratch + n, oracle_state_tails[s], ls);
			n += ls;
			memcpy(op->scratch + n, op->closers, op->nclosers);
			n += op->nclosers;
			ok = oracle_yajl(&p, op->scratch, n, false, false, NULL);
			if (ok && witness) {
				*witness = p;
				return true;
			}
			oracle_free_events(p.ev, p.nev);
			if (ok)
				return true;
		}
	return false;
}

/* Length of the RFC 3629 sequence at s (of avail bytes), 0 when it is not
 * one: decoded, then held to the range its length may encode. */
static size_t oracle_utf8(const unsigned char *s, size_t avail)
{
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		return 0;
	return n;
}

/* First byte before `limit` in the strings among ev that begins a sequence
 * which is not UTF-8, looked at in the original bytes; SIZE_MAX if none. */
static size_t oracle_first_bad_utf8(const unsigned char *data, size_t len, const struct oev *ev,
				    size_t nev, size_t limit)
{
	for (size_t j = 0; j < nev; j++) {
		if ((ev[j].type != OEV_STR && ev[j].type != OEV_KEY) || ev[j].start >= limit)
			continue;
		size_t stop = ev[j].end - 1 < limit ? ev[j].end - 1 : limit;
		for (size_t i = ev[j].start + 1; i < stop;) {
			size_t n = oracle_utf8(data + i, len - i);
			if (!n)
				return i;
			i += n;
		}
	}
	return SIZE_MAX;
}

/* The first container that opens level ORACLE_MAX_DEPTH + 1, before limit. */
static size_t oracle_first_too_deep(const struct oev *ev, size_t nev, size_t limit)
{
	for (size_t j = 0; j < nev && ev[j].start < limit; j++)
		if ((ev[j].type == OEV_ARR || ev[j].type == OEV_OBJ) &&
		    ev[j].level > ORACLE_MAX_DEPTH)
			return ev[j].start;
	return SIZE_MAX;
}

static unsigned oracle_hex4(const unsigned char *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++)
		v = v * 16 + (unsigned)(s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	return v;
}

/* Rewrite, in the strings of a valid text, every surrogate escape Go's
 * unquote turns into U+FFFD to \uFFFD; pairs Go joins are left to yajl. */
static void oracle_go_surrogates(unsigned char *t, const struct oev *ev, size_t nev)
{
	for (size_t j = 0; j < nev; j++) {
		if (ev[j].type != OEV_STR && ev[j].type != OEV_KEY)
			continue;
		for (size_t i = ev[j].start + 1; i < ev[j].end - 1;) {
			if (t[i] != '\\') {
				i++;
				continue;
			}
			if (t[i + 1] != 'u') {
				i += 2;
				continue;
			}
			unsigned cp = oracle_hex4(t + i + 2);
			if (cp < 0xd800 || cp >= 0xe000) {
				i += 6;
				continue;
			}
			if (cp < 0xdc00 && i + 12 < ev[j].end && t[i + 6] == '\\' &&
			    t[i + 7] == 'u') {
				unsigned lo = oracle_hex4(t + i + 8);
				if (lo >= 0xdc00 && lo < 0xe000) {
					i += 12;
					continue;
				}
			}
			memcpy(t + i + 2, "FFFD", 4);
			i += 6;
		}
	}
}

static void oracle_free(struct oracle_result *r)
{
	oracle_free_events(r->ev, r->nev);
	r->ev = NULL;
	r->nev = 0;
}

/* Decide data[0, len). Returns false only when memory ran out. */
static bool oracle_decide(const unsigned char *data, size_t len, struct oracle_result *r)
{
	unsigned char *m = malloc(len + 1);
	struct oyp a, w = { 0 };
	size_t refused, limit, bad;
	bool ok;

	memset(r, 0, sizeof(*r));
	if (!m)
		return false;
	for (size_t i = 0; i < len; i++)
		m[i] = data[i] >= 0x80 ? '~' : data[i] == '\v' || data[i] == '\f' ? 0x01 : data[i];

	ok = oracle_yajl(&a, m, len, true, false, &refused);
	if (a.oom)
		goto oom;
	if (ok) {
		limit = SIZE_MAX;
		r->lower = r->upper = len;
		w = a;
		a.ev = NULL;
		a.nev = 0;
	} else {
		struct oracle_prefix op = { .m = m };
		char *closers = malloc(a.nev + 1); /* the deepest nesting on the way */
		size_t lo = a.nev ? a.ev[a.nev - 1].end : 0, hi = refused;
		size_t nc = 0;

		if (!closers)
			goto oom;
		/* The containers still open, kept as a stack of their closers,
		 * then turned innermost first. */
		for (size_t j = 0; j < a.nev; j++) {
			if (a.ev[j].type == OEV_ARR)
				closers[nc++] = ']';
			else if (a.ev[j].type == OEV_OBJ)
				closers[nc++] = '}';
			else if (a.ev[j].type == OEV_END)
				nc--;
		}
		for (size_t x = 0; x < nc / 2; x++) {
			char c = closers[x];
			closers[x] = closers[nc - 1 - x];
			closers[nc - 1 - x] = c;
		}
		op.closers = closers;
		op.nclosers = nc;
		op.scratch = malloc(len + 16 + nc);
		if (!op.scratch) {
			free(closers);
			goto oom;
		}
		r->lower = lo;
		r->upper = hi;
		/* [0, lo) is valid (yajl reported a token ending there), [0, hi]
		 * is not (yajl refused byte hi), unless yajl took every byte:
		 * then [0, len) itself may be a valid prefix. */
		if (hi == len && oracle_valid_prefix(&op, len, &w)) {
			limit = len;
		} else {
			size_t good = lo, notgood = hi == len ? len : hi + 1;
			while (notgood - good > 1) {
				size_t mid = good + (notgood - good) / 2;
				if (oracle_valid_prefix(&op, mid, NULL))
					good = mid;
				else
					notgood = mid;
			}
			limit = good;
			if (!oracle_valid_prefix(&op, good, &w))
				w.nev = 0; /* not reached: lo is a valid prefix */
		}
		free(op.scratch);
		free(closers);
		r->err = ORACLE_SYNTAX;
		r->off = limit;
	}
	oracle_free_events(a.ev, a.nev);

	/* secprof's own rules, in the order of the bytes: the first string byte
	 * that starts bad UTF-8, the bracket too deep, or the syntax error. */
	bad = oracle_first_bad_utf8(data, len, w.ev, w.nev, limit);
	if (bad != SIZE_MAX)
		r->err = ORACLE_UTF8, r->off = bad, limit = bad;
	bad = oracle_first_too_deep(w.ev, w.nev, limit);
	if (bad != SIZE_MAX)
		r->err = ORACLE_DEPTH, r->off = bad, limit = bad;

	if (r->err == ORACLE_OK) {
		/* Valid: read the tree from the original bytes, surrogate escapes
		 * as Go decodes them. Valid UTF-8 passes yajl's shape check and
		 * no \v or \f is left, so yajl takes it as it took the mapped copy. */
		memcpy(m, data, len);
		oracle_go_surrogates(m, w.ev, w.nev);
		if (!oracle_yajl(&a, m, len, false, true, NULL) || a.nev != w.nev) {
			oracle_free_events(a.ev, a.nev);
			oracle_free_events(w.ev, w.nev);
			free(m);
			if (a.oom)
				return false;
			abort(); /* the oracle contradicts itself */
		}
		r->ev = a.ev;
		r->nev = a.nev;
	}
	oracle_free_events(w.ev, w.nev);
	free(m);
	return true;
oom:
	oracle_free_events(a.ev, a.nev);
	free(m);
	return false;
}
