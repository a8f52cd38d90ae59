//! Account API under `/api/v1`: the same operations as the pages, as JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rapport_store::sessions;
use rapport_store::tokens::{self, TokenInfo};
use rapport_store::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, ClientIp, SignupInput};
use crate::auth::{self, SessionViewer, Via, Viewer};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;

/// The account routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login, logout))
        .routes(routes!(me))
        .routes(routes!(set_time_zone))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// An account as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    /// Account id.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// `client`, `therapist` or `admin`.
    pub role: String,
    /// IANA time zone, like `Europe/London`: the zone every time is shown in.
    pub time_zone: String,
}

impl From<&User> for AccountOut {
    fn from(u: &User) -> Self {
        AccountOut {
            id: u.id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().into(),
            time_zone: u.time_zone.name().to_owned(),
        }
    }
}

/// A new session: the account and the token to send as `X-CSRF-Token` on unsafe requests.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    /// The account.
    pub account: AccountOut,
    /// Send this as `X-CSRF-Token` with cookie-authenticated POST/PUT/DELETE requests.
    pub csrf_token: String,
}

/// Create an account and log in (sets the session cookie).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "account", request_body = SignupInput,
    responses((status = 201, description = "Signed up and logged in", body = SessionOut), (status = 422, description = "Invalid fields, each named"), (status = 429, description = "Too many attempts")))]
async fn signup(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<Response, AppError> {
    let user = service::signup(&state, &ip, &input).await?;
    session_response(&state, &headers, &user, StatusCode::CREATED).await
}

async fn session_response(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (cookie, csrf) = auth::start_session(state, headers, user).await?;
    let mut resp = (
        status,
        Json(SessionOut {
            account: user.into(),
            csrf_token: csrf,
        }),
    )
        .into_response();
    auth::append_cookie(resp.headers_mut(), &cookie);
    Ok(resp)
}

/// Login credentials.
#[derive(Deserialize, ToSchema)]
pub struct LoginIn {
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Password.
    #[serde(default)]
    pub password: String,
}

/// Log in (sets the session cookie; the session id is new on every login).
#[utoipa::path(post, path = "/api/v1/session", tag = "account", request_body = LoginIn,
    responses((status = 200, description = "Logged in", body = SessionOut), (status = 422, description = "E-mail and password don't match"), (status = 429, description = "Too many attempts")))]
async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LoginIn>,
) -> Result<Response, AppError> {
    let user = service::login(&state, &ip, &input.email, &input.password).await?;
    session_response(&state, &headers, &user, StatusCode::OK).await
}

/// Log out (ends this session).
#[utoipa::path(delete, path = "/api/v1/session", tag = "account", responses((status = 204, description = "Logged out")))]
async fn logout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    if let Via::Session { id_hash } = &viewer.via {
        sessions::delete(&state.db, id_hash).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    auth::append_cookie(resp.headers_mut(), &auth::end_session_cookie(&state));
    Ok(resp)
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, description = "Your account", body = AccountOut), (status = 401, description = "Not logged in")))]
async fn me(viewer: Viewer) -> Json<AccountOut> {
    Json((&viewer.user).into())
}

/// A time-zone change.
#[derive(Deserialize, ToSchema)]
pub struct TimeZoneIn {
    /// IANA time zone, like `America/New_York`.
    #[serde(default)]
    pub time_zone: String,
}

/// Change the account's time zone (an unknown name is a 422 naming `time_zone`).
#[utoipa::path(put, path = "/api/v1/me/time-zone", tag = "account", request_body = TimeZoneIn,
    responses((status = 200, description = "Saved; your account", body = AccountOut), (status = 401, description = "Not logged in"), (status = 422, description = "Unknown time zone")))]
async fn set_time_zone(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(input): ApiJson<TimeZoneIn>,
) -> Result<Json<AccountOut>, AppError> {
    let mut user = viewer.user;
    user.time_zone = service::set_time_zone(&state, &user, &input.time_zone).await?;
    Ok(Json((&user).into()))
}

/// A password change.
#[derive(Deserialize, ToSchema)]
pub struct PasswordIn {
    /// The current password.
    #[serde(default)]
    pub current_password: String,
    /// The new password, at least 10 characters.
    #[serde(default)]
    pub new_password: String,
}

/// Change the password; every other session of the account ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordIn,
    responses((status = 204, description = "Changed"), (status = 422, description = "Invalid fields")))]
async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(input): ApiJson<PasswordIn>,
) -> Result<StatusCode, AppError> {
    let keep = match &viewer.via {
        Via::Session { id_hash } => Some(id_hash.as_str()),
        Via::Token => None,
    };
    service::change_password(
        &state,
        &viewer.user,
        keep,
        &input.current_password,
        &input.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A token as the API lists it (never the secret itself).
#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    /// Token id (used to revoke it).
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Last use, Unix ms.
    pub last_used_at: Option<i64>,
    /// Revocation time, Unix ms.
    pub revoked_at: Option<i64>,
    /// When it stops working on its own, Unix ms.
    pub expires_at: Option<i64>,
}

impl From<TokenInfo> for TokenOut {
    fn from(t: TokenInfo) -> Self {
        TokenOut {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
        }
    }
}

/// The account's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "account", responses((status = 200, description = "Tokens, newest first", body = [TokenOut])))]
async fn list_tokens(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<TokenOut>>, AppError> {
    let list = tokens::list(&state.db, &viewer.user.id).await?;
    Ok(Json(list.into_iter().map(TokenOut::from).collect()))
}

/// A token to create.
#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    /// A name to recognise it by.
    #[serde(default)]
    pub name: String,
    /// How many days it works, 1 to 90 (90 when left out).
    #[serde(default)]
    pub days: Option<i64>,
}

/// A created token: the secret is shown this once.
#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    /// Token id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The secret, for `Authorization: Bearer …`. Only its hash is stored.
    pub token: String,
    /// When it stops working, Unix ms.
    pub expires_at: Option<i64>,
}

/// Create a personal access token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = TokenIn,
    responses((status = 201, description = "Created; the secret is shown this once", body = TokenCreated), (status = 403, description = "Asked with an API token"), (status = 422, description = "Invalid name or days")))]
async fn create_token(
    State(state): State<AppState>,
    SessionViewer(viewer): SessionViewer,
    ApiJson(input): ApiJson<TokenIn>,
) -> Result<(StatusCode, Json<TokenCreated>), AppError> {
    let (secret, info) =
        service::create_token(&state, &viewer.user, &input.name, input.days).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            id: info.id,
            name: info.name,
            token: secret,
            expires_at: info.expires_at,
        }),
    ))
}

/// Revoke one of your tokens; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account", params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such live token")))]
async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    if tokens::revoke(&state.db, &viewer.user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}
