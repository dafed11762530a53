/* Lanes benchmark (make bench), against the real daemon:
 *   1. real time: one insoled serves several lanes (default four 16-sensor
 *      pairs and one 1,260-cell pair, INS_BENCH_LANES), each fed here over
 *      one pseudo-terminal carrying both feet (as the emulator and a pair's
 *      single receiver do; INS_BENCH_PORTS=2: one per foot, two devices a
 *      lane) at 100 Hz per foot (protocol v1 binary, the synthetic walker)
 *      and each recording a session.  After a settle the
 *      daemon's CPU time (utime + stime of /proc/PID/stat) over
 *      INS_BENCH_S seconds is printed as a share of one core, with its RSS
 *      (now and peak), its threads and every drop counter of every lane.
 *      The feeders' own CPU time (this process) is printed apart: it is
 *      what the emulators would cost, not the daemon.
 *   2. isolation (INS_BENCH_ISOLATION=1, the default): the same lanes plus
 *      a lane "noise" of one device whose pty is silent, or written random
 *      bytes at 921,600 baud (92,160 bytes/s), or as fast as the daemon
 *      reads them (a pty has no baud rate: that is far faster than any
 *      serial link).  One SSE client on the first lane and one on the last
 *      measure serial write -> SSE frame event.  The three phases take
 *      turns 5 s at a time for INS_BENCH_S seconds each, so that other load
 *      on a shared machine weighs on each alike; each phase's p50/p99 and
 *      the p99's change from the silent phase are printed.
 * Run from the build directory (it starts ./insoled).  Environment:
 * INS_BENCH_S (default 30), INS_BENCH_LANES (layouts, one per lane, default
 * "fsr16 fsr16 fsr16 fsr16 grid60x21"), INS_BENCH_REALTIME and
 * INS_BENCH_ISOLATION (0 to skip either run). */
#include "config.h" /* _GNU_SOURCE: ptys, memmem */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bench_lib.h"
#include "insoled/clock.h"
#include "insoled/layout.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"

#define RATE_HZ 100
#define PERIOD_US (1000000 / RATE_HZ)
#define MAX_LANES 16
#define WRITE_RING 8192     /* frames remembered per foot for latency lookups (80 s) */
#define SETTLE_S 5          /* the daemon starts, sessions open, steps begin */
#define DRAIN_S 1           /* frames in flight reach the analysis before counting */
#define NOISE_CHUNK 4096
/* 921,600 baud 8N1, the fastest rate common USB-serial bridges run: 10 bits a byte. */
#define SERIAL_FULL_SPEED 92160
#define MAX_LAT 200000
#define PHASES 3            /* noise silent, at serial speed, unbounded */
#define ROUND_S 5           /* one turn of a phase */
#define SWITCH_US 500000    /* after a phase change, before measuring */
#define LINE_MAX_LEN 1024

static const char *srcdir = INS_SRCDIR;

struct lane_feed {
	char name[32];
	char layout_name[64];
	struct ins_layout *layout;
	struct ins_synth *synth;
	int ports;          /* 1: both feet on one link, as one receiver for a pair sends them; 2: a link per foot */
	int master[2];
	char slave[2][64];
	int64_t phase_us;
	pthread_t thread;
	int started;
	atomic_int *stop;
	atomic_uint_fast64_t frames_sent;
	int64_t late_writes;
	int64_t write_mono_us[2][WRITE_RING];
};

struct noise_feed {
	int master;
	char slave[64];
	pthread_t thread;
	int started;
	atomic_int stop;
	atomic_int_fast64_t bytes_per_s; /* 0 silent, -1 as fast as the daemon reads */
	atomic_uint_fast64_t bytes;
};

struct bench {
	char dir[64], url[256];
	struct lane_feed lanes[MAX_LANES];
	int n_lanes;
	struct noise_feed *noise;
	atomic_int stop;
	pid_t pid;
	int out_fd;
};

