/* insoled --analyze FILE... DIR...: many recordings in one process, spread
 * over the cores.  Each file is analysed by one worker thread with its own
 * reader and analysis; its output is kept apart (buffered and written in
 * one piece, every JSON line naming the file, or one file per input with
 * --out DIR), a failing file is reported and the others carry on, and a
 * table of every file ends the run on stderr.  A progress line is shown
 * while stderr is a terminal. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "insoled/grow.h"
#include "insoled/import.h"
#include "analyze_priv.h"
#include "import_priv.h"

struct batch {
	const struct analyze_opts *o;
	struct analyze_result *res;
	int *from_dir;          /* found in a directory: not a recording is skipped, not failed */
	char **paths;           /* owned */
	size_t n, cap;
	size_t next;            /* next file for a worker */
	size_t done, failed, skipped;
	long long bytes_done;
	int tty;
	double t0;
	pthread_mutex_t lock;
};

/* A worker's output buffer, kept from file to file: a fresh buffer per
 * file (open_memstream) faulted in megabytes of new pages for every
 * recording, a tenth of a batch's CPU time in the kernel. */
struct batch_text {
	char *buf;
	size_t len, cap;
};

static ssize_t batch_text_write(void *cookie, const char *data, size_t n)
{
	struct batch_text *t = cookie;

	if (ins_grow((void **)&t->buf, &t->cap, t->len, n, 1, 1 << 16) < 0) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(t->buf + t->len, data, n);
	t->len += n;
	return (ssize_t)n;
}

static FILE *batch_text_open(struct batch_text *t)
{
	static const cookie_io_functions_t io = { .write = batch_text_write };

	t->len = 0;
	return fopencookie(t, "w", io);
}

static double batch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int analyze_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int batch_add(struct batch *b, const char *path, int from_dir)
{
	if (b->n == b->cap) {
		/* two arrays of one length: each grows from the same capacity */
		size_t cap_paths = b->cap, cap_dirs = b->cap;

		if (ins_grow((void **)&b->paths, &cap_paths, b->n, 1, sizeof(*b->paths), 64) < 0 ||
		    ins_grow((void **)&b->from_dir, &cap_dirs, b->n, 1, sizeof(*b->from_dir), 64) < 0)
			return -1;
		b->cap = cap_paths;
	}
	b->paths[b->n] = strdup(path);
	if (!b->paths[b->n])
		return -1;
	b->from_dir[b->n++] = from_dir;
	return 0;
}

/* 1 when name ends in suffix, in any case (a record copied from a disk that
 * keeps no case is PARK1.HEA, PARK1.LET). */
static int batch_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n > m && strcasecmp(name + n - m, suffix) == 0;
}

/* A WFDB signal file is read through its header: list NAME.hea, not
 * NAME.let / NAME.rit, when the listing has the header (in any case). */
static int batch_wfdb_signal(struct dirent *const *list, int n, const char *name)
{
	size_t stem;

	if (!batch_has_suffix(name, ".let") && !batch_has_suffix(name, ".rit"))
		return 0;
	stem = strlen(name) - 4;
	for (int i = 0; i < n; i++)
		if (strlen(list[i]->d_name) == stem + 4 && strncasecmp(list[i]->d_name, name, stem) == 0 &&
		    batch_has_suffix(list[i]->d_name, ".hea"))
			return 1;
	return 0;
}

/* What a directory's listing analyses: regular files (through symbolic
 * links), and links that lead nowhere, which are reported rather than left
 * out unseen; not subdirectories, nor FIFOs (opening one waits for a writer
 * forever), sockets or devices. */
