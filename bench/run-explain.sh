#!/usr/bin/env bash
# run-explain.sh [BUILD] - what `secprof run --explain` costs (tests/helpers/
# denials.c times its own loops, so process start-up is left out):
#  - allowed calls: getppid in a loop under `run` and under `run --explain`
#    with the built-in profile, in the looping thread's CPU time (the wall
#    clock of a shared machine measures its other load). The helper times
#    its loop in 16 chunks and prints the fastest chunk's ns/call and the
#    whole loop's: on a shared core a chunk is slowed by whatever else runs
#    there, while a cost of the filter would be in every chunk, the fastest
#    too. The two sides run as ROUNDS interleaved pairs (ABAB..., each
#    pair's order alternating, AB then BA, so that neither side always
#    runs first), and the figure is the median of the per-pair ratios
#    explain/plain: a pair's two runs are a second apart, so a change of
#    the machine's load moves both, and the median drops the pairs one
#    burst of load hit. The quartiles of the ratios show the spread; the
#    same median over the whole-loop times is printed as well.
#    Target <= 1.02: the twin filter is the real program with only its
#    ERRNO returns made USER_NOTIF (src/sandbox/live.c, sp_live_twin):
#    the same length and the same instructions on every allowed path (9
#    for getppid under the built-in profile, `secprof explain` of a `dump`
#    of each), so an argument-free allowed call is equally cacheable by
#    the kernel in both.
#  - denied calls: acct in a loop (ERRNO by the default action) under both,
#    DROUNDS pairs; the difference of the medians is what each reported
#    denial costs (a round trip to the supervisor, which runs the real
#    program and answers).
set -eu
build=${1:-${BUILD:-build}}
secprof=$build/secprof
helper=$build/tests/denials
n=${N:-1000000}
nd=${ND:-20000}
rounds=${ROUNDS:-31}
drounds=${DROUNDS:-7}
[[ -x $secprof && -x $helper ]] || { echo "run-explain: $secprof or $helper not built" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "run-explain: needs root (secprof run sets capabilities)"; exit 0; }
[[ $(cat /proc/sys/kernel/seccomp/actions_avail) == *user_notif* ]] ||
	{ echo "run-explain: no SECCOMP_RET_USER_NOTIF on this kernel"; exit 0; }

# q FRACTION: that quantile of the numbers on stdin (nearest rank)
q() { sort -g | awk -v f="$1" '{a[NR]=$1} END {i=int(f*(NR-1)+0.5)+1; print a[i]}'; }
plain() { "$secprof" run -- "$helper" "$@"; }
explain() { "$secprof" run --explain=/dev/null -- "$helper" "$@"; }

ratios=() wratios=() ps=() es=()
for ((i = 0; i < rounds; i++)); do
	if ((i % 2)); then
		e=$(explain loop "$n") p=$(plain loop "$n")
	else
		p=$(plain loop "$n") e=$(explain loop "$n")
	fi
	ps+=("${p% *}") es+=("${e% *}")
	ratios+=("$(awk -v p="${p% *}" -v e="${e% *}" 'BEGIN {printf "%.4f", e / p}')")
	wratios+=("$(awk -v p="${p#* }" -v e="${e#* }" 'BEGIN {printf "%.4f", e / p}')")
done
dps=() des=()
for ((i = 0; i < drounds; i++)); do
	if ((i % 2)); then
		de=$(explain denied-loop "$nd") dp=$(plain denied-loop "$nd")
	else
		dp=$(plain denied-loop "$nd") de=$(explain denied-loop "$nd")
	fi
	dps+=("$dp") des+=("$de")
done
r=$(printf '%s\n' "${ratios[@]}" | q 0.5)
r1=$(printf '%s\n' "${ratios[@]}" | q 0.25)
r3=$(printf '%s\n' "${ratios[@]}" | q 0.75)
w=$(printf '%s\n' "${wratios[@]}" | q 0.5)
w1=$(printf '%s\n' "${wratios[@]}" | q 0.25)
w3=$(printf '%s\n' "${wratios[@]}" | q 0.75)
p=$(printf '%s\n' "${ps[@]}" | q 0.5)
e=$(printf '%s\n' "${es[@]}" | q 0.5)
dp=$(printf '%s\n' "${dps[@]}" | q 0.5)
de=$(printf '%s\n' "${des[@]}" | q 0.5)
printf 'allowed getppid: run %.1f ns/call, run --explain %.1f ns/call (medians of the fastest chunks, thread CPU time); ratio %.3f (target <= 1.02), quartiles %.3f..%.3f; whole loops: ratio %.3f, quartiles %.3f..%.3f\n' \
	"$p" "$e" "$r" "$r1" "$r3" "$w" "$w1" "$w3"
printf '  protocol: %d interleaved pairs (AB, BA, ...) of %d calls each, timed in 16 chunks; the ratio is the median of the per-pair ratios explain/plain\n' \
	"$rounds" "$n"
awk -v p="$dp" -v e="$de" -v n="$nd" -v r="$drounds" 'BEGIN {
	printf "denied acct: run %.1f ns/call, run --explain %.1f ns/call: %.1f us per reported denial (medians of %d interleaved pairs of %d calls, wall clock)\n", p, e, (e - p) / 1000, r, n }'
