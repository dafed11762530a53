// Report of one session: pressure maps, averaged force curve with its SD
// band, CoP gait lines, every summary metric per foot with symmetry, the
// arch-collapse measure with its category and thresholds, per-step trends
// and data quality.  Laid out to print on A4 for the patient.

import { get, post, metrics as metricList, layout as getLayout } from './api.js';
import { FootMap, legend } from './heatmap.js';
import { layoutWithMask } from './mapmarks.js';
import { niceMax } from './colormap.js';
import { plot, axis, destroy, flooredRange, FOOT_COLOURS } from './charts.js';
import { el, num, withUnit, unitText, digitsFor, dateTime, duration, footName, isNum, signed, strikeName, mapUnit } from './format.js';
import { archCategory, archThresholdsText, driftView } from './arch.js';
import { regionsCard, MASK_METRIC_NAMES } from './regions.js';
import { playbackCard } from './playback.js';
import { drawCurves } from './curves.js';
import { selectionCard, leftOutText } from './selection.js';
import { tableWrap } from './tables.js';

const FEET = ['left', 'right'];
const SYMMETRY_FLAG_PCT = 10;        // the conventional "asymmetric" line (a convention, not a finding)
// A ratio of (R - L) to the mean says nothing for signed positions around
// zero (medial-lateral CoP, balance) or a class number: not shown for them.
const NO_SYMMETRY = new Set(['cop_start_x_mm', 'cop_end_x_mm', 'ml_balance', 'strike_pattern']);
const TREND_SMOOTH_STEPS = 10;       // rolling mean over this many steps shows drift through the noise

// Metric groups in the order a clinician reads them; a metric added to
// analysis.h later lands in "Other" until it is placed here.
const GROUPS = [
	['Timing', ['stance_ms', 'swing_ms', 'stride_ms', 'step_ms', 'double_support_ms', 'cadence_steps_min', 'cadence_strides_min']],
	['Force', ['peak_force_n', 'mean_force_n', 'first_peak_n', 'first_peak_pct', 'valley_n', 'valley_pct', 'second_peak_n', 'second_peak_pct', 'loading_rate_n_s', 'loading_rate_bw_s', 'fti_n_s']],
	['Pressure', ['peak_pressure_kpa', 'mean_pressure_kpa', 'contact_area_mm2', 'heel_peak_kpa', 'midfoot_peak_kpa', 'forefoot_peak_kpa', 'toes_peak_kpa']],
	['Pressure-time integrals and load share', ['heel_pti_kpa_s', 'midfoot_pti_kpa_s', 'forefoot_pti_kpa_s', 'toes_pti_kpa_s', 'heel_load_pct', 'midfoot_load_pct', 'forefoot_load_pct', 'toes_load_pct']],
	['Centre of pressure and strike', ['cop_start_x_mm', 'cop_start_y_mm', 'cop_end_x_mm', 'cop_end_y_mm', 'cop_path_mm', 'cop_ml_width_mm', 'cpei_pct', 'strike_index_pct', 'strike_pattern']],
	['Balance and arch', ['ml_balance', 'midfoot_load_index', 'midfoot_share_midstance', 'arch_index']],
	['Anatomical regions', MASK_METRIC_NAMES],
];

function groupOf(name) {
	for (const [g, names] of GROUPS) if (names.includes(name)) return g;
	return 'Other';
}

// Table rows by group, then in the API's order within a group.
function groupedDefs(defs) {
	const order = [...GROUPS.map(([g]) => g), 'Other'];
	return [...defs].sort((a, b) => order.indexOf(groupOf(a.name)) - order.indexOf(groupOf(b.name)));
}

