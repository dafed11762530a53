// Frame-by-frame playback of a recorded session in the report: both feet's
// pressure maps with the centre of pressure, and the force curves with a
// cursor, all at one moment chosen with a slider, played or stepped frame
// by frame; the slider marks each step's contact.  Frames come from
// GET /api/sessions/ID/frames (the analysis' replay of the raw archive).

import { get } from './api.js';
import { FootMap } from './heatmap.js';
import { niceMax } from './colormap.js';
import { plot, destroy, axis, FOOT_COLOURS } from './charts.js';
import { el, num, footName, isNum, phaseName } from './format.js';

const FEET = ['left', 'right'];
const TRAIL_S = 0.5;            // CoP trail behind the current frame
const IDW_NEIGHBOURS = 16;      // as the daemon's heatmaps (analysis/heatmap.c)
const IDW_EXACT_MM = 1e-3;

// Sparse layouts: inverse-distance weights (Shepard, power 2, the nearest
// 16 sensors, a cell on a sensor takes its value) from each cell of the
// layout's heatmap grid to the sensors, the rule the daemon's maps use.
function idwWeights(lay) {
	const g = lay.mask.grid;
	const out = new Array(g.w * g.h).fill(null);
	const sensors = lay.sensors.map((s) => [s.x_mm, s.y_mm]);
	for (let r = 0; r < g.h; r++) {
		for (let c = 0; c < g.w; c++) {
			if (g.cells[r * g.w + c] === null) continue;
			const x = g.x0_mm + c * g.cell_mm, y = g.y0_mm + r * g.cell_mm;
			const near = sensors.map(([sx, sy], i) => [Math.hypot(sx - x, sy - y), i]).sort((a, b) => a[0] - b[0]).slice(0, IDW_NEIGHBOURS);
			out[r * g.w + c] = near[0][0] < IDW_EXACT_MM ? [[near[0][1], 1]] : near.map(([d, i]) => [i, 1 / (d * d)]);
		}
	}
	return out;
}

function heatmapOf(lay, weights, kpa) {
	const g = lay.mask.grid;
	const cells = lay.is_grid ? kpa.slice() : weights.map((w) => {
		if (!w) return null;
		let s = 0, n = 0;
		for (const [i, wi] of w) { if (isNum(kpa[i])) { s += wi * kpa[i]; n += wi; } }
		return n ? s / n : null;
	});
	return { w: g.w, h: g.h, cell_mm: g.cell_mm, x0_mm: g.x0_mm, y0_mm: g.y0_mm, cells, sensors: lay.is_grid ? null : kpa };
}

// Index of the last frame at or before t (frames sorted by time), or -1.
function frameAt(frames, t) {
	let lo = 0, hi = frames.length - 1, best = -1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		if (frames[mid].t_us <= t) { best = mid; lo = mid + 1; } else hi = mid - 1;
	}
	return best;
}

export function playbackCard(id, layouts) {
	const box = el('div', { class: 'playback-body' }, el('p', { class: 'muted' }, 'Open to load the recording.'));
	const card = el('details', { class: 'card playback', id: 'playback' },
		el('summary', {}, el('h2', {}, 'Playback, frame by frame')), box);
	const state = { charts: [] };
	card.addEventListener('toggle', () => {
		if (!card.open || state.loaded) return;
		state.loaded = true;
		load(box, id, layouts, state).catch((e) => box.replaceChildren(el('p', { class: 'error' }, `Playback unavailable: ${e.message}`)));
	});
	return { card, destroy: () => { state.stop?.(); state.charts.forEach(destroy); } };
}

// The span of both feet's frames, their interval and one colour range.
function timeline(feet) {
	const t0 = Math.min(...feet.map((x) => x.d.frames[0].t_us));
	const t1 = Math.max(...feet.map((x) => x.d.frames[x.d.frames.length - 1].t_us));
	const dt = Math.min(...feet.map((x) => (x.d.frames.length > 1 ? (x.d.frames[1].t_us - x.d.frames[0].t_us) : 10000)));
	const max = niceMax(Math.max(50, ...feet.flatMap((x) => x.d.frames.map((fr) => Math.max(0, ...fr.kpa.filter(isNum))))));
	return { t0, t1, dt, max };
}

// Each step's contact as a tick under the slider.
function stepMarks(feet, tl) {
	const marks = el('div', { class: 'playback-marks', 'aria-hidden': 'true' });
	for (const x of feet) {
		for (const s of x.d.steps ?? []) {
			const pos = ((s.contact_us - tl.t0) / (tl.t1 - tl.t0 || 1)) * 100;
			marks.append(el('span', { class: `mark ${x.f}`, style: `left:${pos.toFixed(2)}%`, title: `${footName(x.f)} step ${s.index + 1}` }));
		}
	}
	return marks;
}

// Both feet's force against time (at most ~3000 points), the cursor marks the moment.
function forceChart(box, feet, tl) {
	const xs = [], ys = feet.map(() => []);
	const step = Math.max(1, Math.floor(Math.max(...feet.map((x) => x.d.frames.length)) / 3000));
	for (let k = 0; k < feet[0].d.frames.length; k += step) {
		const t = feet[0].d.frames[k].t_us;
		xs.push((t - tl.t0) / 1e6);
		feet.forEach((x, i) => { const j = frameAt(x.d.frames, t); ys[i].push(j >= 0 ? x.d.frames[j].force_n : null); });
	}
	return plot(box, {
		scales: { x: { time: false } },
		axes: [axis('Time (s)'), axis('Force (N)')],
		series: [{ label: 'Time (s)' }, ...feet.map((x) => ({ label: `${footName(x.f)} force (N)`, stroke: FOOT_COLOURS[x.f], width: 1.5, spanGaps: true }))],
		cursor: { drag: { x: false, y: false } },
		legend: { live: false },
	}, [xs, ...ys], 180);
}

