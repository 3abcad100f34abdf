/*
 * Filesystem functions: abspath basename dirname file filebase64
 * fileexists fileset pathexpand templatefile. Relative paths are resolved
 * against env->base_dir (path.module), except abspath, which like
 * Terraform's uses the working directory. Paths are handled lexically as
 * Go's path/filepath does (Clean, Base, Dir).
 */
#include "hcl/func_impl.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX      (64u << 20) /* file() and friends refuse bigger files */
#define FILESET_MAX   100000      /* files visited by one fileset() */
#define FILESET_DEPTH 64

/* Go's filepath.Clean. */
static char *path_clean(gf_arena *a, const char *p)
{
	if (!*p)
		return gf_arena_strdup(a, ".");
	bool rooted = p[0] == '/';
	size_t len = strlen(p);
	char *out = gf_arena_alloc(a, len + 2);
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == len || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == len || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (r < len && p[r] != '/')
				out[w++] = p[r++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = 0;
	return out;
}

static const char *expand_home(hclv_call *c, const char *p)
{
	if (p[0] != '~' || (p[1] && p[1] != '/'))
		return p;
	const char *home = getenv("HOME");
	if (!home)
		return p;
	return gf_arena_printf(c->a, "%s%s", home, p + 1);
}

/* The path a file function opens: `~` expanded, relative to base_dir. */
static const char *resolve(hclv_call *c, const char *p)
{
	p = expand_home(c, p);
	if (p[0] == '/' || !c->env->base_dir || !*c->env->base_dir)
		return p;
	return gf_arena_printf(c->a, "%s/%s", c->env->base_dir, p);
}

/* A path as Terraform's redactIfSensitive prints it: Go-quoted. */
static const char *quoted(hclv_call *c, const char *s)
{
	gf_buf q = GF_BUF_INIT;
	hclv_quote_go(&q, s, strlen(s));
	return hclv_buf_finish(c->a, &q);
}

bool hclv_read_file(hclv_call *c, size_t arg, const char *path, gf_buf *out)
{
	const char *full = resolve(c, path);
	gf_buf_init(out, FILE_MAX);
	int rc = gf_fs_read(out, full);
	if (rc == GF_ENOTFOUND) {
		hclv_arg_error(
		        c, arg,
		        "no file exists at %s; this function works only with files that "
		        "are distributed as part of the configuration source code, so if this "
		        "file will be created by a resource in this configuration you must "
		        "instead obtain this result from an attribute of that resource",
		        quoted(c, path));
		return false;
	}
	if (rc < 0) {
		hclv_arg_error(c, arg, "failed to read file: %s", gf_err_msg());
		return false;
	}
	return true;
}

static const hcl_value *fn_file(hclv_call *c, const hcl_value *const *args, size_t n)
{
	gf_buf b = GF_BUF_INIT;
	const hcl_value *r = NULL;
	if (hclv_read_file(c, 0, args[0]->u.str.ptr, &b)) {
		if (!hclv_utf8_valid(gf_buf_cstr(&b), b.len))
			hclv_call_error(
			        c,
			        "contents of %s are not valid UTF-8; use the filebase64 "
			        "function to obtain the Base64 encoded contents or the other file "
			        "functions (e.g. filemd5, filesha256) to obtain file hashing "
			        "results instead",
			        quoted(c, args[0]->u.str.ptr));
		else
			r = hclv_str(c, gf_buf_cstr(&b), b.len);
	}
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_filebase64(hclv_call *c, const hcl_value *const *args, size_t n)
{
	gf_buf b = GF_BUF_INIT;
	const hcl_value *r = NULL;
	if (hclv_read_file(c, 0, args[0]->u.str.ptr, &b)) {
		const hcl_value *raw = hclv_str(c, gf_buf_cstr(&b), b.len);
		hcl_func_error e;
		r = hcl_func_call(c->env, "base64encode", &raw, 1, false, &e);
	}
	gf_buf_dispose(&b);
	return r;
}

static const hcl_value *fn_fileexists(hclv_call *c, const hcl_value *const *args, size_t n)
{
	struct stat st;
	const char *full = path_clean(c->a, resolve(c, args[0]->u.str.ptr));
	if (stat(full, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return &hcl_false;
		return hclv_call_error(c, "failed to stat %s", quoted(c, full));
	}
	if (S_ISREG(st.st_mode))
		return &hcl_true;
	const char *what = S_ISDIR(st.st_mode) ? "is a directory, not a file"
	                   : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
	                           ? "is a device node, not a regular file"
	                   : S_ISFIFO(st.st_mode) ? "is a named pipe, not a regular file"
	                   : S_ISSOCK(st.st_mode) ? "is a unix domain socket, not a regular file"
	                                          : "is not a regular file";
	return hclv_arg_error(c, 0, "%s %s", quoted(c, full), what);
}

static const hcl_value *fn_pathexpand(hclv_call *c, const hcl_value *const *args, size_t n)
{
	return hclv_cstr(c, expand_home(c, args[0]->u.str.ptr));
}

static const hcl_value *fn_abspath(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *p = args[0]->u.str.ptr;
	if (p[0] != '/') {
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd)))
			return hclv_call_error(c, "the working directory is not accessible");
		p = gf_arena_printf(c->a, "%s/%s", cwd, p);
	}
	return hclv_cstr(c, path_clean(c->a, p));
}

