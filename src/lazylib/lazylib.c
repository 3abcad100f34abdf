/* Loading a library on first use (lazylib.h). */
#include "lazylib/lazylib.h"

#include "base/base.h"

#include <dlfcn.h>
#include <string.h>

/* pthread_once takes no argument: the library being loaded is passed
 * through this thread's variable. */
static _Thread_local lazylib *loading;

static void load(void)
{
	loading->handle = dlopen(loading->soname, RTLD_LAZY | RTLD_LOCAL);
}

lazylib_fn lazylib_sym(lazylib *lib, const char *name)
{
	loading = lib;
	pthread_once(&lib->once, load);
	if (!lib->handle)
		gf_die("cannot load %s (%s): install %s (scripts/deps.sh installs it)", lib->soname,
		       dlerror(), lib->package);
	void *p = dlsym(lib->handle, name);
	if (!p)
		gf_die("%s has no function %s: gitfleet was built against another version; "
		       "rebuild it",
		       lib->soname, name);
	/* POSIX guarantees a data pointer from dlsym converts to a function
	 * pointer; ISO C does not, so the bytes are copied. */
	lazylib_fn fn;
	memcpy(&fn, &p, sizeof(fn));
	return fn;
}
