#!/usr/bin/env bash
# decide.sh - the decision tests of tests/decide (docs/CONVENTIONS.md §11): each
# NN-name.tests runs through secprof's BPF in the emulator, against the ruleset
# oracle, and (rows marked `live`, native arch) in the kernel.
# The profile is NN-name.json next to it, or the "#@ profile PATH" line
# ($REF, $TESTS and builtin allowed; tests/data holds profiles kept out of
# tests/decide/*.json, which test_analyze samples for its merges).
here=$(cd "$(dirname "$0")/.." && pwd)
helper=$BUILD/tests/decide
[[ -x $helper ]] || { echo "1..0 # SKIP $helper not built"; exit 0; }
live=()
if [[ $(uname -m) == x86_64 ]] && [[ -z ${SECPROF_NO_LIVE:-} ]]; then live=(--live); fi
# A sanitizer's runtime makes calls of its own around a signal (its
# handler wrapper) and at exit: under a profile whose default traps or
# kills, the kernel rows would test those (the plain build runs them).
san=; ldd "$helper" 2>/dev/null | grep -q libasan && san=1
n=0 failed=0
for t in "$here"/decide/*.tests; do
	json=${t%.tests}.json
	if [[ ! -f $json ]]; then
		json=$(sed -n 's/^#@ profile //p' "$t" | head -1)
		json=${json//\$REF/$REF}
		json=${json//\$TESTS/$here}
	fi
	if [[ $json == "$REF"* && ! -d $REF ]]; then
		n=$((n + 1)); echo "ok $n - $(basename "$t") # SKIP no reference data"; continue
	fi
	flags=("${live[@]}")
	[[ -n $san ]] && grep -qE '"defaultAction": *"SCMP_ACT_(TRAP|KILL)' "$json" 2>/dev/null && flags=()
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ -\ (.*)$ ]]; then
			n=$((n + 1))
			if [[ -n ${BASH_REMATCH[1]} ]]; then failed=$((failed + 1)); echo "not ok $n - ${BASH_REMATCH[2]}"
			else echo "ok $n - ${BASH_REMATCH[2]}"; fi
		elif [[ $line == "Bail out!"* ]]; then
			n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $(basename "$t"): $line"
		elif [[ $line == "#"* ]]; then
			echo "$line"
		fi
	done < <("$helper" "${flags[@]}" "$json" "$t" 2>&1)
done
echo "1..$n"
[[ $failed == 0 ]]
