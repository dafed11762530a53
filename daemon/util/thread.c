/* Threads with an explicit stack size (thread.h). */
#include <config.h>

#include <limits.h>

#include "insoled/thread.h"

int ins_thread_start(pthread_t *thread, size_t stack_bytes, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int rc = pthread_attr_init(&attr);

	if (rc != 0)
		return rc;
	if (stack_bytes < (size_t)PTHREAD_STACK_MIN)
		stack_bytes = PTHREAD_STACK_MIN;
	rc = pthread_attr_setstacksize(&attr, stack_bytes);
	if (rc == 0)
		rc = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}
