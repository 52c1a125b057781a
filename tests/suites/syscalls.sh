#!/usr/bin/env bash
# syscalls.sh - `secprof syscalls` and secprof's own syscall table against
# libseccomp 2.5.4 (Debian's scmp_sys_resolver, package "seccomp") and the
# kernel's <asm/unistd_*.h>. Our table comes from a newer syscalls.csv, so
# the only differences allowed are syscalls 2.5.4 does not know yet; they
# are counted and listed in diag lines.
source "$TESTS/lib.sh"
set -u

if ! command -v scmp_sys_resolver >/dev/null; then
	echo "1..0 # SKIP scmp_sys_resolver not installed (Debian package seccomp)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- the command's output format (documented in its usage text) --------

out=$("$SECPROF" syscalls --arch x86_64 read openat 2>&1); rc=$?
is "$rc: $out" $'0: read 0\nopenat 257' "--arch x86_64 NAME..."
out=$("$SECPROF" syscalls --arch SCMP_ARCH_X32 write 0x40000001 1 2>&1); rc=$?
is "$rc: $out" $'1: write 1073741825\nwrite 1073741825\n- 1\nsecprof: no syscall has number 1 on x32' \
	"x32 numbers carry bit 0x40000000, both ways"
out=$("$SECPROF" syscalls read -a x32 -- 1073741825 2>&1)
is "$out" $'read 1073741824\nwrite 1073741825' "options anywhere, -- ends them"
out=$("$SECPROF" syscalls --arch mips3l64n32 read 2>&1)
is "$out" "read 6000" "Docker's mips3l64n32 is n32 MIPS, base 6000"
out=$("$SECPROF" syscalls --arch 386 socketcall 4003 2>&1)
is "$out" $'socketcall 102\n- 4003\nsecprof: no syscall has number 4003 on x86' "GOARCH 386 is x86"
out=$("$SECPROF" syscalls --arch mips 4003 2>&1)
is "$out" "read 4003" "mips number with the o32 base"
out=$("$SECPROF" syscalls --arch aarch64 open no_such_call 2>&1); rc=$?
is "$rc: $out" $'1: open -\nno_such_call -\nsecprof: unknown syscall \'no_such_call\'' \
	"a name of other arches is '-', an unknown name exits 1"
out=$("$SECPROF" syscalls --arch vax read 2>&1); rc=$?
is "$rc: $out" "2: secprof: unknown arch 'vax' (see 'secprof syscalls --arches')" "unknown arch exits 2"
out=$("$SECPROF" syscalls read 3 2>&1)
is "$out" "$(printf '%s\t' syscall x86 x86_64 x32 arm aarch64 mips mipsel mips64 mipsel64 \
	mips64n32 mipsel64n32 ppc ppc64 ppc64le s390 s390x riscv64 loongarch64 parisc parisc64 m68k sh |
	sed 's/\t$//')	sheb
read	3	0	1073741824	3	63	4003	4003	5000	5000	6000	6000	3	3	3	3	3	63	63	3	3	3	3	3
3	read	close	-	read	io_cancel	-	-	-	-	-	-	read	read	read	read	read	io_cancel	io_cancel	read	read	read	read	read" \
	"table without --arch: a NAME row, a NUMBER row"
out=$("$SECPROF" syscalls --arches | grep -E '^(x32|mipsel64n32|sh)	')
is "$out" "x32	SCMP_ARCH_X32	-	0xc000003e	1073741824	32	le	runc
mipsel64n32	SCMP_ARCH_MIPSEL64N32	mips3l64n32	0xe0000008	6000	32	le	runc
sh	SCMP_ARCH_SH	-	0x4000002a	0	32	le	-" "--arches rows"

# ---- every name on every arch against scmp_sys_resolver -----------------

"$SECPROF" syscalls | tail -n +2 | cut -f1 >"$tmp/names"
"$SECPROF" syscalls --arches | cut -f1,5 >"$tmp/arches"
arches=() skipped=()
while read -r a base; do
	if scmp_sys_resolver -a "$a" read >/dev/null 2>&1; then
		arches+=("$a")
		echo "$base" >"$tmp/base.$a"
	else
		skipped+=("$a")
	fi