export async function mount(main, params) {
	const id = params.id;
	const charts = [];
	const head = el('div', { class: 'view-head' }, el('h1', {}, 'Plantar pressure report'), el('span', { class: 'muted' }, `Session #${id}`));
	const body = el('div', { class: 'report report-grid', id: 'report' });
	main.append(head, body);
	let session, defs;
	try {
		[session, defs] = await Promise.all([get(`sessions/${encodeURIComponent(id)}`), metricList()]);
	} catch (e) {
		body.append(el('p', { class: 'error', role: 'alert' }, `Could not load session ${id}: ${e.message}`));
		return null;
	}
	const stepsP = get(`sessions/${id}/steps`).then((r) => r.steps ?? []).catch(() => []);
	const sum = session.summary;

	const reanalyze = el('button', { type: 'button', title: 'Recompute steps and summary from the raw recording with this software version' }, 'Re-analyse');
	const actionMsg = el('p', { class: 'error', role: 'alert' });
	reanalyze.addEventListener('click', async () => {
		reanalyze.disabled = true;
		actionMsg.textContent = '';
		try {
			await post(`sessions/${id}/reanalyze`);
			window.dispatchEvent(new HashChangeEvent('hashchange')); // show the new numbers
		} catch (e) {
			actionMsg.textContent = `Re-analysis failed: ${e.message}`;
			reanalyze.disabled = false;
		}
	});
	head.append(el('div', { class: 'actions' },
		el('button', { type: 'button', class: 'primary', onclick: () => window.print() }, 'Print report'),
		el('a', { class: 'button', href: `api/sessions/${id}/export/steps.csv` }, 'Steps CSV'),
		el('a', { class: 'button', href: `api/sessions/${id}/export/frames.csv` }, 'Frames CSV'),
		el('a', { class: 'button', href: `api/sessions/${id}/export/summary.json` }, 'Summary JSON'),
		el('a', { class: 'button', href: `api/sessions/${id}/export/frame-metrics.csv`,
			title: 'Every frame: force, centre of pressure, contact area, peak pressure, stance and gait events' }, 'Frame metrics CSV'),
		el('a', { class: 'button', href: `api/sessions/${id}/export/frames-counts.csv`,
			title: 'The raw sensor counts with their calibration: the lossless copy, to import on another insoled' }, 'Raw counts CSV'),
		reanalyze), actionMsg);

	body.append(el('p', { class: 'print-only muted', id: 'printed-on' }, `Printed ${dateTime(Date.now() * 1000)} from insoled ${session.software_version ?? ''}. Values are means over steps ± standard deviation.`));
	body.append(sessionCard(session));
	if (sum) body.append(findingsCard(sum.findings));
	if (!sum) {
		body.append(el('section', { class: 'card' }, el('p', { class: 'warn' }, session.state === 'recording'
			? 'This session is still recording: the report is available once it is stopped.'
			: 'No steps have been analysed in this session.')));
		return null;
	}
	const defByName = Object.fromEntries(defs.map((d) => [d.name, d]));

	// Maps first: what a patient looks at (printed, before the findings too: print.css).
	const mapsCard = el('section', { class: 'card report-maps', 'aria-labelledby': 'h-maps' }, el('h2', { id: 'h-maps' }, 'Pressure maps'));
	body.append(mapsCard);
	const layouts = await Promise.all(FEET.map((f) => getLayout(session.layout?.[f]).catch(() => null)));
	drawSessionMaps(mapsCard, id, layouts).catch((e) => mapsCard.append(el('p', { class: 'error' }, `Maps unavailable: ${e.message}`)));

	const curvesCard = el('section', { class: 'card', 'aria-labelledby': 'h-curves' },
		el('h2', { id: 'h-curves' }, 'Force curve and gait line'),
		el('p', { class: 'muted', id: 'curves-status' }, 'Computing from the recording…'));
	body.append(curvesCard);
	// every entry of charts has a destroy() the view's unmount calls
	drawCurves(curvesCard, id, layouts).then((c) => charts.push(...c.map((u) => ({ destroy: () => destroy(u) })))).catch((e) => {
		curvesCard.querySelector('#curves-status').textContent = `Force curves unavailable: ${e.message}`;
	});

	const playback = playbackCard(id, layouts);
	body.append(playback.card);
	charts.push(playback);

	body.append(archCard(sum, defByName, layouts));
	const regions = regionsCard(sum);
	if (regions) body.append(regions);
	body.append(metricsCard(sum, defs));

	const trendCard = el('section', { class: 'card', 'aria-labelledby': 'h-trend' }, el('h2', { id: 'h-trend' }, 'Trend over the session (fatigue drift)'));
	body.append(trendCard);
	body.append(qualityCard(session, sum));

	const steps = await stepsP;
	charts.push(trendChart(trendCard, steps, defs, sum.arch_measure ?? 'midfoot_load_index'));
	if (session.state !== 'recording')
		body.append(selectionCard(session, steps, () => window.dispatchEvent(new HashChangeEvent('hashchange'))));
	return () => charts.forEach((c) => c.destroy());
}

