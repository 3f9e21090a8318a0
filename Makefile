# videogen: `make demo` runs the main job against the emulator; `make test` runs every test.

SWIFT ?= swift
PYTHON ?= python3
LIBDIR := .build/release
LIB := $(LIBDIR)/libvideogen.so
# make wheel: the Python wheels (videogen with the library inside, videogen_emulator) in WHEEL_DIR, carrying
# WHEEL_LIB (the development build until the self-contained one of `make dist` is there).
WHEEL_DIR := .build/wheel
WHEEL_LIB ?= $(LIB)

.PHONY: all build deps demo test test-swift test-c test-python test-wheel wheel python-install clean

all: build

## build: libvideogen.so (release) in .build/release/
build: $(LIB)

## deps: installs libcurl's headers (Debian's libcurl4-openssl-dev) when they are missing, saying so
deps:
	@bash scripts/ensure-deps.sh

$(LIB): Package.swift include/videogen.h include/module.modulemap $(shell find Sources -name '*.swift' -o -name '*.map' -o -name '*.c' -o -name '*.h') | deps
	$(SWIFT) build -c release --product videogen

## demo: submit, wait with progress, download a real MP4, all against the loopback emulator
demo: build
	bash scripts/demo.sh $(LIBDIR)

## test: Swift unit and integration tests, the C suite against the built library, the Python tests, and the wheel
## installed in a clean virtualenv of every Python 3.11+ here, run with the toolchain hidden
test: test-swift test-c test-python test-wheel

test-swift: deps
	$(SWIFT) test

test-c: build
	bash Tests/c/run.sh $(LIBDIR)

test-python: build
	cd bindings/python && $(PYTHON) -m pytest -q tests

## wheel: videogen-<version>-py3-none-manylinux_<glibc>_x86_64.whl (binding, CLI and the library; auditwheel
## repair + show, verdict in $(WHEEL_DIR)/auditwheel.txt) and videogen_emulator-<version>-py3-none-any.whl
wheel: $(WHEEL_LIB)
	bash scripts/wheel.sh $(WHEEL_LIB) $(WHEEL_DIR)

## test-wheel: both wheels in a clean virtualenv of each CPython 3.11+ here, the main job with the toolchain hidden
test-wheel: wheel
	bash Tests/wheel/run.sh $(WHEEL_DIR)

## python-install: make wheel, then pip-install the videogen wheel into $(PYTHON)'s environment
python-install: wheel
	$(PYTHON) -m pip install --no-deps --force-reinstall $(WHEEL_DIR)/videogen-*-manylinux_*_x86_64.whl

clean:
	rm -rf .build out Tests/c/build

## check-sanitizers: ASan+UBSan and TSan runs of the C suite, Swift tests under ASan, valgrind (not in `make test`)
.PHONY: check-sanitizers fuzz bench
check-sanitizers:
	SWIFT=$(SWIFT) bash scripts/check-sanitizers.sh

## fuzz: builds the libFuzzer targets of Tests/fuzz and runs each for FUZZ_SECONDS seconds
FUZZ_SECONDS ?= 30
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

## bench: side-by-side benchmarks against the openai SDK, curl and wrk (installs them); writes BENCHMARKS.md
BENCH_ARGS ?=
bench:
	bash scripts/bench.sh $(BENCH_ARGS)
