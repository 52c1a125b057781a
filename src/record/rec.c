/* rec.c - a recording (what a command called, per ABI and number, with the
 * argument values profiles filter on) and the profile written from it.
 *
 * The profile denies by default with EPERM (SCMP_ACT_ERRNO, defaultErrnoRet
 * 1, as moby's default profile) and allows the names seen, sorted; a call
 * whose argument was captured is allowed only for the values seen, with
 * SCMP_CMP_EQ: an allow-list compared for equality on all 64 bits cannot be
 * passed with other high bits (a MASKED_EQ or GT rule can). Docker
 * profiles name calls, they do not number them: a number no syscall table
 * knows cannot be written and is reported instead (secprof_recording_call
 * gives it with a NULL name). Names are shared by every ABI listed in
 * "architectures" (moby and runc resolve each name per arch). With a base
 * (--base, --heal) the base's text is written as it is and only the
 * entries it lacks are added, each call decided through struct
 * sp_rec_base (api_record.c). A run --explain report is read back as a
 * recording of the calls it denied (--heal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "analyze/analyze.h"
#include "core/json.h"
#include "core/util.h"
#include "profile/profile.h"
#include "record/record.h"

/* The arguments Docker's default profile and the recorders of the field
 * filter on (moby profiles/seccomp/default.json: socket's family, clone's
 * and unshare's flags, personality's persona; prctl's option): the
 * recorders capture these and nothing else. */
static const struct {
	char name[sizeof("personality")]; /* no pointer: no relocation at load */
	int arg;
} captured[] = {
	{ "clone", 0 }, { "personality", 0 }, { "prctl", 0 }, { "socket", 0 }, { "unshare", 0 },
};

int sp_rec_arg_of(const char *name)
{
	for (size_t i = 0; i < SP_ARRAY_SIZE(captured); i++)
		if (!strcmp(captured[i].name, name))
			return captured[i].arg;
	return -1;
}

struct sp_rec_call *sp_rec_call_get(struct secprof_recording *r, const struct sp_arch *arch,
				    int32_t nr, const char *name)
{
	struct sp_rec_call *c;

	for (size_t i = 0; i < r->n; i++) {
		c = &r->calls[i];
		if (c->arch != arch)
			continue;
		if (name ? !strcmp(c->name, name) : c->nr == nr)
			return c;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		void *p = realloc(r->calls, cap * sizeof(*r->calls));
		if (!p)
			return NULL;
		r->calls = p;
		r->cap = cap;
	}
	c = &r->calls[r->n++];
	memset(c, 0, sizeof(*c));
	c->arch = arch;
	c->nr = nr;
	if (name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

static struct sp_rec_call *call_by_nr(struct secprof_recording *r, const struct sp_arch *arch,
				      int32_t nr)
{
	const char *name = sp_syscall_name(arch, nr);
	struct sp_rec_call *c = sp_rec_call_get(r, arch, nr, name);

	if (c && c->nr < 0)
		c->nr = nr;
	return c;
}

int sp_rec_add(struct secprof_recording *r, const struct sp_arch *arch, int32_t nr, uint64_t count)
{
	struct sp_rec_call *c = call_by_nr(r, arch, nr);

	if (!c)
		return -1;
	c->count += count;
	c->runs = r->runs ? r->runs : 1;
	return 0;
}

/* false when the call holds SP_REC_MAX_VALS values already, none this
 * one: the caller decides whether that widens the call (a live
 * recording, said) or is refused (a profile read back). */
static bool add_val(struct sp_rec_call *c, unsigned idx, uint64_t val, uint64_t count,
		    unsigned runs)
{
	for (size_t i = 0; i < c->nvals; i++) {
		if (c->vals[i].idx == idx && c->vals[i].val == val) {
			c->vals[i].count += count;
			if (runs > c->vals[i].runs)
				c->vals[i].runs = runs;
			return true;
		}
	}
	if (c->nvals == SP_REC_MAX_VALS)
		return false;
	c->vals[c->nvals++] = (struct sp_rec_val){
		.idx = (uint8_t)idx, .val = val, .count = count, .runs = runs
	};
	return true;
}

int sp_rec_add_val(struct secprof_recording *r, const struct sp_arch *arch, int32_t nr,
		   unsigned idx, uint64_t val, uint64_t count)
{
	const char *name = sp_syscall_name(arch, nr);
	struct sp_rec_call *c;

	/* clone3's flags are behind a pointer no filter can read: the
	 * profile answers clone3 ENOSYS, as moby's default does, and glibc
	 * falls back to clone with flags | exit_signal (__clone_internal),
	 * which the recorders read from its struct clone_args. That is the
	 * value clone is allowed for. */
	if (name && !strcmp(name, "clone3")) {
		if ((nr = sp_syscall_nr(arch, "clone")) < 0)
			return 0;
		val = (uint32_t)val; /* glibc passes them to clone as an int */
	}
	if (!(c = call_by_nr(r, arch, nr)))
		return -1;
	/* more values than a profile lists: allowed whatever the argument,
	 * with a warning when the profile is written */
	if (!add_val(c, idx, val, count, r->runs ? r->runs : 1))
		c->any_args = true;
	if (!c->runs)
		c->runs = r->runs ? r->runs : 1;
	return 0;
}

void sp_rec_free(struct secprof_recording *r)
{
	if (!r)
		return;
	free(r->calls);
	free(r);
}

/* ---- merging ------------------------------------------------------------ */

int sp_rec_merge(struct secprof_recording *dst, const struct secprof_recording *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct sp_rec_call *s = &src->calls[i];
		struct sp_rec_call *d =
			sp_rec_call_get(dst, s->arch, s->nr, s->name[0] ? s->name : NULL);
		if (!d)
			return -1;
		if (d->nr < 0)
			d->nr = s->nr;
		d->count += s->count;
		d->runs += s->runs;
		d->any_args |= s->any_args;
		for (size_t k = 0; k < s->nvals; k++)
			if (!add_val(d, s->vals[k].idx, s->vals[k].val, s->vals[k].count, 0))
				d->any_args = true; /* as sp_rec_add_val */
		/* A value's runs add up as the call's do. */
		for (size_t k = 0; k < d->nvals; k++)
			for (size_t j = 0; j < s->nvals; j++)
				if (d->vals[k].idx == s->vals[j].idx &&
				    d->vals[k].val == s->vals[j].val)
					d->vals[k].runs += s->vals[j].runs;
	}
	dst->runs += src->runs;
	dst->lost += src->lost;
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

/* One name of the profile: every ABI's call of that name folded. */
struct out_name {
	const char *name;
	unsigned runs;
	bool any_args;
	int base; /* KIND_*: not KIND_SEEN = allowed whatever the arguments */
	const struct sp_rec_call *calls[3];
	size_t ncalls;
	bool dropped;      /* --base: the base decides it already */
	bool lost_vals;    /* a call of it has no argument value kept */
	uint32_t dropv[3]; /* --base: per call, a bit per value the base decides */
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct out_name *)a)->name, ((const struct out_name *)b)->name);
}

