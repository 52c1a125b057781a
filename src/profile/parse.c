/* parse.c - JSON tree -> struct secprof_profile (Docker, legacy, Podman, OCI).
 *
 * Decoding follows Go's encoding/json as moby uses it (docs/COMPAT.md §1.3): keys are
 * matched exactly, then case-insensitively; unknown keys are ignored (a
 * warning here, an error in strict mode); null leaves a field as it is (and
 * clears slices and pointers); a duplicate key decodes again INTO the value
 * the first one left, so the last one wins for scalars and objects merge
 * field by field; integers are exact uint64 and refuse signs, fractions and
 * exponents. Validation then follows §1.5 (moby's own checks, moby's exact
 * texts) and §4.1.1 (what runc refuses), so a profile that passes here is
 * one Docker and runc would both run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/check.h"
#include "secprof.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/scratch.h"
#include "core/yaml.h"

/* The closed lists (actions, operators, flags) are profile.h's, looked up
 * and listed by vocab.c. */

/* ---- decoding context, paths and messages ----------------------------- */

/* One step of a JSON path: a key, or an index when key is NULL. */
struct path_seg {
	const char *key;
	size_t len; /* of key; SIZE_MAX: NUL-terminated, measured when shown */
	size_t index;
};

/* Deeper than any path the profile's shape allows (linux.seccomp.syscalls
 * [i].includes.caps[j] is 7); steps beyond it are counted, not shown. */
#define PATH_MAX_SEGS 32

/* The strings a lazy parse keeps, each once (intern). */
struct intern_slot {
	const char *s; /* in the profile's arena; NULL: free slot */
	uint32_t len, hash;
};

struct pc {
	secprof_ctx *ctx;
	secprof_error *err;
	struct secprof_profile *p;
	const char *data; /* the input, for raw value text */
	size_t len;       /* its length */
	/* the input when it is ours (secprof_profile_load_file's buffer) and
	 * read lazily: the text of the elements of an array of objects is
	 * read only while each is decoded, so what is done with goes back to
	 * the kernel as the decoding goes on (decode_struct_array) */
	char *own;
	/* a lazy parse: the reader's strings live only as long as the tree
	 * of their element, so the profile keeps a copy of each it holds,
	 * one per distinct text (a large profile says the same names,
	 * actions and operators over and over) */
	bool intern;
	struct intern_slot *slots;
	size_t nslots, nused; /* nslots: 0 or a power of two */
	struct path_seg path[PATH_MAX_SEGS];
	size_t depth;
	size_t base; /* depth of the path of the profile object itself */
	bool oci;    /* decoding an OCI config's linux.seccomp: runc's keys only */
	bool spo;    /* decoding a SeccompProfile's spec: the CRD's keys only */
};

/* Paths are kept as a stack of steps and only written out when a message
 * needs one: building the text for every member decoded was a third of the
 * parse time of the default profile. Each push returns the depth to pop
 * back to. */
static size_t path_push(struct pc *c, const char *key, size_t len, size_t index)
{
	size_t old = c->depth;

	if (c->depth < PATH_MAX_SEGS)
		c->path[c->depth] = (struct path_seg){ key, len, index };
	c->depth++;
	return old;
}

static size_t path_key(struct pc *c, const char *key)
{
	return path_push(c, key, SIZE_MAX, 0);
}

static size_t path_member(struct pc *c, const struct sp_jmember *m)
{
	return path_push(c, m->key, m->key_len, 0);
}

static size_t path_index(struct pc *c, size_t i)
{
	return path_push(c, NULL, 0, i);
}

static void path_pop(struct pc *c, size_t old)
{
	c->depth = old;
}

/* Append to a path being written, cut at the end of the buffer (a cut
 * path stays NUL-terminated). */
static void path_add(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	size_t room = size - 1 - *len;

	if (n > room)
		n = room;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* "syscalls[3].args[0].op" */
static const char *path_text(const struct pc *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < c->depth && k < PATH_MAX_SEGS; k++) {
		const struct path_seg *g = &c->path[k];
		char num[24], *d = num + sizeof(num);
		size_t i = g->index;

		if (!g->key) {
			*--d = ']';
			do
				*--d = (char)('0' + i % 10);
			while ((i /= 10));
			*--d = '[';
			path_add(buf, size, &len, d, (size_t)(num + sizeof(num) - d));
			continue;
		}
		if (len)
			path_add(buf, size, &len, ".", 1);
		if (g->len == SIZE_MAX)
			path_add(buf, size, &len, g->key, strlen(g->key));
		else if (memchr(g->key, '\0', g->len))
			path_add(buf, size, &len, "(key with NUL)", strlen("(key with NUL)"));
		else
			path_add(buf, size, &len, g->key, g->len);
	}
	return buf;
}

static int perr(struct pc *c, const struct sp_loc *loc, const char *fmt, ...) SP_PRINTF(3, 4);
static int perr(struct pc *c, const struct sp_loc *loc, const char *fmt, ...)
{
	char msg[sizeof(((secprof_error *)0)->msg)], path[sizeof(((secprof_error *)0)->path)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sp_err(c->err, SECPROF_E_PROFILE, c->p->file, loc, path_text(c, path, sizeof(path)),
		      "%s", msg);
}

static int pwarn(struct pc *c, const struct sp_loc *loc, const char *fmt, ...) SP_PRINTF(3, 4);
static int pwarn(struct pc *c, const struct sp_loc *loc, const char *fmt, ...)
{
	char msg[sizeof(((secprof_error *)0)->msg)], path[sizeof(((secprof_error *)0)->path)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sp_warn(c->ctx, c->err, c->p->file, loc, path_text(c, path, sizeof(path)), "%s",
		       msg);
}

static int oom(struct pc *c)
{
	return sp_err_oom_in(c->err, c->p->file);
}

static const char *type_name(const struct sp_json *v)
{
	switch (v->type) {
	case SP_JNULL: return "null";
	case SP_JBOOL: return "a boolean";
	case SP_JNUM: return "a number";
	case SP_JSTR: return "a string";
	case SP_JARR: return "an array";
	case SP_JOBJ: return "an object";
	}
	return "?";
}

static int type_error(struct pc *c, const struct sp_json *v, const char *want)
{
	return perr(c, &v->loc, "expected %s, got %s", want, type_name(v));
}

/* ---- key matching ----------------------------------------------------- */

typedef int (*field_fn)(struct pc *c, void *target, const struct sp_json *v);

struct field {
	const char *name;
	size_t len;
	field_fn fn;
};

/* clang-format off */
#define FIELD(name, fn) { name, sizeof(name) - 1, fn }
/* clang-format on */

static const struct field *find_field(const struct field *f, size_t n, const struct sp_jmember *m)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].len == m->key_len && f[i].name[0] == m->key[0] &&
		    !memcmp(f[i].name, m->key, m->key_len))
			return &f[i];
	for (size_t i = 0; i < n; i++)
		if (sp_json_key_fold_eq(m->key, m->key_len, f[i].name))
			return &f[i];
	return NULL;
}

/* The fields of one decoded value that were given an array or an object,
 * and where the first was; a field table has at most SEEN_MAX fields. */
#define SEEN_MAX 16
struct seen_fields {
	uint32_t mask;
	struct sp_loc first[SEEN_MAX];
};

/* A key (exact or case-folded: the same Go field) given an array or an
 * object twice decodes the second INTO the first (Go's encoding/json,
 * decodeState.array and decodeState.object): a slice keeps its backing
 * array, and the elements between the second's length and the first's
 * capacity keep the fields the first set, for a third value of the key to
 * bring back (runc then applies names this decoder never saw). Refused,
 * at every level (a repeated "includes" decodes its "caps" into the
 * first's). A repeated scalar keeps the last value, as Go does. */
