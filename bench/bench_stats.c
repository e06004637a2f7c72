/* bench_stats.c — parley-bench's measurements: a log-linear latency histogram and the server's
 * memory and CPU time read from /proc. */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void hist_reset(hist *h)
{
    memset(h, 0, sizeof *h);
}

/* Values below HIST_SUB microseconds get a bucket each; above, each power of two is cut into
 * HIST_SUB equal parts, so a bucket is at most 1/32 (3 %) of its value wide. */
static size_t hist_index(uint64_t us)
{
    unsigned pow = 0;
    uint64_t v = us;

    if (us < HIST_SUB)
        return (size_t)us;
    while (v >= 2 * HIST_SUB) {
        v >>= 1;
        pow++;
    }
    if (pow + 1 >= HIST_POW)
        return HIST_POW * HIST_SUB - 1;
    return (size_t)(pow + 1) * HIST_SUB + (size_t)(v - HIST_SUB);
}

/* The upper edge of a bucket, in microseconds: what a quantile inside it reports. */
static uint64_t hist_value(size_t idx)
{
    size_t pow = idx / HIST_SUB, sub = idx % HIST_SUB;
    if (pow == 0)
        return (uint64_t)sub;
    return ((uint64_t)(HIST_SUB + sub + 1) << (pow - 1)) - 1;
}

void hist_add(hist *h, uint64_t us)
{
    h->b[hist_index(us)]++;
    h->n++;
    if (us > h->max_us)
        h->max_us = us;
}

uint64_t hist_quantile(const hist *h, double q)
{
    uint64_t want, seen = 0;
    size_t i;

    if (h->n == 0)
        return 0;
    want = (uint64_t)(q * (double)h->n);
    if (want >= h->n)
        want = h->n - 1;
    for (i = 0; i < HIST_POW * HIST_SUB; i++) {
        seen += h->b[i];
        if (seen > want) {
            uint64_t v = hist_value(i);
            return v < h->max_us ? v : h->max_us;
        }
    }
    return h->max_us;
}

/* "VmRSS:     1234 kB" -> 1234 */
static uint64_t status_kb(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    unsigned long long v = 0;
    if (!p || sscanf(p + strlen(key), " %llu", &v) != 1)
        return 0;
    return v;
}

proc_sample proc_read(pid_t pid)
{
    proc_sample s;
    char path[64], text[4096];
    FILE *f;
    size_t n;

    memset(&s, 0, sizeof s);
    if (pid <= 0)
        return s;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return s;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    s.rss_kb = status_kb(text, "VmRSS:");
    s.hwm_kb = status_kb(text, "VmHWM:");

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (!(f = fopen(path, "r")))
        return s;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    {
        /* The command name may hold spaces and parentheses: fields start after the last ')'.
         * utime and stime are fields 14 and 15, i.e. the 12th and 13th after the state. */
        const char *p = strrchr(text, ')');
        unsigned long long ut = 0, st = 0;
        long tck = sysconf(_SC_CLK_TCK);
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                        &st) == 2 && tck > 0) {
            s.cpu_s = (double)(ut + st) / (double)tck;
            s.ok = 1;
        }
    }
    return s;
}

int cpu_busy_read(int cpu, cpu_times *t)
{
    char line[256], want[16];
    FILE *f = fopen("/proc/stat", "r");
    int found = 0;

    memset(t, 0, sizeof *t);
    if (!f)
        return -1;
    snprintf(want, sizeof want, "cpu%d ", cpu);
    while (fgets(line, sizeof line, f)) {
        unsigned long long v[8] = {0};
        if (strncmp(line, want, strlen(want)) != 0)
            continue;
        /* user nice system idle iowait irq softirq steal: busy is all but idle and iowait, so
         * the kernel's loopback TCP work (softirq) counts where it ran. */
        if (sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) >= 7) {
            t->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
            t->total = t->busy + v[3] + v[4];
            t->task = v[0] + v[1] + v[2];
            found = 1;
        }
        break;
    }
    fclose(f);
    return found ? 0 : -1;
}

double cpu_busy_since(int cpu, const cpu_times *t0)
{
    cpu_times t1;
    if (cpu_busy_read(cpu, &t1) != 0 || t1.total <= t0->total)
        return 0;
    return (double)(t1.busy - t0->busy) / (double)(t1.total - t0->total);
}

double cpu_task_since(int cpu, const cpu_times *t0)
{
    cpu_times t1;
    if (cpu_busy_read(cpu, &t1) != 0 || t1.total <= t0->total)
        return 0;
    return (double)(t1.task - t0->task) / (double)(t1.total - t0->total);
}
