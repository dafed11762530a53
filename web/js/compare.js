// Compare two or more sessions (shoe A vs shoe B vs barefoot): the
// confounds and findings the daemon judged, peak maps side by side, the
// difference map of the last against the baseline, and every metric with
// n, mean and SD, its difference from the baseline with the 95 % CI and
// effect size, and the daemon's call (GET /api/compare).  Every decision is
// the daemon's; this view only lays it out, visibly in print too.

import { get, layout as getLayout } from './api.js';
import { FootMap, legend } from './heatmap.js';
import { niceMax } from './colormap.js';
import { el, num, signed, unitText, digitsFor, dateTime, footName, isNum, mapUnit } from './format.js';
import { tableWrap } from './tables.js';

const CALL_TEXT = { higher: 'Higher', lower: 'Lower', no_clear_change: 'No clear change', too_few_steps: 'Too few steps', not_compared: 'Not compared' };

const FEET = ['left', 'right'];
const MAX_SESSIONS = 8;

function sessionName(s) {
	return `#${s.id} ${s.subject || ''} · ${s.footwear || 'no footwear given'} · ${dateTime(s.start_us)}`;
}

export async function mount(main, params) {
	const ids = (params.ids || '').split(',').map((x) => x.trim()).filter((x) => /^\d+$/.test(x));
	const head = el('div', { class: 'view-head' }, el('h1', {}, 'Compare sessions'), el('div', { class: 'actions' }));
	const picker = await pickerCard(ids);
	const body = el('div', { class: 'compare report-grid', id: 'compare' });
	main.append(head, picker, body);
	if (ids.length < 2) {
		body.append(el('section', { class: 'card' }, el('p', {}, 'Choose at least two sessions above (or tick them in the Sessions list). The first is the baseline.')));
		return null;
	}
	let res;
	try {
		res = await get(`compare?ids=${ids.join(',')}&kind=mean_peak`);
	} catch (e) {
		body.append(el('p', { class: 'error', role: 'alert' }, `Could not compare: ${e.message}`));
		return null;
	}
	const sessions = res.sessions ?? [];
	const names = sessions.map((s, i) => res.names?.[i] ?? `session #${s.id}`);
	// printing and the CSV once there is a comparison: before, they would give an empty page
	head.querySelector('.actions').append(el('button', { type: 'button', id: 'compare-print', onclick: () => window.print() }, 'Print'),
		el('a', { class: 'button', href: `api/compare?ids=${ids.join(',')}&format=csv` }, 'Comparison CSV'));
	body.append(findingsCard(res, names));
	body.append(el('section', { class: 'card' }, el('h2', {}, 'Sessions'),
		el('ol', { class: 'session-list' }, sessions.map((s, i) => el('li', {},
			el('a', { href: `#/report/${s.id}` }, `${names[i]} · ${sessionDetail(s, names[i])}${names[i].includes(`#${s.id}`) ? '' : ` (#${s.id})`}`),
			i === 0 ? el('strong', {}, ' (baseline)') : null)))));
	const mapsCard = el('section', { class: 'card maps-split', 'aria-labelledby': 'h-cmaps' }, el('h2', { id: 'h-cmaps' }, 'Peak pressure maps'));
	body.append(mapsCard);
	await drawMaps(mapsCard, sessions, names, res.heatmap_diff);
	body.append(metricTable(sessions, names, res.metrics ?? [], res.rules ?? {}));
	return null;
}

// What tells a session apart beside its name: its subject, unless the name
// says it (the daemon's names carry the subject when the sessions are not
// all of one), and its date.
function sessionDetail(s, name) {
	const subject = s.subject || 'no subject';
	return `${name.endsWith(`, ${subject}`) ? '' : `${subject} · `}${dateTime(s.start_us)}`;
}

// Confounds first (what makes the comparison unfair, and what to do), then
// the findings: both written by the daemon from its own decisions.
function findingsCard(res, names) {
	const warnings = (res.warnings ?? []).map((w) => el('p', { class: 'warn', dataset: { kind: w.kind } },
		el('strong', {}, 'Check the conditions: '), w.text, ' ', el('em', {}, w.advice)));
	const findings = (res.findings ?? []).map((f) => el('li', {}, f.text));
	return el('section', { class: 'card findings', 'aria-labelledby': 'h-cfindings', id: 'compare-findings' },
		el('h2', { id: 'h-cfindings' }, `Findings: ${names.slice(1).join(', ')} against ${names[0]}`),
		warnings,
		findings.length ? el('ul', {}, findings) : el('p', { class: 'muted' }, 'Nothing to compare.'));
}

async function pickerCard(ids) {
	const sel = el('select', { id: 'compare-add' }, el('option', { value: '' }, 'Choose a session…'));
	const chips = el('div', { class: 'chips', role: 'list', 'aria-label': 'Sessions being compared' });
	const go = (list) => { location.hash = `#/compare?ids=${list.join(',')}`; };
	try {
		const r = await get('sessions?limit=200');
		for (const s of r.sessions ?? []) {
			if (s.state === 'recording') continue;
			const o = el('option', { value: String(s.id) }, sessionName(s));
			if (ids.includes(String(s.id))) o.disabled = true;
			sel.append(o);
		}
		for (const id of ids) {
			const s = (r.sessions ?? []).find((x) => String(x.id) === id);
			chips.append(el('span', { class: 'chip', role: 'listitem' }, s ? sessionName(s) : `#${id}`,
				el('button', { type: 'button', 'aria-label': `Remove session ${id}`, onclick: () => go(ids.filter((x) => x !== id)) }, '×')));
		}
	} catch (e) {
		chips.append(el('p', { class: 'error' }, `Could not list sessions: ${e.message}`));
	}
	// Adding takes the button (or Enter in the form): a closed select changes
	// its value on ArrowDown, which must only move through the list.
	const add = el('button', { type: 'submit', id: 'compare-add-button' }, 'Add');
	const form = el('form', { class: 'stack add-form' }, el('label', { for: 'compare-add' }, 'Add a session'), el('div', { class: 'actions' }, sel, add));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		if (sel.value && ids.length < MAX_SESSIONS) go([...ids, sel.value]);
	});
	return el('section', { class: 'card compare-pick' },
		el('div', { class: 'stack' }, el('span', { class: 'label' }, 'Sessions (first = baseline)'), chips),
		form);
}

