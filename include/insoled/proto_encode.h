/* Protocol v1 frame encoder (docs/protocol.md): one portable C file,
 * daemon/acquire/proto_encode.c, built into insoled (the emulator, the
 * synthetic device, the tests) and into the reference firmware for an 8-bit
 * AVR (contrib/firmware), so the host and the board send frames through the
 * same code and the unit tests check it against the parser on every build.
 *
 * Needs nothing beyond <stddef.h> and <stdint.h>: no allocation, no stdio,
 * no table in RAM, and no assumption about the size of int (16 bits on AVR).
 * Implemented in daemon/acquire/. */
#ifndef INSOLED_PROTO_ENCODE_H
#define INSOLED_PROTO_ENCODE_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#define INS_PROTO_SYNC0 0xA5
#define INS_PROTO_SYNC1 0x5A
#define INS_PROTO_VERSION 1
#define INS_PROTO_HEADER_SIZE 14
/* Largest n a frame may carry. */
#define INS_PROTO_MAX_N 4096u
/* Bytes of a binary frame with n values: header, values, CRC. */
#define INS_PROTO_BINARY_SIZE(n) (INS_PROTO_HEADER_SIZE + 2u * (n) + 2u)
/* Room ins_proto_put_ascii() may need for n values (CRLF and NUL included):
 * tag, two 10-digit counters, n 5-digit values with their commas. */
#define INS_PROTO_ASCII_SIZE(n) (32u + 6u * (n))

enum ins_proto_ascii_flags {
	INS_PROTO_ASCII_CRLF = 1u << 0, /* end the line with CR LF instead of LF */
	INS_PROTO_ASCII_BARE = 1u << 1  /* "<t_ms>,<v1>,..." without foot and seq */
};

/* One byte into a CRC-16/CCITT-FALSE register (poly 0x1021, no reflection);
 * start from 0xFFFF.  Table-free: a few shifts per byte on any CPU. */
uint16_t ins_proto_crc16_byte(uint16_t crc, uint8_t byte);

/* Writes one binary frame: foot (0 left, 1 right), seq, t_us (the device
 * clock in us) and n values.  Returns INS_PROTO_BINARY_SIZE(n), or 0 when
 * cap is too small, n is 0 or above INS_PROTO_MAX_N, or foot is not 0/1. */
size_t ins_proto_put_binary(uint8_t *buf, size_t cap, uint8_t foot, uint32_t seq, uint32_t t_us,
			    const uint16_t *values, uint16_t n);

/* Writes one NUL-terminated ASCII line ("L,<seq>,<t_ms>,<v1>,...", or the
 * bare form with INS_PROTO_ASCII_BARE).  Returns its length without the
 * NUL, or 0 when cap < INS_PROTO_ASCII_SIZE(n) or n or foot is invalid. */
size_t ins_proto_put_ascii(char *buf, size_t cap, unsigned flags, uint8_t foot, uint32_t seq, uint32_t t_ms,
			   const uint16_t *values, uint16_t n);

#pragma GCC visibility pop

#endif
