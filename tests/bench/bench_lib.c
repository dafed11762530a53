/* Helpers the daemon benchmarks share (bench_lib.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lib.h"

size_t bench_collect(char *p, size_t size, size_t n, void *ud)
{
	struct membuf *m = ud;
	char *q = realloc(m->p, m->len + size * n + 1);

	if (!q)
		return 0;
	memcpy(q + m->len, p, size * n);
	m->p = q;
	m->len += size * n;
	m->p[m->len] = '\0';
	return size * n;
}

int64_t bench_jint(json_t *o, const char *path)
{
	char key[64];
	const char *p = path;

	while (o && *p) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(key)) : json_object_get(o, key);
		p += n + (p[n] == '.');
	}
	return json_is_integer(o) ? (int64_t)json_integer_value(o) : -1;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_pct(const double *v, size_t n, double p)
{
	return n ? v[(size_t)(p / 100.0 * (double)(n - 1))] : -1;
}
