// Pressure maps on canvas: one foot per canvas, seen from above, toes up,
// medial sides facing each other (left foot on the left).  The foot frame
// of the API has its origin at the heel centre, +x medial, +y toward the
// toes, so the right foot is mirrored on screen.

import { colourAt, cssColour, ticks } from './colormap.js';
import { el, num } from './format.js';
import { prepareMarks, drawMask, drawNotMeasured, drawSideLabels, drawSensorValues, whiteDot, EDGE_RINGS, pixelRatio, setPrintScale } from './mapmarks.js';

const PAD_MM = 14;           // margin around the foot: the outline is not clipped and M/L, heel/toe labels fit
const UNLOADED_FILL = '#eceff3';
const UNLOADED_RGB = [0xec, 0xef, 0xf3];
const OUTLINE_COLOUR = '#4a5563';
const LOW_FRACTION = 0.02;   // of the colour range: below it a cell is drawn as unloaded

// EDGE_RINGS rings of empty cells around the foot take the mean of their filled
// neighbours (display only: the outline clip hides everything outside).
function padEdges(cells, w, h) {
	let cur = cells.slice();
	for (let pass = 0; pass < EDGE_RINGS; pass++) {
		const next = cur.slice();
		for (let r = 0; r < h; r++) {
			for (let c = 0; c < w; c++) {
				if (Number.isFinite(cur[r * w + c])) continue;
				let s = 0, n = 0;
				for (let dr = -1; dr <= 1; dr++) {
					for (let dc = -1; dc <= 1; dc++) {
						const rr = r + dr, cc = c + dc;
						if (rr < 0 || cc < 0 || rr >= h || cc >= w) continue;
						const v = cur[rr * w + cc];
						if (Number.isFinite(v)) { s += v; n++; }
					}
				}
				if (n) next[r * w + c] = s / n;
			}
		}
		cur = next;
	}
	return cur;
}

// Printing: the browser prints what the canvases hold when the page is laid
// out for paper, and runs no script in between, so the maps are drawn again
// before that at PRINT_PIXELS canvas pixels per CSS pixel (about 300 dpi on
// paper, where the screen's 96 would blur the region names), and at the
// screen's resolution after.  Meanwhile a map's bitmap is cut to the foot's
// own proportions: scaled to fit (object-fit: contain) a printed box of
// another shape than the screen's, the foot then fills the box's height or
// width rather than keeping the screen box's empty sides; on the screen it
// looks the same.
const PRINT_PIXELS = 3;
let printing = false;
const drawnMaps = new Set(); // WeakRefs: a map of a view left behind is not kept alive by this
const SWEEP_AT = 64;         // entries before the references to maps gone are dropped

function sweepDrawnMaps(redraw) {
	for (const ref of drawnMaps) {
		const m = ref.deref();
		if (!m || !m.canvas.isConnected) drawnMaps.delete(ref);
		else if (redraw) m.draw(m.lastOpts);
	}
}

function redrawFor(print) {
	printing = print;
	setPrintScale(print ? Math.max(1, PRINT_PIXELS / (window.devicePixelRatio || 1)) : 1);
	sweepDrawnMaps(true);
}
window.addEventListener('beforeprint', () => redrawFor(true));
window.addEventListener('afterprint', () => redrawFor(false));

export class FootMap {
	constructor(canvas, foot) {
		this.canvas = canvas;
		this.foot = foot;
		this.outline = null;
		this.tile = document.createElement('canvas');
	}

	setOutline(points) {
		this.outline = Array.isArray(points) && points.length > 2 ? points : null;
	}

	// The layout (GET /api/layouts/NAME): outline, anatomical mask, sensors.
	setLayout(lay) {
		if (!lay) return;
		this.setOutline(lay.outline);
		if (this.layoutName !== lay.name || !this.marks) {
			this.layoutName = lay.name;
			this.marks = prepareMarks(lay);
		}
	}

