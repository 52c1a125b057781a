#!/usr/bin/env bash
# layers.sh - tools/check-layers.py: the tree passes it, and it fails on a
# copy of the tree with an upward include, a folder cycle, an unknown folder,
# or (with --strict-cli) a CLI that includes an internal header.
source "$TESTS/lib.sh"
set -u
root=$(cd "$TESTS/.." && pwd)
chk=$root/tools/check-layers.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(python3 "$chk" "$root" 2>&1); rc=$?
ok $rc "the tree's includes go downward only"
[[ $rc == 0 ]] || diag "$out"

fresh() { # a copy of the parts the checker reads
	rm -rf "$tmp/t"; mkdir -p "$tmp/t"
	cp -r "$root/src" "$root/cli" "$root/include" "$tmp/t/"
}

fresh
sed -i '1i #include "sandbox/run.h"' "$tmp/t/src/core/json.c"
grep -q '"sandbox/run.h"' "$tmp/t/src/core/json.c"; ok $? "planted: core/json.c includes sandbox/run.h"
out=$(python3 "$chk" "$tmp/t" 2>&1); rc=$?
[[ $rc == 1 && $out == *'src/core/json.c:1: core includes "sandbox/run.h" of the higher layer sandbox'* ]]
ok $? "an upward include fails, naming file, line and layers"
[[ $out == *'include cycle between folders'* ]]; ok $? "and the core <-> sandbox cycle is reported"
[[ $rc == 1 ]] || diag "$out"

fresh
printf '#include "run.h"\n' >"$tmp/t/src/profile/upward.c"
out=$(python3 "$chk" "$tmp/t" 2>&1); rc=$?
[[ $rc == 1 && $out == *'names no file'* ]]; ok $? "an include that resolves nowhere fails"

fresh
printf '#include "../sandbox/run.h"\n' >"$tmp/t/src/ir/upward.h"
out=$(python3 "$chk" "$tmp/t" 2>&1); rc=$?
[[ $rc == 1 && $out == *'src/ir/upward.h:1: ir includes'* ]]; ok $? "a relative path upward fails too"

fresh
mkdir "$tmp/t/src/misc" && printf '#include "core/util.h"\n' >"$tmp/t/src/misc/x.c"
out=$(python3 "$chk" "$tmp/t" 2>&1); rc=$?
[[ $rc == 1 && $out == *'src/misc/ is in no layer'* ]]; ok $? "a folder in no layer fails"

fresh
printf '/* #include "sandbox/run.h" */\n#include "core/util.h"\n' >"$tmp/t/src/core/commented.c"
out=$(python3 "$chk" "$tmp/t" 2>&1); rc=$?
ok $rc "an include inside a comment is not one"

fresh
printf '#include "cli.h"\n#include "secprof.h"\n' >"$tmp/t/cli/clean.c"
for f in "$tmp"/t/cli/*.c; do sed -i '/#include "\(core\|profile\|ir\|bpf\|sandbox\)\//d' "$f"; done
out=$(python3 "$chk" --strict-cli "$tmp/t" 2>&1); rc=$?
ok $rc "--strict-cli passes a CLI that includes secprof.h and cli.h only"
printf '#include "ir/ruleset.h"\n' >>"$tmp/t/cli/clean.c"
out=$(python3 "$chk" --strict-cli "$tmp/t" 2>&1); rc=$?
[[ $rc == 1 && $out == *'cli/clean.c:3: cli includes "ir/ruleset.h"'* ]]; ok $? "--strict-cli fails on an internal header"
out=$(python3 "$chk" "$tmp/t" 2>&1); rc=$?
[[ $rc == 0 && $out == *'warning: cli/clean.c:3'* ]]; ok $? "without it, a warning"

done_testing
