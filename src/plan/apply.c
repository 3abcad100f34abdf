/* plan_apply: operations ordered by dependencies, provider calls on worker
 * threads (at most `parallelism` at once), state written after each
 * completed operation (plan.h, note 3). */
#include "plan/plan_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum {
	OP_WAITING,
	OP_RUNNING,
	OP_DONE,
	OP_FAILED, /* failed, or skipped because something it needs failed */
} op_state;

typedef struct op {
	plan_change *c;
	bool del;             /* the delete of c; else its create/update */
	GF_VEC(size_t) after; /* ops that must be done first */
	op_state st;
	double started;
	/* the job, filled by the main thread before the worker starts */
	provider_op pop;
	const hcl_value *prior, *planned, *config;
	bool read;      /* a data source read (pop unused) */
	gf_arena arena; /* the worker's results */
	const hcl_value *result;
	int rc;
	char err[1024];
	pthread_t thread;
	struct applier *ap;
} op;

typedef struct applier {
	plani_engine e;
	GF_VEC(op) ops;
	const provider_conn *conn;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	GF_VEC(size_t) finished; /* ops whose worker returned, not yet recorded */
} applier;

static void *worker(void *arg)
{
	op *o = arg;
	applier *ap = o->ap;
	const hcl_value *out = NULL;
	if (o->read)
		o->rc = provider_data_read(&out, &o->arena, ap->conn, o->c->schema, o->config);
	else
		o->rc = provider_apply(&out, &o->arena, ap->conn, o->c->schema, o->pop, o->prior,
		                       o->planned, o->config);
	o->result = out;
	if (o->rc < 0)
		snprintf(o->err, sizeof(o->err), "%s", gf_err_msg());
	pthread_mutex_lock(&ap->mu);
	gf_vec_push(&ap->finished, (size_t)(o - ap->ops.items));
	pthread_cond_signal(&ap->cv);
	pthread_mutex_unlock(&ap->mu);
	return NULL;
}

/* ---- the operations and their order ------------------------------------------ */

/* Whether y depends on the resource `res_addr`, by its configuration or
 * by what the state recorded (`si`, y's prior instance, may be NULL). */
static bool depends_on(const plan_change *y, const state_instance *si, const char *res_addr)
{
	for (size_t i = 0; i < y->ndeps; i++)
		if (!strcmp(y->deps[i], res_addr))
			return true;
	for (size_t i = 0; si && i < si->ndependencies; i++)
		if (!strcmp(si->dependencies[i], res_addr))
			return true;
	return false;
}

/* The configuration address of c (no instance keys, module keys
 * neither), as dependencies name resources. */
static char *resource_addr(gf_arena *a, const plan_change *c)
{
	state_addr r = c->saddr;
	r.key.kind = STATE_KEY_NONE;
	state_module_step *steps = gf_xcalloc(r.nmodules + 1, sizeof(*steps));
	for (size_t i = 0; i < r.nmodules; i++)
		steps[i].name = r.modules[i].name;
	r.modules = steps;
	char *s = state_addr_string(&r);
	char *out = gf_arena_strdup(a, s);
	free(s);
	free(steps);
	return out;
}

static void build_ops(applier *ap)
{
	plan *p = ap->e.p;
	size_t n = p->changes.len;
	/* w[i], d[i]: the op index of change i's create/update and delete, or -1 */
	long *w = gf_xcalloc(n + 1, sizeof(long)), *d = gf_xcalloc(n + 1, sizeof(long));
	char **raddr = gf_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		plan_change *c = p->changes.items[i];
		raddr[i] = resource_addr(&p->arena, c);
		w[i] = d[i] = -1;
		if (c->action == PLAN_NOOP || c->action == PLAN_FORGET)
			continue;
		if (c->action != PLAN_DELETE) {
			w[i] = (long)ap->ops.len;
			gf_vec_push(&ap->ops, ((op){.c = c, .del = false}));
		}
		if (c->action == PLAN_DELETE || c->action == PLAN_DELETE_CREATE ||
		    c->action == PLAN_CREATE_DELETE) {
			d[i] = (long)ap->ops.len;
			gf_vec_push(&ap->ops, ((op){.c = c, .del = true}));
		}
	}