static int batch_listed(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISREG(st.st_mode);
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int batch_is_subdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The regular files of dir, in name order.  Its subdirectories are not
 * searched (their outputs would share names under --out), but named, so
 * that an archive kept in a folder per patient does not look empty. */
static int batch_add_dir(struct batch *b, const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	int rc = 0, subdirs = 0;

	if (n < 0) {
		fprintf(stderr, "insoled --analyze: %s: cannot read the directory: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];

		if (rc != 0 || list[i]->d_name[0] == '.' || batch_wfdb_signal(list, n, list[i]->d_name) ||
		    snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name) >= (int)sizeof path)
			continue;
		if (batch_listed(path))
			rc = batch_add(b, path, 1);
		else
			subdirs += batch_is_subdir(path);
	}
	if (subdirs) {
		int len = (int)strlen(dir);

		while (len > 0 && dir[len - 1] == '/')
			len--;
		fprintf(stderr, "insoled --analyze: %s: %d sub-folder%s not searched (name %s to analyse %s too, "
			"e.g. %.*s/*/)\n", dir, subdirs, subdirs == 1 ? "" : "s", subdirs == 1 ? "it" : "them",
			subdirs == 1 ? "it" : "them", len, dir);
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return rc;
}

/* DIR/NAME.jsonl (.csv): NAME is the file's name; a name seen before gets .2, .3 ... */
static FILE *batch_open_out(struct batch *b, size_t i, char *path, size_t len)
{
	const char *base = strrchr(b->paths[i], '/');
	const char *ext = b->o->csv ? "csv" : "jsonl";
	unsigned same = 0;

	base = base ? base + 1 : b->paths[i];
	for (size_t k = 0; k < i; k++) {
		const char *other = strrchr(b->paths[k], '/');

		same += strcmp(other ? other + 1 : b->paths[k], base) == 0;
	}
	if (same)
		snprintf(path, len, "%s/%s.%u.%s", b->o->out_dir, base, same + 1, ext);
	else
		snprintf(path, len, "%s/%s.%s", b->o->out_dir, base, ext);
	return fopen(path, "w");
}

static void batch_progress(struct batch *b)
{
	double dt = batch_now() - b->t0;

	if (!b->tty)
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] %zu failed, %.1f MB in %.1f s (%.0f MB/s)", b->done, b->n, b->failed,
		b->bytes_done / 1e6, dt, dt > 0 ? b->bytes_done / 1e6 / dt : 0.0);
}

/* Under the lock: hand on one finished file, its results and then its
 * diagnostics, held until now so that neither another file's lines nor the
 * progress line run into them. */
static void batch_finish(struct batch *b, size_t i, const struct batch_text *text, const struct batch_text *diag)
{
	struct analyze_result *res = &b->res[i];

	if (b->tty)
		fputs("\r\033[K", stderr);
	if (text->len)
		fwrite(text->buf, 1, text->len, stdout);
	fflush(stdout);
	if (diag->len)
		fwrite(diag->buf, 1, diag->len, stderr);
	if (res->status == ANALYZE_FAILED)
		fprintf(stderr, "insoled --analyze: %s\n", res->err);
	b->done++;
	b->failed += res->status == ANALYZE_FAILED;
	b->skipped += res->status == ANALYZE_SKIPPED;
	b->bytes_done += res->bytes;
	batch_progress(b);
}

/* A WFDB record is read from NAME.let and NAME.rit beside NAME.hea. */
static long long batch_wfdb_bytes(const char *path)
{
	static const char *const signals[] = { "let", "rit" };
	size_t n = strlen(path);
	long long bytes = 0;
	char sig[4096];
	struct stat st;

	if (!batch_has_suffix(path, ".hea") || n >= sizeof sig)
		return 0;
	for (unsigned k = 0; k < 2; k++) {
		snprintf(sig, sizeof sig, "%.*s.%s", (int)(n - 4), path, signals[k]);
		import_wfdb_resolve_case(sig, sizeof sig);
		if (stat(sig, &st) == 0)
			bytes += (long long)st.st_size;
	}
	return bytes;
}

