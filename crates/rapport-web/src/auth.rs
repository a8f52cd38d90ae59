//! Who is asking: resolving a session cookie or an API token into a [`Viewer`] once per request,
//! and the role-scoped extractors (`ClientScope`, `TherapistScope`, `AdminScope`) that handlers
//! take to prove access. Only these extractors build a scope, so a handler that forgot to check a
//! role does not compile against the store functions that need one.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rapport_store::users::{Role, User};
use rapport_store::{sessions, tokens};

use crate::error::AppError;
use crate::security::{csrf, secret};
use crate::state::AppState;

/// Name of the login cookie.
pub const SESSION_COOKIE: &str = "rapport_session";
/// Name of the cookie holding an anonymous visitor's form token.
pub const CSRF_COOKIE: &str = "rapport_csrf";

/// How the viewer proved who they are.
#[derive(Clone, Debug)]
pub enum Via {
    /// A browser session; `id_hash` identifies the stored session.
    Session {
        /// SHA-256 of the session id.
        id_hash: String,
    },
    /// A personal access token (API clients; no cookies, so no CSRF risk).
    Token,
}

/// A logged-in account, as resolved for this request.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The account.
    pub user: User,
    /// How they logged in.
    pub via: Via,
    /// The account's data version read with the session (see
    /// [`rapport_store::sessions::Session::data_version`]); `None` for API tokens, whose
    /// requests are never answered from memory.
    pub data_version: Option<i64>,
}

/// The token this request's forms must carry back.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Resolves the viewer, enforces the cross-site rules on unsafe requests, and hands anonymous
/// visitors a form token cookie.
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let page = !crate::pages::is_api_path(req.uri().path());
    match resolve_inner(&state, req, next).await {
        Ok(resp) => resp,
        // A browser never sees a JSON error: a refused form gets the calm error page.
        Err(e) if page => crate::pages::error_page(&state, e),
        Err(e) => e.into_response(),
    }
}

async fn resolve_inner(state: &AppState, req: Request, next: Next) -> Result<Response, AppError> {
    let headers = req.headers();
    let mut new_anon_token = None;
    // The session cookie names a session that is gone: a form it posted may be kept.
    let mut expired: Option<String> = None;
    let (viewer, token) = if let Some(bearer) = bearer(headers) {
        let user = tokens::user_for(&state.db, &secret::hash(&bearer))
            .await?
            .ok_or(AppError::Unauthorized)?;
        (
            Some(Viewer {
                user,
                via: Via::Token,
                data_version: None,
            }),
            CsrfToken(String::new()),
        )
    } else if let Some(sid) = cookie(
        headers,
        &cookie_name(SESSION_COOKIE, state.config.secure_cookies),
    ) {
        let id_hash = secret::hash(&sid);
        match sessions::find(&state.db, &id_hash).await? {
            Some(s) => (
                Some(Viewer {
                    user: s.user,
                    via: Via::Session { id_hash },
                    data_version: Some(s.data_version),
                }),
                CsrfToken(s.csrf),
            ),
            None => {
                expired = Some(id_hash);
                (
                    None,
                    anon_token(headers, state.config.secure_cookies, &mut new_anon_token),
                )
            }
        }
    } else {
        (
            None,
            anon_token(headers, state.config.secure_cookies, &mut new_anon_token),
        )
    };
    let unsafe_method = csrf::is_unsafe(req.method());
    let req = match expired {
        Some(id_hash) if unsafe_method => {
            match crate::features::account::kept::keep_expired(state, req, &id_hash).await? {
                Ok(to_login) => return Ok(to_login),
                Err(req) => req,
            }
        }
        _ => req,
    };
    let resent = viewer
        .as_ref()
        .filter(|v| unsafe_method && matches!(v.via, Via::Session { .. }))
        .and_then(|v| {
            crate::features::account::kept::resent_id(req.uri().query()).map(|id| (v.clone(), id))
        });
    let req = if unsafe_method {
        csrf::check(req, viewer.as_ref(), &token.0, new_anon_token.is_some()).await?
    } else {
        req
    };
    let mut req = req;
    req.extensions_mut().insert(viewer);
    req.extensions_mut().insert(token);
    let mut resp = next.run(req).await;
    if let Some((v, id)) = resent
        && !resp.status().is_server_error()
    {
        crate::features::account::kept::sent_again(state, &v, &id).await;
    }
    if let Some(t) = new_anon_token {
        if !resp.headers().contains_key(header::SET_COOKIE) {
            append_cookie(
                resp.headers_mut(),
                &cookie_line(CSRF_COOKIE, &t, None, state.config.secure_cookies),
            );
        }
    }
    Ok(resp)
}

