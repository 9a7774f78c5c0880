// searoute_bench.js: route N random port pairs with searoute-js (warm, in one process) and write,
// per pair, the vertices it snapped to, its lane length in km and its time, for bench_sea.
// Usage: node searoute_bench.js N SEED OUT.tsv
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..', 'node_modules');
const ports = require(path.join(root, 'sea-ports', 'lib', 'ports.json'));
const n = parseInt(process.argv[2] || '1000', 10);
let seed = parseInt(process.argv[3] || '42', 10) >>> 0;
const out = process.argv[4] || 'searoute.tsv';

function rnd() { // xorshift32, the same sequence on every machine
	seed ^= seed << 13; seed >>>= 0;
	seed ^= seed >>> 17;
	seed ^= seed << 5; seed >>>= 0;
	return seed;
}

const log = console.log;
console.log = () => {}; // searoute-js prints the index of every snapped line
const searoute = require(path.join(root, 'searoute-js'));
const codes = Object.keys(ports).filter(c => Array.isArray(ports[c].coordinates) &&
	ports[c].coordinates.length === 2 && isFinite(ports[c].coordinates[0]) && isFinite(ports[c].coordinates[1]));
const pt = c => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: ports[c].coordinates } });

searoute(pt(codes[0]), pt(codes[1]), 'kilometers'); // warm up: the path finder builds its graph on load
const rows = ['from\tto\tlon1\tlat1\tlon2\tlat2\tkm\tms'];
let total = 0, found = 0;
for (let i = 0; i < n; i++) {
	const a = codes[rnd() % codes.length], b = codes[rnd() % codes.length];
	const t0 = process.hrtime.bigint();
	let r = null;
	try { r = searoute(pt(a), pt(b), 'kilometers'); } catch (e) { r = null; }
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	total += ms;
	if (r && r.geometry.coordinates.length >= 1) {
		const c = r.geometry.coordinates;
		rows.push([a, b, c[0][0], c[0][1], c[c.length - 1][0], c[c.length - 1][1], r.properties.length.toFixed(4), ms.toFixed(3)].join('\t'));
		found++;
	} else {
		rows.push([a, b, '', '', '', '', '', ms.toFixed(3)].join('\t'));
	}
}
fs.writeFileSync(out, rows.join('\n') + '\n');
log(`searoute-js: ${n} queries, ${found} routes, mean ${(total / n).toFixed(2)} ms per query`);
