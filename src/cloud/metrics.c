/* What /metrics says of the local cloud (docs/api.md, "Metrics"): the data
 * plane's counters, read once per scrape with lb_stats (a sum of per-worker
 * slots: the request path takes no lock for them), and the reconciler's
 * instances, groups and refresh durations, which live on this thread. */
#include "cloud/daemon_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An lb_counters field as an index into the struct seen as uint64_t[]. */
#define FIELD(f) (offsetof(lb_counters, f) / sizeof(uint64_t))

const double cloud_refresh_bounds[10] = {0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300};

int cloud_metrics_add(cloud_daemon *d, cloud_metrics_fn fn, void *payload)
{
	if (d->nmetrics_sources == GF_ARRAY_LEN(d->metrics_sources))
		return gf_err_set(GF_ETOOBIG, "too many metrics sources");
	d->metrics_sources[d->nmetrics_sources].fn = fn;
	d->metrics_sources[d->nmetrics_sources].payload = payload;
	d->nmetrics_sources++;
	return 0;
}

/* Listeners by their API name: while a change swaps NAME for NAME#2 both
 * exist in the data plane for a moment, and their counters add up. */
typedef struct {
	char name[96];
	const char *group;
	lb_counters c;
} listener_sum;

static size_t sum_listeners(listener_sum **out, const lb_snapshot *s)
{
	listener_sum *v = gf_xcalloc(s->nlisteners + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < s->nlisteners; i++) {
		char name[96];
		snprintf(name, sizeof(name), "%s", s->listeners[i].name);
		char *hash = strchr(name, '#');
		if (hash)
			*hash = '\0';
		size_t k = 0;
		while (k < n && strcmp(v[k].name, name) != 0)
			k++;
		if (k == n) {
			snprintf(v[n].name, sizeof(v[n].name), "%s", name);
			v[n].group = s->listeners[i].group;
			n++;
		}
		uint64_t *dst = (uint64_t *)(void *)&v[k].c;
		const uint64_t *src = (const uint64_t *)(const void *)&s->listeners[i].c;
		for (size_t f = 0; f < sizeof(lb_counters) / sizeof(uint64_t); f++)
			dst[f] += src[f];
	}
	*out = v;
	return n;
}

