// Arch-collapse measure: the value's category with the thresholds it was
// judged by, and the drift over the session as the daemon judged it.  The
// Arch Index cut-offs come from the daemon with the metric's definition
// (GET /api/metrics, "thresholds"), so the dashboard and the analysis
// classify by the same numbers.

import { isNum } from './format.js';

// Said beside the cut-offs: they were published for standing footprints.
const ARCH_INDEX_NOTE = 'Dynamic (walking) Arch Index runs higher than a standing footprint.';

// th: the arch_index definition's "thresholds" from GET /api/metrics.
export function archThresholdsText(th) {
	if (!th) return '';
	const [le, ge] = th.inclusive ? ['≤', '≥'] : ['<', '>'];
	return `Thresholds: high arch ${le} ${th.high_max} · normal ${th.high_max}–${th.flat_min} · ` +
		`flat (low arch) ${ge} ${th.flat_min} (${th.source}). ${ARCH_INDEX_NOTE}`;
}

export function archCategory(measure, value, th) {
	if (!isNum(value)) return { name: 'not available', cls: '' };
	if (measure === 'arch_index' && th) {
		if (th.inclusive ? value <= th.high_max : value < th.high_max) return { name: 'High arch', cls: 'high' };
		if (th.inclusive ? value >= th.flat_min : value > th.flat_min) return { name: 'Flat (low arch)', cls: 'flat' };
		return { name: 'Normal arch', cls: 'normal' };
	}
	// No published cut-offs exist for an insole midfoot-load proxy: saying
	// so is more honest than inventing some.
	return { name: 'Not classified (insole proxy, no published cut-offs)', cls: '' };
}

// The drift over the session as the daemon judged it (summary.arch_trend):
// the class, its headline and its reason come from the C analysis, which
// alone holds the rules (95 % CI, minimal detectable change, minimum steps
// and minutes); this only picks a colour.
const DRIFT_STYLE = { collapsing: 'flat', rising: 'high', no_clear_change: 'normal', too_few_steps: '' };

export function driftView(drift) {
	if (!drift || typeof drift.class !== 'string') return { name: 'not available', cls: '', text: '' };
	const headline = drift.headline ?? drift.class.replaceAll('_', ' ');
	return { name: headline.charAt(0).toUpperCase() + headline.slice(1), cls: DRIFT_STYLE[drift.class] ?? '', text: drift.reason ?? '' };
}
