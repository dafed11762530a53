/* Device byte sources (device.h).  Real serial ports go through
 * libserialport; ptys (socat bridges, the emulator) have no sysfs entry and
 * reject the modem-line ioctls libserialport's open needs, so they and any
 * other tty it refuses are opened with termios. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "insoled/clock.h"
#include "insoled/log.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"

#define LOG_PREFIX "acquire"

/* The synthetic device never emits more than this much model time in one
 * read when it is behind (after a stall), so a paused process catches up in
 * bursts instead of one huge block. */
#define SYNTH_MAX_BURST_US 200000

struct synth_dev {
	struct ins_synth *model;
	unsigned n;
	int feet[INS_FOOT_COUNT]; /* feet produced, in turn */
	unsigned n_feet, turn;
	int ascii;
	uint32_t seq[INS_FOOT_COUNT];
	int64_t start_mono_us;    /* monotonic time of model time 0 */
	uint16_t *values;
	int64_t pending_t_us;     /* model time of the generated, unsent frame */
	unsigned pending_foot;
};

struct acquire_dev {
	enum acquire_dev_driver driver;
	char path[PATH_MAX];
	int fd;                   /* -1 for the synthetic device */
	struct sp_port *port;     /* libserialport only */
	struct synth_dev *synth;
};

const char *acquire_dev_driver_name(enum acquire_dev_driver driver)
{
	switch (driver) {
	case INS_DEV_LIBSERIALPORT: return "libserialport";
	case INS_DEV_TERMIOS: return "termios";
	case INS_DEV_FILE: return "file";
	case INS_DEV_SYNTHETIC: return "synthetic";
	}
	return "unknown";
}

enum acquire_dev_driver acquire_dev_driver(const struct acquire_dev *dev)
{
	return dev->driver;
}

const char *acquire_dev_path(const struct acquire_dev *dev)
{
	return dev->path;
}

/* libserialport's error text must be fetched right after the failure and freed. */
static const char *sp_error_text(char *buf, size_t len)
{
	char *msg = sp_last_error_message();

	snprintf(buf, len, "%s", msg ? msg : "unknown error");
	if (msg)
		sp_free_error_message(msg);
	return buf;
}

/* ---- usb:VID:PID[:SERIAL] ------------------------------------------------ */

static int parse_hex_id(const char *s, size_t len, int *out)
{
	char buf[8];
	char *end;
	long v;

	if (len == 0 || len > 4)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtol(buf, &end, 16);
	if (*end != '\0' || v < 0)
		return -1;
	*out = (int)v;
	return 0;
}

int ins_dev_parse_usb_spec(const char *spec, int *vid, int *pid, char *serial, size_t serial_len, char *err,
			   size_t errlen)
{
	const char *v, *p, *s;

	if (strncmp(spec, "usb:", 4) != 0)
		return 0;
	v = spec + 4;
	p = strchr(v, ':');
	if (!p || parse_hex_id(v, (size_t)(p - v), vid) < 0)
		goto bad;
	p++;
	s = strchr(p, ':');
	if (parse_hex_id(p, s ? (size_t)(s - p) : strlen(p), pid) < 0)
		goto bad;
	serial[0] = '\0';
	if (s) {
		if (s[1] == '\0' || strlen(s + 1) >= serial_len)
			goto bad;
		strcpy(serial, s + 1);
	}
	return 1;
bad:
	snprintf(err, errlen, "%s: not a USB port spec: want usb:VID:PID or usb:VID:PID:SERIAL with hex ids "
		 "(e.g. usb:2341:0043)", spec);
	return -1;
}

