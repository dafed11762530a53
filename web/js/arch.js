// Arch-collapse measure: the value's category with the thresholds it was
// judged by, and the drift over the session as the daemon judged it.
// Thresholds are quoted from docs/metrics-reference.md so the printed report
// can name its source.

import { isNum } from './format.js';

export const ARCH_INDEX_THRESHOLDS = {
	source: 'Cavanagh & Rodgers 1987 (J Biomech 20:547)',
	text: 'high arch ≤ 0.21 · normal 0.21–0.26 · flat (low arch) ≥ 0.26',
	note: 'Dynamic (walking) Arch Index runs higher than a standing footprint.',
};

export function archCategory(measure, value) {
	if (!isNum(value)) return { name: 'not available', cls: '' };
	if (measure === 'arch_index') {
		if (value <= 0.21) return { name: 'High arch', cls: 'high' };
		if (value < 0.26) return { name: 'Normal arch', cls: 'normal' };
		return { name: 'Flat (low arch)', cls: 'flat' };
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
