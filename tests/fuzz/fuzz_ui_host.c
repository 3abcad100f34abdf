/*
 * Fuzz target: the dashboard's trust rule (cloud_ui_trusted: a peer
 * address and a Host field) and the exposition's escaping of label values
 * (metrics_escape). The input is "PEER\nHOST". Whatever it is: a trusted
 * TCP peer is a loopback address and its Host holds only the characters of
 * a loopback name and port; an escaped value has no raw line feed or
 * unescaped quote and unescapes back to the input.
 */
#include "cloud/cloud.h"
#include "metrics/metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escape(const char *s)
{
	gf_buf b = GF_BUF_INIT;
	metrics_escape(&b, s, true);
	const char *e = gf_buf_cstr(&b);
	size_t n = 0;
	char *back = malloc(b.len + 1);
	for (size_t i = 0; i < b.len; i++) {
		if (e[i] == '\n' || e[i] == '"')
			abort();
		if (e[i] == '\\') {
			i++;
			if (e[i] != '\\' && e[i] != '"' && e[i] != 'n')
				abort();
			back[n++] = e[i] == 'n' ? '\n' : e[i];
		} else {
			back[n++] = e[i];
		}
	}
	back[n] = '\0';
	if (strcmp(back, s) != 0)
		abort();
	free(back);
	gf_buf_dispose(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';
	char *host = strchr(in, '\n');
	if (host)
		*host++ = '\0';
	bool trusted = cloud_ui_trusted(in, host);
	if (trusted && strncmp(in, "unix:", 5) != 0) {
		if (strncmp(in, "127.", 4) && strncmp(in, "[::1]:", 6) &&
		    strncmp(in, "[::ffff:127.", 12))
			abort();
		if (!host || strspn(host, "0123456789.:[]localhostLOCALHOST") != strlen(host))
			abort();
	}
	check_escape(in);
	if (host)
		check_escape(host);
	free(in);
	return 0;
}
