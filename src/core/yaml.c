/* yaml.c - YAML into the JSON reader's tree (yaml.h), with libyaml's event
 * parser: the Security Profiles Operator's SeccompProfile objects are YAML,
 * and the API server reads them as sigs.k8s.io/yaml does (go-yaml's YAML
 * 1.1 scalars, then encoding/json), so the scalars resolve the same way
 * here before the profile decoder (profile/parse.c) sees them. */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/yaml.h"

/* ---- telling YAML from JSON ----------------------------------------------- */

bool sp_yaml_sniff(const char *data, size_t len)
{
	size_t i = 0, k;

	if (!data)
		return false;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i >= len)
		return false;
	/* a comment, a directive or a document marker: no JSON text has one */
	if (data[i] == '#' || data[i] == '%' ||
	    (len - i >= 3 && !memcmp(data + i, "---", 3) &&
	     (i + 3 == len || data[i + 3] == '\n' || data[i + 3] == ' ' || data[i + 3] == '\r')))
		return true;
	/* a block mapping key: a plain word, then ':' and a blank (the word
	 * stops at the end of the line: a JSON text of one long line is not
	 * read past its first character) */
	for (k = i;
	     k < len && (data[k] == '_' || data[k] == '-' || data[k] == '.' ||
			 (data[k] >= 'a' && data[k] <= 'z') || (data[k] >= 'A' && data[k] <= 'Z') ||
			 (data[k] >= '0' && data[k] <= '9'));
	     k++)
		;
	return k > i && k < len && data[k] == ':' &&
	       (k + 1 == len || data[k + 1] == ' ' || data[k + 1] == '\n' || data[k + 1] == '\r' ||
		data[k + 1] == '\t');
}

/* ---- scalars ---------------------------------------------------------------- */

/* Words inline, up to 5 letters ("false"): no relocation at load
 * (docs/CONVENTIONS.md §18). */
typedef char yaml_word[6];

static bool in_list(const char *s, const yaml_word *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* go-yaml v2 resolve.go's YAML 1.1 words. */
static const yaml_word yes_words[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
				       "True", "TRUE", "on",  "On",  "ON" };
static const yaml_word no_words[] = { "n",     "N",     "no",  "No",  "NO", "false",
				      "False", "FALSE", "off", "Off", "OFF" };
static const yaml_word null_words[] = { "", "~", "null", "Null", "NULL" };
#define in(s, words) in_list(s, words, SP_ARRAY_SIZE(words))

/* A YAML 1.1 integer (sign, 0b / 0x / 0 octal / decimal, '_' between
 * digits) as decimal text into buf; false when s is not one. */
static bool yaml_int(const char *s, char *buf, size_t blen)
{
	char digits[96];
	size_t n = 0;
	bool neg = false;
	int base = 10;
	unsigned long long v;
	char *end;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (n + 1 >= sizeof(digits))
			return false;
		digits[n++] = *s;
	}
	digits[n] = 0;
	if (!n || digits[0] == '-' || digits[0] == '+')
		return false;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end || errno)
		return false;
	snprintf(buf, blen, "%s%llu", neg ? "-" : "", v);
	return true;
}

/* A JSON number's syntax (a float go-yaml would read as one). */
static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

/* ---- building the tree --------------------------------------------------- */

/* An open mapping or sequence: its items so far (malloc'ed). */
struct open_node {
	struct sp_json *node;
	struct sp_json **items; /* sequence items, or mapping keys and values */
	size_t n, cap;
};

struct yb {
	struct sp_arena *arena, *nodes;
	const char *data, *file;
	secprof_error *err;
	struct open_node *stack;
	size_t depth, cap;
	struct sp_json *docs; /* the stream: an array of document roots */
	struct sp_json **doc_items;
	size_t ndocs, docs_cap;
};

static struct sp_loc loc_of(yaml_mark_t m)
{
	struct sp_loc l = { (uint32_t)m.line + 1, (uint32_t)m.column + 1 };
	return l;
}

