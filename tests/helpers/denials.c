/* denials.c - the test program of `secprof run --explain` (tests/suites/
 * run-explain.sh): known calls that Docker's default profile denies, each
 * between allowed ones, with what each returned printed on stdout, so that
 * the output under --explain can be compared with the output without it.
 *
 *   denials            add_key, mount, unshare(CLONE_NEWUSER),
 *                      socket(AF_VSOCK), keyctl, number 600 (above x86_64's
 *                      highest: runc's ENOSYS stub), clone3, and acct
 *                      1000 times
 *   kill               a few allowed calls, then syslog(2): the test
 *                      profile's KILL_PROCESS rule
 *   listener           load a filter of its own with a listener
 *   loop N             N getppid calls (allowed): the benchmark's loop,
 *                      ns per call in thread CPU time (fastest of 16
 *                      chunks, then the whole loop)
 *   denied-loop N      N acct calls (denied), ns per call, wall clock
 *   session-keyring    the session keyring's serial and description
 *                      (tests/suites/container.sh: a container's own)
 *   tiocsti [PATH]     push a byte into the input of the terminal on fd 0
 *                      (or PATH): what could type into the caller's shell
 *   init-state SECRET  first thing: PID 1's Seccomp, NoNewPrivs, CapBnd
 *                      and CapEff from /proc/1/status, its argv[0]
 *                      (/proc/1/cmdline), and whether SECRET shows in
 *                      /proc/1/environ or anywhere in its memory
 *                      (/proc/1/mem):
 *                      what secprof's init exposes when the command starts
 *   inject-init CMD    (x86_64) attach to PID 1 with ptrace and make it
 *                      execve /bin/sh -c CMD: what a container with
 *                      CAP_SYS_PTRACE could do to secprof's init
 *   vfork-wait         vfork a child that waits forever: the parent waits
 *                      where PTRACE_INTERRUPT does not stop it (secprof
 *                      dump gives up); prints "done" when the child is
 *                      killed
 *   calls NR[:ARG0]... each syscall NR (arguments 0, or ARG0 first),
 *                      printing "NR ret" or "NR errno=E" on one line
 *                      each, written with write(2) only: what a
 *                      filter decides for them, under a runtime that
 *                      is not secprof (tests/suites/export-systemd.sh)
 *   hostile-names DIR  (x86_64) a comm and a code file (in DIR) whose
 *                      names hold terminal escapes, a carriage return and
 *                      a bidi override; acct called from that file: what
 *                      run --explain reads about the caller and prints
 *
 * Raw syscall(2) throughout, so that no libc wrapper adds or hides a call. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* "name: result" with the errno's symbolic value, one line each. */
static void show(const char *what, long rc)
{
	if (rc < 0)
		printf("%s: -1 %s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else
		printf("%s: %ld\n", what, rc);
	fflush(stdout);
}

/* An allowed call between denied ones: its result never changes. */
static void allowed(void)
{
	show("getppid>0", syscall(SYS_getppid) > 0);
}

static int denials(void)
{
	allowed();
	{
		/* a key's serial differs from run to run: shown as 1 */
		long rc = syscall(SYS_add_key, "user", "secprof-explain", "x", 1,
				  -2 /* PROCESS_KEYRING */);
		show("add_key>0", rc > 0 ? 1 : rc);
	}
	allowed();
	show("mount", syscall(SYS_mount, "none", "/nonexistent-secprof-explain", "tmpfs",
			      1UL /* MS_RDONLY */, NULL));
	allowed();
	show("unshare", syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */));
	allowed();
	show("socket", syscall(SYS_socket, 40 /* AF_VSOCK */, 1 /* SOCK_STREAM */, 0));
	allowed();
	show("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2, 0));
	allowed();
#if defined(__x86_64__)
	show("nr600", syscall(600));
	allowed();
#endif
	show("clone3", syscall(SYS_clone3, NULL, 0));
	allowed();
	{
		long rc = 0;
		int e = 0;
		for (int i = 0; i < 1000; i++) {
			errno = 0;
			rc = syscall(SYS_acct, NULL);
			if (i == 0)
				e = errno;
			else if (errno != e)
				break;
		}
		show("acct x1000", rc);
	}
	allowed();
	return 0;
}

static int kill_test(void)
{
	allowed();
	show("write", 0);
	syscall(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, NULL, 0);
	show("after syslog (not reached)", 0);
	return 0;
}

/* ns per allowed call, in this thread's CPU time: on a loaded machine
 * the wall clock mostly measures the other processes. Timed in 16 equal
 * chunks; printed: the fastest chunk's ns per call, then the whole
 * loop's. A chunk that other work on the core (a sibling thread, a
 * preemption's cold caches) slowed down only makes the second figure
 * noisy; a cost of the filter itself is in every chunk, the fastest too. */
static double ns_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

static int loop(long n)
{
	enum { CHUNKS = 16 };
	struct timespec t[CHUNKS + 1];
	long per = n / CHUNKS > 0 ? n / CHUNKS : 1;
	double best = -1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t[0]);
	for (int c = 0; c < CHUNKS; c++) {
		for (long i = 0; i < per; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t[c + 1]);
		if (best < 0 || ns_between(&t[c], &t[c + 1]) < best)
			best = ns_between(&t[c], &t[c + 1]);
	}
	printf("%.2f %.2f\n", best / (double)per,
	       ns_between(&t[0], &t[CHUNKS]) / (double)(per * CHUNKS));
	return 0;
}