/* The path as a JSON string; bytes that are not UTF-8 become '?'. */
static char *batch_label(const char *path)
{
	json_t *j = json_string(path);
	char *label;

	if (!j) {
		char *copy = strdup(path);

		for (char *p = copy; p && *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		j = json_string(copy ? copy : "?");
		free(copy);
	}
	label = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	return label;
}

static void batch_run_one(struct batch *b, size_t i, struct batch_text *text, struct batch_text *diag)
{
	struct analyze_result *res = &b->res[i];
	char outpath[4096], why[512];
	char *label = NULL;
	FILE *out, *diag_out;
	struct stat st;
	double t = batch_now();

	res->path = b->paths[i];
	res->cadence[0] = res->cadence[1] = NAN;
	if (stat(b->paths[i], &st) == 0)
		res->bytes = (long long)st.st_size;
	res->bytes += batch_wfdb_bytes(b->paths[i]);
	/* a file of the directory that is no recording is skipped; one that
	 * cannot be read (no permission, a dangling link) may well be one, and
	 * fails with the reason */
	if (b->from_dir[i] && !b->o->format && access(b->paths[i], R_OK) == 0 &&
	    !ins_import_detect(b->paths[i], why, sizeof why)) {
		res->status = ANALYZE_SKIPPED;
		import_copy_text(res->err, sizeof res->err, "not a recording");
		return;
	}
	out = b->o->out_dir ? batch_open_out(b, i, outpath, sizeof outpath) : batch_text_open(text);
	if (!out) {
		res->status = ANALYZE_FAILED;
		snprintf(res->err, sizeof res->err, "%.400s: cannot write %.500s: %s", b->paths[i],
			 b->o->out_dir ? outpath : "the results", strerror(errno));
		return;
	}
	diag_out = batch_text_open(diag);
	if (!diag_out) {
		fclose(out);
		res->status = ANALYZE_FAILED;
		snprintf(res->err, sizeof res->err, "%.900s: out of memory", b->paths[i]);
		return;
	}
	if (!b->o->out_dir) {
		label = batch_label(b->paths[i]);
		if (b->o->csv)
			fprintf(out, "# file: %s\n", b->paths[i]);
	}
	if (analyze_file(b->o, b->paths[i], out, diag_out, b->o->out_dir ? NULL : (label ? label : "null"), res) < 0)
		res->status = ANALYZE_FAILED;
	fclose(diag_out);
	if (fclose(out) != 0 && res->status == ANALYZE_OK) {
		res->status = ANALYZE_FAILED;
		snprintf(res->err, sizeof res->err, "%.900s: cannot write the results: %s", b->paths[i],
			 strerror(errno));
	}
	free(label);
	res->seconds = batch_now() - t;
}

static void *batch_worker(void *arg)
{
	struct batch *b = arg;
	struct batch_text text = { NULL, 0, 0 }, diag = { NULL, 0, 0 };

	for (;;) {
		size_t i;

		pthread_mutex_lock(&b->lock);
		i = b->next++;
		pthread_mutex_unlock(&b->lock);
		if (i >= b->n)
			break;
		text.len = diag.len = 0;
		batch_run_one(b, i, &text, &diag);
		pthread_mutex_lock(&b->lock);
		batch_finish(b, i, &text, &diag);
		pthread_mutex_unlock(&b->lock);
	}
	free(text.buf);
	free(diag.buf);
	return NULL;
}

static void batch_cadence(char *buf, size_t len, const struct analyze_result *r)
{
	if (isnan(r->cadence[0]) && isnan(r->cadence[1]))
		snprintf(buf, len, "-");
	else if (isnan(r->cadence[1]) || isnan(r->cadence[0]))
		snprintf(buf, len, "%.1f", isnan(r->cadence[0]) ? r->cadence[1] : r->cadence[0]);
	else
		snprintf(buf, len, "%.1f/%.1f", r->cadence[0], r->cadence[1]);
}

/* Below the table, for each file that marks gait events of its own: "NAME:
 * gait events within 30 ms of the file's own: left initial contacts 7 of 7
 * (median 2.9 ms, largest 10.9 ms), toe-offs 7 of 7 (...); right ..." */
static void batch_events(const char *name, const struct analyze_result *r)
{
	const char *sep = ": ";

	fprintf(stderr, "%s: gait events within %s of the file's own", name, ins_import_event_tolerance());
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const char *said_foot = "";

		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
			const struct ins_import_event_agreement *e = &r->events[foot][kind];

			if (!e->events && !e->edge)
				continue;
			fprintf(stderr, "%s%s%s%s %lu of %lu", sep, *said_foot ? "" : ins_foot_name(foot),
				*said_foot ? "" : " ", ins_import_event_plural(kind), e->matched, e->events);
			if (e->matched)
				fprintf(stderr, " (median %.1f ms, largest %.1f ms)", e->median_ms, e->max_ms);
			if (e->edge)
				fprintf(stderr, ", %lu at the ends left out", e->edge);
			said_foot = ins_foot_name(foot);
			sep = ", ";
		}
		if (*said_foot)
			sep = "; ";
	}
	fprintf(stderr, "%s\n", *sep == ':' ? ": the file marks none" : "");
}

