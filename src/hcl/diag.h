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

#endif
