//! Rapport's web app and JSON API.
//!
//! One module per feature under [`features`], each with its pages and its API handlers over the
//! same service functions; cross-cutting mechanisms live in [`auth`] and [`security`]. Handlers
//! stay thin: extract, parse into core types, authorize, call core and store, render.

pub mod auth;
pub mod config;
pub mod error;
pub mod features;
pub mod pages;
pub mod paging;
pub mod security;
pub mod server;
pub mod state;

use axum::Router;
use axum::middleware;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use config::Config;
pub use server::{ConnectionLimits, serve};
pub use state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Rapport API", description = "Find a therapist who fits, and know early whether it is working."),
    tags((name = "account", description = "Sign-up, login, tokens"), (name = "health", description = "Liveness and readiness"), (name = "alliance", description = "Relationships, check-ins, sharing, caseload"), (name = "care", description = "Appointments, waitlist, leaving well, referrals, calendars, outbox"), (name = "instruments", description = "Measures: definitions (also as FHIR), scored responses, licensed text"), (name = "matching", description = "Directory, match, listings, import, shortlist, consultations, fit profile"), (name = "feedback", description = "Therapists: alerts, outcome views, pooled feedback, settings"), (name = "practice", description = "Practice administration: members, waitlists, aggregate outcomes, effectiveness, CSV"), (name = "my data", description = "Clients: export (JSON, FHIR) and account deletion"))
)]
struct ApiDoc;

/// The whole application: every feature's routes, the OpenAPI document, and the layers.
pub fn router(state: AppState) -> Router {
    let (api_routes, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(features::account::api_router())
        .merge(features::health::router())
        .merge(features::relationships::api_router())
        .merge(features::care::api_router())
        .merge(features::instruments::api_router())
        .merge(features::matching::api_router())
        .merge(features::feedback::api_router())
        .merge(features::practice::api_router())
        .merge(features::mydata::api_router())
        .split_for_parts();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let openapi_json = openapi.to_pretty_json().unwrap_or_default();
    let x_request_id = axum::http::HeaderName::from_static("x-request-id");
    let secure = state.config.secure_cookies;
    let router = Router::new()
        .merge(api_routes)
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move {
                ([("content-type", "application/json")], openapi_json)
            }),
        )
        .merge(features::home::router())
        .merge(features::account::page_router())
        .merge(features::relationships::page_router())
        .merge(features::care::page_router())
        .merge(features::instruments::page_router())
        .merge(features::matching::page_router())
        .merge(features::feedback::page_router())
        .merge(features::practice::page_router())
        .merge(features::mydata::page_router())
        .fallback(features::home::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::error_pages,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve))
        .layer(middleware::from_fn(security::headers::add))
        .layer(RequestBodyLimitLayer::new(1 << 20))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(middleware::map_request(drop_unsafe_request_id));
    let router = if secure {
        router.layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    router.with_state(state)
}

/// The log span of a request. It names the matched route (`/calendar/{file}`), never the raw
/// path: paths can carry secrets (a calendar feed's token) and ids a log has no need for.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", axum::extract::MatchedPath::as_str);
    tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
}

/// A request id chosen by the client (or a proxy) is kept only when it is short and plain
/// (letters, digits, `-`, `_`, `.`, at most 64), so nobody can write what they like into the
/// logs; otherwise it is dropped and a fresh one is made.
async fn drop_unsafe_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    let safe = |v: &axum::http::HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    if req.headers().get("x-request-id").is_some_and(|v| !safe(v)) {
        req.headers_mut().remove("x-request-id");
    }
    req
}
