/* Line reading, field splitting and number parsing shared by the text
 * formats.  A line is read into a bounded buffer: a recording never makes
 * us allocate more than INS_IMPORT_LINE_MAX (or the longer lines a reader
 * allows, import_text_allow_lines()), and every malformed byte is reported
 * with its file and line. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_priv.h"
#include "insoled/utf8.h"

#define UTF8_BOM "\xef\xbb\xbf"

/* Messages quote bytes from damaged files and end up in JSON and logs:
 * control characters and invalid UTF-8 become '?'. */
static void sanitize_message(char *msg)
{
	unsigned char *p = (unsigned char *)msg, *end = p + strlen(msg);

	while (*p) {
		size_t n = ins_utf8_seq_len(p, (size_t)(end - p));

		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

void import_errf(char *err, size_t errlen, const char *path, unsigned long line,
		 const char *field, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line && field)
		snprintf(err, errlen, "%s:%lu: %s: %s", path, line, field, msg);
	else if (line)
		snprintf(err, errlen, "%s:%lu: %s", path, line, msg);
	else if (field)
		snprintf(err, errlen, "%s: %s: %s", path, field, msg);
	else
		snprintf(err, errlen, "%s: %s", path, msg);
	sanitize_message(err);
}

/* UTF-16 bytes converted per read; each 2-byte unit becomes at most 3
 * bytes of UTF-8 (a surrogate pair: 4 bytes from 4), so a block of the
 * line buffer always has room for what one read converts. */
#define TEXT_UTF16_RAW_MAX (64 * 1024)
/* Room kept free at the end of the line buffer for one converted character. */
#define TEXT_UTF8_CHAR_MAX 4

/* A UTF-16 byte-order mark at the start of the file: the encoding it
 * announces, the raw buffer allocated.  Other first bytes are kept in buf. */
static int text_sniff_encoding(struct import_text *t, char *err, size_t errlen)
{
	unsigned char bom[2];
	size_t got = fread(bom, 1, sizeof bom, t->fp);

	if (got == 2 && (bom[0] == 0xff && bom[1] == 0xfe))
		t->encoding = TEXT_UTF16LE;
	else if (got == 2 && (bom[0] == 0xfe && bom[1] == 0xff))
		t->encoding = TEXT_UTF16BE;
	if (t->encoding == TEXT_UTF8) {
		memcpy(t->buf, bom, got);
		t->len = got;
		return 0;
	}
	t->raw = malloc(TEXT_UTF16_RAW_MAX);
	if (!t->raw) {
		import_errf(err, errlen, t->path, 0, NULL, "out of memory for the UTF-16 buffer");
		return -1;
	}
	/* the mark itself becomes U+FEFF, a UTF-8 mark, skipped with the first line */
	memcpy(t->raw, bom, 2);
	t->raw_len = 2;
	return 0;
}

#define TEXT_TAIL_BLOCK 65536 /* bytes read at a time looking back for the file's last text */

/* The NUL bytes that end fp, a file of UTF-8 or ASCII text; its length in
 * *size.  The read position is kept. */
static unsigned long long text_zero_tail(FILE *fp, unsigned long long *size)
{
	static const char zeros[TEXT_TAIL_BLOCK];
	char block[TEXT_TAIL_BLOCK];
	off_t here = ftello(fp), end, at;
	unsigned long long tail = 0;

	*size = 0;
	if (here < 0 || fseeko(fp, 0, SEEK_END) < 0 || (end = ftello(fp)) < 0)
		return 0;
	*size = (unsigned long long)end;
	for (at = end; at > 0;) {
		size_t n = at < TEXT_TAIL_BLOCK ? (size_t)at : TEXT_TAIL_BLOCK, k = n;

		at -= (off_t)n;
		if (fseeko(fp, at, SEEK_SET) < 0 || fread(block, 1, n, fp) != n)
			break;
		if (memcmp(block, zeros, n) != 0) {
			while (block[k - 1] == '\0')
				k--;
			tail += n - k;
			break;
		}
		tail += n;
	}
	return fseeko(fp, here, SEEK_SET) < 0 ? 0 : tail;
}

unsigned long long import_zero_tail(const char *path, unsigned long long *size)
{
	FILE *fp = fopen(path, "rb");
	unsigned char bom[2];
	unsigned long long tail = 0;

	*size = 0;
	if (!fp)
		return 0;
	if (fread(bom, 1, 2, fp) < 2 || !((bom[0] == 0xff && bom[1] == 0xfe) || (bom[0] == 0xfe && bom[1] == 0xff)))
		tail = text_zero_tail(fp, size);
	fclose(fp);
	return tail;
}

int import_text_open(struct import_text *t, const char *path, char *err, size_t errlen)
{
	unsigned long long size = 0;

	memset(t, 0, sizeof *t);
	t->path = path;
	t->fp = fopen(path, "rb");
	if (!t->fp) {
		import_errf(err, errlen, path, 0, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	t->cap = t->line_max = INS_IMPORT_LINE_MAX;
	t->buf = malloc(t->cap + 1);
	if (!t->buf) {
		import_errf(err, errlen, path, 0, NULL, "out of memory for the line buffer");
		goto fail;
	}
	if (text_sniff_encoding(t, err, errlen) < 0)
		goto fail;
	t->data_left = ULLONG_MAX;
	if (t->encoding == TEXT_UTF8 && (t->zero_tail = text_zero_tail(t->fp, &size)) > 0)
		t->data_left = size - t->zero_tail > t->len ? size - t->zero_tail - t->len : 0;
	if (t->zero_tail && t->len > size - t->zero_tail)
		t->len = (size_t)(size - t->zero_tail); /* the first bytes were NULs of the tail */
	return 0;
fail:
	import_text_close(t);
	return -1;
}

void import_text_close(struct import_text *t)
{
	if (t->fp)
		fclose(t->fp);
	free(t->buf);
	free(t->raw);
	memset(t, 0, sizeof *t);
}

static size_t utf8_put(char *out, uint32_t cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned utf16_unit(const struct import_text *t, size_t i)
{
	return t->encoding == TEXT_UTF16LE ? (unsigned)t->raw[i] | (unsigned)t->raw[i + 1] << 8
					   : (unsigned)t->raw[i] << 8 | (unsigned)t->raw[i + 1];
}

/* The code point at raw[*i] (advanced past it), U+FFFD for an unpaired
 * surrogate or an odd last byte; 0 when raw holds no more, or only part
 * of a character whose rest is not read yet. */
static int utf16_next(const struct import_text *t, size_t *i, int at_eof, uint32_t *cp)
{
	size_t left = t->raw_len - *i;
	unsigned u, lo;

	if (left == 0)
		return 0;
	if (left < 2 || (left < 4 && (utf16_unit(t, *i) & 0xfc00) == 0xd800)) {
		if (!at_eof)
			return 0;
		if (left < 2) {
			*cp = 0xfffd;
			*i += left;
			return 1;
		}
	}
	u = utf16_unit(t, *i);
	*i += 2;
	*cp = u;
	if ((u & 0xfc00) == 0xdc00) {
		*cp = 0xfffd;
	} else if ((u & 0xfc00) == 0xd800) {
		lo = left >= 4 ? utf16_unit(t, *i) : 0;
		if ((lo & 0xfc00) != 0xdc00) {
			*cp = 0xfffd;
		} else {
			*cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			*i += 2;
		}
	}
	return 1;
}

/* Read UTF-16 and append it to buf as UTF-8.  Bytes appended, 0 at end of
 * file, -1 on a read error. */
static long text_fill_utf16(struct import_text *t)
{
	size_t before = t->len;

	while (t->len == before) {
		size_t room = TEXT_UTF16_RAW_MAX - t->raw_len, got, i = 0;
		uint32_t cp;
		int at_eof;

		got = fread(t->raw + t->raw_len, 1, room, t->fp);
		if (got == 0 && ferror(t->fp))
			return -1;
		t->raw_len += got;
		at_eof = got < room && feof(t->fp);
		while (t->len + TEXT_UTF8_CHAR_MAX <= t->cap && utf16_next(t, &i, at_eof, &cp))
			t->len += utf8_put(t->buf + t->len, cp);
		memmove(t->raw, t->raw + i, t->raw_len - i);
		t->raw_len -= i;
		if (at_eof && t->raw_len == 0)
			break;
	}
	return (long)(t->len - before);
}

/* Move the unread bytes to the front and read more.  Returns bytes read,
 * 0 at end of file, -1 on a read error. */
static long text_fill(struct import_text *t)
{
	size_t got;

	if (t->start > 0) {
		memmove(t->buf, t->buf + t->start, t->len - t->start);
		t->len -= t->start;
		t->start = 0;
	}
	if (t->encoding != TEXT_UTF8)
		return text_fill_utf16(t);
	got = t->cap - t->len;
	got = fread(t->buf + t->len, 1, t->data_left < got ? (size_t)t->data_left : got, t->fp);
	if (got == 0 && ferror(t->fp))
		return -1;
	t->len += got;
	t->data_left -= got;
	return (long)got;
}

static int text_check_line(struct import_text *t, char *line, size_t n, char *err, size_t errlen)
{
	const char *nul = memchr(line, '\0', n);
	const char *stray;

	if (nul) {
		/* "1\0.\0" is UTF-16 written without the byte-order mark */
		import_errf(err, errlen, t->path, t->lineno, NULL,
			    "binary data (NUL byte at column %zu): not a text recording or a damaged file%s",
			    (size_t)(nul - line) + 1,
			    t->lineno == 1 && nul - line <= 1 ? " (or UTF-16 text without a byte-order mark: "
								"save it as UTF-8)" : "");
		return -1;
	}
	/* LF and CRLF may be mixed; a CR alone in such a file is a damaged
	 * file, and would otherwise show up as a strange number */
	stray = memchr(line, t->eol == '\r' ? '\n' : '\r', n);
	if (stray && t->eol == '\r') {
		import_errf(err, errlen, t->path, t->lineno, NULL,
			    "line feed (LF) at column %zu in a file whose lines end with CR alone",
			    (size_t)(stray - line) + 1);
		return -1;
	}
	if (stray) {
		import_errf(err, errlen, t->path, t->lineno, NULL,
			    "carriage return (CR) alone at column %zu: lines must end with LF or CRLF",
			    (size_t)(stray - line) + 1);
		return -1;
	}
	return 0;
}

/* The file's line end, from its first one: '\n' for LF or CRLF (or
 * CRCRLF, what a CRLF file converted once more becomes), '\r' for CR alone;
 * 0 while the n bytes at p do not tell (no line end yet, or CRs that are
 * the last bytes read so far, possibly the first half of a CRLF). */
static char text_first_eol(const char *p, size_t n, int at_eof)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			return '\n';
		if (p[i] == '\r') {
			while (i < n && p[i] == '\r')
				i++;
			if (i < n)
				return p[i] == '\n' ? '\n' : '\r';
			return at_eof ? '\r' : 0;
		}
	}
	return 0;
}

/* No line end in the unread bytes and nothing more to read: the end of
 * the file, or a last line cut short.  A CR last in an LF file ends its
 * line: CRLF's LF lost, or CRCRLF's, with the end of a copy, or a program
 * that ends the last line alone with CR; and an LF last in a CR file is
 * the end of the CRLF that ended its last line (a tool that adds a final
 * line end to the text it saves). */
static int text_at_eof(struct import_text *t, char **nl, char *err, size_t errlen)
{
	if (t->len == t->start)
		return 0;
	if (t->eol == '\n' && t->buf[t->len - 1] == '\r') {
		*nl = t->buf + t->len - 1;
		return 1;
	}
	if (t->eol == '\r' && t->len - t->start == 1 && t->buf[t->start] == '\n') {
		t->start = t->len; /* a CR file whose last line ends with CRLF */
		return 0;
	}
	if (t->allow_unterminated && t->len < t->cap) {
		t->buf[t->len] = t->eol ? t->eol : '\n';
		t->unterminated = 1;
		*nl = t->buf + t->len++;
		return 1;
	}
	char zeros[160];

	import_errf(err, errlen, t->path, t->lineno + 1, NULL, "truncated file: the last line has no line end%s",
		    import_zero_tail_note(t, zeros, sizeof zeros));
	return -1;
}

const char *import_zero_tail_note(const struct import_text *t, char *buf, size_t len)
{
	if (!t->zero_tail)
		return "";
	snprintf(buf, len, ", and %llu NUL (zero) bytes follow it to the end of the file: " IMPORT_ZERO_TAIL_WHY,
		 t->zero_tail);
	return buf;
}

/* A buffer full of one line: twice the room, up to the longest line
 * allowed; -1 when that is reached (or memory is out). */
static int text_grow(struct import_text *t)
{
	size_t cap = t->cap * 2 < t->line_max ? t->cap * 2 : t->line_max;
	char *buf;

	if (cap <= t->cap || !(buf = realloc(t->buf, cap + 1)))
		return -1;
	t->buf = buf;
	t->cap = cap;
	return 0;
}

void import_text_allow_lines(struct import_text *t, size_t line_max)
{
	if (line_max > t->line_max)
		t->line_max = line_max;
}

/* Make the next line end be in buf: 1 with *nl at it, 0 at the end of
 * the file, -1 with err. */
static int text_find_eol(struct import_text *t, char **nl, char *err, size_t errlen)
{
	for (;;) {
		char *begin = t->buf + t->start;
		size_t avail = t->len - t->start;
		long got;

		if (!t->eol)
			t->eol = text_first_eol(begin, avail, 0);
		*nl = t->eol ? memchr(begin, t->eol, avail) : NULL;
		if (*nl)
			return 1;
		if (t->start == 0 && t->len + (t->raw ? TEXT_UTF8_CHAR_MAX : 0) >= t->cap && text_grow(t) < 0) {
			import_errf(err, errlen, t->path, t->lineno + 1, NULL,
				    t->cap < t->line_max ? "out of memory for a line of over %zu bytes"
							 : "line longer than %zu bytes: not a recording this reader knows",
				    t->cap);
			return -1;
		}
		got = text_fill(t);
		if (got < 0) {
			import_errf(err, errlen, t->path, t->lineno + 1, NULL, "read error: %s", strerror(errno));
			return -1;
		}
		if (got > 0)
			continue;
		if (!t->eol && (t->eol = text_first_eol(t->buf + t->start, t->len - t->start, 1)) != 0)
			continue; /* a CR last in the file */
		return text_at_eof(t, nl, err, errlen);
	}
}

int import_text_next(struct import_text *t, char **line, char *err, size_t errlen)
{
	char *nl, *begin;
	size_t n;
	int rc = text_find_eol(t, &nl, err, errlen);

	if (rc <= 0)
		return rc;
	begin = t->buf + t->start;
	t->lineno++;
	n = (size_t)(nl - begin);
	t->start += n + 1;
	while (t->eol == '\n' && n > 0 && begin[n - 1] == '\r')
		n--;
	begin[n] = '\0';
	if (text_check_line(t, begin, n, err, errlen) < 0)
		return -1;
	/* Windows editors may start a UTF-8 file with a byte-order mark */
	if (t->lineno == 1 && strncmp(begin, UTF8_BOM, sizeof UTF8_BOM - 1) == 0)
		begin += sizeof UTF8_BOM - 1;
	*line = begin;
	return 1;
}

int import_split(char *line, char sep, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n >= max)
			return -1;
		fields[n++] = p;
		p = strchr(p, sep);
		if (!p)
			return n;
		*p++ = '\0';
	}
}

