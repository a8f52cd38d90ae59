//! Account pages: forms that work without JavaScript and show every problem at once.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rapport_core::FieldError;
use rapport_store::sessions;
use rapport_store::tokens::{self, TokenInfo};
use serde::Deserialize;

use super::service::{self, ClientIp, SignupInput};
use crate::auth::{self, MaybeViewer, SessionViewer, Via, Viewer};
use crate::error::AppError;
use crate::pages::{Layout, render, render_status};
use crate::state::AppState;

/// `/signup`, `/login`, `/logout`, `/account…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_form).post(signup))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/time-zone", post(change_time_zone))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .merge(super::kept::router())
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    layout: Layout,
    errors: Vec<FieldError>,
    email: String,
    display_name: String,
    role: String,
    time_zone: String,
    zone_names: &'static [String],
}

async fn signup_form(layout: Layout) -> Result<impl IntoResponse, AppError> {
    render(&SignupPage {
        layout,
        errors: vec![],
        email: String::new(),
        display_name: String::new(),
        role: "client".into(),
        time_zone: String::new(),
        zone_names: rapport_core::zone::names(),
    })
}

fn redirect_with_cookie(to: &str, cookie: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    auth::append_cookie(resp.headers_mut(), cookie);
    resp
}

fn form_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        other => Err(other),
    }
}

async fn signup(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    layout: Layout,
    Form(input): Form<SignupInput>,
) -> Result<Response, AppError> {
    match service::signup(&state, &ip, &input).await {
        Ok(user) => {
            let (cookie, _) = auth::start_session(&state, &headers, &user).await?;
            Ok(redirect_with_cookie("/", &cookie))
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let page = SignupPage {
                layout,
                errors,
                email: input.email,
                display_name: input.display_name,
                role: input.role.unwrap_or_default(),
                time_zone: input.time_zone,
                zone_names: rapport_core::zone::names(),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    errors: Vec<FieldError>,
    email: String,
    /// Where to go after logging in (a page on this site), carried through the form.
    next: String,
    /// A form kept when the session ended (see `kept`), offered after logging in.
    kept: String,
}

/// Where the login page was sent from: the page to return to, and a kept form.
#[derive(Deserialize, Default)]
struct Return {
    #[serde(default)]
    next: String,
    #[serde(default)]
    kept: String,
}

async fn login_form(
    layout: Layout,
    Query(r): Query<Return>,
) -> Result<impl IntoResponse, AppError> {
    render(&LoginPage {
        layout,
        errors: vec![],
        email: String::new(),
        next: r.next,
        kept: r.kept,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    kept: String,
}

async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    layout: Layout,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    match service::login(&state, &ip, &f.email, &f.password).await {
        Ok(user) => {
            let (cookie, _) = auth::start_session(&state, &headers, &user).await?;
            Ok(redirect_with_cookie(
                &super::kept::after_login(&f.kept, &f.next),
                &cookie,
            ))
        }
        Err(e) => {
            let errors = form_errors(e)?;
            Ok(render_status(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    layout,
                    errors,
                    email: f.email,
                    next: f.next,
                    kept: f.kept,
                },
            ))
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
) -> Result<Response, AppError> {
    if let Some(Viewer {
        via: Via::Session { id_hash },
        ..
    }) = viewer
    {
        sessions::delete(&state.db, &id_hash).await?;
    }
    Ok(redirect_with_cookie("/", &auth::end_session_cookie(&state)))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    new_token: Option<String>,
    email: String,
    role: &'static str,
    time_zone: String,
    zone_city: String,
    zone_names: &'static [String],
    tokens: Vec<TokenInfo>,
}

async fn account_page(
    state: &AppState,
    viewer: &Viewer,
    layout: Layout,
    errors: Vec<FieldError>,
    notice: Option<String>,
    new_token: Option<String>,
) -> Result<Response, AppError> {
    let tokens = tokens::list(&state.db, &viewer.user.id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AccountPage {
        layout,
        errors,
        notice,
        new_token,
        email: viewer.user.email.clone(),
        role: viewer.user.role.as_str(),
        time_zone: viewer.user.time_zone.name().to_owned(),
        zone_city: viewer.user.time_zone.city(),
        zone_names: rapport_core::zone::names(),
        tokens,
    };
    Ok(render_status(status, &page))
}

async fn account(
    State(state): State<AppState>,
    viewer: Viewer,
    layout: Layout,
) -> Result<Response, AppError> {
    account_page(&state, &viewer, layout, vec![], None, None).await
}

#[derive(Deserialize)]
struct ZoneForm {
    #[serde(default)]
    time_zone: String,
}

async fn change_time_zone(
    State(state): State<AppState>,
    viewer: Viewer,
    layout: Layout,
    Form(f): Form<ZoneForm>,
) -> Result<Response, AppError> {
    match service::set_time_zone(&state, &viewer.user, &f.time_zone).await {
        Ok(zone) => {
            let mut viewer = viewer;
            let notice = format!("Saved. Times are now shown in {} time.", zone.city());
            viewer.user.time_zone = zone;
            account_page(&state, &viewer, layout, vec![], Some(notice), None).await
        }
        Err(e) => account_page(&state, &viewer, layout, form_errors(e)?, None, None).await,
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    layout: Layout,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let keep = match &viewer.via {
        Via::Session { id_hash } => Some(id_hash.as_str()),
        Via::Token => None,
    };
    match service::change_password(
        &state,
        &viewer.user,
        keep,
        &f.current_password,
        &f.new_password,
    )
    .await
    {
        Ok(()) => {
            account_page(
                &state,
                &viewer,
                layout,
                vec![],
                Some("Your password was changed. Other devices were logged out.".into()),
                None,
            )
            .await
        }
        Err(e) => account_page(&state, &viewer, layout, form_errors(e)?, None, None).await,
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    SessionViewer(viewer): SessionViewer,
    layout: Layout,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    match service::create_token(&state, &viewer.user, &f.name, None).await {
        Ok((secret, _)) => account_page(&state, &viewer, layout, vec![], None, Some(secret)).await,
        Err(e) => account_page(&state, &viewer, layout, form_errors(e)?, None, None).await,
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if tokens::revoke(&state.db, &viewer.user.id, &id).await? {
        Ok(Redirect::to("/account").into_response())
    } else {
        Err(AppError::NotFound)
    }
}
