/* Helpers the daemon benchmarks (bench_http, bench_lanes) share: reading
 * answers over libcurl, picking numbers out of them, percentiles. */
#ifndef INSOLED_BENCH_LIB_H
#define INSOLED_BENCH_LIB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A libcurl answer collected in memory, NUL-terminated. */
struct membuf {
	char *p;
	size_t len;
};

/* CURLOPT_WRITEFUNCTION appending to the struct membuf in ud. */
size_t bench_collect(char *p, size_t size, size_t n, void *ud);
/* The integer at a dotted path ("a.b.0.c": array members by index), -1 when
 * there is none. */
int64_t bench_jint(json_t *o, const char *path);
/* qsort order for doubles, and the p-th percentile of n sorted values (-1
 * when there are none). */
int bench_cmp_double(const void *a, const void *b);
double bench_pct(const double *v, size_t n, double p);

#endif