/* ns per denied call, wall clock: the supervisor's side counts too */
static int denied_loop(long n)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_acct, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n",
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n);
	return 0;
}

/* Load a filter of its own with a listener (allow-all program): under
 * run --explain the kernel refuses a second listener in the chain with
 * EBUSY (kernel/seccomp.c init_listener), so the command cannot take over
 * the answers to its own denied calls. */
static int listener(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	long rc;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	show("seccomp(NEW_LISTENER)>=0", rc >= 0 ? 1 : rc);
	return 0;
}

/* "serial type;uid;gid;perm;description" of the session keyring. */
static int session_keyring(void)
{
	char desc[256] = "";
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);

	if (id < 0 || syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1) < 0) {
		perror("keyctl");
		return 1;
	}
	printf("%ld %s\n", id, desc);
	return 0;
}

/* TIOCSTI of one space: "tiocsti: ok" or the errno's name. */
static int tiocsti(const char *path)
{
	int fd = path ? open(path, O_RDWR | O_NOCTTY) : 0;
	char c = ' ';

	if (fd < 0 || ioctl(fd, TIOCSTI, &c) < 0)
		printf("tiocsti: %s\n", strerrorname_np(errno));
	else
		printf("tiocsti: ok\n");
	return 0;
}

/* Read all of path into buf (NUL-terminated); its length, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while (got < (ssize_t)size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* Whether secret shows anywhere in PID 1's memory that it can read: every
 * readable mapping of /proc/1/maps, read through /proc/1/mem (needs
 * CAP_SYS_PTRACE). Where the kernel put its argument and environment
 * strings, its heap, its data: what a container given that capability can
 * read of its init. */
static const char *memory_has(const char *secret)
{
	static char maps[65536], page[4096 + 256];
	size_t len = strlen(secret);
	bool found = false;
	int fd;

	if (slurp("/proc/1/maps", maps, sizeof(maps)) < 0 ||
	    (fd = open("/proc/1/mem", O_RDONLY)) < 0)
		return strerrorname_np(errno);
	for (char *line = maps; *line && !found;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		unsigned long lo, hi;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3 || perms[0] != 'r')
			continue;
		for (unsigned long a = lo; a < hi && !found; a += 4096) {
			ssize_t n = pread(fd, page, sizeof(page), (off_t)a);
			for (ssize_t i = 0; n > 0 && i + (ssize_t)len <= n && !found; i++)
				found = !memcmp(page + i, secret, len);
		}
	}
	close(fd);
	return found ? "secret" : "no secret";
}

static int init_state(const char *secret)
{
	static const char *const keys[] = { "Seccomp:", "NoNewPrivs:", "CapBnd:", "CapEff:" };
	static char status[8192], cmdline[8192], env[65536];
	ssize_t nc = slurp("/proc/1/cmdline", cmdline, sizeof(cmdline));
	ssize_t ne = slurp("/proc/1/environ", env, sizeof(env));
	bool found = false;

	/* the files first: they are what a race would show */
	if (slurp("/proc/1/status", status, sizeof(status)) < 0)
		return 1;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *line = strstr(status, keys[k]);
		if (line)
			printf("%.*s\n", (int)strcspn(line, "\n"), line);
	}
	for (ssize_t i = 0; i < ne && !found; i += (ssize_t)strlen(env + i) + 1)
		found = strstr(env + i, secret) != NULL;
	printf("cmdline: %s\n", nc > 0 ? cmdline : "(none)");
	printf("environ: %s\n", ne < 0 ? strerrorname_np(errno) : found ? "secret" : "no secret");
	printf("memory: %s\n", memory_has(secret));
	return 0;
}

#ifdef __x86_64__
/* Write n bytes at addr in the tracee, a word at a time. */
static int poke(pid_t pid, unsigned long addr, const void *buf, size_t n)
{
	for (size_t i = 0; i < n; i += sizeof(long)) {
		unsigned long w = 0;
		memcpy(&w, (const char *)buf + i, n - i < sizeof(w) ? n - i : sizeof(w));
		if (ptrace(PTRACE_POKEDATA, pid, addr + i, w) < 0)
			return -1;
	}
	return 0;
}

