// The page of `meridian serve`: asks /api/v1 for a corridor comparison and shows it as a map,
// a table, bar charts, the published claims and the route of the selected corridor.
//
// The state lives in the URL's fragment, with the API's own parameter names (from, to, by, teu or
// tonnes, vot, modes, planned, avoid, sea_speed, scenario (repeated, in order), vs) plus sel (the
// selected corridor) and side (base or vs): a link reproduces the view. Every text that comes
// from the server reaches the page as text (textContent, or esc() for Leaflet's tooltips).
'use strict';

(function () {
	const API = 'api/v1/';
	const MODES = ['sea', 'ferry', 'rail', 'road', 'iww'];
	const MODE_NAME = {sea: 'sea', ferry: 'ferry', rail: 'rail', road: 'road', iww: 'inland waterway'};
	const MODE_COLOUR = {sea: '#1f6fb4', ferry: '#0f9d9a', rail: '#c2362f', road: '#e38b16', iww: '#7b4fb0'};
	const ALT_COLOUR = '#6f7f92';
	const MAX_SCENARIOS = 8;
	const DEFAULT_VOT = 10;
	const OBJECTIVE_NAME = {generalized: 'generalized cost', cost: 'cost', time: 'time', distance: 'distance', co2e: 'CO2e'};
	const OBJECTIVE_METRIC = {distance: 'distance', time: 'duration', cost: 'cost', co2e: 'co2e'};

	const nf0 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
	const nf1 = new Intl.NumberFormat('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1});
	const nf2 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 2});
	const MINUS = '\u2212';

	// The four figures of a route, as the table, the charts and the differences show them.
	const METRICS = [
		{key: 'distance', field: 'distance_km', label: 'Distance', unit: 'km', show: (v) => nf0.format(v)},
		{key: 'duration', field: 'duration_h', label: 'Time', unit: 'days', show: (v) => nf1.format(v / 24)},
		{key: 'cost', field: 'cost_usd', label: 'Cost', unit: 'USD', show: (v) => nf0.format(v)},
		{key: 'co2e', field: 'co2e_kg', label: 'CO2e', unit: 'kg', show: (v) => nf0.format(v)},
	];

	const $ = (id) => document.getElementById(id);

	// el('td', {class: 'num'}, 'text', node, ...): an element; strings become text nodes.
	function el(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		if (attrs) {
			for (const [k, v] of Object.entries(attrs)) {
				if (v === undefined || v === null || v === false) continue;
				if (k === 'class') e.className = v;
				else if (k === 'text') e.textContent = v;
				else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
				else e.setAttribute(k, v === true ? '' : v);
			}
		}
		for (const kid of kids.flat(Infinity)) {
			if (kid === undefined || kid === null || kid === false) continue;
			e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
		}
		return e;
	}
	const SVGNS = 'http://www.w3.org/2000/svg';
	function svg(tag, attrs, ...kids) {
		const e = document.createElementNS(SVGNS, tag);
		for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
		for (const kid of kids.flat(Infinity)) if (kid !== undefined && kid !== null) e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
		return e;
	}
	function esc(s) {
		return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
	}
	function signed(v, fmt) {
		if (v > 0) return '+' + fmt(v);
		if (v < 0) return MINUS + fmt(-v);
		return fmt(0);
	}
	function days(h) { return nf1.format(h / 24); }

	const state = {
		scenarios: [],     // [{id, description, statements}] from /api/v1/scenarios
		checked: [],       // scenario ids, in the order they apply
		result: null,      // the last /api/v1/compare answer
		query: null,       // the query that produced it
		side: 'base',      // 'base' or 'vs' (with a `vs` scenario)
		selected: null,    // the corridor drawn in mode colours
		controller: null,  // AbortController of the request in flight
		written: '',       // the fragment this page wrote last (to ignore its own hashchange)
		fitPending: false, // fit the map to the routes at the next draw
	};

	/* ---------------------------------------------------------------- form and URL state */

	function placeParam(input) {
		const v = input.value.trim();
		if (input.dataset.id && input.dataset.name === input.value) return input.dataset.id;
		return v;
	}

	function readForm() {
		const modes = [...document.querySelectorAll('input[name=mode]:checked')].map((i) => i.value);
		return {
			from: placeParam($('from')),
			to: placeParam($('to')),
			by: $('by').value,
			amount: $('amount').value.trim(),
			unit: $('unit').value,
			vot: $('vot').value.trim(),
			modes,
			planned: $('planned').checked,
			avoid: $('avoid').value.trim().replace(/\s*,\s*/g, ','),
			sea_speed: $('sea_speed').value.trim(),
			scenario: state.checked.slice(),
			vs: $('vs').value,
		};
	}

	// The API's parameters for a query (defaults left out, so links stay short).
	function apiParams(q) {
		const p = new URLSearchParams();
		p.set('from', q.from);
		p.set('to', q.to);
		if (q.by && q.by !== 'generalized') p.set('by', q.by);
		if (q.amount !== '' && !(q.unit === 'teu' && Number(q.amount) === 1)) p.set(q.unit, q.amount);
		if (q.vot !== '' && Number(q.vot) !== DEFAULT_VOT) p.set('vot', q.vot);
		if (q.modes.length && q.modes.length < MODES.length) p.set('modes', q.modes.join(','));
		if (q.planned) p.set('planned', 'true');
		if (q.avoid) p.set('avoid', q.avoid);
		if (q.sea_speed !== '') p.set('sea_speed', q.sea_speed);
		for (const s of q.scenario) p.append('scenario', s);
		if (q.vs) p.set('vs', q.vs);
		return p;
	}

	function writeHash(push) {
		if (!state.query) return;
		const p = apiParams(state.query);
		if (state.selected) p.set('sel', state.selected);
		if (state.side === 'vs') p.set('side', 'vs');
		const h = '#' + p.toString();
		if (h === location.hash) return;
		state.written = h;
		if (push) history.pushState(null, '', h);
		else history.replaceState(null, '', h);
	}

	// Fills the form from the fragment; answers whether it names a query to run.
	function applyHash() {
		const p = new URLSearchParams(location.hash.replace(/^#/, ''));
		const set = (id, v) => { $(id).value = v; };
		for (const id of ['from', 'to']) {
			const input = $(id);
			input.value = p.get(id) || '';
			delete input.dataset.id;
			delete input.dataset.name;
			input.removeAttribute('aria-invalid');
		}
		set('by', ['generalized', 'cost', 'time', 'distance', 'co2e'].includes(p.get('by')) ? p.get('by') : 'generalized');
		if (p.has('tonnes')) { set('unit', 'tonnes'); set('amount', p.get('tonnes')); }
		else { set('unit', 'teu'); set('amount', p.get('teu') || '1'); }
		set('vot', p.get('vot') || String(DEFAULT_VOT));
		const modes = p.has('modes') ? p.get('modes').split(',') : MODES;
		for (const i of document.querySelectorAll('input[name=mode]')) i.checked = modes.includes(i.value);
		$('planned').checked = p.get('planned') === 'true';
		set('avoid', p.get('avoid') || '');
		set('sea_speed', p.get('sea_speed') || '');
		if (p.has('modes') || p.has('planned') || p.has('avoid') || p.has('sea_speed')) $('more').open = true;
		state.checked = p.getAll('scenario').flatMap((s) => s.split(',')).filter(Boolean);
		ensureVsOption(p.get('vs') || '');
		set('vs', p.get('vs') || '');
		state.selected = p.get('sel') || null;
		state.side = p.get('side') === 'vs' ? 'vs' : 'base';
		renderScenarioList();
		return $('from').value.trim() !== '' && $('to').value.trim() !== '';
	}

	/* ---------------------------------------------------------------- requests */

	async function getJSON(url, signal) {
		let res;
		try {
			res = await fetch(url, {signal, headers: {Accept: 'application/json'}});
		} catch (e) {
			if (e.name === 'AbortError') throw e;
			throw {code: 'Unreachable', message: 'The Meridian server did not answer (' + e.message + ').'};
		}
		let body = null;
		const text = await res.text();
		try { body = JSON.parse(text); } catch (e) { body = null; }
		if (!res.ok) {
			if (body && body.message) throw {code: body.code || String(res.status), message: body.message, parameter: body.parameter};
			throw {code: String(res.status), message: 'The server answered ' + res.status + ' ' + res.statusText + '.'};
		}
		if (body === null) throw {code: 'BadResponse', message: 'The server did not answer JSON.'};
		return body;
	}

	function setStatus(text, busy) {
		const s = $('status');
		s.textContent = text || '';
		s.classList.toggle('busy', !!busy);
		$('results').setAttribute('aria-busy', busy ? 'true' : 'false');
	}

	function showError(err) {
		const box = $('error');
		box.replaceChildren();
		if (!err) { box.hidden = true; return; }
		box.append(el('span', {class: 'code'}, err.code || 'Error'), err.message || String(err));
		box.hidden = false;
		for (const id of ['from', 'to']) {
			if (err.parameter === id || (!err.parameter && err.code === 'NotFound' && new RegExp('\\b' + id.toUpperCase() + '\\b').test(err.message)))
				$(id).setAttribute('aria-invalid', 'true');
		}
	}

	async function run(push) {
		const q = readForm();
		showError(null);
		let missing = null;
		for (const id of ['to', 'from']) {
			if (!q[id]) { $(id).setAttribute('aria-invalid', 'true'); missing = id; }
		}
		if (missing) {
			showError({code: 'Missing', message: 'Enter ' + (missing === 'from' ? 'an origin (From)' : 'a destination (To)') + '.'});
			$(missing).focus();
			return;
		}
		if (q.amount !== '' && !(Number(q.amount) > 0)) {
			$('amount').setAttribute('aria-invalid', 'true');
			showError({code: 'InvalidValue', message: 'The cargo amount must be a positive number.'});
			return;
		}
		$('amount').removeAttribute('aria-invalid');
		if (state.controller) state.controller.abort();
		const controller = new AbortController();
		state.controller = controller;
		$('run').disabled = true;
		setStatus('Comparing corridors from ' + $('from').value.trim() + ' to ' + $('to').value.trim() + '\u2026', true);
		const started = performance.now();
		try {
			const data = await getJSON(API + 'compare?' + apiParams(q).toString(), controller.signal);
			const ms = Math.round(performance.now() - started);
			if (state.controller !== controller) return;
			const prev = state.result;
			state.result = data;
			state.query = q;
			// Places as the server resolved them: the name shown, the id sent from now on.
			for (const id of ['from', 'to']) {
				const input = $(id), place = data[id];
				if (place && place.id) {
					input.value = place.name || place.id;
					input.dataset.id = place.id;
					input.dataset.name = input.value;
					q[id] = place.id;
				}
				input.removeAttribute('aria-invalid');
			}
			if (!data.vs) state.side = 'base';
			const samePair = prev && prev.from && prev.to && data.from && data.to && prev.from.id === data.from.id && prev.to.id === data.to.id;
			state.fitPending = !samePair;
			const corridors = sideCorridors();
			if (!corridors.some((c) => c.id === state.selected && c.feasible)) state.selected = defaultSelection(corridors);
			render();
			writeHash(push);
			setStatus(corridors.length + ' corridors compared in ' + ms + ' ms.', false);
		} catch (err) {
			if (err && err.name === 'AbortError') return;
			if (state.controller !== controller) return;
			setStatus('', false);
			showError(err);
		} finally {
			if (state.controller === controller) {
				state.controller = null;
				$('run').disabled = false;
			}
		}
	}

	/* ---------------------------------------------------------------- results */

	function sideCorridors() {
		const r = state.result;
		if (!r) return [];
		return state.side === 'vs' && r.vs ? r.vs.corridors : r.corridors;
	}

	// The corridor to draw first: the one that wins the objective (normally "best").
	function defaultSelection(corridors) {
		const ok = corridors.filter((c) => c.feasible && c.route);
		if (!ok.length) return null;
		const best = ok.find((c) => c.id === 'best');
		if (best) return best.id;
		return ok.reduce((a, b) => (b.route.objective_value < a.route.objective_value ? b : a)).id;
	}

	function render() {
		const r = state.result;
		$('intro').hidden = true;
		$('output').hidden = false;
		renderSummary(r);
		renderSides(r);
		renderTable();
		renderDiff(r);
		renderClaims(r);
		renderCharts();
		renderDetail();
		drawMap();
		updateExports();
	}

	function placeLabel(p) {
		const bits = [p.unlocode || p.id, p.country].filter(Boolean);
		return bits.length ? p.name + ' (' + bits.join(', ') + ')' : p.name;
	}

	function renderSummary(r) {
		$('title').textContent = (r.from.name || r.from.id) + ' \u2192 ' + (r.to.name || r.to.id);
		const o = r.options || {};
		const sub = $('subtitle');
		sub.replaceChildren();
		const teu = o.teu || 1;
		const amount = state.query.unit === 'tonnes' && state.query.amount
			? nf2.format(Number(state.query.amount)) + ' t (' + nf2.format(teu) + ' TEU)'
			: nf2.format(teu) + ' TEU';
		sub.append(placeLabel(r.from) + ' to ' + placeLabel(r.to) + ' \u00b7 by ' + (OBJECTIVE_NAME[o.objective] || o.objective) +
			' \u00b7 ' + amount + ' \u00b7 value of time USD ' + nf2.format(o.vot_usd_per_h) + ' per TEU-hour' +
			(o.sea_speed_kn ? ' \u00b7 sea ' + nf2.format(o.sea_speed_kn) + ' kn' : '') +
			(o.planned_links ? ' \u00b7 planned links' : '') +
			(o.avoid && o.avoid.length ? ' \u00b7 avoiding ' + o.avoid.join(', ') : ''));
		const scn = r.scenarios || [];
		if (scn.length) {
			sub.append(el('br'), 'Scenarios: ');
			for (const s of scn) {
				sub.append(el('span', {class: 'chip scn' + (s.applies_to === 'vs' ? ' vs' : ''), title: s.description},
					(s.applies_to === 'vs' ? 'vs ' : '') + s.id));
			}
		}
	}

	function renderSides(r) {
		const box = $('sides');
		box.hidden = !r.vs;
		if (!r.vs) return;
		for (const b of box.querySelectorAll('.seg')) {
			b.setAttribute('aria-pressed', String(b.dataset.side === state.side));
			if (b.dataset.side === 'vs') b.textContent = 'With ' + r.vs.scenario;
		}
	}

	// Lowest value of each metric over the feasible corridors.
	function bests(corridors) {
		const b = {};
		for (const m of METRICS) {
			let v = Infinity;
			for (const c of corridors) if (c.feasible && c.route) v = Math.min(v, c.route[m.field]);
			b[m.key] = v;
		}
		let g = Infinity;
		for (const c of corridors) if (c.feasible && c.route) g = Math.min(g, c.route.objective_value);
		b.objective = g;
		return b;
	}
	const isBest = (v, b) => Number.isFinite(b) && Math.abs(v - b) <= 1e-9 * Math.max(1, Math.abs(b));

	function legModes(route) {
		const out = [];
		for (const leg of route.legs || []) {
			const name = leg.mode + (leg.mode === 'rail' && leg.gauge_mm ? ' ' + leg.gauge_mm : '');
			if (!out.length || out[out.length - 1].name !== name) out.push({mode: leg.mode, name});
		}
		return out;
	}

	function renderTable() {
		const corridors = sideCorridors();
		const b = bests(corridors);
		const objective = (state.result.options || {}).objective || 'generalized';
		const showGen = objective === 'generalized';
		const table = $('corridor-table');
		table.replaceChildren();
		const objMetric = OBJECTIVE_METRIC[objective];
		const head = el('tr', null,
			el('th', {scope: 'col'}, 'Corridor'),
			el('th', {scope: 'col'}, 'Modes'),
			el('th', {scope: 'col'}, 'Via'),
			METRICS.map((m) => el('th', {scope: 'col', class: 'num' + (objMetric === m.key ? ' objective' : ''),
				title: objMetric === m.key ? 'the objective' : null}, m.label, el('span', {class: 'unit'}, m.unit))),
			showGen ? el('th', {scope: 'col', class: 'num objective', title: 'the objective: USD + value of time x hours'},
				'Gen. cost', el('span', {class: 'unit'}, 'USD')) : null,
			el('th', {scope: 'col', class: 'num'}, 'Trans\u00adfers'));
		table.append(el('thead', null, head));
		const body = el('tbody');
		const ncols = 3 + METRICS.length + (showGen ? 1 : 0) + 1;
		for (const c of corridors) {
			const name = el('span', {class: 'cname'}, c.name || '');
			if (!c.feasible || !c.route) {
				body.append(el('tr', {class: 'corridor infeasible', 'data-id': c.id},
					el('td', null, el('span', {class: 'cid'}, c.id), ' ', el('span', {class: 'badge nr'}, 'no route'), name),
					el('td', {class: 'reason', colspan: ncols - 1}, c.reason || 'No route fits this corridor.')));
				continue;
			}
			const r = c.route;
			const sel = c.id === state.selected;
			const tr = el('tr', {class: 'corridor' + (sel ? ' selected' : ''), 'data-id': c.id});
			const btn = el('button', {type: 'button', class: 'cid', 'aria-pressed': String(sel),
				title: 'Draw this route on the map'}, c.id);
			btn.addEventListener('click', (e) => { e.stopPropagation(); select(c.id); });
			const first = el('td', null, btn);
			if (isBest(r.objective_value, b.objective)) first.append(' ', el('span', {class: 'badge best', title: 'best by ' + (OBJECTIVE_NAME[objective] || objective)}, 'best'));
			first.append(name);
			tr.append(first);
			tr.append(el('td', {class: 'modes'}, legModes(r).map((m) => el('span', {class: 'chip ' + m.mode}, m.name))));
			const via = [];
			if (r.passages && r.passages.length) via.push(r.passages.join(', '));
			if (r.borders && r.borders.length) via.push(r.borders.length + (r.borders.length === 1 ? ' border' : ' borders'));
			if (r.countries && r.countries.length) via.push(r.countries.join(' '));
			tr.append(el('td', {class: 'via', title: (r.borders || []).join('; ')}, via.join(' \u00b7 ')));
			for (const m of METRICS) {
				const v = r[m.field];
				const best = isBest(v, b[m.key]);
				const ratio = c.ratio_to_best && c.ratio_to_best[m.key] !== undefined ? c.ratio_to_best[m.key] : v / b[m.key];
				tr.append(el('td', {class: 'num ' + m.key + (best ? ' best' : ''), 'data-value': v},
					el('span', {class: 'v'}, m.show(v)),
					el('span', {class: 'ratio'}, best ? 'best' : '\u00d7' + nf2.format(ratio))));
			}
			if (showGen) {
				const v = r.objective_value, best = isBest(v, b.objective);
				tr.append(el('td', {class: 'num objective' + (best ? ' best' : '')},
					el('span', {class: 'v'}, nf0.format(v)),
					el('span', {class: 'ratio'}, best ? 'best' : '\u00d7' + nf2.format(v / b.objective))));
			}
			tr.append(el('td', {class: 'num'}, String(r.transfers),
				r.gauge_breaks ? el('span', {class: 'ratio'}, r.gauge_breaks + ' gauge') : null));
			tr.addEventListener('click', () => select(c.id));
			body.append(tr);
		}
		table.append(body);
		const o = state.result.options || {};
		table.append(el('caption', {class: 'hint', style: 'caption-side:bottom;text-align:left;padding-top:4px'},
			'Figures for ' + nf2.format(o.teu || 1) + ' TEU; ratios to the best corridor of each column. ' +
			(state.side === 'vs' && state.result.vs ? 'Showing the side with ' + state.result.vs.scenario + '.' : '')));
	}

	function renderDiff(r) {
		const card = $('diff-card');
		if (!r.vs) { card.hidden = true; return; }
		card.hidden = false;
		$('diff-title').textContent = 'Baseline against ' + r.vs.scenario;
		const table = $('diff-table');
		table.replaceChildren();
		table.append(el('thead', null, el('tr', null,
			el('th', {scope: 'col'}, 'Corridor'),
			METRICS.map((m) => el('th', {scope: 'col', class: 'num'}, m.label, el('span', {class: 'unit'}, m.unit))),
			el('th', {scope: 'col'}, 'Change'))));
		const base = new Map(r.corridors.map((c) => [c.id, c]));
		const vs = new Map(r.vs.corridors.map((c) => [c.id, c]));
		const body = el('tbody');
		for (const d of r.vs.differences || []) {
			const a = base.get(d.id), z = vs.get(d.id);
			const tr = el('tr', {'data-id': d.id}, el('td', null, el('span', {class: 'cid'}, d.id)));
			if (d.feasible_base && d.feasible_scenario) {
				let worse = 0, better = 0;
				for (const m of METRICS) {
					const delta = d[m.field], pct = d[m.field + '_pct'];
					const cls = delta > 1e-9 ? 'up' : delta < -1e-9 ? 'down' : '';
					if (cls === 'up') worse++;
					if (cls === 'down') better++;
					const dshow = m.key === 'duration' ? (v) => nf1.format(v / 24) : (v) => nf0.format(v);
					tr.append(el('td', {class: 'num'},
						m.show(a.route[m.field]) + ' \u2192 ' + m.show(z.route[m.field]),
						el('span', {class: 'delta ' + cls}, signed(delta, dshow) + (pct !== undefined ? ' (' + signed(pct, (v) => nf1.format(v)) + ' %)' : ''))));
				}
				tr.append(el('td', null, worse && !better ? 'worse' : better && !worse ? 'better' : worse || better ? 'mixed' : 'unchanged'));
			} else if (d.feasible_base) {
				tr.append(el('td', {class: 'gone', colspan: METRICS.length}, 'No route with the scenario: ' + ((z && z.reason) || '')));
				tr.append(el('td', {class: 'gone'}, 'becomes infeasible'));
			} else if (d.feasible_scenario) {
				tr.append(el('td', {class: 'num down', colspan: METRICS.length},
					METRICS.map((m) => m.label + ' ' + m.show(z.route[m.field]) + ' ' + m.unit).join(' \u00b7 ')));
				tr.append(el('td', {class: 'down'}, 'becomes feasible'));
			} else {
				tr.append(el('td', {class: 'via', colspan: METRICS.length}, 'No route on either side: ' + ((a && a.reason) || '')));
				tr.append(el('td', null, 'infeasible'));
			}
			body.append(tr);
		}
		table.append(body);
	}

	const FIGURE_UNIT = {km: 'km', days: 'days', usd: 'USD', kg_co2e: 'kg CO2e'};
	function figure(v, unit) {
		if (v === null || v === undefined) return null;
		return (unit === 'USD' ? 'USD ' + nf0.format(v) : nf0.format(v) + ' ' + unit);
	}
	function claimed(v, range, unit) {
		if (v !== null && v !== undefined) return figure(v, unit);
		if (range && range.length === 2) return (unit === 'USD' ? 'USD ' : '') + nf0.format(range[0]) + '\u2013' + nf0.format(range[1]) + (unit === 'USD' ? '' : ' ' + unit);
		return null;
	}

	function renderClaims(r) {
		const box = $('claims');
		box.replaceChildren();
		const claims = r.claims || [];
		$('claims-card').hidden = claims.length === 0;
		if (state.side === 'vs' && claims.length)
			box.append(el('p', {class: 'hint'}, 'The claims are checked against the baseline.'));
		for (const k of claims) {
			const unit = FIGURE_UNIT[k.figure] || k.figure || '';
			const cls = k.verdict === 'confirmed' ? 'confirmed' : k.verdict === 'not confirmed' ? 'not-confirmed' : 'untestable';
			const corridorLink = (id) => el('button', {type: 'button', class: 'link', title: 'Draw ' + id + ' on the map',
				onclick: () => { state.side = 'base'; renderSides(r); select(id); }}, id);
			const figs = el('div', {class: 'figs'});
			const cl = claimed(k.claimed, k.claimed_range, unit);
			const clb = claimed(k.claimed_baseline, k.claimed_baseline_range, unit);
			const claimedRatio = k.claimed_ratio !== null && k.claimed_ratio !== undefined ? k.claimed_ratio
				: (k.claimed && k.claimed_baseline ? k.claimed / k.claimed_baseline : null);
			if (cl || clb) {
				figs.append(el('span', null, 'Claimed: ',
					el('b', null, cl || '\u2014'), k.corridor ? [' (', corridorLink(k.corridor), ')'] : null,
					k.baseline ? [' against ', el('b', null, clb || '\u2014'), ' (', corridorLink(k.baseline), ')'] : null,
					claimedRatio !== null ? ', ratio ' + nf2.format(claimedRatio) : ''));
			} else if (claimedRatio !== null) {
				figs.append(el('span', null, 'Claimed: ratio ', el('b', null, nf2.format(claimedRatio)),
					k.corridor ? [' (', corridorLink(k.corridor), k.baseline ? [' / ', corridorLink(k.baseline)] : null, ')'] : null));
			}
			figs.append(el('span', null, 'Model: ',
				el('b', null, figure(k.model, unit) || '\u2014'),
				k.baseline ? [' against ', el('b', null, figure(k.model_baseline, unit) || '\u2014')] : null,
				k.model_ratio !== null && k.model_ratio !== undefined ? ', ratio ' + nf2.format(k.model_ratio) : ''));
			if (k.tolerance !== undefined) figs.append(el('span', {class: 'hint'}, 'tolerance \u00b1' + nf0.format(k.tolerance * 100) + ' %'));
			box.append(el('article', {class: 'claim ' + cls, 'data-id': k.id},
				el('div', null, el('span', {class: 'verdict'}, k.verdict || '?'), el('q', null, k.claim || k.id)),
				figs,
				k.why ? el('p', {class: 'why'}, k.why) : null,
				k.source ? el('p', {class: 'src'}, 'Source: ' + k.source) : null));
		}
	}

	// Horizontal bar charts, one per metric; with a `vs` scenario, two bars per corridor.
	function renderCharts() {
		const r = state.result;
		const box = $('charts');
		box.replaceChildren();
		const paired = !!r.vs;
		const base = r.corridors, other = paired ? new Map(r.vs.corridors.map((c) => [c.id, c])) : null;
		const rows = base.filter((c) => (c.feasible && c.route) || (paired && other.get(c.id) && other.get(c.id).feasible));
		if (!rows.length) { box.append(el('p', {class: 'hint'}, 'No corridor has a route.')); return; }
		if (paired) {
			box.append(el('div', {class: 'chart-key', style: 'grid-column:1/-1'},
				el('span', {class: 'key', style: 'background:#8aa7c4;margin-left:0'}), 'baseline',
				el('span', {class: 'key', style: 'background:#e3a05a'}), 'with ' + r.vs.scenario,
				el('span', {class: 'key', style: 'background:#2e9d5b'}), 'best of the chart'));
		}
		const W = 460, LABEL = 128, VALW = 64, BAR = 13, GAP = 7;
		for (const m of METRICS) {
			const val = (c) => (c && c.feasible && c.route ? c.route[m.field] : null);
			const values = [];
			for (const c of rows) {
				values.push(val(c));
				if (paired) values.push(val(other.get(c.id)));
			}
			const finite = values.filter((v) => v !== null);
			const max = Math.max(...finite), min = Math.min(...finite);
			const per = paired ? 2 * BAR + 2 : BAR;
			const H = rows.length * (per + GAP) + 4;
			const scale = (W - LABEL - VALW) / (max || 1);
			const g = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', preserveAspectRatio: 'xMinYMin meet',
				'aria-label': m.label + ' by corridor, in ' + m.unit + '; lowest ' + m.show(min)});
			let y = 2;
			for (const c of rows) {
				g.append(svg('text', {x: LABEL - 6, y: y + per / 2 + 4, 'text-anchor': 'end', class: 'lbl'}, c.id));
				const sides = paired ? [[val(c), ''], [val(other.get(c.id)), ' vs']] : [[val(c), '']];
				let yy = y;
				for (const [v, k] of sides) {
					if (v !== null) {
						const best = Math.abs(v - min) <= 1e-9 * Math.max(1, min);
						const w = Math.max(1, v * scale);
						const rect = svg('rect', {x: LABEL, y: yy, width: w.toFixed(1), height: BAR, rx: 2,
							class: 'bar' + k + (best ? ' best' : '') + (c.id === state.selected && !k ? ' sel' : ''), 'data-id': c.id});
						rect.append(svg('title', null, c.id + (k ? ' (with ' + r.vs.scenario + ')' : '') + ': ' + m.show(v) + ' ' + m.unit));
						g.append(rect);
						g.append(svg('text', {x: LABEL + w + 4, y: yy + BAR - 2.5, class: 'val'}, m.show(v)));
					} else {
						g.append(svg('text', {x: LABEL + 2, y: yy + BAR - 2.5, class: 'val'}, 'no route'));
					}
					yy += BAR + 2;
				}
				y += per + GAP;
			}
			g.append(svg('line', {x1: LABEL, x2: LABEL, y1: 0, y2: H, class: 'axis'}));
			box.append(el('figure', {class: 'chart', style: 'margin:0'}, el('h4', null, m.label + ' (' + m.unit + ')'), g));
		}
	}

	function splitBar(parts, total) {
		const bar = el('div', {class: 'splitbar', role: 'img',
			'aria-label': parts.map(([name, v]) => name + ' ' + nf0.format(v)).join(', ')});
		for (const [name, v, colour] of parts) {
			if (!(v > 0) || !(total > 0)) continue;
			bar.append(el('i', {style: 'width:' + (100 * v / total).toFixed(2) + '%;background:' + colour, title: name + ': ' + nf1.format(v)}));
		}
		return bar;
	}

	function renderDetail() {
		const box = $('detail');
		box.replaceChildren();
		const c = sideCorridors().find((x) => x.id === state.selected);
		if (!c || !c.route) {
			$('detail-title').textContent = 'Route';
			box.append(el('p', {class: 'hint'}, 'Select a corridor with a route.'));
			return;
		}
		const r = c.route;
		$('detail-title').textContent = 'Route of ' + c.id + (state.side === 'vs' && state.result.vs ? ' (with ' + state.result.vs.scenario + ')' : '');
		const ds = r.duration_split || {}, cs = r.cost_split || {}, es = r.co2e_split || {};
		const fact = (k, v, s, bar) => el('div', {class: 'fact'}, el('div', {class: 'k'}, k), el('div', {class: 'v'}, v), s ? el('div', {class: 's'}, s) : null, bar);
		box.append(el('p', {class: 'sub', style: 'margin:0 0 8px'}, c.name || ''));
		box.append(el('div', {class: 'facts'},
			fact('Distance', nf0.format(r.distance_km) + ' km', r.distance_nm !== undefined ? nf0.format(r.distance_nm) + ' nautical miles' : null),
			fact('Time', days(r.duration_h) + ' days',
				'running ' + nf0.format(ds.running_h || 0) + ' h, waiting ' + nf0.format(ds.waiting_h || 0) + ' h, borders ' + nf0.format(ds.border_h || 0) + ' h, handling ' + nf0.format(ds.handling_h || 0) + ' h',
				splitBar([['running', ds.running_h, '#1f5582'], ['waiting', ds.waiting_h, '#9fb3c8'], ['borders', ds.border_h, '#e3a05a'], ['handling', ds.handling_h, '#7b4fb0']], r.duration_h)),
			fact('Cost', 'USD ' + nf0.format(r.cost_usd),
				'transport ' + nf0.format(cs.transport_usd || 0) + ', tolls ' + nf0.format(cs.tolls_usd || 0) + ', borders ' + nf0.format(cs.border_usd || 0) + ', handling ' + nf0.format(cs.handling_usd || 0),
				splitBar([['transport', cs.transport_usd, '#1f5582'], ['tolls', cs.tolls_usd, '#0f9d9a'], ['borders', cs.border_usd, '#e3a05a'], ['handling', cs.handling_usd, '#7b4fb0']], r.cost_usd)),
			fact('CO2e', nf0.format(r.co2e_kg) + ' kg',
				'tank-to-wheel ' + nf0.format(es.ttw_kg || 0) + ', well-to-tank ' + nf0.format(es.wtt_kg || 0) + ', hubs ' + nf0.format(es.hub_kg || 0),
				splitBar([['tank-to-wheel', es.ttw_kg, '#5d6d7e'], ['well-to-tank', es.wtt_kg, '#9fb3c8'], ['hubs', es.hub_kg, '#e3a05a']], r.co2e_kg)),
			fact('Transfers', String(r.transfers), (r.gauge_breaks || 0) + ' gauge break' + (r.gauge_breaks === 1 ? '' : 's'))));
		const dl = el('dl', {class: 'meta'});
		const add = (k, v) => { if (v) dl.append(el('dt', null, k), el('dd', null, v)); };
		add('Countries', (r.countries || []).join(' \u2192 '));
		add('Passages', (r.passages || []).join(', ') || 'none');
		add('Borders', (r.borders || []).join('; ') || 'none');
		box.append(dl);
		const t = el('table', {class: 'grid legs'});
		t.append(el('thead', null, el('tr', null,
			el('th', {scope: 'col'}, '#'), el('th', {scope: 'col'}, 'Mode'), el('th', {scope: 'col'}, 'From \u2192 to'),
			el('th', {scope: 'col', class: 'num'}, 'km'), el('th', {scope: 'col', class: 'num'}, 'Hours'),
			el('th', {scope: 'col', class: 'num'}, 'USD'), el('th', {scope: 'col', class: 'num'}, 'kg CO2e'),
			el('th', {scope: 'col', class: 'num'}, 'Of which handling'), el('th', {scope: 'col', class: 'num'}, 'Waiting, borders'))));
		const tb = el('tbody');
		(r.legs || []).forEach((leg, i) => {
			tb.append(el('tr', null,
				el('td', null, String(i + 1)),
				el('td', null, el('span', {class: 'chip ' + leg.mode}, leg.mode + (leg.gauge_mm ? ' ' + leg.gauge_mm : ''))),
				el('td', null, (leg.from_name || leg.from) + ' \u2192 ' + (leg.to_name || leg.to)),
				el('td', {class: 'num'}, nf0.format(leg.distance_km)),
				el('td', {class: 'num'}, nf1.format(leg.duration_h)),
				el('td', {class: 'num'}, nf0.format(leg.cost_usd)),
				el('td', {class: 'num'}, nf0.format(leg.co2e_kg)),
				el('td', {class: 'num'}, nf1.format(leg.handling_h || 0) + ' h, USD ' + nf0.format(leg.handling_usd || 0)),
				el('td', {class: 'num'}, nf1.format(leg.waiting_h || 0) + ' h, ' + nf1.format(leg.border_h || 0) + ' h')));
		});
		t.append(tb);
		box.append(el('div', {class: 'tablewrap'}, t));
	}

	// Back to the empty page (the address has no query any more).
	function resetView() {
		if (state.controller) state.controller.abort();
		state.controller = null;
		state.result = null;
		state.query = null;
		$('run').disabled = false;
		$('output').hidden = true;
		$('intro').hidden = false;
		showError(null);
		setStatus('', false);
		if (routeLayer) routeLayer.clearLayers();
	}

	function select(id) {
		const c = sideCorridors().find((x) => x.id === id);
		if (!c || !c.feasible || !c.route) return;
		state.selected = id;
		for (const tr of document.querySelectorAll('#corridor-table tr.corridor')) {
			const on = tr.dataset.id === id;
			tr.classList.toggle('selected', on);
			const b = tr.querySelector('button.cid');
			if (b) b.setAttribute('aria-pressed', String(on));
		}
		for (const rect of document.querySelectorAll('#charts rect.bar')) rect.classList.toggle('sel', rect.dataset.id === id && !rect.classList.contains('vs'));
		renderDetail();
		drawMap();
		writeHash(false);
	}

	function updateExports() {
		const p = apiParams(state.query);
		const base = API + 'compare?' + p.toString();
		const stem = 'meridian-' + (state.result.from.id + '-' + state.result.to.id).replace(/[^A-Za-z0-9_-]+/g, '_');
		$('exp-geojson').href = base + '&format=geojson';
		$('exp-geojson').setAttribute('download', stem + '.geojson');
		$('exp-csv').href = base + '&format=csv';
		$('exp-csv').setAttribute('download', stem + '.csv');
		$('exp-html').href = base + '&format=html';
	}

	/* ---------------------------------------------------------------- map */

	let map = null, svgRenderer = null, routeLayer = null;

	function mapNote(text, corner) {
		const n = $('map-note');
		n.textContent = text;
		n.classList.toggle('corner', !!corner);
		n.hidden = !text;
	}

	function initMap() {
		if (typeof window.L === 'undefined') {
			mapNote('Map unavailable: the map library (Leaflet) is not installed with this server. The comparison below works without it.', false);
			$('legend').hidden = true;
			document.querySelector('.mapwrap').classList.add('nomap');
			return;
		}
		map = L.map('map', {minZoom: 2, maxZoom: 9, zoomSnap: 0.25, worldCopyJump: false, preferCanvas: false})
			.setView([38, 52], 3);
		map.attributionControl.setPrefix(false);
		map.createPane('basemap').style.zIndex = 200;
		const canvas = L.canvas({pane: 'basemap', padding: 0.5});
		svgRenderer = L.svg({padding: 0.5});
		routeLayer = L.layerGroup().addTo(map);
		// Graticule every 15 degrees, under the countries' fill.
		const grat = [];
		for (let lon = -540; lon <= 540; lon += 15) grat.push([[-85, lon], [85, lon]]);
		for (let lat = -75; lat <= 75; lat += 15) grat.push([[lat, -540], [lat, 540]]);
		L.polyline(grat, {renderer: canvas, color: '#c3d4e4', weight: 0.7, interactive: false}).addTo(map);
		if (typeof window.topojson === 'undefined') {
			mapNote('Basemap unavailable (topojson-client not installed): routes are drawn without country outlines.', true);
			return;
		}
		fetch('vendor/world-atlas/countries.json')
			.then((res) => { if (!res.ok) throw new Error(res.status); return res.json(); })
			.then((topo) => {
				const name = Object.keys(topo.objects).includes('countries') ? 'countries' : Object.keys(topo.objects)[0];
				basemap.land = topojson.feature(topo, topo.objects[name]);
				unwrapRings(basemap.land);
				basemap.canvas = canvas;
				addLandCopy(0);
				map.attributionControl.addAttribution('Natural Earth (world-atlas)');
				if (state.result) drawMap();
			})
			.catch(() => mapNote('Basemap unavailable (world-atlas not installed with this server): routes are drawn without country outlines.', true));
	}

	// The country outlines, drawn once at their longitudes and once more 360 degrees east or
	// west when a route crosses the antimeridian (a copy costs as much to draw as the world).
	const basemap = {land: null, canvas: null, copies: new Set()};
	function addLandCopy(shift) {
		if (!basemap.land || basemap.copies.has(shift)) return;
		basemap.copies.add(shift);
		L.geoJSON(basemap.land, {
			renderer: basemap.canvas, color: '#b9b1a1', weight: 0.6, fillColor: '#f6f3ec', fillOpacity: 1, interactive: false,
			coordsToLatLng: (c) => L.latLng(c[1], c[0] + shift),
		}).addTo(map);
	}

	// Rings that cross the antimeridian (Russia's, Fiji's) jump from 180 to -180 degrees and back,
	// which a flat map draws as a band round the world: their longitudes are made continuous.
	function unwrapRings(fc) {
		for (const f of fc.features) {
			const g = f.geometry;
			if (!g) continue;
			const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
			for (const poly of polys) {
				for (const ring of poly) {
					for (let i = 1; i < ring.length; i++) {
						while (ring[i][0] - ring[i - 1][0] > 180) ring[i][0] -= 360;
						while (ring[i][0] - ring[i - 1][0] < -180) ring[i][0] += 360;
					}
				}
			}
		}
	}

	// Longitudes made continuous (no jump of 360 degrees at the antimeridian), as [lat, lon].
	function unwrap(coords) {
		const out = [];
		let prev = null;
		for (const [lon0, lat] of coords) {
			let lon = lon0;
			if (prev !== null) {
				while (lon - prev > 180) lon -= 360;
				while (lon - prev < -180) lon += 360;
			}
			out.push([lat, lon]);
			prev = lon;
		}
		return out;
	}
	function nearLon(lon, ref) {
		while (lon - ref > 180) lon -= 360;
		while (lon - ref < -180) lon += 360;
		return lon;
	}

	const POINT_LABEL = {origin: 'Origin', destination: 'Destination', border: 'Border crossing', transfer: 'Transfer', passage: 'Passage'};
	const POINT_SIZE = {origin: 16, destination: 16, transfer: 13, border: 14, passage: 14};
	const POINT_Z = {passage: 100, border: 200, transfer: 300, origin: 400, destination: 400};

	function drawMap() {
		if (!map) return;
		routeLayer.clearLayers();
		const corridors = sideCorridors().filter((c) => c.feasible && c.route && c.route.geometry);
		if (!corridors.length) return;
		const bounds = L.latLngBounds([]);
		const sel = corridors.find((c) => c.id === state.selected);
		for (const c of corridors) {
			const ll = unwrap(c.route.geometry.coordinates);
			for (const p of ll) bounds.extend(p);
			if (c === sel) continue;
			L.polyline(ll, {renderer: svgRenderer, className: 'route route-alt', color: ALT_COLOUR, weight: 3, opacity: 0.7, dashArray: '6 6'})
				.bindTooltip(esc(c.id + ': ' + (c.name || '')), {sticky: true})
				.on('click', () => select(c.id))
				.addTo(routeLayer);
		}
		const selBounds = L.latLngBounds([]);
		if (sel) {
			const r = sel.route, ll = unwrap(r.geometry.coordinates);
			for (const p of ll) selBounds.extend(p);
			L.polyline(ll, {renderer: svgRenderer, className: 'route route-casing', color: '#ffffff', weight: 9, opacity: 0.95, interactive: false}).addTo(routeLayer);
			const legs = (r.legs || []).filter((l) => Array.isArray(l.geometry_index));
			if (!legs.length) {
				L.polyline(ll, {renderer: svgRenderer, className: 'route route-leg', color: '#1b2631', weight: 4.5}).addTo(routeLayer);
			}
			for (const leg of legs) {
				const [a, b] = leg.geometry_index;
				const part = ll.slice(a, b + 1);
				if (part.length < 2) continue;
				const tip = '<b>' + esc(MODE_NAME[leg.mode] || leg.mode) + (leg.gauge_mm ? ' ' + esc(leg.gauge_mm) + ' mm' : '') + '</b>: ' +
					esc((leg.from_name || leg.from) + ' \u2192 ' + (leg.to_name || leg.to)) + '<br>' +
					esc(nf0.format(leg.distance_km) + ' km \u00b7 ' + days(leg.duration_h) + ' days \u00b7 USD ' + nf0.format(leg.cost_usd) + ' \u00b7 ' + nf0.format(leg.co2e_kg) + ' kg CO2e');
				L.polyline(part, {renderer: svgRenderer, className: 'route route-leg mode-' + leg.mode,
					color: MODE_COLOUR[leg.mode] || '#1b2631', weight: 4.5, opacity: 1,
					dashArray: leg.mode === 'rail' && leg.gauge_mm && leg.gauge_mm !== 1520 ? '10 3' : null})
					.bindTooltip(tip, {sticky: true})
					.addTo(routeLayer);
			}
			const ref = ll.length ? ll[Math.floor(ll.length / 2)][1] : 0;
			for (const p of r.points || []) {
				const size = POINT_SIZE[p.kind] || 12;
				const lon = nearestOnRoute(p, ll, ref);
				const m = L.marker([p.lat, lon], {
					icon: L.divIcon({className: 'pt pt-' + p.kind, html: '<span></span>', iconSize: [size, size]}),
					keyboard: false, zIndexOffset: POINT_Z[p.kind] || 0,
				});
				if (p.kind === 'origin' || p.kind === 'destination') {
					m.bindTooltip(esc(p.name), {permanent: true, direction: p.kind === 'origin' ? 'right' : 'left', offset: [p.kind === 'origin' ? 8 : -8, 0], className: 'place-label'});
				} else {
					m.bindTooltip('<b>' + esc(POINT_LABEL[p.kind] || p.kind) + '</b>: ' + esc(p.name));
				}
				m.addTo(routeLayer);
			}
		}
		if (bounds.isValid()) {
			if (bounds.getWest() < -180) addLandCopy(-360);
			if (bounds.getEast() > 180) addLandCopy(360);
		}
		if (state.fitPending && bounds.isValid()) {
			// Routes the opposite ways round the world cannot all be in view: the selected one is.
			const wide = bounds.getEast() - bounds.getWest() > 300 && selBounds.isValid();
			map.fitBounds(wide ? selBounds : bounds, {padding: [30, 30], maxZoom: 7});
			state.fitPending = false;
		}
	}

	// A point's longitude shifted by 360 degrees where that puts it on the unwrapped route.
	function nearestOnRoute(p, ll, ref) {
		let best = nearLon(p.lon, ref), bestD = Infinity;
		for (const [lat, lon] of ll) {
			const d = Math.abs(lat - p.lat) + Math.abs(nearLon(p.lon, lon) - lon);
			if (d < bestD) { bestD = d; best = nearLon(p.lon, lon); }
		}
		return best;
	}

	/* ---------------------------------------------------------------- autocomplete */

	// An ARIA 1.2 combobox: the input keeps focus, arrows move through the listbox, Enter
	// chooses, Escape closes. Choosing stores the place's id (sent to the API) beside its name.
	function combobox(input, list) {
		let items = [], active = -1, timer = 0, seq = 0;
		const close = () => {
			list.hidden = true;
			input.setAttribute('aria-expanded', 'false');
			input.removeAttribute('aria-activedescendant');
			active = -1;
		};
		const setActive = (i) => {
			const opts = list.querySelectorAll('[role=option]:not(.none)');
			if (!opts.length) return;
			active = (i + opts.length) % opts.length;
			opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === active)));
			input.setAttribute('aria-activedescendant', opts[active].id);
			opts[active].scrollIntoView({block: 'nearest'});
		};
		const choose = (i) => {
			const p = items[i];
			if (!p) return;
			input.value = p.name;
			input.dataset.id = p.id;
			input.dataset.name = p.name;
			input.removeAttribute('aria-invalid');
			close();
			input.dispatchEvent(new CustomEvent('place-chosen', {bubbles: true}));
		};
		const show = (places, q) => {
			items = places;
			list.dataset.q = q;
			list.replaceChildren();
			if (!places.length) {
				list.append(el('li', {class: 'none', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false'}, 'No place matches'));
			}
			places.forEach((p, i) => {
				const meta = [p.unlocode || p.id, p.country, (p.modes || []).join(' ')].filter(Boolean).join(' \u00b7 ');
				const li = el('li', {role: 'option', id: list.id + '-' + i, 'aria-selected': 'false', 'data-id': p.id},
					el('span', {class: 'pn'}, p.name), el('span', {class: 'pm'}, meta));
				li.addEventListener('mousedown', (e) => e.preventDefault());
				li.addEventListener('click', () => choose(i));
				list.append(li);
			});
			list.hidden = false;
			input.setAttribute('aria-expanded', 'true');
			active = -1;
		};
		const lookup = () => {
			const q = input.value.trim();
			if (!q) { close(); return; }
			const mine = ++seq;
			getJSON(API + 'places?' + new URLSearchParams({q, limit: '8'}).toString())
				.then((d) => { if (mine === seq && document.activeElement === input) show(d.places || [], q); })
				.catch(() => { if (mine === seq) close(); });
		};
		input.addEventListener('input', () => {
			delete input.dataset.id;
			delete input.dataset.name;
			input.removeAttribute('aria-invalid');
			clearTimeout(timer);
			timer = setTimeout(lookup, 120);
		});
		input.addEventListener('keydown', (e) => {
			const open = !list.hidden;
			if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
				e.preventDefault();
				if (!open) { lookup(); return; }
				setActive(active < 0 ? (e.key === 'ArrowDown' ? 0 : -1) : active + (e.key === 'ArrowDown' ? 1 : -1));
			} else if (e.key === 'Enter' && open && active >= 0) {
				e.preventDefault();
				choose(active);
			} else if (e.key === 'Escape' && open) {
				e.preventDefault();
				close();
			} else if (e.key === 'Tab' && open) {
				close();
			}
		});
		input.addEventListener('blur', () => setTimeout(close, 100));
	}

	/* ---------------------------------------------------------------- scenarios */

	function ensureVsOption(id) {
		const sel = $('vs');
		if (id && ![...sel.options].some((o) => o.value === id)) sel.append(el('option', {value: id}, id));
	}

	function renderScenarioList() {
		const box = $('scenario-list');
		if (!state.scenarios.length) return;
		box.replaceChildren();
		const full = state.checked.length >= MAX_SCENARIOS;
		const known = new Set(state.scenarios.map((s) => s.id));
		const list = state.scenarios.concat(state.checked.filter((id) => !known.has(id)).map((id) => ({id, description: '(not a shipped scenario)'})));
		const filter = $('scn-filter').value.trim().toLowerCase();
		for (const s of list) {
			const pos = state.checked.indexOf(s.id);
			const on = pos >= 0;
			const cb = el('input', {type: 'checkbox', name: 'scenario', value: s.id, checked: on, disabled: !on && full,
				'aria-describedby': 'scn-d-' + s.id});
			cb.addEventListener('change', () => toggleScenario(s.id, cb.checked));
			const lab = el('label', {class: (on ? 'on' : '') + (!on && full ? ' disabled' : ''), 'data-id': s.id},
				cb, el('span', {class: 'sid'}, s.id, on && state.checked.length > 1 ? el('span', {class: 'order', title: 'applied in this order'}, String(pos + 1)) : null),
				el('span', {id: 'scn-d-' + s.id}, s.description || ''));
			if (filter && !(s.id + ' ' + (s.description || '')).toLowerCase().includes(filter)) lab.hidden = true;
			box.append(lab);
		}
		$('scn-count').textContent = state.checked.length
			? state.checked.length + ' applied, in order (at most ' + MAX_SCENARIOS + ')'
			: 'none applied';
	}

	function toggleScenario(id, on) {
		const i = state.checked.indexOf(id);
		if (on && i < 0) state.checked.push(id);
		if (!on && i >= 0) state.checked.splice(i, 1);
		const focused = id;
		renderScenarioList();
		const cb = document.querySelector('#scenario-list input[value="' + CSS.escape(focused) + '"]');
		if (cb) cb.focus();
		if (state.result || ($('from').value.trim() && $('to').value.trim())) run(true);
	}

	async function loadScenarios() {
		try {
			const d = await getJSON(API + 'scenarios');
			state.scenarios = (d.scenarios || []).slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
			const sel = $('vs');
			const keep = sel.value;
			sel.replaceChildren(el('option', {value: ''}, '(no second scenario)'));
			for (const s of state.scenarios) sel.append(el('option', {value: s.id}, s.id + ' \u2014 ' + (s.description || '')));
			ensureVsOption(keep);
			sel.value = keep;
			renderScenarioList();
		} catch (err) {
			$('scenario-list').replaceChildren(el('p', {class: 'hint'}, 'Scenarios unavailable: ' + (err.message || err)));
		}
	}

	async function loadNetworkInfo() {
		try {
			const n = await getJSON(API + 'network');
			const bits = [];
			if (n.nodes !== undefined) bits.push(nf0.format(n.nodes) + ' nodes');
			if (n.links !== undefined) bits.push(nf0.format(n.links) + ' links');
			if (n.borders !== undefined) bits.push(nf0.format(n.borders) + ' border crossings');
			if (n.built) bits.push('built ' + String(n.built).slice(0, 10));
			$('netinfo').textContent = bits.length ? 'Network: ' + bits.join(' \u00b7 ') : '';
		} catch (err) {
			$('netinfo').textContent = '';
		}
	}

	/* ---------------------------------------------------------------- wiring */

	function copyLink() {
		const done = () => setStatus('Link copied: it reproduces this view.', false);
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(location.href).then(done, () => fallbackCopy(done));
		} else {
			fallbackCopy(done);
		}
	}
	function fallbackCopy(done) {
		const t = el('textarea', {style: 'position:fixed;left:-1000px'}, location.href);
		document.body.append(t);
		t.select();
		try { document.execCommand('copy'); done(); } catch (e) { setStatus('Copy the address bar to share this view.', false); }
		t.remove();
	}

	function init() {
		combobox($('from'), $('from-list'));
		combobox($('to'), $('to-list'));
		// On a narrow screen the inputs fill the first screen: a comparison asked for there
		// scrolls to the map once it is drawn.
		const narrow = window.matchMedia('(max-width: 900px)');
		$('query').addEventListener('submit', async (e) => {
			e.preventDefault();
			await run(true);
			if (narrow.matches && state.result && $('error').hidden) document.querySelector('.mapwrap').scrollIntoView({behavior: 'smooth'});
		});
		$('query').addEventListener('place-chosen', (e) => {
			if (e.target.id === 'from' && !$('to').value.trim()) $('to').focus();
		});
		$('swap').addEventListener('click', () => {
			const a = $('from'), b = $('to');
			const va = [a.value, a.dataset.id, a.dataset.name], vb = [b.value, b.dataset.id, b.dataset.name];
			const put = (i, v) => {
				i.value = v[0] || '';
				if (v[1]) { i.dataset.id = v[1]; i.dataset.name = v[2]; } else { delete i.dataset.id; delete i.dataset.name; }
			};
			put(a, vb);
			put(b, va);
			if (state.result && a.value && b.value) run(true);
		});
		$('vs').addEventListener('change', () => {
			if (state.result || ($('from').value.trim() && $('to').value.trim())) run(true);
		});
		$('scn-filter').addEventListener('input', renderScenarioList);
		for (const b of document.querySelectorAll('#sides .seg')) {
			b.addEventListener('click', () => {
				if (!state.result || state.side === b.dataset.side) return;
				state.side = b.dataset.side;
				const corridors = sideCorridors();
				if (!corridors.some((c) => c.id === state.selected && c.feasible)) state.selected = defaultSelection(corridors);
				render();
				writeHash(false);
			});
		}
		$('copy-link').addEventListener('click', copyLink);
		for (const id of ['amount', 'vot', 'sea_speed']) $(id).addEventListener('input', () => $(id).removeAttribute('aria-invalid'));
		document.querySelector('.skip').addEventListener('click', (e) => {
			e.preventDefault();
			$('results').focus();
			$('results').scrollIntoView();
		});
		const onHash = () => {
			const h = location.hash;
			if (h === state.written) return;
			if (h.length > 1 && !h.includes('=')) return; // an anchor, not a state
			state.written = h;
			if (applyHash()) run(false);
			else resetView();
		};
		window.addEventListener('hashchange', onHash);
		window.addEventListener('popstate', onHash);
		initMap();
		const go = applyHash();
		state.written = location.hash;
		loadScenarios();
		loadNetworkInfo();
		if (go) run(false);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
