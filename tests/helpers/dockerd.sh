# dockerd.sh - sourced by suites that compare with real Docker: a private
# dockerd (Debian's docker.io) on its own socket, data root and exec root,
# vfs storage, no iptables or bridge, started by dockerd_start and stopped
# (with everything it made) by dockerd_stop. The same set-up as
# docker-compare.sh's. Sets DK (its directory) and DOCKER_OK=1 when it runs.
DOCKERD=$(command -v dockerd)
DOCKER=/usr/bin/docker
DK= DOCKER_OK= dockerd_pid= dockerd_why=

docker_() { "$DOCKER" -H "unix://$DK/sock" "$@"; }

dockerd_start() {
	[[ -n $DOCKERD && -x $DOCKER ]] || { dockerd_why="docker.io not installed"; return 1; }
	DK=$(mktemp -d /tmp/secprof-dockerd.XXXXXX)
	local ns=secprof-rec-$$
	"$DOCKERD" --data-root "$DK/data" --exec-root "$DK/exec" --pidfile "$DK/dockerd.pid" \
		-H "unix://$DK/sock" --storage-driver=vfs --iptables=false --ip6tables=false \
		--ip-masq=false --ip-forward=false --bridge=none --userland-proxy=false \
		--containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
		>"$DK/dockerd.log" 2>&1 &
	dockerd_pid=$!
	for _ in $(seq 300); do
		docker_ version >/dev/null 2>&1 && { DOCKER_OK=1; return 0; }
		kill -0 "$dockerd_pid" 2>/dev/null || break
		sleep 0.1
	done
	dockerd_why="dockerd did not start: $(grep -v '^$' "$DK/dockerd.log" | tail -n 1)"
	return 1
}

dockerd_stop() {
	local cpid
	[[ -n $DK ]] || return 0
	if [[ -n $dockerd_pid ]]; then
		docker_ ps -aq 2>/dev/null | xargs -r "$DOCKER" -H "unix://$DK/sock" rm -f >/dev/null 2>&1
		kill -TERM "$dockerd_pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid" 2>/dev/null
	fi
	cpid=$(cat "$DK/exec/containerd/containerd.pid" 2>/dev/null)
	[[ -n $cpid ]] && kill -TERM "$cpid" 2>/dev/null
	grep -o " $DK[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$DK"
}
