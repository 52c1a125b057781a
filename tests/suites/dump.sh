#!/usr/bin/env bash
# dump.sh - `secprof dump PID`: the filters a running process really has,
# read from the kernel (PTRACE_SECCOMP_GET_FILTER), equal byte for byte to
# what `secprof compile` writes for the same profile; a stack of two filters
# read newest first; and `secprof explain` / `eval` reading the dump.
source "$TESTS/lib.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP secprof dump needs CAP_SYS_ADMIN (PTRACE_SECCOMP_GET_FILTER)"
	exit 0
fi
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# start_under OPTS...: start `secprof run OPTS -- sleep 30` and set pid to
# the sleeping command (the filter is loaded once it has exec'd).
start_under() {
	local marker=$tmp/sleep-$RANDOM
	ln -sf "$(command -v sleep)" "$marker"
	"$SECPROF" run "$@" -- "$marker" 30 &
	pids+=($!)
	pid=
	for _ in $(seq 100); do
		pid=$(pgrep -f -x "$marker 30" | head -n 1)
		[[ -n $pid ]] && grep -q '^Seccomp:.2' "/proc/$pid/status" 2>/dev/null && break
		pid=
		sleep 0.05
	done
}

# A custom profile with argument rules, an arch rule and a KILL rule, that
# still lets sleep start.
custom=$tmp/custom.json
cat >"$custom" <<'J'
{ "defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1,
  "syscalls": [
	{ "names": ["mount", "umount2"], "action": "SCMP_ACT_ERRNO" },
	{ "names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
	  "args": [ { "index": 0, "value": 40, "op": "SCMP_CMP_EQ" } ] },
	{ "names": ["kill"], "action": "SCMP_ACT_ERRNO",
	  "args": [ { "index": 1, "value": 9, "op": "SCMP_CMP_EQ" } ] },
	{ "names": ["personality"], "action": "SCMP_ACT_ERRNO", "includes": { "arches": ["arm64"] } },
	{ "names": ["add_key"], "action": "SCMP_ACT_KILL_PROCESS" }
  ] }
J
for prof in builtin "$custom"; do
	name=$(basename "$prof")
	start_under --security-opt seccomp="$prof"
	[[ -n $pid ]] || { ok 1 "$name: the command started"; continue; }
	"$SECPROF" dump "$pid" -o "$tmp/dump.bpf"
	ok $? "$name: dump -o exits 0"
	"$SECPROF" compile "$prof" -o "$tmp/compiled.bpf"
	cmp -s "$tmp/dump.bpf" "$tmp/compiled.bpf"
	ok $? "$name: the kernel's copy equals secprof compile -o byte for byte ($(stat -c %s "$tmp/dump.bpf") bytes)"
	text=$("$SECPROF" dump "$pid")
	is "$(head -n 1 <<<"$text")" "filter 0 of 1: $(( $(stat -c %s "$tmp/compiled.bpf") / 8 )) instructions" \
		"$name: text dump names the one filter"
	is "$(tail -n +2 <<<"$text")" "$("$SECPROF" disasm "$tmp/compiled.bpf")" "$name: text dump is the listing"
	# explain and eval read the dump as a raw program, by content.
	for call in "mount" "socket 40" "read" "kill 1 9" "getpid"; do
		e=$("$SECPROF" eval "$tmp/dump.bpf" $call | head -n 1)
		x=$("$SECPROF" explain "$tmp/dump.bpf" $call)
		is "$(head -n 1 <<<"$x" | cut -d' ' -f1)" "$e" "$name: explain DUMP $call: the action eval gives ($e)"
		j=$("$SECPROF" explain "$tmp/dump.bpf" $call --json)
		last=$(sed 's/.*"path": \[\(.*\)\]}/\1/' <<<"$j" | tr -d ' ' | tr ',' '\n' | tail -n 1)
		ret=$("$SECPROF" disasm "$tmp/dump.bpf" | grep "^$(printf %04d "$last"):" | cut -d' ' -f2)
		is "$ret" "ret" "$name: explain DUMP $call --json: the path ends on a ret"
		steps=$("$SECPROF" eval "$tmp/dump.bpf" $call | sed -n 's/^steps //p')
		np=$(sed 's/.*"path": \[\(.*\)\]}/\1/' <<<"$j" | tr ',' '\n' | grep -c .)
		is "$np" "$steps" "$name: explain DUMP $call: the path has the $steps instructions the emulator runs"
	done
	kill "$pid" 2>/dev/null