static int check_repeat(struct pc *c, struct seen_fields *seen, size_t f,
			const struct sp_jmember *m)
{
	uint32_t bit = 1u << f;

	if (m->val->type != SP_JARR && m->val->type != SP_JOBJ)
		return 0;
	if (!(seen->mask & bit)) {
		seen->mask |= bit;
		seen->first[f] = m->loc;
		return 0;
	}
	if (c->spo) /* go-yaml's decoder.mapping keeps the last; the API
		     * server's strict field validation refuses it */
		return perr(c, &m->loc,
			    "key \"%s\" appears twice in this mapping (first at line %u): "
			    "Kubernetes keeps one or refuses the object (refused; give the key "
			    "once)",
			    m->key, seen->first[f].line);
	return perr(c, &m->loc,
		    "key \"%s\" appears twice (first at line %u, column %u): Go's "
		    "encoding/json would decode the second into the first's %s (refused; give "
		    "the key once)",
		    m->key, seen->first[f].line, seen->first[f].col,
		    m->val->type == SP_JARR ? "elements" : "fields");
}

/* Decode an object into target, member by member in document order (so the
 * last duplicate scalar wins). seen: what earlier objects decoded into the
 * same target gave (an OCI config's linux.seccomp objects), or NULL. */
static int decode_object_into(struct pc *c, const struct sp_json *v, const struct field *fields,
			      size_t nfields, void *target, struct seen_fields *seen)
{
	struct seen_fields own = { 0 };

	if (v->type != SP_JOBJ)
		return type_error(c, v, "an object");
	if (!seen)
		seen = &own;
	for (size_t i = 0; i < v->len; i++) {
		const struct sp_jmember *m = &v->u.members[i];
		const struct field *f = find_field(fields, nfields, m);
		size_t old;
		int rc = 0;

		/* Kubernetes matches a CRD's fields exactly (its structural
		 * schema prunes "Syscalls"), unlike Go's encoding/json */
		if (f && c->spo && strcmp(f->name, m->key))
			f = NULL;
		old = path_member(c, m);
		if (f)
			rc = check_repeat(c, seen, (size_t)(f - fields), m);
		if (!f)
			rc = pwarn(c, &m->loc, "unknown key \"%s\" (%s)", m->key,
				   c->spo   ? "the SeccompProfile CRD has no such field: the API "
					      "server drops it"
				   : c->oci ? "an OCI runtime ignores it"
					    : "Docker ignores it");
		else if (rc == 0)
			rc = f->fn(c, target, m->val);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int decode_object(struct pc *c, const struct sp_json *v, const struct field *fields,
			 size_t nfields, void *target)
{
	return decode_object_into(c, v, fields, nfields, target, NULL);
}

/* ---- scalar decoders -------------------------------------------------- */

/* The profile's copy of the n bytes at s (NUL-free), shared by every
 * string with that text; NULL on ENOMEM. */
static const char *intern(struct pc *c, const char *s, size_t n)
{
	uint32_t h = sp_hash_bytes(s, n);
	size_t i;
	char *copy;

	if (c->nused * 2 >= c->nslots) { /* at most half full */
		size_t cap = c->nslots ? c->nslots * 2 : 256;
		struct intern_slot *t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t k = 0; k < c->nslots; k++) {
			if (!c->slots[k].s)
				continue;
			for (i = c->slots[k].hash & (cap - 1); t[i].s; i = (i + 1) & (cap - 1))
				;
			t[i] = c->slots[k];
		}
		free(c->slots);
		c->slots = t;
		c->nslots = cap;
	}
	for (i = h & (c->nslots - 1); c->slots[i].s; i = (i + 1) & (c->nslots - 1))
		if (c->slots[i].hash == h && c->slots[i].len == n && !memcmp(c->slots[i].s, s, n))
			return c->slots[i].s;
	/* inputs are at most SECPROF_MAX_PROFILE_SIZE: a length fits 32 bits */
	if (!(copy = sp_arena_strndup(&c->p->arena, s, n)))
		return NULL;
	c->slots[i] = (struct intern_slot){ copy, (uint32_t)n, h };
	c->nused++;
	return copy;
}

/* string field: null leaves it unchanged (Go). keep: the profile holds the
 * string (else it is only checked). */
static int decode_str_as(struct pc *c, struct sp_str *dst, const struct sp_json *v, bool keep)
{
	if (v->type == SP_JNULL)
		return 0;
	if (v->type != SP_JSTR)
		return type_error(c, v, "a string");
	/* A "\u0000" escape would silently cut the name short in every C
	 * consumer (runc hands names to libseccomp as C strings). Only an
	 * escape can make a NUL, and every escape decodes shorter than it is
	 * written: a string as long as its source text (less the quotes) has
	 * none. */
	if (v->len != v->end - v->off - 2 && memchr(v->u.s, '\0', v->len))
		return perr(c, &v->loc, "string contains a NUL character (\\u0000)");
	dst->s = keep && c->intern ? intern(c, v->u.s, v->len) : v->u.s;
	if (!dst->s)
		return oom(c);
	dst->loc = v->loc;
	return 0;
}

static int decode_str(struct pc *c, struct sp_str *dst, const struct sp_json *v)
{
	return decode_str_as(c, dst, v, true);
}

/* Exact unsigned integer, as Go decodes into uint/uint64 (§1.3): the raw
 * number text must be plain decimal digits; no double in between. */
static int decode_u64(struct pc *c, uint64_t *dst, const struct sp_json *v)
{
	const char *s = v->u.s;

	if (v->type != SP_JNUM)
		return type_error(c, v, "an unsigned integer");
	if (strpbrk(s, "-.eE"))
		return perr(c, &v->loc, "expected an unsigned integer, got %s", s);
	if (!sp_parse_u64(s, v->len, dst))
		return perr(c, &v->loc,
			    "number %s is out of range (an unsigned 64-bit integer is at most "
			    "18446744073709551615)",
			    s);
	return 0;
}

/* uint64 field: null leaves it unchanged. */
static int decode_u64_field(struct pc *c, uint64_t *dst, const struct sp_json *v)
{
	return v->type == SP_JNULL ? 0 : decode_u64(c, dst, v);
}

/* *uint field (errnoRet): null clears it. */
static int decode_u64_ptr(struct pc *c, bool *has, uint64_t *dst, struct sp_loc *loc,
			  const struct sp_json *v)
{
	int rc;

	if (v->type == SP_JNULL) {
		*has = false;
		*dst = 0;
		return 0;
	}
	if ((rc = decode_u64(c, dst, v)) < 0)
		return rc;
	*has = true;
	*loc = v->loc;
	return 0;
}

/* []string: null clears it; elements already there from an earlier
 * duplicate key are decoded into (Go reuses slice elements), so a null
 * element keeps the old string. */
static int decode_str_array(struct pc *c, struct sp_str **arr, size_t *n, const struct sp_json *v)
{
	struct sp_str *out = NULL;
	size_t len, kept;

	if (v->type == SP_JNULL) {
		*arr = NULL;
		*n = 0;
		return 0;
	}
	if (v->type != SP_JARR)
		return type_error(c, v, "an array of strings");
	len = v->len;
	kept = *arr ? (len < *n ? len : *n) : 0;
	/* [] is an empty but non-nil slice in Go: moby marshals it as [] for
	 * "names" (no omitempty), so keep a non-NULL pointer for it. Slots
	 * past the kept ones start as Go's zero value (filled below, so the
	 * arena need not zero them first). */
	out = sp_arena_alloc_raw(&c->p->arena, (len ? len : 1) * sizeof(*out));
	if (!out)
		return oom(c);
	if (kept)
		memcpy(out, *arr, kept * sizeof(*out));
	if (!len)
		out[0] = (struct sp_str){ 0 };
	for (size_t i = 0; i < len; i++) {
		const struct sp_json *item = v->u.items[i];
		size_t old = path_index(c, i);
		int rc;
		if (i >= kept) /* a kept element keeps its position too */
			out[i] = (struct sp_str){ NULL, item->loc };
		rc = decode_str(c, &out[i], item);
		path_pop(c, old);
		if (rc < 0)
			return rc;
		if (!out[i].s) /* a null in a fresh slot: Go's zero value "" */
			out[i].s = "";
	}
	*arr = out;
	*n = len;
	return 0;
}

/* A slice of structs: same reuse rule as above. */
typedef int (*elem_fn)(struct pc *c, void *slot, const struct sp_json *v);

static int decode_struct_array(struct pc *c, void **arr, size_t *n, size_t size,
			       const struct sp_json *v, elem_fn fn)
{
	char *out = NULL;
	size_t len;

	if (v->type == SP_JNULL) {
		*arr = NULL;
		*n = 0;
		return 0;
	}
	if (v->type != SP_JARR)
		return type_error(c, v, "an array");
	len = v->len;
	if (len) {
		out = sp_arena_alloc(&c->p->arena, len * size);
		if (!out)
			return oom(c);
		if (*arr)
			memcpy(out, *arr, (len < *n ? len : *n) * size);
	}
	/* an element left lazy by the reader (a large input) gets its tree
	 * for as long as it is decoded: what is decoded keeps no pointer into
	 * it (decode_str keeps copies), and the next element's tree takes the
	 * same room */
	struct sp_arena nodes = { 0 };
	struct sp_json_room room = { 0 };
	int rc = 0;

	for (size_t i = 0, done = len ? v->u.items[0]->off : 0; i < len && rc >= 0; i++) {
		const struct sp_json *item = v->u.items[i];
		bool lazy = sp_json_is_lazy(item);
		size_t old;

		/* the text of the elements before this one, and what stands
		 * between them, a MiB at a time: nothing reads it again (an
		 * error met later points at its own element) */
		if (lazy && c->own && item->off - done >= (1u << 20)) {
			sp_drop_pages(c->own + done, item->off - done);
			done = item->off;
		}
		if (lazy) {
			sp_arena_reset(&nodes);
			item = sp_json_expand(&nodes, item, c->data, c->len, c->p->file, &room,
					      c->err);
			if (!item) {
				rc = -1;
				break;
			}
		}
		old = path_index(c, i);
		rc = fn(c, out + i * size, item);
		path_pop(c, old);
		if (rc >= 0 && lazy && c->own && i + 1 == len)
			sp_drop_pages(c->own + done, v->u.items[i]->end - done);
	}
	sp_arena_free(&nodes);
	sp_json_room_free(&room);
	if (rc < 0)
		return rc;
	*arr = out;
	*n = len;
	return 0;
}

/* ---- minKernel (§1.4) -------------------------------------------------- */

/* Go's strconv.ParseUint(s, 10, 8) error text, or NULL when s is fine. */
static const char *parse_u8(const char *s, size_t n, uint8_t *out, char *buf, size_t blen)
{
	unsigned v = 0;
	bool range = false;

	if (n == 0)
		goto syntax;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto syntax;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 255) {
			range = true;
			v = 256;
		}
	}
	if (range) {
		snprintf(buf, blen, "strconv.ParseUint: parsing \"%.*s\": value out of range",
			 (int)n, s);
		return buf;
	}
	*out = (uint8_t)v;
	return NULL;
