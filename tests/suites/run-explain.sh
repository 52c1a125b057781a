#!/usr/bin/env bash
# run-explain.sh - `secprof run --explain`: a test program (tests/helpers/
# denials.c) makes known denied calls between allowed ones, in the real
# kernel. Its output must be the same with and without --explain (each
# call answered with its rule's own errno, ENOSYS for runc's stub and
# clone3), and the report must name exactly those calls, with their counts
# (acct 1000 times: one entry, count 1000), decoded arguments, the deciding
# rule and the fix; with and without --rootfs, with an image, -v, --mount,
# --tmpfs, --name, --entrypoint and -t (under tmux); a KILL_PROCESS rule
# kills the same way and the death is attributed.
source "$TESTS/lib.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP secprof run --explain tests need root"
	exit 0
fi
H=$BUILD/tests/denials
[[ -x $H ]] || { echo "1..0 # SKIP $H missing (make tests-bin builds it)"; exit 0; }
if [[ ! $(cat /proc/sys/kernel/seccomp/actions_avail 2>/dev/null) == *user_notif* ]]; then
	echo "1..0 # SKIP this kernel has no SECCOMP_RET_USER_NOTIF"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# summary FILE: one line per JSON object: count syscall action benign killed by
summary() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if "note" in d:
        print("note", d["note"]); continue
    e = d.get("explain") or {}
    print(d["count"], d["syscall"] if d["syscall"] else "#%d" % d["nr"], d["action"],
          "benign" if d["benign"] else "-", "killed" if d["killed"] else "-", e.get("by", "?"))
' "$1"
}
# field FILE SYSCALL KEY: one field of the entry for SYSCALL
field() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("syscall") == sys.argv[2]:
        v = d
        for k in sys.argv[3].split("."):
            v = v[k] if isinstance(v, dict) else v[int(k)]
        print(json.dumps(v) if not isinstance(v, str) else v)
' "$1" "$2" "$3"
}

expected_builtin="1 add_key ERRNO(1) - - default
1 mount ERRNO(1) - - default
1 unshare ERRNO(1) - - default
1 socket ERRNO(1) - - default
1 keyctl ERRNO(1) - - default
1 #600 ERRNO(38) - - enosys
1 clone3 ERRNO(38) benign - rule
1000 acct ERRNO(1) - - default"

check_builtin() { # LABEL RUN-OPTIONS... -- PROGRAM
	local label=$1; shift
	"$SECPROF" run "$@" denials >"$tmp/plain.out" 2>"$tmp/plain.err"; local rc1=$?
	"$SECPROF" run --explain="$tmp/report.jsonl" "$@" denials >"$tmp/ex.out" 2>"$tmp/ex.err"; local rc2=$?
	is "$rc2" "$rc1" "$label: the same exit status ($rc1) with --explain"
	is "$(cat "$tmp/ex.out")" "$(cat "$tmp/plain.out")" "$label: the program prints the same with --explain"
	is "$(grep -c ': -1 ' "$tmp/plain.out")" 8 "$label: the program saw 8 denied calls"
	is "$(summary "$tmp/report.jsonl")" "$expected_builtin" \
		"$label: the report names exactly those calls, with counts and the deciding rule"
	is "$(field "$tmp/report.jsonl" unshare call)" "unshare(CLONE_NEWUSER)" "$label: unshare's flags by name"
	is "$(field "$tmp/report.jsonl" socket call)" "socket(AF_VSOCK, SOCK_STREAM, 0)" "$label: socket's family and type by name"
	is "$(field "$tmp/report.jsonl" mount call)" 'mount("none", "/nonexistent-secprof-explain", "tmpfs", MS_RDONLY, 0x0)' \
		"$label: mount's strings read from the caller, its flags by name"
	is "$(field "$tmp/report.jsonl" add_key call | cut -d, -f1-2)" 'add_key("user", "secprof-explain"' \
		"$label: add_key's type and description read from the caller"
	is "$(field "$tmp/report.jsonl" mount explain.would_allow.0.cap_add)" "CAP_SYS_ADMIN" \
		"$label: the fix for mount is --cap-add CAP_SYS_ADMIN (secprof explain's)"
	is "$(field "$tmp/report.jsonl" clone3 explain.rule.index)" 20 "$label: clone3 is decided by syscalls[20]"
	[[ $(field "$tmp/report.jsonl" acct caller) == *+0x* ]]
	ok $? "$label: the caller is mapped to file+offset ($(field "$tmp/report.jsonl" acct caller))"
	is "$(field "$tmp/report.jsonl" acct comm)" "denials" "$label: comm of the caller"
}

