/* Import of recorded insole files: a streaming reader per format (never
 * loads a whole file) that yields one foot-frame at a time, plus the
 * `insoled --analyze` entry point.  Formats, units and the mapping of each
 * vendor's axes onto our foot frame: docs/import.md.  Implemented in daemon/import/.
 *
 *   char err[256];
 *   struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
 *   struct ins_import_frame f;
 *   int rc;
 *   while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1)
 *           ins_import_feed(imp, ana, layout[f.foot], &f, &metrics, err, sizeof err);
 *   if (rc < 0) ...err names file:line:field...
 *   ins_import_close(imp);
 */
#ifndef INSOLED_IMPORT_H
#define INSOLED_IMPORT_H

#pragma GCC visibility push(default)

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/frame.h"
#include "insoled/layout.h"

/* What the values of a frame are.  The reader never guesses a conversion it
 * cannot make exactly: it yields what the file holds, in SI-prefixed units. */
enum ins_import_unit {
	INS_IMPORT_KPA = 0,     /* calibrated pressure per sensor (Moticon N/cm2 x 10; our kPa export) */
	INS_IMPORT_NEWTON = 1,  /* force per sensor in N (gaitpdb); kPa = N * 1000 / area_mm2 */
	INS_IMPORT_COUNTS = 2   /* raw, uncalibrated, non-negative counts, higher = more load
				 * (gaitndd: 12-bit ADC value + 2048; our counts export) */
};

struct ins_import_frame {
	uint8_t foot;           /* enum ins_foot */
	uint8_t unit;           /* enum ins_import_unit, same for the whole file */
	uint16_t n;             /* number of values = sensors of this foot */
	uint32_t seq;           /* sample number in this foot's timeline, 0 at the foot's first
				 * frame (counts dropped ones; our export: the device counter) */
	uint32_t gap;           /* samples of this foot missing just before this one (dropped
				 * packets, blank rows, skipped timestamps); 0 normally */
	int64_t t_us;           /* time since the start of the recording, us, monotonic per foot */
	const float *values;    /* n values in the layout's sensor order; valid until the next call */
	unsigned long line;     /* 1-based source line (text formats) or sample number (WFDB) */
	/* The vendor's own per-frame results when the file has them (Moticon),
	 * converted to OUR foot frame; NaN / INS_EVENT_NONE when absent.  The
	 * vendor leaves its CoP at (0, 0) under light load: that is reported as
	 * NaN here, not as the insole centre. */
	float ref_force_n;
	float ref_cop_x_norm;   /* -0.5 lateral .. +0.5 medial of insole width */
	float ref_cop_y_norm;   /* 0 heel .. 1 toe of insole length */
	uint8_t ref_event;      /* enum ins_event: the vendor's heel strike / toe off at this sample */
	float ref_peak_kpa;     /* the vendor's peak pressure of the frame (XSENSOR), NaN when absent */
	float ref_contact_mm2;  /* the vendor's contact area of the frame (XSENSOR), NaN when absent */
};

struct ins_import_info {
	char format[16];        /* "gaitndd", "gaitpdb", "moticon", "insoled", "pedar", "fscan",
				 * "xsensor", "stappone" */
	char path[512];         /* the file actually read (gaitndd: the .hea) */
	double rate_hz;         /* nominal sampling rate */
	unsigned feet;          /* bit (1u << foot) for each foot present */
	uint16_t n_sensors[INS_FOOT_COUNT];
	uint8_t unit;           /* enum ins_import_unit */
	/* Suggested layout per foot: "gaitpdb8", "footswitch1", "moticon16", or
	 * the layout named in our own export; "" for an absent foot. */
	char layout[INS_FOOT_COUNT][64];
	int has_ref_force, has_ref_cop, has_ref_events, has_ref_peak, has_ref_contact;
	/* The vendor's gait times of each foot in seconds (XSENSOR's Stride,
	 * Swing and Stance Time), 0 when the file states none. */
	double ref_stride_s[INS_FOOT_COUNT], ref_swing_s[INS_FOOT_COUNT], ref_stance_s[INS_FOOT_COUNT];
	/* Metadata when the file carries it, else "" / 0.  The texts are UTF-8
	 * (text in another encoding is converted), whole however long the file
	 * writes them (within a line of the reader), never NULL, owned by the
	 * import and valid until ins_import_close(): a store that keeps less
	 * decides itself what to do with the rest. */
	const char *subject;
	const char *footwear;
	const char *notes;
	char start[64];         /* recording start as written in the file */
	double body_weight_n;
	int64_t duration_us;    /* from the header when stated (gaitndd, Moticon), else 0 */
	int insole_size;        /* Moticon "# Size:" (moticon16 areas are estimated for size 7), else 0 */
	/* What in the file says which foot it holds, when that is not plain
	 * ("sole_id 1", "FILENAME ...L.fsx", "no side given: left assumed"), else "". */
	char feet_from[96];
	/* Why the reader suggests no layout although the file describes its
	 * insole (a pedar sensor type it does not know), else "". */
	char layout_note[128];
	/* What the file says that changes how its figures read and that the
	 * reader cannot settle from the file alone (an F-Scan movie the vendor's
	 * software shows mirrored, a pedar header rate the rows' clock belies),
	 * as a sentence; "" when nothing.  Said with the results: see
	 * ins_import_caution(). */
	char caution[320];
	/* Samples of each foot the file holds out of time order, handed on in
	 * order (stappone: a Bluetooth packet written late); counted as read. */
	unsigned long reordered[INS_FOOT_COUNT];
	/* Samples of each foot the file holds twice with the same time and
	 * values, read once (stappone: a packet the logger wrote again, at once
	 * or after later samples). */
	unsigned long repeated[INS_FOOT_COUNT];
	/* Our own counts export: the calibration recorded with the session
	 * (n_sensors curves), or NULL to use the layout's default. */
	const struct ins_calib_curve *calib[INS_FOOT_COUNT];
};

