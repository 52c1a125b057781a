/* record.h - `secprof record`: what a command called, per ABI (rec.c), how
 * it is recorded (ebpf.c, notify.c) and the profile written from it
 * (rec.c), with the runtimes' own calls (src/analyze/runtime.c).
 * Internal to libsecprof; the public face is api_record.c. */
#ifndef SP_RECORD_H
#define SP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secprof.h"
#include "core/arch.h"
#include "sandbox/run.h"

/* More distinct values than this for one argument and the call is
 * allowed whatever the argument (the rule list would only grow). */
#define SP_REC_MAX_VALS 32

struct sp_rec_val {
	uint8_t idx;
	uint64_t val;
	uint64_t count;
	unsigned runs;
};

struct sp_rec_call {
	const struct sp_arch *arch; /* x86_64, x86 or x32 */
	int32_t nr;                 /* with nr_base; -1 when known by name only */
	char name[48];              /* "" when no table knows the number */
	uint64_t count;
	unsigned runs;
	bool any_args; /* seen with an argument not captured */
	bool full;     /* a profile read back listed more values than vals holds */
	struct sp_rec_val vals[SP_REC_MAX_VALS];
	size_t nvals;
};

struct secprof_recording {
	struct sp_rec_call *calls;
	size_t n, cap;
	unsigned runs; /* how many recordings were merged into this one */
	uint64_t lost; /* events the recorder could not keep (none expected) */
	char backend[16];
	int kernel_major, kernel_minor; /* uname -r where it was recorded; 0: unknown */
};

/* What a base profile (secprof record --base) decides for a call. */
enum sp_rec_verdict {
	SP_REC_ALLOWED, /* the base allows it (ALLOW or LOG): nothing to add */
	SP_REC_ADD,     /* the base's default action decides: an ALLOW entry is added */
	SP_REC_KEEP,    /* one of the base's own rules answers it: kept as it is */
};

/* The base of a union (api_record.c fills it from the public rule set, so
 * this layer needs nothing above it). */
struct sp_rec_base {
	const char *text; /* the base profile's JSON, written as it is */
	size_t len;
	const char *file;
	/* The verdict for `name` on `arch` (NULL: on every ABI of the base's
	 * filter that numbers it) with argument idx == val, or whatever its
	 * arguments (idx < 0). *why gets the base's rule ("syscalls[20]
	 * ERRNO(38)") for KEEP. A recorded ABI that is not in the base's filter
	 * fails: -SECPROF_E_PROFILE with err. */
	int (*decide)(void *data, const char *name, const struct sp_arch *arch, int idx,
		      uint64_t val, enum sp_rec_verdict *out, char *why, size_t whylen,
		      secprof_error *err);
	/* A recorded or added call the base keeps answering its own way. */
	void (*kept)(void *data, const char *name, const char *why);
	void *data;
};

/* Find or add (arch, nr or name). NULL on ENOMEM. */
struct sp_rec_call *sp_rec_call_get(struct secprof_recording *r, const struct sp_arch *arch,
				    int32_t nr, const char *name);
/* One call seen `count` times (nr with nr_base). */
int sp_rec_add(struct secprof_recording *r, const struct sp_arch *arch, int32_t nr, uint64_t count);
/* A captured argument value of that call. */
int sp_rec_add_val(struct secprof_recording *r, const struct sp_arch *arch, int32_t nr,
		   unsigned idx, uint64_t val, uint64_t count);
/* The argument captured for `name` (profiles filter on it), -1 if none. */
int sp_rec_arg_of(const char *name);

/* The recorders: run o with the recorder attached, fill r. Return the
 * command's exit status (docker run's), or SECPROF_EXIT_ERROR with err. */
struct sp_rec_runner {
	/* Runs the command with hook (api_record.c: secprof_container_run's
	 * own code); returns its exit status. */
	int (*run)(void *data, const struct sp_run_hook *hook, secprof_error *err);
	void *data;
	bool container; /* --rootfs: the command is the child of secprof's init */
};
bool sp_rec_ebpf_available(secprof_error *why);
int sp_rec_ebpf_run(struct secprof_recording *r, const struct sp_rec_runner *run,
		    secprof_error *err);
/* --pid / --cgroup: record tasks that already run, until they are gone,
 * the duration ends or *stop is set. */
int sp_rec_ebpf_attach(struct secprof_recording *r, const secprof_record_target *t,
		       secprof_error *err);
int sp_rec_notify_run(struct secprof_recording *r, const struct sp_rec_runner *run,
		      secprof_error *err);

/* The profile text of a recording (docker, oci or spo format); with a
 * base (NULL: none), the base's text plus what it does not allow. */
int sp_rec_write(const struct secprof_recording *r, const secprof_record_out_opts *o,
		 const struct sp_rec_base *base, char **out, size_t *len, secprof_error *err);
/* The Linux release `name` first appeared in (gen/syscall_kernel.inc);
 * false when the table does not date it. */
bool sp_rec_syscall_kernel(const char *name, int *major, int *minor);
/* Add the ALLOW rules of a profile (one written by sp_rec_write, or any
 * Docker profile) to r, with the run counts of its comments. */
int sp_rec_merge_profile(struct secprof_recording *r, const char *data, size_t len,
			 const char *file, secprof_error *err);
int sp_rec_merge(struct secprof_recording *dst, const struct secprof_recording *src);
/* The denials of a run --explain report (JSON lines) as one run. */
int sp_rec_add_report(struct secprof_recording *r, const char *data, size_t len, const char *file,
		      secprof_error *err);
void sp_rec_free(struct secprof_recording *r);

#endif
