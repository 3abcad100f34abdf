/*
 * Diagnostics: the list, and rendering them exactly as terraform does
 * (command/format/diagnostic.go's layout: the box of the colour form, the
 * plain form of -no-color, the snippet with the subject underlined, and
 * `validate -json`'s objects). Snippets are computed as terraform computes
 * them: the lines overlapping the context range extended over the subject,
 * the highlight as byte offsets into that text.
 */
#include "hcl/diag.h"
#include "hcl/ast.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hcl_diags_init(hcl_diags *d, gf_arena *arena)
{
	memset(d, 0, sizeof(*d));
	d->arena = arena;
}

void hcl_diags_dispose(hcl_diags *d)
{
	gf_vec_dispose(&d->list);
	d->errors = 0;
}

hcl_diag *hcl_diags_add(hcl_diags *d, hcl_severity sev, const hcl_range *subject,
                        const char *summary, const char *detail_fmt, ...)
{
	hcl_diag x = {0};
	x.severity = sev;
	x.summary = gf_arena_strdup(d->arena, summary);
	if (detail_fmt) {
		va_list ap;
		va_start(ap, detail_fmt);
		gf_buf b;
		gf_buf_init(&b, 0);
		gf_buf_vprintf(&b, detail_fmt, ap);
		va_end(ap);
		x.detail = gf_arena_strdup(d->arena, gf_buf_cstr(&b));
		gf_buf_dispose(&b);
	}
	if (subject) {
		x.subject = *subject;
		if (x.subject.filename)
			x.subject.filename = gf_arena_strdup(d->arena, x.subject.filename);
	}
	gf_vec_push(&d->list, x);
	if (sev == HCL_DIAG_ERROR)
		d->errors++;
	return &d->list.items[d->list.len - 1];
}

bool hcl_diags_has_errors(const hcl_diags *d)
{
	return d->errors > 0;
}

char *hcl_range_string(gf_arena *a, const hcl_range *r)
{
	const char *f = r->filename ? r->filename : "";
	if (r->start.line == r->end.line)
		return gf_arena_printf(a, "%s:%d,%d-%d", f, r->start.line, r->start.column,
		                       r->end.column);
	return gf_arena_printf(a, "%s:%d,%d-%d,%d", f, r->start.line, r->start.column, r->end.line,
	                       r->end.column);
}

/* ---- sources ----------------------------------------------------------- */

void hcl_sources_add(hcl_sources *s, const char *filename, const char *src, size_t len,
                     const struct hcl_body *body)
{
	hcl_source x = {filename, src, len, body};
	gf_vec_push(&s->list, x);
}

const hcl_source *hcl_sources_find(const hcl_sources *s, const char *filename)
{
	if (!s || !filename)
		return NULL;
	for (size_t i = s->list.len; i-- > 0;)
		if (strcmp(s->list.items[i].filename, filename) == 0)
			return &s->list.items[i];
	return NULL;
}

void hcl_sources_dispose(hcl_sources *s)
{
	gf_vec_dispose(&s->list);
}

/* ---- snippets ---------------------------------------------------------- */

typedef struct {
	hcl_range highlight; /* the subject, never empty */
	bool has_snippet;
	const char *context; /* "resource \"a\" \"b\"" or NULL; malloc'd */
	char *code;          /* malloc'd */
	int start_line;
	size_t hl_start, hl_end;
} snippet;

static bool range_empty(const hcl_range *r)
{
	return r->end.byte <= r->start.byte;
}

static void quote_go(gf_buf *b, const char *s)
{
	gf_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			gf_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			gf_buf_puts(b, "\\n");
		else if (c == '\t')
			gf_buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			gf_buf_printf(b, "\\x%02x", c);
		else
			gf_buf_putc(b, (char)c);
	}
	gf_buf_putc(b, '"');
}

/* hclsyntax's ContextString: the top-level block containing `offset`. */
static char *context_of(const hcl_body *body, long offset)
{
	if (!body || offset < 0)
		return NULL;
	for (size_t i = 0; i < body->len; i++) {
		if (body->items[i].kind != HCL_ITEM_BLOCK)
			continue;
		const hcl_block *blk = body->items[i].u.block;
		if ((size_t)offset < blk->range.start.byte || (size_t)offset >= blk->range.end.byte)
			continue;
		gf_buf b;
		gf_buf_init(&b, 0);
		gf_buf_puts(&b, blk->type);
		for (size_t k = 0; k < blk->nlabels; k++) {
			gf_buf_putc(&b, ' ');
			quote_go(&b, blk->labels[k].value);
		}
		return gf_buf_detach(&b);
	}
	return NULL;
}

