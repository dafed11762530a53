/* Invariants that no input can break (a lock held, an index in range),
 * checked in the sanitizer and fuzzing builds (configure
 * --enable-sanitizers or --enable-fuzzing define INS_ASSERTS), as SQLite's
 * assert()s are in its debug build.  The product compiles them out.  Never
 * for what a device, a file or a client can cause: that is logged and
 * recovered from (docs/architecture.md). */
#ifndef INSOLED_ASSERT_H
#define INSOLED_ASSERT_H

#include <errno.h>
#include <pthread.h>

#ifdef INS_ASSERTS
#include <assert.h>
#define ins_assert(x) assert(x)
#else
/* Not evaluated, but its variables count as used. */
#define ins_assert(x) ((void)sizeof(!(x)))
#endif

/* The mutex is locked (by this thread, where the callers' design says so:
 * pthreads cannot tell who holds a default mutex). */
#define ins_assert_locked(m) ins_assert(pthread_mutex_trylock(m) == EBUSY)

#endif
