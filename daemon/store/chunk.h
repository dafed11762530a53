/* Raw archive chunks: a run of frames of one foot packed into one blob
 * (docs/storage.md, "Raw archive").  Pure code, no SQLite: the writer
 * encodes, replay/export decode.  Every field of every frame comes back
 * bit for bit. */
#ifndef INSOLED_STORE_CHUNK_H
#define INSOLED_STORE_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"
#include "insoled/grow.h"
#include "insoled/result.h"

/* Value formats (raw_chunks.format). */
enum store_chunk_format {
	STORE_CHUNK_COUNTS = 1, /* uint16 raw counts, per-sensor delta, zero runs */
	STORE_CHUNK_FLOAT = 2   /* float32 values (imported kPa/N/counts), xor with previous, zero runs */
};

/* One frame as the archive keeps it.  arrival orders the frames of both
 * feet of a session the way the store received them, so a replay feeds the
 * analysis in exactly the live order. */
struct store_chunk_frame {
	uint32_t seq;
	uint32_t t_dev;
	int64_t t_us;
	int64_t host_us;
	int64_t arrival;
};

struct store_chunk_enc {
	uint8_t format;
	uint16_t n;
	uint32_t n_frames;
	struct store_chunk_frame first, prev;
	int64_t prev_delta[5];  /* header fields' previous differences */
	uint8_t *buf;
	size_t len, cap;
	uint32_t *prev_vals; /* n previous values (counts or float bits) */
};

/* Start an empty chunk for frames of n values.  Reuses enc's buffers. */
int store_chunk_enc_reset(struct store_chunk_enc *enc, uint8_t format, uint16_t n);
void store_chunk_enc_free(struct store_chunk_enc *enc);
/* Append one frame; values are uint16 counts or float (per format). */
int store_chunk_enc_add(struct store_chunk_enc *enc, const struct store_chunk_frame *f, const void *values);

/* A sealed chunk waiting to be written (the writer's batch, an import). */
struct pend_chunk {
	int64_t session_id;
	uint8_t foot, format;
	uint16_t n;
	uint32_t n_frames;
	struct store_chunk_frame first, last;
	uint8_t *data;
	size_t len;
};

/* First capacity, in elements, of the store's pending batches and of an
 * import's steps (ins_grow, grow.h). */
#define STORE_GROW_FIRST 64

/* Seal the encoder's frames into a new pending chunk appended to *arr
 * (grown as needed; *n used, *cap allocated) and start the encoder empty.
 * Nothing to do when it holds no frames.  0, or -1 out of memory (the
 * encoder then keeps its frames). */
int store_chunk_enc_seal(struct store_chunk_enc *enc, int64_t session_id, unsigned foot, struct pend_chunk **arr,
		       size_t *n, size_t *cap);

struct store_chunk_dec {
	uint8_t format;
	uint16_t n;
	uint32_t n_frames, done;
	const uint8_t *p, *end;
	struct store_chunk_frame prev;
	int64_t prev_delta[5];
	uint32_t *prev_vals;
	size_t prev_cap;
};

/* Decode a blob written by the encoder.  Returns 0, or -1 with err naming
 * what is wrong when the blob is damaged (never reads past its end). */
int store_chunk_dec_start(struct store_chunk_dec *dec, uint8_t format, uint16_t n, uint32_t n_frames,
			const void *blob, size_t len, struct ins_error *err);
/* Next frame: 1 with *f and values (n uint16 or float) filled, 0 at the end, -1 on damage. */
int store_chunk_dec_next(struct store_chunk_dec *dec, struct store_chunk_frame *f, void *values,
		       struct ins_error *err);
void store_chunk_dec_free(struct store_chunk_dec *dec);

#endif
