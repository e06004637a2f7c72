/* bench_main.c — parley-bench's command line and scenarios: idle capacity, fan-out with a search
 * for the highest rate that keeps p99 under a limit, latency at half that rate, slow consumers
 * and churn. Each result is one "RESULT key=value ..." line on stdout for bench/run.sh. */
#define _GNU_SOURCE

#include "bench.h"

#include <arpa/inet.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"

/* Frames on the wire besides the text, for the "owed to slow consumers" estimate: Parley's MSG
 * header, fixed fields, room and nick and GCM tag; IRC's prefix, command and channel. */
#define WIRE_OVERHEAD 64

typedef struct options {
    const char *proto;
    const char *host;
    int port;
    const char *scenario;
    const char *label;
    const char *secret;
    const char *cipher;
    pid_t pid, pid2;
    size_t conns;         /* idle */
    size_t members;       /* fanout, churn base */
    char senders[32];     /* fanout: "1,10" */
    double step_s;        /* fanout: seconds per search step */
    double half_s;        /* fanout: seconds at half the rate */
    int max_steps;
    double start_dps;     /* fanout: first rate tried, in deliveries per second */
    double rate;          /* fixed message rate (fanout without search; churn background) */
    double p99_limit_ms;
    int slow_pct;         /* fanout: then this share of members stops reading */
    double slow_s;
    double churn_rate;    /* churn: joins per second */
    double churn_s;
    double churn_life_s;
    size_t lobby;         /* churn, Parley: members held in "lobby"; churners then log in to
                           * the lobby instead of joining the measured room */
    double ramp_budget_s; /* connects and joins may take this long, then the run goes on */
    size_t window;        /* logins in flight */
    size_t join_window;
    int sources;
    int verbose;
    int strict;           /* exit 1 if anything was lost, duplicated or reordered */
    double hold_s;        /* idle: keep the connections this long after the result */
    int keep_lobby;       /* Parley: do not leave the room every login is seated in */
    double verify_share;  /* fanout: share of members whose deliveries are opened and checked */
    int text_len;         /* fixed text length (slow consumers); 0 = 64-128 bytes */
    size_t logins;        /* login: logins measured */
    const char *account;  /* login: account name prefix (accounts mode), NULL = key mode */
    const char *password; /* login: every account's password */
    int no_fs;            /* Parley: do not offer the ECDH exchange */
} options;

typedef struct step_result {
    double rate;       /* messages per second asked */
    double secs;       /* from the first send until everything arrived (or gave up) */
    uint64_t sent;
    uint64_t expected; /* deliveries owed to tracked members, senders excluded */
    uint64_t delivered;
    uint64_t echo_expected, echoes;
    uint64_t p50, p99, p999, max; /* microseconds */
    double dps;        /* deliveries per second */
    double cpu_s;      /* server CPU over the step (plus wineserver) */
    double srv_util;   /* server CPU seconds per second: near 1.0 = the server is the limit */
    double gen_util;   /* the same for parley-bench: near 1.0 = the load generator is */
    double cpu0, cpu1; /* busy share of CPU 0 (the server's) and CPU 1 (parley-bench's) */
    double foreign;    /* the larger share of either CPU used by other processes */
    int aborted;       /* fell more than a second behind: stopped sending early */
    int caught_up;
    int pass;
} step_result;

static options opt;
static bench B;
/* Seconds this run may still spend waiting for other processes to leave the CPUs alone. */
static double quiet_budget_s = 20;

static void usage(void)
{
    fprintf(stderr,
            "Usage: parley-bench --proto parley|irc --port N --scenario idle|fanout|slow|churn|login\n"
            "       [options]\n"
            "  --host ADDR        server address (127.0.0.1)\n"
            "  --label NAME       server name in RESULT lines\n"
            "  --pid PID          server process for memory and CPU figures\n"
            "  --pid2 PID         second process counted with it (wineserver)\n"
            "  --secret TEXT      Parley shared secret\n"
            "  --cipher NAME      aes-256-gcm (default) or xor\n"
            "  --conns N          idle: connections to hold\n"
            "  --members N        fanout, slow: room size; churn: stable members\n"
            "  --senders LIST     fanout: sender counts to search, e.g. 1,10\n"
            "  --step S           fanout: seconds per search step (2)\n"
            "  --half S           fanout: seconds at half the best rate (4)\n"
            "  --max-steps N      fanout: search steps per sender count (12)\n"
            "  --start-dps N      fanout: first rate tried, deliveries/s (20000)\n"
            "  --rate R           fanout: fixed messages/s instead of a search; slow: the rate;\n"
            "                     churn: background messages/s\n"
            "  --p99-limit MS     fanout: latency bound of the search (100)\n"
            "  --verify-share F   fanout: share of members (0..1) whose deliveries are opened\n"
            "                     and checked for order, duplicates and latency; the others'\n"
            "                     are counted by frame, so loss and excess still show (0.1;\n"
            "                     senders are always checked)\n"
            "  --slow-pct P       slow: share of members that stop reading (10)\n"
            "  --slow S           seconds of the slow-consumer phase (10)\n"
            "  --churn-rate R     churn: joins per second (100)\n"
            "  --churn S          churn: seconds (20)\n"
            "  --lobby N          churn, Parley: first seat N users in \"lobby\"; the churners\n"
            "                     then log in (and so join the lobby) and leave, while the\n"
            "                     measured room's traffic goes on\n"
            "  --ramp-budget S    connects and joins may take this long (60)\n"
            "  --window N         logins in flight (200); login: connection slots\n"
            "  --logins N         login: logins measured (20000), after one unmeasured login\n"
            "                     per slot\n"
            "  --account PREFIX   Parley login: log slot i in as account PREFIXi (the server\n"
            "                     has auth = accounts); the client keeps each account's\n"
            "                     SaltedPassword after its first login, as clients may\n"
            "  --password TEXT    the accounts' password\n"
            "  --no-fs            Parley: do not offer the ECDH key exchange\n"
            "  --sources N        loopback source addresses 127.0.0.10.. (16)\n"
            "  --strict           exit 1 if anything is lost, duplicated or reordered\n"
            "  --keep-lobby       Parley: stay in \"lobby\" after login (default: leave it)\n"
            "  --hold S           idle: keep the connections S seconds after the result\n"
            "  --text-len N       every text N bytes (32..400) instead of 64-128\n"
            "  --quiet-budget S   seconds this run may wait for other processes to calm down (20)\n"
            "  --verbose\n");
}

