/* The one growable array (grow.h). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "insoled/grow.h"

int ins_grow(void **arr, size_t *cap, size_t used, size_t more, size_t elem, size_t first)
{
	size_t need, c = *cap ? *cap : (first ? first : 1);
	void *p;

	if (more > SIZE_MAX - used)
		return -1;
	need = used + more;
	if (need <= *cap)
		return 0;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	if (elem && c > SIZE_MAX / elem)
		return -1;
	p = realloc(*arr, c * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}