struct ins_import;

/* Open a recording.  format: "gaitndd", "gaitpdb", "moticon", "insoled",
 * "pedar", "fscan", "xsensor", "stappone", or NULL to detect from the name and first bytes.  gaitndd records open by
 * NAME.hea, NAME.let, NAME.rit or NAME.  Reads only headers here; samples are
 * read as ins_import_next() asks.  NULL on failure with err naming the file,
 * line and field. */
struct ins_import *ins_import_open(const char *path, const char *format, char *err, size_t errlen);

/* Format name detected for path without opening a reader, or NULL (err says why). */
const char *ins_import_detect(const char *path, char *err, size_t errlen);

/* 0, or -1 with err saying why, as "NAME: ...", when a file sent alone
 * under the name NAME cannot be read whatever it holds: a gaitndd signal
 * file (.let, .rit), whose samples need the record's header beside it.
 * For uploads, whose bytes the server keeps under a name of its own. */
int ins_import_check_upload_name(const char *name, char *err, size_t errlen);

/* Which of the n files of one upload is the recording to read (their
 * names as the client gave them): the one file, or the header of a gaitndd
 * record sent as its three files NAME.hea, NAME.let and NAME.rit (any
 * case).  The index, or -1 with err naming what is extra or missing. */
int ins_import_pick_file(const char *const *names, unsigned n, char *err, size_t errlen);

const struct ins_import_info *ins_import_info(const struct ins_import *imp);

/* The recording's start (ins_import_info.start, as the file writes it:
 * ISO 8601, day.month.year with a clock, or a month by name) in
 * microseconds since the Unix epoch; a time without a zone is local time.
 * Returns 0, or -1 when the text is empty or not a date. */
int ins_import_start_us(const char *text, int64_t *start_us);

/* Next frame in time order (both feet interleaved; left first at equal
 * times).  Returns 1 with *out filled, 0 at the end, -1 on bad input with err
 * = "file:line: field: what is wrong".  After -1 the reader stays at the
 * error: every frame yielded before it was good. */
int ins_import_next(struct ins_import *imp, struct ins_import_frame *out, char *err, size_t errlen);

/* Feed a frame to the analysis in the right way for its unit: kPa as is,
 * newtons divided by the layout's sensor areas, counts through the
 * analysis's calibration (the file's or the layout's).  Uses scratch space
 * inside imp, no allocation.  out: the frame's metrics, or NULL when only the
 * steps are wanted (see ins_analysis_feed()).  Returns ins_analysis_feed*'s
 * result, or -1 with err when the frame does not fit the layout (sensor count). */
int ins_import_feed(struct ins_import *imp, struct ins_analysis *ana, const struct ins_layout *layout,
		    const struct ins_import_frame *f, struct ins_frame_metrics *out, char *err, size_t errlen);

/* What ins_import_run() counted, per foot. */
/* The values a file gives of its own frames (ins_import_frame ref_*), which
 * the analysis's are checked against as the file is read: the user sees
 * that the file was read right (units, layout, insole size) on the very
 * recording at hand, not only on the samples the tests hold. */
