#!/usr/bin/env bash
# bench_compare.sh: `meridian compare` of every corridor for one OD pair on the built-in network,
# as a whole process (cold: a new process each time, the file in the page cache) and warm inside
# the library (bench_compare). Targets (issue 5): under 100 ms cold, under 5 ms warm. Prints the
# median and mean of each and the ratio to its target; asserts nothing.
# Usage: bench/bench_compare.sh [BUILD_DIR] [FROM] [TO]
set -euo pipefail
build=$(realpath "${1:-build}")
from=${2:-Mumbai}
to=${3:-Moscow}
n=21
"$build/meridian" compare "$from" "$to" --format json >/dev/null # page cache
times=()
for _ in $(seq $n); do
	t0=$(date +%s%N)
	"$build/meridian" compare "$from" "$to" --format json >/dev/null
	t1=$(date +%s%N)
	times+=("$(((t1 - t0) / 1000))")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v from="$from" -v to="$to" -v n="$n" '
	{ t[NR] = $1 / 1000; s += $1 / 1000 }
	END {
		med = t[int((n + 1) / 2)]
		printf "compare %s -> %s as a whole process, cold, %d runs: median %.1f ms, mean %.1f ms: %.2f x the 100 ms target\n",
		       from, to, n, med, s / n, med / 100
	}'
"$build/bench_compare" "$build/meridian.mnet" "$build/corridors.ini" "$from" "$to" 50
