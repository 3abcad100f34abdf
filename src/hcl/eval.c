/*
 * The evaluator's core: dispatch over expression kinds, references and
 * traversals, attribute and index access (hcl.GetAttr and hcl.Index with
 * their diagnostics), templates, function calls including try() and can(),
 * and the renderer templatefile() calls back into.
 */
#include "hcl/eval_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const hcl_value *hcle_error(hcle_ctx *c, const hcl_range *subject, const hcl_range *context,
                            const char *summary, const char *detail_fmt, ...)
{
	va_list ap;
	va_start(ap, detail_fmt);
	gf_buf b = GF_BUF_INIT;
	gf_buf_vprintf(&b, detail_fmt, ap);
	va_end(ap);
	hcl_diag *d =
	        hcl_diags_add(c->diags, HCL_DIAG_ERROR, subject, summary, "%s", gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	if (context && context->filename)
		d->context = *context;
	return NULL;
}

const char *hcl_suggest(const char *given, const char *const *candidates, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (gf_str_distance(given, candidates[i]) < 3)
			return candidates[i];
	return NULL;
}

/* ---- references -------------------------------------------------------- */

static hcl_range span(const hcl_range *from, const hcl_range *to)
{
	hcl_range r = *from;
	r.end = to->end;
	return r;
}

static bool ref_error(hcl_diags *diags, const hcl_range *r, const char *summary, const char *fmt,
                      const char *arg)
{
	hcl_diags_add(diags, HCL_DIAG_ERROR, r, summary, fmt, arg);
	return false;
}

/* Terraform's parseSingleAttrRef: ROOT.NAME. */
static bool single_attr(hcl_ref *out, const hcl_expr *e, hcl_diags *diags)
{
	const hcl_steps *st = &e->u.scope.steps;
	if (st->len == 0)
		return ref_error(
		        diags, &e->range, "Invalid reference",
		        "The \"%s\" object cannot be accessed directly. Instead, access one "
		        "of its attributes.",
		        e->u.scope.root);
	if (st->steps[0].kind != HCL_STEP_ATTR)
		return ref_error(diags, &e->range, "Invalid reference",
		                 "The \"%s\" object does not support this operation.",
		                 e->u.scope.root);
	out->name = st->steps[0].name;
	out->nsteps = 1;
	return true;
}

static bool attr_in(const char *name, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(name, *allowed) == 0)
			return true;
	return false;
}

bool hcl_ref_parse(hcl_ref *out, const hcl_expr *e, hcl_diags *diags)
{
	const char *root = e->u.scope.root;
	const hcl_steps *st = &e->u.scope.steps;
	*out = (hcl_ref){.expr = e, .context = &e->range};
	bool ok = true;
	if (strcmp(root, "var") == 0) {
		out->kind = HCL_REF_VAR;
		ok = single_attr(out, e, diags);
	} else if (strcmp(root, "local") == 0) {
		out->kind = HCL_REF_LOCAL;
		ok = single_attr(out, e, diags);
	} else if (strcmp(root, "path") == 0) {
		out->kind = HCL_REF_PATH;
		ok = single_attr(out, e, diags);
		if (ok && !attr_in(out->name, (const char *const[]){"module", "root", "cwd", NULL}))
			return ref_error(
			        diags, &e->range, "Invalid \"path\" attribute",
			        "The \"path\" object does not have an attribute named "
			        "\"%s\". The supported attributes are path.module, the path "
			        "of the current module; path.root, the path of the root "
			        "module; and path.cwd, the current working directory.",
			        out->name);
	} else if (strcmp(root, "terraform") == 0) {
		out->kind = HCL_REF_TERRAFORM;
		ok = single_attr(out, e, diags);
		if (ok && strcmp(out->name, "workspace") != 0)
			return ref_error(
			        diags, &e->range, "Invalid \"terraform\" attribute",
			        "The \"terraform\" object does not have an attribute named "
			        "\"%s\". The only supported attribute is terraform.workspace, "
			        "the name of the currently-selected workspace.",
			        out->name);
	} else if (strcmp(root, "count") == 0) {
		out->kind = HCL_REF_COUNT;
		ok = single_attr(out, e, diags);
		if (ok && strcmp(out->name, "index") != 0)
			return ref_error(
			        diags, &e->range, "Invalid \"count\" attribute",
			        "The \"count\" object does not have an attribute named "
			        "\"%s\". The only supported attribute is count.index, which is "
			        "the index of each instance of a resource block that has the "
			        "\"count\" argument set.",
			        out->name);
	} else if (strcmp(root, "each") == 0) {
		out->kind = HCL_REF_EACH;
		ok = single_attr(out, e, diags);
		if (ok && !attr_in(out->name, (const char *const[]){"key", "value", NULL}))
			return ref_error(diags, &e->range, "Invalid \"each\" attribute",
			                 "The \"each\" object does not have an attribute named "
			                 "\"%s\". The supported attributes are each.key and "
			                 "each.value, the current key and value pair of the "
			                 "\"for_each\" attribute set.",
			                 out->name);
	} else if (strcmp(root, "self") == 0) {
		out->kind = HCL_REF_SELF;
		out->nsteps = 0;
	} else if (strcmp(root, "module") == 0) {
		out->kind = HCL_REF_MODULE;
		if (st->len == 0 || st->steps[0].kind != HCL_STEP_ATTR)
			return ref_error(diags, &e->range, "Invalid reference",
			                 "The \"%s\" object cannot be accessed directly. Instead, "
			                 "access one of its attributes.",
			                 root);
		out->name = st->steps[0].name;
		out->nsteps = 1;
	} else if (strcmp(root, "data") == 0) {
		out->kind = HCL_REF_DATA;
		if (st->len < 2 || st->steps[0].kind != HCL_STEP_ATTR ||
		    st->steps[1].kind != HCL_STEP_ATTR)
			return ref_error(diags, &e->range, "Invalid reference", "%s",
			                 "The \"data\" object must be followed by two attribute "
			                 "names: the data source type and the resource name.");
		out->type = st->steps[0].name;
		out->name = st->steps[1].name;
		out->nsteps = 2;
	} else {
		out->kind = HCL_REF_RESOURCE;
		if (st->len < 1 || st->steps[0].kind != HCL_STEP_ATTR)
			return ref_error(
			        diags, &e->range, "Invalid reference", "%s",
			        "A reference to a resource type must be followed by at least "
			        "one attribute access, specifying the resource name.");
		out->type = root;
		out->name = st->steps[0].name;
		out->nsteps = 1;
	}
	if (!ok)
		return false;
	out->range = out->nsteps ? span(&e->u.scope.root_range, &st->steps[out->nsteps - 1].range)
	                         : e->u.scope.root_range;
	return true;
}

