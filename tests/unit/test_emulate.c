/* test_emulate.c - the classic BPF interpreter and the program checker.
 * Programs are written by hand here, so each test pins one instruction's
 * meaning or one reason the kernel refuses a program. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "bpf/bpf.h"
#include "tap.h"

#define I(c, t, f, k) ((secprof_insn){ (uint16_t)(c), (t), (f), (k) })
#define LEN(p) (sizeof(p) / sizeof((p)[0]))

static uint32_t run(const secprof_insn *p, size_t n, const secprof_data *d, unsigned *steps)
{
	return secprof_emulate(p, n, d, steps);
}

/* A op K (or X), result returned with RET A. */
static uint32_t alu(uint16_t op, uint32_t a, uint32_t k, bool use_x)
{
	secprof_insn p[] = {
		I(BPF_LD | BPF_IMM, 0, 0, a),
		I(BPF_LDX | BPF_IMM, 0, 0, k),
		I(BPF_ALU | op | (use_x ? BPF_X : BPF_K), 0, 0, k),
		I(BPF_RET | BPF_A, 0, 0, 0),
	};
	secprof_data d = { 0 };
	return run(p, LEN(p), &d, NULL);
}

static void test_alu(void)
{
	TAP_EQ_INT(alu(BPF_ADD, 7, 5, false), 12, "add k");
	TAP_EQ_INT(alu(BPF_ADD, 0xffffffff, 2, true), 1, "add x wraps at 32 bits");
	TAP_EQ_INT(alu(BPF_SUB, 3, 5, false), 0xfffffffe, "sub k wraps");
	TAP_EQ_INT(alu(BPF_MUL, 0x10000, 0x10001, true), 0x10000, "mul x keeps the low 32 bits");
	TAP_EQ_INT(alu(BPF_DIV, 100, 7, false), 14, "div k");
	TAP_EQ_INT(alu(BPF_MOD, 100, 7, true), 2, "mod x");
	TAP_EQ_INT(alu(BPF_AND, 0xf0f0, 0xff00, false), 0xf000, "and k");
	TAP_EQ_INT(alu(BPF_OR, 0xf0f0, 0x0f00, true), 0xfff0, "or x");
	TAP_EQ_INT(alu(BPF_XOR, 0xff, 0x0f, false), 0xf0, "xor k");
	TAP_EQ_INT(alu(BPF_LSH, 1, 31, false), 0x80000000, "lsh k");
	TAP_EQ_INT(alu(BPF_RSH, 0x80000000, 31, true), 1, "rsh x");
	TAP_EQ_INT(alu(BPF_LSH, 1, 33, true), 2, "lsh x by 33 uses the low 5 bits");
	TAP_EQ_INT(alu(BPF_NEG, 1, 0, false), 0xffffffff, "neg");

	/* divide by X == 0: the kernel's converted program returns 0 */
	secprof_insn p[] = {
		I(BPF_LD | BPF_IMM, 0, 0, 9),
		I(BPF_LDX | BPF_IMM, 0, 0, 0),
		I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
		I(BPF_RET | BPF_K, 0, 0, SP_RET_ALLOW),
	};
	secprof_data d = { 0 };
	unsigned steps;
	TAP_EQ_INT(run(p, LEN(p), &d, &steps), 0, "div by X == 0 returns 0 (kill)");
	TAP_EQ_INT(steps, 3, "... after 3 steps");
}

static void test_loads(void)
{
	secprof_data d = { .nr = 59,
			   .arch = 0xc000003e,
			   .instruction_pointer = 0x1122334455667788ull,
			   .args = { 0x0000000a0000000bull, 0, 0, 0, 0, 0xdeadbeefcafef00dull } };
	secprof_insn p[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0) };
	unsigned steps;

	TAP_EQ_INT(run(p, LEN(p), &d, &steps), 59, "ld [0] is nr");
	TAP_EQ_INT(steps, 2, "two steps");
	p[0].k = 4;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xc000003e, "ld [4] is arch");
	p[0].k = 8;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0x55667788,
		   "ld [8] is the low word of ip (little endian)");
	p[0].k = 16;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xb, "ld [16] is the low word of args[0]");
	p[0].k = 20;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xa, "ld [20] is the high word of args[0]");
	p[0].k = 60;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xdeadbeef, "ld [60] is the high word of args[5]");
	p[0] = I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 64, "ld #len is sizeof(struct seccomp_data)");

	/* the kernel of a big-endian arch stores the u64s big-endian
	 * (populate_seccomp_data), whatever machine emulates it */
	d.arch = 0x80000016; /* AUDIT_ARCH_S390X */
	p[0] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 16);
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xa, "s390x: ld [16] is the high word of args[0]");
	p[0].k = 20;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xb, "s390x: ld [20] is the low word of args[0]");
	p[0].k = 8;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0x11223344, "s390x: ld [8] is the high word of ip");
	p[0].k = 4;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0x80000016, "s390x: ld [4] is arch");
	d.arch = 0x00000008; /* AUDIT_ARCH_MIPS: o32, big-endian */
	p[0].k = 60;
	TAP_EQ_INT(run(p, LEN(p), &d, NULL), 0xcafef00d,
		   "mips: ld [60] is the low word of args[5]");
	d.arch = 0xc000003e;

	secprof_insn q[] = {
		I(BPF_LD | BPF_IMM, 0, 0, 5),   I(BPF_ST, 0, 0, 3),
		I(BPF_LDX | BPF_MEM, 0, 0, 3),  I(BPF_LD | BPF_IMM, 0, 0, 1),
		I(BPF_MISC | BPF_TXA, 0, 0, 0), I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1),
		I(BPF_MISC | BPF_TAX, 0, 0, 0), I(BPF_STX, 0, 0, 15),
		I(BPF_LD | BPF_MEM, 0, 0, 15),  I(BPF_RET | BPF_A, 0, 0, 0),
	};
	TAP_EQ_INT(run(q, LEN(q), &d, &steps), 6, "st/ldx/txa/tax/stx/ld mem move values");
	TAP_EQ_INT(steps, 10, "ten steps");
}

