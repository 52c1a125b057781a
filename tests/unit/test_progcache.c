/* test_progcache.c - the filter cache (sandbox/progcache.c, sp_run_filter):
 * SHA-256 against FIPS 180-4's examples and python3's hashlib, a hit gives
 * the very program and warnings a compile gives, every option that changes
 * the program changes the key, and no damaged, foreign or planted entry is
 * ever loaded. The kernel's side (a refused entry still confines the
 * command) is in tests/suites/filter-cache.sh. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "secprof.h"
#include "api.h"
#include "core/util.h"
#include "sandbox/run.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* portable: the rounds in C even where the CPU has the SHA extensions
 * (sp_sha256_init chose them), so both ways are checked on such a CPU */
static void sha_hex(const void *data, size_t len, size_t step, bool portable, char *out)
{
	struct sp_sha256 s;
	uint8_t d[32];

	sp_sha256_init(&s);
	if (portable)
		s.ni = false;
	for (size_t i = 0; i < len; i += step)
		sp_sha256_update(&s, (const uint8_t *)data + i, len - i < step ? len - i : step);
	sp_sha256_final(&s, d);
	hex(d, out);
}

static void test_sha256(void)
{
	char got[65], want[80], cmd[256], path[] = "/tmp/secprof-sha-XXXXXX";
	static const char *const fips[][2] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t buf[4099];
	int fd;

	for (size_t i = 0; i < 3; i++)
		for (int portable = 0; portable < 2; portable++) {
			sha_hex(fips[i][0], strlen(fips[i][0]), 1000, portable, got);
			tap_ok(!strcmp(got, fips[i][1]), "sha256 FIPS 180-4 example %zu%s", i,
			       portable ? " (portable rounds)" : "");
		}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 7));
	fd = mkstemp(path);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		tap_ok(0, "scratch file");
		return;
	}
	close(fd);
	/* every padding case (length mod 64 around 55/56/64) and split */
	static const size_t lens[] = { 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4099 };
	static const size_t steps[] = { 1, 7, 64, 4099 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		FILE *p;
		bool same = true;
		snprintf(
			cmd, sizeof(cmd),
			"python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],\"rb\").read(%zu)).hexdigest())' %s",
			lens[i], path);
		p = popen(cmd, "r");
		if (!p || !fgets(want, sizeof(want), p)) {
			tap_ok(0, "python3 hashlib for %zu bytes", lens[i]);
			if (p)
				pclose(p);
			continue;
		}
		pclose(p);
		want[strcspn(want, "\n")] = '\0';
		for (size_t k = 0; k < 8; k++) {
			sha_hex(buf, lens[i], steps[k / 2], k % 2, got);
			same &= !strcmp(got, want);
		}
		tap_ok(same,
		       "sha256 of %zu bytes, fed whole and in pieces, both ways, equals hashlib's",
		       lens[i]);
	}
	unlink(path);
	/* where /proc/cpuinfo lists sha_ni, the extensions are used */
	{
		FILE *c = fopen("/proc/cpuinfo", "r");
		char line[4096];
		bool listed = false;
		struct sp_sha256 s;
		while (c && fgets(line, sizeof(line), c))
			listed |= !strncmp(line, "flags", 5) && strstr(line, " sha_ni");
		if (c)
			fclose(c);
		sp_sha256_init(&s);
		tap_ok(s.ni == listed, "the SHA extensions used where the CPU has them (%s)",
		       listed ? "sha_ni listed" : "sha_ni not listed");
	}
}

/* ---- sp_run_filter with a cache ------------------------------------------ */

struct warns {
	size_t n;
	char first[1400];
};

static void count_warn(void *data, const secprof_error *w)
{
	struct warns *ws = data;

	if (!ws->n++)
		secprof_error_format(w, ws->first, sizeof(ws->first));
}

static size_t entries(const char *dir)
{
	char cmd[512];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -vc '^\\.' || true", dir);
	if ((p = popen(cmd, "r"))) {
		if (fscanf(p, "%zu", &n) != 1)
			n = 0;
		pclose(p);
	}
	return n;
}