static int parse_options(int argc, char **argv)
{
    int i;

    memset(&opt, 0, sizeof opt);
    opt.proto = "parley";
    opt.host = "127.0.0.1";
    opt.label = "server";
    opt.secret = "parley-bench secret";
    opt.cipher = "aes-256-gcm";
    opt.conns = 1000;
    opt.members = 100;
    snprintf(opt.senders, sizeof opt.senders, "1");
    opt.step_s = 2;
    opt.half_s = 4;
    opt.max_steps = 12;
    opt.start_dps = 20000;
    opt.p99_limit_ms = 100;
    opt.verify_share = 0.10;
    opt.slow_s = 10;
    opt.slow_pct = 10;
    opt.churn_rate = 100;
    opt.churn_s = 20;
    opt.churn_life_s = 1;
    opt.ramp_budget_s = 60;
    opt.window = 200;
    opt.join_window = 50;
    opt.sources = 16;
    opt.logins = 20000;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--verbose") == 0) {
            opt.verbose = 1;
            continue;
        }
        if (strcmp(a, "--strict") == 0) {
            opt.strict = 1;
            continue;
        }
        if (strcmp(a, "--keep-lobby") == 0) {
            opt.keep_lobby = 1;
            continue;
        }
        if (strcmp(a, "--no-fs") == 0) {
            opt.no_fs = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0) {
            usage();
            exit(0);
        }
        if (!v) {
            fprintf(stderr, "parley-bench: %s needs a value\n", a);
            return -1;
        }
        i++;
        if (strcmp(a, "--proto") == 0)
            opt.proto = v;
        else if (strcmp(a, "--host") == 0)
            opt.host = v;
        else if (strcmp(a, "--port") == 0)
            opt.port = atoi(v);
        else if (strcmp(a, "--scenario") == 0)
            opt.scenario = v;
        else if (strcmp(a, "--label") == 0)
            opt.label = v;
        else if (strcmp(a, "--secret") == 0)
            opt.secret = v;
        else if (strcmp(a, "--cipher") == 0)
            opt.cipher = v;
        else if (strcmp(a, "--pid") == 0)
            opt.pid = (pid_t)atoi(v);
        else if (strcmp(a, "--pid2") == 0)
            opt.pid2 = (pid_t)atoi(v);
        else if (strcmp(a, "--conns") == 0)
            opt.conns = (size_t)atol(v);
        else if (strcmp(a, "--members") == 0)
            opt.members = (size_t)atol(v);
        else if (strcmp(a, "--senders") == 0)
            snprintf(opt.senders, sizeof opt.senders, "%s", v);
        else if (strcmp(a, "--step") == 0)
            opt.step_s = atof(v);
        else if (strcmp(a, "--half") == 0)
            opt.half_s = atof(v);
        else if (strcmp(a, "--max-steps") == 0)
            opt.max_steps = atoi(v);
        else if (strcmp(a, "--start-dps") == 0)
            opt.start_dps = atof(v);
        else if (strcmp(a, "--rate") == 0)
            opt.rate = atof(v);
        else if (strcmp(a, "--p99-limit") == 0)
            opt.p99_limit_ms = atof(v);
        else if (strcmp(a, "--verify-share") == 0)
            opt.verify_share = atof(v);
        else if (strcmp(a, "--slow-pct") == 0)
            opt.slow_pct = atoi(v);
        else if (strcmp(a, "--slow") == 0)
            opt.slow_s = atof(v);
        else if (strcmp(a, "--churn-rate") == 0)
            opt.churn_rate = atof(v);
        else if (strcmp(a, "--churn") == 0)
            opt.churn_s = atof(v);
        else if (strcmp(a, "--lobby") == 0)
            opt.lobby = (size_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--ramp-budget") == 0)
            opt.ramp_budget_s = atof(v);
        else if (strcmp(a, "--window") == 0)
            opt.window = (size_t)atol(v);
        else if (strcmp(a, "--quiet-budget") == 0)
            quiet_budget_s = atof(v);
        else if (strcmp(a, "--text-len") == 0)
            opt.text_len = atoi(v);
        else if (strcmp(a, "--hold") == 0)
            opt.hold_s = atof(v);
        else if (strcmp(a, "--sources") == 0)
            opt.sources = atoi(v);
        else if (strcmp(a, "--logins") == 0)
            opt.logins = (size_t)atol(v);
        else if (strcmp(a, "--account") == 0)
            opt.account = v;
        else if (strcmp(a, "--password") == 0)
            opt.password = v;
        else {
            fprintf(stderr, "parley-bench: unknown option %s (see --help)\n", a);
            return -1;
        }
    }
    if (!opt.scenario || opt.port <= 0 || opt.port > 65535 || opt.sources < 1 ||
        opt.sources > 200 || opt.window < 1 || opt.members < 1 || opt.step_s <= 0 ||
        opt.max_steps < 1 || opt.max_steps > 40 || opt.slow_pct < 0 || opt.slow_pct > 90 ||
        !(opt.verify_share >= 0 && opt.verify_share <= 1) ||
        (opt.text_len && (opt.text_len < 32 || opt.text_len > BENCH_TEXT_LIMIT)) ||
        (opt.account && !opt.password) || opt.logins < 1 ||
        (opt.lobby && strcmp(opt.proto, "parley") != 0)) {
        usage();
        return -1;
    }
    return 0;
}

