/* Protocol v1 parser (docs/protocol.md), and the encoders' struct ins_frame
 * front end over the shared encoder in proto_encode.c.  Pure: no I/O, and no
 * allocation after ins_proto_new().
 *
 * Bytes are copied into a window big enough for the largest frame or line
 * plus one read chunk; candidates are decoded in place.  A rejected
 * candidate gives up only the bytes that cannot belong to anything valid,
 * and the next byte is looked at again from the ground state (as gpsd's
 * packet splitter does), so garbage never costs a later valid frame. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/protocol.h"

/* Bytes accepted into the window per refill, on top of the largest item:
 * big enough that the copy and the loop around it are noise next to the
 * CRC, small enough to stay in L2 cache. */
#define PROTO_FEED_CHUNK 65536u
/* A seq at most this far behind the previous one is an out-of-order or
 * replayed frame and dropped; further back means the device restarted its
 * counter (serial links do not reorder, so a short window suffices). */
#define PROTO_REORDER_WINDOW 8u
/* Forward seq jumps up to this are losses; beyond it (a billion frames, 4
 * months at 200 Hz) they can only be a restart. */
#define PROTO_MAX_GAP 0x80000000u
/* A device clock step of half its range or more backwards is a jump
 * (reset, glitch), not a wrap: wraps move forward by a small step. */
#define PROTO_CLOCK_HALF 0x80000000u

/* ---- CRC-16/CCITT-FALSE, slicing-by-8 ----------------------------------
 * crc_table[k][b] is the CRC register after byte b followed by k zero bytes
 * (register starting at 0), so eight bytes fold into eight lookups. */
static uint16_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_tables_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint16_t c = (uint16_t)(b << 8);

		for (int i = 0; i < 8; i++)
			c = (uint16_t)((c & 0x8000) ? (c << 1) ^ 0x1021 : c << 1);
		crc_table[0][b] = c;
	}
	for (unsigned k = 1; k < 8; k++)
		for (unsigned b = 0; b < 256; b++) {
			uint16_t prev = crc_table[k - 1][b];

			crc_table[k][b] = (uint16_t)((prev << 8) ^ crc_table[0][prev >> 8]);
		}
}

uint16_t ins_crc16(uint16_t crc, const void *data, size_t len)
{
	const uint8_t *d = data;

	pthread_once(&crc_once, crc_tables_init);
	while (len >= 8) {
		crc = (uint16_t)(crc_table[7][d[0] ^ (crc >> 8)] ^ crc_table[6][d[1] ^ (crc & 0xFF)] ^
				 crc_table[5][d[2]] ^ crc_table[4][d[3]] ^ crc_table[3][d[4]] ^
				 crc_table[2][d[5]] ^ crc_table[1][d[6]] ^ crc_table[0][d[7]]);
		d += 8;
		len -= 8;
	}
	while (len--)
		crc = (uint16_t)((crc << 8) ^ crc_table[0][((crc >> 8) ^ *d++) & 0xFF]);
	return crc;
}

/* ---- little-endian helpers ---------------------------------------------- */

static inline uint16_t get_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t get_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static void copy_le16_values(uint16_t *dst, const uint8_t *src, unsigned n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(dst, src, 2u * n);
#else
	for (unsigned i = 0; i < n; i++)
		dst[i] = get_le16(src + 2 * i);
#endif
}

/* ---- encoders ----------------------------------------------------------- */

static int frame_encodable(const struct ins_frame *f)
{
	return f && f->values && f->n >= 1 && f->n <= INS_MAX_SENSORS && f->foot < INS_FOOT_COUNT;
}

size_t ins_proto_encode_binary(const struct ins_frame *f, uint8_t *buf, size_t cap)
{
	if (!frame_encodable(f))
		return 0;
	return ins_proto_put_binary(buf, cap, f->foot, f->seq, f->t_dev, f->values, f->n);
}

size_t ins_proto_encode_ascii(const struct ins_frame *f, unsigned flags, char *buf, size_t cap)
{
	if (!frame_encodable(f))
		return 0;
	return ins_proto_put_ascii(buf, cap, flags, f->foot, f->seq, f->t_dev, f->values, f->n);
}

/* ---- parser state ------------------------------------------------------- */