/* Stop PID 1, write "/bin/sh -c CMD" below its stack pointer, point its
 * next instruction at a syscall instruction with execve's number and
 * arguments, and let it go. */
static int inject_init(const char *cmd)
{
	struct user_regs_struct r;
	char text[1024] = { 0 };
	unsigned long sp, av[4], code;
	int st;

	if (ptrace(PTRACE_ATTACH, 1, 0, 0) < 0) {
		printf("attach: %s\n", strerrorname_np(errno));
		return 1;
	}
	waitpid(1, &st, __WALL);
	ptrace(PTRACE_GETREGS, 1, 0, &r);
	sp = (r.rsp - 4096) & ~15UL;
	snprintf(text, sizeof(text), "%s", cmd);
	av[0] = sp, av[1] = sp + 16, av[2] = sp + 32, av[3] = 0;
	if (poke(1, sp, "/bin/sh\0", 8) || poke(1, sp + 16, "-c\0", 3) ||
	    poke(1, sp + 32, text, strlen(text) + 1) || poke(1, sp + 2048, av, sizeof(av))) {
		printf("poke: %s\n", strerrorname_np(errno));
		return 1;
	}
	code = (unsigned long)ptrace(PTRACE_PEEKTEXT, 1, r.rip, 0);
	ptrace(PTRACE_POKETEXT, 1, r.rip, (code & ~0xffffUL) | 0x050f); /* syscall */
	r.rax = SYS_execve, r.orig_rax = (unsigned long)-1;
	r.rdi = sp, r.rsi = sp + 2048, r.rdx = 0, r.rsp = sp - 64;
	ptrace(PTRACE_SETREGS, 1, 0, &r);
	/* said before init runs again: if it dies, the container goes too */
	printf("injected\n");
	fflush(stdout);
	ptrace(PTRACE_DETACH, 1, 0, 0);
	return 0;
}
#endif

#ifdef __x86_64__
static int hostile_names(const char *dir)
{
	/* mov eax, SYS_acct; syscall; ret */
	static const unsigned char code[] = { 0xb8, SYS_acct, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	char path[4096];
	long (*call)(const char *);
	void *m;
	int fd;

	syscall(SYS_prctl, PR_SET_NAME, "\033]0;PWN\007\033[2J", 0, 0, 0);
	snprintf(path, sizeof(path), "%s/lib\033[31mRED\r\xe2\x80\xaeok", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, code, sizeof(code)) != (ssize_t)sizeof(code)) {
		printf("code file: %s\n", strerrorname_np(errno));
		return 1;
	}
	m = mmap(NULL, sizeof(code), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		printf("mmap: %s\n", strerrorname_np(errno));
		return 1;
	}
	call = (long (*)(const char *))m;
	printf("acct: %ld\n", call("/x\033[1m")); /* the raw answer: -EPERM */
	return 0;
}
#endif

static int vfork_wait(void)
{
	/* libc's vfork keeps its return address out of the shared stack */
	if (vfork() == 0)
		for (;;)
			pause();
	printf("done\n");
	return 0;
}

/* No stdio: its buffer's allocation would need calls the filter under
 * test may deny. */
static int calls(int n, char **nrs)
{
	for (int i = 0; i < n; i++) {
		char *end, line[64];
		long nr = strtol(nrs[i], &end, 0), a0 = *end == ':' ? strtol(end + 1, NULL, 0) : 0;
		long r = syscall(nr, a0, 0, 0, 0, 0, 0);
		int len = r < 0 ? snprintf(line, sizeof(line), "%ld errno=%d\n", nr, errno)
				: snprintf(line, sizeof(line), "%ld ret\n", nr);
		if (syscall(SYS_write, 1, line, (size_t)len) != len)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "calls"))
		return calls(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "listener"))
		return listener();
	if (argc >= 2 && !strcmp(argv[1], "denials"))
		return denials();
	if (argc >= 2 && !strcmp(argv[1], "kill"))
		return kill_test();
	if (argc >= 3 && !strcmp(argv[1], "loop"))
		return loop(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "denied-loop"))
		return denied_loop(atol(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "session-keyring"))
		return session_keyring();
	if (argc >= 3 && !strcmp(argv[1], "init-state"))
		return init_state(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "vfork-wait"))
		return vfork_wait();
	if (argc >= 2 && !strcmp(argv[1], "tiocsti"))
		return tiocsti(argc >= 3 ? argv[2] : NULL);
#ifdef __x86_64__
	if (argc >= 3 && !strcmp(argv[1], "inject-init"))
		return inject_init(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "hostile-names"))
		return hostile_names(argv[2]);
#endif
	fprintf(stderr, "usage: denials denials|kill|loop N|denied-loop N|session-keyring\n");
	return 2;
}
