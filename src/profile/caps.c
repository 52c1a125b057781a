/* caps.c - capability names and Docker's TweakCapabilities (docs/COMPAT.md §3.4).
 *
 * A container's capability list is kept as a bit mask: seccomp resolution
 * only asks "is CAP_X in the bounding set" (docs/COMPAT.md §2.3), so the order and the
 * duplicates Docker's list may carry do not matter here. */
#include <stdio.h>
#include <string.h>

#include "secprof.h"
#include "profile/resolve.h"

/* Linux capability numbers, checked against <linux/capability.h>. */
/* 23: "CAP_CHECKPOINT_RESTORE". Names inline: no relocation at load
 * (docs/CONVENTIONS.md §18). */
static const char cap_names[][23] = {
	[0] = "CAP_CHOWN",
	[1] = "CAP_DAC_OVERRIDE",
	[2] = "CAP_DAC_READ_SEARCH",
	[3] = "CAP_FOWNER",
	[4] = "CAP_FSETID",
	[5] = "CAP_KILL",
	[6] = "CAP_SETGID",
	[7] = "CAP_SETUID",
	[8] = "CAP_SETPCAP",
	[9] = "CAP_LINUX_IMMUTABLE",
	[10] = "CAP_NET_BIND_SERVICE",
	[11] = "CAP_NET_BROADCAST",
	[12] = "CAP_NET_ADMIN",
	[13] = "CAP_NET_RAW",
	[14] = "CAP_IPC_LOCK",
	[15] = "CAP_IPC_OWNER",
	[16] = "CAP_SYS_MODULE",
	[17] = "CAP_SYS_RAWIO",
	[18] = "CAP_SYS_CHROOT",
	[19] = "CAP_SYS_PTRACE",
	[20] = "CAP_SYS_PACCT",
	[21] = "CAP_SYS_ADMIN",
	[22] = "CAP_SYS_BOOT",
	[23] = "CAP_SYS_NICE",
	[24] = "CAP_SYS_RESOURCE",
	[25] = "CAP_SYS_TIME",
	[26] = "CAP_SYS_TTY_CONFIG",
	[27] = "CAP_MKNOD",
	[28] = "CAP_LEASE",
	[29] = "CAP_AUDIT_WRITE",
	[30] = "CAP_AUDIT_CONTROL",
	[31] = "CAP_SETFCAP",
	[32] = "CAP_MAC_OVERRIDE",
	[33] = "CAP_MAC_ADMIN",
	[34] = "CAP_SYSLOG",
	[35] = "CAP_WAKE_ALARM",
	[36] = "CAP_BLOCK_SUSPEND",
	[37] = "CAP_AUDIT_READ",
	[38] = "CAP_PERFMON",
	[39] = "CAP_BPF",
	[40] = "CAP_CHECKPOINT_RESTORE",
};

#define CAP_COUNT ((int)SP_ARRAY_SIZE(cap_names))
#define CAP_BIT(n) ((secprof_caps)1 << (n))

/* The last capability Debian 12's Docker (docker.io 20.10.24) knows: its
 * list (moby daemon/caps GetAllCapabilities, over the vendored
 * syndtr/gocapability) ends at CAP_AUDIT_READ. That daemon refuses
 * --cap-add/--cap-drop PERFMON, BPF and CHECKPOINT_RESTORE with
 * `invalid CapAdd: unknown capability: "CAP_BPF"` and leaves them out of
 * --privileged and --cap-add ALL, so its containers never hold them and a
 * profile's rules on them never apply (docs/COMPAT.md §3.4). A current moby
 * takes every cap the daemon holds; secprof keeps to the stricter. */
#define DOCKER_LAST_CAP 37

bool sp_cap_docker_grantable(int cap)
{
	return cap >= 0 && cap <= DOCKER_LAST_CAP;
}

/* Docker's defaults (docs/COMPAT.md §3.4; moby daemon/pkg/oci/caps/defaults.go). */
/* clang-format off */
static const int docker_default_caps[] = {
	0 /* CHOWN */,		 1 /* DAC_OVERRIDE */,	    4 /* FSETID */,	3 /* FOWNER */,
	27 /* MKNOD */,		 13 /* NET_RAW */,	    6 /* SETGID */,	7 /* SETUID */,
	31 /* SETFCAP */,	 8 /* SETPCAP */,	    10 /* NET_BIND_SERVICE */,
	18 /* SYS_CHROOT */,	 5 /* KILL */,		    29 /* AUDIT_WRITE */,
};
/* clang-format on */

