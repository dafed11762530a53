/* Protocol v1 parser and encoders.  The stream cases are a table: each
 * builds a byte stream, names the frames that must come out and every
 * counter's exact value, and is run whole, one byte at a time and split in
 * two at every offset, which must all give the same result. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/protocol.h"

#define STREAM_MAX 20000
#define OUT_MAX 64

struct stream {
	uint8_t b[STREAM_MAX];
	size_t len;
};

/* A value pattern whose bytes are neither line starts, terminators nor
 * sync bytes, so frame bytes that end up skipped count exactly as garbage. */
static uint16_t test_value(uint32_t seq, unsigned i)
{
	return (uint16_t)(0x0380 + ((seq * 7u + i * 13u) % 0x20u));
}

static void put_bytes(struct stream *s, const void *data, size_t len)
{
	ck_assert_uint_le(s->len + len, STREAM_MAX);
	memcpy(s->b + s->len, data, len);
	s->len += len;
}

static void put_text(struct stream *s, const char *text)
{
	put_bytes(s, text, strlen(text));
}

static size_t put_binary(struct stream *s, unsigned foot, uint32_t seq, uint32_t t_us, unsigned n)
{
	uint16_t v[INS_MAX_SENSORS];
	struct ins_frame f = { .foot = (uint8_t)foot, .n = (uint16_t)n, .seq = seq, .t_dev = t_us, .values = v };
	size_t size;

	for (unsigned i = 0; i < n; i++)
		v[i] = test_value(seq, i);
	ck_assert_uint_le(s->len + INS_PROTO_BINARY_SIZE(n), STREAM_MAX);
	size = ins_proto_encode_binary(&f, s->b + s->len, STREAM_MAX - s->len);
	ck_assert_uint_eq(size, INS_PROTO_BINARY_SIZE(n));
	s->len += size;
	return size;
}

static void put_ascii(struct stream *s, unsigned foot, uint32_t seq, uint32_t t_ms, unsigned n, unsigned flags)
{
	uint16_t v[INS_MAX_SENSORS];
	char line[INS_PROTO_ASCII_SIZE(64)];
	struct ins_frame f = { .foot = (uint8_t)foot, .n = (uint16_t)n, .seq = seq, .t_dev = t_ms, .values = v };

	ck_assert_uint_le(n, 64);
	for (unsigned i = 0; i < n; i++)
		v[i] = test_value(seq, i);
	ck_assert_uint_gt(ins_proto_encode_ascii(&f, flags, line, sizeof(line)), 0);
	put_text(s, line);
}

/* ---- what a run produced ---------------------------------------------- */

struct got_frame {
	unsigned foot, n;
	uint32_t seq;
	int64_t t_us;
	int values_ok;
};

struct outcome {
	unsigned n_frames;
	struct got_frame f[OUT_MAX];
	struct ins_proto_stats st;
	size_t pending;
};

static void record(struct outcome *o, const struct ins_frame *f)
{
	struct got_frame *g;

	ck_assert_uint_lt(o->n_frames, OUT_MAX);
	g = &o->f[o->n_frames++];
	g->foot = f->foot;
	g->n = f->n;
	g->seq = f->seq;
	g->t_us = f->t_us;
	g->values_ok = 1;
	for (unsigned i = 0; i < f->n; i++)
		if (f->values[i] != test_value(f->seq, i))
			g->values_ok = 0;
}

/* Feeds s in chunks: cut[] lists the chunk end offsets (last = s->len). */
static void run(const struct ins_proto_config *cfg, const struct stream *s, const size_t *cut, size_t n_cut,
		struct outcome *o)
{
	char err[200];
	struct ins_proto *p = ins_proto_new(cfg, err, sizeof(err));
	size_t from = 0;

	ck_assert_msg(p != NULL, "%s", err);
	memset(o, 0, sizeof(*o));
	for (size_t c = 0; c < n_cut; c++) {
		const uint8_t *data = s->b + from;
		size_t len = cut[c] - from;
		struct ins_frame f;
		enum ins_proto_result r;

		while ((r = ins_proto_parse(p, &data, &len, &f)) != INS_PROTO_NEED_MORE)
			if (r == INS_PROTO_FRAME)
				record(o, &f);
		ck_assert_uint_eq(len, 0);
		from = cut[c];
	}
	ins_proto_get_stats(p, &o->st);
	o->pending = ins_proto_pending(p);
	ins_proto_free(p);
}

static void run_whole(const struct ins_proto_config *cfg, const struct stream *s, struct outcome *o)
{
	size_t cut = s->len;

	run(cfg, s, &cut, 1, o);
}

static void assert_same(const struct outcome *a, const struct outcome *b, const char *how, size_t at)
{
	ck_assert_msg(a->n_frames == b->n_frames, "%s at %zu: %u frames, whole stream gave %u", how, at,
		      b->n_frames, a->n_frames);
	ck_assert_msg(memcmp(a->f, b->f, sizeof(a->f[0]) * a->n_frames) == 0, "%s at %zu: frames differ", how, at);
#define CMP_STAT(fld, what) \
	ck_assert_msg(a->st.fld == b->st.fld, "%s at %zu: " #fld " %llu, whole stream gave %llu", how, at, \
		      (unsigned long long)b->st.fld, (unsigned long long)a->st.fld);
	INS_PROTO_STATS(CMP_STAT)
#undef CMP_STAT
}

