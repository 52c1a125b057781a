#!/usr/bin/env bash
# image-startup.sh [BUILD] - start-up time of one image, three ways, in the
# same run: `secprof run --image ARCHIVE` (layers already in its cache),
# `docker run --rm IMAGE` and `podman run --rm IMAGE`, each running
# /bin/true with --network none. Prints each median and the ratios.
#
# The image is the Debian root filesystem of the tests
# (tools/make-rootfs.sh), imported into a dockerd started here (its own
# socket and data root, overlay2, no iptables or bridge) and saved with
# `docker save`; podman loads that archive into its own private storage.
# Nothing is pulled. Uses hyperfine (tools/install-deps.sh).
set -u
build=$(cd "${1:-${BUILD:-build}}" && pwd)
runs=${RUNS:-30}
secprof=$build/secprof
here=$(cd "$(dirname "$0")" && pwd)
[[ $(id -u) == 0 ]] || { echo "image-startup: needs root" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "image-startup: hyperfine not installed" >&2; exit 1; }
rootfs=$("$here/../tools/make-rootfs.sh") || { echo "image-startup: no root filesystem" >&2; exit 1; }

dk=$(mktemp -d /var/tmp/secprof-bench.XXXXXX)
ns=secprof-bench-$$
image=secprof-bench:$$
dockerd_pid=
docker_() { docker -H "unix://$dk/sock" "$@"; }
podman_() {
	podman --root "$dk/podroot" --runroot "$dk/podrun" --events-backend file "$@"
}
cleanup() {
	podman_ rm -a -f >/dev/null 2>&1
	podman_ rmi -a -f >/dev/null 2>&1
	if [[ -n $dockerd_pid ]]; then
		docker_ ps -aq 2>/dev/null | xargs -r docker -H "unix://$dk/sock" rm -f >/dev/null 2>&1
		kill -TERM "$dockerd_pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid" 2>/dev/null
	fi
	cpid=$(cat "$dk/exec/containerd/containerd.pid" 2>/dev/null)
	[[ -n $cpid ]] && kill -TERM "$cpid" 2>/dev/null
	grep -o " $dk[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$dk"
}
trap cleanup EXIT

start_dockerd() { # storage driver
	dockerd --data-root "$dk/data" --exec-root "$dk/exec" --pidfile "$dk/dockerd.pid" \
		-H "unix://$dk/sock" --storage-driver="$1" --iptables=false --ip6tables=false \
		--ip-masq=false --ip-forward=false --bridge=none --userland-proxy=false \
		--containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
		>"$dk/dockerd.log" 2>&1 &
	dockerd_pid=$!
	for _ in $(seq 300); do
		docker_ version >/dev/null 2>&1 && return 0
		kill -0 "$dockerd_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
start_dockerd overlay2 || { echo "image-startup: dockerd did not start: $(tail -n 1 "$dk/dockerd.log")" >&2; exit 1; }
driver=$(docker_ info --format '{{.Driver}}')
tar -C "$rootfs" -c . | docker_ import - "$image" >/dev/null || exit 1
docker_ save -o "$dk/image.tar" "$image" || exit 1
podman_ load -q -i "$dk/image.tar" >/dev/null || exit 1

ours=("$secprof" run --cache "$dk/cache" --network none --image "$dk/image.tar" -- /bin/true)
theirs=(docker -H "unix://$dk/sock" run --rm --network none "$image" /bin/true)
pod=(podman --root "$dk/podroot" --runroot "$dk/podrun" --events-backend file run --rm --network none
     --runtime runc --cgroup-manager cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
     "localhost/$image" /bin/true)
# Each once, untimed: the cache filled, every image in place.
for c in ours theirs pod; do
	declare -n cmd=$c
	"${cmd[@]}" || { echo "image-startup: ${cmd[*]} failed" >&2; exit 1; }
done
echo "image-startup: dockerd storage driver $driver, podman $(podman --version | awk '{print $3}'), $runs runs each" >&2
hyperfine -N --warmup 3 --runs "$runs" --export-json "$dk/out.json" \
	-n secprof "${ours[*]}" -n docker "${theirs[*]}" -n podman "${pod[*]}" >&2
python3 - "$dk/out.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1e3 for x in json.load(open(sys.argv[1]))["results"]}
s, d, p = r["secprof"], r["docker"], r["podman"]
print(f"median start-up (run /bin/true, cached image): secprof run --image {s:.1f} ms, "
      f"docker run {d:.1f} ms ({d / s:.1f}x), podman run {p:.1f} ms ({p / s:.1f}x)")
PY
