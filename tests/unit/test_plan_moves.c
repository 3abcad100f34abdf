/* plan: moved blocks (src/plan/moves.c) — a rename plans no change but a
 * move, chains collapse, cycles are errors naming the statements, a taken
 * destination is a warning and the object left behind an orphan, a `from`
 * still declared is an error, statements of child modules apply to each
 * of their instances, whole module calls move every instance, and a saved
 * plan of moves alone keeps them. Golden renderings in tests/data/plan/
 * (GF_UPDATE_GOLDEN=1 rewrites them). No daemon: refresh is off. */
#include "plan_fixture.h"

static void expect_diag(const char *needle)
{
	if (!strstr(diags(), needle))
		fail_msg("expected [%s] in diagnostics:\n%s", needle, diags());
}

/* A terraform_data object with `input` (a JSON value) in ST. */
static void data_at(const char *addr, const char *id, const char *input)
{
	state_addr a;
	assert_int_equal(state_addr_parse(&a, addr), 0);
	state_instance *i = state_instance_ensure(ST, &a, STATE_PROVIDER_BUILTIN);
	char *text =
	        gf_xasprintf("{\"id\":\"%s\",\"input\":%s,\"output\":%s,\"triggers_replace\":null}",
	                     id, input, input);
	state_instance_set_attributes(i, json_loads(text, 0, NULL));
	free(text);
	state_addr_dispose(&a);
}

static bool in_prior(const char *addr)
{
	state_addr a;
	assert_int_equal(state_addr_parse(&a, addr), 0);
	bool found = state_instance_find(P->prior, &a) != NULL;
	state_addr_dispose(&a);
	return found;
}

static void assert_counts(int add, int chg, int del)
{
	int a, c, d;
	plan_counts(P, &a, &c, &d);
	assert_int_equal(a, add);
	assert_int_equal(c, chg);
	assert_int_equal(d, del);
}

