# The two README commands.  `make check` runs every test and ends with
# "N passed, M failed"; `make demo` runs the main job.  Both install any
# missing Debian packages first (when run as root).

BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps build check demo bench clean asan

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

clean:
	rm -rf $(BUILD) build-asan
