/* api_container.c - secprof_container_run: what the daemon and runc do
 * with `docker run`'s security options before the command starts (moby's
 * container create checks, TweakCapabilities, the seccomp decision, the
 * environment Docker builds), on top of secprof_run. The CLI only parses
 * arguments and prints. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "analyze/analyze.h"
#include "bpf/bpf.h"
#include "sandbox/notify.h"
#include "sandbox/run.h"
#include "secprof.h"
#include "api.h"
#include "core/util.h"

/* Docker takes the privileged set and checks --cap-add against the caps
 * the daemon holds (docs/COMPAT.md §3.4): here, this process's effective set. */
static secprof_caps own_effective_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (secprof_caps)data[0].effective | (secprof_caps)data[1].effective << 32;
}

/* moby validates both lists at create time and wraps the first unknown
 * name as "invalid CapAdd: ..." / "invalid CapDrop: ..." (docs/COMPAT.md §3.4;
 * daemon/caps NormalizeLegacyCapabilities + ValidateCapabilities). */
static int validate_cap_names(const char *const *list, size_t n, const char *what,
			      secprof_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char norm[64];
		size_t k = 0;

		if (!strcasecmp(list[i], "ALL") ||
		    sp_cap_docker_grantable(secprof_cap_from_name(list[i])))
			continue;
		if (strncasecmp(list[i], "CAP_", 4))
			k = (size_t)snprintf(norm, sizeof(norm), "CAP_");
		for (const char *c = list[i]; *c && k + 1 < sizeof(norm); c++)
			norm[k++] = (char)toupper((unsigned char)*c);
		norm[k] = '\0';
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "invalid %s: unknown capability: \"%s\"", what, norm);
	}
	return 0;
}

/* The options moby refuses before anything runs; fills the runc-level
 * options from them. */
static int check_options(const secprof_container_opts *a, const secprof_container_ext *x,
			 secprof_run_opts *o, secprof_error *err)
{
#define REFUSE(...) return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, __VA_ARGS__)
	bool container = a->rootfs || x->image;

	if ((!a->argv || !a->argv[0]) && !x->image && !x->entrypoint_set)
		REFUSE("no command given");
	if (a->rootfs && x->image)
		REFUSE("--rootfs and --image exclude each other");
	if (!container && (x->nvolumes || x->nmounts || x->ntmpfs || x->upper_dir))
		REFUSE("-v, --mount, --tmpfs and --upper need --rootfs or --image");
	if (a->user && !a->user[0])
		REFUSE("--user needs a name or uid");
	/* moby's daemon: "the working directory '%s' is invalid, it needs to
	 * be an absolute path" (daemon/create.go verifyContainerSettings) */
	if (a->workdir && a->workdir[0] != '/')
		REFUSE("the working directory '%s' is invalid, it needs to be an absolute path",
		       a->workdir);
	if (a->network && strcmp(a->network, "none") && strcmp(a->network, "host"))
		REFUSE("--network takes none or host, got '%s'", a->network);
	if (!container && (a->hostname || a->read_only || a->network || a->device_cgroup))
		REFUSE("--hostname, --read-only, --network and --device-cgroup need --rootfs or --image");
	if (a->device_cgroup) {
		if (!strcmp(a->device_cgroup, "auto"))
			o->devcg = SECPROF_DEVCG_AUTO;
		else if (!strcmp(a->device_cgroup, "v1"))
			o->devcg = SECPROF_DEVCG_V1;
		else if (!strcmp(a->device_cgroup, "v2"))
			o->devcg = SECPROF_DEVCG_V2;
		else
			REFUSE("--device-cgroup takes auto, v1 or v2, got '%s'", a->device_cgroup);
	}
#undef REFUSE
	o->user = a->user;
	o->workdir = a->workdir;
	o->no_new_privs = a->no_new_privs;
	o->argv = a->argv;
	o->preserve_fds = a->preserve_fds;
	o->rootfs = a->rootfs;
	o->hostname = a->hostname;
	o->read_only = a->read_only;
	o->privileged = a->privileged;
	o->net = a->network && !strcmp(a->network, "host") ? SECPROF_NET_HOST : SECPROF_NET_NONE;
	return 0;
}

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static size_t key_len(const char *e)
{
	const char *eq = strchr(e, '=');
	return eq ? (size_t)(eq - e) : strlen(e);
}

