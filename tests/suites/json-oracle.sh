#!/usr/bin/env bash
# json-oracle.sh - secprof's JSON reader against the yajl oracle of
# tests/fuzz/fuzz_json_diff.c, run as a plain program: every file of the
# parse corpus, of the fuzzer's JSON seeds (tests/fuzz/json-seeds: the
# differences from yajl the oracle handles on purpose) and of the reference
# data, and every prefix of each (files up to 4 kB), must get the same tree,
# or an error at the same line:column.
source "$TESTS/lib.sh"
oracle=$BUILD/tests/json-oracle
[[ -x $oracle ]] || { echo "1..0 # SKIP $oracle not built"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

files=("$TESTS"/parse/*.json "$TESTS"/fuzz/json-seeds/*.json)
if [[ -d $REF ]]; then
	while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$REF" -name '*.json' -print0 | sort -z)
fi
for f in "${files[@]}"; do
	name=${f#"$TESTS"/}; name=${name#"$REF"/}
	"$oracle" --prefixes "$f" >"$tmp/out" 2>"$tmp/err"; rc=$?
	ok $rc "$name and its prefixes: $(tail -n 1 "$tmp/out")"
	[[ $rc == 0 ]] || diag "$(tail -n 3 "$tmp/err")"
done
# a file the program cannot read is a failure, not an empty pass
"$oracle" "$tmp/does-not-exist.json" >/dev/null 2>&1
ok $((! $?)) "an unreadable file fails the run"
done_testing
