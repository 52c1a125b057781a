/* api_record.c - the public face of src/record/: secprof_record runs the
 * command through secprof_container_run's own code (sp_api_container_run)
 * with the recorder's hook at the filter-load point, and the recording is
 * read, merged and written through the functions below. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/util.h"
#include "record/record.h"
#include "secprof.h"

struct runner_data {
	secprof_ctx *ctx;
	secprof_container_opts opts;
};

static int run_container(void *data, const struct sp_run_hook *hook, secprof_error *err)
{
	struct runner_data *d = data;
	return sp_api_container_run(d->ctx, &d->opts, hook, err);
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
	struct sp_rec_runner run = { .run = run_container,
				     .data = &d,
				     .container = o->run.rootfs != NULL };
	secprof_recording *r = secprof_recording_new();
	secprof_error why = { 0 };
	secprof_record_backend b = o->backend;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	*status = SECPROF_EXIT_ERROR;
	if (!r)
		return sp_err_oom(err);
	r->runs = 1;
	/* Recording starts where the filter would be loaded: the command
	 * itself runs without one. */
	d.opts.seccomp = "unconfined";
	if (b == SECPROF_RECORD_AUTO)
		b = sp_rec_ebpf_available(&why) ? SECPROF_RECORD_EBPF : SECPROF_RECORD_NOTIFY;
	if (b == SECPROF_RECORD_EBPF && !sp_rec_ebpf_available(err)) {
		secprof_recording_free(r);
		return -err->code;
	}
	*status = b == SECPROF_RECORD_EBPF ? sp_rec_ebpf_run(r, &run, err)
					   : sp_rec_notify_run(r, &run, err);
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
	const struct sp_rec_call *c = &r->calls[i];

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
	*index = r->calls[i].vals[k].idx;
	*value = r->calls[i].vals[k].val;
}

int secprof_recording_merge_profile(secprof_recording *r, const char *data, size_t len,
				    const char *file, secprof_error *err)
{
	return sp_rec_merge_profile(r, data, len, file, err);
}

int secprof_recording_write(const secprof_recording *r, const secprof_record_out_opts *o,
			    char **out, size_t *len, secprof_error *err)
{
	return sp_rec_write(r, o, out, len, err);
}
