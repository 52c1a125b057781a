#!/usr/bin/env bash
# run.sh - `secprof run` without a root filesystem: docker run's options,
# exit statuses, capability sets and the built-in profile's verdicts, seen
# by the real kernel through `secprof probe`.
source "$TESTS/lib.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP secprof run tests need root (capability sets, filters)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run OPTS... -- CMD: sets out, err, rc
run() {
	out=$("$SECPROF" run "$@" 2>"$tmp/err"); rc=$?
	err=$(<"$tmp/err")
}
# probe OPTS...: sets p (probe --json output)
probe() { p=$("$SECPROF" run "$@" -- "$SECPROF" probe --json 2>&1); }
# field NAME: the verdict for NAME in $p
field() { grep -F "    \"$1\": " <<<"$p" | sed 's/.*": "\(.*\)",\{0,1\}$/\1/'; }
status_of() { grep "^$1:" <<<"$out" | cut -f2; }

# ---- exit statuses (docker run reference) ----
run -- true
is "$rc" 0 "exit 0"
run -- sh -c 'exit 7'
is "$rc" 7 "the command's exit status"
run -- sh -c 'kill -TERM $$'
is "$rc" 143 "killed by SIGTERM: 128+15"
run -- no-such-command-xyz
is "$rc" 127 "missing command: 127"
is "$err" 'secprof: exec: "no-such-command-xyz": executable file not found in $PATH' "missing command message"
run -- /etc
is "$rc" 126 "a directory cannot be executed: 126"
is "$err" 'secprof: exec: "/etc": permission denied' "cannot-execute message"
printf 'not a program\n' >"$tmp/plain"
chmod 644 "$tmp/plain"
run -- "$tmp/plain"
is "$rc" 126 "a file without x bit: 126"
run -- /no/such/file
is "$rc" 127 "a missing path: 127"
is "$err" 'secprof: exec: "/no/such/file": no such file or directory' "missing path message"

# ---- a bad profile never runs the command ----
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [}\n' >"$tmp/bad.json"
run --security-opt "seccomp=$tmp/bad.json" -- touch "$tmp/ran"
is "$rc" 125 "malformed profile: 125"
[[ $err == secprof:\ $tmp/bad.json:1:* ]]; ok $? "malformed profile: parser message with file:line"
diag "$err"
[[ ! -e $tmp/ran ]]; ok $? "malformed profile: command not run"
printf '{"defaultAction": "SCMP_ACT_BOGUS"}\n' >"$tmp/badact.json"
run --security-opt "seccomp=$tmp/badact.json" -- touch "$tmp/ran"
is "$rc" 125 "invalid action: 125"
[[ ! -e $tmp/ran ]]; ok $? "invalid action: command not run"
# Too big for the kernel: refused before anything runs, never run unfiltered.
python3 -c 'import json, sys
rules = [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": i % 100 + 2,
          "args": [{"index": 0, "value": i * 7919, "op": "SCMP_CMP_EQ"}]} for i in range(5000)]
