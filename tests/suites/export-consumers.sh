#!/usr/bin/env bash
# export-consumers.sh - exported and installed profiles run under the real
# tools, from the same Debian root filesystem, and `secprof probe --json`
# inside gives the verdicts it gives under `secprof run --rootfs`:
#  - runc with an OCI bundle whose linux.seccomp is `export --format oci`;
#  - crun with the run.oci.seccomp_bpf_data annotation of `export --format
#    crun`, and with the oci export as linux.seccomp (on a hybrid cgroup
#    host in a mount namespace with a cgroup2 root);
#  - `docker run --security-opt seccomp=FILE` (a private dockerd), FILE the
#    profile `secprof install --kubelet` wrote;
#  - `podman run --runtime runc` with the docker export.
# Against the same tool given the original profile the verdicts must be
# equal, every one; against secprof run, the only differences accepted are
# probes of syscalls libseccomp 2.5.4 does not know (runc skips their rules
# and its ENOSYS stub stops below them; tests/suites/runc-compare.sh),
# except for crun, which loads secprof's own program: no difference at all.
source "$TESTS/lib.sh"
source "$TESTS/helpers/rootfs.sh"
command -v runc >/dev/null || { echo "1..0 # SKIP runc not installed (tools/install-deps.sh)"; exit 0; }
command -v scmp_sys_resolver >/dev/null || { echo "1..0 # SKIP scmp_sys_resolver (package seccomp) needed"; exit 0; }
rootfs_setup
S=$SECPROF
cid=secprof-exp-$$
# a private dockerd (dockerd_start, docker_, dockerd_stop)
source "$TESTS/helpers/dockerd.sh"
pd=
cleanup_all() {
	runc delete -f "$cid" >/dev/null 2>&1
	command -v crun >/dev/null && crun --root "$TMPD/crun" delete -f "$cid" >/dev/null 2>&1
	dockerd_stop
	[[ -n $pd ]] && { podman_ rm -af >/dev/null 2>&1; podman_ rmi -af >/dev/null 2>&1;
		grep -o " $pd[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null; rm -rf "$pd"; }
	rootfs_cleanup
}
trap cleanup_all EXIT

DOCKER_CAPS=(CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
	SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP)
PROFILES=(builtin "$TESTS/data/run-chown-audit-control.json")

verdicts() { python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
for k, v in sorted(d["syscalls"].items()):
    print(f"{k}: {v}")
print("seccomp mode:", d["seccomp"]["mode"])'; }
libseccomp_knows() {
	local nr
	nr=$(scmp_sys_resolver -a x86_64 "${1%%(*}" 2>/dev/null) || return 1
	[[ $nr -ge 0 ]]
}
# same NAME OURS THEIRS [strict]: the verdicts agree (strict: all of them;
# else but for syscalls libseccomp 2.5.4 does not know)
same() {
	local name=$1 a b d bad=() expl=()
	a=$(verdicts <<<"$2" 2>&1) b=$(verdicts <<<"$3" 2>&1)
	if [[ $a == "" || $b == "" || $a == *Traceback* || $b == *Traceback* ]]; then
		ok 1 "$name"; diag "ours: $(tail -n 3 <<<"$2")"; diag "theirs: $(tail -n 3 <<<"$3")"; return
	fi
	while IFS= read -r d; do
		[[ -z $d ]] && continue
		if [[ ${4:-} != strict && $d != syscall\(* ]] && ! libseccomp_knows "$d"; then
			expl+=("$d")
		else
			bad+=("$d")
		fi
	done < <(diff <(echo "$a") <(echo "$b") | sed -n 's/^[<>] //p' | sed 's/: .*//' | sort -u)
	((${#bad[@]} == 0)); ok $? "$name"
	((${#bad[@]})) && diff <(echo "$a") <(echo "$b") | sed 's/^/# /'
	((${#expl[@]})) && diag "unknown to libseccomp 2.5.4, so runc skips them: ${expl[*]}"
}

ours_probe() { # PROFILE
	local secopt=()
	[[ $1 != builtin ]] && secopt=(--security-opt "seccomp=$1")
	timeout 60 "$S" run --rootfs "$ROOT" "${secopt[@]}" -- secprof probe --json 2>/dev/null
}
declare -A OURS
for p in "${PROFILES[@]}"; do OURS[$p]=$(ours_probe "$p"); done

caps=$("$S" run --security-opt seccomp=unconfined -- cat /proc/self/status | sed -n 's/^CapBnd:\t//p')

# ---- runc, OCI bundle --------------------------------------------------------
bundle() { # DIR SECCOMP-JSON|none
	rm -rf "$1" && mkdir -p "$1" && (cd "$1" && runc spec) &&
		python3 "$TESTS/helpers/oci-config.py" "$1/config.json" --root "$ROOT" --caps "$caps" \
			${2:+--seccomp "$2"} -- /usr/local/bin/secprof probe --json
}
for p in "${PROFILES[@]}"; do
	pn=$(basename "$p")
	"$S" -q export "$p" --format oci >"$TMPD/exp.json" && bundle "$TMPD/b1" "$TMPD/exp.json"
	exp=$(timeout 60 runc run --bundle "$TMPD/b1" "$cid" 2>&1 </dev/null); runc delete -f "$cid" >/dev/null 2>&1
	"$S" -q resolve "$p" >"$TMPD/orig.json" && bundle "$TMPD/b2" "$TMPD/orig.json"
	orig=$(timeout 60 runc run --bundle "$TMPD/b2" "$cid" 2>&1 </dev/null); runc delete -f "$cid" >/dev/null 2>&1
	same "runc, $pn: the oci export decides as the original profile" "$orig" "$exp" strict
	same "runc, $pn: the oci export agrees with secprof run" "${OURS[$p]}" "$exp"
done

# i386 calls (int $0x80 from a 64-bit program: AUDIT_ARCH_I386) under runc,
# the oci export against the original: the kernel's verdicts, the same.
# export-32bit-name-caps: socketcall(connect) is denied by the original
# (its unconditional ALLOW needs CAP_SYS_ADMIN); export-x86-mask-high-word:
# personality(0xffffffff) is killed on i386.
setargs() { python3 -c '
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["process"]["args"] = ["/usr/local/bin/i386call"] + sys.argv[2:]
json.dump(cfg, open(sys.argv[1], "w"))' "$@"; }
if ! cc -static -O2 -o "$ROOT/usr/local/bin/i386call" "$TESTS/helpers/i386call.c" 2>"$TMPD/cc.err"; then
	skip "runc, i386 calls" "cc -static failed: $(tail -n 1 "$TMPD/cc.err")"
elif probe=$( ("$ROOT/usr/local/bin/i386call" 20) 2>&1); [[ $probe != ret=[1-9]* ]]; then
	# some kernels take no int $0x80 (ia32_emulation=0, or a virtual machine
	# without 32-bit compat mode): without a filter, getpid must return the pid
	skip "runc, i386 calls" "this kernel runs no i386 call (getpid through int \$0x80 outside a container: ${probe:-no output})"
else
	for c in "export-32bit-name-caps 102 3 0" "export-x86-mask-high-word 136 0xffffffff"; do
		set -- $c; f=$TMPD/$1.json
		# the profile, and what runc and a static program need on x86_64
		python3 - "$TESTS/data/$1.amd64.json" "$f" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["syscalls"].insert(0, {"names": """execve execveat brk arch_prctl mmap munmap mprotect
    write read exit_group exit uname readlink set_tid_address set_robust_list rseq
    prlimit64 getrandom fstat newfstatat futex rt_sigaction rt_sigprocmask rt_sigreturn
    close close_range fcntl getppid getpid gettid tgkill nanosleep capget capset prctl
    setgroups setuid setgid setresuid setresgid getuid geteuid getgid getegid openat
    ioctl access faccessat2 dup3 fchdir chdir statx getcwd sigaltstack madvise
    sched_yield epoll_pwait epoll_ctl fstatfs statfs getdents64 lseek openat2 faccessat
    pselect6 dup dup2 pipe2""".split(), "action": "SCMP_ACT_ALLOW",
    "includes": {"arches": ["amd64"]}})
json.dump(p, open(sys.argv[2], "w"))
PY
		shift
		"$S" -q export "$f" --format oci >"$TMPD/exp.json" && bundle "$TMPD/b1" "$TMPD/exp.json" &&
			setargs "$TMPD/b1/config.json" "$@"
		exp=$(timeout 60 runc run --bundle "$TMPD/b1" "$cid" 2>&1 </dev/null; echo "status=$?")
		runc delete -f "$cid" >/dev/null 2>&1
		"$S" -q resolve "$f" >"$TMPD/orig.json" && bundle "$TMPD/b2" "$TMPD/orig.json" &&
			setargs "$TMPD/b2/config.json" "$@"
		orig=$(timeout 60 runc run --bundle "$TMPD/b2" "$cid" 2>&1 </dev/null; echo "status=$?")
		runc delete -f "$cid" >/dev/null 2>&1
		[[ $orig == "$exp" && ($orig == *errno=1* || $orig == *status=159*) ]]
		ok $? "runc, $(basename "$f" .json): i386 call $* gets the original's verdict from the oci export"
		diag "original: $(tr '\n' ' ' <<<"$orig")"; diag "export: $(tr '\n' ' ' <<<"$exp")"
	done
fi

# ---- crun, the precompiled-program annotation ------------------------------------
# crun refuses a hybrid cgroup host; there it runs in a mount namespace of
# its own with a cgroup2 root and --cgroup-manager=disabled (as in
# run-messages.sh), which is all this needs.
crun_run() { # BUNDLE: crun's output, its status in $TMPD/crun.rc
	local out rc
	out=$(timeout 60 crun --root "$TMPD/crun" run --bundle "$1" "$cid" 2>&1 </dev/null); rc=$?
	crun --root "$TMPD/crun" delete -f "$cid" >/dev/null 2>&1
	if [[ $rc != 0 && $out == *cgroup* ]]; then
		out=$(timeout 60 unshare -m --propagation private sh -c \
			'umount -R /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && exec crun --root "$1" --cgroup-manager=disabled run --bundle "$2" "$3"' \
			sh "$TMPD/crun" "$1" "$cid" 2>&1 </dev/null); rc=$?
		crun --root "$TMPD/crun" delete -f "$cid" >/dev/null 2>&1
	fi
	echo "$rc" >"$TMPD/crun.rc"
	printf '%s' "$out"
}
if ! command -v crun >/dev/null; then
	skip "crun run.oci.seccomp_bpf_data" "crun not installed"
else
	for p in "${PROFILES[@]}"; do
		pn=$(basename "$p")
		"$S" -q export "$p" --format crun >"$TMPD/crun.json"
		bundle "$TMPD/b3" "" && python3 - "$TMPD/b3/config.json" "$TMPD/crun.json" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg.setdefault("annotations", {}).update(json.load(open(sys.argv[2])))
# crun loads the annotation's program; linux.seccomp stays unset
cfg["linux"].pop("seccomp", None)
json.dump(cfg, open(sys.argv[1], "w"))
EOF
		out=$(crun_run "$TMPD/b3")
		if [[ $(cat "$TMPD/crun.rc") != 0 && $out == *cgroup* ]]; then
			skip "crun, $pn" "crun cannot run here: $(tail -n 1 <<<"$out")"
			continue
		fi
		same "crun, $pn: the annotation's program gives secprof run's verdicts, every one" "${OURS[$p]}" "$out" strict
		# crun compiling linux.seccomp itself (with its libseccomp): the
		# oci export decides as the original profile there too
		"$S" -q export "$p" --format oci >"$TMPD/exp.json" && bundle "$TMPD/b4" "$TMPD/exp.json"
		exp=$(crun_run "$TMPD/b4")
		"$S" -q resolve "$p" >"$TMPD/orig.json" && bundle "$TMPD/b5" "$TMPD/orig.json"
		orig=$(crun_run "$TMPD/b5")
		same "crun, $pn: the oci export in linux.seccomp decides as the original" "$orig" "$exp" strict
	done
	# A rule that tests an argument twice: runc adds one rule per
	# condition (ORs them); crun reads at most six conditions of a rule.
	# The export writes such a rule as runc reads it, so crun decides as
	# runc: fcntl64(7) on i386, the seventh condition, is denied.
	if [[ -x $ROOT/usr/local/bin/i386call && ${probe:-} == ret=[1-9]* ]]; then
		python3 - "$TMPD/twice.json" <<'PY'
import json, sys
json.dump({"defaultAction": "SCMP_ACT_ALLOW",
           "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
           "syscalls": [{"names": ["fcntl64"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                         "args": [{"index": 0, "value": v, "op": "SCMP_CMP_EQ"} for v in range(1, 8)]}]},
          open(sys.argv[1], "w"))
PY
		"$S" -q export "$TMPD/twice.json" --format oci >"$TMPD/exp.json" && bundle "$TMPD/b6" "$TMPD/exp.json" &&
			setargs "$TMPD/b6/config.json" 221 7
		exp=$(crun_run "$TMPD/b6")
		runc_exp=$(timeout 60 runc run --bundle "$TMPD/b6" "$cid" 2>&1 </dev/null); runc delete -f "$cid" >/dev/null 2>&1
		is "crun $exp, runc $runc_exp" "crun errno=13, runc errno=13" \
			"crun, a rule testing arg0 seven times: the oci export denies i386 fcntl64(7), as runc does"
	fi
fi

# ---- docker run, the profile install --kubelet wrote ---------------------------------
if ! DOCKERD_SOFT=1 dockerd_start "secprof-exp-$$"; then
	skip "docker run" "$dockerd_why"
elif ! tar -C "$ROOT" -c . | docker_ import - "secprof-export:$$" >"$dk/import.log" 2>&1; then
	ok 1 "docker import of the root filesystem: $(tail -n 1 "$dk/import.log")"
else
	for p in "${PROFILES[@]}"; do
		pn=$(basename "$p")
		"$S" -q install "$p" --kubelet "profiles/$pn" --root "$TMPD/kubelet" >/dev/null
		f=$TMPD/kubelet/profiles/$pn; [[ $f == *.json ]] || f=$f.json
		exp=$(timeout 120 "$DOCKER" -H "unix://$dk/sock" run --rm --network none \
			--security-opt "seccomp=$f" "secprof-export:$$" /usr/local/bin/secprof probe --json 2>&1)
		# the original: the file secprof's built-in profile is made from
		# (this dockerd's own default is an older moby's)
		orig_file=$p; [[ $p == builtin ]] && builtin_source "$TMPD/builtin-source.json" && orig_file=$TMPD/builtin-source.json
		origopt=(--security-opt "seccomp=$orig_file")
		orig=$(timeout 120 "$DOCKER" -H "unix://$dk/sock" run --rm --network none "${origopt[@]}" \
			"secprof-export:$$" /usr/local/bin/secprof probe --json 2>&1)
		same "docker run, $pn: the installed profile decides as the original" "$orig" "$exp" strict
		same "docker run, $pn: the installed profile agrees with secprof run" "${OURS[$p]}" "$exp"
	done
fi
dockerd_stop

# ---- podman run ------------------------------------------------------------------------
podman_() { podman --root "$pd/root" --runroot "$pd/run" --tmpdir "$pd/tmp" --storage-driver vfs \
	--cgroup-manager cgroupfs --events-backend file "$@"; }
if ! command -v podman >/dev/null; then
	skip "podman run" "podman not installed (tools/install-deps.sh)"
else
	pd=$(mktemp -d /tmp/secprof-podman.XXXXXX)
	if ! tar -C "$ROOT" -c . | podman_ import - "secprof-export:$$" >"$pd/import.log" 2>&1; then
		skip "podman run" "podman import failed: $(tail -n 1 "$pd/import.log")"
	else
		# Docker's 14 capabilities (podman's default set lacks three)
		capargs=(--cap-drop all); for c in "${DOCKER_CAPS[@]}"; do capargs+=(--cap-add "$c"); done
		podman_run() {
			timeout 180 podman --root "$pd/root" --runroot "$pd/run" --tmpdir "$pd/tmp" \
				--storage-driver vfs --cgroup-manager cgroupfs --events-backend file run --rm \
				--runtime runc --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
				"${capargs[@]}" "$@" "secprof-export:$$" /usr/local/bin/secprof probe --json 2>&1
		}
		for p in "${PROFILES[@]}"; do
			pn=$(basename "$p")
			"$S" -q export "$p" --format docker >"$pd/exp.json"
			orig_file=$p; [[ $p == builtin ]] && builtin_source "$TMPD/builtin-source.json" && orig_file=$TMPD/builtin-source.json
			exp=$(podman_run --security-opt "seccomp=$pd/exp.json")
			orig=$(podman_run --security-opt "seccomp=$orig_file")
			same "podman run, $pn: the docker export decides as the original" "$orig" "$exp" strict
			same "podman run, $pn: the docker export agrees with secprof run" "${OURS[$p]}" "$exp"
		done
	fi
fi

done_testing
