/*
 * Fuzz target for state JSON (state_parse): any input either fails with a
 * message naming the source, or yields a state whose canonical JSON reads
 * back to the same bytes (serialisation is a fixed point), and whose
 * instance addresses print and parse back to equal addresses.
 */
#include "state/state.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_addr(const state_resource *r, state_instance *i, void *payload)
{
	state_addr a, b;
	if (state_instance_addr(&a, r, i) != 0)
		abort();
	char *text = state_addr_string(&a);
	if (state_addr_parse(&b, text) != 0 || !state_addr_equal(&a, &b))
		abort();
	state *s = payload;
	if (state_instance_find(s, &b) != i)
		abort();
	free(text);
	state_addr_dispose(&a);
	state_addr_dispose(&b);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	state *s = NULL;
	if (state_parse(&s, (const char *)data, size, "fuzz.tfstate") != 0) {
		if (s || strncmp(gf_err_msg(), "fuzz.tfstate: ", 14) != 0)
			abort();
		return 0;
	}
	gf_buf one = GF_BUF_INIT, two = GF_BUF_INIT;
	state *back = NULL;
	if (state_serialize(&one, s) != 0 ||
	    state_parse(&back, one.ptr, one.len, "fuzz.tfstate") != 0 ||
	    state_serialize(&two, back) != 0 || one.len != two.len ||
	    memcmp(one.ptr, two.ptr, one.len) != 0)
		abort();
	state_foreach_instance(s, check_addr, s);
	state *copy = state_copy(s);
	gf_buf three = GF_BUF_INIT;
	if (state_serialize(&three, copy) != 0 || three.len != one.len ||
	    memcmp(three.ptr, one.ptr, one.len) != 0)
		abort();
	gf_buf_dispose(&one);
	gf_buf_dispose(&two);
	gf_buf_dispose(&three);
	state_free(copy);
	state_free(back);
	state_free(s);
	return 0;
}
