#!/usr/bin/env bash
# lxc.sh - LXC seccomp policies (lxc.seccomp.profile) in: what LXC refuses
# is refused at file:line:col, sections apply per host as LXC applies them,
# every command reads the form, and where real LXC runs here (root, Debian's
# lxc package) the filter it loads for a policy decides exactly what
# `secprof compile` of that policy decides (secprof diff: identical).
source "$TESTS/lib.sh"
source "$TESTS/helpers/lxc.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# refuse POLICY-TEXT WANT-STDERR NAME
refuse() {
	printf '%b' "$1" >p.seccomp
	"$SECPROF" check p.seccomp >/dev/null 2>err; rc=$?
	is "$rc:$(cat err)" "1:secprof: p.seccomp:$2" "$3"
}
refuse '3\nallowlist\n' '1:1: policy version 3: LXC reads versions 1 and 2' "version 3: refused"
refuse '2\nfoolist\n' '2:1: unknown policy "foolist" (LXC takes allowlist or denylist, or whitelist or blacklist, then an optional default action)' "unknown policy word"
refuse '2\ndenylist \n' '2:10: a space but no action after it (LXC reads the line end as an unknown action and fails to load the policy)' "space at the end of the policy line: LXC fails"
refuse '2\ndenylist\nread log\n' '3:6: unknown action "log" (LXC takes kill, errno N, allow, trap or notify, and fails to load the policy on anything else)' "log is no LXC action"
refuse '2\ndenylist\nread errno\n' '3:11: errno: expected a number' "errno without a number"
refuse '2\ndenylist\nread errno 1 [6,1,==]\n' '3:15: argument index 6 is out of range: a syscall has 6 arguments (0..5)' "argument index 6"
refuse '2\ndenylist\nread errno 1 [0,1,=~]\n' '3:19: unknown operator "=~" (LXC takes SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ or !=, <, <=, ==, >=, >, &=)' "unknown operator"
refuse '2\ndenylist\nread errno 1 [0,1,==] [0,2,==]\n' '3:23: argument 0 is compared twice: libseccomp refuses that (EINVAL), so LXC fails to load the policy' "an argument compared twice"
refuse '2\ndenylist\nread [0,1,==]\n' '3:6: unknown action "[0,1,==]" (LXC takes kill, errno N, allow, trap or notify, and fails to load the policy on anything else)' "arguments need an action before them"
refuse '2\ndenylist\nread kill [0,1,==] # c\n' '3:19: expected an argument as [index,value,op] or [index,value,op,mask] (LXC fails to load the policy)' "a comment after arguments"
refuse '2\ndenylist\nread errno 1 [0,x,==]\n' '3:17: argument value "x" is not a number LXC reads (strtoull, base 0)' "argument value not a number"
refuse '2\ndenylist\n[amd64]\n' '3:1: unknown section "[amd64]" (LXC: Unsupported architecture; it takes [all], [x86], [x32], [x86_64], [arm], [arm64], [ppc64le], [ppc64], [ppc], [mips], [mips64], [mips64n32], [mipsel], [mipsel64], [mipsel64n32], [s390x], [s390], lower or upper case, alone on the line)' "unknown section"
refuse '2\ndenylist\n[loongarch64]\n' '3:1: unknown section "[loongarch64]" (LXC: Unsupported architecture; it takes [all], [x86], [x32], [x86_64], [arm], [arm64], [ppc64le], [ppc64], [ppc], [mips], [mips64], [mips64n32], [mipsel], [mipsel64], [mipsel64n32], [s390x], [s390], lower or upper case, alone on the line)' "[loongarch64]: not in LXC 5.0.2 with libseccomp 2.5.4"
refuse '2\nallowlist errno 1\nread errno 1\n' "3:6: read: the action is the policy's default (ERRNO(1)): libseccomp refuses such a rule (EACCES), so LXC fails to load the policy" "a rule with the default action"
refuse '2\ndenylist errno 13\nreject_force_umount\n' "3:1: reject_force_umount: the action is the policy's default (ERRNO(13)): libseccomp refuses such a rule (EACCES), so LXC fails to load the policy" "reject_force_umount under an errno 13 default"
refuse '2\ndenylist\nread notify\n' '3:6: notify: LXC hands these calls to its seccomp notify proxy (lxc.seccomp.notify.proxy), which secprof cannot stand in for' "notify: refused"
refuse '1\ndenylist\n' '2:1: version 1 takes only an allowlist policy' "version 1 denylist"
refuse '1\nallowlist\n# c\n' '3:1: version 1 takes one syscall number a line (LXC fails on anything else, comments and empty lines too): expected a number' "version 1 comment"
refuse '2\nallowlist debug\n' '2:11: LXC refuses "debug" in the policy line (not implemented)' "debug"
refuse '2\ndenylist\nread\0\n' '3:5: a NUL byte in an LXC policy (LXC reads each line as a C string)' "NUL byte"
refuse '2\ndenylist\nre\212d errno 1\n' '3:1: the syscall name is not UTF-8 text (no syscall has such a name)' \
	"a name that is not UTF-8 (the OCI JSON of it would name another: fuzz_resolve's fixed point)"

