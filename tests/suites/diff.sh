#!/usr/bin/env bash
# diff.sh - `secprof diff` on raw BPF programs written here instruction by
# instruction: a program that returns a value read from the call (`ret A`)
# is refused, never compared on a representative input; actions are
# compared as the kernel applies them (kernel/seccomp.c __seccomp_filter:
# ERRNO data capped at 4095, an unknown action kills the process).
source "$TESTS/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/secprof-diff.XXXXXX")
trap 'rm -rf "$T"' EXIT
S() { "$SECPROF" -q "$@"; }

# prog FILE CODE:JT:JF:K ... - a raw program (struct sock_filter, host order)
prog() {
	local f=$1
	shift
	python3 -c '
import struct, sys
out = b""
for i in sys.argv[2:]:
    c, jt, jf, k = (int(x, 0) for x in i.split(":"))
    out += struct.pack("=HBBI", c, jt, jf, k)
open(sys.argv[1], "wb").write(out)' "$f" "$@"
}
LD_ABS=0x20 LD_IMM=0x00 LD_MEM=0x60 ST=0x02 ADD_K=0x04 JEQ_K=0x15 RET_K=0x06 RET_A=0x16
ALLOW=0x7fff0000

# ---- ret A with A from the call: refused, as computing on a word is ----
prog "$T/kill.bpf" $RET_K:0:0:0
# ld [16] (arg0); ret A: KILL_THREAD on getppid(0) as ret 0 is, but ALLOW
# on getppid(0x7fff0000)
prog "$T/reta.bpf" $LD_ABS:0:0:16 $RET_A:0:0:0
prog "$T/retnr.bpf" $LD_ABS:0:0:0 $RET_A:0:0:0                   # ld [0] (nr); ret A
prog "$T/retmem.bpf" $LD_ABS:0:0:16 $ST:0:0:3 $LD_IMM:0:0:0 $LD_MEM:0:0:3 $RET_A:0:0:0
prog "$T/retalu.bpf" $LD_ABS:0:0:16 $ADD_K:0:0:1 $RET_A:0:0:0
w4=$(python3 -c 'import sys; print(4 if sys.byteorder == "little" else 5)')
for p in reta retmem retalu; do
	out=$(S diff "$T/$p.bpf" "$T/kill.bpf" 2>&1); rc=$?
	is "$rc:$out" "1:secprof: program 1 returns a value computed from word $w4 of the input (ret A): its decisions cannot be compared" \
		"diff $p ret-0: refused, not identical"
	out=$(S diff "$T/$p.bpf" "$T/kill.bpf" --subset 2>&1); rc=$?
	is "$rc" 1 "diff $p ret-0 --subset: refused, not a subset"