	// Fit the foot (outline and grid) into the canvas with one scale for x
	// and y, so millimetres look like millimetres.
	geometry(hm) {
		let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
		const grow = (x, y) => { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); };
		if (this.outline) for (const [x, y] of this.outline) grow(x, y);
		if (hm) {
			const half = hm.cell_mm / 2;
			grow(hm.x0_mm - half, hm.y0_mm - half);
			grow(hm.x0_mm + (hm.w - 0.5) * hm.cell_mm, hm.y0_mm + (hm.h - 0.5) * hm.cell_mm);
		}
		if (!Number.isFinite(x0)) { x0 = -50; x1 = 50; y0 = 0; y1 = 260; }
		const box = { x0, x1, y0, y1, pad: PAD_MM };
		x0 -= PAD_MM; x1 += PAD_MM; y0 -= PAD_MM; y1 += PAD_MM;
		const dpr = pixelRatio();
		let cw = Math.max(40, Math.round(this.canvas.clientWidth * dpr));
		let ch = Math.max(60, Math.round(this.canvas.clientHeight * dpr));
		if (printing) {
			const aspect = (x1 - x0) / (y1 - y0);
			if (cw > ch * aspect) cw = Math.round(ch * aspect);
			else ch = Math.round(cw / aspect);
		}
		if (this.canvas.width !== cw) this.canvas.width = cw;
		if (this.canvas.height !== ch) this.canvas.height = ch;
		const s = Math.min(cw / (x1 - x0), ch / (y1 - y0));
		const mirror = this.foot === 'right' ? -1 : 1;
		const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
		return {
			s,
			px: (x, y) => [cw / 2 + mirror * (x - cx) * s, ch / 2 - (y - cy) * s],
			mirror,
			box,
		};
	}

	outlinePath(ctx, g) {
		ctx.beginPath();
		this.outline.forEach(([x, y], i) => {
			const [u, v] = g.px(x, y);
			if (i) ctx.lineTo(u, v); else ctx.moveTo(u, v);
		});
		ctx.closePath();
	}

	// opts: heatmap (API HEATMAP), min/max of the colour range, scale
	// ('viridis' | 'diverging'), trail [{x, y, a}] (a = opacity), cop {x, y},
	// lines [[{x, y}...]] (per-step gait lines), mean [{x, y}].
	draw(opts) {
		this.lastOpts = opts;
		if (!this.ref) {
			if (drawnMaps.size >= SWEEP_AT) sweepDrawnMaps(false);
			this.ref = new WeakRef(this);
			drawnMaps.add(this.ref);
		}
		const hm = opts.heatmap;
		const g = this.geometry(hm);
		const ctx = this.canvas.getContext('2d');
		ctx.setTransform(1, 0, 0, 1, 0, 0);
		ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
		ctx.save();
		if (this.outline) {
			this.outlinePath(ctx, g);
			ctx.fillStyle = UNLOADED_FILL;
			ctx.fill();
			ctx.clip();
		}
		if (hm && Array.isArray(hm.cells)) this.drawCells(ctx, g, hm, opts);
		ctx.restore();
		if (this.outline) {
			this.outlinePath(ctx, g);
			ctx.lineWidth = Math.max(1.5, g.s * 0.8);
			ctx.strokeStyle = OUTLINE_COLOUR;
			ctx.stroke();
		}
		for (const line of opts.lines ?? []) this.drawLine(ctx, g, line, 'rgba(20,20,20,0.28)', 1.2 * pixelRatio());
		if (opts.mean) this.drawLine(ctx, g, opts.mean, '#000', 3 * pixelRatio(), true);
		if (opts.marks !== false) {
			ctx.drawImage(this.overlay(g), 0, 0);
			drawSensorValues(ctx, g, this.marks, hm?.sensors);
		}
		if (opts.sensors) this.drawSensors(ctx, g, opts.sensors);
		if (opts.trail) this.drawTrail(ctx, g, opts.trail);
		if (opts.cop) this.drawCop(ctx, g, opts.cop);
	}

	// The grid is painted into a w x h tile (one pixel per cell; x0_mm/y0_mm
	// is the centre of cell 0, as the analysis defines it) and scaled up with
	// bilinear smoothing, clipped to the outline.  Cells just outside the
	// foot borrow their neighbours' values first so the edge does not fade
	// into transparency.
	drawCells(ctx, g, hm, opts) {
		const { w, h } = hm;
		if (!(w > 0 && h > 0) || hm.cells.length < w * h) return;
		const cells = this.outline ? padEdges(hm.cells, w, h) : hm.cells;
		const scale = opts.scale ?? 'viridis';
		const min = opts.min ?? 0, max = opts.max ?? 1;
		const span = max - min || 1;
		// Below this a cell reads as unloaded (neutral, not the darkest colour)
		// so an unloaded foot looks empty instead of dark purple.
		const lowCut = scale === 'viridis' ? min + span * LOW_FRACTION : min - 1;
		this.tile.width = w;
		this.tile.height = h;
		const tctx = this.tile.getContext('2d');
		const img = tctx.createImageData(w, h);
		for (let r = 0; r < h; r++) {
			for (let c = 0; c < w; c++) {
				const v = cells[r * w + c];
				// row 0 is at the heel: it goes to the bottom of the tile
				const o = ((h - 1 - r) * w + c) * 4;
				if (v === null || v === undefined || !Number.isFinite(v)) { img.data[o + 3] = 0; continue; }
				// Fade in from transparent (the unloaded grey underneath) between
				// half of lowCut and lowCut, so unloaded patches have soft edges.
				const rgb = colourAt(scale, Math.max(0, (v - min) / span));
				const a = v >= lowCut ? 1 : Math.max(0, 2 * (v - min) / (lowCut - min) - 1);
				if (this.outline) {
					img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2];
					img.data[o + 3] = Math.round(255 * a);
				} else {
					// no outline to show the foot: the grid itself is the foot
					for (let k = 0; k < 3; k++) img.data[o + k] = Math.round(rgb[k] * a + UNLOADED_RGB[k] * (1 - a));
					img.data[o + 3] = 255;
				}
			}
		}
		tctx.putImageData(img, 0, 0);
		const half = hm.cell_mm / 2;
		const [ua, va] = g.px(hm.x0_mm - half, hm.y0_mm + (h - 0.5) * hm.cell_mm);
		const [ub, vb] = g.px(hm.x0_mm + (w - 0.5) * hm.cell_mm, hm.y0_mm - half);
		ctx.imageSmoothingEnabled = !!this.outline;
		ctx.imageSmoothingQuality = 'high';
		ctx.save();
		// mirrored feet: draw the tile flipped so medial cells land medially
		if (g.mirror < 0) {
			ctx.translate(ua, 0);
			ctx.scale(-1, 1);
			ctx.drawImage(this.tile, 0, va, ua - ub, vb - va);
		} else {
			ctx.drawImage(this.tile, ua, va, ub - ua, vb - va);
		}
		ctx.restore();
	}

	// What does not change from frame to frame, drawn once per size and
	// layout: "not measured" hatching inside the outline, mask outlines with
	// names, sensor dots, M/L and heel/toe labels.  The canvas says what it
	// shows for tests and tools.
	overlay(g) {
		const key = `${this.canvas.width}x${this.canvas.height}:${this.layoutName}:${g.s}:${g.box.x0},${g.box.y1}`;
		if (this.overlayKey === key) return this.overlayCanvas;
		this.overlayKey = key;
		const c = this.overlayCanvas ?? (this.overlayCanvas = document.createElement('canvas'));
		c.width = this.canvas.width;
		c.height = this.canvas.height;
		const ctx = c.getContext('2d');
		if (this.outline && this.marks?.notMeasured.length) {
			ctx.save();
			this.outlinePath(ctx, g);
			ctx.clip();
			drawNotMeasured(ctx, g, this.marks);
			ctx.restore();
		}
		const boxes = drawMask(ctx, g, this.marks);
		const sides = drawSideLabels(ctx, g, g.box);
		const d = this.canvas.dataset;
		d.maskRegions = String(boxes.length);
		d.maskLabelBoxes = JSON.stringify(boxes);
		d.maskLabels = this.marks ? this.marks.labels.map((l) => l.label).join(', ') : '';
		d.sideLabels = sides.join(' ');
		d.notMeasuredCells = String(this.marks?.notMeasured.length ?? 0);
		return c;
	}

	drawLine(ctx, g, pts, colour, width, halo = false) {
		if (!pts || pts.length < 2) return;
		const path = () => {
			ctx.beginPath();
			pts.forEach((p, i) => { const [u, v] = g.px(p.x, p.y); if (i) ctx.lineTo(u, v); else ctx.moveTo(u, v); });
		};
		ctx.lineJoin = 'round';
		ctx.lineCap = 'round';
		if (halo) { path(); ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.lineWidth = width + 3 * pixelRatio(); ctx.stroke(); }
		path();
		ctx.strokeStyle = colour;
		ctx.lineWidth = width;
		ctx.stroke();
	}

	// The gait line: recent CoP points, older ones fainter.  A white halo
	// under a dark line stays visible on every colour of the scale.
	drawTrail(ctx, g, trail) {
		const dpr = pixelRatio();
		ctx.lineCap = 'round';
		for (const [colour, width] of [['255,255,255', 5 * dpr], ['17,17,17', 2.5 * dpr]]) {
			ctx.lineWidth = width;
			for (let i = 1; i < trail.length; i++) {
				const a = trail[i - 1], b = trail[i];
				if (b.gap) continue;
				const [u0, v0] = g.px(a.x, a.y), [u1, v1] = g.px(b.x, b.y);
				ctx.strokeStyle = `rgba(${colour},${b.a.toFixed(3)})`;
				ctx.beginPath(); ctx.moveTo(u0, v0); ctx.lineTo(u1, v1); ctx.stroke();
			}
		}
	}

	// Sensor positions (settings view): a dot sized like the sensor's area.
	drawSensors(ctx, g, sensors) {
		ctx.fillStyle = 'rgba(11,92,173,0.75)';
		for (const sn of sensors) {
			if (!Number.isFinite(sn.x_mm) || !Number.isFinite(sn.y_mm)) continue;
			const [u, v] = g.px(sn.x_mm, sn.y_mm);
			const r = Math.max(2, Math.min(8, Math.sqrt((sn.area_mm2 || 50) / Math.PI) * g.s * 0.35));
			ctx.beginPath();
			ctx.arc(u, v, r, 0, 2 * Math.PI);
			ctx.fill();
		}
	}

	drawCop(ctx, g, cop) {
		const dpr = pixelRatio();
		const [u, v] = g.px(cop.x, cop.y);
		whiteDot(ctx, u, v, 6 * dpr, 2.5 * dpr);
	}
}

