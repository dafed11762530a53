// Managing sessions from the list: import a recording file, rename (subject,
// footwear, notes) and delete with a confirmation.  The API has had these
// (docs/api.md); here they get a face.

import { upload, patch, del, query } from './api.js';
import { el, dateTime } from './format.js';

// One file per upload: a gaitndd record is three (.hea, .let, .rit) and is
// read with `insoled --analyze`, so it is not offered here.
const FORMATS = [['auto', 'Detect from the file'], ['insoled', 'insoled CSV'], ['moticon', 'Moticon export'],
	['pedar', 'novel pedar (.asc)'], ['fscan', 'Tekscan F-Scan (.asf)'], ['xsensor', 'XSENSOR (.csv)'],
	['stappone', 'stappone (.csv)'], ['gaitpdb', 'PhysioNet gaitpdb']];

function field(id, label, input) {
	input.id = id;
	return el('div', { class: 'stack field' }, el('label', { for: id }, label), input);
}

// What the import card says when the recording is already stored (a 409
// naming the session that holds it): which session, and the two ways on.
function duplicateNotice(fileName, existing, onImportAgain) {
	const who = [existing.name && `\u201c${existing.name}\u201d`, existing.subject && `subject ${existing.subject}`,
		existing.start_us && `recorded ${dateTime(existing.start_us)}`].filter(Boolean).join(', ');
	const when = existing.imported_us ? ` on ${dateTime(existing.imported_us)}` : '';
	const again = el('button', { type: 'button', id: 'import-again' }, 'Import again as a new session');
	again.addEventListener('click', onImportAgain);
	return [
		el('p', {}, el('strong', {}, `Not imported: ${fileName} is already stored.`)),
		el('p', {}, `This recording was imported${when} as session #${existing.id} (${who}). ` +
			'Importing it again would count the same walk twice in lists, comparisons and the subject\u2019s history.'),
		el('div', { class: 'actions' },
			el('a', { class: 'button primary', id: 'import-open-existing', href: `#/report/${existing.id}` }, `Open session #${existing.id}`),
			again)];
}

// What the reader did to read the file in time order (a Bluetooth logger
// writes packets as they arrive: late, or sent again), from the import's
// per-foot counts; '' when the file was in order.
function readInOrderNote(s) {
	const total = (perFoot) => (perFoot?.left ?? 0) + (perFoot?.right ?? 0);
	const samples = (n) => `${n} sample${n === 1 ? ' was' : 's were'}`;
	const reordered = total(s.reordered_samples), repeated = total(s.repeated_samples);
	const notes = [reordered && `${samples(reordered)} out of time order in the file and put back in order`,
		repeated && `${samples(repeated)} written twice in the file and read once`].filter(Boolean);
	return notes.length ? ` ${notes.join('; ')}.` : '';
}

