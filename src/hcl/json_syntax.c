/*
 * HCL's JSON syntax: a small RFC 8259 reader that keeps the position of
 * every value, then the decoding of its tree into hcl bodies against a
 * schema (json_syntax.h). value.c's jsondecode has no positions and turns
 * objects into values at once, which is why this is a reader of its own.
 */
#include "hcl/json_syntax.h"
#include "hcl/hcl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
	JN_NULL,
	JN_BOOL,
	JN_NUMBER,
	JN_STRING,
	JN_ARRAY,
	JN_OBJECT
} jn_kind;

typedef struct jnode jnode;
typedef struct {
	const char *name; /* decoded */
	size_t name_len;
	hcl_range name_range;
	jnode *value;
} jprop;

struct jnode {
	jn_kind kind;
	hcl_range range;
	bool b;
	const char *text; /* strings: decoded; numbers: as written */
	size_t len;
	hcl_pos content; /* strings: the first character after the quote */
	jnode **items;   /* arrays */
	jprop *props;    /* objects, in source order */
	size_t n;
};

typedef struct {
	const char *src;
	size_t len, off;
	hcl_pos pos;
	const char *filename;
	gf_arena *a;
	hcl_diags *diags;
	bool failed;
} jreader;

/* ---- reading ----------------------------------------------------------- */

static void j_advance(jreader *r)
{
	unsigned char c = (unsigned char)r->src[r->off++];
	r->pos.byte = r->off;
	if (c == '\n') {
		r->pos.line++;
		r->pos.column = 1;
	} else if ((c & 0xC0) != 0x80) {
		r->pos.column++;
	}
}

static hcl_range j_range(const jreader *r, hcl_pos start)
{
	return (hcl_range){.filename = r->filename, .start = start, .end = r->pos};
}

static void j_error(jreader *r, const char *summary, const char *detail)
{
	if (r->failed)
		return;
	r->failed = true;
	hcl_pos end = r->pos;
	if (r->off < r->len) {
		end.byte++;
		end.column++;
	}
	hcl_range rg = {.filename = r->filename, .start = r->pos, .end = end};
	hcl_diags_add(r->diags, HCL_DIAG_ERROR, &rg, summary, "%s", detail);
}

static void j_space(jreader *r)
{
	while (r->off < r->len && strchr(" \t\r\n", r->src[r->off]) && r->src[r->off])
		j_advance(r);
}

static int j_peek(const jreader *r)
{
	return r->off < r->len ? (unsigned char)r->src[r->off] : -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool j_hex4(jreader *r, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(j_peek(r));
		if (h < 0) {
			j_error(r, "Invalid JSON string escape",
			        "A \\u escape needs four hexadecimal digits.");
			return false;
		}
		*out = *out << 4 | (unsigned)h;
		j_advance(r);
	}
	return true;
}

static void put_utf8(gf_buf *b, unsigned cp)
{
	char s[4];
	size_t n;
	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | cp >> 12);
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (char)(0xF0 | cp >> 18);
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	gf_buf_put(b, s, n);
}

