/* Resource specs: decoding API JSON into validated, normalised specs. Each
 * kind is a table of fields (the HCL attribute names of DESIGN.md); the
 * decoder is generic and every error names the field path. */
#include "cloud/cloud.h"
#include "lb/lb.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum {
	F_STRING,
	F_INT,
	F_NUMBER,
	F_OBJECT,
	F_STRINGS, /* array of strings */
	F_STRMAP,  /* object of strings */
	F_VERSION, /* "$Latest" or a version number (integer or its digits) */
} ftype;

typedef struct field {
	const char *name;
	ftype type;
	bool required;
	const char *def; /* JSON text of the default, NULL for none */
	double min, max; /* F_INT, F_NUMBER; F_STRING/F_STRINGS: length */
	const struct field *sub;
	const char *hint; /* what a valid value looks like */
} field;

#define END                                            \
	{                                              \
		NULL, 0, false, NULL, 0, 0, NULL, NULL \
	}

static const field lb_fields[] = {
        {"name", F_STRING, false, NULL, 1, 63, NULL, "a DNS label"},
        END,
};

static const field action_fields[] = {
        {"type", F_STRING, true, NULL, 1, 16, NULL, "\"forward\""},
        {"target_group_id", F_STRING, true, NULL, 1, 63, NULL, "a target group name"},
        END,
};

static const field listener_fields[] = {
        {"name", F_STRING, false, NULL, 1, 63, NULL, "a DNS label"},
        {"load_balancer_id", F_STRING, true, NULL, 1, 63, NULL, "an lb name"},
        {"port", F_INT, true, NULL, 1, 65535, NULL, "a TCP port, 1 to 65535"},
        {"address", F_STRING, false, "\"127.0.0.1\"", 1, 64, NULL, "an IP address"},
        {"allow_cidrs", F_STRINGS, false, "[]", 1, 64, NULL, "CIDRs like \"127.0.0.0/8\""},
        {"default_action", F_OBJECT, true, NULL, 0, 0, action_fields, NULL},
        END,
};

static const field health_fields[] = {
        {"path", F_STRING, false, "\"/\"", 0, 255, NULL, "a path like \"/healthz\""},
        {"interval", F_NUMBER, false, "1", 0.05, 300, NULL, "seconds, 0.05 to 300"},
        {"timeout", F_NUMBER, false, "1", 0.05, 120, NULL, "seconds, 0.05 to 120"},
        {"healthy_threshold", F_INT, false, "2", 1, 10, NULL, "1 to 10"},
        {"unhealthy_threshold", F_INT, false, "2", 1, 10, NULL, "1 to 10"},
        {"matcher", F_STRING, false, "\"200-399\"", 1, 64, NULL, "\"200\", \"200-299\""},
        END,
};

static const field tg_fields[] = {
        {"name", F_STRING, false, NULL, 1, 63, NULL, "a DNS label"},
        {"health_check", F_OBJECT, false, "{}", 0, 0, health_fields, NULL},
        {"deregistration_delay", F_NUMBER, false, "5", 0, 3600, NULL, "seconds, 0 to 3600"},
        {"algorithm", F_STRING, false, "\"round_robin\"", 1, 32, NULL,
         "\"round_robin\" or \"least_outstanding_requests\""},
        END,
};

static const field limits_fields[] = {
        {"memory_mb", F_INT, false, NULL, 16, 1 << 20, NULL, "MiB of address space"},
        {"open_files", F_INT, false, NULL, 16, 1 << 20, NULL, "16 to 1048576"},
        {"processes", F_INT, false, NULL, 1, 1 << 20, NULL, "1 to 1048576"},
        {"cpu_seconds", F_INT, false, NULL, 1, 1 << 30, NULL, "seconds of CPU time"},
        END,
};

static const field lt_fields[] = {
        {"name", F_STRING, false, NULL, 1, 63, NULL, "a DNS label"},
        {"release", F_STRING, true, NULL, 64, 64, NULL, "the sha256 of an uploaded release"},
        {"command", F_STRINGS, false, NULL, 0, 4096, NULL, "[\"program\", \"arg\", ...]"},
        {"env", F_STRMAP, false, "{}", 0, 4096, NULL, "{\"NAME\": \"value\"}"},
        {"limits", F_OBJECT, false, "{}", 0, 0, limits_fields, NULL},
        {"stop_grace_period", F_NUMBER, false, "10", 0, 600, NULL, "seconds, 0 to 600"},
        END,
};

