// What a clinician needs to read a pressure map honestly, drawn over it:
// the anatomical mask's region outlines and names (GET /api/layouts/NAME ->
// mask, the regions the analysis reports), medial/lateral and heel/toe
// labels, and on sparse insoles the sensors themselves with their values,
// the area outside the sensors' hull and the regions without a sensor
// hatched as "not measured" instead of painted with interpolated colour.

const SHORT = {
	medial_heel: 'MH', lateral_heel: 'LH', medial_midfoot: 'MM', lateral_midfoot: 'LM',
	mth1: 'M1', mth2_3: 'M2-3', mth4_5: 'M4-5', hallux: 'Hx', lesser_toes: 'T2-5',
};
const MASK_LINE = 'rgba(255,255,255,0.85)';
const MASK_HALO = 'rgba(0,0,0,0.45)';
// Sparse insoles put their sensors at the regions' anatomical centres: the
// region names sit this far heelward of the centre so they do not cover them.
const LABEL_SHIFT_MM = 9;
// Sensor values are written beside the dots only where the map is drawn at
// least this large (CSS px per mm); smaller maps show the dots alone.
const VALUES_MIN_PX_PER_MM = 1.45;
// Rings of cells around the foot's cells that the map paints with their
// neighbours' values so its edge does not fade (heatmap.js, padEdges).  On a
// sparse insole they lie beyond every sensor: hatched with the rest of what
// it does not measure, not left as stray colour along the outline.
export const EDGE_RINGS = 2;

// Canvas pixels per CSS pixel: the screen's, or more while the page prints
// (heatmap.js, printScale), so that a printed map is as sharp as its text.
let printScale = 1;
export const pixelRatio = () => (window.devicePixelRatio || 1) * printScale;
export function setPrintScale(scale) { printScale = scale; }

// Convex hull (monotone chain) of [x, y] points, counter-clockwise.
export function convexHull(points) {
	const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	if (p.length < 3) return p;
	const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
	const half = (pts) => {
		const h = [];
		for (const q of pts) {
			while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], q) <= 0) h.pop();
			h.push(q);
		}
		h.pop();
		return h;
	};
	return half(p).concat(half(p.reverse()));
}

