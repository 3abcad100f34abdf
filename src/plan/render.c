/* Plans rendered as Terraform renders them: the same symbols, words,
 * indentation and alignment of `=` (plan.h). Layout rules, as Terraform's
 * renderer has them: a line at depth d starts with 4*d spaces, then two
 * spaces, the action symbol and a space ("      + id" at depth 1); keys
 * are padded to the longest key of their object that is not null on both
 * sides; unchanged attributes of an update are counted, not shown, except
 * the identifying ones (id, name, tags). */
#include "plan/plan_int.h"

#include <stdlib.h>
#include <string.h>

#define C_RESET  "\x1b[0m"
#define C_BOLD   "\x1b[1m"
#define C_RED    "\x1b[31m"
#define C_GREEN  "\x1b[32m"
#define C_YELLOW "\x1b[33m"

typedef struct {
	gf_buf *out;
	bool color;
	gf_arena *arena; /* for redacted copies of sensitive values */
} rctx;

typedef enum {
	A_NOOP,
	A_CREATE,
	A_DELETE,
	A_UPDATE
} attr_action;

static const char *sym(const rctx *r, attr_action a)
{
	switch (a) {
	case A_CREATE:
		return r->color ? C_GREEN "+" C_RESET : "+";
	case A_DELETE:
		return r->color ? C_RED "-" C_RESET : "-";
	case A_UPDATE:
		return r->color ? C_YELLOW "~" C_RESET : "~";
	default:
		return " ";
	}
}

static void indent(rctx *r, int depth, attr_action a)
{
	for (int i = 0; i < depth * 4 + 2; i++)
		gf_buf_putc(r->out, ' ');
	gf_buf_printf(r->out, "%s ", sym(r, a));
}

static void close_indent(rctx *r, int depth)
{
	for (int i = 0; i < depth * 4 + 4; i++)
		gf_buf_putc(r->out, ' ');
}

static bool is_null(const hcl_value *v)
{
	return !v || v->kind == HCL_VAL_NULL;
}

static bool is_seq(const hcl_value *v)
{
	return v && (v->kind == HCL_VAL_LIST || v->kind == HCL_VAL_SET || v->kind == HCL_VAL_TUPLE);
}

static bool is_map(const hcl_value *v)
{
	return v && (v->kind == HCL_VAL_MAP || v->kind == HCL_VAL_OBJECT);
}

static void quote(gf_buf *out, const char *s, size_t len)
{
	gf_buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"' || c == '\\')
			gf_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			gf_buf_puts(out, "\\n");
		else if (c == '\t')
			gf_buf_puts(out, "\\t");
		else if (c == '$' && i + 1 < len && s[i + 1] == '{')
			gf_buf_puts(out, "$$");
		else
			gf_buf_putc(out, c);
	}
	gf_buf_putc(out, '"');
}

/* A key of a map ("key", quoted) or object (key), padded so that the `=`
 * of every key of the collection align; `pad` counts the quotes. */
static void put_key(gf_buf *out, const hcl_value *coll, const char *key, size_t pad)
{
	if (coll->kind == HCL_VAL_MAP)
		gf_buf_printf(out, "\"%s\"%*s = ", key, (int)(pad - strlen(key) - 2), "");
	else
		gf_buf_printf(out, "%s%*s = ", key, (int)(pad - strlen(key)), "");
}

