/* Acquisition: devices (serial via libserialport, ptys via termios, the
 * built-in synthetic insole) -> protocol parser -> one bounded frame queue.
 * Acquisition threads never block on anything downstream: when the queue is
 * full the frame is dropped and counted.  Implemented in daemon/acquire/. */
#ifndef INSOLED_ACQUIRE_H
#define INSOLED_ACQUIRE_H

#pragma GCC visibility push(default)

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"
#include "insoled/layout.h"

#define INS_DEV_FOOT_AUTO (-1) /* take the foot from each frame */

struct ins_device_config {
	const char *name;        /* for logs and status, e.g. "left insole" */
	/* "/dev/ttyUSB0" (libserialport; ptys and other non-sysfs ttys fall
	 * back to termios), "usb:VID:PID[:SERIAL]" (enumerated), or
	 * "synthetic" (built-in simulated insole pair, see synth.h). */
	const char *port;
	unsigned baud;           /* 0 = 115200 */
	int foot;                /* INS_DEV_FOOT_AUTO, or force all frames to this foot (bare ASCII lines) */
	unsigned expected_n;     /* layout size: frames with another n are counted as mismatches; 0 = any */
	const char *synth_args;  /* for "synthetic": options, see synth.h (NULL = defaults) */
	const struct ins_layout *layout; /* for "synthetic": the simulated insole's layout */
	const char *format;      /* for "synthetic": "binary" (default) or "ascii" encoding */
	unsigned watchdog_ms;    /* report a device silent this long; 0 = INS_ACQ_WATCHDOG_MS */
	int once;                /* do not reopen: the device ends at EOF or its first error (--dump) */
};

/* A device that sends nothing for this long is reported (log + counter):
 * insoles stream 50-200 frames/s, so 3 s of silence is never normal, yet
 * it is long enough not to fire during a USB re-enumeration. */
#define INS_ACQ_WATCHDOG_MS 3000
/* Reopen attempts after an error or unplug start this fast and double up to
 * the maximum, so a returning device is read again within about a second
 * while a missing one costs two attempts a second at most. */
#define INS_ACQ_BACKOFF_MIN_MS 100
#define INS_ACQ_BACKOFF_MAX_MS 1000

struct ins_acq;

/* queue_frames: bound of the frame queue; max_n: largest layout size. */
struct ins_acq *ins_acq_new(size_t queue_frames, unsigned max_n, char *err, size_t errlen);
int ins_acq_add_device(struct ins_acq *acq, const struct ins_device_config *cfg, char *err, size_t errlen);
int ins_acq_start(struct ins_acq *acq, char *err, size_t errlen);
/* How a device thread waits between attempts to open its device: by
 * default poll() on wake_fd for ms, so ins_acq_stop() ends the wait.  A
 * test sets its own (before ins_acq_start) to see the backoff without
 * waiting for it; it too must return once wake_fd is readable. */
typedef void (*ins_acq_pause_fn)(void *ctx, int ms, int wake_fd);
void ins_acq_set_pause(struct ins_acq *acq, ins_acq_pause_fn pause, void *ctx);
void ins_acq_stop(struct ins_acq *acq);   /* joins the device threads */
void ins_acq_free(struct ins_acq *acq);

/* Consumer side (the analysis thread).  Waits up to timeout_ms for a frame;
 * returns 1 with *frame valid until the next call, 0 on timeout, -1 once
 * stopped and drained.  values point into storage owned by the queue. */
int ins_acq_pop(struct ins_acq *acq, struct ins_frame *frame, int timeout_ms);

/* A consumer that runs on the device threads: after a read has queued
 * frames, the device thread calls consumer(ctx), which may pop them there
 * and then (no hand-off to another thread, no wake-up per frame).  It must
 * never wait for anything: what it leaves, the consumer thread takes when
 * kicked.  Pushes then no longer wake a thread in ins_acq_pop; set before
 * ins_acq_start. */
typedef void (*ins_acq_consumer_fn)(void *ctx);
void ins_acq_set_consumer(struct ins_acq *acq, ins_acq_consumer_fn consumer, void *ctx);
/* The consumer thread's wait: up to timeout_ms until frames wait, a kick
 * or the end.  Returns 1 when frames wait, -1 once stopped and drained. */
int ins_acq_wait(struct ins_acq *acq, int timeout_ms);
void ins_acq_kick(struct ins_acq *acq);
size_t ins_acq_depth(struct ins_acq *acq);

/* Devices, their state and every counter, queue depth and drops, as JSON
 * for the status endpoint and --dump:
 *   {"devices": [{"name", "port", "path", "driver", "state", "opens",
 *                 "open_failures", "disconnects", "watchdog_silent",
 *                 "watchdog_no_frames", "frames_queued", "queue_drops",
 *                 "last_frame_age_ms", "last_error", "protocol": {counters}}],
 *    "queue": {"capacity", "depth", "high_water", "pushed", "popped", "dropped"}}
 * state: "opening", "open", "silent" (watchdog), "waiting" (reopening after
 * an error or unplug), "finished" (a file ended, a --dump device failed),
 * "stopped".  New JSON, caller decrefs. */
json_t *ins_acq_status(struct ins_acq *acq);
/* Devices open and sending valid frames (the last one younger than the
 * no-frames watchdog). */
unsigned ins_acq_streaming(struct ins_acq *acq);
/* Devices that have tried to open at least once (opened or failed). */
unsigned ins_acq_tried(struct ins_acq *acq);

/* `insoled --dump DEVICE [--baud N] [--foot left|right] [--follow]
 * [--log-level L]`: decodes a device (or a capture file, or - for stdin),
 * prints one JSON object per frame on stdout and, at the end of the data or
 * on SIGINT/SIGTERM, one line of counters (docs/protocol.md).  argv is the
 * whole command line, argv[0] the program.  Returns the exit status. */
int ins_dump_main(int argc, char **argv);

/* Parses "usb:VID:PID[:SERIAL]" (hex ids), the port a config gives to name
 * a USB-serial adapter (--udev-rules reads it too).  Returns 1 and fills the
 * ids when spec is one, 0 when it is not a usb: spec, -1 (err filled) when
 * it is a malformed one. */
int ins_dev_parse_usb_spec(const char *spec, int *vid, int *pid, char *serial, size_t serial_len, char *err,
			   size_t errlen);

#pragma GCC visibility pop

#endif
