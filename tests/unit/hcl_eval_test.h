/*
 * Helpers shared by the evaluator's unit tests: evaluate one expression
 * against a small fixed scope and get the result rendered as terraform
 * console prints it, or "ERR <summary> | <detail>" for the first error
 * (LAST_DIAGS keeps them all).
 *
 * The scope: var.port = 8080, var.name = "web", var.list = [1, 2, 3],
 * var.names = ["a", "b"], var.obj = {a = 1, b = "x"}, var.nul = null,
 * var.secret = "s3cr3t" (sensitive), var.unk = unknown string,
 * var.unk_list = unknown list(string), var.unk_any = unknown, var.map =
 * tomap({x = 1, y = 2}), var.set = toset(["b", "a"]), var.objs = a list of
 * two objects {id, tags}; local.greeting = "hello"; fleet_lb.web = {id =
 * unknown string, name = "web"}; fleet_lb.many (count) = a tuple of two
 * such objects; data.fleet_lb.x = {id = "d1"}; module.app = {url =
 * "http://x"}; path.* = ".", terraform.workspace = "default", count.index
 * = 1, each.key = "k", each.value = "v"; everything else undeclared.
 */
#ifndef GF_TEST_HCL_EVAL_H
#define GF_TEST_HCL_EVAL_H

#include "hcl/ast.h"
#include "hcl/eval.h"

#include <string.h>

static gf_arena A;
static hcl_diags LAST_DIAGS;

static const hcl_value *J(const char *json)
{
	const char *why = NULL;
	const hcl_value *v = hcl_value_from_json(&A, json, strlen(json), &why);
	if (!v)
		fail_msg("bad test JSON %s: %s", json, why);
	return v;
}

static const hcl_value *conv(const hcl_value *v, const hcl_type *t)
{
	const hcl_value *r = hcl_convert(&A, v, t, NULL);
	if (!r)
		fail_msg("bad test conversion");
	return r;
}

static const hcl_value *web_object(const char *name)
{
	const char *keys[] = {"id", "name"};
	const hcl_value **vals = gf_arena_alloc(&A, 2 * sizeof(*vals));
	vals[0] = hcl_unknown(&A, &hcl_type_string);
	vals[1] = hcl_cstring(&A, name);
	return hcl_object(&A, gf_arena_memdup(&A, keys, sizeof(keys)), vals, 2);
}

static const char *const VAR_NAMES[] = {"list", "map",     "name",    "names",  "nul",
                                        "obj",  "objs",    "port",    "secret", "set",
                                        "unk",  "unk_any", "unk_list"};

