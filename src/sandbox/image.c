/* image.c - `secprof run --image REF`: an image from a `docker save`
 * archive or an OCI image layout (directory or tar), nothing pulled.
 *
 * docker save (moby image/tarexport): manifest.json lists, per image, its
 * config file and its layer tars bottom first; the config's
 * rootfs.diff_ids name the layers by the digest of their uncompressed
 * tar. An OCI layout (image-spec image-layout.md): index.json points at
 * manifests (org.opencontainers.image.ref.name is the tag), each at a
 * config and layer blobs under blobs/ALG/HEX. The config's Entrypoint,
 * Cmd, Env, WorkingDir and User are what docker run starts from
 * (image-spec config.md).
 *
 * Each layer's bytes are checked against the digest the image names for
 * them (archive.c), an OCI layer's uncompressed tar also against the
 * config's diff_id (as Docker recomputes it and refuses a mismatch), and
 * it is unpacked once into the cache under its diff_id's hex digest, a
 * name its content was checked against: an image that named another
 * image's diff_id for a layer of its own would otherwise put its files
 * into that other image's runs. Into a fresh temporary directory, then
 * renamed into place, so two secprof runs unpacking the same layer never
 * see half of one (the loser of the rename drops its copy). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secprof.h"
#include "core/json.h"
#include "core/util.h"
#include "sandbox/run.h"

#define META_MAX (4u << 20) /* manifests and configs are small */

struct source {
	char *path; /* the archive or the layout directory */
	bool dir;
	int dirfd;           /* the layout directory, O_PATH; -1 */
	struct sp_member *m; /* archive: its small members */
	size_t n;
	struct sp_arena arena; /* JSON trees and file copies */
};

static int bad(secprof_error *err, const char *ref, const char *what)
{
	return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "image %s: %s", ref, what);
}

/* A file of a layout directory, opened for reading as docker load finds
 * the files of the archive it unpacked (moby image/tarexport safePath,
 * symlink.FollowSymlinkInScope): a symlink of the image resolved as if
 * the directory were /, never to a host file (a blob -> /etc/shadow, a
 * private image's layer elsewhere), and only a regular file, found with
 * O_PATH first so that no device is opened (a blob -> /dev/zero never
 * ended). Negative when it cannot be, with err set unless it is missing. */
static int layout_open(struct source *s, const char *name, struct stat *st, secprof_error *err)
{
	char self[64];
	int p = sp_open_in_root(s->dirfd, name, O_PATH), fd;

	if (p < 0) {
		if (errno == ENOENT)
			return -1; /* missing */
		return sp_err_errno(err, NULL, "image %s: cannot open %s", s->path, name);
	}
	if (fstat(p, st) < 0 || !S_ISREG(st->st_mode)) {
		close(p);
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "image %s: %s is not a regular file (refused)", s->path, name);
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
	fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		sp_err_errno(err, NULL, "image %s: cannot open %s", s->path, name);
	close(p);
	return fd;
}

/* A file of the image, in the arena (NULL when absent). Of an archive
 * with two members of that name, the last: docker load unpacks the
 * archive (moby image/tarexport Load, chrootarchive.Untar), a later
 * member replacing an earlier one, and reads the files it is left with. */
static const char *src_read(struct source *s, const char *name, size_t *len, secprof_error *err)
{
	if (!s->dir) {
		for (size_t i = s->n; i-- > 0;)
			if (!strcmp(s->m[i].name, name)) {
				*len = s->m[i].len;
				return s->m[i].data;
			}
		return NULL;
	} else {
		char self[64], *data, *copy;
		struct stat st;
		size_t n;
		int fd = layout_open(s, name, &st, err);
		if (fd < 0)
			return NULL;
		if (st.st_size > (off_t)META_MAX) {
			close(fd);
			sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			       "image %s: %s is larger than %u MiB (refused)", s->path, name,
			       META_MAX >> 20);
			return NULL;
		}
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (sp_read_file_as(self, META_MAX, "an image file", &data, &n, err) < 0) {
			close(fd);
			return NULL;
		}
		close(fd);
		copy = sp_arena_strndup(&s->arena, data, n);
		free(data);
		*len = n;
		if (!copy)
			sp_err_oom(err);
		return copy;
	}
}