secprof_caps secprof_caps_docker_default(void)
{
	secprof_caps set = 0;
	for (size_t i = 0; i < SP_ARRAY_SIZE(docker_default_caps); i++)
		set |= CAP_BIT(docker_default_caps[i]);
	return set;
}

secprof_caps secprof_caps_all(void)
{
	return CAP_BIT(CAP_COUNT) - 1;
}

const char *secprof_cap_name(int cap)
{
	if (cap < 0 || cap >= CAP_COUNT)
		return NULL;
	return cap_names[cap];
}

/* Exact, case-sensitive lookup: what includes/excludes.caps matching uses
 * (docs/COMPAT.md §2.3, Go's inSlice over the bounding set). */
int sp_cap_from_exact_name(const char *name)
{
	for (int i = 0; i < CAP_COUNT; i++)
		if (!strcmp(cap_names[i], name))
			return i;
	return -1;
}

/* NormalizeLegacyCapabilities (docs/COMPAT.md §3.4): upper-case, then add "CAP_"
 * unless present; "ALL" is kept as is. Writes at most len-1 chars; a name
 * too long to be a capability is truncated, which keeps it unknown. */
static void normalize_cap(const char *in, char *out, size_t len)
{
	char up[64];
	size_t n = 0;

	for (; in[n] && n < sizeof(up) - 1; n++)
		up[n] = (in[n] >= 'a' && in[n] <= 'z') ? (char)(in[n] - 'a' + 'A') : in[n];
	up[n] = '\0';
	if (!strcmp(up, "ALL") || !strncmp(up, "CAP_", 4))
		snprintf(out, len, "%s", up);
	else
		snprintf(out, len, "CAP_%s", up);
}

int secprof_cap_from_name(const char *name)
{
	char norm[80];

	if (!name)
		return -1;
	normalize_cap(name, norm, sizeof(norm));
	return sp_cap_from_exact_name(norm);
}

/* Go's %q for the names in error messages: quotes, backslashes and control
 * bytes escaped. */
static void go_quote(const char *s, char *out, size_t len)
{
	size_t n = 0;

	if (len < 3)
		return;
	out[n++] = '"';
	for (; *s && n + 6 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, len - n, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(out + n, len - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* One normalised --cap-add/--cap-drop list: a mask of the named caps and
 * whether "ALL" was in it. */
struct cap_list {
	secprof_caps set;
	bool all;
};

static int normalize_list(const char *const *names, size_t n, secprof_caps available,
			  struct cap_list *out, secprof_error *err)
{
	out->set = 0;
	out->all = false;
	for (size_t i = 0; i < n; i++) {
		char norm[80], quoted[200];
		int cap;

		normalize_cap(names[i] ? names[i] : "", norm, sizeof(norm));
		if (!strcmp(norm, "ALL")) {
			out->all = true;
			continue;
		}
		cap = sp_cap_from_exact_name(norm);
		go_quote(norm, quoted, sizeof(quoted));
		if (!sp_cap_docker_grantable(cap))
			return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
				      "unknown capability: %s", quoted);
		if (!(available & CAP_BIT(cap)))
			return sp_err(
				err, SECPROF_E_USAGE, NULL, NULL, NULL,
				"capability not supported by your kernel or not available in the current environment: %s",
				quoted);
		out->set |= CAP_BIT(cap);
	}
	return 0;
}

int secprof_caps_tweak(const char *const *add, size_t nadd, const char *const *drop, size_t ndrop,
		       bool privileged, secprof_caps available, secprof_caps *out,
		       secprof_error *err)
{
	struct cap_list adds, drops;
	int rc;

	/* none Debian 12's Docker cannot name, even with ALL or --privileged */
	available &= CAP_BIT(DOCKER_LAST_CAP + 1) - 1;
	/* Privileged: every cap the daemon holds; add/drop are ignored. */
	if (privileged) {
		*out = available;
		return 0;
	}
	*out = secprof_caps_docker_default();
	if (nadd == 0 && ndrop == 0)
		return 0;
	/* moby normalises the drop list first, so its error wins. */
	if ((rc = normalize_list(drop, ndrop, available, &drops, err)) < 0)
		return rc;
	if ((rc = normalize_list(add, nadd, available, &adds, err)) < 0)
		return rc;
	if (adds.all)
		/* The literal "ALL" in drops matches no cap, so
		 * --cap-add ALL --cap-drop ALL keeps every cap (docs/COMPAT.md §3.4). */
		*out = available & ~drops.set;
	else if (drops.all)
		*out = adds.set;
	else
		*out = (*out & ~drops.set) | adds.set;
	return 0;
}
