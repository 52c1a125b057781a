#!/usr/bin/env bash
# install.sh - `make install` into a staging DESTDIR, then a program that uses
# only the installed files: examples/decide.c built with `pkg-config --cflags
# --libs secprof` against the installed header and shared library, run with
# the installed library, its decisions checked against literal values and
# against `secprof eval`; then `make uninstall` removes exactly what install
# put there.
source "$TESTS/lib.sh"
root=$(cd "$TESTS/.." && pwd)
[[ -e $BUILD/libsecprof.so ]] || { echo "1..0 # SKIP $BUILD/libsecprof.so not built"; exit 0; }
command -v pkg-config >/dev/null || { echo "1..0 # SKIP pkg-config not installed (tools/install-deps.sh)"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root

# The build's own make, on the build that is being tested (the objects are up
# to date: nothing is rebuilt). Run outside the calling make's jobserver.
smake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory BUILD="$BUILD" "$@"; }

# Files of other packages, there before install: uninstall must leave them.
mkdir -p "$dest/usr/lib/pkgconfig" "$dest/usr/share/man/man1" "$dest/usr/bin"
echo other >"$dest/usr/lib/pkgconfig/other.pc"
echo other >"$dest/usr/share/man/man1/other.1"
echo other >"$dest/usr/bin/other"
others=$(cd "$dest" && find . ! -type d | sort)

files_in() { (cd "$1" && find . ! -type d | sort); }

smake install DESTDIR="$dest" PREFIX=/usr >"$tmp/install.log" 2>&1
rc=$?
ok $rc "make install DESTDIR=... PREFIX=/usr"
((rc)) && diag "$(tail -n 20 "$tmp/install.log")"

# What install must have put there: fixed files, plus man pages and
# completions the source tree has.
expected=$(
	{
		printf '%s\n' ./usr/bin/secprof ./usr/include/secprof.h ./usr/lib/libsecprof.a \
			./usr/lib/libsecprof.so ./usr/lib/libsecprof.so.0 \
			"./usr/lib/$(readlink "$BUILD/libsecprof.so.0")" ./usr/lib/pkgconfig/secprof.pc
		for m in "$root"/doc/man/*.1; do [[ -f $m ]] && echo "./usr/share/man/man1/${m##*/}"; done
		[[ -f $root/completions/secprof.bash ]] && echo ./usr/share/bash-completion/completions/secprof
		[[ -f $root/completions/_secprof ]] && echo ./usr/share/zsh/site-functions/_secprof
		echo "$others"
	} | sort
)
is "$(files_in "$dest")" "$expected" "install put exactly the expected files"
is "$(readlink "$dest/usr/lib/libsecprof.so")" libsecprof.so.0 "installed libsecprof.so -> libsecprof.so.0"
is "$(readlink "$dest/usr/lib/libsecprof.so.0")" "$(readlink "$BUILD/libsecprof.so.0")" \
	"installed libsecprof.so.0 -> the real name"
# Modes as Debian wants them: a shared library is not executable (the loader
# only maps it; lintian shlib-with-executable-bit), a program is.
is "$(cd "$dest/usr" && stat -c '%a %n' bin/secprof lib/libsecprof.a lib/libsecprof.so.0.* include/secprof.h lib/pkgconfig/secprof.pc | tr '\n' ' ')" \
	"755 bin/secprof 644 lib/libsecprof.a 644 lib/$(readlink "$BUILD/libsecprof.so.0") 644 include/secprof.h 644 lib/pkgconfig/secprof.pc " \
	"installed modes"
cmp -s "$dest/usr/include/secprof.h" "$root/include/secprof.h"
ok $? "installed secprof.h is include/secprof.h"
[[ -x $dest/usr/bin/secprof ]] && "$dest/usr/bin/secprof" -q eval builtin getpid >/dev/null 2>&1
ok $? "installed secprof runs"
# The installed secprof is linked again for its place: RUNPATH from BINDIR
# to LIBDIR, so it finds the installed library without the loader's cache
# (it just ran, with no LD_LIBRARY_PATH, from a staging DESTDIR).
readelf -d "$dest/usr/bin/secprof" 2>/dev/null | grep -q 'NEEDED.*\[libsecprof\.so\.0\]'
ok $? "installed secprof needs libsecprof.so.0"
is "$(readelf -d "$dest/usr/bin/secprof" 2>/dev/null | sed -n 's/.*Library \(runpath\|rpath\): \[\(.*\)\]/\2/p')" \
	'$ORIGIN/../lib' "installed secprof: RUNPATH \$ORIGIN/../lib"
is "$(realpath -s "$(env -u LD_LIBRARY_PATH ldd "$dest/usr/bin/secprof" 2>/dev/null |
	awk '$1 == "libsecprof.so.0" { print $3 }')")" "$(realpath -s "$dest/usr/lib/libsecprof.so.0")" "the installed secprof loads the installed library"

# pkg-config finds only the staged .pc, and prefixes its paths with DESTDIR.
export PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$dest
grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/secprof.pc"
ok $? "secprof.pc carries the install prefix"
version=$(sed -n 's/^SECPROF_VERSION *:= *//p' "$root/Makefile")
is "$(pkg-config --modversion secprof 2>&1)" "$version" "pkg-config --modversion secprof"
flags=$(pkg-config --cflags --libs secprof 2>&1)
flags=${flags%% } # pkgconf ends the line with a space
is "$flags" "-I$dest/usr/include -L$dest/usr/lib -lsecprof" "pkg-config --cflags --libs secprof"