json.dump({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": rules}, sys.stdout)' >"$tmp/huge.json"
run --security-opt "seccomp=$tmp/huge.json" -- touch "$tmp/ran"
is "$rc" 125 "a filter over BPF_MAXINSNS: 125"
[[ $err == *4096* ]]; ok $? "a filter over BPF_MAXINSNS: the limit is named"
[[ ! -e $tmp/ran ]]; ok $? "a filter over BPF_MAXINSNS: command not run"
run --security-opt "seccomp=$tmp/none.json" -- true
is "$rc" 125 "missing profile file: 125"
is "$err" "secprof: opening seccomp profile ($tmp/none.json) failed: open $tmp/none.json: No such file or directory" \
	"missing profile file: docker's message"
# seccomp=- is the file "-", as docker/cli's os.ReadFile reads it: never
# standard input after access() checked the file (earlier builds ran the
# command unconfined on a "{}" piped in while ./- held a strict profile).
mkdir "$tmp/dash"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}\n' >"$tmp/dash/-"
out=$(cd "$tmp/dash" && echo '{}' | "$SECPROF" run --security-opt seccomp=- -- grep '^Seccomp:' /proc/self/status 2>"$tmp/err"); rc=$?
is "$rc $out" "0 Seccomp:	2" "seccomp=-: the file ./- is applied, not standard input"
out=$(cd "$tmp" && echo '{}' | "$SECPROF" run --security-opt seccomp=- -- true 2>&1); rc=$?
is "$rc $out" "125 secprof: opening seccomp profile (-) failed: open -: No such file or directory" \
	"seccomp=- without a file -: docker's message, standard input unread"
run --security-opt seccomp -- true
is "$err" 'secprof: invalid --security-opt: "seccomp"' "option without a value (docs/COMPAT.md §3.1)"
is "$rc" 125 "option without a value: 125"
run --security-opt foo=bar -- true
is "$err" 'secprof: invalid --security-opt 2: "foo=bar"' "unknown option key (docs/COMPAT.md §3.2)"
run --security-opt no-new-privileges=maybe -- true
is "$err" 'secprof: invalid --security-opt 2: "no-new-privileges=maybe"' "bad no-new-privileges value"
run --cap-add NOPE -- true
is "$rc" 125 "unknown capability: 125"
is "$err" 'secprof: invalid CapAdd: unknown capability: "CAP_NOPE"' "unknown capability message, wrapped as moby does"
run --cap-drop cap_nope2 -- true
is "$err" 'secprof: invalid CapDrop: unknown capability: "CAP_NOPE2"' "unknown dropped capability"
# Debian 12's Docker (20.10.24) knows no capability above CAP_AUDIT_READ
# (docs/COMPAT.md §3.4): it refuses the names and never grants them.
for c in BPF cap_perfmon CHECKPOINT_RESTORE; do
	run --cap-add "$c" -- true
	is "$rc:$err" "125:secprof: invalid CapAdd: unknown capability: \"CAP_$(tr a-z A-Z <<<"${c#cap_}")\"" \
		"--cap-add $c: refused as Debian 12's docker run refuses it"
done
# bpf(BPF_MAP_CREATE) of a one-entry array: the profile allows bpf for
# CAP_SYS_ADMIN or CAP_BPF; Docker's --cap-add ALL has neither here.
run --cap-add ALL --cap-drop SYS_ADMIN -- perl -e '$a = pack("LLLL", 2, 4, 4, 1); $! = 0;
	print syscall(321, 0, $a, 16) < 0 ? "bpf: $!\n" : "bpf: allowed\n"; open F, "/proc/self/status";
	print grep /^CapBnd/, <F>'
is "$(status_of CapBnd)" "$(printf '%016x' $((0x$(grep '^CapEff:' /proc/self/status | cut -f2) & 0x3fffffffff & ~(1 << 21))))" \
	"--cap-add ALL --cap-drop SYS_ADMIN: no CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE, as Debian 12's Docker"
if [[ $(uname -m) == x86_64 ]]; then
	is "$(grep '^bpf:' <<<"$out")" "bpf: Operation not permitted" \
		"--cap-add ALL --cap-drop SYS_ADMIN: bpf() denied by the profile, as under docker run"
else
	skip "bpf() under --cap-add ALL --cap-drop SYS_ADMIN" "x86_64 syscall number"
fi
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}\n' >"$tmp/notify.json"
run --security-opt "seccomp=$tmp/notify.json" -- touch "$tmp/ran"
is "$err" "secprof: seccomp listenerPath is not set: secprof run cannot serve SCMP_ACT_NOTIFY rules" "NOTIFY rules: refused as runc does without listenerPath"
[[ ! -e $tmp/ran ]]; ok $? "NOTIFY rules: command not run"
run --privileged --security-opt seccomp=builtin -- true
is "$rc" 125 "privileged + builtin fails as in moby (docs/COMPAT.md §3.3)"
run -- 
is "$rc" 125 "no command: 125"

# ---- capabilities as Docker sets them (docs/COMPAT.md §3.4) ----
run -- cat /proc/self/status
is "$(status_of CapBnd)" 00000000a80425fb "default: bounding = Docker's 14"
is "$(status_of CapEff)" 00000000a80425fb "default: effective = bounding"
is "$(status_of CapPrm)" 00000000a80425fb "default: permitted = bounding"
is "$(status_of CapInh)" 0000000000000000 "default: inheritable empty (Docker >= 20.10.14)"
is "$(status_of CapAmb)" 0000000000000000 "default: ambient empty"
is "$(status_of NoNewPrivs)" 0 "default: no_new_privs off"
is "$(status_of Seccomp)" 2 "default: seccomp filter mode"
is "$(status_of Seccomp_filters)" 1 "default: exactly one filter"
run --cap-drop ALL --cap-add CHOWN -- cat /proc/self/status
is "$(status_of CapBnd)" 0000000000000001 "--cap-drop ALL --cap-add CHOWN"
# A profile cannot keep a capability in the bounding set: the range and
# the cut are the kernel's, before the filter loads (docs/COMPAT.md §9
# item 30; under runc the first two keep CAP_SYS_ADMIN, docker-compare.sh).
prctl_rule() { # ARG0 ARG1-OP ARG1 ERRNO
	printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":%s,"args":[{"index":0,"value":%s,"op":"SCMP_CMP_EQ"},{"index":1,"value":%s,"op":"%s"}]}]}\n' "$4" "$1" "$3" "$2"
}
prctl_rule 24 SCMP_CMP_EQ 21 22 >"$tmp/capdrop-einval.json"
prctl_rule 24 SCMP_CMP_EQ 21 0 >"$tmp/capdrop-zero.json"
prctl_rule 23 SCMP_CMP_GE 5 22 >"$tmp/capread-einval.json"
for p in capdrop-einval capdrop-zero capread-einval; do
	run --security-opt "seccomp=$tmp/$p.json" -- cat /proc/self/status
	is "$(status_of CapBnd)/$(status_of CapEff)" 00000000a80425fb/00000000a80425fb \
		"a profile answering prctl for the kernel ($p): Docker's 14, no more"
done
# secprof itself under a filter that answers PR_CAPBSET_READ of 5 with
# EPERM and of 32 with EINVAL, and PR_GET_SECCOMP with ERRNO(0) (as if
# there were no filter): bisection alone would stop at 31 and leave 32..37
# (--cap-add ALL's) in the inner container's bounding set; checked against
# cap_last_cap, it falls back to counting up, which meets the EPERM and
# reads the file (proc.c last_cap).
printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
	{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":0,"args":[{"index":0,"value":21,"op":"SCMP_CMP_EQ"}]},
	{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":23,"op":"SCMP_CMP_EQ"},{"index":1,"value":5,"op":"SCMP_CMP_EQ"}]},
	{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":23,"op":"SCMP_CMP_EQ"},{"index":1,"value":32,"op":"SCMP_CMP_EQ"}]}]}' >"$tmp/capread-mixed.json"
run --cap-add ALL --security-opt "seccomp=$tmp/capread-mixed.json" -- "$SECPROF" run -- cat /proc/self/status
is "$(status_of CapBnd)/$(status_of CapEff)" 00000000a80425fb/00000000a80425fb \
	"secprof under a filter answering PR_CAPBSET_READ unevenly: Docker's 14, no more"
# setresuid answered with ERRNO(0) (0 without running it): runc would run
# the command as root; secprof sees root's capabilities kept and refuses.
printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["setresuid"],"action":"SCMP_ACT_ERRNO","errnoRet":0}]}' >"$tmp/setresuid-zero.json"
run --user 1000:1000 --security-opt "seccomp=$tmp/setresuid-zero.json" -- touch "$tmp/ran-as-root"
is "$rc" 125 "setresuid answered ERRNO(0) with --user 1000: refused (exit 125)"
[[ ! -e $tmp/ran-as-root ]]; ok $? "... and the command never ran as root"
run --user 1000:1000 -- cat /proc/self/status
is "$(grep '^Uid:' <<<"$out" | cut -f2)/$(status_of CapEff)" 1000/0000000000000000 "--user 1000 under no such profile: switched"
# The check is for a switch from euid 0 only: a caller of another uid
# keeps the effective set it holds across a real switch (ambient
# CAP_SETUID and CAP_SETGID, as a service granted them), which says
# nothing of the profile; e425eab refused such a start.
out=$(setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps +setuid,+setgid \
	--ambient-caps +setuid,+setgid "$SECPROF" run --user 2000:2000 -- cat /proc/self/status 2>"$tmp/err"); rc=$?
is "$rc/$(grep '^Uid:' <<<"$out" | cut -f2)/$(status_of CapEff)" 0/2000/0000000000000000 \
	"a caller of uid 1000 with CAP_SETUID and CAP_SETGID, --user 2000: switched, no capability left"
# A caller's inheritable set is emptied before the filter too: a root
# command's execve adds it to what the bounding set lets through, and a
# profile answering capset with ERRNO(0) would have kept it.
printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["capset"],"action":"SCMP_ACT_ERRNO","errnoRet":0}]}' >"$tmp/capset-zero.json"
printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":0}]}' >"$tmp/prctl-zero.json"
out=$(setpriv --inh-caps +sys_admin "$SECPROF" run --security-opt "seccomp=$tmp/capset-zero.json" -- cat /proc/self/status 2>/dev/null)
is "$(status_of CapInh)/$(status_of CapEff)" 0000000000000000/00000000a80425fb \
	"a caller's inheritable CAP_SYS_ADMIN, capset answered ERRNO(0): Docker's 14, no more"
