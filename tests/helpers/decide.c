/* decide.c - run decision tests (docs/CONVENTIONS.md §11) through secprof's BPF,
 * libseccomp's BPF of the same profile and the kernel.
 *
 *   decide [--live] PROFILE.json|builtin FILE.tests
 *
 * FILE.tests rows:  ARCH SYSCALL [A0..A5] -> ACTION [scmp=ACTION] [live[=EXPECT]]
 *   ARCH     libseccomp arch name of the syscall's ABI (x86_64, x86, x32, ...)
 *   SYSCALL  name, number (decimal/0x) or range LO-HI
 *   An       number, range LO-HI (both ends and the middle are tried) or N
 *            (don't care: 0, 1, 2^31-1, 2^32-1, 2^32 and 2^64-1 are tried);
 *            arguments not written are 0
 *   ACTION   ALLOW, ERRNO(n), KILL_THREAD (or KILL), KILL_PROCESS, TRAP,
 *            TRACE(n), LOG, NOTIFY
 * A line "#! kernel=X.Y cap-add=CAP cap-drop=CAP arch=GOARCH no-enosys exact"
 * sets how the profile is resolved and compiled (default: amd64, Docker's
 * capabilities, kernel 6.1; `exact`: --exact-libseccomp, the program
 * libseccomp builds, without it arguments the kernel reads as 32 bits are
 * compared on their low word).
 *
 * Every row is checked in the emulator on the compiled program, against
 * the ruleset oracle (sp_ruleset_decide) and on the program libseccomp
 * builds for the profile driven as runc drives it (tests/compat/runc_scmp.h),
 * which must decide the same unless the row says `scmp=ACTION`: a known,
 * explained difference (a comment above the row says why). With --live, rows marked `live` also
 * run in the kernel for the native arch, in a forked child that loads the
 * filter and makes the syscall: x86 rows through `int $0x80`, x32 rows with
 * the x32 bit in nr. `live=E` says what an allowed call returns (an errno
 * number, or 0 for success); `live=mt` makes the call from a second thread
 * so KILL_THREAD and KILL_PROCESS can be told apart.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "../compat/runc_scmp.h"

struct opts {
	secprof_resolve_opts ro;
	secprof_compile_opts co;
	const char *add[8], *drop[8];
	size_t nadd, ndrop;
};

struct range {
	uint64_t lo, hi;
	bool any;
};

struct row {
	const struct sp_arch *arch;
	struct range nr;
	struct range args[6];
	char want[48];
	char scmp_want[48]; /* libseccomp's verdict: want unless scmp= says */
	bool live;
	char live_arg[16];
	char text[512];
	unsigned line;
};

static int tap_n, tap_failed;
static bool live_mode;
/* Whether this kernel runs i386 calls at all (i386_probe), and how many
 * x86 rows were therefore checked without the kernel. */
static bool i386_runs = true;
static char i386_why[64];
static unsigned i386_unrun;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tap_failed += !ok;
}

static bool parse_num(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && !errno && !*end && *s != '-';
}

static bool parse_range(const char *s, struct range *r)
{
	char lo[64];
	const char *dash = strchr(s + 1, '-');

	memset(r, 0, sizeof(*r));
	if (!strcmp(s, "N")) {
		r->any = true;
		return true;
	}
	if (!dash)
		return parse_num(s, &r->lo) && (r->hi = r->lo, true);
	if ((size_t)(dash - s) >= sizeof(lo))
		return false;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	return parse_num(lo, &r->lo) && parse_num(dash + 1, &r->hi) && r->lo <= r->hi;
}

static bool parse_syscall(const struct sp_arch *a, const char *s, struct range *r)
{
	int32_t nr;
	if (parse_range(s, r) && !r->any)
		return true;
	if ((nr = sp_syscall_nr(a, s)) < 0)
		return false;
	r->any = false;
	r->lo = r->hi = (uint32_t)nr;
	return true;
}

