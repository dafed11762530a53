/* The running daemon: devices -> analysis thread -> (store, live) -> HTTP. */
#ifndef INSOLED_PIPELINE_H
#define INSOLED_PIPELINE_H

#include <stdio.h>

#include "daemon_config.h"

/* Reads the configuration again as at start-up (file, then command line):
 * 0, or -1 with err naming what is wrong. */
typedef int (*daemon_config_reader)(struct daemon_config *cfg, char *err, size_t errlen);

/* Runs until SIGTERM/SIGINT, reloading with reread on SIGHUP; returns the
 * process exit status. */
int daemon_run(const struct daemon_config *cfg, daemon_config_reader reread);

/* Where layouts/, sql/ and web/ live: the configured data_dir, else the
 * source tree for a program run from its build tree, else the installed
 * package data directory (datadir.h). */
const char *daemon_data_dir(const struct daemon_config *cfg);

/* `insoled --udev-rules` (udev_rules.c): a rule per [device] named by
 * usb:VID:PID[:SERIAL]; the exit status. */
int daemon_print_udev_rules(const struct daemon_config *cfg, FILE *out);

#endif