# --- semantics ---
res() { "$SECPROF" resolve p.seccomp "$@" 2>&1; }
printf '2\ndenylist\nkexec_load\n[arm]\nptrace errno 1\n[all]\nmount kill\n' >p.seccomp
is "$(res --arch amd64)" '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"names":["kexec_load"],"action":"SCMP_ACT_KILL"},{"names":["mount"],"action":"SCMP_ACT_KILL"}]}' \
	"amd64: x86, x32 merged in; [arm] skipped; denylist rules kill"
is "$(res --arch arm64)" '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"],"syscalls":[{"names":["kexec_load"],"action":"SCMP_ACT_KILL"},{"names":["ptrace"],"action":"SCMP_ACT_ERRNO","errnoRet":1},{"names":["mount"],"action":"SCMP_ACT_KILL"}]}' \
	"arm64: [arm] applies (to the whole filter), arm merged in"
is "$(res --arch riscv64)" '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_KILL"}]}' \
	"riscv64, a host LXC 5.0.2 does not know: only [all] rules"
is "$(res --arch mips64p32)" "secprof: p.seccomp: LXC has no mips64n32 host: it takes the host from uname -m, which says mips64 under a mips64n32 userland (resolve for the kernel's arch instead)" \
	"a mips64n32 target: refused"
printf '2\nwhitelist errno 38\nread # comment\n  # indented comment\n\nwrite trap\nclose kill\nopenat errno 2 [2,0x40,&=] [1,1,SCMP_CMP_GT]\npersonality allow [0,8,&=,0xff]\nrenameat2 allow [4,0,&=]\nnosuch\n' >p.seccomp
is "$(res --arch amd64)" '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_TRAP"},{"names":["close"],"action":"SCMP_ACT_KILL"},{"names":["openat"],"action":"SCMP_ACT_ERRNO","errnoRet":2,"args":[{"index":2,"value":0,"valueTwo":64,"op":"SCMP_CMP_MASKED_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_GT"}]},{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":255,"valueTwo":8,"op":"SCMP_CMP_MASKED_EQ"}]},{"names":["renameat2"],"action":"SCMP_ACT_ALLOW","args":[{"index":4,"value":0,"op":"SCMP_CMP_MASKED_EQ"}]},{"names":["nosuch"],"action":"SCMP_ACT_ALLOW"}]}' \
	"whitelist with a default action, per-line actions, [idx,value,op(,mask)] (a missing mask is 0), comments, an indented comment and an empty line (nameless: nothing)"
"$SECPROF" check p.seccomp >/dev/null 2>err
grep -q 'p.seccomp:11:1: syscalls\[6\].names\[0\]: unknown syscall "nosuch"' err
ok $? "an unknown name: a warning, the line skipped as LXC skips it"
! grep -qE 'runc:|crun:' err
ok $? "no runc or crun start-up warnings for a policy LXC loads"
printf '1\nallowlist\n0\n1\n 60 # exit\n' >p.seccomp
is "$(res --arch amd64)" '{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_ALLOW"},{"names":["exit"],"action":"SCMP_ACT_ALLOW"}]}' \
	"version 1: native numbers, the native arch alone"
is "$(res --arch arm64)" '{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"names":["io_setup"],"action":"SCMP_ACT_ALLOW"},{"names":["io_destroy"],"action":"SCMP_ACT_ALLOW"},{"names":["quotactl"],"action":"SCMP_ACT_ALLOW"}]}' \
	"version 1: the numbers are the host's"