/* ---- the table ---------------------------------------------------------- */

struct want_frame {
	unsigned foot;
	uint32_t seq;
	int64_t t_us;
	unsigned n;
};

struct stream_case {
	const char *name;
	void (*build)(struct stream *s);
	struct ins_proto_config cfg;
	unsigned n_frames;
	struct want_frame frames[8];
	struct ins_proto_stats want; /* bytes and frames are filled in by the runner */
};

static const uint8_t junk[] = { 0x00, 0xFF, 'x', 0x13, 0x5A, 0x7F, 'z' };

static void build_clean(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 16);
	put_binary(s, 1, 1, 10500, 16);
	put_binary(s, 0, 2, 20000, 16);
}

static void build_garbage_before(struct stream *s)
{
	put_bytes(s, junk, sizeof(junk));
	put_binary(s, 0, 1, 10000, 16);
}

static void build_garbage_between(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 16);
	put_bytes(s, junk, sizeof(junk));
	put_binary(s, 0, 2, 20000, 16);
	put_bytes(s, "\n\r\n", 3); /* terminators after a binary frame are garbage too */
	put_binary(s, 0, 3, 30000, 16);
}

/* Three junk bytes land 9 bytes into the second frame: its CRC covers the
 * wrong bytes, the 48 bytes it claims are dropped, and the last three bytes
 * of the real frame are garbage before the third. */
static void build_garbage_inside(struct stream *s)
{
	struct stream tmp = { .len = 0 };

	put_binary(s, 0, 1, 10000, 16);
	put_binary(&tmp, 0, 2, 20000, 16);
	put_bytes(s, tmp.b, 9);
	put_bytes(s, junk, 3);
	put_bytes(s, tmp.b + 9, tmp.len - 9);
	put_binary(s, 0, 3, 30000, 16);
}

static void build_bad_crc(struct stream *s)
{
	put_binary(s, 1, 1, 10000, 16);
	put_binary(s, 1, 2, 20000, 16);
	s->b[s->len - 1] ^= 0x40;
	put_binary(s, 1, 3, 30000, 16);
}

/* A frame cut short by its last byte (a device reset mid-frame): its
 * claimed length ends on the next frame's first sync byte, which must not
 * be swallowed with it. */
static void build_truncated_frame(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 16);
	put_binary(s, 0, 2, 20000, 16);
	s->len--;
	put_binary(s, 0, 3, 30000, 16);
}

/* A header promising 17 values to a parser allowing 16 is never trusted:
 * its bytes are skipped one by one and the frame after it still arrives. */
static void build_n_too_large(struct stream *s)
{
	static const uint8_t header[] = { 0xA5, 0x5A, 0x01, 0x00, 0x11, 0x00 };

	put_bytes(s, header, sizeof(header));
	put_binary(s, 0, 1, 10000, 16);
}

static void build_bad_header(struct stream *s)
{
	static const uint8_t wrong_version[] = { 0xA5, 0x5A, 0x02, 0x00 };
	static const uint8_t wrong_foot[] = { 0xA5, 0x5A, 0x01, 0x02 };

	put_bytes(s, wrong_version, sizeof(wrong_version));
	put_binary(s, 0, 1, 10000, 16);
	put_bytes(s, wrong_foot, sizeof(wrong_foot));
	put_binary(s, 0, 2, 20000, 16);
}

static void build_n_mismatch(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 16);
	put_binary(s, 0, 2, 20000, 8);
	put_binary(s, 0, 3, 30000, 16);
}

static void build_seq_gap(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 4);
	put_binary(s, 0, 2, 20000, 4);
	put_binary(s, 0, 5, 50000, 4);
	put_binary(s, 1, 7, 10000, 4); /* each foot counts on its own */
	put_binary(s, 1, 8, 20000, 4);
}

static void build_seq_wrap(struct stream *s)
{
	put_binary(s, 0, 0xFFFFFFFEu, 10000, 4);
	put_binary(s, 0, 0xFFFFFFFFu, 20000, 4);
	put_binary(s, 0, 0, 30000, 4);
	put_binary(s, 0, 3, 60000, 4); /* a gap across nothing: 1 and 2 lost */
}

static void build_duplicate_and_reorder(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 4);
	put_binary(s, 0, 2, 20000, 4);
	put_binary(s, 0, 2, 20000, 4);
	put_binary(s, 0, 3, 30000, 4);
	put_binary(s, 0, 2, 20000, 4);
	put_binary(s, 0, 4, 40000, 4);
}

/* The device restarts: seq and clock go back to zero.  The timeline goes on
 * one frame interval after the last frame. */
