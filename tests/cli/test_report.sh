#!/usr/bin/env bash
# test_report.sh: `meridian compare --format html` and `--plot` on the built-in network: the page
# parses (xmllint, as HTML and as XML), has the map (with country outlines when the atlas is
# installed), the table and the charts, shows every feasible corridor, fetches nothing, and is
# the same on a second run; the plot is a real PNG or SVG; unwritable outputs fail and leave
# nothing. Skipped (77) without the maritime import or xmllint.
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! "$bin" info 2>/dev/null | grep -q "/sea"; then
	echo "skipped: the built-in network has no maritime import"
	exit 77
fi
command -v xmllint >/dev/null || { echo "skipped: xmllint is needed (libxml2-utils)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1

xcount() { # FILE XPATH: the count of nodes, as an integer
	xmllint --html --xpath "count($2)" "$1" 2>/dev/null
}
wellformed() { # NAME FILE
	local msg
	if ! msg=$(xmllint --noout "$2" 2>&1); then
		bad "$1: well-formed XML" "$msg"
		return
	fi
	msg=$(xmllint --html --noout "$2" 2>&1 | grep -i error | grep -v 'error : Tag [a-zA-Z]* invalid' | head -3 || true)
	[ -z "$msg" ] && ok "$1: parses as HTML and XML" || bad "$1: HTML parser errors" "$msg"
}

# Mumbai - Moscow: the corridors and which are feasible, from the CSV report.
"$bin" compare Mumbai Moscow --format csv >"$work/c.csv"
ncorr=$(($(wc -l <"$work/c.csv") - 1))
feasible=$(grep -E '^[a-z0-9-]+,.*,true,[0-9.]+,' "$work/c.csv" | cut -d, -f1)
nfeas=$(echo "$feasible" | grep -c . || true)
[ "$ncorr" -ge 5 ] && [ "$nfeas" -ge 3 ] && ok "$nfeas of $ncorr corridors feasible" || bad "corridors" "$(cat "$work/c.csv")"

if "$bin" compare Mumbai Moscow --format html -o "$work/r.html" --plot "$work/r.png" 2>"$work/err"; then
	ok "compare --format html -o --plot"
else
	bad "compare --format html" "$(cat "$work/err")"
	finish
	exit 1
fi
wellformed "report" "$work/r.html"
[ "$(xcount "$work/r.html" '//svg[@class="map"]')" = 1 ] && ok "a map" || bad "map" "no svg.map"
n=$(xcount "$work/r.html" '//table[@id="compare"]/tbody/tr')
[ "$n" = "$ncorr" ] && ok "a table row per corridor ($n)" || bad "table rows" "$n, want $ncorr"
n=$(xcount "$work/r.html" '//svg[contains(@class,"chart")]')
[ "$n" = 4 ] && ok "four charts" || bad "charts" "$n"
n=$(xcount "$work/r.html" '//svg[contains(@class,"chart")]//rect[contains(@class,"bar")]')
[ "$n" = $((4 * nfeas)) ] && ok "a bar per feasible corridor and figure ($n)" || bad "bars" "$n, want $((4 * nfeas))"
n=$(xcount "$work/r.html" '//svg[contains(@class,"chart")]//rect[contains(@class,"best")]')
[ "$n" -ge 4 ] && ok "the best highlighted in each chart" || bad "best bars" "$n"
missing=""
for id in $feasible; do
	m=$(xcount "$work/r.html" "//svg[@class=\"map\"]//g[@data-corridor=\"$id\"]")
	t=$(xcount "$work/r.html" "//table[@id=\"compare\"]/tbody/tr[@data-corridor=\"$id\" and @class=\"feasible\"]")
	l=$(xcount "$work/r.html" "//svg[@class=\"map\"]//g[@data-corridor=\"$id\"]/polyline")
	[ "$m" = 1 ] && [ "$t" = 1 ] && [ "$l" -ge 1 ] || missing="$missing $id(map=$m,table=$t,legs=$l)"
done
[ -z "$missing" ] && ok "every feasible corridor on the map and in the table" || bad "corridors shown" "$missing"
if [ -f "$(dirname "$bin")/atlas-countries-110m.json" ]; then
	n=$(xcount "$work/r.html" '//svg[@class="map"]//path[@class="land"]')
	[ "$n" -ge 20 ] && ok "country outlines ($n countries in view)" || bad "outlines" "$n"
	grep -q '<title>Iran</title>' "$work/r.html" && grep -q '<title>Russia</title>' "$work/r.html" &&
		! grep -q '<title>Brazil</title>' "$work/r.html" && ok "outlines cropped to the routes" || bad "outline crop" "Iran/Russia missing or Brazil drawn"
else
	echo "note: no atlas next to the program: outlines not checked"
fi
# Self-contained: the only URL is the SVG namespace; no script, no external resource.
urls=$(grep -o 'https\?://[^"]*' "$work/r.html" | grep -v '^http://www.w3.org/2000/svg$' | head -3 || true)
[ -z "$urls" ] && ! grep -q -e '<script' -e ' src=' -e 'url(' "$work/r.html" && ok "no external request" || bad "external" "$urls"
# Reproducible.
"$bin" compare Mumbai Moscow --format html >"$work/r2.html"
cmp -s "$work/r.html" "$work/r2.html" && ok "the same page on a second run (stdout)" || bad "reproducible" "differs"
# The PNG: signature, IHDR, 1200 px wide.
sig=$(od -An -tx1 -N24 "$work/r.png" | tr -d ' \n')
[ "${sig:0:16}" = 89504e470d0a1a0a ] && [ "${sig:24:8}" = 49484452 ] && [ "${sig:32:8}" = 000004b0 ] &&
	ok "plot: PNG 1200 px wide" || bad "plot png" "$sig"
"$bin" compare Mumbai Moscow --plot "$work/r.svg" >/dev/null
xmllint --noout "$work/r.svg" 2>"$work/err" && grep -q '<svg' "$work/r.svg" && ok "plot: SVG parses" || bad "plot svg" "$(cat "$work/err")"

# With --vs: the differences section, a row per corridor.
if "$bin" scenarios 2>/dev/null | grep -q '^ *suez-closed'; then
	"$bin" compare Mumbai Moscow --vs suez-closed --format html -o "$work/vs.html"
	wellformed "vs report" "$work/vs.html"
	n=$(xcount "$work/vs.html" '//table[@id="diff"]/tbody/tr')
	[ "$n" = "$ncorr" ] && ok "scenario differences: a row per corridor" || bad "diff rows" "$n, want $ncorr"
	grep -q 'suez-closed' "$work/vs.html" && ok "the scenario is named" || bad "scenario name" "suez-closed not in the page"
	n=$(xcount "$work/vs.html" '//svg[contains(@class,"chart")]//rect[contains(@class,"vs")]')
	[ "$n" -ge 4 ] && ok "paired bars ($n scenario bars)" || bad "paired bars" "$n"
else
	echo "note: no suez-closed scenario: --vs not checked"
fi

# Errors: nothing is left behind.
expect_status "plot into a missing folder" 5 "$bin" compare Mumbai Moscow --plot "$work/missing/x.png"
[ ! -e "$work/missing" ] && ok "plot: no file" || bad "plot leftovers" "$(ls -R "$work/missing")"
set +e
"$bin" compare Mumbai Moscow --format html -o "$work/missing/r.html" >/dev/null 2>"$work/err"
rc=$?
set -e
[ "$rc" -ne 0 ] && [ ! -e "$work/missing" ] && ok "html into a missing folder fails ($rc)" || bad "html -o missing" "exit $rc"
expect_status "plot with another extension" 2 "$bin" compare Mumbai Moscow --plot "$work/x.pdf"
[ ! -e "$work/x.pdf" ] && ok "no pdf" || bad "pdf" "written"
finish
