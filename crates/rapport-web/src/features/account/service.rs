//! The account operations both the pages and the API call, so each rule exists once.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rapport_core::FieldError;
use rapport_core::zone::Zone;
use rapport_store::tokens::TokenInfo;
use rapport_store::users::{self, Role, User};
use rapport_store::{StoreError, tokens};
use std::net::SocketAddr;

use crate::error::AppError;
use crate::security::{password, secret};
use crate::state::AppState;

/// The address attempts are counted against: the peer, or, when the deployment says a trusted
/// proxy sits in front, the last `X-Forwarded-For` entry: the one that proxy appended. Earlier
/// entries are whatever the client chose to send, so counting them would let a guesser pick a
/// fresh "address" for every attempt.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if state.config.trust_forwarded_for {
            if let Some(last) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .last()
            {
                return Ok(ClientIp(last.to_owned()));
            }
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientIp(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// A normalised, valid e-mail address (lower-cased; the login name): one that mail can be sent
/// to, as `lettre` reads it, with no control character (a NUL would end it early elsewhere).
#[derive(Clone, Debug)]
pub struct Email(String);

impl Email {
    /// Parses an address, naming `field` on refusal.
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.parse::<lettre::Address>().is_ok()
            && matches!(s.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@'));
        if ok {
            Ok(Email(s))
        } else {
            Err(FieldError::new(
                field,
                "must be an e-mail address like name@example.org",
            ))
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn display_name(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new("display_name", "is required"));
    }
    if s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(FieldError::new(
            "display_name",
            "must be at most 100 characters, on one line",
        ));
    }
    Ok(s.to_owned())
}

/// What sign-up asks for.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SignupInput {
    /// E-mail address, the login name.
    #[serde(default)]
    pub email: String,
    /// At least 10 characters.
    #[serde(default)]
    pub password: String,
    /// The name shown in the app.
    #[serde(default)]
    pub display_name: String,
    /// `client` (default) or `therapist`.
    #[serde(default)]
    pub role: Option<String>,
    /// IANA time zone such as `Europe/London` (the sign-up page proposes the browser's); empty
    /// or absent means UTC, which the account page can change any time.
    #[serde(default)]
    pub time_zone: String,
}

/// A submitted time zone: empty is UTC; anything else must be a zone the database knows.
pub fn time_zone(raw: &str) -> Result<Zone, FieldError> {
    if raw.trim().is_empty() {
        Ok(Zone::utc())
    } else {
        Zone::parse("time_zone", raw)
    }
}

/// Changes the viewer's time zone; every time they see from now on is in it.
pub async fn set_time_zone(state: &AppState, user: &User, raw: &str) -> Result<Zone, AppError> {
    let zone = Zone::parse("time_zone", raw).map_err(|e| AppError::Invalid(vec![e]))?;
    users::set_time_zone(&state.db, &user.id, &zone).await?;
    Ok(zone)
}

/// Creates an account after checking every field (all problems reported together).
pub async fn signup(
    state: &AppState,
    ip: &ClientIp,
    input: &SignupInput,
) -> Result<User, AppError> {
    state
        .auth_by_ip
        .hit(&format!("signup:{}", ip.0))
        .map_err(AppError::TooMany)?;
    let mut errors = Vec::new();
    let email = Email::parse("email", &input.email)
        .map_err(|e| errors.push(e))
        .ok();
    let name = display_name(&input.display_name)
        .map_err(|e| errors.push(e))
        .ok();
    if let Err(AppError::Invalid(mut e)) = password::check_rules("password", &input.password) {
        errors.append(&mut e);
    }
    let role = match input.role.as_deref().unwrap_or("client") {
        "client" => Some(Role::Client),
        "therapist" => Some(Role::Therapist),
        _ => {
            errors.push(FieldError::new("role", "must be client or therapist (administrators are created with `rapport user create`)"));
            None
        }
    };
    let zone = time_zone(&input.time_zone).map_err(|e| errors.push(e)).ok();
    let (Some(email), Some(name), Some(role), Some(zone), true) =
        (email, name, role, zone, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let hash = state.passwords.hash(&input.password).await?;
    users::create_in_zone(&state.db, email.as_str(), &name, role, &hash, &zone)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Invalid(vec![FieldError::new(
                "email",
                "is already registered; please log in instead",
            )]),
            other => other.into(),
        })
}

/// The answer to any failed login, whether or not the account exists.
pub fn bad_credentials() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "password",
        "doesn't match that e-mail address, or no account uses it; please try again",
    )])
}

/// Checks a login, counting the attempt against the IP address and the (account, address)
/// pair; failures on the account from anywhere slow its next attempts down, never lock it.
pub async fn login(
    state: &AppState,
    ip: &ClientIp,
    email: &str,
    pass: &str,
) -> Result<User, AppError> {
    state
        .auth_by_ip
        .hit(&format!("login:{}", ip.0))
        .map_err(AppError::TooMany)?;
    let Ok(email) = Email::parse("email", email) else {
        return Err(bad_credentials());
    };
    state
        .auth_by_account
        .hit(&format!("{}|{}", email.as_str(), ip.0))
        .map_err(AppError::TooMany)?;
    let wait = state.login_backoff.delay(email.as_str());
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let creds = users::credentials_by_email(&state.db, email.as_str()).await?;
    let (user, hash) = match creds {
        Some(c) => (Some(c.user), Some(c.password_hash)),
        None => (None, None),
    };
    match (state.passwords.verify(hash, pass).await?, user) {
        (true, Some(user)) => Ok(user),
        _ => {
            state.login_backoff.failed(email.as_str());
            Err(bad_credentials())
        }
    }
}

/// Changes a password after checking the current one; the account's other sessions end and its
/// API tokens are revoked.
pub async fn change_password(
    state: &AppState,
    user: &User,
    keep_session: Option<&str>,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    password::check_rules("new_password", new)?;
    let creds = users::credentials_by_id(&state.db, &user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    state
        .passwords
        .confirm(&user.id, creds.password_hash, current, "current_password")
        .await?;
    let hash = state.passwords.hash(new).await?;
    users::replace_password(&state.db, &user.id, &hash, keep_session.unwrap_or("")).await?;
    Ok(())
}

/// Creates a personal access token working for `days` (at most 90; 90 when not given); the
/// secret is returned once and only its hash is kept. Only a logged-in browser session may do
/// this (the extractor is [`crate::auth::SessionViewer`]): a token that could mint tokens would
/// let a leaked one outlive its revocation and expiry.
pub async fn create_token(
    state: &AppState,
    user: &User,
    name: &str,
    days: Option<i64>,
) -> Result<(String, TokenInfo), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field("name", "must be 1 to 100 characters"));
    }
    let days = days.unwrap_or(tokens::MAX_LIFETIME_DAYS);
    if !(1..=tokens::MAX_LIFETIME_DAYS).contains(&days) {
        return Err(AppError::field(
            "days",
            &format!("must be 1 to {} days", tokens::MAX_LIFETIME_DAYS),
        ));
    }
    let secret = format!("rpt_{}", secret::random_token());
    let info = tokens::create(&state.db, &user.id, name, &secret::hash(&secret), days).await?;
    Ok((secret, info))
}
