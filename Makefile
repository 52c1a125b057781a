# secprof - build, test, bench. `make help` lists the targets.
CC      ?= cc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wformat-nonliteral -Wpointer-arith -Wundef -Wvla
CFLAGS  ?=
CFLAGS  += -std=gnu11 $(OPT) -g $(WARN) -fvisibility=hidden -D_GNU_SOURCE \
           -DSECPROF_BUILDING -Iinclude -Isrc
ifeq ($(SAN),fuzz)
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
endif
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
# libsecprof links libc alone: libarchive and nettle (run --image), libbpf
# (record's eBPF backend), libyaml (YAML profiles) and zlib (info's
# /proc/config.gz) are opened with dlopen where they are used, so that no
# process pays for loading them up front (docs/ARCHITECTURE.md, "Optional
# libraries"); their -dev packages are still needed for the headers.
LDLIBS  +=
REF_DIR ?= ../shared/reference
# The one definition of secprof's version (secprof --version, the man pages).
VERSION := 0.1.0

# src/*.c: the public API front over every layer (api_*.c); src/*/*.c: the layers.
LIB_SRC := $(sort $(wildcard src/*.c src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/%)

.PHONY: all check check-layers check-strings check-asan check-clang check-all fuzz bench gen clean help man completions

all: $(BUILD)/secprof $(BUILD)/libsecprof.a man completions

$(BUILD)/%.o: %.c $(wildcard include/*.h src/*.h src/*/*.h src/gen/*.inc cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(if $(PGO_DUMPDIR),-dumpdir $(abspath $(PGO_DUMPDIR))/$(dir $<)) -c -o $@ $<

# The CLI is a client of the public API like any other program: it is
# compiled without src/ on the include path and without SECPROF_BUILDING,
# so an internal header or a hidden function cannot creep back in.
CLI_CFLAGS = $(filter-out -Isrc -DSECPROF_BUILDING,$(CFLAGS))
$(BUILD)/cli/%.o: cli/%.c $(wildcard include/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -c -o $@ $<

$(BUILD)/libsecprof.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cli/opt.o: CFLAGS += -DSECPROF_VERSION='"$(VERSION)"'
$(BUILD)/cli/opt.o: Makefile

# Man pages and shell completions are written by secprof itself from its
# option tables (hidden options --man, --completion), so they always match
# --help. Build output: not committed (.gitignore).
MAN_PAGES := doc/man/secprof.1
man: $(MAN_PAGES)
doc/man/secprof.1: $(BUILD)/secprof
	@mkdir -p doc/man
	$(BUILD)/secprof --man > $@.tmp && mv $@.tmp $@
	@set -e; for c in $$($(BUILD)/secprof --list-commands); do \
		$(BUILD)/secprof --man $$c > doc/man/secprof-$$c.1.tmp; \
		mv doc/man/secprof-$$c.1.tmp doc/man/secprof-$$c.1; done

completions: completions/secprof.bash completions/_secprof
completions/secprof.bash: $(BUILD)/secprof
	@mkdir -p completions
	$(BUILD)/secprof --completion bash > $@.tmp && mv $@.tmp $@
completions/_secprof: $(BUILD)/secprof
	@mkdir -p completions
	$(BUILD)/secprof --completion zsh > $@.tmp && mv $@.tmp $@

# ---- secprof record: the eBPF backend (src/record/) ------------------------
# The BPF program is compiled at build time with clang -target bpf against a
# vmlinux.h that bpftool writes from the running kernel's BTF, and bpftool
# generates its skeleton (all build output, never committed). Without
# bpftool or kernel BTF, libsecprof is built without the eBPF backend
# (SECPROF_NO_EBPF) and `secprof record` uses seccomp user notification.
BPFTOOL   ?= $(shell command -v bpftool || command -v /usr/sbin/bpftool)
BPF_CLANG ?= clang
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ifeq ($(shell test -n "$(BPFTOOL)" -a -r $(VMLINUX_BTF) && echo y),y)
REC_SKEL := $(BUILD)/bpf/record.skel.h
$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@
$(BUILD)/bpf/record.bpf.o: src/record/bpf/record.bpf.c src/record/bpf/record_abi.h $(BUILD)/bpf/vmlinux.h
	$(BPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -Isrc/record/bpf -c $< -o $@
$(REC_SKEL): $(BUILD)/bpf/record.bpf.o
	$(BPFTOOL) gen skeleton $< name sprec > $@.tmp && mv $@.tmp $@
$(BUILD)/src/record/ebpf.o: $(REC_SKEL)
$(BUILD)/src/record/ebpf.o: CFLAGS += -I$(BUILD)/bpf
else
$(BUILD)/src/record/ebpf.o: CFLAGS += -DSECPROF_NO_EBPF
endif

# ---- secprof-init: the container's PID 1 (init/secprof-init.c) --------------
# A program of its own that init execs before the command runs, so that no
# memory of the process that called secprof stays in the container
# (src/sandbox/container.c). Built static against musl (package musl-tools):
# ~20 KB with no loader to find; libsecprof embeds it
# (src/sandbox/initimage.c) and execs it from a sealed memfd (or, where
# vm.memfd_noexec=2, an unnamed file of /dev/shm or /tmp). musl ships no
# kernel headers: linux/ and asm/ come from the system's, searched after
# musl's own headers. Not under the sanitizers: their runtimes need glibc.
MUSL_CC   ?= musl-gcc
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)
INIT_BIN  := $(BUILD)/init/secprof-init
$(INIT_BIN): init/secprof-init.c src/sandbox/pid1.h
	@mkdir -p $(dir $@)
	$(MUSL_CC) -std=gnu11 -Os -static $(WARN) -D_GNU_SOURCE -Isrc -idirafter /usr/include \
		$(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH)) -s -o $@ $<
$(BUILD)/src/sandbox/initimage.o: $(INIT_BIN)
$(BUILD)/src/sandbox/initimage.o: CFLAGS += -DSP_INIT_IMAGE_PATH='"$(abspath $(INIT_BIN))"'

# A static secprof, so `secprof probe` runs inside any root filesystem
# (container tests, runc comparison) without the host's shared libraries,
# and the one that starts fastest. It is built against musl (musl-tools,
# as secprof-init below), not glibc: glibc's start-up reads the CPU's
# caches with dozens of CPUID instructions (sysdeps/x86 init_cacheinfo,
# handle_intel), and under a hypervisor each CPUID exits to it: 0.7-0.8 ms
# of every glibc process on the bench machine, static or not, where a musl
# process starts in ~0.1 ms (README, "Performance"). Every object is
# compiled again for musl in $(BUILD)/musl/. tools/archive-stub.c stands in
# for src/sandbox/archive.c (libarchive), and neither dlopen (YAML
# profiles, record's eBPF backend) nor glibc's SHA extensions dispatch
# exist there: those features need the dynamic secprof. --build-id: the
# filter cache keys programs by the build (src/sandbox/progcache.c), and
# musl-gcc's specs do not ask for one.
MUSL_CFLAGS = -std=gnu11 $(OPT) -g $(WARN) -fvisibility=hidden -D_GNU_SOURCE -DSECPROF_NO_EBPF \
              -Iinclude -idirafter /usr/include $(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH))
MUSL_LIB_SRC := $(filter-out src/sandbox/archive.c,$(LIB_SRC)) tools/archive-stub.c \
                tools/static-malloc.c
MUSL_LIB_OBJ := $(MUSL_LIB_SRC:%.c=$(BUILD)/musl/%.o)
MUSL_CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/musl/%.o)
$(MUSL_LIB_OBJ): $(BUILD)/musl/%.o: %.c $(wildcard include/*.h src/*.h src/*/*.h src/gen/*.inc)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -DSECPROF_BUILDING -Isrc -c -o $@ $<
$(MUSL_CLI_OBJ): $(BUILD)/musl/%.o: %.c $(wildcard include/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<
$(BUILD)/musl/cli/opt.o: MUSL_CFLAGS += -DSECPROF_VERSION='"$(VERSION)"'
$(BUILD)/musl/cli/opt.o: Makefile
$(BUILD)/musl/src/sandbox/initimage.o: $(INIT_BIN)
$(BUILD)/musl/src/sandbox/initimage.o: MUSL_CFLAGS += -DSP_INIT_IMAGE_PATH='"$(abspath $(INIT_BIN))"'
$(BUILD)/secprof-static: $(MUSL_CLI_OBJ) $(MUSL_LIB_OBJ)
	$(MUSL_CC) -static -Wl,--build-id -o $@ $(MUSL_CLI_OBJ) $(MUSL_LIB_OBJ)

# Unit tests and test helpers link the static archive to reach internals.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsecprof.a tests/unit/tap.h tests/unit/enosys.h $(wildcard tests/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libsecprof.a $(LDLIBS) $(TEST_LDLIBS)

$(BUILD)/tests/%: tests/helpers/%.c $(BUILD)/libsecprof.a $(wildcard tests/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libsecprof.a $(LDLIBS) $(TEST_LDLIBS)

# run --explain's test program, static so that it runs inside the test
# root filesystem too (tests/suites/run-explain.sh).
$(BUILD)/tests/denials-static: tests/helpers/denials.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $<

# No static binary under the sanitizers (their runtimes do not link statically).
STATIC_BIN := $(if $(filter 1,$(SAN)),,$(BUILD)/secprof-static $(BUILD)/tests/denials-static)

# The allocator guard the container suite preloads: glibc's malloc only,
# so not under the sanitizers, whose runtime must come first.
GUARD_LIB := $(if $(filter 1,$(SAN)),,$(BUILD)/tests/alloc-guard.so)
$(BUILD)/tests/alloc-guard.so: tests/preload/alloc-guard.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

tests-bin: all $(STATIC_BIN) $(GUARD_LIB) $(UNIT_BIN) $(HELPER_BIN)

TEST_LDLIBS ?= -lseccomp

check: check-layers check-format check-strings tests-bin
	tests/run-tests $(BUILD)

# Fails on a string that fills its char array exactly: C keeps no NUL then,
# without a word, and the tables hold their names in such arrays
# (docs/CONVENTIONS.md §18). gcc's -Wc++-compat names it ("too long for
# C++"); a syntax-only pass of every source, so ebpf.c without its skeleton.
STRINGS_CC ?= gcc
check-strings:
	@out=$$(for f in $(LIB_SRC) $(CLI_SRC); do \
		$(STRINGS_CC) -std=gnu11 -fsyntax-only -Wc++-compat -D_GNU_SOURCE -DSECPROF_BUILDING \
			-DSECPROF_NO_EBPF -DSECPROF_VERSION='"0"' -DSP_INIT_IMAGE_PATH='"0"' \
			-Iinclude -Isrc $$f 2>&1 | grep -A3 'is too long for C++'; done); \
	if [ -n "$$out" ]; then echo "$$out"; \
		echo "check-strings: a string fills its char array, no room for its NUL"; exit 1; fi

# Fails on an include of a higher layer (core < profile < ir < bpf < sandbox
# < the api_*.c front), a cycle between folders, or a cli/ include other than
# secprof.h and cli.h (docs/ARCHITECTURE.md, "Layers"). tests/suites/layers.sh tests the checker.
check-layers:
	python3 tools/check-layers.py --strict-cli .

# The container suites need static binaries inside their root filesystem;
# the sanitizer build has none, so it borrows the plain build's.
check-asan:
	$(MAKE) build/secprof-static build/tests/denials-static
	$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 STATIC_BUILD=$(CURDIR)/build check

check-clang:
	$(MAKE) CC=clang BUILD=build-clang check

# One after the other: the suites load filters and time things in the real
# kernel, and two runs at once on a 2-core machine only add noise.
check-all:
	$(MAKE) check
	$(MAKE) check-asan
	$(MAKE) check-clang
	$(MAKE) fuzz

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), one per stage, each run for
# FUZZ_SECONDS on the parse corpus, the JSON seeds (tests/fuzz/json-seeds), the
# LXC policy seeds (tests/fuzz/lxc-seeds) and the reference profiles.
FUZZ_SECONDS ?= 10
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS = -std=gnu11 -g -O1 -D_GNU_SOURCE -DSECPROF_BUILDING -Iinclude -Isrc -Itests/fuzz

FUZZ_LIB := build-fuzz/lib/libsecprof.a

ifneq ($(SAN),fuzz) # the sub-make below builds $(FUZZ_LIB) with the generic rule
$(FUZZ_LIB): $(LIB_SRC) init/secprof-init.c $(wildcard src/*.h src/*/*.h include/*.h src/gen/*.inc)
	$(MAKE) CC=clang BUILD=build-fuzz/lib SAN=fuzz OPT=-O1 $(FUZZ_LIB)
endif

build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(wildcard tests/fuzz/*.h tests/fuzz/json_yajl_oracle.c)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB) $(LDLIBS) -lyajl

# The JSON reader's yajl oracle as a plain program, built with the tests and
# run by `make check` (tests/suites/json-oracle.sh) on the parse corpus, the
# JSON seeds, the reference profiles and every prefix of each.
tests-bin: $(BUILD)/tests/json-oracle
$(BUILD)/tests/json-oracle: tests/fuzz/fuzz_json_diff.c tests/fuzz/json_yajl_oracle.c $(BUILD)/libsecprof.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -DFUZZ_JSON_DIFF_MAIN -o $@ $< $(BUILD)/libsecprof.a $(LDLIBS) -lyajl

fuzz: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
		d=$$(mktemp -d); cp tests/parse/*.json tests/fuzz/json-seeds/*.json $$d/ 2>/dev/null || true; \
		cp tests/fuzz/lxc-seeds/*.seccomp $$d/ 2>/dev/null || true; \
		cp $(REF_DIR)/*.json $(REF_DIR)/*/*.json $(REF_DIR)/formats/lxc/* $$d/ 2>/dev/null || true; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $$d >$$d.log 2>&1 \
			|| { tail -n 40 $$d.log; exit 1; }; \
		grep -E '^Done [0-9]+ runs' $$d.log | tail -n 1; rm -rf $$d $$d.log; \
	done

# ---- shared library, pkg-config, install ------------------------------------
# libsecprof.so.$(SECPROF_SOVERSION) is linked from the very objects of
# libsecprof.a, so those are compiled with -fPIC (not the fuzz build's: it makes
# no shared library). The version script exports exactly the SECPROF_API
# functions of include/secprof.h; `make check-abi` (tests/suites/abi.sh) checks
# it against the header and the built library. build/secprof links the shared
# library (RUNPATH $ORIGIN: the uninstalled binary finds the one beside it);
# the fuzz build, which makes no shared library, links libsecprof.a, and
# build/secprof-static is compiled again against musl (above).
SECPROF_VERSION   := 0.1.0
SECPROF_SOVERSION := 0
SHLIB_SONAME := libsecprof.so.$(SECPROF_SOVERSION)
SHLIB_REAL   := libsecprof.so.$(SECPROF_VERSION)
SHLIB_MAP    := include/libsecprof.map
# -z defs: every symbol the library uses resolves at link time (-lz, libc),
# so a missing one fails here instead of in a program that loads it. Not
# under the sanitizers, whose runtime comes with the executable.
# -Bsymbolic-functions: the library's own calls to its exported functions
# (secprof_resolve calling secprof_arch_lookup...) bind inside it at link
# time instead of through a PLT slot that ld.so must look up at start (-z now
# resolves every slot before main: 66 fewer of 216 lookups, ~50 us of each
# `secprof` process on the bench machine; README, "Performance").
# -z pack-relative-relocs: what relative relocations remain (the tables the
# API hands out pointers into, arrays of functions; docs/CONVENTIONS.md §18)
# go in a DT_RELR bitmap, 8 bytes per 63 pointers instead of 24 bytes each
# (glibc 2.36, binutils 2.38), for the library and the CLI both.
RELR_LDFLAGS  := -Wl,-z,pack-relative-relocs
SHLIB_LDFLAGS := -shared -Wl,-soname,$(SHLIB_SONAME) -Wl,--version-script=$(SHLIB_MAP) \
                 $(if $(SAN),,-Wl,-z,defs) -Wl,-z,relro -Wl,-z,now -Wl,-Bsymbolic-functions \
                 $(RELR_LDFLAGS)

ifneq ($(SAN),fuzz)
$(LIB_OBJ): CFLAGS += -fPIC
# A build directory whose objects predate -fPIC gets them rebuilt once.
$(LIB_OBJ): $(BUILD)/.fpic
$(BUILD)/.fpic:
	@mkdir -p $(dir $@) && touch $@
all: $(BUILD)/libsecprof.so
endif

# Makefile: a change of SHLIB_LDFLAGS links the library again.
$(BUILD)/$(SHLIB_REAL): $(LIB_OBJ) $(SHLIB_MAP) Makefile
	$(CC) $(LDFLAGS) $(SHLIB_LDFLAGS) -o $@ $(LIB_OBJ) $(LDLIBS)

$(BUILD)/$(SHLIB_SONAME): $(BUILD)/$(SHLIB_REAL)
	ln -sf $(SHLIB_REAL) $@

$(BUILD)/libsecprof.so: $(BUILD)/$(SHLIB_SONAME)
	ln -sf $(SHLIB_SONAME) $@

ifneq ($(SAN),fuzz)
$(BUILD)/secprof: $(CLI_OBJ) $(BUILD)/$(SHLIB_SONAME)
	$(CC) $(LDFLAGS) $(RELR_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/$(SHLIB_SONAME) -Wl,-rpath,'$$ORIGIN'
else
$(BUILD)/secprof: $(CLI_OBJ) $(BUILD)/libsecprof.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libsecprof.a $(LDLIBS)
endif

# ---- profile-guided optimisation ---------------------------------------------
# A gcc build compiles the library twice: with -fprofile-generate into
# $(BUILD)/pgo (a make of its own, so that every object gets exactly the
# flags of the final build, target-specific ones included), linked into
# tools/pgo-train.c, which parses, resolves and compiles the profiles
# secprof is measured on; then $(BUILD)'s objects with the counts that run
# wrote. Why: with the branches the pipeline takes known, gcc lays its code
# out together and moves the rest away: a cold compile of Docker's default
# runs 11% fewer instructions and fetches 8% fewer lines of code (README,
# "Performance"). Only an object the training entered (it has counts) is
# compiled with them; the others are compiled as with PGO=0. In those it
# entered, a function it never ran is optimised for speed as without counts
# (-fprofile-partial-training), not for size. -fno-unroll-loops,
# -fno-peel-loops, -fno-tracer: -fprofile-use turns them on, and the copies
# of code they make cost a compile that starts cold more lines of code than
# the instructions they save (cachegrind: 1,771 lines with them, 1,478
# without a profile, 1,361 without them).
# -dumpdir: gcc names a static function's counts after the object's path
# (gcc/coverage.cc, coverage_compute_profile_id, hashes aux_base_name), so
# both compiles of an object are given the final object's directory, made
# absolute (BUILD=build and BUILD=$$PWD/build name the same objects), and
# the counts are written where -fprofile-use reads them.
# Counts must come from objects compiled as the final ones are: pgo-flags
# holds the compiler, its flags and the build's absolute path, is rewritten
# only when they change, and every instrumented object depends on it.
# A change to a library source trains again and compiles every object
# again; PGO=0 builds once, for quick edits. Not under the sanitizers or
# the fuzz build, not with clang (another profile format), not for the
# musl secprof-static.
CC_IS_GCC := $(shell $(CC) -v 2>&1 | grep -q '^gcc version' && echo 1)
PGO ?= 1
ifneq ($(CC_IS_GCC):$(SAN),1:)
override PGO := 0
endif
PGO_USE ?= -fprofile-use -fprofile-partial-training -fno-unroll-loops -fno-peel-loops -fno-tracer
# In the instrumented make: its objects are stale when the flags stamp is newer.
ifneq ($(PGO_STAMP),)
$(LIB_OBJ): $(PGO_STAMP)
endif
ifeq ($(PGO),1)
PGO_DIR := $(BUILD)/pgo
PGO_FLAGS := $(abspath $(BUILD))/pgo-flags
# make expands a recipe's $(file) before it runs any line of it, so the
# directory is made by a rule of its own first.
$(PGO_FLAGS): FORCE | $(abspath $(BUILD))/.dir
	$(file >$@.tmp,$(CC) $(CFLAGS) | $(OPT) | $(PGO_USE) | $(abspath $(BUILD)))
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
$(abspath $(BUILD))/.dir:
	@mkdir -p $(dir $@) && touch $@
# FORCE: only the sub-make knows whether an instrumented object is stale; the
# archive's time changes only when it relinks.
$(PGO_DIR)/libsecprof.a: $(PGO_FLAGS) FORCE
	$(MAKE) --no-print-directory BUILD=$(PGO_DIR) PGO=0 PGO_DUMPDIR=$(BUILD) \
		PGO_STAMP=$(PGO_FLAGS) OPT='$(OPT) -fprofile-generate' $@
$(PGO_DIR)/pgo-train: tools/pgo-train.c $(PGO_DIR)/libsecprof.a
	$(CC) $(CLI_CFLAGS) $(LDFLAGS) -fprofile-generate -o $@ $< $(PGO_DIR)/libsecprof.a $(LDLIBS)
# Counts of an earlier training never mix with this one's.
$(PGO_DIR)/trained: $(PGO_DIR)/pgo-train
	find $(PGO_DIR) $(wildcard $(BUILD)/src) -name '*.gcda' -delete
	$(PGO_DIR)/pgo-train
	touch $@
$(LIB_OBJ): $(PGO_DIR)/trained
# private: not passed on to the prerequisites (the training program). The
# counts are tested for when the object is compiled, after the training
# (make's own view of a directory may predate them).
$(LIB_OBJ): private CFLAGS += $$(test -f $(abspath $(basename $@)).gcda && echo '$(PGO_USE)') \
                               -dumpdir $(abspath $(@D))/
endif

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR   ?= $(DATADIR)/zsh/site-functions
INSTALL      ?= install

# Man pages and completions are installed when the tree has them.
INST_MAN  := $(wildcard doc/man/*.1)
INST_BASH := $(wildcard completions/secprof.bash)
INST_ZSH  := $(wildcard completions/_secprof)

# The .pc file carries the prefix it is installed under: rewritten (only when
# its text changes) on every make that needs it, since PREFIX is not a file.
$(BUILD)/secprof.pc: include/secprof.pc.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	     -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(SECPROF_VERSION)|g' -e 's|@LIBS_PRIVATE@|$(strip $(LDLIBS))|g' $< >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "generated $@"; fi

# Everything install puts under $(DESTDIR), so uninstall removes exactly that.
INST_FILES := $(BINDIR)/secprof $(LIBDIR)/libsecprof.a $(LIBDIR)/$(SHLIB_REAL) \
              $(LIBDIR)/$(SHLIB_SONAME) $(LIBDIR)/libsecprof.so $(INCLUDEDIR)/secprof.h \
              $(PKGCONFIGDIR)/secprof.pc $(addprefix $(MANDIR)/man1/,$(notdir $(INST_MAN))) \
              $(if $(INST_BASH),$(BASHCOMPDIR)/secprof) $(if $(INST_ZSH),$(ZSHCOMPDIR)/_secprof)

# ldconfig refreshes the loader's cache for a live install (a library under
# /usr/local/lib is found through that cache only); a staged DESTDIR install
# is the packager's business.
SHLIB_LDCONFIG = if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; \
	then ldconfig; fi

# The man pages and completions are written by the build, so their names
# are read (wildcard) by a second make that starts after `all`.
install: all $(BUILD)/secprof.pc $(BUILD)/secprof.inst
	$(MAKE) --no-print-directory install-files

# The installed secprof: linked again with a RUNPATH from BINDIR to LIBDIR
# ($ORIGIN/../lib by default), as libtool relinks for install, so it finds
# the installed library under any PREFIX or DESTDIR without the loader's
# cache. Relinked on every install: BINDIR and LIBDIR are not files.
BIN_TO_LIB = $(shell realpath -m --relative-to=$(BINDIR) $(LIBDIR))
$(BUILD)/secprof.inst: $(CLI_OBJ) $(BUILD)/$(SHLIB_SONAME) FORCE
	$(CC) $(LDFLAGS) $(RELR_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/$(SHLIB_SONAME) -Wl,-rpath,'$$ORIGIN/$(BIN_TO_LIB)'

install-files:
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 755 $(BUILD)/secprof.inst $(DESTDIR)$(BINDIR)/secprof
	$(INSTALL) -m 644 $(BUILD)/libsecprof.a $(DESTDIR)$(LIBDIR)/libsecprof.a
	$(INSTALL) -m 644 $(BUILD)/$(SHLIB_REAL) $(DESTDIR)$(LIBDIR)/$(SHLIB_REAL)
	ln -sf $(SHLIB_REAL) $(DESTDIR)$(LIBDIR)/$(SHLIB_SONAME)
	ln -sf $(SHLIB_SONAME) $(DESTDIR)$(LIBDIR)/libsecprof.so
	$(INSTALL) -m 644 include/secprof.h $(DESTDIR)$(INCLUDEDIR)/secprof.h
	$(INSTALL) -m 644 $(BUILD)/secprof.pc $(DESTDIR)$(PKGCONFIGDIR)/secprof.pc
ifneq ($(INST_MAN),)
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 644 $(INST_MAN) $(DESTDIR)$(MANDIR)/man1/
endif
ifneq ($(INST_BASH),)
	$(INSTALL) -d $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 644 $(INST_BASH) $(DESTDIR)$(BASHCOMPDIR)/secprof
endif
ifneq ($(INST_ZSH),)
	$(INSTALL) -d $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 644 $(INST_ZSH) $(DESTDIR)$(ZSHCOMPDIR)/_secprof
endif
	@$(SHLIB_LDCONFIG)

# Files only: directories stay, as automake's uninstall leaves them, since
# install did not necessarily create them (/usr/local/lib, share/man/man1...).
uninstall: man completions
	$(MAKE) --no-print-directory uninstall-files

uninstall-files:
	rm -f $(addprefix $(DESTDIR),$(INST_FILES))
	@$(SHLIB_LDCONFIG)

check-abi: $(BUILD)/libsecprof.so
	tests/run-tests $(BUILD) suite/abi

# Internal functions the CLI calls (none: it links libsecprof.so, and the
# link would fail); kept to show the gap stays closed.
cli-api-gap: $(CLI_OBJ)
	@nm -u $(CLI_OBJ) | awk '$$2 ~ /^sp_/ { print $$2 }' | sort -u

.PHONY: install install-files uninstall uninstall-files check-abi cli-api-gap FORCE
FORCE:
# ---- end of shared library, pkg-config, install -----------------------------

# ---- formatting: .clang-format (clang-format 14, Debian 12's) ---------------
# check-format (run by make check) fails when a file listed in
# tools/format-files differs from what clang-format makes of it; format
# rewrites those files; format-all rewrites every C file of the tree and
# lists them all in tools/format-files, so check-format holds the whole tree
# from then on. A table that is data is fenced with clang-format off/on.
CLANG_FORMAT ?= clang-format
FORMAT_FILES = $(shell sed -e 's/\#.*//' -e '/^[[:space:]]*$$/d' tools/format-files)
FORMAT_ALL = $(sort $(wildcard src/*.c src/*/*.c src/*/*.h cli/*.c cli/*.h include/*.h init/*.c \
	tests/*/*.c tests/*/*.h examples/*.c bench/*.c))

check-format:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "check-format: $(CLANG_FORMAT) not found (tools/install-deps.sh)"; exit 1; }
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-all:
	$(CLANG_FORMAT) -i $(FORMAT_ALL)
	@{ sed -n '/^#/p' tools/format-files; printf '%s\n' $(FORMAT_ALL); } >tools/format-files.tmp
	@mv tools/format-files.tmp tools/format-files
	@echo "format-all: $(words $(FORMAT_ALL)) files formatted and listed in tools/format-files"

.PHONY: check-format format format-all

bench: all $(BUILD)/tests/denials $(STATIC_BIN)
	$(MAKE) -C bench BUILD=$(abspath $(BUILD)) EXTRA_LIBS="$(LDLIBS)" run image runtimes
	$(MAKE) -C bench BUILD=$(abspath $(BUILD)) EXTRA_LIBS="$(LDLIBS)" record

gen:
	python3 tools/gen-syscalls.py ../shared/reference/syscalls.csv data/libseccomp-2.5.4-unknown.tsv \
		> src/gen/syscalls.inc
	python3 tools/gen-argtypes.py ../shared/reference/syscalls.csv \
		../shared/reference/kernel/syscalls-6.1.h > src/gen/argtypes.inc
	python3 tools/gen-default.py ../shared/reference/moby-default.json data/default-floor.tsv \
		> src/gen/default_profile.inc
	python3 tools/gen-reasons.py data/reasons.tsv src/gen/reasons.inc
	python3 tools/gen-syscall-kernel.py inc data/syscall-kernel.tsv src/gen/syscall_kernel.inc
	python3 tools/gen-syscall-mix.py data/syscall-mix.tsv ../shared/reference/syscalls.csv \
		> src/gen/syscall_mix.inc
	python3 tools/gen-errnames.py /usr/include/asm-generic/errno-base.h \
		/usr/include/asm-generic/errno.h /usr/include/asm-generic/signal.h > src/gen/errnames.inc

clean:
	rm -rf build build-asan build-clang build-fuzz doc/man completions

help:
	@echo "all check check-layers check-asan check-clang check-all bench gen clean man completions"
	@echo "check-format format format-all"
