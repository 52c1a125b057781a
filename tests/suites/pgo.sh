#!/usr/bin/env bash
# pgo.sh - the profile-guided build is in effect (Makefile, "profile-guided
# optimisation"; docs/ARCHITECTURE.md): the objects of the pipeline the
# training runs were compiled with its counts, an object it never enters
# was not, and each instrumented object writes its counts beside the final
# object (-dumpdir), where -fprofile-use reads them. gcc records the flags
# an object was compiled with in its DW_AT_producer, and the Makefile adds
# -fprofile-use to an object only when its counts exist, so a training
# whose counts land elsewhere fails here instead of quietly building
# without them. Builds without PGO (clang, sanitizers, PGO=0) skip.
source "$TESTS/lib.sh"
[[ -f $BUILD/pgo-flags ]] || { echo "1..0 # SKIP not a profile-guided build"; exit 0; }
command -v readelf >/dev/null || { echo "1..0 # SKIP readelf (binutils) not installed"; exit 0; }
abs=$(cd "$BUILD" && pwd)

producer() { readelf --debug-dump=info "$1" 2>/dev/null | grep -m1 DW_AT_producer; }

for o in bpf/compile core/json profile/parse profile/resolve ir/merge core/arch; do
	ok $([[ -f $abs/src/$o.gcda ]]; echo $?) "$o: the training wrote its counts beside the object"
	ok $(producer "$abs/src/$o.o" | grep -q -- '-fprofile-use'; echo $?) \
		"$o.o was compiled with the counts"
	ok $(grep -aqF "$abs/src/$o.gcda" "$abs/pgo/src/$o.o"; echo $?) \
		"the instrumented $o.o writes its counts where the final one reads them"
done
for o in analyze/lint sandbox/run record/rec; do
	ok $([[ ! -e $abs/src/$o.gcda ]]; echo $?) "$o: never entered by the training, no counts"
	ok $(producer "$abs/src/$o.o" | grep -q -- '-fprofile-use'; [[ $? == 1 ]]; echo $?) \
		"$o.o was compiled as without PGO"
done
ok $(grep -qF "| $abs" "$abs/pgo-flags"; echo $?) "the flags stamp names the build's own path"

done_testing
