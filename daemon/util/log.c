#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "insoled/clock.h"
#include "insoled/log.h"

static enum ins_log_level max_level = INS_LOG_INFO;
static int to_syslog;

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void ins_log_set_level(enum ins_log_level level)
{
	max_level = level;
}

void ins_log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID, LOG_DAEMON);
	to_syslog = 1;
}

void ins_log(enum ins_log_level level, const char *module, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (to_syslog) {
		syslog(syslog_prio[level], "%s: %s", module, msg);
		return;
	}
	/* One fprintf per line so lines from different threads do not interleave. */
	fprintf(stderr, "insoled[%s] %s: %s\n", level_names[level], module, msg);
}

int ins_ratelimit_ok(struct ins_ratelimit *rl, unsigned *suppressed)
{
	int64_t now = ins_mono_us();

	if (now - rl->window_start_us >= INS_RATELIMIT_WINDOW_US) {
		rl->window_start_us = now;
		rl->printed = 0;
	}
	if (rl->printed >= INS_RATELIMIT_BURST) {
		rl->suppressed++;
		return 0;
	}
	rl->printed++;
	if (suppressed)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}
