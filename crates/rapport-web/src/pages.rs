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
    let query = req.uri().query().map(str::to_owned);
    let resp = next.run(req).await;
    let Some(info) = resp.extensions().get::<ErrorInfo>().cloned() else {
        return resp;
    };
    if is_api_path(&path) {
        return resp;
    }
    if resp.status() == StatusCode::UNAUTHORIZED && is_get {
        // Back to this very page after logging in.
        let here = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let to = serde_urlencoded::to_string([("next", here.as_str())])
            .map_or_else(|_| "/login".to_owned(), |q| format!("/login?{q}"));
        return Redirect::to(&to).into_response();
    }
    let layout = Layout {
        user_name: viewer.as_ref().map(|v| v.user.display_name.clone()),
        role: viewer.as_ref().map(|v| v.user.role.as_str()),
        csrf,
        help_url: state.config.help_url.clone(),
    };
    let mut out = error_html(resp.status(), info.message, layout);
    for (k, v) in resp.headers() {
        if k == header::RETRY_AFTER || k == header::SET_COOKIE {
            out.headers_mut().append(k, v.clone());
        }
    }
    out
}

/// The error page itself: the status's name as its title, and the message.
fn error_html(status: StatusCode, message: String, layout: Layout) -> Response {
    let page = ErrorPage {
        layout,
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        message,
    };
    render_status(status, &page)
}

/// Paths answered in JSON whatever happens (the API and the health checks); every other path is
/// a page, and its errors are pages too.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/fhir/")
        || path == "/healthz"
        || path == "/readyz"
}

/// The calm error page for an error raised before a page's own layers ran (a refused form
/// token): nobody is signed in as far as this request goes, so the layout is anonymous.
pub fn error_page(state: &AppState, e: AppError) -> Response {
    let status = e.status();
    let message = e.public_message();
    let retry = match &e {
        AppError::TooMany(s) | AppError::Busy(s) => Some(*s),
        _ => None,
    };
    if let AppError::Internal(detail) = &e {
        tracing::error!(%detail, "request failed");
    }
    let layout = Layout {
        user_name: None,
        role: None,
        csrf: String::new(),
        help_url: state.config.help_url.clone(),
    };
    let mut out = error_html(status, message, layout);
    if let Some(v) = retry.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok()) {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    out
}

/// A Unix-ms time as `YYYY-MM-DD HH:MM (City)` in the viewer's zone: the one way pages print a
/// moment in lists and tables.
pub fn date_time(ms: i64, zone: &rapport_core::zone::Zone) -> String {
    zone.date_time(ms)
}

/// A piece of a crisis line as a template prints it: words, with a link target when the words
/// are a number to dial (`tel:`) or a site (see [`rapport_core::crisis`]).
pub struct CrisisPiece {
    /// The words as written.
    pub text: String,
    /// Where tapping them leads, when anywhere.
    pub href: Option<String>,
}

/// The deployment's crisis lines, each split into words, `tel:` links and site links.
pub fn crisis_lines(lines: &[String]) -> Vec<Vec<CrisisPiece>> {
    use rapport_core::crisis::{Piece, pieces};
    lines
        .iter()
        .map(|line| {
            pieces(line)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(text) => CrisisPiece { text, href: None },
                    Piece::Phone { shown, dial } => CrisisPiece {
                        text: shown,
                        href: Some(format!("tel:{dial}")),
                    },
                    Piece::Site { shown, href } => CrisisPiece {
                        text: shown,
                        href: Some(href),
                    },
                })
                .collect()
        })
        .collect()
}
