#!/usr/bin/env bash
# docker-compare.sh - the sandbox of `secprof run --rootfs` against real
# Docker: one probe script (inherited fds, stdio, mknod + open of host devices,
# capability sets and securebits, umask and OOM score, new namespaces,
# writes under /sys, masked and read-only paths) runs under `docker run`
# and under `secprof run` with the same options and the same seccomp
# profile, from the same Debian root filesystem, and the outputs must be
# equal line for line. The only lines allowed to differ are listed in
# `stricter` below: there secprof is the stricter one, and says why.
#
# The suite starts its own dockerd (Debian's docker.io) on a private
# socket, data root and exec root, with the vfs storage driver and no
# iptables or bridge, imports the root filesystem as the image (nothing is
# pulled), and stops it and removes everything on exit.
source "$TESTS/lib.sh"
source "$TESTS/helpers/rootfs.sh"
source "$TESTS/helpers/dockerd.sh"
[[ -n $DOCKERD && -x $DOCKER ]] || {
	echo "1..0 # SKIP docker.io not installed (tools/install-deps.sh)"
	exit 0
}
rootfs_setup

# A user for the --user rows below: uid 1500, primary group staff (50),
# listed as a member of staff and users (100); root is a member of users.
echo "grp:x:1500:50::/home/grp:/bin/sh" >>"$ROOT/etc/passwd"
sed -i 's/^staff:x:50:.*/staff:x:50:grp/; s/^users:x:100:.*/users:x:100:grp,root/' "$ROOT/etc/group"

ns=secprof-cmp-$$
image=secprof-probe:$$
cleanup_all() { dockerd_stop; rootfs_cleanup; }
trap cleanup_all EXIT
dockerd_start "$ns"
diag "$(docker_ version --format 'docker {{.Server.Version}}, runc {{range .Server.Components}}{{if eq .Name "runc"}}{{.Version}}{{end}}{{end}}')"
if ! tar -C "$ROOT" -c . | docker_ import - "$image" >"$dk/import.log" 2>&1; then
	ok 1 "docker import of the root filesystem: $(tail -n 1 "$dk/import.log")"
	done_testing
	exit 1
fi