static const hcl_value *fn_basename(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *p = args[0]->u.str.ptr;
	size_t len = strlen(p);
	if (len == 0)
		return hclv_cstr(c, ".");
	while (len > 0 && p[len - 1] == '/')
		len--;
	if (len == 0)
		return hclv_cstr(c, "/");
	size_t start = len;
	while (start > 0 && p[start - 1] != '/')
		start--;
	return hclv_str(c, p + start, len - start);
}

static const hcl_value *fn_dirname(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *p = args[0]->u.str.ptr;
	const char *slash = strrchr(p, '/');
	if (!slash)
		return hclv_cstr(c, ".");
	char *dir = gf_arena_strndup(c->a, p, (size_t)(slash - p) + 1);
	return hclv_cstr(c, path_clean(c->a, dir));
}

/* ---- fileset: doublestar globs ----------------------------------------- */

static bool glob_match(const char *p, const char *s, int depth);

/* `{a,b}` at p: tries each alternative followed by the rest. */
static bool glob_alternatives(const char *p, const char *s, int depth)
{
	const char *end = p + 1;
	int level = 1;
	while (*end && level) {
		if (*end == '{')
			level++;
		else if (*end == '}')
			level--;
		if (level)
			end++;
	}
	if (!*end)
		return *s == '{' && glob_match(p + 1, s + 1, depth + 1);
	const char *rest = end + 1;
	const char *alt = p + 1;
	while (alt <= end) {
		const char *comma = alt;
		int l = 0;
		while (comma < end && !(l == 0 && *comma == ',')) {
			if (*comma == '{')
				l++;
			else if (*comma == '}')
				l--;
			comma++;
		}
		size_t al = (size_t)(comma - alt), rl = strlen(rest);
		char *pat = gf_xmalloc(al + rl + 1);
		memcpy(pat, alt, al);
		memcpy(pat + al, rest, rl + 1);
		bool m = glob_match(pat, s, depth + 1);
		free(pat);
		if (m)
			return true;
		alt = comma + 1;
	}
	return false;
}

static bool glob_class(const char **pp, char ch)
{
	const char *p = *pp + 1;
	bool neg = *p == '^' || *p == '!';
	if (neg)
		p++;
	bool hit = false;
	bool first = true;
	while (*p && (*p != ']' || first)) {
		char lo = *p, hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 3;
		} else {
			p++;
		}
		if (ch >= lo && ch <= hi)
			hit = true;
		first = false;
	}
	*pp = *p ? p + 1 : p;
	return hit != neg;
}

static bool glob_match(const char *p, const char *s, int depth)
{
	if (depth > 64)
		return false;
	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			const char *rest = p + 2;
			if (*rest == '/')
				rest++;
			else if (*rest == 0)
				return true;
			for (const char *t = s;; t++) {
				if ((t == s || t[-1] == '/') && glob_match(rest, t, depth + 1))
					return true;
				if (!*t)
					return false;
			}
		}
		switch (*p) {
		case '*':
			for (const char *t = s;; t++) {
				if (glob_match(p + 1, t, depth + 1))
					return true;
				if (!*t || *t == '/')
					return false;
			}
		case '?':
			if (!*s || *s == '/')
				return false;
			p++;
			s++;
			break;
		case '[':
			if (!*s || *s == '/' || !glob_class(&p, *s))
				return false;
			s++;
			break;
		case '{':
			return glob_alternatives(p, s, depth);
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return false;
			p++;
			s++;
		}
	}
	return *s == 0;
}

typedef GF_VEC(char *) name_vec;

static void walk(const char *root, const char *rel, name_vec *out, int depth)
{
	if (depth > FILESET_DEPTH || out->len >= FILESET_MAX)
		return;
	char *dir = rel[0] ? gf_path_join(root, rel) : gf_xstrdup(root);
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) && out->len < FILESET_MAX) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *r = rel[0] ? gf_xasprintf("%s/%s", rel, e->d_name) : gf_xstrdup(e->d_name);
		char *full = gf_path_join(root, r);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
			walk(root, r, out, depth + 1);
		else if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			gf_vec_push(out, gf_xstrdup(r));
		free(full);
		free(r);
	}
	closedir(d);
	free(dir);
}

