/* libFuzzer target for the recording-file readers (daemon/import).  Clinics
 * bring files from anywhere, damaged or not recordings at all; any bytes
 * must never crash, leak or hang a reader, and every reader keeps the
 * promises of import.h:
 *  - a file either opens or fails with a message naming the file;
 *  - every frame has a foot the file announced, that foot's sensor count,
 *    the file's unit, finite values (counts: whole numbers 0..65535), and a
 *    time that increases per foot; for the formats that number samples
 *    themselves (all but our export, which keeps the device counter), seq
 *    starts at 0 and goes up by 1 + gap; the vendor's reference values are
 *    finite or NaN;
 *  - reading ends with 0 or with -1 and a message naming the file, and the
 *    reader then stays where it stopped (the same answer again);
 *  - a file that opens has a content fingerprint, "sha256:" and 64 hex
 *    digits (gaitndd: from its header's lines and its signal files);
 *  - the gait events the file marks, matched to a step at each of its
 *    toe-offs as the analysis's would be, are each counted once (matched,
 *    unmatched or at the recording's ends), the differences within 30 ms.
 *
 * The input is one file for the text formats (gaitpdb, moticon, insoled,
 * pedar, fscan, xsensor, stappone, and format detection).  A WFDB record is three files, so for gaitndd the
 * same input is cut at the first two occurrences of SPLIT into NAME.hea,
 * NAME.let and NAME.rit, beside each other in a scratch directory; the
 * record is opened explicitly and detected by its bare NAME.
 *
 * Build: ./configure CC=clang --enable-fuzzing && make fuzz.  Seeds: the
 * import fixtures (one small file of every text format, the vendor
 * exports' among them), and a record made of a header, SPLIT and the signal
 * files:
 *   cp -r $srcdir/tests/fixtures/import corpus
 *   printf 'rec 2 300 4\nrec.let 212 3000 12 0 1 5 0 left\nrec.rit 212 3000 12 0 2 6 0 right\n' >corpus/rec
 *   printf '\n\1SPLIT\1\n\1\0\0\4\0\0\n\1SPLIT\1\n\2\0\0\4\0\0' >>corpus/rec
 *   UBSAN_OPTIONS=halt_on_error=1 ./tests/fuzz/fuzz_import -timeout=10 corpus
 * (the fuzzing build's UndefinedBehaviorSanitizer only reports and goes on
 * unless told to stop, and libFuzzer saves only what stops it). */
#include "config.h" /* _GNU_SOURCE from AC_USE_SYSTEM_EXTENSIONS: memmem */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/import.h"
#include "insoled/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cuts a WFDB record's three files out of one input: rarely in a header,
 * and libFuzzer finds it by comparison tracing. */
static const char split_mark[] = "\n\1SPLIT\1\n";
#define SPLIT_LEN (sizeof split_mark - 1)
/* Frames read from one file at most: more than any input of libFuzzer's
 * default sizes makes (gaitndd gives 2 per 3 bytes), far below a hang. */
#define MAX_FRAMES_PER_FILE 4000000L

static const char *const text_formats[] = { "gaitpdb", "moticon", "insoled", "pedar", "fscan", "xsensor",
					    "stappone", NULL /* detect */ };

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static const char *const scratch_names[] = { "rec.txt", "rec.hea", "rec.let", "rec.rit" };
static char scratch[64];

static const char *scratch_file(const char *name);

static void remove_scratch(void)
{
	for (size_t i = 0; i < sizeof scratch_names / sizeof scratch_names[0]; i++)
		unlink(scratch_file(scratch_names[i]));
	rmdir(scratch);
}

/* One scratch directory per fuzzing process, removed when it exits (a
 * crash leaves the files of the input that caused it). */
static const char *scratch_file(const char *name)
{
	static char path[128];

	if (!scratch[0]) {
		snprintf(scratch, sizeof scratch, "/tmp/ins-fuzz-import-XXXXXX");
		check(mkdtemp(scratch) != NULL);
		atexit(remove_scratch);
	}
	snprintf(path, sizeof path, "%s/%s", scratch, name);
	return path;
}

static void write_file(const char *name, const uint8_t *data, size_t size)
{
	FILE *f = fopen(scratch_file(name), "wb");

	check(f != NULL);
	check(fwrite(data, 1, size, f) == size);
	check(fclose(f) == 0);
}

/* Per-foot state of the frames read so far. */
struct seen {
	int any[INS_FOOT_COUNT];
	int64_t t_us[INS_FOOT_COUNT];
	uint32_t seq[INS_FOOT_COUNT];
};

static void check_frame(const struct ins_import_info *info, const struct ins_import_frame *f, struct seen *s,
			int own_seq)
{
	check(f->foot < INS_FOOT_COUNT && (info->feet & (1u << f->foot)));
	check(f->n >= 1 && f->n <= INS_MAX_SENSORS && f->n == info->n_sensors[f->foot]);
	check(f->unit == info->unit && f->values != NULL);
	for (unsigned i = 0; i < f->n; i++) {
		float v = f->values[i];

		check(isfinite(v));
		if (f->unit == INS_IMPORT_COUNTS)
			check(v >= 0.0f && v <= 65535.0f && v == floorf(v));
	}
	check(!isinf(f->ref_force_n) && !isinf(f->ref_cop_x_norm) && !isinf(f->ref_cop_y_norm)); /* or NaN */
	check(!isinf(f->ref_peak_kpa) && !isinf(f->ref_contact_mm2));
	check(f->ref_event <= INS_EVENT_TOE_OFF);
	if (own_seq)
		check(s->any[f->foot] ? f->seq == s->seq[f->foot] + 1 + f->gap : f->seq == 0 && f->gap == 0);
	check(!s->any[f->foot] || f->t_us > s->t_us[f->foot]);
	s->any[f->foot] = 1;
	s->t_us[f->foot] = f->t_us;
	s->seq[f->foot] = f->seq;
}

