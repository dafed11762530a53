// The page's frame around the views: the token login dialog and the
// connection indicator.  Views import it; app.js, which loads the views,
// imports it too, so no view imports the module that loads it.

import { onUnauthorized, post, ApiError } from './api.js';

let loggedIn = null;

// fn runs after a successful login (app.js shows the view again).
export function onLoggedIn(fn) {
	loggedIn = fn;
}

// ---- token login ------------------------------------------------------
const dialog = document.getElementById('login');
const form = document.getElementById('login-form');
const tokenInput = document.getElementById('login-token');
const loginError = document.getElementById('login-error');

export function showLogin(message) {
	loginError.textContent = message || '';
	if (!dialog.open) dialog.showModal();
	tokenInput.focus();
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	loginError.textContent = '';
	try {
		await post('login', { token: tokenInput.value });
		tokenInput.value = '';
		dialog.close();
		if (loggedIn) loggedIn();
	} catch (e) {
		loginError.textContent = e instanceof ApiError && e.status === 401
			? 'That token was not accepted.' : e.message;
	}
});

onUnauthorized(() => showLogin());

export function loginOpen() {
	return dialog.open;
}

// ---- connection indicator ----------------------------------------------
const conn = document.getElementById('conn');
export function setConnection(state, text) {
	conn.dataset.state = state;
	conn.textContent = text;
}
