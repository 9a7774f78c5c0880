#!/usr/bin/env bash
# test_assign.sh: `meridian assign` on TNTP files: a small network written here (always), the
# shared SiouxFalls network (skipped without ../shared/data): convergence, the flows file, warm
# starts (flows and bushes), JSON, errors with file:line, and 2 Open MPI ranks equal to one
# process to 1e-9 relative (skipped without meridian-mpi and mpirun).
set -euo pipefail
bin=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shared="$src/../shared/data/tntp"

# Two routes from zone 1 to zone 2 through node 3 (short, small) or node 4 (long, large).
cat >"$work/t_net.tntp" <<'T'
<NUMBER OF ZONES> 2
<NUMBER OF NODES> 4
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 4
<END OF METADATA>
~ init term capacity length fft b power speed toll type ;
	1	3	100	1	10	0.15	4	0	0	1	;
	3	2	100	1	10	0.15	4	0	0	1	;
	1	4	400	1	15	0.15	4	0	0	1	;
	4	2	400	1	15	0.15	4	0	0	1	;
T
cat >"$work/t_trips.tntp" <<'T'
<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 600
<END OF METADATA>
Origin 1
	2 : 600;
Origin 2
T
expect_status "small network, Algorithm B" 0 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --gap 1e-12 -o "$work/t.csv" --quiet
# At equilibrium both routes cost the same: 20 (1 + 0.15 (x/100)^4) = 30 (1 + 0.15 ((600-x)/400)^4).
check=$(node -e '
const rows=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").slice(1).map(l=>l.split(",").map(Number));
const f=rows.map(r=>r[5]), t=rows.map(r=>r[7]);
const a=t[0]+t[1], b=t[2]+t[3];
console.log(Math.abs(f[0]+f[2]-600)<1e-6 && Math.abs(a-b)<1e-6*a && f[0]>0 && f[2]>0 ? "ok" : `flows ${f} times ${a} ${b}`);' "$work/t.csv")
[ "$check" = ok ] && ok "small network: both routes used at equal cost" || bad "small network equilibrium" "$check"
case "$out" in *"most saturated links"*) ok "table names the bottlenecks" ;; *) bad "table" "$out" ;; esac
expect_status "all-or-nothing" 0 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --algorithm aon -o "$work/aon.csv" --quiet
f=$(awk -F, 'NR==2{print $6}' "$work/aon.csv")
[ "$f" = 600 ] && ok "AON puts everything on the free-flow shortest route" || bad "AON" "$f"

# Errors: named option, file and line; nothing written.
expect_status "no --tntp" 2 "$bin" assign
expect_status "unknown algorithm" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --algorithm xyz
case "$err" in *"unknown algorithm 'xyz'"*) ok "names the algorithm" ;; *) bad "names the algorithm" "$err" ;; esac
expect_status "bad gap" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --gap 2
expect_status "warm start with B" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --warm-start "$work/t.csv"
sed 's/	3	2	100	1	10/	3	2	abc	1	10/' "$work/t_net.tntp" >"$work/bad_net.tntp"
expect_status "bad network line" 1 "$bin" assign --tntp "$work/bad_net.tntp" "$work/t_trips.tntp" -o "$work/never.csv"
case "$err" in *"bad_net.tntp:8"*) ok "network error names file:line ($err)" ;; *) bad "network error names file:line" "$err" ;; esac
printf 'link,flow\n1,5\n1,6\n' >"$work/dup.csv"
expect_status "warm start file error" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --algorithm fw --warm-start "$work/dup.csv" -o "$work/never.csv"
case "$err" in *"dup.csv:3: field 'link': link 1 given twice"*) ok "warm start error names file:line" ;; *) bad "warm start error" "$err" ;; esac
[ ! -e "$work/never.csv" ] && ok "nothing written on errors" || bad "nothing written on errors" "never.csv exists"

