/* insoled --analyze FILE: run a recording through the same analysis as live
 * data and print its steps (JSON lines or CSV) and the session summary.
 * Diagnostics go to stderr; stdout holds only results, so it can be piped. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/analysis_json.h"
#include "insoled/datadir.h"
#include "insoled/import.h"
#include "analyze_priv.h"
#include "import_priv.h"

/* stdout's buffer when it is a file or a pipe: a one-hour file's 16 MB of
 * steps in 1 MB writes rather than 4 KB ones (4,000 system calls); a
 * terminal keeps its line buffering. */
#define ANALYZE_OUT_BUFFER (1 << 20)

struct analyze_run {
	struct analyze_opts opts;
	const char *file;
	FILE *out;
	FILE *diag;               /* the file's diagnostics: stderr, or held until the file is done */
	const char *label;        /* the file as a JSON string, naming it on every line; NULL: alone */
	struct ins_import *imp;
	const struct ins_import_info *info;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_analysis *ana;
	struct ins_summary_acc *acc;
	struct ins_step_delay delay; /* steps waiting for their termination flag */
	struct ins_import_tally tally;
	char err[1024];
};

static void analyze_usage(FILE *out)
{
	fputs("usage: insoled --analyze FILE|DIR... [--format gaitndd|gaitpdb|moticon|insoled|pedar|fscan|xsensor|\n"
	      "                stappone] [--layout NAME|FILE] [--layout-dir DIR | --data-dir DIR] [--csv]\n"
	      "                [--body-weight-kg W] [--out DIR] [--jobs N]\n"
	      "Prints one JSON line per step (CSV with --csv), then the session summary.  Several files\n"
	      "(a DIR: the recordings in it) are analysed in parallel (--jobs, default: every core); each\n"
	      "line then names its file, or --out DIR writes one DIR/NAME.jsonl (.csv) per file (DIR made\n"
	      "when missing); a table of all files ends the run on stderr.  One file is read on one thread\n"
	      "and analysed on another unless --jobs 1.\n", out);
}

static int analyze_parse_weight(const char *text, double *kg)
{
	char *end, err[160];

	errno = 0;
	*kg = strtod(text, &end);
	if (end == text || *end != '\0' || errno) {
		fprintf(stderr, "insoled --analyze: --body-weight-kg: '%s' is not a number of kilograms\n", text);
		return -1;
	}
	if (ins_body_weight_check_kg("--body-weight-kg", *kg, err, sizeof(err)) < 0) {
		fprintf(stderr, "insoled --analyze: %s\n", err);
		return -1;
	}
	return 0;
}

static int analyze_parse_jobs(const char *text, int *jobs)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno || n < 1 || n > ANALYZE_JOBS_MAX) {
		fprintf(stderr, "insoled --analyze: --jobs: '%s' is not a number of threads (1..%d)\n", text,
			ANALYZE_JOBS_MAX);
		return -1;
	}
	*jobs = (int)n;
	return 0;
}

static int analyze_option(struct analyze_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'a':
		if (arg) /* --analyze=FILE */
			o->files[o->n_files++] = arg;
		return 0;
	case 'f': o->format = arg; return 0;
	case 'l': o->layout = arg; return 0;
	case 'd': o->layout_dir = arg; return 0;
	case 'D': o->data_dir = arg; return 0;
	case 'o': o->out_dir = arg; return 0;
	case 'c': o->csv = 1; return 0;
	case 'j': return analyze_parse_jobs(arg, &o->jobs);
	case 'w': return analyze_parse_weight(arg, &o->body_weight_kg);
	default:
		analyze_usage(stderr);
		return -1;
	}
}

/* argv as given to main(): the files are every positional argument (and
 * the value of --analyze=FILE).  o->files must hold argc entries. */
static int analyze_parse_args(int argc, char **argv, struct analyze_opts *o)
{
	static const struct option longopts[] = {
		/* a mode, not an option taking the first file: `--analyze --out DIR
		 * FILE` must not take "--out" for a file */
		{ "analyze", optional_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "layout", required_argument, NULL, 'l' },
		{ "layout-dir", required_argument, NULL, 'd' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "out", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "body-weight-kg", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* "--analyze --help" would hand --help to --analyze as its FILE */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			analyze_usage(stdout);
			return 1;
		}
	}
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (analyze_option(o, c, optarg) < 0)
			return -1;
	while (optind < argc)
		o->files[o->n_files++] = argv[optind++];
	if (o->n_files == 0) {
		fprintf(stderr, "insoled --analyze: no FILE given\n");
		analyze_usage(stderr);
		return -1;
	}
	return 0;
}

