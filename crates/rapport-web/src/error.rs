//! The one error type of the web layer and how each case is shown.
//!
//! 4xx answers carry a safe, specific message (which field, and why). A 5xx is logged once with
//! the request id and shown as a plain apology: no internals, no client data.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_core::{FieldError, Invalid};
use rapport_store::StoreError;
use serde::de::DeserializeOwned;
use serde_json::json;

/// Why a request did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was refused; each problem names its field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Not logged in (or a bad token).
    #[error("not logged in")]
    Unauthorized,
    /// Logged in, but this is not theirs to see or do.
    #[error("not allowed")]
    Forbidden,
    /// Logged in, but refused for a reason the person can act on (shown as given).
    #[error("refused: {0}")]
    Refused(String),
    /// Nothing here (also used for other people's data, so its existence is not revealed).
    #[error("not found")]
    NotFound,
    /// The request conflicts with what is stored (e.g. a repeated session number).
    #[error("{0}")]
    Conflict(String),
    /// The request failed the cross-site check.
    #[error("cross-site request refused")]
    Csrf,
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts")]
    TooMany(u64),
    /// Too busy to do this now (too many password checks at once); try again after this many
    /// seconds.
    #[error("busy")]
    Busy(u64),
    /// Something broke on our side.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// A refusal naming one field.
    pub fn field(field: &str, reason: &str) -> Self {
        AppError::Invalid(vec![FieldError::new(field, reason)])
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Refused(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person is told, never internals.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("Please check: {}", parts.join("; "))
            }
            AppError::Unauthorized => "Please log in first.".into(),
            AppError::Forbidden => "That isn't available to your account.".into(),
            AppError::NotFound => "We couldn't find that page.".into(),
            AppError::Conflict(m) | AppError::Refused(m) => m.clone(),
            AppError::Csrf => "This form had expired or came from another site. Please go back, reload the page and try again.".into(),
            AppError::TooMany(s) => format!("Too many attempts. Please wait {s} seconds and try again."),
            AppError::Busy(s) => format!("We're very busy just now. Please wait {s} seconds and try again; nothing was changed."),
            AppError::Internal(_) => "Sorry, something went wrong on our side. Nothing you entered was lost or half-saved; please try again in a moment.".into(),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e.0)
    }
}

/// A JSON body that does not parse, or does not have the expected shape, is answered like every
/// other refused input (422, JSON, `errors[].field`), not with axum's plain-text rejection. The
/// reason keeps axum's words, which name the offending path (`email: invalid type: …`).
impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        AppError::field("body", &r.body_text())
    }
}

/// `axum::Json` for request bodies, rejecting with an [`AppError`] (see `From<JsonRejection>`)
/// so that API clients get one error shape. Handlers take `ApiJson(input): ApiJson<T>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        Ok(ApiJson(axum::Json::<T>::from_request(req, state).await?.0))
    }
}

/// `axum::extract::Path` rejecting with an [`AppError`]: a path segment that cannot be the id it
/// names (`Path<RelationshipId>`) is a page that does not exist, 404 like any unknown id, in the
/// one error shape.
#[derive(Debug, Clone)]
pub struct IdPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> axum::extract::FromRequestParts<S> for IdPath<T> {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| IdPath(p.0))
            .map_err(|_| AppError::NotFound)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => AppError::Conflict(m.to_owned()),
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Marks a response as an error that the error-page layer may render as HTML for browsers.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// The message shown.
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let message = self.public_message();
        let body = match &self {
            AppError::Invalid(errors) => {
                json!({"error": "invalid", "message": message, "errors": errors})
            }
            _ => json!({"error": code(&self), "message": message}),
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if let AppError::TooMany(s) | AppError::Busy(s) = self {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp.extensions_mut().insert(ErrorInfo { message });
        resp
    }
}

fn code(e: &AppError) -> &'static str {
    match e {
        AppError::Invalid(_) => "invalid",
        AppError::Unauthorized => "unauthorized",
        AppError::Forbidden | AppError::Refused(_) => "forbidden",
        AppError::NotFound => "not_found",
        AppError::Conflict(_) => "conflict",
        AppError::Csrf => "csrf",
        AppError::TooMany(_) => "rate_limited",
        AppError::Busy(_) => "busy",
        AppError::Internal(_) => "internal",
    }
}
