#!/usr/bin/env python3
"""gen-unicode-tables.py — writes common/uni_tables.h and common/uni_tables.c from the Unicode
Character Database files of Debian's `unicode-data` package (default /usr/share/unicode).

Usage: gen-unicode-tables.py [--ucd DIR] [--check] OUT_DIR
With --check, nothing is written: the exit status says whether OUT_DIR holds what would be.
The output is committed; `cmake --build build/native --target unicode-tables` regenerates it,
and the test uni_tables_current checks that the committed copy is what this script writes.

Tables (every one of them read from the UCD, none typed in by hand):
  canonical combining class      UnicodeData.txt field 3
  full canonical decompositions  UnicodeData.txt field 5 (no <tag>), expanded recursively;
                                 Hangul syllables stay algorithmic (Unicode ch. 3.12)
  primary composites             two-code-point canonical mappings not in
                                 Full_Composition_Exclusion (DerivedNormalizationProps.txt)
  full case folding              CaseFolding.txt statuses C and F
  XID_Start, XID_Continue,       DerivedCoreProperties.txt
  Default_Ignorable_Code_Point
  script sets                    Scripts.txt, overridden by ScriptExtensions.txt; augmented as
                                 UTS #39 section 5.1 says (Hani -> +Hanb Jpan Kore, Hira and
                                 Kana -> +Jpan, Hang -> +Kore, Bopo -> +Hanb)
"""
import argparse
import os
import re
import sys

GENERATOR = "cmake/gen-unicode-tables.py"


def ucd_lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [field.strip() for field in line.split(";")]


def cp_range(text):
    if ".." in text:
        lo, hi = text.split("..")
        return int(lo, 16), int(hi, 16)
    return int(text, 16), int(text, 16)


def ucd_version(path):
    with open(path, encoding="utf-8") as f:
        first = f.readline()
    m = re.search(r"-(\d+\.\d+\.\d+)\.txt", first)
    if not m:
        sys.exit(f"{path}: no version in the first line")
    return m.group(1)


def read_unicode_data(path):
    """Returns (ccc, decomposition) dicts from UnicodeData.txt, expanding First/Last ranges."""
    ccc, decomp = {}, {}
    first = None
    for f in ucd_lines(path):
        cp = int(f[0], 16)
        name = f[1]
        if name.endswith(", First>"):
            first = cp
            continue
        cps = range(first, cp + 1) if name.endswith(", Last>") else [cp]
        first = None
        for c in cps:
            if int(f[3]) != 0:
                ccc[c] = int(f[3])
            if f[5] and not f[5].startswith("<"):
                decomp[c] = [int(x, 16) for x in f[5].split()]
    return ccc, decomp


def read_property(path, prop):
    out = set()
    for f in ucd_lines(path):
        if f[1] == prop:
            lo, hi = cp_range(f[0])
            out.update(range(lo, hi + 1))
    return out


def ranges_of(cps):
    out = []
    for c in sorted(cps):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def full_decomposition(cp, decomp):
    if cp not in decomp:
        return [cp]
    out = []
    for c in decomp[cp]:
        out.extend(full_decomposition(c, decomp))
    return out


def read_scripts(ucd):
    """Returns (script codes in id order, {cp: frozenset of codes}) for every assigned cp."""
    long_to_short, codes = {}, []
    for f in ucd_lines(os.path.join(ucd, "PropertyValueAliases.txt")):
        if f[0] == "sc":
            long_to_short[f[2]] = f[1]
            codes.append(f[1])
    # Augmented scripts of UTS #39 section 5.1: not Script values, but needed by its rules.
    codes += ["Hanb", "Jpan", "Kore"]
    script = {}
    for f in ucd_lines(os.path.join(ucd, "Scripts.txt")):
        lo, hi = cp_range(f[0])
        for c in range(lo, hi + 1):
            script[c] = frozenset([long_to_short[f[1]]])
    for f in ucd_lines(os.path.join(ucd, "ScriptExtensions.txt")):
        lo, hi = cp_range(f[0])
        for c in range(lo, hi + 1):
            script[c] = frozenset(f[1].split())
    augment = {"Hani": {"Hanb", "Jpan", "Kore"}, "Hira": {"Jpan"}, "Kana": {"Jpan"},
               "Hang": {"Kore"}, "Bopo": {"Hanb"}}
    for c, s in script.items():
        extra = set()
        for code in s:
            extra |= augment.get(code, set())
        if extra:
            script[c] = frozenset(s | extra)
    return codes, script


