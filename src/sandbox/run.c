/* run.c - run a command under a filter the way docker run + runc do.
 *
 * The filter is compiled by the caller before anything forks, so a bad
 * profile never starts the command. The child then follows runc's
 * standard_init order (docs/COMPAT.md §4.1.4): without no-new-privileges the filter is
 * loaded first, while the child still holds CAP_SYS_ADMIN; then the bounding
 * set is cut, the user switched and the capability sets written
 * (finalizeNamespace); with no-new-privileges the bit is set and the filter
 * loaded last, just before execve. A child that gives up leaves its
 * reason in a shared page; the parent learns that the children are done
 * (execve or death) from the end of file of a close-on-exec pipe. */
#include <ctype.h>
#include <sched.h>
#include <signal.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

/* A signal that ends secprof (from timeout(1), Ctrl-C, a supervisor)
 * while the children are still setting up: they cannot get it yet (the
 * command unblocks signals only once it is set up, init forwards only to
 * a command), and a setup that never finishes (a profile denying what the
 * runtime needs, under a sanitizer whose fault handler then spins) would
 * hold secprof for ever. Other forwarded signals stay pending for the
 * command. Returns the signal taken, or 0. */
static int stop_signal_pending(void)
{
	static const int stops[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
	struct timespec now = { 0 };
	sigset_t pending, set;

	if (sigpending(&pending) < 0)
		return 0;
	sigemptyset(&set);
	for (size_t i = 0; i < SP_ARRAY_SIZE(stops); i++)
		if (sigismember(&pending, stops[i]))
			sigaddset(&set, stops[i]);
	return sigisemptyset(&set) ? 0 : sigtimedwait(&set, NULL, &now);
}

/* Wait until the children are done with setup: the sync pipe's end of
 * file (execve closed it, or they died), or a report in the shared page. A
 * child that reported cannot always die by itself (a filter may deny
 * exit_group, and a sanitizer's fault handler then spins), so it is
 * killed; so is one still in setup when secprof is told to stop. Returns
 * that signal, or 0. */
static int wait_for_children(int fd, pid_t pid, struct sp_child_report *rep)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	int sig;

	for (;;) {
		if (__atomic_load_n(&rep->status, __ATOMIC_SEQ_CST)) {
			kill(pid, SIGKILL);
			return 0;
		}
		if ((sig = stop_signal_pending()) > 0) {
			/* Already past execve (a CLONE_VFORK child always is by
			 * now): the signal is the command's, pending again for
			 * the loop that forwards it. */
			if (poll(&p, 1, 0) > 0 && read(fd, &c, 1) == 0) {
				raise(sig);
				return 0;
			}
			kill(pid, SIGKILL);
			return sig;
		}
		if (poll(&p, 1, 20) > 0 && read(fd, &c, 1) == 0)
			return 0;
	}
}

/* The command has exec'd, so the container's init is past pivot_root and
 * its lazy detach of the old root: the mount point is no mount point any
 * more, in any namespace, and its removal cannot touch the container's
 * root (which holds the overlay, not the directory). Done while the
 * command runs instead of after it. A directory that is not empty (one
 * that holds anonymous volumes, in use) stays for the caller. */
static void remove_unused_dirs(const char *const *dirs)
{
	for (; dirs && *dirs; dirs++)
		rmdir(*dirs);
}

/* Without a relay: the command's end, passing signals on meanwhile. The
 * end is seen on a pidfd (Linux 5.3), not through SIGCHLD alone: in a
 * library caller with other threads, a thread that does not block
 * SIGCHLD may be the one it is delivered to (kernel/signal.c,
 * complete_signal), which discards it, and a wait for it would never end.
 * The stdio and tty relays wait the same way. Without a pidfd, waitpid is
 * tried again every 100 ms; without a signalfd, as secprof-init waits.
 * The signalfd does not block: such a thread may also take a signal
 * between poll's announcing it and the read. */
