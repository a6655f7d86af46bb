//! The reading thread of an import: decodes and checks every row, resolves
//! owners, finds CRM ids repeated in the file, and sends batches of valid rows
//! to the writer.

use super::{Progress, cell_error};
use coach_core::crm::{DateFormat, DecimalSeparator, StageMap};
use coach_core::import::{Columns, Field, ParsedRecord, RowContext, RowProblems, parse_row};
use coach_core::tabular::{Record, RowError, TableReader};
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
/// A row waiting for its batch to be written.
pub(super) struct Pending {
    pub(super) record: Record,
    pub(super) parsed: ParsedRecord,
    pub(super) owner_id: String,
}

/// The people records can be given to: by email and by CRM id.
pub(super) struct Owners {
    pub(super) by_email: HashMap<String, String>,
    pub(super) by_crm_id: HashMap<String, String>,
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
pub(super) enum Message {
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
    /// The end of the file: data rows read, report footer lines left out.
    Done(u64, usize),
}

/// Everything the reading thread owns.
pub(super) struct Reading<R: Read> {
    pub(super) reader: TableReader<R>,
    pub(super) columns: Columns,
    pub(super) headers: Vec<String>,
    pub(super) stages: StageMap,
    pub(super) date_format: DateFormat,
    pub(super) decimal: DecimalSeparator,
    pub(super) time_zone: chrono_tz::Tz,
    pub(super) currency: Option<String>,
    pub(super) owners: Owners,
    pub(super) allowed_owners: Option<BTreeSet<String>>,
    pub(super) batch_size: usize,
}

impl<R: Read> Reading<R> {
    /// Reads and checks every row, sending batches of valid ones; stops
    /// early only if the writer has gone.
    pub(super) fn run(mut self, tx: tokio::sync::mpsc::Sender<Message>) {
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
        send(Message::Done(rows, self.reader.footer_lines));
    }
}
