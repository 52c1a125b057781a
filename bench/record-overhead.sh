#!/usr/bin/env bash
# record-overhead.sh [BUILD] - what `secprof record` costs a syscall-heavy
# program (issue targets: eBPF <= 1.5x the unrecorded loop, both backends
# far below strace). Loops of bench/syscall-loop.c, timed inside the
# program: `getppid` (the cheapest real call: the worst ratio a recorder
# can have) and `mix` (ten calls a file-serving program makes: openat,
# fstat, read, pread64, lseek, close, write, getppid, futex, getrandom).
# `getppid-2t` is the getppid loop in two threads at once (on a machine
# with two CPUs or more): the same call counted on two CPUs. Each runs
# unrecorded under `secprof run --security-opt seccomp=unconfined`
# (plain), recorded with the eBPF backend, recorded with the notify
# backend, and under `strace -f -c`.
#
# Protocol: ROUNDS rounds (default 7), each running every (loop, way) once
# in the same order, so a slow spell of the shared machine hits every way
# alike; the median of the rounds per cell; ratios against plain of the
# same loop. Two figures per call: the loop thread's CPU time (user +
# system: all of the eBPF program's cost, which runs in the calling
# thread, and less of the other load on the machine) and the wall time
# (what the program waits, including a tracer's work in another process:
# the figure for notify and strace).
set -eu
build=${1:-${BUILD:-build}}
secprof=$build/secprof loop=$build/bench/syscall-loop
rounds=${ROUNDS:-7} n=${N:-2000000} n_slow=${N_SLOW:-100000}
[[ $(id -u) == 0 ]] || { echo "record-overhead: needs root (eBPF backend)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ways=(plain ebpf notify)
command -v strace >/dev/null && ways+=(strace)
loops=(getppid mix)
(($(nproc) >= 2)) && loops+=(getppid-2t)
# run WAY LOOP: one run, prints "cpu wall" ns per call (the loop's last line)
run() {
	local l=${2%-2t} t=1
	[[ $2 == *-2t ]] && t=2
	case $1 in
	plain) "$secprof" run --security-opt seccomp=unconfined -- "$loop" "$l" "$n" "$t" ;;
	ebpf) "$secprof" record -q --backend ebpf -o /dev/null -- "$loop" "$l" "$n" "$t" ;;
	notify) "$secprof" record -q --backend notify -o /dev/null -- "$loop" "$l" "$n_slow" "$t" ;;
	strace) strace -f -c -o /dev/null "$loop" "$l" "$n_slow" "$t" ;;
	esac 2>/dev/null | tail -n 1
}
for _ in $(seq "$rounds"); do
	for l in "${loops[@]}"; do
		for w in "${ways[@]}"; do
			run "$w" "$l" >>"$tmp/$l-$w"
		done
	done
done
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "record-overhead: median of $rounds interleaved rounds; ns per call timed inside bench/syscall-loop.c"
echo "($n calls plain and eBPF, $n_slow notify and strace); ratio against plain of the same loop"
printf '%-10s %-7s %9s %7s %10s %7s\n' loop way "cpu ns" ratio "wall ns" ratio
for l in "${loops[@]}"; do
	cpu0=$(cut -d' ' -f1 "$tmp/$l-plain" | median) wall0=$(cut -d' ' -f2 "$tmp/$l-plain" | median)
	for w in "${ways[@]}"; do
		cpu=$(cut -d' ' -f1 "$tmp/$l-$w" | median) wall=$(cut -d' ' -f2 "$tmp/$l-$w" | median)
		awk -v l="$l" -v w="$w" -v c="$cpu" -v c0="$cpu0" -v t="$wall" -v t0="$wall0" \
			'BEGIN {printf "%-10s %-7s %9.1f %6.2fx %10.1f %6.2fx\n", l, w, c, c / c0, t, t / t0}'
	done
done