static const char abi_order[][sizeof("x86_64")] = { "x86_64", "x86", "x32" };

/* Why a name is in the profile. */
enum {
	KIND_SEEN,
	KIND_RUNTIME,
	KIND_PORTABLE,
	KIND_ENOSYS,
	KIND_NEWER,
	KIND_CLONE3,
	KIND_MUX,
	NKIND
};

/* --portable: calls another libc (or another version of it) makes for
 * the same thing. One seen, the others are allowed, so a glibc upgrade
 * (open where openat was recorded) does not break the profile. clone and
 * clone3 are the exceptions: clone3's flags are behind a pointer no filter
 * can read, so it is answered ENOSYS, as in moby's default profile, and
 * glibc falls back to clone, which is allowed only for the flags seen.
 * Names in place, no pointers (no relocation at load); "" ends a group. */
static const char portable_groups[][8][sizeof("pselect6_time64")] = {
	{ "open", "openat", "openat2", "creat" },
	{ "stat", "lstat", "fstat", "newfstatat", "statx", "stat64", "lstat64", "fstat64" },
	{ "fstatat64", "newfstatat", "statx" },
	{ "clone", "clone3", "fork", "vfork" },
	{ "dup2", "dup3" },
	{ "poll", "ppoll", "ppoll_time64" },
	{ "select", "_newselect", "pselect6", "pselect6_time64" },
	{ "epoll_wait", "epoll_pwait", "epoll_pwait2" },
	{ "epoll_create", "epoll_create1" },
	{ "access", "faccessat", "faccessat2" },
	{ "pipe", "pipe2" },
	{ "rename", "renameat", "renameat2" },
	{ "unlink", "rmdir", "unlinkat" },
	{ "mkdir", "mkdirat" },
	{ "readlink", "readlinkat" },
	{ "chmod", "fchmodat", "fchmodat2" },
	{ "chown", "lchown", "fchownat" },
	{ "getdents", "getdents64" },
	{ "wait4", "waitid" },
	{ "signalfd", "signalfd4" },
	{ "eventfd", "eventfd2" },
	{ "inotify_init", "inotify_init1" },
	{ "accept", "accept4" },
	{ "utime", "utimes", "utimensat", "futimesat" },
	{ "getrlimit", "ugetrlimit", "prlimit64" },
	{ "nanosleep", "clock_nanosleep" },
	{ "sendfile", "sendfile64" },
	{ "mmap", "mmap2" },
};

/* A group of names written in one entry. */
struct out_entry {
	unsigned runs;
	bool has_arg;
	unsigned idx;
	uint64_t val;
	int base; /* KIND_* */
	const char *names[512];
	size_t nnames;
};

struct out_doc {
	struct out_entry *e;
	size_t n, cap;
};

static struct out_entry *entry_for(struct out_doc *d, int base, unsigned runs, bool has_arg,
				   unsigned idx, uint64_t val)
{
	for (size_t i = 0; i < d->n; i++) {
		struct out_entry *e = &d->e[i];
		if (e->base == base && e->runs == runs && e->has_arg == has_arg &&
		    (!has_arg || (e->idx == idx && e->val == val)) &&
		    e->nnames < SP_ARRAY_SIZE(e->names))
			return e;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *p = realloc(d->e, cap * sizeof(*d->e));
		if (!p)
			return NULL;
		d->e = p;
		d->cap = cap;
	}
	d->e[d->n] = (struct out_entry){
		.runs = runs, .has_arg = has_arg, .idx = idx, .val = val, .base = base
	};
	return &d->e[d->n++];
}

static void yaml_or_json_list(struct sp_buf *b, bool yaml, const char *ind,
			      const char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (yaml) {
			sp_buf_printf(b, "%s- %s\n", ind, items[i]);
		} else {
			sp_buf_puts(b, i ? ", " : "");
			sp_buf_json_str(b, items[i]);
		}
	}
}

static void write_entry(struct sp_buf *b, const struct out_entry *e,
			const secprof_record_out_opts *o, unsigned total, const char *kernel,
			bool first)
{
	bool yaml = o->format == SECPROF_RECORD_SPO;
	bool enosys = e->base == KIND_ENOSYS || e->base == KIND_NEWER || e->base == KIND_CLONE3 ||
		      e->base == KIND_MUX;
	const char *action = enosys ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW";
	char comment[96];

	if (e->base == KIND_RUNTIME)
		snprintf(comment, sizeof(comment), "what %s calls after loading the filter",
			 o->runtime);
	else if (e->base == KIND_PORTABLE)
		snprintf(comment, sizeof(comment), "equivalent of a call seen (--portable)");
	else if (e->base == KIND_ENOSYS)
		snprintf(comment, sizeof(comment),
			 "equivalent of a call seen, answered ENOSYS (--portable)");
	else if (e->base == KIND_CLONE3)
		snprintf(
			comment, sizeof(comment),
			"seen in %u of %u runs; ENOSYS: glibc calls clone, whose flags are checked",
			e->runs, total);
	else if (e->base == KIND_NEWER)
		snprintf(comment, sizeof(comment),
			 "newer than Linux %s, answered ENOSYS (--portable)", kernel);
	else if (e->base == KIND_MUX)
		snprintf(comment, sizeof(comment),
			 "not seen; ENOSYS, before libseccomp's copy of socket's rule");
	else
		snprintf(comment, sizeof(comment), "seen in %u of %u runs", e->runs, total);
	if (yaml) {
		sp_buf_printf(b, "    - action: %s\n", action);
		if (enosys)
			sp_buf_puts(b, "      errnoRet: 38\n");
		sp_buf_puts(b, "      names:\n");
		yaml_or_json_list(b, true, "        ", e->names, e->nnames);
		if (e->has_arg)
			sp_buf_printf(b,
				      "      args:\n        - index: %u\n          value: %llu\n"
				      "          op: SCMP_CMP_EQ\n",
				      e->idx, (unsigned long long)e->val);
		return;
	}
	sp_buf_puts(b, first ? "\n\t\t{\n\t\t\t\"names\": [" : ",\n\t\t{\n\t\t\t\"names\": [");
	yaml_or_json_list(b, false, "", e->names, e->nnames);
	sp_buf_printf(b, "],\n\t\t\t\"action\": \"%s\"", action);
	if (enosys)
		sp_buf_puts(b, ",\n\t\t\t\"errnoRet\": 38"); /* ENOSYS on every Linux ABI */
	if (e->has_arg)
		sp_buf_printf(
			b,
			",\n\t\t\t\"args\": [{ \"index\": %u, \"value\": %llu, \"valueTwo\": 0, "
			"\"op\": \"SCMP_CMP_EQ\" }]",
			e->idx, (unsigned long long)e->val);
	/* The OCI spec's LinuxSyscall has no comment field. */
	if (o->format == SECPROF_RECORD_DOCKER) {
		sp_buf_puts(b, ",\n\t\t\t\"comment\": ");
		sp_buf_json_str(b, comment);
	}
	sp_buf_puts(b, "\n\t\t}");
}