// A card with a file picker and the session's details; onDone(session).
export function importCard(onDone) {
	const file = el('input', { type: 'file', required: true, accept: '.csv,.txt,.tsv,.dat,.asc,.asf,text/csv,text/plain' });
	const subject = el('input', { required: true, autocomplete: 'off' });
	const footwear = el('input', { autocomplete: 'off' });
	const notes = el('input', { autocomplete: 'off' });
	const format = el('select', {}, FORMATS.map(([v, t]) => el('option', { value: v }, t)));
	const msg = el('p', { role: 'status', 'aria-live': 'polite', id: 'import-msg' });
	const dup = el('div', { class: 'warn import-duplicate', id: 'import-duplicate', role: 'alert', hidden: true });
	const go = el('button', { type: 'submit', class: 'primary', id: 'import-start' }, 'Import');
	const form = el('form', { class: 'import-form', id: 'import-form' },
		field('import-file', 'Recording file', file), field('import-subject', 'Subject', subject),
		field('import-footwear', 'Footwear', footwear), field('import-format', 'Format', format),
		field('import-notes', 'Notes', notes), el('div', { class: 'actions' }, go), msg, dup);
	// duplicate: 'allow' stores a recording already stored as another session
	async function send(duplicate) {
		if (!file.files?.length) return;
		go.disabled = true;
		dup.hidden = true;
		dup.replaceChildren();
		msg.className = '';
		msg.textContent = `Importing ${file.files[0].name}…`;
		try {
			// the server names the upload by it in errors and in the session's source
			const name = file.files[0].name.slice(0, 64);
			const q = query({ subject: subject.value.trim(), footwear: footwear.value.trim(), notes: notes.value.trim(), format: format.value, name, duplicate });
			const s = await upload(`sessions/import${q}`, file.files[0]);
			// a file cut short gives the session of its good frames: say where it broke
			msg.className = s.warning ? 'warn' : 'ok';
			msg.textContent = `Imported as session #${s.id}, recorded ${dateTime(s.start_us)}.` + readInOrderNote(s) +
				(s.warning ? ` The file is damaged, only its first part was imported: ${s.warning}.` : '');
			form.reset();
			onDone(s);
		} catch (e) {
			if (e.status === 409 && e.body?.existing) {
				// the form keeps its values: importing again sends the same
				msg.textContent = '';
				dup.replaceChildren(...duplicateNotice(file.files[0].name, e.body.existing, () => send('allow')));
				dup.hidden = false;
			} else {
				msg.className = 'error';
				msg.textContent = `Not imported: ${e.message}`;
			}
		}
		go.disabled = false;
	}
	form.addEventListener('submit', (ev) => { ev.preventDefault(); send(); });
	return el('details', { class: 'card import-card', id: 'import-card' },
		el('summary', {}, el('h2', {}, 'Import a recording')),
		el('p', { class: 'muted' }, 'A file from an insole\u2019s own software or a public dataset; the session keeps the file\u2019s own start time where the file has one.'),
		form);
}

function modal(title, children) {
	const d = el('dialog', { class: 'session-dialog', 'aria-label': title }, el('h2', {}, title), ...children);
	document.body.append(d);
	d.addEventListener('close', () => d.remove());
	d.showModal();
	return d;
}

// Subject, footwear and notes of session s; onDone(updated).
export function editSession(s, onDone) {
	const subject = el('input', { value: s.subject ?? '', required: true, autocomplete: 'off' });
	const footwear = el('input', { value: s.footwear ?? '', autocomplete: 'off' });
	const notes = el('input', { value: s.notes ?? '', autocomplete: 'off' });
	const msg = el('p', { class: 'error', role: 'alert' });
	const cancel = el('button', { type: 'button' }, 'Cancel');
	const form = el('form', { class: 'stack', id: 'edit-form' },
		field('edit-subject', 'Subject', subject), field('edit-footwear', 'Footwear', footwear), field('edit-notes', 'Notes', notes),
		el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'edit-save' }, 'Save'), cancel), msg);
	const d = modal(`Edit session #${s.id}`, [form]);
	cancel.addEventListener('click', () => d.close());
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		try {
			const r = await patch(`sessions/${s.id}`, { subject: subject.value.trim(), footwear: footwear.value.trim(), notes: notes.value.trim() });
			d.close();
			onDone(r);
		} catch (e) { msg.textContent = `Not saved: ${e.message}`; }
	});
}

// Asks before deleting: a session's raw recording cannot be brought back.
export function deleteSession(s, onDone) {
	const msg = el('p', { class: 'error', role: 'alert' });
	const yes = el('button', { type: 'button', class: 'danger', id: 'delete-confirm' }, 'Delete');
	const no = el('button', { type: 'button', id: 'delete-cancel' }, 'Keep it');
	const d = modal(`Delete session #${s.id}?`, [
		el('p', {}, `${s.subject || 'No subject'}, ${s.footwear || 'no footwear given'}, ${dateTime(s.start_us)}.`),
		el('p', {}, 'Its recording, steps and report are removed for good.'),
		el('div', { class: 'actions' }, yes, no), msg]);
	no.addEventListener('click', () => d.close());
	no.focus();
	yes.addEventListener('click', async () => {
		yes.disabled = true;
		try {
			await del(`sessions/${s.id}`);
			d.close();
			onDone();
		} catch (e) { msg.textContent = `Not deleted: ${e.message}`; yes.disabled = false; }
	});
}
