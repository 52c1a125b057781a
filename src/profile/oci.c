/* oci.c - the resolved profile as the OCI linux.seccomp JSON moby sends to
 * runc: Go's json.Marshal of specs.LinuxSeccomp, byte for byte (docs/COMPAT.md §2.3).
 *
 * Field order is the Go struct order; `omitempty` drops empty lists, empty
 * strings, nil pointers and zero numbers; "names" has no omitempty, so a
 * rule without names prints "names":null. */
#include <inttypes.h>
#include <stdlib.h>

#include "secprof.h"
#include "profile/resolve.h"

/* A Go string: JSON null inside a list decodes to "" (docs/COMPAT.md §1.3). */
static void put_str(struct sp_buf *b, const struct sp_str *s)
{
	sp_buf_json_str(b, s->s ? s->s : "");
}

static void put_str_list(struct sp_buf *b, const struct sp_str *items, size_t n)
{
	sp_buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sp_buf_puts(b, ",");
		put_str(b, &items[i]);
	}
	sp_buf_puts(b, "]");
}

static void put_arg(struct sp_buf *b, const struct sp_arg *a)
{
	sp_buf_printf(b, "{\"index\":%" PRIu64 ",\"value\":%" PRIu64, a->index, a->value);
	if (a->value_two)
		sp_buf_printf(b, ",\"valueTwo\":%" PRIu64, a->value_two);
	sp_buf_puts(b, ",\"op\":");
	put_str(b, &a->op_str);
	sp_buf_puts(b, "}");
}

static void put_rule(struct sp_buf *b, const struct sp_rule *r)
{
	/* A nil slice marshals as null, an empty one ([] in the profile) as []. */
	sp_buf_puts(b, "{\"names\":");
	if (r->names)
		put_str_list(b, r->names, r->nnames);
	else
		sp_buf_puts(b, "null");
	sp_buf_puts(b, ",\"action\":");
	put_str(b, &r->action);
	if (r->has_errno)
		sp_buf_printf(b, ",\"errnoRet\":%" PRIu64, r->errno_ret);
	if (r->nargs) {
		sp_buf_puts(b, ",\"args\":[");
		for (size_t i = 0; i < r->nargs; i++) {
			if (i)
				sp_buf_puts(b, ",");
			put_arg(b, &r->args[i]);
		}
		sp_buf_puts(b, "]");
	}
	sp_buf_puts(b, "}");
}

static void put_arches(struct sp_buf *b, const secprof_resolved *r)
{
	sp_buf_puts(b, ",\"architectures\":[");
	for (size_t i = 0; i < r->narchitectures; i++) {
		if (i)
			sp_buf_puts(b, ",");
		put_str(b, r->architectures[i]);
	}
	sp_buf_puts(b, "]");
}

static void put_optional_str(struct sp_buf *b, const char *key, const struct sp_str *s)
{
	if (!s->s || !s->s[0])
		return;
	sp_buf_printf(b, ",\"%s\":", key);
	put_str(b, s);
}

static void put_seccomp(struct sp_buf *b, const secprof_resolved *r)
{
	const struct secprof_profile *p = r->prof;

	sp_buf_puts(b, "{\"defaultAction\":");
	put_str(b, &p->default_action);
	if (p->has_default_errno)
		sp_buf_printf(b, ",\"defaultErrnoRet\":%" PRIu64, p->default_errno);
	if (r->narchitectures)
		put_arches(b, r);
	if (p->nflags) {
		sp_buf_puts(b, ",\"flags\":");
		put_str_list(b, p->flags, p->nflags);
	}
	put_optional_str(b, "listenerPath", &p->listener_path);
	put_optional_str(b, "listenerMetadata", &p->listener_metadata);
	if (r->nrules) {
		sp_buf_puts(b, ",\"syscalls\":[");
		for (size_t i = 0; i < r->nrules; i++) {
			if (i)
				sp_buf_puts(b, ",");
			put_rule(b, r->rules[i]);
		}
		sp_buf_puts(b, "]");
	}
	sp_buf_puts(b, "}");
}

int secprof_resolved_to_oci_json(const secprof_resolved *r, char **out, size_t *len,
				 secprof_error *err)
{
	struct sp_buf b = { 0 };

	/* Unconfined is a nil *LinuxSeccomp, which Go marshals as null. */
	if (r->unconfined)
		sp_buf_puts(&b, "null");
	else
		put_seccomp(&b, r);
	if (b.oom || !b.data) {
		sp_buf_free(&b);
		return sp_err_oom(err);
	}
	*out = b.data;
	if (len)
		*len = b.len;
	return 0;
}
