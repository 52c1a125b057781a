/* test_names.c - core/names.c's errno and signal names against glibc's own
 * (strerrorname_np, sigabbrev_np: glibc 2.32), for every number from 1 glibc
 * names: the static secprof, built against musl, prints them from this
 * table (`secprof probe`), the dynamic one too. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "tap.h"

static int differ(const char *mine, const char *glibc)
{
	return (mine == NULL) != (glibc == NULL) || (mine && strcmp(mine, glibc));
}

int main(void)
{
	int errs = 0, named = 0, sigs = 0;

	for (int e = 1; e < 4096; e++) {
		const char *g = strerrorname_np(e);
		named += g != NULL;
		if (differ(sp_errno_name(e), g)) {
			tap_diag("errno %d: secprof %s, glibc %s", e, sp_errno_name(e) ?: "(none)",
				 g ?: "(none)");
			errs++;
		}
	}
	tap_ok(!errs && named > 130, "the name of every errno value is glibc's (%d named)", named);
	errs = 0;
	for (int s = 0; s < SIGRTMIN; s++) {
		const char *g = sigabbrev_np(s);
		sigs += g != NULL;
		if (differ(sp_signal_abbrev(s), g)) {
			tap_diag("signal %d: secprof %s, glibc %s", s,
				 sp_signal_abbrev(s) ?: "(none)", g ?: "(none)");
			errs++;
		}
	}
	tap_ok(!errs && sigs == 31, "the name of every standard signal is glibc's (%d named)",
	       sigs);
	/* Go's texts (mkerrors.sh: glibc's strerror, the first letter lowered
	 * before a small one), which the static secprof cannot take from
	 * musl's strerror */
	errs = 0;
	for (int e = 1; e < 200; e++) {
		char mine[128], go[128];
		const char *g = strerror(e);
		sp_go_errno_text(e, mine, sizeof(mine));
		if (strerrorname_np(e) && e != 41 && e != 58 && e <= 133) {
			snprintf(go, sizeof(go), "%s", g);
			if (go[0] >= 'A' && go[0] <= 'Z' && go[1] >= 'a' && go[1] <= 'z')
				go[0] = (char)(go[0] - 'A' + 'a');
		} else {
			snprintf(go, sizeof(go), "errno %d", e);
		}
		if (strcmp(mine, go)) {
			tap_diag("errno %d: secprof \"%s\", Go \"%s\"", e, mine, go);
			errs++;
		}
	}
	tap_ok(!errs, "Go's text of every errno value, glibc's strerror as mkerrors.sh lowers it");
	{
		char t[64];
		sp_go_errno_text(ELOOP, t, sizeof(t));
		TAP_EQ_STR(t, "too many levels of symbolic links", "ELOOP: Go's text");
		sp_go_errno_text(73, t, sizeof(t));
		TAP_EQ_STR(t, "RFS specific error", "EDOTDOT: a capital pair kept, as Go does");
	}
	TAP_EQ_STR(sp_errno_name(EPERM), "EPERM", "EPERM is named EPERM");
	/* the other way, as Podman's errno names are read: every name glibc
	 * gives maps back to its value, and the C library's other spellings */
	errs = 0;
	for (int e = 1; e < 4096; e++) {
		const char *g = strerrorname_np(e);
		if (g && sp_errno_value(g) != e) {
			tap_diag("%s: secprof %d, glibc %d", g, sp_errno_value(g), e);
			errs++;
		}
	}
	tap_ok(!errs, "every glibc errno name maps back to its value");
	tap_ok(sp_errno_value("EWOULDBLOCK") == EAGAIN && sp_errno_value("EDEADLOCK") == EDEADLK &&
		       sp_errno_value("ENOTSUP") == EOPNOTSUPP,
	       "EWOULDBLOCK, EDEADLOCK and ENOTSUP: their values");
	tap_ok(sp_errno_value("eperm") == -1 && sp_errno_value("") == -1 &&
		       sp_errno_value("EPERM ") == -1 && sp_errno_value(NULL) == -1,
	       "no other spelling is a name (case, blanks, empty, NULL)");
	TAP_EQ_STR(sp_signal_abbrev(SIGSYS), "SYS", "SIGSYS is named SYS");
	return tap_done();
}
