/* test_unicode.c — NFC against Unicode's NormalizationTest.txt, full case folding, and the name
 * rules: names from many scripts accepted, confusable and malformed names refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "uname.h"
#include "uni.h"

#ifndef PARLEY_UCD_NORMALIZATION_TEST
#define PARLEY_UCD_NORMALIZATION_TEST ""
#endif

#define MAX_CPS 64

/* Parses one ';'-separated field of hex code points; returns the count or -1. */
static int parse_field(char **p, uint32_t *cps)
{
    int n = 0;
    char *s = *p, *end;
    while (*s == ' ')
        s++;
    while (*s && *s != ';') {
        unsigned long v = strtoul(s, &end, 16);
        if (end == s || n == MAX_CPS || v > 0x10FFFF)
            return -1;
        cps[n++] = (uint32_t)v;
        s = end;
        while (*s == ' ')
            s++;
    }
    if (*s != ';')
        return -1;
    *p = s + 1;
    return n;
}

static int nfc_is(const uint32_t *in, int n, const uint32_t *want, int wn)
{
    uint32_t out[MAX_CPS * 4];
    size_t len = uni_nfc(in, (size_t)n, out, sizeof out / sizeof out[0]);
    return len == (size_t)wn && memcmp(out, want, (size_t)wn * sizeof out[0]) == 0;
}

/* Checks every line of NormalizationTest.txt for NFC (c2 == NFC(c1..c3), c4 == NFC(c4..c5)) and
 * marks the Part 1 code points in part1 (a bitmap of 0x110000 bits) when it is not NULL. */
static void run_normalization_test(uint8_t *part1)
{
    FILE *f = fopen(PARLEY_UCD_NORMALIZATION_TEST, "r");
    char line[1024];
    long lines = 0, failures = 0;
    int part = -1;

    if (!f) {
        test_failf_at(__FILE__, __LINE__,
                      "cannot open '%s': install Debian's unicode-data (cmake/install-deps.sh) "
                      "and configure again",
                      PARLEY_UCD_NORMALIZATION_TEST);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        uint32_t c[5][MAX_CPS];
        int n[5], i;
        char *p = line;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (line[0] == '@') {
            part = atoi(line + 5);
            continue;
        }
        for (i = 0; i < 5; i++)
            if ((n[i] = parse_field(&p, c[i])) < 0)
                break;
        if (i < 5) {
            test_failf_at(__FILE__, __LINE__, "unparsable line: %s", line);
            failures++;
            continue;
        }
        lines++;
        if (part == 1 && part1 && n[0] == 1)
            part1[c[0][0] / 8] |= (uint8_t)(1u << (c[0][0] % 8));
        for (i = 0; i < 3; i++)
            if (!nfc_is(c[i], n[i], c[1], n[1])) {
                if (failures++ < 10)
                    test_failf_at(__FILE__, __LINE__, "NFC(c%d) != c2 on line: %s", i + 1, line);
            }
        for (i = 3; i < 5; i++)
            if (!nfc_is(c[i], n[i], c[3], n[3])) {
                if (failures++ < 10)
                    test_failf_at(__FILE__, __LINE__, "NFC(c%d) != c4 on line: %s", i + 1, line);
            }
    }
    fclose(f);
    CHECK_EQ_INT(failures, 0);
    /* Unicode 15.0's file has 19,000-odd test lines; far fewer means a truncated file. */
    CHECK(lines > 18000);
}

TEST(uni_nfc_conformance)
{
    run_normalization_test(NULL);
}

/* NormalizationTest.txt, Part 1: every code point not listed there is its own NFC. */
TEST(uni_nfc_unlisted_code_points_unchanged)
{
    uint8_t *part1 = calloc(0x110000 / 8, 1);
    uint32_t cp, out[8];
    long failures = 0;

    REQUIRE(part1 != NULL);
    run_normalization_test(part1);
    for (cp = 0; cp < 0x110000; cp++) {
        size_t len;
        if ((cp >= 0xD800 && cp <= 0xDFFF) || (part1[cp / 8] >> (cp % 8) & 1u))
            continue;
        len = uni_nfc(&cp, 1, out, 8);
        if ((len != 1 || out[0] != cp) && failures++ < 10)
            test_failf_at(__FILE__, __LINE__, "NFC(U+%04X) changed it", (unsigned)cp);
    }
    CHECK_EQ_INT(failures, 0);
    free(part1);
}

