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
# (--no-filter-cache: compiled at every start, as runc does), and the
# ratios are given against both.
#
# The same isolation where the tools allow it: the namespaces of `secprof
# run --rootfs` (mount, PID, network, IPC, UTS, cgroup) for all, no user
# namespace (bwrap makes one as root unless told otherwise), Docker's
# capabilities (bwrap gives them as ambient ones too). Every command runs
# in a mount namespace of its own whose /sys/fs/cgroup is a cgroup2 mount
# alone, as on a Debian 12 install: crun refuses a hybrid hierarchy (this
# bench machine's), and all of them then see the same one. runc's and
# crun's state directories are on a tmpfs there, as /run is on Debian.
# Where crun cannot run with its cgroups (it raises RLIMIT_MEMLOCK for its
# device program, which needs CAP_SYS_RESOURCE), it runs with
# --cgroup-manager=disabled, and the row says so: it then sets up no cgroup
# and no device rules, less than the others do. A runtime that is missing
# or cannot start gets no row, and a line saying why.
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
state=$(mktemp -d /run/secprof-runtimes.XXXXXX)
trap 'rm -rf "$tmp" "$state"' EXIT

# Docker's default bounding set, as `secprof run` gives it (CapBnd)
caps=$("$secprof" run --security-opt seccomp=unconfined -- cat /proc/self/status |
	sed -n 's/^CapBnd:\t//p')
