/* test_api.c - the public API the CLI is built on, through secprof.h only:
 *  - arches: every table name, SCMP_ARCH_* and moby string finds its arch,
 *    any case, uname/Debian/GOARCH aliases find theirs, the spelling list
 *    is duplicate-free and every word in it is accepted;
 *  - the syscall table: name <-> number round trips on every arch, the
 *    per-arch iteration is sorted, nr_base is applied (x32);
 *  - the BPF checker refuses malformed programs, the listing and dot text
 *    of Docker's default;
 *  - secprof_check: known counts of Docker's default, the warnings, and the
 *    refusals (NOTIFY without listenerPath, strict mode);
 *  - secprof_run_filter's decisions and docker/cli's open error; secprof_run
 *    of real commands under a real filter (a KILL_PROCESS rule kills);
 *  - secprof_container_run: moby's refusals and wording, Docker's
 *    environment, no-new-privileges, seccomp=PATH and unconfined;
 *  - info and probe in this process.
 */
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "secprof.h"
#include "tap.h"

static void test_arches(void)
{
	size_t n = secprof_arch_count(), bad = 0;
	const secprof_arch *native = secprof_arch_native();

	tap_ok(n >= 10, "arch table: %zu arches", n);
	tap_ok(secprof_arch_at(n) == NULL, "secprof_arch_at(count) is NULL");
	for (size_t i = 0; i < n; i++) {
		const secprof_arch *a = secprof_arch_at(i);
		secprof_arch_info in;
		char up[64];

		secprof_arch_get_info(a, &in);
		snprintf(up, sizeof(up), "%s", in.name);
		for (char *c = up; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		bad += secprof_arch_lookup(in.name) != a || secprof_arch_lookup(in.scmp) != a ||
		       secprof_arch_lookup(up) != a || (in.go && secprof_arch_lookup(in.go) != a) ||
		       strcmp(secprof_arch_name(a), in.name) || !in.audit ||
		       (in.bits != 32 && in.bits != 64);
	}
	TAP_EQ_INT(bad, 0,
		   "every arch is found by its name (any case), SCMP_ARCH_* and moby string");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("amd64")), "x86_64", "amd64 -> x86_64");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("AMD64")), "x86_64", "AMD64 -> x86_64");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("386")), "x86", "GOARCH 386 -> x86");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("i686")), "x86", "uname i686 -> x86");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("armv7l")), "arm", "uname armv7l -> arm");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("ppc64el")), "ppc64le",
		   "Debian ppc64el -> ppc64le");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("mips64le")), "mipsel64",
		   "GOARCH mips64le -> mipsel64");
	TAP_EQ_STR(secprof_arch_name(secprof_arch_lookup("scmp_arch_x32")), "x32",
		   "scmp_arch_x32 -> x32");
	tap_ok(!secprof_arch_lookup("amd6") && !secprof_arch_lookup("") &&
		       !secprof_arch_lookup(NULL),
	       "unknown spellings, \"\" and NULL: NULL");
	tap_ok(native && secprof_arch_lookup(secprof_arch_name(native)) == native,
	       "native arch: %s", native ? secprof_arch_name(native) : "(none)");

	/* the spelling list: unique, all accepted, holding each kind */
	const char *words[256], *few[3] = { NULL, NULL, NULL };
	size_t total = secprof_arch_spellings(words, 256), ns, dups = 0, unknown = 0;
	bool i686 = false, scmp = false, amd64 = false;
	tap_ok(total <= 256 && secprof_arch_spellings(NULL, 0) == total,
	       "the count does not depend on max");
	tap_ok(secprof_arch_spellings(few, 2) == total && few[0] == words[0] &&
		       few[1] == words[1] && !few[2],
	       "at most max written, the same first ones");
	for (ns = 0; ns < total && ns < 256; ns++) {
		const char *w = words[ns];
		for (size_t k = 0; k < ns; k++)
			dups += !strcmp(words[k], w);
		unknown += !secprof_arch_lookup(w);
		i686 |= !strcmp(w, "i686");
		amd64 |= !strcmp(w, "amd64");
		scmp |= !strcmp(w, "SCMP_ARCH_X86_64");
	}
	tap_ok(ns > 2 * n, "%zu spellings", ns);
	TAP_EQ_INT(dups, 0, "no spelling listed twice");
	TAP_EQ_INT(unknown, 0, "every listed spelling is accepted by secprof_arch_lookup");
	tap_ok(i686 && amd64 && scmp, "the list has uname, moby and SCMP_ARCH_* spellings");
}

