/* ini_edit.c — sets keys of one section in an existing INI file in place of (or beside) the
 * lines that hold them, so that an install-time switch lands in server.ini without touching
 * what an administrator edited elsewhere in it. */
#include "ini_edit.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsys.h"

/* Same bound as the settings parser: anything bigger is not a settings file. */
#define INI_EDIT_FILE_MAX (16u * 1024u * 1024u)

/* Where one edit goes in the text, found by scan(). Offsets into the text; SIZE_MAX = none. */
typedef struct edit_spot {
    size_t active_start, active_end;   /* the last "key = ..." line of the section (no EOL) */
    size_t commented_next;             /* just after the first "; key = ..." line and its EOL */
    size_t section_next;               /* just after the section's last non-blank line */
} edit_spot;

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 1 if s[0..n) equals word, ignoring ASCII case. */
static int span_ieq(const char *s, size_t n, const char *word)
{
    size_t i;
    if (strlen(word) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (ascii_lower(s[i]) != ascii_lower(word[i]))
            return 0;
    return 1;
}

/* 1 if the line p[0..n) (already left-trimmed) is "key =" something. */
static int line_sets_key(const char *p, size_t n, const char *key)
{
    const char *eq = memchr(p, '=', n);
    size_t k;

    if (!eq)
        return 0;
    k = (size_t)(eq - p);
    while (k > 0 && is_space(p[k - 1]))
        k--;
    return span_ieq(p, k, key);
}

/* Finds where key goes in [section]. Returns 1 if the section exists. */
static int scan(const char *text, size_t len, const char *section, const char *key,
                edit_spot *spot)
{
    size_t pos = 0;
    int in_section = 0, found = 0;

    spot->active_start = spot->active_end = SIZE_MAX;
    spot->commented_next = spot->section_next = SIZE_MAX;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t next = nl ? (size_t)(nl - text) + 1 : len;
        size_t start = pos, end = nl ? (size_t)(nl - text) : len;
        const char *p;
        size_t n;

        if (end > start && text[end - 1] == '\r')
            end--;
        p = text + start;
        n = end - start;
        while (n > 0 && is_space(*p)) {
            p++;
            n--;
        }
        while (n > 0 && is_space(p[n - 1]))
            n--;
        pos = next;
        if (n > 0 && p[0] == '[') {
            const char *close = memchr(p, ']', n);
            const char *name = p + 1;
            size_t k = close ? (size_t)(close - name) : 0;
            while (k > 0 && is_space(*name)) {
                name++;
                k--;
            }
            while (k > 0 && is_space(name[k - 1]))
                k--;
            in_section = span_ieq(name, k, section);
            if (in_section) {
                found = 1;
                spot->section_next = next;
            }
            continue;
        }
        if (!in_section || n == 0)
            continue;
        spot->section_next = next;
        if (p[0] == ';' || p[0] == '#') {
            while (n > 0 && (p[0] == ';' || p[0] == '#' || is_space(p[0]))) {
                p++;
                n--;
            }
            if (spot->commented_next == SIZE_MAX && line_sets_key(p, n, key))
                spot->commented_next = next;
        } else if (line_sets_key(p, n, key)) {
            spot->active_start = start;
            spot->active_end = end;
        }
    }
    return found;
}

/* Appends "key = value", quoting the value (with \" and \\ escapes) only when the parser
 * would otherwise trim or unquote it. -1 for a value no settings line can hold. */
static int put_line(buf *out, const char *key, const char *value)
{
    size_t n = strlen(value), i;
    int quote = n > 0 && (is_space(value[0]) || is_space(value[n - 1]) || value[0] == '"');

    for (i = 0; i < n; i++)
        if ((unsigned char)value[i] < 0x20 && value[i] != '\t')
            return -1;
    buf_append(out, key, strlen(key));
    buf_append(out, n ? " = " : " =", n ? 3 : 2);
    if (!quote) {
        buf_append(out, value, n);
        return 0;
    }
    buf_append(out, "\"", 1);
    for (i = 0; i < n; i++) {
        if (value[i] == '"' || value[i] == '\\')
            buf_append(out, "\\", 1);
        buf_append(out, value + i, 1);
    }
    buf_append(out, "\"", 1);
    return 0;
}

