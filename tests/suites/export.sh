#!/usr/bin/env bash
# export.sh - secprof export, the SPO YAML import and secprof install:
#  - round trips: the docker export of every reference profile (several
#    arches and capability sets) reads back to the same rule set and
#    compiles to the same program, both modes; docker -> spo -> docker gives
#    the same rule set; the crun annotation decodes to the program
#    `secprof compile` gives; oci is the docker body;
#  - the SPO form: the operator's own example files read (or are refused
#    with file:line:col), the CRD's limits warned about;
#  - a real consumer without a daemon: bubblewrap's --seccomp FD runs the
#    bwrap export and the probe agrees with `secprof run`;
#  - systemd lines; the OCI layout of oci-artifact (digests, media types,
#    and skopeo reading it when installed);
#  - install --kubelet: the snippet, and an interrupted install (killed
#    between its write and its rename) leaves the old file whole, while
#    readers racing a loop of installs only ever see a whole file.
# Docker, podman and runc consumers: tests/suites/export-consumers.sh.
source "$TESTS/lib.sh"
set -u
S=$SECPROF
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# The rule set without provenance (rule indexes and lines differ between a
# profile and its export) nor the list of what is left out.
irnorm() {
	python3 -c '
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("rule", "file", "dropped")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True, indent=1))'
}

