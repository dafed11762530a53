// Live view: both feet as pressure maps with the centre-of-pressure gait
// line, scrolling total-force curves, region loads, the last steps,
// recording control, device status and data-quality warnings.

import { get, post, ApiError, lanePath } from './api.js';
import * as api from './api.js';
import { FootMap, legend } from './heatmap.js';
import { layoutWithMask } from './mapmarks.js';
import { niceMax } from './colormap.js';
import { plot, destroy, axis, FOOT_COLOURS } from './charts.js';
import { el, num, signed, strikeName, footName, isNum, withUnit, mapUnit, phaseName } from './format.js';
import { setConnection } from './shell.js';
import { deviceList, qualityWarnings } from './status.js';
import { newRecordingState, followRecording, countStep, syncClock, renderProgress, recordingView, recordingForm } from './recording.js';
import { tableWrap } from './tables.js';

const FEET = ['left', 'right'];
const REGIONS = [['heel', 'Heel'], ['midfoot', 'Midfoot'], ['forefoot', 'Forefoot'], ['toes', 'Toes']];
const TRAIL_US = 1.5e6;        // gait line: about one walking stance plus its fade
const FORCE_WINDOW_S = 10;     // seconds of force history on screen
const AUTO_RANGE_US = 4e6;     // auto colour range follows the peak of the last few steps
const TEXT_EVERY_MS = 250;     // numbers as text: readable, not flickering
const STATUS_EVERY_MS = 2000;
const STALE_US = 2e6;          // a foot silent this long is reported
const STEP_ROWS = 12;
const SATURATION_HOLD_MS = 3000; // keep the saturation warning up long enough to read
// A stream the daemon closed (restart, lost login) is reopened after this:
// long enough not to hammer a daemon that is starting, short enough that
// the view comes back by itself within a few seconds.
const STREAM_RETRY_MS = 3000;
const MIN_LOAD_FRACTION = 0.05; // of the foot's recent peak force: below it the foot counts as unloaded

// The units of the insole's values: an insole in raw, uncalibrated sensor
// units (its maps say `units: raw`) has no newtons or kPa to show.
function units(st) {
	const raw = mapUnit(FEET.map((f) => st.feet[f].frame?.heatmap).find(Boolean)) === 'raw units';
	return raw ? { force: 'raw units', pressure: 'raw units' } : { force: 'N', pressure: 'kPa' };
}

// The total-force chart, made again when the insole's units change.
function forceChart(ui, unit) {
	if (ui.chartUnit === unit) return;
	destroy(ui.chart);
	ui.chartUnit = unit;
	ui.chart = plot(ui.forceBox, {
		scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, Math.max(100, hi * 1.1)] } },
		axes: [axis('Time (s, 0 = now)'), axis(`Force (${unit})`)],
		series: [{ label: 'Time (s)', value: (u, v) => num(v, 2) },
			...FEET.map((f) => ({ label: `${footName(f)} force (${unit})`, stroke: FOOT_COLOURS[f], width: 2, spanGaps: true, value: (u, v) => num(v, 0) }))],
		legend: { live: false },
		cursor: { show: false },
	}, [[], [], []], 200);
}