#define EDGE(from, to) /* op `from` waits for op `to` */                       \
	do {                                                                   \
		if ((from) >= 0 && (to) >= 0)                                  \
			gf_vec_push(&ap->ops.items[from].after, (size_t)(to)); \
	} while (0)
	/* only changes with operations take part: a no-op apply costs nothing */
	size_t *active = gf_xcalloc(n + 1, sizeof(size_t)), nactive = 0;
	state_instance **prior = gf_xcalloc(n + 1, sizeof(*prior));
	for (size_t i = 0; i < n; i++)
		if (w[i] >= 0 || d[i] >= 0) {
			active[nactive++] = i;
			prior[i] = state_instance_find(p->prior, &p->changes.items[i]->saddr);
		}
	for (size_t ai = 0; ai < nactive; ai++) {
		size_t i = active[ai];
		plan_change *c = p->changes.items[i];
		if (c->action == PLAN_DELETE_CREATE)
			EDGE(w[i], d[i]);
		if (c->action == PLAN_CREATE_DELETE)
			EDGE(d[i], w[i]);
		for (size_t aj = 0; aj < nactive; aj++) {
			size_t j = active[aj];
			if (i == j)
				continue;
			plan_change *y = p->changes.items[j];
			/* y depends on c */
			if (!depends_on(y, prior[j], raddr[i]))
				continue;
			EDGE(w[j], w[i]);
			EDGE(d[i], d[j]);
			if (c->action != PLAN_DELETE_CREATE)
				EDGE(d[i], w[j]);
		}
	}
#undef EDGE
	free(active);
	free(prior);
	free(w);
	free(d);
	free(raddr);
}

/* ---- progress lines, as Terraform prints them ---------------------------------- */

static const char *id_suffix(gf_arena *a, const hcl_value *v)
{
	const char *id = provider_object_id(v);
	return id ? gf_arena_printf(a, " [id=%s]", id) : "";
}

static void say_start(applier *ap, op *o)
{
	gf_arena *a = &ap->e.p->arena;
	if (o->del)
		printf("%s: Destroying...%s\n", o->c->addr, id_suffix(a, o->c->before));
	else if (o->read)
		printf("%s: Reading...\n", o->c->addr);
	else if (o->pop == PROVIDER_OP_CREATE)
		printf("%s: Creating...\n", o->c->addr);
	else
		printf("%s: Modifying...%s\n", o->c->addr, id_suffix(a, o->c->before));
	fflush(stdout);
}

static void say_done(applier *ap, op *o)
{
	gf_arena *a = &ap->e.p->arena;
	long secs = (long)(gf_now() - o->started);
	if (o->del)
		printf("%s: Destruction complete after %lds\n", o->c->addr, secs);
	else if (o->read)
		printf("%s: Read complete after %lds%s\n", o->c->addr, secs,
		       id_suffix(a, o->result));
	else if (o->pop == PROVIDER_OP_CREATE)
		printf("%s: Creation complete after %lds%s\n", o->c->addr, secs,
		       id_suffix(a, o->result));
	else
		printf("%s: Modifications complete after %lds%s\n", o->c->addr, secs,
		       id_suffix(a, o->result));
	fflush(stdout);
}

static void say_still(applier *ap, double now)
{
	gf_arena *a = &ap->e.p->arena;
	for (size_t i = 0; i < ap->ops.len; i++) {
		op *o = &ap->ops.items[i];
		if (o->st != OP_RUNNING)
			continue;
		long secs = (long)(now - o->started);
		const char *verb = o->del                         ? "destroying"
		                   : o->read                      ? "reading"
		                   : o->pop == PROVIDER_OP_CREATE ? "creating"
		                                                  : "modifying";
		const char *id = provider_object_id(
		        o->del || o->pop != PROVIDER_OP_CREATE ? o->c->before : NULL);
		printf("%s: Still %s... [%s%s%lds elapsed]\n", o->c->addr, verb,
		       id ? gf_arena_printf(a, "id=%s", id) : "", id ? ", " : "", secs);
	}
	fflush(stdout);
}

