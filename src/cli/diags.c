/* Printing HCL diagnostics the way terraform does, shared by the commands
 * that read configuration (validate, console, and later plan/apply). */
#include "cli/cli.h"

#include "config/config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int terminal_width(int fd)
{
	struct winsize ws;
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 78;
}

void cli_print_diags(const hcl_diags *d, size_t from, const hcl_sources *sources, bool no_color)
{
	int fd = fileno(stderr);
	hcl_render_style style = no_color     ? HCL_RENDER_PLAIN
	                         : isatty(fd) ? HCL_RENDER_COLOR
	                                      : HCL_RENDER_BOX;
	int width = terminal_width(fd);
	for (size_t i = from; i < d->list.len; i++) {
		gf_buf out = GF_BUF_INIT;
		hcl_diag_render(&out, &d->list.items[i], sources, style, width);
		/* terraform writes errors to stderr and warnings to stdout */
		FILE *f = d->list.items[i].severity == HCL_DIAG_ERROR ? stderr : stdout;
		fflush(stdout);
		fwrite(gf_buf_cstr(&out), 1, out.len, f);
		fflush(f);
		gf_buf_dispose(&out);
	}
}

size_t cli_var_args(config_var_arg **out, int argc, char **argv, int end)
{
	size_t n = 0;
	config_var_arg *list = gf_xcalloc((size_t)argc + 1, sizeof(*list));
	for (int i = 1; i < end; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			continue;
		a += a[1] == '-' ? 2 : 1;
		bool file = gf_str_has_prefix(a, "var-file");
		if (!file && !gf_str_has_prefix(a, "var"))
			continue;
		const char *rest = a + (file ? 8 : 3);
		if (*rest == '=')
			list[n++] = (config_var_arg){file, rest + 1};
		else if (*rest == 0 && i + 1 < end)
			list[n++] = (config_var_arg){file, argv[++i]};
	}
	*out = list;
	return n;
}