/* A blob (blobs/sha256/HEX, image-spec image-layout.md) is named by the
 * digest of its bytes, and the index, the manifests and the config are
 * bound to one another by those names: a manifest or a config swapped
 * behind the digests the index names would run, where containerd's and
 * containers/image's importers refuse it ("digest ... does not match
 * expected"). Layers are checked as they are unpacked (archive.c). */
static bool blob_matches(const char *data, size_t len, const char *hex)
{
	uint8_t d[SP_SHA256_SIZE];
	char got[2 * SP_SHA256_SIZE + 1];

	sp_sha256(data, len, d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	return !strcmp(got, hex);
}

static const struct sp_json *src_json(struct source *s, const char *name, secprof_error *err)
{
	size_t len = 0;
	const char *data = src_read(s, name, &len, err);

	if (!data) {
		if (!err->code)
			sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "image %s has no %s",
			       s->path, name);
		return NULL;
	}
	if (!strncmp(name, "blobs/sha256/", 13) && !blob_matches(data, len, name + 13)) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "image %s: %s: its bytes do not hash to its name (refused)", s->path, name);
		return NULL;
	}
	return sp_json_parse(&s->arena, data, len, name, err);
}

/* The member Go's decoder leaves in the field named key (moby's
 * image.Image and container.Config, image/tarexport's manifestItem, the
 * image-spec structs): each member whose key names it, exactly or
 * case-folded (encoding/json; no struct here has two fields that fold
 * alike), is decoded into it in document order, so the last one wins. */
static const struct sp_json *get(const struct sp_json *o, const char *key)
{
	const struct sp_json *v = NULL;

	if (!o || o->type != SP_JOBJ)
		return NULL;
	for (uint32_t i = 0; i < o->len; i++)
		if (sp_json_key_fold_eq(o->u.members[i].key, o->u.members[i].key_len, key))
			v = o->u.members[i].val;
	return v;
}

/* A string field: a null member leaves it as it was (encoding/json: null
 * has no effect on a string), so the last string member is its value. */
static const char *get_str(const struct sp_json *o, const char *key)
{
	const char *v = NULL;

	if (!o || o->type != SP_JOBJ)
		return NULL;
	for (uint32_t i = 0; i < o->len; i++) {
		const struct sp_json *m = o->u.members[i].val;
		if (sp_json_key_fold_eq(o->u.members[i].key, o->u.members[i].key_len, key) &&
		    m->type == SP_JSTR)
			v = m->u.s;
	}
	return v;
}

/* A string of the config that the command is run with: one with a NUL
 * byte could only be cut short here, where Go keeps it whole and the run
 * then fails (no user, no such file, execve's EINVAL). */
static int config_string(const struct sp_json *v, const char *what, secprof_error *err)
{
	if (strlen(v->u.s) != v->len)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "image config: %s holds a NUL character", what);
	return 0;
}

/* A string field of the config, copied out (NULL when absent, null or
 * ""). A member of another type fails Go's decoding, and docker load with
 * it ("cannot unmarshal number into Go struct field Config.config.User"):
 * refused, not skipped, for a User skipped would run the image as root. */
static int config_str(const struct sp_json *c, const char *key, char **out, secprof_error *err)
{
	const char *v = NULL;

	*out = NULL;
	for (uint32_t i = 0; c && i < c->len; i++) {
		const struct sp_json *m = c->u.members[i].val;
		if (!sp_json_key_fold_eq(c->u.members[i].key, c->u.members[i].key_len, key) ||
		    m->type == SP_JNULL)
			continue;
		if (m->type != SP_JSTR)
			return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "image config: %s is not a string", key);
		if (config_string(m, key, err) < 0)
			return -1;
		v = m->u.s;
	}
	if (v && v[0] && !(*out = strdup(v)))
		return sp_err_oom(err);
	return 0;
}

/* A list of strings of the config copied out; null or absent: *out NULL.
 * Entrypoint and Cmd are moby's strslice.StrSlice, which takes a single
 * string as a list of one (one_ok). */
