/* archive-stub.c - linked into the static secprof in place of
 * src/sandbox/archive.c, so that it needs no static libarchive (and the
 * compression libraries behind it): the static binary runs probes inside
 * containers, never `run --image`, which says so here. */
#include <stdlib.h>

#include "secprof.h"
#include "core/util.h"
#include "sandbox/run.h"

static int no_archive(secprof_error *err)
{
	return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
		      "this static secprof is built without libarchive: --image needs the dynamic secprof");
}

int sp_archive_small_members(const char *path, size_t max, struct sp_member **out, size_t *n,
			     secprof_error *err)
{
	(void)path;
	(void)max;
	*out = NULL;
	*n = 0;
	return no_archive(err);
}

void sp_members_free(struct sp_member *m, size_t n)
{
	(void)n;
	free(m);
}

int sp_layer_unpack(const char *path, int fd, const char *member, const char *dest,
		    const char *expect_hex, const char *plain_hex, secprof_error *err)
{
	(void)fd;
	(void)expect_hex;
	(void)plain_hex;
	(void)path;
	(void)member;
	(void)dest;
	return no_archive(err);
}