static void test_syscalls(void)
{
	size_t bad = 0, unsorted = 0, total = 0;
	const secprof_arch *x86_64 = secprof_arch_lookup("x86_64"),
			   *x32 = secprof_arch_lookup("x32");

	for (size_t i = 0; i < secprof_arch_count(); i++) {
		const secprof_arch *a = secprof_arch_at(i);
		int32_t prev = INT32_MIN;
		size_t m = secprof_arch_syscall_count(a);

		for (size_t k = 0; k < m; k++) {
			const char *name;
			int32_t nr = secprof_arch_syscall_at(a, k, &name);
			unsorted += nr <= prev;
			prev = nr;
			bad += !name || secprof_syscall_nr(a, name) != nr ||
			       !secprof_syscall_name(a, nr) || !secprof_syscall_known(name);
		}
		bad += secprof_arch_syscall_at(a, m, NULL) != -1;
		total += m;
	}
	tap_ok(total > 3000, "%zu (arch, syscall) pairs", total);
	TAP_EQ_INT(bad, 0, "name -> number -> name round trips on every arch");
	TAP_EQ_INT(unsorted, 0, "secprof_arch_syscall_at counts up by number");
	TAP_EQ_INT(secprof_syscall_nr(x86_64, "getpid"), 39, "getpid is 39 on x86_64");
	TAP_EQ_INT(secprof_syscall_nr(x32, "getpid"), 0x40000000 + 39, "x32 numbers carry nr_base");
	TAP_EQ_STR(secprof_syscall_name(x86_64, 39), "getpid", "39 is getpid on x86_64");
	TAP_EQ_INT(secprof_syscall_nr(x86_64, "socketcall"), -1, "socketcall: none on x86_64");
	tap_ok(secprof_syscall_known("socketcall") && !secprof_syscall_known("nosuch") &&
		       !secprof_syscall_known(NULL),
	       "secprof_syscall_known");
	size_t n = secprof_syscall_count(), unsorted_names = 0;
	for (size_t i = 1; i < n; i++)
		unsorted_names +=
			strcmp(secprof_syscall_name_at(i - 1), secprof_syscall_name_at(i)) >= 0;
	tap_ok(n > 400 && !unsorted_names && !secprof_syscall_name_at(n), "%zu names, sorted", n);
}

static secprof_prog *builtin_prog(secprof_ctx *ctx)
{
	secprof_error err = { 0 };
	secprof_prog *prog = NULL;

	if (secprof_run_filter(ctx, NULL, false, secprof_caps_docker_default(), NULL, &prog, &err) <
	    0)
		tap_diag("%s", err.msg);
	return prog;
}

static void test_bpf(secprof_ctx *ctx)
{
	secprof_prog *prog = builtin_prog(ctx);
	secprof_error err = { 0 };
	char *text = NULL;

	if (!tap_ok(prog != NULL, "Docker's default compiles"))
		return;
	TAP_EQ_INT(secprof_bpf_check(prog->insns, prog->len, &err), 0, "the kernel's checks pass");
	secprof_insn bad_jump[] = { { 0x15, 5, 0, 0 },
				    { 0x06, 0, 0, 0x7fff0000 } }; /* jeq out of range */
	secprof_insn no_ret[] = { { 0x20, 0, 0, 0 } };            /* ld [0], no ret */
	secprof_insn bad_ld[] = { { 0x20, 0, 0, 2 },
				  { 0x06, 0, 0, 0x7fff0000 } }; /* misaligned load */
	TAP_EQ_INT(secprof_bpf_check(bad_jump, 2, &err), -SECPROF_E_PROFILE,
		   "a jump out of the program");
	TAP_EQ_INT(secprof_bpf_check(no_ret, 1, &err), -SECPROF_E_PROFILE,
		   "a program not ending in ret");
	TAP_EQ_INT(secprof_bpf_check(bad_ld, 2, &err), -SECPROF_E_PROFILE,
		   "a misaligned seccomp_data load");
	TAP_EQ_INT(secprof_bpf_check(NULL, 0, &err), -SECPROF_E_PROFILE, "an empty program");
	tap_ok(secprof_bpf_listing(prog->insns, prog->len, secprof_arch_native(), &text, &err) ==
			       0 &&
		       text && strstr(text, " socket\n"),
	       "the listing names syscalls");
	free(text);
	text = NULL;
	tap_ok(secprof_bpf_dot(prog->insns, prog->len, NULL, &text, &err) == 0 && text &&
		       !strncmp(text, "digraph", 7),
	       "the dot text is a digraph");
	free(text);
	secprof_prog_free(prog);
}

