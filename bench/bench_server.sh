#!/usr/bin/env bash
# bench_server.sh: `meridian serve` under wrk on loopback: random OD pairs (UN/LOCODE places of
# the built-in network, fixed seed) against /api/v1/route and /route/v1/multimodal, then one long
# mixed run aiming at 1,000,000 requests. Prints requests/s, p50/p99 latency, errors, the
# server's resident memory before and after, and the ratios to the targets (5,000 routes/s, p99
# under 20 ms, zero errors, memory flat). Asserts nothing.
# Usage: bench/bench_server.sh [BUILD_DIR] [SECONDS] [LONG_REQUESTS] [MAX_LONG_SECONDS]
#   defaults: build, 20 s per endpoint, 1000000 requests, at most 900 s for the long run
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
secs=${2:-20}
long_req=${3:-1000000}
long_max=${4:-900}
threads=2
conns=32
seed=42
npairs=10000

command -v wrk >/dev/null || { echo "bench_server: skipped (wrk missing: run scripts/install-deps)"; exit 0; }
command -v node >/dev/null || { echo "bench_server: skipped (node missing: run scripts/install-deps)"; exit 0; }
[ -x "$build/meridian" ] || { echo "bench_server: $build/meridian missing: build first"; exit 1; }

work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# The server: built-in network, one worker per core, no access log (it would be the benchmark).
"$build/meridian" serve --port 0 --threads "$threads" --quiet >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 1 300); do
	[ -s "$work/serve.out" ] && break
	kill -0 "$pid" 2>/dev/null || { echo "bench_server: the server did not start:"; cat "$work/serve.err"; exit 1; }
	sleep 0.1
done
port=$(sed -n '1s#^listening on http://127\.0\.0\.1:\([0-9]*\)/$#\1#p' "$work/serve.out")
[ -n "$port" ] || { echo "bench_server: no 'listening on' line"; cat "$work/serve.out" "$work/serve.err"; exit 1; }
base="http://127.0.0.1:$port"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

# OD pairs: every place with a UN/LOCODE that /api/v1/places finds for a..z, kept only if it
# reaches Mumbai (INBOM) and back on the multimodal profile (so every pair has a route), then
# random pairs of distinct places from a fixed seed.
node - "$base" "$npairs" "$seed" "$work/pairs.txt" <<'EOF'
const [base, npairs, seed, out] = process.argv.slice(2);
const fs = require('fs');
(async () => {
	const byId = new Map();
	for (const c of 'abcdefghijklmnopqrstuvwxyz') {
		const j = await (await fetch(`${base}/api/v1/places?q=${c}&limit=50`)).json();
		for (const p of j.places)
			if (p.unlocode)
				byId.set(p.id, p);
	}
	const all = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id));
	const hub = all.find(p => p.unlocode === 'INBOM') || all[0];
	const ll = p => `${p.lon},${p.lat}`;
	const keep = [];
	for (let i = 0; i < all.length; i += 99) {
		const batch = all.slice(i, i + 99);
		const coords = [hub, ...batch].map(ll).join(';');
		const there = await (await fetch(`${base}/table/v1/multimodal/${coords}?sources=0`)).json();
		const back = await (await fetch(`${base}/table/v1/multimodal/${coords}?destinations=0`)).json();
		if (there.code !== 'Ok' || back.code !== 'Ok')
			throw new Error('table: ' + JSON.stringify(there).slice(0, 200));
		batch.forEach((p, k) => {
			if (there.durations[0][k + 1] !== null && back.durations[k + 1][0] !== null)
				keep.push(p);
		});
	}
	let s = BigInt(seed);
	const rnd = n => { s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n); return Number((s >> 33n) % BigInt(n)); };
	const lines = [];
	while (lines.length < +npairs) {
		const a = keep[rnd(keep.length)], b = keep[rnd(keep.length)];
		if (a !== b)
			lines.push(`${ll(a)} ${ll(b)}`);
	}
	fs.writeFileSync(out, lines.join('\n') + '\n');
	console.log(`bench_server: ${npairs} random OD pairs (seed ${seed}) among ${keep.length} connected UN/LOCODE places of ${all.length} found`);
})().catch(e => { console.error('bench_server: ' + e.message); process.exit(1); });
EOF

lua="$here/bench/route_od.lua"
# run LABEL MODE SECONDS: one wrk run; prints the figures and leaves them in $r_* variables
run() {
	local label=$1 mode=$2 dur=$3 line
	wrk -t "$threads" -c "$conns" -d "${dur}s" --latency --timeout 5s -s "$lua" "$base" -- "$work/pairs.txt" "$mode" "$seed" \
		>"$work/wrk.$label" 2>&1 || true
	line=$(grep '^RESULT ' "$work/wrk.$label" | tail -1)
	if [ -z "$line" ]; then
		echo "bench_server: wrk gave no result for $label:"
		cat "$work/wrk.$label"
		return 1
	fi
	eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/r_/')"
	awk -v label="$label" -v rq="$r_requests" -v rps="$r_rps" -v p50="$r_p50_us" -v p90="$r_p90_us" -v p99="$r_p99_us" \
		-v mx="$r_max_us" -v n2="$r_non2xx" -v c="$r_connect" -v r="$r_read" -v w="$r_write" -v t="$r_timeout" 'BEGIN {
		printf "%-22s %9d req %9.0f req/s  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %8.2f ms\n",
			label, rq, rps, p50 / 1000, p90 / 1000, p99 / 1000, mx / 1000
		printf "%-22s non-2xx %d, socket errors: connect %d, read %d, write %d, timeout %d\n", "", n2, c, r, w, t
		printf "%-22s vs targets: %.2fx of 5,000 req/s, p99 %.2fx of 20 ms (<= 1 meets it)\n", "", rps / 5000, p99 / 20000
	}'
}

echo "bench_server: meridian serve on $base, $threads worker threads; wrk $threads threads, $conns connections, on the same $(nproc) cores"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lowers every figure)"
rss0=$(rss_kb)
echo "== RSS at start: $rss0 kB"
run "api-route" api "$secs"
api_rps=$r_rps
run "osrm-route" osrm "$secs"
rss1=$(rss_kb)
echo "== RSS after the ${secs} s runs (warm): $rss1 kB"

# The long run: as long as the slower of the two rates needs for long_req requests (+10 %).
long_s=$(awk -v n="$long_req" -v a="$api_rps" -v b="$r_rps" -v m="$long_max" 'BEGIN {
	r = a < b ? a : b; if (r < 1) r = 1; s = int(n / r * 1.1) + 1; if (s > m) s = m; print s }')
echo "== long mixed run: ${long_s} s for about $long_req requests (at most $long_max s)"
run "mixed-long" mix "$long_s"
rss2=$(rss_kb)
echo "== RSS after the long run: $rss2 kB ($r_requests requests; $(awk -v a="$rss1" -v b="$rss2" 'BEGIN { printf "%+d kB, %+.1f %% over the warm figure", b - a, (b - a) * 100 / a }'))"
if [ "$r_requests" -lt "$long_req" ]; then
	echo "   (the long run did $r_requests of $long_req requests in $long_s s)"
fi
counted=$(node -e 'fetch(process.argv[1] + "/health").then(r => r.json()).then(j => console.log(j.requests))' "$base" 2>/dev/null || echo "?")
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== server counted $counted requests; still running: $(kill -0 "$pid" 2>/dev/null && echo yes || echo no)"
