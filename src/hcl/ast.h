/*
 * hcl/ast.h — tokens, the lexer, the syntax tree and the parser of HCL's
 * native syntax (hashicorp/hcl hclsyntax/spec.md), as Terraform reads it.
 *
 * NOTES ON THE DESIGN
 *
 * 1. Two lexer modes. A configuration file is lexed in "normal" mode: the
 *    token stream keeps comments and newlines (fmt needs both; the parser
 *    skips comments and uses newlines to end attributes). A standalone
 *    template (templatefile(), hcl_parse_template) starts in "template"
 *    mode, where everything is literal text up to `${` or `%{`. Inside a
 *    quoted string or heredoc the lexer switches modes the same way, so a
 *    `"a${b}c"` is OQUOTE QUOTED_LIT TEMPLATE_INTERP IDENT TEMPLATE_SEQ_END
 *    QUOTED_LIT CQUOTE. Literal tokens keep their raw bytes (escapes not
 *    decoded); the parser decodes them.
 *
 * 2. Every node has a range: filename, start and end position (end
 *    exclusive), lines 1-based, columns 1-based counted in characters.
 *    Names and decoded strings are arena copies, NUL-terminated; decoded
 *    strings also carry a length since a "\u0000" escape may put a NUL
 *    inside.
 *
 * 3. Templates are parsed into parts with everything syntactic already
 *    done: escapes decoded, `$${`/`%%{` unescaped, strip markers `~`
 *    applied to the neighbouring literal parts, heredoc indentation
 *    stripped (`<<-`). A quoted string or heredoc with no interpolation or
 *    directive is a string literal (HCL_EXPR_LITERAL, HCL_LIT_STRING); a
 *    template that is exactly one `${expr}` is HCL_EXPR_TEMPLATE_WRAP, whose
 *    value is expr's value unconverted (the spec's "interpolation
 *    unwrapping"); anything else is HCL_EXPR_TEMPLATE.
 *
 * 4. Traversals. As in hclsyntax, `a.b[0].c` is one scope traversal (root
 *    "a", steps .b [0] .c) as long as every index is a literal; an index
 *    with an expression key splits it: `a.b[var.i].c` is
 *    RELATIVE_TRAVERSAL(.c) over INDEX(SCOPE_TRAVERSAL(a.b), var.i).
 *    Splats `x.*.y` / `x[*].y` are SPLAT nodes with `source` = x and `each`
 *    = an expression over an ANON_SYMBOL standing for each element
 *    (RELATIVE_TRAVERSAL(.y) over ANON_SYMBOL).
 *
 * 5. Errors. The parser never stops at the first error: it reports a
 *    diagnostic, skips to the end of the line or the closing bracket, and
 *    goes on, so one pass reports every syntax error. It returns the tree
 *    even when there are errors (parts that failed are HCL_EXPR_INVALID
 *    nodes or are missing); callers check hcl_diags_has_errors before
 *    evaluating. Nesting deeper than HCL_MAX_DEPTH is refused with a
 *    diagnostic, never by exhausting the C stack.
 *
 * All memory (nodes, strings, and the tokens hcl_lex returns) comes from
 * the caller's arena. The parser itself works on compact tokens (a type
 * and byte offsets, parse_int.h) that it frees when done, and computes
 * lines and columns only for the ranges it keeps.
 */
#ifndef GF_HCL_AST_H
#define GF_HCL_AST_H

#include "base/base.h"
#include "hcl/diag.h"

/* ---- tokens ------------------------------------------------------------ */

