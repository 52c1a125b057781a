#!/usr/bin/env bash
# filter-cache.sh - `secprof run`'s filter cache seen by the real kernel
# (README "The filter cache"): a hit writes nothing and reads no profile
# file for the built-in profile, every option that changes the program
# misses, and an entry that was damaged, forged or planted where others
# can write never confines the command less than its profile says: the
# profile denies mkdir, and mkdir stays denied. tests/unit/test_progcache.c
# checks the same at the library's level, program byte for program byte.
source "$TESTS/lib.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP secprof run tests need root (capability sets, filters)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cache=$tmp/cache/filters

# run OPTS... -- CMD: sets out, err, rc
run() {
	out=$("$SECPROF" run "$@" 2>"$tmp/err"); rc=$?
	err=$(<"$tmp/err")
}
entries() { find "$1" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l; }
the_entry() { find "$cache" -maxdepth 1 -type f ! -name '.*' | head -n 1; }
ino() { stat -c %i "$1"; }

printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}\n' >"$tmp/nomkdir.json"
nomkdir=(--security-opt "seccomp=$tmp/nomkdir.json")
# the verdict on mkdir in $v: "denied" (EPERM from the filter) or "allowed"
mkdir_verdict() {
	rm -rf "$tmp/d"
	run --filter-cache "${1:-$cache}" "${nomkdir[@]}" -- mkdir "$tmp/d"
	if [[ $rc == 1 && $err == *"Operation not permitted"* ]]; then
		v=denied
	elif [[ $rc == 0 && -d $tmp/d ]]; then
		v=allowed
	else
		v="rc $rc: $err"
	fi
}

# ---- the directory, the first run, a hit --------------------------------------
run --filter-cache "$cache" -- true
is "$rc" 0 "first run with a cache"
is "$(stat -c '%a %u' "$cache")" "700 0" "the cache directory is created 0700, owned by root"
is "$(entries "$cache")" 1 "one entry stored"
entry=$(the_entry)
is "$(stat -c '%a %u' "$entry")" "600 0" "the entry is 0600, owned by root"
i1=$(ino "$entry")
if command -v strace >/dev/null; then
	# (LeakSanitizer cannot run under ptrace: off for this one run of an ASan build)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -o "$tmp/trace" -e trace=openat,open,rename,renameat,renameat2 \
		"$SECPROF" run --filter-cache "$cache" -- true 2>/dev/null
	is "$?" 0 "second run (under strace)"
	is "$(ino "$entry")" "$i1" "a hit leaves the entry as it is"
	grep -q "${entry##*/}\", O_RDONLY" "$tmp/trace"; ok $? "a hit reads the entry"
	# a miss would write ".<entry>.<pid>" (O_CREAT) and rename it over <entry>
	! grep -qE "${entry##*/}.*O_CREAT|rename" "$tmp/trace"; ok $? "a hit writes nothing in the cache"
	! grep -qE '\.json' "$tmp/trace"; ok $? "the built-in profile: no profile file is opened"
else
	for what in "second run" "a hit leaves the entry" "a hit reads the entry" "a hit writes nothing" "no profile file"; do
		skip "$what" "strace not installed"
	done
fi

# ---- what changes the program misses ------------------------------------------
k=1
for opt in --cap-add=SYS_ADMIN --cap-drop=ALL --privileged --exact-libseccomp --newer-syscalls \
	"--security-opt=seccomp=$tmp/nomkdir.json"; do
	run --filter-cache "$cache" "$opt" -- true
	[[ $opt == --privileged ]] || k=$((k + 1)) # privileged runs unconfined: no filter
	is "$rc $(entries "$cache")" "0 $k" "$opt: a miss, an entry of its own"
done
run --filter-cache "$cache" --security-opt no-new-privileges -- true
is "$rc $(entries "$cache")" "0 $k" "no-new-privileges does not change the program: a hit"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat", "rmdir"], "action": "SCMP_ACT_ERRNO"}]}\n' >"$tmp/other.json"
cp "$tmp/nomkdir.json" "$tmp/keep.json"
cp "$tmp/other.json" "$tmp/nomkdir.json"
run --filter-cache "$cache" "${nomkdir[@]}" -- true
is "$rc $(entries "$cache")" "0 $((k + 1))" "the profile file changed: a miss"
cp "$tmp/keep.json" "$tmp/nomkdir.json"

# ---- damaged and forged entries never load ------------------------------------
rm -rf "$cache"
mkdir_verdict
is "$v" denied "the profile denies mkdir (a miss)"
mkdir_verdict
is "$v" denied "the profile denies mkdir (a hit)"
entry=$(the_entry)
cp "$entry" "$tmp/good-entry"
# The program's first instruction made RET ALLOW: loadable, allows all.
allow_all() { # ENTRY [rehash]: in place
	python3 - "$@" <<'PY'
import hashlib, struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
h = struct.unpack_from("<8s32s6I", b)
struct.pack_into("<HBBI", b, 64 + h[6], 0x06, 0, 0, 0x7FFF0000)
if len(sys.argv) > 2:
    b = b[:-32] + hashlib.sha256(b[:-32]).digest()
open(p, "wb").write(b)
PY
}
allow_all "$entry"
mkdir_verdict
is "$v" denied "an entry made allow-all (digest left): refused, mkdir still denied"
cmp -s "$entry" "$tmp/good-entry"; ok $? "and the entry is written again as compiled"
allow_all "$entry" rehash
python3 - "$entry" <<'PY'
import hashlib, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[8] ^= 1  # another key inside
open(p, "wb").write(b[:-32] + hashlib.sha256(b[:-32]).digest())
PY
mkdir_verdict
is "$v" denied "an allow-all entry with a good digest but another key: refused"
truncate -s 100 "$entry"
mkdir_verdict
is "$v" denied "a truncated entry: refused"
cmp -s "$entry" "$tmp/good-entry"; ok $? "and written again"

