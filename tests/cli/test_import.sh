#!/usr/bin/env bash
# test_import.sh: `meridian import tntp|dimacs|gmns|osm` end to end: import, validate, build, route,
# and clear errors on bad input. The OSM part needs meridian-import (GDAL): skipped (77) without it.
set -euo pipefail
bin=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- TNTP: zones 1 and 2 (first thru node 3); 1 -> 2 -> 4 is faster but passes zone 2 ----
mkdir -p "$work/tntp"
cat > "$work/tntp/T_net.tntp" <<'X'
<NUMBER OF ZONES> 2
<NUMBER OF NODES> 4
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 6
<END OF METADATA>
~	init_node	term_node	capacity	length	free_flow_time	b	power	speed	toll	link_type	;
	1	2	1000	1	1	0.15	4	0	0	1	;
	2	4	1000	1	1	0.15	4	0	0	1	;
	1	3	2000	10	20	0.15	4	0	0	1	;
	3	4	2000	10	20	0.15	4	0	0	1	;
	4	3	2000	10	20	0.15	4	0	0	1	;
	3	2	2000	10	20	0.15	4	0	0	1	;
X
cat > "$work/tntp/T_node.tntp" <<'X'
node	X	Y	;
1	10.0	50.0	;
2	10.01	50.0	;
3	10.0	50.1	;
4	10.1	50.1	;
X
expect_status "tntp import" 0 "$bin" import tntp "$work/tntp" -o "$work/t"
[[ $err == *"2 zones"*"o<id>"* ]] && ok "tntp import reports the zones" || bad "tntp import reports the zones" "$err"
grep -q '^o1,zone 1 (origin)' "$work/t/node.csv" && grep -q '^d2,zone 2 (destination)' "$work/t/node.csv" \
	&& ok "tntp zone nodes" || bad "tntp zone nodes" "$(cat "$work/t/node.csv")"
grep -q 'free_flow_time=20' "$work/t/link.csv" && grep -q 'free_flow_time 20 x' "$work/t/link.csv" \
	&& ok "tntp free-flow time visible" || bad "tntp free-flow time visible" "$(head -3 "$work/t/link.csv")"
expect_status "tntp validate" 0 "$bin" validate "$work/t"
expect_status "tntp build" 0 "$bin" build "$work/t" -o "$work/t.mnet" --quiet
expect_status "tntp route o1 -> 4" 0 "$bin" route o1 4 --by time --network "$work/t.mnet" --format json
[[ $out == *'"distance_km": 20.0,'*'"duration_h": 0.67,'* ]] && ok "tntp route avoids zone 2 (40 min)" || bad "tntp route avoids zone 2 (40 min)" "$out"
expect_status "tntp route o1 -> d2" 0 "$bin" route o1 d2 --by time --network "$work/t.mnet" --format json
[[ $out == *'"distance_km": 1.0,'*'"duration_h": 0.02,'* ]] && ok "tntp zone to zone" || bad "tntp zone to zone" "$out"
expect_status "tntp no route into an origin" 3 "$bin" route 4 o2 --network "$work/t.mnet"
expect_status "tntp units" 0 "$bin" import tntp "$work/tntp/T_net.tntp" -o "$work/t2" --length-unit mi --time-unit h --quiet
grep -q '^3,o1,3,1,road,16.09344,' "$work/t2/link.csv" && ok "tntp length unit" || bad "tntp length unit" "$(sed -n 4p "$work/t2/link.csv")"
printf '<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n1 5 10 1 1 ;\n' > "$work/bad_net.tntp"
expect_status "tntp bad node" 1 "$bin" import tntp "$work/bad_net.tntp" -o "$work/bad"
[[ $err == *"bad_net.tntp:5:2: field 'term_node': unknown node 5"* ]] && ok "tntp error names file, line, field" \
	|| bad "tntp error names file, line, field" "$err"
[[ ! -e $work/bad ]] && ok "tntp nothing written" || bad "tntp nothing written" "$(ls "$work/bad")"
expect_status "tntp option of another kind" 2 "$bin" import tntp "$work/tntp" -o "$work/x" --coords a.co
expect_status "tntp missing -o" 2 "$bin" import tntp "$work/tntp"

# ---- DIMACS ----
cat > "$work/g.gr" <<'X'
c small graph
p sp 4 5
a 1 2 2000
a 2 3 3000
a 3 4 1000
a 4 1 9000
a 1 3 8000
X
cat > "$work/g.co" <<'X'
p aux sp co 4
v 1 49870000 40410000
v 2 49890000 40420000
v 3 49910000 40430000
v 4 49920000 40440000
X
expect_status "dimacs import" 0 "$bin" import dimacs "$work/g.gr" --coords "$work/g.co" -o "$work/d" --speed 40
grep -q '^1,1,2,1,road,2,,0,40,' "$work/d/link.csv" && ok "dimacs arc mapping" || bad "dimacs arc mapping" "$(sed -n 2p "$work/d/link.csv")"
grep -q '^2,,49.89,40.42,' "$work/d/node.csv" && ok "dimacs coordinates" || bad "dimacs coordinates" "$(sed -n 3p "$work/d/node.csv")"
expect_status "dimacs build" 0 "$bin" build "$work/d" -o "$work/d.mnet" --quiet
expect_status "dimacs route" 0 "$bin" route 1 4 --by distance --network "$work/d.mnet" --format json
[[ $out == *'"distance_km": 6.0,'* ]] && ok "dimacs shortest 1-2-3-4 = 6 km" || bad "dimacs shortest 1-2-3-4 = 6 km" "$out"
printf 'p sp 2 1\na 1 2 x\n' > "$work/bad.gr"
expect_status "dimacs bad weight" 1 "$bin" import dimacs "$work/bad.gr" -o "$work/bad"
[[ $err == *"bad.gr:2:4: field 'weight': 'x' is not an integer"* ]] && ok "dimacs error message" || bad "dimacs error message" "$err"
expect_status "dimacs bad --weight" 2 "$bin" import dimacs "$work/g.gr" -o "$work/x" --weight cost

