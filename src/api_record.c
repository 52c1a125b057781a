/* api_record.c - the public face of src/record/: secprof_record runs the
 * command through secprof_container_run's own code (sp_api_container_run)
 * with the recorder's hook at the filter-load point, and the recording is
 * read, merged and written through the functions below. */
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "api.h"
#include "core/util.h"
#include "record/record.h"
#include "secprof.h"

struct runner_data {
	secprof_ctx *ctx;
	secprof_container_opts opts;
	const uint64_t *caller_fds; /* sp_api_container_run's */
};

/* The kernel recorded on, as moby's kernel_linux.go parseRelease reads
 * uname: "%d.%d" (secprof record --portable answers ENOSYS past it). */
static void note_kernel(secprof_recording *r)
{
	struct utsname u;

	if (!uname(&u) && sscanf(u.release, "%d.%d", &r->kernel_major, &r->kernel_minor) < 1)
		r->kernel_major = r->kernel_minor = 0;
}

static int run_container(void *data, const struct sp_run_hook *hook, secprof_error *err)
{
	struct runner_data *d = data;
	return sp_api_container_run(d->ctx, &d->opts, hook, d->caller_fds, err);
}

secprof_recording *secprof_recording_new(void)
{
	return calloc(1, sizeof(secprof_recording));
}

void secprof_recording_free(secprof_recording *r)
{
	sp_rec_free(r);
}

int secprof_record(secprof_ctx *ctx, const secprof_record_opts *o, secprof_recording **out,
		   int *status, secprof_error *err)
{
	struct runner_data d = { .ctx = ctx, .opts = o->run };
	uint64_t *caller_fds;
	struct sp_rec_runner run = { .run = run_container,
				     .data = &d,
				     .container = o->run.rootfs != NULL };
	secprof_recording *r = secprof_recording_new();
	secprof_error why = { 0 };
	secprof_record_backend b = o->backend;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	*status = SECPROF_EXIT_ERROR;
	/* an unknown backend is an error, not the notify one by default */
	if ((unsigned)b > SECPROF_RECORD_NOTIFY) {
		secprof_recording_free(r);
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "unknown record backend %u",
			      (unsigned)b);
	}
	if (!r)
		return sp_err_oom(err);
	/* Before a backend opens anything (eBPF programs and maps, the
	 * listener): which of the preserved fds are the caller's. */
	if (sp_fds_sample(o->run.preserve_fds, &caller_fds, err) < 0) {
		secprof_recording_free(r);
		return -err->code;
	}
	d.caller_fds = caller_fds;
	r->runs = 1;
	note_kernel(r);
	/* Recording starts where the filter would be loaded: the command
	 * itself runs without one. */
	d.opts.seccomp = "unconfined";
	if (b == SECPROF_RECORD_AUTO)
		b = sp_rec_ebpf_available(&why) ? SECPROF_RECORD_EBPF : SECPROF_RECORD_NOTIFY;
	if (b == SECPROF_RECORD_EBPF && !sp_rec_ebpf_available(err)) {
		free(caller_fds);
		secprof_recording_free(r);
		return -err->code;
	}
	*status = b == SECPROF_RECORD_EBPF ? sp_rec_ebpf_run(r, &run, err)
					   : sp_rec_notify_run(r, &run, err);
	free(caller_fds);
	if (err->code) {
		secprof_recording_free(r);
		return -err->code;
	}
	*out = r;
	return 0;
}

int secprof_record_attach(secprof_ctx *ctx, const secprof_record_target *t, secprof_recording **out,
			  secprof_error *err)
{
	secprof_recording *r = secprof_recording_new();

	(void)ctx;
	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (!r)
		return sp_err_oom(err);
	r->runs = 1;
	note_kernel(r);
	if ((!sp_rec_ebpf_available(err) ? -err->code : sp_rec_ebpf_attach(r, t, err)) < 0) {
		secprof_recording_free(r);
		return -err->code;
	}
	*out = r;
	return 0;
}

const char *secprof_recording_backend(const secprof_recording *r)
{
	return r->backend;
}

uint64_t secprof_recording_lost(const secprof_recording *r)
{
	return r->lost;
}

