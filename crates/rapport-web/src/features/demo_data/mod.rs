//! Demo data for `rapport demo`: a practice people can learn from. Four therapists in four cities
//! with published weeks, forty-odd clients over several months whose check-ins reach every
//! alliance status, ruptures and repairs, PHQ-9 and GAD-7 courses, waitlists, endings with reasons
//! (enough for pooled feedback), every sharing choice, and a directory of a few thousand listings.
//!
//! Everything is recorded through the service functions the pages use, with a `now` in the past
//! where the history needs one, so audits, encryption, alerts and derived state are what a real
//! practice would have. Idempotent: each account and each client's story is written once, and a
//! second start finds them and adds nothing.

pub mod census;
pub mod patterns;
pub mod script;

use rapport_core::care::{EndingChoice, Kind};
use rapport_store::relationships::{self, Answer};
use rapport_store::users::{self, Role, User};
use serde_json::{Value, json};

use self::script::{CLIENTS, DemoTherapist, Story, THERAPISTS};
use crate::auth::{ClientScope, TherapistScope};
use crate::error::AppError;
use crate::features::care::{booking, ending, waitlist};
use crate::features::{instruments, matching, practice, relationships as rel_service};
use crate::state::AppState;

pub use census::{Census, census};

/// The demo password, shared by every demo account and printed at start-up.
pub const DEMO_PASSWORD: &str = "demo-password-1";
/// The original demo client, the account the README points people to first.
pub const DEMO_CLIENT: (&str, &str) = ("client@demo.rapport", "Sam (demo client)");
/// The demo practice's administrator.
pub const DEMO_ADMIN: (&str, &str) = ("admin@demo.rapport", "Practice admin (demo)");

const DAY: i64 = 86_400_000;
const WEEK: i64 = 7 * DAY;

/// Fills the database with the demo practice (see the module documentation) and returns what it
/// holds afterwards.
pub async fn seed(state: &AppState) -> Result<Census, AppError> {
    let now = rapport_store::now_ms();
    let hash = crate::security::password::hash(DEMO_PASSWORD)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut therapists = Vec::new();
    for t in THERAPISTS {
        let user = account(state, t.email, t.name, Role::Therapist, &hash, t.zone).await?;
        demo_week(state, &user, t).await?;
        matching::demo::seed(state, &user, t.city).await?;
        therapists.push(user);
    }
    let admin = account(
        state,
        DEMO_ADMIN.0,
        DEMO_ADMIN.1,
        Role::Admin,
        &hash,
        "Europe/London",
    )
    .await?;
    let ids: Vec<&str> = therapists.iter().map(|t| t.id.as_str()).collect();
    let practice_id = practice::service::seed_demo(state, &ids, &admin.id).await?;
    // Sam lives in New York and sees a London therapist: every time shows both clocks.
    let sam = account(
        state,
        DEMO_CLIENT.0,
        DEMO_CLIENT.1,
        Role::Client,
        &hash,
        "America/New_York",
    )
    .await?;
    sams_story(state, &sam, &therapists[0], now).await?;
    for n in 1..=CLIENTS {
        let story = script::story(n);
        let client = account(
            state,
            &script::client_email(n),
            &script::client_name(n),
            Role::Client,
            &hash,
            THERAPISTS[story.therapist].zone,
        )
        .await?;
        tell(
            state,
            &client,
            &therapists[story.therapist],
            &practice_id,
            &story,
            now,
        )
        .await?;
    }
    census(state).await
}

async fn account(
    state: &AppState,
    email: &str,
    name: &str,
    role: Role,
    hash: &str,
    zone: &str,
) -> Result<User, AppError> {
    let zone = rapport_core::zone::Zone::parse("time_zone", zone)
        .map_err(|e| AppError::Internal(format!("demo zone: {e:?}")))?;
    Ok(match users::credentials_by_email(&state.db, email).await? {
        Some(c) => c.user,
        None => users::create_in_zone(&state.db, email, name, role, hash, &zone).await?,
    })
}

