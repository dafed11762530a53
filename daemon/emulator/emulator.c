/* insoled-emulator: the synthetic insole pair (synth.h) streamed as protocol
 * v1 over a pseudo-terminal (or stdout), with fault injection whose every
 * effect on a protocol parser is counted exactly (docs/emulator.md). */
#include "config.h" /* _GNU_SOURCE from AC_USE_SYSTEM_EXTENSIONS: posix_openpt, ptsname */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "insoled/clock.h"
#include "insoled/datadir.h"
#include "insoled/layout.h"
#include "insoled/log.h"
#include "insoled/parse.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"

#define EMU_LOG "emulator"

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
/* Consecutive empty looks that make a pty drained (see pending_bytes). */
#define DRAIN_EMPTY_ROUNDS 2
/* While waiting for a slow reader, say so this often. */
#define DRAIN_NOTE_US 5000000
/* Pause between the pieces of a split frame in real-time mode, so that the
 * reader gets them in separate reads. */
#define SPLIT_PAUSE_US 300
/* Far enough for the ASCII clock (ms, 32 bits) to wrap too. */
#define CLOCK_START_MAX_US (1000ull * UINT32_MAX)

/* ---- options ----------------------------------------------------------- */

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
static const char *const fault_names[FAULT_KINDS] = { "garbage", "bad_crc", "drop", "duplicate", "overlong" };

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
	int readers;           /* open descriptions of the slave other than ours */
	int readers_known;     /* 0: no watch, or its queue overflowed */
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

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *to)
{
	fputs("usage: insoled-emulator [--layout NAME|FILE] [--layout-dir DIR] [--format binary|ascii] [--crlf] [--bare]\n"
	      "         [--feet both|left|right] [--rate HZ] [--speed X] [--duration SECONDS | --frames N]\n"
	      "         [--synth key=value,...] [--seed N] [--link PATH] [--clock-start-us US]\n"
	      "         [--garbage N] [--bad-crc N] [--drop N] [--duplicate N] [--split] [--overlong N]\n"
	      "         [--fault-window SECONDS] [--unplug-after SECONDS --unplug-for SECONDS] [--no-reader-wait SECONDS]\n"
	      "         [--stats FILE] [--stdout] [--version] [--help]\n"
	      "Streams protocol-v1 frames of a synthetic walking or running subject on a new\n"
	      "pseudo-terminal whose path is the first line on stdout (docs/emulator.md).\n",
	      to);
}