/* moby's ReplaceOrAppendEnvValues: a KEY already in env is replaced in
 * place, a new one appended. env has room for one more entry. */
static int env_set(char **env, size_t *n, char *kv)
{
	size_t k = key_len(kv);

	for (size_t i = 0; i < *n; i++)
		if (key_len(env[i]) == k && !strncmp(env[i], kv, k)) {
			free(env[i]);
			env[i] = kv;
			return 0;
		}
	env[(*n)++] = kv;
	return 0;
}

/* What Docker puts in a container's environment (moby container
 * CreateDaemonEnvironment): PATH, HOSTNAME, TERM=xterm with -t, then the
 * container's Env replacing or appending; the container's Env is the -e
 * values, then the image's for keys -e did not set (daemon/commit.go
 * merge). runc adds HOME later (run.c). -e KEY takes KEY from this
 * process's environment and is left out when unset there. */
static char **build_env(const secprof_container_opts *a, char *const *img_env, size_t nimg,
			bool tty, const char *hostname)
{
	char **env = calloc(a->nenv + nimg + 4, sizeof(*env)), *kv;
	size_t n = 0;

	if (!env)
		return NULL;
	if (!(env[n++] =
		      strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")))
		goto oom;
	if (asprintf(&env[n], "HOSTNAME=%s", hostname) < 0) {
		env[n] = NULL;
		goto oom;
	}
	n++;
	if (tty && !(env[n++] = strdup("TERM=xterm")))
		goto oom;
	for (size_t i = 0; i < a->nenv; i++) {
		const char *e = a->env[i], *v;
		if (strchr(e, '=')) {
			if (!(kv = strdup(e)))
				goto oom;
		} else if ((v = getenv(e))) {
			if (asprintf(&kv, "%s=%s", e, v) < 0)
				goto oom;
		} else {
			continue;
		}
		env_set(env, &n, kv);
	}
	for (size_t i = 0; i < nimg; i++) {
		bool user = false;
		for (size_t k = 0; k < a->nenv && !user; k++)
			user = key_len(a->env[k]) == key_len(img_env[i]) &&
			       !strncmp(a->env[k], img_env[i], key_len(img_env[i]));
		if (user)
			continue;
		if (!(kv = strdup(img_env[i])))
			goto oom;
		env_set(env, &n, kv);
	}
	return env;
oom:
	free_env(env);
	return NULL;
}

/* docker run's command (moby daemon/commit.go merge): an --entrypoint
 * replaces the image's and drops its Cmd; "" clears it and keeps the
 * image's Cmd unless one is given. argv is malloc'ed (the strings are
 * borrowed). */
static char **build_argv(const secprof_container_opts *a, const secprof_container_ext *x,
			 const struct sp_image *img)
{
	char *const *ep = img ? img->entrypoint : NULL, *const *cmd = a->argv;
	size_t nep = img ? img->nentrypoint : 0, ncmd = 0, n = 0;
	char *user_ep[1] = { (char *)x->entrypoint };
	char **argv;

	while (cmd && cmd[ncmd])
		ncmd++;
	if (x->entrypoint_set) {
		ep = user_ep;
		nep = x->entrypoint && x->entrypoint[0] ? 1 : 0;
		if (!nep && !ncmd && img)
			cmd = img->cmd, ncmd = img->ncmd;
	} else if (!ncmd && img) {
		cmd = img->cmd, ncmd = img->ncmd;
	}
	if (!(argv = calloc(nep + ncmd + 1, sizeof(*argv))))
		return NULL;
	for (size_t i = 0; i < nep; i++)
		argv[n++] = ep[i];
	for (size_t i = 0; i < ncmd; i++)
		argv[n++] = cmd[i];
	return argv;
}

/* docker's container name rule (daemon/names.go: [a-zA-Z0-9][a-zA-Z0-9_.-]+). */
static bool valid_name(const char *s)
{
	if (!s[0] || !s[1] || !isalnum((unsigned char)s[0]))
		return false;
	for (const char *c = s + 1; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
			return false;
	return true;
}

/* --name: one live run per name, as Docker refuses a second container of
 * a name in use. A lock (flock) held on /run/secprof/names/NAME for the
 * run's life, released by the kernel however secprof ends. */
static int name_lock(const char *name, secprof_error *err)
{
	char path[512];
	int fd;

	if (!valid_name(name))
		return sp_err(
			err, SECPROF_E_USAGE, NULL, NULL, NULL,
			"Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
			name);
	mkdir("/run/secprof", 0700);
	mkdir("/run/secprof/names", 0700);
	snprintf(path, sizeof(path), "/run/secprof/names/%s", name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return sp_err_errno(err, NULL, "cannot lock the container name %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return sp_err(
				err, SECPROF_E_USAGE, NULL, NULL, NULL,
				"Conflict. The container name \"/%s\" is already in use by a running secprof run",
				name);
		errno = e;
		return sp_err_errno(err, NULL, "cannot lock the container name %s", path);
	}
	return fd;
}

/* Everything a container run holds, released in one place. */
struct ctr {
	struct sp_image img;
	bool have_img;
	char scratch[4096];
	char root[4096], upper[4096], work[4096];
	char *rootfs_real;
	const char *lowers[130];
	const char *rmdir_at_exec[3];
	struct sp_mount *mounts;
	size_t nmounts;
	int name_fd;
};

static void ctr_free(struct ctr *c)
{
	for (size_t i = 0; i < c->nmounts; i++)
		sp_mount_free(&c->mounts[i]);
	free(c->mounts);
	if (c->have_img)
		sp_image_free(&c->img);
	free(c->rootfs_real);
	/* After the container: its mount namespace, and the overlay with
	 * it, is gone once its init has been reaped. */
	if (c->scratch[0] && access(c->scratch, F_OK) == 0)
		sp_remove_tree(c->scratch);
	if (c->name_fd >= 0)
		close(c->name_fd);
}

/* The mount point every container's root is built on. Mounts on it are
 * only ever made inside a container's own mount namespace, so concurrent
 * runs all share it and none has to make or remove a directory (on a
 * disk mounted "discard" each rmdir waits for a discard, 0.15 to 0.3 ms,
 * more under load); bubblewrap mounts its tmpfs on a fixed base path the
 * same way (bubblewrap.c, base_path). */
#define SHARED_MOUNT_POINT "/run/secprof/root"

/* path (made if missing) is a directory of this user's that nobody else
 * can write. mount(2) follows the path at each step of the init's set-up,
 * so nobody else may be able to swap what it names in between. */
static bool own_private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return false;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* SHARED_MOUNT_POINT is usable: /run is root's (or ours) and nobody else
 * can rename what is in it, the rest is ours alone. */
static bool shared_mount_point(void)
{
	struct stat st;

	if (lstat("/run", &st) < 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)))
		return false;
	return own_private_dir("/run/secprof") && own_private_dir(SHARED_MOUNT_POINT);
}

/* The run's own directory (anonymous volumes, a mount point), in $TMPDIR
 * or /var/tmp: a new one, secprof's, in a directory where no other user
 * can rename it away (sp_trusted_dir: a sticky /tmp is fine). */
static int make_scratch(struct ctr *c, secprof_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char base[4096];
	struct stat st;

	tmp = tmp && tmp[0] == '/' ? tmp : "/var/tmp";
	if (stat(tmp, &st) < 0) /* not made here: a TMPDIR that is not there is a mistake */
		return sp_err_errno(err, NULL, "TMPDIR %s", tmp);
	if (sp_trusted_dir(tmp, 0700, "TMPDIR", base, sizeof(base), err) < 0)
		return -1;
	if (snprintf(c->scratch, sizeof(c->scratch), "%s/secprof-run.XXXXXX", base) >=
	    (int)sizeof(c->scratch)) {
		c->scratch[0] = '\0';
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "TMPDIR %s: too long", tmp);
	}
	if (!mkdtemp(c->scratch)) {
		c->scratch[0] = '\0';
		return sp_err_errno(err, NULL, "cannot create a scratch directory");
	}
	return 0;
}

