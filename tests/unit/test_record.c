/* test_record.c - the recording and the profile written from it
 * (src/record/rec.c, runtime.c): names sorted and grouped by run count,
 * EQ rules for captured values only, --no-args, the value limit, numbers
 * no table names, ABIs listed, the runtime sets, the formats, and --merge
 * read back from written profiles with its run counts. The recorders
 * themselves run in tests/suites/record*.sh. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "core/arch.h"
#include "record/record.h"
#include "secprof.h"

static char *write_rec(const struct secprof_recording *r, secprof_record_out_opts o)
{
	secprof_error err = { 0 };
	char *out = NULL;
	if (secprof_recording_write(r, &o, &out, NULL, &err) < 0)
		tap_diag("write: %s", err.msg);
	return out;
}

/* The profile parses and resolves (as `secprof check` would). */
static int valid(const char *text)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err = { 0 };
	secprof_profile *p = secprof_profile_parse(ctx, text, strlen(text), "rec", &err);
	secprof_resolve_opts ro = { .caps = secprof_caps_docker_default() };
	secprof_resolved *rs = p ? secprof_resolve(ctx, p, &ro, &err) : NULL;
	int ok = rs != NULL;

	if (!ok)
		tap_diag("invalid: %s", err.msg);
	secprof_resolved_free(rs);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	return ok;
}