struct warns {
	size_t n;
	char last[768];
	size_t runc, crun;
};

static void count_warn(void *data, const secprof_error *w)
{
	struct warns *ws = data;
	/* the notes about calls runc and crun make after the load (paths
	 * "runc", "crun") are checked on their own below */
	if (!strcmp(w->path, "runc") || !strcmp(w->path, "crun")) {
		++*(!strcmp(w->path, "runc") ? &ws->runc : &ws->crun);
		return;
	}
	ws->n++;
	snprintf(ws->last, sizeof(ws->last), "%s", w->msg);
}

static secprof_summary *check_json(secprof_ctx *ctx, const char *json, secprof_error *err)
{
	secprof_resolve_opts o = { .arch = "amd64", .caps = secprof_caps_docker_default() };
	secprof_profile *p = json ? secprof_profile_parse(ctx, json, strlen(json), "t.json", err)
				  : secprof_profile_builtin(ctx, err);
	secprof_resolved *r = p ? secprof_resolve(ctx, p, &o, err) : NULL;
	secprof_summary *s = r ? secprof_check(ctx, p, r, err) : NULL;

	secprof_resolved_free(r);
	secprof_profile_free(p);
	return s;
}

static void test_check(secprof_ctx *ctx)
{
	secprof_error err = { 0 };
	struct warns ws = { 0 };
	secprof_summary *s = check_json(ctx, NULL, &err);

	if (!tap_ok(s != NULL, "check builtin: %s", err.msg))
		return;
	TAP_EQ_STR(s->default_action, "SCMP_ACT_ERRNO", "default action as written");
	tap_ok(s->has_default_errno && s->default_errno == 1, "defaultErrnoRet 1");
	TAP_EQ_STR(s->arch_source, "archMap", "arches from archMap");
	tap_ok(s->narches >= 3 && !strcmp(s->arches[0], "SCMP_ARCH_X86_64"),
	       "archMap keys, x86_64 first");
	TAP_EQ_STR(s->arch, "amd64", "resolved for amd64");
	TAP_EQ_INT(s->ncaps, 14, "Docker's 14 capabilities");
	tap_ok(!s->unconfined && s->narchitectures == 3 &&
		       !strcmp(s->architectures[0], "SCMP_ARCH_X86_64") &&
		       !strcmp(s->architectures[1], "SCMP_ARCH_X86") &&
		       !strcmp(s->architectures[2], "SCMP_ARCH_X32"),
	       "the OCI architectures of amd64");
	tap_ok(s->res_rules > 0 && s->res_rules < s->rules && s->distinct_names <= s->names,
	       "counts: %zu rules, %zu resolved", s->rules, s->res_rules);
	size_t sum = 0;
	for (size_t i = 0; i < s->nactions; i++)
		sum += s->actions[i].rules;
	TAP_EQ_INT(sum + s->bad_actions.rules, s->res_rules,
		   "per-action counts add up to the resolved rules");
	size_t unnamed = 0;
	for (size_t i = 0; i < s->nactions; i++)
		unnamed += strncmp(s->actions[i].action, "SCMP_ACT_", 9) != 0 ||
			   !s->actions[i].rules;
	tap_ok(s->nactions >= 2 && !unnamed, "%zu actions, each named and with rules", s->nactions);
	secprof_summary_free(s);

	secprof_ctx_set_warn(ctx, count_warn, &ws);
	s = check_json(
		ctx,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"nosuch\",\"getpid\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}",
		&err);
	tap_ok(s && s->warnings == 1 && ws.n == 1 && strstr(ws.last, "nosuch"),
	       "a name unknown on every arch: one warning (%s)", ws.last);
	TAP_EQ_INT(ws.runc, 1, "a profile denying what runc calls after the load: one runc note");
	TAP_EQ_INT(ws.crun, 1, "... and what crun calls after its load: one crun note");
	secprof_summary_free(s);
	secprof_ctx_set_strict(ctx, true);
	s = check_json(
		ctx,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"nosuch\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}",
		&err);
	tap_ok(!s && err.code == SECPROF_E_PROFILE, "strict: the warning is an error");
	secprof_summary_free(s);
	secprof_ctx_set_strict(ctx, false);
	secprof_ctx_set_warn(ctx, NULL, NULL);
	memset(&err, 0, sizeof(err));
	s = check_json(
		ctx,
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],"
		"\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		&err);
	tap_ok(!s && err.code == SECPROF_E_PROFILE && strstr(err.msg, "listenerPath"),
	       "NOTIFY without listenerPath is refused, as runc does: %s", err.msg);
	secprof_summary_free(s);
	tap_ok(!secprof_check(ctx, NULL, NULL, &err) && err.code == SECPROF_E_USAGE,
	       "NULL arguments");
}