typedef enum {
	HCL_TOK_EOF,
	HCL_TOK_NEWLINE,
	HCL_TOK_COMMENT, /* includes the terminating newline of a # or // comment */

	HCL_TOK_IDENT,
	HCL_TOK_NUMBER,

	HCL_TOK_OQUOTE,           /* " opening a quoted template */
	HCL_TOK_CQUOTE,           /* " closing it */
	HCL_TOK_OHEREDOC,         /* <<EOT or <<-EOT, including the newline */
	HCL_TOK_CHEREDOC,         /* the closing marker line, leading spaces included */
	HCL_TOK_QUOTED_LIT,       /* literal text inside "..." (escapes undecoded) */
	HCL_TOK_STRING_LIT,       /* literal text of a heredoc or bare template */
	HCL_TOK_TEMPLATE_INTERP,  /* ${  or ${~ */
	HCL_TOK_TEMPLATE_CONTROL, /* %{  or %{~ */
	HCL_TOK_TEMPLATE_SEQ_END, /* }  or ~} closing an interpolation or directive */

	HCL_TOK_LBRACE,    /* { */
	HCL_TOK_RBRACE,    /* } */
	HCL_TOK_LBRACK,    /* [ */
	HCL_TOK_RBRACK,    /* ] */
	HCL_TOK_LPAREN,    /* ( */
	HCL_TOK_RPAREN,    /* ) */
	HCL_TOK_EQUAL,     /* = */
	HCL_TOK_COLON,     /* : */
	HCL_TOK_QUESTION,  /* ? */
	HCL_TOK_COMMA,     /* , */
	HCL_TOK_DOT,       /* . */
	HCL_TOK_ELLIPSIS,  /* ... */
	HCL_TOK_FAT_ARROW, /* => */
	HCL_TOK_STAR,      /* * */
	HCL_TOK_PLUS,      /* + */
	HCL_TOK_MINUS,     /* - */
	HCL_TOK_SLASH,     /* / */
	HCL_TOK_PERCENT,   /* % */
	HCL_TOK_BANG,      /* ! */
	HCL_TOK_EQ,        /* == */
	HCL_TOK_NE,        /* != */
	HCL_TOK_LT,        /* < */
	HCL_TOK_LE,        /* <= */
	HCL_TOK_GT,        /* > */
	HCL_TOK_GE,        /* >= */
	HCL_TOK_AND,       /* && */
	HCL_TOK_OR,        /* || */

	HCL_TOK_INVALID,  /* a character that starts no token; reported */
	HCL_TOK_BAD_UTF8, /* bytes that are not UTF-8; reported */
} hcl_token_type;

typedef struct {
	hcl_token_type type;
	const char *bytes; /* points into the source, not NUL-terminated */
	size_t len;
	hcl_range range;
} hcl_token;

typedef enum {
	HCL_LEX_CONFIG,   /* a configuration file or a standalone expression */
	HCL_LEX_TEMPLATE, /* a bare template: literal text outside ${ } / %{ } */
} hcl_lex_mode;

/*
 * Splits `src` (len bytes, need not be NUL-terminated) into tokens. The
 * array, arena-allocated, always ends with one HCL_TOK_EOF; *n counts it.
 * Positions start at `start` (hcl_pos_start() for a whole file). Lexical
 * errors (invalid characters, bad UTF-8, unterminated comments) are added
 * to `diags`, and the stream stays complete: tokens are in source order,
 * never overlap, and cover every byte of the source except the spaces and
 * tabs between tokens (and a leading UTF-8 byte order mark, skipped).
 */
hcl_token *hcl_lex(size_t *n, const char *filename, const char *src, size_t len, hcl_lex_mode mode,
                   hcl_pos start, gf_arena *arena, hcl_diags *diags);
/* Line 1, column 1, byte 0. */
hcl_pos hcl_pos_start(void);
/* A short name of a token type for messages: "identifier", "\"{\"", ... */
const char *hcl_token_type_name(hcl_token_type t);

/* ---- expressions ------------------------------------------------------- */

typedef struct hcl_expr hcl_expr;
typedef struct hcl_body hcl_body;

typedef enum {
	HCL_LIT_NULL,
	HCL_LIT_BOOL,
	HCL_LIT_NUMBER,
	HCL_LIT_STRING,
} hcl_literal_kind;

typedef struct {
	hcl_literal_kind kind;
	bool b;
	double num;       /* numbers: integers are exact up to 2^53 */
	const char *text; /* numbers: the source text ("1e3"); strings: decoded UTF-8 */
	size_t len;       /* strings: bytes of text (it may hold NULs) */
} hcl_literal;

typedef enum {
	HCL_STEP_ATTR,  /* .name */
	HCL_STEP_INDEX, /* [literal], or the legacy .0 (legacy_dot set) */
} hcl_step_kind;

typedef struct {
	hcl_step_kind kind;
	const char *name; /* HCL_STEP_ATTR */
	hcl_literal key;  /* HCL_STEP_INDEX: a number or string literal */
	bool legacy_dot;  /* HCL_STEP_INDEX written `.0` */
	hcl_range range;  /* from the `.` or `[` to the end of the step */
} hcl_step;

typedef struct {
	hcl_step *steps;
	size_t len;
} hcl_steps;

typedef enum {
	/* binary, in increasing precedence (spec "Operations") */
	HCL_OP_OR,  /* || */
	HCL_OP_AND, /* && */
	HCL_OP_EQ,  /* == */
	HCL_OP_NE,  /* != */
	HCL_OP_LT,  /* <  */
	HCL_OP_LE,  /* <= */
	HCL_OP_GT,  /* >  */
	HCL_OP_GE,  /* >= */
	HCL_OP_ADD, /* +  */
	HCL_OP_SUB, /* -  */
	HCL_OP_MUL, /* *  */
	HCL_OP_DIV, /* /  */
	HCL_OP_MOD, /* %  */
	/* unary */
	HCL_OP_NOT, /* !x */
	HCL_OP_NEG, /* -x */
} hcl_op;

