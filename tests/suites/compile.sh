#!/usr/bin/env bash
# compile.sh - `secprof compile`, `eval` and `disasm` from the outside: output
# formats agree with each other, verdicts, errors and exit codes.
source "$TESTS/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sp() { "$SECPROF" -q "$@"; }

sp compile builtin -o "$tmp/moby.bpf"; ok $? "compile builtin to raw"
size=$(stat -c %s "$tmp/moby.bpf")
ok $(( size % 8 == 0 && size > 800 ? 0 : 1 )) "raw output is whole 8-byte instructions ($size bytes)"
ninsn=$((size / 8))
sp compile builtin --format base64 -o "$tmp/moby.b64"
base64 -d "$tmp/moby.b64" | cmp -s - "$tmp/moby.bpf"; ok $? "base64 decodes to the raw bytes"
sp compile builtin --format c -o "$tmp/moby.c"
is "$(grep -c '^	{ 0x' "$tmp/moby.c")" "$ninsn" "the C initialiser has one line per instruction"
is "$(sed -n 2p "$tmp/moby.c")" "struct sock_filter filter[] = {" "... in a struct sock_filter array"
sp compile builtin --format text -o "$tmp/moby.txt"
sp disasm "$tmp/moby.bpf" > "$tmp/dis.txt"
cmp -s "$tmp/moby.txt" "$tmp/dis.txt"; ok $? "disasm of the raw file equals the text listing"
is "$(sed -n 1p "$tmp/dis.txt")" "0000: ld   [4]                        ; arch" "the listing starts with the arch load"
[[ $(sed -n 2p "$tmp/dis.txt") == "0001: jeq  #0xc000003e, 2, "*"; x86_64" ]]; ok $? "... the native arch check falls through"
is "$(sed -n 3p "$tmp/dis.txt")" "0002: ld   [0]                        ; nr" "... into the nr load"
grep -q '; ERRNO(38)$' "$tmp/dis.txt"; ok $? "the ENOSYS return is named"
grep -q 'x86_64 socket$' "$tmp/dis.txt"; ok $? "compares of nr are named by syscall"
sp disasm --dot "$tmp/moby.bpf" > "$tmp/g.dot"
is "$(head -1 "$tmp/g.dot")" "digraph bpf {" "--dot writes a Graphviz digraph"
is "$(grep -c -- '->' "$tmp/g.dot")" "$(awk '$2 ~ /^j(eq|ge|gt|set)$/ {c += 2; next} $2 != "ret" {c++} END {print c}' "$tmp/dis.txt")" "... with an edge per successor"

# eval: profiles and raw files give the same verdicts
is "$(sp eval builtin socket 40)" "ERRNO(1)
steps 15" "eval builtin socket AF_VSOCK: denied on its low word (the high-word guard, a JA to the block shared with i386)"
is "$(sp eval builtin socket 40 --exact-libseccomp)" "ERRNO(1)
steps 20" "... libseccomp's program also loads and tests its high word"
is "$(sp eval builtin socket 0x100000028 | head -1)" "ERRNO(1)" "a high word does not make AF_VSOCK pass"
is "$(sp eval builtin socket 0x100000028 --exact-libseccomp | head -1)" "ALLOW" \
	"... it does in libseccomp's program (--exact-libseccomp)"
sp compile builtin --exact-libseccomp -o "$tmp/exact.bpf"
is "$(sp eval "$tmp/exact.bpf" socket 0x100000026 | head -1)" "ALLOW" "compile --exact-libseccomp writes that program"
is "$(sp eval "$tmp/moby.bpf" socket 40 | head -1)" "ERRNO(1)" "eval of the raw file agrees"
is "$(sp eval builtin read | head -1)" "ALLOW" "read is allowed"
is "$(sp eval builtin clone3 | head -1)" "ERRNO(38)" "clone3 gets ENOSYS"
is "$(sp eval builtin 1000 | head -1)" "ERRNO(38)" "numbers above the profile get ENOSYS"
is "$(sp eval builtin 1000 --no-enosys | head -1)" "ERRNO(1)" "--no-enosys: the default instead"
is "$(sp eval builtin personality 0xffffffff | head -1)" "ALLOW" "hex arguments"
is "$(sp eval builtin socket 38 --abi x86 | head -1)" "ERRNO(1)" "--abi x86 evaluates the i386 part"
is "$(sp eval builtin read --arch arm64 --abi x86_64 | head -1)" "KILL_THREAD" "an arch outside the filter is killed"
is "$(sp eval builtin ptrace --kernel 4.7 | head -1)" "ERRNO(1)" "resolve options apply"
out=$(sp eval builtin nosuchcall 2>&1); rc=$?
is "$rc:$out" "2:secprof: eval: no syscall 'nosuchcall' on x86_64" "an unknown syscall is a usage error"