check_builtin "process" -- "$H"

# The text report on stderr.
"$SECPROF" run --explain -- "$H" denials >/dev/null 2>"$tmp/text.err"
grep -q '^secprof: run --explain: 8 distinct denied calls$' "$tmp/text.err"; ok $? "text report: its header counts 8"
grep -q '^  1000x acct(NULL) -> ERRNO(1)$' "$tmp/text.err"; ok $? "text report: acct once, with count 1000"
grep -q '^  1x clone3(0x0, 0) -> ERRNO(38) (benign' "$tmp/text.err"; ok $? "text report: clone3 tagged benign"
grep -q -- '--cap-add CAP_SYS_ADMIN' "$tmp/text.err"; ok $? "text report: the fix"

# What the command names itself (comm) and the file it calls from are its
# own choice: the text report escapes them as it escapes the call's
# strings, so no escape sequence, carriage return or bidi override reaches
# the terminal; the JSON report keeps them exactly.
if [[ $(uname -m) == x86_64 ]]; then
	mkdir -p "$tmp/hn"
	"$SECPROF" run --explain="$tmp/hn.jsonl" -- "$H" hostile-names "$tmp/hn" >/dev/null 2>&1
	"$SECPROF" run --explain -- "$H" hostile-names "$tmp/hn" >"$tmp/hn.out" 2>"$tmp/hn.err"
	is "$(<"$tmp/hn.out")" "acct: -1" "hostile names: the program's acct is denied"
	LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x80-\xff]' "$tmp/hn.err"; ok $((!$?)) "hostile names: no control or non-ASCII byte in the text report"
	is "$(grep -o 'pid [0-9]* ([^)]*)' "$tmp/hn.err" | sed 's/pid [0-9]*//')" ' (\x1b]0;PWN\x07\x1b[2J)' \
		"hostile names: the comm escaped"
	is "$(grep -o 'called from .*' "$tmp/hn.err")" "called from $tmp/hn/lib\\x1b[31mRED\\x0d\\xe2\\x80\\xaeok+0x7" \
		"hostile names: the caller's file escaped"
	is "$(field "$tmp/hn.jsonl" acct comm | od -An -c | tr -s ' ')" "$(printf '\033]0;PWN\007\033[2J\n' | od -An -c | tr -s ' ')" \
		"hostile names: the JSON report keeps the comm exactly"
else
	skip "hostile names" "x86_64 only"
fi

