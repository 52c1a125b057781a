/* cmd_syscalls.c - 'secprof syscalls': names <-> numbers with secprof's own
 * table, one arch or all of them (like libseccomp's scmp_sys_resolver).
 * Reaches src/arch.h directly: the table is internal to libsecprof, and the
 * CLI links the static archive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_ARCH = 1, OPT_ARCHES };

static const struct cli_opt syscalls_opts[] = {
	{ "arch", 'a', OPT_ARCH, CLI_ARG, "ARCH",
	  "one arch (any spelling) instead of the table of all", CLI_C_ARCH, NULL, false },
	{ "arches", 0, OPT_ARCHES, CLI_NOARG, NULL, "list the arches secprof knows", CLI_C_NONE,
	  NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_syscalls = {
	.synopsis = "[--arch ARCH] [NAME|NUMBER ...] | --arches",
	.description =
		"Resolve syscall names and numbers with secprof's own table (generated from\n"
		"libseccomp's syscalls.csv; it does not use the host's libseccomp).\n"
		"Numbers are those the kernel sees in seccomp_data.nr: x32 numbers carry\n"
		"bit 0x40000000, MIPS o32/n64/n32 numbers start at 4000/5000/6000, ARM's\n"
		"private syscalls at 0xf0000. NUMBER is decimal or 0x-hex.\n"
		"ARCH is any spelling: a libseccomp name (x86_64), SCMP_ARCH_X86_64,\n"
		"Docker's native name (amd64), a GOARCH (386) or a uname -m name (i686).\n"
		"\n"
		"Output (stable; '-' stands for \"none\"):\n"
		"  --arch ARCH, arguments:  one line per argument, \"NAME NUMBER\"\n"
		"  --arch ARCH, none:       every syscall of ARCH, \"NAME NUMBER\", by number\n"
		"  no --arch:               a tab-separated table; header \"syscall\" and the\n"
		"                           arch names; one row per argument: a NAME and its\n"
		"                           number on each arch, or a NUMBER and its name on\n"
		"                           each arch; no arguments: every name, sorted\n"
		"  --arches:                tab-separated: name, SCMP_ARCH_*, Docker name,\n"
		"                           audit arch, number base, argument bits, endian,\n"
		"                           whether runc accepts it\n"
		"\n"
		"Exit status: 0; 1 if an argument exists on none of the arches shown\n"
		"(reported on stderr; its line is still printed); 2 usage error.",
	.opts = syscalls_opts,
};

struct syscalls_args {
	const secprof_arch *arch;
	bool arches;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct syscalls_args *a = data;

	if (id == OPT_ARCHES)
		a->arches = true;
	else if (!(a->arch = cli_arch(g, v)))
		return EXIT_USAGE;
	return 0;
}

/* Decimal or 0x-hex, 0..INT32_MAX. Anything else is a name. */
static bool parse_number(const char *s, int32_t *out)
{
	uint64_t v;

	if (!cli_number(s, INT32_MAX, &v, NULL))
		return false;
	*out = (int32_t)v;
	return true;
}

static void print_number(int32_t nr)
{
	if (nr < 0)
		fputs("-", stdout);
	else
		printf("%ld", (long)nr);
}

static int unknown(const struct cli *g, const char *arg, const secprof_arch *arch)
{
	int32_t nr;

	fflush(stdout); /* keep the message next to the line it is about */
	if (!parse_number(arg, &nr))
		cli_usage_error(g, "unknown syscall '%s'", arg);
	else if (arch)
		cli_usage_error(g, "no syscall has number %s on %s", arg, secprof_arch_name(arch));
	else
		cli_usage_error(g, "no syscall has number %s on any arch", arg);
	return EXIT_PROFILE;
}

/* "NAME NUMBER" for one argument on one arch; false if it is not there. */
static bool print_on_arch(const secprof_arch *arch, const char *arg)
{
	int32_t nr;

	if (parse_number(arg, &nr)) {
		const char *name = secprof_syscall_name(arch, nr);
		printf("%s %ld\n", name ? name : "-", (long)nr);
		return name != NULL;
	}
	nr = secprof_syscall_nr(arch, arg);
	printf("%s ", arg);
	print_number(nr);
	putchar('\n');
	/* A name of another arch is no error here: '-' says it all. */
	return secprof_syscall_known(arg);
}

static int one_arch(const struct cli *g, const secprof_arch *arch, int n, char **args)
{
	int rc = EXIT_OK;

	if (n == 0) {
		for (size_t k = 0; k < secprof_arch_syscall_count(arch); k++) {
			const char *name;
			int32_t nr = secprof_arch_syscall_at(arch, k, &name);
			printf("%s %ld\n", name, (long)nr);
		}
		return EXIT_OK;
	}
	for (int i = 0; i < n; i++)
		if (!print_on_arch(arch, args[i]))
			rc = unknown(g, args[i], arch);
	return rc;
}

/* One table row: the argument, then per arch its number or name. */
static bool print_row(const char *arg)
{
	bool found = false;
	int32_t nr;
	bool is_nr = parse_number(arg, &nr);

	fputs(arg, stdout);
	for (size_t i = 0; i < secprof_arch_count(); i++) {
		const secprof_arch *a = secprof_arch_at(i);
		putchar('\t');
		if (is_nr) {
			const char *name = secprof_syscall_name(a, nr);
			fputs(name ? name : "-", stdout);
			found |= name != NULL;
		} else {
			print_number(secprof_syscall_nr(a, arg));
		}
	}
	putchar('\n');
	return is_nr ? found : secprof_syscall_known(arg);
}

static int all_arches(const struct cli *g, int n, char **args)
{
	int rc = EXIT_OK;

	fputs("syscall", stdout);
	for (size_t i = 0; i < secprof_arch_count(); i++)
		printf("\t%s", secprof_arch_name(secprof_arch_at(i)));
	putchar('\n');
	if (n == 0) {
		for (size_t i = 0; i < secprof_syscall_count(); i++)
			print_row(secprof_syscall_name_at(i));
		return EXIT_OK;
	}
	for (int i = 0; i < n; i++)
		if (!print_row(args[i]))
			rc = unknown(g, args[i], NULL);
	return rc;
}

static int list_arches(void)
{
	for (size_t i = 0; i < secprof_arch_count(); i++) {
		secprof_arch_info a;
		secprof_arch_get_info(secprof_arch_at(i), &a);
		printf("%s\t%s\t%s\t0x%08lx\t%lu\t%u\t%s\t%s\n", a.name, a.scmp, a.go ? a.go : "-",
		       (unsigned long)a.audit, (unsigned long)a.nr_base, (unsigned)a.bits,
		       a.big_endian ? "be" : "le", a.runc_ok ? "runc" : "-");
	}
	return EXIT_OK;
}

int cmd_syscalls(struct cli *g, int argc, char **argv)
{
	struct syscalls_args a = { 0 };
	int first, nargs, rc = cli_parse(g, argc, argv, take, &a, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	nargs = argc - first;
	if (a.arches) {
		if (a.arch || nargs) {
			cli_usage_error(g, "--arches takes no other arguments");
			return EXIT_USAGE;
		}
		return list_arches();
	}
	if (a.arch)
		return one_arch(g, a.arch, nargs, argv + first);
	return all_arches(g, nargs, argv + first);
}
