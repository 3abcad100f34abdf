/* libarchive's functions that gitfleet calls, forwarded to the library
 * loaded on first use (lazylib.h: rule 1 says when to add one). */
#include "lazylib/lazylib.h"

#include <archive.h>
#include <archive_entry.h>

static lazylib archive = LAZYLIB_INIT(GF_LIBARCHIVE_SONAME, "libarchive");

#define LAZY(name) ((__typeof__(&name))lazylib_sym(&archive, #name))

mode_t archive_entry_filetype(struct archive_entry *a0)
{
	return LAZY(archive_entry_filetype)(a0);
}

void archive_entry_free(struct archive_entry *a0)
{
	LAZY(archive_entry_free)(a0);
}

const char *archive_entry_hardlink(struct archive_entry *a0)
{
	return LAZY(archive_entry_hardlink)(a0);
}

struct archive_entry *archive_entry_new(void)
{
	return LAZY(archive_entry_new)();
}

const char *archive_entry_pathname(struct archive_entry *a0)
{
	return LAZY(archive_entry_pathname)(a0);
}

mode_t archive_entry_perm(struct archive_entry *a0)
{
	return LAZY(archive_entry_perm)(a0);
}

void archive_entry_set_filetype(struct archive_entry *a0, unsigned int a1)
{
	LAZY(archive_entry_set_filetype)(a0, a1);
}

void archive_entry_set_hardlink(struct archive_entry *a0, const char *a1)
{
	LAZY(archive_entry_set_hardlink)(a0, a1);
}

void archive_entry_set_pathname(struct archive_entry *a0, const char *a1)
{
	LAZY(archive_entry_set_pathname)(a0, a1);
}

void archive_entry_set_perm(struct archive_entry *a0, mode_t a1)
{
	LAZY(archive_entry_set_perm)(a0, a1);
}

void archive_entry_set_size(struct archive_entry *a0, la_int64_t a1)
{
	LAZY(archive_entry_set_size)(a0, a1);
}

void archive_entry_sparse_add_entry(struct archive_entry *a0, la_int64_t offset, la_int64_t length)
{
	LAZY(archive_entry_sparse_add_entry)(a0, offset, length);
}

void archive_entry_set_symlink(struct archive_entry *a0, const char *a1)
{
	LAZY(archive_entry_set_symlink)(a0, a1);
}

la_int64_t archive_entry_size(struct archive_entry *a0)
{
	return LAZY(archive_entry_size)(a0);
}

const char *archive_entry_symlink(struct archive_entry *a0)
{
	return LAZY(archive_entry_symlink)(a0);
}

const char *archive_error_string(struct archive *a0)
{
	return LAZY(archive_error_string)(a0);
}

int archive_read_data_block(struct archive *a, const void **buff, size_t *size, la_int64_t *offset)
{
	return LAZY(archive_read_data_block)(a, buff, size, offset);
}

int archive_read_free(struct archive *a0)
{
	return LAZY(archive_read_free)(a0);
}

struct archive *archive_read_new(void)
{
	return LAZY(archive_read_new)();
}

int archive_read_next_header(struct archive *a0, struct archive_entry **a1)
{
	return LAZY(archive_read_next_header)(a0, a1);
}

int archive_read_open_memory(struct archive *a0, const void *buff, size_t size)
{
	return LAZY(archive_read_open_memory)(a0, buff, size);
}

int archive_read_support_filter_all(struct archive *a0)
{
	return LAZY(archive_read_support_filter_all)(a0);
}

int archive_read_support_format_gnutar(struct archive *a0)
{
	return LAZY(archive_read_support_format_gnutar)(a0);
}

int archive_read_support_format_tar(struct archive *a0)
{
	return LAZY(archive_read_support_format_tar)(a0);
}

int archive_write_close(struct archive *a0)
{
	return LAZY(archive_write_close)(a0);
}

la_ssize_t archive_write_data(struct archive *a0, const void *a1, size_t a2)
{
	return LAZY(archive_write_data)(a0, a1, a2);
}

int archive_write_free(struct archive *a0)
{
	return LAZY(archive_write_free)(a0);
}

int archive_write_header(struct archive *a0, struct archive_entry *a1)
{
	return LAZY(archive_write_header)(a0, a1);
}

struct archive *archive_write_new(void)
{
	return LAZY(archive_write_new)();
}

int archive_write_open_memory(struct archive *a0, void *_buffer, size_t _buffSize, size_t *_used)
{
	return LAZY(archive_write_open_memory)(a0, _buffer, _buffSize, _used);
}

int archive_write_set_format_pax_restricted(struct archive *a0)
{
	return LAZY(archive_write_set_format_pax_restricted)(a0);
}
