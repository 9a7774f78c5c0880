// test_api.mjs: HTTP tests of `meridian serve` (docs/http-api.md) against servers this script
// starts on free loopback ports: every endpoint, OSRM shapes, errors, limits, traversal, raw
// malformed HTTP, concurrency, a slow client, and SIGTERM. Node 20, no npm dependency.
// Usage: node test_api.mjs MERIDIAN_BINARY SOURCE_DIR. Prints "ok NAME" / "FAIL NAME: why" and
// "N passed, N failed"; exits 77 ("skipped: ...") without the built-in maritime import.
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const [bin, src] = process.argv.slice(2).map(p => p && path.resolve(p));
if (!bin || !src) {
	console.error('usage: node test_api.mjs MERIDIAN_BINARY SOURCE_DIR');
	process.exit(2);
}
{
	let info = '';
	try {
		info = execFileSync(bin, ['info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
	} catch { /* no built-in network at all */ }
	if (!info.includes('/sea')) {
		console.log('skipped: the built-in network has no maritime import');
		process.exit(77);
	}
}

let passed = 0, failed = 0;
const ok = name => { passed++; console.log(`ok ${name}`); };
const bad = (name, why) => { failed++; console.log(`FAIL ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 600)}`); };
// check NAME FN: FN throws (assert) on failure
async function check(name, fn) {
	try {
		await fn();
		ok(name);
	} catch (e) {
		bad(name, e && e.message ? e.message : e);
	}
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MUMBAI = [72.84, 18.96], MOSCOW = [37.6, 55.75], BAKU = [49.87, 40.38], ROTTERDAM = [4.4, 51.9];
const PACIFIC = [-150, 0];
const ll = (...pts) => pts.map(p => p.join(',')).join(';');

/* ---- the servers ---- */

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-http-'));
const web = path.join(work, 'web');
fs.mkdirSync(path.join(web, 'sub'), { recursive: true });
fs.mkdirSync(path.join(web, '.git'));
fs.writeFileSync(path.join(web, 'index.html'), '<!DOCTYPE html><title>meridian test page</title>\n');
fs.writeFileSync(path.join(web, 'sub', 'app.js'), 'console.log("sub-folder file");\n');
fs.writeFileSync(path.join(web, 'sub', 'notes.txt'), 'plain text\n');
fs.writeFileSync(path.join(web, '.secret'), 'dot-file: must not be served\n');
fs.writeFileSync(path.join(web, '.git', 'config'), '[core] dot-folder: must not be served\n');
fs.writeFileSync(path.join(work, 'outside.txt'), 'OUTSIDE THE WEB FOLDER\n');
fs.symlinkSync(path.join(work, 'outside.txt'), path.join(web, 'link.txt'));
fs.symlinkSync(work, path.join(web, 'linkdir'));
const accessLog = path.join(work, 'access.log');

const servers = [];
// start ARGS...: a running server {proc, port, base, exit (a promise of {code, signal})}
function start(args) {
	return new Promise((resolve, reject) => {
		const proc = spawn(bin, ['serve', '--port', '0', '--web', web, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '', err = '', done = false;
		const exit = new Promise(res => proc.on('exit', (code, signal) => res({ code, signal, at: Date.now() })));
		const timer = setTimeout(() => { if (!done) { done = true; proc.kill('SIGKILL'); reject(new Error('no "listening on" line within 30 s: ' + err)); } }, 30000);
		proc.stderr.on('data', d => { err += d; });
		proc.stdout.on('data', d => {
			out += d;
			const nl = out.indexOf('\n');
			if (nl < 0 || done)
				return;
			done = true;
			clearTimeout(timer);
			const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(out.slice(0, nl));
			if (!m) {
				proc.kill('SIGKILL');
				return reject(new Error('first stdout line: ' + JSON.stringify(out.slice(0, nl))));
			}
			const s = { proc, port: +m[1], base: `http://127.0.0.1:${m[1]}`, exit, stderr: () => err };
			servers.push(s);
			resolve(s);
		});
		proc.on('exit', code => { if (!done) { done = true; clearTimeout(timer); reject(new Error(`exited ${code}: ${err}`)); } });
	});
}

let S; // the main server
// get PATH [INIT] [SERVER]: {status, type, headers, text, json (or undefined)}
async function get(p, init = {}, srv = S) {
	const r = await fetch(srv.base + p, { ...init, signal: AbortSignal.timeout(30000) });
	const text = await r.text();
	let json;
	try { json = JSON.parse(text); } catch { json = undefined; }
	return { status: r.status, type: r.headers.get('content-type'), headers: r.headers, text, json };
}
async function getJson(p, status = 200) {
	const r = await get(p);
	assert.equal(r.status, status, `${p}: status ${r.status}, want ${status}: ${r.text.slice(0, 300)}`);
	assert.equal(r.type, JSON_TYPE, `${p}: content type`);
	assert.ok(r.json !== undefined, `${p}: body is not JSON`);
	return r.json;
}

// raw DATA [opts]: send bytes over a plain socket; resolves {text, status, headers, body, closed}
// when the server closes, or after opts.ms (default 3 s) of no close.
function raw(data, { ms = 3000, srv = S, until } = {}) {
	return new Promise(resolve => {
		const sock = net.connect(srv.port, '127.0.0.1');
		let buf = Buffer.alloc(0), finished = false;
		const finish = closed => {
			if (finished)
				return;
			finished = true;
			clearTimeout(t);
			sock.destroy();
			const text = buf.toString('latin1');
			const head = text.split('\r\n\r\n')[0];
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
			const headers = {};
			for (const line of head.split('\r\n').slice(1)) {
				const i = line.indexOf(':');
				if (i > 0)
					headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
			}
			const sep = text.indexOf('\r\n\r\n');
			resolve({ text, status: m ? +m[1] : 0, headers, body: sep >= 0 ? text.slice(sep + 4) : '', closed });
		};
		const t = setTimeout(() => finish(false), ms);
		sock.on('data', d => { buf = Buffer.concat([buf, d]); if (until && until(buf.toString('latin1'))) finish(false); });
		sock.on('error', () => finish(true));
		sock.on('close', () => finish(true));
		sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
	});
}
const rawGet = (target, srv = S) => raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, { srv });

async function healthy(what) {
	const r = await get('/health');
	assert.equal(r.status, 200, `after ${what}: /health answered ${r.status}`);
	assert.equal(r.json.status, 'ok', `after ${what}: /health body`);
}

function cli(args, quiet = true) {
	return execFileSync(bin, quiet ? [...args, '-q'] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

// Google's encoded polyline (lat first), precision 5 or 6: [[lon, lat], ...]
function decodePolyline(s, precision = 5) {
	const f = 10 ** precision, pts = [];
	let i = 0, lat = 0, lon = 0;
	while (i < s.length) {
		const v = [0, 0];
		for (let k = 0; k < 2; k++) {
			let shift = 0, result = 0, b;
			do {
				if (i >= s.length)
					throw new Error('polyline ends inside a number');
				b = s.charCodeAt(i++) - 63;
				if (b < 0 || b > 63)
					throw new Error(`bad polyline character at ${i - 1}`);
				result |= (b & 0x1f) << shift;
				shift += 5;
			} while (b >= 0x20);
			v[k] = result & 1 ? ~(result >> 1) : result >> 1;
		}
		lat += v[0];
		lon += v[1];
		pts.push([lon / f, lat / f]);
	}
	return pts;
}
const near = (a, b, tol) => Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol;

// expectError NAME PATH STATUS CODE [PARAMETER]: the error contract (JSON with code, message,
// and parameter where one is at fault)
async function expectError(name, p, status, code, parameter, extra) {
	await check(name, async () => {
		const r = await get(p);
		assert.equal(r.status, status, `${p}: status ${r.status}, want ${status}: ${r.text.slice(0, 300)}`);
		assert.equal(r.type, JSON_TYPE, 'content type');
		assert.ok(r.json && typeof r.json === 'object', 'body is not JSON: ' + r.text.slice(0, 200));
		assert.equal(r.json.code, code, `code ${r.json.code}, want ${code}: ${r.json.message}`);
		assert.ok(typeof r.json.message === 'string' && r.json.message.length > 0, 'no message');
		if (parameter !== undefined)
			assert.equal(r.json.parameter, parameter, `parameter ${r.json.parameter}, want ${parameter}`);
		if (extra)
			extra(r);
	});
}

async function main() {
	S = await start(['--access-log', accessLog, '--threads', '2']);

	/* ---- endpoints ---- */

	await check('health: shape', async () => {
		const j = await getJson('/health');
		assert.equal(j.status, 'ok');
		assert.equal(typeof j.network, 'string');
		assert.ok(Number.isInteger(j.uptime_s) && j.uptime_s >= 0, 'uptime_s');
		assert.ok(Number.isInteger(j.requests) && j.requests >= 1, 'requests');
	});

	await check('network: shape and figures of `meridian info`', async () => {
		const j = await getJson('/api/v1/network');
		for (const k of ['nodes', 'virtual_nodes', 'links', 'arcs', 'borders', 'countries', 'format_version'])
			assert.ok(Number.isInteger(j[k]) && j[k] > 0, `${k}: ${j[k]}`);
		assert.ok(Array.isArray(j.bbox) && j.bbox.length === 4 && j.bbox[0] < j.bbox[2] && j.bbox[1] < j.bbox[3], 'bbox');
		assert.match(j.built, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.equal(typeof j.source, 'string');
		for (const m of ['sea', 'ferry', 'rail', 'road', 'iww'])
			assert.ok(Number.isInteger(j.arcs_by_mode[m]), `arcs_by_mode.${m}`);
		const info = cli(['info'], false);
		assert.ok(new RegExp(`^nodes\\s+${j.nodes} \\(${j.virtual_nodes} virtual\\)`, 'm').test(info), 'nodes differ from meridian info');
		assert.ok(new RegExp(`^arcs\\s+${j.arcs}$`, 'm').test(info), 'arcs differ from meridian info');
	});

	let scenarioIds = [];
	await check('scenarios: shape', async () => {
		const j = await getJson('/api/v1/scenarios');
		assert.ok(Array.isArray(j.scenarios) && j.scenarios.length > 0, 'no scenarios');
		for (const s of j.scenarios) {
			assert.equal(typeof s.id, 'string');
			assert.equal(typeof s.description, 'string');
			assert.ok(Number.isInteger(s.statements) && s.statements > 0, `${s.id}: statements`);
		}
		scenarioIds = j.scenarios.map(s => s.id);
		for (const id of ['astara-border-closed', 'green-rail'])
			assert.ok(scenarioIds.includes(id), `no ${id}`);
		const shipped = fs.readdirSync(path.join(src, 'data', 'eurasia', 'scenarios')).filter(f => /^[^.].*\.scn$/.test(f));
		assert.equal(j.scenarios.length, shipped.length, 'not every shipped scenario is listed');
	});

	await check('corridors: shape', async () => {
		const j = await getJson('/api/v1/corridors');
		assert.ok(Array.isArray(j.corridors) && j.corridors.length > 0);
		for (const c of j.corridors)
			for (const k of ['id', 'name', 'constraints'])
				assert.equal(typeof c[k], 'string', `${c.id}.${k}`);
		const ids = j.corridors.map(c => c.id);
		for (const id of ['best', 'suez', 'instc-west'])
			assert.ok(ids.includes(id), `no corridor ${id}`);
	});

	await check('places: q=mosc finds Moscow, shape', async () => {
		const j = await getJson('/api/v1/places?q=mosc');
		assert.ok(Array.isArray(j.places) && j.places.length >= 1 && j.places.length <= 10);
		const m = j.places.find(p => p.name === 'Moscow');
		assert.ok(m, 'Moscow missing: ' + j.places.map(p => p.name));
		assert.equal(j.places[0].name, 'Moscow', 'Moscow is not the best match');
		assert.equal(m.unlocode, 'RUMOW');
		for (const p of j.places) {
			for (const k of ['id', 'name', 'country'])
				assert.equal(typeof p[k], 'string', k);
			assert.ok(Math.abs(p.lon) <= 180 && Math.abs(p.lat) <= 90, 'lon/lat');
			assert.ok(Array.isArray(p.modes) && p.modes.length > 0, 'modes');
		}
	});
	await check('places: limit respected (q=a limit=1, 5, 50)', async () => {
		for (const n of [1, 5, 50]) {
			const j = await getJson(`/api/v1/places?q=a&limit=${n}`);
			assert.equal(j.places.length, n, `limit=${n} gave ${j.places.length}`);
		}
		const d = await getJson('/api/v1/places?q=a');
		assert.equal(d.places.length, 10, 'default limit');
	});
	await check('places: exact code ranks first (q=INNSA), modes filter', async () => {
		const j = await getJson('/api/v1/places?q=INNSA');
		assert.equal(j.places[0].unlocode, 'INNSA');
		const r = await getJson('/api/v1/places?q=a&modes=ferry&limit=50');
		assert.ok(r.places.length > 0 && r.places.every(p => p.modes.includes('ferry')), 'modes=ferry');
	});

	/* OSRM route */
	const cliRoute = cli(['route', ll(MUMBAI), ll(MOSCOW), '--format', 'json']);
	const cliR = JSON.parse(cliRoute).routes[0];
	let osrm;
	await check('osrm route: code Ok, shape', async () => {
		osrm = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}`);
		assert.equal(osrm.code, 'Ok');
		assert.equal(osrm.routes.length, 1);
		const r = osrm.routes[0];
		for (const k of ['distance', 'duration', 'weight'])
			assert.equal(typeof r[k], 'number', k);
		assert.equal(r.weight_name, 'generalized');
		assert.equal(typeof r.geometry, 'string', 'default geometry is a polyline string');
		assert.equal(osrm.waypoints.length, 2);
		for (const w of osrm.waypoints) {
			assert.equal(typeof w.name, 'string');
			assert.ok(Array.isArray(w.location) && w.location.length === 2);
			assert.ok(typeof w.distance === 'number' && w.distance >= 0 && w.distance <= 100000, 'snap distance');
			assert.equal(w.hint, '');
		}
		assert.equal(osrm.waypoints[0].name, cliR.legs[0].from_name);
	});
	await check('osrm route: distance (m) and duration (s) equal `meridian route`', async () => {
		const r = osrm.routes[0];
		assert.ok(Math.abs(r.distance - cliR.distance_km * 1000) <= 10, `${r.distance} m vs ${cliR.distance_km} km`);
		assert.ok(Math.abs(r.duration - cliR.duration_h * 3600) <= 36, `${r.duration} s vs ${cliR.duration_h} h`);
	});
	await check('osrm route: the meridian object is the CLI route without geometry', async () => {
		const want = { ...cliR };
		delete want.geometry;
		delete want.search; /* how the CLI found it: the server may have used its hierarchy */
		assert.deepEqual(osrm.routes[0].meridian, want);
	});
	await check('osrm route: polyline decodes, ends at the waypoints', async () => {
		const pts = decodePolyline(osrm.routes[0].geometry, 5);
		assert.ok(pts.length >= 2, 'fewer than 2 points');
		assert.ok(near(pts[0], osrm.waypoints[0].location, 2e-5), `first ${pts[0]} vs ${osrm.waypoints[0].location}`);
		assert.ok(near(pts.at(-1), osrm.waypoints[1].location, 2e-5), `last ${pts.at(-1)} vs ${osrm.waypoints[1].location}`);
		assert.ok(near(pts[0], MUMBAI, 1) && near(pts.at(-1), MOSCOW, 1), 'far from the given coordinates');
		for (const p of pts)
			assert.ok(Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90, `point out of range ${p}`);
	});
	await check('osrm route: polyline6 and geojson agree with polyline', async () => {
		const p6 = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}?geometries=polyline6`);
		const gj = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}?geometries=geojson`);
		const a = decodePolyline(osrm.routes[0].geometry, 5), b = decodePolyline(p6.routes[0].geometry, 6);
		const g = gj.routes[0].geometry;
		assert.equal(g.type, 'LineString');
		assert.equal(a.length, b.length, 'polyline and polyline6 point counts');
		assert.equal(g.coordinates.length, b.length, 'geojson point count');
		for (let i = 0; i < b.length; i++) {
			assert.ok(near(a[i], b[i], 2e-5), `point ${i}: ${a[i]} vs ${b[i]}`);
			assert.ok(near(b[i], g.coordinates[i], 2e-6), `point ${i}: ${b[i]} vs ${g.coordinates[i]}`);
		}
		assert.ok(near(b[0], p6.waypoints[0].location, 2e-6) && near(b.at(-1), p6.waypoints[1].location, 2e-6), 'polyline6 ends');
		assert.deepEqual(g.coordinates[0], gj.waypoints[0].location);
		assert.deepEqual(g.coordinates.at(-1), gj.waypoints[1].location);
	});
	await check('osrm route: overview=full has at least the simplified points, overview=false none', async () => {
		const full = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}?overview=full&geometries=geojson`);
		const simp = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}?overview=simplified&geometries=geojson`);
		const none = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}?overview=false`);
		assert.ok(full.routes[0].geometry.coordinates.length >= simp.routes[0].geometry.coordinates.length);
		assert.ok(!('geometry' in none.routes[0]), 'overview=false still has a geometry');
		assert.equal(none.routes[0].distance, osrm.routes[0].distance);
	});
	await check('osrm route: a via gives 2 legs summing to the route, equal to `meridian route --via`', async () => {
		const j = await getJson(`/route/v1/multimodal/${ll(MUMBAI, BAKU, MOSCOW)}?steps=true`);
		const r = j.routes[0];
		assert.equal(r.legs.length, 2, 'legs = coordinates - 1');
		assert.equal(j.waypoints.length, 3);
		const sumD = r.legs.reduce((s, l) => s + l.distance, 0), sumT = r.legs.reduce((s, l) => s + l.duration, 0);
		assert.ok(Math.abs(sumD - r.distance) <= 1, `legs ${sumD} m vs route ${r.distance} m`);
		assert.ok(Math.abs(sumT - r.duration) <= 1, `legs ${sumT} s vs route ${r.duration} s`);
		for (const l of r.legs) {
			assert.ok(l.distance > 0 && typeof l.summary === 'string' && l.summary.length > 0, 'leg shape');
			assert.deepEqual(l.steps, [], 'steps=true gives empty step lists');
		}
		const viaId = (await getJson(`/nearest/v1/multimodal/${ll(BAKU)}`)).waypoints[0].meridian_id;
		const c = JSON.parse(cli(['route', ll(MUMBAI), ll(MOSCOW), '--via', viaId, '--format', 'json'])).routes[0];
		assert.ok(Math.abs(r.distance - c.distance_km * 1000) <= 10, `${r.distance} m vs CLI ${c.distance_km} km`);
		assert.ok(Math.abs(r.duration - c.duration_h * 3600) <= 36, `${r.duration} s vs CLI ${c.duration_h} h`);
	});
	await check('osrm route: sea profile, .json suffix, by=distance', async () => {
		const j = await getJson(`/route/v1/sea/${ll(MUMBAI, ROTTERDAM)}.json?overview=false&by=distance`);
		assert.equal(j.code, 'Ok');
		assert.equal(j.routes[0].weight_name, 'distance');
		assert.equal(j.routes[0].legs[0].summary, 'sea');
		const c = JSON.parse(cli(['route', ll(MUMBAI), ll(ROTTERDAM), '--modes', 'sea', '--by', 'distance', '--format', 'json'])).routes[0];
		assert.ok(Math.abs(j.routes[0].distance - c.distance_km * 1000) <= 10, `${j.routes[0].distance} vs ${c.distance_km}`);
	});
	await check('osrm route: alternatives=true and 3 accepted (best route only)', async () => {
		for (const a of ['true', 'false', '3']) {
			const j = await getJson(`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}?alternatives=${a}&overview=false`);
			assert.ok(j.routes.length >= 1 && j.routes.length <= 4, `alternatives=${a}: ${j.routes.length} routes`);
		}
	});

	/* OSRM table */
	await check('osrm table: 3x3, diagonal 0, figures equal the route service', async () => {
		const pts = [MUMBAI, MOSCOW, BAKU];
		const j = await getJson(`/table/v1/multimodal/${ll(...pts)}?annotations=duration,distance`);
		assert.equal(j.code, 'Ok');
		for (const k of ['durations', 'distances']) {
			assert.equal(j[k].length, 3, k);
			for (const row of j[k])
				assert.equal(row.length, 3, k);
			for (let i = 0; i < 3; i++)
				assert.equal(j[k][i][i], 0, `${k} diagonal`);
		}
		assert.equal(j.sources.length, 3);
		assert.equal(j.destinations.length, 3);
		for (let i = 0; i < 3; i++)
			for (let k = 0; k < 3; k++) {
				if (i === k)
					continue;
				const r = await getJson(`/route/v1/multimodal/${ll(pts[i], pts[k])}?overview=false`);
				assert.equal(j.durations[i][k], r.routes[0].duration, `duration ${i}->${k}`);
				assert.equal(j.distances[i][k], r.routes[0].distance, `distance ${i}->${k}`);
			}
	});
	await check('osrm table: sources/destinations give a 2x1 matrix; default annotation is duration', async () => {
		const j = await getJson(`/table/v1/multimodal/${ll(MUMBAI, MOSCOW, BAKU)}?sources=0;2&destinations=1`);
		assert.equal(j.durations.length, 2);
		assert.equal(j.durations[0].length, 1);
		assert.ok(!('distances' in j), 'distances without asking');
		assert.equal(j.sources.length, 2);
		assert.equal(j.destinations.length, 1);
		assert.equal(j.destinations[0].name, 'Moscow');
		const d = await getJson(`/table/v1/multimodal/${ll(MUMBAI, MOSCOW, BAKU)}?annotations=distance`);
		assert.ok(!('durations' in d) && d.distances.length === 3, 'annotations=distance');
	});
	await check('osrm table: unreachable pair is null', async () => {
		const j = await getJson(`/table/v1/rail/${ll(MUMBAI, MOSCOW)}`);
		assert.equal(j.durations[0][1], null);
		assert.equal(j.durations[1][0], null);
	});

	/* OSRM nearest */
	await check('osrm nearest: number=3 gives 3 sorted by distance', async () => {
		const j = await getJson(`/nearest/v1/multimodal/${ll(MUMBAI)}?number=3`);
		assert.equal(j.code, 'Ok');
		assert.equal(j.waypoints.length, 3);
		for (let i = 0; i < 3; i++) {
			const w = j.waypoints[i];
			assert.ok(Array.isArray(w.nodes) && w.nodes.length === 1 && Number.isInteger(w.nodes[0]), 'nodes');
			assert.equal(typeof w.meridian_id, 'string');
			assert.equal(typeof w.name, 'string');
			if (i)
				assert.ok(w.distance >= j.waypoints[i - 1].distance, 'not sorted by distance');
		}
		const one = await getJson(`/nearest/v1/multimodal/${ll(MUMBAI)}`);
		assert.equal(one.waypoints.length, 1, 'default number=1');
		assert.deepEqual(one.waypoints[0], j.waypoints[0]);
	});

	/* Meridian's own route and compare */
	await check('api route: json equals `meridian route --format json`', async () => {
		const j = await getJson('/api/v1/route?from=Mumbai&to=Moscow');
		const c = JSON.parse(cli(['route', 'Mumbai', 'Moscow', '--format', 'json']));
		/* The same route, found on a contraction hierarchy by the server (default options). */
		assert.equal(j.routes[0].search.algorithm, 'ch');
		assert.ok(['astar', 'ch'].includes(c.routes[0].search.algorithm), c.routes[0].search.algorithm);
		delete j.routes[0].search;
		delete c.routes[0].search;
		assert.deepEqual(j, c);
	});
	await check('api route: geojson content type and FeatureCollection', async () => {
		const r = await get('/api/v1/route?from=Mumbai&to=Moscow&format=geojson');
		assert.equal(r.status, 200);
		assert.equal(r.type, 'application/geo+json; charset=utf-8');
		assert.equal(r.json.type, 'FeatureCollection');
		assert.ok(r.json.features.length > 0);
	});
	await check('api route: csv content type, equals the CLI', async () => {
		const r = await get('/api/v1/route?from=Mumbai&to=Moscow&format=csv');
		assert.equal(r.status, 200);
		assert.equal(r.type, 'text/csv; charset=utf-8');
		assert.equal(r.text, cli(['route', 'Mumbai', 'Moscow', '--format', 'csv']));
	});
	await check('api route: via, by, modes, teu, sea_speed, vot, planned, avoid, scenario', async () => {
		const base = await getJson('/api/v1/route?from=Mumbai&to=Moscow');
		const two = await getJson('/api/v1/route?from=Mumbai&to=Moscow&teu=2');
		assert.ok(Math.abs(two.routes[0].cost_usd - 2 * base.routes[0].cost_usd) < 0.05 * base.routes[0].cost_usd, 'teu=2 cost');
		const j = await getJson('/api/v1/route?from=INNSA&to=RUMOW&via=Baku&by=time&modes=sea,rail,road,ferry&sea_speed=18&vot=20&planned=true&avoid=suez');
		assert.ok(!j.routes[0].passages.includes('suez'), 'avoid=suez');
		const c = JSON.parse(cli(['route', 'INNSA', 'RUMOW', '--via', 'Baku', '--by', 'time', '--modes', 'sea,rail,road,ferry',
			'--sea-speed', '18', '--vot', '20', '--planned', '--avoid', 'suez', '--format', 'json']));
		assert.deepEqual(j, c, 'differs from the CLI with the same options');
		const s = await getJson('/api/v1/route?from=Mumbai&to=Moscow&scenario=astara-border-closed');
		assert.deepEqual(s, JSON.parse(cli(['route', 'Mumbai', 'Moscow', '--scenario', 'astara-border-closed', '--format', 'json'])));
	});
	await check('api compare: json equals `meridian compare --format json`', async () => {
		const j = await getJson('/api/v1/compare?from=Mumbai&to=Moscow');
		assert.ok(Array.isArray(j.corridors) && j.corridors.length > 1 && Array.isArray(j.claims));
		assert.deepEqual(j, JSON.parse(cli(['compare', 'Mumbai', 'Moscow', '--format', 'json'])));
	});
	await check('api compare: scenario= and vs= equal the CLI', async () => {
		const j = await getJson('/api/v1/compare?from=Mumbai&to=Moscow&scenario=astara-border-closed&vs=green-rail');
		assert.ok(j.vs && Array.isArray(j.vs.corridors), 'no vs section');
		assert.deepEqual(j, JSON.parse(cli(['compare', 'Mumbai', 'Moscow', '--scenario', 'astara-border-closed', '--vs', 'green-rail', '--format', 'json'])));
	});
	await check('api compare: csv and html', async () => {
		const c = await get('/api/v1/compare?from=Mumbai&to=Moscow&format=csv&corridors=best,suez,instc-west&scenario=green-rail');
		assert.equal(c.status, 200);
		assert.equal(c.type, 'text/csv; charset=utf-8');
		const lines = c.text.trim().split('\n');
		assert.match(lines[0], /^corridor,/);
		assert.equal(lines.length, 4, 'header + 3 corridors');
		assert.equal(c.text, cli(['compare', 'Mumbai', 'Moscow', '--corridors', 'best,suez,instc-west', '--scenario', 'green-rail', '--format', 'csv']));
		assert.ok(lines.slice(1).every(l => l.endsWith(',green-rail')), 'csv rows do not name the scenario');
		const h = await get('/api/v1/compare?from=Mumbai&to=Moscow&format=html&vs=green-rail');
		assert.equal(h.status, 200);
		assert.equal(h.type, 'text/html; charset=utf-8');
		assert.match(h.text, /^<!DOCTYPE html>/i);
		assert.match(h.text, /<\/html>\s*$/i);
		assert.ok(h.text.includes('green-rail'), 'html does not name the vs scenario');
	});
	await check('api compare: geojson', async () => {
		const r = await get('/api/v1/compare?from=Mumbai&to=Moscow&format=geojson');
		assert.equal(r.status, 200);
		assert.equal(r.type, 'application/geo+json; charset=utf-8');
		assert.equal(r.json.type, 'FeatureCollection');
	});

	/* static files */
	await check('static: / and /index.html, a sub-folder file, content types', async () => {
		const a = await get('/'), b = await get('/index.html'), c = await get('/sub/app.js'), d = await get('/sub/notes.txt');
		assert.equal(a.status, 200);
		assert.equal(a.type, 'text/html; charset=utf-8');
		assert.equal(a.text, fs.readFileSync(path.join(web, 'index.html'), 'utf8'));
		assert.equal(b.text, a.text);
		assert.equal(c.status, 200);
		assert.equal(c.type, 'text/javascript; charset=utf-8');
		assert.equal(c.text, fs.readFileSync(path.join(web, 'sub', 'app.js'), 'utf8'));
		assert.equal(d.type, 'text/plain; charset=utf-8');
		assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
	});
	await expectError('static: unknown page is a JSON 404', '/nope.html', 404, 'NotFound');
	await expectError('api: unknown endpoint is 404', '/api/v1/nope', 404, 'NotFound');

	/* ---- errors ---- */

	const R = `/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}`;
	const A = '/api/v1/route?from=Mumbai&to=Moscow';
	await expectError('error: unknown parameter (api route)', `${A}&foo=1`, 400, 'InvalidOptions', 'foo',
		r => assert.ok(r.json.message.includes("'foo'"), 'message does not name it'));
	await expectError('error: unknown parameter (osrm route)', `${R}?foo=1`, 400, 'InvalidOptions', 'foo');
	await expectError('error: unknown parameter (places)', '/api/v1/places?q=mosc&foo=1', 400, 'InvalidOptions', 'foo');
	await expectError('error: unknown parameter (network)', '/api/v1/network?x=1', 400, 'InvalidOptions', 'x');
	await expectError('error: by=fast', `${A}&by=fast`, 400, 'InvalidValue', 'by');
	await expectError('error: by=fast (osrm)', `${R}?by=fast`, 400, 'InvalidValue', 'by');
	await expectError('error: modes=bike', `${A}&modes=bike`, 400, 'InvalidValue', 'modes');
	await expectError('error: modes=sea,,rail', `${A}&modes=sea,,rail`, 400, 'InvalidValue', 'modes');
	await expectError('error: teu=-1', `${A}&teu=-1`, 400, 'InvalidValue', 'teu');
	await expectError('error: teu=abc', `${A}&teu=abc`, 400, 'InvalidValue', 'teu');
	await expectError('error: teu and tonnes', `${A}&teu=1&tonnes=10`, 400, 'InvalidOptions', 'tonnes');
	await expectError('error: sea_speed=0', `${A}&sea_speed=0`, 400, 'InvalidValue', 'sea_speed');
	await expectError('error: sea_speed=fast', `${A}&sea_speed=fast`, 400, 'InvalidValue', 'sea_speed');
	await expectError('error: vot=-5', `${A}&vot=-5`, 400, 'InvalidValue', 'vot');
	await expectError('error: planned=maybe', `${A}&planned=maybe`, 400, 'InvalidValue', 'planned');
	await expectError('error: format=xml', `${A}&format=xml`, 400, 'InvalidValue', 'format');
	await expectError('error: route format=html', `${A}&format=html`, 400, 'InvalidValue', 'format');
	await expectError('error: alternatives=x', `${R}?alternatives=x`, 400, 'InvalidValue', 'alternatives');
	await expectError('error: alternatives=-1', `${R}?alternatives=-1`, 400, 'InvalidValue', 'alternatives');
	await expectError('error: geometries=wkt', `${R}?geometries=wkt`, 400, 'InvalidValue', 'geometries');
	await expectError('error: overview=maybe', `${R}?overview=maybe`, 400, 'InvalidValue', 'overview');
	await expectError('error: annotations=bogus (route)', `${R}?annotations=bogus`, 400, 'InvalidValue', 'annotations');
	await expectError('error: steps=bogus (route)', `${R}?steps=bogus`, 400, 'InvalidValue', 'steps');
	await expectError('error: annotations=bogus (table)', `/table/v1/multimodal/${ll(MUMBAI, MOSCOW)}?annotations=bogus`, 400, 'InvalidValue', 'annotations');
	await expectError('error: number=0', `/nearest/v1/multimodal/${ll(MUMBAI)}?number=0`, 400, 'InvalidValue', 'number');
	await expectError('error: number=2.5', `/nearest/v1/multimodal/${ll(MUMBAI)}?number=2.5`, 400, 'InvalidValue', 'number');
	await expectError('error: limit=0', '/api/v1/places?q=mosc&limit=0', 400, 'InvalidValue', 'limit');
	await expectError('error: limit=x', '/api/v1/places?q=mosc&limit=x', 400, 'InvalidValue', 'limit');
	await expectError('error: places without q', '/api/v1/places', 400, 'InvalidQuery', 'q');
	await expectError('error: sources index out of range', `/table/v1/multimodal/${ll(MUMBAI, MOSCOW)}?sources=2`, 400, 'InvalidValue', 'sources');
	await expectError('error: destinations=-1', `/table/v1/multimodal/${ll(MUMBAI, MOSCOW)}?destinations=-1`, 400, 'InvalidValue', 'destinations');
	await expectError('error: sources=0;;1', `/table/v1/multimodal/${ll(MUMBAI, MOSCOW)}?sources=0;;1`, 400, 'InvalidValue', 'sources');
	await expectError('error: missing from', '/api/v1/route?to=Moscow', 400, 'InvalidQuery', 'from');
	await expectError('error: empty to', '/api/v1/route?from=Mumbai&to=', 400, 'InvalidQuery', 'to');
	for (const [what, coords] of [['missing lat', '72.84;37.6,55.75'], ['text', 'abc,def;37.6,55.75'],
		['lon out of range', '200,10;37.6,55.75'], ['lat out of range', '72.84,95;37.6,55.75'],
		['empty pair', '72.84,18.96;;37.6,55.75'], ['trailing ;', '72.84,18.96;'], ['one coordinate', '72.84,18.96'],
		['empty lat', '72.84,;37.6,55.75'], ['hex', '0x10,10;37.6,55.75'], ['nan', 'nan,10;37.6,55.75'], ['inf', 'inf,10;37.6,55.75']])
		await expectError(`error: malformed coordinates (${what})`, `/route/v1/multimodal/${coords}`, 400, 'InvalidQuery', 'coordinates');
	await expectError('error: malformed coordinate (nearest, two pairs)', `/nearest/v1/multimodal/${ll(MUMBAI, MOSCOW)}`, 400, 'InvalidQuery', 'coordinates');
	await expectError('error: empty coordinates', '/route/v1/multimodal/', 400, 'InvalidUrl');
	await expectError('error: path too short', '/route/v1', 400, 'InvalidUrl');
	await expectError('error: unknown profile', `/route/v1/bike/${ll(MUMBAI, MOSCOW)}`, 400, 'InvalidOptions', 'profile');
	await expectError('error: unknown version', `/route/v2/multimodal/${ll(MUMBAI, MOSCOW)}`, 400, 'InvalidVersion');
	await expectError('error: unknown service', `/foo/v1/multimodal/${ll(MUMBAI, MOSCOW)}`, 400, 'InvalidService');
	await expectError('error: extra path segment after the coordinates', `/route/v1/multimodal/1,1;2,2/x`, 400, 'InvalidQuery', 'coordinates');
	await expectError('error: NoSegment (Pacific point, rail)', `/route/v1/rail/${ll(PACIFIC, MOSCOW)}`, 400, 'NoSegment', 'coordinates');
	await expectError('error: NoSegment (nearest)', `/nearest/v1/rail/${ll(PACIFIC)}`, 400, 'NoSegment', 'coordinates');
	await expectError('error: NoRoute (osrm, rail Mumbai-Moscow)', `/route/v1/rail/${ll(MUMBAI, MOSCOW)}`, 400, 'NoRoute');
	await expectError('error: NoRoute (api, road only)', `${A}&modes=road`, 404, 'NoRoute');
	await expectError('error: unknown place with suggestions', '/api/v1/route?from=Mumbai&to=Nowhereville', 404, 'NotFound', 'to',
		r => assert.match(r.json.message, /did you mean/i, 'no suggestions'));
	await expectError('error: unknown via', '/api/v1/route?from=Mumbai&to=Moscow&via=Nowhereville', 404, 'NotFound', 'via');
	await expectError('error: unknown scenario (route)', `${A}&scenario=no-such-scenario`, 404, 'NotFound', 'scenario');
	await expectError('error: unknown scenario (compare)', '/api/v1/compare?from=Mumbai&to=Moscow&scenario=no-such-scenario', 404, 'NotFound', 'scenario');
	await expectError('error: unknown vs scenario', '/api/v1/compare?from=Mumbai&to=Moscow&vs=no-such-scenario', 404, 'NotFound', 'vs');
	await expectError('error: unknown corridor', '/api/v1/compare?from=Mumbai&to=Moscow&corridors=nope', 404, 'NotFound', 'corridors');
	await expectError('error: 501 match', `/match/v1/multimodal/${ll(MUMBAI, MOSCOW)}`, 501, 'NotImplemented');
	await expectError('error: 501 trip', `/trip/v1/multimodal/${ll(MUMBAI, MOSCOW)}`, 501, 'NotImplemented');
	await expectError('error: 501 tile', '/tile/v1/multimodal/tile(1,2,3).mvt', 501, 'NotImplemented');

	/* limits */
	const many = n => Array.from({ length: n }, (_, i) => `${(60 + (i % 30) * 0.5).toFixed(2)},${(20 + Math.floor(i / 30) * 0.5).toFixed(2)}`).join(';');
	await expectError('limit: 101 coordinates (413)', `/route/v1/multimodal/${many(101)}`, 413, 'TooBig', 'coordinates');
	await expectError('limit: 51x51 table cells (413)', `/table/v1/multimodal/${many(51)}`, 413, 'TooBig');
	await expectError('limit: alternatives=4 (413)', `${R}?alternatives=4`, 413, 'TooBig', 'alternatives');
	await expectError('limit: places limit=51 (413)', '/api/v1/places?q=a&limit=51', 413, 'TooBig', 'limit');
	await expectError('limit: nearest number=101 (413)', `/nearest/v1/multimodal/${ll(MUMBAI)}?number=101`, 413, 'TooBig', 'number');
	await check('limit: 9 scenarios (413)', async () => {
		const ids = scenarioIds.slice(0, 9);
		assert.equal(ids.length, 9, 'fewer than 9 shipped scenarios');
		const r = await get(`${A}&scenario=${ids.join(',')}`);
		assert.equal(r.status, 413, r.text.slice(0, 200));
		assert.equal(r.json.code, 'TooBig');
		assert.equal(r.json.parameter, 'scenario');
	});
	await check('limit: 8 scenarios are accepted', async () => {
		// the ones that close nothing the route needs: any answer but 413/5xx
		const r = await get(`${A}&scenario=${scenarioIds.slice(0, 8).join(',')}`);
		assert.ok(r.status === 200 || r.status === 404, `status ${r.status}: ${r.text.slice(0, 200)}`);
	});
	await expectError('limit: 65 query parameters (413)', `/api/v1/places?q=a&${Array.from({ length: 65 }, (_, i) => `p${i}=1`).join('&')}`, 413, 'TooBig');
	await expectError('limit: URL over 8 KB (414)', `/api/v1/places?q=${'a'.repeat(8300)}`, 414, 'TooBig');
	await expectError('limit: long path over 8 KB (414)', `/route/v1/multimodal/${'1,1;'.repeat(2100)}1,1`, 414, 'TooBig');
	await check('limit: URL just under 8 KB is answered', async () => {
		const r = await get(`/api/v1/places?q=${'a'.repeat(8000)}`);
		assert.equal(r.status, 200, `status ${r.status}`);
		assert.deepEqual(r.json.places, []);
	});

	/* methods */
	for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) {
		await check(`method: ${m} is 405 with JSON`, async () => {
			const r = await get('/api/v1/network', { method: m, body: m === 'DELETE' ? undefined : '{"a":1}' });
			assert.equal(r.status, 405);
			assert.equal(r.type, JSON_TYPE);
			assert.equal(r.json.code, 'MethodNotAllowed');
		});
	}
	await check('method: 405 carries Allow: GET, HEAD, OPTIONS (RFC 9110 15.5.6)', async () => {
		const r = await get('/api/v1/network', { method: 'POST', body: 'x' });
		assert.equal(r.status, 405);
		assert.ok(r.headers.get('allow'), 'no Allow header on a 405');
		for (const m of ['GET', 'HEAD', 'OPTIONS'])
			assert.ok(r.headers.get('allow').includes(m), `Allow lacks ${m}`);
	});
	await check('method: POST with a large body is refused, server stays up', async () => {
		const r = await get('/api/v1/route?from=Mumbai&to=Moscow', { method: 'POST', body: 'x'.repeat(1 << 20) }).catch(e => ({ status: 'closed: ' + e.message }));
		assert.ok(r.status === 405 || r.status === 413 || String(r.status).startsWith('closed'), `status ${r.status}`);
		await healthy('a 1 MB POST');
	});
	await check('method: HEAD has the headers of GET and no body', async () => {
		for (const p of ['/api/v1/network', '/', '/api/v1/places?q=mosc', '/nope']) {
			const g = await rawGet(p);
			const h = await raw(`HEAD ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
			assert.equal(h.status, g.status, `${p}: status`);
			assert.equal(h.headers['content-type'], g.headers['content-type'], `${p}: content type`);
			assert.equal(h.headers['content-length'], g.headers['content-length'], `${p}: content length`);
			assert.equal(+g.headers['content-length'], Buffer.byteLength(g.body, 'latin1'), `${p}: GET length`);
			assert.equal(h.body, '', `${p}: HEAD has a body`);
		}
	});
	await check('method: OPTIONS is 204 with Allow, no CORS headers without --cors', async () => {
		const r = await get('/api/v1/route', { method: 'OPTIONS' });
		assert.equal(r.status, 204);
		assert.equal(r.text, '');
		for (const m of ['GET', 'HEAD', 'OPTIONS'])
			assert.ok((r.headers.get('allow') || '').includes(m), `Allow: ${r.headers.get('allow')}`);
		assert.equal(r.headers.get('access-control-allow-origin'), null);
		const g = await get('/health');
		assert.equal(g.headers.get('access-control-allow-origin'), null);
	});

	/* --cors */
	await check('cors: OPTIONS preflight and every response carry the origin', async () => {
		const C = await start(['--cors', 'https://example.org', '--quiet', '--threads', '1']);
		try {
			const o = await get('/route/v1/multimodal/1,1;2,2', { method: 'OPTIONS', headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' } }, C);
			assert.equal(o.status, 204);
			assert.equal(o.headers.get('access-control-allow-origin'), 'https://example.org');
			assert.ok((o.headers.get('access-control-allow-methods') || '').includes('GET'), 'Allow-Methods');
			assert.ok(o.headers.get('allow'), 'Allow');
			for (const p of ['/health', '/api/v1/places?q=mosc', '/api/v1/nope', '/'])
				assert.equal((await get(p, {}, C)).headers.get('access-control-allow-origin'), 'https://example.org', p);
		} finally {
			C.proc.kill('SIGTERM');
			await C.exit;
		}
	});

	/* ---- traversal: raw bytes, so that no client normalises the path ---- */

	const secret = /OUTSIDE THE WEB FOLDER|root:x?:0:0|dot-file|dot-folder|must not be served/;
	for (const target of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
		'//etc/passwd', '/web/../x', '/sub/../index.html', '/sub/./app.js', '/./index.html', '/..', '/../', '/.%2e/outside.txt',
		'/..\\..\\etc\\passwd', '/%5c..%5c..%5cetc%5cpasswd', '/../outside.txt', '/sub/../../outside.txt', 'index.html',
		'../outside.txt', '/%252e%252e/outside.txt', '/etc/passwd', '/proc/self/environ', '/link.txt', '/linkdir/outside.txt',
		'/linkdir/web/index.html', '/.secret', '/%2esecret', '/.git/config', '/.git/', '/sub/', '/sub', '/linkdir', '/linkdir/']) {
		await check(`traversal: ${JSON.stringify(target)} is 404 (400), no file content`, async () => {
			const r = await rawGet(target);
			assert.ok(r.status === 404 || r.status === 400, `status ${r.status}: ${r.text.slice(0, 200)}`);
			assert.ok(!secret.test(r.body), 'leaked: ' + r.body.slice(0, 120));
			let j; // the error is the JSON contract, never a page or a listing
			try { j = JSON.parse(r.body); } catch { assert.fail('body is not JSON: ' + r.body.slice(0, 120)); }
			assert.equal(j.code, r.status === 404 ? 'NotFound' : j.code);
			assert.equal(r.headers['content-type'], JSON_TYPE);
		});
	}
	for (const target of ['/index.html%00.txt', '/sub/app.js%00', '/%00', '/%00../outside.txt', '/index.html%00/../../outside.txt']) {
		await check(`traversal: encoded NUL ${JSON.stringify(target)} is 404 (400), not a truncated name`, async () => {
			const r = await rawGet(target);
			assert.ok(r.status === 404 || r.status === 400, `status ${r.status} (${r.headers['content-type']}): ${r.body.slice(0, 80)}`);
			assert.ok(!secret.test(r.body), 'leaked');
		});
	}
	await check('traversal: an encoded NUL in a parameter is refused, not truncated', async () => {
		for (const [p, status, code] of [['/api/v1/route?from=Mumbai%00junk&to=Moscow', 404, 'NotFound'],
			[`/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}%00junk`, 400, 'InvalidQuery'], ['/api/v1/places?q%00junk=mosc', 400, 'InvalidOptions']]) {
			const r = await get(p);
			assert.equal(r.status, status, `${p}: status ${r.status}`);
			assert.equal(r.json.code, code, `${p}: code ${r.json.code}`);
		}
	});
	await check('traversal: a raw NUL byte in the path names no file outside, server stays up', async () => {
		// libmicrohttpd 0.9.75 cuts the target at a raw NUL before the server sees it, so
		// "/index.html\0.txt" reaches the handler as "/index.html": only a listed file can come back
		for (const t of ['/index.html\0.txt', '/\0../outside.txt', '/sub/app.js\0/../../../outside.txt']) {
			const r = await raw(`GET ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
			assert.ok(!secret.test(r.body), `${JSON.stringify(t)}: leaked`);
		}
		await healthy('raw NUL bytes');
	});
	await check('traversal: absolute-form and asterisk targets', async () => {
		for (const t of ['http://127.0.0.1/../outside.txt', 'file:///etc/passwd', '*']) {
			const r = await rawGet(t);
			assert.ok(!secret.test(r.body), `${t}: leaked`);
			assert.ok(r.status !== 200 || !/passwd|outside/.test(t), `${t}: status ${r.status}`);
		}
		await healthy('odd request targets');
	});
	await check('traversal: the files next to the web folder were not served at all', async () => {
		// the web folder symlink points to the parent; its files must be unknown by any name
		const r = await rawGet('/linkdir/outside.txt');
		assert.equal(r.status, 404);
	});

	/* ---- malformed HTTP over raw sockets ---- */

	// [what, bytes, a 2xx is a fine answer]
	const malformed = [
		['garbage request line', 'GARBAGE\r\n\r\n'],
		['binary junk', '\x00\x01\x02\xff\xfe\r\n\r\n'],
		['request line without version', 'GET /health\r\n\r\n'],
		['unknown HTTP version', 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n'],
		['huge header (64 KB)', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(65536)}\r\n\r\n`],
		['many headers (2,000)', 'GET /health HTTP/1.1\r\nHost: x\r\n' + Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join('') + '\r\n', true],
		['no Host', 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n', true],
		['header without colon', 'GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'],
		['bare LF line ends', 'GET /health HTTP/1.1\nHost: x\n\n', true],
		['negative Content-Length', 'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'],
		['huge Content-Length', 'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n'],
		['bad chunked body', 'POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n'],
		['URL of 70 KB', `GET /api/v1/places?q=${'a'.repeat(70000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
		['half a request line, then close', 'GET /heal'],
	];
	for (const [what, data, fine] of malformed) {
		await check(`malformed: ${what}: ${fine ? '' : 'no 2xx, '}server stays up`, async () => {
			const r = await raw(data, { ms: 1500 });
			if (!fine)
				assert.ok(r.status === 0 || r.status >= 400, `answered ${r.status}`);
			await healthy(what);
		});
	}
	await check('malformed: HTTP/1.1 without Host is 400 (RFC 9112 3.2)', async () => {
		const r = await raw('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n', { ms: 1500 });
		assert.equal(r.status, 400, `answered ${r.status}`);
	});
	await check('http: HTTP/1.0 request answered and closed', async () => {
		const r = await raw('GET /health HTTP/1.0\r\n\r\n', { ms: 3000 });
		assert.equal(r.status, 200);
		assert.ok(r.closed, 'connection left open');
	});
	await check('http: keep-alive: a second request on the same HTTP/1.1 connection', async () => {
		// one request, wait for the whole answer, then another on the same socket
		const sock = net.connect(S.port, '127.0.0.1');
		let buf = '', closed = false;
		sock.on('data', d => { buf += d.toString('latin1'); });
		sock.on('close', () => { closed = true; });
		sock.on('error', () => { closed = true; });
		const complete = () => {
			const sep = buf.indexOf('\r\n\r\n');
			const m = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, sep));
			return sep >= 0 && m && buf.length >= sep + 4 + +m[1];
		};
		const wait = async ms => { const t0 = Date.now(); while (!complete() && !closed && Date.now() - t0 < ms) await new Promise(r => setTimeout(r, 10)); };
		try {
			sock.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
			await wait(3000);
			assert.ok(complete(), 'no complete first answer');
			const first = buf;
			await new Promise(r => setTimeout(r, 50));
			assert.ok(!closed, 'the server closed the connection after one request (' + (/\r\nconnection: *([^\r]*)/i.exec(first) || ['', 'no Connection header'])[0].trim() + ')');
			buf = '';
			sock.write('GET /api/v1/network HTTP/1.1\r\nHost: x\r\n\r\n');
			await wait(3000);
			assert.ok(complete() && /^HTTP\/1\.1 200/.test(buf), 'no answer to the second request');
		} finally {
			sock.destroy();
		}
	});

	/* ---- concurrency ---- */

	await check('concurrency: 200 mixed requests, 32 in flight, same answers as sequential', async () => {
		const pts = [MUMBAI, MOSCOW, BAKU, ROTTERDAM, [51.4, 35.7], [28.98, 41.01], [121.5, 31.2], [76.9, 43.2], [44.8, 41.7], [69.2, 41.3]];
		let seed = 42;
		const rnd = n => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
		const reqs = [];
		for (let i = 0; i < 200; i++) {
			const a = pts[rnd(pts.length)], b = pts[rnd(pts.length)];
			switch (i % 8) {
			case 0: reqs.push(`/route/v1/multimodal/${ll(a, b)}`); break;
			case 1: reqs.push(`/route/v1/multimodal/${ll(a, b)}?geometries=geojson&overview=full`); break;
			case 2: reqs.push(`/api/v1/route?from=${ll(a)}&to=${ll(b)}`); break;
			case 3: reqs.push(`/table/v1/multimodal/${ll(a, b, pts[rnd(pts.length)])}?annotations=duration,distance`); break;
			case 4: reqs.push(`/nearest/v1/multimodal/${ll(a)}?number=${1 + rnd(5)}`); break;
			case 5: reqs.push(`/api/v1/places?q=${['mos', 'ba', 'ist', 'a', 'tehr'][rnd(5)]}`); break;
			case 6: reqs.push(i % 16 === 6 ? '/api/v1/compare?from=Mumbai&to=Moscow&format=csv' : '/api/v1/route?from=Mumbai&to=Moscow&scenario=green-rail'); break;
			default: reqs.push(i % 3 ? `/route/v1/rail/${ll(PACIFIC, b)}` : '/api/v1/network'); break;
			}
		}
		const one = async p => { const r = await get(p); return `${r.status} ${r.type}\n${r.text}`; };
		const seq = [];
		for (const p of reqs)
			seq.push(await one(p));
		const par = new Array(reqs.length);
		let next = 0;
		await Promise.all(Array.from({ length: 32 }, async () => {
			while (next < reqs.length) {
				const i = next++;
				par[i] = await one(reqs[i]);
			}
		}));
		const diff = reqs.map((p, i) => (seq[i] === par[i] ? null : p)).filter(Boolean);
		assert.equal(diff.length, 0, `${diff.length} differ, e.g. ${diff[0]}`);
		assert.ok(seq.filter(s => s.startsWith('200 ')).length > 100, 'too few 200s to mean anything');
	});
	await check('concurrency: slow clients (half requests) do not block others', async () => {
		const slow = [];
		for (let i = 0; i < 16; i++) {
			const s = net.connect(S.port, '127.0.0.1');
			s.on('error', () => {});
			s.write('GET /api/v1/route?from=Mumbai&to=Moscow HTTP/1.1\r\nHost: x\r\n'); // no blank line: never complete
			slow.push(s);
		}
		await new Promise(r => setTimeout(r, 200));
		try {
			const t0 = Date.now();
			const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => get(i % 2 ? '/health' : `/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}`)));
			const ms = Date.now() - t0;
			assert.ok(rs.every(r => r.status === 200), 'a request failed: ' + rs.map(r => r.status));
			assert.ok(ms < 3000, `20 requests took ${ms} ms beside 16 slow clients`);
		} finally {
			for (const s of slow)
				s.destroy();
		}
	});

	await check('access log: one line per request, in the documented format', async () => {
		await get('/api/v1/places?q=mosc&limit=2');
		await new Promise(r => setTimeout(r, 100));
		const lines = fs.readFileSync(accessLog, 'utf8').trim().split('\n');
		const last = lines.filter(l => l.includes('/api/v1/places?q=mosc&limit=2')).at(-1);
		assert.ok(last, 'no line for the request');
		assert.match(last, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 GET \/api\/v1\/places\?q=mosc&limit=2 200 \d+ \d+(\.\d+)?$/, last);
		assert.ok(lines.length >= 300, `${lines.length} lines only`);
	});

	/* ---- shutdown ---- */

	await check('shutdown: SIGTERM with requests in flight: status 0 within 2 s', async () => {
		const slow = net.connect(S.port, '127.0.0.1');
		slow.on('error', () => {});
		slow.write('GET /health HTTP/1.1\r\nHost: x\r\n');
		const inflight = Array.from({ length: 12 }, (_, i) =>
			get(i % 2 ? '/api/v1/compare?from=Mumbai&to=Moscow' : `/route/v1/multimodal/${ll(MUMBAI, MOSCOW)}`)
				.then(r => r.status, e => 'error: ' + (e.cause ? e.cause.code || e.cause.message : e.message)));
		await new Promise(r => setTimeout(r, 30));
		const t0 = Date.now();
		S.proc.kill('SIGTERM');
		const ex = await Promise.race([S.exit, new Promise(r => setTimeout(() => r(null), 5000))]);
		slow.destroy();
		const statuses = await Promise.all(inflight);
		if (!ex) {
			S.proc.kill('SIGKILL');
			throw new Error('still running 5 s after SIGTERM');
		}
		assert.equal(ex.signal, null, `killed by ${ex.signal}`);
		assert.equal(ex.code, 0, `exit status ${ex.code}`);
		assert.ok(ex.at - t0 <= 2000, `took ${ex.at - t0} ms`);
		const bad = statuses.filter(s => s !== 200 && !String(s).startsWith('error'));
		assert.equal(bad.length, 0, 'in-flight requests answered with ' + bad);
		assert.ok(statuses.some(s => s === 200), 'no request in flight finished: ' + statuses);
	});

	await check('stderr: no sanitizer report, no crash message from any server', async () => {
		for (const s of servers) {
			const m = /runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|Assertion .* failed/.exec(s.stderr());
			assert.ok(!m, s.stderr().slice(Math.max(0, m ? m.index - 200 : 0), (m ? m.index : 0) + 800));
		}
	});
}

try {
	await main();
} catch (e) {
	bad('harness', e && e.stack ? e.stack : e);
} finally {
	for (const s of servers)
		if (s.proc.exitCode === null && s.proc.signalCode === null)
			s.proc.kill('SIGKILL');
	fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