static void test_jumps(void)
{
	secprof_data d = { .nr = 10 };
	/* jeq/jgt/jge/jset against K and X choose jt or jf */
	static const struct {
		uint16_t op;
		uint32_t k;
		bool taken;
	} cases[] = {
		{ BPF_JEQ, 10, true },  { BPF_JEQ, 11, false }, { BPF_JGT, 9, true },
		{ BPF_JGT, 10, false }, { BPF_JGE, 10, true },  { BPF_JGE, 11, false },
		{ BPF_JSET, 2, true },  { BPF_JSET, 5, false },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		for (int x = 0; x < 2; x++) {
			secprof_insn p[] = {
				I(BPF_LDX | BPF_IMM, 0, 0, cases[i].k),
				I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
				I(BPF_JMP | cases[i].op | (x ? BPF_X : BPF_K), 1, 0, cases[i].k),
				I(BPF_RET | BPF_K, 0, 0, 111),
				I(BPF_RET | BPF_K, 0, 0, 222),
			};
			TAP_EQ_INT(run(p, LEN(p), &d, NULL), cases[i].taken ? 222 : 111,
				   "conditional jump picks its branch");
		}
	}
	secprof_insn ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 1),
			      I(BPF_RET | BPF_K, 0, 0, 2) };
	unsigned steps;
	TAP_EQ_INT(run(ja, LEN(ja), &d, &steps), 2, "ja skips k instructions");
	TAP_EQ_INT(steps, 2, "ja counts as a step");
}

/* What the kernel says when a forked child loads the program: 0 if it
 * was attached, else the errno of seccomp(2). */
static int kernel_load(const secprof_insn *p, size_t n)
{
	struct sock_fprog fp = { (unsigned short)n, (struct sock_filter *)(uintptr_t)p };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(100);
		_exit(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Programs the kernel refuses: emulate returns 0 with 0 steps, the checker
 * says why, with the instruction, and the kernel refuses it too. */
static void refused(const secprof_insn *p, size_t n, const char *want, const char *name)
{
	secprof_data d = { 0 };
	secprof_error err = { 0 };
	unsigned steps = 99;
	char msg[1400];

	TAP_EQ_INT(run(p, n, &d, &steps), 0, name);
	TAP_EQ_INT(steps, 0, "... no step runs");
	TAP_EQ_INT(sp_bpf_check(p, n, &err), -SECPROF_E_PROFILE, "... the checker refuses it");
	TAP_EQ_STR(secprof_error_format(&err, msg, sizeof(msg)), want, "... with this message");
	if (n <= 0xffff) /* sock_fprog.len is 16 bits */
		TAP_EQ_INT(kernel_load(p, n), EINVAL, "... and the kernel says EINVAL");
}

/* Programs the checker accepts load in the kernel. */
static void test_kernel_accepts(void)
{
	/* every path must end in ALLOW: the child still has to exit */
	secprof_insn ok1[] = {
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 60),
		I(BPF_ST, 0, 0, 15),
		I(BPF_LDX | BPF_IMM, 0, 0, 3),
		I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
		I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 31),
		I(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0),
		I(BPF_LDX | BPF_MEM, 0, 0, 15),
		I(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0),
		I(BPF_ALU | BPF_OR | BPF_K, 0, 0, SP_RET_ALLOW),
		I(BPF_RET | BPF_A, 0, 0, 0),
	};
	secprof_data d = { .args = { [5] = 0x1234567800000000ull } };
	TAP_EQ_INT(run(ok1, LEN(ok1), &d, NULL), SP_RET_ALLOW, "it returns ALLOW from A");
	secprof_insn ok2[] = { I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_MISC | BPF_TAX, 0, 0, 0),
			       I(BPF_JMP | BPF_JA, 0, 0, 0),
			       I(BPF_RET | BPF_K, 0, 0, SP_RET_ALLOW) };
	TAP_EQ_INT(sp_bpf_check(ok1, LEN(ok1), NULL), 0,
		   "scratch, ALU and X jumps pass the checker");
	TAP_EQ_INT(kernel_load(ok1, LEN(ok1)), 0, "... and load in the kernel");
	TAP_EQ_INT(sp_bpf_check(ok2, LEN(ok2), NULL), 0, "len, tax and ja 0 pass the checker");
	TAP_EQ_INT(kernel_load(ok2, LEN(ok2)), 0, "... and load in the kernel");
}