/* ---- the serial side -------------------------------------------------------- */

static int open_raw_pty(char *slave, size_t len)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;

	if (fd < 0)
		return -1;
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, slave, len) != 0) {
		close(fd);
		return -1;
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void sleep_until_mono(int64_t mono_us)
{
	struct timespec ts = { .tv_sec = mono_us / 1000000, .tv_nsec = (long)(mono_us % 1000000) * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Each lane's ticks are offset from the others', as independent insoles are. */
static void *lane_feed_main(void *arg)
{
	struct lane_feed *f = arg;
	unsigned n = f->layout->n_sensors;
	uint16_t *values = calloc(n, sizeof(uint16_t));
	uint8_t *buf = malloc(INS_PROTO_BINARY_SIZE(n));
	int64_t start = ins_mono_us() + f->phase_us;

	for (uint32_t k = 0; values && buf && !atomic_load(f->stop); k++) {
		int64_t due = start + (int64_t)k * PERIOD_US;

		sleep_until_mono(due);
		if (ins_mono_us() - due > PERIOD_US)
			f->late_writes++;
		for (unsigned foot = 0; foot < 2; foot++) {
			struct ins_frame fr = { .foot = (uint8_t)foot, .n = (uint16_t)n, .seq = k,
						.t_dev = k * PERIOD_US, .values = values };
			int64_t t_model;
			size_t len;

			ins_synth_next(f->synth, foot, values, &t_model);
			len = ins_proto_encode_binary(&fr, buf, INS_PROTO_BINARY_SIZE(n));
			f->write_mono_us[foot][k % WRITE_RING] = ins_mono_us();
			if (write_all(f->master[f->ports == 1 ? 0 : foot], buf, len) < 0) {
				fprintf(stderr, "bench_lanes: %s: pty write: %s\n", f->name, strerror(errno));
				goto out;
			}
			atomic_fetch_add(&f->frames_sent, 1);
		}
	}
out:
	free(values);
	free(buf);
	return NULL;
}

/* Random bytes, sync words included, at bytes_per_s or as fast as the
 * reader takes them. */
static void *noise_main(void *arg)
{
	struct noise_feed *nf = arg;
	uint8_t buf[NOISE_CHUNK];
	unsigned seed = 7;

	while (!atomic_load(&nf->stop)) {
		int64_t rate = atomic_load(&nf->bytes_per_s);
		int64_t t0 = ins_mono_us();

		if (rate == 0) {
			usleep(10000);
			continue;
		}
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(rand_r(&seed) >> 7);
		if (write_all(nf->master, buf, sizeof(buf)) < 0)
			break;
		atomic_fetch_add(&nf->bytes, sizeof(buf));
		if (rate > 0)
			sleep_until_mono(t0 + (int64_t)sizeof(buf) * 1000000 / rate);
	}
	return NULL;
}

static int lane_feed_open(struct bench *b, struct lane_feed *f, int index, const char *layout, int ports)
{
	struct ins_synth_params sp;
	char err[256], dir[300];

	snprintf(f->name, sizeof(f->name), "p%d", index + 1);
	snprintf(f->layout_name, sizeof(f->layout_name), "%s", layout);
	f->stop = &b->stop;
	f->phase_us = (int64_t)index * PERIOD_US / MAX_LANES;
	f->master[0] = f->master[1] = -1;
	f->ports = ports;
	snprintf(dir, sizeof(dir), "%s/layouts", srcdir);
	f->layout = ins_layout_load_named(dir, layout, err, sizeof(err));
	ins_synth_defaults(&sp);
	sp.seed = (uint32_t)index + 1;
	if (f->layout)
		f->synth = ins_synth_new(&sp, f->layout, err, sizeof(err));
	if (!f->synth) {
		fprintf(stderr, "bench_lanes: %s: %s\n", layout, err);
		return -1;
	}
	for (int i = 0; i < f->ports; i++)
		if ((f->master[i] = open_raw_pty(f->slave[i], sizeof(f->slave[i]))) < 0)
			return -1;
	return 0;
}

/* ---- the daemon ---------------------------------------------------------------- */

static int write_config(const struct bench *b, const char *path)
{
	FILE *c = fopen(path, "w");

	if (!c)
		return -1;
	fprintf(c, "[daemon]\nlisten = 127.0.0.1:0\ndb = %s/bench.db\ndata_dir = %s\nlog_level = error\n%s\n", b->dir,
		srcdir, geteuid() == 0 ? "user = root\n" : "");
	for (int i = 0; i < b->n_lanes; i++) {
		const struct lane_feed *f = &b->lanes[i];

		if (f->ports == 1) {
			fprintf(c, "[lane %s]\ndevices = %s_pair\nlayout = %s\n\n[device %s_pair]\nport = %s\n\n", f->name,
				f->name, f->layout_name, f->name, f->slave[0]);
			continue;
		}
		fprintf(c, "[lane %s]\ndevices = %s_l, %s_r\nlayout = %s\n\n", f->name, f->name, f->name, f->layout_name);
		fprintf(c, "[device %s_l]\nport = %s\nfoot = left\n\n[device %s_r]\nport = %s\nfoot = right\n\n",
			f->name, f->slave[0], f->name, f->slave[1]);
	}
	if (b->noise)
		fprintf(c, "[lane noise]\ndevices = noise_l\nlayout = fsr16\n\n[device noise_l]\nport = %s\nfoot = left\n",
			b->noise->slave);
	return fclose(c);
}

static int start_daemon(struct bench *b)
{
	char conf[128], line[LINE_MAX_LEN], out[256];
	int pipefd[2];
	FILE *rd;

	snprintf(conf, sizeof(conf), "%s/insoled.conf", b->dir);
	if (write_config(b, conf) != 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	b->pid = fork();
	if (b->pid == 0) {
		dup2(pipefd[1], 1);
		execl("./insoled", "insoled", "--foreground", "--config", conf, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	/* The stream stays open (the daemon may print more); never read again. */
	rd = fdopen(dup(pipefd[0]), "r");
	b->out_fd = pipefd[0];
	while (rd && fgets(line, sizeof(line), rd)) {
		char *p = strstr(line, "dashboard at ");

		if (p && sscanf(p + 13, "%255s", out) == 1) {
			size_t n = strlen(out);

			if (n && out[n - 1] == '/')
				out[n - 1] = '\0';
			snprintf(b->url, sizeof(b->url), "%s", out);
			break;
		}
	}
	if (rd)
		fclose(rd);
	return b->url[0] ? 0 : -1;
}

/* GET (body NULL) or POST a JSON body; the parsed answer or NULL. */
static json_t *api(const struct bench *b, const char *path, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
	struct membuf m = { 0 };
	char url[512];
	json_t *j = NULL;

	snprintf(url, sizeof(url), "%s%s", b->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (curl_easy_perform(c) == CURLE_OK && m.p)
		j = json_loads(m.p, 0, NULL);
	free(m.p);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
	return j;
}

static int start_recordings(const struct bench *b)
{
	for (int i = 0; i < b->n_lanes; i++) {
		char path[128];
		json_t *j;
		int64_t id;

		snprintf(path, sizeof(path), "/api/lanes/%s/sessions", b->lanes[i].name);
		j = api(b, path, "{\"subject\":\"bench\"}");
		id = bench_jint(j, "id");
		json_decref(j);
		if (id <= 0) {
			fprintf(stderr, "bench_lanes: lane %s: could not start recording\n", b->lanes[i].name);
			return -1;
		}
	}
	return 0;
}

/* ---- what the processes cost ---------------------------------------------------- */

struct proc_sample {
	int64_t ticks, mono_us, rss_kb, hwm_kb, threads;
	double self_cpu_s;
};

static int64_t status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int64_t v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = strtoll(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

/* utime + stime: fields 14 and 15, counted after the ")" ending comm. */
static int64_t cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (int64_t)(ut + st);
}

static void sample(pid_t pid, struct proc_sample *s)
{
	struct rusage ru;

	s->ticks = cpu_ticks(pid);
	s->mono_us = ins_mono_us();
	s->rss_kb = status_kb(pid, "VmRSS");
	s->hwm_kb = status_kb(pid, "VmHWM");
	s->threads = status_kb(pid, "Threads");
	getrusage(RUSAGE_SELF, &ru);
	s->self_cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			ru.ru_stime.tv_usec / 1e6;
}

static void print_cost(const struct proc_sample *s0, const struct proc_sample *s1)
{
	double wall = (double)(s1->mono_us - s0->mono_us) / 1e6;
	double daemon = (double)(s1->ticks - s0->ticks) / (double)sysconf(_SC_CLK_TCK);
	double loads[3] = { 0 };

	getloadavg(loads, 3);
	printf("  daemon CPU %.2f %% of one core over %.1f s (utime+stime %.2f s); RSS %.1f MB, peak %.1f MB; "
	       "%" PRId64 " threads\n", 100 * daemon / wall, wall, daemon, s1->rss_kb / 1024.0, s1->hwm_kb / 1024.0,
	       s1->threads);
	printf("  feeders (this process, the emulators' share): %.2f %% of one core; load average %.2f %.2f %.2f\n",
	       100 * (s1->self_cpu_s - s0->self_cpu_s) / wall, loads[0], loads[1], loads[2]);
}

/* Every frame sent was analysed, none dropped anywhere on the way. */
static int report_drops(const struct bench *b)
{
	int64_t drops = 0, missing = 0;

	for (int i = 0; i < b->n_lanes; i++) {
		const struct lane_feed *f = &b->lanes[i];
		char path[128];
		json_t *st;

		snprintf(path, sizeof(path), "/api/lanes/%s/status", f->name);
		if (!(st = api(b, path, NULL)))
			return -1;
		drops += bench_jint(st, "acquisition.queue.dropped") + bench_jint(st, "database.frames_dropped") +
			 bench_jint(st, "analysis.frames_rejected");
		for (int k = 0; k < f->ports; k++) {
			char lost[64];

			snprintf(lost, sizeof(lost), "acquisition.devices.%d.protocol.frames_lost", k);
			drops += bench_jint(st, lost);
		}
		missing += (int64_t)atomic_load(&f->frames_sent) - bench_jint(st, "analysis.frames_analysed");
		if (f->late_writes)
			printf("  (lane %s: the feeder was late by more than a period %" PRId64 " times)\n", f->name,
			       f->late_writes);
		json_decref(st);
	}
	printf("  frames dropped or lost: %" PRId64 ", sent but not analysed: %" PRId64 " -> %s\n", drops, missing,
	       drops == 0 && missing == 0 ? "no drop" : "DROPS");
	return drops == 0 && missing == 0 ? 0 : -1;
}

/* ---- serial -> SSE latency on two lanes ------------------------------------------- */

struct sse_probe {
	const struct lane_feed *feed;
	int fd;
	char buf[1 << 18];
	size_t len;
	double *lat_ms[PHASES];
	size_t n_lat[PHASES];
};

struct sse_set {
	struct sse_probe probe[2];
	int n;
	pthread_t thread;
	atomic_int stop, phase; /* -1 while not measuring */
};

static int sse_open(const struct bench *b, const char *lane)
{
	const char *host = strstr(b->url, "://") + 3;
	int port = atoi(strrchr(host, ':') + 1);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[256];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = snprintf(req, sizeof(req), "GET /api/lanes/%s/live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Accept: text/event-stream\r\n\r\n", lane);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || write(fd, req, (size_t)n) != n) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Frame events carry the frame's device time, which names its write time. */
static void sse_take(struct sse_probe *p, int phase, int64_t now)
{
	char *at = p->buf, *end;

	while ((end = memmem(at, p->len - (size_t)(at - p->buf), "\n\n", 2)) != NULL) {
		char *d = memmem(at, (size_t)(end - at), "data: {\"t_us\":", 14);

		if (d && phase >= 0 && p->n_lat[phase] < MAX_LAT) {
			uint64_t k = (uint64_t)strtoll(d + 14, NULL, 10) / PERIOD_US;
			int foot = memmem(d, (size_t)(end - d), "\"foot\":\"right\"", 14) != NULL;
			int64_t w = p->feed->write_mono_us[foot][k % WRITE_RING];

			if (w > 0)
				p->lat_ms[phase][p->n_lat[phase]++] = (double)(now - w) / 1000.0;
		}
		at = end + 2;
	}
	p->len -= (size_t)(at - p->buf);
	memmove(p->buf, at, p->len);
	if (p->len >= sizeof(p->buf) - 1)
		p->len = 0;
}

static void *sse_main(void *arg)
{
	struct sse_set *s = arg;
	struct pollfd pfd[2];

	for (int i = 0; i < s->n; i++)
		pfd[i] = (struct pollfd){ .fd = s->probe[i].fd, .events = POLLIN };
	while (!atomic_load(&s->stop)) {
		if (poll(pfd, (nfds_t)s->n, 100) <= 0)
			continue;
		for (int i = 0; i < s->n; i++) {
			struct sse_probe *p = &s->probe[i];
			ssize_t r;

			if (!(pfd[i].revents & POLLIN))
				continue;
			r = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
			if (r <= 0) {
				pfd[i].fd = -1;
				continue;
			}
			p->len += (size_t)r;
			sse_take(p, atomic_load(&s->phase), ins_mono_us());
		}
	}
	return NULL;
}

/* Each probe's latencies in one phase; its p99 goes to p99[]. */
static void sse_report(struct sse_set *s, int phase, const char *when, double p99[])
{
	for (int i = 0; i < s->n; i++) {
		struct sse_probe *p = &s->probe[i];
		double *v = p->lat_ms[phase];
		size_t n = p->n_lat[phase];

		qsort(v, n, sizeof(double), bench_cmp_double);
		p99[i] = bench_pct(v, n, 99);
		printf("  lane %s (%s), %s: serial write -> SSE frame event over %zu events: p50 %.2f ms, p99 %.2f ms, "
		       "max %.2f ms\n", p->feed->name, p->feed->layout_name, when, n, bench_pct(v, n, 50), p99[i],
		       n ? v[n - 1] : -1.0);
	}
}

static int sse_start(struct sse_set *s, const struct bench *b)
{
	const struct lane_feed *watched[2] = { &b->lanes[0], &b->lanes[b->n_lanes - 1] };

	s->n = b->n_lanes > 1 ? 2 : 1;
	for (int i = 0; i < s->n; i++) {
		s->probe[i].feed = watched[i];
		for (int k = 0; k < PHASES; k++)
			if (!(s->probe[i].lat_ms[k] = malloc(MAX_LAT * sizeof(double))))
				return -1;
		s->probe[i].fd = sse_open(b, watched[i]->name);
		if (s->probe[i].fd < 0) {
			fprintf(stderr, "bench_lanes: SSE client of lane %s: cannot connect\n", watched[i]->name);
			return -1;
		}
	}
	return pthread_create(&s->thread, NULL, sse_main, s);
}

static void sse_stop(struct sse_set *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	for (int i = 0; i < s->n; i++) {
		close(s->probe[i].fd);
		for (int k = 0; k < PHASES; k++)
			free(s->probe[i].lat_ms[k]);
	}
}

/* ---- the runs ------------------------------------------------------------------------ */

static int bench_open(struct bench *b, const char *layouts, int with_noise)
{
	int ports = getenv("INS_BENCH_PORTS") ? atoi(getenv("INS_BENCH_PORTS")) : 1;

	char list[256], *save = NULL;

	memset(b, 0, sizeof(*b));
	b->pid = -1;
	b->out_fd = -1;
	snprintf(b->dir, sizeof(b->dir), "/tmp/insoled-bench-lanes-XXXXXX");
	if (!mkdtemp(b->dir))
		return -1;
	snprintf(list, sizeof(list), "%s", layouts);
	for (char *t = strtok_r(list, " ,", &save); t && b->n_lanes < MAX_LANES; t = strtok_r(NULL, " ,", &save)) {
		if (lane_feed_open(b, &b->lanes[b->n_lanes], b->n_lanes, t, ports == 2 ? 2 : 1) < 0)
			return -1;
		b->n_lanes++;
	}
	if (with_noise) {
		if (!(b->noise = calloc(1, sizeof(*b->noise))))
			return -1;
		if ((b->noise->master = open_raw_pty(b->noise->slave, sizeof(b->noise->slave))) < 0 ||
		    pthread_create(&b->noise->thread, NULL, noise_main, b->noise) != 0)
			return -1;
		b->noise->started = 1;
	}
	for (int i = 0; i < b->n_lanes; i++) {
		if (pthread_create(&b->lanes[i].thread, NULL, lane_feed_main, &b->lanes[i]) != 0)
			return -1;
		b->lanes[i].started = 1;
	}
	if (start_daemon(b) < 0) {
		fprintf(stderr, "bench_lanes: insoled did not start (run from the build directory)\n");
		return -1;
	}
	sleep(1);
	if (start_recordings(b) < 0)
		return -1;
	sleep(SETTLE_S);
	return 0;
}

static void stop_feeders(struct bench *b)
{
	atomic_store(&b->stop, 1);
	for (int i = 0; i < b->n_lanes; i++)
		if (b->lanes[i].started) {
			pthread_join(b->lanes[i].thread, NULL);
			b->lanes[i].started = 0;
		}
	if (b->noise && b->noise->started) {
		atomic_store(&b->noise->stop, 1);
		/* A blocked write ends when the daemon reads or the pty closes. */
		pthread_join(b->noise->thread, NULL);
		b->noise->started = 0;
	}
}

static void bench_close(struct bench *b)
{
	char cmd[128];

	stop_feeders(b);
	if (b->pid > 0) {
		kill(b->pid, SIGTERM);
		waitpid(b->pid, NULL, 0);
	}
	if (b->out_fd >= 0)
		close(b->out_fd);
	for (int i = 0; i < b->n_lanes; i++) {
		struct lane_feed *f = &b->lanes[i];

		for (int k = 0; k < 2; k++)
			if (f->master[k] >= 0)
				close(f->master[k]);
		ins_synth_free(f->synth);
		ins_layout_free(f->layout);
	}
	if (b->noise) {
		close(b->noise->master);
		free(b->noise);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_lanes: could not remove %s\n", b->dir);
}

static int run_real_time(const char *layouts, int seconds)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct proc_sample s0, s1;
	int rc = -1;

	if (!b)
		return -1;
	printf("real time: lanes %s, 2 feet at %d Hz each over %s, every lane recording, no client:\n", layouts,
	       RATE_HZ, getenv("INS_BENCH_PORTS") && atoi(getenv("INS_BENCH_PORTS")) == 2 ? "a pty per foot" : "a pty per pair");
	if (bench_open(b, layouts, 0) < 0)
		goto out;
	sample(b->pid, &s0);
	sleep((unsigned)seconds);
	sample(b->pid, &s1);
	print_cost(&s0, &s1);
	stop_feeders(b);
	sleep(DRAIN_S);
	rc = report_drops(b);
out:
	bench_close(b);
	free(b);
	return rc;
}

static const struct {
	int64_t bytes_per_s;
	const char *what;
} phases[PHASES] = {
	{ 0, "noise lane silent" },
	{ SERIAL_FULL_SPEED, "noise at 921,600 baud" },
	{ -1, "noise as fast as the daemon reads" },
};

/* The phases take turns, ROUND_S at a time, so that whatever else loads
 * the machine meanwhile weighs on each alike. */
static void run_phases(struct bench *b, struct sse_set *sse, int seconds, int64_t ticks[], uint64_t bytes[])
{
	for (int round = 0; round * ROUND_S < seconds; round++)
		for (int k = 0; k < PHASES; k++) {
			uint64_t b0 = atomic_load(&b->noise->bytes);
			int64_t t0;

			atomic_store(&b->noise->bytes_per_s, phases[k].bytes_per_s);
			usleep(SWITCH_US);
			t0 = cpu_ticks(b->pid);
			atomic_store(&sse->phase, k);
			sleep(ROUND_S);
			atomic_store(&sse->phase, -1);
			ticks[k] += cpu_ticks(b->pid) - t0;
			bytes[k] += atomic_load(&b->noise->bytes) - b0;
		}
	atomic_store(&b->noise->bytes_per_s, 0);
}

static int run_isolation(const char *layouts, int seconds)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct sse_set *sse = calloc(1, sizeof(*sse));
	double p99[PHASES][2];
	int64_t ticks[PHASES] = { 0 };
	uint64_t bytes[PHASES] = { 0 };
	double loads[3] = { 0 };
	int rc = -1, rounds = (seconds + ROUND_S - 1) / ROUND_S;

	if (!b || !sse)
		goto out;
	printf("isolation: lanes %s plus lane noise (one pty), SSE clients on the first and last lane; "
	       "%d rounds of %d s per phase:\n", layouts, rounds, ROUND_S);
	atomic_init(&sse->phase, -1);
	if (bench_open(b, layouts, 1) < 0 || sse_start(sse, b) < 0)
		goto out;
	run_phases(b, sse, seconds, ticks, bytes);
	getloadavg(loads, 3);
	for (int k = 0; k < PHASES; k++) {
		sse_report(sse, k, phases[k].what, p99[k]);
		printf("    daemon CPU %.2f %% of one core; noise lane %.2f MB/s\n",
		       100.0 * (double)ticks[k] / (double)sysconf(_SC_CLK_TCK) / (rounds * ROUND_S),
		       (double)bytes[k] / (1 << 20) / (rounds * ROUND_S));
	}
	for (int k = 1; k < PHASES; k++)
		for (int i = 0; i < sse->n; i++)
			printf("  lane %s: p99 change with %s: %+.2f ms\n", sse->probe[i].feed->name, phases[k].what,
			       p99[k][i] - p99[0][i]);
	printf("  load average %.2f %.2f %.2f\n", loads[0], loads[1], loads[2]);
	sse_stop(sse);
	stop_feeders(b);
	sleep(DRAIN_S);
	rc = report_drops(b);
out:
	if (b)
		bench_close(b);
	free(b);
	free(sse);
	return rc;
}

int main(void)
{
	const char *layouts = getenv("INS_BENCH_LANES") ? getenv("INS_BENCH_LANES") : "fsr16 fsr16 fsr16 fsr16 grid60x21";
	int seconds = getenv("INS_BENCH_S") ? atoi(getenv("INS_BENCH_S")) : 30;
	int isolation = getenv("INS_BENCH_ISOLATION") ? atoi(getenv("INS_BENCH_ISOLATION")) : 1;
	int realtime = getenv("INS_BENCH_REALTIME") ? atoi(getenv("INS_BENCH_REALTIME")) : 1;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (realtime)
		rc = run_real_time(layouts, seconds);
	if (isolation && run_isolation(layouts, seconds) < 0)
		rc = -1;
	curl_global_cleanup();
	return rc < 0 ? 1 : 0;
}
