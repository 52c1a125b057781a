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
for w in o["would_allow"]:
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
echo "1..$n"
[[ $failed == 0 ]]
