//! Paged lists: the `?page=N` every long list takes (the audit log, refused attempts), parsed
//! once, so no list a person reads is ever loaded whole.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;

/// Entries per page.
pub const PAGE_SIZE: u32 = 100;

/// The highest page asked for (beyond it a list this long is better exported).
const MAX_PAGE: u32 = 10_000;

/// `?page=N`, from 1 (the newest); 1 when left out.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// The page, from 1 (the newest entries).
    #[serde(default)]
    pub page: Option<String>,
}

impl PageQuery {
    /// The page number, or a refusal naming `page`.
    pub fn number(&self) -> Result<u32, AppError> {
        match self.page.as_deref().map(str::trim) {
            None | Some("") => Ok(1),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    AppError::field(
                        "page",
                        &format!("must be a whole number from 1 to {MAX_PAGE}"),
                    )
                }),
        }
    }
}
