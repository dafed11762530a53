// Compare two or more sessions (shoe A vs shoe B vs barefoot): peak maps
// side by side, the difference map of the last against the baseline, and
// every metric with its difference and percent change, marking changes
// larger than the step-to-step variation (GET /api/compare).

import { get, layout as getLayout } from './api.js';
import { FootMap, legend } from './heatmap.js';
import { niceMax } from './colormap.js';
import { el, num, signed, unitText, digitsFor, dateTime, footName, isNum } from './format.js';

const FEET = ['left', 'right'];
const MAX_SESSIONS = 8;

function sessionName(s) {
	return `#${s.id} ${s.subject || ''} · ${s.footwear || 'no footwear given'} · ${dateTime(s.start_us)}`;
}

export async function mount(main, params) {
	const ids = (params.ids || '').split(',').map((x) => x.trim()).filter((x) => /^\d+$/.test(x));
	const head = el('div', { class: 'view-head' }, el('h1', {}, 'Compare sessions'),
		el('div', { class: 'actions' }, el('button', { type: 'button', onclick: () => window.print() }, 'Print')));
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
	body.append(el('section', { class: 'card' }, el('h2', {}, 'Sessions'),
		el('ol', { class: 'session-list' }, sessions.map((s, i) => el('li', {},
			el('a', { href: `#/report/${s.id}` }, sessionName(s)), i === 0 ? el('strong', {}, ' (baseline)') : null)))));
	const mapsCard = el('section', { class: 'card', 'aria-labelledby': 'h-cmaps' }, el('h2', { id: 'h-cmaps' }, 'Peak pressure maps'));
	body.append(mapsCard);
	await drawMaps(mapsCard, sessions, res.heatmap_diff);
	body.append(metricTable(sessions, res.metrics ?? []));
	return null;
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

async function drawMaps(card, sessions, diff) {
	const hms = await Promise.all(sessions.map((s) => Promise.all(FEET.map((f) =>
		get(`sessions/${s.id}/heatmap?foot=${f}&kind=mean_peak`).catch(() => null)))));
	const layouts = await Promise.all(sessions.map((s) => Promise.all(FEET.map((f) => getLayout(s.layout?.[f]).catch(() => null)))));
	const max = niceMax(Math.max(50, ...hms.flat().map((h) => (isNum(h?.max_kpa) ? h.max_kpa : 0))));
	const grid = el('div', { class: 'compare-maps' });
	card.append(grid);
	const jobs = [];
	sessions.forEach((s, si) => {
		const figs = FEET.map((f, fi) => {
			const canvas = el('canvas', { class: 'footmap', role: 'img', 'aria-label': `Session ${s.id} ${f} foot peak pressure, maximum ${num(hms[si][fi]?.max_kpa, 0)} kPa` });
			jobs.push({ canvas, f, hm: hms[si][fi], layout: layouts[si][fi], min: 0, max, scale: 'viridis' });
			return el('figure', { class: 'foot' }, el('figcaption', {}, `${footName(f)} · ${num(hms[si][fi]?.max_kpa, 0)} kPa`), canvas);
		});
		grid.append(el('div', {}, el('h3', {}, `${si === 0 ? 'Baseline: ' : ''}${s.footwear || 'no footwear given'} (#${s.id})`), el('div', { class: 'feet' }, figs)));
	});
	card.append(legend({ min: 0, max, unit: 'kPa', caption: 'Peak pressure, mean of step peaks' }));
	if (diff && (diff.left || diff.right)) {
		const dmax = niceMax(Math.max(10, ...FEET.map((f) => maxAbs(diff[f]?.cells))));
		const last = sessions[sessions.length - 1];
		const figs = FEET.map((f, fi) => {
			const canvas = el('canvas', { class: 'footmap', role: 'img', id: `diff-${f}`, 'aria-label': `${footName(f)} foot peak pressure difference, largest change ${num(maxAbs(diff[f]?.cells), 0)} kPa` });
			jobs.push({ canvas, f, hm: diff[f], layout: layouts[sessions.length - 1][fi] ?? layouts[0][fi], min: -dmax, max: dmax, scale: 'diverging' });
			return el('figure', { class: 'foot' }, el('figcaption', {}, diff[f] ? `${footName(f)}` : `${footName(f)}: layouts differ, no difference map`), canvas);
		});
		card.append(el('h3', {}, `Difference: ${last.footwear || '#' + last.id} minus baseline`),
			el('p', { class: 'muted' }, 'Orange: more pressure than the baseline; purple: less; white: unchanged.'),
			el('div', { class: 'feet diff-feet' }, figs),
			legend({ scale: 'diverging', min: -dmax, max: dmax, unit: 'kPa', caption: 'Peak pressure change' }));
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

function metricTable(sessions, metrics) {
	const headRow1 = el('tr', {}, el('th', { scope: 'col', rowspan: 2 }, 'Metric'), el('th', { scope: 'col', rowspan: 2 }, 'Unit'),
		...sessions.map((s, i) => el('th', { scope: 'colgroup', colspan: 2, class: 'n' }, i === 0 ? `Baseline #${s.id}` : `#${s.id}`)));
	const headRow2 = el('tr', {}, ...sessions.flatMap(() => FEET.map((f) => el('th', { scope: 'col', class: 'n' }, footName(f)))));
	const rows = metrics.map((m) => {
		const digits = digitsFor(m.unit);
		const cells = sessions.flatMap((s, i) => FEET.map((f) => {
			const v = m.values?.[i]?.[f];
			if (i === 0) return el('td', { class: 'n' }, num(v, digits));
			const d = m.diff?.[i]?.[f], p = m.pct_change?.[i]?.[f];
			const notable = m.notable?.[i]?.[f] === true;
			const sd = m.step_sd?.[i]?.[f];
			const detail = isNum(d) ? `${signed(d, digits)}${isNum(p) ? ` (${signed(p, 1)} %)` : ''}` : '';
			return el('td', { class: `n${notable ? ' notable' : ''}`, title: isNum(sd) ? `step-to-step SD ${num(sd, digits)}` : null },
				num(v, digits), detail ? el('div', { class: 'delta' }, detail) : null,
				notable ? el('span', { class: 'sr-only' }, ' (change larger than step-to-step variation)') : null);
		}));
		return el('tr', { dataset: { metric: m.name } }, el('th', { scope: 'row' }, m.label), el('td', {}, unitText(m.unit)), cells);
	});
	return el('section', { class: 'card metrics-card', 'aria-labelledby': 'h-cmetrics' },
		el('h2', { id: 'h-cmetrics' }, 'Metrics'),
		el('p', { class: 'muted' }, 'Mean per foot; under each value its difference from the baseline and the percent change. ',
			el('span', { class: 'notable' }, 'Highlighted'), ': the change is larger than the step-to-step standard deviation of either session.'),
		el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'compare-table' }, el('thead', {}, headRow1, headRow2), el('tbody', {}, rows))));
}
