#!/bin/sh
# make-rootfs.sh [DIR] - build (once) a minimal Debian 12 root filesystem for
# the container-mode tests and the runc comparison, and print its path.
#
# debootstrap --variant=minbase fetches from the Debian mirror this machine's
# apt already uses (CI has network to that mirror only). The result is cached
# under /var/cache/secprof/rootfs and reused; tests never write into it (they
# mount an overlay on top), so one build serves every run.
# passwd provides useradd for the seed scenario; adduser is not needed.
set -eu
dir=${1:-/var/cache/secprof/rootfs}
stamp=$dir/.secprof-rootfs-ok

if [ -f "$stamp" ]; then
	echo "$dir"
	exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
	echo "make-rootfs: debootstrap is not installed (tools/install-deps.sh)" >&2
	exit 1
}
# The first deb822 or one-line "deb" source of the host is the mirror to use.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*debian\/*\)$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
if [ -z "$mirror" ]; then
	mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

tmp=$dir.tmp.$$
rm -rf "$tmp"
mkdir -p "$(dirname "$dir")"
trap 'rm -rf "$tmp"' EXIT
debootstrap --variant=minbase --include=passwd bookworm "$tmp" "$mirror" >&2
# Tests copy the static secprof here, inside their overlay.
mkdir -p "$tmp/usr/local/bin"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$stamp"
echo "$dir"
