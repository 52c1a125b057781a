/* tap.h - a minimal TAP producer for unit tests (header-only). */
#ifndef SECPROF_TAP_H
#define SECPROF_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2), unused)) static void tap_diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

__attribute__((unused)) static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define TAP_EQ_STR(got, want, name)                                            \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (!tap_ok(g_ && w_ && !strcmp(g_, w_), "%s", name))          \
			tap_diag("got  '%s'\n# want '%s'", g_ ? g_ : "(null)", \
				 w_ ? w_ : "(null)");                          \
	} while (0)

#define TAP_EQ_INT(got, want, name)                                      \
	do {                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (!tap_ok(g_ == w_, "%s", name))                       \
			tap_diag("got %lld, want %lld", g_, w_);         \
	} while (0)

#endif
