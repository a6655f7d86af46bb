//! The writing side of an import: resolves a batch's references inside the
//! organization, compares it with what is stored, and writes the differences.

use super::reading::Pending;
use super::{ImportError, ImportReport, cell_error, reject};
use crate::crm::tables::{Cell, Table};
use crate::{Backend, Result as StoreResult};
use coach_core::import::{Columns, Field, ParsedRecord};
use coach_core::tabular::SafeCsvWriter;
use coach_core::time::to_db;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// Resolves the references of a batch, compares it with what is stored, and
/// writes the differences (when `writing`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn flush<W: Write>(
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
    rejects: &mut Option<SafeCsvWriter<W>>,
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
            let last = crate::crm::tables::last_stage_seq(tx, backend, org_id, &ids).await?;
            for (id, at, stage, crm_stage) in stage_lookups {
                let seq = last.get(&id).copied().unwrap_or(0) + 1;
                stage_rows.push((id, seq, at, stage, crm_stage));
            }
        }
        crate::crm::tables::insert_stages(tx, backend, org_id, &stage_rows).await?;
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
    crate::crm::tables::pairs(tx, backend, org_id, ids, |list| {
        format!("SELECT source_id, id FROM {table} WHERE org_id = $1 AND source_id IN ({list})")
    })
    .await
}
