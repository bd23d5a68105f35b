# kjob — one Makefile with knobs (see README.md, "Building").
#
#   make                 build bin/kjobd, bin/kjobctl, bin/kuard
#   make test            deps + build + unit + fuzz replay + images + e2e
#   make run             deps + build + engine + images + the book's examples
#   make SANITIZER=address|undefined test
#   CI=true make test    adds -Werror
#   make V=1             show the full compiler command lines
#
# Sources are found by wildcard: a new pkg/<module>/*.c joins libkjob.a, a new
# tests/unit/test_<module>.c becomes a unit binary, a new tests/fuzz/fuzz_<x>.c
# a fuzz target, a new tests/e2e/test_*.sh an end-to-end test.

CC      ?= cc
ifeq ($(V),1)
Q :=
else
Q := @
endif
CLANG   ?= clang
SANITIZER ?=
VARIANT ?= $(if $(SANITIZER),$(SANITIZER),default)
BUILD   := build/$(VARIANT)

# libevent_core + _extra rather than libevent (which holds both): libevent_openssl
# loads libevent_core anyway, and --as-needed drops the -levent its .pc adds.
PKGS      := libcurl libcjson yaml-0.1 libevent_core libevent_extra libevent_openssl libssl libcrypto
TEST_PKGS := cmocka

STD   := -std=c11 -D_GNU_SOURCE
WARN  := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
         -Wmissing-declarations -Wformat=2 -Wswitch-enum -Wswitch-default \
         -Wno-missing-field-initializers -Wno-format-nonliteral \
         -Werror=missing-prototypes -Werror=missing-declarations -Werror=strict-prototypes
OPT   := -O2 -g
HARDEN := -fstack-protector-strong -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now -Wl,--as-needed
ifneq ($(CI),)
KJ_CFLAGS += -Werror
endif

ifeq ($(SANITIZER),address)
OPT := -O1 -g
SAN := -fsanitize=address -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SANITIZER),undefined)
OPT := -O1 -g
SAN := -fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SANITIZER),thread)
OPT := -O1 -g
SAN := -fsanitize=thread -fno-omit-frame-pointer
else ifneq ($(SANITIZER),)
$(error SANITIZER must be address, undefined or thread)
else
HARDEN += -D_FORTIFY_SOURCE=2
endif

# pkg-config is asked lazily so that `make deps` works before the -dev packages exist.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

FINAL_CFLAGS  = $(STD) $(WARN) $(OPT) $(HARDEN) $(SAN) -Ipkg $(PKG_CFLAGS) $(CFLAGS) $(KJ_CFLAGS) -MMD -MP
FINAL_LDFLAGS = $(HARDEN_LD) $(SAN) $(LDFLAGS)