done
out=$(S diff "$T/kill.bpf" "$T/retnr.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: program 2 returns a value computed from word 0 of the input (ret A): its decisions cannot be compared" \
	"diff ret-0 (ld nr; ret A): refused, naming program 2 and the word"
out=$(S diff "$T/reta.bpf" "$T/kill.bpf" --json 2>&1); rc=$?
[[ $rc == 1 && $out != *'"verdict"'* ]]; ok $? "--json: refused too, no verdict"
# only a value from the call is refused: ret A of a constant loaded after
# comparing the word is compared as ret K is
prog "$T/imm.bpf" $LD_ABS:0:0:16 $JEQ_K:0:2:5 $LD_IMM:0:0:$ALLOW $RET_A:0:0:0 $RET_K:0:0:0
prog "$T/k5.bpf" $LD_ABS:0:0:16 $JEQ_K:0:1:5 $RET_K:0:0:$ALLOW $RET_K:0:0:0
S diff "$T/reta.bpf" "$T/kill.bpf" >/dev/null 2>&1; r1=$?
out=$(S diff "$T/imm.bpf" "$T/k5.bpf" 2>&1); rc=$?
is "$r1/$rc:$out" "1/0:verdict: identical (0 differences over 3 regions)" \
	"ret A from the call refused, ret A of a constant compared (identical to ret K)"

# ---- actions as the kernel applies them ----
prog "$T/unk1.bpf" $RET_K:0:0:0x12340000
prog "$T/unk2.bpf" $RET_K:0:0:0x7ffe0000
prog "$T/killp.bpf" $RET_K:0:0:0x80000000
prog "$T/e5000.bpf" $RET_K:0:0:$((0x50000 + 5000))
prog "$T/e4095.bpf" $RET_K:0:0:$((0x50000 + 4095))
prog "$T/e1.bpf" $RET_K:0:0:0x50001
for u in unk1 unk2; do
	out=$(S diff "$T/$u.bpf" "$T/kill.bpf" 2>&1); rc=$?
	is "$rc:${out##*$'\n'}" "1:verdict: A stricter (1 differences over 1 regions)" \
		"diff $u KILL_THREAD: the unknown action kills the process, so A is stricter"
	out=$(S diff "$T/$u.bpf" "$T/killp.bpf" 2>&1); rc=$?
	is "$rc:$out" "0:verdict: identical (0 differences over 1 regions)" "diff $u KILL_PROCESS: identical"
done
out=$(S diff "$T/unk1.bpf" "$T/kill.bpf" 2>&1)
is "${out%%$'\n'*}" "other-arch (audit 0) nr 0-4294967295: 0x12340000 (as KILL_PROCESS) → KILL_THREAD  e.g. syscall(0, 0)" \
	"the entry names the value returned and what the kernel does with it"
out=$(S diff "$T/e5000.bpf" "$T/e4095.bpf" 2>&1); rc=$?
is "$rc:$out" "0:verdict: identical (0 differences over 1 regions)" "ERRNO(5000) and ERRNO(4095): identical (capped at MAX_ERRNO)"
out=$(S diff "$T/e5000.bpf" "$T/e1.bpf" 2>&1); rc=$?
is "$rc:$out" "1:other-arch (audit 0) nr 0-4294967295: ERRNO(5000) (as ERRNO(4095)) → ERRNO(1)  e.g. syscall(0, 0)
verdict: neither (1 differences over 1 regions)" "ERRNO(5000) and ERRNO(1): they differ"

# ---- --subset: TRACE and NOTIFY let the call run ----
# a tracer that resumes the seccomp stop runs a TRACE call (kernel/seccomp.c
# __seccomp_filter rechecks and allows it), so a TRACE where B gives ERRNO is
# no subset; shown on the kernel with getppid, then asked of diff
for p in trace errno; do
	case $p in
	trace) act='"SCMP_ACT_TRACE", "errnoRet": 1' ;;
	errno) act='"SCMP_ACT_ERRNO"' ;;
	esac
	echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": '"$act"'}]}' >"$T/$p.json"
	S compile "$T/$p.json" --arch amd64 -o "$T/$p-prog.bpf"
done
echo '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/l.sock", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}' >"$T/notify.json"
if [[ $(uname -m) == x86_64 && -x $BUILD/tests/tracecall ]]; then
	is "$("$BUILD/tests/tracecall" "$T/trace-prog.bpf"):$("$BUILD/tests/tracecall" "$T/trace-prog.bpf" trace)" \
		"errno 38:ran" "kernel: getppid under TRACE fails with ENOSYS untraced, runs under a tracer"
	is "$("$BUILD/tests/tracecall" "$T/errno-prog.bpf" trace)" "errno 1" "kernel: getppid under ERRNO fails traced too"
else
	skip "TRACE on the kernel" "not x86_64, or $BUILD/tests/tracecall missing (make tests-bin)"
fi
for p in trace notify; do
	out=$(S diff "$T/$p.json" "$T/errno.json" --subset --arch amd64); rc=$?
	is "$rc:${out##*$'\n'}" "1:not a subset: A allows what B denies (1 regions where A allows and B does not, of 7)" \
		"diff --subset $p errno: not a subset (a tracer or supervisor lets the call run)"
	S diff "$T/errno.json" "$T/$p.json" --subset --arch amd64 >/dev/null
	is $? 0 "diff --subset errno $p: a subset"
	S diff "$T/$p.json" "$T/$p.json" --subset --arch amd64 >/dev/null
	is $? 0 "diff --subset $p $p: a subset"
done
S diff "$T/trace.json" "$T/notify.json" --subset --arch amd64 >/dev/null
is $? 1 "diff --subset trace notify: not a subset (a tracer runs what the supervisor may refuse)"