char *hcl_ref_string(gf_arena *a, const hcl_ref *ref)
{
	static const char *const roots[] = {
	        [HCL_REF_VAR] = "var",
	        [HCL_REF_LOCAL] = "local",
	        [HCL_REF_MODULE] = "module",
	        [HCL_REF_PATH] = "path",
	        [HCL_REF_TERRAFORM] = "terraform",
	        [HCL_REF_COUNT] = "count",
	        [HCL_REF_EACH] = "each",
	};
	switch (ref->kind) {
	case HCL_REF_RESOURCE:
		return gf_arena_printf(a, "%s.%s", ref->type, ref->name);
	case HCL_REF_DATA:
		return gf_arena_printf(a, "data.%s.%s", ref->type, ref->name);
	case HCL_REF_SELF:
		return gf_arena_strdup(a, "self");
	default:
		return gf_arena_printf(a, "%s.%s", roots[ref->kind], ref->name);
	}
}

const hcl_value *hcl_ref_undeclared(hcl_diags *diags, const hcl_ref *ref,
                                    const char *const *candidates, size_t n,
                                    const char *module_desc)
{
	const char *key = ref->name;
	gf_arena tmp;
	gf_arena_init(&tmp);
	if (ref->kind == HCL_REF_RESOURCE || ref->kind == HCL_REF_DATA)
		key = gf_arena_printf(&tmp, "%s.%s", ref->type, ref->name);
	const char *s = hcl_suggest(key, candidates, n);
	char *dym = s ? gf_arena_printf(&tmp, " Did you mean \"%s\"?", s) : "";
	const char *where = module_desc ? module_desc : "the root module";
	switch (ref->kind) {
	case HCL_REF_VAR:
		if (s)
			hcl_diags_add(
			        diags, HCL_DIAG_ERROR, &ref->range,
			        "Reference to undeclared input variable",
			        "An input variable with the name \"%s\" has not been declared.%s",
			        ref->name, dym);
		else
			hcl_diags_add(
			        diags, HCL_DIAG_ERROR, &ref->range,
			        "Reference to undeclared input variable",
			        "An input variable with the name \"%s\" has not been declared. "
			        "This variable can be declared with a variable \"%s\" {} block.",
			        ref->name, ref->name);
		break;
	case HCL_REF_LOCAL:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range,
		              "Reference to undeclared local value",
		              "A local value with the name \"%s\" has not been declared.%s",
		              ref->name, dym);
		break;
	case HCL_REF_MODULE:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range, "Reference to undeclared module",
		              "No module call named \"%s\" is declared in %s.%s", ref->name, where,
		              dym);
		break;
	case HCL_REF_RESOURCE:
	case HCL_REF_DATA:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range,
		              "Reference to undeclared resource",
		              "A %s resource \"%s\" \"%s\" has not been declared in %s.%s",
		              ref->kind == HCL_REF_DATA ? "data" : "managed", ref->type, ref->name,
		              where, dym);
		break;
	default:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range, "Invalid reference",
		              "\"%s\" cannot be used here.", hcl_ref_string(&tmp, ref));
		break;
	}
	gf_arena_dispose(&tmp);
	return NULL;
}

