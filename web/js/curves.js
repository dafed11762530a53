// Stance-normalised force curves and centre-of-pressure paths of a session,
// rebuilt from its frames export (docs/import.md, "insoled frames export"):
// the export carries the session's own calibration per sensor, the layout
// gives sensor positions and areas, and the session's steps give contact and
// toe-off.  Force = sum of pressure x area, CoP = force-weighted position, the
// same definitions as docs/metrics-reference.md.

export const CURVE_POINTS = 101; // 0..100 % of stance

export function parseFramesCsv(text) {
	const header = {};
	let pos = 0, columns = null;
	while (pos < text.length) {
		const end = text.indexOf('\n', pos);
		const line = text.slice(pos, end < 0 ? text.length : end).replace(/\r$/, '');
		pos = end < 0 ? text.length : end + 1;
		if (line.startsWith('#')) {
			const m = /^# ([a-z0-9_]+): (.*)$/.exec(line);
			if (m) header[m[1]] = m[2];
			continue;
		}
		columns = line.split(',');
		break;
	}
	if (!columns || columns[0] !== 't_us' || columns[1] !== 'foot') throw new Error('frames export: no "t_us,foot,..." column line');
	const rows = { left: [], right: [] };
	while (pos < text.length) {
		const end = text.indexOf('\n', pos);
		const line = text.slice(pos, end < 0 ? text.length : end);
		pos = end < 0 ? text.length : end + 1;
		if (!line) continue;
		const f = line.split(',');
		const foot = f[1];
		if (!rows[foot]) continue;
		const vals = new Float64Array(f.length - 3);
		for (let i = 3; i < f.length; i++) vals[i - 3] = f[i] === '' ? NaN : Number(f[i]);
		rows[foot].push({ t: Number(f[0]), v: vals });
	}
	return { header, rows };
}

function calibrateOne(c, counts) {
	if (!c) return counts;
	const zero = c.zero ?? 0;
	if (c.saturation && counts >= c.saturation) counts = c.saturation;
	switch (c.kind) {
	case 'power': { const d = counts - zero; return d > 0 ? c.gain * Math.pow(d, c.exponent ?? 1) : 0; }
	case 'table': {
		const tc = c.table_counts ?? [], tk = c.table_kpa ?? [];
		if (tc.length < 2) return 0;
		if (counts <= tc[0]) return Math.max(0, tk[0]);
		for (let i = 1; i < tc.length; i++) {
			if (counts <= tc[i]) return Math.max(0, tk[i - 1] + ((tk[i] - tk[i - 1]) * (counts - tc[i - 1])) / (tc[i] - tc[i - 1]));
		}
		return Math.max(0, tk[tk.length - 1]);
	}
	default: { const d = c.gain * (counts - zero); return d > 0 ? d : 0; }
	}
}

// Per-frame force (N) and CoP (mm) of one foot.
export function frameSeries(rows, sensors, calib, unitsKpa) {
	return rows.map(({ t, v }) => {
		let F = 0, mx = 0, my = 0;
		const n = Math.min(v.length, sensors.length);
		for (let i = 0; i < n; i++) {
			if (!Number.isFinite(v[i])) continue;
			const kpa = unitsKpa ? Math.max(0, v[i]) : calibrateOne(calib?.[i], v[i]);
			const f = kpa * sensors[i].area_mm2 * 1e-3; // kPa x mm2 = mN
			F += f; mx += f * sensors[i].x_mm; my += f * sensors[i].y_mm;
		}
		return { t, F, x: F > 0 ? mx / F : NaN, y: F > 0 ? my / F : NaN };
	});
}

function resample(samples, t0, t1, key) {
	const out = new Float64Array(CURVE_POINTS);
	let j = 0;
	for (let k = 0; k < CURVE_POINTS; k++) {
		const t = t0 + ((t1 - t0) * k) / (CURVE_POINTS - 1);
		while (j < samples.length - 2 && samples[j + 1].t < t) j++;
		const a = samples[j], b = samples[Math.min(j + 1, samples.length - 1)];
		const va = a[key], vb = b[key];
		const f = b.t > a.t ? Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t))) : 0;
		out[k] = Number.isFinite(va) && Number.isFinite(vb) ? va + (vb - va) * f : Number.isFinite(va) ? va : vb;
	}
	return out;
}

// Every step of one foot cut from the frame series and normalised to
// 0-100 % of stance: mean and SD force curve, each step's CoP path, the mean
// CoP path.
export function stepCurves(series, steps) {
	const force = [], paths = [];
	let j = 0;
	const sorted = [...steps].sort((a, b) => a.contact_us - b.contact_us);
	for (const s of sorted) {
		if (!(s.toe_off_us > s.contact_us)) continue;
		while (j < series.length && series[j].t < s.contact_us) j++;
		const seg = [];
		for (let k = j; k < series.length && series[k].t <= s.toe_off_us; k++) seg.push(series[k]);
		if (seg.length < 4) continue;
		force.push(resample(seg, s.contact_us, s.toe_off_us, 'F'));
		const xs = resample(seg, s.contact_us, s.toe_off_us, 'x');
		const ys = resample(seg, s.contact_us, s.toe_off_us, 'y');
		paths.push(Array.from(xs, (x, i) => ({ x, y: ys[i] })).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
	}
	if (!force.length) return null;
	const mean = new Float64Array(CURVE_POINTS), sd = new Float64Array(CURVE_POINTS);
	for (let k = 0; k < CURVE_POINTS; k++) {
		let s = 0;
		for (const c of force) s += c[k];
		mean[k] = s / force.length;
		let v = 0;
		for (const c of force) v += (c[k] - mean[k]) ** 2;
		sd[k] = force.length > 1 ? Math.sqrt(v / (force.length - 1)) : 0;
	}
	const meanPath = [];
	for (let k = 0; k < CURVE_POINTS; k++) {
		let sx = 0, sy = 0, n = 0;
		for (const p of paths) if (p.length === CURVE_POINTS) { sx += p[k].x; sy += p[k].y; n++; }
		if (n) meanPath.push({ x: sx / n, y: sy / n });
	}
	return { n: force.length, mean: Array.from(mean), sd: Array.from(sd), paths, meanPath };
}
