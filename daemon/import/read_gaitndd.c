/* PhysioNet gaitndd: WFDB records NAME.hea + NAME.let (left) + NAME.rit
 * (right), one footswitch force-sensing resistor per foot, format 212 (two
 * 12-bit two's-complement samples in three bytes).  Yields raw counts
 * (ADC value + 2048).  The header's sample count, initial value and
 * checksum are checked, so a truncated, altered or mismatched file is
 * reported instead of analysed. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import_priv.h"

#define WFDB_INVALID_212 (-2048)    /* format 212's "no sample here" value */
#define WFDB_INVALID_INITVAL (-32768) /* how headers write that value as the initial value */
#define WFDB_ADC_OFFSET 2048        /* 12-bit two's complement -> 0..4095 counts */
#define WFDB_MAX_RATE_HZ 100000.0   /* far above any gait recording: a bigger value is a bad header */
#define WFDB_MIN_RATE_HZ 0.001      /* far below any gait recording; keeps WFDB_MAX_SAMPLES' times in
				     * microseconds inside int64_t */
#define WFDB_MAX_SAMPLES 2000000000L /* keeps sample times and checksums in range */
#define WFDB_HEA_LINE_FIELDS 16
/* Bytes of a signal file read at a time: a few milliseconds of both feet
 * per read instead of a stdio call per sample (3 bytes). */
#define WFDB_BLOCK 49152

struct wfdb_signal {
	char file[1024];             /* path of the signal file */
	unsigned long hea_line;
	int has_initval, has_checksum;
	long initval, checksum;
	FILE *fp;
	unsigned char block[WFDB_BLOCK];
	size_t len, pos;             /* bytes held in block, first unread one */
	long next;                   /* index of the next sample to read */
	int have_odd;                /* second sample of the last 3-byte group is held */
	int odd;
	long sum;                    /* of all samples read, for the checksum */
};

/* The time of sample k, round(k * 1e6 / rate) us, kept as whole + rem / rate
 * and stepped by whole and remainder, without a division per sample, when
 * the rate is a whole number of Hz (every gaitndd record: 300 Hz).  It is
 * exactly what the division gives: k * 1e6 stays below 2^52 (WFDB_MAX_SAMPLES
 * samples), where the quotient's rounding error is smaller than the distance
 * 1 / (2 rate) of a fraction rem / rate from one half.  rate 0: a
 * fractional rate, divided per sample. */
struct wfdb_clock {
	int64_t whole;
	long rem, step_whole, step_rem, rate;
};

struct gaitndd {
	char hea[512];
	long n_samples;              /* per signal; 0 when the header does not say */
	/* A signal file cut short (a download or copy broken off): the samples
	 * both feet have are read, and then the reader stops with `cut`, which
	 * says why, as a text reader stops at its damaged line. */
	long readable;
	char cut[400];
	struct wfdb_signal sig[INS_FOOT_COUNT];
	long sample;                 /* next sample index of the record */
	struct wfdb_clock clock;     /* that sample's time */
};

static void wfdb_clock_start(struct wfdb_clock *c, double rate_hz)
{
	memset(c, 0, sizeof *c);
	if (rate_hz != floor(rate_hz))
		return;
	c->rate = (long)rate_hz;
	c->step_whole = 1000000 / c->rate;
	c->step_rem = 1000000 % c->rate;
}

/* round_time_us(): a remainder of half the rate or more rounds up. */
static int64_t wfdb_clock_us(const struct wfdb_clock *c)
{
	return c->whole + (2 * c->rem >= c->rate);
}

static void wfdb_clock_tick(struct wfdb_clock *c)
{
	c->whole += c->step_whole;
	c->rem += c->step_rem;
	if (c->rem >= c->rate) {
		c->rem -= c->rate;
		c->whole++;
	}
}

/* The suffixes in any case: a record copied from a disk that keeps no case
 * (a CD, a FAT stick, a Windows share) may be PARK1.HEA, PARK1.LET. */
static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

void import_wfdb_resolve_case(char *path, size_t len)
{
	char *slash = strrchr(path, '/'), found[256] = "";
	char *base = slash ? slash + 1 : path;
	unsigned matches = 0;
	struct dirent *e;
	DIR *d;

	if (access(path, F_OK) == 0 || errno != ENOENT)
		return;
	if (slash)
		*slash = '\0';
	d = opendir(slash ? (*path ? path : "/") : ".");
	if (slash)
		*slash = '/';
	while (d && (e = readdir(d)) != NULL)
		if (strcasecmp(e->d_name, base) == 0 && matches++ == 0)
			import_copy_text(found, sizeof found, e->d_name);
	if (d)
		closedir(d);
	if (matches == 1 && (size_t)(base - path) + strlen(found) < len)
		memcpy(base, found, strlen(found) + 1);
}

