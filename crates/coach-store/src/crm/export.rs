//! Exporting records as CSV that spreadsheets open safely (formula-looking
//! cells neutralised, reliability.md) or as JSON. The columns are the field
//! names a Coach CSV import reads, so an export imports back unchanged.
//! Records are read a page at a time: memory stays bounded.

use super::records::{Account, Call, Contact, Opportunity, RecordFilter};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};
use coach_core::import::RecordKind;
use coach_core::tabular::SafeCsvWriter;
use serde_json::Value;
use std::io::Write;

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// UTF-8 CSV with a byte-order mark.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// The columns of an export of `kind`.
pub fn export_headers(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Accounts => &[
            "source_id",
            "name",
            "owner",
            "segment",
            "tier",
            "potential",
            "currency",
            "key_account",
            "crm_updated",
        ],
        RecordKind::Contacts => &[
            "source_id",
            "name",
            "owner",
            "account",
            "title",
            "email",
            "buying_role",
            "stance",
            "crm_updated",
        ],
        RecordKind::Opportunities => &[
            "source_id",
            "name",
            "owner",
            "account",
            "amount",
            "currency",
            "stage",
            "buying_stage",
            "close_date",
            "created_date",
            "crm_updated",
            "next_step",
            "importance",
            "complexity",
        ],
        RecordKind::Calls => &[
            "source_id",
            "subject",
            "owner",
            "occurred_at",
            "kind",
            "account",
            "opportunity",
            "contacts",
            "importance",
            "outcome",
            "crm_updated",
        ],
    }
}