async function drawMaps(card, sessions, names, diff) {
	// a foot a session has no insole for (a one-foot recording) has no map to ask for
	const hms = await Promise.all(sessions.map((s) => Promise.all(FEET.map((f) => (s.layout?.[f]
		? get(`sessions/${s.id}/heatmap?foot=${f}&kind=mean_peak`).catch(() => null) : Promise.resolve(null))))));
	const layouts = await Promise.all(sessions.map((s) => Promise.all(FEET.map((f) => getLayout(s.layout?.[f]).catch(() => null)))));
	const max = niceMax(Math.max(50, ...hms.flat().map((h) => (isNum(h?.max_kpa) ? h.max_kpa : 0))));
	// kPa and raw sensor units on one colour scale would compare nothing
	const units = [...new Set(hms.flat().filter(Boolean).map(mapUnit))];
	const unit = units.length === 1 ? units[0] : 'kPa / raw units';
	const grid = el('div', { class: 'compare-maps' });
	card.append(grid);
	const jobs = [];
	// the feet any of the sessions recorded; one a session lacks says so
	const shown = FEET.map((f, fi) => ({ f, fi })).filter(({ fi }) => layouts.some((l) => l[fi]));
	sessions.forEach((s, si) => {
		const figs = shown.map(({ f, fi }) => {
			if (!layouts[si][fi]) return el('figure', { class: 'foot' }, el('figcaption', {}, `${footName(f)} · not recorded`));
			const u = mapUnit(hms[si][fi]);
			const canvas = el('canvas', { class: 'footmap', role: 'img', 'aria-label': `Session ${s.id} ${f} foot peak pressure, maximum ${num(hms[si][fi]?.max_kpa, 0)} ${u}` });
			jobs.push({ canvas, f, hm: hms[si][fi], layout: layouts[si][fi], min: 0, max, scale: 'viridis' });
			return el('figure', { class: 'foot' }, el('figcaption', {}, `${footName(f)} · ${num(hms[si][fi]?.max_kpa, 0)} ${u}`), canvas);
		});
		grid.append(el('div', {}, el('h3', {}, `${si === 0 ? 'Baseline: ' : ''}${names[si]}`), el('div', { class: 'feet' }, figs)));
	});
	card.append(legend({ min: 0, max, unit, caption: 'Peak pressure, mean of step peaks' }));
	if (units.length > 1)
		card.append(el('p', { class: 'warn', id: 'compare-mixed-units' }, 'These sessions are in different units (kPa and raw, uncalibrated sensor units): their maps share a colour scale but cannot be compared.'));
	if (diff && (diff.left || diff.right)) {
		const dmax = niceMax(Math.max(10, ...FEET.map((f) => maxAbs(diff[f]?.cells))));
		const figs = shown.map(({ f, fi }) => {
			const canvas = el('canvas', { class: 'footmap', role: 'img', id: `diff-${f}`, 'aria-label': `${footName(f)} foot peak pressure difference, largest change ${num(maxAbs(diff[f]?.cells), 0)} ${unit}` });
			jobs.push({ canvas, f, hm: diff[f], layout: layouts[sessions.length - 1][fi] ?? layouts[0][fi], min: -dmax, max: dmax, scale: 'diverging' });
			return el('figure', { class: 'foot' }, el('figcaption', {}, diff[f] ? `${footName(f)}` : `${footName(f)}: layouts differ, no difference map`), canvas);
		});
		card.append(el('div', { class: 'diff-block' }, el('h3', {}, `Difference: ${names[sessions.length - 1]} minus ${names[0]}`),
			el('p', { class: 'muted' }, 'Orange: more pressure than the baseline; purple: less; white: unchanged.'),
			el('div', { class: 'feet diff-feet' }, figs),
			legend({ scale: 'diverging', min: -dmax, max: dmax, unit, caption: 'Peak pressure change' })));
	}
	for (const j of jobs) {
		const m = new FootMap(j.canvas, j.f);
		m.setLayout(j.layout);
		const draw = () => m.draw({ heatmap: j.hm, min: j.min, max: j.max, scale: j.scale });
		draw();
		new ResizeObserver(draw).observe(j.canvas);
	}
}

