//! The client's waitlist and offers, calendar files and the secret calendar feed (pages).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_core::FieldError;
use rapport_store::now_ms;

use super::pages_client::{BookForm, book_view, hub_page};
use super::{calendar, waitlist};
use crate::auth::{ClientScope, Viewer};
use crate::error::AppError;
use crate::pages::Layout;
use crate::state::AppState;

/// Waitlist, offer and calendar routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care/therapists/{id}/waitlist", post(join))
        .route("/care/waitlist/{id}/leave", post(leave))
        .route("/care/offers/{id}/accept", post(accept))
        .route("/care/offers/{id}/decline", post(decline))
        .route("/care/appointments/{id}/calendar.ics", get(ics))
        .route("/care/calendar", post(new_feed))
        .route("/care/calendar/revoke", post(revoke_feed))
        .route("/calendar/{file}", get(feed))
}

async fn join(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let raw: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "days")
        .map(|(_, v)| v.clone())
        .collect();
    // The booking page's second form waits for the therapist's practice (any of its therapists).
    let practice = pairs.iter().any(|(k, v)| k == "scope" && v == "practice");
    let done = match waitlist::parse_days(&raw) {
        Ok(days) if practice => match rapport_store::practices::of_user(&state.db, &id).await? {
            Some(p) => waitlist::join_practice(&state, &client, &p.id, &days, now_ms())
                .await
                .map(|_| ()),
            None => Err(AppError::NotFound),
        },
        Ok(days) => waitlist::join(&state, &client, &id, &days, now_ms())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to("/care?done=joined").into_response()),
        Err(AppError::Invalid(errors)) => {
            book_view(
                &state,
                &client,
                layout,
                &id,
                errors,
                &BookForm::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            book_view(
                &state,
                &client,
                layout,
                &id,
                vec![FieldError::new(
                    if practice { "practice_days" } else { "days" },
                    &m,
                )],
                &BookForm::default(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn leave(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    waitlist::leave(&state, &client, &id, now_ms()).await?;
    Ok(Redirect::to("/care?done=left").into_response())
}

async fn accept(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match waitlist::accept(&state, &client, &id, now_ms()).await {
        Ok(_) => Ok(Redirect::to("/care?done=accepted").into_response()),
        Err(AppError::Conflict(m)) => {
            hub_page(
                &state,
                &client,
                layout,
                vec![FieldError::new("offer", &m)],
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn decline(
    State(state): State<AppState>,
    client: ClientScope,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    waitlist::decline(&state, &client, &id, now_ms()).await?;
    Ok(Redirect::to("/care?done=declined").into_response())
}

async fn ics(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let text = calendar::one(&state, &viewer.user, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, calendar::CONTENT_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"appointment.ics\"".to_owned(),
            ),
        ],
        text,
    )
        .into_response())
}

async fn new_feed(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let url = calendar::new_feed(&state, &client.user, now_ms()).await?;
    hub_page(&state, &client, layout, vec![], Some("Your new calendar link is below. Add it to your calendar app as a subscription; it works until you revoke it."), Some(url)).await
}

async fn revoke_feed(
    State(state): State<AppState>,
    client: ClientScope,
) -> Result<Response, AppError> {
    calendar::revoke_feed(&state, &client.user).await?;
    Ok(Redirect::to("/care?done=revoked").into_response())
}

async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let text = calendar::feed(&state, &file).await?;
    Ok(([(header::CONTENT_TYPE, calendar::CONTENT_TYPE)], text).into_response())
}
