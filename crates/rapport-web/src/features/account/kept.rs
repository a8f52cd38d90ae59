//! Nothing typed is lost when a session ends mid-form.
//!
//! A form posted with an expired session's own token (which only that session's pages carried,
//! so a forged post cannot be kept) is kept sealed for its account ([`rapport_store::keep`]),
//! and the browser goes to the login page, which says so. After logging in, `/kept/{id}` shows
//! what was being sent and sends it with one press, to where it was going, as a normal post with
//! a fresh token; its handler then answers as always (its own errors beside its own fields). The
//! kept copy is removed once sent, on discard, or after half an hour.

use askama::Template;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_store::keep;

use crate::auth::Viewer;
use crate::error::{AppError, IdPath};
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// The largest form kept (the app's body limit is the same).
const MAX_BODY: usize = 1 << 20;

/// `/kept/{id}` and its discard button.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kept/{id}", get(show))
        .route("/kept/{id}/discard", post(discard))
}

/// A kept form's id in a path (opaque: it is only ever looked up with its owner's account).
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct KeptId(String);

/// For an unsafe page request whose session has expired: when it is a plain form carrying that
/// session's token, keeps it and answers with a redirect to the login page. Gives the request
/// back untouched when it is anything else (an API call, another kind of body, another token),
/// for the usual checks to refuse.
pub async fn keep_expired(
    state: &AppState,
    req: Request,
    id_hash: &str,
) -> Result<Result<Response, Request>, AppError> {
    let path = req.uri().path().to_owned();
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if path.starts_with("/api/") || path == "/login" || path == "/signup" || !is_form {
        return Ok(Err(req));
    }
    let Some((user_id, csrf)) = rapport_store::sessions::expired(&state.db, id_hash).await? else {
        return Ok(Err(req));
    };
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| AppError::field("body", "is too large"))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v);
    if !sent.is_some_and(|t| crate::security::secret::equal(t, &csrf)) {
        return Ok(Err(Request::from_parts(parts, Body::from(bytes))));
    }
    let kept: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
    let body = serde_urlencoded::to_string(&kept).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = keep::keep(
        &state.db,
        &state.vault,
        &user_id,
        &path,
        &body,
        rapport_store::now_ms(),
    )
    .await?;
    let to = format!(
        "/login?{}",
        serde_urlencoded::to_string([("kept", id.as_str()), ("next", path.as_str())])
            .map_err(|e| AppError::Internal(e.to_string()))?
    );
    Ok(Ok(Redirect::to(&to).into_response()))
}

/// The kept form an unsafe request sends again: its action carries `?kept=<id>`.
pub fn resent_id(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query?)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "kept")
        .map(|(_, v)| v)
}

/// After a kept form was sent again and answered, its kept copy goes.
pub async fn sent_again(state: &AppState, viewer: &Viewer, id: &str) {
    if let Err(e) = keep::discard(&state.db, &viewer.user.id, id).await {
        tracing::warn!(error = %e, "a kept form could not be removed after it was sent again");
    }
}

/// What a kept form was, in words, from where it was going.
fn what(path: &str) -> &'static str {
    if path.ends_with("/checkin") {
        "your check-in"
    } else if path.contains("/note") {
        "your note"
    } else if path.contains("/end") {
        "your ending"
    } else if path.starts_with("/care") {
        "your booking or appointment change"
    } else if path.starts_with("/measures") {
        "your questionnaire answers"
    } else if path.starts_with("/match") {
        "your search"
    } else {
        "what you were sending"
    }
}

#[derive(Template)]
#[template(path = "kept.html")]
struct KeptPage {
    layout: Layout,
    id: String,
    what: &'static str,
    when: String,
    action: String,
    fields: Vec<(String, String)>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    layout: Layout,
    IdPath(KeptId(id)): IdPath<KeptId>,
) -> Result<Response, AppError> {
    let kept = keep::get(
        &state.db,
        &state.vault,
        &viewer.user.id,
        &id,
        rapport_store::now_ms(),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_str(&kept.body).map_err(|e| AppError::Internal(e.to_string()))?;
    let action = format!(
        "{}?{}",
        kept.path,
        serde_urlencoded::to_string([("kept", kept.id.as_str())])
            .map_err(|e| AppError::Internal(e.to_string()))?
    );
    let page = KeptPage {
        layout,
        what: what(&kept.path),
        when: viewer.user.time_zone.label(kept.created_at),
        id: kept.id,
        action,
        fields,
    };
    Ok(render_status(StatusCode::OK, &page))
}

async fn discard(
    State(state): State<AppState>,
    viewer: Viewer,
    IdPath(KeptId(id)): IdPath<KeptId>,
) -> Result<Response, AppError> {
    keep::discard(&state.db, &viewer.user.id, &id).await?;
    Ok(Redirect::to("/").into_response())
}

/// Where login leads: a kept form first, else the page the person was on (a path on this site
/// only, never another site), else their home.
pub fn after_login(kept: &str, next: &str) -> String {
    let safe_id = !kept.is_empty()
        && kept.len() <= 64
        && kept.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if safe_id {
        return format!("/kept/{kept}");
    }
    if is_local_path(next) {
        return next.to_owned();
    }
    "/".to_owned()
}

/// A path on this site: starts with one `/`, no scheme, no backslash, no control characters, and
/// not the login or logout pages themselves.
fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(char::is_control)
        && !p.starts_with("/login")
        && !p.starts_with("/logout")
        && p.len() <= 512
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_returns_only_to_a_page_on_this_site() {
        assert_eq!(after_login("", "/relationships/abc"), "/relationships/abc");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/login",
            "",
        ] {
            assert_eq!(after_login("", bad), "/", "{bad}");
        }
    }

    #[test]
    fn a_kept_form_comes_before_the_page_and_its_id_must_look_like_one() {
        assert_eq!(after_login("0193-ab", "/care"), "/kept/0193-ab");
        assert_eq!(after_login("../x", "/care"), "/care");
    }
}