#include "gen/syscall_kernel.inc"

static int cmp_kernel_row(const void *key, const void *row)
{
	return strcmp(key, ((const struct sp_syscall_kernel *)row)->name);
}

bool sp_rec_syscall_kernel(const char *name, int *major, int *minor)
{
	const struct sp_syscall_kernel *k = bsearch(name, sp_syscall_kernel,
						    SP_ARRAY_SIZE(sp_syscall_kernel),
						    sizeof(sp_syscall_kernel[0]), cmp_kernel_row);

	if (!k)
		return false;
	*major = k->major;
	*minor = k->minor;
	return true;
}

/* The kernel the profile is for: the caller's, the recording's, or the
 * running one (as moby's kernel_linux.go reads uname: "%d.%d"). */
static void profile_kernel(const struct secprof_recording *r, const secprof_record_out_opts *o,
			   int *major, int *minor)
{
	struct utsname u;

	*major = o->kernel_major;
	*minor = o->kernel_minor;
	if (*major || *minor)
		return;
	*major = r->kernel_major;
	*minor = r->kernel_minor;
	if ((*major || *minor) || uname(&u) || sscanf(u.release, "%d.%d", major, minor) < 1)
		return;
}

/* --base: what the base already decides is left out (n->dropped, dropv);
 * a call one of its rules answers otherwise is reported. */
static int base_filter(const struct sp_rec_base *base, struct out_name *n, secprof_error *err)
{
	enum sp_rec_verdict v;
	char why[160];
	bool add = false, keep = false;
	size_t nv = 0;
	int rc;

	for (size_t c = 0; c < n->ncalls; c++)
		nv += n->calls[c]->nvals;
	if (n->base || n->any_args || !nv) {
		/* whatever the arguments: on each ABI seen, or on every ABI of
		 * the base for a name added by --runtime or --portable */
		for (size_t c = 0; c < (n->ncalls ? n->ncalls : 1); c++) {
			why[0] = '\0';
			rc = base->decide(base->data, n->name, n->ncalls ? n->calls[c]->arch : NULL,
					  -1, 0, &v, why, sizeof(why), err);
			if (rc < 0)
				return rc;
			add |= v == SP_REC_ADD;
			if (v == SP_REC_KEEP && !keep) {
				keep = true;
				if (n->base != KIND_ENOSYS && n->base != KIND_MUX && base->kept)
					base->kept(base->data, n->name, why);
			}
		}
		/* Adding the name would change the base's own answer on an
		 * ABI where one of its rules decides: that answer stays. */
		n->dropped = keep || !add;
		return 0;
	}
	for (size_t c = 0; c < n->ncalls; c++) {
		const struct sp_rec_call *call = n->calls[c];
		for (size_t k = 0; k < call->nvals; k++) {
			why[0] = '\0';
			rc = base->decide(base->data, n->name, call->arch, call->vals[k].idx,
					  call->vals[k].val, &v, why, sizeof(why), err);
			if (rc < 0)
				return rc;
			if (v != SP_REC_ADD)
				n->dropv[c] |= 1u << k;
			if (v == SP_REC_KEEP && base->kept) {
				char what[96];
				snprintf(what, sizeof(what), "%s (arg%u == %llu)", n->name,
					 call->vals[k].idx, (unsigned long long)call->vals[k].val);
				base->kept(base->data, what, why);
			}
		}
	}
	return 0;
}

#define SYS_SOCKET_OP 1 /* socketcall's call number for socket (linux/net.h) */

/* On i386, libseccomp 2.5.4 puts a rule for socket on socketcall too, with
 * arg0 the call number (SYS_SOCKET) in place of socket's own arguments
 * (docs/COMPAT.md §4.4; runc's ENOSYS stub answers i386's direct socket
 * number, so glibc goes through socketcall there): the family test is
 * lost, and socket allowed for AF_INET alone would let an i386 program
 * open a socket of any family. Where socketcall was not seen, an
 * unconditional ENOSYS rule for it (written before the argument rules:
 * libseccomp keeps the first unconditional rule of a call and drops the
 * copies that follow) keeps the recording to what was seen. */
