#!/usr/bin/env bash
# export-systemd.sh - `secprof export --format systemd` run by a real
# systemd: PID 1 of its own pid, mount, network, UTS and cgroup namespaces
# (the cgroup one rooted at a child cgroup this suite makes and removes),
# /proc/sys read-only, started on one oneshot unit that exits the manager.
# The unit runs denials-static `calls` under the exported lines and its
# output is compared with secprof's own decisions (`secprof eval`, whose
# program the kernel suites hold to the kernel; `secprof run` refuses these
# profiles, which deny calls runc makes after loading the filter): systemd's @default set, which it adds to every allow
# list, must not let through what the profile denies, and a profile that
# allows nothing must not become a unit with no filter.
source "$TESTS/lib.sh"
set -u
S=$SECPROF
H=$STATIC_BUILD/tests/denials-static
sd=/lib/systemd/systemd
[[ -x $sd ]] || { echo "1..0 # SKIP no systemd (tools/install-deps.sh installs it)"; exit 0; }
[[ -x $H ]] || { echo "1..0 # SKIP $H not built (make tests-bin)"; exit 0; }
T=$(mktemp -d)
chmod 755 "$T"
cg=$T/cg2 sub=secprof-sd-$$
cleanup() {
	[[ -d $cg/$sub ]] && find "$cg/$sub" -depth -type d -exec rmdir {} + 2>/dev/null
	mountpoint -q "$cg" && umount "$cg"
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$cg"
if ! mount -t cgroup2 none "$cg" 2>/dev/null || ! mkdir "$cg/$sub"; then
	echo "1..0 # SKIP no cgroup2 hierarchy to give systemd"; exit 0
fi
cp "$H" "$T/calls"

# The boot script, run as PID 1's parent in the new namespaces.
cat >"$T/boot.sh" <<BOOT
set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/system
cp "$T/unit" /run/systemd/system/sptest.service
umount -R /sys/fs/cgroup 2>/dev/null || true
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount --bind -o ro /proc/sys /proc/sys
export container=secprof-test
exec $sd --system --unit=sptest.service --log-target=null
BOOT

# sd_calls PROFILE CALL... - export PROFILE for systemd, run `calls CALL...`
# in a unit with those lines; stdout: what it printed, then "result: " and
# systemd's \$SERVICE_RESULT \$EXIT_CODE \$EXIT_STATUS.
sd_calls() {
	local prof=$1 pid; shift
	rm -f "$T/out" "$T/result"
	{
		printf '[Unit]\nDefaultDependencies=no\nSuccessAction=exit-force\nFailureAction=exit-force\n'
		printf '[Service]\nType=oneshot\nExecStart=%s calls %s\n' "$T/calls" "$*"
		printf 'StandardOutput=file:%s\n' "$T/out"
		# "+": without the unit's filter
		printf 'ExecStopPost=+/bin/sh -c '\''echo "$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS" >%s'\''\n' "$T/result"
		"$S" -q export "$prof" --format systemd | grep -v '^#'
	} >"$T/unit"
	(
		echo "$BASHPID" >"$cg/$sub/cgroup.procs"
		exec unshare -C -pmfnu --mount-proc bash "$T/boot.sh"
	) >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { pkill -9 -P "$pid"; kill -9 "$pid"; }
	wait "$pid" 2>/dev/null
	cat "$T/out" 2>/dev/null
	echo "result: $(cat "$T/result" 2>/dev/null)"
}

# what the program would print under secprof's filter for the profile
ours() { # PROFILE NR[:ARG0]...
	local prof=$1 c a
	shift
	for c; do
		a=$("$S" -q eval "$prof" "${c%%:*}" "${c#*:}" | head -n 1)
		[[ $c == *:* ]] || a=$("$S" -q eval "$prof" "$c" | head -n 1)
		case $a in
		ALLOW) echo "${c%%:*} ret" ;;
		ERRNO*) a=${a#ERRNO(}; echo "${c%%:*} errno=${a%)}" ;;
		*) echo "${c%%:*} $a" ;;
		esac
	done
}

