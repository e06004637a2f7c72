/* journal.c — append-only checksummed record file: crash recovery at open, flushed appends with
 * an fsync policy, atomic compaction. See journal.h for the format and the guarantees. */
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crc32c.h"
#include "fsys.h"

struct journal {
    char *path;            /* owned */
    FILE *f;               /* append stream, unbuffered; NULL if a reopen failed (retried) */
    fsync_policy policy;
    uint64_t interval_ms;
    uint64_t last_sync_ms; /* journal_tick's clock at the last sync (or idle tick) */
    uint64_t records;      /* valid records in the file */
    uint64_t bytes;        /* valid bytes in the file: where the next record starts */
    int dirty;             /* appended since the last sync */
    int needs_repair;      /* a failed write may have left bytes past `bytes`; cut them first */
    buf rec;               /* scratch: one encoded record (header + payload) */
};

static void set_errno_err(char *err, size_t err_size, const char *what, const char *path)
{
    int e = errno;
    if (err && err_size)
        snprintf(err, err_size, "%s '%s': %s", what, path, strerror(e ? e : EIO));
}

/* Allocates "<a><b>". NULL if out of memory. The caller frees it. */
static char *str_concat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (!s)
        return NULL;
    memcpy(s, a, na);
    memcpy(s + na, b, nb + 1);
    return s;
}

/* Opens the append stream. Unbuffered because every append is flushed at once anyway, and so
 * that after a failed write no half-record lingers in a stdio buffer to be written later. */
static int open_append(journal *j, char *err, size_t err_size)
{
    j->f = fsys_fopen(j->path, "ab");
    if (!j->f) {
        set_errno_err(err, err_size, "open journal for appending", j->path);
        return -1;
    }
    setvbuf(j->f, NULL, _IONBF, 0);
    return 0;
}

/* Copies the bytes of path from offset on into "<path>.corrupt", replacing an older copy. */
static int save_tail(const char *path, uint64_t offset, char *err, size_t err_size)
{
    char *out_path = str_concat(path, ".corrupt");
    FILE *in = NULL, *out = NULL;
    unsigned char chunk[4096];
    uint64_t skip = offset;
    int rc = -1;

    if (!out_path) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    in = fsys_fopen(path, "rb");
    if (!in) {
        set_errno_err(err, err_size, "read", path);
        goto done;
    }
    /* Skipping by reading avoids fseek's long-is-32-bit trap on Windows. */
    while (skip > 0) {
        size_t want = skip < sizeof chunk ? (size_t)skip : sizeof chunk;
        size_t got = fread(chunk, 1, want, in);
        if (got == 0) {
            set_errno_err(err, err_size, "read", path);
            goto done;
        }
        skip -= got;
    }
    out = fsys_fopen(out_path, "wb");
    if (!out) {
        set_errno_err(err, err_size, "create", out_path);
        goto done;
    }
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, in);
        if (got > 0 && fwrite(chunk, 1, got, out) != got) {
            set_errno_err(err, err_size, "write", out_path);
            goto done;
        }
        if (got < sizeof chunk)
            break;
    }
    if (ferror(in)) {
        set_errno_err(err, err_size, "read", path);
        goto done;
    }
    if (fsys_sync(out, err, err_size) != 0)
        goto done;
    rc = 0;
done:
    if (out && fclose(out) != 0 && rc == 0) {
        set_errno_err(err, err_size, "write", out_path);
        rc = -1;
    }
    if (in)
        fclose(in);
    free(out_path);
    return rc;
}

/* The scan half of journal_open. Reads records from f, stopping at the first bad one, and
 * sets *good to the offset just past the last good record. A bad record is recorded in
 * rec->reason, with *corrupt = 1 unless it was merely cut short (a torn last write).
 * Returns -1 with err filled only for real failures: read errors, callback refusal, memory. */
