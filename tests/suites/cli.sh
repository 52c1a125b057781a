#!/usr/bin/env bash
# cli.sh - the command line itself: one option parser (getopt_long over each
# command's table, cli/opt.c), --help / help CMD / --version, --opt=value and
# global options anywhere, arch spellings, --kernel releases, BPF-or-JSON by
# content, and the man pages and bash completion generated from the tables.
source "$TESTS/lib.sh"
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$(cd "$TESTS/.." && pwd)
cmds=$("$SECPROF" --list-commands)
[[ -n $cmds ]]; ok $? "--list-commands lists the command table"

# ---- help and version ----
for c in $cmds; do
	out=$("$SECPROF" "$c" --help 2>"$tmp/err"); rc=$?
	[[ $rc == 0 && $out == "usage: secprof $c "* && ! -s $tmp/err ]]
	ok $? "$c --help: usage on stdout, nothing on stderr, exit 0"
	is "$("$SECPROF" help "$c" 2>&1)" "$out" "help $c prints what $c --help does"
done
out=$("$SECPROF" --help); rc=$?
is "$rc:${out%%$'\n'*}" "0:usage: secprof [OPTIONS] COMMAND [ARGS]" "--help: stdout, exit 0"
for c in $cmds; do
	grep -q "^  $c " <<<"$out"; ok $? "--help lists $c"
done
is "$("$SECPROF" help)" "$out" "help with no command is --help"
"$SECPROF" >/dev/null 2>&1
is "$?" 2 "no command: exit 2"
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
out=$("$SECPROF" --version); rc=$?
is "$rc:$out" "0:secprof $version" "--version prints the Makefile's VERSION"
is "$("$SECPROF" check --version)" "secprof $version" "--version after a command"
out=$("$SECPROF" run -h myhost --help); rc=$?
is "$rc:${out%%$'\n'*}" "0:usage: secprof run [OPTIONS] [--] CMD [ARG...]" "run: -h stays --hostname, --help works"
grep -q -- '-h, --hostname NAME' <<<"$out"; ok $? "run --help shows -h as --hostname"

# ---- --opt=value, global options anywhere ----
is "$("$SECPROF" compile builtin --arch=arm64 --kernel=6.1 --format=base64 -o-)" \
	"$("$SECPROF" compile builtin --arch arm64 --kernel 6.1 --format base64 -o -)" "compile: --opt=value = --opt value"
is "$("$SECPROF" resolve --pretty builtin --cap-add=CAP_SYS_ADMIN --arch=amd64 --kernel=6.1)" \
	"$("$SECPROF" resolve builtin --arch amd64 --kernel 6.1 --pretty --cap-add CAP_SYS_ADMIN)" \
	"resolve: --opt=value, options before and after the profile"
is "$("$SECPROF" syscalls --arch=x86_64 read)" "read 0" "syscalls --arch=x86_64"
is "$("$SECPROF" eval builtin --abi=x32 --arch=amd64 write | head -1)" \
	"$("$SECPROF" eval builtin --abi x32 --arch amd64 write | head -1)" "eval --abi=x32"
is "$("$SECPROF" disasm --arch=x86_64 builtin | head -2 | tail -1)" \
	"$("$SECPROF" disasm --arch x86_64 builtin | head -2 | tail -1)" "disasm --arch=x86_64"
[[ $("$SECPROF" disasm --arch=x86_64 builtin | head -2 | tail -1) == "0001: jeq  #0xc000003e, "* ]]
ok $? "disasm --arch=x86_64: the x86_64 check first"
is "$("$SECPROF" run --env=SECPROF_T=1 --security-opt=seccomp=unconfined -- sh -c 'echo $SECPROF_T')" 1 \
	"run --env=K=V --security-opt=seccomp=..."
printf '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","nosuchcall_x"],"action":"SCMP_ACT_ALLOW"}]}' \
	>"$tmp/warn.json"