/* NAME.hea / NAME.let / NAME.rit / NAME -> NAME.hea, as its folder spells it */
static int gaitndd_header_path(const char *path, char *hea, size_t len)
{
	size_t n = strlen(path);

	if (has_suffix(path, ".hea"))
		return snprintf(hea, len, "%s", path) < (int)len ? 0 : -1;
	if (has_suffix(path, ".let") || has_suffix(path, ".rit"))
		n -= 4;
	if (snprintf(hea, len, "%.*s.hea", (int)n, path) >= (int)len)
		return -1;
	import_wfdb_resolve_case(hea, len);
	return 0;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return end != s && *end == '\0' && errno == 0 ? 0 : -1;
}

/* The record line's base time and date ("10:20:30.5 25/04/2023": WFDB
 * writes the date day first) as the recording's start, in ISO 8601 for
 * ins_import_start_us(); a time without a date, or either malformed,
 * dates nothing. */
static void gaitndd_base_time(struct ins_import *imp, const char *time, const char *date)
{
	int h, min, day, mon, year, used = 0;
	double sec;

	if (sscanf(time, "%d:%d:%lf%n", &h, &min, &sec, &used) != 3 || time[used] != '\0' || h < 0 || h > 23 ||
	    min < 0 || min > 59 || !(sec >= 0 && sec < 60))
		return;
	if (sscanf(date, "%d/%d/%d%n", &day, &mon, &year, &used) != 3 || date[used] != '\0' || day < 1 ||
	    day > 31 || mon < 1 || mon > 12 || year < 1900 || year > 9999)
		return;
	snprintf(imp->info.start, sizeof imp->info.start, "%04d-%02d-%02dT%02d:%02d:%06.3f", year, mon, day, h, min,
		 sec);
}

/* Record line: NAME[/segments] NSIG [FS[/counter][(base)] [NSAMP [TIME [DATE]]]] */
static int gaitndd_record_line(struct ins_import *imp, char **f, int n, unsigned long line, int *nsig,
			       char *err, size_t errlen)
{
	struct gaitndd *g = imp->priv;
	long v;
	double fs = 250.0; /* WFDB's default sampling frequency */

	if (n < 2 || parse_long(f[1], &v) < 0 || v < 1 || v > INS_FOOT_COUNT) {
		import_errf(err, errlen, g->hea, line, "number of signals",
			    "'%s' is not 1 or 2 (one footswitch per foot)", n < 2 ? "" : f[1]);
		return -1;
	}
	*nsig = (int)v;
	if (n >= 3) {
		char *end;

		fs = strtod(f[2], &end);
		if (end == f[2] || (*end != '\0' && *end != '/' && *end != '(') || !(fs >= WFDB_MIN_RATE_HZ) ||
		    fs > WFDB_MAX_RATE_HZ) {
			import_errf(err, errlen, g->hea, line, "sampling frequency",
				    "'%s' is not a frequency in Hz", f[2]);
			return -1;
		}
	}
	if (n >= 4 && (parse_long(f[3], &g->n_samples) < 0 || g->n_samples < 0 ||
		       g->n_samples > WFDB_MAX_SAMPLES)) {
		import_errf(err, errlen, g->hea, line, "number of samples", "'%s' is not a sample count",
			    f[3]);
		return -1;
	}
	if (n >= 6)
		gaitndd_base_time(imp, f[4], f[5]);
	imp->info.rate_hz = fs;
	imp->info.duration_us = llround(g->n_samples * 1e6 / fs);
	return 0;
}

/* The foot from the file name, checked against the description. */
static int gaitndd_signal_foot(struct gaitndd *g, char **f, int n, unsigned long line, char *err,
			       size_t errlen)
{
	int foot = has_suffix(f[0], ".let") ? INS_FOOT_LEFT : has_suffix(f[0], ".rit") ? INS_FOOT_RIGHT : -1;

	if (foot < 0) {
		import_errf(err, errlen, g->hea, line, "file name",
			    "'%s' is neither NAME.let (left foot) nor NAME.rit (right foot)", f[0]);
		return -1;
	}
	if (n >= 9) {
		const char *desc = f[8];
		int says_left = strstr(desc, "left") != NULL, says_right = strstr(desc, "right") != NULL;

		if ((foot == INS_FOOT_LEFT && says_right && !says_left) ||
		    (foot == INS_FOOT_RIGHT && says_left && !says_right)) {
			import_errf(err, errlen, g->hea, line, "description",
				    "'%s' contradicts the file name '%s'", desc, f[0]);
			return -1;
		}
	}
	return foot;
}

