//! Importing a CRM export (reliability.md, "Importing CRM files: the
//! contract"). One pass over the file inside one write transaction: each row
//! is read, checked, its owner and references resolved inside the
//! organization, and written in batches. The whole file is always validated;
//! if any row is invalid (and invalid rows are not to be skipped), or for a
//! dry run, the transaction is rolled back and nothing is written. Records
//! match earlier imports by their CRM id, so a second import of the same
//! file changes nothing. Memory is bounded by the batch, not the file.

use super::tables::{Cell, Table, table_of};
use crate::{Backend, Result as StoreResult, Store, StoreError};
use chrono::Utc;
use coach_core::crm::{DateFormat, DecimalSeparator};
use coach_core::import::{
    Columns, Field, Mapping, MappingError, ParsedRecord, RecordKind, RowContext, RowProblems,
    Source, detect_source, parse_row,
};
use coach_core::tabular::{self, Encoding, FileError, Record, RowError, TableReader, quote};
use coach_core::time::to_db;
use sqlx::{AnyConnection, Connection as _, Row as _};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};

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

/// A row waiting for its batch to be written.
struct Pending {
    record: Record,
    parsed: ParsedRecord,
    owner_id: String,
}

/// The people records can be given to: by email and by CRM id.
struct Owners {
    by_email: HashMap<String, String>,
    by_crm_id: HashMap<String, String>,
}

impl Owners {
    fn find(&self, key: &str) -> Option<&String> {
        if key.contains('@') {
            self.by_email.get(key)
        } else {
            self.by_crm_id.get(key)
        }
    }
}

/// What the reading thread sends to the writer.
enum Message {
    /// Valid rows, ready to be resolved and written.
    Batch(Vec<Pending>),
    /// A row that cannot be imported.
    Rejected(Box<Record>, Vec<RowError>),
    /// A problem that is not in one row (a malformed line).
    Problem(RowError),
    /// A CRM stage not in the map.
    Unmapped(String),
    /// How far the reading has got.
    Progress(Progress),
    /// The end of the file: report footer lines left out.
    Done(usize),
}

/// Everything the reading thread owns.
struct Reading<R: Read> {
    reader: TableReader<R>,
    columns: Columns,
    headers: Vec<String>,
    stages: coach_core::crm::StageMap,
    date_format: DateFormat,
    decimal: DecimalSeparator,
    time_zone: chrono_tz::Tz,
    currency: Option<String>,
    owners: Owners,
    allowed_owners: Option<BTreeSet<String>>,
    batch_size: usize,
}