const hcl_value *hcl_ref_not_allowed(hcl_diags *diags, const hcl_ref *ref)
{
	switch (ref->kind) {
	case HCL_REF_COUNT:
		hcl_diags_add(
		        diags, HCL_DIAG_ERROR, &ref->range,
		        "Reference to \"count\" in non-counted context",
		        "The \"count\" object can only be used in \"module\", \"resource\", and "
		        "\"data\" blocks, and only when the \"count\" argument is set.");
		break;
	case HCL_REF_EACH:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range,
		              "Reference to \"each\" in context without for_each",
		              "The \"each\" object can be used only in \"module\" or \"resource\" "
		              "blocks, and only when the \"for_each\" argument is set.");
		break;
	case HCL_REF_SELF:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range, "Invalid \"self\" reference",
		              "The \"self\" object is not available in this context. This object "
		              "can be used only in resource provisioner, connection, and "
		              "postcondition blocks.");
		break;
	default:
		hcl_diags_add(diags, HCL_DIAG_ERROR, &ref->range, "Variables not allowed",
		              "Variables may not be used here.");
		break;
	}
	return NULL;
}

/* ---- attribute and index access ---------------------------------------- */

const hcl_type *hcle_elem_type(const hcl_type *t)
{
	if (t->kind == HCL_TYPE_LIST || t->kind == HCL_TYPE_SET || t->kind == HCL_TYPE_MAP)
		return t->elem;
	return &hcl_type_dynamic;
}

static bool is_seq(const hcl_value *v)
{
	return v->kind == HCL_VAL_LIST || v->kind == HCL_VAL_TUPLE;
}

const hcl_value *hcle_get_attr(hcle_ctx *c, const hcl_value *v, const char *name,
                               const hcl_range *r)
{
	const hcl_type *t = v->type;
	if (v->kind == HCL_VAL_NULL)
		return hcle_error(c, r, NULL, "Attempt to get attribute from null value",
		                  "This value is null, so it does not have any attributes.");
	if (t->kind == HCL_TYPE_OBJECT) {
		const hcl_type *at = hcl_type_attr(t, name);
		if (!at) {
			const char *s = hcl_suggest(name, t->names, t->n);
			if (s)
				return hcle_error(
				        c, r, NULL, "Unsupported attribute",
				        "This object does not have an attribute named \"%s\". "
				        "Did you mean \"%s\"?",
				        name, s);
			return hcle_error(c, r, NULL, "Unsupported attribute",
			                  "This object does not have an attribute named \"%s\".",
			                  name);
		}
		if (v->kind == HCL_VAL_UNKNOWN)
			return hcl_mark(c->a, hcl_unknown(c->a, at), v->marks);
		return hcl_mark(c->a, hcl_value_get(v, name), v->marks);
	}
	if (t->kind == HCL_TYPE_MAP) {
		if (v->kind == HCL_VAL_UNKNOWN)
			return hcl_mark(c->a, hcl_unknown(c->a, t->elem), v->marks);
		const hcl_value *e = hcl_value_get(v, name);
		if (!e)
			return hcle_error(c, r, NULL, "Missing map element",
			                  "This map does not have an element with the key \"%s\".",
			                  name);
		return hcl_mark(c->a, e, v->marks);
	}
	if (t->kind == HCL_TYPE_DYNAMIC)
		return hcl_mark(c->a, &hcl_unknown_dynamic, v->marks);
	if (t->kind == HCL_TYPE_LIST && t->elem->kind == HCL_TYPE_OBJECT)
		return hcle_error(c, r, NULL, "Unsupported attribute",
		                  "Can't access attributes on a list of objects. Did you mean to "
		                  "access attribute \"%s\" for a specific element of the list, or "
		                  "across all elements of the list?",
		                  name);
	if (t->kind == HCL_TYPE_SET && t->elem->kind == HCL_TYPE_OBJECT)
		return hcle_error(c, r, NULL, "Unsupported attribute",
		                  "Can't access attributes on a set of objects. Did you mean to "
		                  "access an attribute across all elements of the set?");
	if (t->kind == HCL_TYPE_STRING || t->kind == HCL_TYPE_NUMBER || t->kind == HCL_TYPE_BOOL)
		return hcle_error(c, r, NULL, "Unsupported attribute",
		                  "Can't access attributes on a primitive-typed value (%s).",
		                  hcl_type_friendly(c->a, t));
	return hcle_error(c, r, NULL, "Unsupported attribute",
	                  "This value does not have any attributes.");
}

