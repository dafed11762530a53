/* insoled: command line, configuration and mode dispatch.  The running
 * daemon is assembled in pipeline.c. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "daemon_config.h"
#include "pipeline.h"
#include "insoled/acquire.h"
#include "insoled/import.h"
#include "insoled/log.h"

#define DEMO_DB "insoled-demo.db"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: insoled [OPTION]...             run the daemon\n"
		"       insoled --demo [OPTION]...      run with a simulated insole pair, no hardware\n"
		"       insoled --dump DEVICE [--baud N] [--foot F] [--follow]\n"
		"                                       decode a device, one JSON object per frame\n"
		"       insoled --analyze FILE [...]    analyse a recording (see insoled --analyze --help)\n"
		"       insoled --udev-rules [-c FILE]  udev rules naming each usb:VID:PID:SERIAL device\n"
		"                                       /dev/insoled/NAME\n"
		"\n"
		"  -c, --config FILE       INI configuration (see docs/configuration.md)\n"
		"  -f, --foreground        stay in the foreground and log to stderr\n"
		"      --demo              simulated walking subject; database " DEMO_DB " here\n"
		"  -l, --listen ADDR:PORT  HTTP address (default 127.0.0.1:8080; others need --token)\n"
		"      --db PATH           session database\n"
		"      --data-dir DIR      where layouts/, sql/ and web/ are\n"
		"  -d, --device PORT       serial port, usb:VID:PID[:SERIAL], or synthetic\n"
		"      --layout NAME       layout of --device (default fsr16)\n"
		"      --foot left|right|auto  foot of --device (default auto: from each frame)\n"
		"      --baud N            baud rate of --device (default 115200)\n"
		"      --synth OPTIONS     synthetic subject, e.g. cadence_spm=170,running=1\n"
		"      --token-file FILE   access token for the HTTP API, the first line of FILE (mode 600)\n"
		"      --token TOKEN       the same on the command line (visible to every user in ps)\n"
		"      --gen-token         print a new random access token (256 bits) and exit\n"
		"      --body-weight-kg W  subject's body weight\n"
		"      --log-level L       error, warning, info or debug\n"
		"      --user NAME         started as root: run as NAME once devices and database\n"
		"                          are open (default " INS_DEFAULT_USER ", when it exists)\n"
		"      --group NAME        with --user: run with group NAME\n"
		"  -V, --version           print the version\n"
		"  -h, --help              this help\n");
}

enum { OPT_DEMO = 256, OPT_DB, OPT_DATA_DIR, OPT_LAYOUT, OPT_FOOT, OPT_BAUD, OPT_SYNTH, OPT_TOKEN,
       OPT_TOKEN_FILE, OPT_BODY_WEIGHT, OPT_LOG_LEVEL, OPT_USER, OPT_GROUP, OPT_UDEV_RULES };

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "listen", required_argument, NULL, 'l' },
	{ "db", required_argument, NULL, OPT_DB },
	{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
	{ "device", required_argument, NULL, 'd' },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "foot", required_argument, NULL, OPT_FOOT },
	{ "baud", required_argument, NULL, OPT_BAUD },
	{ "synth", required_argument, NULL, OPT_SYNTH },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "body-weight-kg", required_argument, NULL, OPT_BODY_WEIGHT },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "udev-rules", no_argument, NULL, OPT_UDEV_RULES },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Maps an option to its configuration key, so the command line and the file
 * share one parser. */
static int apply_option(struct daemon_config *cfg, int opt, const char *arg, char *err, size_t errlen)
{
	static const struct { int opt; const char *section, *key; } map[] = {
		{ 'l', "daemon", "listen" },          { OPT_DB, "daemon", "db" },
		{ OPT_DATA_DIR, "daemon", "data_dir" }, { OPT_TOKEN, "daemon", "token" },
		{ OPT_TOKEN_FILE, "daemon", "token_file" },
		{ OPT_BODY_WEIGHT, "daemon", "body_weight_kg" }, { OPT_LOG_LEVEL, "daemon", "log_level" },
		{ OPT_USER, "daemon", "user" },       { OPT_GROUP, "daemon", "group" },
		{ 'd', "device cmdline", "port" },    { OPT_LAYOUT, "device cmdline", "layout" },
		{ OPT_FOOT, "device cmdline", "foot" }, { OPT_BAUD, "device cmdline", "baud" },
		{ OPT_SYNTH, "device cmdline", "synth" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].opt == opt)
			return daemon_config_set(cfg, map[i].section, map[i].key, arg, err, errlen);
	snprintf(err, errlen, "internal error: option %d has no configuration key", opt);
	return -1;
}

