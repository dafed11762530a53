// The live view's recording card: a form with what a session must carry
// (subject, footwear, body weight, notes), and while recording the elapsed
// time and each foot's steady-state step count against the protocol's
// target (about 30 steps per foot give reliable in-shoe comparisons,
// Melvin et al. 2014), so the clinician knows when enough is recorded.

import { get, post } from './api.js';
import { el, footName, isNum } from './format.js';

export const TARGET_STEPS = 30;
// Step flags of steps the summary leaves out (analysis.h
// INS_STEP_NOT_STEADY: gap, initiation, irregular, termination): they do not
// count toward the target either (live steps never carry termination: it is
// known only from the foot's next step).
const NOT_STEADY = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4);
const FEET = ['left', 'right'];
const KG_TO_N = 9.80665;

export function newRecordingState() {
	return { sessionId: null, startUs: null, clock: null, seen: new Set(), counts: { left: 0, right: 0 }, feet: new Set() };
}

// A step counts toward the target when the analysis calls it steady-state.
function steady(step) {
	return isNum(step.index) && ((step.flags ?? 0) & NOT_STEADY) === 0;
}

export function countStep(rs, step) {
	if (!rs.sessionId || !FEET.includes(step?.foot)) return;
	rs.feet.add(step.foot);
	const key = `${step.foot}:${step.index}`;
	if (rs.seen.has(key)) return;
	rs.seen.add(key);
	if (steady(step)) rs.counts[step.foot]++;
}

// The recording the daemon reports (status or stream): starts counting
// afresh for a new session, from the steps it already holds (a reload in
// the middle of a recording keeps its counts).
export async function followRecording(rs, recording) {
	const id = recording?.session_id ?? null;
	if (id === rs.sessionId) return false;
	Object.assign(rs, newRecordingState(), { sessionId: id });
	if (!id) return true;
	try {
		const [s, steps] = await Promise.all([get(`sessions/${id}`), get(`sessions/${id}/steps`)]);
		if (rs.sessionId !== id) return false;
		rs.startUs = s?.start_us ?? null;
		for (const st of steps?.steps ?? []) countStep(rs, st);
	} catch { /* counts start from the stream */ }
	return true;
}

// Daemon wall clock from a status answer, so elapsed time does not depend
// on the tablet's clock.
export function syncClock(rs, status) {
	if (isNum(status?.now_us)) rs.clock = { us: status.now_us, at: performance.now() };
}

function elapsedText(rs) {
	if (!isNum(rs.startUs) || !rs.clock) return '–';
	const us = rs.clock.us + (performance.now() - rs.clock.at) * 1000 - rs.startUs;
	const s = Math.max(0, Math.floor(us / 1e6));
	return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// Called a few times a second while recording.
export function renderProgress(box, rs) {
	if (!box) return;
	const elapsed = box.querySelector('#rec-elapsed');
	if (elapsed) elapsed.textContent = elapsedText(rs);
	const feet = rs.feet.size ? FEET.filter((f) => rs.feet.has(f)) : FEET;
	for (const f of FEET) {
		const n = rs.counts[f];
		const row = box.querySelector(`#rec-steps-${f}`);
		if (!row) continue;
		row.hidden = !feet.includes(f);
		row.querySelector('.n').textContent = `${n} / ${TARGET_STEPS}`;
		row.querySelector('progress').value = Math.min(n, TARGET_STEPS);
	}
	const done = feet.every((f) => rs.counts[f] >= TARGET_STEPS);
	const target = box.querySelector('#rec-target');
	if (target) {
		target.className = done ? 'target reached' : 'target';
		target.textContent = done ? `${TARGET_STEPS} steps per foot reached: enough for the report, stop when ready.`
			: `Target: ${TARGET_STEPS} steady steps per foot (gait initiation, irregular steps and steps with lost frames are not counted).`;
	}
}

export function recordingView(rs, onStop) {
	const stop = el('button', { type: 'button', class: 'danger', id: 'rec-stop' }, 'Stop recording');
	const msg = el('p', { class: 'error', role: 'alert' });
	stop.addEventListener('click', async () => {
		stop.disabled = true;
		try { await onStop(); } catch (e) { msg.textContent = `Could not stop: ${e.message}`; stop.disabled = false; }
	});
	const foot = (f) => el('div', { class: 'rec-foot', id: `rec-steps-${f}` },
		el('span', {}, `${footName(f)} steps`),
		el('progress', { max: TARGET_STEPS, value: 0, 'aria-label': `${footName(f)} foot steady steps` }),
		el('span', { class: 'n' }, `0 / ${TARGET_STEPS}`));
	return [
		el('p', { class: 'rec-on', id: 'rec-state' }, el('span', { class: 'rec-dot', 'aria-hidden': 'true' }),
			`Recording session #${rs.sessionId}`, el('span', { class: 'rec-time' }, el('span', { class: 'sr-only' }, 'elapsed '), el('span', { id: 'rec-elapsed' }, '–'))),
		el('div', { class: 'rec-progress', role: 'group', 'aria-label': 'Steps recorded' }, foot('left'), foot('right')),
		el('p', { class: 'target', id: 'rec-target', role: 'status', 'aria-live': 'polite' }),
		el('div', { class: 'actions' }, stop), msg,
	];
}

// bodyWeightN: the weight in force (status), to prefill the form.
export function recordingForm(bodyWeightN, onStarted) {
	const subject = el('input', { id: 'rec-subject', name: 'subject', required: true, autocomplete: 'off' });
	const footwear = el('input', { id: 'rec-footwear', name: 'footwear', autocomplete: 'off', placeholder: 'e.g. barefoot, shoe A' });
	const kg = el('input', { id: 'rec-weight', name: 'body_weight_kg', type: 'number', min: 10, max: 400, step: 0.1, inputmode: 'decimal',
		value: isNum(bodyWeightN) ? (bodyWeightN / KG_TO_N).toFixed(1) : undefined, placeholder: 'kg' });
	const notes = el('input', { id: 'rec-notes', name: 'notes', autocomplete: 'off' });
	const msg = el('p', { class: 'error', role: 'alert' });
	const form = el('form', { class: 'rec-form', id: 'rec-form' },
		el('label', { for: 'rec-subject' }, 'Subject'), subject,
		el('label', { for: 'rec-footwear' }, 'Footwear'), footwear,
		el('label', { for: 'rec-weight' }, 'Body weight (kg)'), kg,
		el('label', { for: 'rec-notes' }, 'Notes'), notes,
		el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'rec-start' }, 'Start recording')),
		msg);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		msg.textContent = '';
		try {
			// the weight in force goes with the session (loading rates in BW/s)
			if (kg.value !== '' && Math.abs(Number(kg.value) * KG_TO_N - (bodyWeightN ?? 0)) > 0.05) {
				await post('calibration/body-weight', { body_weight_kg: Number(kg.value) });
			}
			const s = await post('sessions', { subject: subject.value.trim(), footwear: footwear.value.trim(), notes: notes.value.trim() });
			onStarted(s);
		} catch (e) {
			msg.textContent = `Could not start: ${e.message}`;
			if (e.field === 'subject') subject.focus();
			if (e.field === 'body_weight_kg') kg.focus();
		}
	});
	return form;
}

