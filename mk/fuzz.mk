# mk/fuzz.mk - libFuzzer target for the profile decoder and reports.
#
#   make fuzz [FUZZ_TIME=300]   fuzz for FUZZ_TIME seconds (corpus grows in $(BUILD)/fuzz/corpus)
#   make fuzz-build             just build $(BUILD)/fuzz/fuzz_profile
#
# Built with clang -fsanitize=fuzzer,address,undefined (Debian: clang and
# libclang-rt-14-dev), independently of the normal build's objects.

FUZZ_CC   ?= clang
FUZZ_TIME ?= 300
FUZZ_BIN  := $(BUILD)/fuzz/fuzz_profile
FUZZ_SRC  := tests/fuzz/fuzz_profile.c \
	$(addprefix src/base/,arena.c buf.c err.c file.c str.c) \
	$(addprefix src/pprof/,profile.c codec.c report.c graph.c units.c top.c peek.c traces.c list.c merge.c)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BIN)

$(FUZZ_BIN): $(FUZZ_SRC) $(GEN_C) $(wildcard src/pprof/*.h src/base/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc -Iinclude -I$(BUILD)/gen \
		$(shell $(PKG_CONFIG) --cflags libprotobuf-c zlib 2>/dev/null) \
		-o $@ $(FUZZ_SRC) $(GEN_C) \
		$(shell $(PKG_CONFIG) --libs libprotobuf-c zlib 2>/dev/null) -lm

fuzz: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 $(BUILD)/fuzz/corpus tests/fuzz/corpus