static int wait_forwarding(pid_t pid, bool terminal_signals)
{
	static const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	int sfd, xfd, wstatus, status = SP_STATUS_LOST;
	bool fired = false;
	sigset_t set;

	sp_forward_sigset(&set);
	sigaddset(&set, SIGCHLD);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return sp_wait_forwarding(pid, false, terminal_signals, &tick);
	xfd = sp_pidfd_open(pid);
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = xfd, .events = POLLIN } };
		struct signalfd_siginfo si;
		pid_t got = waitpid(pid, &wstatus, WNOHANG);

		if (got == pid)
			status = sp_shell_status(wstatus);
		if (got == pid || (got < 0 && errno != EINTR))
			break;
		if (got == 0)
			sp_exit_fd_settle(&xfd, &fired);
		if (poll(p, 2, xfd < 0 ? 100 : -1) < 0 && errno != EINTR)
			break;
		fired = p[1].revents & POLLIN;
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		/* As sp_wait_forwarding: the terminal's own signals reach the
		 * command of a process (not a container) directly. */
		if (si.ssi_signo != SIGCHLD && (si.ssi_code != SI_KERNEL || terminal_signals))
			kill(pid, (int)si.ssi_signo);
	}
	close(sfd);
	if (xfd >= 0)
		close(xfd);
	return status;
}

static int finish(pid_t pid, int rfd, struct sp_child_report *rep, const struct sp_run_opts *o,
		  int master, struct sp_stdio *stdio, secprof_error *err)
{
	int wstatus = 0, sig = wait_for_children(rfd, pid, rep);

	close(rfd);
	if (sig > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "stopped by signal %d before the command started", sig);
		return 128 + sig;
	}
	if (rep->status) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		*err = rep->err;
		if (!err->code)
			err->code = SECPROF_E_SYSTEM;
		return rep->status;
	}
	if (rep->stage == SP_STAGE_EXEC) {
		int status;

		remove_unused_dirs(o->rmdir_at_exec);
		if (o->tty)
			status = sp_tty_relay(pid, master, o->interactive);
		else
			status = o->stdio ? sp_stdio_relay(pid, stdio)
					  : wait_forwarding(pid, o->rootfs != NULL);
		if (status != SP_STATUS_LOST)
			return status;
		sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
		       "the command's exit status is lost: process %d was reaped by another waiter of this process (a thread waiting for any child?)",
		       (int)pid);
		return SP_EXIT_ERROR;
	}
	/* Gone before execve without a word: typically a profile that denies
	 * a call the runtime itself needs after loading it (runc fails the
	 * same way), e.g. an ERRNO default with no rules. */
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
	       "the container process died before it could start the command (%s %d); does the profile deny what the runtime needs after loading it?",
	       WIFSIGNALED(wstatus) ? "signal" : "exit status",
	       WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus));
	return SP_EXIT_ERROR;
}

/* The sync pipe above the fds passed to the command, so that neither
 * hides one of them nor is handed over in their place. */
static int pipe_above(int pfd[2], int min_fd)
{
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		int fd;
		if (pfd[i] >= min_fd)
			continue;
		fd = fcntl(pfd[i], F_DUPFD_CLOEXEC, min_fd);
		if (fd < 0) {
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
		close(pfd[i]);
		pfd[i] = fd;
	}
	return 0;
}

/* Tell the container's init whether its device rules are in force
 * (container.c waits for it before it starts the command); when not, the
 * report carries why, and finish() stops the container. */
