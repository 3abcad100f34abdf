/* The autoscaling planner: group state + clock + observations → actions.
 * See the refresh diagram in cloud.h. Pure: no I/O, no global state. */
#include "cloud/cloud.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Instances launched beyond desired while replacing old ones. One keeps a
 * refresh one-by-one and never needs more than desired + 1 ports. */
#define SURGE 1

static const char *const state_names[] = {
        "pending",     "starting",   "in_service", "draining",
        "terminating", "terminated", "unhealthy",  "failed",
};

const char *cloud_inst_state_name(cloud_inst_state s)
{
	return (size_t)s < GF_ARRAY_LEN(state_names) ? state_names[s] : "?";
}

int cloud_inst_state_parse(cloud_inst_state *out, const char *name)
{
	for (size_t i = 0; i < GF_ARRAY_LEN(state_names); i++)
		if (strcmp(state_names[i], name) == 0) {
			*out = (cloud_inst_state)i;
			return 0;
		}
	return gf_err_set(GF_EINVALID, "unknown instance state \"%s\"", name);
}

const char *cloud_phase_name(cloud_phase p)
{
	static const char *const names[] = {"converged",    "scaling", "refreshing",
	                                    "rolling_back", "failed",  "deleted"};
	return (size_t)p < GF_ARRAY_LEN(names) ? names[p] : "?";
}

void cloud_plan_dispose(cloud_plan *p)
{
	gf_vec_dispose(&p->actions);
}

/* Crash-loop backoff after `failures` consecutive failures: the first
 * failure is replaced at once (a killed instance comes back without
 * delay), then 0.5 s doubling up to 30 s. */
static double backoff(int failures)
{
	if (failures <= 1)
		return 0;
	double d = 0.5 * pow(2, failures - 2);
	return d > 30 ? 30 : d;
}

static cloud_action *push(cloud_plan *p, cloud_action_kind kind, size_t inst)
{
	cloud_action a;
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.inst = inst;
	gf_vec_push(&p->actions, a);
	return &p->actions.items[p->actions.len - 1];
}

static bool is_live(cloud_inst_state s)
{
	return s == CLOUD_INST_PENDING || s == CLOUD_INST_STARTING || s == CLOUD_INST_IN_SERVICE;
}

/* Per-instance working state of one step. */
typedef struct {
	bool live;       /* pending, starting or in_service after this step */
	bool in_service; /* in_service after this step */
} slot;

static void fail(cloud_plan *p, cloud_plan_group *g, const cloud_plan_instance *in, size_t i,
                 slot *s, double now, const char *fmt, const char *detail)
{
	cloud_action *a = push(p, CLOUD_ACT_STOP, i);
	a->failed = true;
	snprintf(a->reason, sizeof(a->reason), fmt, in[i].id, detail);
	s[i].live = s[i].in_service = false;
	g->failures++;
	g->next_launch_at = now + backoff(g->failures);
	/* A failure of the version being rolled out fails the rollout, once;
	 * with a good version to go back to, the planner rolls back. */
	if (in[i].version == g->version && g->good_version != g->version &&
	    g->failed_version != g->version) {
		g->failed_version = g->version;
		snprintf(g->reason, sizeof(g->reason), "%s", a->reason);
	}
}

/* Observations → state changes of single instances. */
static void observe(cloud_plan *p, cloud_plan_group *g, const cloud_plan_instance *in, size_t n,
                    slot *s, double now)
{
	for (size_t i = 0; i < n; i++) {
		const cloud_plan_instance *x = &in[i];
		const char *why = x->reason && *x->reason ? x->reason : "no answer yet";
		s[i].live = is_live(x->state);
		s[i].in_service = x->state == CLOUD_INST_IN_SERVICE;
		switch (x->state) {
		case CLOUD_INST_PENDING:
		case CLOUD_INST_STARTING:
			if (!x->alive && x->state == CLOUD_INST_STARTING)
				fail(p, g, in, i, s, now, "instance %s exited while starting: %s",
				     why);
			else if (x->alive && x->health == CLOUD_HEALTH_HEALTHY) {
				push(p, CLOUD_ACT_IN_SERVICE, i);
				s[i].in_service = true;
				g->failures = 0;
				g->next_launch_at = 0;
			} else if (now - x->since > g->grace) {
				/* Failed checks during the grace period do not count: a
				 * process may take a while to listen. */
				char d[300];
				snprintf(d, sizeof(d), "%s (not healthy %.3g s after start)", why,
				         g->grace);
				fail(p, g, in, i, s, now, "instance %s failed health check: %s", d);
			}
			break;
		case CLOUD_INST_IN_SERVICE:
			if (!x->alive)
				fail(p, g, in, i, s, now, "instance %s exited: %s", why);
			else if (x->health == CLOUD_HEALTH_UNHEALTHY)
				fail(p, g, in, i, s, now, "instance %s failed health check: %s",
				     why);
			break;
		case CLOUD_INST_DRAINING:
			if (x->drained || !x->alive)
				push(p, CLOUD_ACT_STOP, i);
			break;
		default:
			break;
		}
	}
}