static void snippet_build(snippet *sn, const hcl_diag *d, const hcl_sources *sources)
{
	memset(sn, 0, sizeof(*sn));
	sn->highlight = d->subject;
	if (sn->highlight.end.line == 0)
		sn->highlight.end = sn->highlight.start;
	hcl_range snip = sn->highlight;
	if (d->context.filename && strcmp(d->context.filename, d->subject.filename) == 0) {
		snip = d->context;
		if (sn->highlight.start.byte < snip.start.byte)
			snip.start = sn->highlight.start;
		if (sn->highlight.end.byte > snip.end.byte)
			snip.end = sn->highlight.end;
	}
	if (range_empty(&snip)) {
		snip.end.byte++;
		snip.end.column++;
	}
	if (range_empty(&sn->highlight)) {
		sn->highlight.end.byte = sn->highlight.start.byte + 1;
		sn->highlight.end.column = sn->highlight.start.column + 1;
		sn->highlight.end.line = sn->highlight.start.line;
	}
	const hcl_source *src = hcl_sources_find(sources, d->subject.filename);
	if (!src)
		return;
	sn->has_snippet = true;
	sn->context = d->context_name ? gf_xstrdup(d->context_name)
	                              : context_of(src->body, (long)sn->highlight.start.byte - 1);
	/* The lines that overlap the snippet range, without their newlines,
	 * with HCL's notion of overlap: empty lines never overlap, and an end
	 * offset counts as inside the line that starts there. */
	gf_buf code;
	gf_buf_init(&code, 0);
	size_t line_start = 0, code_start = 0;
	bool any = false;
	while (line_start < src->len) {
		size_t e = line_start;
		while (e < src->len && src->src[e] != '\n')
			e++;
		size_t ce = e > line_start && src->src[e - 1] == '\r' ? e - 1 : e;
		size_t s0 = snip.start.byte, s1 = snip.end.byte;
		bool overlaps = ce > line_start &&
		                ((s0 >= line_start && s0 < ce) || (s1 >= line_start && s1 < ce) ||
		                 (line_start >= s0 && line_start < s1) || (ce >= s0 && ce < s1));
		if (overlaps) {
			if (!any)
				code_start = line_start;
			any = true;
			gf_buf_put(&code, src->src + line_start, ce - line_start);
			gf_buf_putc(&code, '\n');
		}
		line_start = e + 1;
	}
	if (code.len > 0)
		code.ptr[--code.len] = 0; /* the final newline */
	sn->code = gf_buf_detach(&code);
	sn->start_line = snip.start.line;
	size_t len = strlen(sn->code);
	long start = (long)sn->highlight.start.byte - (long)code_start;
	long end = start + (long)(sn->highlight.end.byte - sn->highlight.start.byte);
	sn->hl_start = start < 0 ? 0 : (size_t)start > len ? len : (size_t)start;
	sn->hl_end = end < 0 ? 0 : (size_t)end > len ? len : (size_t)end;
}

static void snippet_dispose(snippet *sn)
{
	free((char *)sn->context);
	free(sn->code);
}

/* ---- text rendering ---------------------------------------------------- */

#define C_BOLD      "\033[1m"
#define C_RED       "\033[31m"
#define C_YELLOW    "\033[33m"
#define C_UNDERLINE "\033[4m"
#define C_RESET     "\033[0m"

/* Greedy word wrap at `lim` characters, as terraform's (go-wordwrap):
 * breaks at spaces, never inside a word, keeps existing newlines. */