/* --layout-dir, else layouts/ of the data directory (--data-dir, the
 * installed one, or the source tree's for an uninstalled build). */
static const char *analyze_layout_dir(struct analyze_run *r, char *buf, size_t len)
{
	if (r->opts.layout_dir)
		return r->opts.layout_dir;
	if (ins_data_path(ins_data_dir_find(r->opts.data_dir), "layouts", buf, len, r->err, sizeof r->err) < 0)
		return NULL;
	return buf;
}

/* --layout takes a name from the layout directory or a layout file's path. */
static struct ins_layout *analyze_load_layout(const char *dir, const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (strchr(name, '/') || (n > 7 && strcmp(name + n - 7, ".layout") == 0))
		return ins_layout_load(name, err, errlen);
	return ins_layout_load_named(dir, name, err, errlen);
}

static int analyze_load_layouts(struct analyze_run *r)
{
	char dirbuf[4096];
	const char *dir = analyze_layout_dir(r, dirbuf, sizeof dirbuf);

	if (!dir)
		return -1;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const char *name = r->opts.layout ? r->opts.layout : r->info->layout[foot];
		struct ins_layout *lay;

		if (!(r->info->feet & (1u << foot)))
			continue;
		if (name[0] == '\0') {
			snprintf(r->err, sizeof r->err,
				 "%.400s: no layout is known for the %s foot's %u sensors%s%s%s: give --layout NAME",
				 r->info->path, ins_foot_name(foot), r->info->n_sensors[foot],
				 *r->info->layout_note ? " (" : "", r->info->layout_note, *r->info->layout_note ? ")" : "");
			return -1;
		}
		lay = analyze_load_layout(dir, name, r->err, sizeof r->err);
		if (!lay)
			return -1;
		r->layout[foot] = lay;
	}
	return ins_import_check_layouts(r->imp, r->layout, r->err, sizeof r->err);
}

/* What the figures of this file need said beside them (ins_import_caution). */
static void analyze_warn_caution(const struct analyze_run *r)
{
	char caution[INS_IMPORT_CAUTION_MAX];

	ins_import_caution(r->imp, r->layout, caution, sizeof caution);
	if (*caution)
		fprintf(r->diag, "insoled --analyze: %s: warning: %s\n", r->info->path, caution);
}

static int analyze_setup(struct analyze_run *r)
{
	struct ins_analysis_config cfg;

	r->imp = ins_import_open(r->file, r->opts.format, r->err, sizeof r->err);
	if (!r->imp)
		return -1;
	r->info = ins_import_info(r->imp);
	if (analyze_load_layouts(r) < 0)
		return -1;
	analyze_warn_caution(r);
	memset(&cfg, 0, sizeof cfg);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		cfg.layout[foot] = r->layout[foot];
		cfg.calib[foot] = r->layout[foot] ? r->info->calib[foot] : NULL;
	}
	cfg.body_weight_n = r->opts.body_weight_kg > 0 ? r->opts.body_weight_kg * INS_GRAVITY
						       : r->info->body_weight_n;
	r->ana = ins_analysis_new(&cfg, r->err, sizeof r->err);
	if (!r->ana)
		return -1;
	r->acc = ins_summary_acc_new();
	if (!r->acc) {
		snprintf(r->err, sizeof r->err, "out of memory for the session summary");
		return -1;
	}
	return 0;
}

static int analyze_print_json(const struct analyze_run *r, json_t *j)
{
	char *text;
	int rc;

	if (!j)
		return -1;
	text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(j);
	if (!text)
		return -1;
	if (r->label)
		rc = fprintf(r->out, "{\"file\":%s,\"summary\":%s}\n", r->label, text) < 0 ? -1 : 0;
	else
		rc = fprintf(r->out, "%s\n", text) < 0 ? -1 : 0;
	free(text);
	return rc;
}

