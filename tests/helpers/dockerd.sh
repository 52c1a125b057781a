# dockerd.sh - sourced by suites that need real Docker: a private dockerd
# (Debian's docker.io) on its own socket, data root and exec root, with the
# vfs storage driver and no iptables or bridge, started by dockerd_start and
# stopped (containers, containerd, mounts and files removed) by
# dockerd_stop; used by docker-compare.sh and dump-docker.sh.
# dockerd_start sets dk (its directory); docker_ runs the client on it.
# Exits the suite with a SKIP when docker.io is missing or will not start;
# with DOCKERD_SOFT=1 it returns 1 instead, the reason in dockerd_why (for a
# suite that has run tests before). After a start DK=$dk and DOCKER_OK=1.
# DOCKERD_STORAGE picks another storage driver (bench/image-startup.sh times
# overlay2, what a real host runs; vfs copies each layer) and DOCKERD_TMP
# the directory the private one is made in (default /tmp).
DOCKERD=$(command -v dockerd)
DOCKER=/usr/bin/docker # docker.io's client, the one tools/install-deps.sh installs
dockerd_pid=
dk=
DK= DOCKER_OK= dockerd_why=

docker_() { "$DOCKER" -H "unix://$dk/sock" "$@"; }

# docker run's own warning when the host does not forward IPv4
# (net.ipv4.ip_forward = 0; the private dockerd runs with --ip-forward=false
# so as not to change it): it says nothing about the container, so it is
# taken out of captured output before comparing. Reads stdin.
docker_drop_host_warnings() {
	sed '/^WARNING: IPv4 forwarding is disabled\. Networking will not work\.$/d'
}

dockerd_stop() {
	local cpid
	[[ -n $dk ]] || return 0
	if [[ -n $dockerd_pid ]]; then
		docker_ ps -aq 2>/dev/null | xargs -r "$DOCKER" -H "unix://$dk/sock" rm -f >/dev/null 2>&1
		kill -TERM "$dockerd_pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid" 2>/dev/null
	fi
	cpid=$(cat "$dk/exec/containerd/containerd.pid" 2>/dev/null)
	[[ -n $cpid ]] && kill -TERM "$cpid" 2>/dev/null
	grep -o " $dk[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$dk"
	dk=
}

dockerd_start() { # NAMESPACE
	local ns=$1
	if [[ -z $DOCKERD || ! -x $DOCKER ]]; then
		dockerd_why="docker.io not installed (tools/install-deps.sh)"
		[[ -n ${DOCKERD_SOFT:-} ]] && return 1
		echo "1..0 # SKIP $dockerd_why"; exit 0
	fi
	dk=$(mktemp -d "${DOCKERD_TMP:-/tmp}/secprof-dockerd.XXXXXX")
	"$DOCKERD" --data-root "$dk/data" --exec-root "$dk/exec" --pidfile "$dk/dockerd.pid" \
		-H "unix://$dk/sock" --storage-driver="${DOCKERD_STORAGE:-vfs}" --iptables=false --ip6tables=false \
		--ip-masq=false --ip-forward=false --bridge=none --userland-proxy=false \
		--containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
		>"$dk/dockerd.log" 2>&1 &
	dockerd_pid=$!
	for _ in $(seq 300); do
		docker_ version >/dev/null 2>&1 && break
		kill -0 "$dockerd_pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! docker_ version >/dev/null 2>&1; then
		dockerd_why="dockerd did not start: $(grep -v '^$' "$dk/dockerd.log" | tail -n 1)"
		dockerd_stop
		[[ -n ${DOCKERD_SOFT:-} ]] && return 1
		echo "1..0 # SKIP $dockerd_why"
		exit 0
	fi
	DK=$dk DOCKER_OK=1
}
