/* common.c - loading, resolving and error printing shared by the commands. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdarg.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_print_error(const struct cli *g, const secprof_error *e)
{
	char buf[1400];
	fprintf(stderr, "%s: %s\n", g->prog, secprof_error_format(e, buf, sizeof(buf)));
	if (g->last_error)
		*g->last_error = *e;
}

__attribute__((format(printf, 3, 0))) static void verror(const struct cli *g, const char *cmd,
							 const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", g->prog);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_usage_error(const struct cli *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(g, NULL, fmt, ap);
	va_end(ap);
}

int cli_fail(const struct cli *g, int status, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(g, cmd, fmt, ap);
	va_end(ap);
	return status;
}

/* A regular file, or /dev/null (1:3): a node the command made in a volume
 * (it keeps CAP_MKNOD) must not take the output, a block device would be
 * written, and a FIFO would hold secprof before the command starts. */
static bool output_kind_ok(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 &&
	       (S_ISREG(st.st_mode) ||
		(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3));
}

FILE *cli_open_output(const char *path, unsigned above, const char **why)
{
	int fd, high;
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
	if (fd < 0) {
		/* ENXIO: a FIFO no one reads (open(2)) */
		*why = errno == ENXIO ? "not a regular file" : strerror(errno);
		return NULL;
	}
	if (!output_kind_ok(fd)) {
		*why = "not a regular file";
		close(fd);
		return NULL;
	}
	*why = "cannot move it above the fds --preserve-fds passes";
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 ||
	    ((unsigned)fd < 3 + above &&
	     (high = fcntl(fd, F_DUPFD_CLOEXEC, (int)(3 + above))) < 0)) {
		close(fd);
		return NULL;
	}
	if ((unsigned)fd < 3 + above) {
		close(fd);
		fd = high;
	}
	if (!(f = fdopen(fd, "w"))) {
		*why = strerror(errno);
		close(fd);
	}
	return f;
}

int cli_output_truncate(FILE *f)
{
	/* /dev/null has no length to cut */
	return f == stdout || ftruncate(fileno(f), 0) == 0 || errno == EINVAL ? 0 : -1;
}

int cli_exit_code(int rc)
{
	switch (-rc) {
	case 0: return EXIT_OK;
	case SECPROF_E_PROFILE:
	case SECPROF_E_LIMIT: return EXIT_PROFILE;
	case SECPROF_E_USAGE: return EXIT_USAGE;
	default: return EXIT_SYSTEM;
	}
}

int cli_load_profile(struct cli *g, const char *name, secprof_profile **out)
{
	secprof_error err = { 0 };
	secprof_profile *p;

	if (!strcmp(name, "builtin"))
		p = secprof_profile_builtin(g->ctx, &err);
	else /* a regular file, or "-" for standard input (secprof_read_file) */
		p = secprof_profile_load_file(g->ctx, name, &err);
	if (!p) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	*out = p;
	return 0;
}

int cli_resolve_loaded(struct cli *g, const struct cli_resolve_args *a, secprof_profile **p,
		       secprof_resolved **r)
{
	secprof_error err = { 0 };
	secprof_resolve_opts o = { .arch = a->arch,
				   .kernel_major = a->kernel_major,
				   .kernel_minor = a->kernel_minor };
	int rc;

	rc = secprof_caps_tweak(a->cap_add, a->nadd, a->cap_drop, a->ndrop, a->privileged,
				secprof_caps_all(), &o.caps, &err);
	if (rc < 0)
		goto fail;
	*r = secprof_resolve(g->ctx, *p, &o, &err);
	if (!*r) {
		rc = -err.code;
		goto fail;
	}
	return 0;
fail:
	cli_print_error(g, &err);
	secprof_profile_free(*p);
	*p = NULL;
	return cli_exit_code(rc);
}

int cli_resolve(struct cli *g, const struct cli_resolve_args *a, secprof_profile **p,
		secprof_resolved **r)
{
	int rc;

	if ((rc = cli_load_profile(g, a->profile, p)))
		return rc;
	return cli_resolve_loaded(g, a, p, r);
}

/* Raw BPF or JSON, by content. Every classic BPF opcode fits in 8 bits, so
 * the 16-bit `code` of the first struct sock_filter has a zero byte (the
 * second on little-endian, the first on big-endian machines); a JSON text
 * never holds a NUL byte (RFC 8259 wants control characters escaped, and
 * Docker reads profiles as UTF-8, where only U+0000 is a zero byte). So a
 * file with a NUL among its first 8 bytes is a program, anything else a
 * profile: the extension does not matter, and an empty file is a profile
 * (which then fails to parse). */
