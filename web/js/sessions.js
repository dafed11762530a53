// Sessions: the recorded sessions, newest first, filtered by subject,
// footwear and date; open one for its report or tick several to compare.

import { get, query } from './api.js';
import { el, dateTime, duration, num, isNum } from './format.js';
import { importCard, editSession, deleteSession } from './session_admin.js';
import { tableWrap } from './tables.js';

const PAGE = 50;
// Characters of a session's own notes a row shows; the rest is one click or
// keypress away.
const NOTES_PREVIEW = 80;
// What an import writes in front of a session's notes, each notice ending
// at " | " (docs/import.md), and the short tag a row shows for it, so that
// the row shows the clinician's own notes rather than a notice's start.
const NOTICES = [
	['Imported from a damaged file: ', 'damaged file'],
	['Imported with repairs: ', 'repaired'],
	["Imported with values unlike the file's own: ", 'values unlike file'],
	['Imported with shortened texts: ', 'texts shortened'],
	['Imported from a file without a recording date: ', 'undated'],
];

function dayToUs(value, endOfDay) {
	if (!value) return '';
	const d = new Date(`${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}`);
	return Number.isNaN(d.getTime()) ? '' : String(d.getTime() * 1000);
}

// An empty list says whether the filters hid the sessions (a subject typed
// in another case or spelling finds nothing) or there are none at all.
function emptyText(filtered) {
	return filtered
		? 'No session matches the filters above. Subject and footwear are matched as written, capitals included: the whole subject, any part of the footwear. Clear a filter to see more.'
		: 'No sessions yet: record one from the Live view, or import a recording file below.';
}

// A session's notes as [tag, notice] pairs and the notes of its own.
function splitNotes(notes) {
	const notices = [];
	let rest = notes;
	for (let n; (n = NOTICES.find(([start]) => rest.startsWith(start)));) {
		const end = rest.indexOf(' | ');
		notices.push([n[1], end < 0 ? rest : rest.slice(0, end)]);
		rest = end < 0 ? '' : rest.slice(end + 3);
	}
	return { notices, own: rest };
}

// The notes cell: a tag per notice, then the start of the session's own
// notes on one line, with an ellipsis when there is more; the whole notes,
// line ends and all, open below it (a disclosure: keyboard, touch and
// screen readers reach it as well as a mouse) and show on hover.
function notesCell(notes) {
	const { notices, own } = splitNotes(notes || '');
	const chars = Array.from(own.replace(/\s+/g, ' ').trim()); // whole characters, not UTF-16 halves
	const more = chars.length > NOTES_PREVIEW;
	const preview = more ? `${chars.slice(0, NOTES_PREVIEW).join('').trimEnd()}…` : chars.join('');
	if (!notices.length && !more) return el('td', { class: 'muted notes' }, preview);
	const tags = notices.map(([tag, text]) => el('span', { class: 'note-tag', title: text }, tag));
	return el('td', { class: 'muted notes' }, el('details', { class: 'notes-more' },
		el('summary', { title: notes }, el('span', {}, ...tags, preview)),
		el('p', { class: 'notes-full', tabindex: 0 }, notes)));
}

