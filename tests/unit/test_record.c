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

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The text of the one entry whose comment starts with `comment`, from its
 * "names" on ("" when there is none). */
static const char *entry_with(const char *t, const char *comment)
{
	const char *c = t ? strstr(t, comment) : NULL, *n = NULL;

	for (const char *p = t; c && (p = strstr(p, "\"names\"")) && p < c; p++)
		n = p;
	return n ? n : "";
}

/* --portable: ENOSYS for what the kernel the profile is for does not have. */
/* Whether `name` (quoted) is among the names of that entry. */
static bool in_entry(const char *t, const char *comment, const char *name)
{
	const char *e = entry_with(t, comment), *c = t ? strstr(t, comment) : NULL;
	const char *n = strstr(e, name);

	return c && n && n < c;
}

static void test_newer(void)
{
	const struct sp_arch *x64 = sp_arch_by_name("x86_64");
	struct secprof_recording *r = secprof_recording_new();
	secprof_record_out_opts o = { .portable = true, .kernel_major = 6, .kernel_minor = 6 };
	int major = 0, minor = 0;
	char *t;

	tap_ok(sp_rec_syscall_kernel("clone3", &major, &minor) && major == 5 && minor == 3,
	       "clone3 first appeared in Linux 5.3 (man-pages syscalls(2))");
	tap_ok(sp_rec_syscall_kernel("membarrier", &major, &minor) && major == 4 && minor == 3,
	       "membarrier in 4.3: the hand list corrects syscalls(2)'s 3.17");
	tap_ok(sp_rec_syscall_kernel("listns", &major, &minor) && major == 6 && minor == 19,
	       "listns in 6.19, a name man-pages does not date yet");
	tap_ok(!sp_rec_syscall_kernel("no_such_call", &major, &minor), "an unknown name: none");
	r->runs = 1;
	r->kernel_major = 6;
	r->kernel_minor = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "read"), 1);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "futex_wait"), 1); /* 6.7, but seen */
	t = write_rec(r, o);
	tap_ok(t && valid(t) && in_entry(t, "\"newer than Linux 6.6,", "\"mseal\"") &&
		       !in_entry(t, "\"newer than Linux 6.6,", "\"cachestat\""),
	       "--kernel 6.6: mseal (6.10) answered ENOSYS, cachestat (6.5) not");
	tap_ok(t && starts(entry_with(t, "\"newer than Linux 6.6, answered ENOSYS"),
			   "\"names\": [\"file_getattr\", \"file_setattr\", \"futex_requeue\", "
			   "\"futex_wake\", \"getxattrat\", \"listmount\", \"listns\", "),
	       "--kernel 6.6: the later calls not allowed in one ENOSYS entry, futex_wait "
	       "(seen) left out");
	tap_ok(t && strstr(t, "\"errnoRet\": 38,\n\t\t\t\"comment\": \"newer than Linux 6.6"),
	       "with errnoRet 38");
	free(t);
	o.kernel_major = o.kernel_minor = 0;
	t = write_rec(r, o);
	tap_ok(t && strstr(t, "\"newer than Linux 6.1, answered ENOSYS") &&
		       in_entry(t, "\"newer than Linux 6.1,", "\"cachestat\""),
	       "by default the kernel recorded on (6.1): cachestat (6.5) answered ENOSYS");
	free(t);
	secprof_recording_free(r);
}

static char *write_base(const struct secprof_recording *r, const char *base, secprof_error *err)
{
	secprof_record_out_opts o = { .base = base,
				      .base_len = strlen(base),
				      .base_file = "b.json" };
	char *out = NULL;

	o.base_resolve.caps = secprof_caps_docker_default();
	if (secprof_recording_write(r, &o, &out, NULL, err) < 0)
		return NULL;
	return out;
}

struct notes {
	char text[1024];
};

static void collect(void *data, const secprof_error *w)
{
	struct notes *n = data;
	size_t len = strlen(n->text);
	char buf[512];

	snprintf(n->text + len, sizeof(n->text) - len, "%s\n",
		 secprof_error_format(w, buf, sizeof(buf)));
}

