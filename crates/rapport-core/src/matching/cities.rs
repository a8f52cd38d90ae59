//! Real cities the synthetic directory is built around, weighted by metro population, with the
//! local jurisdiction, currency, languages, fees and insurers, so benchmarks see realistic
//! clustering (many listings in London, few in Cork) and realistic filter selectivity.

pub(crate) struct City {
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub jurisdiction: &'static str,
    pub neighbour: &'static str,
    pub currency: &'static str,
    pub millions: f64,
    pub spread_km: f64,
    pub fee: u64,
    pub languages: &'static [(&'static str, f64)],
    pub insurers: &'static [&'static str],
    pub credentials: &'static [&'static str],
}

const GB_LANG: &[(&str, f64)] = &[
    ("en", 1.0),
    ("pl", 0.05),
    ("ur", 0.04),
    ("pa", 0.03),
    ("fr", 0.05),
    ("es", 0.05),
    ("ar", 0.03),
    ("hi", 0.03),
];
const US_LANG: &[(&str, f64)] = &[
    ("en", 1.0),
    ("es", 0.2),
    ("zh", 0.04),
    ("ko", 0.02),
    ("vi", 0.02),
    ("ru", 0.02),
    ("fr", 0.03),
    ("ar", 0.01),
];
const CA_LANG: &[(&str, f64)] = &[
    ("en", 1.0),
    ("fr", 0.15),
    ("zh", 0.06),
    ("pa", 0.04),
    ("es", 0.04),
];
const QC_LANG: &[(&str, f64)] = &[("fr", 1.0), ("en", 0.7), ("es", 0.05), ("ar", 0.04)];
const AU_LANG: &[(&str, f64)] = &[
    ("en", 1.0),
    ("zh", 0.06),
    ("vi", 0.03),
    ("ar", 0.03),
    ("el", 0.02),
    ("it", 0.02),
];
const IE_LANG: &[(&str, f64)] = &[("en", 1.0), ("ga", 0.08), ("pl", 0.03), ("pt", 0.02)];
const DE_LANG: &[(&str, f64)] = &[
    ("de", 1.0),
    ("en", 0.45),
    ("tr", 0.06),
    ("ru", 0.04),
    ("pl", 0.03),
    ("ar", 0.03),
];

const GB_INS: &[&str] = &["bupa", "axa", "vitality", "aviva"];
const US_INS: &[&str] = &[
    "aetna",
    "cigna",
    "united",
    "blue_shield",
    "kaiser",
    "medicaid",
];
const CA_INS: &[&str] = &["sun_life", "manulife", "canada_life"];
const AU_INS: &[&str] = &["medibank", "bupa", "hcf", "medicare"];
const IE_INS: &[&str] = &["vhi", "laya", "irish_life"];
const DE_INS: &[&str] = &["tk", "aok", "barmer"];
const NZ_INS: &[&str] = &["southern_cross", "nib"];

const GB_CRED: &[&str] = &["BACP", "UKCP", "HCPC", "BABCP"];
const US_CRED: &[&str] = &["LCSW", "LMFT", "LPC", "PhD", "PsyD"];
const CA_CRED: &[&str] = &["RP", "RSW", "CPsych"];
const AU_CRED: &[&str] = &["AHPRA", "ACA", "PACFA"];
const IE_CRED: &[&str] = &["IACP", "PSI"];
const DE_CRED: &[&str] = &["PP", "HPG"];

macro_rules! city {
    ($name:literal, $lat:literal, $lon:literal, $j:literal, $n:literal, $cur:literal, $m:literal, $spread:literal, $fee:literal, $lang:ident, $ins:ident, $cred:ident) => {
        City {
            name: $name,
            lat: $lat,
            lon: $lon,
            jurisdiction: $j,
            neighbour: $n,
            currency: $cur,
            millions: $m,
            spread_km: $spread,
            fee: $fee,
            languages: $lang,
            insurers: $ins,
            credentials: $cred,
        }
    };
}