/* "ARCH SYSCALL [ARGS] -> ACTION [live[=X]]" */
static bool parse_row(char *line, struct row *row)
{
	char *tok[16];
	int n = 0, arrow = -1;

	snprintf(row->text, sizeof(row->text), "%s", line);
	for (char *t = strtok(line, " \t\n"); t && n < 16; t = strtok(NULL, " \t\n"))
		tok[n++] = t;
	for (int i = 0; i < n; i++)
		if (!strcmp(tok[i], "->"))
			arrow = i;
	if (arrow < 2 || arrow > 8 || arrow + 1 >= n)
		return false;
	if (!(row->arch = sp_arch_by_name(tok[0])) || !parse_syscall(row->arch, tok[1], &row->nr))
		return false;
	for (int i = 0; i < 6; i++) {
		if (2 + i >= arrow)
			continue; /* arguments not written are 0 */
		else if (!parse_range(tok[2 + i], &row->args[i]))
			return false;
	}
	snprintf(row->want, sizeof(row->want), "%s",
		 !strcmp(tok[arrow + 1], "KILL") ? "KILL_THREAD" : tok[arrow + 1]);
	snprintf(row->scmp_want, sizeof(row->scmp_want), "%s", row->want);
	for (int i = arrow + 2; i < n; i++) {
		if (!strncmp(tok[i], "scmp=", 5)) {
			snprintf(row->scmp_want, sizeof(row->scmp_want), "%s",
				 !strcmp(tok[i] + 5, "KILL") ? "KILL_THREAD" : tok[i] + 5);
		} else if (!strncmp(tok[i], "live", 4)) {
			row->live = true;
			if (tok[i][4] == '=')
				snprintf(row->live_arg, sizeof(row->live_arg), "%s", tok[i] + 5);
		} else {
			return false;
		}
	}
	return true;
}

static void parse_opts(char *line, struct opts *o)
{
	for (char *t = strtok(line + 2, " \t\n"); t; t = strtok(NULL, " \t\n")) {
		if (!strncmp(t, "kernel=", 7))
			sscanf(t + 7, "%d.%d", &o->ro.kernel_major, &o->ro.kernel_minor);
		else if (!strncmp(t, "arch=", 5))
			o->ro.arch = strdup(t + 5);
		else if (!strncmp(t, "cap-add=", 8) && o->nadd < 8)
			o->add[o->nadd++] = strdup(t + 8);
		else if (!strncmp(t, "cap-drop=", 9) && o->ndrop < 8)
			o->drop[o->ndrop++] = strdup(t + 9);
		else if (!strcmp(t, "no-enosys"))
			o->co.no_enosys = true;
		else if (!strcmp(t, "exact"))
			o->co.exact_libseccomp = true;
	}
}

/* ---- the kernel ---------------------------------------------------------- */

struct live_result {
	int kind; /* 0 returned, 1 trapped, 2 thread died */
	long ret;
	int err;
	int sys;
};

static int result_fd = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	struct live_result r = { .kind = 1, .sys = si->si_syscall };
	(void)sig;
	(void)uc;
	if (write(result_fd, &r, sizeof(r)) < 0)
		_exit(3);
	_exit(0);
}

static long call_native(const struct sp_arch *a, uint32_t nr, const uint64_t *x)
{
#if defined(__x86_64__)
	if (!strcmp(a->name, "x86")) {
		/* the i386 ABI from a 64-bit process: seccomp sees AUDIT_ARCH_I386 */
		long ret;
		__asm__ volatile("push %%rbp\n\tmov %7, %%ebp\n\tint $0x80\n\tpop %%rbp"
				 : "=a"(ret)
				 : "a"(nr), "b"((uint32_t)x[0]), "c"((uint32_t)x[1]),
				   "d"((uint32_t)x[2]), "S"((uint32_t)x[3]), "D"((uint32_t)x[4]),
				   "r"((uint32_t)x[5])
				 : "memory");
		if (ret < 0 && ret > -4096) {
			errno = (int)-ret;
			return -1;
		}
		return ret;
	}
#endif
	(void)a;
	return syscall((long)(int32_t)nr, x[0], x[1], x[2], x[3], x[4], x[5]);
}

