/* emulate.c - classic BPF as seccomp runs it, in userspace.
 *
 * sp_bpf_check() accepts what the kernel's seccomp_check_filter() and
 * bpf_check_classic() accept; secprof_emulate() runs a checked program on one
 * struct seccomp_data. Every program is checked first, so the interpreter
 * itself never meets an out-of-range jump, load or scratch slot.
 */
#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "secprof.h"
#include "bpf/bpf.h"

#define SECCOMP_DATA_SIZE 64u /* sizeof(struct seccomp_data) */
#define SCRATCH_SLOTS 16u     /* BPF_MEMWORDS */
#define MAX_INSNS 4096u       /* BPF_MAXINSNS */

static int bad(secprof_error *err, size_t pc, const char *why)
{
	char path[32];
	snprintf(path, sizeof(path), "insn[%zu]", pc);
	return sp_err(err, SECPROF_E_PROFILE, NULL, NULL, path, "%s", why);
}

/* The opcodes seccomp_check_filter() lets through (kernel/seccomp.c). */
static bool seccomp_opcode_ok(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X: return true;
	default: return false;
	}
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* One instruction on its own (bpf_check_classic's first loop). */
static int check_insn(const secprof_insn *f, size_t pc, size_t len, secprof_error *err)
{
	uint16_t c = f->code;

	if (!seccomp_opcode_ok(c))
		return bad(err, pc, "opcode not allowed in a seccomp filter");
	if (c == (BPF_LD | BPF_W | BPF_ABS) && (f->k >= SECCOMP_DATA_SIZE || (f->k & 3)))
		return bad(err, pc, "load outside struct seccomp_data or not 4-byte aligned");
	if ((c == (BPF_ALU | BPF_DIV | BPF_K) || c == (BPF_ALU | BPF_MOD | BPF_K)) && f->k == 0)
		return bad(err, pc, "division by constant zero");
	if ((c == (BPF_ALU | BPF_LSH | BPF_K) || c == (BPF_ALU | BPF_RSH | BPF_K)) && f->k >= 32)
		return bad(err, pc, "shift by 32 or more");
	if ((c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM) || c == BPF_ST || c == BPF_STX) &&
	    f->k >= SCRATCH_SLOTS)
		return bad(err, pc, "scratch memory slot out of range");
	if (c == (BPF_JMP | BPF_JA) && f->k >= len - pc - 1)
		return bad(err, pc, "jump out of range");
	if (is_cond_jump(c) && (pc + 1 + f->jt >= len || pc + 1 + f->jf >= len))
		return bad(err, pc, "jump out of range");
	return 0;
}

/* check_load_and_stores(): a scratch slot must be written on every path
 * before it is read. Jumps only go forward, so one pass in order suffices. */
static int check_scratch(const secprof_insn *f, size_t len, secprof_error *err)
{
	static const uint16_t unset = 0xffff;
	uint16_t masks[MAX_INSNS];
	uint16_t known = 0;

	for (size_t i = 0; i < len; i++)
		masks[i] = unset;
	for (size_t pc = 0; pc < len; pc++) {
		uint16_t c = f[pc].code;
		if (masks[pc] != unset)
			known &= masks[pc];
		if (c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM)) {
			if (!(known & (1u << f[pc].k)))
				return bad(err, pc, "scratch memory read before it is written");
		} else if (c == BPF_ST || c == BPF_STX) {
			known |= (uint16_t)(1u << f[pc].k);
		} else if (c == (BPF_JMP | BPF_JA)) {
			masks[pc + 1 + f[pc].k] &= known;
			known = unset;
		} else if (is_cond_jump(c)) {
			masks[pc + 1 + f[pc].jt] &= known;
			masks[pc + 1 + f[pc].jf] &= known;
			known = unset;
		} else if (BPF_CLASS(c) == BPF_RET) {
			known = unset;
		}
	}
	return 0;
}

int sp_bpf_check(const secprof_insn *insns, size_t len, secprof_error *err)
{
	int rc;

	if (len == 0 || len > MAX_INSNS)
		return sp_err(err, SECPROF_E_PROFILE, NULL, NULL, NULL,
			      "a filter has 1 to %u instructions, this one has %zu", MAX_INSNS,
			      len);
	for (size_t pc = 0; pc < len; pc++)
		if ((rc = check_insn(&insns[pc], pc, len, err)))
			return rc;
	if (BPF_CLASS(insns[len - 1].code) != BPF_RET)
		return bad(err, len - 1, "the last instruction is not a return");
	return check_scratch(insns, len, err);
}

