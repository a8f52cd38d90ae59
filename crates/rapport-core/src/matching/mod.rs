//! Matching clients with therapists: the rules of `design/matching.md`, an exact in-memory
//! engine, and everything around it (vocabularies, listings, requests, directory files,
//! explanations, synthetic data, re-matching from a fit profile).
//!
//! The engine ([`Index`]) must return exactly what applying the rules to every listing returns;
//! [`naive::search`] does just that, plainly, and the tests hold one to the other.

mod bitset;
mod check;
mod cities;
mod classes;
mod codes;
mod csv;
mod explain;
mod filters;
mod fit;
mod fxhash;
mod generate;
mod geo;
mod import;
mod index;
mod listing;
pub mod naive;
mod offered;
mod query;
mod request;
mod rng;
mod row;
mod rules;
mod search;
mod slots;
pub mod vocab;

pub use codes::{Currency, Jurisdiction, Language, is_insurer};
pub use csv::{CSV_COLUMNS, parse_csv, parse_csv_numbered, to_csv};
pub use fit::{EndingReason, FitProfile};
pub use generate::{generate, generate_requests};
pub use geo::{EARTH_RADIUS_KM, haversine_km};
pub use import::{RowAt, RowError, parse_jsonl, parse_jsonl_numbered, to_jsonl};
pub use index::Index;
pub use listing::{Fee, Identity, Listing, Location, Slot, Style, parse_listing};
pub use offered::Offered;
pub use request::{GeoPoint, IdentityPrefs, Money, Preference, Request, parse_request};
pub use rules::{Components, MatchResponse, MatchResult, Weights};
pub use vocab::{
    Concern, Day, Ethnicity, Faith, Format, Gender, Modality, Population, Rating, Strength, Word,
    vocabularies_json,
};
