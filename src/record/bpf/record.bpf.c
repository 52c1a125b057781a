// SPDX-License-Identifier: GPL-2.0
/* record.bpf.c - the eBPF side of `secprof record` (src/record/ebpf.c loads it).
 *
 * One tp_btf program on the raw sys_enter tracepoint (no tracefs needed)
 * counts the system calls of the recorded tasks per (ABI, number) in maps
 * that user space reads once at the end: nothing is drained per event, so
 * nothing is lost. The recorded set of tasks starts with the task that
 * makes the marker call (an invalid syscall number with a per-session
 * cookie in its first two arguments) at the point where `secprof run`
 * would load the filter, and grows on sched_process_fork, which the kernel
 * fires in the parent before the child can run (kernel/fork.c
 * kernel_clone: trace_sched_process_fork before wake_up_new_task), so no
 * child or thread escapes. Built with clang -target bpf against a
 * vmlinux.h made from the running kernel's BTF (CO-RE). */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "record_abi.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before the program is loaded. */
const volatile __u64 cookie_lo = 0;
const volatile __u64 cookie_hi = 0;
const volatile __s64 marker_nr = 0;
/* --cgroup: record every task of this cgroup v2 (0: the marker's tree). */
const volatile __u64 target_cgroup = 0;
/* Which argument of which (ABI, number) to capture: index + 1, 0: none.
 * Read-only data, so the program reads it with a plain load. */
const volatile __u8 argsel[SPREC_NSLOT] = {};

/* The recorded tasks: a mark in each one's BPF task storage
 * (kernel/bpf/bpf_task_storage.c). Looking it up is a few loads from the
 * task (NULL at once for a task no BPF program stored anything on), where
 * a hash keyed by tid costs a hash computation on every call of every
 * task; it is freed with the task, so no exit hook is needed. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} rec SEC(".maps");

/* Tasks recorded by tid: --pid's tasks found in /proc when recording
 * starts, and any task whose mark could not be made (the kernel refuses
 * to create task storage while another task-storage operation on the
 * same CPU is under way: kernel/bpf/bpf_task_storage.c,
 * bpf_task_storage_trylock). A task found here is marked at its next call
 * or fork. Read only once something was put in it: use_seed is set by
 * user space for --pid, by mark() otherwise. */
__u32 use_seed = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SPREC_MAX_TASKS);
	__type(key, __u32); /* tid, as the kernel's task->pid */
	__type(value, __u8);
} seed SEC(".maps");

/* Numbers below SPREC_DIRECT_NR, per ABI: a direct slot, no hashing. One
 * counter per CPU: the increment stays in the CPU's own cache line, where
 * one shared counter would move between the CPUs of a multi-threaded
 * program on every call. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SPREC_NSLOT);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* Every other number (x32's own range, numbers no table knows) is kept. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SPREC_MAX_OTHER);
	__type(key, struct sprec_key);
	__type(value, __u64);
} other SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SPREC_MAX_ARGS);
	__type(key, struct sprec_argkey);
	__type(value, __u64);
} argvals SEC(".maps");

/* What did not fit: reported, never silently dropped. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SPREC_NLOST);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &what);
	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void add_hash(void *map, const void *key, __u32 lost_what)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, key);

	if (v) {
		__sync_fetch_and_add(v, 1);
		return;
	}
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST) == 0)
		return;
	v = bpf_map_lookup_elem(map, key); /* another CPU added it first */
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		count_lost(lost_what);
}

static __always_inline void mark(struct task_struct *task)
{
	__u32 tid = task->pid;
	__u8 on = 1;

	if (bpf_task_storage_get(&rec, task, &on, BPF_LOCAL_STORAGE_GET_F_CREATE))
		return;
	if (bpf_map_update_elem(&seed, &tid, &on, BPF_ANY) == 0)
		use_seed = 1;
	else
		count_lost(SPREC_LOST_TASKS);
}

static __always_inline bool is_seed(struct task_struct *task)
{
	__u32 tid = task->pid;

	return use_seed && bpf_map_lookup_elem(&seed, &tid);
}

/* The argument registers of each ABI (arch/x86/entry: do_syscall_64 and
 * do_int80_syscall_32 read these; x32 uses x86_64's). regs is a pointer
 * the verifier trusts (tp_btf), read with plain loads. */
