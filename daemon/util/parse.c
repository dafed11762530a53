/* Strict number parsing (parse.h). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/parse.h"

char *ins_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int ins_parse_double(const char *text, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	return end == text || *end != '\0' || errno || !isfinite(*out) ? -1 : 0;
}

int ins_parse_long(const char *text, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(text, &end, 10);
	return end == text || *end != '\0' || errno ? -1 : 0;
}

int ins_parse_u64(const char *text, int base, uint64_t *out)
{
	const char *p = text;
	char *end;
	unsigned long long v;

	/* strtoull takes "-1" as 2^64 - 1: a sign is refused before it sees one. */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-' || *p == '+')
		return -1;
	errno = 0;
	v = strtoull(p, &end, base);
	if (end == p || *end != '\0' || errno)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int ins_parse_double_in(const char *key, const char *text, double lo, double hi, double *out, char *err,
			size_t errlen)
{
	double v;

	if (ins_parse_double(text, &v) < 0 || !(v >= lo && v <= hi)) {
		snprintf(err, errlen, "%s: '%s' is not a number between %g and %g", key, text, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int ins_parse_ulong_in(const char *key, const char *text, unsigned long lo, unsigned long hi, unsigned long *out,
		       char *err, size_t errlen)
{
	uint64_t v;

	if (ins_parse_u64(text, 10, &v) < 0 || v < lo || v > hi) {
		snprintf(err, errlen, "%s: '%s' is not a whole number between %lu and %lu", key, text, lo, hi);
		return -1;
	}
	*out = (unsigned long)v;
	return 0;
}
