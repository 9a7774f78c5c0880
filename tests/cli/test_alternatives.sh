#!/usr/bin/env bash
# test_alternatives.sh: route --alternatives, --pareto, --vot-sweep and compare --pareto on the
# built-in network: shapes, order, dominance, labels, the sweep's switches, the HTML scatter,
# and bad arguments. Skipped (77) without the maritime import or node.
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

# alternatives: 3 routes, the first the best route, each labelled, different ways
"$bin" route Mumbai Moscow --alternatives 3 --format json >"$work/a.json"
"$bin" route Mumbai Moscow --format json >"$work/best.json"
node -e '
	const fs = require("fs");
	const a = JSON.parse(fs.readFileSync(process.argv[1])), b = JSON.parse(fs.readFileSync(process.argv[2]));
	const r = a.routes, bad = [];
	if (r.length !== 3) bad.push(r.length + " routes");
	if (Math.abs(r[0].objective_value - b.routes[0].objective_value) > 0.01) bad.push("first is not the best route");
	for (const x of r) if (!x.label) bad.push("a route without a label");
	const key = x => JSON.stringify(x.geometry.coordinates);
	if (new Set(r.map(key)).size !== r.length) bad.push("two identical routes");
	if (!r.slice(1).some(x => !x.passages.includes("suez"))) bad.push("no alternative leaves Suez");
	if (bad.length) { console.error(bad.join("; ")); process.exit(1); }
	console.log(r.map(x => x.label).join(" | "));
' "$work/a.json" "$work/best.json" >"$work/msg" 2>&1 && ok "alternatives: $(cut -c1-150 "$work/msg")" || bad "alternatives" "$(cat "$work/msg")"
# --max-overlap 1: plain k shortest, in order of the objective
"$bin" route Mumbai Moscow --alternatives 5 --max-overlap 1 --format json | node -e '
	const r = JSON.parse(require("fs").readFileSync(0)).routes;
	for (let i = 1; i < r.length; i++) if (r[i].objective_value < r[i - 1].objective_value - 1e-6) process.exit(1);
	process.exit(r.length === 5 ? 0 : 1);' && ok "k shortest in order of the objective" || bad "k shortest order" "out of order"

# Pareto: sorted by cost, nobody dominated, the cheapest and the fastest routes on it
"$bin" route Mumbai Moscow --pareto --format json >"$work/p.json"
"$bin" route Mumbai Moscow --by cost --format json >"$work/cheap.json"
"$bin" route Mumbai Moscow --by time --format json >"$work/fast.json"
node -e '
	const fs = require("fs");
	const p = JSON.parse(fs.readFileSync(process.argv[1])), f = p.front, bad = [];
	const cheap = JSON.parse(fs.readFileSync(process.argv[2])).routes[0], fast = JSON.parse(fs.readFileSync(process.argv[3])).routes[0];
	if (f.length < 3) bad.push("front of " + f.length);
	for (let i = 1; i < f.length; i++) if (f[i].cost_usd < f[i - 1].cost_usd) bad.push("not sorted by cost");
	/* figures are rounded to 0.01: a point is dominated only when another is better by more than that */
	const le = (x, y) => x <= y + 0.01, lt = (x, y) => x < y - 0.01;
	for (const a of f) for (const b of f) if (a !== b && le(b.cost_usd, a.cost_usd) && le(b.duration_h, a.duration_h) && le(b.co2e_kg, a.co2e_kg) &&
		(lt(b.cost_usd, a.cost_usd) || lt(b.duration_h, a.duration_h) || lt(b.co2e_kg, a.co2e_kg))) { bad.push("a dominated point"); break; }
	/* the front is computed at a resolution of USD 0.5, 0.05 h, 0.5 kg */
	if (Math.abs(f[0].cost_usd - cheap.cost_usd) > 0.51) bad.push("cheapest " + f[0].cost_usd + " vs " + cheap.cost_usd);
	if (Math.abs(Math.min(...f.map(x => x.duration_h)) - fast.duration_h) > 0.06) bad.push("fastest missing");
	if (!f[1].vs_previous || !/days/.test(f[1].vs_previous.text)) bad.push("no trade-off text");
	if (p.truncated) bad.push("truncated");
	if (bad.length) { console.error(bad.join("; ")); process.exit(1); }
	console.log(f.length + " points, " + p.labels + " labels");