static int yerr(struct yb *b, yaml_mark_t m, const char *msg, const char *ctx)
{
	struct sp_loc l = loc_of(m);

	return sp_err(b->err, SECPROF_E_PROFILE, b->file, &l, NULL, "YAML: %s%s%s", msg,
		      ctx ? " " : "", ctx ? ctx : "");
}

static struct sp_json *new_node(struct yb *b, enum sp_jtype t, yaml_mark_t start, yaml_mark_t end)
{
	struct sp_json *j = sp_arena_alloc(b->nodes, sizeof(*j));

	if (!j)
		return NULL;
	j->type = t;
	j->loc = loc_of(start);
	j->off = (uint32_t)start.index;
	j->end = (uint32_t)end.index;
	return j;
}

static bool push_item(struct sp_json ***items, size_t *n, size_t *cap, struct sp_json *j)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct sp_json **p = realloc(*items, c * sizeof(*p));
		if (!p)
			return false;
		*items = p;
		*cap = c;
	}
	(*items)[(*n)++] = j;
	return true;
}

/* Hand a finished value to the open container, or to the stream. */
static int add_value(struct yb *b, struct sp_json *j)
{
	struct open_node *o;

	if (!b->depth)
		return push_item(&b->doc_items, &b->ndocs, &b->docs_cap, j) ? 0
									    : sp_err_oom(b->err);
	o = &b->stack[b->depth - 1];
	return push_item(&o->items, &o->n, &o->cap, j) ? 0 : sp_err_oom(b->err);
}

static struct sp_json *scalar(struct yb *b, const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;
	const char *tag = (const char *)e->data.scalar.tag;
	bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		     e->data.scalar.plain_implicit;
	char num[96];
	struct sp_json *j;

	if (tag && !strcmp(tag, YAML_STR_TAG))
		plain = false;
	if (plain && strlen(v) == n) {
		if (in(v, null_words))
			return new_node(b, SP_JNULL, e->start_mark, e->end_mark);
		if (in(v, yes_words) || in(v, no_words)) {
			if ((j = new_node(b, SP_JBOOL, e->start_mark, e->end_mark)))
				j->u.b = in(v, yes_words);
			return j;
		}
		if (yaml_int(v, num, sizeof(num)) ||
		    (json_number(v) && snprintf(num, sizeof(num), "%s", v) < (int)sizeof(num))) {
			if (!(j = new_node(b, SP_JNUM, e->start_mark, e->end_mark)))
				return NULL;
			j->len = (uint32_t)strlen(num);
			j->u.s = sp_arena_strndup(b->arena, num, j->len);
			return j->u.s ? j : NULL;
		}
	}
	if (!(j = new_node(b, SP_JSTR, e->start_mark, e->end_mark)))
		return NULL;
	j->len = (uint32_t)n;
	j->u.s = sp_arena_strndup(b->arena, v, n);
	return j->u.s ? j : NULL;
}

static int open_container(struct yb *b, const yaml_event_t *e, enum sp_jtype t)
{
	struct sp_json *j;

	if (b->depth >= SP_JSON_MAX_DEPTH)
		return yerr(b, e->start_mark, "nesting is too deep", NULL);
	if (b->depth == b->cap) {
		size_t c = b->cap ? b->cap * 2 : 16;
		struct open_node *s = realloc(b->stack, c * sizeof(*s));
		if (!s)
			return sp_err_oom(b->err);
		b->stack = s;
		b->cap = c;
	}
	if (!(j = new_node(b, t, e->start_mark, e->end_mark)))
		return sp_err_oom(b->err);
	b->stack[b->depth++] = (struct open_node){ .node = j };
	return 0;
}