def c_array(name, ctype, rows, per_line):
    """One C array definition; rows are already-formatted initialisers."""
    out = [f"const {ctype} {name}[{len(rows)}] = {{"]
    for i in range(0, len(rows), per_line):
        out.append("    " + ", ".join(rows[i:i + per_line]) + ",")
    out.append("};")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ucd", default="/usr/share/unicode")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("out_dir")
    args = ap.parse_args()
    ucd = args.ucd
    version = ucd_version(os.path.join(ucd, "DerivedCoreProperties.txt"))
    for other in ("CaseFolding.txt", "DerivedNormalizationProps.txt", "Scripts.txt",
                  "ScriptExtensions.txt"):
        if ucd_version(os.path.join(ucd, other)) != version:
            sys.exit(f"{other}: not Unicode {version} like DerivedCoreProperties.txt")

    ccc, decomp = read_unicode_data(os.path.join(ucd, "UnicodeData.txt"))
    exclusions = read_property(os.path.join(ucd, "DerivedNormalizationProps.txt"),
                               "Full_Composition_Exclusion")
    xid_start = read_property(os.path.join(ucd, "DerivedCoreProperties.txt"), "XID_Start")
    xid_continue = read_property(os.path.join(ucd, "DerivedCoreProperties.txt"), "XID_Continue")
    ignorable = read_property(os.path.join(ucd, "DerivedCoreProperties.txt"),
                              "Default_Ignorable_Code_Point")
    fold = {}
    for f in ucd_lines(os.path.join(ucd, "CaseFolding.txt")):
        if f[1] in ("C", "F"):
            fold[int(f[0], 16)] = [int(x, 16) for x in f[2].split()]
    codes, script = read_scripts(ucd)

    # Combining classes as ranges of equal class.
    ccc_rows = []
    for c in sorted(ccc):
        if ccc_rows and ccc_rows[-1][1] == c - 1 and ccc_rows[-1][2] == ccc[c]:
            ccc_rows[-1][1] = c
        else:
            ccc_rows.append([c, c, ccc[c]])

    # Decompositions and foldings share one pool of code points.
    pool, decomp_rows, fold_rows = [], [], []
    for c in sorted(decomp):
        d = full_decomposition(c, decomp)
        decomp_rows.append(f"{{0x{c:04X}, {len(pool)}, {len(d)}}}")
        pool.extend(d)
    for c in sorted(fold):
        fold_rows.append(f"{{0x{c:04X}, {len(pool)}, {len(fold[c])}}}")
        pool.extend(fold[c])
    max_expansion = max(max(len(full_decomposition(c, decomp)) for c in decomp),
                        max(len(v) for v in fold.values()))

    comp = []
    for c, d in decomp.items():
        if len(d) == 2 and c not in exclusions:
            comp.append((d[0], d[1], c))
    comp.sort()

    # Script sets: set 0 is Common/Inherited without extensions, which resolves to "any script";
    # code points absent from every range are unassigned (Unknown).
    any_set = frozenset(["Zyyy"])
    inherited = frozenset(["Zinh"])
    sets = [None]
    set_index = {}
    scx_rows = []
    for c in sorted(script):
        s = script[c]
        if s in (any_set, inherited):
            idx = 0
        else:
            if s not in set_index:
                set_index[s] = len(sets)
                sets.append(s)
            idx = set_index[s]
        if scx_rows and scx_rows[-1][1] == c - 1 and scx_rows[-1][2] == idx:
            scx_rows[-1][1] = c
        else:
            scx_rows.append([c, c, idx])
    words = (len(codes) + 63) // 64
    set_rows = []
    for s in sets:
        bits = [0] * words
        if s is not None:
            for code in s:
                i = codes.index(code)
                bits[i // 64] |= 1 << (i % 64)
        set_rows.append("{" + ", ".join(f"0x{b:016X}u" for b in bits) + "}")

    head = (f"Generated by {GENERATOR} from the Unicode Character Database {version}\n"
            " * (Debian package unicode-data). Do not edit; regenerate with the unicode-tables target. */\n")
    h = [f"/* uni_tables.h — Unicode {version} property tables for uni.c.\n * " + head,
         "#ifndef PARLEY_UNI_TABLES_H\n#define PARLEY_UNI_TABLES_H\n\n#include <stdint.h>\n",
         f'#define UNI_VERSION "{version}"',
         f"/* Longest full decomposition or folding of one code point. */",
         f"#define UNI_MAX_EXPANSION {max_expansion}",
         f"#define UNI_SCRIPT_WORDS {words}"]
    for code in ("Latn", "Zzzz", "Hanb", "Jpan", "Kore"):
        h.append(f"#define UNI_SCRIPT_{code.upper()} {codes.index(code)}")
    h.append("""
typedef struct uni_range { uint32_t lo, hi; } uni_range;
/* The range comes first so that one range search serves every ranged table. */
typedef struct uni_ccc_range { uni_range range; uint8_t ccc; } uni_ccc_range;
/* Maps cp to uni_pool[at .. at + len). */
typedef struct uni_mapping { uint32_t cp; uint16_t at; uint8_t len; } uni_mapping;
typedef struct uni_pair { uint32_t first, second, composite; } uni_pair;
/* Code points lo..hi have script set uni_tab_script_sets[set]; set 0 means Common or Inherited. */
typedef struct uni_script_range { uni_range range; uint16_t set; } uni_script_range;
""")
    tables = [("uni_tab_ccc", "uni_ccc_range", len(ccc_rows)), ("uni_tab_decomp", "uni_mapping", len(decomp_rows)),
              ("uni_tab_fold", "uni_mapping", len(fold_rows)), ("uni_tab_comp", "uni_pair", len(comp)),
              ("uni_tab_xid_start", "uni_range", len(ranges_of(xid_start))),
              ("uni_tab_xid_continue", "uni_range", len(ranges_of(xid_continue))),
              ("uni_tab_default_ignorable", "uni_range", len(ranges_of(ignorable))),
              ("uni_tab_scripts", "uni_script_range", len(scx_rows)), ("uni_tab_pool", "uint32_t", len(pool))]
    for name, ctype, n in tables:
        h.append(f"#define {name.upper()}_COUNT {n}u")
        h.append(f"extern const {ctype} {name}[{n}];")
    h.append(f"#define UNI_TAB_SCRIPT_SETS_COUNT {len(set_rows)}u")
    h.append(f"extern const uint64_t uni_tab_script_sets[{len(set_rows)}][UNI_SCRIPT_WORDS];")
    h.append("/* Four-letter script codes (ISO 15924) by script id, for messages. */")
    h.append(f"extern const char uni_tab_script_codes[{len(codes)}][5];")
    h.append("\n#endif")

    c = [f"/* uni_tables.c — Unicode {version} property tables (see uni_tables.h).\n * " + head,
         '#include "uni_tables.h"\n',
         c_array("uni_tab_ccc", "uni_ccc_range",
                 [f"{{{{0x{a:04X}, 0x{b:04X}}}, {k}}}" for a, b, k in ccc_rows], 4),
         c_array("uni_tab_decomp", "uni_mapping", decomp_rows, 5),
         c_array("uni_tab_fold", "uni_mapping", fold_rows, 5),
         c_array("uni_tab_comp", "uni_pair", [f"{{0x{a:04X}, 0x{b:04X}, 0x{k:04X}}}" for a, b, k in comp], 3),
         c_array("uni_tab_xid_start", "uni_range",
                 [f"{{0x{a:04X}, 0x{b:04X}}}" for a, b in ranges_of(xid_start)], 5),
         c_array("uni_tab_xid_continue", "uni_range",
                 [f"{{0x{a:04X}, 0x{b:04X}}}" for a, b in ranges_of(xid_continue)], 5),
         c_array("uni_tab_default_ignorable", "uni_range",
                 [f"{{0x{a:04X}, 0x{b:04X}}}" for a, b in ranges_of(ignorable)], 5),
         c_array("uni_tab_scripts", "uni_script_range",
                 [f"{{{{0x{a:04X}, 0x{b:04X}}}, {k}}}" for a, b, k in scx_rows], 4),
         c_array("uni_tab_pool", "uint32_t", [f"0x{x:04X}" for x in pool], 10),
         c_array("uni_tab_script_sets", "uint64_t", set_rows, 1).replace(
             f"uni_tab_script_sets[{len(set_rows)}]", f"uni_tab_script_sets[{len(set_rows)}][UNI_SCRIPT_WORDS]"),
         c_array("uni_tab_script_codes", "char", [f'"{x}"' for x in codes], 12).replace(
             f"uni_tab_script_codes[{len(codes)}]", f"uni_tab_script_codes[{len(codes)}][5]")]
    if len(pool) > 0xFFFF:
        sys.exit("pool too large for uint16_t offsets")
    outputs = (("uni_tables.h", "\n".join(h) + "\n"), ("uni_tables.c", "\n".join(c)))
    if args.check:
        stale = []
        for name, text in outputs:
            path = os.path.join(args.out_dir, name)
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    if f.read() != text:
                        stale.append(path)
            except OSError as e:
                stale.append(f"{path} ({e.strerror})")
        if stale:
            sys.exit("out of date with the UCD in " + ucd + ": " + ", ".join(stale))
        print(f"uni_tables.[ch] match the Unicode {version} data in {ucd}")
        return
    os.makedirs(args.out_dir, exist_ok=True)
    for name, text in outputs:
        with open(os.path.join(args.out_dir, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
