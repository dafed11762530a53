/* Protocol v1 (docs/protocol.md): a pure parser and the encoders.
 *
 * The parser takes bytes in any chunking and returns, one call at a time,
 * "need more", "skip" (something was discarded and counted) or "frame".  It
 * does no I/O and no allocation after ins_proto_new(); binary and ASCII
 * frames are told apart per frame, so a board may mix both.  Any unexpected
 * byte sends it back to the ground state, where the byte is looked at again,
 * so garbage never costs a later valid frame.
 *
 * Binary frame, little-endian:
 *     A5 5A | version=1 | foot | n (u16) | seq (u32) | t_us (u32) | n x u16 | CRC-16
 * CRC-16/CCITT-FALSE over bytes 2 .. 13+2n.
 * ASCII lines: "L,<seq>,<t_ms>,<v1>,...,<vn>" or "R,...", bare "<t_ms>,<v1>,..."
 * for a device configured as one foot, "#..." comments; ended by LF, CR or CRLF.
 * Implemented in daemon/acquire/. */
#ifndef INSOLED_PROTOCOL_H
#define INSOLED_PROTOCOL_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"
#include "insoled/proto_encode.h" /* sync, sizes, ASCII flags, the shared encoder */

/* Longest ASCII line accepted for n values (terminator excluded): the tag,
 * two 10-digit counters and n 5-digit values with commas need 25 + 6n;
 * the rest is slack for spaces some boards print after commas.  Longer
 * lines are counted as overlong and dropped.  An encoder or emulator that
 * wants a line rejected by every configuration makes it longer than
 * INS_PROTO_LINE_MAX(INS_MAX_SENSORS). */
#define INS_PROTO_LINE_MAX(n) (64u + 8u * (n))

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0.
 * Pass crc = 0xFFFF to start; chain calls to continue. */
#define INS_CRC16_INIT 0xFFFFu
uint16_t ins_crc16(uint16_t crc, const void *data, size_t len);

/* ---- encoders (the emulator, the synthetic device, tests) --------------
 * Wrappers over the shared encoder (proto_encode.h) taking a struct ins_frame. */

/* Writes one binary frame from f->foot, n, seq, t_dev (device us) and
 * values.  Returns the bytes written, INS_PROTO_BINARY_SIZE(f->n), or 0 when
 * buf is too small or the frame is invalid (n 0 or > INS_MAX_SENSORS, foot
 * not left/right). */
size_t ins_proto_encode_binary(const struct ins_frame *f, uint8_t *buf, size_t cap);

/* Writes one ASCII line (NUL-terminated) from f->foot, n, seq, t_dev (device
 * ms) and values.  Returns the line length without the NUL, or 0 when cap
 * is less than INS_PROTO_ASCII_SIZE(f->n) or f is invalid. */
size_t ins_proto_encode_ascii(const struct ins_frame *f, unsigned flags, char *buf, size_t cap);

/* ---- parser ------------------------------------------------------------ */

struct ins_proto_config {
	/* Largest n accepted (the layout size or the largest layout in use);
	 * 0 or anything above INS_MAX_SENSORS means INS_MAX_SENSORS.  Headers
	 * claiming more are never trusted: counted and resynchronised. */
	unsigned max_n;
	/* n every frame must have (the device's layout); other sizes are
	 * counted as n_mismatches and dropped.  0 = any n up to max_n. */
	unsigned expected_n;
	/* Foot of bare ASCII lines (INS_FOOT_LEFT/RIGHT), or -1 when the
	 * device is not configured as one foot: bare lines are then counted
	 * in bare_lines_without_foot and dropped. */
	int bare_foot;
};

/* Every counter, cumulative since ins_proto_new().  X(name, "what it counts")
 * drives the struct, status JSON and --dump, so none is ever left out. */