syntax:
	snprintf(buf, blen, "strconv.ParseUint: parsing \"%.*s\": invalid syntax", (int)n, s);
	return buf;
}

/* KernelVersion.UnmarshalJSON, with moby's exact messages. `raw` is the
 * value's text as written, which moby quotes back. */
static int decode_min_kernel(struct pc *c, struct sp_filter *f, const struct sp_json *v)
{
	const char *raw = c->data + v->off;
	int rawlen = v->end - v->off > 80 ? 80 : (int)(v->end - v->off);
	const char *s, *dot;
	char why[128];
	const char *e;
	uint8_t k = 0, m = 0;

	if (v->type == SP_JNULL) { /* *KernelVersion = nil: no condition */
		f->has_min_kernel = false;
		f->min_kernel[0] = f->min_kernel[1] = 0;
		return 0;
	}
	if (v->type != SP_JSTR) {
		static const char go_type[][7] = {
			[SP_JBOOL] = "bool", [SP_JNUM] = "number", [SP_JARR] = "array", [SP_JOBJ] = "object"
		};
		return perr(c, &v->loc,
			    "invalid kernel version: %.*s, expected \"<kernel>.<major>\": json: "
			    "cannot unmarshal %s into Go value of type string",
			    rawlen, raw, go_type[v->type]);
	}
	f->has_min_kernel = true;
	f->min_kernel_loc = v->loc;
	s = v->u.s;
	if (!*s) /* "" is {0,0} with the pointer set; an existing value stays */
		return 0;
	dot = strchr(s, '.');
	if (!dot || strchr(dot + 1, '.'))
		return perr(c, &v->loc,
			    "invalid kernel version: %.*s, expected \"<kernel>.<major>\"", rawlen,
			    raw);
	if ((e = parse_u8(s, (size_t)(dot - s), &k, why, sizeof(why))) ||
	    (e = parse_u8(dot + 1, strlen(dot + 1), &m, why, sizeof(why))))
		return perr(c, &v->loc,
			    "invalid kernel version: %.*s, expected \"<kernel>.<major>\": %s",
			    rawlen, raw, e);
	if (k == 0 && m == 0)
		return perr(c, &v->loc,
			    "invalid kernel version: %.*s, expected \"<kernel>.<major>\": version "
			    "cannot be 0.0",
			    rawlen, raw);
	f->min_kernel[0] = k;
	f->min_kernel[1] = m;
	return 0;
}

/* ---- includes / excludes ---------------------------------------------- */

static int f_caps(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_filter *f = t;
	return decode_str_array(c, &f->caps, &f->ncaps, v);
}

static int f_arches(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_filter *f = t;
	return decode_str_array(c, &f->arches, &f->narches, v);
}

static int f_min_kernel(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_min_kernel(c, t, v);
}

/* clang-format off */
static const struct field filter_fields[] = {
	FIELD("caps", f_caps),
	FIELD("arches", f_arches),
	FIELD("minKernel", f_min_kernel),
};
/* clang-format on */

/* *Filter: null clears the pointer; an object decodes into the existing one
 * (a duplicate "includes" merges field by field, §1.3). */
/* A repeated key decodes into the value the first one left (Go's
 * encoding/json), but null does not read alike in every Docker: current
 * moby's Includes and Excludes are pointers, which null clears; those of
 * Debian 12's docker.io 20.10 are structs, which null leaves as they were
 * (git show v20.10.24:profiles/seccomp/seccomp.go). After an earlier
 * value the two Dockers apply the rule under different conditions, and
 * which is the stricter depends on the rule: refused, not guessed. */
static int decode_filter(struct pc *c, struct sp_filter *f, const struct sp_json *v)
{
	if (v->type == SP_JNULL && f->present)
		return perr(c, &v->loc,
			    "null after an earlier value of the same key: Docker 20.10 keeps the "
			    "earlier conditions, current Docker drops them (give the key once)");
	if (v->type == SP_JNULL) {
		memset(f, 0, sizeof(*f));
		return 0;
	}
	if (v->type != SP_JOBJ)
		return type_error(c, v, "an object");
	if (!f->present)
		memset(f, 0, sizeof(*f));
	f->present = true;
	f->loc = v->loc;
	return decode_object(c, v, filter_fields, SP_ARRAY_SIZE(filter_fields), f);
}

/* ---- args -------------------------------------------------------------- */

static int a_index(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_u64_field(c, &((struct sp_arg *)t)->index, v);
}