"$SECPROF" check "$tmp/warn.json" >/dev/null 2>"$tmp/err"
grep -q 'warning:' "$tmp/err"; ok $? "a profile with a warning warns"
"$SECPROF" check "$tmp/warn.json" -q >/dev/null 2>"$tmp/err"
is "$?:$(cat "$tmp/err")" "0:" "-q after the command silences warnings"
"$SECPROF" check "$tmp/warn.json" --strict >/dev/null 2>&1
is "$?" 1 "--strict after the command makes the warning an error"
"$SECPROF" --strict check "$tmp/warn.json" >/dev/null 2>&1
is "$?" 1 "--strict before the command"
"$SECPROF" compile "$tmp/warn.json" --quiet -o "$tmp/w.bpf" --strict 2>/dev/null
is "$?" 1 "compile ... --strict"
out=$("$SECPROF" run --security-opt seccomp=unconfined sh -c 'echo "$@"' sh -q --strict)
is "$out" "-q --strict" "run: options after CMD are CMD's"
out=$("$SECPROF" check builtin --json=1 2>&1); rc=$?
is "$rc:$out" "2:secprof: check: option '--json' takes no value (see 'secprof check --help')" "--flag=value refused"
out=$("$SECPROF" compile builtin --arch 2>&1); rc=$?
is "$rc:$out" "2:secprof: compile: option '--arch' needs a value (see 'secprof compile --help')" "missing value"
out=$("$SECPROF" run --user 2>&1); rc=$?
is "$rc" 125 "run: a usage error exits 125, as docker run"

# ---- arch names: one function, every spelling ----
"$SECPROF" compile builtin --kernel 6.1 --arch amd64 >"$tmp/amd64.bpf"
for a in x86_64 SCMP_ARCH_X86_64 X86_64 x86-64; do
	cmp -s "$tmp/amd64.bpf" <("$SECPROF" compile builtin --kernel 6.1 --arch "$a")
	ok $? "compile --arch $a = --arch amd64"
done
"$SECPROF" compile builtin --kernel 6.1 --arch x86 >"$tmp/x86.bpf"
for a in 386 i386 i686 SCMP_ARCH_X86; do
	cmp -s "$tmp/x86.bpf" <("$SECPROF" compile builtin --kernel 6.1 --arch "$a")
	ok $? "compile --arch $a = --arch x86"
done
! cmp -s "$tmp/x86.bpf" "$tmp/amd64.bpf"; ok $? "x86 and amd64 programs differ"
for pair in arm64:aarch64 arm:armv7l ppc64le:ppc64el mips64le:mipsel64 loong64:loongarch64; do
	cmp -s <("$SECPROF" compile builtin --kernel 6.1 --arch "${pair%%:*}") \
		<("$SECPROF" compile builtin --kernel 6.1 --arch "${pair#*:}")
	ok $? "compile --arch ${pair%%:*} = --arch ${pair#*:}"
done
is "$("$SECPROF" syscalls --arch i686 socketcall)" "socketcall 102" "syscalls --arch i686"
is "$("$SECPROF" eval builtin getpid --arch 386 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["arch"])')" \
	x86 "eval --arch 386"
