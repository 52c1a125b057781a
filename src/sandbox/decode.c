/* decode.c - a notified call as a person reads it: flags by name for the
 * calls whose flags decide container escapes (clone, unshare, setns,
 * socket, personality, prctl, mount), path and key strings read from the
 * caller's memory (process_vm_readv), and the caller's instruction pointer
 * as file+offset through /proc/PID/maps. The flag values are the kernel's
 * uapi ones (include/uapi/linux/sched.h, socket.h, mount.h, personality.h,
 * prctl.h); a bit without a name is printed in hex. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/util.h"
#include "sandbox/run.h"

/* Names in the rows, not pointers: the tables stay in .rodata (no
 * relocation at load). The longest name is a prctl option's. */
struct bit {
	uint64_t v;
	char name[sizeof("PR_SET_CHILD_SUBREAPER")];
};

static const struct bit clone_bits[] = {
	{ 0x100, "CLONE_VM" },
	{ 0x200, "CLONE_FS" },
	{ 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" },
	{ 0x1000, "CLONE_PIDFD" },
	{ 0x2000, "CLONE_PTRACE" },
	{ 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" },
	{ 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" },
	{ 0x80000, "CLONE_SETTLS" },
	{ 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" },
	{ 0x400000, "CLONE_DETACHED" },
	{ 0x800000, "CLONE_UNTRACED" },
	{ 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" },
	{ 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" },
};
/* unshare(2) and setns(2) take CLONE_NEWTIME (0x80), which clone(2) reads
 * as part of the exit signal. */
static const struct bit unshare_bits[] = {
	{ 0x80, "CLONE_NEWTIME" },       { 0x200, "CLONE_FS" },
	{ 0x400, "CLONE_FILES" },        { 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" },    { 0x2000000, "CLONE_NEWCGROUP" },
	{ 0x4000000, "CLONE_NEWUTS" },   { 0x8000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },
};
/* clang-format off */
static const struct bit mount_bits[] = {
	{ 1, "MS_RDONLY" },
	{ 2, "MS_NOSUID" },
	{ 4, "MS_NODEV" },
	{ 8, "MS_NOEXEC" },
	{ 16, "MS_SYNCHRONOUS" },
	{ 32, "MS_REMOUNT" },
	{ 64, "MS_MANDLOCK" },
	{ 128, "MS_DIRSYNC" },
	{ 256, "MS_NOSYMFOLLOW" },
	{ 1024, "MS_NOATIME" },
	{ 2048, "MS_NODIRATIME" },
	{ 4096, "MS_BIND" },
	{ 8192, "MS_MOVE" },
	{ 16384, "MS_REC" },
	{ 32768, "MS_SILENT" },
	{ 1 << 16, "MS_POSIXACL" },
	{ 1 << 17, "MS_UNBINDABLE" },
	{ 1 << 18, "MS_PRIVATE" },
	{ 1 << 19, "MS_SLAVE" },
	{ 1 << 20, "MS_SHARED" },
	{ 1 << 21, "MS_RELATIME" },
	{ 1 << 22, "MS_KERNMOUNT" },
	{ 1 << 23, "MS_I_VERSION" },
	{ 1 << 24, "MS_STRICTATIME" },
	{ 1 << 25, "MS_LAZYTIME" },
};
/* clang-format on */
static const struct bit sock_type_bits[] = {
	{ 0x800, "SOCK_NONBLOCK" },
	{ 0x80000, "SOCK_CLOEXEC" },
};
static const struct bit persona_bits[] = {
	{ 0x0020000, "UNAME26" },
	{ 0x0040000, "ADDR_NO_RANDOMIZE" },
	{ 0x0080000, "FDPIC_FUNCPTRS" },
	{ 0x0100000, "MMAP_PAGE_ZERO" },
	{ 0x0200000, "ADDR_COMPAT_LAYOUT" },
	{ 0x0400000, "READ_IMPLIES_EXEC" },
	{ 0x0800000, "ADDR_LIMIT_32BIT" },
	{ 0x1000000, "SHORT_INODE" },
	{ 0x2000000, "WHOLE_SECONDS" },
	{ 0x4000000, "STICKY_TIMEOUTS" },
	{ 0x8000000, "ADDR_LIMIT_3GB" },
};

static const char families[][sizeof("AF_IEEE802154")] = {
	"AF_UNSPEC",     "AF_UNIX",      "AF_INET",     "AF_AX25",  "AF_IPX",     "AF_APPLETALK",
	"AF_NETROM",     "AF_BRIDGE",    "AF_ATMPVC",   "AF_X25",   "AF_INET6",   "AF_ROSE",
	"AF_DECnet",     "AF_NETBEUI",   "AF_SECURITY", "AF_KEY",   "AF_NETLINK", "AF_PACKET",
	"AF_ASH",        "AF_ECONET",    "AF_ATMSVC",   "AF_RDS",   "AF_SNA",     "AF_IRDA",
	"AF_PPPOX",      "AF_WANPIPE",   "AF_LLC",      "AF_IB",    "AF_MPLS",    "AF_CAN",
	"AF_TIPC",       "AF_BLUETOOTH", "AF_IUCV",     "AF_RXRPC", "AF_ISDN",    "AF_PHONET",
	"AF_IEEE802154", "AF_CAIF",      "AF_ALG",      "AF_NFC",   "AF_VSOCK",   "AF_KCM",
	"AF_QIPCRTR",    "AF_SMC",       "AF_XDP",      "AF_MCTP",
};
/* clang-format off */
static const char sock_types[][sizeof("SOCK_SEQPACKET")] = {
	"",          "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM",    "SOCK_SEQPACKET",
	"SOCK_DCCP", "",            "",           "",         "SOCK_PACKET",
};
/* clang-format on */

static const struct bit prctl_options[] = {
	{ 1, "PR_SET_PDEATHSIG" },
	{ 2, "PR_GET_PDEATHSIG" },
	{ 3, "PR_GET_DUMPABLE" },
	{ 4, "PR_SET_DUMPABLE" },
	{ 7, "PR_GET_KEEPCAPS" },
	{ 8, "PR_SET_KEEPCAPS" },
	{ 15, "PR_SET_NAME" },
	{ 16, "PR_GET_NAME" },
	{ 21, "PR_GET_SECCOMP" },
	{ 22, "PR_SET_SECCOMP" },
	{ 23, "PR_CAPBSET_READ" },
	{ 24, "PR_CAPBSET_DROP" },
	{ 27, "PR_GET_SECUREBITS" },
	{ 28, "PR_SET_SECUREBITS" },
	{ 29, "PR_SET_TIMERSLACK" },
	{ 35, "PR_SET_MM" },
	{ 36, "PR_SET_CHILD_SUBREAPER" },
	{ 37, "PR_GET_CHILD_SUBREAPER" },
	{ 38, "PR_SET_NO_NEW_PRIVS" },
	{ 39, "PR_GET_NO_NEW_PRIVS" },
	{ 41, "PR_SET_THP_DISABLE" },
	{ 47, "PR_CAP_AMBIENT" },
	{ 0x53564d41, "PR_SET_VMA" },
	{ 0x59616d61, "PR_SET_PTRACER" },
};

/* How each argument of a call is shown: s string, c clone flags, u
 * unshare flags, F socket family, T socket type, P personality, O prctl
 * option, M mount flags, d signed decimal, x hex (a pointer or an opaque
 * value: left out of the key that groups repeated calls). Calls not listed
 * show six hex arguments. */
struct shape {
	char name[sizeof("perf_event_open")];
	char args[sizeof("ssxdd")];
};
static const struct shape shapes[] = {
	{ "acct", "s" },
	{ "add_key", "ssxdd" },
	{ "bpf", "dxd" },
	{ "chroot", "s" },
	{ "clone", "cxxxx" },
	{ "clone3", "xd" },
	{ "delete_module", "sx" },
	{ "execve", "sxx" },
	{ "execveat", "dsxxx" },
	{ "fsconfig", "ddssd" },
	{ "fsmount", "dxx" },
	{ "fsopen", "sx" },
	{ "fspick", "dsx" },
	{ "init_module", "xds" },
	{ "finit_module", "dsx" },
	{ "ioperm", "xxd" },
	{ "iopl", "d" },
	{ "kexec_load", "xdxx" },
	{ "keyctl", "dxxxx" },
	{ "mkdir", "sx" },
	{ "mkdirat", "dsx" },
	{ "mount", "sssMx" },
	{ "mount_setattr", "dsxxd" },
	{ "move_mount", "dsdsx" },
	{ "open", "sxx" },
	{ "open_tree", "dsx" },
	{ "openat", "dsxx" },
	{ "perf_event_open", "xddd" },
	{ "personality", "P" },
	{ "pivot_root", "ss" },
	{ "prctl", "Oxxxx" },
	{ "ptrace", "ddxx" },
	{ "quotactl", "xsdx" },
	{ "reboot", "xxxx" },
	{ "request_key", "sssd" },
	{ "setns", "du" },
	{ "socket", "FTd" },
	{ "socketpair", "FTdx" },
	{ "swapoff", "s" },
	{ "swapon", "sx" },
	{ "umount", "s" },
	{ "umount2", "sx" },
	{ "unlink", "s" },
	{ "unlinkat", "dsx" },
	{ "unshare", "u" },
	{ "userfaultfd", "x" },
};

static void put_bits(struct sp_buf *b, uint64_t v, const struct bit *bits, size_t n)
{
	bool any = false;

	for (const struct bit *t = bits; t < bits + n; t++) {
		if ((v & t->v) == t->v && t->v) {
			sp_buf_printf(b, "%s%s", any ? "|" : "", t->name);
			v &= ~t->v;
			any = true;
		}
	}
	if (v || !any)
		sp_buf_printf(b, "%s0x%" PRIx64, any ? "|" : "", v);
}

static const char *named(uint64_t v, const struct bit *t, size_t n)
{
	for (const struct bit *end = t + n; t < end; t++)
		if (t->v == v)
			return t->name;
	return NULL;
}

/* A NUL-terminated string of the caller, at most max-1 bytes, read a page
 * at a time so that a string ending just before an unmapped page reads. */
static bool read_str(pid_t pid, uint64_t addr, char *out, size_t max)
{
	size_t got = 0;

	if (!addr)
		return false;
	while (got + 1 < max) {
		size_t page_left = 4096 - ((addr + got) & 4095);
		size_t want = max - 1 - got < page_left ? max - 1 - got : page_left;
		struct iovec l = { out + got, want }, r = { (void *)(uintptr_t)(addr + got), want };
		ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
		if (n <= 0)
			return got > 0 && (out[got] = '\0', true);
		if (memchr(out + got, '\0', (size_t)n))
			return true;
		got += (size_t)n;
	}
	out[got] = '\0';
	return true;
}

static void put_str(struct sp_buf *b, const char *s, bool truncated)
{
	sp_buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sp_buf_printf(b, "\\%c", *p);
		else if (isprint(*p))
			sp_buf_printf(b, "%c", *p);
		else
			sp_buf_printf(b, "\\x%02x", *p);
	}
	sp_buf_puts(b, truncated ? "\"..." : "\"");
}

void sp_decode_call(pid_t pid, const char *name, const uint64_t args[6], bool is32,
		    struct sp_buf *text, struct sp_buf *key)
{
	const char *shape = "xxxxxx";

	for (size_t i = 0; name && i < SP_ARRAY_SIZE(shapes); i++)
		if (!strcmp(shapes[i].name, name))
			shape = shapes[i].args;
	if (name)
		sp_buf_printf(text, "%s(", name);
	else /* a number with no name: the key already holds it */
		sp_buf_puts(text, "syscall(");
	for (size_t i = 0; shape[i] && i < 6; i++) {
		uint64_t v = is32 ? (uint32_t)args[i] : args[i];
		size_t before = text->len;
		char s[256];
		const char *n;

		if (i)
			sp_buf_puts(text, ", ");
		before = text->len;
		switch (shape[i]) {
		case 's':
			if (read_str(pid, v, s, sizeof(s)))
				put_str(text, s, strlen(s) == sizeof(s) - 1);
			else
				sp_buf_printf(text, v ? "0x%" PRIx64 : "NULL", v);
			break;
		case 'c': /* the low byte is the exit signal */
			put_bits(text, v & ~(uint64_t)0xff, clone_bits, SP_ARRAY_SIZE(clone_bits));
			if (v & 0xff)
				sp_buf_printf(text, "|%s", (v & 0xff) == 17 ? "SIGCHLD" : "signal");
			break;
		case 'u':
			put_bits(text, (uint32_t)v, unshare_bits, SP_ARRAY_SIZE(unshare_bits));
			break;
		case 'M':
			/* MS_MGC_VAL in the high word is the old "new flags" magic */
			if ((v & 0xffff0000u) == 0xc0ed0000u) {
				sp_buf_puts(text, "MS_MGC_VAL|");
				v &= 0xffff;
			}
			put_bits(text, v, mount_bits, SP_ARRAY_SIZE(mount_bits));
			break;
		case 'F':
			if ((uint32_t)v < SP_ARRAY_SIZE(families))
				sp_buf_puts(text, families[(uint32_t)v]);
			else
				sp_buf_printf(text, "%" PRIu32, (uint32_t)v);
			break;
		case 'T':
			if ((v & 0xf) < SP_ARRAY_SIZE(sock_types) && sock_types[v & 0xf][0])
				sp_buf_puts(text, sock_types[v & 0xf]);
			else
				sp_buf_printf(text, "%" PRIu64, v & 0xf);
			if (v & ~(uint64_t)0xf) {
				sp_buf_puts(text, "|");
				put_bits(text, v & ~(uint64_t)0xf, sock_type_bits,
					 SP_ARRAY_SIZE(sock_type_bits));
			}
			break;
		case 'P':
			if ((uint32_t)v == 0xffffffffu) {
				sp_buf_puts(text, "0xffffffff (query)");
				break;
			}
			sp_buf_puts(text, (v & 0xff) == 0   ? "PER_LINUX"
					  : (v & 0xff) == 8 ? "PER_LINUX32"
							    : "");
			if ((v & 0xff) != 0 && (v & 0xff) != 8)
				sp_buf_printf(text, "0x%" PRIx64, v & 0xff);
			if (v & ~(uint64_t)0xff) {
				sp_buf_puts(text, "|");
				put_bits(text, v & ~(uint64_t)0xff, persona_bits,
					 SP_ARRAY_SIZE(persona_bits));
			}
			break;
		case 'O':
			if ((n = named((uint32_t)v, prctl_options, SP_ARRAY_SIZE(prctl_options))))
				sp_buf_puts(text, n);
			else
				sp_buf_printf(text, "%" PRIu32, (uint32_t)v);
			break;
		case 'd':
			/* the kernel reads these as int: an int passed through
			 * a 64-bit register may carry a zero high word */
			sp_buf_printf(text, "%" PRId64,
				      v <= 0xffffffffu ? (int64_t)(int32_t)v : (int64_t)v);
			break;
		default: sp_buf_printf(text, "0x%" PRIx64, v); break;
		}
		/* everything but opaque values groups repeated calls */
		if (shape[i] != 'x') {
			sp_buf_add(key, text->data + before, text->len - before);
			sp_buf_puts(key, ",");
		}
	}
	sp_buf_puts(text, ")");
}

void sp_decode_caller(pid_t pid, uint64_t ip, char *out, size_t len)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(out, len, "0x%" PRIx64, ip);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(path, "re")))
		return;
	/* whole lines: a file name can be long, and the kernel writes its
	 * newlines as \012 (fs/proc/task_mmu.c show_map_vma, seq_path), so
	 * a piece of a line read in parts could pass for a mapping */
	while (getline(&line, &cap, f) > 0) {
		unsigned long long lo, hi, off;
		int name_at = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &lo, &hi, &off, &name_at) < 3)
			continue;
		if (ip < lo || ip >= hi)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (name_at > 0 && line[name_at])
			snprintf(out, len, "%s+0x%llx", line + name_at,
				 (unsigned long long)(ip - lo + off));
		break;
	}
	free(line);
	fclose(f);
}

void sp_decode_comm(pid_t pid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(out, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!(f = fopen(path, "re")))
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}