# ---- profiles: the programs runc builds are compared too ----
# socket denied for family 40 on the low word (MASKED_EQ, high word any) or
# as `== 40`: secprof's programs read the family as the kernel does and
# decide both alike, but libseccomp compares `== 40` on all 64 bits, so
# under runc socket(0x100000028) opens an AF_VSOCK socket through the
# second alone: diff must not call them identical, nor the second a subset
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4294967295, "valueTwo": 40, "op": "SCMP_CMP_MASKED_EQ"}]}]}' >"$T/low.json"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}' >"$T/eq.json"
if [[ -x $BUILD/tests/scmp_eval ]]; then
	is "$("$BUILD/tests/scmp_eval" "$T/eq.json" socket 0x100000028 1 0):$("$BUILD/tests/scmp_eval" "$T/low.json" socket 0x100000028 1 0)" \
		"nr 41: secprof ALLOW, libseccomp/runc ALLOW:nr 41: secprof ERRNO(1), libseccomp/runc ERRNO(1)" \
		"libseccomp as runc: socket(0x100000028) allowed by the == 40 denial, denied by the low-word one"
else
	skip "libseccomp as runc" "$BUILD/tests/scmp_eval missing (make tests-bin)"
fi
out=$(S diff "$T/eq.json" "$T/low.json" --arch amd64); rc=$?
is "$rc:$out" "1:runc's filter: x86_64 socket arg0 high word 0x1-0xffffffff, arg0 low word 40: ALLOW → ERRNO(1)  e.g. socket(0x100000028)  [A: default, B: syscalls[0] (1:50)]
verdict: B stricter (1 differences over 9 regions)" "diff (== 40) (low word 40): B stricter under runc's filters, said so"
S diff "$T/eq.json" "$T/low.json" --subset --arch amd64 >/dev/null
is $? 1 "diff --subset (== 40) (low word 40): not a subset"
S diff "$T/low.json" "$T/eq.json" --subset --arch amd64 >/dev/null
is $? 0 "diff --subset (low word 40) (== 40): a subset"
S diff "$T/eq.json" "$T/low.json" --json --arch amd64 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["verdict"], d["subset"], [(e["runc"], e["a"], e["b"]) for e in d["differences"]])' >"$T/j"
is "$(cat "$T/j")" "B stricter False [(True, 'ALLOW', 'ERRNO(1)')]" "--json: the entry says it is runc's filter's (\"runc\": true)"
out=$(S diff "$T/eq.json" "$T/low.json" --arch amd64 --exact-libseccomp); rc=$?
is "$rc:${out##*$'\n'}" "1:verdict: B stricter (1 differences over 12 regions)" "--exact-libseccomp: runc's filters alone, the same verdict"
# A rule one Docker skips as equal to the default and secprof keeps (an
# ERRNO rule with Podman's "errno" key, which Docker ignores: EPERM, the
# default's): under that Docker's runc the later ALLOW of personality(0)
# decides. secprof's own programs decide alike; Docker's do not, and
# diff must say so, for every reading that skips such a rule.
echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"names":["personality"],"action":"SCMP_ACT_ERRNO","errno":"EIO"},{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}]}' >"$T/podkey.json"
echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":5}]}' >"$T/eio.json"
out=$(S diff "$T/podkey.json" "$T/eio.json" --arch amd64 2>/dev/null); rc=$?
[[ $rc == 1 && $out == *"runc's filter: x86_64 personality arg0==0: ALLOW → ERRNO(5)  e.g. personality(0)"* &&
	$(grep -c 'personality arg0==0' <<<"$out") == 1 && $out == *"verdict: neither"* ]]
ok $? "diff: Docker's runc skips the rule secprof keeps and lets personality(0) through: not identical (said once)" || diag "$out"
S diff "$T/podkey.json" "$T/eio.json" --subset --arch amd64 >/dev/null 2>&1
is $? 1 "diff --subset: not a subset under that Docker"
S diff "$T/podkey.json" "$T/eio.json" --subset --exact-libseccomp --arch amd64 >/dev/null 2>&1
is $? 1 "diff --subset --exact-libseccomp: runc's programs of each such Docker compared too"
# Debian 12's Docker 20.10 drops defaultErrnoRet: ERRNO(1) is its default
echo '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":1},{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}]}' >"$T/d20.json"
echo '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}' >"$T/d20b.json"
out=$(S diff "$T/d20.json" "$T/d20b.json" --arch amd64 2>/dev/null); rc=$?
[[ $rc == 1 && $out == *"personality arg0==0: ALLOW → "* && $out == *"verdict: B stricter"* ]]
ok $? "diff: the same under Docker 20.10's reading (defaultErrnoRet dropped)" || diag "$out"
done_testing
