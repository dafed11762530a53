/* Private to `insoled --analyze`: one file's run (analyze.c) and many
 * files spread over threads (analyze_batch.c). */
#ifndef INSOLED_ANALYZE_PRIV_H
#define INSOLED_ANALYZE_PRIV_H

#include <stdio.h>

#include "insoled/frame.h"
#include "insoled/import.h"

#define ANALYZE_EXIT_OK 0
#define ANALYZE_EXIT_INPUT 1   /* bad file, layout or analysis setup (any of several files) */
#define ANALYZE_EXIT_USAGE 2
#define ANALYZE_JOBS_MAX 256   /* threads; more than any machine this runs on has cores */

struct analyze_opts {
	const char **files;     /* as given: files and directories */
	int n_files;
	const char *format;
	const char *layout;
	const char *layout_dir;
	const char *data_dir;
	const char *out_dir;    /* one output file per input, or NULL: stdout */
	int csv;
	int jobs;               /* 0: one per online core */
	int pipelined;          /* read and analyse each file on two threads (a core to spare) */
	double body_weight_kg;
};

enum analyze_status { ANALYZE_OK = 0, ANALYZE_FAILED, ANALYZE_SKIPPED };

/* What the summary table shows of one file. */
struct analyze_result {
	const char *path;
	char format[16];
	unsigned feet;
	unsigned long frames;
	unsigned long steps[INS_FOOT_COUNT];
	double cadence[INS_FOOT_COUNT];   /* mean steps/min, NaN without steps */
	long long bytes;
	double seconds;
	enum analyze_status status;
	int unlike_own;                   /* a foot's values disagree with those the file states itself */
	int has_events;                   /* the file marks gait events of its own: */
	struct ins_import_event_agreement events[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS]; /* ours against them */
	char err[1024];
};

/* One file: steps and summary to out (each JSON line naming the file when
 * label, its JSON string, is given); its warnings, and the per-foot report
 * when no label is given, to diag.  0, or -1 with res->err. */
int analyze_file(const struct analyze_opts *o, const char *path, FILE *out, FILE *diag, const char *label,
		 struct analyze_result *res);

/* Several files and directories; returns the process exit code. */
int analyze_batch(const struct analyze_opts *o);

int analyze_is_dir(const char *path);

/* Threads to use: --jobs, else one per online core. */
int analyze_threads(const struct analyze_opts *o);

#endif