/* A sheet a reader suggests (the file's own grid) is always one that
 * builds, with a cell for each of the foot's values. */
static void check_sheets(const struct ins_import_info *info)
{
	char err[256];

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		struct ins_layout *lay;

		if (strncmp(info->layout[foot], "sheet", 5) != 0)
			continue;
		lay = ins_layout_sheet(info->layout[foot], err, sizeof err);
		check(lay != NULL && lay->n_sensors == info->n_sensors[foot]);
		ins_layout_free(lay);
	}
}

static void check_fingerprint(const struct ins_import *imp)
{
	char fp[INS_IMPORT_FINGERPRINT_SIZE], err[512];

	check(ins_import_fingerprint(imp, fp, err, sizeof err) == 0);
	check(strncmp(fp, "sha256:", 7) == 0 && strlen(fp) == INS_IMPORT_FINGERPRINT_SIZE - 1);
	check(strspn(fp + 7, "0123456789abcdef") == INS_IMPORT_FINGERPRINT_SIZE - 8);
}

/* The file's events to the matcher as they are read, each toe-off with a
 * step of the analysis ending there (from the foot's last contact), and
 * how many of each kind and foot there were. */
struct event_check {
	struct ins_import_event_match m;
	unsigned long marked[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS];
	int64_t contact_us[INS_FOOT_COUNT];
};

static void events_frame(struct event_check *e, const struct ins_import_frame *f)
{
	ins_import_events_frame(&e->m, f);
	if (f->ref_event == INS_EVENT_NONE)
		return;
	e->marked[f->foot][f->ref_event - 1]++;
	if (f->ref_event == INS_EVENT_CONTACT) {
		e->contact_us[f->foot] = f->t_us;
	} else {
		struct ins_step step = { .foot = f->foot, .contact_us = e->contact_us[f->foot], .toe_off_us = f->t_us };

		ins_import_events_step(&e->m, &step);
	}
}

static void events_check(struct event_check *e)
{
	ins_import_events_finish(&e->m);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
			const struct ins_import_event_agreement *a = &e->m.result[foot][kind];

			check(a->events + a->edge == e->marked[foot][kind] && a->matched <= a->events);
			check(!a->matched || (a->median_ms >= 0 && a->median_ms <= a->max_ms && a->max_ms <= 30.0));
		}
}

/* Opens path as format (NULL: detect) and reads every frame. */
static void read_all(const char *path, const char *format)
{
	char err[512], again[512];
	struct ins_import *imp;
	struct ins_import_frame f;
	struct seen s;
	static struct event_check events;
	long frames = 0;
	int64_t start_us;
	int rc;

	err[0] = '\0';
	imp = ins_import_open(path, format, err, sizeof err);
	if (!imp) {
		check(strstr(err, scratch) != NULL); /* the message names the file */
		return;
	}
	check_sheets(ins_import_info(imp));
	check_fingerprint(imp);
	(void)ins_import_start_us(ins_import_info(imp)->start, &start_us); /* the session import dates it so */
	memset(&s, 0, sizeof s);
	memset(&events, 0, sizeof events);
	while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
		check_frame(ins_import_info(imp), &f, &s, strcmp(ins_import_info(imp)->format, "insoled") != 0);
		events_frame(&events, &f);
		check(++frames < MAX_FRAMES_PER_FILE);
	}
	check(rc == 0 || rc == -1);
	events_check(&events);
	if (rc < 0) {
		check(strstr(err, scratch) != NULL);
		check(ins_import_next(imp, &f, again, sizeof again) == -1 && strcmp(again, err) == 0);
	}
	ins_import_close(imp);
}

/* Writes rec.hea, rec.let and rec.rit from the pieces of the input. */
static void write_record(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	for (int i = 0; i < 3; i++) {
		const uint8_t *cut = i < 2 ? memmem(p, (size_t)(end - p), split_mark, SPLIT_LEN) : NULL;
		const uint8_t *stop = cut ? cut : end;

		write_file(scratch_names[i + 1], p, (size_t)(stop - p));
		p = cut ? cut + SPLIT_LEN : end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	char path[128];

	write_file("rec.txt", data, size);
	snprintf(path, sizeof path, "%s", scratch_file("rec.txt"));
	for (size_t i = 0; i < sizeof text_formats / sizeof text_formats[0]; i++)
		read_all(path, text_formats[i]);
	(void)ins_import_detect(path, err, sizeof err);

	write_record(data, size);
	snprintf(path, sizeof path, "%s", scratch_file("rec.hea"));
	read_all(path, "gaitndd");
	snprintf(path, sizeof path, "%s", scratch_file("rec"));
	read_all(path, NULL);
	return 0;
}
