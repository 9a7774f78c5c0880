#!/usr/bin/env bash
# test_critical.sh: `meridian critical` on the fixture network and on a small network written here
# with one single point of failure: every format (table, JSON, CSV, GeoJSON, well-formed HTML),
# -o written atomically (an old file kept on failure), the fast sweep equal to --naive and to
# itself on more threads, scenarios, demand weights, pairs, --assign without capacities equal to
# the shortest-path sweep, errors that name the option; on the built-in network (skipped when it
# is the fixture) the example demand and ports x capitals.
set -euo pipefail
bin=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jsget() { node -e "const j=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log(String($1))"; }

"$bin" build "$src/tests/fixtures/mini" -o "$work/mini.mnet" --quiet
mini=(--network "$work/mini.mnet" --no-corridors -q)

# ---- formats ----
expect_status "table" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 5
case "$out" in *"criticality "*"56 OD pairs"*"rank element"*) ok "table has the header and the columns" ;; *) bad "table" "$out" ;; esac
rows=$(printf '%s\n' "$out" | grep -cE '^ +[0-9]+ (link|border|passage|node|transfers) ' || true)
[ "$rows" -eq 5 ] && ok "--top 5 shows 5 rows" || bad "--top 5" "$rows rows"

expect_status "json" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format json
[ "$(printf '%s' "$out" | jsget 'j.pairs + "," + j.connected_pairs + "," + j.elements[0].rank + "," + j.ranked_by')" = "56,56,1,lost" ] &&
	ok "json: pairs, connected pairs, ranks" || bad "json fields" "$out"
sorted=$(printf '%s' "$out" | jsget 'j.elements.every((e,i,a)=>i==0||a[i-1].lost_share>a[i].lost_share||(a[i-1].lost_share==a[i].lost_share&&a[i-1].cost_increase>=a[i].cost_increase))')
[ "$sorted" = true ] && ok "json: rows sorted by lost, then cost" || bad "json sorted" "$sorted"

expect_status "csv" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format csv -o "$work/fast.csv"
head -1 "$work/fast.csv" | grep -q '^rank,rank_lost,rank_cost,rank_used,element,id,name,lost_pairs,lost_share,lost_weight,cost_increase,cost_increase_share,changed_pairs,used_pairs,used_weight,corridors$' &&
	ok "csv header" || bad "csv header" "$(head -1 "$work/fast.csv")"
[ "$(wc -l <"$work/fast.csv")" -gt 20 ] && ok "csv rows" || bad "csv rows" "$(wc -l <"$work/fast.csv")"

expect_status "geojson" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format geojson
types=$(printf '%s' "$out" | jsget '[...new Set(j.features.map(f=>f.properties.element+":"+f.geometry.type))].sort().join(" ")')
case "$types" in *"link:LineString"*"node:Point"*"passage:MultiLineString"*) ok "geojson: lines, points, passages ($types)" ;; *) bad "geojson types" "$types" ;; esac

expect_status "html" 0 "$bin" critical "${mini[@]}" --od ports --elements all --pairs 4 --format html -o "$work/c.html"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$work/c.html" 2>"$work/xml.err" && ok "html is well-formed XML" || bad "html well-formed" "$(head -3 "$work/xml.err")"
fi
grep -q '<svg' "$work/c.html" && grep -q '<table' "$work/c.html" && ok "html has the map and the table" || bad "html map and table" ""
! grep -qiE '<script|(src|href)="https?:|url\(' "$work/c.html" && ok "html: no script, nothing fetched" || bad "html self-contained" ""

# ---- -o is atomic ----
echo "old" >"$work/keep.csv"
expect_status "failure keeps the old file" 5 "$bin" critical "${mini[@]}" --od "$work/none.txt:ports" --format csv -o "$work/keep.csv"
[ "$(cat "$work/keep.csv")" = old ] && ok "old -o file kept" || bad "old -o file" "$(head -2 "$work/keep.csv")"
[ -z "$(ls "$work" | grep 'keep.csv.' || true)" ] && ok "no temporary left" || bad "temporary left" "$(ls "$work")"
expect_status "unwritable -o" 5 "$bin" critical "${mini[@]}" --od ports -o "$work/no/such/dir/x.csv"
case "$err" in *"-o $work/no/such/dir/x.csv"*) ok "unwritable -o is named" ;; *) bad "unwritable -o" "$err" ;; esac

# ---- exact: fast = naive, threads ----
expect_status "naive" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format csv --naive -o "$work/naive.csv"
cmp -s "$work/fast.csv" "$work/naive.csv" && ok "fast equals naive, digit for digit" || bad "fast = naive" "$(diff "$work/fast.csv" "$work/naive.csv" | head -4)"
expect_status "one thread" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format csv --threads 1 -o "$work/t1.csv"
expect_status "three threads" 0 "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format csv --threads 3 -o "$work/t3.csv"
cmp -s "$work/t1.csv" "$work/t3.csv" && cmp -s "$work/t1.csv" "$work/fast.csv" && ok "same bytes on 1, 3 and all threads" || bad "threads" "$(diff "$work/t1.csv" "$work/t3.csv" | head -4)"

