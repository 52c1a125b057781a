/* api-threads.c - container runs from a library caller with another
 * thread busy in stdio and malloc, as a runtime's server process would
 * have: glibc's locks may be held by that thread at the moment secprof
 * makes the container's init.
 *
 * usage: api-threads ROOTFS RUNS CMD [ARG...]   (ROOTFS "-": no rootfs)
 * stdout: "runs: N ok" once every run returned 0; on a failed run,
 *         "run I: STATUS MESSAGE" and exit 1.
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

#include "secprof.h"

extern char **environ;

static atomic_bool stop;

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
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	int runs;

	if (argc < 4) {
		fprintf(stderr, "usage: api-threads ROOTFS RUNS CMD [ARG...]\n");
		return 2;
	}
	runs = atoi(argv[2]);
	if (pthread_create(&thread, NULL, busy, NULL) != 0)
		return 2;
	for (int i = 0; i < runs; i++) {
		secprof_error err = { 0 };
		secprof_run_opts o = { .caps = secprof_caps_docker_default(),
				       .rootfs = strcmp(argv[1], "-") ? argv[1] : NULL,
				       .argv = argv + 3,
				       .envp = environ };
		int rc = secprof_run(&o, &err);

		if (rc != 0) {
			printf("run %d: %d %s\n", i, rc, err.code ? err.msg : "");
			return 1;
		}
	}
	atomic_store(&stop, true);
	pthread_join(thread, NULL);
	printf("runs: %d ok\n", runs);
	return 0;
}