static const field asg_fields[] = {
        {"name", F_STRING, false, NULL, 1, 63, NULL, "a DNS label"},
        {"min_size", F_INT, true, NULL, 0, 100, NULL, "0 to 100"},
        {"max_size", F_INT, true, NULL, 0, 100, NULL, "0 to 100"},
        {"desired_capacity", F_INT, false, NULL, 0, 100, NULL, "0 to 100"},
        {"launch_template", F_STRING, true, NULL, 1, 63, NULL, "a launch template name"},
        {"launch_template_version", F_VERSION, false, "\"$Latest\"", 1, 1e9, NULL,
         "\"$Latest\" or a version number"},
        {"target_group_ids", F_STRINGS, false, "[]", 1, 63, NULL, "target group names"},
        {"health_check_grace_period", F_NUMBER, false, "30", 0, 3600, NULL, "seconds, 0 to 3600"},
        {"min_healthy_percentage", F_INT, false, "100", 0, 100, NULL, "0 to 100"},
        END,
};

static const struct {
	const char *path, *name;
	const field *fields;
} kinds[CLOUD_KIND_COUNT] = {
        [CLOUD_LB] = {"lbs", "lb", lb_fields},
        [CLOUD_LISTENER] = {"listeners", "listener", listener_fields},
        [CLOUD_TARGET_GROUP] = {"target-groups", "target group", tg_fields},
        [CLOUD_LAUNCH_TEMPLATE] = {"launch-templates", "launch template", lt_fields},
        [CLOUD_ASG] = {"autoscaling-groups", "autoscaling group", asg_fields},
};

const char *cloud_kind_path(cloud_kind k)
{
	return kinds[k].path;
}

const char *cloud_kind_name(cloud_kind k)
{
	return kinds[k].name;
}

int cloud_kind_from_path(cloud_kind *out, const char *path)
{
	for (int k = 0; k < CLOUD_KIND_COUNT; k++)
		if (strcmp(kinds[k].path, path) == 0) {
			*out = (cloud_kind)k;
			return 0;
		}
	return gf_err_set(GF_ENOTFOUND, "no resource collection \"%s\"", path);
}

bool cloud_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > 63 || name[0] == '-' || name[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return false;
	return true;
}

static int bad(cloud_spec_error *err, int status, const char *path, const char *fmt, ...)
        GF_PRINTF(4, 5);
