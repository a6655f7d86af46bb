//! Importing CRM exports in the browser (admins): upload a file, see what
//! Coach recognised (source, columns, formats) with the first rows, adjust the
//! column mapping, check the whole file (a dry run), then import. The same
//! importer as `coach import`, with the same contract (reliability.md).

use super::RouteBook;
use super::layout::{COMMON_ZONES, Shell, html, sentence};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::FieldError;
use coach_core::import::{Field, Mapping, RecordKind, Source, detect_source};
use coach_core::tabular::{self, TableReader};
use coach_store::crm::{ImportError, ImportReport, ImportRequest, Upload};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/import", form)
        .post("/import", upload)
        .get("/import/{id}", preview)
        .post("/import/{id}", run)
}

const SAMPLE_ROWS: usize = 5;
const SAMPLE_CELL: usize = 40;

#[derive(Template)]
#[template(path = "import.html")]
struct UploadPage {
    shell: Shell,
    kinds: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    RecordKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

fn sources() -> Vec<(&'static str, &'static str)> {
    let mut out = vec![("", "Recognise it from the columns")];
    out.extend(Source::ALL.iter().map(|s| (s.as_str(), s.label())));
    out
}

fn upload_page(actor: &Actor, state: &AppState, error: Option<String>) -> UploadPage {
    UploadPage {
        shell: Shell::new(actor, "/settings", state.config().email_enabled),
        kinds: kinds(),
        sources: sources(),
        error,
    }
}

async fn form(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    policy::check(&actor, Action::ImportData)?;
    Ok(html(StatusCode::OK, &upload_page(&actor, &state, None)))
}

async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    use axum::extract::FromRequest as _;
    policy::check(&actor, Action::ImportData)?;
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| {
            AppError::Invalid(FieldError::new(
                "file",
                "send the file as a form upload (multipart/form-data) with a file field",
            ))
        })?;
    let mut kind = None;
    let mut source = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("the upload was cut off; try again".to_owned()))?
    {
        match field.name() {
            Some("kind") => {
                kind = field
                    .text()
                    .await
                    .ok()
                    .and_then(|k| k.parse::<RecordKind>().ok())
            }
            Some("source") => source = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_owned();
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let refuse = |message: &str| {
        Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &upload_page(&actor, &state, Some(message.to_owned())),
        ))
    };
    let Some(kind) = kind else {
        return refuse("Choose what the file holds.");
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse("Choose a CSV file exported from your CRM.");
    };
    let name: String = name
        .chars()
        .filter(|c| !c.is_control() && !coach_core::validate::is_bidi_control(*c))
        .take(120)
        .collect();
    let tag = if source.parse::<Source>().is_ok() {
        format!("{}:{source}", kind.as_str())
    } else {
        kind.as_str().to_owned()
    };
    let id = state
        .store()
        .save_upload(&actor.org.id, &actor.user.id, &tag, &name, &bytes)
        .await?;
    Ok(Redirect::to(&format!("/import/{id}")).into_response())
}

/// One field of the mapping form.
pub(crate) struct FieldRow {
    key: &'static str,
    label: &'static str,
    required: bool,
    selected: String,
}

/// What an import or check did, for people.
pub(crate) struct ReportView {
    summary: String,
    rows: u64,
    errors: Vec<String>,
    error_count: u64,
    unmapped: Vec<(String, u64)>,
    footer_lines: usize,
}