/* A record renamed on disk (park1.* -> patient7.*, as a clinic does to
 * file a recording under its patient) keeps the old names in its header:
 * when the file the header names is missing, the one of the header's own
 * name with the same extension is read instead.  Its samples are checked
 * against the header as always (the initial value at once, the checksum
 * at the end), so another record's file is refused; a header that states
 * neither cannot tell, which the caution says. */
static void gaitndd_renamed_signal(struct ins_import *imp, struct wfdb_signal *s, const char *named)
{
	struct gaitndd *g = imp->priv;
	const char *ext = strrchr(named, '.');
	char own[sizeof s->file];
	size_t stem = strlen(g->hea) - 4; /* the header's path without ".hea" */
	size_t used;

	if (!ext || access(s->file, F_OK) == 0 || errno != ENOENT ||
	    snprintf(own, sizeof own, "%.*s%s", (int)stem, g->hea, ext) >= (int)sizeof own)
		return;
	import_wfdb_resolve_case(own, sizeof own);
	if (access(own, R_OK) != 0)
		return;
	memcpy(s->file, own, strlen(own) + 1);
	if (s->has_initval || s->has_checksum)
		return;
	used = strlen(imp->info.caution);
	snprintf(imp->info.caution + used, sizeof imp->info.caution - used,
		 "%s%s read for the header's %s, which states no checksum to confirm it is this record's",
		 used ? "; " : "", strrchr(own, '/') ? strrchr(own, '/') + 1 : own, named);
}

/* Signal line: FILE FORMAT [GAIN[(BASE)][/UNITS] [ADCRES [ADCZERO [INITVAL [CHECKSUM [BLOCK [DESC]]]]]]] */
static int gaitndd_signal_line(struct ins_import *imp, char **f, int n, unsigned long line, char *err,
			       size_t errlen)
{
	struct gaitndd *g = imp->priv;
	struct wfdb_signal *s;
	const char *slash = strrchr(g->hea, '/');
	long v;
	int foot;

	if (n < 2) {
		import_errf(err, errlen, g->hea, line, "format", "missing (expected 212)");
		return -1;
	}
	foot = gaitndd_signal_foot(g, f, n, line, err, errlen);
	if (foot < 0)
		return -1;
	if (strcmp(f[1], "212") != 0) {
		import_errf(err, errlen, g->hea, line, "format",
			    "'%s' is not supported (only WFDB format 212 is read)", f[1]);
		return -1;
	}
	if (n >= 4 && (parse_long(f[3], &v) < 0 || (v != 12 && v != 0))) {
		import_errf(err, errlen, g->hea, line, "ADC resolution",
			    "'%s' bits: format 212 holds 12-bit samples", f[3]);
		return -1;
	}
	s = &g->sig[foot];
	if (imp->info.feet & (1u << foot)) {
		import_errf(err, errlen, g->hea, line, "file name", "a second %s-foot signal ('%s')",
			    ins_foot_name(foot), f[0]);
		return -1;
	}
	if (n >= 6 && parse_long(f[5], &s->initval) < 0) {
		import_errf(err, errlen, g->hea, line, "initial value", "'%s' is not an integer", f[5]);
		return -1;
	}
	if (n >= 7 && parse_long(f[6], &s->checksum) < 0) {
		import_errf(err, errlen, g->hea, line, "checksum", "'%s' is not an integer", f[6]);
		return -1;
	}
	s->has_initval = n >= 6;
	s->has_checksum = n >= 7;
	s->hea_line = line;
	/* signal files sit beside the header: a header must not point elsewhere */
	if (strchr(f[0], '/')) {
		import_errf(err, errlen, g->hea, line, "file name", "'%s' is not a file beside the header", f[0]);
		return -1;
	}
	if ((!slash ? snprintf(s->file, sizeof s->file, "%s", f[0])
		    : snprintf(s->file, sizeof s->file, "%.*s/%s", (int)(slash - g->hea), g->hea, f[0])) >=
	    (int)sizeof s->file) {
		import_errf(err, errlen, g->hea, line, "file name", "path of '%s' too long", f[0]);
		return -1;
	}
	import_wfdb_resolve_case(s->file, sizeof s->file);
	gaitndd_renamed_signal(imp, s, f[0]);
	imp->info.feet |= 1u << foot;
	imp->info.n_sensors[foot] = 1;
	import_copy_text(imp->info.layout[foot], sizeof imp->info.layout[0], "footswitch1");
	return 0;
}

