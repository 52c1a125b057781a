/* arg32.c - arguments the kernel reads as 32 bits: which ones, per name
 * and arch, and the values cut to the low word that the rules then use. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* ---- arguments the kernel reads as 32 bits ------------------------------
 *
 * The kernel's syscall entry (SYSCALL_DEFINEn, include/linux/syscalls.h)
 * casts each argument register to its declared type: an `int family` never
 * sees the high word. libseccomp compares all 64 bits on 64-bit ABIs, so a
 * range or != test on such an argument can be passed with a high word the
 * kernel then drops (`socket(0x100000028, ...)` is AF_VSOCK past Docker's
 * `arg0 > 40`). Unless exact_libseccomp is asked for, on 64-bit ABIs the
 * rules of such an argument are built from values cut to their low word,
 * and the argument's high word counts as 0 (sp_cond.lo_only,
 * sp_tnode.lo_only): the decisions are libseccomp's for the profile with
 * those values cut and the input with those high words cleared, and the
 * program never loads such a high word.
 *
 * That holds where every value the syscall's rules test on the argument
 * has one high word H (0 in practice): the low-word program then decides,
 * for each low word L, exactly what libseccomp decides for H:L, so it
 * never allows a call that Docker's filter refuses for every high word.
 * Where the values' high words differ (-1 as 0xffffffffffffffff beside 5),
 * no one high word reproduces the rules, so that argument keeps
 * libseccomp's 64-bit compares (sp_rs_settle_arg32). */

/* The arguments of name `seq` read as 32 bits on arch a, where it matters. */
static uint8_t arg32_on(const struct build *b, const struct sp_arch *a, size_t seq)
{
	return a->bits == 64 && !b->exact && b->arg32 ? b->arg32[seq] : 0;
}

/* The condition with the values the kernel reads when arg32 says so. */
struct sp_arg sp_rs_narrow_arg(const struct sp_arg *x, uint8_t arg32)
{
	struct sp_arg c = *x;

	if (c.index < 6 && (arg32 >> c.index & 1)) {
		c.value &= 0xffffffffu;
		c.value_two &= 0xffffffffu;
	}
	return c;
}

/* What one name's rules test on its 32-bit arguments: the high word of
 * the first plain value per argument, and the arguments whose values do
 * not share it (or whose MASKED_EQ needs another high word). */
struct a32_state {
	uint32_t h[6];
	uint8_t have, mixed;
};

static void a32_note(struct a32_state *st, const struct sp_rule *rule, uint8_t arg32,
		     bool masked_pass)
{
	for (size_t k = 0; k < rule->nargs; k++) {
		const struct sp_arg *x = &rule->args[k];
		unsigned i = (unsigned)x->index;
		uint32_t vh = (uint32_t)(x->value >> 32), bit;
		if (i > 5 || !(arg32 >> i & 1) || (x->op == SP_OP_MASKED_EQ) != masked_pass)
			continue;
		bit = 1u << i;
		if (masked_pass) {
			/* (H & mask) == datum on the high word, H the plain values'
			 * (0 when there are none) */
			if ((st->h[i] & vh) != (uint32_t)((x->value_two & x->value) >> 32))
				st->mixed |= (uint8_t)bit;
		} else if (!(st->have & bit)) {
			st->h[i] = vh;
			st->have |= (uint8_t)bit;
		} else if (st->h[i] != vh) {
			st->mixed |= (uint8_t)bit;
		}
	}
}

/* Where one name's rules test a 32-bit argument with values of different
 * high words, that argument keeps 64-bit compares (the note above
 * sp_rs_narrow_arg). Only rules runc adds and that have conditions count. One
 * state per name (by its index in the syscall table), in two passes:
 * plain values fix each argument's high word, then MASKED_EQ tests are
 * checked against it; a third applies the result. */
#define A32_SMALL 16

struct a32_table {
	struct a32_state small[A32_SMALL];
	int32_t rows[A32_SMALL];
	size_t n;
	struct a32_state *all; /* by table index, past A32_SMALL names */
};

static struct a32_state *a32_find(struct a32_table *t, int32_t row)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i] == row)
			return &t->small[i];
	if (!t->all && t->n < A32_SMALL) {
		t->rows[t->n] = row;
		t->small[t->n] = (struct a32_state){ 0 };
		return &t->small[t->n++];
	}
	if (!t->all) { /* many names: one state per table index */
		if (!(t->all = calloc(sp_syscall_count(), sizeof(*t->all))))
			return NULL;
		for (size_t i = 0; i < t->n; i++)
			t->all[t->rows[i]] = t->small[i];
		t->n = 0;
	}
	return &t->all[row];
}

int sp_rs_settle_arg32(struct build *b)
{
	struct a32_table t = { .n = 0 };
	bool any = false;

	if (b->exact)
		return 0;
	for (int pass = 0; pass < 3; pass++) {
		size_t seq = 0;
		for (size_t i = 0; i < b->r->nrules; i++) {
			const struct sp_rule *rule = b->r->rules[i];
			if (!rule->nargs || sp_rule_is_default(b->r->prof, rule)) {
				seq += rule->nnames;
				continue;
			}
			for (size_t j = 0; j < rule->nnames; j++, seq++) {
				struct a32_state *st;
				if (!b->arg32[seq] || b->row[seq] < 0)
					continue;
				if (!(st = a32_find(&t, b->row[seq]))) {
					free(t.all);
					return sp_err_oom(b->err);
				}
				any = true;
				if (pass < 2)
					a32_note(st, rule, b->arg32[seq], pass == 1);
				else
					b->arg32[seq] &= (uint8_t)~st->mixed;
			}
		}
		if (!any)
			return 0; /* no rule tests a 32-bit argument */
	}
	free(t.all);
	return 0;
}

uint8_t sp_rs_entries_arg32(const struct build *b, const struct sp_arch *a, const struct entry *e,
			    size_t n)
{
	const struct entry *first = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!e[i].rule->nargs)
			continue;
		/* a multiplexer rule tests socketcall/ipc's own registers with
		 * the family call's values, and two names of one number were
		 * settled apart: no one high word is known for them, so keep
		 * libseccomp's 64-bit compares (never less than Docker's) */
		if (entry_is_mux(&e[i]))
			return 0;
		if (!first)
			first = &e[i];
		else if (b->row && b->row[entry_name(&e[i])] != b->row[entry_name(first)])
			return 0;
	}
	return first ? arg32_on(b, a, entry_name(first)) : 0;
}
