//! The client's "my data" page (downloads) and the account deletion, with its confirmation page.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use rapport_core::FieldError;
use serde::Deserialize;

use super::erase;
use crate::auth::{self, ClientScope};
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// `/account/data` and `/account/delete`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/data", get(data))
        .route("/account/delete", get(confirm).post(delete))
}

#[derive(Template)]
#[template(path = "my_data.html")]
struct DataPage {
    layout: Layout,
}

async fn data(_client: ClientScope, layout: Layout) -> Result<Response, AppError> {
    Ok(render_status(StatusCode::OK, &DataPage { layout }))
}

#[derive(Template)]
#[template(path = "delete_account.html")]
struct ConfirmPage {
    layout: Layout,
    errors: Vec<FieldError>,
}

async fn confirm(_client: ClientScope, layout: Layout) -> Result<Response, AppError> {
    Ok(render_status(
        StatusCode::OK,
        &ConfirmPage {
            layout,
            errors: vec![],
        },
    ))
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "account_deleted.html")]
struct DeletedPage {
    layout: Layout,
}

async fn delete(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Form(f): Form<DeleteForm>,
) -> Result<Response, AppError> {
    match erase::delete_account(&state, &client, &f.password, f.confirm.is_some()).await {
        Ok(_) => {
            let layout = Layout {
                user_name: None,
                role: None,
                ..layout
            };
            let mut resp = render_status(StatusCode::OK, &DeletedPage { layout });
            if let Ok(v) = auth::end_session_cookie(&state).parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(resp.into_response())
        }
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ConfirmPage { layout, errors },
        )),
        Err(e) => Err(e),
    }
}