struct call {
	const struct sp_arch *arch;
	uint32_t nr;
	const uint64_t *args;
	struct live_result r;
};

static void *call_thread(void *p)
{
	struct call *c = p;
	c->r.ret = call_native(c->arch, c->nr, c->args);
	c->r.err = errno;
	c->r.kind = 0; /* a thread killed by seccomp never gets here */
	return NULL;
}

static void child(const secprof_prog *prog, struct call *c, bool mt)
{
	struct sock_fprog fp = { (unsigned short)prog->len, (struct sock_filter *)prog->insns };
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	pthread_t th;

	sigaction(SIGSYS, &sa, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
		_exit(4);
	if (mt) {
		c->r.kind = 2;
		if (pthread_create(&th, NULL, call_thread, c) || pthread_join(th, NULL))
			_exit(5);
	} else {
		call_thread(c);
	}
	if (write(result_fd, &c->r, sizeof(c->r)) < 0)
		_exit(3);
	_exit(0);
}

/* What the kernel did, in the words of the rows. */
static void run_live(const secprof_prog *prog, const struct row *row, uint32_t nr,
		     const uint64_t *args, char *got, size_t n)
{
	int fds[2], status;
	struct call c = { .arch = row->arch, .nr = nr, .args = args };
	struct live_result r = { .kind = -1 };
	pid_t pid;

	if (pipe(fds) || (pid = fork()) < 0) {
		snprintf(got, n, "fork failed");
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		result_fd = fds[1];
		c.r.ret = 0;
		c.r.err = 0;
		child(prog, &c, !strcmp(row->live_arg, "mt"));
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof(r)) != sizeof(r))
		r.kind = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(got, n, "%s", !strcmp(row->live_arg, "mt") ? "KILL_PROCESS" : "SIGSYS");
	else if (WIFSIGNALED(status))
		snprintf(got, n, "signal %d", WTERMSIG(status));
	else if (r.kind == 1)
		snprintf(got, n, "TRAP(si_syscall=%d)", r.sys);
	else if (r.kind == 2)
		snprintf(got, n, "KILL_THREAD");
	else if (r.kind == 0 && r.ret == -1)
		snprintf(got, n, "errno %d", r.err);
	else if (r.kind == 0)
		snprintf(got, n, "returned");
	else
		snprintf(got, n, "child exit %d", WEXITSTATUS(status));
}

/* The kernel's outcome that matches the emulator's verdict `want`. */
static void live_expect(const struct row *row, uint32_t nr, const char *want, char *out, size_t n)
{
	unsigned e;

	if (sscanf(want, "ERRNO(%u)", &e) == 1)
		snprintf(out, n, "errno %u", e > 4095 ? 4095 : e); /* MAX_ERRNO cap */
	else if (!strcmp(want, "TRAP"))
		snprintf(out, n, "TRAP(si_syscall=%d)", (int32_t)nr);
	else if (!strcmp(want, "ALLOW"))
		snprintf(out, n, !strcmp(row->live_arg, "0") ? "returned" : "errno %s",
			 row->live_arg);
	else if (!strncmp(want, "KILL", 4) && strcmp(row->live_arg, "mt"))
		snprintf(out, n, "SIGSYS"); /* one thread: both kills end the process */
	else
		snprintf(out, n, "%s", want);
}

/* ---- rows ----------------------------------------------------------------- */

static const uint64_t any_values[] = { 0, 1, 0x7fffffff, 0xffffffff, 0x100000000ull, UINT64_MAX };

