#!/usr/bin/env bash
# run-messages.sh - messages that point at seccomp: when the profile blocks
# a call secprof run itself makes between loading the filter and execve
# (capget, chdir, the PATH lookup's newfstatat, execve), the message names
# that call instead of the step's own failure; a profile that leaves the
# container unconfined is warned about; and the calls runc 1.1 makes after
# loading the filter that a profile denies are named by run and check, so
# that secprof predicts a docker run that would fail. Real kernel filters.
source "$TESTS/lib.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP secprof run tests need root"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
deny() { # FILE CALL... : a profile allowing everything but CALLs (EPERM, or $ERRNO)
	local f=$1; shift
	local names; names=$(printf '"%s",' "$@")
	printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[%s],"action":"SCMP_ACT_ERRNO","errnoRet":%d}]}\n' \
		"${names%,}" "${ERRNO:-1}" >"$f"
}
run() { out=$("$SECPROF" run "$@" 2>"$tmp/err"); rc=$?; err=$(grep -v ': warning: ' "$tmp/err"); }
needs=" which the container needs to start (the runtime calls it after loading the filter, as runc does)"

deny "$tmp/chdir.json" chdir
run -w /tmp --security-opt seccomp="$tmp/chdir.json" -- true
is "$rc:$err" "125:secprof: the profile blocks chdir (ERRNO(1)),$needs" "chdir blocked: named, not 'chdir to cwd ... set in config.json failed'"
run -w /nonexistent-secprof --security-opt seccomp=builtin -- true
[[ $err == *'chdir to cwd ("/nonexistent-secprof") set in config.json failed: no such file or directory' ]]
ok $? "a missing working dir under a profile that allows chdir keeps runc's message"

deny "$tmp/capget.json" capget
run --security-opt seccomp="$tmp/capget.json" -- true
is "$rc:$err" "125:secprof: the profile blocks capget (ERRNO(1)),$needs" "capget blocked: named, not 'cannot read capabilities'"

deny "$tmp/stat.json" newfstatat stat
run --security-opt seccomp="$tmp/stat.json" -- true
is "$rc:$err" "127:secprof: the profile blocks newfstatat (ERRNO(1)),$needs" "the PATH lookup blocked: named, not 'executable file not found'"
run --security-opt seccomp=builtin -- no-such-command-secprof
is "$rc:$err" '127:secprof: exec: "no-such-command-secprof": executable file not found in $PATH' "a missing command keeps runc's message"
# Go's errno texts, as runc prints them, from the static secprof too
# (musl's strerror says "Symbolic link loop", "Filename too long")
ln -s loop-b "$tmp/loop-a"
ln -s loop-a "$tmp/loop-b"
run --security-opt seccomp=builtin -- "$tmp/loop-a"
is "$rc:$err" "126:secprof: exec: \"$tmp/loop-a\": too many levels of symbolic links" "exec of a symlink loop: Go's text of ELOOP"
long=/$(printf 'x%.0s' {1..300})
run -w "$long" --security-opt seccomp=builtin -- true
is "$rc:$err" "125:secprof: chdir to cwd (\"$long\") set in config.json failed: file name too long" "a working dir name too long: Go's text of ENAMETOOLONG"

deny "$tmp/execve.json" execve
for nnp in "" "--security-opt no-new-privileges"; do
	run $nnp --security-opt seccomp="$tmp/execve.json" -- true
	is "$rc:$err" "126:secprof: the profile blocks execve (ERRNO(1)), which the container needs to start (it starts the command)" \
		"execve blocked${nnp:+ ($nnp)}: named"
done