/* --base: base ∪ recorded, each call decided by the base's rule set. */
static void test_base(void)
{
	const struct sp_arch *x64 = sp_arch_by_name("x86_64"), *x86 = sp_arch_by_name("x86");
	struct secprof_recording *r = secprof_recording_new();
	secprof_ctx *ctx = secprof_ctx_new();
	struct notes notes = { "" };
	secprof_error err = { 0 };
	const char *base =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
		"\t\"syscalls\": [\n"
		"\t\t{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
		"\t\t{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},\n"
		"\t\t{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		"\t\t \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
		"\t\t{\"names\": [\"prctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22,\n"
		"\t\t \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]}\n"
		"\t]\n}\n";
	secprof_record_out_opts o = { .base = base,
				      .base_len = strlen(base),
				      .base_file = "b.json" };
	char *t;

	r->runs = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "read"), 1);             /* the base allows it */
	sp_rec_add(r, x64, sp_syscall_nr(x64, "write"), 1);            /* default: added */
	sp_rec_add(r, x64, sp_syscall_nr(x64, "clone3"), 1);           /* its own rule: kept */
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "socket"), 0, 1, 1); /* allowed */
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "socket"), 0, 2, 1); /* added */
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "prctl"), 0, 15, 1); /* meets arg1's rule */
	secprof_ctx_set_warn(ctx, collect, &notes);
	o.ctx = ctx;
	o.base_resolve.caps = secprof_caps_docker_default();
	t = NULL;
	tap_ok(secprof_recording_write(r, &o, &t, NULL, &err) == 0 && t && valid(t),
	       "base ∪ recorded is a valid profile");
	/* after the base's last rule, before its "\n\t]\n}\n" */
	tap_ok(t && !strncmp(t, base, strlen(base) - 6) &&
		       starts(t + strlen(base) - 6,
			      ",\n\t\t{\n\t\t\t\"names\": [\"write\"],\n\t\t\t\"action\": "
			      "\"SCMP_ACT_ALLOW\",\n\t\t\t\"comment\": \"seen in 1 of 1 runs\"\n\t\t},") &&
		       !strcmp(t + strlen(t) - 6, "\n\t]\n}\n"),
	       "the base's text as it is, then the entries after its last rule");
	tap_ok(t && strstr(t, "\"value\": 2, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\" }]") &&
		       !strstr(t, "\"value\": 1, \"valueTwo\""),
	       "socket: AF_INET (default) added, AF_UNIX (allowed) not");
	tap_ok(t && !strstr(t + strlen(base) - 6, "\"read\"") &&
		       !strstr(t + strlen(base) - 6, "\"clone3\"") &&
		       !strstr(t + strlen(base) - 6, "\"prctl\""),
	       "read (allowed), clone3 (its rule) and prctl (its rule on arg1) not added");
	TAP_EQ_STR(notes.text,
		   "b.json: --base: clone3 keeps the base's answer: syscalls[1] (line 4) answers "
		   "ERRNO(38)\n"
		   "b.json: --base: prctl (arg0 == 15) keeps the base's answer: its rules from "
		   "syscalls[3] (line 7) test other arguments\n",
		   "what the base keeps answering is noted, with its rule");
	free(t);

	/* A base without "syscalls" gets one; an ABI it lacks fails. */
	t = write_base(r, "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}", &err);
	tap_ok(t && valid(t) &&
		       starts(t,
			      "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"syscalls\": [\n\t\t{\n"),
	       "a base without syscalls gets the member");
	free(t);
	sp_rec_add(r, x86, sp_syscall_nr(x86, "socketcall"), 1);
	t = write_base(r, base, &err);
	tap_ok(!t && err.code == SECPROF_E_PROFILE, "a recorded ABI the base leaves out fails");
	TAP_EQ_STR(err.msg,
		   "--base: the base's filter has no x86 ABI, which the recording has (add "
		   "SCMP_ARCH_X86 to its architectures)",
		   "and says which");
	o.format = SECPROF_RECORD_OCI;
	o.ctx = NULL;
	tap_ok(secprof_recording_write(r, &o, &t, NULL, &err) == -SECPROF_E_USAGE,
	       "a base with --format oci is refused");
	TAP_EQ_STR(err.msg, "--base writes a Docker profile: use --format docker", "with why");
	secprof_recording_free(r);
	secprof_ctx_free(ctx);
}

