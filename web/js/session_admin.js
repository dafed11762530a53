// Managing sessions from the list: import a recording file, rename (subject,
// footwear, notes) and delete with a confirmation.  The API has had these
// (docs/api.md); here they get a face.

import { get, upload, uploadFiles, patch, del, query } from './api.js';
import { el, dateTime } from './format.js';

// A gaitndd record is three files, chosen together and sent as one upload
// (importItems below); every other format is one file.
const FORMATS = [['auto', 'Detect from the file'], ['insoled', 'insoled CSV'], ['moticon', 'Moticon export'],
	['pedar', 'novel pedar (.asc)'], ['fscan', 'Tekscan F-Scan (.asf)'], ['xsensor', 'XSENSOR (.csv)'],
	['stappone', 'stappone (.csv)'], ['gaitpdb', 'PhysioNet gaitpdb'], ['gaitndd', 'PhysioNet gaitndd (.hea + .let + .rit)']];

// A PhysioNet gaitndd record: NAME.hea (its header), NAME.let and NAME.rit
// (the left and the right foot's signal), the suffixes in any case.
const GAITNDD_PART = /^(.+)\.(hea|let|rit)$/i;
const GAITNDD_ROLES = { hea: 'header', let: 'left foot\u2019s signal', rit: 'right foot\u2019s signal' };
const plural = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;
const andList = (xs) => xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}` : xs[0];

// Why the files chosen of one record (parts: suffix -> files) cannot be
// imported, said before anything is sent; '' when they are its three.
function recordProblem(stem, parts) {
	const whole = `a PhysioNet gaitndd record is the three files ${andList(Object.keys(GAITNDD_ROLES).map((k) => `${stem}.${k}`))}, chosen together`;
	const twice = Object.entries(parts).find(([, fs]) => fs.length > 1);
	if (twice) return `${andList(twice[1].map((f) => f.name))} are each the record\u2019s ${GAITNDD_ROLES[twice[0]]}: ${whole}`;
	const missing = Object.keys(GAITNDD_ROLES).filter((k) => !parts[k]).map((k) => `${stem}.${k} (the ${GAITNDD_ROLES[k]})`);
	return missing.length ? `${andList(missing)} ${missing.length === 1 ? 'is' : 'are'} missing: ${whole}` : '';
}

// One record as one item of an import: its three files in the order .hea,
// .let, .rit under the header's name, or the files chosen and why not.
function recordItem(stem, parts) {
	const chosen = Object.values(parts).flat(), label = `${stem} (${plural(chosen.length, 'file')})`;
	const problem = recordProblem(stem, parts);
	if (problem) return { label, files: chosen, problem };
	return { label, name: parts.hea[0].name, files: [parts.hea[0], parts.let[0], parts.rit[0]] };
}

// The chosen files as what an import sends, in the order chosen: a gaitndd
// record (its files grouped by record name, the name compared as it is)
// one item, any other file one item as itself.
function importItems(files) {
	const items = [], records = new Map();
	for (const f of files) {
		const m = GAITNDD_PART.exec(f.name);
		if (!m) { items.push({ label: f.name, name: f.name, files: [f] }); continue; }
		if (!records.has(m[1])) { records.set(m[1], {}); items.push(m[1]); }
		(records.get(m[1])[m[2].toLowerCase()] ??= []).push(f);
	}
	return items.map((it) => typeof it === 'string' ? recordItem(it, records.get(it)) : it);
}

// A file whose insole the reader cannot tell (a pedar export of a sensor
// type it does not know) is refused saying "no layout for the ... foot":
// the card says what to do about it, since the daemon cannot.
const NO_LAYOUT = 'no layout for the';
const refusalSaid = (e) => String(e.message).includes(NO_LAYOUT)
	? `${e.message.replace(/\.?$/, '.')} Choose the insole\u2019s layout under \u201cInsole layout\u201d above and import the file again.` : e.message;

// The layouts the daemon has, as the import card's choices after "As the
// file says"; none added when the list cannot be had (the file's own
// layout still imports).
async function fillLayouts(select) {
	try {
		const { layouts } = await get('layouts');
		select.append(...layouts.map((l) => el('option', { value: l.name },
			`${l.name} \u2014 ${l.description} (${plural(l.sensors, 'sensor')})`)));
	} catch { /* the default choice stands */ }
}

function field(id, label, input) {
	input.id = id;
	return el('div', { class: 'stack field' }, el('label', { for: id }, label), input);
}

// What the import card says when the recording is already stored (a 409
// naming the session that holds it): which session, and the two ways on.
// The date of a session already holding a recording (a 409's existing):
// the walk's, or the day of the import when the file gave none.
function storedDate(existing) {
	if (!existing.start_us) return '';
	return existing.start_from_file === false ? `dated ${dateTime(existing.start_us)}, when it was imported`
		: `recorded ${dateTime(existing.start_us)}`;
}

function duplicateNotice(fileName, existing, onImportAgain) {
	const who = [existing.name && `\u201c${existing.name}\u201d`, existing.subject && `subject ${existing.subject}`,
		storedDate(existing)].filter(Boolean).join(', ');
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

// How the analysis agrees with the values the file states of itself
// (XSENSOR's load and peak pressure, Moticon's force and centre of
// pressure) and with the gait events it marks (Moticon's initial contacts
// and toe-offs), each value's worse foot; '' for a file stating none.
const agreedPct = (v) => ('events' in v ? v.matched_pct : v.within_pct) ?? 100;
function agreementSaid(v) {
	if (!('events' in v))
		return `${v.name} within ${v.tolerance} on ${v.within_pct.toFixed(1)} % of frames`;
	const diffs = v.matched ? ` (median ${v.median_diff.toFixed(1)} ms, largest ${v.max_diff.toFixed(1)} ms)` : '';
	return `${v.name}s within ${v.tolerance} of the file\u2019s on ${v.matched} of ${v.events}${diffs}`;
}
function fileAgreementNote(s) {
	const values = new Map();
	for (const foot of ['left', 'right'])
		for (const [key, v] of Object.entries(s.file_agreement?.[foot] ?? {}))
			// events all at the recording's ends, which no step can show, give nothing to compare
			if (v.events !== 0 && (!values.has(key) || agreedPct(v) < agreedPct(values.get(key)))) values.set(key, v);
	if (!values.size) return '';
	const all = [...values.values()];
	const unlike = (events) => all.some((v) => ('events' in v) === events && !v.agrees);
	return ` Checked against the file\u2019s own values: ${all.map(agreementSaid).join('; ')}.` +
		(unlike(false) ? ' The analysis disagrees with the file: check that the layout is this insole\u2019s (its size, its sensor order) and the file\u2019s units.' : '') +
		(unlike(true) ? ' The analysis\u2019s gait events are not the file\u2019s: check that the file\u2019s feet are the insoles it names and that its event columns keep time with its samples.' : '');
}

const fileDisagrees = (s) => ['left', 'right'].some((f) => Object.values(s.file_agreement?.[f] ?? {}).some((v) => !v.agrees));

// The session an import made, with what the reader had to repair, how it
// agrees with the file's own values and, for a file cut short, where it
// broke (the session holds its good frames).
function importedAs(s) {
	const when = s.start_from_file === false ? `dated ${dateTime(s.start_us)}, when it was imported (the file gives no recording date)`
		: `recorded ${dateTime(s.start_us)}`;
	return `session #${s.id}, ${when}.` + readInOrderNote(s) + fileAgreementNote(s) +
		(s.warning ? ` The file is damaged, only its first part was imported: ${s.warning}.` : '');
}

