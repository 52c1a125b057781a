/* diff.c - secprof_diff_compute: two programs compared by what they decide
 * on every input (space.c regions, secprof_emulate), not by their text. */
#include <inttypes.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/space.h"
#include "core/util.h"

struct secprof_diff {
	secprof_side a, b;
	struct sp_vec entries; /* secprof_diff_entry */
	size_t regions;
	bool a_stricter_somewhere, b_stricter_somewhere, same_action_somewhere;
	bool not_subset;
};

static const secprof_diff_entry *entry_at(const struct secprof_diff *d, size_t i)
{
	return (const secprof_diff_entry *)d->entries.items + i;
}

/* The kernel runs every filter and keeps the return value whose action has
 * the most precedence: the lowest as a signed 32-bit number
 * (kernel/seccomp.c seccomp_run_filters, ACTION_ONLY). */
int sp_action_rank(uint32_t ret)
{
	return (int32_t)(ret & 0xffff0000u);
}

/* What the kernel does with a filter's return value (kernel/seccomp.c
 * __seccomp_filter): ERRNO data is capped at MAX_ERRNO (4095), and an
 * action it does not know falls to the default case, which kills the
 * process as KILL_PROCESS does (the data only reaches the core dump's
 * siginfo, as KILL_PROCESS's does). Other values are kept as they are. */
uint32_t sp_action_effect(uint32_t ret)
{
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL, data = ret & SECCOMP_RET_DATA;

	switch (act) {
	case SECCOMP_RET_ERRNO: return data > 4095 ? act | 4095 : ret;
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_USER_NOTIF:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW: return ret;
	}
	return SECCOMP_RET_KILL_PROCESS | data;
}

bool sp_action_allows(uint32_t ret)
{
	uint32_t a = ret & 0xffff0000u;
	return a == 0x7fff0000u || a == 0x7ffc0000u; /* ALLOW, LOG */
}

/* Whether A's return value a lets a call run that B's b may stop (both
 * as the kernel applies them, sp_action_effect). ALLOW and LOG run the
 * call; TRACE runs it too once a tracer takes the PTRACE_EVENT_SECCOMP
 * stop and leaves the number as it is (kernel/seccomp.c __seccomp_filter:
 * the recheck after the tracer returns 0 on TRACE), and any process that
 * may ptrace the task can be that tracer, a parent in the same container
 * included; USER_NOTIF runs it when the supervisor answers
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE. So A may run a call B stops unless B
 * always runs it or B's action is A's (the same tracer or supervisor). */
static bool runs_where_b_may_not(uint32_t a, uint32_t b)
{
	uint32_t ea = sp_action_effect(a) & 0xffff0000u, eb = sp_action_effect(b) & 0xffff0000u;
	bool a_may = sp_action_allows(ea) || ea == 0x7ff00000u || ea == 0x7fc00000u;

	return a_may && !sp_action_allows(eb) && ea != eb;
}

const secprof_arch *sp_arch_of_input(const secprof_data *in)
{
	const secprof_arch *best = NULL;

	for (size_t i = 0; i < secprof_arch_count(); i++) {
		const secprof_arch *a = secprof_arch_at(i);
		secprof_arch_info info;
		secprof_arch_get_info(a, &info);
		if (info.audit != in->arch)
			continue;
		/* x86_64 and x32 share AUDIT_ARCH_X86_64: x32 numbers carry
		 * __X32_SYSCALL_BIT (its nr_base) */
		if (info.nr_base == 0x40000000u) {
			if ((uint32_t)in->nr & 0x40000000u)
				return a;
			continue;
		}
		if (!best)
			best = a;
	}
	return best;
}

static bool full(const struct sp_wregion *r)
{
	return r->lo == 0 && r->hi == UINT32_MAX && r->mask == 0;
}

static void put_word(struct sp_buf *b, const struct sp_wregion *r)
{
	if (r->lo == r->hi)
		sp_buf_printf(b, "%" PRIu32, r->lo);
	else if (r->lo != 0 || r->hi != UINT32_MAX)
		sp_buf_printf(b, "%#" PRIx32 "-%#" PRIx32, r->lo, r->hi);
	if (r->mask)
		sp_buf_printf(b, "%s&%#" PRIx32 "==%#" PRIx32,
			      r->lo != 0 || r->hi != UINT32_MAX ? " " : "", r->mask, r->pat);
}

