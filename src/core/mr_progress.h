/* mr_progress.h: progress reporter for long work. On a TTY it draws a bar with percent, rate and
 * ETA on stderr at most 10 times a second; otherwise, or when quiet, it prints nothing. */
#ifndef MERIDIAN_MR_PROGRESS_H
#define MERIDIAN_MR_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct mr_progress {
	FILE *out;          /* NULL = silent */
	const char *label;
	uint64_t total, done;
	double start_s, last_draw_s;
	int drawn;
} mr_progress;

/* quiet != 0 or a non-TTY `out` makes the reporter silent. */
void mr_progress_start(mr_progress *p, FILE *out, int quiet, const char *label, uint64_t total);
void mr_progress_update(mr_progress *p, uint64_t done);
void mr_progress_finish(mr_progress *p);
/* Formats the bar line for the given state into buf (used by the TTY drawer and by tests). */
void mr_progress_format(char *buf, size_t size, const char *label, uint64_t done, uint64_t total,
                        double elapsed_s);
double mr_now_s(void);

#endif
