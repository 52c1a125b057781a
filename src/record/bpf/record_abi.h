/* record_abi.h - what the eBPF program (record.bpf.c) and its loader
 * (ebpf.c) share: map keys, ABI codes and sizes. Fixed-width types only,
 * since both the BPF target and the host compile it. */
#ifndef SP_RECORD_ABI_H
#define SP_RECORD_ABI_H

enum { SPREC_ABI_X86_64 = 0, SPREC_ABI_I386 = 1, SPREC_ABI_X32 = 2, SPREC_NABI = 3 };

#define SPREC_DIRECT_NR 1024u
/* The counting slots: one per (ABI, number below SPREC_DIRECT_NR). */
#define SPREC_NSLOT (SPREC_NABI * SPREC_DIRECT_NR)
#define SPREC_MAX_TASKS 65536
#define SPREC_MAX_OTHER 4096
#define SPREC_MAX_ARGS 4096
/* TS_COMPAT (arch/x86/include/asm/thread_info.h) and __X32_SYSCALL_BIT
 * (arch/x86/include/uapi/asm/unistd.h). */
#define SPREC_TS_COMPAT 0x0002u
#define SPREC_X32_BIT 0x40000000u

enum { SPREC_LOST_TASKS, SPREC_LOST_OTHER, SPREC_LOST_ARGS, SPREC_NLOST };

/* argsel's value for clone3: the argument recorded is not a register but
 * what clone(2) would be given for the same call, flags | exit_signal,
 * read from its struct clone_args (include/uapi/linux/sched.h: flags at
 * offset 0, exit_signal at 32). 1..6 name a register (index + 1). */
#define SPREC_ARG_CLONE3 7u
#define SPREC_CLONE_ARGS_WORDS 5u

struct sprec_key {
	__u32 abi;
	__u32 nr;
};

struct sprec_argkey {
	__u32 abi;
	__u32 nr;
	__u32 idx;
	__u32 pad;
	__u64 val;
};

#endif
