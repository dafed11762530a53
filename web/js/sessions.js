// Sessions: the recorded sessions, newest first, filtered by subject,
// footwear and date; open one for its report or tick several to compare.
// A recording from another system (the formats `insoled --analyze` reads)
// is imported here as a session and its report opened.

import { get, query, upload } from './api.js';
import { el, dateTime, duration, num, isNum } from './format.js';

const PAGE = 50;

function dayToUs(value, endOfDay) {
	if (!value) return '';
	const d = new Date(`${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}`);
	return Number.isNaN(d.getTime()) ? '' : String(d.getTime() * 1000);
}

const IMPORT_FORMATS = 'pedar (.asc), F-Scan (.asf), XSENSOR and stappone (.csv), Moticon, PhysioNet gaitpdb, insoled exports';

// The import form: a file, the subject (required) and footwear; the new
// session's report opens when the daemon has analysed it.
function importCard() {
	const file = el('input', { id: 'imp-file', type: 'file', required: true });
	const subject = el('input', { id: 'imp-subject', type: 'text', required: true, autocomplete: 'off' });
	const footwear = el('input', { id: 'imp-footwear', type: 'text', autocomplete: 'off' });
	const status = el('p', { class: 'muted', role: 'status', id: 'imp-status' });
	const button = el('button', { type: 'submit', class: 'primary', id: 'imp-submit' }, 'Import');
	const form = el('form', { class: 'filters', 'aria-label': 'Import a recording' },
		el('div', {}, el('label', { for: 'imp-file' }, 'Recording file'), file),
		el('div', {}, el('label', { for: 'imp-subject' }, 'Subject'), subject),
		el('div', {}, el('label', { for: 'imp-footwear' }, 'Footwear'), footwear),
		el('div', { class: 'actions' }, button));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const f = file.files[0];
		if (!f || !subject.value.trim()) return;
		button.disabled = true;
		status.className = 'muted';
		status.textContent = `Importing ${f.name}…`;
		try {
			const q = query({ subject: subject.value.trim(), footwear: footwear.value.trim(), notes: `imported from ${f.name}` });
			const s = await upload(`sessions/import${q}`, f);
			status.textContent = `Imported ${f.name} as session ${s.id}.`;
			location.hash = `#/report/${s.id}`;
		} catch (e) {
			status.className = 'error';
			status.textContent = `Could not import ${f.name}: ${e.message}`;
		} finally {
			button.disabled = false;
		}
	});
	return el('section', { class: 'card', id: 'import-card' },
		el('h2', {}, 'Import a recording'),
		el('p', { class: 'muted' }, `Files from other systems: ${IMPORT_FORMATS}.`), form, status);
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
			el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'sessions-table' },
				el('caption', { class: 'muted', style: 'text-align:left' }, 'Tick two or more sessions to compare them; the first ticked is the baseline.'),
				el('thead', {}, el('tr', {},
					el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, 'Select')),
					el('th', { scope: 'col' }, 'Date'), el('th', { scope: 'col' }, 'Subject'),
					el('th', { scope: 'col' }, 'Footwear'), el('th', { scope: 'col', class: 'n' }, 'Duration'),
					el('th', { scope: 'col', class: 'n' }, 'Steps'), el('th', { scope: 'col' }, 'State'),
					el('th', { scope: 'col' }, 'Notes'))),
				body)),
			el('div', { class: 'pager' }, prev, next)),
		importCard());

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
		count.textContent = total ? `${total} session${total === 1 ? '' : 's'}; showing ${st.offset + 1}–${st.offset + list.length}.` : 'No sessions match.';
		prev.disabled = st.offset === 0;
		next.disabled = st.offset + list.length >= total;
		body.replaceChildren(...list.map(row));
		if (!list.length) body.append(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No sessions. Record one from the Live view.')));
	}

	function row(s) {
		const box = el('input', { type: 'checkbox', 'aria-label': `Select session ${s.id} (${s.subject}, ${s.footwear || 'no footwear given'}) for comparison`, checked: st.selected.has(s.id) });
		box.addEventListener('change', () => {
			if (box.checked) st.selected.add(s.id); else st.selected.delete(s.id);
			compareBtn.disabled = st.selected.size < 2;
			compareBtn.textContent = st.selected.size >= 2 ? `Compare selected (${st.selected.size})` : 'Compare selected';
		});
		const steps = typeof s.steps === 'object' && s.steps ? (s.steps.left ?? 0) + (s.steps.right ?? 0) : s.steps;
		return el('tr', { dataset: { id: s.id } },
			el('td', {}, box),
			el('td', {}, el('a', { href: `#/report/${s.id}` }, dateTime(s.start_us))),
			el('td', {}, s.subject || '–'),
			el('td', {}, s.footwear || '–'),
			el('td', { class: 'n' }, s.state === 'recording' ? 'recording' : duration(s.start_us, s.end_us)),
			el('td', { class: 'n' }, isNum(steps) ? num(steps, 0) : '–'),
			el('td', {}, el('span', { class: `state-pill ${s.state}` }, s.state)),
			el('td', { class: 'muted' }, (s.notes || '').slice(0, 80)));
	}

	form.addEventListener('submit', (ev) => { ev.preventDefault(); st.offset = 0; load(); });
	prev.addEventListener('click', () => { st.offset = Math.max(0, st.offset - PAGE); load(); });
	next.addEventListener('click', () => { st.offset += PAGE; load(); });
	compareBtn.addEventListener('click', () => { location.hash = `#/compare?ids=${[...st.selected].join(',')}`; });
	await load();
	return () => { seq++; };
}
