/* The running daemon: devices -> analysis thread -> (store, live) -> HTTP. */
#ifndef INSOLED_PIPELINE_H
#define INSOLED_PIPELINE_H

#include "daemon_config.h"

/* Runs until SIGTERM/SIGINT; returns the process exit status. */
int ins_daemon_run(const struct ins_config *cfg);

/* Where layouts/, sql/ and web/ live: the configured data_dir, else the
 * installed package data directory, else the source tree (uninstalled build). */
const char *ins_data_dir(const struct ins_config *cfg);

#endif
