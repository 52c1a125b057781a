# lib.sh - helpers for TAP suites (sourced). Each suite: source lib.sh; ...; done_testing
# The counters are tap_*: a suite's own `n` once renumbered its results and
# wrote a plan that did not match them (cli.sh, format.sh, filter-cache.sh);
# tests/run-tests now fails a suite whose plan and results differ.
tap_n=0; tap_failed=0
ok() { tap_n=$((tap_n + 1)); if [[ $1 == 0 ]]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_failed=$((tap_failed + 1)); fi; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP ${2:-}"; }
diag() { sed 's/^/# /' <<<"$*"; }
# is GOT WANT NAME
is() { if [[ "$1" == "$2" ]]; then ok 0 "$3"; else ok 1 "$3"; diag "got:  $1"; diag "want: $2"; fi; }
done_testing() { echo "1..$tap_n"; [[ $tap_failed == 0 ]]; }
# builtin_source FILE: the JSON secprof holds as `builtin` (moby's default
# held to data/default-floor.tsv by tools/gen-default.py), made from $REF;
# fails when $REF has no moby-default.json.
builtin_source() {
	[[ -f $REF/moby-default.json ]] &&
		python3 "$TESTS/../tools/gen-default.py" --json "$REF/moby-default.json" \
			"$TESTS/../data/default-floor.tsv" >"$1"
}