static size_t values_of(const struct range *r, uint64_t *v)
{
	if (r->any) {
		memcpy(v, any_values, sizeof(any_values));
		return SP_ARRAY_SIZE(any_values);
	}
	v[0] = r->lo;
	v[1] = r->hi;
	v[2] = r->lo + (r->hi - r->lo) / 2;
	return r->lo == r->hi ? 1 : 3;
}

/* What one row is checked on. */
struct progs {
	const secprof_prog *prog;
	const struct sp_ruleset *rs;
	const struct runc_prog *scmp;
};

/* A row the kernel runs: marked live, --live given, and its ABI one this
 * kernel has (some kernels take no int $0x80: ia32_emulation=0 on the
 * command line, or a virtual machine without 32-bit compat mode). */
static bool in_kernel(const struct row *row)
{
	return row->live && live_mode && (i386_runs || strcmp(row->arch->name, "x86"));
}

/* Checks one (nr, args) input; returns false and fills why on mismatch. */
static bool check_input(const struct progs *ps, const struct row *row, uint32_t nr,
			const uint64_t *args, char *why, size_t n)
{
	const secprof_prog *prog = ps->prog;
	secprof_data d = { .nr = (int32_t)nr, .arch = row->arch->audit };
	char got[48], oracle[48], scmp[48], kern[64], exp[64];
	unsigned steps;

	memcpy(d.args, args, sizeof(d.args));
	sp_ret_str(secprof_emulate(prog->insns, prog->len, &d, &steps), got, sizeof(got));
	sp_ret_str(sp_ruleset_decide(ps->rs, &d), oracle, sizeof(oracle));
	sp_ret_str(secprof_emulate(ps->scmp->insns, ps->scmp->len, &d, NULL), scmp, sizeof(scmp));
	if (strcmp(got, row->want) || strcmp(oracle, row->want) || strcmp(scmp, row->scmp_want)) {
		snprintf(why, n, "nr %u args %llx,%llx,%llx: bpf %s, oracle %s, libseccomp %s", nr,
			 (unsigned long long)args[0], (unsigned long long)args[1],
			 (unsigned long long)args[2], got, oracle, scmp);
		return false;
	}
	if (!in_kernel(row))
		return true;
	run_live(prog, row, nr, args, kern, sizeof(kern));
	live_expect(row, nr, row->want, exp, sizeof(exp));
	if (strcmp(kern, exp)) {
		snprintf(why, n, "nr %u in the kernel: %s, want %s", nr, kern, exp);
		return false;
	}
	return true;
}

static bool check_args(const struct progs *ps, const struct row *row, uint32_t nr, uint64_t *args,
		       int i, char *why, size_t n)
{
	uint64_t v[8];
	size_t k = values_of(&row->args[i], v);

	if (in_kernel(row))
		k = 1; /* one input per row in the kernel keeps it quick */
	for (size_t j = 0; j < k; j++) {
		args[i] = v[j];
		if (i == 5 ? !check_input(ps, row, nr, args, why, n)
			   : !check_args(ps, row, nr, args, i + 1, why, n))
			return false;
	}
	return true;
}

static void run_row(const struct progs *ps, const struct row *row, const char *file)
{
	uint64_t args[6] = { 0 };
	char why[256] = "";
	bool ok = true;

	/* every number of a range up to 1024 wide; wider ones by 1024 samples */
	uint64_t span = row->nr.hi - row->nr.lo, stride = span / 1024 + 1;
	for (uint64_t i = 0; ok && i <= span / stride + 1; i++) {
		uint64_t nr = i > span / stride ? row->nr.hi : row->nr.lo + i * stride;
		if (in_kernel(row) && nr != row->nr.lo && nr != row->nr.hi)
			continue;
		ok = check_args(ps, row, (uint32_t)nr, args, 0, why, sizeof(why));
	}
	if (row->live && live_mode && !in_kernel(row))
		i386_unrun++;
	tap(ok, "%s:%u: %s%s", file, row->line, row->text, in_kernel(row) ? " [kernel]" : "");
	if (!ok)
		printf("# %s\n", why);
}

