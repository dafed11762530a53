/* Threads with a stack sized to their work.  glibc gives every thread an
 * 8 MiB stack (the ulimit -s default); a daemon with a few threads per lane
 * would map hundreds of MiB it never touches, and a smaller, named size
 * says what each kind of thread is expected to need. */
#ifndef INSOLED_THREAD_H
#define INSOLED_THREAD_H

#include <pthread.h>
#include <stddef.h>

/* A thread that waits and wakes others (an SSE waker): a few frames of
 * its own and libc's. */
#define INS_STACK_SMALL (256u << 10)
/* A device thread or a lane's analysis thread: reading and parsing (the
 * parser's state is on the heap), libserialport, and feeding the lane's
 * analysis (its state on the heap too), the JSON it renders for the live
 * state and the store's producer side; the deepest of these uses well
 * under a tenth of this. */
#define INS_STACK_MEDIUM (512u << 10)

/* pthread_create with a stack of stack_bytes (at least PTHREAD_STACK_MIN).
 * Returns pthread_create's result: 0, or an errno value. */
int ins_thread_start(pthread_t *thread, size_t stack_bytes, void *(*fn)(void *), void *arg);

#endif