# The compiler that built the library; under the sanitizers the program needs
# their runtime as well (clang leaves it to the executable, gcc's is shared).
cc=cc
readelf -p .comment "$BUILD/libsecprof.so" 2>/dev/null | grep -q 'clang version' && cc=clang
san=()
nm -D --undefined-only "$BUILD/libsecprof.so" | grep -q ' __asan_' &&
	san=(-fsanitize=address,undefined -fno-omit-frame-pointer)
cp "$root/examples/decide.c" "$tmp/decide.c" # away from the source tree's include/
# shellcheck disable=SC2086 # pkg-config output is a list of words
(cd "$tmp" && $cc -std=c11 -Wall -Wextra -Werror -pedantic "${san[@]}" decide.c $flags -o decide) \
	>"$tmp/cc.log" 2>&1
rc=$?
ok $rc "examples/decide.c builds against the installed files ($cc)"
((rc)) && diag "$(cat "$tmp/cc.log")"
readelf -d "$tmp/decide" 2>/dev/null | grep -q 'NEEDED.*\[libsecprof\.so\.0\]'
ok $? "decide needs libsecprof.so.0"
nm "$tmp/decide" 2>/dev/null | grep -Eq '^ +U secprof_compile(@|$)'
ok $? "decide takes secprof_compile from the shared library"

export LD_LIBRARY_PATH=$dest/usr/lib
is "$(ldd "$tmp/decide" 2>/dev/null | awk '$1 == "libsecprof.so.0" { print $3 }')" \
	"$dest/usr/lib/libsecprof.so.0" "the loader picks the installed library"

case $(uname -m) in
x86_64 | aarch64 | riscv64 | s390x | ppc64le) native=$(uname -m) ;;
*) native= ;;
esac
nr() { "$SECPROF" syscalls --arch "$native" "$1" | awk '{ print $2 }'; }
# decide PROFILE NAME ARGS... against the literal action and `secprof eval`.
check() { # want profile name args...
	local want=$1 prof=$2 name=$3
	shift 3
	local got ref
	got=$("$tmp/decide" "$prof" "$(nr "$name")" "$@" 2>"$tmp/err")
	ref=$("$SECPROF" -q eval "$prof" "$name" "$@" 2>/dev/null)
	is "$(head -n 1 <<<"$got")" "$want" "decide ${prof##*/} $name${*:+ $*}: $want"
	is "$got" "$ref" "decide ${prof##*/} $name${*:+ $*} prints what secprof eval prints"
}
if [[ -z $native ]]; then
	skip "decisions" "no syscall table for $(uname -m) in this test"
else
	check ALLOW builtin getpid
	check 'ERRNO(1)' builtin socket 40 # AF_VSOCK
	check ALLOW builtin socket 2       # AF_INET
	check 'ERRNO(1)' builtin unshare 0x10000000 # CLONE_NEWUSER without CAP_SYS_ADMIN
	cat >"$tmp/p.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13,
		 "syscalls": [{"names": ["getpid", "process_mrelease"], "action": "SCMP_ACT_ALLOW"},
		              {"names": ["kill"], "action": "SCMP_ACT_TRAP"}]}
	EOF
	# process_mrelease (448 on every arch here) keeps getppid below runc's
	# ENOSYS stub, which answers calls above the profile's highest number.
	check ALLOW "$tmp/p.json" getpid
	check 'ERRNO(13)' "$tmp/p.json" getppid
	check TRAP "$tmp/p.json" kill 1 9
	echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$tmp/bad.json"
	"$tmp/decide" "$tmp/bad.json" 39 >/dev/null 2>"$tmp/err"
	is "$?" 1 "decide refuses an invalid profile (exit 1)"
	grep -q 'SCMP_ACT_NOPE' "$tmp/err"
	ok $? "with the library's message"
	diag "$(cat "$tmp/err")"
fi
unset LD_LIBRARY_PATH

smake uninstall DESTDIR="$dest" PREFIX=/usr >"$tmp/uninstall.log" 2>&1
ok $? "make uninstall"
is "$(files_in "$dest")" "$others" "uninstall removed every file install put there, and nothing else"

# The .pc follows PREFIX, and man pages and completions are installed where
# they belong when the tree has them (here stand-ins given to make).
dest2=$tmp/root2
mkdir -p "$tmp/src"
echo '.TH SECPROF 1' >"$tmp/src/secprof.1"
echo '.TH SECPROF-RUN 1' >"$tmp/src/secprof-run.1"
echo 'complete -F _secprof secprof' >"$tmp/src/secprof.bash"
echo '#compdef secprof' >"$tmp/src/_secprof"
extra=(INST_MAN="$tmp/src/secprof.1 $tmp/src/secprof-run.1" INST_BASH="$tmp/src/secprof.bash"
	INST_ZSH="$tmp/src/_secprof" DESTDIR="$dest2" PREFIX=/opt/sp)
smake install "${extra[@]}" >"$tmp/install2.log" 2>&1
ok $? "make install PREFIX=/opt/sp, with man pages and completions"
grep -qx 'prefix=/opt/sp' "$dest2/opt/sp/lib/pkgconfig/secprof.pc"
ok $? "secprof.pc follows PREFIX"
for f in share/man/man1/secprof.1 share/man/man1/secprof-run.1 \
	share/bash-completion/completions/secprof share/zsh/site-functions/_secprof; do
	[[ -f $dest2/opt/sp/$f ]]
	ok $? "installed /opt/sp/$f"
done
smake uninstall "${extra[@]}" >>"$tmp/install2.log" 2>&1
is "$(files_in "$dest2")" "" "uninstall removed them all"
done_testing