static void build_seq_reset(struct stream *s)
{
	put_binary(s, 0, 1000, 5000000, 4);
	put_binary(s, 0, 1001, 5010000, 4);
	put_binary(s, 0, 0, 0, 4);
	put_binary(s, 0, 1, 10000, 4);
}

static void build_t_us_wrap(struct stream *s)
{
	put_binary(s, 1, 1, 0xFFFFFF00u, 4);
	put_binary(s, 1, 2, 0x00000100u, 4);
	put_binary(s, 1, 3, 0x00002810u, 4);
}

static void build_t_ms_wrap(struct stream *s)
{
	put_ascii(s, 0, 1, 4294967290u, 3, 0);
	put_ascii(s, 0, 2, 4u, 3, 0);
}

static void build_ascii_crlf_mix(struct stream *s)
{
	put_ascii(s, 0, 1, 10, 3, INS_PROTO_ASCII_CRLF);
	put_ascii(s, 0, 2, 20, 3, 0);
	put_ascii(s, 1, 1, 15, 3, 0);
	s->b[s->len - 1] = '\r'; /* a lone CR ends a line too */
	put_ascii(s, 1, 2, 25, 3, INS_PROTO_ASCII_CRLF);
	put_text(s, "\n\r\n"); /* blank lines are no fault */
	put_ascii(s, 0, 3, 30, 3, 0);
}

static void build_ascii_overlong(struct stream *s)
{
	size_t len = INS_PROTO_LINE_MAX(16) + 10;

	put_ascii(s, 0, 1, 10, 3, 0);
	put_text(s, "L,2,20");
	for (size_t i = 6; i < len; i += 2)
		put_text(s, ",9");
	put_text(s, "\r\n");
	put_ascii(s, 0, 3, 30, 3, 0);
}

static void build_ascii_comments(struct stream *s)
{
	put_text(s, "# insole v1.2 booting, caf\xC3\xA9 \xC2\xA5\n");
	put_ascii(s, 1, 1, 10, 3, 0);
	put_text(s, "#no newline before a frame");
	put_binary(s, 1, 2, 20000, 3);
}

static void build_ascii_bare(struct stream *s)
{
	put_ascii(s, 0, 0, 100, 3, INS_PROTO_ASCII_BARE);
	put_ascii(s, 0, 1, 110, 3, INS_PROTO_ASCII_BARE | INS_PROTO_ASCII_CRLF);
}

static void build_ascii_bad_lines(struct stream *s)
{
	put_text(s, "L,1\n");                 /* no time, no values */
	put_text(s, "L,2,20\n");              /* no values */
	put_text(s, "L,3,30,1,70000\n");      /* value beyond 16 bits */
	put_text(s, "R,4,99999999999,1\n");   /* time beyond 32 bits */
	put_text(s, "L,,30,1\n");             /* empty field */
	put_ascii(s, 0, 5, 50, 3, 0);
}

static void build_ascii_trailing_comma_and_spaces(struct stream *s)
{
	char line[64];

	snprintf(line, sizeof(line), "L, 1, 10, %u, %u,\n", test_value(1, 0), test_value(1, 1));
	put_text(s, line);
}

/* Digits glued in front of a tagged line are garbage, not a bare line. */
static void build_ascii_glued(struct stream *s)
{
	put_text(s, "12");
	put_ascii(s, 0, 1, 10, 3, 0);
	put_text(s, "3,4");
	put_binary(s, 0, 2, 20000, 3);
}

static void build_ascii_too_many_values(struct stream *s)
{
	put_ascii(s, 0, 1, 10, 5, 0);
	put_ascii(s, 0, 2, 20, 4, 0);
}

static void build_mixed(struct stream *s)
{
	put_binary(s, 0, 1, 10000, 8);
	put_ascii(s, 1, 1, 10, 8, INS_PROTO_ASCII_CRLF);
	put_binary(s, 0, 2, 20000, 8);
	put_ascii(s, 1, 2, 20, 8, INS_PROTO_ASCII_CRLF);
}

#define CFG_ANY { .max_n = 0, .expected_n = 0, .bare_foot = -1 }
#define CFG16 { .max_n = 16, .expected_n = 0, .bare_foot = -1 }

