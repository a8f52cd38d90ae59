//! What outcome views read: courses (a relationship with its start and, once ended, its end),
//! the measures scored in them, ending reasons, and what stayed pooled of deleted clients.
//!
//! Every query for a therapist or a practice carries the therapist's acceptance (see
//! [`crate::relationships::ACCEPTED`]) and the client's sharing in its `WHERE` clause (shared at
//! all, and measures shared too), so a relationship the therapist never accepted counts nowhere, a client who keeps measures private is never in
//! a therapist's view nor in a practice's statistics, and taking sharing back takes effect on the
//! very next read.

use serde_json::Value;

use crate::{Db, Result, with_pool};

/// A relationship read as a course of therapy.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CourseRow {
    /// The relationship.
    pub relationship_id: String,
    /// Its client.
    pub client_id: String,
    /// Its therapist's account, when they use Rapport.
    pub therapist_id: Option<String>,
    /// The therapist's name as the client knows them.
    pub therapist_name: String,
    /// When the relationship was recorded (the course's start), Unix ms.
    pub created_at: i64,
    /// The care stage, when one was recorded.
    pub stage: Option<String>,
    /// When the stage last changed, Unix ms (for an ended course, its end).
    pub stage_at: Option<i64>,
}

impl CourseRow {
    /// Whether the relationship has ended.
    pub fn finished(&self) -> bool {
        self.stage.as_deref() == Some("ended")
    }

    /// The end of the course's window: when it ended, or `None` while it runs.
    pub fn ended_at(&self) -> Option<i64> {
        self.finished().then_some(self.stage_at).flatten()
    }
}

/// One scored measure.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MeasureRow {
    /// The stored response.
    pub id: String,
    /// Whose.
    pub client_id: String,
    /// `phq9`, `gad7`, `ors`, `srs`.
    pub instrument_id: String,
    /// The scored result as stored (JSON).
    pub scores: String,
    /// When, Unix ms.
    pub created_at: i64,
}

impl MeasureRow {
    /// The `total` scale's value, if the stored result has one.
    pub fn total(&self) -> Option<f64> {
        let v: Value = serde_json::from_str(&self.scores).ok()?;
        v.get("scores")?
            .as_array()?
            .iter()
            .find(|s| s.get("id").and_then(Value::as_str) == Some("total"))?
            .get("value")?
            .as_f64()
    }
}

const COURSE: &str = "SELECT r.id AS relationship_id, r.client_id, r.therapist_user_id AS therapist_id, r.therapist_name, r.created_at, s.stage, s.updated_at AS stage_at FROM relationships r LEFT JOIN care_stages s ON s.relationship_id = r.id";
const SHARED: &str = concat!(
    "r.therapist_user_id IS NOT NULL AND ",
    accepted_sql!(),
    " AND r.sharing <> 'private' AND r.share_outcomes = 1"
);
const MEASURES: &str = "SELECT DISTINCT ir.id, ir.client_id, ir.instrument_id, ir.scores, ir.created_at FROM instrument_responses ir JOIN relationships r ON r.client_id = ir.client_id";
const OUTCOME_MEASURES: &str = "ir.instrument_id IN ('phq9', 'gad7', 'ors', 'srs')";
const ENDINGS: &str = concat!(
    "SELECT r.client_id, s.ending_reason, s.ended_at FROM care_stages s JOIN relationships r ON r.id = s.relationship_id WHERE r.therapist_user_id = $1 AND ",
    accepted_sql!(),
    " AND s.stage IN ('ending', 'ended') AND s.ending_reason IS NOT NULL AND s.ended_at IS NOT NULL ORDER BY s.ended_at, r.id"
);
const POOLED_ENDINGS: &str =
    "SELECT reason, ended_at FROM pooled_endings WHERE therapist_id = $1 ORDER BY ended_at, id";
const POOLED_COURSES_OF: &str =
    "SELECT therapist_id, summary FROM pooled_courses WHERE therapist_id = $1 ORDER BY id";
const POOLED_COURSES_IN: &str = "SELECT p.therapist_id, p.summary FROM pooled_courses p JOIN practice_members m ON m.user_id = p.therapist_id WHERE m.practice_id = $1 ORDER BY p.id";

/// One relationship shared (with its measures) with this therapist, as a course.
pub async fn shared_course(db: &Db, therapist_id: &str, id: &str) -> Result<Option<CourseRow>> {
    let sql = format!("{COURSE} WHERE r.id = $2 AND r.therapist_user_id = $1 AND {SHARED}");
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).bind(id).fetch_optional(pool).await)?,
    )
}