enum ins_import_ref {
	INS_REF_FORCE, /* N: XSENSOR's estimated load, Moticon's and gaitpdb's total force */
	INS_REF_PEAK,  /* kPa: XSENSOR's peak pressure */
	INS_REF_COP,   /* % of the insole's width and length, the larger: Moticon's centre of pressure */
	INS_REF_COUNT
};

/* One foot's agreement on one value, over the frames the file gives it. */
struct ins_import_agreement {
	unsigned long frames;  /* frames with the file's value (and a load, for the CoP) */
	unsigned long within;  /* of those, the analysis's within the tolerance (ins_import_ref_tolerance) */
	unsigned long missing; /* ... and those the analysis has no value for (a CoP under a light load):
				* outside, and in neither the mean nor the largest difference */
	double sum_diff;       /* of |the analysis's - the file's|, for the mean */
	double max_diff;       /* the largest */
	int64_t max_t_us;      /* the frame of the largest */
};

/* The gait events a file marks of its own (Moticon's step columns:
 * ins_import_frame.ref_event), each matched as the file is read to the
 * analysis's nearest event of the same kind and foot (docs/import.md, "The
 * file's own values").  Kinds: enum ins_event - 1 (initial contact, toe-off). */
#define INS_IMPORT_EVENT_KINDS 2
/* An event of the analysis matches the file's within this: the bar the
 * events are held to against a vendor's own (docs/analysis.md, "Accuracy
 * against published references": every initial contact and toe-off of the
 * Moticon sample walk).  Three frames at 100 Hz, so a vendor timing its
 * events on its sample grid is not held against us; far shorter than any
 * stance or swing, so that an event can never be matched to the step
 * before or after its own. */
#define INS_IMPORT_EVENT_TOL_MS 30
#define INS_IMPORT_EVENT_TOL_US (INS_IMPORT_EVENT_TOL_MS * 1000)
/* The file's events of one foot and kind waiting for the analysis's: those
 * come with the step, once its toe-off is confirmed, so a file's contact
 * waits about a stance; one still waiting when this many later ones have
 * come (strides without a step of ours) has none. */
#define INS_IMPORT_EVENT_PENDING 8
/* The differences of matched events are counted in bins of this width
 * from 0 to the tolerance, for the median: a fixed size whatever the
 * length of the recording, the median exact to half a bin (5 us). */
#define INS_IMPORT_EVENT_BIN_US 10
#define INS_IMPORT_EVENT_BINS (INS_IMPORT_EVENT_TOL_US / INS_IMPORT_EVENT_BIN_US + 1)

/* One foot's agreement on one kind of event, once the file is read. */
struct ins_import_event_agreement {
	unsigned long events;   /* the file's events of this foot and kind that count */
	unsigned long matched;  /* of those, with one of the analysis's within INS_IMPORT_EVENT_TOL_US */
	unsigned long edge;     /* the file's events no step of the analysis can have, left out when
				 * none of ours matched them: those of a stance under way at the foot's
				 * first frame or unfinished at its last */
	double median_ms;       /* |the analysis's - the file's| of the matched events: median ... */
	double max_ms;          /* ... and the largest (NaN when none matched) */
	int64_t max_t_us;       /* the file's event of the largest */
};

/* One foot's and kind's events of the file waiting for the analysis's,
 * and the counts behind the median and the largest difference. */
struct ins_import_event_queue {
	struct {
		int64_t t_us;    /* the file's event */
		int64_t best_us; /* distance to the nearest of ours so far; -1: none yet */
		uint8_t edge;    /* before the foot's first stance the detector can see */
	} pending[INS_IMPORT_EVENT_PENDING];
	unsigned n_pending;
	int64_t ours_us;         /* the analysis's latest */
	int64_t file_us;         /* the file's latest */
	uint8_t have_ours, have_file;
	uint32_t bins[INS_IMPORT_EVENT_BINS];
	int64_t max_us;
};

/* The matching as the file is read (ins_import_events_*): the file's
 * events waiting for the analysis's, and what each foot's timeline and
 * the events so far say about the recording's edges.  The fields are the
 * matcher's own; read result once ins_import_events_finish() is done. */
struct ins_import_event_match {
	struct ins_import_event_agreement result[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS];
	struct ins_import_event_queue kind[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS];
	int64_t first_us[INS_FOOT_COUNT], last_us[INS_FOOT_COUNT]; /* the foot's frames */
	int64_t stance_us[INS_FOOT_COUNT]; /* the file's contact of its latest toe-off's stance */
	uint8_t seen[INS_FOOT_COUNT];
	uint8_t counting[INS_FOOT_COUNT]; /* the file's first contact the detector can see has come */
};