' "$work/p.json" "$work/cheap.json" "$work/fast.json" >"$work/msg" 2>&1 && ok "pareto: $(cat "$work/msg")" || bad "pareto" "$(cat "$work/msg")"
"$bin" route Mumbai Moscow --pareto --pareto-eps 0.05 --format json | node -e '
	const a = JSON.parse(require("fs").readFileSync(0)).front.length, b = JSON.parse(require("fs").readFileSync(process.argv[1])).front.length;
	process.exit(a >= 1 && a < b ? 0 : 1);' "$work/p.json" && ok "pareto-eps thins the front" || bad "pareto-eps" "not thinner"
"$bin" route Mumbai Moscow --pareto --max-labels 50 >"$work/t.txt" 2>"$work/t.err" || true
grep -q "label limit" "$work/t.err" && ok "label limit says so" || bad "label limit" "$(cat "$work/t.err")"
expect_status "label limit before any route" 2 "$bin" route Mumbai Moscow --pareto --max-labels 5
"$bin" route Mumbai Moscow --pareto --criteria cost,time,co2e,risk --format json >"$work/p4.json"
node -e '
	const a = JSON.parse(require("fs").readFileSync(process.argv[1])), b = JSON.parse(require("fs").readFileSync(process.argv[2]));
	process.exit(a.criteria.includes("risk") && a.front.length >= b.front.length ? 0 : 1);' "$work/p4.json" "$work/p.json" &&
	ok "four criteria: a front at least as large as with three" || bad "four criteria" "risk missing or a smaller front"

# value-of-time sweep: switches where the route changes, and the sweep at vot 10 = the default route
"$bin" route Mumbai Moscow --vot-sweep 0:60:10 --format json >"$work/s.json"
node -e '
	const s = JSON.parse(require("fs").readFileSync(process.argv[1])), b = JSON.parse(require("fs").readFileSync(process.argv[2])).routes[0];
	const at10 = s.sweep.find(x => x.vot_usd_per_h === 10);
	if (s.sweep.length !== 7 || !s.switches.length || Math.abs(at10.cost_usd - b.cost_usd) > 0.01) process.exit(1);
	console.log(s.switches.map(x => x.between_vot + "-" + x.and_vot).join(", "));
' "$work/s.json" "$work/best.json" >"$work/msg" 2>&1 && ok "vot sweep switches at $(cat "$work/msg")" || bad "vot sweep" "$(cat "$work/msg")"

# compare --pareto: the front tagged with corridors, and a scatter in the HTML report
"$bin" compare Mumbai Moscow --pareto --format json | node -e '
	const f = JSON.parse(require("fs").readFileSync(0)).front;
	process.exit(f.some(x => /suez/.test(x.corridors || "")) && f.some(x => /instc-west/.test(x.corridors || "")) ? 0 : 1);' &&
	ok "compare --pareto tags points with corridors" || bad "compare --pareto" "tags missing"
"$bin" compare Mumbai Moscow --pareto --format html -o "$work/r.html"
if command -v xmllint >/dev/null; then
	n=$(xmllint --xpath 'count(//*[local-name()="svg"][@id="pareto-plot"]/*[local-name()="circle"])' "$work/r.html")
	[ "$n" -ge 3 ] && ok "HTML report draws the front ($n points)" || bad "HTML scatter" "$n points"
else
	echo "skipped: HTML scatter check (no xmllint)"
fi

# bad arguments
expect_status "alternatives 0" 2 "$bin" route Mumbai Moscow --alternatives 0
expect_status "max-overlap 2" 2 "$bin" route Mumbai Moscow --alternatives 2 --max-overlap 2
expect_status "unknown criterion" 2 "$bin" route Mumbai Moscow --pareto --criteria cost,beauty
expect_status "one criterion" 2 "$bin" route Mumbai Moscow --criteria cost
expect_status "bad sweep" 2 "$bin" route Mumbai Moscow --vot-sweep 10:0:5
expect_status "alternatives and pareto" 2 "$bin" route Mumbai Moscow --alternatives 2 --pareto
expect_status "alternatives with via" 2 "$bin" route Mumbai Moscow --alternatives 2 --via Baku
finish