/* A string at the opening quote: decoded into *text / *len. */
static bool j_string(jreader *r, const char **text, size_t *len)
{
	j_advance(r);
	gf_buf b = GF_BUF_INIT;
	bool ok = false;
	for (;;) {
		int c = j_peek(r);
		if (c < 0 || c == '\n') {
			j_error(r, "Unterminated JSON string",
			        "This string has no closing quote before the end of the line.");
			goto done;
		}
		if (c < 0x20) {
			j_error(r, "Invalid character in JSON string",
			        "Control characters must be written as escapes in JSON strings.");
			goto done;
		}
		if (c == '"') {
			j_advance(r);
			break;
		}
		if (c != '\\') {
			gf_buf_put(&b, &r->src[r->off], 1);
			j_advance(r);
			continue;
		}
		j_advance(r);
		c = j_peek(r);
		const char *simple = strchr("\"\\/bfnrt", c > 0 ? c : 'x');
		if (c > 0 && simple) {
			static const char dec[] = "\"\\/\b\f\n\r\t";
			gf_buf_put(&b, &dec[simple - "\"\\/bfnrt"], 1);
			j_advance(r);
			continue;
		}
		if (c != 'u') {
			j_error(r, "Invalid JSON string escape",
			        "Only \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t and \\uXXXX escapes "
			        "are valid in JSON strings.");
			goto done;
		}
		j_advance(r);
		unsigned cp;
		if (!j_hex4(r, &cp))
			goto done;
		if (cp >= 0xD800 && cp < 0xDC00 && j_peek(r) == '\\' && r->off + 1 < r->len &&
		    r->src[r->off + 1] == 'u') {
			j_advance(r);
			j_advance(r);
			unsigned lo;
			if (!j_hex4(r, &lo))
				goto done;
			cp = lo >= 0xDC00 && lo < 0xE000
			             ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
			             : 0xFFFD;
		} else if (cp >= 0xD800 && cp < 0xE000) {
			cp = 0xFFFD;
		}
		put_utf8(&b, cp);
	}
	*len = b.len;
	*text = gf_arena_memdup(r->a, gf_buf_cstr(&b), b.len + 1);
	ok = true;
done:
	gf_buf_dispose(&b);
	return ok;
}

static jnode *j_value(jreader *r, int depth);

/* An arena copy of n elements of size sz (p may be NULL when n is 0), with
 * one zeroed element after them. */
static void *copy_items(gf_arena *a, const void *p, size_t n, size_t sz)
{
	void *out = gf_arena_alloc(a, (n + 1) * sz);
	if (n)
		memcpy(out, p, n * sz);
	return out;
}

static jnode *j_new(jreader *r, jn_kind k, hcl_pos start)
{
	jnode *n = gf_arena_alloc(r->a, sizeof(*n));
	n->kind = k;
	n->range = j_range(r, start);
	return n;
}

static bool j_expect(jreader *r, char c, const char *what)
{
	j_space(r);
	if (j_peek(r) == c) {
		j_advance(r);
		return true;
	}
	j_error(r, "Invalid JSON syntax", what);
	return false;
}

static jnode *j_array(jreader *r, hcl_pos start, int depth)
{
	GF_VEC(jnode *) v = {0};
	j_advance(r);
	j_space(r);
	if (j_peek(r) == ']') {
		j_advance(r);
	} else {
		for (;;) {
			jnode *x = j_value(r, depth + 1);
			if (!x)
				goto fail;
			gf_vec_push(&v, x);
			j_space(r);
			if (j_peek(r) == ',') {
				j_advance(r);
				continue;
			}
			if (!j_expect(r, ']', "Expected a comma or a closing bracket ']' here."))
				goto fail;
			break;
		}
	}
	jnode *n = j_new(r, JN_ARRAY, start);
	n->n = v.len;
	n->items = copy_items(r->a, v.items, v.len, sizeof(*v.items));
	gf_vec_dispose(&v);
	return n;
fail:
	gf_vec_dispose(&v);
	return NULL;
}

static jnode *j_object(jreader *r, hcl_pos start, int depth)
{
	GF_VEC(jprop) v = {0};
	j_advance(r);
	j_space(r);
	if (j_peek(r) == '}') {
		j_advance(r);
	} else {
		for (;;) {
			j_space(r);
			if (j_peek(r) != '"') {
				j_error(r, "Invalid JSON syntax",
				        "Expected a property name in quotes here.");
				goto fail;
			}
			jprop p = {0};
			hcl_pos ks = r->pos;
			if (!j_string(r, &p.name, &p.name_len))
				goto fail;
			p.name_range = j_range(r, ks);
			if (!j_expect(r, ':', "Expected a colon ':' after the property name."))
				goto fail;
			p.value = j_value(r, depth + 1);
			if (!p.value)
				goto fail;
			gf_vec_push(&v, p);
			j_space(r);
			if (j_peek(r) == ',') {
				j_advance(r);
				continue;
			}
			if (!j_expect(r, '}', "Expected a comma or a closing brace '}' here."))
				goto fail;
			break;
		}
	}
	jnode *n = j_new(r, JN_OBJECT, start);
	n->n = v.len;
	n->props = copy_items(r->a, v.items, v.len, sizeof(*v.items));
	gf_vec_dispose(&v);
	return n;
fail:
	gf_vec_dispose(&v);
	return NULL;
}

