#!/usr/bin/env bash
# record-overhead.sh [BUILD] - what `secprof record` costs a syscall-heavy
# program: ns per getppid(2) call (bench/syscall-loop.c, timed inside the
# program) run unrecorded under `secprof run`, recorded with the eBPF
# backend, recorded with the notify backend, and under `strace -f -c`.
# Median of ROUNDS runs each; ratios against the unrecorded loop
# (targets: eBPF <= 1.5x, both far below strace).
set -eu
build=${1:-${BUILD:-build}}
secprof=$build/secprof loop=$build/bench/syscall-loop
rounds=${ROUNDS:-5} n=${N:-2000000} n_slow=${N_SLOW:-200000}
[[ $(id -u) == 0 ]] || { echo "record-overhead: needs root (eBPF backend)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
measure() { # label, command... (the loop's output is its last line)
	local label=$1; shift
	for _ in $(seq "$rounds"); do "$@" 2>/dev/null | tail -n 1; done | median >"$tmp/$label"
}
measure plain "$secprof" run --security-opt seccomp=unconfined -- "$loop" "$n"
measure ebpf "$secprof" record -q --backend ebpf -o /dev/null -- "$loop" "$n"
measure notify "$secprof" record -q --backend notify -o /dev/null -- "$loop" "$n_slow"
if command -v strace >/dev/null; then
	measure strace strace -f -c -o /dev/null "$loop" "$n_slow"
fi
base=$(<"$tmp/plain")
printf '%-26s %10s %8s\n' "getppid loop" "ns/call" "ratio"
for l in plain ebpf notify strace; do
	[[ -s $tmp/$l ]] || continue
	v=$(<"$tmp/$l")
	printf '%-26s %10.1f %7.2fx\n' "$l" "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN {print a / b}')"
done
