# proflab - a profiling course in the terminal, with a real profiler.
#
#   make run        build and open the course
#   make test       build and run the test suite (installs packages first)
#   make check      the suite again under AddressSanitizer and UBSan
#   make bench      benchmarks, written to bench/RESULTS.md
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install the Debian packages the build and tests need
#
# Build products go to $(BUILD) (default build/). Several build directories
# can coexist: make BUILD=build-dbg OPT=-O0.

VERSION := 0.1.0

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share/proflab
MANDIR     ?= $(PREFIX)/share/man

CC         ?= cc
AR         ?= ar
PKG_CONFIG ?= pkg-config
PROTOC_C   ?= protoc-c
OPT        ?= -O2 -g
# SAN: sanitizers for the course binary and unit tests (make check sets it);
# RT_SAN: for the runtime, which is preloaded into programs without ASan.
SAN        ?=
RT_SAN     ?=
WERROR     ?=

# ---- Debian packages: build, tests (peers) and benchmarks ----
DEB_BUILD := build-essential pkg-config libncurses-dev libcmark-gfm-dev \
	libcmark-gfm-extensions-dev libprotobuf-c-dev protobuf-c-compiler \
	zlib1g-dev libunwind-dev libdw-dev libelf-dev libmicrohttpd-dev libedit-dev
DEB_TEST  := golang-go tmux curl libxml2-utils clang libclang-rt-14-dev python3 man-db nodejs
DEB_BENCH := google-perftools libgoogle-perftools-dev heaptrack linux-perf hyperfine valgrind
DEB_PACKAGES := $(DEB_BUILD) $(DEB_TEST) $(DEB_BENCH) $(DEB_EXTRA)

