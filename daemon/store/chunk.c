/* Raw archive chunk codec (format described in docs/storage.md).
 *
 * A frame is five header fields, each stored as the zigzag varint of the
 * change of its difference from the previous frame of the chunk (the first
 * frame against zero), then its values as tokens: a varint with the low bit set is a run
 * of unchanged values, with the low bit clear a changed value (counts: the
 * zigzag delta; floats: the xor of the bit patterns).  Pressure frames
 * change little from one sample to the next and large parts of a dense
 * insole read zero, so this is a few bytes per frame plus ~1 byte per
 * changing sensor, with no allocation once the buffers have grown. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

/* Worst case bytes of one frame: 5 header varints of 10 bytes, and 5 bytes
 * per value (a 33-bit float token). */
#define CHUNK_FRAME_MAX(n) (50u + 5u * (size_t)(n))

static inline uint64_t zz64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzz64(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*out = v;
			return 0;
		}
	}
	return -1;
}

int store_chunk_enc_reset(struct store_chunk_enc *enc, uint8_t format, uint16_t n)
{
	if (n == 0 || n > INS_MAX_SENSORS || (format != STORE_CHUNK_COUNTS && format != STORE_CHUNK_FLOAT))
		return -1;
	if (!enc->prev_vals || enc->n < n) {
		uint32_t *pv = realloc(enc->prev_vals, (size_t)n * sizeof(*pv));
		if (!pv)
			return -1;
		enc->prev_vals = pv;
	}
	memset(enc->prev_vals, 0, (size_t)n * sizeof(*enc->prev_vals));
	enc->format = format;
	enc->n = n;
	enc->n_frames = 0;
	enc->len = 0;
	memset(&enc->first, 0, sizeof(enc->first));
	memset(&enc->prev, 0, sizeof(enc->prev));
	memset(enc->prev_delta, 0, sizeof(enc->prev_delta));
	return 0;
}

void store_chunk_enc_free(struct store_chunk_enc *enc)
{
	free(enc->buf);
	free(enc->prev_vals);
	memset(enc, 0, sizeof(*enc));
}

static int enc_reserve(struct store_chunk_enc *enc, size_t more)
{
	return ins_grow((void **)&enc->buf, &enc->cap, enc->len, more, 1, 4096);
}

/* The header fields' differences from the previous frame, in field order.
 * uint32 device fields wrap: their difference is taken modulo 2^32. */
static void header_deltas(const struct store_chunk_frame *prev, const struct store_chunk_frame *f, int64_t d[5])
{
	d[0] = (int32_t)(f->seq - prev->seq);
	d[1] = (int32_t)(f->t_dev - prev->t_dev);
	d[2] = (int64_t)((uint64_t)f->t_us - (uint64_t)prev->t_us);
	d[3] = (int64_t)((uint64_t)f->host_us - (uint64_t)prev->host_us);
	d[4] = (int64_t)((uint64_t)f->arrival - (uint64_t)prev->arrival);
}

/* Each header field is stored as the change of its difference (a steady
 * rate costs one byte per field), zigzag varint. */
static uint8_t *put_header(uint8_t *p, struct store_chunk_enc *enc, const struct store_chunk_frame *f)
{
	int64_t d[5];

	header_deltas(&enc->prev, f, d);
	for (int i = 0; i < 5; i++) {
		p = put_varint(p, zz64((int64_t)((uint64_t)d[i] - (uint64_t)enc->prev_delta[i])));
		enc->prev_delta[i] = d[i];
	}
	return p;
}

static uint8_t *put_run(uint8_t *p, uint32_t run)
{
	return put_varint(p, ((uint64_t)(run - 1) << 1) | 1);
}

static uint8_t *put_counts(uint8_t *p, uint32_t *prev, const uint16_t *v, unsigned n)
{
	uint32_t run = 0;

	for (unsigned i = 0; i < n; i++) {
		int32_t d = (int32_t)v[i] - (int32_t)prev[i];
		if (d == 0) {
			run++;
			continue;
		}
		if (run) {
			p = put_run(p, run);
			run = 0;
		}
		prev[i] = v[i];
		p = put_varint(p, zz64(d) << 1);
	}
	if (run)
		p = put_run(p, run);
	return p;
}

static uint8_t *put_floats(uint8_t *p, uint32_t *prev, const float *v, unsigned n)
{
	uint32_t run = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t bits;
		memcpy(&bits, &v[i], sizeof(bits));
		uint32_t x = bits ^ prev[i];
		if (x == 0) {
			run++;
			continue;
		}
		if (run) {
			p = put_run(p, run);
			run = 0;
		}
		prev[i] = bits;
		p = put_varint(p, (uint64_t)x << 1);
	}
	if (run)
		p = put_run(p, run);
	return p;
}

int store_chunk_enc_add(struct store_chunk_enc *enc, const struct store_chunk_frame *f, const void *values)
{
	uint8_t *p;

	if (enc_reserve(enc, CHUNK_FRAME_MAX(enc->n)) < 0)
		return -1;
	p = put_header(enc->buf + enc->len, enc, f);
	if (enc->format == STORE_CHUNK_COUNTS)
		p = put_counts(p, enc->prev_vals, values, enc->n);
	else
		p = put_floats(p, enc->prev_vals, values, enc->n);
	enc->len = (size_t)(p - enc->buf);
	if (enc->n_frames == 0)
		enc->first = *f;
	enc->prev = *f;
	enc->n_frames++;
	return 0;
}

