/* insoled --analyze FILE: run a recording through the same analysis as live
 * data and print its steps (JSON lines or CSV) and the session summary.
 * Diagnostics go to stderr; stdout holds only results, so it can be piped. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis_json.h"
#include "insoled/datadir.h"
#include "insoled/import.h"

#define ANALYZE_EXIT_OK 0
#define ANALYZE_EXIT_INPUT 1   /* bad file, layout or analysis setup */
#define ANALYZE_EXIT_USAGE 2
#define STANDARD_GRAVITY 9.80665 /* m/s2: kg -> N */
#define BODY_WEIGHT_MAX_KG 500.0 /* anything heavier is a typing error */
#define MOTICON16_INSOLE_SIZE 7  /* the insole size moticon16's areas were estimated for */

struct analyze_opts {
	const char *file;
	const char *format;
	const char *layout;
	const char *layout_dir;
	const char *data_dir;
	int csv;
	double body_weight_kg;
};

struct analyze_run {
	struct analyze_opts opts;
	struct ins_import *imp;
	const struct ins_import_info *info;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_analysis *ana;
	struct ins_summary_acc *acc;
	struct ins_import_tally tally;
	char err[1024];
};

static void analyze_usage(FILE *out)
{
	fputs("usage: insoled --analyze FILE [--format gaitndd|gaitpdb|moticon|insoled|pedar|fscan|xsensor|stappone]\n"
	      "                [--layout NAME|FILE]\n"
	      "                [--layout-dir DIR | --data-dir DIR] [--csv] [--body-weight-kg W]\n"
	      "Prints one JSON line per step (CSV with --csv), then the session summary.\n", out);
}

static int analyze_parse_weight(const char *text, double *kg)
{
	char *end;

	errno = 0;
	*kg = strtod(text, &end);
	if (end == text || *end != '\0' || errno || !(*kg > 0) || *kg > BODY_WEIGHT_MAX_KG) {
		fprintf(stderr, "insoled --analyze: --body-weight-kg: '%s' is not a weight in kg (0 < W <= %.0f)\n",
			text, BODY_WEIGHT_MAX_KG);
		return -1;
	}
	return 0;
}

/* argv as given to main(): the file is the value of --analyze or the one
 * positional argument. */
static int analyze_parse_args(int argc, char **argv, struct analyze_opts *o)
{
	static const struct option longopts[] = {
		{ "analyze", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "layout", required_argument, NULL, 'l' },
		{ "layout-dir", required_argument, NULL, 'd' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "csv", no_argument, NULL, 'c' },
		{ "body-weight-kg", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof *o);
	/* "--analyze --help" would hand --help to --analyze as its FILE */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			analyze_usage(stdout);
			return 1;
		}
	}
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->file = optarg; break;
		case 'f': o->format = optarg; break;
		case 'l': o->layout = optarg; break;
		case 'd': o->layout_dir = optarg; break;
		case 'D': o->data_dir = optarg; break;
		case 'c': o->csv = 1; break;
		case 'w':
			if (analyze_parse_weight(optarg, &o->body_weight_kg) < 0)
				return -1;
			break;
		default:
			analyze_usage(stderr);
			return -1;
		}
	}
	if (optind < argc && !o->file)
		o->file = argv[optind++];
	if (!o->file || optind < argc) {
		fprintf(stderr, "insoled --analyze: %s\n", o->file ? "more than one FILE given" : "no FILE given");
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
				 "%.400s: no layout is known for the %s foot's %u sensors: give --layout NAME",
				 r->info->path, ins_foot_name(foot), r->info->n_sensors[foot]);
			return -1;
		}
		lay = analyze_load_layout(dir, name, r->err, sizeof r->err);
		if (!lay)
			return -1;
		r->layout[foot] = lay;
	}
	return ins_import_check_layouts(r->imp, r->layout, r->err, sizeof r->err);
}

/* moticon16's areas fit size-7 insoles; other sizes scale force, not CoP. */
static void analyze_warn_insole_size(const struct analyze_run *r)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (r->layout[foot] && strcmp(r->layout[foot]->name, "moticon16") == 0 && r->info->insole_size &&
		    r->info->insole_size != MOTICON16_INSOLE_SIZE) {
			fprintf(stderr,
				"insoled --analyze: %s: warning: insole size %d, but moticon16's sensor areas are "
				"for size %d: forces and pressures scale with the area, CoP and timing do not\n",
				r->info->path, r->info->insole_size, MOTICON16_INSOLE_SIZE);
			return;
		}
	}
}