#define INS_PROTO_STATS(X) \
	X(bytes,           "bytes given to the parser") \
	X(frames,          "frames returned (binary + ascii)") \
	X(frames_binary,   "binary frames returned") \
	X(frames_ascii,    "ASCII lines returned as frames") \
	X(resyncs,         "times sync was lost (runs of garbage)") \
	X(garbage_bytes,   "bytes skipped in those runs, outside any frame or line") \
	X(crc_errors,      "binary frames with a bad CRC (dropped)") \
	X(crc_error_bytes, "bytes of those frames skipped") \
	X(bad_headers,     "sync word followed by a wrong version or foot, or n = 0") \
	X(n_too_large,     "frames or lines claiming more than max_n values (dropped)") \
	X(n_mismatches,    "valid frames whose n is not the layout's (dropped)") \
	X(seq_gaps,        "times frames were missing") \
	X(frames_lost,     "frames missing in those gaps") \
	X(duplicates,      "frames repeating the previous seq (dropped)") \
	X(out_of_order,    "frames slightly behind the previous seq (dropped)") \
	X(seq_resets,      "seq jumped far back: the device restarted (accepted, re-based)") \
	X(clock_wraps,     "device clock wrapped (t_us at 2^32 us, t_ms at 2^32 ms)") \
	X(clock_jumps,     "device clock ran backwards without a seq reset (re-based)") \
	X(overlong_lines,  "ASCII lines longer than INS_PROTO_LINE_MAX(max_n) (dropped)") \
	X(bad_lines,       "complete ASCII lines that do not parse (dropped)") \
	X(bare_lines_without_foot, "bare lines from a device with no foot configured (dropped)") \
	X(comment_lines,   "'#' lines: firmware messages, not a fault") \
	X(dropped_bytes,   "bytes of bad, overlong, too-large and unassignable lines")

struct ins_proto_stats {
#define INS_X_FIELD(name, what) uint64_t name;
	INS_PROTO_STATS(INS_X_FIELD)
#undef INS_X_FIELD
};

enum ins_proto_result {
	INS_PROTO_NEED_MORE = 0, /* all input consumed; call again with more bytes */
	INS_PROTO_SKIP = 1,      /* something was discarded and counted; call again */
	INS_PROTO_FRAME = 2      /* *frame is valid until the next call */
};

struct ins_proto;

struct ins_proto *ins_proto_new(const struct ins_proto_config *cfg, char *err, size_t errlen);
void ins_proto_free(struct ins_proto *p);
/* Forget buffered bytes and per-foot sequence/clock state (the device was
 * reopened); counters are kept.  Each foot's unwrapped timeline resumes
 * gap_us after its last frame (the caller's host-clock measure of the
 * outage), so it stays monotonic across reconnects and device restarts. */
void ins_proto_reset_stream(struct ins_proto *p, int64_t gap_us);
/* The host's monotonic time of the read whose bytes come next; a reader
 * calls this before each batch.  A foot's first frame after
 * ins_proto_reset_stream() then resumes its timeline by the host time since
 * the read that brought that foot's own last frame, so the whole outage
 * counts, up to its first new frame (measured at the reopen, the time
 * between the reopen and that frame would be lost and strides across a
 * replug come out short).  Per foot, because the two feet of a pair need
 * not come back in the same read: timed from the device's last frame, the
 * foot that came back second would resume one read after the first. */
void ins_proto_set_read_time(struct ins_proto *p, int64_t now_us);

/* Parse from *data and *len, advancing both past what was taken.  Loop until it
 * returns INS_PROTO_NEED_MORE (then *len == 0):
 *     while ((r = ins_proto_parse(p, &buf, &len, &f)) != INS_PROTO_NEED_MORE)
 *             if (r == INS_PROTO_FRAME) use(&f);
 * A frame's foot, n, seq, t_dev and t_us (unwrapped, per foot, monotonic)
 * are set; host_us is 0 (the caller stamps receive times); values point
 * into the parser.  Per foot, a seq equal to the previous one is a
 * duplicate and a seq up to 8 behind is out of order (both dropped); one
 * further behind, or more than 2^31 ahead, is a device restart (accepted,
 * the clock re-based).  Bare ASCII lines carry no seq: they get 0, 1, 2..
 * and are never counted as lost. */
enum ins_proto_result ins_proto_parse(struct ins_proto *p, const uint8_t **data, size_t *len,
				      struct ins_frame *frame);

/* Bytes held back waiting for the rest of a frame or line (at EOF these are
 * a truncated frame). */
size_t ins_proto_pending(const struct ins_proto *p);
void ins_proto_get_stats(const struct ins_proto *p, struct ins_proto_stats *out);

#pragma GCC visibility pop

#endif
