/* HTTP benchmark (make bench), against the real daemon:
 *   - insoled reads a left/right pair over two pseudo-terminals fed here at
 *     real time (100 Hz per foot, the synthetic walker, protocol v1 binary)
 *     and records a session;
 *   - wrk measures GET /api/live (requests/s, latency percentiles), first
 *     alone, then with 100 SSE clients connected to /api/live/stream;
 *   - the SSE clients measure serial-byte-to-event latency: each frame
 *     event's t_us names the frame, whose write time to the pty is known;
 *   - at the end the daemon's counters must show every frame analysed and
 *     none dropped (acquisition queue, protocol, store);
 *   - after each wrk run, the daemon's and wrk's CPU time per request and
 *     the load average: wrk runs on the daemon's cores (on two cores it
 *     takes more than half of them), so requests/s measure both sides.
 * With the first layout also: GET /api/sessions with wrk, and floods of
 * 1,000 and 4,000 connections (busy under wrk, then silent) while a fresh
 * client asks for /api/status five times a second (its wait is printed).
 * Runs for the 16-sensor and the 1,260-cell layouts.  Needs wrk (Debian
 * package wrk).  Environment: INS_BENCH_WRK_S (default 8), INS_BENCH_SSE
 * (default 100), INS_BENCH_LAYOUTS (default "fsr16 grid60x21"). */
#include "config.h" /* _GNU_SOURCE: ptys, memmem */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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
#define WRITE_RING 65536             /* frames remembered per foot for latency lookups (11 min) */
#define WARMUP_S 3                   /* daemon settles, recording starts, steps begin */
#define DRAIN_S 1                    /* frames in flight reach the analysis before counting */
#define MAX_LAT 400000
/* The target load: 60 connections each waiting 2 ms (plus wrk's own
 * overhead) after every answer offer a little over 20,000 requests/s; wrk
 * has no fixed-rate mode. */
#define PACED_CONNECTIONS 60
#define PACED_DELAY_MS 2

static const char *srcdir = INS_SRCDIR;

struct feeder {
	int master[2];
	char slave[2][64];
	const struct ins_layout *layout;
	struct ins_synth *synth;
	pthread_t thread;
	atomic_int stop;
	atomic_uint_fast64_t frames_sent;
	int64_t write_mono_us[2][WRITE_RING];
	int64_t late_writes;             /* ticks the feeder itself was late > 1 period */
};

struct sse_clients {
	int n;
	int *fd;
	char **buf;
	size_t *len;
	uint64_t *events;
	struct feeder *feed;
	pthread_t thread;
	atomic_int stop, measuring;
	double *lat_ms;
	size_t n_lat;
	uint64_t frame_events;
	int closed;
};

/* ---- the serial side ---------------------------------------------------- */

static int open_pty(char *slave, size_t len)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, slave, len) != 0)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