static int parse_double(const char *opt, const char *s, double min, double max, double *out)
{
	double v;

	if (ins_parse_double(s, &v) < 0 || v < min || v > max) {
		fprintf(stderr, "insoled-emulator: --%s %s: must be a number from %g to %g\n", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (ins_parse_u64(s, 0, &v) < 0 || v > max) {
		fprintf(stderr, "insoled-emulator: --%s %s: must be a whole number from 0 to %llu\n", opt, s,
			(unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_count(const char *opt, const char *s, unsigned *out)
{
	uint64_t v;

	if (parse_u64(opt, s, 1000000, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

enum long_only {
	OPT_LAYOUT = 256, OPT_LAYOUT_DIR, OPT_FORMAT, OPT_CRLF, OPT_BARE, OPT_FEET, OPT_RATE, OPT_SPEED, OPT_DURATION,
	OPT_FRAMES, OPT_SYNTH, OPT_SEED, OPT_LINK, OPT_CLOCK_START, OPT_GARBAGE, OPT_BAD_CRC, OPT_DROP,
	OPT_DUPLICATE, OPT_SPLIT, OPT_OVERLONG, OPT_FAULT_WINDOW, OPT_UNPLUG_AFTER, OPT_UNPLUG_FOR, OPT_NO_READER_WAIT, OPT_STATS,
	OPT_STDOUT, OPT_HELP, OPT_VERSION
};

static const struct option long_options[] = {
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "layout-dir", required_argument, NULL, OPT_LAYOUT_DIR },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "crlf", no_argument, NULL, OPT_CRLF },
	{ "bare", no_argument, NULL, OPT_BARE },
	{ "feet", required_argument, NULL, OPT_FEET },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "speed", required_argument, NULL, OPT_SPEED },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "synth", required_argument, NULL, OPT_SYNTH },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "clock-start-us", required_argument, NULL, OPT_CLOCK_START },
	{ "garbage", required_argument, NULL, OPT_GARBAGE },
	{ "bad-crc", required_argument, NULL, OPT_BAD_CRC },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "duplicate", required_argument, NULL, OPT_DUPLICATE },
	{ "split", no_argument, NULL, OPT_SPLIT },
	{ "overlong", required_argument, NULL, OPT_OVERLONG },
	{ "fault-window", required_argument, NULL, OPT_FAULT_WINDOW },
	{ "unplug-after", required_argument, NULL, OPT_UNPLUG_AFTER },
	{ "unplug-for", required_argument, NULL, OPT_UNPLUG_FOR },
	{ "no-reader-wait", required_argument, NULL, OPT_NO_READER_WAIT },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "stdout", no_argument, NULL, OPT_STDOUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int parse_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_LAYOUT: o->layout = arg; return 0;
	case OPT_LAYOUT_DIR: o->layout_dir = arg; return 0;
	case OPT_SYNTH: o->synth_args = arg; return 0;
	case OPT_LINK: o->link = arg; return 0;
	case OPT_STATS: o->stats_path = arg; return 0;
	case OPT_CRLF: o->crlf = 1; return 0;
	case OPT_BARE: o->bare = 1; return 0;
	case OPT_SPLIT: o->split = 1; return 0;
	case OPT_STDOUT: o->to_stdout = 1; return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "binary") != 0 && strcmp(arg, "ascii") != 0) {
			fprintf(stderr, "insoled-emulator: --format %s: must be binary or ascii\n", arg);
			return -1;
		}
		o->ascii = strcmp(arg, "ascii") == 0;
		return 0;
	case OPT_FEET:
		o->feet = strcmp(arg, "both") == 0 ? 3u : strcmp(arg, "left") == 0 ? 1u : strcmp(arg, "right") == 0 ? 2u : 0u;
		if (!o->feet) {
			fprintf(stderr, "insoled-emulator: --feet %s: must be both, left or right\n", arg);
			return -1;
		}
		return 0;
	case OPT_RATE: return parse_double("rate", arg, 1.0, MAX_RATE_HZ, &o->rate_hz);
	case OPT_SPEED: return parse_double("speed", arg, 0.0, 1e6, &o->speed);
	case OPT_DURATION: return parse_double("duration", arg, 0.0, 1e7, &o->duration_s);
	case OPT_FRAMES: return parse_u64("frames", arg, UINT32_MAX, &o->frames);
	case OPT_SEED: o->have_seed = 1; return parse_u64("seed", arg, UINT64_MAX, &o->seed);
	case OPT_CLOCK_START: return parse_u64("clock-start-us", arg, CLOCK_START_MAX_US, &o->clock_start_us);
	case OPT_GARBAGE: return parse_count("garbage", arg, &o->garbage);
	case OPT_BAD_CRC: return parse_count("bad-crc", arg, &o->bad_crc);
	case OPT_DROP: return parse_count("drop", arg, &o->drop);
	case OPT_DUPLICATE: return parse_count("duplicate", arg, &o->duplicate);
	case OPT_OVERLONG: return parse_count("overlong", arg, &o->overlong);
	case OPT_FAULT_WINDOW: return parse_double("fault-window", arg, 0.001, 1e7, &o->fault_window_s);
	case OPT_UNPLUG_AFTER: return parse_double("unplug-after", arg, 0.001, 1e7, &o->unplug_after_s);
	case OPT_UNPLUG_FOR: return parse_double("unplug-for", arg, 0.001, 3600.0, &o->unplug_for_s);
	case OPT_NO_READER_WAIT: return parse_double("no-reader-wait", arg, 0.0, 3600.0, &o->no_reader_wait_s);
	}
	usage(stderr);
	return -1;
}

/* Options that only make sense together, checked once all are known. */
static int check_options(const struct options *o)
{
	const char *why = NULL;

	if (o->duration_s > 0 && o->frames > 0)
		why = "--duration and --frames both given: choose one";
	else if ((o->unplug_after_s > 0) != (o->unplug_for_s > 0))
		why = "--unplug-after and --unplug-for go together";
	else if (o->unplug_after_s > 0 && o->to_stdout)
		why = "--unplug-after needs a pty: not with --stdout";
	else if (o->link && o->to_stdout)
		why = "--link needs a pty: not with --stdout";
	else if (o->overlong && !o->ascii)
		why = "--overlong injects ASCII lines: it needs --format ascii";
	else if (o->crlf && !o->ascii)
		why = "--crlf needs --format ascii";
	else if (o->bare && (!o->ascii || o->feet == 3u))
		why = "--bare lines carry no foot: it needs --format ascii and --feet left or right";
	if (why) {
		fprintf(stderr, "insoled-emulator: %s\n", why);
		return -1;
	}
	return 0;
}

