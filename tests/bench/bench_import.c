/* `make bench`: reading recordings, against the analysis engine's own rate.
 * A one-hour gaitpdb-like file (100 Hz, 19 columns, CRLF: a PhysioNet walk
 * from ../shared/data repeated with a continuous clock, or a synthetic walk
 * when the data is absent) is
 *   1. read (ins_import_next: line splitting, number parsing, timeline),
 *   2. read and analysed (ins_import_run: + the analysis of every frame), on
 *      one thread and on two (ins_import_run_pipelined),
 *   3. run through `insoled --analyze` with its JSON output to /dev/null,
 * and the engine alone is fed the same frames from memory.  The vendor
 * sample exports are read too when present.  Target: text import >= 200 MB/s
 * per core.  Rates are per second of CPU time (of this thread; of the whole
 * process, both threads, for the two-thread cases), so a busy machine does
 * not understate them; wall-clock rates are printed beside. */
#include <fcntl.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "insoled/import.h"

#define HOUR_ROWS 360000 /* 1 h at 100 Hz */
#define WALK INS_TEST_SRCDIR "/../shared/data/gaitpdb/GaCo01_01.txt"
#define SAMPLES INS_TEST_SRCDIR "/../shared/data/pressure-formats/"
#define LAYOUTS INS_TEST_SRCDIR "/layouts"
#define TARGET_MB_S 200.0
#define MIN_RUN_US 1000000 /* repeat the small files for at least this much CPU time */

static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t process_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_import: %s\n", what);
	exit(1);
}

/* The walk's rows without their time column, or a synthetic walk: 1.1 s
 * strides, 60 % stance, the heel then the toes loaded. */
static char **walk_rows(size_t *n, int *real)
{
	static char *rows[20000];
	static char line[512];
	FILE *fp = fopen(WALK, "r");

	*n = 0;
	*real = fp != NULL;
	while (fp && *n < 20000 && fgets(line, sizeof line, fp)) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\r\n")] = '\0';
		if (tab && (rows[*n] = strdup(tab + 1)) != NULL)
			(*n)++;
	}
	if (fp)
		fclose(fp);
	for (; !*real && *n < 110; (*n)++) {
		double ph = (double)*n / 110.0, l = ph < 0.6 ? 700 * sin(M_PI * ph / 0.6) : 0;
		double r = ph >= 0.5 && ph < 1.1 ? 700 * sin(M_PI * (ph - 0.5) / 0.6) : 0;
		char buf[512];

		snprintf(buf, sizeof buf, "%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t"
			 "%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f", l * .3, l * .1, l * .1, l * .05, l * .05, l * .15, l * .15,
			 l * .1, r * .3, r * .1, r * .1, r * .05, r * .05, r * .15, r * .15, r * .1, l, r);
		rows[*n] = strdup(buf);
	}
	if (*n == 0)
		die("no walk rows");
	return rows;
}

static const char *make_hour_file(char *path, size_t len, long long *bytes, int *real)
{
	size_t n;
	char **rows = walk_rows(&n, real);
	FILE *fp;
	int fd;

	snprintf(path, len, "/tmp/bench_import.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || !(fp = fdopen(fd, "w")))
		die("cannot write the one-hour file in /tmp");
	for (long i = 0; i < HOUR_ROWS; i++)
		fprintf(fp, "%.4f\t%s\r\n", i / 100.0, rows[i % (long)n]);
	*bytes = ftell(fp);
	if (fclose(fp) != 0)
		die("cannot write the one-hour file");
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	return path;
}

static void report(const char *what, double mb, double frames, int64_t cpu, int64_t wall)
{
	printf("%-44s %8.1f MB/s %12.0f foot-frames/s   (wall %.1f MB/s)\n", what, mb / (cpu / 1e6),
	       frames / (cpu / 1e6), mb / (wall / 1e6));
}

/* Case 1: read every frame; returns foot-frames. */
static unsigned long read_all(const char *path)
{
	char err[512];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;
	unsigned long frames = 0;
	int rc;

	if (!imp)
		die(err);
	while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1)
		frames++;
	if (rc < 0)
		die(err);
	ins_import_close(imp);
	return frames;
}

static int count_step(void *arg, const struct ins_step *step, char *err, size_t errlen)
{
	(void)step;
	(void)err;
	(void)errlen;
	(*(unsigned long *)arg)++;
	return 0;
}

/* Case 2 (and the engine alone when frames is given: the frames are kept
 * in memory as kPa and fed again). */
static unsigned long read_and_analyse(const char *path, int pipelined, unsigned long *steps)
{
	char err[512];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_layout *lay[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_analysis_config cfg = { 0 };
	struct ins_analysis *ana;
	struct ins_import_tally tally;
	const struct ins_import_sink sink = { .step = count_step, .arg = steps };

	if (!imp)
		die(err);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(ins_import_info(imp)->feet & (1u << foot)))
			continue;
		lay[foot] = ins_layout_load_named(LAYOUTS, ins_import_info(imp)->layout[foot], err, sizeof err);
		if (!lay[foot])
			die(err);
		cfg.layout[foot] = lay[foot];
	}
	if (!(ana = ins_analysis_new(&cfg, err, sizeof err)))
		die(err);
	*steps = 0;
	if ((pipelined ? ins_import_run_pipelined(imp, ana, lay, &sink, &tally, err, sizeof err)
		       : ins_import_run(imp, ana, lay, &sink, &tally, err, sizeof err)) < 0)
		die(err);
	ins_analysis_free(ana);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(lay[foot]);
	ins_import_close(imp);
	return tally.frames[0] + tally.frames[1];
}