# ---- docker round trips ------------------------------------------------------
profiles=(builtin)
for f in "$REF"/moby-default.json "$REF"/podman-default.json "$REF"/profiles/*.json \
	"$REF"/moby-fixtures/*.json "$TESTS"/ir/*.json; do
	[[ -f $f ]] && profiles+=("$f")
done
tried=0 same_prog=0 same_ir=0 bad=()
for p in "${profiles[@]}"; do
	specs=("amd64" "386")
	# every arch and capability set for the built-in profile; two arches
	# (one with socketcall) for the others, to keep the suite short
	[[ $p == builtin ]] && specs+=("s390x" "arm64" "ppc64le" "amd64 --cap-add ALL" "amd64 --cap-drop ALL")
	for spec in "${specs[@]}"; do
		set -- $spec
		arch=$1; shift
		"$S" -q compile "$p" --arch "$arch" "$@" >"$T/a.bpf" 2>/dev/null || continue
		tried=$((tried + 1))
		if ! "$S" -q export "$p" --format docker --arch "$arch" "$@" >"$T/d.json" 2>"$T/err"; then
			bad+=("$p $spec: export failed: $(head -n 1 "$T/err")"); continue
		fi
		# the export is resolved: caps no longer matter, the arch does
		"$S" -q compile "$T/d.json" --arch "$arch" >"$T/b.bpf" 2>"$T/err" &&
			"$S" -q compile "$p" --arch "$arch" "$@" --exact-libseccomp >"$T/ae.bpf" &&
			"$S" -q compile "$T/d.json" --arch "$arch" --exact-libseccomp >"$T/be.bpf" &&
			cmp -s "$T/a.bpf" "$T/b.bpf" && cmp -s "$T/ae.bpf" "$T/be.bpf" &&
			same_prog=$((same_prog + 1)) || bad+=("$p $spec: program differs")
		"$S" -q ir "$p" --arch "$arch" "$@" --json | irnorm >"$T/a.ir"
		"$S" -q ir "$T/d.json" --arch "$arch" --json | irnorm >"$T/b.ir"
		cmp -s "$T/a.ir" "$T/b.ir" && same_ir=$((same_ir + 1)) || bad+=("$p $spec: rule set differs")
	done
done
[[ $tried -gt 40 && $same_prog == "$tried" && $same_ir == "$tried" ]]
ok $? "docker export: $same_prog/$tried programs and $same_ir/$tried rule sets the same after the round trip"
for b in "${bad[@]:0:10}"; do diag "$b"; done

# Profiles whose docker export decided otherwise than they do under runc
# (NAME.ARCH.json), each now the same program after the round trip:
# - enosys-family-name: runc's ENOSYS boundary on riscv64 is getsockname
#   (204), which on ppc64le libseccomp resolves to a pseudo number, so it
#   never counts there: the export must keep naming it;
# - 32bit-arch-first, 32bit-arch-uncond: i386 listed before ppc64le; the
#   i386 rule set holds values cut to 32 bits (and a rule the cut makes
#   always true), which ppc64le compares in full;
# - mux-copy-boundary: socketcall (102) sets ppc64le's boundary only by a
#   rule equal to the default; libseccomp's socketcall copies of other
#   rules are no names, so the export must still name it;
# - pseudo-nr-values: time exists on mipsel, not on mipsel64, where
#   libseccomp still keeps its rules under a pseudo number, with the values
#   as written, and they shape the program around shmget there;
# - shared-boundary-name: x86_64 and x32 whose boundary is the same name
#   (recvmmsg), with x86's (umask) kept in between: the export crashed (a
#   NULL compared on after the first match);
# - split-rule-order: a rule testing one argument twice, which runc adds
#   condition by condition; libseccomp's tree (and its stale-accumulator
#   bug) depends on that order.
# - 32bit-name-caps: socketcall, a name only i386 has, with an argument
#   rule and an unconditional one that includes CAP_SYS_ADMIN (not in
#   Docker's default set): exported as written, the rule moby left out
#   came back and allowed every socketcall;
# - x86-mask-high-word: a MASKED_EQ whose mask has no low word kills
#   personality on x86 and x32 (libseccomp compares low words there) and
#   never on x86_64, where an unconditional ALLOW replaces it: the export,
#   read from x86_64's entry, allowed it on every arch;
# - pseudo-name-shapes, pseudo-name-shapes2: socketcall's rules on arches
#   that have no socketcall (libseccomp keeps them under a pseudo number)
#   shape the program libseccomp makes for getpid or mmap; only the rules
#   as runc gets them, every name, decide the same (the self-check's last
#   resort).
for f in "$TESTS"/data/export-*.json; do
	arch=${f%.json}; arch=${arch##*.}; name=$(basename "${f%.*.json}")
	"$S" -q export "$f" --format docker --arch "$arch" >"$T/d.json" &&
		cmp -s <("$S" -q compile "$f" --arch "$arch") <("$S" -q compile "$T/d.json" --arch "$arch") &&
		"$S" -q diff "$f" "$T/d.json" --arch "$arch" >/dev/null &&
		"$S" -q diff "$f" "$T/d.json" --arch "$arch" --exact-libseccomp >/dev/null
	ok $? "$name ($arch): the docker export compiles to the same program and decides the same (both modes)"
done

# The self-check: an export that would decide otherwise than the profile on
# any arch is refused, naming the syscall and arch; one too complex to
# compare is written with a warning.
printf '{"defaultAction":"SCMP_ACT_KILL_PROCESS","defaultErrnoRet":327718,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}' >"$T/stuboff.json"
"$S" -q export "$T/stuboff.json" --format oci >"$T/o.json" &&
	grep -q '"defaultErrnoRet": 327718' "$T/o.json" && "$S" -q diff "$T/stuboff.json" "$T/o.json" >/dev/null
ok $? "defaultErrnoRet 327718 (runc: no ENOSYS stub) is kept with a KILL default, so the export decides the same"
out=$("$S" export "$T/stuboff.json" --format spo 2>&1 >/dev/null)
[[ $out == *"no defaultErrnoRet: runc's ENOSYS stub, which defaultErrnoRet 327718 leaves out"* ]]
ok $? "spo: that it cannot be kept is warned about"
# An export the self-check cannot compare is not known to decide as the
# profile: refused, not written with a warning (4ed92d7 wrote it).
out=$("$S" export "$TESTS/data/twin-ret-out-of-reach.json" --format docker -o "$T/unchecked.json" 2>&1 >/dev/null); rc=$?
[[ $rc != 0 && ! -s $T/unchecked.json && $out == *"the docker export could not be compared with the profile (word "*"): refused, since nothing shows it decides as the profile does"* ]]
ok $? "self-check: a profile too complex to compare is refused, nothing written ($rc)"

# The cases the round trip needs more than the rule set's entries for.
"$S" -q export "$TESTS/ir/05-equals-default.json" --format docker >"$T/d.json"
grep -q '"names": \["umount2"\], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "comment"' "$T/d.json"
ok $? "a rule equal to the default stays named where it sets runc's ENOSYS boundary (umount2, 166)"
"$S" -q export "$REF/profiles/jessfraz-chrome.json" --format docker --arch 386 >"$T/d.json"
grep -q '"names": \["accept"\]' "$T/d.json"
ok $? "i386: accept, which only socketcall(2) reaches there, is exported for libseccomp's copy"

# Names Debian 12's libseccomp 2.5.4 cannot resolve (mseal, listmount), or
# that secprof does not know: that runc skips them, a newer one applies
# them. The export keeps their rules as written, so a runtime with a newer
# libseccomp (compiled here as --newer-syscalls) still denies them; left
# out, the export allowed what the profile denies there.
printf '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{"names":["mseal","listmount","mount"],"action":"SCMP_ACT_ERRNO"},{"names":["statmount"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"args":[{"index":1,"value":0,"op":"SCMP_CMP_NE"}]},{"names":["no_such_call_yet"],"action":"SCMP_ACT_KILL_PROCESS"}]}' >"$T/newer.json"
for f in docker spo; do
	"$S" -q export "$T/newer.json" --format $f >"$T/newer.$f" &&
		"$S" -q diff "$T/newer.json" "$T/newer.$f" --newer-syscalls >"$T/diff" &&
		"$S" -q diff "$T/newer.json" "$T/newer.$f" >/dev/null &&
		grep -q 'no_such_call_yet' "$T/newer.$f"
	rc=$?; ok $rc "$f: the rules of names libseccomp 2.5.4 skips are kept, so a newer libseccomp denies them as the profile does"
	[[ $rc != 0 ]] && diag "$(head -n 5 "$T/diff")"
done
out=$("$S" -q export "$T/newer.json" --format systemd)
grep -qx 'SystemCallFilter=~mount mseal listmount statmount no_such_call_yet' <<<"$out"
ok $? "systemd: a deny list names them (a systemd whose libseccomp knows them denies them)"

# oci: the same body; the file reads as an OCI linux.seccomp
"$S" -q export builtin --format oci >"$T/o.json"
"$S" -q export builtin --format docker >"$T/d.json"
cmp -s <("$S" -q compile "$T/o.json") <("$S" -q compile builtin)
ok $? "oci export compiles to the built-in profile's program"
! grep -q '"comment"' "$T/o.json"
ok $? "oci export has no Docker-only key"

# ---- SPO ----------------------------------------------------------------------
"$S" -q export builtin --format docker >"$T/d.json"
"$S" -q export "$T/d.json" --format spo --name 'My Profile_1' >"$T/s.yaml"
"$S" -q export "$T/s.yaml" --format docker >"$T/d2.json"
cmp -s <("$S" -q ir "$T/d.json" --json | irnorm) <("$S" -q ir "$T/s.yaml" --json | irnorm) &&
	cmp -s <("$S" -q ir "$T/d.json" --json | irnorm) <("$S" -q ir "$T/d2.json" --json | irnorm)
ok $? "docker -> spo -> docker: the same rule set at each step"
grep -q '^  name: my-profile-1$' "$T/s.yaml" && grep -q '^apiVersion: security-profiles-operator.x-k8s.io/v1$' "$T/s.yaml" &&
	grep -q '^kind: SeccompProfile$' "$T/s.yaml"
ok $? "spo: apiVersion, kind, and --name made a Kubernetes object name"
for f in "$REF"/formats/spo/baseprofile-runc.yaml "$REF"/formats/spo/baseprofile-crun.yaml; do
	[[ -f $f ]] || { skip "$(basename "$f")" "not in $REF"; continue; }
	want=$(sed -n 's/^        - //p' "$f" | sort)
	got=$("$S" -q ir "$f" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join(sorted(s["name"] for s in d["arches"][0]["syscalls"] if s.get("action") == "ALLOW")))')
	is "$got" "$want" "$(basename "$f"): the operator's base profile allows exactly its names"
done
f=$REF/formats/spo/seccompprofile.yaml
if [[ -f $f ]]; then
	out=$("$S" check "$f" 2>&1); rc=$?
	[[ $rc == 1 && $out == *"seccompprofile.yaml:11:1: 4 SeccompProfile objects in one file (profile-block-all, profile-complain-unsafe"* ]]
	ok $? "several SeccompProfiles in one file: refused, naming them, at the second one's line"
	diag "$out"
fi
f=$REF/formats/spo/profilebinding.yaml
if [[ -f $f ]]; then
	out=$("$S" check "$f" 2>&1); rc=$?
	[[ $rc == 1 && $out == *"profilebinding.yaml:2:1: no SeccompProfile object"* ]]
	ok $? "a ProfileBinding is not a profile"
fi
# the same object written as JSON, which kubectl reads too: the SPO form,
# with the CRD's fields and checks, not a Docker profile whose keys are
# all unknown (which Docker runs with no seccomp at all)
if python3 -c 'import yaml' 2>/dev/null; then
	python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=1)' \
		"$T/s.yaml" "$T/s-yaml.json"
	cmp -s <("$S" -q ir "$T/d.json" --json | irnorm) <("$S" -q ir "$T/s-yaml.json" --json | irnorm)
	ok $? "spo as JSON: the same rule set as its YAML"
else
	skip "spo as JSON" "no python3 yaml module"
fi
cat >"$T/pruned-json.json" <<'EOF'
{"apiVersion": "security-profiles-operator.x-k8s.io/v1", "kind": "SeccompProfile",
 "metadata": {"name": "pruned"},
 "spec": {"defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 38,
  "syscalls": [{"action": "SCMP_ACT_ALLOW", "names": ["mount"], "includes": {"caps": ["CAP_SYS_ADMIN"]}},
   {"action": "SCMP_ACT_ALLOW", "names": ["read"]}]}}
EOF
is "$("$S" -q eval "$T/pruned-json.json" getpid 2>&1 | head -1):$("$S" -q eval "$T/pruned-json.json" mount 2>&1 | head -1)" "ERRNO(1):ALLOW" \
	"spo as JSON: confined, defaultErrnoRet and includes pruned as the API server does"
out=$("$S" check "$T/pruned-json.json" 2>&1)
[[ $out == *"pruned-json.json:4:3: spec.defaultErrnoRet: unknown key \"defaultErrnoRet\" (the SeccompProfile CRD has no such field"* ]]
ok $? "spo as JSON: the pruned keys warned about, with their line"
printf '{"apiVersion": "security-profiles-operator.x-k8s.io/v1", "kind": "SeccompProfile", "metadata": {"name": "x"}}' >"$T/nospec.json"
out=$("$S" check "$T/nospec.json" 2>&1); rc=$?
[[ $rc == 1 && $out == *"nospec.json:1:1: spec: the SeccompProfile has no spec"* ]]
ok $? "spo as JSON without a spec: refused, as the YAML form is, not read as unconfined"
cat >"$T/bad.yaml" <<'EOF'
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: bad
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - action: SCMP_ACT_ALLOWX
    names: [read]
EOF
out=$("$S" check "$T/bad.yaml" 2>&1); rc=$?
[[ $rc == 1 && $out == *"bad.yaml:8:13: spec.syscalls[0].action: unknown action \"SCMP_ACT_ALLOWX\""* ]]
ok $? "an invalid SPO profile: file:line:col and the path under spec"
printf 'kind: SeccompProfile\nspec:\n  defaultAction: "SCMP_ACT_ERRNO\n' >"$T/syntax.yaml"
out=$("$S" check "$T/syntax.yaml" 2>&1); rc=$?
[[ $rc == 1 && $out == *"syntax.yaml:4:1: YAML: found unexpected end of stream"* ]]
ok $? "a YAML syntax error: libyaml's message at file:line:col"
printf 'kind: SeccompProfile\nspec: &a\n  defaultAction: SCMP_ACT_ERRNO\nx: *a\n' >"$T/alias.yaml"
out=$("$S" check "$T/alias.yaml" 2>&1); rc=$?
[[ $rc == 1 && $out == *"alias.yaml:4:4: YAML: aliases"* ]]
ok $? "aliases are refused"
# A merge key: go-yaml (as kubectl reads the object) copies the mapping it
# names into this one, so these rules deny ptrace and getppid in the
# cluster; secprof does not apply merge keys and must not read the spec
# without them (an unknown key "<<" left the profile allowing everything).
printf 'apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata:\n  name: m\nspec: {defaultAction: SCMP_ACT_ALLOW, <<: {syscalls: [{names: [ptrace, getppid], action: SCMP_ACT_ERRNO}]}}\n' >"$T/merge.yaml"
out=$("$S" check "$T/merge.yaml" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $T/merge.yaml:5:39: YAML: merge key \"<<\": Kubernetes (go-yaml) merges the mapping it names into this one, and secprof does not apply YAML merge keys (write the keys out)" \
	"a YAML merge key in the spec: refused at its line, not dropped as an unknown key"
printf 'kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n  syscalls:\n  - names: [getpid]\n    action: SCMP_ACT_ERRNO\n    <<: {names: [ptrace]}\n' >"$T/merge2.yaml"
out=$("$S" -q eval "$T/merge2.yaml" getpid 2>&1); rc=$?
is "$rc:$out" "1:secprof: $T/merge2.yaml:7:5: YAML: merge key \"<<\": Kubernetes (go-yaml) merges the mapping it names into this one, and secprof does not apply YAML merge keys (write the keys out)" \
	"a YAML merge key in a rule: refused by every command (eval)"
# Explicit tags: go-yaml decodes a !!binary key or value (the base64 of
# defaultAction, of ptrace), where secprof kept the text and dropped the
# key as unknown: kubectl's object allows ptrace, secprof's denied it.
printf 'kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  ? !!binary ZGVmYXVsdEFjdGlvbg==\n  : SCMP_ACT_ALLOW\n' >"$T/binkey.yaml"
printf 'kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls: [{names: [read, !!binary cHRyYWNl], action: SCMP_ACT_ALLOW}]\n' >"$T/binval.yaml"
for f in binkey:4:5 binval:4:29; do
	out=$("$S" -q eval "$T/${f%%:*}.yaml" ptrace 2>&1); rc=$?
	is "$rc:$out" "1:secprof: $T/${f%%:*}.yaml:${f#*:}: YAML: explicit tags (!!binary, !!int, ...) are not supported: Kubernetes (go-yaml) would act on the tag, and secprof does not (write the value out)" \
		"a !!binary ${f%%:*}: refused at its line, not read as its base64 text"
done
printf 'kind: SeccompProfile\nspec: !!map\n  defaultAction: !!str SCMP_ACT_ERRNO\n  syscalls: !!seq [{names: [read], action: SCMP_ACT_ALLOW}]\n' >"$T/plaintags.yaml"
is "$("$S" -q eval "$T/plaintags.yaml" read 2>&1 | head -1)" ALLOW "!!str, !!map and !!seq on their own kinds are read as without them"
# A config.json is what runc loads, even with a kind and spec of an SPO
# object beside its linux.seccomp; a JSON SPO is read as the SPO form, with
# a warning that docker run would apply no filter to it.
printf '{"ociVersion": "1.0.2", "kind": "SeccompProfile", "spec": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}, "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}}}' >"$T/oci-kind.json"
is "$("$S" -q eval "$T/oci-kind.json" mkdir 2>&1 | head -1)" ALLOW "a config.json with kind SeccompProfile: its linux.seccomp, as runc reads it"
out=$("$S" check "$T/pruned-json.json" 2>&1)
[[ $out == *"pruned-json.json:1:1: read as the Security Profiles Operator's SeccompProfile (its spec); docker run --security-opt seccomp= would read this JSON as a Docker profile without defaultAction or syscalls and apply no filter at all"* ]]
ok $? "spo as JSON: a warning that docker run would apply no filter to it"
# A repeated key given a list: refused in YAML as in JSON.
printf 'apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n  syscalls:\n  - names: [ptrace]\n    action: SCMP_ACT_ERRNO\n  syscalls: []\n' >"$T/twice.yaml"
out=$("$S" check "$T/twice.yaml" 2>&1); rc=$?
is "$rc:$out" "1:secprof: $T/twice.yaml:8:3: spec.syscalls: key \"syscalls\" appears twice in this mapping (first at line 5): Kubernetes keeps one or refuses the object (refused; give the key once)" \
	"a YAML key given a list twice: refused"
cat >"$T/base.yaml" <<'EOF'
kind: SeccompProfile
apiVersion: security-profiles-operator.x-k8s.io/v1
spec:
  baseProfileName: runc-v1.2.0
  defaultAction: SCMP_ACT_ERRNO
EOF
out=$("$S" check "$T/base.yaml" 2>&1); rc=$?
[[ $rc == 1 && $out == *"base.yaml:4:20: spec.baseProfileName: baseProfileName \"runc-v1.2.0\""* ]]
ok $? "baseProfileName is refused: the profile without its base is not the one that runs"
cat >"$T/pruned.yaml" <<'EOF'
kind: SeccompProfile
apiVersion: security-profiles-operator.x-k8s.io/v1
spec:
  defaultAction: SCMP_ACT_ERRNO
  defaultErrnoRet: 38
  syscalls:
  - action: SCMP_ACT_ALLOW
    names: [mount]
    includes: {caps: [CAP_SYS_ADMIN]}
  - action: SCMP_ACT_ALLOW
    names: [read]
    args:
    - index: 0
      value: 0x10
      op: SCMP_CMP_EQ
EOF
out=$("$S" -q eval "$T/pruned.yaml" mount 2>&1)
[[ $out == ALLOW* ]]
ok $? "includes is not in the CRD: the API server drops it, so the rule applies to every container"
out=$("$S" -q eval "$T/pruned.yaml" getpid 2>&1)
[[ $out == "ERRNO(1)"* ]]
ok $? "defaultErrnoRet is not in the CRD either: EPERM"
out=$("$S" -q eval "$T/pruned.yaml" read 16 2>&1)
[[ $out == ALLOW* ]]
ok $? "YAML 1.1 scalars as Kubernetes reads them: value 0x10 is 16"
printf 'kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  Syscalls:\n  - {action: SCMP_ACT_ALLOW, names: [getpid]}\n' >"$T/case.yaml"
out=$("$S" -q eval "$T/case.yaml" getpid 2>&1)
[[ $out == "ERRNO(1)"* ]]
ok $? "the CRD's field names are exact: Syscalls is pruned, as the API server does (Docker's JSON would take it)"
out=$("$S" check "$T/pruned.yaml" 2>&1)
[[ $out == *"pruned.yaml:5:3: spec.defaultErrnoRet: unknown key \"defaultErrnoRet\" (the SeccompProfile CRD has no such field"* ]]
ok $? "and both are warned about, with their line"
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_NE"}]}]}' >"$T/wide.json"
out=$("$S" export "$T/wide.json" --format spo 2>&1 >/dev/null)
[[ $out == *"no defaultErrnoRet: denied calls get EPERM instead of errno 38"* && $out == *"up to 2^63-1"* ]]
ok $? "spo export warns about what the CRD cannot hold"
"$S" --strict export "$T/wide.json" --format spo >/dev/null 2>&1
[[ $? == 1 ]]; ok $? "--strict: those warnings refuse the export"
# a name no table knows is exported as written, quoted where YAML would
# read it otherwise ("yes", "123"); one that can be no syscall's name is
# left out, which every runtime skips: written, these would allow ptrace,
# mount and unshare
printf '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},{"names":["ptrace #x","mount\\n    - unshare","yes","123"],"action":"SCMP_ACT_ALLOW"}]}' >"$T/odd.json"
"$S" export "$T/odd.json" --format spo >"$T/odd.yaml" 2>"$T/err"
python3 -c '
import sys, yaml
names = [n for r in yaml.safe_load(open(sys.argv[1]))["spec"]["syscalls"] for n in r["names"]]
assert names == ["read", "write", "exit_group", "yes", "123"], names' "$T/odd.yaml" &&
	grep -q '"ptrace #x" can be no syscall'"'"'s name, which every runtime skips: left out of the spo form' "$T/err"
ok $? "spo: names YAML would read otherwise are quoted, names no syscall has left out (said)"
is "$("$S" -q eval "$T/odd.yaml" ptrace | head -n 1) $("$S" -q eval "$T/odd.yaml" mount | head -n 1)" \
	"ERRNO(1) ERRNO(1)" "spo: read back, ptrace and mount stay denied, as in the profile"
# the CRD has no defaultErrnoRet: runc answers EPERM and skips an
# ERRNO(1) rule as the default's, and a later ALLOW decides
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["userfaultfd"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":1,"value":5,"op":"SCMP_CMP_EQ"}]},{"names":["userfaultfd"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":57005,"op":"SCMP_CMP_EQ"}]},{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}' >"$T/eperm-skip.json"
out=$("$S" -q export "$T/eperm-skip.json" --format spo 2>&1)
rc=$?
is "$rc: $out" "1: secprof: $T/eperm-skip.json: the spo export would let through what the profile denies: x86_64 userfaultfd arg0==57005 arg1==5: ERRNO(1) in the profile, ALLOW in the export (the SeccompProfile CRD has no defaultErrnoRet nor errnoRet 0: runc answers EPERM and skips a rule of ERRNO(1) as the default's); refused" \
	"spo: an export whose consumer would let a denied call run is refused"
"$S" -q export "$T/eperm-skip.json" --format docker >/dev/null
ok $? "the docker form of that profile (which keeps defaultErrnoRet) is written"
# Docker 20.10 drops defaultErrnoRet too, and skips that ERRNO(1) rule
# in the original as well: written. But where Podman's "errno" makes a
# rule ERRNO(1) that 20.10 reads as errnoRet 13 (kept there, denying),
# the export's errnoRet 1 would be skipped by 20.10 and the ALLOW decide:
# refused, as is its install.
printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["userfaultfd"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"errno":"EPERM","args":[{"index":1,"value":5,"op":"SCMP_CMP_EQ"}]},{"names":["userfaultfd"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":57005,"op":"SCMP_CMP_EQ"}]},{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}' >"$T/podman-errno.json"
out=$("$S" -q export "$T/podman-errno.json" --format docker 2>&1)
rc=$?
[[ $rc == 1 && $out == *"the docker export would let through what the profile denies under Docker 20.10"*"userfaultfd"*"ERRNO(1) in the profile, ALLOW in the export; refused" ]]
ok $? "docker: an export Docker 20.10 reads looser than the original (Podman's errno) is refused" || diag "$rc: $out"
"$S" -q install "$T/podman-errno.json" --kubelet pe --root "$T/pe-root" >/dev/null 2>&1
[[ $? == 1 && ! -e $T/pe-root/pe.json ]]
ok $? "install refuses it too"
"$S" -q export "$T/podman-errno.json" --format oci >/dev/null
ok $? "its oci form (runc reads defaultErrnoRet) is written"

# ---- program forms ------------------------------------------------------------
"$S" -q compile builtin >"$T/prog.bpf"
"$S" -q export builtin --format crun >"$T/crun.json"
python3 -c '
import base64, json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["run.oci.seccomp_bpf_data"], d.keys()
sys.stdout.buffer.write(base64.b64decode(d["run.oci.seccomp_bpf_data"], validate=True))' "$T/crun.json" >"$T/crun.bpf"
cmp -s "$T/crun.bpf" "$T/prog.bpf"
ok $? "crun: the annotation decodes (base64.StdEncoding) to the program secprof compile gives"
"$S" -q export builtin --format crun --no-enosys --exact-libseccomp >"$T/crun2.json"
"$S" -q compile builtin --no-enosys --exact-libseccomp --format base64 >"$T/b64"
grep -qF "\"$(cat "$T/b64")\"" "$T/crun2.json"
ok $? "crun: --no-enosys --exact-libseccomp give that program"
"$S" -q export builtin --format bwrap -o "$T/bw.bpf"
cmp -s "$T/bw.bpf" "$T/prog.bpf"; ok $? "bwrap: the raw program"
# For a big-endian container arch (s390x, ppc64) the kernel there reads the
# struct sock_filter array in its own byte order: compile's raw and base64
# bytes, bwrap's and crun's are the program with code and k swapped (in
# this host's order, the
# kernel there refuses them).
"$S" -q compile builtin --arch s390x --format c >"$T/s390x.c"
"$S" -q compile builtin --arch s390x >"$T/s390x.bpf"
"$S" -q compile builtin --arch s390x --format base64 >"$T/s390x.b64"
"$S" -q export builtin --arch s390x --format bwrap -o "$T/s390x-bw.bpf"
"$S" -q export builtin --arch s390x --format crun >"$T/s390x-crun.json"
python3 - "$T/s390x.c" "$T/s390x.bpf" "$T/s390x.b64" "$T/s390x-bw.bpf" "$T/s390x-crun.json" <<'EOF'
import base64, json, re, struct, sys
insns = [tuple(int(x, 0) for x in m) for m in
         re.findall(r"\{ (0x[0-9a-f]+), (\d+), (\d+), (0x[0-9a-f]+) \}", open(sys.argv[1]).read())]
want = b"".join(struct.pack(">HBBI", *i) for i in insns)
assert len(insns) > 8
assert open(sys.argv[2], "rb").read() == want, "compile raw"
assert base64.b64decode(open(sys.argv[3]).read()) == want, "compile base64"
assert open(sys.argv[4], "rb").read() == want, "bwrap"
crun = json.load(open(sys.argv[5]))["run.oci.seccomp_bpf_data"]
assert base64.b64decode(crun) == want, "crun"
EOF
ok $? "compile raw/base64, bwrap, crun for s390x: the program in s390x's byte order (big-endian)"
"$S" -q export builtin --format c >"$T/f.c"
printf '#include <linux/filter.h>\n#include <stdio.h>\n#include "f.c"\nint main(void) { fwrite(filter, sizeof(filter), 1, stdout); return 0; }\n' >"$T/main.c"
(cd "$T" && cc -o prog main.c) && "$T/prog" >"$T/c.bpf" && cmp -s "$T/c.bpf" "$T/prog.bpf"
ok $? "c: the array compiles, and its bytes are the program"

# bubblewrap runs the export: the probe's verdicts are secprof run's.
docker_caps=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID
	CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_CHROOT CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP)
verdicts() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"seccomp": d["seccomp"], "syscalls": d["syscalls"]}, indent=1, sort_keys=True))'; }
if ! command -v bwrap >/dev/null; then
	skip "bwrap --seccomp" "bubblewrap not installed (tools/install-deps.sh)"
elif [[ $(id -u) != 0 || ! -x $STATIC_BUILD/secprof-static ]]; then
	skip "bwrap --seccomp" "needs root and $STATIC_BUILD/secprof-static"
else
	for p in builtin "$TESTS/data/run-chown-audit-control.json" "$REF/profiles/jessfraz-chrome.json"; do
		[[ $p == builtin || -f $p ]] || continue
		capargs=(--cap-drop ALL); for c in "${docker_caps[@]}"; do capargs+=(--cap-add "$c"); done
		secopt=(); [[ $p != builtin ]] && secopt=(--security-opt "seccomp=$p")
		"$S" -q export "$p" --format bwrap -o "$T/bw.bpf"
		bwrap --dev-bind / / "${capargs[@]}" --seccomp 9 "$STATIC_BUILD/secprof-static" probe --json \
			9<"$T/bw.bpf" >"$T/bw.out" 2>"$T/bw.err"
		"$S" run "${secopt[@]}" -- "$STATIC_BUILD/secprof-static" probe --json >"$T/sp.out" 2>"$T/sp.err"
		diff <(verdicts <"$T/sp.out") <(verdicts <"$T/bw.out") >"$T/diff"
		ok $? "bwrap --seccomp runs the export of $(basename "$p"): the probe agrees with secprof run"
		[[ -s $T/diff ]] && diag "$(head -n 20 "$T/diff")"
	done
fi

# ---- systemd ---------------------------------------------------------------------
out=$("$S" export builtin --format systemd 2>"$T/err")
allow=$(sed -n 's/^SystemCallFilter=\([^~]\)/\1/p' <<<"$out" | tr ' ' '\n')
taken=$(sed -n 's/^SystemCallFilter=~//p' <<<"$out" | tr ' ' '\n')
grep -qx read <<<"$allow" && grep -qx execve <<<"$allow" && ! grep -qx mount <<<"$allow" &&
	! grep -qx socket <<<"$allow" && ! grep -qx personality <<<"$allow"
ok $? "systemd: an allow list of the unconditional allows only (no mount; socket and personality left out)"
grep -qx mount <<<"$taken" && grep -qx socket <<<"$taken" && grep -qx personality <<<"$taken" &&
	! grep -qx read <<<"$taken" && [[ $(grep -c '^SystemCallFilter=' <<<"$out") == 2 ]]
ok $? "systemd: a second line takes back what the profile denies (systemd adds @default to an allow list)"
grep -qx 'SystemCallErrorNumber=EPERM' <<<"$out" && grep -qx 'SystemCallArchitectures=x86-64 x86 x32' <<<"$out"
ok $? "systemd: EPERM and the filter's arches in systemd's names"
grep -q 'systemd cannot test arguments: socket is denied for every argument' "$T/err"
ok $? "systemd: a warning for each argument rule it cannot carry"
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"},{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":40,"op":"SCMP_CMP_EQ"}]}]}' >"$T/deny.json"
out=$("$S" -q export "$T/deny.json" --format systemd)
grep -qx 'SystemCallFilter=~mount socket' <<<"$out"
ok $? "systemd: a deny list denies a conditionally denied call for every argument (never allows more)"
# a deny list: a name whose first rule allows (or logs) is denied all the
# same when a later rule denies it for some arguments
printf '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["socket"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":17,"op":"SCMP_CMP_EQ"}]}]}' >"$T/logfirst.json"
out=$("$S" export "$T/logfirst.json" --format systemd 2>"$T/err")
grep -qx 'SystemCallFilter=~socket' <<<"$out" && grep -q 'systemd cannot test arguments: socket is denied for every argument' "$T/err"
ok $? "systemd: a deny list denies a name whose first rule logs and a later one denies"
# one errno: the deny rules' when they agree; else EPERM, said
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount","umount2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}' >"$T/enosys.json"
out=$("$S" -q export "$T/enosys.json" --format systemd)
grep -qx 'SystemCallErrorNumber=ENOSYS' <<<"$out"
ok $? "systemd: a deny list whose rules all give ENOSYS gets SystemCallErrorNumber=ENOSYS"
sed 's/"errnoRet":38/"errnoRet":11/' "$T/enosys.json" >"$T/eagain.json"
is "$("$S" -q export "$T/eagain.json" --format systemd | grep '^SystemCallErrorNumber=')" \
	"SystemCallErrorNumber=EAGAIN" "systemd: any errno is given by its name (core/names.c), EAGAIN too"
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":38},{"names":["umount2"],"action":"SCMP_ACT_ERRNO"}]}' >"$T/mixed.json"
out=$("$S" export "$T/mixed.json" --format systemd 2>"$T/err")
grep -qx 'SystemCallErrorNumber=EPERM' <<<"$out" && grep -q 'mount is denied with errno 1 instead of ERRNO(38)' "$T/err"
ok $? "systemd: errnos that differ: EPERM, and a warning for the others"
# every arch's decision: personality, killed on x86 and x32 only, is not allowed
out=$("$S" export "$TESTS/data/export-x86-mask-high-word.amd64.json" --format systemd 2>"$T/err")
! sed -n 's/^SystemCallFilter=//p' <<<"$out" | tr ' ' '\n' | grep -qx personality &&
	grep -q 'personality is denied on every arch' "$T/err"
ok $? "systemd: a name the profile denies on some arch only is left out of the allow list"
# systemd's @default set, which systemd adds to an allow list: the
# second line takes back the calls of it the profile denies, mprotect (allowed
# for some arguments) too; a real systemd runs these lines in
# tests/suites/export-systemd.sh
out=$("$S" export "$TESTS/data/systemd-default-set.json" --format systemd 2>"$T/err")
taken=$(sed -n 's/^SystemCallFilter=~//p' <<<"$out" | tr ' ' '\n')
grep -qx arch_prctl <<<"$taken" && grep -qx getpid <<<"$taken" && grep -qx mprotect <<<"$taken" &&
	grep -qx 'SystemCallFilter=read write' <<<"$out" &&
	grep -q 'mprotect is denied for every argument' "$T/err" && ! grep -q '@default' "$T/err"
ok $? "systemd: the @default calls the profile denies, always or for some arguments, are taken back"
echo '{"defaultAction":"SCMP_ACT_ERRNO"}' >"$T/nothing.json"
out=$("$S" -q export "$T/nothing.json" --format systemd)
grep -qx 'SystemCallFilter=@default' <<<"$out" && grep -q '^SystemCallFilter=~.* execve ' <<<"$out" &&
	! grep -qx 'SystemCallFilter=' <<<"$out"
ok $? "systemd: an allow list of no name is @default taken back, never SystemCallFilter= (no filter)"
if command -v systemd-analyze >/dev/null && systemd-analyze --help 2>/dev/null | grep -q verify; then
	unit=$T/secprof-export-test.service
	{ printf '[Service]\nExecStart=/bin/true\n'; "$S" -q export builtin --format systemd; } >"$unit"
	out=$(systemd-analyze verify "$unit" 2>&1)
	# names newer than this systemd are ignored by it: in an allow list
	# that denies them, never allows more
	! grep -iE 'SystemCall|Failed to parse' <<<"$out" | grep -qv 'Failed to parse system call, ignoring'
	ok $? "systemd-analyze verify takes the lines"
	[[ -n $out ]] && diag "$(grep -c 'ignoring' <<<"$out") names this systemd does not know are ignored (denied)"
fi

# ---- oci-artifact --------------------------------------------------------------------
"$S" -q export builtin --format oci-artifact -o "$T/layout" --name docker-default
python3 - "$T/layout" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
def blob(desc):
    algo, hexd = desc["digest"].split(":")
    data = open(os.path.join(d, "blobs", algo, hexd), "rb").read()
    assert algo == "sha256" and hashlib.sha256(data).hexdigest() == hexd, desc
    assert len(data) == desc["size"], desc
    return data
assert json.load(open(os.path.join(d, "oci-layout"))) == {"imageLayoutVersion": "1.0.0"}
idx = json.load(open(os.path.join(d, "index.json")))
m = idx["manifests"][0]
assert m["annotations"]["org.opencontainers.image.ref.name"] == "latest"
man = json.loads(blob(m))
t = "application/vnd.cncf.seccomp-profile.config.v1+json"
assert man["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
assert man["artifactType"] == t and man["config"]["mediaType"] == t
assert blob(man["config"]) == b"{}"
assert len(man["layers"]) == 1 and man["layers"][0]["mediaType"] == "application/json"
open(os.path.join(d, "profile.json"), "wb").write(blob(man["layers"][0]))
EOF
ok $? "oci-artifact: an OCI layout, digests and sizes right, KEP-6061 media types, one JSON layer"
cmp -s <("$S" -q compile "$T/layout/profile.json") <("$S" -q compile builtin)
ok $? "oci-artifact: its layer is the profile (compiles to the built-in program)"
if command -v skopeo >/dev/null; then
	skopeo inspect --raw "oci:$T/layout:latest" >"$T/raw.json" 2>"$T/err" &&
		grep -q 'application/vnd.cncf.seccomp-profile.config.v1+json' "$T/raw.json" &&
		skopeo copy "oci:$T/layout:latest" "dir:$T/copied" >/dev/null 2>>"$T/err"
	ok $? "skopeo reads the layout and copies the artifact (what a push does)"
	[[ -s $T/err ]] && diag "$(cat "$T/err")"
else
	skip "skopeo reads the layout" "skopeo not installed"
fi
printf '{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/agent.sock","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}' >"$T/notify.json"
"$S" -q export "$T/notify.json" --format oci-artifact -o "$T/layout2" 2>/dev/null
[[ $? == 1 && ! -e $T/layout2/index.json ]]; ok $? "oci-artifact refuses listener settings and NOTIFY (runtimes refuse them)"

# ---- install --kubelet -------------------------------------------------------------------
root=$T/kubelet/seccomp
out=$("$S" -q install builtin --kubelet profiles/docker-default --root "$root")
[[ $? == 0 && -f $root/profiles/docker-default.json ]] &&
	cmp -s "$root/profiles/docker-default.json" <("$S" -q export builtin --format docker)
ok $? "install: the docker export at ROOT/NAME.json"
is "$out" $'securityContext:\n  seccompProfile:\n    type: Localhost\n    localhostProfile: "profiles/docker-default.json"' \
	"install prints the pod's seccompProfile"
# the printed path is double-quoted: plain, YAML would end it at " #"
out=$("$S" -q install builtin --kubelet 'app #strict' --root "$root")
python3 -c 'import sys, yaml; p = yaml.safe_load(sys.stdin.read())["securityContext"]["seccompProfile"]["localhostProfile"]; sys.exit(p != "app #strict.json")' <<<"$out" &&
	[[ -f "$root/app #strict.json" ]]
ok $? "install: the pod's localhostProfile reads back as the file written (\"app #strict.json\")"
out=$("$S" -q install builtin --kubelet 'a"b' --root "$root" 2>&1)
[[ $? == 2 && $out == *"printable ASCII, no quote nor backslash"* && ! -e $root/a\"b.json ]]
ok $? "install refuses a name with a quote (it goes into the pod's YAML)"
# U+0085 (NEL) in a quoted YAML scalar reads as a line break: another file
out=$("$S" -q install builtin --kubelet "$(printf 'a\xc2\x85b')" --root "$root" 2>&1)
[[ $? == 2 && $out == *"printable ASCII"* ]]
ok $? "install refuses a name outside printable ASCII (YAML reads U+0085 as a break)"
# a directory every user may write to (not sticky): anyone could rename
# their own file over the installed one
mkdir -p "$T/open/sub" && chmod 0777 "$T/open" "$T/open/sub"
out=$("$S" -q install builtin --kubelet app --root "$T/open" 2>&1); rc=$?
is "$rc:$out:$(ls -A "$T/open")" \
	"3:secprof: $T/open: the directory $T/open is writable by every user, who could replace what is written there: refused (chmod o-w):sub" \
	"install refuses a root every user may write to"
chmod 0755 "$T/open"
out=$("$S" -q install builtin --kubelet sub/app --root "$T/open" 2>&1); rc=$?
is "$rc:$out" "3:secprof: $T/open: the directory sub is writable by every user, who could replace what is written there: refused (chmod o-w)" \
	"install refuses such a directory below the root"
chmod 1777 "$T/open/sub"
"$S" -q install builtin --kubelet sub/app --root "$T/open" >/dev/null && [[ -f $T/open/sub/app.json ]]
ok $? "install takes a sticky one (/tmp's mode): no one renames over another's file there"
# a directory another user owns (made in a sticky root by anyone), and a
# parent of the root every user may write to: their users could swap it
mkdir -p "$T/open/other" && chown 65534 "$T/open/other"
out=$("$S" -q install builtin --kubelet other/app --root "$T/open" 2>&1); rc=$?
is "$rc:$out" "3:secprof: $T/open: the directory other belongs to user 65534, who could replace what is written there: refused" \
	"install refuses a directory below the root that another user owns"
mkdir -p "$T/wide/root" && chmod 0777 "$T/wide"
out=$("$S" -q install builtin --kubelet app --root "$T/wide/root" 2>&1); rc=$?
is "$rc:$out" "3:secprof: $T/wide/root: the directory $T/wide is writable by every user, who could replace what is written there: refused (chmod o-w)" \
	"install refuses a root whose parent every user may write to (the root could be renamed away)"
# a directory a group other than root's may write to; a symbolic link on
# the root's path that another user owns (in a sticky directory they can
# point it elsewhere later); and nothing made when refused
mkdir -p "$T/grp/root" && chgrp 65534 "$T/grp/root" && chmod 0775 "$T/grp/root"
out=$("$S" -q install builtin --kubelet app --root "$T/grp/root" 2>&1); rc=$?
is "$rc:$out" "3:secprof: $T/grp/root: the directory $T/grp/root is writable by group 65534, whose users could replace what is written there: refused (chmod g-w)" \
	"install refuses a directory another group may write to"
mkdir -p "$T/pub" "$T/real/seccomp" && chmod 1777 "$T/pub"
ln -s "$T/real" "$T/pub/lnk" && chown -h 65534 "$T/pub/lnk"
out=$("$S" -q install builtin --kubelet app --root "$T/pub/lnk/seccomp/new" 2>&1); rc=$?
is "$rc:$out:$(ls -A "$T/real/seccomp")" \
	"3:secprof: $T/pub/lnk/seccomp/new: the symbolic link $T/pub/lnk belongs to user 65534, who could point it elsewhere: refused:" \
	"install refuses a path through a link another user owns, and creates nothing"
chown -h 0 "$T/pub/lnk"
"$S" -q install builtin --kubelet app --root "$T/pub/lnk/seccomp" >/dev/null && [[ -f $T/real/seccomp/app.json ]]
ok $? "install follows a link root owns"
[[ $(stat -c %a "$root/profiles/docker-default.json") == 644 ]]; ok $? "installed 0644"
"$S" -q install builtin --kubelet ../escape --root "$root" >/dev/null 2>&1
[[ $? == 2 && ! -e $T/kubelet/escape.json ]]; ok $? "install refuses a name that leaves the root"
# A symbolic link on the way below the root is refused, not followed: each
# directory is opened with O_NOFOLLOW from the one before it.
mkdir -p "$T/elsewhere" "$T/kroot/a"
ln -s "$T/elsewhere" "$T/kroot/profiles"
ln -s "$T/elsewhere" "$T/kroot/a/b"
out=$("$S" -q install builtin --kubelet profiles/app --root "$T/kroot" 2>&1); rc=$?
is "$rc:$out:$(ls -A "$T/elsewhere")" \
	"3:secprof: $T/kroot: profiles is a symbolic link: refused, links below the directory are not followed:" \
	"install refuses ROOT/profiles -> elsewhere and writes nothing there"
out=$("$S" -q install builtin --kubelet a/b/c/app --root "$T/kroot" 2>&1); rc=$?
is "$rc:$out:$(ls -A "$T/elsewhere")" \
	"3:secprof: $T/kroot: a/b is a symbolic link: refused, links below the directory are not followed:" \
	"install refuses a link deeper down (ROOT/a/b -> elsewhere), creating nothing through it"
# A root missing when install walks its path, that another user makes a
# link of theirs before install creates it (strace holds install at that
# mkdir; /tmp is sticky but protected_symlinks may be off): open would
# follow the link, so the path is walked again and the directory opened
# must be the one that walk reaches. Refused, nothing written through it.
if command -v strace >/dev/null; then
	mkdir -p "$T/race" "$T/target" && chmod 1777 "$T/race"
	# LeakSanitizer cannot run under a tracer
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -o /dev/null -e trace=mkdir -e inject=mkdir:delay_enter=3000000:when=1 \
		"$S" -q install builtin --kubelet app --root "$T/race/k" >"$T/race.out" 2>&1 &
	spid=$!
	cpid=
	for _ in $(seq 600); do
		cpid=$(ps -o pid= --ppid "$spid" | tr -d ' ')
		[[ -n $cpid && $(cut -d' ' -f1 "/proc/$cpid/syscall" 2>/dev/null) == 83 ]] && break
		sleep 0.05
	done
	ln -s "$T/target" "$T/race/k" && chown -h 65534 "$T/race/k"
	wait "$spid"; rc=$?
	is "$rc:$(ls -A "$T/target")" "3:" \
		"install refuses a root another user's link took the place of after the walk, writes nothing there"
	diag "$(head -c 300 "$T/race.out")"
else
	skip "install, a root made a link meanwhile" "strace not installed"
fi
mkdir -p "$T/layout3"
ln -s "$T/elsewhere" "$T/layout3/blobs"
"$S" -q export builtin --format oci-artifact -o "$T/layout3" >/dev/null 2>&1; rc=$?
is "$rc:$(ls -A "$T/elsewhere")" "3:" "oci-artifact refuses DIR/blobs -> elsewhere too"
# and DIR itself a link another user owns (in a sticky directory): not
# followed, as for install's root
mkdir -p "$T/pub2" && chmod 1777 "$T/pub2"
ln -s "$T/elsewhere" "$T/pub2/layout" && chown -h 65534 "$T/pub2/layout"
out=$("$S" -q export builtin --format oci-artifact -o "$T/pub2/layout" 2>&1); rc=$?
is "$rc:$out:$(ls -A "$T/elsewhere")" \
	"3:secprof: $T/pub2/layout: the symbolic link $T/pub2/layout belongs to user 65534, who could point it elsewhere: refused:" \
	"oci-artifact refuses a DIR that is another user's link, and writes nothing through it"

# Interrupted: killed after its temporary file is written and fsync'ed,
# before the rename (strace holds it at fsync, then SIGKILL).
"$S" -q export "$TESTS/ir/05-equals-default.json" --format docker >"$T/small.json"
cp "$root/profiles/docker-default.json" "$T/old.json"
if command -v strace >/dev/null; then
	strace -f -o /dev/null -e trace=fsync -e inject=fsync:delay_exit=3000000 \
		"$S" -q install "$TESTS/ir/05-equals-default.json" --kubelet profiles/docker-default \
		--root "$root" >/dev/null 2>&1 &
	spid=$!
	for _ in $(seq 100); do
		compgen -G "$root/profiles/.docker-default.json.tmp.*" >/dev/null && break
		sleep 0.05
	done
	sleep 0.3
	tmpf=$(compgen -G "$root/profiles/.docker-default.json.tmp.*")
	# the installer itself (its pid names the temporary file), then strace
	[[ -n $tmpf ]] && kill -KILL "${tmpf##*.}"
	wait $spid 2>/dev/null
	[[ -n $tmpf ]] && cmp -s "$root/profiles/docker-default.json" "$T/old.json" && cmp -s "$tmpf" "$T/small.json"
	ok $? "install killed between write and rename: the old profile is whole, the new one only in its temporary file"
	rm -f $tmpf
else
	skip "interrupted install" "strace not installed"
fi
# Readers racing installs of two profiles of different sizes.
(for _ in $(seq 60); do
	"$S" -q install "$TESTS/ir/05-equals-default.json" --kubelet profiles/race --root "$root" >/dev/null
	"$S" -q install builtin --kubelet profiles/race --root "$root" >/dev/null
done) &
wpid=$!
"$S" -q export builtin --format docker >"$T/big.json"
reads=0 torn=0
while kill -0 $wpid 2>/dev/null; do
	if cat "$root/profiles/race.json" >"$T/seen" 2>/dev/null; then
		reads=$((reads + 1))
		cmp -s "$T/seen" "$T/small.json" || cmp -s "$T/seen" "$T/big.json" || torn=$((torn + 1))
	fi
done
wait $wpid
[[ $reads -gt 20 && $torn == 0 ]]
ok $? "readers racing 120 installs saw $reads whole files, $torn partial ones"

# ---- usage -------------------------------------------------------------------------------
"$S" -q export builtin >/dev/null 2>&1; [[ $? == 2 ]]; ok $? "export without --format: usage error"
"$S" -q export builtin --format yaml >/dev/null 2>&1; [[ $? == 2 ]]; ok $? "an unknown format: usage error"
"$S" -q export builtin --format oci-artifact >/dev/null 2>&1; [[ $? == 2 ]]; ok $? "oci-artifact without -o DIR: usage error"
printf '{}' >"$T/unconfined.json"
"$S" -q export "$T/unconfined.json" --format docker >/dev/null 2>&1; [[ $? == 1 ]]
ok $? "an unconfined profile has nothing to export"

# SPEC_ALLOW is never exported (secprof never loads with it); runc given
# the oci form directly gets an empty list, not none, which a current runc
# reads as SPEC_ALLOW (docs/COMPAT.md §4.1.1)
printf '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_LOG"],"syscalls":[]}' >"$T/flags.json"
is "$("$S" -q export "$T/flags.json" --format oci | grep flags) $("$S" -q export "$T/flags.json" --format docker | grep flags) $("$S" -q export builtin --format oci | grep flags)" \
	'  "flags": ["SECCOMP_FILTER_FLAG_LOG"],   "flags": ["SECCOMP_FILTER_FLAG_LOG"],   "flags": [],' \
	"flags: SPEC_ALLOW left out, LOG kept; the oci form of a profile without flags has an empty list"
"$S" -q export "$T/flags.json" --format spo --name x | grep -c SPEC_ALLOW >"$T/n"
is "$(cat "$T/n")" 0 "spo: SPEC_ALLOW left out too"

done_testing
