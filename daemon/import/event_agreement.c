/* The gait events a file marks of its own (Moticon's step columns) against
 * the analysis's, as the file is read: each of the file's initial contacts
 * and toe-offs is matched to the analysis's nearest event of the same kind
 * and foot within INS_IMPORT_EVENT_TOL_US.  The analysis's events come with
 * their step, when its toe-off is confirmed, so the file's wait for them
 * in a short queue per foot and kind; nothing is allocated.  The file's
 * events are the reference: events of ours it does not mark (the vendor
 * marks only the walking it analyses) are not counted against either.
 * docs/import.md, "The file's own values". */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import_priv.h"

/* A contact of the file within this of the foot's first frame began before
 * the detector saw the foot unloaded for INS_EVENT_CONFIRM_US (the cold
 * start of docs/analysis.md): that stance gives no step by design.  Plus
 * the tolerance, by which our contact may precede the file's. */
#define EDGE_START_US (INS_EVENT_CONFIRM_US + INS_IMPORT_EVENT_TOL_US)
/* A toe-off of the file within this of the foot's last frame may not be
 * confirmed yet: the detector confirms one once the foot has stayed below
 * its release level (a quarter of the stance's load) for
 * INS_EVENT_CONFIRM_US, and a vendor's toe-off lies lower on the fall (tens
 * of newtons: docs/analysis.md), so after the release.  Twice that, for
 * the tolerance by which ours may follow the file's and a slow fall. */
#define EDGE_END_US (2 * INS_EVENT_CONFIRM_US)

enum { KIND_CONTACT = INS_EVENT_CONTACT - 1, KIND_TOE_OFF = INS_EVENT_TOE_OFF - 1 };

static const struct {
	const char *key, *name, *plural;
} event_words[INS_IMPORT_EVENT_KINDS] = {
	[KIND_CONTACT] = { "contact", "initial contact", "initial contacts" },
	[KIND_TOE_OFF] = { "toe_off", "toe-off", "toe-offs" },
};

const char *ins_import_event_key(unsigned kind)
{
	return kind < INS_IMPORT_EVENT_KINDS ? event_words[kind].key : "?";
}

const char *ins_import_event_name(unsigned kind)
{
	return kind < INS_IMPORT_EVENT_KINDS ? event_words[kind].name : "?";
}

const char *ins_import_event_plural(unsigned kind)
{
	return kind < INS_IMPORT_EVENT_KINDS ? event_words[kind].plural : "?";
}

#define EVENT_TEXT(x) #x
#define EVENT_MS_TEXT(ms) EVENT_TEXT(ms) " ms"

const char *ins_import_event_tolerance(void)
{
	return EVENT_MS_TEXT(INS_IMPORT_EVENT_TOL_MS);
}

int ins_import_events_agree(const struct ins_import_event_agreement *a)
{
	return !a->events || 100.0 * (double)a->matched >= INS_IMPORT_AGREE_MIN_PCT * (double)a->events;
}

/* The oldest waiting event of the file is counted: matched, at an edge
 * (left out), or not matched. */
static void decide_oldest(struct ins_import_event_queue *q, struct ins_import_event_agreement *r, int at_edge)
{
	const int64_t best = q->pending[0].best_us;

	if (best >= 0 && best <= INS_IMPORT_EVENT_TOL_US) {
		r->events++;
		q->bins[best / INS_IMPORT_EVENT_BIN_US]++;
		if (!r->matched++ || best > q->max_us) {
			q->max_us = best;
			r->max_t_us = q->pending[0].t_us;
		}
	} else if (q->pending[0].edge || at_edge) {
		r->edge++;
	} else {
		r->events++;
	}
	memmove(&q->pending[0], &q->pending[1], --q->n_pending * sizeof q->pending[0]);
}