run --cap-add sys_admin --cap-drop NET_RAW -- cat /proc/self/status
is "$(status_of CapEff)" 00000000a82405fb "--cap-add sys_admin --cap-drop NET_RAW"
run --security-opt no-new-privileges -- cat /proc/self/status
is "$(status_of NoNewPrivs)" 1 "no-new-privileges: bit set"
is "$(status_of Seccomp_filters)" 1 "no-new-privileges: filter loaded"
run --security-opt no-new-privileges=false -- cat /proc/self/status
is "$(status_of NoNewPrivs)" 0 "no-new-privileges=false"
run --user 1000:1001 -- cat /proc/self/status
is "$(status_of CapEff)" 0000000000000000 "non-root user: no effective caps after execve, as in Docker"
is "$(status_of CapBnd)" 00000000a80425fb "non-root user: bounding kept"
is "$(grep '^Uid:' <<<"$out" | cut -f2)" 1000 "--user uid"
is "$(grep '^Gid:' <<<"$out" | cut -f2)" 1001 "--user gid"
# The user is looked up after the filter is loaded, with the calls runc
# makes there (Go's os.Open: openat), not the older open(2) a C library
# may prefer (musl's fopen on x86_64: the static secprof): under a profile
# that allows only the newer call, a passwd the filter kept shut left a
# numeric --user in group 0 (root's), and a name not found.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["open", "stat"], "action": "SCMP_ACT_ERRNO"}]}\n' >"$tmp/no-legacy.json"
IFS=: read -r pw_name _ pw_uid pw_gid _ < <(awk -F: '$3 != 0 && $4 != 0 && $3 < 65534' /etc/passwd | head -n 1)
if [[ -n $pw_name ]]; then
	run --security-opt "seccomp=$tmp/no-legacy.json" --user "$pw_uid" -- /bin/cat /proc/self/status
	is "$rc/$(grep '^Gid:' <<<"$out" | cut -f2)/$(status_of Groups | tr -d " ")" "0/$pw_gid/$pw_gid" \
		"--user $pw_uid, profile denying open and stat: the passwd entry's group ($pw_gid), never root's"
	run --security-opt "seccomp=$tmp/no-legacy.json" --user "$pw_name" -- /bin/cat /proc/self/status
	is "$rc/$(grep '^Uid:' <<<"$out" | cut -f2)" "0/$pw_uid" \
		"--user $pw_name, profile denying open and stat: found"
