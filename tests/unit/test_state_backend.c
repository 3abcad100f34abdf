/* Unit tests of the local backend and the working directory record: the
 * serial counts content changes only, the previous state is kept as a
 * backup, another lineage is refused, push follows terraform's rules, a
 * lock held by another process (fork) is reported with its info and
 * released when that process dies, and plan-like commands see whether
 * init is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config/config.h"
#include "http/api.h"
#include "state/state.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static int setup(void **unused)
{
	snprintf(dir, sizeof(dir), "/tmp/gf-state-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **unused)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static state_backend *open_local(const char *path)
{
	json_t *conf = path ? json_pack("{s:s}", "path", path) : NULL;
	state_backend *b = NULL;
	if (state_backend_open(&b, "local", conf, dir) != 0)
		fail_msg("%s", gf_err_msg());
	json_decref(conf);
	return b;
}

static char *in_dir(const char *name)
{
	return gf_path_join(dir, name);
}

static void test_local_write_read(void **unused)
{
	state_backend *b = open_local(NULL);
	char *path = in_dir("gitfleet.tfstate"), *backup = in_dir("gitfleet.tfstate.backup");
	assert_string_equal(state_backend_describe(b), path);
	state *s;
	assert_int_equal(state_backend_read(b, &s), 0);
	assert_null(s);

	s = state_new();
	state_addr a;
	assert_int_equal(state_addr_parse(&a, "fleet_lb.web"), 0);
	state_instance_set_attributes(state_instance_ensure(s, &a, NULL),
	                              json_pack("{s:s}", "id", "web"));
	assert_int_equal(state_backend_write(b, s), 0);
	assert_int_equal(s->serial, 1);
	assert_false(gf_fs_exists(backup));
	/* The same content again: nothing written, same serial. */
	assert_int_equal(state_backend_write(b, s), 0);
	assert_int_equal(s->serial, 1);
	state_output_set(s, "x", json_integer(1), json_string("number"), false);
	assert_int_equal(state_backend_write(b, s), 0);
	assert_int_equal(s->serial, 2);
	/* The backup is the state as it was before this backend's first write
	 * (terraform's: before the command): there was none. */
	assert_false(gf_fs_exists(backup));

	/* Another process (a new backend) reads what was written. */
	state_backend *b2 = open_local(NULL);
	state *r;
	assert_int_equal(state_backend_read(b2, &r), 0);
	assert_non_null(r);
	assert_int_equal(r->serial, 2);
	assert_string_equal(r->lineage, s->lineage);
	assert_non_null(state_instance_find(r, &a));
	gf_buf raw = GF_BUF_INIT;
	assert_int_equal(state_backend_read_raw(b2, &raw), 0);
	gf_buf mine = GF_BUF_INIT;
	state_serialize(&mine, s);
	assert_string_equal(gf_buf_cstr(&raw), gf_buf_cstr(&mine));

	/* A state of another lineage is refused, and the file is untouched. */
	state *other = state_new();
	assert_int_equal(state_backend_write(b2, other), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "lineage"));
	assert_int_equal(state_backend_push(b2, other, false), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "unrelated state"));
	/* Push: an older serial is refused, a newer one taken as is, -force
	 * takes anything. */
	state *old = state_copy(r);
	old->serial = 1;
	assert_int_equal(state_backend_push(b2, old, false), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "newer state with serial 2"));
	old->serial = 2;
	state_outputs_clear(old);
	assert_int_equal(state_backend_push(b2, old, false), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "same serial"));
	old->serial = 9;
	assert_int_equal(state_backend_push(b2, old, false), 0);
	gf_buf bk = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&bk, backup), 0);
	assert_string_equal(gf_buf_cstr(&bk), gf_buf_cstr(&mine));
	gf_buf_dispose(&bk);
	state *check;
	assert_int_equal(state_backend_read(b, &check), 0);
	assert_int_equal(check->serial, 9);
	state_free(check);
	assert_int_equal(state_backend_push(b2, other, true), 0);
	assert_int_equal(state_backend_read(b, &check), 0);
	assert_string_equal(check->lineage, other->lineage);
	state_free(check);

	assert_int_equal(state_backend_delete(b), 0);
	assert_false(gf_fs_exists(path));

	state_addr_dispose(&a);
	gf_buf_dispose(&raw);
	gf_buf_dispose(&mine);
	state_free(s);
	state_free(r);
	state_free(old);
	state_free(other);
	state_backend_free(b);
	state_backend_free(b2);
	free(path);
	free(backup);
}