static int str_array(const struct sp_json *v, bool one_ok, char ***out, size_t *n, const char *what,
		     secprof_error *err)
{
	*out = NULL;
	*n = 0;
	if (!v || v->type == SP_JNULL)
		return 0;
	if (one_ok && v->type == SP_JSTR) {
		if (config_string(v, what, err) < 0)
			return -1;
		if (!(*out = calloc(2, sizeof(char *))) || !((*out)[0] = strdup(v->u.s)))
			return sp_err_oom(err);
		*n = 1;
		return 0;
	}
	if (v->type != SP_JARR)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "image config: %s is not a list", what);
	if (!(*out = calloc(v->len + 1, sizeof(char *))))
		return sp_err_oom(err);
	for (uint32_t i = 0; i < v->len; i++) {
		if (v->u.items[i]->type != SP_JSTR)
			return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "image config: %s[%u] is not a string", what, i);
		if (config_string(v->u.items[i], what, err) < 0)
			return -1;
		if (!((*out)[i] = strdup(v->u.items[i]->u.s)))
			return sp_err_oom(err);
		(*n)++;
	}
	return 0;
}

/* "sha256:<64 hex>" -> the hex part, or NULL: the name of a cache entry
 * and of a blob, so nothing else may pass. */
static const char *digest_hex(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d + 7) != 64)
		return NULL;
	for (const char *c = d + 7; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return NULL;
	return d + 7;
}

/* ---- choosing the image ------------------------------------------------------- */

struct chosen {
	const char *config;      /* file name of the config in the source */
	const char *layers[128]; /* file names of the layer tars, bottom first */
	size_t nlayers;
};

/* A name manifest.json gives: a file of the image, never one beside it or
 * anywhere else (moby confines them the same way, image/tarexport
 * safePath). Absolute names and ".." components are refused. */
static bool names_inside(const char *name)
{
	if (!*name || *name == '/')
		return false;
	for (const char *p = name;; p++) { /* p: the start of a component */
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return false;
		if (!(p = strchr(p, '/')))
			return true;
	}
}

static int choose_docker(struct source *s, const struct sp_json *man, const char *tag,
			 struct chosen *c, secprof_error *err)
{
	const struct sp_json *pick = NULL, *layers;

	if (man->type != SP_JARR || !man->len)
		return bad(err, s->path, "manifest.json lists no image");
	for (uint32_t i = 0; i < man->len && !pick; i++) {
		const struct sp_json *tags = get(man->u.items[i], "RepoTags");
		if (!tag) {
			if (man->len > 1)
				return bad(
					err, s->path,
					"holds several images: name one as docker-archive:PATH:REPO:TAG");
			pick = man->u.items[i];
		}
		for (uint32_t k = 0; tag && tags && tags->type == SP_JARR && k < tags->len; k++)
			if (tags->u.items[k]->type == SP_JSTR &&
			    !strcmp(tags->u.items[k]->u.s, tag))
				pick = man->u.items[i];
	}
	if (!pick)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "image %s holds no image tagged %s", s->path, tag);
	c->config = get_str(pick, "Config");
	layers = get(pick, "Layers");
	if (!c->config || !layers || layers->type != SP_JARR)
		return bad(err, s->path, "manifest.json names no Config or Layers");
	if (!names_inside(c->config))
		return bad(err, s->path, "manifest.json: the Config is not a file of the image");
	if (layers->len > SP_ARRAY_SIZE(c->layers))
		return bad(err, s->path, "more than 128 layers");
	for (uint32_t i = 0; i < layers->len; i++) {
		if (layers->u.items[i]->type != SP_JSTR || !names_inside(layers->u.items[i]->u.s))
			return bad(err, s->path,
				   "manifest.json: a layer is not a file of the image");
		c->layers[c->nlayers++] = layers->u.items[i]->u.s;
	}
	return 0;
}

static const char *blob_name(struct source *s, const char *digest)
{
	const char *hex = digest_hex(digest);
	char name[128];

	if (!hex)
		return NULL;
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	return sp_arena_strndup(&s->arena, name, strlen(name));
}

