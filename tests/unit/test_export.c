/* test_export.c - the export layer's encodings and the YAML reader:
 * SHA-256 against the NIST examples (FIPS 180-4), base64 against RFC
 * 4648's vectors, YAML scalars resolved as Kubernetes reads them, the
 * YAML/JSON sniff, and the spo export read back through the public API
 * to the same program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "secprof.h"
#include "core/json.h"
#include "core/yaml.h"
#include "export/export.h"

static void hex(const unsigned char d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const char *sha(const char *s, size_t n)
{
	static char out[65];
	unsigned char d[32];

	sp_sha256(s, n, d);
	hex(d, out);
	return out;
}

static const char *b64(const char *s)
{
	static char out[64];
	struct sp_buf b = { 0 };

	sp_base64(&b, (const unsigned char *)s, strlen(s));
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data ? b.data : "");
	sp_buf_free(&b);
	return out;
}

static const struct sp_json *first_doc_member(const struct sp_json *docs, const char *key)
{
	const struct sp_json *d = docs && docs->len ? docs->u.items[0] : NULL;

	for (size_t i = 0; d && d->type == SP_JOBJ && i < d->len; i++)
		if (!strcmp(d->u.members[i].key, key))
			return d->u.members[i].val;
	return NULL;
}

int main(void)
{
	/* FIPS 180-4 / NIST CSRC examples */
	tap_ok(!strcmp(sha("abc", 3),
		       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	       "sha256(abc)");
	tap_ok(!strcmp(sha("", 0),
		       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	       "sha256 of nothing");
	tap_ok(!strcmp(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
		       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
	       "sha256 of 56 bytes (the padding spills into a second block)");
	{
		char *m = malloc(1000000);
		memset(m, 'a', 1000000);
		tap_ok(!strcmp(sha(m, 1000000),
			       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
		       "sha256 of a million 'a'");
		free(m);
	}
	/* RFC 4648 section 10 */
	tap_ok(!strcmp(b64(""), "") && !strcmp(b64("f"), "Zg==") && !strcmp(b64("fo"), "Zm8=") &&
		       !strcmp(b64("foo"), "Zm9v") && !strcmp(b64("foob"), "Zm9vYg==") &&
		       !strcmp(b64("fooba"), "Zm9vYmE=") && !strcmp(b64("foobar"), "Zm9vYmFy"),
	       "base64: RFC 4648's vectors");
	tap_ok(!strcmp(b64("\xfb\xff"), "+/8="),
	       "base64: the standard alphabet's + and / (not base64url)");

	/* sniff */
	tap_ok(!sp_yaml_sniff("{\"defaultAction\":1}", 19) && !sp_yaml_sniff("  null", 6) &&
		       !sp_yaml_sniff("", 0) && !sp_yaml_sniff("[1]", 3),
	       "sniff: JSON texts are not YAML");
	tap_ok(sp_yaml_sniff("---\nkind: x\n", 12) && sp_yaml_sniff("# c\n{}", 6) &&
		       sp_yaml_sniff("apiVersion: v1\n", 15) &&
		       sp_yaml_sniff("\xef\xbb\xbfkind: x", 10),
	       "sniff: a marker, a comment or a block key is YAML");

	/* scalars as sigs.k8s.io/yaml reads them */
	{
		static const char y[] =
			"a: 0x10\nb: 010\nc: 1_000\nd: yes\ne: \"yes\"\nf: ~\ng: -3\n"
			"h: 1.5\ni: SCMP_ACT_ALLOW\nj: '42'\nk: 18446744073709551615\n";
		struct sp_arena ar = { 0 }, nodes = { 0 };
		secprof_error err = { 0 };
		struct sp_json *docs = sp_yaml_parse(&ar, &nodes, y, sizeof(y) - 1, "t.yaml", &err);
		const struct sp_json *v;

		tap_ok(docs && docs->type == SP_JARR && docs->len == 1, "one document");
		v = first_doc_member(docs, "a");
		tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "16"), "0x10 is the number 16");
		v = first_doc_member(docs, "b");
		tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "8"),
		       "010 is octal 8 (YAML 1.1)");
		v = first_doc_member(docs, "c");
		tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "1000"), "1_000 is 1000");
		v = first_doc_member(docs, "d");
		tap_ok(v && v->type == SP_JBOOL && v->u.b, "yes is true (YAML 1.1)");
		v = first_doc_member(docs, "e");
		tap_ok(v && v->type == SP_JSTR && !strcmp(v->u.s, "yes"), "\"yes\" is a string");
		v = first_doc_member(docs, "f");
		tap_ok(v && v->type == SP_JNULL, "~ is null");
		v = first_doc_member(docs, "g");
		tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "-3"), "-3 keeps its sign");
		v = first_doc_member(docs, "h");
		tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "1.5"), "1.5 is a number");
		v = first_doc_member(docs, "i");
		tap_ok(v && v->type == SP_JSTR && v->loc.line == 9 && v->loc.col == 4,
		       "a word is a string, at line 9 column 4");
		v = first_doc_member(docs, "j");
		tap_ok(v && v->type == SP_JSTR && !strcmp(v->u.s, "42"), "'42' is a string");
		v = first_doc_member(docs, "k");
		tap_ok(v && v->type == SP_JNUM && !strcmp(v->u.s, "18446744073709551615"),
		       "2^64-1 is exact");
		sp_arena_free(&nodes);
		sp_arena_free(&ar);
	}
	{
		static const char y[] = "a: [1\n";
		struct sp_arena ar = { 0 }, nodes = { 0 };
		secprof_error err = { 0 };
		const struct sp_json *docs =
			sp_yaml_parse(&ar, &nodes, y, sizeof(y) - 1, "t.yaml", &err);
		tap_ok(!docs && err.code == SECPROF_E_PROFILE && err.line == 2 &&
			       !strcmp(err.file, "t.yaml"),
		       "a syntax error: a profile error with file and line (%u:%u %s)", err.line,
		       err.column, err.msg);
		sp_arena_free(&nodes);
		sp_arena_free(&ar);
	}

	/* the public API: export, read back, same program */
	{
		secprof_ctx *ctx = secprof_ctx_new();
		secprof_error err = { 0 };
		secprof_resolve_opts ro = { .arch = "amd64",
					    .kernel_major = 6,
					    .kernel_minor = 1,
					    .caps = secprof_caps_docker_default() };
		secprof_compile_opts co = { 0 };
		secprof_export_opts eo = { .format = SECPROF_EXPORT_SPO, .name = "t" };
		secprof_profile *p = secprof_profile_builtin(ctx, &err);
		secprof_resolved *r = p ? secprof_resolve(ctx, p, &ro, &err) : NULL;
		secprof_prog *a = r ? secprof_compile(ctx, r, &co, &err) : NULL;
		char *out = NULL;
		size_t len = 0;
		int rc = r ? secprof_export(ctx, r, &eo, &out, &len, &err) : -1;
		secprof_profile *p2 = rc == 0 ? secprof_profile_parse(ctx, out, len, "t.yaml", &err)
					      : NULL;
		secprof_resolved *r2 = p2 ? secprof_resolve(ctx, p2, &ro, &err) : NULL;
		secprof_prog *b = r2 ? secprof_compile(ctx, r2, &co, &err) : NULL;

		tap_ok(a && b && a->len == b->len &&
			       !memcmp(a->insns, b->insns, a->len * sizeof(*a->insns)),
		       "the spo export of the built-in profile reads back to its program (%s)",
		       err.msg);
		tap_ok(len == strlen(out ? out : ""),
		       "the export is NUL-terminated past its length");
		tap_ok(secprof_export_format_lookup("oci-artifact", &eo.format) == 0 &&
			       eo.format == SECPROF_EXPORT_OCI_ARTIFACT &&
			       secprof_export_format_lookup("yaml", &eo.format) == -SECPROF_E_USAGE,
		       "format names");
		secprof_prog_free(a);
		secprof_prog_free(b);
		secprof_resolved_free(r2);
		secprof_profile_free(p2);
		free(out);
		secprof_resolved_free(r);
		secprof_profile_free(p);
		secprof_ctx_free(ctx);
	}
	return tap_done();
}
