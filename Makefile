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
LDLIBS  += -lz
REF_DIR ?= ../shared/reference
# The one definition of secprof's version (secprof --version, the man pages).
VERSION := 0.1.0

LIB_SRC := $(sort $(wildcard src/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/%)

.PHONY: all check check-asan check-clang check-all fuzz bench gen clean help man completions

all: $(BUILD)/secprof $(BUILD)/libsecprof.a man completions

$(BUILD)/%.o: %.c $(wildcard include/*.h src/*.h src/gen/*.inc cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libsecprof.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/secprof: $(CLI_OBJ) $(BUILD)/libsecprof.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libsecprof.a $(LDLIBS)

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

# A static secprof, so `secprof probe` runs inside any root filesystem
# (container tests, runc comparison) without the host's shared libraries.
$(BUILD)/secprof-static: $(CLI_OBJ) $(BUILD)/libsecprof.a
	$(CC) -static -o $@ $(CLI_OBJ) $(BUILD)/libsecprof.a -lz

# Unit tests and test helpers link the static archive to reach internals.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsecprof.a tests/unit/tap.h $(wildcard tests/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libsecprof.a $(LDLIBS) $(TEST_LDLIBS)

$(BUILD)/tests/%: tests/helpers/%.c $(BUILD)/libsecprof.a $(wildcard tests/compat/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/libsecprof.a $(LDLIBS) $(TEST_LDLIBS)

# No static binary under the sanitizers (their runtimes do not link statically).
STATIC_BIN := $(if $(filter 1,$(SAN)),,$(BUILD)/secprof-static)
tests-bin: all $(STATIC_BIN) $(UNIT_BIN) $(HELPER_BIN)

TEST_LDLIBS ?= -lseccomp

check: tests-bin
	tests/run-tests $(BUILD)

check-asan:
	$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 check

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
# FUZZ_SECONDS on the parse corpus and the reference profiles.
FUZZ_SECONDS ?= 10
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS = -std=gnu11 -g -O1 -D_GNU_SOURCE -DSECPROF_BUILDING -Iinclude -Isrc -Itests/fuzz

FUZZ_LIB := build-fuzz/lib/libsecprof.a

ifneq ($(SAN),fuzz) # the sub-make below builds $(FUZZ_LIB) with the generic rule
$(FUZZ_LIB): $(LIB_SRC) $(wildcard src/*.h include/*.h src/gen/*.inc)
	$(MAKE) CC=clang BUILD=build-fuzz/lib SAN=fuzz OPT=-O1 $(FUZZ_LIB)
endif

build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(wildcard tests/fuzz/*.h tests/fuzz/json_yajl_ref.c)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB) $(LDLIBS) -lyajl

fuzz: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
		d=$$(mktemp -d); cp tests/parse/*.json $$d/ 2>/dev/null || true; \
		cp $(REF_DIR)/*.json $(REF_DIR)/*/*.json $$d/ 2>/dev/null || true; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $$d >$$d.log 2>&1 \
			|| { tail -n 40 $$d.log; exit 1; }; \
		grep -E '^Done [0-9]+ runs' $$d.log | tail -n 1; rm -rf $$d $$d.log; \
	done

bench: all
	$(MAKE) -C bench BUILD=$(abspath $(BUILD))

gen:
	python3 tools/gen-syscalls.py ../shared/reference/syscalls.csv > src/gen/syscalls.inc
	python3 tools/gen-argtypes.py ../shared/reference/syscalls.csv \
		../shared/reference/kernel/syscalls-6.1.h > src/gen/argtypes.inc
	python3 tools/gen-default.py ../shared/reference/moby-default.json > src/gen/default_profile.inc

clean:
	rm -rf build build-asan build-clang build-fuzz doc/man completions

help:
	@echo "all check check-asan check-clang check-all bench gen clean man completions"