static void word_wrap(gf_buf *out, const char *s, size_t n, size_t lim)
{
	size_t cur = 0;
	size_t i = 0;
	while (i < n) {
		size_t sp = i;
		while (sp < n && s[sp] == ' ')
			sp++;
		size_t w = sp;
		while (w < n && s[w] != ' ')
			w++;
		size_t spaces = sp - i, word_chars = 0;
		for (size_t k = sp; k < w; k++)
			word_chars += ((unsigned char)s[k] & 0xC0) != 0x80;
		if (w == sp) { /* trailing spaces */
			if (cur + spaces <= lim)
				gf_buf_put(out, s + i, spaces);
			break;
		}
		/* go-wordwrap breaks as soon as a word still shorter than the
		 * limit crosses it, so a long word gets a line of its own. */
		if (cur + spaces + GF_MIN(word_chars, lim - 1) > lim) {
			gf_buf_putc(out, '\n');
			cur = 0;
		} else {
			gf_buf_put(out, s + i, spaces);
			cur += spaces;
		}
		gf_buf_put(out, s + sp, w - sp);
		cur += word_chars;
		i = w;
	}
}

static void render_detail(gf_buf *b, const char *detail, int width)
{
	const char *p = detail;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (width > 0 && p[0] != ' ')
			word_wrap(b, p, n, (size_t)width);
		else
			gf_buf_put(b, p, n);
		gf_buf_putc(b, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void render_snippet(gf_buf *b, const hcl_diag *d, const hcl_sources *sources, bool color)
{
	if (!d->subject.filename)
		return;
	snippet sn;
	snippet_build(&sn, d, sources);
	if (!sn.has_snippet) {
		gf_buf_printf(b, "  on %s line %d:\n  (source code not available)\n",
		              d->subject.filename, d->subject.start.line);
	} else {
		gf_buf_printf(b, "  on %s line %d%s%s:\n", d->subject.filename,
		              sn.highlight.start.line, sn.context ? ", in " : "",
		              sn.context ? sn.context : "");
		gf_buf code;
		gf_buf_init(&code, 0);
		gf_buf_put(&code, sn.code, sn.hl_start);
		if (color)
			gf_buf_puts(&code, C_UNDERLINE);
		gf_buf_put(&code, sn.code + sn.hl_start, sn.hl_end - sn.hl_start);
		if (color)
			gf_buf_puts(&code, C_RESET);
		gf_buf_puts(&code, sn.code + sn.hl_end);
		if (color)
			gf_buf_puts(&code, C_RESET);
		int line = sn.start_line;
		const char *p = gf_buf_cstr(&code);
		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			gf_buf_printf(b, "%4d: %.*s\n", line++, (int)n, p);
			if (!nl)
				break;
			p = nl + 1;
		}
		gf_buf_dispose(&code);
	}
	gf_buf_putc(b, '\n');
	snippet_dispose(&sn);
}

void hcl_diag_render(gf_buf *out, const hcl_diag *d, const hcl_sources *sources,
                     hcl_render_style style, int width)
{
	bool err = d->severity == HCL_DIAG_ERROR;
	const char *word = err ? "Error: " : "Warning: ";
	gf_buf b;
	gf_buf_init(&b, 0);
	if (style == HCL_RENDER_PLAIN) {
		gf_buf_printf(&b, "\n%s%s\n\n", word, d->summary);
		render_snippet(&b, d, sources, false);
		if (d->detail && *d->detail)
			render_detail(&b, d->detail, width > 1 ? width - 1 : 0);
		gf_buf_put(out, b.ptr, b.len);
		gf_buf_dispose(&b);
		return;
	}
	bool color = style == HCL_RENDER_COLOR;
	const char *hue = err ? C_RED : C_YELLOW;
	/* colorstring appends a reset after every coloured string. */
	if (color)
		gf_buf_printf(&b, C_BOLD "%s%s" C_RESET C_RESET C_BOLD "%s" C_RESET "\n\n" C_RESET,
		              hue, word, d->summary);
	else
		gf_buf_printf(&b, "%s%s\n\n", word, d->summary);
	render_snippet(&b, d, sources, color);
	if (d->detail && *d->detail)
		render_detail(&b, d->detail, width > 3 ? width - 3 : 0);

	char rule_line[64], rule_empty[64];
	if (color) {
		snprintf(rule_line, sizeof(rule_line), "%s│" C_RESET " " C_RESET, hue);
		snprintf(rule_empty, sizeof(rule_empty), "%s", rule_line);
		gf_buf_printf(out, "%s╷" C_RESET C_RESET "\n", hue);
	} else {
		snprintf(rule_line, sizeof(rule_line), "│ ");
		snprintf(rule_empty, sizeof(rule_empty), "│");
		gf_buf_puts(out, "╷\n");
	}
	const char *p = gf_buf_cstr(&b);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		gf_buf_printf(out, "%s%.*s\n", n ? rule_line : rule_empty, (int)n, p);
		if (!nl)
			break;
		p = nl + 1;
	}
	if (color)
		gf_buf_printf(out, "%s╵" C_RESET C_RESET "\n", hue);
	else
		gf_buf_puts(out, "╵\n");
	gf_buf_dispose(&b);
}

