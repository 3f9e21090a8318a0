# videogen: `make demo` runs the main job against the emulator; `make test` runs every test; `make dist` and
# `make install` give the self-contained library.

SWIFT ?= swift
PYTHON ?= python3
GO ?= go
LIBDIR := .build/release
LIB := $(LIBDIR)/libvideogen.so
# The self-contained library (make dist): .build/dist/lib/libvideogen.so.MAJOR.MINOR.PATCH and its two links.
DIST_DIR := .build/dist
DIST_LIB := $(DIST_DIR)/lib/libvideogen.so
# make install / uninstall: absolute paths; DESTDIR stages the install under another root.
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_LIBDIR ?= $(PREFIX)/lib
INSTALL_INCLUDEDIR ?= $(PREFIX)/include
# make wheel: the Python wheels (videogen carrying WHEEL_LIB, the dist library; videogen_emulator) in WHEEL_DIR.
WHEEL_DIR := .build/wheel
WHEEL_LIB ?= $(DIST_LIB)

.PHONY: all build deps demo test test-swift test-c test-python test-dist test-wheel wheel python-install dist install \
	uninstall clean test-go test-go-installed test-rust test-rust-installed test-batch

all: build

## build: libvideogen.so (release) in .build/release/
build: $(LIB)

## deps: installs libcurl's headers (Debian's libcurl4-openssl-dev) when they are missing, saying so
deps:
	@bash scripts/ensure-deps.sh

$(LIB): Package.swift include/videogen.h include/module.modulemap $(shell find Sources -name '*.swift' -o -name '*.map' -o -name '*.c' -o -name '*.h') | deps
	$(SWIFT) build -c release --product videogen

## dist: the self-contained library in .build/dist/lib (Swift runtime and FoundationEssentials linked in, stripped,
## SONAME libvideogen.so.<VG_ABI_VERSION>; needs only the C/C++ runtime and libcurl); .build/dist/size.md says
## what it is made of
dist: $(DIST_LIB)

$(DIST_LIB): $(LIB) include/videogen.h Sources/VideoGenC/exports.map scripts/dist.sh scripts/dist-size.py scripts/header-version.sh
	bash scripts/dist.sh $(LIBDIR)

## install: header, dist library with its links, videogen.pc and the CMake package under $(DESTDIR)$(PREFIX).
## Where Swift is not installed it installs the dist library already in .build/dist (built where Swift is).
install: $(if $(shell command -v $(SWIFT)),dist,)
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" LIBDIR="$(INSTALL_LIBDIR)" INCLUDEDIR="$(INSTALL_INCLUDEDIR)" \
		bash scripts/install.sh install

## uninstall: removes what install put (same PREFIX and DESTDIR), from its manifest
uninstall:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" LIBDIR="$(INSTALL_LIBDIR)" INCLUDEDIR="$(INSTALL_INCLUDEDIR)" \
		bash scripts/install.sh uninstall

## demo: submit, wait with progress, download a real MP4, all against the loopback emulator
demo: build
	bash scripts/demo.sh $(LIBDIR)

## test: Swift unit and integration tests, the C suite against the built library, the Python tests, the dist
## library from C, Python, pkg-config and CMake with the Swift toolchain hidden, and the wheel installed in a clean
## virtualenv of every CPython 3.11+ here, run with the toolchain hidden; the Go, Rust and Node.js bindings' tests;
## the conformance suite in all five runtimes (make conformance); and the batch over Celery (make test-batch)
test: test-swift test-c test-python test-dist test-wheel test-go test-rust test-node conformance test-batch

test-swift: deps
	$(SWIFT) test

test-c: build
	bash Tests/c/run.sh $(LIBDIR)

test-python: build
	cd bindings/python && $(PYTHON) -m pytest -q tests

## test-batch: the batch example (examples/python/batch: Celery over a private redis-server) with 1,000 jobs against
## the emulator, 4 worker processes, two SIGKILLed mid-wait and mid-download and restarted, then the same batch in a
## single process (Tests/batch/run.py; BATCH_SEED picks the kills), after the ledger's own tests
## (Tests/batch/test_reconciler.py); installs Debian's redis-server and celery 5.7.0 with redis 8.1.0 from PyPI when
## missing
test-batch: build
	@PYTHON="$(PYTHON)" bash scripts/ensure-deps.sh --batch
	$(PYTHON) -m pytest -q Tests/batch/test_reconciler.py
	$(PYTHON) Tests/batch/run.py

