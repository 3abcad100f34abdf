/* src/lazylib: a library is loaded at the first call and its functions
 * found; a missing library or function stops the process with a message
 * naming it (checked in a child process). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lazylib/lazylib.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_found(void **state)
{
	(void)state;
	static lazylib libm_ = LAZYLIB_INIT("libm.so.6", "libc6");
	double (*fabs_)(double) = (double (*)(double))lazylib_sym(&libm_, "fabs");
	assert_true(fabs_(-2.5) == 2.5);
	/* Loaded once: the same handle serves the next lookups. */
	void *handle = libm_.handle;
	assert_non_null(lazylib_sym(&libm_, "floor"));
	assert_ptr_equal(handle, libm_.handle);
}

/* Runs lazylib_sym(lib, name) in a child; returns what it wrote on stderr
 * and whether it exited with a failure. */
static char *child_stderr(lazylib *lib, const char *name, bool *failed)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 2);
		lazylib_sym(lib, name);
		_exit(0);
	}
	close(p[1]);
	static char buf[1024];
	size_t n = 0;
	ssize_t r;
	while ((r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	*failed = !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	return buf;
}

static void test_missing(void **state)
{
	(void)state;
	bool failed = false;
	static lazylib nope = LAZYLIB_INIT("libgitfleet-nope.so.0", "gitfleet-nope");
	char *err = child_stderr(&nope, "f", &failed);
	assert_true(failed);
	assert_non_null(strstr(err, "cannot load libgitfleet-nope.so.0"));
	assert_non_null(strstr(err, "install gitfleet-nope"));
	static lazylib libm_ = LAZYLIB_INIT("libm.so.6", "libc6");
	err = child_stderr(&libm_, "no_such_function", &failed);
	assert_true(failed);
	assert_non_null(strstr(err, "libm.so.6 has no function no_such_function"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_found),
	        cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