static const hcl_value *index_seq(hcle_ctx *c, const hcl_value *coll, const hcl_value *key,
                                  const hcl_range *r, unsigned marks)
{
	const char *why = NULL;
	const hcl_value *k = hcl_convert(c->a, key, &hcl_type_number, &why);
	if (!k)
		return hcle_error(c, r, NULL, "Invalid index",
		                  "The given key does not identify an element in this collection "
		                  "value: %s.",
		                  why);
	if (k->kind == HCL_VAL_UNKNOWN || coll->kind == HCL_VAL_UNKNOWN) {
		const hcl_type *et = &hcl_type_dynamic;
		if (coll->type->kind == HCL_TYPE_LIST)
			et = coll->type->elem;
		else if (k->kind != HCL_VAL_UNKNOWN && k->u.num >= 0 &&
		         k->u.num < (double)coll->type->n && k->u.num == floor(k->u.num))
			et = coll->type->types[(size_t)k->u.num];
		return hcl_mark(c->a, hcl_unknown(c->a, et), marks);
	}
	double d = k->u.num;
	if (d < 0)
		return hcle_error(c, r, NULL, "Invalid index",
		                  "The given key does not identify an element in this collection "
		                  "value: a negative number is not a valid index for a sequence.");
	if (d != floor(d))
		return hcle_error(c, r, NULL, "Invalid index",
		                  "The given key does not identify an element in this collection "
		                  "value: the given index is not a whole number.");
	if (d >= (double)coll->u.coll.len)
		return hcle_error(c, r, NULL, "Invalid index",
		                  "The given key does not identify an element in this collection "
		                  "value.");
	return hcl_mark(c->a, coll->u.coll.items[(size_t)d], marks);
}

const hcl_value *hcle_index(hcle_ctx *c, const hcl_value *coll, const hcl_value *key,
                            const hcl_range *r)
{
	unsigned marks = coll->marks | key->marks;
	const hcl_type *t = coll->type;
	if (coll->kind == HCL_VAL_NULL)
		return hcle_error(c, r, NULL, "Attempt to index null value",
		                  "This value is null, so it does not have any indices.");
	if (key->kind == HCL_VAL_NULL)
		return hcle_error(c, r, NULL, "Invalid index",
		                  "Can't use a null value as an indexing key.");
	if (t->kind == HCL_TYPE_DYNAMIC)
		return hcl_mark(c->a, &hcl_unknown_dynamic, marks);
	if (t->kind == HCL_TYPE_LIST || t->kind == HCL_TYPE_TUPLE) {
		if (coll->kind != HCL_VAL_UNKNOWN && !is_seq(coll))
			return hcl_mark(c->a, &hcl_unknown_dynamic, marks);
		return index_seq(c, coll, key, r, marks);
	}
	if (t->kind == HCL_TYPE_MAP || t->kind == HCL_TYPE_OBJECT) {
		bool was_number = key->type->kind == HCL_TYPE_NUMBER;
		const char *why = NULL;
		const hcl_value *k = hcl_convert(c->a, key, &hcl_type_string, &why);
		if (!k)
			return hcle_error(c, r, NULL, "Invalid index",
			                  "The given key does not identify an element in this "
			                  "collection value: %s.",
			                  why);
		if (k->kind == HCL_VAL_UNKNOWN || coll->kind == HCL_VAL_UNKNOWN) {
			const hcl_type *et = t->kind == HCL_TYPE_MAP ? t->elem : &hcl_type_dynamic;
			if (t->kind == HCL_TYPE_OBJECT && k->kind != HCL_VAL_UNKNOWN) {
				et = hcl_type_attr(t, k->u.str.ptr);
				if (!et)
					goto missing;
			}
			return hcl_mark(c->a, hcl_unknown(c->a, et), marks);
		}
		const hcl_value *e = hcl_value_get(coll, k->u.str.ptr);
		if (e)
			return hcl_mark(c->a, e, marks);
	missing:
		return hcle_error(c, r, NULL, "Invalid index",
		                  "The given key does not identify an element in this collection "
		                  "value.%s",
		                  t->kind == HCL_TYPE_OBJECT && was_number
		                          ? " An object only supports looking up attributes by "
		                            "name, not by numeric index."
		                          : "");
	}
	if (t->kind == HCL_TYPE_SET)
		return hcle_error(c, r, NULL, "Invalid index",
		                  "Elements of a set are identified only by their value and don't "
		                  "have any separate index or key to select with, so it's only "
		                  "possible to perform operations across all elements of the set.");
	return hcle_error(c, r, NULL, "Invalid index", "This value does not have any indices.");
}

