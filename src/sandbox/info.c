/* info.c - what this kernel offers for seccomp (`secprof info`).
 *
 * Only questions the kernel answers without side effects: the kernel config,
 * /proc, SECCOMP_GET_ACTION_AVAIL / GET_NOTIF_SIZES, and which filter flags
 * seccomp(2) knows. For the flags no filter is ever installed: the kernel
 * checks the flags before it copies the program, so with a NULL program a
 * known flag fails with EFAULT and an unknown one with EINVAL. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <dlfcn.h>
#include <zlib.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "sandbox/run.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The arches Docker's default archMap pairs with each native one (docs/COMPAT.md §5),
 * and the kernel option that lets a process of this kernel enter it with
 * that ABI (arch/x86/Kconfig IA32_EMULATION and X86_X32_ABI, arch/arm64 and
 * arch/s390 COMPAT, arch/mips MIPS32_O32 and MIPS32_N32). Names in place,
 * no pointers: no relocation at load; "" where there is none. */
static const struct {
	char native[sizeof("loongarch64")];
	char compat[2][sizeof("mipsel64n32")];
	char config[2][sizeof("CONFIG_IA32_EMULATION")];
} compat_table[] = {
	{ "x86_64", { "x86", "x32" }, { "CONFIG_IA32_EMULATION", "CONFIG_X86_X32_ABI" } },
	{ "aarch64", { "arm", "" }, { "CONFIG_COMPAT", "" } },
	{ "mips64", { "mips", "mips64n32" }, { "CONFIG_MIPS32_O32", "CONFIG_MIPS32_N32" } },
	{ "mipsel64", { "mipsel", "mipsel64n32" }, { "CONFIG_MIPS32_O32", "CONFIG_MIPS32_N32" } },
	{ "s390x", { "s390", "" }, { "CONFIG_COMPAT", "" } },
	{ "ppc64le", { "", "" }, { "", "" } },
	{ "riscv64", { "", "" }, { "", "" } },
	{ "loongarch64", { "", "" }, { "", "" } },
};

/* Look for "NAME=" in a kernel config text: "y", "m" or "n" when it is
 * "# NAME is not set" or missing. */
static void config_value(const char *text, const char *name, char *out, size_t len)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s=", name);
	p = strstr(text, key);
	if (p) {
		p += strlen(key);
		snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
	} else {
		snprintf(out, len, "n");
	}
}

/* zlib is opened with dlopen here, its one use, not linked: as a
 * dependency of libsecprof.so it would be loaded at the start of every
 * secprof process. Without it, /boot's plain config is read instead. */
#define ZLIB_SONAME "libz.so.1"
_Static_assert(ZLIB_VER_MAJOR == 1, "zlib 1.x (soname libz.so.1)");