size_t secprof_recording_count(const secprof_recording *r)
{
	return r->n;
}

void secprof_recording_call(const secprof_recording *r, size_t i, secprof_recorded_call *out)
{
	const struct sp_rec_call *c;

	/* out of range: nothing, as secprof_lint_at and secprof_diff_at
	 * answer NULL, never a read past the calls */
	if (i >= r->n) {
		*out = (secprof_recorded_call){ .nr = -1 };
		return;
	}
	c = &r->calls[i];
	*out = (secprof_recorded_call){
		.arch = c->arch->name,
		.nr = c->nr,
		.name = c->name[0] ? c->name : NULL,
		.count = c->count,
		.runs = c->runs,
		.nvalues = c->nvals,
		.any_args = c->any_args,
	};
}

void secprof_recording_value(const secprof_recording *r, size_t i, size_t k, unsigned *index,
			     uint64_t *value)
{
	if (i >= r->n || k >= r->calls[i].nvals) {
		*index = 0;
		*value = 0;
		return;
	}
	*index = r->calls[i].vals[k].idx;
	*value = r->calls[i].vals[k].val;
}

int secprof_recording_merge_profile(secprof_recording *r, const char *data, size_t len,
				    const char *file, secprof_error *err)
{
	return sp_rec_merge_profile(r, data, len, file, err);
}

/* ---- base ∪ recorded (secprof record --base) ------------------------------ */

/* The base resolved and built as runc would load it: its rule set decides
 * each call the way the compiled program does (secprof_ir_decide). */
struct base_rules {
	secprof_ctx *ctx;
	const char *file;
	secprof_resolved *rs;
	secprof_ir *ir;
	bool unconfined;
	/* names whose added entry libseccomp would build, beside the base's
	 * rules, otherwise than they read (twisted_names): kept as the base
	 * answers them */
	char *twisted[64];
	size_t ntwisted;
	bool quiet; /* no notes: a pass that looks for twisted names */
};