# Unconfined by a misspelled key: Docker runs it without a filter; say so.
echo '{"default_action": "SCMP_ACT_ERRNO"}' >"$tmp/typo.json"
out=$("$SECPROF" run --security-opt seccomp="$tmp/typo.json" -- grep '^Seccomp:' /proc/self/status 2>"$tmp/err"); rc=$?
is "$rc:$(cut -f2 <<<"$out")" "0:0" "a profile with neither defaultAction nor syscalls: unconfined, as in Docker"
is "$(cat "$tmp/err")" "secprof: warning: $tmp/typo.json: seccomp: the profile has neither defaultAction nor syscalls: the container runs unconfined (no seccomp filter), as Docker runs it" \
	"... and run warns about it"
"$SECPROF" -q run --security-opt seccomp="$tmp/typo.json" -- true 2>"$tmp/err"
is "$(cat "$tmp/err")" "" "... not with -q"
"$SECPROF" run --security-opt seccomp=unconfined -- true 2>"$tmp/err"
is "$(cat "$tmp/err")" "" "seccomp=unconfined asked for: no warning"

# Calls runc makes after the load: fstatfs (UnsafeCloseFrom) starts under
# secprof but not under Docker.
deny "$tmp/fstatfs.json" fstatfs
run --security-opt seccomp="$tmp/fstatfs.json" -- true
is "$rc" 0 "fstatfs denied: secprof run starts the command"
is "$(cat "$tmp/err")" "secprof: warning: $tmp/fstatfs.json: runc: docker run would fail to start: the profile denies fstatfs (ERRNO(1)), which runc 1.1 calls after loading the filter (utils.CloseExecFrom and UnsafeCloseFrom: EnsureProcHandle of /proc/self/fd (\"error closing exec fds\"))" \
	"... and warns that docker run would not"
"$SECPROF" check "$tmp/fstatfs.json" >/dev/null 2>"$tmp/err"
grep -q 'runc: docker run would fail to start: the profile denies fstatfs' "$tmp/err"; ok $? "check warns about it too"
# ERRNO(0) is no denial: the call returns 0 without running, and runc
# goes on as if setgroups had run (the command keeps root's groups).
printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["setgroups"],"action":"SCMP_ACT_ERRNO","errnoRet":0}]}' >"$tmp/setgroups0.json"
"$SECPROF" check "$tmp/setgroups0.json" >/dev/null 2>"$tmp/err"
is "$(grep -o 'runc: .*' "$tmp/err")" "runc: docker run may start with more than it asks for: the profile answers setgroups with ERRNO(0), a success that never runs, and runc 1.1 calls it after loading the filter (finalizeNamespace: setupUser (unix.Setgroups))" \
	"ERRNO(0) on a runtime's call: a fake success, not a failed start"
# crun calls setresuid after its load (libcrun_set_caps), runc setuid.
deny "$tmp/setresuid.json" setresuid
run --security-opt seccomp="$tmp/setresuid.json" -- true
is "$rc:$(cat "$tmp/err")" "0:secprof: warning: $tmp/setresuid.json: crun: podman run would fail to start: the profile denies setresuid (ERRNO(1)), which crun 1.8 calls after loading the filter (libcrun_set_caps: setresuid to the process user)" \
	"setresuid denied: the crun warning alone (runc calls setuid)"
"$SECPROF" check "$tmp/setresuid.json" >/dev/null 2>"$tmp/err"
is "$(cat "$tmp/err")" "secprof: warning: $tmp/setresuid.json: crun: podman run would fail to start: the profile denies setresuid (ERRNO(1)), which crun 1.8 calls after loading the filter (libcrun_set_caps: setresuid to the process user)" \
	"check warns about it too"
deny "$tmp/capset.json" capset
"$SECPROF" run --security-opt no-new-privileges --security-opt seccomp="$tmp/capset.json" -- true 2>"$tmp/err"
is "$?:$(cat "$tmp/err")" "0:" "capset denied with no-new-privileges: runc loads the filter after it, no warning"
for p in builtin ${REF:+$REF/moby-default.json}; do
	"$SECPROF" run --security-opt seccomp="$p" -- true 2>"$tmp/err"
	is "$(cat "$tmp/err")" "" "$(basename "$p"): no warning (runc starts under Docker's default)"
	"$SECPROF" check "$p" >/dev/null 2>"$tmp/err"
	is "$(cat "$tmp/err")" "" "$(basename "$p"): check has no runc note"
