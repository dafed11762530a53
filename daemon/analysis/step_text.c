/* The STEP document and the steps.csv row written straight into a buffer:
 * `insoled --analyze` prints thousands of steps a second, and building a
 * jansson tree and formatting each number with printf cost more than the
 * analysis.  The text is byte for byte what ins_step_json() + json_dumps(
 * JSON_COMPACT | JSON_REAL_PRECISION(9)) and the "%.9g" CSV give (the unit
 * tests compare them on many values). */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "insoled/analysis_json.h"

#define G9_DIGITS 9
/* The fast path covers what %g prints without an exponent at 9 digits. */
#define G9_EXP_MIN (-4)
#define G9_EXP_MAX 8
/* Rounding a scaled value below 2^30 is decided with an error of at most
 * 2^-23 (one rounding of an exact product); closer to a half than this,
 * printf decides. */
#define G9_HALF_MARGIN 1e-6

static const double g9_pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12 };
static const double g9_pow10_neg[] = { 1e0, 1e-1, 1e-2, 1e-3, 1e-4 };

/* The 9 significant digits of a (> 0) with decimal exponent *e, or -1 when
 * printf must decide (exponent outside the fast range, a near-tie). */
static int g9_digits(double a, int *e, uint64_t *m)
{
	int exp10 = 0;

	/* floor(log10(a)) by comparisons (log10 cost more than the rest of
	 * the number); an estimate one off is corrected below */
	if (a < 1e-4 || a >= 1e9)
		return -1;
	if (a >= 1.0)
		while (exp10 < G9_EXP_MAX && a >= g9_pow10[exp10 + 1])
			exp10++;
	else
		while (exp10 > G9_EXP_MIN && a < g9_pow10_neg[-exp10])
			exp10--;

	for (int tries = 0; tries < 3; tries++) {
		double r, whole;

		if (exp10 < G9_EXP_MIN || exp10 > G9_EXP_MAX)
			return -1;
		r = a * g9_pow10[G9_DIGITS - 1 - exp10];
		whole = floor(r);
		if (fabs(r - whole - 0.5) < G9_HALF_MARGIN)
			return -1;
		*m = (uint64_t)whole + (r - whole > 0.5);
		if (*m < 100000000u) {
			exp10--;
			continue;
		}
		if (*m >= 1000000000u) {
			if (r < 1e9) {    /* 999999999.5 and up rounds to 1e9: the next power */
				*m = 100000000u;
				exp10++;
				if (exp10 > G9_EXP_MAX)
					return -1;
			} else {
				exp10++;
				continue;
			}
		}
		*e = exp10;
		return 0;
	}
	return -1;
}

/* v as printf's "%.9g" into out (at least 32 bytes); returns the length. */
static int fmt_g9(char *out, double v)
{
	char digits[G9_DIGITS];
	uint64_t m;
	int e, n = 0, last;

	if (v == 0 || !isfinite(v) || g9_digits(fabs(v), &e, &m) < 0)
		return snprintf(out, 32, "%.9g", v);
	for (int i = G9_DIGITS - 1; i >= 0; i--, m /= 10)
		digits[i] = (char)('0' + m % 10);
	for (last = G9_DIGITS - 1; last > 0 && digits[last] == '0' && last > e; last--)
		;
	if (v < 0)
		out[n++] = '-';
	if (e >= 0) {
		memcpy(out + n, digits, (size_t)e + 1);
		n += e + 1;
		if (last > e) {
			out[n++] = '.';
			memcpy(out + n, digits + e + 1, (size_t)(last - e));
			n += last - e;
		}
	} else {
		out[n++] = '0';
		out[n++] = '.';
		for (int z = 0; z < -e - 1; z++)
			out[n++] = '0';
		memcpy(out + n, digits, (size_t)last + 1);
		n += last + 1;
	}
	out[n] = '\0';
	return n;
}

/* As jansson writes a real: "%.9g", a ".0" when that reads as an integer,
 * and the exponent without '+' and leading zeros ("1e+05" -> "1e5"). */
static int fmt_json_real(char *out, double v)
{
	int n = fmt_g9(out, v);
	char *e = strchr(out, 'e');

	if (!e && !strchr(out, '.')) {
		memcpy(out + n, ".0", 3);
		return n + 2;
	}
	if (e) {
		char *start = e + 1, *end;

		if (*start == '+') {
			memmove(start, start + 1, strlen(start));
			n--;
		}
		if (*start == '-')
			start++;
		for (end = start; *end == '0' && end[1]; end++)
			;
		if (end != start) {
			memmove(start, end, strlen(end) + 1);
			n -= (int)(end - start);
		}
	}
	return n;
}

struct text_out {
	char *buf;
	size_t len, cap;
	int full;
};

static void put(struct text_out *o, const char *s, size_t n)
{
	if (o->full || o->len + n >= o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_str(struct text_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_int(struct text_out *o, long long v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(o, p, (size_t)(tmp + sizeof tmp - p));
}

static int finish(struct text_out *o)
{
	if (o->full) {
		if (o->cap > 0)
			o->buf[0] = '\0';
		return -1;
	}
	o->buf[o->len] = '\0';
	return (int)o->len;
}

int ins_step_json_text(const struct ins_step *step, char *buf, size_t buflen)
{
	struct text_out o = { buf, 0, buflen, buflen == 0 };
	char num[40];

	put_str(&o, "{\"foot\":\"");
	put_str(&o, ins_foot_name(step->foot));
	put_str(&o, "\",\"index\":");
	put_int(&o, step->index);
	put_str(&o, ",\"flags\":");
	put_int(&o, step->flags);
	put_str(&o, ",\"contact_us\":");
	put_int(&o, step->contact_us);
	put_str(&o, ",\"toe_off_us\":");
	put_int(&o, step->toe_off_us);
	put_str(&o, ",\"metrics\":{");
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		put_str(&o, i ? ",\"" : "\"");
		put_str(&o, ins_step_metric_info[i].name);
		put_str(&o, "\":");
		if (isfinite(step->m[i]))
			put(&o, num, (size_t)fmt_json_real(num, step->m[i]));
		else
			put_str(&o, "null");
	}
	put_str(&o, "}}");
	return finish(&o);
}

int ins_step_csv_row(const struct ins_step *step, char *buf, size_t buflen)
{
	struct text_out o = { buf, 0, buflen, buflen == 0 };
	char num[40];

	put_str(&o, ins_foot_name(step->foot));
	put_str(&o, ",");
	put_int(&o, step->index);
	put_str(&o, ",");
	put_int(&o, step->flags);
	put_str(&o, ",");
	put_int(&o, step->contact_us);
	put_str(&o, ",");
	put_int(&o, step->toe_off_us);
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		put_str(&o, ",");
		if (isfinite(step->m[i]))
			put(&o, num, (size_t)fmt_g9(num, step->m[i]));
	}
	return finish(&o);
}
