#!/usr/bin/env bash
# ir.sh - `secprof ir`: the rule set with provenance (docs/IR.md). The IR of
# Docker's default profile for amd64 on 6.1 is pinned (tests/ir/*.golden.json,
# tests/ir/regen.sh rewrites it); every rule of it is in the program or left
# out with a reason; each reason code comes out of a targeted profile
# (tests/ir/NN-*.json with the expected left-out list in NN-*.expect).
source "$TESTS/lib.sh"
dir=$TESTS/ir
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$SECPROF" -q ir builtin --json --arch amd64 --kernel 6.1 >"$tmp/builtin.json"; rc=$?
is "$rc" 0 "ir builtin --json exits 0"
if diff -u "$dir/builtin-amd64-6.1.golden.json" "$tmp/builtin.json" >"$tmp/diff"; then
	ok 0 "builtin amd64 6.1: the IR equals the golden file"
else
	ok 1 "builtin amd64 6.1: the IR equals the golden file (tests/ir/regen.sh to update)"
	diag "$(head -n 30 "$tmp/diff")"
fi

# Every rule of the built-in profile, for the default capabilities, is in
# the program or left out as a whole with a reason; every kept rule's name
# is in the program on every arch of the filter or left out with a reason.
out=$(python3 - "$tmp/builtin.json" "$TESTS/../src/gen/default_profile.inc" <<'PY'
import json, sys
ir = json.load(open(sys.argv[1]))
reasons = {"cap-not-held", "cap-excluded", "arch-not-included", "arch-excluded",
           "min-kernel-not-met", "kernel-excluded", "unknown-name", "equals-default",
           "shadowed", "replaced", "redundant", "condition-dropped", "beyond-enosys",
           "newer-than-libseccomp", "no-names"}
used = {}
for a in ir["arches"]:
    for s in a["syscalls"]:
        for src in ([s["rule"]] if "rule" in s else [c["rule"] for c in s["chains"]]):
            used.setdefault(src["index"], set()).add((s["name"], a["arch"]))
whole = {d["rule"]["index"] for d in ir["dropped"] if d["name"] is None}
named = {(d["rule"]["index"], d["name"], d["arch"]) for d in ir["dropped"] if d["name"]}
bad = [d["reason"] for d in ir["dropped"] if d["reason"] not in reasons]
n = max(list(used) + list(whole)) + 1
missing = [i for i in range(n) if i not in used and i not in whole]
print(f"rules={n} whole={len(whole)} named={len(named)} badreasons={len(bad)} missing={missing}")
PY
)
is "$out" "rules=33 whole=18 named=188 badreasons=0 missing=[]" \
	"builtin: all 33 rules accounted for (18 left out by resolve, each with a reason)"
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin)["dropped"]; print(sorted({x["reason"] for x in d}))' <"$tmp/builtin.json")" \
	"['arch-not-included', 'cap-not-held', 'newer-than-libseccomp', 'replaced', 'shadowed', 'unknown-name']" \
	"builtin: the reasons Docker's default profile needs on amd64"

for f in "$dir"/[0-9]*.json; do
	base=${f%.json} name=$(basename "$base")
	args="--arch amd64 --kernel 6.1"
	[[ -f $base.args ]] && args=$(cat "$base.args")
	# shellcheck disable=SC2086
	got=$("$SECPROF" -q ir "$f" --json $args | python3 "$dir/project.py")
	is "$got" "$(cat "$base.expect")" "$name: left out with the expected reasons"
done

# the text form names the decision, its rule and the reasons
txt=$("$SECPROF" -q ir "$dir/06-shadowed.json" --arch amd64)
is "$(grep -E '^  (72|81|292) ' <<<"$txt" | tr -s ' ')" " 81 fchdir ERRNO(1) syscalls[1] 6:3
 292 dup3 ERRNO(1) syscalls[1] 6:3" "text: dup3 and fchdir decided by the unconditional rule that replaced or shadows the others"