impl<R: Read> Reading<R> {
    /// Reads and checks every row, sending batches of valid ones; stops
    /// early only if the writer has gone.
    fn run(mut self, tx: tokio::sync::mpsc::Sender<Message>) {
        let ctx = RowContext {
            columns: &self.columns,
            headers: &self.headers,
            stages: &self.stages,
            date_format: self.date_format,
            decimal: self.decimal,
            time_zone: self.time_zone,
            currency: self.currency.clone(),
        };
        let send = |m: Message| tx.blocking_send(m).is_ok();
        let mut seen: HashMap<u64, (usize, u64)> = HashMap::new();
        let hasher = std::collections::hash_map::RandomState::new();
        let mut batch: Vec<Pending> = Vec::with_capacity(self.batch_size);
        let mut rows = 0u64;
        while let Some(row) = self.reader.next() {
            rows += 1;
            if rows.is_multiple_of(4096)
                && !send(Message::Progress(Progress {
                    rows,
                    bytes: self.reader.position(),
                }))
            {
                return;
            }
            let (record, mut problems) = match row {
                Ok(row) => (row.record, row.problems),
                Err(e) => {
                    if !send(Message::Problem(e)) {
                        return;
                    }
                    continue;
                }
            };
            // A row with more cells than columns cannot be read by position.
            let ragged = problems.iter().any(|p| p.column.is_none());
            let parsed = match (!ragged).then(|| parse_row(&ctx, &record)) {
                None => None,
                Some(Ok(parsed)) if problems.is_empty() => Some(parsed),
                Some(Ok(_)) => None,
                Some(Err(RowProblems {
                    errors,
                    unmapped_stage,
                })) => {
                    if let Some(stage) = unmapped_stage
                        && !send(Message::Unmapped(stage))
                    {
                        return;
                    }
                    // A cell the reader already refused is named once.
                    let refused: Vec<_> = problems.iter().map(|p| p.column.clone()).collect();
                    problems.extend(
                        errors
                            .into_iter()
                            .filter(|e| e.column.is_none() || !refused.contains(&e.column)),
                    );
                    None
                }
            };
            let owner_id = parsed.as_ref().and_then(|p| {
                let found = self.owners.find(p.owner()).filter(|id| {
                    self.allowed_owners
                        .as_ref()
                        .is_none_or(|allowed| allowed.contains(*id))
                });
                if found.is_none() {
                    problems.push(cell_error(
                        &record,
                        &self.columns,
                        &self.headers,
                        Field::Owner,
                        p.owner(),
                        "a person of this organization, by their email or their CRM id".to_owned(),
                    ));
                }
                found.cloned()
            });
            if let Some(p) = &parsed {
                let mut h = hasher.build_hasher();
                h.write(p.source_id().as_bytes());
                match seen.entry(h.finish()) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        let (number, line) = *first.get();
                        problems.push(cell_error(
                            &record,
                            &self.columns,
                            &self.headers,
                            Field::SourceId,
                            p.source_id(),
                            format!(
                                "each record once; record {number} (line {line}) has the same CRM id"
                            ),
                        ));
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert((record.number, record.line));
                    }
                }
            }
            match (parsed, owner_id) {
                (Some(parsed), Some(owner_id)) if problems.is_empty() => batch.push(Pending {
                    record,
                    parsed,
                    owner_id,
                }),
                _ => {
                    if !send(Message::Rejected(Box::new(record), problems)) {
                        return;
                    }
                }
            }
            if batch.len() >= self.batch_size
                && !send(Message::Batch(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(self.batch_size),
                )))
            {
                return;
            }
        }
        if !batch.is_empty() && !send(Message::Batch(batch)) {
            return;
        }
        send(Message::Progress(Progress {
            rows,
            bytes: self.reader.position(),
        }));
        send(Message::Done(self.reader.footer_lines));
    }
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
        let mut rejects = match rejects {
            Some(w) => {
                let mut csv = csv::Writer::from_writer(w);
                let mut header: Vec<String> = headers.clone();
                header.push("coach_error".to_owned());
                write_rejected(&mut csv, &header)?;
                Some(csv)
            }
            None => None,
        };
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
                    report.rows += batch.len() as u64;
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
                    report.rows += 1;
                    reject(&mut report, &mut rejects, &record, problems)?;
                }
                Message::Problem(e) => report.problem(e),
                Message::Unmapped(stage) => *report.unmapped_stages.entry(stage).or_default() += 1,
                Message::Progress(p) => progress(p),
                Message::Done(footer_lines) => {
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
        if let Some(mut csv) = rejects {
            csv.flush().map_err(ImportError::Rejects)?;
        }
        let valid = request.skip_invalid || report.error_count == 0;
        if valid && !request.dry_run {
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

fn cell_error(
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

fn write_rejected<W: Write>(csv: &mut csv::Writer<W>, cells: &[String]) -> Result<(), ImportError> {
    csv.write_record(
        cells
            .iter()
            .map(|c| tabular::spreadsheet_safe(c).into_owned()),
    )
    .map_err(|e| ImportError::Rejects(std::io::Error::other(e)))
}

fn reject<W: Write>(
    report: &mut ImportReport,
    rejects: &mut Option<csv::Writer<W>>,
    record: &Record,
    problems: Vec<RowError>,
) -> Result<(), ImportError> {
    report.rejected += 1;
    let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for p in problems {
        report.problem(p);
    }
    if let Some(csv) = rejects {
        let mut cells = record.cells.clone();
        cells.push(reasons.join("; "));
        write_rejected(csv, &cells)?;
    }
    Ok(())
}

/// Resolves the references of a batch, compares it with what is stored, and
/// writes the differences (when `writing`).
#[allow(clippy::too_many_arguments)]
async fn flush<W: Write>(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: &str,
    table: &'static Table,
    batch: &mut Vec<Pending>,
    columns: &Columns,
    headers: &[String],
    now: &str,
    writing: bool,
    first: bool,
    report: &mut ImportReport,
    rejects: &mut Option<csv::Writer<W>>,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    let pending = std::mem::take(batch);
    // References, resolved inside the organization.
    let mut wanted: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for p in &pending {
        for (_, target, id) in references(&p.parsed) {
            wanted.entry(target).or_default().insert(id.to_owned());
        }
    }
    let mut found: BTreeMap<&'static str, HashMap<String, String>> = BTreeMap::new();
    for (target, ids) in &wanted {
        found.insert(
            target,
            ids_by_source(tx, backend, org_id, target, ids).await?,
        );
    }
    let mut ready = Vec::with_capacity(pending.len());
    for p in pending {
        let mut problems = Vec::new();
        for (field, target, id) in references(&p.parsed) {
            if !found.get(target).is_some_and(|m| m.contains_key(id)) {
                problems.push(cell_error(
                    &p.record,
                    columns,
                    headers,
                    field,
                    id,
                    format!("the CRM id of {} already in Coach: none has this id in this organization (import {target} first)", singular(target)),
                ));
            }
        }
        if problems.is_empty() {
            ready.push(p);
        } else {
            reject(report, rejects, &p.record, problems)?;
        }
    }
    let resolve = |target: &'static str, id: Option<&str>| -> Option<String> {
        id.and_then(|id| found.get(target).and_then(|m| m.get(id)).cloned())
    };
    let images: Vec<(Vec<Cell>, Vec<String>)> = ready
        .iter()
        .map(|p| table.image(&p.parsed, &p.owner_id, &resolve))
        .collect();
    let source_ids: BTreeSet<String> = ready
        .iter()
        .map(|p| p.parsed.source_id().to_owned())
        .collect();
    // On a first import (the organization had none of these records when it
    // began) nothing can match: rows repeated in the file were refused.
    let existing = if first {
        HashMap::new()
    } else {
        table.existing(tx, backend, org_id, &source_ids).await?
    };
    let mut inserts: Vec<(String, &Vec<Cell>, &Vec<String>)> = Vec::new();
    let mut stage_rows: Vec<(String, i64, String, String, String)> = Vec::new();
    let mut stage_lookups: Vec<(String, String, String, String)> = Vec::new();
    for (p, (image, links)) in ready.iter().zip(&images) {
        match existing.get(p.parsed.source_id()) {
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                if let ParsedRecord::Opportunity(o) = &p.parsed {
                    let at = o
                        .created_on
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|d| d.and_utc())
                        .or(o.crm_updated)
                        .map_or_else(|| now.to_owned(), to_db);
                    stage_rows.push((
                        id.clone(),
                        1,
                        at,
                        o.stage.as_str().to_owned(),
                        o.crm_stage.clone(),
                    ));
                }
                inserts.push((id, image, links));
                report.new += 1;
            }
            Some(old) if old.image == *image && old.links == *links => report.unchanged += 1,
            Some(old) => {
                report.updated += 1;
                if let ParsedRecord::Opportunity(o) = &p.parsed
                    && old.image[table.stage_column()] != image[table.stage_column()]
                {
                    let at = o.crm_updated.map_or_else(|| now.to_owned(), to_db);
                    stage_lookups.push((
                        old.id.clone(),
                        at,
                        o.stage.as_str().to_owned(),
                        o.crm_stage.clone(),
                    ));
                    report.stage_changes += 1;
                }
                if writing {
                    table.update(tx, org_id, &old.id, image, links, now).await?;
                }
            }
        }
    }
    if writing {
        table.insert(tx, backend, org_id, &inserts, now).await?;
        if !stage_lookups.is_empty() {
            let ids: BTreeSet<String> = stage_lookups.iter().map(|s| s.0.clone()).collect();
            let last = super::tables::last_stage_seq(tx, backend, org_id, &ids).await?;
            for (id, at, stage, crm_stage) in stage_lookups {
                let seq = last.get(&id).copied().unwrap_or(0) + 1;
                stage_rows.push((id, seq, at, stage, crm_stage));
            }
        }
        super::tables::insert_stages(tx, backend, org_id, &stage_rows).await?;
    }
    Ok(())
}