static int close_container(struct yb *b, const yaml_event_t *e)
{
	struct open_node o = b->stack[--b->depth];
	struct sp_json *j = o.node;
	int rc = 0;

	j->end = (uint32_t)e->end_mark.index;
	if (j->type == SP_JARR) {
		j->len = (uint32_t)o.n;
		j->u.items = o.n ? sp_arena_alloc_raw(b->nodes, o.n * sizeof(*j->u.items)) : NULL;
		if (o.n && !j->u.items)
			rc = sp_err_oom(b->err);
		else if (o.n)
			memcpy(j->u.items, o.items, o.n * sizeof(*o.items));
	} else {
		size_t nm = o.n / 2;
		j->len = (uint32_t)nm;
		j->u.members = nm ? sp_arena_alloc(b->nodes, nm * sizeof(*j->u.members)) : NULL;
		if (nm && !j->u.members)
			rc = sp_err_oom(b->err);
		for (size_t i = 0; rc == 0 && i < nm; i++) {
			const struct sp_json *k = o.items[2 * i];
			if (k->type != SP_JSTR && k->type != SP_JNUM && k->type != SP_JBOOL) {
				struct sp_loc l = k->loc;
				rc = sp_err(b->err, SECPROF_E_PROFILE, b->file, &l, NULL,
					    "YAML: a mapping key must be a scalar");
				break;
			}
			/* a key is text: true/1 read as the words written */
			j->u.members[i].key = k->type == SP_JBOOL
						      ? sp_arena_strndup(b->arena, b->data + k->off,
									 k->end - k->off)
						      : k->u.s;
			j->u.members[i].key_len = j->u.members[i].key ? strlen(j->u.members[i].key)
								      : 0;
			j->u.members[i].loc = k->loc;
			j->u.members[i].val = o.items[2 * i + 1];
			if (!j->u.members[i].key)
				rc = sp_err_oom(b->err);
		}
	}
	free(o.items);
	return rc < 0 ? rc : add_value(b, j);
}

/* An explicit tag other than the one a node has anyway: go-yaml acts on
 * them (a `!!binary` key or name is base64 it decodes: `? !!binary
 * ZGVmYXVsdEFjdGlvbg==` is defaultAction to kubectl, a key this tree would
 * keep as the base64 text and drop as unknown), so each is refused rather
 * than read otherwise. The "!" of a quoted-like plain scalar, !!str, and
 * !!map and !!seq on their own kinds change nothing. */
static bool tag_changes_nothing(const yaml_event_t *e)
{
	const char *tag = e->type == YAML_SCALAR_EVENT ? (const char *)e->data.scalar.tag
			  : e->type == YAML_MAPPING_START_EVENT
				  ? (const char *)e->data.mapping_start.tag
				  : (const char *)e->data.sequence_start.tag;

	if (!tag || !strcmp(tag, "!"))
		return true;
	if (e->type == YAML_SCALAR_EVENT)
		return !strcmp(tag, YAML_STR_TAG);
	return !strcmp(tag, e->type == YAML_MAPPING_START_EVENT ? YAML_MAP_TAG : YAML_SEQ_TAG);
}

static int handle(struct yb *b, const yaml_event_t *e)
{
	struct sp_json *j;

	if ((e->type == YAML_SCALAR_EVENT || e->type == YAML_MAPPING_START_EVENT ||
	     e->type == YAML_SEQUENCE_START_EVENT) &&
	    !tag_changes_nothing(e))
		return yerr(b, e->start_mark,
			    "explicit tags (!!binary, !!int, ...) are not supported: Kubernetes "
			    "(go-yaml) would act on the tag, and secprof does not (write the value "
			    "out)",
			    NULL);
	switch (e->type) {
	case YAML_ALIAS_EVENT:
		/* refused: an alias bomb expands a few lines into millions of
		 * nodes, and Kubernetes objects have no use for them */
		return yerr(b, e->start_mark, "aliases (*name) are not supported", NULL);
	case YAML_SCALAR_EVENT:
		/* a merge key: go-yaml (decoder.merge, as sigs.k8s.io/yaml reads
		 * a SeccompProfile for kubectl) copies the mapping it names into
		 * this one, so `<<: {syscalls: [...]}` gives the profile rules
		 * the tree here would leave out as an unknown key. Refused,
		 * quoted or not, rather than applied. */
		if (b->depth && b->stack[b->depth - 1].node->type == SP_JOBJ &&
		    b->stack[b->depth - 1].n % 2 == 0 && e->data.scalar.length == 2 &&
		    !memcmp(e->data.scalar.value, "<<", 2))
			return yerr(b, e->start_mark,
				    "merge key \"<<\": Kubernetes (go-yaml) merges the mapping it "
				    "names into this one, and secprof does not apply YAML merge "
				    "keys (write the keys out)",
				    NULL);
		if (!(j = scalar(b, e)))
			return sp_err_oom(b->err);
		return add_value(b, j);
	case YAML_SEQUENCE_START_EVENT: return open_container(b, e, SP_JARR);
	case YAML_MAPPING_START_EVENT: return open_container(b, e, SP_JOBJ);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: return close_container(b, e);
	default: return 0; /* stream and document markers */
	}
}