impl From<&ImportReport> for ReportView {
    fn from(r: &ImportReport) -> Self {
        ReportView {
            summary: r.summary(),
            rows: r.rows,
            errors: r.errors.iter().map(ToString::to_string).collect(),
            error_count: r.error_count,
            unmapped: r
                .unmapped_stages
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            footer_lines: r.footer_lines,
        }
    }
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    shell: Shell,
    id: String,
    file_name: String,
    kind_label: &'static str,
    kind_path: &'static str,
    sources: Vec<(String, &'static str)>,
    source: String,
    recognised: Option<&'static str>,
    encoding: String,
    headers: Vec<(String, String)>,
    fields: Vec<FieldRow>,
    sample: Vec<Vec<String>>,
    date_formats: Vec<(String, &'static str)>,
    date_format: String,
    decimal: String,
    zones: Vec<String>,
    other_zone: bool,
    time_zone: String,
    currency: String,
    skip_invalid: bool,
    problems: Vec<String>,
    report: Option<ReportView>,
    done: bool,
}

/// The choices of the mapping form.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct Choices {
    #[serde(default)]
    action: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    date_format: String,
    #[serde(default)]
    decimal: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    skip_invalid: Option<String>,
    /// `col_<field>` = the 1-based column, or empty for none.
    #[serde(flatten)]
    columns: BTreeMap<String, String>,
}

fn upload_kind(upload: &Upload) -> (RecordKind, Option<Source>) {
    let (kind, source) = upload.kind.split_once(':').unwrap_or((&upload.kind, ""));
    (
        kind.parse().unwrap_or(RecordKind::Opportunities),
        source.parse().ok(),
    )
}

/// The mapping the form describes (every field given by position).
fn mapping_of(
    choices: &Choices,
    kind: RecordKind,
    source: Option<Source>,
) -> Result<Mapping, AppError> {
    let mut mapping = Mapping {
        kind: Some(kind),
        from: source,
        ..Mapping::default()
    };
    let toml_value = |s: &str| toml::Value::String(s.to_owned());
    if !choices.date_format.is_empty() {
        mapping.date_format = Some(toml_value(&choices.date_format).try_into().map_err(|_| {
            AppError::Invalid(FieldError::new(
                "date_format",
                "choose one of the date formats",
            ))
        })?);
    }
    if !choices.decimal.is_empty() {
        mapping.decimal_separator = Some(
            toml_value(&choices.decimal)
                .try_into()
                .map_err(|_| AppError::Invalid(FieldError::new("decimal", "choose . or ,")))?,
        );
    }
    if !choices.time_zone.trim().is_empty() {
        mapping.time_zone = Some(coach_core::validate_time_zone(&choices.time_zone)?);
    }
    if !choices.currency.trim().is_empty() {
        mapping.currency = Some(
            coach_core::crm::parse_currency(&choices.currency)
                .map_err(|e| AppError::Invalid(FieldError::new("currency", e)))?,
        );
    }
    for (key, value) in &choices.columns {
        if let Some(field) = key.strip_prefix("col_")
            && field.parse::<Field>().is_ok()
            && !value.is_empty()
        {
            if value.parse::<usize>().is_err() {
                return Err(AppError::Invalid(FieldError::new(
                    "columns",
                    "choose a column from the list",
                )));
            }
            mapping
                .columns
                .insert(field.to_owned(), format!("#{value}"));
        }
    }
    Ok(mapping)
}

/// Reads the header and the first rows, and builds the page around them.
fn build(
    actor: &Actor,
    state: &AppState,
    upload: &Upload,
    choices: &Choices,
    report: Option<ReportView>,
    mut problems: Vec<String>,
    done: bool,
) -> PreviewPage {
    let (kind, uploaded_source) = upload_kind(upload);
    let chosen_source = choices.source.parse::<Source>().ok().or(uploaded_source);
    let mut cursor = std::io::Cursor::new(upload.content.as_slice());
    let table = tabular::sniff(&mut cursor).and_then(|s| {
        cursor.set_position(0);
        TableReader::open(cursor, s)
    });
    let (headers, sample, encoding) = match table {
        Ok(mut reader) => {
            let sample = reader
                .by_ref()
                .take(SAMPLE_ROWS)
                .filter_map(Result::ok)
                .map(|row| {
                    row.record
                        .cells
                        .iter()
                        .map(|c| {
                            let mut short: String = c.chars().take(SAMPLE_CELL).collect();
                            if c.chars().count() > SAMPLE_CELL {
                                short.push('…');
                            }
                            short
                        })
                        .collect()
                })
                .collect();
            let encoding = match reader.encoding {
                tabular::Encoding::Utf8 => "UTF-8",
                tabular::Encoding::Utf16Le | tabular::Encoding::Utf16Be => "UTF-16",
                tabular::Encoding::Windows1252 => "Windows-1252",
            };
            (reader.headers.clone(), sample, encoding.to_owned())
        }
        Err(e) => {
            problems.push(sentence(&e.to_string()));
            (Vec::new(), Vec::new(), String::new())
        }
    };
    let recognised = detect_source(kind, &headers);
    let source = chosen_source.or(recognised);
    let mapping = mapping_of(choices, kind, source).unwrap_or_default();
    let resolved = source.map(|s| {
        Mapping {
            columns: BTreeMap::new(),
            ..mapping.clone()
        }
        .resolve(kind, s, &headers)
    });
    let fields = kind
        .fields()
        .iter()
        .map(|f| {
            let from_form = choices.columns.get(&format!("col_{}", f.as_str())).cloned();
            let detected = match &resolved {
                Some(Ok(cols)) => cols.get(*f).map(|i| (i + 1).to_string()),
                _ => source.and_then(|s| {
                    s.names(kind, *f).iter().find_map(|n| {
                        headers
                            .iter()
                            .position(|h| h.eq_ignore_ascii_case(n))
                            .map(|i| (i + 1).to_string())
                    })
                }),
            };
            FieldRow {
                key: f.as_str(),
                label: f.label(),
                required: kind.requires(*f),
                selected: from_form.or(detected).unwrap_or_default(),
            }
        })
        .collect();
    let time_zone = if choices.time_zone.is_empty() {
        actor.org.time_zone.clone()
    } else {
        choices.time_zone.clone()
    };
    if source.is_none() && !headers.is_empty() {
        problems.push(
            "Coach does not recognise these columns; choose a column for each field below."
                .to_owned(),
        );
    }
    PreviewPage {
        shell: Shell::new(actor, "/settings", state.config().email_enabled),
        id: upload.id.clone(),
        file_name: upload.file_name.clone(),
        kind_label: kind.label(),
        kind_path: match kind {
            RecordKind::Accounts => "/accounts",
            RecordKind::Contacts => "/contacts",
            RecordKind::Opportunities => "/opportunities",
            RecordKind::Calls => "/calls",
        },
        sources: sources()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        source: source.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        recognised: recognised.map(Source::label),
        encoding,
        headers: headers
            .iter()
            .enumerate()
            .map(|(i, h)| ((i + 1).to_string(), h.clone()))
            .collect(),
        fields,
        sample,
        date_formats: vec![
            ("YYYY-MM-DD".to_owned(), "2026-04-03 (YYYY-MM-DD)"),
            (
                "DD/MM/YYYY".to_owned(),
                "03/04/2026 is 3 April (DD/MM/YYYY)",
            ),
            (
                "MM/DD/YYYY".to_owned(),
                "04/03/2026 is 3 April (MM/DD/YYYY)",
            ),
            ("DD.MM.YYYY".to_owned(), "03.04.2026 (DD.MM.YYYY)"),
        ],
        date_format: if choices.date_format.is_empty() {
            "YYYY-MM-DD".to_owned()
        } else {
            choices.date_format.clone()
        },
        decimal: if choices.decimal.is_empty() {
            ".".to_owned()
        } else {
            choices.decimal.clone()
        },
        zones: COMMON_ZONES.iter().map(|z| (*z).to_owned()).collect(),
        other_zone: !COMMON_ZONES.contains(&time_zone.as_str()),
        time_zone,
        currency: choices.currency.clone(),
        skip_invalid: choices.skip_invalid.is_some(),
        problems,
        report,
        done,
    }
}

async fn load(state: &AppState, actor: &Actor, id: &str) -> Result<Upload, AppError> {
    policy::check(actor, Action::ImportData)?;
    Ok(state.store().upload(&actor.org.id, id).await?)
}

async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let upload = load(&state, &actor, &id).await?;
    let view = build(
        &actor,
        &state,
        &upload,
        &Choices::default(),
        None,
        Vec::new(),
        false,
    );
    Ok(html(StatusCode::OK, &view))
}

