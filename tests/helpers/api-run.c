/* api-run.c - a library caller's container run (secprof_run with a
 * rootfs), as a runtime embedding libsecprof would make one: the command's
 * environment is this process's own `environ` (its strings, not copies),
 * and the process goes on after the run.
 *
 * usage: api-run ROOTFS CMD [ARG...]
 * stdout: the command's output, then "caller: VAR=VALUE" for each
 *         variable of this process's environment whose name starts with
 *         SECPROF_T_, read again after the run.
 * stderr: "atfork: child" each time a pthread_atfork child handler of
 *         this process runs: a library's fork of its own runs them, but
 *         the container's processes are no fork of this process's making.
 * exit: the run's status (the command's, or 125 with the error on stderr).
 * SECPROF_T_LOCALE set: setlocale(LC_ALL, "") first; SECPROF_T_WORKDIR:
 * the container's working directory.
 *
 * Pins that secprof's init, which wipes the environment strings it was
 * started with before the command runs (sandbox/container.c), wipes its
 * own copy: with the command sharing init's memory (CLONE_VM, 6347685),
 * the command's envp, which are those strings, came out empty. */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secprof.h"

extern char **environ;

static void atfork_child(void)
{
	static const char msg[] = "atfork: child\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(99);
}

int main(int argc, char **argv)
{
	secprof_error err = { 0 };
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: api-run ROOTFS CMD [ARG...]\n");
		return 2;
	}
	secprof_run_opts o = { .caps = secprof_caps_docker_default(),
			       .rootfs = argv[1],
			       .argv = argv + 2,
			       .envp = environ };
	/* SECPROF_T_LOCALE: the caller runs in the environment's locale
	 * (LANG, LANGUAGE...), as a program that calls setlocale does;
	 * SECPROF_T_WORKDIR: the container's working directory. */
	if (getenv("SECPROF_T_LOCALE"))
		setlocale(LC_ALL, "");
	o.workdir = getenv("SECPROF_T_WORKDIR");
	pthread_atfork(NULL, NULL, atfork_child);
	fflush(NULL);
	rc = secprof_run(&o, &err);
	if (err.code)
		fprintf(stderr, "api-run: %s\n", err.msg);
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "SECPROF_T_", 10))
			printf("caller: %s\n", *e);
	return rc;
}
