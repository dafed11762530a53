/* Strict conversions of configuration and command-line text to numbers,
 * shared by the daemon's configuration, the emulator, layouts and the
 * synthetic-subject options.  "Strict": the whole text is the number
 * (leading white space is skipped as strtod does, nothing may follow), it is
 * finite and in range of its type; "12abc", "", "nan", "1e999" are refused. */
#ifndef INSOLED_PARSE_H
#define INSOLED_PARSE_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

/* s without leading and trailing white space (the trailing is cut in place). */
char *ins_trim(char *s);

/* 0 with *out, or -1 (out unspecified) when text is not a whole finite number. */
int ins_parse_double(const char *text, double *out);
/* A signed decimal integer. */
int ins_parse_long(const char *text, long *out);
/* An unsigned integer without any sign; base as strtoull's (0: 0x1f hex,
 * 017 octal, else decimal). */
int ins_parse_u64(const char *text, int base, uint64_t *out);

/* The same with a range, and err = "KEY: 'TEXT' is not a number between LO
 * and HI" (or "... a whole number ...") on failure. */
int ins_parse_double_in(const char *key, const char *text, double lo, double hi, double *out, char *err,
			size_t errlen);
int ins_parse_ulong_in(const char *key, const char *text, unsigned long lo, unsigned long hi, unsigned long *out,
		       char *err, size_t errlen);

#pragma GCC visibility pop

#endif