# The probe. Every line is "what: result"; results name the errno text
# (the part after the last ": " of the shell's message) or ok/refused.
probe=$(cat <<'EOF'
l=; for n in $(seq 0 300); do [ -L /proc/self/fd/$n ] && l="$l $n"; done; echo "fds:$l"
# stdio: what the container was given, never the caller's own.
for n in 0 1 2; do t=$(readlink /proc/self/fd/$n); echo "fd $n: ${t%%:*}"; done
{ [ -t 0 ] || [ -t 1 ] || [ -t 2 ]; } && echo "stdio terminal: yes" || echo "stdio terminal: no"
[ -e /dev/console ] && echo "/dev/console: present" || echo "/dev/console: absent"
for d in "tty0 c 4 0" "mem c 1 1" "kmsg c 1 11" "loop-control c 10 237" "cpu_dma_latency c 10 62" \
	"fuse c 10 229" "loop0 b 7 0" "vda b 253 0" "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" \
	"urandom c 1 9" "tty c 5 0" "console c 5 1" "ptmx c 5 2" "pts c 136 0" "tun c 10 200"; do
	set -- $d; rm -f /tmp/node
	r=$(mknod /tmp/node $2 $3 $4 2>&1) || { echo "mknod $1: ${r##*: }"; continue; }
	r=$( (exec 3</tmp/node) 2>&1) && echo "open $1: ok" || echo "open $1: ${r##*: }"
done
# Capabilities, no_new_privs, the seccomp mode and the resource limits.
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr '\t' ' '
ulimit -a | sed 's/  */ /g'
# What /proc/self/status leaves out (setpriv: the securebits, the inheritable
# and ambient sets as names), and what runc's init sets or the caller must
# not hand down: umask, OOM score, personality, nice.
setpriv --dump | grep -E '^(Securebits|Inheritable|Ambient|no_new_privs|Parent death)'
echo "umask $(umask), oom_score_adj $(cat /proc/self/oom_score_adj), personality $(cat /proc/self/personality), nice $(nice)"
# New namespaces of each kind (unshare -U: a user namespace, which the
# default profile refuses without CAP_SYS_ADMIN), and a mount.
for n in -U -m -n -i -u -p -C -T; do
	r=$(unshare $n true 2>&1) && echo "unshare $n: ok" || echo "unshare $n: ${r##*: }"
done
r=$(mount -t tmpfs none /mnt 2>&1) && echo "mount tmpfs: ok" || echo "mount tmpfs: refused"
# The /dev nodes are the container's own (a chmod changes only them).
echo "chmod /dev/full: $(chmod 0600 /dev/full 2>&1 && stat -c %a /dev/full)"
echo "/dev mounts: $(awk '$5 ~ /^\/dev\// { print $5 }' /proc/self/mountinfo | grep -vx /dev/console | sort | tr '\n' ' ')"
echo "writable mounts under /sys:$(awk '$5 ~ /^\/sys(\/|$)/ && $6 !~ /^ro/ { printf " %s", $5 }' /proc/self/mountinfo)"
for f in /sys/class/net/lo/mtu /sys/kernel/mm/ksm/run /sys/fs/cgroup/pids/cgroup.clone_children \
	/sys/fs/cgroup/devices/cgroup.clone_children /sys/kernel/tracing/tracing_on /sys/kernel/uevent_helper; do
	# Writes back what is there: nothing changes even where one succeeds.
	v=$(cat "$f" 2>/dev/null)
	if (printf '%s\n' "$v" >"$f") 2>/dev/null; then echo "write $f: ok"; else echo "write $f: refused"; fi
done
for p in /proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats \
	/proc/sched_debug /proc/scsi /proc/timer_list /proc/timer_stats /sys/devices/virtual/powercap \
	/sys/firmware /sys/devices/system/cpu/cpu*/thermal_throttle; do
	if [ ! -e "$p" ]; then s=absent
	elif [ -d "$p" ]; then [ -z "$(ls -A "$p")" ] && s=masked || s=visible
	else [ "$(head -c 1 "$p" 2>/dev/null | wc -c)" = 0 ] && s=masked || s=visible; fi
	echo "mask $p: $s"
done
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
	echo "read-only $p: $(awk -v p="$p" '$5 == p { split($6, o, ","); r = o[1] } END { print r ? r : "not a mount" }' /proc/self/mountinfo)"
done
EOF
)

# Lines where secprof may differ, as "docker's line => secprof's line":
# Debian's docker.io 20.10 predates moby's masking of /proc/interrupts and
# cpu*/thermal_throttle (GHSA-6fw5-f8r9-fgfm) and of powercap
# (GHSA-jq35-85cj-fj4p); secprof masks what current moby masks.
stricter=()
for p in /proc/interrupts /sys/devices/virtual/powercap /sys/devices/system/cpu/cpu*/thermal_throttle; do
	stricter+=("mask $p: visible => mask $p: masked")
done
# Docker (runc's cgroup v1 mount) puts the hierarchies, read-only, on a
# tmpfs at /sys/fs/cgroup that itself stays writable (a private tmpfs, no
# host file); secprof mounts no cgroup tree, so nothing under /sys is
# writable and the cgroup files are missing instead of read-only: writes to
# them are refused on both sides.
stricter+=("writable mounts under /sys: /sys/fs/cgroup => writable mounts under /sys:")

profile=${REF:-/nonexistent}/moby-default.json
[[ -f $profile ]] || profile=$TESTS/data/run-chown-audit-control.json

