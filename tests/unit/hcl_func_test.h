/*
 * Helpers shared by the function library's unit tests: call a function
 * with arguments written as a JSON array and get the result rendered as
 * terraform console prints it, or "ERR <summary> | <detail>".
 */
#ifndef GF_TEST_HCL_FUNC_H
#define GF_TEST_HCL_FUNC_H

#include "hcl/hcl.h"

#include <string.h>

static gf_arena A;
static hcl_func_env ENV;

static int setup(void **state)
{
	gf_arena_init(&A);
	ENV = (hcl_func_env){.arena = &A, .base_dir = getenv("GF_TEST_DATA")};
	return 0;
}

static int teardown(void **state)
{
	gf_arena_dispose(&A);
	return 0;
}

static const hcl_value *J(const char *json)
{
	const char *why = NULL;
	const hcl_value *v = hcl_value_from_json(&A, json, strlen(json), &why);
	if (!v)
		fail_msg("bad test JSON %s: %s", json, why);
	return v;
}

static int LAST_ARG;

static const char *callv(const char *name, const hcl_value *const *args, size_t n, bool expand)
{
	hcl_func_error err;
	const hcl_value *r = hcl_func_call(&ENV, name, args, n, expand, &err);
	LAST_ARG = err.arg;
	if (!r)
		return gf_arena_printf(&A, "ERR %s | %s", err.summary, err.detail);
	return hcl_value_render(&A, r);
}

/* CALL("substr", "[\"hello\", 1, 3]") */
static const char *CALL(const char *name, const char *json_args)
{
	const hcl_value *t = J(json_args);
	return callv(name, t->u.coll.items, t->u.coll.len, false);
}

#define CHECK(name, args, want) assert_string_equal(CALL(name, args), want)

static const hcl_value *UNK(const hcl_type *t)
{
	return hcl_unknown(&A, t);
}

#endif
