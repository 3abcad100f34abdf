/* The pipeline's families of the daemon's /metrics (pipeline.h:
 * pipeline_metrics_write), counted from the build history at each scrape. */
#include "pipeline/service_int.h"

#include <stdio.h>
#include <string.h>

static const double duration_bounds[] = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

void pipeline_metrics_write(metrics_writer *w, void *payload)
{
	pipeline_service *ps = payload;
	sqlite3_stmt *st = NULL;
	if (metrics_family(w, "gitfleet_builds_total", METRICS_COUNTER,
	                   "Builds over, by project and final status (SUCCEEDED, FAILED, FAULT, "
	                   "TIMED_OUT, STOPPED).") == 0 &&
	    sqlite3_prepare_v2(
	            ps->db,
	            "SELECT project, status, COUNT(*) FROM pl_builds WHERE status NOT IN "
	            "('QUEUED', 'IN_PROGRESS') GROUP BY project, status "
	            "ORDER BY project, status",
	            -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			metrics_label l[] = {{"project", (const char *)sqlite3_column_text(st, 0)},
			                     {"status", (const char *)sqlite3_column_text(st, 1)}};
			metrics_sample(w, l, 2, (double)sqlite3_column_int64(st, 2));
		}
		sqlite3_finalize(st);
	}
	/* Queued and running builds live in memory: the store may lag. */
	if (metrics_family(w, "gitfleet_builds_active", METRICS_GAUGE,
	                   "Builds queued or in progress, by project and status.") == 0) {
		for (size_t i = 0; i < ps->live.len; i++) {
			const pl_build *b = ps->live.items[i];
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++)
				seen = !strcmp(ps->live.items[j]->project, b->project);
			if (seen)
				continue;
			int queued = 0, running = 0;
			for (size_t j = i; j < ps->live.len; j++)
				if (!strcmp(ps->live.items[j]->project, b->project)) {
					queued +=
					        ps->live.items[j]->status == PIPELINE_BUILD_QUEUED;
					running += ps->live.items[j]->status ==
					           PIPELINE_BUILD_IN_PROGRESS;
				}
			metrics_label q[] = {{"project", b->project}, {"status", "QUEUED"}};
			metrics_label r[] = {{"project", b->project}, {"status", "IN_PROGRESS"}};
			metrics_sample(w, q, 2, queued);
			metrics_sample(w, r, 2, running);
		}
	}
	if (metrics_family(w, "gitfleet_build_duration_seconds", METRICS_HISTOGRAM,
	                   "Builds over, from start to end, by project and final status.") < 0 ||
	    sqlite3_prepare_v2(ps->db,
	                       "SELECT project, status, end_ms - start_ms FROM pl_builds WHERE "
	                       "start_ms > 0 AND end_ms >= start_ms ORDER BY project, status",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	metrics_hist h;
	char project[64] = "", status[32] = "";
	bool any = false;
	for (;;) {
		bool row = sqlite3_step(st) == SQLITE_ROW;
		const char *p = row ? (const char *)sqlite3_column_text(st, 0) : "";
		const char *s = row ? (const char *)sqlite3_column_text(st, 1) : "";
		if (any && (!row || strcmp(p, project) || strcmp(s, status))) {
			metrics_label l[] = {{"project", project}, {"status", status}};
			metrics_histogram(w, l, 2, h.bounds, h.nbounds, h.counts, h.sum);
			any = false;
		}
		if (!row)
			break;
		if (!any) {
			metrics_hist_init(&h, duration_bounds, GF_ARRAY_LEN(duration_bounds));
			snprintf(project, sizeof(project), "%s", p);
			snprintf(status, sizeof(status), "%s", s);
			any = true;
		}
		metrics_hist_observe(&h, (double)sqlite3_column_int64(st, 2) / 1000.0);
	}
	sqlite3_finalize(st);
}
