/* Private to daemon/import: the reader object shared by the per-format
 * readers, and the text helpers they have in common. */
#ifndef INSOLED_IMPORT_PRIV_H
#define INSOLED_IMPORT_PRIV_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "insoled/import.h"

/* Longest text line accepted: our own export of a 4096-cell insole in kPa
 * needs about 50 KB, and its notes line at most 128 KB (a session's 64 KiB
 * of notes, each byte escaped in at most two: ins_import_escape_text());
 * a longer "line" is not a recording (or lost its line ends) and must not
 * make us allocate without bound. */
#define INS_IMPORT_LINE_MAX (256 * 1024)
/* Most fields one line may hold: 3 leading columns + INS_MAX_SENSORS. */
#define INS_IMPORT_FIELDS_MAX (INS_MAX_SENSORS + 8)
/* A sample interval longer than this many nominal periods means samples
 * are missing; shorter jitter (gaitpdb's 4-decimal times drift by 0.1 ms)
 * is not a gap. */
#define INS_IMPORT_GAP_PERIODS 1.5
/* Largest magnitude of a sensor or reference value a file may state (N,
 * N/cm2, kPa): 1e7 is orders of magnitude beyond any insole, so a bigger
 * number is a damaged file, and the bound keeps every value, and sums of
 * thousands of them times sensor areas, finite in a float. */
#define INS_IMPORT_VALUE_MAX 1e7
/* Largest magnitude of a time in seconds a text recording may state:
 * 1e12 s (31,700 years) admits any epoch-based clock and keeps the times
 * in microseconds, and their differences, inside int64_t. */
#define INS_IMPORT_TIME_MAX_S 1e12

struct ins_import;
struct import_digest;

/* The texts of ins_import_info a reader sets with import_set_label(). */
enum import_label { IMPORT_SUBJECT, IMPORT_FOOTWEAR, IMPORT_NOTES, IMPORT_LABEL_COUNT };

struct import_ops {
	const char *name;
	/* Read headers, fill imp->info (feet, n_sensors, unit...).  0 or -1. */
	int (*open)(struct ins_import *imp, const char *path, char *err, size_t errlen);
	/* Read the next row: set imp->row_ready[foot] for each foot it has a
	 * frame of (values in imp->vals[foot], the frame in imp->row[foot]).
	 * 1 = a row was read (possibly with no frame), 0 = end, -1 = error. */
	int (*read_row)(struct ins_import *imp, char *err, size_t errlen);
	void (*close)(struct ins_import *imp);
	/* Feed the bytes that define the recording to d, for a format whose
	 * recording is more than the one file opened (gaitndd); NULL: the
	 * file's bytes (ins_import_fingerprint).  0 or -1. */
	int (*fingerprint)(const struct ins_import *imp, struct import_digest *d, char *err, size_t errlen);
};

struct ins_import {
	const struct import_ops *ops;
	struct ins_import_info info;
	void *priv;                          /* the format reader's state */
	float *vals[INS_FOOT_COUNT];         /* n_sensors floats per foot */
	struct ins_import_frame row[INS_FOOT_COUNT];
	int row_ready[INS_FOOT_COUNT];
	/* per-foot timeline, for seq and gap of time-stamped formats */
	int64_t last_t_us[INS_FOOT_COUNT];
	uint32_t next_seq[INS_FOOT_COUNT];
	int started[INS_FOOT_COUNT];
	/* the nominal period and the longest interval that is no gap, for
	 * info.rate_hz == stamp_rate_hz: computed once, not per frame (a
	 * reader may learn its rate from its first frames) */
	double stamp_rate_hz, period_us, gap_limit_us;
	uint8_t pending_event[INS_FOOT_COUNT]; /* vendor event seen while the foot's data was missing */
	int yielded;                         /* a frame has been returned */
	/* NUL bytes the file ends in (import_zero_tail), which the text
	 * readers stop before: a file that ends so is reported damaged once
	 * its last frame is read, unless end_marked; the file's length */
	unsigned long long zero_tail, file_size;
	/* The reader read the end of data its format writes (F-Scan's "@@"):
	 * the recording is whole, and zeros after it pad the file (a copy to
	 * a FAT stick, an editor's crash), no data lost. */
	int end_marked;
	/* the error that stopped the reader, repeated on later calls */
	int failed;
	char failure[512];
	/* scratch for ins_import_feed */
	float *kpa;
	uint16_t *counts;
	uint16_t scratch_n;
	/* calibration curves read from our export (owned) */
	struct ins_calib_curve *calib[INS_FOOT_COUNT];
	/* what info.subject, footwear and notes point at once set (owned) */
	char *label[IMPORT_LABEL_COUNT];
};

