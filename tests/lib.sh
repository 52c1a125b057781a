# lib.sh - helpers for TAP suites (sourced). Each suite: source lib.sh; ...; done_testing
n=0; failed=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP ${2:-}"; }
diag() { sed 's/^/# /' <<<"$*"; }
# is GOT WANT NAME
is() { if [[ "$1" == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; diag "got:  $1"; diag "want: $2"; fi; }
done_testing() { echo "1..$n"; [[ $failed == 0 ]]; }
# builtin_source FILE: the JSON secprof holds as `builtin` (moby's default
# held to data/default-floor.tsv by tools/gen-default.py), made from $REF;
# fails when $REF has no moby-default.json.
builtin_source() {
	[[ -f $REF/moby-default.json ]] &&
		python3 "$TESTS/../tools/gen-default.py" --json "$REF/moby-default.json" \
			"$TESTS/../data/default-floor.tsv" >"$1"
}