# A rule's own errno is what the program sees (not a blanket one), and a
# KILL_PROCESS rule kills the same way, the death attributed.
cat >"$tmp/kill.json" <<'J'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
	{ "names": ["syslog"], "action": "SCMP_ACT_KILL_PROCESS" },
	{ "names": ["acct"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
	{ "names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95 }
  ] }
J
"$SECPROF" run --security-opt seccomp="$tmp/kill.json" -- "$H" denials >"$tmp/plain.out" 2>&1
"$SECPROF" run --explain="$tmp/k.jsonl" --security-opt seccomp="$tmp/kill.json" -- "$H" denials >"$tmp/ex.out" 2>&1
is "$(cat "$tmp/ex.out")" "$(cat "$tmp/plain.out")" "custom errnoRet: the same output with --explain"
grep -q '^acct x1000: -1 EACCES$' "$tmp/ex.out"; ok $? "custom errnoRet: acct fails with the rule's EACCES"
grep -q '^keyctl: -1 EOPNOTSUPP$' "$tmp/ex.out"; ok $? "custom errnoRet: keyctl fails with the rule's EOPNOTSUPP"
is "$(summary "$tmp/k.jsonl")" "1 keyctl ERRNO(95) - - rule
1000 acct ERRNO(13) - - rule" "custom errnoRet: the report has exactly the two denials"

# The twin's listener is left to close-on-exec: 8ea82b3's child closed it
# under the twin, so a profile denying close got a denied close(3) in the
# report, made by secprof, that a run without --explain never makes (and
# that record --heal would add to the profile). A static program with
# no-new-privileges (the filter loaded just before execve) makes no close.
if [[ -x $BUILD/tests/denials-static ]]; then
	echo '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["close"], "action": "SCMP_ACT_ERRNO" } ] }' >"$tmp/noclose.json"
	"$SECPROF" run -q --security-opt no-new-privileges --security-opt seccomp="$tmp/noclose.json" \
		--explain="$tmp/nc.jsonl" -- "$BUILD/tests/denials-static" loop 10 >/dev/null 2>&1
	is "$(summary "$tmp/nc.jsonl")" "" "a profile denying close: no close of secprof's in the report"
	out=$("$SECPROF" run -q --explain -- ls /proc/self/fd 2>/dev/null | tr '\n' ' ')
	is "$out" "0 1 2 3 " "the command holds no listener (close-on-exec): only ls's own directory fd"
else
	skip "a profile denying close: no close of secprof's" "denials-static missing"
fi

"$SECPROF" run --security-opt seccomp="$tmp/kill.json" -- "$H" kill >"$tmp/plain.out" 2>&1; rc1=$?
"$SECPROF" run --explain="$tmp/k.jsonl" --security-opt seccomp="$tmp/kill.json" -- "$H" kill >"$tmp/ex.out" 2>&1; rc2=$?
is "$rc1 $rc2" "159 159" "KILL_PROCESS: killed by SIGSYS (159) with and without --explain"
# (--explain may add its own line when the kernel rate-limited the audit
# record that names the call: printk's ratelimit lets 10 through per 5 s)
is "$(grep -v '^secprof: run --explain: ' "$tmp/ex.out")" "$(cat "$tmp/plain.out")" \
	"KILL_PROCESS: the same output before the death"
if [[ -r /dev/kmsg ]] && ! pgrep -x auditd >/dev/null; then
	# The audit record reaches /dev/kmsg through printk, whose rate limit
	# (kernel/audit.c kauditd_printk_skb: printk_ratelimit, a burst of 10
	# in 5 s) other suites' SIGSYS deaths may have used up: try again
	# after the window.
	for try in 1 2; do
		[[ $(summary "$tmp/k.jsonl") == "1 syslog KILL_PROCESS - killed rule" ]] && break
		sleep 6
		"$SECPROF" run --explain="$tmp/k.jsonl" --security-opt seccomp="$tmp/kill.json" -- "$H" kill >/dev/null 2>&1
	done
	is "$(summary "$tmp/k.jsonl")" "1 syslog KILL_PROCESS - killed rule" "KILL_PROCESS: the death attributed to syslog"
else
	skip "KILL_PROCESS: the death attributed" "no /dev/kmsg or an audit daemon takes the records"
fi

# A profile asking for TSYNC: the twin adds TSYNC_ESRCH, without which the
# kernel refuses TSYNC with a listener.
printf '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_TSYNC"],"syscalls":[{"names":["acct"],"action":"SCMP_ACT_ERRNO"}]}\n' >"$tmp/tsync.json"
"$SECPROF" run --explain="$tmp/t.jsonl" --security-opt seccomp="$tmp/tsync.json" -- "$H" denials >/dev/null 2>&1
is "$?:$(summary "$tmp/t.jsonl")" "0:1000 acct ERRNO(1) - - rule" "TSYNC profile: runs and reports under --explain"

# The one difference a program can see: a filter of its own with a
# listener is refused (EBUSY, one listener per chain), so it can never
# answer its own denied calls.
is "$("$SECPROF" run -- "$H" listener)" "seccomp(NEW_LISTENER)>=0: 1" "without --explain the command may load a listener filter"
is "$("$SECPROF" run --explain=/dev/null -- "$H" listener)" "seccomp(NEW_LISTENER)>=0: -1 EBUSY" \
	"with --explain the kernel refuses it (EBUSY): the command cannot take over the answers"

# The report is opened before the command runs and written through that
# fd: a command that replaces FILE with a symlink (here in process mode; a
# volume gives a container the same reach) has the report written nowhere
# but the file it unlinked (4a0ee25 opened FILE at the end and wrote the
# report into whatever the symlink named, as root: /etc/ld.so.preload).
echo canary >"$tmp/victim"
"$SECPROF" run --explain="$tmp/swap.jsonl" -- sh -c \
	"rm -f '$tmp/swap.jsonl'; ln -s '$tmp/victim' '$tmp/swap.jsonl'; unshare -U true" >/dev/null 2>&1
is "$(cat "$tmp/victim")" canary "--explain=FILE replaced by a symlink while the command runs: its target is untouched"
ln -sf "$tmp/victim" "$tmp/link.jsonl"
out=$("$SECPROF" run --explain="$tmp/link.jsonl" -- true 2>&1); rc=$?
is "$rc:$out:$(cat "$tmp/victim")" "125:secprof: $tmp/link.jsonl: cannot write the report there: Too many levels of symbolic links:canary" \
	"--explain=FILE that is a symlink already: refused before the command runs"
# ... and so is anything but a regular file or /dev/null: a device node a
# container made in a volume (it keeps CAP_MKNOD) would take the report as
# root (e6bc3d0 wrote it onto a loop device), a FIFO held secprof for ever.
mkfifo "$tmp/fifo.jsonl"; mknod "$tmp/zero.jsonl" c 1 5
for f in fifo zero; do
	out=$(timeout 20 "$SECPROF" run --explain="$tmp/$f.jsonl" -- true 2>&1); rc=$?
	is "$rc:$out" "125:secprof: $tmp/$f.jsonl: cannot write the report there: not a regular file" \
		"--explain=FILE that is a ${f/zero/character device}: refused at once"
done

# The command chooses how many distinct calls it is denied: the report
# keeps the first 4096 and says so (ac9e41b grew without bound: 137 MB
# for 64k distinct mounts in 30 s).
"$SECPROF" run --explain="$tmp/many.jsonl" -- python3 -c \
	'import ctypes; l = ctypes.CDLL(None); [l.syscall(250, 1000 + i, 0, 0, 0, 0) for i in range(4200)]' 2>"$tmp/many.err"
is "$(grep -c '"syscall"' "$tmp/many.jsonl"):$(grep -c '"note"' "$tmp/many.jsonl"):$(cat "$tmp/many.err")" \
	"4096:1:secprof: run --explain: more than 4096 distinct denied calls; the report lists the first 4096" \
	"4200 distinct denied keyctl calls: 4096 listed, and a note"

# Nothing denied: an empty report; unconfined: said so.
"$SECPROF" run --explain="$tmp/none.jsonl" -- true; is "$?" 0 "nothing denied: exit 0"
is "$(cat "$tmp/none.jsonl")" "" "nothing denied: an empty report"
"$SECPROF" run --explain --security-opt seccomp=unconfined -- true 2>"$tmp/err"
grep -q 'the container is unconfined' "$tmp/err"; ok $? "unconfined: --explain says there is nothing to deny"
# A profile with NOTIFY rules cannot be run (runc: no listenerPath), with or without --explain.
cat >"$tmp/notify.json" <<'J'
{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["acct"], "action": "SCMP_ACT_NOTIFY" } ] }
J
"$SECPROF" run --explain --security-opt seccomp="$tmp/notify.json" -- true 2>"$tmp/err"; rc=$?
is "$rc" 125 "NOTIFY rules: refused as runc refuses them"
grep -q 'listenerPath' "$tmp/err"; ok $? "NOTIFY rules: the message names listenerPath"

