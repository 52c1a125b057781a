/* notify.c - the reusable user-notification loop (notify.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/util.h"
#include "sandbox/notify.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

bool sp_notify_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int sp_notify_take_fd(pid_t pid, int fd, secprof_error *err)
{
	int pidfd = sp_pidfd_open(pid);
	int got;

	if (pidfd < 0)
		return sp_err_errno(err, NULL, "pidfd_open of %d", (int)pid), -1;
	got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (got < 0)
		sp_err_errno(err, NULL, "pidfd_getfd of fd %d in %d", fd, (int)pid);
	close(pidfd);
	return got;
}

bool sp_notify_available(const char **why)
{
	uint32_t action = SECCOMP_RET_USER_NOTIF;
	int pidfd;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0) {
		*why = "this kernel has no SECCOMP_RET_USER_NOTIF (Linux 5.0)";
		return false;
	}
	/* pidfd_getfd on our own pidfd and stdin's number: ENOSYS is the
	 * only answer that means the call is missing. */
	pidfd = sp_pidfd_open(getpid());
	if (pidfd < 0) {
		*why = "this kernel has no pidfd_open (Linux 5.3)";
		return false;
	}
	if (syscall(SYS_pidfd_getfd, pidfd, -1, 0) < 0 && errno == ENOSYS) {
		close(pidfd);
		*why = "this kernel has no pidfd_getfd (Linux 5.6)";
		return false;
	}
	close(pidfd);
	return true;
}

int sp_notify_serve(int listener, int stop_fd, sp_notify_fn fn, void *data, secprof_error *err)
{
	struct seccomp_notif_sizes sizes = { 0 };
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int rc = 0;

	/* The structs may grow: the kernel says how big its are
	 * (SECCOMP_GET_NOTIF_SIZES), and RECV wants a zeroed buffer of that size. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return sp_err_errno(err, NULL, "SECCOMP_GET_NOTIF_SIZES");
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
								  : sizeof(*resp));
	if (!req || !resp) {
		free(req);
		free(resp);
		return sp_err_oom(err);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = listener, .events = POLLIN },
				       { .fd = stop_fd, .events = POLLIN } };
		size_t rsz = sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif
								: sizeof(*req);
		size_t ssz = sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
								      : sizeof(*resp);

		if (poll(p, stop_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = sp_err_errno(err, NULL, "poll on the seccomp listener");
			break;
		}
		if (stop_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
			break;
		if (!(p[0].revents & POLLIN)) {
			if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
				break; /* no task uses the filter any more */
			continue;
		}
		memset(req, 0, rsz);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			/* ENOENT: the task died (or was signalled) after the
			 * poll said there was something to read. */
			if (errno == EINTR || errno == ENOENT)
				continue;
			rc = sp_err_errno(err, NULL, "SECCOMP_IOCTL_NOTIF_RECV");
			break;
		}
		memset(resp, 0, ssz);
		resp->id = req->id;
		fn(data, listener, req, resp);
		resp->id = req->id;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT &&
		    errno != EINTR) {
			rc = sp_err_errno(err, NULL, "SECCOMP_IOCTL_NOTIF_SEND");
			break;
		}
	}
	free(req);
	free(resp);
	return rc;
}