# i386's socket calls: libseccomp 2.5.4 gives them pseudo numbers there, so
# LXC leaves them out of the x86 part of the filter (runc's profile would
# put them on socketcall and on 359..373)
printf '2\nallowlist\nsocket\nrecvmmsg\n' >p.seccomp
out=$("$SECPROF" ir p.seccomp --arch amd64)
grep -q '^  *41 *socket *ALLOW' <<<"$out" && ! grep -qE '^ *(359|102) ' <<<"$(sed -n '/arch x86 /,/^$/p' <<<"$out")"
ok $? "x86 compat: socket and recvmmsg left out, socketcall too; x86_64 socket allowed"
"$SECPROF" explain p.seccomp socket --arch 386 >out 2>&1
grep -q 'KILL' out
ok $? "on an i386 host (native x86) socket is killed, as LXC leaves it out"
# a denial there is kept on the direct number (LXC loses it: stricter)
printf '2\ndenylist\nsocket errno 97\nsemget errno 1\n' >d.seccomp
is "$("$SECPROF" eval d.seccomp socket --arch 386 | head -1) $("$SECPROF" eval d.seccomp semget --arch 386 | head -1)" \
	"ERRNO(97) ERRNO(1)" "x86 compat: a denylist's socket and semget denials stay on their own numbers"
is "$("$SECPROF" eval d.seccomp socketcall 1 --arch 386 | head -1) $("$SECPROF" eval d.seccomp ipc 2 --arch 386 | head -1)" "ERRNO(97) ERRNO(1)" \
	"x86 compat: and on socketcall/ipc, as runc's profile would (LXC allows them)"

# --- the host is the kernel's (uname -m, LXC's get_hostarch), not secprof's arch ---
# Under a linux32 personality (as for an i386 or armhf userland on a 64-bit
# kernel, the other way round) uname -m names another host than secprof's
# own arch: without --arch, secprof must not read the policy for its own.
l32=$(setarch linux32 uname -m 2>/dev/null)
if [[ -n $l32 && $l32 != "$(uname -m)" ]]; then
	printf '2\ndenylist\n[x86_64]\nkexec_load errno 1\n' >h.seccomp
	setarch linux32 "$SECPROF" check h.seccomp >out 2>&1; rc=$?
	is "$rc:$(grep -cE "LXC takes its host from uname -m, which says $l32 here|LXC 5.0.2 knows no $l32 host" out)" "2:1" \
		"uname -m says $l32 (linux32): no --arch, no reading for secprof's own arch"
	own=$("$SECPROF" check builtin | sed -n 's/^resolved for: *\([^,]*\),.*/\1/p')
	setarch linux32 "$SECPROF" check -q h.seccomp --arch "$own" >/dev/null 2>&1
	ok $? "with --arch $own the host is the one given"
	setarch linux32 "$SECPROF" check -q builtin >/dev/null 2>&1
	ok $? "a Docker profile is resolved for secprof's own arch as before"
	setarch linux32 "$SECPROF" run --security-opt seccomp=h.seccomp -- /bin/true >/dev/null 2>&1
	is $? 125 "secprof run: refused, never run under a filter read for another host"
else
	skip "linux32 host" "setarch linux32 does not change uname -m here"
fi

# --- every command reads the form ---
printf '2\ndenylist\nreject_force_umount  # comment this to allow umount -f;  not recommended\n[all]\nkexec_load errno 1\n' >c.seccomp
for cmd in "check c.seccomp" "resolve c.seccomp" "compile c.seccomp -o /dev/null" "ir c.seccomp" \
	"explain c.seccomp umount2 0 1" "lint c.seccomp" "diff c.seccomp c.seccomp" \
	"merge --union c.seccomp builtin" "export c.seccomp --format docker"; do
	"$SECPROF" $cmd >out 2>&1; rc=$?
	ok $((rc > 1)) "secprof $cmd: reads the LXC policy (exit $rc)"
done
"$SECPROF" explain c.seccomp umount2 0 1 >out 2>&1
grep -q '3:1' out
ok $? "explain points at the reject_force_umount line"
"$SECPROF" diff c.seccomp - <<<"$("$SECPROF" export c.seccomp --format docker)" >/dev/null
ok $? "the docker export decides as the LXC policy"

# --- real LXC ---
if ! lxc_available; then
	skip "real LXC" "lxc-execute not installed or not root"
	done_testing; exit