static void test_corrupt_state_kept(void **unused)
{
	char *path = in_dir("broken.tfstate");
	assert_int_equal(gf_fs_write_atomic(path, "{\"version\": 4,", 14, 0644), 0);
	state_backend *b = open_local("broken.tfstate");
	state *s = state_new();
	assert_int_equal(state_backend_write(b, s), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "broken.tfstate: invalid state: not JSON"));
	gf_buf c = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&c, path), 0);
	assert_string_equal(gf_buf_cstr(&c), "{\"version\": 4,");
	gf_buf_dispose(&c);
	state_free(s);
	state_backend_free(b);
	free(path);
}

static void test_lock_info(void **unused)
{
	state_lock_info li, back;
	assert_int_equal(state_lock_info_init(&li, "OperationTypeApply", "x.tfstate"), 0);
	assert_int_equal(strlen(li.id), 36);
	assert_non_null(strchr(li.who, '@'));
	assert_int_equal(strlen(li.created), 30); /* 2026-01-02T03:04:05.123456789Z */
	assert_int_equal(li.created[29], 'Z');
	json_t *j = state_lock_info_to_json(&li);
	const char *keys[] = {"ID", "Operation", "Info", "Who", "Version", "Created", "Path"};
	for (size_t i = 0; i < GF_ARRAY_LEN(keys); i++)
		assert_true(json_is_string(json_object_get(j, keys[i])));
	assert_string_equal(json_string_value(json_object_get(j, "Path")), "x.tfstate");
	assert_int_equal(state_lock_info_from_json(&back, j), 0);
	assert_memory_equal(&li, &back, sizeof(li));
	json_decref(j);
	assert_int_equal(state_lock_info_parse(&back, "[1]", 3), GF_EINVALID);

	gf_buf out = GF_BUF_INIT;
	snprintf(li.created, sizeof(li.created), "2026-01-02T03:04:05.5Z");
	state_lock_error_format(&out, &li, "held elsewhere");
	const char *t = gf_buf_cstr(&out);
	assert_true(gf_str_has_prefix(t, "Error acquiring the state lock\n\nError message: held "
	                                 "elsewhere\nLock Info:\n  ID:        "));
	assert_non_null(strstr(t, "  Created:   2026-01-02 03:04:05.5 +0000 UTC\n"));
	assert_non_null(strstr(t, "  Operation: OperationTypeApply\n"));
	char *advice = gf_xasprintf("gitfleet force-unlock %s\n", li.id);
	assert_non_null(strstr(t, advice));
	assert_non_null(strstr(t, "\"-lock=false\""));
	free(advice);
	gf_buf_dispose(&out);
}