int main(void)
{
	const struct sp_arch *x64 = sp_arch_by_name("x86_64"), *x86 = sp_arch_by_name("x86");
	struct secprof_recording *r = secprof_recording_new(), *m;
	secprof_record_out_opts o = { 0 };
	secprof_recorded_call c;
	secprof_error err = { 0 };
	char *t, *a, *b;
	int found = 0;

	r->runs = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "write"), 3);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "read"), 5);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "socket"), 2);
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "socket"), 0, 1, 1);
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "socket"), 0, 10, 1);
	sp_rec_add(r, x64, 999, 1); /* no table names it */
	t = write_rec(r, o);
	tap_ok(t && valid(t), "the written profile is valid");
	tap_ok(t && strstr(t, "\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,"),
	       "ERRNO / EPERM default");
	tap_ok(t && strstr(t, "\"names\": [\"read\", \"write\"]"), "names sorted, in one entry");
	tap_ok(t && strstr(t,
			   "\"names\": [\"socket\"],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n\t\t\t\"args\": [{ \"index\": 0, \"value\": 1, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\" }]"),
	       "socket allowed for AF_UNIX with an EQ rule");
	tap_ok(t && strstr(t, "\"value\": 10,"), "and for AF_INET6");
	tap_ok(t && !strstr(t, "\"socket\", ") && !strstr(t, ", \"socket\""),
	       "socket never allowed whatever its family");
	tap_ok(t && strstr(t, "\"architectures\": [\"SCMP_ARCH_X86_64\"]"), "only the ABI seen");
	for (size_t i = 0; i < secprof_recording_count(r); i++) {
		secprof_recording_call(r, i, &c);
		found |= c.nr == 999 && !c.name;
	}
	tap_ok(found, "a number no table names is kept, without a name");
	free(t);

	o.no_args = true;
	t = write_rec(r, o);
	tap_ok(t && strstr(t, "[\"read\", \"socket\", \"write\"]") && !strstr(t, "args"),
	       "--no-args: socket plain, no rules");
	free(t);
	o.no_args = false;

	/* More values than kept: allowed whatever the argument, never dropped. */
	for (unsigned v = 0; v < SP_REC_MAX_VALS + 4; v++)
		sp_rec_add_val(r, x64, sp_syscall_nr(x64, "prctl"), 0, v, 1);
	t = write_rec(r, o);
	tap_ok(t && strstr(t, "\"prctl\"") && !strstr(t, "\"value\": 35,"),
	       "past SP_REC_MAX_VALS values, prctl is allowed plainly");
	free(t);

	/* i386 */
	sp_rec_add(r, x86, sp_syscall_nr(x86, "socketcall"), 1);
	t = write_rec(r, o);
	tap_ok(t && strstr(t, "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"]"),
	       "an i386 call lists SCMP_ARCH_X86");
	tap_ok(t && strstr(t, "\"socketcall\""), "socketcall by its i386 name");
	free(t);

	/* Runtime sets: runc's prctls make prctl plain. */
	o.runtime = "runc";
	t = write_rec(r, o);
	tap_ok(t && valid(t) && strstr(t, "\"what runc calls after loading the filter\"") &&
		       strstr(t, "\"fstatfs\""),
	       "--runtime runc adds its set, with a comment");
	free(t);
	o.runtime = "nope";
	tap_ok(secprof_recording_write(r, &o, &t, NULL, &err) < 0 && err.code == SECPROF_E_USAGE,
	       "unknown runtime refused");
	o.runtime = NULL;

	o.format = SECPROF_RECORD_OCI;
	t = write_rec(r, o);
	tap_ok(t && !strstr(t, "comment"), "oci: no comment");
	free(t);
	o.format = SECPROF_RECORD_SPO;
	o.name = "demo";
	t = write_rec(r, o);
	tap_ok(t && !strncmp(
			    t,
			    "---\napiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata:\n  name: demo\n",
			    98),
	       "spo: a SeccompProfile");
	tap_ok(t && strstr(t,
			   "        - index: 0\n          value: 10\n          op: SCMP_CMP_EQ\n"),
	       "spo: argument rules");
	free(t);
	o.format = SECPROF_RECORD_DOCKER;
	o.name = NULL;

	/* Merge: A = {read, socket(1)}, B = {read, write, socket(10)}. */
	secprof_recording_free(r);
	r = secprof_recording_new();
	r->runs = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "read"), 1);
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "socket"), 0, 1, 1);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "socket"), 1);
	a = write_rec(r, o);
	secprof_recording_free(r);
	r = secprof_recording_new();
	r->runs = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "read"), 1);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "write"), 1);
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "socket"), 0, 10, 1);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "socket"), 1);
	b = write_rec(r, o);
	m = secprof_recording_new();
	tap_ok(a && b && secprof_recording_merge_profile(m, a, strlen(a), "a", &err) == 0 &&
		       secprof_recording_merge_profile(m, b, strlen(b), "b", &err) == 0,
	       "merge two written profiles");
	t = write_rec(m, o);
	tap_ok(t && strstr(t,
			   "\"names\": [\"read\"],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n\t\t\t\"comment\": \"seen in 2 of 2 runs\""),
	       "read: seen in 2 of 2 runs");
	tap_ok(t && strstr(t,
			   "\"names\": [\"write\"],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\",\n\t\t\t\"comment\": \"seen in 1 of 2 runs\""),
	       "write: seen in 1 of 2 runs");
	tap_ok(t && strstr(t, "\"value\": 1,") && strstr(t, "\"value\": 10,") &&
		       !strstr(t, "\"socket\", "),
	       "socket's values united, still EQ rules only");
	tap_ok(t && secprof_recording_merge_profile(m, t, strlen(t), "m", &err) == 0,
	       "a merged profile merges again");
	free(t);
	t = write_rec(m, o);
	tap_ok(t && strstr(t, "\"seen in 4 of 4 runs\""), "run counts add up (4 of 4)");
	free(t);
	/* --portable: openat seen, its equivalents added, not counted as seen. */
	secprof_recording_free(r);
	r = secprof_recording_new();
	r->runs = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "openat"), 1);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "clone"), 1);
	o.portable = true;
	t = write_rec(r, o);
	tap_ok(t && valid(t) &&
		       strstr(t, "[\"creat\", \"fork\", \"open\", \"openat2\", \"vfork\"]"),
	       "--portable: the equivalents of openat and clone, in one entry");
	tap_ok(t && strstr(t,
			   "\"names\": [\"clone3\"],\n\t\t\t\"action\": \"SCMP_ACT_ERRNO\",\n\t\t\t\"errnoRet\": 38"),
	       "--portable: clone3 answered ENOSYS");
	secprof_recording_free(m);
	m = secprof_recording_new();
	tap_ok(t && secprof_recording_merge_profile(m, t, strlen(t), "p", &err) == 0 &&
		       secprof_recording_count(m) == 2,
	       "--merge reads back only what was seen, not the --portable additions");
	free(t);
	o.portable = false;
	tap_ok(secprof_recording_merge_profile(m, "{", 1, "bad", &err) < 0 &&
		       err.code == SECPROF_E_PROFILE,
	       "a broken profile is refused");
	free(a);
	free(b);
	secprof_recording_free(m);
	secprof_recording_free(r);
	return tap_done();
}