/* The room name carries the run tag so that runs against one server never share a room. */
static void set_room(const char *what)
{
    snprintf(B.room, sizeof B.room, "%s%s", B.tag, what);
}

static double secs_since(uint64_t t0)
{
    return (double)(B.now_us - t0) / 1e6;
}

static uint64_t deadline_in(double s)
{
    return B.now_us + (uint64_t)(s * 1e6);
}

static double server_cpu(void)
{
    return proc_read(opt.pid).cpu_s + proc_read(opt.pid2).cpu_s;
}

static uint64_t server_rss_kb(void)
{
    return proc_read(opt.pid).rss_kb + proc_read(opt.pid2).rss_kb;
}

static double self_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

/* Prints one result line: "RESULT server=... scenario=... " then the caller's pairs. */
static void result(const char *scenario, const char *fmt, ...) PARLEY_PRINTF(2, 3);

static void result(const char *scenario, const char *fmt, ...)
{
    va_list ap;
    printf("RESULT server=%s scenario=%s ", opt.label, scenario);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" lost_conns=%zu server_cut=%zu login_failures=%zu retries=%zu error=\"%s\"\n",
           B.n_lost_conns, B.n_server_cut, B.n_failed, B.n_retries, B.first_error);
    fflush(stdout);
}

/* Tracked members in the room that receive a message from sender sid. */
static uint64_t recipients(uint32_t sid)
{
    uint64_t n = 0;
    size_t i;
    for (i = 0; i < B.nconns; i++)
        if (B.conns[i].in_room && B.conns[i].tracked && i != sid)
            n++;
    return n;
}

/* Sends `rate` messages per second for `secs` seconds, spread over senders 0..k-1 (members with
 * those ids), then waits for every tracked delivery. */
static step_result run_step(uint32_t k, double rate, double secs)
{
    step_result r;
    uint64_t d0 = B.deliveries, e0 = B.echoes, sent = 0, per_msg, t0, t_end, behind_max;
    uint64_t echo_per_msg = B.proto == BP_PARLEY ? 1 : 0, lost0 = B.n_lost_tracked;
    uint64_t dup0 = B.dups + B.reorders;
    uint32_t sid;
    double cpu0 = server_cpu(), gen0 = self_cpu();
    cpu_times c0, c1;

    cpu_busy_read(0, &c0);
    cpu_busy_read(1, &c1);

    memset(&r, 0, sizeof r);
    r.rate = rate;
    per_msg = recipients(0);
    if (k > 1) {
        /* With several senders, each message reaches the tracked members but its sender. */
        uint64_t total = 0;
        for (sid = 0; sid < k; sid++)
            total += recipients(sid);
        per_msg = total / k;
    }
    hist_reset(&B.lat);
    B.now_us = bench_now_us();
    t0 = B.now_us;
    t_end = t0 + (uint64_t)(secs * 1e6);
    /* More than a second's worth of deliveries outstanding: p99 is far past any limit, and
     * going on would only pile up queues that the next step must wait for. */
    behind_max = (uint64_t)(rate * (double)per_msg) + 1000;
    while (B.now_us < t_end) {
        uint64_t due = (uint64_t)((double)(B.now_us - t0) / 1e6 * rate) + 1;
        unsigned burst = 0;
        while (sent < due && burst < 2000) {
            sid = (uint32_t)(sent % k);
            if (bench_say(&B, sid, sid) != 0)
                break;
            sent++;
            burst++;
        }
        bench_poll(&B, 1);
        if (B.n_lost_tracked != lost0)
            break;
        if (sent * per_msg - (B.deliveries - d0) > behind_max && B.now_us - t0 > 500000) {
            r.aborted = 1;
            break;
        }
    }
    r.sent = sent;
    r.expected = sent * per_msg;
    r.echo_expected = sent * echo_per_msg;
    /* Drain: a passing rate has almost nothing in flight; an overloaded one gets a bounded
     * wait so the next step starts clean. */
    {
        uint64_t drain_end = B.now_us + 10000000u;
        while (B.now_us < drain_end &&
               (B.deliveries - d0 < r.expected || B.echoes - e0 < r.echo_expected) &&
               B.n_lost_tracked == lost0)
            bench_poll(&B, 5);
    }
    r.delivered = B.deliveries - d0;
    r.echoes = B.echoes - e0;
    r.caught_up = r.delivered >= r.expected && r.echoes >= r.echo_expected;
    r.secs = secs_since(t0);
    r.dps = r.secs > 0 ? (double)r.delivered / r.secs : 0;
    r.p50 = hist_quantile(&B.lat, 0.50);
    r.p99 = hist_quantile(&B.lat, 0.99);
    r.p999 = hist_quantile(&B.lat, 0.999);
    r.max = B.lat.max_us;
    r.cpu_s = server_cpu() - cpu0;
    r.srv_util = r.secs > 0 ? r.cpu_s / r.secs : 0;
    r.gen_util = r.secs > 0 ? (self_cpu() - gen0) / r.secs : 0;
    r.cpu0 = cpu_busy_since(0, &c0);
    r.cpu1 = cpu_busy_since(1, &c1);
    {
        /* Time the CPUs spent in processes that are neither the server nor parley-bench:
         * this machine may be shared, and such a step does not measure the server alone. */
        double f0 = cpu_task_since(0, &c0) - r.srv_util, f1 = cpu_task_since(1, &c1) - r.gen_util;
        r.foreign = f0 > f1 ? f0 : f1;
        if (r.foreign < 0)
            r.foreign = 0;
    }
    r.pass = !r.aborted && r.caught_up && B.n_lost_tracked == lost0 &&
             B.dups + B.reorders == dup0 && ms(r.p99) < opt.p99_limit_ms &&
             (double)sent >= 0.95 * rate * secs;
    if (opt.verbose)
        fprintf(stderr,
                "  step k=%u rate=%.0f msg/s: sent %llu, %llu/%llu delivered, %.0f/s, p50 %.2f "
                "p99 %.2f ms, cpu server %.2f gen %.2f, busy cpu0 %.2f cpu1 %.2f, others %.2f%s%s "
                "-> %s\n",
                (unsigned)k, rate, (unsigned long long)sent, (unsigned long long)r.delivered,
                (unsigned long long)r.expected, r.dps, ms(r.p50), ms(r.p99), r.srv_util,
                r.gen_util, r.cpu0, r.cpu1, r.foreign, r.aborted ? " (fell behind)" : "", r.caught_up ? "" : " (not all arrived)",
                r.pass ? "pass" : "fail");
    return r;
}

