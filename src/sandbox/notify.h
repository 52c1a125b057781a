/* notify.h - a seccomp user-notification supervisor, reusable: take a
 * listener fd from a filtered child, then receive each notification, let a
 * callback decide, and send the answer (kernel Documentation/userspace-api/
 * seccomp_filter.rst, "Userspace Notification"; the ioctls of
 * include/uapi/linux/seccomp.h).
 *
 * `run --explain` (live.c) is one client: its callback runs the real
 * program on the call and answers exactly what it would have done. Any
 * other client (a recorder) gives its own callback; nothing here knows
 * about profiles.
 *
 * Hand-over of the listener: SECCOMP_FILTER_FLAG_NEW_LISTENER gives the fd
 * to the task that loads the filter, which from then on may not make a
 * system call the filter notifies until someone serves it. So the child
 * posts the fd number in shared memory and spins (no system call) until
 * the parent has copied it with pidfd_getfd(2) (5.6) and says so; only
 * then does it close its own copy and go on (proc.c). */
#ifndef SP_NOTIFY_H
#define SP_NOTIFY_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "secprof.h"

/* Decide one notification. `req` is the kernel's (pid, data); fill `resp`
 * (its id is already set, error/val/flags zero): error = -errno to fail the
 * call, flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE to let it run. The
 * callback may read the caller's memory, but must check
 * sp_notify_id_valid(listener, req->id) after doing so before trusting
 * what it read (the task may have died and its pid been reused). */
typedef void (*sp_notify_fn)(void *data, int listener, const struct seccomp_notif *req,
			     struct seccomp_notif_resp *resp);

/* Serve `listener` until every task using the filter is gone (POLLHUP) or
 * `stop_fd` (>= 0) becomes readable. Notifications whose task died before
 * the answer are dropped silently (ENOENT from SEND). 0, or negative with
 * err when the kernel refuses the listener itself. */
int sp_notify_serve(int listener, int stop_fd, sp_notify_fn fn, void *data, secprof_error *err);

/* Whether notification `id` is still pending (its task alive and waiting). */
bool sp_notify_id_valid(int listener, uint64_t id);

/* Copy fd `fd` of task `pid` into this process (pidfd_open + pidfd_getfd,
 * close-on-exec). Returns the new fd, or -1 with err. */
int sp_notify_take_fd(pid_t pid, int fd, secprof_error *err);

/* Whether this kernel can notify: SECCOMP_GET_ACTION_AVAIL for
 * SECCOMP_RET_USER_NOTIF (5.0) and pidfd_getfd (5.6). On false, *why says
 * what is missing (static text). */
bool sp_notify_available(const char **why);

#endif
