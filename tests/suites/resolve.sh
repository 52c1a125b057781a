#!/usr/bin/env bash
# resolve.sh - `secprof resolve` against moby's own test vectors (docs/COMPAT.md §2.3),
# the resolved counts of the default profile (docs/COMPAT.md §5), Podman's profile,
# unconfined profiles and the error paths.
source "$TESTS/lib.sh"
[[ -d $REF ]] || { echo "1..0 # SKIP no reference dir ($REF)"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# names of the OCI syscalls, one rule per line, names joined by ","
names() { python3 -c 'import json,sys
d=json.load(sys.stdin)
print(" ".join(",".join(s["names"] or []) for s in (d or {}).get("syscalls",[])))'; }
# "entries names distinct" of an OCI linux.seccomp
counts() { python3 -c 'import json,sys
s=json.load(sys.stdin)["syscalls"]
n=[x for r in s for x in r["names"]]
print(len(s), len(n), len(set(n)))'; }

# --- moby/profiles seccomp_linux_test.go: TestLoadProfile ---
want='{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]},{"names":["open"],"action":"SCMP_ACT_ALLOW"},{"names":["close"],"action":"SCMP_ACT_ALLOW"},{"names":["syslog"],"action":"SCMP_ACT_ERRNO","errnoRet":12345}]}'
got=$("$SECPROF" resolve "$REF/moby-fixtures/example.json" --arch amd64)
is "$got" "$want" "example.json: moby's expected OCI JSON, byte for byte"

# --- TestLoadConditional: exact cap sets via --cap-drop ALL ---
ci=$REF/moby-fixtures/conditional_include.json
is "$("$SECPROF" resolve "$ci" --cap-drop ALL | names)" "chmod ptrace" "conditional_include: caps {}"
is "$("$SECPROF" resolve "$ci" --cap-drop ALL --cap-add CAP_SYSLOG | names)" "chmod syslog ptrace" \
	"conditional_include: caps {CAP_SYSLOG}"
is "$("$SECPROF" resolve "$ci" --cap-drop ALL --cap-add sys_admin | names)" "chmod" \
	"conditional_include: caps {CAP_SYS_ADMIN}"

# --- default-old-format.json: legacy architectures + name ---
old=$("$SECPROF" resolve "$REF/moby-fixtures/default-old-format.json" --arch arm64)
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["architectures"], len(d["syscalls"]))' <<<"$old")" \
	"['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] 311" \
	"default-old-format: legacy architectures verbatim (even on arm64), 311 syscalls"
first=$(grep -o '"syscalls":\[{[^}]*}' <<<"$old")
is "$first" '"syscalls":[{"names":["accept"],"action":"SCMP_ACT_ALLOW"}' \
	"default-old-format: first is {names:[accept], ALLOW}, empty args left out"

# --- moby's default resolved (docs/COMPAT.md §5 table) ---
row() { "$SECPROF" resolve "$REF/moby-default.json" "$@" | counts; }
is "$(row --arch amd64 --kernel 6.1)" "15 377 371" "moby default amd64 kernel 6.1: 15 entries, 377 names, 371 distinct"
is "$(row --arch amd64 --kernel 4.7)" "14 374 368" "moby default amd64 kernel 4.7: 14/374/368"
is "$(row --arch arm64 --kernel 6.1)" "14 381 375" "moby default arm64 kernel 6.1: 14/381/375"
is "$(row --arch amd64 --kernel 6.1 --cap-add CAP_SYS_ADMIN)" "14 401 395" \
	"moby default amd64 + CAP_SYS_ADMIN: 14/401/395"
is "$(row --arch amd64 --kernel 4.8)" "15 377 371" "kernel 4.8 meets minKernel 4.8"
# The built-in profile: that file held to Debian 12's Docker default
# (data/default-floor.tsv): 12 names fewer for the default capabilities
# (pkey_* 3, name_to_handle_at, cachestat .. futex_requeue 6, and
# process_vm_readv/writev but with CAP_SYS_PTRACE), 11 with CAP_SYS_ADMIN.
row() { "$SECPROF" resolve builtin "$@" | counts; }
is "$(row --arch amd64 --kernel 6.1)" "15 365 359" "builtin amd64 kernel 6.1: 15/365/359"
is "$(row --arch amd64 --kernel 4.7)" "14 364 358" "builtin amd64 kernel 4.7: 14/364/358"
is "$(row --arch arm64 --kernel 6.1)" "14 369 363" "builtin arm64 kernel 6.1: 14/369/363"
is "$(row --arch amd64 --kernel 6.1 --cap-add CAP_SYS_ADMIN)" "14 390 384" \
	"builtin amd64 + CAP_SYS_ADMIN: 14/390/384"
arches=$("$SECPROF" resolve builtin --arch amd64 --kernel 6.1 | grep -o '"architectures":\[[^]]*\]')
is "$arches" '"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]' "builtin amd64 architectures"
arches=$("$SECPROF" resolve builtin --arch arm64 --kernel 6.1 | grep -o '"architectures":\[[^]]*\]')
is "$arches" '"architectures":["SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"]' "builtin arm64 architectures"
out=$("$SECPROF" resolve builtin --arch ppc64le --kernel 6.1)
ok $(grep -q architectures <<<"$out"; echo $((! $?))) "builtin ppc64le: no archMap entry, architectures left out"
out=$("$SECPROF" resolve builtin --arch loong64 --kernel 6.1)
ok $(grep -q architectures <<<"$out"; echo $((! $?))) "builtin loong64: nativeToSeccomp key mismatch, not expanded"
builtin_source "$tmp/builtin-source.json"
cmp -s <("$SECPROF" resolve builtin --arch amd64 --kernel 6.1) \
	<("$SECPROF" resolve "$tmp/builtin-source.json" --arch amd64 --kernel 6.1)
ok $? "builtin resolves like moby-default.json held to the floor (tools/gen-default.py --json)"
cmp -s <("$SECPROF" resolve builtin --privileged --arch amd64 --kernel 6.1) \
	<("$SECPROF" resolve builtin --cap-add ALL --cap-drop ALL --arch amd64 --kernel 6.1)
ok $? "--cap-add ALL --cap-drop ALL = privileged (all caps)"
# Debian 12's Docker has no CAP_BPF or CAP_PERFMON (docs/COMPAT.md §3.4):
# --cap-add ALL never meets the default profile's rules for them.
is "$("$SECPROF" resolve builtin --cap-add ALL --cap-drop SYS_ADMIN --arch amd64 --kernel 6.1 |
	python3 -c 'import json,sys; print([r["names"] for r in json.load(sys.stdin)["syscalls"]
	if {"bpf", "perf_event_open"} & set(r["names"])])')" "[]" \
	"--cap-add ALL --cap-drop SYS_ADMIN: no rule for bpf or perf_event_open"