is "$(grep -c 'shadowed by syscalls\[1\] 6:3' <<<"$txt")" 2 "text: two names shadowed by syscalls[1]"

# --exact-libseccomp: socket's family compared on 64 bits, not the low word
is "$("$SECPROF" -q ir builtin --json --arch amd64 --kernel 6.1 --exact-libseccomp |
	grep -c '"lowWordOnly": true')" 0 "--exact-libseccomp: no low-word-only compare"
is "$(grep -c '"name": "socket".*"lowWordOnly": true' "$tmp/builtin.json")" 1 \
	"default: socket's family compared on its low word"

# Every JSON text is written by the library's one writer: a file name with
# a quote, a backslash, a control character, '<', U+2028 and a byte that is
# not UTF-8 comes out escaped (Go's encoding/json: the invalid byte as
# U+FFFD), so python3 reads each output and gets the name back.
odd=$(printf '%s/q"b\\s\001<\342\200\250\377.json' "$tmp")
# (an unknown name, so check warns with the file name)
echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "nosuchcall"], "action": "SCMP_ACT_ALLOW"}]}' >"$odd"
want=$(printf '%s' "$odd" | python3 -c 'import sys; print(sys.stdin.buffer.read().decode("utf-8", "replace"))')
for cmd in "ir --json" "check --json"; do
	# shellcheck disable=SC2086
	got=$("$SECPROF" -q $cmd "$odd" --arch amd64 | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(o.get("file") or o["warnings"][0].split(":")[0])' 2>&1)
	is "$got" "$want" "$cmd: an odd file name escaped, read back by python3"
done
echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$odd"
got=$("$SECPROF" -q check "$odd" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"].split(":")[0])' 2>&1)
is "$got" "$want" "check --json of an invalid profile: the odd file name escaped"

# Every socket and SysV IPC call is found for the multiplexers (mux.c's
# index): on x86 a rule naming all 32 gives socketcall and ipc one chain per
# call number (arg0 == SYS_*, include/uapi/linux/net.h, ipc/syscall.c).
names='"socket","bind","connect","listen","accept","getsockname","getpeername","socketpair","send","recv",'
names+='"sendto","recvfrom","shutdown","setsockopt","getsockopt","sendmsg","recvmsg","accept4","recvmmsg",'
names+='"sendmmsg","semop","semget","semctl","semtimedop","msgsnd","msgrcv","msgget","msgctl","shmat",'
names+='"shmdt","shmget","shmctl"'
echo "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [$names], \"action\": \"SCMP_ACT_ALLOW\"}]}" >"$tmp/mux-all.json"
got=$("$SECPROF" -q ir "$tmp/mux-all.json" --arch 386 --json | python3 -c '
import json, sys
for a in json.load(sys.stdin)["arches"]:
    for s in a["syscalls"]:
        if s["name"] in ("socketcall", "ipc"):
            print(s["name"], " ".join(str(v) for v in sorted(c["args"][0]["value"] for c in s.get("chains", []))))' 2>&1)
is "$got" "socketcall 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
ipc 1 2 3 4 11 12 13 14 21 22 23 24" "x86: every socket and IPC call reaches socketcall/ipc"

# errors: unconfined, invalid profile, usage
echo '{}' >"$tmp/empty.json"
"$SECPROF" -q ir "$tmp/empty.json" >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 1 "unconfined profile: exit 1"
is "$(cat "$tmp/err")" "secprof: the profile disables seccomp (unconfined): there is no rule set" \
	"unconfined profile: message"
echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$tmp/bad.json"
"$SECPROF" -q ir "$tmp/bad.json" >/dev/null 2>&1; is "$?" 1 "invalid profile: exit 1"
"$SECPROF" -q ir builtin --bogus >/dev/null 2>&1; is "$?" 2 "unknown option: exit 2"
done_testing