static bool is_index(const struct sp_json *d)
{
	const char *mt = get_str(d, "mediaType");
	return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

/* In an index: the manifest for this machine (linux/amd64 and the like:
 * Go's GOARCH names), as a runtime picks one. */
static const struct sp_json *for_platform(const struct sp_json *ms)
{
#if defined(__x86_64__)
	const char *arch = "amd64";
#elif defined(__aarch64__)
	const char *arch = "arm64";
#else
	const char *arch = "";
#endif
	for (uint32_t i = 0; ms && ms->type == SP_JARR && i < ms->len; i++) {
		const struct sp_json *p = get(ms->u.items[i], "platform");
		const char *os = get_str(p, "os"), *a = get_str(p, "architecture");
		if (os && a && !strcmp(os, "linux") && !strcmp(a, arch))
			return ms->u.items[i];
	}
	return NULL;
}

static int choose_oci(struct source *s, const char *tag, struct chosen *c, secprof_error *err)
{
	const struct sp_json *index = src_json(s, "index.json", err), *ms, *pick = NULL, *man,
			     *layers;
	const char *name;

	if (!index)
		return -1;
	ms = get(index, "manifests");
	if (!ms || ms->type != SP_JARR || !ms->len)
		return bad(err, s->path, "index.json lists no manifest");
	for (uint32_t i = 0; i < ms->len; i++) {
		const char *ref = get_str(get(ms->u.items[i], "annotations"),
					  "org.opencontainers.image.ref.name");
		if (tag ? ref && !strcmp(ref, tag) : ms->len == 1)
			pick = ms->u.items[i];
	}
	if (!pick)
		return tag ? sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				    "image %s has no manifest tagged %s", s->path, tag)
			   : bad(err, s->path,
				 "index.json lists several manifests: name one as oci:DIR:TAG");
	for (int depth = 0; depth < 2 && is_index(pick); depth++) {
		const struct sp_json *sub;
		if (!(name = blob_name(s, get_str(pick, "digest"))) ||
		    !(sub = src_json(s, name, err)))
			return err->code ? -1 : bad(err, s->path, "bad index digest");
		if (!(pick = for_platform(get(sub, "manifests"))))
			return bad(err, s->path, "no manifest for this machine's platform");
	}
	if (!(name = blob_name(s, get_str(pick, "digest"))) || !(man = src_json(s, name, err)))
		return err->code ? -1 : bad(err, s->path, "bad manifest digest");
	if (!(c->config = blob_name(s, get_str(get(man, "config"), "digest"))))
		return bad(err, s->path, "the manifest names no config");
	layers = get(man, "layers");
	if (!layers || layers->type != SP_JARR)
		return bad(err, s->path, "the manifest lists no layers");
	if (layers->len > SP_ARRAY_SIZE(c->layers))
		return bad(err, s->path, "more than 128 layers");
	for (uint32_t i = 0; i < layers->len; i++)
		if (!(c->layers[c->nlayers++] =
			      blob_name(s, get_str(layers->u.items[i], "digest"))))
			return bad(err, s->path, "a layer has no sha256 digest");
	return 0;
}

/* ---- the layer cache ---------------------------------------------------------- */

/* The cache's layers are the roots of containers, used as they are found:
 * no one but secprof's user may be able to plant one (a directory, or a
 * symlink to the host's /, named by an image's public diff_id) or swap
 * the way to them, and no one else may enter it, for the layers hold the
 * images' setuid-root files (Docker's /var/lib/docker is 0710 for the
 * same reason). */
static int open_cache(const char *cache, struct sp_image *img, secprof_error *err)
{
	char real[PATH_MAX];

	if (sp_private_dir(cache, "layer cache", real, sizeof(real), err) < 0)
		return -1;
	if (!(img->cache = strdup(real)))
		return sp_err_oom(err);
	return 0;
}

/* A cached layer is named <diff_id>.<format>; the format changes when
 * secprof unpacks layers otherwise, so that no run uses a layer an older
 * secprof unpacked. v2: a layer's implied directories are 0755 whatever
 * the umask (archive.c make_implied_dir); v1 (no suffix) made them 0775
 * under umask 002. */
#define LAYER_CACHE_FORMAT "v2"