/// One of the client's own relationships, as a course.
pub async fn own_course(db: &Db, client_id: &str, id: &str) -> Result<Option<CourseRow>> {
    let sql = format!("{COURSE} WHERE r.id = $2 AND r.client_id = $1");
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(client_id).bind(id).fetch_optional(pool).await)?,
    )
}

/// Every course shared (with measures) with this therapist.
pub async fn shared_courses(db: &Db, therapist_id: &str) -> Result<Vec<CourseRow>> {
    let sql =
        format!("{COURSE} WHERE r.therapist_user_id = $1 AND {SHARED} ORDER BY r.created_at, r.id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).fetch_all(pool).await)?)
}

/// Every course shared (with measures) with a therapist of this practice.
pub async fn practice_courses(db: &Db, practice_id: &str) -> Result<Vec<CourseRow>> {
    let sql = format!(
        "{COURSE} JOIN practice_members m ON m.user_id = r.therapist_user_id WHERE m.practice_id = $1 AND {SHARED} ORDER BY r.created_at, r.id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(practice_id).fetch_all(pool).await)?)
}

/// The client's courses that share measures with a therapist (folded into the pool when the
/// client deletes their account).
pub async fn client_shared_courses(db: &Db, client_id: &str) -> Result<Vec<CourseRow>> {
    let sql = format!("{COURSE} WHERE r.client_id = $1 AND {SHARED} ORDER BY r.created_at, r.id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(client_id).fetch_all(pool).await)?)
}

/// The measures of the client of one relationship shared (with measures) with this therapist,
/// oldest first.
pub async fn shared_measures(db: &Db, therapist_id: &str, id: &str) -> Result<Vec<MeasureRow>> {
    let sql = format!(
        "{MEASURES} WHERE r.id = $2 AND r.therapist_user_id = $1 AND {SHARED} AND {OUTCOME_MEASURES} ORDER BY ir.created_at, ir.id"
    );
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).bind(id).fetch_all(pool).await)?,
    )
}

/// The measures of every client who shares measures with this therapist, oldest first.
pub async fn therapist_measures(db: &Db, therapist_id: &str) -> Result<Vec<MeasureRow>> {
    let sql = format!(
        "{MEASURES} WHERE r.therapist_user_id = $1 AND {SHARED} AND {OUTCOME_MEASURES} ORDER BY ir.created_at, ir.id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(therapist_id).fetch_all(pool).await)?)
}

/// The measures of every client who shares measures with a therapist of this practice.
pub async fn practice_measures(db: &Db, practice_id: &str) -> Result<Vec<MeasureRow>> {
    let sql = format!(
        "{MEASURES} JOIN practice_members m ON m.user_id = r.therapist_user_id WHERE m.practice_id = $1 AND {SHARED} AND {OUTCOME_MEASURES} ORDER BY ir.created_at, ir.id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(practice_id).fetch_all(pool).await)?)
}

/// The client's own measures, oldest first.
pub async fn own_measures(db: &Db, client_id: &str) -> Result<Vec<MeasureRow>> {
    let sql = format!(
        "SELECT ir.id, ir.client_id, ir.instrument_id, ir.scores, ir.created_at FROM instrument_responses ir WHERE ir.client_id = $1 AND {OUTCOME_MEASURES} ORDER BY ir.created_at, ir.id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(client_id).fetch_all(pool).await)?)
}

/// Endings of relationships with this therapist that have a reason: `(client, reason, when)`.
/// Only ever used pooled; the client id is for recording that their reason was counted.
pub async fn endings_for_therapist(
    db: &Db,
    therapist_id: &str,
) -> Result<Vec<(String, String, i64)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(ENDINGS).bind(therapist_id).fetch_all(pool).await)?)
}

/// Ending reasons kept pooled after their clients deleted their accounts: `(reason, when)`.
pub async fn pooled_endings(db: &Db, therapist_id: &str) -> Result<Vec<(String, i64)>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(POOLED_ENDINGS).bind(therapist_id).fetch_all(pool).await)?,
    )
}

/// Course summaries kept pooled for one therapist: `(therapist, summary JSON)`.
pub async fn pooled_courses_of(db: &Db, therapist_id: &str) -> Result<Vec<(String, String)>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(POOLED_COURSES_OF).bind(therapist_id).fetch_all(pool).await)?,
    )
}

/// Course summaries kept pooled for a practice's therapists: `(therapist, summary JSON)`.
pub async fn pooled_courses_in(db: &Db, practice_id: &str) -> Result<Vec<(String, String)>> {
    Ok(
        with_pool!(db, pool => sqlx::query_as(POOLED_COURSES_IN).bind(practice_id).fetch_all(pool).await)?,
    )
}