static void test_refusals(void)
{
	secprof_insn misaligned[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2),
				      I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn outside[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64),
				   I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn byte_load[] = { I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0),
				     I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn far[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
	secprof_insn far_ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 0xffffffff),
				  I(BPF_RET | BPF_K, 0, 0, 0) };
	secprof_insn no_ret[] = { I(BPF_LD | BPF_IMM, 0, 0, 1) };
	secprof_insn unset_mem[] = { I(BPF_LD | BPF_MEM, 0, 0, 1), I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn half_set[] = {
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		I(BPF_ST, 0, 0, 2),
		I(BPF_LD | BPF_MEM, 0, 0, 2),
		I(BPF_RET | BPF_A, 0, 0, 0),
	};
	secprof_insn slot[] = { I(BPF_ST, 0, 0, 16), I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn lsh32[] = { I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32),
				 I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn div0[] = { I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0),
				I(BPF_RET | BPF_A, 0, 0, 0) };
	secprof_insn ret_x[] = { I(BPF_RET | BPF_X, 0, 0, 0) };

	refused(misaligned, LEN(misaligned),
		"insn[0]: load outside struct seccomp_data or not 4-byte aligned",
		"misaligned load");
	refused(outside, LEN(outside),
		"insn[0]: load outside struct seccomp_data or not 4-byte aligned",
		"load past the end");
	refused(byte_load, LEN(byte_load), "insn[0]: opcode not allowed in a seccomp filter",
		"byte loads are not seccomp's");
	refused(far, LEN(far), "insn[0]: jump out of range", "jt past the end");
	refused(far_ja, LEN(far_ja), "insn[0]: jump out of range", "ja past the end");
	refused(no_ret, LEN(no_ret), "insn[0]: the last instruction is not a return", "no return");
	refused(unset_mem, LEN(unset_mem), "insn[0]: scratch memory read before it is written",
		"reading M[1] before a store");
	refused(half_set, LEN(half_set), "insn[2]: scratch memory read before it is written",
		"a store on one path only");
	refused(slot, LEN(slot), "insn[0]: scratch memory slot out of range", "M[16]");
	refused(div0, LEN(div0), "insn[0]: division by constant zero", "div #0");
	refused(lsh32, LEN(lsh32), "insn[0]: shift by 32 or more", "lsh #32");
	refused(ret_x, LEN(ret_x), "insn[0]: opcode not allowed in a seccomp filter", "ret x");
	refused(ret_x, 0, "a filter has 1 to 4096 instructions, this one has 0", "empty program");

	secprof_insn *big = calloc(4097, sizeof(*big));
	for (size_t i = 0; big && i < 4097; i++)
		big[i] = I(BPF_RET | BPF_K, 0, 0, SP_RET_ALLOW);
	if (big) {
		secprof_data d = { 0 };
		TAP_EQ_INT(run(big, 4096, &d, NULL), SP_RET_ALLOW, "4096 instructions run");
		refused(big, 4097, "a filter has 1 to 4096 instructions, this one has 4097",
			"4097 instructions");
	}
	free(big);
	TAP_EQ_INT(secprof_emulate(NULL, 3, NULL, NULL), 0, "NULL program is refused");
}

static void test_ret_names(void)
{
	char b[48];
	TAP_EQ_STR(sp_ret_str(0x7fff0000, b, sizeof(b)), "ALLOW", "ALLOW");
	TAP_EQ_STR(sp_ret_str(0x00050001, b, sizeof(b)), "ERRNO(1)", "ERRNO(1)");
	TAP_EQ_STR(sp_ret_str(0x00000000, b, sizeof(b)), "KILL_THREAD", "KILL_THREAD");
	TAP_EQ_STR(sp_ret_str(0x80000000, b, sizeof(b)), "KILL_PROCESS", "KILL_PROCESS");
	TAP_EQ_STR(sp_ret_str(0x00030000, b, sizeof(b)), "TRAP", "TRAP");
	TAP_EQ_STR(sp_ret_str(0x7ff00007, b, sizeof(b)), "TRACE(7)", "TRACE(7)");
	TAP_EQ_STR(sp_ret_str(0x7ffc0000, b, sizeof(b)), "LOG", "LOG");
	TAP_EQ_STR(sp_ret_str(0x7fc00000, b, sizeof(b)), "NOTIFY", "NOTIFY");
	TAP_EQ_STR(sp_ret_str(0x12340000, b, sizeof(b)), "0x12340000", "unknown action in hex");
}

int main(void)
{
	test_alu();
	test_loads();
	test_jumps();
	test_refusals();
	test_kernel_accepts();
	test_ret_names();
	return tap_done();
}