static int analyze_setup(struct analyze_run *r)
{
	struct ins_analysis_config cfg;

	r->imp = ins_import_open(r->opts.file, r->opts.format, r->err, sizeof r->err);
	if (!r->imp)
		return -1;
	r->info = ins_import_info(r->imp);
	if (analyze_load_layouts(r) < 0)
		return -1;
	analyze_warn_insole_size(r);
	memset(&cfg, 0, sizeof cfg);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		cfg.layout[foot] = r->layout[foot];
		cfg.calib[foot] = r->layout[foot] ? r->info->calib[foot] : NULL;
	}
	cfg.body_weight_n = r->opts.body_weight_kg > 0 ? r->opts.body_weight_kg * STANDARD_GRAVITY
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

static int analyze_print_json(json_t *j)
{
	char *text;
	int rc;

	if (!j)
		return -1;
	text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(j);
	if (!text)
		return -1;
	rc = puts(text) < 0 ? -1 : 0;
	free(text);
	return rc;
}

static int analyze_print_step(const struct analyze_run *r, const struct ins_step *step)
{
	char line[INS_STEP_CSV_MAX];

	if (!r->opts.csv)
		return analyze_print_json(ins_step_json(step));
	if (ins_step_csv_row(step, line, sizeof line) < 0)
		return -1;
	return puts(line) < 0 ? -1 : 0;
}

static int analyze_take_step(void *arg, const struct ins_step *step, char *err, size_t errlen)
{
	struct analyze_run *r = arg;

	ins_summary_acc_add(r->acc, step);
	if (analyze_print_step(r, step) < 0) {
		snprintf(err, errlen, "cannot write the results: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* 0 at the end of the file, -1 on bad input or a write error (r->err). */
static int analyze_frames(struct analyze_run *r)
{
	const struct ins_import_sink sink = { .step = analyze_take_step, .arg = r };

	return ins_import_run(r->imp, r->ana, r->layout, &sink, &r->tally, r->err, sizeof r->err);
}

static int analyze_print_summary(const struct analyze_run *r)
{
	struct ins_summary sum;

	ins_summary_acc_finish(r->acc, &sum);
	if (r->opts.csv && puts("\n# summary") < 0)
		return -1;
	return analyze_print_json(ins_summary_json(&sum));
}

static void analyze_report(const struct analyze_run *r)
{
	if (r->info->feet == 1u << INS_FOOT_LEFT || r->info->feet == 1u << INS_FOOT_RIGHT)
		fprintf(stderr, "insoled --analyze: %s: the file holds the %s foot only\n", r->info->path,
			ins_foot_name(r->info->feet == 1u << INS_FOOT_LEFT ? INS_FOOT_LEFT : INS_FOOT_RIGHT));
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(r->info->feet & (1u << foot)))
			continue;
		fprintf(stderr, "insoled --analyze: %s: %s, %s foot: layout %s, %lu frames, %lu missing samples%s",
			r->info->path, r->info->format, ins_foot_name(foot), r->layout[foot]->name, r->tally.frames[foot],
			r->tally.gaps[foot], r->tally.misfit[foot] ? "" : "\n");
		if (r->tally.misfit[foot])
			fprintf(stderr, ", %lu frames refused by the analysis\n", r->tally.misfit[foot]);
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

int ins_analyze_main(int argc, char **argv)
{
	struct analyze_run r;
	char step_header[INS_STEP_CSV_MAX];
	int status = ANALYZE_EXIT_INPUT;
	int rc;

	memset(&r, 0, sizeof r);
	rc = analyze_parse_args(argc, argv, &r.opts);
	if (rc != 0)
		return rc > 0 ? ANALYZE_EXIT_OK : ANALYZE_EXIT_USAGE;
	if (analyze_setup(&r) < 0)
		goto out;
	if (r.opts.csv && (ins_step_csv_header(step_header, sizeof step_header) < 0 || puts(step_header) < 0))
		goto out;
	/* Print the summary of what was read even when the file turns bad
	 * later: the steps before the bad line are real results. */
	rc = analyze_frames(&r);
	if (analyze_print_summary(&r) < 0 && rc == 0) {
		snprintf(r.err, sizeof r.err, "cannot write the summary: %s", strerror(errno));
		rc = -1;
	}
	analyze_report(&r);
	if (fflush(stdout) != 0 && rc == 0) {
		snprintf(r.err, sizeof r.err, "cannot write the results: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		status = ANALYZE_EXIT_OK;
out:
	if (status != ANALYZE_EXIT_OK)
		fprintf(stderr, "insoled --analyze: %s\n", r.err[0] ? r.err : "failed");
	analyze_cleanup(&r);
	return status;
}