# A Meridian network: the fixture with a demand and capacities written here.
mini="$src/tests/fixtures/mini"
"$bin" build "$mini" -o "$work/mini.mnet" --quiet
printf 'origin,destination,amount,class\nINNSA,RUMOW,1000,container\nRUMOW,INNSA,300,container\nAEJEA,AZBAK,250,\n' >"$work/d.csv"
printf 'element,id,capacity_teu_per_year,source\nborder,b-irn-aze-astara,400,test figure\nnode,RUMOW,5000,test figure\n' >"$work/c.csv"
expect_status "meridian network: assign" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" --gap 1e-10 --quiet
case "$out" in *"3 OD pairs, 1550 TEU per year; 2 capacities"*"most saturated elements"*"border   b-irn-aze-astara"*) ok "report: demand, capacities, bottlenecks" ;; *) bad "report" "$out" ;; esac
expect_status "meridian network: json" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" --format json --quiet
j=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const b=j.bottlenecks;console.log(j.relative_gap<=1e-6 && j.demand_teu===1550 && b.length===2 && b[0].voc>=b[1].voc ? "ok" : s.slice(0,400))})')
[ "$j" = ok ] && ok "json: gap, demand, bottlenecks sorted" || bad "json" "$j"
expect_status "meridian network: geojson" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" -o "$work/f.geojson" --quiet
g=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const l=j.features.filter(f=>f.geometry.type==="LineString");console.log(j.type==="FeatureCollection"&&l.length>0&&l.every(f=>f.properties.flow_teu>0) ? "ok" : "bad")' "$work/f.geojson")
[ "$g" = ok ] && ok "geojson: links as lines with flows" || bad "geojson" "$g"
expect_status "meridian network: csv" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" -o "$work/f.csv" --quiet
head -1 "$work/f.csv" | grep -qx 'element,id,name,corridors,from,to,flow_teu,capacity_teu,voc' && ok "csv header" || bad "csv header" "$(head -1 "$work/f.csv")"
expect_status "--by cost refused" 2 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --by cost
case "$err" in *"generalized or time"*) ok "says which objectives congest" ;; *) bad "objective message" "$err" ;; esac
printf 'origin,destination,amount\nINNSA,RUMOW,10\nINNSA,Atlantis,5\n' >"$work/bad_d.csv"
expect_status "unknown place in the demand" 4 "$bin" assign --network "$work/mini.mnet" --demand "$work/bad_d.csv"
case "$err" in *"bad_d.csv:3:2: field 'destination': 'Atlantis' is not a place"*) ok "demand error names file:line:field" ;; *) bad "demand error" "$err" ;; esac
printf 'element,id,capacity_teu_per_year,source\nlink,nope,5,x\n' >"$work/bad_c.csv"
expect_status "unknown capacity id" 1 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/bad_c.csv"
case "$err" in *"bad_c.csv:2:2: field 'id': no link 'nope'"*) ok "capacity error names file:line:field" ;; *) bad "capacity error" "$err" ;; esac
expect_status "logit" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" --logit --routes 3 --theta 8 --format json --quiet
j=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.algorithm==="logit" && j.largest_flow_change<=1e-6 && Array.isArray(j.corridor_shares) && j.corridor_shares.every(c=>c.share>=0&&c.share<=1) ? "ok" : s.slice(0,400))})')
[ "$j" = ok ] && ok "logit: json with corridor shares" || bad "logit json" "$j"
expect_status "logit table" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" --logit --quiet
case "$out" in *"logit over alternative routes"*"corridor shares of the demand"*) ok "logit: table with corridor shares" ;; *) bad "logit table" "$out" ;; esac
expect_status "html flow map" 0 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --capacity "$work/c.csv" --logit --format html -o "$work/f.html" --quiet
if command -v xmllint >/dev/null; then
	xmllint --noout "$work/f.html" 2>"$work/x.err" && ok "html is well-formed XML" || bad "html well-formed" "$(head -3 "$work/x.err")"
else
	echo "skipped: xmllint (not installed)"
fi
n=$(grep -c '<path class="fl c[0-4]" stroke-width=' "$work/f.html" || true)
[ "$n" -gt 0 ] && ok "html: $n flow lines" || bad "html flow lines" "none"
grep -q 'Most saturated elements' "$work/f.html" && grep -q 'Corridor shares of the demand' "$work/f.html" && ok "html: tables" || bad "html tables" "missing"
expect_status "--format html needs --demand" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --format html
expect_status "--logit with --tntp refused" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --logit
expect_status "--theta 0 refused" 2 "$bin" assign --network "$work/mini.mnet" --demand "$work/d.csv" --logit --theta 0
expect_status "--tntp with --demand refused" 2 "$bin" assign --tntp "$work/t_net.tntp" "$work/t_trips.tntp" --demand "$work/d.csv"
# The built-in network and its example demand (skipped on the fixture build).
if "$bin" info | grep -q "nodes           [0-9][0-9][0-9]"; then
	expect_status "built-in network, example demand" 0 "$bin" assign --demand example --quiet
	case "$out" in *"43 OD pairs"*"capacities"*) ok "example demand on the built-in network" ;; *) bad "example demand" "$out" ;; esac
else
	echo "skipped: example demand (the built-in network is the fixture)"
fi

if [ ! -d "$shared/SiouxFalls" ]; then
	echo "skipped: SiouxFalls and MPI runs (no ../shared/data)"
	finish
	exit $?