/* Finds the port name of a USB serial device by its ids. */
static int resolve_usb(const char *spec, char *path, size_t pathlen, char *err, size_t errlen)
{
	struct sp_port **ports = NULL;
	char serial[128];
	int vid, pid, found = 0, checked = 0;

	if (ins_dev_parse_usb_spec(spec, &vid, &pid, serial, sizeof(serial), err, errlen) < 0)
		return -1;
	if (sp_list_ports(&ports) != SP_OK) {
		char why[160];

		snprintf(err, errlen, "%s: cannot list serial ports: %s", spec, sp_error_text(why, sizeof(why)));
		return -1;
	}
	for (int i = 0; ports[i] && !found; i++) {
		int pv, pp;
		const char *ps;

		checked++;
		if (sp_get_port_transport(ports[i]) != SP_TRANSPORT_USB ||
		    sp_get_port_usb_vid_pid(ports[i], &pv, &pp) != SP_OK || pv != vid || pp != pid)
			continue;
		ps = sp_get_port_usb_serial(ports[i]);
		if (serial[0] && (!ps || strcmp(ps, serial) != 0))
			continue;
		snprintf(path, pathlen, "%s", sp_get_port_name(ports[i]));
		found = 1;
	}
	sp_free_port_list(ports);
	if (!found)
		snprintf(err, errlen, "%s: no USB serial device %04x:%04x%s%s is plugged in (%d ports checked)", spec,
			 vid, pid, serial[0] ? " with serial " : "", serial, checked);
	return found ? 0 : -1;
}

/* ---- termios ------------------------------------------------------------- */

static int baud_constant(unsigned baud, speed_t *out)
{
	static const struct { unsigned baud; speed_t c; } rates[] = {
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
		{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 },
		{ 921600, B921600 }, { 1000000, B1000000 }, { 2000000, B2000000 }, { 3000000, B3000000 },
	};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i].baud == baud) {
			*out = rates[i].c;
			return 0;
		}
	return -1;
}

