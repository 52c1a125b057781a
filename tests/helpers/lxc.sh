# lxc.sh - run a command under real LXC (lxc-execute, Debian's lxc) with an
# LXC seccomp policy, and read the filter LXC loaded (sourced).
#   lxc_available                   0 when lxc-execute can run here (root, lxc installed, rootfs)
#   lxc_filter POLICY OUT DIR       the filter LXC loads for POLICY, raw BPF in OUT (1 if LXC refused)
# DIR is a scratch directory; the rootfs is the read-only shared one under an overlay.
LXC_ROOTFS=${LXC_ROOTFS:-/var/cache/secprof/rootfs}
lxc_available() {
	[[ $(id -u) == 0 ]] && command -v lxc-execute >/dev/null && command -v lxc-info >/dev/null &&
		[[ -x $LXC_ROOTFS/bin/sleep ]]
}
lxc_filter() {
	local policy=$1 out=$2 dir=$3 name pid i
	name=sp$$-$RANDOM
	mkdir -p "$dir/$name/upper" "$dir/lxcpath"
	cat >"$dir/$name/conf" <<CONF
lxc.uts.name = $name
lxc.rootfs.path = overlay:$LXC_ROOTFS:$dir/$name/upper
lxc.net.0.type = none
lxc.apparmor.profile = unconfined
lxc.seccomp.profile = $policy
lxc.mount.auto = proc:mixed sys:ro
lxc.tty.max = 0
lxc.pty.max = 1
CONF
	timeout -s KILL 20 lxc-execute -P "$dir/lxcpath" -n "$name" -f "$dir/$name/conf" \
		-o "$dir/$name/log" -l INFO -- /bin/sleep 30 >/dev/null 2>&1 &
	local job=$!
	for i in $(seq 50); do
		pid=$(timeout -s KILL 3 lxc-info -P "$dir/lxcpath" -n "$name" -p -H 2>/dev/null)
		[[ -n $pid ]] && grep -q '^Seccomp:.*2' "/proc/$pid/status" 2>/dev/null && break
		kill -0 $job 2>/dev/null || { pid=; break; }
		pid=; sleep 0.2
	done
	if [[ -z $pid ]]; then
		wait $job 2>/dev/null
		return 1
	fi
	"$SECPROF" dump "$pid" -o "$out" --index 0
	local rc=$?
	kill "$pid" 2>/dev/null
	wait $job 2>/dev/null
	return $rc
}
