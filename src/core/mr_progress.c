/* mr_progress.c: a progress bar on a TTY, silence elsewhere. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/mr_progress.h"

double mr_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void format_duration(char *buf, size_t size, double s)
{
	long t = (long)(s + 0.5);
	if (s < 0 || s > 359999)
		snprintf(buf, size, "--:--");
	else if (t >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
	else
		snprintf(buf, size, "%02ld:%02ld", t / 60, t % 60);
}

void mr_progress_format(char *buf, size_t size, const char *label, uint64_t done, uint64_t total,
                        double elapsed_s)
{
	enum { WIDTH = 30 };
	char bar[WIDTH + 1], eta[64];
	double frac = total ? (double)done / (double)total : 0.0;
	double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0.0;
	int fill, i;

	if (frac > 1.0)
		frac = 1.0;
	fill = (int)(frac * WIDTH);
	for (i = 0; i < WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[WIDTH] = '\0';
	format_duration(eta, sizeof(eta), rate > 0 ? (double)(total - (done < total ? done : total)) / rate : -1);
	snprintf(buf, size, "%s [%s] %5.1f%% %llu/%llu %.0f/s ETA %s", label ? label : "", bar,
	         frac * 100.0, (unsigned long long)done, (unsigned long long)total, rate, eta);
}

void mr_progress_start(mr_progress *p, FILE *out, int quiet, const char *label, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->out = (!quiet && out && isatty(fileno(out))) ? out : NULL;
	p->label = label;
	p->total = total;
	p->start_s = mr_now_s();
}

static void draw(mr_progress *p, double now)
{
	char line[160];
	mr_progress_format(line, sizeof(line), p->label, p->done, p->total, now - p->start_s);
	fprintf(p->out, "\r%s\033[K", line);
	fflush(p->out);
	p->drawn = 1;
	p->last_draw_s = now;
}

void mr_progress_update(mr_progress *p, uint64_t done)
{
	double now;
	p->done = done;
	if (!p->out)
		return;
	now = mr_now_s();
	if (now - p->last_draw_s >= 0.1)
		draw(p, now);
}

void mr_progress_finish(mr_progress *p)
{
	if (p->out) {
		p->done = p->total;
		draw(p, mr_now_s());
		fputc('\n', p->out);
		fflush(p->out);
	}
	p->out = NULL;
}