/* Steps retried because other processes took over 15 % of a CPU during them. */
static unsigned disturbed_retries;

/* Keeps the connections serviced while waiting, up to max_s, for half a second in which both
 * CPUs are less than 15 % busy (the server and parley-bench being idle meanwhile). */
static void wait_quiet(double max_s)
{
    uint64_t end = deadline_in(max_s > quiet_budget_s ? quiet_budget_s : max_s);
    uint64_t t0 = B.now_us;

    while (B.now_us < end) {
        cpu_times c0, c1;
        uint64_t window;
        cpu_busy_read(0, &c0);
        cpu_busy_read(1, &c1);
        window = deadline_in(0.5);
        while (B.now_us < window)
            bench_poll(&B, 20);
        if (cpu_busy_since(0, &c0) < 0.15 && cpu_busy_since(1, &c1) < 0.15)
            break;
    }
    quiet_budget_s -= (double)(B.now_us - t0) / 1e6;
}

/* run_step; if other processes took over 15 % of a CPU during a failing step, it is repeated
 * (at most twice) once the machine is quiet again. */
static step_result run_step_clean(uint32_t k, double rate, double secs)
{
    step_result r = run_step(k, rate, secs);
    int tries = 0;
    while (!r.pass && r.foreign > 0.15 && r.caught_up && tries < 2) {
        disturbed_retries++;
        tries++;
        wait_quiet(30);
        r = run_step(k, rate, secs);
    }
    return r;
}

/* What member i still lacks from senders 0..k-1 (a verified member: per sender; a counted one:
 * in total), and *excess what it got beyond that (a counted member's duplicates). */
static uint64_t member_owed(size_t i, uint32_t k, uint64_t *excess)
{
    const bconn *c = &B.conns[i];
    uint64_t owed = 0, due = 0, maybe = 0;
    uint32_t sid;

    *excess = 0;
    if (!c->tracked || !c->in_room)
        return 0;
    for (sid = 0; sid < k && sid < B.nconns; sid++) {
        const track *t = &B.tracks[i * BENCH_MAX_SENDERS + sid];
        if (B.proto == BP_IRC && sid == i)
            continue; /* IRC does not echo */
        /* A sender the server cut took its unsent and unread messages with it: those are
         * not lost by the server to its members (the cut itself is reported). A counted
         * member may still have had any number of them, up to all it sent. */
        if (!B.conns[sid].in_room) {
            if (!c->verified && sid != i)
                maybe += B.sent[sid];
            continue;
        }
        if (!c->verified)
            due += sid == i ? 0 : B.sent[sid]; /* senders are verified: no echo here */
        else if (t->got < B.sent[sid])
            owed += B.sent[sid] - t->got;
    }
    if (!c->verified) {
        owed = c->counted < due ? due - c->counted : 0;
        *excess = c->counted > due + maybe ? c->counted - due - maybe : 0;
    }
    return owed;
}

/* Messages lost so far: what tracked members should have from each sender, minus what came;
 * *excess: lines counted members got beyond what was sent to them. */
static uint64_t count_lost(uint32_t k, uint64_t *excess)
{
    uint64_t lost = 0, ex;
    size_t i;
    *excess = 0;
    for (i = 0; i < B.nconns; i++) {
        lost += member_owed(i, k, &ex);
        *excess += ex;
    }
    return lost;
}

/* Waits until every delivery owed so far has arrived; 0 if that takes over `secs`. */
static int drain_backlog(double secs)
{
    uint64_t end = deadline_in(secs), excess;
    while (B.now_us < end) {
        if (count_lost(BENCH_MAX_SENDERS, &excess) == 0)
            return 1;
        bench_poll(&B, 20);
    }
    return 0;
}

static double cpu_per_million(const step_result *r)
{
    return r->delivered ? r->cpu_s / ((double)r->delivered / 1e6) : 0;
}

/* ------------------------------------------------------------------ scenarios */

static int scenario_idle(void)
{
    proc_sample s0 = proc_read(opt.pid), w0 = proc_read(opt.pid2), s1, w1;
    uint64_t t0;
    size_t ok;
    double ramp;

    if (bench_init(&B, opt.conns) != 0)
        return -1;
    B.now_us = bench_now_us();
    t0 = B.now_us;
    ok = bench_connect_many(&B, 0, opt.conns, opt.window, deadline_in(opt.ramp_budget_s));
    ramp = secs_since(t0);
    /* Let login traffic settle and the server's idle upkeep run: Parley rests an idle
     * session's keys after four 250 ms ticks (up to 1.25 s after its last frame), so 3 s
     * without a byte is idle for every server here; 1.5 s left that to chance. */
    bench_quiesce(&B, 3000, deadline_in(12));
    s1 = proc_read(opt.pid);
    w1 = proc_read(opt.pid2);
    result("idle",
           "conns=%zu connected=%zu ramp_s=%.2f ramp_per_s=%.0f rss_base_kb=%llu rss_kb=%llu "
           "hwm_kb=%llu bytes_per_conn=%.0f wine_rss_base_kb=%llu wine_rss_kb=%llu "
           "wine_bytes_per_conn=%.0f still_connected=%zu",
           opt.conns, ok, ramp, ramp > 0 ? (double)ok / ramp : 0,
           (unsigned long long)s0.rss_kb, (unsigned long long)s1.rss_kb,
           (unsigned long long)s1.hwm_kb,
           ok ? ((double)s1.rss_kb - (double)s0.rss_kb) * 1024.0 / (double)ok : 0,
           (unsigned long long)w0.rss_kb, (unsigned long long)w1.rss_kb,
           ok ? ((double)w1.rss_kb - (double)w0.rss_kb) * 1024.0 / (double)ok : 0, B.n_ready);
    if (opt.hold_s > 0) {
        /* For looking at the server from outside (heap statistics, ss) while it is loaded. */
        uint64_t end = deadline_in(opt.hold_s);
        while (B.now_us < end)
            bench_poll(&B, 50);
    }
    return B.n_ready == opt.conns ? 0 : 1;
}

