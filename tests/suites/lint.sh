#!/usr/bin/env bash
# lint.sh - `secprof lint`: every profile of tests/lint (one per finding ID)
# and the built-in profile give exactly the findings pinned in their
# .expected (ID, severity, JSON path, line:col, example call); each finding
# ID of the corpus shows up in its own file; exit statuses, --severity,
# SARIF 2.1.0; the reference profiles run through without a crash; and every
# SP101 example is really allowed by runc's filter (--exact-libseccomp) and
# refused by secprof's.
source "$TESTS/lib.sh"
L=$TESTS/lint
lint() { "$SECPROF" -q lint "$@" --arch amd64 --kernel 6.1; }

for f in "$L"/*.json; do
	name=$(basename "$f" .json)
	got=$(lint "$f" --json | python3 "$L/pin.py")
	is "$got" "$(cat "$L/$name.expected")" "lint $name: the pinned findings"
	id=${name%%-*}
	grep -q "^$id " <<<"$got"; ok $? "lint $name: reports $id"
done
is "$(lint builtin --json | python3 "$L/pin.py")" "$(cat "$L/builtin-amd64-6.1.expected")" \
	"lint builtin: the pinned findings (the socket high-word bypass among them)"

# SP403 names the rule's action, the other rule's and the one the tree
# decides, which eval confirms on the example call (the message once gave
# one action for two, which one depending on the compiler's order of
# evaluating arguments)
msg=$(lint "$L/SP403-overlap-tree-order.json" | grep SP403)
dec=$("$SECPROF" -q eval "$L/SP403-overlap-tree-order.json" socket 0 11 19 --arch amd64 --kernel 6.1 | head -1)
[[ $msg == *"this rule (ALLOW) and syscalls[2] (KILL_THREAD) both match"* && $msg == *"decides it is $dec "* ]]
ok $? "SP403: the message names both rules' actions and the tree's ($dec)"
diag "$msg"

# every SP101 example: ALLOW under libseccomp's program, not under secprof's
while read -r id sev path lc eg call; do
	[[ $id == SP101 ]] || continue
	nm=${call%%(*}; args=${call#*(}; args=${args%)}; args=${args//,/}
	# shellcheck disable=SC2086
	a=$("$SECPROF" -q eval builtin "$nm" $args --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)
	# shellcheck disable=SC2086
	b=$("$SECPROF" -q eval builtin "$nm" $args --arch amd64 --kernel 6.1 | head -1)
	is "$a/$b" "ALLOW/ERRNO(1)" "SP101 example $call: runc's filter allows it, secprof's does not"
done < "$L/builtin-amd64-6.1.expected"

# SP201 looks at every arch of the filter and at clone3: the call each of
# these pins is really allowed by runc's filter (libseccomp's program), on
# the arch lint names. Before, lint was silent on both (i386 unshare
# through a high-word test libseccomp drops on 32-bit arches; clone3,
# whose CLONE_NEWUSER no filter can see).
is "$("$SECPROF" -q eval "$L/SP201-compat-arch.json" unshare 0x10000000 --arch amd64 --abi x86 --kernel 6.1 --exact-libseccomp | head -1)" \
	ALLOW "SP201 on x86: runc's filter allows i386 unshare(CLONE_NEWUSER)"
is "$("$SECPROF" -q eval "$L/SP201-compat-arch.json" unshare 0x10000000 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	"ERRNO(1)" "SP201 on x86: ... and denies it on x86_64, the only arch lint looked at"
lint "$L/SP201-compat-arch.json" | grep -q 'unshare is allowed on x86:'; ok $? "SP201 names the arch it found the call allowed on"
# SP201 tries an example of each argument rule that may allow the call
# (the danger's flags OR-ed in), not only one value: unshare allowed for
# arg0 != CLONE_NEWUSER allows CLONE_NEWUSER|1; and socket's family on i386
# sits behind socketcall's pointer (Docker's default allows socketcall)
is "$("$SECPROF" -q eval "$L/SP201-wider-args.json" unshare 0x10000001 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	ALLOW "SP201 example unshare(0x10000001): runc's filter allows it"
is "$("$SECPROF" -q eval builtin socketcall 1 --abi x86 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	ALLOW "SP201 example i386 socketcall(SYS_SOCKET) under the built-in profile: runc's filter allows it"
# clone reads the low 32 bits of its flags: an allow for a high word is an
# allow for CLONE_NEWUSER
is "$("$SECPROF" -q eval "$L/SP201-clone-high-word.json" clone 0x110000011 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	ALLOW "SP201 example clone(0x110000011): runc's filter allows it"
is "$("$SECPROF" -q eval "$L/SP201-clone3.json" clone3 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	ALLOW "SP201 clone3: runc's filter allows clone3 under the deny-list that lint now flags"

lint "$L/SP402-rule-equals-default.json" >/dev/null; is $? 1 "exit 1 with a finding at or above note"
lint "$L/SP402-rule-equals-default.json" --severity warning >/dev/null; is $? 0 "exit 0 when --severity warning hides the only note"
lint "$L/SP101-arg-high-word.json" --severity error >/dev/null; is $? 1 "exit 1 with an error at --severity error"
lint builtin --severity bogus >/dev/null 2>&1; is $? 2 "exit 2 on a bad --severity"
lint builtin --json --sarif >/dev/null 2>&1; is $? 2 "exit 2: --json and --sarif together"
lint "$L/SP503-missing-compat-arch.json" --sarif | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["version"] == "2.1.0"
run = s["runs"][0]
ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
for r in run["results"]:
    assert r["ruleId"] in ids and r["level"] in ("error", "warning", "note")
    reg = r["locations"][0]["physicalLocation"]["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1
assert len(run["results"]) == 2
'
ok $? "--sarif: a SARIF 2.1.0 log with rule ids, levels and regions"

if [[ -d $REF ]]; then
	for f in "$REF"/*.json "$REF"/profiles/*.json; do
		lint "$f" --json >/dev/null 2>&1; rc=$?
		[[ $rc == 0 || $rc == 1 ]]; ok $? "lint $(basename "$f") runs through (exit $rc)"
	done
else
	skip "reference profiles" "no $REF"
fi
# SP401 says a rule never decides only where it never does, in secprof's
# rules and in libseccomp's, on every arch: a MASKED_EQ on the high word of
# a 32-bit argument holds for every low word, so secprof's low-word rules
# read syscalls[0] as unconditional, shadowing the KILL after it; but
# libseccomp tests the high word on x86_64 and lets the KILL replace it.
# Lint said the KILL "never decides"; removing it lets runc's filter allow
# fchmodat(0x100000005) (the original kills it).
F=$TESTS/data/lint-shadow-low-word.json
lint "$F" | grep -q 'SP401'; ok $((!$?)) "lint: no SP401 for a rule libseccomp's filter decides by"
is "$("$SECPROF" -q eval "$F" fchmodat 0x100000005 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	KILL_PROCESS "... runc's filter kills fchmodat(0x100000005) by that rule"
# SP103 ("libseccomp drops the condition") only where libseccomp does: on
# x86_64 alone it still tests the high word of that mask (runc's filter
# allows fchmodat(0x100000005) under this rule), so the rule does not
# apply to every value
G=$(mktemp)
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p["architectures"]=["SCMP_ARCH_X86_64"]; p["syscalls"]=p["syscalls"][:1]; print(json.dumps(p))' "$F" >"$G"
lint "$G" | grep -q 'SP103'; ok $((!$?)) "lint: no SP103 where libseccomp keeps the high-word test"
is "$("$SECPROF" -q eval "$G" fchmodat 0x100000005 --arch amd64 --kernel 6.1 --exact-libseccomp | head -1)" \
	ALLOW "... runc's filter lets fchmodat(0x100000005) past that rule"
lint "$F" | grep -q 'SP103'; ok $? "lint: SP103 where libseccomp drops it (x86)"
rm -f "$G"

# nor where a Docker skips the shadowing rule: syscalls[0] ERRNO(38)
# equals the default (ERRNO(38)) as current Docker passes it, so its runc
# skips it and syscalls[1] allows socket there; Debian 12's Docker drops
# defaultErrnoRet and keeps it. Lint said syscalls[1] never decides socket.
lint "$TESTS/data/lint-shadow-reading.json" | grep -q 'SP401'
ok $((!$?)) "lint: no SP401 for a rule that decides under one Docker's reading"
# SP402: a rule equal to the default is skipped by runc, but its names
# count where runc's ENOSYS stub starts (lseek, 8 on x86_64): socket (41)
# gets ENOSYS with it and the default's EPERM without it, so the note says so
F=$TESTS/data/lint-default-rule-stub.json
lint "$F" | grep SP402 | grep -q "ENOSYS stub, which starts above lseek on x86_64"
ok $? "SP402 says the rule's name still places runc's ENOSYS stub"
is "$("$SECPROF" -q eval "$F" socket 2 --arch amd64 --kernel 6.1 | head -1)" "ERRNO(38)" "... socket gets ENOSYS above it"
done_testing