# MODULES/CMDS narrow a build to some modules, e.g. while another is half-written:
#   make VARIANT=mine MODULES="util api" CMDS= build/mine/tests/test_api
MODULES   ?= $(notdir $(wildcard pkg/*))
PKG_SRCS  := $(sort $(foreach m,$(MODULES),$(wildcard pkg/$(m)/*.c)))
PKG_OBJS  := $(PKG_SRCS:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libkjob.a
CMDS      ?= $(notdir $(wildcard cmd/*))
CMD_BINS  := $(CMDS:%=$(BUILD)/bin/%)
BINS      := $(CMDS:%=bin/%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
# An archive, so a test links only the helpers it uses (and their modules).
UNIT_HELPER_LIB := $(BUILD)/tests/libunithelpers.a
# Integration tests: cmocka binaries that need a live engine; run with e2e.
ITEST_SRCS := $(sort $(wildcard tests/integration/test_*.c))
ITESTS     := $(ITEST_SRCS:tests/integration/%.c=$(BUILD)/itests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: all test unit unit-bins e2e images run fuzz fuzz-replay fuzz-replay-bins clean \
        deps engine valgrind bench check-banned FORCE
.DEFAULT_GOAL := all

all: $(BINS)

# bin/ holds the variant built last; cmp keeps the copy honest when the
# variant changes in either direction.
bin/%: $(BUILD)/bin/% FORCE
	@mkdir -p bin
	@cmp -s $< $@ || cp -f $< $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) -c $< -o $@

$(LIB): $(PKG_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

define CMD_RULE
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(LIB)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LINK    $$@")
	$$(Q)$$(CC) $$(FINAL_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIB) $$(PKG_LIBS)
endef
$(foreach c,$(CMDS),$(eval $(call CMD_RULE,$(c))))

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) $(TEST_CFLAGS) -Itests/unit -c $< -o $@

$(UNIT_HELPER_LIB): $(UNIT_HELPERS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/test_%: tests/unit/test_%.c $(UNIT_HELPER_LIB) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) $(TEST_CFLAGS) -Itests/unit $(FINAL_LDFLAGS) -o $@ $< $(UNIT_HELPER_LIB) $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/itests/test_%: tests/integration/test_%.c $(UNIT_HELPER_LIB) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) $(TEST_CFLAGS) -Itests/unit $(FINAL_LDFLAGS) -o $@ $< $(UNIT_HELPER_LIB) $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) $(FINAL_LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(LIB) $(PKG_LIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) $(FINAL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

# libFuzzer builds: clang, all of pkg/ compiled again with coverage.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(PKG_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(STD) $(FUZZ_FLAGS) -Ipkg $(PKG_CFLAGS) -o $@ $< $(PKG_SRCS) $(PKG_LIBS)

unit-bins: $(UNIT_TESTS)
fuzz-replay-bins: $(FUZZ_REPLAY)
bench: $(BENCH_BINS) $(BINS)
fuzz: deps $(FUZZ_BINS)
	@echo "fuzz targets in build/fuzz/; run e.g. build/fuzz/fuzz_yaml tests/fuzz/corpus/yaml -max_total_time=600"

unit: deps $(UNIT_TESTS)
	@scripts/run-tests.sh unit $(UNIT_TESTS)

fuzz-replay: deps $(FUZZ_REPLAY)
	@scripts/run-tests.sh fuzz $(FUZZ_REPLAY)

valgrind: deps $(UNIT_TESTS)
	@KJ_VALGRIND=1 scripts/run-tests.sh unit $(UNIT_TESTS)

deps:
	@scripts/deps.sh

engine: deps
	@scripts/engine.sh

images: deps
	@$(MAKE) --no-print-directory SANITIZER= build/default/bin/kuard build/default/bin/kjobd
	@scripts/build-images.sh build/default/bin

e2e: deps all engine images $(ITESTS)
	@scripts/run-tests.sh e2e $(ITESTS) $(sort $(wildcard tests/e2e/test_*.sh))

# One run, one summary: unit binaries, fuzz corpus replay, end-to-end scripts.
test: deps
	@$(MAKE) --no-print-directory all unit-bins fuzz-replay-bins $(ITESTS)
	@scripts/engine.sh
	@$(MAKE) --no-print-directory images
	@scripts/run-tests.sh all $(UNIT_TESTS) $(FUZZ_REPLAY) $(ITESTS) $(sort $(wildcard tests/e2e/test_*.sh))

run: deps all engine images
	@scripts/run-examples.sh

check-banned:
	@! grep -nE '\b(sprintf|strcpy|strcat|gets)\(' $(PKG_SRCS) $(wildcard cmd/*/*.c) || \
	  { echo "banned function used" >&2; exit 1; }

clean:
	rm -rf build bin

-include $(PKG_OBJS:.o=.d) $(wildcard $(BUILD)/cmd/*/*.d) $(wildcard $(BUILD)/tests/*.d) $(wildcard $(BUILD)/tests/unit/*.d) $(wildcard $(BUILD)/itests/*.d)