/* Binary precedence, higher binds tighter: || 1, && 2, == != 3,
 * < <= > >= 4, + - 5, * / % 6. Unary operators bind tighter than all (7).
 * All binary operators are left-associative. */
int hcl_op_precedence(hcl_op op);
/* The operator as written: "||", "+", "!", ... */
const char *hcl_op_symbol(hcl_op op);

typedef enum {
	HCL_TPL_LITERAL, /* text, decoded, strip markers applied */
	HCL_TPL_INTERP,  /* ${ expr } */
	HCL_TPL_IF,      /* %{ if cond } then [%{ else } else] %{ endif } */
	HCL_TPL_FOR,     /* %{ for [key,] value in coll } body %{ endfor } */
} hcl_tpl_part_kind;

typedef struct hcl_tpl_part hcl_tpl_part;
typedef struct {
	hcl_tpl_part *items;
	size_t len;
} hcl_tpl_parts;

struct hcl_tpl_part {
	hcl_tpl_part_kind kind;
	hcl_range range; /* literal text; the whole ${ }; the whole directive to %{end...} */
	union {
		struct {
			const char *text;
			size_t len;
		} lit;
		hcl_expr *interp;
		struct {
			hcl_expr *cond;
			hcl_tpl_parts then_parts, else_parts;
			bool has_else;
		} if_;
		struct {
			const char *key_var; /* NULL when only a value variable */
			const char *value_var;
			hcl_expr *coll;
			hcl_tpl_parts body;
		} for_;
	} u;
};

typedef enum {
	HCL_EXPR_INVALID,            /* placeholder for what failed to parse */
	HCL_EXPR_LITERAL,            /* null, true, 1.5, "plain string", heredoc without ${} */
	HCL_EXPR_TEMPLATE,           /* "a ${b} c", heredocs, bare templates */
	HCL_EXPR_TEMPLATE_WRAP,      /* "${b}": b's value, unconverted */
	HCL_EXPR_SCOPE_TRAVERSAL,    /* var.x, count.index, a.b[0] */
	HCL_EXPR_RELATIVE_TRAVERSAL, /* (expr).x[0] */
	HCL_EXPR_INDEX,              /* expr[key] with a non-literal key */
	HCL_EXPR_CALL,               /* name(args...) */
	HCL_EXPR_CONDITIONAL,        /* c ? t : f */
	HCL_EXPR_BINARY,
	HCL_EXPR_UNARY,
	HCL_EXPR_TUPLE,       /* [a, b] */
	HCL_EXPR_OBJECT,      /* { k = v, "k2": v2, (expr) = v3 } */
	HCL_EXPR_FOR,         /* [for ...] and {for ...} */
	HCL_EXPR_SPLAT,       /* x.*.y, x[*].y */
	HCL_EXPR_ANON_SYMBOL, /* the current element inside a splat's `each` */
	HCL_EXPR_PARENS,      /* (expr) */
} hcl_expr_kind;

typedef struct {
	hcl_expr *key; /* key_ident: a SCOPE_TRAVERSAL with no steps, meaning
	                  the string of its root name, never a variable */
	hcl_expr *value;
	bool key_ident;
	bool colon; /* written `k: v` rather than `k = v` */
} hcl_object_item;

struct hcl_expr {
	hcl_expr_kind kind;
	hcl_range range;
	union {
		hcl_literal lit;
		struct {
			hcl_tpl_parts parts;
			bool heredoc;
		} tpl;
		struct {
			hcl_expr *wrapped;
		} wrap;
		struct {
			const char *root;
			hcl_range root_range;
			hcl_steps steps;
		} scope;
		struct {
			hcl_expr *source;
			hcl_steps steps;
		} rel;
		struct {
			hcl_expr *coll;
			hcl_expr *key;
			hcl_range bracket_range; /* [ key ] */
		} index;
		struct {
			const char *name;
			hcl_range name_range;
			hcl_expr **args;
			size_t nargs;
			bool expand_final; /* f(a, b...) */
			hcl_range open_paren, close_paren;
		} call;
		struct {
			hcl_expr *cond, *then_expr, *else_expr;
		} cond;
		struct {
			hcl_op op;
			hcl_expr *lhs, *rhs;
			hcl_range op_range;
		} binary;
		struct {
			hcl_op op;
			hcl_expr *operand;
			hcl_range op_range;
		} unary;
		struct {
			hcl_expr **items;
			size_t len;
			hcl_range open, close;
		} tuple;
		struct {
			hcl_object_item *items;
			size_t len;
			hcl_range open, close;
		} object;
		struct {
			bool object;         /* {for ...} rather than [for ...] */
			const char *key_var; /* NULL when only a value variable */
			const char *value_var;
			hcl_range key_var_range, value_var_range;
			hcl_expr *coll;
			hcl_expr *key_expr; /* object form only */
			hcl_expr *value_expr;
			hcl_expr *cond; /* NULL when no `if` */
			bool group;     /* object form with `...` after the value */
			hcl_range open, close;
		} for_;
		struct {
			hcl_expr *source;
			hcl_expr *each; /* over an HCL_EXPR_ANON_SYMBOL */
			bool full;      /* [*] rather than .* */
			hcl_range marker_range;
		} splat;
		struct {
			hcl_expr *inner;
		} parens;
	} u;
};