/* A JSON line names its file when several are analysed: {"file":...,<the step>}. */
static int analyze_print_step(const struct analyze_run *r, const struct ins_step *step)
{
	char line[INS_STEP_JSON_MAX];
	int n = r->opts.csv ? ins_step_csv_row(step, line, sizeof line) : ins_step_json_text(step, line, sizeof line);

	if (n < 0)
		return -1;
	line[n] = '\n';
	if (r->label && !r->opts.csv && fprintf(r->out, "{\"file\":%s,", r->label) < 0)
		return -1;
	if (r->label && !r->opts.csv)
		return fwrite(line + 1, 1, (size_t)n, r->out) == (size_t)n ? 0 : -1;
	return fwrite(line, 1, (size_t)n + 1, r->out) == (size_t)n + 1 ? 0 : -1;
}

/* Steps are printed through the termination delay (ins_step_delay): a
 * foot's step once the foot's next one is known, the last ones at the end
 * of the file (analyze_flush_steps). */
static int analyze_take_step(void *arg, const struct ins_step *step, char *err, size_t errlen)
{
	struct analyze_run *r = arg;
	struct ins_step out;

	ins_summary_acc_add(r->acc, step);
	if (ins_step_delay_push(&r->delay, step, &out) && analyze_print_step(r, &out) < 0) {
		snprintf(err, errlen, "cannot write the results: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int analyze_flush_steps(struct analyze_run *r)
{
	struct ins_step out;

	while (ins_step_delay_flush(&r->delay, &out))
		if (analyze_print_step(r, &out) < 0)
			return -1;
	return 0;
}

/* 0 at the end of the file, -1 on bad input or a write error (r->err). */
static int analyze_frames(struct analyze_run *r)
{
	const struct ins_import_sink sink = { .step = analyze_take_step, .arg = r };

	if (r->opts.pipelined)
		return ins_import_run_pipelined(r->imp, r->ana, r->layout, &sink, &r->tally, r->err, sizeof r->err);
	return ins_import_run(r->imp, r->ana, r->layout, &sink, &r->tally, r->err, sizeof r->err);
}

static int analyze_print_summary(const struct analyze_run *r, struct ins_summary *sum)
{
	json_t *j, *agreement;

	ins_summary_acc_finish(r->acc, sum);
	if (r->opts.csv && fputs("\n# summary\n", r->out) < 0)
		return -1;
	j = ins_summary_json(sum);
	if (j && (agreement = ins_import_agreement_json(r->tally.agree, r->tally.events.result)))
		json_object_set_new(j, "file_agreement", agreement);
	return analyze_print_json(r, j);
}

static int analyze_disagrees(const struct ins_import_agreement agree[INS_REF_COUNT])
{
	for (unsigned q = 0; q < INS_REF_COUNT; q++)
		if (!ins_import_agrees(&agree[q]))
			return 1;
	return 0;
}

/* "left foot against the file's own values: load within 1 % or 1 N on 99 of
 * 101 frames (98.0 %), mean difference 0.31 N, largest 1.20 N at 0.520 s" */
static void analyze_report_agreement(const struct analyze_run *r, unsigned foot)
{
	const char *sep = "";

	for (unsigned q = 0; q < INS_REF_COUNT; q++) {
		const struct ins_import_agreement *a = &r->tally.agree[foot][q];
		unsigned long measured = a->frames - a->missing;

		if (!a->frames)
			continue;
		if (!*sep)
			fprintf(r->diag, "insoled --analyze: %s: %s foot against the file's own values: ", r->info->path,
				ins_foot_name(foot));
		fprintf(r->diag, "%s%s within %s on %lu of %lu frames (%.1f %%)", sep, ins_import_ref_name(q),
			ins_import_ref_tolerance(q), a->within, a->frames, 100.0 * a->within / a->frames);
		if (measured && a->max_diff == 0)
			fputs(", equal on every one", r->diag);
		else if (measured)
			fprintf(r->diag, ", mean difference %.2f %s, largest %.2f %s at %.3f s", a->sum_diff / measured,
				ins_import_ref_unit(q), a->max_diff, ins_import_ref_unit(q), a->max_t_us / 1e6);
		if (a->missing)
			fprintf(r->diag, ", none from the analysis on %lu", a->missing);
		sep = "; ";
	}
	if (*sep)
		fputc('\n', r->diag);
	if (analyze_disagrees(r->tally.agree[foot]))
		fprintf(r->diag,
			"insoled --analyze: %s: %s foot: warning: the analysis's values are beyond the tolerance of the "
			"file's own on more than %d %% of frames: check that layout %s is this insole's (its size, its "
			"sensor order) and the file's units\n",
			r->info->path, ins_foot_name(foot), 100 - INS_IMPORT_AGREE_MIN_PCT, r->layout[foot]->name);
}

static int analyze_events_disagree(const struct ins_import_event_agreement events[INS_IMPORT_EVENT_KINDS])
{
	for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++)
		if (!ins_import_events_agree(&events[kind]))
			return 1;
	return 0;
}

/* "left foot's gait events against the file's own: initial contacts within
 * 30 ms on 7 of 7 (100.0 %), median difference 2.9 ms, largest 10.9 ms at
 * 3.000 s; ..." */
static void analyze_report_events(const struct analyze_run *r, unsigned foot)
{
	const char *sep = "";

	for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
		const struct ins_import_event_agreement *e = &r->tally.events.result[foot][kind];

		if (!e->events && !e->edge)
			continue;
		if (!*sep)
			fprintf(r->diag, "insoled --analyze: %s: %s foot's gait events against the file's own: ",
				r->info->path, ins_foot_name(foot));
		fprintf(r->diag, "%s%s within %s on %lu of %lu", sep, ins_import_event_plural(kind),
			ins_import_event_tolerance(), e->matched, e->events);
		if (e->events)
			fprintf(r->diag, " (%.1f %%)", 100.0 * e->matched / e->events);
		if (e->matched)
			fprintf(r->diag, ", median difference %.1f ms, largest %.1f ms at %.3f s", e->median_ms, e->max_ms,
				e->max_t_us / 1e6);
		if (e->edge)
			fprintf(r->diag, ", %lu at the recording's ends left out (no step can show %s)", e->edge,
				e->edge == 1 ? "it" : "them");
		sep = "; ";
	}
	if (*sep)
		fputc('\n', r->diag);
	if (analyze_events_disagree(r->tally.events.result[foot]))
		fprintf(r->diag,
			"insoled --analyze: %s: %s foot: warning: the analysis's gait events are more than %s from the "
			"file's own on more than %d %% of them: check that the file's feet are the insoles it names and "
			"that its event columns keep time with its samples\n",
			r->info->path, ins_foot_name(foot), ins_import_event_tolerance(), 100 - INS_IMPORT_AGREE_MIN_PCT);
}

static void analyze_report(const struct analyze_run *r)
{
	if (r->info->feet == 1u << INS_FOOT_LEFT || r->info->feet == 1u << INS_FOOT_RIGHT)
		fprintf(r->diag, "insoled --analyze: %s: the file holds the %s foot only%s%s%s\n", r->info->path,
			ins_foot_name(r->info->feet == 1u << INS_FOOT_LEFT ? INS_FOOT_LEFT : INS_FOOT_RIGHT),
			r->info->feet_from[0] ? " (" : "", r->info->feet_from, r->info->feet_from[0] ? ")" : "");
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(r->info->feet & (1u << foot)))
			continue;
		fprintf(r->diag, "insoled --analyze: %s: %s, %s foot: layout %s, %lu frame%s, %lu missing sample%s",
			r->info->path, r->info->format, ins_foot_name(foot), r->layout[foot]->name, r->tally.frames[foot],
			r->tally.frames[foot] == 1 ? "" : "s", r->tally.gaps[foot], r->tally.gaps[foot] == 1 ? "" : "s");
		if (r->info->reordered[foot])
			fprintf(r->diag, ", %lu sample%s out of time order in the file, put back in order",
				r->info->reordered[foot], r->info->reordered[foot] == 1 ? "" : "s");
		if (r->info->repeated[foot])
			fprintf(r->diag, ", %lu sample%s written twice, read once", r->info->repeated[foot],
				r->info->repeated[foot] == 1 ? "" : "s");
		if (r->tally.misfit[foot])
			fprintf(r->diag, ", %lu frame%s refused by the analysis", r->tally.misfit[foot],
				r->tally.misfit[foot] == 1 ? "" : "s");
		fputc('\n', r->diag);
		analyze_report_agreement(r, foot);
		analyze_report_events(r, foot);
	}
}

