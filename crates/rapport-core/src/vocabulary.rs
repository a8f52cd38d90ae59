//! Names people read for the codes the directory is written in: ISO 3166 countries and ISO
//! 3166-2 subdivisions ("US-CA" → "California, United States"), ISO 4217 currencies with the
//! way their amounts are written ("£80", "US$120", "CHF 150"), ISO 639-1 languages, and insurer
//! keys ("blue_shield" → "Blue Shield").
//!
//! The ISO tables are generated from pycountry by `scripts/gazetteer.py` and embedded; a code a
//! table does not know is shown as itself rather than refused, because these lists are open.

use std::collections::HashMap;
use std::sync::LazyLock;

fn table(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

static COUNTRIES: LazyLock<HashMap<&str, &str>> =
    LazyLock::new(|| table(include_str!("../data/countries.tsv")));
static REGIONS: LazyLock<HashMap<&str, &str>> =
    LazyLock::new(|| table(include_str!("../data/regions.tsv")));
static CURRENCIES: LazyLock<HashMap<&str, &str>> =
    LazyLock::new(|| table(include_str!("../data/currencies.tsv")));
static LANGUAGES: LazyLock<HashMap<&str, &str>> =
    LazyLock::new(|| table(include_str!("../data/languages.tsv")));

/// The name of an ISO 3166-1 alpha-2 country code ("GB" → "United Kingdom").
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES.get(code).copied()
}

/// The name of a top-level ISO 3166-2 subdivision ("US-IL" → "Illinois").
pub fn region_name(code: &str) -> Option<&'static str> {
    REGIONS.get(code).copied()
}

/// A jurisdiction as people say it: a country ("United Kingdom") or a subdivision with its
/// country ("California, United States"); an unknown code is shown as it is.
pub fn jurisdiction_name(code: &str) -> String {
    match code.split_once('-') {
        Some((country, _)) => match (region_name(code), country_name(country)) {
            (Some(r), Some(c)) => format!("{r}, {c}"),
            (Some(r), None) => r.to_owned(),
            _ => code.to_owned(),
        },
        None => country_name(code).map_or_else(|| code.to_owned(), str::to_owned),
    }
}

/// A jurisdiction as a therapist may type it: a code ("GB", "us-ca") as it is (upper-cased), or
/// the name of exactly one country or subdivision ("United Kingdom", "California"); a name that
/// fits several ("Georgia") or none is `None`, so the form can ask for the code.
pub fn jurisdiction_code(text: &str) -> Option<String> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    if COUNTRIES.contains_key(upper.as_str()) || REGIONS.contains_key(upper.as_str()) {
        return Some(upper);
    }
    let mut found = COUNTRIES
        .iter()
        .chain(REGIONS.iter())
        .filter(|(_, name)| name.eq_ignore_ascii_case(t))
        .map(|(code, _)| (*code).to_owned());
    match (found.next(), found.next()) {
        (Some(code), None) => Some(code),
        _ => None,
    }
}

/// A language as a therapist may type it: an ISO 639-1 code ("pl") or its English name
/// ("Polish"), any letter case.
pub fn language_code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if let Some((code, _)) = LANGUAGES.get_key_value(lower.as_str()) {
        return Some(code);
    }
    LANGUAGES
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(t))
        .map(|(code, _)| *code)
}

/// The ISO 4217 name of a currency ("CHF" → "Swiss Franc").
pub fn currency_name(code: &str) -> Option<&'static str> {
    CURRENCIES.get(code).copied()
}

/// Every ISO 4217 currency code, sorted: what a therapist may charge in, whether or not anyone
/// in the directory does yet.
pub fn currency_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = CURRENCIES.keys().copied().collect();
    codes.sort_unstable();
    codes
}

/// How amounts in a currency are written: the sign before the number, and how many minor units
/// make a major one. Symbols shared by several currencies carry their country ("US$", "CA$")
/// because the directory spans countries; a currency without a symbol here is written by its
/// code, the way "CHF 150" is.
fn money_style(code: &str) -> (String, u32) {
    let (sign, digits) = match code {
        "GBP" => ("£", 2),
        "EUR" => ("€", 2),
        "USD" => ("US$", 2),
        "CAD" => ("CA$", 2),
        "AUD" => ("A$", 2),
        "NZD" => ("NZ$", 2),
        "HKD" => ("HK$", 2),
        "SGD" => ("S$", 2),
        "MXN" => ("MX$", 2),
        "BRL" => ("R$", 2),
        "INR" => ("₹", 2),
        "ILS" => ("₪", 2),
        "JPY" => ("¥", 0),
        "KRW" => ("₩", 0),
        "CNY" => ("CN¥", 2),
        "PLN" | "CHF" | "SEK" | "NOK" | "DKK" | "CZK" | "ZAR" => return (format!("{code} "), 2),
        _ => return (format!("{code} "), 2),
    };
    (sign.to_owned(), digits)
}

