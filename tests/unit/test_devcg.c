/* test_devcg.c - the cgroup2 device program (sp_devcg_program) decides as
 * Docker's device list says, for every access, type, major and minor of a
 * grid around the listed devices, run on a small interpreter of the eBPF
 * it uses; and the real kernel's verifier accepts it. The list is written
 * out here again as the rows moby and runc give (src/sandbox/devices.c
 * names its sources), so a change of the program or of the table that
 * lets one more device through fails here. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/run.h"
#include "tap.h"

/* char devices a container may open: c 136:* (pts) and these */
static const struct {
	uint32_t major, minor;
} docker_char[] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 },   { 1, 9 },
		    { 5, 0 }, { 5, 1 }, { 5, 2 }, { 10, 200 } };

static bool docker_allows(uint32_t access, uint32_t type, uint32_t major, uint32_t minor)
{
	/* c *:* m, b *:* m: the kernel runs the program for char and block
	 * nodes only (security/device_cgroup.c, devcgroup_inode_mknod and
	 * devcgroup_check_permission), so any type stands for those two */
	if (access == BPF_DEVCG_ACC_MKNOD)
		return true;
	if (type != BPF_DEVCG_DEV_CHAR)
		return false;
	if (major == 136)
		return true;
	for (size_t i = 0; i < sizeof(docker_char) / sizeof(docker_char[0]); i++)
		if (docker_char[i].major == major && docker_char[i].minor == minor)
			return true;
	return false;
}

/* The program on ctx (struct bpf_cgroup_dev_ctx): 0 or 1, or -1 for an
 * instruction this interpreter does not know (the test then fails). */
static int run(const struct bpf_insn *p, size_t n, const uint32_t ctx[3])
{
	uint64_t r[11] = { 0 };

	for (size_t pc = 0, steps = 0; pc < n && steps < 1000; pc++, steps++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t k = (uint64_t)(int64_t)i->imm;
		bool jump;
		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			if (i->src_reg != BPF_REG_1 || i->off < 0 || i->off > 8 || i->off % 4)
				return -1;
			r[i->dst_reg] = ctx[i->off / 4];
			continue;
		case BPF_ALU64 | BPF_MOV | BPF_X: r[i->dst_reg] = r[i->src_reg]; continue;
		case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = k; continue;
		case BPF_ALU64 | BPF_AND | BPF_K: r[i->dst_reg] &= k; continue;
		case BPF_ALU64 | BPF_RSH | BPF_K: r[i->dst_reg] >>= (k & 63); continue;
		case BPF_ALU64 | BPF_RSH | BPF_X: r[i->dst_reg] >>= (r[i->src_reg] & 63); continue;
		case BPF_JMP | BPF_JA: pc += (size_t)(int64_t)i->off; continue;
		case BPF_JMP | BPF_EXIT: return r[0] == 1 ? 1 : r[0] == 0 ? 0 : -1;
		case BPF_JMP | BPF_JEQ | BPF_K: jump = r[i->dst_reg] == k; break;
		case BPF_JMP | BPF_JNE | BPF_K: jump = r[i->dst_reg] != k; break;
		case BPF_JMP | BPF_JGT | BPF_K: jump = r[i->dst_reg] > k; break;
		default: return -1;
		}
		if (jump)
			pc += (size_t)(int64_t)i->off;
	}
	return -1;
}

static void test_decisions(const struct bpf_insn *p, size_t n)
{
	static const uint32_t accesses[] = { BPF_DEVCG_ACC_MKNOD,
					     BPF_DEVCG_ACC_READ,
					     BPF_DEVCG_ACC_WRITE,
					     BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE,
					     BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ,
					     0 };
	static const uint32_t types[] = { BPF_DEVCG_DEV_CHAR, BPF_DEVCG_DEV_BLOCK, 0, 3 };
	static const uint32_t far[] = { 31,       32,          33,          63,         64,   199,
					200,      201,         255,         256,        1000, 65535,
					1u << 20, 0x7fffffffu, 0x80000000u, 0xffffffffu };
	size_t cases = 0, wrong = 0;
	uint32_t vals[48];
	size_t nv = 0;

	for (uint32_t v = 0; v <= 12; v++)
		vals[nv++] = v;
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++)
		vals[nv++] = far[i];
	vals[nv++] = 136;
	vals[nv++] = 137;
	vals[nv++] = 135;
	for (size_t a = 0; a < sizeof(accesses) / sizeof(accesses[0]); a++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			for (size_t ma = 0; ma < nv; ma++)
				for (size_t mi = 0; mi < nv; mi++) {
					uint32_t ctx[3] = { accesses[a] << 16 | types[t], vals[ma],
							    vals[mi] };
					int got = run(p, n, ctx);
					bool want = docker_allows(accesses[a], types[t], vals[ma],
								  vals[mi]);
					cases++;
					if (got != (int)want && wrong++ < 5)
						tap_diag(
							"access %u type %u %u:%u: program %d, Docker %d",
							accesses[a], types[t], vals[ma], vals[mi],
							got, want);
				}
	tap_ok(!wrong, "the program decides as Docker's device list over %zu requests", cases);
}

static void test_kernel_accepts(const struct bpf_insn *p, size_t n)
{
	int fd = sp_devcg_load(p, n, NULL, 0);

	if (fd < 0 && (errno == EPERM || errno == ENOSYS)) {
		printf("ok %d - # SKIP the kernel's verifier: bpf(2) not allowed here\n", ++tap_n);
		return;
	}
	tap_ok(fd >= 0, "the kernel's verifier accepts the program (%zu instructions)", n);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	struct bpf_insn p[96];
	size_t n = sp_devcg_program(p, sizeof(p) / sizeof(p[0]));

	if (!tap_ok(n > 0, "the program fits in %zu instructions", sizeof(p) / sizeof(p[0])))
		return tap_done();
	test_decisions(p, n);
	test_kernel_accepts(p, n);
	TAP_EQ_INT(sp_devcg_program(p, 8), 0, "too little room: no program");
	return tap_done();
}