/* ---- the main thread's side -------------------------------------------------------- */

/* Final configuration and planned object of a create/update, now that
 * what it refers to has been applied. */
static int prepare(applier *ap, op *o)
{
	plan_change *c = o->c;
	if (o->del) {
		o->pop = PROVIDER_OP_DELETE;
		o->prior = c->before;
		return 0;
	}
	size_t errors = ap->e.cfg->diags.errors;
	const hcl_value *cfgv = plani_decode(&ap->e, c);
	if (!cfgv || ap->e.cfg->diags.errors > errors)
		return GF_ERROR;
	if (c->action == PLAN_READ) {
		o->read = true;
		o->config = cfgv;
		if (!hcl_value_is_wholly_known(cfgv)) {
			hcl_diags_add(
			        &ap->e.cfg->diags, HCL_DIAG_ERROR, &c->res->decl_range,
			        "Invalid data source configuration",
			        "%s: its configuration is still not known after everything it "
			        "depends on was applied.",
			        c->addr);
			return GF_ERROR;
		}
		return 0;
	}
	bool replace = c->action == PLAN_DELETE_CREATE || c->action == PLAN_CREATE_DELETE;
	o->prior = replace ? NULL : c->before;
	o->pop = o->prior ? PROVIDER_OP_UPDATE : PROVIDER_OP_CREATE;
	provider_plan_ctx pctx = {plani_planned_lookup, &ap->e};
	const char **rp;
	size_t nrp;
	o->planned = provider_plan(&ap->e.p->arena, c->schema, cfgv, o->prior, &pctx, &rp, &nrp);
	o->config = cfgv;
	if (!o->planned) {
		hcl_diags_add(&ap->e.cfg->diags, HCL_DIAG_ERROR, &c->res->decl_range,
		              gf_arena_printf(&ap->e.p->arena, "%s: %s", c->addr, gf_err_msg()),
		              NULL);
		return GF_ERROR;
	}
	return 0;
}

static void record(applier *ap, op *o, state *st)
{
	plan_change *c = o->c;
	gf_arena *a = &ap->e.p->arena;
	if (o->del && o->rc == 0) {
		state_instance_remove(st, &c->saddr);
		if (c->action == PLAN_DELETE)
			ap->e.current[c->seq] = NULL;
		return;
	}
	if (o->del || !o->result)
		return;
	const hcl_value *v = hcl_value_copy(a, o->result);
	ap->e.current[c->seq] = v;
	state_instance *si = state_instance_ensure(st, &c->saddr, c->schema->state_provider);
	state_instance_set_attributes(si, plani_object_to_json(a, v));
	state_instance_set_dependencies(si, (const char *const *)c->deps, c->ndeps);
	if (o->read)
		return;
	si->create_before_destroy = c->create_before_destroy;
	/* an object created but not converged is replaced by the next apply,
	 * as Terraform taints a partially created one */
	si->tainted = o->rc < 0 && o->pop == PROVIDER_OP_CREATE;
}

static void write_outputs(applier *ap, state *st)
{
	config_module *m = ap->e.cfg->root;
	gf_arena *a = &ap->e.p->arena;
	if (ap->e.p->opts.destroy) {
		state_outputs_clear(st);
		return;
	}
	state_outputs_clear(st);
	for (size_t i = 0; i < m->outputs.len; i++) {
		const config_output *o = &m->outputs.items[i];
		if (!o->value)
			continue;
		hcl_diags scratch;
		hcl_diags_init(&scratch, a);
		const hcl_value *v =
		        hcl_eval(a, o->value, plani_scope(&ap->e, NULL, NULL), &scratch);
		hcl_diags_dispose(&scratch);
		if (!v || !hcl_value_is_wholly_known(v))
			continue;
		state_output_set(st, o->name, plani_object_to_json(a, v),
		                 state_type_to_json(v->type), o->sensitive);
	}
}