# ---- dependencies, found with pkg-config (evaluated once, when first used) ----
# libmicrohttpd: headers only; the runtime loads it when the debug endpoint
# starts (src/runtime/mhd.c), by the soname found here.
PKGS_RT_LINK := libunwind libdw libprotobuf-c zlib
PKGS_RT  := $(PKGS_RT_LINK) libmicrohttpd
PKGS_APP := ncursesw libcmark-gfm libprotobuf-c zlib libdw libedit
pkg = $(shell $(PKG_CONFIG) $(1) $(2) 2>/dev/null)
RT_PKG_CFLAGS  = $(eval RT_PKG_CFLAGS := $(call pkg,--cflags,$(PKGS_RT)))$(RT_PKG_CFLAGS)
RT_PKG_LIBS    = $(eval RT_PKG_LIBS := $(call pkg,--libs,$(PKGS_RT_LINK)))$(RT_PKG_LIBS)
MHD_SONAME     = $(eval MHD_SONAME := $(or $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir libmicrohttpd)/libmicrohttpd.so" 2>/dev/null | awk '/SONAME/ { print $$2 }'),libmicrohttpd.so.12))$(MHD_SONAME)
APP_PKG_CFLAGS = $(eval APP_PKG_CFLAGS := $(call pkg,--cflags,$(PKGS_APP)))$(APP_PKG_CFLAGS)
APP_PKG_LIBS   = $(eval APP_PKG_LIBS := $(call pkg,--libs,$(PKGS_APP)))$(APP_PKG_LIBS)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wwrite-strings
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -fPIC -fvisibility=hidden \
	-fno-omit-frame-pointer $(OPT) -MMD -MP -Iinclude -I$(BUILD)/gen
CFLAGS_ALL = $(BASE_CFLAGS) $(WARN) $(if $(WERROR),-Werror) $(CFLAGS)
LIBS_SYS := -lpthread -ldl -lm -lrt

# ---- sources ----
BASE_SRC   := $(wildcard src/base/*.c)
RT_SRC     := $(wildcard src/runtime/*.c)
PPROF_SRC  := $(wildcard src/pprof/*.c)
# The part of src/pprof that the runtime links: the model, the codec and
# what turns raw stacks into a symbolized profile.
PPROF_RT_SRC := $(filter $(addprefix src/pprof/,profile.c codec.c builder.c symbolize.c),$(PPROF_SRC))
COURSE_SRC := $(wildcard src/course/*.c)
TUI_SRC    := $(wildcard src/tui/*.c)
CLI_SRC    := $(wildcard src/cli/*.c)

GEN_C   := $(BUILD)/gen/profile.pb-c.c
GEN_H   := $(BUILD)/gen/profile.pb-c.h
GEN_OBJ := $(BUILD)/obj/gen/profile.pb-c.o
CONFIG_H := $(BUILD)/gen/config.h

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
rtobj = $(patsubst %.c,$(BUILD)/rtobj/%.o,$(1))

RT_OBJS  := $(call rtobj,$(RT_SRC) $(PPROF_RT_SRC) $(BASE_SRC)) $(BUILD)/rtobj/gen/profile.pb-c.o
# The part of src/runtime that the CLI links: record checks -http's
# address with the runtime's own parser before the run.
RT_APP_SRC := src/runtime/http_addr.c
APP_OBJS := $(call obj,$(BASE_SRC) $(PPROF_SRC) $(RT_APP_SRC) $(COURSE_SRC) $(TUI_SRC) $(CLI_SRC)) $(GEN_OBJ)
LIB_OBJS := $(filter-out $(BUILD)/obj/src/cli/main.o,$(APP_OBJS))

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_RT_SRC := $(filter tests/unit/test_rt_%,$(UNIT_SRC))
UNIT_APP_SRC := $(filter-out $(UNIT_RT_SRC),$(UNIT_SRC))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
PROG_SRC  := $(wildcard tests/progs/*.c)
PROG_BINS := $(patsubst tests/progs/%.c,$(BUILD)/tests/progs/%,$(PROG_SRC)) \
	$(patsubst tests/progs/%.c,$(BUILD)/tests/progs/%-linked,$(PROG_SRC))

BIN    := $(BUILD)/proflab
LIB_A  := $(BUILD)/libproflab.a
LIB_SO := $(BUILD)/libproflab.so

.PHONY: all run test check bench install uninstall deps clean tests pkgcheck
.DEFAULT_GOAL := all

all: $(BIN) $(LIB_A) $(LIB_SO)

run: deps all
	$(BIN)

# ---- packages ----
deps:
	@command -v dpkg-query >/dev/null 2>&1 || { echo "make deps: not a Debian system; install the packages named in the Makefile (DEB_PACKAGES) by hand"; exit 0; }; \
	missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done | tr '\n' ' '); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "make deps: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "make deps: missing packages; run:"; \
		echo "  sudo apt-get install -y $$missing"; \
		exit 1; \
	fi

pkgcheck:
	@for p in $(sort $(PKGS_RT) $(PKGS_APP)); do \
		$(PKG_CONFIG) --exists $$p || { echo "missing dependency $$p (pkg-config); run: make deps"; exit 1; }; \
	done; command -v $(PROTOC_C) >/dev/null || { echo "missing protoc-c; run: make deps"; exit 1; }

# ---- generated code ----
$(GEN_C) $(GEN_H): proto/profile.proto | pkgcheck
	@mkdir -p $(BUILD)/gen
	$(PROTOC_C) --proto_path=proto --c_out=$(BUILD)/gen proto/profile.proto

# Install paths baked in as the last fallback (see src/base/paths.h);
# rewritten only when they change, so a new PREFIX rebuilds what needs it.
$(CONFIG_H): FORCE
	@mkdir -p $(BUILD)/gen
	@printf '#define PF_VERSION "%s"\n#define PF_DATADIR "%s"\n#define PF_LIBDIR "%s"\n#define PF_INCLUDEDIR "%s"\n#define PF_MHD_SONAME "%s"\n' \
		'$(VERSION)' '$(DATADIR)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(MHD_SONAME)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
FORCE:

# ---- compilation ----
$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN) $(CFLAGS) $(APP_PKG_CFLAGS) -c $< -o $@
$(BUILD)/rtobj/gen/%.o: $(BUILD)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(RT_SAN) $(CFLAGS) $(RT_PKG_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(GEN_H) | $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN) $(APP_PKG_CFLAGS) -c $< -o $@
$(BUILD)/rtobj/%.o: %.c $(GEN_H) | $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(RT_SAN) -DPF_RUNTIME -fno-plt $(RT_PKG_CFLAGS) -c $< -o $@

$(BIN): $(APP_OBJS)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(APP_PKG_LIBS) $(LIBS_SYS)

$(LIB_A): $(RT_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(RT_OBJS)
	$(CC) -shared $(RT_SAN) $(LDFLAGS) -Wl,-soname,libproflab.so -o $@ $^ $(RT_PKG_LIBS) $(LIBS_SYS)

# ---- tests ----
$(BUILD)/tests/unit/test_rt_%: tests/unit/test_rt_%.c tests/unit/t.h $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(RT_SAN) $(RT_PKG_CFLAGS) -Isrc -o $@ $< $(LIB_A) $(RT_PKG_LIBS) $(LIBS_SYS)
$(BUILD)/tests/unit/test_%: tests/unit/test_%.c tests/unit/t.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN) $(APP_PKG_CFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(APP_PKG_LIBS) $(LIBS_SYS)

# Test programs: built like the exercises (-O2 -g -fno-omit-frame-pointer),
# once plain (for preloading) and once linked with libproflab.a, whole
# archive so that its start-up constructor comes along (README).
PROG_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g -fno-omit-frame-pointer -pthread -Iinclude
PROG_HDRS := $(wildcard tests/progs/*.h)
$(BUILD)/tests/progs/%-linked: tests/progs/%.c $(PROG_HDRS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) $(RT_SAN) -o $@ $< -Wl,--whole-archive $(LIB_A) -Wl,--no-whole-archive $(RT_PKG_LIBS) $(LIBS_SYS)
$(BUILD)/tests/progs/%: tests/progs/%.c $(PROG_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -o $@ $< $(LIBS_SYS)

tests: all $(UNIT_BINS) $(PROG_BINS)

# T=PATTERN runs only the test files whose names contain PATTERN.
test: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) T='$(T)' bash tests/run.sh

check: deps
	@$(MAKE) --no-print-directory BUILD=$(BUILD)-san OPT='-O1 -g' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=undefined' \
		RT_SAN='-fsanitize=undefined -fno-sanitize-recover=undefined' tests
	@BUILD=$(BUILD)-san T='$(T)' PROFLAB_SANITIZED=1 \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 bash tests/run.sh

bench: deps all
	@BUILD=$(BUILD) bash bench/run.sh

# ---- install ----
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/proflab
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libproflab.a
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libproflab.so
	install -m 644 include/proflab.h $(DESTDIR)$(INCLUDEDIR)/proflab.h
	install -m 644 man/proflab.1 $(DESTDIR)$(MANDIR)/man1/proflab.1
	# Explicit modes, not cp -R: the content must be readable by every user
	# whatever the installer's umask. Executable files stay executable.
	find lessons exercises quizzes -type d | while IFS= read -r d; do \
		install -d -m 755 "$(DESTDIR)$(DATADIR)/$$d" || exit 1; done
	find lessons exercises quizzes -type f | while IFS= read -r f; do \
		if [ -x "$$f" ]; then m=755; else m=644; fi; \
		install -m $$m "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/proflab $(DESTDIR)$(LIBDIR)/libproflab.a \
		$(DESTDIR)$(LIBDIR)/libproflab.so $(DESTDIR)$(INCLUDEDIR)/proflab.h \
		$(DESTDIR)$(MANDIR)/man1/proflab.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD) $(BUILD)-san

# Extra targets of a piece of the project (fuzzing, benchmarks...).
-include mk/*.mk
-include $(shell find $(BUILD)/obj $(BUILD)/rtobj -name '*.d' 2>/dev/null)
