#!/usr/bin/env bash
# bench_compare.sh: `meridian compare` of every corridor for one OD pair on the built-in network,
# as a whole process (cold: a new process each time, the file in the page cache) and warm inside
# the library. Targets (issue 5): under 100 ms cold, under 5 ms warm. Prints, asserts nothing.
set -euo pipefail
build=$(realpath "${1:-build}")
from=${2:-Mumbai}
to=${3:-Moscow}
n=20
t0=$(date +%s.%N)
for _ in $(seq $n); do "$build/meridian" compare "$from" "$to" --format json >/dev/null; done
t1=$(date +%s.%N)
echo "compare $from -> $to as a whole process: $(echo "($t1 - $t0) * 1000 / $n" | bc -l | cut -c1-6) ms per run (target < 100 ms)"
"$build/bench_compare" "$build/meridian.mnet" "$build/corridors.ini" "$from" "$to" 50