/* Login rate: slots log in, are welcomed, say goodbye and log in again. One unmeasured round
 * first, so the measured logins find every cache warm (parley-bench's PBKDF2 master in key
 * mode, each account's SaltedPassword with accounts: what a reconnecting client holds). */
static int scenario_login(void)
{
    size_t slots = opt.window, warm, done;
    double cpu0, gen0, secs;
    uint64_t t0;

    if (bench_init(&B, slots) != 0)
        return -1;
    if (opt.account) {
        B.account_prefix = opt.account;
        B.password = opt.password;
        if (!(B.salted = calloc(slots, sizeof *B.salted)))
            return -1;
    }
    B.now_us = bench_now_us();
    warm = bench_login_many(&B, slots, deadline_in(opt.ramp_budget_s));
    hist_reset(&B.lat);
    cpu0 = server_cpu();
    gen0 = self_cpu();
    t0 = B.now_us;
    done = warm == slots ? bench_login_many(&B, opt.logins, deadline_in(opt.ramp_budget_s)) : 0;
    secs = secs_since(t0);
    cpu0 = server_cpu() - cpu0;
    gen0 = self_cpu() - gen0;
    result("login",
           "mode=%s fs=%d slots=%zu warm=%zu logins=%zu done=%zu secs=%.2f logins_per_s=%.0f "
           "p50_ms=%.2f p99_ms=%.2f server_cpu_s=%.2f server_us_per_login=%.1f "
           "srv_util=%.2f gen_util=%.2f",
           opt.account ? "accounts" : "key", !opt.no_fs, slots, warm, opt.logins, done, secs,
           secs > 0 ? (double)done / secs : 0, ms(hist_quantile(&B.lat, 0.5)),
           ms(hist_quantile(&B.lat, 0.99)), cpu0, done ? cpu0 * 1e6 / (double)done : 0,
           secs > 0 ? cpu0 / secs : 0, secs > 0 ? gen0 / secs : 0);
    if (B.salted) {
        crypto_wipe(B.salted, slots * sizeof *B.salted);
        free(B.salted);
    }
    return done == opt.logins ? 0 : 1;
}

/* Connects `n` members and joins them to the room; prints the ramp. Returns members joined. */
static size_t fill_room(const char *scenario, size_t n)
{
    uint64_t t0 = B.now_us, t1;
    size_t ok, joined;

    ok = bench_connect_many(&B, 0, n, opt.window, deadline_in(opt.ramp_budget_s));
    t1 = B.now_us;
    joined = bench_join_many(&B, 0, n, opt.join_window, deadline_in(opt.ramp_budget_s));
    /* The join storm's member lists and join notices must be through before measuring. */
    bench_quiesce(&B, 500, deadline_in(30));
    result(scenario, "phase=ramp members=%zu connected=%zu joined=%zu connect_s=%.2f "
                     "ramp_per_s=%.0f join_s=%.2f rss_kb=%llu",
           n, ok, joined, (double)(t1 - t0) / 1e6,
           t1 > t0 ? (double)ok / ((double)(t1 - t0) / 1e6) : 0, secs_since(t1),
           (unsigned long long)server_rss_kb());
    return joined;
}

static void print_step(const char *phase, uint32_t k, size_t members, const step_result *r,
                       const char *extra)
{
    result("fanout",
           "phase=%s members=%zu senders=%u rate_msgs=%.1f sent=%llu delivered=%llu "
           "expected=%llu dps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f "
           "cpu_s_per_M=%.2f cpu0_s_per_M=%.2f srv_util=%.2f gen_util=%.2f cpu0_busy=%.2f "
           "cpu1_busy=%.2f others_cpu=%.2f pass=%d %s",
           phase, members, (unsigned)k, r->rate, (unsigned long long)r->sent,
           (unsigned long long)r->delivered, (unsigned long long)r->expected, r->dps, ms(r->p50),
           ms(r->p99), ms(r->p999), ms(r->max), cpu_per_million(r),
           r->delivered ? r->cpu0 * r->secs / ((double)r->delivered / 1e6) : 0, r->srv_util,
           r->gen_util, r->cpu0, r->cpu1, r->foreign, r->pass, extra);
}

/* Doubles the rate while steps pass, then halves the interval between the last pass and the
 * first failure until they are within 15 %. Returns the best passing step (rate 0 if none). */