static void test_run(secprof_ctx *ctx)
{
	secprof_error err = { 0 };
	secprof_prog *prog = (secprof_prog *)1;
	char path[] = "/tmp/test_api_XXXXXX";
	int fd;

	TAP_EQ_INT(secprof_run_filter(ctx, "unconfined", false, 0, NULL, &prog, &err), 0,
		   "unconfined");
	tap_ok(prog == NULL, "unconfined: no program");
	tap_ok(secprof_run_filter(ctx, "builtin", true, 0, NULL, &prog, &err) < 0 && !prog,
	       "privileged + builtin fails as in moby");
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT(secprof_run_filter(ctx, "/nonexistent/p.json", false, 0, NULL, &prog, &err),
		   -SECPROF_E_SYSTEM, "a profile that cannot be opened");
	TAP_EQ_STR(
		err.msg,
		"opening seccomp profile (/nonexistent/p.json) failed: open /nonexistent/p.json: "
		"No such file or directory",
		"docker/cli's wording");

	/* a real command under a real filter: uname(2) kills the process */
	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"uname\"],"
		"\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}";
	fd = mkstemp(path);
	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json)) {
		tap_ok(0, "temp profile");
		return;
	}
	close(fd);
	memset(&err, 0, sizeof(err));
	int rc = secprof_run_filter(ctx, path, false, secprof_caps_docker_default(), NULL, &prog,
				    &err);
	unlink(path);
	if (!tap_ok(rc == 0 && prog, "the profile compiles: %s", err.msg))
		return;
	char *uname_argv[] = { "uname", "-s", NULL }, *sh_argv[] = { "sh", "-c", "exit 7", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	secprof_run_opts o = { .prog = prog,
			       .caps = secprof_caps_docker_default(),
			       .argv = uname_argv,
			       .envp = envp };
	fflush(NULL);
	TAP_EQ_INT(secprof_run(&o, &err), 128 + 31,
		   "uname under the filter: killed by SIGSYS (128+31)");
	o.argv = sh_argv;
	TAP_EQ_INT(secprof_run(&o, &err), 7, "sh -c 'exit 7' under the filter: its status");
	/* More than can be passed: refused before anything is sampled (the
	 * bitmap's size would wrap around). */
	o.preserve_fds = UINT_MAX;
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT(secprof_run(&o, &err), SECPROF_EXIT_ERROR, "preserve_fds UINT_MAX: 125");
	TAP_EQ_STR(err.msg, "preserve_fds 4294967295: at most 65536 fds can be passed",
		   "and says the limit");
	o.preserve_fds = 0;
	char *none_argv[] = { "/nonexistent-cmd", NULL };
	o.argv = none_argv;
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT(secprof_run(&o, &err), SECPROF_EXIT_NOT_FOUND, "a missing command: 127");
	tap_ok(err.code != 0, "with an error: %s", err.msg);
	secprof_prog_free(prog);
}

