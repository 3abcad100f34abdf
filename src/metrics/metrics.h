/*
 * metrics — the Prometheus text exposition format (version 0.0.4), written
 * by the daemon's /metrics route (docs/api.md lists every family), and the
 * process metrics every Prometheus client exports.
 *
 * NOTES ON THE DESIGN
 *
 * 1. A writer appends to a gf_buf, family by family: metrics_family()
 *    writes the `# HELP` and `# TYPE` lines, then metrics_sample() or
 *    metrics_histogram() write its samples. The format requires the
 *    samples of a family to be contiguous and its TYPE line to come first;
 *    the writer's shape makes that the only way to use it. Families are
 *    checked when they start: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*,
 *    a counter's name ends in `_total`, a histogram's does not end in
 *    `_bucket`, `_sum` or `_count` (its samples do). A wrong name is a bug
 *    in gitfleet, not bad input: the family is refused (GF_EINVALID) and
 *    its samples are dropped, so one mistake cannot corrupt the rest.
 *
 * 2. Escaping, as the format defines it: in HELP text a backslash and a
 *    line feed become `\\` and `\n`; in label values a double quote too
 *    becomes `\"`. Label names are the writer's own literals.
 *
 * 3. A histogram is given as non-cumulative bucket counts (what the data
 *    plane's per-thread counters hold: one increment per observation) and
 *    written cumulatively, `_bucket{le="..."}` for each bound then
 *    `le="+Inf"`, `_sum` and `_count` (equal to the +Inf bucket).
 *
 * 4. Numbers: integral values below 2^53 are written as integers, others
 *    with 17 significant digits; infinities and NaN as +Inf, -Inf, NaN.
 *
 * The writer does no I/O and takes no lock: collecting the values (from
 * the lb's per-thread counters, the inventory, /proc) is the caller's
 * business, done once per scrape on the daemon's loop thread.
 */
#ifndef GF_METRICS_H
#define GF_METRICS_H

#include "base/base.h"

#include <stddef.h>
#include <stdint.h>

/* The Content-Type of the exposition. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef enum {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
} metrics_type;

typedef struct {
	const char *name;
	const char *value;
} metrics_label;

typedef struct {
	gf_buf *out;
	char family[128]; /* the current family; "" after a refused one */
	metrics_type type;
} metrics_writer;

void metrics_init(metrics_writer *w, gf_buf *out);
/* Starts a family (HELP and TYPE lines). GF_EINVALID for a bad name (note
 * 1): nothing is written and samples are dropped until the next family. */
int metrics_family(metrics_writer *w, const char *name, metrics_type type, const char *help);
/* One sample of the current counter or gauge family, with `n` labels. */
void metrics_sample(metrics_writer *w, const metrics_label *labels, size_t n, double value);
/* One histogram of the current histogram family: `counts` has nbounds + 1
 * non-cumulative buckets, the last one for values above every bound. */
void metrics_histogram(metrics_writer *w, const metrics_label *labels, size_t n,
                       const double *bounds, size_t nbounds, const uint64_t *counts, double sum);

/* Appends a label value (or HELP text, with `quote` false) escaped as the
 * format wants it. */
void metrics_escape(gf_buf *out, const char *s, bool quote);
/* Appends a number as note 4 says. */
void metrics_number(gf_buf *out, double v);

/* A histogram kept by one thread (the daemon's loop): bounds given once. */
#define METRICS_HIST_MAX 16
typedef struct {
	const double *bounds;
	size_t nbounds; /* < METRICS_HIST_MAX */
	uint64_t counts[METRICS_HIST_MAX];
	double sum;
} metrics_hist;

void metrics_hist_init(metrics_hist *h, const double *bounds, size_t nbounds);
void metrics_hist_observe(metrics_hist *h, double v);

/*
 * The standard process families of Prometheus clients, read from /proc:
 * process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds. A value that cannot be read is left out.
 */
void metrics_write_process(metrics_writer *w);

#endif
