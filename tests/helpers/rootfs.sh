# rootfs.sh - sourced by the container suites: a writable overlay over the
# cached Debian root filesystem (tools/make-rootfs.sh), with the static
# secprof inside as /usr/local/bin/secprof. The cache itself is never written.
# rootfs_setup sets ROOT and TMPD and removes both on exit.

rootfs_setup() {
	local base
	if [[ $(id -u) != 0 ]]; then
		echo "1..0 # SKIP container tests need root (namespaces, mounts)"
		exit 0
	fi
	if [[ ! -x $STATIC_BUILD/secprof-static ]]; then
		echo "1..0 # SKIP $STATIC_BUILD/secprof-static missing (make tests-bin builds it)"
		exit 0
	fi
	if ! base=$("$TESTS/../tools/make-rootfs.sh" 2>"${TMPDIR:-/tmp}/secprof-rootfs.log"); then
		echo "1..0 # SKIP no Debian root filesystem: $(tail -n 1 "${TMPDIR:-/tmp}/secprof-rootfs.log")"
		exit 0
	fi
	TMPD=$(mktemp -d "${TMPDIR:-/tmp}/secprof-ct.XXXXXX")
	mkdir -p "$TMPD/up" "$TMPD/work" "$TMPD/root"
	if ! mount -t overlay overlay -o "lowerdir=$base,upperdir=$TMPD/up,workdir=$TMPD/work" "$TMPD/root"; then
		rm -rf "$TMPD"
		echo "1..0 # SKIP cannot mount an overlay over $base"
		exit 0
	fi
	trap rootfs_cleanup EXIT
	cp "$STATIC_BUILD/secprof-static" "$TMPD/root/usr/local/bin/secprof"
	ROOT=$TMPD/root
}

rootfs_cleanup() {
	umount -l "$TMPD/root" 2>/dev/null
	rm -rf "$TMPD"
}