else
	skip "--user under a profile denying open and stat" "no passwd entry with a uid and gid other than 0"
fi
# The command is found on PATH with the call runc's LookPath makes (Go's
# os.Stat: newfstatat), not stat(2) (musl's stat on x86_64): a profile
# allowing only the newer call left the static secprof's command not found.
run --security-opt "seccomp=$tmp/no-legacy.json" -- cat /proc/self/status
is "$rc/$(status_of Seccomp)" 0/2 "profile denying open and stat: cat found on PATH"
run --security-opt seccomp=unconfined -- cat /proc/self/status
is "$(status_of Seccomp)" 0 "seccomp=unconfined: no filter"
run --security-opt seccomp=builtin -- cat /proc/self/status
is "$(status_of Seccomp_filters)" 1 "seccomp=builtin: the default profile"
run --privileged -- cat /proc/self/status
is "$(status_of Seccomp)" 0 "--privileged: unconfined (docs/COMPAT.md §3.3)"
is "$(status_of CapBnd)" "$(printf '%016x' $((0x$(grep '^CapEff:' /proc/self/status | cut -f2) & 0x3fffffffff)))" \
	"--privileged: every cap secprof holds that Debian 12's Docker knows (none above CAP_AUDIT_READ)"
run --privileged --security-opt "seccomp=$TESTS/data/run-chown-audit-control.json" -- cat /proc/self/status
is "$(status_of Seccomp)" 2 "--privileged with a custom profile: filtered (Docker >= 27)"
run --security-opt "seccomp:$TESTS/data/run-chown-audit-control.json" -- cat /proc/self/status
is "$(status_of Seccomp)" 2 "seccomp:PATH (colon form) is accepted"

# ---- when the filter is loaded (docs/COMPAT.md §4.1.4) ----
# Without no-new-privileges runc loads the filter before it writes the
# capability sets, so a profile denying capset stops the start; with it the
# filter comes last, just before execve, and the command runs.
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["capset"],"action":"SCMP_ACT_ERRNO"}]}\n' >"$tmp/nocapset.json"
run --security-opt "seccomp=$tmp/nocapset.json" -- true
is "$rc" 125 "filter before caps: a profile denying capset stops the start"
is "$(grep -v ': warning: ' <<<"$err")" "secprof: the profile blocks capset (ERRNO(1)), which the container needs to start (the runtime calls it after loading the filter, as runc does)" \
	"filter before caps: the reason names the call the profile blocks"
run --security-opt "seccomp=$tmp/nocapset.json" --security-opt no-new-privileges -- true
is "$rc" 0 "no-new-privileges: filter loaded after the caps, the command runs"
printf '{"defaultAction":"SCMP_ACT_ERRNO"}\n' >"$tmp/deny.json"
if ldd "$SECPROF" 2>/dev/null | grep -q libasan; then
	# ASan's runtime itself needs sigaltstack/mmap once the filter is in.
	skip "deny-everything profile" "sanitizer runtimes cannot live under a deny-all filter"
else
	run --security-opt "seccomp=$tmp/deny.json" -- touch "$tmp/ran"
	is "$rc" 125 "deny-everything profile: 125, not a crash status"
	is "$(grep -v ': warning: ' <<<"$err")" "secprof: the profile blocks capget (ERRNO(1)), which the container needs to start (the runtime calls it after loading the filter, as runc does)" \
		"deny-everything profile: the first call the profile blocks is named (runc fails the same way)"
	[[ ! -e $tmp/ran ]]; ok $? "deny-everything profile: command not run"