done

# The warnings predict the real runtimes: Debian's runc and crun start (or
# fail to start) a bundle under each profile exactly when run warns for
# them. crun refuses hybrid cgroups, so it runs in a mount namespace of its
# own with a cgroup2 root and --cgroup-manager=disabled.
if ! command -v runc >/dev/null || ! command -v crun >/dev/null || [[ ! -x $STATIC_BUILD/tests/denials-static ]]; then
	skip "runc and crun follow the warnings" "runc, crun or $STATIC_BUILD/tests/denials-static missing"
	done_testing
	exit
fi
bundle() { # DIR PROFILE NNP: a bundle running denials-static loop 1 under PROFILE
	rm -rf "$1" && mkdir -p "$1/rootfs/bin" && cp "$STATIC_BUILD/tests/denials-static" "$1/rootfs/bin/" &&
		(cd "$1" && runc spec) && python3 - "$1/config.json" "$2" "$3" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"].update(args=["/bin/denials-static", "loop", "1"], terminal=False,
                    noNewPrivileges=sys.argv[3] == "1", cwd="/bin")
c["process"]["user"]["additionalGids"] = [1]
c["root"]["readonly"] = True
c["linux"].pop("resources", None)
c["linux"]["seccomp"] = json.load(open(sys.argv[2]))
json.dump(c, open(sys.argv[1], "w"))
EOF
}
starts() { [[ $1 =~ ^[0-9.]+\ [0-9.]+$ ]] && echo starts || echo fails; }
id=secprof-msg-$$
# faccessat2 (exec.LookPath in runc's init): Go retries with fstatat on
# EPERM or ENOSYS alone, so runc fails under another errno (99 here).
for c in "setresuid 0" "fstatfs 0" "capset 0" "rt_sigaction 0" "capset 1" "execve 1" \
	"faccessat2 0 1" "faccessat2 0 99"; do
	set -- $c
	ERRNO=${3:-1} deny "$tmp/rt.json" "$1"
	bundle "$tmp/b" "$tmp/rt.json" "$2" || { ok 1 "bundle for $1"; continue; }
	nnp=(); [[ $2 == 1 ]] && nnp=(--security-opt no-new-privileges)
	"$SECPROF" run "${nnp[@]}" --security-opt seccomp="$tmp/rt.json" -- true 2>"$tmp/err" >/dev/null
	for rt in runc crun; do
		grep -q ": $rt: [a-z]* run would fail to start" "$tmp/err" && want=fails || want=starts
		if [[ $rt == runc ]]; then
			out=$(cd "$tmp/b" && timeout 60 runc --root "$tmp/runc" run "$id" 2>&1 </dev/null)
			runc --root "$tmp/runc" delete -f "$id" >/dev/null 2>&1
		else
			out=$(cd "$tmp/b" && timeout 60 unshare -m --propagation private sh -c \
				'umount -R /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && exec crun --root "$1" --cgroup-manager=disabled run "$2"' \
				sh "$tmp/crun" "$id" 2>&1 </dev/null)
			crun --root "$tmp/crun" delete -f "$id" >/dev/null 2>&1
			if [[ $out == *cgroup* ]]; then
				skip "$rt, $1 denied (nnp=$2)" "crun cannot run here: $(tail -n 1 <<<"$out")"
				continue
			fi
		fi
		is "$(starts "$out")" "$want" "$1 denied (ERRNO(${3:-1}), no-new-privileges=$2): $rt $want, as run's warning says"
		[[ $(starts "$out") != "$want" ]] && diag "$rt: $(tail -n 1 <<<"$out")"
	done
done
done_testing