# ---- a single point of failure ----
mkdir -p "$work/spof"
cat >"$work/spof/node.csv" <<'T'
node_id,name,x_coord,y_coord,node_type,country,unlocode,aliases
W0,West 0,10.0,50.0,station,AAA,,
W1,West 1,10.5,50.5,station,AAA,,
W2,West 2,11.0,50.0,station,AAA,,
W3,West 3,11.5,50.5,station,AAA,,
E0,East 0,14.0,50.0,station,AAA,,
E1,East 1,14.5,50.5,station,AAA,,
E2,East 2,15.0,50.0,station,AAA,,
E3,East 3,15.5,50.5,station,AAA,,
T
cat >"$work/spof/link.csv" <<'T'
link_id,from_node_id,to_node_id,directed,mode,length_km,gauge_mm,electrified,free_speed_kmh,capacity,status,tags,source,country,passage,services_per_week,toll_usd,name
w01,W0,W1,0,rail,60,1435,0,,,open,,test,,,,,
w12,W1,W2,0,rail,60,1435,0,,,open,,test,,,,,
w23,W2,W3,0,rail,60,1435,0,,,open,,test,,,,,
w30,W3,W0,0,rail,200,1435,0,,,open,,test,,,,,
bridge,W3,E0,0,rail,250,1435,0,,,open,,test,,,,,Bridge line
e01,E0,E1,0,rail,60,1435,0,,,open,,test,,,,,
e12,E1,E2,0,rail,60,1435,0,,,open,,test,,,,,
e23,E2,E3,0,rail,60,1435,0,,,open,,test,,,,,
e30,E3,E0,0,rail,200,1435,0,,,open,,test,,,,,
T
cat >"$work/spof/tariff.csv" <<'T'
mode,country,usd_per_teu_km,fixed_usd,co2e_kg_per_teu_km,speed_kmh,source
rail,*,0.5,100,0.25,35,test
T
printf 'W0\nW1\nW2\nW3\nE0\nE1\nE2\nE3\n' >"$work/spof/places.txt"
"$bin" build "$work/spof" -o "$work/spof.mnet" --quiet
expect_status "single point of failure" 0 "$bin" critical --network "$work/spof.mnet" --no-corridors -q --od "$work/spof/places.txt" --elements links,borders,passages,nodes --format csv
first=$(printf '%s\n' "$out" | sed -n 2p | cut -d, -f5,6,8,11)
[ "$first" = "link,bridge,32,0" ] && ok "the bridge is ranked first: 32 pairs lost, no cost given" || bad "bridge first" "$first"

# ---- demand, scenarios, pairs, assign ----
cat >"$work/demand.csv" <<'T'
origin,destination,amount,class
INNSA,RUMOW,1000,container
IRBND,RUMOW,400,
RUMOW,INNSA,300,container
AEJEA,AZBAK,250,container
INNSA,RULED,500,container
T
expect_status "demand" 0 "$bin" critical "${mini[@]}" --demand "$work/demand.csv" --elements all --format json
[ "$(printf '%s' "$out" | jsget 'j.total_weight + "," + (j.elements[0].used_teu > 0) + "," + j.weights')" = "2450,true,demand (TEU per year)" ] &&
	ok "demand weights (TEU per year)" || bad "demand" "$(printf '%s' "$out" | head -20)"
expect_status "scenario" 0 env MERIDIAN_SCENARIOS="$src/tests/fixtures/scenarios" "$bin" critical "${mini[@]}" --od ports --elements passages --scenario close-suez --format json
[ "$(printf '%s' "$out" | jsget 'j.scenario + "," + j.elements.some(e=>e.id=="suez")')" = "close-suez,false" ] &&
	ok "scenario applied: Suez closed is used by no route" || bad "scenario" "$(printf '%s' "$out" | head -12)"
expect_status "pairs" 0 "$bin" critical "${mini[@]}" --od ports --elements all --pairs 5
case "$out" in *"pairs removed together"*) ok "pairs section" ;; *) bad "pairs section" "$out" ;; esac
expect_status "assign" 0 "$bin" critical "${mini[@]}" --demand "$work/demand.csv" --elements links,borders --assign --assign-top 3 --format json
same=$(printf '%s' "$out" | jsget 'j.assign.elements.every(a=>{const e=j.elements.find(x=>x.id==a.id&&x.element==a.element); return e && Math.abs(a.cost_increase-e.cost_increase)<=1e-6*Math.max(1,e.cost_increase) && a.lost_teu==(e.lost_teu||0)})')
[ "$same" = true ] && ok "assign without capacities: the same increase as the sweep" || bad "assign = sweep" "$(printf '%s' "$out" | jsget 'JSON.stringify(j.assign)')"

