#!/usr/bin/env bash
# format.sh - make check-format and make format-all (.clang-format,
# tools/format-files): the listed files pass; a listed file that strays from
# .clang-format fails the check, naming the file, and `make format` mends it;
# on a copy of the tree, format-all formats every C file and lists them all,
# after which check-format holds the whole tree.
source "$TESTS/lib.sh"
set -u
root=$(cd "$TESTS/.." && pwd)
command -v clang-format >/dev/null || { echo "1..0 # SKIP clang-format not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(make -s -C "$root" check-format 2>&1); rc=$?
ok $rc "the files of tools/format-files are formatted"
[[ $rc == 0 ]] || diag "$out"
n=$(grep -cvE '^[[:space:]]*(#|$)' "$root/tools/format-files")
((n > 0)); ok $? "tools/format-files lists $n files"
# a C file added to the tree is held to the format too: every one is listed
# (new files once escaped the check: src/profile/lxc.c, test helpers)
unlisted=$(cd "$root" && for f in src/*.c src/*/*.c src/*/*.h cli/*.c cli/*.h include/*.h init/*.c \
	tests/*/*.c tests/*/*.h examples/*.c bench/*.c; do
	[[ -e $f ]] && ! grep -qxF "$f" tools/format-files && echo "$f"
done)
is "$unlisted" "" "every C file of the tree is listed in tools/format-files"

# a copy of what the targets read
cp -r "$root/src" "$root/cli" "$root/include" "$root/init" "$root/tests" "$root/examples" "$root/bench" \
	"$root/tools" "$root/Makefile" "$root/.clang-format" "$tmp/"
first=$(grep -vE '^[[:space:]]*(#|$)' "$tmp/tools/format-files" | head -n 1)
sed -i '0,/^{$/s//{  /' "$tmp/$first" 2>/dev/null
printf 'int  planted_misformat ;\n' >>"$tmp/$first"
out=$(make -s -C "$tmp" check-format 2>&1); rc=$?
[[ $rc != 0 && $out == *"$first"* ]]; ok $? "a misformatted listed file fails check-format, named"
make -s -C "$tmp" format >/dev/null 2>&1
make -s -C "$tmp" check-format >/dev/null 2>&1; ok $? "make format mends it"
grep -q '^int planted_misformat;$' "$tmp/$first"; ok $? "(the planted line formatted, not lost)"

out=$(make -s -C "$tmp" format-all 2>&1); rc=$?
ok $rc "format-all runs"
want=$(cd "$tmp" && ls src/*.c src/*/*.c src/*/*.h cli/*.c cli/*.h include/*.h init/*.c tests/*/*.c \
	tests/*/*.h examples/*.c bench/*.c 2>/dev/null | LC_ALL=C sort)
got=$(grep -vE '^[[:space:]]*(#|$)' "$tmp/tools/format-files" | LC_ALL=C sort)
is "$got" "$want" "format-all lists every C file of the tree"
out=$(make -s -C "$tmp" check-format 2>&1); rc=$?
ok $rc "after format-all, check-format holds the whole tree"
[[ $rc == 0 ]] || diag "$(head -n 20 <<<"$out")"
done_testing