static int key_is(const char *name, const char *want)
{
    char key[UNAME_KEY_CAP(UNAME_MAX_INPUT)];
    if (uname_key(name, strlen(name), key, sizeof key) != 0)
        return 0;
    if (strcmp(key, want) != 0) {
        test_failf_at(__FILE__, __LINE__, "key of \"%s\" is \"%s\", not \"%s\"", name, key, want);
        return 0;
    }
    return 1;
}

TEST(uni_casefold_pairs)
{
    CHECK(key_is("\xC3\x89RIC", "\xC3\xA9ric"));                 /* ÉRIC */
    CHECK(key_is("E\xCC\x81RIC", "\xC3\xA9ric"));                /* E + combining acute */
    CHECK(key_is("Stra\xC3\x9F" "e", "strasse"));                /* ß folds to ss (full) */
    CHECK(key_is("\xE1\xBA\x9E", "ss"));                         /* capital sharp s */
    CHECK(key_is("\xC4\xB0", "i\xCC\x87"));                      /* İ: i + combining dot */
    CHECK(key_is("\xC7\x85", "\xC7\x86"));                       /* titlecase ǅ -> ǆ */
    CHECK(key_is("\xCE\xA3\xCE\x99\xCE\xA3\xCE\xA5\xCE\xA6\xCE\x9F\xCE\xA3",
                 "\xCF\x83\xCE\xB9\xCF\x83\xCF\x85\xCF\x86\xCE\xBF\xCF\x83")); /* ΣΙΣΥΦΟΣ */
    CHECK(key_is("\xCF\x82", "\xCF\x83"));                       /* final sigma */
    CHECK(key_is("\xCE\x90", "\xCE\x90"));           /* ΐ folds to ΐ which composes back */
    CHECK(key_is("\xEF\xAC\x93", "\xD5\xB4\xD5\xB6"));           /* Armenian ligature ﬓ */
    CHECK(key_is("\xEA\xAD\xB0", "\xE1\x8E\xA0"));               /* Cherokee folds to upper */
    CHECK(key_is("\xF0\x90\x90\x80", "\xF0\x90\x90\xA8"));       /* Deseret */
    CHECK(key_is("\xE1\xB2\x90", "\xE1\x83\x90"));               /* Georgian Mtavruli */
    CHECK(key_is("\xD0\x94\xD0\x9C\xD0\x98\xD0\xA2\xD0\xA0\xD0\x98\xD0\x99",
                 "\xD0\xB4\xD0\xBC\xD0\xB8\xD1\x82\xD1\x80\xD0\xB8\xD0\xB9")); /* ДМИТРИЙ */
    CHECK(key_is("\xE7\x94\xB0\xE4\xB8\xAD", "\xE7\x94\xB0\xE4\xB8\xAD")); /* 田中: no case */
    CHECK(key_is("\xEA\xB0\x80", "\xEA\xB0\x80"));               /* Hangul syllable kept */
}

TEST(uni_casefold_is_stable)
{
    uint32_t cp, once[4], twice[16];
    long failures = 0;
    for (cp = 0; cp < 0x110000; cp++) {
        size_t n1, n2;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        n1 = uni_casefold(&cp, 1, once, 4);
        n2 = n1 == UNI_OVERFLOW ? UNI_OVERFLOW : uni_casefold(once, n1, twice, 16);
        if ((n1 == UNI_OVERFLOW || n1 != n2 || memcmp(once, twice, n1 * sizeof once[0]) != 0) &&
            failures++ < 10)
            test_failf_at(__FILE__, __LINE__, "folding U+%04X twice differs", (unsigned)cp);
    }
    CHECK_EQ_INT(failures, 0);
}

TEST(uni_transforms_report_overflow)
{
    uint32_t in[2] = {0x1F82, 0x00DF}, out[8]; /* ᾂ decomposes into 4, ß folds into 2 */
    CHECK_EQ_INT(uni_nfd(in, 1, out, 4), 4);
    CHECK(uni_nfd(in, 1, out, 3) == UNI_OVERFLOW);
    CHECK_EQ_INT(uni_casefold(in + 1, 1, out, 2), 2);
    CHECK(uni_casefold(in + 1, 1, out, 1) == UNI_OVERFLOW);
    CHECK_EQ_STR(uni_version(), "15.0.0");
}