static void batch_table(const struct batch *b, double seconds)
{
	long long bytes = 0;
	size_t unlike = 0;

	fprintf(stderr, "%-40s %-9s %-5s %10s %6s %6s %11s %8s  %s\n", "file", "format", "feet", "frames", "steps L",
		"steps R", "cadence", "MB", "status");
	for (size_t i = 0; i < b->n; i++) {
		const struct analyze_result *r = &b->res[i];
		const char *name = r->path ? r->path : b->paths[i];
		size_t n = strlen(name);
		char cad[32];

		batch_cadence(cad, sizeof cad, r);
		bytes += r->bytes;
		unlike += r->status == ANALYZE_OK && r->unlike_own;
		fprintf(stderr, "%-40s %-9s %-5s %10lu %7lu %7lu %11s %8.2f  %s\n", n > 40 ? name + n - 40 : name,
			r->format[0] ? r->format : "-",
			r->feet == 3 ? "L R" : r->feet == 1 ? "L" : r->feet == 2 ? "R" : "-", r->frames, r->steps[0],
			r->steps[1], cad, r->bytes / 1e6,
			r->status == ANALYZE_OK && r->unlike_own ? "ok, but UNLIKE THE FILE'S OWN VALUES (see its summary)"
			: r->status == ANALYZE_OK		 ? "ok"
			: r->status == ANALYZE_SKIPPED	 ? "skipped: not a recording"
							 : "FAILED (see above)");
	}
	fprintf(stderr, "%zu file%s: %zu ok, %zu failed, %zu skipped; %.1f MB in %.2f s (%.0f MB/s)\n", b->n,
		b->n == 1 ? "" : "s", b->n - b->failed - b->skipped, b->failed, b->skipped, bytes / 1e6, seconds,
		seconds > 0 ? bytes / 1e6 / seconds : 0.0);
	if (unlike)
		fprintf(stderr, "%zu file%s analysed unlike the values %s states itself: check the layout (--layout) and "
			"the file's units (file_agreement in the summary, docs/import.md)\n", unlike, unlike == 1 ? "" : "s",
			unlike == 1 ? "it" : "each");
	for (size_t i = 0; i < b->n; i++)
		if (b->res[i].status == ANALYZE_OK && b->res[i].has_events)
			batch_events(b->res[i].path ? b->res[i].path : b->paths[i], &b->res[i]);
}

int analyze_threads(const struct analyze_opts *o)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = o->jobs > 0 ? o->jobs : (cores > 0 ? (int)cores : 1);

	return jobs > ANALYZE_JOBS_MAX ? ANALYZE_JOBS_MAX : jobs;
}

static int batch_collect(struct batch *b)
{
	for (int i = 0; i < b->o->n_files; i++) {
		int rc = analyze_is_dir(b->o->files[i]) ? batch_add_dir(b, b->o->files[i])
							: batch_add(b, b->o->files[i], 0);
		if (rc < 0)
			return -1;
	}
	if (b->n == 0) {
		fprintf(stderr, "insoled --analyze: no files to analyse\n");
		return -1;
	}
	b->res = calloc(b->n, sizeof *b->res);
	return b->res ? 0 : -1;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->paths[i]);
	free(b->paths);
	free(b->from_dir);
	free(b->res);
	pthread_mutex_destroy(&b->lock);
}

/* --out DIR: a folder, made when missing (its parent is not: a mistyped
 * path should not grow a tree of folders); 0 or -1, said on stderr. */
static int batch_out_dir(const char *dir)
{
	struct stat st;

	if (analyze_is_dir(dir))
		return 0;
	if (stat(dir, &st) == 0) {
		fprintf(stderr, "insoled --analyze: --out %s: not a directory\n", dir);
		return -1;
	}
	if (mkdir(dir, 0777) < 0) {
		fprintf(stderr, "insoled --analyze: --out %s: cannot create the directory: %s\n", dir,
			errno == ENOENT ? "the folder it would be in does not exist" : strerror(errno));
		return -1;
	}
	fprintf(stderr, "insoled --analyze: --out %s: directory created\n", dir);
	return 0;
}

int analyze_batch(const struct analyze_opts *o)
{
	struct analyze_opts run = *o;
	struct batch b = { .o = &run };
	pthread_t threads[ANALYZE_JOBS_MAX];
	int jobs, started = 0, status = ANALYZE_EXIT_OK;

	pthread_mutex_init(&b.lock, NULL);
	if (o->out_dir && batch_out_dir(o->out_dir) < 0) {
		batch_free(&b);
		return ANALYZE_EXIT_USAGE;
	}
	if (batch_collect(&b) < 0) {
		batch_free(&b);
		return ANALYZE_EXIT_INPUT;
	}
	b.tty = isatty(STDERR_FILENO);
	b.t0 = batch_now();
	/* more threads than files: each file reads beside its analysis */
	jobs = analyze_threads(o);
	run.pipelined = (size_t)jobs > b.n;
	jobs = (size_t)jobs > b.n ? (int)b.n : jobs;
	for (int i = 0; i < jobs; i++)
		started += pthread_create(&threads[started], NULL, batch_worker, &b) == 0;
	if (started == 0)
		batch_worker(&b);    /* no thread could start: do the work here */
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (b.tty)
		fputs("\r\033[K", stderr);
	batch_table(&b, batch_now() - b.t0);
	if (b.failed)
		status = ANALYZE_EXIT_INPUT;
	batch_free(&b);
	return status;
}
