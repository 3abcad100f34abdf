/* Pure decisions of the proxy: which target gets a request, and whether a
 * failed attempt may be retried. No I/O here, so all of it is unit tested. */
#include "lb/lb.h"

#include "base/base.h"

#include <string.h>

int lb_algorithm_parse(lb_algorithm *out, const char *name)
{
	if (strcmp(name, "round_robin") == 0)
		*out = LB_ALG_ROUND_ROBIN;
	else if (strcmp(name, "least_outstanding_requests") == 0)
		*out = LB_ALG_LEAST_OUTSTANDING;
	else
		return gf_err_set(GF_EINVALID,
		                  "unknown algorithm \"%s\": use round_robin or "
		                  "least_outstanding_requests",
		                  name);
	return 0;
}

const char *lb_algorithm_name(lb_algorithm alg)
{
	return alg == LB_ALG_LEAST_OUTSTANDING ? "least_outstanding_requests" : "round_robin";
}

const char *lb_target_state_name(lb_target_state s)
{
	switch (s) {
	case LB_TARGET_INITIAL:
		return "initial";
	case LB_TARGET_HEALTHY:
		return "healthy";
	case LB_TARGET_UNHEALTHY:
		return "unhealthy";
	case LB_TARGET_DRAINING:
		return "draining";
	}
	return "unknown";
}

static bool usable(const lb_candidate *c, bool allow_suspect)
{
	return c->state == LB_TARGET_HEALTHY && !c->tried && (allow_suspect || !c->suspect);
}

static int pick_pass(const lb_candidate *c, size_t n, lb_algorithm alg, uint32_t start,
                     bool allow_suspect)
{
	int best = -1;
	for (size_t k = 0; k < n; k++) {
		size_t i = (start + k) % n;
		if (!usable(&c[i], allow_suspect))
			continue;
		if (alg == LB_ALG_ROUND_ROBIN)
			return (int)i;
		if (best < 0 || c[i].outstanding < c[best].outstanding)
			best = (int)i;
	}
	return best;
}

int lb_balance_pick(const lb_candidate *c, size_t n, lb_algorithm alg, uint32_t *cursor)
{
	if (n == 0)
		return -1;
	uint32_t start = *cursor % (uint32_t)n;
	int i = pick_pass(c, n, alg, start, false);
	if (i < 0)
		i = pick_pass(c, n, alg, start, true);
	if (i >= 0)
		*cursor = (uint32_t)i + 1;
	return i;
}

bool lb_method_idempotent(const char *method, size_t len)
{
	static const char *const idem[] = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
	for (size_t i = 0; i < GF_ARRAY_LEN(idem); i++)
		if (strlen(idem[i]) == len && memcmp(idem[i], method, len) == 0)
			return true;
	return false;
}

bool lb_retry_allowed(const lb_attempt *a)
{
	if (a->attempts >= LB_MAX_ATTEMPTS || a->response_sent || a->body_streamed)
		return false;
	if (a->connect_failed)
		return true;
	/* An idempotent request may be repeated (RFC 9110 §9.2.2): whether
	 * the target died under it, closed a pooled connection as it was
	 * sent, or died in the middle of a response the client has not seen,
	 * the client cannot tell the difference from a retry. Anything else
	 * only if no byte of it was accepted by the kernel and no answer
	 * began. */
	return a->idempotent || (!a->request_written && !a->response_begun);
}
