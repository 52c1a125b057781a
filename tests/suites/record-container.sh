#!/usr/bin/env bash
# record-container.sh - `secprof record --rootfs`: a workload recorded inside
# a container (Debian 12 root filesystem) with each backend, run again
# under its profile by `secprof run --rootfs` (same output), a call outside
# it denied, both backends agreeing; with --runtime runc, the profile also
# starts the workload under real `docker run` (a private dockerd).
source "$TESTS/lib.sh"
source "$TESTS/helpers/rootfs.sh"
source "$TESTS/helpers/dockerd.sh"
rootfs_setup
trap 'dockerd_stop; rootfs_cleanup' EXIT
backends=(notify)
"$SECPROF" record -q --backend ebpf -o /dev/null -- true 2>/dev/null && backends=(ebpf notify)

names() {
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
print("\n".join(sorted({n + ("/%d=%d" % (a["index"], a["value"]) if a else "")
	for e in p["syscalls"] for n in e["names"] for a in (e.get("args") or [None])})))' "$1"
}
# The workload runs unshare's own code (--help) without its system call,
# so the denial below is the filter's answer to unshare(2) itself.
W='cat /etc/debian_version; ls / | wc -l; unshare --help >/dev/null; echo done'
want=$(timeout 60 "$SECPROF" run --rootfs "$ROOT" -- sh -c "$W" 2>&1)
# A --user workload's stdio is its user's under record as under run
# (runc's fixStdioPermissions): /dev/stdout opens, so the recording sees
# what the command does after it.
out=$(timeout 60 "$SECPROF" record -q --rootfs "$ROOT" --user 4343 -o "$TMPD/user.json" -- sh -c 'echo via-stdout >/dev/stdout' 2>&1); rc=$?
is "$rc:$out" "0:via-stdout" "record --user: /dev/stdout opens for the user, as under run"
for b in "${backends[@]}"; do
	out=$(timeout 60 "$SECPROF" record -q --backend "$b" --rootfs "$ROOT" -o "$TMPD/ct-$b.json" -- sh -c "$W" 2>&1); rc=$?
	is "$rc:$out" "0:$want" "$b: recorded in a container, output unchanged"
	out=$(timeout 60 "$SECPROF" -q run --rootfs "$ROOT" --security-opt seccomp="$TMPD/ct-$b.json" -- sh -c "$W" 2>&1); rc=$?
	is "$rc:$out" "0:$want" "$b: the workload runs in a container under its recorded profile"
	out=$(timeout 60 "$SECPROF" -q run --rootfs "$ROOT" --security-opt seccomp="$TMPD/ct-$b.json" -- unshare --user true 2>&1); rc=$?
	[[ $rc != 0 && $out == *"Operation not permitted"* ]]; ok $? "$b: unshare --user, outside the recording, is denied with EPERM"
	diag "$out"
	names "$TMPD/ct-$b.json" | grep -qxE 'pivot_root|mount|sethostname'; ok $((!$?)) \
		"$b: nothing of the container's set-up (mount, pivot_root, sethostname) is recorded"
done
# The notify recorder's page, shared with secprof on the host, is the
# command's alone: init unmaps it as it does its report page, so a
# container that may trace init (CAP_SYS_PTRACE) cannot write it.
out=$(timeout 60 "$SECPROF" record -q --backend notify --rootfs "$ROOT" --cap-add SYS_PTRACE \
	-o "$TMPD/maps.json" -- sh -c 'sleep 0.2; grep -c " rw-s .*/dev/zero" /proc/1/maps' 2>&1)
is "$out" 0 "notify, --cap-add SYS_PTRACE: init shares no memory with the host's secprof"
if [[ ${#backends[@]} == 2 ]]; then
	is "$(names "$TMPD/ct-ebpf.json" | tr '\n' ' ')" "$(names "$TMPD/ct-notify.json" | tr '\n' ' ')" \
		"eBPF and notify record the same set in a container"
fi

# ---- real docker run under the recorded profile ----
b=${backends[0]}
timeout 60 "$SECPROF" record -q --backend "$b" --runtime runc --rootfs "$ROOT" -o "$TMPD/runc.json" -- sh -c "$W" >/dev/null 2>&1
if ! DOCKERD_SOFT=1 dockerd_start "secprof-rec-$$"; then
	skip "docker run under the recorded profile" "$dockerd_why"
	done_testing
	exit
fi
image=secprof-rec:$$
if ! tar -C "$ROOT" -c . | docker_ import - "$image" >"$DK/import.log" 2>&1; then
	ok 1 "docker import of the root filesystem: $(tail -n 1 "$DK/import.log")"
	done_testing
	exit 1
fi
out=$(timeout 120 "$DOCKER" -H "unix://$DK/sock" run --rm --security-opt seccomp="$TMPD/runc.json" "$image" sh -c "$W" 2>&1 </dev/null); rc=$?
out=$(docker_drop_host_warnings <<<"$out")
is "$rc:$out" "0:$want" "--runtime runc: the recorded profile starts the workload under docker run"
out=$(timeout 120 "$DOCKER" -H "unix://$DK/sock" run --rm --security-opt seccomp="$TMPD/ct-$b.json" "$image" sh -c "$W" 2>&1 </dev/null); rc=$?
diag "without --runtime runc, docker run: exit $rc: $(tail -n 1 <<<"$out")"
out=$(timeout 120 "$DOCKER" -H "unix://$DK/sock" run --rm --security-opt seccomp="$TMPD/runc.json" "$image" unshare --user true 2>&1 </dev/null); rc=$?
[[ $rc != 0 && $out == *"Operation not permitted"* ]]; ok $? "docker run: unshare --user denied by the recorded profile"
done_testing