static char *read_gz(const char *path, size_t max)
{
	void *dl = dlopen(ZLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	__typeof__(&gzopen) z_open = NULL;
	__typeof__(&gzread) z_read = NULL;
	__typeof__(&gzclose) z_close = NULL;
	gzFile f;
	char *buf;
	int n, got = 0;

	if (!dl)
		return NULL;
	*(void **)&z_open = dlsym(dl, "gzopen");
	*(void **)&z_read = dlsym(dl, "gzread");
	*(void **)&z_close = dlsym(dl, "gzclose");
	if (!z_open || !z_read || !z_close || !(f = z_open(path, "rb"))) {
		dlclose(dl);
		return NULL;
	}
	buf = malloc(max + 2);
	if (buf) {
		buf[0] = '\n'; /* so the first line also starts after a newline */
		while (got < (int)max &&
		       (n = z_read(f, buf + 1 + got, (unsigned)(max - (size_t)got))) > 0)
			got += n;
		buf[1 + got] = '\0';
	}
	z_close(f);
	dlclose(dl);
	return buf;
}

static char *read_plain(const char *path, size_t max)
{
	char *data, *buf;
	size_t len;
	secprof_error err;

	if (sp_read_file(path, max, &data, &len, &err) < 0)
		return NULL;
	buf = malloc(len + 2);
	if (buf) {
		buf[0] = '\n';
		memcpy(buf + 1, data, len);
		buf[len + 1] = '\0';
	}
	free(data);
	return buf;
}

/* The kernel's config text (caller frees), NULL when there is none. */
static char *read_kernel_config(struct sp_info *in)
{
	char boot[192];
	char *text = read_gz("/proc/config.gz", 4u << 20);

	snprintf(in->config_source, sizeof(in->config_source), "/proc/config.gz");
	if (!text) {
		snprintf(boot, sizeof(boot), "/boot/config-%s", in->kernel);
		text = read_plain(boot, 4u << 20);
		snprintf(in->config_source, sizeof(in->config_source), "%s", text ? boot : "");
	}
	if (!text) {
		snprintf(in->config_seccomp, sizeof(in->config_seccomp), "unknown");
		snprintf(in->config_seccomp_filter, sizeof(in->config_seccomp_filter), "unknown");
		return NULL;
	}
	config_value(text, "CONFIG_SECCOMP", in->config_seccomp, sizeof(in->config_seccomp));
	config_value(text, "CONFIG_SECCOMP_FILTER", in->config_seccomp_filter,
		     sizeof(in->config_seccomp_filter));
	return text;
}

static void read_actions_avail(struct sp_info *in)
{
	/* SECCOMP_RET_* names as /proc/sys/kernel/seccomp/actions_avail
	 * spells them, for kernels where the file cannot be read. */
	static const struct {
		uint32_t action;
		char name[sizeof("kill_process")]; /* no pointer: no relocation at load */
	} actions[] = {
		{ SECCOMP_RET_KILL_PROCESS, "kill_process" },
		{ SECCOMP_RET_KILL_THREAD, "kill_thread" },
		{ SECCOMP_RET_TRAP, "trap" },
		{ SECCOMP_RET_ERRNO, "errno" },
		{ SECCOMP_RET_USER_NOTIF, "user_notif" },
		{ SECCOMP_RET_TRACE, "trace" },
		{ SECCOMP_RET_LOG, "log" },
		{ SECCOMP_RET_ALLOW, "allow" },
	};
	char *text = read_plain("/proc/sys/kernel/seccomp/actions_avail", 4096);

	if (text) {
		snprintf(in->actions_avail, sizeof(in->actions_avail), "%.*s",
			 (int)strcspn(text + 1, "\n"), text + 1);
		free(text);
		return;
	}
	in->actions_avail[0] = '\0';
	for (size_t i = 0; i < SP_ARRAY_SIZE(actions); i++) {
		uint32_t a = actions[i].action;
		if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a) == 0) {
			size_t n = strlen(in->actions_avail);
			snprintf(in->actions_avail + n, sizeof(in->actions_avail) - n, "%s%s",
				 n ? " " : "", actions[i].name);
		}
	}
}

static bool flag_known(uint32_t flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
}

static void probe_flags(struct sp_info *in)
{
	static const uint32_t flags[] = {
		SECCOMP_FILTER_FLAG_TSYNC,       SECCOMP_FILTER_FLAG_LOG,
		SECCOMP_FILTER_FLAG_SPEC_ALLOW,  SECCOMP_FILTER_FLAG_NEW_LISTENER,
		SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
	};

	for (size_t i = 0; i < SP_ARRAY_SIZE(flags); i++) {
		uint32_t f = flags[i];
		/* The kernel only takes some flags together with another. */
		if (f == SECCOMP_FILTER_FLAG_TSYNC_ESRCH)
			f |= SECCOMP_FILTER_FLAG_TSYNC;
		if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
			f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		in->flags_tried |= flags[i];
		if (flag_known(f))
			in->flags_ok |= flags[i];
	}
}

