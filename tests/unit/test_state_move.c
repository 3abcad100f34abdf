/* Unit tests of state_move (src/state/move.c): resources, instances and
 * modules move with their objects, keys change between count and
 * for_each, refused moves leave the state untouched and say why with
 * Terraform's words, and dependencies on what moved follow it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "state/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An instance at `addr` whose attributes say {"id": id}. */
static void put(state *s, const char *addr, const char *id)
{
	state_addr a;
	if (state_addr_parse(&a, addr) < 0)
		fail_msg("%s: %s", addr, gf_err_msg());
	state_instance *i = state_instance_ensure(s, &a, NULL);
	state_instance_set_attributes(i, json_pack("{s:s}", "id", id));
	state_addr_dispose(&a);
}

/* The id of the instance at addr, NULL when there is none. */
static const char *id_at(const state *s, const char *addr)
{
	state_addr a;
	if (state_addr_parse(&a, addr) < 0)
		fail_msg("%s: %s", addr, gf_err_msg());
	const state_instance *i = state_instance_find(s, &a);
	state_addr_dispose(&a);
	return i ? json_string_value(json_object_get(i->attributes, "id")) : NULL;
}

static int move(state *s, const char *from, const char *to)
{
	state_addr f, t;
	if (state_addr_parse(&f, from) < 0 || state_addr_parse(&t, to) < 0)
		fail_msg("%s", gf_err_msg());
	int rc = state_move(s, &f, &t);
	state_addr_dispose(&f);
	state_addr_dispose(&t);
	return rc;
}

/* The state's list, one address a line. */
static char *listing(state *s)
{
	char **v;
	size_t n = state_list(&v, s, NULL, 0);
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		gf_buf_printf(&b, "%s\n", v[i]);
	state_strings_free(v, n);
	return gf_buf_detach(&b);
}

static char *serialized(state *s)
{
	gf_buf b = GF_BUF_INIT;
	assert_int_equal(state_serialize(&b, s), 0);
	return gf_buf_detach(&b);
}

static void assert_listing(state *s, const char *want)
{
	char *got = listing(s);
	assert_string_equal(got, want);
	free(got);
}

static void test_move_resource(void **unused)
{
	(void)unused;
	state *s = state_new();
	put(s, "fleet_lb.a[0]", "a0");
	put(s, "fleet_lb.a[1]", "a1");
	put(s, "fleet_lb.z", "z");
	assert_int_equal(move(s, "fleet_lb.a", "fleet_lb.b"), 2);
	assert_listing(s, "fleet_lb.b[0]\nfleet_lb.b[1]\nfleet_lb.z\n");
	assert_string_equal(id_at(s, "fleet_lb.b[1]"), "a1");
	state_addr b;
	state_addr_parse(&b, "fleet_lb.b");
	assert_int_equal(state_resource_find(s, &b)->each, STATE_EACH_LIST);
	state_addr_dispose(&b);
	/* a resource moves into a module, and out again */
	assert_int_equal(move(s, "fleet_lb.z", "module.net[\"x\"].fleet_lb.z"), 1);
	assert_string_equal(id_at(s, "module.net[\"x\"].fleet_lb.z"), "z");
	assert_int_equal(move(s, "module.net[\"x\"].fleet_lb.z", "fleet_lb.y"), 1);
	assert_listing(s, "fleet_lb.b[0]\nfleet_lb.b[1]\nfleet_lb.y\n");
	state_free(s);
}

static void test_move_instance(void **unused)
{
	(void)unused;
	state *s = state_new();
	put(s, "fleet_lb.a", "a");
	/* a keyless side names the no-key instance when the other has a key */
	assert_int_equal(move(s, "fleet_lb.a", "fleet_lb.b[0]"), 1);
	assert_listing(s, "fleet_lb.b[0]\n");
	assert_string_equal(id_at(s, "fleet_lb.b[0]"), "a");
	/* from count to for_each within one resource */
	assert_int_equal(move(s, "fleet_lb.b[0]", "fleet_lb.b[\"web\"]"), 1);
	assert_listing(s, "fleet_lb.b[\"web\"]\n");
	state_addr b;
	state_addr_parse(&b, "fleet_lb.b");
	assert_int_equal(state_resource_find(s, &b)->each, STATE_EACH_MAP);
	state_addr_dispose(&b);
	/* back to a resource without count or for_each */
	assert_int_equal(move(s, "fleet_lb.b[\"web\"]", "fleet_lb.a"), 1);
	assert_listing(s, "fleet_lb.a\n");
	assert_string_equal(id_at(s, "fleet_lb.a"), "a");
	/* the provider comes along */
	state_addr a;
	state_addr_parse(&a, "fleet_lb.a");
	free(state_resource_find(s, &a)->provider);
	state_resource_find(s, &a)->provider = gf_xstrdup(STATE_PROVIDER_RANDOM);
	assert_int_equal(move(s, "fleet_lb.a", "fleet_lb.c[2]"), 1);
	state_addr_dispose(&a);
	state_addr_parse(&a, "fleet_lb.c");
	assert_string_equal(state_resource_find(s, &a)->provider, STATE_PROVIDER_RANDOM);
	state_addr_dispose(&a);
	state_free(s);
}