/* --upper DIR keeps the container's writes: DIR/upper is its root, and
 * the overlay follows a symlink there, so no one but secprof's user may be
 * able to put one in its place (DIR/upper -> /etc would make the host's
 * /etc the container's root; chmod would follow it too): the way to DIR is
 * checked step by step and then used as checked, and DIR/upper and
 * DIR/work must be directories of secprof's user, not symlinks. DIR is
 * secprof's user's alone (sp_private_dir): the container's root may leave
 * setuid-root files in the layer (DIR/upper is the container's /, 0755 as
 * a root is). */
static int prepare_upper(const char *dir, struct ctr *c, secprof_error *err)
{
	char real[4096];
	const char *subs[] = { c->upper, c->work };
	struct stat st;

	if (sp_private_dir(dir, "--upper", real, sizeof(real), err) < 0)
		return -1;
	if (snprintf(c->upper, sizeof(c->upper), "%s/upper", real) >= (int)sizeof(c->upper) ||
	    snprintf(c->work, sizeof(c->work), "%s/work", real) >= (int)sizeof(c->work))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "--upper: path too long");
	for (size_t i = 0; i < SP_ARRAY_SIZE(subs); i++) {
		if (mkdir(subs[i], i ? 0700 : 0755) < 0 && errno != EEXIST)
			return sp_err_errno(err, NULL, "cannot create %s", subs[i]);
		if (lstat(subs[i], &st) < 0)
			return sp_err_errno(err, NULL, "--upper: %s", subs[i]);
		if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "--upper: %s is not a directory of secprof's user (refused)",
				      subs[i]);
	}
	if (chmod(c->upper, 0755) < 0)
		return sp_err_errno(err, NULL, "cannot set the mode of %s", c->upper);
	return 0;
}

