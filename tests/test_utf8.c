/* test_utf8.c — strict UTF-8: Markus Kuhn's stress cases, boundaries, text rules, count and decode. */
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "utf8.h"

/* Validity of a byte string given in hex; -1 if the test's own hex is malformed. */
static int valid_hex(const char *hex)
{
    uint8_t b[64];
    long n = test_hex(hex, b, sizeof b);
    if (n < 0)
        return -1;
    return utf8_valid(b, (size_t)n);
}

static int valid_str(const char *s)
{
    return utf8_valid(s, strlen(s));
}

/* Decodes hex that must be exactly one code point; returns it, or UINT32_MAX if not. */
static uint32_t decode_hex(const char *hex)
{
    uint8_t b[8];
    uint32_t cp = 0;
    long n = test_hex(hex, b, sizeof b);
    if (n < 0 || utf8_decode(b, (size_t)n, &cp) != (size_t)n)
        return UINT32_MAX;
    return cp;
}

TEST(utf8_ascii_and_empty)
{
    CHECK(utf8_valid("", 0));
    CHECK(utf8_valid(NULL, 0));
    CHECK(valid_str("hello, world"));
    CHECK_EQ_INT(valid_hex("00"), 1); /* NUL is well-formed UTF-8, just not text */
    CHECK_EQ_INT(valid_hex("7F"), 1);
}