static const char *find_config_arg(int argc, char **argv)
{
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))
			return argv[i + 1];
	return NULL;
}

/* The file is read first so that options on the command line win. */
static int parse_command_line(struct daemon_config *cfg, int argc, char **argv, int *udev_rules, char *err,
			      size_t errlen)
{
	const char *config_file = find_config_arg(argc, argv);
	int opt, db_given = 0;

	if (config_file && daemon_config_load(cfg, config_file, err, errlen))
		return -1;
	if (config_file)
		snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", config_file);
	while ((opt = getopt_long(argc, argv, "c:fl:d:Vh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			break;
		case 'f':
			cfg->foreground = 1;
			break;
		case OPT_DEMO:
			cfg->demo = 1;
			cfg->foreground = 1;
			break;
		case OPT_UDEV_RULES:
			*udev_rules = 1;
			break;
		case 'V':
			printf("insoled %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		case '?':
			snprintf(err, errlen, "bad command line (see insoled --help)");
			return -1;
		default:
			db_given |= opt == OPT_DB;
			if (opt == OPT_TOKEN)
				fprintf(stderr, "insoled: warning: a token given with --token is visible to every user "
					"of this machine (ps); use --token-file\n");
			if (apply_option(cfg, opt, optarg, err, errlen))
				return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see insoled --help)", argv[optind]);
		return -1;
	}
	if (cfg->demo && !db_given && !config_file)
		snprintf(cfg->db_path, sizeof(cfg->db_path), "%s", DEMO_DB);
	return daemon_config_finish(cfg, err, errlen);
}

/* The command line, kept for reading the configuration again on SIGHUP. */
static int saved_argc;
static char **saved_argv;

static int reread_config(struct daemon_config *cfg, char *err, size_t errlen)
{
	int udev_rules = 0;

	daemon_config_defaults(cfg);
	optind = 0; /* glibc: start getopt afresh */
	return parse_command_line(cfg, saved_argc, saved_argv, &udev_rules, err, errlen);
}

/* True for "--name" and "--name=VALUE". */
static int has_arg(int argc, char **argv, const char *name)
{
	size_t len = strlen(name);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], name, len) && (argv[i][len] == '\0' || argv[i][len] == '='))
			return 1;
	return 0;
}

/* 32 bytes from the kernel's generator, in hex: 256 bits, twice the
 * strength the server requires. */
static int gen_token(void)
{
	unsigned char raw[32];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		perror("insoled: getrandom");
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		printf("%02x", raw[i]);
	printf("\n");
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct daemon_config cfg;
	char err[512];
	int udev_rules = 0;

	if (has_arg(argc, argv, "--dump"))
		return ins_dump_main(argc, argv);
	if (has_arg(argc, argv, "--analyze"))
		return ins_analyze_main(argc, argv);
	if (has_arg(argc, argv, "--gen-token"))
		return gen_token();
	daemon_config_defaults(&cfg);
	if (parse_command_line(&cfg, argc, argv, &udev_rules, err, sizeof(err))) {
		fprintf(stderr, "insoled: %s\n", err);
		return 2;
	}
	if (udev_rules)
		return daemon_print_udev_rules(&cfg, stdout);
	ins_log_set_level(cfg.log_level);
	if (!cfg.foreground) {
		/* Keep the working directory: relative paths in the configuration
		 * mean what they meant when the daemon was started. */
		if (daemon(1, 0) != 0) {
			perror("insoled: daemon");
			return EXIT_FAILURE;
		}
		ins_log_use_syslog("insoled");
	}
	saved_argc = argc;
	saved_argv = argv;
	return daemon_run(&cfg, reread_config);
}