[[ $caps =~ ^[0-9a-f]+$ ]] || { say "cannot read secprof run's capabilities"; exit 1; }
"$secprof" -q resolve builtin >"$tmp/seccomp.json" || exit 1
"$secprof" -q export builtin --format bwrap -o "$tmp/bwrap.bpf" || exit 1
# bwrap keeps every capability of a root caller unless told: the same set,
# by name (oci-config.py's table)
python3 - "$here/../tests/helpers/oci-config.py" "$caps" >"$tmp/bwcaps" <<'PY' || exit 1
import importlib.util, sys
spec = importlib.util.spec_from_file_location("oci_config", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mask = int(sys.argv[2], 16)
for i, name in enumerate(mod.CAP_NAMES):
    if mask >> i & 1:
        print("--cap-add\n" + name)
PY
# `runc spec` (or crun's) writes the template; oci-config.py makes it the
# container Docker would ask for (the tests use the same helper), and a
# cgroup namespace is added, as Docker makes one on a cgroup2 host
bundle_why=
mkdir -p "$tmp/bundle"
if ! (cd "$tmp/bundle" && { runc spec 2>/dev/null || crun spec 2>/dev/null; }); then
	bundle_why="neither runc spec nor crun spec wrote a config.json"
elif ! python3 "$here/../tests/helpers/oci-config.py" "$tmp/bundle/config.json" \
	--root "$rootfs" --caps "$caps" --seccomp "$tmp/seccomp.json" -- /bin/true ||
	! python3 - "$tmp/bundle/config.json" <<'PY'; then
import json, sys
cfg = json.load(open(sys.argv[1]))
ns = cfg["linux"].setdefault("namespaces", [])
if not any(n["type"] == "cgroup" for n in ns):
    ns.append({"type": "cgroup"})
json.dump(cfg, open(sys.argv[1], "w"))
PY
	bundle_why="the OCI bundle could not be written (tests/helpers/oci-config.py)"
fi

# The rounds, inside the mount namespace (the script's own shell stays
# outside): python3 spawns every command directly, so no shell is timed.
unshare -m --propagation private bash -s "$tmp" "$rootfs" "$secprof" "$static" "$rounds" \
	"$state" "$bundle_why" <<'INNER'
tmp=$1 rootfs=$2 secprof=$3 static=$4 rounds=$5 state=$6 bundle_why=$7
if [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
	umount -R /sys/fs/cgroup 2>/dev/null
	mount -t cgroup2 none /sys/fs/cgroup || { echo "runtimes: cannot mount cgroup2" >&2; exit 1; }
fi
mount -t tmpfs tmpfs "$state" || { echo "runtimes: cannot mount a tmpfs on $state" >&2; exit 1; }
mapfile -t bwcaps <"$tmp/bwcaps"
# one record per command for the timer: its label, its argv, an empty
# string, each NUL-terminated (paths may hold spaces)
: >"$tmp/cmds"
add() { printf '%s\0' "$@" "" >>"$tmp/cmds"; }
notes=()
note() { notes+=("$1"); }
add "secprof run --rootfs (cached filter)" \
	"$secprof" run --filter-cache "$tmp/filters" --rootfs "$rootfs" -- /bin/true
add "secprof run --rootfs --no-filter-cache" \
	"$secprof" run --no-filter-cache --rootfs "$rootfs" -- /bin/true
[[ -x $static ]] && add "secprof-static run --rootfs (cached)" \
	"$static" run --filter-cache "$tmp/filters-static" --rootfs "$rootfs" -- /bin/true
# oci_row NAME LABEL [OPTION...]: the row of runc or crun running the
# bundle, after one try that starts it; 1 and $why when it cannot start
oci_row() {
	local name=$1 label=$2 path cmd
	shift 2
	path=$(command -v "$name") || { why="not installed"; return 1; }
	[[ -z $bundle_why ]] || { why=$bundle_why; return 1; }
	cmd=("$path" --root "$state/$name" "$@" run --bundle "$tmp/bundle" "secprof-bench-$name")
	if ! "${cmd[@]}" </dev/null >"$tmp/try.out" 2>&1; then
		why="it did not start here: $(tail -n 1 "$tmp/try.out")"
		# a failed start can leave its cgroup behind
		rmdir "/sys/fs/cgroup/secprof-bench-$name" 2>/dev/null
		return 1
	fi
	add "$label" "${cmd[@]}"
}
oci_row runc "runc run (linux.seccomp)" || note "runc: no row, $why"
if ! oci_row crun "crun run (linux.seccomp)"; then
	cgwhy=${why#it did not start here: }
	if [[ $why == "it did not start here: "* ]] &&
		oci_row crun "crun run (linux.seccomp, no cgroup)" --cgroup-manager=disabled; then
		note "crun: with its cgroups it did not start here ($cgwhy); timed with --cgroup-manager=disabled: no cgroup, no device rules"
	else
		note "crun: no row, $why"
	fi
fi
bw=(--bind "$rootfs" / --proc /proc --dev /dev --unshare-pid --unshare-net --unshare-ipc
	--unshare-uts --unshare-cgroup-try --die-with-parent --cap-drop ALL "${bwcaps[@]}"
	--seccomp 3 /bin/true)
if ! bwrap=$(command -v bwrap); then
	note "bwrap: no row, not installed"
elif "$bwrap" "${bw[@]}" 3<"$tmp/bwrap.bpf" </dev/null >"$tmp/try.out" 2>&1; then
	add "bwrap (Docker's caps, the exported program)" "$bwrap" "${bw[@]}"
else
	note "bwrap: no row, it did not start here: $(tail -n 1 "$tmp/try.out")"
fi
python3 - "$rounds" "$tmp/bwrap.bpf" "$tmp/cmds" <<'PY'
import os, random, statistics, sys, time

rounds, bpf = int(sys.argv[1]), sys.argv[2]
fields = open(sys.argv[3], "rb").read().split(b"\0")[:-1]
cmds, cur = [], []
for f in fields:
    if f:
        cur.append(os.fsdecode(f))
    else:
        cmds.append((cur[0], cur[1:]))
        cur = []
null = os.open("/dev/null", os.O_RDWR)
wall = {k: [] for k, _ in cmds}
cpu = {k: [] for k, _ in cmds}
per_round = {k: [] for k, _ in cmds}  # None where that round's run failed
failed = {}
for _ in range(rounds):
    order = list(cmds)
    random.shuffle(order)
    for label, argv in order:
        acts = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
                (os.POSIX_SPAWN_DUP2, null, 2)]
        if os.path.basename(argv[0]) == "bwrap":
            acts.append((os.POSIX_SPAWN_OPEN, 3, bpf, os.O_RDONLY, 0))
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if status:
            failed[label] = os.waitstatus_to_exitcode(status)
            per_round[label].append(None)
            continue
        per_round[label].append((t1 - t0) * 1e3)
        wall[label].append((t1 - t0) * 1e3)
        cpu[label].append((ru.ru_utime + ru.ru_stime) * 1e3)


def med(label):
    return statistics.median(wall[label]) if wall[label] else None


def paired(label, ref):
    """The median of the per-round differences: steadier than the
    difference of two medians when the machine's speed drifts."""
    d = [a - b for a, b in zip(per_round[label], per_round[ref]) if a is not None and b is not None]
    return "%+9.2f" % statistics.median(d) if d else "      n/a"


base, base_nc = med(cmds[0][0]), med(cmds[1][0])
print("container start-up against the runtimes: /bin/true on the test root filesystem, Docker's")
print("default profile and capabilities; wall and the child's CPU time (wait4), medians of %d" % rounds)
print("interleaved rounds, each in a new random order (posix_spawn); in a mount namespace whose")
print("/sys/fs/cgroup is cgroup2 alone; ratios: wall over secprof run --rootfs's, with its filter")
print("cache and without it (--no-filter-cache compiles at every start, as runc and crun do);")
print("paired: the median of the per-round differences from the static secprof's wall, ms:")
print("  %-44s %8s %8s %8s %9s %9s" % ("", "wall ms", "CPU ms", "/cached", "/no cache", "paired"))
static = next((k for k, _ in cmds if k.startswith("secprof-static")), cmds[0][0])
for label, _ in cmds:
    w = med(label)
    if w is None:
        print("  %-44s failed in every round (exit %s)" % (label, failed.get(label)))
        continue
    c = statistics.median(cpu[label])
    r1 = "%7.2fx" % (w / base) if base else "    n/a"
    r2 = "%7.2fx" % (w / base_nc) if base_nc else "    n/a"
    print("  %-44s %8.2f %8.2f %8s %9s %9s" % (label, w, c, r1, r2, paired(label, static)))
for label, code in failed.items():
    if wall[label]:
        print("  %s: %d of %d runs failed (exit %d)" % (label, rounds - len(wall[label]), rounds, code))
sys.exit(1 if failed else 0)
PY
rc=$?
for n in "${notes[@]}"; do echo "  $n"; done
rmdir /sys/fs/cgroup/secprof-bench-runc /sys/fs/cgroup/secprof-bench-crun 2>/dev/null
exit $rc
INNER
