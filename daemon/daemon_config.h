/* Daemon configuration: an INI file (docs/configuration.md) overridden by
 * command-line options.  Both go through ins_config_set(), so a key means the
 * same thing wherever it is written. */
#ifndef INSOLED_CONFIG_H
#define INSOLED_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/log.h"

#define INS_CONFIG_MAX_DEVICES 8

struct ins_config_device {
	char name[64];
	char port[256];
	unsigned baud;
	int foot;                 /* INS_DEV_FOOT_AUTO or enum ins_foot */
	char layout[64];
	char synth[256];          /* synthetic device options (synth.h) */
	char format[16];          /* synthetic device encoding: binary | ascii */
};

struct ins_config {
	char listen_addr[64];
	uint16_t port;
	char db_path[PATH_MAX];
	char data_dir[PATH_MAX];
	char token[256];
	char tls_cert[PATH_MAX];
	char tls_key[PATH_MAX];
	char user[64];            /* run as, when started as root ("" = INS_DEFAULT_USER) */
	char group[64];           /* "" = the user's primary group */
	char config_file[PATH_MAX]; /* --config, re-read on SIGHUP; "" = none */
	enum ins_log_level log_level;
	int foreground;
	int demo;
	int refuse_corrupt_db;
	double body_weight_kg;    /* 0 = unknown */
	double display_hz;
	size_t queue_frames;
	unsigned max_connections; /* 0 = the HTTP server's default */
	unsigned n_devices;
	struct ins_config_device device[INS_CONFIG_MAX_DEVICES];
};

void ins_config_defaults(struct ins_config *cfg);
/* section "daemon" or "device NAME"; err names the key and what is wrong. */
int ins_config_set(struct ins_config *cfg, const char *section, const char *key, const char *value,
		   char *err, size_t errlen);
/* err: "FILE:LINE: message" */
int ins_config_load(struct ins_config *cfg, const char *path, char *err, size_t errlen);
/* Fills what demo mode implies and checks consistency (devices present,
 * token required off loopback...). */
int ins_config_finish(struct ins_config *cfg, char *err, size_t errlen);

#endif
