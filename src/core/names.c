/* names.c - the names of errno values and signals ("EPERM", "SYS"), as
 * glibc's strerrorname_np and sigabbrev_np give them, from a table of the
 * C library's own macros (gen/errnames.inc): musl, which builds the static
 * secprof, has neither function. tests/unit/test_names.c checks the table
 * against glibc's functions. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "gen/errnames.inc"

/* Names inline, not pointers: a table of pointers costs every process that
 * loads libsecprof a relocation per row and a private copy of its page
 * (docs/CONVENTIONS.md §18). 16: "ENOTRECOVERABLE". */
struct name_row {
	int value;
	char name[16];
};

#define SP_NAME(macro) { macro, #macro },
static const struct name_row errno_rows[] = { SP_ERRNAMES };
static const struct name_row signal_rows[] = { SP_SIGNAMES };
#undef SP_NAME

static const char *name_of(const struct name_row *rows, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].value == value)
			return rows[i].name;
	return NULL;
}

const char *sp_errno_name(int err)
{
	return name_of(errno_rows, SP_ARRAY_SIZE(errno_rows), err);
}

int sp_errno_value(const char *name)
{
	/* the spellings SP_ERRNAMES leaves to the name of the same value */
	static const struct name_row aliases[] = {
		{ EWOULDBLOCK, "EWOULDBLOCK" },
		{ EDEADLOCK, "EDEADLOCK" },
		{ ENOTSUP, "ENOTSUP" },
	};

	for (size_t i = 0; name && i < SP_ARRAY_SIZE(errno_rows); i++)
		if (!strcmp(name, errno_rows[i].name))
			return errno_rows[i].value;
	for (size_t i = 0; name && i < SP_ARRAY_SIZE(aliases); i++)
		if (!strcmp(name, aliases[i].name))
			return aliases[i].value;
	return -1;
}

const char *sp_signal_abbrev(int sig)
{
	const char *name = name_of(signal_rows, SP_ARRAY_SIZE(signal_rows), sig);

	return name ? name + 3 : NULL; /* without "SIG" */
}

/* Go's text of each errno value (syscall.Errno's Error, from the table of
 * go/src/syscall/zerrors_linux_amd64.go), which runc's messages carry and
 * docker prints ("exec: \"x\": permission denied"): glibc's strerror with
 * the first letter lowered unless the second is a capital too ("RFS
 * specific error"; mkerrors.sh), here from glibc 2.36. Not strerror: musl's
 * words many of them otherwise ("Symbolic link loop", "Filename too
 * long"), and the static secprof is built against musl.
 * tests/unit/test_names.c checks the table against glibc's strerror. The
 * numbers of asm-generic/errno.h only (alpha, mips, parisc and sparc
 * number many otherwise). */
#if EDEADLK == 35 && ELOOP == 40 && EOWNERDEAD == 130 && EHWPOISON == 133
#define SP_GO_TEXTS 1
/* 50: "invalid or incomplete multibyte or wide character"; "" where Go has
 * no text. Inline for the reason of struct name_row. */