# ---- errors name the option ----
expect_status "no pairs" 2 "$bin" critical "${mini[@]}"
case "$err" in *"--demand FILE or --od"*) ok "asks for the pairs" ;; *) bad "asks for the pairs" "$err" ;; esac
expect_status "both pair options" 2 "$bin" critical "${mini[@]}" --od ports --demand "$work/demand.csv"
expect_status "bad element kind" 2 "$bin" critical "${mini[@]}" --od ports --elements borders,bridges
case "$err" in *"--elements"*"bridges"*) ok "names --elements and the kind" ;; *) bad "--elements error" "$err" ;; esac
expect_status "bad top" 2 "$bin" critical "${mini[@]}" --od ports --top -3
case "$err" in *"--top"*) ok "names --top" ;; *) bad "--top error" "$err" ;; esac
expect_status "bad rank" 2 "$bin" critical "${mini[@]}" --od ports --rank beauty
case "$err" in *"--rank"*"beauty"*) ok "names --rank" ;; *) bad "--rank error" "$err" ;; esac
expect_status "bad format" 2 "$bin" critical "${mini[@]}" --od ports --format pdf
case "$err" in *"--format"*"pdf"*) ok "names --format" ;; *) bad "--format error" "$err" ;; esac
expect_status "bad pairs" 2 "$bin" critical "${mini[@]}" --od ports --pairs 1
case "$err" in *"--pairs"*) ok "names --pairs" ;; *) bad "--pairs error" "$err" ;; esac
expect_status "bad threads" 2 "$bin" critical "${mini[@]}" --od ports --threads 100
expect_status "assign needs demand" 2 "$bin" critical "${mini[@]}" --od ports --assign
case "$err" in *"--assign"*"--demand"*) ok "names --assign" ;; *) bad "--assign error" "$err" ;; esac
expect_status "assign needs time" 2 "$bin" critical "${mini[@]}" --demand "$work/demand.csv" --assign --by distance
printf 'INNSA\nAtlantis\n' >"$work/bad_places.txt"
expect_status "unknown place" 4 "$bin" critical "${mini[@]}" --od "$work/bad_places.txt"
case "$err" in *"--od $work/bad_places.txt:2"*"Atlantis"*) ok "names --od file:line" ;; *) bad "--od error" "$err" ;; esac
expect_status "missing places file" 5 "$bin" critical "${mini[@]}" --od "$work/nothing.txt"
case "$err" in *"--od $work/nothing.txt"*) ok "names the missing --od file" ;; *) bad "--od missing" "$err" ;; esac
printf 'origin,destination,amount\nINNSA,Atlantis,5\n' >"$work/bad_demand.csv"
expect_status "bad demand" 4 "$bin" critical "${mini[@]}" --demand "$work/bad_demand.csv"
case "$err" in *"bad_demand.csv:2"*) ok "demand error names file:line" ;; *) bad "demand error" "$err" ;; esac
expect_status "unknown scenario" 2 env MERIDIAN_SCENARIOS="$src/tests/fixtures/scenarios" "$bin" critical "${mini[@]}" --od ports --scenario no-such-scenario
case "$err" in *"--scenario"*"no-such-scenario"*) ok "names --scenario" ;; *) bad "--scenario error" "$err" ;; esac
expect_status "help" 0 "$bin" critical --help
case "$out" in *"Usage: meridian critical"*) ok "help" ;; *) bad "help" "$out" ;; esac

# ---- Open MPI: elements split across 2 ranks, the same answer byte for byte ----
if [ -x "$(dirname "$bin")/meridian-mpi" ] && command -v mpirun >/dev/null; then
	root=()
	[ "$(id -u)" = 0 ] && root=(--allow-run-as-root)
	set +e
	ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" mpirun -np 2 --oversubscribe "${root[@]}" "$bin" critical "${mini[@]}" --od ports --elements all --top 0 --format csv \
		-o "$work/mpi.csv" >"$work/mpi.out" 2>"$work/mpi.err"
	st=$?
	set -e
	if [ $st -ne 0 ]; then
		bad "mpirun -np 2 critical" "exit $st: $(head -5 "$work/mpi.err")"
	elif cmp -s "$work/fast.csv" "$work/mpi.csv"; then
		ok "2 MPI ranks = 1 process, byte for byte"
	else
		bad "2 MPI ranks = 1 process" "$(diff "$work/fast.csv" "$work/mpi.csv" | head -5)"
	fi
else
	echo "skipped: 2 MPI ranks (no meridian-mpi or mpirun)"
fi

# ---- the built-in network ----
if "$bin" info 2>/dev/null | grep -q 'sea  *[0-9][0-9][0-9][0-9]'; then
	expect_status "example demand" 0 "$bin" critical --demand example -q --elements borders,passages,ferries --format json
	[ "$(printf '%s' "$out" | jsget 'j.pairs + "," + j.connected_pairs')" = "43,43" ] && ok "example demand: 43 pairs, all connected" ||
		bad "example demand" "$(printf '%s' "$out" | head -12)"
	expect_status "ports x capitals" 0 "$bin" critical --od ports:capitals -q --elements borders,passages,ferries --top 5
	case "$out" in *"ports ("*") x capitals ("*) ok "ports x capitals" ;; *) bad "ports x capitals" "$out" ;; esac
else
	echo "skip: the built-in network is the fixture (no maritime import)"
fi
finish
