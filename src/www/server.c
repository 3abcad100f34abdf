/* The event loop of the static server: listeners, workers, connections,
 * timeouts and graceful stop (the state diagram is in www.h). */
#include "www/internal.h"

#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LINGER_SECONDS  2.0
#define MAX_FREE_IO     64
#define SENDFILE_CHUNK  (2u << 20)
#define EVENTS_PER_WAIT 64

void www_config_init(www_config *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = 1;
	c->cache_control = "no-cache";
	c->header_timeout = 10;
	c->idle_timeout = 30;
	c->send_timeout = 30;
}

/* ---- timers ------------------------------------------------------------ */

static void timer_unlink(www_conn *c)
{
	www_tlist *l = c->tl;
	if (!l)
		return;
	if (c->tprev)
		c->tprev->tnext = c->tnext;
	else
		l->head = c->tnext;
	if (c->tnext)
		c->tnext->tprev = c->tprev;
	else
		l->tail = c->tprev;
	c->tl = NULL;
	c->tprev = c->tnext = NULL;
}

/* Arms (or re-arms) c in list l: deadline now + l->timeout, at the tail. */
static void timer_set(www_worker *w, www_conn *c, www_tlist *l)
{
	timer_unlink(c);
	c->deadline = w->now + l->timeout;
	c->tl = l;
	c->tprev = l->tail;
	c->tnext = NULL;
	if (l->tail)
		l->tail->tnext = c;
	else
		l->head = c;
	l->tail = c;
}

/* ---- buffers and connections ------------------------------------------ */

static www_io *io_get(www_worker *w)
{
	www_io *io = w->free_io;
	if (io) {
		w->free_io = io->next;
		w->n_free_io--;
	} else {
		io = gf_xmalloc(sizeof(*io));
	}
	io->in_len = 0;
	return io;
}

static void io_put(www_worker *w, www_conn *c)
{
	www_io *io = c->io;
	c->io = NULL;
	if (!io)
		return;
	if (w->n_free_io >= MAX_FREE_IO) {
		free(io);
		return;
	}
	io->next = w->free_io;
	w->free_io = io;
	w->n_free_io++;
}

static void set_events(www_worker *w, www_conn *c, bool out)
{
	if (c->want_out == out)
		return;
	struct epoll_event ev = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c};
	epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->want_out = out;
}

/* Closes c. The struct is reused only after the current batch of events,
 * which may still name it (then fd == -1 tells the handler to skip it). */
static void conn_close(www_worker *w, www_conn *c)
{
	timer_unlink(c);
	close(c->fd);
	c->fd = -1;
	if (c->file_fd >= 0)
		close(c->file_fd);
	c->file_fd = -1;
	io_put(w, c);
	c->tnext = w->dead_conn;
	w->dead_conn = c;
	w->nconns--;
}

static void to_idle(www_worker *w, www_conn *c)
{
	io_put(w, c);
	c->state = WWW_C_IDLE;
	timer_set(w, c, &w->t_idle);
}

/* Half-closes and drains, so an unread request cannot turn close into RST. */
static void start_linger(www_worker *w, www_conn *c)
{
	io_put(w, c);
	shutdown(c->fd, SHUT_WR);
	c->state = WWW_C_LINGER;
	set_events(w, c, false);
	timer_set(w, c, &w->t_linger);
}

/* ---- sending ----------------------------------------------------------- */

/* 1 when the response is written, 0 when the socket is full (waiting for
 * EPOLLOUT), -1 when the connection failed and was closed. */
static int send_some(www_worker *w, www_conn *c)
{
	bool progress = false;
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->io->out + c->out_off, c->out_len - c->out_off,
		                 MSG_NOSIGNAL | (c->file_left ? MSG_MORE : 0));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				goto blocked;
			conn_close(w, c);
			return -1;
		}
		c->out_off += (size_t)n;
		progress = true;
	}
	while (c->file_left) {
		size_t chunk = (size_t)GF_MIN(c->file_left, (uint64_t)SENDFILE_CHUNK);
		ssize_t n = sendfile(c->fd, c->file_fd, &c->file_off, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			goto blocked;
		if (n <= 0) { /* an error, or the file shrank under us */
			conn_close(w, c);
			return -1;
		}
		c->file_left -= (uint64_t)n;
		progress = true;
	}
	return 1;
blocked:
	set_events(w, c, true);
	if (progress || c->tl != &w->t_send)
		timer_set(w, c, &w->t_send);
	return 0;
}