/* "arg0==38", "arg1=0-0x25", "arg0 high word 1-0xffffffff", ... */
void sp_region_text(const struct sp_wregion *r, char *out, size_t len)
{
	struct sp_buf b = { 0 };

	for (unsigned i = 0; i < 6; i++) {
		const struct sp_wregion *lo = &r[sp_space_arg_word(r[SP_W_ARCH].rep, i, false)];
		const struct sp_wregion *hi = &r[sp_space_arg_word(r[SP_W_ARCH].rep, i, true)];
		bool hi_zero = hi->lo == 0 && hi->hi == 0 && hi->mask == 0;

		if (full(lo) && full(hi))
			continue;
		if (b.len)
			sp_buf_puts(&b, " ");
		if (hi_zero && !lo->mask) {
			if (lo->lo == lo->hi)
				sp_buf_printf(&b, "arg%u==%" PRIu32, i, lo->lo);
			else
				sp_buf_printf(&b, "arg%u=%" PRIu32 "-%" PRIu32, i, lo->lo, lo->hi);
			continue;
		}
		if (!full(hi)) {
			sp_buf_printf(&b, "arg%u high word ", i);
			put_word(&b, hi);
		}
		if (!full(lo)) {
			sp_buf_printf(&b, "%sarg%u low word ", full(hi) ? "" : ", ", i);
			put_word(&b, lo);
		}
	}
	snprintf(out, len, "%s", b.data ? b.data : "");
	sp_buf_free(&b);
}

/* "socket(38, 1, 0)": the arguments up to the last that is not 0 (at least
 * one), 0x-hex when large. */
void sp_call_text(const secprof_data *in, const char *name, struct sp_buf *b)
{
	int last = 0;

	for (int i = 0; i < 6; i++)
		if (in->args[i])
			last = i;
	if (name)
		sp_buf_printf(b, "%s(", name);
	else
		sp_buf_printf(b, "syscall(%" PRId32 ", ", in->nr);
	for (int i = 0; i <= last; i++)
		sp_buf_printf(b, in->args[i] > 0xffff ? "%s%#" PRIx64 : "%s%" PRIu64, i ? ", " : "",
			      in->args[i]);
	sp_buf_puts(b, ")");
}

/* What decided ret on `in` in side s: the rule, default, enosys or arch. */
void sp_by_text(const secprof_side *s, const secprof_data *in, char *out, size_t len)
{
	secprof_ir_decision d;

	*out = 0;
	if (!s->ir || secprof_ir_decide(s->ir, in, &d, NULL, 0) < 0)
		return;
	switch (d.by) {
	case SECPROF_BY_RULE:
		snprintf(out, len, "syscalls[%zu] (%u:%u)", d.rule.index, d.rule.line,
			 d.rule.column);
		break;
	case SECPROF_BY_DEFAULT: snprintf(out, len, "default"); break;
	case SECPROF_BY_ENOSYS: snprintf(out, len, "enosys"); break;
	case SECPROF_BY_ARCH: snprintf(out, len, "arch"); break;
	}
}

static bool args_full(const struct sp_leaf *l)
{
	for (unsigned w = 2; w < SP_SPACE_WORDS; w++)
		if (!full(&l->r[w]))
			return false;
	return true;
}

/* Whether leaf l continues prev's numbers: the next interval of the number
 * word under the same mask pattern (a program that tests the number under
 * a mask cuts it into patterns over one interval), every other word alike. */
static bool continues(const secprof_diff_entry *prev, const struct sp_leaf *l)
{
	for (unsigned w = 0; w < SP_SPACE_WORDS; w++) {
		const secprof_word_region *p = &prev->words[w];
		const struct sp_wregion *r = &l->r[w];
		if (p->mask != r->mask || p->pat != r->pat)
			return false;
		if (w != SP_W_NR && (p->lo != r->lo || p->hi != r->hi))
			return false;
	}
	return prev->nr_hi != UINT32_MAX && prev->nr_hi + 1 == l->r[SP_W_NR].lo;
}

