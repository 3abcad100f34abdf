/*
 * Unit tests of diagnostics rendering: terraform's three text forms and
 * `validate -json`, and the golden files of tests/data/hcl/diag/: each
 * NAME.tf is parsed and its diagnostics must render exactly as NAME.txt
 * (box form, width 78) and NAME.json (the JSON array).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hcl/ast.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char example_src[] = "resource \"fleet_lb\" \"web\" {\n"
                                  "  name = \"a\"\n"
                                  "  nmae = \"x\"\n"
                                  "}\n";

/* Parses the example and adds the diagnostic the config layer would add. */
static void example(gf_arena *a, hcl_diags *d, hcl_sources *s)
{
	hcl_diags_init(d, a);
	hcl_body *body = hcl_parse_file("main.tf", example_src, strlen(example_src), a, d);
	assert_false(hcl_diags_has_errors(d));
	const hcl_attribute *at = hcl_body_attribute(body->items[0].u.block->body, "nmae");
	hcl_diags_add(d, HCL_DIAG_ERROR, &at->name_range, "Unsupported argument",
	              "An argument named \"%s\" is not expected here. Did you mean \"%s\"?", "nmae",
	              "name");
	memset(s, 0, sizeof(*s));
	hcl_sources_add(s, "main.tf", example_src, strlen(example_src), body);
}