fi
net="$shared/SiouxFalls/SiouxFalls_net.tntp"
trips="$shared/SiouxFalls/SiouxFalls_trips.tntp"
expect_status "SiouxFalls B to 1e-10" 0 "$bin" assign --tntp "$net" "$trips" --gap 1e-10 -o "$work/sf.csv" --save-bushes "$work/sf.bush" --format json --quiet
g=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.relative_gap<=1e-10 && j.stop==="gap reached" && j.history.length===j.iterations && j.bottlenecks.length===10 ? "ok" : s.slice(0,300))})')
[ "$g" = ok ] && ok "json: gap, history, bottlenecks" || bad "json" "$g"
# Compare with the published best-known flows (within 0.01 % or 1e-3).
cmp=$(node -e '
const fs=require("fs");
const mine=fs.readFileSync(process.argv[1],"utf8").trim().split("\n").slice(1).map(l=>l.split(","));
const pub=fs.readFileSync(process.argv[2],"utf8").split("\n").filter(l=>/^\s*\d/.test(l)).map(l=>l.trim().split(/\s+/));
let worst=0;
for (let i=0;i<mine.length;i++){const a=+mine[i][5], b=+pub[i][2]; const d=Math.abs(a-b); if (d>1e-3 && d>1e-4*Math.abs(b)) worst=Math.max(worst,d);}
console.log(mine.length===pub.length && worst===0 ? "ok" : `worst ${worst} (${mine.length} vs ${pub.length})`);' "$work/sf.csv" "$shared/SiouxFalls/SiouxFalls_flow.tntp")
[ "$cmp" = ok ] && ok "SiouxFalls flows = published best-known flows" || bad "SiouxFalls flows" "$cmp"
expect_status "B from saved bushes" 0 "$bin" assign --tntp "$net" "$trips" --gap 1e-10 --load-bushes "$work/sf.bush" --format json --quiet
it=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).iterations))')
[ "$it" -le 2 ] && ok "warm B converges at once ($it iteration)" || bad "warm B" "$it iterations"
expect_status "BFW warm-started from B's flows" 0 "$bin" assign --tntp "$net" "$trips" --algorithm bfw --gap 1e-6 --warm-start "$work/sf.csv" --format json --quiet
it=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).iterations))')
[ "$it" -le 2 ] && ok "warm BFW converges at once ($it iteration)" || bad "warm BFW" "$it iterations"

mpi="$(dirname "$bin")/meridian-mpi"
if [ ! -x "$mpi" ] || ! command -v mpirun >/dev/null; then
	echo "skipped: 2 MPI ranks (no meridian-mpi or mpirun)"
	finish
	exit $?
fi
root=()
[ "$(id -u)" = 0 ] && root=(--allow-run-as-root)
for algo in b bfw; do
	gap=1e-12
	[ $algo = bfw ] && gap=1e-5
	"$bin" assign --tntp "$net" "$trips" --algorithm $algo --gap $gap --max-iter 5000 -o "$work/one.csv" --quiet >/dev/null
	set +e
	ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" mpirun -np 2 --oversubscribe "${root[@]}" "$bin" assign --tntp "$net" "$trips" \
		--algorithm $algo --gap $gap --max-iter 5000 -o "$work/two.csv" --quiet >"$work/mpi.out" 2>"$work/mpi.err"
	st=$?
	set -e
	if [ $st -ne 0 ]; then
		bad "mpirun -np 2 ($algo)" "exit $st: $(cat "$work/mpi.err")"
		continue
	fi
	d=$(node -e '
const fs=require("fs");
const rd=p=>fs.readFileSync(p,"utf8").trim().split("\n").slice(1).map(l=>+l.split(",")[5]);
const a=rd(process.argv[1]), b=rd(process.argv[2]); let w=0;
for (let i=0;i<a.length;i++) w=Math.max(w, Math.abs(a[i]-b[i])/Math.max(1,Math.abs(a[i]),Math.abs(b[i])));
console.log(a.length===b.length ? w : "lengths differ");' "$work/one.csv" "$work/two.csv")
	if node -e 'process.exit(+process.argv[1] <= 1e-9 ? 0 : 1)' "$d"; then
		ok "2 MPI ranks = 1 process ($algo, largest relative difference $d)"
	else
		bad "2 MPI ranks = 1 process ($algo)" "largest relative difference $d"
	fi
	grep -q "most saturated links" "$work/mpi.out" && ok "rank 0 prints the report ($algo)" || bad "rank 0 report" "$(cat "$work/mpi.out")"
done
finish
