# videogen: `make demo` runs the main job against the emulator; `make test` runs every test.

SWIFT ?= swift
PYTHON ?= python3
LIBDIR := .build/release
LIB := $(LIBDIR)/libvideogen.so
PYSTAGE := .build/python-package

.PHONY: all build deps demo test test-swift test-c test-python python-install clean

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

## test: Swift unit and integration tests, the C suite against the built library, the Python tests
test: test-swift test-c test-python

test-swift: deps
	$(SWIFT) test

test-c: build
	bash Tests/c/run.sh $(LIBDIR)

test-python: build
	cd bindings/python && $(PYTHON) -m pytest -q tests

## python-install: build the library, copy it into the Python package (staged in .build) and pip-install that
python-install: build
	rm -rf $(PYSTAGE)
	mkdir -p $(PYSTAGE)
	cp bindings/python/pyproject.toml bindings/python/setup.py $(PYSTAGE)/
	cp -R bindings/python/videogen $(PYSTAGE)/videogen
	find $(PYSTAGE) -name __pycache__ -prune -exec rm -rf {} +
	cp $(LIB) $(PYSTAGE)/videogen/libvideogen.so
	$(PYTHON) -m pip install --no-deps --force-reinstall $(PYSTAGE)

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
