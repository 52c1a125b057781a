#!/bin/sh
# install-deps.sh - install what secprof needs to build and test on Debian 12.
# Build: gcc, make, zlib. yajl (JSON) is the independent oracle our own JSON
# reader is checked against (make check and the fuzzers). Tests: clang (second compiler), libseccomp
# (the reference compiler we compare against) and its scmp_sys_resolver
# (package seccomp), runc and debootstrap (the
# real runtime and a root filesystem), docker.io (real Docker, the peer of
# tests/suites/docker-compare.sh, which starts its own dockerd), python3
# (generators), util-linux, pkg-config (tests/suites/install.sh builds
# examples/decide.c against the installed library with it), zsh (the
# zsh completion is run in a real zsh).
set -e
export DEBIAN_FRONTEND=noninteractive
pkgs="build-essential clang libclang-rt-14-dev libyajl-dev zlib1g-dev libseccomp-dev seccomp python3 runc docker.io debootstrap \
      util-linux procps passwd ca-certificates gdb strace hyperfine pkg-config zsh
      libarchive-dev nettle-dev
      tmux podman
      zstd"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