static void test_move_module(void **unused)
{
	(void)unused;
	state *s = state_new();
	put(s, "module.a.fleet_lb.x", "x");
	put(s, "module.a.module.db.fleet_lb.y", "y");
	put(s, "module.a[0].fleet_lb.other", "o"); /* another instance: stays */
	put(s, "module.ab.fleet_lb.z", "z");       /* a longer name: stays */
	assert_int_equal(move(s, "module.a", "module.b"), 2);
	assert_listing(s, "module.a[0].fleet_lb.other\nmodule.ab.fleet_lb.z\n"
	                  "module.b.fleet_lb.x\nmodule.b.module.db.fleet_lb.y\n");
	assert_string_equal(id_at(s, "module.b.module.db.fleet_lb.y"), "y");
	/* a module gets a count: module.b -> module.b[1] */
	assert_int_equal(move(s, "module.b", "module.b[1]"), 2);
	assert_string_equal(id_at(s, "module.b[1].fleet_lb.x"), "x");
	assert_string_equal(id_at(s, "module.b[1].module.db.fleet_lb.y"), "y");
	/* the serialisation stays canonical: parse → serialize is stable */
	char *text = serialized(s);
	state *back = NULL;
	assert_int_equal(state_parse(&back, text, strlen(text), "moved"), 0);
	char *again = serialized(back);
	assert_string_equal(text, again);
	free(text);
	free(again);
	state_free(back);
	state_free(s);
}

