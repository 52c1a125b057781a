#!/usr/bin/env bash
# relay.sh BUILD - the throughput of `secprof run`'s stdio relay: a command
# writing 200 MiB to secprof's stdout (/dev/null, a pipe, a file), against
# the command writing there itself and through one `| cat`, the least a
# relay costs. Medians of ROUNDS (default 9) interleaved rounds, wall.
set -eu
build=${1:-build}
secprof=$build/secprof
rounds=${ROUNDS:-9}
[[ -x $secprof ]] || { echo "relay: $secprof not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen='head -c 200M /dev/zero'
declare -A cmd=(
	[direct]="$gen >/dev/null"
	[cat]="$gen | cat >/dev/null"
	[run-null]="$secprof run -- $gen >/dev/null"
	[run-pipe]="$secprof run -- $gen | cat >/dev/null"
	[run-file]="$secprof run -- $gen >$tmp/out"
)
declare -A t
for ((r = 0; r < rounds; r++)); do
	for k in "${!cmd[@]}"; do
		s=$(date +%s%N)
		bash -c "${cmd[$k]}"
		t[$k]+="$(($(date +%s%N) - s)) "
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1e6}'; }
echo "stdio relay, 200 MiB from the command, wall ms, medians of $rounds interleaved rounds:"
for k in direct cat run-null run-pipe run-file; do
	printf '  %-10s %8s ms  (%s)\n' "$k" "$(median "${t[$k]}")" "${cmd[$k]//$tmp/TMP}"
done
echo "  run to /dev/null over | cat: $(awk -v a="$(median "${t[run-null]}")" -v b="$(median "${t[cat]}")" 'BEGIN{printf "%.2f", a/b}')x"