## test-rust: the Rust binding's tests (cargo, no registry: the package has no dependencies) against the development
## library and the emulator; CARGO_FLAGS adds flags (e.g. --release)
CARGO ?= cargo
CARGO_FLAGS ?=
test-rust: build
	cd bindings/rust && $(CARGO) test --offline $(CARGO_FLAGS)

## test-rust-installed: the same tests built against `make install` of the dist library in a scratch prefix, found
## with pkg-config (VIDEOGEN_PKG_CONFIG=1), loading nothing of the Swift toolchain
test-rust-installed: dist
	CARGO="$(CARGO)" bash bindings/rust/test-installed.sh

test-dist: dist
	@bash scripts/ensure-deps.sh --dist-tests
	MAKE="$(MAKE)" bash Tests/dist/run.sh

## test-go: the Go binding (bindings/go) against the development library: go vet, then go test with the race
## detector (the scenarios of the conformance suite against the emulator); installs Debian's golang-go when missing
test-go: build
	@GO="$(GO)" bash scripts/ensure-deps.sh --go
	cd bindings/go && $(GO) vet ./... && $(GO) test -race -count=1 ./...

## test-go-installed: the same Go tests built with -tags videogen_pkgconfig against the dist library installed by
## `make install` into .build/go-prefix (flags from its videogen.pc; an rpath so the tests find it)
GO_PREFIX := $(CURDIR)/.build/go-prefix
test-go-installed: dist
	@GO="$(GO)" bash scripts/ensure-deps.sh --go
	@bash scripts/ensure-deps.sh --dist-tests
	$(MAKE) install PREFIX=$(GO_PREFIX)
	cd bindings/go && PKG_CONFIG_PATH=$(GO_PREFIX)/lib/pkgconfig CGO_LDFLAGS="-Wl,-rpath,$(GO_PREFIX)/lib" \
		$(GO) test -race -count=1 -tags videogen_pkgconfig ./...

## wheel: videogen-<version>-py3-none-manylinux_<glibc>_x86_64.whl (binding, CLI and the dist library; auditwheel
## repair + show, verdict in $(WHEEL_DIR)/auditwheel.txt) and videogen_emulator-<version>-py3-none-any.whl
wheel: $(WHEEL_LIB)
	bash scripts/wheel.sh $(WHEEL_LIB) $(WHEEL_DIR)

## test-wheel: both wheels in a clean virtualenv of each CPython 3.11+ here, the main job with the toolchain hidden
test-wheel: wheel
	@bash scripts/ensure-deps.sh --dist-tests
	bash Tests/wheel/run.sh $(WHEEL_DIR)

## node: the Node.js addon, bindings/node/build/Release/videogen.node (N-API, C), built offline with node-gyp
## against Node's own headers and linked to the development library (rpath .build/release)
NODE ?= node
NODE_ADDON := bindings/node/build/Release/videogen.node
.PHONY: node test-node
node: $(NODE_ADDON)

$(NODE_ADDON): $(LIB) include/videogen.h bindings/node/binding.gyp bindings/node/build.sh $(wildcard bindings/node/src/*)
	bash bindings/node/build.sh

## test-node: the Node binding's tests (node --test) against the emulator, which they start (PYTHONPATH=emulator)
test-node: $(NODE_ADDON)
	cd bindings/node && $(NODE) --test test/*.test.js

## conformance: the one conformance suite (conformance/scenarios.json) in C, Python, Go, Rust and Node.js against the
## emulator, each runtime's runner (conformance/<runtime>/) through its binding's real API; prints the table scenario x
## runtime and writes .build/conformance/results.json (conformance/run.py; RUNTIMES=c,go to run a part)
RUNTIMES ?= c,python,go,rust,node
.PHONY: conformance
conformance: build $(NODE_ADDON)
	@GO="$(GO)" bash scripts/ensure-deps.sh --go
	GO="$(GO)" CARGO="$(CARGO)" NODE="$(NODE)" $(PYTHON) conformance/run.py --runtimes $(RUNTIMES)

## python-install: make wheel, then pip-install the videogen wheel into $(PYTHON)'s environment
python-install: wheel
	$(PYTHON) -m pip install --no-deps --force-reinstall $(WHEEL_DIR)/videogen-*-manylinux_*_x86_64.whl

clean:
	rm -rf .build out Tests/c/build Tests/dist/build bindings/node/build

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
