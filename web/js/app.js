// Entry point: hash routing between the views (the login dialog and the
// connection indicator are shell.js).  Each view module exports
// mount(main, params) returning an unmount function, so timers and streams
// stop on navigation.

import { setConnection, onLoggedIn, loginOpen } from './shell.js';
import { setupLanes } from './lanes.js';
import { el } from './format.js';

const VIEWS = {
	live: () => import('./live.js'),
	sessions: () => import('./sessions.js'),
	report: () => import('./report.js'),
	compare: () => import('./compare.js'),
	settings: () => import('./settings.js'),
	lanes: () => import('./lanes.js'),
};

const main = document.getElementById('main');
let unmount = null;
let routeSeq = 0;

function parseHash() {
	const h = location.hash.replace(/^#\/?/, '');
	const [path, qs] = h.split('?');
	const parts = path.split('/').filter(Boolean);
	const params = Object.fromEntries(new URLSearchParams(qs || ''));
	const view = VIEWS[parts[0]] ? parts[0] : 'live';
	if (parts[1]) params.id = decodeURIComponent(parts[1]);
	return { view, params };
}

async function route() {
	const seq = ++routeSeq;
	const { view, params } = parseHash();
	// A view that fails to tidy up must not keep the user from leaving it.
	if (unmount) {
		try { unmount(); } catch (e) { console.error('leaving the view:', e); }
		unmount = null;
	}
	for (const a of document.querySelectorAll('nav a[data-view]')) {
		const current = a.dataset.view === view || (view === 'report' && a.dataset.view === 'sessions');
		if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
	}
	main.replaceChildren();
	main.dataset.view = view;
	setConnection('', ''); // only the live view holds a stream
	let mod;
	try {
		mod = await VIEWS[view]();
	} catch {
		// the view's code did not arrive (the daemon stopped, the network is down):
		// say so rather than leave the page blank
		if (seq === routeSeq) main.append(viewUnavailable());
		return;
	}
	if (seq !== routeSeq) return;
	const u = await mod.mount(main, params);
	if (seq !== routeSeq) { if (u) u(); return; }
	unmount = u || null;
	// After navigating, keyboard and screen-reader users continue in the new
	// view, not back in the menu.
	if (seq > 1 && !loginOpen()) main.focus();
}

// What shows in place of a view whose code could not be fetched; reloading
// the page fetches it again (the browser may keep a module that failed to
// load as failed until then).
function viewUnavailable() {
	const reload = el('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Reload');
	return el('section', { class: 'card', id: 'view-unavailable' },
		el('p', { class: 'alert bad', role: 'alert' }, 'This view could not be loaded: the daemon does not answer. Check that insoled is running and the network is up, then reload.'),
		el('div', { class: 'actions' }, reload));
}

// The skip link moves focus into the view; following its #main href would
// change the hash, which routes (to Live).
document.querySelector('.skip-link')?.addEventListener('click', (ev) => {
	ev.preventDefault();
	main.focus();
});

onLoggedIn(route);
window.addEventListener('hashchange', route);
setupLanes(route).finally(route);