void plan_render_value(gf_buf *out, const hcl_value *v, int ind)
{
	gf_arena a;
	if (!v || v->kind == HCL_VAL_NULL) {
		gf_buf_puts(out, "null");
		return;
	}
	if (v->marks & HCL_MARK_SENSITIVE) {
		gf_buf_puts(out, "(sensitive value)");
		return;
	}
	switch (v->kind) {
	case HCL_VAL_UNKNOWN:
		gf_buf_puts(out, "(known after apply)");
		return;
	case HCL_VAL_STRING:
		quote(out, v->u.str.ptr, v->u.str.len);
		return;
	case HCL_VAL_NUMBER:
		gf_arena_init(&a);
		gf_buf_puts(out, hcl_number_format(&a, v->u.num));
		gf_arena_dispose(&a);
		return;
	case HCL_VAL_BOOL:
		gf_buf_puts(out, v->u.b ? "true" : "false");
		return;
	default:
		break;
	}
	bool map = is_map(v);
	if (v->u.coll.len == 0) {
		gf_buf_puts(out, map ? "{}" : "[]");
		return;
	}
	size_t pad = 0;
	for (size_t i = 0; map && i < v->u.coll.len; i++)
		pad = GF_MAX(pad, strlen(v->u.coll.keys[i]) + (v->kind == HCL_VAL_MAP ? 2 : 0));
	gf_buf_puts(out, map ? "{\n" : "[\n");
	for (size_t i = 0; i < v->u.coll.len; i++) {
		gf_buf_printf(out, "%*s", ind + 4, "");
		if (map)
			put_key(out, v, v->u.coll.keys[i], pad);
		plan_render_value(out, v->u.coll.items[i], ind + 4);
		gf_buf_puts(out, map ? "\n" : ",\n");
	}
	gf_buf_printf(out, "%*s%s", ind, "", map ? "}" : "]");
}

static void value(rctx *r, const hcl_value *v, int depth)
{
	plan_render_value(r->out, v, depth * 4 + 4);
}

static attr_action action_of(const hcl_value *before, const hcl_value *after)
{
	if (is_null(before) && is_null(after))
		return A_NOOP;
	if (is_null(before))
		return A_CREATE;
	if (is_null(after))
		return A_DELETE;
	return hcl_value_equal(before, after) ? A_NOOP : A_UPDATE;
}

/* A list or map attribute whose elements are shown one per line. */
static void collection(rctx *r, int depth, const hcl_value *before, const hcl_value *after)
{
	const hcl_value *shape = is_null(after) ? before : after;
	bool map = is_map(shape);
	gf_buf_puts(r->out, map ? "{\n" : "[\n");
	size_t pad = 0;
	const hcl_value *sides[2] = {before, after};
	for (int s = 0; s < 2 && map; s++)
		for (size_t i = 0; !is_null(sides[s]) && i < sides[s]->u.coll.len; i++)
			pad = GF_MAX(pad, strlen(sides[s]->u.coll.keys[i]) +
			                          (shape->kind == HCL_VAL_MAP ? 2 : 0));
	/* before's elements missing from after, then after's in order */
	for (size_t i = 0; !is_null(before) && i < before->u.coll.len; i++) {
		const hcl_value *bv = before->u.coll.items[i];
		bool kept = false;
		for (size_t k = 0; !is_null(after) && k < after->u.coll.len && !kept; k++)
			kept = map ? strcmp(after->u.coll.keys[k], before->u.coll.keys[i]) == 0
			           : hcl_value_equal(after->u.coll.items[k], bv);
		if (kept)
			continue;
		indent(r, depth + 1, A_DELETE);
		if (map)
			put_key(r->out, before, before->u.coll.keys[i], pad);
		value(r, bv, depth + 1);
		gf_buf_puts(r->out, map ? " -> null\n" : ",\n");
	}
	for (size_t i = 0; !is_null(after) && i < after->u.coll.len; i++) {
		const hcl_value *av = after->u.coll.items[i], *bv = NULL;
		for (size_t k = 0; !is_null(before) && k < before->u.coll.len && !bv; k++)
			if (map ? strcmp(before->u.coll.keys[k], after->u.coll.keys[i]) == 0
			        : hcl_value_equal(before->u.coll.items[k], av))
				bv = before->u.coll.items[k];
		attr_action a = bv ? (hcl_value_equal(bv, av) ? A_NOOP : A_UPDATE) : A_CREATE;
		indent(r, depth + 1, a);
		if (map)
			put_key(r->out, after, after->u.coll.keys[i], pad);
		if (a == A_UPDATE) {
			value(r, bv, depth + 1);
			gf_buf_puts(r->out, " -> ");
		}
		value(r, av, depth + 1);
		gf_buf_puts(r->out, map ? "\n" : ",\n");
	}
	close_indent(r, depth);
	gf_buf_puts(r->out, map ? "}" : "]");
}