static step_result search(uint32_t k, size_t members, int *broken)
{
    step_result best, r;
    double lo = 0, hi = 0, rate = opt.start_dps / (double)(members > 1 ? members - 1 : 1);
    int i, confirmed = 0;

    memset(&best, 0, sizeof best);
    *broken = 0;
    if (rate < 1)
        rate = 1;
    for (i = 0; i < opt.max_steps; i++) {
        size_t lost0 = B.n_lost_conns;
        r = run_step_clean(k, rate, opt.step_s);
        if (!r.pass && hi == 0 && !confirmed && r.caught_up && B.n_lost_conns == lost0) {
            /* The first failure is tried once more before the search turns back: one stall
             * (another process on the machine, a timer in the server) should not end it. */
            confirmed = 1;
            r = run_step(k, rate, opt.step_s);
        }
        if (r.pass) {
            lo = rate;
            best = r;
        } else {
            hi = rate;
        }
        if (B.n_lost_conns != lost0 || !r.caught_up) {
            /* A member is gone or the server still owes a backlog: later steps would not
             * measure the same thing. */
            *broken = 1;
            break;
        }
        if (hi > 0 && lo > 0 && hi / lo < 1.15)
            break;
        if (hi == 0)
            rate = rate * 2;
        else if (lo == 0)
            rate = rate / 4;
        else
            rate = (lo + hi) / 2;
        if (rate < 0.5)
            break;
    }
    return best;
}

static int scenario_fanout(void)
{
    size_t m = opt.members, joined, i, nverified = 0;
    uint32_t kmax = 0, klist[8];
    int nk = 0, rc = 0;
    char *save = NULL, *p, list[32];

    snprintf(list, sizeof list, "%s", opt.senders);
    for (p = strtok_r(list, ",", &save); p && nk < 8; p = strtok_r(NULL, ",", &save)) {
        long v = atol(p);
        if (v < 1 || v > BENCH_MAX_SENDERS || (size_t)v > m)
            continue;
        klist[nk++] = (uint32_t)v;
        if ((uint32_t)v > kmax)
            kmax = (uint32_t)v;
    }
    if (nk == 0 || bench_init(&B, m) != 0)
        return -1;
    {
        char what[24];
        snprintf(what, sizeof what, "fan%zu", m);
        set_room(what);
    }
    for (i = 0; i < m; i++) {
        /* Senders (ids below kmax) are always verified: their echo is their acknowledgement.
         * The others are spread evenly, i / share crossing a whole number. */
        B.conns[i].tracked = 1;
        B.conns[i].verified =
            i < kmax || floor((double)(i + 1) * opt.verify_share) > floor((double)i * opt.verify_share);
        nverified += B.conns[i].verified;
    }
    B.now_us = bench_now_us();
    joined = fill_room("fanout", m);
    /* Every sender is a member; each needs someone to hear it. */
    if (joined < kmax || joined < 2) {
        result("fanout", "phase=error members=%zu joined=%zu", m, joined);
        return 1;
    }
    for (i = 0; i < (size_t)nk; i++) {
        uint32_t k = klist[i];
        int broken = 0;
        step_result best, half;
        char extra[96];
        if (opt.rate > 0) {
            best = run_step_clean(k, opt.rate, opt.step_s);
        } else {
            best = search(k, joined, &broken);
        }
        snprintf(extra, sizeof extra, "joined=%zu search_broken=%d", joined, broken);
        print_step("max", k, m, &best, extra);
        if (broken && B.n_lost_conns) {
            rc = 1;
            break;
        }
        if (broken && !drain_backlog(30)) {
            /* The server still owes the overloaded step's messages: a half-rate step now
             * would measure that backlog, not the half rate. */
            result("fanout", "phase=skipped members=%zu senders=%u reason=backlog", m,
                   (unsigned)k);
            continue;
        }
        if (best.rate <= 0)
            continue;
        half = run_step_clean(k, best.rate / 2, opt.half_s);
        print_step("half", k, m, &half, "");
    }
    {
        uint64_t lost, excess;
        proc_sample s = proc_read(opt.pid), w = proc_read(opt.pid2);
        /* Whatever the server still owes gets 10 s more; what has not come by then counts as
         * undelivered (lost, or held back by the server). */
        drain_backlog(10);
        lost = count_lost(kmax, &excess);
        /* A counted member that got more lines than were sent to it got duplicates. */
        B.dups += excess;
        result("fanout",
               "phase=total members=%zu verified=%zu lost=%llu dup=%llu reordered=%llu "
               "deliveries=%llu hwm_kb=%llu wine_hwm_kb=%llu disturbed_retries=%u "
               "quiet_wait_left_s=%.0f",
               joined, nverified, (unsigned long long)lost, (unsigned long long)B.dups,
               (unsigned long long)B.reorders, (unsigned long long)B.deliveries,
               (unsigned long long)s.hwm_kb, (unsigned long long)w.hwm_kb, disturbed_retries,
               quiet_budget_s);
        if (lost || B.dups || B.reorders)
            rc = 1;
    }
    return rc;
}

/* Slow consumers: one sender at a fixed rate into a room where a share of the members (opened
 * with a small receive buffer, so the server and not the kernel must hold what they do not
 * read) stops reading. The others' latency is compared with a baseline step at the same rate,
 * and the server's memory is watched while it owes the slow members more and more. */
