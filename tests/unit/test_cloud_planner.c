/* Unit tests of the autoscaling planner (src/cloud/planner.c) with a fake
 * clock: a tiny simulated cluster applies the planner's actions, processes
 * become healthy after a start delay (or never, for a "bad" version), and
 * each test checks what a user would: counts, versions, order, phases and
 * that planned actions never take in-service instances below the minimum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cloud/cloud.h"

#include <stdio.h>
#include <string.h>

#define MAXI 128

typedef struct {
	char id[16];
	int64_t seq;
	int version;
	cloud_inst_state state;
	double since, healthy_at, drained_at;
	bool alive;
	char reason[128];
} sim_inst;

typedef struct {
	sim_inst inst[MAXI];
	size_t n;
	cloud_plan_group g;
	double now;
	int64_t seq;
	bool bad[8];    /* versions whose instances never pass checks */
	bool crashy[8]; /* versions whose instances exit right away */
	int max_live;
	int min_in_service; /* lowest in_service seen since armed */
	bool armed;
	int launches;
	cloud_phase phase;
	char order[256]; /* ids drained or stopped, in order */
} sim;

static void sim_init(sim *s, int desired, int version)
{
	memset(s, 0, sizeof(*s));
	s->g.desired = desired;
	s->g.version = version;
	s->g.min_healthy_percentage = 100;
	s->g.grace = 5;
	s->min_in_service = 1 << 30;
}

static int count(const sim *s, cloud_inst_state st, int version)
{
	int c = 0;
	for (size_t i = 0; i < s->n; i++)
		c += s->inst[i].state == st && (version == 0 || s->inst[i].version == version);
	return c;
}

static int live(const sim *s)
{
	return count(s, CLOUD_INST_STARTING, 0) + count(s, CLOUD_INST_IN_SERVICE, 0);
}

/* One planner step, its actions applied, then `dt` seconds pass. */
static void sim_step(sim *s, double dt)
{
	cloud_plan_instance pi[MAXI];
	for (size_t i = 0; i < s->n; i++) {
		sim_inst *x = &s->inst[i];
		cloud_health h = CLOUD_HEALTH_UNKNOWN;
		if (s->bad[x->version])
			h = CLOUD_HEALTH_UNHEALTHY;
		else if (s->now >= x->healthy_at)
			h = CLOUD_HEALTH_HEALTHY;
		pi[i] = (cloud_plan_instance){
		        .id = x->id,
		        .seq = x->seq,
		        .version = x->version,
		        .state = x->state,
		        .since = x->since,
		        .alive = x->alive,
		        .drained = s->now >= x->drained_at,
		        .health = h,
		        .reason = s->bad[x->version] ? "GET /: status 500 does not match 200"
		                                     : x->reason,
		};
	}
	cloud_plan p = {0};
	cloud_plan_step(&p, &s->g, pi, s->n, s->now);
	for (size_t k = 0; k < p.actions.len; k++) {
		cloud_action *a = &p.actions.items[k];
		sim_inst *x = &s->inst[a->inst];
		switch (a->kind) {
		case CLOUD_ACT_LAUNCH:
			assert_true(s->n < MAXI);
			x = &s->inst[s->n++];
			memset(x, 0, sizeof(*x));
			x->seq = ++s->seq;
			snprintf(x->id, sizeof(x->id), "i-%lld", (long long)x->seq);
			x->version = a->version;
			x->state = CLOUD_INST_STARTING;
			x->since = s->now;
			x->alive = !s->crashy[a->version];
			snprintf(x->reason, sizeof(x->reason), "%s",
			         x->alive ? "" : "exited with status 1");
			x->healthy_at = s->now + 0.3;
			x->drained_at = 1e9;
			s->launches++;
			break;
		case CLOUD_ACT_IN_SERVICE:
			assert_int_equal(x->state, CLOUD_INST_STARTING);
			x->state = CLOUD_INST_IN_SERVICE;
			x->since = s->now;
			break;
		case CLOUD_ACT_DRAIN:
			assert_int_equal(x->state, CLOUD_INST_IN_SERVICE);
			x->state = CLOUD_INST_DRAINING;
			x->since = s->now;
			x->drained_at = s->now + 0.2;
			strcat(s->order, x->id);
			strcat(s->order, " ");
			break;
		case CLOUD_ACT_STOP:
			if (x->state != CLOUD_INST_DRAINING) {
				strcat(s->order, x->id);
				strcat(s->order, " ");
			}
			x->state = a->failed ? CLOUD_INST_FAILED : CLOUD_INST_TERMINATED;
			x->alive = false;
			break;
		}
	}
	s->phase = p.phase;
	cloud_plan_dispose(&p);
	int l = live(s);
	if (l > s->max_live)
		s->max_live = l;
	int is = count(s, CLOUD_INST_IN_SERVICE, 0);
	if (s->armed && is < s->min_in_service)
		s->min_in_service = is;
	s->now += dt;
}