static const char *const classes[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

/* Families shared by listeners and targets: `labels` are the object's,
 * and one more slot after them is free for the code label. */
typedef struct {
	const char *prefix; /* "gitfleet_lb" or "gitfleet_target" */
	const char *what;   /* "listener" or "target" */
	size_t n;
	const lb_counters *const *c;
	metrics_label (*labels)[4];
	size_t nlabels;
} counter_set;

static void write_counter(metrics_writer *w, const counter_set *cs, const char *suffix,
                          const char *help, size_t field)
{
	char name[128];
	snprintf(name, sizeof(name), "%s_%s", cs->prefix, suffix);
	if (metrics_family(w, name, METRICS_COUNTER, help) < 0)
		return;
	for (size_t i = 0; i < cs->n; i++)
		metrics_sample(w, cs->labels[i], cs->nlabels,
		               (double)((const uint64_t *)(const void *)cs->c[i])[field]);
}

static void write_traffic(metrics_writer *w, const counter_set *cs, bool target)
{
	char name[128], help[256];
	snprintf(help, sizeof(help), "Requests received by the %s.", cs->what);
	write_counter(w, cs, "requests_total", help, FIELD(requests));
	snprintf(name, sizeof(name), "%s_responses_total", cs->prefix);
	snprintf(help, sizeof(help), "%s",
	         target ? "Responses of the target, by status class (code=\"2xx\" ...)."
	                : "Responses sent by the listener, by status class (code=\"2xx\" ...), "
	                  "its own answers (403, 502, 503, 504) included.");
	if (metrics_family(w, name, METRICS_COUNTER, help) == 0)
		for (size_t i = 0; i < cs->n; i++)
			for (int k = 0; k < 5; k++) {
				cs->labels[i][cs->nlabels] = (metrics_label){"code", classes[k]};
				metrics_sample(w, cs->labels[i], cs->nlabels + 1,
				               (double)cs->c[i]->responses[k]);
			}
	snprintf(name, sizeof(name), "%s_request_duration_seconds", cs->prefix);
	snprintf(help, sizeof(help),
	         "Time from the end of a request head to the response head (time to first "
	         "byte), through the %s.",
	         cs->what);
	if (metrics_family(w, name, METRICS_HISTOGRAM, help) == 0)
		for (size_t i = 0; i < cs->n; i++)
			metrics_histogram(w, cs->labels[i], cs->nlabels, lb_latency_bounds,
			                  LB_LATENCY_BUCKETS - 1, cs->c[i]->latency,
			                  (double)cs->c[i]->latency_sum_us / 1e6);
	snprintf(help, sizeof(help), "Bytes received %s.",
	         target ? "from the target" : "from clients");
	write_counter(w, cs, "received_bytes_total", help, FIELD(bytes_in));
	snprintf(help, sizeof(help), "Bytes sent %s.", target ? "to the target" : "to clients");
	write_counter(w, cs, "sent_bytes_total", help, FIELD(bytes_out));
}

static void write_listeners(metrics_writer *w, const lb_snapshot *s)
{
	listener_sum *ls = NULL;
	size_t n = sum_listeners(&ls, s);
	const lb_counters **c = gf_xcalloc(n + 1, sizeof(*c));
	metrics_label(*labels)[4] = gf_xcalloc(n + 1, sizeof(*labels));
	for (size_t i = 0; i < n; i++) {
		c[i] = &ls[i].c;
		labels[i][0] = (metrics_label){"listener", ls[i].name};
		labels[i][1] = (metrics_label){"target_group", ls[i].group};
	}
	counter_set cs = {"gitfleet_lb", "listener", n, c, labels, 2};
	write_traffic(w, &cs, false);
	if (metrics_family(w, "gitfleet_lb_active_connections", METRICS_GAUGE,
	                   "Client connections open on the listener.") == 0)
		for (size_t i = 0; i < n; i++)
			metrics_sample(w, labels[i], 2, (double)c[i]->active);
	free(labels);
	free(c);
	free(ls);
}

static void write_targets(metrics_writer *w, cloud_daemon *d, const lb_snapshot *s)
{
	size_t n = s->ntargets;
	const lb_counters **c = gf_xcalloc(n + 1, sizeof(*c));
	metrics_label(*labels)[4] = gf_xcalloc(n + 1, sizeof(*labels));
	for (size_t i = 0; i < n; i++) {
		const char *id = cloud_target_instance(d, s->targets[i].address);
		c[i] = &s->targets[i].c;
		labels[i][0] = (metrics_label){"target_group", s->targets[i].group};
		labels[i][1] = (metrics_label){"target", s->targets[i].address};
		labels[i][2] = (metrics_label){"instance", id ? id : ""};
	}
	counter_set cs = {"gitfleet_target", "target", n, c, labels, 3};
	write_traffic(w, &cs, true);
	write_counter(w, &cs, "connection_errors_total",
	              "Failed connects and connections reset by the target.", FIELD(conn_errors));
	write_counter(w, &cs, "retries_total",
	              "Attempts on the target that failed and were retried on another.",
	              FIELD(retries));
	if (metrics_family(w, "gitfleet_target_active_connections", METRICS_GAUGE,
	                   "Connections open to the target, pooled ones included.") == 0)
		for (size_t i = 0; i < n; i++)
			metrics_sample(w, labels[i], 3, (double)c[i]->active);
	if (metrics_family(w, "gitfleet_target_healthy", METRICS_GAUGE,
	                   "1 when the target is healthy in its target group (it gets "
	                   "traffic), else 0.") == 0)
		for (size_t i = 0; i < n; i++)
			metrics_sample(w, labels[i], 3,
			               s->targets[i].state == LB_TARGET_HEALTHY ? 1 : 0);
	free(labels);
	free(c);
}

static void write_groups(metrics_writer *w, cloud_daemon *d)
{
	if (metrics_family(w, "gitfleet_instances", METRICS_GAUGE,
	                   "Instances by group and state (gone ones are kept an hour).") == 0)
		for (size_t g = 0; g < d->groups.len; g++) {
			const char *name = d->groups.items[g]->name;
			for (int st = CLOUD_INST_PENDING; st <= CLOUD_INST_FAILED; st++) {
				int count = 0;
				for (size_t i = 0; i < d->insts.len; i++)
					count += d->insts.items[i]->rec.state ==
					                 (cloud_inst_state)st &&
					         strcmp(d->insts.items[i]->rec.group, name) == 0;
				metrics_label l[] = {
				        {"group", name},
				        {"state", cloud_inst_state_name((cloud_inst_state)st)}};
				metrics_sample(w, l, 2, count);
			}
		}
	if (metrics_family(w, "gitfleet_group_desired_capacity", METRICS_GAUGE,
	                   "desired_capacity of the autoscaling group.") == 0)
		for (size_t g = 0; g < d->groups.len; g++) {
			metrics_label l[] = {{"group", d->groups.items[g]->name}};
			metrics_sample(w, l, 1, d->groups.items[g]->pg.desired);
		}
	if (metrics_family(w, "gitfleet_group_version", METRICS_GAUGE,
	                   "The launch template version the group runs or rolls to.") == 0)
		for (size_t g = 0; g < d->groups.len; g++) {
			metrics_label l[] = {{"group", d->groups.items[g]->name}};
			metrics_sample(w, l, 1, d->groups.items[g]->pg.version);
		}
	if (metrics_family(w, "gitfleet_group_refresh_duration_seconds", METRICS_HISTOGRAM,
	                   "Rolling refreshes from their start to converged (outcome "
	                   "\"converged\") or to failed after the rollback (\"rolled_back\").") ==
	    0)
		for (size_t g = 0; g < d->groups.len; g++) {
			group *gr = d->groups.items[g];
			metrics_label ok[] = {{"group", gr->name}, {"outcome", "converged"}};
			metrics_label bad[] = {{"group", gr->name}, {"outcome", "rolled_back"}};
			metrics_histogram(w, ok, 2, gr->refresh_converged.bounds,
			                  gr->refresh_converged.nbounds,
			                  gr->refresh_converged.counts, gr->refresh_converged.sum);
			metrics_histogram(w, bad, 2, gr->refresh_failed.bounds,
			                  gr->refresh_failed.nbounds, gr->refresh_failed.counts,
			                  gr->refresh_failed.sum);
		}
}

void cloud_metrics_write(cloud_daemon *d, metrics_writer *w)
{
	if (metrics_family(w, "gitfleet_build_info", METRICS_GAUGE,
	                   "Always 1; the version of the gitfleet daemon.") == 0) {
		metrics_label l[] = {{"version", GF_VERSION}};
		metrics_sample(w, l, 1, 1);
	}
	lb_snapshot s;
	memset(&s, 0, sizeof(s));
	if (d->lb && lb_stats(d->lb, &s) == 0) {
		write_listeners(w, &s);
		write_targets(w, d, &s);
		lb_snapshot_dispose(&s);
	}
	write_groups(w, d);
	for (size_t i = 0; i < d->nmetrics_sources; i++)
		d->metrics_sources[i].fn(w, d->metrics_sources[i].payload);
	metrics_write_process(w);
}