static int parse_args(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->layout = DEFAULT_LAYOUT;
	o->feet = 3u;
	o->rate_hz = DEFAULT_RATE_HZ;
	o->speed = 1.0;
	o->no_reader_wait_s = DEFAULT_NO_READER_WAIT_S;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (c == OPT_HELP) {
			usage(stdout);
			exit(EXIT_SUCCESS);
		}
		if (c == OPT_VERSION) {
			printf("insoled-emulator %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		}
		if (parse_option(o, c, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "insoled-emulator: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return check_options(o);
}

/* ---- random numbers for faults (splitmix64: small, seedable) ------------ */

static uint64_t next_random(struct emulator *e)
{
	uint64_t z = (e->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t random_below(struct emulator *e, uint64_t n)
{
	return n ? next_random(e) % n : 0;
}

/* ---- fault schedule ------------------------------------------------------ */

static uint64_t total_frames(const struct options *o)
{
	if (o->frames)
		return o->frames;
	if (o->duration_s > 0)
		return (uint64_t)llround(o->duration_s * o->rate_hz);
	return 0;
}

static int frame_eligible(const struct emulator *e, uint64_t j, uint64_t horizon)
{
	if (j < FAULT_EDGE_FRAMES || j + FAULT_EDGE_FRAMES >= horizon)
		return 0;
	if (e->unplug_frame != UINT64_MAX && j + FAULT_EDGE_FRAMES >= e->unplug_frame &&
	    j < e->replug_frame + FAULT_EDGE_FRAMES)
		return 0;
	return 1;
}

/* Places every requested fault: the eligible frames are cut into equal
 * bins, one fault per bin at a random frame that leaves the bin's last
 * FAULT_MIN_SPACING - 1 frames clean, kinds in a shuffled order, feet at
 * random among those streamed. */
static int plan_faults(struct emulator *e)
{
	const struct options *o = &e->opt;
	unsigned counts[FAULT_KINDS] = { o->garbage, o->bad_crc, o->drop, o->duplicate, o->overlong };
	uint64_t total = total_frames(o), window, horizon, n_eligible = 0, *eligible = NULL;
	size_t k = 0, bin;
	unsigned feet[INS_FOOT_COUNT], n_feet = 0;

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (o->feet & (1u << f))
			feet[n_feet++] = f;
	for (int i = 0; i < FAULT_KINDS; i++)
		e->n_plan += counts[i];
	if (e->n_plan == 0)
		return 0;
	window = o->fault_window_s > 0 ? (uint64_t)llround(o->fault_window_s * o->rate_hz) : 0;
	if (total)
		horizon = window && window < total ? window : total;
	else
		horizon = window ? window : (uint64_t)llround(DEFAULT_FAULT_WINDOW_S * o->rate_hz);
	eligible = malloc(sizeof(*eligible) * (size_t)(horizon ? horizon : 1));
	e->plan = calloc(e->n_plan, sizeof(*e->plan));
	if (!eligible || !e->plan) {
		free(eligible);
		fprintf(stderr, "insoled-emulator: out of memory planning %zu faults\n", e->n_plan);
		return -1;
	}
	for (uint64_t j = 0; j < horizon; j++)
		if (frame_eligible(e, j, horizon))
			eligible[n_eligible++] = j;
	bin = (size_t)(n_eligible / e->n_plan);
	if (bin < FAULT_MIN_SPACING) {
		fprintf(stderr,
			"insoled-emulator: %zu faults do not fit in %llu frames (at most one per %d frames after the "
			"first and before the last %d and around an unplug): run longer or ask for fewer\n",
			e->n_plan, (unsigned long long)horizon, FAULT_MIN_SPACING, FAULT_EDGE_FRAMES);
		free(eligible);
		return -1;
	}
	for (int i = 0; i < FAULT_KINDS; i++)
		for (unsigned c = 0; c < counts[i]; c++)
			e->plan[k++].kind = (enum fault_kind)i;
	for (size_t i = e->n_plan - 1; i > 0; i--) { /* Fisher-Yates */
		size_t r = (size_t)random_below(e, i + 1);
		enum fault_kind t = e->plan[i].kind;
		e->plan[i].kind = e->plan[r].kind;
		e->plan[r].kind = t;
	}
	for (size_t i = 0; i < e->n_plan; i++) {
		e->plan[i].frame = eligible[i * bin + random_below(e, bin - (FAULT_MIN_SPACING - 1))];
		e->plan[i].foot = feet[random_below(e, n_feet)];
	}
	free(eligible);
	return 0;
}

/* ---- output: pty or stdout ------------------------------------------------ */

static int set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The link is replaced atomically so a reader never sees it missing or half
 * written while a pty exists. */
static int point_link(const struct emulator *e)
{
	char tmp[4096];

	if (!e->opt.link)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new.%ld", e->opt.link, (long)getpid());
	unlink(tmp);
	if (symlink(e->pty_path, tmp) < 0 || rename(tmp, e->opt.link) < 0) {
		ins_err(EMU_LOG, "cannot point %s at %s: %s", e->opt.link, e->pty_path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Removes the link if it still names our pty (another emulator may have
 * taken it over). */
static void remove_link(const struct emulator *e)
{
	char target[sizeof(e->pty_path)];
	ssize_t n;

	if (!e->opt.link)
		return;
	n = readlink(e->opt.link, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	if (strcmp(target, e->pty_path) == 0)
		unlink(e->opt.link);
}

/* Readers are counted from the kernel's own record of opens and final
 * closes of the slave node (inotify IN_OPEN / IN_CLOSE: one pair per open
 * file description, whoever holds it), so a reader that the scheduler has
 * not run for seconds still counts as attached.  Our own slave descriptor
 * is opened before the watch exists and is not counted. */
static void watch_readers(struct emulator *e)
{
	e->readers = 0;
	e->readers_known = 0;
	e->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->watch_fd >= 0 && inotify_add_watch(e->watch_fd, e->pty_path, IN_OPEN | IN_CLOSE) >= 0) {
		e->readers_known = 1;
		return;
	}
	ins_warn(EMU_LOG, "cannot watch %s for readers (%s): unread bytes wait at most %g s when it closes",
		 e->pty_path, strerror(errno), e->opt.no_reader_wait_s);
	if (e->watch_fd >= 0)
		close(e->watch_fd);
	e->watch_fd = -1;
}

/* Takes the opens and closes seen since the last call. */
static void update_readers(struct emulator *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (e->watch_fd < 0)
		return;
	while ((n = read(e->watch_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				e->readers_known = 0; /* the count is lost: fall back to the bounded wait */
			if (ev->mask & IN_OPEN)
				e->readers++;
			if ((ev->mask & IN_CLOSE) && e->readers > 0)
				e->readers--;
			p += sizeof(*ev) + ev->len;
		}
	}
}

/* Opens a new pty in raw mode.  We keep a slave descriptor open ourselves:
 * without it, bytes written while no reader is attached vanish and the
 * master reports hang-ups; with it they wait in the pty (up to its buffer,
 * then writes block) until a reader comes. */
static int open_pty(struct emulator *e)
{
	struct termios tio;
	const char *name;

	e->fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (e->fd < 0 || grantpt(e->fd) < 0 || unlockpt(e->fd) < 0 || !(name = ptsname(e->fd))) {
		ins_err(EMU_LOG, "cannot create a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	snprintf(e->pty_path, sizeof(e->pty_path), "%s", name);
	e->slave_fd = open(e->pty_path, O_RDWR | O_NOCTTY);
	if (e->slave_fd < 0 || tcgetattr(e->slave_fd, &tio) < 0) {
		ins_err(EMU_LOG, "cannot open %s: %s", e->pty_path, strerror(errno));
		return -1;
	}
	cfmakeraw(&tio);
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(e->slave_fd, TCSANOW, &tio) < 0 || set_nonblocking(e->fd) < 0) {
		ins_err(EMU_LOG, "cannot set %s raw: %s", e->pty_path, strerror(errno));
		return -1;
	}
	watch_readers(e); /* before the path is published: every reader's open is seen */
	json_array_append_new(e->ptys, json_string(e->pty_path));
	if (point_link(e) < 0)
		return -1;
	printf("%s\n", e->pty_path);
	fflush(stdout);
	ins_info(EMU_LOG, "streaming on %s%s%s", e->pty_path, e->opt.link ? " via " : "",
		 e->opt.link ? e->opt.link : "");
	return 0;
}

static void close_pty(struct emulator *e)
{
	remove_link(e);
	if (e->watch_fd >= 0)
		close(e->watch_fd);
	if (e->fd >= 0)
		close(e->fd);
	if (e->slave_fd >= 0)
		close(e->slave_fd);
	e->fd = e->slave_fd = e->watch_fd = -1;
}

/* Discards whatever a reader wrote to its end (nobody listens to it). */
static void drain_input(int fd)
{
	uint8_t junk[512];

	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

/* Waits until fd can take more bytes (or a stop was asked). */
static void wait_writable(const struct emulator *e)
{
	struct pollfd pfd = { .fd = e->fd, .events = POLLOUT | (e->slave_fd >= 0 ? POLLIN : 0) };

	if (poll(&pfd, 1, WRITE_POLL_MS) > 0 && (pfd.revents & POLLIN))
		drain_input(e->fd);
	if (pfd.revents & (POLLHUP | POLLERR))
		usleep(WRITE_POLL_MS * 1000); /* never spin on a hung-up descriptor */
}

static int write_all(struct emulator *e, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t w = write(e->fd, p, len);

		if (w > 0) {
			p += w;
			len -= (size_t)w;
			e->bytes_written += (uint64_t)w;
			continue;
		}
		if (stop_requested)
			return -1;
		if (w < 0 && errno == EPIPE) {
			/* The reader of --stdout went away (| head): the end of the run. */
			ins_info(EMU_LOG, "stdout closed by its reader");
			stop_requested = 1;
			return -1;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
			ins_err(EMU_LOG, "write to %s: %s", e->opt.to_stdout ? "stdout" : e->pty_path, strerror(errno));
			return -1;
		}
		wait_writable(e);
	}
	return 0;
}

static void pause_us(int64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Writes one item; --split cuts frames into 2 or 3 pieces at random
 * boundaries with a short pause between them in real-time mode. */
static int emit(struct emulator *e, const uint8_t *data, size_t len, int splittable)
{
	size_t cuts[2], n_cuts, at = 0;

	if (!e->opt.split || !splittable || len < 3)
		return write_all(e, data, len);
	n_cuts = 1 + (size_t)random_below(e, 2);
	cuts[0] = 1 + (size_t)random_below(e, len - 1);
	cuts[1] = 1 + (size_t)random_below(e, len - 1);
	if (n_cuts == 2 && cuts[1] < cuts[0]) {
		size_t t = cuts[0];
		cuts[0] = cuts[1];
		cuts[1] = t;
	}
	if (n_cuts == 2 && cuts[0] == cuts[1])
		n_cuts = 1;
	e->split_frames++;
	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : len;
		if (write_all(e, data + at, end - at) < 0)
			return -1;
		e->split_writes++;
		at = end;
		if (i < n_cuts && e->opt.speed > 0)
			pause_us(SPLIT_PAUSE_US);
	}
	return 0;
}

/* ---- faults ---------------------------------------------------------------- */

/* Garbage never holds the sync byte, a line start, CR or LF: the parser
 * skips it as one run (one resync) and finds the next frame intact. */
static int garbage_byte_ok(uint8_t c)
{
	return c != INS_PROTO_SYNC0 && c != 'L' && c != 'R' && c != '#' && !(c >= '0' && c <= '9') && c != '\r' &&
	       c != '\n';
}

static int inject_garbage(struct emulator *e)
{
	uint8_t burst[GARBAGE_MAX_BYTES];
	size_t n = 1 + (size_t)random_below(e, GARBAGE_MAX_BYTES);

	for (size_t i = 0; i < n; i++) {
		uint8_t c;
		do
			c = (uint8_t)next_random(e);
		while (!garbage_byte_ok(c));
		burst[i] = c;
	}
	e->garbage_bytes += n;
	e->expect.resyncs++;
	e->expect.garbage_bytes += n;
	return write_all(e, burst, n);
}

/* An ASCII line longer than any parser configuration accepts
 * (INS_PROTO_LINE_MAX(INS_MAX_SENSORS)), made of data characters only. */
static int inject_overlong(struct emulator *e)
{
	size_t len = INS_PROTO_LINE_MAX(INS_MAX_SENSORS) + 64;
	char *line = malloc(len + 2);
	int rc;

	if (!line)
		return -1;
	line[0] = 'L';
	for (size_t i = 1; i < len; i++)
		line[i] = (i % 2) ? ',' : '0';
	if (e->opt.crlf)
		line[len++] = '\r';
	line[len++] = '\n';
	e->overlong_bytes += len;
	e->expect.overlong_lines++;
	e->expect.dropped_bytes += e->opt.crlf ? len - 1 : len; /* up to the first terminator */
	rc = write_all(e, line, len);
	free(line);
	return rc;
}

/* Corrupts an encoded binary frame so that a parser counts exactly one CRC
 * error over all its bytes: the CRC is flipped, and no sync word may remain
 * inside the frame, nor a sync byte in its last place (the parser would
 * resume there, depending on where a read ends). */
static void corrupt_binary(uint8_t *b, size_t size)
{
	b[size - 2] ^= 0x01;
	for (;;) {
		for (size_t i = 1; i + 1 < size; i++)
			if (b[i] == INS_PROTO_SYNC0 && b[i + 1] == INS_PROTO_SYNC1)
				b[i + 1] ^= 0x01;
		if (b[size - 1] == INS_PROTO_SYNC0)
			b[size - 1] ^= 0x01;
		uint16_t crc = ins_crc16(INS_CRC16_INIT, b + 2, size - 4);
		if (crc != (uint16_t)(b[size - 2] | (b[size - 1] << 8)))
			return;
		b[size - 2] ^= 0x02; /* the scrub happened to fix the CRC: break it again */
	}
}

/* An empty field after the timestamp: the line is all data characters, so
 * a parser reads it to its end and counts one bad line. */
static size_t corrupt_ascii(uint8_t *b, size_t len, int bare)
{
	/* The timestamp ends at the first comma of a bare line, the third of a
	 * tagged one ("L,<seq>,<t_ms>,"). */
	unsigned commas = bare ? 1 : 3;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] == ',' && --commas == 0)
			break;
	if (i == len)
		return len;
	memmove(b + i + 1, b + i, len - i);
	return len + 1;
}

/* ---- frames ----------------------------------------------------------------- */

static uint32_t device_time(const struct emulator *e, int64_t t_us)
{
	uint64_t t = e->opt.clock_start_us + (uint64_t)t_us;

	return (uint32_t)(e->opt.ascii ? t / 1000 : t);
}

static size_t encode(struct emulator *e, unsigned foot, uint32_t seq, int64_t t_us)
{
	struct ins_frame f = {
		.foot = (uint8_t)foot, .n = e->layout->n_sensors, .seq = seq,
		.t_dev = device_time(e, t_us), .values = e->values,
	};

	if (e->opt.ascii)
		return ins_proto_encode_ascii(&f, (e->opt.crlf ? INS_PROTO_ASCII_CRLF : 0u) | (e->opt.bare ? INS_PROTO_ASCII_BARE : 0u),
					      (char *)e->buf, e->buf_cap);
	return ins_proto_encode_binary(&f, e->buf, e->buf_cap);
}

/* A valid frame reached the parser: settle the losses before it and note
 * clock wraps. */
static void expect_valid_frame(struct emulator *e, unsigned foot, uint32_t t_dev)
{
	struct foot_stats *fs = &e->foot[foot];

	e->expect.frames++;
	if (fs->pending_lost) {
		e->expect.seq_gaps++;
		e->expect.frames_lost += fs->pending_lost;
		fs->pending_lost = 0;
	}
	if (fs->have_last && t_dev < fs->last_t_dev)
		e->expect.clock_wraps++;
	fs->have_last = 1;
	fs->last_t_dev = t_dev;
}

static void note_fault(struct emulator *e, enum fault_kind kind, uint64_t frame, unsigned foot)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "frame", (json_int_t)frame, "foot", ins_foot_name(foot), "kind",
			      fault_names[kind]);

	e->injected[kind]++;
	if (o)
		json_array_append_new(e->injected_at, o);
}

static const struct planned_fault *fault_for(struct emulator *e, uint64_t frame, unsigned foot)
{
	while (e->next_plan < e->n_plan && e->plan[e->next_plan].frame < frame)
		e->next_plan++; /* planned inside an unplug or skipped: never injected */
	for (size_t i = e->next_plan; i < e->n_plan && e->plan[i].frame == frame; i++)
		if (e->plan[i].foot == foot)
			return &e->plan[i];
	return NULL;
}

static int send_frame(struct emulator *e, unsigned foot, uint64_t frame, uint32_t seq, int64_t t_us)
{
	struct foot_stats *fs = &e->foot[foot];
	const struct planned_fault *pf = fault_for(e, frame, foot);
	size_t len = encode(e, foot, seq, t_us);
	uint32_t t_dev = device_time(e, t_us);

	if (len == 0) {
		ins_err(EMU_LOG, "cannot encode a frame of %u values", (unsigned)e->layout->n_sensors);
		return -1;
	}
	if (pf) {
		note_fault(e, pf->kind, frame, foot);
		switch (pf->kind) {
		case FAULT_GARBAGE:
			if (inject_garbage(e) < 0)
				return -1;
			break;
		case FAULT_OVERLONG:
			if (inject_overlong(e) < 0)
				return -1;
			break;
		case FAULT_DROP:
			fs->dropped++;
			fs->pending_lost += !e->opt.bare; /* bare lines have no seq: a loss is invisible */
			return 0;
		case FAULT_BAD_CRC:
			fs->corrupted++;
			fs->pending_lost += !e->opt.bare;
			if (e->opt.ascii) {
				len = corrupt_ascii(e->buf, len, e->opt.bare);
				e->expect.bad_lines++;
				e->expect.dropped_bytes += e->opt.crlf ? len - 1 : len;
			} else {
				corrupt_binary(e->buf, len);
				e->expect.crc_errors++;
				e->expect.crc_error_bytes += len;
			}
			return emit(e, e->buf, len, 1);
		case FAULT_DUPLICATE:
			fs->duplicated++;
			e->expect.duplicates += !e->opt.bare; /* a repeated bare line is just another frame */
			break;
		case FAULT_KINDS:
			break;
		}
	}
	if (emit(e, e->buf, len, 1) < 0)
		return -1;
	fs->sent++;
	expect_valid_frame(e, foot, t_dev);
	if (pf && pf->kind == FAULT_DUPLICATE) {
		if (e->opt.bare)
			expect_valid_frame(e, foot, t_dev);
		return emit(e, e->buf, len, 1);
	}
	return 0;
}

/* ---- unplug / replug ------------------------------------------------------- */

/* Bytes written to the pty that no reader has taken yet (0: all taken).
 * FIONREAD alone is not enough: it counts only the line discipline's
 * 4 KiB buffer, and a write lands first in the tty's flip buffer, which a
 * kernel worker moves over when it gets to run (on a loaded machine later
 * than any quiet period we could pick), and which stays put while the line
 * discipline is full until a reader's read() re-queues that worker.  So:
 * FIONREAD takes the tty's termios lock for writing and thereby waits for
 * a read() in progress, which re-queues the worker before it lets go
 * (n_tty_read -> n_tty_kick_worker); then poll(), finding nothing in the
 * line discipline, waits for the queued worker (n_tty_poll ->
 * tty_buffer_flush_work) and looks again.  A worker that re-queued itself
 * meanwhile is caught by the second round. */
static int pending_bytes(const struct emulator *e)
{
	for (int empty_rounds = 0; empty_rounds < DRAIN_EMPTY_ROUNDS;) {
		struct pollfd pfd = { .fd = e->slave_fd, .events = POLLIN };
		int n = 0;

		if (ioctl(e->slave_fd, FIONREAD, &n) < 0)
			return -1;
		if (n > 0)
			return n;
		if (poll(&pfd, 1, 0) < 0)
			return -1;
		if (!(pfd.revents & POLLIN))
			empty_rounds++;
	}
	return 0;
}

/* Waits until readers have taken what was written: bytes still queued
 * when the master closes are lost (the slave is hung up).  While a reader
 * holds the pty the wait has no limit, however slowly it reads; with no
 * reader it is bounded, as nothing may ever come. */
static void wait_drained(struct emulator *e)
{
	int64_t now = ins_mono_us(), alone_since = now, next_note = now + DRAIN_NOTE_US;
	int64_t no_reader_wait_us = llround(e->opt.no_reader_wait_s * 1e6);
	int pending;

	while (!stop_requested && (pending = pending_bytes(e)) > 0) {
		update_readers(e);
		if (e->readers_known && e->readers > 0) {
			alone_since = now;
		} else if (now - alone_since >= no_reader_wait_us) {
			/* FIONREAD stops at the line discipline's 4 KiB: "at least". */
			ins_warn(EMU_LOG, "closing %s with at least %d bytes nobody read", e->pty_path, pending);
			return;
		}
		if (now >= next_note) {
			ins_info(EMU_LOG, "waiting for the reader of %s to take at least %d more bytes", e->pty_path, pending);
			next_note = now + DRAIN_NOTE_US;
		}
		pause_us(DRAIN_POLL_US);
		now = ins_mono_us();
	}
}

static void unplug(struct emulator *e)
{
	wait_drained(e);
	ins_info(EMU_LOG, "unplugging %s for %.3f s", e->pty_path, e->opt.unplug_for_s);
	close_pty(e);
	e->unplugs++;
}

static int replug(struct emulator *e)
{
	if (e->opt.speed == 0)
		pause_us(llround(e->opt.unplug_for_s * 1e6)); /* nothing else paces the outage */
	/* A new stream: the parser forgets sequence and clock state. */
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		e->foot[f].pending_lost = 0;
		e->foot[f].have_last = 0;
	}
	return open_pty(e);
}

/* ---- pacing ------------------------------------------------------------------ */

/* Sleeps until model time t_us is due in real time (times --speed); a
 * reader that blocked us for long restarts the schedule. */
static void pace(struct emulator *e, int64_t t_us)
{
	int64_t due, now;

	if (e->opt.speed <= 0)
		return;
	due = e->schedule_start_us + llround((double)t_us / e->opt.speed);
	now = ins_mono_us();
	if (now - due > MAX_LAG_US) {
		e->schedule_start_us += now - due;
		e->reanchors++;
		return;
	}
	while (!stop_requested && (now = ins_mono_us()) < due)
		pause_us(due - now);
}

static int run(struct emulator *e)
{
	uint64_t total = total_frames(&e->opt);
	uint32_t seq[INS_FOOT_COUNT] = { 0, 0 };
	int unplugged = 0;

	e->schedule_start_us = ins_mono_us();
	for (uint64_t j = 0; !stop_requested && (total == 0 || j < total); j++) {
		int64_t t_us = 0;

		if (j == e->unplug_frame) {
			unplug(e);
			unplugged = 1;
		} else if (j == e->replug_frame) {
			if (replug(e) < 0)
				return -1;
			unplugged = 0;
		}
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			if (!(e->opt.feet & (1u << f)))
				continue;
			ins_synth_next(e->synth, f, e->values, &t_us);
			e->foot[f].generated++;
			if (f == INS_FOOT_LEFT || !(e->opt.feet & 1u))
				pace(e, t_us);
			if (stop_requested)
				break;
			if (unplugged) {
				e->foot[f].lost_unplugged++;
				seq[f]++;
				continue;
			}
			if (send_frame(e, f, j, seq[f]++, t_us) < 0)
				return stop_requested ? 0 : -1;
		}
		e->frames_done = j + 1;
	}
	e->complete = !stop_requested;
	return 0;
}

/* ---- stats ------------------------------------------------------------------ */

static json_t *foot_json(const struct foot_stats *fs)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "frames_generated", (json_int_t)fs->generated,
			 "frames_sent", (json_int_t)fs->sent, "dropped", (json_int_t)fs->dropped, "bad_crc",
			 (json_int_t)fs->corrupted, "duplicated", (json_int_t)fs->duplicated, "lost_unplugged",
			 (json_int_t)fs->lost_unplugged);
}

static json_t *expect_json(const struct expected *x)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "frames",
			 (json_int_t)x->frames, "resyncs", (json_int_t)x->resyncs, "garbage_bytes",
			 (json_int_t)x->garbage_bytes, "crc_errors", (json_int_t)x->crc_errors, "crc_error_bytes",
			 (json_int_t)x->crc_error_bytes, "seq_gaps", (json_int_t)x->seq_gaps, "frames_lost",
			 (json_int_t)x->frames_lost, "duplicates", (json_int_t)x->duplicates, "overlong_lines",
			 (json_int_t)x->overlong_lines, "bad_lines", (json_int_t)x->bad_lines, "dropped_bytes",
			 (json_int_t)x->dropped_bytes, "clock_wraps", (json_int_t)x->clock_wraps);
}

static json_t *faults_json(const struct emulator *e)
{
	json_t *o = json_object();

	for (int i = 0; i < FAULT_KINDS; i++)
		json_object_set_new(o, fault_names[i], json_integer((json_int_t)e->injected[i]));
	json_object_set_new(o, "garbage_bytes", json_integer((json_int_t)e->garbage_bytes));
	json_object_set_new(o, "overlong_bytes", json_integer((json_int_t)e->overlong_bytes));
	json_object_set_new(o, "split_frames", json_integer((json_int_t)e->split_frames));
	json_object_set_new(o, "split_writes", json_integer((json_int_t)e->split_writes));
	json_object_set_new(o, "unplugs", json_integer((json_int_t)e->unplugs));
	json_object_set_new(o, "at", json_incref(e->injected_at));
	return o;
}

static json_t *stats_json(const struct emulator *e)
{
	json_t *feet = json_object();

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (e->opt.feet & (1u << f))
			json_object_set_new(feet, ins_foot_name(f), foot_json(&e->foot[f]));
	return json_pack("{s:s, s:s, s:i, s:f, s:f, s:I, s:s, s:b, s:I, s:I, s:I, s:O, s:o, s:o, s:o}", "format",
			 e->opt.ascii ? "ascii" : "binary", "layout", e->layout->name, "n_sensors",
			 (int)e->layout->n_sensors, "rate_hz", e->opt.rate_hz, "speed", e->opt.speed, "seed",
			 (json_int_t)e->params.seed, "synth", e->opt.synth_args ? e->opt.synth_args : "", "complete",
			 e->complete, "frames_per_foot", (json_int_t)e->frames_done, "bytes_written",
			 (json_int_t)e->bytes_written, "schedule_restarts", (json_int_t)e->reanchors, "ptys", e->ptys,
			 "feet", feet, "faults", faults_json(e), "expect", expect_json(&e->expect));
}

/* Written to FILE.new, then renamed: a reader never sees half a file. */
static int write_stats(const struct emulator *e)
{
	char tmp[4096];
	json_t *j;
	int rc = -1;

	if (!e->opt.stats_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new", e->opt.stats_path);
	j = stats_json(e);
	if (j && json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && rename(tmp, e->opt.stats_path) == 0)
		rc = 0;
	else
		ins_err(EMU_LOG, "cannot write stats to %s: %s", e->opt.stats_path, strerror(errno));
	json_decref(j);
	return rc;
}

/* ---- setup ------------------------------------------------------------------ */

static struct ins_layout *load_layout(const struct options *o)
{
	char err[512], dir[PATH_MAX];
	struct ins_layout *l = NULL;
	size_t len = strlen(o->layout);

	if (strchr(o->layout, '/') || (len > 7 && strcmp(o->layout + len - 7, ".layout") == 0))
		l = ins_layout_load(o->layout, err, sizeof(err));
	else if (o->layout_dir)
		l = ins_layout_load_named(o->layout_dir, o->layout, err, sizeof(err));
	else if (ins_data_path(ins_data_dir_find(NULL), "layouts", dir, sizeof(dir), err, sizeof(err)) == 0)
		l = ins_layout_load_named(dir, o->layout, err, sizeof(err));
	if (!l)
		fprintf(stderr, "insoled-emulator: --layout %s: %s\n", o->layout, err);
	return l;
}

static int setup(struct emulator *e)
{
	char err[512];
	const struct options *o = &e->opt;

	e->fd = e->slave_fd = e->watch_fd = -1;
	e->unplug_frame = e->replug_frame = UINT64_MAX;
	e->ptys = json_array();
	e->injected_at = json_array();
	if (!(e->layout = load_layout(o)))
		return -1;
	ins_synth_defaults(&e->params);
	if (ins_synth_parse(&e->params, o->synth_args, err, sizeof(err)) < 0) {
		fprintf(stderr, "insoled-emulator: --synth: %s\n", err);
		return -1;
	}
	e->params.rate_hz = o->rate_hz;
	if (o->have_seed)
		e->params.seed = o->seed;
	if (!(e->synth = ins_synth_new(&e->params, e->layout, err, sizeof(err)))) {
		fprintf(stderr, "insoled-emulator: %s\n", err);
		return -1;
	}
	e->rng = e->params.seed ^ 0xFA017FA017ull;
	if (o->unplug_after_s > 0) {
		e->unplug_frame = (uint64_t)llround(o->unplug_after_s * o->rate_hz);
		e->replug_frame = e->unplug_frame + (uint64_t)llround(o->unplug_for_s * o->rate_hz);
		if (e->replug_frame == e->unplug_frame)
			e->replug_frame++;
	}
	if (plan_faults(e) < 0)
		return -1;
	/* The ASCII corruption inserts one byte. */
	e->buf_cap = (o->ascii ? INS_PROTO_ASCII_SIZE(e->layout->n_sensors) : INS_PROTO_BINARY_SIZE(e->layout->n_sensors)) + 1;
	e->buf = malloc(e->buf_cap);
	e->values = calloc(e->layout->n_sensors, sizeof(*e->values));
	if (!e->buf || !e->values || !e->ptys || !e->injected_at) {
		fprintf(stderr, "insoled-emulator: out of memory\n");
		return -1;
	}
	return 0;
}

static void teardown(struct emulator *e)
{
	if (!e->opt.to_stdout && e->slave_fd >= 0) {
		wait_drained(e); /* a stop asked by a signal does not wait */
		close_pty(e);
	}
	ins_synth_free(e->synth);
	ins_layout_free(e->layout);
	json_decref(e->ptys);
	json_decref(e->injected_at);
	free(e->plan);
	free(e->buf);
	free(e->values);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked write returns to see the stop */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL); /* a reader of --stdout going away is an EPIPE, not a kill */
}

int main(int argc, char **argv)
{
	static struct emulator e;
	int rc = EXIT_FAILURE;

	if (parse_args(&e.opt, argc, argv) < 0)
		return 2;
	install_signals();
	if (setup(&e) < 0)
		goto out;
	if (e.opt.to_stdout) {
		e.fd = STDOUT_FILENO;
	} else if (open_pty(&e) < 0) {
		goto out;
	}
	if (run(&e) == 0)
		rc = EXIT_SUCCESS;
	if (write_stats(&e) < 0)
		rc = EXIT_FAILURE;
out:
	teardown(&e);
	return rc;
}