/* The root: the image's layers or --rootfs DIR as the overlay's lowers,
 * a fresh upper and work on a tmpfs (or --upper DIR's), mounted on the
 * shared mount point, or where that cannot be used on a mount point in a
 * scratch directory of its own. The scratch directory also holds the
 * anonymous volumes. */
static int ctr_root(const secprof_container_opts *a, const secprof_container_ext *x, struct ctr *c,
		    struct sp_run_opts *r, secprof_error *err)
{
	const char *cache = x->cache_dir ? x->cache_dir : "/var/cache/secprof/layers";
	bool shared = shared_mount_point();

	if ((!shared || x->nvolumes || x->nmounts) && make_scratch(c, err) < 0)
		return -1;
	if (snprintf(c->root, sizeof(c->root), "%s%s", shared ? SHARED_MOUNT_POINT : c->scratch,
		     shared ? "" : "/root") >= (int)sizeof(c->root))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "scratch path too long");
	if (!shared && mkdir(c->root, 0755) < 0)
		return sp_err_errno(err, NULL, "cannot create the container's mount point");
	/* A kept upper is on the disk; a throwaway one the init makes on a
	 * tmpfs over the mount point (layers.c), which the paths name. */
	if (x->upper_dir) {
		if (prepare_upper(x->upper_dir, c, err) < 0)
			return -1;
	} else if (snprintf(c->upper, sizeof(c->upper), "%s/upper", c->root) >=
			   (int)sizeof(c->upper) ||
		   snprintf(c->work, sizeof(c->work), "%s/work", c->root) >= (int)sizeof(c->work)) {
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "scratch path too long");
	}
	if (x->image) {
		if (sp_image_load(x->image, cache, &c->img, err) < 0)
			return -1;
		c->have_img = true;
		if (!c->img.nlayers)
			return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "image %s has no layers", x->image);
		/* overlayfs lists the top layer first. A layer the image lists
		 * twice (the empty layer many converted images repeat) is
		 * stacked once, at its topmost place: overlayfs refuses a
		 * directory given twice ("conflicting lowerdir path", ELOOP:
		 * fs/overlayfs/super.c ovl_setup_trap), and whatever the lower
		 * copy adds, whites out or makes opaque, the upper copy does
		 * again over all that the lower one covered. Docker stacks each
		 * copy (a directory per chain ID): the same root. */
		r->nlowers = 0;
		for (size_t i = c->img.nlayers; i-- > 0;) {
			bool seen = false;
			for (size_t k = 0; k < r->nlowers && !seen; k++)
				seen = !strcmp(c->lowers[k], c->img.layers[i]);
			if (!seen)
				c->lowers[r->nlowers++] = c->img.layers[i];
		}
		r->lower_base = c->img.cache;
	} else {
		if (!(c->rootfs_real = realpath(a->rootfs, NULL)))
			return sp_err_errno(err, NULL, "--rootfs %s", a->rootfs);
		c->lowers[0] = c->rootfs_real;
		r->nlowers = 1;
	}
	r->lowers = c->lowers;
	r->upper = c->upper;
	r->work = c->work;
	r->tmpfs_upper = !x->upper_dir;
	if (!shared) {
		c->rmdir_at_exec[0] = c->root;
		c->rmdir_at_exec[1] = c->scratch;
		r->rmdir_at_exec = c->rmdir_at_exec;
	}
	r->rootfs = c->root;
	return 0;
}