static secprof_profile *load_profile(secprof_ctx *ctx, const char *path, secprof_error *err)
{
	if (!strcmp(path, "builtin"))
		return secprof_profile_builtin(ctx, err);
	return secprof_profile_load_file(ctx, path, err);
}

static int run_file(const char *profile, const char *tests)
{
	char line[512], msg[1400];
	struct opts o = { .ro = { .kernel_major = 6, .kernel_minor = 1 } };
	secprof_error err = { 0 };
	FILE *f = fopen(tests, "r");
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_prog *prog = NULL;
	struct sp_ruleset *rs = NULL;
	struct runc_prog scmp = { 0 };
	unsigned lineno = 0;

	if (!f || !ctx) {
		printf("Bail out! cannot open %s\n", tests);
		return 1;
	}
	o.ro.arch = "amd64";
	while (fgets(line, sizeof(line), f)) {
		struct row row = { .line = ++lineno };
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "#!", 2)) {
			parse_opts(line, &o);
			continue;
		}
		if (line[0] == '#' || !line[strspn(line, " \t")])
			continue;
		if (!prog) {
			if (secprof_caps_tweak(o.add, o.nadd, o.drop, o.ndrop, false,
					       secprof_caps_all(), &o.ro.caps, &err) < 0 ||
			    !(p = load_profile(ctx, profile, &err)) ||
			    !(r = secprof_resolve(ctx, p, &o.ro, &err)) ||
			    !(rs = sp_ruleset_build(ctx, r, &o.co, &err)) ||
			    !(prog = secprof_compile(ctx, r, &o.co, &err))) {
				printf("Bail out! %s\n",
				       secprof_error_format(&err, msg, sizeof(msg)));
				return 1;
			}
			struct runc_opts ropts = { .no_stub = o.co.no_enosys };
			if (runc_scmp_build(r, &ropts, &scmp, msg, sizeof(msg))) {
				printf("Bail out! libseccomp (as runc) cannot build the profile: %s\n",
				       msg);
				return 1;
			}
		}
		if (!parse_row(line, &row)) {
			tap(false, "%s:%u: cannot parse row: %s", tests, lineno, row.text);
			continue;
		}
		run_row(&(struct progs){ prog, rs, &scmp }, &row, tests);
	}
	fclose(f);
	runc_prog_free(&scmp);
	sp_ruleset_free(rs);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	return 0;
}

/* getpid through int $0x80 in a child without a filter: what every x86
 * row's kernel check stands on. Only the two answers of a kernel without
 * i386 code turn the rows off: SIGSEGV (no 32-bit entry at all) and
 * ENOSYS. Anything else (the probe could not run, a filter already on
 * this process) leaves them on, to fail where they stand. */
static void i386_probe(void)
{
#if defined(__x86_64__)
	const struct sp_arch *x86 = sp_arch_by_name("x86");
	uint64_t none[6] = { 0 };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r;

		signal(SIGSEGV, SIG_DFL); /* a sanitizer's handler would exit 1 instead */
		r = call_native(x86, 20 /* i386 getpid */, none);
		_exit(r == getpid() ? 0 : r < 0 && errno == ENOSYS ? 2 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		snprintf(i386_why, sizeof(i386_why), "int $0x80 from a 64-bit process: SIGSEGV");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		snprintf(i386_why, sizeof(i386_why), "int $0x80 getpid: ENOSYS");
	i386_runs = !i386_why[0];
#endif
}

int main(int argc, char **argv)
{
	int i = 1;

	if (i < argc && !strcmp(argv[i], "--live")) {
		live_mode = true;
		i++;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: decide [--live] PROFILE|builtin FILE.tests\n");
		return 2;
	}
	if (live_mode)
		i386_probe();
	run_file(argv[i], argv[i + 1]);
	if (i386_unrun)
		printf("ok %d - %u x86 rows in the kernel # SKIP no i386 call here (%s)\n", ++tap_n,
		       i386_unrun, i386_why);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