static const hcl_value *literal_value(gf_arena *a, const hcl_literal *l)
{
	switch (l->kind) {
	case HCL_LIT_NULL:
		return &hcl_null_dynamic;
	case HCL_LIT_BOOL:
		return hcl_bool(l->b);
	case HCL_LIT_NUMBER:
		return hcl_number(a, l->num);
	case HCL_LIT_STRING:
		return hcl_string(a, l->text, l->len);
	}
	return &hcl_null_dynamic;
}

static const hcl_value *apply_steps(hcle_ctx *c, const hcl_value *v, const hcl_steps *st,
                                    size_t from)
{
	for (size_t i = from; v && i < st->len; i++) {
		const hcl_step *s = &st->steps[i];
		if (s->kind == HCL_STEP_ATTR)
			v = hcle_get_attr(c, v, s->name, &s->range);
		else
			v = hcle_index(c, v, literal_value(c->a, &s->key), &s->range);
	}
	return v;
}

/* ---- references: bindings, then the scope ------------------------------- */

static const hcl_value *eval_scope_traversal(hcle_ctx *c, const hcl_expr *e)
{
	const char *root = e->u.scope.root;
	for (const hcle_binding *b = c->bindings; b; b = b->next)
		if (b->name && strcmp(b->name, root) == 0)
			return apply_steps(c, b->value, &e->u.scope.steps, 0);
	if (c->template_only)
		return hcle_error(c, &e->u.scope.root_range, &e->range, "Invalid template variable",
		                  "vars map does not contain key \"%s\", referenced at %s", root,
		                  hcl_range_string(c->a, &e->u.scope.root_range));
	if (!c->scope->lookup) {
		hcl_diags_add(c->root_diags, HCL_DIAG_ERROR, &e->range, "Variables not allowed",
		              "Variables may not be used here.");
		return NULL;
	}
	hcl_ref ref;
	if (!hcl_ref_parse(&ref, e, c->root_diags))
		return NULL;
	const hcl_value *v = c->scope->lookup(c->scope->payload, &ref, c->a, c->root_diags);
	if (!v)
		return NULL;
	return apply_steps(c, v, &e->u.scope.steps, ref.nsteps);
}

/* ---- templates --------------------------------------------------------- */

typedef struct {
	gf_buf out;
	bool unknown;
	bool failed;
	unsigned marks;
} tpl_state;

static void tpl_parts(hcle_ctx *c, const hcl_tpl_parts *parts, tpl_state *st);

typedef struct {
	const hcl_tpl_part *p;
	tpl_state *st;
} tpl_for;

static bool tpl_for_item(hcle_ctx *c, const hcl_value *key, const hcl_value *val, void *payload)
{
	tpl_for *f = payload;
	hcle_binding kb = {f->p->u.for_.key_var, key, c->bindings};
	hcle_binding vb = {f->p->u.for_.value_var, val, f->p->u.for_.key_var ? &kb : c->bindings};
	const hcle_binding *saved = c->bindings;
	c->bindings = &vb;
	tpl_parts(c, &f->p->u.for_.body, f->st);
	c->bindings = saved;
	return true;
}

static void tpl_interp(hcle_ctx *c, const hcl_tpl_part *p, tpl_state *st)
{
	const hcl_value *v = hcle_eval(c, p->u.interp);
	if (!v) {
		st->failed = true;
		return;
	}
	st->marks |= v->marks;
	if (v->kind == HCL_VAL_NULL) {
		hcle_error(c, &p->u.interp->range, &p->range,
		           "Invalid template interpolation value",
		           "The expression result is null. Cannot include a null value in a string "
		           "template.");
		st->failed = true;
		return;
	}
	const char *why = NULL;
	const hcl_value *s = hcl_convert(c->a, v, &hcl_type_string, &why);
	if (!s) {
		hcle_error(c, &p->u.interp->range, &p->range,
		           "Invalid template interpolation value",
		           "Cannot include the given value in a string template: %s.", why);
		st->failed = true;
		return;
	}
	if (s->kind == HCL_VAL_UNKNOWN)
		st->unknown = true;
	else
		gf_buf_put(&st->out, s->u.str.ptr, s->u.str.len);
}