static void test_local_lock(void **unused)
{
	state_backend *b = open_local("locked.tfstate");
	char *info_path = in_dir(".locked.tfstate.lock.info");
	int ready[2], done[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The other locker: takes the lock, says so, waits to be told. */
		state_backend *c = open_local("locked.tfstate");
		state_lock_info li;
		state_lock_info_init(&li, "OperationTypeApply", NULL);
		snprintf(li.info, sizeof(li.info), "child");
		char ok = state_backend_lock(c, &li, NULL) == 0 ? 'y' : 'n';
		if (write(ready[1], &ok, 1) != 1)
			_exit(2);
		char x;
		if (read(done[0], &x, 1) != 1)
			_exit(3);
		if (x == 'u')
			state_backend_unlock(c);
		_exit(0); /* 'k': die holding it */
	}
	char ok;
	assert_int_equal(read(ready[0], &ok, 1), 1);
	assert_int_equal(ok, 'y');
	assert_true(gf_fs_exists(info_path));

	state_lock_info li, holder;
	state_lock_info_init(&li, "OperationTypePlan", NULL);
	assert_int_equal(state_backend_lock(b, &li, &holder), GF_ELOCKED);
	assert_string_equal(holder.info, "child");
	assert_string_equal(holder.operation, "OperationTypeApply");
	assert_non_null(strstr(holder.path, "locked.tfstate"));
	/* With a timeout: the message is terraform's, with the holder's ID. */
	double t0 = gf_now();
	assert_int_equal(state_backend_lock_wait(b, "OperationTypePlan", 0.3), GF_ELOCKED);
	assert_true(gf_now() - t0 >= 0.29);
	assert_non_null(strstr(gf_err_msg(), "Error acquiring the state lock"));
	char *advice = gf_xasprintf("gitfleet force-unlock %s", holder.id);
	assert_non_null(strstr(gf_err_msg(), advice));
	free(advice);
	/* Forcing a live holder's local lock is refused. */
	assert_int_equal(state_backend_force_unlock(b, holder.id), GF_ELOCKED);
	assert_non_null(strstr(gf_err_msg(), "cannot be unlocked by another process"));
	/* A writer without the lock: not prevented at the file level (locks are
	 * advisory), so the commands lock first; here the holder dies. */
	assert_int_equal(write(done[1], "k", 1), 1);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The kernel released it; the stale info file does not matter. */
	assert_true(gf_fs_exists(info_path));
	assert_int_equal(state_backend_lock_wait(b, "OperationTypeApply", 0), 0);
	assert_non_null(state_backend_lock_id(b));
	gf_buf info = GF_BUF_INIT;
	assert_int_equal(gf_fs_read(&info, info_path), 0);
	assert_non_null(strstr(gf_buf_cstr(&info), state_backend_lock_id(b)));
	gf_buf_dispose(&info);
	/* Locking twice from the same backend is a bug, reported. */
	assert_int_equal(state_backend_lock(b, &li, NULL), GF_EEXISTS);
	assert_int_equal(state_backend_unlock(b), 0);
	assert_false(gf_fs_exists(info_path));
	assert_null(state_backend_lock_id(b));
	/* A stale info file with no live holder can be forced away. */
	assert_int_equal(gf_fs_write_atomic(info_path, "{\"ID\": \"abc\"}", 13, 0644), 0);
	assert_int_equal(state_backend_force_unlock(b, "other"), GF_EINVALID);
	assert_int_equal(state_backend_force_unlock(b, "abc"), 0);
	assert_false(gf_fs_exists(info_path));
	assert_int_equal(state_backend_force_unlock(b, "abc"), GF_ENOTFOUND);

	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	free(info_path);
	state_backend_free(b);
}

static void test_backend_config(void **unused)
{
	state_backend *b = NULL;
	json_t *c = json_pack("{s:s}", "pth", "x");
	assert_int_equal(state_backend_open(&b, "local", c, dir), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "did you mean \"path\""));
	json_decref(c);
	assert_int_equal(state_backend_open(&b, "s3", NULL, dir), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "unsupported backend type \"s3\""));
	assert_int_equal(state_backend_open(&b, "http", NULL, dir), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "\"address\" is required"));
	c = json_pack("{s:s}", "address", "ftp://x");
	assert_int_equal(state_backend_open(&b, "http", c, dir), GF_EINVALID);
	json_decref(c);
	c = json_pack("{s:s}", "name", "Bad_Name");
	assert_int_equal(state_backend_open(&b, "gitfleet", c, dir), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "is not valid"));
	json_decref(c);
	c = json_pack("{s:s, s:s}", "name", "site", "address", "unix:/tmp/nowhere.sock");
	assert_int_equal(state_backend_open(&b, "gitfleet", c, dir), 0);
	assert_string_equal(state_backend_describe(b), "gitfleet daemon state \"site\"");
	state *s;
	assert_int_equal(state_backend_read(b, &s), HTTP_EUNREACHABLE);
	assert_non_null(strstr(gf_err_msg(), "gitfleet daemon"));
	assert_non_null(strstr(gf_err_msg(), "gitfleet daemon"));
	json_decref(c);
	state_backend_free(b);
}