"$SECPROF" resolve builtin --cap-add BPF >/dev/null 2>"$tmp/err"; rc=$?
is "$rc:$(cat "$tmp/err")" '2:secprof: unknown capability: "CAP_BPF"' "--cap-add BPF: unknown, as to Debian 12's Docker"

# --- Podman's default: errno names, defaultErrnoRet 38 ---
pod=$("$SECPROF" resolve "$REF/podman-default.json" --arch amd64 --kernel 6.1)
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["defaultErrnoRet"], d["syscalls"][0]["action"], d["syscalls"][0]["errnoRet"])' <<<"$pod")" \
	"38 SCMP_ACT_ERRNO 1" "podman: defaultErrnoRet 38, rule 0 ERRNO with errnoRet 1 (EPERM)"
pod=$("$SECPROF" resolve "$REF/podman-default.json" --arch amd64 --kernel 6.1 --cap-drop AUDIT_WRITE)
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([s.get("errnoRet") for s in d["syscalls"] if s["names"]==["socket"]])' <<<"$pod")" \
	"[1, 22, None, None]" "podman without CAP_AUDIT_WRITE: socket rules EPERM, EINVAL (NETLINK_AUDIT), ALLOW x2"
pod=$("$SECPROF" resolve "$REF/podman-default.json" --arch amd64 --kernel 6.1)
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([s.get("errnoRet") for s in d["syscalls"] if s["names"]==["socket"]])' <<<"$pod")" \
	"[1, None]" "podman with CAP_AUDIT_WRITE: socket rules EPERM (AF_VSOCK), ALLOW"
printf '%s' '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOSYS","syscalls":[{"names":["bpf"],"action":"SCMP_ACT_ERRNO","errno":"EINVAL"}]}' >"$tmp/podman-names.json"
is "$("$SECPROF" -q resolve "$tmp/podman-names.json" --arch amd64)" \
	'{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["bpf"],"action":"SCMP_ACT_ERRNO","errnoRet":22}]}' \
	"podman errno names alone become errnoRet"

# --- unconfined ---
got=$(echo '{}' | "$SECPROF" resolve - 2>"$tmp/err"); rc=$?
is "$rc:$got" "0:null" "{} resolves to null (a nil *LinuxSeccomp)"
is "$(cat "$tmp/err")" "secprof: note: the profile disables seccomp (unconfined); moby sets no linux.seccomp" \
	"unconfined note on stderr"