/// An amount in minor units written for its currency: 8000 GBP → "£80", 12050 USD →
/// "US$120.50", 15000 CHF → "CHF 150". Whole amounts drop their zeros, as price lists do.
pub fn format_money(minor: u64, currency: &str) -> String {
    let (sign, digits) = money_style(currency);
    let unit = 10u64.pow(digits);
    let (whole, rest) = (minor / unit, minor % unit);
    let whole = group_thousands(whole);
    if rest == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{rest:0width$}", width = digits as usize)
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A currency for a menu: "Pound Sterling (£)", "Swiss Franc (CHF)".
pub fn currency_label(code: &str) -> String {
    let (sign, _) = money_style(code);
    match currency_name(code) {
        Some(name) => format!("{name} ({})", sign.trim_end()),
        None => code.to_owned(),
    }
}

/// The English name of an ISO 639-1 language code ("pl" → "Polish"), or the code itself.
pub fn language_name(code: &str) -> String {
    LANGUAGES
        .get(code)
        .map_or_else(|| code.to_owned(), |n| (*n).to_owned())
}

/// Insurers whose names are not their keys in title case (acronyms, brand spellings).
const INSURERS: &[(&str, &str)] = &[
    ("aok", "AOK"),
    ("axa", "AXA"),
    ("bupa", "Bupa"),
    ("hcf", "HCF"),
    ("nib", "nib"),
    ("tk", "Techniker Krankenkasse (TK)"),
    ("united", "UnitedHealthcare"),
    ("kaiser", "Kaiser Permanente"),
    ("vhi", "Vhi Healthcare"),
    ("medicaid", "Medicaid"),
    ("medicare", "Medicare"),
    ("cigna", "Cigna"),
    ("aetna", "Aetna"),
];

/// An insurer key as a name people read: known brands by their own spelling, any other key in
/// title case ("blue_shield" → "Blue Shield", "irish-life" → "Irish Life").
pub fn insurer_name(key: &str) -> String {
    if let Some((_, name)) = INSURERS.iter().find(|(k, _)| *k == key) {
        return (*name).to_owned();
    }
    key.split(['_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subdivision_reads_as_region_and_country() {
        assert_eq!(jurisdiction_name("US-CA"), "California, United States");
        assert_eq!(jurisdiction_name("GB"), "United Kingdom");
        assert_eq!(jurisdiction_name("CA-QC"), "Quebec, Canada");
    }

    #[test]
    fn an_unknown_code_is_shown_as_itself() {
        assert_eq!(jurisdiction_name("XX-ZZ"), "XX-ZZ");
        assert_eq!(language_name("qq"), "qq");
        assert_eq!(format_money(1000, "XYZ"), "XYZ 10");
    }

    #[test]
    fn a_fee_is_written_the_way_its_currency_is() {
        assert_eq!(format_money(8000, "GBP"), "£80");
        assert_eq!(format_money(9000, "EUR"), "€90");
        assert_eq!(format_money(12000, "USD"), "US$120");
        assert_eq!(format_money(15000, "CHF"), "CHF 150");
        assert_eq!(format_money(8050, "GBP"), "£80.50");
        assert_eq!(format_money(1_250_000, "JPY"), "¥1,250,000");
    }

    #[test]
    fn every_code_the_generator_uses_has_a_name() {
        let listings = crate::matching::generate(3_000, 7);
        for l in &listings {
            for j in &l.jurisdictions {
                assert_ne!(jurisdiction_name(j.as_str()), j.as_str(), "{j}");
            }
            for c in &l.languages {
                assert_ne!(language_name(c.as_str()), c.as_str(), "{c}");
            }
            assert!(currency_name(l.fee.currency.as_str()).is_some());
        }
    }

    #[test]
    fn insurer_keys_read_as_names() {
        assert_eq!(insurer_name("blue_shield"), "Blue Shield");
        assert_eq!(insurer_name("irish_life"), "Irish Life");
        assert_eq!(insurer_name("axa"), "AXA");
    }

    #[test]
    fn a_currency_menu_entry_names_it_and_shows_its_sign() {
        assert_eq!(currency_label("GBP"), "Pound Sterling (£)");
        assert_eq!(currency_label("CHF"), "Swiss Franc (CHF)");
    }

    #[test]
    fn typed_names_or_codes_read_as_codes_and_ambiguous_names_do_not() {
        assert_eq!(language_code("Polish"), Some("pl"));
        assert_eq!(language_code(" EN "), Some("en"));
        assert_eq!(language_code("Klingon"), None);
        assert_eq!(jurisdiction_code("gb").as_deref(), Some("GB"));
        assert_eq!(jurisdiction_code("us-ca").as_deref(), Some("US-CA"));
        assert_eq!(jurisdiction_code("United Kingdom").as_deref(), Some("GB"));
        assert_eq!(jurisdiction_code("California").as_deref(), Some("US-CA"));
        assert_eq!(
            jurisdiction_code("Georgia"),
            None,
            "a country and a US state"
        );
        assert_eq!(jurisdiction_code("Atlantis"), None);
    }
}