/* Split a header line; the description (9th field) keeps its blanks. */
static int gaitndd_split(char *line, char **f)
{
	int n = 0;
	char *p = line;

	while (n < 8) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		f[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (!*p)
			return n;
		*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		f[n++] = p;
	return n;
}

/* A header line that describes nothing: blank, or a comment, which WFDB's
 * own reader takes a line whose first token starts with '#' for.  The one
 * test of both the header's reading and its fingerprint, which must agree
 * on where the signal lines end. */
static int wfdb_line_is_comment(const char *line)
{
	return *import_skip_blanks(line) == '#' || import_is_blank(line);
}

static int gaitndd_read_header(struct ins_import *imp, char *err, size_t errlen)
{
	struct gaitndd *g = imp->priv;
	struct import_text t;
	char *line, *f[WFDB_HEA_LINE_FIELDS];
	int nsig = -1, seen = 0, rc = 0;

	if (import_text_open(&t, g->hea, err, errlen) < 0)
		return -1;
	while (nsig < 0 || seen < nsig) {
		int n;

		rc = import_text_next(&t, &line, err, errlen);
		if (rc <= 0)
			break;
		if (wfdb_line_is_comment(line))
			continue;
		n = gaitndd_split(line, f);
		if (nsig < 0) {
			rc = gaitndd_record_line(imp, f, n, t.lineno, &nsig, err, errlen);
		} else {
			rc = gaitndd_signal_line(imp, f, n, t.lineno, err, errlen);
			seen++;
		}
		if (rc < 0)
			break;
	}
	if (rc >= 0 && (nsig < 0 || seen < nsig)) {
		if (nsig < 0)
			import_errf(err, errlen, g->hea, t.lineno, NULL,
				    "no record line (NAME NSIG FS NSAMP)");
		else
			import_errf(err, errlen, g->hea, t.lineno, NULL,
				    "the record line announces %d signals, the header describes %d", nsig, seen);
		rc = -1;
	}
	import_text_close(&t);
	return rc < 0 ? -1 : 0;
}

/* Bytes format 212 needs for n samples: 3 per pair, 2 for a last odd one. */
static long wfdb212_bytes(long n)
{
	return n / 2 * 3 + (n % 2 ? 2 : 0);
}

/* Open s and count its whole samples into *n_samples; a file of more
 * samples than the header says is refused, one of fewer (or of a byte
 * after its last whole sample) is read and leaves why in g->cut. */
static int gaitndd_open_signal(struct gaitndd *g, struct wfdb_signal *s, long *n_samples, char *err,
			       size_t errlen)
{
	struct stat st;
	long n;

	s->fp = fopen(s->file, "rb");
	if (!s->fp || fstat(fileno(s->fp), &st) < 0) {
		import_errf(err, errlen, g->hea, s->hea_line, "file name", "cannot open %s: %s", s->file,
			    strerror(errno));
		return -1;
	}
	if (st.st_size / 3 * 2 > WFDB_MAX_SAMPLES) {
		import_errf(err, errlen, s->file, 0, NULL, "%lld bytes: more samples than a record holds",
			    (long long)st.st_size);
		return -1;
	}
	n = (long)(st.st_size / 3 * 2 + (st.st_size % 3 == 2 ? 1 : 0));
	if (g->n_samples > 0 && n > g->n_samples) {
		import_errf(err, errlen, s->file, 0, NULL, "longer than its header: %lld bytes, but %s says %ld samples "
			    "(%ld bytes)", (long long)st.st_size, g->hea, g->n_samples, wfdb212_bytes(g->n_samples));
		return -1;
	}
	if (!g->cut[0] && g->n_samples > 0 && n < g->n_samples)
		import_errf(g->cut, sizeof g->cut, s->file, 0, NULL, "truncated: %lld bytes, but %s says %ld samples "
			    "(%ld bytes)", (long long)st.st_size, g->hea, g->n_samples, wfdb212_bytes(g->n_samples));
	else if (!g->cut[0] && st.st_size % 3 == 1)
		import_errf(g->cut, sizeof g->cut, s->file, 0, NULL,
			    "%lld bytes is not a whole number of format-212 samples (truncated?)", (long long)st.st_size);
	*n_samples = n;
	return 0;
}

/* Two signal files of different lengths, the header giving no count: the
 * shorter one was cut short. */
static void gaitndd_unequal_files(struct gaitndd *g, const long n[INS_FOOT_COUNT])
{
	unsigned short_foot = n[0] < n[1] ? 0 : 1;

	if (!g->cut[0])
		import_errf(g->cut, sizeof g->cut, g->sig[short_foot].file, 0, NULL,
			    "truncated: %ld samples, but %s has %ld", n[short_foot], g->sig[!short_foot].file,
			    n[!short_foot]);
}

static int gaitndd_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct gaitndd *g = calloc(1, sizeof *g);
	long n[INS_FOOT_COUNT] = { -1, -1 };

	if (!g) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	imp->priv = g;
	if (gaitndd_header_path(path, g->hea, sizeof g->hea) < 0) {
		import_errf(err, errlen, path, 0, NULL, "path too long");
		return -1;
	}
	import_copy_text(imp->info.path, sizeof imp->info.path, g->hea);
	imp->info.unit = INS_IMPORT_COUNTS;
	if (gaitndd_read_header(imp, err, errlen) < 0)
		return -1;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if ((imp->info.feet & (1u << foot)) && gaitndd_open_signal(g, &g->sig[foot], &n[foot], err, errlen) < 0)
			return -1;
	if (n[0] >= 0 && n[1] >= 0 && n[0] != n[1])
		gaitndd_unequal_files(g, n);
	g->readable = n[0] < 0 ? n[1] : n[1] < 0 || n[0] < n[1] ? n[0] : n[1];
	if (g->cut[0] && g->readable == 0) { /* nothing before the cut to read */
		import_copy_text(err, errlen, g->cut);
		return -1;
	}
	wfdb_clock_start(&g->clock, imp->info.rate_hz);
	imp->info.duration_us = llround(g->readable * 1e6 / imp->info.rate_hz);
	return import_alloc_values(imp, err, errlen);
}