/* A literal string (plain quoted string or heredoc without interpolation):
 * true with its text; false for anything else. */
bool hcl_expr_as_string(const hcl_expr *e, const char **text, size_t *len);
/* hcl.ExprAsKeyword: the name of a bare identifier (a scope traversal with
 * no steps, e.g. `string` in `type = string`), else NULL. Parentheses are
 * not looked through. */
const char *hcl_expr_as_keyword(const hcl_expr *e);

/* ---- bodies ------------------------------------------------------------ */

typedef struct {
	const char *value; /* decoded */
	bool quoted;       /* "web" rather than web */
	hcl_range range;
} hcl_block_label;

typedef struct {
	const char *name;
	hcl_expr *expr;
	hcl_range name_range;
	hcl_range equals_range;
	hcl_range range; /* name through the end of the expression */
} hcl_attribute;

typedef struct {
	const char *type;
	hcl_block_label *labels;
	size_t nlabels;
	hcl_body *body;
	hcl_range type_range;
	hcl_range open_brace, close_brace;
	hcl_range range; /* type through the closing brace */
} hcl_block;

typedef enum {
	HCL_ITEM_ATTRIBUTE,
	HCL_ITEM_BLOCK,
} hcl_item_kind;

typedef struct {
	hcl_item_kind kind;
	union {
		hcl_attribute *attr;
		hcl_block *block;
	} u;
} hcl_body_item;

struct hcl_body {
	hcl_body_item *items; /* attributes and blocks in source order */
	size_t len;
	hcl_range range;     /* the file, or the inside of a block's braces */
	hcl_range end_range; /* zero-length range at the end (for "missing" errors) */
};

/* The attribute named `name` in the body itself (not nested blocks). */
const hcl_attribute *hcl_body_attribute(const hcl_body *b, const char *name);

/* ---- parsing ----------------------------------------------------------- */

/*
 * Parses a whole configuration file. `filename` is copied into the arena
 * and used in every range. Returns the root body — never NULL, possibly
 * partial when diags has errors.
 */
hcl_body *hcl_parse_file(const char *filename, const char *src, size_t len, gf_arena *arena,
                         hcl_diags *diags);
/* Parses one expression (a -var value, a console line) that must span the
 * whole input (trailing newlines allowed). Positions start at `start`.
 * Returns an expression, HCL_EXPR_INVALID on errors; never NULL. */
hcl_expr *hcl_parse_expression(const char *filename, const char *src, size_t len, hcl_pos start,
                               gf_arena *arena, hcl_diags *diags);
/* Parses a bare template (templatefile()'s file content): literal text
 * with ${ } and %{ } sequences. Never NULL. */
hcl_expr *hcl_parse_template(const char *filename, const char *src, size_t len, hcl_pos start,
                             gf_arena *arena, hcl_diags *diags);

/* ---- walking ----------------------------------------------------------- */

/*
 * Calls fn for every scope traversal (a reference: var.x, local.y,
 * fleet_lb.web.id, count.index, each.value, path.module) in e, in source
 * order, including those inside templates, function arguments and
 * nested expressions — but not the iterator variables a for expression
 * or %{for} directive binds inside its own body (`[for s in var.l : s.id]`
 * reports var.l only). A bare object key (key_ident) is not a reference.
 * Stops and returns fn's value as soon as fn returns non-zero; 0 otherwise.
 */
typedef int (*hcl_traversal_fn)(const hcl_expr *traversal, void *payload);
int hcl_expr_walk_traversals(const hcl_expr *e, hcl_traversal_fn fn, void *payload);

/* A traversal as source-like text, "fleet_lb.web.id", "var.l[0]",
 * "each.value[\"k\"]", arena-allocated. */
char *hcl_traversal_string(gf_arena *a, const hcl_expr *traversal);

#endif
