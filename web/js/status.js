// Device status and data-quality warnings from GET /api/status (docs/api.md):
// what the clinician must see on screen rather than find in a log.

import { num, isNum } from './format.js';

const GOOD_STATES = new Set(['streaming', 'connected', 'ok', 'running']);
const STALE_FRAME_MS = 1000; // no frame for a second at 50-200 Hz: the link is down

export function deviceList(devices) {
	const list = Array.isArray(devices) ? devices : Array.isArray(devices?.devices) ? devices.devices : [];
	return list.map((d) => {
		const layout = typeof d.layout === 'string' ? d.layout : d.layout?.name;
		const details = [];
		if (d.foot) details.push(`${d.foot} foot`);
		if (layout) details.push(`layout ${layout}`);
		if (isNum(d.frame_rate_hz)) details.push(`${num(d.frame_rate_hz, 0)} Hz`);
		if (isNum(d.last_frame_age_ms)) details.push(`last frame ${num(d.last_frame_age_ms, 0)} ms ago`);
		const stale = isNum(d.last_frame_age_ms) && d.last_frame_age_ms > STALE_FRAME_MS;
		const ok = GOOD_STATES.has(String(d.state)) && !stale;
		return { ...d, layout, title: d.path || d.name || 'device', state: d.state ?? 'unknown', details, ok, stale };
	});
}

// Counters that only grow; a rise since the previous poll is news.
function rise(cur, prev, path) {
	const get = (o) => path.reduce((x, k) => (x == null ? undefined : x[k]), o);
	const a = get(cur), b = get(prev);
	return isNum(a) && isNum(b) && a > b ? a - b : 0;
}

export function qualityWarnings(status, prev) {
	const out = [];
	if (!status) return out;
	for (const d of deviceList(status.devices)) {
		if (!d.ok) {
			out.push({ level: 'bad', text: `Device lost: ${d.title}${d.foot ? ` (${d.foot} foot)` : ''} is ${d.stale ? `silent for ${num(d.last_frame_age_ms / 1000, 1)} s` : d.state}.` });
		}
	}
	for (const foot of ['left', 'right']) {
		const lost = rise(status, prev, ['acquisition', foot, 'frames_lost']);
		if (lost) out.push({ level: 'warn', text: `Frames dropped: ${lost} frame${lost > 1 ? 's' : ''} lost on the ${foot} foot in the last seconds (link noise or overload).` });
		const crc = rise(status, prev, ['acquisition', foot, 'crc_errors']);
		if (crc) out.push({ level: 'warn', text: `Corrupted data: ${crc} damaged frame${crc > 1 ? 's' : ''} on the ${foot} foot (check the cable or radio link).` });
	}
	const q = rise(status, prev, ['queues', 'frame_queue', 'dropped']);
	if (q) out.push({ level: 'warn', text: `Frames dropped: the analysis fell behind and skipped ${q} frames.` });
	const db = status.database;
	if (db && db.healthy === false) out.push({ level: 'bad', text: `Database problem: ${db.last_error || 'recording may not be saved'}.` });
	const dbDrop = rise(status, prev, ['database', 'frames_dropped']);
	if (dbDrop) out.push({ level: 'bad', text: `Frames dropped: ${dbDrop} frames could not be stored.` });
	return out;
}