// A colour bar with tick labels as text, so the scale is readable by screen
// readers and prints crisply.
// Tick count that lands on round numbers (0, 100, ... 500 rather than 125, 375).
function tickCount(span) {
	for (const n of [5, 4, 6, 3, 2]) {
		const step = span / n;
		const p = Math.pow(10, Math.floor(Math.log10(step)));
		if ([1, 2, 2.5, 5, 10].some((m) => Math.abs(step - m * p) < 1e-9 * span)) return n;
	}
	return 4;
}

export function legend({ scale = 'viridis', min = 0, max = 100, unit = 'kPa', caption = 'Pressure', n = tickCount(max - min) }) {
	const stops = [];
	for (let i = 0; i <= 10; i++) stops.push(`${cssColour(scale, i / 10)} ${i * 10}%`);
	const bar = el('div', { class: 'legend-bar', style: `background: linear-gradient(to right, ${stops.join(', ')})` });
	const digits = max - min < 5 ? 1 : 0;
	const tickEls = ticks(min, max, n).map((t, i) =>
		el('span', { class: 'legend-tick', style: `left: ${(i / n) * 100}%` }, num(t, digits)));
	const low = scale === 'viridis'
		? el('span', { class: 'legend-low' }, el('span', { class: 'swatch', style: `background:${UNLOADED_FILL}` }), ` below ${num(min + (max - min) * LOW_FRACTION, digits)} ${unit}: unloaded`)
		: null;
	return el('figure', { class: 'legend', role: 'img', 'aria-label': `${caption} colour scale from ${num(min, digits)} to ${num(max, digits)} ${unit}` },
		el('figcaption', {}, `${caption} (${unit})`), bar, el('div', { class: 'legend-ticks' }, tickEls), low);
}