static int a_value(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_u64_field(c, &((struct sp_arg *)t)->value, v);
}

static int a_value_two(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_u64_field(c, &((struct sp_arg *)t)->value_two, v);
}

static int a_op(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct sp_arg *)t)->op_str, v);
}

/* clang-format off */
static const struct field arg_fields[] = {
	FIELD("index", a_index),
	FIELD("value", a_value),
	FIELD("valueTwo", a_value_two),
	FIELD("op", a_op),
};
/* clang-format on */

static int decode_arg(struct pc *c, void *slot, const struct sp_json *v)
{
	struct sp_arg *a = slot;

	a->loc = v->loc;
	if (v->type == SP_JNULL) /* struct element: null changes nothing */
		return 0;
	return decode_object(c, v, arg_fields, SP_ARRAY_SIZE(arg_fields), a);
}

/* ---- syscalls[] ------------------------------------------------------- */

/* The rule's own sp_rule_extra, made when it first says one of them. */
static struct sp_rule_extra *rule_extra(struct pc *c, struct sp_rule *r)
{
	if (!r->extra)
		r->extra = sp_arena_alloc(&c->p->arena, sizeof(*r->extra));
	return r->extra;
}

static int r_names(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule *r = t;
	return decode_str_array(c, &r->names, &r->nnames, v);
}

static int r_name(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule_extra *x = rule_extra(c, t);
	return x ? decode_str(c, &x->name, v) : oom(c);
}

static int r_action(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct sp_rule *)t)->action, v);
}

static int r_errno_ret(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule *r = t;
	return decode_u64_ptr(c, &r->has_errno, &r->errno_ret, &r->errno_loc, v);
}

static int r_args(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule *r = t;
	int rc = decode_struct_array(c, (void **)&r->args, &r->nargs, sizeof(struct sp_arg), v,
				     decode_arg);
	if (rc == 0)
		r->args_present = v->type == SP_JARR;
	return rc;
}

static int r_comment(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_str ignored = { 0 };
	(void)t;
	return decode_str_as(c, &ignored, v, false); /* accepted and dropped (§1.2) */
}

static int r_includes(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule_extra *x = rule_extra(c, t);
	return x ? decode_filter(c, &x->includes, v) : oom(c);
}

static int r_excludes(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule_extra *x = rule_extra(c, t);
	return x ? decode_filter(c, &x->excludes, v) : oom(c);
}

static int r_errno(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_rule_extra *x = rule_extra(c, t);
	return x ? decode_str(c, &x->errno_name, v) : oom(c);
}

/* The first four are the OCI LinuxSyscall fields (the only ones an OCI
 * config's rules have); the rest are moby's and Podman's additions. */
/* clang-format off */
static const struct field rule_fields[] = {
	FIELD("names", r_names),
	FIELD("action", r_action),
	FIELD("errnoRet", r_errno_ret),
	FIELD("args", r_args),
	FIELD("name", r_name),
	FIELD("comment", r_comment),
	FIELD("includes", r_includes),
	FIELD("excludes", r_excludes),
	FIELD("errno", r_errno), /* Podman (docs/COMPAT.md §6) */
};
/* clang-format on */

static int decode_rule(struct pc *c, void *slot, const struct sp_json *v)
{
	struct sp_rule *r = slot;

	/* []*Syscall: a null element is a nil pointer that moby's resolver
	 * dereferences (call.Name), failing the request; refuse it clearly. */
	if (v->type == SP_JNULL)
		return perr(c, &v->loc, "null is not a syscall rule (expected an object)");
	r->loc = v->loc;
	if (c->oci) /* an OCI runtime reads only these (§4.1.1) */
		return decode_object(c, v, rule_fields, 4, r);
	return decode_object(c, v, rule_fields, SP_ARRAY_SIZE(rule_fields), r);
}

/* ---- archMap ---------------------------------------------------------- */

static int m_arch(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct sp_archmap *)t)->arch, v);
}

static int m_subs(struct pc *c, void *t, const struct sp_json *v)
{
	struct sp_archmap *m = t;
	m->subs_null = v->type == SP_JNULL;
	return decode_str_array(c, &m->subs, &m->nsubs, v);
}

/* clang-format off */
static const struct field archmap_fields[] = {
	FIELD("architecture", m_arch),
	FIELD("subArchitectures", m_subs),
};
/* clang-format on */

static int decode_archmap(struct pc *c, void *slot, const struct sp_json *v)
{
	if (v->type == SP_JNULL)
		return 0;
	return decode_object(c, v, archmap_fields, SP_ARRAY_SIZE(archmap_fields), slot);
}

/* ---- top level -------------------------------------------------------- */

static int t_default_action(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct secprof_profile *)t)->default_action, v);
}

static int t_default_errno_ret(struct pc *c, void *t, const struct sp_json *v)
{
	struct secprof_profile *p = t;
	return decode_u64_ptr(c, &p->has_default_errno, &p->default_errno, &p->default_errno_loc,
			      v);
}

static int t_architectures(struct pc *c, void *t, const struct sp_json *v)
{
	struct secprof_profile *p = t;
	return decode_str_array(c, &p->architectures, &p->narchitectures, v);
}

static int t_flags(struct pc *c, void *t, const struct sp_json *v)
{
	struct secprof_profile *p = t;
	return decode_str_array(c, &p->flags, &p->nflags, v);
}

static int t_listener_path(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct secprof_profile *)t)->listener_path, v);
}

static int t_listener_metadata(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct secprof_profile *)t)->listener_metadata, v);
}

static int t_archmap(struct pc *c, void *t, const struct sp_json *v)
{
	struct secprof_profile *p = t;
	int rc = decode_struct_array(c, (void **)&p->archmap, &p->narchmap,
				     sizeof(struct sp_archmap), v, decode_archmap);
	if (rc == 0 && v->type != SP_JNULL)
		p->archmap_loc = v->loc;
	return rc;
}

static int t_syscalls(struct pc *c, void *t, const struct sp_json *v)
{
	struct secprof_profile *p = t;
	return decode_struct_array(c, (void **)&p->rules, &p->nrules, sizeof(struct sp_rule), v,
				   decode_rule);
}

static int t_default_errno(struct pc *c, void *t, const struct sp_json *v)
{
	return decode_str(c, &((struct secprof_profile *)t)->default_errno_name, v);
}

/* The first seven are OCI LinuxSeccomp's; archMap is moby's, defaultErrno
 * Podman's. */
#define SP_OCI_TOP_FIELDS 7
/* clang-format off */
static const struct field top_fields[] = {
	FIELD("defaultAction", t_default_action),
	FIELD("defaultErrnoRet", t_default_errno_ret),
	FIELD("architectures", t_architectures),
	FIELD("flags", t_flags),
	FIELD("listenerPath", t_listener_path),
	FIELD("listenerMetadata", t_listener_metadata),
	FIELD("syscalls", t_syscalls),
	FIELD("archMap", t_archmap),
	FIELD("defaultErrno", t_default_errno), /* Podman (docs/COMPAT.md §6) */
};
/* clang-format on */

/* check_repeat keeps a bit and a position per field */
_Static_assert(SP_ARRAY_SIZE(top_fields) <= SEEN_MAX && SP_ARRAY_SIZE(rule_fields) <= SEEN_MAX,
	       "a field table outgrows struct seen_fields");

/* ---- the Security Profiles Operator's SeccompProfile (YAML or JSON) ----- */

/* spec.baseProfileName: another SeccompProfile in the cluster (or an
 * oci:// artifact) the operator unions into this one; secprof cannot see
 * it, and the profile without it is not the profile that runs. */