pub(crate) const CITIES: &[City] = &[
    city!(
        "London", 51.5072, -0.1276, "GB", "GB", "GBP", 9.0, 15.0, 85, GB_LANG, GB_INS, GB_CRED
    ),
    city!(
        "Manchester",
        53.4808,
        -2.2426,
        "GB",
        "GB",
        "GBP",
        2.8,
        10.0,
        60,
        GB_LANG,
        GB_INS,
        GB_CRED
    ),
    city!(
        "Birmingham",
        52.4862,
        -1.8904,
        "GB",
        "GB",
        "GBP",
        2.9,
        10.0,
        60,
        GB_LANG,
        GB_INS,
        GB_CRED
    ),
    city!(
        "Leeds", 53.8008, -1.5491, "GB", "GB", "GBP", 1.9, 8.0, 55, GB_LANG, GB_INS, GB_CRED
    ),
    city!(
        "Glasgow", 55.8642, -4.2518, "GB", "GB", "GBP", 1.7, 8.0, 55, GB_LANG, GB_INS, GB_CRED
    ),
    city!(
        "Edinburgh",
        55.9533,
        -3.1883,
        "GB",
        "GB",
        "GBP",
        0.9,
        6.0,
        65,
        GB_LANG,
        GB_INS,
        GB_CRED
    ),
    city!(
        "Bristol", 51.4545, -2.5879, "GB", "GB", "GBP", 0.7, 6.0, 60, GB_LANG, GB_INS, GB_CRED
    ),
    city!(
        "Cardiff", 51.4816, -3.1791, "GB", "GB", "GBP", 0.5, 5.0, 55, GB_LANG, GB_INS, GB_CRED
    ),
    city!(
        "Belfast", 54.5973, -5.9301, "GB", "IE", "GBP", 0.6, 5.0, 50, GB_LANG, GB_INS, GB_CRED
    ),
    city!(
        "Dublin", 53.3498, -6.2603, "IE", "IE", "EUR", 1.4, 8.0, 70, IE_LANG, IE_INS, IE_CRED
    ),
    city!(
        "Cork", 51.8985, -8.4756, "IE", "IE", "EUR", 0.3, 4.0, 60, IE_LANG, IE_INS, IE_CRED
    ),
    city!(
        "New York", 40.7128, -74.0060, "US-NY", "US-NJ", "USD", 19.5, 20.0, 200, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Los Angeles",
        34.0522,
        -118.2437,
        "US-CA",
        "US-CA",
        "USD",
        13.0,
        25.0,
        170,
        US_LANG,
        US_INS,
        US_CRED
    ),
    city!(
        "San Francisco",
        37.7749,
        -122.4194,
        "US-CA",
        "US-CA",
        "USD",
        4.7,
        15.0,
        200,
        US_LANG,
        US_INS,
        US_CRED
    ),
    city!(
        "San Diego",
        32.7157,
        -117.1611,
        "US-CA",
        "US-CA",
        "USD",
        3.3,
        12.0,
        150,
        US_LANG,
        US_INS,
        US_CRED
    ),
    city!(
        "Chicago", 41.8781, -87.6298, "US-IL", "US-IN", "USD", 9.4, 18.0, 150, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Houston", 29.7604, -95.3698, "US-TX", "US-TX", "USD", 7.1, 20.0, 130, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Austin", 30.2672, -97.7431, "US-TX", "US-TX", "USD", 2.3, 10.0, 140, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Seattle", 47.6062, -122.3321, "US-WA", "US-OR", "USD", 4.0, 12.0, 160, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Boston", 42.3601, -71.0589, "US-MA", "US-NH", "USD", 4.9, 12.0, 180, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Miami", 25.7617, -80.1918, "US-FL", "US-FL", "USD", 6.1, 15.0, 140, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Atlanta", 33.7490, -84.3880, "US-GA", "US-GA", "USD", 6.1, 15.0, 130, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Denver", 39.7392, -104.9903, "US-CO", "US-CO", "USD", 3.0, 10.0, 140, US_LANG, US_INS,
        US_CRED
    ),
    city!(
        "Philadelphia",
        39.9526,
        -75.1652,
        "US-PA",
        "US-NJ",
        "USD",
        6.2,
        14.0,
        150,
        US_LANG,
        US_INS,
        US_CRED
    ),
    city!(
        "Toronto", 43.6532, -79.3832, "CA-ON", "CA-ON", "CAD", 6.2, 15.0, 150, CA_LANG, CA_INS,
        CA_CRED
    ),
    city!(
        "Montreal", 45.5019, -73.5674, "CA-QC", "CA-ON", "CAD", 4.3, 12.0, 120, QC_LANG, CA_INS,
        CA_CRED
    ),
    city!(
        "Vancouver",
        49.2827,
        -123.1207,
        "CA-BC",
        "CA-BC",
        "CAD",
        2.6,
        10.0,
        150,
        CA_LANG,
        CA_INS,
        CA_CRED
    ),
    city!(
        "Sydney", -33.8688, 151.2093, "AU-NSW", "AU-ACT", "AUD", 5.3, 18.0, 180, AU_LANG, AU_INS,
        AU_CRED
    ),
    city!(
        "Melbourne",
        -37.8136,
        144.9631,
        "AU-VIC",
        "AU-VIC",
        "AUD",
        5.1,
        18.0,
        170,
        AU_LANG,
        AU_INS,
        AU_CRED
    ),
    city!(
        "Brisbane", -27.4698, 153.0251, "AU-QLD", "AU-QLD", "AUD", 2.6, 12.0, 160, AU_LANG, AU_INS,
        AU_CRED
    ),
    city!(
        "Auckland", -36.8485, 174.7633, "NZ", "NZ", "NZD", 1.7, 10.0, 160, AU_LANG, NZ_INS, AU_CRED
    ),
    city!(
        "Berlin", 52.5200, 13.4050, "DE", "DE", "EUR", 3.7, 12.0, 100, DE_LANG, DE_INS, DE_CRED
    ),
    city!(
        "Hamburg", 53.5511, 9.9937, "DE", "DE", "EUR", 1.9, 10.0, 95, DE_LANG, DE_INS, DE_CRED
    ),
    city!(
        "Munich", 48.1351, 11.5820, "DE", "DE", "EUR", 1.5, 10.0, 110, DE_LANG, DE_INS, DE_CRED
    ),
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Amara", "Ben", "Chloe", "Daniel", "Elena", "Farah", "George", "Hannah", "Ibrahim", "Jia",
    "Kofi", "Laura", "Mateo", "Nadia", "Oliver", "Priya", "Quinn", "Rosa", "Samuel", "Tara", "Uma",
    "Victor", "Wen", "Yusuf", "Zoe", "Aisling", "Lukas", "Marta", "Noah", "Siobhan", "Aroha",
    "Jamal", "Leila",
];

pub(crate) const SURNAMES: &[&str] = &[
    "Adeyemi", "Brennan", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Iqbal",
    "Jones", "Kowalski", "Lee", "Murphy", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Singh",
    "Taylor", "Walker", "Yilmaz", "Zhang", "Kaur", "Schmidt", "Novak", "Cohen", "Haddad", "Ngata",
    "Williams",
];
