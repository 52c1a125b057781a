#!/usr/bin/env bash
# record.sh - `secprof record`: real workloads recorded with each backend,
# run again under the profile they gave (same output), calls outside it
# denied by the real kernel, both backends agreeing, children and threads
# followed, nothing of secprof's set-up before the filter-load point
# recorded, i386 calls recorded as themselves, merge, runtime sets, formats.
source "$TESTS/lib.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP secprof record tests need root (eBPF backend, filters)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
backends=(notify)
if "$SECPROF" record -q --backend ebpf -o "$tmp/probe.json" -- true 2>"$tmp/err"; then
	backends=(ebpf notify)
else
	diag "eBPF backend unavailable: $(<"$tmp/err")"
fi

# names FILE: the sorted names a profile allows, one line each, "name" or
# "name/index=value" for an argument rule.
names() {
	python3 - "$1" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
out = set()
for e in p["syscalls"]:
    for n in e["names"]:
        if e.get("args"):
            for a in e["args"]:
                out.add("%s/%d=%d" % (n, a["index"], a["value"]))
        else:
            out.add(n)
print("\n".join(sorted(out)))
PY
}
# rec BACKEND OUT CMD...: record, sets rc and err
rec() {
	local b=$1 o=$2; shift 2
	"$SECPROF" record -q --backend "$b" -o "$o" -- "$@" >"$tmp/rec.out" 2>"$tmp/err"; rc=$?
	err=$(<"$tmp/err")
}

PY='import json, ssl; print(json.dumps({"ssl": ssl.OPENSSL_VERSION_INFO[0] >= 1}))'
want=$(python3 -c "$PY")
for b in "${backends[@]}"; do
	rec "$b" "$tmp/py-$b.json" python3 -c "$PY"
	is "$rc:$(<"$tmp/rec.out")" "0:$want" "$b: python3 import json, ssl recorded, output unchanged"
	"$SECPROF" check --strict "$tmp/py-$b.json" >/dev/null 2>&1; ok $? "$b: the recorded profile passes check --strict"
	is "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(p["defaultAction"], p["defaultErrnoRet"], p["architectures"])' "$tmp/py-$b.json")" \
		"SCMP_ACT_ERRNO 1 ['SCMP_ARCH_X86_64']" "$b: ERRNO/EPERM default, the ABI seen"
	out=$("$SECPROF" -q run --security-opt seccomp="$tmp/py-$b.json" -- python3 -c "$PY" 2>&1); rc=$?
	is "$rc:$out" "0:$want" "$b: the same workload runs under its recorded profile with the same output"
	UNSHARE='import ctypes; l = ctypes.CDLL(None, use_errno=True); print(l.unshare(0x10000000), ctypes.get_errno())'
	out=$("$SECPROF" -q run --security-opt seccomp="$tmp/py-$b.json" -- python3 -c "$UNSHARE" 2>&1)
	is "$out" "-1 1" "$b: unshare(CLONE_NEWUSER), outside the recording, is denied with EPERM"
	names "$tmp/py-$b.json" | grep -qx close_range; ok $((!$?)) "$b: close_range (secprof's own fd closing before the load point) is not recorded"
	names "$tmp/py-$b.json" | grep -qx execve; ok $? "$b: execve (after the load point) is recorded"

	# tar czf: children (gzip) followed; the archive lists the same.
	mkdir -p "$tmp/src-$b/d" && echo hello >"$tmp/src-$b/d/f" && echo x >"$tmp/src-$b/g"
	rec "$b" "$tmp/tar-$b.json" tar czf "$tmp/a-$b.tgz" -C "$tmp/src-$b" .
	is "$rc" 0 "$b: tar czf recorded"
	names "$tmp/tar-$b.json" | grep -qE '^(clone|clone3|fork|vfork)($|/)'; ok $? "$b: tar's fork of gzip is recorded"
	names "$tmp/tar-$b.json" | grep -qx wait4; ok $? "$b: wait4 recorded"
	rm -f "$tmp/b-$b.tgz"
	"$SECPROF" -q run --security-opt seccomp="$tmp/tar-$b.json" -- tar czf "$tmp/b-$b.tgz" -C "$tmp/src-$b" . 2>"$tmp/err"; rc=$?
	is "$rc:$(tar tzf "$tmp/b-$b.tgz" 2>/dev/null | sort | tr '\n' ' ')" "0:$(tar tzf "$tmp/a-$b.tgz" | sort | tr '\n' ' ')" \
		"$b: tar czf runs under its recorded profile, the same archive"

	# a call made only by a thread of a child. Python's join() returns when
	# the thread state is gone, before the thread's own madvise and exit:
	# the sleep lets those happen, so both backends see the same run.
	rec "$b" "$tmp/thr-$b.json" sh -c 'python3 -c "import threading, os, time; t = threading.Thread(target=lambda: os.getpriority(os.PRIO_PROCESS, 0)); t.start(); t.join(); time.sleep(0.2)"'
	names "$tmp/thr-$b.json" | grep -qx getpriority; ok $? "$b: a call made only by a thread of a child is recorded"

	# argument values: socket's family exactly
	rec "$b" "$tmp/sock-$b.json" python3 -c 'import socket; socket.socket(socket.AF_UNIX).close(); print("unix ok")'
	names "$tmp/sock-$b.json" | grep -E '^socket' | tr '\n' ' ' >"$tmp/s"
	is "$(<"$tmp/s")" "socket/0=1 " "$b: socket recorded with its family, AF_UNIX (1), only"
	out=$("$SECPROF" -q run --security-opt seccomp="$tmp/sock-$b.json" -- python3 -c 'import socket; socket.socket(socket.AF_UNIX).close(); print("unix ok")' 2>&1)
	is "$out" "unix ok" "$b: AF_UNIX socket allowed under the recorded profile"
	out=$("$SECPROF" -q run --security-opt seccomp="$tmp/sock-$b.json" -- python3 -c 'import socket; socket.socket(socket.AF_INET6).close(); print("inet6 ok")' 2>&1); rc=$?
	[[ $rc != 0 && $out == *"PermissionError"*"Operation not permitted"* ]]; ok $? "$b: AF_INET6 socket, a family not recorded, is denied with EPERM"
	"$SECPROF" record -q --backend "$b" --no-args -o "$tmp/sock-na-$b.json" -- python3 -c 'import socket; socket.socket(socket.AF_UNIX).close()' 2>/dev/null
	names "$tmp/sock-na-$b.json" | grep -E '^socket' | tr '\n' ' ' >"$tmp/s"
	is "$(<"$tmp/s")" "socket " "$b: --no-args: socket allowed whatever its family"
done

