// Number, unit and date formatting shared by every view.  Units come from the
// API's metric list (ins_step_metric_info); here they only get typeset.

const UNIT_TEXT = { mm2: 'mm²', 'kPa s': 'kPa·s', 'N s': 'N·s' };

export function unitText(unit) {
	return UNIT_TEXT[unit] ?? unit ?? '';
}

// Decimals that match each unit's resolution: an insole does not measure
// force to a tenth of a newton, an arch index needs three decimals.
const UNIT_DIGITS = {
	ms: 0, N: 0, 'N/s': 0, 'N s': 1, kPa: 0, 'kPa s': 1, mm: 1, mm2: 0,
	'%': 1, '% stance': 1, '% length': 1, 'steps/min': 1, 'strides/min': 1,
	'BW/s': 2, ratio: 3, class: 2, 'raw units': 0,
};

// The unit of a map's values (the API's `units` of a heatmap or a frame
// list): an insole in raw, uncalibrated units is never labelled in kPa.
export function mapUnit(hm) {
	return hm?.units === 'raw' ? 'raw units' : 'kPa';
}

export function digitsFor(unit) {
	return UNIT_DIGITS[unit] ?? 2;
}

export function isNum(v) {
	return typeof v === 'number' && Number.isFinite(v);
}

// v rounded as it will be shown: what decides its sign (-0.04 shown with one
// decimal is 0.0, not -0.0).
function shown(v, digits) {
	const r = Number(v.toFixed(Math.min(20, Math.max(0, digits))));
	return r === 0 ? 0 : r;
}

// "–" for a missing value (NaN -> null in the API), never "NaN"; no signed
// zeros; negatives with the minus sign (U+2212) everywhere, as signed() does.
export function num(v, digits = 1) {
	if (!isNum(v)) return '–';
	const r = shown(v, digits);
	const text = Math.abs(r).toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
	return r < 0 ? `\u2212${text}` : text;
}

export function withUnit(v, unit, digits = digitsFor(unit)) {
	if (!isNum(v)) return '–';
	const u = unitText(unit);
	return u ? `${num(v, digits)} ${u}` : num(v, digits);
}

export function signed(v, digits = 1) {
	if (!isNum(v)) return '–';
	const r = shown(v, digits);
	const s = num(Math.abs(r), digits);
	return r > 0 ? `+${s}` : r < 0 ? `\u2212${s}` : s;
}

export const STRIKE_NAMES = ['Rearfoot', 'Midfoot', 'Forefoot'];

export function strikeName(v) {
	if (!isNum(v)) return '–';
	return STRIKE_NAMES[Math.round(v)] ?? num(v, 0);
}

// A foot's gait phase as the step detector judges it.  Until the foot's
// first stance the detector is still learning its unloaded and loaded
// levels and marks every frame out of stance, a foot standing on the
// ground too: "swing" there would be wrong.
export function phaseName(inStance, seenStance) {
	if (inStance) return 'stance';
	return seenStance ? 'swing' : 'before the first step';
}

export function footName(foot) {
	return foot === 'left' ? 'Left' : foot === 'right' ? 'Right' : String(foot);
}

export function usToDate(us) {
	return isNum(us) ? new Date(us / 1000) : null;
}

export function dateTime(us) {
	const d = usToDate(us);
	if (!d) return '–';
	return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function duration(startUs, endUs) {
	if (!isNum(startUs) || !isNum(endUs) || endUs < startUs) return '–';
	const s = Math.round((endUs - startUs) / 1e6);
	const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
	const pad = (x) => String(x).padStart(2, '0');
	return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

// Small DOM builder: el('td', {class: 'n'}, 'text', child...)
export function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'class') e.className = v;
		else if (k === 'text') e.textContent = v;
		else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
		else if (k === 'dataset') Object.assign(e.dataset, v);
		// through the CSSOM: the server's Content-Security-Policy refuses style attributes
		else if (k === 'style') e.style.cssText = v;
		else e.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat()) {
		if (c === undefined || c === null || c === false) continue;
		e.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return e;
}