function maxAbs(cells) {
	let m = 0;
	for (const v of cells ?? []) if (isNum(v)) m = Math.max(m, Math.abs(v));
	return m;
}

// A mean ± SD (wrapping, where it must, only after the ±) and an interval,
// on the screen and on paper alike.
const meanSd = (v, digits) => `${num(v.mean, digits)}\u00a0± ${num(v.sd, digits)}`;
const interval = ([lo, hi] = [], digits) => `${signed(lo, digits)} to ${signed(hi, digits)}`;

// One cell: n, mean ± SD; for a later session also the difference from the
// baseline with its 95 % CI, the percent change (ratio metrics only, as the
// daemon serves it), Hedges' g and the call, all as visible text.
function valueLines(v, digits) {
	if (!v || !isNum(v.mean)) return [el('div', {}, '–')];
	return [el('div', {}, el('span', { class: 'mean' }, meanSd(v, digits)), ' ', el('span', { class: 'delta' }, `n = ${v.n}`))];
}

function diffLines(m, d, digits) {
	if (!d) return [];
	const unit = unitText(m.diff_unit ?? m.unit);
	const lines = [];
	if (isNum(d.diff))
		lines.push(el('div', { class: 'delta' }, `Δ ${signed(d.diff, digits)} ${unit} `, el('span', { class: 'ci' }, `(CI ${interval(d.ci95, digits)})`)));
	if (isNum(d.pct))
		lines.push(el('div', { class: 'delta pct' }, `${signed(d.pct, 1)} % `, el('span', { class: 'ci' }, `(CI ${interval(d.pct_ci95, 1)} %)`)));
	lines.push(el('div', {}, el('span', { class: 'call' }, CALL_TEXT[d.call] ?? d.call ?? ''),
		isNum(d.hedges_g) ? el('span', { class: 'delta' }, ` · g ${signed(d.hedges_g, 2)} (${d.effect})`) : null));
	return lines;
}

// The feet any session has a value for: a one-foot insole gets no empty rows.
function feetShown(metrics) {
	const shown = FEET.filter((f) => metrics.some((m) => (m.values ?? []).some((v) => isNum(v?.[f]?.mean))));
	return shown.length ? shown : FEET;
}

// One session's value of one metric for one foot: mean ± SD and n and, for
// a later session, its difference from the baseline and the daemon's call.
function valueCell(m, i, f, digits) {
	const d = i > 0 ? m.vs_baseline?.[i]?.[f] : null;
	const called = d?.call === 'higher' || d?.call === 'lower';
	return el('td', { class: `n${called ? ' notable' : ''}`, title: d?.reason ?? null, dataset: { foot: f, call: d?.call ?? 'baseline' } },
		valueLines(m.values?.[i]?.[f], digits), diffLines(m, d, digits));
}