# ---- both backends record the same set ----
if [[ ${#backends[@]} == 2 ]]; then
	for w in py sock thr; do
		is "$(names "$tmp/$w-ebpf.json" | tr '\n' ' ')" "$(names "$tmp/$w-notify.json" | tr '\n' ' ')" \
			"eBPF and notify record the same set ($w)"
	done
	# tar's and gzip's calls may differ run to run only in timing: compare too
	is "$(names "$tmp/tar-ebpf.json" | tr '\n' ' ')" "$(names "$tmp/tar-notify.json" | tr '\n' ' ')" \
		"eBPF and notify record the same set (tar czf)"
else
	skip "eBPF and notify record the same set" "no eBPF backend"
fi

# ---- i386: a 32-bit static binary, its calls recorded as i386 ----
i386_ok=0
if ! gcc -m32 -static -O2 -o "$tmp/sock32" "$TESTS/data/record/sock32.c" 2>"$tmp/err"; then
	skip "32-bit static binary" "gcc -m32 -static failed (gcc-multilib?)"
elif ! want=$( ("$tmp/sock32") 2>&1) || [[ -z $want ]]; then
	# some kernels run no i386 program (ia32_emulation=0, or a virtual
	# machine without 32-bit compat mode)
	skip "32-bit static binary" "this kernel runs no i386 program: ${want:-no output}"
else
	i386_ok=1
	for b in "${backends[@]}"; do
		rec "$b" "$tmp/i386-$b.json" "$tmp/sock32"
		is "$rc:$(<"$tmp/rec.out")" "0:$want" "$b: 32-bit static binary recorded"
		is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["architectures"])' "$tmp/i386-$b.json")" \
			"['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']" "$b: x86_64 (secprof, execve) and i386 both listed"
		names "$tmp/i386-$b.json" | grep -qx socketcall; ok $? "$b: i386 socketcall recorded by its i386 name"
		[[ $err == *"warning: socketcall (x86) was called: the profile allows it, and socket's family sits behind its pointer"* ]]
		ok $? "$b: that socketcall lets every family through is said"
		names "$tmp/i386-$b.json" | grep -qx set_thread_area; ok $? "$b: i386-only set_thread_area recorded"
		out=$("$SECPROF" -q run --security-opt seccomp="$tmp/i386-$b.json" -- "$tmp/sock32" 2>&1); rc=$?
		is "$rc:$out" "0:$want" "$b: the 32-bit binary runs under its recorded profile"
	done
	if [[ ${#backends[@]} == 2 ]]; then
		is "$(names "$tmp/i386-ebpf.json" | tr '\n' ' ')" "$(names "$tmp/i386-notify.json" | tr '\n' ' ')" \
			"eBPF and notify record the same i386 set"
	fi
	# An i386 call puts SCMP_ARCH_X86 in the profile; socket(AF_INET) seen
	# on x86_64 is allowed for family 2 alone, but libseccomp copies that
	# rule onto i386 socketcall(SYS_SOCKET) without the family test: with
	# socketcall never seen, an ENOSYS rule for it comes first, so no i386
	# socket of another family opens.
	if cc -static -O2 -o "$tmp/i386call" "$TESTS/helpers/i386call.c" 2>/dev/null; then
		rec "${backends[0]}" "$tmp/mux.json" sh -c "$tmp/i386call 20 >/dev/null; python3 -c 'import socket; socket.socket()'"
		is "$rc:$("$SECPROF" -q eval "$tmp/mux.json" socketcall 1 --abi x86 | head -n 1):$("$SECPROF" -q eval "$tmp/mux.json" socket 2 | head -n 1):$("$SECPROF" -q eval "$tmp/mux.json" socket 10 | head -n 1)" \
			"0:ERRNO(38):ALLOW:ERRNO(1)" \
			"i386 socketcall(SYS_SOCKET), never seen, is ENOSYS; socket(AF_INET) seen on x86_64 allowed, AF_INET6 not"
		if [[ -x $BUILD/tests/scmp_eval ]]; then
			is "$("$BUILD/tests/scmp_eval" "$tmp/mux.json" --arch 386 socketcall 1)" \
				"nr 102: secprof ERRNO(38), libseccomp/runc ERRNO(38)" \
				"libseccomp as runc: the ENOSYS rule comes before socket's copy, so socketcall(SYS_SOCKET) stays denied"
		fi
		# --base: the same, unless the base answers some socketcall call
		# itself (the ENOSYS rule would take that answer): then socket
		# keeps the base's answer, with a note
		python3 - "$tmp/mux.json" "$tmp/muxbase" <<'PY'
import json, sys
mux = set("socket bind connect listen accept getsockname getpeername socketpair send recv sendto "
          "recvfrom shutdown setsockopt getsockopt sendmsg recvmsg accept4 recvmmsg sendmmsg socketcall".split())
p = json.load(open(sys.argv[1]))
for keep, suffix in ((set(), "-none.json"), ({"getsockname"}, "-some.json")):
    q = json.loads(json.dumps(p))
    for r in q["syscalls"]:
        r["names"] = [n for n in r["names"] if n not in mux - keep]
    q["syscalls"] = [r for r in q["syscalls"] if r["names"]]
    if keep:
        q["syscalls"].append({"names": sorted(keep), "action": "SCMP_ACT_ALLOW"})
    json.dump(q, open(sys.argv[2] + suffix, "w"))
PY
		cmd=(sh -c "$tmp/i386call 20 >/dev/null; python3 -c 'import socket; socket.socket()'")
		"$SECPROF" record -q --base "$tmp/muxbase-none.json" -o "$tmp/mux-b1.json" -- "${cmd[@]}" >/dev/null 2>&1
		is "$("$SECPROF" -q eval "$tmp/mux-b1.json" socketcall 1 --abi x86 | head -n 1):$("$SECPROF" -q eval "$tmp/mux-b1.json" socket 2 | head -n 1)" \
			"ERRNO(38):ALLOW" "--base that answers no socketcall call: the ENOSYS rule, socket(AF_INET) added"
		out=$("$SECPROF" record --base "$tmp/muxbase-some.json" -o "$tmp/mux-b2.json" -- "${cmd[@]}" 2>&1 >/dev/null)
		[[ $out == *"--base: socket keeps the base's answer: libseccomp would copy its rule onto i386 socketcall(SYS_SOCKET) without the family test"* &&
			$("$SECPROF" -q eval "$tmp/mux-b2.json" socketcall 1 --abi x86 | head -n 1):$("$SECPROF" -q eval "$tmp/mux-b2.json" socket 2 | head -n 1) == "ERRNO(1):ERRNO(1)" ]]
		ok $? "--base that answers getsockname's socketcall copy: socket keeps the base's answer (denied, socketcall(SYS_SOCKET) too), with a note"
	fi
fi

# --base whose architectures list x86 where nothing was recorded on it:
# the profile written has the base's arches, so socket's copy onto i386
# socketcall is guarded all the same
echo '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ALLOW"}]}' >"$tmp/base-x86.json"
"$SECPROF" record -q --base "$tmp/base-x86.json" -o "$tmp/rb-x86.json" -- python3 -c 'import socket; socket.socket()' >/dev/null 2>&1
is "$?:$("$SECPROF" -q eval "$tmp/rb-x86.json" socketcall 1 --abi x86 | head -n 1):$("$SECPROF" -q eval "$tmp/rb-x86.json" socket 2 | head -n 1)" \
	"0:ERRNO(38):ALLOW" "--base listing x86, nothing recorded there: i386 socketcall(SYS_SOCKET) is ENOSYS"

b=${backends[0]}
# ---- merge: the union, with run counts ----
"$SECPROF" record --merge "$tmp/py-$b.json" "$tmp/tar-$b.json" -o "$tmp/merged.json" 2>"$tmp/err"; rc=$?
is "$rc" 0 "--merge of two recordings"
is "$(names "$tmp/merged.json" | tr '\n' ' ')" "$(cat <(names "$tmp/py-$b.json") <(names "$tmp/tar-$b.json") | sort -u | tr '\n' ' ')" \
	"--merge: the union of the names and argument values"
python3 - "$tmp/merged.json" "$tmp/py-$b.json" "$tmp/tar-$b.json" <<'PY'; ok $? "--merge: each call's run count in its comment (2 of 2 for calls in both)"
import json, sys
# Names recorded (not those of the runtime's set, written again by --runtime).
def plain(f):
    return {n for e in json.load(open(f))["syscalls"]
            if not e.get("args") and e["comment"].startswith("seen") for n in e["names"]}
m = json.load(open(sys.argv[1]))
both = plain(sys.argv[2]) & plain(sys.argv[3])
one = (plain(sys.argv[2]) | plain(sys.argv[3])) - both
runs = {}
for e in m["syscalls"]:
    if not e.get("args"):
        for n in e["names"]:
            runs[n] = e["comment"]
bad = [n for n in both if runs.get(n) != "seen in 2 of 2 runs"] + [n for n in one if runs.get(n) != "seen in 1 of 2 runs"]
sys.exit(1 if bad or not both or not one else 0)
PY
"$SECPROF" record --merge "$tmp/merged.json" "$tmp/thr-$b.json" -o "$tmp/merged3.json" 2>/dev/null
grep -q '"seen in 3 of 3 runs"' "$tmp/merged3.json"; ok $? "--merge of a merged profile keeps counting runs (3 of 3)"
"$SECPROF" record -q --backend "$b" -o "$tmp/both.json" -- sh -c "python3 -c '$PY' >/dev/null; tar czf $tmp/c.tgz -C $tmp/src-$b ." 2>/dev/null
extra=$(comm -23 <(names "$tmp/merged.json") <(names "$tmp/both.json"))
is "$extra" "" "--merge: the union is within a recording of both workloads in one run"
# Equal, not only within: each workload run the way the both-run runs it
# (sh forks it, waits, then runs the builtin ':'), so sh's own calls are
# the same in all three recordings.
for bk in "${backends[@]}"; do
	"$SECPROF" record -q --backend "$bk" -o "$tmp/eq-a.json" -- sh -c "python3 -c '$PY' >/dev/null; :" 2>/dev/null
	"$SECPROF" record -q --backend "$bk" -o "$tmp/eq-b.json" -- sh -c "tar czf $tmp/c.tgz -C $tmp/src-$b .; :" 2>/dev/null
	"$SECPROF" record -q --backend "$bk" -o "$tmp/eq-ab.json" -- sh -c "python3 -c '$PY' >/dev/null; tar czf $tmp/c.tgz -C $tmp/src-$b .; :" 2>/dev/null
	"$SECPROF" record --merge "$tmp/eq-a.json" "$tmp/eq-b.json" -o "$tmp/eq-m.json" 2>/dev/null
	[[ $(names "$tmp/eq-a.json") != "$(names "$tmp/eq-b.json")" ]]; ok $? "$bk: the two workloads call different sets"
	is "$(names "$tmp/eq-m.json")" "$(names "$tmp/eq-ab.json")" \
		"$bk: --merge of a recording of each workload equals a recording of both (names and argument values)"
done
# --merge and --append read recordings: an entry a recording cannot hold
# (a MASKED_EQ, a second test, includes/excludes, a deny on a name it also
# allows) is refused. 8ea82b3 read a MASKED_EQ rule as "any value" and
# dropped includes: the union of moby's clone rule (no namespace flags)
# allowed clone(CLONE_NEWUSER), and --append onto a --base builtin profile
# allowed mount, bpf and unshare, gated on CAP_SYS_ADMIN in the base.
out=$("$SECPROF" record --merge "$TESTS/data/record/not-a-recording.json" "$tmp/py-$b.json" -o "$tmp/nar.json" 2>&1); rc=$?
is "$rc" 125 "--merge of a profile with a MASKED_EQ rule: refused"
[[ $out == *"syscalls[1]: not an entry secprof record writes: its argument tests are not one SCMP_CMP_EQ"* ]]
ok $? "--merge: the refusal names the entry and why"
[[ ! -s $tmp/nar.json ]] || [[ $("$SECPROF" -q eval "$tmp/nar.json" clone 0x10000011 | head -1) != ALLOW ]]
ok $? "--merge: no profile allowing clone(CLONE_NEWUSER) written"
"$SECPROF" record -q --backend "$b" --base builtin -o "$tmp/base.json" -- true 2>/dev/null
cp "$tmp/base.json" "$tmp/base2.json"
"$SECPROF" record -q --backend "$b" --append "$tmp/base2.json" -- touch "$tmp/ran" 2>/dev/null; rc=$?
is "$rc:$([[ -e $tmp/ran ]] && echo ran)" "125:" "--append onto a --base builtin profile: refused before the command runs"
cmp -s "$tmp/base.json" "$tmp/base2.json"; ok $? "--append refused: the profile is left as it was"
is "$("$SECPROF" -q eval "$tmp/base2.json" mount | head -1)" "ERRNO(1)" "--append refused: mount still denied (CAP_SYS_ADMIN in the base)"
cp "$tmp/py-$b.json" "$tmp/app.json"
"$SECPROF" record -q --backend "$b" --append "$tmp/app.json" -- tar czf "$tmp/d.tgz" -C "$tmp/src-$b" . 2>/dev/null
is "$(names "$tmp/app.json" | tr '\n' ' ')" "$(cat <(names "$tmp/py-$b.json") <(names "$tmp/tar-$b.json") | sort -u | tr '\n' ' ')" \
	"--append FILE: the recording merged into FILE"
# -o FILE is opened before the command runs, and written through that
# fd: a command replacing it with a symlink gets nothing written where it
# points (4a0ee25 opened -o at the end, as root: any host file).
echo canary >"$tmp/victim"
"$SECPROF" record -q --backend "$b" -o "$tmp/swap.json" -- sh -c \
	"rm -f '$tmp/swap.json'; ln -s '$tmp/victim' '$tmp/swap.json'" 2>/dev/null
is "$(cat "$tmp/victim")" canary "-o FILE replaced by a symlink during the recording: its target is untouched ($b)"
# record runs the command as it is, without a filter: with the caller's
# stdin when it is not a container.
is "$(echo piped | "$SECPROF" record -q --backend "$b" -o "$tmp/cat.json" -- cat 2>/dev/null)" piped \
	"record without --rootfs: the command reads the caller's stdin"
mkfifo "$tmp/fifo.json"
out=$(timeout 20 "$SECPROF" record -q --backend "$b" -o "$tmp/fifo.json" -- true 2>&1)
is "$?:$out" "125:secprof: record: cannot write $tmp/fifo.json: not a regular file" "-o FIFO: refused at once, before the command runs"

# clone3's flags are behind a pointer no filter reads: a recorded profile
# answers it ENOSYS (as moby's default) and allows clone, glibc's fallback,
# for the flags the recorder read from struct clone_args. e3eabba allowed
# clone3 whatever its flags, and --portable added clone whatever its flags:
# both made a user namespace under the profile of a program that never did.
for bk in "${backends[@]}"; do
	for p in "" --portable; do
		"$SECPROF" record -q $p --backend "$bk" -o "$tmp/c3.json" -- python3 "$TESTS/data/record/clone3.py" >/dev/null 2>&1
		out=$("$SECPROF" run -q --security-opt "seccomp=$tmp/c3.json" -- python3 "$TESTS/data/record/clone3.py" x 2>&1)
		is "$(tr '\n' '|' <<<"$out")" "clone3 Function not implemented|clone Operation not permitted|done|" \
			"recorded threads (clone3): clone3 ENOSYS, clone only for the flags seen; the thread still starts ($bk${p:+ $p})"
	done
done
# ... and --merge keeps clone3's ENOSYS (ac9e41b dropped it: with a call
# numbered above clone3's in the profile, runc's stub no longer answers it
# ENOSYS and threads fail with EPERM), without a word of widening.
"$SECPROF" record --merge "$tmp/c3.json" -o "$tmp/c3m.json" 2>"$tmp/err"
python3 - "$tmp/c3m.json" <<'PY'; ok $? "--merge of a recording with threads keeps clone3 answered ENOSYS"
import json, sys
p = json.load(open(sys.argv[1]))
sys.exit(0 if any(e["names"] == ["clone3"] and e.get("errnoRet") == 38 for e in p["syscalls"]) else 1)
PY
"$SECPROF" record -q --backend "$b" --append "$tmp/c3m.json" -- true 2>"$tmp/err"
is "$(grep -c 'distinct values' "$tmp/err")" 0 "--append: no widening warning for the merged profile's plain entries"

# More distinct values than an entry lists: allowed whatever the argument,
# and said (e3eabba was silent).
out=$("$SECPROF" record --backend "$b" -o "$tmp/many.json" -- python3 -c \
	'import ctypes; l = ctypes.CDLL(None); [l.prctl(1000 + i, 0, 0, 0, 0) for i in range(40)]' 2>&1 >/dev/null)
[[ $out == *"warning: prctl (x86_64) was called with more than 32 distinct values of the argument profiles check: the profile allows it whatever that argument"* ]]
ok $? "40 distinct prctl options: the widening is said ($b)"
# The eBPF recorder keeps 4096 argument values; past that a call seen only
# then kept no value, and 8ea82b3 wrote it allowed whatever its argument:
# socket(AF_INET) recorded, socket(AF_VSOCK) allowed. It is left out now.
if [[ " ${backends[*]} " == *" ebpf "* ]]; then
	out=$("$SECPROF" record --backend ebpf -o "$tmp/lost.json" -- python3 -c '
import ctypes, socket; l = ctypes.CDLL(None)
[l.prctl(100000 + i, 0, 0, 0, 0) for i in range(5000)]
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()' 2>&1 >/dev/null)
	[[ $out == *"a call whose argument values were all lost is left out of the profile"* ]]
	ok $? "ebpf: argument values lost (map full): said"
	is "$("$SECPROF" -q eval "$tmp/lost.json" socket 40 | head -1)" "ERRNO(1)" \
		"ebpf: argument values lost: socket is not allowed whatever its family (AF_VSOCK denied)"
else
	skip "ebpf: argument values lost" "no eBPF backend"
fi

# ---- runtime sets and formats ----
"$SECPROF" record -q --backend "$b" --runtime runc -o "$tmp/runc.json" -- true 2>/dev/null
for nm in setuid setgid getppid capset fcntl epoll_pwait; do
	names "$tmp/runc.json" | grep -qx "$nm" || { ok 1 "--runtime runc adds $nm"; continue; }
	ok 0 "--runtime runc adds $nm (runc's standard_init after InitSeccomp)"
done
names "$tmp/runc.json" | grep -q '^prctl/'; ok $((!$?)) "--runtime runc: prctl allowed whatever its option (runc's own prctls)"
"$SECPROF" record -q --backend "$b" --runtime crun -o "$tmp/crun.json" -- true 2>/dev/null
for nm in setresuid setresgid capset rt_sigaction pselect6; do
	names "$tmp/crun.json" | grep -qx "$nm" || { ok 1 "--runtime crun adds $nm"; continue; }
	ok 0 "--runtime crun adds $nm (crun's container_init after libcrun_apply_seccomp)"
done
names "$tmp/crun.json" | grep -qx "getppid"; ok $((!$?)) "--runtime crun: not runc's own calls (getppid)"
"$SECPROF" record -q --backend "$b" --runtime nope -o "$tmp/x.json" -- true 2>/dev/null
is "$?" 125 "--runtime nope refused (125)"
"$SECPROF" record -q --backend "$b" --format oci -o "$tmp/oci.json" -- true 2>/dev/null
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); sys.exit(any("comment" in e for e in p["syscalls"]))' "$tmp/oci.json"; ok $? "--format oci: no comment fields (LinuxSyscall has none)"
"$SECPROF" record -q --backend "$b" --format spo --name demo -o "$tmp/spo.yaml" -- true 2>/dev/null
grep -qx 'kind: SeccompProfile' "$tmp/spo.yaml" && grep -qx '  name: demo' "$tmp/spo.yaml" &&
	grep -qx '  defaultAction: SCMP_ACT_ERRNO' "$tmp/spo.yaml" && grep -qx '        - execve' "$tmp/spo.yaml"
ok $? "--format spo: a SeccompProfile with the names"

# ---- --pid and --cgroup: what runs already (eBPF) ----
if [[ ${backends[0]} == ebpf ]]; then
	THR='import threading, os, time; t = threading.Thread(target=lambda: os.getpriority(os.PRIO_PROCESS, 0)); t.start(); t.join(); time.sleep(0.2)'
	# The process waits for the recorder to be attached (the go file).
	sh -c "while [ ! -e $tmp/go ]; do sleep 0.05; done; python3 -c '$THR'" &
	pid=$!
	( sleep 1; touch "$tmp/go" ) &
	timeout 60 "$SECPROF" record -q --pid "$pid" -o "$tmp/pid.json" 2>"$tmp/err"; rc=$?
	wait
	is "$rc" 0 "--pid: recorded until the process exited"
	names "$tmp/pid.json" | grep -qx getpriority; ok $? "--pid: a call of a thread of a child of the process is recorded"
	names "$tmp/pid.json" | grep -qx execve; ok $? "--pid: the child's execve is recorded"
	rm -f "$tmp/go"
	cg=/sys/fs/cgroup/unified/secprof-record-$$
	[[ -d /sys/fs/cgroup/unified ]] || cg=/sys/fs/cgroup/secprof-record-$$
	if mkdir "$cg" 2>/dev/null; then
		sh -c "echo \$\$ > $cg/cgroup.procs; while [ ! -e $tmp/go ]; do sleep 0.05; done; python3 -c 'import os; os.getpriority(os.PRIO_PROCESS, 0)'" &
		for _ in $(seq 100); do grep -q 'populated 1' "$cg/cgroup.events" && break; sleep 0.05; done
		( sleep 1; touch "$tmp/go" ) &
		timeout 60 "$SECPROF" record -q --cgroup "$cg" -o "$tmp/cg.json" 2>"$tmp/err"; rc=$?
		wait
		rmdir "$cg"
		is "$rc" 0 "--cgroup: recorded until the cgroup was empty"
		names "$tmp/cg.json" | grep -qx getpriority; ok $? "--cgroup: the calls of a task of the cgroup are recorded"
		timeout 60 "$SECPROF" record -q --cgroup "$cg" -o "$tmp/cg.json" 2>/dev/null
		is "$?" 125 "--cgroup of a missing directory: 125"
	else
		skip "--cgroup" "cannot make a cgroup v2 directory"
	fi
	timeout 10 "$SECPROF" record -q --pid 1 --duration 1 -o "$tmp/init.json" 2>/dev/null
	is "$?" 0 "--duration ends a --pid recording"
else
	skip "--pid and --cgroup" "no eBPF backend"
fi

# ---- --portable: the equivalents another libc may call ----
"$SECPROF" record -q --backend "$b" --portable -o "$tmp/port.json" -- tar czf "$tmp/e.tgz" -C "$tmp/src-$b" . 2>/dev/null
names "$tmp/port.json" | grep -qx openat && names "$tmp/port.json" | grep -qx open && names "$tmp/port.json" | grep -qx creat
ok $? "--portable: openat seen, open and creat allowed too"
names "$tmp/tar-$b.json" | grep -qx open; ok $((!$?)) "without --portable, open (not seen) is not allowed"
is "$("$SECPROF" eval "$tmp/port.json" clone3 2>&1 | head -n 1)" "ERRNO(38)" \
	"--portable: clone3 answered ENOSYS (glibc falls back to clone, whose flags are checked), as Docker's default"
out=$("$SECPROF" -q run --security-opt seccomp="$tmp/port.json" -- tar czf "$tmp/f.tgz" -C "$tmp/src-$b" . 2>&1); rc=$?
is "$rc" 0 "--portable: the workload still runs under the profile"
"$SECPROF" check --strict "$tmp/port.json" >/dev/null 2>&1; ok $? "--portable: the profile passes check --strict"

# ---- --portable: ENOSYS for the calls newer than the kernel ----
# newer_than RELEASE PROFILE: the names data/syscall-kernel.tsv dates after
# RELEASE that x86_64 numbers and PROFILE names in no other entry, sorted:
# what its ENOSYS entry must hold.
"$SECPROF" syscalls --arch x86_64 2>/dev/null | awk '{print $1}' | sort -u >"$tmp/x64-names"
newer_than() {
	python3 - "$TESTS/../data/syscall-kernel.tsv" "$1" "$2" "$tmp/x64-names" <<'PY'
import json, sys
rel = tuple(int(x) for x in sys.argv[2].split(".")[:2])
p = json.load(open(sys.argv[3]))
x64 = set(open(sys.argv[4]).read().split())
named = {n for e in p["syscalls"] if not e["comment"].startswith("newer") for n in e["names"]}
out = []
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    name, ver, _ = line.rstrip("\n").split("\t")
    if tuple(int(x) for x in ver.split(".")) > rel and name not in named and name in x64:
        out.append(name)
print(" ".join(sorted(out)))
PY
}
# newer_entry PROFILE RELEASE: the names of its ENOSYS entry for RELEASE
newer_entry() {
	python3 -c 'import json,sys; print(" ".join(sorted(n for e in json.load(open(sys.argv[1]))["syscalls"] if e["comment"].startswith("newer than Linux " + sys.argv[2] + ",") and e["action"] == "SCMP_ACT_ERRNO" and e["errnoRet"] == 38 for n in e["names"])))' "$1" "$2"
}
CT='import ctypes; l = ctypes.CDLL(None, use_errno=True)'
"$SECPROF" record -q --backend "$b" --portable --kernel 3.10 -o "$tmp/old.json" -- python3 -c "$CT; print(1)" 2>/dev/null
"$SECPROF" record -q --backend "$b" -o "$tmp/plain.json" -- python3 -c "$CT; print(1)" 2>/dev/null
want=$(newer_than 3.10 "$tmp/old.json")
[[ -n $want ]]; ok $? "--kernel 3.10: there are calls newer than 3.10 not recorded"
is "$(newer_entry "$tmp/old.json" 3.10)" "$want" "--portable --kernel 3.10: one ENOSYS entry with every x86_64 call newer than 3.10 the profile does not allow"
is "$("$SECPROF" eval "$tmp/old.json" bpf | head -1)/$("$SECPROF" eval "$tmp/old.json" ptrace | head -1)/$("$SECPROF" eval "$tmp/old.json" rseq | head -1)" \
	"ERRNO(38)/ERRNO(1)/ALLOW" "--kernel 3.10: bpf (3.18) ENOSYS, ptrace (1.0) EPERM, rseq (4.18, seen) allowed"
is "$("$SECPROF" eval "$tmp/plain.json" bpf | head -1)" "ERRNO(1)" "without --portable bpf is EPERM"
out=$("$SECPROF" -q run --security-opt seccomp="$tmp/old.json" -- python3 -c "$CT; print(l.syscall(321, 0, 0, 0), ctypes.get_errno())" 2>&1)
is "$out" "-1 38" "the real kernel answers bpf(2) ENOSYS under the --kernel 3.10 profile"
out=$("$SECPROF" -q run --security-opt seccomp="$tmp/plain.json" -- python3 -c "$CT; print(l.syscall(321, 0, 0, 0), ctypes.get_errno())" 2>&1)
is "$out" "-1 1" "and EPERM under the profile recorded without --portable"
"$SECPROF" check --strict "$tmp/old.json" >/dev/null 2>&1; ok $? "--kernel 3.10: passes check --strict"
kr=$(uname -r | grep -oE '^[0-9]+\.[0-9]+')
"$SECPROF" record -q --backend "$b" --portable -o "$tmp/now.json" -- true 2>/dev/null
is "$(newer_entry "$tmp/now.json" "$kr")" "$(newer_than "$kr" "$tmp/now.json")" \
	"--portable: by default the calls newer than the kernel recorded on ($kr)"
"$SECPROF" record -q --backend "$b" --portable --kernel 6.x -- true 2>"$tmp/err"
is "$?:$(<"$tmp/err")" "125:secprof: record: invalid --kernel '6.x': a release as uname -r prints it" "--kernel 6.x refused before recording"

# ---- --base: base ∪ recorded ----
"$SECPROF" record -q --backend "$b" --base builtin -o "$tmp/base.json" -- unshare --user true 2>"$tmp/err"; rc=$?
is "$rc" 0 "--base builtin: unshare --user true recorded (no filter while recording)"
"$SECPROF" check --strict "$tmp/base.json" >/dev/null 2>&1; ok $? "--base builtin: the union passes check --strict"
if builtin_source "$tmp/builtin-source.json"; then
	python3 - "$tmp/base.json" "$tmp/builtin-source.json" <<'PY'; ok $? "--base builtin: Docker's default profile kept as it is, the added entries after its rules"
import json, sys
o, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
added = o["syscalls"][len(b["syscalls"]):]
o["syscalls"] = o["syscalls"][:len(b["syscalls"])]
sys.exit(0 if o == b and added and all(e["comment"].startswith("seen in") for e in added) else 1)
PY
else
	skip "--base builtin: Docker's default kept as it is" "no reference moby-default.json"
fi
python3 -c 'import json,sys; print("\n".join("%s/%d=%d" % (n, a["index"], a["value"]) if e.get("args") else n for e in json.load(open(sys.argv[1]))["syscalls"] if e.get("comment", "").startswith("seen in") for n in e["names"] for a in (e.get("args") or [None])))' "$tmp/base.json" >"$tmp/added"
is "$(tr '\n' ' ' <"$tmp/added")" "unshare/0=268435456 " "--base builtin: only unshare(CLONE_NEWUSER) added (the default allows every other call recorded)"
"$SECPROF" diff builtin "$tmp/base.json" >"$tmp/diff" 2>/dev/null
is "$(grep -c 'unshare arg0.*: ERRNO(1) → ALLOW' "$tmp/diff"):$(grep -vc 'unshare arg0.*: ERRNO(1) → ALLOW' "$tmp/diff")" "3:1" \
	"--base builtin: secprof diff: only unshare(CLONE_NEWUSER) is allowed more (x86_64, x86, x32), the rest decides as the default"
for row in "unshare 0x10000000:ALLOW" "unshare 0x20000000:ERRNO(1)" "clone3:ERRNO(38)" "mount:ERRNO(1)" "read:ALLOW" "socket 40:ERRNO(1)"; do
	is "$("$SECPROF" eval "$tmp/base.json" ${row%%:*} | head -1)" "${row#*:}" "--base builtin: eval ${row%%:*} -> ${row#*:}"
done
out=$("$SECPROF" -q run --security-opt seccomp="$tmp/base.json" -- unshare --user true 2>&1); rc=$?
is "$rc:$out" "0:" "--base builtin: unshare --user true runs under the union"
"$SECPROF" -q run --security-opt seccomp=builtin -- unshare --user true >/dev/null 2>&1
is "$?" 1 "and fails under Docker's default alone"
"$SECPROF" record --backend "$b" --base builtin -o "$tmp/base-thr.json" -- python3 -c 'import threading; t = threading.Thread(target=print); t.start(); t.join()' 2>"$tmp/err" >/dev/null
grep -qxF "secprof: record: note: builtin: --base: clone3 keeps the base's answer: syscalls[20] (line 705) answers ERRNO(38)" "$tmp/err"
ok $? "--base builtin: clone3 (a thread) keeps Docker's ENOSYS, and a note says so"
is "$("$SECPROF" eval "$tmp/base-thr.json" clone3 | head -1)" "ERRNO(38)" "clone3 still ENOSYS in the union"
"$SECPROF" record -q --backend "$b" --base builtin --format oci -- true 2>"$tmp/err"
is "$?:$(<"$tmp/err")" "125:secprof: record: --base writes a Docker profile: --format docker only" "--base with --format oci refused before recording"
if [[ $i386_ok == 1 ]]; then
	# the filter has the native arch whatever "architectures" says; i386 not
	printf '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}' >"$tmp/b64.json"
	"$SECPROF" record -q --backend "$b" --base "$tmp/b64.json" -o "$tmp/x.json" -- "$tmp/sock32" 2>"$tmp/err" >/dev/null
	is "$?:$(grep -v 'warning: socketcall (x86) was called' "$tmp/err")" "125:secprof: $tmp/b64.json: --base: the base's filter has no x86 ABI, which the recording has (add SCMP_ARCH_X86 to its architectures)" \
		"--base whose filter lacks a recorded ABI (i386): refused, and why"
else
	skip "--base whose filter lacks a recorded ABI" "no 32-bit binary this kernel runs"
fi

# ---- --heal: record, run another workload with --explain, heal, run again ----
printf '%s\n' 'import os, socket' 'def tryit(name, f):' '    try:' '        f()' '        print(name, "ok")' \
	'    except OSError as e:' '        print(name, "denied", e.errno)' \
	'tryit("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close())' \
	'tryit("prio", lambda: os.getpriority(os.PRIO_PROCESS, 0))' \
	'tryit("pipe", lambda: [os.close(fd) for fd in os.pipe()])' \
	'tryit("uname", lambda: os.uname())' >"$tmp/heal.py"
want=$(python3 "$tmp/heal.py")
"$SECPROF" record -q --backend "$b" -o "$tmp/heal.json" -- python3 -c 'print(1)' 2>/dev/null
cp "$tmp/heal.json" "$tmp/heal0.json"
out=$("$SECPROF" -q run --security-opt seccomp="$tmp/heal.json" --explain="$tmp/r1.jsonl" -- python3 "$tmp/heal.py" 2>&1)
[[ $out == *"udp denied 1"* && -s $tmp/r1.jsonl ]]; ok $? "--heal: another workload is denied under the recorded profile, and run --explain reports it"
"$SECPROF" record --heal "$tmp/r1.jsonl" "$tmp/heal.json" 2>"$tmp/err"; rc=$?
is "$rc:$(<"$tmp/err")" "0:secprof: record --heal: note: allowing socket (x86_64) for the argument values the report shows; Docker's default profile denies it for some: AF_ALG (38) and AF_VSOCK (40) sockets are refused: kernel crypto and host-guest channels are not the container's" "--heal REPORT PROFILE: healed in place"
out=$("$SECPROF" -q run --security-opt seccomp="$tmp/heal.json" --explain="$tmp/r2.jsonl" -- python3 "$tmp/heal.py" 2>&1); rc=$?
is "$rc:$out" "0:$want" "--heal: the workload runs under the healed profile with its output without a filter"
is "$(wc -c <"$tmp/r2.jsonl")" 0 "--heal: run --explain then reports nothing"
"$SECPROF" check --strict "$tmp/heal.json" >/dev/null 2>&1; ok $? "--heal: the healed profile passes check --strict"
python3 - "$tmp/heal0.json" "$tmp/heal.json" <<'PY'; ok $? "--heal: the profile's own entries kept as they were, the denied calls after them"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
n = len(a["syscalls"])
sys.exit(0 if b["syscalls"][:n] == a["syscalls"] and len(b["syscalls"]) > n else 1)
PY
names "$tmp/heal.json" | grep -E '^socket' | tr '\n' ' ' >"$tmp/s"
is "$(<"$tmp/s")" "socket/0=2 " "--heal: socket added for the family denied (AF_INET) only"
"$SECPROF" record --heal "$tmp/r1.jsonl" builtin -o "$tmp/hb.json" 2>/dev/null
: >"$tmp/empty.jsonl"
"$SECPROF" record --heal "$tmp/empty.jsonl" builtin -o "$tmp/b0.json" 2>/dev/null
cmp -s "$tmp/hb.json" "$tmp/b0.json"; ok $? "--heal REPORT builtin: Docker's default as it is, nothing added (it allows every call the report has)"
grep -q '"seen in' "$tmp/b0.json"; ok $((!$?)) "--heal of an empty report adds nothing"
"$SECPROF" record --heal "$tmp/r1.jsonl" 2>"$tmp/err"
is "$?:$(<"$tmp/err")" "125:secprof: record: --heal takes one profile: secprof record --heal REPORT builtin|PROFILE [-o OUT]" "--heal without a profile: usage"
# What --heal allows that Docker's default denies is said; a number that is
# no system call (syscall(-1)) has no name to allow and is passed over
# (5b13b89 refused the whole report for it).
printf '%s\n' '{"count": 1, "pid": 1, "comm": "x", "arch": "x86_64", "nr": 246, "syscall": "kexec_load", "call": "?", "args": [0,0,0,0,0,0], "action": "ERRNO(1)", "ret": 327681, "benign": false, "killed": false}' \
	'{"count": 1, "pid": 1, "comm": "x", "arch": "x86_64", "nr": -1, "syscall": null, "call": "?", "args": [0,0,0,0,0,0], "action": "ERRNO(38)", "ret": 327718, "benign": false, "killed": false}' >"$tmp/kx.jsonl"
"$SECPROF" record --heal "$tmp/kx.jsonl" builtin -o "$tmp/kx.json" 2>"$tmp/err"
is "$?:$(<"$tmp/err"):$(names "$tmp/kx.json" | grep -c kexec_load)" \
	"0:secprof: record --heal: warning: allowing kexec_load (x86_64) whatever its arguments, which Docker's default profile denies: boots a new kernel in place of the host's:1" \
	"--heal: kexec_load added with a warning; nr -1 passed over"
# A base whose prctl rule tests arg0 and arg1 (arg0 != 0x7fffffff, arg1 >=
# 255), a denied prctl(6): an ALLOW entry for arg0 == 6 beside that rule is
# built by libseccomp 2.5.4 with a stale accumulator (docs/COMPAT.md 4.4),
# and runc's filter of the result let prctl(2, 6) through, which neither
# the base nor the report allows. The base's answer is kept, with a note.
cat >"$tmp/pb.json" <<'J'
{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["prctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2147483647, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 255, "op": "SCMP_CMP_GE"}]}]}
J
echo '{"arch": "x86_64", "nr": 157, "args": [6, 0, 0, 0, 0, 0]}' >"$tmp/pr.jsonl"
"$SECPROF" record --heal "$tmp/pr.jsonl" "$tmp/pb.json" -o "$tmp/ph.json" 2>"$tmp/err"
is "$?:$(<"$tmp/err")" "0:secprof: record: note: $tmp/pb.json: --base: prctl (arg0 == 6) keeps the base's answer: libseccomp 2.5.4 would build its rules with the entry added otherwise than they read (docs/COMPAT.md 4.4)" \
	"--heal: prctl(6) beside a two-argument prctl rule: kept as the base answers it, a note says why"
if [[ -x $BUILD/tests/scmp_eval ]]; then
	is "$("$BUILD/tests/scmp_eval" "$tmp/ph.json" prctl 2 6)" "nr 157: secprof ERRNO(1), libseccomp/runc ERRNO(1)" \
		"--heal: libseccomp as runc denies prctl(2, 6), as the base does"
else
	skip "libseccomp as runc" "$BUILD/tests/scmp_eval missing (make tests-bin)"
fi

# ---- a command that works against the recorder ----
# Distinct numbers no table knows, as many as the command likes: each
# backend keeps 4096 (the eBPF map's size) and says the rest were lost,
# rather than grow with the command.
FLOOD='import ctypes; l = ctypes.CDLL(None); [l.syscall(100000 + i) for i in range(6000)]'
for b in "${backends[@]}"; do
	"$SECPROF" record -q --backend "$b" -o "$tmp/fl.json" -- python3 -c "$FLOOD" 2>"$tmp/err"; rc=$?
	is "$rc:$(grep -c 'has no name' "$tmp/err"):$(grep -o 'warning: [0-9]* events could not be kept' "$tmp/err")" \
		"0:4096:warning: 1904 events could not be kept" \
		"$b: 6000 distinct unknown numbers: 4096 kept, the other 1904 calls said lost"
done
# An orphan the command leaves behind (setsid, busy with calls) does not
# keep the recording going: it is served a second at most.
cat >"$tmp/orphan.py" <<'P'
import os, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
end = time.time() + 25
while time.time() < end:
    os.getppid()
    time.sleep(0.005)
P
for b in "${backends[@]}"; do
	rm -f "$tmp/orphan.pid"
	start=$SECONDS
	timeout 40 "$SECPROF" record -q --backend "$b" -o "$tmp/orph.json" -- \
		sh -c 'setsid python3 "$1" "$2" </dev/null >/dev/null 2>&1 & sleep 0.3' sh "$tmp/orphan.py" "$tmp/orphan.pid" 2>"$tmp/err"
	rc=$?
	took=$((SECONDS - start))
	[[ -s $tmp/orphan.pid ]] && kill -9 "$(<"$tmp/orphan.pid")" 2>/dev/null
	is "$rc:$((took < 10))" "0:1" "$b: a busy orphan left behind does not hold the recording (${took}s)"
done

# ---- --merge reads profiles as every command does ----
# A recording lists at most 32 values of a call's argument, and merging
# past that allowed the call whatever the argument: socket for 1..17 and
# 18..34 merged into socket for any family (40 included), silently.
python3 - "$tmp" <<'PY'
import json, sys
def prof(vals):
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ALLOW",
                          "args": [{"index": 0, "value": v, "op": "SCMP_CMP_EQ"}]} for v in vals]}
for name, vals in (("v1", range(1, 18)), ("v2", range(18, 35)), ("v3", range(1, 36))):
    json.dump(prof(vals), open("%s/%s.json" % (sys.argv[1], name), "w"))
PY
out=$("$SECPROF" record --merge "$tmp/v1.json" "$tmp/v2.json" -o "$tmp/vm.json" 2>&1); rc=$?
is "$rc:$out" "125:secprof: $tmp/v2.json:1:1855: syscalls[16]: socket is allowed for 34 argument values with what is merged already, more than the 32 a recording holds: merged, it would be allowed whatever its arguments (refused; secprof merge --union combines any profiles)" \
	"--merge past 32 values of an argument in all: refused, naming the call"
[[ ! -s $tmp/vm.json ]]; ok $? "--merge past 32 values: no profile written (none allowing socket(40))"
out=$("$SECPROF" record --merge "$tmp/v3.json" -o "$tmp/vm3.json" 2>&1); rc=$?
is "$rc:$out" "125:secprof: $tmp/v3.json:1:3808: syscalls[34]: socket is allowed for more than 32 argument values, more than a recording holds: read back, it would be allowed whatever its arguments (refused; secprof merge --union combines any profiles)" \
	"--merge of one profile with 35 values of an argument: refused"
# --append's merge past 32 values fails only after the command ran: the
# -o file it had made for the profile is not left behind empty.
out=$("$SECPROF" record --append "$tmp/v1.json" -o "$tmp/va.json" -- python3 -c '
import socket
for f in range(18, 40):
    try: socket.socket(f, socket.SOCK_DGRAM)
    except OSError: pass' 2>&1); rc=$?
is "$rc:$([[ -e $tmp/va.json ]] && echo left)" "125:" "--append past 32 values after the run: refused, no empty -o file left"
"$SECPROF" record -q --merge "$tmp/v1.json" "$tmp/v1.json" -o "$tmp/v11.json" 2>/dev/null
is "$("$SECPROF" -q eval "$tmp/v11.json" socket 40 | head -1):$("$SECPROF" -q eval "$tmp/v11.json" socket 17 | head -1)" "ERRNO(1):ALLOW" \
	"--merge of the same 17 values twice: still 17 values, socket(40) denied"
# moby reads the legacy "name" as names=[name]: this deny of ptrace (13)
# comes before the ALLOW of it, so Docker answers ptrace EACCES. --merge
# skipped the entry (no "names") and wrote ptrace allowed.
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"name":"ptrace","action":"SCMP_ACT_ERRNO","errnoRet":13},{"names":["ptrace","getpid"],"action":"SCMP_ACT_ALLOW"}]}\n' >"$tmp/lg.json"
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"name":"getppid","action":"SCMP_ACT_ALLOW"}]}\n' >"$tmp/lg0.json"
is "$("$SECPROF" -q eval "$tmp/lg.json" ptrace | head -1)" "ERRNO(13)" "a legacy \"name\" deny: ptrace ERRNO(13) for eval"
out=$("$SECPROF" record --merge "$tmp/lg.json" "$tmp/lg0.json" -o "$tmp/lgm.json" 2>&1); rc=$?
is "$rc:$out" "125:secprof: $tmp/lg.json:1:67: syscalls[0]: not an entry secprof record writes: it answers otherwise a name that an ALLOW entry lists, which a recording cannot hold without allowing more (secprof merge --union combines any profiles)" \
	"--merge: a deny written with the legacy \"name\" is read as moby reads it (refused, not skipped)"