fn singular(target: &str) -> &'static str {
    match target {
        "accounts" => "an account",
        "opportunities" => "an opportunity",
        _ => "a contact",
    }
}

/// The references a record makes: field, table, CRM id.
fn references(parsed: &ParsedRecord) -> Vec<(Field, &'static str, &str)> {
    let mut refs = Vec::new();
    match parsed {
        ParsedRecord::Account(_) => {}
        ParsedRecord::Contact(c) => {
            if let Some(a) = &c.account {
                refs.push((Field::Account, "accounts", a.as_str()));
            }
        }
        ParsedRecord::Opportunity(o) => {
            if let Some(a) = &o.account {
                refs.push((Field::Account, "accounts", a.as_str()));
            }
        }
        ParsedRecord::Call(c) => {
            if let Some(a) = &c.account {
                refs.push((Field::Account, "accounts", a.as_str()));
            }
            if let Some(o) = &c.opportunity {
                refs.push((Field::Opportunity, "opportunities", o.as_str()));
            }
            for id in &c.contacts {
                refs.push((Field::Contacts, "contacts", id.as_str()));
            }
        }
    }
    refs
}

/// Coach ids of records of `table` by their CRM ids.
async fn ids_by_source(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: &str,
    table: &str,
    ids: &BTreeSet<String>,
) -> StoreResult<HashMap<String, String>> {
    let list = super::tables::List::new(backend, ids);
    let sql = format!(
        "SELECT source_id, id FROM {table} WHERE org_id = $1 AND source_id IN ({})",
        list.sql(2)
    );
    let mut out = HashMap::new();
    for row in list
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id))
        .fetch_all(&mut *tx)
        .await?
    {
        out.insert(row.try_get(0)?, row.try_get(1)?);
    }
    Ok(out)
}

/// `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