static void check_accepts(const char *name, uname_kind kind)
{
    char out[UNAME_MAX_INPUT + 1], err[160] = "";
    if (uname_prepare(name, strlen(name), kind, out, sizeof out, err, sizeof err) != 0)
        test_failf_at(__FILE__, __LINE__, "\"%s\" refused: %s", name, err);
    else if (strcmp(out, name) != 0)
        test_failf_at(__FILE__, __LINE__, "\"%s\" came back as \"%s\"", name, out);
}

TEST(uname_names_from_many_scripts)
{
    static const char *const names[] = {
        "Jos\xC3\xA9", "\xC5\x81ukasz",                              /* Latin */
        "\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7",                  /* Greek Ελένη */
        "\xD0\x94\xD0\xBC\xD0\xB8\xD1\x82\xD1\x80\xD0\xB8\xD0\xB9",  /* Cyrillic Дмитрий */
        "\xE7\x94\xB0\xE4\xB8\xAD",                                  /* Han 田中 */
        "\xE7\x94\xB0\xE4\xB8\xAD\xE3\x81\x95\xE3\x82\x93",          /* Han + Hiragana (Jpan) */
        "\xE3\x82\xBF\xE3\x83\x8A\xE3\x82\xAB",                      /* Katakana タナカ */
        "\xEA\xB9\x80\xEB\xAF\xBC\xEC\xA4\x80",                      /* Hangul 김민준 */
        "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF",                          /* Arabic محمد */
        "\xD7\x93\xD7\x95\xD7\x93",                                  /* Hebrew דוד */
        "\xE0\xA4\x85\xE0\xA4\xB0\xE0\xA5\x8D\xE0\xA4\x9C\xE0\xA5\x81\xE0\xA4\xA8", /* Devanagari */
        "\xE0\xB8\xAA\xE0\xB8\xA1\xE0\xB8\x8A\xE0\xB8\xB2\xE0\xB8\xA2", /* Thai สมชาย */
        "\xE1\x83\x9C\xE1\x83\x98\xE1\x83\x9C\xE1\x83\x9D",          /* Georgian ნინო */
        "\xD4\xB1\xD6\x80\xD5\xA1\xD5\xB4",                          /* Armenian Արամ */
        "\xE1\x8A\xA0\xE1\x89\xA0\xE1\x89\xA0",                      /* Ethiopic አበበ */
        "\xE0\xAE\xAE\xE0\xAF\x81\xE0\xAE\xB0\xE0\xAF\x81\xE0\xAE\x95\xE0\xAE\xA9\xE0\xAF\x8D", /* Tamil */
        "Tanaka\xE7\x94\xB0\xE4\xB8\xAD",                            /* Latin + Han: allowed */
        "alice_2", "bob-smith", "x[away]", "a.b|c^d{e}",             /* every old ASCII nick */
    };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        check_accepts(names[i], UNAME_NICK);
    check_accepts("\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7 "
                  "\xCE\xA0\xCE\xB1\xCF\x80\xCE\xAC", UNAME_DISPLAY); /* Ελένη Παπά */
    check_accepts("Se\xC3\xA1n O'Brien", UNAME_DISPLAY);
}

TEST(uname_normalises_to_nfc)
{
    char out[UNAME_MAX_INPUT + 1], err[160];
    REQUIRE(uname_prepare("Jose\xCC\x81", 6, UNAME_NICK, out, sizeof out, err, sizeof err) == 0);
    CHECK_EQ_STR(out, "Jos\xC3\xA9");
    /* Hangul jamo L V T compose into one syllable: 각 */
    REQUIRE(uname_prepare("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", 9, UNAME_NICK, out, sizeof out,
                          err, sizeof err) == 0);
    CHECK_EQ_STR(out, "\xEA\xB0\x81");
}

