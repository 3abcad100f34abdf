/* Lock info: Terraform's LockInfo JSON and the "Error acquiring the state
 * lock" text. */
#include "state/state.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void copy_field(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

int state_lock_info_init(state_lock_info *li, const char *operation, const char *path)
{
	memset(li, 0, sizeof(*li));
	int rc = state_uuid(li->id);
	if (rc < 0)
		return rc;
	copy_field(li->operation, sizeof(li->operation), operation);
	copy_field(li->path, sizeof(li->path), path);
	copy_field(li->version, sizeof(li->version), GF_VERSION);
	const char *user = getenv("USER");
	struct passwd *pw = user && *user ? NULL : getpwuid(getuid());
	if (pw)
		user = pw->pw_name;
	char host[128] = "localhost";
	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(li->who, sizeof(li->who), "%s@%s", user && *user ? user : "unknown", host);
	/* Go's time.Time text of a UTC time: 2006-01-02T15:04:05.999999999Z. */
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(li->created, sizeof(li->created), "%s.%09ldZ", base, ts.tv_nsec);
	return 0;
}

json_t *state_lock_info_to_json(const state_lock_info *li)
{
	json_t *o = json_object();
	json_object_set_new(o, "ID", json_string(li->id));
	json_object_set_new(o, "Operation", json_string(li->operation));
	json_object_set_new(o, "Info", json_string(li->info));
	json_object_set_new(o, "Who", json_string(li->who));
	json_object_set_new(o, "Version", json_string(li->version));
	json_object_set_new(o, "Created", json_string(li->created));
	json_object_set_new(o, "Path", json_string(li->path));
	return o;
}

static void field(char *dst, size_t n, const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);
	copy_field(dst, n, json_is_string(v) ? json_string_value(v) : "");
}

int state_lock_info_from_json(state_lock_info *out, const json_t *j)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j))
		return gf_err_set(GF_EINVALID, "lock info must be a JSON object");
	field(out->id, sizeof(out->id), j, "ID");
	field(out->operation, sizeof(out->operation), j, "Operation");
	field(out->info, sizeof(out->info), j, "Info");
	field(out->who, sizeof(out->who), j, "Who");
	field(out->version, sizeof(out->version), j, "Version");
	field(out->created, sizeof(out->created), j, "Created");
	field(out->path, sizeof(out->path), j, "Path");
	return 0;
}

int state_lock_info_parse(state_lock_info *out, const char *text, size_t len)
{
	json_error_t err;
	json_t *j = json_loadb(text, len, 0, &err);
	if (!j) {
		memset(out, 0, sizeof(*out));
		return gf_err_set(GF_EINVALID, "lock info is not JSON: %s", err.text);
	}
	int rc = state_lock_info_from_json(out, j);
	json_decref(j);
	return rc;
}

/* Created as Terraform prints it: "2026-01-02 03:04:05.123456789 +0000 UTC". */
static void created_text(char *out, size_t n, const char *created)
{
	int y, mo, d, h, mi, s;
	char frac[16] = "";
	if (sscanf(created, "%d-%d-%dT%d:%d:%d.%15[0-9]Z", &y, &mo, &d, &h, &mi, &s, frac) >= 6)
		snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d%s%s +0000 UTC", y, mo, d, h, mi, s,
		         frac[0] ? "." : "", frac);
	else
		snprintf(out, n, "%s", created);
}

int state_lock_error_format(gf_buf *out, const state_lock_info *h, const char *why)
{
	char created[96];
	created_text(created, sizeof(created), h->created);
	return gf_buf_printf(
	        out,
	        "Error acquiring the state lock\n"
	        "\n"
	        "Error message: %s\n"
	        "Lock Info:\n"
	        "  ID:        %s\n"
	        "  Path:      %s\n"
	        "  Operation: %s\n"
	        "  Who:       %s\n"
	        "  Version:   %s\n"
	        "  Created:   %s\n"
	        "  Info:      %s\n"
	        "\n"
	        "\n"
	        "gitfleet acquires a state lock to protect the state from being written\n"
	        "by multiple users at the same time. Please resolve the issue above and try\n"
	        "again. For most commands, you can disable locking with the \"-lock=false\"\n"
	        "flag, but this is not recommended.\n"
	        "\n"
	        "If you are sure that nobody holds this lock any more (the process that\n"
	        "took it died), release it with:\n"
	        "  gitfleet force-unlock %s\n",
	        why, h->id, h->path, h->operation, h->who, h->version, created, h->info, h->id);
}