static int ctr_mounts(const secprof_container_ext *x, struct ctr *c, struct sp_run_opts *r,
		      secprof_error *err)
{
	const char *voldir = x->volume_dir ? x->volume_dir : "/var/lib/secprof/volumes";
	size_t total = x->nvolumes + x->nmounts + x->ntmpfs;
	int rc = 0;

	if (!total)
		return 0;
	if (!(c->mounts = calloc(total, sizeof(*c->mounts))))
		return sp_err_oom(err);
	for (size_t i = 0; !rc && i < x->nvolumes; i++)
		if (!(rc = sp_mount_parse_volume(x->volumes[i], voldir, c->scratch,
						 &c->mounts[c->nmounts], err)))
			c->nmounts++;
	for (size_t i = 0; !rc && i < x->nmounts; i++)
		if (!(rc = sp_mount_parse_mount(x->mounts[i], voldir, c->scratch,
						&c->mounts[c->nmounts], err)))
			c->nmounts++;
	for (size_t i = 0; !rc && i < x->ntmpfs; i++)
		if (!(rc = sp_mount_parse_tmpfs(x->tmpfs[i], &c->mounts[c->nmounts], err)))
			c->nmounts++;
	/* moby: "Duplicate mount point" (volume/mounts, parseSecurityOpt's
	 * sibling in daemon/volumes.go registerMountPoints). */
	for (size_t i = 0; !rc && i < c->nmounts; i++)
		for (size_t k = 0; !rc && k < i; k++)
			if (!strcmp(c->mounts[i].target, c->mounts[k].target))
				rc = sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
					    "Duplicate mount point: %s", c->mounts[i].target);
	sp_mounts_sort(c->mounts, c->nmounts);
	r->mounts = c->mounts;
	r->nmounts = c->nmounts;
	return rc;
}

/* What run --explain adds to a run (secprof_container_run_explain). */
struct live_req {
	struct sp_live lv;
	secprof_caps caps; /* the container's, for explaining afterwards */
	bool served;       /* the supervisor ran (else note says why not) */
	bool unconfined;
	char note[512];
	/* the profile file's bytes the filter was compiled from: the report
	 * explains with them, not with the file as it is at the end (the
	 * command may have rewritten it) */
	char *text;
	size_t text_len;
};

/* What secprof run does not show by itself, as notes (path "runc", "crun" or
 * "seccomp"; `secprof run` prints these even when it silences the
 * profile's other warnings): a profile that resolves to no filter at all
 * (neither defaultAction nor syscalls, e.g. a misspelled default_action,
 * which Docker ignores), and the calls runc and crun make after loading
 * the filter that it denies, where docker run or podman run would fail and
 * secprof run starts. */
static void predict_runtime(secprof_ctx *ctx, const secprof_container_opts *a,
			    const secprof_prog *prog)
{
	/* runc for docker run, crun for podman run: one profile commonly
	 * serves both (src/analyze/runtime.c) */
	static const char runtimes[][sizeof("runc")] = { "runc", "crun" }; /* no relocation */
	enum secprof_decision d;
	secprof_error e = { 0 };
	char msg[700];
	bool loadable;

	if (secprof_decide(a->seccomp, a->privileged, &d, &e) < 0)
		return;
	if (!prog) {
		if (d == SECPROF_DECIDE_CUSTOM)
			sp_note(ctx, a->seccomp, NULL, "seccomp",
				"the profile has neither defaultAction nor syscalls: the container runs "
				"unconfined (no seccomp filter), as Docker runs it");
		return;
	}
	/* the program checked once for both runtimes */
	loadable = sp_bpf_check(prog->insns, prog->len, NULL) == 0;
	for (size_t i = 0; i < SP_ARRAY_SIZE(runtimes); i++)
		if (sp_runtime_note_checked(prog->insns, prog->len, loadable, NULL, runtimes[i],
					    a->no_new_privs, msg, sizeof(msg)))
			sp_note(ctx, d == SECPROF_DECIDE_CUSTOM ? a->seccomp : NULL, NULL,
				runtimes[i], "%s", msg);
}

