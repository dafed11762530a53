#include <config.h>

#include <time.h>

#include "insoled/clock.h"

static int64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t ins_mono_us(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

int64_t ins_realtime_us(void)
{
	return read_clock(CLOCK_REALTIME);
}
