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
# zsh completion is run in a real zsh). secprof record's eBPF backend is
# built with libbpf-dev, libelf-dev and bpftool (vmlinux.h and the skeleton
# at build time, clang -target bpf); gcc-multilib builds the 32-bit static
# binary tests/suites/record.sh records.
set -e
export DEBIAN_FRONTEND=noninteractive
pkgs="build-essential clang libclang-rt-14-dev libyajl-dev zlib1g-dev libseccomp-dev seccomp python3 runc docker.io debootstrap \
      util-linux procps passwd ca-certificates gdb strace hyperfine pkg-config zsh"
# clang-format: make check-format (run by make check) holds files to .clang-format
pkgs="$pkgs clang-format"
# Exports and SPO import (src/export/, src/core/yaml.c): libyaml reads the
# Security Profiles Operator's YAML; bubblewrap and podman run exported
# profiles in tests/suites/export.sh and export-consumers.sh; skopeo reads
# the oci-artifact layout; crun runs the run.oci.seccomp_bpf_data annotation
# where its cgroup setup allows (not on a hybrid cgroup host).
pkgs="$pkgs libyaml-dev"
pkgs="$pkgs bubblewrap"
pkgs="$pkgs podman"
pkgs="$pkgs skopeo"
pkgs="$pkgs crun"
# the systemd export runs under a real systemd, PID 1 of a private pid,
# mount and cgroup namespace (tests/suites/export-systemd.sh)
pkgs="$pkgs systemd"
# locale sources for localedef: a decimal-comma locale a library caller may
# set must not change how secprof reads numbers (tests/unit/test_mounts.c)
pkgs="$pkgs locales"
# secprof record's eBPF backend (src/record/bpf/, skeleton built with bpftool
# and clang -target bpf); gcc-multilib for the 32-bit workloads it records
pkgs="$pkgs libbpf-dev bpftool libelf-dev"
pkgs="$pkgs gcc-multilib"
# run --image (src/sandbox/archive.c: libarchive unpacks layers, nettle checks
# their SHA-256); tmux and zstd for the image and terminal tests
pkgs="$pkgs libarchive-dev nettle-dev"
# secprof-init, the container's PID 1 (init/secprof-init.c), is a static
# program built against musl and embedded in libsecprof; secprof-static is
# built against musl too (Makefile)
pkgs="$pkgs musl-tools"
pkgs="$pkgs tmux zstd"
# LXC policies in (src/profile/lxc.c): tests/suites/lxc.sh compares with the
# filter Debian's lxc-execute loads
pkgs="$pkgs lxc"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
