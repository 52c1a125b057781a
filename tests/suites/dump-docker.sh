#!/usr/bin/env bash
# dump-docker.sh - `secprof dump` of a real `docker run` container: the
# filter runc loaded, read from the kernel, is a program `secprof explain`
# and `eval` read, with the verdicts of the profile Docker was given, and
# the same verdicts as `secprof compile --exact-libseccomp` of that profile
# for every x86_64 syscall number.
source "$TESTS/lib.sh"
source "$TESTS/helpers/rootfs.sh"
source "$TESTS/helpers/dockerd.sh"
rootfs_setup
cleanup_all() { dockerd_stop; rootfs_cleanup; }
trap cleanup_all EXIT
dockerd_start "secprof-dump-$$"
image=secprof-dump:$$
diag "$(docker_ version --format 'docker {{.Server.Version}}, runc {{range .Server.Components}}{{if eq .Name "runc"}}{{.Version}}{{end}}{{end}}')"
if ! tar -C "$ROOT" -c . | docker_ import - "$image" >"$dk/import.log" 2>&1; then
	ok 1 "docker import of the root filesystem: $(tail -n 1 "$dk/import.log")"
	done_testing
	exit 1
fi
profile=${REF:-/nonexistent}/moby-default.json
[[ -f $profile ]] || profile=$TESTS/data/run-chown-audit-control.json

for opt in "seccomp=$profile" ""; do
	label=${opt:-"Docker's own default"}
	label=${label/#seccomp=*/"seccomp=$(basename "$profile")"}
	cid=$(timeout 120 "$DOCKER" -H "unix://$dk/sock" run -d ${opt:+--security-opt "$opt"} "$image" sleep 60 2>"$dk/run.err")
	pid=$(docker_ inspect -f '{{.State.Pid}}' "$cid" 2>/dev/null)
	if [[ -z $pid || $pid == 0 ]]; then
		ok 1 "$label: docker run started ($(tail -n 1 "$dk/run.err"))"
		continue
	fi
	"$SECPROF" dump "$pid" -o "$dk/dump.bpf"
	ok $? "$label: dump of the container's process ($pid)"
	is "$(grep '^Seccomp_filters:' "/proc/$pid/status" | cut -f2)" 1 "$label: runc loaded one filter"
	"$SECPROF" disasm "$dk/dump.bpf" >/dev/null
	ok $? "$label: the dump passes the kernel's load checks (disasm reads it)"
	for call in "mount" "socket 40" "socket 2" "read" "acct" "unshare 0x10000000"; do
		want=$("$SECPROF" eval "$dk/dump.bpf" $call | head -n 1)
		got=$("$SECPROF" explain "$dk/dump.bpf" $call | head -n 1 | cut -d' ' -f1)
		is "$got" "$want" "$label: explain DUMP $call: $want, as eval of the dump"
		if [[ -n $opt ]]; then
			prof=$("$SECPROF" eval "$profile" $call | head -n 1)
			is "$got" "$prof" "$label: explain DUMP $call: the profile's verdict ($prof)"
		fi
	done
	if [[ -n $opt ]]; then
		# libseccomp lays the program out its own way, so the bytes
		# differ; the verdicts may not (arguments 0): every 10th x86_64
		# number and the ones Docker's default decides by capability.
		# Left out: the calls newer than the daemon's libseccomp 2.5.4
		# (uretprobe 335, statmount 457, listmount 458, lsm_* 459-461),
		# which runc skips and secprof knows (tests/compat/README.md).
		"$SECPROF" compile "$profile" --exact-libseccomp -o "$dk/compiled.bpf"
		diag "runc's filter: $(( $(stat -c %s "$dk/dump.bpf") / 8 )) instructions, secprof's: $(( $(stat -c %s "$dk/compiled.bpf") / 8 ))"
		bad=
		for nr in $(seq 0 10 330) $(seq 340 10 450) 101 139 155 161 163 165 166 167 169 170 172 173 175 176 212 246 250 \
			272 298 304 308 310 311 312 313 320 321 323 425 435 436 439 440 441 442 443 444 445 446 447 448 449 450; do
			a=$("$SECPROF" eval "$dk/dump.bpf" "$nr" --arch amd64 | head -n 1)
			b=$("$SECPROF" eval "$dk/compiled.bpf" "$nr" --arch amd64 | head -n 1)
			[[ $a == "$b" ]] || bad+=" $nr($a/$b)"
		done
		is "$bad" "" "$label: runc's filter and secprof compile's give the same verdicts (x86_64, 46 + 45 numbers)"
	fi
	docker_ rm -f "$cid" >/dev/null 2>&1
done

# The built-in profile is Docker's current default held to this daemon's
# own (data/default-floor.tsv): for the default capabilities and each
# --cap-add that a rule of either default turns on, secprof's filter
# allows nothing the filter runc loaded denies, on every arch of both,
# every region of every argument (diff --subset). Before the floor the
# current default let process_vm_readv, name_to_handle_at, pkey_* and
# cachestat .. futex_requeue through where this Docker denies them.
for cap in "" SYS_PTRACE SYS_ADMIN SYS_NICE SYS_TIME DAC_READ_SEARCH; do
	label="builtin${cap:+ --cap-add $cap}"
	cid=$(timeout 120 "$DOCKER" -H "unix://$dk/sock" run -d ${cap:+--cap-add "$cap"} "$image" sleep 60 2>"$dk/run.err")
	pid=$(docker_ inspect -f '{{.State.Pid}}' "$cid" 2>/dev/null)
	if [[ -z $pid || $pid == 0 ]]; then
		ok 1 "$label: docker run started ($(tail -n 1 "$dk/run.err"))"
		continue
	fi
	"$SECPROF" dump "$pid" -o "$dk/dump.bpf" &&
		"$SECPROF" -q compile builtin ${cap:+--cap-add "$cap"} -o "$dk/builtin.bpf"
	out=$("$SECPROF" diff --subset "$dk/builtin.bpf" "$dk/dump.bpf" 2>&1); rc=$?
	is "$rc" 0 "$label: allows nothing Docker's own default denies"
	((rc == 0)) || diag "$("$SECPROF" diff "$dk/builtin.bpf" "$dk/dump.bpf" 2>&1 | grep -v '^  ' | head -n 20)"
	docker_ rm -f "$cid" >/dev/null 2>&1
done
done_testing
