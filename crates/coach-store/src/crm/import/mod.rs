//! Importing a CRM export (reliability.md, "Importing CRM files: the
//! contract"). One pass over the file inside one write transaction: each row
//! is read, checked, its owner and references resolved inside the
//! organization, and written in batches. The whole file is always validated;
//! if any row is invalid (and invalid rows are not to be skipped), or for a
//! dry run, the transaction is rolled back and nothing is written. Records
//! match earlier imports by their CRM id, so a second import of the same
//! file changes nothing. Memory is bounded by the batch, not the file.

mod reading;
mod writing;

use super::tables::table_of;
use crate::{Backend, Result as StoreResult, Store, StoreError};
use chrono::Utc;
use coach_core::crm::{DateFormat, DecimalSeparator};
use coach_core::import::{
    Columns, Field, Mapping, MappingError, RecordKind, Source, detect_source,
};
use coach_core::tabular::{
    self, Encoding, FileError, Record, RowError, SafeCsvWriter, TableReader, quote,
};
use coach_core::time::to_db;
use reading::{Message, Owners, Reading};
use sqlx::Connection as _;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Seek, SeekFrom, Write};
use writing::flush;

/// How many errors a report lists (the total is always counted).
pub const MAX_LISTED_ERRORS: usize = 100;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// What the file holds.
    pub kind: RecordKind,
    /// Where it comes from; recognised from the header when `None`.
    pub source: Option<Source>,
    /// Columns, formats and extra stage names.
    pub mapping: Mapping,
    /// Check and count, then write nothing.
    pub dry_run: bool,
    /// Write the valid rows and reject the others, instead of all or nothing.
    pub skip_invalid: bool,
    /// Owners the importing person may give records to; everyone when `None`.
    pub allowed_owners: Option<BTreeSet<String>>,
    /// Rows per write batch.
    pub batch_size: usize,
}

impl ImportRequest {
    /// A request with the defaults: all or nothing, recognised source.
    pub fn new(kind: RecordKind, mapping: Mapping) -> Self {
        ImportRequest {
            kind,
            source: None,
            mapping,
            dry_run: false,
            skip_invalid: false,
            allowed_owners: None,
            batch_size: 500,
        }
    }
}

/// Why a file could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not a readable table.
    #[error("{0}")]
    File(#[from] FileError),
    /// The header does not give the fields needed, or the mapping is wrong.
    #[error("{}", .0.iter().map(|e| e.0.as_str()).collect::<Vec<_>>().join("; "))]
    Mapping(Vec<MappingError>),
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The rejects file could not be written.
    #[error("the rejects file could not be written: {0}")]
    Rejects(std::io::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Database(e))
    }
}

/// What an import did, or would do.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// What the file held.
    pub kind: Option<RecordKind>,
    /// Whose column names were used.
    pub source: Option<Source>,
    /// The file's encoding.
    pub encoding: Option<Encoding>,
    /// Each field's column: field → header.
    pub columns: Vec<(Field, String)>,
    /// Data rows read.
    pub rows: u64,
    /// Records added.
    pub new: u64,
    /// Records changed.
    pub updated: u64,
    /// Records already as in the file.
    pub unchanged: u64,
    /// Opportunity stage changes recorded.
    pub stage_changes: u64,
    /// Rows left out (skip-invalid mode).
    pub rejected: u64,
    /// The first problems, located.
    pub errors: Vec<RowError>,
    /// How many problems in all.
    pub error_count: u64,
    /// CRM stage names not in the stage map, with how many rows name each.
    pub unmapped_stages: BTreeMap<String, u64>,
    /// Report footer lines left out.
    pub footer_lines: usize,
    /// Whether the changes were kept.
    pub written: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

