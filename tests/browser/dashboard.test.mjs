// End-to-end test of the dashboard against a real insoled fed by
// insoled-emulator over a pty, in Debian's chromium via playwright-core.
// Asserts what a clinician relies on: live maps move as the emulated subject
// walks, steps are listed, a recorded session is found and its report opens,
// two sessions with different emulated arch collapse differ in the compare
// table, token login works, and the browser console stays free of errors.
// Screenshots of every view go to $top_builddir/test-output/ for people to
// look at.  Run by tests/browser/dashboard.sh (make check).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SRC = resolve(process.env.INS_SRCDIR ?? '.');
const BUILD = resolve(process.env.INS_BUILDDIR ?? '.');
const CHROMIUM = process.env.INS_CHROMIUM ?? '/usr/bin/chromium';
// Real recordings (README, "Test data"), read where they are, never copied.
const SHARED_DATA = resolve(process.env.INS_SHARED_DATA ?? join(SRC, '../shared/data'));
const OUT = join(BUILD, 'test-output');
const { chromium } = await import(join(SRC, 'tests/browser/node_modules/playwright-core/index.mjs'));

const TOKEN = '9c1e7a3f5b2d8e604a1f3c7b9e2d5a80'; // 128 bits: the server refuses weaker tokens
const LAYOUT = 'fsr16';
// Emulated time runs this many times faster than the wall clock so a few
// seconds of recording hold enough steps for a summary and for a comparison
// to call out a difference (at least 30 steady steps per foot, which each
// recording waits for: about 7 s on an idle machine).
const SPEED = 5;
const READY_MS = 15000;      // daemon start-up, including opening the pty
const STEP_WAIT_MS = 20000;  // first step: detector warm-up plus a stride
const UI_WAIT_MS = 15000;
const MAP_SAMPLE_MS = 250;   // how often the live maps are looked at while they should be changing
const PLAY_US = 1000000;     // playback run for about a stride of the recording, so its map shows another phase
const ARCH_NORMAL = 0.0, ARCH_COLLAPSED = 0.9;
// Phase 1 loses a frame every 1.7 s or so over its first 40 s of wall time
// (stream time runs SPEED times faster).  The warning shows a rise between
// two status polls, so it keeps coming back for as long as a slow machine
// needs to reach its check.
const DROP_WALL_S = 40;
const DROPS = ['--drop', '24', '--fault-window', String(DROP_WALL_S * SPEED)];
// Phase 3 pulls the plug for long enough to be seen (stream seconds).
const UNPLUG = ['--unplug-after', '6', '--unplug-for', '60'];
const ALERT_WAIT_MS = 20000;
const TARGET_WAIT_MS = 60000; // 32 strides per foot at SPEED 5: about 7 s, far more on a loaded machine
const window_h = (page) => page.viewportSize().height;

const tmp = mkdtempSync(join(tmpdir(), 'insoled-browser-'));
const DB = join(tmp, 'sessions.db');
const children = [];
let passed = 0, failed = 0, skipped = 0;
const consoleErrors = [];
let allowUnauthorized = false;
// While a test uploads a recording already stored, the daemon answers 409 by
// design, and the browser logs that response itself.
let allowConflict = false;
// ... and, within a batch of uploads that goes on, 400 to a file that is no
// recording (and the 503 and 507 a test answers in the daemon's place).
const allowStatus = new Set();
// ... and a request a test refuses in the daemon's place (route.abort), which
// the browser logs as failed.
let allowFailedLoad = false;

function log(...a) { console.log(...a); }

