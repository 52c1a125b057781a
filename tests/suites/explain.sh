#!/usr/bin/env bash
# explain.sh - rows of tests/explain/*.tests: `secprof explain --json` gives
# the action, deciding rule and kinds of would_allow expected, and the action
# is the one `secprof eval` gets from the compiled program in the emulator.
here=$(cd "$(dirname "$0")/.." && pwd)
n=0 failed=0
for t in "$here"/explain/*.tests; do
	while IFS='|' read -r prof call opts action rule kinds values; do
		[[ $prof =~ ^[[:space:]]*(#|$) ]] && continue
		prof=$(xargs <<<"$prof"); action=$(xargs <<<"$action"); rule=$(xargs <<<"$rule"); kinds=$(xargs <<<"$kinds")
		[[ $prof == builtin ]] || prof=$here/explain/$prof
		n=$((n + 1)); name="$(basename "$t"): $prof $call $opts"
		# shellcheck disable=SC2086
		got=$("$SECPROF" -q explain "$prof" $call $opts --json 2>&1 | python3 -c '
import json, sys
o = json.load(sys.stdin)
kinds = sorted({k for w in o["would_allow"] for k in w}) or ["-"]
have = set()
seen = []
for w in o["would_allow"]:
    if w in seen:
        print("duplicate would_allow entry", w); sys.exit(0)
    seen.append(w)
    for k, v in w.items():
        if k == "args":
            v = "%d:%s" % (v["arg"], v["allowed"])
        elif k == "profile_patch":
            v = json.dumps(v)
        have.add("%s=%s" % (k, v))
missing = [e for e in sys.argv[1].split(";") if e.strip() and e.strip() not in have]
print(o["action"], "-" if o["rule"] is None else o["rule"]["index"], ",".join(kinds),
      *(["missing: " + "; ".join(missing) + " (have: " + "; ".join(sorted(have)) + ")"] if missing else []))' "$values" 2>&1)
		# shellcheck disable=SC2086
		ev=$("$SECPROF" -q eval "$prof" $call $opts --json 2>&1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["action"])' 2>&1)
		want="$action $rule $kinds"
		if [[ $got == "$want" && $ev == "$action" ]]; then
			echo "ok $n - $name"
		else
			failed=$((failed + 1)); echo "not ok $n - $name"
			echo "# want: $want (eval $action)"; echo "# got:  $got (eval $ev)"
		fi
	done <"$t"
done
# Every syscall data/reasons.tsv names is denied by the built-in profile
# (default capabilities, x86_64, kernel 4.7: some are let through from 4.8) and explain gives its reason line.
bad=$(grep -v '^#' "$here/../data/reasons.tsv" | cut -f1 | while read -r sc; do
	out=$("$SECPROF" -q explain builtin "$sc" --arch amd64 --kernel 4.7 --json 2>/dev/null) || continue # not on x86_64
	python3 -c '
import json, sys
o = json.loads(sys.argv[2])
if o["action"] == "ALLOW" and sys.argv[1] not in ("clone", "personality", "socket"):
    print(sys.argv[1], "is allowed")
elif not o["reason"] and o["action"] != "ALLOW":
    print(sys.argv[1], "has no reason")' "$sc" "$out"
done)
n=$((n + 1))
if [[ -z $bad ]]; then echo "ok $n - every reason row is a denied syscall with its reason"
else failed=$((failed + 1)); echo "not ok $n - reason rows"; sed 's/^/# /' <<<"$bad"; fi

# the rule that decided is never listed as left out: secprof's low-word
# rules read syscalls[0] (a MASKED_EQ on fchmodat's high word only) as
# unconditional, shadowing syscalls[1]; libseccomp's 64-bit rules let
# syscalls[1] replace it, and it decides (KILL_PROCESS). explain said
# "decided by: syscalls[1]" and "not applied: syscalls[1]: shadowed".
out=$("$SECPROF" -q explain "$here/../data/lint-shadow-low-word.json" fchmodat 5 --arch amd64 --kernel 6.1 --json)
bad=$(python3 -c '
import json, sys
o = json.loads(sys.argv[1])
idx = o["rule"]["index"] if o["rule"] else None
if o["action"] != "KILL_PROCESS" or idx != 1:
    print("decided", o["action"], idx)
for x in o["not_applied"]:
    if x["rule"]["index"] == idx:
        print("rule", idx, "decided and is listed as", x["reason"])' "$out")
n=$((n + 1))
if [[ -z $bad ]]; then echo "ok $n - the deciding rule is not listed as left out"
else failed=$((failed + 1)); echo "not ok $n - deciding rule listed as left out"; sed 's/^/# /' <<<"$bad"; fi
echo "1..$n"
[[ $failed == 0 ]]