struct foot_track {
	int live;          /* a frame of this foot arrived since the last stream reset */
	int ever;          /* t_us holds a time: later streams continue after it */
	uint32_t seq;      /* last accepted seq */
	uint32_t t_dev;    /* last accepted device time, in its own unit */
	unsigned unit_us;  /* 1 for binary (us), 1000 for ASCII (ms) */
	int64_t t_us;      /* last unwrapped time */
	int64_t step_us;   /* last interval between frames, to bridge re-bases */
	int64_t resume_gap_us; /* set by ins_proto_reset_stream */
	int64_t last_read_us;  /* host time of the read that brought the last accepted frame, 0: none */
	uint32_t bare_seq; /* seq given to bare lines, which carry none */
};

struct ins_proto {
	struct ins_proto_config cfg;
	unsigned max_n;
	size_t line_max;
	uint8_t *win;
	size_t cap, start, end;
	size_t scan;       /* bytes of the pending line candidate already checked */
	int discarding;    /* inside an overlong line: drop until its end */
	int discard_comment;
	int in_garbage;    /* the last thing skipped was garbage (for resyncs) */
	int after_line;    /* the last item was an ASCII line: CR/LF now are blank lines */
	uint16_t *values;
	int64_t read_us;   /* ins_proto_set_read_time(), 0: never given */
	struct foot_track track[INS_FOOT_COUNT];
	struct ins_proto_stats st;
};

struct ins_proto *ins_proto_new(const struct ins_proto_config *cfg, char *err, size_t errlen)
{
	struct ins_proto *p = calloc(1, sizeof(*p));
	size_t item_max;

	if (!p)
		goto nomem;
	p->cfg = *cfg;
	p->max_n = cfg->max_n == 0 || cfg->max_n > INS_MAX_SENSORS ? INS_MAX_SENSORS : cfg->max_n;
	if (cfg->expected_n > p->max_n) {
		snprintf(err, errlen, "protocol: expected_n %u is larger than max_n %u", cfg->expected_n,
			 p->max_n);
		free(p);
		return NULL;
	}
	if (cfg->bare_foot >= INS_FOOT_COUNT || cfg->bare_foot < -1) {
		snprintf(err, errlen, "protocol: bare_foot %d is not -1, %d (left) or %d (right)",
			 cfg->bare_foot, INS_FOOT_LEFT, INS_FOOT_RIGHT);
		free(p);
		return NULL;
	}
	p->line_max = INS_PROTO_LINE_MAX(p->max_n);
	item_max = INS_PROTO_BINARY_SIZE(p->max_n);
	if (item_max < p->line_max + 2)
		item_max = p->line_max + 2; /* the line, its terminator, one byte of lookahead */
	p->cap = item_max + PROTO_FEED_CHUNK;
	p->win = malloc(p->cap);
	p->values = malloc(sizeof(uint16_t) * p->max_n);
	if (!p->win || !p->values)
		goto nomem;
	return p;
nomem:
	snprintf(err, errlen, "protocol: out of memory for a parser of %u values", p ? p->max_n : 0);
	ins_proto_free(p);
	return NULL;
}

void ins_proto_free(struct ins_proto *p)
{
	if (!p)
		return;
	free(p->win);
	free(p->values);
	free(p);
}

void ins_proto_reset_stream(struct ins_proto *p, int64_t gap_us)
{
	p->start = p->end = p->scan = 0;
	p->discarding = p->in_garbage = p->after_line = 0;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		p->track[f].live = 0;
		p->track[f].resume_gap_us = gap_us > 0 ? gap_us : 0;
	}
}

void ins_proto_set_read_time(struct ins_proto *p, int64_t now_us)
{
	p->read_us = now_us;
}

size_t ins_proto_pending(const struct ins_proto *p)
{
	return p->end - p->start;
}

void ins_proto_get_stats(const struct ins_proto *p, struct ins_proto_stats *out)
{
	*out = p->st;
}

/* ---- skipping ------------------------------------------------------------ */

static enum ins_proto_result skip_garbage(struct ins_proto *p, size_t n)
{
	p->st.garbage_bytes += n;
	p->after_line = 0;
	if (!p->in_garbage) {
		p->st.resyncs++;
		p->in_garbage = 1;
	}
	p->start += n;
	p->scan = 0;
	return INS_PROTO_SKIP;
}

static enum ins_proto_result drop_line(struct ins_proto *p, size_t n, uint64_t *counter)
{
	(*counter)++;
	p->st.dropped_bytes += n;
	p->start += n;
	p->scan = 0;
	return INS_PROTO_SKIP;
}

/* ---- sequence and clock ---------------------------------------------------
 * Returns 1 to deliver the frame (t_us set), 0 to drop it (counted). */
