/*
 * hcl/diag.h — source positions and diagnostics.
 *
 * Every error the language layer reports is an hcl_diag: severity, summary
 * (one line, Terraform's wording where Terraform has one), detail (full
 * sentences that say what to do), and the source range it is about. A run
 * collects all of them in an hcl_diags list, so that one invocation reports
 * every problem at once; callers check hcl_diags_has_errors.
 *
 * Strings in diagnostics are allocated from the list's arena and live as
 * long as the list.
 */
#ifndef GF_HCL_DIAG_H
#define GF_HCL_DIAG_H

#include "base/base.h"

typedef struct {
	int line;    /* 1-based */
	int column;  /* 1-based, counted in Unicode characters as HCL does */
	size_t byte; /* 0-based offset into the file */
} hcl_pos;

typedef struct {
	const char *filename; /* as given to the parser; NULL for no range */
	hcl_pos start, end;   /* end is exclusive */
} hcl_range;

typedef enum {
	HCL_DIAG_ERROR,
	HCL_DIAG_WARNING
} hcl_severity;

typedef struct {
	hcl_severity severity;
	const char *summary;
	const char *detail;       /* may be NULL */
	hcl_range subject;        /* what is wrong; filename NULL when none */
	hcl_range context;        /* the enclosing construct; filename NULL when none */
	const char *context_name; /* "in resource \"fleet_lb\" \"web\"", or NULL */
} hcl_diag;

typedef struct {
	GF_VEC(hcl_diag) list;
	gf_arena *arena; /* owns the strings; set by hcl_diags_init */
	size_t errors;
} hcl_diags;

void hcl_diags_init(hcl_diags *d, gf_arena *arena);
void hcl_diags_dispose(hcl_diags *d);
/* Adds a diagnostic; summary and detail are printf-formatted into the arena.
 * `subject` may be NULL. Returns the added diagnostic for extra fields. */
hcl_diag *hcl_diags_add(hcl_diags *d, hcl_severity sev, const hcl_range *subject,
                        const char *summary, const char *detail_fmt, ...) GF_PRINTF(5, 6);
bool hcl_diags_has_errors(const hcl_diags *d);

/* HCL's short form of a range, for details that point elsewhere:
 * "main.tf:3,3-7" on one line, "main.tf:3,3-5,1" across lines. */
char *hcl_range_string(gf_arena *a, const hcl_range *r);

/* ---- sources and rendering --------------------------------------------- */

struct hcl_body;
struct json_t;

/* The files diagnostics may point into. Nothing is copied: the caller keeps
 * the bytes (and the parsed body, if given) alive while rendering. The body
 * lets the renderer name the enclosing top-level block ("in resource ...")
 * when a diagnostic has no context_name, as terraform does. */
typedef struct {
	const char *filename;
	const char *src;
	size_t len;
	const struct hcl_body *body; /* may be NULL */
} hcl_source;

typedef struct {
	GF_VEC(hcl_source) list;
} hcl_sources;

void hcl_sources_add(hcl_sources *s, const char *filename, const char *src, size_t len,
                     const struct hcl_body *body);
const hcl_source *hcl_sources_find(const hcl_sources *s, const char *filename);
void hcl_sources_dispose(hcl_sources *s);

typedef enum {
	/* terraform -no-color: "\nError: summary\n\n  on f line N:\n..." */
	HCL_RENDER_PLAIN,
	/* terraform on a terminal, without the escape codes: the ╷ │ ╵ box */
	HCL_RENDER_BOX,
	/* terraform on a terminal: the box, bold and red/yellow, the subject
	 * range underlined — byte for byte what terraform writes */
	HCL_RENDER_COLOR,
} hcl_render_style;

/* Appends one diagnostic rendered as terraform renders it, with details
 * word-wrapped to `width` columns (terraform uses the terminal's width, 78
 * when unknown; 0 disables wrapping). Source lines come from `sources`
 * (may be NULL: "(source code not available)"). */
void hcl_diag_render(gf_buf *out, const hcl_diag *d, const hcl_sources *sources,
                     hcl_render_style style, int width);
/* Renders every diagnostic of the list to `out` as terraform prints a
 * list: sorted as terraform sorts (warnings first, then by file and
 * position), each with what terraform's UI writes around it (a newline
 * after it; in colour, the severity's colour around it), so that the bytes
 * match terraform's. */
void hcl_diags_render(gf_buf *out, const hcl_diags *d, const hcl_sources *sources,
                      hcl_render_style style, int width);
/* One diagnostic as `terraform validate -json` prints it (severity,
 * summary, detail, range, snippet); a new jansson reference. */
struct json_t *hcl_diag_to_json(const hcl_diag *d, const hcl_sources *sources);

#endif