/* A refused move says why and changes nothing. */
static void refused(state *s, const char *from, const char *to, int code, const char *msg)
{
	char *before = serialized(s);
	assert_int_equal(move(s, from, to), code);
	if (!strstr(gf_err_msg(), msg))
		fail_msg("%s -> %s: \"%s\" lacks \"%s\"", from, to, gf_err_msg(), msg);
	char *after = serialized(s);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_move_refused(void **unused)
{
	(void)unused;
	state *s = state_new();
	put(s, "fleet_lb.a", "a");
	put(s, "fleet_lb.b", "b");
	put(s, "fleet_lb.n[0]", "n0");
	put(s, "fleet_lb.n[1]", "n1");
	put(s, "fleet_target_group.t", "t");
	put(s, "data.fleet_lb.d", "d");
	put(s, "module.m.fleet_lb.x", "x");
	put(s, "module.k.fleet_lb.x", "kx");
	refused(s, "fleet_lb.nope", "fleet_lb.c", GF_ENOTFOUND,
	        "Cannot move fleet_lb.nope: does not match anything in the current state.");
	refused(s, "fleet_lb.a[3]", "fleet_lb.c", GF_ENOTFOUND, "does not match anything");
	refused(s, "module.nope", "module.z", GF_ENOTFOUND, "does not match anything");
	refused(s, "fleet_lb.a", "fleet_lb.b", GF_EEXISTS,
	        "Cannot move to fleet_lb.b: there is already a resource at that address in "
	        "the current state.");
	refused(s, "fleet_lb.a", "fleet_lb.n[1]", GF_EEXISTS,
	        "there is already a resource instance at that address");
	refused(s, "module.m", "module.k", GF_EEXISTS, "there is already a module");
	refused(s, "fleet_lb.a", "fleet_target_group.a", GF_EINVALID, "resource types don't match");
	refused(s, "data.fleet_lb.d", "fleet_lb.d", GF_EINVALID,
	        "a data resource can be moved only to another data resource address");
	refused(s, "fleet_lb.a", "data.fleet_lb.e", GF_EINVALID,
	        "a managed resource can be moved only");
	refused(s, "module.m", "fleet_lb.q", GF_EINVALID, "the target must also be a module");
	refused(s, "fleet_lb.a", "module.q", GF_EINVALID, "must also be a whole resource");
	refused(s, "fleet_lb.a[0]", "module.q", GF_EINVALID,
	        "the target must also be a resource instance");
	/* a keyless source with only keyed instances is a whole resource */
	refused(s, "fleet_lb.n", "fleet_lb.m[0]", GF_EINVALID, "must also be a whole resource");
	/* data sources move between data addresses */
	assert_int_equal(move(s, "data.fleet_lb.d", "data.fleet_lb.e"), 1);
	assert_string_equal(id_at(s, "data.fleet_lb.e"), "d");
	state_free(s);
}

static void test_move_dependencies(void **unused)
{
	(void)unused;
	state *s = state_new();
	put(s, "fleet_lb.a", "a");
	put(s, "fleet_lb_listener.l", "l");
	put(s, "fleet_target_group.t", "t");
	put(s, "module.m.fleet_lb.x", "x");
	state_addr la, ta;
	state_addr_parse(&la, "fleet_lb_listener.l");
	state_addr_parse(&ta, "fleet_target_group.t");
	const char *deps_l[] = {"fleet_lb.a", "fleet_target_group.t"};
	const char *deps_t[] = {"module.m.fleet_lb.x"};
	state_instance_set_dependencies(state_instance_find(s, &la), deps_l, 2);
	state_instance_set_dependencies(state_instance_find(s, &ta), deps_t, 1);
	assert_int_equal(move(s, "fleet_lb.a", "fleet_lb.b"), 1);
	const state_instance *l = state_instance_find(s, &la);
	assert_int_equal(l->ndependencies, 2);
	assert_string_equal(l->dependencies[0], "fleet_lb.b");
	assert_string_equal(l->dependencies[1], "fleet_target_group.t");
	assert_string_equal(state_instance_find(s, &ta)->dependencies[0], "module.m.fleet_lb.x");
	assert_int_equal(move(s, "module.m", "module.n[\"k\"]"), 1);
	assert_string_equal(state_instance_find(s, &ta)->dependencies[0], "module.n.fleet_lb.x");
	/* an instance moves: while its resource keeps others, both are named */
	put(s, "fleet_lb.n[0]", "n0");
	put(s, "fleet_lb.n[1]", "n1");
	const char *deps_n[] = {"fleet_lb.n"};
	state_instance_set_dependencies(state_instance_find(s, &ta), deps_n, 1);
	assert_int_equal(move(s, "fleet_lb.n[1]", "fleet_lb.p[\"x\"]"), 1);
	const state_instance *t = state_instance_find(s, &ta);
	assert_int_equal(t->ndependencies, 2);
	assert_string_equal(t->dependencies[0], "fleet_lb.n");
	assert_string_equal(t->dependencies[1], "fleet_lb.p");
	/* the last one moves: the old name goes */
	assert_int_equal(move(s, "fleet_lb.n[0]", "fleet_lb.p[\"y\"]"), 1);
	t = state_instance_find(s, &ta);
	assert_int_equal(t->ndependencies, 1);
	assert_string_equal(t->dependencies[0], "fleet_lb.p");
	state_addr_dispose(&la);
	state_addr_dispose(&ta);
	state_free(s);
}

static void record(const state_addr *from, const state_addr *to, void *payload)
{
	gf_buf *b = payload;
	char *f = state_addr_string(from), *t = state_addr_string(to);
	gf_buf_printf(b, "%s>%s\n", f, t);
	free(f);
	free(t);
}

static void test_move_each_reports(void **unused)
{
	(void)unused;
	state *s = state_new();
	put(s, "module.a.fleet_lb.x[0]", "x0");
	put(s, "module.a.fleet_lb.x[1]", "x1");
	state_addr f, t;
	state_addr_parse(&f, "module.a");
	state_addr_parse(&t, "module.b[\"k\"]");
	gf_buf b = GF_BUF_INIT;
	assert_int_equal(state_move_each(s, &f, &t, record, &b), 2);
	assert_string_equal(gf_buf_cstr(&b),
	                    "module.a.fleet_lb.x[0]>module.b[\"k\"].fleet_lb.x[0]\n"
	                    "module.a.fleet_lb.x[1]>module.b[\"k\"].fleet_lb.x[1]\n");
	gf_buf_dispose(&b);
	state_addr_dispose(&f);
	state_addr_dispose(&t);
	state_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_move_resource),     cmocka_unit_test(test_move_instance),
	        cmocka_unit_test(test_move_module),       cmocka_unit_test(test_move_refused),
	        cmocka_unit_test(test_move_dependencies), cmocka_unit_test(test_move_each_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