/* libyaml is opened with dlopen when a YAML profile is read, not linked: as
 * a dependency of libsecprof.so it would be loaded at the start of every
 * secprof process (~25 us of each `secprof run`), for the few inputs that
 * are YAML. Its functions keep their names and types (yaml.h). */
/* the soname of libyaml 0.2.x, the API of yaml.h since 0.1 */
#define YAML_SONAME "libyaml-0.so.2"
#define LY_FUNCS(X)                     \
	X(yaml_parser_initialize)       \
	X(yaml_parser_set_input_string) \
	X(yaml_parser_parse)            \
	X(yaml_event_delete)            \
	X(yaml_parser_delete)

struct ly {
	void *dl;
#define LY_FIELD(f) __typeof__(&f) f;
	LY_FUNCS(LY_FIELD)
#undef LY_FIELD
};

static int ly_open(struct ly *L, const char *file, secprof_error *err)
{
	const char *missing = NULL;

	if (!(L->dl = dlopen(YAML_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return sp_err(err, SECPROF_E_SYSTEM, file, NULL, NULL,
			      "cannot load %s, which reading a YAML profile needs: %s", YAML_SONAME,
			      dlerror());
#define LY_SYM(f)                                              \
	if (!missing && !(*(void **)&L->f = dlsym(L->dl, #f))) \
		missing = #f;
	LY_FUNCS(LY_SYM)
#undef LY_SYM
	if (missing) {
		dlclose(L->dl);
		return sp_err(err, SECPROF_E_SYSTEM, file, NULL, NULL, "%s has no %s", YAML_SONAME,
			      missing);
	}
	return 0;
}

struct sp_json *sp_yaml_parse(struct sp_arena *arena, struct sp_arena *node_arena, const char *data,
			      size_t len, const char *file, secprof_error *err)
{
	struct yb b = {
		.arena = arena, .nodes = node_arena, .data = data, .file = file, .err = err
	};
	yaml_parser_t parser;
	yaml_event_t e;
	bool done = false;
	struct ly L = { 0 };
	int rc = 0;

	if (ly_open(&L, file, err) < 0)
		return NULL;
	if (!L.yaml_parser_initialize(&parser)) {
		dlclose(L.dl);
		sp_err_oom(err);
		return NULL;
	}
	L.yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done && rc == 0) {
		if (!L.yaml_parser_parse(&parser, &e)) {
			rc = yerr(&b, parser.problem_mark,
				  parser.problem ? parser.problem : "syntax error", parser.context);
			break;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		rc = handle(&b, &e);
		L.yaml_event_delete(&e);
	}
	L.yaml_parser_delete(&parser);
	dlclose(L.dl);
	while (b.depth)
		free(b.stack[--b.depth].items);
	free(b.stack);
	if (rc == 0) {
		yaml_mark_t m = { 0, 0, 0 };
		b.docs = new_node(&b, SP_JARR, m, m);
		if (b.docs) {
			b.docs->len = (uint32_t)b.ndocs;
			b.docs->u.items =
				b.ndocs ? sp_arena_alloc_raw(node_arena,
							     b.ndocs * sizeof(*b.docs->u.items))
					: NULL;
			if (b.ndocs && b.docs->u.items)
				memcpy(b.docs->u.items, b.doc_items,
				       b.ndocs * sizeof(*b.doc_items));
			else if (b.ndocs)
				b.docs = NULL;
		}
		if (!b.docs)
			sp_err_oom(err);
	}
	free(b.doc_items);
	return rc == 0 ? b.docs : NULL;
}