static secprof_prog *filter(secprof_ctx *ctx, const char *opt, secprof_caps caps,
			    const secprof_compile_opts *co, const char *dir, struct warns *w)
{
	secprof_error err = { 0 };
	secprof_prog *prog = NULL;

	memset(w, 0, sizeof(*w));
	secprof_ctx_set_warn(ctx, count_warn, w);
	if (sp_run_filter(ctx, opt, false, caps, co, dir, &prog, NULL, NULL, &err) < 0)
		tap_diag("sp_run_filter: %s", err.msg);
	return prog;
}

static bool same_prog(const secprof_prog *a, const secprof_prog *b)
{
	return a && b && a->len == b->len && a->flags == b->flags &&
	       a->needs_listener == b->needs_listener &&
	       !memcmp(a->insns, b->insns, a->len * sizeof(*a->insns));
}

/* The one entry's path (dir holds exactly one). */
static bool entry_path(const char *dir, char *out, size_t len)
{
	char cmd[512];
	FILE *p;
	bool ok;

	snprintf(cmd, sizeof(cmd), "ls %s/", dir);
	if (!(p = popen(cmd, "r")))
		return false;
	ok = fgets(out + snprintf(out, len, "%s/", dir), (int)(len - strlen(dir) - 1), p);
	pclose(p);
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	return ok;
}

