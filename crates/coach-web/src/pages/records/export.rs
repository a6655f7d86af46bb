//! Downloads of the records a list shows, as CSV that spreadsheets open
//! safely or as JSON (the same columns `coach export` writes).

use super::lists::ListQuery;
use crate::auth::Actor;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use coach_core::FieldError;
use coach_core::import::RecordKind;
use coach_store::crm::ExportFormat;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(crate) struct Format {
    #[serde(default)]
    format: String,
}

impl Format {
    /// The export format asked for, its file extension and content type.
    pub(crate) fn parse(&self) -> Result<(ExportFormat, &'static str, &'static str), AppError> {
        match self.format.as_str() {
            "" | "csv" => Ok((ExportFormat::Csv, "csv", "text/csv; charset=utf-8")),
            "json" => Ok((ExportFormat::Json, "json", "application/json")),
            _ => Err(AppError::Invalid(FieldError::new(
                "format",
                "choose csv or json",
            ))),
        }
    }
}

/// A download: `body` as the file `<stem>-<today>.<extension>`.
pub(crate) fn attachment(
    body: Vec<u8>,
    stem: &str,
    extension: &str,
    content_type: &'static str,
) -> Response {
    let name = format!(
        "attachment; filename=\"{stem}-{}.{extension}\"",
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

async fn download(
    state: AppState,
    actor: Actor,
    kind: RecordKind,
    query: ListQuery,
    format: Format,
) -> Result<Response, AppError> {
    let (format, extension, content_type) = format.parse()?;
    let mut filter = query.filter(&actor);
    filter.after = None;
    let mut body = Vec::new();
    state
        .store()
        .export(&actor.org.id, kind, filter, format, &mut body)
        .await?;
    Ok(attachment(body, kind.as_str(), extension, content_type))
}

macro_rules! export_route {
    ($name:ident, $kind:expr) => {
        pub(super) async fn $name(
            State(state): State<AppState>,
            actor: Actor,
            Query(query): Query<ListQuery>,
            Query(format): Query<Format>,
        ) -> Result<Response, AppError> {
            download(state, actor, $kind, query, format).await
        }
    };
}

export_route!(accounts, RecordKind::Accounts);
export_route!(contacts, RecordKind::Contacts);
export_route!(opportunities, RecordKind::Opportunities);
export_route!(calls, RecordKind::Calls);
