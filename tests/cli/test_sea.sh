#!/usr/bin/env bash
# test_sea.sh: sea routing on the built-in network (the repaired maritime network): passages,
# seasonal closures, the antimeridian, the Caspian, the Volga-Don, nautical miles.
# Skipped (exit 77) when the built-in network was built without the npm data.
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! "$bin" info 2>/dev/null | grep -q "/sea"; then
	echo "skipped: the built-in network has no maritime import (run scripts/install-deps and rebuild)"
	exit 77
fi
command -v node >/dev/null || { echo "skipped: node is needed to read JSON"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# js EXPR FILE: evaluate EXPR with j = the parsed JSON, r = its first route
js() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[2]));const r=(j.routes||[])[0];console.log(eval(process.argv[1]))' "$1" "$2"; }
route() { # NAME ARGS...: route as JSON into $work/NAME.json
	local name=$1
	shift
	"$bin" route "$@" --format json >"$work/$name.json" 2>"$work/$name.err"
}

route sha-rtm CNSHA NLRTM --modes sea --by distance
km=$(js 'r.distance_km' "$work/sha-rtm.json")
[ "$(js 'r.passages.includes("suez") && !r.passages.includes("northern-sea-route")' "$work/sha-rtm.json")" = true ] &&
	ok "Shanghai-Rotterdam goes through Suez, not the closed Northern Sea Route ($km km)" || bad "Shanghai-Rotterdam" "$(js 'r.passages' "$work/sha-rtm.json")"
[ "$(js 'Math.abs(r.distance_nm*1.852-r.distance_km)<0.02 && r.legs.every(l=>Math.abs(l.distance_nm*1.852-l.distance_km)<0.02)' "$work/sha-rtm.json")" = true ] &&
	ok "nautical miles = km / 1.852" || bad "nautical miles" "$(js 'r.distance_nm' "$work/sha-rtm.json")"
route nsr CNSHA NLRTM --modes sea --by distance --allow northern-sea-route
[ "$(js 'r.passages.includes("northern-sea-route") && r.distance_km < '"$km"' - 2000' "$work/nsr.json")" = true ] &&
	ok "--allow northern-sea-route opens it ($(js 'r.distance_km' "$work/nsr.json") km)" || bad "--allow northern-sea-route" "$(js 'r.passages+" "+r.distance_km' "$work/nsr.json")"
route nosuez CNSHA NLRTM --modes sea --by distance --avoid suez
[ "$(js '!r.passages.includes("suez") && (r.passages.includes("panama")||r.passages.includes("cape-of-good-hope"))' "$work/nosuez.json")" = true ] &&
	ok "--avoid suez goes round by $(js 'r.passages.filter(p=>p=="panama"||p=="cape-of-good-hope")' "$work/nosuez.json")" || bad "--avoid suez" "$(js 'r.passages' "$work/nosuez.json")"
route cape CNSHA NLRTM --modes sea --by distance --avoid suez,panama
[ "$(js 'r.passages.includes("cape-of-good-hope")' "$work/cape.json")" = true ] &&
	ok "--avoid suez,panama goes round the Cape ($(js 'r.distance_km' "$work/cape.json") km)" || bad "--avoid suez,panama" "$(js 'r.passages' "$work/cape.json")"
# Port Said from Rotterdam without Gibraltar and without Suez: impossible, and the message says
# that lifting either restriction alone would do.
set +e
"$bin" route NLRTM EGPSD --modes sea --avoid gibraltar,suez >/dev/null 2>"$work/imp.err"
st=$?
set -e
[ $st -eq 3 ] && grep -q "without avoiding 'gibraltar', or without avoiding 'suez'" "$work/imp.err" &&
	ok "an impossible request names the restrictions to lift" || bad "impossible request" "exit $st: $(cat "$work/imp.err")"
route horn CNSHA NLRTM --modes sea --by distance --avoid suez,panama,cape-of-good-hope
[ "$(js 'r.distance_km > '"$(js 'r.distance_km' "$work/cape.json")"' && r.geometry.coordinates.some(c=>c[1]<-52)' "$work/horn.json")" = true ] &&
	ok "without Suez, Panama and the Cape of Good Hope: round South America (Magellan or Cape Horn), $(js 'r.distance_km' "$work/horn.json") km" || bad "Cape Horn" "$(js 'r.distance_km' "$work/horn.json")"

route pacific CNSHA USLAX --modes sea --by distance
[ "$(js 'r.distance_km < 12500 && r.geometry.coordinates.some(c=>Math.abs(c[0])>179)' "$work/pacific.json")" = true ] &&
	ok "Shanghai-Los Angeles crosses the Pacific over the antimeridian ($(js 'r.distance_km' "$work/pacific.json") km)" || bad "antimeridian" "$(js 'r.distance_km' "$work/pacific.json")"

# Caspian port pairs stay inside the Caspian (lon 46.5..55.5, lat 36.3..47.5).
for pair in "AZBAK KZAAU" "RUASF IRBAZ" "RUMCX TMKRW" "KZAAU IRNSH"; do
	read -r a b <<<"$pair"
	if route casp "$a" "$b" --modes sea --by distance --allow caspian; then
		[ "$(js 'r.geometry.coordinates.every(c=>c[0]>46.5&&c[0]<55.5&&c[1]>36.3&&c[1]<47.5)' "$work/casp.json")" = true ] &&
			ok "$a-$b inside the Caspian ($(js 'r.distance_km' "$work/casp.json") km)" || bad "$a-$b" "leaves the Caspian"
	else
		bad "$a-$b" "$(cat "$work/casp.err")"
	fi
done
# The Caspian lanes are restricted by default (containers cross on the scheduled ferries): a
# sea-only Caspian request says how to open them.
set +e
"$bin" route AZBAK KZAAU --modes sea >/dev/null 2>"$work/casp.err"
st=$?
set -e
[ $st -eq 3 ] && grep -q -- "--allow caspian" "$work/casp.err" && ok "Caspian lanes restricted by default" || bad "Caspian lanes restricted" "exit $st: $(cat "$work/casp.err")"
# The Caspian is closed to ocean ships: by sea alone there is no way from Rotterdam to Baku...
set +e
"$bin" route NLRTM AZBAK --modes sea >/dev/null 2>&1
st=$?
set -e
[ $st -eq 3 ] && ok "no sea-only route from the ocean into the Caspian" || bad "Caspian closed" "exit $st"
# ...but river-sea vessels reach it through the Sea of Azov and the Volga-Don, with a
# transshipment at each end of the waterway (--allow azov: the Sea of Azov is shallow).
route vd NLRTM AZBAK --modes sea,iww --by distance --allow caspian,azov
[ "$(js 'r.legs.some(l=>l.mode=="iww") && r.transfers>=2' "$work/vd.json")" = true ] &&
	ok "Rotterdam-Baku by sea and the Volga-Don ($(js 'r.transfers' "$work/vd.json") transfers)" || bad "Volga-Don" "$(cat "$work/vd.err")"
finish