static int bad(cloud_spec_error *err, int status, const char *path, const char *fmt, ...)
{
	err->status = status;
	snprintf(err->field, sizeof(err->field), "%s", path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return GF_EINVALID;
}

static const char *type_name(ftype t)
{
	switch (t) {
	case F_STRING:
		return "a string";
	case F_INT:
		return "an integer";
	case F_NUMBER:
		return "a number";
	case F_OBJECT:
		return "an object";
	case F_STRINGS:
		return "an array of strings";
	case F_STRMAP:
		return "an object of strings";
	case F_VERSION:
		return "\"$Latest\" or a version number";
	}
	return "?";
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

static int decode_object(json_t **out, cloud_spec_error *err, const field *fields, const json_t *in,
                         const char *prefix);

/* Checks one value against its field; returns a new reference. */
static int decode_value(json_t **out, cloud_spec_error *err, const field *f, const json_t *v,
                        const char *path)
{
	bool ok = true;
	switch (f->type) {
	case F_STRING:
		ok = json_is_string(v);
		if (ok && (json_string_length(v) < f->min || json_string_length(v) > f->max ||
		           strlen(json_string_value(v)) != json_string_length(v)))
			return bad(err, 422, path, "%s must be %s (%g to %g characters)", path,
			           f->hint, f->min, f->max);
		break;
	case F_INT:
		ok = json_is_integer(v) ||
		     (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
		      fabs(json_real_value(v)) < 1e15);
		if (ok) {
			double d = json_number_value(v);
			if (d < f->min || d > f->max)
				return bad(err, 422, path, "%s is %g: it must be %s", path, d,
				           f->hint);
			*out = json_integer((json_int_t)d);
			return 0;
		}
		break;
	case F_NUMBER:
		ok = json_is_number(v);
		if (ok) {
			double d = json_number_value(v);
			if (!(d >= f->min && d <= f->max))
				return bad(err, 422, path, "%s is %g: it must be %s", path, d,
				           f->hint);
		}
		break;
	case F_VERSION:
		if (json_is_string(v) && strcmp(json_string_value(v), "$Latest") == 0)
			break;
		if (json_is_string(v)) {
			int64_t n;
			if (gf_str_to_i64(&n, json_string_value(v), 1, 1000000000) != 0)
				return bad(err, 422, path, "%s is \"%s\": it must be %s", path,
				           json_string_value(v), f->hint);
			*out = json_integer(n);
			return 0;
		}
		ok = json_is_integer(v);
		/* Versions are C ints in the daemon: 2^32 + 1 must not become 1. */
		if (ok && (json_integer_value(v) < f->min || json_integer_value(v) > f->max))
			return bad(err, 422, path, "%s is %lld: it must be %s, 1 to %.0f", path,
			           (long long)json_integer_value(v), f->hint, f->max);
		break;
	case F_OBJECT:
		if (!json_is_object(v))
			break;
		return decode_object(out, err, f->sub, v, path);
	case F_STRINGS: {
		if (!json_is_array(v) || json_array_size(v) > 256) {
			ok = false;
			break;
		}
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if (!json_is_string(x))
				return bad(err, 400, path, "%s[%zu] is %s: %s must be %s", path, i,
				           json_type_name(x), path, type_name(f->type));
			size_t n = json_string_length(x);
			if (n < f->min || n > f->max || strlen(json_string_value(x)) != n)
				return bad(err, 422, path, "%s[%zu] must be 1 to %g characters",
				           path, i, f->max);
		}
		break;
	}
	case F_STRMAP: {
		if (!json_is_object(v) || json_object_size(v) > 256) {
			ok = false;
			break;
		}
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
		{
			if (!json_is_string(x))
				return bad(err, 400, path, "%s.%s is %s: values must be strings",
				           path, k, json_type_name(x));
			if (!*k || strchr(k, '=') || json_string_length(x) > f->max ||
			    strlen(json_string_value(x)) != json_string_length(x))
				return bad(err, 422, path,
				           "%s.%s: names must be non-empty without '=', values "
				           "at most %g bytes without NUL",
				           path, k, f->max);
		}
		break;
	}
	}
	if (!ok)
		return bad(err, 400, path, "%s is %s: it must be %s (%s)", path, json_type_name(v),
		           type_name(f->type), f->hint ? f->hint : "see docs/api.md");
	*out = json_deep_copy(v);
	return 0;
}

static int decode_object(json_t **out, cloud_spec_error *err, const field *fields, const json_t *in,
                         const char *prefix)
{
	json_t *res = json_object();
	char path[128];
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		/* Read-only attributes a GET returns may come back in a PUT. */
		if (!*prefix && (strcmp(key, "status") == 0 || strcmp(key, "id") == 0 ||
		                 strcmp(key, "latest_version") == 0))
			continue;
		const field *f = fields;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (!f->name) {
			const char *names[32];
			size_t n = 0;
			for (const field *g = fields; g->name && n < 32; g++)
				names[n++] = g->name;
			const char *s = gf_str_suggest(key, names, n);
			json_decref(res);
			if (s)
				return bad(err, 400, path,
				           "unknown field \"%s\": did you mean \"%s\"?", path, s);
			gf_buf known = GF_BUF_INIT;
			for (size_t i = 0; i < n; i++)
				gf_buf_printf(&known, "%s%s", i ? ", " : "", names[i]);
			bad(err, 400, path, "unknown field \"%s\": the fields here are %s", path,
			    gf_buf_cstr(&known));
			gf_buf_dispose(&known);
			return GF_EINVALID;
		}
		json_t *val = NULL;
		if (decode_value(&val, err, f, v, path) < 0) {
			json_decref(res);
			return GF_EINVALID;
		}
		json_object_set_new(res, key, val);
	}
	for (const field *f = fields; f->name; f++) {
		if (json_object_get(res, f->name))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		if (f->required && strcmp(f->name, "name") != 0) {
			json_decref(res);
			return bad(err, 400, path, "%s is required: %s", path,
			           f->hint ? f->hint : type_name(f->type));
		}
		if (f->def) {
			json_t *d = json_loads(f->def, JSON_DECODE_ANY, NULL);
			json_t *val = NULL;
			int rc = decode_value(&val, err, f, d, path);
			json_decref(d);
			if (rc < 0) {
				json_decref(res);
				return rc;
			}
			json_object_set_new(res, f->name, val);
		}
	}
	*out = res;
	return 0;
}

static int check_tg(json_t *s, cloud_spec_error *err)
{
	json_t *hc = json_object_get(s, "health_check");
	const char *path = json_string_value(json_object_get(hc, "path"));
	if (*path && path[0] != '/')
		return bad(err, 422, "health_check.path",
		           "health_check.path \"%s\" must start with '/' (or be \"\" to turn "
		           "checks off)",
		           path);
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return bad(
			        err, 422, "health_check.path",
			        "health_check.path must not contain spaces or control characters");
	const char *m = json_string_value(json_object_get(hc, "matcher"));
	lb_matcher mt;
	if (lb_matcher_parse(&mt, m) < 0)
		return bad(err, 422, "health_check.matcher",
		           "health_check.matcher \"%s\" must be status codes like \"200\", "
		           "\"200-299\" or \"200,302\"",
		           m);
	const char *alg = json_string_value(json_object_get(s, "algorithm"));
	lb_algorithm a;
	if (lb_algorithm_parse(&a, alg) < 0)
		return bad(err, 422, "algorithm",
		           "algorithm \"%s\" is not known: use \"round_robin\" or "
		           "\"least_outstanding_requests\"",
		           alg);
	return 0;
}