static int track_frame(struct ins_proto *p, unsigned foot, int has_seq, uint32_t seq, uint32_t t_dev,
		       unsigned unit_us, int64_t *t_us)
{
	struct foot_track *t = &p->track[foot];
	uint32_t dseq, dt;

	if (!t->live || t->unit_us != unit_us) {
		/* First frame of a stream: the timeline starts at the device
		 * clock, or resumes after the last frame of an earlier stream. */
		int64_t gap = p->read_us && t->last_read_us ? p->read_us - t->last_read_us : t->resume_gap_us;

		if (t->ever)
			t->t_us += (gap > t->step_us ? gap : t->step_us) + 1;
		else
			t->t_us = (int64_t)t_dev * unit_us;
		t->resume_gap_us = 0;
		t->live = t->ever = 1;
		t->unit_us = unit_us;
		goto accept;
	}
	if (has_seq) {
		dseq = seq - t->seq;
		if (dseq == 0) {
			p->st.duplicates++;
			return 0;
		}
		if (dseq > UINT32_MAX - PROTO_REORDER_WINDOW) {
			p->st.out_of_order++;
			return 0;
		}
		if (dseq > PROTO_MAX_GAP) {
			p->st.seq_resets++;
			t->t_us += t->step_us > 0 ? t->step_us : 1;
			goto accept;
		}
		if (dseq > 1) {
			p->st.seq_gaps++;
			p->st.frames_lost += dseq - 1;
		}
	}
	dt = t_dev - t->t_dev;
	if (dt >= PROTO_CLOCK_HALF) {
		p->st.clock_jumps++;
		t->t_us += t->step_us > 0 ? t->step_us : 1;
		goto accept;
	}
	if (t_dev < t->t_dev)
		p->st.clock_wraps++;
	t->step_us = (int64_t)dt * unit_us;
	t->t_us += t->step_us;
accept:
	t->last_read_us = p->read_us;
	t->seq = seq;
	t->t_dev = t_dev;
	*t_us = t->t_us;
	return 1;
}

/* Common tail of binary and ASCII frames: sequence, clock, layout size. */
static enum ins_proto_result deliver(struct ins_proto *p, struct ins_frame *f, unsigned foot, unsigned n,
				     int has_seq, uint32_t seq, uint32_t t_dev, unsigned unit_us)
{
	int64_t t_us;

	p->in_garbage = 0;
	p->after_line = unit_us != 1;
	if (!track_frame(p, foot, has_seq, seq, t_dev, unit_us, &t_us))
		return INS_PROTO_SKIP;
	if (p->cfg.expected_n && n != p->cfg.expected_n) {
		p->st.n_mismatches++;
		return INS_PROTO_SKIP;
	}
	f->foot = (uint8_t)foot;
	f->n = (uint16_t)n;
	f->seq = seq;
	f->t_dev = t_dev;
	f->t_us = t_us;
	f->host_us = 0;
	f->values = p->values;
	p->st.frames++;
	if (unit_us == 1)
		p->st.frames_binary++;
	else
		p->st.frames_ascii++;
	return INS_PROTO_FRAME;
}

/* ---- binary frames --------------------------------------------------------- */

/* Offset of the next sync word starting inside b[1..size), or size.  A
 * sync byte in the last place may begin a frame whose second sync byte is
 * not in the window yet: it is kept too. */
static size_t next_sync(const uint8_t *b, size_t size, size_t avail)
{
	for (size_t i = 1; i < size; i++) {
		const uint8_t *hit = memchr(b + i, INS_PROTO_SYNC0, size - i);

		if (!hit)
			break;
		i = (size_t)(hit - b);
		if (i + 1 >= avail || b[i + 1] == INS_PROTO_SYNC1)
			return i;
	}
	return size;
}

static enum ins_proto_result parse_binary(struct ins_proto *p, struct ins_frame *f)
{
	const uint8_t *b = p->win + p->start;
	size_t avail = p->end - p->start, size;
	unsigned n;