/* Data sources read during plan go to the state as they were read; the
 * state's other data instances are dropped (Terraform keeps only what the
 * configuration reads). */
static void record_reads(applier *ap, state *st)
{
	plan *p = ap->e.p;
	GF_VEC(state_addr) gone = {0};
	for (size_t r = 0; r < st->resources.len; r++) {
		const state_resource *res = st->resources.items[r];
		for (size_t k = 0; res->mode == STATE_DATA && k < res->instances.len; k++) {
			state_addr sa;
			if (state_instance_addr(&sa, res, res->instances.items[k]) < 0)
				continue;
			bool planned = false;
			for (size_t i = 0; i < p->changes.len && !planned; i++)
				planned = state_addr_equal(&p->changes.items[i]->saddr, &sa);
			if (planned)
				state_addr_dispose(&sa);
			else
				gf_vec_push(&gone, sa);
		}
	}
	for (size_t k = 0; k < gone.len; k++) {
		state_instance_remove(st, &gone.items[k]);
		state_addr_dispose(&gone.items[k]);
	}
	gf_vec_dispose(&gone);
	for (size_t i = 0; i < p->changes.len; i++) {
		plan_change *c = p->changes.items[i];
		if (c->saddr.mode != STATE_DATA || c->action != PLAN_NOOP || !c->after ||
		    !hcl_value_is_wholly_known(c->after))
			continue;
		state_instance *si =
		        state_instance_ensure(st, &c->saddr, c->schema->state_provider);
		state_instance_set_attributes(si, plani_object_to_json(&p->arena, c->after));
		state_instance_set_dependencies(si, (const char *const *)c->deps, c->ndeps);
	}
}

static bool ready(const applier *ap, const op *o, bool *blocked)
{
	*blocked = false;
	for (size_t i = 0; i < o->after.len; i++) {
		op_state s = ap->ops.items[o->after.items[i]].st;
		if (s == OP_FAILED)
			*blocked = true;
		if (s != OP_DONE)
			return false;
	}
	return true;
}

