/* insoled-emulator's parts: options.c (command line), pty.c (the output:
 * a pseudo-terminal or stdout, unplug and replug), emulator.c (fault plan,
 * frames, pacing, statistics).  Program-private. */
#ifndef INSOLED_EMULATOR_PRIV_H
#define INSOLED_EMULATOR_PRIV_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/layout.h"
#include "insoled/log.h"
#include "insoled/synth.h"

#define DEFAULT_LAYOUT "fsr16"
#define DEFAULT_RATE_HZ 100.0
#define MAX_RATE_HZ 10000.0
/* Faults of a run without --frames/--duration go into its first 10 s, so a
 * test that stops the emulator after a few seconds has seen most of them. */
#define DEFAULT_FAULT_WINDOW_S 10.0
/* Faults keep this many frames from the start and end of a stream segment:
 * a parser starts its sequence at the first frame it sees and only notices
 * a lost frame when the next one arrives. */
#define FAULT_EDGE_FRAMES 2
/* At least one clean frame between two faults keeps every gap, duplicate
 * and resync separate, so each fault moves exactly one parser counter. */
#define FAULT_MIN_SPACING 3
#define GARBAGE_MAX_BYTES 64
/* Behind schedule by more than this (no reader, pty buffer full): restart
 * the schedule from now instead of bursting the whole backlog. */
#define MAX_LAG_US 500000
/* Wake up this often while the pty is full, to notice SIGTERM. */
#define WRITE_POLL_MS 100
/* Before closing a pty (unplug, exit) with bytes nobody has taken and no
 * reader holding it open, wait this long for one to come (--no-reader-wait):
 * a daemon retries its open about every second after an unplug.  A reader
 * that holds the pty gets everything however long it takes (only a stop
 * signal cuts it). */
#define DEFAULT_NO_READER_WAIT_S 2.0
#define DRAIN_POLL_US 5000
/* With no reader found, look through /proc for one again this often (a
 * look costs a few ms of CPU on a busy box): 20 looks within the default
 * --no-reader-wait, so one look that misses a holder cannot close the pty
 * on it. */
#define READER_RELOOK_US 100000
/* Consecutive empty looks that make a pty drained (see pending_bytes). */
#define DRAIN_EMPTY_ROUNDS 2
/* While waiting for a slow reader, say so this often. */
#define DRAIN_NOTE_US 5000000
/* Pause between the pieces of a split frame in real-time mode, so that the
 * reader gets them in separate reads. */
#define SPLIT_PAUSE_US 300
/* Far enough for the ASCII clock (ms, 32 bits) to wrap too. */
#define CLOCK_START_MAX_US (1000ull * UINT32_MAX)

struct options {
	const char *layout;
	const char *layout_dir;
	const char *synth_args;
	const char *link;
	const char *stats_path;
	int ascii, crlf, bare, to_stdout, split;
	unsigned feet; /* bit per enum ins_foot */
	double rate_hz, speed;
	double duration_s;
	uint64_t frames; /* per foot; 0 = until stopped */
	int have_seed;
	uint64_t seed;
	unsigned garbage, bad_crc, drop, duplicate, overlong;
	double unplug_after_s, unplug_for_s;
	double no_reader_wait_s;
	double fault_window_s;
	uint64_t clock_start_us;
};

enum fault_kind { FAULT_GARBAGE, FAULT_BAD_CRC, FAULT_DROP, FAULT_DUPLICATE, FAULT_OVERLONG, FAULT_KINDS };

struct planned_fault {
	uint64_t frame;
	unsigned foot;
	enum fault_kind kind;
};

/* What a protocol-v1 parser that read the whole stream must count
 * (struct ins_proto_stats names). */
struct expected {
	uint64_t frames, resyncs, garbage_bytes, crc_errors, crc_error_bytes, seq_gaps, frames_lost;
	uint64_t duplicates, overlong_lines, bad_lines, dropped_bytes, clock_wraps;
};

struct foot_stats {
	uint64_t generated, sent, dropped, corrupted, duplicated, lost_unplugged;
	/* Sequence bookkeeping of the current stream segment, for expectations. */
	uint64_t pending_lost; /* frames lost since the last valid frame */
	int have_last;
	uint32_t last_t_dev;
	int64_t last_t_us; /* model time of the last frame generated: the steps' truth ends there */
};

struct emulator {
	struct options opt;
	struct ins_layout *layout;
	struct ins_synth *synth;
	struct ins_synth_params params;
	uint64_t rng; /* fault placement and contents (splitmix64 state) */
	struct planned_fault *plan;
	size_t n_plan, next_plan;
	uint64_t unplug_frame, replug_frame; /* UINT64_MAX: none */
	/* output */
	int fd, slave_fd;
	int watch_fd;          /* inotify on the slave node: readers opening and closing it */
	int readers;           /* open descriptions of the slave other than ours, as the watch counts them */
	int readers_known;     /* 0: no watch, or its queue overflowed */
	int attached;          /* a reader holds the slave (update_readers()) */
	int attached_checked;  /* attached is current as of the last watch event */
	int64_t looked_us;     /* when /proc was last looked through for a reader */
	char pty_path[128];
	json_t *ptys;
	int64_t schedule_start_us;
	/* accounting */
	struct foot_stats foot[INS_FOOT_COUNT];
	uint64_t injected[FAULT_KINDS];
	uint64_t garbage_bytes, overlong_bytes, split_frames, split_writes, unplugs, reanchors;
	uint64_t bytes_written, frames_done;
	json_t *injected_at;
	struct expected expect;
	int complete;
	/* scratch */
	uint16_t *values;
	uint8_t *buf;
	size_t buf_cap;
};

static volatile sig_atomic_t stop_requested;
/* Set by SIGTERM/SIGINT and by a reader closing stdout. */
extern volatile sig_atomic_t emu_stop_requested;

/* emulator.c: a uniform random number below n, from the run's seed. */
uint64_t emu_random_below(struct emulator *e, uint64_t n);

/* options.c: 0, or -1 with the reason printed; exits on --help. */
int emu_parse_args(struct options *o, int argc, char **argv);

/* pty.c */
int emu_open_pty(struct emulator *e);
void emu_close_pty(struct emulator *e);
void emu_pause_us(int64_t us);
int emu_write_all(struct emulator *e, const void *data, size_t len);
/* Writes data, in pieces when splittable and --split asks for it. */
int emu_emit(struct emulator *e, const uint8_t *data, size_t len, int splittable);
void emu_unplug(struct emulator *e);
int emu_replug(struct emulator *e);
void emu_wait_drained(struct emulator *e);

#endif
