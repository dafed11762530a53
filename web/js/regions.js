// The report's anatomical regions: the nine-region mask (docs/layouts.md)
// as a clinician reads it, one row per region with each foot's peak
// pressure, pressure-time integral, maximum force, contact area and share
// of load (means over the steady steps), and the symmetry of the peak.
// A region without a sensor reads "not measured", never a number.

import { el, num, signed, isNum } from './format.js';
import { tableWrap } from './tables.js';

export const MASK_REGIONS = [
	['medial_heel', 'Medial heel'], ['lateral_heel', 'Lateral heel'],
	['medial_midfoot', 'Medial midfoot'], ['lateral_midfoot', 'Lateral midfoot'],
	['mth1', 'MTH 1'], ['mth2_3', 'MTH 2-3'], ['mth4_5', 'MTH 4-5'],
	['hallux', 'Hallux'], ['lesser_toes', 'Lesser toes'],
];
const COLUMNS = [['peak_kpa', 'Peak kPa', 0], ['pti_kpa_s', 'PTI kPa·s', 1], ['max_force_n', 'Force N', 0],
	['contact_area_mm2', 'Area cm²', 1], ['load_pct', 'Load %', 1]];
const FEET = ['left', 'right'];
const SYMMETRY_FLAG_PCT = 10;

// The step metric names of the mask, for the metrics table's grouping.
export const MASK_METRIC_NAMES = MASK_REGIONS.flatMap(([r]) => COLUMNS.map(([m]) => `${r}_${m}`));

function value(sum, name, foot, digits) {
	const s = sum.metrics?.[name]?.[foot];
	if (!s || !isNum(s.mean)) return null;
	return name.endsWith('_contact_area_mm2') ? num(s.mean / 100, digits) : num(s.mean, digits);
}

export function regionsCard(sum) {
	const present = FEET.filter((f) => MASK_REGIONS.some(([r]) => isNum(sum.metrics?.[`${r}_peak_kpa`]?.[f]?.mean)));
	if (!present.length) return null;
	const head = el('tr', {}, el('th', { scope: 'col', rowspan: 2 }, 'Region'),
		...present.map((f) => el('th', { scope: 'colgroup', colspan: COLUMNS.length, class: 'foot-head' }, f === 'left' ? 'Left foot' : 'Right foot')),
		el('th', { scope: 'col', rowspan: 2, class: 'n' }, 'Peak SI'));
	const sub = el('tr', {}, ...present.flatMap(() => COLUMNS.map(([, label]) => el('th', { scope: 'col', class: 'n' }, label))));
	const rows = MASK_REGIONS.map(([r, label]) => {
		const cells = present.flatMap((f) => {
			const measured = isNum(sum.metrics?.[`${r}_peak_kpa`]?.[f]?.mean);
			if (!measured) return [el('td', { class: 'not-measured', colspan: COLUMNS.length }, 'not measured (no sensor)')];
			return COLUMNS.map(([m, , digits]) => el('td', { class: 'n' }, value(sum, `${r}_${m}`, f, digits) ?? '–'));
		});
		const si = sum.metrics?.[`${r}_peak_kpa`]?.symmetry_pct;
		return el('tr', { dataset: { region: r } }, el('th', { scope: 'row' }, label), ...cells,
			el('td', { class: `n ${isNum(si) && Math.abs(si) > SYMMETRY_FLAG_PCT ? 'sym-high' : ''}` }, isNum(si) ? `${signed(si, 1)} %` : '–'));
	});
	return el('section', { class: 'card', 'aria-labelledby': 'h-regions' },
		el('h2', { id: 'h-regions' }, 'Anatomical regions'),
		el('p', { class: 'muted' }, 'Means over the steady steps. Heel 0-30 %, midfoot 30-60 % (split medial/lateral), metatarsal heads 60-80 % (width thirds), toes 80-100 % of foot length (hallux: medial 40 %). PTI: integral of the region\u2019s highest pressure. Load: share of the force-time integral. Force: maximum region force. Area: peak contact area. Peak SI: symmetry of the peak, (R − L) / ½(R + L).'),
		tableWrap(el('table', { class: 'data', id: 'regions-table' }, el('thead', {}, head, sub), el('tbody', {}, rows))));
}