// However this script ends, the daemon and the emulator end with it.
process.on('exit', () => { for (const c of children) if (!exited(c)) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

function freePort() {
	return new Promise((res, rej) => {
		const s = createServer();
		s.unref();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
	});
}

function program(name) {
	const p = join(BUILD, name);
	if (!existsSync(p)) throw new Error(`${p} is not built (make ${name})`);
	return p;
}

// The emulator prints its pty path as the first line on stdout.
// extra: fault injection; with --link the daemon reads the link, which
// follows the emulator across an unplug.
function startEmulator(synth, seed, extra = []) {
	const args = ['--layout', LAYOUT, '--layout-dir', join(SRC, 'layouts'), '--feet', 'both', '--speed', String(SPEED),
		'--synth', synth, '--seed', String(seed), ...extra];
	const link = extra.includes('--link') ? extra[extra.indexOf('--link') + 1] : null;
	const child = spawn(program('insoled-emulator'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
	children.push(child);
	child.logText = '';
	child.stderr.on('data', (d) => { child.logText += d; });
	return new Promise((res, rej) => {
		const rl = createInterface({ input: child.stdout });
		const timer = setTimeout(() => rej(new Error(`insoled-emulator printed no pty path: ${child.logText}`)), READY_MS);
		rl.once('line', (line) => { clearTimeout(timer); res({ child, pty: link ?? line.trim() }); });
		child.once('exit', (code) => rej(new Error(`insoled-emulator exited (${code}): ${child.logText}`)));
	});
}

async function startDaemon(pty, port, token) {
	const args = ['--foreground', '--listen', `127.0.0.1:${port}`, '--db', DB, '--data-dir', SRC,
		'--device', pty, '--layout', LAYOUT, '--log-level', 'info'];
	if (token) args.push('--token', token);
	const child = spawn(program('insoled'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
	children.push(child);
	child.logText = '';
	child.stdout.on('data', (d) => { child.logText += d; });
	child.stderr.on('data', (d) => { child.logText += d; });
	const base = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + READY_MS;
	while (Date.now() < deadline) {
		if (exited(child)) throw new Error(`insoled exited (${child.exitCode ?? child.signalCode}):\n${child.logText}`);
		try {
			const r = await fetch(`${base}/api/status`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
			if (r.ok) return { child, base };
		} catch { /* not listening yet */ }
		await sleep(100);
	}
	throw new Error(`insoled did not answer on ${base} within ${READY_MS} ms:\n${child.logText}`);
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

async function stop(child) {
	if (!child || exited(child)) return;
	child.kill('SIGTERM');
	const t = setTimeout(() => child.kill('SIGKILL'), 5000);
	await new Promise((r) => child.once('exit', r));
	clearTimeout(t);
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

async function check(name, fn) {
	try {
		await fn();
		passed++;
		log(`ok - ${name}`);
	} catch (e) {
		failed++;
		log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
		e.reported = true;
		throw e;
	}
}

// A check needing what this machine lacks (the real recordings) is said to
// be skipped, and why: it never counts as passed.
function skip(name, why) {
	skipped++;
	log(`SKIP: ${name}: ${why}`);
}

function expect(cond, msg) { if (!cond) throw new Error(msg); }

async function launch() {
	const ctx = await chromium.launchPersistentContext(join(tmp, `profile-${Date.now()}`), {
		executablePath: CHROMIUM,
		headless: true,
		viewport: { width: 1280, height: 900 },
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
			'--disable-component-update', '--disable-sync'],
	});
	ctx.on('page', watch);
	return ctx;
}

function watch(page) {
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		// While signed out, the daemon answers 401 by design: the browser logs
		// those responses itself.  Anything else is a defect.
		if (allowUnauthorized && /status of 401/.test(m.text())) return;
		if (allowFailedLoad && /net::ERR_FAILED/.test(m.text())) return;
		if (allowConflict && /status of 409/.test(m.text())) return;
		if ([...allowStatus].some((code) => m.text().includes(`status of ${code}`))) return;
		consoleErrors.push(`${page.url()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: uncaught ${e.message}`));
}

async function shot(page, name) {
	await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

const canvasData = (page, sel) => page.$eval(sel, (c) => c.toDataURL());

// How many pixels of canvas SEL are painted: the outline and cells of a
// map, not a blank canvas.
const paintedPixels = (page, sel) => page.$eval(sel, (c) => {
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let n = 0;
	for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
	return n;
});

// How many pixels of map canvas SEL are in the greens and yellows of the
// colour scale, which nothing else on a map (outline, hatching, names,
// sensor dots) is drawn in.
const mapColouredPixels = (page, sel) => page.$eval(sel, (c) => {
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let n = 0;
	for (let i = 0; i < d.length; i += 4) n += d[i + 3] > 0 && d[i + 1] > 80 && d[i + 1] > d[i + 2] + 25;
	return n;
});

// What a map says it drew (heatmap.js sets these as it paints).
async function expectMapMarks(page, sel, sparse) {
	const d = await page.$eval(sel, (c) => ({ ...c.dataset }));
	expect(d.maskRegions === '9', `${sel}: ${d.maskRegions} mask regions outlined and named, not 9`);
	expect(/Medial heel.*MTH 1.*Hallux/.test(d.maskLabels ?? ''), `${sel}: mask names ${d.maskLabels}`);
	expect(d.sideLabels === 'M L Heel Toe', `${sel}: side labels ${d.sideLabels}`);
	if (sparse) expect(Number(d.notMeasuredCells) > 0, `${sel}: nothing marked as not measured on a sparse insole`);
}

// The names of a map's anatomical regions stand apart: none runs into or
// touches its neighbour's ("M4-5M2-3M1" reads as one word), at least
// LABELS_APART_PX CSS px between them; a region no sensor measures says so
// on a line of its own.
const LABELS_APART_PX = 2;
async function expectLabelsApart(page, sel, where = sel) {
	const { boxes, scale } = await page.$eval(sel, (c) => ({ boxes: JSON.parse(c.dataset.maskLabelBoxes ?? '[]'), scale: c.width / c.clientWidth }));
	expect(boxes.length > 0, `${where}: no region names drawn`);
	const gap = ([a0, b0, a1, b1], [c0, d0, c1, d1]) => Math.max(c0 - a1, a0 - c1, d0 - b1, b0 - d1) / scale;
	const hits = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => gap(a, b) < LABELS_APART_PX)
		.map((b) => `${a} and ${b} (${gap(a, b).toFixed(1)} px apart)`));
	expect(hits.length === 0, `${where}: region names run together: ${hits.join('; ')}`);
}

// Printed from the window it was read in (a clinic's desktop), the page is
// laid out again at the paper's width without running scripts: whatever the
// screen sized in pixels must not stick out past it, or the browser shrinks
// the whole report to fit (to two thirds: 7 pt type on the patient's copy).
// A4 less the 8 mm margins is 733 CSS px.
const A4_PRINT_WIDTH_PX = 733;
async function expectPrintsAtFullSize(page, where) {
	await page.emulateMedia({ media: 'print' });
	await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
	try {
		const wide = await page.evaluate((W) => {
			document.documentElement.style.width = `${W}px`;
			const out = [];
			for (const e of document.querySelectorAll('main *')) {
				const r = e.getBoundingClientRect();
				if (r.width && r.right > W + 1) out.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ends at ${Math.round(r.right)} px`);
			}
			document.documentElement.style.width = '';
			return out;
		}, A4_PRINT_WIDTH_PX);
		expect(wide.length === 0, `${where}, printed from a ${page.viewportSize().width} px window onto A4 (${A4_PRINT_WIDTH_PX} px): ${wide.slice(0, 6).join('; ')}`);
	} finally {
		await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
		await page.emulateMedia({ media: 'screen' });
	}
}

// Printed, the report's first page is filled, not left half blank.  Its
// maps card is kept whole (break-inside: avoid): one that does not fit below
// what comes before it goes to the next page and leaves the rest of this one
// empty.  Measured on the page laid out for print at the A4 width, which up to
// the first page break is the printed layout: the maps end within the first
// page, and so does content down to at least FIRST_PAGE_FILLED of it.  The
// blocks a page breaks between are the cards kept whole and, in a card that
// breaks, its heading, sentences and rows.
const MM_PX = 96 / 25.4;
const A4_PRINT_HEIGHT_PX = (297 - 2 * 10) * MM_PX; // print.css: @page { margin: 10mm 8mm }
// A page ends where the next block does not fit, so some room is left below
// its last one; a fifth of the page at most (56 mm), where the defect left
// half of it.
const FIRST_PAGE_FILLED = 0.8;
async function expectFirstPageFilled(page, where) {
	await page.emulateMedia({ media: 'print' });
	await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
	try {
		const { maps, blocks } = await page.evaluate((W) => {
			document.documentElement.style.width = `${W}px`;
			const box = (e) => {
				const r = e.getBoundingClientRect();
				return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, height: r.height, name: e.id || e.getAttribute('aria-labelledby') || e.className || e.tagName };
			};
			const blocks = [];
			for (const e of [document.querySelector('main .view-head'), ...document.querySelector('#report').children]) {
				if (!e.matches('.card') || getComputedStyle(e).breakInside === 'avoid') blocks.push(box(e));
				else blocks.push(...[...e.querySelectorAll('h2, h3, li, tr, p')].map(box));
			}
			const mapsCard = document.querySelector('#h-maps')?.closest('.card');
			const out = { maps: mapsCard ? box(mapsCard) : null, blocks: blocks.filter((b) => b.height > 0) };
			document.documentElement.style.width = '';
			return out;
		}, A4_PRINT_WIDTH_PX);
		const H = A4_PRINT_HEIGHT_PX, mm = (px) => `${(px / MM_PX).toFixed(0)} mm`;
		expect(maps, `${where}: no pressure maps`);
		expect(maps.bottom <= H, `${where}, printed on A4: the maps card (${mm(maps.height)}) ends ${mm(maps.bottom)} down, past the first page's ${mm(H)}, so it goes whole to page 2`);
		const filled = Math.max(...blocks.filter((b) => b.bottom <= H).map((b) => b.bottom));
		expect(filled >= FIRST_PAGE_FILLED * H, `${where}, printed on A4: the first page ends after ${mm(filled)} of its ${mm(H)} (under ${FIRST_PAGE_FILLED * 100} %); next: ${blocks.filter((b) => b.bottom > H).map((b) => `${b.name} (${mm(b.height)})`).slice(0, 1)}`);
	} finally {
		await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
		await page.emulateMedia({ media: 'screen' });
	}
}

// The same with more findings than a short walk gives (it has two): the
// session's own sentences, answered repeated to each of these numbers, over
// which the maps once went to page 2.
const PRINTED_FINDINGS = [4, 8];
async function expectFirstPageFilledWithFindings(page, base, id, where) {
	const url = new RegExp(`/api/sessions/${id}$`);
	for (const n of PRINTED_FINDINGS) {
		await page.route(url, async (route) => {
			const response = await route.fetch();
			const session = await response.json();
			const own = session.summary.findings;
			session.summary.findings = Array.from({ length: n }, (_, i) => own[i % own.length]);
			await route.fulfill({ response, json: session });
		});
		try {
			await page.goto('about:blank');
			await page.goto(`${base}/#/report/${id}`);
			await page.waitForSelector('#map-mean-right', { timeout: UI_WAIT_MS });
			const shown = await page.$$eval('#findings li', (li) => li.length);
			expect(shown === n, `${where}: ${shown} findings shown, not the ${n} answered`);
			await expectFirstPageFilled(page, `${where} with ${n} findings`);
		} finally {
			await page.unroute(url);
		}
	}
}

// The same on every map as printed from a window of 703 CSS px, narrower
// than A4 between its margins (733 px): the maps smaller than on paper, and
// their names closer.
async function expectPrintedLabelsApart(page, where) {
	const size = page.viewportSize();
	await page.setViewportSize({ width: 703, height: 1000 });
	await page.emulateMedia({ media: 'print' });
	await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
	try {
		const maps = await page.$$eval('canvas.footmap', (cs) => cs.filter((c) => c.clientWidth && c.id).map((c) => `#${c.id}`));
		expect(maps.length > 0, `${where}: no map printed`);
		for (const sel of maps) await expectLabelsApart(page, sel, `${where}, printed, ${sel}`);
	} finally {
		await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
		await page.emulateMedia({ media: 'screen' });
		await page.setViewportSize(size);
	}
}

// The printed page is laid out again without running scripts, so a map's
// bitmap, drawn for its box on the screen, is shown in the box print gives
// it, of another shape (four maps a row on A4 against two on a tablet).
// The foot keeps its proportions only if the bitmap is scaled to fit, not
// stretched to fill.  PRINT: switches the page to print media.
async function expectPrintedMapsInProportion(page, where, print) {
	const bitmaps = await page.$$eval('canvas.footmap', (cs) => cs.map((c) => [c.width, c.height]));
	await print();
	const stretched = await page.$$eval('canvas.footmap', (cs, drawn) => cs.map((c, i) => {
		const [bw, bh] = drawn[i], w = c.clientWidth, h = c.clientHeight;
		if (!w || !h || !bw || !bh || ['contain', 'scale-down'].includes(getComputedStyle(c).objectFit)) return null;
		const r = (w / bw) / (h / bh);
		return Math.abs(r - 1) > 0.02 ? `${c.id || c.getAttribute('aria-label')}: drawn ${bw}x${bh}, printed ${w}x${h}` : null;
	}).filter(Boolean), bitmaps);
	expect(bitmaps.length > 0 && stretched.length === 0, `${where}: printed maps stretched out of shape: ${stretched.join('; ')}`);
}

// Before printing, every map is drawn again at print resolution (at least
// 3 canvas pixels per CSS pixel, ~300 dpi), and after it at the screen's.
// While printing, a bitmap has the foot's proportions rather than its box's
// and is scaled to fit the box: its resolution is along the side that fits.
async function expectMapsSharpWhenPrinted(page, where) {
	const ratios = () => page.$$eval('canvas.footmap', (cs) => cs.filter((c) => c.clientWidth)
		.map((c) => `${c.id || c.getAttribute('aria-label')} ${Math.max(c.width / c.clientWidth, c.height / c.clientHeight).toFixed(2)}`));
	await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
	const printing = await ratios();
	await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
	const after = await ratios();
	const dpr = await page.evaluate(() => window.devicePixelRatio);
	const blurred = printing.filter((r) => Number(r.split(' ').pop()) < Math.max(dpr, 3) - 0.02);
	const left = after.filter((r) => Math.abs(Number(r.split(' ').pop()) - dpr) > 0.02);
	expect(printing.length > 0 && blurred.length === 0, `${where}: maps printed at screen resolution: ${blurred.join('; ')}`);
	expect(left.length === 0, `${where}: maps not back at screen resolution after printing: ${left.join('; ')}`);
}

// On every map of the page the regions' names are drawn over the sensor
// dots, not under them (on an insole of many sensors, a pedar's 99, the dots
// made the names unreadable).  Printing draws every map again: the canvas
// calls it makes meanwhile are recorded, per canvas.
async function expectNamesOverDots(page, where) {
	const late = await page.evaluate(() => {
		const NAMES = new Set(['MH', 'LH', 'MM', 'LM', 'M1', 'M2-3', 'M4-5', 'Hx', 'T2-5']);
		const proto = CanvasRenderingContext2D.prototype, { arc, fillText } = proto, ops = new Map();
		const log = (ctx, op) => { if (!ops.has(ctx.canvas)) ops.set(ctx.canvas, []); ops.get(ctx.canvas).push(op); };
		proto.arc = function (...a) { log(this, 'dot'); return arc.apply(this, a); };
		proto.fillText = function (t, ...a) { log(this, NAMES.has(t) ? 'name' : 'text'); return fillText.call(this, t, ...a); };
		try {
			window.dispatchEvent(new Event('beforeprint'));
		} finally {
			Object.assign(proto, { arc, fillText });
			window.dispatchEvent(new Event('afterprint'));
		}
		const named = [...ops.values()].filter((o) => o.includes('name'));
		return { overlays: named.length, late: named.filter((o) => o.lastIndexOf('dot') > o.indexOf('name')).length };
	});
	expect(late.overlays > 0 && late.late === 0, `${where}: on ${late.late} of ${late.overlays} maps sensor dots are drawn over the regions' names`);
}

// Every control a finger has to hit is at least 44 x 44 CSS px (radios and
// ticks by their label; links inside running text are exempt, WCAG 2.5.5).
async function expectTouchTargets(page, view) {
	const small = await page.evaluate(() => {
		const out = [];
		for (const e of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
			if (e.closest('dialog:not([open])') || e.classList.contains('skip-link')) continue;
			const box = e.getBoundingClientRect();
			const cs = getComputedStyle(e);
			if (!box.width || !box.height || cs.visibility === 'hidden') continue;
			if (e.tagName === 'A' && cs.display === 'inline' && e.parentElement.closest('p, td, li, dd') && !e.closest('nav')) continue;
			const t = (e.type === 'radio' || e.type === 'checkbox') && e.closest('label') ? e.closest('label').getBoundingClientRect() : box;
			if (t.height < 43.5 || t.width < 43.5) out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${(e.textContent || e.value || '').trim().slice(0, 24)}" ${Math.round(t.width)}x${Math.round(t.height)}`);
		}
		return out;
	});
	expect(small.length === 0, `${view}: touch targets under 44 px: ${small.join('; ')}`);
}

// Nothing lies beyond the right edge of the screen (or of the printed page,
// when the viewport is the page's width): no table scrolls sideways, which
// on a tablet hides columns nobody knows to look for, no control sticks out,
// and no form field runs over the one beside it.
async function expectFitsWidth(page, view) {
	const wide = await page.evaluate(() => {
		const out = [], W = document.documentElement.clientWidth;
		for (const w of document.querySelectorAll('.table-wrap'))
			if (w.scrollWidth > w.clientWidth + 1) out.push(`#${w.querySelector('table')?.id} needs ${w.scrollWidth} px of ${w.clientWidth}`);
		if (document.documentElement.scrollWidth > W + 1) out.push(`the page is ${document.documentElement.scrollWidth} px wide on a ${W} px screen`);
		for (const e of document.querySelectorAll('main button, main input, main select, main th, main td')) {
			const r = e.getBoundingClientRect();
			if (r.width && r.right > W + 1) out.push(`${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 24)}" ends at ${Math.round(r.right)} px`);
			const cell = e.tagName === 'INPUT' && e.closest('.filters > div, .field');
			if (cell && r.right > cell.getBoundingClientRect().right + 1) out.push(`input#${e.id} runs ${Math.round(r.right - cell.getBoundingClientRect().right)} px past its field`);
		}
		return out;
	});
	expect(wide.length === 0, `${view} at ${page.viewportSize().width} px: ${wide.slice(0, 6).join('; ')}`);
}

// A comparison shows every session, in the order asked (the baseline
// first): up to three as columns, more as a row each under every metric.
// Says how wide the table is against the room it has.
async function expectComparison(page, ids, where) {
	const seen = await page.evaluate(() => {
		const t = document.querySelector('#compare-table'), wrap = t.closest('.table-wrap');
		return { bySession: t.classList.contains('by-session'), columns: t.querySelectorAll('thead th.n').length,
			rows: [...t.querySelectorAll('tbody.metric')].map((b) => [...b.querySelectorAll('tr[data-session]')].map((r) => r.dataset.session).join(',')),
			table: wrap.scrollWidth, room: wrap.clientWidth, page: document.documentElement.scrollWidth };
	});
	const n = ids.length, want = ids.join(',');
	if (n > 3) {
		const wrong = seen.rows.filter((r) => r !== want);
		expect(seen.bySession && seen.rows.length > 0 && wrong.length === 0,
			`${where}: ${n} sessions are not a row each under every metric in the order ${want}: ${seen.rows.length} metrics, ${wrong.length} otherwise (${wrong[0]})`);
	} else {
		expect(!seen.bySession && seen.columns === n, `${where}: ${seen.columns} session columns, not ${n}`);
	}
	log(`# ${where}, ${n} sessions: the table takes ${seen.table} px of ${seen.room}, the page ${seen.page} px`);
}

// The pages of a PDF that Chromium wrote: its page objects.
const pdfPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

// In print, the comparison's metrics are its paper table, not the screen's:
// every metric of the screen's table is there and on the page, with a line
// for each later session in the order asked, under each foot.
async function expectPrintedComparison(page, ids, where) {
	const seen = await page.evaluate(() => {
		const shown = (e) => e.getClientRects().length > 0;
		const screen = [...document.querySelectorAll('#compare-table tbody.metric')].map((b) => b.dataset.metric);
		const bodies = [...document.querySelectorAll('#compare-print-table tbody.metric')];
		return { screenPrinted: shown(document.querySelector('#compare-table')), screen,
			printed: bodies.filter(shown).map((b) => b.dataset.metric),
			rows: bodies.map((b) => [...b.querySelectorAll('tr[data-session]')].map((r) => r.dataset.session)) };
	});
	expect(!seen.screenPrinted, `${where}: the screen's comparison table is printed`);
	const missing = seen.screen.filter((m) => !seen.printed.includes(m));
	expect(seen.screen.length > 0 && missing.length === 0 && seen.printed.length === seen.screen.length,
		`${where}: ${seen.printed.length} of ${seen.screen.length} metrics printed, missing ${missing.join(', ')}`);
	const later = ids.slice(1).join(','), want = `${later},${later}`;
	const wrong = seen.rows.filter((r) => r.length && r.join(',') !== want);
	expect(seen.rows.some((r) => r.length) && wrong.length === 0,
		`${where}: printed lines are not a line per later session (${later}) under each foot: ${wrong[0]}`);
}

// Once the page has laid out what it shows: two frames.
const laidOut = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// Scrolled half-way down the table sel, its column headings (which foot,
// which session) are still at the top of the window, although the table's
// own top has gone above it: they stick rather than scroll away.
async function expectHeadingsAtTop(page, sel, where) {
	await laidOut(page);
	const seen = await page.$eval(sel, (t) => {
		const r = t.getBoundingClientRect();
		window.scrollTo(0, window.scrollY + r.top + r.height / 2);
		const head = t.querySelector('thead th').getBoundingClientRect();
		return { head: head.top, height: t.tHead.getBoundingClientRect().height, table: t.getBoundingClientRect().top };
	});
	expect(seen.table + seen.height < 0, `${where}: scrolled half-way down ${sel}, its top is at ${seen.table} px: not a long table`);
	expect(Math.abs(seen.head) <= 2, `${where}: scrolled half-way down ${sel} (its top at ${Math.round(seen.table)} px), its headings are at ${seen.head} px`);
}

// The recordings of session ID imported again under other footwear, as a
// runner's shoes and barefoot walks: more sessions to compare.
async function importAgain(page, id, footwears) {
	return page.evaluate(async ([id, footwears]) => {
		const csv = await (await fetch(`api/sessions/${id}/export/frames.csv`)).text();
		const out = [];
		for (const fw of footwears) {
			const r = await fetch(`api/sessions/import?subject=E2E-subject&footwear=${encodeURIComponent(fw)}&name=again.csv&duplicate=allow`,
				{ method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: csv });
			const s = await r.json();
			if (r.status !== 201) throw new Error(`importing session ${id} again as ${fw}: ${r.status} ${s.error}`);
			out.push(String(s.id));
		}
		return out;
	}, [id, footwears]);
}

// Records until the card says the 30-step target is reached (how long that
// takes depends on the machine: the emulator and the analysis are slower on
// a loaded one), then stops.  shots: take the live view's pictures.
async function recordSession(page, subject, footwear, { shots = false, weightKg = null } = {}) {
	await page.goto(`${page.baseUrl}/#/live`);
	await page.fill('#rec-subject', subject);
	await page.fill('#rec-footwear', footwear);
	if (weightKg) await page.fill('#rec-weight', String(weightKg));
	await page.fill('#rec-notes', 'browser end-to-end test');
	await page.click('#rec-start');
	// the recording banner, or the form's reason for not starting
	await page.waitForFunction(() => document.querySelector('#rec-state') || document.querySelector('#rec-form .error')?.textContent,
		null, { timeout: UI_WAIT_MS }).catch(() => {});
	const refused = await page.$eval('#rec-form .error', (e) => e.textContent).catch(() => '');
	expect(!refused, `recording did not start: ${refused}`);
	const state = await page.waitForSelector('#rec-state', { timeout: UI_WAIT_MS });
	const id = Number((await state.textContent()).match(/#(\d+)/)?.[1]);
	expect(id > 0, 'the recording banner names no session id');
	// the card counts time and steady steps per foot until the target
	await page.waitForFunction(() => /^\d+:\d\d$/.test(document.querySelector('#rec-elapsed')?.textContent ?? '') &&
		document.querySelector('#rec-elapsed').textContent !== '0:00' &&
		/^[1-9]\d* \/ 30$/.test(document.querySelector('#rec-steps-left .n')?.textContent ?? '') &&
		/^[1-9]\d* \/ 30$/.test(document.querySelector('#rec-steps-right .n')?.textContent ?? ''), null, { timeout: STEP_WAIT_MS });
	if (shots) await shot(page, 'live-recording');
	await page.waitForSelector('#rec-target.reached', { timeout: TARGET_WAIT_MS });
	const target = await page.textContent('#rec-target');
	expect(/30 steps per foot reached/.test(target), `target message: ${target}`);
	const stop = await page.$eval('#rec-stop', (b) => b.getBoundingClientRect().bottom);
	expect(stop <= window_h(page), `at ${page.viewportSize().width} px the stop button is below the fold (${stop} px)`);
	if (shots) await shot(page, 'live-target-reached');
	await page.click('#rec-stop');
	const done = await page.waitForSelector('#rec-done', { timeout: UI_WAIT_MS });
	expect((await done.textContent()).includes(`#${id}`), `after stopping, the view does not name session #${id}`);
	return id;
}

// The sessions view with its import card open, as a clinician finds it.
async function openImportCard(page, base) {
	await page.goto(`${base}/#/sessions`);
	await page.waitForSelector('#import-card', { state: 'attached', timeout: UI_WAIT_MS });
	await page.$eval('#import-card', (d) => { d.open = true; });
}

// Each row of the import card's results: [outcome, text].
const importRows = (page) => page.$$eval('#import-results li', (ls) => ls.map((l) => [l.dataset.outcome, l.textContent]));

// A folder's worth chosen at once, in no particular order (DIR: the real
// recordings): park1's three files, a gaitpdb recording (one file), and
// control1 without its right foot's file.  park1 becomes one session whose report
// draws both feet; the ordinary file imports; control1 is listed as not
// imported, naming the missing file.  Returns park1's session.
async function importGaitnddBatch(page, base, dir) {
	await openImportCard(page, base);
	expect(await page.textContent('#import-format option[value="gaitndd"]') === 'PhysioNet gaitndd (.hea + .let + .rit)' &&
		(await page.getAttribute('#import-file', 'accept')).includes('.hea,.let,.rit'), 'the import card does not offer gaitndd records');
	const record = (name) => join(dir, 'gaitndd', name);
	await page.setInputFiles('#import-file', [record('park1.let'), record('control1.hea'), join(dir, 'gaitpdb/JuPt03_06.txt'),
		record('park1.rit'), record('control1.let'), record('park1.hea')]);
	await page.fill('#import-subject', 'E2E-gaitndd');
	await page.click('#import-start');
	await page.waitForFunction(() => /^3 recordings/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
	const msg = await page.textContent('#import-msg');
	expect(msg === '3 recordings (6 files): 2 imported, 0 already stored, 1 not imported.', `the summary: ${msg}`);
	// listed as each record's first file came
	const [park1, control1, gaitpdb] = await importRows(page);
	expect(park1[0] === 'imported' && /^park1 \(3 files\): imported as session #\d+, dated .*, when it was imported \(the file gives no recording date\)\./.test(park1[1]),
		`row 1: ${park1}`);
	expect(control1[0] === 'failed' && control1[1] === 'control1 (2 files): not imported: control1.rit (the right foot\u2019s signal) is missing: ' +
		'a PhysioNet gaitndd record is the three files control1.hea, control1.let and control1.rit, chosen together', `row 2: ${control1}`);
	expect(gaitpdb[0] === 'imported' && gaitpdb[1].startsWith('JuPt03_06.txt: imported as session #'), `row 3: ${gaitpdb}`);
	await page.$eval('#import-results', (e) => e.scrollIntoView());
	await shot(page, 'import-gaitndd');
	const sid = Number(park1[1].match(/#(\d+)/)[1]);
	const session = await page.evaluate(async (id) => (await fetch(`api/sessions/${id}`)).json(), sid);
	// both feet's 90,000 samples, and the steps `insoled --analyze park1.hea` finds
	expect(session.source === 'import:gaitndd:park1.hea' && session.layout.left === 'footswitch1' && session.layout.right === 'footswitch1' &&
		session.frames === 180000 && session.steps === 512,
		`park1's session: source ${session.source}, layouts ${JSON.stringify(session.layout)}, ${session.frames} frames, ${session.steps} steps`);
	await page.goto(`${base}/#/report/${sid}`);
	for (const foot of ['left', 'right']) {
		await page.waitForSelector(`#map-mean_peak-${foot}`, { timeout: UI_WAIT_MS });
		const painted = await paintedPixels(page, `#map-mean_peak-${foot}`);
		expect(painted > 100, `park1's ${foot} map is blank (${painted} pixels painted)`);
		// one sensor per foot: every other region is marked as not measured, and still legible;
		// no cell lies within a sensor hull, so no map colour shows (none along the outline either)
		await expectLabelsApart(page, `#map-mean_peak-${foot}`);
		const coloured = await mapColouredPixels(page, `#map-mean_peak-${foot}`);
		expect(coloured === 0, `park1's ${foot} map paints ${coloured} pixels in map colours where nothing is measured`);
	}
	await shot(page, 'report-gaitndd');
	return sid;
}

// park1's three files chosen again: the card names the session holding the
// record, and imports it again as a new session on request.
async function importGaitnddAgain(page, base, dir, first) {
	await openImportCard(page, base);
	await page.setInputFiles('#import-file', ['park1.hea', 'park1.let', 'park1.rit'].map((name) => join(dir, 'gaitndd', name)));
	await page.fill('#import-subject', 'E2E-gaitndd');
	await page.click('#import-start');
	await page.waitForSelector('#import-duplicate', { state: 'visible', timeout: UI_WAIT_MS });
	const notice = await page.textContent('#import-duplicate');
	expect(notice.startsWith('Not imported: park1 (3 files) is already stored.') && notice.includes(`as session #${first} `), `the notice: ${notice}`);
	// the record gives no date: the session's is the day it was imported, and the notice says so
	expect(/, dated \d\d \w+ \d{4}, \d\d:\d\d, when it was imported\)/.test(notice) && !notice.includes('recorded'), `the notice's date: ${notice}`);
	await page.click('#import-again');
	await page.waitForFunction(() => /Imported as session #\d+/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
	const again = Number((await page.textContent('#import-msg')).match(/#(\d+)/)[1]);
	const source = await page.evaluate(async (id) => (await (await fetch(`api/sessions/${id}`)).json()).source, again);
	expect(again > first && source === 'import:gaitndd:park1.hea', `imported again as session ${again}, source ${source}`);
}

// The long tables a clinician scrolls through, the report's 91 step metrics
// (which column is the left foot?), its list of every step and the sessions
// list, keep their headings at the top of the window on a tablet either way
// up and on a desktop.  On a phone the metrics do not fit: they scroll
// sideways in a box no taller than the window, their headings at its top.
async function expectLongTablesKeepHeadings(page, id) {
	// every table at every size is looked at, and every one that fails is named
	const wrong = [];
	const look = (sel, what) => expectHeadingsAtTop(page, sel, what).catch((e) => { wrong.push(e.message); });
	for (const size of [{ width: 768, height: 1024 }, { width: 1024, height: 768 }, { width: 1280, height: 800 }]) {
		await page.setViewportSize(size);
		const where = `at ${size.width} x ${size.height}`;
		await page.goto(`${page.baseUrl}/#/sessions`);
		await page.waitForSelector('#sessions-table tbody tr[data-id]', { timeout: UI_WAIT_MS });
		await look('#sessions-table', `the sessions list ${where}`);
		await page.goto(`${page.baseUrl}/#/report/${id}`);
		await page.waitForSelector('#metrics-table tbody tr[data-metric]', { timeout: UI_WAIT_MS });
		await look('#metrics-table', `the report's step metrics ${where}`);
		await page.screenshot({ path: join(OUT, `report-metrics-scrolled-${size.width}.png`) });
		await page.click('#step-list summary', { timeout: UI_WAIT_MS });
		await page.waitForSelector('#selection-table tbody tr', { timeout: UI_WAIT_MS });
		await look('#selection-table', `the report's steps ${where}`);
	}
	await page.setViewportSize({ width: 375, height: 812 });
	await page.goto(`${page.baseUrl}/#/report/${id}`);
	await page.waitForSelector('#metrics-table tbody tr[data-metric]', { timeout: UI_WAIT_MS });
	await laidOut(page);
	const seen = await page.$eval('#metrics-table', (t) => {
		const box = t.parentElement;
		box.scrollIntoView();
		box.scrollTop = (box.scrollHeight - box.clientHeight) / 2;
		return { wide: box.scrollWidth > box.clientWidth, height: box.clientHeight, down: box.scrollTop,
			box: box.getBoundingClientRect().top, head: t.querySelector('thead th').getBoundingClientRect().top };
	});
	if (!(seen.wide && seen.height <= 812 && seen.down > 0 && Math.abs(seen.head - seen.box) <= 2))
		wrong.push(`at 375 px the step metrics do not scroll in a box of the window's height with their headings at its top: ${JSON.stringify(seen)}`);
	await page.screenshot({ path: join(OUT, 'report-metrics-scrolled-375.png') });
	await page.setViewportSize({ width: 1280, height: 900 });
	expect(wrong.length === 0, wrong.join('\n  '));
}

async function main() {
	mkdirSync(OUT, { recursive: true });
	let ctx, emu, daemon;
	const ids = {};
	try {
		// ---- phase 1: open daemon, normal arch ---------------------------------
		emu = await startEmulator(`arch_collapse=${ARCH_NORMAL},noise=0.01`, 1, DROPS);
		daemon = await startDaemon(emu.pty, await freePort(), null);
		ctx = await launch();
		const page = await ctx.newPage();
		page.baseUrl = daemon.base;

		await check('live heatmaps change as the emulated subject walks', async () => {
			await page.goto(`${daemon.base}/#/live`);
			await page.waitForFunction(() => !!document.querySelector('#readout-left dd') && /N$/.test(document.querySelector('#readout-left dd').textContent), null, { timeout: UI_WAIT_MS });
			// looked at until each map has shown three pictures: how soon
			// depends on how fast a loaded machine paints
			const seen = { left: new Set(), right: new Set() };
			const deadline = Date.now() + UI_WAIT_MS;
			while ((seen.left.size < 3 || seen.right.size < 3) && Date.now() < deadline) {
				for (const f of ['left', 'right']) seen[f].add(await canvasData(page, `#map-${f}`));
				await sleep(MAP_SAMPLE_MS);
			}
			for (const f of ['left', 'right']) expect(seen[f].size >= 3, `the ${f} map showed only ${seen[f].size} distinct pictures in ${UI_WAIT_MS} ms of walking`);
			const force = await page.textContent('#readout-left');
			expect(/Force\s*[\d,]+ N/.test(force), `left readout has no force as text: ${force}`);
		});

		await check('lost frames raise a visible "frames dropped" warning', async () => {
			await page.waitForFunction(() => /Frames dropped/.test(document.querySelector('#live-alerts')?.textContent ?? ''), null, { timeout: ALERT_WAIT_MS });
			await shot(page, 'live-frames-dropped');
		});

		await check('a step appears in the list of last steps', async () => {
			await page.waitForFunction(() => {
				const row = document.querySelector('#steps-table tbody tr td.n');
				return row && /\d/.test(row.textContent);
			}, null, { timeout: STEP_WAIT_MS });
			const row = await page.textContent('#steps-table tbody tr');
			expect(/Left|Right/.test(row) && /Rearfoot|Midfoot|Forefoot/.test(row), `step row lacks foot or strike: ${row}`);
			await sleep(1500); // let the gait line and force curve fill for the picture
			await shot(page, 'live');
		});

		await check('live maps outline and name the anatomical regions, label M/L and heel/toe, hatch what fsr16 does not measure', async () => {
			for (const f of ['left', 'right']) await expectMapMarks(page, `#map-${f}`, true);
		});

		await check('tabbing onto the kPa field leaves the colour range alone; typing a maximum fixes it', async () => {
			await page.focus('#range-auto');
			await page.keyboard.press('Tab');
			const focused = await page.evaluate(() => document.activeElement?.id);
			expect(focused === 'range-max', `Tab from the range radios went to ${focused}`);
			expect(await page.isChecked('#range-auto'), 'tabbing onto the kPa field switched the range to Fixed');
			await page.keyboard.type('0');
			expect(await page.isChecked('#range-fixed'), 'typing a maximum did not choose the fixed range');
			await page.check('#range-auto');
		});

		await check('at 1024x768 the record button needs no scrolling; recording shows time, steps per foot and the 30-step target', async () => {
			await page.setViewportSize({ width: 1024, height: 768 });
			await page.goto(`${daemon.base}/#/live`);
			const start = await page.waitForSelector('#rec-start', { timeout: UI_WAIT_MS });
			const box = await start.boundingBox();
			expect(await page.evaluate(() => window.scrollY) === 0 && box.y + box.height <= 768,
				`the record button is at ${Math.round(box.y)}-${Math.round(box.y + box.height)} px of a 768 px screen`);
			expect(await page.isVisible('#rec-weight') && await page.isVisible('#rec-footwear'), 'the recording form lacks body weight or footwear');
			await expectTouchTargets(page, 'live');
			ids.a = await recordSession(page, 'E2E-subject', `shoe A (arch collapse ${ARCH_NORMAL})`, { shots: true, weightKg: 72 });
			await shot(page, 'live-after-recording');
			await page.setViewportSize({ width: 1280, height: 900 });
		});

		await check('the body weight given when recording is shown after a reload; no sign-in without a token', async () => {
			await page.goto(`${daemon.base}/#/settings`);
			await page.reload();
			await page.waitForFunction(() => /72\.0 kg/.test(document.querySelector('#bw-current')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			await page.waitForFunction(() => /does not require a token/.test(document.querySelector('#auth-state')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			expect(!(await page.isVisible('#auth-actions')), 'settings offer to sign in although the daemon has no token');
			await expectTouchTargets(page, 'settings');
		});

		await check('the skip link on #/sessions moves focus into the view and stays there', async () => {
			await page.goto('about:blank');
			await page.goto(`${daemon.base}/#/sessions`);
			await page.waitForSelector('#sessions-table');
			await page.keyboard.press('Tab');
			expect(await page.evaluate(() => document.activeElement?.classList.contains('skip-link')), 'the first Tab is not the skip link');
			await page.keyboard.press('Enter');
			await page.waitForFunction(() => document.activeElement?.id === 'main', null, { timeout: UI_WAIT_MS }).catch(() => {});
			const where = await page.evaluate(() => ({ hash: location.hash, focus: document.activeElement?.id, view: document.querySelector('main').dataset.view }));
			expect(where.hash === '#/sessions' && where.view === 'sessions' && where.focus === 'main', `after the skip link: ${JSON.stringify(where)}`);
		});

		await check('numbers have no signed zeros and one minus sign', async () => {
			const r = await page.evaluate(async () => {
				const f = await import('./js/format.js');
				return [f.num(-0.04, 1), f.signed(-0.04, 1), f.num(-3.25, 1), f.signed(-3.25, 2), f.signed(0.004, 2), f.num(-0.4, 0)];
			});
			expect(JSON.stringify(r) === JSON.stringify(['0.0', '0.0', '\u22123.3', '\u22123.25', '0.00', '0']), `formatted: ${JSON.stringify(r)}`);
		});

		await check('the session is found in the list and opens its report', async () => {
			await page.click('nav a[data-view="sessions"]');
			// the subject filter is exact: another case finds nothing, and the list says why
			await page.fill('#f-subject', 'e2e-subject');
			await page.click('form.filters button[type="submit"]');
			await page.waitForSelector('#sessions-empty', { timeout: UI_WAIT_MS });
			const empty = await page.textContent('#sessions-empty');
			expect(/No session matches the filters above\. Subject and footwear are matched as written, capitals included/.test(empty) &&
				/No session matches these filters/.test(await page.textContent('#sessions-count')), `a filter that hides every session: ${empty}`);
			await page.fill('#f-subject', 'E2E-subject');
			await page.click('form.filters button[type="submit"]');
			// a locator, not a handle: the list re-renders when the search answers
			const link = page.locator(`#sessions-table tr[data-id="${ids.a}"] a`);
			await link.waitFor({ timeout: UI_WAIT_MS });
			const row = await page.textContent(`#sessions-table tr[data-id="${ids.a}"]`);
			expect(row.includes('shoe A') && row.includes('complete'), `session row: ${row}`);
			await shot(page, 'sessions');
			await link.click();
			await page.waitForSelector('#metrics-table tbody tr[data-metric="stance_ms"]', { timeout: UI_WAIT_MS });
			const stance = await page.textContent('#metrics-table tr[data-metric="stance_ms"]');
			expect(/\d+ ± \d+/.test(stance), `stance row has no mean ± SD: ${stance}`);
			expect((await page.textContent('#arch')).includes('Category'), 'arch-collapse section lacks its category');
			// Findings at the top, in the daemon's words: 40 s of walking is too
			// short to judge an arch drift, and the arch card says the same.
			const findings = await page.textContent('#findings');
			expect(/Left foot: too few steps to judge a change of the arch \(\d+ of \d+ steps usable/.test(findings),
				`report findings: ${findings}`);
			expect((await page.textContent('#arch')).includes('Too few steps to judge'), 'the arch card does not show the drift class');
			// why a 16-sensor insole has no Arch Index: no dense grid (not "too sparse", which a 99-sensor pedar is not either)
			expect((await page.textContent('#arch')).includes('The Arch Index is a footprint measure, made only on a dense grid of sensors'),
				'the arch card does not say why there is no Arch Index');
			// The averaged force curve is drawn from /api/sessions/ID/curves: a
			// failing endpoint would leave only the status text, so wait for the chart.
			await page.waitForSelector('#force-curve .uplot', { timeout: UI_WAIT_MS });
			await page.waitForSelector('#trend-chart .uplot', { timeout: UI_WAIT_MS });
			await sleep(500);
			await shot(page, 'report');
			for (const f of ['left', 'right']) await expectMapMarks(page, `#map-mean_peak-${f}`, true);
			const regions = await page.$$eval('#regions-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.region, tr.querySelector('td')?.textContent]));
			expect(regions.length === 9 && regions.every(([r, v]) => r && /^\d+$/.test(v)),
				`the anatomical regions table: ${JSON.stringify(regions)}`);
			const trend = await page.$eval('#trend-chart', (b) => ({ x: b.dataset.xAxis, lo: Number(b.dataset.yMin), hi: Number(b.dataset.yMax) }));
			// measured from the first step, as the trim fields of "Steps in the summary" are
			expect(trend.x === 'Time since the first step (s)', `a short session's trend axis: ${trend.x}`);
			expect(trend.hi - trend.lo >= 0.049 * Math.abs((trend.hi + trend.lo) / 2), `trend y range ${trend.lo}..${trend.hi} zooms below 5 % of the values`);
			await expectTouchTargets(page, 'report');
			// every download the report offers answers with a file of its kind
			const downloads = await page.$$eval('.actions a.button', (as) => Promise.all(as.map(async (a) => {
				const r = await fetch(a.href);
				const text = await r.text();
				return { label: a.textContent, status: r.status, disposition: r.headers.get('Content-Disposition'), start: text.slice(0, 40) };
			})));
			expect(downloads.length === 5 && downloads.every((d) => d.status === 200 && /attachment/.test(d.disposition ?? '') && d.start.length > 0),
				`the report's downloads: ${JSON.stringify(downloads)}`);
			// playback: the slider, play/pause and frame steps move map, CoP and force cursor together
			await page.click('#playback summary');
			await page.waitForSelector('#playback-slider', { timeout: UI_WAIT_MS });
			// the charts' tick labels say where their ticks are: a 40 s recording is ticked every
			// 2.5 s, which written to whole seconds read 0, 3, 5, 8
			const ticks = await page.evaluate(async () => (await import('./js/charts.js')).axis('Time (s)').values(null, [0, 2.5, 5, 7.5]));
			expect(ticks.join(' ') === '0.0 2.5 5.0 7.5', `ticks at 0, 2.5, 5 and 7.5 s are labelled ${ticks.join(', ')}`);
			// until a foot's first stance the step detector is still learning its levels and marks
			// every frame out of stance, a foot standing on the ground too: that is not "swing"
			const phases = await page.evaluate(async () => {
				const { phaseName } = await import('./js/format.js');
				return [phaseName(0, false), phaseName(1, false), phaseName(1, true), phaseName(0, true)];
			});
			expect(phases.join(' | ') === 'before the first step | stance | stance | swing', `phases: ${phases.join(' | ')}`);
			// at the session's first moment one foot has its first frame; the other foot's
			// readout says '–' when its first frame comes later (the two feet's frames are
			// not in step)
			const READOUT = /^[\d,]+ N · (stance|swing|before the first step)$/;
			await page.waitForFunction((re) => [...document.querySelectorAll('#playback .playback-readout')]
				.some((r) => new RegExp(re).test(r.textContent)), READOUT.source, { timeout: UI_WAIT_MS }).catch(() => {});
			const readouts0 = await page.$$eval('#playback .playback-readout', (rs) => rs.map((r) => r.textContent));
			expect(readouts0.some((r) => READOUT.test(r)) && readouts0.every((r) => r === '–' || READOUT.test(r)),
				`the playback's first readouts: ${readouts0.join(' | ')}`);
			const marksShown = await page.$$eval('.playback-marks .mark', (m) => m.length);
			expect(marksShown > 10, `playback marks ${marksShown} step contacts`);
			const t = async () => Number(await page.$eval('.playback-body', (b) => b.dataset.t));
			const pic = () => canvasData(page, '#playback-map-left');
			const [t0, p0] = [await t(), await pic()];
			await page.click('#playback-play');
			// played until PLAY_US of the recording have gone by (the frames
			// come from a replay, later on a loaded machine), then paused
			await page.waitForFunction(([from, us]) => Number(document.querySelector('.playback-body')?.dataset.t) >= from + us,
				[t0, PLAY_US], { timeout: UI_WAIT_MS, polling: 100 }).catch(() => {});
			await page.click('#playback-play');
			const [t1, p1] = [await t(), await pic()];
			expect(t1 > t0 && p1 !== p0, `playing moved the time ${t0} -> ${t1}${p1 === p0 ? ' but not the map' : ''}`);
			await page.click('#playback-next');
			expect(await t() > t1, 'the next-frame button did not advance');
			await expectMapMarks(page, '#playback-map-left', true);
			await page.$eval('#playback', (e) => e.scrollIntoView());
			await shot(page, 'report-playback');
			await expectMapsSharpWhenPrinted(page, 'report');
			await expectNamesOverDots(page, 'report');
			await expectPrintsAtFullSize(page, 'the report');
			await expectPrintedLabelsApart(page, 'the report');
			await expectFirstPageFilled(page, 'the report');
			// printed while scrolled: the sticky table header must not float over the content
			await page.$eval('#metrics-table', (t) => t.scrollIntoView());
			await page.evaluate(() => window.scrollBy(0, 300));
			await page.emulateMedia({ media: 'print' });
			const pos = await page.$eval('#metrics-table thead th', (th) => getComputedStyle(th).position);
			expect(pos === 'static', `printed table headers are ${pos}`);
			// the date it was printed in the report's own form, not a numeric 07/12/2026 read as July in some countries
			const printed = await page.textContent('#printed-on');
			expect(/^Printed \d\d [A-Z][a-z]{2,3} 20\d\d, \d\d:\d\d from insoled/.test(printed), `printed: ${printed}`);
			// the session-maximum maps' closed disclosure is a control, not part of the printed page
			expect(!(await page.isVisible('#map-session-max summary')), 'the closed "Session maximum" disclosure is printed');
			await page.evaluate(() => window.scrollTo(0, 0));
			await shot(page, 'report-print');
			await page.pdf({ path: join(OUT, 'report.pdf'), format: 'A4', printBackground: true });
			await page.emulateMedia({ media: 'screen' });
			await expectFirstPageFilledWithFindings(page, daemon.base, ids.a, 'the report');
		});
		await check('a step excluded in the report leaves the summary, and the choice is kept with the session', async () => {
			await page.goto(`${daemon.base}/#/report/${ids.a}`);
			await page.waitForSelector('#step-selection', { timeout: UI_WAIT_MS });
			const counts = async () => (await page.textContent('#metrics-table tr[data-metric="stance_ms"] td:nth-of-type(4)')).split('/').map((x) => Number(x.trim()));
			const [left0] = await counts();
			await page.click('#step-list summary');
			await page.locator('#step-list tr[data-foot="left"][data-flags="0"] select').first().selectOption('exclude');
			await page.click('#selection-apply');
			await page.waitForFunction(() => document.querySelector('#quality')?.textContent.includes('1 excluded by hand'), null, { timeout: UI_WAIT_MS })
				.catch(async (e) => {
					const why = await page.textContent('#selection-msg').catch(() => null);
					throw new Error(`the summary does not count the excluded step; the view says: ${why || '(nothing)'}\n${e.message}`);
				});
			await page.waitForSelector('#metrics-table tr[data-metric="stance_ms"]', { timeout: UI_WAIT_MS });
			const [left1] = await counts();
			expect(left1 === left0 - 1, `left steps in the summary ${left0} -> ${left1}`);
			const stored = await page.evaluate(async (id) => (await (await fetch(`api/sessions/${id}`)).json()).selection, ids.a);
			expect(stored?.steps?.length === 1 && stored.steps[0].include === false, `stored selection: ${JSON.stringify(stored)}`);
			await page.$eval('#step-selection', (e) => e.scrollIntoView());
			await shot(page, 'report-selection');
		});
		await check('import a recording from the sessions view; it keeps the file\'s start time; rename and delete with confirmation', async () => {
			await page.goto(`${daemon.base}/#/sessions`);
			await page.click('#import-card summary');
			await page.setInputFiles('#import-file', join(SRC, 'tests/fixtures/import/moticon_small.txt'));
			await page.fill('#import-subject', 'E2E-import');
			await page.click('#import-start');
			await page.waitForFunction(() => /Imported as session #\d+/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			const id = Number((await page.textContent('#import-msg')).match(/#(\d+)/)[1]);
			const row = page.locator(`#sessions-table tr[data-id="${id}"]`);
			await row.waitFor({ timeout: UI_WAIT_MS });
			const text = await row.textContent();
			expect(/21 Nov 2026, 10:00/.test(text), `the imported session is not dated by its file (21.11.2026 10:00): ${text}`);
			await expectTouchTargets(page, 'sessions');
			await shot(page, 'sessions-imported');
			await row.locator('button', { hasText: 'Edit' }).click();
			await page.fill('#edit-subject', 'E2E-renamed');
			await page.click('#edit-save');
			await page.waitForFunction((i) => /E2E-renamed/.test(document.querySelector(`#sessions-table tr[data-id="${i}"]`)?.textContent ?? ''), id, { timeout: UI_WAIT_MS });
			await row.locator('button', { hasText: 'Delete' }).click();
			await page.click('#delete-cancel');
			expect(await row.count() === 1, 'cancelling the confirmation deleted the session');
			await row.locator('button', { hasText: 'Delete' }).click();
			await page.click('#delete-confirm');
			await page.waitForFunction((i) => !document.querySelector(`#sessions-table tr[data-id="${i}"]`), id, { timeout: UI_WAIT_MS });
		});
		await check('a recording imported twice is refused naming its session, which opens from there, or imports again on request', async () => {
			await page.goto(`${daemon.base}/#/sessions`);
			await page.$eval('#import-card', (d) => { d.open = true; });
			const importMoticon = async () => {
				await page.setInputFiles('#import-file', join(SRC, 'tests/fixtures/import/moticon_small.txt'));
				await page.fill('#import-subject', 'E2E-twice');
				await page.click('#import-start');
				await page.waitForFunction(() => /Imported as session #\d+|rror/.test(document.querySelector('#import-msg')?.textContent ?? '') ||
					!document.querySelector('#import-duplicate')?.hidden, null, { timeout: UI_WAIT_MS });
				return page.textContent('#import-card');
			};
			// its session was deleted above: it imports as new
			const first = Number((await importMoticon()).match(/Imported as session #(\d+)/)?.[1]);
			allowConflict = true;
			expect(first > 0, 'the recording of a deleted session was not imported');
			await importMoticon();
			await page.waitForSelector('#import-duplicate', { state: 'visible', timeout: UI_WAIT_MS });
			const notice = await page.textContent('#import-duplicate');
			expect(notice.startsWith('Not imported: moticon_small.txt is already stored.'), `the second import says: ${notice}`);
			expect(/This recording was imported on \d\d \w+ 20\d\d, \d\d:\d\d as session #(\d+) /.exec(notice)?.[1] === String(first) &&
				notice.includes('(\u201cmoticon_small.txt\u201d, subject E2E-twice, recorded 21 Nov 2026, 10:00)'),
				`the notice does not name the session: ${notice}`);
			expect(await page.locator('#sessions-table tr[data-id]', { hasText: 'E2E-twice' }).count() === 1, 'the refused import made a session');
			await expectTouchTargets(page, 'sessions');
			await page.$eval('#import-card', (e) => e.scrollIntoView());
			await shot(page, 'import-duplicate');
			await page.click('#import-again');
			await page.waitForFunction(() => /Imported as session #\d+/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			const second = Number((await page.textContent('#import-msg')).match(/#(\d+)/)[1]);
			expect(second > first, `importing again gave session ${second} after ${first}`);
			expect(!(await page.isVisible('#import-duplicate')), 'the notice stays after importing again');
			await importMoticon();
			await page.click('#import-open-existing');
			await page.waitForFunction((i) => location.hash === `#/report/${i}`, first, { timeout: UI_WAIT_MS });
			await page.waitForSelector('canvas[aria-label^="Left foot"]', { timeout: UI_WAIT_MS });
			expect((await page.textContent('main')).includes('E2E-twice'), 'the report opened is not the stored session\'s');
			await page.goto(`${daemon.base}/#/sessions`);
			await page.waitForSelector('#import-card', { state: 'attached', timeout: UI_WAIT_MS });
			allowConflict = false; // after the last 409's console line, which came before the view changed
		});
		await check('a recording from another system is imported and its report opens with its map', async () => {
			await page.goto(`${daemon.base}/#/sessions`);
			await page.$eval('#import-card', (d) => { d.open = true; });
			await page.setInputFiles('#import-file', join(SRC, 'tests/fixtures/import/pedar_small.asc'));
			await page.fill('#import-subject', 'E2E-import');
			await page.click('#import-start');
			await page.waitForFunction(() => /Imported as session #\d+/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			const sid = (await page.textContent('#import-msg')).match(/#(\d+)/)[1];
			const source = await page.evaluate(async (id) => (await (await fetch(`api/sessions/${id}`)).json()).source, sid);
			expect(source === 'import:pedar:pedar_small.asc', `the session's source does not name the file as uploaded: ${source}`);
			// the session just imported opens from the message saying so
			const open = await page.$('#import-msg a#import-open');
			expect(open && await open.getAttribute('href') === `#/report/${sid}`, `no link to open session #${sid} beside "${await page.textContent('#import-msg')}"`);
			await open.click();
			await page.waitForURL(`**/#/report/${sid}`, { timeout: UI_WAIT_MS });
			// one insole of 99 pedar sensors: the left map only, drawn from layout pedar99-y
			await page.waitForSelector('canvas[aria-label^="Left foot"]', { timeout: UI_WAIT_MS });
			const facts = await page.textContent('main');
			expect(facts.includes('E2E-import') && facts.includes('pedar99-y'), 'the report lacks the subject or the layout');
			await shot(page, 'report-imported');
			// the metatarsal heads' names side by side on 99 sensors' small printed maps
			await expectPrintedLabelsApart(page, 'the pedar report');
		});
		await check('a pedar file of an insole type the reader does not know is refused saying to choose its layout, and imports with the layout chosen', async () => {
			// pedar_small.asc as an export of sensor type q, which no layout is
			// known by; one value changed so that it is no duplicate of the import above
			const asc = readFileSync(join(SRC, 'tests/fixtures/import/pedar_small.asc'), 'latin1')
				.replace('sensor type:  y-', 'sensor type:  q-').replace('\t  0.000\t', '\t  1.000\t');
			expect(asc.includes('sensor type:  q-'), 'the fixture no longer names its sensor type as this test expects');
			const file = { name: 'q.asc', mimeType: 'text/plain', buffer: Buffer.from(asc, 'latin1') };
			const done = () => page.waitForFunction(() => /Imported as session #\d+|Not imported/.test(document.querySelector('#import-msg')?.textContent ?? ''),
				null, { timeout: UI_WAIT_MS });
			await openImportCard(page, daemon.base);
			await page.waitForSelector('#import-layout option[value="pedar99-y"]', { state: 'attached', timeout: UI_WAIT_MS });
			const label = await page.textContent('label[for="import-layout"]');
			expect(label === 'Insole layout', `the layout choice is labelled "${label}"`);
			const choices = await page.$$eval('#import-layout option', (os) => os.map((o) => [o.value, o.textContent]));
			expect(choices[0][0] === '' && choices[0][1] === 'As the file says', `the first choice is ${JSON.stringify(choices[0])}`);
			const y = choices.find(([v]) => v === 'pedar99-y')?.[1] ?? '';
			expect(/^pedar99-y \u2014 .+ \(99 sensors\)$/.test(y), `pedar99-y is offered as "${y}"`);
			await page.setInputFiles('#import-file', file);
			await page.fill('#import-subject', 'E2E-layout');
			allowStatus.add(400); // the refusal, which the browser logs as a failed request
			await page.click('#import-start');
			await done();
			const refused = await page.textContent('#import-msg');
			expect(refused.includes('no layout for the left foot') && refused.includes('Choose the insole\u2019s layout under \u201cInsole layout\u201d above and import the file again.'),
				`the refusal does not say to choose the layout: ${refused}`);
			await page.$eval('#import-card', (e) => e.scrollIntoView());
			await shot(page, 'import-layout-refused');
			allowStatus.delete(400);
			await page.selectOption('#import-layout', 'pedar99-y');
			// at tablet width the choice, long as its descriptions are, stays on the screen
			const wide = page.viewportSize();
			await page.setViewportSize({ width: 768, height: 1024 });
			const box = await page.$eval('#import-layout', (e) => e.getBoundingClientRect().right);
			const pageW = await page.evaluate(() => document.documentElement.scrollWidth);
			expect(box <= 768 && pageW <= 768, `at 768 px the layout choice ends at ${box} px, the page is ${pageW} px wide`);
			await page.$eval('#import-card', (e) => e.scrollIntoView());
			await shot(page, 'import-layout-tablet');
			await page.setViewportSize(wide);
			await page.setInputFiles('#import-file', file);
			await page.click('#import-start');
			await page.waitForFunction(() => /Imported as session #\d+/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS })
				.catch(async () => { throw new Error(`not imported with pedar99-y chosen: ${await page.textContent('#import-msg')}`); });
			const sid = (await page.textContent('#import-msg')).match(/#(\d+)/)[1];
			const session = await page.evaluate(async (id) => (await fetch(`api/sessions/${id}`)).json(), sid);
			expect(session.layout.left === 'pedar99-y', `imported with layout ${session.layout.left}`);
		});
		await check('F-Scan, XSENSOR and stappone recordings import through the dashboard and their reports draw each foot on the file\'s grid', async () => {
			// file, format, the feet it holds, what each foot's map is drawn on, and
			// what the import says about samples read out of order (a logger's late
			// and re-sent Bluetooth packets), when there were any, and what the
			// report's notes then say of them for good
			const files = [
				['fscan_small.asf', 'fscan', { left: ['sheet3x4-5080um', 3, 4] }],
				['xsensor_small.csv', 'xsensor', { left: ['sheet2x3-8600um', 2, 3], right: ['sheet2x3-8600um', 2, 3] }],
				['stappone_small.csv', 'stappone', { left: ['stappone12'], right: ['stappone12'] }],
				['stappone_late.csv', 'stappone', { left: ['stappone12'], right: ['stappone12'] },
					'1 sample was out of time order in the file and put back in order; 1 sample was written twice in the file and read once.',
					'Notes: Imported with repairs: 1 sample of the left insole was written twice and read once; 1 sample of the right insole was out of time order and put back in order'],
			];
			for (const [file, format, feet, inOrderNote, reportNote] of files) {
				await page.goto(`${daemon.base}/#/sessions`);
				await page.waitForSelector('#import-card', { state: 'attached', timeout: UI_WAIT_MS });
				await page.$eval('#import-card', (d) => { d.open = true; });
				await page.setInputFiles('#import-file', join(SRC, 'tests/fixtures/import', file));
				await page.fill('#import-subject', 'E2E-vendor');
				await page.click('#import-start');
				await page.waitForFunction(() => /Imported as session #\d+|rror/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
				const msg = await page.textContent('#import-msg');
				expect(/Imported as session #\d+/.test(msg), `${file}: ${msg}`);
				expect(inOrderNote ? msg.includes(inOrderNote) : !/time order|written twice/.test(msg), `${file}: ${msg}`);
				// XSENSOR states each frame's load and peak: the analysis's are checked against them
				expect(format === 'xsensor'
					? msg.includes('Checked against the file\u2019s own values: load within 1 % or 1 N on 100.0 % of frames; peak pressure within 1 % on 100.0 % of frames.') &&
						await page.getAttribute('#import-msg', 'class') === 'ok'
					: !msg.includes('own values'), `${file}: ${msg}`);
				if (inOrderNote) {
					await page.$eval('#import-card', (e) => e.scrollIntoView());
					await shot(page, 'import-samples-put-back');
				}
				const sid = msg.match(/#(\d+)/)[1];
				if (format === 'fscan') ids.oneFoot = sid; // a left insole alone, for a comparison
				const session = await page.evaluate(async (id) => (await fetch(`api/sessions/${id}`)).json(), sid);
				expect(session.source === `import:${format}:${file}`, `${file}: source ${session.source}`);
				await page.goto(`${daemon.base}/#/report/${sid}`);
				for (const foot of ['left', 'right']) {
					const want = feet[foot];
					expect((session.layout[foot] ?? null) === (want ? want[0] : null), `${file}: ${foot} layout ${session.layout[foot]}`);
					if (!want) {
						// (the left foot's map, drawn in the same pass, was waited for)
						expect(await page.$(`#map-mean_peak-${foot}`) === null && await page.$(`#gait-${foot}`) === null,
							`${file}: a ${foot} map is drawn for a foot the recording has no insole for`);
						continue;
					}
					await page.waitForSelector(`#map-mean_peak-${foot}`, { timeout: UI_WAIT_MS });
					const painted = await paintedPixels(page, `#map-mean_peak-${foot}`);
					expect(painted > 100, `${file}: the ${foot} map is blank (${painted} pixels painted)`);
					// a foot without a complete step has no mean of step peaks: said, not "max 0 kPa"
					const mp = await page.evaluate(async ([id, f]) => (await fetch(`api/sessions/${id}/heatmap?foot=${f}&kind=mean_peak`)).json(), [sid, foot]);
					const caption = await page.$eval(`#map-mean_peak-${foot}`, (c) => c.closest('figure').querySelector('figcaption').textContent);
					expect(mp.steps > 0 ? /max \d/.test(caption) : /no complete step/.test(caption) && mp.max_kpa === null,
						`${file}: ${foot} map caption "${caption}" with ${mp.steps} steps, max_kpa ${mp.max_kpa}`);
					// stappone's raw sensor units are never labelled as pressure
					const raw = format === 'stappone';
					expect(mp.units === (raw ? 'raw' : 'kPa') && (mp.steps === 0 || /raw units/.test(caption) === raw),
						`${file}: ${foot} map in ${mp.units}, caption "${caption}"`);
					expect((await page.$('#maps-raw-units') !== null) === raw, `${file}: the raw-units notice is ${raw ? 'missing' : 'shown'}`);
					const hm = await page.evaluate(async ([id, f]) => (await fetch(`api/sessions/${id}/heatmap?foot=${f}&kind=peak`)).json(), [sid, foot]);
					expect(Array.isArray(hm.cells) && hm.cells.length === hm.w * hm.h, `${file}: ${foot} heatmap ${JSON.stringify(hm).slice(0, 200)}`);
					if (want.length === 3)
						expect(hm.w === want[1] && hm.h === want[2], `${file}: the ${foot} map is ${hm.w} x ${hm.h} cells, the file's grid ${want[1]} x ${want[2]}`);
				}
				const details = await page.textContent('section[aria-label="Session details"]');
				expect(reportNote ? details.includes(reportNote) : !/repairs/.test(details), `${file}: the report's details say ${details}`);
			}
			await shot(page, 'report-imported-stappone');
		});
		await check('a recording cut short imports its good frames and the dashboard says where it broke', async () => {
			// fscan_small.asf cut inside its second frame, as a copy broken off leaves it
			const whole = readFileSync(join(SRC, 'tests/fixtures/import/fscan_small.asf'), 'latin1');
			const cut = whole.slice(0, whole.indexOf('0,18,0', whole.indexOf('Frame 2')));
			await page.goto(`${daemon.base}/#/sessions`);
			await page.waitForSelector('#import-card', { state: 'attached', timeout: UI_WAIT_MS });
			await page.$eval('#import-card', (d) => { d.open = true; });
			await page.setInputFiles('#import-file', { name: 'cut.asf', mimeType: 'text/plain', buffer: Buffer.from(cut, 'latin1') });
			await page.fill('#import-subject', 'E2E-cut');
			await page.click('#import-start');
			await page.waitForFunction(() => /Imported as session #\d+|rror/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			const msg = await page.textContent('#import-msg');
			expect(/only its first part was imported: cut\.asf:24: frame 2 row 2: the file ends here, after 1 of 4 rows: frame 2 is truncated; the 1 frame before it was imported/.test(msg), msg);
			expect(await page.getAttribute('#import-msg', 'class') === 'warn', 'the message is not shown as a warning');
			const session = await page.evaluate(async (id) => (await fetch(`api/sessions/${id}`)).json(), msg.match(/#(\d+)/)[1]);
			expect(session.frames === 1 && /Imported from a damaged file: cut\.asf:24/.test(session.notes), JSON.stringify(session).slice(0, 300));
			// an empty file (an export that failed) is named as such, not as an empty request body
			await page.setInputFiles('#import-file', { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
			await page.fill('#import-subject', 'E2E-cut');
			await page.click('#import-start');
			await page.waitForFunction(() => /^Not imported/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			const empty = await page.textContent('#import-msg');
			expect(empty === 'Not imported: empty.csv is empty (0 bytes): it holds no recording', `an empty file: ${empty}`);
		});
		await check('the sessions list shows an import\'s notice as a tag and the start of the clinician\'s own notes, the whole notes a keypress away; an edit keeps them', async () => {
			// the session of the cut-short import above, the clinician's notes of
			// two lines after its notice
			const [s] = await page.evaluate(async () => (await (await fetch('api/sessions?subject=E2E-cut')).json()).sessions);
			const own = 'Right knee pain after 5 km; the arch drops late in stance.\nNext week: orthotic B, then shoe A again.';
			const notes = `${s.notes} | ${own}`;
			const status = await page.evaluate(async ([id, n]) => (await fetch(`api/sessions/${id}`, { method: 'PATCH',
				headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ notes: n }) })).status, [s.id, notes]);
			expect(status === 200, `PATCH notes: ${status}`);
			await page.goto(`${daemon.base}/#/sessions?subject=E2E-cut`);
			const cell = `#sessions-table tr[data-id="${s.id}"] td.notes`;
			await page.waitForSelector(`${cell} summary`, { timeout: UI_WAIT_MS });
			const tags = await page.$$eval(`${cell} .note-tag`, (ts) => ts.map((t) => [t.textContent, t.title]));
			expect(tags.length === 1 && tags[0][0] === 'damaged file' && tags[0][1].startsWith('Imported from a damaged file: cut.asf:24: frame 2 row 2'),
				`the notice's tag: ${JSON.stringify(tags)}`);
			const summary = await page.textContent(`${cell} summary`);
			const preview = `${Array.from(own.replace(/\s+/g, ' ')).slice(0, 80).join('').trimEnd()}…`;
			expect(summary === `damaged file${preview}`, `the row shows "${summary}", not the tag and "${preview}"`);
			expect(await page.getAttribute(`${cell} summary`, 'title') === notes, 'hovering the notes does not show them whole');
			expect(!(await page.isVisible(`${cell} .notes-full`)), 'the whole notes show before they are asked for');
			await page.focus(`${cell} summary`);
			await page.keyboard.press('Enter');
			await page.waitForSelector(`${cell} .notes-full`, { state: 'visible', timeout: UI_WAIT_MS });
			expect(await page.textContent(`${cell} .notes-full`) === notes, 'the opened notes are not the whole notes');
			await shot(page, 'sessions-notes');
			// a session edited for its footwear keeps its notes, line ends and all
			await page.locator(`#sessions-table tr[data-id="${s.id}"] button`, { hasText: 'Edit' }).click();
			expect(await page.inputValue('#edit-notes') === notes, 'the edit dialog does not show the whole notes');
			await page.fill('#edit-footwear', 'shoe A');
			await page.click('#edit-save');
			await page.waitForFunction((i) => /shoe A/.test(document.querySelector(`#sessions-table tr[data-id="${i}"]`)?.textContent ?? ''), s.id, { timeout: UI_WAIT_MS });
			const edited = await page.evaluate(async (id) => (await (await fetch(`api/sessions/${id}`)).json()), s.id);
			expect(edited.footwear === 'shoe A' && edited.notes === notes, `after the edit: ${JSON.stringify([edited.footwear, edited.notes])}`);
			// the report shows the notes as written, on two lines
			await page.goto(`${daemon.base}/#/report/${s.id}`);
			await page.waitForSelector('.report-notes', { timeout: UI_WAIT_MS });
			const shown = await page.$eval('.report-notes', (p) => p.innerText);
			expect(shown === `Notes: ${notes}`, `the report's notes read "${shown}"`);
			// notes short enough and without a notice: as they are, nothing to open
			await page.goto(`${daemon.base}/#/sessions`);
			await page.waitForSelector('#sessions-table td.notes', { timeout: UI_WAIT_MS });
			const plain = await page.$$eval('#sessions-table td.notes', (cs) => cs.filter((c) => c.textContent === 'browser end-to-end test')
				.map((c) => c.querySelector('details') === null));
			expect(plain.length > 0 && plain.every(Boolean), `short notes: ${JSON.stringify(plain)}`);
		});
		await check('several recordings import in one go: each file listed with its session or why not, the rest carried on', async () => {
			await page.goto(`${daemon.base}/#/sessions`);
			await page.waitForSelector('#import-card', { state: 'attached', timeout: UI_WAIT_MS });
			await page.$eval('#import-card', (d) => { d.open = true; });
			const fixture = (name) => ({ name, mimeType: 'text/plain', buffer: readFileSync(join(SRC, 'tests/fixtures/import', name)) });
			// new, no recording at all, stored above
			await page.setInputFiles('#import-file', [fixture('gaitpdb_small.txt'),
				{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello clinic\n') }, fixture('pedar_small.asc')]);
			await page.fill('#import-subject', 'E2E-batch');
			allowConflict = true;
			allowStatus.add(400);
			await page.click('#import-start');
			await page.waitForFunction(() => /^3 files:/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			const rows = () => page.$$eval('#import-results li', (ls) => ls.map((l) => [l.dataset.outcome, l.textContent]));
			const [imported, refused, stored] = await rows();
			expect(await page.textContent('#import-msg') === '3 files: 1 imported, 1 already stored, 1 not imported.' &&
				await page.getAttribute('#import-msg', 'class') === 'warn', `the summary: ${await page.textContent('#import-msg')}`);
			expect(imported[0] === 'imported' && /^gaitpdb_small\.txt: imported as session #\d+, dated \d\d \w+ 20\d\d, \d\d:\d\d, when it was imported \(the file gives no recording date\)\./.test(imported[1]),
				`row 1: ${imported}`);
			expect(refused[0] === 'failed' && refused[1].startsWith('notes.txt: not imported: notes.txt:1: not a recording this program reads') &&
				refused[1].endsWith("stappone .csv ('sole_id,')"), `row 2: ${refused}`);
			expect(stored[0] === 'stored' && /^pedar_small\.asc: already stored as session #\d+ \(recorded 25 Apr 2023, 10:49\), not imported again\./.test(stored[1]),
				`row 3: ${stored}`);
			const sid = Number(imported[1].match(/#(\d+)/)[1]);
			await page.locator(`#sessions-table tr[data-id="${sid}"]`, { hasText: 'E2E-batch' }).waitFor({ timeout: UI_WAIT_MS });
			expect(await page.getAttribute(`#import-results li:first-child a`, 'href') === `#/report/${sid}`, 'the imported row does not open its session');
			await expectTouchTargets(page, 'sessions');
			await page.$eval('#import-results', (e) => e.scrollIntoView());
			await shot(page, 'import-batch');
			// the stored one, imported again on request, in place
			await page.click('#import-results li:nth-child(3) .import-again');
			await page.waitForFunction(() => /^3 files: 2 imported, 0 already stored, 1 not imported\.$/.test(document.querySelector('#import-msg')?.textContent ?? ''),
				null, { timeout: UI_WAIT_MS });
			const again = (await rows())[2];
			expect(again[0] === 'imported' && /^pedar_small\.asc: imported as session #\d+/.test(again[1]), `row 3 after importing again: ${again}`);
			// the list is loaded again after the card says so: waited for, not raced
			await page.waitForFunction(() => [...document.querySelectorAll('#sessions-table tr[data-id]')]
				.filter((tr) => tr.textContent.includes('E2E-batch')).length === 2, null, { timeout: UI_WAIT_MS }).catch(() => {});
			expect(await page.locator('#sessions-table tr[data-id]', { hasText: 'E2E-batch' }).count() === 2, 'the sessions list does not show both sessions');
		});
		await check('a batch waits out a busy daemon, and stops at a full disk saying how many files were not tried', async () => {
			// the daemon's answers when busy (503) and out of disk (507), given in its place
			let busy = 1;
			await page.route('**/api/sessions/import*', (route) => {
				const name = new URL(route.request().url()).searchParams.get('name');
				const refuse = (status, error) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error }) });
				if (name === 'gaitpdb_small.txt' && busy-- > 0) return refuse(503, 'two imports are already running; retry later');
				if (name === 'xsensor_small.csv') return refuse(507, 'not enough free disk space for an import');
				return route.continue();
			});
			allowStatus.add(503).add(507);
			const fixture = (name) => ({ name, mimeType: 'text/plain', buffer: readFileSync(join(SRC, 'tests/fixtures/import', name)) });
			await page.setInputFiles('#import-file', ['gaitpdb_small.txt', 'xsensor_small.csv', 'stappone_small.csv'].map(fixture));
			await page.fill('#import-subject', 'E2E-batch');
			await page.click('#import-start');
			await page.waitForFunction(() => /^3 files:/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			await page.unroute('**/api/sessions/import*');
			const msg = await page.textContent('#import-msg');
			const rows = await page.$$eval('#import-results li', (ls) => ls.map((l) => [l.dataset.outcome, l.textContent]));
			expect(busy < 0 && rows[0][0] === 'stored', `the upload answered 503 was not tried again: ${JSON.stringify(rows[0])}`);
			expect(rows.length === 2 && rows[1][0] === 'failed' && rows[1][1] === 'xsensor_small.csv: not imported: not enough free disk space for an import',
				`rows: ${JSON.stringify(rows)}`);
			expect(msg === '3 files: 0 imported, 1 already stored, 1 not imported; the last 1 not tried after this error.', msg);
			allowConflict = false;
			allowStatus.clear();
		});
		const gaitnddChecks = ['a PhysioNet gaitndd record chosen as its three files among others imports as one session whose report draws both feet; ' +
			'an incomplete record is listed as not imported, naming the missing file, and the rest go on',
			'a gaitndd record imported twice is refused naming its session, and imports again on request'];
		if (!existsSync(join(SHARED_DATA, 'gaitndd/park1.hea'))) {
			for (const name of gaitnddChecks) skip(name, `real recordings not found at ${SHARED_DATA} (README, "Test data")`);
		} else {
			let park1;
			await check(gaitnddChecks[0], async () => { park1 = await importGaitnddBatch(page, daemon.base, SHARED_DATA); });
			allowConflict = true;
			await check(gaitnddChecks[1], () => importGaitnddAgain(page, daemon.base, SHARED_DATA, park1));
			allowConflict = false;
		}
		await check('an import whose analysis disagrees with the file\'s own values is shown as a warning saying what to check', async () => {
			// the daemon's answer for a file read with the wrong insole size, given in its place
			const session = { id: 9999, start_us: Date.UTC(2024, 0, 2, 9, 30) * 1000, reordered_samples: { left: 0, right: 0 },
				repeated_samples: { left: 0, right: 0 }, file_agreement: { left: { force_n: { name: 'load', frames: 400, within: 50,
					within_pct: 12.5, agrees: false, missing: 0, mean_diff: 61.2, max_diff: 140, max_t_s: 3.2, tolerance: '1 % or 1 N' } },
				right: { force_n: { name: 'load', frames: 400, within: 400, within_pct: 100, agrees: true, missing: 0, mean_diff: 0.2,
					max_diff: 0.6, max_t_s: 1.1, tolerance: '1 % or 1 N' } } } };
			await page.route('**/api/sessions/import*', (route) => route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify(session) }));
			await page.setInputFiles('#import-file', { name: 'walk.txt', mimeType: 'text/plain', buffer: Buffer.from('any\n') });
			await page.fill('#import-subject', 'E2E-disagree');
			await page.click('#import-start');
			await page.waitForFunction(() => /Imported as session #9999/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			await page.unroute('**/api/sessions/import*');
			const msg = await page.textContent('#import-msg');
			expect(msg.includes('Checked against the file\u2019s own values: load within 1 % or 1 N on 12.5 % of frames.') &&
				msg.includes('The analysis disagrees with the file: check that the layout is this insole\u2019s'), msg);
			expect(await page.getAttribute('#import-msg', 'class') === 'warn', 'a disagreement is not shown as a warning');
		});
		await check('an import whose gait events are unlike the file\'s own is shown as a warning saying what to check', async () => {
			// the daemon's answer for a Moticon file whose step columns are late: its loads agree, its events do not
			const event = (name, events, matched, median, max) => ({ name, events, matched, matched_pct: 100 * matched / events,
				agrees: matched >= 0.95 * events, edge: 0, median_diff: matched ? median : null, max_diff: matched ? max : null,
				max_t_s: matched ? 3 : null, tolerance: '30 ms' });
			const load = { name: 'load', frames: 1687, within: 1687, within_pct: 100, agrees: true, missing: 0, mean_diff: 0.2,
				max_diff: 0.55, max_t_s: 3.83, tolerance: '1 % or 1 N' };
			const session = { id: 9998, start_us: Date.UTC(2023, 8, 27, 8, 21) * 1000, reordered_samples: { left: 0, right: 0 },
				repeated_samples: { left: 0, right: 0 }, file_agreement: {
					left: { force_n: load, contact: event('initial contact', 7, 7, 2.1, 10.9), toe_off: event('toe-off', 7, 7, 10.2, 20.9) },
					right: { force_n: load, contact: event('initial contact', 7, 0), toe_off: event('toe-off', 7, 7, 10.6, 16.2) } } };
			await page.route('**/api/sessions/import*', (route) => route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify(session) }));
			await page.setInputFiles('#import-file', { name: 'late.txt', mimeType: 'text/plain', buffer: Buffer.from('any\n') });
			await page.fill('#import-subject', 'E2E-events');
			await page.click('#import-start');
			await page.waitForFunction(() => /Imported as session #9998/.test(document.querySelector('#import-msg')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			await page.unroute('**/api/sessions/import*');
			const msg = await page.textContent('#import-msg');
			expect(msg.includes('Checked against the file\u2019s own values: load within 1 % or 1 N on 100.0 % of frames; ' +
				'initial contacts within 30 ms of the file\u2019s on 0 of 7; toe-offs within 30 ms of the file\u2019s on 7 of 7 (median 10.2 ms, largest 20.9 ms).') &&
				msg.includes('The analysis\u2019s gait events are not the file\u2019s: check that the file\u2019s feet') &&
				!msg.includes('check that the layout'), msg);
			expect(await page.getAttribute('#import-msg', 'class') === 'warn', 'events unlike the file\'s are not shown as a warning');
		});

		await ctx.close();
		ctx = null;
		await stop(daemon.child);
		await stop(emu.child);

		// ---- phase 2: token required, collapsed arch -------------------------
		emu = await startEmulator(`arch_collapse=${ARCH_COLLAPSED},noise=0.01`, 2);
		daemon = await startDaemon(emu.pty, await freePort(), TOKEN);
		ctx = await launch();
		const page2 = await ctx.newPage();
		page2.baseUrl = daemon.base;

		await check('token login when the daemon requires one', async () => {
			allowUnauthorized = true;
			await page2.goto(`${daemon.base}/#/live`);
			await page2.waitForSelector('#login[open]', { timeout: UI_WAIT_MS });
			await page2.fill('#login-token', 'wrong-token');
			await page2.click('#login-form button[type="submit"]');
			await page2.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0, null, { timeout: UI_WAIT_MS });
			await shot(page2, 'login');
			await page2.fill('#login-token', TOKEN);
			await page2.click('#login-form button[type="submit"]');
			await page2.waitForSelector('#login[open]', { state: 'detached', timeout: UI_WAIT_MS });
			allowUnauthorized = false;
			await page2.waitForFunction(() => /N$/.test(document.querySelector('#readout-left dd')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
		});

		await check('compare sessions with different arch collapse shows the difference', async () => {
			ids.b = await recordSession(page2, 'E2E-subject', `shoe B (arch collapse ${ARCH_COLLAPSED})`);
			await page2.goto(`${daemon.base}/#/compare?ids=${ids.a},${ids.b}`);
			const row = '#compare-table tbody[data-metric="midfoot_load_index"]';
			await page2.waitForSelector(row, { timeout: UI_WAIT_MS });
			const cells = await page2.$$eval(`${row} td.n`, (tds) => tds.map((td) => ({ foot: td.closest('tr').dataset.foot, text: td.textContent, call: td.dataset.call, notable: td.classList.contains('notable') })));
			// a row per foot, a column per session: baseline then session B
			expect(JSON.stringify(cells.map((c) => c.foot)) === '["left","left","right","right"]' &&
				cells[0].call === 'baseline' && cells[2].call === 'baseline', `midfoot load index cells: ${JSON.stringify(cells)}`);
			const later = [cells[1], cells[3]];
			// a share, so session B's difference is in points with a CI, never a percent change
			expect(later.every((c) => /Δ \+\d[\d.]* points \(CI [+−]?\d/.test(c.text) && /n = \d+/.test(c.text) && !/%/.test(c.text)),
				`midfoot load index cells lack n, the difference in points with its CI, or show a percent: ${JSON.stringify(cells)}`);
			expect(later.some((c) => c.notable && c.call === 'higher'),
				`collapsing the arch did not call out a higher midfoot load index: ${JSON.stringify(cells)}`);
			// a signed position: no percent anywhere in its rows
			for (const metric of ['cop_end_x_mm', 'ml_balance', 'cpei_pct', 'strike_pattern']) {
				const text = await page2.textContent(`#compare-table tbody[data-metric="${metric}"]`);
				expect(!/\d %/.test(text), `${metric} shows a percent change: ${text}`);
			}
			// headings name the footwear; the findings say it in words, from the daemon
			const head = await page2.textContent('#compare-table thead');
			expect(head.includes('shoe A') && head.includes('shoe B') && !/#\d/.test(head), `table headings: ${head}`);
			const findings = await page2.textContent('#compare-findings');
			expect(/Left foot: Midfoot load index \(insole proxy, not the Arch Index\) [\d.]+ points higher in shoe B/.test(findings),
				`compare findings: ${findings}`);
			await page2.waitForSelector('#diff-left', { timeout: UI_WAIT_MS });
			await sleep(500);
			await shot(page2, 'compare');
			await expectTouchTargets(page2, 'compare');
			// in print, too, the SD, n and CI are on the page, not in a tooltip
			await page2.emulateMedia({ media: 'print' });
			await expectPrintedComparison(page2, [ids.a, ids.b].map(String), 'the printed comparison');
			const printedRow = page2.locator('#compare-print-table tbody[data-metric="midfoot_load_index"] tr[data-call="higher"]').first();
			const printed = await printedRow.isVisible() ? await printedRow.textContent() : '';
			expect(/\d\s±\s\d.*\+\d[\d.]* \(\+?[\d.]+ to \+[\d.]+\)/.test(printed), `the printed line lacks the SD or the difference's CI: ${printed}`);
			const steps = await page2.locator('#compare-print-steps').isVisible() ? await page2.textContent('#compare-print-steps') : '';
			expect(/over n steps: .*\d+ left and \d+ right.*\d+ left and \d+ right/.test(steps), `the printed comparison does not say its n: ${steps}`);
			expect(await page2.locator('#compare-findings').isVisible(), 'the findings are hidden in print');
			// a comparison of two sessions is a few pages to hand over, not one of eight metrics a page
			const pages = pdfPages(await page2.pdf({ path: join(OUT, 'compare.pdf'), format: 'A4', printBackground: true }));
			expect(pages >= 2 && pages <= 4, `the printed comparison of two sessions takes ${pages} A4 pages`);
			// the maps, taller than what the findings leave of the first page, break between a
			// session's row and the difference map, each kept whole, instead of leaving that page blank
			const breaks = await page2.$eval('section[aria-labelledby="h-cmaps"]', (card) => ({
				card: getComputedStyle(card).breakInside,
				blocks: [...card.querySelectorAll('.compare-maps > div, .diff-block')].map((b) => getComputedStyle(b).breakInside),
			}));
			expect(breaks.card === 'auto' && breaks.blocks.length === 3 && breaks.blocks.every((b) => b === 'avoid'),
				`printed compare maps: the card ${breaks.card}, its blocks ${breaks.blocks.join(', ')}`);
			await shot(page2, 'compare-print');
			await page2.emulateMedia({ media: 'screen' });
		});

		await check('compare: ArrowDown in "Add a session" moves through the list without adding; Add adds', async () => {
			await page2.goto(`${daemon.base}/#/compare?ids=${ids.a}`);
			await page2.waitForSelector('#compare-add option[value]:not([value=""])', { state: 'attached', timeout: UI_WAIT_MS });
			// one session is no comparison: nothing to print yet
			expect(await page2.$('.view-head button:has-text("Print")') === null, 'a Print button with no comparison to print');
			await page2.focus('#compare-add');
			await page2.keyboard.press('ArrowDown');
			await sleep(500);
			expect(await page2.evaluate(() => location.hash) === `#/compare?ids=${ids.a}`, `ArrowDown added a session: ${await page2.evaluate(() => location.hash)}`);
			await page2.selectOption('#compare-add', String(ids.b));
			await page2.click('#compare-add-button');
			await page2.waitForFunction((want) => location.hash === want, `#/compare?ids=${ids.a},${ids.b}`, { timeout: UI_WAIT_MS });
			await page2.waitForSelector('.view-head #compare-print', { timeout: UI_WAIT_MS });
		});

		await check('settings show the device and its layout', async () => {
			await page2.goto(`${daemon.base}/#/settings`);
			await page2.waitForFunction(() => document.querySelector('#settings-devices')?.textContent.includes('fsr16'), null, { timeout: UI_WAIT_MS });
			await page2.waitForFunction(() => /requires an access token/.test(document.querySelector('#auth-state')?.textContent ?? ''), null, { timeout: UI_WAIT_MS });
			expect(await page2.isVisible('#auth-actions'), 'with a token configured, settings offer no sign-in');
			await shot(page2, 'settings');
		});

		await check('views are reachable with the keyboard alone', async () => {
			// a fresh load, so Tab starts at the top of the page as for a new visitor
			await page2.goto('about:blank');
			await page2.goto(`${daemon.base}/#/settings`);
			await page2.waitForSelector('#settings-devices');
			let reached = false;
			for (let i = 0; i < 8 && !reached; i++) {
				await page2.keyboard.press('Tab');
				reached = await page2.evaluate(() => document.activeElement?.textContent === 'Sessions');
			}
			expect(reached, 'Tab never reached the Sessions link');
			await page2.keyboard.press('Enter');
			await page2.waitForSelector('#sessions-table', { timeout: UI_WAIT_MS });
			// The view moves focus into itself once it has mounted, which can be
			// after its table appears: wait for that, then the next Tab is its
			// first control.
			await page2.waitForFunction(() => document.activeElement === document.querySelector('main'),
				null, { timeout: UI_WAIT_MS });
			await page2.keyboard.press('Tab');
			const focused = await page2.evaluate(() => document.activeElement?.id);
			expect(focused === 'f-subject', `after navigating, Tab does not lead into the session filters: ${focused}`);
		});

		await check('report of the collapsed-arch session renders', async () => {
			await page2.goto(`${daemon.base}/#/report/${ids.b}`);
			await page2.waitForSelector('#metrics-table tbody tr[data-metric="midfoot_load_index"]', { timeout: UI_WAIT_MS });
			await page2.setViewportSize({ width: 800, height: 1100 });
			await sleep(500);
			await shot(page2, 'report-tablet');
			// printed from the tablet, the feet keep their shape
			await expectPrintedMapsInProportion(page2, 'report printed at 800 px', () => page2.emulateMedia({ media: 'print' }));
			await page2.emulateMedia({ media: 'screen' });
			await page2.goto(`${daemon.base}/#/live`);
			await sleep(2000);
			await shot(page2, 'live-tablet');
		});

		await check('on a tablet (768x1024, 1024x768) nothing lies off the screen, upright the live view has Start and both maps on it; comparisons of three, four and eight sessions show every session without scrolling sideways, printed on A4 too', async () => {
			// with a one-foot recording: its missing foot is asked for nothing (no 404 in the console)
			const three = [ids.a, ids.b, ids.oneFoot].map(String);
			const more = [...await importAgain(page2, ids.a, ['barefoot', 'shoe C, trail, worn 600 km', 'shoe A again, after a 5 km run']),
				...await importAgain(page2, ids.b, ['shoe D with a medial posting insole', 'racing flat'])];
			const lists = { three, four: [...three, more[0]], eight: [...three, ...more] };
			const compare = (list) => `compare?ids=${list.join(',')}`;
			const views = [['sessions', '#sessions-table tbody tr[data-id]'], [`report/${ids.b}`, '#regions-table tbody tr'],
				['live', '#steps-table'], ...Object.values(lists).map((list) => [compare(list), '#compare-table tbody'])];
			for (const size of [{ width: 768, height: 1024 }, { width: 1024, height: 768 }]) {
				await page2.setViewportSize(size);
				for (const [view, ready] of views) {
					await page2.goto(`${daemon.base}/#/${view}`);
					await page2.waitForSelector(ready, { timeout: UI_WAIT_MS });
					await expectFitsWidth(page2, view);
					const [name, list] = Object.entries(lists).find(([, l]) => view === compare(l)) ?? [];
					if (list) {
						await expectComparison(page2, list, `at ${size.width} x ${size.height}`);
						// of two subjects: the names carry the subject, which the list and the columns then say once
						const said = await page2.$$eval('.session-list li a, #compare-table thead th.n', (es) => es.map((e) => e.textContent));
						const twice = said.filter((t) => (t.match(/E2E-[a-z]+/g) ?? []).length > 1 || (t.match(/#\d+/g) ?? []).length > 1);
						expect(said.length >= list.length && twice.length === 0, `${view}: said twice in ${JSON.stringify(twice)}`);
						await expectHeadingsAtTop(page2, '#compare-table', `${view} at ${size.width} px`);
						await page2.$eval('#compare-table', (t) => t.scrollIntoView());
						await page2.screenshot({ path: join(OUT, `compare-${name}-${size.width}.png`) });
					}
					if (view !== 'live' || size.height < size.width) continue;
					// held upright, the tablet shows Start recording and both maps without scrolling,
					// once the view has laid out what it loads (a loaded machine takes its time)
					await page2.waitForFunction((h) => ['#rec-start', '#map-left', '#map-right'].every((sel) =>
						(document.querySelector(sel)?.getBoundingClientRect().bottom ?? Infinity) <= h), size.height,
					{ timeout: UI_WAIT_MS }).catch(() => {});
					const bottoms = await page2.evaluate(() => ['#rec-start', '#map-left', '#map-right']
						.map((sel) => [sel, Math.round(document.querySelector(sel)?.getBoundingClientRect().bottom ?? Infinity)]));
					expect(bottoms.every(([, b]) => b <= size.height), `at 768 x 1024, below the fold: ${JSON.stringify(bottoms)}`);
				}
			}
			// A4 less the print margins (210 - 2 x 8 mm): 733 CSS px
			await page2.setViewportSize({ width: 733, height: 1000 });
			for (const name of ['three', 'eight']) {
				await page2.goto(`${daemon.base}/#/${compare(lists[name])}`);
				await page2.waitForSelector('#compare-table tbody', { timeout: UI_WAIT_MS });
				await page2.emulateMedia({ media: 'print' });
				await expectPrintedComparison(page2, lists[name], `the comparison of ${name} sessions printed on A4`);
				await expectFitsWidth(page2, `the printed comparison of ${name} sessions`);
				await page2.pdf({ path: join(OUT, `compare-${name}.pdf`), format: 'A4', printBackground: true });
				await page2.emulateMedia({ media: 'screen' });
			}
		});

		await check('the column headings of the report\'s metrics and steps and of the sessions list stay in view as they scroll, at 768, 1024 and 1280 px; on a phone in a box of their own', async () => {
			await expectLongTablesKeepHeadings(page2, ids.b);
		});

		await check('a session without a body weight says "not set" (the API: null), one with it its weight', async () => {
			for (const [id, want, api] of [[ids.oneFoot, 'not set', null], [ids.a, '72.0 kg (706 N)', 72 * 9.80665]]) {
				const s = await page2.evaluate(async (i) => (await fetch(`api/sessions/${i}`)).json(), id);
				expect(api === null ? s.body_weight_n === null : Math.abs(s.body_weight_n - api) < 1e-6,
					`session ${id}: body_weight_n ${s.body_weight_n}`);
				await page2.goto(`${daemon.base}/#/report/${id}`);
				await page2.waitForSelector('section[aria-label="Session details"] dd', { timeout: UI_WAIT_MS });
				const details = await page2.textContent('section[aria-label="Session details"]');
				expect(details.includes(`Body weight${want}`), `session ${id}'s report: ${details}`);
			}
		});

		await ctx.close();
		ctx = null;
		await stop(daemon.child);
		await stop(emu.child);

		// ---- phase 3: the insole is unplugged -------------------------------
		emu = await startEmulator(`arch_collapse=${ARCH_NORMAL}`, 3, [...UNPLUG, '--link', join(tmp, 'insole')]);
		daemon = await startDaemon(emu.pty, await freePort(), null);
		ctx = await launch();
		const page3 = await ctx.newPage();

		await check('an unplugged insole shows "device lost" on the live view', async () => {
			await page3.goto(`${daemon.base}/#/live`);
			await page3.waitForFunction(() => /Device lost/.test(document.querySelector('#live-alerts')?.textContent ?? ''), null, { timeout: ALERT_WAIT_MS });
			const devices = await page3.textContent('#devices');
			expect(!/streaming/.test(devices), `the devices card still says streaming: ${devices}`);
			await shot(page3, 'live-device-lost');
		});

		await check('with the daemon out of reach the live view stops vouching for the devices, and a view whose code cannot be fetched says so', async () => {
			// the requests refused here are logged by the browser itself
			allowFailedLoad = true;
			try {
				await page3.route('**/api/status', (r) => r.abort());
				await page3.waitForSelector('#devices-unknown', { timeout: UI_WAIT_MS });
				const devices = await page3.textContent('#devices');
				expect(/does not answer/.test(devices) && !/lost|streaming|last frame/.test(devices), `the devices card: ${devices}`);
				await page3.unroute('**/api/status');
				await page3.waitForSelector('#devices-unknown', { state: 'detached', timeout: UI_WAIT_MS });
				const page4 = await ctx.newPage();
				await page4.route('**/js/settings.js', (r) => r.abort());
				await page4.goto(`${daemon.base}/#/settings`);
				await page4.waitForSelector('#view-unavailable button', { timeout: UI_WAIT_MS });
				const said = await page4.textContent('#view-unavailable');
				expect(/could not be loaded: the daemon does not answer/.test(said), `the settings view, its code refused: ${said}`);
				await shot(page4, 'view-unavailable');
				await page4.close();
			} finally {
				allowFailedLoad = false;
			}
		});

		await check('no errors in the browser console', async () => {
			expect(consoleErrors.length === 0, `console errors:\n${consoleErrors.join('\n')}`);
		});
	} catch (e) {
		if (!e.reported) {
			failed++;
			log(`not ok - setting up the daemon, emulator and browser\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
		}
		if (daemon?.child?.logText) log(`--- insoled log (tail) ---\n${daemon.child.logText.split('\n').slice(-40).join('\n')}`);
		if (consoleErrors.length) log(`--- browser console errors ---\n${consoleErrors.join('\n')}`);
	} finally {
		if (ctx) await ctx.close().catch(() => {});
		for (const c of children) await stop(c);
		rmSync(tmp, { recursive: true, force: true });
	}
	log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
	log(`screenshots: ${OUT}`);
	process.exit(failed || passed === 0 ? 1 : 0);
}

await main();