static void attribute(rctx *r, int depth, const char *name, size_t pad, const hcl_value *before,
                      const hcl_value *after, attr_action a, bool forces)
{
	indent(r, depth, a);
	gf_buf_printf(r->out, "%-*s = ", (int)pad, name);
	const hcl_value *shape = is_null(after) ? before : after;
	bool multi = (is_seq(shape) || is_map(shape)) && !(shape->marks & HCL_MARK_SENSITIVE) &&
	             shape->u.coll.len > 0 &&
	             (is_null(before) || before->kind == shape->kind ||
	              is_seq(before) == is_seq(shape)) &&
	             (is_null(after) || after->kind != HCL_VAL_UNKNOWN);
	if (multi && a != A_UPDATE && a != A_NOOP)
		collection(r, depth, a == A_CREATE ? NULL : before, a == A_CREATE ? after : NULL);
	else if (multi && a == A_UPDATE && !is_null(before) && before->kind != HCL_VAL_UNKNOWN &&
	         (is_seq(before) || is_map(before)))
		collection(r, depth, before, after);
	else if (a == A_UPDATE) {
		value(r, before, depth);
		gf_buf_puts(r->out, " -> ");
		value(r, after, depth);
	} else if (a == A_DELETE) {
		value(r, before, depth);
		gf_buf_puts(r->out, " -> null");
	} else {
		value(r, after, depth);
	}
	if (forces)
		gf_buf_puts(r->out, r->color ? C_RED " # forces replacement" C_RESET
		                             : " # forces replacement");
	gf_buf_putc(r->out, '\n');
}

static bool listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static bool identifying(const char *name)
{
	return !strcmp(name, "id") || !strcmp(name, "name") || !strcmp(name, "tags");
}

/* Whether a block object has nothing to show (no attribute set). */
static bool all_null(const provider_block_schema *s, const hcl_value *obj)
{
	for (size_t i = 0; obj && i < s->nattrs; i++)
		if (!is_null(hcl_value_get(obj, s->attrs[i].name)))
			return false;
	for (size_t i = 0; obj && i < s->nblocks; i++) {
		const hcl_value *l = hcl_value_get(obj, s->blocks[i].name);
		if (!is_null(l) && l->u.coll.len)
			return false;
	}
	return true;
}

/* The body of a block: attributes, then nested blocks. `whole` is set for
 * create and delete, where every attribute is shown. */
