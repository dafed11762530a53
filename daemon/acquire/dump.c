/* `insoled --dump DEVICE [--baud N] [--foot left|right] [--follow]
 * [--log-level L]`: the first thing a firmware author runs (like gpspipe
 * for gpsd).  One JSON object per frame on stdout; at the end of the data,
 * or on SIGINT/SIGTERM, one line with every counter.  Uses the same
 * acquisition path as the daemon; --follow keeps reopening the device
 * across resets and unplugs, as the daemon does, until interrupted. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/acquire.h"
#include "insoled/log.h"

/* Frames buffered between the device thread and the printer: a second of
 * two 200 Hz insoles, so a slow terminal does not drop frames at once. */
#define DUMP_QUEUE_FRAMES 4096
/* How often the printer looks at the signal flag while no frame comes. */
#define DUMP_POLL_MS 200

static volatile sig_atomic_t dump_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	dump_interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: insoled --dump DEVICE [--baud N] [--foot left|right] [--follow] [--log-level L]\n"
		     "  DEVICE: a serial port (/dev/ttyUSB0), usb:VID:PID[:SERIAL], a pty, a capture file,\n"
		     "          or - for stdin.  Prints one JSON object per frame and, at the end or on\n"
		     "          Ctrl-C, one line of counters.\n"
		     "  --foot:   the device is one foot: bare \"t_ms,v1,...\" lines are read as that foot\n"
		     "  --follow: reopen the device when it resets or is unplugged, until Ctrl-C\n"
		     "  --log-level: error, warning, info (default) or debug, on stderr\n");
}

static int parse_value_option(const char *opt, const char *val, struct ins_device_config *cfg)
{
	static const char *const levels[] = { "error", "warning", "info", "debug" };
	char *end;

	if (strcmp(opt, "--baud") == 0) {
		unsigned long b = strtoul(val, &end, 10);

		if (*end || b == 0 || b > 4000000) {
			fprintf(stderr, "insoled --dump: --baud '%s' is not a baud rate (1..4000000)\n", val);
			return -1;
		}
		cfg->baud = (unsigned)b;
		return 0;
	}
	if (strcmp(opt, "--foot") == 0) {
		if (strcmp(val, "left") == 0 || strcmp(val, "right") == 0) {
			cfg->foot = strcmp(val, "left") == 0 ? INS_FOOT_LEFT : INS_FOOT_RIGHT;
			return 0;
		}
		fprintf(stderr, "insoled --dump: --foot '%s' is not left or right\n", val);
		return -1;
	}
	if (strcmp(opt, "--log-level") == 0) {
		for (int l = INS_LOG_ERR; l <= INS_LOG_DEBUG; l++)
			if (strcmp(val, levels[l]) == 0) {
				ins_log_set_level((enum ins_log_level)l);
				return 0;
			}
		fprintf(stderr, "insoled --dump: --log-level '%s' is not error, warning, info or debug\n", val);
		return -1;
	}
	fprintf(stderr, "insoled --dump: unknown option '%s'\n", opt);
	usage(stderr);
	return -1;
}

/* argv[0] is the program; options may come before or after --dump DEVICE,
 * as "--opt value" or "--opt=value". */
static int parse_args(int argc, char **argv, struct ins_device_config *cfg)
{
	int i = 1;

	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0) {
			usage(stdout);
			exit(EXIT_SUCCESS);
		}
	cfg->port = NULL;
	while (i < argc) {
		char opt[32];
		const char *arg = argv[i++], *eq = strchr(arg, '='), *val;

		if (strcmp(arg, "--follow") == 0) {
			cfg->once = 0;
			continue;
		}
		/* --opt=value or --opt value */
		snprintf(opt, sizeof(opt), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		if (eq) {
			val = eq + 1;
		} else if (i < argc) {
			val = argv[i++];
		} else {
			fprintf(stderr, "insoled --dump: %s needs a value\n", opt);
			usage(stderr);
			return -1;
		}
		if (strcmp(opt, "--dump") == 0)
			cfg->port = val;
		else if (parse_value_option(opt, val, cfg) < 0)
			return -1;
	}
	if (!cfg->port) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* One frame as {"foot":"left","seq":N,"t_us":N,"host_us":N,"values":[...]}:
 * t_us is the device clock unwrapped, host_us the wall-clock receive time. */
static int print_frame(FILE *out, const struct ins_frame *f)
{
	fprintf(out, "{\"foot\":\"%s\",\"seq\":%u,\"t_us\":%lld,\"host_us\":%lld,\"values\":[",
		ins_foot_name(f->foot), f->seq, (long long)f->t_us, (long long)f->host_us);
	for (unsigned i = 0; i < f->n; i++)
		fprintf(out, i ? ",%u" : "%u", f->values[i]);
	fputs("]}\n", out);
	return ferror(out) ? -1 : 0;
}

/* Prints {"counters": <ins_acq_status>} on one line.  Returns 0, 1 when
 * the device never opened (its error goes to stderr too), -1 when stdout
 * failed. */
static int print_counters(FILE *out, struct ins_acq *acq)
{
	json_t *status = ins_acq_status(acq);
	json_t *dev = json_array_get(json_object_get(status, "devices"), 0);
	int never_opened = json_integer_value(json_object_get(dev, "opens")) == 0;
	const char *why = json_string_value(json_object_get(dev, "last_error"));
	json_t *line = json_pack("{s:o}", "counters", status);
	char *text = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc = -1;

	if (never_opened)
		fprintf(stderr, "insoled --dump: %s\n", why ? why : "the device never opened");
	if (text) {
		fprintf(out, "%s\n", text);
		fflush(out);
		rc = ferror(out) ? -1 : never_opened;
	}
	free(text);
	json_decref(line);
	return rc;
}

int ins_dump_main(int argc, char **argv)
{
	struct ins_device_config cfg = { .name = NULL, .foot = INS_DEV_FOOT_AUTO, .once = 1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct ins_acq *acq;
	struct ins_frame f;
	char err[512];
	int rc, status = EXIT_SUCCESS;

	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	acq = ins_acq_new(DUMP_QUEUE_FRAMES, INS_MAX_SENSORS, err, sizeof(err));
	if (!acq || ins_acq_add_device(acq, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "insoled --dump: %s\n", err);
		ins_acq_free(acq);
		return EXIT_FAILURE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe shows as a write error */
	if (ins_acq_start(acq, err, sizeof(err)) < 0) {
		fprintf(stderr, "insoled --dump: %s\n", err);
		ins_acq_free(acq);
		return EXIT_FAILURE;
	}
	while (!dump_interrupted && (rc = ins_acq_pop(acq, &f, DUMP_POLL_MS)) >= 0) {
		if (rc == 1 && print_frame(stdout, &f) < 0) {
			status = EXIT_FAILURE;
			break;
		}
	}
	ins_acq_stop(acq);
	/* Frames already decoded are printed before the counters that count them. */
	while (status == EXIT_SUCCESS && ins_acq_pop(acq, &f, 0) == 1)
		if (print_frame(stdout, &f) < 0)
			status = EXIT_FAILURE;
	if (print_counters(stdout, acq) != 0)
		status = EXIT_FAILURE;
	ins_acq_free(acq);
	return status;
}
