/* swapdir.c - another process changing a container's root while its init
 * builds it: runs COMMAND (a `secprof run --rootfs`, perhaps under
 * strace), finds the container's init (PID 1 of its PID namespace, a
 * descendant of COMMAND), and once init is inside the root (its current
 * directory on an overlay) swaps each NAME of the root with a symlink
 * swap-NAME -> CANARY, over and over (renameat2 RENAME_EXCHANGE), as the
 * owner of the root's directory, or another container sharing it, could
 * (the race of CVE-2021-30465). It stops when init has pivoted into the
 * root (or is gone, or after SECONDS) and swaps every NAME back.
 *
 * usage: swapdir SECONDS CANARY NAME... -- COMMAND...
 * prints "swaps N" on stderr once COMMAND has ended; exits with COMMAND's
 * status (125 when it could not be run). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OVERLAYFS_MAGIC 0x794c7630 /* include/uapi/linux/magic.h */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The PPid and, from NSpid, whether pid is PID 1 of a namespace below ours. */
static pid_t parent_of(pid_t pid, int *ns_init)
{
	char path[64], line[256];
	pid_t ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	*ns_init = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "PPid:", 5))
			ppid = (pid_t)atoi(line + 5);
		if (!strncmp(line, "NSpid:", 6)) {
			char *last = strrchr(line, '\t');
			*ns_init = last && last != line + 6 && atoi(last + 1) == 1 &&
				   strchr(line + 7, '\t');
		}
	}
	fclose(f);
	return ppid;
}

/* The container's init: a namespace's PID 1 descending from top. */
static pid_t find_init(pid_t top)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name), p;
		int ns_init = 0, dummy;

		if (pid <= 0 || !parent_of(pid, &ns_init) || !ns_init)
			continue;
		for (p = pid; p > 1 && p != top; p = parent_of(p, &dummy))
			;
		if (p == top)
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

/* init has pivoted: its root is no longer ours (or it is gone). */
static int pivoted(pid_t init, const struct stat *host_root)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)init);
	return stat(path, &st) < 0 || st.st_dev != host_root->st_dev ||
	       st.st_ino != host_root->st_ino;
}

int main(int argc, char **argv)
{
	int sep = 0, nnames, status = 0, dfd = -1;
	double until;
	unsigned long swaps = 0;
	struct stat host_root;
	pid_t child, init = 0;
	char cwd[64], swapped[64][256];
	int parity[64] = { 0 };

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	nnames = sep - 3;
	if (sep < 4 || sep + 1 >= argc || nnames > 64) {
		fprintf(stderr, "usage: swapdir SECONDS CANARY NAME... -- COMMAND...\n");
		return 2;
	}
	until = now() + atof(argv[1]);
	if (stat("/", &host_root) < 0)
		return 125;
	child = fork();
	if (child == 0) {
		execvp(argv[sep + 1], argv + sep + 1);
		perror("swapdir: exec");
		_exit(125);
	}
	if (child < 0)
		return 125;
	/* init, then its way into the root */
	while (now() < until && waitpid(child, &status, WNOHANG) == 0) {
		struct statfs fs;

		if (!init && !(init = find_init(child)))
			continue;
		snprintf(cwd, sizeof(cwd), "/proc/%d/cwd", (int)init);
		if (statfs(cwd, &fs) == 0 && fs.f_type == OVERLAYFS_MAGIC &&
		    (dfd = open(cwd, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0)
			break;
		if (errno == ENOENT || errno == ESRCH)
			init = 0;
	}
	if (dfd >= 0) {
		for (int i = 0; i < nnames; i++) {
			snprintf(swapped[i], sizeof(swapped[i]), "swap-%s", argv[3 + i]);
			symlinkat(argv[2], dfd, swapped[i]);
		}
		for (unsigned long n = 0;; n++) {
			int i = (int)(n % (unsigned long)nnames);

			if (renameat2(dfd, argv[3 + i], dfd, swapped[i], RENAME_EXCHANGE) == 0) {
				parity[i] ^= 1;
				swaps++;
			}
			if (n % 32 == 31 && (pivoted(init, &host_root) || now() >= until))
				break;
		}
		for (int i = 0; i < nnames; i++)
			if (parity[i])
				renameat2(dfd, argv[3 + i], dfd, swapped[i], RENAME_EXCHANGE);
		close(dfd);
	}
	/* After COMMAND has ended: its stderr is this one, and the static
	 * secprof (musl: an unbuffered stream writes a long message in pieces
	 * of 80 bytes) had its refusal cut by this line. */
	if (waitpid(child, &status, 0) < 0)
		status = -1;
	fprintf(stderr, "swaps %lu\n", swaps);
	if (status == -1)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