# Does systemd run the unit at all here (cgroup namespace, PID 1 in a
# container)? A profile that allows everything: no filter.
echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$T/allow.json"
out=$(sd_calls "$T/allow.json" 102)
if [[ $out != *"102 ret"*"result: success exited 0" ]]; then
	echo "1..0 # SKIP systemd does not run the unit here: $(tr '\n' ' ' <<<"$out")"
	exit 0
fi

# x86_64 numbers: getppid 110, getpgrp 111, getpid 39, gettid 186,
# sched_yield 24 and getrandom 318 are in systemd's @default set; getuid
# 102 and acct 163 are not.
case $(uname -m) in
x86_64) ;;
*) echo "1..0 # SKIP the call numbers below are x86_64's"; exit 0 ;;
esac

# 1. An allow list that leaves out calls of @default: the unit denies them.
start='"execve","brk","arch_prctl","set_tid_address","set_robust_list","rseq","prlimit64","mprotect","readlink","getrandom","write","exit_group","exit"'
cat >"$T/p1.json" <<JSON
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
 {"names":[$start,"getuid"],"action":"SCMP_ACT_ALLOW"}]}
JSON
calls=(110 111 39 186 24 102 163)
got=$(sd_calls "$T/p1.json" "${calls[@]}")
want=$(ours "$T/p1.json" "${calls[@]}")
is "$(grep -v '^result' <<<"$got")" "$want" \
	"systemd: the @default calls an allow-list profile leaves out are denied, as by secprof's filter"
grep -q '^110 errno=1$' <<<"$want"
ok $? "secprof: getppid, of systemd's @default, gets EPERM under the profile"

# 2. A profile that allows nothing: an allow list with no name. Written as
# "SystemCallFilter=" systemd would run the unit with no filter at all.
echo '{"defaultAction":"SCMP_ACT_ERRNO"}' >"$T/none.json"
got=$(sd_calls "$T/none.json" 102)
# (systemd's child, left with no call allowed once its filter is on, dies
# of a signal or exits failed: either way the command never ran)
[[ $got != *"102 "* && $got == "result: "* && $got != "result: success"* ]]
ok $? "systemd: a profile that allows nothing runs nothing (execve denied)" || diag "$got"
is "$(ours "$T/none.json" 59)" "59 errno=1" "secprof: the same profile denies execve"

# 3. A call of @default the profile allows for some arguments only:
# denied for every argument (systemd has no argument tests), stricter.
cat >"$T/p3.json" <<JSON
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
 {"names":[$start],"action":"SCMP_ACT_ALLOW"},
 {"names":["getpgid"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}]}
JSON
got=$(sd_calls "$T/p3.json" 121:0)
is "$(grep -v '^result' <<<"$got")" "121 errno=1" \
	"systemd: a call of @default allowed for some arguments is denied for all (stricter)"
is "$(ours "$T/p3.json" 121:0)" "121 ret" "secprof: that call is allowed for that argument"

# 4. A deny list (the profile's default allows): the denied calls of
# @default are denied with the profile's errno.
cat >"$T/p4.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
 {"names":["getppid","getpgrp"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}
JSON
got=$(sd_calls "$T/p4.json" 110 111 102)
want=$(ours "$T/p4.json" 110 111 102)
is "$(grep -v '^result' <<<"$got")" "$want" "systemd: a deny list denies calls of @default as secprof's filter does"
# 5. Names no syscall has, left out: written, "foo\\" ends the allow line
# with a backslash, which joins the next lines to it (every denied name
# allowed), and a newline starts a line of its own (here an empty
# SystemCallFilter=, no filter)
cat >"$T/p5.json" <<JSON
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
 {"names":[$start,"getuid","foo\\\\"],"action":"SCMP_ACT_ALLOW"}]}
JSON
got=$(sd_calls "$T/p5.json" 163 110 102)
is "$(grep -v '^result' <<<"$got")" "$(ours "$T/p5.json" 163 110 102)" \
	"systemd: a name ending in a backslash does not join the lines that take back the denied calls"
printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct","x\nSystemCallFilter="],"action":"SCMP_ACT_ERRNO"}]}' >"$T/p6.json"
got=$(sd_calls "$T/p6.json" 163 102)
is "$(grep -v '^result' <<<"$got")" "$(ours "$T/p6.json" 163 102)" \
	"systemd: a name with a newline writes no line of its own (acct stays denied)"
done_testing
