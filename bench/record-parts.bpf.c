// SPDX-License-Identifier: GPL-2.0
/* record-parts.bpf.c - the parts of the eBPF recorder's per-call cost, one
 * sys_enter program each (bench/record-parts.c attaches them one at a
 * time; docs/KERNEL.md §7 has the figures). Each part is the real
 * program's step (src/record/bpf/record.bpf.c) or the one it replaced. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NSLOT 3072
#define TS_COMPAT 0x0002u

const volatile __u64 my_cgroup = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSLOT);
	__type(key, __u32);
	__type(value, __u64);
} shared SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSLOT);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

/* Nothing: the tracepoint, its slow path and the program call alone. */
SEC("tp_btf/sys_enter")
int BPF_PROG(empty_tp_btf, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int empty_raw_tp(void *ctx)
{
	return 0;
}

/* The syscall table's dispatcher (arch/x86/entry/syscall_64.c): every
 * x86_64 call in the table, through a BPF trampoline and not the
 * tracepoint's slow path. Loaded apart (record-parts.c): mainline builds
 * syscall_64.o without the ftrace hook (arch/x86/entry/Makefile,
 * CFLAGS_REMOVE_syscall_64.o), so the attach fails there, and some
 * kernels refuse every fentry program. */
SEC("fentry/x64_sys_call")
int BPF_PROG(empty_fentry, const struct pt_regs *regs, unsigned int nr)
{
	return 0;
}

/* The current task and its TS_COMPAT bit (the ABI). */
SEC("tp_btf/sys_enter")
int BPF_PROG(task_abi, struct pt_regs *regs, long id)
{
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
}

/* Is this task recorded: a hash keyed by tid (the replaced scope). */
SEC("tp_btf/sys_enter")
int BPF_PROG(scope_tid_hash, struct pt_regs *regs, long id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	return bpf_map_lookup_elem(&tids, &tid) != 0;
}

/* ... its cgroup v2 id (--cgroup's scope). */
SEC("tp_btf/sys_enter")
int BPF_PROG(scope_cgroup_id, struct pt_regs *regs, long id)
{
	return bpf_get_current_cgroup_id() == my_cgroup;
}

/* ... a mark in its task storage (the scope now). */
SEC("tp_btf/sys_enter")
int BPF_PROG(scope_task_storage, struct pt_regs *regs, long id)
{
	return bpf_task_storage_get(&marks, bpf_get_current_task_btf(), 0, 0) != 0;
}

static __always_inline __u32 slot_of(long id)
{
	return (__u32)id < 1024 ? (__u32)id : 1023;
}

/* Counting: an atomic add on one array shared by all CPUs (replaced)... */
SEC("tp_btf/sys_enter")
int BPF_PROG(count_shared, struct pt_regs *regs, long id)
{
	__u64 *v = bpf_map_lookup_elem(&shared, &(__u32){ slot_of(id) });

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

/* ... or on this CPU's own array (now). */
SEC("tp_btf/sys_enter")
int BPF_PROG(count_percpu, struct pt_regs *regs, long id)
{
	__u64 *v = bpf_map_lookup_elem(&percpu, &(__u32){ slot_of(id) });

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