got=$(echo '{"architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}' |
	"$SECPROF" -q resolve - 2>"$tmp/err")
is "$got:$(cat "$tmp/err")" "null:" "early exit comes before the architectures/archMap check; -q silences the note"

# --- --pretty: Go's MarshalIndent layout, same document ---
"$SECPROF" resolve "$REF/moby-fixtures/example.json" --pretty >"$tmp/pretty"
is "$(head -3 "$tmp/pretty")" $'{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "defaultErrnoRet": 1,' "--pretty indents by two spaces"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.loads(sys.argv[2]); sys.exit(a!=b)' "$tmp/pretty" "$want"
ok $? "--pretty is the same JSON document"
cmp -s <("$SECPROF" resolve builtin --pretty --arch amd64 --kernel 6.1) \
	<("$SECPROF" resolve builtin --arch amd64 --kernel 6.1 | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2))')
ok $? "--pretty of builtin: the layout of an indent-2 encoder (Go's MarshalIndent)"

# --- every reference profile resolves to valid JSON and checks valid ---
for f in "$REF"/moby-default.json "$REF"/podman-default.json "$REF"/moby-fixtures/*.json "$REF"/profiles/*.json; do
	out=$("$SECPROF" -q resolve "$f" --arch amd64 --kernel 6.1) &&
		python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["defaultAction"]' "$out"
	ok $? "$(basename "$f"): resolves"
	# check refuses what runc would: moby's example.json asks for errno
	# 12345, which libseccomp refuses, so runc cannot start it
	"$SECPROF" -q check "$f" --arch amd64 --kernel 6.1 >/dev/null 2>"$tmp/chk"; rc=$?
	if [[ $(basename "$f") == example.json ]]; then
		is "$rc:$(sed 's/^.*syscalls/syscalls/' "$tmp/chk")" \
			"1:syscalls[3].errnoRet: error adding seccomp filter rule for syscall syslog: invalid argument (errno 12345: libseccomp takes 0 to 4094)" \
			"example.json: check refuses errnoRet 12345 as runc does"
	else
		is "$rc" 0 "$(basename "$f"): checks"
	fi
done
is "$("$SECPROF" resolve "$REF/profiles/docker-labs-deny.json" --arch amd64)" \
	'{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]}' \
	"a default action with an empty syscalls list is confined, syscalls left out"

# --- random profiles against an independent re-implementation of setupSeccomp ---
out=$(python3 "$TESTS/helpers/moby-resolve-oracle.py" "$SECPROF" 2026 300); rc=$?
ok $rc "random profiles: secprof agrees with the Python oracle byte for byte"
diag "$out"

# --- errors ---
err=$("$SECPROF" resolve builtin --arch sparc 2>&1 >/dev/null); rc=$?
is "$rc:$err" "2:secprof: unknown arch 'sparc' (see 'secprof syscalls --arches')" "unknown arch: exit 2"
err=$("$SECPROF" resolve builtin --cap-add bogus 2>&1 >/dev/null); rc=$?
is "$rc:$err" '2:secprof: unknown capability: "CAP_BOGUS"' "unknown cap: exit 2"
err=$("$SECPROF" resolve builtin --kernel 6.x 2>&1 >/dev/null); rc=$?
is "$rc:$err" "2:secprof: --kernel takes a release as uname -r prints it, e.g. 6.1 or 5.15.0-91-generic (got '6.x')" "bad --kernel: exit 2"
printf '%s\n' '{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],' \
	'"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}' >"$tmp/both.json"
err=$("$SECPROF" resolve "$tmp/both.json" 2>&1 >/dev/null); rc=$?
is "$rc:$err" "1:secprof: $tmp/both.json:2:11: archMap: both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'" \
	"architectures + archMap: exit 1 with moby's text"
err=$("$SECPROF" resolve 2>&1); rc=$?
ok $([[ $rc == 2 && $err == *"no profile given"* ]]; echo $?) "no profile: exit 2"
# Go keeps [] as an empty non-nil slice and "names" has no omitempty.
printf '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"},{"action":"SCMP_ACT_LOG"}]}' >"$tmp/empty-names.json"
is "$("$SECPROF" -q resolve "$tmp/empty-names.json")" \
	'{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"},{"names":null,"action":"SCMP_ACT_LOG"}]}' \
	"names: [] stays [], absent names are null, as moby marshals them"
done_testing
