/* names.c - the names of errno values and signals ("EPERM", "SYS"), as
 * glibc's strerrorname_np and sigabbrev_np give them, from a table of the
 * C library's own macros (gen/errnames.inc): musl, which builds the static
 * secprof, has neither function. tests/unit/test_names.c checks the table
 * against glibc's functions. */
#include <errno.h>
#include <signal.h>

#include "core/util.h"
#include "gen/errnames.inc"

struct name_row {
	int value;
	const char *name;
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

const char *sp_signal_abbrev(int sig)
{
	const char *name = name_of(signal_rows, SP_ARRAY_SIZE(signal_rows), sig);

	return name ? name + 3 : NULL; /* without "SIG" */
}
