# videogen: `make demo` runs the main job against the emulator; `make test` runs every test.

SWIFT ?= swift
PYTHON ?= python3
LIBDIR := .build/release
LIB := $(LIBDIR)/libvideogen.so

.PHONY: all build demo test test-swift test-c test-python clean

all: build

## build: libvideogen.so (release) in .build/release/
build: $(LIB)

$(LIB): Package.swift include/videogen.h include/module.modulemap $(shell find Sources -name '*.swift' -o -name '*.map')
	$(SWIFT) build -c release --product videogen

## demo: submit, wait with progress, download a real MP4, all against the loopback emulator
demo: build
	bash scripts/demo.sh $(LIBDIR)

## test: Swift unit and integration tests, the C suite against the built library, the Python tests
test: test-swift test-c test-python

test-swift:
	$(SWIFT) test

test-c: build
	bash Tests/c/run.sh $(LIBDIR)

test-python:
	cd bindings/python && $(PYTHON) -m pytest -q tests

clean:
	rm -rf .build out Tests/c/build