static void test_rename(void **unused)
{
	(void)unused;
	data_at("terraform_data.a", "a1", "\"x\"");
	assert_non_null(make("resource \"terraform_data\" \"b\" { input = \"x\" }\n"
	                     "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                     NULL));
	const plan_change *c = change("terraform_data.b");
	assert_int_equal(c->action, PLAN_NOOP);
	assert_string_equal(c->prev_addr, "terraform_data.a");
	assert_counts(0, 0, 0);
	assert_false(plan_is_empty(P));
	assert_true(in_prior("terraform_data.b"));
	assert_false(in_prior("terraform_data.a"));
	golden("moved.txt");

	/* moved and changed: an update that says where it came from */
	assert_non_null(make("resource \"terraform_data\" \"b\" { input = \"y\" }\n"
	                     "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                     NULL));
	assert_int_equal(change("terraform_data.b")->action, PLAN_UPDATE);
	assert_counts(0, 1, 0);
	golden("moved_update.txt");

	/* applied already: `from` holds nothing, the statement is a no-op */
	state_free(ST);
	ST = state_new();
	data_at("terraform_data.b", "a1", "\"x\"");
	assert_non_null(make("resource \"terraform_data\" \"b\" { input = \"x\" }\n"
	                     "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                     NULL));
	assert_null(change("terraform_data.b")->prev_addr);
	assert_true(plan_is_empty(P));
}

static void test_chain_and_cycle(void **unused)
{
	(void)unused;
	data_at("terraform_data.a", "a1", "null");
	/* statements out of order: b -> c is declared before a -> b */
	assert_non_null(make("resource \"terraform_data\" \"c\" {}\n"
	                     "moved {\n  from = terraform_data.b\n  to   = terraform_data.c\n}\n"
	                     "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                     NULL));
	assert_string_equal(change("terraform_data.c")->prev_addr, "terraform_data.a");
	assert_int_equal(P->moves.len, 1);
	assert_string_equal(P->moves.items[0].to, "terraform_data.c");

	assert_null(make("resource \"terraform_data\" \"c\" {}\n"
	                 "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n"
	                 "moved {\n  from = terraform_data.b\n  to   = terraform_data.a\n}\n",
	                 NULL));
	expect_diag("Cyclic dependency in move statements | The following chained move "
	            "statements form a cycle, and so there is no final location to move objects "
	            "to:\n  - ");
	expect_diag("main.tf:2,1: terraform_data.a → terraform_data.b\n  - ");
	expect_diag("main.tf:6,1: terraform_data.b → terraform_data.a\n\nA chain of move");
}

static void test_blocked_and_still_declared(void **unused)
{
	(void)unused;
	data_at("terraform_data.a", "a1", "null");
	data_at("terraform_data.b", "b1", "null");
	assert_non_null(make("resource \"terraform_data\" \"b\" {}\n"
	                     "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                     NULL));
	expect_diag("Unresolved resource instance address changes | gitfleet tried to adjust "
	            "resource instance addresses in the prior state based on change information "
	            "recorded in the configuration, but some adjustments did not succeed due to "
	            "existing objects already at the intended addresses:\n  - terraform_data.a "
	            "could not move to terraform_data.b\n\ngitfleet has planned to destroy these "
	            "objects.");
	assert_int_equal(CFG->diags.errors, 0);
	/* the object left behind is planned like any orphan */
	assert_int_equal(change("terraform_data.a")->action, PLAN_DELETE);
	assert_int_equal(change("terraform_data.b")->action, PLAN_NOOP);
	assert_null(change("terraform_data.b")->prev_addr);

	assert_null(make("resource \"terraform_data\" \"a\" {}\n"
	                 "resource \"terraform_data\" \"b\" {}\n"
	                 "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                 NULL));
	expect_diag("Moved object still exists | This statement declares a move from "
	            "terraform_data.a, but that resource is still declared at ");
	expect_diag("main.tf:1,1.\n\nChange your configuration so that this resource will be "
	            "declared as terraform_data.b instead.");
}

static void test_count_and_module(void **unused)
{
	(void)unused;
	data_at("terraform_data.a", "a1", "null");
	data_at("terraform_data.k", "k1", "null");
	put("m/main.tf", "resource \"terraform_data\" \"k\" {}\n");
	/* count added: the keyless object becomes [0]; into a module */
	assert_non_null(
	        make("resource \"terraform_data\" \"a\" { count = 1 }\n"
	             "moved {\n  from = terraform_data.a\n  to   = terraform_data.a[0]\n}\n"
	             "module \"m\" { source = \"./m\" }\n"
	             "moved {\n  from = terraform_data.k\n  to   = module.m.terraform_data.k\n}\n",
	             NULL));
	assert_string_equal(change("terraform_data.a[0]")->prev_addr, "terraform_data.a");
	assert_int_equal(change("terraform_data.a[0]")->action, PLAN_NOOP);
	assert_string_equal(change("module.m.terraform_data.k")->prev_addr, "terraform_data.k");
	assert_counts(0, 0, 0);
	golden("moved_module.txt");
}

static void test_child_statements_and_calls(void **unused)
{
	(void)unused;
	data_at("module.old[0].terraform_data.a", "a0", "null");
	data_at("module.old[1].terraform_data.a", "a1", "null");
	/* the child renames a to b in each of its instances; the root renames
	 * the call: the root's statement runs first */
	put("m/main.tf", "resource \"terraform_data\" \"b\" {}\n"
	                 "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n");
	assert_non_null(make("module \"new\" {\n  source = \"./m\"\n  count  = 2\n}\n"
	                     "moved {\n  from = module.old\n  to   = module.new\n}\n",
	                     NULL));
	assert_string_equal(change("module.new[0].terraform_data.b")->prev_addr,
	                    "module.old[0].terraform_data.a");
	assert_string_equal(change("module.new[1].terraform_data.b")->prev_addr,
	                    "module.old[1].terraform_data.a");
	assert_counts(0, 0, 0);
	/* a module call still declared */
	assert_null(make("module \"new\" {\n  source = \"./m\"\n  count  = 2\n}\n"
	                 "module \"old\" {\n  source = \"./m\"\n}\n"
	                 "moved {\n  from = module.old\n  to   = module.new\n}\n",
	                 NULL));
	expect_diag("Moved object still exists | This statement declares a move from module.old, "
	            "but that module call is still declared at ");
	expect_diag("main.tf:5,1.\n\nChange your configuration so that this call will be "
	            "declared as module.new instead.");
}

static void test_removed(void **unused)
{
	(void)unused;
	data_at("terraform_data.a", "a1", "\"x\"");
	data_at("module.m[0].terraform_data.k", "k0", "null");
	data_at("module.m[1].terraform_data.k", "k1", "null");
	assert_non_null(make("removed {\n  from = terraform_data.a\n"
	                     "  lifecycle {\n    destroy = false\n  }\n}\n"
	                     "removed {\n  from = module.m\n"
	                     "  lifecycle {\n    destroy = false\n  }\n}\n",
	                     NULL));
	assert_int_equal(change("terraform_data.a")->action, PLAN_FORGET);
	assert_int_equal(change("module.m[1].terraform_data.k")->action, PLAN_FORGET);
	assert_counts(0, 0, 0);
	assert_false(plan_is_empty(P));
	expect_diag("Some objects will no longer be managed by gitfleet | If you apply this plan, "
	            "gitfleet will discard its tracking information for the following objects, "
	            "but it will not delete them:\n - terraform_data.a\n - "
	            "module.m[0].terraform_data.k\n - module.m[1].terraform_data.k\n\n");
	golden("removed.txt");

	/* destroy = true, or no lifecycle: destroyed as any orphan */
	assert_non_null(make("removed {\n  from = terraform_data.a\n}\n", NULL));
	assert_int_equal(change("terraform_data.a")->action, PLAN_DELETE);
	assert_int_equal(change("module.m[0].terraform_data.k")->action, PLAN_DELETE);
	assert_counts(0, 0, 3);

	assert_null(make("resource \"terraform_data\" \"a\" {}\n"
	                 "removed {\n  from = terraform_data.a\n"
	                 "  lifecycle {\n    destroy = false\n  }\n}\n",
	                 NULL));
	expect_diag("Removed resource still exists | This statement declares that "
	            "terraform_data.a was removed, but it is still declared in configuration.");
}

static void test_saved_plan_keeps_moves(void **unused)
{
	(void)unused;
	data_at("terraform_data.a", "a1", "null");
	assert_non_null(make("resource \"terraform_data\" \"b\" {}\n"
	                     "moved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n",
	                     NULL));
	char path[512];
	snprintf(path, sizeof(path), "%s/saved.plan", DIR_);
	assert_int_equal(plan_write(P, path), 0);
	plan_file f;
	assert_int_equal(plan_read(&f, path), 0);
	/* the saved prior is post-move: made again, nothing moves ... */
	plan *again = plan_make(CFG, f.prior, &f.opts, &CONN);
	assert_non_null(again);
	assert_int_equal(again->moves.len, 0);
	assert_int_equal(plan_file_match(&f, again), 0);
	/* ... until the saved moves are restored */
	plan_file_restore(again, &f);
	assert_false(plan_is_empty(again));
	const plan_change *c = NULL;
	for (size_t i = 0; i < again->changes.len; i++)
		if (!strcmp(again->changes.items[i]->addr, "terraform_data.b"))
			c = again->changes.items[i];
	assert_non_null(c);
	assert_string_equal(c->prev_addr, "terraform_data.a");
	plan_free(again);
	plan_file_dispose(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_chain_and_cycle, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_blocked_and_still_declared, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_count_and_module, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_child_statements_and_calls, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_removed, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_saved_plan_keeps_moves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
