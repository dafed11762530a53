// uPlot wrappers: sizing to the container, the colours used everywhere, and
// a clear message instead of a blank box when uPlot was not installed.

import { el, num } from './format.js';

export const FOOT_COLOURS = { left: '#1f6fb2', right: '#d9730d' }; // blue / orange: safe for red-green deficiency
export const FOOT_FILLS = { left: 'rgba(31,111,178,0.18)', right: 'rgba(217,115,13,0.18)' };

export function haveUplot() {
	return typeof window.uPlot === 'function';
}

function missing(container) {
	container.replaceChildren(el('p', { class: 'warn' },
		'Charts are unavailable: the uPlot library is not installed beside the dashboard (see docs/dashboard.md).'));
	return null;
}

// Creates a chart that follows its container's width.  height in CSS px.
export function plot(container, opts, data, height = 220) {
	if (!haveUplot()) return missing(container);
	container.replaceChildren();
	const width = Math.max(200, container.clientWidth || 600);
	const u = new window.uPlot({ width, height, ...opts }, data, container);
	const ro = new ResizeObserver(() => {
		const w = Math.max(200, container.clientWidth);
		if (w !== u.width) u.setSize({ width: w, height });
	});
	ro.observe(container);
	u._ro = ro;
	return u;
}

export function destroy(u) {
	if (!u) return;
	u._ro?.disconnect();
	u.destroy();
}

// Tick labels through the dashboard's number format: the minus sign
// (U+2212) and no signed zeros, like every other number on the page.
// As many decimals as the step between ticks has: a step of 2.5 s
// written to whole seconds labelled the ticks 0, 3, 5, 8, 10.
function tickValues(u, splits) {
	const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
	return splits.map((v) => (v === null || v === undefined ? '' : num(v, decimalsOf(step))));
}

const MAX_TICK_DIGITS = 6;
function decimalsOf(step) {
	for (let d = 0; d < MAX_TICK_DIGITS; d++) {
		const x = step * 10 ** d;
		if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x)) return d;
	}
	return MAX_TICK_DIGITS;
}

export function axis(label, extra = {}) {
	return { label, labelSize: 18, size: 50, stroke: '#334', grid: { stroke: '#e3e6ea', width: 1 }, ticks: { stroke: '#c9ced6', width: 1 }, values: tickValues, ...extra };
}

// A y range that never zooms in below a meaningful span: autoscaling a
// steady metric to a 0.02 % span makes noise look like a trend.  The floor
// is 5 % of the values' size or ten steps of their display resolution.
export function flooredRange(lo, hi, digits) {
	if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
	const mid = (lo + hi) / 2;
	const floor = Math.max(0.05 * Math.abs(mid), 10 * Math.pow(10, -digits));
	if (hi - lo >= floor) {
		const pad = 0.05 * (hi - lo);
		return [lo - pad, hi + pad];
	}
	return [mid - floor / 2, mid + floor / 2];
}