fi
mkdir -p lxc
# against_lxc POLICY NAME [DIFF]: LXC's filter decides as secprof compile
# --exact-libseccomp's (or differs from it by DIFF, secprof diff's lines),
# and the default program (arguments the kernel reads as 32 bits decided
# on their low word too) allows nothing LXC's denies
against_lxc() {
	if ! lxc_filter "$tmp/$1" "$tmp/$1.bpf" "$tmp/lxc"; then
		ok 1 "$2: LXC ran"
		return
	fi
	"$SECPROF" compile "$1" --exact-libseccomp -o "$1.exact.bpf" 2>/dev/null
	"$SECPROF" diff "$1.bpf" "$1.exact.bpf" >out 2>&1
	if [[ -z ${3:-} ]]; then
		is "$(tail -n 1 out | sed 's/ (.*//')" "verdict: identical" "$2: identical to LXC's filter (--exact-libseccomp)"
	else
		is "$(sed 's/ (.*//' out)" "$3" "$2: LXC's filter but for secprof's stricter lines (--exact-libseccomp)"
	fi
	"$SECPROF" diff --subset "$1" "$1.bpf" >out 2>&1
	ok $? "$2: the default program allows nothing LXC's denies"
}
cp c.seccomp common.seccomp
against_lxc common.seccomp "common.seccomp (denylist, reject_force_umount)"
printf '2\nblacklist\nkexec_load kill\n[x86]\nptrace errno 1\n[arm]\nmount\n[x86_64]\nsyslog trap\nunshare errno 1 [0,0x10000000,&=,0x10000000]\npersonality errno 22 [0,0xffffffff,>] [1,5,<=]\n[all]\nacct errno 65\nsocket errno 97 [0,40,==]\nsemget errno 1\nsocketcall errno 1 [0,3,==]\n' >deny.seccomp
# LXC loses the denials of socket and semget on x86 (left out, as in
# merge.c lxc_left_out): secprof keeps them on their direct numbers and on
# socketcall/ipc, as runc's profile would
against_lxc deny.seccomp "denylist: sections, kill/trap/errno, arguments, socket calls" \
	"x86 socketcall arg0 low word 1: ALLOW → ERRNO(97)  e.g. socketcall(1)
x86 ipc arg0 low word 2: ALLOW → ERRNO(1)  e.g. ipc(2)
x86 socket arg0 low word 40: ALLOW → ERRNO(97)  e.g. socket(40)
x86 semget: ALLOW → ERRNO(1)  e.g. semget(0)
verdict: B stricter"
{
	printf '2\nallowlist trap\n'
	"$SECPROF" syscalls --arch amd64 | awk '$1!="personality" && $1!="mincore" && $1!="getuid" && $1!="fadvise64"{print $1}'
	printf 'socketcall\naccept\nrecv\ngetuid32\n[arm]\nmincore\n[x86]\n_llseek\n[x86_64]\ngetuid errno 1\n'
	printf 'personality errno 9 [0,0xffffffff,!=] [1,5,&=,7]\nfadvise64 allow [3,4,==]\nfadvise64 allow [3,0x2,<=]\n[all]\nreject_force_umount\n'
} >allow.seccomp
against_lxc allow.seccomp "allowlist of every x86_64 name: compat arches, socket calls on x86, arguments"
# LXC under linux32 on x86_64 (uname -m i686) reads the policy for an i386
# host: [x86_64]'s rules are skipped, so its filter denies ptrace that the
# amd64 reading (secprof's own arch here) allows
if [[ $(uname -m) == x86_64 && $(setarch linux32 uname -m 2>/dev/null) == i686 ]]; then
	{
		printf '2\nallowlist errno 1\n'
		"$SECPROF" syscalls --arch amd64 | awk '$1!="ptrace"{print $1}'
		printf '[x86_64]\nptrace\n'
	} >l32.seccomp
	if setarch linux32 env SECPROF="$SECPROF" TESTS="$TESTS" LXC_ROOTFS="$LXC_ROOTFS" bash -c \
		'source "$TESTS/helpers/lxc.sh"; lxc_filter "$1" "$2" "$3"' _ "$tmp/l32.seccomp" "$tmp/l32.bpf" "$tmp/lxc"; then
		is "$("$SECPROF" eval l32.bpf ptrace | head -1) $("$SECPROF" eval l32.seccomp ptrace --arch amd64 | head -1)" \
			"ERRNO(1) ALLOW" "LXC under linux32: [x86_64] skipped (ptrace denied), which the amd64 reading allows"
		setarch linux32 "$SECPROF" compile l32.seccomp -o /dev/null >/dev/null 2>&1
		is $? 2 "secprof under linux32 without --arch: refused rather than allow it"
	else
		ok 1 "LXC ran under linux32"
	fi
fi
printf '2\nallowlist errno 1\nread errno 1\n' >bad.seccomp
lxc_filter "$tmp/bad.seccomp" "$tmp/bad.bpf" "$tmp/lxc"
ok $((! $?)) "a rule with the default action: LXC fails to start the container (so secprof refuses it)"
done_testing