/// Publishes a demo therapist's weekly hours, wall-clock times in their IANA zone.
pub async fn demo_week(state: &AppState, user: &User, t: &DemoTherapist) -> Result<(), AppError> {
    let slots: Vec<String> = t
        .days
        .iter()
        .flat_map(|d| (t.hours.0..=t.hours.1).map(move |h| format!("{d}-{h}")))
        .collect();
    let scope = TherapistScope::trusted(user.clone());
    booking::save_schedule(state, &scope, t.zone, "24", "50", &slots).await?;
    Ok(())
}

/// The original demo client: three check-ins with the demo therapist ending in a need to raise,
/// shared as a trend, and a PHQ-9 course that is improving.
async fn sams_story(
    state: &AppState,
    sam: &User,
    therapist: &User,
    now: i64,
) -> Result<(), AppError> {
    if !relationships::for_client(&state.db, &sam.id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let story = Story {
        therapist: 0,
        pattern: None,
        sharing: relationships::Sharing::Trend,
        share_outcomes: true,
        phq9: Some(script::Course::Improved),
        gad7: None,
        weeks_ago: 3,
        lag_days: 2,
        ending: None,
        waiting: false,
        requested: false,
        books_ahead: true,
    };
    let scope = ClientScope::trusted(sam.clone());
    let start = story_start(&story, now);
    let rel = begin(state, &scope, therapist, &story, start).await?;
    let checkins = [
        json!({"session": 1, "heard": 3, "open": 2, "attuned": 3, "trust": 3, "looking_forward": 2, "stirred": 2, "left_feeling": "stirred_ok"}),
        json!({"session": 2, "heard": 3, "open": 3, "attuned": 3, "trust": 3, "looking_forward": 3, "stirred": 3, "left_feeling": "stirred_ok", "flags": ["dread"]}),
        json!({"session": 3, "heard": 2, "open": 2, "attuned": 1, "trust": 3, "looking_forward": 2, "stirred": 1, "left_feeling": "better", "need": "More structure: a plan for what we work on each week."}),
    ];
    for (k, c) in checkins.into_iter().enumerate() {
        let Value::Object(obj) = c else { continue };
        let at = start + (k as i64 + 1) * WEEK;
        rel_service::service::record_checkin_at(state, &scope, &rel, obj, at).await?;
    }
    measures(state, &scope, &story, start, now - DAY).await?;
    looking_around(state, &scope).await?;
    book_next(state, &scope, therapist, now).await
}

/// Sam's saved match preferences (anxiety, in London, CBT preferred) and the two best matches on
/// their shortlist, so the match results and the shortlist show something at first start.
async fn looking_around(state: &AppState, scope: &ClientScope) -> Result<(), AppError> {
    let req = rapport_core::matching::parse_request(&json!({
        "location": {"lat": 51.5072, "lon": -0.1276}, "max_distance_km": 15,
        "formats": ["in_person", "video"], "jurisdiction": "GB", "languages": ["en"], "population": "adults",
        "concerns": ["anxiety"], "modalities": ["cbt"], "identity": {},
    }))?;
    matching::fit::save_preferences(state, scope, &req).await?;
    let found = matching::service::search(state, &req).await?;
    for result in found.results.iter().take(2) {
        matching::shortlist::add(state, scope, &result.id).await?;
    }
    Ok(())
}

/// Writes one client's story, unless it is already written (they have a relationship, or are
/// on a waitlist).
async fn tell(
    state: &AppState,
    client: &User,
    therapist: &User,
    practice_id: &str,
    story: &Story,
    now: i64,
) -> Result<(), AppError> {
    let scope = ClientScope::trusted(client.clone());
    let started = !relationships::for_client(&state.db, &client.id)
        .await?
        .is_empty()
        || !waitlist::entries(state, &scope).await?.is_empty();
    if started {
        return Ok(());
    }
    let start = story_start(story, now);
    if story.waiting {
        waitlist::join(state, &scope, &therapist.id, &[0, 2, 4], start).await?;
        waitlist::join_practice(state, &scope, practice_id, &[], start).await?;
    }
    if story.requested {
        relationships::create_at(
            &state.db,
            &client.id,
            &therapist.display_name,
            Some(&therapist.id),
            None,
            start,
        )
        .await?;
    }
    let Some(pattern) = story.pattern else {
        return measures(state, &scope, story, start, now - DAY).await;
    };
    let rel = begin(state, &scope, therapist, story, start).await?;
    measures(
        state,
        &scope,
        story,
        start,
        start + story.weeks_ago * WEEK - DAY,
    )
    .await?;
    let checkins = patterns::checkins(pattern);
    let mut last = start;
    for (k, c) in checkins.into_iter().enumerate() {
        last = start + (k as i64 + 1) * WEEK - 3 * 3_600_000;
        rel_service::service::record_checkin_at(state, &scope, &rel, c, last).await?;
    }
    if let Some(e) = story.ending {
        let choice = EndingChoice::parse(e.reason, e.farewell, false, false, "")?;
        ending::confirm(state, &scope, &rel, choice, last + 2 * DAY).await?;
    } else if story.books_ahead {
        book_next(state, &scope, therapist, now).await?;
    }
    Ok(())
}

/// Opens the client's relationship with the therapist at `start`, accepted by them a day later,
/// with the client's sharing choices.
async fn begin(
    state: &AppState,
    scope: &ClientScope,
    therapist: &User,
    story: &Story,
    start: i64,
) -> Result<String, AppError> {
    let rel = relationships::create_at(
        &state.db,
        &scope.user.id,
        &therapist.display_name,
        Some(&therapist.id),
        None,
        start,
    )
    .await?;
    relationships::answer(
        &state.db,
        &therapist.id,
        &rel.id,
        Answer::Accepted,
        start + DAY,
    )
    .await?;
    rel_service::service::set_sharing(state, scope, &rel.id, story.sharing).await?;
    if story.share_outcomes {
        rel_service::service::set_share_outcomes(state, scope, &rel.id, true).await?;
    }
    Ok(rel.id)
}

/// When a story's first session was: its check-ins are a week apart and the last was
/// `lag_days` ago.
fn story_start(story: &Story, now: i64) -> i64 {
    now - story.weeks_ago * WEEK - story.lag_days * DAY
}

/// The client's PHQ-9 and GAD-7 courses, spread evenly from just after `start` to `end` (their
/// last check-in, or today), so every measure falls inside the course it belongs to.
async fn measures(
    state: &AppState,
    scope: &ClientScope,
    story: &Story,
    start: i64,
    end: i64,
) -> Result<(), AppError> {
    for (id, items, course) in [("phq9", 9, story.phq9), ("gad7", 7, story.gad7)] {
        let Some(course) = course else { continue };
        let totals = script::totals(id, course);
        let first = start + 2 * 3_600_000;
        let step = (end - first) / (totals.len() as i64 - 1).max(1);
        for (k, total) in totals.iter().enumerate() {
            let at = first + k as i64 * step;
            let answers = script::answers(items, *total);
            instruments::service::respond_at(state, scope, id, &answers, at).await?;
        }
    }
    Ok(())
}

/// Books the client's next session: the therapist's first free time.
async fn book_next(
    state: &AppState,
    scope: &ClientScope,
    therapist: &User,
    now: i64,
) -> Result<(), AppError> {
    let t = booking::therapist(state, &therapist.id).await?;
    let Some(slot) = booking::free_slots(state, &t, now)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let req = booking::BookingRequest {
        starts_at: booking::StartsAt::Instant(slot),
        kind: Kind::Session,
        weeks: 1,
    };
    booking::book(state, scope, &therapist.id, &req, now).await?;
    Ok(())
}