static int guard_socketcall(struct out_name *names, size_t *nnames, const char *const *arches,
			    size_t narches, const struct sp_rec_base *bp, secprof_error *err)
{
	struct out_name *sock = NULL;
	bool x86 = false;

	for (size_t a = 0; a < narches; a++)
		x86 |= !strcmp(arches[a], "SCMP_ARCH_X86");
	/* --base, --heal: the profile written has the base's arches, which
	 * may list x86 where nothing was recorded on it (the base's decide
	 * fails for an arch its filter lacks) */
	if (!x86 && bp) {
		enum sp_rec_verdict v;
		secprof_error none = { 0 };
		char why[8];
		x86 = bp->decide(bp->data, "socketcall", sp_arch_by_scmp("SCMP_ARCH_X86"), 0,
				 SYS_SOCKET_OP, &v, why, sizeof(why), &none) >= 0;
	}
	for (size_t k = 0; x86 && k < *nnames; k++) {
		struct out_name *n = &names[k];
		size_t nv = 0;
		if (!strcmp(n->name, "socketcall"))
			return 0;
		for (size_t c = 0; c < n->ncalls; c++)
			nv += n->calls[c]->nvals;
		if (!strcmp(n->name, "socket") && !n->dropped && !n->base && !n->any_args && nv)
			sock = n;
	}
	if (!x86 || !sock)
		return 0;
	/* --base: the ENOSYS rule would also take the base's own answers for
	 * socketcall (its copies of other socket rules); where the base
	 * answers any call of it, socket keeps the base's answer instead */
	for (uint64_t op = 1; bp && op <= 20; op++) {
		enum sp_rec_verdict v;
		char why[160] = "";
		int rc = bp->decide(bp->data, "socketcall", sp_arch_by_scmp("SCMP_ARCH_X86"), 0, op,
				    &v, why, sizeof(why), err);
		if (rc < 0)
			return rc;
		if (op == SYS_SOCKET_OP && v == SP_REC_ALLOWED)
			return 0; /* the base lets i386 socket calls through already */
		if (v != SP_REC_ADD) {
			sock->dropped = true;
			if (bp->kept)
				bp->kept(
					bp->data, "socket",
					"libseccomp would copy its rule onto i386 socketcall("
					"SYS_SOCKET) without the family test, and the base answers "
					"other socketcall calls itself");
			return 0;
		}
	}
	memset(&names[*nnames], 0, sizeof(names[0]));
	names[*nnames].name = "socketcall";
	names[(*nnames)++].base = KIND_MUX;
	return 0;
}

/* The names the profile does not allow that are newer than the kernel it
 * is for (--portable): ENOSYS, so the C library falls back, as moby's
 * default profile answers clone3 and runc's stub answers numbers beyond
 * the profile's (docs/COMPAT.md §4.1.3). */
static int add_newer(struct out_name *names, size_t *nnames, size_t cap, const char *const *arches,
		     size_t narches, int kmajor, int kminor, const struct sp_rec_base *base,
		     secprof_error *err)
{
	for (size_t i = 0; i < SP_ARRAY_SIZE(sp_syscall_kernel); i++) {
		const struct sp_syscall_kernel *k = &sp_syscall_kernel[i];
		bool have = false, exists = false;
		enum sp_rec_verdict v = SP_REC_ADD;
		char why[160];

		if (k->major < kmajor || (k->major == kmajor && k->minor <= kminor))
			continue;
		for (size_t j = 0; j < *nnames; j++)
			have |= !strcmp(names[j].name, k->name);
		for (size_t a = 0; a < narches; a++)
			exists |= sp_syscall_nr(sp_arch_by_scmp(arches[a]), k->name) >= 0;
		if (have || (!exists && !base) || *nnames >= cap)
			continue;
		if (base) {
			int rc = base->decide(base->data, k->name, NULL, -1, 0, &v, why,
					      sizeof(why), err);
			if (rc < 0)
				return rc;
		}
		if (v != SP_REC_ADD)
			continue;
		names[*nnames].name = k->name;
		names[(*nnames)++].base = KIND_NEWER;
	}
	return 0;
}

/* The member `key` of a JSON object as moby reads it (Go's encoding/json:
 * keys match case-folded, and of duplicates the last one wins), or NULL. */
static const struct sp_json *member(const struct sp_json *obj, const char *key)
{
	const struct sp_json *v = NULL;

	if (!obj || obj->type != SP_JOBJ)
		return NULL;
	for (uint32_t i = 0; i < obj->len; i++)
		if (sp_json_key_fold_eq(obj->u.members[i].key, obj->u.members[i].key_len, key))
			v = obj->u.members[i].val;
	return v;
}

/* base ∪ entries: the base's text with the entries put at the end of its
 * "syscalls" array (or a "syscalls" member added), nothing else changed. */
static int splice_base(struct sp_buf *b, const struct sp_rec_base *base,
		       const struct sp_buf *entries, size_t nentries, secprof_error *err)
{
	struct sp_arena arena = { 0 };
	const struct sp_json *root = sp_json_parse(&arena, base->text, base->len, base->file, err);
	const struct sp_json *calls;
	int rc = 0;

	if (!root) {
		rc = -err->code;
		goto done;
	}
	calls = member(root, "syscalls");
	if (root->type != SP_JOBJ || (calls && calls->type != SP_JARR)) {
		rc = sp_err(err, SECPROF_E_PROFILE, base->file, &root->loc, NULL,
			    "--base: not a Docker profile (an object with a syscalls array)");
		goto done;
	}
	if (!nentries) {
		sp_buf_add(b, base->text, base->len);
	} else if (calls && calls->len) {
		/* the entries come with a leading comma: right after the
		 * array's last element */
		size_t at = calls->u.items[calls->len - 1]->end;
		sp_buf_add(b, base->text, at);
		sp_buf_add(b, entries->data, entries->len);
		sp_buf_add(b, base->text + at, base->len - at);
	} else if (calls) {
		sp_buf_add(b, base->text, calls->end - 1);
		sp_buf_add(b, entries->data + 1, entries->len - 1);
		sp_buf_puts(b, "\n\t");
		sp_buf_add(b, base->text + calls->end - 1, base->len - (calls->end - 1));
	} else {
		sp_buf_add(b, base->text, root->end - 1);
		sp_buf_puts(b, root->len ? ",\n\t\"syscalls\": [" : "\n\t\"syscalls\": [");
		sp_buf_add(b, entries->data + 1, entries->len - 1);
		sp_buf_puts(b, "\n\t]\n");
		sp_buf_add(b, base->text + root->end - 1, base->len - (root->end - 1));
	}
done:
	sp_arena_free(&arena);
	return rc;
}