struct ins_import_tally {
	unsigned long frames[INS_FOOT_COUNT];  /* frames read from the file */
	unsigned long gaps[INS_FOOT_COUNT];    /* samples the file is missing (sum of frame gaps) */
	unsigned long misfit[INS_FOOT_COUNT];  /* frames the analysis refused: counted and skipped */
	struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT];
	/* the file's own gait events against the analysis's (when the file
	 * marks any: ins_import_info.has_ref_events) */
	struct ins_import_event_match events;
};

/* The analysis's values of a frame that the file's own are checked against
 * (of struct ins_frame_metrics: small enough to travel with each frame). */
struct ins_import_measured {
	float force_n, peak_kpa, cop_x_norm, cop_y_norm;
};

/* Below this share of frames within the tolerance, a value disagrees:
 * the file read wrong (layout, insole size, units), not noise, as every
 * published sample agrees on 100 % (docs/import.md). */
#define INS_IMPORT_AGREE_MIN_PCT 95
/* 1 unless a has frames and disagrees (INS_IMPORT_AGREE_MIN_PCT). */
int ins_import_agrees(const struct ins_import_agreement *a);

/* 1 when the file states values of its own for its frames (load, peak
 * pressure, centre of pressure) to check the analysis's against: decided
 * once per file, so that the frames of other files cost nothing. */
int ins_import_states_own_values(const struct ins_import_info *info);
/* What of m the agreement looks at. */
struct ins_import_measured ins_import_measured_of(const struct ins_frame_metrics *m);
/* Add f, as the analysis measured it (m), to its foot's agreement. */
void ins_import_agreement_add(struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT],
			      const struct ins_import_frame *f, const struct ins_import_measured *m);
/* {"left": {"force_n": {"name", "frames", "within", "within_pct", "agrees",
 * "missing", "mean_diff", "max_diff", "max_t_s", "tolerance"}, ...,
 * "contact": {"name", "events", "matched", "matched_pct", "agrees", "edge",
 * "median_diff", "max_diff", "max_t_s", "tolerance"}, "toe_off": ...}, ...}
 * for the feet, values and events the file states (docs/import.md); events
 * may be NULL; NULL when the file states none. */
json_t *ins_import_agreement_json(const struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT],
				  const struct ins_import_event_agreement events[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS]);

/* The file's frame f (its time, and its own event when it marks one) to
 * the matching; frames of each foot in time order. */
void ins_import_events_frame(struct ins_import_event_match *m, const struct ins_import_frame *f);
/* The contact and toe-off of a step the analysis completed, each foot's
 * steps in order. */
void ins_import_events_step(struct ins_import_event_match *m, const struct ins_step *step);
/* At the end of what was read: decides the file's events still waiting
 * (those the recording's end hid from the detector are edge ones) and the
 * medians. */
void ins_import_events_finish(struct ins_import_event_match *m);
/* 1 unless a has events and fewer than INS_IMPORT_AGREE_MIN_PCT % of them
 * matched. */
int ins_import_events_agree(const struct ins_import_event_agreement *a);
/* What a kind (enum ins_event - 1) is called in JSON, in words and in the
 * plural: "contact", "initial contact", "initial contacts". */
const char *ins_import_event_key(unsigned kind);
const char *ins_import_event_name(unsigned kind);
const char *ins_import_event_plural(unsigned kind);
/* The tolerance in words: "30 ms". */
const char *ins_import_event_tolerance(void);
/* What a value is called in JSON and in words, its unit and its tolerance
 * in words, for reports: "force_n", "load", "N", "1 % or 1 N". */
const char *ins_import_ref_key(enum ins_import_ref r);
const char *ins_import_ref_name(enum ins_import_ref r);
const char *ins_import_ref_unit(enum ins_import_ref r);
const char *ins_import_ref_tolerance(enum ins_import_ref r);

/* Where ins_import_run() hands on what it produced; either callback may be
 * NULL.  A negative return stops the run and is returned as is (err filled). */
struct ins_import_sink {
	/* each frame the analysis took, after it was fed */
	int (*frame)(void *arg, const struct ins_import_frame *f, char *err, size_t errlen);
	/* each step the analysis completed, in order */
	int (*step)(void *arg, const struct ins_step *step, char *err, size_t errlen);
	void *arg;
};

/* -1 with err = "PATH: the left foot has 8 sensors, layout 'fsr16' has 16"
 * unless every foot of the file has a layout with the file's sensor count;
 * check before ins_import_run(), so a wrong layout is one clear error and not
 * a file of refused frames. */
int ins_import_check_layouts(const struct ins_import *imp, struct ins_layout *const layout[INS_FOOT_COUNT],
			     char *err, size_t errlen);

