/*
 * Fuzz target: webhook payload decoding and signature checks. The first
 * byte picks the forge and the event header; the rest is the body.
 * Decoding either succeeds with every string of the event set (never
 * NULL), or fails with GF_EINVALID and leaves the event as OTHER. A
 * signature computed over the body always verifies, and a flipped one never.
 */
#include "hooks/hooks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const headers[] = {"push", "pull_request", "ping", NULL};
	if (size < 1 || size > 1 << 16)
		return 0;
	hooks_forge forge = (hooks_forge)(data[0] % HOOKS_FORGE_COUNT);
	const char *header = headers[(data[0] / HOOKS_FORGE_COUNT) % 4];
	const char *body = (const char *)data + 1;
	size_t len = size - 1;

	hooks_event ev;
	hooks_event_init(&ev);
	int rc = hooks_decode(&ev, forge, header, body, len);
	if (rc == 0) {
		if (!ev.head_ref || !ev.base_ref || !ev.before || !ev.after || !ev.message ||
		    !ev.actor || !ev.tag)
			abort();
		for (size_t i = 0; i < ev.nfiles; i++)
			if (!ev.files[i])
				abort();
		if (!hooks_event_trigger(&ev))
			abort();
	} else if (rc != GF_EINVALID || ev.type != HOOKS_EVENT_OTHER) {
		abort();
	}
	hooks_event_dispose(&ev);

	char sig[80] = "sha256=";
	hooks_hmac_sha256_hex(sig + 7, "fuzz-secret", body, len);
	if (!hooks_verify(HOOKS_FORGE_GITHUB, "fuzz-secret", sig, body, len) ||
	    !hooks_verify(HOOKS_FORGE_GITEA, "fuzz-secret", sig + 7, body, len))
		abort();
	sig[7] = sig[7] == '0' ? '1' : '0';
	if (hooks_verify(HOOKS_FORGE_GITHUB, "fuzz-secret", sig, body, len))
		abort();
	return 0;
}