static void tpl_parts(hcle_ctx *c, const hcl_tpl_parts *parts, tpl_state *st)
{
	for (size_t i = 0; i < parts->len; i++) {
		const hcl_tpl_part *p = &parts->items[i];
		switch (p->kind) {
		case HCL_TPL_LITERAL:
			gf_buf_put(&st->out, p->u.lit.text, p->u.lit.len);
			break;
		case HCL_TPL_INTERP:
			tpl_interp(c, p, st);
			break;
		case HCL_TPL_IF: {
			const hcl_value *cv = hcle_eval(c, p->u.if_.cond);
			if (cv)
				cv = hcle_condition(c, cv, p->u.if_.cond,
				                    "Invalid template if condition", "condition");
			if (!cv) {
				st->failed = true;
				break;
			}
			st->marks |= cv->marks;
			if (cv->kind == HCL_VAL_UNKNOWN) {
				st->unknown = true;
				break;
			}
			tpl_parts(c, cv->u.b ? &p->u.if_.then_parts : &p->u.if_.else_parts, st);
			break;
		}
		case HCL_TPL_FOR: {
			const hcl_value *coll = hcle_eval(c, p->u.for_.coll);
			if (!coll) {
				st->failed = true;
				break;
			}
			st->marks |= coll->marks;
			if (coll->kind == HCL_VAL_NULL) {
				hcle_error(
				        c, &p->u.for_.coll->range, &p->range,
				        "Iteration over null value",
				        "A null value cannot be used as the collection in a 'for' "
				        "expression.");
				st->failed = true;
			} else if (!hcle_iterable(coll)) {
				hcle_error(
				        c, &p->u.for_.coll->range, &p->range,
				        "Iteration over non-iterable value",
				        "A value of type %s cannot be used as the collection in a "
				        "'for' expression.",
				        hcl_type_string_of(c->a, coll->type));
				st->failed = true;
			} else if (coll->kind == HCL_VAL_UNKNOWN) {
				st->unknown = true;
			} else {
				tpl_for f = {p, st};
				hcle_iterate(c, coll, tpl_for_item, &f);
			}
			break;
		}
		}
	}
}

static const hcl_value *eval_template(hcle_ctx *c, const hcl_expr *e)
{
	tpl_state st = {.out = GF_BUF_INIT};
	tpl_parts(c, &e->u.tpl.parts, &st);
	const hcl_value *r = NULL;
	if (!st.failed)
		r = st.unknown ? hcl_unknown(c->a, &hcl_type_string)
		               : hcl_string(c->a, gf_buf_cstr(&st.out), st.out.len);
	gf_buf_dispose(&st.out);
	return r ? hcl_mark(c->a, r, st.marks) : NULL;
}

/* ---- function calls ---------------------------------------------------- */

