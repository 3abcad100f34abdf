/*
 * hcl/value.h — the values HCL expressions evaluate to, their types, the
 * conversions between them, and the function library.
 *
 * The model is Terraform's (cty): a value has a type; primitive types are
 * string, number and bool; collection types (list, set, map) have one
 * element type; structural types (tuple, object) have a type per element or
 * attribute; `dynamic` (Terraform's `any`) stands for "not known yet" in type
 * constraints and for the type of an untyped null or unknown.
 *
 * Two special values exist at every type: null, and unknown — a value known
 * only after apply, printed as "(known after apply)". Unknowns flow through
 * every operator and function: the result of an operation with an unknown
 * operand is unknown (of the result type, where it can be known), except
 * where the answer does not depend on it (`length()` of a list with unknown
 * elements, `false && unknown`).
 *
 * Values carry marks; the only mark today is HCL_MARK_SENSITIVE, which
 * propagates from operands to results like Terraform's.
 *
 * Memory: values and types are immutable and allocated from a gf_arena that
 * the caller owns (an evaluation's arena); nothing here is freed one by one.
 * Values to keep beyond an evaluation are serialised (hcl_value_to_json)
 * or copied into a longer-lived arena (hcl_value_copy).
 *
 * Canonical forms, relied on by equality and printing:
 *   - map and object elements are sorted by key (byte order), keys unique;
 *   - set elements are sorted and unique (hcl_value_compare order);
 *   - numbers are finite doubles: integers are exact up to 2^53 and print
 *     without a fractional part or exponent ("3", not "3.0"; 1e21 prints
 *     "1000000000000000000000" as Terraform prints it).
 */
#ifndef GF_HCL_VALUE_H
#define GF_HCL_VALUE_H

#include "base/base.h"

/* ---- types ------------------------------------------------------------- */

typedef enum {
	HCL_TYPE_DYNAMIC, /* `any`: no constraint / not known yet */
	HCL_TYPE_STRING,
	HCL_TYPE_NUMBER,
	HCL_TYPE_BOOL,
	HCL_TYPE_LIST,
	HCL_TYPE_SET,
	HCL_TYPE_MAP,
	HCL_TYPE_TUPLE,
	HCL_TYPE_OBJECT,
} hcl_type_kind;

typedef struct hcl_type hcl_type;
typedef struct hcl_value hcl_value;

struct hcl_type {
	hcl_type_kind kind;
	const hcl_type *elem; /* list, set, map */
	size_t n;             /* tuple elements, object attributes */
	const hcl_type **types;
	const char **names; /* object attribute names, sorted */
	/* Type constraints only: object attributes declared optional(T, default). */
	const bool *optional;
	const hcl_value **defaults; /* NULL entries where no default */
};

extern const hcl_type hcl_type_dynamic, hcl_type_string, hcl_type_number, hcl_type_bool;

const hcl_type *hcl_type_list(gf_arena *a, const hcl_type *elem);
const hcl_type *hcl_type_set(gf_arena *a, const hcl_type *elem);
const hcl_type *hcl_type_map(gf_arena *a, const hcl_type *elem);
/* Structural types take ownership of the arrays (arena-allocated by the
 * caller); object constructors sort the attributes by name in place. */
const hcl_type *hcl_type_tuple(gf_arena *a, const hcl_type **types, size_t n);
const hcl_type *hcl_type_object(gf_arena *a, const char **names, const hcl_type **types, size_t n);
/* An object type constraint with optional(T, default) attributes; `optional`
 * and `defaults` may be NULL (no optional attributes / no defaults). */
const hcl_type *hcl_type_object_ex(gf_arena *a, const char **names, const hcl_type **types,
                                   bool *optional, const hcl_value **defaults, size_t n);
/* The type of an object attribute, NULL when the object type has none. */
const hcl_type *hcl_type_attr(const hcl_type *t, const char *name);
bool hcl_type_equal(const hcl_type *a, const hcl_type *b);
/* True when the type is or contains `dynamic` (a constraint, not a type). */
bool hcl_type_has_dynamic(const hcl_type *t);
/* Terraform's type syntax: "string", "list(number)", "object({a=string})". */
char *hcl_type_string_of(gf_arena *a, const hcl_type *t);
/* Friendly name for messages: "string", "list of number", "object". */
const char *hcl_type_friendly(gf_arena *a, const hcl_type *t);

/* ---- values ------------------------------------------------------------ */

typedef enum {
	HCL_VAL_NULL,
	HCL_VAL_UNKNOWN,
	HCL_VAL_STRING,
	HCL_VAL_NUMBER,
	HCL_VAL_BOOL,
	HCL_VAL_LIST,
	HCL_VAL_SET,
	HCL_VAL_MAP,
	HCL_VAL_TUPLE,
	HCL_VAL_OBJECT,
} hcl_value_kind;

#define HCL_MARK_SENSITIVE 1u

struct hcl_value {
	hcl_value_kind kind;
	const hcl_type *type; /* always set; for null/unknown the expected type */
	unsigned marks;
	union {
		struct {
			const char *ptr; /* UTF-8, NUL-terminated, may hold NULs */
			size_t len;
		} str;
		double num;
		bool b;
		struct {
			size_t len;
			const hcl_value **items;
			const char **keys; /* map and object only, sorted */
		} coll;
	} u;
};

extern const hcl_value hcl_null_dynamic, hcl_unknown_dynamic, hcl_true, hcl_false;