// What the session shows, in the daemon's own sentences (made from the same
// decisions as the tables below).
function findingsCard(findings) {
	const items = (findings ?? []).map((f) => el('li', { dataset: { foot: f.foot, class: f.class } }, f.text));
	return el('section', { class: 'card findings', 'aria-labelledby': 'h-findings', id: 'findings' },
		el('h2', { id: 'h-findings' }, 'Findings'),
		items.length ? el('ul', {}, items) : el('p', { class: 'muted' }, 'No steps were analysed.'));
}

function sessionCard(s) {
	const bw = isNum(s.body_weight_n) && s.body_weight_n > 0 ? `${num(s.body_weight_n / 9.80665, 1)} kg (${num(s.body_weight_n, 0)} N)` : 'not set';
	const steps = s.summary?.steps;
	const layouts = FEET.map((f) => s.layout?.[f] ? `${footName(f)}: ${s.layout[f]}` : null).filter(Boolean).join(', ') || '–';
	const items = [
		['Subject', s.subject || '–'], ['Footwear', s.footwear || '–'],
		['Date', dateTime(s.start_us)], ['Duration', duration(s.start_us, s.end_us)],
		['Steps', steps ? `left ${steps.left ?? 0}, right ${steps.right ?? 0}` : String(s.steps ?? '–')],
		['Body weight', bw], ['Insoles', layouts], ['State', s.state],
		['Software', s.software_version || '–'],
	];
	return el('section', { class: 'card', 'aria-label': 'Session details' },
		el('dl', { class: 'report-head' }, items.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v)))),
		s.notes ? el('p', { class: 'report-notes' }, el('strong', {}, 'Notes: '), s.notes) : null);
}

// A foot whose map has no value anywhere (no complete step for the mean
// of step peaks, no stance for the mean) says so: "max 0 kPa" would read
// as a measured, unloaded foot.
function mapCaption(f, kind, hm) {
	if (isNum(hm?.max_kpa)) return `${footName(f)} · max ${withUnit(hm.max_kpa, mapUnit(hm))}`;
	return `${footName(f)} · ${kind === 'mean_peak' ? 'no complete step' : 'no stance recorded'}`;
}

async function drawSessionMaps(card, id, layouts) {
	// The plantar-pressure report convention first: each step's peak,
	// averaged over the steps, which one outlying step cannot drive; the
	// session maximum stays available as the second choice.
	const kinds = [['mean_peak', 'Peak pressure', 'Mean over the steps of each step\u2019s peak pressure'],
		['mean', 'Mean pressure', 'Average pressure of each cell during stance'],
		['peak', 'Session maximum', 'Highest pressure of each cell over the whole session (one step can drive it)']];
	// a foot the session has no insole for (a one-foot recording) has no map to ask for
	const maps = await Promise.all(kinds.map(([k]) => Promise.all(FEET.map((f, fi) => (layouts[fi]
		? get(`sessions/${id}/heatmap?foot=${f}&kind=${k}`).catch(() => null) : Promise.resolve(null))))));
	const row = el('div', { class: 'two-col' });
	const second = el('details', { class: 'second-map', id: 'map-session-max' },
		el('summary', {}, 'Session maximum instead of the mean of step peaks'));
	card.append(row, second);
	kinds.forEach(([kind, title, hint], ki) => {
		const hms = maps[ki];
		const unit = mapUnit(hms.find(Boolean));
		const max = niceMax(Math.max(50, ...hms.map((h) => (isNum(h?.max_kpa) ? h.max_kpa : 0))));
		// a foot the recording has no insole for gets no map, not an empty frame
		const present = FEET.map((f, fi) => ({ f, fi })).filter(({ fi }) => layouts[fi]);
		const steps = kind === 'mean_peak' ? ` over ${present.map(({ f, fi }) => `${hms[fi]?.steps ?? 0} ${f}`).join(' and ')} steps` : '';
		const figs = present.map(({ f, fi }) => {
			const canvas = el('canvas', { class: 'footmap', role: 'img', id: `map-${kind}-${f}`,
				'aria-label': `${footName(f)} foot ${title.toLowerCase()} map, maximum ${withUnit(hms[fi]?.max_kpa, unit)}` });
			return { f, fi, canvas, fig: el('figure', { class: 'foot' }, el('figcaption', {}, mapCaption(f, kind, hms[fi])), canvas) };
		});
		(kind === 'peak' ? second : row).append(el('div', {}, el('h3', {}, title), el('p', { class: 'muted' }, hint + steps),
			el('div', { class: 'feet' }, figs.map((x) => x.fig)), legend({ min: 0, max, unit, caption: title })));
		for (const { f, fi, canvas } of figs) {
			const m = new FootMap(canvas, f);
			m.setLayout(layoutWithMask(layouts[fi], hms[fi]?.mask_cells));
			const draw = () => m.draw({ heatmap: hms[fi], min: 0, max });
			draw();
			new ResizeObserver(draw).observe(canvas);
		}
	});
	if (maps.flat().some((h) => h?.units === 'raw'))
		card.append(el('p', { class: 'warn', id: 'maps-raw-units' }, 'This insole reports raw, uncalibrated sensor units: the maps show where the foot was loaded, not pressures in kPa.'));
	card.append(el('p', { class: 'muted' }, 'Outlines: the anatomical regions of the step metrics (MH/LH medial/lateral heel, MM/LM midfoot, M1, M2-3, M4-5 metatarsal heads, Hx hallux, T2-5 lesser toes). M = medial, L = lateral. Hatched: not measured (no sensor there).'));
}