static void block_body(rctx *r, int depth, const provider_block_schema *s, const hcl_value *before,
                       const hcl_value *after, attr_action whole, const char *const *forces,
                       size_t nforces)
{
	size_t pad = 0, hidden = 0;
	bool any_attr = false;
	for (size_t i = 0; i < s->nattrs; i++) {
		const char *n = s->attrs[i].name;
		const hcl_value *b = before ? hcl_value_get(before, n) : NULL;
		const hcl_value *a = after ? hcl_value_get(after, n) : NULL;
		if (!is_null(b) || !is_null(a))
			pad = GF_MAX(pad, strlen(n));
	}
	for (size_t i = 0; i < s->nattrs; i++) {
		const char *n = s->attrs[i].name;
		const hcl_value *b = before ? hcl_value_get(before, n) : NULL;
		const hcl_value *a = after ? hcl_value_get(after, n) : NULL;
		attr_action act = action_of(b, a);
		if (is_null(b) && is_null(a))
			continue;
		if (whole == A_CREATE || whole == A_DELETE)
			act = whole;
		if (act == A_NOOP && !identifying(n)) {
			hidden++;
			continue;
		}
		if (s->attrs[i].flags & PROVIDER_SENSITIVE) {
			a = a ? hcl_mark(r->arena, a, HCL_MARK_SENSITIVE) : a;
			b = b ? hcl_mark(r->arena, b, HCL_MARK_SENSITIVE) : b;
		}
		attribute(r, depth, n, pad, b, a, act, act != A_NOOP && listed(n, forces, nforces));
		any_attr = true;
	}
	if (hidden) {
		indent(r, depth, A_NOOP);
		gf_buf_printf(r->out, "# (%zu unchanged attribute%s hidden)\n", hidden,
		              hidden == 1 ? "" : "s");
	}
	size_t hidden_blocks = 0;
	bool first_block = true;
	for (size_t i = 0; i < s->nblocks; i++) {
		const provider_block *pb = &s->blocks[i];
		const hcl_value *bl = before ? hcl_value_get(before, pb->name) : NULL;
		const hcl_value *al = after ? hcl_value_get(after, pb->name) : NULL;
		size_t nb = is_null(bl) ? 0 : bl->u.coll.len, na = is_null(al) ? 0 : al->u.coll.len;
		for (size_t k = 0; k < GF_MAX(nb, na); k++) {
			const hcl_value *b = k < nb ? bl->u.coll.items[k] : NULL;
			const hcl_value *a = k < na ? al->u.coll.items[k] : NULL;
			attr_action act = action_of(b, a);
			if (whole == A_CREATE || whole == A_DELETE)
				act = whole;
			if (act == A_NOOP) {
				hidden_blocks++;
				continue;
			}
			if (first_block && any_attr)
				gf_buf_putc(r->out, '\n');
			first_block = false;
			indent(r, depth, act);
			bool empty = all_null(pb->schema, b) && all_null(pb->schema, a);
			gf_buf_printf(r->out, "%s {%s", pb->name, empty ? "}" : "");
			if (listed(pb->name, forces, nforces))
				gf_buf_puts(r->out, r->color ? C_RED " # forces replacement" C_RESET
				                             : " # forces replacement");
			gf_buf_putc(r->out, '\n');
			if (empty)
				continue;
			block_body(r, depth + 1, pb->schema, b, a, act == A_UPDATE ? A_NOOP : act,
			           NULL, 0);
			close_indent(r, depth);
			gf_buf_puts(r->out, "}\n");
		}
	}
	if (hidden_blocks) {
		gf_buf_putc(r->out, '\n');
		indent(r, depth, A_NOOP);
		gf_buf_printf(r->out, "# (%zu unchanged block%s hidden)\n", hidden_blocks,
		              hidden_blocks == 1 ? "" : "s");
	}
}

static const char *resource_symbol(const rctx *r, plan_action a)
{
	switch (a) {
	case PLAN_CREATE:
		return r->color ? "  " C_GREEN "+" C_RESET : "  +";
	case PLAN_DELETE:
		return r->color ? "  " C_RED "-" C_RESET : "  -";
	case PLAN_UPDATE:
		return r->color ? "  " C_YELLOW "~" C_RESET : "  ~";
	case PLAN_DELETE_CREATE:
		return r->color ? C_RED "-" C_RESET "/" C_GREEN "+" C_RESET : "-/+";
	case PLAN_CREATE_DELETE:
		return r->color ? C_GREEN "+" C_RESET "/" C_RED "-" C_RESET : "+/-";
	case PLAN_READ:
		return r->color ? " " C_GREEN "<=" C_RESET : " <=";
	case PLAN_FORGET:
		return " .";
	default:
		return "   ";
	}
}