int store_chunk_dec_start(struct store_chunk_dec *dec, uint8_t format, uint16_t n, uint32_t n_frames,
			const void *blob, size_t len, struct ins_error *err)
{
	if (format != STORE_CHUNK_COUNTS && format != STORE_CHUNK_FLOAT) {
		ins_error_msg(err, "raw chunk: unknown format %u", (unsigned)format);
		return -1;
	}
	if (n == 0 || n > INS_MAX_SENSORS) {
		ins_error_msg(err, "raw chunk: sensor count %u out of range 1..%u", (unsigned)n,
			 (unsigned)INS_MAX_SENSORS);
		return -1;
	}
	if (dec->prev_cap < n) {
		uint32_t *pv = realloc(dec->prev_vals, (size_t)n * sizeof(*pv));
		if (!pv) {
			ins_error_msg(err, "raw chunk: out of memory");
			return -1;
		}
		dec->prev_vals = pv;
		dec->prev_cap = n;
	}
	memset(dec->prev_vals, 0, (size_t)n * sizeof(*dec->prev_vals));
	memset(&dec->prev, 0, sizeof(dec->prev));
	memset(dec->prev_delta, 0, sizeof(dec->prev_delta));
	dec->format = format;
	dec->n = n;
	dec->n_frames = n_frames;
	dec->done = 0;
	dec->p = blob;
	dec->end = dec->p + len;
	return 0;
}

static int get_header(struct store_chunk_dec *dec, struct store_chunk_frame *f)
{
	int64_t d[5];

	for (int i = 0; i < 5; i++) {
		uint64_t v;
		if (get_varint(&dec->p, dec->end, &v) < 0)
			return -1;
		d[i] = (int64_t)((uint64_t)dec->prev_delta[i] + (uint64_t)unzz64(v));
		dec->prev_delta[i] = d[i];
	}
	f->seq = dec->prev.seq + (uint32_t)d[0];
	f->t_dev = dec->prev.t_dev + (uint32_t)d[1];
	f->t_us = (int64_t)((uint64_t)dec->prev.t_us + (uint64_t)d[2]);
	f->host_us = (int64_t)((uint64_t)dec->prev.host_us + (uint64_t)d[3]);
	f->arrival = (int64_t)((uint64_t)dec->prev.arrival + (uint64_t)d[4]);
	dec->prev = *f;
	return 0;
}

/* Decode n tokens into bit patterns (counts or float bits) in prev_vals. */
static int get_values(struct store_chunk_dec *dec)
{
	unsigned i = 0;

	while (i < dec->n) {
		uint64_t tok;
		if (get_varint(&dec->p, dec->end, &tok) < 0)
			return -1;
		if (tok & 1) {
			uint64_t run = (tok >> 1) + 1;
			if (run > dec->n - i)
				return -1;
			i += (unsigned)run;
			continue;
		}
		if (dec->format == STORE_CHUNK_COUNTS) {
			int64_t v = (int64_t)dec->prev_vals[i] + unzz64(tok >> 1);
			if (v < 0 || v > UINT16_MAX)
				return -1;
			dec->prev_vals[i] = (uint32_t)v;
		} else {
			if ((tok >> 1) > UINT32_MAX)
				return -1;
			dec->prev_vals[i] ^= (uint32_t)(tok >> 1);
		}
		i++;
	}
	return 0;
}

int store_chunk_dec_next(struct store_chunk_dec *dec, struct store_chunk_frame *f, void *values,
		       struct ins_error *err)
{
	if (dec->done == dec->n_frames) {
		if (dec->p != dec->end) {
			ins_error_msg(err, "raw chunk: %zu bytes after its %u frames",
				 (size_t)(dec->end - dec->p), dec->n_frames);
			return -1;
		}
		return 0;
	}
	if (get_header(dec, f) < 0 || get_values(dec) < 0) {
		ins_error_msg(err, "raw chunk: damaged data in frame %u of %u", dec->done + 1, dec->n_frames);
		return -1;
	}
	if (dec->format == STORE_CHUNK_COUNTS) {
		uint16_t *out = values;
		for (unsigned i = 0; i < dec->n; i++)
			out[i] = (uint16_t)dec->prev_vals[i];
	} else {
		memcpy(values, dec->prev_vals, (size_t)dec->n * sizeof(float));
	}
	dec->done++;
	return 1;
}

void store_chunk_dec_free(struct store_chunk_dec *dec)
{
	free(dec->prev_vals);
	memset(dec, 0, sizeof(*dec));
}

int store_chunk_enc_seal(struct store_chunk_enc *enc, int64_t session_id, unsigned foot, struct pend_chunk **arr,
		       size_t *n, size_t *cap)
{
	struct pend_chunk *pc;
	uint8_t *data;

	if (enc->n_frames == 0)
		return 0;
	if (ins_grow((void **)arr, cap, *n, 1, sizeof(**arr), STORE_GROW_FIRST) < 0)
		return -1;
	data = malloc(enc->len);
	if (!data)
		return -1;
	memcpy(data, enc->buf, enc->len);
	pc = &(*arr)[(*n)++];
	*pc = (struct pend_chunk){
		.session_id = session_id, .foot = (uint8_t)foot, .format = enc->format, .n = enc->n,
		.n_frames = enc->n_frames, .first = enc->first, .last = enc->prev, .data = data, .len = enc->len,
	};
	enc->n_frames = 0;
	enc->len = 0;
	return 0;
}