function metricHead(m, rows) {
	return el('th', { scope: 'rowgroup', rowspan: rows }, m.label, el('div', { class: 'delta' }, unitText(m.unit)));
}

// Up to three sessions stand side by side: a column per session and a row
// per foot under each metric (with a column per session and foot, a second
// session ran off a 1024 px screen and a third off an A4 page).
function sessionColumns(sessions, names, metrics, feet) {
	const head = el('tr', {}, el('th', { scope: 'col' }, 'Metric'), el('th', { scope: 'col' }, 'Foot'),
		...sessions.map((s, i) => el('th', { scope: 'col', class: 'n' }, `${i === 0 ? 'Baseline: ' : ''}${names[i]}`,
			el('div', { class: 'delta' }, sessionDetail(s, names[i])))));
	const bodies = metrics.map((m) => {
		const digits = digitsFor(m.unit);
		const rows = feet.map((f, fi) => el('tr', { dataset: { foot: f } }, fi > 0 ? null : metricHead(m, feet.length),
			el('td', {}, footName(f)), sessions.map((s, i) => valueCell(m, i, f, digits))));
		return el('tbody', { class: 'metric', dataset: { metric: m.name, scale: m.scale } }, rows);
	});
	return [head, bodies];
}

// Four sessions and more are listed one under another: under each metric's
// name (a row across the table) a row per session and a column per foot.  A
// fourth column of sessions no longer fit a 768 px tablet, an eighth neither
// a 1024 px screen nor an A4 page, whereas a row per session leaves each cell
// half the table's width, whatever the number of sessions, and puts every
// session's value of a metric for a foot in one column, read down.
function sessionRows(sessions, names, metrics, feet) {
	const head = el('tr', {}, el('th', { scope: 'col' }, 'Session'),
		...feet.map((f) => el('th', { scope: 'col', class: 'n' }, `${footName(f)} foot`)));
	const bodies = metrics.map((m) => {
		const digits = digitsFor(m.unit);
		const rows = sessions.map((s, i) => el('tr', { class: i === 0 ? 'baseline' : null, dataset: { session: s.id } },
			el('th', { scope: 'row' }, names[i], i === 0 ? el('div', { class: 'delta' }, 'baseline') : null),
			feet.map((f) => valueCell(m, i, f, digits))));
		const name = el('tr', { class: 'metric-name' }, el('th', { scope: 'rowgroup', colspan: feet.length + 1 },
			m.label, ' ', el('span', { class: 'delta' }, unitText(m.unit))));
		return el('tbody', { class: 'metric', dataset: { metric: m.name, scale: m.scale } }, name, rows);
	});
	return [head, bodies];
}

// The number of steps behind most of a session's means for a foot: the
// printed table gives n only where a metric's differs from it.
function usualSteps(metrics, i, f) {
	const count = new Map();
	for (const m of metrics) {
		const n = m.values?.[i]?.[f]?.n;
		if (n) count.set(n, (count.get(n) ?? 0) + 1);
	}
	return [...count].reduce((best, c) => (c[1] > best[1] ? c : best), [null, 0])[0];
}

