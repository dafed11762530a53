// uPlot wrappers: sizing to the container, the colours used everywhere, and
// a clear message instead of a blank box when uPlot was not installed.

import { el } from './format.js';

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

export function axis(label, extra = {}) {
	return { label, labelSize: 18, size: 50, stroke: '#334', grid: { stroke: '#e3e6ea', width: 1 }, ticks: { stroke: '#c9ced6', width: 1 }, ...extra };
}
