/* `make bench`: protocol parser throughput, in MB/s of frames and frames/s,
 * for 16-sensor and 1,260-sensor (60 x 21 grid) binary frames, and ASCII
 * lines for comparison.  Bytes are fed in 16 KiB reads, as a device
 * thread does.  Target: >= 500 MB/s of binary frames per core.
 * Rates are per second of this thread's CPU time, so a busy machine does
 * not understate them; the wall-clock rate is printed beside. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/clock.h"
#include "insoled/protocol.h"

/* Bytes of stream per case: large enough to leave the caches, so the
 * figure includes memory traffic as a real stream would. */
#define STREAM_BYTES (64u << 20)
#define READ_BYTES 16384
/* Repeat each case for at least this much CPU time for a stable figure. */
#define MIN_RUN_US 1000000

static int64_t thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint8_t *make_stream(unsigned n, int ascii, size_t *len_out, uint64_t *frames_out)
{
	uint8_t *buf = malloc(STREAM_BYTES + INS_PROTO_ASCII_SIZE(INS_MAX_SENSORS));
	uint16_t *v = malloc(sizeof(uint16_t) * n);
	size_t len = 0;
	uint64_t frames = 0;
	uint32_t rng = 12345;

	if (!buf || !v) {
		fprintf(stderr, "bench_parser: out of memory\n");
		exit(1);
	}
	for (;;) {
		struct ins_frame f = { .foot = (uint8_t)(frames % 2), .n = (uint16_t)n, .seq = (uint32_t)(frames / 2),
				       .t_dev = (uint32_t)(frames / 2 * 10000u), .values = v };
		size_t need = ascii ? INS_PROTO_ASCII_SIZE(n) : INS_PROTO_BINARY_SIZE(n);
		size_t w;

		if (len + need > STREAM_BYTES)
			break;
		for (unsigned i = 0; i < n; i++) {
			rng = rng * 1103515245u + 12345u;
			v[i] = (uint16_t)((rng >> 16) & 0x0FFF); /* 12-bit ADC counts */
		}
		w = ascii ? ins_proto_encode_ascii(&f, 0, (char *)buf + len, need) : ins_proto_encode_binary(&f, buf + len, need);
		len += w;
		frames++;
	}
	free(v);
	*len_out = len;
	*frames_out = frames;
	return buf;
}

static int run_case(const char *label, unsigned n, int ascii)
{
	size_t len;
	uint64_t frames, got = 0, passes = 0, sum = 0;
	uint8_t *stream = make_stream(n, ascii, &len, &frames);
	struct ins_proto_config cfg = { .max_n = n, .expected_n = n, .bare_foot = -1 };
	char err[200];
	struct ins_proto *p = ins_proto_new(&cfg, err, sizeof(err));
	int64_t t0, cpu0, dt, cpu;
	double mb_s, frames_s, wall_mb_s;

	if (!p) {
		fprintf(stderr, "bench_parser: %s\n", err);
		return -1;
	}
	t0 = ins_mono_us();
	cpu0 = thread_cpu_us();
	do {
		for (size_t off = 0; off < len; off += READ_BYTES) {
			const uint8_t *d = stream + off;
			size_t left = len - off < READ_BYTES ? len - off : READ_BYTES;
			struct ins_frame f;
			enum ins_proto_result r;

			while ((r = ins_proto_parse(p, &d, &left, &f)) != INS_PROTO_NEED_MORE)
				if (r == INS_PROTO_FRAME) {
					got++;
					sum += f.values[f.n - 1];
				}
		}
		passes++;
		/* Each pass restarts the device counters: a new stream. */
		ins_proto_reset_stream(p, 0);
		cpu = thread_cpu_us() - cpu0;
	} while (cpu < MIN_RUN_US);
	dt = ins_mono_us() - t0;
	if (got != frames * passes) {
		fprintf(stderr, "bench_parser: %s: decoded %llu frames of %llu\n", label, (unsigned long long)got,
			(unsigned long long)(frames * passes));
		return -1;
	}
	mb_s = (double)len * (double)passes / (double)cpu; /* bytes per us = MB/s */
	wall_mb_s = (double)len * (double)passes / (double)dt;
	frames_s = (double)got * 1e6 / (double)cpu;
	printf("%-7s %5u sensors %5zu B/frame %6.0f MB/s %10.0f frames/s per CPU second"
	       " (wall clock %.0f MB/s, %llu passes, checksum %llu)\n", label, n, len / frames, mb_s, frames_s,
	       wall_mb_s, (unsigned long long)passes, (unsigned long long)sum);
	ins_proto_free(p);
	free(stream);
	return 0;
}

int main(void)
{
	printf("protocol v1 parser, one core, %u KiB reads over a %u MiB stream\n", READ_BYTES / 1024,
	       STREAM_BYTES >> 20);
	if (run_case("binary", 16, 0) < 0 || run_case("binary", 1260, 0) < 0 || run_case("ascii", 16, 1) < 0 ||
	    run_case("ascii", 1260, 1) < 0)
		return 1;
	return 0;
}