int sp_rec_write(const struct secprof_recording *r, const secprof_record_out_opts *o,
		 const struct sp_rec_base *bp, char **out, size_t *len, secprof_error *err)
{
	struct out_name *names = NULL;
	struct out_doc doc = { 0 };
	struct sp_buf b = { 0 }, eb = { 0 };
	const char *arches[3];
	size_t nnames = 0, narches = 0, nentries = 0;
	size_t cap = r->n + 256 + SP_ARRAY_SIZE(sp_syscall_kernel);
	unsigned total = r->runs ? r->runs : 1;
	bool yaml = o->format == SECPROF_RECORD_SPO;
	int kmajor = 0, kminor = 0, rc = 0;
	char kernel[24];

	*out = NULL;
	if ((unsigned)o->format > SECPROF_RECORD_SPO)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "unknown record format %u: docker, oci or spo", (unsigned)o->format);
	if (o->runtime && strcmp(o->runtime, "runc") && strcmp(o->runtime, "crun") &&
	    strcmp(o->runtime, "secprof"))
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "unknown runtime '%s': runc, crun or secprof", o->runtime);
	if (bp && o->format != SECPROF_RECORD_DOCKER)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "--base writes a Docker profile: use --format docker");
	profile_kernel(r, o, &kmajor, &kminor);
	snprintf(kernel, sizeof(kernel), "%d.%d", kmajor, kminor);
	names = calloc(cap, sizeof(*names));
	if (!names)
		return sp_err_oom(err);
	for (size_t a = 0; a < SP_ARRAY_SIZE(abi_order); a++) {
		bool seen = false;
		for (size_t i = 0; i < r->n; i++)
			seen |= !strcmp(r->calls[i].arch->name, abi_order[a]);
		if (seen)
			arches[narches++] = sp_arch_by_name(abi_order[a])->scmp;
	}
	if (!narches)
		arches[narches++] = sp_arch_native()->scmp;
	/* Fold the ABIs by name. */
	for (size_t i = 0; i < r->n; i++) {
		const struct sp_rec_call *c = &r->calls[i];
		struct out_name *n = NULL;
		if (!c->name[0])
			continue;
		for (size_t k = 0; k < nnames && !n; k++)
			if (!strcmp(names[k].name, c->name))
				n = &names[k];
		if (!n) {
			n = &names[nnames++];
			n->name = c->name;
		}
		if (c->runs > n->runs)
			n->runs = c->runs;
		n->any_args |= c->any_args || (o->no_args && c->nvals);
		/* A call whose argument profiles check was seen with no value
		 * kept (the eBPF recorder's map was full: recording->lost) is
		 * left out, not allowed whatever the argument: a recording of
		 * socket(AF_INET) must not allow AF_VSOCK. */
		n->lost_vals |= !c->nvals && !c->any_args && sp_rec_arg_of(c->name) >= 0;
		if (n->ncalls < 3)
			n->calls[n->ncalls++] = c;
	}
	/* clone3 seen: its flags are behind a pointer no filter can read, so
	 * it is answered ENOSYS, as by moby's default profile, and the flags
	 * it was called with are allowed on clone, glibc's fallback
	 * (sp_rec_add_val): an unconditional clone3 would let the command
	 * make any namespace. */
	for (size_t k = 0; k < nnames; k++)
		if (!strcmp(names[k].name, "clone3"))
			names[k].base = KIND_CLONE3;
	/* Every row of the runtime's post-load table (src/analyze/runtime.c),
	 * fatal or not: the recorded profile should let it run as recorded. */
	for (size_t k = 0; o->runtime && sp_runtime_row_at(k); k++) {
		const secprof_runtime_call *c = sp_runtime_row_at(k);
		struct out_name *n = NULL;
		if (!sp_runtime_is(c, o->runtime))
			continue;
		for (size_t j = 0; j < nnames && !n; j++)
			if (!strcmp(names[j].name, c->syscall))
				n = &names[j];
		if (!n && nnames < cap) {
			n = &names[nnames++];
			n->name = c->syscall;
		}
		if (n)
			n->base = KIND_RUNTIME;
	}
	for (size_t g = 0; o->portable && g < SP_ARRAY_SIZE(portable_groups); g++) {
		const char(*grp)[sizeof(portable_groups[0][0])] = portable_groups[g];
		bool seen = false;
		for (size_t k = 0; k < 8 && grp[k][0]; k++)
			for (size_t j = 0; j < nnames; j++)
				seen |= names[j].base == KIND_SEEN &&
					!strcmp(names[j].name, grp[k]);
		for (size_t k = 0; seen && k < 8 && grp[k][0]; k++) {
			bool have = false, exists = false;
			for (size_t j = 0; j < nnames; j++)
				have |= !strcmp(names[j].name, grp[k]);
			for (size_t a = 0; a < narches; a++)
				exists |= sp_syscall_nr(sp_arch_by_scmp(arches[a]), grp[k]) >= 0;
			/* clone is allowed only for the flags seen (on clone
			 * or clone3), never for any as an equivalent */
			if (have || !exists || nnames >= cap || !strcmp(grp[k], "clone"))
				continue;
			names[nnames].name = grp[k];
			names[nnames++].base = strcmp(grp[k], "clone3") ? KIND_PORTABLE
									: KIND_ENOSYS;
		}
	}
	for (size_t k = 0; k < nnames; k++)
		if (names[k].lost_vals && !names[k].base && !names[k].any_args)
			names[k].dropped = true;
	if (nnames < cap && (rc = guard_socketcall(names, &nnames, arches, narches, bp, err)) < 0)
		goto done;
	for (size_t k = 0; bp && k < nnames; k++)
		if (!names[k].dropped && (rc = base_filter(bp, &names[k], err)) < 0)
			goto done;
	/* Every name listed so far is answered by the profile (a dropped one
	 * by the base): --portable's ENOSYS is for the others. */
	if (o->portable &&
	    (rc = add_newer(names, &nnames, cap, arches, narches, kmajor, kminor, bp, err)) < 0)
		goto done;
	qsort(names, nnames, sizeof(*names), cmp_name);
	/* Runtime set first, then the names seen by run count (most first),
	 * then the argument rules. */
	for (size_t k = 0; k < nnames; k++) {
		struct out_name *n = &names[k];
		struct out_entry *e;
		size_t nv = 0;
		if (n->dropped)
			continue;
		for (size_t c = 0; c < n->ncalls; c++)
			nv += n->calls[c]->nvals;
		if (n->base || n->any_args || !nv) {
			e = entry_for(&doc, n->base, n->base ? 0 : n->runs, false, 0, 0);
			if (!e)
				goto oom;
			e->names[e->nnames++] = n->name;
		}
	}
	for (size_t k = 0; k < nnames; k++) {
		struct out_name *n = &names[k];
		if (n->base || n->any_args || n->dropped)
			continue;
		for (size_t c = 0; c < n->ncalls; c++) {
			for (size_t v = 0; v < n->calls[c]->nvals; v++) {
				const struct sp_rec_val *val = &n->calls[c]->vals[v];
				struct out_entry *e;
				bool dup = false;
				if (n->dropv[c] & (1u << v))
					continue;
				e = entry_for(&doc, false, val->runs, true, val->idx, val->val);
				if (!e)
					goto oom;
				for (size_t j = 0; j < e->nnames; j++)
					dup |= !strcmp(e->names[j], n->name);
				if (!dup)
					e->names[e->nnames++] = n->name;
			}
		}
	}
	/* Entries in a fixed order: runtime, --portable, plain names by runs
	 * (most first), argument rules by (runs, index, value). */
	for (int pass = 0; pass < 2 + NKIND; pass++) {
		for (unsigned runs = total + 1; runs-- > 0;) {
			for (size_t i = 0; i < doc.n; i++) {
				struct out_entry *e = &doc.e[i];
				bool want = pass < NKIND ? (pass && e->base == pass && runs == 0)
					    : pass == NKIND
						    ? (!e->base && !e->has_arg && e->runs == runs)
						    : (e->has_arg && e->runs == runs);
				if (!want || !e->nnames)
					continue;
				/* A base's array goes on after its own entries. */
				write_entry(&eb, e, o, total, kernel, !nentries++ && !bp);
			}
		}
	}
	if (bp) {
		if ((rc = splice_base(&b, bp, &eb, nentries, err)) < 0)
			goto done;
	} else if (yaml) {
		sp_buf_printf(&b,
			      "---\napiVersion: security-profiles-operator.x-k8s.io/v1\n"
			      "kind: SeccompProfile\nmetadata:\n  name: %s\n",
			      o->name ? o->name : "recorded");
		sp_buf_puts(&b, "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  architectures:\n");
		yaml_or_json_list(&b, true, "    ", arches, narches);
		sp_buf_puts(&b, "  syscalls:\n");
		sp_buf_add(&b, eb.data ? eb.data : "", eb.len);
	} else {
		sp_buf_puts(
			&b,
			"{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,\n"
			"\t\"architectures\": [");
		yaml_or_json_list(&b, false, "", arches, narches);
		sp_buf_puts(&b, "],\n\t\"syscalls\": [");
		sp_buf_add(&b, eb.data ? eb.data : "", eb.len);
		sp_buf_puts(&b, nentries ? "\n\t]\n}\n" : "]\n}\n");
	}
	if (b.oom || eb.oom)
		goto oom;
	*out = b.data;
	if (len)
		*len = b.len;
	b.data = NULL;
	goto done;
