/* test_mounts.c - docker run's -v, --mount and --tmpfs as secprof parses
 * them (src/sandbox/layers.c), against the meanings docker/cli and moby
 * give them; and the image reader's refusals (src/sandbox/image.c) on
 * layouts that name no image. No mount is made here: run-layers.sh and
 * docker-compare.sh mount them for real. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "secprof.h"
#include "sandbox/run.h"

static char scratch[] = "/tmp/secprof-test-mounts.XXXXXX";
static char voldir[256];

static void volume_ok(const char *spec, const char *source, const char *target, bool ro)
{
	struct sp_mount m;
	secprof_error err = { 0 };
	int rc = sp_mount_parse_volume(spec, voldir, scratch, &m, &err);

	if (!tap_ok(rc == 0, "-v %s parses", spec)) {
		tap_diag("%s", err.msg);
		return;
	}
	tap_ok(m.type == SP_MOUNT_BIND && !strcmp(m.target, target) && m.readonly == ro &&
		       (!source || !strcmp(m.source, source)),
	       "-v %s: bind %s -> %s%s", spec, m.source, m.target, m.readonly ? " ro" : "");
	sp_mount_free(&m);
}

static void volume_bad(const char *spec, const char *msg)
{
	struct sp_mount m;
	secprof_error err = { 0 };
	int rc = sp_mount_parse_volume(spec, voldir, scratch, &m, &err);

	tap_ok(rc < 0 && strstr(err.msg, msg), "-v %s refused (%s)", spec, err.msg);
}

static void mount_case(const char *spec, int want_rc, const char *want)
{
	struct sp_mount m;
	secprof_error err = { 0 };
	char got[1024];
	int rc = sp_mount_parse_mount(spec, voldir, scratch, &m, &err);

	if (rc == 0) {
		snprintf(got, sizeof(got), "%s %s %s%s%s%s",
			 m.type == SP_MOUNT_BIND ? "bind" : "tmpfs", m.target,
			 m.readonly ? "ro" : "rw", m.flags & MS_NOEXEC ? ",noexec" : "",
			 m.data ? "," : "", m.data ? m.data : "");
		sp_mount_free(&m);
	} else {
		snprintf(got, sizeof(got), "%s", err.msg);
	}
	tap_ok((rc == 0) == (want_rc == 0) && strstr(got, want), "--mount %s: %s", spec, got);
	if ((rc == 0) != (want_rc == 0) || !strstr(got, want))
		tap_diag("want: %s", want);
}

static void tmpfs_case(const char *spec, unsigned long flags, const char *data)
{
	struct sp_mount m;
	secprof_error err = { 0 };
	int rc = sp_mount_parse_tmpfs(spec, &m, &err);

	if (!tap_ok(rc == 0, "--tmpfs %s parses", spec)) {
		tap_diag("%s", err.msg);
		return;
	}
	tap_ok(m.flags == flags && !strcmp(m.data ? m.data : "", data),
	       "--tmpfs %s: flags %#lx data '%s'", spec, m.flags, m.data ? m.data : "");
	sp_mount_free(&m);
}

/* A library caller's LC_NUMERIC with a decimal comma (de_DE, made with
 * localedef from the locales package): tmpfs-size is still read as
 * docker reads it, where strtod read "0.5g" as 0, a tmpfs without limit. */
static void decimal_comma_case(void)
{
	char cmd[1024], loc[512];

	snprintf(loc, sizeof(loc), "%s/locale", scratch);
	snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1",
		 loc);
	mkdir(loc, 0755);
	if (system(cmd) != 0 || setenv("LOCPATH", loc, 1) < 0 ||
	    !setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
		tap_ok(1, "# SKIP no de_DE locale (localedef from the locales package)");
		return;
	}
	tap_ok(strtod("0,5", NULL) == 0.5, "the de_DE locale reads a decimal comma");
	mount_case("type=tmpfs,dst=/t,tmpfs-size=0.5g", 0, "size=536870912");
	mount_case("type=tmpfs,dst=/t,tmpfs-size=1.5g", 0, "size=1610612736");
	setlocale(LC_NUMERIC, "C");
	unsetenv("LOCPATH");
}