export async function mount(main) {
	const st = {
		feet: { left: newFoot(), right: newFoot() },
		steps: [],
		recording: null,
		rec: newRecordingState(),
		status: null,
		prevStatus: null,
		range: { auto: true, fixed: 400, max: 100 },
		peaks: [],
		force: { t: [], left: [], right: [] },
		dirty: true,
		lastText: 0,
		lastWall: { left: 0, right: 0 },
		alive: true,
	};
	const ui = build(main, st);
	let es = null, statusTimer = 0, raf = 0;

	try {
		const snap = await get(`live?steps=${STEP_ROWS}`);
		applySnapshot(st, snap);
	} catch (e) {
		if (e instanceof ApiError && e.status === 401) {
			// The login dialog is open; signing in mounts this view again.
			ui.alerts.replaceChildren(el('p', { class: 'alert warn' }, 'Sign in to see live data.'));
			return () => { st.alive = false; };
		}
		ui.alerts.replaceChildren(el('p', { class: 'alert bad' }, `Live data unavailable: ${e.message}`));
	}
	loadOutlines(st).then(() => { st.dirty = true; });
	renderRecording(ui, st);
	renderSteps(ui, st);

	forceChart(ui, units(st).force);

	const onFrame = (ev) => {
		const d = JSON.parse(ev.data);
		if (!FEET.includes(d.foot) || !d.frame) return;
		addFrame(st, d.foot, d.t_us, d.frame);
	};
	const onStep = (ev) => {
		const s = JSON.parse(ev.data);
		addStep(st, s);
		countStep(st.rec, s);
		renderSteps(ui, st);
	};
	const onSession = (ev) => {
		try {
			const d = JSON.parse(ev.data);
			if (d && 'recording' in d) { st.recording = d.recording; renderRecording(ui, st); }
		} catch { /* informational only */ }
	};
	function openStream() {
		es = new EventSource(`api/${lanePath('live/stream')}`);
		es.addEventListener('frame', onFrame);
		es.addEventListener('step', onStep);
		es.addEventListener('session', onSession);
		es.addEventListener('open', () => setConnection('ok', 'Live'));
		es.addEventListener('error', () => {
			if (es.readyState === EventSource.CLOSED) {
				setConnection('bad', 'Stream closed');
				// find out why (a 401 opens the login) and try again later
				get('status').catch(() => {});
				setTimeout(() => { if (st.alive) openStream(); }, STREAM_RETRY_MS);
			} else setConnection('warn', 'Reconnecting…');
		});
	}
	openStream();

	async function pollStatus() {
		try {
			st.prevStatus = st.status;
			st.status = await get('status');
			syncClock(st.rec, st.status);
			followFootprintMask(st);
			if (st.status && 'recording' in st.status) st.recording = st.status.recording;
			renderStatus(ui, st);
			renderRecording(ui, st);
		} catch (e) {
			if (e instanceof ApiError && e.status === 401) return; // signing in remounts the view
			setConnection('bad', 'Daemon unreachable');
			// the last answer ("streaming, last frame 1 ms ago") would go on vouching for the insole
			ui.devices.replaceChildren(el('p', { class: 'alert bad', id: 'devices-unknown' }, 'The daemon does not answer: the devices’ state is not known.'));
		}
		if (st.alive) statusTimer = setTimeout(pollStatus, STATUS_EVERY_MS);
	}
	pollStatus();

	const frameLoop = (now) => {
		if (!st.alive) return;
		if (st.dirty) { drawMaps(ui, st); updateChart(ui, st); st.dirty = false; }
		if (now - st.lastText > TEXT_EVERY_MS) { renderText(ui, st); renderProgress(ui.recBox, st.rec); st.lastText = now; }
		raf = requestAnimationFrame(frameLoop);
	};
	raf = requestAnimationFrame(frameLoop);
	const onResize = () => { st.dirty = true; };
	window.addEventListener('resize', onResize);

	return () => {
		st.alive = false;
		es?.close();
		clearTimeout(statusTimer);
		cancelAnimationFrame(raf);
		window.removeEventListener('resize', onResize);
		destroy(ui.chart);
	};
}

function newFoot() {
	return { frame: null, t_us: null, trail: [], layout: null, forcePeaks: [], loaded: false, seenStance: false };
}

// The CoP of a barely loaded foot is mostly noise: the gait line and the
// region shares only use frames in stance carrying a fair part of the
// foot's recent peak force.
function loaded(F, frame) {
	if (frame.in_stance === false || !isNum(frame.force_n)) return false;
	const peak = F.forcePeaks.reduce((m, p) => Math.max(m, p.v), 0);
	return frame.force_n > peak * MIN_LOAD_FRACTION;
}

function applySnapshot(st, snap) {
	if (!snap) return;
	st.recording = snap.recording ?? null;
	for (const f of FEET) if (snap.feet?.[f]) addFrame(st, f, snap.t_us, snap.feet[f]);
	for (const s of (snap.steps ?? [])) addStep(st, s);
}

// Outlines come from the layouts of the connected devices.
async function loadOutlines(st) {
	try {
		st.configured = await get('devices');
		const devs = deviceList(st.configured);
		for (const d of devs) {
			const feet = FEET.includes(d.foot) ? [d.foot] : FEET; // "auto": the frames say which foot
			const name = typeof d.layout === 'string' ? d.layout : d.layout?.name;
			const lay = d.layout?.outline ? d.layout : await api.layout(name).catch(() => null);
			for (const f of feet) if (lay && FEET.includes(f)) st.feet[f].layout = lay;
		}
	} catch { /* maps still draw from the grid alone */ }
}