/* Steps until the phase is `want` (at most `limit` seconds of fake time). */
static void sim_until(sim *s, cloud_phase want, double limit)
{
	double end = s->now + limit;
	do
		sim_step(s, 0.05);
	while (s->phase != want && s->now < end);
	assert_string_equal(cloud_phase_name(s->phase), cloud_phase_name(want));
}

static void test_scale_out_and_in(void **state)
{
	sim s;
	sim_init(&s, 1, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 1);
	assert_int_equal(s.g.good_version, 1);

	s.g.desired = 3;
	sim_step(&s, 0.05);
	/* Both new instances start at once: scaling out is not a refresh. */
	assert_int_equal(count(&s, CLOUD_INST_STARTING, 1), 2);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 3);
	assert_int_equal(s.max_live, 3);

	s.g.desired = 1;
	s.order[0] = '\0';
	sim_step(&s, 0.05);
	/* Scaling in drains, oldest first, and stops only drained ones. */
	assert_string_equal(s.order, "i-1 i-2 ");
	assert_int_equal(count(&s, CLOUD_INST_DRAINING, 0), 2);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 0), 1);
	for (int i = 0; i < 10; i++)
		sim_step(&s, 0.05);
	assert_int_equal(count(&s, CLOUD_INST_TERMINATED, 0), 2);
	assert_string_equal(cloud_phase_name(s.phase), "converged");
}

static void test_refresh_one_by_one(void **state)
{
	sim s;
	sim_init(&s, 3, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.armed = true;
	s.max_live = 0;
	s.order[0] = '\0';
	s.g.version = 2;
	sim_step(&s, 0.05);
	assert_string_equal(cloud_phase_name(s.phase), "refreshing");
	/* Surge first: one new instance, nothing drained yet. */
	assert_int_equal(count(&s, CLOUD_INST_STARTING, 2), 1);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 3);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 10);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 2), 3);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 0);
	assert_int_equal(s.g.good_version, 2);
	assert_int_equal(s.max_live, 4);
	assert_true(s.min_in_service >= 3);
	assert_string_equal(s.order, "i-1 i-2 i-3 ");
}

static void test_refresh_min_healthy_50_goes_faster(void **state)
{
	sim s;
	sim_init(&s, 2, 1);
	s.g.min_healthy_percentage = 50;
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.armed = true;
	s.g.version = 2;
	sim_step(&s, 0.05); /* surge first, always */
	assert_int_equal(count(&s, CLOUD_INST_STARTING, 2), 1);
	sim_step(&s, 0.05);
	/* One old instance may go before the first new one serves: 1 of 2 is
	 * 50%, and its replacement starts at once. */
	assert_int_equal(count(&s, CLOUD_INST_DRAINING, 1), 1);
	assert_int_equal(count(&s, CLOUD_INST_STARTING, 2), 2);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 10);
	assert_int_equal(s.min_in_service, 1);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 2), 2);
}

static void test_refresh_rolls_back(void **state)
{
	sim s;
	sim_init(&s, 2, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.armed = true;
	s.bad[2] = true;
	s.g.version = 2;
	sim_step(&s, 0.05);
	assert_string_equal(cloud_phase_name(s.phase), "refreshing");
	/* Unhealthy during the grace period is not yet a failure. */
	for (int i = 0; i < 20; i++)
		sim_step(&s, 0.05);
	assert_int_equal(count(&s, CLOUD_INST_STARTING, 2), 1);
	sim_until(&s, CLOUD_PHASE_FAILED, 10);
	assert_int_equal(s.g.failed_version, 2);
	assert_int_equal(s.g.good_version, 1);
	assert_non_null(strstr(s.g.reason, "instance i-3 failed health check: GET /: status 500"));
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 2);
	assert_int_equal(count(&s, CLOUD_INST_FAILED, 2), 1);
	assert_true(s.min_in_service >= 2);
	/* Failed stays failed: the bad version is not tried again. */
	int launches = s.launches;
	for (int i = 0; i < 100; i++)
		sim_step(&s, 0.05);
	assert_int_equal(s.launches, launches);
	assert_string_equal(cloud_phase_name(s.phase), "failed");

	/* A new version clears the failure once it rolls out. */
	s.g.version = 3;
	sim_until(&s, CLOUD_PHASE_CONVERGED, 10);
	assert_int_equal(s.g.failed_version, 2); /* kept for history ... */
	assert_int_equal(s.g.good_version, 3);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 3), 2);
}

