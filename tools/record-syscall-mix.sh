#!/bin/sh
# record-syscall-mix.sh [OUT] - record how often real workloads make each
# system call, for the dispatch weights of src/bpf/compile.c and the
# weighted figures of `make bench` (docs/KERNEL.md §6).
#
# Runs each workload below under `strace -f -c` (every thread and child,
# counts only) on this x86_64 machine, adds the counts by name and writes
# OUT (default data/syscall-mix.tsv): NAME<TAB>CALLS, most frequent first,
# with a header saying what ran, when, on which kernel and with which tools.
# tools/gen-syscall-mix.py turns the TSV into src/gen/syscall_mix.inc
# (`make gen`). Run by hand from the top of the tree; needs strace, gcc,
# python3, git, tar, apt-cache.
#
# The workloads are what people run in containers: a shell script of
# coreutils pipelines, a C build (gcc on the library's sources), Python
# (imports, threads, subprocesses, sockets, files), an archive of the tree,
# git on the repository, and apt's package cache. They ran on the host, not
# under Docker's profile: calls the profile refuses (clone3 under a filter
# answers ENOSYS and glibc falls back to clone) are counted as the program
# makes them, which is what a filter sees first.
set -eu

out=${1:-data/syscall-mix.tsv}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# One workload: strace's summary of it into $scratch/NAME.sum.
run() {
	name=$1
	shift
	strace -f -c -U calls,name -o "$scratch/$name.sum" "$@" >/dev/null 2>&1
}

cat >"$scratch/shell.sh" <<'EOF'
for i in $(seq 1 150); do
	echo "line $i" | sed 's/line/row/' | grep -c row >/dev/null
	ls -l /etc/apt >/dev/null
	date +%s >/dev/null
	cat /etc/passwd | sort | uniq | wc -l >/dev/null
	test -d /tmp && mkdir -p "$1/d$i" && touch "$1/d$i/f" && rm -rf "$1/d$i"
done
EOF

cat >"$scratch/py.py" <<'EOF'
import json, os, socket, subprocess, sys, tempfile, threading

def work(n):
    s = json.dumps({"n": n, "items": list(range(200))})
    return len(json.loads(s)["items"])

threads = [threading.Thread(target=work, args=(i,)) for i in range(32)]
for t in threads: t.start()
for t in threads: t.join()
for i in range(20):
    subprocess.run(["true"], check=True)
for i in range(50):
    a, b = socket.socketpair()
    a.sendall(b"x" * 100); b.recv(100); a.close(); b.close()
with tempfile.TemporaryDirectory() as d:
    for i in range(200):
        p = os.path.join(d, "f%d" % i)
        with open(p, "w") as f: f.write("data" * 100)
        os.stat(p); os.unlink(p)
import email.parser, http.client, sqlite3, xml.dom.minidom
db = sqlite3.connect(":memory:"); db.execute("create table t(x)"); db.commit()
EOF

run shell sh "$scratch/shell.sh" "$scratch"
run gcc sh -c "cd '$scratch' && gcc -O2 -std=gnu11 -D_GNU_SOURCE -I'$PWD/include' -I'$PWD/src' -c '$PWD'/src/core/*.c"
run python python3 "$scratch/py.py"
run tar tar -czf "$scratch/tree.tgz" --exclude=build --exclude=.git .
run git git log --stat -n 200
run apt sh -c 'apt-cache show bash coreutils >/dev/null; apt-cache policy gcc >/dev/null'

{
	echo "# data/syscall-mix.tsv - how often real workloads make each system call (x86_64)."
	echo "# Written by tools/record-syscall-mix.sh on $(date -u +%Y-%m-%d), Linux $(uname -r),"
	echo "# $(strace -V | head -1), $(gcc --version | head -1), $(python3 --version 2>&1)."
	echo "# Workloads, each under strace -f -c (calls of every thread and child):"
	echo "#   shell: 150 rounds of coreutils pipelines (sed, grep, ls -l, date, sort, mkdir, rm)"
	echo "#   gcc: gcc -O2 -c of src/core/*.c"
	echo "#   python: imports, 32 threads, 20 subprocesses, 50 socketpairs, 200 files, sqlite"
	echo "#   tar: tar -czf of the source tree; git: git log --stat -n 200; apt: apt-cache show/policy"
	echo "# NAME<TAB>CALLS, summed over the workloads, most frequent first."
	# strace -U calls,name: "  CALLS NAME" rows between dashed lines, then a total
	cat "$scratch"/*.sum | awk '
		$1 ~ /^[0-9]+$/ && NF == 2 && $2 != "total" { n[$2] += $1 }
		END { for (s in n) printf "%s\t%d\n", s, n[s] }' | sort -t "$(printf '\t')" -k2,2nr -k1,1
} >"$out"
echo "record-syscall-mix: $(grep -vc '^#' "$out") syscalls written to $out"