# secprof's side of compare: the root filesystem, or (images below) --image.
ours_root=(--rootfs "$ROOT")
compare() { # NAME secprof/docker options...
	local name=$1; shift
	local ours theirs rc_ours rc_theirs
	# The caller's fds that must never reach either container.
	exec 7</etc/shadow 9</
	ours=$(timeout 60 "$SECPROF" run "${ours_root[@]}" "$@" --security-opt "seccomp=$profile" -- sh -c "$probe" 2>&1)
	rc_ours=$?
	theirs=$(timeout 120 "$DOCKER" -H "unix://$dk/sock" run --rm "$@" --security-opt "seccomp=$profile" \
		"$image" sh -c "$probe" 2>&1 </dev/null)
	rc_theirs=$?
	theirs=$(docker_drop_host_warnings <<<"$theirs")
	exec 7<&- 9<&-
	is "$rc_ours" "$rc_theirs" "$name: same exit status ($rc_ours)"
	local -a a b
	mapfile -t a <<<"$theirs"
	mapfile -t b <<<"$ours"
	local i bad=0 allowed=0 lines=$(( ${#a[@]} > ${#b[@]} ? ${#a[@]} : ${#b[@]} ))
	for ((i = 0; i < lines; i++)); do
		[[ ${a[i]-} == "${b[i]-}" ]] && continue
		local pair="${a[i]-} => ${b[i]-}" s known=0
		for s in "${stricter[@]}"; do [[ $pair == "$s" ]] && known=1; done
		if ((known)); then
			allowed=$((allowed + 1))
			diag "$name: secprof stricter: docker '${a[i]-}', secprof '${b[i]-}'"
		else
			bad=$((bad + 1))
			diag "$name: docker '${a[i]-}', secprof '${b[i]-}'"
		fi
	done
	((bad == 0 && ${#a[@]} > 20))
	ok $? "$name: the same ${#a[@]} probe lines as docker run ($allowed where secprof is stricter)"
	if ((bad)); then
		diag "docker:"; diag "$theirs"
	fi
}

compare "--network none" --network none
compare "--network host" --network host
compare "--network none --cap-drop MKNOD" --network none --cap-drop MKNOD
compare "--network host --read-only" --network host --read-only
# Capabilities given and taken, a user other than root (who keeps none of
# them across execve, only the bounding set), no-new-privileges.
compare "--cap-drop ALL --cap-add CHOWN" --network none --cap-drop ALL --cap-add CHOWN
compare "--cap-add SYS_ADMIN -u 1500" --network none --cap-add SYS_ADMIN -u 1500
compare "no-new-privileges" --network none --security-opt no-new-privileges

# A profile answering prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) with EINVAL:
# runc loads the filter before it cuts the bounding set and ignores
# EINVAL there, so Docker's root command gets CAP_SYS_ADMIN back at
# execve; secprof cuts the set before the filter loads (docs/COMPAT.md §9
# item 30). Pinned on both sides, so a Docker that changes shows up here.
printf '%s\n' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":24,"op":"SCMP_CMP_EQ"},{"index":1,"value":21,"op":"SCMP_CMP_EQ"}]}]}' >"$dk/capdrop.json"
theirs=$("$DOCKER" -H "unix://$dk/sock" run --rm --network none --security-opt "seccomp=$dk/capdrop.json" \
	"$image" grep ^CapEff /proc/self/status 2>&1 </dev/null)
ours=$(timeout 60 "$SECPROF" run --rootfs "$ROOT" --network none --security-opt "seccomp=$dk/capdrop.json" \
	-- grep ^CapEff /proc/self/status 2>&1)
is "docker $theirs, secprof $ours" "docker CapEff:	00000000a82425fb, secprof CapEff:	00000000a80425fb" \
	"PR_CAPBSET_DROP answered EINVAL by the profile: Docker keeps CAP_SYS_ADMIN, secprof does not"

# The user and its supplementary groups (docs/COMPAT.md §3.5): the primary
# gid first, member groups only without an explicit group, root's own
# groups without --user.
ids='grep -E "^(Uid|Gid|Groups)" /proc/self/status; id'
for u in "" "-u grp" "-u grp:users" "-u grp:50" "-u 1500" "-u 1600" "-u 1600:7" "-u 0:0"; do
	theirs=$("$DOCKER" -H "unix://$dk/sock" run --rm --network none $u "$image" sh -c "$ids" 2>&1 </dev/null)
	ours=$(timeout 60 "$SECPROF" run --rootfs "$ROOT" --network none $u -- sh -c "$ids" 2>&1)
	is "$ours" "$theirs" "user '${u:-(none)}': uid, gid and supplementary groups as docker run"
done

# ---- images: `docker save` archives and OCI layouts (secprof run --image) ----
# The imported root filesystem, and an image Docker builds on it: layers
# that delete files (whiteouts) and a config with Entrypoint, Cmd, Env,
# WorkingDir and User. secprof reads what `docker save` wrote (and what
# podman converts it to, for OCI layouts) and must start the same command
# in the same environment.
cache=$dk/cache
built=secprof-built:$$
mkdir -p "$dk/ctx"
cat >"$dk/ctx/Dockerfile" <<DOCKERFILE
FROM $image
RUN rm -rf /usr/share/doc /etc/motd && mkdir -p /opq/sub && touch /opq/a /opq/sub/b
RUN rm -rf /opq/sub /opq/a && touch /opq/c && useradd -u 1234 -m app
ENV GREETING=hello PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /srv/app
USER app
ENTRYPOINT ["sh", "-c"]
CMD ["echo \$GREETING; pwd; id; ls -a /opq; ls /usr/share/doc 2>&1 | head -n 1; cat /etc/motd 2>&1; echo \$HOME"]
DOCKERFILE
if ! DOCKER_BUILDKIT=0 docker_ build -q --network none -t "$built" "$dk/ctx" >"$dk/build.log" 2>&1; then
	diag "$(tail -n 5 "$dk/build.log")"
	ok 1 "docker build of the test image"
fi
docker_ save -o "$dk/base.tar" "$image"; ok $? "docker save of the imported image"
docker_ save -o "$dk/built.tar" "$built"; ok $? "docker save of the built image"

same() { # NAME secprof-run-args... === docker-run-args...
	local name=$1; shift
	local -a mine=() theirs=()
	while [[ $1 != === ]]; do mine+=("$1"); shift; done; shift
	theirs=("$@")
	local a b ra rb
	a=$(timeout 120 "$SECPROF" run --cache "$cache" "${mine[@]}" 2>&1); ra=$?
	b=$(timeout 120 "$DOCKER" -H "unix://$dk/sock" run --rm "${theirs[@]}" 2>&1 </dev/null); rb=$?
	b=$(docker_drop_host_warnings <<<"$b")
	is "$ra:$a" "$rb:$b" "$name"
}
same "cat /etc/os-release: docker save archive vs docker run" \
	--image "$dk/base.tar" -- cat /etc/os-release === "$image" cat /etc/os-release
ls "$cache" | grep -qE '^[0-9a-f]{64}\.v2$'; ok $? "the layer is cached under its diff_id"
same "the image's Entrypoint, Cmd, Env, WorkingDir, User; whiteouts of later layers" \
	-h h13a --image "$dk/built.tar" === -h h13a "$built"
# Sorted: this dockerd does not keep one order for -e values across runs.
same "the environment (PATH from the image, HOSTNAME, HOME, -e over the image's)" \
	-h h13a -e GREETING=over -e NEW=1 --entrypoint sh --image "$dk/built.tar" -- -c 'env | sort' === \
	-h h13a -e GREETING=over -e NEW=1 --entrypoint sh "$built" -c 'env | sort'
same "CMD given on the command line replaces the image's Cmd, keeps its Entrypoint" \
	--image "$dk/built.tar" -- 'echo args; id -un' === "$built" 'echo args; id -un'
same "--entrypoint '' clears the image's entrypoint" \
	--entrypoint '' --image "$dk/built.tar" -- pwd === --entrypoint '' "$built" pwd
same "-u and -w override the image's User and WorkingDir" \
	-u 0 -w /tmp/w --image "$dk/built.tar" -- pwd === -u 0 -w /tmp/w "$built" pwd
same "-t: TERM=xterm in the environment" \
	-t --entrypoint sh --image "$dk/built.tar" -- -c 'echo $TERM' === -t --entrypoint sh "$built" -c 'echo $TERM'
same "a read-only volume" \
	-v "$dk/ctx:/ctx:ro" --entrypoint sh --image "$dk/built.tar" -- -c 'head -n 1 /ctx/Dockerfile; touch /ctx/x 2>&1' === \
	-v "$dk/ctx:/ctx:ro" --entrypoint sh "$built" -c 'head -n 1 /ctx/Dockerfile; touch /ctx/x 2>&1'
same "--tmpfs options as Docker mounts them" \
	--tmpfs /tt:size=1m --image "$dk/base.tar" -- sh -c 'grep " /tt " /proc/mounts | cut -d" " -f3,4' === \
	--tmpfs /tt:size=1m "$image" sh -c 'grep " /tt " /proc/mounts | cut -d" " -f3,4'

# The probe of the sandbox (masks, /sys, devices, fds) with --image, whose
# root is the image's layers under an overlay.
ours_root=(--image "$dk/base.tar" --cache "$cache")
compare "--image, --network none" --network none
ours_root=(--rootfs "$ROOT")

# A cold cache filled by two runs at once: each unpacks to its own
# temporary directory and renames it into place; both succeed.
cold=$dk/cold
"$SECPROF" run --cache "$cold" --image "$dk/built.tar" -- 'ls /opq' >"$dk/c1" 2>&1 & p1=$!
"$SECPROF" run --cache "$cold" --image "$dk/built.tar" -- 'ls /opq' >"$dk/c2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
is "$r1:$r2:$(cat "$dk/c1"):$(cat "$dk/c2")" "0:0:c:c" "two runs filling a cold cache at once"
is "$(ls -A "$cold" | grep -vcE '^[0-9a-f]{64}\.v2$')" 0 "... leave only complete layers (no temporary directory)"

# OCI layouts: the same image as podman writes it (oci-archive, oci-dir),
# podman's storage private to the test.
PODMAN=$(command -v podman)
if [[ -n $PODMAN ]]; then
	pm() { "$PODMAN" --root "$dk/podroot" --runroot "$dk/podrun" --storage-driver vfs --events-backend file "$@"; }
	if pm load -q -i "$dk/built.tar" >"$dk/pm.log" 2>&1 &&
		pm save -q --format oci-archive -o "$dk/built.oci.tar" "localhost/$built" >>"$dk/pm.log" 2>&1 &&
		pm save -q --format oci-dir -o "$dk/built.oci" "localhost/$built" >>"$dk/pm.log" 2>&1; then
		want=$(timeout 60 "$DOCKER" -H "unix://$dk/sock" run --rm -h h13a "$built" 2>&1 | docker_drop_host_warnings)
		is "$("$SECPROF" run --cache "$dk/ocicache" -h h13a --image "oci:$dk/built.oci.tar" 2>&1)" "$want" \
			"an OCI archive (podman save --format oci-archive) runs as docker runs the image"
		is "$("$SECPROF" run --cache "$dk/ocicache" -h h13a --image "oci:$dk/built.oci" 2>&1)" "$want" \
			"an OCI layout directory (podman save --format oci-dir)"
		pm rmi -a -f >/dev/null 2>&1
	else
		diag "$(tail -n 3 "$dk/pm.log")"
		skip "OCI archive" "podman could not convert the image"; skip "OCI directory"
	fi
else
	skip "OCI layouts" "podman not installed (tools/install-deps.sh)"
fi

"$SECPROF" run --image "$dk/nonexistent.tar" -- true 2>"$dk/err"
is "$?:$(cat "$dk/err")" "125:secprof: --image $dk/nonexistent.tar: no such file or directory (secprof pulls nothing: give a docker save archive or an OCI layout, oci:DIR[:TAG])" \
	"a missing image: 125 and what --image takes"

done_testing
