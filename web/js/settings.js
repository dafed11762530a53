// Settings: the devices and their insole layouts, the calibration steps
// (tare each foot unloaded, body weight), and signing in or out when the
// daemon requires a token.

import { get, post, layout as getLayout } from './api.js';
import { FootMap } from './heatmap.js';
import { el, num, isNum } from './format.js';
import { deviceList } from './status.js';
import { showLogin } from './shell.js';

export async function mount(main) {
	const devBox = el('div', { id: 'settings-devices' });
	main.append(el('div', { class: 'view-head' }, el('h1', {}, 'Settings')),
		el('div', { class: 'settings-grid' },
			el('section', { class: 'card', 'aria-labelledby': 'h-sdev' }, el('h2', { id: 'h-sdev' }, 'Devices and layouts'), devBox),
			calibrationCard(), accessCard()));
	try {
		const [conf, status] = await Promise.all([get('devices'), get('status').catch(() => null)]);
		const devs = deviceList(status?.devices ?? [], conf);
		if (!devs.length) devBox.append(el('p', { class: 'muted' }, 'No devices connected.'));
		for (const d of devs) {
			const lay = d.layout ? await getLayout(d.layout).catch(() => null) : null;
			const canvas = el('canvas', { class: 'footmap layout-preview', role: 'img', 'aria-label': `Outline of layout ${d.layout ?? 'unknown'}` });
			devBox.append(el('div', { class: `device ${d.ok ? 'ok' : 'bad'}` },
				el('strong', {}, d.title), ` · ${d.state}`,
				el('div', { class: 'muted' }, d.details.join(' · ')),
				lay ? el('p', {}, `${lay.name}: ${lay.description ? `${lay.description}; ` : ''}${lay.n_sensors ?? lay.sensors?.length ?? '?'} sensors, foot ${num(lay.foot_length_mm, 0)} × ${num(lay.foot_width_mm, 0)} mm${lay.is_grid ? `, grid ${lay.grid_w} × ${lay.grid_h}` : ''}.`) : null,
				lay ? canvas : null));
			if (lay) {
				const m = new FootMap(canvas, d.foot === 'right' ? 'right' : 'left'); // "auto" pairs: the left shape
				m.setLayout(lay);
				const draw = () => m.draw({ sensors: lay.sensors });
				new ResizeObserver(draw).observe(canvas);
			}
		}
	} catch (e) {
		devBox.append(el('p', { class: 'error' }, `Could not list devices: ${e.message}`));
	}
	return null;
}

function calibrationCard() {
	const msg = el('p', { role: 'status', 'aria-live': 'polite', id: 'calib-msg' });
	const tare = (foot) => el('button', { type: 'button', id: `tare-${foot}`, onclick: async (ev) => {
		ev.target.disabled = true;
		msg.className = '';
		msg.textContent = `Taring the ${foot} foot…`;
		try { await post('calibration/tare', { foot }); msg.className = 'ok'; msg.textContent = `The ${foot} insole is tared.`; } catch (e) { msg.className = 'error'; msg.textContent = `Tare failed: ${e.message}`; }
		ev.target.disabled = false;
	} }, `Tare ${foot} foot`);
	const kg = el('input', { id: 'bw-kg', type: 'number', min: 10, max: 400, step: 0.1, inputmode: 'decimal', required: true });
	const inForce = el('p', { id: 'bw-current', class: 'muted' });
	// The weight in force survives a reload of the page: the daemon says it.
	get('status').then((s) => {
		const n = s?.analysis?.body_weight_n;
		inForce.textContent = isNum(n) ? `In force: ${num(n / 9.80665, 1)} kg (${num(n, 0)} N).` : 'No body weight set.';
		if (isNum(n) && kg.value === '') kg.value = (n / 9.80665).toFixed(1);
	}).catch(() => {});
	const form = el('form', { class: 'stack' }, el('label', { for: 'bw-kg' }, 'Body weight (kg)'), kg, inForce,
		el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Set body weight')));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		try {
			const r = await post('calibration/body-weight', { body_weight_kg: Number(kg.value) });
			msg.className = 'ok';
			msg.textContent = `Body weight set: ${num(r.body_weight_kg, 1)} kg (${isNum(r.body_weight_n) ? num(r.body_weight_n, 0) : '–'} N). New sessions use it.`;
			inForce.textContent = `In force: ${num(r.body_weight_kg, 1)} kg (${num(r.body_weight_n, 0)} N).`;
		} catch (e) { msg.className = 'error'; msg.textContent = `Body weight not set: ${e.message}`; }
	});
	// The daemon answers once its 2 s measurement is done (docs/api.md).
	const scale = (foot) => el('button', { type: 'button', id: `bw-scale-${foot}`, onclick: async (ev) => {
		ev.target.disabled = true;
		msg.className = '';
		msg.textContent = `Measuring the ${foot} foot: keep standing still on it for 2 seconds…`;
		try {
			const r = await post('calibration/body-weight-scale', { foot });
			msg.className = 'ok';
			msg.textContent = `The ${foot} foot is scaled by ${num(r.scale, 3)}: it measured ${num(r.measured_force_n, 0)} N (SD ${num(r.sd_force_n, 1)} N) for a body weight of ${num(r.body_weight_n, 0)} N.`;
		} catch (e) { msg.className = 'error'; msg.textContent = `Not scaled: ${e.message}`; }
		ev.target.disabled = false;
	} }, `Scale ${foot} foot`);
	return el('section', { class: 'card', 'aria-labelledby': 'h-calib' }, el('h2', { id: 'h-calib' }, 'Calibration'),
		el('h3', {}, '1. Tare'),
		el('p', {}, 'Ask the subject to sit and lift the foot so the insole carries no load, then tare that foot.'),
		el('div', { class: 'actions' }, tare('left'), tare('right')),
		el('h3', {}, '2. Body weight'),
		el('p', {}, 'Used for loading rates in body weights per second and saved with each new session.'),
		form,
		el('h3', {}, '3. Body-weight scaling (optional)'),
		el('p', {}, 'After setting the body weight and before recording: ask the subject to stand still on one foot, the other lifted, holding a support if needed, and press that foot\'s button. Keep still for 2 seconds: the foot\'s pressures are then scaled so that standing on it equals body weight. Repeat for the other foot.'),
		el('div', { class: 'actions' }, scale('left'), scale('right')),
		msg);
}

function accessCard() {
	const state = el('p', { id: 'auth-state' });
	const login = el('button', { type: 'button', class: 'primary', onclick: () => showLogin() }, 'Sign in with a token');
	const logout = el('button', { type: 'button', onclick: async () => {
		try { await post('logout'); state.textContent = 'Signed out.'; } catch (e) { state.textContent = `Sign-out failed: ${e.message}`; }
	} }, 'Sign out');
	// Hidden until the daemon says whether it wants a token, so a page
	// without one never flashes a sign-in button.
	const actions = el('div', { class: 'actions', id: 'auth-actions', hidden: true }, login, logout);
	get('status').then((s) => {
		const auth = s?.http?.auth;
		state.textContent = auth === 'none' ? 'This daemon does not require a token (it listens on this computer only).' : 'Signed in: this daemon requires an access token.';
		actions.hidden = auth === 'none';
	}).catch(() => { state.textContent = 'Not signed in.'; actions.hidden = false; });
	return el('section', { class: 'card', 'aria-labelledby': 'h-access' }, el('h2', { id: 'h-access' }, 'Access'), state, actions);
}
