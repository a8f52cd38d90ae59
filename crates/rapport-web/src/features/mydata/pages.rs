//! The "my data" page (downloads) and the account deletion, with its confirmation page, for
//! every role: a client's erasure, or a therapist's or administrator's.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use rapport_core::FieldError;
use serde::Deserialize;

use super::erase;
use crate::auth::{self, AccountOwner};
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
    staff: bool,
}

async fn data(owner: AccountOwner, layout: Layout) -> Result<Response, AppError> {
    let staff = matches!(owner, AccountOwner::Staff(_));
    Ok(render_status(StatusCode::OK, &DataPage { layout, staff }))
}

#[derive(Template)]
#[template(path = "delete_account.html")]
struct ConfirmPage {
    layout: Layout,
    errors: Vec<FieldError>,
    staff: bool,
}

async fn confirm(owner: AccountOwner, layout: Layout) -> Result<Response, AppError> {
    Ok(render_status(
        StatusCode::OK,
        &ConfirmPage {
            layout,
            errors: vec![],
            staff: matches!(owner, AccountOwner::Staff(_)),
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
    owner: AccountOwner,
    layout: Layout,
    Form(f): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let confirmed = f.confirm.is_some();
    let staff = matches!(owner, AccountOwner::Staff(_));
    let done = match &owner {
        AccountOwner::Client(client) => {
            erase::delete_account(&state, client, &f.password, confirmed)
                .await
                .map(|_| ())
        }
        AccountOwner::Staff(s) => {
            erase::delete_staff_account(&state, s, &f.password, confirmed).await
        }
    };
    match done {
        Ok(()) => {
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
            &ConfirmPage {
                layout,
                errors,
                staff,
            },
        )),
        Err(AppError::Refused(why)) => Ok(render_status(
            StatusCode::CONFLICT,
            &ConfirmPage {
                layout,
                errors: vec![FieldError::new("confirm", &why)],
                staff,
            },
        )),
        Err(e) => Err(e),
    }
}