/* After a response: next pipelined request, idle, or close. */
static void response_done(www_worker *w, www_conn *c)
{
	if (c->file_fd >= 0)
		close(c->file_fd);
	c->file_fd = -1;
	if (!c->keep_alive || w->stopping) {
		start_linger(w, c);
		return;
	}
	set_events(w, c, false);
	if (c->io->in_len == 0) {
		to_idle(w, c);
	} else {
		c->state = WWW_C_HEAD;
		timer_set(w, c, &w->t_head);
	}
}

/* Answers every complete request buffered in c, in order, until one is
 * incomplete or a response has to wait for the socket. */
static void process(www_worker *w, www_conn *c)
{
	while (c->state == WWW_C_HEAD) {
		www_io *io = c->io;
		if (io->in_len == 0) {
			to_idle(w, c);
			return;
		}
		int rc = http_parse_request(&c->parser, &w->msg, io->in, io->in_len,
		                            &w->srv->limits);
		if (rc == GF_EAGAIN)
			return;
		if (rc < 0) {
			www_respond_error(w, c, w->msg.err_status);
			io->in_len = 0;
		} else {
			www_respond(w, c, &w->msg);
			io->in_len -= (size_t)rc;
			memmove(io->in, io->in + rc, io->in_len);
		}
		c->state = WWW_C_SEND;
		if (send_some(w, c) != 1)
			return;
		response_done(w, c);
	}
}

static void on_readable(www_worker *w, www_conn *c)
{
	if (c->state == WWW_C_LINGER) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(w, c);
		return;
	}
	if (!c->io)
		c->io = io_get(w);
	www_io *io = c->io;
	ssize_t n = recv(c->fd, io->in + io->in_len, WWW_IN_CAP - io->in_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		if (c->state == WWW_C_IDLE)
			io_put(w, c);
		return;
	}
	if (n <= 0) {
		conn_close(w, c);
		return;
	}
	io->in_len += (size_t)n;
	if (c->state == WWW_C_IDLE) {
		c->state = WWW_C_HEAD;
		timer_set(w, c, &w->t_head);
	}
	process(w, c);
}

static void on_writable(www_worker *w, www_conn *c)
{
	if (send_some(w, c) != 1)
		return;
	response_done(w, c);
	process(w, c);
}

/* ---- accepting --------------------------------------------------------- */

static void listen_pause(www_worker *w, bool pause)
{
	if (pause) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
		w->accept_resume = w->now + 0.1;
	} else {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->lfd};
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev);
		w->accept_resume = 0;
	}
}

static void on_accept(www_worker *w)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				gf_log(GF_LOG_WARN, "accept paused", "error=\"%s\"",
				       strerror(errno));
				listen_pause(w, true);
			}
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		www_conn *c = w->free_conn;
		if (c)
			w->free_conn = c->tnext;
		else
			c = gf_xmalloc(sizeof(*c));
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->file_fd = -1;
		http_parser_init(&c->parser);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			c->tnext = w->free_conn;
			w->free_conn = c;
			continue;
		}
		w->nconns++;
		/* A new connection must deliver its request in the head time. */
		c->state = WWW_C_HEAD;
		timer_set(w, c, &w->t_head);
	}
}

/* ---- the loop ---------------------------------------------------------- */

static void close_list(www_worker *w, www_tlist *l)
{
	while (l->head)
		conn_close(w, l->head);
}

