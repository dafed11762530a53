// Which steps the report's numbers describe: why the automatic selection
// left a step out (its flags), the session trimmed to a time window and single
// steps included or excluded by hand (PUT /api/sessions/ID/selection, stored
// with the session; the summary follows and a re-analysis keeps it).

import { put } from './api.js';
import { el, num, footName, isNum } from './format.js';
import { tableWrap } from './tables.js';


// Step flags (docs/api.md STEP): the reasons a step is not steady gait.
const REASONS = [[2, 'lost frames'], [4, 'gait initiation'], [8, 'irregular (standing, shuffling, a stop or a turn)'],
	[16, 'end of a walk']];
const NOT_STEADY = 2 | 4 | 8 | 16;

// "12 left out (2 initiation, ...)" for the data-quality card.
export function leftOutText(q, f) {
	const parts = [['initiation_steps', 'initiation'], ['irregular_steps', 'irregular'], ['termination_steps', 'end of a walk'],
		['gap_steps', 'lost frames'], ['trimmed_steps', 'outside the trimmed window'], ['user_excluded_steps', 'excluded by hand']]
		.map(([k, t]) => ((q?.[k]?.[f] ?? 0) ? `${q[k][f]} ${t}` : null)).filter(Boolean);
	const back = q?.user_included_steps?.[f] ?? 0;
	const out = q?.excluded_steps?.[f] ?? 0;
	return `${out} left out of the summary${parts.length ? ` (${parts.join(', ')})` : ''}${back ? `; ${back} put back by hand` : ''}`;
}

function reasonOf(flags) {
	const r = REASONS.filter(([bit]) => flags & bit).map(([, t]) => t);
	return r.length ? `left out: ${r.join(', ')}` : 'in the summary';
}

// The hand-made choice of a step: 'include', 'exclude' or 'auto' (nearest
// contact of the foot within 100 ms, as the daemon matches it).
function choiceOf(selection, step) {
	let best = null;
	for (const c of selection?.steps ?? []) {
		const d = Math.abs(c.contact_us - step.contact_us);
		if (c.foot === step.foot && d <= 100000 && (!best || d < best.d)) best = { d, include: c.include };
	}
	return best ? (best.include ? 'include' : 'exclude') : 'auto';
}

export function selectionCard(session, steps, onApplied) {
	const sel = session.selection ?? {};
	const t0 = steps.length ? Math.min(...steps.map((s) => s.contact_us)) : 0;
	const toS = (us) => (isNum(us) ? num((us - t0) / 1e6, 1) : '');
	const from = el('input', { type: 'number', step: '0.1', min: '0', id: 'trim-from', value: toS(sel.trim_from_us) });
	const to = el('input', { type: 'number', step: '0.1', min: '0', id: 'trim-to', value: toS(sel.trim_to_us) });
	const msg = el('p', { class: 'error', role: 'alert', id: 'selection-msg' });
	const sorted = [...steps].sort((a, b) => a.contact_us - b.contact_us);
	const choices = sorted.map((s) => {
		const box = el('select', { 'aria-label': `${footName(s.foot)} step at ${toS(s.contact_us)} s` },
			['auto', 'include', 'exclude'].map((v) => el('option', { value: v, selected: v === choiceOf(sel, s) },
				{ auto: 'Automatic', include: 'Include', exclude: 'Exclude' }[v])));
		return { s, box };
	});
	const rows = choices.map(({ s, box }) => el('tr', { dataset: { foot: s.foot, flags: String(s.flags) } },
		el('td', { class: 'n' }, toS(s.contact_us)), el('td', {}, footName(s.foot)),
		el('td', { class: 'n' }, num(s.metrics?.stance_ms, 0)),
		el('td', { class: (s.flags & NOT_STEADY) ? 'warn' : '' }, reasonOf(s.flags)), el('td', {}, box)));
	const apply = el('button', { type: 'button', class: 'primary', id: 'selection-apply' }, 'Apply to the summary');
	apply.addEventListener('click', async () => {
		const us = (input) => (input.value === '' ? null : Math.round(Number(input.value) * 1e6) + t0);
		const body = {
			trim_from_us: us(from), trim_to_us: us(to),
			steps: choices.filter(({ box }) => box.value !== 'auto')
				.map(({ s, box }) => ({ foot: s.foot, contact_us: s.contact_us, include: box.value === 'include' })),
		};
		apply.disabled = true;
		msg.textContent = '';
		try {
			await put(`sessions/${session.id}/selection`, body);
			onApplied();
		} catch (e) {
			msg.textContent = `Could not apply the selection: ${e.message}`;
			apply.disabled = false;
		}
	});
	return el('section', { class: 'card no-print', 'aria-labelledby': 'h-selection', id: 'step-selection' },
		el('h2', { id: 'h-selection' }, 'Steps in the summary'),
		el('p', { class: 'muted' }, 'The summary describes steady walking: the first step of a walk, the last before a stop, standing, shuffles, turns and steps with lost frames are left out automatically. Trim the session to the part you want, or include or exclude single steps; the choice is kept with the session, also after a re-analysis.'),
		el('div', { class: 'stack', style: 'max-width:30rem' },
			el('label', { for: 'trim-from' }, 'From (s after the first step, empty = start)'), from,
			el('label', { for: 'trim-to' }, 'To (s after the first step, empty = end)'), to),
		el('details', { id: 'step-list' }, el('summary', {}, `Every step (${steps.length})`),
			tableWrap(el('table', { class: 'data', id: 'selection-table' },
				el('thead', {}, el('tr', {}, ['Time (s)', 'Foot', 'Stance (ms)', 'Automatic selection', 'Your choice']
					.map((h) => el('th', { scope: 'col' }, h)))),
				el('tbody', {}, rows)))),
		el('div', { class: 'actions' }, apply), msg);
}


