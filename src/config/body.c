/*
 * Checking bodies against the small schemas of the language's own blocks,
 * with the diagnostics hcl's Body.Content reports, and decoding constant
 * arguments the way gohcl.DecodeExpression does with no eval context.
 */
#include "config/config_impl.h"

#include <string.h>

hcl_diag *cfgi_error(config *cfg, const hcl_range *r, const char *summary, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gf_buf b = GF_BUF_INIT;
	gf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hcl_diag *d = hcl_diags_add(&cfg->diags, HCL_DIAG_ERROR, r, summary, "%s", gf_buf_cstr(&b));
	gf_buf_dispose(&b);
	return d;
}

hcl_range cfgi_decl_range(const hcl_block *b)
{
	hcl_range r = b->type_range;
	if (b->nlabels)
		r.end = b->labels[b->nlabels - 1].range.end;
	return r;
}

hcl_range cfgi_missing_range(const hcl_block *b)
{
	hcl_range r = b->open_brace;
	r.end = r.start;
	return r;
}

static hcl_range header_range(const hcl_block *b)
{
	hcl_range r = b->type_range;
	r.end = b->open_brace.end;
	return r;
}

bool cfgi_labels(config *cfg, const hcl_block *b, const char *const *names)
{
	size_t want = 0;
	while (names[want])
		want++;
	if (b->nlabels == want)
		return true;
	/* Only an error needs the list of names: the right count is the
	 * common case, once per block of the module. */
	gf_buf list = GF_BUF_INIT;
	for (size_t i = 0; i < want; i++)
		gf_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	bool ok = true;
	hcl_range ctx = header_range(b);
	hcl_diag *d = NULL;
	if (b->nlabels > want) {
		d = want == 0 ? cfgi_error(cfg, &b->labels[0].range,
		                           gf_arena_printf(&cfg->arena, "Extraneous label for %s",
		                                           b->type),
		                           "No labels are expected for %s blocks.", b->type)
		              : cfgi_error(cfg, &b->labels[want].range,
		                           gf_arena_printf(&cfg->arena, "Extraneous label for %s",
		                                           b->type),
		                           "Only %zu labels (%s) are expected for %s blocks.", want,
		                           gf_buf_cstr(&list), b->type);
		ok = false;
	} else if (b->nlabels < want) {
		d = cfgi_error(cfg, &b->open_brace,
		               gf_arena_printf(&cfg->arena, "Missing %s for %s", names[b->nlabels],
		                               b->type),
		               "All %s blocks must have %zu labels (%s).", b->type, want,
		               gf_buf_cstr(&list));
		ok = false;
	}
	if (d)
		d->context = ctx;
	gf_buf_dispose(&list);
	return ok;
}

static bool in_list(const char *name, const char *const *list, bool strip_bang)
{
	for (; list && *list; list++) {
		const char *n = *list;
		if (strip_bang && n[0] == '!')
			n++;
		if (strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static const char *suggest(gf_arena *a, const char *name, const char *const *list)
{
	size_t n = 0;
	while (list && list[n])
		n++;
	const char **clean = gf_arena_alloc(a, (n + 1) * sizeof(*clean));
	for (size_t i = 0; i < n; i++)
		clean[i] = list[i][0] == '!' ? list[i] + 1 : list[i];
	return hcl_suggest(name, clean, n);
}

void cfgi_check_body(config *cfg, const hcl_body *body, const hcl_block *owner,
                     const char *const *attrs, const char *const *blocks)
{
	gf_arena *a = &cfg->arena;
	for (size_t i = 0; i < body->len; i++) {
		const hcl_body_item *it = &body->items[i];
		if (it->kind == HCL_ITEM_ATTRIBUTE) {
			const hcl_attribute *at = it->u.attr;
			if (in_list(at->name, attrs, true))
				continue;
			if (in_list(at->name, blocks, false)) {
				cfgi_error(cfg, &at->name_range, "Unsupported argument",
				           "An argument named \"%s\" is not expected here. Did you "
				           "mean to "
				           "define a block of type \"%s\"?",
				           at->name, at->name);
				continue;
			}
			const char *s = suggest(a, at->name, attrs);
			cfgi_error(cfg, &at->name_range, "Unsupported argument",
			           "An argument named \"%s\" is not expected here.%s", at->name,
			           s ? gf_arena_printf(a, " Did you mean \"%s\"?", s) : "");
		} else {
			const hcl_block *bl = it->u.block;
			if (in_list(bl->type, blocks, false))
				continue;
			if (in_list(bl->type, attrs, true)) {
				cfgi_error(cfg, &bl->type_range, "Unsupported block type",
				           "Blocks of type \"%s\" are not expected here. Did you "
				           "mean to "
				           "define argument \"%s\"? If so, use the equals sign to "
				           "assign "
				           "it a value.",
				           bl->type, bl->type);
				continue;
			}
			const char *s = suggest(a, bl->type, blocks);
			cfgi_error(cfg, &bl->type_range, "Unsupported block type",
			           "Blocks of type \"%s\" are not expected here.%s", bl->type,
			           s ? gf_arena_printf(a, " Did you mean \"%s\"?", s) : "");
		}
	}
	for (; attrs && *attrs; attrs++) {
		if ((*attrs)[0] != '!' || hcl_body_attribute(body, *attrs + 1))
			continue;
		hcl_range r = owner ? cfgi_missing_range(owner) : body->end_range;
		cfgi_error(cfg, &r, "Missing required argument",
		           "The argument \"%s\" is required, but no definition was found.",
		           *attrs + 1);
	}
}

const hcl_value *cfgi_const_value(config *cfg, const hcl_expr *e)
{
	static const hcl_scope none = {.no_functions = true};
	return hcl_eval(&cfg->arena, e, &none, &cfg->diags);
}

static const hcl_value *const_typed(config *cfg, const hcl_attribute *at, const hcl_type *t)
{
	const hcl_value *v = cfgi_const_value(cfg, at->expr);
	if (!v)
		return NULL;
	const char *why = NULL;
	const hcl_value *c = hcl_convert(&cfg->arena, v, t, &why);
	if (!c || c->kind == HCL_VAL_NULL) {
		cfgi_error(cfg, &at->expr->range, "Unsuitable value type", "Unsuitable value: %s",
		           c ? "value must not be null" : why);
		return NULL;
	}
	return c;
}

bool cfgi_const_string(config *cfg, const hcl_body *body, const char *name, const char **out)
{
	const hcl_attribute *at = hcl_body_attribute(body, name);
	if (!at)
		return true;
	const hcl_value *v = const_typed(cfg, at, &hcl_type_string);
	if (v)
		*out = v->u.str.ptr;
	return v != NULL;
}

bool cfgi_const_bool(config *cfg, const hcl_body *body, const char *name, bool *out)
{
	const hcl_attribute *at = hcl_body_attribute(body, name);
	if (!at)
		return true;
	const hcl_value *v = const_typed(cfg, at, &hcl_type_bool);
	if (v)
		*out = v->u.b;
	return v != NULL;
}