static const char go_texts[][50] = {
	[1] = "operation not permitted",
	[2] = "no such file or directory",
	[3] = "no such process",
	[4] = "interrupted system call",
	[5] = "input/output error",
	[6] = "no such device or address",
	[7] = "argument list too long",
	[8] = "exec format error",
	[9] = "bad file descriptor",
	[10] = "no child processes",
	[11] = "resource temporarily unavailable",
	[12] = "cannot allocate memory",
	[13] = "permission denied",
	[14] = "bad address",
	[15] = "block device required",
	[16] = "device or resource busy",
	[17] = "file exists",
	[18] = "invalid cross-device link",
	[19] = "no such device",
	[20] = "not a directory",
	[21] = "is a directory",
	[22] = "invalid argument",
	[23] = "too many open files in system",
	[24] = "too many open files",
	[25] = "inappropriate ioctl for device",
	[26] = "text file busy",
	[27] = "file too large",
	[28] = "no space left on device",
	[29] = "illegal seek",
	[30] = "read-only file system",
	[31] = "too many links",
	[32] = "broken pipe",
	[33] = "numerical argument out of domain",
	[34] = "numerical result out of range",
	[35] = "resource deadlock avoided",
	[36] = "file name too long",
	[37] = "no locks available",
	[38] = "function not implemented",
	[39] = "directory not empty",
	[40] = "too many levels of symbolic links",
	[42] = "no message of desired type",
	[43] = "identifier removed",
	[44] = "channel number out of range",
	[45] = "level 2 not synchronized",
	[46] = "level 3 halted",
	[47] = "level 3 reset",
	[48] = "link number out of range",
	[49] = "protocol driver not attached",
	[50] = "no CSI structure available",
	[51] = "level 2 halted",
	[52] = "invalid exchange",
	[53] = "invalid request descriptor",
	[54] = "exchange full",
	[55] = "no anode",
	[56] = "invalid request code",
	[57] = "invalid slot",
	[59] = "bad font file format",
	[60] = "device not a stream",
	[61] = "no data available",
	[62] = "timer expired",
	[63] = "out of streams resources",
	[64] = "machine is not on the network",
	[65] = "package not installed",
	[66] = "object is remote",
	[67] = "link has been severed",
	[68] = "advertise error",
	[69] = "srmount error",
	[70] = "communication error on send",
	[71] = "protocol error",
	[72] = "multihop attempted",
	[73] = "RFS specific error",
	[74] = "bad message",
	[75] = "value too large for defined data type",
	[76] = "name not unique on network",
	[77] = "file descriptor in bad state",
	[78] = "remote address changed",
	[79] = "can not access a needed shared library",
	[80] = "accessing a corrupted shared library",
	[81] = ".lib section in a.out corrupted",
	[82] = "attempting to link in too many shared libraries",
	[83] = "cannot exec a shared library directly",
	[84] = "invalid or incomplete multibyte or wide character",
	[85] = "interrupted system call should be restarted",
	[86] = "streams pipe error",
	[87] = "too many users",
	[88] = "socket operation on non-socket",
	[89] = "destination address required",
	[90] = "message too long",
	[91] = "protocol wrong type for socket",
	[92] = "protocol not available",
	[93] = "protocol not supported",
	[94] = "socket type not supported",
	[95] = "operation not supported",
	[96] = "protocol family not supported",
	[97] = "address family not supported by protocol",
	[98] = "address already in use",
	[99] = "cannot assign requested address",
	[100] = "network is down",
	[101] = "network is unreachable",
	[102] = "network dropped connection on reset",
	[103] = "software caused connection abort",
	[104] = "connection reset by peer",
	[105] = "no buffer space available",
	[106] = "transport endpoint is already connected",
	[107] = "transport endpoint is not connected",
	[108] = "cannot send after transport endpoint shutdown",
	[109] = "too many references: cannot splice",
	[110] = "connection timed out",
	[111] = "connection refused",
	[112] = "host is down",
	[113] = "no route to host",
	[114] = "operation already in progress",
	[115] = "operation now in progress",
	[116] = "stale file handle",
	[117] = "structure needs cleaning",
	[118] = "not a XENIX named type file",
	[119] = "no XENIX semaphores available",
	[120] = "is a named type file",
	[121] = "remote I/O error",
	[122] = "disk quota exceeded",
	[123] = "no medium found",
	[124] = "wrong medium type",
	[125] = "operation canceled",
	[126] = "required key not available",
	[127] = "key has expired",
	[128] = "key has been revoked",
	[129] = "key was rejected by service",
	[130] = "owner died",
	[131] = "state not recoverable",
	[132] = "operation not possible due to RF-kill",
	[133] = "memory page has hardware error",
};
#endif

void sp_go_errno_text(int err, char *buf, size_t len)
{
	const char *t = NULL;

#ifdef SP_GO_TEXTS
	if (err > 0 && (size_t)err < SP_ARRAY_SIZE(go_texts))
		t = go_texts[err];
	if (!t || !*t) { /* Go: "errno 41" where its table has no text */
		snprintf(buf, len, "errno %d", err);
		return;
	}
#else
	t = strerror(err);
#endif
	snprintf(buf, len, "%s", t);
#ifndef SP_GO_TEXTS
	if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
#endif
}
