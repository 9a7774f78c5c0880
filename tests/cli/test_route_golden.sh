#!/usr/bin/env bash
# test_route_golden.sh: `meridian route` on the fixture network in every format, against golden
# files in tests/cli/golden/. UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
set -euo pipefail
bin=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" build "$src/tests/fixtures/mini" -o "$work/mini.mnet" --quiet
export MERIDIAN_NETWORK="$work/mini.mnet"

# name | arguments
cases=(
	"mumbai-moscow|Mumbai Moscow"
	"mumbai-moscow-distance-planned|INNSA RUMOW --by distance --planned"
	"mumbai-moscow-avoid-suez|Mumbai Moscow --avoid suez --by cost"
	"bandar-abbas-baku-time|IRBND Baku --by time --teu 2"
	"mumbai-moscow-via-baku|Mumbai Moscow --via Baku --by co2e"
	"rail-only|Tehran Moscow --modes rail --planned --tonnes 25"
)
formats=(table json geojson csv)
for c in "${cases[@]}"; do
	name=${c%%|*}
	read -r -a args <<<"${c#*|}"
	for f in "${formats[@]}"; do
		golden="$here/golden/$name.$f"
		set +e
		"$bin" route "${args[@]}" --format "$f" >"$work/out" 2>"$work/err"
		st=$?
		set -e
		if [ $st -ne 0 ]; then
			bad "$name.$f" "exit $st: $(cat "$work/err")"
			continue
		fi
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$work/out" "$golden"
			ok "$name.$f (updated)"
		elif [ ! -f "$golden" ]; then
			bad "$name.$f" "no golden file $golden"
		elif diff -u "$golden" "$work/out" >"$work/diff"; then
			ok "$name.$f"
		else
			bad "$name.$f" "differs from golden:
$(head -40 "$work/diff")"
		fi
	done
done

# Every algorithm gives the same optimum on every case and objective (JSON without the
# algorithm-dependent fields is identical).
for c in "${cases[@]}"; do
	name=${c%%|*}
	read -r -a args <<<"${c#*|}"
	ref=""
	for a in dijkstra bidijkstra astar; do
		"$bin" route "${args[@]}" --format csv --algorithm "$a" >"$work/$a.csv"
	done
	if cmp -s "$work/dijkstra.csv" "$work/bidijkstra.csv" && cmp -s "$work/dijkstra.csv" "$work/astar.csv"; then
		ok "$name algorithms agree"
	else
		bad "$name algorithms agree" "$(diff "$work/dijkstra.csv" "$work/astar.csv" | head)"
	fi
done

# The JSON is valid and its legs add up to the total.
if command -v node >/dev/null 2>&1; then
	for c in "${cases[@]}"; do
		name=${c%%|*}
		read -r -a args <<<"${c#*|}"
		"$bin" route "${args[@]}" --format json >"$work/r.json"
		if node -e '
			const r = JSON.parse(require("fs").readFileSync(process.argv[1])).routes[0];
			for (const k of ["distance_km","duration_h","cost_usd","co2e_kg"]) {
				const s = r.legs.reduce((a, l) => a + l[k], 0);
				if (Math.abs(s - r[k]) > 0.01 * r.legs.length + 1e-9) { console.error(k, s, r[k]); process.exit(1); }
			}
			if (r.geometry.type !== "LineString" || r.geometry.coordinates.length < 2) process.exit(1);
			const t = r.duration_split, c = r.cost_split;
			if (Math.abs(t.running_h + t.waiting_h + t.border_h + t.handling_h - r.duration_h) > 0.05) { console.error("time split", t, r.duration_h); process.exit(1); }
			if (Math.abs(c.transport_usd + c.tolls_usd + c.border_usd + c.handling_usd - r.cost_usd) > 0.05) { console.error("cost split", c, r.cost_usd); process.exit(1); }
		' "$work/r.json"; then ok "$name legs and splits add up"; else bad "$name legs and splits add up" "see above"; fi
	done
else
	echo "skipped: legs add up (node not installed)"
fi
finish
