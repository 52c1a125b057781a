/* archive.c - image archives and layers read with libarchive (tar, with
 * gzip, zstd or no compression, loaded with dlopen when first needed: see
 * la_open), the only file that uses it: a static secprof links
 * tools/archive-stub.c in its place.
 *
 * A layer is unpacked into a directory of its own that becomes one lower
 * layer of an overlay, so the OCI image spec's whiteouts (image-spec
 * layer.md, "Whiteouts") become overlayfs's: `.wh.NAME` a 0/0 character
 * device NAME, `.wh..wh..opq` the trusted.overlay.opaque xattr on its
 * directory (Documentation/filesystems/overlayfs.rst), as moby's overlay2
 * driver converts them (pkg/archive archive_linux.go). Entries are
 * written below the layer directory only: ".." is refused, symlinks are
 * never followed on the way (ARCHIVE_EXTRACT_SECURE_*), owners are the
 * tar's numeric ids, and xattrs in the overlay namespace are dropped, so a
 * layer cannot forge overlay metadata. Every byte of the layer is hashed
 * as it is read (nettle's SHA-256) and a layer whose digest is not the one
 * the image names is refused, its directory removed by the caller, so no
 * archive can put content in the cache under another layer's digest; so
 * is one whose uncompressed tar is not the diff_id the config names. */