static int scan_records(journal *j, FILE *f, journal_scan_fn scan, void *user,
                        journal_recovery *rec, uint64_t *good, int *corrupt, char *err,
                        size_t err_size)
{
    uint8_t hdr[JOURNAL_HEADER_SIZE];

    *good = 0;
    *corrupt = 0;
    for (;;) {
        size_t got = fread(hdr, 1, sizeof hdr, f);
        uint32_t len, crc;
        uint8_t *payload;

        if (got < sizeof hdr) {
            if (ferror(f))
                goto read_error;
            if (got > 0)
                snprintf(rec->reason, sizeof rec->reason,
                         "torn record header at offset %llu", (unsigned long long)*good);
            return 0;
        }
        len = be_get32(hdr);
        crc = be_get32(hdr + 4);
        if (len > JOURNAL_RECORD_MAX) {
            snprintf(rec->reason, sizeof rec->reason,
                     "record length %lu over the limit at offset %llu", (unsigned long)len,
                     (unsigned long long)*good);
            *corrupt = 1;
            return 0;
        }
        buf_reset(&j->rec);
        payload = buf_reserve(&j->rec, len ? len : 1);
        if (!payload) {
            snprintf(err, err_size, "read journal '%s': out of memory", j->path);
            return -1;
        }
        got = fread(payload, 1, len, f);
        if (got < len) {
            if (ferror(f))
                goto read_error;
            snprintf(rec->reason, sizeof rec->reason, "torn record at offset %llu",
                     (unsigned long long)*good);
            return 0;
        }
        if (crc32c(payload, len) != crc) {
            snprintf(rec->reason, sizeof rec->reason, "CRC mismatch in record at offset %llu",
                     (unsigned long long)*good);
            *corrupt = 1;
            return 0;
        }
        if (scan && scan(user, payload, len) != 0) {
            snprintf(err, err_size, "load journal '%s': record at offset %llu was refused",
                     j->path, (unsigned long long)*good);
            return -1;
        }
        rec->records++;
        *good += JOURNAL_HEADER_SIZE + len;
    }
read_error:
    set_errno_err(err, err_size, "read journal", j->path);
    return -1;
}

journal *journal_open(const char *path, fsync_policy policy, uint64_t interval_ms,
                      journal_scan_fn scan, void *user, journal_recovery *rec_out, char *err,
                      size_t err_size)
{
    journal_recovery rec;
    journal *j;
    FILE *f;
    uint64_t good = 0;
    int64_t size;
    int corrupt = 0;

    memset(&rec, 0, sizeof rec);
    j = calloc(1, sizeof *j);
    if (!j || !(j->path = str_concat(path, ""))) {
        snprintf(err, err_size, "open journal '%s': out of memory", path);
        free(j);
        return NULL;
    }
    j->policy = policy;
    j->interval_ms = interval_ms;
    buf_init(&j->rec);

    f = fsys_fopen(path, "rb");
    if (!f && errno != ENOENT) {
        set_errno_err(err, err_size, "open journal", path);
        goto fail;
    }
    if (f) {
        int rc = scan_records(j, f, scan, user, &rec, &good, &corrupt, err, err_size);
        fclose(f);
        if (rc != 0)
            goto fail;
        size = fsys_file_size(path);
        if (size < 0) {
            set_errno_err(err, err_size, "size of journal", path);
            goto fail;
        }
        if ((uint64_t)size > good) {
            char why[128];
            rec.cut_bytes = (uint64_t)size - good;
            if (!rec.reason[0])
                snprintf(rec.reason, sizeof rec.reason, "unreadable bytes at offset %llu",
                         (unsigned long long)good);
            /* A torn last write holds nothing anyone was told was stored; corruption inside
             * the file might, so keep a copy of what is cut for the administrator. */
            if (corrupt) {
                if (save_tail(path, good, why, sizeof why) == 0) {
                    rec.saved_corrupt = 1;
                } else {
                    size_t n = strlen(rec.reason);
                    snprintf(rec.reason + n, sizeof rec.reason - n, " (not saved: %s)", why);
                }
            }
            if (fsys_truncate_path(path, good, err, err_size) != 0)
                goto fail;
        }
    }
    rec.kept_bytes = good;
    j->records = rec.records;
    j->bytes = good;
    if (open_append(j, err, err_size) != 0)
        goto fail;
    if (rec_out)
        *rec_out = rec;
    return j;
fail:
    buf_free(&j->rec);
    free(j->path);
    free(j);
    return NULL;
}