# Container mode with docker run's other options: an image (a `docker save`
# archive of the static program alone), -v, --mount, --tmpfs, --name,
# --entrypoint and -t, each with the same output and report as without
# --explain.
if [[ -x $STATIC_BUILD/tests/denials-static ]]; then
	python3 - "$STATIC_BUILD/tests/denials-static" "$tmp/img.tar" <<'EOF'
import hashlib, io, json, sys, tarfile
# docker save's layout: manifest.json, the config, one layer.tar
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w") as t:
    for d in ("bin", "proc", "dev", "sys", "tmp", "etc"):
        ti = tarfile.TarInfo(d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
    t.add(sys.argv[1], arcname="bin/denials")
layer = lb.getvalue()
lid = hashlib.sha256(layer).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "config": {"Entrypoint": ["/bin/denials"], "Cmd": ["denials"], "Env": ["PATH=/bin"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + lid]}}).encode()
cid = hashlib.sha256(cfg).hexdigest()
with tarfile.open(sys.argv[2], "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    add(lid + "/layer.tar", layer)
    add(cid + ".json", cfg)
    add("manifest.json", json.dumps([{"Config": cid + ".json", "RepoTags": ["denials:test"],
                                      "Layers": [lid + "/layer.tar"]}]).encode())
EOF
	cache=(--cache "$tmp/layers")
	check_builtin "image" "${cache[@]}" --image "$tmp/img.tar" --
	[[ $(field "$tmp/report.jsonl" acct caller) == /bin/denials+0x* ]]
	ok $? "image: the caller is the image's program ($(field "$tmp/report.jsonl" acct caller))"
	mkdir -p "$tmp/host" && cp "$STATIC_BUILD/tests/denials-static" "$tmp/host/denials"
	check_builtin "image, -v, --mount, --tmpfs, --name, --entrypoint" "${cache[@]}" --image "$tmp/img.tar" \
		-v "$tmp/host:/h:ro" --mount "type=tmpfs,target=/scratch" --tmpfs /run --name "secprof-explain-$$" \
		--entrypoint /h/denials --
	[[ $(field "$tmp/report.jsonl" acct caller) == /h/denials+0x* ]]
	ok $? "-v: the caller is the program on the bind mount ($(field "$tmp/report.jsonl" acct caller))"
	if command -v tmux >/dev/null; then
		sock=$tmp/tmux.sock
		tm() { tmux -S "$sock" "$@"; }
		for x in plain ex; do
			opt=(); [[ $x == ex ]] && opt=(--explain="$tmp/tty.jsonl")
			rm -f "$tmp/tty.rc"
			tm new-session -d -s "t$x" -x 100 -y 50 \
				"$SECPROF run -t ${opt[*]} ${cache[*]} --image $tmp/img.tar >$tmp/tty-$x.out; echo \$? >$tmp/tty.rc"
			for _ in $(seq 200); do [[ -s $tmp/tty.rc ]] && break; sleep 0.1; done
			eval "rc_$x=\$(cat \"\$tmp/tty.rc\" 2>/dev/null)"
		done
		tm kill-server 2>/dev/null
		is "$rc_ex" "$rc_plain" "-t under tmux: the same exit status ($rc_plain) with --explain"
		is "$(tr -d '\r' <"$tmp/tty-ex.out")" "$(tr -d '\r' <"$tmp/tty-plain.out")" "-t under tmux: the program prints the same with --explain"
		grep -q '^acct x1000: -1 EPERM' "$tmp/tty-ex.out"; ok $? "-t under tmux: the program's output came through the pty"
		is "$(summary "$tmp/tty.jsonl")" "$expected_builtin" "-t under tmux: the report names exactly those calls"
	else
		skip "-t under tmux" "tmux not installed (tools/install-deps.sh)"
	fi
else
	skip "image, -v, -t: --explain in container mode" "no static helper (make tests-bin)"
fi

# The report explains with the profile the filter was compiled from, not
# the file as the command left it (earlier builds read it again at the end:
# a denied getppid was "ALLOW, decided by the default action").
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}\n' >"$tmp/rewritten.json"
"$SECPROF" run -q --security-opt "seccomp=$tmp/rewritten.json" --explain="$tmp/rewritten.jsonl" -- \
	sh -c 'echo "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}" >"$1"; python3 -c "import os; os.getppid()"' sh "$tmp/rewritten.json"
is "$(field "$tmp/rewritten.jsonl" getppid explain.action) $(field "$tmp/rewritten.jsonl" getppid explain.by)" \
	"ERRNO(13) rule" "a profile rewritten during the run: the report explains with the one enforced"

# Container mode: the same program inside the test root filesystem.
source "$TESTS/helpers/rootfs.sh"
if [[ -x $STATIC_BUILD/secprof-static && -x $STATIC_BUILD/tests/denials-static ]] &&
	base=$("$TESTS/../tools/make-rootfs.sh" 2>/dev/null); then
	rootfs_setup
	cp "$STATIC_BUILD/tests/denials-static" "$ROOT/usr/local/bin/denials"
	check_builtin "rootfs" --rootfs "$ROOT" -- /usr/local/bin/denials
	[[ $(field "$tmp/report.jsonl" acct caller) == /usr/local/bin/denials+0x* ]]
	ok $? "rootfs: the caller is the static program inside the container"
else
	skip "rootfs: --explain in container mode" "no root filesystem or static helpers (make tests-bin)"
fi
done_testing
