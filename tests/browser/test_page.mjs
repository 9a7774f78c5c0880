// test_page.mjs: browser test of the page of `meridian serve` (web/) in headless Chromium
// (Debian's chromium, driven by playwright-core): autocomplete, comparison table against the
// API's JSON, route lines on the map, claims, charts, a scenario toggle, the state in the URL,
// exports, side-by-side scenarios, an error, a narrow screen. Screenshots go to ARTIFACTS_DIR.
// Usage: node test_page.mjs MERIDIAN_BINARY WEB_DIR ARTIFACTS_DIR
// Prints "ok NAME" / "FAIL NAME: why" and "N passed, N failed"; exits 77 ("skipped: ...") when
// chromium, playwright-core, the page's files or the built-in maritime network are missing.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const [bin, webDir, artifacts] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!bin || !webDir || !artifacts) {
	console.error('usage: node test_page.mjs MERIDIAN_BINARY WEB_DIR ARTIFACTS_DIR');
	process.exit(2);
}
const skip = (why) => { console.log('skipped: ' + why); process.exit(77); };

/* ---- what the test needs ---- */

const chromiumPath = process.env.MERIDIAN_CHROMIUM || '/usr/bin/chromium';
try { fs.accessSync(chromiumPath, fs.constants.X_OK); } catch { skip(`no chromium at ${chromiumPath} (scripts/install-deps installs Debian's)`); }
let chromium;
try {
	({ chromium } = await import('playwright-core'));
} catch {
	skip('playwright-core is not installed (scripts/install-deps: npm ci)');
}
for (const f of ['index.html', 'app.js', 'style.css']) {
	if (!fs.existsSync(path.join(webDir, f))) skip(`the page's files are missing (${path.join(webDir, f)})`);
}
const hasMap = fs.existsSync(path.join(webDir, 'vendor', 'leaflet', 'leaflet.js'));
{
	let info = '';
	try { info = execFileSync(bin, ['info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { /* none */ }
	if (!info.includes('/sea')) skip('the built-in network has no maritime import (no Mumbai, no Moscow)');
}
fs.mkdirSync(artifacts, { recursive: true });

let passed = 0, failed = 0;
async function check(name, fn) {
	try {
		await fn();
		passed++;
		console.log(`ok ${name}`);
		return true;
	} catch (e) {
		failed++;
		console.log(`FAIL ${name}: ${String(e && e.message ? e.message : e).replace(/\s+/g, ' ').slice(0, 700)}`);
		return false;
	}
}
const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/* ---- the server ---- */

let server = null, serverErr = '';
function startServer() {
	return new Promise((resolve, reject) => {
		const proc = spawn(bin, ['serve', '--port', '0', '--web', webDir, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
		server = proc;
		let out = '', err = '', done = false;
		const timer = setTimeout(() => { if (!done) { done = true; reject(new Error('no "listening on" line within 30 s: ' + err)); } }, 30000);
		proc.stderr.on('data', (d) => { err += d; serverErr += d; });
		proc.on('exit', (code, signal) => {
			if (!done) { done = true; clearTimeout(timer); reject(new Error(`the server exited (${code ?? signal}) before listening: ${err}`)); }
		});
		proc.stdout.on('data', (d) => {
			out += d;
			const nl = out.indexOf('\n');
			if (nl < 0 || done) return;
			done = true;
			clearTimeout(timer);
			const m = /^listening on (http:\/\/[^ ]+\/)$/.exec(out.slice(0, nl));
			if (!m) reject(new Error('unexpected first line: ' + out.slice(0, nl)));
			else resolve(m[1]);
		});
	});
}
// stopServer: SIGTERM (SIGKILL after 5 s); answers {code, signal} of the exit
async function stopServer() {
	if (!server) return null;
	if (server.exitCode !== null || server.signalCode !== null) return { code: server.exitCode, signal: server.signalCode };
	const exited = new Promise((res) => server.once('exit', (code, signal) => res({ code, signal })));
	server.kill('SIGTERM');
	const t = setTimeout(() => server.kill('SIGKILL'), 5000);
	const how = await exited;
	clearTimeout(t);
	return how;
}
process.on('exit', () => { if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

/* ---- the test ---- */

let browser = null;
try {
	const base = await startServer();
	const api = async (pathAndQuery) => {
		const res = await fetch(new URL(pathAndQuery, base));
		return { status: res.status, type: res.headers.get('content-type') || '', text: await res.text() };
	};
	const apiJSON = async (pathAndQuery) => JSON.parse((await api(pathAndQuery)).text);

	browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'], headless: true });
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	page.setDefaultTimeout(20000);
	const pageErrors = [], badResponses = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	// 4xx expected: the unknown place of the error check; without vendor files, the vendor files.
	page.on('response', (r) => {
		if (r.status() >= 400 && !/Xyzzy/.test(r.url()) && (hasMap || !/\/vendor\//.test(r.url())))
			badResponses.push(r.status() + ' ' + r.url());
	});

	// rows of the comparison table as the page shows them
	const tableRows = () => page.$$eval('#corridor-table tbody tr.corridor', (trs) => trs.map((tr) => ({
		id: tr.dataset.id,
		infeasible: tr.classList.contains('infeasible'),
		text: tr.innerText,
		km: (tr.querySelector('td.distance .v') || {}).textContent || null,
		bestKm: !!tr.querySelector('td.distance.best'),
	})));
	const waitCompared = () => page.waitForFunction(() => !document.querySelector('#run').disabled &&
		/compared in/.test(document.querySelector('#status').textContent));

	const scenarios = (await apiJSON('api/v1/scenarios')).scenarios;
	await check('page opens with the scenario toggles', async () => {
		const res = await page.goto(base);
		assert.equal(res.status(), 200);
		assert.match(await page.title(), /Meridian/);
		await page.waitForFunction((n) => document.querySelectorAll('#scenario-list input[type=checkbox]').length === n, scenarios.length);
		assert.ok(scenarios.some((s) => s.id === 'suez-closed'), 'suez-closed is a shipped scenario');
		assert.equal(await page.locator('#vs option').count(), scenarios.length + 1);
	});

	let fromId = null, toId = null;
	const ok1 = await check('FROM by autocomplete (mouse)', async () => {
		const expected = (await apiJSON('api/v1/places?q=Mumbai&limit=8')).places;
		assert.ok(expected.length > 0, 'the API knows Mumbai');
		await page.locator('#from').click();
		await page.locator('#from').pressSequentially('Mumbai', { delay: 30 });
		await page.locator('#from-list[data-q="Mumbai"]').waitFor({ state: 'visible' });
		const opt = page.locator('#from-list [role=option]').first();
		assert.equal(await page.getAttribute('#from', 'aria-expanded'), 'true');
		assert.match(await opt.innerText(), /Mumbai/);
		await opt.click();
		fromId = await page.$eval('#from', (i) => i.dataset.id);
		assert.equal(fromId, expected[0].id);
		assert.equal(await page.inputValue('#from'), expected[0].name);
		assert.equal(await page.getAttribute('#from', 'aria-expanded'), 'false');
	});
	const ok2 = await check('TO by autocomplete (keyboard)', async () => {
		const expected = (await apiJSON('api/v1/places?q=Moscow&limit=8')).places;
		assert.ok(expected.length > 0, 'the API knows Moscow');
		await page.locator('#to').click();
		await page.locator('#to').pressSequentially('Moscow', { delay: 30 });
		await page.locator('#to-list[data-q="Moscow"]').waitFor({ state: 'visible' });
		await page.keyboard.press('ArrowDown');
		assert.equal(await page.getAttribute('#to', 'aria-activedescendant'), 'to-list-0');
		await page.keyboard.press('Enter');
		toId = await page.$eval('#to', (i) => i.dataset.id);
		assert.equal(toId, expected[0].id);
		assert.ok(await page.locator('#to-list').isHidden(), 'the list closes');
	});
	if (!ok1 || !ok2) throw new Error('no places: the rest of the test cannot run');

	const base0 = await apiJSON(`api/v1/compare?from=${encodeURIComponent(fromId)}&to=${encodeURIComponent(toId)}`);
	const feasible0 = base0.corridors.filter((c) => c.feasible);
	const okTable = await check('comparison table: one row per corridor, as the API answers', async () => {
		await page.click('#run');
		await waitCompared();
		const rows = await tableRows();
		assert.deepEqual(rows.map((r) => r.id), base0.corridors.map((c) => c.id));
		assert.deepEqual(rows.map((r) => r.infeasible), base0.corridors.map((c) => !c.feasible));
		const minKm = Math.min(...feasible0.map((c) => c.route.distance_km));
		for (const [i, c] of base0.corridors.entries()) {
			if (c.feasible) {
				assert.equal(rows[i].km, nf0.format(c.route.distance_km), `${c.id} km`);
				assert.equal(rows[i].bestKm, c.route.distance_km === minKm, `${c.id} best km highlighted`);
			} else {
				assert.ok(rows[i].text.includes(c.reason), `${c.id} shows its reason`);
			}
		}
		assert.ok(feasible0.length >= 5, 'at least five corridors have a route');
		assert.match(await page.innerText('#title'), /Mumbai.*Moscow/);
	});
	if (!okTable) throw new Error('no table: the rest of the test cannot run');

	const selected = base0.corridors.find((c) => c.id === 'best');
	if (hasMap) {
		await check('route lines drawn (Leaflet SVG paths of class route)', async () => {
			await page.waitForFunction(() => document.querySelectorAll('#map path.route').length > 0);
			const legs = selected.route.legs.filter((l) => Array.isArray(l.geometry_index)).length;
			assert.equal(await page.locator('#map path.route-leg').count(), legs, 'one path per leg of the selected route');
			assert.equal(await page.locator('#map path.route-alt').count(), feasible0.length - 1, 'one dashed path per other corridor');
			for (const mode of new Set(selected.route.legs.map((l) => l.mode)))
				assert.ok(await page.locator(`#map path.route-leg.mode-${mode}`).count() > 0, `a ${mode} leg`);
			const d = await page.getAttribute('#map path.route-leg', 'd');
			assert.ok(d && d.length > 20, 'the path has geometry');
			assert.equal(await page.locator('#map .pt-origin').count(), 1);
			assert.equal(await page.locator('#map .pt-destination').count(), 1);
			const passages = selected.route.points.filter((p) => p.kind === 'passage').length;
			assert.equal(await page.locator('#map .pt-passage').count(), passages);
			assert.ok(await page.locator('#legend').isVisible(), 'the legend');
		});
		await check('selecting a row redraws the map in that corridor', async () => {
			const other = feasible0.find((c) => c.id !== 'best' && c.route.legs.length !== selected.route.legs.length) ||
				feasible0.find((c) => c.id !== 'best');
			await page.click(`#corridor-table tr[data-id="${other.id}"] button.cid`);
			assert.equal(await page.locator('#map path.route-leg').count(), other.route.legs.length);
			assert.match(await page.innerText('#detail-title'), new RegExp(other.id));
			assert.match(page.url(), new RegExp('sel=' + other.id));
			await page.click('#corridor-table tr[data-id="best"] button.cid');
			assert.equal(await page.locator('#map path.route-leg').count(), selected.route.legs.length);
		});
	} else {
		await check('without the vendor files the page says the map is unavailable', async () => {
			assert.match(await page.innerText('#map-note'), /Map unavailable/);
		});
	}

	await check('claims with verdicts', async () => {
		assert.ok(base0.claims.length > 0, 'Mumbai-Moscow has published claims');
		assert.equal(await page.locator('#claims .claim').count(), base0.claims.length);
		const verdicts = await page.$$eval('#claims .claim .verdict', (v) => v.map((x) => x.textContent));
		assert.deepEqual(verdicts, base0.claims.map((k) => k.verdict));
	});
	await check('bar charts: four, one bar per feasible corridor, the best highlighted', async () => {
		assert.equal(await page.locator('#charts svg').count(), 4);
		assert.equal(await page.locator('#charts rect.bar').count(), 4 * feasible0.length);
		assert.ok(await page.locator('#charts rect.bar.best').count() >= 4);
	});
	await check('route legs table', async () => {
		await page.click('#corridor-table tr[data-id="best"] button.cid');
		assert.equal(await page.locator('#detail table.legs tbody tr').count(), selected.route.legs.length);
	});
	const shot = async (name) => {
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: path.join(artifacts, name), fullPage: true });
	};
	await shot('page.png');

	const scn0 = await apiJSON(`api/v1/compare?from=${encodeURIComponent(fromId)}&to=${encodeURIComponent(toId)}&scenario=suez-closed`);
	let tableText = '';
	await check('the suez-closed toggle re-runs the comparison: suez becomes infeasible', async () => {
		assert.equal((await tableRows()).find((r) => r.id === 'suez').infeasible, false);
		await page.check('#scenario-list input[value="suez-closed"]');
		await page.waitForFunction(() => {
			const tr = document.querySelector('#corridor-table tr[data-id="suez"]');
			return tr && tr.classList.contains('infeasible');
		});
		await waitCompared();
		const rows = await tableRows();
		assert.deepEqual(rows.map((r) => r.id), scn0.corridors.map((c) => c.id));
		assert.deepEqual(rows.map((r) => r.infeasible), scn0.corridors.map((c) => !c.feasible));
		const suez = scn0.corridors.find((c) => c.id === 'suez');
		assert.equal(suez.feasible, false);
		assert.ok(rows.find((r) => r.id === 'suez').text.includes(suez.reason));
		assert.match(await page.innerText('#subtitle'), /suez-closed/);
		tableText = await page.innerText('#corridor-table');
	});
	await shot('page-suez-closed.png');

	await check('the URL holds the state and reloading it reproduces the table', async () => {
		const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
		assert.equal(hash.get('from'), fromId);
		assert.equal(hash.get('to'), toId);
		assert.deepEqual(hash.getAll('scenario'), ['suez-closed']);
		const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		fresh.on('pageerror', (e) => pageErrors.push(e.message));
		await fresh.goto(page.url());
		await fresh.waitForFunction(() => /compared in/.test(document.querySelector('#status').textContent));
		await fresh.waitForFunction(() => document.querySelectorAll('#scenario-list input:checked').length === 1);
		assert.equal(await fresh.innerText('#corridor-table'), tableText);
		assert.ok(await fresh.isChecked('#scenario-list input[value="suez-closed"]'));
		assert.equal(await fresh.inputValue('#from'), await page.inputValue('#from'));
		await fresh.close();
		await page.reload();
		await waitCompared();
		assert.equal(await page.innerText('#corridor-table'), tableText);
	});

	await check('export links: GeoJSON, CSV, HTML report of the same query', async () => {
		const href = async (id) => new URL(await page.getAttribute(id, 'href'), page.url());
		const gj = await href('#exp-geojson'), csv = await href('#exp-csv'), html = await href('#exp-html');
		for (const [u, format] of [[gj, 'geojson'], [csv, 'csv'], [html, 'html']]) {
			assert.equal(u.pathname, '/api/v1/compare');
			assert.equal(u.searchParams.get('format'), format);
			assert.equal(u.searchParams.get('from'), fromId);
			assert.equal(u.searchParams.get('to'), toId);
			assert.deepEqual(u.searchParams.getAll('scenario'), ['suez-closed']);
		}
		assert.ok((await page.getAttribute('#exp-geojson', 'download')).endsWith('.geojson'));
		assert.ok((await page.getAttribute('#exp-csv', 'download')).endsWith('.csv'));
		const g = await api(gj.pathname + gj.search);
		assert.equal(g.status, 200);
		const fc = JSON.parse(g.text);
		assert.equal(fc.type, 'FeatureCollection');
		assert.ok(fc.features.length > 0);
		const c = await api(csv.pathname + csv.search);
		assert.equal(c.status, 200);
		assert.match(c.type, /text\/csv/);
		const lines = c.text.trim().split('\n');
		assert.ok(lines.length >= scn0.corridors.length + 1, 'a header and a row per corridor');
		for (const k of scn0.corridors) assert.ok(lines.some((l) => l.startsWith(k.id + ',')), `CSV row ${k.id}`);
		const h = await api(html.pathname + html.search);
		assert.equal(h.status, 200);
		assert.match(h.text.slice(0, 200), /<!DOCTYPE html>/i);
	});

	await check('compare against a scenario: differences side by side', async () => {
		const other = 'hormuz-closed';
		const vs = await apiJSON(`api/v1/compare?from=${encodeURIComponent(fromId)}&to=${encodeURIComponent(toId)}&scenario=suez-closed&vs=${other}`);
		await page.selectOption('#vs', other);
		await page.locator('#diff-card').waitFor({ state: 'visible' });
		await waitCompared();
		assert.equal(await page.locator('#diff-table tbody tr').count(), vs.vs.differences.length);
		assert.ok(await page.locator('#sides').isVisible());
		assert.match(page.url(), new RegExp('vs=' + other));
		await page.click('#sides .seg[data-side="vs"]');
		const rows = await tableRows();
		assert.deepEqual(rows.map((r) => r.infeasible), vs.vs.corridors.map((c) => !c.feasible));
		assert.match(page.url(), /side=vs/);
		assert.equal(await page.locator('#charts rect.bar.vs').count() > 0, true);
		await page.selectOption('#vs', '');
		await waitCompared();
		assert.ok(await page.locator('#diff-card').isHidden());
	});

	await check('an unknown place shows the API\'s error message', async () => {
		const expected = await apiJSON(`api/v1/compare?from=Xyzzy&to=${encodeURIComponent(toId)}`);
		assert.ok(expected.message);
		await page.fill('#from', 'Xyzzy');
		await page.keyboard.press('Escape');
		await page.click('#run');
		await page.locator('#error').waitFor({ state: 'visible' });
		assert.ok((await page.innerText('#error')).includes(expected.message), await page.innerText('#error'));
		assert.equal(await page.getAttribute('#from', 'aria-invalid'), 'true');
	});

	await check('narrow screen: one column, no horizontal scrolling', async () => {
		const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
		narrow.on('pageerror', (e) => pageErrors.push(e.message));
		await narrow.goto(`${base}#from=${encodeURIComponent(fromId)}&to=${encodeURIComponent(toId)}`);
		await narrow.waitForFunction(() => /compared in/.test(document.querySelector('#status').textContent));
		const [sw, iw] = await narrow.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
		assert.ok(sw <= iw + 1, `page ${sw} px wide in a ${iw} px window`);
		const panel = await narrow.locator('.panel').boundingBox(), map = await narrow.locator('.mapwrap').boundingBox();
		assert.ok(map.y >= panel.y + panel.height - 1, 'the map is under the panel');
		await narrow.screenshot({ path: path.join(artifacts, 'page-narrow.png'), fullPage: false });
		await narrow.close();
	});

	await check('no script errors and no failed requests', async () => {
		assert.deepEqual(pageErrors, []);
		assert.deepEqual(badResponses, []);
	});
} catch (e) {
	failed++;
	console.log(`FAIL ${String(e && e.stack ? e.stack : e).replace(/\s+/g, ' ').slice(0, 700)}`);
} finally {
	if (browser) await browser.close().catch(() => {});
	const how = await stopServer();
	if (how) {
		await check('the server stops cleanly on SIGTERM', async () => {
			assert.deepEqual(how, { code: 0, signal: null });
			assert.doesNotMatch(serverErr, /Sanitizer|runtime error/, serverErr.slice(0, 400));
		});
	}
}
console.log(`${passed} passed, ${failed} failed; screenshots in ${artifacts}`);
process.exit(failed ? 1 : 0);