int journal_read(const char *path, journal_scan_fn scan, void *user, journal_recovery *rec_out,
                 char *err, size_t err_size)
{
    journal_recovery rec;
    journal j; /* only its path and record buffer are used by the scan */
    uint64_t good = 0;
    int corrupt = 0, rc;
    FILE *f;

    memset(&rec, 0, sizeof rec);
    memset(&j, 0, sizeof j);
    j.path = (char *)path;
    buf_init(&j.rec);
    f = fsys_fopen(path, "rb");
    if (!f) {
        if (errno != ENOENT) {
            set_errno_err(err, err_size, "open journal", path);
            return -1;
        }
        if (rec_out)
            *rec_out = rec;
        return 0;
    }
    rc = scan_records(&j, f, scan, user, &rec, &good, &corrupt, err, err_size);
    fclose(f);
    buf_free(&j.rec);
    rec.kept_bytes = good;
    if (rec_out)
        *rec_out = rec;
    return rc;
}

/* Cuts off whatever a failed write left past the last good record. */
static int repair(journal *j, char *err, size_t err_size)
{
    char why[160];

    if (fsys_truncate(j->f, j->bytes, why, sizeof why) != 0) {
        snprintf(err, err_size, "journal '%s' has a partial record after a write error and "
                 "cutting it failed: %s", j->path, why);
        return -1;
    }
    clearerr(j->f);
    j->needs_repair = 0;
    return 0;
}

int journal_append(journal *j, const void *payload, size_t n, char *err, size_t err_size)
{
    uint8_t *p;
    int e;

    if (n > JOURNAL_RECORD_MAX) {
        snprintf(err, err_size, "append to journal '%s': record of %zu bytes over the limit",
                 j->path, n);
        return -1;
    }
    if (!j->f && open_append(j, err, err_size) != 0)
        return -1;
    if (j->needs_repair && repair(j, err, err_size) != 0)
        return -1;

    buf_reset(&j->rec);
    p = buf_reserve(&j->rec, JOURNAL_HEADER_SIZE + n);
    if (!p) {
        snprintf(err, err_size, "append to journal '%s': out of memory", j->path);
        return -1;
    }
    be_put32(p, (uint32_t)n);
    be_put32(p + 4, crc32c(payload, n));
    if (n)
        memcpy(p + JOURNAL_HEADER_SIZE, payload, n);

    /* One write call for the whole record keeps a torn record to a crash mid-call. */
    errno = 0;
    if (fwrite(p, 1, JOURNAL_HEADER_SIZE + n, j->f) != JOURNAL_HEADER_SIZE + n ||
        fflush(j->f) != 0) {
        set_errno_err(err, err_size, "append to journal", j->path);
        goto undo;
    }
    if (j->policy == FSYNC_ALWAYS) {
        char why[160];
        if (fsys_sync(j->f, why, sizeof why) != 0) {
            snprintf(err, err_size, "append to journal '%s': %s", j->path, why);
            goto undo;
        }
    } else {
        j->dirty = 1;
    }
    j->records++;
    j->bytes += JOURNAL_HEADER_SIZE + n;
    return 0;

undo:
    /* Nothing that failed may stay in the file: the caller was told it is not stored, and a
     * partial record would end every later load early. Cut it now; if that fails too, the
     * next append tries again before writing. */
    e = errno;
    clearerr(j->f);
    j->needs_repair = 1;
    if (repair(j, NULL, 0) == 0)
        j->needs_repair = 0;
    errno = e;
    return -1;
}

int journal_sync(journal *j, char *err, size_t err_size)
{
    char why[160];

    if (!j->dirty)
        return 0;
    if (!j->f) {
        snprintf(err, err_size, "sync journal '%s': not open", j->path);
        return -1;
    }
    if (fsys_sync(j->f, why, sizeof why) != 0) {
        snprintf(err, err_size, "sync journal '%s': %s", j->path, why);
        return -1;
    }
    j->dirty = 0;
    return 0;
}

int journal_tick(journal *j, uint64_t now_ms, char *err, size_t err_size)
{
    if (j->policy != FSYNC_INTERVAL)
        return 0;
    if (!j->dirty) {
        /* Idle: start the interval from now, so fresh data waits at most about one interval. */
        j->last_sync_ms = now_ms;
        return 0;
    }
    if (now_ms >= j->last_sync_ms && now_ms - j->last_sync_ms < j->interval_ms)
        return 0;
    if (journal_sync(j, err, err_size) != 0)
        return -1;
    j->last_sync_ms = now_ms;
    return 0;
}