done

# A stack: secprof run under secprof run. Filter 0 is the oldest (the
# outer run's), as the kernel numbers them (get_nth_filter).
inner=$tmp/inner.json
cat >"$inner" <<'J'
{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
J
marker=$tmp/sleep-nested
ln -sf "$(command -v sleep)" "$marker"
"$SECPROF" run --security-opt seccomp=builtin -- "$SECPROF" run --security-opt seccomp="$inner" -- "$marker" 30 &
pids+=($!)
pid=
for _ in $(seq 100); do
	pid=$(pgrep -f -x "$marker 30" | head -n 1)
	[[ -n $pid ]] && grep -q '^Seccomp_filters:.2' "/proc/$pid/status" 2>/dev/null && break
	pid=; sleep 0.05
done
if [[ -z $pid ]]; then
	ok 1 "nested: the command started under two filters"
else
	"$SECPROF" dump "$pid" -o "$tmp/x.bpf" 2>"$tmp/err"; rc=$?
	is "$rc" 2 "two filters: raw output without --index is refused"
	grep -q -- '--index N' "$tmp/err"; ok $? "two filters: the message says --index"
	"$SECPROF" dump "$pid" --index 1 -o "$tmp/f1.bpf" && "$SECPROF" compile "$inner" -o "$tmp/c1.bpf"
	cmp -s "$tmp/f1.bpf" "$tmp/c1.bpf"; ok $? "filter 1 (newest) is the inner profile's program"
	"$SECPROF" dump "$pid" --index 0 -o "$tmp/f0.bpf" && "$SECPROF" compile builtin -o "$tmp/c0.bpf"
	cmp -s "$tmp/f0.bpf" "$tmp/c0.bpf"; ok $? "filter 0 (oldest) is the outer (builtin) program"
	is "$("$SECPROF" dump "$pid" | grep -c '^filter ')" 2 "text dump lists both filters"
	"$SECPROF" dump "$pid" --index 2 >/dev/null 2>&1; is "$?" 2 "--index past the oldest is a usage error"
	kill "$pid" 2>/dev/null
fi

sleep 30 & pids+=($!)
"$SECPROF" dump $! >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 1 "a process without a filter: exit 1"
is "$(cat "$tmp/err")" "secprof: process $! has no seccomp filter" "... and says so"
"$SECPROF" dump 999999999 >/dev/null 2>&1; r=$?; ok $((r == 0)) "a pid that does not exist fails"

# A process that waits where PTRACE_INTERRUPT does not stop it (a vfork
# parent whose child neither execs nor exits) cannot hold dump: it gives
# up after 5 s, and the process goes on as before once the child is gone.
H=$BUILD/tests/denials
if [[ -x $H ]]; then
	marker=$tmp/denials-vf
	ln -sf "$H" "$marker"
	"$SECPROF" run -- "$marker" vfork-wait >"$tmp/vf.out" 2>&1 &
	runner=$!
	pids+=($runner)
	parent= child=
	for _ in $(seq 100); do
		parent=$(pgrep -o -f -x "$marker vfork-wait") child=$(pgrep -n -f -x "$marker vfork-wait")
		[[ -n $parent && $parent != "$child" ]] && break
		sleep 0.05
	done
	start=$SECONDS
	timeout 30 "$SECPROF" dump "$parent" >/dev/null 2>"$tmp/err"; rc=$?
	took=$((SECONDS - start))
	is "$rc:$((took < 10))" "3:1" "a vfork parent that does not stop: dump gives up (exit 3) (${took}s)"
	grep -q "did not stop within 5 s" "$tmp/err"; ok $? "... and says why"
	kill -9 "$child" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
	wait "$runner"; rc=$?
	is "$rc:$(<"$tmp/vf.out")" "0:done" "... and the process goes on once its child is gone (not left stopped)"
else
	skip "a vfork parent that does not stop" "$H missing (make tests-bin)"
fi
done_testing