fi

# ---- signals ----
"$SECPROF" run -- sh -c 'trap "exit 42" TERM; sleep 30 & wait' &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
is "$?" 42 "SIGTERM sent to secprof run is forwarded to the command"
# Every signal the docker client passes on, real-time ones too: 88aa489
# passed on eight, and any other (here SIGRTMIN+6) ended secprof and left
# the command running without it.
for sig in 40 PWR; do
	"$SECPROF" run -- sh -c 'trap "exit 44" 40; trap "exit 45" PWR; sleep 30 & wait' &
	pid=$!
	sleep 0.5
	kill -$sig $pid
	wait $pid
	is "$?" "$([[ $sig == 40 ]] && echo 44 || echo 45)" "signal $sig sent to secprof run is forwarded to the command"
done

# A tracer that never waits holds the command's zombie: its pidfd polls
# readable while secprof's waitpid finds nothing. The wait must not spin
# on it (8340621 used a whole CPU until the tracer left).
if [[ -x $BUILD/tests/seize ]]; then
	"$SECPROF" run -- sleep 0.3 &
	pid=$!
	for _ in $(seq 100); do
		cmd=$(cat /proc/$pid/task/$pid/children 2>/dev/null)
		cmd=${cmd%% *}
		[[ -n $cmd && $(cat /proc/$cmd/comm 2>/dev/null) == sleep ]] && break
		sleep 0.02
	done
	"$BUILD/tests/seize" "$cmd" 2 &
	tracer=$!
	sleep 1.5
	ticks=$(awk '{print $14 + $15}' /proc/$pid/stat)
	wait $tracer
	wait $pid
	is "$?" 0 "a tracer holding the command's zombie: the run ends once it leaves"
	ok $((ticks < 20 ? 0 : 1)) "meanwhile secprof waits without spinning ($ticks ticks of CPU in 1.5 s)"
else
	skip "a tracer holding the zombie" "$BUILD/tests/seize missing (make tests-bin)"
fi

# ---- an unprivileged caller ----
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
		"$SECPROF" run -- cat /proc/self/status 2>&1); rc=$?
	is "$rc,$(status_of NoNewPrivs),$(status_of Seccomp)" "0,1,2" \
		"unprivileged: filtered, and no_new_privs stands in for the bounding set it cannot shrink"
	# A root caller without CAP_SETPCAP (a bounding set without it) but
	# with CAP_SYS_ADMIN loads the filter without no_new_privs; set only
	# under the filter, a profile answering prctl with ERRNO(0) left it
	# unset and the command's execve took the bounding set back.
	out=$(setpriv --bounding-set -setpcap "$SECPROF" run --cap-drop ALL \
		--security-opt "seccomp=$tmp/prctl-zero.json" -- cat /proc/self/status 2>/dev/null)
	is "$(status_of NoNewPrivs)/$(status_of CapEff)" 1/0000000000000000 \
		"no CAP_SETPCAP, prctl answered ERRNO(0), --cap-drop ALL: no_new_privs set, no capability"
	# no_new_privs lets an execve keep what the process holds: there only
	# the capset keeps the command to the list, and one answered ERRNO(0)
	# left root's command (and a file-capability program of --user's)
	# every capability of the caller.
	# (main: CapPrm 000001fffefffeff as root, 0000000000200000 from a cat
	# with file capability cap_sys_admin=ep as uid 1000.)
	fcat=cat
	if command -v setcap >/dev/null && cp /bin/cat "$tmp/fcat" && setcap cap_sys_admin+ep "$tmp/fcat"; then
		chmod 755 "$tmp" && fcat=$tmp/fcat
	fi
	for u in 0 1000; do
		out=$(setpriv --bounding-set -setpcap "$SECPROF" run --cap-drop ALL --user $u \
			--security-opt "seccomp=$tmp/capset-zero.json" -- "$fcat" /proc/self/status 2>"$tmp/err"); rc=$?
		is "$rc/$(status_of CapPrm)/$(grep -c 'blocks capset' "$tmp/err")" 125//1 \
			"no CAP_SETPCAP, capset answered ERRNO(0), --cap-drop ALL --user $u (${fcat##*/}): refused, saying why"
	done
	out=$(setpriv --bounding-set -setpcap "$SECPROF" run --user 1000 -- cat /proc/self/status 2>&1); rc=$?
	is "$rc/$(status_of CapPrm)/$(status_of NoNewPrivs)" 0/0000000000000000/1 "no CAP_SETPCAP, --user 1000: runs"
else
	skip "unprivileged caller" "setpriv(1) not installed"
fi