#include <archive.h>
#include <archive_entry.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* libarchive is opened with dlopen when an archive is read, not linked:
 * as a dependency of libsecprof.so it would be mapped and relocated, with
 * libxml2, ICU and libstdc++ behind it, at the start of every secprof
 * process (about 1 ms, most of `secprof run`'s start-up), while only
 * `run --image` reads archives. The table is filled for each call and
 * closed after it (no process-wide state); the functions keep
 * libarchive's names and types (archive.h), called through L. */
#define LA_FUNCS(X)                          \
	X(archive_entry_filetype)            \
	X(archive_entry_hardlink)            \
	X(archive_entry_pathname)            \
	X(archive_entry_set_hardlink)        \
	X(archive_entry_set_pathname)        \
	X(archive_entry_size)                \
	X(archive_entry_xattr_add_entry)     \
	X(archive_entry_xattr_clear)         \
	X(archive_entry_xattr_next)          \
	X(archive_entry_xattr_reset)         \
	X(archive_error_string)              \
	X(archive_filter_count)              \
	X(archive_read_data)                 \
	X(archive_read_data_block)           \
	X(archive_read_free)                 \
	X(archive_read_new)                  \
	X(archive_read_next_header)          \
	X(archive_read_open)                 \
	X(archive_read_open_filename)        \
	X(archive_read_support_filter_bzip2) \
	X(archive_read_support_filter_gzip)  \
	X(archive_read_support_filter_xz)    \
	X(archive_read_support_filter_zstd)  \
	X(archive_read_support_format_empty) \
	X(archive_read_support_format_raw)   \
	X(archive_read_support_format_tar)   \
	X(archive_write_close)               \
	X(archive_write_data_block)          \
	X(archive_write_disk_new)            \
	X(archive_write_disk_set_options)    \
	X(archive_write_finish_entry)        \
	X(archive_write_free)                \
	X(archive_write_header)

/* nettle's SHA-256 checks each layer's digest as it is read; opened with
 * libarchive for the same reason (libnettle costs every process ~80 us). */
#define NETTLE_FUNCS(X)         \
	X(nettle_sha256_init)   \
	X(nettle_sha256_update) \
	X(nettle_sha256_digest)

/* The sonames of libarchive 3.x and nettle 3.x, whose headers this file is
 * built with. */
#define LA_SONAME "libarchive.so.13"
#define NETTLE_SONAME "libnettle.so.8"
_Static_assert(NETTLE_VERSION_MAJOR == 3, "nettle 3 (soname libnettle.so.8)");
_Static_assert(ARCHIVE_VERSION_NUMBER >= 3000000 && ARCHIVE_VERSION_NUMBER < 4000000,
	       "libarchive 3 (soname libarchive.so.13)");

struct la {
	void *dl, *dl_nettle;
#define LA_FIELD(f) __typeof__(&f) f;
	LA_FUNCS(LA_FIELD)
	NETTLE_FUNCS(LA_FIELD)
#undef LA_FIELD
};

static void la_close(struct la *L)
{
	dlclose(L->dl_nettle);
	dlclose(L->dl);
}

static int la_open(struct la *L, secprof_error *err)
{
	const char *missing = NULL, *lib = LA_SONAME;

	L->dl = dlopen(LA_SONAME, RTLD_NOW | RTLD_LOCAL);
	L->dl_nettle = L->dl ? dlopen(NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL) : NULL;
	if (!L->dl || !L->dl_nettle) {
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "cannot load %s, which reading an image archive needs: %s",
		       L->dl ? NETTLE_SONAME : LA_SONAME, dlerror());
		if (L->dl)
			dlclose(L->dl);
		return -SECPROF_E_SYSTEM;
	}
#define LA_SYM(f)                                              \
	if (!missing && !(*(void **)&L->f = dlsym(L->dl, #f))) \
		missing = #f;
#define NETTLE_SYM(f)                                                 \
	if (!missing && !(*(void **)&L->f = dlsym(L->dl_nettle, #f))) \
		missing = #f, lib = NETTLE_SONAME;
	LA_FUNCS(LA_SYM)
	NETTLE_FUNCS(NETTLE_SYM)
#undef LA_SYM
#undef NETTLE_SYM
	if (missing) {
		la_close(L);
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "%s has no %s", lib,
			      missing);
	}
	return 0;
}

/* The compressions docker load reads, an image archive's and a layer's
 * (moby pkg/archive DecompressStream: gzip, bzip2, xz, zstd), and no
 * other: libarchive's filter_all also takes lz4, lzip, lzma, lzop,
 * lrzip, grzip, compress, uuencode and rpm, and for lrzip, lzop and grzip
 * runs the program of that name found in $PATH, as root, on the image's
 * bytes. A layer in any other compression is then no tar, and refused
 * (Docker reads it as a tar, and fails too). */
static void decompressors(const struct la *L, struct archive *a)
{
	L->archive_read_support_filter_gzip(a);
	L->archive_read_support_filter_bzip2(a);
	L->archive_read_support_filter_xz(a);
	L->archive_read_support_filter_zstd(a);
}

/* How many times a reader opened on a stream decompresses it: libarchive
 * keeps bidding until no filter takes the output (gzip inside gzip inside
 * gzip...), where docker load decompresses once (DecompressStream) and
 * reads what comes out as a tar. Each level multiplies what a few bytes
 * may unpack to (three levels of gzip turn kilobytes into a file of
 * 100 GB of zeros, where one takes 100 MB), so more than one is refused.
 * The chain ends with the reader of the stream itself (archive.h
 * archive_filter_count). */
static int levels(const struct la *L, struct archive *a)
{
	return L->archive_filter_count(a) - 1;
}

static int compressed_twice(secprof_error *err, const char *kind, const char *what)
{
	return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		      "%s %s is compressed more than once: docker load decompresses once (refused)",
		      kind, what);
}

static struct archive *reader(const struct la *L)
{
	struct archive *a = L->archive_read_new();

	if (a) {
		decompressors(L, a);
		L->archive_read_support_format_tar(a);
		L->archive_read_support_format_empty(a);
	}
	return a;
}

static int arch_err(const struct la *L, secprof_error *err, struct archive *a, const char *what,
		    const char *path)
{
	return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL, "%s %s: %s", what, path,
		      L->archive_error_string(a) ? L->archive_error_string(a) : "unknown error");
}

/* A member's name as docker save and OCI layouts write it, "./" dropped. */
static const char *member_name(const struct la *L, struct archive_entry *e)
{
	const char *n = L->archive_entry_pathname(e);

	while (n && n[0] == '.' && n[1] == '/')
		n += 2;
	return n ? n : "";
}

void sp_members_free(struct sp_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].data);
	}
	free(m);
}

/* Whether a member's bytes can be JSON: its first byte past white space
 * opens an object or an array (a tar, gzip or zstd layer cannot). */