# ---- big-endian arches: the kernel there stores args[i] high word first ----
# (kernel/seccomp.c populate_seccomp_data), and eval, diff and merge decide
# as that kernel does, on this machine too
cat >"$tmp/arg8.json" <<'J'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}
J
cat >"$tmp/arg16.json" <<'J'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":16,"op":"SCMP_CMP_LE"}]},{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}
J
# arch:how a 32-bit ABI's region and rule read (libseccomp compares low words
# alone there), or 64
for a in amd64:64 s390x:64 ppc64:64 mips64:64 arm64:64 ppc64le:64 s390:32 mips64n32:32 mipsel:32 ppc:32; do
	bits=${a#*:} a=${a%:*}
	got=$("$SECPROF" eval "$tmp/arg8.json" personality 8 --arch $a | head -1)
	got+=/$("$SECPROF" eval "$tmp/arg8.json" personality 7 --arch $a | head -1)
	got+=/$("$SECPROF" eval "$tmp/arg8.json" personality 0x800000008 --arch $a --exact-libseccomp | head -1)
	want=ALLOW/ERRNO\(1\)/ERRNO\(1\) region="arg0=0-7" rule='"value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"'
	if [[ $bits == 32 ]]; then
		want=ALLOW/ERRNO\(1\)/ALLOW region="arg0 low word 0-0x7"
		rule='"value": 4294967295, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"'
	fi
	is "$got" "$want" "eval --arch $a: personality(8) allowed, 7 not, 0x800000008 by $bits-bit compares as the kernel there decides"
	out=$("$SECPROF" -q diff "$tmp/arg8.json" "$tmp/arg16.json" --arch $a | head -1)
	[[ $out == *" personality $region: ERRNO(1) → ALLOW  e.g. personality(0) "* ]]
	ok $? "diff --arch $a: the region is $region ($out)"
	out=$("$SECPROF" -q merge --intersect "$tmp/arg8.json" "$tmp/arg16.json" --arch $a 2>&1)
	[[ $out == *'"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, '"$rule}]"* ]]
	ok $? "merge --intersect --arch $a: personality's rule is arg0 == 8"
done

out=$("$SECPROF" compile builtin --arch amd46 2>&1); rc=$?
is "$rc:$out" "2:secprof: unknown arch 'amd46'; did you mean 'amd64'? (see 'secprof syscalls --arches')" \
	"arch typo: did you mean"
out=$("$SECPROF" syscalls --arch aarch46 read 2>&1)
[[ $out == *"did you mean 'aarch64'"* ]]; ok $? "syscalls: arch typo ($out)"
out=$("$SECPROF" eval builtin read --abi x23 2>&1)
[[ $out == *"did you mean 'x32'"* ]]; ok $? "eval --abi: arch typo ($out)"
out=$("$SECPROF" compile builtin --arch x32 2>&1); rc=$?
is "$rc:$out" "2:secprof: arch 'x32' (x32) has no GOARCH: Docker runs no container as it" \
	"compile --arch x32: no container is x32"
out=$("$SECPROF" compile builtin --no-ensys 2>&1); rc=$?
is "$rc:$out" "2:secprof: compile: unknown option '--no-ensys'; did you mean '--no-enosys'? (see 'secprof compile --help')" \
	"option typo: did you mean"
out=$("$SECPROF" compile builtin --arc amd64 2>&1); rc=$?
is "$rc:$out" "2:secprof: compile: unknown option '--arc'; did you mean '--arch'? (see 'secprof compile --help')" \
	"no abbreviations (getopt_long would take --arc for --arch)"
out=$("$SECPROF" run --priv -- true 2>&1); rc=$?
is "$rc:$out" "125:secprof: run: unknown option '--priv' (see 'secprof run --help')" \
	"run --priv is no --privileged (docker run refuses it too)"
is "$("$SECPROF" compile builtin --arch=amd64 --format=text --timing=1 2>/dev/null | head -1)" \
	"$("$SECPROF" compile builtin --arch amd64 --format text | head -1)" "whole names with =value and optional values pass"
out=$("$SECPROF" complie builtin 2>&1); rc=$?
is "$rc:$out" "2:secprof: unknown command 'complie'; did you mean 'compile'? (see 'secprof --help')" \
	"command typo: did you mean"

# ---- --kernel: releases as uname -r prints them (moby parseRelease) ----
ptrace() { "$SECPROF" eval builtin ptrace --arch amd64 --kernel "$1" 2>&1 | head -1; }
is "$(ptrace 5.15.0-91-generic)" ALLOW "--kernel 5.15.0-91-generic (minKernel 4.8 met)"
cmp -s <("$SECPROF" compile builtin --kernel 5.15.0-91-generic) <("$SECPROF" compile builtin --kernel 5.15)
ok $? "--kernel 5.15.0-91-generic = 5.15"
is "$(ptrace 4.7.10-1-amd64)" "ERRNO(1)" "--kernel 4.7.10-1-amd64 (below 4.8)"
is "$(ptrace 4.8-rc3)" ALLOW "--kernel 4.8-rc3"
is "$(ptrace 4.8.0)" ALLOW "--kernel 4.8.0"
is "$(ptrace 5)" ALLOW "--kernel 5 (read as 5.0)"
is "$(ptrace 4)" "ERRNO(1)" "--kernel 4 (read as 4.0)"
for bad in "" x 6.x .1 -5.1 0.0 0 256.1 6,1 " 6.1"; do
	out=$("$SECPROF" resolve builtin --kernel "$bad" 2>&1 >/dev/null); rc=$?
	is "$rc:${out%% (got*}" "2:secprof: --kernel takes a release as uname -r prints it, e.g. 6.1 or 5.15.0-91-generic" \
		"--kernel '$bad' refused"
done

# ---- eval and disasm: raw BPF or JSON by content, not by name ----
"$SECPROF" compile builtin --arch amd64 --kernel 6.1 -o "$tmp/prog.json"
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":7}]}' \
	>"$tmp/profile.bpf"
is "$("$SECPROF" eval "$tmp/prog.json" ptrace --kernel 4.7 | head -1)" ALLOW \
	"eval: a raw program named .json runs as a program (resolve options do not apply)"
is "$("$SECPROF" eval "$tmp/profile.bpf" getpid | head -1)" "ERRNO(7)" "eval: a profile named .bpf is compiled"
is "$("$SECPROF" eval - getpid <"$tmp/profile.bpf" | head -1)" "ERRNO(7)" "eval: a profile on stdin"
is "$("$SECPROF" eval - ptrace <"$tmp/prog.json" | head -1)" "ALLOW" "eval: a program on stdin"
is "$("$SECPROF" disasm "$tmp/prog.json")" "$("$SECPROF" compile builtin --arch amd64 --kernel 6.1 --format text)" \
	"disasm: a raw program named .json"
is "$("$SECPROF" disasm "$tmp/profile.bpf")" "$("$SECPROF" compile "$tmp/profile.bpf" --format text)" \
	"disasm: a profile is listed as compile --format text lists it"
printf ' \0\0\0\4\0\0' >"$tmp/seven"
out=$("$SECPROF" eval "$tmp/seven" read 2>&1); rc=$?
is "$rc:$out" "1:secprof: $tmp/seven: 7 bytes is not a whole number of 8-byte instructions" \
	"a NUL in the first 8 bytes makes a program, which must be whole instructions"
j=$("$SECPROF" eval builtin 'read' 0 0x10 --json --arch arm64); rc=$?
is "$rc:$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["action"], d["steps"] > 0, d["arch"], d["nr"], d["syscall"])' "$j")" \
	"0:ALLOW True aarch64 63 read" "eval --json"

# ---- man pages: generated from the same tables ----
mandir=$root/doc/man
if [[ ! -f $mandir/secprof.1 ]]; then
	skip "man pages" "doc/man not generated (make man)"
else
	for c in $cmds; do
		page=$mandir/secprof-$c.1
		[[ -f $page ]]; ok $? "secprof-$c.1 exists"
		cmp -s "$page" <("$SECPROF" --man "$c"); ok $? "secprof-$c.1 is up to date"
		text=$(sed 's/\\-/-/g; s/\\f[BIR]//g' "$page")
		missing=
		for o in $("$SECPROF" "$c" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+$'); do
			grep -qE -- "(^|[ ,])$o( |\$|\[)" <<<"$text" || missing+=" $o"
		done
		is "$missing" "" "every option of $c --help is in secprof-$c.1"
		grep -q "^secprof\\\\-$c \\\\- " "$page"; ok $? "secprof-$c.1 NAME line"
		if command -v groff >/dev/null; then
			is "$(groff -man -Tutf8 -ww -z "$page" 2>&1)" "" "secprof-$c.1: groff -ww is silent"
		fi
		grep -q "secprof\\\\-$c\\\\fR(1)" "$mandir/secprof.1"; ok $? "secprof.1 refers to secprof-$c(1)"
	done
	cmp -s "$mandir/secprof.1" <("$SECPROF" --man); ok $? "secprof.1 is up to date"
fi

# ---- bash completion ----
comp=$root/completions/secprof.bash
if [[ ! -f $comp ]]; then
	skip "bash completion" "completions/ not generated (make completions)"
else
	cmp -s "$comp" <("$SECPROF" --completion bash); ok $? "secprof.bash is up to date"
	complete_words() { # WORD... (the last one is completed)
		bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _secprof; printf "%s\n" "${COMPREPLY[@]}"' \
			_ "$comp" "$@"
	}
	got=$(complete_words secprof "" | sort)
	is "$got" "$(printf '%s\n' $cmds help | sort)" "bash: every command after secprof"
	for c in $cmds; do
		want=$("$SECPROF" "$c" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+$' | sort -u)
		got=$(complete_words secprof "$c" -- | sed 's/=$//' | sort -u)
		missing=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
		is "$missing" "" "bash: every option of $c --help is offered after '$c --'"
	done
	is "$(complete_words secprof compile --format b)" base64 "bash: --format values"
	is "$(complete_words secprof -q compile --format = t)" text "bash: --format=VALUE"
	complete_words secprof check --arch i6 | grep -qx i686; ok $? "bash: arch spellings"
	complete_words secprof run --cap-add CAP_SYS_A | grep -qx CAP_SYS_ADMIN; ok $? "bash: capabilities"
	is "$(complete_words secprof help chec)" check "bash: help COMMAND"
fi
if command -v zsh >/dev/null && [[ -f $root/completions/_secprof ]]; then
	zsh -n "$root/completions/_secprof"; ok $? "zsh completion parses (zsh -n)"
	cmp -s "$root/completions/_secprof" <("$SECPROF" --completion zsh); ok $? "_secprof is up to date"
	# A real interactive zsh on a pseudo-terminal (zsh/zpty), compinit
	# loading _secprof from fpath, and TABs typed.
	cat >"$tmp/z.zsh" <<-'ZEOF'
	zmodload zsh/zpty zsh/datetime
	zpty z env PATH="$1:$PATH" TERM=dumb zsh -f -i
	zpty -w z "PS1='> '; fpath=($2 \$fpath); autoload -Uz compinit; compinit -u -D; LISTMAX=1000"
	# each line is typed, then the screen is read until what its TABs must
	# show has come (at most 20 s: a loaded machine is slow, not wrong)
	out=
	for line want in 'secprof dis' 'secprof disasm' \
		'secprof compile builtin --form' 'base64  c       raw     text' \
		'secprof check --arch i6' 'secprof check --arch i686' \
		'secprof -q eval --js' 'secprof -q eval --json'; do
		zpty -w -n z "$line"$'\t\t'
		float end=$(( EPOCHREALTIME + 20 ))
		while [[ ${out//$'\r'/} != *"$want"* ]] && (( EPOCHREALTIME < end )); do
			zpty -r -t z chunk && out+=$chunk || sleep 0.05
		done
		zpty -w -n z $'\C-u'
	done
	print -r -- "$out"
	zpty -d z
	ZEOF
	zout=$(timeout 120 zsh -f "$tmp/z.zsh" "$(dirname "$SECPROF")" "$root/completions" 2>&1 | tr -d '\r')
	for want in 'secprof disasm' 'secprof compile builtin --format=' 'base64  c       raw     text' \
		'secprof check --arch i686' 'secprof -q eval --json'; do
		[[ $zout == *"$want"* ]]; ok $? "zsh completes to '$want'"
	done
else
	skip "zsh completion" "zsh not installed"
fi
# ---- the compile options: one table (cli/opt.c compile_opts) for every
# command that builds a program or a rule set ----
for c in compile eval explain ir lint diff merge export; do
	h=$("$SECPROF" "$c" --help)
	n=0
	for o in --no-enosys --exact-libseccomp --newer-syscalls; do
		grep -q -- "^ *$o " <<<"$h" && n=$((n + 1))
	done
	is "$n:$(grep -c '^compile options:' <<<"$h")" "3:1" "$c --help: the three compile options, in their own block"
done
is "$("$SECPROF" -q explain builtin mseal --newer-syscalls --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["action"])')" \
	"ALLOW" "explain --newer-syscalls: mseal compiled as the profile says"
"$SECPROF" -q lint builtin >/dev/null; a=$?
"$SECPROF" -q lint builtin --newer-syscalls >/dev/null; b=$?
is "$b" "$a" "lint takes --newer-syscalls too, no usage error (it had none before the shared table)"

# ---- a message is one write ----
# stderr goes out by lines (cli/main.c, stderr_by_lines). Unbuffered, a
# usage error was four writes ("secprof: ", "compile: ", the text, the
# rest) and secprof-static wrote one per 80 bytes, so another process's
# output on the same stderr could land inside a message.
printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_NOPE"}]}' >"$tmp/bad-action.json"
if strace -qq -o /dev/null true 2>/dev/null; then
	for bin in "$SECPROF" "$STATIC_BUILD/secprof-static"; do
		[[ -x $bin ]] || { skip "${bin##*/}: a message is one write" "not built"; continue; }
		for which in option profile; do
			if [[ $which == option ]]; then args=(compile --bogus-opt); else
				args=(compile "$tmp/bad-action.json" -o /dev/null); fi
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
				strace -qq -o "$tmp/w.trace" -e trace=write,writev "$bin" "${args[@]}" 2>"$tmp/w.err"
			is "$(grep -cE '^writev?\(2,' "$tmp/w.trace"):$(wc -l <"$tmp/w.err")" "1:1" \
				"${bin##*/} ${args[*]}: its one-line message is one write"
		done
	done
else
	skip "a message is one write" "strace cannot trace here"
fi
done_testing