/* run --explain's twin filter and supervisor, or the reason to fall back
 * to a plain run (the run itself goes on: the command behaves the same
 * either way, only the report is missing). 0, or SECPROF_EXIT_ERROR. */
static int live_prepare(struct live_req *lr, const secprof_prog *prog, secprof_caps caps,
			secprof_error *err)
{
	const char *why;

	lr->caps = caps;
	if (!prog) {
		lr->unconfined = true;
		snprintf(
			lr->note, sizeof(lr->note),
			"run --explain: the container is unconfined (no filter): nothing is denied");
		return 0;
	}
	if (!sp_notify_available(&why)) {
		snprintf(
			lr->note, sizeof(lr->note),
			"run --explain: %s; running without the live report (secprof explain PROFILE "
			"SYSCALL still says why a call is denied)",
			why);
		return 0;
	}
	lr->lv.real = prog;
	if (sp_live_twin(&lr->lv, err) < 0)
		return SECPROF_EXIT_ERROR;
	lr->served = true;
	return 0;
}

/* lr: run --explain (NULL: a plain run); hook: secprof record (NULL: none) */
static int container_run(secprof_ctx *ctx, const secprof_container_opts *a,
			 const secprof_container_ext *x, struct live_req *lr,
			 const struct sp_run_hook *hook, const uint64_t *caller_fds,
			 secprof_error *err)
{
	secprof_run_opts o = { 0 };
	secprof_compile_opts co = { .exact_libseccomp = a->exact_libseccomp,
				    .newer_syscalls = a->newer_syscalls };
	secprof_prog *prog = NULL;
	struct ctr c = { .name_fd = -1 };
	struct sp_run_opts r = { 0 };
	char host[256] = "secprof";
	char **env = NULL, **argv = NULL;
	uint64_t *sampled = NULL;
	int status = SECPROF_EXIT_ERROR;

	memset(err, 0, sizeof(*err));
	/* Before secprof opens a file (the profile, the name lock, the
	 * image): which of the preserved fds are the caller's. */
	if (!caller_fds && sp_fds_sample(a->preserve_fds, &sampled, err) < 0)
		return SECPROF_EXIT_ERROR;
	if (sampled)
		caller_fds = sampled;
	if (check_options(a, x, &o, err) < 0 ||
	    validate_cap_names(a->cap_add, a->ncap_add, "CapAdd", err) < 0 ||
	    validate_cap_names(a->cap_drop, a->ncap_drop, "CapDrop", err) < 0 ||
	    secprof_caps_tweak(a->cap_add, a->ncap_add, a->cap_drop, a->ncap_drop, a->privileged,
			       own_effective_caps(), &o.caps, err) < 0 ||
	    sp_run_filter(ctx, a->seccomp, a->privileged, o.caps, &co, a->filter_cache, &prog,
			  lr ? &lr->text : NULL, lr ? &lr->text_len : NULL, err) < 0)
		goto out;
	/* runc hands a NOTIFY filter's listener to listenerPath and refuses
	 * to start without one (docs/COMPAT.md §4.1.4); there is none to offer. */
	if (prog && prog->needs_listener) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "seccomp listenerPath is not set: secprof run cannot serve SCMP_ACT_NOTIFY rules");
		goto out;
	}
	predict_runtime(ctx, a, prog);
	/* On such a host docker run confines a container that is not
	 * privileged with the docker-default AppArmor profile as well
	 * (moby daemon/apparmor_default.go), which secprof cannot apply: it
	 * refuses rather than run it less confined, unless asked for what
	 * docker run --security-opt apparmor=unconfined gives (README
	 * "Running a command like docker run", docs/COMPAT.md §9 item 12). */
	if ((a->rootfs || x->image) && !a->privileged && !hook && sp_host_apparmor() &&
	    !(x->apparmor && !strcmp(x->apparmor, "unconfined"))) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "this host runs AppArmor: docker run would confine the container with the docker-default AppArmor profile, which secprof run cannot apply; --security-opt apparmor=unconfined runs it without one, as docker run does with that option");
		goto out;
	}
	if (lr && (status = live_prepare(lr, prog, o.caps, err)) != 0)
		goto out;
	status = SECPROF_EXIT_ERROR;
	if (x->name && (c.name_fd = name_lock(x->name, err)) < 0)
		goto out;
	if ((a->rootfs || x->image) &&
	    (ctr_root(a, x, &c, &r, err) < 0 || ctr_mounts(x, &c, &r, err) < 0))
		goto out;
	if (a->hostname)
		snprintf(host, sizeof(host), "%s", a->hostname);
	else if (!a->rootfs && !x->image)
		gethostname(host, sizeof(host) - 1);
	if (!(argv = build_argv(a, x, c.have_img ? &c.img : NULL)) ||
	    !(env = build_env(a, c.have_img ? c.img.env : NULL, c.have_img ? c.img.nenv : 0, x->tty,
			      host))) {
		sp_err_oom(err);
		goto out;
	}
	if (!argv[0]) {
		/* moby's daemon/create.go: "No command specified". */
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "No command specified");
		goto out;
	}
	/* An image's WorkingDir reaches runc as it is, and runc starts no
	 * process in a relative one ("Cwd must be an absolute path": runc
	 * utils_linux.go validateProcessSpec); -w is checked above. */
	if (!o.workdir && c.have_img && c.img.workdir && c.img.workdir[0] != '/') {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		       "image %s: its WorkingDir '%s' is not an absolute path (runc: Cwd must be an absolute path)",
		       x->image, c.img.workdir);
		goto out;
	}
	r.prog = prog;
	r.caps = o.caps;
	r.no_new_privs = o.no_new_privs;
	r.user = o.user ? o.user : c.have_img ? c.img.user : NULL;
	r.workdir = o.workdir ? o.workdir : c.have_img ? c.img.workdir : NULL;
	r.argv = argv;
	r.envp = env;
	r.preserve_fds = o.preserve_fds;
	r.preserved_open = caller_fds;
	r.hostname = o.hostname;
	r.read_only = o.read_only;
	r.privileged = o.privileged;
	r.net = o.net == SECPROF_NET_HOST ? SP_NET_HOST : SP_NET_NONE;
	r.devcg = o.devcg == SECPROF_DEVCG_V1   ? SP_DEVCG_V1
		  : o.devcg == SECPROF_DEVCG_V2 ? SP_DEVCG_V2
						: SP_DEVCG_AUTO;
	r.tty = x->tty;
	r.interactive = x->interactive;
	/* record runs the command as it is, without a filter: with the
	 * caller's stdio too, when it is not a container */
	r.relay_stdio = !hook;
	r.tty_slave = -1;
	r.live = lr && lr->served ? &lr->lv : NULL;
	r.hook = hook;
	status = sp_run(&r, err);
