/* A recording's start time as the vendors write it (struct
 * ins_import_info.start) -> microseconds since the Unix epoch, so an
 * imported session is dated when it was recorded, not when it was
 * imported.  The forms the readers meet:
 *   ISO 8601           2026-01-15T16:36:19.568Z, 2024-03-05 14:22:10+01:00  (insoled, stappone)
 *   day.month.year     27.09.2023 10:21:14.922, 25.04.23 10.49             (Moticon, pedar)
 *   month by name      Thursday, 16 February 2017 11:26:22 a.m., 2022 Aug 16 (F-Scan, XSENSOR)
 *   with slashes       2/16/2017 11:26:22 AM, 16/02/2017, 2017/02/16       (the same, in a US or
 *                                                                          European Windows locale)
 * A time without a zone is the recording computer's local time, taken as
 * this computer's (the clinic's) local time. */
#define _DEFAULT_SOURCE /* timegm */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "insoled/import.h"
#include "import_priv.h"

struct when {
	int year, month, day, hour, min;
	double sec;
	int zoned;                /* 1: offset_min applies (Z = 0) */
	int offset_min;
};

int import_meridiem(const char *s, size_t *len)
{
	static const struct {
		const char *text;
		int hours;
	} suffix[] = { { "a.m.", 0 }, { "p.m.", 12 }, { "am", 0 }, { "pm", 12 } };

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		*len = strlen(suffix[i].text);
		if (strncasecmp(s, suffix[i].text, *len) == 0)
			return suffix[i].hours;
	}
	return -1;
}

/* "HH:MM[:SS[.f]]" or with dots, and "a.m."/"p.m." after it; 0 fields on none. */
static void parse_clock(const char *s, struct when *w)
{
	char sep;
	int n = 0, add;
	size_t len;

	w->hour = w->min = 0;
	w->sec = 0;
	if (sscanf(s, "%d%c%d%n", &w->hour, &sep, &w->min, &n) < 3 || (sep != ':' && sep != '.'))
		return;
	s += n;
	if ((*s == ':' || *s == '.') && isdigit((unsigned char)s[1])) {
		double sec;
		int m = 0;
		if (sscanf(s + 1, "%lf%n", &sec, &m) == 1) {
			w->sec = sec;
			s += 1 + m;
		}
	}
	while (*s == ' ')
		s++;
	if ((add = import_meridiem(s, &len)) >= 0)
		w->hour = w->hour % 12 + add;
}

static void parse_zone(const char *s, struct when *w)
{
	int h, m;

	s += strspn(s, "0123456789:.");
	if (*s == 'Z' || *s == 'z') {
		w->zoned = 1;
		w->offset_min = 0;
	} else if ((*s == '+' || *s == '-') && sscanf(s + 1, "%2d:%2d", &h, &m) == 2) {
		w->zoned = 1;
		w->offset_min = (*s == '-' ? -1 : 1) * (h * 60 + m);
	}
}

static int parse_iso(const char *s, struct when *w)
{
	int n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &w->year, &w->month, &w->day, &n) != 3 || n != 10)
		return -1;
	if (s[n] == 'T' || s[n] == 't' || s[n] == ' ') {
		parse_clock(s + n + 1, w);
		parse_zone(s + n + 1, w);
	}
	return 0;
}

static int parse_dotted(const char *s, struct when *w)
{
	int n = 0;

	if (sscanf(s, "%2d.%2d.%4d%n", &w->day, &w->month, &w->year, &n) != 3)
		return -1;
	if (w->year < 100)
		w->year += 2000;
	parse_clock(s + n, w);
	return 0;
}

/* Month and day either way round ("08/16/2022" in the US, "16/08/2022" in
 * Europe, as the Windows locale of the recording computer wrote them) are
 * read only when the numbers tell which is which: one of them above 12, or
 * both the same.  "03/04/2022" could be March or April: -1, the session
 * stays undated rather than risk a date a month off on a patient's report.
 * A year first (2022/08/16) is always year/month/day; a two-digit year
 * (16/08/22) is not read, as year/month/day could be meant too. */
static int parse_slashed(const char *s, struct when *w)
{
	int a, b, c, first = 0, n = 0;

	if (sscanf(s, "%4d%n/%2d/%4d%n", &a, &first, &b, &c, &n) != 3)
		return -1;
	if (first == 4) {
		w->year = a, w->month = b, w->day = c;
	} else if (a > 12 || a == b) {
		w->day = a, w->month = b, w->year = c;
	} else if (b > 12) {
		w->month = a, w->day = b, w->year = c;
	} else {
		return -1;
	}
	parse_clock(s + n, w);
	return 0;
}

static int month_named(const char *word)
{
	static const char *const names[12] = { "jan", "feb", "mar", "apr", "may", "jun",
					       "jul", "aug", "sep", "oct", "nov", "dec" };

	for (int m = 0; m < 12; m++)
		if (!strncasecmp(word, names[m], 3))
			return m + 1;
	return 0;
}

/* Words and numbers in any order: the month's name, a 4-digit year, the
 * day, then the clock (the first token with a ':'). */
static int parse_named(const char *s, struct when *w)
{
	char tok[64];
	int n;

	w->year = w->month = w->day = 0;
	for (s += strspn(s, " ,"); sscanf(s, "%63[^ ,]%n", tok, &n) == 1; s += n, s += strspn(s, " ,")) {
		if (strchr(tok, ':')) {
			parse_clock(s, w); /* with what follows it: a.m./p.m. */
			break;
		}
		if (isdigit((unsigned char)tok[0])) {
			int v = 0;
			sscanf(tok, "%d", &v);
			if (strlen(tok) == 4)
				w->year = v;
			else if (!w->day)
				w->day = v;
		} else if (!w->month) {
			w->month = month_named(tok);
		}
	}
	return w->year && w->month && w->day ? 0 : -1;
}

int ins_import_start_us(const char *text, int64_t *start_us)
{
	struct when w = { 0 };
	struct tm tm = { 0 };
	time_t t;

	if (!text || !*text)
		return -1;
	text += strspn(text, " \t");
	if (parse_iso(text, &w) < 0 && parse_dotted(text, &w) < 0 && parse_slashed(text, &w) < 0 &&
	    parse_named(text, &w) < 0)
		return -1;
	if (w.year < 1970 || w.year > 2200 || w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 ||
	    w.hour < 0 || w.hour > 23 || w.min < 0 || w.min > 59 || !(w.sec >= 0 && w.sec < 61))
		return -1;
	tm.tm_year = w.year - 1900;
	tm.tm_mon = w.month - 1;
	tm.tm_mday = w.day;
	tm.tm_hour = w.hour;
	tm.tm_min = w.min;
	tm.tm_sec = (int)floor(w.sec);
	tm.tm_isdst = -1;
	t = w.zoned ? timegm(&tm) - (time_t)w.offset_min * 60 : mktime(&tm);
	/* both normalise tm: a day past the month's end (30 February) moves */
	if (t == (time_t)-1 || tm.tm_mday != w.day || tm.tm_mon != w.month - 1)
		return -1;
	*start_us = (int64_t)t * 1000000 + (int64_t)llround((w.sec - floor(w.sec)) * 1e6);
	return 0;
}
