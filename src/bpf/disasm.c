/* disasm.c - BPF programs as text: a listing with syscall names, and a
 * Graphviz graph. The library returns the text; the CLI prints it.
 *
 * To name syscalls the listing follows what A holds: after "ld [4]" and a
 * taken "jeq #AUDIT_ARCH_x" the arch is known, after "ld [0]" A is nr, so a
 * compare of A with K names syscall K on that arch. Jumps only go forward,
 * so one pass in program order computes this for every instruction.
 */
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "bpf/bpf.h"

enum a_holds { A_UNKNOWN, A_ARCH, A_NR, A_ARG, A_OTHER };

struct state {
	bool reached;
	enum a_holds a;
	uint32_t audit; /* 0 when not known */
	uint32_t word;  /* the offset loaded when A_ARG */
};

/* The arch secprof knows for an audit token and syscall number. */
static const struct sp_arch *arch_for(uint32_t audit, uint32_t nr, const struct sp_arch *dflt)
{
	const struct sp_arch *best = NULL;

	for (size_t i = 0; i < sp_arch_count(); i++) {
		const struct sp_arch *a = sp_arch_at(i);
		if (a->audit != audit)
			continue;
		if ((nr & SP_X32_BIT) == (a->nr_base & SP_X32_BIT) || !best)
			best = a;
	}
	return best ? best : dflt;
}

static const char *audit_name(uint32_t audit)
{
	const struct sp_arch *a = arch_for(audit, 0, NULL);
	return a ? a->name : NULL;
}

static void merge(struct state *into, const struct state *from)
{
	if (!into->reached) {
		*into = *from;
		into->reached = true;
		return;
	}
	if (into->a != from->a || into->word != from->word)
		into->a = A_UNKNOWN;
	if (into->audit != from->audit)
		into->audit = 0;
}

static void after_load(struct state *s, uint32_t k)
{
	if (k == 0)
		s->a = A_NR;
	else if (k == 4)
		s->a = A_ARCH;
	else {
		s->a = A_ARG;
		s->word = k;
	}
}

/* Forward data flow: what A holds and which arch is known at each insn. */
static void flow(const secprof_insn *p, size_t len, struct state *st)
{
	memset(st, 0, len * sizeof(*st));
	st[0].reached = true;
	for (size_t pc = 0; pc < len; pc++) {
		struct state s = st[pc];
		const secprof_insn *f = &p[pc];
		if (!s.reached || BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
			after_load(&s, f->k);
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			merge(&st[pc + 1 + f->k], &s);
			continue;
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			struct state t = s;
			if (s.a == A_ARCH && f->code == (BPF_JMP | BPF_JEQ | BPF_K))
				t.audit = f->k;
			merge(&st[pc + 1 + f->jt], &t);
			merge(&st[pc + 1 + f->jf], &s);
			continue;
		} else if (BPF_CLASS(f->code) != BPF_MISC && f->code != BPF_ST &&
			   f->code != BPF_STX && BPF_CLASS(f->code) != BPF_LDX) {
			s.a = A_OTHER;
		}
		merge(&st[pc + 1], &s);
	}
}

static const char *jump_name(uint16_t code)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: return "jeq";
	case BPF_JGT: return "jgt";
	case BPF_JGE: return "jge";
	case BPF_JSET: return "jset";
	default: return "ja";
	}
}

static const char *alu_name(uint16_t code)
{
	/* inline: no relocation at load (docs/CONVENTIONS.md §18) */
	static const char names[16][4] = { "add", "sub", "mul", "div", "or", "and",
					   "lsh", "rsh", "neg", "mod", "xor" };
	const char *n = names[BPF_OP(code) >> 4];
	return n[0] ? n : "alu?";
}

static void comment(struct sp_buf *b, const struct state *s, const secprof_insn *f,
		    const struct sp_arch *dflt)
{
	char rbuf[48];

	if (BPF_CLASS(f->code) == BPF_RET && BPF_RVAL(f->code) == BPF_K) {
		sp_buf_printf(b, "  ; %s", sp_ret_str(f->k, rbuf, sizeof(rbuf)));
	} else if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
		if (f->k == 0)
			sp_buf_puts(b, "  ; nr");
		else if (f->k == 4)
			sp_buf_puts(b, "  ; arch");
		else if (f->k >= 16 && f->k < 64)
			sp_buf_printf(b, "  ; args[%u] word %u", (f->k - 16) / 8, (f->k / 4) & 1);
	} else if (BPF_CLASS(f->code) == BPF_JMP && BPF_SRC(f->code) == BPF_K &&
		   BPF_OP(f->code) != BPF_JA) {
		if (s->a == A_ARCH && audit_name(f->k)) {
			sp_buf_printf(b, "  ; %s", audit_name(f->k));
		} else if (s->a == A_NR) {
			const struct sp_arch *a = s->audit ? arch_for(s->audit, f->k, dflt) : dflt;
			const char *name = a ? sp_syscall_name(a, (int32_t)f->k) : NULL;
			if (name)
				sp_buf_printf(b, "  ; %s %s", a->name, name);
		}
	}
}