static int path_depth(const char *f)
{
	int n = 0;
	for (; *f; f++)
		n += *f == '/';
	return n;
}

/* Whether a sorts strictly before b in terraform's order. */
static bool diag_before(const hcl_diag *a, const hcl_diag *b)
{
	if (a->severity != b->severity)
		return a->severity == HCL_DIAG_WARNING;
	if (!a->subject.filename != !b->subject.filename)
		return !a->subject.filename;
	if (!a->subject.filename)
		return false;
	int c = strcmp(a->subject.filename, b->subject.filename);
	if (c != 0) {
		int da = path_depth(a->subject.filename), db = path_depth(b->subject.filename);
		return da != db ? da < db : c < 0;
	}
	if (a->subject.start.byte != b->subject.start.byte)
		return a->subject.start.byte < b->subject.start.byte;
	return a->subject.end.byte < b->subject.end.byte;
}

void hcl_diags_render(gf_buf *out, const hcl_diags *d, const hcl_sources *sources,
                      hcl_render_style style, int width)
{
	/* terraform sorts before printing (tfdiags' order): warnings first,
	 * then those without a source, then by file (fewer path segments
	 * first), start and end; ties keep their order. An insertion sort is
	 * stable, and lists are short. */
	const hcl_diag **order = gf_xcalloc(d->list.len ? d->list.len : 1, sizeof(*order));
	for (size_t i = 0; i < d->list.len; i++) {
		const hcl_diag *x = &d->list.items[i];
		size_t k = i;
		while (k > 0 && diag_before(x, order[k - 1])) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = x;
	}
	/* What terraform's UI adds around each message: a newline, and in
	 * colour the severity's colour around the whole box (with the two
	 * resets its colour library writes). */
	for (size_t i = 0; i < d->list.len; i++) {
		const hcl_diag *x = order[i];
		if (style == HCL_RENDER_COLOR)
			gf_buf_puts(out, x->severity == HCL_DIAG_ERROR ? C_RED : C_YELLOW);
		hcl_diag_render(out, x, sources, style, width);
		if (style == HCL_RENDER_COLOR)
			gf_buf_puts(out, C_RESET C_RESET);
		gf_buf_putc(out, '\n');
	}
	free(order);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *pos_json(const hcl_pos *p)
{
	return json_pack("{s:i,s:i,s:I}", "line", p->line, "column", p->column, "byte",
	                 (json_int_t)p->byte);
}

json_t *hcl_diag_to_json(const hcl_diag *d, const hcl_sources *sources)
{
	json_t *o = json_object();
	json_object_set_new(o, "severity",
	                    json_string(d->severity == HCL_DIAG_ERROR ? "error" : "warning"));
	json_object_set_new(o, "summary", json_string(d->summary));
	json_object_set_new(o, "detail", json_string(d->detail ? d->detail : ""));
	if (!d->subject.filename)
		return o;
	snippet sn;
	snippet_build(&sn, d, sources);
	json_object_set_new(o, "range",
	                    json_pack("{s:s,s:o,s:o}", "filename", d->subject.filename, "start",
	                              pos_json(&sn.highlight.start), "end",
	                              pos_json(&sn.highlight.end)));
	if (sn.has_snippet) {
		json_t *s = json_object();
		json_object_set_new(s, "context",
		                    sn.context ? json_string(sn.context) : json_null());
		json_object_set_new(s, "code", json_stringn(sn.code, strlen(sn.code)));
		json_object_set_new(s, "start_line", json_integer(sn.start_line));
		json_object_set_new(s, "highlight_start_offset",
		                    json_integer((json_int_t)sn.hl_start));
		json_object_set_new(s, "highlight_end_offset", json_integer((json_int_t)sn.hl_end));
		json_object_set_new(s, "values", json_array());
		json_object_set_new(o, "snippet", s);
	}
	snippet_dispose(&sn);
	return o;
}