oom:
	rc = sp_err_oom(err);
done:
	sp_buf_free(&b);
	sp_buf_free(&eb);
	free(doc.e);
	free(names);
	return rc;
}

/* ---- reading a profile back (--merge) ------------------------------------ */

static bool json_u64(const struct sp_json *v, uint64_t *out)
{
	return v && v->type == SP_JNUM && sp_parse_u64(v->u.s, v->len, out);
}

/* includes / excludes that select nothing: absent, null, {} or members
 * that are all null, [] or "". */
static bool filter_empty(const struct sp_json *v)
{
	if (!v || v->type == SP_JNULL)
		return true;
	if (v->type != SP_JOBJ)
		return false;
	for (uint32_t i = 0; i < v->len; i++) {
		const struct sp_json *m = v->u.members[i].val;
		if (!(m->type == SP_JNULL ||
		      ((m->type == SP_JARR || m->type == SP_JSTR) && !m->len)))
			return false;
	}
	return true;
}

/* The one argument test a recording holds: args null, [] or [one
 * SCMP_CMP_EQ]. *has says whether there is the test. */
static bool args_recorded(const struct sp_json *args, bool *has, uint64_t *idx, uint64_t *val)
{
	const struct sp_json *a0, *op;

	*has = false;
	if (!args || args->type == SP_JNULL || (args->type == SP_JARR && !args->len))
		return true;
	if (args->type != SP_JARR || args->len != 1)
		return false;
	a0 = args->u.items[0];
	op = member(a0, "op");
	if (!op || op->type != SP_JSTR || strcmp(op->u.s, "SCMP_CMP_EQ") ||
	    !json_u64(member(a0, "index"), idx) || *idx >= 6 || !json_u64(member(a0, "value"), val))
		return false;
	*has = true;
	return true;
}

/* Whether an ALLOW rule of p names `name`. */
static bool allow_names(const struct secprof_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sp_rule *r = &p->rules[i];
		if (r->act != SP_ACT_ALLOW)
			continue;
		for (size_t k = 0; k < r->nnames; k++)
			if (!strcmp(r->names[k].s, name))
				return true;
	}
	return false;
}

/* An entry a recording cannot hold as it decides, or NULL. Read as a
 * recording, it would allow more than the profile did: a capability
 * condition dropped (moby's mount, bpf, unshare under CAP_SYS_ADMIN), a
 * MASKED_EQ or a second test taken as "any value" (moby's clone without
 * namespace flags), or a deny on a name it also allows forgotten. */
static const char *unrecorded_entry(const struct secprof_profile *p, const struct sp_json *e,
				    const struct sp_rule *r)
{
	uint64_t idx, val;
	bool has;

	if (!filter_empty(member(e, "includes")) || !filter_empty(member(e, "excludes")))
		return "it applies under includes/excludes conditions";
	if (r->act == SP_ACT_ALLOW)
		return args_recorded(member(e, "args"), &has, &idx, &val)
			       ? NULL
			       : "its argument tests are not one SCMP_CMP_EQ";
	for (size_t k = 0; k < r->nnames; k++)
		if (allow_names(p, r->names[k].s))
			return "it answers otherwise a name that an ALLOW entry lists";
	return NULL;
}

/* r's call of s's arch and name (or number), or NULL. */
static const struct sp_rec_call *find_call(const struct secprof_recording *r,
					   const struct sp_rec_call *s)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct sp_rec_call *c = &r->calls[i];
		if (c->arch == s->arch && (s->name[0] ? !strcmp(c->name, s->name) : c->nr == s->nr))
			return c;
	}
	return NULL;
}

/* A call of `one` whose values, with those r holds for it, are more than a
 * recording keeps (sp_rec_merge would allow it whatever its arguments), or
 * NULL; *n: how many. */