static int scenario_slow(void)
{
    size_t m = opt.members, nslow = m * (size_t)opt.slow_pct / 100, i, joined, cut = 0;
    double rate = opt.rate > 0 ? opt.rate : 1000;
    step_result base, slow;
    uint64_t rss0, rss1, sent0, owed_msgs;
    double frame = (B.text_len ? (double)B.text_len
                               : (BENCH_TEXT_MIN + BENCH_TEXT_MAX) / 2.0) + WIRE_OVERHEAD;
    uint64_t excess = 0;
    int rc = 0;

    if (nslow < 1 || nslow >= m || bench_init(&B, m) != 0)
        return -1;
    set_room("slow");
    for (i = 0; i < m; i++) {
        /* The slow members are the last ones (never the sender, member 0); they are not
         * tracked in either step, so both p99s cover the same members. */
        B.conns[i].tracked = i < m - nslow;
        B.conns[i].verified = B.conns[i].tracked;
        B.conns[i].small_rcvbuf = i >= m - nslow;
    }
    B.now_us = bench_now_us();
    joined = fill_room("slow", m);
    if (joined < m) {
        result("slow", "phase=error members=%zu joined=%zu", m, joined);
        return 1;
    }
    base = run_step_clean(1, rate, opt.half_s);
    rss0 = server_rss_kb();
    B.rss_peak_kb = rss0;
    sent0 = B.sent[0];
    for (i = m - nslow; i < m; i++)
        bench_stop_reading(&B, i);
    slow = run_step(1, rate, opt.slow_s);
    rss1 = server_rss_kb();
    /* A server that gave up on a slow member may have closed it gracefully: its FIN then
     * waits behind the data the member never read. Reading again shows who was cut. */
    for (i = m - nslow; i < m; i++)
        bench_resume_reading(&B, i);
    bench_quiesce(&B, 500, deadline_in(5));
    for (i = m - nslow; i < m; i++)
        cut += B.conns[i].state == CS_CLOSED;
    owed_msgs = B.sent[0] - sent0;
    result("slow",
           "members=%zu slow=%zu rate_msgs=%.1f text_len=%zu base_p99_ms=%.2f slow_p99_ms=%.2f "
           "base_p50_ms=%.2f slow_p50_ms=%.2f base_dps=%.0f slow_dps=%.0f rss_before_kb=%llu "
           "rss_peak_kb=%llu rss_after_kb=%llu owed_kb=%.0f owed_per_slow_kb=%.0f slow_cut=%zu "
           "fast_caught_up=%d others_cpu=%.2f lost=%llu",
           m, nslow, rate, B.text_len, ms(base.p99), ms(slow.p99), ms(base.p50), ms(slow.p50),
           base.dps, slow.dps, (unsigned long long)rss0, (unsigned long long)B.rss_peak_kb,
           (unsigned long long)rss1, (double)owed_msgs * (double)nslow * frame / 1024.0,
           (double)owed_msgs * frame / 1024.0, cut, slow.caught_up,
           base.foreign > slow.foreign ? base.foreign : slow.foreign,
           (unsigned long long)count_lost(1, &excess));
    if (count_lost(1, &excess) || excess || B.dups || B.reorders)
        rc = 1;
    return rc;
}

/* A stable room with a steady trickle of messages, while other users connect, join, stay a
 * moment and leave at a steady rate. With --lobby N (Parley), N users are first seated in
 * "lobby" and the churners log in there instead (every login seats its user in the lobby), so
 * the measured room shows what a busy lobby costs the rest of the server. */