static void resource(rctx *r, const char *header, const char *reason, plan_action action,
                     const plan_change *c, const hcl_value *before, const hcl_value *after)
{
	if (action == PLAN_FORGET) /* one space before '#', as Terraform's */
		gf_buf_printf(r->out,
		              "%s # %s%s will no longer be managed by gitfleet, but %swill not be "
		              "destroyed%s\n # (destroy = false is set in the configuration)\n",
		              r->color ? C_BOLD : "", c->addr, r->color ? C_RESET : "",
		              r->color ? C_BOLD C_RED : "", r->color ? C_RESET : "");
	else if (header && r->color)
		gf_buf_printf(r->out, C_BOLD "  # %s" C_RESET " %s\n", c->addr, header);
	else if (header)
		gf_buf_printf(r->out, "  # %s %s\n", c->addr, header);
	else if (r->color) /* a move and nothing else */
		gf_buf_printf(r->out,
		              C_BOLD "  # %s" C_RESET " has moved to " C_BOLD "%s" C_RESET "\n",
		              c->prev_addr, c->addr);
	else
		gf_buf_printf(r->out, "  # %s has moved to %s\n", c->prev_addr, c->addr);
	if (reason)
		gf_buf_printf(r->out, "  # (%s)\n", reason);
	if (header && c->prev_addr)
		gf_buf_printf(r->out, "  # %s(moved from %s)\n", r->color ? C_RESET : "",
		              c->prev_addr);
	gf_buf_printf(r->out, "%s %s \"%s\" \"%s\" {\n", resource_symbol(r, action),
	              c->saddr.mode == STATE_DATA ? "data" : "resource", c->saddr.type,
	              c->saddr.name);
	attr_action whole = action == PLAN_CREATE || action == PLAN_READ ? A_CREATE
	                    : action == PLAN_DELETE                      ? A_DELETE
	                                                                 : A_NOOP;
	block_body(r, 1, &c->schema->body, before, after, whole, c->replace_paths, c->nreplace);
	gf_buf_puts(r->out, "    }\n");
}

/* NULL for a move with no other change. */
static const char *change_header(const plan_change *c)
{
	switch (c->action) {
	case PLAN_NOOP:
		return NULL;
	case PLAN_CREATE:
		return "will be created";
	case PLAN_DELETE:
		return "will be destroyed";
	case PLAN_UPDATE:
		return "will be updated in-place";
	case PLAN_READ:
		return "will be read during apply";
	default:
		break;
	}
	if (c->reason && !strcmp(c->reason, "because of -replace"))
		return "will be replaced, as requested";
	if (c->reason && strstr(c->reason, "replace_triggered_by"))
		return "will be replaced due to changes in replace_triggered_by";
	if (c->reason && strstr(c->reason, "tainted"))
		return "is tainted, so must be replaced";
	return "must be replaced";
}

void plan_render_change(gf_buf *out, const plan_change *c, bool color)
{
	gf_arena a;
	gf_arena_init(&a);
	rctx r = {out, color, &a};
	resource(&r, change_header(c),
	         c->action == PLAN_DELETE || c->action == PLAN_READ ? c->reason : NULL, c->action,
	         c, c->before, c->after);
	gf_arena_dispose(&a);
}

static int by_addr(const void *a, const void *b)
{
	const plan_change *x = *(const plan_change *const *)a, *y = *(const plan_change *const *)b;
	return strcmp(x->addr, y->addr);
}

