#!/usr/bin/env bash
# run-explain.sh [BUILD] - what `secprof run --explain` costs (tests/helpers/
# denials.c times its own loops, so process start-up is left out):
#  - allowed calls: getppid in a loop under `run` and under `run --explain`
#    with the built-in profile, in the looping thread's CPU time (the wall
#    clock of a shared machine measures its other load); the ratio of the
#    medians (target <= 1.02: allowed calls take the same path through a
#    filter of the same shape);
#  - denied calls: acct in a loop (ERRNO by the default action) under both;
#    the difference is what each reported denial costs (a round trip to the
#    supervisor, which runs the real program and answers).
# Medians of REPS alternating runs of N calls each.
set -eu
build=${1:-${BUILD:-build}}
secprof=$build/secprof
helper=$build/tests/denials
n=${N:-2000000}
nd=${ND:-20000}
reps=${REPS:-7}
[[ -x $secprof && -x $helper ]] || { echo "run-explain: $secprof or $helper not built" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "run-explain: needs root (secprof run sets capabilities)"; exit 0; }
[[ $(cat /proc/sys/kernel/seccomp/actions_avail) == *user_notif* ]] ||
	{ echo "run-explain: no SECCOMP_RET_USER_NOTIF on this kernel"; exit 0; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
plain=() explain=() dplain=() dexplain=()
# ABBA order, so that neither side always runs first.
for ((i = 0; i < reps; i++)); do
	if ((i % 2)); then
		explain+=("$("$secprof" run --explain=/dev/null -- "$helper" loop "$n")")
		plain+=("$("$secprof" run -- "$helper" loop "$n")")
	else
		plain+=("$("$secprof" run -- "$helper" loop "$n")")
		explain+=("$("$secprof" run --explain=/dev/null -- "$helper" loop "$n")")
	fi
	dplain+=("$("$secprof" run -- "$helper" denied-loop "$nd")")
	dexplain+=("$("$secprof" run --explain=/dev/null -- "$helper" denied-loop "$nd")")
done
p=$(printf '%s\n' "${plain[@]}" | median)
e=$(printf '%s\n' "${explain[@]}" | median)
dp=$(printf '%s\n' "${dplain[@]}" | median)
de=$(printf '%s\n' "${dexplain[@]}" | median)
awk -v p="$p" -v e="$e" -v n="$n" -v r="$reps" 'BEGIN {
	printf "allowed getppid: run %.1f ns/call, run --explain %.1f ns/call, ratio %.3f (target <= 1.02; median of %d x %d calls)\n", p, e, e / p, r, n }'
awk -v p="$dp" -v e="$de" -v n="$nd" -v r="$reps" 'BEGIN {
	printf "denied acct: run %.1f ns/call, run --explain %.1f ns/call: %.1f us per reported denial (median of %d x %d calls)\n", p, e, (e - p) / 1000, r, n }'
