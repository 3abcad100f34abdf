/* The C API of src/lb driven the way the daemon will drive it: live
 * listeners, allow-lists, targets, health and counters, against a small
 * backend thread, over real sockets on 127.0.0.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lb/lb.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- a keep-alive backend answering "ok" to everything ----------------- */

typedef struct {
	int listen_fd;
	int port;
	int stop[2];
	pthread_t thread;
} backend;

static void *backend_main(void *arg)
{
	backend *b = arg;
	struct pollfd fds[66];
	char buf[66][4096];
	size_t len[66];
	int n = 2;
	fds[0] = (struct pollfd){.fd = b->stop[0], .events = POLLIN};
	fds[1] = (struct pollfd){.fd = b->listen_fd, .events = POLLIN};
	for (;;) {
		if (poll(fds, (nfds_t)n, 5000) <= 0 || fds[0].revents)
			break;
		if (fds[1].revents && n < 66) {
			int c = accept(b->listen_fd, NULL, NULL);
			if (c >= 0) {
				len[n] = 0;
				fds[n++] = (struct pollfd){.fd = c, .events = POLLIN};
			}
		}
		for (int i = 2; i < n; i++) {
			if (!fds[i].revents)
				continue;
			ssize_t r = read(fds[i].fd, buf[i] + len[i], sizeof(buf[i]) - len[i] - 1);
			if (r <= 0) {
				close(fds[i].fd);
				fds[i] = fds[n - 1];
				buf[i][0] = '\0';
				memcpy(buf[i], buf[n - 1], len[n - 1]);
				len[i] = len[n - 1];
				n--;
				i--;
				continue;
			}
			len[i] += (size_t)r;
			buf[i][len[i]] = '\0';
			char *end;
			while ((end = strstr(buf[i], "\r\n\r\n")) != NULL) {
				static const char ok[] =
				        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
				if (write(fds[i].fd, ok, sizeof(ok) - 1) < 0)
					break;
				size_t used = (size_t)(end + 4 - buf[i]);
				memmove(buf[i], buf[i] + used, len[i] - used + 1);
				len[i] -= used;
			}
		}
	}
	for (int i = 2; i < n; i++)
		close(fds[i].fd);
	return NULL;
}

static int listen_any(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 64), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void backend_start(backend *b)
{
	b->listen_fd = listen_any(&b->port);
	assert_int_equal(pipe(b->stop), 0);
	pthread_create(&b->thread, NULL, backend_main, b);
}

static void backend_stop(backend *b)
{
	assert_int_equal(write(b->stop[1], "x", 1), 1);
	pthread_join(b->thread, NULL);
	close(b->listen_fd);
	close(b->stop[0]);
	close(b->stop[1]);
}

/* ---- a blocking client ---------------------------------------------------- */

static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on `fd`; returns the status, the body in `body`. */
static int request(int fd, char *body, size_t size)
{
	const char req[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
	if (write(fd, req, sizeof(req) - 1) < 0)
		return -1;
	char buf[4096] = "";
	size_t len = 0;
	char *end = NULL;
	while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len - 1);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
	}
	int status = atoi(buf + 9);
	const char *cl = strstr(buf, "Content-Length: ");
	size_t want = cl ? (size_t)atoi(cl + 16) : 0;
	size_t have = len - (size_t)(end + 4 - buf);
	while (have < want) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len - 1);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		have += (size_t)r;
	}
	buf[len] = '\0';
	snprintf(body, size, "%.*s", (int)want, end + 4);
	return status;
}

