//! The landing page, the help page (crisis resources), the stylesheet and the small scripts.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;

/// `/`, `/help`, `/static/app.css`, `/static/zone.js`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/help", get(help))
        .route("/static/app.css", get(css))
        .route("/static/zone.js", get(zone_js))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
}

/// The landing page for visitors; a signed-in person's own dashboard instead.
async fn home(
    State(state): State<AppState>,
    visitor: crate::auth::Visitor,
    layout: Layout,
) -> Result<axum::response::Response, AppError> {
    if let Some(dashboard) = super::dashboard::for_visitor(&state, visitor, layout.clone()).await? {
        return Ok(dashboard);
    }
    Ok(render(&Home { layout })?.into_response())
}

#[derive(Template)]
#[template(path = "help.html")]
struct Help {
    layout: Layout,
    lines: Vec<Vec<crate::pages::CrisisPiece>>,
}

async fn help(layout: Layout, State(state): State<AppState>) -> Result<Html<String>, AppError> {
    render(&Help {
        layout,
        lines: crate::pages::crisis_lines(&state.config.crisis_lines),
    })
}

async fn css() -> impl IntoResponse {
    (
        [
            ("content-type", "text/css; charset=utf-8"),
            ("cache-control", "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// Proposes the browser's time zone on sign-up and the account page (progressive: the forms
/// work without it).
async fn zone_js() -> impl IntoResponse {
    (
        [
            ("content-type", "text/javascript; charset=utf-8"),
            ("cache-control", "public, max-age=3600"),
        ],
        include_str!("../../static/zone.js"),
    )
}

/// The answer for any unknown path.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