int main(void)
{
	char host[256], missing[512], path[2048], layout[512], idx[1024];
	struct sp_image img;
	secprof_error err = { 0 };
	FILE *f;

	if (!mkdtemp(scratch))
		return perror("mkdtemp"), 1;
	snprintf(voldir, sizeof(voldir), "%s/volumes", scratch);
	snprintf(host, sizeof(host), "%s/host", scratch);
	mkdir(host, 0755);

	/* moby linux_parser ParseMountRaw: one, two or three fields. */
	snprintf(path, sizeof(path), "%s:/data", host);
	volume_ok(path, host, "/data", false);
	snprintf(path, sizeof(path), "%s:/data/:ro", host);
	volume_ok(path, host, "/data", true);
	snprintf(path, sizeof(path), "%s://a/./b:rw", host);
	volume_ok(path, host, "/a/b", false);
	snprintf(missing, sizeof(missing), "%s/made/by/v", scratch);
	snprintf(path, sizeof(path), "%s:/m", missing);
	volume_ok(path, missing, "/m", false);
	tap_ok(access(missing, F_OK) == 0, "-v creates a missing host directory");
	snprintf(path, sizeof(path), "%s/myvol/_data", voldir);
	volume_ok("myvol:/v", path, "/v", false);
	volume_ok("/anon", NULL, "/anon", false);
	volume_bad("/anon2:ro", "invalid volume specification: '/anon2:ro'");
	volume_bad("", "invalid spec");
	volume_bad("a:b:c:d", "invalid spec");
	volume_bad("/h:relative", "must be absolute");
	volume_bad("/h:/", "destination can't be '/'");
	volume_bad("/h:/x/../etc", "'..' is not allowed");
	volume_bad("/h:/proc/sys", "does not mount over /proc");
	volume_bad("/h:/sys", "does not mount over /sys");
	volume_bad("/h:/x:ro,rw", "invalid mode");
	volume_bad("/h:/x:Z", "SELinux relabelling");
	volume_bad("/h:/x:rshared", "propagation 'rshared'");
	volume_bad("/h:/x:bogus", "invalid mode");
	volume_bad("bad/name:/x", "invalid volume name");

	/* docker/cli opts/mount.go */
	snprintf(path, sizeof(path), "type=bind,source=%s,target=/t,readonly", host);
	mount_case(path, 0, "bind /t ro");
	snprintf(path, sizeof(path), "type=bind,src=%s,dst=/t,ro=false", host);
	mount_case(path, 0, "bind /t rw");
	snprintf(path, sizeof(path), "type=bind,src=%s/nonexist,dst=/t", scratch);
	mount_case(path, -1, "bind source path does not exist");
	mount_case("type=bind,src=rel,dst=/t", -1, "must be absolute");
	mount_case("type=bind,dst=/t", -1, "field Source must not be empty");
	mount_case("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770", 0,
		   "tmpfs /t rw,noexec,size=67108864,mode=1770");
	mount_case("type=tmpfs,dst=/t,tmpfs-size=0.5g", 0, "size=536870912");
	decimal_comma_case();
	mount_case("type=tmpfs,src=x,dst=/t", -1, "field Source must not be specified");
	mount_case("type=tmpfs,dst=/t,tmpfs-size=lots", -1, "invalid value for tmpfs-size");
	mount_case("type=volume,src=v2,dst=/t", 0, "bind /t rw");
	mount_case("src=v3,target=/t", 0, "bind /t rw");
	mount_case("type=volume,dst=/t,volume-driver=x", -1, "'volume-driver' is not supported");
	mount_case("type=npipe,dst=/t", -1, "type=npipe is not supported");
	mount_case("type=bind,src=/,dst=/t,bind-propagation=shared", -1, "bind-propagation=shared");
	mount_case("type=tmpfs", -1, "target is required");
	mount_case("type=tmpfs,dst=/t,color=red", -1, "unexpected key 'color'");

	/* Docker's tmpfs defaults and MergeTmpfsOptions (later flags win). */
	tmpfs_case("/run", MS_NOEXEC | MS_NOSUID | MS_NODEV, "");
	tmpfs_case("/run:exec,size=1m", MS_NOSUID | MS_NODEV, "size=1m");
	tmpfs_case("/run:ro,mode=700,uid=5", MS_NOEXEC | MS_NOSUID | MS_NODEV | MS_RDONLY,
		   "mode=700,uid=5");
	tmpfs_case("/run:noexec,exec,suid,nosuid", MS_NOSUID | MS_NODEV, "");
	{
		struct sp_mount m;
		tap_ok(sp_mount_parse_tmpfs("/run:tmpcopyup", &m, &err) < 0 &&
			       strstr(err.msg, "tmpcopyup"),
		       "--tmpfs with an option secprof does not do is refused (%s)", err.msg);
		tap_ok(sp_mount_parse_tmpfs("run", &m, &err) < 0,
		       "--tmpfs with a relative path is refused");
	}

	/* Images that name nothing usable. */
	memset(&err, 0, sizeof(err));
	tap_ok(sp_image_load("/nonexistent/image.tar", scratch, &img, &err) < 0 &&
		       strstr(err.msg, "secprof pulls nothing"),
	       "a missing image: %s", err.msg);
	snprintf(layout, sizeof(layout), "%s/layout", scratch);
	mkdir(layout, 0755);
	snprintf(idx, sizeof(idx), "%s/index.json", layout);
	f = fopen(idx, "w");
	fputs("{\"schemaVersion\":2,\"manifests\":[]}", f);
	fclose(f);
	tap_ok(sp_image_load(layout, scratch, &img, &err) < 0 &&
		       strstr(err.msg, "lists no manifest"),
	       "an OCI layout without manifests: %s", err.msg);
	f = fopen(idx, "w");
	fputs("{\"manifests\":[{\"digest\":\"sha256:../../etc/passwd\"}]}", f);
	fclose(f);
	tap_ok(sp_image_load(layout, scratch, &img, &err) < 0 &&
		       strstr(err.msg, "bad manifest digest"),
	       "a digest that is not sha256:<64 hex> never becomes a path: %s", err.msg);

	sp_remove_tree(scratch);
	return tap_done();
}