static void test_container_run(secprof_ctx *ctx)
{
	secprof_error err = { 0 };
	const char *foo[] = { "foo" }, *env[] = { "A=1" };
	char *true_argv[] = { "true", NULL };
	char *env_argv[] = {
		"sh", "-c",
		"test \"$A\" = 1 && test -n \"$PATH\" && test -n \"$HOSTNAME\" && exit 5", NULL
	};
	char *nnp_argv[] = { "sh", "-c", "grep -q 'NoNewPrivs:.1' /proc/self/status", NULL };
	char *uname_argv[] = { "sh", "-c", "exec uname >/dev/null", NULL };
	char path[] = "/tmp/test_api_XXXXXX";
	secprof_container_opts o = { .argv = true_argv, .cap_add = foo, .ncap_add = 1 };

	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), SECPROF_EXIT_ERROR,
		   "an unknown --cap-add: 125");
	TAP_EQ_STR(err.msg, "invalid CapAdd: unknown capability: \"CAP_FOO\"", "moby's wording");
	o = (secprof_container_opts){ .argv = true_argv, .cap_drop = foo, .ncap_drop = 1 };
	memset(&err, 0, sizeof(err));
	secprof_container_run(ctx, &o, &err);
	TAP_EQ_STR(err.msg, "invalid CapDrop: unknown capability: \"CAP_FOO\"",
		   "and for --cap-drop");
	o = (secprof_container_opts){ .argv = true_argv, .workdir = "rel" };
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), SECPROF_EXIT_ERROR,
		   "a relative workdir: 125");
	o = (secprof_container_opts){ .argv = true_argv, .network = "host" };
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), SECPROF_EXIT_ERROR,
		   "--network without rootfs: 125");
	o = (secprof_container_opts){ .argv = true_argv, .user = "" };
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), SECPROF_EXIT_ERROR,
		   "an empty --user: 125");
	o = (secprof_container_opts){ 0 };
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), SECPROF_EXIT_ERROR, "no command: 125");

	memset(&err, 0, sizeof(err));
	o = (secprof_container_opts){ .argv = env_argv, .env = env, .nenv = 1 };
	fflush(NULL);
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), 5,
		   "Docker's environment: PATH, HOSTNAME, -e A=1");
	o = (secprof_container_opts){ .argv = nnp_argv, .no_new_privs = true };
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), 0, "no-new-privileges is set");

	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"uname\"],"
		"\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json)) {
		tap_ok(0, "temp profile");
		return;
	}
	close(fd);
	o = (secprof_container_opts){ .argv = uname_argv, .seccomp = path };
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), 128 + 31,
		   "seccomp=PATH: uname is killed (SIGSYS)");
	o.seccomp = "unconfined";
	TAP_EQ_INT(secprof_container_run(ctx, &o, &err), 0, "seccomp=unconfined: uname runs");
	unlink(path);
}

static void test_info_probe(void)
{
	secprof_error err = { 0 };
	secprof_info in;
	secprof_probe_report r;

	TAP_EQ_INT(secprof_info_collect(&in, &err), 0, "info");
	TAP_EQ_STR(in.native_arch, secprof_arch_name(secprof_arch_native()), "info: native arch");
	tap_ok(in.kernel[0] && in.machine[0] && in.seccomp_mode >= 0,
	       "info: kernel %s (%s), mode %d", in.kernel, in.machine, in.seccomp_mode);
	TAP_EQ_INT(secprof_probe(&r, &err), 0, "probe");
	size_t unsorted = 0, named = 0;
	for (size_t i = 0; i < r.nresults; i++) {
		named += r.results[i].name && r.results[i].group;
		unsorted += i && strcmp(r.results[i - 1].name, r.results[i].name) >= 0;
	}
	tap_ok(r.nresults > 10 && named == r.nresults && !unsorted,
	       "probe: %zu results, named, sorted", r.nresults);
	TAP_EQ_INT(r.uid, getuid(), "probe: uid");
	secprof_probe_report_free(&r);
	tap_ok(r.results == NULL && r.nresults == 0,
	       "secprof_probe_report_free empties the report");
}

int main(void)
{
	secprof_ctx *ctx = secprof_ctx_new();

	test_arches();
	test_syscalls();
	test_bpf(ctx);
	test_check(ctx);
	test_run(ctx);
	test_container_run(ctx);
	test_info_probe();
	secprof_ctx_free(ctx);
	return tap_done();
}