static int on_leaf(void *data, const struct sp_leaf *l)
{
	struct secprof_diff *d = data;
	uint32_t a = l->ret[0], b = l->ret[1];
	uint32_t ea = sp_action_effect(a), eb = sp_action_effect(b);
	const secprof_arch *arch;
	secprof_diff_entry *e, *prev;
	char aby[64], bby[64];

	d->regions++;
	/* compared by what the kernel does: ERRNO(5000) is ERRNO(4095), an
	 * unknown action KILL_PROCESS; the entry keeps the values returned */
	if (ea == eb)
		return 0;
	if (runs_where_b_may_not(a, b))
		d->not_subset = true;
	if (sp_action_rank(ea) < sp_action_rank(eb))
		d->a_stricter_somewhere = true;
	else if (sp_action_rank(eb) < sp_action_rank(ea))
		d->b_stricter_somewhere = true;
	else
		d->same_action_somewhere = true;
	arch = sp_arch_of_input(&l->in);
	sp_by_text(&d->a, &l->in, aby, sizeof(aby));
	sp_by_text(&d->b, &l->in, bby, sizeof(bby));
	/* whole numbers next to each other that differ the same way, with no
	 * argument in play and not decided by a rule, make one entry */
	prev = d->entries.len ? (secprof_diff_entry *)d->entries.items + d->entries.len - 1 : NULL;
	if (prev && args_full(l) && prev->audit == l->in.arch && prev->a == a && prev->b == b &&
	    !prev->region[0] && continues(prev, l) && strncmp(aby, "syscalls", 8) &&
	    strncmp(bby, "syscalls", 8) && !strcmp(aby, prev->a_by) && !strcmp(bby, prev->b_by) &&
	    arch == sp_arch_of_input(&prev->example)) {
		prev->nr_hi = l->r[SP_W_NR].hi;
		for (unsigned w = 0; w < 16; w++)
			if (w == SP_W_NR)
				prev->words[w].hi = l->r[w].hi;
		return 0;
	}
	if (!(e = sp_vec_push(&d->entries)))
		return -SECPROF_E_SYSTEM;
	e->arch = arch ? secprof_arch_name(arch) : NULL;
	e->audit = l->in.arch;
	e->nr_lo = l->r[SP_W_NR].lo;
	e->nr_hi = l->r[SP_W_NR].hi;
	/* a region of one number, or the number of the example where the
	 * region's other numbers have no name */
	e->syscall = arch ? secprof_syscall_name(arch, (int32_t)l->in.nr) : NULL;
	for (unsigned w = 0; w < 16; w++)
		e->words[w] =
			(secprof_word_region){ l->r[w].lo, l->r[w].hi, l->r[w].mask, l->r[w].pat };
	e->example = l->in;
	e->a = a;
	e->b = b;
	sp_region_text(l->r, e->region, sizeof(e->region));
	memcpy(e->a_by, aby, sizeof(aby));
	memcpy(e->b_by, bby, sizeof(bby));
	return 0;
}

secprof_diff *secprof_diff_compute(const secprof_side *a, const secprof_side *b, secprof_error *err)
{
	struct secprof_diff *d;
	const secprof_insn *progs[2];
	size_t lens[2];
	int rc;

	if (!a || !b || !a->insns || !b->insns) {
		sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "secprof_diff_compute: no program");
		return NULL;
	}
	if (!(d = calloc(1, sizeof(*d)))) {
		sp_err_oom(err);
		return NULL;
	}
	d->a = *a;
	d->b = *b;
	d->entries.item_size = sizeof(secprof_diff_entry);
	progs[0] = a->insns;
	progs[1] = b->insns;
	lens[0] = a->len;
	lens[1] = b->len;
	rc = sp_space_walk(progs, lens, 2, on_leaf, d, err);
	if (rc) {
		if (rc == -SECPROF_E_SYSTEM && !err->msg[0])
			sp_err_oom(err);
		secprof_diff_free(d);
		return NULL;
	}
	return d;
}

static bool folded_already(const secprof_diff *d, const secprof_diff_entry *x)
{
	for (size_t i = 0; i < d->entries.len; i++) {
		const secprof_diff_entry *e = entry_at(d, i);
		if (e->runc && e->audit == x->audit && e->nr_lo == x->nr_lo &&
		    e->nr_hi == x->nr_hi && e->a == x->a && e->b == x->b &&
		    !strcmp(e->region, x->region))
			return true;
	}
	return false;
}