# ---- GMNS ----
mkdir -p "$work/gmns"
cat > "$work/gmns/node.csv" <<'X'
node_id,name,x_coord,y_coord,node_type
1,Baku,49.87,40.41,city
2,Alat,49.42,39.94,port
3,Astara,48.87,38.43,border
X
cat > "$work/gmns/link.csv" <<'X'
link_id,from_node_id,to_node_id,directed,length,free_speed,lanes,capacity,allowed_uses
10,1,2,0,68000,80,2,2000,auto
11,2,3,0,180000,70,2,2000,auto
12,1,3,0,260000,50,1,1000,rail
X
expect_status "gmns import" 0 "$bin" import gmns "$work/gmns" -o "$work/g"
grep -q '^10,1,2,0,road,68,,0,80,2000,' "$work/g/link.csv" && ok "gmns link mapping" || bad "gmns link mapping" "$(sed -n 2p "$work/g/link.csv")"
grep -q '^12,1,3,0,rail,260,1435,' "$work/g/link.csv" && ok "gmns rail link" || bad "gmns rail link" "$(sed -n 4p "$work/g/link.csv")"
expect_status "gmns validate" 0 "$bin" validate "$work/g"
expect_status "gmns build" 0 "$bin" build "$work/g" -o "$work/g.mnet" --quiet
expect_status "gmns route" 0 "$bin" route Baku Astara --by distance --network "$work/g.mnet" --format json
[[ $out == *'"distance_km": 248.0,'* ]] && ok "gmns route by road" || bad "gmns route by road" "$out"
printf 'link_id,from_node_id,to_node_id\n10,1,9\n' > "$work/gmns/link.csv"
expect_status "gmns unknown node" 1 "$bin" import gmns "$work/gmns" -o "$work/bad"
[[ $err == *"link.csv:2:3: field 'to_node_id': unknown node '9'"* ]] && ok "gmns error message" || bad "gmns error message" "$err"

# ---- OSM (meridian-import, GDAL) ----
if [[ ! -x $(dirname "$bin")/meridian-import ]] && ! command -v meridian-import >/dev/null; then
	echo "skipped: meridian-import is missing (the OSM importer needs GDAL)"
	finish
	exit 77
fi
cat > "$work/m.osm" <<'X'
<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="meridian test">
  <node id="1" lat="40.40" lon="49.80" version="1"/>
  <node id="2" lat="40.45" lon="49.90" version="1">
    <tag k="railway" v="station"/>
    <tag k="name" v="Baku Freight"/>
  </node>
  <node id="3" lat="40.50" lon="50.00" version="1"/>
  <node id="4" lat="40.40" lon="49.81" version="1"/>
  <node id="5" lat="40.30" lon="49.70" version="1"/>
  <node id="6" lat="40.20" lon="49.60" version="1">
    <tag k="barrier" v="border_control"/>
    <tag k="name" v="Test Border"/>
  </node>
  <node id="7" lat="40.10" lon="49.50" version="1"/>
  <way id="100" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="railway" v="rail"/>
    <tag k="gauge" v="1520"/>
    <tag k="electrified" v="contact_line"/>
    <tag k="usage" v="main"/>
    <tag k="maxspeed" v="100"/>
    <tag k="name" v="Test Railway"/>
  </way>
  <way id="200" version="1">
    <nd ref="4"/><nd ref="5"/><nd ref="6"/><nd ref="7"/>
    <tag k="highway" v="motorway"/>
    <tag k="maxspeed" v="110"/>
    <tag k="ref" v="M1"/>
  </way>
  <way id="300" version="1">
    <nd ref="1"/><nd ref="4"/>
    <tag k="highway" v="residential"/>
  </way>
</osm>
X
expect_status "osm import" 0 "$bin" import osm "$work/m.osm" -o "$work/o"
grep -q ',rail,.*,1520,1,100,' "$work/o/link.csv" && ok "osm rail link with gauge, electrified, maxspeed" \
	|| bad "osm rail link with gauge, electrified, maxspeed" "$(cat "$work/o/link.csv")"
grep -q ',road,.*,110,' "$work/o/link.csv" && ok "osm motorway with maxspeed" || bad "osm motorway with maxspeed" "$(cat "$work/o/link.csv")"
grep -q 'Baku Freight,49.9,40.45,station' "$work/o/node.csv" && ok "osm station node" || bad "osm station node" "$(cat "$work/o/node.csv")"
grep -q 'Test Border,49.6,40.2,border' "$work/o/node.csv" && ok "osm border node" || bad "osm border node" "$(cat "$work/o/node.csv")"
grep -q 'residential' "$work/o/link.csv" && bad "osm residential left out" "$(cat "$work/o/link.csv")" || ok "osm residential left out"
expect_status "osm build" 0 "$bin" build "$work/o" -o "$work/o.mnet" --quiet
expect_status "osm route to the station" 0 "$bin" route 49.80,40.40 "Baku Freight" --network "$work/o.mnet" --format json
expect_status "osm --rail only" 0 "$bin" import osm "$work/m.osm" -o "$work/o2" --rail --quiet
grep -q ',road,' "$work/o2/link.csv" && bad "osm --rail has no road" "$(cat "$work/o2/link.csv")" || ok "osm --rail has no road"
echo "not xml" > "$work/bad.osm"
expect_status "osm bad file" 1 "$bin" import osm "$work/bad.osm" -o "$work/bad"
finish