/* Raw 8N1, no flow control, non-blocking reads (poll does the waiting). */
static int termios_configure(int fd, const char *path, unsigned baud, char *err, size_t errlen)
{
	struct termios tio;
	speed_t speed;

	if (baud_constant(baud, &speed) < 0) {
		snprintf(err, errlen, "%s: baud rate %u is not one termios supports (9600 .. 3000000 standard rates)",
			 path, baud);
		return -1;
	}
	if (tcgetattr(fd, &tio) < 0) {
		snprintf(err, errlen, "%s: not a terminal: %s", path, strerror(errno));
		return -1;
	}
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		snprintf(err, errlen, "%s: cannot configure the terminal: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Why an open failed, with the usual fix for a serial port's permissions. */
static void open_error(char *err, size_t errlen, const char *path, int errnum)
{
	snprintf(err, errlen, "%s: cannot open: %s%s", path, strerror(errnum),
		 errnum == EACCES ? " (is the daemon's user in the dialout group?)" : "");
}

/* Another process reading the same insole would steal half its bytes. */
static void make_exclusive(int fd, const char *path)
{
	if (ioctl(fd, TIOCEXCL) < 0)
		ins_warn("%s: cannot get exclusive access: %s", path, strerror(errno));
}

static int open_termios(struct acquire_dev *dev, unsigned baud, char *err, size_t errlen)
{
	dev->fd = open(dev->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (dev->fd < 0) {
		open_error(err, errlen, dev->path, errno);
		return -1;
	}
	if (termios_configure(dev->fd, dev->path, baud, err, errlen) < 0)
		return -1;
	make_exclusive(dev->fd, dev->path);
	dev->driver = INS_DEV_TERMIOS;
	return 0;
}

/* ---- libserialport --------------------------------------------------------
 * Returns 0 when open, 1 when libserialport does not handle this port (try
 * termios), -1 on a real error. */
static int open_libserialport(struct acquire_dev *dev, unsigned baud, char *err, size_t errlen)
{
	enum sp_return rc;
	int saved;

	if (sp_get_port_by_name(dev->path, &dev->port) != SP_OK)
		return 1; /* no sysfs entry: a pty or other virtual tty */
	rc = sp_open(dev->port, SP_MODE_READ);
	if (rc != SP_OK) {
		saved = sp_last_error_code();
		sp_free_port(dev->port);
		dev->port = NULL;
		if (rc == SP_ERR_FAIL && (saved == ENOTTY || saved == EINVAL || saved == EIO))
			return 1; /* it refused the modem-line ioctls: a pty */
		if (rc == SP_ERR_FAIL)
			open_error(err, errlen, dev->path, saved);
		else
			snprintf(err, errlen, "%s: cannot open: libserialport refused the port", dev->path);
		return -1;
	}
	if (sp_set_baudrate(dev->port, (int)baud) != SP_OK || sp_set_bits(dev->port, 8) != SP_OK ||
	    sp_set_parity(dev->port, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(dev->port, 1) != SP_OK ||
	    sp_set_flowcontrol(dev->port, SP_FLOWCONTROL_NONE) != SP_OK) {
		char why[160];

		snprintf(err, errlen, "%s: cannot set %u baud 8N1 without flow control: %s", dev->path, baud,
			 sp_error_text(why, sizeof(why)));
		return -1;
	}
	if (sp_get_port_handle(dev->port, &dev->fd) != SP_OK) {
		snprintf(err, errlen, "%s: libserialport gave no file descriptor", dev->path);
		return -1;
	}
	make_exclusive(dev->fd, dev->path);
	dev->driver = INS_DEV_LIBSERIALPORT;
	return 0;
}

static int open_path(struct acquire_dev *dev, const struct ins_device_config *cfg, char *err, size_t errlen)
{
	unsigned baud = cfg->baud ? cfg->baud : INS_DEV_DEFAULT_BAUD;
	struct stat st;
	char real[PATH_MAX];
	int rc;

	if (strcmp(cfg->port, "-") == 0) {
		dev->fd = dup(STDIN_FILENO);
		snprintf(dev->path, sizeof(dev->path), "stdin");
		dev->driver = INS_DEV_FILE;
		return dev->fd < 0 ? -1 : 0;
	}
	if (strncmp(cfg->port, "usb:", 4) == 0) {
		if (resolve_usb(cfg->port, dev->path, sizeof(dev->path), err, errlen) < 0)
			return -1;
	} else if (realpath(cfg->port, real)) {
		/* A symlink (udev by-id names, the emulator's --link) is
		 * followed so libserialport can find the sysfs entry. */
		snprintf(dev->path, sizeof(dev->path), "%s", real);
	} else {
		snprintf(err, errlen, "%s: %s", cfg->port, strerror(errno));
		return -1;
	}
	if (stat(dev->path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dev->path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a serial port or capture file", dev->path);
		return -1;
	}
	if (!S_ISCHR(st.st_mode)) {
		/* A capture file or FIFO: replayed as it is, to its end. */
		dev->fd = open(dev->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (dev->fd < 0) {
			open_error(err, errlen, dev->path, errno);
			return -1;
		}
		dev->driver = INS_DEV_FILE;
		return 0;
	}
	rc = open_libserialport(dev, baud, err, errlen);
	if (rc <= 0)
		return rc;
	return open_termios(dev, baud, err, errlen);
}

/* ---- synthetic --------------------------------------------------------------- */

static void synth_generate(struct synth_dev *s)
{
	unsigned foot = (unsigned)s->feet[s->turn];

	s->turn = (s->turn + 1) % s->n_feet;
	ins_synth_next(s->model, foot, s->values, &s->pending_t_us);
	s->pending_foot = foot;
}

static void synth_free(struct synth_dev *s)
{
	if (!s)
		return;
	ins_synth_free(s->model);
	free(s->values);
	free(s);
}

/* Layout, format and options of a synthetic device; fills *params. */
static int synthetic_params(const struct ins_device_config *cfg, unsigned max_n, struct ins_synth_params *params,
			    char *err, size_t errlen)
{
	char serr[200];

	if (!cfg->layout) {
		snprintf(err, errlen, "synthetic device: no layout given");
		return -1;
	}
	if (cfg->layout->n_sensors > max_n) {
		snprintf(err, errlen, "synthetic device: layout %s has %u sensors, more than the %u allowed",
			 cfg->layout->name, cfg->layout->n_sensors, max_n);
		return -1;
	}
	if (cfg->format && strcmp(cfg->format, "binary") != 0 && strcmp(cfg->format, "ascii") != 0) {
		snprintf(err, errlen, "synthetic device: format '%s' is not binary or ascii", cfg->format);
		return -1;
	}
	ins_synth_defaults(params);
	if (cfg->synth_args && ins_synth_parse(params, cfg->synth_args, serr, sizeof(serr)) < 0) {
		snprintf(err, errlen, "synthetic device: %s", serr);
		return -1;
	}
	return 0;
}

int acquire_dev_check_config(const struct ins_device_config *cfg, unsigned max_n, char *err, size_t errlen)
{
	struct ins_synth_params params;
	char serial[128];
	int vid, pid;

	if (strcmp(cfg->port, "synthetic") == 0)
		return synthetic_params(cfg, max_n, &params, err, errlen);
	return ins_dev_parse_usb_spec(cfg->port, &vid, &pid, serial, sizeof(serial), err, errlen) < 0 ? -1 : 0;
}

static int open_synthetic(struct acquire_dev *dev, const struct ins_device_config *cfg, unsigned max_n, char *err,
			  size_t errlen)
{
	struct ins_synth_params params;
	struct synth_dev *s;
	char serr[256];

	snprintf(dev->path, sizeof(dev->path), "synthetic");
	dev->driver = INS_DEV_SYNTHETIC;
	if (synthetic_params(cfg, max_n, &params, err, errlen) < 0)
		return -1;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->values = calloc(cfg->layout->n_sensors, sizeof(uint16_t)))) {
		snprintf(err, errlen, "synthetic device: out of memory");
		synth_free(s);
		return -1;
	}
	dev->synth = s;
	s->model = ins_synth_new(&params, cfg->layout, serr, sizeof(serr));
	if (!s->model) {
		snprintf(err, errlen, "synthetic device: %s", serr);
		return -1;
	}
	s->n = cfg->layout->n_sensors;
	s->ascii = cfg->format && strcmp(cfg->format, "ascii") == 0;
	if (cfg->foot == INS_DEV_FOOT_AUTO) {
		s->feet[0] = INS_FOOT_LEFT;
		s->feet[1] = INS_FOOT_RIGHT;
		s->n_feet = 2;
	} else {
		s->feet[0] = cfg->foot;
		s->n_feet = 1;
	}
	s->start_mono_us = ins_mono_us();
	synth_generate(s);
	return 0;
}

/* Encodes the pending frame into buf; returns bytes, 0 if it does not fit. */
static size_t synth_encode(struct synth_dev *s, uint8_t *buf, size_t cap)
{
	struct ins_frame f = {
		.foot = (uint8_t)s->pending_foot,
		.n = (uint16_t)s->n,
		.seq = s->seq[s->pending_foot],
		.values = s->values,
	};
	size_t len;

	if (s->ascii) {
		f.t_dev = (uint32_t)((uint64_t)s->pending_t_us / 1000u);
		len = ins_proto_encode_ascii(&f, INS_PROTO_ASCII_CRLF, (char *)buf, cap);
	} else {
		f.t_dev = (uint32_t)s->pending_t_us;
		len = ins_proto_encode_binary(&f, buf, cap);
	}
	if (len)
		s->seq[s->pending_foot]++;
	return len;
}

static int wait_wake(int wake_fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = wake_fd, .events = POLLIN };

	return poll(&pfd, wake_fd >= 0 ? 1 : 0, timeout_ms);
}

/* Frames whose model time has come, paced on the monotonic clock. */
static ssize_t synth_read(struct synth_dev *s, uint8_t *buf, size_t cap, int timeout_ms, int wake_fd)
{
	int64_t now = ins_mono_us() - s->start_mono_us;
	size_t used = 0, len;

	if (s->pending_t_us > now) {
		int64_t wait_ms = (s->pending_t_us - now + 999) / 1000;

		wait_wake(wake_fd, wait_ms < timeout_ms ? (int)wait_ms : timeout_ms);
		return 0;
	}
	if (now - s->pending_t_us > SYNTH_MAX_BURST_US) {
		/* Stalled (suspended, debugger): the model pauses too, rather
		 * than replaying the whole stall at once. */
		int64_t skip = now - s->pending_t_us - SYNTH_MAX_BURST_US;

		s->start_mono_us += skip;
		now -= skip;
	}
	while (s->pending_t_us <= now && (len = synth_encode(s, buf + used, cap - used)) > 0) {
		used += len;
		synth_generate(s);
	}
	return (ssize_t)used;
}

/* ---- common -------------------------------------------------------------------- */

struct acquire_dev *acquire_dev_open(const struct ins_device_config *cfg, unsigned max_n, char *err, size_t errlen)
{
	struct acquire_dev *dev = calloc(1, sizeof(*dev));
	int rc;

	if (!dev) {
		snprintf(err, errlen, "%s: out of memory", cfg->port);
		return NULL;
	}
	dev->fd = -1;
	if (strcmp(cfg->port, "synthetic") == 0) {
		rc = open_synthetic(dev, cfg, max_n, err, errlen);
	} else {
		rc = open_path(dev, cfg, err, errlen);
	}
	if (rc < 0) {
		acquire_dev_close(dev);
		return NULL;
	}
	return dev;
}

void acquire_dev_close(struct acquire_dev *dev)
{
	if (!dev)
		return;
	if (dev->port) {
		sp_close(dev->port);
		sp_free_port(dev->port);
	} else if (dev->fd >= 0) {
		close(dev->fd);
	}
	synth_free(dev->synth);
	free(dev);
}

ssize_t acquire_dev_read(struct acquire_dev *dev, uint8_t *buf, size_t cap, int timeout_ms, int wake_fd, char *err,
		     size_t errlen)
{
	struct pollfd pfd[2] = { { .fd = dev->fd, .events = POLLIN }, { .fd = wake_fd, .events = POLLIN } };
	ssize_t n;
	int rc;

	if (dev->synth)
		return synth_read(dev->synth, buf, cap, timeout_ms, wake_fd);
	rc = poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms);
	if (rc < 0) {
		if (errno == EINTR)
			return 0;
		snprintf(err, errlen, "%s: poll failed: %s", dev->path, strerror(errno));
		return INS_DEV_ERROR;
	}
	if (rc == 0 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
		return 0;
	if (pfd[0].revents & POLLNVAL) {
		snprintf(err, errlen, "%s: descriptor no longer valid", dev->path);
		return INS_DEV_ERROR;
	}
	if (dev->port) {
		enum sp_return got = sp_nonblocking_read(dev->port, buf, cap);

		if (got > 0)
			return got;
		if (got < 0) {
			char why[160];

			snprintf(err, errlen, "%s: read failed: %s", dev->path, sp_error_text(why, sizeof(why)));
			return INS_DEV_ERROR;
		}
		/* Readable or hung up, yet nothing to read: the port is gone. */
		snprintf(err, errlen, "%s: hung up (device unplugged)", dev->path);
		return INS_DEV_ERROR;
	}
	n = read(dev->fd, buf, cap);
	if (n > 0)
		return n;
	if (n == 0) {
		if (dev->driver == INS_DEV_FILE)
			return INS_DEV_EOF;
		snprintf(err, errlen, "%s: hung up (device unplugged or the other end closed)", dev->path);
		return INS_DEV_ERROR;
	}
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	snprintf(err, errlen, "%s: read failed: %s", dev->path,
		 errno == EIO ? "I/O error (device unplugged or the other end closed)" : strerror(errno));
	return INS_DEV_ERROR;
}
