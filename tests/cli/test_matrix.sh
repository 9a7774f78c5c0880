#!/usr/bin/env bash
# test_matrix.sh: `meridian matrix` on the built-in network: every cell equals the objective of
# `meridian route` for the same pair and options; unreachable pairs are empty (csv) or
# reachable=false (long), never a number; bad place files name their line. Skipped (77) without
# the maritime import or node.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! "$bin" info 2>/dev/null | grep -q "/sea"; then
	echo "skipped: the built-in network has no maritime import"
	exit 77
fi
command -v node >/dev/null || { echo "skipped: node is needed to read JSON"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '# origins\nMumbai\nShanghai\n\nTehran\n51.42,35.69\n' >"$work/from.txt"
printf 'Moscow\nRotterdam\nBaku\nSt Petersburg\n' >"$work/to.txt"

for by in time cost generalized; do
	"$bin" matrix --from "$work/from.txt" --to "$work/to.txt" --by "$by" -o "$work/m.csv" -q
	bad_cells=0
	while IFS=, read -r from to; do
		want=$("$bin" route "$from" "$to" --by "$by" --format json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).routes[0].objective_value)')
		got=$(node -e '
			const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => l.split(","));
			const c = rows[0].indexOf(process.argv[3]), r = rows.find(x => x[0] === process.argv[2]);
			console.log(r[c]);' "$work/m.csv" "$from" "$to")
		if ! node -e 'process.exit(Math.abs(+process.argv[1] - +process.argv[2]) <= 0.01 ? 0 : 1)' "$want" "$got"; then
			bad_cells=$((bad_cells + 1))
			echo "  $from -> $to by $by: matrix $got, route $want"
		fi
	done <<'PAIRS'
Mumbai,Moscow
Mumbai,Baku
Shanghai,Rotterdam
Tehran,St Petersburg
Tehran,Baku
PAIRS
	[ "$bad_cells" -eq 0 ] && ok "matrix by $by = route on 5 pairs" || bad "matrix by $by" "$bad_cells cells differ"
done
"$bin" matrix --from "$work/from.txt" --to "$work/to.txt" -q >"$work/h.csv"
[ "$(sed -n 1p "$work/h.csv")" = 'from\to,Moscow,Rotterdam,Baku,St Petersburg' ] && ok "matrix header" || bad "matrix header" "$(sed -n 1p "$work/h.csv")"
# unreachable: from Mumbai by rail alone there is nowhere to go
"$bin" matrix --from "$work/from.txt" --to "$work/to.txt" --modes rail --format long -q >"$work/l.csv"
grep -q '^Mumbai,Moscow,,false$' "$work/l.csv" && ok "unreachable is reachable=false with no value" || bad "unreachable long" "$(head -3 "$work/l.csv")"
"$bin" matrix --from "$work/from.txt" --to "$work/to.txt" --modes rail -q >"$work/r.csv"
grep -q '^Mumbai,,,,$' "$work/r.csv" && ok "unreachable cells are empty" || bad "unreachable csv" "$(head -3 "$work/r.csv")"
"$bin" matrix --from "$work/from.txt" --to "$work/to.txt" --threads 2 -q >"$work/t2.csv"
"$bin" matrix --from "$work/from.txt" --to "$work/to.txt" --threads 1 -q >"$work/t1.csv"
cmp -s "$work/t1.csv" "$work/t2.csv" && ok "threads give the same matrix" || bad "threads" "differ"
printf 'Mumbai\nAtlantis-on-Sea\n' >"$work/bad.txt"
expect_status "unknown place in a file" 4 "$bin" matrix --from "$work/bad.txt" --to "$work/to.txt" -q
[[ $err == *"bad.txt:2"* ]] && ok "the error names the file and line" || bad "error line" "$err"
printf '# nothing\n' >"$work/empty.txt"
expect_status "a file without places" 2 "$bin" matrix --from "$work/empty.txt" --to "$work/to.txt" -q
expect_status "missing --to" 2 "$bin" matrix --from "$work/from.txt"
expect_status "bad format" 2 "$bin" matrix --from "$work/from.txt" --to "$work/to.txt" --format html
finish
