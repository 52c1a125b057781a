#!/usr/bin/env bash
# runc-compare.sh - same behaviour as runc: `secprof probe --json`
# inside `secprof run --rootfs` and inside Debian's runc (1.1.5, libseccomp
# 2.5.4) running the same rootfs, with the OCI linux.seccomp `secprof
# resolve` prints and the same capability sets, must agree.
#
# The only differences accepted are probes of syscalls libseccomp 2.5.4 does
# not know (scmp_sys_resolver answers a negative number): runc skips rules
# naming them (docs/COMPAT.md §4.1.2) and its ENOSYS stub's maximum stops below them
# (§4.1.3), while secprof's table knows them; each one is listed as a diag.
source "$TESTS/lib.sh"
source "$TESTS/helpers/rootfs.sh"
command -v runc >/dev/null || { echo "1..0 # SKIP runc not installed (tools/install-deps.sh)"; exit 0; }
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 needed to edit config.json"; exit 0; }
# Without the resolver every difference would look explained.
command -v scmp_sys_resolver >/dev/null || { echo "1..0 # SKIP scmp_sys_resolver (package seccomp) needed"; exit 0; }
rootfs_setup
cid=secprof-cmp-$$
cleanup_all() { runc delete -f "$cid" >/dev/null 2>&1; rootfs_cleanup; }
trap cleanup_all EXIT

# Base syscall of a probe name ("socket(AF_ALG)" -> socket).
base_name() { sed 's/(.*//' <<<"$1"; }
libseccomp_knows() {
	local nr
	nr=$(scmp_sys_resolver -a x86_64 "$1" 2>/dev/null) || return 1
	[[ $nr -ge 0 ]]
}

# verdict PROBE JSON: the probe's result in a probe --json output
verdict() { grep -F "    \"$1\": " <<<"$2" | sed 's/.*": "\(.*\)",\{0,1\}$/\1/'; }

