#!/usr/bin/env bash
# regen.sh [BUILD] - rewrite the expected outputs of tests/suites/ir.sh from
# the current secprof: the golden IR of Docker's default profile and the
# left-out list of each targeted profile (NN-*.json, options in NN-*.args
# or --arch amd64 --kernel 6.1). Review the diff before committing it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
secprof=$(cd "${1:-$here/../../build}" && pwd)/secprof
"$secprof" -q ir builtin --json --arch amd64 --kernel 6.1 >"$here/builtin-amd64-6.1.golden.json"
for f in "$here"/[0-9]*.json; do
	base=${f%.json}
	args="--arch amd64 --kernel 6.1"
	[[ -f $base.args ]] && args=$(cat "$base.args")
	# shellcheck disable=SC2086
	"$secprof" -q ir "$f" --json $args | python3 "$here/project.py" >"$base.expect"
done
