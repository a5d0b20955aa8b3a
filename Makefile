# kechuang — one non-recursive Makefile.
#
#   make            build build/kechuang
#   make run        install missing dependencies, build, demo database, serve
#   make check      install missing dependencies, build, run every test
#   make lint       clang-format, clang-tidy, cppcheck, layering rules
#   make fuzz       run the libFuzzer targets for FUZZ_SECONDS each
#   make deb        build the Debian package $(BUILD)/kechuang_VERSION_ARCH.deb
#   make SAN=1 ...  build with AddressSanitizer + UndefinedBehaviorSanitizer
#   make BUILD=dir  put every output under dir (default build)

BUILD ?= build
SAN ?= 0
FUZZ_SECONDS ?= 60
CC ?= cc
HOSTCC ?= cc

PKGS := libmicrohttpd sqlite3 libpq jansson libsodium libzip expat xlsxwriter zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wformat=2 -Wno-unused-parameter -Wvla -Werror=implicit-function-declaration
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# ---- sources -------------------------------------------------------------
LAYERS := base db rules domain api http
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c src/$(l)/*/*.c))
CLI_SRC := $(wildcard src/cli/*.c)
GEN_SRC := $(BUILD)/gen/migrations.c $(BUILD)/gen/assets.c $(BUILD)/gen/version.c \
           $(BUILD)/gen/openapi.c
GEN_SRC += $(BUILD)/gen/rules.c
GEN_SRC += $(BUILD)/gen/carrier_rules.c
LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC) $(GEN_SRC:$(BUILD)/%=%))
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
LIB := $(BUILD)/libkechuang.a
BIN := $(BUILD)/kechuang

MIGRATIONS := $(sort $(wildcard src/db/sql/*.sql))
PG_MIGRATIONS := $(sort $(wildcard src/db/sql/pg/*.sql))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
API_SRC := $(wildcard tests/api/test_*.c)
TEST_HELPER_SRC := $(wildcard tests/common/*.c)
TEST_HELPER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_HELPER_SRC))
UNIT_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRC) $(API_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
REPLAY_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/replay/%,$(FUZZ_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

.PHONY: all run check lint fuzz deps clean tests format deb
all: $(BIN)

# ---- build ---------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The batch evaluator's block kernels are written as branch-free loops to
# be vectorised; -O2's cheap cost model leaves loops over a block's row
# count scalar. On x86-64 they are built a second time with AVX2 (which
# vectorises loops mixing 64-bit values and byte states), picked at run
# time when the processor has it (docs/internals/batch.md).
$(BUILD)/obj/src/rules/batch_fast.o: ALL_CFLAGS += -O3
ifeq ($(shell $(CC) -dumpmachine | cut -d- -f1),x86_64)
BATCH_AVX2_OBJ := $(BUILD)/obj/src/rules/batch_fast_avx2.o
LIB_OBJ += $(BATCH_AVX2_OBJ)
$(BUILD)/obj/src/rules/batch.o: ALL_CFLAGS += -DBATCH_HAVE_AVX2
$(BATCH_AVX2_OBJ): src/rules/batch_fast.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O3 -mavx2 -DBATCH_FAST_AVX2 -MMD -MP -c $< -o $@
endif

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -o $@ $< -lz

$(BUILD)/gen/migrations.c: $(BUILD)/tools/embed $(MIGRATIONS) $(PG_MIGRATIONS)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed migrations src/db/sql $(MIGRATIONS) > $@.tmp && \
	  $(BUILD)/tools/embed pg-migrations src/db/sql/pg $(PG_MIGRATIONS) >> $@.tmp && mv $@.tmp $@

# ---- web UI ----------------------------------------------------------------
# The UI is built by Vite from web/ into web/dist and embedded into the
# binary. web/dist/index.html is the stamp: it is rebuilt only when a web
# source changes. `npm ci` runs when web/node_modules is missing or older
# than package-lock.json (npm writes node_modules/.package-lock.json on every
# install: that file is the stamp). Builds of several BUILD dirs may run at
# once, so npm runs under a lock and Vite builds into a fresh directory that
# is renamed into place. The browser tests need web/node_modules too.
# WEB_UI=0 embeds the one-page web/fallback instead (no Node.js needed).
# The embed step lists the files itself, at recipe time (web/dist may not
# exist when make reads this file).
WEB_UI ?= 1
WEB_MODULES := web/node_modules/.package-lock.json
WEB_SRC := web/package.json web/package-lock.json web/index.html \
           $(wildcard web/vite.config.*) \
           $(shell find web/src web/public -type f 2>/dev/null)
WEB_NEED_NPM = @command -v npm >/dev/null 2>&1 || { echo "kechuang: 构建网页界面需要 Node.js 18 以上和 npm：请先运行 make deps（或 sh tools/deps.sh），或用 make WEB_UI=0 只嵌入说明页" >&2; exit 1; }
ifeq ($(WEB_UI),1)
UI_DIR := web/dist
UI_STAMP := web/dist/index.html
tests: $(WEB_MODULES)
else
UI_DIR := web/fallback
UI_STAMP := $(wildcard web/fallback/*)
endif

$(WEB_MODULES): web/package.json web/package-lock.json
	$(WEB_NEED_NPM)
	@cd web && flock .build.lock sh -c 'npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json'

web/dist/index.html: $(WEB_SRC) $(WEB_MODULES)
	$(WEB_NEED_NPM)
	@cd web && flock .build.lock sh -c ' \
	  rm -rf .dist-new && npm run build -- --logLevel warn --outDir .dist-new && \
	  rm -rf .dist-old && { [ ! -d dist ] || mv dist .dist-old; } && \
	  mv .dist-new dist && rm -rf .dist-old'

$(BUILD)/gen/assets.c: $(BUILD)/tools/embed $(UI_STAMP)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed assets $(UI_DIR) > $@.tmp && mv $@.tmp $@
# ---- end of web UI ---------------------------------------------------------

# ---- rules -----------------------------------------------------------------
# The official rule sets (rules/*.kcr) are embedded as kc_rule_files[]
# (src/rules/embedded.h): one `embed text` per file plus a table.
RULE_FILES := $(sort $(wildcard rules/*.kcr))
$(BUILD)/gen/rules.c: $(BUILD)/tools/embed $(RULE_FILES)
	@mkdir -p $(dir $@)
	@{ i=0; for f in $(RULE_FILES); do \
	    $(BUILD)/tools/embed text kc_rule_$$i $$f || exit 1; i=$$((i+1)); done; \
	  echo '#include "rules/embedded.h"'; \
	  echo 'const RuleFileEmbedded kc_rule_files[] = {'; \
	  i=0; for f in $(RULE_FILES); do \
	    echo "    {\"$$f\", &kc_rule_$$i, &kc_rule_$${i}_len},"; i=$$((i+1)); done; \
	  echo '    {0, 0, 0}};'; \
	  echo "const int kc_n_rule_files = $$i;"; } > $@.tmp && mv $@.tmp $@
# ---- end of rules ------------------------------------------------------------

# The carriers' graduation criteria (rules/carrier/*.kcr) are no tier of the
# enterprise ladders and take no part in screenings: embedded apart, read
# by src/domain/carrier/carrier_grad.c.
$(BUILD)/gen/carrier_rules.c: $(BUILD)/tools/embed rules/carrier/graduation-2018.kcr
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed text kc_carrier_grad_kcr rules/carrier/graduation-2018.kcr > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/openapi.c: $(BUILD)/tools/embed src/api/openapi.json
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed text kc_openapi_json src/api/openapi.json > $@.tmp && mv $@.tmp $@

# version.c changes only when the version string does.
KC_VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
KC_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
$(BUILD)/gen/version.c: FORCE
	@mkdir -p $(dir $@)
	@printf 'const char kc_version[] = "%s";\nconst char kc_commit[] = "%s";\n' \
		'$(KC_VERSION)' '$(KC_COMMIT)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# ---- tests ---------------------------------------------------------------
$(BUILD)/tests/%: tests/%.c $(LIB) $(TEST_HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(TEST_HELPER_OBJ) $(LDFLAGS) $(LIB) $(LDLIBS) -lcmocka

# Fuzz targets replayed over their corpora by a plain driver (any compiler).
$(BUILD)/tests/replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(LDFLAGS) $(LIB) $(LDLIBS)

tests: $(BIN) $(UNIT_BIN) $(REPLAY_BIN)

deps:
	@sh tools/deps.sh

check: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) sh tests/run.sh

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	@BUILD=$(BUILD) sh tools/run.sh

# ---- fuzzing (clang + libFuzzer) ----------------------------------------
# The library is compiled once with clang and coverage instrumentation
# (fuzzer-no-link); each target links it with the libFuzzer driver.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread -g -O1 -Isrc -I$(BUILD)/gen \
               $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_LIB_OBJ := $(patsubst %.c,$(BUILD)/fuzz-obj/%.o,$(LIB_SRC) $(GEN_SRC:$(BUILD)/%=%))
FUZZ_LIB := $(BUILD)/libkechuang-fuzz.a

$(BUILD)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz-obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz:
	@sh tools/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); \
	  mkdir -p $(BUILD)/fuzz-corpus/$$n; \
	  echo "fuzz $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	      $(BUILD)/fuzz-corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

# ---- Debian package --------------------------------------------------------
# packaging/mkdeb.sh assembles the package from the built binary (stripped)
# and packaging/debian/; tests/scripts/deb.sh builds and installs it in a
# throwaway root.
deb:
	@sh tools/deps.sh deb
	@$(MAKE) --no-print-directory $(BIN)
	@sh packaging/mkdeb.sh $(BIN) $(BUILD)

# ---- lint ----------------------------------------------------------------
LINT_SRC := $(shell find src tests tools -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)
lint: $(GEN_SRC)
	@sh tools/lint.sh $(BUILD)

format:
	clang-format -i $(LINT_SRC)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
