#!/usr/bin/env bash
# test_scenarios.sh: scenarios from the command line. Every shipped scenario applies to the
# built-in network; a scenario gives the same routes as a network rebuilt from edited data
# (the scratch-copy recipe of data/eurasia/scenarios.md); --vs, -o, colours, and bad scenario
# files and arguments are refused with file:line:field. Skipped (77) without the maritime import.
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bdir=$(dirname "$bin")
if ! "$bin" info 2>/dev/null | grep -q "/sea"; then
	echo "skipped: the built-in network has no maritime import"
	exit 77
fi
command -v node >/dev/null || { echo "skipped: node is needed to read JSON"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# totals of the first route of a `route --format json` output: "km h usd"
totals() { node -e 'const j=JSON.parse(require("fs").readFileSync(0));const r=j.routes[0];
	console.log(r.distance_km.toFixed(1), r.duration_h.toFixed(1), r.cost_usd.toFixed(1), r.countries.join("-"))'; }

# ---- the list ----
"$bin" scenarios >"$work/list"
n=$(wc -l <"$work/list")
nfiles=$(ls "$src"/data/eurasia/scenarios/*.scn | wc -l)
[ "$n" -eq "$nfiles" ] && [ "$n" -ge 20 ] && ok "scenarios lists the $n shipped files" || bad "scenarios list" "$n lines for $nfiles files"
awk 'NF < 3 { exit 1 }' "$work/list" && ok "each scenario has a description" || bad "descriptions" "$(cat "$work/list")"
"$bin" scenarios --format json | node -e 'const j=JSON.parse(require("fs").readFileSync(0)); if (!j.scenarios.every(s => s.id && s.description && s.statements > 0)) process.exit(1)' &&
	ok "scenarios --format json" || bad "scenarios json" "not as expected"

# ---- every shipped scenario applies (every id it names exists) ----
applied=0
for f in "$src"/data/eurasia/scenarios/*.scn; do
	id=$(basename "$f" .scn)
	if "$bin" route Mumbai Moscow --scenario "$id" --format json >/dev/null 2>"$work/err" || grep -q "no route" "$work/err"; then
		applied=$((applied + 1))
	else
		bad "scenario $id applies" "$(cat "$work/err")"
	fi
done
[ "$applied" -eq "$nfiles" ] && ok "all $nfiles shipped scenarios apply to the built-in network" || bad "shipped scenarios" "$applied of $nfiles apply"

# ---- a scenario = the network rebuilt from edited data ----
# Rebuild from the same folders as the built-in network, with the edits of the scenario.
if [ -d "$bdir/sea" ]; then
	cp -r "$src/data/eurasia" "$work/base"
	set_field() { awk -F, -v OFS=, -v id="$2" -v col="$3" -v v="$4" '$1==id{$col=v}1' "$1" >"$1.new" && mv "$1.new" "$1"; }
	"$bin" build "$bdir/sea" "$src/data/sea/volga-don" "$work/base" -o "$work/base.mnet" --quiet
	check_equiv() { # NAME SCENARIO EDITDIR FROM TO [ROUTE OPTIONS]
		local name=$1 scn=$2 dir=$3 from=$4 to=$5
		shift 5
		"$bin" build "$bdir/sea" "$src/data/sea/volga-don" "$dir" -o "$work/e.mnet" --quiet
		a=$("$bin" route "$from" "$to" --network "$work/base.mnet" --scenario "$scn" --format json "$@" | totals)
		b=$("$bin" route "$from" "$to" --network "$work/e.mnet" --format json "$@" | totals)
		c=$("$bin" route "$from" "$to" --network "$work/base.mnet" --format json "$@" | totals)
		if [ "$a" = "$b" ] && [ "$a" != "$c" ]; then ok "$name: scenario = rebuilt data ($a; base $c)"; else bad "$name" "scenario $a, rebuilt $b, base $c"; fi
	}
	cp -r "$work/base" "$work/kg"
	set_field "$work/kg/link.csv" middle-093 11 open
	set_field "$work/kg/border.csv" b-arm-tur-akhurik 7 open
	check_equiv kars-gyumri-open kars-gyumri-open "$work/kg" AM_YEREVAN TR_KARS
	cp -r "$work/base" "$work/sy"
	for l in middle-059 middle-060 middle-061 middle-062; do set_field "$work/sy/link.csv" $l 11 open; done
	set_field "$work/sy/border.csv" b-arm-aze-meghri 7 open
	check_equiv syunik-route-open syunik-route-open "$work/sy" AZBAK AZ_NAKHCHIVAN
	cp -r "$work/base" "$work/ra"
	set_field "$work/ra/link.csv" instc-012 11 open
	check_equiv rasht-astara-open rasht-astara-open "$work/ra" IRBND RU_MOSCOW
	cp -r "$work/base" "$work/as"
	set_field "$work/as/border.csv" b-irn-aze-astara 7 closed
	check_equiv astara-border-closed astara-border-closed "$work/as" IRBND RU_MOSCOW
	# dwell and fee (fields 5 and 6 of border.csv) and a tariff row (field 3 of tariff.csv)
	cp -r "$work/base" "$work/dw"
	set_field "$work/dw/border.csv" b-irn-aze-astara 5 2
	set_field "$work/dw/border.csv" b-irn-aze-astara 6 0
	printf 'dwell border=b-irn-aze-astara hours=2\nfee border=b-irn-aze-astara usd=0\n' >"$work/dw.scn"
	check_equiv "dwell and fee" "$work/dw.scn" "$work/dw" IRBND RU_MOSCOW
else
	echo "skipped: rebuild equivalence ($bdir/sea missing)"
fi

# ---- value of time ----
"$bin" route Mumbai Moscow --scenario high-value-cargo --format json | node -e 'const j=JSON.parse(require("fs").readFileSync(0)); process.exit(j.options.vot_usd_per_h === 50 ? 0 : 1)' &&
	ok "a vot scenario sets the value of time" || bad "vot scenario" "not 50"
"$bin" route Mumbai Moscow --scenario high-value-cargo --vot 20 --format json | node -e 'const j=JSON.parse(require("fs").readFileSync(0)); process.exit(j.options.vot_usd_per_h === 20 ? 0 : 1)' &&
	ok "--vot wins over a scenario's" || bad "--vot over scenario" "not 20"

# ---- composition in order: close then open = base ----
printf 'close border=b-irn-aze-astara\n' >"$work/c.scn"
printf 'open border=b-irn-aze-astara\n' >"$work/o.scn"
a=$("$bin" route IRBND RU_MOSCOW --format json | totals)
b=$("$bin" route IRBND RU_MOSCOW --scenario "$work/c.scn" --scenario "$work/o.scn" --format json | totals)
c=$("$bin" route IRBND RU_MOSCOW --scenario "$work/c.scn" --format json | totals)
[ "$a" = "$b" ] && [ "$a" != "$c" ] && ok "scenarios compose in order (close, open = base)" || bad "composition" "$a / $b / $c"

# ---- compare --vs ----
"$bin" compare Mumbai Moscow --vs suez-closed --format json >"$work/vs.json"
node -e '
	const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
	const b = Object.fromEntries(j.corridors.map(c => [c.id, c]));
	const v = Object.fromEntries(j.vs.corridors.map(c => [c.id, c]));
	const d = Object.fromEntries(j.vs.differences.map(c => [c.id, c]));
	const bad = [];
	if (j.vs.scenario !== "suez-closed") bad.push("label " + j.vs.scenario);
	if (!b.suez.feasible || v.suez.feasible) bad.push("suez should become infeasible");
	if (v.best.route.passages.includes("suez")) bad.push("best still through suez");
	if (d.suez.feasible_base !== true || d.suez.feasible_scenario !== false) bad.push("difference flags");
	const x = d["best"];
	if (Math.abs(x.distance_km - (v.best.route.distance_km - b.best.route.distance_km)) > 0.02) bad.push("distance difference");
	if (!j.scenarios.some(s => s.id === "suez-closed" && s.applies_to === "vs")) bad.push("scenarios list");
	if (bad.length) { console.error(bad.join("; ")); process.exit(1); }
' "$work/vs.json" && ok "compare --vs suez-closed: both sides and the differences" || bad "compare --vs" "see above"
"$bin" compare Mumbai Moscow --vs suez-closed --corridors best,suez >"$work/vs.txt"
grep -q "== difference: suez-closed minus base ==" "$work/vs.txt" && grep -q "becomes infeasible" "$work/vs.txt" &&
	ok "compare --vs table" || bad "compare --vs table" "$(cat "$work/vs.txt")"
"$bin" compare Mumbai Moscow --vs suez-closed --corridors suez --format csv >"$work/vs.csv"
[ "$(grep -c ',suez-closed$' "$work/vs.csv")" -eq 1 ] && [ "$(grep -c ',base$' "$work/vs.csv")" -eq 1 ] &&
	ok "compare --vs csv: a row per side" || bad "compare --vs csv" "$(cat "$work/vs.csv")"

# ---- -o FILE ----
"$bin" compare Mumbai Moscow --corridors best --format json >"$work/stdout.json"
"$bin" compare Mumbai Moscow --corridors best --format json -o "$work/o.json"
cmp -s "$work/stdout.json" "$work/o.json" && ok "-o writes what stdout would" || bad "-o" "differs"
ls "$work" | grep -q '^o.json\.' && bad "-o temporary left" "$(ls "$work")" || ok "-o leaves no temporary file"
echo keep >"$work/old.json"
expect_status "-o into a missing folder" 5 "$bin" compare Mumbai Moscow --corridors best -o "$work/nope/x.json"
echo "$err" | grep -q "nope/x.json" && ok "-o error names the file" || bad "-o error" "$err"
expect_status "-o after a failure keeps the old file" 4 "$bin" compare Nowhereville Moscow -o "$work/old.json"
[ "$(cat "$work/old.json")" = keep ] && ok "old file untouched" || bad "old file" "changed"
"$bin" route Mumbai Moscow -o "$work/r.txt" && grep -q "Moscow" "$work/r.txt" && ok "route -o" || bad "route -o" "no output"

# ---- colour: on a terminal only, never with NO_COLOR ----
if command -v script >/dev/null; then
	script -qec "$bin compare Mumbai Moscow --corridors best,suez" /dev/null >"$work/tty.txt" || true
	grep -q $'\033\\[' "$work/tty.txt" && ok "colour on a terminal" || bad "colour" "no escape on a TTY"
	NO_COLOR=1 script -qec "$bin compare Mumbai Moscow --corridors best,suez" /dev/null >"$work/tty2.txt" || true
	grep -q $'\033\\[' "$work/tty2.txt" && bad "NO_COLOR" "escapes with NO_COLOR" || ok "NO_COLOR respected"
else
	echo "skipped: colour checks (no 'script')"
fi
"$bin" compare Mumbai Moscow --corridors best >"$work/pipe.txt"
grep -q $'\033' "$work/pipe.txt" && bad "no colour in a pipe" "escapes" || ok "no colour in a pipe"

# ---- bad arguments and bad files ----
expect_status "unknown scenario" 2 "$bin" compare Mumbai Moscow --scenario no-such-thing
echo "$err" | grep -q "unknown scenario 'no-such-thing'" && ok "unknown scenario named" || bad "unknown scenario msg" "$err"
expect_status "--vs twice" 2 "$bin" compare Mumbai Moscow --vs suez-closed --vs red-sea-closed
expect_status "--plot bad extension" 2 "$bin" compare Mumbai Moscow --plot x.pdf
expect_status "route --format html" 2 "$bin" route Mumbai Moscow --format html
printf 'description = x\n# comment\n\nclose passage=suez\nclose lnk=foo\n' >"$work/bad1.scn"
expect_status "bad field" 1 "$bin" route Mumbai Moscow --scenario "$work/bad1.scn"
echo "$err" | grep -q "bad1.scn:5" && echo "$err" | grep -q "lnk" && ok "bad field: file:line and field" || bad "bad field msg" "$err"
printf 'tariff mode=rail factor=-1\n' >"$work/bad2.scn"
expect_status "negative factor" 1 "$bin" route Mumbai Moscow --scenario "$work/bad2.scn"
echo "$err" | grep -q "bad2.scn:1" && echo "$err" | grep -q "factor" && ok "negative factor: file:line and field" || bad "bad2 msg" "$err"
printf '# two\n\nclose link=no-such-link\n' >"$work/bad3.scn"
expect_status "unknown link" 4 "$bin" compare Mumbai Moscow --scenario "$work/bad3.scn"
echo "$err" | grep -q "bad3.scn:3" && echo "$err" | grep -q "no-such-link" && ok "unknown link: file:line" || bad "bad3 msg" "$err"
printf 'close country=XXX\n' >"$work/bad4.scn"
expect_status "unknown country in --vs" 4 "$bin" compare Mumbai Moscow --vs "$work/bad4.scn"
printf '# nothing\n' >"$work/empty.scn"
expect_status "a scenario without a statement" 1 "$bin" route Mumbai Moscow --scenario "$work/empty.scn"
expect_status "missing scenario file" 5 "$bin" route Mumbai Moscow --scenario "$work/missing.scn"
mkdir -p "$work/dir" && printf 'close border=b-irn-aze-astara\nbogus\n' >"$work/dir/x.scn"
expect_status "scenarios --dir with a bad file" 1 "$bin" scenarios --dir "$work/dir"
echo "$err" | grep -q "x.scn:2" && ok "scenarios --dir names the bad file and line" || bad "scenarios --dir msg" "$err"

finish