// An upload the daemon turns away as busy (503: two imports already
// running, or four uploads being received) is tried again after a pause:
// a folder of recordings keeps going through a moment's load rather than
// losing files to it.  After a minute of tries the file is listed as
// refused, with the daemon's reason.
const BUSY_RETRY_MS = 2000;
const BUSY_TRIES = 30;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Errors after which the next file cannot fare better: no disk space left
// (507), the token refused (401), the daemon not answering (0).
const stopsBatch = (e) => [0, 401, 507].includes(e.status);

// What one file of several became, in one list item: its session, the
// session that already holds it, or why it was refused.
function batchOutcome(row, name, s, e, onImportAgain) {
	row.replaceChildren();
	if (s) {
		row.className = s.warning || fileDisagrees(s) ? 'warn' : 'ok';
		row.dataset.outcome = 'imported';
		row.append(`${name}: imported as ${importedAs(s)}`, ' ', el('a', { class: 'button', href: `#/report/${s.id}` }, `Open session #${s.id}`));
	} else if (e.status === 409 && e.body?.existing) {
		const x = e.body.existing;
		const again = el('button', { type: 'button', class: 'import-again' }, 'Import again as a new session');
		again.addEventListener('click', onImportAgain);
		row.className = '';
		row.dataset.outcome = 'stored';
		row.append(`${name}: already stored as session #${x.id}` + (x.start_us ? ` (${storedDate(x)})` : '') +
			', not imported again. ', el('a', { class: 'button', href: `#/report/${x.id}` }, `Open session #${x.id}`), ' ', again);
	} else {
		row.className = 'error';
		row.dataset.outcome = 'failed';
		row.append(`${name}: not imported: ${refusalSaid(e)}`);
	}
}

