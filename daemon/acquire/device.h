/* Byte sources behind one acquisition thread: a serial port through
 * libserialport, a pty or other tty through termios, a plain file or FIFO
 * (replaying a capture with --dump), or the built-in synthetic insole whose
 * frames are encoded with the protocol encoders so they travel the same
 * parser as real bytes.  Private to daemon/acquire/. */
#ifndef INSOLED_ACQUIRE_DEVICE_H
#define INSOLED_ACQUIRE_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "insoled/acquire.h"

#define INS_DEV_DEFAULT_BAUD 115200

enum acquire_dev_driver {
	INS_DEV_LIBSERIALPORT = 0,
	INS_DEV_TERMIOS,
	INS_DEV_FILE,
	INS_DEV_SYNTHETIC
};
const char *acquire_dev_driver_name(enum acquire_dev_driver driver);

/* acquire_dev_read results besides a byte count */
#define INS_DEV_ERROR (-1) /* the device failed or vanished: close and reopen */
#define INS_DEV_EOF (-2)   /* a file ended: nothing more will come */

struct acquire_dev;

/* Checks what can be checked before opening: a synthetic device's layout,
 * format and options, the syntax of a usb: spec.  Returns 0, or -1 with err
 * naming the problem, so configuration mistakes fail at startup instead of
 * being retried forever. */
int acquire_dev_check_config(const struct ins_device_config *cfg, unsigned max_n, char *err, size_t errlen);

/* Opens the device named by cfg->port (resolving usb:VID:PID[:SERIAL]).
 * On failure returns NULL with err naming the port and the reason. */
struct acquire_dev *acquire_dev_open(const struct ins_device_config *cfg, unsigned max_n, char *err, size_t errlen);
void acquire_dev_close(struct acquire_dev *dev);

enum acquire_dev_driver acquire_dev_driver(const struct acquire_dev *dev);
/* The path actually opened (a usb: spec resolved, symlinks followed). */
const char *acquire_dev_path(const struct acquire_dev *dev);

/* Waits up to timeout_ms for bytes, returning early (0) when wake_fd turns
 * readable.  Returns the bytes read (> 0), 0 on timeout or wake-up,
 * INS_DEV_ERROR with err filled, or INS_DEV_EOF. */
ssize_t acquire_dev_read(struct acquire_dev *dev, uint8_t *buf, size_t cap, int timeout_ms, int wake_fd, char *err,
		     size_t errlen);

#endif
