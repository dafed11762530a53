// Entry point: hash routing between the views (the login dialog and the
// connection indicator are shell.js).  Each view module exports
// mount(main, params) returning an unmount function, so timers and streams
// stop on navigation.

import { setConnection, onLoggedIn, loginOpen } from './shell.js';
import { setupLanes } from './lanes.js';

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
	const mod = await VIEWS[view]();
	if (seq !== routeSeq) return;
	const u = await mod.mount(main, params);
	if (seq !== routeSeq) { if (u) u(); return; }
	unmount = u || null;
	// After navigating, keyboard and screen-reader users continue in the new
	// view, not back in the menu.
	if (seq > 1 && !loginOpen()) main.focus();
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
