//! The administrator's directory import page: choose a file (or paste rows), see every refused
//! row with its row number, field and reason, keep the good rows.
//!
//! The page posts `multipart/form-data` so that it can carry a file; a plain urlencoded post of
//! pasted rows is read the same way, for scripts and for the form with no file. Either way the
//! rows go through the one import the API and the CLI use ([`service::import`]).

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use rapport_core::FieldError;
use serde::Deserialize;

use super::service::{self, FileFormat, ImportReport};
use crate::auth::AdminScope;
use crate::error::AppError;
use crate::pages::{Layout, render_status};
use crate::state::AppState;

/// `/admin/directory`.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/directory", get(directory).post(import))
}

#[derive(Template)]
#[template(path = "admin_directory.html")]
struct DirectoryPage {
    layout: Layout,
    errors: Vec<FieldError>,
    text: String,
    csv: bool,
    size: usize,
    report: Option<ImportReport>,
}

async fn directory(
    State(state): State<AppState>,
    _admin: AdminScope,
    layout: Layout,
) -> Result<Response, AppError> {
    let size = state.directory.len(&state.db).await?;
    Ok(render_status(
        StatusCode::OK,
        &DirectoryPage {
            layout,
            errors: vec![],
            text: String::new(),
            csv: false,
            size,
            report: None,
        },
    ))
}

/// What the import form sent: pasted rows, the chosen format, and the chosen file if any.
#[derive(Deserialize, Default)]
struct ImportForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    format: String,
    #[serde(skip)]
    file: Option<Upload>,
}

/// A chosen file: its name (which may say its format) and its text.
struct Upload {
    name: String,
    text: String,
}

impl ImportForm {
    /// The format picked with the radio buttons (JSON Lines unless CSV was picked).
    fn chosen(&self) -> FileFormat {
        FileFormat::parse(&self.format).unwrap_or(FileFormat::JsonLines)
    }

    /// The rows to import and their format. A file's name ending in `.csv` or `.jsonl` decides
    /// its format (the radio buttons are easy to forget when choosing a file); otherwise the
    /// format chosen on the form. A file and pasted rows together are refused rather than one
    /// of them silently ignored.
    fn rows(&self) -> Result<(&str, FileFormat), AppError> {
        let chosen = self.chosen();
        match &self.file {
            Some(_) if !self.text.trim().is_empty() => Err(AppError::field(
                "file",
                "choose a file or paste rows, not both; clear the pasted rows to import the file",
            )),
            Some(f) => {
                let named = f
                    .name
                    .rsplit_once('.')
                    .and_then(|(_, ext)| FileFormat::parse(ext));
                Ok((&f.text, named.unwrap_or(chosen)))
            }
            None => Ok((&self.text, chosen)),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for ImportForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let axum::Form(form) = axum::Form::<ImportForm>::from_request(req, state)
                .await
                .map_err(|_| AppError::field("body", "must be the import form"))?;
            return Ok(form);
        }
        let unreadable = || AppError::field("file", "could not be read; please try again");
        let mut parts = Multipart::from_request(req, state)
            .await
            .map_err(|_| unreadable())?;
        let mut form = ImportForm::default();
        while let Some(part) = parts.next_field().await.map_err(|_| unreadable())? {
            let name = part.name().unwrap_or_default().to_owned();
            let file_name = part.file_name().map(str::to_owned);
            let bytes = part.bytes().await.map_err(|_| unreadable())?;
            let text = || {
                String::from_utf8(bytes.to_vec()).map_err(|_| {
                    AppError::field(&name, "must be text (JSON Lines or CSV) saved as UTF-8")
                })
            };
            match name.as_str() {
                "text" => form.text = text()?,
                "format" => form.format = text()?,
                // A form submitted with no file chosen still sends the part, empty and with an empty
                // file name.
                "file"
                    if !bytes.is_empty() || file_name.as_deref().is_some_and(|n| !n.is_empty()) =>
                {
                    form.file = Some(Upload {
                        name: file_name.unwrap_or_default(),
                        text: text()?,
                    });
                }
                _ => {}
            }
        }
        Ok(form)
    }
}

async fn import(
    State(state): State<AppState>,
    admin: AdminScope,
    layout: Layout,
    form: Result<ImportForm, AppError>,
) -> Result<Response, AppError> {
    let (pasted, chosen_csv) = form
        .as_ref()
        .map(|f| (f.text.clone(), f.chosen() == FileFormat::Csv))
        .unwrap_or_default();
    let attempt = async {
        let form = form?;
        let (text, format) = form.rows()?;
        let report = service::import(&state, &admin, text, format).await?;
        Ok::<_, AppError>((report, format))
    }
    .await;
    let (status, errors, report, text, csv) = match attempt {
        // Everything imported: an empty box, ready for the next file.
        Ok((report, format)) if report.errors.is_empty() => (
            StatusCode::OK,
            vec![],
            Some(report),
            String::new(),
            format == FileFormat::Csv,
        ),
        // Pasted rows stay in the box to be fixed; a file's rows are listed in the report.
        Ok((report, format)) => (
            StatusCode::OK,
            vec![],
            Some(report),
            pasted,
            format == FileFormat::Csv,
        ),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            None,
            pasted,
            chosen_csv,
        ),
        Err(e) => return Err(e),
    };
    let size = state.directory.len(&state.db).await?;
    Ok(render_status(
        status,
        &DirectoryPage {
            layout,
            errors,
            text,
            csv,
            size,
            report,
        },
    ))
}