int secprof_diff_fold(secprof_diff *d, const secprof_diff *runc, secprof_error *err)
{
	if (!d || !runc)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "secprof_diff_fold: no diff");
	for (size_t i = 0; i < runc->entries.len; i++) {
		const secprof_diff_entry *x = entry_at(runc, i);
		uint32_t a = secprof_emulate(d->a.insns, d->a.len, &x->example, NULL);
		uint32_t b = secprof_emulate(d->b.insns, d->b.len, &x->example, NULL);
		secprof_diff_entry *e;

		/* the same difference at the same call: d lists it already */
		if (sp_action_effect(a) == sp_action_effect(x->a) &&
		    sp_action_effect(b) == sp_action_effect(x->b))
			continue;
		/* or an earlier fold did (runc's programs of another reading) */
		if (folded_already(d, x))
			continue;
		if (!(e = sp_vec_push(&d->entries)))
			return sp_err_oom(err);
		*e = *x;
		e->runc = true;
	}
	d->a_stricter_somewhere |= runc->a_stricter_somewhere;
	d->b_stricter_somewhere |= runc->b_stricter_somewhere;
	d->same_action_somewhere |= runc->same_action_somewhere;
	d->not_subset |= runc->not_subset;
	return 0;
}

void secprof_diff_free(secprof_diff *d)
{
	if (!d)
		return;
	sp_vec_free(&d->entries);
	free(d);
}

size_t secprof_diff_count(const secprof_diff *d)
{
	return d ? d->entries.len : 0;
}

const secprof_diff_entry *secprof_diff_at(const secprof_diff *d, size_t i)
{
	return d && i < d->entries.len ? entry_at(d, i) : NULL;
}

size_t secprof_diff_regions(const secprof_diff *d)
{
	return d ? d->regions : 0;
}

enum secprof_diff_verdict secprof_diff_verdict_of(const secprof_diff *d)
{
	if (!d->entries.len)
		return SECPROF_DIFF_IDENTICAL;
	if (d->same_action_somewhere || (d->a_stricter_somewhere && d->b_stricter_somewhere))
		return SECPROF_DIFF_NEITHER;
	return d->a_stricter_somewhere ? SECPROF_DIFF_A_STRICTER : SECPROF_DIFF_B_STRICTER;
}

bool secprof_diff_subset(const secprof_diff *d)
{
	return !d->not_subset;
}

const char *secprof_diff_verdict_name(enum secprof_diff_verdict v)
{
	switch (v) {
	case SECPROF_DIFF_IDENTICAL: return "identical";
	case SECPROF_DIFF_A_STRICTER: return "A stricter";
	case SECPROF_DIFF_B_STRICTER: return "B stricter";
	case SECPROF_DIFF_NEITHER: return "neither";
	}
	return NULL;
}

static void put_where(struct sp_buf *b, const secprof_diff_entry *e)
{
	if (e->nr_lo != e->nr_hi)
		sp_buf_printf(b, "nr %" PRIu32 "-%" PRIu32, e->nr_lo, e->nr_hi);
	else if (e->syscall)
		sp_buf_puts(b, e->syscall);
	else
		sp_buf_printf(b, "nr %" PRIu32, e->nr_lo);
}

static bool same_way(const secprof_diff_entry *x, const secprof_diff_entry *y)
{
	return x->runc == y->runc && x->audit == y->audit && x->nr_lo == y->nr_lo &&
	       x->nr_hi == y->nr_hi && x->a == y->a && x->b == y->b && !strcmp(x->a_by, y->a_by) &&
	       !strcmp(x->b_by, y->b_by) &&
	       sp_arch_of_input(&x->example) == sp_arch_of_input(&y->example);
}

/* The action ret names; with `effect`, and what the kernel does with it
 * where that differs ("0x12340000 (as KILL_PROCESS)"). */
static void action_text(uint32_t ret, bool effect, char *out, size_t len)
{
	char as[32], es[32];
	uint32_t e = sp_action_effect(ret);

	secprof_action_str(ret, as, sizeof(as));
	if (!effect || e == ret) {
		snprintf(out, len, "%s", as);
		return;
	}
	secprof_action_str(e, es, sizeof(es));
	snprintf(out, len, "%s (as %s)", as, es);
}

