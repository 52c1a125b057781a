#!/usr/bin/env bash
# regen.sh [BUILD] - rewrite the expected outputs of tests/suites/ir.sh and
# tests/suites/ir-pins.sh from the current secprof: the golden IR of Docker's
# default profile, the left-out list of each targeted profile (NN-*.json,
# options in NN-*.args or --arch amd64 --kernel 6.1), and the pinned `secprof
# ir` of every profile (tests/ir/pins.sh says which; the reference profiles'
# pins only when ../shared/reference exists). Review the diff before
# committing it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secprof=$(cd "${1:-$here/../../build}" && pwd)/secprof
ref=${REF:-$root/../shared/reference}
"$secprof" -q ir builtin --json --arch amd64 --kernel 6.1 >"$here/builtin-amd64-6.1.golden.json"
for f in "$here"/[0-9]*.json; do
	base=${f%.json}
	args="--arch amd64 --kernel 6.1"
	[[ -f $base.args ]] && args=$(cat "$base.args")
	# shellcheck disable=SC2086
	"$secprof" -q ir "$f" --json $args | python3 "$here/project.py" >"$base.expect"
done
# shellcheck source=pins.sh
source "$here/pins.sh"
rm -rf "$here/pins/repo"
[[ -d $ref ]] && rm -rf "$here/pins/ref"
mkdir -p "$here/pins/repo" "$here/pins/ref"
pin_profiles "$root" "$ref" | while read -r kind path; do
	base=$root
	[[ $kind == ref ]] && base=$ref
	pin_render "$secprof" "$base" "$path" >"$(pin_file "$here/pins" "$kind" "$path")"
done