static int check_asg(json_t *s, cloud_spec_error *err)
{
	json_int_t min = json_integer_value(json_object_get(s, "min_size"));
	json_int_t max = json_integer_value(json_object_get(s, "max_size"));
	json_t *d = json_object_get(s, "desired_capacity");
	if (!d) {
		d = json_integer(min);
		json_object_set_new(s, "desired_capacity", d);
	}
	json_int_t want = json_integer_value(d);
	if (min > max)
		return bad(err, 422, "min_size",
		           "min_size (%lld) is larger than max_size (%lld): raise max_size or "
		           "lower min_size",
		           (long long)min, (long long)max);
	if (want < min || want > max)
		return bad(err, 422, "desired_capacity",
		           "desired_capacity (%lld) must be between min_size (%lld) and max_size "
		           "(%lld)",
		           (long long)want, (long long)min, (long long)max);
	json_t *tgs = json_object_get(s, "target_group_ids");
	size_t i;
	json_t *x;
	json_array_foreach(tgs, i, x)
	{
		if (!cloud_name_valid(json_string_value(x)))
			return bad(err, 422, "target_group_ids",
			           "target_group_ids[%zu] \"%s\" is not a target group name (a DNS "
			           "label)",
			           i, json_string_value(x));
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(tgs, j), x))
				return bad(err, 422, "target_group_ids",
				           "target_group_ids lists \"%s\" twice",
				           json_string_value(x));
	}
	return 0;
}

static int check_lt(json_t *s, cloud_spec_error *err)
{
	if (!cloud_is_sha256(json_string_value(json_object_get(s, "release"))))
		return bad(err, 422, "release",
		           "release must be the sha256 of a release (64 lowercase hex digits), "
		           "as PUT /v1/releases/{sha256} uploads it");
	json_t *cmd = json_object_get(s, "command");
	if (cmd && json_array_size(cmd) == 0)
		return bad(err, 422, "command",
		           "command must name a program: [\"program\", \"arg\", ...], or be "
		           "left out for the built-in static server");
	if (cmd && json_string_length(json_array_get(cmd, 0)) == 0)
		return bad(err, 422, "command", "command[0] must name a program");
	return 0;
}

static int check_listener(json_t *s, cloud_spec_error *err)
{
	json_t *act = json_object_get(s, "default_action");
	if (strcmp(json_string_value(json_object_get(act, "type")), "forward") != 0)
		return bad(err, 422, "default_action.type",
		           "default_action.type must be \"forward\" (the only action so far)");
	const char *addr = json_string_value(json_object_get(s, "address"));
	for (const char *c = addr; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || *c == '.' ||
		      *c == ':'))
			return bad(err, 422, "address",
			           "address \"%s\" must be an IP address like 127.0.0.1 or ::1",
			           addr);
	return 0;
}

int cloud_spec_decode(json_t **out, cloud_spec_error *err, cloud_kind k, const char *name,
                      const json_t *body)
{
	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (!cloud_name_valid(name))
		return bad(err, 422, "name",
		           "\"%s\" is not a valid name: use a DNS label, 1 to 63 of a-z, 0-9 and "
		           "'-', not starting or ending with '-'",
		           name);
	if (!json_is_object(body))
		return bad(err, 400, "", "the body is %s: it must be a JSON object",
		           json_type_name(body));
	json_t *given = json_object_get(body, "name");
	if (given && (!json_is_string(given) || strcmp(json_string_value(given), name) != 0))
		return bad(err, 422, "name",
		           "name in the body must match the name in the path (\"%s\"), or be "
		           "left out",
		           name);
	json_t *s = NULL;
	if (decode_object(&s, err, kinds[k].fields, body, "") < 0)
		return GF_EINVALID;
	json_object_set_new(s, "name", json_string(name));
	int rc = 0;
	switch (k) {
	case CLOUD_TARGET_GROUP:
		rc = check_tg(s, err);
		break;
	case CLOUD_ASG:
		rc = check_asg(s, err);
		break;
	case CLOUD_LAUNCH_TEMPLATE:
		rc = check_lt(s, err);
		break;
	case CLOUD_LISTENER:
		rc = check_listener(s, err);
		break;
	default:
		break;
	}
	if (rc < 0) {
		json_decref(s);
		return rc;
	}
	*out = s;
	return 0;
}