/* "file:1,3-8: Summary; Detail" lines, as hcl.Diagnostics.Error() prints. */
static const char *diags_text(gf_arena *a, const hcl_diags *d, const char *bullet)
{
	gf_buf b = GF_BUF_INIT;
	for (size_t i = 0; i < d->list.len; i++) {
		const hcl_diag *g = &d->list.items[i];
		if (g->severity != HCL_DIAG_ERROR)
			continue;
		if (b.len)
			gf_buf_puts(&b, bullet ? "\n" : "; ");
		if (bullet)
			gf_buf_printf(&b, "%s%s (at %s)\n  %s", bullet, g->summary,
			              hcl_range_string(a, &g->subject), g->detail ? g->detail : "");
		else
			gf_buf_printf(&b, "%s: %s; %s", hcl_range_string(a, &g->subject),
			              g->summary, g->detail ? g->detail : "");
	}
	char *s = gf_arena_strdup(a, gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return s;
}

/* Evaluates e with errors collected privately; *ok says whether it had none. */
static const hcl_value *eval_quiet(hcle_ctx *c, const hcl_expr *e, hcl_diags *into)
{
	hcl_diags *saved = c->diags;
	c->diags = into;
	const hcl_value *v = hcle_eval(c, e);
	c->diags = saved;
	return hcl_diags_has_errors(into) ? NULL : v;
}

static const hcl_value *eval_try_can(hcle_ctx *c, const hcl_expr *e, bool is_try)
{
	const char *fn = e->u.call.name;
	size_t n = e->u.call.nargs;
	if (e->u.call.expand_final)
		return hcle_error(c, &e->range, NULL, "Invalid use of expansion",
		                  "The %s function does not accept an expanded argument (...).",
		                  fn);
	if (n == 0)
		return hcle_error(
		        c, &e->u.call.close_paren, &e->range, "Not enough function arguments",
		        "Function \"%s\" expects %s1 argument(s). Missing value for "
		        "\"%s\".",
		        fn, is_try ? "at least " : "", is_try ? "expressions" : "expression");
	if (!is_try && n > 1)
		return hcle_error(c, &e->u.call.args[1]->range, &e->range,
		                  "Too many function arguments",
		                  "Function \"can\" expects only 1 argument(s).");
	gf_arena scratch;
	gf_arena_init(&scratch);
	hcl_diags all;
	hcl_diags_init(&all, &scratch);
	const hcl_value *r = NULL;
	for (size_t i = 0; i < n; i++) {
		hcl_diags one;
		hcl_diags_init(&one, &scratch);
		const hcl_value *v = eval_quiet(c, e->u.call.args[i], &one);
		if (v) {
			if (!is_try)
				r = hcl_value_is_wholly_known(v)
				            ? &hcl_true
				            : hcl_unknown(c->a, &hcl_type_bool);
			else
				r = hcl_value_is_wholly_known(v) ? v : &hcl_unknown_dynamic;
			hcl_diags_dispose(&one);
			break;
		}
		for (size_t k = 0; k < one.list.len; k++)
			gf_vec_push(&all.list, one.list.items[k]);
		hcl_diags_dispose(&one);
	}
	if (!r && !is_try)
		r = &hcl_false;
	if (!r)
		hcle_error(
		        c, &e->range, NULL, "Error in function call",
		        "Call to function \"try\" failed: no expression succeeded:\n%s\n\nAt least "
		        "one expression must produce a successful result.",
		        diags_text(c->a, &all, "- "));
	hcl_diags_dispose(&all);
	gf_arena_dispose(&scratch);
	return r;
}

/* sensitive(), nonsensitive() and issensitive() work on marks, which the
 * function library strips from arguments: the evaluator implements them. */
static const hcl_value *eval_mark_fn(hcle_ctx *c, const hcl_expr *e, int which,
                                     const hcl_value **args)
{
	static const char *const names[] = {"", "sensitive", "nonsensitive", "issensitive"};
	if (e->u.call.nargs != 1 || e->u.call.expand_final)
		return hcle_error(c, &e->range, NULL,
		                  e->u.call.nargs ? "Too many function arguments"
		                                  : "Not enough function arguments",
		                  "Function \"%s\" expects 1 argument(s).", names[which]);
	const hcl_value *v = args[0];
	if (which == 1)
		return hcl_mark(c->a, v, HCL_MARK_SENSITIVE);
	if (which == 3) {
		bool s = v->marks & HCL_MARK_SENSITIVE;
		return v->kind == HCL_VAL_UNKNOWN && !s ? hcl_unknown(c->a, &hcl_type_bool)
		                                        : hcl_bool(s);
	}
	hcl_value *u = gf_arena_memdup(c->a, v, sizeof(*v));
	u->marks &= ~HCL_MARK_SENSITIVE;
	return u;
}

static const hcl_value *eval_call(hcle_ctx *c, const hcl_expr *e)
{
	const char *name = e->u.call.name;
	if (c->scope->no_functions && !c->template_only)
		return hcle_error(c, &e->u.call.name_range, &e->range, "Function calls not allowed",
		                  "Functions may not be called here.");
	if (strcmp(name, "try") == 0 || strcmp(name, "can") == 0)
		return eval_try_can(c, e, name[0] == 't');
	size_t n = e->u.call.nargs;
	int mark_fn = strcmp(name, "sensitive") == 0      ? 1
	              : strcmp(name, "nonsensitive") == 0 ? 2
	              : strcmp(name, "issensitive") == 0  ? 3
	                                                  : 0;
	const hcl_value **args = gf_arena_alloc(c->a, (n + 1) * sizeof(*args));
	bool failed = false;
	for (size_t i = 0; i < n; i++) {
		args[i] = hcle_eval(c, e->u.call.args[i]);
		failed |= !args[i];
	}
	if (failed)
		return NULL;
	if (mark_fn)
		return eval_mark_fn(c, e, mark_fn, args);
	if (c->template_only && strcmp(name, "templatefile") == 0)
		return hcle_error(
		        c, &e->u.call.name_range, &e->range, "Error in function call",
		        "Call to function \"templatefile\" failed: cannot recursively call "
		        "templatefile from inside templatefile call.");
	hcl_func_error err;
	const hcl_value *r = hcl_func_call(&c->fenv, name, args, n, e->u.call.expand_final, &err);
	if (r)
		return r;
	const hcl_range *subject = &e->range;
	if (strcmp(err.summary, "Call to unknown function") == 0)
		subject = &e->u.call.name_range;
	else if (strcmp(err.summary, "Not enough function arguments") == 0)
		subject = &e->u.call.close_paren;
	else if (err.arg >= 0 && n > 0)
		subject = &e->u.call.args[(size_t)err.arg < n ? (size_t)err.arg : n - 1]->range;
	return hcle_error(c, subject, &e->range, err.summary, "%s", err.detail ? err.detail : "");
}

/* templatefile()'s callback: parse `text` as a bare template and evaluate
 * it with the variables only. */
static const hcl_value *render_template(void *payload, const char *path, const char *text,
                                        const hcl_value *vars, const char **why)
{
	hcle_ctx *outer = payload;
	gf_arena *a = outer->a;
	hcl_diags diags;
	hcl_diags_init(&diags, a);
	const hcl_value *r = NULL;
	hcl_expr *e = hcl_parse_template(path, text, strlen(text), hcl_pos_start(), a, &diags);
	if (!hcl_diags_has_errors(&diags)) {
		size_t n = vars->u.coll.len;
		hcle_binding *b = gf_arena_alloc(a, (n + 1) * sizeof(*b));
		for (size_t i = 0; i < n; i++)
			b[i] = (hcle_binding){vars->u.coll.keys[i],
			                      hcl_mark(a, vars->u.coll.items[i], vars->marks),
			                      i + 1 < n ? &b[i + 1] : NULL};
		hcle_ctx c = *outer;
		c.diags = c.root_diags = &diags;
		c.bindings = n ? b : NULL;
		c.template_only = true;
		c.fenv.payload = &c;
		r = hcle_eval(&c, e);
	}
	if (!r)
		*why = diags_text(a, &diags, NULL);
	hcl_diags_dispose(&diags);
	return r;
}

/* ---- dispatch ---------------------------------------------------------- */

const hcl_value *hcle_eval(hcle_ctx *c, const hcl_expr *e)
{
	switch (e->kind) {
	case HCL_EXPR_INVALID:
		/* The parser reported it; what it stood for is simply not known. */
		return &hcl_unknown_dynamic;
	case HCL_EXPR_LITERAL:
		return literal_value(c->a, &e->u.lit);
	case HCL_EXPR_TEMPLATE:
		return eval_template(c, e);
	case HCL_EXPR_TEMPLATE_WRAP:
		return hcle_eval(c, e->u.wrap.wrapped);
	case HCL_EXPR_SCOPE_TRAVERSAL:
		return eval_scope_traversal(c, e);
	case HCL_EXPR_RELATIVE_TRAVERSAL: {
		const hcl_value *v = hcle_eval(c, e->u.rel.source);
		return v ? apply_steps(c, v, &e->u.rel.steps, 0) : NULL;
	}
	case HCL_EXPR_INDEX: {
		const hcl_value *coll = hcle_eval(c, e->u.index.coll);
		const hcl_value *key = hcle_eval(c, e->u.index.key);
		if (!coll || !key)
			return NULL;
		return hcle_index(c, coll, key, &e->u.index.bracket_range);
	}
	case HCL_EXPR_CALL:
		return eval_call(c, e);
	case HCL_EXPR_CONDITIONAL:
		return hcle_conditional(c, e);
	case HCL_EXPR_BINARY:
		return hcle_binary(c, e);
	case HCL_EXPR_UNARY:
		return hcle_unary(c, e);
	case HCL_EXPR_TUPLE:
		return hcle_tuple(c, e);
	case HCL_EXPR_OBJECT:
		return hcle_object(c, e);
	case HCL_EXPR_FOR:
		return hcle_for(c, e);
	case HCL_EXPR_SPLAT:
		return hcle_splat(c, e);
	case HCL_EXPR_ANON_SYMBOL:
		for (const hcle_binding *b = c->bindings; b; b = b->next)
			if (b->name == NULL)
				return b->value;
		return hcle_error(c, &e->range, NULL, "Invalid expression",
		                  "A splat symbol is only valid inside a splat expression.");
	case HCL_EXPR_PARENS:
		return hcle_eval(c, e->u.parens.inner);
	}
	return NULL;
}

const hcl_value *hcl_eval(gf_arena *a, const hcl_expr *e, const hcl_scope *scope, hcl_diags *diags)
{
	hcle_ctx c = {.a = a, .scope = scope, .diags = diags, .root_diags = diags};
	c.fenv = (hcl_func_env){.arena = a,
	                        .base_dir = scope->base_dir,
	                        .render_template = render_template,
	                        .payload = &c};
	size_t before = diags->errors;
	const hcl_value *v = hcle_eval(&c, e);
	if (!v && diags->errors == before)
		hcl_diags_add(diags, HCL_DIAG_ERROR, &e->range, "Invalid expression",
		              "The expression could not be evaluated.");
	return diags->errors == before ? v : NULL;
}
