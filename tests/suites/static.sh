#!/usr/bin/env bash
# static.sh - the static secprof, built against musl rather than glibc
# (Makefile, "A static secprof"), decides as the dynamic one does: the same
# programs, messages and exit statuses byte for byte over every profile of
# the repository and the reference set on six arches (musl's qsort is not
# glibc's, and no output may hang on the order of equal elements), the same
# resolve, explain, lint and syscalls output, and in the real kernel the
# same verdicts, from `run` and from the filter cache, which needs the
# build ID musl-gcc does not ask for by itself; and the sandbox suites run
# with it as the CLI.
source "$TESTS/lib.sh"
ST=$STATIC_BUILD/secprof-static
[[ -x $ST ]] || { echo "1..0 # SKIP $ST not built (make build/secprof-static)"; exit 0; }
root=$(cd "$TESTS/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# out BINARY ARGS...: stdout (as od prints it: programs hold NUL bytes),
# stderr and exit status in one text
out() {
	local o e rc
	"$@" >"$tmp/o" 2>"$tmp/e"; rc=$?
	o=$(od -An -c "$tmp/o")
	e=$(<"$tmp/e")
	printf '%s\n--\n%s\n-- %s\n' "$o" "${e//$1/BIN}" "$rc"
}

readelf -l "$ST" 2>/dev/null | grep -q 'INTERP'
ok $((!$?)) "secprof-static has no program interpreter (static)"
strings "$ST" | grep -q 'GLIBC_'
ok $((!$?)) "secprof-static holds no glibc symbol version (built against musl)"

# ---- every profile, six arches: compile -----------------------------------------
profiles=(builtin)
while IFS= read -r f; do profiles+=("$f"); done < <(
	{ [[ -d $REF ]] && find "$REF" -name '*.json'; find "$TESTS/data" "$TESTS/decide" "$TESTS/parse" "$TESTS/lint" -name '*.json'; } | sort)
compared=0 differ=()
for f in "${profiles[@]}"; do
	for a in x86_64 aarch64 386 ppc64le mips64el s390x; do
		[[ "$(out "$SECPROF" -q compile "$f" --arch "$a" -o -)" == "$(out "$ST" -q compile "$f" --arch "$a" -o -)" ]] ||
			differ+=("$f $a")
		compared=$((compared + 1))
	done
done
ok $((${#differ[@]} ? 1 : 0)) "compile: the same program, messages and status for $compared profile and arch pairs"
((${#differ[@]})) && diag "differ: ${differ[*]:0:10}"
((compared > 600)); ok $? "compile: $compared pairs compared (more than 600: the profiles were found)"

# large profiles: blocks past the allocator's classes, grown and freed
# (tools/static-malloc.c), on a program that fits and one that does not
for rules in 2000 50000; do
	python3 - "$rules" >"$tmp/big$rules.json" <<'EOF2'
import json, random, sys
random.seed(7)
names = ["read", "write", "openat", "ioctl", "fcntl", "socket", "sendto", "mmap"]
rules = [{"names": [random.choice(names)], "action": "SCMP_ACT_ALLOW",
          "args": [{"index": random.randint(0, 2), "value": random.randint(0, 1 << 40), "op": "SCMP_CMP_EQ"}]}
         for _ in range(int(sys.argv[1]))]
print(json.dumps({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": rules}))
EOF2
	is "$(out "$ST" -q compile "$tmp/big$rules.json" -o - | sha1sum)" \
		"$(out "$SECPROF" -q compile "$tmp/big$rules.json" -o - | sha1sum)" "compile: $rules argument rules, the same result"
done

# ---- other outputs --------------------------------------------------------------
for cmd in "resolve builtin --pretty" "resolve builtin --arch arm64 --cap-add SYS_ADMIN" \
	"explain builtin" "explain builtin clone3 --json" "lint builtin" "ir builtin" \
	"syscalls --arches" "diff builtin $TESTS/data/moby-old-kernel.json" \
	"compile builtin -o" "run -u" "run --user" "compile -qo"; do
	read -ra args <<<"$cmd"
	is "$(out "$ST" "${args[@]}")" "$(out "$SECPROF" "${args[@]}")" "secprof $cmd: the same output"
done
for f in "$TESTS"/lint/*.json; do
	[[ "$(out "$ST" -q lint "$f")" == "$(out "$SECPROF" -q lint "$f")" ]] || differ+=("$f")
done
ok $((${#differ[@]} ? 1 : 0)) "lint: the same findings on every profile of tests/lint"

# ---- the real kernel --------------------------------------------------------------
if [[ $(id -u) != 0 ]]; then
	skip "the static secprof in the kernel" "needs root"
	done_testing
	exit
fi
is "$("$ST" run -- sh -c 'grep -c "^Seccomp:.*2" /proc/self/status; unshare --user true 2>/dev/null || echo refused')" \
	"$(printf '1\nrefused')" "run: the built-in profile is loaded and refuses unshare --user"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}\n' >"$tmp/nomkdir.json"
for i in 1 2; do
	"$ST" run --filter-cache "$tmp/cache" --security-opt "seccomp=$tmp/nomkdir.json" -- \
		sh -c "mkdir $tmp/d$i 2>/dev/null && echo allowed || echo denied" >"$tmp/v$i"
done
is "$(cat "$tmp/v1" "$tmp/v2")" "$(printf 'denied\ndenied')" "run: mkdir denied, compiled and then from the filter cache"
is "$(find "$tmp/cache" -maxdepth 1 -type f | wc -l)" 1 "run: the program is kept in the filter cache (the build has an ID)"
"$SECPROF" run -- "$SECPROF" probe --json >"$tmp/probe.dyn" 2>&1
"$ST" run -- "$ST" probe --json >"$tmp/probe.st" 2>&1
is "$(diff "$tmp/probe.dyn" "$tmp/probe.st")" "" "probe under the built-in profile: the same report, errno and signal names included"
grep -q '"EPERM"' "$tmp/probe.st"
ok $? "probe: the report names EPERM"

# The suites of the sandbox, run with the static secprof as the CLI: what
# the C library does for the container's set-up (musl's scheduling calls
# only return ENOSYS: a caller's real-time class once reached the
# container) is checked as for the shared build. Not beside a sanitizer
# build, whose static secprof is the plain build's, already run.
if [[ $STATIC_BUILD != "$BUILD" ]]; then
	skip "the sandbox suites with the static secprof" "STATIC_BUILD is another build's"
else
	for s in run container filter-cache run-messages; do
		SECPROF=$ST bash "$TESTS/suites/$s.sh" >"$tmp/$s.tap" 2>&1
		rc=$?
		bad=$(grep -c '^not ok' "$tmp/$s.tap")
		good=$(grep -c '^ok' "$tmp/$s.tap")
		((rc == 0 && bad == 0 && good > 0)); ok $? "suite $s with the static secprof ($good ok, $bad not ok)"
		((bad)) && diag "$(grep '^not ok' "$tmp/$s.tap" | head -n 10)"
	done
fi

done_testing
