//! Server-rendered pages: the layout every page shares, rendering, and error pages for browsers.

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rapport_store::users::Role;

use crate::auth::{CsrfToken, MaybeViewer};
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// What the shared layout needs: who is logged in, the form token, where help is.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The viewer's display name, when logged in.
    pub user_name: Option<String>,
    /// The viewer's role word, when logged in.
    pub role: Option<&'static str>,
    /// The token forms carry back.
    pub csrf: String,
    /// Target of the "Get help now" link.
    pub help_url: String,
}

impl Layout {
    /// True for a logged-in client.
    pub fn is_client(&self) -> bool {
        self.role == Some(Role::Client.as_str())
    }
    /// True for a logged-in therapist.
    pub fn is_therapist(&self) -> bool {
        self.role == Some(Role::Therapist.as_str())
    }
    /// True for a logged-in administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin.as_str())
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let viewer = MaybeViewer::from_request_parts(parts, state).await?.0;
        let csrf = CsrfToken::from_request_parts(parts, state).await?.0;
        Ok(Layout {
            user_name: viewer.as_ref().map(|v| v.user.display_name.clone()),
            role: viewer.as_ref().map(|v| v.user.role.as_str()),
            csrf,
            help_url: state.config.help_url.clone(),
        })
    }
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(t: &T) -> Result<Html<String>, AppError> {
    t.render()
        .map(Html)
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

/// Renders a template with a status (e.g. 422 for a form shown again with its errors).
pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match render(t) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    title: String,
    message: String,
}

/// For browsers (anything outside `/api/`), turns an error answer into a calm HTML page, and a
/// "please log in" into a redirect to the login page.
pub async fn error_pages(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let is_get = req.method() == axum::http::Method::GET;
    let csrf = req
        .extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default();
    let viewer = req
        .extensions()
        .get::<Option<crate::auth::Viewer>>()
        .cloned()
        .flatten();
    let resp = next.run(req).await;
    let Some(info) = resp.extensions().get::<ErrorInfo>().cloned() else {
        return resp;
    };
    if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
        return resp;
    }
    if resp.status() == StatusCode::UNAUTHORIZED && is_get {
        return Redirect::to("/login").into_response();
    }
    let status = resp.status();
    let page = ErrorPage {
        layout: Layout {
            user_name: viewer.as_ref().map(|v| v.user.display_name.clone()),
            role: viewer.as_ref().map(|v| v.user.role.as_str()),
            csrf,
            help_url: state.config.help_url.clone(),
        },
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        message: info.message,
    };
    let mut out = render_status(status, &page);
    for (k, v) in resp.headers() {
        if k == header::RETRY_AFTER || k == header::SET_COOKIE {
            out.headers_mut().append(k, v.clone());
        }
    }
    out
}

/// A Unix-ms time as `YYYY-MM-DD HH:MM (City)` in the viewer's zone: the one way pages print a
/// moment in lists and tables.
pub fn date_time(ms: i64, zone: &rapport_core::zone::Zone) -> String {
    zone.date_time(ms)
}