/* Picks the next instance to remove while there are more live instances
 * than wanted: not-yet-serving instances of other versions, then serving
 * instances of other versions (oldest first), then not-yet-serving
 * instances of the target version (newest first), then serving ones
 * (oldest first). Returns -1 when none is left. */
static long pick_victim(const cloud_plan_instance *in, size_t n, const slot *s, int target)
{
	long best = -1;
	int best_rank = 5;
	for (size_t i = 0; i < n; i++) {
		if (!s[i].live)
			continue;
		bool old = in[i].version != target;
		int rank = old ? (s[i].in_service ? 1 : 0) : (s[i].in_service ? 3 : 2);
		bool better = rank < best_rank;
		if (rank == best_rank && best >= 0)
			better = rank == 2 ? in[i].seq > in[best].seq : in[i].seq < in[best].seq;
		if (better) {
			best = (long)i;
			best_rank = rank;
		}
	}
	return best;
}

void cloud_plan_step(cloud_plan *out, cloud_plan_group *g, const cloud_plan_instance *in, size_t n,
                     double now)
{
	slot *s = gf_xcalloc(n ? n : 1, sizeof(*s));
	observe(out, g, in, n, s, now);

	bool rolled_back = g->failed_version == g->version && g->good_version > 0;
	int target = rolled_back ? g->good_version : g->version;
	int desired = g->deleting ? 0 : g->desired;
	int min_healthy = (int)ceil((double)desired * g->min_healthy_percentage / 100.0);
	if (min_healthy > desired)
		min_healthy = desired;

	int live = 0, current = 0, in_service = 0, outdated = 0;
	for (size_t i = 0; i < n; i++) {
		live += s[i].live;
		in_service += s[i].in_service;
		if (s[i].live && in[i].version == target)
			current++;
		else if (s[i].live)
			outdated++;
	}

	/* Removals. Instances not yet serving an old version are stopped
	 * unconditionally; a serving one only while enough others serve. The
	 * first removal that would break min_healthy stops the loop, so a
	 * surge instance is never taken for an excess one. */
	while (true) {
		bool excess = live > desired;
		long v = pick_victim(in, n, s, target);
		if (v < 0)
			break;
		bool old = in[v].version != target;
		if (!excess && !(old && !s[v].in_service))
			break;
		if (s[v].in_service) {
			if (in_service - 1 < min_healthy)
				break;
			push(out, CLOUD_ACT_DRAIN, (size_t)v);
			in_service--;
		} else {
			cloud_action *a = push(out, CLOUD_ACT_STOP, (size_t)v);
			snprintf(a->reason, sizeof(a->reason), "%s",
			         old ? "replaced: its version is no longer wanted" : "scaled in");
		}
		s[v].live = s[v].in_service = false;
		live--;
		*(old ? &outdated : &current) -= 1;
	}

	/* Launches: up to desired instances of the target version, with at
	 * most SURGE extra live instances while old ones still serve. */
	while (current < desired && live < desired + SURGE && now >= g->next_launch_at) {
		cloud_action *a = push(out, CLOUD_ACT_LAUNCH, 0);
		a->version = target;
		current++;
		live++;
	}

	bool settled = outdated == 0 && current == desired && in_service == desired;
	if (g->deleting) {
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any |= in[i].state != CLOUD_INST_TERMINATED &&
			       in[i].state != CLOUD_INST_FAILED;
		out->phase = any ? CLOUD_PHASE_SCALING : CLOUD_PHASE_DELETED;
	} else if (settled && !rolled_back) {
		g->good_version = g->version;
		if (g->failed_version == g->version) {
			g->failed_version = 0;
			g->reason[0] = '\0';
		}
		out->phase = CLOUD_PHASE_CONVERGED;
	} else if (g->failed_version == g->version) {
		out->phase =
		        rolled_back && !settled ? CLOUD_PHASE_ROLLING_BACK : CLOUD_PHASE_FAILED;
	} else {
		out->phase = outdated ? CLOUD_PHASE_REFRESHING : CLOUD_PHASE_SCALING;
	}
	out->in_service = in_service;
	free(s);
}