static const struct stream_case cases[] = {
	{ "clean", build_clean, CFG16, 3,
	  { { 0, 1, 10000, 16 }, { 1, 1, 10500, 16 }, { 0, 2, 20000, 16 } }, { 0 } },
	{ "garbage_before", build_garbage_before, CFG16, 1, { { 0, 1, 10000, 16 } },
	  { .resyncs = 1, .garbage_bytes = 7 } },
	{ "garbage_between", build_garbage_between, CFG16, 3,
	  { { 0, 1, 10000, 16 }, { 0, 2, 20000, 16 }, { 0, 3, 30000, 16 } },
	  { .resyncs = 2, .garbage_bytes = 10 } },
	{ "garbage_inside", build_garbage_inside, CFG16, 2, { { 0, 1, 10000, 16 }, { 0, 3, 30000, 16 } },
	  { .crc_errors = 1, .crc_error_bytes = 48, .resyncs = 1, .garbage_bytes = 3, .seq_gaps = 1,
	    .frames_lost = 1 } },
	{ "bad_crc", build_bad_crc, CFG16, 2, { { 1, 1, 10000, 16 }, { 1, 3, 30000, 16 } },
	  { .crc_errors = 1, .crc_error_bytes = 48, .seq_gaps = 1, .frames_lost = 1 } },
	{ "truncated_frame", build_truncated_frame, CFG16, 2, { { 0, 1, 10000, 16 }, { 0, 3, 30000, 16 } },
	  { .crc_errors = 1, .crc_error_bytes = 47, .seq_gaps = 1, .frames_lost = 1 } },
	{ "n_too_large", build_n_too_large, CFG16, 1, { { 0, 1, 10000, 16 } },
	  { .n_too_large = 1, .resyncs = 1, .garbage_bytes = 6 } },
	{ "bad_header", build_bad_header, CFG16, 2, { { 0, 1, 10000, 16 }, { 0, 2, 20000, 16 } },
	  { .bad_headers = 2, .resyncs = 2, .garbage_bytes = 8 } },
	{ "n_mismatch", build_n_mismatch, { .max_n = 16, .expected_n = 16, .bare_foot = -1 }, 2,
	  { { 0, 1, 10000, 16 }, { 0, 3, 30000, 16 } }, { .n_mismatches = 1 } },
	{ "seq_gap", build_seq_gap, CFG16, 5,
	  { { 0, 1, 10000, 4 }, { 0, 2, 20000, 4 }, { 0, 5, 50000, 4 }, { 1, 7, 10000, 4 }, { 1, 8, 20000, 4 } },
	  { .seq_gaps = 1, .frames_lost = 2 } },
	{ "seq_wrap", build_seq_wrap, CFG16, 4,
	  { { 0, 0xFFFFFFFEu, 10000, 4 }, { 0, 0xFFFFFFFFu, 20000, 4 }, { 0, 0, 30000, 4 }, { 0, 3, 60000, 4 } },
	  { .seq_gaps = 1, .frames_lost = 2 } },
	{ "duplicate_and_reorder", build_duplicate_and_reorder, CFG16, 4,
	  { { 0, 1, 10000, 4 }, { 0, 2, 20000, 4 }, { 0, 3, 30000, 4 }, { 0, 4, 40000, 4 } },
	  { .duplicates = 1, .out_of_order = 1 } },
	{ "seq_reset", build_seq_reset, CFG16, 4,
	  { { 0, 1000, 5000000, 4 }, { 0, 1001, 5010000, 4 }, { 0, 0, 5020000, 4 }, { 0, 1, 5030000, 4 } },
	  { .seq_resets = 1 } },
	{ "t_us_wrap", build_t_us_wrap, CFG16, 3,
	  { { 1, 1, 0xFFFFFF00ll, 4 }, { 1, 2, 0x100000100ll, 4 }, { 1, 3, 0x100002810ll, 4 } },
	  { .clock_wraps = 1 } },
	{ "t_ms_wrap", build_t_ms_wrap, CFG16, 2,
	  { { 0, 1, 4294967290000ll, 3 }, { 0, 2, 4294967300000ll, 3 } }, { .clock_wraps = 1 } },
	{ "ascii_crlf_mix", build_ascii_crlf_mix, CFG16, 5,
	  { { 0, 1, 10000, 3 }, { 0, 2, 20000, 3 }, { 1, 1, 15000, 3 }, { 1, 2, 25000, 3 }, { 0, 3, 30000, 3 } },
	  { 0 } },
	{ "ascii_overlong", build_ascii_overlong, CFG16, 2, { { 0, 1, 10000, 3 }, { 0, 3, 30000, 3 } },
	  { .overlong_lines = 1, .dropped_bytes = INS_PROTO_LINE_MAX(16) + 10 + 1, .seq_gaps = 1,
	    .frames_lost = 1 } },
	{ "ascii_comments", build_ascii_comments, CFG16, 2, { { 1, 1, 10000, 3 }, { 1, 2, 10001, 3 } },
	  { .comment_lines = 1, .resyncs = 1, .garbage_bytes = 26 } },
	{ "ascii_bare_with_foot", build_ascii_bare, { .max_n = 16, .bare_foot = INS_FOOT_RIGHT }, 2,
	  { { 1, 0, 100000, 3 }, { 1, 1, 110000, 3 } }, { 0 } },
	{ "ascii_bare_without_foot", build_ascii_bare, CFG16, 0, { { 0 } },
	  { .bare_lines_without_foot = 2, .dropped_bytes = 16 + 16 } },
	{ "ascii_bad_lines", build_ascii_bad_lines, CFG16, 1, { { 0, 5, 50000, 3 } },
	  { .bad_lines = 5, .dropped_bytes = 4 + 7 + 15 + 18 + 8 } },
	{ "ascii_trailing_comma_and_spaces", build_ascii_trailing_comma_and_spaces, CFG16, 1,
	  { { 0, 1, 10000, 2 } }, { 0 } },
	{ "ascii_glued", build_ascii_glued, CFG16, 2, { { 0, 1, 10000, 3 }, { 0, 2, 10001, 3 } },
	  { .resyncs = 2, .garbage_bytes = 5 } },
	{ "ascii_too_many_values", build_ascii_too_many_values, { .max_n = 4, .bare_foot = -1 }, 1,
	  { { 0, 2, 20000, 4 } }, { .n_too_large = 1, .dropped_bytes = 27 } },
	{ "mixed_binary_ascii", build_mixed, CFG_ANY, 4,
	  { { 0, 1, 10000, 8 }, { 1, 1, 10000, 8 }, { 0, 2, 20000, 8 }, { 1, 2, 20000, 8 } }, { 0 } },
};