// Dense grids: draw the mask the analysis found from the footprint (status
// analysis.mask, per cell), not the insole's, once it has one.
function followFootprintMask(st) {
	for (const f of FEET) {
		const F = st.feet[f], regions = st.status?.analysis?.mask?.[f], grid = F.layout?.mask?.grid;
		if (!F.layout?.is_grid || !Array.isArray(regions) || !grid || regions.length !== grid.cells.length) continue;
		const key = regions.join(',');
		if (F.maskKey === key) continue;
		F.maskKey = key;
		F.maskLayout = layoutWithMask(F.layout, grid.cells.map((c, i) => (c === null ? null : regions[i])));
		st.dirty = true;
	}
}

function addFrame(st, foot, t_us, frame) {
	const F = st.feet[foot];
	F.frame = frame;
	F.t_us = t_us;
	F.seenStance ||= !!frame.in_stance;
	st.lastWall[foot] = performance.now();
	const cop = frame.cop;
	if (isNum(frame.force_n)) F.forcePeaks.push({ t: t_us, v: frame.force_n });
	while (F.forcePeaks.length && t_us - F.forcePeaks[0].t > AUTO_RANGE_US) F.forcePeaks.shift();
	F.loaded = loaded(F, frame);
	if (cop && isNum(cop.x_mm) && isNum(cop.y_mm) && F.loaded) {
		F.trail.push({ x: cop.x_mm, y: cop.y_mm, t: t_us, gap: F.trail.length > 0 && F.trail[F.trail.length - 1].lift });
	} else if (F.trail.length) {
		F.trail[F.trail.length - 1].lift = true;
	}
	while (F.trail.length && t_us - F.trail[0].t > TRAIL_US) F.trail.shift();
	if (isNum(frame.peak_kpa)) st.peaks.push({ t: t_us, v: frame.peak_kpa });
	while (st.peaks.length && t_us - st.peaks[0].t > AUTO_RANGE_US) st.peaks.shift();
	if (frame.n_saturated > 0) F.saturatedAt = performance.now();
	if (isNum(t_us) && isNum(frame.force_n)) {
		const fo = st.force, s = t_us / 1e6;
		fo.t.push(s);
		fo.left.push(foot === 'left' ? frame.force_n : null);
		fo.right.push(foot === 'right' ? frame.force_n : null);
		let cut = 0;
		while (cut < fo.t.length && s - fo.t[cut] > FORCE_WINDOW_S) cut++;
		if (cut) { fo.t.splice(0, cut); fo.left.splice(0, cut); fo.right.splice(0, cut); }
	}
	st.dirty = true;
}

function addStep(st, s) {
	if (!s || !FEET.includes(s.foot)) return;
	if (st.steps.some((x) => x.foot === s.foot && x.index === s.index && x.contact_us === s.contact_us)) return;
	// newest first, in arrival order: two insoles need not share a clock
	st.steps.unshift(s);
	st.steps.length = Math.min(st.steps.length, STEP_ROWS);
}

function colourRange(st) {
	if (!st.range.auto) return { min: 0, max: st.range.fixed };
	const peak = st.peaks.reduce((m, p) => Math.max(m, p.v), 0);
	return { min: 0, max: niceMax(Math.max(peak, 50)) };
}

// ---- DOM ------------------------------------------------------------------