static bool json_like(const char *d, size_t n)
{
	size_t i = 0;

	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	return i < n && (d[i] == '{' || d[i] == '[');
}

/* The archive's members that may be its metadata (manifest.json, index.json,
 * configs and manifests: JSON of at most max bytes each), in memory. Only
 * those are kept, and at most SP_META_TOTAL bytes of them: a few kilobytes
 * of gzip can hold thousands of 4 MiB members, every one of which was kept
 * (a gigabyte of memory per megabyte of archive), where docker load writes
 * them to disk. */
#define SP_META_TOTAL (64u << 20)

static int small_members(const struct la *L, const char *path, size_t max, struct sp_member **out,
			 size_t *nout, secprof_error *err)
{
	struct archive *a = reader(L);
	struct archive_entry *e;
	struct sp_member *m = NULL;
	size_t n = 0, total = 0;
	char *data = NULL;
	int r, rc = 0;

	*out = NULL;
	*nout = 0;
	if (!a)
		return sp_err_oom(err);
	if (L->archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK || levels(L, a) > 1) {
		rc = levels(L, a) > 1 ? compressed_twice(err, "image", path)
				      : arch_err(L, err, a, "cannot read", path);
		L->archive_read_free(a);
		return rc;
	}
	while (!rc && (r = L->archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		la_int64_t size = L->archive_entry_size(e);
		size_t name_len = strlen(member_name(L, e));
		struct sp_member *nm;

		/* No file of the image has a longer name than a path may have
		 * (docker load fails one with ENAMETOOLONG as it unpacks the
		 * archive); a pax header may give a member a name of
		 * hundreds of kilobytes, and each kept one was copied. */
		if (name_len >= PATH_MAX) {
			rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				    "image %s: a member's name is %zu bytes long: %s", path,
				    name_len, strerror(ENAMETOOLONG));
			break;
		}
		if (L->archive_entry_filetype(e) != AE_IFREG || size < 0 || (size_t)size > max)
			continue;
		if (!(data = malloc((size_t)size + 1))) {
			rc = sp_err_oom(err);
			break;
		}
		if (L->archive_read_data(a, data, (size_t)size) != (la_ssize_t)size) {
			rc = arch_err(L, err, a, "cannot read", path);
			break;
		}
		data[size] = '\0';
		if (!json_like(data, (size_t)size)) {
			free(data);
			data = NULL;
			continue;
		}
		/* Its bytes, its name and what keeping it costs (the entry,
		 * two allocations): a million members of "{}" are no less. */
		if ((total += (size_t)size + name_len + sizeof(*m) + 32) > SP_META_TOTAL) {
			rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				    "image %s: more than %u MiB of JSON files (refused)", path,
				    SP_META_TOTAL >> 20);
			break;
		}
		if (!(nm = realloc(m, (n + 1) * sizeof(*m)))) {
			rc = sp_err_oom(err);
			break;
		}
		m = nm;
		m[n].data = data;
		m[n].len = (size_t)size;
		data = NULL;
		if (!(m[n++].name = strdup(member_name(L, e))))
			rc = sp_err_oom(err);
	}
	free(data);
	if (!rc && r != ARCHIVE_EOF)
		rc = arch_err(L, err, a, "cannot read", path);
	L->archive_read_free(a);
	if (rc) {
		sp_members_free(m, n);
		return rc;
	}
	*out = m;
	*nout = n;
	return 0;
}

/* ---- unpacking a layer -------------------------------------------------------- */

/* The entry's path relative to the layer: leading "/" and "./" dropped,
 * "." components skipped, ".." refused (fail closed: the layer is bad):
 * -1; -2 for a path of len bytes or more. */
static int clean_path(const char *in, char *out, size_t len)
{
	size_t n = 0;
	const char *p = in;

	while (*p) {
		size_t k;
		while (*p == '/')
			p++;
		k = strcspn(p, "/");
		if (!k)
			break;
		if (k == 1 && p[0] == '.') {
			p += k;
			continue;
		}
		if (k == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (n + k + 2 >= len)
			return -2;
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, k);
		n += k;
		p += k;
	}
	out[n] = '\0';
	return 0;
}