# ---- the caller's terminal and stdin, without --rootfs too ----
# docker run's stdio: pipes secprof copies, stdin /dev/null without -i,
# and a session of the command's own. 4a0ee25 handed a process-mode
# command the caller's fds 0-2: under --user 65534 --cap-drop ALL it typed
# into the caller's shell with TIOCSTI (no capability needed on one's own
# controlling terminal) and read stdin without -i.
is "$(echo secret | "$SECPROF" run -- cat)" "" "without -i the command's stdin is /dev/null"
is "$(echo secret | "$SECPROF" run -i -- cat)" secret "-i: the caller's stdin reaches it, copied"
if [[ -x $STATIC_BUILD/tests/denials-static ]] && command -v script >/dev/null; then
	D=$STATIC_BUILD/tests/denials-static
	out=$(timeout 30 script -qfc "$SECPROF run --user 65534 --cap-drop ALL -- sh -c '$D tiocsti; $D tiocsti /dev/tty'" \
		/dev/null </dev/null | tr -d '\r')
	is "$(tr '\n' '|' <<<"$out")" "tiocsti: ENOTTY|tiocsti: ENXIO|" \
		"on the caller's terminal: no terminal on stdin, no controlling one (/dev/tty)"
	mkdir -p "$tmp/cc" && rm -f "$tmp/cc/ready" "$tmp/cc/done"
	wait_for() { local i; for i in $(seq 300); do [[ -e $1 ]] && return; sleep 0.1; done; }
	out=$( (wait_for "$tmp/cc/ready"; printf '\003'; wait_for "$tmp/cc/done") | SHELL=/bin/bash \
		timeout 60 script -qfc "$SECPROF run -- \
		sh -c 'trap \"echo INT; exit 7\" INT; touch $tmp/cc/ready; sleep 20 & wait'; echo rc=\$?; \
		touch $tmp/cc/done" /dev/null | tr -d '\r')
	is "$(tr '\n' '|' <<<"$out")" "^CINT|rc=7|" "Ctrl-C on the caller's terminal reaches the command, through secprof"
	# ... and the whole of its process group, as the terminal itself
	# would send it: the shell's foreground sleep ends too (e9d87e8 sent
	# it to bash alone, which runs its trap only once the sleep is over).
	rm -f "$tmp/cc/done"
	sleeping() { local i; for i in $(seq 300); do pgrep -f "^sleep 29.$$" >/dev/null && return; sleep 0.1; done; }
	start=$SECONDS
	out=$( (sleeping; printf '\003'; wait_for "$tmp/cc/done") | SHELL=/bin/bash \
		timeout 60 script -qfc "$SECPROF run -- bash -c 'trap \"echo INT; exit 7\" INT; sleep 29.$$; echo after'; \
		echo rc=\$?; touch $tmp/cc/done" /dev/null | tr -d '\r')
	left=$(pgrep -f "^sleep 29.$$")
	[[ -n $left ]] && kill $left
	is "$(tr '\n' '|' <<<"$out"):$left:$((SECONDS - start < 20))" "^CINT|rc=7|::1" \
		"Ctrl-C reaches every process of the command's group: bash's foreground sleep ends at once"
else
	skip "the caller's terminal" "needs $STATIC_BUILD/tests/denials-static and script(1)"
fi

# ---- a session keyring of its own, without --rootfs too ----
# runc's init joins a new session keyring for every container, whatever
# its namespaces; the kernel's keyrings are not namespaced. Earlier builds
# left a process-mode command in the caller's, possessing its keys: under
# a profile that allows keyctl (podman's default, unconfined) even a
# --user 1000 command read a key root had added there.
if [[ -x $STATIC_BUILD/tests/denials-static ]]; then
	D=$STATIC_BUILD/tests/denials-static
	host_ring=$("$D" session-keyring)
	one=$("$SECPROF" run --security-opt seccomp=unconfined -- "$D" session-keyring 2>&1)
	two=$("$SECPROF" run --security-opt seccomp=unconfined -u 1000 -- "$D" session-keyring 2>&1)
	is "${one#* }:${two#* }" "keyring;0;0;3f0b0000;_ses:keyring;0;0;3f0b0000;_ses" \
		"a new anonymous session keyring that its user may search, as runc's, as root and as --user 1000"
	ok $([[ ${one%% *} != "${host_ring%% *}" && ${two%% *} != "${host_ring%% *}" &&
		${two%% *} != "${one%% *}" ]]; echo $?) \
		"not the caller's session keyring ($host_ring), and not another run's"
	# Under a filter that refuses keyctl (Docker's default answers EPERM:
	# secprof run inside a container) no keyring is reachable, and the run
	# goes on without a new one, its command under that filter too.
	run -- "$SECPROF" run --security-opt seccomp=unconfined -- sh -c 'echo inner'
	is "$rc:$out" "0:inner" "inside the default profile, which refuses keyctl: the run still starts"
