/* Daemon configuration: an INI file (docs/configuration.md) overridden by
 * command-line options.  Both go through daemon_config_set(), so a key means the
 * same thing wherever it is written. */
#ifndef INSOLED_CONFIG_H
#define INSOLED_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/log.h"

/* Four treadmill lanes of a left and a right insole, with room to spare. */
#define INS_CONFIG_MAX_DEVICES 16
#define INS_CONFIG_MAX_LANES 8

struct daemon_config_device {
	char name[64];
	char port[256];
	unsigned baud;
	int foot;                 /* INS_DEV_FOOT_AUTO or enum ins_foot */
	char layout[64];
	char synth[256];          /* synthetic device options (synth.h) */
	char format[16];          /* synthetic device encoding: binary | ascii */
	int layout_given;         /* layout written in the section (a lane's layout does not override it) */
};

/* [lane NAME]: the devices one subject wears, analysed and recorded apart
 * from every other lane.  A configuration without lanes has one, named
 * "default", holding every device. */
struct daemon_config_lane {
	char name[64];
	char devices[512];        /* the devices key as written */
	int devices_line;         /* its line in config_file, for errors; 0 = not read from a file */
	char layout[64];          /* for its devices without a layout of their own; "" = none */
	double body_weight_kg;    /* 0 = the daemon's */
	unsigned n_devices;
	unsigned device[INS_CONFIG_MAX_DEVICES]; /* indices into daemon_config.device */
};

struct daemon_config {
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
	struct daemon_config_device device[INS_CONFIG_MAX_DEVICES];
	unsigned n_lanes;         /* at least 1 after daemon_config_finish */
	int lanes_given;          /* [lane] sections were written; else one "default" lane */
	int line;                 /* line daemon_config_load is reading, for the lanes' errors */
	struct daemon_config_lane lane[INS_CONFIG_MAX_LANES];
};

void daemon_config_defaults(struct daemon_config *cfg);
/* section "daemon", "device NAME" or "lane NAME"; err names the key and what is wrong. */
int daemon_config_set(struct daemon_config *cfg, const char *section, const char *key, const char *value,
		   char *err, size_t errlen);
/* err: "FILE:LINE: message" */
int daemon_config_load(struct daemon_config *cfg, const char *path, char *err, size_t errlen);
/* Fills what demo mode implies and checks consistency (devices present,
 * token required off loopback...). */
int daemon_config_finish(struct daemon_config *cfg, char *err, size_t errlen);

/* config_lanes.c: a key of [lane NAME]. */
int daemon_config_set_lane(struct daemon_config *cfg, const char *name, const char *key, const char *value,
			char *err, size_t errlen);
/* Resolves each lane's devices key (file: the configuration file, for
 * "FILE:LINE: devices: ..." errors) and checks every device is in exactly
 * one lane and no lane has two devices for one foot; without [lane]
 * sections, makes the lane "default" of every device. */
int daemon_config_resolve_lanes(struct daemon_config *cfg, const char *file, char *err, size_t errlen);

#endif