/* text with key set in [section], into out (emptied first). */
static int apply_one(const char *text, size_t len, const char *section, const ini_edit *e,
                     const char *eol, buf *out)
{
    edit_spot spot;
    size_t at;
    int has_section = scan(text, len, section, e->key, &spot);
    int no_final_eol = len > 0 && text[len - 1] != '\n';

    buf_reset(out);
    if (spot.active_start != SIZE_MAX) {
        buf_append(out, text, spot.active_start);
        if (put_line(out, e->key, e->value) != 0)
            return -1;
        buf_append(out, text + spot.active_end, len - spot.active_end);
        return 0;
    }
    if (!has_section) {
        buf_append(out, text, len);
        if (no_final_eol)
            buf_append(out, eol, strlen(eol));
        if (len > 0)
            buf_append(out, eol, strlen(eol));
        buf_append(out, "[", 1);
        buf_append(out, section, strlen(section));
        buf_append(out, "]", 1);
        buf_append(out, eol, strlen(eol));
        if (put_line(out, e->key, e->value) != 0)
            return -1;
        buf_append(out, eol, strlen(eol));
        return 0;
    }
    at = spot.commented_next != SIZE_MAX ? spot.commented_next : spot.section_next;
    buf_append(out, text, at);
    if (at == len && no_final_eol)
        buf_append(out, eol, strlen(eol));
    if (put_line(out, e->key, e->value) != 0)
        return -1;
    buf_append(out, eol, strlen(eol));
    buf_append(out, text + at, len - at);
    return 0;
}

/* "\r\n" unless the file's first line ends in a bare LF: the template is written for Notepad. */
static const char *eol_of(const char *text, size_t len)
{
    const char *nl = len ? memchr(text, '\n', len) : NULL;
    return nl && (nl == text || nl[-1] != '\r') ? "\n" : "\r\n";
}

/* The whole file into b; a missing file leaves b empty. */
static int read_all(const char *path, buf *b, char *err, size_t err_size)
{
    int64_t size;
    FILE *f;
    uint8_t *dst;

    if (!fsys_exists(path))
        return 0;
    size = fsys_file_size(path);
    if (size < 0 || size > (int64_t)INI_EDIT_FILE_MAX) {
        snprintf(err, err_size, "%s: %s", path, size < 0 ? "cannot read its size" : "too large");
        return -1;
    }
    if (!(f = fsys_fopen(path, "rb"))) {
        snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    dst = buf_reserve(b, (size_t)size + 1);
    if (dst)
        b->len = fread(dst, 1, (size_t)size, f);
    if (!dst || ferror(f) || b->len != (size_t)size) {
        snprintf(err, err_size, "cannot read %s", path);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

/* Writes data to path through path.new and an atomic rename. */
static int write_replace(const char *path, const buf *data, char *err, size_t err_size)
{
    size_t tmp_size = strlen(path) + 5;
    char *tmp = malloc(tmp_size);
    FILE *f;
    int ok, rc = -1;

    if (!tmp) {
        snprintf(err, err_size, "%s: out of memory", path);
        return -1;
    }
    snprintf(tmp, tmp_size, "%s.new", path);
    if (!(f = fsys_fopen(tmp, "wb"))) {
        snprintf(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
        goto done;
    }
    ok = fwrite(data->data, 1, data->len, f) == data->len;
    ok = fsys_sync(f, err, err_size) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        if (!err[0])
            snprintf(err, err_size, "cannot write %s", tmp);
        fsys_remove(tmp);
        goto done;
    }
    if (fsys_replace(tmp, path, err, err_size) != 0) {
        fsys_remove(tmp);
        goto done;
    }
    rc = 0;
done:
    free(tmp);
    return rc;
}

int ini_edit_file(const char *path, const char *section, const ini_edit *edits, size_t n,
                  char *err, size_t err_size)
{
    buf text, next, swap;
    const char *eol;
    size_t i;
    int rc = -1;

    err[0] = '\0';
    buf_init(&text);
    buf_init(&next);
    if (read_all(path, &text, err, err_size) != 0)
        goto done;
    /* New lines end the way the file's lines do (CRLF in a file made for Notepad). */
    eol = eol_of((const char *)text.data, text.len);
    for (i = 0; i < n; i++) {
        if (apply_one((const char *)text.data, text.len, section, &edits[i], eol, &next) != 0) {
            snprintf(err, err_size, "%s: the value for %s has a line break or control character",
                     path, edits[i].key);
            goto done;
        }
        if (buf_failed(&next)) {
            snprintf(err, err_size, "%s: out of memory", path);
            goto done;
        }
        swap = text;
        text = next;
        next = swap;
    }
    rc = write_replace(path, &text, err, err_size);
done:
    buf_free(&text);
    buf_free(&next);
    return rc;
}
