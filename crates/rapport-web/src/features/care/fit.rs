//! Recording an ending in the client's fit profile.
//!
//! The fit profile belongs to the matching feature (`features::matching::fit::apply_ending`).
//! Until that module is registered in the app, this writes the very same stored shape through
//! the store's `update_fit_profile` (one transaction, so two endings at once both count), using
//! the core's `FitProfile::apply_ending` for the rule. Once matching is registered, [`record`]
//! should call `matching::apply_ending` instead and this file goes away.

use std::collections::BTreeSet;

use rapport_core::matching::{EndingReason, FitProfile, Style};
use rapport_store::matching as store;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::state::AppState;

/// Moves the client's wished style by the reason and, when the therapist is listed, excludes
/// them from future suggestions. Returns the profile in plain words.
pub async fn record(state: &AppState, client_id: &str, listing_id: Option<&str>, reason: EndingReason) -> Result<String, AppError> {
    let text = store::update_fit_profile(&state.db, client_id, |old| {
        let mut p = read(old);
        let kept = p.exclude.clone();
        p.apply_ending(listing_id.unwrap_or_default(), reason);
        if listing_id.is_none() {
            p.exclude = kept;
        }
        json!({"style": p.style, "exclude": p.exclude, "description": p.describe()}).to_string()
    })
    .await?;
    Ok(read(Some(&text)).describe())
}

/// Reads the stored profile (`{"style": {...}, "exclude": [...]}`); anything unreadable is neutral.
fn read(text: Option<&str>) -> FitProfile {
    let v: Value = text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
    let mut dims = [0.0; 4];
    for (slot, name) in dims.iter_mut().zip(Style::DIMENSIONS) {
        *slot = v["style"][name].as_f64().unwrap_or(0.0).clamp(-3.0, 3.0);
    }
    let exclude: BTreeSet<String> = v["exclude"].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default();
    FitProfile { style: Style::from_array(dims), exclude }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_shape_round_trips() {
        let mut p = read(None);
        p.apply_ending("t-1", EndingReason::WantedMoreStructure);
        let text = json!({"style": p.style, "exclude": p.exclude}).to_string();
        let back = read(Some(&text));
        assert_eq!(back.style.directiveness, 1.0);
        assert!(back.exclude.contains("t-1"));
    }
}