// Mean and SD of every metric per foot with the symmetry index.
function metricsCard(sum, defs) {
	const tbody = el('tbody');
	let group = null;
	for (const d of groupedDefs(defs)) {
		const m = sum.metrics?.[d.name];
		if (!m) continue;
		const g = groupOf(d.name);
		if (g !== group) {
			group = g;
			tbody.append(el('tr', { class: 'group' }, el('th', { colspan: 6, scope: 'rowgroup' }, g)));
		}
		const cell = (s) => {
			if (!s || !isNum(s.mean)) return el('td', { class: 'n' }, '–');
			const digits = digitsFor(d.unit);
			const txt = d.name === 'strike_pattern' ? `${num(s.mean, 2)} (${strikeName(s.mean)})` : `${num(s.mean, digits)} ± ${num(s.sd, digits)}`;
			return el('td', { class: 'n' }, txt);
		};
		const si = NO_SYMMETRY.has(d.name) ? null : m.symmetry_pct;
		tbody.append(el('tr', { dataset: { metric: d.name } },
			el('th', { scope: 'row' }, d.label),
			el('td', {}, unitText(d.unit)),
			cell(m.left), cell(m.right),
			el('td', { class: 'n' }, `${m.left?.n ?? 0} / ${m.right?.n ?? 0}`),
			el('td', { class: `n ${isNum(si) && Math.abs(si) > SYMMETRY_FLAG_PCT ? 'sym-high' : ''}` }, isNum(si) ? `${signed(si, 1)} %` : '–')));
	}
	return el('section', { class: 'card metrics-card', 'aria-labelledby': 'h-metrics' },
		el('h2', { id: 'h-metrics' }, 'Step metrics per foot'),
		el('p', { class: 'muted' }, `Mean ± standard deviation over steps. Symmetry index SI = (R − L) / ½(R + L) × 100 %; positive = right larger; |SI| above ${SYMMETRY_FLAG_PCT} % is marked (a convention, not a diagnosis); not given for signed positions and classes.`),
		tableWrap(el('table', { class: 'data', id: 'metrics-table' },
			el('thead', {}, el('tr', {},
				el('th', { scope: 'col' }, 'Metric'), el('th', { scope: 'col' }, 'Unit'),
				el('th', { scope: 'col', class: 'n' }, 'Left'), el('th', { scope: 'col', class: 'n' }, 'Right'),
				el('th', { scope: 'col', class: 'n' }, 'Steps L / R'), el('th', { scope: 'col', class: 'n' }, 'Symmetry'))),
			tbody)));
}