extern const struct import_ops import_gaitndd_ops;
extern const struct import_ops import_gaitpdb_ops;
extern const struct import_ops import_moticon_ops;
extern const struct import_ops import_insoled_ops;
extern const struct import_ops import_pedar_ops;
extern const struct import_ops import_fscan_ops;
extern const struct import_ops import_xsensor_ops;
extern const struct import_ops import_stappone_ops;

/* "path:line: field: message" (line 0: "path: field: message"; field NULL:
 * "path:line: message"). */
void import_errf(char *err, size_t errlen, const char *path, unsigned long line,
		 const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The layout suggested for a foot of a pressure-mat export (F-Scan,
 * XSENSOR) whose file states its grid: `shipped` (a layout file made from
 * a vendor's sample) when the grid is that one's, else the sheet of the
 * file's own grid (ins_layout_sheet()); none when the sensels are not
 * square.  Pitches in mm; equal within `tolerance_mm`. */
void import_suggest_grid_layout(struct ins_import *imp, unsigned foot, unsigned cols, unsigned rows,
				double col_mm, double row_mm, double tolerance_mm, const char *shipped,
				unsigned shipped_cols, unsigned shipped_rows, double shipped_mm);

/* Set info's subject, footwear or notes to the text src as UTF-8
 * (import_copy_label()), whole, in memory imp owns.  0, or -1 when out of
 * memory. */
int import_set_label(struct ins_import *imp, enum import_label which, const char *src);

/* Once the header says which feet and how many sensors: allocate value storage. */
int import_alloc_values(struct ins_import *imp, char *err, size_t errlen);

/* Fill foot's frame of t_us, seq gap samples on from the last one, and
 * mark it ready (import_stamp()'s last half). */
static inline void import_stamp_fill(struct ins_import *imp, unsigned foot, int64_t t_us, unsigned long line,
				     uint32_t gap)
{
	struct ins_import_frame *f = &imp->row[foot];

	f->seq = imp->started[foot] ? imp->next_seq[foot] + gap : 0;
	f->gap = gap;
	f->t_us = t_us;
	f->line = line;
	f->ref_force_n = NAN;
	f->ref_cop_x_norm = NAN;
	f->ref_cop_y_norm = NAN;
	f->ref_event = INS_EVENT_NONE;
	f->ref_peak_kpa = NAN;
	f->ref_contact_mm2 = NAN;
	imp->next_seq[foot] = f->seq + 1;
	imp->last_t_us[foot] = t_us;
	imp->started[foot] = 1;
	imp->row_ready[foot] = 1;
}

/* import_stamp() of a frame that is not the foot's first, not early and
 * follows the last one without a gap, or of a rate not yet seen: the
 * period, the error and the gap. */
int import_stamp_slow(struct ins_import *imp, unsigned foot, int64_t t_us, unsigned long line,
		      const char *time_field, char *err, size_t errlen);

/* Mark a frame of foot ready at t_us from a fixed-rate timeline: fills seq and
 * gap from the time since the foot's previous frame; -1 with err when time
 * does not increase.  Inline for the frame that follows the last one. */
static inline int import_stamp(struct ins_import *imp, unsigned foot, int64_t t_us, unsigned long line,
			       const char *time_field, char *err, size_t errlen)
{
	int64_t dt = t_us - imp->last_t_us[foot];

	if (imp->started[foot] && imp->stamp_rate_hz == imp->info.rate_hz && dt > 0 &&
	    !((double)dt > imp->gap_limit_us)) {
		import_stamp_fill(imp, foot, t_us, line, 0);
		return 0;
	}
	return import_stamp_slow(imp, foot, t_us, line, time_field, err, errlen);
}

/* ins_import_next() without the copy: *f points at the reader's own
 * frame, valid until the next call. */
int import_next_frame(struct ins_import *imp, const struct ins_import_frame **f, char *err, size_t errlen);

/* A frame's values as the analysis takes them (ins_import_feed() in two
 * halves, so that one thread can convert while another analyses): kPa
 * into kpa for kPa and newton frames, whole counts into counts for raw
 * ones (each max_n long).  0, or -1 with err when the frame does not fit
 * the layout or has more than max_n values. */
int import_prepare(const struct ins_import_frame *f, const struct ins_layout *layout, uint16_t max_n, float *kpa,
		   uint16_t *counts, char *err, size_t errlen);
/* Feed what import_prepare() made: ins_analysis_feed*'s result. */
int import_feed_prepared(struct ins_analysis *ana, const struct ins_import_frame *f, const float *kpa,
			 const uint16_t *counts, struct ins_frame_metrics *out);

/* ---- text files ------------------------------------------------------- */

struct import_text {
	FILE *fp;
	const char *path;        /* for messages; not owned */
	char *buf;               /* cap bytes and a NUL: grown, up to line_max, only by a longer line */
	size_t cap, line_max;
	size_t len;              /* bytes held in buf */
	size_t start;            /* first unread byte */
	unsigned long lineno;    /* of the line last returned */
	/* Set by a reader whose format may end without a line end (pedar's
	 * export ends its last row with a tab and nothing else): the last line
	 * is then returned with `unterminated` set, for the reader to check
	 * that it is complete. */
	int allow_unterminated;
	int unterminated;
	/* The byte that ends a line: '\n' (LF or CRLF), or '\r' in a file
	 * whose first line ends with CR alone (classic Mac OS, Excel for Mac's
	 * "CSV (Macintosh)"); 0 until the first line end is seen. */
	char eol;
	/* A file starting with a UTF-16 byte-order mark (Windows "Unicode"
	 * text: Excel's "Unicode Text", PowerShell's redirection) is read
	 * through raw, converted to UTF-8 as it is read. */
	enum { TEXT_UTF8, TEXT_UTF16LE, TEXT_UTF16BE } encoding;
	unsigned char *raw;
	size_t raw_len;
	/* NUL bytes that end the file (import_zero_tail), not read as text:
	 * the lines end where they start, and data_left counts the bytes
	 * before them still to read (all there are when there is no tail). */
	unsigned long long zero_tail, data_left;
};

/* The NUL bytes a file of text ends in, as a crash or a copy broken off
 * leaves them in place of data (the file's length written, its blocks
 * not); 0 when it ends in text, is UTF-16 (whose last character has a NUL
 * byte of its own) or cannot seek.  *size: the file's length in bytes. */
unsigned long long import_zero_tail(const char *path, unsigned long long *size);
#define IMPORT_ZERO_TAIL_WHY "what a crash or a copy broken off leaves in place of data"
/* ", and N NUL (zero) bytes follow it to the end of the file: ..." when
 * t stopped before a tail of zeros, for a message about its last line;
 * "" when the file has none.  buf: at least 160 bytes. */
const char *import_zero_tail_note(const struct import_text *t, char *buf, size_t len);

/* The hours a 12-hour clock's suffix at s adds (AM/PM, a.m./p.m., any
 * case, as Windows locales write it): 0 or 12, its length in *len; -1 when
 * s starts with none. */
int import_meridiem(const char *s, size_t *len);

int import_text_open(struct import_text *t, const char *path, char *err, size_t errlen);
/* Accept lines up to line_max bytes from now on (never fewer than
 * INS_IMPORT_LINE_MAX), for a format that is known by then to write
 * longer ones; the buffer grows only when such a line comes. */
void import_text_allow_lines(struct import_text *t, size_t line_max);
/* Next line without its line end (LF or CRLF; or CR alone throughout, see
 * eol), as UTF-8, NUL-terminated, in t's buffer until the next call.
 * 1 = line, 0 = end of file, -1 = error: read error, line over
 * INS_IMPORT_LINE_MAX, NUL byte, a stray CR (or LF in a CR file), or a
 * last line without a line end (a truncated file). */
int import_text_next(struct import_text *t, char **line, char *err, size_t errlen);
void import_text_close(struct import_text *t);

/* Split line in place at every sep (empty fields kept); returns the field
 * count, or -1 when there are more than max. */
int import_split(char *line, char sep, char **fields, int max);
/* Split at runs of blanks (space, tab), ignoring leading and trailing ones. */
int import_split_blanks(char *line, char **fields, int max);

/* Parse a whole field as a finite decimal number.  0, or -1 with err naming
 * path:line: field and what the text was. */
int import_parse_number(const char *text, double *out, const char *path, unsigned long line,
			const char *field, char *err, size_t errlen);
/* A sensor or reference value: a number of magnitude at most
 * INS_IMPORT_VALUE_MAX.  0, or -1 with err. */
int import_parse_value(const char *text, double *out, const char *path, unsigned long line,
		       const char *field, char *err, size_t errlen);
/* A time in seconds of magnitude at most INS_IMPORT_TIME_MAX_S, as whole
 * microseconds.  0, or -1 with err. */
int import_parse_seconds(const char *text, int64_t *t_us, const char *path, unsigned long line,
			 const char *field, char *err, size_t errlen);

/* ---- scanning a line in place -------------------------------------------
 * For readers of files with millions of fields: no splitting, no copies,
 * no formatting; a message (and the name of the field) is built only when
 * a field is bad.  Locale-free: '.' is the decimal point. */

static inline const char *import_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Plain decimals ("-12.375", "509") with at most IMPORT_FAST_DIGITS_MAX
 * digits: the mantissa and the power of ten are exact doubles, so one
 * division rounds exactly as strtod would (Clinger's fast path), at a
 * fraction of its cost.  import_pow10[k] is 10^k. */
#define IMPORT_FAST_DIGITS_MAX 15
extern const double import_pow10[IMPORT_FAST_DIGITS_MAX + 1];

/* import_scan_number() for what its fast path leaves: exponents, long
 * mantissas.  s starts with a sign, a digit or a point and digits. */
int import_scan_number_slow(const char *s, const char **end, double *out) __attribute__((cold));

/* The digits at p into *mantissa (which may wrap: more than
 * IMPORT_FAST_DIGITS_MAX digits go to strtod anyway); returns the end. */
static inline const char *import_scan_digits(const char *p, uint64_t *mantissa)
{
	unsigned d;

	while ((d = (unsigned)(unsigned char)*p - '0') < 10) {
		*mantissa = *mantissa * 10 + d;
		p++;
	}
	return p;
}

/* A decimal number at s ("-12.5", "3", "1e-3"; no leading blanks): 0 with
 * *out and *end just after it, or -1 when s does not start one.  Inline:
 * a text recording is millions of fields, and a call per field costs
 * about as much as scanning it. */
static inline int import_scan_number(const char *s, const char **end, double *out)
{
	const char *p = s, *q;
	int negative = 0;
	long digits, frac = 0;
	uint64_t mantissa = 0;

	if (*p == '-' || *p == '+')
		negative = *p++ == '-';
	q = import_scan_digits(p, &mantissa);
	digits = q - p;
	if (*q == '.') {
		p = q + 1;
		q = import_scan_digits(p, &mantissa);
		frac = q - p;
		digits += frac;
	}
	if (digits == 0)
		return -1;
	if (digits > IMPORT_FAST_DIGITS_MAX || *q == 'e' || *q == 'E')
		return import_scan_number_slow(s, end, out);
	*out = (double)mantissa / import_pow10[frac];
	if (negative)
		*out = -*out;
	*end = q;
	return 0;
}

/* The next field of a line whose fields end at sep: blanks, a number of
 * magnitude at most INS_IMPORT_VALUE_MAX, blanks, then sep (skipped) or the
 * end of the line.  0 with *p after it, -1 when the field is not such a
 * number (*p unchanged: import_scan_errf() quotes it). */
int import_scan_field(const char **p, char sep, double *out);

/* err = "path:line: field: 'TEXT' is not a number..." for the field at p
 * that import_scan_field() refused (TEXT up to sep, at most 24 bytes). */
void import_scan_errf(char *err, size_t errlen, const char *path, unsigned long line, const char *field,
		      const char *p, char sep);

/* What to tell a user whose number (the n bytes at text) was refused:
 * for "12,5" that decimal commas are not read and what to do, else "". */
const char *import_number_hint(const char *text, size_t n);

/* Text a person typed into a recording (subject, footwear, notes) as UTF-8
 * into dst: a text that is not UTF-8 is taken as Windows-1252, which
 * Windows programs write in Western Europe and the Americas (Latin-1 and
 * typographic characters), so that "M\xfcller" is kept as "Müller"
 * rather than refused by the store, which keeps UTF-8 only. */
void import_copy_label(char *dst, size_t dstlen, const char *src);

/* Copy src into dst (size dstlen), cutting at a character boundary. */
void import_copy_text(char *dst, size_t dstlen, const char *src);

/* A gaitndd record's file names in any case: a record copied from a disk
 * that keeps no case (a CD, a FAT stick, a Windows share) may be PARK1.HEA,
 * PARK1.LET where its header says park1.let.  When path names no file but
 * exactly one file of its folder has that name in another case, path
 * becomes that file's (read_gaitndd.c); otherwise it is left for the open
 * to report. */
void import_wfdb_resolve_case(char *path, size_t len);

/* A unit per cm² at s, as "N/cm2" for force "N", however the file writes
 * the square: "2", "²" in UTF-8, "²" as the one byte 0xb2 of Windows-1252
 * (what Windows programs write, and what a Windows program that opened a
 * UTF-8 export saves it in), or "^2"; the force's name in any case.
 * Where the unit ends in s, NULL when s does not start with it. */
const char *import_per_cm2(const char *s, const char *force);

int import_is_blank(const char *s);
/* Cut s in place before the run of bytes of chars that ends it: the
 * padding a spreadsheet (separators) or an editor (blanks) left on a
 * header line, "# units: counts,,," or "ROWS 60  ". */
void import_trim_end(char *s, const char *chars);
/* s without the blanks (spaces, tabs) around it: cut in place at the end. */
char *import_trim_blanks(char *s);

/* ---- fingerprints (fingerprint.c) ---------------------------------------- */

/* Add n bytes to the digest. */
void import_digest_bytes(struct import_digest *d, const void *p, size_t n);
/* Add the whole file at path; with tag, first "TAG SIZE\n" (SIZE in bytes),
 * so that the files of a record stay apart in the digest.  0, or -1 with
 * err naming the file. */
int import_digest_file(struct import_digest *d, const char *path, const char *tag, char *err, size_t errlen);

#endif