	if (avail >= 2 && b[1] != INS_PROTO_SYNC1)
		return skip_garbage(p, 1);
	if ((avail >= 3 && b[2] != INS_PROTO_VERSION) || (avail >= 4 && b[3] >= INS_FOOT_COUNT)) {
		p->st.bad_headers++;
		return skip_garbage(p, 1);
	}
	if (avail < 6)
		return INS_PROTO_NEED_MORE;
	n = get_le16(b + 4);
	if (n == 0) {
		p->st.bad_headers++;
		return skip_garbage(p, 1);
	}
	if (n > p->max_n) {
		p->st.n_too_large++;
		return skip_garbage(p, 1);
	}
	size = INS_PROTO_BINARY_SIZE(n);
	if (avail < size)
		return INS_PROTO_NEED_MORE;
	if (ins_crc16(INS_CRC16_INIT, b + 2, size - 4) != get_le16(b + size - 2)) {
		/* The frame may be a fragment whose n was garbage: give up only
		 * the bytes before the next sync word inside it. */
		size_t skip = next_sync(b, size, avail);

		p->st.crc_errors++;
		p->st.crc_error_bytes += skip;
		p->start += skip;
		return INS_PROTO_SKIP;
	}
	copy_le16_values(p->values, b + INS_PROTO_HEADER_SIZE, n);
	p->start += size;
	return deliver(p, f, b[3], n, 1, get_le32(b + 6), get_le32(b + 10), 1);
}

/* ---- ASCII lines ----------------------------------------------------------- */

static int is_line_start(uint8_t c)
{
	return c == 'L' || c == 'R' || c == '#' || (c >= '0' && c <= '9');
}

static int is_data_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || c == ',' || c == ' ' || c == '\t';
}

/* Comments are free text, UTF-8 included, but never control bytes and never
 * the binary sync word. */
static int is_comment_char(const uint8_t *b, size_t i)
{
	uint8_t c = b[i];

	if (c == INS_PROTO_SYNC0 && b[i + 1] == INS_PROTO_SYNC1)
		return 0;
	return c == '\t' || (c >= 0x20 && c != 0x7F);
}