// A foot the session has no insole for gets no row: "too few steps (0 of
// 0)" would read as a foot that was measured and did not walk.
function archCard(sum, defByName, layouts) {
	const measure = sum.arch_measure === 'arch_index' ? 'arch_index' : 'midfoot_load_index';
	const def = defByName[measure] ?? { label: measure, unit: '' };
	const feet = FEET.filter((f, fi) => layouts[fi]);
	const rows = feet.map((f) => {
		const s = sum.metrics?.[measure]?.[f];
		const cat = archCategory(measure, s?.mean, def.thresholds);
		const tr = driftView(sum.arch_trend?.[f]);
		return el('tr', { dataset: { foot: f } },
			el('th', { scope: 'row' }, `${footName(f)} foot`),
			el('td', { class: 'n' }, s && isNum(s.mean) ? `${num(s.mean, digitsFor(def.unit))} ± ${num(s.sd, digitsFor(def.unit))} ${unitText(def.unit) === 'ratio' ? '' : unitText(def.unit)}` : '–'),
			el('td', {}, el('span', { class: `category ${cat.cls}` }, cat.name)),
			el('td', {}, el('span', { class: `category ${tr.cls ?? ''}` }, tr.name), tr.text ? el('div', { class: 'muted' }, tr.text) : null));
	});
	const unmeasurable = feet.length > 0 && feet.every((f) => sum.arch_trend?.[f]?.class === 'no_arch_measure');
	const thresholds = unmeasurable
		? el('p', { class: 'thresholds' }, 'No step of this recording has an arch measure: both the Arch Index and the midfoot load index are made of pressures or forces, which this recording does not have (see the change column for why).')
		: measure === 'arch_index'
		? el('p', { class: 'thresholds' }, archThresholdsText(def.thresholds))
		: el('p', { class: 'thresholds' }, 'The Arch Index is a footprint measure, made only on a dense grid of sensors, which this insole is not, so the midfoot load index is shown: the midfoot share of the load, an insole proxy for arch support. Higher = more load under the arch. No validated cut-offs exist for it; compare it between sessions and over time.');
	return el('section', { class: 'card', 'aria-labelledby': 'h-arch', id: 'arch' },
		el('h2', { id: 'h-arch' }, `Arch collapse: ${def.label}`),
		tableWrap(el('table', { class: 'data' },
			el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Foot'), el('th', { scope: 'col', class: 'n' }, 'Mean ± SD'),
				el('th', { scope: 'col' }, 'Category'), el('th', { scope: 'col' }, 'Change over the session'))),
			el('tbody', {}, rows))),
		thresholds,
		el('p', { class: 'thresholds' }, 'Change over the session: from the mean of the first 12 steps to the mean of the last 12 (a line through 12-step means), with its 95 % confidence interval. It is called a collapse (or a rise) only when the interval excludes zero and the change is larger than the minimal detectable change, MDC95 = 1.96 × √2 × the step-to-step SD about the line, on enough steady-state steps; otherwise it reads “no clear change” or “too few steps to judge”.'));
}

