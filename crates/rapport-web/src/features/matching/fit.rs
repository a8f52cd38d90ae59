//! A client's saved preferences and fit profile: what they asked for, the style the next
//! therapist should have (steered by why past relationships ended), and whom not to suggest again.
//!
//! The wished style lives in one place, the fit profile: the preferences form edits it, endings
//! move it, and every search made from the pages applies it, so "we'll look for someone more
//! structured" is always what the search actually does.

use rapport_core::matching::{EndingReason, FitProfile, Request, Style, parse_request};
use rapport_core::{FieldError, Invalid};
use rapport_store::matching as store;
use serde_json::{Value, json};

use crate::auth::ClientScope;
use crate::error::AppError;
use crate::state::AppState;

/// The longest listing id the core accepts, so an exclusion can always name a real id.
const MAX_ID_CHARS: usize = 64;

/// The client's saved match request, if they have filled in the form.
pub async fn preferences(
    state: &AppState,
    client: &ClientScope,
) -> Result<Option<Request>, AppError> {
    let Some(text) = store::preferences(&state.db, &client.user.id).await? else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| AppError::Internal(format!("stored preferences are not JSON: {e}")))?;
    parse_request(&value)
        .map(Some)
        .map_err(|e| AppError::Internal(format!("stored preferences no longer parse: {e}")))
}

/// Saves the request and makes its style the fit profile's (keeping who is excluded).
pub async fn save_preferences(
    state: &AppState,
    client: &ClientScope,
    req: &Request,
) -> Result<(), AppError> {
    let text = serde_json::to_string(req).map_err(|e| AppError::Internal(e.to_string()))?;
    store::save_preferences(&state.db, &client.user.id, &text).await?;
    let style = req.style;
    change(state, &client.user.id, move |p| p.style = style).await?;
    Ok(())
}

/// The client's fit profile; a client with none has a neutral one.
pub async fn fit_profile(state: &AppState, client_id: &str) -> Result<FitProfile, AppError> {
    Ok(store::fit_profile(&state.db, client_id)
        .await?
        .map(|text| stored(Some(&text)))
        .unwrap_or_default())
}

/// Replaces the fit profile with one the client edited.
pub async fn set_fit_profile(
    state: &AppState,
    client: &ClientScope,
    profile: FitProfile,
) -> Result<FitProfile, AppError> {
    change(state, &client.user.id, move |p| *p = profile).await
}

/// Lets a therapist the client once ended with be suggested again.
pub async fn forget_exclusion(
    state: &AppState,
    client: &ClientScope,
    listing_id: &str,
) -> Result<FitProfile, AppError> {
    let id = listing_id.to_owned();
    change(state, &client.user.id, move |p| {
        p.exclude.remove(&id);
    })
    .await
}

/// Records why a relationship with a listed therapist ended: one step on one style dimension
/// and the therapist excluded from future suggestions. The care lifecycle calls this when a
/// client ends a relationship; the reason stays in the client's own profile and is never shown
/// to the therapist.
pub async fn apply_ending(
    state: &AppState,
    client_id: &str,
    therapist_listing_id: &str,
    reason: EndingReason,
) -> Result<FitProfile, AppError> {
    let id = therapist_listing_id.to_owned();
    change(state, client_id, move |p| p.apply_ending(&id, reason)).await
}

async fn change(
    state: &AppState,
    client_id: &str,
    edit: impl FnOnce(&mut FitProfile),
) -> Result<FitProfile, AppError> {
    let text = store::update_fit_profile(&state.db, client_id, |old| {
        let mut profile = stored(old);
        edit(&mut profile);
        to_json(&profile).to_string()
    })
    .await?;
    Ok(stored(Some(&text)))
}

/// Reads a stored profile; one that does not parse (it never should) reads as neutral rather
/// than locking the client out of matching.
fn stored(text: Option<&str>) -> FitProfile {
    let parsed = text.map(|t| {
        serde_json::from_str::<Value>(t)
            .map_err(|e| e.to_string())
            .and_then(|v| parse_fit_profile(&v).map_err(|e| e.to_string()))
    });
    match parsed {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            tracing::warn!(error = %e, "stored fit profile unreadable; using a neutral one");
            FitProfile::default()
        }
        None => FitProfile::default(),
    }
}

/// The profile as the API shows it: the style, the exclusions and the plain-words summary.
pub fn to_json(profile: &FitProfile) -> Value {
    json!({"style": profile.style, "exclude": profile.exclude, "description": profile.describe()})
}

/// Reads a fit profile: `style` (any of the four dimensions, each −3 … 3; a dimension left out is
/// 0) and `exclude` (listing ids). `description` is accepted and ignored, so what `GET` returns
/// can be sent back with changes.
pub fn parse_fit_profile(value: &Value) -> Result<FitProfile, Invalid> {
    let mut errors = Vec::new();
    let Some(map) = value.as_object() else {
        return Err(Invalid::one(
            "(top)",
            "must be an object with style and exclude",
        ));
    };
    for key in map
        .keys()
        .filter(|k| !["style", "exclude", "description"].contains(&k.as_str()))
    {
        errors.push(FieldError::new(key.as_str(), "is not a known field"));
    }
    let mut style = [0.0; 4];
    match map.get("style") {
        None | Some(Value::Null) => {}
        Some(Value::Object(dims)) => {
            for key in dims
                .keys()
                .filter(|k| !Style::DIMENSIONS.contains(&k.as_str()))
            {
                errors.push(FieldError::new(
                    format!("style.{key}"),
                    "is not a known field",
                ));
            }
            for (slot, name) in style.iter_mut().zip(Style::DIMENSIONS) {
                match dims.get(name) {
                    None | Some(Value::Null) => {}
                    Some(v) => match v.as_f64() {
                        Some(n) if (-3.0..=3.0).contains(&n) => *slot = n,
                        _ => errors.push(FieldError::new(
                            format!("style.{name}"),
                            "must be a number from -3 to 3",
                        )),
                    },
                }
            }
        }
        Some(_) => errors.push(FieldError::new("style", "must be an object")),
    }
    let mut profile = FitProfile::new(Style::from_array(style));
    match map.get("exclude") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            for (i, v) in ids.iter().enumerate() {
                match v.as_str() {
                    Some(id) if !id.is_empty() && id.chars().count() <= MAX_ID_CHARS => {
                        profile.exclude.insert(id.to_owned());
                    }
                    _ => errors.push(FieldError::new(
                        format!("exclude[{i}]"),
                        "must be a listing id (1 to 64 characters)",
                    )),
                }
            }
        }
        Some(_) => errors.push(FieldError::new("exclude", "must be a list of listing ids")),
    }
    if errors.is_empty() {
        Ok(profile)
    } else {
        Err(Invalid(errors))
    }
}