static void file_event(struct ins_import_event_match *m, unsigned foot, unsigned kind, int64_t t_us)
{
	struct ins_import_event_queue *q = &m->kind[foot][kind];
	const struct ins_import_event_queue *contacts = &m->kind[foot][KIND_CONTACT];

	if (kind == KIND_CONTACT && t_us - m->first_us[foot] >= EDGE_START_US)
		m->counting[foot] = 1;
	if (kind == KIND_TOE_OFF)
		m->stance_us[foot] = contacts->have_file ? contacts->file_us : t_us;
	if (q->n_pending == INS_IMPORT_EVENT_PENDING)
		decide_oldest(q, &m->result[foot][kind], 0);
	q->pending[q->n_pending].t_us = t_us;
	q->pending[q->n_pending].best_us = q->have_ours ? llabs(t_us - q->ours_us) : -1;
	q->pending[q->n_pending++].edge = !m->counting[foot];
	q->file_us = t_us;
	q->have_file = 1;
}

void ins_import_events_frame(struct ins_import_event_match *m, const struct ins_import_frame *f)
{
	if (f->foot >= INS_FOOT_COUNT)
		return;
	if (!m->seen[f->foot]) {
		m->seen[f->foot] = 1;
		m->first_us[f->foot] = f->t_us;
	}
	m->last_us[f->foot] = f->t_us;
	if (f->ref_event == INS_EVENT_CONTACT || f->ref_event == INS_EVENT_TOE_OFF)
		file_event(m, f->foot, f->ref_event - 1u, f->t_us);
}

/* One of ours: the nearest so far of each waiting event; those it lies
 * beyond the tolerance of can get no nearer one (ours come in time order). */
static void our_event(struct ins_import_event_match *m, unsigned foot, unsigned kind, int64_t t_us)
{
	struct ins_import_event_queue *q = &m->kind[foot][kind];

	for (unsigned i = 0; i < q->n_pending; i++) {
		int64_t d = llabs(q->pending[i].t_us - t_us);

		if (q->pending[i].best_us < 0 || d < q->pending[i].best_us)
			q->pending[i].best_us = d;
	}
	while (q->n_pending && q->pending[0].t_us + INS_IMPORT_EVENT_TOL_US < t_us)
		decide_oldest(q, &m->result[foot][kind], 0);
	q->ours_us = t_us;
	q->have_ours = 1;
}

void ins_import_events_step(struct ins_import_event_match *m, const struct ins_step *step)
{
	if (step->foot >= INS_FOOT_COUNT)
		return;
	our_event(m, step->foot, KIND_CONTACT, step->contact_us);
	our_event(m, step->foot, KIND_TOE_OFF, step->toe_off_us);
}

/* From when the end of the foot's frames hides the file's events from the
 * detector: the file's last stance when it is unfinished (a contact after
 * the last toe-off), or when its toe-off came too late to be confirmed. */
static int64_t end_edge_from(const struct ins_import_event_match *m, unsigned foot)
{
	const struct ins_import_event_queue *contacts = &m->kind[foot][KIND_CONTACT], *toe_offs = &m->kind[foot][KIND_TOE_OFF];
	int64_t from = INT64_MAX;

	if (contacts->have_file && (!toe_offs->have_file || contacts->file_us > toe_offs->file_us))
		from = contacts->file_us;
	if (toe_offs->have_file && m->last_us[foot] - toe_offs->file_us < EDGE_END_US && m->stance_us[foot] < from)
		from = m->stance_us[foot];
	return from;
}

/* The median of the matched differences, to a bin (rounded down). */
static double median_ms(const struct ins_import_event_queue *q, unsigned long n)
{
	unsigned long below = 0, lo = (n - 1) / 2, hi = n / 2;
	double sum = 0;
	int found = 0;

	for (unsigned b = 0; b < INS_IMPORT_EVENT_BINS && found < 2; b++) {
		below += q->bins[b];
		if (found == 0 && below > lo) {
			sum += b;
			found = 1;
		}
		if (found == 1 && below > hi) {
			sum += b;
			found = 2;
		}
	}
	return sum / 2.0 * INS_IMPORT_EVENT_BIN_US / 1000.0;
}

void ins_import_events_finish(struct ins_import_event_match *m)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const int64_t edge_from = end_edge_from(m, foot);

		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
			struct ins_import_event_queue *q = &m->kind[foot][kind];
			struct ins_import_event_agreement *r = &m->result[foot][kind];

			while (q->n_pending)
				decide_oldest(q, r, q->pending[0].t_us >= edge_from);
			r->median_ms = r->matched ? median_ms(q, r->matched) : NAN;
			r->max_ms = r->matched ? q->max_us / 1000.0 : NAN;
		}
	}
}
