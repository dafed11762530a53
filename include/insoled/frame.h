/* The unit of data that flows device -> parser -> analysis -> (store, live). */
#ifndef INSOLED_FRAME_H
#define INSOLED_FRAME_H

#pragma GCC visibility push(default)

#include <stdint.h>

#define INS_MAX_SENSORS 4096 /* protocol v1 limit on n */

enum ins_foot { INS_FOOT_LEFT = 0, INS_FOOT_RIGHT = 1, INS_FOOT_COUNT = 2 };

/* One decoded frame of raw ADC counts.  `values` points at n counts in the
 * layout's sensor order; whoever fills the frame owns that storage (the
 * parser's buffer, a queue slot, an archive chunk being replayed). */
struct ins_frame {
	uint8_t foot;          /* enum ins_foot */
	uint16_t n;            /* number of values, 1..INS_MAX_SENSORS */
	uint32_t seq;          /* device frame counter, as sent */
	uint32_t t_dev;        /* device clock as sent (us for binary, ms for ASCII) */
	int64_t t_us;          /* device time unwrapped to a monotonic per-foot timeline, us */
	int64_t host_us;       /* host wall-clock receive time, us since the Unix epoch */
	const uint16_t *values;
};

static inline const char *ins_foot_name(unsigned foot)
{
	return foot == INS_FOOT_LEFT ? "left" : foot == INS_FOOT_RIGHT ? "right" : "unknown";
}

#pragma GCC visibility pop

#endif
