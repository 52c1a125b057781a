#!/usr/bin/env bash
# runtimes.sh [BUILD] - container start-up against the runtimes: `secprof
# run --rootfs` against runc (what Docker runs), crun (what Podman runs on
# Debian) and bubblewrap, each starting /bin/true on tools/make-rootfs.sh's
# root with Docker's default profile and capabilities, in the same
# interleaved rounds (each round runs every command once, in a new random
# order; posix_spawn, then wait4). Prints the median wall time and the
# child's CPU time (user + system of the whole tree) of each, and the
# ratios. ROUNDS (default 60) sets the rounds.
#
# What each one loads: runc and crun get the profile as linux.seccomp of an
# OCI bundle (`secprof resolve builtin`), as Docker and Podman hand it to
# them, and compile it with libseccomp at every start; bubblewrap loads
# the program `secprof export --format bwrap` wrote once, as a caller of
# bwrap does; secprof run is timed with its filter cache and without it
# (--no-filter-cache: compiled at every start, as runc does).
#
# Every command runs in a mount namespace of its own whose /sys/fs/cgroup is
# a cgroup2 mount alone, as on a Debian 12 install: crun refuses a hybrid
# hierarchy (this bench machine's), and all of them then see the same one.
# Where crun cannot run with its cgroups (it raises RLIMIT_MEMLOCK for its
# device program, which needs CAP_SYS_RESOURCE), it runs with
# --cgroup-manager=disabled, and the row says so: it then sets up no cgroup
# and no device rules, less than the others do.
set -u
build=$(cd "${1:-${BUILD:-build}}" && pwd)
rounds=${ROUNDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
secprof=$build/secprof
static=$build/secprof-static
say() { echo "runtimes: $*" >&2; }
[[ $(id -u) == 0 ]] || { say "needs root"; exit 1; }
[[ -x $secprof ]] || { say "$secprof not built"; exit 1; }
command -v python3 >/dev/null || { say "python3 not installed"; exit 1; }
rootfs=$("$here/../tools/make-rootfs.sh") || { say "no root filesystem (tools/make-rootfs.sh)"; exit 1; }
tmp=$(mktemp -d /var/tmp/secprof-runtimes.XXXXXX)
# runc's and crun's state directories in /run, where Docker and Podman keep
# them (/run/docker/runtime-runc, /run/crun; a tmpfs on a Debian install)
state=$(mktemp -d /run/secprof-runtimes.XXXXXX)
trap 'rm -rf "$tmp" "$state"' EXIT

# Docker's default bounding set, as `secprof run` gives it (CapBnd)
caps=$("$secprof" run --security-opt seccomp=unconfined -- cat /proc/self/status |
	sed -n 's/^CapBnd:\t//p')
# bwrap keeps every capability of a root caller unless told: the same set
# as the others, by name (oci-config.py's table)
bwcaps=$(python3 - "$here/../tests/helpers/oci-config.py" "$caps" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("oci_config", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mask = int(sys.argv[2], 16)
print(" ".join("--cap-add " + n for i, n in enumerate(mod.CAP_NAMES) if mask >> i & 1))
PY
) || exit 1
"$secprof" -q resolve builtin >"$tmp/seccomp.json" || exit 1
"$secprof" -q export builtin --format bwrap -o "$tmp/bwrap.bpf" || exit 1
have_bundle=0
if command -v runc >/dev/null || command -v crun >/dev/null; then
	mkdir -p "$tmp/bundle"
	# `runc spec` (or crun's) writes the template; oci-config.py makes it
	# the container Docker would ask for (tests use the same helper)
	(cd "$tmp/bundle" && { runc spec 2>/dev/null || crun spec; }) &&
		python3 "$here/../tests/helpers/oci-config.py" "$tmp/bundle/config.json" \
			--root "$rootfs" --caps "$caps" --seccomp "$tmp/seccomp.json" -- /bin/true &&
		have_bundle=1
fi

# The rounds, inside the mount namespace (the script's own shell stays
# outside): python3 spawns every command directly, so no shell is timed.
unshare -m --propagation private bash -s "$tmp" "$rootfs" "$secprof" "$static" "$rounds" \
	"$have_bundle" "$bwcaps" "$state" <<'INNER'
tmp=$1 rootfs=$2 secprof=$3 static=$4 rounds=$5 have_bundle=$6 bwcaps=$7 state=$8
if [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
	umount -R /sys/fs/cgroup 2>/dev/null
	mount -t cgroup2 none /sys/fs/cgroup || { echo "runtimes: cannot mount cgroup2" >&2; exit 1; }
fi
spec=()
add() { spec+=("$1"); spec+=("$2"); }
add "secprof run --rootfs (cached filter)" \
	"$secprof run --filter-cache $tmp/filters --rootfs $rootfs -- /bin/true"
add "secprof run --rootfs --no-filter-cache" \
	"$secprof run --no-filter-cache --rootfs $rootfs -- /bin/true"
[[ -x $static ]] && add "secprof-static run --rootfs (cached)" \
	"$static run --filter-cache $tmp/filters-static --rootfs $rootfs -- /bin/true"
notes=()
# One try each first: a runtime that cannot start here gets no row, and
# says why.
try() { "$@" </dev/null >"$tmp/try.out" 2>&1; }
if [[ $have_bundle == 1 ]] && command -v runc >/dev/null; then
	if try runc --root "$state/runc" run --bundle "$tmp/bundle" secprof-bench-runc; then
		add "runc run (linux.seccomp)" \
			"runc --root $state/runc run --bundle $tmp/bundle secprof-bench-runc"
	else
		notes+=("runc: no row, it did not start here: $(tail -n 1 "$tmp/try.out")")
	fi
fi
if [[ $have_bundle == 1 ]] && command -v crun >/dev/null; then
	if try crun --root "$state/crun" run --bundle "$tmp/bundle" secprof-bench-crun; then
		add "crun run (linux.seccomp)" \
			"crun --root $state/crun run --bundle $tmp/bundle secprof-bench-crun"
	elif why=$(tail -n 1 "$tmp/try.out") &&
		try crun --root "$state/crun" --cgroup-manager=disabled run --bundle "$tmp/bundle" \
			secprof-bench-crun; then
		notes+=("crun: with its cgroups it did not start here ($why); timed with --cgroup-manager=disabled: no cgroup, no device rules")
		add "crun run (linux.seccomp, no cgroup)" \
			"crun --root $state/crun --cgroup-manager=disabled run --bundle $tmp/bundle secprof-bench-crun"
	else
		notes+=("crun: no row, it did not start here: $(tail -n 1 "$tmp/try.out")")
	fi
fi
if command -v bwrap >/dev/null; then
	bw="bwrap --bind $rootfs / --proc /proc --dev /dev --unshare-all --die-with-parent --cap-drop ALL $bwcaps --seccomp 3 /bin/true"
	if try $bw 3<"$tmp/bwrap.bpf"; then
		add "bwrap (same caps, the exported program)" "$bw"
	else
		notes+=("bwrap: no row, it did not start here: $(tail -n 1 "$tmp/try.out")")
	fi
fi
python3 - "$rounds" "$tmp/bwrap.bpf" "${spec[@]}" <<'PY'
import os, random, statistics, sys, time

rounds, bpf, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
cmds = [(rest[i], rest[i + 1].split()) for i in range(0, len(rest), 2)]
null = os.open("/dev/null", os.O_RDWR)
wall = {k: [] for k, _ in cmds}
cpu = {k: [] for k, _ in cmds}
failed = {}
for _ in range(rounds):
    order = list(cmds)
    random.shuffle(order)
    for label, argv in order:
        acts = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
                (os.POSIX_SPAWN_DUP2, null, 2)]
        if argv[0] == "bwrap":
            acts.append((os.POSIX_SPAWN_OPEN, 3, bpf, os.O_RDONLY, 0))
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=acts)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if status:
            failed[label] = status
            continue
        wall[label].append((t1 - t0) * 1e3)
        cpu[label].append((ru.ru_utime + ru.ru_stime) * 1e3)
base = statistics.median(wall[cmds[0][0]]) if wall[cmds[0][0]] else 0
print("container start-up against the runtimes: /bin/true on the test root filesystem, Docker's")
print("default profile and capabilities; wall and the child's CPU time (wait4), medians of %d" % rounds)
print("interleaved rounds, each in a new random order (posix_spawn); in a mount namespace whose")
print("/sys/fs/cgroup is cgroup2 alone; ratio: wall over secprof run --rootfs (cached filter)'s:")
print("  %-44s %8s %8s %7s" % ("", "wall ms", "CPU ms", "ratio"))
for label, _ in cmds:
    if not wall[label]:
        print("  %-44s failed (status %s)" % (label, failed.get(label)))
        continue
    w, c = statistics.median(wall[label]), statistics.median(cpu[label])
    print("  %-44s %8.2f %8.2f %6.2fx" % (label, w, c, w / base if base else 0))
for label, status in failed.items():
    if wall[label]:
        print("  %s: %d of %d runs failed (status %d)" % (label, rounds - len(wall[label]), rounds, status))
PY
for n in "${notes[@]}"; do echo "  $n"; done
INNER