/* Stop accepting; close what has no response in flight. */
static void begin_stop(www_worker *w)
{
	uint64_t v;
	if (read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	if (w->stopping)
		return;
	w->stopping = true;
	if (w->lfd >= 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
		close(w->lfd);
		w->lfd = -1;
	}
	close_list(w, &w->t_head);
	close_list(w, &w->t_idle);
}

static int next_timeout_ms(www_worker *w)
{
	double next = -1;
	www_tlist *lists[] = {&w->t_head, &w->t_idle, &w->t_send, &w->t_linger};
	for (size_t i = 0; i < GF_ARRAY_LEN(lists); i++)
		if (lists[i]->head && (next < 0 || lists[i]->head->deadline < next))
			next = lists[i]->head->deadline;
	if (w->accept_resume > 0 && (next < 0 || w->accept_resume < next))
		next = w->accept_resume;
	if (next < 0)
		return -1;
	double ms = (next - w->now) * 1000.0 + 1;
	return ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

static void expire(www_worker *w)
{
	www_tlist *lists[] = {&w->t_head, &w->t_idle, &w->t_send, &w->t_linger};
	for (size_t i = 0; i < GF_ARRAY_LEN(lists); i++)
		while (lists[i]->head && lists[i]->head->deadline <= w->now)
			conn_close(w, lists[i]->head);
	if (w->accept_resume > 0 && w->accept_resume <= w->now && w->lfd >= 0)
		listen_pause(w, false);
}

static void *worker_main(void *arg)
{
	www_worker *w = arg;
	struct epoll_event evs[EVENTS_PER_WAIT];
	while (!w->stopping || w->nconns > 0) {
		int n = epoll_wait(w->epfd, evs, EVENTS_PER_WAIT, next_timeout_ms(w));
		w->now = gf_now();
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			if (p == &w->lfd) {
				if (w->lfd >= 0)
					on_accept(w);
			} else if (p == &w->evfd) {
				begin_stop(w);
			} else {
				www_conn *c = p;
				if (c->fd < 0)
					continue;
				if (c->state == WWW_C_SEND)
					on_writable(w, c);
				else
					on_readable(w, c);
			}
		}
		expire(w);
		while (w->dead_conn) {
			www_conn *c = w->dead_conn;
			w->dead_conn = c->tnext;
			c->tnext = w->free_conn;
			w->free_conn = c;
		}
	}
	return NULL;
}

static void worker_dispose(www_worker *w)
{
	while (w->free_io) {
		www_io *io = w->free_io;
		w->free_io = io->next;
		free(io);
	}
	while (w->free_conn) {
		www_conn *c = w->free_conn;
		w->free_conn = c->tnext;
		free(c);
	}
	if (w->lfd >= 0)
		close(w->lfd);
	if (w->evfd >= 0)
		close(w->evfd);
	if (w->epfd >= 0)
		close(w->epfd);
}

/* ---- setup ------------------------------------------------------------- */

/* Splits "host:port" / "[v6]:port" and resolves it. */
static int resolve(struct addrinfo **out, const char *listen)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || !colon[1])
		return gf_err_set(GF_EINVALID, "listen address \"%s\" is not ADDR:PORT", listen);
	const char *h = listen;
	size_t hlen = (size_t)(colon - listen);
	if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		return gf_err_set(GF_EINVALID, "listen address \"%s\" is too long", listen);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	int rc = getaddrinfo(host, colon + 1, &hints, out);
	if (rc != 0)
		return gf_err_set(GF_EINVALID, "cannot resolve listen address \"%s\": %s", listen,
		                  gai_strerror(rc));
	return 0;
}

static int open_listener(int *out, const struct addrinfo *ai, const char *addr)
{
	int one = 1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return gf_err_errno("cannot create a socket for %s", addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
		int rc = gf_err_errno("cannot listen on %s", addr);
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

static int worker_init(www_worker *w, const www_shared *srv, int lfd)
{
	memset(w, 0, sizeof(*w));
	w->srv = srv;
	w->lfd = lfd;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->evfd < 0)
		return gf_err_errno("cannot create the event loop");
	w->t_head.timeout = srv->cfg->header_timeout;
	w->t_idle.timeout = srv->cfg->idle_timeout;
	w->t_send.timeout = srv->cfg->send_timeout;
	w->t_linger.timeout = LINGER_SECONDS;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->lfd};
	struct epoll_event ev2 = {.events = EPOLLIN, .data.ptr = &w->evfd};
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, lfd, &ev) != 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev2) != 0)
		return gf_err_errno("cannot watch the listening socket");
	w->now = gf_now();
	return 0;
}

static bool probe_openat2(int root_fd)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_DIRECTORY,
	                       .resolve = RESOLVE_BENEATH};
	int fd = (int)syscall(SYS_openat2, root_fd, ".", &how, sizeof(how));
	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}

/* SO_REUSEPORT would let us silently share a port another server holds
 * (same user); a plain bind first makes that conflict the error a user
 * expects. With port 0 it binds some free port and proves nothing. */