bool cli_looks_like_bpf(const char *data, size_t n)
{
	return memchr(data, 0, n < 8 ? n : 8) != NULL;
}

int cli_read_bpf_or_json(struct cli *g, const char *path, secprof_insn **insns, size_t *ninsns,
			 char **json, size_t *njson)
{
	secprof_error err = { 0 };
	char *data = NULL;
	size_t n = 0;

	*insns = NULL;
	*json = NULL;
	if (secprof_read_file(path, SECPROF_MAX_PROFILE_SIZE, "a profile or BPF program", &data, &n,
			      &err) < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	if (!cli_looks_like_bpf(data, n)) {
		*json = data;
		*njson = n;
		return 0;
	}
	/* the messages cli_read_bpf (secprof_read_file) gives */
	if (n > 4096 * sizeof(**insns))
		fprintf(stderr,
			"%s: %s: file is %zu bytes, larger than the %zu-byte limit for a BPF "
			"program (4096 instructions)\n",
			g->prog, path, n, 4096 * sizeof(**insns));
	else if (n % sizeof(**insns))
		fprintf(stderr, "%s: %s: %zu bytes is not a whole number of 8-byte instructions\n",
			g->prog, path, n);
	if (n > 4096 * sizeof(**insns) || n % sizeof(**insns)) {
		free(data);
		return EXIT_PROFILE;
	}
	*insns = (secprof_insn *)(void *)data; /* malloc'ed: aligned for any type */
	*ninsns = n / sizeof(**insns);
	return 0;
}

/* RFC 8259 escaping of quotes, backslashes and control characters; the
 * only escaping the JSON secprof prints needs. NULL prints null. */
int cli_put_json(const struct cli *g, int rc, char **json, const secprof_error *err)
{
	if (rc < 0) {
		cli_print_error(g, err);
		return cli_exit_code(rc);
	}
	fputs(*json, stdout);
	free(*json);
	*json = NULL;
	return fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
}

int cli_compile_insns(struct cli *g, const char *name, const secprof_resolved *r,
		      const secprof_compile_opts *co, const char *says, secprof_insn **insns,
		      size_t *len)
{
	secprof_error err = { 0 };
	secprof_prog *prog;

	if (secprof_resolved_unconfined(r)) {
		fprintf(stderr, "%s: %s: the profile is unconfined: %s\n", g->prog, name, says);
		return EXIT_PROFILE;
	}
	if (!(prog = secprof_compile(g->ctx, r, co, &err))) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	*insns = prog->insns;
	*len = prog->len;
	prog->insns = NULL;
	secprof_prog_free(prog);
	return 0;
}

int cli_call_operands(struct cli *g, int argc, char **argv, int first, struct cli_resolve_args *r,
		      struct cli_call *c)
{
	if (argc - first < 2)
		return cli_bad_usage(g, "a profile and a syscall are needed");
	if (argc - first > 8)
		return cli_bad_usage(g, "at most 6 arguments after the syscall");
	r->profile = argv[first];
	c->syscall = argv[first + 1];
	for (int i = first + 2; i < argc; i++)
		c->args[c->nargs++] = argv[i];
	return 0;
}

int cli_call_data(struct cli *g, const char *cmd, const struct cli_resolve_args *r,
		  const struct cli_call *c, const secprof_arch **arch, secprof_data *d)
{
	secprof_arch_info info;
	uint64_t v;

	*arch = c->abi ? cli_arch(g, c->abi) : r->arch_p ? r->arch_p : secprof_arch_native();
	if (!*arch)
		return EXIT_USAGE;
	secprof_arch_get_info(*arch, &info);
	d->arch = info.audit;
	if (isdigit((unsigned char)c->syscall[0])) {
		if (!cli_number(c->syscall, UINT32_MAX, &v, NULL)) {
			cli_usage_error(g, "%s: syscall number %s is out of range", cmd,
					c->syscall);
			return EXIT_USAGE;
		}
		d->nr = (int32_t)(uint32_t)v;
	} else if ((d->nr = secprof_syscall_nr(*arch, c->syscall)) < 0) {
		cli_usage_error(g, "%s: no syscall '%s' on %s", cmd, c->syscall, info.name);
		return EXIT_USAGE;
	}
	for (int i = 0; i < c->nargs; i++) {
		if (!cli_number(c->args[i], UINT64_MAX, &d->args[i], NULL)) {
			cli_usage_error(g, "%s: argument %d: '%s' is not a number", cmd, i,
					c->args[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}
