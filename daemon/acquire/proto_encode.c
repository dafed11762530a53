/* Protocol v1 frame encoder, shared by insoled and the reference firmware
 * (include/insoled/proto_encode.h says why it must stay portable). */
#include <config.h>

#include "insoled/proto_encode.h"

uint16_t ins_proto_crc16_byte(uint16_t crc, uint8_t byte)
{
	/* The byte-wise form of the 0x1021 polynomial: the register's high
	 * byte XOR the input, folded by the shifts that 0x1021's three set
	 * bits (12, 5, 0) stand for. */
	crc = (uint16_t)((crc >> 8) | (crc << 8));
	crc ^= byte;
	crc ^= (uint16_t)((crc & 0xFFu) >> 4);
	crc ^= (uint16_t)(crc << 12);
	crc ^= (uint16_t)((crc & 0xFFu) << 5);
	return crc;
}

static int frame_valid(uint8_t foot, const uint16_t *values, uint16_t n)
{
	return values && n >= 1 && n <= INS_PROTO_MAX_N && foot <= 1;
}

/* Stores v little-endian in len bytes at p and folds them into *crc. */
static uint8_t *put_le(uint8_t *p, uint32_t v, uint8_t len, uint16_t *crc)
{
	while (len--) {
		*p = (uint8_t)v;
		*crc = ins_proto_crc16_byte(*crc, *p++);
		v >>= 8;
	}
	return p;
}

size_t ins_proto_put_binary(uint8_t *buf, size_t cap, uint8_t foot, uint32_t seq, uint32_t t_us,
			    const uint16_t *values, uint16_t n)
{
	uint16_t crc = 0xFFFFu;
	uint8_t *p = buf;
	uint16_t i;

	if (!buf || !frame_valid(foot, values, n) || cap < INS_PROTO_BINARY_SIZE((size_t)n))
		return 0;
	*p++ = INS_PROTO_SYNC0;
	*p++ = INS_PROTO_SYNC1;
	p = put_le(p, INS_PROTO_VERSION, 1, &crc);
	p = put_le(p, foot, 1, &crc);
	p = put_le(p, n, 2, &crc);
	p = put_le(p, seq, 4, &crc);
	p = put_le(p, t_us, 4, &crc);
	for (i = 0; i < n; i++)
		p = put_le(p, values[i], 2, &crc);
	*p++ = (uint8_t)crc;
	*p++ = (uint8_t)(crc >> 8);
	return (size_t)(p - buf);
}

/* Writes v in decimal at p and returns the end.  Values fit 16 bits, where
 * an 8-bit CPU divides several times faster than in 32. */
static char *put_decimal(char *p, uint32_t v)
{
	char tmp[10];
	uint8_t n = 0;

	if (v <= 0xFFFFu) {
		uint16_t w = (uint16_t)v;

		do {
			tmp[n++] = (char)('0' + w % 10u);
			w /= 10u;
		} while (w);
	} else {
		do {
			tmp[n++] = (char)('0' + v % 10u);
			v /= 10u;
		} while (v);
	}
	while (n)
		*p++ = tmp[--n];
	return p;
}

size_t ins_proto_put_ascii(char *buf, size_t cap, unsigned flags, uint8_t foot, uint32_t seq, uint32_t t_ms,
			   const uint16_t *values, uint16_t n)
{
	char *p = buf;
	uint16_t i;

	if (!buf || !frame_valid(foot, values, n) || cap < INS_PROTO_ASCII_SIZE((size_t)n))
		return 0;
	if (!(flags & INS_PROTO_ASCII_BARE)) {
		*p++ = foot == 0 ? 'L' : 'R';
		*p++ = ',';
		p = put_decimal(p, seq);
		*p++ = ',';
	}
	p = put_decimal(p, t_ms);
	for (i = 0; i < n; i++) {
		*p++ = ',';
		p = put_decimal(p, values[i]);
	}
	if (flags & INS_PROTO_ASCII_CRLF)
		*p++ = '\r';
	*p++ = '\n';
	*p = '\0';
	return (size_t)(p - buf);
}