static void sleep_until(int64_t mono_us)
{
	struct timespec ts = { .tv_sec = mono_us / 1000000, .tv_nsec = (long)(mono_us % 1000000) * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *feeder_main(void *arg)
{
	struct feeder *f = arg;
	unsigned n = f->layout->n_sensors;
	uint16_t *values = calloc(n, sizeof(uint16_t));
	uint8_t *buf = malloc(INS_PROTO_BINARY_SIZE(n));
	int64_t start = ins_mono_us();

	for (uint32_t k = 0; !atomic_load(&f->stop); k++) {
		int64_t due = start + (int64_t)k * PERIOD_US;

		sleep_until(due);
		if (ins_mono_us() - due > PERIOD_US)
			f->late_writes++;
		for (unsigned foot = 0; foot < 2; foot++) {
			int64_t t_model;
			struct ins_frame fr = { .foot = (uint8_t)foot, .n = (uint16_t)n, .seq = k,
						.t_dev = k * PERIOD_US, .values = values };
			size_t len;

			ins_synth_next(f->synth, foot, values, &t_model);
			len = ins_proto_encode_binary(&fr, buf, INS_PROTO_BINARY_SIZE(n));
			f->write_mono_us[foot][k % WRITE_RING] = ins_mono_us();
			for (size_t done = 0; done < len;) {
				ssize_t w = write(f->master[foot], buf + done, len - done);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					fprintf(stderr, "bench_http: pty write: %s\n", strerror(errno));
					goto out;
				}
				done += (size_t)w;
			}
			atomic_fetch_add(&f->frames_sent, 1);
		}
	}
out:
	free(values);
	free(buf);
	return NULL;
}

/* ---- the daemon ---------------------------------------------------------- */

static pid_t start_daemon(const char *dir, const struct feeder *f, const char *layout, char *url, size_t urllen)
{
	char conf[256], out[256], line[512];
	int pipefd[2];
	FILE *c, *rd;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/insoled.conf", dir);
	c = fopen(conf, "w");
	if (!c)
		return -1;
	fprintf(c, "[daemon]\nlisten = 127.0.0.1:0\ndb = %s/bench.db\ndata_dir = %s\nlog_level = warning\n\n"
		   "[device left]\nport = %s\nlayout = %s\nfoot = left\n\n"
		   "[device right]\nport = %s\nlayout = %s\nfoot = right\n",
		dir, srcdir, f->slave[0], layout, f->slave[1], layout);
	fclose(c);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl("./insoled", "insoled", "--foreground", "--config", conf, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	rd = fdopen(pipefd[0], "r");
	url[0] = '\0';
	while (rd && fgets(line, sizeof(line), rd)) {
		char *p = strstr(line, "dashboard at ");

		if (p && sscanf(p + 13, "%255s", out) == 1) {
			size_t n = strlen(out);

			if (n && out[n - 1] == '/')
				out[n - 1] = '\0';
			snprintf(url, urllen, "%s", out);
			break;
		}
	}
	/* keep the pipe open (the daemon may print more) but never block on it */
	return url[0] ? pid : -1;
}

static json_t *http_json(const char *method, const char *url, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
	struct membuf m = { 0 };
	json_t *j = NULL;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK && m.p)
		j = json_loads(m.p, 0, NULL);
	free(m.p);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
	return j;
}

/* ---- SSE clients ----------------------------------------------------------- */

static int tcp_connect(uint16_t port)
{
	/* CLOEXEC: wrk sizes its event loop by its own connection count and
	 * fails on inherited descriptors numbered above it. */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sse_connect(uint16_t port)
{
	int fd = tcp_connect(port);
	static const char get[] = "GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";

	if (fd < 0 || write(fd, get, sizeof(get) - 1) != (ssize_t)(sizeof(get) - 1)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

#define SSE_BUF (256u << 10)

/* Frame events: data: {"t_us":T,"foot":"left"|"right",...} */
static void sse_parse(struct sse_clients *s, int i, int64_t now)
{
	char *b = s->buf[i], *end;

	while ((end = memmem(b, s->len[i] - (size_t)(b - s->buf[i]), "\n\n", 2)) != NULL) {
		char *d = memmem(b, (size_t)(end - b), "data: {\"t_us\":", 14);

		s->events[i]++;
		if (d && atomic_load(&s->measuring)) {
			long long t = strtoll(d + 14, NULL, 10);
			int foot = memmem(d, (size_t)(end - d), "\"foot\":\"right\"", 14) ? 1 : 0;
			uint64_t k = (uint64_t)t / PERIOD_US;
			int64_t w = s->feed->write_mono_us[foot][k % WRITE_RING];

			s->frame_events++;
			if (w > 0 && s->n_lat < MAX_LAT)
				s->lat_ms[s->n_lat++] = (double)(now - w) / 1000.0;
		}
		b = end + 2;
	}
	s->len[i] -= (size_t)(b - s->buf[i]);
	memmove(s->buf[i], b, s->len[i]);
}

static void *sse_main(void *arg)
{
	struct sse_clients *s = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event evs[64];

	for (int i = 0; i < s->n; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		epoll_ctl(ep, EPOLL_CTL_ADD, s->fd[i], &e);
	}
	while (!atomic_load(&s->stop)) {
		int n = epoll_wait(ep, evs, 64, 100);

		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u32;
			ssize_t r = read(s->fd[i], s->buf[i] + s->len[i], SSE_BUF - 1 - s->len[i]);

			if (r <= 0) {
				if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					epoll_ctl(ep, EPOLL_CTL_DEL, s->fd[i], NULL);
					s->closed++;
				}
				continue;
			}
			s->len[i] += (size_t)r;
			sse_parse(s, i, ins_mono_us());
			if (s->len[i] >= SSE_BUF - 1)
				s->len[i] = 0; /* a pathological record: drop the carry */
		}
	}
	close(ep);
	return NULL;
}

static int sse_start(struct sse_clients *s, int n, uint16_t port, struct feeder *f)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->feed = f;
	s->fd = calloc((size_t)n, sizeof(int));
	s->buf = calloc((size_t)n, sizeof(char *));
	s->len = calloc((size_t)n, sizeof(size_t));
	s->events = calloc((size_t)n, sizeof(uint64_t));
	s->lat_ms = malloc(MAX_LAT * sizeof(double));
	for (int i = 0; i < n; i++) {
		s->buf[i] = malloc(SSE_BUF);
		s->fd[i] = sse_connect(port);
		if (s->fd[i] < 0) {
			fprintf(stderr, "bench_http: SSE client %d cannot connect\n", i);
			return -1;
		}
	}
	return pthread_create(&s->thread, NULL, sse_main, s);
}

static void sse_stop(struct sse_clients *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	for (int i = 0; i < s->n; i++) {
		close(s->fd[i]);
		free(s->buf[i]);
	}
	free(s->fd);
	free(s->buf);
	free(s->len);
	free(s->events);
	free(s->lat_ms);
}

static void sse_report(struct sse_clients *s, int seconds, const char *when)
{
	qsort(s->lat_ms, s->n_lat, sizeof(double), bench_cmp_double);
	printf("  SSE %s: %d clients, %.1f frame events/s per client (30 Hz x 2 feet = 60 expected), %d dropped; "
	       "serial write -> SSE event over %zu events: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       when, s->n, (double)s->frame_events / s->n / seconds, s->closed, s->n_lat, bench_pct(s->lat_ms, s->n_lat, 50),
	       bench_pct(s->lat_ms, s->n_lat, 99), s->n_lat ? s->lat_ms[s->n_lat - 1] : -1.0);
	s->n_lat = 0;
	s->frame_events = 0;
}

/* The reader thread only appends while measuring; reset between phases. */
static void sse_measure(struct sse_clients *s, int seconds, const char *when)
{
	atomic_store(&s->measuring, 1);
	sleep((unsigned)seconds);
	atomic_store(&s->measuring, 0);
	usleep(100000);
	sse_report(s, seconds, when);
}

/* ---- wrk ------------------------------------------------------------------------ */

struct wrk_result {
	double rps, p50_ms, p99_ms;
	long non2xx, errors;
	double requests, wall_s;
	double daemon_cpu_s, client_cpu_s; /* the daemon's and wrk's CPU time over the run */
	double load1;                      /* load average when the run ended */
};

/* wrk shares the machine's cores with the daemon, so requests/s measures
 * both; each side's CPU time per request tells them apart (and changes
 * less with other load than requests/s do). */
static pid_t daemon_pid;

static double daemon_cpu_s(void)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)daemon_pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after ") state": ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double children_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double load_average(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static void print_cpu(const struct wrk_result *r)
{
	double cores = (double)sysconf(_SC_NPROCESSORS_ONLN);

	if (r->requests <= 0 || r->wall_s <= 0)
		return;
	printf("    CPU per request: daemon %.1f us (%.2f of %.0f cores), wrk %.1f us (%.2f cores); load average %.2f\n",
	       r->daemon_cpu_s / r->requests * 1e6, r->daemon_cpu_s / r->wall_s, cores,
	       r->client_cpu_s / r->requests * 1e6, r->client_cpu_s / r->wall_s, r->load1);
}

static double to_ms(double v, const char *unit)
{
	if (strcmp(unit, "us") == 0)
		return v / 1000;
	if (strcmp(unit, "s") == 0)
		return v * 1000;
	return v;
}

/* paced: NULL for as fast as possible, or a wrk Lua script adding think time */
static int run_wrk_on(const char *url, const char *path, int conns, int seconds, const char *paced,
		      struct wrk_result *r)
{
	char cmd[768], line[512], all[4096] = "";
	FILE *p;

	double d0 = daemon_cpu_s(), c0 = children_cpu_s();
	int64_t t0 = ins_mono_us();

	memset(r, 0, sizeof(*r));
	if (paced)
		snprintf(cmd, sizeof(cmd), "wrk -t2 -c%d -d%ds --latency -s '%s' '%s%s' 2>&1", PACED_CONNECTIONS,
			 seconds, paced, url, path);
	else
		snprintf(cmd, sizeof(cmd), "wrk -t2 -c%d -d%ds --latency '%s%s' 2>&1", conns, seconds, url, path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		double v;

		if (strlen(all) + strlen(line) < sizeof(all))
			strcat(all, line);
		char unit[8];
		long a, b, c, d;

		if (sscanf(line, " 50%% %lf%7[a-z]", &v, unit) == 2)
			r->p50_ms = to_ms(v, unit);
		else if (sscanf(line, " 99%% %lf%7[a-z]", &v, unit) == 2)
			r->p99_ms = to_ms(v, unit);
		else if (sscanf(line, "Requests/sec: %lf", &v) == 1)
			r->rps = v;
		else if (sscanf(line, " %ld requests in", &a) == 1)
			r->requests = (double)a;
		else if (sscanf(line, " Non-2xx or 3xx responses: %ld", &a) == 1)
			r->non2xx = a;
		else if (sscanf(line, " Socket errors: connect %ld, read %ld, write %ld, timeout %ld", &a, &b, &c, &d) == 4)
			r->errors = a + b + c + d;
	}
	if (pclose(p) != 0 || r->rps <= 0) {
		fprintf(stderr, "bench_http: %s failed:\n%s\n", cmd, all);
		return -1;
	}
	r->wall_s = (double)(ins_mono_us() - t0) / 1e6;
	r->daemon_cpu_s = daemon_cpu_s() - d0;
	r->client_cpu_s = children_cpu_s() - c0;
	r->load1 = load_average();
	return 0;
}

static int run_wrk(const char *url, int seconds, const char *paced, struct wrk_result *r)
{
	return run_wrk_on(url, "/api/live", 32, seconds, paced, r);
}

/* ---- floods: a fresh client's wait while thousands of connections are open ---------- */

#define PROBE_EVERY_US 200000        /* five fresh clients a second */
#define PROBE_MAX 4096

struct probe {
	char url[300];
	pthread_t thread;
	atomic_int stop;
	double ms[PROBE_MAX];
	size_t n, failed;
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n;
}

/* One request on a new connection; its time in ms, or -1. */
static double probe_once(const char *url)
{
	CURL *c = curl_easy_init();
	int64_t t0 = ins_mono_us();
	long code = 0;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) != CURLE_OK || curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	curl_easy_cleanup(c);
	return code == 200 ? (ins_mono_us() - t0) / 1e3 : -1;
}

