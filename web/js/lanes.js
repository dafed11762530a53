// Lanes (docs/api.md, "Lanes"): on a daemon serving several insole pairs,
// the picker in the top bar chooses the lane the live, recording,
// calibration and sessions views follow, and the overview shows every lane
// at once.  With one lane neither appears and the dashboard is unchanged.

import { get, setLane, getLane } from './api.js';
import { el, num } from './format.js';
import { tableWrap } from './tables.js';

const STORAGE_KEY = 'insoled.lane';
const OVERVIEW_POLL_MS = 1000; // frame rates are measured over one second

// Reads the lanes once at start-up; with more than one, adds the picker and
// the overview's menu entry.  onChange re-renders the current view.
export async function setupLanes(onChange) {
	let lanes = [];
	try {
		lanes = (await get('lanes'))?.lanes ?? [];
	} catch { /* an older daemon, or a login first: one lane */ }
	if (lanes.length < 2) return;
	const names = lanes.map((l) => l.name);
	let saved = null;
	try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* private mode */ }
	setLane(names.includes(saved) ? saved : names[0]);
	const picker = el('select', { id: 'lane-picker', 'aria-label': 'Lane' },
		...names.map((n) => el('option', { value: n, selected: n === getLane() }, n)));
	picker.addEventListener('change', () => {
		setLane(picker.value);
		try { localStorage.setItem(STORAGE_KEY, picker.value); } catch { /* not remembered */ }
		onChange();
	});
	const nav = document.querySelector('.topbar nav ul');
	nav?.prepend(el('li', {}, el('a', { href: '#/lanes', 'data-view': 'lanes' }, 'Lanes')));
	document.querySelector('.topbar nav')?.after(el('label', { class: 'lane-pick' }, 'Lane ', picker));
}

function laneRow(lane, watch) {
	const rec = lane.recording_session;
	return el('tr', { 'data-lane': lane.name },
		el('th', { scope: 'row' }, lane.name),
		el('td', {}, (lane.devices ?? []).join(', ')),
		el('td', { class: `state-${lane.state}` }, lane.state),
		el('td', { class: 'n' }, num(lane.frames_per_s, 0)),
		el('td', { class: 'n' }, String(lane.queue_dropped ?? 0)),
		el('td', {}, rec ? el('a', { href: `#/report/${rec}` }, `session ${rec}`) : '—'),
		el('td', {}, el('button', { type: 'button', onclick: () => watch(lane.name) }, 'Watch live')));
}

// The overview: every lane's state, frame rate, drops and recording.
export function mount(main) {
	const body = el('tbody');
	const msg = el('p', { class: 'error', role: 'alert' });
	const picker = () => document.getElementById('lane-picker');
	const watch = (name) => {
		const p = picker();
		if (p) { p.value = name; p.dispatchEvent(new Event('change')); }
		location.hash = '#/live';
	};
	main.append(el('div', { class: 'view-head' }, el('h1', {}, 'Lanes')),
		el('section', { class: 'card' }, msg, tableWrap(
			el('table', { class: 'data', id: 'lanes-table' },
				el('thead', {}, el('tr', {},
					el('th', { scope: 'col' }, 'Lane'), el('th', { scope: 'col' }, 'Devices'),
					el('th', { scope: 'col' }, 'State'), el('th', { scope: 'col', class: 'n' }, 'Frames/s'),
					el('th', { scope: 'col', class: 'n' }, 'Dropped'), el('th', { scope: 'col' }, 'Recording'),
					el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, 'Actions')))),
				body))));
	let alive = true;
	async function poll() {
		try {
			const r = await get('lanes');
			msg.textContent = '';
			body.replaceChildren(...(r?.lanes ?? []).map((l) => laneRow(l, watch)));
		} catch (e) {
			msg.textContent = e.message;
		}
		if (alive) timer = setTimeout(poll, OVERVIEW_POLL_MS);
	}
	let timer = null;
	poll();
	return () => { alive = false; clearTimeout(timer); };
}