# errors and exit codes
printf '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[\n{"names":["dup3"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},\n{"names":["dup3"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}\n' > "$tmp/clash.json"
out=$(sp compile "$tmp/clash.json" -o "$tmp/x.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/clash.json:3:1: syscalls[1]: rule for syscall \"dup3\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" "clashing rules: exit 1, both rules named"
# ... also where only one Docker's runc meets the clash: a rule it skips as
# equal to the default (kept by secprof, where it hides the clash) leaves
# two rules with one condition and two actions (runc 1.1.5: "error adding
# seccomp rule for syscall getppid: file exists")
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,"syscalls":[\n{"names":["getppid"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":13},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}\n' > "$tmp/moby-clash.json"
out=$(sp compile "$tmp/moby-clash.json" -o "$tmp/x.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/moby-clash.json:4:1: syscalls[2]: as current Docker passes the profile, runc skips syscalls[1] (line 3) as equal to the default action, where secprof keeps it, and fails: rule for syscall \"getppid\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" "a clash behind a rule current Docker skips: exit 1, the reading and the rules named"
out=$(sp check "$tmp/moby-clash.json" 2>&1 >/dev/null | grep -v 'warning:'); rc=$?
is "$out" "secprof: $tmp/moby-clash.json:4:1: syscalls[2]: as current Docker passes the profile, runc skips syscalls[1] (line 3) as equal to the default action, where secprof keeps it, and fails: rule for syscall \"getppid\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" "... check refuses it too"
sed 's/"value":1,"op":"SCMP_CMP_EQ"}]}]}/"value":2,"op":"SCMP_CMP_EQ"}]}]}/' "$tmp/moby-clash.json" > "$tmp/moby-noclash.json"
sp compile "$tmp/moby-noclash.json" -o "$tmp/x.bpf" 2>/dev/null; ok $? "... another condition: no reading clashes, compiled"
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,"syscalls":[\n{"names":["getppid"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO"},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}\n' > "$tmp/d20-clash.json"
out=$(sp compile "$tmp/d20-clash.json" -o "$tmp/x.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/d20-clash.json:4:1: syscalls[2]: as Debian 12's Docker 20.10 (without defaultErrnoRet) passes the profile, runc skips syscalls[1] (line 3) as equal to the default action, where secprof keeps it, and fails: rule for syscall \"getppid\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" "... and behind a rule Docker 20.10 skips"
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"defaultErrno":"EIO","syscalls":[\n{"names":["getppid"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":5},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}\n' > "$tmp/podman-clash.json"
out=$(sp compile "$tmp/podman-clash.json" -o "$tmp/x.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/podman-clash.json:4:1: syscalls[2]: as Podman passes the profile (its errno keys applied), crun skips syscalls[1] (line 3) as equal to the default action, where secprof keeps it, and fails: rule for syscall \"getppid\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" "... and behind a rule Podman's errno keys make equal to the default"
# ... and where Podman's errno key makes two actions one for secprof and
# Podman, while Docker ignores it and its runc fails (EEXIST)
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"errno":"EIO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},\n{"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}\n' > "$tmp/errnokey-clash.json"
out=$(sp -q compile "$tmp/errnokey-clash.json" -o "$tmp/x.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/errnokey-clash.json:3:1: syscalls[1]: Docker ignores Podman's errno keys: as current Docker passes the profile, runc fails: rule for syscall \"getppid\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)" "... and behind a Podman errno key Docker ignores"
sed 's/"errnoRet":5,"args":\[{"index":0,"value":1/"errnoRet":5,"args":[{"index":0,"value":2/' "$tmp/errnokey-clash.json" > "$tmp/errnokey-ok.json"
sp -q compile "$tmp/errnokey-ok.json" -o "$tmp/x.bpf" 2>/dev/null; ok $? "... another condition: Docker's rules do not clash, compiled"
# through libseccomp's copy of IPC rules onto i386's ipc (arg0 the call number)
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,"architectures":["SCMP_ARCH_X86"],"syscalls":[\n{"names":["shmat"],"action":"SCMP_ACT_LOG"},\n{"names":["ipc"],"action":"SCMP_ACT_ERRNO","errnoRet":13},\n{"names":["shmat"],"action":"SCMP_ACT_ERRNO"}]}\n' > "$tmp/mux-clash.json"
out=$(sp compile "$tmp/mux-clash.json" -o "$tmp/x.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/mux-clash.json:4:1: syscalls[2]: as current Docker passes the profile, runc skips syscalls[1] (line 3) as equal to the default action, where secprof keeps it, and fails: rule for syscall \"ipc\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST) (libseccomp puts socket and IPC rules on socketcall/ipc too, arg0 replaced by the call number)" "... and through i386's ipc"
out=$(sp compile builtin --format elf 2>&1); rc=$?
is "$rc:$out" "2:secprof: compile: --format is raw, base64, c or text (got 'elf')" "unknown format: exit 2"
out=$(sp compile builtin --timing=50 -o /dev/null 2>&1); rc=$?
[[ $rc == 0 && $out =~ ^compile:\ [0-9]+\.[0-9]\ us\ median\ over\ 50\ \(parse\+resolve\+compile\)$ ]]; ok $? "--timing prints one median line ($out)"
head -c 7 "$tmp/moby.bpf" > "$tmp/short.bpf"
out=$(sp disasm "$tmp/short.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/short.bpf: 7 bytes is not a whole number of 8-byte instructions" "a truncated file is refused"
printf '\x15\x00\x05\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00\x00\xff\x7f' > "$tmp/badjump.bpf"
out=$(sp disasm "$tmp/badjump.bpf" 2>&1); rc=$?
is "$rc:$out" "1:secprof: insn[0]: jump out of range" "a jump past the end is refused"
out=$(sp eval "$tmp/badjump.bpf" read 2>&1); rc=$?
is "$rc" "1" "eval refuses it too"
done_testing
