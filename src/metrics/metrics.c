/* The Prometheus text exposition writer (metrics.h). */
#include "metrics/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void metrics_init(metrics_writer *w, gf_buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static bool name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return false;
	return true;
}

void metrics_escape(gf_buf *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			gf_buf_puts(out, "\\\\");
		else if (*s == '\n')
			gf_buf_puts(out, "\\n");
		else if (*s == '"' && quote)
			gf_buf_puts(out, "\\\"");
		else
			gf_buf_putc(out, *s);
	}
}

/* The shortest of %.15g, %.16g and %.17g that reads back as v: "0.1", not
 * "0.10000000000000001". */
static const char *shortest(char *buf, size_t n, double v)
{
	for (int digits = 15; digits < 17; digits++) {
		snprintf(buf, n, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, n, "%.17g", v);
	return buf;
}

void metrics_number(gf_buf *out, double v)
{
	char tmp[40];
	if (isnan(v))
		gf_buf_puts(out, "NaN");
	else if (isinf(v))
		gf_buf_puts(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		gf_buf_printf(out, "%.0f", v);
	else
		gf_buf_puts(out, shortest(tmp, sizeof(tmp), v));
}

int metrics_family(metrics_writer *w, const char *name, metrics_type type, const char *help)
{
	static const char *const types[] = {"counter", "gauge", "histogram"};
	w->family[0] = '\0';
	bool ok = name_ok(name) && strlen(name) < sizeof(w->family);
	if (ok && type == METRICS_COUNTER)
		ok = gf_str_has_suffix(name, "_total");
	if (ok && type == METRICS_HISTOGRAM)
		ok = !gf_str_has_suffix(name, "_bucket") && !gf_str_has_suffix(name, "_sum") &&
		     !gf_str_has_suffix(name, "_count");
	if (!ok)
		return gf_err_set(GF_EINVALID, "metric family \"%s\" has an invalid name for a %s",
		                  name, types[type]);
	snprintf(w->family, sizeof(w->family), "%s", name);
	w->type = type;
	gf_buf_printf(w->out, "# HELP %s ", name);
	metrics_escape(w->out, help, false);
	gf_buf_printf(w->out, "\n# TYPE %s %s\n", name, types[type]);
	return 0;
}

/* name{a="x",b="y"[,le="..."]} */
static void series(metrics_writer *w, const char *suffix, const metrics_label *labels, size_t n,
                   const char *le)
{
	gf_buf_printf(w->out, "%s%s", w->family, suffix);
	if (n == 0 && !le)
		return;
	gf_buf_putc(w->out, '{');
	for (size_t i = 0; i < n; i++) {
		gf_buf_printf(w->out, "%s%s=\"", i ? "," : "", labels[i].name);
		metrics_escape(w->out, labels[i].value ? labels[i].value : "", true);
		gf_buf_putc(w->out, '"');
	}
	if (le)
		gf_buf_printf(w->out, "%sle=\"%s\"", n ? "," : "", le);
	gf_buf_putc(w->out, '}');
}

void metrics_sample(metrics_writer *w, const metrics_label *labels, size_t n, double value)
{
	if (!w->family[0] || w->type == METRICS_HISTOGRAM)
		return;
	series(w, "", labels, n, NULL);
	gf_buf_putc(w->out, ' ');
	metrics_number(w->out, value);
	gf_buf_putc(w->out, '\n');
}

void metrics_histogram(metrics_writer *w, const metrics_label *labels, size_t n,
                       const double *bounds, size_t nbounds, const uint64_t *counts, double sum)
{
	if (!w->family[0] || w->type != METRICS_HISTOGRAM)
		return;
	uint64_t cum = 0;
	for (size_t b = 0; b <= nbounds; b++) {
		char le[40];
		cum += counts[b];
		series(w, "_bucket", labels, n,
		       b < nbounds ? shortest(le, sizeof(le), bounds[b]) : "+Inf");
		gf_buf_printf(w->out, " %llu\n", (unsigned long long)cum);
	}
	series(w, "_sum", labels, n, NULL);
	gf_buf_putc(w->out, ' ');
	metrics_number(w->out, sum);
	gf_buf_putc(w->out, '\n');
	series(w, "_count", labels, n, NULL);
	gf_buf_printf(w->out, " %llu\n", (unsigned long long)cum);
}

void metrics_hist_init(metrics_hist *h, const double *bounds, size_t nbounds)
{
	memset(h, 0, sizeof(*h));
	h->bounds = bounds;
	h->nbounds = GF_MIN(nbounds, (size_t)METRICS_HIST_MAX - 1);
}

void metrics_hist_observe(metrics_hist *h, double v)
{
	size_t b = 0;
	while (b < h->nbounds && v > h->bounds[b])
		b++;
	h->counts[b]++;
	h->sum += v;
}