static void read_notif_sizes(struct sp_info *in)
{
	struct seccomp_notif_sizes sz;

	in->notif_sizes_ok = syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0;
	if (in->notif_sizes_ok) {
		in->notif_size = sz.seccomp_notif;
		in->resp_size = sz.seccomp_notif_resp;
		in->data_size = sz.seccomp_data;
	}
}

/* Does this kernel take x32 system calls? The x32 getpid (39 with
 * __X32_SYSCALL_BIT) answers ENOSYS when the kernel was built without
 * CONFIG_X86_X32_ABI or boots with it off (syscall.x32=n, as Debian's
 * kernels do; arch/x86/entry/syscall_64.c do_syscall_x32): the syscall
 * instruction itself is always there, so the probe is harmless, unlike an
 * int $0x80 on a kernel without IA32 emulation (SIGSEGV). Only made by a
 * process without a filter: one could kill it (libseccomp's bad-arch
 * action), and then the config decides. -1: cannot tell. */
static int x32_probe(const struct sp_info *in)
{
#if defined(__x86_64__)
	if (in->seccomp_mode == 0)
		return syscall(0x40000000L | 39) >= 0;
#endif
	(void)in;
	return -1;
}

/* The compat arches this kernel takes: the config says (an option that is
 * "n" or absent drops its arch), x32 asks the kernel; with neither, the
 * arch is listed as the archMap pairs it. */
static void set_arches(struct sp_info *in, const char *config)
{
	const struct sp_arch *native = sp_arch_native();

	in->native_arch = native ? native->name : "unknown";
	for (size_t i = 0; native && i < SP_ARRAY_SIZE(compat_table); i++) {
		if (strcmp(compat_table[i].native, native->name))
			continue;
		for (size_t j = 0; j < 2; j++) {
			const char *opt = compat_table[i].config[j];
			char val[16] = "y";
			int probe = -1;
			if (!compat_table[i].compat[j][0])
				continue;
			if (!strcmp(compat_table[i].compat[j], "x32"))
				probe = x32_probe(in);
			if (config && opt[0])
				config_value(config, opt, val, sizeof(val));
			if (probe == 0 || (probe < 0 && strcmp(val, "y")))
				continue;
			in->compat_arches[in->ncompat++] = compat_table[i].compat[j];
		}
	}
}

static int status_int(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? atoi(p + strlen(key)) : -1;
}

int sp_info_collect(struct sp_info *in, secprof_error *err)
{
	char status[8192], *config;
	struct utsname u;
	unsigned long major = 0, minor = 0;

	memset(in, 0, sizeof(*in));
	if (uname(&u) < 0)
		return sp_err_errno(err, NULL, "uname");
	snprintf(in->kernel, sizeof(in->kernel), "%s", u.release);
	snprintf(in->machine, sizeof(in->machine), "%s", u.machine);
	if (sp_read_proc_status(status, sizeof(status), err) < 0)
		return -SECPROF_E_SYSTEM;
	in->seccomp_mode = status_int(status, "\nSeccomp:");
	in->seccomp_filters = status_int(status, "\nSeccomp_filters:");
	config = read_kernel_config(in);
	read_actions_avail(in);
	probe_flags(in);
	read_notif_sizes(in);
	set_arches(in, config);
	free(config);
	/* The per-arch action cache bitmap arrived in 5.11 (kernel/seccomp.c,
	 * SECCOMP_ARCH_NATIVE; docs/KERNEL.md §0). */
	sscanf(u.release, "%lu.%lu", &major, &minor);
	in->action_cache = major > 5 || (major == 5 && minor >= 11);
	return 0;
}

/* Whether the host runs AppArmor, as moby decides it before giving every
 * container that is not privileged its docker-default profile
 * (pkg/apparmor HostSupports, daemon/apparmor_default.go): the module's
 * "enabled" parameter reads Y. secprof applies no AppArmor profile. */
bool sp_host_apparmor(void)
{
	char c = 0;
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y';
}
