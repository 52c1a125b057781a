/* api-threads.c - container runs from a library caller with another
 * thread busy in stdio and malloc, as a runtime's server process would
 * have: glibc's locks may be held by that thread at the moment secprof
 * makes the container's init.
 *
 * usage: api-threads ROOTFS RUNS [--reap] CMD [ARG...]   (ROOTFS "-": none)
 * --reap: the thread also reaps any child of this process it finds
 *         (waitpid(-1, WNOHANG)), as a careless server's SIGCHLD handling
 *         would: a run may then lose its command's status, and must say so.
 * stdout: "runs: N ok" once every run returned 0, or (--reap) 125 with
 *         secprof's message for a lost status; on any other result,
 *         "run I: STATUS MESSAGE" and exit 1. stderr: "lost: K" (--reap).
 * A run that hangs is the failure this pins (the test puts a timeout
 * on it): init was a copy of this thread made while the busy thread held
 * a lock, and init then took that lock (sandbox/container.c); or the
 * busy thread, which does not block SIGCHLD, took the one secprof waited
 * for (sandbox/run.c, wait_forwarding). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "secprof.h"

extern char **environ;

static atomic_bool stop, reap;

/* fopen and fclose take the lock of glibc's list of open FILEs; sizes
 * past the thread cache take an arena's lock. */
static void *busy(void *unused)
{
	(void)unused;
	while (!atomic_load(&stop)) {
		FILE *f = fopen("/dev/null", "re");
		void *p = malloc(64 * 1024);

		if (f)
			fclose(f);
		free(p);
		if (atomic_load(&reap))
			waitpid(-1, NULL, WNOHANG);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const char lost_msg[] = "the command's exit status is lost";
	pthread_t thread;
	int runs, cmd = 3, lost = 0;

	if (argc > 3 && !strcmp(argv[3], "--reap")) {
		atomic_store(&reap, true);
		cmd++;
	}
	if (argc <= cmd) {
		fprintf(stderr, "usage: api-threads ROOTFS RUNS [--reap] CMD [ARG...]\n");
		return 2;
	}
	runs = atoi(argv[2]);
	if (pthread_create(&thread, NULL, busy, NULL) != 0)
		return 2;
	for (int i = 0; i < runs; i++) {
		secprof_error err = { 0 };
		secprof_run_opts o = { .caps = secprof_caps_docker_default(),
				       .rootfs = strcmp(argv[1], "-") ? argv[1] : NULL,
				       .argv = argv + cmd,
				       .envp = environ };
		int rc = secprof_run(&o, &err);

		if (rc == 125 && err.code && atomic_load(&reap) &&
		    !strncmp(err.msg, lost_msg, sizeof(lost_msg) - 1)) {
			lost++;
		} else if (rc != 0) {
			printf("run %d: %d %s\n", i, rc, err.code ? err.msg : "");
			return 1;
		}
	}
	if (atomic_load(&reap))
		fprintf(stderr, "lost: %d\n", lost);
	atomic_store(&stop, true);
	pthread_join(thread, NULL);
	printf("runs: %d ok\n", runs);
	return 0;
}