static const struct sp_rec_call *too_many_vals(const struct secprof_recording *r,
					       const struct secprof_recording *one, size_t *n)
{
	for (size_t i = 0; i < one->n; i++) {
		const struct sp_rec_call *s = &one->calls[i], *d = find_call(r, s);
		if (s->any_args || !s->nvals || !d || d->any_args)
			continue;
		*n = d->nvals;
		for (size_t k = 0; k < s->nvals; k++) {
			bool have = false;
			for (size_t j = 0; j < d->nvals && !have; j++)
				have = d->vals[j].idx == s->vals[k].idx &&
				       d->vals[j].val == s->vals[k].val;
			*n += !have;
		}
		if (*n > SP_REC_MAX_VALS)
			return s;
	}
	return NULL;
}

/* The last ALLOW entry of the file that lists NAME with an argument
 * test: where a refusal of NAME's values points (its syscalls[N]). */
static const struct sp_json *values_entry(const struct sp_json *calls, const secprof_profile *prof,
					  const char *name, char *path, size_t size)
{
	for (uint32_t i = calls && calls->type == SP_JARR ? calls->len : 0; i-- > 0;) {
		const struct sp_rule *rule = &prof->rules[i];
		if (rule->act != SP_ACT_ALLOW || !member(calls->u.items[i], "args"))
			continue;
		for (size_t k = 0; k < rule->nnames; k++) {
			if (!strcmp(rule->names[k].s, name)) {
				snprintf(path, size, "syscalls[%u]", i);
				return calls->u.items[i];
			}
		}
	}
	return NULL;
}

int sp_rec_merge_profile(struct secprof_recording *r, const char *data, size_t len,
			 const char *file, secprof_error *err)
{
	struct sp_arena arena = { 0 };
	struct secprof_recording *one = calloc(1, sizeof(*one));
	secprof_profile *prof = NULL;
	const struct sp_json *root, *archs, *calls;
	const struct sp_arch *arch[8];
	const struct sp_rec_call *over;
	size_t narch = 0, nvals = 0;
	unsigned total = 1;
	char path[32];
	int rc = -SECPROF_E_PROFILE;

	if (!one)
		return sp_err_oom(err);
	root = sp_json_parse(&arena, data, len, file, err);
	if (!root)
		goto done;
	/* The rules as every other command reads them (parse.c): what the
	 * parser refuses is refused here too, and a rule's names are the
	 * parser's, the legacy "name" folded in as moby reads it
	 * (check_moby), so a deny written with it is not skipped. The
	 * comments that carry run counts are read from the text. */
	if (!(prof = secprof_profile_parse(NULL, data, len, file, err))) {
		rc = err->code ? -err->code : -SECPROF_E_PROFILE;
		goto done;
	}
	if (prof->form != SP_FORM_DOCKER) {
		sp_err(err, SECPROF_E_PROFILE, file, &root->loc, NULL,
		       "not a Docker profile: secprof record reads back the Docker profiles it "
		       "writes");
		goto done;
	}
	archs = member(root, "architectures");
	for (uint32_t i = 0; archs && archs->type == SP_JARR && i < archs->len && narch < 8; i++)
		if (archs->u.items[i]->type == SP_JSTR && sp_arch_by_scmp(archs->u.items[i]->u.s))
			arch[narch++] = sp_arch_by_scmp(archs->u.items[i]->u.s);
	if (!narch)
		arch[narch++] = sp_arch_native();
	calls = member(root, "syscalls");
	if ((calls && calls->type == SP_JARR ? calls->len : 0) != prof->nrules) {
		sp_err(err, SECPROF_E_INTERNAL, file, &root->loc, "syscalls",
		       "%zu rules parsed from %u entries", prof->nrules,
		       calls && calls->type == SP_JARR ? calls->len : 0);
		goto done;
	}
	/* The run total is the largest "of N runs" of any entry. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; calls && calls->type == SP_JARR && i < calls->len; i++) {
			const struct sp_json *e = calls->u.items[i];
			const struct sp_rule *rule = &prof->rules[i];
			const struct sp_json *args = member(e, "args"), *cm = member(e, "comment");
			unsigned runs = 1, of = 1;
			uint64_t idx = 0, val = 0;
			bool has_arg = false;
			const char *why;

			if (cm && cm->type == SP_JSTR) {
				if (!strncmp(cm->u.s, "what ", 5) ||
				    !strncmp(cm->u.s, "equivalent ", 11) ||
				    !strncmp(cm->u.s, "newer ", 6))
					continue; /* written again by --runtime, --portable */
				if (sscanf(cm->u.s, "seen in %u of %u runs", &runs, &of) != 2)
					runs = of = 1;
			}
			if (pass == 0) {
				if (of > total)
					total = of;
				continue;
			}
			if (!rule->nnames)
				continue;
			if ((why = unrecorded_entry(prof, e, rule))) {
				snprintf(path, sizeof(path), "syscalls[%u]", i);
				sp_err(err, SECPROF_E_PROFILE, file, &e->loc, path,
				       "not an entry secprof record writes: %s, which a recording "
				       "cannot hold without allowing more (secprof merge --union "
				       "combines any profiles)",
				       why);
				goto done;
			}
			/* The ENOSYS a recording gives clone3 it saw (sp_rec_write):
			 * kept as a clone3 seen, which writes it again. */
			if (rule->act == SP_ACT_ERRNO && rule->nnames == 1 &&
			    !strcmp(rule->names[0].s, "clone3") && cm && cm->type == SP_JSTR &&
			    !strncmp(cm->u.s, "seen in ", 8)) {
				for (size_t a = 0; a < narch; a++) {
					int32_t nr = sp_syscall_nr(arch[a], "clone3");
					struct sp_rec_call *c =
						nr < 0 ? NULL
						       : sp_rec_call_get(one, arch[a], nr,
									 "clone3");
					if (nr >= 0 && !c)
						goto oom;
					if (c && runs > c->runs)
						c->runs = runs;
				}
				continue;
			}
			if (rule->act != SP_ACT_ALLOW)
				continue;
			/* one EQ test (unrecorded_entry refused any other) */
			args_recorded(args, &has_arg, &idx, &val);
			for (size_t k = 0; k < rule->nnames; k++) {
				const char *name = rule->names[k].s;
				for (size_t a = 0; a < narch; a++) {
					int32_t nr = sp_syscall_nr(arch[a], name);
					struct sp_rec_call *c;
					if (nr < 0)
						continue;
					c = sp_rec_call_get(one, arch[a], nr, name);
					if (!c)
						goto oom;
					c->nr = nr;
					if (runs > c->runs)
						c->runs = runs;
					c->any_args |= !has_arg;
					/* past what a recording holds the call would
					 * be allowed whatever its arguments: refused
					 * (below) unless a plain entry allows it so */
					if (has_arg && !add_val(c, (unsigned)idx, val, 0, runs))
						c->full = true;
				}
			}
		}
	}
	/* A call listed both plainly and with values is allowed plainly:
	 * its values say nothing more. */
	for (size_t i = 0; i < one->n; i++)
		if (one->calls[i].any_args)
			one->calls[i].nvals = 0;
	/* A recording lists at most SP_REC_MAX_VALS values of a call, and
	 * sp_rec_merge allows a call past that whatever its arguments: what
	 * neither profile allowed (socket for a family none lists). */
	for (size_t i = 0; i < one->n; i++) {
		if (one->calls[i].full && !one->calls[i].any_args) {
			const struct sp_json *e =
				values_entry(calls, prof, one->calls[i].name, path, sizeof(path));
			sp_err(err, SECPROF_E_PROFILE, file, e ? &e->loc : &root->loc,
			       e ? path : NULL,
			       "%s is allowed for more than %d argument values, more than a "
			       "recording holds: read back, it would be allowed whatever its "
			       "arguments (refused; secprof merge --union combines any profiles)",
			       one->calls[i].name, SP_REC_MAX_VALS);
			goto done;
		}
	}
	if ((over = too_many_vals(r, one, &nvals))) {
		const struct sp_json *e = values_entry(calls, prof, over->name, path, sizeof(path));
		sp_err(err, SECPROF_E_PROFILE, file, e ? &e->loc : &root->loc, e ? path : NULL,
		       "%s is allowed for %zu argument values with what is merged already, more "
		       "than the %d a recording holds: merged, it would be allowed whatever its "
		       "arguments (refused; secprof merge --union combines any profiles)",
		       over->name, nvals, SP_REC_MAX_VALS);
		goto done;
	}
	one->runs = total;
	rc = sp_rec_merge(r, one) < 0 ? sp_err_oom(err) : 0;
	goto done;
