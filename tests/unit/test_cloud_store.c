/* Unit tests of the inventory (src/cloud/store.c): what is written is read
 * back after reopening, versions count up per template, instance ids are
 * never reused, a rolled-back transaction leaves nothing, and the event log
 * replays from an id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cloud/cloud_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], path[128];

static cloud_store *open_store(void)
{
	cloud_store *s = NULL;
	if (cloud_store_open(&s, path) != 0)
		fail_msg("%s", gf_err_msg());
	return s;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/gf-store-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/inventory.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void count_row(const char *name, const char *spec, void *payload)
{
	(*(int *)payload)++;
}

static void test_resources_survive_reopen(void **state)
{
	cloud_store *s = open_store();
	assert_int_equal(cloud_store_put(s, CLOUD_LB, "web", "{\"name\":\"web\"}"), 0);
	assert_int_equal(cloud_store_put(s, CLOUD_LB, "api", "{\"name\":\"api\"}"), 0);
	assert_int_equal(cloud_store_put(s, CLOUD_LB, "web", "{\"name\":\"web\",\"x\":1}"), 0);
	/* A rolled-back transaction leaves nothing behind. */
	assert_int_equal(cloud_store_begin(s), 0);
	assert_int_equal(cloud_store_put(s, CLOUD_LB, "gone", "{}"), 0);
	cloud_store_rollback(s);
	cloud_store_close(s);

	s = open_store();
	char *spec = NULL;
	assert_int_equal(cloud_store_get(s, &spec, CLOUD_LB, "web"), 0);
	assert_string_equal(spec, "{\"name\":\"web\",\"x\":1}");
	free(spec);
	assert_int_equal(cloud_store_get(s, &spec, CLOUD_LB, "gone"), GF_ENOTFOUND);
	assert_int_equal(cloud_store_get(s, &spec, CLOUD_ASG, "web"), GF_ENOTFOUND);
	int n = 0;
	assert_int_equal(cloud_store_list(s, CLOUD_LB, count_row, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cloud_store_delete(s, CLOUD_LB, "api"), 0);
	n = 0;
	cloud_store_list(s, CLOUD_LB, count_row, &n);
	assert_int_equal(n, 1);
	cloud_store_close(s);
}

static void test_versions_and_ids(void **state)
{
	cloud_store *s = open_store();
	int v = 0;
	assert_int_equal(cloud_store_version_add(s, &v, "web", "{\"release\":\"a\"}"), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cloud_store_version_add(s, &v, "web", "{\"release\":\"b\"}"), 0);
	assert_int_equal(v, 2);
	assert_int_equal(cloud_store_version_add(s, &v, "api", "{\"release\":\"c\"}"), 0);
	assert_int_equal(v, 1);
	char *spec = NULL;
	int got = 0;
	assert_int_equal(cloud_store_version_get(s, &spec, &got, "web", 0), 0);
	assert_int_equal(got, 2);
	assert_string_equal(spec, "{\"release\":\"b\"}");
	free(spec);
	assert_int_equal(cloud_store_version_get(s, NULL, &got, "web", 1), 0);
	assert_int_equal(got, 1);
	assert_int_equal(cloud_store_version_get(s, NULL, &got, "web", 3), GF_ENOTFOUND);
	int n = 0;
	cloud_store_releases(s, count_row, &n);
	assert_int_equal(n, 3);

	int64_t a, b;
	assert_int_equal(cloud_store_next_seq(s, &a), 0);
	cloud_store_close(s);
	s = open_store();
	assert_int_equal(cloud_store_next_seq(s, &b), 0);
	assert_true(b == a + 1);
	cloud_store_close(s);
}

static void on_inst(const cloud_inst_rec *r, void *payload)
{
	*(cloud_inst_rec *)payload = *r;
}

static void test_instances(void **state)
{
	cloud_store *s = open_store();
	cloud_inst_rec r;
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "i-7");
	r.seq = 7;
	snprintf(r.group, sizeof(r.group), "web");
	snprintf(r.tmpl, sizeof(r.tmpl), "web");
	r.version = 3;
	r.port = 41001;
	r.pid = 1234;
	r.state = CLOUD_INST_IN_SERVICE;
	assert_int_equal(cloud_store_inst_put(s, &r), 0);
	cloud_inst_rec back;
	memset(&back, 0, sizeof(back));
	assert_int_equal(cloud_store_inst_list(s, on_inst, &back), 0);
	assert_string_equal(back.id, "i-7");
	assert_int_equal(back.state, CLOUD_INST_IN_SERVICE);
	assert_int_equal(back.port, 41001);
	assert_int_equal(back.version, 3);
	/* Only gone instances are pruned. */
	assert_int_equal(cloud_store_inst_prune(s, gf_wall_ms() + 1000), 0);
	memset(&back, 0, sizeof(back));
	cloud_store_inst_list(s, on_inst, &back);
	assert_string_equal(back.id, "i-7");
	r.state = CLOUD_INST_TERMINATED;
	assert_int_equal(cloud_store_inst_put(s, &r), 0);
	assert_int_equal(cloud_store_inst_prune(s, gf_wall_ms() + 1000), 0);
	memset(&back, 0, sizeof(back));
	cloud_store_inst_list(s, on_inst, &back);
	assert_string_equal(back.id, "");
	cloud_store_close(s);
}

static void on_event(int64_t id, int64_t ts, const char *type, const char *resource,
                     const char *data, void *payload)
{
	int64_t *sum = payload;
	*sum = *sum * 10 + id;
}

static void test_events(void **state)
{
	cloud_store *s = open_store();
	int64_t id = 0;
	for (int i = 0; i < 3; i++)
		assert_int_equal(cloud_store_event_add(s, &id, 1, "t", "r", "{}"), 0);
	assert_int_equal(id, 3);
	int64_t seen = 0;
	assert_int_equal(cloud_store_events(s, 1, 100, on_event, &seen), 0);
	assert_int_equal(seen, 23);
	seen = 0;
	cloud_store_events(s, 0, 1, on_event, &seen);
	assert_int_equal(seen, 1);
	cloud_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_resources_survive_reopen, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_versions_and_ids, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_instances, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
