/* newmount.h - the new mount API (fsopen, fsconfig, fsmount, open_tree,
 * move_mount, mount_setattr: Linux 5.2-5.12) and statx, whatever the C
 * library declares.
 *
 * glibc 2.36 declares them all in <sys/mount.h> and <sys/stat.h>. musl
 * 1.2.3 (Debian 12's, which builds the static secprof: see the Makefile)
 * declares none of them: there the kernel's own headers give the
 * structures and flags (<linux/mount.h>, <linux/stat.h>; both agree with
 * musl's macros, so including them after musl's headers redefines
 * nothing), and the calls go through syscall(2). */
#ifndef SP_NEWMOUNT_H
#define SP_NEWMOUNT_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __GLIBC__
#include <linux/mount.h>
#include <linux/stat.h>

static inline int fsopen(const char *fs, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fs, flags);
}

static inline int fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int fsmount(int fd, unsigned int flags, unsigned int attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

static inline int open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static inline int move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			     unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int mount_setattr(int dfd, const char *path, unsigned int flags,
				struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

static inline int statx(int dfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	return (int)syscall(SYS_statx, dfd, path, flags, mask, sx);
}
#endif

#endif