function qualityCard(s, sum) {
	const q = sum.quality ?? {};
	const items = [];
	for (const f of FEET) {
		const n = sum.steps?.[f] ?? 0;
		const sat = q.saturated_steps?.[f] ?? 0, gap = q.gap_steps?.[f] ?? 0;
		items.push([`${footName(f)} foot`, `${n} steps; ${sat} with a saturated sensor, ${gap} with lost frames; ${leftOutText(q, f)}`]);
	}
	items.push(['Frames stored', isNum(s.frames) ? num(s.frames, 0) : '–']);
	const warnings = [];
	if (s.state === 'interrupted') warnings.push('The recording was interrupted (device lost or daemon stopped): the session ends early.');
	if (!(s.body_weight_n > 0)) warnings.push('No body weight was set: loading rates in body weights per second are not available.');
	for (const f of FEET) {
		const n = sum.steps?.[f] ?? 0;
		const sat = q.saturated_steps?.[f] ?? 0;
		if (n && sat / n > 0.1) warnings.push(`${Math.round((100 * sat) / n)} % of ${f} steps saturated a sensor: peak pressures there are underestimated.`);
	}
	return el('section', { class: 'card', 'aria-labelledby': 'h-quality', id: 'quality' },
		el('h2', { id: 'h-quality' }, 'Data quality'),
		el('dl', { class: 'kv' }, items.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
		warnings.map((w) => el('p', { class: 'warn' }, w)));
}

function rolling(values, n) {
	const out = [];
	let sum = 0, cnt = 0;
	const q = [];
	for (const v of values) {
		q.push(v);
		if (isNum(v)) { sum += v; cnt++; }
		if (q.length > n) { const o = q.shift(); if (isNum(o)) { sum -= o; cnt--; } }
		out.push(cnt >= Math.min(n, 3) ? sum / cnt : null);
	}
	return out;
}

function trendChart(card, steps, defs, initial) {
	const sel = el('select', { id: 'trend-metric' }, defs.filter((d) => d.unit !== 'class').map((d) => el('option', { value: d.name, selected: d.name === initial }, `${d.label} (${unitText(d.unit)})`)));
	const box = el('div', { class: 'chart', id: 'trend-chart' });
	const title = el('h3', { id: 'trend-title' });
	const summary = el('p', { class: 'muted', id: 'trend-text' });
	card.append(el('div', { class: 'no-print stack', style: 'max-width:30rem' }, el('label', { for: 'trend-metric' }, 'Metric'), sel), title, box, summary);
	// what the view's unmount destroys: the chart of the moment, or none yet
	const holder = { chart: null, destroy: () => destroy(holder.chart) };
	if (!steps.length) { box.append(el('p', { class: 'muted' }, 'No steps.')); return holder; }
	const t0 = Math.min(...steps.map((s) => s.contact_us));
	const draw = () => {
		const name = sel.value;
		const d = defs.find((x) => x.name === name);
		const xs = [], cols = { left: [], right: [] };
		const sorted = [...steps].sort((a, b) => a.contact_us - b.contact_us);
		// minutes, or seconds for a session under two minutes (a 40 s
		// walk on a minute axis is one tick)
		const span = (sorted[sorted.length - 1].contact_us - t0) / 60e6;
		const perUnit = span < 2 ? 1e6 : 60e6;
		for (const s of sorted) {
			xs.push((s.contact_us - t0) / perUnit);
			for (const f of FEET) cols[f].push(s.foot === f && isNum(s.metrics?.[name]) ? s.metrics[name] : null);
		}
		const smooth = FEET.map((f) => {
			const own = sorted.map((s, i) => (s.foot === f ? cols[f][i] : undefined));
			const idx = own.map((v, i) => (v === undefined ? -1 : i)).filter((i) => i >= 0);
			const r = rolling(idx.map((i) => own[i]), TREND_SMOOTH_STEPS);
			const full = new Array(xs.length).fill(null);
			idx.forEach((i, k) => { full[i] = r[k]; });
			return full;
		});
		destroy(holder.chart);
		const u = unitText(d.unit);
		title.textContent = `${d.label} (${u}) per step`;
		holder.chart = plot(box, {
			scales: { x: { time: false }, y: { range: (pl, lo, hi) => flooredRange(lo, hi, digitsFor(d.unit)) } },
			axes: [axis(box.dataset.xAxis = perUnit === 1e6 ? 'Time since the first step (s)' : 'Time since the first step (min)'), axis(u, { size: 60 })],
			legend: { live: false },
			// the range in use, for people and tests checking the floor
			hooks: { setScale: [(pl, key) => { if (key === 'y') Object.assign(box.dataset, { yMin: pl.scales.y.min, yMax: pl.scales.y.max }); }] },
			series: [{ label: perUnit === 1e6 ? 'Seconds' : 'Minutes', value: (x, v) => num(v, perUnit === 1e6 ? 0 : 2) },
				...FEET.map((f) => ({ label: `${footName(f)} step`, stroke: FOOT_COLOURS[f], width: 0, paths: () => null, points: { show: true, size: 4, fill: FOOT_COLOURS[f] }, value: (x, v) => num(v, digitsFor(d.unit)) })),
				...FEET.map((f) => ({ label: `${footName(f)}, ${TREND_SMOOTH_STEPS}-step mean`, stroke: FOOT_COLOURS[f], width: 2.5, spanGaps: true, points: { show: false }, value: (x, v) => num(v, digitsFor(d.unit)) }))],
		}, [xs, cols.left, cols.right, ...smooth], 240);
		const firstLast = FEET.map((f) => {
			const s = smooth[FEET.indexOf(f)].filter(isNum);
			return s.length > 1 ? `${footName(f)}: ${num(s[0], digitsFor(d.unit))} → ${num(s[s.length - 1], digitsFor(d.unit))} ${u}` : null;
		}).filter(Boolean);
		summary.textContent = firstLast.length ? `${TREND_SMOOTH_STEPS}-step mean at the start and at the end: ${firstLast.join('; ')}.` : '';
	};
	sel.addEventListener('change', draw);
	draw();
	return holder;
}