static int wfdb_sign12(int v)
{
	return v >= 2048 ? v - 4096 : v;
}

/* Bytes of the signal file at hand: at least 3 unless the file ends first. */
static size_t wfdb_available(struct wfdb_signal *s)
{
	if (s->len - s->pos >= 3)
		return s->len - s->pos;
	memmove(s->block, s->block + s->pos, s->len - s->pos);
	s->len -= s->pos;
	s->pos = 0;
	s->len += fread(s->block + s->len, 1, sizeof s->block - s->len, s->fp);
	return s->len;
}

static int wfdb_read_sample(struct wfdb_signal *s, int *v, char *err, size_t errlen)
{
	const unsigned char *b;
	size_t got;

	if (s->have_odd) {
		s->have_odd = 0;
		*v = s->odd;
		return 0;
	}
	got = wfdb_available(s);
	if (got < 2) {
		import_errf(err, errlen, s->file, (unsigned long)s->next + 1, NULL, "%s",
			    ferror(s->fp) ? strerror(errno) : "file ended early (truncated while reading)");
		return -1;
	}
	b = s->block + s->pos;
	*v = wfdb_sign12(b[0] | (b[1] & 0x0f) << 8);
	if (got >= 3) {
		s->odd = wfdb_sign12(b[2] | (b[1] & 0xf0) << 4);
		s->have_odd = 1;
	}
	s->pos += got >= 3 ? 3 : 2;
	return 0;
}

static int wfdb_check_initval(const struct gaitndd *g, const struct wfdb_signal *s, int v, char *err,
			      size_t errlen)
{
	int matches = s->initval == v || (v == WFDB_INVALID_212 && s->initval == WFDB_INVALID_INITVAL);

	if (!s->has_initval || matches)
		return 0;
	import_errf(err, errlen, g->hea, s->hea_line, "initial value",
		    "header says %ld, %s starts with %d (not this record's file?)", s->initval, s->file, v);
	return -1;
}

static int wfdb_check_sum(const struct gaitndd *g, const struct wfdb_signal *s, char *err, size_t errlen)
{
	int16_t sum = (int16_t)(uint16_t)(s->sum & 0xffff);

	if (!s->has_checksum || sum == (int16_t)(uint16_t)(s->checksum & 0xffff))
		return 0;
	import_errf(err, errlen, g->hea, s->hea_line, "checksum",
		    "header says %ld, the samples of %s sum to %d (file altered or not this record's)",
		    s->checksum, s->file, sum);
	return -1;
}