# compare NAME PROFILE [secprof run options...]
compare() {
	local name=$1 profile=$2; shift 2
	local opts=("$@") caps nnp=() bundle=$TMPD/bundle secopt=()
	[[ $profile != builtin ]] && secopt=(--security-opt "seccomp=$profile")
	for o in "${opts[@]}"; do [[ $o == --security-opt=no-new-privileges ]] && nnp=(--nnp); done
	caps=$("$SECPROF" run --security-opt seccomp=unconfined "${opts[@]}" -- cat /proc/self/status |
		sed -n 's/^CapBnd:\t//p')
	local capargs=()
	for o in "${opts[@]}"; do [[ $o == --cap-* ]] && capargs+=("${o%%=*}" "${o#*=}"); done
	"$SECPROF" -q resolve "$profile" "${capargs[@]}" >"$TMPD/seccomp.json" 2>"$TMPD/resolve.err"
	rm -rf "$bundle" && mkdir -p "$bundle"
	(cd "$bundle" && runc spec)
	python3 "$TESTS/helpers/oci-config.py" "$bundle/config.json" --root "$ROOT" --caps "$caps" \
		--seccomp "$TMPD/seccomp.json" "${nnp[@]}" -- /usr/local/bin/secprof probe --json

	local ours theirs rc_ours rc_theirs
	ours=$(timeout 60 "$SECPROF" run --rootfs "$ROOT" "${secopt[@]}" "${opts[@]}" -- secprof probe --json 2>&1)
	rc_ours=$?
	theirs=$(timeout 60 runc run --bundle "$bundle" "$cid" 2>&1 </dev/null)
	rc_theirs=$?
	runc delete -f "$cid" >/dev/null 2>&1
	if [[ $rc_ours != 0 || $rc_theirs != 0 ]]; then
		# A profile that stops the probe from starting must stop both.
		[[ $rc_ours != 0 && $rc_theirs != 0 ]]
		ok $? "$name: both refuse to start (secprof $rc_ours, runc $rc_theirs)"
		diag "secprof: $(tail -n 1 <<<"$ours")"
		diag "runc: $(tail -n 1 <<<"$theirs")"
		return
	fi
	local diffs unexplained=() explained=()
	diffs=$(diff <(echo "$ours") <(echo "$theirs") | grep '^[<>]' | sed 's/^[<>] *//' | sed 's/": .*//; s/^"//' | sort -u)
	local d why=() stub=yes
	grep -q '"architectures"' "$TMPD/seccomp.json" || stub=no
	while IFS= read -r d; do
		[[ -z $d ]] && continue
		if [[ $stub == no && $(verdict "$d" "$ours") == ENOSYS ]]; then
			explained+=("$d")
			why+=("no architectures in the profile: runc 1.1.5 builds its ENOSYS stub only for config.Architectures; newer runc and secprof add the native arch under an ERRNO default (docs/COMPAT.md §4.1.3)")
		elif [[ $d != syscall\(* ]] && ! libseccomp_knows "$(base_name "$d")"; then
			explained+=("$d")
			why+=("libseccomp 2.5.4 does not know $(base_name "$d"): runc skips its rule and its ENOSYS stub stops below it (docs/COMPAT.md §4.1.2, §4.1.3)")
		else
			unexplained+=("$d")
		fi
	done <<<"$diffs"
	((${#unexplained[@]} == 0))
	ok $? "$name: secprof run and runc give the same probe"
	if ((${#unexplained[@]})); then
		diff <(echo "$ours") <(echo "$theirs") | sed 's/^/# /'
	fi
	local i
	for i in "${!explained[@]}"; do
		d=${explained[$i]}
		diag "$name: $d: secprof $(verdict "$d" "$ours"), runc $(verdict "$d" "$theirs") - ${why[$i]}"
	done
}

compare "builtin, Docker's caps" builtin
compare "builtin, +SYS_ADMIN" builtin --cap-add=SYS_ADMIN
compare "builtin, +SYS_PTRACE" builtin --cap-add=SYS_PTRACE
compare "builtin, +SYS_BOOT +SYS_MODULE +SYS_TIME +SYS_NICE" builtin --cap-add=SYS_BOOT \
	--cap-add=SYS_MODULE --cap-add=SYS_TIME --cap-add=SYS_NICE
# (no +BPF or +PERFMON: Debian 12's Docker knows neither, docs/COMPAT.md §3.4)
compare "builtin, +DAC_READ_SEARCH +SYSLOG" builtin --cap-add=DAC_READ_SEARCH --cap-add=SYSLOG
compare "builtin, --cap-drop ALL" builtin --cap-drop=ALL
compare "builtin, no-new-privileges" builtin --security-opt=no-new-privileges
compare "seed 002 chown profile" "$TESTS/data/run-chown-audit-control.json"
compare "seed 002 chown profile, +AUDIT_CONTROL" "$TESTS/data/run-chown-audit-control.json" \
	--cap-add=AUDIT_CONTROL
# When the filter is loaded (docs/COMPAT.md §4.1.4): before the caps are written
# unless no-new-privileges, so denying capset stops runc only without it.
compare "capset denied" "$TESTS/data/run-deny-capset.json"
compare "capset denied, no-new-privileges" "$TESTS/data/run-deny-capset.json" --security-opt=no-new-privileges
for f in moby-default.json podman-default.json moby-fixtures/example.json \
	moby-fixtures/conditional_include.json moby-fixtures/default-old-format.json \
	profiles/docker-labs-default-no-chmod.json profiles/redpwn-jail.json \
	profiles/jessfraz-chrome.json profiles/runc-syscall-test1.json profiles/runc-syscall-test2.json \
	profiles/docker-labs-deny.json; do
	if [[ -f $REF/$f ]]; then
		compare "$f" "$REF/$f"
	else
		skip "$f" "not in $REF"
	fi
done

done_testing
