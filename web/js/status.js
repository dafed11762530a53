// Device status and data-quality warnings from GET /api/status (docs/api.md;
// device members as in include/insoled/acquire.h): what the clinician must
// see on screen rather than find in a log.

import { num, isNum } from './format.js';

const GOOD_STATES = new Set(['open', 'streaming']);
const STATE_TEXT = {
	open: 'streaming',
	opening: 'connecting…',
	silent: 'silent: no data from the insole',
	waiting: 'disconnected, reconnecting…',
	finished: 'finished',
	stopped: 'stopped',
};
const STALE_FRAME_MS = 1000; // no frame for a second at 50-200 Hz: the link is down

function footText(foot) {
	if (foot === 'left' || foot === 'right') return `${foot} foot`;
	return 'both feet';
}

// The status list carries state and counters, /api/devices the layouts:
// merged by device name when both are given.
export function deviceList(devices, configured) {
	const pick = (x) => (Array.isArray(x) ? x : Array.isArray(x?.devices) ? x.devices : []);
	const list = pick(devices);
	const conf = pick(configured);
	const byName = new Map(conf.map((c) => [c.name, c]));
	return (list.length ? list : conf).map((d) => {
		const c = byName.get(d.name) ?? {};
		const layoutRaw = d.layout ?? c.layout;
		const layout = typeof layoutRaw === 'string' ? layoutRaw : layoutRaw?.name;
		const foot = d.foot ?? c.foot;
		const details = [footText(foot)];
		if (layout) details.push(`layout ${layout}`);
		if (d.driver && d.driver !== d.path) details.push(d.driver);
		if (isNum(d.last_frame_age_ms)) details.push(`last frame ${num(d.last_frame_age_ms, 0)} ms ago`);
		if (d.last_error) details.push(`last error: ${d.last_error}`);
		const stale = isNum(d.last_frame_age_ms) && d.last_frame_age_ms > STALE_FRAME_MS;
		const known = d.state !== undefined;
		const ok = known ? GOOD_STATES.has(String(d.state)) && !stale : true;
		const port = d.path || d.port || c.port;
		const title = d.name && port && d.name !== port ? `${d.name} (${port})` : d.name || port || 'device';
		return { ...c, ...d, foot, layout, title, rawState: d.state, state: known ? (STATE_TEXT[d.state] ?? d.state) : 'configured', details, ok, stale };
	});
}

// Counters that only grow; a rise since the previous poll is news.
function rise(cur, prev, get) {
	const a = cur && get(cur), b = prev && get(prev);
	return isNum(a) && isNum(b) && a > b ? a - b : 0;
}

function plural(n, word) {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const SENSOR_PROBLEM_TEXT = {
	silent: ['has read no pressure in 20 or more steps', 'have read no pressure in 20 or more steps', 'check the insole and its connector (a sensor under a high arch may simply never be loaded)'],
	saturating: ['is at its maximum in many steps', 'are at their maximum in many steps', 'pressures there are underestimated'],
	stuck: ['reads load while the foot is in the air', 'read load while the foot is in the air', 're-tare the foot, or check the insole'],
};

// status.analysis.sensor_health: flagged sensors per foot; the JSON's
// "sensor" counts from 0 in the layout's list, people count from 1.  One
// line per foot and problem, naming each sensor and where it sits.
export function sensorWarnings(health) {
	const out = [];
	for (const foot of ['left', 'right']) {
		const sensors = Array.isArray(health?.[foot]) ? health[foot] : [];
		for (const [problem, [one, many, advice]] of Object.entries(SENSOR_PROBLEM_TEXT)) {
			const names = sensors.filter((s) => (s.problems ?? []).includes(problem)).map((s) => {
				const where = [s.region, s.side].filter(Boolean).join(' ');
				return `${s.sensor + 1}${where ? ` (${where})` : ''}`;
			});
			if (!names.length) continue;
			const what = names.length === 1 ? `sensor ${names[0]} ${one}` : `sensors ${names.join(', ')} ${many}`;
			out.push({ level: 'warn', text: `Sensor problem: ${foot} foot: ${what}: ${advice}.` });
		}
	}
	return out;
}

export function qualityWarnings(status, prev) {
	const out = [];
	if (!status) return out;
	const prevDevs = new Map((prev?.devices ?? []).map((d) => [d.name, d]));
	for (const d of deviceList(status.devices)) {
		if (!d.ok) {
			const open = GOOD_STATES.has(String(d.rawState));
			const what = open && d.stale ? `silent for ${num(d.last_frame_age_ms / 1000, 1)} s` : d.state;
			out.push({ level: 'bad', text: `Device lost: ${d.title} is ${what}${what.endsWith('…') ? '' : '.'}` });
		}
		const p = prevDevs.get(d.name);
		const lost = rise(d, p, (x) => x.protocol?.frames_lost);
		if (lost) out.push({ level: 'warn', text: `Frames dropped: ${plural(lost, 'frame')} lost on ${d.title} in the last seconds (link noise or range).` });
		const crc = rise(d, p, (x) => x.protocol?.crc_errors);
		if (crc) out.push({ level: 'warn', text: `Corrupted data: ${plural(crc, 'damaged frame')} from ${d.title} (check the cable or radio link).` });
		const qd = rise(d, p, (x) => x.queue_drops);
		if (qd) out.push({ level: 'warn', text: `Frames dropped: the analysis fell behind and skipped ${plural(qd, 'frame')} from ${d.title}.` });
	}
	const rejected = rise(status, prev, (x) => x.analysis?.frames_rejected);
	if (rejected) out.push({ level: 'warn', text: `Frames dropped: ${plural(rejected, 'frame')} did not fit the configured layout.` });
	const db = status.database;
	if (db && db.healthy === false) out.push({ level: 'bad', text: `Database problem: ${db.last_error || 'recording may not be saved'}.` });
	const dbDrop = rise(status, prev, (x) => x.database?.frames_dropped);
	if (dbDrop) out.push({ level: 'bad', text: `Frames dropped: ${plural(dbDrop, 'frame')} could not be stored.` });
	out.push(...sensorWarnings(status.analysis?.sensor_health));
	return out;
}