static void *probe_main(void *arg)
{
	struct probe *pr = arg;

	while (!atomic_load(&pr->stop) && pr->n < PROBE_MAX) {
		double ms = probe_once(pr->url);

		if (ms < 0)
			pr->failed++;
		else
			pr->ms[pr->n++] = ms;
		usleep(PROBE_EVERY_US);
	}
	return NULL;
}

static void probe_report(struct probe *pr, const char *during)
{
	qsort(pr->ms, pr->n, sizeof(pr->ms[0]), bench_cmp_double);
	printf("    fresh clients during %s: %zu answered, %zu failed; p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", during,
	       pr->n, pr->failed, bench_pct(pr->ms, pr->n, 50), bench_pct(pr->ms, pr->n, 99), pr->n ? pr->ms[pr->n - 1] : 0.0);
}

/* wrk keeps `conns` connections busy on /api/live while fresh clients ask
 * for /api/status; then as many connections sit silent (a slow-header
 * flood) and fresh clients ask again. */
static int bench_flood(const char *url, uint16_t port, int conns, int seconds)
{
	struct probe *pr = calloc(1, sizeof(*pr));
	struct wrk_result w;
	int *fds = calloc((size_t)conns, sizeof(int)), rc = -1;

	if (!pr || !fds)
		goto out;
	snprintf(pr->url, sizeof(pr->url), "%s/api/status", url);
	pthread_create(&pr->thread, NULL, probe_main, pr);
	rc = run_wrk_on(url, "/api/live", conns, seconds, NULL, &w);
	atomic_store(&pr->stop, 1);
	pthread_join(pr->thread, NULL);
	if (rc < 0)
		goto out;
	printf("  GET /api/live with %d connections (wrk -t2 -c%d -d%ds): %.0f req/s, p50 %.2f ms, p99 %.2f ms, "
	       "non-2xx %ld, socket errors %ld\n", conns, conns, seconds, w.rps, w.p50_ms, w.p99_ms, w.non2xx, w.errors);
	print_cpu(&w);
	probe_report(pr, "it");
	memset(pr, 0, sizeof(*pr));
	snprintf(pr->url, sizeof(pr->url), "%s/api/status", url);
	for (int i = 0; i < conns; i++)
		fds[i] = tcp_connect(port); /* connected, sends nothing */
	for (int i = 0; i < 20; i++) {
		double ms = probe_once(pr->url);

		if (ms < 0)
			pr->failed++;
		else
			pr->ms[pr->n++] = ms;
	}
	printf("  %d silent connections open:\n", conns);
	probe_report(pr, "them");
	for (int i = 0; i < conns; i++)
		if (fds[i] >= 0)
			close(fds[i]);
out:
	free(pr);
	free(fds);
	return rc;
}