static void drift(rctx *r, const plan *p)
{
	gf_buf_puts(r->out, r->color ? "\n" C_BOLD C_RESET C_BOLD
	                               "Note: Objects have changed outside of gitfleet" C_RESET "\n"
	                             : "\nNote: Objects have changed outside of gitfleet\n");
	gf_buf_puts(r->out,
	            "\ngitfleet detected the following changes made outside of gitfleet since the\n"
	            "last \"gitfleet apply\" which may have affected this plan:\n");
	for (size_t i = 0; i < p->drift.len; i++) {
		const plan_drift *d = &p->drift.items[i];
		plan_change c = {0};
		c.addr = d->addr;
		c.schema = d->schema;
		state_addr_parse(&c.saddr, d->addr);
		gf_buf_putc(r->out, '\n');
		resource(r, d->after ? "has changed" : "has been deleted", NULL,
		         d->after ? PLAN_UPDATE : PLAN_DELETE, &c, d->before, d->after);
		state_addr_dispose(&c.saddr);
	}
	gf_buf_puts(
	        r->out,
	        "\n\nUnless you have made equivalent changes to your configuration, or ignored "
	        "the\nrelevant attributes using ignore_changes, the following plan may include\n"
	        "actions to undo or respond to these changes.\n");
	gf_buf_puts(r->out, "\n");
	for (int i = 0; i < 77; i++)
		gf_buf_puts(r->out, "\u2500");
	gf_buf_puts(r->out, "\n");
}

static void outputs(rctx *r, const plan *p)
{
	size_t pad = 0;
	bool any = false;
	for (size_t i = 0; i < p->outputs.len; i++)
		if (p->outputs.items[i].action != PLAN_NOOP) {
			pad = GF_MAX(pad, strlen(p->outputs.items[i].name));
			any = true;
		}
	if (!any)
		return;
	gf_buf_puts(r->out, "\nChanges to Outputs:\n");
	for (size_t i = 0; i < p->outputs.len; i++) {
		const plan_output *o = &p->outputs.items[i];
		if (o->action == PLAN_NOOP)
			continue;
		attr_action a = o->action == PLAN_CREATE   ? A_CREATE
		                : o->action == PLAN_DELETE ? A_DELETE
		                                           : A_UPDATE;
		gf_arena ar;
		gf_arena_init(&ar);
		const hcl_value *b = o->before, *af = o->after;
		if (o->sensitive) {
			b = b ? hcl_mark(&ar, b, HCL_MARK_SENSITIVE) : NULL;
			af = af ? hcl_mark(&ar, af, HCL_MARK_SENSITIVE) : NULL;
		}
		/* outputs sit at depth 0: "  + url = ..." */
		gf_buf_printf(r->out, "  %s %-*s = ", sym(r, a), (int)pad, o->name);
		if (a == A_UPDATE) {
			plan_render_value(r->out, b, 4);
			gf_buf_puts(r->out, " -> ");
			plan_render_value(r->out, af, 4);
		} else if (a == A_DELETE) {
			plan_render_value(r->out, b, 4);
			gf_buf_puts(r->out, " -> null");
		} else {
			plan_render_value(r->out, af, 4);
		}
		gf_buf_putc(r->out, '\n');
		gf_arena_dispose(&ar);
	}
}