else
	skip "session keyring" "$STATIC_BUILD/tests/denials-static missing (make tests-bin)"
fi

# ---- inherited file descriptors (runc closes all but stdio, CVE-2024-21626) ----
echo secret-of-the-caller >"$tmp/secret"
chmod 600 "$tmp/secret"
out=$(exec 7<"$tmp/secret"; "$SECPROF" run --user 65534 -- sh -c 'head <&7' 2>"$tmp/err"); rc=$?
err=$(<"$tmp/err")
is "$out" "" "exec 7<secret; run --user 65534 -- head <&7: nothing read"
[[ $rc != 0 && $err == *"Bad file descriptor"* ]]; ok $? "the command sees no fd 7 (exit $rc: $err)"
# The shell's own fds: `[` is a builtin, so /proc/self is the shell itself.
fdlist='l=; for n in $(seq 0 300); do [ -L /proc/self/fd/$n ] && l="$l $n"; done; echo "fds:$l"'
out=$(exec 9</ 5<"$tmp/secret"; "$SECPROF" run -- sh -c "$fdlist")
is "$out" "fds: 0 1 2" "only stdin, stdout and stderr reach the command"
out=$(exec 3<"$tmp/secret" 4</ 9</; "$SECPROF" run --preserve-fds 1 -- sh -c "head -n1 <&3; $fdlist")
is "$(tr '\n' '|' <<<"$out")" "secret-of-the-caller|fds: 0 1 2 3|" "--preserve-fds 1: fd 3 passes, 4 and 9 do not"
out=$(exec 3<"$tmp/secret" 4<"$tmp/secret"; "$SECPROF" run --preserve-fds 2 --security-opt no-new-privileges -- sh -c "$fdlist")
is "$out" "fds: 0 1 2 3 4" "--preserve-fds 2 (filter loaded last): fds 3 and 4"
out=$(timeout -s KILL 20 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' \
	"$SECPROF" run -- sh -c 'echo out; exit 4' 2>&1)
is "$?:$out" "4:out" "SIGCHLD ignored by the caller: the command's status comes back"
# A closed number of the range may hold one of secprof's own fds (here
# --name's lock) by the time the command starts: not passed.
out=$(exec 3<"$tmp/secret"; "$SECPROF" run --name "pf-$$" --preserve-fds 5 -- sh -c "$fdlist")
is "$out" "fds: 0 1 2 3" "--preserve-fds 5 with fds 4-7 closed: only the caller's fd 3 passes, not --name's lock"
rm -f "/run/secprof/names/pf-$$"
run --preserve-fds x -- true
is "$rc:$err" "125:secprof: invalid --preserve-fds 'x': a number of fds is needed" "--preserve-fds needs a number"

# ---- environment and workdir ----
run -e FOO=bar -e HOME -e SECPROF_SURELY_UNSET -w /tmp -- sh -c 'echo "$FOO|$PATH|$PWD|${HOME-unset}"'
is "$out" "bar|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/tmp|$HOME" "env, default PATH, workdir"
run -e SECPROF_SURELY_UNSET -- sh -c 'echo "${SECPROF_SURELY_UNSET-absent}"'
is "$out" absent "-e KEY not set in secprof's environment is left out, as docker does"
run -- sh -c 'echo "$HOME"'
is "$out" /root "HOME from /etc/passwd when not given"
run -w /no/such/dir -- true
is "$rc" 125 "missing workdir: 125"

# ---- the built-in profile, probed by the kernel (docs/COMPAT.md §5) ----
probe
for s in mount umount2 swapon swapoff kexec_load open_by_handle_at add_key keyctl 'socket(AF_ALG)' \
	'socket(AF_VSOCK)' unshare setns bpf perf_event_open 'clone(CLONE_NEWNS)' 'clone(CLONE_NEWUSER)' \
	kcmp pidfd_getfd 'personality(0x40000)' userfaultfd io_uring_setup uselib afs_syscall; do
	is "$(field "$s")" EPERM "default: $s -> EPERM"
done
is "$(field clone3)" ENOSYS "default: clone3 -> ENOSYS (errnoRet 38)"
is "$(field ptrace)" ESRCH "default: ptrace allowed (kernel >= 4.8)"
# process_vm_readv only with CAP_SYS_PTRACE, as in Debian 12's Docker
# default (moby's current file allows it from 4.8: data/default-floor.tsv)
is "$(field process_vm_readv)" EPERM "default: process_vm_readv -> EPERM"
probe --cap-add SYS_PTRACE
is "$(field process_vm_readv)" EINVAL "--cap-add SYS_PTRACE: process_vm_readv allowed"
probe
is "$(field 'socket(AF_INET)')" ok "default: socket(AF_INET) allowed"
is "$(field 'personality(0xffffffff)')" ok "default: personality query allowed"
is "$(field 'syscall(1000)')" ENOSYS "default: above the table -> ENOSYS (runc stub, docs/COMPAT.md §4.1.3)"
probe --security-opt seccomp=unconfined
for s in mount umount2 swapon add_key keyctl unshare setns 'clone(CLONE_NEWNS)' pidfd_getfd; do
	[[ $(field "$s") != EPERM && -n $(field "$s") ]]; ok $? "unconfined, same caps: $s is not EPERM (so the filter made it EPERM)"
done
probe --cap-add SYS_ADMIN
is "$(field 'clone(CLONE_NEWNS)')" EINVAL "SYS_ADMIN: clone(CLONE_NEWNS) allowed"
is "$(field clone3)" EINVAL "SYS_ADMIN: clone3 allowed"
is "$(field mount)" EFAULT "SYS_ADMIN: mount allowed"
is "$(field unshare)" EINVAL "SYS_ADMIN: unshare allowed"
probe --cap-add SYS_PTRACE
is "$(field kcmp)" ESRCH "SYS_PTRACE: kcmp allowed"
is "$(field pidfd_getfd)" EBADF "SYS_PTRACE: pidfd_getfd allowed"
probe --cap-add SYS_BOOT
is "$(field kexec_load)" EPERM "SYS_BOOT: kexec_load still denied (no rule allows it)"
is "$(field reboot)" EINVAL "SYS_BOOT: reboot allowed"

# ---- a family with a high word: the kernel reads `int family` ----
# socket(0x100000028, SOCK_STREAM, 0) is AF_VSOCK to the kernel. Docker's
# filter (libseccomp) compares 64 bits, so it passes `arg0 > 40`; secprof's
# default compares the low word. Prints the fd or "errno N".
sock_py='import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(41, ctypes.c_long(int(sys.argv[1], 0)), 1, 0)
print(r if r >= 0 else "errno %d" % ctypes.get_errno())'
host=$(python3 -c "$sock_py" 40)
for fam in 0x100000028 0x100000026; do
	run -- python3 -c "$sock_py" $fam
	is "$out" "errno 1" "default: socket($fam, SOCK_STREAM) is EPERM, as socket($((fam & 0xffffffff))) is"
done
run --exact-libseccomp -- python3 -c "$sock_py" 0x100000028
if [[ $host == errno* ]]; then
	is "$out" "$host" "--exact-libseccomp: socket(0x100000028) reaches the kernel as AF_VSOCK ($host as unfiltered)"
else
	[[ $out =~ ^[0-9]+$ ]]; ok $? "--exact-libseccomp: socket(0x100000028) opens an AF_VSOCK socket, as under docker run (fd $out)"
fi
run --exact-libseccomp -- python3 -c "$sock_py" 40
is "$out" "errno 1" "--exact-libseccomp: socket(40) is still EPERM"

# ---- user namespaces (the seed scenario of Docker's seccomp documentation) ----
run -- unshare --map-root-user --user sh -c whoami
[[ $rc != 0 ]]; ok $? "default: unshare --user fails"
diag "$err"
run --security-opt seccomp=unconfined -- unshare --map-root-user --user sh -c whoami
if [[ $rc == 0 ]]; then
	is "$out" root "unconfined: unshare --map-root-user --user works"
else
	skip "unconfined: unshare --user" "user namespaces unavailable here: $err"
fi

# ---- the flags the filter is loaded with ----
# Debian 12's runc 1.1.5 never passes SPEC_ALLOW, so the kernel keeps its
# speculative-store-bypass mitigation where it ties it to seccomp; a
# current runc passes it when the profile names no flags. secprof takes the
# stricter (docs/COMPAT.md §9 item 24), and does not pass it when it is
# listed either: Debian 12's Docker 20.10 drops a profile's flags. LOG,
# which denies nothing less, is passed.
if command -v strace >/dev/null; then
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"], "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}\n' >"$tmp/spec.json"
	for p in builtin "$tmp/spec.json"; do
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -o "$tmp/trace" -e trace=seccomp,prctl \
			"$SECPROF" run --no-filter-cache --security-opt "seccomp=$p" -- true 2>/dev/null
		echo "$(grep -oE 'prctl\(PR_SET_SECCOMP|seccomp\(SECCOMP_SET_MODE_FILTER, [A-Z_|0-9]*' "$tmp/trace" | sort -u | tr '\n' ' ')"
	done >"$tmp/flags"
	is "$(cat "$tmp/flags")" "prctl(PR_SET_SECCOMP 
seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG " \
		"no SPEC_ALLOW, whether the profile names no flags or lists it; LOG passed"
	"$SECPROF" check "$tmp/spec.json" 2>&1 | grep -q 'flags\[0\]: SECCOMP_FILTER_FLAG_SPEC_ALLOW is not applied'
	ok $? "... and secprof check warns about a listed SPEC_ALLOW"
else
	skip "the filter's flags" "strace not installed"
fi

done_testing
