// The report's averaged force curve (mean ± 1 SD over stance, 0-100 %) and
// centre-of-pressure gait lines.  Every number comes from the daemon
// (GET /api/sessions/ID/curves, computed by the analysis from the raw
// recording): this file only draws them.

import { get } from './api.js';
import { FootMap } from './heatmap.js';
import { plot, axis, FOOT_COLOURS, FOOT_FILLS } from './charts.js';
import { el, num, footName, isNum } from './format.js';

const FEET = ['left', 'right'];

// [[x, y] | null, ...] -> [{x, y}, ...] without the points that have no CoP.
function linePoints(path) {
	return (path ?? []).filter((p) => p && isNum(p[0]) && isNum(p[1])).map(([x, y]) => ({ x, y }));
}

function meanLine(foot) {
	const xs = foot.cop_x_mm?.mean ?? [], ys = foot.cop_y_mm?.mean ?? [];
	return linePoints(xs.map((x, i) => [x, ys[i]]));
}

function skippedNote(curves) {
	const parts = FEET.map((f) => {
		const s = curves[f]?.skipped;
		const n = (s?.too_long ?? 0) + (s?.incomplete ?? 0);
		return n ? `${footName(f)}: ${n} (${s.too_long} longer than ${num(curves.max_stance_ms / 1000, 0)} s, ${s.incomplete} with frames missing)` : null;
	}).filter(Boolean);
	return parts.length ? el('p', { class: 'muted' }, `Stances not averaged: ${parts.join('; ')}.`) : null;
}

// The daemon keeps the gait lines of the most recent steps only.
function pathsText(curves, feet) {
	if (feet.every((f) => curves[f].paths_mm.length >= curves[f].steps)) return 'every step';
	return `the last ${Math.max(...feet.map((f) => curves[f].paths_mm.length))} steps of each foot`;
}

function forceChart(box, curves, feet) {
	const xs = Array.from({ length: curves.points }, (_, i) => (100 * i) / (curves.points - 1));
	const series = [{ label: '% stance', value: (u, v) => num(v, 0) }];
	const data = [xs];
	const bands = [];
	for (const f of feet) {
		const { mean, sd } = curves[f].force_n;
		const base = data.length;
		const plus = mean.map((m, i) => (isNum(m) && isNum(sd[i]) ? m + sd[i] : null));
		const minus = mean.map((m, i) => (isNum(m) && isNum(sd[i]) ? m - sd[i] : null));
		data.push(mean, plus, minus);
		series.push({ label: `${footName(f)} mean (N), ${curves[f].steps} steps`, stroke: FOOT_COLOURS[f], width: 2.5, value: (u, v) => num(v, 0) },
			{ label: `${footName(f)} +1 SD`, stroke: FOOT_FILLS[f], width: 1, value: (u, v) => num(v, 0) },
			{ label: `${footName(f)} −1 SD`, stroke: FOOT_FILLS[f], width: 1, value: (u, v) => num(v, 0) });
		bands.push({ series: [base + 1, base + 2], fill: FOOT_FILLS[f] });
	}
	return plot(box, {
		scales: { x: { time: false } },
		axes: [axis('Stance (%)'), axis('Force (N)')],
		legend: { live: false },
		series, bands,
	}, data, 260);
}

function gaitLines(gait, curves, layouts) {
	FEET.forEach((f, fi) => {
		if (!layouts[fi]) return; // no insole on this foot in the recording
		const c = curves[f];
		const n = c?.steps ?? 0;
		const canvas = el('canvas', { class: 'footmap', role: 'img', id: `gait-${f}`, 'aria-label': `${footName(f)} foot centre-of-pressure paths of ${n} steps` });
		gait.append(el('figure', { class: 'foot' }, el('figcaption', {}, `${footName(f)} · ${n} steps`), canvas));
		const m = new FootMap(canvas, f);
		m.setLayout(layouts[fi]);
		const lines = (c?.paths_mm ?? []).map(linePoints);
		const mean = c && n ? meanLine(c) : null;
		const draw = () => m.draw({ lines, mean });
		draw();
		new ResizeObserver(draw).observe(canvas);
	});
}

// Fills the report's curves card; returns the charts to destroy with the view.
export async function drawCurves(card, id, layouts) {
	const status = card.querySelector('#curves-status');
	const curves = await get(`sessions/${encodeURIComponent(id)}/curves`);
	const feet = FEET.filter((f) => curves[f]?.steps > 0 && curves[f].force_n);
	if (!feet.length) {
		const raw = FEET.some((f) => curves[f]?.arbitrary_units);
		status.textContent = raw
			? 'This insole reports raw, uncalibrated units: there is no force curve in newtons to average.'
			: 'No complete steps to average.';
		return [];
	}
	status.remove();
	const box = el('div', { class: 'chart', id: 'force-curve' });
	const gait = el('div', { class: 'feet', id: 'gait-lines' });
	card.append(el('div', { class: 'two-col' },
		el('div', {}, el('h3', {}, 'Averaged force curve (mean ± 1 SD)'), box,
			el('p', { class: 'muted' }, 'Total force under each foot over the stance phase, time-normalised to 0–100 % of stance.')),
		el('div', {}, el('h3', {}, 'Centre-of-pressure gait lines'), gait,
			el('p', { class: 'muted' }, `Thin: ${pathsText(curves, feet)}; bold: the mean path, heel to toe. Seen from above.`))));
	const note = skippedNote(curves);
	if (note) card.append(note);
	const chart = forceChart(box, curves, feet);
	gaitLines(gait, curves, layouts);
	return [chart];
}