// On paper, a line per foot (and, of three sessions and more, per later
// session, named by its number in the list of sessions): the values and
// the difference from the baseline each in a column of its own, aligned
// down the page, each on one line of A4.  Stacked in a cell as on the
// screen, a metric took eight lines and 91 metrics eleven pages.  Each
// session's usual n is said once above the table, and the percent change
// without its interval (both are on the screen and in the CSV).
function printTable(sessions, names, metrics, feet) {
	const later = sessions.length - 1;
	const usual = sessions.map((s, i) => Object.fromEntries(feet.map((f) => [f, usualSteps(metrics, i, f)])));
	// [the column's class, which print.css gives its width; heading; numbers?]
	const cols = [['c-metric', 'Metric, foot'], ['c-foot'],
		...(later > 1 ? [['c-value', 'Baseline (1)', true], ['c-session', 'Session'], ['c-value', 'Mean ± SD', true]]
			: [['c-value', `Baseline: ${names[0]}`, true], ['c-value', names[1], true]]),
		['c-diff', 'Δ (95 % CI)', true], ['c-pct', '%', true], ['c-g', 'g', true], ['c-call', 'Call']];
	const value = (v, i, f, digits) => (v && isNum(v.mean)
		? [el('span', { class: 'mean' }, meanSd(v, digits)), ...(v.n === usual[i][f] ? [] : [' ', el('span', { class: 'delta' }, `(n = ${v.n})`)])] : '–');
	const bodies = metrics.map((m) => {
		const digits = digitsFor(m.unit);
		const name = [m.label, ' ', el('span', { class: 'delta' }, unitText(m.unit))];
		// a line, not a line of dashes per foot and session
		if (!sessions.some((s, i) => feet.some((f) => isNum(m.values?.[i]?.[f]?.mean))))
			return el('tbody', { class: 'metric', dataset: { metric: m.name } },
				el('tr', {}, el('th', { scope: 'row', colspan: cols.length }, name, ': not measured in these sessions')));
		const rows = feet.flatMap((f, fi) => sessions.slice(1).map((s, j) => {
			const i = j + 1, d = m.vs_baseline?.[i]?.[f];
			const called = d?.call === 'higher' || d?.call === 'lower';
			const cls = called ? 'n notable' : 'n';
			return el('tr', { dataset: { foot: f, session: s.id, call: d?.call ?? null } },
				fi + j === 0 ? el('th', { scope: 'rowgroup', rowspan: feet.length * later }, name) : null,
				j === 0 ? [el('td', { rowspan: later }, footName(f)[0]), el('td', { class: 'n', rowspan: later }, value(m.values?.[0]?.[f], 0, f, digits))] : null,
				later > 1 ? el('th', { scope: 'row' }, String(i + 1)) : null,
				el('td', { class: cls }, value(m.values?.[i]?.[f], i, f, digits)),
				el('td', { class: cls }, isNum(d?.diff) ? [signed(d.diff, digits), ' ', el('span', { class: 'ci' }, `(${interval(d.ci95, digits)})`)] : '–'),
				el('td', { class: cls }, isNum(d?.pct) ? signed(d.pct, 1) : ''),
				el('td', { class: cls }, isNum(d?.hedges_g) ? signed(d.hedges_g, 2) : ''),
				el('td', { class: called ? 'notable call' : 'call' }, CALL_TEXT[d?.call] ?? d?.call ?? ''));
		}));
		return el('tbody', { class: 'metric', dataset: { metric: m.name } }, rows);
	});
	const steps = sessions.map((s, i) => `${later > 1 ? `${i + 1}. ` : ''}${names[i]} ${feet.map((f) => `${usual[i][f] ?? 0} ${f}`).join(' and ')}`);
	return el('div', { class: 'print-only' },
		el('p', { class: 'muted', id: 'compare-print-steps' }, `Means ± standard deviations over n steps: ${steps.join('; ')}; a mean over another n says so. The percent change's 95 % CI is in the Comparison CSV.`),
		el('table', { class: later > 1 ? 'data per-session' : 'data', id: 'compare-print-table' },
			el('colgroup', {}, cols.map(([cls]) => el('col', { class: cls }))),
			el('thead', {}, el('tr', {}, cols.filter(([, text]) => text).map(([cls, text, n]) =>
				el('th', { scope: 'col', class: n ? `${cls} n` : cls, colspan: cls === 'c-metric' ? 2 : null }, text)))), bodies));
}

const COLUMNS_MAX = 3;

// Each metric is a tbody of its own, kept whole across a page break.
function metricTable(sessions, names, metrics, rules) {
	const bySession = sessions.length > COLUMNS_MAX;
	const feet = feetShown(metrics);
	const [head, bodies] = (bySession ? sessionRows : sessionColumns)(sessions, names, metrics, feet);
	const onScreen = tableWrap(el('table', { class: bySession ? 'data by-session' : 'data', id: 'compare-table' }, el('thead', {}, head), bodies));
	onScreen.classList.add('no-print');
	return el('section', { class: 'card metrics-card', 'aria-labelledby': 'h-cmetrics' },
		el('h2', { id: 'h-cmetrics' }, 'Metrics'),
		el('p', { class: 'muted' }, el('span', { class: 'no-print' }, 'Each cell: mean ± standard deviation over steps and n, the number of steps behind the mean. '), 'Later sessions: Δ = the difference from the baseline with its 95 % confidence interval (Welch); the percent change only for quantities with a true zero (never for positions, signed values, shares or classes); Hedges’ g, the difference in pooled standard deviations. ',
			el('span', { class: 'notable' }, 'Highlighted'), `: called out as higher or lower, because the interval excludes zero, |g| is at least ${num(rules.min_hedges_g, 1)} (a moderate effect) and both sessions have at least ${rules.min_steps ?? '–'} steps.`),
		onScreen, printTable(sessions, names, metrics, feet));
}