// One foot at time t: its map with the CoP and the trail behind it.
function drawFoot(x, t, max) {
	const j = frameAt(x.d.frames, t);
	const fr = j >= 0 ? x.d.frames[j] : null;
	const trail = [];
	for (let k = j; k >= 0 && fr && t - x.d.frames[k].t_us <= TRAIL_S * 1e6; k--) {
		const p = x.d.frames[k];
		if (isNum(p.cop_x_mm) && p.in_stance) trail.unshift({ x: p.cop_x_mm, y: p.cop_y_mm, a: 1 - (t - p.t_us) / (TRAIL_S * 1e6) });
	}
	x.map.draw({ heatmap: fr ? heatmapOf(x.lay, x.weights, fr.kpa) : null, min: 0, max, trail,
		cop: fr && fr.in_stance && isNum(fr.cop_x_mm) ? { x: fr.cop_x_mm, y: fr.cop_y_mm } : null });
	x.firstStance ??= x.d.frames.findIndex((p) => p.in_stance);
	x.readout.textContent = fr ? `${num(fr.force_n, 0)} N · ${phaseName(fr.in_stance, x.firstStance >= 0 && j >= x.firstStance)}` : '–';
}

function footFigure(x) {
	const canvas = el('canvas', { class: 'footmap', role: 'img', id: `playback-map-${x.f}`, 'aria-label': `${footName(x.f)} foot pressure at the chosen moment` });
	x.map = new FootMap(canvas, x.f);
	x.map.setLayout(x.lay);
	x.readout = el('p', { class: 'muted playback-readout' });
	return el('figure', { class: 'foot' }, el('figcaption', {}, `${footName(x.f)} foot`), canvas, x.readout);
}

// Play (in real time) / pause and one frame back or forward; show() draws the slider's moment.
function wireControls(ui, tl, show, state) {
	let timer = 0;
	const stop = () => { clearInterval(timer); timer = 0; ui.play.textContent = 'Play'; };
	state.stop = stop;
	ui.play.addEventListener('click', () => {
		if (timer) { stop(); return; }
		ui.play.textContent = 'Pause';
		let last = performance.now();
		timer = setInterval(() => {
			const now = performance.now();
			const v = Number(ui.slider.value) + (now - last) * 1000;
			last = now;
			if (v >= tl.t1 - tl.t0) { ui.slider.value = tl.t1 - tl.t0; stop(); } else ui.slider.value = v;
			show();
		}, 40);
	});
	const nudge = (dir) => { stop(); ui.slider.value = Math.min(tl.t1 - tl.t0, Math.max(0, Number(ui.slider.value) + dir * tl.dt)); show(); };
	ui.prev.addEventListener('click', () => nudge(-1));
	ui.next.addEventListener('click', () => nudge(1));
	ui.slider.addEventListener('input', show);
}

async function load(box, id, layouts, state) {
	const data = await Promise.all(FEET.map((f) => get(`sessions/${id}/frames?foot=${f}`).catch(() => null)));
	const feet = FEET.map((f, i) => ({ f, lay: layouts[i], d: data[i] })).filter((x) => x.d?.frames?.length && x.lay?.mask?.grid);
	if (!feet.length) { box.replaceChildren(el('p', { class: 'muted' }, 'No frames to play.')); return; }
	for (const x of feet) x.weights = x.lay.is_grid ? null : idwWeights(x.lay);
	const tl = timeline(feet);
	const ui = {
		slider: el('input', { type: 'range', id: 'playback-slider', min: 0, max: tl.t1 - tl.t0, step: tl.dt, value: 0, 'aria-label': 'Time in the recording' }),
		play: el('button', { type: 'button', id: 'playback-play', class: 'primary' }, 'Play'),
		prev: el('button', { type: 'button', id: 'playback-prev', 'aria-label': 'Previous frame' }, '◀ Frame'),
		next: el('button', { type: 'button', id: 'playback-next', 'aria-label': 'Next frame' }, 'Frame ▶'),
		time: el('span', { class: 'playback-time', id: 'playback-time', role: 'status' }),
	};
	const chartBox = el('div', { class: 'chart', id: 'playback-force' });
	const every = Math.max(...feet.map((x) => x.d.every ?? 1));
	box.replaceChildren(el('div', { class: 'feet' }, feet.map(footFigure)), chartBox,
		el('div', { class: 'playback-track' }, ui.slider, stepMarks(feet, tl)),
		el('div', { class: 'actions' }, ui.play, ui.prev, ui.next, ui.time),
		el('p', { class: 'muted' }, `Ticks under the slider: each step's contact (blue left, orange right). ${every > 1 ? `Long recording: every ${every}th frame is shown.` : 'Every recorded frame.'}`));
	const chart = forceChart(chartBox, feet, tl);
	if (chart) state.charts.push(chart);
	const show = () => {
		const t = tl.t0 + Number(ui.slider.value);
		ui.time.textContent = `${num((t - tl.t0) / 1e6, 2)} s of ${num((tl.t1 - tl.t0) / 1e6, 1)} s`;
		for (const x of feet) drawFoot(x, t, tl.max);
		if (chart) chart.setCursor({ left: chart.valToPos((t - tl.t0) / 1e6, 'x'), top: 10 });
		box.dataset.t = String(t);
	};
	wireControls(ui, tl, show, state);
	show();
}
