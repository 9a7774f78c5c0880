#!/usr/bin/env bash
# bench_pgrouting.sh: pgRouting (PostgreSQL 15) side by side with Meridian on Chicago Regional
# (TNTP, free-flow time in minutes, directed links): pgr_dijkstra on 200 random OD pairs and
# pgr_dijkstraCostMatrix on 100 x 100 and 1,000 x 1,000 nodes, timed inside PostgreSQL
# (clock_timestamp() around the calls: no client, no transfer), against Meridian's CLI matrix
# (--by time, same nodes) and bench_ch's per-query figures; 50 pgRouting costs are checked
# against Meridian's. A throwaway cluster in a temp dir on a free loopback port, removed on exit.
# Prints ratios; asserts nothing. Skips (exit 0) without ../shared/data or PostgreSQL/pgRouting.
# Usage: bench/bench_pgrouting.sh [BUILD_DIR (default build)] [SHARED_DIR (default ../shared)]
# The OD pairs and node lists are written to $PGR_OUT (default BUILD_DIR/bench-pgrouting).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SHARED=${2:-../shared}
OUT=${PGR_OUT:-$BUILD/bench-pgrouting}
NET=$SHARED/data/tntp/chicago-regional/ChicagoRegional_net.tntp
PGBIN=/usr/lib/postgresql/15/bin
SEED=20261129

skip() { echo "bench_pgrouting: skipped ($1)"; exit 0; }
[ -f "$NET" ] || skip "$NET not found"
for b in initdb pg_ctl postgres psql pg_config; do
	[ -x "$PGBIN/$b" ] || skip "$PGBIN/$b not found: apt-get install postgresql-15-pgrouting"
done
[ -f "$("$PGBIN/pg_config" --sharedir)/extension/pgrouting.control" ] ||
	skip "pgRouting not installed: apt-get install postgresql-15-pgrouting"
[ -x "$BUILD/meridian" ] || skip "$BUILD/meridian not built"
mkdir -p "$OUT" || skip "cannot write $OUT"

now() { date +%s.%N; }
TMP=$(mktemp -d /tmp/bench_pgrouting.XXXXXX)
chmod 755 "$TMP"
PGDATA=$TMP/pg
# PostgreSQL refuses to run as root: run the server (and psql, for the socket) as postgres/nobody.
AS=()
if [ "$(id -u)" -eq 0 ]; then
	if id postgres >/dev/null 2>&1; then AS=(runuser -u postgres --); else AS=(runuser -u nobody --); fi
