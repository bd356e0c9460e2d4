# Two commands do all the set-up on a fresh Debian 12 machine:
#   make run    installs what is missing, builds, runs the main job on the shipped data
#   make test   installs what is missing, builds, runs every test (what .ci/run calls)
BUILD ?= build
BUILD_SAN ?= build-san
JOBS ?= $(shell nproc)
DATA ?= data/Amazon
DATASET ?= Industrial_and_Scientific
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
# ccache across clones (CI builds a fresh clone in another folder): paths relative to the checkout.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: deps oracles build build-san run serve test test-core test-san fuzz clean

deps:
	./scripts/install-deps.sh

oracles: deps
	./scripts/setup-oracles.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

# The rooms without libtorch, built and tested under AddressSanitizer + UndefinedBehaviorSanitizer;
# its ctest also runs each libFuzzer target for a bounded time (label fuzz).
build-san: deps
	cmake -S . -B $(BUILD_SAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSIDR_WITH_TORCH=OFF -DSIDR_SANITIZE=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSIDR_FUZZ=ON
	cmake --build $(BUILD_SAN) -j $(JOBS)

PRESET ?= quick
run: build
	./$(BUILD)/sidreasoner data check --data $(DATA) --dataset $(DATASET)
	./$(BUILD)/sidreasoner pipeline --preset $(PRESET) --data $(DATA) --dataset $(DATASET)

# Serves the last `make run` (runs/$(PRESET)) with its test evaluation's model options (docs/serve.md).
PORT ?= 8080
serve: build
	./scripts/serve-run.sh runs/$(PRESET) $(PORT)

test: build build-san oracles
	cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