out:
	free(argv);
	free_env(env);
	ctr_free(&c);
	secprof_prog_free(prog);
	free(sampled);
	return status;
}

static const secprof_container_ext no_ext;

int secprof_container_run(secprof_ctx *ctx, const secprof_container_opts *a, secprof_error *err)
{
	return container_run(ctx, a, &no_ext, NULL, NULL, NULL, err);
}

int secprof_container_run_ext(secprof_ctx *ctx, const secprof_container_opts *a,
			      const secprof_container_ext *x, secprof_error *err)
{
	return container_run(ctx, a, x, NULL, NULL, NULL, err);
}

int sp_api_container_run(secprof_ctx *ctx, const secprof_container_opts *a,
			 const struct sp_run_hook *hook, const uint64_t *caller_fds,
			 secprof_error *err)
{
	return container_run(ctx, a, &no_ext, NULL, hook, caller_fds, err);
}

/* ---- run --explain ------------------------------------------------------ */

/* The profile the run used, parsed again from the bytes its filter was
 * compiled from, to explain each denial with secprof_explain (the same
 * resolution: this machine's arch and kernel, the container's
 * capabilities). NULL when there is none to explain. */
static secprof_profile *explain_profile(secprof_ctx *ctx, const secprof_container_opts *a,
					const struct live_req *lr)
{
	enum secprof_decision d;
	secprof_error e = { 0 };

	if (secprof_decide(a->seccomp, a->privileged, &d, &e) < 0 || d == SECPROF_DECIDE_UNCONFINED)
		return NULL;
	if (d == SECPROF_DECIDE_BUILTIN)
		return secprof_profile_builtin(ctx, &e);
	return lr->text ? secprof_profile_parse(ctx, lr->text, lr->text_len, a->seccomp, &e) : NULL;
}