int plan_apply(plan *p, config *cfg, state **stp, state_backend *backend, const provider_conn *conn,
               const plan_apply_opts *opts)
{
	applier ap = {.conn = conn};
	int rc = 0;
	if (!plani_engine_init(&ap.e, p, cfg))
		return GF_ERROR;
	/* the refreshed objects are what exists: they are the starting point */
	state_free(*stp);
	*stp = state_copy(p->prior);
	state *st = *stp;
	/* forgotten: out of the state, no provider call */
	for (size_t i = 0; i < p->changes.len; i++)
		if (p->changes.items[i]->action == PLAN_FORGET)
			state_instance_remove(st, &p->changes.items[i]->saddr);
	/* references see planned values until the real ones arrive */
	ap.e.current = gf_arena_alloc(&p->arena, (p->changes.len + 1) * sizeof(*ap.e.current));
	for (size_t i = 0; i < p->changes.len; i++) {
		plan_change *c = p->changes.items[i];
		ap.e.current[i] = c->action == PLAN_NOOP ? c->before : c->after;
		c->mi = NULL;
		plani_node *n = c->res ? plani_node_of(&ap.e, &c->saddr) : NULL;
		if (n) {
			gf_vec_push(&n->insts, c);
			n->evaluated = true;
		}
	}
	/* module instances outermost first: a call's count or for_each may
	 * refer to the objects of the module instance it is in */
	size_t depth = 0;
	for (bool more = true; more; depth++) {
		more = false;
		for (size_t i = 0; i < p->changes.len; i++) {
			plan_change *c = p->changes.items[i];
			more |= c->saddr.nmodules > depth;
			if (c->res && c->saddr.nmodules == depth)
				c->mi = plani_modinst_at(&ap.e, &c->saddr);
		}
	}
	record_reads(&ap, st);
	build_ops(&ap);
	pthread_mutex_init(&ap.mu, NULL);
	pthread_cond_init(&ap.cv, NULL);
	int parallelism = opts->parallelism > 0 ? opts->parallelism : 10;
	int running = 0;
	bool interrupted_said = false, failed = false;
	double next_still = gf_now() + 10;
	if (state_backend_write(backend, st) < 0) {
		hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, NULL, "Failed to save state", "%s",
		              gf_err_msg());
		rc = GF_ERROR;
		goto done;
	}
	for (;;) {
		bool stop = opts->interrupted && *opts->interrupted;
		if (stop && !interrupted_said) {
			printf("\nInterrupt received.\nPlease wait for gitfleet to exit or data "
			       "loss "
			       "may occur.\nGracefully shutting down...\n\nStopping "
			       "operation...\n");
			fflush(stdout);
			interrupted_said = true;
		}
		for (size_t i = 0; i < ap.ops.len && !stop && running < parallelism; i++) {
			op *o = &ap.ops.items[i];
			bool blocked;
			if (o->st != OP_WAITING)
				continue;
			if (!ready(&ap, o, &blocked)) {
				if (blocked)
					o->st = OP_FAILED;
				continue;
			}
			if (prepare(&ap, o) < 0) {
				o->st = OP_FAILED;
				failed = true;
				continue;
			}
			o->ap = &ap;
			o->st = OP_RUNNING;
			o->started = gf_now();
			gf_arena_init(&o->arena);
			say_start(&ap, o);
			if (pthread_create(&o->thread, NULL, worker, o) != 0)
				gf_die("apply: cannot start a thread");
			running++;
		}
		if (running == 0)
			break;
		pthread_mutex_lock(&ap.mu);
		while (ap.finished.len == 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&ap.cv, &ap.mu, &ts);
			if (opts->interrupted && *opts->interrupted && !interrupted_said)
				break;
			if (gf_now() >= next_still)
				break;
		}
		size_t nfin = ap.finished.len;
		size_t *fin = gf_xmalloc((nfin + 1) * sizeof(size_t));
		if (nfin)
			memcpy(fin, ap.finished.items, nfin * sizeof(size_t));
		ap.finished.len = 0;
		pthread_mutex_unlock(&ap.mu);
		if (gf_now() >= next_still) {
			say_still(&ap, gf_now());
			next_still = gf_now() + 10;
		}
		for (size_t k = 0; k < nfin; k++) {
			op *o = &ap.ops.items[fin[k]];
			pthread_join(o->thread, NULL);
			running--;
			record(&ap, o, st);
			if (o->rc == 0) {
				o->st = OP_DONE;
				say_done(&ap, o);
			} else {
				o->st = OP_FAILED;
				failed = true;
				hcl_diags_add(
				        &cfg->diags, HCL_DIAG_ERROR,
				        o->c->res ? &o->c->res->decl_range : NULL,
				        gf_arena_printf(&p->arena, "%s: %s", o->c->addr, o->err),
				        NULL);
			}
			gf_arena_dispose(&o->arena);
		}
		/* one write for every operation that completed meanwhile: the
		 * state says exactly what exists before anything new starts */
		if (nfin && state_backend_write(backend, st) < 0) {
			hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, NULL, "Failed to save state",
			              "%s", gf_err_msg());
			failed = true;
		}
		free(fin);
	}
	if (!interrupted_said && !failed) {
		write_outputs(&ap, st);
		if (state_backend_write(backend, st) < 0) {
			hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, NULL, "Failed to save state",
			              "%s", gf_err_msg());
			failed = true;
		}
	}
	if (interrupted_said) {
		hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, NULL, "Operation cancelled",
		              "The apply was interrupted: operations in flight finished and were "
		              "saved in the state; the rest was not started. Run apply again to "
		              "finish.");
		failed = true;
	}
	rc = failed ? GF_ERROR : 0;
	pthread_mutex_destroy(&ap.mu);
	pthread_cond_destroy(&ap.cv);
done:
	for (size_t i = 0; i < ap.ops.len; i++)
		gf_vec_dispose(&ap.ops.items[i].after);
	gf_vec_dispose(&ap.ops);
	gf_vec_dispose(&ap.finished);
	for (size_t i = 0; i < ap.e.n; i++)
		gf_vec_dispose(&ap.e.nodes[i].insts);
	return rc;
}