static const hcl_value *test_lookup(void *payload, const hcl_ref *ref, gf_arena *a,
                                    hcl_diags *diags)
{
	const char *n = ref->name;
	switch (ref->kind) {
	case HCL_REF_VAR:
		if (!strcmp(n, "port"))
			return hcl_number(a, 8080);
		if (!strcmp(n, "name"))
			return hcl_cstring(a, "web");
		if (!strcmp(n, "list"))
			return J("[1,2,3]");
		if (!strcmp(n, "names"))
			return conv(J("[\"a\",\"b\"]"), hcl_type_list(a, &hcl_type_string));
		if (!strcmp(n, "obj"))
			return J("{\"a\":1,\"b\":\"x\"}");
		if (!strcmp(n, "nul"))
			return hcl_null(a, &hcl_type_string);
		if (!strcmp(n, "secret"))
			return hcl_mark(a, hcl_cstring(a, "s3cr3t"), HCL_MARK_SENSITIVE);
		if (!strcmp(n, "unk"))
			return hcl_unknown(a, &hcl_type_string);
		if (!strcmp(n, "unk_list"))
			return hcl_unknown(a, hcl_type_list(a, &hcl_type_string));
		if (!strcmp(n, "unk_any"))
			return &hcl_unknown_dynamic;
		if (!strcmp(n, "map"))
			return conv(J("{\"x\":1,\"y\":2}"), hcl_type_map(a, &hcl_type_number));
		if (!strcmp(n, "set"))
			return conv(J("[\"b\",\"a\"]"), hcl_type_set(a, &hcl_type_string));
		if (!strcmp(n, "objs"))
			return J(
			        "[{\"id\":\"i-1\",\"tags\":[\"x\"]},{\"id\":\"i-2\",\"tags\":[]}]");
		return hcl_ref_undeclared(diags, ref, VAR_NAMES, GF_ARRAY_LEN(VAR_NAMES), NULL);
	case HCL_REF_LOCAL:
		if (!strcmp(n, "greeting"))
			return hcl_cstring(a, "hello");
		return hcl_ref_undeclared(diags, ref, (const char *const[]){"greeting"}, 1, NULL);
	case HCL_REF_RESOURCE:
		if (!strcmp(ref->type, "fleet_lb") && !strcmp(n, "web"))
			return web_object("web");
		if (!strcmp(ref->type, "fleet_lb") && !strcmp(n, "many")) {
			const hcl_value **items = gf_arena_alloc(a, 2 * sizeof(*items));
			items[0] = web_object("m0");
			items[1] = web_object("m1");
			return hcl_tuple(a, items, 2);
		}
		return hcl_ref_undeclared(diags, ref,
		                          (const char *const[]){"fleet_lb.web", "fleet_lb.many"}, 2,
		                          NULL);
	case HCL_REF_DATA:
		if (!strcmp(ref->type, "fleet_lb") && !strcmp(n, "x"))
			return J("{\"id\":\"d1\"}");
		return hcl_ref_undeclared(diags, ref, (const char *const[]){"fleet_lb.x"}, 1, NULL);
	case HCL_REF_MODULE:
		if (!strcmp(n, "app"))
			return J("{\"url\":\"http://x\"}");
		return hcl_ref_undeclared(diags, ref, (const char *const[]){"app"}, 1, NULL);
	case HCL_REF_PATH:
		return hcl_cstring(a, ".");
	case HCL_REF_TERRAFORM:
		return hcl_cstring(a, "default");
	case HCL_REF_COUNT:
		return hcl_number(a, 1);
	case HCL_REF_EACH:
		return hcl_cstring(a, !strcmp(n, "key") ? "k" : "v");
	case HCL_REF_SELF:
		return hcl_ref_not_allowed(diags, ref);
	}
	return NULL;
}

static hcl_scope SCOPE = {.lookup = test_lookup};

static int setup(void **state)
{
	gf_arena_init(&A);
	hcl_diags_init(&LAST_DIAGS, &A);
	SCOPE.base_dir = getenv("GF_TEST_DATA");
	return 0;
}

static int teardown(void **state)
{
	hcl_diags_dispose(&LAST_DIAGS);
	gf_arena_dispose(&A);
	return 0;
}

/* Evaluates src; the value, or NULL with LAST_DIAGS filled. */
static const hcl_value *EVAL(const char *src)
{
	hcl_diags_dispose(&LAST_DIAGS);
	hcl_diags_init(&LAST_DIAGS, &A);
	hcl_expr *e =
	        hcl_parse_expression("t.tf", src, strlen(src), hcl_pos_start(), &A, &LAST_DIAGS);
	if (hcl_diags_has_errors(&LAST_DIAGS))
		fail_msg("parse error in %s: %s | %s", src, LAST_DIAGS.list.items[0].summary,
		         LAST_DIAGS.list.items[0].detail);
	return hcl_eval(&A, e, &SCOPE, &LAST_DIAGS);
}

static const char *EV(const char *src)
{
	const hcl_value *v = EVAL(src);
	if (!v) {
		assert_true(LAST_DIAGS.errors > 0);
		const hcl_diag *d = &LAST_DIAGS.list.items[0];
		return gf_arena_printf(&A, "ERR %s | %s", d->summary, d->detail ? d->detail : "");
	}
	assert_int_equal(LAST_DIAGS.errors, 0);
	return hcl_value_render(&A, v);
}

/* The subject range of the first diagnostic as "line:col-col". */
static const char *SUBJECT(void)
{
	const hcl_range *r = &LAST_DIAGS.list.items[0].subject;
	return gf_arena_printf(&A, "%d:%d-%d", r->start.line, r->start.column, r->end.column);
}

#define CHECK(src, want) assert_string_equal(EV(src), want)

#endif
