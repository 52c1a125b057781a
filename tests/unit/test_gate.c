/* test_gate.c - where a container's command waits for its init's gate
 * (proc.c pass_gate): sp_exec_command, held, runs its own set-up and then
 * stops at its filter's load point (early without no-new-privileges,
 * just before execve with it) until SP_GATE_GO comes through the gate;
 * any other byte, a NUL among them, and the end of the pipe stop it with
 * the reason, and the command never runs; with a profile, no filter is
 * loaded before the byte either (the read must not be a call the profile
 * answers). In the real kernel: each case forks a child that calls
 * sp_exec_command with /bin/sh as the command, whose output is the sign
 * that it ran. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/run.h"
#include "tap.h"

#define NOT_A_BYTE (-1) /* the writer closes the gate without one */
#define LOCKDOWN "the container's init (secprof-init) could not lock itself down: "

/* What reached the command's stdout within ms milliseconds ("" if none). */
static void read_within(int fd, int ms, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = 0;

	buf[0] = '\0';
	if (poll(&p, 1, ms) == 1 && (n = read(fd, buf, len - 1)) > 0)
		buf[n] = '\0';
}

static void child(int gate_rfd, int out_wfd, bool nnp, const secprof_prog *prog,
		  struct sp_child_report *rep)
{
	char *argv[] = { "/bin/sh", "-c", "echo ran", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	char *slots[4];
	struct sp_run_opts o = { .argv = argv,
				 .envp = envp,
				 .env_slots = slots,
				 .no_new_privs = nnp,
				 .prog = prog,
				 .held = true,
				 .gate_fd = gate_rfd };

	if (dup2(out_wfd, 1) < 0)
		_exit(2);
	sp_exec_command(&o, rep);
}

/* The "Seccomp:" field of /proc/PID/status: 0 none, 2 filtered. */
static int seccomp_mode(pid_t pid)
{
	char path[64], line[256];
	int mode = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

/* One case: the byte the gate gets (or NOT_A_BYTE), after a pause long
 * enough for an unheld command to have run; prog: the profile's filter
 * or NULL. */
static void gate_case(int byte, bool nnp, const secprof_prog *prog, const char *want_msg)
{
	struct sp_child_report *rep =
		mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int gate[2], out[2], status = -1;
	char before[64], after[64];
	pid_t pid;

	tap_diag("byte %d, %s%s", byte, nnp ? "no-new-privileges" : "filter loaded early",
		 prog ? ", Docker's default profile" : "");
	if (rep == MAP_FAILED || pipe2(gate, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		tap_ok(0, "set-up: %s", strerror(errno));
		return;
	}
	memset(rep, 0, sizeof(*rep));
	rep->pipe_fd = rep->pipe_rfd = -1;
	if ((pid = fork()) == 0) {
		close(gate[1]);
		close(out[0]);
		child(gate[0], out[1], nnp, prog, rep);
	}
	close(gate[0]);
	close(out[1]);
	read_within(out[0], 300, before, sizeof(before));
	TAP_EQ_STR(before, "", "nothing of the command's before the gate's byte");
	TAP_EQ_INT(waitpid(pid, NULL, WNOHANG), 0, "the command's process waits at its gate");
	if (prog)
		TAP_EQ_INT(seccomp_mode(pid), 0, "no filter loaded before the gate's byte");
	if (byte != NOT_A_BYTE && write(gate[1], &(unsigned char){ (unsigned char)byte }, 1) != 1)
		tap_diag("write: %s", strerror(errno));
	close(gate[1]);
	read_within(out[0], 10000, after, sizeof(after));
	waitpid(pid, &status, 0);
	close(out[0]);
	if (!want_msg) {
		TAP_EQ_STR(after, "ran\n", "the command ran once released");
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "its status 0 (0x%x)",
		       status);
	} else {
		TAP_EQ_STR(after, "", "the command never ran");
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == SP_EXIT_ERROR,
		       "stopped with status %d (0x%x)", SP_EXIT_ERROR, status);
		TAP_EQ_STR(rep->err.msg, want_msg, "the reason reported");
	}
	munmap(rep, sizeof(*rep));
}

/* Docker's default profile compiled for this machine, or NULL. */
static secprof_prog *default_filter(secprof_ctx *ctx)
{
	secprof_resolve_opts ro = { .caps = secprof_caps_docker_default() };
	secprof_error err;
	secprof_profile *p = secprof_profile_builtin(ctx, &err);
	secprof_resolved *r = p ? secprof_resolve(ctx, p, &ro, &err) : NULL;
	secprof_prog *prog = r ? secprof_compile(ctx, r, NULL, &err) : NULL;

	if (!prog)
		tap_diag("no filter: %s", err.msg);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return prog;
}

int main(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_prog *prog = ctx ? default_filter(ctx) : NULL;

	/* a command that did not wait has closed the gate: EPIPE, not death */
	signal(SIGPIPE, SIG_IGN);
	for (int nnp = 0; nnp < 2; nnp++) {
		gate_case(SP_GATE_GO, nnp, NULL, NULL);
		gate_case(SP_GATE_FILTER, nnp, NULL, LOCKDOWN "cannot load its own filter");
		tap_ok(prog != NULL, "Docker's default profile compiled");
		if (prog)
			gate_case(SP_GATE_GO, nnp, prog, NULL);
	}
	gate_case(0, false, NULL, LOCKDOWN "it stopped before it said why");
	gate_case(NOT_A_BYTE, false, NULL, LOCKDOWN "it stopped before it said why");
	secprof_prog_free(prog);
	secprof_ctx_free(ctx);
	return tap_done();
}