/* ---- counters ---------------------------------------------------------------------- */

static int report_drops(const char *url, uint64_t sent)
{
	char u[256];
	json_t *st;
	int64_t analysed, qdrop, lost0, lost1, sdrop, rejected;
	int ok;

	snprintf(u, sizeof(u), "%s/api/status", url);
	st = http_json("GET", u, NULL);
	if (!st)
		return -1;
	analysed = bench_jint(st, "analysis.frames_analysed");
	rejected = bench_jint(st, "analysis.frames_rejected");
	qdrop = bench_jint(st, "acquisition.queue.dropped");
	lost0 = bench_jint(st, "acquisition.devices.0.protocol.frames_lost");
	lost1 = bench_jint(st, "acquisition.devices.1.protocol.frames_lost");
	sdrop = bench_jint(st, "database.frames_dropped");
	ok = analysed == (int64_t)sent && qdrop == 0 && lost0 == 0 && lost1 == 0 && sdrop == 0 && rejected == 0;
	printf("  acquisition: frames sent %" PRIu64 ", analysed %" PRId64 ", rejected %" PRId64
	       ", queue drops %" PRId64 ", protocol frames lost %" PRId64 "/%" PRId64 ", store drops %" PRId64
	       " -> %s\n", sent, analysed, rejected, qdrop, lost0, lost1, sdrop, ok ? "no drop" : "DROPS");
	json_decref(st);
	return ok ? 0 : -1;
}