export async function mount(main, params) {
	const st = { offset: Number(params.offset) || 0, selected: new Set() };
	const subject = el('input', { id: 'f-subject', type: 'search', value: params.subject ?? '', autocomplete: 'off', list: 'subject-codes' });
	const codes = el('datalist', { id: 'subject-codes' });
	get('subjects').then((r) => codes.replaceChildren(...(r?.subjects ?? []).map((x) => el('option', { value: x.code }))))
		.catch(() => { /* suggestions only */ });
	const footwear = el('input', { id: 'f-footwear', type: 'search', value: params.footwear ?? '', autocomplete: 'off' });
	const from = el('input', { id: 'f-from', type: 'date', value: params.from ?? '' });
	const to = el('input', { id: 'f-to', type: 'date', value: params.to ?? '' });
	const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter sessions' },
		el('div', {}, el('label', { for: 'f-subject' }, 'Subject (exact)'), subject, codes),
		el('div', {}, el('label', { for: 'f-footwear' }, 'Footwear contains'), footwear),
		el('div', {}, el('label', { for: 'f-from' }, 'From date'), from),
		el('div', {}, el('label', { for: 'f-to' }, 'To date'), to),
		el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Search')));
	const body = el('tbody');
	const msg = el('p', { class: 'error', role: 'alert' });
	const count = el('p', { class: 'muted', 'aria-live': 'polite', id: 'sessions-count' });
	const compareBtn = el('button', { type: 'button', class: 'primary', id: 'compare-selected', disabled: true }, 'Compare selected');
	const prev = el('button', { type: 'button' }, '← Newer');
	const next = el('button', { type: 'button' }, 'Older →');

	main.append(
		el('div', { class: 'view-head' }, el('h1', {}, 'Sessions'), el('div', { class: 'actions' }, compareBtn)),
		el('section', { class: 'card' }, form, msg, count,
			tableWrap(el('table', { class: 'data', id: 'sessions-table' },
				el('caption', { class: 'muted', style: 'text-align:left' }, 'Tick two or more sessions to compare them; the first ticked is the baseline.'),
				el('thead', {}, el('tr', {},
					el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, 'Select')),
					el('th', { scope: 'col' }, 'Date'), el('th', { scope: 'col' }, 'Subject'),
					el('th', { scope: 'col' }, 'Footwear'), el('th', { scope: 'col', class: 'n' }, 'Duration'),
					el('th', { scope: 'col', class: 'n' }, 'Steps'), el('th', { scope: 'col' }, 'State'),
					el('th', { scope: 'col' }, 'Notes'), el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, 'Actions')))),
				body)),
			el('div', { class: 'pager' }, prev, next)),
		importCard(() => { st.offset = 0; load(); }));

	let seq = 0;
	async function load() {
		const my = ++seq;
		msg.textContent = '';
		const q = query({
			subject: subject.value.trim(), footwear: footwear.value.trim(),
			from: dayToUs(from.value, false), to: dayToUs(to.value, true), offset: st.offset, limit: PAGE,
		});
		let res;
		try {
			res = await get(`sessions${q}`);
		} catch (e) {
			msg.textContent = `Could not load sessions: ${e.message}`;
			return;
		}
		if (my !== seq) return;
		const list = res.sessions ?? [];
		const total = isNum(res.total) ? res.total : list.length;
		const filtered = [subject.value.trim(), footwear.value.trim(), from.value, to.value].some(Boolean);
		count.textContent = total ? `${total} session${total === 1 ? '' : 's'}; showing ${st.offset + 1}–${st.offset + list.length}.`
			: filtered ? 'No session matches these filters.' : 'No sessions yet.';
		prev.disabled = st.offset === 0;
		next.disabled = st.offset + list.length >= total;
		body.replaceChildren(...list.map(row));
		if (!list.length) body.append(el('tr', {}, el('td', { colspan: 9, class: 'empty', id: 'sessions-empty' }, emptyText(filtered))));
	}

	function row(s) {
		const box = el('input', { type: 'checkbox', 'aria-label': `Select session ${s.id} (${s.subject}, ${s.footwear || 'no footwear given'}) for comparison`, checked: st.selected.has(s.id) });
		box.addEventListener('change', () => {
			if (box.checked) st.selected.add(s.id); else st.selected.delete(s.id);
			compareBtn.disabled = st.selected.size < 2;
			compareBtn.textContent = st.selected.size >= 2 ? `Compare selected (${st.selected.size})` : 'Compare selected';
		});
		const steps = typeof s.steps === 'object' && s.steps ? (s.steps.left ?? 0) + (s.steps.right ?? 0) : s.steps;
		const recording = s.state === 'recording';
		const edit = el('button', { type: 'button', class: 'small', 'aria-label': `Edit session ${s.id}`, onclick: () => editSession(s, () => load()) }, 'Edit');
		const remove = el('button', { type: 'button', class: 'small', disabled: recording, title: recording ? 'Stop the recording first' : null,
			'aria-label': `Delete session ${s.id}`, onclick: () => deleteSession(s, () => load()) }, 'Delete');
		return el('tr', { dataset: { id: s.id } },
			el('td', {}, el('label', { class: 'tick' }, box)),
			el('td', {}, el('a', { href: `#/report/${s.id}` }, dateTime(s.start_us))),
			el('td', {}, s.subject || '–'),
			el('td', {}, s.footwear || '–'),
			el('td', { class: 'n' }, s.state === 'recording' ? 'recording' : duration(s.start_us, s.end_us)),
			el('td', { class: 'n' }, isNum(steps) ? num(steps, 0) : '–'),
			el('td', {}, el('span', { class: `state-pill ${s.state}` }, s.state)),
			notesCell(s.notes),
			el('td', { class: 'row-actions' }, edit, remove));
	}

	form.addEventListener('submit', (ev) => { ev.preventDefault(); st.offset = 0; load(); });
	prev.addEventListener('click', () => { st.offset = Math.max(0, st.offset - PAGE); load(); });
	next.addEventListener('click', () => { st.offset += PAGE; load(); });
	compareBtn.addEventListener('click', () => { location.hash = `#/compare?ids=${[...st.selected].join(',')}`; });
	await load();
	return () => { seq++; };
}