[[ ! -s $tmp/lgm.json ]]; ok $? "--merge of the legacy deny: no profile allowing ptrace written"
"$SECPROF" record -q --merge "$tmp/lg0.json" -o "$tmp/lg0m.json" 2>/dev/null
is "$("$SECPROF" -q eval "$tmp/lg0m.json" getppid | head -1)" "ALLOW" "--merge: an ALLOW written with the legacy \"name\" is kept"
out=$("$SECPROF" record --merge "$TESTS/parse/78-duplicate-array-refused.json" -o "$tmp/dup.json" 2>&1); rc=$?
[[ $rc == 125 && $out == *'key "syscalls" appears twice'* ]]
ok $? "--merge refuses what the parser refuses (a repeated syscalls array)"

# ---- exit status and errors ----
"$SECPROF" record -q --backend "$b" -o "$tmp/x.json" -- sh -c 'exit 3' 2>/dev/null
is "$?" 3 "record exits with the command's status"
[[ -s $tmp/x.json ]]; ok $? "the profile is written when the command fails"
"$SECPROF" record -q --backend "$b" -o "$tmp/x.json" -- no-such-command-xyz 2>/dev/null
is "$?" 127 "missing command: 127, as run"
"$SECPROF" record -q --backend bogus -- true 2>/dev/null
is "$?" 125 "--backend bogus refused"
done_testing
