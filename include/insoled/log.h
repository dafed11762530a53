/* insoled logging: the only way modules report anything. */
#ifndef INSOLED_LOG_H
#define INSOLED_LOG_H

#pragma GCC visibility push(default)

#include <stdint.h>

enum ins_log_level { INS_LOG_ERR = 0, INS_LOG_WARN, INS_LOG_INFO, INS_LOG_DEBUG };

/* Destination is stderr until ins_log_use_syslog() is called. */
void ins_log_set_level(enum ins_log_level level);
void ins_log_use_syslog(const char *ident);
void ins_log(enum ins_log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every source file that logs names its module once, after its includes
 * (never in a header):
 *     #define LOG_PREFIX "store"
 * and logs with ins_err/ins_warn/ins_info/ins_dbg(fmt, ...). */
#define ins_err(...)   ins_log(INS_LOG_ERR, LOG_PREFIX, __VA_ARGS__)
#define ins_warn(...)  ins_log(INS_LOG_WARN, LOG_PREFIX, __VA_ARGS__)
#define ins_info(...)  ins_log(INS_LOG_INFO, LOG_PREFIX, __VA_ARGS__)
#define ins_dbg(...)   ins_log(INS_LOG_DEBUG, LOG_PREFIX, __VA_ARGS__)

/* Rate limiter for log lines that a misbehaving device or client could
 * otherwise repeat thousands of times a second.  Zero-initialise one per
 * call site (static or in the owning object).  ins_ratelimit_ok() returns
 * true when the line may be printed; *suppressed then holds how many lines
 * were swallowed since the last one printed, so the message can say so. */
struct ins_ratelimit {
	int64_t window_start_us;
	unsigned printed;
	unsigned suppressed;
};
#define INS_RATELIMIT_BURST 5          /* lines per window */
#define INS_RATELIMIT_WINDOW_US 10000000 /* 10 s: long enough to keep logs readable */
int ins_ratelimit_ok(struct ins_ratelimit *rl, unsigned *suppressed);

#pragma GCC visibility pop

#endif