/* What a clinician must be told beside the figures of this file read with
 * these layouts, which nothing in the analysis can check: the reader's
 * caution (ins_import_info.caution) and a Moticon insole of another size
 * than moticon16's areas are for; sentences joined by "; ", "" when none.
 * `insoled --analyze` prints it as a warning; a session import keeps it in
 * the session's notes and its answer's warning. */
#define INS_IMPORT_CAUTION_MAX 512 /* bytes of ins_import_caution()'s sentences, with the NUL */
void ins_import_caution(const struct ins_import *imp, struct ins_layout *const layout[INS_FOOT_COUNT], char *out,
			size_t outlen);

/* Drive a whole recording through the analysis: the one loop behind
 * `insoled --analyze` and the store's session import.  A frame the analysis
 * refuses (ins_import_feed() < 0) is counted in tally->misfit and the run
 * carries on; the frames before and after it are real results.  Returns 0 at
 * the end of the file, -1 on bad input (err from ins_import_next(); what was
 * read before it has been handed on), or a sink's negative return. */
int ins_import_run(struct ins_import *imp, struct ins_analysis *ana, struct ins_layout *const layout[INS_FOOT_COUNT],
		   const struct ins_import_sink *sink, struct ins_import_tally *tally, char *err, size_t errlen);

/* As ins_import_run(), with the same results, callbacks and order, but on
 * two threads: the caller's reads and converts the frames and runs the
 * sink's callbacks, a second one runs the analysis (falls back to
 * ins_import_run() when no thread can start).  For one big file on a
 * machine with a core to spare; the analysis must not be used by anyone
 * else until it returns. */
int ins_import_run_pipelined(struct ins_import *imp, struct ins_analysis *ana,
			     struct ins_layout *const layout[INS_FOOT_COUNT], const struct ins_import_sink *sink,
			     struct ins_import_tally *tally, char *err, size_t errlen);

/* Per-sensor kPa for a kPa or newton frame (NaN for a sensor without area);
 * -1 with err for counts or a sensor-count mismatch.  kpa holds f->n floats. */
int ins_import_to_kpa(const struct ins_import_frame *f, const struct ins_layout *layout, float *kpa,
		      char *err, size_t errlen);

/* "sha256:" and 64 lower-case hex digits, with the NUL. */
#define INS_IMPORT_FINGERPRINT_SIZE 72

/* The content fingerprint of the recording imp reads, as "sha256:HEX": the
 * SHA-256 of the bytes that define the recording, whatever the file is
 * named.  A single-file format: the file's bytes, so the value equals
 * `sha256sum FILE`.  A gaitndd record: its header's record and signal
 * lines without the record's name, then each foot's signal file
 * (docs/storage.md, "Duplicate imports").  Reads the files again from the start, independently of
 * ins_import_next().  0, or -1 with err naming the file. */
int ins_import_fingerprint(const struct ins_import *imp, char out[INS_IMPORT_FINGERPRINT_SIZE], char *err,
			   size_t errlen);

void ins_import_close(struct ins_import *imp);

/* Versions of our frames export (docs/import.md): version 2 writes a
 * foot's calibration one line per sensor ("calibration_left_s1"...), as a
 * dense insole's curves on one line could outgrow a reader's line; a file
 * without calibration lines stays version 1, which older readers read. */
#define INS_IMPORT_INSOLED_VERSION_PLAIN 1
#define INS_IMPORT_INSOLED_VERSION 2

/* Bytes ins_import_escape_text() may write for a text of n bytes, with the NUL. */
#define INS_IMPORT_ESCAPED_SIZE(n) (2 * (size_t)(n) + 3)

/* text as the value of a header line of our frames export, which its
 * reader gives back exactly (docs/import.md, "text_escapes"): a backslash,
 * LF, CR and tab become \\, \n, \r and \t, and a blank or a comma that
 * ends the text (which a reader takes for an editor's or a spreadsheet's
 * padding) \x20 or \x2c; every other byte stays as it is.  out holds
 * INS_IMPORT_ESCAPED_SIZE(strlen(text)) bytes; returns the length written. */
size_t ins_import_escape_text(char *out, const char *text);

/* insoled --analyze FILE [--format F] [--layout NAME] [--layout-dir DIR] [--csv]
 *                        [--body-weight-kg W]
 * Prints one JSON line per step (or CSV with --csv), then the session
 * summary (JSON, or a "# summary" CSV block).  Returns the process exit code. */
int ins_analyze_main(int argc, char **argv);

#pragma GCC visibility pop

#endif
