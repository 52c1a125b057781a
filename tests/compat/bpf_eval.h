/* bpf_eval.h - an independent classic-BPF evaluator for seccomp programs and a
 * checker that mimics the kernel's action-cache emulator. Header-only, for
 * tests and bench: a second opinion next to secprof_emulate, written from the
 * kernel's documented semantics (docs/KERNEL.md §2.1), not from src/.
 */
#ifndef SECPROF_COMPAT_BPF_EVAL_H
#define SECPROF_COMPAT_BPF_EVAL_H

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "secprof.h"

#define BE_DATA_SIZE 64u /* sizeof(struct seccomp_data) */
#define BE_RET_ALLOW 0x7fff0000u

/* Why an evaluation stopped without a RET: the kernel would have refused the
 * program at load time (seccomp_check_filter), so 0 (kill) is the answer. */
/* The kernel of a big-endian arch stores seccomp_data's u64s (args,
 * instruction_pointer) big-endian: "ld [16]" reads args[0]'s high half
 * there (kernel/seccomp.c populate_seccomp_data, seccomp_bpf_load). The
 * tokens are <linux/audit.h>'s; any other is laid out in this machine's
 * order. */
static inline bool be_big_endian_token(uint32_t arch)
{
	static const uint32_t be[] = { AUDIT_ARCH_S390,      AUDIT_ARCH_S390X,  AUDIT_ARCH_PPC,
				       AUDIT_ARCH_PPC64,     AUDIT_ARCH_MIPS,   AUDIT_ARCH_MIPS64,
				       AUDIT_ARCH_MIPS64N32, AUDIT_ARCH_PARISC, AUDIT_ARCH_PARISC64,
				       AUDIT_ARCH_M68K,      AUDIT_ARCH_SH };
	const uint16_t probe = 1;

	for (size_t i = 0; i < sizeof(be) / sizeof(be[0]); i++)
		if (be[i] == arch)
			return true;
	if (arch & __AUDIT_ARCH_LE)
		return false;
	/* unknown: this machine's order */
	return *(const uint8_t *)&probe == 0;
}

static inline bool be_load_word(const secprof_data *in, uint32_t k, uint32_t *out)
{
	uint64_t v;

	if (k >= BE_DATA_SIZE || (k & 3))
		return false;
	if (k < 8) {
		*out = k ? in->arch : (uint32_t)in->nr;
		return true;
	}
	v = k < 16 ? in->instruction_pointer : in->args[(k - 16) / 8];
	*out = ((k & 4) == 0) == be_big_endian_token(in->arch) ? (uint32_t)(v >> 32) : (uint32_t)v;
	return true;
}

static inline bool be_alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD: *a += v; return true;
	case BPF_SUB: *a -= v; return true;
	case BPF_MUL: *a *= v; return true;
	case BPF_DIV:
		if (!v)
			return false;
		*a /= v;
		return true;
	case BPF_MOD:
		if (!v)
			return false;
		*a %= v;
		return true;
	case BPF_OR: *a |= v; return true;
	case BPF_AND: *a &= v; return true;
	case BPF_XOR: *a ^= v; return true;
	case BPF_LSH: *a = v < 32 ? *a << v : 0; return true;
	case BPF_RSH: *a = v < 32 ? *a >> v : 0; return true;
	case BPF_NEG: *a = -*a; return true;
	default: return false;
	}
}

static inline bool be_cond(uint16_t op, uint32_t a, uint32_t v, bool *taken)
{
	switch (op) {
	case BPF_JEQ: *taken = a == v; return true;
	case BPF_JGT: *taken = a > v; return true;
	case BPF_JGE: *taken = a >= v; return true;
	case BPF_JSET: *taken = (a & v) != 0; return true;
	default: return false;
	}
}

/* Run a program as the kernel would. Returns the SECCOMP_RET_* value; 0 with
 * *steps = 0 when the program is malformed (what secprof_emulate promises). */
static inline uint32_t be_run(const secprof_insn *p, size_t len, const secprof_data *in,
			      unsigned *steps)
{
	uint32_t a = 0, x = 0, mem[16] = { 0 };
	size_t pc = 0;
	unsigned n = 0;

	while (pc < len) {
		const secprof_insn *i = &p[pc++];
		uint16_t cls = BPF_CLASS(i->code);
		uint32_t v;
		bool taken;

		n++;
		switch (cls) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t *dst = cls == BPF_LD ? &a : &x;
			switch (BPF_MODE(i->code)) {
			case BPF_ABS:
				if (cls != BPF_LD || BPF_SIZE(i->code) != BPF_W ||
				    !be_load_word(in, i->k, dst))
					goto bad;
				break;
			case BPF_IMM: *dst = i->k; break;
			case BPF_MEM:
				if (i->k >= 16)
					goto bad;
				*dst = mem[i->k];
				break;
			case BPF_LEN: *dst = BE_DATA_SIZE; break;
			default: goto bad;
			}
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (i->k >= 16)
				goto bad;
			mem[i->k] = cls == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			v = BPF_SRC(i->code) == BPF_X ? x : i->k;
			if (!be_alu(BPF_OP(i->code), &a, v))
				goto bad;
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA) {
				if (i->k >= len - pc)
					goto bad;
				pc += i->k;
				break;
			}
			v = BPF_SRC(i->code) == BPF_X ? x : i->k;
			if (!be_cond(BPF_OP(i->code), a, v, &taken))
				goto bad;
			pc += taken ? i->jt : i->jf;
			break;
		case BPF_RET:
			if (steps)
				*steps = n;
			return BPF_RVAL(i->code) == BPF_A ? a : i->k;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default: goto bad;
		}
	}
bad:
	if (steps)
		*steps = 0;
	return 0;
}

/* Kernel seccomp_is_const_allow (docs/KERNEL.md §2.1): would the action
 * cache mark (arch, nr) as always allowed? Only LD nr/arch, JA, JEQ/JGE/JGT/JSET
 * K, AND K and RET K are understood; anything else on the path means "run the
 * filter". */
static inline bool be_const_allow(const secprof_insn *p, size_t len, uint32_t arch, int32_t nr)
{
	uint32_t reg = 0;
	size_t pc = 0;

	while (pc < len) {
		const secprof_insn *i = &p[pc++];
		bool taken = false;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k == 0)
				reg = (uint32_t)nr;
			else if (i->k == 4)
				reg = arch;
			else
				return false;
			break;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			be_cond(BPF_OP(i->code), reg, i->k, &taken);
			pc += taken ? i->jt : i->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K: reg &= i->k; break;
		case BPF_RET | BPF_K: return i->k == BE_RET_ALLOW;
		default: return false;
		}
	}
	return false;
}

#endif
