// Arch-collapse measure: the value's category with the thresholds it was
// judged by, and the drift over the session.  Thresholds are quoted from
// docs/metrics-reference.md so the printed report can name its source.

import { num, isNum, signed } from './format.js';

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

// The trend's category: the slope's 95 % confidence interval, not its size,
// decides whether the arch measurably collapsed during the session.
export function trendCategory(trend, unit) {
	if (!trend || !isNum(trend.per_min)) return { name: 'not available', text: '' };
	const [lo, hi] = Array.isArray(trend.ci95) ? trend.ci95 : [NaN, NaN];
	const digits = unit === 'ratio' ? 4 : 2;
	const text = `${signed(trend.per_min, digits)} ${unit === 'ratio' ? '' : unit + ' '}per min (95 % CI ${num(lo, digits)} to ${num(hi, digits)})`;
	if (isNum(lo) && lo > 0) return { name: 'Collapsing during the session', cls: 'flat', text };
	if (isNum(hi) && hi < 0) return { name: 'Rising during the session', cls: 'high', text };
	return { name: 'Stable (no significant drift)', cls: 'normal', text };
}