static const secprof_arch *arch_named(const char *name)
{
	return name ? secprof_arch_lookup(name) : NULL;
}

static int fill_report(secprof_ctx *ctx, const secprof_container_opts *a, struct live_req *lr,
		       secprof_live_report *out)
{
	secprof_resolve_opts ro = { .caps = lr->caps };
	secprof_compile_opts co = { .exact_libseccomp = a->exact_libseccomp };
	secprof_profile *p = NULL;

	out->served = lr->served;
	snprintf(out->note, sizeof(out->note), "%s", lr->lv.note[0] ? lr->lv.note : lr->note);
	if (!lr->lv.ndenials)
		return 0;
	if (!(out->denials = calloc(lr->lv.ndenials, sizeof(*out->denials))))
		return -1;
	p = explain_profile(ctx, a, lr);
	for (size_t i = 0; i < lr->lv.ndenials; i++) {
		const struct sp_denial *d = &lr->lv.denials[i];
		secprof_denial *o = &out->denials[out->ndenials++];
		secprof_data in = { .nr = d->nr, .arch = d->audit, .instruction_pointer = d->ip };
		secprof_error e = { 0 };

		memcpy(in.args, d->args, sizeof(in.args));
		o->count = d->count;
		o->pid = (int)d->pid;
		snprintf(o->comm, sizeof(o->comm), "%s", d->comm);
		o->arch = d->arch;
		o->audit = d->audit;
		o->nr = d->nr;
		o->name = d->name;
		memcpy(o->args, d->args, sizeof(o->args));
		o->ip = d->ip;
		snprintf(o->caller, sizeof(o->caller), "%s", d->caller);
		snprintf(o->call, sizeof(o->call), "%s", d->call);
		o->ret = d->ret;
		o->benign = d->benign;
		o->killed = d->killed;
		if (p) {
			const secprof_arch *abi = arch_named(d->arch);
			if (secprof_explain(ctx, p, &ro, &co, abi, &in, 0, &o->explain, &e) < 0)
				o->explain = NULL;
			if (secprof_explain(ctx, p, &ro, &co, abi, &in, SECPROF_EXPLAIN_JSON,
					    &o->explain_json, &e) < 0)
				o->explain_json = NULL;
		}
	}
	secprof_profile_free(p);
	return 0;
}

int secprof_container_run_explain(secprof_ctx *ctx, const secprof_container_opts *a,
				  secprof_live_report **report, secprof_error *err)
{
	return secprof_container_run_explain_ext(ctx, a, &no_ext, report, err);
}

int secprof_container_run_explain_ext(secprof_ctx *ctx, const secprof_container_opts *a,
				      const secprof_container_ext *x, secprof_live_report **report,
				      secprof_error *err)
{
	struct live_req *lr = calloc(1, sizeof(*lr));
	secprof_live_report *out = calloc(1, sizeof(*out));
	int status;

	*report = NULL;
	if (!lr || !out) {
		free(lr);
		free(out);
		sp_err_oom(err);
		return SECPROF_EXIT_ERROR;
	}
	status = container_run(ctx, a, x ? x : &no_ext, lr, NULL, NULL, err);
	if (fill_report(ctx, a, lr, out) < 0) {
		secprof_live_report_free(out);
		out = NULL;
	}
	sp_live_free(&lr->lv);
	free(lr->text);
	free(lr);
	*report = out;
	return status;
}

void secprof_live_report_free(secprof_live_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ndenials; i++) {
		free(r->denials[i].explain);
		free(r->denials[i].explain_json);
	}
	free(r->denials);
	free(r);
}
