/* Private to src/cloud: the daemon's in-memory model, shared by daemon.c
 * (life, reconciler, instances) and resources.c (the API operations). */
#ifndef GF_CLOUD_DAEMON_INT_H
#define GF_CLOUD_DAEMON_INT_H

#include "cloud/cloud_int.h"
#include "lb/lb.h"

typedef struct inst {
	cloud_inst_rec rec;
	cloud_proc *proc; /* NULL once gone */
	bool alive;
	double since; /* gf_now() when rec.state was entered */
	char exit_reason[128];
	double stop_grace;
	struct cloud_daemon *d;
} inst;

typedef struct group {
	char name[64];
	json_t *spec; /* the stored spec */
	char **tgs;   /* attached target groups */
	size_t ntgs;
	cloud_plan_group pg; /* spec numbers + runtime state */
	cloud_phase phase;
	bool have_phase;
	double forget_at; /* gf_now() after which a deleted group may be forgotten */
	/* Rolling refreshes timed for /metrics: gf_now() when the group entered
	 * refreshing (0: not refreshing), and the durations by outcome. */
	double refresh_start;
	metrics_hist refresh_converged, refresh_failed;
} group;

struct cloud_waiter {
	cloud_kind kind;
	char name[64];
	double deadline;
	cloud_wait_cb cb;
	void *payload;
	struct cloud_waiter *next;
};

struct cloud_sub {
	cloud_event_cb cb;
	void *payload;
	struct cloud_sub *next;
};

typedef struct cloud_ui cloud_ui;

struct cloud_daemon {
	uv_loop_t *loop;
	char *home, *exe, *releases, *logs, *lock_path;
	int lock_fd;
	cloud_store *store;
	lb_balancer *lb;
	uv_timer_t tick;
	double tick_interval;
	uv_async_t lb_changed; /* the data plane saw a health change or a drain end */
	GF_VEC(inst *) insts;
	GF_VEC(group *) groups;
	int port_lo, port_hi, port_next;
	struct cloud_waiter *waiters;
	struct cloud_sub *subs;
	double next_housekeeping;
	bool stopping;
	struct {
		cloud_metrics_fn fn;
		void *payload;
	} metrics_sources[4];
	size_t nmetrics_sources;
	cloud_ui *ui; /* ui.c: the dashboard's sessions */
};

/* daemon.c */
void cloud_event(cloud_daemon *d, const char *type, const char *resource, json_t *data);
void cloud_kick(cloud_daemon *d);
group *cloud_group_find(cloud_daemon *d, const char *name);
/* Creates or updates the in-memory group from its stored spec. */
int cloud_group_load(cloud_daemon *d, const char *name, const json_t *spec, bool put);
/* Re-resolves "$Latest" of every group following template `tmpl`. */
void cloud_groups_retarget(cloud_daemon *d, const char *tmpl);
/* The lb settings of a target group spec. */
void cloud_tg_settings(lb_group_settings *out, const json_t *spec);
/* Registers or deregisters live instances after a group's target groups
 * changed from `old` to its current list. */
void cloud_group_retarget_tgs(cloud_daemon *d, group *g, char **old, size_t nold);
void cloud_group_status(cloud_daemon *d, json_t *out, group *g);
/* Records g's runtime state (good and failed version, reason, deleting)
 * in the store; a failure is logged and returned. */
int cloud_save_group(cloud_daemon *d, group *g);

/* resources.c */
/* Opens (or, with `old`, replaces without a gap) a listener in the data
 * plane. On failure nothing changed. */
int cloud_apply_listener(cloud_daemon *d, const json_t *spec, const json_t *old);
void cloud_remove_listener(cloud_daemon *d, const char *name);
/* True when `lb_name` is the data plane's name of listener `name`. */
bool cloud_listener_lb_name(const char *lb_name, const char *name);
/* The id of the live instance registered as target `address` ("127.0.0.1:PORT"), or NULL. */
const char *cloud_target_instance(cloud_daemon *d, const char *address);

/* ui.c */
void cloud_ui_free(cloud_ui *u);

/* metrics.c */
/* Upper bounds (s) of the refresh duration histograms. */
extern const double cloud_refresh_bounds[10];

#endif