// The line under a batch of items (importItems): how many became
// sessions, were already stored or were refused, and why the batch ended
// early if it did.  Counted in files, or in recordings when a gaitndd record
// made several files one.
function batchSummary(results, items, early) {
	const n = (outcome) => results.querySelectorAll(`li[data-outcome="${outcome}"]`).length;
	const files = items.reduce((k, item) => k + item.files.length, 0);
	const [imported, stored, failed] = [n('imported'), n('stored'), n('failed')];
	const counted = files === items.length ? plural(files, 'file') : `${plural(items.length, 'recording')} (${plural(files, 'file')})`;
	return `${counted}: ${imported} imported, ${stored} already stored, ${failed} not imported` +
		(early ? `; ${early}` : '') + '.';
}

// A card with a file picker (one recording, or a clinic's folder of them:
// each becomes a session with the details given) and the sessions'
// details; onDone(session) after each session stored.
export function importCard(onDone) {
	const file = el('input', { type: 'file', multiple: true, required: true, accept: '.csv,.txt,.tsv,.dat,.asc,.asf,.hea,.let,.rit,text/csv,text/plain' });
	const subject = el('input', { required: true, autocomplete: 'off' });
	const footwear = el('input', { autocomplete: 'off' });
	const notes = el('input', { autocomplete: 'off' });
	const format = el('select', {}, FORMATS.map(([v, t]) => el('option', { value: v }, t)));
	// for a file that names no insole, or names another than it was recorded with
	const layout = el('select', {}, el('option', { value: '' }, 'As the file says'));
	fillLayouts(layout);
	const msg = el('p', { role: 'status', 'aria-live': 'polite', id: 'import-msg' });
	const dup = el('div', { class: 'warn import-duplicate', id: 'import-duplicate', role: 'alert', hidden: true });
	const results = el('ol', { class: 'import-results', id: 'import-results', hidden: true });
	const go = el('button', { type: 'submit', class: 'primary', id: 'import-start' }, 'Import');
	const stop = el('button', { type: 'button', id: 'import-stop', hidden: true }, 'Stop after this recording');
	const form = el('form', { class: 'import-form', id: 'import-form' },
		field('import-file', 'Recording files', file), field('import-subject', 'Subject', subject),
		field('import-footwear', 'Footwear', footwear), field('import-format', 'Format', format),
		field('import-layout', 'Insole layout', layout), field('import-notes', 'Notes', notes), el('div', { class: 'actions' }, go, stop), msg, dup, results);
	let stopping = false;
	stop.addEventListener('click', () => { stopping = true; stop.disabled = true; });
	const details = () => ({ subject: subject.value.trim(), footwear: footwear.value.trim(), notes: notes.value.trim(), format: format.value,
		layout: layout.value });

	// item (importItems) stored as a session with details d; duplicate:
	// 'allow' stores a recording already stored as another session
	async function importItem(item, d, duplicate) {
		if (item.problem) throw new Error(item.problem);
		// said by the file's name, not as the daemon's "empty upload" of a request body
		const empty = item.files.find((f) => f.size === 0);
		if (empty) throw new Error(`${empty.name} is empty (0 bytes): it holds no recording`);
		// the server names the upload by it in errors and in the session's source
		const path = `sessions/import${query({ ...d, name: item.name.slice(0, 64), duplicate })}`;
		for (let tries = 1; ; tries++) {
			try {
				return await (item.files.length > 1 ? uploadFiles(path, item.files) : upload(path, item.files[0]));
			} catch (e) {
				if (e.status !== 503 || tries >= BUSY_TRIES) throw e;
				await sleep(BUSY_RETRY_MS);
			}
		}
	}

	async function sendOne(item, duplicate) {
		dup.hidden = true;
		dup.replaceChildren();
		msg.className = '';
		msg.textContent = `Importing ${item.label}…`;
		try {
			const s = await importItem(item, details(), duplicate);
			msg.className = s.warning || fileDisagrees(s) ? 'warn' : 'ok';
			// opened from here, as a recording's report is when it stops
			msg.replaceChildren(`Imported as ${importedAs(s)} `, el('a', { class: 'button', id: 'import-open', href: `#/report/${s.id}` }, `Open session #${s.id}`));
			form.reset();
			onDone(s);
		} catch (e) {
			if (e.status === 409 && e.body?.existing) {
				// the form keeps its values: importing again sends the same
				msg.textContent = '';
				dup.replaceChildren(...duplicateNotice(item.label, e.body.existing, () => send([item], 'allow')));
				dup.hidden = false;
			} else {
				msg.className = 'error';
				msg.textContent = `Not imported: ${refusalSaid(e)}`;
			}
		}
	}

	// One item after another (a file, or a gaitndd record's three), so that
	// recording and the dashboard keep the daemon's other import slot; a
	// refused item is listed and the rest go on.
	async function sendAll(items) {
		const d = details();
		let early = '';
		dup.hidden = true;
		results.replaceChildren();
		results.hidden = false;
		stopping = false;
		stop.disabled = false;
		stop.hidden = false;
		for (const [i, item] of items.entries()) {
			if (stopping) {
				early = `stopped: the last ${items.length - i} not tried`;
				break;
			}
			msg.className = '';
			msg.textContent = `Importing ${i + 1} of ${items.length}: ${item.label}…`;
			const row = el('li', {});
			results.append(row);
			const again = async () => {
				try {
					const s = await importItem(item, d, 'allow');
					batchOutcome(row, item.label, s, null, null);
					onDone(s);
				} catch (e) { batchOutcome(row, item.label, null, e, null); }
				msg.textContent = batchSummary(results, items, early);
			};
			try {
				const s = await importItem(item, d);
				batchOutcome(row, item.label, s, null, again);
				onDone(s);
			} catch (e) {
				batchOutcome(row, item.label, null, e, again);
				if (stopsBatch(e) && i + 1 < items.length) {
					early = `the last ${items.length - i - 1} not tried after this error`;
					break;
				}
			}
		}
		stop.hidden = true;
		form.reset();
		msg.className = results.querySelector('li:not([data-outcome="imported"])') || early ? 'warn' : 'ok';
		msg.textContent = batchSummary(results, items, early);
	}

	async function send(items, duplicate) {
		if (!items.length) return;
		go.disabled = true;
		results.hidden = items.length === 1;
		if (items.length === 1) await sendOne(items[0], duplicate);
		else await sendAll(items);
		go.disabled = false;
	}
	form.addEventListener('submit', (ev) => { ev.preventDefault(); send(importItems([...file.files])); });
	return el('details', { class: 'card import-card', id: 'import-card' },
		el('summary', {}, el('h2', {}, 'Import recordings')),
		el('p', { class: 'muted' }, 'Files from an insole’s own software or a public dataset, one or many at a time (a folder’s worth ' +
			'for one subject: each file becomes a session with the details below; a PhysioNet gaitndd record is its three files, ' +
			'NAME.hea, NAME.let and NAME.rit, chosen together). A session keeps its file’s own start time where the file has one.'),
		form);
}

