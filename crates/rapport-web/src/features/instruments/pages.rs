//! Client pages: the measures on offer, a form per measure, and each result in plain words
//! (with crisis resources first whenever an answer calls for them).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rapport_core::FieldError;
use rapport_core::instrument::Definition;
use serde_json::Value;

use super::form::{Field, Values, fields, to_answers};
use super::service;
use super::view::{ResultView, date_time};
use crate::auth::ClientScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// `/measures`, `/measures/{id}` and `/measures/results/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/measures", get(list))
        .route("/measures/{id}", get(form).post(submit))
        .route("/measures/results/{id}", get(result))
}

/// A past result in the list.
struct Past {
    id: String,
    title: String,
    when: String,
}

#[derive(Template)]
#[template(path = "measures.html")]
struct ListPage {
    layout: Layout,
    measures: Vec<Definition>,
    past: Vec<Past>,
}

async fn list(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let measures = service::offered_list(&state).await?;
    let past = service::my_responses(&state, &client)
        .await?
        .into_iter()
        .map(|r| Past {
            title: r
                .scores
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(&r.instrument_id)
                .to_owned(),
            when: date_time(r.created_at, &client.user.time_zone),
            id: r.id,
        })
        .collect();
    Ok(render_status(
        StatusCode::OK,
        &ListPage {
            layout,
            measures,
            past,
        },
    ))
}

#[derive(Template)]
#[template(path = "measure.html")]
struct FormPage {
    layout: Layout,
    def: Definition,
    fields: Vec<Field>,
    errors: Vec<FieldError>,
    values: Values,
}

fn form_page(layout: Layout, def: Definition, errors: Vec<FieldError>, values: Values) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        layout,
        fields: fields(&def),
        def,
        errors,
        values,
    };
    render_status(status, &page)
}

async fn form(
    State(state): State<AppState>,
    _client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let def = service::offered(&state, &id).await?;
    Ok(form_page(layout, def, vec![], Values::default()))
}

async fn submit(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let def = service::offered(&state, &id).await?;
    let answers = Value::Object(to_answers(&def, &pairs));
    match service::respond(&state, &client, &id, &answers).await {
        Ok(stored) => Ok(Redirect::to(&format!("/measures/results/{}", stored.id)).into_response()),
        Err(AppError::Invalid(errors)) => Ok(form_page(layout, def, errors, Values(pairs))),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "measure_result.html")]
struct ResultPage {
    layout: Layout,
    v: ResultView,
    crisis_lines: Vec<Vec<crate::pages::CrisisPiece>>,
}

async fn result(
    State(state): State<AppState>,
    client: ClientScope,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let stored = service::my_response(&state, &client, &id).await?;
    let page = ResultPage {
        layout,
        v: ResultView::of(&stored, &client.user.time_zone),
        crisis_lines: crate::pages::crisis_lines(&state.config.crisis_lines),
    };
    Ok(render_status(StatusCode::OK, &page))
}