function build(main, st) {
	const ui = {};
	ui.alerts = el('div', { class: 'alerts', role: 'alert', 'aria-live': 'assertive', id: 'live-alerts' });
	ui.scaleAuto = el('input', { type: 'radio', name: 'range', id: 'range-auto', value: 'auto', checked: true });
	ui.scaleFixed = el('input', { type: 'radio', name: 'range', id: 'range-fixed', value: 'fixed' });
	ui.scaleUnit = el('span', {}, ' kPa');
	ui.scaleMax = el('input', { type: 'number', id: 'range-max', min: 20, max: 2000, step: 10, value: st.range.fixed, 'aria-label': 'Fixed colour range maximum in kPa' });
	const onRange = () => {
		st.range.auto = ui.scaleAuto.checked;
		const v = Number(ui.scaleMax.value);
		if (v >= 20) st.range.fixed = v;
		st.dirty = true;
	};
	for (const i of [ui.scaleAuto, ui.scaleFixed, ui.scaleMax]) i.addEventListener('change', onRange);
	// Typing a maximum chooses the fixed range; merely tabbing through the
	// field must not change what the maps show.
	ui.scaleMax.addEventListener('input', () => { ui.scaleFixed.checked = true; onRange(); });

	ui.maps = {};
	ui.readout = {};
	const figs = FEET.map((f) => {
		const canvas = el('canvas', { class: 'footmap', role: 'img', 'aria-label': `${footName(f)} foot pressure map`, id: `map-${f}` });
		ui.maps[f] = new FootMap(canvas, f);
		ui.readout[f] = el('dl', { class: 'readout', id: `readout-${f}` });
		return el('figure', { class: 'foot' }, el('figcaption', {}, `${footName(f)} foot`), canvas, ui.readout[f]);
	});
	ui.legendBox = el('div', { class: 'legend-box' });
	const mapsCard = el('section', { class: 'card maps-card', 'aria-labelledby': 'h-maps' },
		el('div', { class: 'card-head' }, el('h2', { id: 'h-maps' }, 'Pressure'),
			el('fieldset', { class: 'range' }, el('legend', {}, 'Colour range'),
				el('label', {}, ui.scaleAuto, ' Auto'),
				el('label', {}, ui.scaleFixed, ' Fixed'),
				el('label', { class: 'range-max' }, ui.scaleMax, ui.scaleUnit))),
		el('div', { class: 'feet' }, figs),
		ui.legendBox,
		el('p', { class: 'hint' }, 'Seen from above, toes up. The line is the centre of pressure over the last 1.5 s (gait line), fading with age.'));

	ui.forceBox = el('div', { class: 'chart', id: 'force-chart' });
	const forceCard = el('section', { class: 'card', 'aria-labelledby': 'h-force' },
		el('h2', { id: 'h-force' }, 'Total force'), ui.forceBox);

	ui.regions = el('div', { class: 'regions', id: 'regions' });
	const regionCard = el('section', { class: 'card', 'aria-labelledby': 'h-regions' },
		el('h2', { id: 'h-regions' }, 'Region load'), ui.regions);

	ui.stepsBody = el('tbody');
	ui.archHead = el('th', { scope: 'col' }, 'Midfoot load (%)');
	const stepsCard = el('section', { class: 'card steps-card', 'aria-labelledby': 'h-steps' },
		el('h2', { id: 'h-steps' }, 'Last steps'),
		tableWrap(el('table', { class: 'data', id: 'steps-table' },
			el('thead', {}, el('tr', {},
				el('th', { scope: 'col' }, 'Foot'), el('th', { scope: 'col' }, 'Step'),
				el('th', { scope: 'col' }, 'Contact time (ms)'), el('th', { scope: 'col' }, 'Cadence (steps/min)'),
				el('th', { scope: 'col' }, 'Strike'), ui.archHead,
				el('th', { scope: 'col' }, 'M-L balance'), el('th', { scope: 'col' }, 'Quality'))),
			ui.stepsBody)));

	ui.recBox = el('div', { id: 'recording' });
	const recCard = el('section', { class: 'card rec-card', 'aria-labelledby': 'h-rec' },
		el('h2', { id: 'h-rec' }, 'Recording'), ui.recBox);

	ui.devices = el('div', { id: 'devices' });
	const devCard = el('section', { class: 'card', 'aria-labelledby': 'h-dev' },
		el('h2', { id: 'h-dev' }, 'Devices'), ui.devices);

	main.append(
		el('div', { class: 'view-head' }, el('h1', {}, 'Live')),
		ui.alerts,
		el('div', { class: 'live-grid' },
			mapsCard,
			el('div', { class: 'live-side' }, recCard, devCard, forceCard, regionCard),
			stepsCard));
	return ui;
}