TEST(utf8_multiscript_and_emoji)
{
    CHECK(valid_str("caf\xC3\xA9 na\xC3\xAFve"));                       /* Latin-1 range */
    CHECK(valid_str("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));   /* Greek "kosme" */
    CHECK(valid_str("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82")); /* Cyrillic */
    CHECK(valid_str("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"));               /* Hebrew */
    CHECK(valid_str("\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7"));       /* Arabic */
    CHECK(valid_str("\xE4\xBD\xA0\xE5\xA5\xBD"));                       /* Chinese */
    CHECK(valid_str("\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF")); /* Japanese */
    CHECK(valid_str("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"));           /* Korean: ED below A0 */
    CHECK(valid_str("\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87")); /* Devanagari */
    CHECK(valid_str("\xF0\x9F\x98\x80 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD")); /* emoji + skin tone */
    CHECK(valid_str("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7")); /* ZWJ family */
    CHECK(valid_str("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7")); /* flag: regional indicators */
}

TEST(utf8_boundaries)
{
    /* First and last code point of each length (Kuhn 2.1, 2.2) and around the surrogates. */
    CHECK_EQ_INT(decode_hex("00"), 0x0);
    CHECK_EQ_INT(decode_hex("7F"), 0x7F);
    CHECK_EQ_INT(decode_hex("C2 80"), 0x80);
    CHECK_EQ_INT(decode_hex("DF BF"), 0x7FF);
    CHECK_EQ_INT(decode_hex("E0 A0 80"), 0x800);
    CHECK_EQ_INT(decode_hex("ED 9F BF"), 0xD7FF);
    CHECK_EQ_INT(decode_hex("EE 80 80"), 0xE000);
    CHECK_EQ_INT(decode_hex("EF BF BD"), 0xFFFD);
    CHECK_EQ_INT(decode_hex("EF BF BF"), 0xFFFF);
    CHECK_EQ_INT(decode_hex("F0 90 80 80"), 0x10000);
    CHECK_EQ_INT(decode_hex("F4 8F BF BF"), 0x10FFFF);
    CHECK_EQ_INT(decode_hex("F0 9F 98 80"), 0x1F600);
}

TEST(utf8_overlongs_rejected)
{
    /* Kuhn 4.1: '/' (U+002F) in every overlong form. */
    CHECK_EQ_INT(valid_hex("C0 AF"), 0);
    CHECK_EQ_INT(valid_hex("E0 80 AF"), 0);
    CHECK_EQ_INT(valid_hex("F0 80 80 AF"), 0);
    CHECK_EQ_INT(valid_hex("F8 80 80 80 AF"), 0);
    CHECK_EQ_INT(valid_hex("FC 80 80 80 80 AF"), 0);
    /* Kuhn 4.2: the largest overlong of each length. */
    CHECK_EQ_INT(valid_hex("C1 BF"), 0);
    CHECK_EQ_INT(valid_hex("E0 9F BF"), 0);
    CHECK_EQ_INT(valid_hex("F0 8F BF BF"), 0);
    /* Kuhn 4.3: overlong NUL, the classic "modified UTF-8" trick. */
    CHECK_EQ_INT(valid_hex("C0 80"), 0);
    CHECK_EQ_INT(valid_hex("E0 80 80"), 0);
    CHECK_EQ_INT(valid_hex("F0 80 80 80"), 0);
}

TEST(utf8_surrogates_rejected)
{
    /* Kuhn 5.1: single UTF-16 surrogates. */
    CHECK_EQ_INT(valid_hex("ED A0 80"), 0);
    CHECK_EQ_INT(valid_hex("ED AD BF"), 0);
    CHECK_EQ_INT(valid_hex("ED AE 80"), 0);
    CHECK_EQ_INT(valid_hex("ED AF BF"), 0);
    CHECK_EQ_INT(valid_hex("ED B0 80"), 0);
    CHECK_EQ_INT(valid_hex("ED BE 80"), 0);
    CHECK_EQ_INT(valid_hex("ED BF BF"), 0);
    /* Kuhn 5.2: paired surrogates (CESU-8) are no better. */
    CHECK_EQ_INT(valid_hex("ED A0 80 ED B0 80"), 0);
    CHECK_EQ_INT(valid_hex("ED AF BF ED BF BF"), 0);
}

TEST(utf8_beyond_max_rejected)
{
    CHECK_EQ_INT(valid_hex("F4 90 80 80"), 0); /* U+110000 */
    CHECK_EQ_INT(valid_hex("F4 BF BF BF"), 0);
    CHECK_EQ_INT(valid_hex("F5 80 80 80"), 0);
    CHECK_EQ_INT(valid_hex("F7 BF BF BF"), 0);
    CHECK_EQ_INT(valid_hex("F8 88 80 80 80"), 0); /* old 5-byte form */
    CHECK_EQ_INT(valid_hex("FC 84 80 80 80 80"), 0); /* old 6-byte form */
    /* Kuhn 3.5: bytes that can never appear. */
    CHECK_EQ_INT(valid_hex("FE"), 0);
    CHECK_EQ_INT(valid_hex("FF"), 0);
    CHECK_EQ_INT(valid_hex("FE FE FF FF"), 0);
}

TEST(utf8_stray_continuation_rejected)
{
    /* Kuhn 3.1: unexpected continuation bytes, alone and in runs. */
    CHECK_EQ_INT(valid_hex("80"), 0);
    CHECK_EQ_INT(valid_hex("BF"), 0);
    CHECK_EQ_INT(valid_hex("80 BF"), 0);
    CHECK_EQ_INT(valid_hex("41 80 42"), 0);
    /* One continuation too many after a complete character. */
    CHECK_EQ_INT(valid_hex("C3 A9 A9"), 0);
    CHECK_EQ_INT(valid_hex("F0 9F 98 80 80"), 0);
}

TEST(utf8_lonely_start_bytes_rejected)
{
    /* Kuhn 3.2: a start byte followed by a space instead of its continuation. */
    CHECK_EQ_INT(valid_hex("C3 20"), 0);
    CHECK_EQ_INT(valid_hex("E4 20 20"), 0);
    CHECK_EQ_INT(valid_hex("E4 BD 20"), 0);
    CHECK_EQ_INT(valid_hex("F0 9F 20 20"), 0);
    CHECK_EQ_INT(valid_hex("F0 9F 98 20"), 0);
    /* A start byte where a continuation should be. */
    CHECK_EQ_INT(valid_hex("E4 C3 A9"), 0);
}

TEST(utf8_truncated_at_every_cut)
{
    /* U+1F600 cut after 1, 2 and 3 bytes; at the end of input and followed by more text. */
    static const uint8_t smile[4] = {0xF0, 0x9F, 0x98, 0x80};
    uint8_t b[8];
    size_t cut;
    uint32_t cp;

    for (cut = 1; cut < 4; cut++) {
        CHECK(!utf8_valid(smile, cut));
        CHECK(utf8_decode(smile, cut, &cp) == 0);
        memcpy(b, smile, cut);
        b[cut] = 'x';
        CHECK(!utf8_valid(b, cut + 1));
        /* Preceded by valid text too. */
        b[0] = 'a';
        memcpy(b + 1, smile, cut);
        CHECK(!utf8_valid(b, cut + 1));
    }
    CHECK(utf8_valid(smile, 4));
    /* Three- and two-byte characters cut short. */
    CHECK_EQ_INT(valid_hex("E4 BD"), 0);
    CHECK_EQ_INT(valid_hex("E4"), 0);
    CHECK_EQ_INT(valid_hex("C3"), 0);
    CHECK_EQ_INT(valid_hex("41 42 C3"), 0);
    /* Kuhn 3.4: all the truncated forms concatenated. */
    CHECK_EQ_INT(valid_hex("C0 E0 80 F0 80 80 DF EF BF F7 BF BF"), 0);
}

TEST(utf8_noncharacters_are_valid)
{
    /* U+FFFE/U+FFFF and U+FDD0 are noncharacters but well-formed UTF-8 (Unicode Corrigendum 9). */
    CHECK_EQ_INT(valid_hex("EF BF BE"), 1);
    CHECK_EQ_INT(valid_hex("EF BF BF"), 1);
    CHECK_EQ_INT(valid_hex("EF B7 90"), 1);
    CHECK_EQ_INT(valid_hex("F4 8F BF BE"), 1);
}

TEST(utf8_decode_lengths)
{
    static const uint8_t s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    uint32_t cp = 0;

    CHECK_EQ_INT(utf8_decode(s, 10, &cp), 1);
    CHECK_EQ_INT(cp, 'a');
    CHECK_EQ_INT(utf8_decode(s + 1, 9, &cp), 2);
    CHECK_EQ_INT(cp, 0xE9);
    CHECK_EQ_INT(utf8_decode(s + 3, 7, &cp), 3);
    CHECK_EQ_INT(cp, 0x20AC);
    CHECK_EQ_INT(utf8_decode(s + 6, 4, &cp), 4);
    CHECK_EQ_INT(cp, 0x1F600);
    CHECK_EQ_INT(utf8_decode(s, 0, &cp), 0);
    CHECK_EQ_INT(utf8_decode(s + 6, 4, NULL), 4); /* the code point is optional */
    CHECK_EQ_INT(utf8_decode((const uint8_t *)"\x80", 1, &cp), 0);
}

TEST(utf8_count_code_points)
{
    CHECK_EQ_INT(utf8_count("", 0), 0);
    CHECK_EQ_INT(utf8_count("abc", 3), 3);
    CHECK_EQ_INT(utf8_count("caf\xC3\xA9", 5), 4);
    CHECK_EQ_INT(utf8_count("\xE4\xBD\xA0\xE5\xA5\xBD", 6), 2);
    CHECK_EQ_INT(utf8_count("\xF0\x9F\x98\x80!", 5), 2);
    /* Invalid bytes count one each, as U+FFFD substitutes would. */
    CHECK_EQ_INT(utf8_count("a\xFF" "b", 3), 3);
}

TEST(utf8_valid_text_rules)
{
    CHECK(utf8_valid_text("plain text", 10, 0));
    CHECK(utf8_valid_text("caf\xC3\xA9 \xF0\x9F\x98\x80", 10, 0));
    CHECK(utf8_valid_text("", 0, 0));
    /* NUL, C0 controls and DEL. */
    CHECK(!utf8_valid_text("a\0b", 3, 1));
    CHECK(!utf8_valid_text("a\x01", 2, 1));
    CHECK(!utf8_valid_text("a\x1B[31m", 6, 1)); /* ESC: terminal escape injection */
    CHECK(!utf8_valid_text("a\r\n", 3, 1));
    CHECK(!utf8_valid_text("a\x7F", 2, 1));
    /* C1 controls U+0080..U+009F, both ends, but U+00A0 is fine. */
    CHECK(!utf8_valid_text("\xC2\x80", 2, 1));
    CHECK(!utf8_valid_text("\xC2\x85", 2, 1)); /* NEL */
    CHECK(!utf8_valid_text("\xC2\x9F", 2, 1));
    CHECK(utf8_valid_text("\xC2\xA0", 2, 0));
    /* Newline and tab only when allowed. */
    CHECK(!utf8_valid_text("a\nb", 3, 0));
    CHECK(!utf8_valid_text("a\tb", 3, 0));
    CHECK(utf8_valid_text("a\nb", 3, 1));
    CHECK(utf8_valid_text("a\tb", 3, 1));
    /* Malformed UTF-8 is never text. */
    CHECK(!utf8_valid_text("\xC0\xAF", 2, 1));
    CHECK(!utf8_valid_text("\xED\xA0\x80", 3, 1));
}

TEST(utf8_encode_round_trip)
{
    static const uint32_t cps[] = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000,
                                   0x10FFFF};
    size_t i;
    uint8_t b[4];
    for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        uint32_t back = UINT32_MAX;
        size_t len = utf8_encode(cps[i], b);
        CHECK(len >= 1 && len <= 4);
        CHECK_EQ_INT(utf8_decode(b, len, &back), len);
        CHECK_EQ_INT(back, cps[i]);
    }
    CHECK_EQ_INT(utf8_encode(0xD800, b), 0); /* surrogates are not scalar values */
    CHECK_EQ_INT(utf8_encode(0xDFFF, b), 0);
    CHECK_EQ_INT(utf8_encode(0x110000, b), 0);
}
