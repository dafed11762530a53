/* Time helpers shared by every layer. */
#ifndef INSOLED_CLOCK_H
#define INSOLED_CLOCK_H

#pragma GCC visibility push(default)

#include <stdint.h>

int64_t ins_mono_us(void);     /* CLOCK_MONOTONIC in microseconds */
int64_t ins_realtime_us(void); /* CLOCK_REALTIME in microseconds (wall clock, Unix epoch) */

#pragma GCC visibility pop

#endif
