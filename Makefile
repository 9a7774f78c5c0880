# The README's commands. Everything real is in CMake; this file only strings steps together.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
FROM ?= Mumbai
TO ?= Moscow

.PHONY: all deps configure build run check check-asan bench clean

all: build

deps:
	./scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: compare the corridors between two places on the built-in network.
run: build
	./$(BUILD)/meridian compare "$(FROM)" "$(TO)"

# Every test: unit, property, CLI golden, corruption, malformed corpus.
check: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) check BUILD=build-asan CMAKE_FLAGS="-DMR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)"

# Benchmarks against peers, side by side (prints ratios; asserts nothing about speed).
bench: build
	./$(BUILD)/bench_search ../shared
	./bench/bench_sea.sh $(BUILD) 1000
	./bench/bench_compare.sh $(BUILD) Mumbai Moscow
	./$(BUILD)/bench_pareto $(BUILD)/meridian.mnet 20
	./$(BUILD)/bench_ch ../shared 1000
	./$(BUILD)/bench_assign ../shared
	./$(BUILD)/bench_critical $(BUILD)/meridian.mnet
	./bench/bench_server.sh $(BUILD)
	./bench/bench_pgrouting.sh $(BUILD)

clean:
	rm -rf build build-asan
