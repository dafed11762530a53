/* libFuzzer target for the protocol parser.  Any bytes in any chunking must
 * never crash, hang or break the parser's promises:
 *  - frames have 1..max_n values, a real foot, and per-foot t_us that never
 *    goes backwards;
 *  - every byte offered is taken, and the counters add up;
 *  - a valid frame appended after the fuzz input is still delivered, or
 *    counted as a repeat of a frame the input already held, or was part of
 *    another frame with a valid CRC that the input's last bytes began (a
 *    16-bit CRC passes one random candidate in 65,536, and the fuzzer finds
 *    those): garbage never costs a later valid frame.
 * Build: ./configure CC=clang --enable-fuzzing && make fuzz */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/protocol.h"

/* Sensor counts the configurations use: the smallest, a common insole, and
 * the protocol's limit. */
static const unsigned max_ns[] = { 4, 16, INS_MAX_SENSORS };
#define TAIL_N 4
/* Enough trailing bytes to complete any candidate the input left open
 * (the longest frame or line), so the appended frame gets its turn. */
#define FLUSH_BYTES (INS_PROTO_BINARY_SIZE(INS_MAX_SENSORS) + INS_PROTO_LINE_MAX(INS_MAX_SENSORS) + 8)

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

struct run {
	struct ins_proto *p;
	unsigned max_n;
	int64_t last_t[INS_FOOT_COUNT];
	int seen[INS_FOOT_COUNT];
	uint64_t fed;
	uint64_t frames;
	int tail_delivered;
};

static void on_frame(struct run *r, const struct ins_frame *f)
{
	uint64_t sum = 0;

	check(f->n >= 1 && f->n <= r->max_n);
	check(f->foot < INS_FOOT_COUNT);
	check(!r->seen[f->foot] || f->t_us >= r->last_t[f->foot]);
	r->seen[f->foot] = 1;
	r->frames++;
	r->last_t[f->foot] = f->t_us;
	for (unsigned i = 0; i < f->n; i++)
		sum += f->values[i]; /* every value must be readable */
	if (f->n == TAIL_N && f->seq == 0xC0FFEEu && f->values[0] == 0xBEEF && f->values[3] == 0xF00D)
		r->tail_delivered = 1;
	check(sum <= 65535ull * f->n);
}

/* Feeds data in chunks whose sizes come from the input itself (chunk_seed
 * 0: all at once). */
static void feed(struct run *r, const uint8_t *data, size_t len, unsigned chunk_seed)
{
	size_t chunk = chunk_seed ? 1 + chunk_seed % 97 : len;

	while (len > 0) {
		size_t take = len < chunk ? len : chunk;
		const uint8_t *d = data;
		size_t left = take;
		struct ins_frame f;
		enum ins_proto_result res;

		while ((res = ins_proto_parse(r->p, &d, &left, &f)) != INS_PROTO_NEED_MORE)
			if (res == INS_PROTO_FRAME)
				on_frame(r, &f);
		check(left == 0);
		r->fed += take;
		data += take;
		len -= take;
		chunk = chunk * 7 % 4099 + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t flush[FLUSH_BYTES];
	const uint16_t tail_values[TAIL_N] = { 0xBEEF, 1, 2, 0xF00D };
	const struct ins_frame tail = { .foot = 1, .n = TAIL_N, .seq = 0xC0FFEEu, .t_dev = 77, .values = tail_values };
	uint8_t tail_bytes[INS_PROTO_BINARY_SIZE(TAIL_N)];
	struct ins_proto_config cfg;
	struct ins_proto_stats before, st;
	struct run r;
	uint64_t frames_before_tail;
	char err[200];

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.max_n = max_ns[data[0] % 3];
	cfg = (struct ins_proto_config){ .max_n = r.max_n, .bare_foot = (data[0] / 3) % 3 - 1 };
	r.p = ins_proto_new(&cfg, err, sizeof(err));
	check(r.p != NULL);
	feed(&r, data + 1, size - 1, data[0] + 1u);

	ins_proto_get_stats(r.p, &before);
	frames_before_tail = r.frames;
	check(ins_proto_encode_binary(&tail, tail_bytes, sizeof(tail_bytes)) == sizeof(tail_bytes));
	feed(&r, tail_bytes, sizeof(tail_bytes), data[0] + 1u);
	feed(&r, flush, INS_PROTO_BINARY_SIZE(r.max_n) + INS_PROTO_LINE_MAX(r.max_n) + 8, 0);
	ins_proto_get_stats(r.p, &st);
	check(r.tail_delivered || st.duplicates + st.out_of_order > before.duplicates + before.out_of_order ||
	      r.frames > frames_before_tail);

	check(st.bytes == r.fed);
	check(st.frames == st.frames_binary + st.frames_ascii);
	check(st.crc_error_bytes >= st.crc_errors); /* a rejected frame gives up at least its first byte */
	check(st.garbage_bytes + st.crc_error_bytes + st.dropped_bytes + ins_proto_pending(r.p) <= st.bytes);
	ins_proto_free(r.p);
	return 0;
}
