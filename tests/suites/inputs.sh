#!/usr/bin/env bash
# inputs.sh - what secprof reads as a profile or a BPF file: only a regular
# file (or "-", standard input). A FIFO would block open() until a writer
# came and a device such as /dev/zero never ends, so every command that
# reads one must refuse it at once, naming the file and its type, exit 1
# (125 for `run`, as docker run). Each command runs under `timeout`: a
# regression fails here instead of hanging the suite.
source "$TESTS/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

mkfifo fifo fifo.bpf
mkdir dir dir.bpf
T=${INPUTS_TIMEOUT:-10} # seconds: generous; the refusal takes milliseconds

# try NAME WANT_RC WANT_STDERR CMD... : the command returns promptly, with
# that exit status and that one line on stderr, and never runs a command.
try() {
	local name=$1 want_rc=$2 want_err=$3; shift 3
	local t0 t1 rc
	t0=$(date +%s%N)
	timeout -k 2 "$T" "$@" >out 2>err </dev/null; rc=$?
	t1=$(date +%s%N)
	if [[ $rc == 124 || $rc == 137 ]]; then
		ok 1 "$name: returns (it hung for $T s)"
		return
	fi
	is "$rc:$(cat err)" "$want_rc:$want_err" "$name ($(((t1 - t0) / 1000000)) ms)"
}

for kind in "fifo:fifo" "dir:directory" "/dev/zero:character device"; do
	f=${kind%%:*} type=${kind#*:}
	msg="secprof: $f: not a regular file ($type)"
	try "check $f" 1 "$msg" "$SECPROF" check "$f"
	try "check --json $f" 1 "$msg" "$SECPROF" check "$f" --json
	try "resolve $f" 1 "$msg" "$SECPROF" resolve "$f"
	try "compile $f" 1 "$msg" "$SECPROF" compile "$f" -o "$tmp/x.bpf"
	try "compile --timing $f" 1 "$msg" "$SECPROF" compile "$f" --timing=3 -o /dev/null
	try "eval $f" 1 "$msg" "$SECPROF" eval "$f" read
	try "disasm $f" 1 "$msg" "$SECPROF" disasm "$f"
	try "run --security-opt seccomp=$f" 125 "$msg" \
		"$SECPROF" run --security-opt "seccomp=$f" -- touch "$tmp/ran"
	try "run --security-opt seccomp:$f" 125 "$msg" \
		"$SECPROF" run --security-opt "seccomp:$f" -- touch "$tmp/ran"
done
[[ ! -e $tmp/ran ]]; ok $? "run never ran the command"

# A BPF file is read by its name too (eval picks it by the .bpf suffix).
try "eval fifo.bpf" 1 "secprof: fifo.bpf: not a regular file (fifo)" "$SECPROF" eval fifo.bpf read
try "eval dir.bpf" 1 "secprof: dir.bpf: not a regular file (directory)" "$SECPROF" eval dir.bpf read

# Over the size limit: refused from fstat's size, before reading.
truncate -s 17M big.json
msg="secprof: big.json: file is 17825792 bytes, larger than the 16777216-byte limit for a profile"
try "check big.json" 1 "$msg" "$SECPROF" check big.json
try "compile big.json" 1 "$msg" "$SECPROF" compile big.json -o /dev/null
try "compile --timing big.json" 1 "$msg" "$SECPROF" compile big.json --timing=3 -o /dev/null
try "run with big.json" 125 "$msg" "$SECPROF" run --security-opt seccomp=big.json -- true
truncate -s 32776 big.bpf # 4097 instructions
msg="secprof: big.bpf: file is 32776 bytes, larger than the 32768-byte limit for a BPF program (4096 instructions)"
try "disasm big.bpf" 1 "$msg" "$SECPROF" disasm big.bpf
try "eval big.bpf" 1 "$msg" "$SECPROF" eval big.bpf read

# Standard input may be anything, and is cut off at the limit: /dev/zero
# on stdin is refused after 16 MiB, not read forever.
t0=$(date +%s%N)
timeout -k 2 "$T" "$SECPROF" check - </dev/zero >/dev/null 2>err; rc=$?
is "$rc:$(cat err)" "1:secprof: <stdin>: input is larger than the 16777216-byte limit for a profile" \
	"check - < /dev/zero: refused at the limit ($((($(date +%s%N) - t0) / 1000000)) ms)"
# ... and a FIFO on stdin is read as usual (the caller chose it).
echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}' >ok.json
(cat ok.json >fifo &)
out=$(timeout -k 2 "$T" "$SECPROF" compile - --format text <fifo 2>&1); rc=$?
is "$rc" 0 "compile - < FIFO with a writer: compiled"
# A regular file still works, and so do files in /proc (size 0, data inside).
out=$(timeout -k 2 "$T" "$SECPROF" check ok.json 2>&1); rc=$?
is "$rc" 0 "a regular file is read"
"$SECPROF" compile ok.json -o ok.bpf && timeout -k 2 "$T" "$SECPROF" disasm ok.bpf >/dev/null
ok $? "a regular BPF file is read"
timeout -k 2 "$T" "$SECPROF" check /proc/self/fd/3 3<ok.json >/dev/null 2>&1
ok $? "a /proc path to a regular file is read"
done_testing
