// The box every data table sits in.  A clinician scrolling a long table
// (91 step metrics, every step, the sessions) must keep its column headings
// (which foot, which session) in view, and the header sticks only to the
// nearest scrolling box.  So a table that fits its room gets no scroller of
// its own and its header sticks to the top of the window; only a table wider
// than its room (a phone, a narrow window) scrolls sideways, in a box no
// taller than the window whose header sticks to the box's top, with its
// sideways scrollbar on the screen with it.  Which of the two is measured
// after layout and again whenever the room or the table changes size
// (a turned tablet, a resized window, rows loaded, a disclosure opened).

import { el } from './format.js';

function fitToRoom(wrap, table) {
	// the table's width is at least its content's, else its room's (width: 100 %)
	const fits = table.offsetWidth <= wrap.clientWidth + 1;
	wrap.classList.toggle('fits', fits);
	wrap.classList.toggle('scrolls', !fits);
}

// table in its .table-wrap, measured from now on.
export function tableWrap(table) {
	const wrap = el('div', { class: 'table-wrap' }, table);
	let pending = 0;
	// The change of class resizes the box being observed: made in the next
	// frame, not inside the observer's callback, where it would be a loop.
	const observer = new ResizeObserver(() => {
		if (!pending) pending = requestAnimationFrame(() => { pending = 0; fitToRoom(wrap, table); });
	});
	observer.observe(wrap);
	observer.observe(table);
	return wrap;
}
