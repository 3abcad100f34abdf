/*
 * Test helper (not a test itself: no test_ prefix): the fixture of the
 * plan engine's tests. Each test plans a configuration written to a fresh
 * directory against the state ST, without a daemon (refresh off; the
 * connection points nowhere), and checks the changes, the diagnostics or
 * the rendering against a golden file in tests/data/plan/
 * (GF_UPDATE_GOLDEN=1 rewrites them).
 */
#ifndef GF_TEST_PLAN_FIXTURE_H
#define GF_TEST_PLAN_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "config/config.h"
#include "plan/plan.h"
#include "provider/provider.h"
#include "state/state.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char DIR_[256];
static config *CFG;
static plan *P;
static state *ST;
static provider_conn CONN;

static inline int setup(void **unused)
{
	(void)unused;
	snprintf(DIR_, sizeof(DIR_), "%s/gf-plantest-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(DIR_));
	CFG = NULL;
	P = NULL;
	ST = state_new();
	provider_conn_init(&CONN, "unix:/nonexistent", NULL);
	return 0;
}

static inline int teardown(void **unused)
{
	(void)unused;
	plan_free(P);
	config_free(CFG);
	state_free(ST);
	provider_conn_dispose(&CONN);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", DIR_);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Writes DIR_/rel (its directory made first). */
static inline void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", DIR_, rel);
	for (char *slash = strchr(path + strlen(DIR_) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	assert_int_equal(gf_fs_write_atomic(path, text, strlen(text), 0644), 0);
}

/* Plans the root module `tf` (other files written with put) against ST
 * with `o` (NULL: defaults); NULL when loading or planning failed. */
static inline plan *make(const char *tf, const plan_options *o)
{
	put("main.tf", tf);
	plan_free(P);
	config_free(CFG);
	CFG = config_load(DIR_);
	config_set_variables(CFG, NULL, 0, NULL);
	plan_options def = {0};
	P = hcl_diags_has_errors(&CFG->diags) ? NULL : plan_make(CFG, ST, o ? o : &def, &CONN);
	return P;
}

/* Every diagnostic as "summary | detail" lines. */
static inline const char *diags(void)
{
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < CFG->diags.list.len; i++)
		gf_buf_printf(&b, "%s | %s\n", CFG->diags.list.items[i].summary,
		              CFG->diags.list.items[i].detail ? CFG->diags.list.items[i].detail
		                                              : "");
	char *s = gf_arena_strdup(&CFG->arena, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return s;
}

static inline const plan_change *change(const char *addr)
{
	for (size_t i = 0; P && i < P->changes.len; i++)
		if (!strcmp(P->changes.items[i]->addr, addr))
			return P->changes.items[i];
	fail_msg("no change for %s", addr);
	return NULL;
}

/* P rendered as `plan` renders it, against tests/data/plan/<name>. */
static inline void golden(const char *name)
{
	gf_buf out = GF_BUF_INIT;
	plan_render_opts ro = {false, false};
	plan_render(&out, P, &ro);
	char path[512];
	snprintf(path, sizeof(path), "%s/plan/%s", getenv("GF_TEST_DATA"), name);
	if (getenv("GF_UPDATE_GOLDEN"))
		gf_fs_write_atomic(path, out.ptr, out.len, 0644);
	gf_buf want = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&want, path), 0);
	if (strcmp(gf_buf_cstr(&want), gf_buf_cstr(&out)) != 0)
		fail_msg("%s differs; got:\n%s", name, gf_buf_cstr(&out));
	gf_buf_dispose(&want);
	gf_buf_dispose(&out);
}

#endif