static int cache_layer(struct source *s, const char *cache, const char *name, const char *file,
		       const char *blob_hex, const char *plain_hex, secprof_error *err)
{
	char final[PATH_MAX], tmp[PATH_MAX], path[PATH_MAX];
	struct stat st;
	int rc;

	snprintf(final, sizeof(final), "%s/%s", cache, name);
	if (lstat(final, &st) == 0) {
		if (S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			return 0;
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "layer cache: %s is not a directory secprof made (refused)", final);
	}
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%.12s-XXXXXX", cache, name);
	if (!mkdtemp(tmp))
		return sp_err_errno(err, NULL, "cannot create a directory in the layer cache %s",
				    cache);
	/* The layer's root is a directory anyone may enter, as in Docker. */
	chmod(tmp, 0755);
	if (s->dir) {
		int fd = layout_open(s, file, &st, err);
		snprintf(path, sizeof(path), "%s/%s", s->path, file);
		if (fd < 0 && !err->code)
			rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "image %s has no %s",
				    s->path, file);
		else if (fd < 0)
			rc = -1;
		else
			rc = sp_layer_unpack(path, fd, NULL, tmp, blob_hex, plain_hex, err);
		if (fd >= 0)
			close(fd);
	} else {
		rc = sp_layer_unpack(s->path, -1, file, tmp, blob_hex, plain_hex, err);
	}
	if (!rc && rename(tmp, final) < 0) {
		/* Another secprof cached it first: theirs is as good. */
		if (errno != EEXIST && errno != ENOTEMPTY)
			rc = sp_err_errno(err, NULL, "cannot store layer %s in the cache", name);
		sp_remove_tree(tmp);
	}
	if (rc)
		sp_remove_tree(tmp);
	return rc;
}

/* ---- the whole image ------------------------------------------------------------- */

void sp_image_free(struct sp_image *img)
{
	char **lists[] = { img->layers, img->entrypoint, img->cmd, img->env };
	size_t ns[] = { img->nlayers, img->nentrypoint, img->ncmd, img->nenv };

	for (size_t l = 0; l < 4; l++) {
		for (size_t i = 0; lists[l] && i < ns[l]; i++)
			free(lists[l][i]);
		free(lists[l]);
	}
	free(img->cache);
	free(img->workdir);
	free(img->user);
	memset(img, 0, sizeof(*img));
}

/* REF: oci:PATH[:TAG], docker-archive:PATH[:REPO:TAG], or a plain PATH
 * (a layout directory, or an archive: docker save's when it has a
 * manifest.json, else an OCI layout's). */
static int parse_ref(const char *ref, char **path, char **tag, bool *oci, secprof_error *err)
{
	const char *p = ref;
	struct stat st;

	*oci = false;
	*tag = NULL;
	if (!strncmp(ref, "oci:", 4)) {
		const char *colon, *slash;
		p = ref + 4;
		*oci = true;
		colon = strrchr(p, ':');
		slash = strrchr(p, '/');
		if (colon && (!slash || colon > slash) && stat(p, &st) < 0) {
			*path = strndup(p, (size_t)(colon - p));
			*tag = strdup(colon + 1);
			return *path && *tag ? 0 : sp_err_oom(err);
		}
	} else if (!strncmp(ref, "docker-archive:", 15)) {
		const char *colon;
		p = ref + 15;
		if (stat(p, &st) < 0 && (colon = strchr(p, ':'))) {
			*path = strndup(p, (size_t)(colon - p));
			*tag = strdup(colon + 1);
			return *path && *tag ? 0 : sp_err_oom(err);
		}
	} else if (stat(ref, &st) < 0) {
		return sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"--image %s: no such file or directory (secprof pulls nothing: give a docker save archive or an OCI layout, oci:DIR[:TAG])",
			ref);
	}
	*path = strdup(p);
	return *path ? 0 : sp_err_oom(err);
}