function drawMaps(ui, st) {
	const r = colourRange(st);
	for (const f of FEET) {
		const F = st.feet[f];
		const m = ui.maps[f];
		if (F.layout) m.setLayout(F.maskLayout ?? F.layout);
		const latest = F.t_us ?? 0;
		const trail = F.trail.map((p) => ({ ...p, a: Math.max(0, 1 - (latest - p.t) / TRAIL_US) }));
		const cop = F.frame?.cop;
		m.draw({
			heatmap: F.frame?.heatmap, min: r.min, max: r.max, trail,
			cop: F.loaded && cop && isNum(cop.x_mm) ? { x: cop.x_mm, y: cop.y_mm } : null,
		});
	}
	const unit = units(st).pressure;
	const key = `${r.min}-${r.max}-${unit}`;
	if (ui.legendKey !== key) {
		ui.legendKey = key;
		ui.scaleUnit.textContent = ` ${unit}`;
		ui.scaleMax.setAttribute('aria-label', `Fixed colour range maximum in ${unit}`);
		ui.legendBox.replaceChildren(legend({ min: r.min, max: r.max, unit, caption: st.range.auto ? 'Pressure, auto range' : 'Pressure, fixed range' }));
	}
}

function updateChart(ui, st) {
	forceChart(ui, units(st).force);
	if (!ui.chart) return;
	const fo = st.force;
	// x relative to the newest sample: the axis reads "seconds ago" and its
	// ticks stay on round numbers while the curve scrolls.
	const last = fo.t.length ? fo.t[fo.t.length - 1] : 0;
	ui.chart.setData([fo.t.map((t) => t - last), fo.left, fo.right], false);
	ui.chart.setScale('x', { min: -FORCE_WINDOW_S, max: 0 });
}

function dlRows(pairs) {
	return pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]);
}

function renderText(ui, st) {
	const now = performance.now();
	const u = units(st);
	for (const f of FEET) {
		const fr = st.feet[f].frame;
		const canvas = ui.maps[f].canvas;
		// a frozen picture must not pass for a live one
		canvas.closest('figure').classList.toggle('stale', !!fr && now - st.lastWall[f] > STALE_US / 2000);
		if (!fr) {
			ui.readout[f].replaceChildren(...dlRows([['Status', 'no data']]));
			continue;
		}
		ui.readout[f].replaceChildren(...dlRows([
			['Force', withUnit(fr.force_n, u.force)],
			['Peak', withUnit(fr.peak_kpa, u.pressure)],
			['Contact area', isNum(fr.contact_area_mm2) ? `${num(fr.contact_area_mm2 / 100, 1)} cm²` : '–'],
			['Phase', phaseName(fr.in_stance, st.feet[f].seenStance)],
		]));
		canvas.setAttribute('aria-label', `${footName(f)} foot pressure map: peak ${withUnit(fr.peak_kpa, u.pressure)}, force ${withUnit(fr.force_n, u.force)}`);
	}
	renderRegions(ui, st);
	renderAlerts(ui, st, now);
}

function renderRegions(ui, st) {
	const unit = units(st).force;
	const blocks = FEET.map((f) => {
		const F = st.feet[f];
		const reg = F.frame?.regions_n ?? {};
		// shares of a foot in the air would only show noise
		const total = F.loaded ? REGIONS.reduce((s, [k]) => s + (isNum(reg[k]) ? Math.max(0, reg[k]) : 0), 0) : 0;
		const rows = REGIONS.map(([k, label]) => {
			const v = isNum(reg[k]) ? Math.max(0, reg[k]) : null;
			const pct = total > 0 && v !== null ? (100 * v) / total : 0;
			return el('div', { class: 'bar-row' },
				el('span', { class: 'bar-label' }, label),
				el('span', { class: 'bar-track' }, el('span', { class: `bar-fill ${f}`, style: `width:${pct.toFixed(1)}%` })),
				el('span', { class: 'bar-value' }, v === null ? '–' : total > 0 ? `${num(v, 0)} ${unit} · ${num(pct, 0)} %` : `${num(v, 0)} ${unit}`));
		});
		return el('div', { class: 'region-foot', role: 'group', 'aria-label': `${footName(f)} foot region load` },
			el('h3', {}, `${footName(f)} foot`), rows);
	});
	ui.regions.replaceChildren(...blocks);
}

function archColumn(st) {
	return st.steps.some((s) => isNum(s.metrics?.arch_index)) ? 'arch_index' : 'midfoot_load_index';
}

// The side named only when the shown value has a sign: "0.00", not "0.00 lateral".
function balanceText(bal) {
	if (!isNum(bal)) return '–';
	const shown = Number(bal.toFixed(2));
	return `${signed(bal, 2)}${shown > 0 ? ' medial' : shown < 0 ? ' lateral' : ''}`;
}