static void analyze_cleanup(struct analyze_run *r)
{
	if (r->acc)
		ins_summary_acc_free(r->acc);
	if (r->ana)
		ins_analysis_free(r->ana);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(r->layout[foot]);
	ins_import_close(r->imp);
}

static void analyze_fill_result(const struct analyze_run *r, const struct ins_summary *sum,
				struct analyze_result *res)
{
	if (!r->info)
		return;
	import_copy_text(res->format, sizeof res->format, r->info->format);
	res->feet = r->info->feet;
	res->has_events = r->info->has_ref_events;
	memcpy(res->events, r->tally.events.result, sizeof res->events);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		res->unlike_own |= analyze_disagrees(r->tally.agree[foot]) ||
				   analyze_events_disagree(r->tally.events.result[foot]);
		res->frames += r->tally.frames[foot];
		res->steps[foot] = sum->steps[foot];
		res->cadence[foot] = sum->foot[foot][INS_M_CADENCE_SPM].mean;
	}
}

int analyze_file(const struct analyze_opts *o, const char *path, FILE *out, FILE *diag, const char *label,
		 struct analyze_result *res)
{
	struct analyze_run r;
	struct ins_summary sum;
	char step_header[INS_STEP_CSV_MAX];
	int rc = -1;

	memset(&r, 0, sizeof r);
	memset(&sum, 0, sizeof sum);
	r.opts = *o;
	r.file = path;
	r.out = out;
	r.diag = diag;
	r.label = label;
	if (analyze_setup(&r) < 0)
		goto out;
	if (r.opts.csv && (ins_step_csv_header(step_header, sizeof step_header) < 0 ||
			   fprintf(out, "%s\n", step_header) < 0))
		goto out;
	/* Print the summary of what was read even when the file turns bad
	 * later: the steps before the bad line are real results. */
	rc = analyze_frames(&r);
	if (analyze_flush_steps(&r) < 0 && rc == 0) {
		snprintf(r.err, sizeof r.err, "cannot write the results: %s", strerror(errno));
		rc = -1;
	}
	if (analyze_print_summary(&r, &sum) < 0 && rc == 0) {
		snprintf(r.err, sizeof r.err, "cannot write the summary: %s", strerror(errno));
		rc = -1;
	}
	if (!label)
		analyze_report(&r);
	if (fflush(out) != 0 && rc == 0) {
		snprintf(r.err, sizeof r.err, "cannot write the results: %s", strerror(errno));
		rc = -1;
	}
out:
	analyze_fill_result(&r, &sum, res);
	if (rc != 0)
		import_copy_text(res->err, sizeof res->err, r.err[0] ? r.err : "failed");
	analyze_cleanup(&r);
	return rc == 0 ? 0 : -1;
}

