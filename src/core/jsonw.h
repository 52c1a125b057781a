/* jsonw.h - the one JSON writer of the library: every JSON text secprof
 * prints (the OCI object of `secprof resolve`, `secprof ir --json`,
 * `explain --json`, `check --json`, `eval --json`, `info --json`, `probe
 * --json`) is written through it, so every string is escaped one way.
 *
 * Escaping (sp_buf_json_str) is Go's encoding/json (encodeState.string),
 * since the OCI object must be byte for byte what moby marshals:
 *   - '"' and '\' as \" and \\; \n, \r and \t as such; every other byte
 *     below 0x20 as \u00XX (lower-case hex);
 *   - '<', '>' and '&' as \u003c, \u003e, \u0026 (Go's HTMLEscape default),
 *     and U+2028, U+2029 as \u2028, \u2029 (JavaScript line terminators);
 *   - a byte that does not start a valid UTF-8 sequence (RFC 3629: no
 *     overlong forms, no surrogates, nothing above U+10FFFF, no cut
 *     sequence) as \ufffd, one per byte, as Go replaces each invalid byte
 *     with the replacement rune; every valid sequence, DEL included, as is.
 * So the output is valid UTF-8 JSON whatever the bytes given (a file name
 * from the command line, say). A NUL ends a C string: it is never written.
 *
 * Layout: separators are ", " and ": " (default) or "," and ":"
 * (SP_JW_COMPACT, json.Marshal's); sp_jw_nl asks for a line break and
 * indent before the next key, value or closing bracket, so a caller lays
 * out one element per line where a diff of two outputs should show what
 * changed. Misuse (a value where a key is due, an unbalanced end, more
 * than SP_JW_MAX_DEPTH levels) is recorded and reported by sp_jw_finish,
 * never written as broken JSON silently. */
#ifndef SP_JSONW_H
#define SP_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/util.h"

#define SP_JW_COMPACT 1u /* "," and ":" as Go's json.Marshal */
#define SP_JW_MAX_DEPTH 64

struct sp_jw {
	struct sp_buf *b;
	unsigned flags;
	unsigned depth;
	uint64_t has_elem; /* bit d: the container at depth d has an element */
	uint64_t is_obj;   /* bit d: the container at depth d is an object */
	bool after_key;    /* a key was written, its value is due */
	bool top_done;     /* the top-level value is complete */
	int nl;            /* indent of a requested line break, -1 none */
	bool bad;          /* misuse; sp_jw_finish fails */
};

/* Write into b (appended to what it holds). */
void sp_jw_init(struct sp_jw *w, struct sp_buf *b, unsigned flags);
void sp_jw_obj(struct sp_jw *w); /* { */
void sp_jw_arr(struct sp_jw *w); /* [ */
void sp_jw_end(struct sp_jw *w); /* } or ], whichever is open */
void sp_jw_key(struct sp_jw *w, const char *key);
void sp_jw_str(struct sp_jw *w, const char *s); /* NULL: null */
void sp_jw_u64(struct sp_jw *w, uint64_t v);
void sp_jw_i64(struct sp_jw *w, int64_t v);
void sp_jw_bool(struct sp_jw *w, bool v);
void sp_jw_null(struct sp_jw *w);
/* A value that is already JSON text (written by another sp_jw). */
void sp_jw_raw(struct sp_jw *w, const char *json);
/* A line break and `indent` spaces before the next key, value or close. */
void sp_jw_nl(struct sp_jw *w, int indent);
/* 0 when the text is one complete, balanced value and was all written;
 * -1 on misuse or when the buffer ran out of memory. */
int sp_jw_finish(struct sp_jw *w);
/* sp_jw_finish, then `trailer` ("\n", or "") appended and the text handed
 * to *out (malloc'ed, the caller frees it). On failure the buffer is freed,
 * *out is NULL and err says "out of memory" (SECPROF_E_SYSTEM) or, on
 * misuse, SECPROF_E_INTERNAL; returns the negative class. */
int sp_jw_take(struct sp_jw *w, const char *trailer, char **out, secprof_error *err);

/* key and value in one call */
void sp_jw_kstr(struct sp_jw *w, const char *key, const char *s);
void sp_jw_ku64(struct sp_jw *w, const char *key, uint64_t v);
void sp_jw_ki64(struct sp_jw *w, const char *key, int64_t v);
void sp_jw_kbool(struct sp_jw *w, const char *key, bool v);

#endif