/* The engine alone on the file's frames, held in memory as kPa. */
static void engine_alone(const char *path, unsigned long n_frames)
{
	char err[512];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_layout *lay = ins_layout_load_named(LAYOUTS, "gaitpdb8", err, sizeof err);
	struct ins_analysis_config cfg = { .layout = { lay, lay } };
	float *kpa = malloc(n_frames * 8 * sizeof(float));
	int64_t *t = malloc(n_frames * sizeof(int64_t));
	uint8_t *foot = malloc(n_frames);
	struct ins_import_frame f;
	struct ins_frame_metrics m;
	struct ins_analysis *ana;
	struct ins_step step;
	unsigned long k = 0;
	int64_t c0, w0;

	if (!imp || !lay || !kpa || !t || !foot)
		die("engine setup");
	while (k < n_frames && ins_import_next(imp, &f, err, sizeof err) == 1) {
		if (ins_import_to_kpa(&f, lay, kpa + k * 8, err, sizeof err) < 0)
			die(err);
		t[k] = f.t_us;
		foot[k++] = f.foot;
	}
	if (!(ana = ins_analysis_new(&cfg, err, sizeof err)))
		die(err);
	c0 = cpu_us();
	w0 = wall_us();
	for (unsigned long i = 0; i < k; i++) {
		ins_analysis_feed_kpa(ana, foot[i], t[i], kpa + i * 8, 8, &m);
		while (ins_analysis_next_step(ana, &step))
			;
	}
	report("engine alone (frames from memory, gaitpdb8)", 0, (double)k, cpu_us() - c0, wall_us() - w0);
	ins_analysis_free(ana);
	ins_layout_free(lay);
	ins_import_close(imp);
	free(kpa);
	free(t);
	free(foot);
}

/* Case 3: the whole of `insoled --analyze FILE`, JSON to /dev/null. */
static void analyze_cli(const char *path, double mb, unsigned long frames)
{
	char a0[] = "insoled", a1[] = "--analyze", a3[] = "--layout-dir", a4[] = LAYOUTS;
	char *argv[] = { a0, a1, (char *)(uintptr_t)path, a3, a4, NULL };
	int saved = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	int null = open("/dev/null", O_WRONLY);
	int64_t c0, w0, cpu, wall;
	int rc;

	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	c0 = process_cpu_us();
	w0 = wall_us();
	rc = ins_analyze_main(5, argv);
	fflush(stdout);
	cpu = process_cpu_us() - c0;
	wall = wall_us() - w0;
	dup2(saved, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(null);
	close(saved);
	close(saved_err);
	if (rc != 0)
		die("insoled --analyze failed on the one-hour file");
	report("insoled --analyze, JSON to /dev/null, 2 thr", mb, (double)frames, cpu, wall);
}

/* A small sample read again and again for a stable figure. */
static void sample(const char *name)
{
	char path[512];
	struct stat st;
	unsigned long frames = 0;
	int64_t c0 = cpu_us(), w0 = wall_us();
	double mb = 0;
	char what[64];

	snprintf(path, sizeof path, "%s%s", SAMPLES, name);
	if (stat(path, &st) != 0)
		return;
	do {
		frames += read_all(path);
		mb += st.st_size / 1e6;
	} while (cpu_us() - c0 < MIN_RUN_US);
	snprintf(what, sizeof what, "read %s", name);
	report(what, mb, (double)frames, cpu_us() - c0, wall_us() - w0);
}

int main(void)
{
	char path[64];
	long long bytes;
	int real;
	const char *file = make_hour_file(path, sizeof path, &bytes, &real);
	double mb = bytes / 1e6;
	unsigned long frames, steps;
	int64_t c0, w0, read_cpu;

	printf("one hour at 100 Hz, %s: %.1f MB, %d rows\n", real ? "GaCo01_01 repeated" : "synthetic walk", mb,
	       HOUR_ROWS);
	c0 = cpu_us();
	w0 = wall_us();
	frames = read_all(file);
	read_cpu = cpu_us() - c0;
	report("read (ins_import_next)", mb, (double)frames, read_cpu, wall_us() - w0);
	c0 = cpu_us();
	w0 = wall_us();
	frames = read_and_analyse(file, 0, &steps);
	report("read + analysis (ins_import_run)", mb, (double)frames, cpu_us() - c0, wall_us() - w0);
	c0 = process_cpu_us();
	w0 = wall_us();
	frames = read_and_analyse(file, 1, &steps);
	report("read + analysis, 2 threads (_pipelined)", mb, (double)frames, process_cpu_us() - c0,
	       wall_us() - w0);
	engine_alone(file, frames);
	analyze_cli(file, mb, frames);
	printf("%lu steps; text import %.0f MB/s per core: %s the %.0f MB/s target\n", steps, mb / (read_cpu / 1e6),
	       mb / (read_cpu / 1e6) >= TARGET_MB_S ? "meets" : "BELOW", TARGET_MB_S);
	unlink(file);
	sample("pedar_example.asc");
	sample("fscan_testL.asf");
	sample("xsensor_data.csv");
	sample("stappone_example.csv");
	return 0;
}