int ins_analyze_main(int argc, char **argv)
{
	struct analyze_opts o;
	struct analyze_result res;
	int rc;

	memset(&o, 0, sizeof o);
	o.files = calloc((size_t)argc, sizeof *o.files);
	if (!o.files) {
		fprintf(stderr, "insoled --analyze: out of memory\n");
		return ANALYZE_EXIT_INPUT;
	}
	rc = analyze_parse_args(argc, argv, &o);
	if (rc == 0 && !isatty(STDOUT_FILENO)) {
		/* glibc ignores the size unless given the buffer; stdout uses it until exit */
		static char out_buffer[ANALYZE_OUT_BUFFER];

		setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
	}
	if (rc != 0) {
		free(o.files);
		return rc > 0 ? ANALYZE_EXIT_OK : ANALYZE_EXIT_USAGE;
	}
	if (o.n_files > 1 || o.out_dir || analyze_is_dir(o.files[0])) {
		rc = analyze_batch(&o);
		free(o.files);
		return rc;
	}
	memset(&res, 0, sizeof res);
	o.pipelined = analyze_threads(&o) > 1;
	rc = analyze_file(&o, o.files[0], stdout, stderr, NULL, &res);
	if (rc < 0)
		fprintf(stderr, "insoled --analyze: %s\n", res.err);
	free(o.files);
	return rc < 0 ? ANALYZE_EXIT_INPUT : ANALYZE_EXIT_OK;
}
