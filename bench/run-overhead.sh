#!/usr/bin/env bash
# run-overhead.sh [SECPROF] - what the built-in profile costs `secprof run`:
# median wall time of `secprof run -- /bin/true` with the default profile
# (parse + resolve + compile + load) against seccomp=unconfined
# (target: at most 1 ms). Uses hyperfine when installed, else a timed loop.
set -eu
secprof=${1:-${BUILD:-build}/secprof}
runs=${RUNS:-200}
[[ -x $secprof ]] || { echo "run-overhead: $secprof not built" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "run-overhead: needs root (capability sets)" >&2; exit 1; }
default=("$secprof" run -- /bin/true)
unconfined=("$secprof" run --security-opt seccomp=unconfined -- /bin/true)

if command -v hyperfine >/dev/null && command -v python3 >/dev/null; then
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	hyperfine -N --warmup 20 --runs "$runs" --export-json "$out" \
		-n default "${default[*]}" -n unconfined "${unconfined[*]}" >&2
	python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
d, u = r["default"]["median"] * 1e3, r["unconfined"]["median"] * 1e3
print(f"median default {d:.3f} ms, unconfined {u:.3f} ms, difference {d - u:.3f} ms (target <= 1 ms)")
PY
	exit 0
fi

# No hyperfine: medians of individually timed runs.
median_ms() {
	local t=() s e
	for ((i = 0; i < runs; i++)); do
		s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
		t+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}
d=$(median_ms "${default[@]}")
u=$(median_ms "${unconfined[@]}")
echo "median default $d ms, unconfined $u ms, difference $(awk -v d="$d" -v u="$u" 'BEGIN{printf "%.3f", d-u}') ms (target <= 1 ms)"