/* --heal: the denials of a run --explain report as a recording. */
static void test_report(void)
{
	struct secprof_recording *r = secprof_recording_new();
	secprof_recorded_call c;
	secprof_error err = { 0 };
	unsigned idx = 9;
	uint64_t val = 0;
	const char *rep =
		"{\"note\": \"partial\"}\n"
		"{\"count\": 2, \"arch\": \"x86_64\", \"nr\": 41, \"syscall\": \"socket\", "
		"\"args\": [2, 1, 0, 0, 0, 0], \"benign\": false, \"killed\": false}\n"
		"\n"
		"{\"count\": 1, \"arch\": \"x86_64\", \"nr\": 435, \"syscall\": \"clone3\", "
		"\"args\": [0, 0, 0, 0, 0, 0], \"benign\": true, \"killed\": false}\n";

	tap_ok(secprof_recording_add_report(r, rep, strlen(rep), "r.jsonl", &err) == 0 &&
		       secprof_recording_count(r) == 1,
	       "a report: the note and the benign clone3 skipped");
	secprof_recording_call(r, 0, &c);
	if (c.nvalues)
		secprof_recording_value(r, 0, 0, &idx, &val);
	tap_ok(!strcmp(c.name, "socket") && c.count == 2 && c.runs == 1 && c.nvalues == 1 &&
		       idx == 0 && val == 2,
	       "socket denied twice, its family (AF_INET) captured");
	{
		secprof_record_out_opts bad = { .format = (secprof_record_format)9 };
		secprof_record_opts ro = { .backend = (secprof_record_backend)77 };
		char *argv[] = { "/nonexistent-never-run", NULL };
		secprof_recording *none = NULL;
		char *text = NULL;
		int st = 0;

		tap_ok(secprof_recording_write(r, &bad, &text, NULL, &err) == -SECPROF_E_USAGE &&
			       !text,
		       "an unknown record format is refused, not written as another");
		ro.run.argv = argv;
		tap_ok(secprof_record(NULL, &ro, &none, &st, &err) == -SECPROF_E_USAGE && !none &&
			       st == SECPROF_EXIT_ERROR,
		       "an unknown record backend is refused before anything runs");
	}
	idx = 9;
	val = 9;
	secprof_recording_call(r, 1000000, &c);
	secprof_recording_value(r, 0, 1000000, &idx, &val);
	tap_ok(!c.name && !c.arch && c.nr == -1 && !c.nvalues && idx == 0 && val == 0,
	       "an index past the calls or values: zeroed, nothing read past them");
	rep = "{\"count\": 1}\n{\"arch\": \"x86_64\", \"nr\": 1, \"args\": []}\n";
	tap_ok(secprof_recording_add_report(r, rep, strlen(rep), "r.jsonl", &err) ==
		       -SECPROF_E_PROFILE,
	       "a line that is not a denial is refused");
	TAP_EQ_STR(err.msg, "not a denial of secprof run --explain (arch, nr, args)", "with why");
	tap_ok(err.line == 1, "and its line");
	rep = "{\"arch\": \"x86_64\"\n";
	tap_ok(secprof_recording_add_report(r, rep, strlen(rep), "r.jsonl", &err) < 0 &&
		       err.line == 1,
	       "broken JSON is refused at its line");
	secprof_recording_free(r);
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
	/* a clone with no flags kept would be left out (its values lost) */
	sp_rec_add_val(r, x64, sp_syscall_nr(x64, "clone"), 0, 0x3d0f00, 1);
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
	/* socket seen, its family lost (the eBPF map full): left out, not
	 * allowed whatever the family. */
	secprof_recording_free(r);
	r = secprof_recording_new();
	r->runs = 1;
	sp_rec_add(r, x64, sp_syscall_nr(x64, "socket"), 1);
	sp_rec_add(r, x64, sp_syscall_nr(x64, "read"), 1);
	t = write_rec(r, o);
	tap_ok(t && valid(t) && strstr(t, "\"read\"") && !strstr(t, "\"socket\""),
	       "a call whose argument values were all lost is left out of the profile");
	free(t);
	tap_ok(secprof_recording_merge_profile(m, "{", 1, "bad", &err) < 0 &&
		       err.code == SECPROF_E_PROFILE,
	       "a broken profile is refused");
	free(a);
	free(b);
	secprof_recording_free(m);
	secprof_recording_free(r);

	test_newer();
	test_base();
	test_report();
	return tap_done();
}