function modal(title, children) {
	const d = el('dialog', { class: 'session-dialog', 'aria-label': title }, el('h2', {}, title), ...children);
	document.body.append(d);
	d.addEventListener('close', () => d.remove());
	d.showModal();
	return d;
}

// Subject, footwear and notes of session s; onDone(updated).  Only the
// fields the user changed are sent: one merely shown keeps its text exactly
// (a single-line field drops line ends, and notes have them).
export function editSession(s, onDone) {
	const subject = el('input', { value: s.subject ?? '', required: true, autocomplete: 'off' });
	const footwear = el('input', { value: s.footwear ?? '', autocomplete: 'off' });
	const notes = el('textarea', { rows: 4, autocomplete: 'off' }, s.notes ?? '');
	const fields = { subject, footwear, notes };
	const edited = new Set();
	for (const [name, input] of Object.entries(fields)) input.addEventListener('input', () => edited.add(name));
	const msg = el('p', { class: 'error', role: 'alert' });
	const cancel = el('button', { type: 'button' }, 'Cancel');
	const form = el('form', { class: 'stack', id: 'edit-form' },
		field('edit-subject', 'Subject', subject), field('edit-footwear', 'Footwear', footwear), field('edit-notes', 'Notes', notes),
		el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'edit-save' }, 'Save'), cancel), msg);
	const d = modal(`Edit session #${s.id}`, [form]);
	cancel.addEventListener('click', () => d.close());
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (!edited.size) { d.close(); return; }
		try {
			const r = await patch(`sessions/${s.id}`, Object.fromEntries([...edited].map((name) => [name, fields[name].value.trim()])));
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