# A perfect forgery (the right key, a good digest, allow-all) in a directory
# others can write, or that another user owns, is never read.
for how in "chmod 0777" "chmod 0770" "chown 65534"; do
	d=$tmp/planted-${how// /-}
	mkdir -m 0700 "$d"
	cp "$tmp/good-entry" "$d/${entry##*/}"
	allow_all "$d/${entry##*/}" rehash
	$how "$d"
	mkdir_verdict "$d"
is "$v" denied "$how on the directory: a forged allow-all entry is not read"
	want="secprof: warning: $d: filter-cache: not used: it must be owned by uid 0 and writable by it alone"
	[[ $err == "$want"* ]]; ok $? "$how: run says the cache is not used"
	[[ $err == "$want"* ]] || diag "$err"
done
# Control: the same forgery in a directory that passes the checks is loaded,
# so the tests above fail if the checks go (an entry is trusted as it is).
d=$tmp/trusted
mkdir -m 0700 "$d"
cp "$tmp/good-entry" "$d/${entry##*/}"
allow_all "$d/${entry##*/}" rehash
mkdir_verdict "$d"
is "$v" allowed "control: the forgery in a root-only directory is loaded"

# ---- the bound: at most 1024 entries, the oldest go ------------------------------
# 1,100 entries written two days ago (the bound reads names and times
# alone), one of them refreshed now, and temporary files of a writer that
# died: one two days old, one just made. Then 80 new profiles: one put in
# eight, drawn by its key, prunes (80 puts without one: (7/8)^80 = 2e-5).
d=$tmp/bound
mkdir -m 0700 "$d"
for ((i = 0; i < 1100; i++)); do printf '%s/%064x\0' "$d" "$i"; done | xargs -0 touch -d '2 days ago'
recent=$(printf '%064x' 7)
touch "$d/$recent"
stale=.$(printf '%064x' 9000).42 fresh=.$(printf '%064x' 9001).43
touch -d '2 days ago' "$d/$stale"
touch "$d/$fresh"
for ((i = 1; i <= 80; i++)); do
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d}]}\n' "$i" >"$tmp/p$i.json"
	"$SECPROF" run --filter-cache "$d" --security-opt "seccomp=$tmp/p$i.json" -- true || echo "run $i failed"
done >"$tmp/bound.out" 2>&1
is "$(<"$tmp/bound.out")" "" "80 runs of new profiles with a cache of 1,100 entries"
old=$(find "$d" -maxdepth 1 -type f ! -name '.*' ! -newermt '1 day ago' | wc -l)
new=$(find "$d" -maxdepth 1 -type f ! -name '.*' -newermt '1 day ago' | wc -l)
total=$((old + new))
((total <= 1024 + 80 && old <= 1100 - 300)); ok $? "the cache was pruned below its bound, oldest first ($old old, $new new)"
is "$new" 81 "every entry written or refreshed today is kept"
[[ -f $d/$recent && ! -e $d/$stale && -f $d/$fresh ]]; ok $? "a dead writer's temporary file goes after an hour, not before"
e1=$(ls -t "$d" | head -n 1)
touch -d '2 days ago' "$d/$e1"
"$SECPROF" run --filter-cache "$d" --security-opt "seccomp=$tmp/p80.json" -- true
[[ -n $(find "$d/$e1" -newermt '1 day ago') ]]; ok $? "a hit refreshes an entry older than an hour"

# ---- turning it off ---------------------------------------------------------------
run --filter-cache "$tmp/off1" --no-filter-cache -- true
[[ $rc == 0 && ! -e $tmp/off1 ]]; ok $? "--no-filter-cache: no cache directory"
out=$(SECPROF_NO_FILTER_CACHE=1 "$SECPROF" run --filter-cache "$tmp/off2" -- true 2>&1)
[[ $? == 0 && ! -e $tmp/off2 ]]; ok $? "SECPROF_NO_FILTER_CACHE=1: no cache directory"
run --filter-cache "$tmp/off3" -q -- true
chmod 0777 "$tmp/off3"
run -q --filter-cache "$tmp/off3" -- true
is "$rc:$err" "0:" "-q: a cache not used is not reported"

# an LXC policy is read for the host uname -m names (src/profile/lxc.c):
# under linux32 that is another host, which must miss the entry the
# x86_64 run wrote (and be refused as without a cache)
if [[ $(uname -m) == x86_64 ]] && command -v setarch >/dev/null; then
	printf '2\ndenylist\n[x86_64]\nmkdir errno 1\n' >"$tmp/p.seccomp"
	run --filter-cache "$tmp/lxc" --security-opt "seccomp=$tmp/p.seccomp" -- true
	n=$(entries "$tmp/lxc")
	out=$(setarch linux32 "$SECPROF" run --filter-cache "$tmp/lxc" --security-opt "seccomp=$tmp/p.seccomp" -- true 2>&1)
	is "$rc $n $? $(grep -c 'LXC takes its host from uname -m' <<<"$out")" "0 1 125 1" \
		"LXC policy: the entry of an x86_64 run is not used under linux32"
else
	skip "LXC policy under linux32" "not an x86_64 host"
fi

done_testing
