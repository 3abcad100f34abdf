/*
 * ui — the dashboard's files (HTML, CSS, JavaScript, SVG), embedded in the
 * binary at build time so that the daemon serves them with no file on
 * disk and nothing fetched from elsewhere.
 *
 * NOTES ON THE DESIGN
 *
 * 1. The files live in src/ui/ as they are edited (index.html, app.css,
 *    app.js, favicon.svg). CMake (cmake/embed.cmake) turns every one of
 *    them into a byte array in a generated C file, with its SHA-256 as an
 *    ETag, whenever one changes; ui.c looks them up by name. Nothing else
 *    is generated and nothing is read at run time.
 *
 * 2. The dashboard is plain HTML, CSS and JavaScript: no framework, no
 *    build step, no external resource (fonts, scripts or images from
 *    elsewhere), so it works offline and its Content-Security-Policy can
 *    allow 'self' only. It reads the daemon's JSON API and event streams
 *    like any other client (docs/dashboard.md); the routes that serve it
 *    and its sessions are in src/cloud/ui.c.
 */
#ifndef GF_UI_H
#define GF_UI_H

#include <stddef.h>

typedef struct {
	const char *name;          /* "app.js" */
	const unsigned char *data; /* the file's bytes */
	size_t len;
	const char *etag; /* "\"<sha256 hex>\"" */
} ui_asset;

/* The embedded files (generated: ui_assets.c in the build tree). */
extern const ui_asset ui_assets[];
extern const size_t ui_nassets;

/* The file called `name` ("index.html"), or NULL. */
const ui_asset *ui_asset_find(const char *name);
/* Its Content-Type from the extension; "application/octet-stream" if unknown. */
const char *ui_content_type(const char *name);

#endif