static jnode *j_number(jreader *r, hcl_pos start)
{
	size_t s = r->off;
	if (j_peek(r) == '-')
		j_advance(r);
	if (j_peek(r) == '0') {
		j_advance(r);
	} else if (j_peek(r) >= '1' && j_peek(r) <= '9') {
		while (j_peek(r) >= '0' && j_peek(r) <= '9')
			j_advance(r);
	} else {
		j_error(r, "Invalid JSON number", "Expected a digit here.");
		return NULL;
	}
	if (j_peek(r) == '.') {
		j_advance(r);
		if (!(j_peek(r) >= '0' && j_peek(r) <= '9')) {
			j_error(r, "Invalid JSON number",
			        "Expected a digit after the decimal point.");
			return NULL;
		}
		while (j_peek(r) >= '0' && j_peek(r) <= '9')
			j_advance(r);
	}
	if (j_peek(r) == 'e' || j_peek(r) == 'E') {
		j_advance(r);
		if (j_peek(r) == '+' || j_peek(r) == '-')
			j_advance(r);
		if (!(j_peek(r) >= '0' && j_peek(r) <= '9')) {
			j_error(r, "Invalid JSON number", "Expected a digit in the exponent.");
			return NULL;
		}
		while (j_peek(r) >= '0' && j_peek(r) <= '9')
			j_advance(r);
	}
	jnode *n = j_new(r, JN_NUMBER, start);
	n->text = gf_arena_strndup(r->a, r->src + s, r->off - s);
	n->len = r->off - s;
	return n;
}

static jnode *j_word(jreader *r, hcl_pos start)
{
	static const char *const words[] = {"null", "true", "false"};
	for (size_t i = 0; i < 3; i++) {
		size_t wl = strlen(words[i]);
		if (r->len - r->off >= wl && !memcmp(r->src + r->off, words[i], wl)) {
			for (size_t k = 0; k < wl; k++)
				j_advance(r);
			jnode *n = j_new(r, i == 0 ? JN_NULL : JN_BOOL, start);
			n->b = i == 1;
			return n;
		}
	}
	j_error(r, "Invalid JSON syntax",
	        "Expected a JSON value here: an object, array, string, number, true, false "
	        "or null.");
	return NULL;
}

