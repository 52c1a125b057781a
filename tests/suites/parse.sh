#!/usr/bin/env bash
# parse.sh - the parser's corpus (tests/parse), generated limit cases and
# every JSON file of the reference data.
#
# Corpus format: tests/parse/NN-name.json is the input;
#   NN-name.err  line 1: "rc=N [OPTION...]" - the exit status (0 valid,
#                1 invalid profile) and options (--strict) to run with;
#                the rest: the exact stderr, errors and warnings as the CLI
#                prints them ("secprof: NN-name.json:L:C: PATH: MSG");
#   NN-name.out  (optional, positive cases) what the profile decoded to,
#                as printed by the parse-file helper's --dump.
# tests/parse/make-corpus.py writes the corpus (messages in words, positions
# computed from the token each must point at); append new cases there.
# Each case runs in tests/parse with its relative file name, through the
# parse-file helper (library only) and through `secprof check` (the CLI):
# same exit status, and for an invalid profile the same error line.
source "$TESTS/lib.sh"
helper=$BUILD/tests/parse-file
[[ -x $helper ]] || { echo "1..0 # SKIP $helper not built"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
corpus=$TESTS/parse

# secprof check may not exist yet in a given build: use it when it parses.
cli_ok=0
"$SECPROF" check builtin >/dev/null 2>&1 && cli_ok=1

ncases=0
cd "$corpus" || exit 1
for json in [0-9][0-9]*-*.json; do
	base=${json%.json}
	[[ -f $base.err ]] || { ok 1 "$base: no .err file"; continue; }
	ncases=$((ncases + 1))
	read -r header <"$base.err"
	want_rc=${header%% *}; want_rc=${want_rc#rc=}
	opts=(); [[ $header == *" "* ]] && read -r -a opts <<<"${header#* }"
	want_err=$(tail -n +2 "$base.err")

	"$helper" "${opts[@]}" "$json" >/dev/null 2>"$tmp/err"; rc=$?
	is "$rc:$(cat "$tmp/err")" "$want_rc:$want_err" "$base: exit $want_rc and exact stderr"
	if [[ -f $base.out ]]; then
		"$helper" "${opts[@]}" --dump "$json" >"$tmp/out" 2>/dev/null
		is "$(cat "$tmp/out")" "$(cat "$base.out")" "$base: decoded as expected"
	fi
	if ((cli_ok)); then
		"$SECPROF" "${opts[@]}" check "$json" >/dev/null 2>"$tmp/cli"; rc=$?
		if [[ $want_rc == 0 ]]; then
			# parsed fine: check refuses exactly what compile refuses
			"$SECPROF" "${opts[@]}" compile "$json" -o /dev/null 2>"$tmp/cc"; crc=$?
			# an unconfined profile is valid and has no filter to compile
			grep -q 'the profile is unconfined' "$tmp/cc" && crc=0 && : >"$tmp/cc"
			is "$rc:$(grep -v '^secprof: warning: ' "$tmp/cli")" "$crc:$(grep -v '^secprof: warning: ' "$tmp/cc")" \
				"$base: secprof check and compile agree"
		else
			is "$rc:$(grep -v '^secprof: warning: ' "$tmp/cli")" "$want_rc:$(grep -v '^secprof: warning: ' "$base.err" | tail -n +2)" \
				"$base: secprof check fails the same way"
		fi
	fi
done
ok $((ncases < 60)) "corpus has $ncases cases (at least 60)"
cd "$tmp" || exit 1

# --- limits, generated here rather than committed ---
# Nesting: 10000 levels are Go's limit and ours; 10001 and 1 MiB are refused
# at the first level too deep, before any memory is spent on the rest.
python3 -c 'import sys; n=int(sys.argv[1]); sys.stdout.write("["*n + "]"*n)' 10000 >deep-ok.json
"$helper" deep-ok.json >/dev/null 2>"$tmp/err"; rc=$?
is "$rc:$(cat "$tmp/err")" "1:secprof: deep-ok.json:1:1: a profile must be a JSON object, got an array" \
	"10000 nested arrays: valid JSON (then not a profile)"
python3 -c 'import sys; n=int(sys.argv[1]); sys.stdout.write("["*n + "]"*n)' 10001 >deep.json
"$helper" deep.json >/dev/null 2>"$tmp/err"; rc=$?
is "$rc:$(cat "$tmp/err")" "1:secprof: deep.json:1:10001: nesting deeper than 10000 levels" "10001 levels: refused"
python3 -c 'import sys; sys.stdout.write("{\"a\":" * (1 << 20))' >deep-1mib.json
"$helper" deep-1mib.json >/dev/null 2>"$tmp/err"; rc=$?
is "$rc:$(cat "$tmp/err")" "1:secprof: deep-1mib.json:1:50001: nesting deeper than 10000 levels" \
	"1 MiB of nested objects: refused at level 10001"
# Size: a 64 MiB file is refused from its size, not read into memory.
truncate -s 64M big.json
"$helper" big.json >/dev/null 2>"$tmp/err"; rc=$?
is "$rc:$(cat "$tmp/err")" "1:secprof: big.json: file is 67108864 bytes, larger than the 16777216-byte limit for a profile" \
	"64 MiB file: size-limit error, exit 1"
# A large but legal profile: 16 MiB minus a little, 200k rules, parses.
python3 - <<'EOF' >large.json
import sys
rule = '{"names": ["read"], "action": "SCMP_ACT_ALLOW"}'
n = (16 * 1024 * 1024 - 100) // (len(rule) + 1)
sys.stdout.write('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [' + ','.join([rule] * n) + ']}')
open('large.n', 'w').write(str(n))
EOF
"$helper" --dump large.json >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc:$(grep -c '^rule ' "$tmp/out")" "0:$(cat large.n)" \
	"a profile just under 16 MiB parses, every rule kept"

# --- every JSON file of the reference data ---
# What Docker does with each (docs/COMPAT.md §1, §5, §8) and so what we must say.
expect_ref() { # file rc [stderr-line]
	local f=$REF/$1 want=$2 msg=${3:-}
	[[ -f $f ]] || { skip "$1" "not in $REF"; return; }
	"$helper" "$f" >/dev/null 2>"$tmp/err"; rc=$?
	is "$rc:$(cat "$tmp/err")" "$want:${msg:+secprof: $f:}$msg" "reference $1"
}
if [[ -d $REF ]]; then
	expect_ref moby-default.json 0
	expect_ref podman-default.json 0
	expect_ref moby-fixtures/conditional_include.json 0
	expect_ref moby-fixtures/default-old-format.json 0
	expect_ref moby-fixtures/example.json 0
	expect_ref moby-fixtures/moby-daemon-oci-default.json 0
	expect_ref moby-fixtures/moby-daemon-oci-example.json 0
	expect_ref profiles/jessfraz-chrome.json 0
	expect_ref profiles/docker-labs-deny.json 0
	expect_ref profiles/docker-labs-default-no-chmod.json 0
	expect_ref profiles/redpwn-jail.json 0
	expect_ref profiles/runc-syscall-test1.json 0
	expect_ref profiles/runc-syscall-test2.json 0
	expect_ref formats/k8s/violation.json 0
	expect_ref formats/merger/seccomp_a.json 0
	expect_ref formats/merger/seccomp_b.json 0
	# an ERRNO rule equal to the ERRNO default: valid, runc skips it
	expect_ref formats/oci-hook/block-mkdir.json 0
	# a whole OCI config.json: its linux.seccomp is taken
	expect_ref formats/oci/runtime-spec-config-example.json 0
	# runc's features document: Docker would ignore every key and run
	# unconfined; we refuse it
	expect_ref formats/oci/runtime-spec-features-runc.json 1 \
		"1:1: this is an OCI runtime features document, not a seccomp profile (Docker would ignore every key in it and run with no seccomp at all)"
	# nothing left unlisted
	listed=$(grep -c '^	expect_ref ' "$TESTS/suites/parse.sh")
	found=$(find "$REF" -name '*.json' | wc -l)
	is "$found" "$listed" "every JSON file under \$REF has an expectation"
	"$helper" --strict "$REF/formats/oci-hook/block-mkdir.json" >/dev/null 2>"$tmp/err"; rc=$?
	is "$rc:$(cat "$tmp/err")" "1:secprof: $REF/formats/oci-hook/block-mkdir.json:8:23: syscalls[0].action: the rule's action equals the default action, so runc skips the rule" \
		"--strict: block-mkdir's rule equal to the default is an error"
	"$helper" --dump "$REF/formats/oci/runtime-spec-config-example.json" >"$tmp/out" 2>&1
	is "$(head -2 "$tmp/out")" $'form oci-config\ndefaultAction SCMP_ACT_ALLOW' "OCI config: linux.seccomp read"
	builtin_source "$tmp/builtin-source.json"
	"$helper" --dump builtin >"$tmp/builtin" 2>&1 && "$helper" --dump "$tmp/builtin-source.json" >"$tmp/ref" 2>&1
	is "$(cmp -s "$tmp/builtin" "$tmp/ref"; echo $?)" 0 \
		"builtin decodes exactly like moby-default.json held to the floor (tools/gen-default.py --json)"
	is "$(grep -c '^rule ' "$tmp/builtin")" 33 "builtin: 33 rules (docs/COMPAT.md §5)"
fi
done_testing