static int scenario_churn(void)
{
    size_t base = opt.members, pool = (size_t)(opt.churn_rate * opt.churn_life_s * 3) + 16;
    size_t lobby_first = base + pool, lobby_ok = 0;
    size_t i, cycles = 0, started = 0, starved = 0;
    uint64_t t0, t_end, rss0, rss1, next_join, interval_us, next_msg, msg_us;
    double bg = opt.rate > 0 ? opt.rate : 20, cpu0, lobby_s = 0;
    hist join_lat;
    int rc = 0;

    if (bench_init(&B, base + pool + opt.lobby) != 0)
        return -1;
    set_room("churn");
    for (i = 0; i < base; i++) {
        B.conns[i].tracked = 1;
        B.conns[i].verified = 1;
    }
    for (i = base; i < base + pool + opt.lobby; i++)
        B.conns[i].lobby = opt.lobby > 0;
    B.now_us = bench_now_us();
    if (fill_room("churn", base) < base) {
        result("churn", "phase=error members=%zu", base);
        return 1;
    }
    if (opt.lobby) {
        uint64_t l0 = B.now_us;
        lobby_ok = bench_connect_many(&B, lobby_first, opt.lobby, opt.window,
                                      deadline_in(opt.ramp_budget_s));
        lobby_s = secs_since(l0);
        /* The lobby's member lists and counts must be through before measuring. */
        bench_quiesce(&B, 500, deadline_in(30));
        if (lobby_ok < opt.lobby) {
            result("churn", "phase=error members=%zu lobby=%zu lobby_seated=%zu", base,
                   opt.lobby, lobby_ok);
            return 1;
        }
    }
    /* Baseline after a second of the background trickle alone. */
    hist_reset(&join_lat);
    msg_us = (uint64_t)(1e6 / bg);
    next_msg = B.now_us;
    t_end = deadline_in(1.0);
    while (B.now_us < t_end) {
        if (B.now_us >= next_msg) {
            bench_say(&B, 0, 0);
            next_msg += msg_us;
        }
        bench_poll(&B, 2);
    }
    rss0 = server_rss_kb();
    B.rss_peak_kb = rss0;
    hist_reset(&B.lat);
    interval_us = (uint64_t)(1e6 / opt.churn_rate);
    cpu0 = server_cpu(); /* --pid: the server's CPU time over the churn phase alone */
    t0 = B.now_us;
    t_end = deadline_in(opt.churn_s);
    next_join = t0;
    /* Bounded by time: joins stop at t_end, and every churner still around leaves by then
     * plus a drain of its lifetime and 5 s. */
    while (B.now_us < t_end + (uint64_t)((opt.churn_life_s + 5) * 1e6)) {
        int active = 0;
        size_t slot = base;
        /* Every arrival that is due, not one per turn: a turn can take longer than the
         * interval at a thousand arrivals a second. */
        while (B.now_us < t_end && B.now_us >= next_join) {
            for (; slot < base + pool; slot++)
                if (B.conns[slot].state == CS_FREE || B.conns[slot].state == CS_CLOSED)
                    break;
            if (slot < base + pool) {
                bench_open(&B, slot);
                started++;
            } else {
                starved++; /* every slot busy: the pool is too small for the rate */
            }
            next_join += interval_us;
        }
        if (B.now_us >= next_msg) {
            bench_say(&B, 0, 0);
            next_msg += msg_us;
        }
        for (i = base; i < base + pool; i++) {
            bconn *c = &B.conns[i];
            if (c->lobby) {
                /* Logged in is seated in the lobby: that is this churner's arrival. */
                if (c->state == CS_READY && !c->t_leave_us) {
                    hist_add(&join_lat, B.now_us - c->t_open_us);
                    c->t_leave_us = B.now_us + (uint64_t)(opt.churn_life_s * 1e6);
                } else if (c->state == CS_READY && B.now_us >= c->t_leave_us) {
                    bench_quit(&B, i);
                    cycles++;
                }
            } else if (c->state == CS_READY && !c->in_room && !c->joining) {
                bench_join(&B, i);
            } else if (c->in_room && !c->t_leave_us) {
                hist_add(&join_lat, B.now_us - c->t_open_us);
                c->t_leave_us = B.now_us + (uint64_t)(opt.churn_life_s * 1e6);
            } else if (c->in_room && B.now_us >= c->t_leave_us) {
                bench_quit(&B, i);
                cycles++;
            }
            active |= c->state == CS_CONNECTING || c->state == CS_LOGIN || c->state == CS_READY;
        }
        if (B.now_us >= t_end && !active)
            break;
        bench_poll(&B, 2);
    }
    /* Let the server finish the departures and trim idle buffers, then look again. */
    bench_quiesce(&B, 2000, deadline_in(10));
    rss1 = server_rss_kb();
    {
        uint64_t excess, lost = count_lost(1, &excess);
        double secs = secs_since(t0), cpu_s = server_cpu() - cpu0;
        size_t lobby_left = 0;
        for (i = lobby_first; i < lobby_first + opt.lobby; i++)
            lobby_left += B.conns[i].state == CS_READY;
        result("churn",
               "members=%zu churn_rate=%.0f lobby=%zu lobby_fill_s=%.2f lobby_kept=%zu "
               "started=%zu starved=%zu arrivals_per_s=%.1f cycles=%zu cycles_per_s=%.1f "
               "join_p50_ms=%.2f join_p99_ms=%.2f msg_p50_ms=%.2f msg_p99_ms=%.2f "
               "msg_max_ms=%.2f rss_before_kb=%llu rss_peak_kb=%llu rss_after_kb=%llu "
               "rss_delta_kb=%lld lost=%llu dup=%llu reordered=%llu server_cpu_s=%.2f",
               base, opt.churn_rate, opt.lobby, lobby_s, lobby_left, started, starved,
               opt.churn_s > 0 ? (double)started / opt.churn_s : 0, cycles,
               secs > 0 ? (double)cycles / secs : 0, ms(hist_quantile(&join_lat, 0.5)),
               ms(hist_quantile(&join_lat, 0.99)), ms(hist_quantile(&B.lat, 0.5)),
               ms(hist_quantile(&B.lat, 0.99)), ms(B.lat.max_us), (unsigned long long)rss0,
               (unsigned long long)B.rss_peak_kb, (unsigned long long)rss1,
               (long long)rss1 - (long long)rss0, (unsigned long long)lost,
               (unsigned long long)(B.dups + excess), (unsigned long long)B.reorders, cpu_s);
        if (lost || excess || B.dups || B.reorders || lobby_left < opt.lobby)
            rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    int rc;

    if (parse_options(argc, argv) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    /* Every connection is a descriptor: take all the system allows. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    memset(&B, 0, sizeof B);
    B.epfd = -1;
    B.verbose = opt.verbose;
    B.keep_lobby = opt.keep_lobby;
    B.fs_off = opt.no_fs;
    B.nsources = opt.sources;
    B.secret = opt.secret;
    B.pid = opt.pid;
    B.pid2 = opt.pid2;
    B.text_len = (size_t)opt.text_len;
    if (strcmp(opt.proto, "parley") == 0) {
        B.proto = BP_PARLEY;
        if (crypto_init() != CRYPTO_OK) {
            fprintf(stderr, "parley-bench: the crypto provider failed to start\n");
            return 2;
        }
        if (!(B.cipher = cipher_parse(opt.cipher))) {
            fprintf(stderr, "parley-bench: unknown cipher %s\n", opt.cipher);
            return 2;
        }
    } else if (strcmp(opt.proto, "irc") == 0) {
        B.proto = BP_IRC;
    } else {
        fprintf(stderr, "parley-bench: --proto is parley or irc\n");
        return 2;
    }
    B.dst.sin_family = AF_INET;
    B.dst.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &B.dst.sin_addr) != 1) {
        fprintf(stderr, "parley-bench: --host must be a numeric IPv4 address\n");
        return 2;
    }
    {
        /* A short per-run nick prefix (letters only: IRC and Parley nicks start with one). */
        unsigned v = (unsigned)(bench_now_us() ^ ((uint64_t)getpid() << 16));
        B.tag[0] = (char)('a' + v % 26);
        B.tag[1] = (char)('a' + v / 26 % 26);
        B.tag[2] = (char)('a' + v / 676 % 26);
        B.tag[3] = '\0';
    }
    if (strcmp(opt.scenario, "idle") == 0)
        rc = scenario_idle();
    else if (strcmp(opt.scenario, "fanout") == 0)
        rc = scenario_fanout();
    else if (strcmp(opt.scenario, "slow") == 0)
        rc = scenario_slow();
    else if (strcmp(opt.scenario, "churn") == 0)
        rc = scenario_churn();
    else if (strcmp(opt.scenario, "login") == 0 && B.proto == BP_PARLEY)
        rc = scenario_login();
    else {
        usage();
        return 2;
    }
    bench_free(&B);
    if (rc < 0) {
        fprintf(stderr, "parley-bench: could not set up (out of memory or descriptors)\n");
        return 2;
    }
    return opt.strict ? rc : 0;
}