static void post_devices(struct sp_child_report *rep, int rc, const secprof_error *err)
{
	if (rc < 0) {
		rep->err = *err;
		__atomic_store_n(&rep->status, SP_EXIT_ERROR, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&rep->devices, rc < 0 ? 2 : 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &rep->devices, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* ---- the command's process (without --rootfs) ---------------------------- */

struct plain_child {
	const struct sp_run_opts *o;
	struct sp_child_report *rep;
};

/* A caller that ignores SIGCHLD (or sets SA_NOCLDWAIT) has its children
 * reaped by the kernel: secprof could not wait for the command's status,
 * and the pid it forwards signals to could be another process's by then
 * (POSIX, "Signal Actions": SIG_IGN for SIGCHLD). For the run (SIGCHLD
 * is blocked), the default; *old is put back at the end. The children
 * inherit the default, as a container's process never sees the docker
 * client's dispositions. */
static bool reap_own_children(struct sigaction *old)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, NULL, old) < 0 ||
	    (old->sa_handler != SIG_IGN && !(old->sa_flags & SA_NOCLDWAIT)))
		return false;
	return sigaction(SIGCHLD, &dfl, NULL) == 0;
}

static int plain_child_main(void *data)
{
	struct plain_child *c = data;
	const struct sp_run_opts *o = c->o;
	struct sp_child_report *rep = c->rep;
	secprof_error err;

	close(rep->pipe_rfd);
	if (o->tty && sp_tty_attach(o->tty_slave) < 0)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot attach the terminal");
	/* Docker's pipes, and a session without a controlling terminal: the
	 * caller's stays out of reach, /dev/tty included (TIOCSTI needs no
	 * capability on one's own controlling terminal, drivers/tty/tty_io.c
	 * tiocsti). Signals from the terminal reach secprof, which passes
	 * them on (stdio.c). */
	if (o->stdio && (sp_stdio_attach(o->stdio) < 0 || setsid() < 0))
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot attach the command's stdio");
	/* Closed, not just marked: nothing of the caller's may reach the
	 * command (runc closes all but stdio and the preserved fds before
	 * execve, CVE-2024-21626). */
	if (sp_close_fds_from(3 + (int)o->preserve_fds, rep->pipe_fd, false) < 0)
		sp_child_fail_errno(rep, SP_EXIT_ERROR, "cannot close inherited file descriptors");
	sp_close_unpreserved(o, rep->pipe_fd);
	/* Not the caller's session keyring (and its keys), even with no
	 * namespace at all: runc's init joins a new one for every container,
	 * before the user is switched, as container.c does for init. */
	if (sp_new_session_keyring(&err) < 0)
		sp_child_fail(rep, SP_EXIT_ERROR, &err);
	sp_exec_command(o, rep);
}

/* Whether the command's process (or the container's init) is a fork of
 * secprof, with memory of its own. Not for run --explain or record, whose
 * parent must be running while the child starts (it takes the listener,
 * or starts the recorder). */
static bool forks_child(const struct sp_run_opts *o)
{
	return o->rootfs || o->live || o->hook || !SP_SPAWN_SHARES_MEMORY;
}

static pid_t start_plain(const struct sp_run_opts *o, struct sp_child_report *rep)
{
	struct plain_child c = { .o = o, .rep = rep };
	pid_t pid;

	if (forks_child(o)) {
		pid = fork();
		if (pid == 0) {
			sp_default_handlers(false);
			plain_child_main(&c);
		}
		return pid;
	}
	/* handlers reset by the spawn (CLONE_CLEAR_SIGHAND where it can) */
	return sp_spawn_shared(plain_child_main, &c);
}