int secprof_diff_format(const secprof_diff *d, unsigned flags, char **out, secprof_error *err)
{
	struct sp_buf b = { 0 };
	bool json = flags & SECPROF_DIFF_JSON, subset = flags & SECPROF_DIFF_SUBSET;
	size_t shown = 0, similar = 0;
	enum secprof_diff_verdict v = secprof_diff_verdict_of(d);

	if (json) {
		sp_buf_puts(&b, "{\"a\": ");
		sp_buf_json_str(&b, d->a.label ? d->a.label : "");
		sp_buf_puts(&b, ", \"b\": ");
		sp_buf_json_str(&b, d->b.label ? d->b.label : "");
		sp_buf_printf(
			&b,
			", \"verdict\": \"%s\", \"subset\": %s, \"regions\": %zu, \"differences\": [",
			secprof_diff_verdict_name(v), secprof_diff_subset(d) ? "true" : "false",
			d->regions);
	}
	for (size_t i = 0; i < d->entries.len; i++) {
		const secprof_diff_entry *e = entry_at(d, i);
		char as[80], bs[80];
		struct sp_buf call = { 0 };

		if (subset && !runs_where_b_may_not(e->a, e->b))
			continue;
		/* text: regions of one syscall that differ the same way, by the
		 * same rules (mask patterns, say), make one line with a count */
		if (!json && i && same_way(entry_at(d, i - 1), e)) {
			similar++;
			continue;
		}
		if (!json && similar) {
			sp_buf_printf(&b,
				      "  ... and %zu more regions of it that differ the same way\n",
				      similar);
			similar = 0;
		}
		action_text(e->a, !json, as, sizeof(as));
		action_text(e->b, !json, bs, sizeof(bs));
		sp_call_text(&e->example, e->syscall, &call);
		if (json) {
			sp_buf_puts(&b, shown ? ",\n  {" : "\n  {");
			sp_buf_puts(&b, "\"arch\": ");
			if (e->arch)
				sp_buf_json_str(&b, e->arch);
			else
				sp_buf_printf(&b, "\"%#" PRIx32 "\"", e->audit);
			sp_buf_printf(&b,
				      ", \"nr\": %" PRIu32 ", \"nrLast\": %" PRIu32
				      ", \"syscall\": ",
				      e->nr_lo, e->nr_hi);
			if (e->syscall && e->nr_lo == e->nr_hi)
				sp_buf_json_str(&b, e->syscall);
			else
				sp_buf_puts(&b, "null");
			sp_buf_puts(&b, ", \"region\": ");
			sp_buf_json_str(&b, e->region);
			sp_buf_printf(&b, ", \"a\": \"%s\", \"b\": \"%s\", \"aBy\": ", as, bs);
			sp_buf_json_str(&b, e->a_by);
			sp_buf_puts(&b, ", \"bBy\": ");
			sp_buf_json_str(&b, e->b_by);
			sp_buf_printf(&b, ", \"runc\": %s", e->runc ? "true" : "false");
			sp_buf_printf(&b,
				      ", \"example\": {\"nr\": %" PRId32 ", \"arch\": %" PRIu32
				      ", \"args\": [",
				      e->example.nr, e->example.arch);
			for (int k = 0; k < 6; k++)
				sp_buf_printf(&b, "%s%" PRIu64, k ? ", " : "", e->example.args[k]);
			sp_buf_puts(&b, "], \"call\": ");
			sp_buf_json_str(&b, call.data ? call.data : "");
			sp_buf_puts(&b, "}}");
		} else {
			if (e->runc)
				sp_buf_puts(&b, "runc's filter: ");
			sp_buf_printf(&b, "%s ", e->arch ? e->arch : "other-arch");
			if (!e->arch)
				sp_buf_printf(&b, "(audit %#" PRIx32 ") ", e->audit);
			put_where(&b, e);
			if (e->region[0])
				sp_buf_printf(&b, " %s", e->region);
			sp_buf_printf(&b, ": %s \xe2\x86\x92 %s  e.g. %s", as, bs,
				      call.data ? call.data : "");
			if (e->a_by[0] || e->b_by[0])
				sp_buf_printf(&b, "  [A: %s, B: %s]", e->a_by[0] ? e->a_by : "-",
					      e->b_by[0] ? e->b_by : "-");
			sp_buf_puts(&b, "\n");
		}
		sp_buf_free(&call);
		shown++;
	}
	if (similar)
		sp_buf_printf(&b, "  ... and %zu more regions of it that differ the same way\n",
			      similar);
	if (json)
		sp_buf_puts(&b, shown ? "\n]}\n" : "]}\n");
	else if (subset)
		sp_buf_printf(&b, "%s: A %s (%zu regions where A allows and B does not, of %zu)\n",
			      secprof_diff_subset(d) ? "subset" : "not a subset",
			      secprof_diff_subset(d) ? "allows nothing B denies"
						     : "allows what B denies",
			      shown, d->regions);
	else
		sp_buf_printf(&b, "verdict: %s (%zu differences over %zu regions)\n",
			      secprof_diff_verdict_name(v), shown, d->regions);
	if (b.oom) {
		sp_buf_free(&b);
		return sp_err_oom(err);
	}
	*out = b.data;
	return 0;
}
