/* Looking up the embedded dashboard files (ui.h). */
#include "ui/ui.h"

#include "base/base.h"

#include <string.h>

const ui_asset *ui_asset_find(const char *name)
{
	for (size_t i = 0; i < ui_nassets; i++)
		if (strcmp(ui_assets[i].name, name) == 0)
			return &ui_assets[i];
	return NULL;
}

const char *ui_content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	        {".html", "text/html; charset=utf-8"},
	        {".css", "text/css; charset=utf-8"},
	        {".js", "text/javascript; charset=utf-8"},
	        {".svg", "image/svg+xml"},
	        {".png", "image/png"},
	};
	for (size_t i = 0; i < GF_ARRAY_LEN(types); i++)
		if (gf_str_has_suffix(name, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}