static void test_cache(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_caps caps = secprof_caps_docker_default();
	secprof_compile_opts co = { 0 };
	char dir[] = "/tmp/secprof-cache-XXXXXX", sub[512], prof[600], path[700];
	struct warns w1, w2, w0;
	secprof_prog *fresh, *miss, *hit, *p;
	struct stat st;
	FILE *f;

	if (!mkdtemp(dir)) {
		tap_ok(0, "scratch directory");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/c/filters", dir);
	fresh = filter(ctx, "builtin", caps, &co, NULL, &w0);
	miss = filter(ctx, "builtin", caps, &co, sub, &w1);
	tap_ok(stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	       "a missing cache directory is created 0700");
	tap_ok(entries(sub) == 1, "a miss stores one entry");
	hit = filter(ctx, "builtin", caps, &co, sub, &w2);
	tap_ok(same_prog(fresh, miss) && same_prog(fresh, hit),
	       "miss and hit give the program a compile gives");
	tap_ok(w1.n == w0.n && w2.n == w0.n, "builtin: as many warnings on a hit (%zu)", w2.n);
	secprof_prog_free(miss);
	secprof_prog_free(hit);

	/* every input of the program is in the key */
	p = filter(ctx, "builtin", caps | (1ull << 21 /* CAP_SYS_ADMIN */), &co, sub, &w1);
	tap_ok(p && !same_prog(p, fresh) && entries(sub) == 2,
	       "other capabilities: a miss, a program of its own");
	secprof_prog_free(p);
	co.exact_libseccomp = true;
	p = filter(ctx, "builtin", caps, &co, sub, &w1);
	tap_ok(p && !same_prog(p, fresh) && entries(sub) == 3, "exact_libseccomp: a miss");
	secprof_prog_free(p);
	co = (secprof_compile_opts){ .newer_syscalls = true };
	p = filter(ctx, "builtin", caps, &co, sub, &w1);
	tap_ok(p && entries(sub) == 4, "newer_syscalls: a miss");
	secprof_prog_free(p);
	co = (secprof_compile_opts){ .no_enosys = true };
	p = filter(ctx, "builtin", caps, &co, sub, &w1);
	tap_ok(p && entries(sub) == 5, "no_enosys: a miss");
	secprof_prog_free(p);
	co = (secprof_compile_opts){ 0 };

	/* a profile file: its bytes are the key, not its name or time */
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(path, sizeof(path), "%s/one", dir);
	mkdir(path, 0700);
	if ((f = fopen(prof, "w"))) {
		fputs("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"bogus\":1,\"syscalls\":[{\"names\":"
		      "[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		      f);
		fclose(f);
	}
	fresh = (secprof_prog_free(fresh), filter(ctx, prof, caps, &co, NULL, &w0));
	miss = filter(ctx, prof, caps, &co, path, &w1);
	hit = filter(ctx, prof, caps, &co, path, &w2);
	tap_ok(same_prog(fresh, miss) && same_prog(fresh, hit) && entries(path) == 1,
	       "a profile file: stored once, then hit");
	tap_ok(w0.n == 1 && w1.n == 1 && w2.n == 1 && !strcmp(w2.first, w0.first) &&
		       strstr(w2.first,
			      "p.json:1:35: bogus: unknown key \"bogus\" (Docker ignores it)"),
	       "a hit gives the compile's warnings again (%zu %zu %zu): %s", w0.n, w1.n, w2.n,
	       w2.first);
	secprof_prog_free(hit);
	/* strict: warnings are errors, so the compile runs (and fails) */
	secprof_ctx_set_strict(ctx, true);
	{
		secprof_error err = { 0 };
		secprof_prog *sp = NULL;
		int rc = sp_run_filter(ctx, prof, false, caps, &co, path, &sp, NULL, NULL, &err);
		tap_ok(rc < 0 && !sp && strstr(err.msg, "bogus"),
		       "--strict: a cached profile still fails on its warning: %s", err.msg);
		secprof_prog_free(sp);
	}
	secprof_ctx_set_strict(ctx, false);
	if ((f = fopen(prof, "w"))) {
		fputs("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"rmdir\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		      f);
		fclose(f);
	}
	hit = filter(ctx, prof, caps, &co, path, &w2);
	tap_ok(hit && !same_prog(hit, miss) && entries(path) == 2,
	       "the same file changed: a miss, compiled again");
	secprof_prog_free(hit);
	secprof_prog_free(miss);
	secprof_prog_free(fresh);

	{
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	secprof_ctx_free(ctx);
}

/* Damaged entries: each kind is refused (a miss), the compile's program
 * is given, and the entry is written again whole. */
static void test_damage(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_caps caps = secprof_caps_docker_default();
	secprof_compile_opts co = { 0 };
	char dir[] = "/tmp/secprof-cache-XXXXXX", entry[600], cmd[1400];
	struct warns w;
	secprof_prog *fresh, *p;
	struct stat st;
	off_t size;
	static const struct {
		const char *what;
		const char *sh; /* run with $E the entry */
	} damage[] = {
		{ "truncated", "truncate -s -9 $E" },
		{ "empty", "truncate -s 0 $E" },
		{ "a flipped bit in the program",
		  "python3 -c 'import sys; b=bytearray(open(sys.argv[1],\"rb\").read()); b[-100]^=1; open(sys.argv[1],\"wb\").write(b)' $E" },
		/* the first instruction made RET ALLOW: a program the kernel
		 * would load and that allows everything */
		{ "the program made RET ALLOW, digest not updated",
		  "python3 -c 'import sys,struct; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); h=struct.unpack_from(\"<8s32s6I\",b); o=64+h[6]; struct.pack_into(\"<HBBI\",b,o,6,0,0,0x7fff0000); open(p,\"wb\").write(b)' $E" },
		{ "the program made RET ALLOW, digest recomputed, key of another profile",
		  "python3 -c 'import sys,struct,hashlib; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); h=struct.unpack_from(\"<8s32s6I\",b); o=64+h[6]; struct.pack_into(\"<HBBI\",b,o,6,0,0,0x7fff0000); b[8]^=1; b=b[:-32]; b+=hashlib.sha256(b).digest(); open(p,\"wb\").write(b)' $E" },
		{ "grown by a byte", "printf x >>$E" },
		{ "a symlink to a valid entry", "mv $E $E.real && ln -s $E.real $E" },
		{ "owned by another user", "chown 65534 $E" },
	};

	if (!mkdtemp(dir)) {
		tap_ok(0, "scratch directory");
		return;
	}
	fresh = filter(ctx, "builtin", caps, &co, NULL, &w);
	p = filter(ctx, "builtin", caps, &co, dir, &w);
	secprof_prog_free(p);
	if (!entry_path(dir, entry, sizeof(entry)) || stat(entry, &st) < 0) {
		tap_ok(0, "the entry");
		return;
	}
	size = st.st_size;
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		struct stat before, after;
		if (strstr(damage[i].sh, "chown") && geteuid() != 0) {
			tap_ok(1, "# SKIP %s: needs root", damage[i].what);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "E=%s; %s", entry, damage[i].sh);
		if (system(cmd) != 0 || lstat(entry, &before) < 0) {
			tap_ok(0, "damage: %s", damage[i].what);
			continue;
		}
		p = filter(ctx, "builtin", caps, &co, dir, &w);
		tap_ok(same_prog(p, fresh), "%s: refused, the compiled program is loaded",
		       damage[i].what);
		secprof_prog_free(p);
		tap_ok(lstat(entry, &after) == 0 && S_ISREG(after.st_mode) &&
			       after.st_ino != before.st_ino && after.st_size == size &&
			       after.st_uid == geteuid(),
		       "%s: the entry is written again whole", damage[i].what);
		snprintf(cmd, sizeof(cmd), "rm -f %s.real", entry);
		if (system(cmd) != 0)
			tap_diag("rm");
	}
	secprof_prog_free(fresh);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	secprof_ctx_free(ctx);
}

/* A directory someone else could write to is not read, nor written. */
static void test_dir_refused(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_caps caps = secprof_caps_docker_default();
	secprof_compile_opts co = { 0 };
	char dir[] = "/tmp/secprof-cache-XXXXXX", d[600], link[600], want[900];
	struct warns w;
	secprof_prog *p;

	if (!mkdtemp(dir)) {
		tap_ok(0, "scratch directory");
		return;
	}
	snprintf(d, sizeof(d), "%s/open", dir);
	mkdir(d, 0700);
	chmod(d, 0777);
	p = filter(ctx, "builtin", caps, &co, d, &w);
	snprintf(want, sizeof(want),
		 "%s: filter-cache: not used: it must be owned by uid %u and writable by it "
		 "alone (owner %u, mode 777)",
		 d, (unsigned)geteuid(), (unsigned)geteuid());
	tap_ok(p && entries(d) == 0, "a directory writable by others is not used");
	tap_ok(!strcmp(w.first, want), "and a note says why: %s", w.first);
	secprof_prog_free(p);
	chmod(d, 0720);
	p = filter(ctx, "builtin", caps, &co, d, &w);
	tap_ok(p && entries(d) == 0, "group-writable: not used");
	secprof_prog_free(p);
	if (geteuid() == 0) {
		chmod(d, 0700);
		if (chown(d, 65534, 65534) < 0)
			tap_diag("chown: %s", strerror(errno));
		p = filter(ctx, "builtin", caps, &co, d, &w);
		snprintf(want, sizeof(want),
			 "%s: filter-cache: not used: it must be owned by uid 0 and writable by it "
			 "alone (owner 65534, mode 700)",
			 d);
		tap_ok(p && entries(d) == 0 && !strcmp(w.first, want),
		       "a directory owned by another user is not used: %s", w.first);
		secprof_prog_free(p);
	} else {
		tap_ok(1, "# SKIP owned by another user: needs root");
	}
	snprintf(d, sizeof(d), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	mkdir(d, 0700);
	if (symlink(d, link) < 0)
		tap_diag("symlink: %s", strerror(errno));
	p = filter(ctx, "builtin", caps, &co, link, &w);
	tap_ok(p && entries(d) == 0 && strstr(w.first, "not used: cannot open it"),
	       "a symlink in place of the directory is not followed: %s", w.first);
	secprof_prog_free(p);
	{
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	secprof_ctx_free(ctx);
}

int main(void)
{
	test_sha256();
	test_cache();
	test_damage();
	test_dir_refused();
	return tap_done();
}
