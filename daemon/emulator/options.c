/* insoled-emulator: the command line. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/parse.h"

#include "emulator_priv.h"

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

int emu_parse_args(struct options *o, int argc, char **argv)
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