static const hcl_value *fn_fileset(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const char *root = resolve(c, args[0]->u.str.ptr);
	const char *pattern = args[1]->u.str.ptr;
	if (pattern[0] == '/')
		return hclv_arg_error(c, 1, "the pattern must be relative to the path");
	name_vec files = {0};
	walk(root, "", &files, 0);
	const hcl_value **items = gf_arena_alloc(c->a, (files.len + 1) * sizeof(*items));
	size_t k = 0;
	const char *pat = path_clean(c->a, pattern);
	for (size_t i = 0; i < files.len; i++) {
		if (glob_match(pat, files.items[i], 0))
			items[k++] = hclv_cstr(c, files.items[i]);
		free(files.items[i]);
	}
	gf_vec_dispose(&files);
	return hcl_set(c->a, &hcl_type_string, items, k);
}

/* HCL's identifiers: a letter or underscore, then letters, digits,
 * underscores and dashes; bytes beyond ASCII count as letters. */
static bool is_identifier(const char *s)
{
	unsigned char ch = (unsigned char)*s;
	if (!(ch == '_' || ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
		return false;
	for (s++; *s; s++) {
		ch = (unsigned char)*s;
		if (!(ch == '_' || ch == '-' || ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return false;
	}
	return true;
}

static const hcl_value *render(hclv_call *c, const char *path, const char *text,
                               const hcl_value *vars)
{
	const char *why = NULL;
	const hcl_value *r = c->env->render_template(c->env->payload, path, text, vars, &why);
	if (!r)
		hclv_call_error(c, "%s", why ? why : "the template could not be rendered");
	return r;
}

/* templatefile(path, vars) and templatestring(template, vars). */
static const hcl_value *fn_templatefile(hclv_call *c, const hcl_value *const *args, size_t n)
{
	const hcl_value *vars = args[1];
	if (vars->kind != HCL_VAL_MAP && vars->kind != HCL_VAL_OBJECT)
		return hclv_arg_error(c, 1, "invalid vars value: must be a map");
	/* a template can only refer to names that are identifiers */
	for (size_t i = 0; i < vars->u.coll.len; i++) {
		const char *k = vars->u.coll.keys[i];
		if (!is_identifier(k))
			return hclv_arg_error(
			        c, 1,
			        "invalid template variable name %s: must start with a "
			        "letter, followed by zero or more letters, digits, and "
			        "underscores",
			        quoted(c, k));
	}
	if (!c->env->render_template)
		return hclv_call_error(c, "templates cannot be rendered in this context");
	if (c->fn->name[8] == 's') /* templatestring: the template is the argument */
		return render(c, "<templatestring>", args[0]->u.str.ptr, vars);
	gf_buf b = GF_BUF_INIT;
	const hcl_value *r = NULL;
	if (hclv_read_file(c, 0, args[0]->u.str.ptr, &b)) {
		if (!hclv_utf8_valid(gf_buf_cstr(&b), b.len)) {
			hclv_arg_error(c, 0, "contents of \"%s\" are not valid UTF-8",
			               args[0]->u.str.ptr);
		} else {
			r = render(c, resolve(c, args[0]->u.str.ptr), gf_buf_cstr(&b), vars);
		}
	}
	gf_buf_dispose(&b);
	return r;
}

#define STR(nm)                         \
	{                               \
		nm, &hcl_type_string, 0 \
	}

const hclv_func hclv_funcs_file[] = {
        HCLV_FUNC("abspath", fn_abspath, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("basename", fn_basename, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("dirname", fn_dirname, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("file", fn_file, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("filebase64", fn_filebase64, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("fileexists", fn_fileexists, &hcl_type_bool, NULL, STR("path")),
        HCLV_FUNC("fileset", fn_fileset, &hcl_type_dynamic, NULL, STR("path"), STR("pattern")),
        HCLV_FUNC("pathexpand", fn_pathexpand, &hcl_type_string, NULL, STR("path")),
        HCLV_FUNC("templatefile", fn_templatefile, &hcl_type_dynamic, NULL, STR("path"),
                  {"vars", &hcl_type_dynamic, HCLV_ALLOW_PARTIAL}),
        HCLV_FUNC("templatestring", fn_templatefile, &hcl_type_dynamic, NULL, STR("template"),
                  {"vars", &hcl_type_dynamic, HCLV_ALLOW_PARTIAL}),
};
const size_t hclv_nfuncs_file = GF_ARRAY_LEN(hclv_funcs_file);