static int s_base_profile(struct pc *c, void *t, const struct sp_json *v)
{
	(void)t;
	if (v->type == SP_JNULL || (v->type == SP_JSTR && !v->len))
		return 0;
	if (v->type != SP_JSTR)
		return type_error(c, v, "a string");
	return perr(c, &v->loc,
		    "baseProfileName \"%s\": the operator unions that profile (from the cluster or "
		    "a registry) into this one, and secprof cannot read it; write the union out "
		    "(spoc or kubectl get the merged profile) and read that",
		    v->u.s);
}

static int s_disabled(struct pc *c, void *t, const struct sp_json *v)
{
	(void)t;
	if (v->type == SP_JNULL)
		return 0;
	if (v->type != SP_JBOOL)
		return type_error(c, v, "a boolean");
	return v->u.b ? pwarn(c, &v->loc,
			      "disabled: true: the operator does not install this "
			      "profile on the nodes; secprof reads it anyway")
		      : 0;
}

/* The CRD's spec (api/seccompprofile/v1 SeccompProfileSpec): the OCI
 * fields but defaultErrnoRet, with the operator's own two. The API server
 * prunes every other key, so they are unknown keys here. */
static const struct field spo_fields[] = {
	FIELD("defaultAction", t_default_action),
	FIELD("architectures", t_architectures),
	FIELD("flags", t_flags),
	FIELD("listenerPath", t_listener_path),
	FIELD("listenerMetadata", t_listener_metadata),
	FIELD("syscalls", t_syscalls),
	FIELD("baseProfileName", s_base_profile),
	FIELD("disabled", s_disabled),
};

/* The last member named exactly `key` (as Kubernetes' schema does), or NULL. */
static const struct sp_json *member_of(const struct sp_json *obj, const char *key)
{
	const struct sp_json *v = NULL;

	for (size_t i = 0; obj && obj->type == SP_JOBJ && i < obj->len; i++)
		if (!strcmp(obj->u.members[i].key, key))
			v = obj->u.members[i].val;
	return v;
}

static bool str_is(const struct sp_json *v, const char *s)
{
	return v && v->type == SP_JSTR && !strcmp(v->u.s, s);
}

static int validate(struct pc *c, struct secprof_profile *p);

static int parse_spo(struct pc *c, struct secprof_profile *p, const struct sp_json *docs)
{
	const struct sp_json *pick = NULL, *spec, *api;
	char names[160] = "";
	size_t n = 0;
	struct sp_loc top = { 1, 1 }, second = top;
	int rc;

	for (size_t i = 0; i < docs->len; i++) {
		const struct sp_json *d = docs->u.items[i], *name;
		if (!str_is(member_of(d, "kind"), "SeccompProfile"))
			continue;
		if (n++ == 1)
			second = d->loc;
		pick = pick ? pick : d;
		name = member_of(member_of(d, "metadata"), "name");
		if (strlen(names) + 40 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 n > 1 ? ", " : "",
				 name && name->type == SP_JSTR ? name->u.s : "?");
	}
	if (!n)
		return perr(
			c, docs->len ? &docs->u.items[0]->loc : &top,
			"no SeccompProfile object in this YAML: secprof reads a "
			"security-profiles-operator.x-k8s.io SeccompProfile, or a JSON profile");
	if (n > 1)
		return perr(
			c, &second,
			"%zu SeccompProfile objects in one file (%s): secprof reads one profile, "
			"so keep one per file",
			n, names);
	api = member_of(pick, "apiVersion");
	if (!(api && api->type == SP_JSTR &&
	      !strncmp(api->u.s, "security-profiles-operator.x-k8s.io/", 36)) &&
	    (rc = pwarn(c, api ? &api->loc : &pick->loc,
			"apiVersion is not security-profiles-operator.x-k8s.io/...: read as the "
			"operator's SeccompProfile anyway")) < 0)
		return rc;
	spec = member_of(pick, "spec");
	path_key(c, "spec");
	if (!spec || spec->type == SP_JNULL)
		return perr(c, &pick->loc, "the SeccompProfile has no spec");
	if (spec->type != SP_JOBJ)
		return type_error(c, spec, "an object");
	c->base = c->depth;
	p->loc = spec->loc;
	p->form = SP_FORM_SPO;
	c->oci = true; /* a rule's keys are the OCI ones (names, action, errnoRet, args) */
	c->spo = true;
	if ((rc = decode_object(c, spec, spo_fields, SP_ARRAY_SIZE(spo_fields), p)) < 0)
		return rc;
	/* unlike Docker's {} (no seccomp), the CRD requires a defaultAction:
	 * a spec without one is refused, never read as unconfined */
	if (!p->default_action.s || !*p->default_action.s)
		return perr(c, &spec->loc,
			    "spec has no defaultAction (the SeccompProfile CRD "
			    "requires one)");
	path_pop(c, c->base);
	return validate(c, p);
}

/* ---- Podman's errno names (docs/COMPAT.md §6) ----------------------------------- */

/* Podman's "errno"/"defaultErrno" take errno names (docs/COMPAT.md §6); it
 * resolves them on the host, so the host's <errno.h> values are the right
 * ones: core/names.c's table of the C library's macros. */
static int errno_from_name(const char *s, uint64_t *out)
{
	int v = sp_errno_value(s);

	if (v > 0) {
		*out = (uint64_t)v;
		return 0;
	}
	return sp_parse_u64(s, strlen(s), out) ? 0 : -1;
}

/* Podman's errno wins over errnoRet; Docker ignores it (an unknown key), so
 * when the two disagree the same profile behaves differently: say so. */
static int apply_podman_errno(struct pc *c, const struct sp_str *name, bool *has, uint64_t *val,
			      struct sp_loc *loc, bool *docker_has, uint64_t *docker_val,
			      const char *key, const char *docker_key)
{
	uint64_t e;
	size_t old;
	int rc = 0;

	if (!name->s || !*name->s)
		return 0;
	old = path_key(c, key);
	if (errno_from_name(name->s, &e) < 0) {
		rc = perr(c, &name->loc,
			  "unknown errno \"%s\" (expected a name such as EPERM or a number)",
			  name->s);
	} else if (!*has || *val != e) {
		char docker[64];
		if (*has)
			snprintf(docker, sizeof(docker), "%s %llu", docker_key,
				 (unsigned long long)*val);
		else
			snprintf(docker, sizeof(docker), "EPERM (no %s)", docker_key);
		rc = pwarn(
			c, &name->loc,
			"\"%s\" is Podman's field: secprof applies %s (%llu), Docker ignores it and "
			"would use %s",
			key, name->s, (unsigned long long)e, docker);
	}
	if (rc == 0) {
		*docker_has = *has;
		*docker_val = *val;
		*has = true;
		*val = e;
		*loc = name->loc;
	}
	path_pop(c, old);
	return rc;
}

/* ---- validation: moby (§1.5) then runc (§4.1.1) ----------------------- */

/* The "expected one of" list of a closed list, in its order: name_at(i) is
 * vocab.c's i-th name, NULL past the end. */
static void list_names(char *buf, size_t len, const char *(*name_at)(size_t i))
{
	const char *name;
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; (name = name_at(i)) && used < len; i++) {
		int r = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name);
		if (r < 0)
			break;
		used += (size_t)r;
	}
}

static int check_action(struct pc *c, const struct sp_str *a, const struct sp_loc *owner,
			enum sp_action *out, bool *ok)
{
	char list[256];
	int i = sp_action_from_str(a->s);

	if (i >= 0) {
		*out = (enum sp_action)i;
		*ok = true;
		return 0;
	}
	list_names(list, sizeof(list), sp_action_name_at);
	if (!a->s || !*a->s)
		return perr(c, a->s ? &a->loc : owner,
			    "missing or empty action (expected one of %s)", list);
	return perr(c, &a->loc, "unknown action \"%s\" (expected one of %s)", a->s, list);
}

/* The arch table may not be linked in yet (arch stage): then there is
 * nothing to check names against. */
