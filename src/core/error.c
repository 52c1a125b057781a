/* error.c - errors and warnings with a location (docs/CONVENTIONS.md §2-3). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"

SP_PRINTF(6, 0)
static void fill(secprof_error *err, int code, const char *file, const struct sp_loc *loc,
		 const char *path, const char *fmt, va_list ap)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	if (file)
		snprintf(err->file, sizeof(err->file), "%s", file);
	if (loc) {
		err->line = loc->line;
		err->column = loc->col;
	}
	if (path)
		snprintf(err->path, sizeof(err->path), "%s", path);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int sp_err(secprof_error *err, int code, const char *file, const struct sp_loc *loc,
	   const char *path, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		fill(err, code, file, loc, path, fmt, ap);
		va_end(ap);
	}
	return -code;
}

int sp_err_oom_in(secprof_error *err, const char *file)
{
	return sp_err(err, SECPROF_E_SYSTEM, file, NULL, NULL, "out of memory");
}

int sp_err_oom(secprof_error *err)
{
	return sp_err_oom_in(err, NULL);
}

int sp_err_errno(secprof_error *err, const char *file, const char *fmt, ...)
{
	int e = errno; /* vsnprintf below may change it */
	char what[sizeof(((secprof_error *)0)->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return sp_err(err, SECPROF_E_SYSTEM, file, NULL, NULL, "%s: %s", what, strerror(e));
}

int sp_err_wrap(secprof_error *err, const char *fmt, ...)
{
	char outer[256], inner[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -SECPROF_E_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(outer, sizeof(outer), fmt, ap);
	va_end(ap);
	memcpy(inner, err->msg, sizeof(inner));
	/* Truncation is fine here: the message stays NUL-terminated. */
	size_t n = strlen(outer);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, outer, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	size_t m = strnlen(inner, sizeof(inner) - 1);
	if (m > sizeof(err->msg) - 1 - n)
		m = sizeof(err->msg) - 1 - n;
	memcpy(err->msg + n, inner, m);
	err->msg[n + m] = '\0';
	return -err->code;
}

static void deliver(secprof_ctx *ctx, const secprof_error *w)
{
	if (ctx && ctx->warn)
		ctx->warn(ctx->warn_data, w);
}

int sp_warn(secprof_ctx *ctx, secprof_error *err, const char *file, const struct sp_loc *loc,
	    const char *path, const char *fmt, ...)
{
	secprof_error w;
	va_list ap;

	va_start(ap, fmt);
	fill(&w, SECPROF_E_PROFILE, file, loc, path, fmt, ap);
	va_end(ap);
	if (ctx && ctx->strict) {
		if (err)
			*err = w;
		return -SECPROF_E_PROFILE;
	}
	deliver(ctx, &w);
	return 0;
}

void sp_note(secprof_ctx *ctx, const char *file, const struct sp_loc *loc, const char *path,
	     const char *fmt, ...)
{
	secprof_error w;
	va_list ap;

	va_start(ap, fmt);
	fill(&w, 0, file, loc, path, fmt, ap);
	va_end(ap);
	deliver(ctx, &w);
}

char *secprof_error_format(const secprof_error *err, char *buf, size_t len)
{
	size_t n = 0;

#define ADD(...)                                                              \
	do {                                                                  \
		int r_ = snprintf(buf + n, len - n, __VA_ARGS__);             \
		if (r_ > 0)                                                   \
			n += (size_t)r_ < len - n ? (size_t)r_ : len - n - 1; \
	} while (0)
	if (!len)
		return buf;
	buf[0] = '\0';
	if (err->file[0]) {
		ADD("%s:", err->file);
		if (err->line)
			ADD("%u:%u:", err->line, err->column);
		ADD(" ");
	}
	if (err->path[0])
		ADD("%s: ", err->path);
	ADD("%s", err->msg);
#undef ADD
	return buf;
}