static jnode *j_value(jreader *r, int depth)
{
	j_space(r);
	if (depth > HCL_MAX_DEPTH) {
		j_error(r, "Nesting too deep",
		        "This JSON value is nested too deeply; HCL reads at most 256 levels.");
		return NULL;
	}
	hcl_pos start = r->pos;
	int c = j_peek(r);
	if (c == '{')
		return j_object(r, start, depth);
	if (c == '[')
		return j_array(r, start, depth);
	if (c == '"') {
		const char *t;
		size_t l;
		hcl_pos content = start;
		content.column++;
		content.byte++;
		if (!j_string(r, &t, &l))
			return NULL;
		jnode *n = j_new(r, JN_STRING, start);
		n->text = t;
		n->len = l;
		n->content = content;
		return n;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return j_number(r, start);
	return j_word(r, start);
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct {
	const char *filename;
	gf_arena *a;
	hcl_diags *diags;
} jdec;

static hcl_expr *new_expr(jdec *d, hcl_expr_kind k, hcl_range r)
{
	hcl_expr *e = gf_arena_alloc(d->a, sizeof(*e));
	e->kind = k;
	e->range = r;
	return e;
}

static hcl_expr *string_literal(jdec *d, const char *text, size_t len, hcl_range r)
{
	hcl_expr *e = new_expr(d, HCL_EXPR_LITERAL, r);
	e->u.lit.kind = HCL_LIT_STRING;
	e->u.lit.text = text;
	e->u.lit.len = len;
	return e;
}

static hcl_expr *template_of(jdec *d, const jnode *n)
{
	if (!memchr(n->text, '$', n->len) && !memchr(n->text, '%', n->len))
		return string_literal(d, n->text, n->len, n->range);
	return hcl_parse_template(d->filename, n->text, n->len, n->content, d->a, d->diags);
}

static hcl_expr *expr_of(jdec *d, const jnode *n, bool expr_strings, int depth)
{
	hcl_expr *e;
	switch (n->kind) {
	case JN_NULL:
	case JN_BOOL:
		e = new_expr(d, HCL_EXPR_LITERAL, n->range);
		e->u.lit.kind = n->kind == JN_NULL ? HCL_LIT_NULL : HCL_LIT_BOOL;
		e->u.lit.b = n->b;
		return e;
	case JN_NUMBER:
		e = new_expr(d, HCL_EXPR_LITERAL, n->range);
		e->u.lit.kind = HCL_LIT_NUMBER;
		e->u.lit.text = n->text;
		errno = 0;
		e->u.lit.num = strtod(n->text, NULL);
		if (errno == ERANGE)
			hcl_diags_add(d->diags, HCL_DIAG_ERROR, &n->range, "Invalid number literal",
			              "This number is too large to be represented.");
		return e;
	case JN_STRING:
		if (expr_strings)
			return hcl_parse_expression(d->filename, n->text, n->len, n->content, d->a,
			                            d->diags);
		return template_of(d, n);
	case JN_ARRAY:
		e = new_expr(d, HCL_EXPR_TUPLE, n->range);
		e->u.tuple.items = gf_arena_alloc(d->a, (n->n + 1) * sizeof(hcl_expr *));
		e->u.tuple.len = n->n;
		for (size_t i = 0; i < n->n; i++)
			e->u.tuple.items[i] = expr_of(d, n->items[i], expr_strings, depth + 1);
		return e;
	case JN_OBJECT:
		e = new_expr(d, HCL_EXPR_OBJECT, n->range);
		e->u.object.items = gf_arena_alloc(d->a, (n->n + 1) * sizeof(hcl_object_item));
		for (size_t i = 0; i < n->n; i++) {
			const jprop *p = &n->props[i];
			jnode key = {.kind = JN_STRING,
			             .range = p->name_range,
			             .text = p->name,
			             .len = p->name_len,
			             .content = p->name_range.start};
			key.content.column++;
			key.content.byte++;
			hcl_object_item *it = &e->u.object.items[e->u.object.len++];
			it->key = template_of(d, &key);
			it->value = expr_of(d, p->value, expr_strings, depth + 1);
			it->colon = true;
		}
		return e;
	}
	return new_expr(d, HCL_EXPR_INVALID, n->range);
}

typedef GF_VEC(hcl_body_item) item_vec;

static hcl_body *body_of(jdec *d, const jnode *n, const hcl_json_schema *s);

static const hcl_json_block_schema *find_block(const hcl_json_schema *s, const char *name)
{
	for (const hcl_json_block_schema *b = s ? s->blocks : NULL; b && b->type; b++)
		if (!strcmp(b->type, name))
			return b;
	return NULL;
}

static bool is_expr_attr(const hcl_json_schema *s, const char *name)
{
	for (const char *const *a = s ? s->expr_attrs : NULL; a && *a; a++)
		if (!strcmp(*a, name))
			return true;
	return false;
}

/* The blocks under one property: `labels` holds the labels read so far. */
static void add_blocks(jdec *d, item_vec *out, const jprop *p, const jnode *v,
                       const hcl_json_block_schema *bs, hcl_block_label *labels, size_t nl)
{
	if (v->kind == JN_ARRAY) {
		for (size_t i = 0; i < v->n; i++)
			add_blocks(d, out, p, v->items[i], bs, labels, nl);
		return;
	}
	if (v->kind != JN_OBJECT) {
		hcl_diags_add(d->diags, HCL_DIAG_ERROR, &v->range, "Incorrect JSON value type",
		              nl < bs->nlabels
		                      ? "A JSON object is required here, whose property names are "
		                        "the labels of the \"%s\" blocks."
		                      : "A JSON object is required here, to define the content of "
		                        "a \"%s\" block.",
		              bs->type);
		return;
	}
	if (nl < bs->nlabels) {
		for (size_t i = 0; i < v->n; i++) {
			const jprop *lp = &v->props[i];
			labels[nl] = (hcl_block_label){
			        .value = lp->name, .quoted = true, .range = lp->name_range};
			add_blocks(d, out, p, lp->value, bs, labels, nl + 1);
		}
		return;
	}
	hcl_block *b = gf_arena_alloc(d->a, sizeof(*b));
	b->type = p->name;
	b->type_range = p->name_range;
	b->nlabels = nl;
	b->labels = copy_items(d->a, labels, nl, sizeof(*labels));
	b->body = body_of(d, v, bs->body);
	hcl_pos s = v->range.start, e = v->range.end;
	b->open_brace = (hcl_range){d->filename, s, {s.line, s.column + 1, s.byte + 1}};
	b->close_brace = (hcl_range){d->filename, {e.line, e.column - 1, e.byte - 1}, e};
	b->range = (hcl_range){d->filename, p->name_range.start, e};
	gf_vec_push(out, ((hcl_body_item){.kind = HCL_ITEM_BLOCK, .u.block = b}));
}

static hcl_body *body_of(jdec *d, const jnode *n, const hcl_json_schema *s)
{
	hcl_body *body = gf_arena_alloc(d->a, sizeof(*body));
	body->json = true;
	body->range = n->range;
	body->end_range = (hcl_range){d->filename, n->range.end, n->range.end};
	if (n->kind == JN_OBJECT && n->range.end.byte > n->range.start.byte) {
		body->end_range.start.byte--;
		body->end_range.start.column--;
		body->end_range.end = body->end_range.start;
	}
	item_vec items = {0};
	for (size_t i = 0; i < n->n; i++) {
		const jprop *p = &n->props[i];
		if (!strcmp(p->name, "//"))
			continue;
		const hcl_json_block_schema *bs = find_block(s, p->name);
		if (bs) {
			hcl_block_label *labels =
			        gf_arena_alloc(d->a, (bs->nlabels + 1) * sizeof(*labels));
			add_blocks(d, &items, p, p->value, bs, labels, 0);
			continue;
		}
		const hcl_attribute *prev = NULL;
		for (size_t k = 0; k < items.len && !prev; k++)
			if (items.items[k].kind == HCL_ITEM_ATTRIBUTE &&
			    !strcmp(items.items[k].u.attr->name, p->name))
				prev = items.items[k].u.attr;
		if (prev) {
			hcl_diags_add(
			        d->diags, HCL_DIAG_ERROR, &p->name_range, "Duplicate argument",
			        "The argument \"%s\" was already set at %s. Each argument may "
			        "be set only once.",
			        p->name, hcl_range_string(d->a, &prev->name_range));
			continue;
		}
		hcl_attribute *at = gf_arena_alloc(d->a, sizeof(*at));
		at->name = p->name;
		at->name_range = p->name_range;
		at->expr = expr_of(d, p->value, is_expr_attr(s, p->name), 0);
		at->equals_range = p->name_range;
		at->range = (hcl_range){d->filename, p->name_range.start, p->value->range.end};
		gf_vec_push(&items, ((hcl_body_item){.kind = HCL_ITEM_ATTRIBUTE, .u.attr = at}));
	}
	body->len = items.len;
	body->items = copy_items(d->a, items.items, items.len, sizeof(*items.items));
	gf_vec_dispose(&items);
	return body;
}

hcl_body *hcl_parse_json_file(const char *filename, const char *src, size_t len,
                              const hcl_json_schema *schema, gf_arena *arena, hcl_diags *diags)
{
	jreader r = {.src = src,
	             .len = len,
	             .pos = hcl_pos_start(),
	             .filename = gf_arena_strdup(arena, filename),
	             .a = arena,
	             .diags = diags};
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		r.off = r.pos.byte = 3;
	jnode *root = j_value(&r, 0);
	if (root) {
		j_space(&r);
		if (r.off < r.len)
			j_error(&r, "Extraneous data after value",
			        "Extra characters appear after the JSON value.");
		else if (root->kind != JN_OBJECT) {
			hcl_diags_add(diags, HCL_DIAG_ERROR, &root->range,
			              "Root value must be object",
			              "The root value in a JSON-based configuration must be a JSON "
			              "object.");
		}
		if (root->kind != JN_OBJECT)
			root = NULL;
	}
	jdec d = {.filename = r.filename, .a = arena, .diags = diags};
	if (!root) {
		jnode empty = {.kind = JN_OBJECT,
		               .range = {r.filename, hcl_pos_start(), hcl_pos_start()}};
		return body_of(&d, &empty, schema);
	}
	return body_of(&d, root, schema);
}

long hcl_json_expr_blocks(gf_arena *a, const hcl_attribute *at, hcl_block **out, hcl_diags *diags)
{
	const hcl_expr *e = at->expr;
	const hcl_expr *const *objs = (const hcl_expr *const *)&e;
	size_t n = 1;
	if (e->kind == HCL_EXPR_TUPLE) {
		objs = (const hcl_expr *const *)e->u.tuple.items;
		n = e->u.tuple.len;
	}
	*out = gf_arena_alloc(a, (n + 1) * sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		const hcl_expr *o = objs[i];
		if (o->kind != HCL_EXPR_OBJECT) {
			hcl_diags_add(diags, HCL_DIAG_ERROR, &o->range, "Incorrect JSON value type",
			              "A JSON object is required here, to define the content of a "
			              "\"%s\" block.",
			              at->name);
			return -1;
		}
		hcl_body *body = gf_arena_alloc(a, sizeof(*body));
		body->json = true;
		body->range = o->range;
		body->end_range = (hcl_range){o->range.filename, o->range.end, o->range.end};
		body->items = gf_arena_alloc(a, (o->u.object.len + 1) * sizeof(*body->items));
		for (size_t k = 0; k < o->u.object.len; k++) {
			const hcl_object_item *it = &o->u.object.items[k];
			const char *name;
			size_t nlen;
			if (!hcl_expr_as_string(it->key, &name, &nlen)) {
				hcl_diags_add(diags, HCL_DIAG_ERROR, &it->key->range,
				              "Invalid argument name",
				              "An argument name must be a plain string, without "
				              "template sequences.");
				return -1;
			}
			hcl_attribute *ba = gf_arena_alloc(a, sizeof(*ba));
			ba->name = name;
			ba->name_range = it->key->range;
			ba->equals_range = it->key->range;
			ba->expr = it->value;
			ba->range = (hcl_range){o->range.filename, it->key->range.start,
			                        it->value->range.end};
			body->items[body->len++] =
			        (hcl_body_item){.kind = HCL_ITEM_ATTRIBUTE, .u.attr = ba};
		}
		hcl_block *b = &(*out)[i];
		b->type = at->name;
		b->type_range = at->name_range;
		b->body = body;
		hcl_pos s = o->range.start;
		b->open_brace =
		        (hcl_range){o->range.filename, s, {s.line, s.column + 1, s.byte + 1}};
		b->close_brace = body->end_range;
		b->range = (hcl_range){o->range.filename, at->name_range.start, o->range.end};
	}
	return (long)n;
}