oom:
	rc = sp_err_oom(err);
done:
	secprof_profile_free(prof);
	sp_rec_free(one);
	sp_arena_free(&arena);
	return rc;
}

/* ---- a run --explain report (--heal) -------------------------------------- */

static bool json_bool(const struct sp_json *v)
{
	return v && v->type == SP_JBOOL && v->u.b;
}

/* One line of the report: a denial (arch, nr, args, count), or a note. */
static int report_line(struct secprof_recording *one, const char *line, size_t n, const char *file,
		       unsigned lineno, secprof_error *err)
{
	struct sp_arena arena = { 0 };
	const struct sp_json *d = sp_json_parse(&arena, line, n, file, err);
	const struct sp_json *arch, *args;
	const struct sp_arch *a = NULL;
	uint64_t nr = 0, count = 1, val = 0;
	int idx, rc = 0;

	if (!d) {
		rc = -err->code;
		err->line = lineno; /* parsed alone: its line in the file */
		goto done;
	}
	if (d->type == SP_JOBJ && member(d, "note") && !member(d, "syscall"))
		goto done;
	/* A negative number is no system call (syscall(-1), a probe): no
	 * name to allow. */
	if (d->type == SP_JOBJ && member(d, "nr") && member(d, "nr")->type == SP_JNUM &&
	    member(d, "nr")->u.s[0] == '-')
		goto done;
	arch = member(d, "arch");
	args = member(d, "args");
	if (arch && arch->type == SP_JSTR)
		a = sp_arch_by_name(arch->u.s);
	if (d->type != SP_JOBJ || !json_u64(member(d, "nr"), &nr) || nr > INT32_MAX || !a ||
	    !args || args->type != SP_JARR || args->len != 6) {
		rc = sp_err(err, SECPROF_E_PROFILE, file, &(struct sp_loc){ lineno, 1 }, NULL,
			    "not a denial of secprof run --explain (arch, nr, args)");
		goto done;
	}
	if (strcmp(a->name, "x86_64") && strcmp(a->name, "x86") && strcmp(a->name, "x32")) {
		rc = sp_err(err, SECPROF_E_PROFILE, file, &(struct sp_loc){ lineno, 1 }, NULL,
			    "a denial on %s: secprof record writes x86_64, x86 and x32 only",
			    a->name);
		goto done;
	}
	if (json_bool(member(d, "benign")))
		goto done; /* the C library falls back: nothing to add */
	if (!json_u64(member(d, "count"), &count) || !count)
		count = 1;
	if (sp_rec_add(one, a, (int32_t)nr, count) < 0)
		goto oom;
	idx = sp_syscall_name(a, (int32_t)nr) ? sp_rec_arg_of(sp_syscall_name(a, (int32_t)nr)) : -1;
	/* A killed call has no arguments (known from the audit record). */
	if (idx >= 0 && !json_bool(member(d, "killed")) && json_u64(args->u.items[idx], &val) &&
	    sp_rec_add_val(one, a, (int32_t)nr, (unsigned)idx, val, count) < 0)
		goto oom;
	if (idx >= 0 && json_bool(member(d, "killed"))) {
		struct sp_rec_call *c =
			sp_rec_call_get(one, a, (int32_t)nr, sp_syscall_name(a, (int32_t)nr));
		if (!c)
			goto oom;
		c->any_args = true;
	}
	goto done;
oom:
	rc = sp_err_oom(err);
done:
	sp_arena_free(&arena);
	return rc;
}

int sp_rec_add_report(struct secprof_recording *r, const char *data, size_t len, const char *file,
		      secprof_error *err)
{
	struct secprof_recording *one = calloc(1, sizeof(*one));
	unsigned lineno = 0;
	int rc = 0;

	if (!one)
		return sp_err_oom(err);
	one->runs = 1;
	for (size_t at = 0; at < len && rc == 0;) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (data + at)) : len - at;
		bool blank = true;
		lineno++;
		for (size_t k = 0; k < n; k++)
			blank &= data[at + k] == ' ' || data[at + k] == '\t' ||
				 data[at + k] == '\r';
		if (!blank)
			rc = report_line(one, data + at, n, file, lineno, err);
		at += n + 1;
	}
	if (rc == 0 && sp_rec_merge(r, one) < 0)
		rc = sp_err_oom(err);
	sp_rec_free(one);
	return rc;
}
