//! A therapist's own outcomes (the rates their practice sees) and per-concern effectiveness, and
//! writing that effectiveness to their directory listing, which matching reads, only while they
//! consent.

use std::collections::BTreeSet;

use rapport_core::matching::{Concern, Listing, Rating, parse_listing};
use rapport_core::outcome::{CourseSummary, Domain, DomainResult, Tally, rate, tally};
use rapport_store::{audit, listings, outcomes, practices};
use serde::Serialize;

use super::courses;
use crate::error::AppError;
use crate::state::AppState;

/// Every course that counts for a therapist: the ones clients share measures of with them now,
/// and the pooled ones of clients who deleted their accounts. Also returns the clients counted,
/// for the audit log of whoever looks.
pub async fn courses_of(
    state: &AppState,
    therapist_id: &str,
) -> Result<(Vec<CourseSummary>, BTreeSet<String>), AppError> {
    let rows = outcomes::shared_courses(&state.db, therapist_id).await?;
    let measures = outcomes::therapist_measures(&state.db, therapist_id).await?;
    let pooled = outcomes::pooled_courses_of(&state.db, therapist_id).await?;
    let clients = rows.iter().map(|r| r.client_id.clone()).collect();
    let mut by = courses::by_therapist(&rows, &measures, &pooled);
    Ok((by.remove(therapist_id).unwrap_or_default(), clients))
}

/// A rating per measured domain.
pub fn ratings(courses: &[CourseSummary]) -> Vec<DomainResult> {
    Domain::ALL.iter().map(|d| rate(*d, courses)).collect()
}

/// A therapist's own outcomes.
#[derive(Clone, Debug, Serialize)]
pub struct Own {
    /// Courses counted into rates.
    pub tally: Tally,
    /// Effectiveness per domain.
    pub domains: Vec<DomainResult>,
}

/// The therapist's own outcomes; recorded in the audit log of every client counted.
pub async fn own(state: &AppState, therapist_id: &str) -> Result<Own, AppError> {
    let (courses, clients) = courses_of(state, therapist_id).await?;
    for client in &clients {
        audit::record(
            &state.db,
            therapist_id,
            client,
            "view_aggregate",
            "own outcome rates",
        )
        .await?;
    }
    Ok(Own {
        tally: tally(&courses),
        domains: ratings(&courses),
    })
}

/// What writing effectiveness to a listing did.
#[derive(Clone, Debug, Serialize)]
pub struct WriteBack {
    /// The listing written, if the therapist has one that parses.
    pub listing_id: Option<String>,
    /// The measured ratings now on the listing (depression, anxiety), empty without consent.
    pub published: Vec<(Concern, Rating)>,
    /// Whether the listing changed.
    pub changed: bool,
}

/// Puts the therapist's measured ratings on their listing (and into the matching index) when
/// they consent, and takes them off when they do not. Only the measured domains (depression,
/// anxiety) are touched; ratings for other concerns come from the directory and stay.
pub async fn write_back(state: &AppState, therapist_id: &str) -> Result<WriteBack, AppError> {
    let consent = practices::settings(&state.db, therapist_id)
        .await?
        .publish_effectiveness;
    let none = WriteBack {
        listing_id: None,
        published: Vec::new(),
        changed: false,
    };
    let Some(stored) = listings::by_user(&state.db, therapist_id).await? else {
        return Ok(none);
    };
    let Ok(mut listing) = serde_json::from_str(&stored.data)
        .map_err(|e| e.to_string())
        .and_then(|v| parse_listing(&v).map_err(|e| e.to_string()))
    else {
        tracing::warn!(listing = %stored.id, "a therapist's listing does not parse; effectiveness not written");
        return Ok(none);
    };
    let before = listing.effectiveness.clone();
    let rated = if consent {
        ratings(&courses_of(state, therapist_id).await?.0)
    } else {
        Vec::new()
    };
    for d in Domain::ALL {
        listing.effectiveness.remove(&d.concern());
    }
    let mut published = Vec::new();
    for r in rated {
        if let Some(rating) = r.rating {
            listing.effectiveness.insert(r.domain.concern(), rating);
            published.push((r.domain.concern(), rating));
        }
    }
    let changed = listing.effectiveness != before;
    if changed {
        save(state, therapist_id, &listing).await?;
    }
    Ok(WriteBack {
        listing_id: Some(listing.id),
        published,
        changed,
    })
}

async fn save(state: &AppState, therapist_id: &str, listing: &Listing) -> Result<(), AppError> {
    let text = serde_json::to_string(listing)
        .map_err(|e| AppError::Internal(format!("listing to JSON: {e}")))?;
    let (db, id, owner) = (
        state.db.clone(),
        listing.id.clone(),
        therapist_id.to_owned(),
    );
    state
        .directory
        .update(&state.db, vec![listing.clone()], async move {
            listings::upsert_own(&db, &id, &owner, &text)
                .await
                .map_err(AppError::from)
        })
        .await?;
    Ok(())
}