async fn run(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(choices): Form<Choices>,
) -> Result<Response, AppError> {
    let upload = load(&state, &actor, &id).await?;
    let (kind, uploaded_source) = upload_kind(&upload);
    let source = choices.source.parse::<Source>().ok().or(uploaded_source);
    let mapping = match mapping_of(&choices, kind, source) {
        Ok(m) => m,
        Err(AppError::Invalid(e)) => {
            let view = build(
                &actor,
                &state,
                &upload,
                &choices,
                None,
                vec![e.message],
                false,
            );
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
        Err(e) => return Err(e),
    };
    let mut request = ImportRequest::new(kind, mapping);
    request.source = source;
    request.dry_run = choices.action != "import";
    request.skip_invalid = choices.skip_invalid.is_some();
    let result = state
        .store()
        .import(
            &actor.org.id,
            std::io::Cursor::new(upload.content.clone()),
            &request,
            None,
            &mut |_| {},
        )
        .await;
    match result {
        Ok(report) => {
            let done = report.written;
            if done {
                state
                    .store()
                    .delete_upload(&actor.org.id, &upload.id)
                    .await?;
            }
            let status = if report.error_count > 0 && !request.skip_invalid {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let view = build(
                &actor,
                &state,
                &upload,
                &choices,
                Some(ReportView::from(&report)),
                Vec::new(),
                done,
            );
            Ok(html(status, &view))
        }
        Err(ImportError::Store(e)) => Err(e.into()),
        Err(e) => {
            let problems = match e {
                ImportError::Mapping(errors) => errors.into_iter().map(|e| e.0).collect(),
                other => vec![other.to_string()],
            };
            let view = build(&actor, &state, &upload, &choices, None, problems, false);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}