TEST(uname_same_across_case_and_normalisation)
{
    CHECK(uname_same("\xC3\x89RIC", "\xC3\xA9ric"));
    CHECK(uname_same("E\xCC\x81ric", "\xC3\xA9RIC"));
    CHECK(uname_same("Stra\xC3\x9F" "e", "STRASSE"));
    CHECK(uname_same("\xC5\x81ukasz", "\xC5\x82UKASZ"));
    CHECK(uname_same("\xCE\x95\xCE\xBB\xCE\xAD\xCE\xBD\xCE\xB7", "\xCE\x95\xCE\x9B\xCE\x88\xCE\x9D\xCE\x97"));
    CHECK(!uname_same("eric", "\xC3\xA9ric"));
    CHECK(!uname_same("alice", "alicf"));
    CHECK(!uname_same("\xFF", "\xFF")); /* not UTF-8: no key, never equal */
}

/* Refused with a reason that contains want. */
static void check_refuses(const char *name, size_t n, uname_kind kind, size_t cap,
                          const char *want)
{
    char out[UNAME_MAX_INPUT + 1], err[160] = "";
    if (uname_prepare(name, n, kind, out, cap, err, sizeof err) == 0)
        test_failf_at(__FILE__, __LINE__, "\"%.*s\" accepted", (int)n, name);
    else if (!strstr(err, want))
        test_failf_at(__FILE__, __LINE__, "\"%.*s\": \"%s\" lacks \"%s\"", (int)n, name, err,
                      want);
}

#define REFUSES(name, kind, want) check_refuses(name, sizeof name - 1, kind, UNAME_MAX_INPUT + 1, want)

TEST(uname_refusals)
{
    char big[UNAME_MAX_INPUT + 2];
    /* Mixed scripts: Cyrillic а in a Latin word, Greek with Cyrillic, Hangul with Hiragana. */
    REFUSES("p\xD0\xB0ypal", UNAME_NICK, "cannot mix scripts: character 2 is Cyrl, not Latn");
    REFUSES("\xCE\x91\xD0\xBB\xD0\xB5\xD0\xBA\xD1\x81", UNAME_NICK, "cannot mix scripts");
    REFUSES("a\xE3\x84\xB1\xE3\x81\x8B", UNAME_NICK, "cannot mix scripts");
    REFUSES("\xD7\x93\xD7\x95\xD7\x93" "x", UNAME_NICK, "cannot mix scripts");
    /* Not identifiers. */
    REFUSES("1abc", UNAME_NICK, "character 1 must start with a letter (U+0031)");
    REFUSES("-abc", UNAME_NICK, "must start with a letter");
    REFUSES("\xF0\x9F\x98\x80", UNAME_NICK, "must start with a letter (U+1F600)");
    REFUSES("ab\xF0\x9F\x98\x80", UNAME_NICK, "character 3 is not allowed in a name (U+1F600)");
    REFUSES("a b", UNAME_NICK, "character 2 is not allowed in a name (U+0020)");
    REFUSES("a@b", UNAME_NICK, "is not allowed in a name (U+0040)");
    REFUSES("a\xE2\x80\x8D" "b", UNAME_NICK, "not allowed in a name (U+200D)"); /* ZWJ */
    REFUSES("a\xEF\xB8\x8F", UNAME_NICK, "is invisible"); /* variation selector 16 */
    REFUSES("a\xC2\xAD" "b", UNAME_NICK, "is invisible"); /* soft hyphen */
    /* Display names: single interior spaces and apostrophes only. */
    REFUSES("a  b", UNAME_DISPLAY, "two spaces in a row");
    REFUSES("ab ", UNAME_DISPLAY, "cannot end a name");
    REFUSES(" ab", UNAME_DISPLAY, "must start with a letter");
    REFUSES("a\tb", UNAME_DISPLAY, "control characters");
    /* Malformed input and sizes. */
    REFUSES("", UNAME_NICK, "cannot be empty");
    REFUSES("ab\xC3", UNAME_NICK, "must be UTF-8");
    REFUSES("a\xC0\x80", UNAME_NICK, "must be UTF-8");
    memset(big, 'a', sizeof big);
    check_refuses(big, sizeof big, UNAME_NICK, UNAME_MAX_INPUT + 1, "at most 128 bytes");
    /* Fits the input limit but not the caller's buffer once in NFC. */
    check_refuses("Jos\xC3\xA9", 5, UNAME_NICK, 5, "at most 4 bytes once normalised");
}
