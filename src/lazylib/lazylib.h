/*
 * lazylib — libraries loaded on first use instead of at every start.
 *
 * NOTES ON THE DESIGN
 *
 * Why. Every gitfleet process (each `gitfleet plan` of a build, each
 * instance of `gitfleet www`) used to start with libgit2 and libarchive
 * mapped and relocated, with the 20 libraries they pull in (Kerberos,
 * SSH, TLS, libxml2, ICU, libstdc++ ...): about 16 ms of CPU of a 28 ms
 * start on this machine, most of it the dynamic loader, for libraries
 * that only the daemon's pipeline (git) and its unpacking of uploaded
 * releases (tar) use. (The provider writes the tar it uploads without
 * libarchive, src/cloud/release_tar.c, for the same reason: loading it
 * cost an apply about 10 ms of CPU.)
 * Process start is on the path of every push (docs/benchmarks.md,
 * "Push to live").
 *
 * How. gitfleet is not linked against those two libraries. Instead,
 * git2.c and archive.c define every function of theirs that gitfleet
 * calls, with the library's own prototype (from its header), as a
 * forwarder: the first call dlopen()s the library by its SONAME (found at
 * build time, GF_LIBGIT2_SONAME and GF_LIBARCHIVE_SONAME) and every call
 * jumps to the real function found with dlsym() in that library. Callers
 * are unchanged: they include <git2.h> or <archive.h> and call as before.
 *
 * Rules:
 *   1. A function of libgit2 or libarchive used anywhere (src/ or tests/)
 *      needs its forwarder in git2.c or archive.c; a missing one is a link
 *      error naming it ("undefined reference to git_..."), never a silent
 *      fallback.
 *   2. A library that cannot be loaded is an installation error: the
 *      process stops with a message naming the library and how to install
 *      it (scripts/deps.sh), at the first use, not at start.
 *   3. Loading is thread-safe (pthread_once per library).
 */
#ifndef GF_LAZYLIB_H
#define GF_LAZYLIB_H

#include <pthread.h>

typedef struct {
	const char *soname;  /* e.g. "libgit2.so.1.5" */
	const char *package; /* what installs it, for the message */
	pthread_once_t once;
	void *handle;
} lazylib;

#define LAZYLIB_INIT(soname, package)                    \
	{                                                \
		soname, package, PTHREAD_ONCE_INIT, NULL \
	}

/* Any function; callers cast it to the function's own type. */
typedef void (*lazylib_fn)(void);

/* The function `name` of `lib`, loading the library at the first call.
 * Stops the process (rule 2) when the library or the symbol is missing. */
lazylib_fn lazylib_sym(lazylib *lib, const char *name);

#endif
