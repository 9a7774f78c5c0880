#!/usr/bin/env bash
# test_ch.sh: `meridian build --ch`, hierarchies in `info`, and `route` telling whether it ran on a
# stored hierarchy or fell back to exact search (and why). Equality with Dijkstra on every pair
# is tests/unit/test_netch.c; here, the commands' contract.
set -euo pipefail
bin=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mini="$src/tests/fixtures/mini"

expect_status "build --ch time,cost" 0 "$bin" build "$mini" -o "$work/ch.mnet" --ch time,cost
case "$err" in *"hierarchy 'time'"*"hierarchy 'cost'"*) ok "build reports each hierarchy" ;; *) bad "build reports each hierarchy" "$err" ;; esac
expect_status "info" 0 "$bin" info "$work/ch.mnet"
case "$out" in *"hierarchies     time ("*"), cost ("*) ok "info lists the hierarchies" ;; *) bad "info lists the hierarchies" "$out" ;; esac
expect_status "info json" 0 "$bin" info "$work/ch.mnet" --format json
n=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.hierarchies.map(h=>h.name+":"+(h.arcs>h.shortcuts)).join(","))})')
[ "$n" = "time:true,cost:true" ] && ok "info json hierarchies" || bad "info json hierarchies" "$n"

# Adding to a built network, replacing one of the same name.
expect_status "build FILE.mnet --ch" 0 "$bin" build "$work/ch.mnet" --ch generalized,time -o "$work/ch2.mnet" --quiet
expect_status "info after adding" 0 "$bin" info "$work/ch2.mnet"
case "$out" in *"hierarchies     cost ("*"), generalized ("*"), time ("*) ok "replaced time, added generalized" ;; *) bad "replaced time, added generalized" "$out" ;; esac

search_of() { # route ARGS... -> "algorithm|hierarchy|note" of the first route
	"$bin" route "$@" --network "$work/ch2.mnet" --format json |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const x=JSON.parse(s).routes[0].search;console.log([x.algorithm,x.hierarchy||"",x.note||""].join("|"))})'
}
cost_of() {
	"$bin" route "$@" --network "$work/ch2.mnet" --format json |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log(JSON.parse(s).routes[0].objective_value)})'
}
s=$(search_of Mumbai Moscow)
[ "$s" = "ch|generalized|" ] && ok "default options: on the hierarchy" || bad "default options: on the hierarchy" "$s"
s=$(search_of Mumbai Moscow --by cost)
[ "$s" = "ch|cost|" ] && ok "--by cost: on the cost hierarchy" || bad "--by cost" "$s"
a=$(cost_of Mumbai Moscow --by cost)
b=$(cost_of Mumbai Moscow --by cost --algorithm dijkstra)
[ "$a" = "$b" ] && ok "hierarchy = Dijkstra ($a)" || bad "hierarchy = Dijkstra" "$a vs $b"
s=$(search_of Mumbai Moscow --by cost --avoid suez)
case "$s" in astar\|\|"exact search: these options"*"'cost' was built on") ok "--avoid falls back, says so" ;; *) bad "--avoid falls back" "$s" ;; esac
s=$(search_of Mumbai Moscow --by cost --avoid suez --algorithm ch)
case "$s" in astar\|\|"exact search: "*) ok "--algorithm ch with --avoid falls back" ;; *) bad "--algorithm ch with --avoid" "$s" ;; esac
s=$(search_of Mumbai Moscow --by distance)
[ "$s" = "astar||exact search: no stored hierarchy for the objective distance (stored: cost, generalized, time)" ] &&
	ok "no hierarchy for the objective" || bad "no hierarchy for the objective" "$s"
s=$(search_of Mumbai Moscow --via Baku)
case "$s" in *"vias"*) ok "vias: exact search" ;; *) bad "vias" "$s" ;; esac
expect_status "table says so" 0 "$bin" route Mumbai Moscow --avoid suez --network "$work/ch2.mnet"
case "$out" in *" search    exact search: these options"*) ok "table: search line" ;; *) bad "table: search line" "$out" ;; esac
expect_status "table names the hierarchy" 0 "$bin" route Mumbai Moscow --network "$work/ch2.mnet"
case "$out" in *" search    contraction hierarchy 'generalized'"*) ok "table: hierarchy line" ;; *) bad "table: hierarchy line" "$out" ;; esac
# Without hierarchies the table has no search line (unchanged output).
"$bin" build "$mini" -o "$work/plain.mnet" --quiet
expect_status "no hierarchy, auto" 0 "$bin" route Mumbai Moscow --network "$work/plain.mnet"
case "$out" in *" search "*) bad "no search line without hierarchies" "$out" ;; *) ok "no search line without hierarchies" ;; esac

# Errors.
expect_status "--ch unknown objective" 2 "$bin" build "$mini" -o "$work/x.mnet" --ch time,speed
case "$err" in *"unknown objective 'speed'"*) ok "names the bad objective" ;; *) bad "names the bad objective" "$err" ;; esac
expect_status "--ch empty item" 2 "$bin" build "$mini" -o "$work/x.mnet" --ch time,,cost
expect_status ".mnet without --ch" 2 "$bin" build "$work/ch.mnet" -o "$work/x.mnet"
[ ! -e "$work/x.mnet" ] && ok "nothing written on errors" || bad "nothing written on errors" "x.mnet exists"
finish
