#!/usr/bin/env bash
# abi.sh - libsecprof.so exports exactly the public API: the functions
# include/secprof.h declares with SECPROF_API, no more (no internal sp_*
# symbol a program could come to depend on) and no fewer. The version script
# include/libsecprof.map is checked against the header too, so neither can
# drift from the other. Also `make check-abi`.
source "$TESTS/lib.sh"
root=$(cd "$TESTS/.." && pwd)
so=$BUILD/libsecprof.so
[[ -e $so ]] || { echo "1..0 # SKIP $so not built"; exit 0; }
command -v nm >/dev/null && command -v readelf >/dev/null ||
	{ echo "1..0 # SKIP nm/readelf (binutils) not installed"; exit 0; }

# Names declared with SECPROF_API: preprocessor lines and comments dropped,
# then the identifier just before the "(" that follows each SECPROF_API.
header_api() {
	perl -0777 -ne 's{^[ \t]*#.*$}{}mg; s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g;
		print "$1\n" while /\bSECPROF_API\b[^;(]*?\b([A-Za-z_]\w*)\s*\(/g' "$1" | sort
}
# The global: names of every version node of a version script.
map_api() {
	perl -0777 -ne 's{/\*.*?\*/}{ }gs; s{#[^\n]*}{}g;
		while (/\bglobal\s*:(.*?)(?:\blocal\s*:|\})/gs) { print "$_\n" for $1 =~ /([A-Za-z_]\w*)\s*;/g }' "$1" | sort
}
map_nodes() {
	perl -0777 -ne 's{/\*.*?\*/}{ }gs; s{#[^\n]*}{}g; print "$1\n" while /\b([A-Za-z_][\w.]*)\s*\{/g' "$1" | sort
}

hdr=$(header_api "$root/include/secprof.h")
count=$(grep -c . <<<"$hdr")
# The header's 25 functions when this was written; fewer means the parser broke.
ok $((count >= 25 ? 0 : 1)) "header: $count SECPROF_API functions found"
bad=$(grep -v '^secprof_' <<<"$hdr")
is "$bad" "" "header: every SECPROF_API function is named secprof_*"
is "$(uniq -d <<<"$hdr")" "" "header: no function declared twice"

map=$(map_api "$root/include/libsecprof.map")
is "$(diff <(echo "$hdr") <(echo "$map") | grep '^[<>]')" "" \
	"libsecprof.map exports exactly the header's SECPROF_API functions (< header only, > map only)"
perl -0777 -ne 'exit(/\blocal\s*:\s*\*\s*;/ ? 0 : 1)' "$root/include/libsecprof.map"
ok $? "libsecprof.map hides every other symbol (local: *;)"

# nm -D --defined-only: exported functions as NAME@@NODE (T), plus one
# absolute (A) symbol per version node of the script.
dyn=$(nm -D --defined-only "$so")
funcs=$(awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' <<<"$dyn" | sort)
is "$(diff <(echo "$hdr") <(echo "$funcs") | grep '^[<>]')" "" \
	"nm -D: the library defines exactly the header's functions (< missing, > extra)"
is "$(awk '$2 != "A" && $2 != "T" { print }' <<<"$dyn")" "" "nm -D: every exported symbol is a function (T)"
is "$(awk '$2 == "A" { print $3 }' <<<"$dyn" | sort)" "$(map_nodes "$root/include/libsecprof.map")" \
	"nm -D: the only other symbols are the version nodes of libsecprof.map"
is "$(awk '$2 != "A" && $3 !~ /@@SECPROF_/ { print $3 }' <<<"$dyn")" "" \
	"nm -D: every function carries a SECPROF_ version (version script applied)"

# The archive the library is made of has the internals the script hides.
hidden=$(nm --defined-only -g "$BUILD/libsecprof.a" 2>/dev/null | awk '$2 == "T" && $3 ~ /^sp_/' | wc -l)
ok $((hidden > 0 ? 0 : 1)) "libsecprof.a has $hidden internal sp_* functions, none exported above"

# The library's own calls to its exports bind inside it (-Bsymbolic-functions,
# Makefile): no PLT or GOT slot the loader would look up against secprof_*.
is "$(readelf -rW "$so" | awk '$3 ~ /JUMP_SLOT|GLOB_DAT/ && $5 ~ /^secprof_/ { print $5 }')" "" \
	"no relocation of libsecprof.so against its own exports (they bind at link time)"

soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
is "$soname" "libsecprof.so.0" "soname"
is "$(readlink "$so")" "$soname" "libsecprof.so -> the soname"
real=$(readlink "$BUILD/$soname")
[[ $real == libsecprof.so.0.* && -f $BUILD/$real && ! -L $BUILD/$real ]]
ok $? "$soname -> $real, a regular file"
# -fPIC objects: no text relocations, which a non-PIC object would bring.
readelf -d "$so" | grep -q TEXTREL
ok $((!$?)) "no text relocations"
# The CLI is a client of the public API like any other program: built from
# cli/ with only secprof.h (and its own cli.h), linked against the shared
# library, which it finds beside itself through RUNPATH $ORIGIN.
cli=$BUILD/secprof
is "$(grep -h '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root"/cli/*.[ch] |
	grep -v '"cli\.h"' | grep -v '"secprof\.h"')" "" "cli/ includes no internal header"
dynamic=$(readelf -d "$cli" 2>/dev/null)
grep -q 'NEEDED.*\[libsecprof\.so\.0\]' <<<"$dynamic"
ok $? "secprof needs libsecprof.so.0"
is "$(sed -n 's/.*Library \(runpath\|rpath\): \[\(.*\)\]/\2/p' <<<"$dynamic")" '$ORIGIN' \
	"secprof finds the library beside it (RUNPATH \$ORIGIN)"
is "$(realpath -s "$(env -u LD_LIBRARY_PATH ldd "$cli" 2>/dev/null | awk '$1 == "libsecprof.so.0" { print $3 }')")" \
	"$(realpath -s "$BUILD/libsecprof.so.0")" "the loader picks the build's library"
is "$(nm --defined-only "$cli" | awk '$3 ~ /^(sp_|secprof_)/ { print $3 }')" "" \
	"secprof has no copy of the library's code (no sp_*/secprof_* defined)"
undef=$(nm -D --undefined-only "$cli" | awk '$2 ~ /^secprof_/ { print $2 }')
ok $(($(grep -c . <<<"$undef") >= 30 ? 0 : 1)) "secprof calls $(grep -c . <<<"$undef") API functions"
is "$(grep -v '@SECPROF_' <<<"$undef")" "" "each one a versioned export of libsecprof.so"

# docs/CONVENTIONS.md §18: static tables hold no pointers, so ld.so writes
# into almost no page of the library at start. What may still hold them:
# calls (the secprof_runtime_call rows secprof_runtime_denied hands out),
# probe_fns (the probes' functions, 8 bytes each), parse.c's *_fields (a
# handler per JSON key), and "?" (.init_array, .fini_array, __dso_handle).
# A sanitizer's runtime adds its own; relocation types here are x86-64's.
if [[ $(uname -m) == x86_64 ]] && ! readelf -d "$so" | grep -qE 'NEEDED.*lib(a|ub|t)san'; then
	allowed='^(calls|probe_fns|(top|rule|spo|arg|filter|archmap)_fields) '
	relocs=$(python3 "$TESTS/helpers/relocs.py" "$so")
	ok $? "relocs.py read libsecprof.so's relocations"
	is "$(grep -vE "$allowed" <<<"$relocs" | grep -v '^? ')" "" \
		"libsecprof.so: no other table is relocated at load (docs/CONVENTIONS.md §18)"
	# gcc: 3; clang: 29, with lookup tables it makes of some switches
	anon=$(awk '$1 == "?" { print $2 }' <<<"$relocs")
	ok $((${anon:-0} <= 40 ? 0 : 1)) "libsecprof.so: ${anon:-0} relocations in no named table (at most 40)"
	rw=$(readelf -SW "$so" | sed -n 's/.* \.data\.rel\.ro  *PROGBITS  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	[[ -n $rw ]] && rw=$((16#$rw))
	# 30,136 bytes before the tables were rewritten; ~4 KB since (clang
	# adds lookup tables of its own for some switches)
	ok $((${rw:-99999} <= 8192 ? 0 : 1)) "libsecprof.so: .data.rel.ro ${rw:-(not found)} bytes, two pages at most"
fi
if [[ -x $STATIC_BUILD/secprof-static ]]; then
	readelf -d "$STATIC_BUILD/secprof-static" 2>/dev/null | grep -q NEEDED
	ok $((!$?)) "secprof-static needs no shared library (it runs in any rootfs)"
fi
done_testing