static int check_port_free(const struct addrinfo *ai, const char *addr)
{
	int one = 1, rc = 0;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return gf_err_errno("cannot create a socket for %s", addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		rc = gf_err_errno("cannot listen on %s", addr);
	close(fd);
	return rc;
}

/* Binds the first listener and learns its port, so that with port 0 every
 * worker's listener shares the same port. */
static int bind_all(int *fds, int n, const char *listen)
{
	struct addrinfo *ai = NULL;
	int rc = resolve(&ai, listen);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++)
		fds[i] = -1;
	rc = check_port_free(ai, listen);
	if (rc == 0)
		rc = open_listener(&fds[0], ai, listen);
	if (rc == 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		getsockname(fds[0], (struct sockaddr *)&ss, &sl);
		memcpy(ai->ai_addr, &ss, GF_MIN((size_t)sl, (size_t)ai->ai_addrlen));
	}
	for (int i = 1; rc == 0 && i < n; i++)
		rc = open_listener(&fds[i], ai, listen);
	freeaddrinfo(ai);
	if (rc < 0)
		for (int i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	return rc;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	if (write(stop_pipe[1], &b, 1) < 0) {
		/* The pipe is full: a stop is already pending. */
	}
	errno = saved;
}

int www_run(const www_config *cfg)
{
	int rc = 0, started = 0;
	www_shared srv = {.cfg = cfg, .root_fd = -1};
	www_worker *workers = NULL;
	int *fds = NULL;
	int n = cfg->workers > 0 ? cfg->workers : 1;
	sigset_t sigs, old;

	srv.limits = (http_limits){8192, 64, WWW_IN_CAP - 1};
	srv.root_fd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (srv.root_fd < 0) {
		rc = gf_err_errno("cannot open the root directory %s", cfg->root);
		goto cleanup;
	}
	srv.root_real = realpath(cfg->root, NULL);
	if (!srv.root_real) {
		rc = gf_err_errno("cannot resolve the root directory %s", cfg->root);
		goto cleanup;
	}
	/* GF_WWW_NO_OPENAT2 forces the fallback, so tests can cover it. */
	srv.have_openat2 = probe_openat2(srv.root_fd) && !getenv("GF_WWW_NO_OPENAT2");

	fds = gf_xcalloc((size_t)n, sizeof(*fds));
	rc = bind_all(fds, n, cfg->listen);
	if (rc < 0)
		goto cleanup;
	workers = gf_xcalloc((size_t)n, sizeof(*workers));
	for (int i = 0; i < n; i++) {
		rc = worker_init(&workers[i], &srv, fds[i]);
		fds[i] = -1; /* now owned by the worker */
		if (rc < 0)
			goto cleanup;
	}

	/* The stop signals reach a handler that writes their number to a pipe
	 * we wait on: with sigwait alone, a thread that we did not create (a
	 * sanitizer's) could take the signal with its default action. */
	if (pipe2(stop_pipe, O_CLOEXEC) != 0) {
		rc = gf_err_errno("cannot create the signal pipe");
		goto cleanup;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	struct sigaction sa = {.sa_handler = on_stop_signal}, old_term, old_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	/* Workers start with the stop signals blocked; only we handle them. */
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	for (; started < n; started++) {
		if (pthread_create(&workers[started].thread, NULL, worker_main,
		                   &workers[started]) != 0) {
			rc = gf_err_set(GF_ERROR, "cannot start worker thread %d", started);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		char qroot[512];
		gf_log(GF_LOG_INFO, "www listening", "listen=%s port=%d root=%s workers=%d",
		       cfg->listen, bound_port(workers[0].lfd),
		       gf_log_quote(qroot, sizeof(qroot), srv.root_real), n);
		unsigned char sig = 0;
		while (read(stop_pipe[0], &sig, 1) < 0 && errno == EINTR)
			;
		gf_log(GF_LOG_INFO, "www stopping", "signal=%s",
		       sig == SIGTERM ? "SIGTERM" : "SIGINT");
	}
	for (int i = 0; i < started; i++) {
		uint64_t one = 1;
		if (write(workers[i].evfd, &one, sizeof(one)) < 0)
			gf_log(GF_LOG_WARN, "cannot wake a worker", "error=\"%s\"",
			       strerror(errno));
	}
	for (int i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	if (rc == 0)
		gf_log(GF_LOG_INFO, "www stopped", "workers=%d", n);

cleanup:
	for (int i = 0; i < 2; i++)
		if (stop_pipe[i] >= 0) {
			close(stop_pipe[i]);
			stop_pipe[i] = -1;
		}
	if (workers)
		for (int i = 0; i < n; i++)
			if (workers[i].srv)
				worker_dispose(&workers[i]);
	if (fds)
		for (int i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	free(fds);
	free(workers);
	free(srv.root_real);
	if (srv.root_fd >= 0)
		close(srv.root_fd);
	return rc;
}