/// One exported record: a value per column of [`export_headers`].
pub enum ExportRecord<'a> {
    /// An account.
    Account(&'a Account),
    /// A contact.
    Contact(&'a Contact),
    /// An opportunity.
    Opportunity(&'a Opportunity),
    /// A call.
    Call(&'a Call),
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn o<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref()
        .map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn t(v: &Option<DateTime<Utc>>) -> Value {
    v.map_or(Value::Null, |v| {
        Value::String(v.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

/// The values of a record, in column order.
pub fn export_row(record: ExportRecord<'_>) -> Vec<Value> {
    match record {
        ExportRecord::Account(a) => vec![
            o(&a.source_id),
            s(&a.name),
            s(&a.owner_email),
            o(&a.segment),
            o(&a.tier),
            o(&a.potential),
            o(&a.currency),
            Value::Bool(a.key_account),
            t(&a.crm_updated_at),
        ],
        ExportRecord::Contact(c) => vec![
            o(&c.source_id),
            s(&c.name),
            s(&c.owner_email),
            o(&c.account_source_id),
            o(&c.title),
            o(&c.email),
            o(&c.buying_role),
            o(&c.stance),
            t(&c.crm_updated_at),
        ],
        ExportRecord::Opportunity(p) => vec![
            o(&p.source_id),
            s(&p.name),
            s(&p.owner_email),
            o(&p.account_source_id),
            o(&p.amount),
            o(&p.currency),
            s(&p.crm_stage),
            s(p.stage.as_str()),
            o(&p.close_date),
            o(&p.created_on),
            t(&p.crm_updated_at),
            o(&p.next_step),
            o(&p.importance),
            o(&p.complexity),
        ],
        ExportRecord::Call(c) => vec![
            o(&c.source_id),
            s(&c.subject),
            s(&c.owner_email),
            Value::String(c.occurred_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            s(c.kind.as_str()),
            o(&c.account_source_id),
            o(&c.opportunity_source_id),
            Value::String(
                c.contacts
                    .iter()
                    .filter_map(|(_, _, source)| source.clone())
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            o(&c.importance),
            o(&c.outcome),
            t(&c.crm_updated_at),
        ],
    }
}

/// Where exported rows go.
enum Sink<W: Write> {
    Csv(SafeCsvWriter<W>),
    Json(W),
}

/// Writes exported rows in one format.
pub struct ExportWriter<W: Write> {
    headers: &'static [&'static str],
    sink: Sink<W>,
    count: u64,
}

impl<W: Write> ExportWriter<W> {
    /// Starts an export of CRM records of `kind`.
    pub fn start(out: W, kind: RecordKind, format: ExportFormat) -> std::io::Result<Self> {
        Self::with_headers(out, export_headers(kind), format)
    }

    /// Starts an export with these columns: the byte-order mark and header,
    /// or the opening bracket.
    pub fn with_headers(
        mut out: W,
        headers: &'static [&'static str],
        format: ExportFormat,
    ) -> std::io::Result<Self> {
        let sink = match format {
            ExportFormat::Csv => Sink::Csv(SafeCsvWriter::start(out, true, headers)?),
            ExportFormat::Json => {
                out.write_all(b"[")?;
                Sink::Json(out)
            }
        };
        Ok(ExportWriter {
            headers,
            sink,
            count: 0,
        })
    }

    /// Writes one record.
    pub fn write(&mut self, values: Vec<Value>) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Csv(csv) => csv.row(values.iter().map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }))?,
            Sink::Json(out) => {
                if self.count > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                let object: serde_json::Map<String, Value> = self
                    .headers
                    .iter()
                    .map(|h| (*h).to_owned())
                    .zip(values)
                    .collect();
                serde_json::to_writer(&mut *out, &object)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the export; returns how many records were written.
    pub fn finish(self) -> std::io::Result<u64> {
        match self.sink {
            Sink::Csv(csv) => csv.finish()?,
            Sink::Json(mut out) => {
                out.write_all(b"\n]\n")?;
                out.flush()?;
            }
        }
        Ok(self.count)
    }
}

const PAGE: usize = 1000;

impl Store {
    /// Writes every record of `kind` in the organization that `filter`
    /// lets through (its owners, search and the rest; not its page) to
    /// `out`; returns how many.
    pub async fn export<W: Write + Send>(
        &self,
        org_id: &str,
        kind: RecordKind,
        filter: RecordFilter,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        let io = |e: std::io::Error| StoreError::Database(sqlx::Error::Io(e));
        let mut writer = ExportWriter::start(out, kind, format).map_err(io)?;
        // Pages by id: the cursor below needs id order.
        let mut filter = RecordFilter {
            limit: Some(PAGE),
            after: None,
            by_display_order: false,
            offset: None,
            ..filter
        };
        loop {
            let last = match kind {
                RecordKind::Accounts => {
                    let page = self.accounts(org_id, &filter).await?;
                    for r in &page {
                        writer
                            .write(export_row(ExportRecord::Account(r)))
                            .map_err(io)?;
                    }
                    page.last().map(|r| r.id.clone())
                }
                RecordKind::Contacts => {
                    let page = self.contacts(org_id, &filter).await?;
                    for r in &page {
                        writer
                            .write(export_row(ExportRecord::Contact(r)))
                            .map_err(io)?;
                    }
                    page.last().map(|r| r.id.clone())
                }
                RecordKind::Opportunities => {
                    let page = self.opportunities(org_id, &filter).await?;
                    for r in &page {
                        writer
                            .write(export_row(ExportRecord::Opportunity(r)))
                            .map_err(io)?;
                    }
                    page.last().map(|r| r.id.clone())
                }
                RecordKind::Calls => {
                    let mut page = self.calls(org_id, &filter).await?;
                    let ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
                    let mut contacts = self.call_contacts(org_id, &ids).await?;
                    for r in &mut page {
                        r.contacts = contacts.remove(&r.id).unwrap_or_default();
                        writer
                            .write(export_row(ExportRecord::Call(r)))
                            .map_err(io)?;
                    }
                    page.last().map(|r| r.id.clone())
                }
            };
            match last {
                Some(id) => filter.after = Some(id),
                None => break,
            }
        }
        writer.finish().map_err(io)
    }
}