fi
mkdir "$PGDATA"
[ ${#AS[@]} -eq 0 ] || chown "${AS[2]}" "$TMP" "$PGDATA" # the socket and the log go to $TMP too
started=0
cleanup() {
	if [ $started -eq 1 ]; then
		"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A free loopback port: the first of a few random ones nobody answers on.
PORT=
for i in $(seq 1 50); do
	p=$((20000 + (RANDOM * 7 + i) % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "bench_pgrouting: no free port found"; exit 1; }

echo "pgRouting vs Meridian on Chicago Regional (free-flow time, minutes; directed)"
"${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U bench -E UTF8 --locale=C --no-sync >"$TMP/initdb.log" 2>&1 ||
	{ echo "bench_pgrouting: initdb failed:"; tail -5 "$TMP/initdb.log"; exit 1; }
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$TMP/server.log" -w -t 60 \
	-o "-k $TMP -c listen_addresses=127.0.0.1 -p $PORT -c fsync=off -c synchronous_commit=off -c shared_buffers=128MB -c work_mem=64MB" \
	start >/dev/null 2>&1 || { echo "bench_pgrouting: server did not start:"; tail -5 "$TMP/server.log"; exit 1; }
started=1
# psql in the background + wait, so that a signal reaches the trap (and the cleanup) at once.
psql_() {
	"${AS[@]}" "$PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PORT" -U bench -d postgres -v ON_ERROR_STOP=1 "$@" <&0 &
	wait $!
}

# Links: id, init node, term node, free-flow time (every link of _net.tntp, as bench_search.c).
awk 'm { if ($1 ~ /^[0-9]+$/ && NF >= 5) print ++n "," $1 "," $2 "," $5; next }
     /<END OF METADATA>/ { m = 1 }' "$NET" >"$TMP/edges.csv"
FIRST_THRU=$(awk '/<FIRST THRU NODE>/ { print $4; exit }' "$NET")
NNODES=$(awk '/<NUMBER OF NODES>/ { print $4; exit }' "$NET")
# Random nodes among the through nodes (Meridian splits zones into o<ID>/d<ID>, so only through
# nodes have the same id on both sides). Park-Miller generator: exact in any awk's doubles.
awk -v seed=$SEED -v lo="$FIRST_THRU" -v hi="$NNODES" -v out="$OUT" '
	function rnd(n) { x = (x * 16807) % 2147483647; return x % n }
	function pick() { return lo + rnd(hi - lo + 1) }
	BEGIN {
		x = seed
		for (i = 1; i <= 200; i++) print pick() "," pick() > (out "/pairs.csv")
		for (k = 0; k < 2; k++) {
			want = k ? 1000 : 100; f = out "/nodes" want ".txt"; got = 0; delete seen
			while (got < want) { v = pick(); if (!(v in seen)) { seen[v] = 1; got++; print v > f } }
		}
	}'
cp "$OUT/pairs.csv" "$TMP/pairs.csv"
cp "$OUT/nodes100.txt" "$OUT/nodes1000.txt" "$TMP/"
chmod 644 "$TMP"/*.csv "$TMP"/*.txt

psql_ >/dev/null 2>"$TMP/load.err" <<SQL || { echo "bench_pgrouting: loading failed:"; tail -5 "$TMP/load.err"; exit 1; }
CREATE EXTENSION pgrouting CASCADE;
CREATE TABLE edges (id bigint PRIMARY KEY, source bigint NOT NULL, target bigint NOT NULL,
	cost float8 NOT NULL, reverse_cost float8 NOT NULL DEFAULT -1);
\copy edges (id, source, target, cost) FROM '$TMP/edges.csv' WITH (FORMAT csv)
CREATE TABLE edges_thru AS SELECT * FROM edges WHERE source >= $FIRST_THRU AND target >= $FIRST_THRU;
CREATE TABLE pairs (i serial PRIMARY KEY, s bigint, t bigint);
\copy pairs (s, t) FROM '$TMP/pairs.csv' WITH (FORMAT csv)
CREATE TABLE n100 (v bigint);
\copy n100 FROM '$TMP/nodes100.txt'
CREATE TABLE n1000 (v bigint);
\copy n1000 FROM '$TMP/nodes1000.txt'
CREATE TABLE timing (what text PRIMARY KEY, s float8);
CREATE TABLE dres (i int, cost float8);
CREATE TABLE dres_thru (i int, cost float8);
ANALYZE;
SQL
echo "  PostgreSQL $(psql_ -c 'SHOW server_version'), pgRouting $(psql_ -c 'SELECT pgr_version()'), $(psql_ -c 'SELECT count(*) FROM edges') links, port $PORT"

# pgr_dijkstra, one call per pair (each call runs the edges query and builds its graph: that is
# how pgRouting is used). The 50 checked costs use the links between through nodes only, which is
# Meridian's graph for through-node pairs (no route through a zone).
psql_ >/dev/null <<'SQL' || { echo "bench_pgrouting: pgr_dijkstra failed"; exit 1; }
DO $b$
DECLARE t0 timestamptz; r record;
BEGIN
	t0 := clock_timestamp();
	FOR r IN SELECT * FROM pairs ORDER BY i LOOP
		INSERT INTO dres SELECT r.i, agg_cost FROM pgr_dijkstra(
			'SELECT id, source, target, cost, reverse_cost FROM edges', r.s, r.t, true) WHERE edge = -1;
	END LOOP;
	INSERT INTO timing VALUES ('dijkstra', extract(epoch FROM clock_timestamp() - t0));
	t0 := clock_timestamp();
	FOR r IN SELECT * FROM pairs ORDER BY i LOOP
		PERFORM count(*) FROM (SELECT id, source, target, cost, reverse_cost FROM edges) e;
	END LOOP;
	INSERT INTO timing VALUES ('edges_scan', extract(epoch FROM clock_timestamp() - t0));
	FOR r IN SELECT * FROM pairs WHERE i <= 50 ORDER BY i LOOP
		INSERT INTO dres_thru SELECT r.i, agg_cost FROM pgr_dijkstra(
			'SELECT id, source, target, cost, reverse_cost FROM edges_thru', r.s, r.t, true) WHERE edge = -1;
	END LOOP;
END
$b$;
DO $b$
DECLARE t0 timestamptz;
BEGIN
	t0 := clock_timestamp();
	CREATE TABLE m100 AS SELECT * FROM pgr_dijkstraCostMatrix(
		'SELECT id, source, target, cost, reverse_cost FROM edges', (SELECT array_agg(v) FROM n100), true);
	INSERT INTO timing VALUES ('matrix100', extract(epoch FROM clock_timestamp() - t0));
	CREATE TABLE m100_thru AS SELECT * FROM pgr_dijkstraCostMatrix(
		'SELECT id, source, target, cost, reverse_cost FROM edges_thru',
		(SELECT array_agg(v) FROM n100), true);
END
$b$;
SQL
m1000_ok=1
psql_ >/dev/null 2>"$TMP/m1000.err" <<'SQL' || m1000_ok=0
SET statement_timeout = '60s';
DO $b$
DECLARE t0 timestamptz;
BEGIN
	t0 := clock_timestamp();
	CREATE TABLE m1000 AS SELECT * FROM pgr_dijkstraCostMatrix(
		'SELECT id, source, target, cost, reverse_cost FROM edges', (SELECT array_agg(v) FROM n1000), true);
	INSERT INTO timing VALUES ('matrix1000', extract(epoch FROM clock_timestamp() - t0));
END
$b$;
SQL
tm() { psql_ -c "SELECT s FROM timing WHERE what = '$1'"; }
pg_dij=$(tm dijkstra)
pg_scan=$(tm edges_scan)
pg_m100=$(tm matrix100)
pg_m1000=$([ $m1000_ok -eq 1 ] && tm matrix1000 || true)

# Meridian: the same network through the CLI (import tntp, build, matrix --by time: hours).
MR=$BUILD/meridian
"$MR" import tntp "$(dirname "$NET")" -o "$TMP/chi" -q >"$TMP/mr.log" 2>&1 &&
	"$MR" build "$TMP/chi" -o "$TMP/chi.mnet" -q >>"$TMP/mr.log" 2>&1 ||
	{ echo "bench_pgrouting: meridian import/build failed:"; tail -5 "$TMP/mr.log"; exit 1; }
mr_matrix() { # FROM TO OUT -> seconds of wall time
	local t0 t1
	t0=$(now)
	"$MR" matrix --from "$1" --to "$2" --by time --network "$TMP/chi.mnet" --format long -q -o "$3" ||
		{ echo "bench_pgrouting: meridian matrix failed" >&2; return 1; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'
}
head -1 "$TMP/nodes100.txt" >"$TMP/one.txt"
mr_1=$(mr_matrix "$TMP/one.txt" "$TMP/one.txt" "$TMP/mr1.csv") || exit 1
mr_m100=$(mr_matrix "$TMP/nodes100.txt" "$TMP/nodes100.txt" "$TMP/mr100.csv") || exit 1
mr_m1000=$(mr_matrix "$TMP/nodes1000.txt" "$TMP/nodes1000.txt" "$TMP/mr1000.csv") || exit 1
head -50 "$TMP/pairs.csv" | cut -d, -f1 >"$TMP/s50.txt"
head -50 "$TMP/pairs.csv" | cut -d, -f2 >"$TMP/t50.txt"
mr_matrix "$TMP/s50.txt" "$TMP/t50.txt" "$TMP/mr50.csv" >/dev/null || exit 1

# Check 50 pairs: pgRouting (all links, and through-node links only) against Meridian (hours x 60,
# printed to 1e-4 h: tolerance 0.0031 min).
psql_ -F, -c "SELECT p.i, p.s, p.t, coalesce(d.cost::text, ''), coalesce(u.cost::text, '')
	FROM pairs p LEFT JOIN dres d USING (i) LEFT JOIN dres_thru u USING (i) WHERE p.i <= 50 ORDER BY p.i" >"$TMP/pg50.csv"
check=$(awk -F, '
	function eq(a, b) { return a != "" && b != "" && a - b < 0.0031 && b - a < 0.0031 }
	NR == FNR { if (FNR > 1 && $4 == "true") mr[$1 "," $2] = $3 * 60; next }
	{
		k = $2 "," $3; n++; m = (k in mr) ? mr[k] : ""
		if (($5 == "" && m == "") || eq($5, m)) same_thru++
		else if (bad++ < 3) ex = ex sprintf(" [%s -> %s: pgr %s, meridian %s]", $2, $3, $5, m)
		if (($4 == "" && m == "") || eq($4, m)) same_all++
		else if ($4 != "" && (m == "" || $4 < m)) lower++
		d = $5 - m; if (d < 0) d = -d; if ($5 != "" && m != "" && d > maxd) maxd = d
	}
	END { printf "%d of %d equal on through-node links (max |diff| %.4f min);%s %d of %d equal on all links (%d cheaper or only reachable through a zone)",
		same_thru, n, maxd, ex, same_all, n, lower }' "$TMP/mr50.csv" "$TMP/pg50.csv")

# Every cell of 100 x 100: pgRouting on through-node links against Meridian.
psql_ -F, -c "SELECT start_vid, end_vid, agg_cost FROM m100_thru" >"$TMP/pg100.csv"
cells=$(awk -F, '
	NR == FNR { if (FNR > 1 && $1 != $2 && $4 == "true") mr[$1 "," $2] = $3 * 60; next }
	{ k = $1 "," $2; n++; if (!(k in mr)) { miss++; next }
	  d = $3 - mr[k]; if (d < 0) d = -d; if (d < 0.0031) same++; if (d > maxd) maxd = d; sd += $3 - mr[k]; delete mr[k] }
	END { for (k in mr) extra++
		printf "%d of %d pgRouting cells equal (max |diff| %.4f min, mean diff %+.5f), %d missing in meridian, %d only in meridian",
			same, n, maxd, (n - miss) ? sd / (n - miss) : 0, miss, extra }' "$TMP/mr100.csv" "$TMP/pg100.csv")

# Matrix sums (off-diagonal, reachable cells).
sum_pg() { psql_ -c "SELECT count(*) || ' cells, sum ' || round(sum(agg_cost)::numeric, 3) FROM $1"; }
sum_mr() { awk -F, 'NR > 1 && $1 != $2 && $4 == "true" { n++; s += $3 * 60 } END { printf "%d cells, sum %.3f", n, s }' "$1"; }

r() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.1f", a / b }'; }
# pgRouting's time over Meridian's CLI time minus the 1 x 1 run (load + CH build), when that
# difference stands out of the run-to-run noise (50 ms on this machine).
mo() { awk -v p="$1" -v a="$2" -v b="$mr_1" 'BEGIN { d = a - b; if (d < 0.05) print "n/a (within the noise of load + CH build)"; else printf "%.1f", p / d }'; }
ms() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.3f", 1000 * a / n }'; }

# bench_ch's per-query figures on the same network (Chicago only: grid side 0).
ch_q="" ch_d="" ch_m=""
if [ -x "$BUILD/bench_ch" ]; then
	"$BUILD/bench_ch" "$SHARED" 0 >"$TMP/bench_ch.txt" 2>&1
	ch_q=$(awk '/CH query/ { for (i = 1; i <= NF; i++) if ($i == "mean") { print $(i + 1) / 1000; exit } }' "$TMP/bench_ch.txt")
	ch_d=$(awk '/meridian dijkstra/ { print $4 / 1000; exit }' "$TMP/bench_ch.txt")
	ch_m=$(awk '/matrix 1000 x 1000/ { print $5; exit }' "$TMP/bench_ch.txt")
fi

pq=$(ms "$pg_dij" 200)
echo
echo "  pgr_dijkstra, 200 random pairs    $pq ms per query (incl. the edges query + graph build of each call;"
echo "                                    a bare scan of the edges query alone: $(ms "$pg_scan" 200) ms)"
if [ -n "$ch_q" ]; then
	echo "  meridian CH query (bench_ch)      $ch_q ms per query   ratio pgRouting/meridian-CH $(r "$pq" "$ch_q")"
	echo "  meridian Dijkstra (bench_ch)      $ch_d ms per query   ratio pgRouting/meridian-Dijkstra $(r "$pq" "$ch_d")"
else
	echo "  (bench_ch not built: no per-query figure for Meridian)"
fi
echo
echo "  matrix 100 x 100     pgr_dijkstraCostMatrix $pg_m100 s   meridian matrix $mr_m100 s (CLI wall, of which load + CH build ~$mr_1 s)"
echo "                       ratio pgRouting/meridian $(r "$pg_m100" "$mr_m100") (whole CLI), $(mo "$pg_m100" "$mr_m100") (matrix only, approx.)"
if [ -n "$pg_m1000" ]; then
	echo "  matrix 1000 x 1000   pgr_dijkstraCostMatrix $pg_m1000 s   meridian matrix $mr_m1000 s (CLI wall)"
	echo "                       ratio pgRouting/meridian $(r "$pg_m1000" "$mr_m1000") (whole CLI), $(mo "$pg_m1000" "$mr_m1000") (matrix only, approx.)"
else
	echo "  matrix 1000 x 1000   pgr_dijkstraCostMatrix did not finish within 60 s ($(head -c 200 "$TMP/m1000.err" | tr '\n' ' '))"
	echo "                       meridian matrix $mr_m1000 s (CLI wall)"
fi
[ -z "$ch_m" ] || echo "  bench_ch's own 1000 x 1000 (other random nodes, library call, 1 thread): $ch_m s   ratio pgRouting/meridian $(r "$pg_m1000" "$ch_m")"
echo
echo "  check, 50 pairs: $check"
echo "  cells 100 x 100: $cells"
echo "  sums 100 x 100: pgRouting all links $(sum_pg m100); through-node links $(sum_pg m100_thru); meridian $(sum_mr "$TMP/mr100.csv")"
if [ -n "$pg_m1000" ]; then
	echo "  sums 1000 x 1000: pgRouting all links $(sum_pg m1000); meridian $(sum_mr "$TMP/mr1000.csv")"
	echo "    (Meridian never routes through a zone: pgRouting's extra cells are pairs connected only through one)"
fi
echo "  pairs and nodes: $OUT/pairs.csv, nodes100.txt, nodes1000.txt (seed $SEED)"