static void insn_text(struct sp_buf *b, const secprof_insn *f, size_t pc)
{
	uint16_t c = f->code;

	switch (BPF_CLASS(c)) {
	case BPF_LD:
		if (BPF_MODE(c) == BPF_ABS)
			sp_buf_printf(b, "ld   [%u]", f->k);
		else if (BPF_MODE(c) == BPF_IMM)
			sp_buf_printf(b, "ld   #0x%x", f->k);
		else if (BPF_MODE(c) == BPF_MEM)
			sp_buf_printf(b, "ld   M[%u]", f->k);
		else
			sp_buf_puts(b, "ld   #len");
		break;
	case BPF_LDX:
		if (BPF_MODE(c) == BPF_IMM)
			sp_buf_printf(b, "ldx  #0x%x", f->k);
		else if (BPF_MODE(c) == BPF_MEM)
			sp_buf_printf(b, "ldx  M[%u]", f->k);
		else
			sp_buf_puts(b, "ldx  #len");
		break;
	case BPF_ST: sp_buf_printf(b, "st   M[%u]", f->k); break;
	case BPF_STX: sp_buf_printf(b, "stx  M[%u]", f->k); break;
	case BPF_ALU:
		if (BPF_OP(c) == BPF_NEG)
			sp_buf_puts(b, "neg");
		else if (BPF_SRC(c) == BPF_X)
			sp_buf_printf(b, "%-4s x", alu_name(c));
		else
			sp_buf_printf(b, "%-4s #0x%x", alu_name(c), f->k);
		break;
	case BPF_JMP:
		if (BPF_OP(c) == BPF_JA)
			sp_buf_printf(b, "ja   %zu", pc + 1 + f->k);
		else if (BPF_SRC(c) == BPF_X)
			sp_buf_printf(b, "%-4s x, %zu, %zu", jump_name(c), pc + 1 + f->jt,
				      pc + 1 + f->jf);
		else
			sp_buf_printf(b, "%-4s #0x%x, %zu, %zu", jump_name(c), f->k, pc + 1 + f->jt,
				      pc + 1 + f->jf);
		break;
	case BPF_RET:
		if (BPF_RVAL(c) == BPF_A)
			sp_buf_puts(b, "ret  a");
		else
			sp_buf_printf(b, "ret  #0x%x", f->k);
		break;
	case BPF_MISC: sp_buf_puts(b, BPF_MISCOP(c) == BPF_TAX ? "tax" : "txa"); break;
	default: sp_buf_printf(b, "?    code=0x%x", c); break;
	}
}

static int finish(struct sp_buf *b, struct state *st, char **out, secprof_error *err)
{
	free(st);
	if (b->oom || !b->data) {
		sp_buf_free(b);
		return sp_err_oom(err);
	}
	*out = b->data;
	return 0;
}

int sp_bpf_listing(const secprof_insn *insns, size_t len, const struct sp_arch *arch, char **out,
		   secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct state *st;
	int rc = sp_bpf_check(insns, len, err);

	if (rc < 0)
		return rc;
	if (!(st = malloc(len * sizeof(*st))))
		return sp_err_oom(err);
	flow(insns, len, st);
	for (size_t pc = 0; pc < len; pc++) {
		size_t start = b.len;
		sp_buf_printf(&b, "%04zu: ", pc);
		insn_text(&b, &insns[pc], pc);
		while (b.len - start < 36 && !b.oom)
			sp_buf_add(&b, " ", 1);
		comment(&b, &st[pc], &insns[pc], arch);
		while (b.len > start && b.data[b.len - 1] == ' ')
			b.data[--b.len] = '\0';
		sp_buf_add(&b, "\n", 1);
	}
	return finish(&b, st, out, err);
}

int sp_bpf_dot(const secprof_insn *insns, size_t len, const struct sp_arch *arch, char **out,
	       secprof_error *err)
{
	struct sp_buf b = { 0 };
	struct state *st;
	int rc = sp_bpf_check(insns, len, err);

	if (rc < 0)
		return rc;
	if (!(st = malloc(len * sizeof(*st))))
		return sp_err_oom(err);
	flow(insns, len, st);
	sp_buf_puts(&b, "digraph bpf {\n\tnode [shape=box fontname=monospace];\n");
	for (size_t pc = 0; pc < len; pc++) {
		const secprof_insn *f = &insns[pc];
		struct sp_buf line = { 0 };
		insn_text(&line, f, pc);
		comment(&line, &st[pc], f, arch);
		sp_buf_printf(&b, "\tn%zu [label=", pc);
		sp_buf_json_str(&b, line.data ? line.data : "");
		sp_buf_puts(&b, "];\n");
		sp_buf_free(&line);
		if (BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (f->code == (BPF_JMP | BPF_JA))
			sp_buf_printf(&b, "\tn%zu -> n%zu;\n", pc, pc + 1 + f->k);
		else if (BPF_CLASS(f->code) == BPF_JMP)
			sp_buf_printf(
				&b,
				"\tn%zu -> n%zu [label=T];\n\tn%zu -> n%zu [label=F style=dashed];\n",
				pc, pc + 1 + f->jt, pc, pc + 1 + f->jf);
		else
			sp_buf_printf(&b, "\tn%zu -> n%zu;\n", pc, pc + 1);
	}
	sp_buf_puts(&b, "}\n");
	return finish(&b, st, out, err);
}
