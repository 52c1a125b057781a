#!/usr/bin/env bash
# image-startup.sh [BUILD] - start-up time of one image, three ways, in the
# same run: `secprof run --image ARCHIVE` (layers already in its cache),
# `docker run --rm IMAGE` and `podman run --rm IMAGE`, each running
# /bin/true with --network none. Prints each median and the ratios.
#
# The image is the Debian root filesystem of the tests
# (tools/make-rootfs.sh), imported into a dockerd started here by
# tests/helpers/dockerd.sh (its own socket and data root, overlay2 as on a
# real host, no iptables or bridge) and saved with
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

# shellcheck source=../tests/helpers/dockerd.sh
DOCKERD_SOFT=1 DOCKERD_STORAGE=overlay2 DOCKERD_TMP=/var/tmp
source "$here/../tests/helpers/dockerd.sh"
image=secprof-bench:$$
pod_dir=$(mktemp -d /var/tmp/secprof-bench-podman.XXXXXX)
podman_() {
	podman --root "$pod_dir/root" --runroot "$pod_dir/run" --events-backend file "$@"
}
cleanup() {
	podman_ rm -a -f >/dev/null 2>&1
	podman_ rmi -a -f >/dev/null 2>&1
	grep -o " $pod_dir[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$pod_dir"
	dockerd_stop
}
trap cleanup EXIT
dockerd_start "secprof-bench-$$" || { echo "image-startup: $dockerd_why" >&2; exit 1; }
driver=$(docker_ info --format '{{.Driver}}')
tar -C "$rootfs" -c . | docker_ import - "$image" >/dev/null || exit 1
docker_ save -o "$pod_dir/image.tar" "$image" || exit 1
podman_ load -q -i "$pod_dir/image.tar" >/dev/null || exit 1

ours=("$secprof" run --cache "$pod_dir/cache" --network none --image "$pod_dir/image.tar" -- /bin/true)
theirs=(docker -H "unix://$dk/sock" run --rm --network none "$image" /bin/true)
pod=(podman --root "$pod_dir/root" --runroot "$pod_dir/run" --events-backend file run --rm --network none
     --runtime runc --cgroup-manager cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
     "localhost/$image" /bin/true)
# Each once, untimed: the cache filled, every image in place.
for c in ours theirs pod; do
	declare -n cmd=$c
	"${cmd[@]}" || { echo "image-startup: ${cmd[*]} failed" >&2; exit 1; }
done
echo "image-startup: dockerd storage driver $driver, podman $(podman --version | awk '{print $3}'), $runs runs each" >&2
hyperfine -N --warmup 3 --runs "$runs" --export-json "$pod_dir/out.json" \
	-n secprof "${ours[*]}" -n docker "${theirs[*]}" -n podman "${pod[*]}" >&2
python3 - "$pod_dir/out.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1e3 for x in json.load(open(sys.argv[1]))["results"]}
s, d, p = r["secprof"], r["docker"], r["podman"]
print(f"median start-up (run /bin/true, cached image): secprof run --image {s:.1f} ms, "
      f"docker run {d:.1f} ms ({d / s:.1f}x), podman run {p:.1f} ms ({p / s:.1f}x)")
PY
