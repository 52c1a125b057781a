#!/usr/bin/env bash
# ir-pins.sh - `secprof ir` pinned for every profile the repository holds
# and, when the reference data is there, every reference profile
# (tests/ir/pins.sh says which and how; tests/ir/regen.sh rewrites the
# pins). For each profile ir accepts, every rule is in the program or left
# out with a reason code ir documents: none is dropped without one.
source "$TESTS/lib.sh"
source "$TESTS/ir/pins.sh"
root=$(cd "$TESTS/.." && pwd)
pins=$TESTS/ir/pins
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The reason codes: the SECPROF_REASONS list of the public header.
reasons=$(grep -oE '^[[:space:]]*X\([A-Z_]+, "[a-z-]+"\)' "$root/include/secprof.h" |
	sed -E 's/.*"([a-z-]+)".*/\1/' | paste -sd, -)
[[ -n $reasons ]]; ok $? "the reason codes read from include/secprof.h ($reasons)"

pin_profiles "$root" "$REF" >"$tmp/list"
nrepo=0 nref=0
while read -r kind path; do
	base=$root
	[[ $kind == ref ]] && base=$REF nref=$((nref + 1)) || nrepo=$((nrepo + 1))
	pin=$(pin_file "$pins" "$kind" "$path")
	if [[ ! -f $pin ]]; then
		ok 1 "$kind $path: pinned (tests/ir/regen.sh writes the pin)"
		continue
	fi
	if pin_render "$SECPROF" "$base" "$path" | diff -u "$pin" - >"$tmp/diff"; then
		ok 0 "$kind $path: ir as pinned"
	else
		ok 1 "$kind $path: ir as pinned (tests/ir/regen.sh to update)"
		diag "$(head -n 20 "$tmp/diff")"
	fi
	head -n 1 "$pin" | grep -q '^exit ' && continue
	# every rule in the program or left out with a known reason
	(cd "$base" && "$SECPROF" -q ir "$path" --json --arch amd64 --kernel 6.1 </dev/null) >"$tmp/ir.json"
	(cd "$base" && "$SECPROF" -q check "$path" --json --arch amd64 --kernel 6.1 </dev/null) >"$tmp/check.json"
	out=$(python3 - "$tmp/ir.json" "$tmp/check.json" "$reasons" <<'PY'
import json, sys
ir = json.load(open(sys.argv[1]))
nrules = json.load(open(sys.argv[2]))["profile"]["rules"]
known = set(sys.argv[3].split(","))
used = set()
for a in ir["arches"]:
    for s in a["syscalls"]:
        for src in ([s["rule"]] if "rule" in s else [c["rule"] for c in s["chains"]]):
            used.add(src["index"])
dropped = {d["rule"]["index"] for d in ir["dropped"]}
bad = sorted({str(d.get("reason")) for d in ir["dropped"] if d.get("reason") not in known})
missing = [i for i in range(nrules) if i not in used and i not in dropped]
print(f"bad={bad} missing={missing}")
PY
)
	is "$out" "bad=[] missing=[]" "$kind $path: every rule in the program or left out with a reason code"
done <"$tmp/list"
((nrepo > 100)); ok $? "$nrepo repository profiles pinned"

# A pin whose profile is gone is stale; the reference pins count as
# skipped where the reference data is not (a clean checkout).
for pin in "$pins"/repo/*.ir; do
	path=$(basename "$pin" .ir)
	path=${path//__//}
	[[ -f $root/$path ]] || ok 1 "stale pin $pin: no $path"
done
if [[ -d $REF ]]; then
	((nref > 0)); ok $? "$nref reference profiles pinned"
	for pin in "$pins"/ref/*.ir; do
		path=$(basename "$pin" .ir)
		path=${path//__//}
		[[ -f $REF/$path ]] || ok 1 "stale pin $pin: no $path"
	done
else
	for pin in "$pins"/ref/*.ir; do
		skip "ref $(basename "$pin" .ir): ir as pinned" "no reference data ($REF)"
	done
fi
done_testing