/* ---- interpreter -------------------------------------------------------- */

struct vm {
	uint32_t a, x;
	uint32_t mem[SCRATCH_SLOTS];
	const secprof_data *data;
};

static uint32_t load_word(const struct vm *m, uint32_t k)
{
	/* as the kernel of data->arch stores it (core/arch.h sp_data_word) */
	return sp_data_word(m->data, k);
}

/* Returns false when the program ends with A or X == 0 as divisor: the
 * kernel's converted program returns 0 then (bpf_convert_filter). */
static bool alu(struct vm *m, uint16_t code, uint32_t k)
{
	uint32_t v = BPF_SRC(code) == BPF_X ? m->x : k;

	switch (BPF_OP(code)) {
	case BPF_ADD: m->a += v; break;
	case BPF_SUB: m->a -= v; break;
	case BPF_MUL: m->a *= v; break;
	case BPF_DIV:
		if (!v)
			return false;
		m->a /= v;
		break;
	case BPF_MOD:
		if (!v)
			return false;
		m->a %= v;
		break;
	case BPF_AND: m->a &= v; break;
	case BPF_OR: m->a |= v; break;
	case BPF_XOR: m->a ^= v; break;
	/* x86's shift instructions use the low 5 bits of a register count */
	case BPF_LSH: m->a <<= (v & 31); break;
	case BPF_RSH: m->a >>= (v & 31); break;
	case BPF_NEG: m->a = -m->a; break;
	default: break;
	}
	return true;
}

static bool jump_taken(const struct vm *m, uint16_t code, uint32_t k)
{
	uint32_t v = BPF_SRC(code) == BPF_X ? m->x : k;

	switch (BPF_OP(code)) {
	case BPF_JEQ: return m->a == v;
	case BPF_JGT: return m->a > v;
	case BPF_JGE: return m->a >= v;
	case BPF_JSET: return (m->a & v) != 0;
	default: return false;
	}
}

/* Executes one non-jump, non-return instruction. */
static bool step(struct vm *m, const secprof_insn *f)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS: m->a = load_word(m, f->k); break;
	case BPF_LD | BPF_W | BPF_LEN: m->a = SECCOMP_DATA_SIZE; break;
	case BPF_LDX | BPF_W | BPF_LEN: m->x = SECCOMP_DATA_SIZE; break;
	case BPF_LD | BPF_IMM: m->a = f->k; break;
	case BPF_LDX | BPF_IMM: m->x = f->k; break;
	case BPF_LD | BPF_MEM: m->a = m->mem[f->k]; break;
	case BPF_LDX | BPF_MEM: m->x = m->mem[f->k]; break;
	case BPF_ST: m->mem[f->k] = m->a; break;
	case BPF_STX: m->mem[f->k] = m->x; break;
	case BPF_MISC | BPF_TAX: m->x = m->a; break;
	case BPF_MISC | BPF_TXA: m->a = m->x; break;
	default: return alu(m, f->code, f->k);
	}
	return true;
}

uint32_t secprof_emulate(const secprof_insn *insns, size_t len, const secprof_data *in,
			 unsigned *steps)
{
	if (steps)
		*steps = 0;
	if (!insns || !in || sp_bpf_check(insns, len, NULL) < 0)
		return 0;
	return sp_emulate_checked(insns, in, steps);
}

uint32_t sp_emulate_checked(const secprof_insn *insns, const secprof_data *in, unsigned *steps)
{
	struct vm m = { .data = in };
	unsigned n = 0;
	size_t pc = 0;

	if (steps)
		*steps = 0;
	/* the check guarantees every path ends at a RET within the program */
	for (;;) {
		const secprof_insn *f = &insns[pc];
		n++;
		if (BPF_CLASS(f->code) == BPF_RET) {
			if (steps)
				*steps = n;
			return BPF_RVAL(f->code) == BPF_A ? m.a : f->k;
		}
		if (f->code == (BPF_JMP | BPF_JA)) {
			pc += 1 + f->k;
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			pc += 1 + (jump_taken(&m, f->code, f->k) ? f->jt : f->jf);
		} else if (!step(&m, f)) {
			if (steps)
				*steps = n;
			return 0;
		} else {
			pc++;
		}
	}
}