const hcl_value *hcl_null(gf_arena *a, const hcl_type *t);
const hcl_value *hcl_unknown(gf_arena *a, const hcl_type *t);
const hcl_value *hcl_string(gf_arena *a, const char *s, size_t len);
const hcl_value *hcl_cstring(gf_arena *a, const char *s);
const hcl_value *hcl_number(gf_arena *a, double n);
const hcl_value *hcl_bool(bool b);
/* Collections take ownership of the arrays (arena-allocated by the caller).
 * Element types must agree for list/set/map (convert first); map, set and
 * object constructors sort (and for sets deduplicate) in place. */
const hcl_value *hcl_list(gf_arena *a, const hcl_type *elem, const hcl_value **items, size_t n);
const hcl_value *hcl_set(gf_arena *a, const hcl_type *elem, const hcl_value **items, size_t n);
const hcl_value *hcl_map(gf_arena *a, const hcl_type *elem, const char **keys,
                         const hcl_value **items, size_t n);
const hcl_value *hcl_tuple(gf_arena *a, const hcl_value **items, size_t n);
const hcl_value *hcl_object(gf_arena *a, const char **keys, const hcl_value **items, size_t n);
/* The same value with extra marks. */
const hcl_value *hcl_mark(gf_arena *a, const hcl_value *v, unsigned marks);
/* The same value without its own marks (marks inside a collection stay;
 * see hcl_value_deep_marks). */
const hcl_value *hcl_unmark(gf_arena *a, const hcl_value *v);

/* False when v is unknown or contains an unknown anywhere inside. */
bool hcl_value_is_wholly_known(const hcl_value *v);
/* Marks of v and of everything inside it, or-ed together. */
unsigned hcl_value_deep_marks(const hcl_value *v);
/* Structural identity: same type and same content, an unknown equal to an
 * unknown of the same type; marks are ignored. This is "is it the same
 * value" (tests, plan diffs), not the language's `==`, whose result is
 * unknown when an operand is. */
bool hcl_value_equal(const hcl_value *a, const hcl_value *b);
/* A total order used for sets and sort(): by kind, then content. */
int hcl_value_compare(const hcl_value *a, const hcl_value *b);
/* An element of an object/map by key, NULL if absent. */
const hcl_value *hcl_value_get(const hcl_value *v, const char *key);
const hcl_value *hcl_value_copy(gf_arena *to, const hcl_value *v);

/* ---- conversion -------------------------------------------------------- */

/*
 * Converts v to type `want` with Terraform's rules: number↔string,
 * bool↔string ("true"/"false"), tuple→list/set, object→map, list↔set,
 * unifying element types; `dynamic` accepts anything; object type
 * constraints fill optional attributes with their defaults (or null).
 * On failure returns NULL and writes a message such as
 * `a number is required` or `attribute "port" is required` to *why
 * (arena-allocated), with the path of the offending element when nested
 * (`element 2: a number is required`).
 */
const hcl_value *hcl_convert(gf_arena *a, const hcl_value *v, const hcl_type *want,
                             const char **why);
/* The common type that all of `values` convert to, for list/map/set
 * literals and conditionals; NULL when there is none. */
const hcl_type *hcl_unify_types(gf_arena *a, const hcl_value *const *values, size_t n);

/* ---- printing and JSON ------------------------------------------------- */

/* terraform console's format: strings quoted, lists and objects multi-line
 * with two-space indent, `tolist([...])`, `toset([...])`, `tomap({...})`
 * where Terraform prints them, `(known after apply)`, `(sensitive value)`,
 * `null`. */
char *hcl_value_render(gf_arena *a, const hcl_value *v);
/* jsonencode()'s output: compact, keys sorted; unknown values are an error
 * the caller must rule out first (hcl_value_is_wholly_known). */
char *hcl_value_to_json(gf_arena *a, const hcl_value *v);
/* jsondecode(): objects become objects, arrays tuples. NULL + *why on error. */
const hcl_value *hcl_value_from_json(gf_arena *a, const char *json, size_t len, const char **why);
/* A number as Terraform prints it (big.Float 'f' format, never an
 * exponent): "3", "0.5", "1000000000000000000000". Whole numbers below
 * 2^64 print exactly; other numbers print the shortest digits that read
 * back as the same double. */
char *hcl_number_format(gf_arena *a, double n);

/* ---- functions --------------------------------------------------------- */

typedef struct {
	gf_arena *arena;
	const char *base_dir; /* path.module: relative paths of file functions */
	/* templatefile() evaluates a template with variables; supplied by the
	 * evaluator. Returns NULL and sets *why on error. */
	const hcl_value *(*render_template)(void *payload, const char *path, const char *text,
	                                    const hcl_value *vars, const char **why);
	void *payload;
} hcl_func_env;

typedef struct {
	int arg;             /* index of the argument at fault, -1: the call */
	const char *summary; /* e.g. "Invalid function argument" */
	const char *detail;  /* e.g. `Invalid value for "str" parameter: ...` */
} hcl_func_error;

/*
 * Calls the named function with the arguments as written. `expand_last`
 * is the `...` after the final argument: the library expands that list, set
 * or tuple into further arguments, and reports anything else.
 * Returns the result, or NULL and fills *err. An unknown name, a wrong
 * number of arguments and wrong argument types are all reported through
 * *err with Terraform's summaries ("Call to unknown function", "Not enough
 * function arguments", "Too many function arguments", "Invalid function
 * argument") and a detail that names the function and the parameter.
 */
const hcl_value *hcl_func_call(const hcl_func_env *env, const char *name,
                               const hcl_value *const *args, size_t nargs, bool expand_last,
                               hcl_func_error *err);
/* Whether a function exists, and the sorted list of names (for "Did you
 * mean" and validate's arity checks). */
bool hcl_func_exists(const char *name);
const char *const *hcl_func_names(size_t *n);
/* Parameter count: min, and max (-1 when variadic); GF_ENOTFOUND if none. */
int hcl_func_arity(const char *name, int *min, int *max);

#endif