static int is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

int import_split_blanks(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (is_blank_char(*p))
			p++;
		if (*p == '\0')
			return n;
		if (n >= max)
			return -1;
		fields[n++] = p;
		while (*p && !is_blank_char(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

const char *import_per_cm2(const char *s, const char *force)
{
	static const char *const squares[] = { "\xc2\xb2", "\xb2", "^2", "2" };
	size_t n = strlen(force);

	if (strncasecmp(s, force, n) != 0 || strncmp(s + n, "/cm", 3) != 0)
		return NULL;
	s += n + 3;
	for (size_t i = 0; i < sizeof squares / sizeof squares[0]; i++)
		if (strncmp(s, squares[i], strlen(squares[i])) == 0)
			return s + strlen(squares[i]);
	return NULL;
}

void import_trim_end(char *s, const char *chars)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(chars, s[n - 1]))
		s[--n] = '\0';
}

char *import_trim_blanks(char *s)
{
	size_t n;

	while (is_blank_char(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank_char(s[n - 1]))
		s[--n] = '\0';
	return s;
}

int import_is_blank(const char *s)
{
	while (is_blank_char(*s))
		s++;
	return *s == '\0';
}

/* Show at most this much of a bad field in a message. */
#define INS_IMPORT_SHOW_MAX 24

const double import_pow10[IMPORT_FAST_DIGITS_MAX + 1] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
							 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

/* A whole field that is a plain decimal (see import_pow10), at strtod's
 * rounding.  Returns 0, or -1 to leave the text to strtod (exponents,
 * long mantissas, anything unusual). */
static int parse_plain_decimal(const char *s, double *out)
{
	int negative = 0, digits = 0, frac = -1;
	int64_t mantissa = 0;

	if (*s == '-' || *s == '+')
		negative = *s++ == '-';
	for (; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || ++digits > IMPORT_FAST_DIGITS_MAX)
			return -1;
		mantissa = mantissa * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
	}
	if (digits == 0)
		return -1;
	*out = (double)mantissa / import_pow10[frac > 0 ? frac : 0];
	if (negative)
		*out = -*out;
	return 0;
}

/* Exponents and long mantissas ("1e-3", 40 digits of a spreadsheet's
 * "more decimals"), however long: s starts with a sign, a digit or a
 * point followed by digits (import_scan_number() saw them), so strtod reads
 * a decimal number there and stops at the first byte that is not one. */
int import_scan_number_slow(const char *s, const char **end, double *out)
{
	char *stop;

	errno = 0;
	*out = strtod(s, &stop);
	if (stop == s || !isfinite(*out) || errno == ERANGE)
		return -1;
	*end = stop;
	return 0;
}

/* Blanks around a field, but never the separator itself (a tab). */
static inline const char *skip_pad(const char *p, char sep)
{
	while (*p == ' ' || (*p == '\t' && sep != '\t'))
		p++;
	return p;
}

int import_scan_field(const char **p, char sep, double *out)
{
	const char *q = skip_pad(*p, sep);

	if (import_scan_number(q, &q, out) < 0 || fabs(*out) > INS_IMPORT_VALUE_MAX)
		return -1;
	q = skip_pad(q, sep);
	if (*q == sep)
		q++;
	else if (*q != '\0')
		return -1;
	*p = q;
	return 0;
}

const char *import_number_hint(const char *text, size_t n)
{
	size_t i = n > 0 && (text[0] == '-' || text[0] == '+');
	size_t before, after;

	before = i;
	while (i < n && text[i] >= '0' && text[i] <= '9')
		i++;
	before = i - before;
	if (before == 0 || i >= n || text[i] != ',')
		return "";
	after = ++i;
	while (i < n && text[i] >= '0' && text[i] <= '9')
		i++;
	if (i == after)
		return "";
	return ": a decimal comma? Numbers need '.' as the decimal point: export the file again with '.' (set "
	       "by the exporting program's or Windows' number format)";
}

/* "1e400": the n bytes at s are a number in form that no double holds
 * (strtod's ERANGE). */
static int scan_overflows(const char *s, size_t n)
{
	char *stop;
	double v;

	if (n == 0 || strspn(s, "0123456789+-.eE") < n)
		return 0;
	errno = 0;
	v = strtod(s, &stop);
	return stop == s + n && isinf(v) && errno == ERANGE;
}

void import_scan_errf(char *err, size_t errlen, const char *path, unsigned long line, const char *field,
		      const char *p, char sep)
{
	const char *q = skip_pad(p, sep);
	const char *stop = strchr(q, sep);
	int n = stop ? (int)(stop - q) : (int)strlen(q);
	double v;

	while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t'))
		n--;
	if (n == 0)
		import_errf(err, errlen, path, line, field, "empty, a number is required");
	else if ((import_scan_number(q, &p, &v) == 0 && p == q + n && fabs(v) > INS_IMPORT_VALUE_MAX) ||
		 scan_overflows(q, (size_t)n))
		import_errf(err, errlen, path, line, field,
			    "'%.*s' is beyond any insole (at most %g in magnitude): a damaged file?",
			    n < INS_IMPORT_SHOW_MAX ? n : INS_IMPORT_SHOW_MAX, q, INS_IMPORT_VALUE_MAX);
	else
		import_errf(err, errlen, path, line, field, "'%.*s' is not a number%s",
			    n < INS_IMPORT_SHOW_MAX ? n : INS_IMPORT_SHOW_MAX, q, import_number_hint(q, (size_t)n));
}

/* The longest text parse_plain_decimal() reads: its digits, a sign, a point. */
#define PLAIN_DECIMAL_MAX (IMPORT_FAST_DIGITS_MAX + 2)

/* What parse_plain_decimal() leaves: padding, exponents, long mantissas
 * and text that is no number.  Out of line (cold), so that the fast path
 * of every field keeps its few registers. */
static int __attribute__((cold, noinline))
parse_number_slow(const char *text, double *out, const char *path, unsigned long line, const char *field,
		  char *err, size_t errlen)
{
	const char *b = import_skip_blanks(text);
	size_t n = strlen(b);
	int show;
	char *end;
	double v;

	/* blanks around a number (an editor's, a spreadsheet's padding) do not
	 * change it: the number between them is read, however long */
	while (n > 0 && is_blank_char(b[n - 1]))
		n--;
	if (n == 0) {
		import_errf(err, errlen, path, line, field, "empty, a number is required");
		return -1;
	}
	if ((b != text || b[n] != '\0') && n <= PLAIN_DECIMAL_MAX) {
		/* short enough to be a plain decimal: read it unpadded, fast */
		char plain[PLAIN_DECIMAL_MAX + 1];

		memcpy(plain, b, n);
		plain[n] = '\0';
		return import_parse_number(plain, out, path, line, field, err, errlen);
	}
	show = n < INS_IMPORT_SHOW_MAX ? (int)n : INS_IMPORT_SHOW_MAX;
	errno = 0;
	v = strtod(b, &end);
	/* strtod also reads C99 hexadecimal floats, which no recording holds,
	 * and skips other white space (a form feed, a vertical tab) */
	if (end != b + n || isspace((unsigned char)*b) || memchr(b, 'x', n) || memchr(b, 'X', n)) {
		import_errf(err, errlen, path, line, field, "'%.*s' is not a number%s", show, b,
			    import_number_hint(b, n));
		return -1;
	}
	if (!isfinite(v) || errno == ERANGE) {
		import_errf(err, errlen, path, line, field, "'%.*s' is not a finite number", show, b);
		return -1;
	}
	*out = v;
	return 0;
}

int import_parse_number(const char *text, double *out, const char *path, unsigned long line,
			const char *field, char *err, size_t errlen)
{
	if (parse_plain_decimal(text, out) == 0)
		return 0;
	return parse_number_slow(text, out, path, line, field, err, errlen);
}

int import_parse_value(const char *text, double *out, const char *path, unsigned long line,
		       const char *field, char *err, size_t errlen)
{
	if (import_parse_number(text, out, path, line, field, err, errlen) < 0)
		return -1;
	if (fabs(*out) > INS_IMPORT_VALUE_MAX) {
		import_errf(err, errlen, path, line, field,
			    "'%.*s' is beyond any insole (at most %g in magnitude): a damaged file?",
			    INS_IMPORT_SHOW_MAX, text, INS_IMPORT_VALUE_MAX);
		return -1;
	}
	return 0;
}

int import_parse_seconds(const char *text, int64_t *t_us, const char *path, unsigned long line,
			 const char *field, char *err, size_t errlen)
{
	double t;

	if (import_parse_number(text, &t, path, line, field, err, errlen) < 0)
		return -1;
	if (fabs(t) > INS_IMPORT_TIME_MAX_S) {
		import_errf(err, errlen, path, line, field, "'%.*s' s is outside -%g..%g s",
			    INS_IMPORT_SHOW_MAX, text, INS_IMPORT_TIME_MAX_S, INS_IMPORT_TIME_MAX_S);
		return -1;
	}
	*t_us = llround(t * 1e6);
	return 0;
}

void import_copy_text(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (dstlen == 0)
		return;
	if (n >= dstlen) {
		n = dstlen - 1;
		/* do not cut a UTF-8 sequence in half */
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Windows-1252's 0x80..0x9f (0: unassigned); 0xa0..0xff are Latin-1's. */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static int is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n;

	for (; p < end; p += n)
		if ((n = ins_utf8_seq_len(p, (size_t)(end - p))) == 0)
			return 0;
	return 1;
}

void import_copy_label(char *dst, size_t dstlen, const char *src)
{
	size_t o = 0;

	if (is_utf8(src)) {
		import_copy_text(dst, dstlen, src);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)src; *p && dstlen > 0; p++) {
		uint32_t cp = *p < 0x80 ? *p : *p < 0xa0 ? cp1252_high[*p - 0x80] : *p;
		char one[TEXT_UTF8_CHAR_MAX];
		size_t n = utf8_put(one, cp ? cp : 0xfffd);

		if (o + n >= dstlen)
			break;
		memcpy(dst + o, one, n);
		o += n;
	}
	if (dstlen > 0)
		dst[o] = '\0';
}