/* ---- one layout ----------------------------------------------------------------------- */

static int bench_layout(const char *name, int wrk_s, int n_sse, int with_floods)
{
	char dir[] = "/tmp/insoled-bench-http-XXXXXX", url[256], u[300], err[256];
	struct ins_synth_params sp;
	struct ins_layout *layout;
	struct feeder *f = calloc(1, sizeof(*f));
	struct sse_clients sse;
	struct wrk_result w1, w2;
	uint16_t port;
	pid_t pid = -1;
	json_t *j;
	int rc = -1;

	if (!f || !mkdtemp(dir))
		return -1;
	snprintf(u, sizeof(u), "%s/layouts", srcdir);
	layout = ins_layout_load_named(u, name, err, sizeof(err));
	if (!layout) {
		fprintf(stderr, "bench_http: %s\n", err);
		goto out;
	}
	ins_synth_defaults(&sp);
	f->layout = layout;
	f->synth = ins_synth_new(&sp, layout, err, sizeof(err));
	for (int i = 0; i < 2; i++)
		f->master[i] = open_pty(f->slave[i], sizeof(f->slave[i]));
	if (!f->synth || f->master[0] < 0 || f->master[1] < 0) {
		fprintf(stderr, "bench_http: synth or pty: %s\n", err);
		goto out;
	}
	pthread_create(&f->thread, NULL, feeder_main, f);
	pid = start_daemon(dir, f, name, url, sizeof(url));
	daemon_pid = pid;
	if (pid < 0) {
		fprintf(stderr, "bench_http: insoled did not start (run from the build directory)\n");
		goto out;
	}
	port = (uint16_t)atoi(strrchr(url, ':') + 1);
	sleep(1);
	snprintf(u, sizeof(u), "%s/api/sessions", url);
	j = http_json("POST", u, "{\"subject\":\"bench\",\"footwear\":\"wrk\"}");
	if (!j || bench_jint(j, "id") <= 0) {
		fprintf(stderr, "bench_http: could not start recording\n");
		json_decref(j);
		goto out;
	}
	json_decref(j);
	sleep(WARMUP_S);

	printf("%s (%u sensors per foot, 2 feet at %d Hz, recording):\n", name, layout->n_sensors, RATE_HZ);
	if (run_wrk(url, wrk_s, NULL, &w1) < 0)
		goto out;
	printf("  GET /api/live as fast as possible (wrk -t2 -c32 -d%ds): %.0f req/s, p50 %.2f ms, p99 %.2f ms, "
	       "non-2xx %ld, socket errors %ld\n", wrk_s, w1.rps, w1.p50_ms, w1.p99_ms, w1.non2xx, w1.errors);
	print_cpu(&w1);
	snprintf(u, sizeof(u), "%s/paced.lua", dir);
	{
		FILE *lua = fopen(u, "w");

		if (!lua)
			goto out;
		fprintf(lua, "function delay()\n  return %d\nend\n", PACED_DELAY_MS);
		fclose(lua);
	}
	if (run_wrk(url, wrk_s, u, &w1) < 0)
		goto out;
	printf("  GET /api/live paced (wrk -c%d, %d ms think time):          %.0f req/s, p50 %.2f ms, p99 %.2f ms, "
	       "non-2xx %ld, socket errors %ld\n", PACED_CONNECTIONS, PACED_DELAY_MS, w1.rps, w1.p50_ms, w1.p99_ms,
	       w1.non2xx, w1.errors);
	print_cpu(&w1);

	if (sse_start(&sse, n_sse, port, f) != 0)
		goto out;
	sleep(1);
	sse_measure(&sse, wrk_s, "alone");
	atomic_store(&sse.measuring, 1);
	if (run_wrk(url, wrk_s, u, &w2) < 0) {
		sse_stop(&sse);
		goto out;
	}
	atomic_store(&sse.measuring, 0);
	usleep(100000);
	printf("  GET /api/live paced with %d SSE clients connected:   %.0f req/s, p50 %.2f ms, p99 %.2f ms, non-2xx %ld, socket errors %ld\n",
	       n_sse, w2.rps, w2.p50_ms, w2.p99_ms, w2.non2xx, w2.errors);
	print_cpu(&w2);
	sse_report(&sse, wrk_s, "while wrk runs paced");
	atomic_store(&sse.measuring, 1);
	if (run_wrk(url, wrk_s, NULL, &w2) < 0) {
		sse_stop(&sse);
		goto out;
	}
	atomic_store(&sse.measuring, 0);
	usleep(100000);
	printf("  GET /api/live as fast as possible with %d SSE clients: %.0f req/s, p50 %.2f ms, p99 %.2f ms, non-2xx %ld, socket errors %ld\n",
	       n_sse, w2.rps, w2.p50_ms, w2.p99_ms, w2.non2xx, w2.errors);
	print_cpu(&w2);
	sse_report(&sse, wrk_s, "while wrk saturates both cores");
	sse_stop(&sse);
	if (with_floods) {
		if (run_wrk_on(url, "/api/sessions", 32, wrk_s, NULL, &w2) < 0)
			goto out;
		printf("  GET /api/sessions (wrk -t2 -c32 -d%ds): %.0f req/s, p50 %.2f ms, p99 %.2f ms, non-2xx %ld, "
		       "socket errors %ld\n", wrk_s, w2.rps, w2.p50_ms, w2.p99_ms, w2.non2xx, w2.errors);
		print_cpu(&w2);
		if (bench_flood(url, port, 1000, wrk_s) < 0 || bench_flood(url, port, 4000, wrk_s) < 0)
			goto out;
	}
	atomic_store(&f->stop, 1);
	pthread_join(f->thread, NULL);
	f->thread = 0;
	sleep(DRAIN_S);
	if (f->late_writes)
		printf("  (the feeder itself was late %" PRId64 " times by more than a period)\n", f->late_writes);
	rc = report_drops(url, atomic_load(&f->frames_sent));
out:
	if (f->thread) {
		atomic_store(&f->stop, 1);
		pthread_join(f->thread, NULL);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < 2; i++)
		if (f->master[i] > 0)
			close(f->master[i]);
	ins_synth_free(f->synth);
	ins_layout_free(layout);
	free(f);
	snprintf(u, sizeof(u), "rm -rf '%s'", dir);
	if (system(u) != 0)
		fprintf(stderr, "bench_http: could not remove %s\n", dir);
	return rc;
}

/* wrk with 4,000 connections and the flood's own sockets need more than
 * the default 1,024 descriptors; the daemon raises its own limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		printf("file descriptors: %llu (ulimit -n)\n", (unsigned long long)rl.rlim_cur);
}

int main(void)
{
	const char *layouts = getenv("INS_BENCH_LAYOUTS") ? getenv("INS_BENCH_LAYOUTS") : "fsr16 grid60x21";
	int wrk_s = getenv("INS_BENCH_WRK_S") ? atoi(getenv("INS_BENCH_WRK_S")) : 8;
	int n_sse = getenv("INS_BENCH_SSE") ? atoi(getenv("INS_BENCH_SSE")) : 100;
	char copy[256], *save = NULL;
	int failed = 0;

	if (system("wrk --version >/dev/null 2>&1") != 0 && system("command -v wrk >/dev/null") != 0) {
		fprintf(stderr, "bench_http: wrk not found (apt-get install wrk)\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(copy, sizeof(copy), "%s", layouts);
	for (char *name = strtok_r(copy, " ", &save); name; name = strtok_r(NULL, " ", &save))
		failed |= bench_layout(name, wrk_s, n_sse, !failed && name == copy) != 0;
	curl_global_cleanup();
	return failed;
}