static void check_outcome(const struct stream_case *c, const struct stream *s, const struct outcome *o)
{
	struct ins_proto_stats want = c->want;

	want.bytes = s->len;
	want.frames = c->n_frames;
	ck_assert_msg(o->n_frames == c->n_frames, "%s: %u frames, want %u", c->name, o->n_frames, c->n_frames);
	for (unsigned i = 0; i < c->n_frames; i++) {
		const struct got_frame *g = &o->f[i];
		const struct want_frame *w = &c->frames[i];

		ck_assert_msg(g->foot == w->foot && g->seq == w->seq && g->t_us == w->t_us && g->n == w->n,
			      "%s: frame %u is foot %u seq %u t_us %lld n %u, want foot %u seq %u t_us %lld n %u",
			      c->name, i, g->foot, g->seq, (long long)g->t_us, g->n, w->foot, w->seq,
			      (long long)w->t_us, w->n);
		ck_assert_msg(g->values_ok, "%s: frame %u values differ from what was sent", c->name, i);
	}
	/* frames_binary/frames_ascii are checked through frames and the sum. */
	want.frames_binary = o->st.frames_binary;
	want.frames_ascii = o->st.frames_ascii;
	ck_assert_uint_eq(o->st.frames_binary + o->st.frames_ascii, o->st.frames);
#define CHECK_STAT(fld, what) \
	ck_assert_msg(o->st.fld == want.fld, "%s: " #fld " is %llu, want %llu", c->name, \
		      (unsigned long long)o->st.fld, (unsigned long long)want.fld);
	INS_PROTO_STATS(CHECK_STAT)
#undef CHECK_STAT
	ck_assert_msg(o->pending == 0, "%s: %zu bytes left pending", c->name, o->pending);
}

START_TEST(stream_case_whole_and_every_split)
{
	const struct stream_case *c = &cases[_i];
	static struct stream s;
	struct outcome whole, part;
	size_t cut[2];
	size_t *bytewise;

	s.len = 0;
	c->build(&s);
	run_whole(&c->cfg, &s, &whole);
	check_outcome(c, &s, &whole);
	for (size_t k = 1; k < s.len; k++) {
		cut[0] = k;
		cut[1] = s.len;
		run(&c->cfg, &s, cut, 2, &part);
		assert_same(&whole, &part, c->name, k);
	}
	bytewise = malloc(sizeof(size_t) * s.len);
	for (size_t k = 0; k < s.len; k++)
		bytewise[k] = k + 1;
	run(&c->cfg, &s, bytewise, s.len, &part);
	free(bytewise);
	assert_same(&whole, &part, "byte by byte", 0);
}
END_TEST

/* ---- CRC and encoders ------------------------------------------------------ */

START_TEST(crc_check_value)
{
	ck_assert_uint_eq(ins_crc16(INS_CRC16_INIT, "123456789", 9), 0x29B1);
	ck_assert_uint_eq(ins_crc16(INS_CRC16_INIT, "", 0), 0xFFFF);
	/* chained calls equal one call, across the 8-byte fast path */
	ck_assert_uint_eq(ins_crc16(ins_crc16(INS_CRC16_INIT, "1234567890abc", 5), "67890abc" "defghij", 15),
			  ins_crc16(INS_CRC16_INIT, "1234567890abcdefghij", 20));
	ck_assert_uint_eq(ins_crc16(INS_CRC16_INIT, "1234567890abcdefghij", 20), 0xAA3A);
}
END_TEST

START_TEST(encode_binary_layout)
{
	const uint16_t v[2] = { 0x0102, 0xFFEE };
	const struct ins_frame f = { .foot = 1, .n = 2, .seq = 0x11223344, .t_dev = 0xAABBCCDD, .values = v };
	const uint8_t want[] = { 0xA5, 0x5A, 0x01, 0x01, 0x02, 0x00, 0x44, 0x33, 0x22, 0x11,
				 0xDD, 0xCC, 0xBB, 0xAA, 0x02, 0x01, 0xEE, 0xFF };
	uint8_t buf[32];
	uint16_t crc = ins_crc16(INS_CRC16_INIT, want + 2, sizeof(want) - 2);

	ck_assert_uint_eq(ins_proto_encode_binary(&f, buf, sizeof(buf)), 20);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_uint_eq(buf[18], crc & 0xFF);
	ck_assert_uint_eq(buf[19], crc >> 8);
	ck_assert_uint_eq(ins_proto_encode_binary(&f, buf, 19), 0);
}
END_TEST