static int get(int port, char *body, size_t size)
{
	int fd = dial(port);
	if (fd < 0)
		return -1;
	int status = request(fd, body, size);
	close(fd);
	return status;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static lb_balancer *start_lb(unsigned workers)
{
	lb_options o;
	lb_options_default(&o);
	o.workers = workers;
	lb_balancer *lb = NULL;
	assert_int_equal(lb_new(&lb, &o), 0);
	return lb;
}

static void no_checks(lb_group_settings *s)
{
	lb_group_settings_default(s);
	s->health.path[0] = '\0';
	s->deregistration_delay = 0;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_errors(void **state)
{
	lb_balancer *lb = start_lb(1);
	lb_group_settings s;
	no_checks(&s);
	assert_int_equal(lb_group_add(lb, "web", &s), 0);
	assert_int_equal(lb_group_add(lb, "web", &s), GF_EEXISTS);
	assert_int_equal(lb_target_add(lb, "nope", "127.0.0.1:1"), GF_ENOTFOUND);
	assert_non_null(strstr(gf_err_msg(), "target group \"nope\" does not exist"));
	assert_int_equal(lb_target_add(lb, "web", "localhost"), GF_EINVALID);
	assert_int_equal(lb_target_add(lb, "web", "127.0.0.1:9"), 0);
	assert_int_equal(lb_target_add(lb, "web", "127.0.0.1:9"), GF_EEXISTS);
	assert_int_equal(lb_target_deregister(lb, "web", "127.0.0.1:10"), GF_ENOTFOUND);
	assert_int_equal(lb_listener_add(lb, "l", "127.0.0.1:0", "nope"), GF_ENOTFOUND);
	assert_int_equal(lb_listener_add(lb, "l", "127.0.0.1:0", "web"), 0);
	assert_int_equal(lb_listener_add(lb, "l", "127.0.0.1:0", "web"), GF_EEXISTS);
	const char *bad[] = {"10.0.0.0/99"};
	assert_int_equal(lb_listener_set_allow(lb, "l", bad, 1), GF_EINVALID);
	assert_int_equal(lb_listener_set_allow(lb, "x", NULL, 0), GF_ENOTFOUND);
	assert_int_equal(lb_group_remove(lb, "web"), GF_EINVALID);
	assert_non_null(strstr(gf_err_msg(), "used by listener \"l\""));
	s.health.interval = 0;
	strcpy(s.health.path, "/");
	assert_int_equal(lb_group_update(lb, "web", &s), GF_EINVALID);
	assert_int_equal(lb_listener_remove(lb, "l"), 0);
	assert_int_equal(lb_listener_remove(lb, "l"), GF_ENOTFOUND);
	lb_free(lb, 1);
}

static void test_live_changes(void **state)
{
	backend b;
	backend_start(&b);
	char target[32], body[64];
	snprintf(target, sizeof(target), "127.0.0.1:%d", b.port);
	lb_balancer *lb = start_lb(2);
	lb_group_settings s;
	no_checks(&s);
	assert_int_equal(lb_group_add(lb, "web", &s), 0);
	assert_int_equal(lb_target_add(lb, "web", target), 0);
	assert_int_equal(lb_listener_add(lb, "a", "127.0.0.1:0", "web"), 0);
	int pa = lb_listener_port(lb, "a");
	assert_true(pa > 0);
	assert_int_equal(get(pa, body, sizeof(body)), 200);
	assert_string_equal(body, "ok");

	/* A keep-alive connection on listener a... */
	int k = dial(pa);
	assert_int_equal(request(k, body, sizeof(body)), 200);
	/* ...survives the removal of the listener, which accepts no more. */
	assert_int_equal(lb_listener_add(lb, "b", "127.0.0.1:0", "web"), 0);
	int pb = lb_listener_port(lb, "b");
	assert_int_equal(lb_listener_remove(lb, "a"), 0);
	assert_int_equal(get(pa, body, sizeof(body)), -1);
	assert_int_equal(request(k, body, sizeof(body)), 200);
	close(k);
	assert_int_equal(get(pb, body, sizeof(body)), 200);

	/* Allow-lists apply to connections made once the call returned,
	 * whichever worker accepts them (no sleep: the call waits for all). */
	const char *other[] = {"10.0.0.0/8"};
	assert_int_equal(lb_listener_set_allow(lb, "b", other, 1), 0);
	assert_int_equal(get(pb, body, sizeof(body)), 403);
	assert_non_null(strstr(body, "not allowed"));
	const char *mine[] = {"10.0.0.0/8", "127.0.0.1"};
	assert_int_equal(lb_listener_set_allow(lb, "b", mine, 2), 0);
	assert_int_equal(get(pb, body, sizeof(body)), 200);

	/* Algorithm changes on a live group. */
	s.algorithm = LB_ALG_LEAST_OUTSTANDING;
	assert_int_equal(lb_group_update(lb, "web", &s), 0);
	assert_int_equal(get(pb, body, sizeof(body)), 200);

	/* Counters, summed over workers. */
	lb_snapshot snap;
	assert_int_equal(lb_stats(lb, &snap), 0);
	assert_int_equal(snap.nlisteners, 1);
	assert_string_equal(snap.listeners[0].name, "b");
	assert_int_equal(snap.listeners[0].c.requests, 4);
	assert_int_equal(snap.listeners[0].c.responses[1], 3);
	assert_int_equal(snap.listeners[0].c.responses[3], 1);
	uint64_t hist = 0;
	for (int i = 0; i < LB_LATENCY_BUCKETS; i++)
		hist += snap.listeners[0].c.latency[i];
	assert_int_equal(hist, 4);
	assert_true(snap.listeners[0].c.bytes_in > 0 && snap.listeners[0].c.bytes_out > 0);
	assert_int_equal(snap.ntargets, 1);
	assert_string_equal(snap.targets[0].address, target);
	assert_int_equal(snap.targets[0].state, LB_TARGET_HEALTHY);
	assert_int_equal(snap.targets[0].c.requests, 6);
	assert_int_equal(snap.targets[0].c.responses[1], 6);
	assert_true(snap.targets[0].c.active >= 1); /* pooled connections */
	lb_snapshot_dispose(&snap);

	/* Deregistered with no request in flight: gone at once, then 503. */
	assert_int_equal(lb_target_deregister(lb, "web", target), 0);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(lb_stats(lb, &snap), 0);
		size_t n = snap.ntargets;
		lb_snapshot_dispose(&snap);
		if (n == 0)
			break;
		sleep_ms(20);
	}
	assert_int_equal(get(pb, body, sizeof(body)), 503);
	assert_string_equal(body, "no healthy target in target group \"web\"\n");
	lb_free(lb, 1);
	backend_stop(&b);
}

/* How long until target 0 reaches `want` (at most `limit` s); -1 if never. */
static double time_to_state(lb_balancer *lb, lb_target_state want, double limit)
{
	double start = gf_now();
	while (gf_now() - start < limit) {
		lb_snapshot snap;
		assert_int_equal(lb_stats(lb, &snap), 0);
		lb_target_state st = snap.targets[0].state;
		lb_snapshot_dispose(&snap);
		if (st == want)
			return gf_now() - start;
		sleep_ms(2);
	}
	return -1;
}

/* Target 0's health failure reason. */
static void expect_reason(lb_balancer *lb, const char *part)
{
	lb_snapshot snap;
	assert_int_equal(lb_stats(lb, &snap), 0);
	assert_non_null(strstr(snap.targets[0].reason, part));
	lb_snapshot_dispose(&snap);
}

static void test_health_checks(void **state)
{
	backend b;
	backend_start(&b);
	char target[32], body[64];
	snprintf(target, sizeof(target), "127.0.0.1:%d", b.port);
	lb_balancer *lb = start_lb(1);
	lb_group_settings s;
	lb_group_settings_default(&s);
	/* The second check comes an interval after the first: long enough
	 * for the 503 below to be asked while the target is still new. */
	s.health.interval = 1;
	s.health.healthy_threshold = 2;
	assert_int_equal(lb_group_add(lb, "web", &s), 0);
	assert_int_equal(lb_listener_add(lb, "l", "127.0.0.1:0", "web"), 0);
	int port = lb_listener_port(lb, "l");
	assert_int_equal(lb_target_add(lb, "web", target), 0);
	/* A new target gets no traffic before it passed its checks... */
	lb_snapshot snap;
	assert_int_equal(lb_stats(lb, &snap), 0);
	assert_int_equal(snap.targets[0].state, LB_TARGET_INITIAL);
	lb_snapshot_dispose(&snap);
	assert_int_equal(get(port, body, sizeof(body)), 503);
	/* ...and is checked at once, healthy after two checks (the limits
	 * are for a loaded machine; the pace is lb_health_record's test). */
	assert_true(time_to_state(lb, LB_TARGET_HEALTHY, 20) >= 0);
	assert_int_equal(get(port, body, sizeof(body)), 200);
	/* Live health settings: a matcher the target fails takes it out... */
	assert_int_equal(lb_matcher_parse(&s.health.matcher, "204"), 0);
	assert_int_equal(lb_group_update(lb, "web", &s), 0);
	assert_true(time_to_state(lb, LB_TARGET_UNHEALTHY, 20) >= 0);
	expect_reason(lb, "status 200 does not match 204");
	assert_int_equal(get(port, body, sizeof(body)), 503);
	/* ...and turning checks off makes it usable at once. */
	s.health.path[0] = '\0';
	assert_int_equal(lb_group_update(lb, "web", &s), 0);
	assert_int_equal(get(port, body, sizeof(body)), 200);
	/* Back on: the current state stands until the checks say otherwise. */
	strcpy(s.health.path, "/");
	assert_int_equal(lb_matcher_parse(&s.health.matcher, "200"), 0);
	assert_int_equal(lb_group_update(lb, "web", &s), 0);
	/* The target goes away: unhealthy after two failed checks. */
	backend_stop(&b);
	assert_true(time_to_state(lb, LB_TARGET_UNHEALTHY, 20) >= 0);
	expect_reason(lb, "connection");
	lb_free(lb, 1);
}

static atomic_int changes;

static void count_change(void *payload)
{
	(void)payload;
	atomic_fetch_add(&changes, 1);
}

/* Whether count_change ran at least `want` times within `limit` s. The
 * callback runs on the control thread after the new state is stored, so
 * a reader can see the state before the callback has run. */
static bool changes_reach(int want, double limit)
{
	double start = gf_now();
	while (atomic_load(&changes) < want && gf_now() - start < limit)
		sleep_ms(2);
	return atomic_load(&changes) >= want;
}

/* A target whose port does not accept yet (an instance still starting) is
 * checked as soon as it accepts, not one interval after the refusal; one
 * that never accepts fails at the configured pace, one refusal counted
 * per interval. The owner hears of each change. */
static void test_health_port_opens_late(void **state)
{
	(void)state;
	lb_options o;
	lb_options_default(&o);
	o.workers = 1;
	o.on_change = count_change;
	lb_balancer *lb = NULL;
	assert_int_equal(lb_new(&lb, &o), 0);
	lb_group_settings s;
	lb_group_settings_default(&s);
	/* An interval far longer than any delay of a loaded machine. */
	s.health.interval = 30;
	s.health.healthy_threshold = 1;
	assert_int_equal(lb_group_add(lb, "web", &s), 0);
	/* Bound but not listening: connections are refused. */
	backend b;
	b.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(b.listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(b.listen_fd, (struct sockaddr *)&sa, &sl);
	b.port = ntohs(sa.sin_port);
	char target[32];
	snprintf(target, sizeof(target), "127.0.0.1:%d", b.port);
	assert_int_equal(lb_target_add(lb, "web", target), 0);
	sleep_ms(100);
	assert_int_equal(listen(b.listen_fd, 64), 0);
	assert_int_equal(pipe(b.stop), 0);
	pthread_create(&b.thread, NULL, backend_main, &b);
	/* Before: the next check came a whole interval (30 s) after the refusal. */
	double t = time_to_state(lb, LB_TARGET_HEALTHY, 20);
	assert_true(t >= 0);
	assert_true(changes_reach(1, 10));
	backend_stop(&b);
	lb_free(lb, 1);

	/* Never listening: two counted refusals, an interval apart. */
	lb = start_lb(1);
	s.health.interval = 0.1;
	s.health.unhealthy_threshold = 2;
	assert_int_equal(lb_group_add(lb, "web", &s), 0);
	int fd = listen_any(&b.port);
	close(fd);
	snprintf(target, sizeof(target), "127.0.0.1:%d", b.port);
	assert_int_equal(lb_target_add(lb, "web", target), 0);
	t = time_to_state(lb, LB_TARGET_UNHEALTHY, 10);
	assert_true(t >= 0.15);
	lb_snapshot snap;
	assert_int_equal(lb_stats(lb, &snap), 0);
	assert_non_null(strstr(snap.targets[0].reason, "refused"));
	lb_snapshot_dispose(&snap);
	lb_free(lb, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_live_changes),
	        cmocka_unit_test(test_health_checks),
	        cmocka_unit_test(test_health_port_opens_late),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
