/* Private to src/www: the worker, connection and buffer structures shared
 * by the event loop (server.c) and the request handler (respond.c). */
#ifndef GF_WWW_INTERNAL_H
#define GF_WWW_INTERNAL_H

#include "http/http.h"
#include "www/www.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WWW_IN_CAP   16384 /* request head buffer; the head limit is one less */
#define WWW_OUT_CAP  4096  /* response head buffer */
#define WWW_PATH_CAP 8192  /* normalised path, with room for "/index.html" */

/* The buffers of a connection with a request in progress. */
typedef struct www_io {
	struct www_io *next; /* in the worker's free list */
	size_t in_len;
	char in[WWW_IN_CAP];
	char out[WWW_OUT_CAP];
} www_io;

typedef enum {
	WWW_C_HEAD,   /* reading a request head */
	WWW_C_IDLE,   /* keep-alive, nothing buffered, no io */
	WWW_C_SEND,   /* writing a response */
	WWW_C_LINGER, /* write side shut, draining input before close */
} www_conn_state;

typedef struct www_conn www_conn;

/* Connections waiting on one kind of timeout, oldest deadline first. */
typedef struct {
	www_conn *head, *tail;
	double timeout;
} www_tlist;

struct www_conn {
	int fd; /* -1 once closed */
	www_conn_state state;
	bool keep_alive;
	bool want_out; /* registered for EPOLLOUT instead of EPOLLIN */
	www_tlist *tl; /* the timer list it is in, NULL if none */
	www_conn *tprev, *tnext;
	double deadline;
	www_io *io;
	http_parser parser;
	size_t out_len, out_off; /* response head bytes in io->out */
	int file_fd;             /* body source, -1 if none */
	off_t file_off;
	uint64_t file_left;
};

/* What every worker shares, read-only once the workers run. */
typedef struct {
	const www_config *cfg;
	int root_fd;
	char *root_real; /* realpath of the root, for the no-openat2 fallback */
	bool have_openat2;
	http_limits limits;
} www_shared;

typedef struct {
	const www_shared *srv;
	int epfd, lfd, evfd;
	pthread_t thread;
	www_tlist t_head, t_idle, t_send, t_linger;
	www_io *free_io;
	size_t n_free_io;
	www_conn *free_conn, *dead_conn;
	size_t nconns;
	bool stopping;
	double now;
	double accept_resume; /* accepting paused (out of fds) until then; 0: not paused */
	time_t date_sec;
	char date[HTTP_DATE_LEN + 1];
	http_msg msg;
	char path[WWW_PATH_CAP + 16];
} www_worker;

/* Builds the response to a parsed request into c->io->out and the body
 * fields of c; sets c->keep_alive. */
void www_respond(www_worker *w, www_conn *c, const http_msg *m);
/* Builds an error response (connection closes after it). */
void www_respond_error(www_worker *w, www_conn *c, int status);
/* Opens rel ("" = the root) read-only without leaving the root. */
int www_open_beneath(const www_shared *s, const char *rel);

#endif