static void test_workdir(void **unused)
{
	char *wd = in_dir("wd");
	assert_int_equal(gf_fs_mkdirs(wd, 0755), 0);
	state_backend *b = NULL;
	/* Nothing recorded and no configuration: the local default. */
	assert_int_equal(state_backend_open_dir(&b, wd, NULL), 0);
	assert_string_equal(state_backend_type(b), "local");
	state_backend_free(b);
	state_backend_record r = {.type = "gitfleet", .config = json_pack("{s:s}", "name", "site")};
	r.hash = state_backend_config_hash(r.type, r.config);
	char *h2 = state_backend_config_hash("gitfleet", r.config);
	assert_string_equal(r.hash, h2);
	json_t *other = json_pack("{s:s}", "name", "other");
	char *h3 = state_backend_config_hash("gitfleet", other);
	assert_string_not_equal(r.hash, h3);
	assert_int_equal(state_workdir_write(wd, &r), 0);
	state_backend_record back;
	assert_int_equal(state_workdir_read(&back, wd), 0);
	assert_string_equal(back.type, "gitfleet");
	assert_string_equal(back.hash, r.hash);
	assert_true(json_equal(back.config, r.config));
	state_backend_record_dispose(&back);
	assert_int_equal(state_backend_open_dir(&b, wd, NULL), 0);
	assert_string_equal(state_backend_type(b), "gitfleet");
	state_backend_free(b);
	free(h2);
	free(h3);
	free(r.hash);
	json_decref(r.config);
	json_decref(other);
	free(wd);
}

static void write_tf(const char *wd, const char *text)
{
	char *p = gf_path_join(wd, "main.tf");
	assert_int_equal(gf_fs_write_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

/* What plan and the state commands see: init needed, then matching, then
 * changed. */
static int open_with_config(state_backend **b, const char *wd)
{
	config *cfg = config_load(wd);
	assert_false(hcl_diags_has_errors(&cfg->diags));
	int rc = state_backend_open_dir(b, wd, cfg);
	config_free(cfg);
	return rc;
}

static void test_init_required(void **unused)
{
	char *wd = in_dir("cfg");
	assert_int_equal(gf_fs_mkdirs(wd, 0755), 0);
	state_backend *b = NULL;
	write_tf(wd, "terraform {\n  backend \"gitfleet\" {\n    name = \"site\"\n  }\n}\n");
	assert_int_equal(open_with_config(&b, wd), GF_EINVALID);
	assert_true(gf_str_has_prefix(gf_err_msg(), "Backend initialization required, please run "
	                                            "\"gitfleet init\""));
	assert_non_null(strstr(gf_err_msg(), "Initial configuration of the requested backend "
	                                     "\"gitfleet\""));
	assert_null(b);

	/* What init records: the block's hash, the merged configuration. */
	config *cfg = config_load(wd);
	char *type;
	json_t *conf;
	assert_int_equal(state_backend_config_eval(&type, &conf, cfg), 0);
	assert_string_equal(type, "gitfleet");
	assert_string_equal(json_string_value(json_object_get(conf, "name")), "site");
	config_free(cfg);
	state_backend_record r = {.type = type, .config = json_deep_copy(conf)};
	r.hash = state_backend_config_hash(type, conf);
	json_object_set_new(r.config, "address", json_string("unix:/nowhere.sock"));
	assert_int_equal(state_workdir_write(wd, &r), 0);
	assert_int_equal(open_with_config(&b, wd), 0);
	assert_string_equal(state_backend_type(b), "gitfleet");
	state_backend_free(b);
	b = NULL;

	write_tf(wd, "terraform {\n  backend \"gitfleet\" {\n    name = \"other\"\n  }\n}\n");
	assert_int_equal(open_with_config(&b, wd), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "Backend configuration block has changed"));
	write_tf(wd, "locals {\n  a = 1\n}\n");
	assert_int_equal(open_with_config(&b, wd), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "Unsetting the previously set backend \"gitfleet\""));

	/* Variables are not allowed in a backend block. */
	write_tf(wd, "variable \"n\" {\n  default = \"x\"\n}\nterraform {\n  backend \"gitfleet\" "
	             "{\n    name = var.n\n  }\n}\n");
	cfg = config_load(wd);
	char *t2;
	json_t *c2;
	assert_int_equal(state_backend_config_eval(&t2, &c2, cfg), GF_EINVALID);
	assert_true(hcl_diags_has_errors(&cfg->diags));
	config_free(cfg);

	free(type);
	json_decref(conf);
	json_decref(r.config);
	free(r.hash);
	free(wd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_local_write_read), cmocka_unit_test(test_corrupt_state_kept),
	        cmocka_unit_test(test_lock_info),        cmocka_unit_test(test_local_lock),
	        cmocka_unit_test(test_backend_config),   cmocka_unit_test(test_workdir),
	        cmocka_unit_test(test_init_required),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