static int read_config(struct source *s, const char *name, struct sp_image *img,
		       const struct sp_json **diff_ids, secprof_error *err)
{
	const struct sp_json *cfg = src_json(s, name, err), *c;

	if (!cfg)
		return -1;
	if (cfg->type != SP_JOBJ)
		return bad(err, s->path, "the config is not a JSON object");
	c = get(cfg, "config");
	if (c && c->type != SP_JOBJ && c->type != SP_JNULL)
		return bad(err, s->path, "the config's config is not a JSON object");
	if (str_array(get(c, "Entrypoint"), true, &img->entrypoint, &img->nentrypoint, "Entrypoint",
		      err) < 0 ||
	    str_array(get(c, "Cmd"), true, &img->cmd, &img->ncmd, "Cmd", err) < 0 ||
	    str_array(get(c, "Env"), false, &img->env, &img->nenv, "Env", err) < 0 ||
	    config_str(c, "WorkingDir", &img->workdir, err) < 0 ||
	    config_str(c, "User", &img->user, err) < 0)
		return -1;
	*diff_ids = get(get(cfg, "rootfs"), "diff_ids");
	if (!*diff_ids || (*diff_ids)->type != SP_JARR)
		return bad(err, s->path, "the config has no rootfs.diff_ids");
	return 0;
}

int sp_image_load(const char *ref, const char *cache, struct sp_image *img, secprof_error *err)
{
	struct source s = { .dirfd = -1 };
	struct chosen c = { 0 };
	const struct sp_json *diff_ids = NULL, *man = NULL;
	char *tag = NULL;
	struct stat st;
	bool oci;
	int rc;

	memset(img, 0, sizeof(*img));
	memset(err, 0, sizeof(*err));
	if ((rc = parse_ref(ref, &s.path, &tag, &oci, err)) < 0)
		goto out;
	if (stat(s.path, &st) < 0) {
		rc = sp_err_errno(err, NULL, "--image %s", s.path);
		goto out;
	}
	s.dir = S_ISDIR(st.st_mode);
	if (s.dir && (s.dirfd = open(s.path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = sp_err_errno(err, NULL, "--image %s", s.path);
		goto out;
	}
	if (!s.dir && (rc = sp_archive_small_members(s.path, META_MAX, &s.m, &s.n, err)) < 0)
		goto out;
	if (!oci) {
		size_t len;
		if (src_read(&s, "manifest.json", &len, err))
			man = src_json(&s, "manifest.json", err);
		if (err->code) {
			rc = -1;
			goto out;
		}
	}
	rc = man ? choose_docker(&s, man, tag, &c, err) : choose_oci(&s, tag, &c, err);
	if (!rc)
		rc = read_config(&s, c.config, img, &diff_ids, err);
	if (!rc && diff_ids->len != c.nlayers)
		rc = bad(err, s.path,
			 "the config's rootfs.diff_ids and the manifest's layers differ in number");
	if (!rc)
		rc = open_cache(cache, img, err);
	if (!rc && !(img->layers = calloc(c.nlayers + 1, sizeof(char *))))
		rc = sp_err_oom(err);
	for (size_t i = 0; !rc && i < c.nlayers; i++) {
		const struct sp_json *d = diff_ids->u.items[i];
		const char *hex = d->type == SP_JSTR ? digest_hex(d->u.s) : NULL;
		char name[96];
		if (!hex) {
			rc = bad(err, s.path, "a diff_id is not a sha256 digest");
			break;
		}
		/* What the layer's bytes must hash to: its uncompressed tar
		 * to the config's diff_id, as Docker checks, so the cache's
		 * name for it is a checked one; an OCI blob's own bytes to
		 * the digest that names it too. A docker save layer.tar is
		 * read as docker load reads it (moby image/tarexport
		 * loadLayer: DecompressStream, then the diff_id), compressed
		 * or not. */
		snprintf(name, sizeof(name), "%s.%s", hex, LAYER_CACHE_FORMAT);
		rc = cache_layer(&s, img->cache, name, c.layers[i],
				 man ? NULL : c.layers[i] + strlen("blobs/sha256/"), hex, err);
		if (!rc && !(img->layers[img->nlayers++] = strdup(name)))
			rc = sp_err_oom(err);
	}
out:
	if (rc)
		sp_image_free(img);
	sp_members_free(s.m, s.n);
	sp_arena_free(&s.arena);
	if (s.dirfd >= 0)
		close(s.dirfd);
	free(s.path);
	free(tag);
	return rc < 0 ? rc : 0;
}