// Inside (or within tol mm of) a counter-clockwise convex polygon.
function inHull(hull, x, y, tol) {
	if (hull.length < 3) return false;
	for (let i = 0; i < hull.length; i++) {
		const [ax, ay] = hull[i], [bx, by] = hull[(i + 1) % hull.length];
		const len = Math.hypot(bx - ax, by - ay) || 1;
		if (((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / len < -tol) return false;
	}
	return true;
}

// A dense grid's session map carries the mask its steps were measured on
// (found from the footprint: HEATMAP mask_cells); draw that one.
export function layoutWithMask(lay, maskCells) {
	const g = lay?.mask?.grid;
	if (!lay?.is_grid || !g || !Array.isArray(maskCells) || maskCells.length !== g.w * g.h) return lay;
	return { ...lay, name: `${lay.name}:footprint:${maskCells.join('')}`, mask: { ...lay.mask, grid: { ...g, cells: maskCells } } };
}

// Everything about a layout the overlays need, worked out once per layout.
export function prepareMarks(lay) {
	const mask = lay?.mask;
	const grid = mask?.grid;
	if (!grid || !Array.isArray(grid.cells) || grid.cells.length !== grid.w * grid.h) return null;
	const regions = mask.regions ?? [];
	const sparse = !lay.is_grid;
	const sensors = (lay.sensors ?? []).filter((s) => Number.isFinite(s.x_mm) && Number.isFinite(s.y_mm));
	const hull = sparse ? convexHull(sensors.map((s) => [s.x_mm, s.y_mm])) : [];
	const at = (c, r) => [grid.x0_mm + c * grid.cell_mm, grid.y0_mm + r * grid.cell_mm];
	const notMeasured = [];
	const sums = regions.map(() => ({ x: 0, y: 0, n: 0 }));
	for (let r = 0; r < grid.h; r++) {
		for (let c = 0; c < grid.w; c++) {
			const id = grid.cells[r * grid.w + c];
			if (id === null || id === undefined) continue;
			const [x, y] = at(c, r);
			if (sums[id]) { sums[id].x += x; sums[id].y += y; sums[id].n++; }
			if (sparse && (!regions[id]?.measured || !inHull(hull, x, y, grid.cell_mm / 2))) notMeasured.push([x, y]);
		}
	}
	if (sparse) notMeasured.push(...edgeRings(grid).map(([c, r]) => at(c, r)));
	const labels = regions.map((rg, i) => (sums[i].n
		? { name: rg.name, text: SHORT[rg.name] ?? rg.label, label: rg.label, measured: rg.measured,
			x: sums[i].x / sums[i].n, y: sums[i].y / sums[i].n - (sparse ? LABEL_SHIFT_MM : 0) }
		: null)).filter(Boolean);
	return { grid, sparse, sensors, hull, notMeasured, labels, edges: maskEdges(grid) };
}

// [column, row] of the cells outside the foot within EDGE_RINGS of one of its cells.
function edgeRings(g) {
	const inFoot = (c, r) => c >= 0 && r >= 0 && c < g.w && r < g.h && g.cells[r * g.w + c] !== null && g.cells[r * g.w + c] !== undefined;
	const near = (c, r) => {
		for (let dr = -EDGE_RINGS; dr <= EDGE_RINGS; dr++)
			for (let dc = -EDGE_RINGS; dc <= EDGE_RINGS; dc++) if (inFoot(c + dc, r + dr)) return true;
		return false;
	};
	const out = [];
	for (let r = 0; r < g.h; r++) for (let c = 0; c < g.w; c++) if (!inFoot(c, r) && near(c, r)) out.push([c, r]);
	return out;
}

// Segments (mm) between neighbouring cells of different regions.
function maskEdges(g) {
	const out = [];
	const id = (c, r) => (c < 0 || r < 0 || c >= g.w || r >= g.h ? null : g.cells[r * g.w + c]);
	const h = g.cell_mm / 2;
	for (let r = 0; r < g.h; r++) {
		for (let c = 0; c < g.w; c++) {
			const a = id(c, r);
			if (a === null || a === undefined) continue;
			const x = g.x0_mm + c * g.cell_mm, y = g.y0_mm + r * g.cell_mm;
			const right = id(c + 1, r), up = id(c, r + 1);
			if (right !== null && right !== undefined && right !== a) out.push([x + h, y - h, x + h, y + h]);
			if (up !== null && up !== undefined && up !== a) out.push([x - h, y + h, x + h, y + h]);
		}
	}
	return out;
}

let hatch = null;
function hatchPattern(ctx) {
	if (!hatch) {
		hatch = document.createElement('canvas');
		hatch.width = hatch.height = 8;
		const h = hatch.getContext('2d');
		h.fillStyle = '#e4e7eb';
		h.fillRect(0, 0, 8, 8);
		h.strokeStyle = '#9aa3ad';
		h.lineWidth = 1.2;
		h.beginPath(); h.moveTo(0, 8); h.lineTo(8, 0); h.moveTo(-2, 2); h.lineTo(2, -2); h.moveTo(6, 10); h.lineTo(10, 6); h.stroke();
	}
	return ctx.createPattern(hatch, 'repeat');
}

// Over the cells, inside the outline clip: "not measured" cells hatched.
export function drawNotMeasured(ctx, g, marks) {
	if (!marks?.notMeasured.length) return;
	const s = marks.grid.cell_mm / 2;
	ctx.beginPath();
	for (const [x, y] of marks.notMeasured) {
		const [u0, v0] = g.px(x - s, y + s), [u1, v1] = g.px(x + s, y - s);
		ctx.rect(Math.min(u0, u1), v0, Math.abs(u1 - u0) + 0.5, v1 - v0 + 0.5);
	}
	const pattern = hatchPattern(ctx);
	pattern.setTransform(new DOMMatrix().scale(printScale)); // the screen's hatching, at print resolution
	ctx.fillStyle = pattern;
	ctx.fill();
}

function halo(ctx, text, u, v, size, colour = '#111') {
	ctx.font = `600 ${size}px system-ui, sans-serif`;
	ctx.lineWidth = Math.max(2, size / 4);
	ctx.strokeStyle = 'rgba(255,255,255,0.9)';
	ctx.strokeText(text, u, v);
	ctx.fillStyle = colour;
	ctx.fillText(text, u, v);
}

// Region outlines, the sensors as dots (sparse), then the regions' names.
// Returns the boxes of the names (regionLabel).
export function drawMask(ctx, g, marks) {
	if (!marks) return [];
	const dpr = pixelRatio();
	ctx.save();
	ctx.lineCap = 'round';
	for (const [colour, width] of [[MASK_HALO, 2.2 * dpr], [MASK_LINE, 1 * dpr]]) {
		ctx.beginPath();
		for (const [x0, y0, x1, y1] of marks.edges) {
			const [u0, v0] = g.px(x0, y0), [u1, v1] = g.px(x1, y1);
			ctx.moveTo(u0, v0); ctx.lineTo(u1, v1);
		}
		ctx.strokeStyle = colour;
		ctx.lineWidth = width;
		ctx.stroke();
	}
	if (marks.sparse) {
		for (const sn of marks.sensors) {
			const [u, v] = g.px(sn.x_mm, sn.y_mm);
			whiteDot(ctx, u, v, 3.2 * dpr, 1.5 * dpr);
		}
	}
	// the names over the dots: on an insole of many sensors (a pedar's 99)
	// dots drawn over them left the names unreadable
	const size = labelSize(g);
	ctx.textAlign = 'center';
	ctx.textBaseline = 'middle';
	const boxes = [];
	for (const l of marks.labels) boxes.push(regionLabel(ctx, l, g.px(l.x, l.y), size, boxes));
	ctx.restore();
	return boxes;
}

// Names closer than this share of their size read as one word
// ("M4-5M2-3M1" on a small printed map), halos and all.
const LABEL_GAP = 0.3;
// How far a name may move off its region's centre to stand clear of the
// names already drawn, in half lines: up to two lines either way (past a
// neighbour's two-line "n/m" label), which keeps it inside its region (the
// metatarsal heads' regions are several lines tall even on the smallest
// printed map).
const LABEL_NUDGES = [0, -1, 1, -2, 2, -3, 3, -4, 4];

// A region's name at its centre; an unmeasured region's "n/m" on a second
// line under it.  Where the names of neighbouring regions (the metatarsal
// heads side by side) would run into one another, the name moves up or down
// by the least that clears the names drawn before it (PLACED).  Returns the
// box the label covers, [left, top, right, bottom] in canvas pixels.
function regionLabel(ctx, l, [u, v], size, placed) {
	const lines = l.measured ? [l.text] : [l.text, 'n/m'];
	const lineH = size * 1.1, height = lines.length * lineH, gap = size * LABEL_GAP;
	ctx.font = `600 ${size}px system-ui, sans-serif`;
	const half = Math.max(...lines.map((text) => ctx.measureText(text).width)) / 2;
	const boxAt = (dv) => [u - half, v + dv - height / 2, u + half, v + dv + height / 2];
	const clear = ([l0, t0, r0, b0]) => placed.every(([l1, t1, r1, b1]) =>
		l0 >= r1 + gap || l1 >= r0 + gap || t0 >= b1 + gap || t1 >= b0 + gap);
	const dv = (LABEL_NUDGES.map((k) => (k * lineH) / 2).find((d) => clear(boxAt(d))) ?? 0);
	const top = v + dv - height / 2;
	lines.forEach((text, i) => halo(ctx, text, u, top + (i + 0.5) * lineH, size, l.measured ? '#111' : '#5a6470'));
	return boxAt(dv).map(Math.round);
}

function labelSize(g) {
	const dpr = pixelRatio();
	return Math.max(9 * dpr, Math.min(13 * dpr, g.s * 3.2));
}

// Each sensor's value beside its dot, where the map is large enough.
export function drawSensorValues(ctx, g, marks, values) {
	const dpr = pixelRatio();
	if (!marks?.sparse || !values || g.s / dpr < VALUES_MIN_PX_PER_MM) return;
	ctx.save();
	ctx.textAlign = 'left';
	ctx.textBaseline = 'middle';
	marks.sensors.forEach((sn, i) => {
		if (!Number.isFinite(values[i])) return;
		const [u, v] = g.px(sn.x_mm, sn.y_mm);
		halo(ctx, String(Math.round(values[i])), u + 5 * dpr, v - 6 * dpr, labelSize(g) * 0.9);
	});
	ctx.restore();
}

// M and L beside the foot at mid-length (medial faces the other foot), Heel
// below it and Toe above it, in the margin the map leaves.
export function drawSideLabels(ctx, g, box) {
	const dpr = pixelRatio();
	const size = Math.max(10 * dpr, Math.min(13 * dpr, g.s * 3.5));
	const midY = (box.y0 + box.y1) / 2, midX = (box.x0 + box.x1) / 2;
	const [um, vm] = g.px(box.x1 + box.pad * 0.55, midY);
	const [ul] = g.px(box.x0 - box.pad * 0.55, midY);
	const [uh, vh] = g.px(midX, box.y0 - box.pad * 0.5);
	const [, vt] = g.px(midX, box.y1 + box.pad * 0.5);
	ctx.save();
	ctx.textAlign = 'center';
	ctx.textBaseline = 'middle';
	halo(ctx, 'M', um, vm, size, '#0b5cad');
	halo(ctx, 'L', ul, vm, size, '#0b5cad');
	halo(ctx, 'Heel', uh, vh, size * 0.9, '#333');
	halo(ctx, 'Toe', uh, vt, size * 0.9, '#333');
	ctx.restore();
	return ['M', 'L', 'Heel', 'Toe'];
}

// A white dot ringed in black: readable on every colour of the map (a
// sensor's place, the centre of pressure).
export function whiteDot(ctx, u, v, radius, ring) {
	ctx.beginPath();
	ctx.arc(u, v, radius, 0, 2 * Math.PI);
	ctx.fillStyle = '#fff';
	ctx.fill();
	ctx.lineWidth = ring;
	ctx.strokeStyle = '#111';
	ctx.stroke();
}