START_TEST(encode_rejects_invalid_frames)
{
	uint16_t v[1] = { 5 };
	struct ins_frame f = { .foot = 2, .n = 1, .values = v };
	uint8_t buf[64];

	ck_assert_uint_eq(ins_proto_encode_binary(&f, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(ins_proto_encode_ascii(&f, 0, (char *)buf, sizeof(buf)), 0);
	f.foot = 0;
	f.n = 0;
	ck_assert_uint_eq(ins_proto_encode_binary(&f, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(ins_proto_encode_ascii(&f, 0, (char *)buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(encode_ascii_forms)
{
	const uint16_t v[3] = { 0, 500, 65535 };
	const struct ins_frame f = { .foot = 0, .n = 3, .seq = 4294967295u, .t_dev = 1234, .values = v };
	char buf[INS_PROTO_ASCII_SIZE(3)];

	ck_assert_uint_eq(ins_proto_encode_ascii(&f, 0, buf, sizeof(buf)), 30);
	ck_assert_str_eq(buf, "L,4294967295,1234,0,500,65535\n");
	ck_assert_uint_eq(ins_proto_encode_ascii(&f, INS_PROTO_ASCII_CRLF | INS_PROTO_ASCII_BARE, buf, sizeof(buf)),
			  18);
	ck_assert_str_eq(buf, "1234,0,500,65535\r\n");
	ck_assert_uint_eq(ins_proto_encode_ascii(&f, 0, buf, sizeof(buf) - 1), 0);
}
END_TEST

/* ---- the shared encoder against the parser ------------------------------
 * proto_encode.c is the code the reference firmware sends with; these feed
 * what it writes straight into the parser, so the two sides cannot drift. */

static uint32_t xorshift(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

START_TEST(shared_crc_equals_parser_crc)
{
	uint8_t buf[600];
	uint32_t rng = 0x9E3779B9u;

	for (int round = 0; round < 200; round++) {
		size_t len = xorshift(&rng) % sizeof(buf);
		uint16_t crc = 0xFFFFu;

		for (size_t i = 0; i < len; i++) {
			buf[i] = (uint8_t)xorshift(&rng);
			crc = ins_proto_crc16_byte(crc, buf[i]);
		}
		ck_assert_uint_eq(crc, ins_crc16(INS_CRC16_INIT, buf, len));
	}
}
END_TEST

START_TEST(shared_encoder_doc_example)
{
	/* docs/protocol.md, "Example", byte for byte */
	const uint16_t v[3] = { 100, 2000, 4095 };
	const uint8_t want[] = { 0xA5, 0x5A, 0x01, 0x00, 0x03, 0x00, 0x07, 0x00, 0x00, 0x00, 0x40,
				 0x42, 0x0F, 0x00, 0x64, 0x00, 0xD0, 0x07, 0xFF, 0x0F, 0x8D, 0x99 };
	uint8_t buf[sizeof(want)];
	char line[INS_PROTO_ASCII_SIZE(3)];

	ck_assert_uint_eq(ins_proto_put_binary(buf, sizeof(buf), 0, 7, 1000000, v, 3), sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_uint_eq(ins_proto_put_binary(buf, sizeof(buf) - 1, 0, 7, 1000000, v, 3), 0);
	ck_assert_uint_eq(ins_proto_put_ascii(line, sizeof(line), 0, 1, 4294967295u, 70000, v, 3), 33);
	ck_assert_str_eq(line, "R,4294967295,70000,100,2000,4095\n");
	ck_assert_uint_eq(ins_proto_put_ascii(line, sizeof(line), 0, 1, 1, 1, NULL, 3), 0);
	ck_assert_uint_eq(ins_proto_put_binary(buf, sizeof(buf), 0, 1, 1, v, 0), 0);
}
END_TEST

/* Random frames (every foot, n from 1 to 4096, any 16-bit value, counters
 * near their wrap) written by the shared encoder, parsed in random chunks:
 * each comes out exactly as it went in, and no counter but the frames moves. */
static size_t encode_random(uint8_t *out, size_t cap, int ascii, uint32_t *rng, uint32_t seq[2], uint32_t t[2],
			    struct ins_frame *sent, uint16_t *values)
{
	static const uint16_t sizes[] = { 1, 2, 8, 16, 99, 1260, 4096 };
	uint8_t foot = (uint8_t)(xorshift(rng) & 1u);
	uint16_t n = sizes[xorshift(rng) % (sizeof(sizes) / sizeof(sizes[0]))];

	for (uint16_t i = 0; i < n; i++)
		values[i] = (uint16_t)xorshift(rng);
	seq[foot]++;
	t[foot] += ascii ? 10u : 10000u;
	*sent = (struct ins_frame){ .foot = foot, .n = n, .seq = seq[foot], .t_dev = t[foot], .values = values };
	if (ascii)
		return ins_proto_put_ascii((char *)out, cap, xorshift(rng) & INS_PROTO_ASCII_CRLF, foot, seq[foot],
					   t[foot], values, n);
	return ins_proto_put_binary(out, cap, foot, seq[foot], t[foot], values, n);
}

START_TEST(shared_encoder_parser_round_trip)
{
	static uint8_t wire[INS_PROTO_ASCII_SIZE(INS_MAX_SENSORS)];
	static uint16_t values[INS_MAX_SENSORS];
	const struct ins_proto_config cfg = CFG_ANY;
	struct ins_proto *p = ins_proto_new(&cfg, NULL, 0);
	uint32_t rng = 0x2545F491u + (uint32_t)_i, seq[2] = { 0xFFFFFFF0u, 5 }, t[2] = { 0xFFFF0000u, 0 };
	struct ins_proto_stats st;
	const int frames = 300;

	ck_assert_ptr_nonnull(p);
	for (int k = 0; k < frames; k++) {
		struct ins_frame sent, got;
		size_t len = encode_random(wire, sizeof(wire), _i, &rng, seq, t, &sent, values);
		const uint8_t *d = wire;
		int delivered = 0;

		ck_assert_uint_gt(len, 0);
		while (len) {
			size_t chunk = 1 + xorshift(&rng) % len, left = chunk;
			enum ins_proto_result r;

			while ((r = ins_proto_parse(p, &d, &left, &got)) != INS_PROTO_NEED_MORE) {
				ck_assert_int_eq(r, INS_PROTO_FRAME);
				ck_assert_uint_eq(got.foot, sent.foot);
				ck_assert_uint_eq(got.n, sent.n);
				ck_assert_uint_eq(got.seq, sent.seq);
				ck_assert_uint_eq(got.t_dev, sent.t_dev);
				ck_assert_mem_eq(got.values, sent.values, 2u * sent.n);
				delivered++;
			}
			len -= chunk;
		}
		ck_assert_msg(delivered == 1, "frame %d came out %d times", k, delivered);
	}
	ins_proto_get_stats(p, &st);
	ck_assert_uint_eq(st.frames, frames);
	ck_assert_uint_eq(_i ? st.frames_ascii : st.frames_binary, frames);
	ck_assert_uint_eq(st.crc_errors + st.resyncs + st.bad_lines + st.seq_gaps + st.clock_jumps, 0);
	ck_assert_uint_eq(st.clock_wraps, _i ? 0 : 1);
	ins_proto_free(p);
}
END_TEST

/* The largest frames go through whole and split, and one value more is
 * refused without being trusted. */
START_TEST(max_n_frames)
{
	static struct stream s;
	const struct ins_proto_config cfg = CFG_ANY;
	struct outcome o;
	size_t cut[3];

	s.len = 0;
	put_binary(&s, 0, 1, 100, INS_MAX_SENSORS);
	put_binary(&s, 1, 1, 100, INS_MAX_SENSORS);
	cut[0] = 1000;
	cut[1] = 8300;
	cut[2] = s.len;
	run(&cfg, &s, cut, 3, &o);
	ck_assert_uint_eq(o.n_frames, 2);
	ck_assert_uint_eq(o.f[1].n, INS_MAX_SENSORS);
	ck_assert(o.f[0].values_ok && o.f[1].values_ok);

	s.b[4] = 0x01;
	s.b[5] = 0x10; /* n = 4097 */
	run_whole(&cfg, &s, &o);
	ck_assert_uint_eq(o.n_frames, 1);
	ck_assert_uint_eq(o.st.n_too_large, 1);
	ck_assert_uint_eq(o.f[0].foot, 1);
}
END_TEST

/* Reopening a device keeps each foot's timeline monotonic: it resumes the
 * reported outage after the last frame, whatever the device clock says. */
START_TEST(reset_stream_keeps_time_monotonic)
{
	const struct ins_proto_config cfg = CFG16;
	char err[200];
	struct ins_proto *p = ins_proto_new(&cfg, err, sizeof(err));
	struct stream s = { .len = 0 };
	const uint8_t *d;
	size_t len;
	struct ins_frame f;
	int64_t t[2];

	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 2; i++) {
		s.len = 0;
		put_binary(&s, 0, 500, 9000000, 4);
		put_binary(&s, 0, 501, 9010000, 4);
		s.len -= 5; /* a frame cut off by the unplug */
		d = s.b;
		len = s.len;
		ck_assert_int_eq(ins_proto_parse(p, &d, &len, &f), INS_PROTO_FRAME);
		t[i] = f.t_us;
		ck_assert_int_eq(ins_proto_parse(p, &d, &len, &f), INS_PROTO_NEED_MORE);
		ck_assert_uint_eq(ins_proto_pending(p), INS_PROTO_BINARY_SIZE(4) - 5);
		ins_proto_reset_stream(p, 3000000);
		ck_assert_uint_eq(ins_proto_pending(p), 0);
	}
	ck_assert_int_eq(t[0], 9000000);
	ck_assert_int_eq(t[1], 9000000 + 3000000 + 1);
	ins_proto_free(p);
}
END_TEST

/* One binary frame of the left foot through p: its unwrapped time. */
static int64_t parse_foot_frame_time(struct ins_proto *p, unsigned foot, uint32_t seq, uint32_t t_dev)
{
	struct stream s = { .len = 0 };
	const uint8_t *d = s.b;
	size_t len;
	struct ins_frame f;

	put_binary(&s, foot, seq, t_dev, 4);
	len = s.len;
	ck_assert_int_eq(ins_proto_parse(p, &d, &len, &f), INS_PROTO_FRAME);
	return f.t_us;
}

static int64_t parse_frame_time(struct ins_proto *p, uint32_t seq, uint32_t t_dev)
{
	return parse_foot_frame_time(p, 0, seq, t_dev);
}

/* A foot's timeline resumes by the host time from the read that brought its
 * last frame to the read that brings its first new one, so the time from the
 * reopen to that frame counts too (1.23 s here, where the reopen came at
 * 0.93 s); a foot streaming again is not moved. */
START_TEST(resume_gap_counts_until_the_first_new_frame)
{
	const struct ins_proto_config cfg = CFG16;
	char err[200];
	struct ins_proto *p = ins_proto_new(&cfg, err, sizeof(err));

	ck_assert_ptr_nonnull(p);
	ins_proto_set_read_time(p, 7000000);
	ck_assert_int_eq(parse_frame_time(p, 10, 5000000), 5000000);
	ins_proto_reset_stream(p, 0);
	ins_proto_set_read_time(p, 7930000); /* the reopen */
	ins_proto_set_read_time(p, 8230000); /* the read that brings the first frame */
	/* The device clock restarted at 100 us. */
	ck_assert_int_eq(parse_frame_time(p, 11, 100), 5000000 + 1230000 + 1);
	ins_proto_set_read_time(p, 17000000); /* streaming again: the device clock rules */
	ck_assert_int_eq(parse_frame_time(p, 12, 10100), 5000000 + 1230000 + 1 + 10000);
	ins_proto_free(p);
}
END_TEST

/* After a replug the left foot's first frame came in one read and the
 * right's 10 ms later in the next: each foot resumes by its own outage, so
 * the right one is not timed from the left's new frame (which moved it on by
 * 10 ms instead of 1.5 s). */
START_TEST(each_foot_resumes_by_its_own_outage)
{
	const struct ins_proto_config cfg = CFG16;
	char err[200];
	struct ins_proto *p = ins_proto_new(&cfg, err, sizeof(err));

	ck_assert_ptr_nonnull(p);
	ins_proto_set_read_time(p, 3000000);
	ck_assert_int_eq(parse_foot_frame_time(p, INS_FOOT_LEFT, 1, 1000000), 1000000);
	ck_assert_int_eq(parse_foot_frame_time(p, INS_FOOT_RIGHT, 1, 1000000), 1000000);
	ins_proto_reset_stream(p, 0);
	ins_proto_set_read_time(p, 4500000);
	ck_assert_int_eq(parse_foot_frame_time(p, INS_FOOT_LEFT, 2, 50), 1000000 + 1500000 + 1);
	ins_proto_set_read_time(p, 4510000);
	ck_assert_int_eq(parse_foot_frame_time(p, INS_FOOT_RIGHT, 2, 60), 1000000 + 1510000 + 1);
	ins_proto_free(p);
}
END_TEST

START_TEST(new_rejects_bad_config)
{
	char err[200];
	const struct ins_proto_config bigger = { .max_n = 16, .expected_n = 17, .bare_foot = -1 };
	const struct ins_proto_config foot = { .max_n = 16, .bare_foot = 2 };

	ck_assert_ptr_null(ins_proto_new(&bigger, err, sizeof(err)));
	ck_assert_str_eq(err, "protocol: expected_n 17 is larger than max_n 16");
	ck_assert_ptr_null(ins_proto_new(&foot, err, sizeof(err)));
	ck_assert_str_eq(err, "protocol: bare_foot 2 is not -1, 0 (left) or 1 (right)");
}
END_TEST

Suite *ins_suite_protocol(void);
Suite *ins_suite_protocol(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("encode");
	TCase *streams = tcase_create("streams");

	tcase_add_test(tc, crc_check_value);
	tcase_add_test(tc, encode_binary_layout);
	tcase_add_test(tc, encode_rejects_invalid_frames);
	tcase_add_test(tc, encode_ascii_forms);
	tcase_add_test(tc, max_n_frames);
	tcase_add_test(tc, reset_stream_keeps_time_monotonic);
	tcase_add_test(tc, resume_gap_counts_until_the_first_new_frame);
	tcase_add_test(tc, each_foot_resumes_by_its_own_outage);
	tcase_add_test(tc, new_rejects_bad_config);
	tcase_add_test(tc, shared_crc_equals_parser_crc);
	tcase_add_test(tc, shared_encoder_doc_example);
	tcase_add_loop_test(tc, shared_encoder_parser_round_trip, 0, 2);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(streams, stream_case_whole_and_every_split, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_set_timeout(streams, 60);
	suite_add_tcase(s, streams);
	return s;
}