static const char *skip_blanks(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* Parses a decimal field into *v (<= max), surrounding blanks allowed. */
static const char *parse_field(const char *s, const char *e, uint32_t max, uint32_t *v)
{
	uint64_t acc = 0;
	const char *digits;

	s = skip_blanks(s, e);
	digits = s;
	while (s < e && *s >= '0' && *s <= '9') {
		acc = acc * 10 + (uint64_t)(*s - '0');
		if (acc > max)
			return NULL;
		s++;
	}
	if (s == digits)
		return NULL;
	*v = (uint32_t)acc;
	return skip_blanks(s, e);
}

/* Decodes one complete data line s[0..e) (terminator excluded); consumed
 * bytes include the terminator. */
static enum ins_proto_result parse_line(struct ins_proto *p, struct ins_frame *f, const char *s,
					const char *e, size_t consumed)
{
	int tagged = s[0] == 'L' || s[0] == 'R';
	int foot = s[0] == 'L' ? INS_FOOT_LEFT : s[0] == 'R' ? INS_FOOT_RIGHT : p->cfg.bare_foot;
	uint32_t seq = 0, t_ms, v;
	unsigned n = 0;

	if (tagged) {
		s = skip_blanks(s + 1, e);
		if (s == e || *s != ',' || !(s = parse_field(s + 1, e, UINT32_MAX, &seq)))
			goto bad;
		if (s == e || *s != ',')
			goto bad;
		s++;
	}
	if (!(s = parse_field(s, e, UINT32_MAX, &t_ms)))
		goto bad;
	while (s < e) {
		if (*s != ',')
			goto bad;
		if (skip_blanks(s + 1, e) == e)
			break; /* one trailing comma: Arduino loops print them */
		if (!(s = parse_field(s + 1, e, UINT16_MAX, &v)))
			goto bad;
		if (n == p->max_n)
			return drop_line(p, consumed, &p->st.n_too_large);
		p->values[n++] = (uint16_t)v;
	}
	if (n == 0)
		goto bad;
	if (foot < 0)
		return drop_line(p, consumed, &p->st.bare_lines_without_foot);
	p->start += consumed;
	p->scan = 0;
	if (!tagged)
		seq = p->track[foot].bare_seq++;
	return deliver(p, f, (unsigned)foot, n, tagged, seq, t_ms, 1000);
bad:
	return drop_line(p, consumed, &p->st.bad_lines);
}

static enum ins_proto_result end_of_line(struct ins_proto *p, struct ins_frame *f, size_t len)
{
	const uint8_t *b = p->win + p->start;
	/* The first CR or LF ends the line; the LF of a CRLF is then a blank
	 * line to the ground state, wherever the read boundary fell. */
	size_t consumed = len + 1;

	p->after_line = 1;
	if (b[0] == '#') {
		p->in_garbage = 0;
		p->st.comment_lines++;
		p->start += consumed;
		p->scan = 0;
		return INS_PROTO_SKIP;
	}
	return parse_line(p, f, (const char *)b, (const char *)b + len, consumed);
}

static enum ins_proto_result parse_ascii(struct ins_proto *p, struct ins_frame *f)
{
	const uint8_t *b = p->win + p->start;
	size_t avail = p->end - p->start;
	int comment = b[0] == '#';

	for (size_t i = p->scan; i < avail; i++) {
		uint8_t c = b[i];

		if (c == '\n' || c == '\r')
			return end_of_line(p, f, i);
		if (i >= p->line_max) {
			p->discarding = 1;
			p->discard_comment = comment;
			return drop_line(p, i, &p->st.overlong_lines);
		}
		if (comment) {
			if (c == INS_PROTO_SYNC0 && i + 1 == avail) {
				p->scan = i; /* is it a sync word?  wait for one more byte */
				return INS_PROTO_NEED_MORE;
			}
			if (i > 0 && !is_comment_char(b, i))
				return skip_garbage(p, i);
		} else if (i > 0 && !is_data_char(c)) {
			/* Whatever came before cannot be a line: give it up and
			 * look at this byte again (it may start a line or frame). */
			return skip_garbage(p, i);
		}
	}
	p->scan = avail;
	return INS_PROTO_NEED_MORE;
}

/* The tail of an overlong line: dropped up to its terminator, or up to a
 * byte no line can contain (something else starts there). */
static enum ins_proto_result discard_overlong(struct ins_proto *p)
{
	const uint8_t *b = p->win + p->start;
	size_t avail = p->end - p->start, i;

	for (i = 0; i < avail; i++) {
		uint8_t c = b[i];

		if (c == '\n' || c == '\r') {
			p->discarding = 0;
			p->after_line = 1;
			i++;
			break;
		}
		if (p->discard_comment ? (c == INS_PROTO_SYNC0 || (c < 0x20 && c != '\t')) : !is_data_char(c)) {
			p->discarding = 0;
			break;
		}
	}
	p->st.dropped_bytes += i;
	p->start += i;
	return i ? INS_PROTO_SKIP : INS_PROTO_NEED_MORE;
}

/* ---- ground state ------------------------------------------------------------ */

static enum ins_proto_result next_item(struct ins_proto *p, struct ins_frame *f)
{
	size_t i;

	if (p->discarding) {
		enum ins_proto_result r = discard_overlong(p);

		/* A line that ends at the first byte looked at drops nothing:
		 * that byte goes to the ground state now, not after more input
		 * (with none coming, whatever follows would wait forever). */
		if (r != INS_PROTO_NEED_MORE || p->discarding)
			return r;
	}
	if (p->scan)
		return parse_ascii(p, f);
	for (i = p->start; i < p->end; i++) {
		uint8_t c = p->win[i];

		if ((c == '\r' || c == '\n') && p->after_line) {
			/* Terminators after a line (blank lines, the LF of a
			 * CRLF split across reads) are not faults; anywhere
			 * else they are garbage like any other byte. */
			if (i == p->start)
				p->start++;
			else
				break;
			continue;
		}
		if (c == INS_PROTO_SYNC0 || is_line_start(c))
			break;
	}
	if (i > p->start)
		return skip_garbage(p, i - p->start);
	if (p->start == p->end)
		return INS_PROTO_NEED_MORE;
	if (p->win[p->start] == INS_PROTO_SYNC0)
		return parse_binary(p, f);
	return parse_ascii(p, f);
}

/* Copies as much input as fits into the window, compacting it first. */
static void refill(struct ins_proto *p, const uint8_t **data, size_t *len)
{
	size_t room, take;

	if (p->start == p->end) {
		p->start = p->end = 0;
	} else if (p->start > 0 && p->cap - p->end < PROTO_FEED_CHUNK) {
		memmove(p->win, p->win + p->start, p->end - p->start);
		p->end -= p->start;
		p->start = 0;
	}
	room = p->cap - p->end;
	take = *len < room ? *len : room;
	memcpy(p->win + p->end, *data, take);
	p->end += take;
	p->st.bytes += take;
	*data += take;
	*len -= take;
}

enum ins_proto_result ins_proto_parse(struct ins_proto *p, const uint8_t **data, size_t *len,
				      struct ins_frame *frame)
{
	for (;;) {
		enum ins_proto_result r = next_item(p, frame);

		if (r != INS_PROTO_NEED_MORE)
			return r;
		if (*len == 0)
			return INS_PROTO_NEED_MORE;
		refill(p, data, len);
	}
}