static void test_rollback_after_new_instance_served(void **state)
{
	/* v2's first instance serves, then crashes: the rollout fails and the
	 * group goes back to v1 entirely. */
	sim s;
	sim_init(&s, 2, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.g.version = 2;
	for (int i = 0; i < 12 && count(&s, CLOUD_INST_DRAINING, 1) == 0; i++)
		sim_step(&s, 0.05);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 2), 1);
	for (size_t i = 0; i < s.n; i++)
		if (s.inst[i].version == 2 && s.inst[i].state == CLOUD_INST_IN_SERVICE) {
			s.inst[i].alive = false;
			snprintf(s.inst[i].reason, sizeof(s.inst[i].reason), "killed by signal 9");
		}
	s.crashy[2] = true;
	sim_until(&s, CLOUD_PHASE_FAILED, 10);
	assert_non_null(strstr(s.g.reason, "exited: killed by signal 9"));
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 2);
	assert_int_equal(count(&s, CLOUD_INST_STARTING, 0) + count(&s, CLOUD_INST_IN_SERVICE, 2),
	                 0);
}

static void test_killed_instance_replaced_at_once(void **state)
{
	sim s;
	sim_init(&s, 2, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.inst[0].alive = false;
	snprintf(s.inst[0].reason, sizeof(s.inst[0].reason), "killed by signal 9");
	int launches = s.launches;
	sim_step(&s, 0.05);
	assert_int_equal(s.inst[0].state, CLOUD_INST_FAILED);
	assert_int_equal(s.launches, launches + 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 1), 2);
	/* A first version never failed a rollout: nothing to report. */
	assert_int_equal(s.g.failed_version, 0);
}

static void test_crash_loop_backs_off(void **state)
{
	sim s;
	sim_init(&s, 1, 1);
	s.crashy[1] = true;
	for (int i = 0; i < 200; i++) /* 10 s */
		sim_step(&s, 0.05);
	/* Immediate, then 0.5 1 2 4 s apart: about 6 launches, not 200. */
	assert_true(s.launches >= 4 && s.launches <= 7);
	assert_string_equal(cloud_phase_name(s.phase), "failed");
	assert_non_null(strstr(s.g.reason, "exited while starting: exited with status 1"));
	/* Once it works, the failure is cleared. */
	s.crashy[1] = false;
	sim_until(&s, CLOUD_PHASE_CONVERGED, 40);
	assert_int_equal(s.g.failed_version, 0);
	assert_string_equal(s.g.reason, "");
}

static void test_scale_in_old_versions_first(void **state)
{
	sim s;
	sim_init(&s, 2, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.g.version = 2;
	s.g.desired = 3;
	sim_until(&s, CLOUD_PHASE_CONVERGED, 10);
	/* i-1 and i-2 (v1) were replaced; now three v2 instances. */
	assert_int_equal(count(&s, CLOUD_INST_IN_SERVICE, 2), 3);

	sim s2;
	sim_init(&s2, 3, 1);
	sim_until(&s2, CLOUD_PHASE_CONVERGED, 5);
	s2.g.min_healthy_percentage = 0;
	s2.g.version = 2;
	sim_step(&s2, 0.05); /* i-4 (v2) starts */
	s2.order[0] = '\0';
	s2.g.desired = 1;
	sim_step(&s2, 0.05);
	/* Down to one: the v1 instances go (oldest first), not the new one. */
	assert_string_equal(s2.order, "i-1 i-2 i-3 ");
	sim_until(&s2, CLOUD_PHASE_CONVERGED, 5);
	assert_int_equal(count(&s2, CLOUD_INST_IN_SERVICE, 2), 1);
}

static void test_delete_drains_everything(void **state)
{
	sim s;
	sim_init(&s, 2, 1);
	sim_until(&s, CLOUD_PHASE_CONVERGED, 5);
	s.g.deleting = true;
	sim_step(&s, 0.05);
	assert_int_equal(count(&s, CLOUD_INST_DRAINING, 0), 2);
	assert_string_equal(cloud_phase_name(s.phase), "scaling");
	sim_until(&s, CLOUD_PHASE_DELETED, 5);
	assert_int_equal(count(&s, CLOUD_INST_TERMINATED, 0), 2);
}

static void test_state_names(void **state)
{
	cloud_inst_state st;
	assert_int_equal(cloud_inst_state_parse(&st, "in_service"), 0);
	assert_int_equal(st, CLOUD_INST_IN_SERVICE);
	assert_string_equal(cloud_inst_state_name(CLOUD_INST_UNHEALTHY), "unhealthy");
	assert_int_equal(cloud_inst_state_parse(&st, "running"), GF_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_scale_out_and_in),
	        cmocka_unit_test(test_refresh_one_by_one),
	        cmocka_unit_test(test_refresh_min_healthy_50_goes_faster),
	        cmocka_unit_test(test_refresh_rolls_back),
	        cmocka_unit_test(test_rollback_after_new_instance_served),
	        cmocka_unit_test(test_killed_instance_replaced_at_once),
	        cmocka_unit_test(test_crash_loop_backs_off),
	        cmocka_unit_test(test_scale_in_old_versions_first),
	        cmocka_unit_test(test_delete_drains_everything),
	        cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
