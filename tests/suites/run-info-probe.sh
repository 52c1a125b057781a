#!/usr/bin/env bash
# run-info-probe.sh - `secprof info` and `secprof probe`: their JSON is
# valid, sorted and stable, and what they report is what the kernel says.
source "$TESTS/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; }
# jget EXPR: evaluate a Python expression on the JSON in $j (as d)
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$j"; }

# ---- info ----
j=$("$SECPROF" info --json); rc=$?
is "$rc" 0 "info --json exits 0"
json_ok <<<"$j"; ok $? "info --json is JSON"
is "$(jget 'd["kernel"]')" "$(uname -r)" "info: kernel release"
is "$(jget '" ".join(d["actions_avail"])')" "$(cat /proc/sys/kernel/seccomp/actions_avail)" \
	"info: actions_avail as the kernel lists them"
is "$(jget 'd["self"]["seccomp_mode"]'),$(jget 'd["self"]["seccomp_filters"]')" \
	"$(sed -n 's/^Seccomp:\t//p' /proc/self/status),$(sed -n 's/^Seccomp_filters:\t//p' /proc/self/status)" \
	"info: own seccomp mode and filter count"
if [[ -r /proc/config.gz ]]; then
	is "$(jget 'd["config"]["CONFIG_SECCOMP"]')" "$(zcat /proc/config.gz | sed -n 's/^CONFIG_SECCOMP=//p')" \
		"info: CONFIG_SECCOMP from /proc/config.gz"
else
	skip "info: CONFIG_SECCOMP" "no /proc/config.gz here"
fi
is "$(jget '"SECCOMP_FILTER_FLAG_SPEC_ALLOW" in d["filter_flags"]')" True "info: SPEC_ALLOW accepted (kernel >= 4.17)"
is "$(jget '"SECCOMP_FILTER_FLAG_NEW_LISTENER" in d["filter_flags"]')" True "info: NEW_LISTENER accepted (kernel >= 5.0)"
if [[ $(uname -m) == x86_64 ]]; then
	# x32 only where the kernel takes x32 calls (CONFIG_X86_X32_ABI, not
	# switched off at boot): the x32 getpid says, here through ctypes
	want="x86_64 x86"
	if [[ -r /proc/config.gz ]] && ! zcat /proc/config.gz | grep -q '^CONFIG_IA32_EMULATION=y'; then
		want="x86_64"
	fi
	x32=$(python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); print(int(l.syscall(ctypes.c_long(0x40000000 | 39)) >= 0))')
	[[ $x32 == 1 ]] && want+=" x32"
	is "$(jget 'd["arch"]["native"] + " " + " ".join(d["arch"]["compat"])')" "$want" \
		"info: native and compat arches the kernel takes ($want)"
	if [[ -r /proc/config.gz ]] && ! zcat /proc/config.gz | grep -q '^CONFIG_X86_X32_ABI=y'; then
		is "$x32" 0 "info: without CONFIG_X86_X32_ABI the kernel refuses x32 calls"
		if [[ $(id -u) == 0 ]]; then
			j=$("$SECPROF" run -- "$SECPROF" info --json)
			is "$(jget '" ".join(d["arch"]["compat"])')" "${want#x86_64 }" \
				"info under a filter (no probe): x32 not listed without CONFIG_X86_X32_ABI"
		fi
	fi
fi
is "$(jget 'd["notif_sizes"]["seccomp_data"]')" 64 "info: struct seccomp_data is 64 bytes"
if [[ $(id -u) == 0 ]]; then
	j=$("$SECPROF" run -- "$SECPROF" info --json)
	is "$(jget 'd["self"]["seccomp_mode"]'),$(jget 'd["self"]["seccomp_filters"]')" 2,1 \
		"info under secprof run: filter mode, one filter"
	is "$(jget '"SECCOMP_FILTER_FLAG_LOG" in d["filter_flags"]')" True "info under the default profile: seccomp(2) itself is allowed"
fi
out=$("$SECPROF" info --bogus 2>&1); rc=$?
is "$rc" 2 "info: unknown argument exits 2"
is "$out" "secprof: info: unknown option '--bogus' (see 'secprof info --help')" "info: usage message"

# ---- probe ----
j=$("$SECPROF" probe --json); rc=$?
is "$rc" 0 "probe --json exits 0"
json_ok <<<"$j"; ok $? "probe --json is JSON"
is "$(jget 'list(d["syscalls"]) == sorted(d["syscalls"]) and list(d) == sorted(d)')" True "probe: keys sorted"
is "$("$SECPROF" probe --json)" "$j" "probe: two runs give the same output"
is "$(jget 'd["caps"]["bounding"]')" "$(sed -n 's/^CapBnd:\t//p' /proc/self/status)" "probe: bounding set"
is "$(jget 'd["syscalls"]["read"]')" EBADF "probe: read(-1) -> EBADF"
is "$(jget 'd["syscalls"]["openat"]')" EFAULT "probe: openat(bad pointer) -> EFAULT"
out=$("$SECPROF" probe --bogus 2>&1); rc=$?
is "$rc" 2 "probe: unknown argument exits 2"
if [[ $(id -u) != 0 ]]; then
	skip "probe under filters" "needs root"
	done_testing; exit
fi
# A killing rule and an odd errno are reported as such.
cat >"$tmp/odd.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS"},
	{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 55},
	{"names": ["add_key"], "action": "SCMP_ACT_TRAP"}]}
JSON
j=$("$SECPROF" run --security-opt "seccomp=$tmp/odd.json" -- "$SECPROF" probe --json)
is "$(jget 'd["syscalls"]["mount"]')" SIGSYS "probe: KILL_PROCESS is reported as the signal"
is "$(jget 'd["syscalls"]["add_key"]')" SIGSYS "probe: TRAP's SIGSYS is reported"
is "$(jget 'd["syscalls"]["keyctl"]')" ENOANO "probe: errnoRet 55 -> ENOANO"
is "$(jget 'd["syscalls"]["getpid"]')" ok "probe: the rest still works after a probe was killed"
out=$("$SECPROF" run -- "$SECPROF" probe | head -n 2)
is "$out" $'seccomp      filter, 1 filter(s)\nno_new_privs 0' "probe: text report header"

done_testing
