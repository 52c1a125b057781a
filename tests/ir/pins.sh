# pins.sh - sourced by tests/suites/ir-pins.sh and tests/ir/regen.sh: which
# profiles have a pinned `secprof ir` output, where the pin lives and how it
# is made, so the test and the regeneration cannot drift apart.
#
# Pinned: every profile the repository holds (the parse corpus, the decision
# and explain profiles, tests/ir's own, tests/data) and, when the reference
# data is there ($REF, ../shared/reference: not in a clean checkout, so its
# pins are skipped there), every JSON file under it. A pin is the text form
# of `secprof ir` for amd64 on kernel 6.1 (x86_64 with its x86 and x32
# compat arches where the profile names them), run from the profile's base
# directory so the file name in it is relative; a profile ir refuses pins
# "exit N" and the message instead.

# pin_profiles ROOT REF: "repo PATH" per repository profile (PATH relative
# to ROOT), then "ref PATH" per reference profile (relative to REF) when REF
# is a directory.
pin_profiles() {
	local root=$1 ref=$2 f
	(cd "$root" && for f in tests/parse/*.json tests/decide/*.json tests/explain/*.json \
		tests/ir/[0-9]*.json tests/data/*.json; do [[ -f $f ]] && echo "repo $f"; done)
	[[ -d $ref ]] || return 0
	(cd "$ref" && find . -name '*.json' -type f | sed 's|^\./||' | LC_ALL=C sort | sed 's/^/ref /')
}

# pin_file PINDIR KIND PATH: the pin's file name (slashes become "__").
pin_file() {
	echo "$1/$2/${3//\//__}.ir"
}

# pin_render SECPROF BASE PATH: the pinned text for BASE/PATH.
pin_render() {
	local secprof=$1 base=$2 path=$3 out rc
	# (one statement, so a caller's set -e does not stop at a refusal)
	out=$(cd "$base" && "$secprof" -q ir "$path" --arch amd64 --kernel 6.1 2>&1 </dev/null) && rc=0 || rc=$?
	[[ $rc == 0 ]] || echo "exit $rc"
	printf '%s\n' "$out"
}
