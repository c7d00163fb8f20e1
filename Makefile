# The two README commands.  `make check` runs every test and ends with
# "N passed, M failed"; `make demo` runs the main job.  Both install any
# missing Debian packages first (when run as root).

BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps build check demo bench clean asan fuzz

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

check: build
	@./scripts/check.sh $(BUILD)

demo: build
	@./scripts/demo.sh $(BUILD)

bench: build
	@./bench/run-all.sh $(BUILD)

# The unit and system tests under AddressSanitizer and UBSan (clang).
asan: deps
	[ -f build-asan/build.ninja ] || CC=clang meson setup build-asan \
	    -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
	@./scripts/check.sh build-asan

# Fuzzing for developers: builds every tests/fuzz/ target with libFuzzer,
# ASan and UBSan (clang) in build-fuzz, then runs each for FUZZ_SECONDS
# (FUZZ_TARGETS narrows the list).  New inputs go to a scratch corpus,
# $(FUZZ_DIR)/<target>, seeded from tests/fuzz/corpus/<target> and kept
# between runs; crashers go to $(FUZZ_DIR)/artifacts.  Copy a crasher into
# tests/fuzz/corpus/<target>/ once fixed, so `make check` replays it.
FUZZ_SECONDS ?= 60
FUZZ_DIR ?= /tmp/kiln-fuzz
# Longest input (fuzz-journal needs more than its 64 KiB read-ahead).
FUZZ_MAX_LEN ?= 131072
# Where fuzz-journal writes its scratch files: tmpfs is several times faster.
FUZZ_TMPDIR ?= $(if $(wildcard /dev/shm),/dev/shm,/tmp)
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_TARGETS := $(filter-out fuzz-replay,$(FUZZ_TARGETS))

fuzz: deps
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz \
	    -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz $(addprefix tests/fuzz/,$(FUZZ_TARGETS))
	@mkdir -p $(FUZZ_DIR)/artifacts
	@failed=; for t in $(FUZZ_TARGETS); do \
	    echo "== $$t: $(FUZZ_SECONDS) s"; \
	    mkdir -p $(FUZZ_DIR)/$$t; \
	    dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	    TMPDIR=$(FUZZ_TMPDIR) \
	    build-fuzz/tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -max_len=$(FUZZ_MAX_LEN) -timeout=10 -print_final_stats=1 $$dict \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	        $(FUZZ_DIR)/$$t tests/fuzz/corpus/$$t \
	        >$(FUZZ_DIR)/$$t.log 2>&1 || failed="$$failed $$t"; \
	    grep -E 'DONE|^Done|SUMMARY|ERROR: libFuzzer' \
	        $(FUZZ_DIR)/$$t.log | tail -3; \
	done; \
	if [ -n "$$failed" ]; then \
	    echo "fuzz: failed:$$failed (see $(FUZZ_DIR)/*.log, artifacts)"; \
	    exit 1; \
	fi

clean:
	rm -rf $(BUILD) build-asan
