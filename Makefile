# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build web run package test test-unit test-api test-api-sqlite test-api-postgres test-web \
        test-sanitize fuzz fuzz-build lint format clean demo

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

web: deps
	@if [[ -f web/package.json ]]; then (cd web && npm run --silent build); fi

build: configure web
	@cmake --build $(BUILD) -j $(JOBS)

# Starts the server on SQLite with demo data; prints the URL and the demo logins.
run: build
	@mkdir -p data
	@$(BUILD)/atelier demo --db sqlite:data/atelier.db --data-dir data
	@$(BUILD)/atelier serve --db sqlite:data/atelier.db --data-dir data --access-log off

# The Debian package: build/atelier_<version>_<arch>.deb (packaging/package.cmake).
package: build
	@cd $(BUILD) && cpack -G DEB

test: build
	@scripts/run-tests

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-api-sqlite: build
	@cd tests/api && ATELIER_TEST_BACKEND=sqlite /usr/bin/python3 -m pytest

test-api-postgres: build
	@cd tests/api && ATELIER_TEST_BACKEND=postgres /usr/bin/python3 -m pytest

# API and unit tests against an ASan+UBSan build (build-asan); args to pytest via PYTEST_ARGS.
test-sanitize:
	@scripts/run-sanitize $(PYTEST_ARGS)

# libFuzzer targets (clang-14) in build-fuzz; each runs FUZZ_SECONDS (default 60) on its corpus.
FUZZ_SECONDS ?= 60
fuzz-build:
	@CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DATELIER_FUZZ=ON -DATELIER_DIRS="common" >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzzers

fuzz: fuzz-build
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp' 'fuzz/*.cpp')

lint:
	@clang-format --dry-run -Werror $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp' 'fuzz/*.cpp')

clean:
	rm -rf $(BUILD) build-*