/* State for writing the compacted file. */
typedef struct rewrite_ctx {
    FILE *f;
    const char *path;
    uint64_t records;
    uint64_t bytes;
    int failed;
    char *err;
    size_t err_size;
} rewrite_ctx;

static int emit_record(void *ctx_, const void *payload, size_t n)
{
    rewrite_ctx *ctx = ctx_;
    uint8_t hdr[JOURNAL_HEADER_SIZE];

    if (ctx->failed)
        return -1;
    if (n > JOURNAL_RECORD_MAX) {
        snprintf(ctx->err, ctx->err_size, "rewrite journal: record of %zu bytes over the limit",
                 n);
        ctx->failed = 1;
        return -1;
    }
    be_put32(hdr, (uint32_t)n);
    be_put32(hdr + 4, crc32c(payload, n));
    if (fwrite(hdr, 1, sizeof hdr, ctx->f) != sizeof hdr ||
        (n && fwrite(payload, 1, n, ctx->f) != n)) {
        set_errno_err(ctx->err, ctx->err_size, "write", ctx->path);
        ctx->failed = 1;
        return -1;
    }
    ctx->records++;
    ctx->bytes += sizeof hdr + n;
    return 0;
}

int journal_rewrite(journal *j, journal_iter_fn iter, void *user, char *err, size_t err_size)
{
    rewrite_ctx ctx;
    char *tmp = str_concat(j->path, ".tmp");
    char why[256];
    int rc = -1, replaced = 0;

    memset(&ctx, 0, sizeof ctx);
    if (!tmp) {
        snprintf(err, err_size, "rewrite journal '%s': out of memory", j->path);
        return -1;
    }
    ctx.path = tmp;
    ctx.err = why;
    ctx.err_size = sizeof why;
    why[0] = '\0';
    ctx.f = fsys_fopen(tmp, "wb");
    if (!ctx.f) {
        set_errno_err(err, err_size, "create", tmp);
        free(tmp);
        return -1;
    }
    if (iter(user, emit_record, &ctx) != 0 || ctx.failed) {
        if (!why[0])
            snprintf(why, sizeof why, "stopped by its record source");
        goto close_tmp;
    }
    if (fsys_sync(ctx.f, why, sizeof why) != 0)
        goto close_tmp;
    if (fclose(ctx.f) != 0) {
        ctx.f = NULL;
        set_errno_err(why, sizeof why, "write", tmp);
        goto fail;
    }
    ctx.f = NULL;

    /* Windows cannot replace a file that is open without delete sharing, which the CRT does
     * not ask for; so the old stream is closed first and reopened whatever happens. */
    if (j->f) {
        fclose(j->f);
        j->f = NULL;
    }
    if (fsys_replace(tmp, j->path, why, sizeof why) == 0) {
        replaced = 1;
        j->records = ctx.records;
        j->bytes = ctx.bytes;
        j->dirty = 0;
        j->needs_repair = 0;
    }
    if (!replaced) {
        /* The old file is untouched: go on with it. If even the reopen fails, the next
         * append retries it. */
        open_append(j, NULL, 0);
        goto fail;
    }
    /* The new file is in place; a failed reopen is reported and retried by the next append. */
    rc = open_append(j, err, err_size);
    goto done;

close_tmp:
    fclose(ctx.f);
fail:
    snprintf(err, err_size, "rewrite journal '%s': %s", j->path, why);
    fsys_remove(tmp);
done:
    free(tmp);
    return rc;
}

uint64_t journal_records(const journal *j)
{
    return j->records;
}

uint64_t journal_bytes(const journal *j)
{
    return j->bytes;
}

const char *journal_path(const journal *j)
{
    return j->path;
}

void journal_close(journal *j)
{
    if (!j)
        return;
    if (j->f) {
        if (j->policy != FSYNC_NEVER)
            journal_sync(j, NULL, 0);
        fclose(j->f);
    }
    buf_free(&j->rec);
    free(j->path);
    free(j);
}