impl ImportReport {
    /// "12 new, 3 updated, 85 unchanged".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} new, {} updated, {} unchanged",
            self.new, self.updated, self.unchanged
        );
        if self.stage_changes > 0 {
            s.push_str(&format!(", {} stage changes", self.stage_changes));
        }
        if self.rejected > 0 {
            s.push_str(&format!(", {} rejected", self.rejected));
        }
        s
    }

    fn problem(&mut self, e: RowError) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(e);
        }
    }
}

/// How far an import has got: rows done and bytes of the file read.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Data rows read.
    pub rows: u64,
    /// Bytes of the decoded file read.
    pub bytes: u64,
}

impl Store {
    /// Imports a CRM export into an organization. A thread reads and checks
    /// the rows while this task resolves and writes the batches before them.
    pub async fn import<R: Read + Seek + Send + 'static>(
        &self,
        org_id: &str,
        mut file: R,
        request: &ImportRequest,
        rejects: Option<&mut (dyn Write + Send)>,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<ImportReport, ImportError> {
        let sniffed = tabular::sniff(&mut file)?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| FileError::Unreadable(e.to_string()))?;
        let reader = TableReader::open(file, sniffed)?;
        let kind = request.mapping.kind.unwrap_or(request.kind);
        let source = request
            .source
            .or(request.mapping.from)
            .or_else(|| detect_source(kind, &reader.headers))
            .ok_or_else(|| {
                ImportError::Mapping(vec![MappingError(format!(
                    "Coach does not recognise these columns as a Salesforce, HubSpot or Coach export of {kind}; describe the file with a mapping file (the header is: {})",
                    reader.headers.iter().take(12).map(|h| quote(h)).collect::<Vec<_>>().join(", ")
                ))])
            })?;
        let columns = request
            .mapping
            .resolve(kind, source, &reader.headers)
            .map_err(ImportError::Mapping)?;
        let org = self.org(org_id).await?;
        let time_zone = request
            .mapping
            .time_zone
            .as_deref()
            .unwrap_or(&org.time_zone)
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::UTC);
        let headers = reader.headers.clone();
        let mut report = ImportReport {
            kind: Some(kind),
            source: Some(source),
            encoding: Some(reader.encoding),
            columns: columns
                .index
                .iter()
                .map(|(f, (_, h))| (*f, h.clone()))
                .collect(),
            dry_run: request.dry_run,
            ..ImportReport::default()
        };
        let mut rejects = rejects
            .map(|w| {
                let header = headers.iter().map(String::as_str).chain(["coach_error"]);
                SafeCsvWriter::start(w, false, header)
            })
            .transpose()
            .map_err(ImportError::Rejects)?;
        let reading = Reading {
            reader,
            columns: columns.clone(),
            headers: headers.clone(),
            stages: request
                .mapping
                .stage_map(&self.crm_stage_map(org_id).await?),
            date_format: request.mapping.date_format.unwrap_or(DateFormat::Iso),
            decimal: request
                .mapping
                .decimal_separator
                .unwrap_or(DecimalSeparator::Point),
            time_zone,
            currency: request.mapping.currency.clone(),
            owners: self.owners(org_id).await?,
            allowed_owners: request.allowed_owners.clone(),
            batch_size: request.batch_size.max(1),
        };
        let table = table_of(kind);
        let backend = self.backend();
        // A connection of its own, closed afterwards: on SQLite it gets room
        // for the indexes being built (so pages are not spilled to the log
        // and written again), which the pool's connections should not keep.
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -65536")
                .execute(&mut *conn)
                .await?;
        }
        let mut tx = match backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => conn.begin().await?,
        };
        if backend == Backend::Postgres {
            // The tables grow as the import goes: plan each lookup for their
            // size now, not for the empty table a cached plan was made for,
            // with statistics of the tables referred to as they are.
            sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
                .execute(&mut *tx)
                .await?;
            sqlx::query("ANALYZE users, accounts, contacts, opportunities")
                .execute(&mut *tx)
                .await?;
        }
        let now = to_db(Utc::now());
        let first = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {} WHERE org_id = $1 LIMIT 1",
            table.name
        )))
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_none();
        let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
        let thread = std::thread::Builder::new()
            .name("coach-import-reader".to_owned())
            .spawn(move || reading.run(sender))
            .map_err(|e| FileError::Unreadable(e.to_string()))?;
        let mut writing = true;
        let mut finished = false;
        let mut next_analyze = 2_000u64;
        while let Some(message) = receiver.recv().await {
            match message {
                Message::Batch(mut batch) => {
                    flush(
                        &mut tx,
                        backend,
                        org_id,
                        table,
                        &mut batch,
                        &columns,
                        &headers,
                        &now,
                        writing,
                        first,
                        &mut report,
                        &mut rejects,
                    )
                    .await?;
                    let written = report.new + report.updated;
                    if backend == Backend::Postgres && written >= next_analyze {
                        // Statistics for the rows written so far (this
                        // transaction's own), so lookups keep using the
                        // CRM-id index as the table grows.
                        let sql = format!("ANALYZE {}", table.name);
                        sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut *tx)
                            .await?;
                        next_analyze = written * 4;
                    }
                }
                Message::Rejected(record, problems) => {
                    reject(&mut report, &mut rejects, &record, problems)?;
                }
                Message::Problem(e) => report.problem(e),
                Message::Unmapped(stage) => *report.unmapped_stages.entry(stage).or_default() += 1,
                Message::Progress(p) => progress(p),
                Message::Done(rows, footer_lines) => {
                    report.rows = rows;
                    report.footer_lines = footer_lines;
                    finished = true;
                }
            }
            writing = writing && (request.skip_invalid || report.error_count == 0);
        }
        let _ = thread.join();
        if !finished {
            return Err(ImportError::File(FileError::Unreadable(
                "the file stopped being readable part-way".to_owned(),
            )));
        }
        if let Some(csv) = rejects {
            csv.finish().map_err(ImportError::Rejects)?;
        }
        let valid = request.skip_invalid || report.error_count == 0;
        if valid && !request.dry_run {
            if matches!(kind, RecordKind::Calls | RecordKind::Opportunities) {
                // Calls and opportunities an activity type maps count as activities.
                crate::roa::sync_crm(&mut tx, org_id).await?;
            }
            tx.commit().await?;
            report.written = true;
        } else {
            tx.rollback().await?;
        }
        Ok(report)
    }

    async fn owners(&self, org_id: &str) -> StoreResult<Owners> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, email, crm_id FROM users WHERE org_id = $1")
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
        let mut owners = Owners {
            by_email: HashMap::new(),
            by_crm_id: HashMap::new(),
        };
        for (id, email, crm_id) in rows {
            owners.by_email.insert(email, id.clone());
            if let Some(c) = crm_id {
                owners.by_crm_id.insert(c, id);
            }
        }
        Ok(owners)
    }
}

pub(super) fn cell_error(
    record: &Record,
    columns: &Columns,
    headers: &[String],
    field: Field,
    value: &str,
    expected: String,
) -> RowError {
    RowError {
        record: record.number,
        line: record.line,
        column: columns
            .get(field)
            .map(|i| (i + 1, headers.get(i).cloned().unwrap_or_default())),
        value: Some(quote(value)),
        expected,
    }
}

pub(super) fn reject<W: Write>(
    report: &mut ImportReport,
    rejects: &mut Option<SafeCsvWriter<W>>,
    record: &Record,
    problems: Vec<RowError>,
) -> Result<(), ImportError> {
    report.rejected += 1;
    let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for p in problems {
        report.problem(p);
    }
    if let Some(csv) = rejects {
        let reasons = reasons.join("; ");
        let cells = record
            .cells
            .iter()
            .map(String::as_str)
            .chain([reasons.as_str()]);
        csv.row(cells).map_err(ImportError::Rejects)?;
    }
    Ok(())
}