static bool allows(uint32_t action)
{
	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

/* A conditional entry: whether a chain answers other than ALLOW, and
 * whether one tests an argument other than idx. */
static void chains_of(const secprof_ir_syscall *sc, int idx, bool *deny, bool *other)
{
	for (; sc; sc = sc->wide) {
		for (size_t c = 0; c < sc->nchains; c++) {
			*deny |= !allows(sc->chains[c].action);
			for (size_t k = 0; k < sc->chains[c].nconds; k++)
				*other |= (int)sc->chains[c].conds[k].arg != idx;
		}
	}
}

/* The verdict on one ABI. An ALLOW entry is added only where it changes
 * the answer for the recorded call alone: where the base's default action
 * (or runc's ENOSYS stub) decides, and its own rules for the name answer
 * nothing else the added entry could meet (in libseccomp, a catch-all
 * replaces a name's conditional rules, and two rules on different
 * arguments meet in its word tree: docs/COMPAT.md §4.3). */
static enum sp_rec_verdict decide_one(const struct base_rules *b, const secprof_ir_arch *ia,
				      int32_t nr, int idx, uint64_t val, char *why, size_t whylen)
{
	secprof_data in = { .nr = nr, .arch = ia->audit };
	secprof_ir_decision d;
	bool deny = false, other = false;
	char act[64];

	if (idx >= 0 && idx < 6)
		in.args[idx] = val;
	secprof_ir_decide(b->ir, &in, &d, NULL, 0);
	secprof_action_str(d.action, act, sizeof(act));
	if (d.by == SECPROF_BY_RULE && !allows(d.action))
		snprintf(why, whylen, "syscalls[%zu] (line %u) answers %s", d.rule.index,
			 d.rule.line, act);
	if (!d.syscall || !d.syscall->conditional) {
		if (allows(d.action))
			return SP_REC_ALLOWED;
		return d.by == SECPROF_BY_RULE ? SP_REC_KEEP : SP_REC_ADD;
	}
	chains_of(d.syscall, idx, &deny, &other);
	if (idx < 0) {
		if (deny)
			snprintf(why, whylen, "its rules from syscalls[%zu] (line %u) answer %s",
				 d.syscall->src.index, d.syscall->src.line,
				 "other than ALLOW for some arguments");
		return deny ? SP_REC_KEEP : SP_REC_ADD;
	}
	if (allows(d.action) && !other)
		return SP_REC_ALLOWED;
	if (d.by == SECPROF_BY_RULE && !allows(d.action))
		return SP_REC_KEEP;
	if (deny && other) {
		snprintf(why, whylen, "its rules from syscalls[%zu] (line %u) test other arguments",
			 d.syscall->src.index, d.syscall->src.line);
		return SP_REC_KEEP;
	}
	return SP_REC_ADD;
}

static int base_decide(void *data, const char *name, const struct sp_arch *arch, int idx,
		       uint64_t val, enum sp_rec_verdict *out, char *why, size_t whylen,
		       secprof_error *err)
{
	const struct base_rules *b = data;
	bool arch_found = false;

	*out = SP_REC_ALLOWED;
	if (b->unconfined)
		return 0;
	for (size_t i = 0; i < b->ntwisted; i++)
		if (!strcmp(b->twisted[i], name)) {
			snprintf(why, whylen,
				 "libseccomp 2.5.4 would build its rules with the entry added "
				 "otherwise than they read (docs/COMPAT.md 4.4)");
			*out = SP_REC_KEEP;
			return 0;
		}
	for (size_t i = 0; i < secprof_ir_arch_count(b->ir); i++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(b->ir, i);
		const struct sp_arch *sa = sp_arch_by_name(ia->name);
		enum sp_rec_verdict v;
		int32_t nr;

		if (!sa || (arch && sa != arch))
			continue;
		arch_found = true;
		if ((nr = sp_syscall_nr(sa, name)) < 0)
			continue;
		v = decide_one(b, ia, nr, idx, val, why, whylen);
		if (v > *out)
			*out = v; /* KEEP over ADD over ALLOWED */
	}
	if (arch && !arch_found)
		return sp_err(err, SECPROF_E_PROFILE, b->file, NULL, NULL,
			      "--base: the base's filter has no %s ABI, which the recording has "
			      "(add %s to its architectures)",
			      arch->name, arch->scmp);
	return 0;
}

/* Whether libseccomp 2.5.4 builds a syscall otherwise than its rules read
 * (secprof_ir_syscall's twin: a stale accumulator, or a word tree that
 * merges the rules' tests otherwise). */
static bool twisted(const secprof_ir_syscall *sc)
{
	for (const secprof_ir_syscall *w = sc->wide; w; w = w->wide)
		if (w->stale_accumulator || w->tree_merge)
			return true;
	return false;
}

static bool twisted_in(const secprof_ir *ir, const char *arch, int32_t nr)
{
	for (size_t i = 0; i < secprof_ir_arch_count(ir); i++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(ir, i);
		if (strcmp(ia->name, arch))
			continue;
		for (size_t s = 0; s < ia->nsyscalls; s++)
			if (ia->syscalls[s].nr == nr)
				return twisted(&ia->syscalls[s]);
	}
	return false;
}

/* The names of out (the base with entries added) that libseccomp would
 * build otherwise than their rules read where the base's own rules are
 * built as they read: an ALLOW entry on one argument beside the base's
 * rules on others can meet them in its word tree with a stale accumulator,
 * and runc's filter then allows calls neither the base nor the recording
 * allows (the base's prctl rule on arg0 != 0x7fffffff and arg1 >= 255, a
 * recorded prctl(6): prctl(2, 6) allowed). secprof's own program returns
 * the stricter of the two there, so only runc's is looser. Each such name
 * goes to b->twisted; returns how many were new. */
static int twisted_names(struct base_rules *b, const secprof_resolve_opts *ro, const char *out,
			 size_t len, secprof_error *err)
{
	secprof_profile *p = NULL;
	secprof_resolved *rs = NULL;
	secprof_ir *ir = NULL;
	int added = 0;

	/* no warnings: they are about a text not yet written */
	struct secprof_ctx quiet = { 0 };

	if (!(p = secprof_profile_parse(&quiet, out, len, b->file, err)) ||
	    !(rs = secprof_resolve(&quiet, p, ro, err)) ||
	    !(ir = secprof_ir_build(&quiet, rs, NULL, err))) {
		added = -(err->code ? err->code : SECPROF_E_INTERNAL);
		goto done;
	}
	for (size_t i = 0; i < secprof_ir_arch_count(ir); i++) {
		const secprof_ir_arch *ia = secprof_ir_arch_at(ir, i);
		for (size_t s = 0; s < ia->nsyscalls; s++) {
			const secprof_ir_syscall *sc = &ia->syscalls[s];
			bool have = false;
			if (!sc->name || !twisted(sc) || twisted_in(b->ir, ia->name, sc->nr))
				continue;
			for (size_t k = 0; k < b->ntwisted; k++)
				have |= !strcmp(b->twisted[k], sc->name);
			if (have || b->ntwisted == SP_ARRAY_SIZE(b->twisted))
				continue;
			if (!(b->twisted[b->ntwisted] = strdup(sc->name))) {
				added = sp_err_oom(err);
				goto done;
			}
			b->ntwisted++;
			added++;
		}
	}
done:
	secprof_ir_free(ir);
	secprof_resolved_free(rs);
	secprof_profile_free(p);
	return added;
}

static void base_kept(void *data, const char *name, const char *why)
{
	const struct base_rules *b = data;

	if (!b->quiet)
		sp_note(b->ctx, b->file, NULL, NULL, "--base: %s keeps the base's answer: %s", name,
			why);
}

int secprof_recording_add_report(secprof_recording *r, const char *data, size_t len,
				 const char *file, secprof_error *err)
{
	memset(err, 0, sizeof(*err));
	return sp_rec_add_report(r, data, len, file, err);
}

int secprof_recording_write(const secprof_recording *r, const secprof_record_out_opts *o,
			    char **out, size_t *len, secprof_error *err)
{
	struct base_rules b = { .ctx = o->ctx, .file = o->base_file ? o->base_file : "base" };
	struct sp_rec_base base = {
		.text = o->base,
		.len = o->base_len,
		.file = b.file,
		.decide = base_decide,
		.kept = base_kept,
		.data = &b,
	};
	secprof_resolve_opts ro = o->base_resolve;
	secprof_profile *p = NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (!o->base)
		return sp_rec_write(r, o, NULL, out, len, err);
	if (!b.ctx && !(b.ctx = secprof_ctx_new()))
		return sp_err_oom(err);
	/* The base is decided for the kernel the profile is for. */
	if (o->kernel_major || o->kernel_minor) {
		ro.kernel_major = o->kernel_major;
		ro.kernel_minor = o->kernel_minor;
	} else if (r->kernel_major || r->kernel_minor) {
		ro.kernel_major = r->kernel_major;
		ro.kernel_minor = r->kernel_minor;
	}
	rc = -SECPROF_E_PROFILE;
	if (!(p = secprof_profile_parse(b.ctx, o->base, o->base_len, b.file, err)) ||
	    !(b.rs = secprof_resolve(b.ctx, p, &ro, err)))
		goto done;
	b.unconfined = secprof_resolved_unconfined(b.rs);
	if (!b.unconfined && !(b.ir = secprof_ir_build(b.ctx, b.rs, NULL, err)))
		goto done;
	/* written without notes until no name added beside the base's rules
	 * would be built otherwise than they read (twisted_names), then once
	 * more with them */
	b.quiet = !b.unconfined;
	while (b.quiet) {
		int n;
		if ((rc = sp_rec_write(r, o, &base, out, len, err)) < 0)
			goto done;
		n = twisted_names(&b, &ro, *out, strlen(*out), err);
		free(*out);
		*out = NULL;
		if (n < 0) {
			rc = n;
			goto done;
		}
		b.quiet = n > 0;
	}
	rc = sp_rec_write(r, o, &base, out, len, err);
done:
	for (size_t i = 0; i < b.ntwisted; i++)
		free(b.twisted[i]);
	if (rc < 0 && err->code)
		rc = -err->code;
	secprof_ir_free(b.ir);
	secprof_resolved_free(b.rs);
	secprof_profile_free(p);
	if (b.ctx != o->ctx)
		secprof_ctx_free(b.ctx);
	return rc;
}