static __always_inline __u64 arg_of(struct pt_regs *regs, __u32 abi, __u32 i)
{
	if (abi == SPREC_ABI_I386) {
		switch (i) {
		case 0: return (__u32)regs->bx;
		case 1: return (__u32)regs->cx;
		case 2: return (__u32)regs->dx;
		case 3: return (__u32)regs->si;
		case 4: return (__u32)regs->di;
		default: return (__u32)regs->bp;
		}
	}
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}

/* Runs on every system call of every task while recording, so it makes
 * two helper calls (the task, its storage) and no hash lookup on the
 * common path (docs/KERNEL.md §7: the costs measured part by part). */
SEC("tp_btf/sys_enter")
int BPF_PROG(sprec_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct sprec_key key;
	__u32 abi, slot, sel;
	__u64 *v;

	if (target_cgroup) {
		if (bpf_get_current_cgroup_id() != target_cgroup)
			return 0;
	} else if (!bpf_task_storage_get(&rec, task, 0, 0)) {
		if (id == marker_nr && regs->di == cookie_lo && regs->si == cookie_hi) {
			mark(task);
			return 0;
		}
		if (!is_seed(task))
			return 0;
		mark(task);
	}
	/* in_ia32_syscall(): TS_COMPAT in thread_info.status while an i386
	 * call (int 0x80, sysenter, or syscall from a compat task) runs
	 * (arch/x86/include/asm/thread_info.h, asm/compat.h). x32 calls carry
	 * __X32_SYSCALL_BIT in their number (asm/unistd.h). */
	if (task->thread_info.status & SPREC_TS_COMPAT)
		abi = SPREC_ABI_I386;
	else if (id & SPREC_X32_BIT)
		abi = SPREC_ABI_X32;
	else
		abi = SPREC_ABI_X86_64;
	key.abi = abi;
	key.nr = abi == SPREC_ABI_X32 ? (__u32)id & ~SPREC_X32_BIT : (__u32)id;
	if (id < 0 || key.nr >= SPREC_DIRECT_NR) {
		add_hash(&other, &key, SPREC_LOST_OTHER);
		return 0;
	}
	slot = abi * SPREC_DIRECT_NR + key.nr;
	v = bpf_map_lookup_elem(&counts, &(__u32){ slot });
	if (v)
		__sync_fetch_and_add(v, 1);
	/* Never true, but the verifier wants the bound of slot where it
	 * indexes argsel, and the compiler would drop the test it can prove. */
	barrier_var(slot);
	if (slot >= SPREC_NSLOT)
		return 0;
	sel = argsel[slot];
	if (sel >= 1 && sel <= 6) {
		struct sprec_argkey ak = { .abi = key.abi, .nr = key.nr, .idx = sel - 1 };
		ak.val = arg_of(regs, abi, ak.idx);
		add_hash(&argvals, &ak, SPREC_LOST_ARGS);
	} else if (sel == SPREC_ARG_CLONE3) {
		struct sprec_argkey ak = { .abi = key.abi, .nr = key.nr, .idx = 0 };
		__u64 ca[SPREC_CLONE_ARGS_WORDS] = {};

		/* Not faulted in (rarely: glibc wrote it just before): lost,
		 * and said so, rather than a guess. */
		if (bpf_probe_read_user(ca, sizeof(ca), (void *)arg_of(regs, abi, 0)) < 0) {
			count_lost(SPREC_LOST_ARGS);
			return 0;
		}
		ak.val = ca[0] | (ca[4] & 0xff);
		add_hash(&argvals, &ak, SPREC_LOST_ARGS);
	}
	return 0;
}

/* Fires in the parent before the child can run; current is the parent. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sprec_fork, struct task_struct *parent, struct task_struct *child)
{
	if (target_cgroup)
		return 0;
	if (!bpf_task_storage_get(&rec, parent, 0, 0) && !is_seed(parent))
		return 0;
	mark(child);
	return 0;
}

/* A tid in seed is forgotten when its task exits, before another task can
 * be given the number. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sprec_exit, struct task_struct *p)
{
	__u32 tid = p->pid;

	if (use_seed)
		bpf_map_delete_elem(&seed, &tid);
	return 0;
}
