// Colour scales.  Viridis (perceptually uniform, readable with the common
// colour-vision deficiencies and in greyscale print) for pressure; a
// purple-white-orange diverging scale (ColorBrewer PuOr, also colour-blind
// safe) for differences between sessions.

const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c',
	'#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];
const PUOR = ['#2d004b', '#542788', '#8073ac', '#b2abd2', '#d8daeb', '#f7f7f7',
	'#fee0b6', '#fdb863', '#e08214', '#b35806', '#7f3b08'];

function hexToRgb(h) {
	return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}

// 256-entry lookup tables, built once: the heatmaps colour thousands of
// cells per frame.
function buildLut(stops) {
	const rgb = stops.map(hexToRgb);
	const lut = new Uint8ClampedArray(256 * 3);
	for (let i = 0; i < 256; i++) {
		const t = (i / 255) * (rgb.length - 1);
		const k = Math.min(Math.floor(t), rgb.length - 2);
		const f = t - k;
		for (let c = 0; c < 3; c++) lut[i * 3 + c] = rgb[k][c] + (rgb[k + 1][c] - rgb[k][c]) * f;
	}
	return lut;
}

const LUTS = { viridis: buildLut(VIRIDIS), diverging: buildLut(PUOR) };

export function colourAt(scale, t) {
	const lut = LUTS[scale];
	const i = Math.max(0, Math.min(255, Math.round(t * 255)));
	return [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];
}

export function cssColour(scale, t) {
	const [r, g, b] = colourAt(scale, t);
	return `rgb(${r},${g},${b})`;
}

// A round upper bound for a colour scale so legend ticks read well.
export function niceMax(v) {
	if (!(v > 0)) return 100;
	const p = Math.pow(10, Math.floor(Math.log10(v)));
	for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * p) return m * p;
	return 10 * p;
}

export function ticks(min, max, n = 5) {
	const out = [];
	for (let i = 0; i <= n; i++) out.push(min + ((max - min) * i) / n);
	return out;
}