static bool have_arch_table(void)
{
	return sp_arch_count() > 0;
}

static int check_arch(struct pc *c, const struct sp_str *s)
{
	const struct sp_arch *a;
	char list[512];
	size_t used = 0;

	if (!have_arch_table())
		return 0;
	a = sp_arch_by_scmp(s->s);
	if (a && a->runc_ok)
		return 0;
	if (a) /* libseccomp knows it, runc's map does not (§4.1.1) */
		return perr(c, &s->loc, "architecture \"%s\" is not supported by runc", s->s);
	list[0] = '\0';
	for (size_t i = 0; i < sp_arch_count() && used < sizeof(list); i++) {
		const struct sp_arch *x = sp_arch_at(i);
		int r;
		if (!x->runc_ok)
			continue;
		r = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", x->scmp);
		if (r < 0)
			break;
		used += (size_t)r;
	}
	return perr(c, &s->loc, "unknown architecture \"%s\" (expected one of %s)", s->s, list);
}

static int check_arch_list(struct pc *c, const char *key, const struct sp_str *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t old = path_key(c, key);
		int rc;
		path_index(c, i);
		rc = check_arch(c, &v[i]);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* moby uses only the first entry whose architecture is the host's (§2.2):
 * an entry no host can match is dead, not wrong (a warning); the
 * subArchitectures of a live entry go to runc, so they must be valid. */
static int check_archmap(struct pc *c, const struct secprof_profile *p)
{
	for (size_t i = 0; i < p->narchmap; i++) {
		const struct sp_archmap *m = &p->archmap[i];
		size_t old = path_key(c, "archMap");
		int rc = 0;

		path_index(c, i);
		if (have_arch_table() && !(m->arch.s && sp_arch_by_scmp(m->arch.s))) {
			path_key(c, "architecture");
			rc = pwarn(
				c, m->arch.s ? &m->arch.loc : &p->archmap_loc,
				"architecture \"%s\" matches no host, so Docker never uses this entry",
				m->arch.s ? m->arch.s : "");
		} else {
			rc = check_arch_list(c, "subArchitectures", m->subs, m->nsubs);
		}
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* includes/excludes.caps are compared exactly with the container's
 * capability names (§2.3): "cap_sys_admin" or "SYS_ADMIN" never match. */
/* s is a capability's own name ("CAP_SYS_ADMIN"): the usual case, found
 * without secprof_cap_from_name's case folding. */
static bool is_canonical_cap(const char *s)
{
	const char *name;

	if (strncmp(s, "CAP_", 4) || !s[4])
		return false;
	for (int cap = 0; (name = secprof_cap_name(cap)); cap++)
		if (name[4] == s[4] && !strcmp(name, s))
			return true;
	return false;
}

static int check_caps(struct pc *c, const char *key, const struct sp_filter *f)
{
	for (size_t i = 0; i < f->ncaps; i++) {
		const char *s = f->caps[i].s, *want;
		size_t old;
		int cap, rc = 0;

		if (is_canonical_cap(s))
			continue;
		old = path_key(c, key);
		cap = secprof_cap_from_name(s);

		path_key(c, "caps");
		path_index(c, i);
		want = cap >= 0 ? secprof_cap_name(cap) : NULL;
		if (!want)
			rc = pwarn(c, &f->caps[i].loc,
				   "unknown capability \"%s\": it never matches", s);
		else if (strcmp(want, s))
			rc = pwarn(c, &f->caps[i].loc,
				   "capability \"%s\" never matches: Docker compares names exactly "
				   "(write \"%s\")",
				   s, want);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int check_flags(struct pc *c, struct secprof_profile *p)
{
	char list[256];

	for (size_t i = 0; i < p->nflags; i++) {
		uint32_t f = sp_flag_from_str(p->flags[i].s);
		if (f == SP_FLAG_SPEC_ALLOW) {
			size_t old = path_key(c, "flags");
			int rc;
			path_index(c, i);
			rc = pwarn(
				c, &p->flags[i].loc,
				"SECCOMP_FILTER_FLAG_SPEC_ALLOW is not applied: Debian 12's Docker "
				"(20.10) drops a profile's flags, so its containers keep the kernel's "
				"speculative-store-bypass mitigation, and secprof keeps it too");
			path_pop(c, old);
			if (rc < 0)
				return rc;
		}
		if (f)
			continue;
		list_names(list, sizeof(list), sp_flag_name_at);
		path_key(c, "flags");
		path_index(c, i);
		return perr(c, &p->flags[i].loc, "unknown flag \"%s\" (expected one of %s)",
			    p->flags[i].s, list);
	}
	/* moby drops an empty list (omitempty), so runc sees nil (§4.1.1) */
	p->flags_present = p->nflags > 0;
	return 0;
}

static int check_arg(struct pc *c, struct sp_arg *a)
{
	char list[256];
	int op;

	if (a->index > 5)
		return perr(c, &a->loc,
			    "argument index %llu is out of range: a syscall has 6 arguments (0..5)",
			    (unsigned long long)a->index);
	op = sp_op_from_str(a->op_str.s);
	if (op >= 0) {
		a->op = (enum sp_op)op;
		return 0;
	}
	list_names(list, sizeof(list), sp_op_name_at);
	if (!a->op_str.s || !*a->op_str.s)
		return perr(c, a->op_str.s ? &a->op_str.loc : &a->loc,
			    "missing or empty operator (expected one of %s)", list);
	path_key(c, "op");
	return perr(c, &a->op_str.loc, "unknown operator \"%s\" (expected one of %s)", a->op_str.s,
		    list);
}

static int check_rule_names(struct pc *c, struct sp_rule *r)
{
	const struct sp_str *name = &sp_rule_x(r)->name;

	for (size_t i = 0; i < r->nnames; i++) {
		const struct sp_str *n = &r->names[i];
		size_t old = path_key(c, name->s && *name->s ? "name" : "names");
		int rc = 0;

		if (!(name->s && *name->s))
			path_index(c, i);
		if (!*n->s)
			rc = perr(c, &n->loc, "empty syscall name");
		else if (r->action_ok && r->act == SP_ACT_NOTIFY && !strcmp(n->s, "write"))
			rc = perr(c, &n->loc,
				  "SCMP_ACT_NOTIFY cannot be used for the write syscall "
				  "(runc refuses it)");
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int check_rule(struct pc *c, struct sp_rule *r)
{
	size_t old = r->action.s ? path_key(c, "action") : c->depth;
	int rc = check_action(c, &r->action, &r->loc, &r->act, &r->action_ok);

	path_pop(c, old);
	if (rc < 0)
		return rc;
	if ((rc = check_rule_names(c, r)) < 0)
		return rc;
	if (!r->nnames && (rc = pwarn(c, &r->loc, "rule names no syscall, so it does nothing")) < 0)
		return rc;
	for (size_t i = 0; i < r->nargs; i++) {
		old = path_key(c, "args");
		path_index(c, i);
		rc = check_arg(c, &r->args[i]);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	if ((rc = check_caps(c, "includes", &sp_rule_x(r)->includes)) < 0)
		return rc;
	return check_caps(c, "excludes", &sp_rule_x(r)->excludes);
}

/* moby's own checks, in its order, with its exact texts (§1.5). */
static int check_moby(struct pc *c, struct secprof_profile *p)
{
	if (p->narchitectures && p->narchmap) {
		path_key(c, "archMap");
		return perr(c, &p->archmap_loc,
			    "both 'architectures' and 'archMap' are specified in the seccomp "
			    "profile, use either 'architectures' or 'archMap'");
	}
	for (size_t i = 0; i < p->nrules; i++) {
		struct sp_rule *r = &p->rules[i];
		const struct sp_str *name = &sp_rule_x(r)->name;
		r->index = i;
		if (name->s && *name->s && r->nnames) {
			path_key(c, "syscalls");
			path_index(c, i);
			return perr(c, &r->loc,
				    "both 'name' and 'names' are specified in the seccomp profile, "
				    "use either 'name' or 'names'");
		}
		if (name->s && *name->s) { /* legacy form: names = [name] */
			r->names = sp_arena_alloc(&p->arena, sizeof(*r->names));
			if (!r->names)
				return oom(c);
			r->names[0] = *name;
			r->nnames = 1;
		}
	}
	return 0;
}

/* What runc would refuse (§4.1.1, §4.1.2). */
static int check_runc(struct pc *c, struct secprof_profile *p)
{
	int rc;

	if (!p->default_action.s || !*p->default_action.s) {
		path_key(c, "defaultAction");
		return perr(c, p->default_action.s ? &p->default_action.loc : &p->loc,
			    "defaultAction is missing or empty, but the profile has syscall rules "
			    "(runc refuses an empty action)");
	}
	path_key(c, "defaultAction");
	rc = check_action(c, &p->default_action, &p->loc, &p->default_act, &p->default_action_ok);
	if (rc == 0 && p->default_act == SP_ACT_NOTIFY)
		rc = perr(c, &p->default_action.loc,
			  "SCMP_ACT_NOTIFY cannot be used as the default action (runc refuses it)");
	path_pop(c, c->base);
	if (rc < 0)
		return rc;
	/* 327718 (SCMP_ACT_ERRNO(ENOSYS) as a whole action value) is not
	 * ignored: runc then leaves its ENOSYS stub out (ruleset.c). */
	if (p->has_default_errno && !sp_action_takes_errno(p->default_act)) {
		path_key(c, p->default_errno_name.s && *p->default_errno_name.s
				    ? "defaultErrno"
				    : "defaultErrnoRet");
		rc = p->default_errno == 0x50026u
			     ? pwarn(c, &p->default_errno_loc,
				     "defaultErrnoRet 327718 with %s: runc leaves its ENOSYS stub out, "
				     "so newer syscalls get the default action (crun fails)",
				     p->default_action.s)
			     : pwarn(c, &p->default_errno_loc,
				     "defaultErrnoRet is ignored with %s (runc ignores it, crun fails)",
				     p->default_action.s);
		path_pop(c, c->base);
		if (rc < 0)
			return rc;
	}
	if ((rc = check_arch_list(c, "architectures", p->architectures, p->narchitectures)) < 0 ||
	    (rc = check_archmap(c, p)) < 0 || (rc = check_flags(c, p)) < 0)
		return rc;
	for (size_t i = 0; i < p->nrules; i++) {
		struct sp_rule *r = &p->rules[i];
		path_key(c, "syscalls");
		path_index(c, i);
		/* the extra is the rule's own where it names an errno */
		struct sp_rule_extra *x = r->extra;
		rc = x ? apply_podman_errno(c, &x->errno_name, &r->has_errno, &r->errno_ret,
					    &r->errno_loc, &x->docker_has_errno,
					    &x->docker_errno_ret, "errno", "errnoRet")
		       : 0;
		if (rc == 0)
			rc = check_rule(c, r);
		path_pop(c, c->base);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int validate(struct pc *c, struct secprof_profile *p)
{
	int rc;

	/* §1.5: no defaultAction and no rules = no seccomp at all; moby returns
	 * before any other check, and so does runc. */
	if ((!p->default_action.s || !*p->default_action.s) && !p->nrules)
		return 0;
	if ((rc = check_moby(c, p)) < 0)
		return rc;
	rc = apply_podman_errno(c, &p->default_errno_name, &p->has_default_errno, &p->default_errno,
				&p->default_errno_loc, &p->docker_has_default_errno,
				&p->docker_default_errno, "defaultErrno", "defaultErrnoRet");
	if (rc < 0)
		return rc;
	if ((rc = check_runc(c, p)) < 0)
		return rc;
	/* What Docker accepts but runc ignores (unknown names, errnoRet on an
	 * action without one, rules equal to the default) is reported by
	 * sp_check_profile for `secprof check`; in strict mode every command
	 * refuses it, so run it here too (strict stops at the first). */
	if (c->ctx && c->ctx->strict) {
		size_t n = 0;
		return sp_check_profile(c->ctx, p, &n, c->err);
	}
	return 0;
}

/* ---- forms: Docker profile or whole OCI config.json ------------------- */

static bool has_exact(const struct sp_json *obj, const char *name)
{
	for (size_t i = 0; i < obj->len; i++)
		if (!strcmp(obj->u.members[i].key, name))
			return true;
	return false;
}

static bool has_profile_key(const struct sp_json *obj)
{
	for (size_t i = 0; i < obj->len; i++) {
		const struct sp_jmember *m = &obj->u.members[i];
		if (find_field(top_fields, SP_ARRAY_SIZE(top_fields), m))
			return true;
	}
	return false;
}

/* Go's encoding/json null into a pointer field sets it to nil: start
 * the profile afresh (its arena keeps what was decoded so far). */
static void reset_profile(struct secprof_profile *p)
{
	struct secprof_profile fresh = { .arena = p->arena, .file = p->file, .form = p->form };

	*p = fresh;
}

/* One linux object of an OCI config: every member Go's encoding/json reads
 * as "seccomp" (exact or case-folded), in document order, decoded into the
 * same profile as runc's Spec.Linux.Seccomp pointer: a later object merges
 * into what an earlier one set, null resets it. seen: the fields the
 * objects since the last reset gave an array (check_repeat). */
static int decode_oci_linux(struct pc *c, struct secprof_profile *p,
			    const struct sp_json *linux_obj, bool *have, struct seen_fields *seen)
{
	for (size_t i = 0; i < linux_obj->len; i++) {
		const struct sp_jmember *m = &linux_obj->u.members[i];
		size_t old;
		int rc;

		if (!sp_json_key_fold_eq(m->key, m->key_len, "seccomp"))
			continue;
		if (m->val->type == SP_JNULL) {
			reset_profile(p);
			*seen = (struct seen_fields){ 0 };
			*have = false;
			continue;
		}
		old = path_key(c, "seccomp");
		c->base = c->depth;
		p->loc = m->val->loc;
		rc = decode_object_into(c, m->val, top_fields, SP_OCI_TOP_FIELDS, p, seen);
		path_pop(c, old);
		if (rc < 0)
			return rc;
		*have = true;
	}
	return 0;
}

/* A whole OCI config.json (ociVersion, or linux/process and no profile
 * key): its linux.seccomp is the profile. Docker itself would read such a
 * file as a profile with only unknown keys, i.e. unconfined (§1.5); taking
 * the seccomp object the file carries is what its author meant.
 * runc reads the file with Go's encoding/json, which decodes every key that
 * matches a field (exactly or case-folded) in document order, so
 * {"linux": {...}, "Linux": {...}} merges both objects: decode them the same
 * way rather than pick one (picking one could allow what runc denies). */
static int parse_oci_config(struct pc *c, struct secprof_profile *p, const struct sp_json *root)
{
	struct seen_fields seen = { 0 };
	bool have = false;

	p->form = SP_FORM_OCI_CONFIG;
	/* runc reads this object, not moby: archMap, includes/excludes, the
	 * legacy name and Podman's errno mean nothing there, so they are
	 * unknown keys (and a rule's conditions are not applied). */
	c->oci = true;
	for (size_t i = 0; i < root->len; i++) {
		const struct sp_jmember *m = &root->u.members[i];
		size_t old;
		int rc;

		if (!sp_json_key_fold_eq(m->key, m->key_len, "linux"))
			continue;
		if (m->val->type == SP_JNULL) {
			reset_profile(p);
			seen = (struct seen_fields){ 0 };
			have = false;
			continue;
		}
		old = path_key(c, "linux");
		if (m->val->type != SP_JOBJ)
			return type_error(c, m->val, "an object");
		rc = decode_oci_linux(c, p, m->val, &have, &seen);
		path_pop(c, old);
		if (rc < 0)
			return rc;
	}
	if (!have) {
		p->no_seccomp = true;
		c->base = c->depth;
		return 0;
	}
	/* later messages (validate) name linux.seccomp */
	path_key(c, "linux");
	path_key(c, "seccomp");
	c->base = c->depth;
	return 0;
}

static int parse_root(struct pc *c, struct secprof_profile *p, const struct sp_json *root)
{
	bool oci;
	int rc;

	p->loc = root->loc;
	if (root->type == SP_JNULL) /* Go: null into a struct changes nothing */
		return pwarn(c, &root->loc,
			     "the profile is null, which Docker reads as {} (no "
			     "seccomp at all)");
	if (root->type != SP_JOBJ)
		return perr(c, &root->loc, "a profile must be a JSON object, got %s",
			    type_name(root));
	/* An OCI config.json is what runc loads, whatever else it holds (a
	 * "kind" and "spec" beside its linux.seccomp are nothing to runc). */
	oci = has_exact(root, "ociVersion") ||
	      ((has_exact(root, "linux") || has_exact(root, "process")) && !has_profile_key(root));
	/* A SeccompProfile written as JSON, which kubectl reads as it reads
	 * YAML (JSON is its subset): read as the YAML form is, with the CRD's
	 * fields and checks, never as a Docker profile whose keys are all
	 * unknown. Docker reads it so, though (moby setupSeccomp: neither
	 * defaultAction nor syscalls is no filter at all): said, for whoever
	 * means to hand the file to docker run. */
	if (!oci && str_is(member_of(root, "kind"), "SeccompProfile") && !has_profile_key(root)) {
		struct sp_json *one = (struct sp_json *)root;
		const struct sp_json docs = {
			.type = SP_JARR, .loc = root->loc, .len = 1, .u.items = &one
		};
		if ((rc = pwarn(
			     c, &root->loc,
			     "read as the Security Profiles Operator's SeccompProfile (its spec); "
			     "docker run --security-opt seccomp= would read this JSON as a Docker "
			     "profile without defaultAction or syscalls and apply no filter at "
			     "all (give it spec's content)")) < 0)
			return rc;
		return parse_spo(c, p, &docs);
	}
	if (has_exact(root, "ociVersionMin") || has_exact(root, "ociVersionMax"))
		return perr(c, &root->loc,
			    "this is an OCI runtime features document, not a seccomp profile "
			    "(Docker would ignore every key in it and run with no seccomp at all)");
	if (oci)
		rc = parse_oci_config(c, p, root);
	else
		rc = decode_object(c, root, top_fields, SP_ARRAY_SIZE(top_fields), p);
	if (rc < 0)
		return rc;
	if (p->no_seccomp)
		return 0;
	path_pop(c, c->base);
	return validate(c, p);
}

/* ---- public ------------------------------------------------------------ */

/* From this size on, the objects of arrays (a profile's syscalls) are read
 * lazily (sp_json_parse_lazy): each element's tree and text exist only
 * while it is decoded (the whole tree was 4.7 bytes per input byte of a
 * 100k-rule profile, the copy of the text 1.0), and the profile keeps its
 * own copy of the strings it holds (intern). Below it, one tree is faster
 * (a lazy element is scanned twice, its strings copied) and small. */
#define SP_LAZY_MIN (256u * 1024u)

secprof_profile *secprof_profile_parse(secprof_ctx *ctx, const char *data, size_t len,
				       const char *filename, secprof_error *err)
{
	return sp_profile_parse_lazy(ctx, data, len, filename, err, -1);
}

/* own: data itself when the caller gives it up (its pages may be dropped
 * while it is read lazily, struct pc), else NULL. */
static secprof_profile *parse_bytes(secprof_ctx *ctx, const char *data, size_t len,
				    const char *filename, secprof_error *err, int lazy, char *own)
{
	struct secprof_profile *p = calloc(1, sizeof(*p));
	struct pc c = { .ctx = ctx, .err = err, .p = p, .data = data, .len = data ? len : 0 };
	const struct sp_json *root;
	struct sp_arena nodes = { 0 };

	if (!p) {
		sp_err_oom_in(err, filename);
		return NULL;
	}
	p->file = filename ? filename : "";
	if (len > SECPROF_MAX_PROFILE_SIZE) {
		sp_err(err, SECPROF_E_LIMIT, p->file, NULL, NULL,
		       "input is %zu bytes, larger than the %u-byte limit for a profile", len,
		       SECPROF_MAX_PROFILE_SIZE);
		goto fail;
	}
	/* the file name must outlive the caller's string: keep a copy */
	p->file = sp_arena_strndup(&p->arena, p->file, strlen(p->file));
	if (!p->file) {
		p->file = "";
		oom(&c);
		goto fail;
	}
	if (!data)
		c.data = "";
	/* an LXC seccomp policy (lxc.c): read into the profile, then
	 * validated as any profile */
	if (data && sp_lxc_sniff(data, len)) {
		if (sp_lxc_read(ctx, p, data, len, err) < 0 || validate(&c, p) < 0)
			goto fail;
		return p;
	}
	/* YAML: the Security Profiles Operator's SeccompProfile; the tree
	 * is the JSON reader's, so the same decoders read it */
	if (data && sp_yaml_sniff(data, len)) {
		root = sp_yaml_parse(&p->arena, &nodes, data, len, p->file, err);
		if (!root || parse_spo(&c, p, root) < 0)
			goto fail;
		sp_arena_free(&nodes);
		return p;
	}
	/* the tree is only read while decoding: its nodes go in an arena of
	 * their own, freed before the later stages allocate; so does a lazy
	 * parse's text, of which the profile keeps what it holds (intern) */
	if (lazy < 0)
		lazy = len >= SP_LAZY_MIN;
	c.intern = lazy;
	c.own = lazy ? own : NULL;
	/* the tree of a profile read whole is as temporary as a compile's
	 * tables: in the context's scratch region (core/scratch.h) */
	nodes.scratch = lazy ? NULL : sp_scratch_take(ctx);
	root = lazy ? sp_json_parse_lazy(&nodes, &nodes, data ? data : "", data ? len : 0, p->file,
					 err)
		    : sp_json_parse_split(&p->arena, &nodes, data ? data : "", data ? len : 0,
					  p->file, err);
	if (!root)
		goto fail;
	if (parse_root(&c, p, root) < 0)
		goto fail;
	sp_arena_free(&nodes);
	sp_scratch_give(ctx, nodes.scratch);
	free(c.slots);
	return p;
fail:
	sp_arena_free(&nodes);
	sp_scratch_give(ctx, nodes.scratch);
	free(c.slots);
	secprof_profile_free(p);
	return NULL;
}

secprof_profile *sp_profile_parse_lazy(secprof_ctx *ctx, const char *data, size_t len,
				       const char *filename, secprof_error *err, int lazy)
{
	return parse_bytes(ctx, data, len, filename, err, lazy, NULL);
}

secprof_profile *secprof_profile_load_file(secprof_ctx *ctx, const char *path, secprof_error *err)
{
	char *data = NULL;
	size_t len = 0;
	secprof_profile *p;

	if (sp_read_file(path, SECPROF_MAX_PROFILE_SIZE, &data, &len, err) < 0)
		return NULL;
	/* the buffer is ours, and freed once parsed: a large one is given
	 * back as it is read */
	p = parse_bytes(ctx, data, len, strcmp(path, "-") ? path : "<stdin>", err, -1, data);
	free(data);
	return p;
}

void secprof_profile_free(secprof_profile *p)
{
	if (!p)
		return;
	sp_arena_free(&p->arena);
	free(p);
}
