/* The standard process metrics of Prometheus clients, read from /proc
 * (metrics.h: metrics_write_process). */
#include "metrics/metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Fields 14 (utime), 15 (stime), 22 (starttime), 23 (vsize), 24 (rss) of
 * /proc/self/stat. The command name (field 2) may hold spaces and
 * parentheses: parsing starts after its last ')'. */
static bool read_stat(double *cpu, double *start_ticks, double *vsize, double *rss_pages)
{
	gf_buf b;
	gf_buf_init(&b, 1 << 16);
	bool ok = false;
	if (gf_fs_read(&b, "/proc/self/stat") == 0) {
		const char *p = strrchr(gf_buf_cstr(&b), ')');
		unsigned long long f[24] = {0};
		int field = 3; /* the one after ')' */
		char *end;
		for (p = p ? p + 1 : ""; *p && field <= 24; field++) {
			while (*p == ' ')
				p++;
			f[field - 1] = strtoull(p, &end, 10);
			p = end;
			while (*p && *p != ' ')
				p++;
		}
		if (field > 24) {
			*cpu = (double)(f[13] + f[14]);
			*start_ticks = (double)f[21];
			*vsize = (double)f[22];
			*rss_pages = (double)f[23];
			ok = true;
		}
	}
	gf_buf_dispose(&b);
	return ok;
}

static double boot_time(void)
{
	gf_buf b;
	gf_buf_init(&b, 1 << 20);
	double bt = -1;
	if (gf_fs_read(&b, "/proc/stat") == 0) {
		const char *p = strstr(gf_buf_cstr(&b), "\nbtime ");
		if (p)
			bt = strtod(p + 7, NULL);
	}
	gf_buf_dispose(&b);
	return bt;
}

static long open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1; /* the directory's own descriptor */
}

static void one(metrics_writer *w, const char *name, metrics_type type, const char *help, double v)
{
	if (metrics_family(w, name, type, help) == 0)
		metrics_sample(w, NULL, 0, v);
}

void metrics_write_process(metrics_writer *w)
{
	double cpu, start, vsize, rss;
	double ticks = (double)sysconf(_SC_CLK_TCK);
	if (ticks > 0 && read_stat(&cpu, &start, &vsize, &rss)) {
		one(w, "process_cpu_seconds_total", METRICS_COUNTER,
		    "Total user and system CPU time spent in seconds.", cpu / ticks);
		one(w, "process_resident_memory_bytes", METRICS_GAUGE,
		    "Resident memory size in bytes.", rss * (double)sysconf(_SC_PAGESIZE));
		one(w, "process_virtual_memory_bytes", METRICS_GAUGE,
		    "Virtual memory size in bytes.", vsize);
		double bt = boot_time();
		if (bt >= 0)
			one(w, "process_start_time_seconds", METRICS_GAUGE,
			    "Start time of the process since unix epoch in seconds.",
			    bt + start / ticks);
	}
	long fds = open_fds();
	if (fds >= 0)
		one(w, "process_open_fds", METRICS_GAUGE, "Number of open file descriptors.",
		    (double)fds);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		one(w, "process_max_fds", METRICS_GAUGE, "Maximum number of open file descriptors.",
		    (double)rl.rlim_cur);
}