function renderSteps(ui, st) {
	const arch = archColumn(st);
	ui.archHead.textContent = arch === 'arch_index' ? 'Arch index' : 'Midfoot load (%)';
	if (!st.steps.length) {
		ui.stepsBody.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No steps yet: steps appear here at each toe-off.')));
		return;
	}
	ui.stepsBody.replaceChildren(...st.steps.map((s) => {
		const m = s.metrics ?? {};
		const bal = m.ml_balance;
		const flags = [];
		if (s.flags & 1) flags.push('saturated');
		if (s.flags & 2) flags.push('frames lost');
		return el('tr', { class: s.foot },
			el('td', {}, el('span', { class: `dot ${s.foot}`, 'aria-hidden': 'true' }), footName(s.foot)),
			el('td', { class: 'n' }, isNum(s.index) ? String(s.index + 1) : '–'),
			el('td', { class: 'n' }, num(m.stance_ms, 0)),
			el('td', { class: 'n' }, num(m.cadence_steps_min, 1)),
			el('td', {}, strikeName(m.strike_pattern)),
			el('td', { class: 'n' }, num(m[arch], arch === 'arch_index' ? 3 : 1)),
			el('td', { class: 'n' }, balanceText(bal)),
			el('td', { class: flags.length ? 'flag' : '' }, flags.length ? flags.join(', ') : 'ok'));
	}));
}

function renderRecording(ui, st) {
	const rec = st.recording;
	followRecording(st.rec, rec).then((changed) => { if (changed) { ui.recKey = null; renderRecording(ui, st); } });
	const bw = st.status?.analysis?.body_weight_n;
	const key = rec ? `rec-${rec.session_id}` : `idle-${st.lastStopped ?? ''}-${bw ?? ''}`;
	if (ui.recKey === key) return;
	// never rebuild the form under the clinician's fingers
	if (!rec && ui.recBox.contains(document.activeElement) && ui.recKey?.startsWith('idle-')) return;
	ui.recKey = key;
	if (rec) {
		ui.recBox.replaceChildren(...recordingView(st.rec, async () => {
			await post(`sessions/${rec.session_id}/stop`);
			st.lastStopped = rec.session_id;
			st.recording = null;
			renderRecording(ui, st);
		}));
		renderProgress(ui.recBox, st.rec);
		return;
	}
	const form = recordingForm(bw, (s) => {
		st.recording = { session_id: s.id };
		renderRecording(ui, st);
	});
	const children = [form];
	if (st.lastStopped) {
		children.unshift(el('p', { class: 'ok', id: 'rec-done' }, `Session #${st.lastStopped} saved. `,
			el('a', { href: `#/report/${st.lastStopped}` }, 'Open its report')));
	}
	ui.recBox.replaceChildren(...children);
}

function renderStatus(ui, st) {
	ui.devices.replaceChildren(...deviceList(st.status?.devices, st.configured).map((d) => {
		const ok = d.ok;
		return el('div', { class: `device ${ok ? 'ok' : 'bad'}` },
			el('strong', {}, d.title), ' ',
			el('span', { class: 'state' }, d.state),
			d.details.length ? el('div', { class: 'muted' }, d.details.join(' · ')) : null);
	}));
	if (!ui.devices.childElementCount) ui.devices.append(el('p', { class: 'muted' }, 'No devices reported.'));
}

function renderAlerts(ui, st, now) {
	const items = qualityWarnings(st.status, st.prevStatus);
	for (const f of FEET) {
		const F = st.feet[f];
		if (F.saturatedAt && now - F.saturatedAt < SATURATION_HOLD_MS) {
			items.push({ level: 'warn', text: `Sensor saturated on the ${f} foot: pressures at full scale are underestimated.` });
		}
		if (F.frame && st.lastWall[f] && now - st.lastWall[f] > STALE_US / 1000) {
			items.push({ level: 'bad', text: `No data from the ${f} foot for ${num((now - st.lastWall[f]) / 1000, 0)} s.` });
		}
	}
	const key = items.map((i) => i.text).join('|');
	if (key === ui.alertKey) return;
	ui.alertKey = key;
	ui.alerts.replaceChildren(...items.map((i) => el('p', { class: `alert ${i.level}` }, i.text)));
}
