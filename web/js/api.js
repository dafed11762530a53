// Thin client for the daemon's HTTP API (docs/api.md).  Every error becomes
// an ApiError carrying the server's message, so views can show it verbatim;
// a 401 opens the token login once and retries nothing on its own.

export class ApiError extends Error {
	// body: the whole JSON answer, for errors that carry more than a message
	// (a 409 of an import names the session already holding the recording)
	constructor(status, message, field, body) {
		super(message);
		this.status = status;
		this.field = field;
		this.body = body;
	}
}

const listeners = new Set();

// Views register here to learn that the daemon wants a token.
export function onUnauthorized(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

async function errorFrom(r) {
	let msg = `${r.status} ${r.statusText}`, field, body;
	try {
		const j = await r.json();
		if (j && j.error) { msg = j.error; field = j.field; body = j; }
	} catch { /* not JSON: keep the status line */ }
	return new ApiError(r.status, msg, field, body);
}

// Lanes (docs/api.md, "Lanes"): on a daemon with several, the lane the
// dashboard watches.  That lane's routes (its live view, recording,
// calibration, status and session list) go under lanes/NAME/; everything
// about stored sessions stays shared.  null: the daemon's only lane, and the
// un-prefixed routes as ever.
let currentLane = null;
const LANE_ROUTE = /^(status|devices|live(\/stream)?|sessions(\/\d+\/stop)?|calibration\/[a-z-]+)(\?|$)/;

export function setLane(name) { currentLane = name || null; }
export function getLane() { return currentLane; }
export function lanePath(path) {
	return currentLane && LANE_ROUTE.test(path) ? `lanes/${encodeURIComponent(currentLane)}/${path}` : path;
}

export async function request(path, { method = 'GET', body, raw = false, signal } = {}) {
	const opts = { method, headers: {}, credentials: 'same-origin', signal };
	if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	let r;
	try {
		r = await fetch(`api/${lanePath(path)}`, opts);
	} catch (e) {
		if (e.name === 'AbortError') throw e;
		throw new ApiError(0, 'The daemon does not answer: check that insoled is running and the network is up.');
	}
	if (r.status === 401) {
		const err = await errorFrom(r);
		for (const fn of listeners) fn(err);
		throw err;
	}
	if (!r.ok) throw await errorFrom(r);
	if (raw) return r.text();
	if (r.status === 204) return null;
	const type = r.headers.get('Content-Type') || '';
	return type.includes('json') ? r.json() : r.text();
}

export const get = (path, opts) => request(path, opts);
export const patch = (path, body) => request(path, { method: 'PATCH', body });
export const del = (path) => request(path, { method: 'DELETE' });

// A POST of files (POST /api/sessions/import): the answer's JSON, or an
// ApiError with the server's message (a 401 also opens the token login).
async function postFiles(path, body, headers) {
	let r;
	try {
		r = await fetch(`api/${path}`, { method: 'POST', credentials: 'same-origin', body, headers });
	} catch {
		throw new ApiError(0, 'The daemon does not answer: check that insoled is running and the network is up.');
	}
	if (!r.ok) {
		const err = await errorFrom(r);
		if (r.status === 401) for (const fn of listeners) fn(err);
		throw err;
	}
	return r.json();
}

// A file as the raw request body.
export const upload = (path, file) => postFiles(path, file, { 'Content-Type': 'application/octet-stream' });

// Several files as one multipart/form-data request, a part each under its
// own file name (the three files of a PhysioNet gaitndd record).  No
// Content-Type here: fetch sets it, with the parts' boundary.
export function uploadFiles(path, files) {
	const form = new FormData();
	for (const f of files) form.append('file', f, f.name);
	return postFiles(path, form, {});
}
export const post = (path, body, opts = {}) => request(path, { ...opts, method: 'POST', body: body ?? {} });

export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
	const s = q.toString();
	return s ? `?${s}` : '';
}

// The metric list (name, unit, label) never changes while the daemon runs.
let metricsPromise = null;
export function metrics() {
	if (!metricsPromise) metricsPromise = get('metrics').catch((e) => { metricsPromise = null; throw e; });
	return metricsPromise;
}

const layoutCache = new Map();
export function layout(name) {
	if (!name) return Promise.resolve(null);
	if (!layoutCache.has(name)) {
		layoutCache.set(name, get(`layouts/${encodeURIComponent(name)}`).catch((e) => { layoutCache.delete(name); throw e; }));
	}
	return layoutCache.get(name);
}
export const put = (path, body) => request(path, { method: 'PUT', body });