static void check_render(hcl_render_style style, const char *want)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_sources s;
	example(&a, &d, &s);
	gf_buf out;
	gf_buf_init(&out, 0);
	hcl_diag_render(&out, &d.list.items[0], &s, style, 78);
	if (strcmp(gf_buf_cstr(&out), want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", gf_buf_cstr(&out), want);
	gf_buf_dispose(&out);
	hcl_sources_dispose(&s);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_render_box(void **state)
{
	check_render(HCL_RENDER_BOX,
	             "╷\n"
	             "│ Error: Unsupported argument\n"
	             "│\n"
	             "│   on main.tf line 3, in resource \"fleet_lb\" \"web\":\n"
	             "│    3:   nmae = \"x\"\n"
	             "│\n"
	             "│ An argument named \"nmae\" is not expected here. Did you mean \"name\"?\n"
	             "╵\n");
}

static void test_render_plain(void **state)
{
	check_render(HCL_RENDER_PLAIN,
	             "\n"
	             "Error: Unsupported argument\n"
	             "\n"
	             "  on main.tf line 3, in resource \"fleet_lb\" \"web\":\n"
	             "   3:   nmae = \"x\"\n"
	             "\n"
	             "An argument named \"nmae\" is not expected here. Did you mean \"name\"?\n");
}

static void test_render_color(void **state)
{
	/* terraform's colorstring appends a reset after every coloured
	 * fragment; the bytes below are what terraform writes. */
#define R  "\033[0m"
#define RL "\033[31m│" R " " R
	check_render(HCL_RENDER_COLOR,
	             "\033[31m╷" R R "\n" RL "\033[1m\033[31mError: " R R
	             "\033[1mUnsupported argument" R "\n" RL "\n" RL R
	             "  on main.tf line 3, in resource \"fleet_lb\" \"web\":\n" RL
	             "   3:   \033[4mnmae" R " = \"x\"" R "\n" RL "\n" RL
	             "An argument named \"nmae\" is not expected here. Did you mean \"name\"?\n"
	             "\033[31m╵" R R "\n");
#undef R
#undef RL
}

static void test_render_json(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_sources s;
	example(&a, &d, &s);
	json_t *j = hcl_diag_to_json(&d.list.items[0], &s);
	char *got = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
	        got,
	        "{\"detail\":\"An argument named \\\"nmae\\\" is not expected here. Did you mean "
	        "\\\"name\\\"?\",\"range\":{\"end\":{\"byte\":47,\"column\":7,\"line\":3},"
	        "\"filename\":\"main.tf\",\"start\":{\"byte\":43,\"column\":3,\"line\":3}},"
	        "\"severity\":\"error\",\"snippet\":{\"code\":\"  nmae = \\\"x\\\"\","
	        "\"context\":\"resource \\\"fleet_lb\\\" \\\"web\\\"\",\"highlight_end_offset\":6,"
	        "\"highlight_start_offset\":2,\"start_line\":3,\"values\":[]},"
	        "\"summary\":\"Unsupported argument\"}");
	free(got);
	json_decref(j);
	hcl_sources_dispose(&s);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_render_no_source_and_no_range(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_range r = {"gone.tf", {2, 1, 10}, {2, 4, 13}};
	hcl_diags_add(&d, HCL_DIAG_WARNING, &r, "Deprecated", NULL);
	hcl_diags_add(&d, HCL_DIAG_ERROR, NULL, "No configuration files", "Nothing to do.");
	gf_buf out;
	gf_buf_init(&out, 0);
	hcl_diags_render(&out, &d, NULL, HCL_RENDER_BOX, 78);
	assert_string_equal(gf_buf_cstr(&out), "╷\n"
	                                       "│ Warning: Deprecated\n"
	                                       "│\n"
	                                       "│   on gone.tf line 2:\n"
	                                       "│   (source code not available)\n"
	                                       "│\n"
	                                       "╵\n"
	                                       "\n"
	                                       "╷\n"
	                                       "│ Error: No configuration files\n"
	                                       "│\n"
	                                       "│ Nothing to do.\n"
	                                       "╵\n"
	                                       "\n");
	json_t *j = hcl_diag_to_json(&d.list.items[1], NULL);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s, "{\"detail\":\"Nothing to do.\",\"severity\":\"error\","
	                       "\"summary\":\"No configuration files\"}");
	free(s);
	json_decref(j);
	gf_buf_dispose(&out);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_render_wrap(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_diags d;
	hcl_diags_init(&d, &a);
	hcl_diags_add(
	        &d, HCL_DIAG_ERROR, NULL, "S",
	        "aaa bbb ccc dddddddddddddddddddd e\n  indented line is never wrapped at all\n");
	gf_buf out;
	gf_buf_init(&out, 0);
	hcl_diags_render(&out, &d, NULL, HCL_RENDER_PLAIN, 13);
	assert_string_equal(gf_buf_cstr(&out), "\nError: S\n\naaa bbb ccc\n"
	                                       "dddddddddddddddddddd\ne\n"
	                                       "  indented line is never wrapped at all\n\n\n");
	gf_buf_dispose(&out);
	hcl_diags_dispose(&d);
	gf_arena_dispose(&a);
}

static void test_range_string(void **state)
{
	gf_arena a;
	gf_arena_init(&a);
	hcl_range r = {"m.tf", {3, 3, 20}, {3, 7, 24}};
	assert_string_equal(hcl_range_string(&a, &r), "m.tf:3,3-7");
	r.end.line = 5;
	r.end.column = 1;
	assert_string_equal(hcl_range_string(&a, &r), "m.tf:3,3-5,1");
	gf_arena_dispose(&a);
}

static char *read_text(const char *path)
{
	gf_buf b;
	gf_buf_init(&b, 1 << 20);
	if (gf_fs_read(&b, path) != 0) {
		gf_buf_dispose(&b);
		return NULL;
	}
	return gf_buf_detach(&b);
}

static void test_golden(void **state)
{
	const char *data = getenv("GF_TEST_DATA");
	assert_non_null(data);
	char *dir = gf_path_join(data, "hcl/diag");
	DIR *dh = opendir(dir);
	assert_non_null(dh);
	int checked = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		size_t n = strlen(de->d_name);
		if (n < 4 || strcmp(de->d_name + n - 3, ".tf") != 0)
			continue;
		char *path = gf_path_join(dir, de->d_name);
		char *src = read_text(path);
		assert_non_null(src);
		gf_arena a;
		gf_arena_init(&a);
		hcl_diags d;
		hcl_diags_init(&d, &a);
		hcl_body *body = hcl_parse_file(de->d_name, src, strlen(src), &a, &d);
		hcl_sources s = {0};
		hcl_sources_add(&s, de->d_name, src, strlen(src), body);
		gf_buf text;
		gf_buf_init(&text, 0);
		hcl_diags_render(&text, &d, &s, HCL_RENDER_BOX, 78);
		json_t *arr = json_array();
		for (size_t i = 0; i < d.list.len; i++)
			json_array_append_new(arr, hcl_diag_to_json(&d.list.items[i], &s));
		char *js = json_dumps(arr, JSON_SORT_KEYS | JSON_INDENT(2));
		char *base = gf_xstrndup(path, strlen(path) - 3);
		char *txt_path = gf_xasprintf("%s.txt", base);
		char *json_path = gf_xasprintf("%s.json", base);
		if (getenv("GF_UPDATE_GOLDEN")) {
			gf_fs_write_atomic(txt_path, text.ptr ? text.ptr : "", text.len, 0644);
			gf_fs_write_atomic(json_path, js, strlen(js), 0644);
		}
		char *want_txt = read_text(txt_path);
		char *want_json = read_text(json_path);
		if (!want_txt || strcmp(want_txt, gf_buf_cstr(&text)) != 0)
			fail_msg("%s: rendered diagnostics differ from %s:\n%s", de->d_name,
			         txt_path, gf_buf_cstr(&text));
		if (!want_json || strcmp(want_json, js) != 0)
			fail_msg("%s: JSON differs from %s:\n%s", de->d_name, json_path, js);
		assert_true(d.list.len > 0);
		checked++;
		free(want_txt);
		free(want_json);
		free(txt_path);
		free(json_path);
		free(base);
		free(js);
		json_decref(arr);
		gf_buf_dispose(&text);
		hcl_sources_dispose(&s);
		hcl_diags_dispose(&d);
		gf_arena_dispose(&a);
		free(src);
		free(path);
	}
	closedir(dh);
	free(dir);
	assert_true(checked >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_render_box),
	        cmocka_unit_test(test_render_plain),
	        cmocka_unit_test(test_render_color),
	        cmocka_unit_test(test_render_json),
	        cmocka_unit_test(test_render_no_source_and_no_range),
	        cmocka_unit_test(test_render_wrap),
	        cmocka_unit_test(test_range_string),
	        cmocka_unit_test(test_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
