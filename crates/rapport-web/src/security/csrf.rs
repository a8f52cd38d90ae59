//! Cross-site request forgery defence for every state-changing request, in one place.
//!
//! Two checks: the browser's own word (`Sec-Fetch-Site`, `Origin`) must not say the request came
//! from another site; and a request that rides on cookies must carry the session's token, in the
//! `csrf` form field or the `X-CSRF-Token` header. Requests with an API token carry no ambient
//! credentials and skip the token check; so do anonymous JSON requests, which a browser cannot
//! send cross-site without a CORS preflight that Rapport never grants, and other anonymous
//! non-form requests, which carry no credentials to abuse.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};

use crate::auth::{Via, Viewer};
use crate::error::AppError;
use crate::security::secret;

/// The largest form body read for the token check.
const MAX_FORM: usize = 1 << 20;

/// True for methods that may change state.
pub fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks an unsafe request; returns it (body intact) when it passes.
pub async fn check(
    req: Request,
    viewer: Option<&Viewer>,
    expected: &str,
    fresh_anon: bool,
) -> Result<Request, AppError> {
    let h = req.headers();
    if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(AppError::Csrf);
    }
    if let (Some(origin), Some(host)) = (h.get(header::ORIGIN), h.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or("");
        let host = host.to_str().unwrap_or("");
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        if origin_host != host {
            return Err(AppError::Csrf);
        }
    }
    if matches!(
        viewer,
        Some(Viewer {
            via: Via::Token,
            ..
        })
    ) {
        return Ok(req);
    }
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if let Some(sent) = h.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if !fresh_anon && secret::equal(sent, expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let urlencoded = content_type.starts_with("application/x-www-form-urlencoded");
    // Forms that carry a file are multipart; their token is a field like any other.
    let multipart = multer::parse_boundary(&content_type).ok();
    let form = urlencoded || multipart.is_some();
    if viewer.is_none() && !form {
        // No ambient credentials ride on this request, so there is nothing to forge: let the
        // handler answer (401 where a login is needed). Anonymous *forms* (sign-up, login) still
        // need the token, against login CSRF.
        return Ok(req);
    }
    if !form || fresh_anon {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM)
        .await
        .map_err(|_| AppError::field("body", "is too large"))?;
    let sent = match multipart {
        Some(boundary) => multipart_field(bytes.clone(), boundary, "csrf").await,
        None => form_field(&bytes, "csrf"),
    }
    .ok_or(AppError::Csrf)?;
    if !secret::equal(&sent, expected) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The text of the first multipart field called `name`, if the body holds one before anything
/// unreadable.
async fn multipart_field(body: Bytes, boundary: String, name: &str) -> Option<String> {
    let mut parts = multer::Multipart::new(Body::from(body).into_data_stream(), boundary);
    while let Ok(Some(part)) = parts.next_field().await {
        if part.name() == Some(name) {
            return part.text().await.ok();
        }
    }
    None
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    body.split(|b| *b == b'&')
        .filter_map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            let (k, v) = s.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
        .next()
}