fn anon_token(headers: &HeaderMap, secure: bool, fresh: &mut Option<String>) -> CsrfToken {
    match cookie(headers, &cookie_name(CSRF_COOKIE, secure)).filter(|t| t.len() == 64) {
        Some(t) => CsrfToken(t),
        None => {
            let t = secret::random_token();
            *fresh = Some(t.clone());
            CsrfToken(t)
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A cookie's name on the wire: with Secure cookies it carries the `__Host-` prefix, so the
/// browser accepts it only over HTTPS, from this host (no subdomain can plant one), for `/`.
pub fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// A `Set-Cookie` line: HttpOnly, SameSite=Lax, Secure (and `__Host-`) when configured;
/// `max_age` None = session cookie.
pub fn cookie_line(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let name = cookie_name(name, secure);
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    s
}

/// Adds a `Set-Cookie` header.
pub fn append_cookie(headers: &mut HeaderMap, line: &str) {
    if let Ok(v) = HeaderValue::from_str(line) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// Starts a new session for `user` (a fresh id, so a planted id never survives login) and ends
/// the one the request came with, if any. Returns the cookie line and the new CSRF token.
pub async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
) -> Result<(String, String), AppError> {
    if let Some(old) = cookie(
        headers,
        &cookie_name(SESSION_COOKIE, state.config.secure_cookies),
    ) {
        sessions::delete(&state.db, &secret::hash(&old)).await?;
    }
    let sid = secret::random_token();
    let csrf = secret::random_token();
    let ttl_ms = i64::from(state.config.session_hours) * 3_600_000;
    sessions::create(&state.db, &secret::hash(&sid), &user.id, &csrf, ttl_ms).await?;
    let line = cookie_line(
        SESSION_COOKIE,
        &sid,
        Some(ttl_ms / 1000),
        state.config.secure_cookies,
    );
    Ok((line, csrf))
}

/// A cookie line that removes the login cookie.
pub fn end_session_cookie(state: &AppState) -> String {
    cookie_line(SESSION_COOKIE, "", Some(0), state.config.secure_cookies)
}

/// The viewer, if logged in.
#[derive(Clone, Debug)]
pub struct MaybeViewer(pub Option<Viewer>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeViewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Ok(MaybeViewer(
            parts.extensions.get::<Option<Viewer>>().cloned().flatten(),
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
        MaybeViewer::from_request_parts(parts, s)
            .await?
            .0
            .ok_or(AppError::Unauthorized)
    }
}

/// A viewer logged in through a browser session, not an API token: for what a token must never
/// do on its own behalf (create more tokens).
#[derive(Clone, Debug)]
pub struct SessionViewer(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for SessionViewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
        let viewer = Viewer::from_request_parts(parts, s).await?;
        match viewer.via {
            Via::Session { .. } => Ok(SessionViewer(viewer)),
            Via::Token => Err(AppError::Refused(
                "An API token can't create tokens. Create one on your account page while logged in."
                    .into(),
            )),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::Internal("auth layer missing".into()))
    }
}

macro_rules! scope {
    ($name:ident, $role:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug)]
        pub struct $name {
            /// The account acting in this role.
            pub user: User,
            /// The account's data version read with the session, for answers kept in memory.
            pub data_version: Option<i64>,
            _proof: (),
        }

        impl $name {
            /// For code that already knows the role holds (demo seeding): not for handlers.
            #[allow(dead_code)]
            pub(crate) fn trusted(user: User) -> Self {
                $name {
                    user,
                    data_version: None,
                    _proof: (),
                }
            }
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = AppError;
            async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
                let viewer = Viewer::from_request_parts(parts, s).await?;
                if viewer.user.role == $role {
                    Ok($name {
                        user: viewer.user,
                        data_version: viewer.data_version,
                        _proof: (),
                    })
                } else {
                    Err(AppError::Forbidden)
                }
            }
        }
    };
}

scope!(
    ClientScope,
    Role::Client,
    "Proof that a client is acting on their own data."
);
scope!(
    TherapistScope,
    Role::Therapist,
    "Proof that a therapist is acting."
);
scope!(
    AdminScope,
    Role::Admin,
    "Proof that an administrator is acting."
);

/// Proof that a therapist or an administrator is acting on their own account (its export and
/// deletion), never on anyone's clinical data.
#[derive(Clone, Debug)]
pub struct StaffScope {
    /// The account.
    pub user: User,
    _proof: (),
}

/// Whoever is acting on their own account, by role: what the "my account" routes (export,
/// deletion) take, so each role reaches only its own kind of erasure.
#[derive(Clone, Debug)]
pub enum AccountOwner {
    /// A client, whose erasure pools what must stay pooled and destroys their key.
    Client(ClientScope),
    /// A therapist or administrator.
    Staff(StaffScope),
}

impl<S: Send + Sync> FromRequestParts<S> for AccountOwner {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
        let viewer = Viewer::from_request_parts(parts, s).await?;
        Ok(match viewer.user.role {
            Role::Client => AccountOwner::Client(ClientScope {
                user: viewer.user,
                data_version: viewer.data_version,
                _proof: (),
            }),
            Role::Therapist | Role::Admin => AccountOwner::Staff(StaffScope {
                user: viewer.user,
                _proof: (),
            }),
        })
    }
}

/// Whoever is visiting, by role, for pages that differ per role (the home page becomes each
/// role's dashboard): the scope comes from the same rule as the extractors above.
#[derive(Clone, Debug)]
pub enum Visitor {
    /// Nobody is signed in.
    Anonymous,
    /// A client.
    Client(ClientScope),
    /// A therapist.
    Therapist(TherapistScope),
    /// An administrator.
    Admin(AdminScope),
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
        let Some(viewer) = MaybeViewer::from_request_parts(parts, s).await?.0 else {
            return Ok(Visitor::Anonymous);
        };
        let (user, data_version) = (viewer.user, viewer.data_version);
        Ok(match user.role {
            Role::Client => Visitor::Client(ClientScope {
                user,
                data_version,
                _proof: (),
            }),
            Role::Therapist => Visitor::Therapist(TherapistScope {
                user,
                data_version,
                _proof: (),
            }),
            Role::Admin => Visitor::Admin(AdminScope {
                user,
                data_version,
                _proof: (),
            }),
        })
    }
}