/* A directory the layer names only as a parent, made as Docker makes it:
 * mode 0755 exactly (moby pkg/archive UnpackLayer: MkdirAll(parent, 0755)
 * under applyLayer's umask 0). Left to libarchive, it would be 0777 less
 * the caller's umask, capped at 0775 (archive_write_disk_posix.c
 * create_dir): group-writable under umask 002, and overlayfs takes a
 * directory's mode from the top layer that has it, so a group-0 user of
 * the container could write the image's /usr, in every later run that
 * the layer cache serves. */
static int make_implied_dir(int dirfd, const char *name)
{
	int fd;

	if (mkdirat(dirfd, name, 0700) < 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fchmod(fd, 0755) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The directory rel (below the layer's fd) opened without following any
 * symlink, its missing components made (a whiteout's or an entry's
 * parent may come without an entry of its own). replace_links: a symlink
 * on the way is replaced by a directory, as libarchive does for an
 * entry's parents under ARCHIVE_EXTRACT_UNLINK; else it fails. */
static int open_dir_beneath(int layer, const char *rel, bool replace_links)
{
	char buf[4096], *s = buf, *tok;
	int fd = dup(layer);

	snprintf(buf, sizeof(buf), "%s", rel);
	while (fd >= 0 && (tok = strsep(&s, "/"))) {
		struct stat st;
		int nfd;
		if (!*tok)
			continue;
		nfd = openat(fd, tok, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && replace_links && fstatat(fd, tok, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode) && unlinkat(fd, tok, 0) == 0)
			errno = ENOENT;
		if (nfd < 0 && errno == ENOENT)
			nfd = make_implied_dir(fd, tok);
		close(fd);
		fd = nfd;
	}
	return fd;
}

/* Make the missing parents of rel before libarchive writes it. last
 * holds the parent made last, for a layer's entries come directory by
 * directory: most entries cost a string compare. An entry that is that
 * parent or one above it (and may replace it: a symlink) forgets it. A
 * parent that cannot be made is left to libarchive, which says why. */
static void make_parents(int layer, const char *rel, char *last, size_t lastsz)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0, k = strlen(rel);
	int fd;

	if (!strncmp(last, rel, k) && (last[k] == '/' || last[k] == '\0'))
		last[0] = '\0';
	if (!n || n >= lastsz || (!strncmp(last, rel, n) && last[n] == '\0'))
		return;
	snprintf(last, lastsz, "%.*s", (int)n, rel);
	fd = open_dir_beneath(layer, last, true);
	if (fd >= 0)
		close(fd);
	else
		last[0] = '\0';
}

static int whiteout(int layer, const char *rel, secprof_error *err)
{
	char dir[4096];
	const char *base = strrchr(rel, '/');
	int dfd, rc = 0;

	snprintf(dir, sizeof(dir), "%.*s", base ? (int)(base - rel) : 0, rel);
	base = base ? base + 1 : rel;
	dfd = open_dir_beneath(layer, dir, false);
	if (dfd < 0)
		return sp_err_errno(err, NULL, "layer: cannot open directory '%s' for whiteout %s",
				    dir, base);
	if (!strcmp(base, ".wh..wh..opq")) {
		if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			rc = sp_err_errno(err, NULL, "layer: cannot mark '%s' opaque", dir);
	} else if (!strncmp(base, ".wh..wh.", 8)) {
		/* AUFS's own metadata (.wh..wh.plnk, ...): nothing to apply. */
	} else if (mknodat(dfd, base + 4, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST) {
		rc = sp_err_errno(err, NULL, "layer: cannot write whiteout %s/%s", dir, base + 4);
	}
	close(dfd);
	return rc;
}

static bool overlay_xattr(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

/* Drop xattrs a layer may not set: the overlay's own (they would steer
 * this overlay: opaque, redirect, origin). The others are kept, however
 * many (Docker sets them all, moby pkg/archive createTarFile). -1: out of
 * memory. */
static int filter_xattrs(const struct la *L, struct archive_entry *e)
{
	struct kept {
		char *name;
		void *val;
		size_t len;
	} *keep = NULL, *k;
	const char *name;
	const void *val;
	size_t len, n = 0;
	bool dropped = false;
	int rc = 0;

	if (L->archive_entry_xattr_reset(e) == 0)
		return 0;
	while (L->archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK)
		dropped |= overlay_xattr(name);
	if (!dropped)
		return 0;
	L->archive_entry_xattr_reset(e);
	while (L->archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		if (overlay_xattr(name))
			continue;
		if (!(k = realloc(keep, (n + 1) * sizeof(*keep)))) {
			rc = -1;
			break;
		}
		keep = k;
		keep[n].name = strdup(name);
		keep[n].val = malloc(len ? len : 1);
		keep[n].len = len;
		if (!keep[n].name || !keep[n].val) {
			free(keep[n].name);
			free(keep[n].val);
			rc = -1;
			break;
		}
		memcpy(keep[n++].val, val, len);
	}
	if (!rc) {
		L->archive_entry_xattr_clear(e);
		for (size_t i = 0; i < n; i++)
			L->archive_entry_xattr_add_entry(e, keep[i].name, keep[i].val, keep[i].len);
	}
	for (size_t i = 0; i < n; i++) {
		free(keep[i].name);
		free(keep[i].val);
	}
	free(keep);
	return rc;
}

/* The layer's bytes: a member of an outer archive, or a file; hashed as
 * they are read (sha). With dec, they are decompressed by it first and
 * the tar reader reads its output, hashed too (plain_sha): the diff_id an
 * OCI config names is the digest of the uncompressed tar. */
struct nested {
	const struct la *L;
	struct archive *outer; /* NULL: read fd */
	int fd;
	struct sha256_ctx sha;
	struct archive *dec; /* NULL: the tar reader decompresses itself */
	struct sha256_ctx plain_sha;
	char buf[1 << 16];
	char plain[1 << 16];
};

static la_ssize_t nested_read(struct archive *a, void *arg, const void **out)
{
	struct nested *n = arg;
	la_ssize_t r = n->outer ? n->L->archive_read_data(n->outer, n->buf, sizeof(n->buf))
				: read(n->fd, n->buf, sizeof(n->buf));

	(void)a;
	if (r > 0)
		n->L->nettle_sha256_update(&n->sha, (size_t)r, (const uint8_t *)n->buf);
	*out = n->buf;
	return r;
}

static la_ssize_t plain_read(struct archive *a, void *arg, const void **out)
{
	struct nested *n = arg;
	la_ssize_t r = n->L->archive_read_data(n->dec, n->plain, sizeof(n->plain));

	(void)a;
	if (r > 0)
		n->L->nettle_sha256_update(&n->plain_sha, (size_t)r, (const uint8_t *)n->plain);
	*out = n->plain;
	return r;
}

static void hex_digest(const struct la *L, struct sha256_ctx *sha, char hex[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	L->nettle_sha256_digest(sha, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* After the tar's end: the rest of the blob (padding) hashed too, then
 * the digests compared: the blob's, and with dec the uncompressed tar's
 * (plain_hex: the config's diff_id, which Docker checks the same way). */
static int check_digest(struct nested *n, const char *what, const char *expect_hex,
			const char *plain_hex, secprof_error *err)
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	const void *p;
	la_ssize_t r = 0;

	while (n->dec && (r = plain_read(NULL, n, &p)) > 0)
		;
	while (r >= 0 && (r = nested_read(NULL, n, &p)) > 0)
		;
	if (r < 0)
		return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			      "cannot read layer %s to its end", what);
	hex_digest(n->L, &n->sha, hex);
	if (expect_hex && strcmp(hex, expect_hex))
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"layer %s: its digest is sha256:%s, the image says sha256:%s (refused)",
			what, hex, expect_hex);
	if (!n->dec)
		return 0;
	hex_digest(n->L, &n->plain_sha, hex);
	if (strcmp(hex, plain_hex))
		return sp_err(
			err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
			"layer %s: its uncompressed digest is sha256:%s, the image's config says sha256:%s (refused)",
			what, hex, plain_hex);
	return 0;
}

/* Open the tar reader `in` on the layer's bytes, through a decompressing
 * raw reader when the uncompressed digest is to be checked too. */
static int open_layer(const struct la *L, struct archive *in, struct nested *nest,
		      const char *plain_hex, const char *what, secprof_error *err)
{
	struct archive_entry *e;

	if (!plain_hex) {
		if (L->archive_read_open(in, nest, NULL, nested_read, NULL) != ARCHIVE_OK)
			return arch_err(L, err, in, "cannot read layer", what);
		return levels(L, in) > 1 ? compressed_twice(err, "layer", what) : 0;
	}
	nest->dec = L->archive_read_new();
	if (!nest->dec)
		return sp_err_oom(err);
	L->nettle_sha256_init(&nest->plain_sha);
	decompressors(L, nest->dec);
	L->archive_read_support_format_raw(nest->dec);
	if (L->archive_read_open(nest->dec, nest, NULL, nested_read, NULL) != ARCHIVE_OK ||
	    L->archive_read_next_header(nest->dec, &e) != ARCHIVE_OK)
		return arch_err(L, err, nest->dec, "cannot read layer", what);
	if (L->archive_read_open(in, nest, NULL, plain_read, NULL) != ARCHIVE_OK)
		return arch_err(L, err, in, "cannot read layer", what);
	return levels(L, nest->dec) + levels(L, in) > 1 ? compressed_twice(err, "layer", what) : 0;
}

static int unpack_entries(const struct la *L, struct archive *in, const char *dest,
			  secprof_error *err)
{
	struct archive *out = L->archive_write_disk_new();
	struct archive_entry *e;
	char rel[4096], full[8192], made[4096] = "";
	int layer, r, rc = 0;

	if (!out)
		return sp_err_oom(err);
	L->archive_write_disk_set_options(
		out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
			     ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
			     ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK);
	layer = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (layer < 0) {
		L->archive_write_free(out);
		return sp_err_errno(err, NULL, "cannot open %s", dest);
	}
	while (!rc && (r = L->archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *base, *hl = L->archive_entry_hardlink(e);

		if ((r = clean_path(L->archive_entry_pathname(e), rel, sizeof(rel))) < 0) {
			rc = r == -2 ? sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
					      "layer: entry '%.64s...' is a path of %zu bytes or more: %s",
					      L->archive_entry_pathname(e), sizeof(rel),
					      strerror(ENAMETOOLONG))
				     : sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
					      "layer: entry '%s' leaves the layer (refused)",
					      L->archive_entry_pathname(e));
			break;
		}
		if (!rel[0])
			continue; /* "./": the layer's root, secprof's own directory */
		base = strrchr(rel, '/');
		base = base ? base + 1 : rel;
		if (!strncmp(base, ".wh.", 4)) {
			rc = whiteout(layer, rel, err);
			continue;
		}
		make_parents(layer, rel, made, sizeof(made));
		snprintf(full, sizeof(full), "%s/%s", dest, rel);
		L->archive_entry_set_pathname(e, full);
		if (hl) {
			char hrel[4096];
			/* A pax hard link may carry data; libarchive then takes
			 * it for a regular file, links it, and sets its mode with
			 * chmod() on the new name (archive_write_disk_posix.c
			 * set_mode): when the link is to a symlink of the layer,
			 * that chmod follows the symlink to any host file. Go's
			 * archive/tar, which Docker unpacks layers with, reads
			 * no data for a link (reader.go handleRegularFile:
			 * isHeaderOnlyType), so such a layer is refused. */
			if (L->archive_entry_size(e) > 0) {
				rc = sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
					    "layer: hard link '%s' carries data (refused)", rel);
				break;
			}
			if ((r = clean_path(hl, hrel, sizeof(hrel))) < 0 || !hrel[0]) {
				rc = r == -2 ? sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
						      "layer: hard link '%s' to '%.64s...': %s",
						      rel, hl, strerror(ENAMETOOLONG))
					     : sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
						      "layer: hard link '%s' leaves the layer (refused)",
						      hl);
				break;
			}
			snprintf(full, sizeof(full), "%s/%s", dest, hrel);
			L->archive_entry_set_hardlink(e, full);
		}
		if (filter_xattrs(L, e) < 0) {
			rc = sp_err_oom(err);
			break;
		}
		r = L->archive_write_header(out, e);
		if (r == ARCHIVE_OK && L->archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;
			int d;
			while ((d = L->archive_read_data_block(in, &buf, &size, &off)) ==
			       ARCHIVE_OK)
				if (L->archive_write_data_block(out, buf, size, off) < ARCHIVE_OK) {
					d = ARCHIVE_FATAL;
					break;
				}
			if (d != ARCHIVE_EOF)
				r = ARCHIVE_FATAL;
		}
		if (r >= ARCHIVE_WARN)
			r = L->archive_write_finish_entry(out);
		if (r < ARCHIVE_WARN)
			rc = arch_err(L, err, L->archive_error_string(out) ? out : in,
				      "layer: cannot unpack", rel);
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = arch_err(L, err, in, "layer: cannot read", dest);
	if (!rc && L->archive_write_close(out) != ARCHIVE_OK)
		rc = arch_err(L, err, out, "layer: cannot finish", dest);
	L->archive_write_free(out);
	close(layer);
	return rc;
}

static int layer_unpack(const struct la *L, const char *path, int fd, const char *member,
			const char *dest, const char *expect_hex, const char *plain_hex,
			secprof_error *err)
{
	struct archive *outer = NULL, *in = reader(L);
	struct nested *nest = malloc(sizeof(*nest));
	struct archive_entry *e;
	int rc = 0, r;

	if (!in || !nest) {
		rc = sp_err_oom(err);
		goto out;
	}
	nest->L = L;
	nest->outer = NULL;
	nest->fd = -1;
	nest->dec = NULL;
	L->nettle_sha256_init(&nest->sha);
	if (fd >= 0) {
		nest->fd = fd; /* the caller's */
		rc = open_layer(L, in, nest, plain_hex, path, err);
		if (!rc)
			rc = unpack_entries(L, in, dest, err);
		if (!rc)
			rc = check_digest(nest, path, expect_hex, plain_hex, err);
		goto out;
	}
	/* A member of an image archive, read straight from it: nothing is
	 * copied out first. */
	outer = reader(L);
	if (!outer) {
		rc = sp_err_oom(err);
		goto out;
	}
	if (L->archive_read_open_filename(outer, path, 1 << 16) != ARCHIVE_OK) {
		rc = arch_err(L, err, outer, "cannot read", path);
		goto out;
	}
	while ((r = L->archive_read_next_header(outer, &e)) == ARCHIVE_OK)
		if (L->archive_entry_filetype(e) == AE_IFREG && !strcmp(member_name(L, e), member))
			break;
	if (r != ARCHIVE_OK) {
		rc = r == ARCHIVE_EOF ? sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
					       "%s has no member %s", path, member)
				      : arch_err(L, err, outer, "cannot read", path);
		goto out;
	}
	nest->outer = outer;
	if ((rc = open_layer(L, in, nest, plain_hex, member, err)) < 0)
		goto out;
	rc = unpack_entries(L, in, dest, err);
	if (!rc)
		rc = check_digest(nest, member, expect_hex, plain_hex, err);
out:
	if (in)
		L->archive_read_free(in);
	if (nest && nest->dec)
		L->archive_read_free(nest->dec);
	if (outer)
		L->archive_read_free(outer);
	free(nest);
	return rc;
}

int sp_archive_small_members(const char *path, size_t max, struct sp_member **out, size_t *nout,
			     secprof_error *err)
{
	struct la L = { 0 };
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = la_open(&L, err)) < 0)
		return rc;
	rc = small_members(&L, path, max, out, nout, err);
	la_close(&L);
	return rc;
}

int sp_layer_unpack(const char *path, int fd, const char *member, const char *dest,
		    const char *expect_hex, const char *plain_hex, secprof_error *err)
{
	struct la L = { 0 };
	int rc;

	if ((rc = la_open(&L, err)) < 0)
		return rc;
	rc = layer_unpack(&L, path, fd, member, dest, expect_hex, plain_hex, err);
	la_close(&L);
	return rc;
}