void plan_render(gf_buf *out, const plan *p, const plan_render_opts *o)
{
	gf_arena a;
	gf_arena_init(&a);
	rctx r = {out, o->color, &a};
	if (p->drift.len)
		drift(&r, p);
	int add, change, destroy;
	plan_counts(p, &add, &change, &destroy);
	int n[PLAN_FORGET + 1] = {0};
	size_t moved = 0;
	for (size_t i = 0; i < p->changes.len; i++) {
		n[p->changes.items[i]->action]++;
		moved += p->changes.items[i]->action == PLAN_NOOP && p->changes.items[i]->prev_addr;
	}
	if (add + change + destroy == 0 && moved == 0 && n[PLAN_FORGET] == 0) {
		bool outs = !plan_is_empty(p);
		if (o->color)
			gf_buf_puts(out, "\n" C_RESET C_BOLD C_GREEN "No changes." C_RESET C_BOLD
			                 " Your infrastructure matches the configuration." C_RESET
			                 "\n\n");
		else
			gf_buf_puts(
			        out,
			        "\nNo changes. Your infrastructure matches the configuration.\n\n");
		if (outs) {
			outputs(&r, p);
			gf_buf_puts(out,
			            "\nYou can apply this plan to save these new output values "
			            "to the gitfleet\nstate, without changing any real "
			            "infrastructure.\n");
		} else if (p->opts.destroy) {
			gf_buf_puts(out,
			            "Either you have not created any objects yet or the existing "
			            "objects were\nalready deleted outside of gitfleet.\n");
		} else {
			gf_buf_puts(out,
			            "gitfleet has compared your real infrastructure against your "
			            "configuration\nand found no differences, so no changes are "
			            "needed.\n");
		}
		gf_arena_dispose(&a);
		return;
	}
	/* a plan of moves alone has no symbols to explain, as Terraform's;
	 * forgetting has none of its own */
	if (add + change + destroy || n[PLAN_READ] || n[PLAN_FORGET])
		gf_buf_puts(out, "\ngitfleet used the selected providers to generate the "
		                 "following execution\nplan. Resource actions are indicated with "
		                 "the following symbols:\n");
	if (n[PLAN_CREATE])
		gf_buf_printf(out, "  %s create\n", sym(&r, A_CREATE));
	if (n[PLAN_DELETE])
		gf_buf_printf(out, "  %s destroy\n", sym(&r, A_DELETE));
	if (n[PLAN_UPDATE])
		gf_buf_printf(out, "  %s update in-place\n", sym(&r, A_UPDATE));
	if (n[PLAN_DELETE_CREATE])
		gf_buf_printf(out, "%s destroy and then create replacement\n",
		              resource_symbol(&r, PLAN_DELETE_CREATE));
	if (n[PLAN_CREATE_DELETE])
		gf_buf_printf(out, "%s create replacement and then destroy\n",
		              resource_symbol(&r, PLAN_CREATE_DELETE));
	if (n[PLAN_READ])
		gf_buf_printf(out, "%s read (data resources)\n", resource_symbol(&r, PLAN_READ));
	gf_buf_puts(out, "\ngitfleet will perform the following actions:\n");
	plan_change **sorted = gf_xmalloc((p->changes.len + 1) * sizeof(*sorted));
	size_t ns = 0;
	for (size_t i = 0; i < p->changes.len; i++)
		if (p->changes.items[i]->action != PLAN_NOOP || p->changes.items[i]->prev_addr)
			sorted[ns++] = p->changes.items[i];
	qsort(sorted, ns, sizeof(*sorted), by_addr);
	for (size_t i = 0; i < ns; i++) {
		gf_buf_putc(out, '\n');
		plan_render_change(out, sorted[i], o->color);
	}
	free(sorted);
	if (o->color)
		gf_buf_printf(out,
		              "\n" C_BOLD "Plan:" C_RESET
		              " %d to add, %d to change, %d to destroy.\n",
		              add, change, destroy);
	else
		gf_buf_printf(out, "\nPlan: %d to add, %d to change, %d to destroy.\n", add, change,
		              destroy);
	outputs(&r, p);
	gf_arena_dispose(&a);
}

void plan_render_outputs(gf_buf *out, const state *st, bool color)
{
	if (!st || st->outputs.len == 0)
		return;
	gf_buf_puts(out, color ? "\n" C_BOLD C_GREEN "Outputs:" C_RESET "\n\n" : "\nOutputs:\n\n");
	gf_arena a;
	gf_arena_init(&a);
	for (size_t i = 0; i < st->outputs.len; i++) {
		const state_output *o = st->outputs.items[i];
		gf_buf_printf(out, "%s = ", o->name);
		if (o->sensitive) {
			gf_buf_puts(out, "<sensitive>\n");
			continue;
		}
		char *t = json_dumps(o->value, JSON_ENCODE_ANY | JSON_COMPACT);
		const char *why;
		const hcl_value *v = hcl_value_from_json(&a, t, strlen(t), &why);
		free(t);
		gf_buf_puts(out, v ? hcl_value_render(&a, v) : "?");
		gf_buf_putc(out, '\n');
	}
	gf_arena_dispose(&a);
}