static int gaitndd_foot_sample(struct ins_import *imp, unsigned foot, int64_t t_us, char *err, size_t errlen)
{
	struct gaitndd *g = imp->priv;
	struct wfdb_signal *s = &g->sig[foot];
	int v;

	if (wfdb_read_sample(s, &v, err, errlen) < 0)
		return -1;
	if (s->next == 0 && wfdb_check_initval(g, s, v, err, errlen) < 0)
		return -1;
	s->next++;
	s->sum += v;
	if (v == WFDB_INVALID_212)
		return 0; /* no sample: the foot's next frame carries the gap */
	if (import_stamp(imp, foot, t_us, (unsigned long)s->next, "time", err, errlen) < 0)
		return -1;
	imp->vals[foot][0] = (float)(v + WFDB_ADC_OFFSET);
	return 0;
}

/* llround(x) for 0 <= x < 2^63 (a sample's time: at most WFDB_MAX_SAMPLES
 * over WFDB_MIN_RATE_HZ, 2e18 us), without a library call per sample: below
 * 2^52 the fraction x - trunc(x) is exact, above it x is whole. */
static int64_t round_time_us(double x)
{
	int64_t whole = (int64_t)x;

	return whole + (x - (double)whole >= 0.5);
}

static int gaitndd_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct gaitndd *g = imp->priv;
	int64_t t_us;

	if (g->sample >= g->readable && g->cut[0]) {
		import_copy_text(err, errlen, g->cut);
		return -1;
	}
	if (g->sample >= g->readable) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			if ((imp->info.feet & (1u << foot)) && wfdb_check_sum(g, &g->sig[foot], err, errlen) < 0)
				return -1;
		return 0;
	}
	t_us = g->clock.rate ? wfdb_clock_us(&g->clock) : round_time_us(g->sample * 1e6 / imp->info.rate_hz);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if ((imp->info.feet & (1u << foot)) && gaitndd_foot_sample(imp, foot, t_us, err, errlen) < 0)
			return -1;
	g->sample++;
	if (g->clock.rate)
		wfdb_clock_tick(&g->clock);
	return 1;
}

static void gaitndd_close(struct ins_import *imp)
{
	struct gaitndd *g = imp->priv;

	if (!g)
		return;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (g->sig[foot].fp)
			fclose(g->sig[foot].fp);
	free(g);
	imp->priv = NULL;
}

/* What defines a record is its samples and the header's description of
 * them, not the record's name nor its comments: a record copied under
 * another name is the same recording.  So the lines the reader read go in,
 * the record line without the name and each signal line with its file named
 * by its extension (the foot), each ended by a NUL whatever its line end
 * was (CRLF or LF); then each foot's signal file with its size.  The lines
 * after the last signal are not read, as the reader does not read them. */
static int gaitndd_fingerprint(const struct ins_import *imp, struct import_digest *d, char *err, size_t errlen)
{
	static const char *const tags[INS_FOOT_COUNT] = { "left", "right" };
	const struct gaitndd *g = imp->priv;
	int lines = 1 + (imp->info.feet & 1u) + ((imp->info.feet >> 1) & 1u), seen = 0, rc = 1;
	struct import_text t;
	char *line;

	if (import_text_open(&t, g->hea, err, errlen) < 0)
		return -1;
	while (seen < lines && (rc = import_text_next(&t, &line, err, errlen)) > 0) {
		const char *name = import_skip_blanks(line), *rest = name + strcspn(name, " \t");
		const char *ext = memrchr(name, '.', (size_t)(rest - name));

		if (wfdb_line_is_comment(line))
			continue;
		if (seen++ && ext)
			import_digest_bytes(d, ext, (size_t)(rest - ext));
		import_digest_bytes(d, rest, strlen(rest) + 1);
	}
	import_text_close(&t);
	if (rc < 0)
		return -1;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if ((imp->info.feet & (1u << foot)) &&
		    import_digest_file(d, g->sig[foot].file, tags[foot], err, errlen) < 0)
			return -1;
	return 0;
}

const struct import_ops import_gaitndd_ops = {
	.name = "gaitndd",
	.open = gaitndd_open,
	.read_row = gaitndd_read_row,
	.close = gaitndd_close,
	.fingerprint = gaitndd_fingerprint,
};