int sp_run(const struct sp_run_opts *opts, secprof_error *err)
{
	struct sp_run_opts ro = *opts, *o = &ro;
	int master = -1;
	struct sp_child_report *rep;
	struct sp_devcg cg = { 0 };
	struct sp_stdio pipes = { .child = { -1, -1, -1 }, .in_w = -1, .out_r = -1, .err_r = -1 };
	sigset_t block, old;
	struct sigaction old_chld;
	bool chld_changed;
	int pfd[2], status;
	pid_t pid;

	memset(err, 0, sizeof(*err));
	if (!o->argv || !o->argv[0]) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "no command given");
		return SP_EXIT_ERROR;
	}
	/* Shared with a forked child; a CLONE_VM one shares all memory, and
	 * a private page spares the shmem inode a shared one costs. */
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   (forks_child(o) ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED) {
		sp_err_errno(err, NULL, "mmap");
		return SP_EXIT_ERROR;
	}
	if (pipe_above(pfd, 3 + (int)o->preserve_fds) < 0) {
		sp_err_errno(err, NULL, "pipe");
		munmap(rep, sizeof(*rep));
		return SP_EXIT_ERROR;
	}
	rep->pipe_fd = pfd[1];
	rep->pipe_rfd = pfd[0];
	o->tty_slave = -1;
	if (o->tty && sp_tty_open(3 + (int)o->preserve_fds, &master, &o->tty_slave, err) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		munmap(rep, sizeof(*rep));
		return SP_EXIT_ERROR;
	}
	if ((o->rootfs || o->relay_stdio) && !o->tty) {
		if (sp_stdio_open(&pipes, o->interactive, 3 + (int)o->preserve_fds, err) < 0) {
			close(pfd[0]);
			close(pfd[1]);
			munmap(rep, sizeof(*rep));
			return SP_EXIT_ERROR;
		}
		pipes.signal_group = !o->rootfs;
		o->stdio = &pipes;
	}
	/* Docker's device rules for every container but a privileged one
	 * (moby WithDevices gives those "a *:* rwm"); refusing to start is the
	 * only fail-closed answer when no cgroup can enforce them. */
	if (o->rootfs && !o->privileged && sp_devcg_create(&cg, o->devcg, err) < 0) {
		if (master >= 0) {
			close(master);
			close(o->tty_slave);
		}
		sp_stdio_close(&pipes);
		close(pfd[0]);
		close(pfd[1]);
		munmap(rep, sizeof(*rep));
		return SP_EXIT_ERROR;
	}
	/* Blocked before forking so no signal is lost in between; the child
	 * unblocks them before execve. */
	sp_forward_sigset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	chld_changed = reap_own_children(&old_chld);
	/* Made here, as the child may not allocate (sandbox/user.c). */
	o->env_slots = calloc(sp_env_slots(o->envp), sizeof(char *));
	if (!o->env_slots) {
		sp_err_oom(err);
		pid = -1;
	} else if (o->rootfs) {
		pid = sp_container_start(o, rep, &cg, err);
		if (pid > 0)
			post_devices(rep, sp_devcg_arm(&cg, pid, err), err);
	} else if ((pid = start_plain(o, rep)) < 0) {
		sp_err_errno(err, NULL, "fork");
	}
	free(o->env_slots);
	o->env_slots = NULL;
	if (pid > 0 && o->hook && o->hook->started)
		o->hook->started(o->hook->data, pid);
	close(pfd[1]);
	/* run --explain: the supervisor takes the listener once the child
	 * posts it; a supervisor that cannot start leaves the child to fail. */
	if (pid > 0 && o->live && sp_live_start(o->live, pid, o->rootfs != NULL, rep, err) < 0)
		__atomic_store_n(&rep->listener_taken, 2, __ATOMIC_SEQ_CST);
	/* Only the children hold the terminal's slave end: the parent sees
	 * the pty hang up once they are gone. */
	if (o->tty)
		close(o->tty_slave);
	sp_stdio_parent_side(&pipes);
	if (pid < 0) {
		close(pfd[0]);
		status = SP_EXIT_ERROR;
		if (master >= 0)
			close(master);
	} else {
		status = finish(pid, pfd[0], rep, o, master, &pipes, err);
		if (master >= 0 && !(rep->stage == SP_STAGE_EXEC && !rep->status))
			close(master);
	}
	if (o->live)
		sp_live_stop(o->live, status);
	sp_stdio_close(&pipes);
	if (chld_changed)
		sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sp_devcg_remove(&cg);
	munmap(rep, sizeof(*rep));
	return status;
}
