/* The one growable array: every buffer and list that grows while data
 * comes in (archive chunks, queues, exports, step lists, JSON text) makes
 * room through it. */
#ifndef INSOLED_GROW_H
#define INSOLED_GROW_H

#pragma GCC visibility push(default)

#include <stddef.h>

/* Makes room for used + more elements of elem bytes in *arr, whose
 * capacity *cap counts elements: unchanged when they fit, else doubled
 * (from first when it is 0) until they do.  Returns 0, or -1 with *arr and
 * *cap untouched when memory runs out or a size would overflow size_t. */
int ins_grow(void **arr, size_t *cap, size_t used, size_t more, size_t elem, size_t first);

#pragma GCC visibility pop

#endif
