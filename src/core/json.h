/* json.h - strict JSON reader keeping a line/column for every value (json.c).
 * Its own one-pass scanner (RFC 8259, nothing more), numbers kept as raw
 * text so uint64 values are exact; escapes decoded as Go's encoding/json. */
#ifndef SP_JSON_H
#define SP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

enum sp_jtype { SP_JNULL, SP_JBOOL, SP_JNUM, SP_JSTR, SP_JARR, SP_JOBJ };

struct sp_json;

struct sp_jmember {
	const char *key; /* decoded, NUL-terminated */
	size_t key_len;
	struct sp_loc loc; /* of the key */
	struct sp_json *val;
};

struct sp_json {
	enum sp_jtype type;
	struct sp_loc loc; /* first character of the value */
	uint32_t off, end; /* byte span of the value in the input (raw text);
			      inputs are at most SECPROF_MAX_PROFILE_SIZE */
	uint32_t len;      /* SP_JSTR/SP_JNUM: bytes of s; SP_JARR, SP_JOBJ: count */
	union {
		bool b;
		const char *s;              /* SP_JSTR: decoded text; SP_JNUM: raw number text */
		struct sp_json **items;     /* SP_JARR */
		struct sp_jmember *members; /* SP_JOBJ: in document order, duplicates kept */
	} u;
};

/* Nesting deeper than this is refused (Go's encoding/json allows 10000). */
#define SP_JSON_MAX_DEPTH 10000

/* Parse `len` bytes into a tree allocated in `arena`. On error returns NULL
 * and fills err with file (may be NULL), line, column and a message. */
struct sp_json *sp_json_parse(struct sp_arena *arena, const char *data, size_t len,
			      const char *file, secprof_error *err);
/* The same with the tree's nodes and arrays in node_arena, which can be
 * freed once the tree is read: strings (in `arena`) stay valid. */
struct sp_json *sp_json_parse_split(struct sp_arena *arena, struct sp_arena *node_arena,
				    const char *data, size_t len, const char *file,
				    secprof_error *err);

/* The same where every object that is an element of an array is scanned
 * (validated) but left as a lazy node: type SP_JOBJ, its span, place and
 * len == SP_JSON_LAZY, no members. sp_json_expand builds its tree when it
 * is read, so a large array of objects is never all in memory as nodes at
 * once. No copy of the input is made: the text of each string and number
 * outside lazy objects is a block of its own in `arena`, and data must
 * stay as it is until every lazy node that is needed has been expanded. */
#define SP_JSON_LAZY UINT32_MAX
struct sp_json *sp_json_parse_lazy(struct sp_arena *arena, struct sp_arena *node_arena,
				   const char *data, size_t len, const char *file,
				   secprof_error *err);
static inline bool sp_json_is_lazy(const struct sp_json *v)
{
	return v->type == SP_JOBJ && v->len == SP_JSON_LAZY && !v->u.members;
}
/* The room an expansion works in (its open containers and their members),
 * kept from one expansion to the next by a caller that expands many: zero
 * it first, sp_json_room_free it after. */
struct sp_json_room {
	void *frames, *members;
	size_t nframes, nmembers;
};
void sp_json_room_free(struct sp_json_room *room);

/* The tree of a lazy node (its nodes and the text of its strings and
 * numbers in node_arena), or v itself when it is not lazy. data/len: the
 * input given to sp_json_parse_lazy; room: NULL, or kept between calls.
 * NULL with err filled on ENOMEM. */
struct sp_json *sp_json_expand(struct sp_arena *node_arena, const struct sp_json *v,
			       const char *data, size_t len, const char *file,
			       struct sp_json_room *room, secprof_error *err);

/* Whether a member's key (klen bytes) names the field `name` (ASCII) as Go's
 * encoding/json matches a key to a struct field when none has it exactly:
 * bytes.EqualFold, which for an ASCII name is ASCII case folding plus two
 * non-ASCII letters whose fold orbit holds an ASCII one, U+017F LATIN SMALL
 * LETTER LONG S ~ 's' and U+212A KELVIN SIGN ~ 'k'. */
bool sp_json_key_fold_eq(const char *key, size_t klen, const char *name);

#endif