done <"$tmp/arches"
diag "libseccomp $(dpkg-query -W -f='${Version}' libseccomp2 2>/dev/null) knows ${#arches[@]} of our arches; not: ${skipped[*]}"
ok $((${#arches[@]} < 19)) "libseccomp knows at least 19 of our arches"

# One process per question: run the arches side by side.
for a in "${arches[@]}"; do
	(while read -r name; do scmp_sys_resolver -a "$a" "$name"; done <"$tmp/names" >"$tmp/lib.$a") &
done
wait
for a in "${arches[@]}"; do
	# Every syscall libseccomp knows on $a, by number (see the helper).
	"$BUILD/tests/scmp-names" "$a" "$(cat "$tmp/base.$a")" >"$tmp/libnr.$a"
	"$SECPROF" syscalls --arch "$a" $(cat "$tmp/names") >"$tmp/ours.$a"
	"$SECPROF" syscalls --arch "$a" >"$tmp/oursnr.$a"
done

# The one syscall 2.5.4 has that our table does not: Linux moved parisc's
# _llseek to the 32-bit ABI only ("140 32 _llseek" in syscall.tbl).
known_gone="parisc64 _llseek 140"

# Classify each (arch, name): same number; newer (ours has it, libseccomp
# does not know it there); multiplexed (libseccomp 2.5.4 resolves
# socketcall/ipc names on x86, mips, ppc and s390 to negative pseudo-numbers
# so that a rule covers both forms, but maps our number back to the same
# name); gone (known_gone); anything else is a failure.
for a in "${arches[@]}"; do
	paste -d' ' "$tmp/ours.$a" "$tmp/lib.$a" | awk -v a="$a" -v libnr="$tmp/libnr.$a" -v gone="$known_gone" '
		BEGIN { while ((getline l < libnr) > 0) { split(l, f, " "); byname[f[2]] = f[1] } }
		{
			name = $1; ours = $2; lib = $3
			if (ours == "-" && lib < 0) next
			if (ours == "-" && a " " name " " lib == gone) { print "gone", a, name; next }
			if (ours == lib) { print "same", a, name; next }
			if (ours != "-" && lib < 0 && !(ours in byname)) { print "newer", a, name; next }
			if (ours != "-" && lib < -1 && byname[ours] == name) { print "multiplexed", a, name; next }
			print "DIFF", a, name, "ours=" ours, "libseccomp=" lib
		}'
done >"$tmp/classes"
count() { grep -c "^$1 " "$tmp/classes"; }
ok $(($(count same) < 7000)) "scmp_sys_resolver agrees on $(count same) name/arch pairs"
diff=$(grep '^DIFF' "$tmp/classes")
ok $((${#diff} > 0)) "no other differences by name"
[[ -n $diff ]] && diag "$diff"
newer=$(awk '$1 == "newer" { n[$3] = n[$3] " " $2 } END { for (s in n) print s ":" n[s] }' "$tmp/classes" | sort)
diag "newer than libseccomp 2.5.4: $(count newer) name/arch pairs, $(wc -l <<<"$newer") names:"
diag "$newer"
diag "socketcall/ipc names 2.5.4 resolves to pseudo-numbers, same number backwards: $(count multiplexed) pairs"
is "$(count gone)" 1 "only $known_gone is in 2.5.4 and not in ours"

# ---- every syscall libseccomp knows, by number ---------------------------

for a in "${arches[@]}"; do
	sort "$tmp/libnr.$a" | comm -23 - <(sort "$tmp/oursnr.$a") | sed "s/^/$a /"
done >"$tmp/libonly"
is "$(cat "$tmp/libonly")" "$known_gone" "every syscall libseccomp lists by number is ours, same number"
ok $(($(cat "$tmp"/libnr.* | wc -l) < 7000)) "libseccomp listed $(cat "$tmp"/libnr.* | wc -l) syscalls by number"

# ---- the kernel's own numbers: <asm/unistd_*.h> on x86_64 ----------------

# Compile a program printing every __NR_* of one header, so expressions
# such as (__X32_SYSCALL_BIT + 0) are evaluated by the compiler.
header_numbers() { # header -> "name nr" lines
	local h=$1 names name
	names=$(${CC:-cc} -E -dM -D__X32_SYSCALL_BIT=0x40000000 -include "asm/$h.h" -x c /dev/null |
		awk '$2 ~ /^__NR_/ { sub("__NR_", "", $2); print $2 }')
	{
		echo "#include <stdio.h>"
		echo "#define __X32_SYSCALL_BIT 0x40000000"
		echo "#include <asm/$h.h>"
		echo "int main(void) {"
		for name in $names; do echo "printf(\"%s %ld\\n\", \"$name\", (long)__NR_$name);"; done
		echo "return 0; }"
	} >"$tmp/$h.c"
	${CC:-cc} -o "$tmp/$h" "$tmp/$h.c" && "$tmp/$h" | sort
}
if [[ $(uname -m) == x86_64 && -e /usr/include/x86_64-linux-gnu/asm/unistd_x32.h ]]; then
	for pair in unistd_64:x86_64 unistd_32:x86 unistd_x32:x32; do
		h=${pair%:*} a=${pair#*:}
		header_numbers "$h" >"$tmp/kernel.$a"
		got=$("$SECPROF" syscalls --arch "$a" $(cut -d' ' -f1 "$tmp/kernel.$a") | sort)
		count=$(wc -l <"$tmp/kernel.$a")
		ok $((count < 300)) "asm/$h.h lists $count syscalls"
		is "$got" "$(cat "$tmp/kernel.$a")" "every __NR_* of asm/$h.h is ours on $a"
	done
else
	skip "kernel header comparison" "needs an x86_64 host with x32 headers"
fi

# The generated tables are what the generators make of the reference data.
root=$TESTS/..
if [[ -f $REF/kernel/syscalls-6.1.h && -f $REF/syscalls.csv ]]; then
	python3 "$root/tools/gen-argtypes.py" "$REF/syscalls.csv" "$REF/kernel/syscalls-6.1.h" |
		cmp -s - "$root/src/gen/argtypes.inc"
	ok $? "src/gen/argtypes.inc is tools/gen-argtypes.py's output (make gen)"
	# and the name hash of arch.c is the generator's (name_key, name_hash)
	python3 "$root/tools/gen-syscalls.py" "$REF/syscalls.csv" "$root/data/libseccomp-2.5.4-unknown.tsv" |
		cmp -s - "$root/src/gen/syscalls.inc"
	ok $? "src/gen/syscalls.inc is tools/gen-syscalls.py's output (make gen)"
else
	skip "src/gen/argtypes.inc is up to date" "no reference data"
fi

done_testing
