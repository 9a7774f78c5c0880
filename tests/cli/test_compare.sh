#!/usr/bin/env bash
# test_compare.sh: `meridian compare` on the built-in network: every corridor's route honours its
# pattern, the unconstrained best is no worse than any corridor, and bad corridor files are
# refused with file:line. Skipped (77) without the maritime import or node.
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! "$bin" info 2>/dev/null | grep -q "/sea"; then
	echo "skipped: the built-in network has no maritime import"
	exit 77
fi
command -v node >/dev/null || { echo "skipped: node is needed to read JSON"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() { # FROM TO EXPECTED: compare as JSON and check every corridor against its pattern;
	# EXPECTED lists the infeasible corridors as id=text-in-the-reason, separated by '|'; every
	# other corridor must be feasible
	local from=$1 to=$2 expected=$3 tag
	tag="$from-$to"
	"$bin" compare "$from" "$to" --format json >"$work/c.json"
	node -e '
		const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const expected = Object.fromEntries(process.argv[2].split("|").filter(x => x).map(x => x.split("=")));
		const c = Object.fromEntries(j.corridors.map(x => [x.id, x]));
		const bad = [];
		const has = (id, f) => c[id] && c[id].feasible && f(c[id].route);
		const P = r => r.passages, C = r => r.countries, M = r => r.legs.map(l => l.mode);
		if (!c.best || !c.best.feasible) bad.push("best infeasible");
		for (const x of j.corridors) if (x.feasible && c.best.feasible &&
			x.route.objective_value + 1e-6 < c.best.route.objective_value) bad.push(x.id + " beats the unconstrained best");
		for (const x of j.corridors) if (!x.feasible && !x.reason) bad.push(x.id + " infeasible without a reason");
		const rules = {
			"suez": r => P(r).includes("suez"),
			"suez-black-sea": r => P(r).indexOf("suez") >= 0 && P(r).indexOf("bosporus-dardanelles") > P(r).indexOf("suez") && !P(r).includes("gibraltar"),
			"suez-baltic": r => P(r).indexOf("gibraltar") > P(r).indexOf("suez") && P(r).indexOf("suez") >= 0 && !P(r).includes("bosporus-dardanelles"),
			"cape": r => P(r).includes("cape-of-good-hope") && !P(r).includes("suez") && !P(r).includes("bab-el-mandeb"),
			"instc-west": r => C(r).includes("AZE") && !C(r).includes("TKM") && !P(r).includes("suez") && !M(r).includes("ferry"),
			"instc-caspian": r => M(r).includes("ferry") && C(r).includes("IRN") && C(r).includes("RUS") && !C(r).includes("AZE") && !C(r).includes("TKM") && !C(r).includes("KAZ") && !P(r).includes("suez"),
			"instc-east": r => C(r).includes("TKM") && !C(r).includes("AZE") && !P(r).includes("suez") && !M(r).includes("ferry"),
			"middle-corridor": r => C(r).includes("GEO") && C(r).includes("AZE") && !C(r).includes("RUS") && !C(r).includes("IRN") && M(r).includes("ferry"),
			"trans-siberian": r => !M(r).includes("sea"),
		};
		for (const [id, f] of Object.entries(rules))
			if (c[id] && c[id].feasible && !f(c[id].route)) bad.push(id + " breaks its pattern: " + P(c[id].route) + " / " + C(c[id].route));
		for (const x of j.corridors) if (x.feasible) for (const k of ["distance","duration","cost","co2e"])
			if (!(x.ratio_to_best[k] >= 1 - 1e-9)) bad.push(x.id + " ratio " + k + " below 1");
		for (const x of j.corridors) {
			if (x.id in expected) {
				if (x.feasible) bad.push(x.id + " should be infeasible (" + expected[x.id] + ")");
				else if (!x.reason.includes(expected[x.id])) bad.push(x.id + " infeasible for another reason: " + x.reason);
			} else if (!x.feasible) bad.push(x.id + " should be feasible: " + x.reason);
		}
		if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
		console.log(j.corridors.filter(x => x.feasible).length + " of " + j.corridors.length + " corridors feasible, the others for the stated reason");
	' "$work/c.json" "$expected" >"$work/msg" 2>&1 && ok "$tag: $(cat "$work/msg")" || bad "$tag" "$(cat "$work/msg")"
}
check Mumbai Moscow "middle-corridor=forbid country:RUS|trans-siberian=a route exists without 'forbid mode:sea'"
# Shanghai's node is a sea port without a railway in the data: no trans-Siberian from it.
check Shanghai Rotterdam "trans-siberian=a route exists without 'forbid mode:sea'"
check Mumbai Baku "instc-caspian=Baku is in AZE|instc-east=Baku is in AZE|trans-siberian=a route exists without 'forbid mode:sea'"
check Tehran "St Petersburg" "middle-corridor=Tehran is in IRN"
check INNSA RUMOW "middle-corridor=forbid country:RUS|trans-siberian=a route exists without 'forbid mode:sea'"
check Beijing Hamburg ""

# The INSTC western branch corridor on Mumbai-Moscow crosses Astara.
"$bin" compare Mumbai Moscow --corridors instc-west --format csv >"$work/w.csv"
grep -q "^instc-west,.*,true," "$work/w.csv" && grep -q "AZE" "$work/w.csv" && ok "instc-west feasible through Azerbaijan" || bad "instc-west" "$(cat "$work/w.csv")"
# Every format.
for f in table json geojson csv; do
	"$bin" compare Mumbai Moscow --format "$f" >"$work/out.$f" && [ -s "$work/out.$f" ] && ok "format $f" || bad "format $f" "empty or failed"
done
# Errors.
expect_status "unknown corridor" 2 "$bin" compare Mumbai Moscow --corridors suez,atlantis
printf '[suez]\nname = x\nrequire = passage\n' >"$work/bad1.ini"
expect_status "malformed predicate" 1 "$bin" compare Mumbai Moscow --corridors-file "$work/bad1.ini"
[[ $err == *"bad1.ini:3: field 'require': 'passage' is not kind:value"* ]] && ok "malformed predicate message" || bad "malformed predicate message" "$err"
printf '[a]\nname = a\n[a]\nname = b\n' >"$work/bad2.ini"
expect_status "duplicate corridor" 1 "$bin" compare Mumbai Moscow --corridors-file "$work/bad2.ini"
[[ $err == *"bad2.ini:3: field 'id': duplicate corridor 'a' (first at line 1)"* ]] && ok "duplicate corridor message" || bad "duplicate corridor message" "$err"
printf 'name = a\n' >"$work/bad3.ini"
expect_status "key before corridor" 1 "$bin" compare Mumbai Moscow --corridors-file "$work/bad3.ini"
printf '[x]\nname = x\nrequire = planet:mars\n' >"$work/bad4.ini"
expect_status "unknown kind" 1 "$bin" compare Mumbai Moscow --corridors-file "$work/bad4.ini"
[[ $err == *"unknown kind 'planet'"* ]] && ok "unknown kind message" || bad "unknown kind message" "$err"
printf '[x]\nname = x\nrequire = tag:no-such-tag\n' >"$work/odd.ini"
expect_status "corridor with a tag nothing has" 0 "$bin" compare Mumbai Moscow --corridors-file "$work/odd.ini"
[[ $out == *"nothing in the network matches 'no-such-tag'"* ]] && ok "infeasible corridor says why" || bad "infeasible reason" "$out"

# Published claims: checked against the same rows, with their baseline named.
"$bin" compare Mumbai Moscow --format json >"$work/cl.json"
node -e '
	const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
	const c = Object.fromEntries(j.corridors.map(x => [x.id, x]));
	const k = Object.fromEntries(j.claims.map(x => [x.id, x]));
	const bad = [];
	for (const id of ["instc-distance-baltic", "instc-distance-black-sea", "instc-cost-dry-run"])
		if (!k[id]) bad.push("claim " + id + " missing");
	if (k["instc-days-edb"]) bad.push("a Mumbai - St Petersburg claim on Mumbai - Moscow");
	for (const x of j.claims) {
		if (!["confirmed", "not confirmed", "cannot be tested"].includes(x.verdict)) bad.push(x.id + " verdict " + x.verdict);
		if (!x.source || !x.why) bad.push(x.id + " without source or why");
		const r = c[x.corridor], b = x.baseline && c[x.baseline];
		if (x.verdict !== "cannot be tested") {
			const f = {km: "distance_km", usd: "cost_usd", days: "duration_h", kg_co2e: "co2e_kg"}[x.figure];
			const m = r.route[f] / (x.figure === "days" ? 24 : 1);
			if (Math.abs(m - x.model) > 0.02) bad.push(x.id + " model " + x.model + " is not the corridor figure " + m);
			if (b && Math.abs(b.route[f] / (x.figure === "days" ? 24 : 1) - x.model_baseline) > 0.02) bad.push(x.id + " baseline figure");
		}
	}
	if (k["instc-distance-baltic"].baseline !== "suez-baltic" || k["instc-distance-black-sea"].baseline !== "suez-black-sea") bad.push("baselines");
	if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
	console.log(j.claims.map(x => x.id + ": " + x.verdict).join("; "));
' "$work/cl.json" >"$work/msg" 2>&1 && ok "claims: $(cat "$work/msg")" || bad "claims" "$(cat "$work/msg")"
"$bin" compare Mumbai "St Petersburg" --format json | node -e 'const j=JSON.parse(require("fs").readFileSync(0)); process.exit(j.claims.some(x => x.id === "instc-days-edb") ? 0 : 1)' &&
	ok "the EDB transit-time claim is checked on Mumbai - St Petersburg" || bad "EDB claim" "missing"
"$bin" compare Mumbai Moscow --no-claims --format json | node -e 'const j=JSON.parse(require("fs").readFileSync(0)); process.exit(j.claims.length === 0 ? 0 : 1)' &&
	ok "--no-claims" || bad "--no-claims" "claims still checked"
printf '[x]\nclaim = c\nsource = s\nfrom = Mumbai\nto = Moscow\nfigure = furlongs\n' >"$work/badc.ini"
expect_status "claims file: unknown figure" 1 "$bin" compare Mumbai Moscow --claims-file "$work/badc.ini"
[[ $err == *"badc.ini:6: field 'figure'"* ]] && ok "claims file error names file:line:field" || bad "claims error message" "$err"
printf '[x]\nclaim = c\nsource = s\nfrom = Mumbai\nto = Moscow\nfigure = km\ncorridor = best\n' >"$work/badc2.ini"
expect_status "claims file: a claim that claims nothing" 1 "$bin" compare Mumbai Moscow --claims-file "$work/badc2.ini"
finish
