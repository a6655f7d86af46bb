//! Reading the CRM records: lists with filters, one record with what hangs
//! off it, always inside one organization and, when given, only the records
//! of the owners the caller may see.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::crm::BuyingStage;
use coach_core::records::{BuyingRole, CallKind, Level, Stance};
use coach_core::time::from_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// Which records to list. Every list is of one organization.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Only records owned by these people (the caller's visible set); all when `None`.
    pub owners: Option<Vec<String>>,
    /// Only this owner's records.
    pub owner_id: Option<String>,
    /// Only names (subjects) containing this text, ignoring case.
    pub search: Option<String>,
    /// Opportunities in this buying stage.
    pub stage: Option<BuyingStage>,
    /// Only open opportunities.
    pub open_only: bool,
    /// Calls of this kind.
    pub call_kind: Option<CallKind>,
    /// Key accounts only, or never.
    pub key_account: Option<bool>,
    /// Contacts in this buying role.
    pub buying_role: Option<BuyingRole>,
    /// Records of this account.
    pub account_id: Option<String>,
    /// Calls about this opportunity.
    pub opportunity_id: Option<String>,
    /// Only ids after this one (cursor pagination, id order).
    pub after: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
    /// In the order people read them (accounts and contacts by name,
    /// opportunities by close date, calls newest first) instead of id order.
    pub by_display_order: bool,
    /// Leave out this many first (pages of a list in display order).
    pub offset: Option<usize>,
}

/// A customer or prospect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Name.
    pub name: String,
    /// Owner.
    pub owner_id: String,
    /// Owner's name.
    pub owner_name: String,
    /// Owner's email.
    pub owner_email: String,
    /// Segment.
    pub segment: Option<String>,
    /// Tier (A, B, C) from territory prioritization (R6).
    pub tier: Option<String>,
    /// Potential, a decimal as text.
    pub potential: Option<String>,
    /// Currency of the potential.
    pub currency: Option<String>,
    /// Warrants an account plan (R7).
    pub key_account: bool,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
    /// Version, bumped on each change.
    pub version: i64,
}

/// A person at an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Full name.
    pub name: String,
    /// Owner.
    pub owner_id: String,
    /// Owner's name.
    pub owner_name: String,
    /// Owner's email.
    pub owner_email: String,
    /// The account.
    pub account_id: Option<String>,
    /// The account's name.
    pub account_name: Option<String>,
    /// The account's CRM id.
    pub account_source_id: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Part in the buying decision.
    pub buying_role: Option<BuyingRole>,
    /// How they lean.
    pub stance: Option<Stance>,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Name.
    pub name: String,
    /// Owner.
    pub owner_id: String,
    /// Owner's name.
    pub owner_name: String,
    /// Owner's email.
    pub owner_email: String,
    /// The account.
    pub account_id: Option<String>,
    /// The account's name.
    pub account_name: Option<String>,
    /// The account's CRM id.
    pub account_source_id: Option<String>,
    /// Amount, a decimal as text.
    pub amount: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Buying stage (R21).
    pub stage: BuyingStage,
    /// The stage as the CRM names it.
    pub crm_stage: String,
    /// Expected close.
    pub close_date: Option<NaiveDate>,
    /// Created in the CRM.
    pub created_on: Option<NaiveDate>,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Next step.
    pub next_step: Option<String>,
    /// Importance.
    pub importance: Option<Level>,
    /// Complexity.
    pub complexity: Option<Level>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// One entry of an opportunity's stage history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageChange {
    /// When the deal got to the stage.
    pub changed_at: DateTime<Utc>,
    /// The buying stage.
    pub stage: BuyingStage,
    /// The stage as the CRM names it.
    pub crm_stage: String,
}

/// A customer interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Coach's id.
    pub id: String,
    /// The id in the CRM.
    pub source_id: Option<String>,
    /// Subject.
    pub subject: String,
    /// Owner.
    pub owner_id: String,
    /// Owner's name.
    pub owner_name: String,
    /// Owner's email.
    pub owner_email: String,
    /// When it took place.
    pub occurred_at: DateTime<Utc>,
    /// The account.
    pub account_id: Option<String>,
    /// The account's name.
    pub account_name: Option<String>,
    /// The account's CRM id.
    pub account_source_id: Option<String>,
    /// The opportunity.
    pub opportunity_id: Option<String>,
    /// The opportunity's name.
    pub opportunity_name: Option<String>,
    /// The opportunity's CRM id.
    pub opportunity_source_id: Option<String>,
    /// Kind.
    pub kind: CallKind,
    /// Importance.
    pub importance: Option<Level>,
    /// Outcome.
    pub outcome: Option<String>,
    /// The contacts met: id, name, CRM id (filled for a single call and for exports).
    pub contacts: Vec<(String, String, Option<String>)>,
    /// Last change in the CRM.
    pub crm_updated_at: Option<DateTime<Utc>>,
    /// Last change in Coach.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A query with numbered binds, all text.
pub(crate) struct Sql {
    text: String,
    binds: Vec<String>,
}

impl Sql {
    pub(crate) fn new(text: &str, org_id: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            binds: vec![org_id.to_owned()],
        }
    }

    /// Appends a clause whose `?` is the next bind.
    pub(crate) fn and(&mut self, clause: &str, value: impl Into<String>) -> &mut Sql {
        self.binds.push(value.into());
        self.text
            .push_str(&clause.replace('?', &format!("${}", self.binds.len())));
        self
    }

    /// Appends plain SQL.
    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends `AND column IN (…)` over a list that may be long: one JSON
    /// bind on SQLite, one bind per value on PostgreSQL (see
    /// [`super::tables::List`]); an empty list matches nothing.
    pub(crate) fn and_within(
        &mut self,
        backend: crate::Backend,
        column: &str,
        values: &[String],
    ) -> &mut Sql {
        let list = super::tables::List::new(backend, values);
        self.text.push_str(&format!(
            " AND {column} IN ({})",
            list.sql(self.binds.len() + 1)
        ));
        self.binds.extend(list.bind_values());
        self
    }

    /// Binds `values` and returns their placeholders (`$4, $5`), to use in
    /// more than one place of the query.
    pub(crate) fn placeholders_for(&mut self, values: &[String]) -> String {
        let start = self.binds.len() + 1;
        self.binds.extend(values.iter().cloned());
        super::tables::placeholders(start, values.len())
    }

    /// Appends `AND column IN (…)`; an empty list matches nothing.
    pub(crate) fn and_in(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            self.text.push_str(" AND 1 = 0");
            return;
        }
        let start = self.binds.len() + 1;
        self.binds.extend(values.iter().cloned());
        self.text.push_str(&format!(
            " AND {column} IN ({})",
            super::tables::placeholders(start, values.len())
        ));
    }

    /// The filters every list shares: owners, search, cursor.
    fn common(&mut self, alias: &str, name_column: &str, f: &RecordFilter) {
        if let Some(owners) = &f.owners {
            self.and_in(&format!("{alias}.owner_id"), owners);
        }
        if let Some(o) = &f.owner_id {
            self.and(&format!(" AND {alias}.owner_id = ?"), o.clone());
        }
        if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_', '\\'], ""));
            self.and(
                &format!(" AND LOWER({alias}.{name_column}) LIKE ?"),
                pattern,
            );
        }
        if let Some(after) = &f.after {
            self.and(&format!(" AND {alias}.id > ?"), after.clone());
        }
    }

    /// Orders by id, or by `display` (then id) when the filter asks, and
    /// pages.
    fn finish(&mut self, alias: &str, display: &str, f: &RecordFilter) {
        if f.by_display_order {
            self.text
                .push_str(&format!(" ORDER BY {display}, {alias}.id"));
        } else {
            self.text.push_str(&format!(" ORDER BY {alias}.id"));
        }
        if let Some(limit) = f.limit {
            self.text.push_str(&format!(" LIMIT {limit}"));
        }
        if let Some(offset) = f.offset.filter(|o| *o > 0) {
            self.text.push_str(&format!(" OFFSET {offset}"));
        }
    }

    pub(crate) async fn fetch(self, store: &Store) -> Result<Vec<AnyRow>> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text));
        for b in &self.binds {
            q = q.bind(b.clone());
        }
        Ok(q.fetch_all(&store.pool).await?)
    }
}

pub(crate) fn instant(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.try_get(column)?;
    Ok(text.as_deref().and_then(from_db))
}

pub(crate) fn date(row: &AnyRow, column: &str) -> Result<Option<NaiveDate>> {
    let text: Option<String> = row.try_get(column)?;
    Ok(text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
}

fn parsed<T: std::str::FromStr>(row: &AnyRow, column: &str) -> Result<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    Ok(text.and_then(|t| t.parse().ok()))
}

const ACCOUNT_SELECT: &str = "SELECT a.id, a.source_id, a.name, a.owner_id, u.name AS owner_name, u.email AS owner_email, \
     a.segment, a.tier, a.potential, a.currency, a.key_account, a.crm_updated_at, a.updated_at, a.version \
     FROM accounts a JOIN users u ON u.org_id = a.org_id AND u.id = a.owner_id WHERE a.org_id = $1";

fn account(row: &AnyRow) -> Result<Account> {
    Ok(Account {
        id: row.try_get("id")?,
        source_id: row.try_get("source_id")?,
        name: row.try_get("name")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_email: row.try_get("owner_email")?,
        segment: row.try_get("segment")?,
        tier: row.try_get("tier")?,
        potential: row.try_get("potential")?,
        currency: row.try_get("currency")?,
        key_account: row.try_get::<i64, _>("key_account")? != 0,
        crm_updated_at: instant(row, "crm_updated_at")?,
        updated_at: instant(row, "updated_at")?.unwrap_or_default(),
        version: row.try_get("version")?,
    })
}

const CONTACT_SELECT: &str = "SELECT c.id, c.source_id, c.name, c.owner_id, u.name AS owner_name, u.email AS owner_email, \
     c.account_id, a.name AS account_name, a.source_id AS account_source_id, c.title, c.email, c.buying_role, c.stance, \
     c.crm_updated_at, c.updated_at, c.version \
     FROM contacts c JOIN users u ON u.org_id = c.org_id AND u.id = c.owner_id \
     LEFT JOIN accounts a ON a.org_id = c.org_id AND a.id = c.account_id WHERE c.org_id = $1";

fn contact(row: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: row.try_get("id")?,
        source_id: row.try_get("source_id")?,
        name: row.try_get("name")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_email: row.try_get("owner_email")?,
        account_id: row.try_get("account_id")?,
        account_name: row.try_get("account_name")?,
        account_source_id: row.try_get("account_source_id")?,
        title: row.try_get("title")?,
        email: row.try_get("email")?,
        buying_role: parsed(row, "buying_role")?,
        stance: parsed(row, "stance")?,
        crm_updated_at: instant(row, "crm_updated_at")?,
        updated_at: instant(row, "updated_at")?.unwrap_or_default(),
        version: row.try_get("version")?,
    })
}

const OPPORTUNITY_SELECT: &str = "SELECT o.id, o.source_id, o.name, o.owner_id, u.name AS owner_name, u.email AS owner_email, \
     o.account_id, a.name AS account_name, a.source_id AS account_source_id, o.amount, o.currency, o.stage, o.crm_stage, \
     o.close_date, o.created_on, o.crm_updated_at, o.next_step, o.importance, o.complexity, o.updated_at, o.version \
     FROM opportunities o JOIN users u ON u.org_id = o.org_id AND u.id = o.owner_id \
     LEFT JOIN accounts a ON a.org_id = o.org_id AND a.id = o.account_id WHERE o.org_id = $1";

fn opportunity(row: &AnyRow) -> Result<Opportunity> {
    Ok(Opportunity {
        id: row.try_get("id")?,
        source_id: row.try_get("source_id")?,
        name: row.try_get("name")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_email: row.try_get("owner_email")?,
        account_id: row.try_get("account_id")?,
        account_name: row.try_get("account_name")?,
        account_source_id: row.try_get("account_source_id")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        stage: parsed(row, "stage")?.unwrap_or(BuyingStage::IdentifyNeeds),
        crm_stage: row.try_get("crm_stage")?,
        close_date: date(row, "close_date")?,
        created_on: date(row, "created_on")?,
        crm_updated_at: instant(row, "crm_updated_at")?,
        next_step: row.try_get("next_step")?,
        importance: parsed(row, "importance")?,
        complexity: parsed(row, "complexity")?,
        updated_at: instant(row, "updated_at")?.unwrap_or_default(),
        version: row.try_get("version")?,
    })
}

const CALL_SELECT: &str = "SELECT k.id, k.source_id, k.subject, k.owner_id, u.name AS owner_name, u.email AS owner_email, \
     k.occurred_at, k.account_id, a.name AS account_name, a.source_id AS account_source_id, \
     k.opportunity_id, o.name AS opportunity_name, o.source_id AS opportunity_source_id, \
     k.kind, k.importance, k.outcome, k.crm_updated_at, k.updated_at, k.version \
     FROM calls k JOIN users u ON u.org_id = k.org_id AND u.id = k.owner_id \
     LEFT JOIN accounts a ON a.org_id = k.org_id AND a.id = k.account_id \
     LEFT JOIN opportunities o ON o.org_id = k.org_id AND o.id = k.opportunity_id WHERE k.org_id = $1";

fn call(row: &AnyRow) -> Result<Call> {
    Ok(Call {
        id: row.try_get("id")?,
        source_id: row.try_get("source_id")?,
        subject: row.try_get("subject")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_email: row.try_get("owner_email")?,
        occurred_at: instant(row, "occurred_at")?.unwrap_or_default(),
        account_id: row.try_get("account_id")?,
        account_name: row.try_get("account_name")?,
        account_source_id: row.try_get("account_source_id")?,
        opportunity_id: row.try_get("opportunity_id")?,
        opportunity_name: row.try_get("opportunity_name")?,
        opportunity_source_id: row.try_get("opportunity_source_id")?,
        kind: parsed(row, "kind")?.unwrap_or(CallKind::Meeting),
        importance: parsed(row, "importance")?,
        outcome: row.try_get("outcome")?,
        contacts: vec![],
        crm_updated_at: instant(row, "crm_updated_at")?,
        updated_at: instant(row, "updated_at")?.unwrap_or_default(),
        version: row.try_get("version")?,
    })
}

impl Store {
    /// Accounts of an organization.
    pub async fn accounts(&self, org_id: &str, f: &RecordFilter) -> Result<Vec<Account>> {
        let mut sql = Sql::new(ACCOUNT_SELECT, org_id);
        sql.common("a", "name", f);
        if let Some(key) = f.key_account {
            sql.text.push_str(if key {
                " AND a.key_account = 1"
            } else {
                " AND a.key_account = 0"
            });
        }
        sql.finish("a", "LOWER(a.name)", f);
        sql.fetch(self).await?.iter().map(account).collect()
    }

    /// One account.
    pub async fn account(&self, org_id: &str, id: &str) -> Result<Account> {
        let mut sql = Sql::new(ACCOUNT_SELECT, org_id);
        sql.and(" AND a.id = ?", id);
        let rows = sql.fetch(self).await?;
        rows.first().map(account).ok_or(StoreError::NotFound)?
    }

    /// Contacts of an organization.
    pub async fn contacts(&self, org_id: &str, f: &RecordFilter) -> Result<Vec<Contact>> {
        let mut sql = Sql::new(CONTACT_SELECT, org_id);
        sql.common("c", "name", f);
        if let Some(role) = f.buying_role {
            sql.and(" AND c.buying_role = ?", role.as_str());
        }
        if let Some(a) = &f.account_id {
            sql.and(" AND c.account_id = ?", a.clone());
        }
        sql.finish("c", "LOWER(c.name)", f);
        sql.fetch(self).await?.iter().map(contact).collect()
    }

    /// One contact.
    pub async fn contact(&self, org_id: &str, id: &str) -> Result<Contact> {
        let mut sql = Sql::new(CONTACT_SELECT, org_id);
        sql.and(" AND c.id = ?", id);
        let rows = sql.fetch(self).await?;
        rows.first().map(contact).ok_or(StoreError::NotFound)?
    }

    /// Opportunities of an organization.
    pub async fn opportunities(&self, org_id: &str, f: &RecordFilter) -> Result<Vec<Opportunity>> {
        let mut sql = Sql::new(OPPORTUNITY_SELECT, org_id);
        sql.common("o", "name", f);
        if let Some(stage) = f.stage {
            sql.and(" AND o.stage = ?", stage.as_str());
        }
        if f.open_only {
            sql.text
                .push_str(" AND o.stage NOT IN ('closed_won', 'closed_lost')");
        }
        if let Some(a) = &f.account_id {
            sql.and(" AND o.account_id = ?", a.clone());
        }
        sql.finish("o", "o.close_date IS NULL, o.close_date", f);
        sql.fetch(self).await?.iter().map(opportunity).collect()
    }

    /// One opportunity.
    pub async fn opportunity(&self, org_id: &str, id: &str) -> Result<Opportunity> {
        let mut sql = Sql::new(OPPORTUNITY_SELECT, org_id);
        sql.and(" AND o.id = ?", id);
        let rows = sql.fetch(self).await?;
        rows.first().map(opportunity).ok_or(StoreError::NotFound)?
    }

    /// An opportunity's stage history, oldest first.
    pub async fn stage_history(
        &self,
        org_id: &str,
        opportunity_id: &str,
    ) -> Result<Vec<StageChange>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT changed_at, stage, crm_stage FROM opportunity_stages \
             WHERE org_id = $1 AND opportunity_id = $2 ORDER BY seq",
        )
        .bind(org_id)
        .bind(opportunity_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(at, stage, crm_stage)| {
                Some(StageChange {
                    changed_at: from_db(&at)?,
                    stage: stage.parse().ok()?,
                    crm_stage,
                })
            })
            .collect())
    }

    /// Calls of an organization, without their contacts.
    pub async fn calls(&self, org_id: &str, f: &RecordFilter) -> Result<Vec<Call>> {
        let mut sql = Sql::new(CALL_SELECT, org_id);
        sql.common("k", "subject", f);
        if let Some(kind) = f.call_kind {
            sql.and(" AND k.kind = ?", kind.as_str());
        }
        if let Some(a) = &f.account_id {
            sql.and(" AND k.account_id = ?", a.clone());
        }
        if let Some(o) = &f.opportunity_id {
            sql.and(" AND k.opportunity_id = ?", o.clone());
        }
        sql.finish("k", "k.occurred_at DESC", f);
        sql.fetch(self).await?.iter().map(call).collect()
    }

    /// One call, with its contacts.
    pub async fn call(&self, org_id: &str, id: &str) -> Result<Call> {
        let mut sql = Sql::new(CALL_SELECT, org_id);
        sql.and(" AND k.id = ?", id);
        let rows = sql.fetch(self).await?;
        let mut call = rows.first().map(call).ok_or(StoreError::NotFound)??;
        call.contacts = self
            .call_contacts(org_id, &[call.id.clone()])
            .await?
            .remove(&call.id)
            .unwrap_or_default();
        Ok(call)
    }

    /// The contacts of these calls: call id → (contact id, name, CRM id).
    pub async fn call_contacts(
        &self,
        org_id: &str,
        call_ids: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<(String, String, Option<String>)>>> {
        let mut out: std::collections::HashMap<String, Vec<(String, String, Option<String>)>> =
            std::collections::HashMap::new();
        for chunk in call_ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT cc.call_id, c.id, c.name, c.source_id FROM call_contacts cc \
                 JOIN contacts c ON c.org_id = cc.org_id AND c.id = cc.contact_id WHERE cc.org_id = $1",
                org_id,
            );
            sql.and_in("cc.call_id", chunk);
            sql.text.push_str(" ORDER BY c.name");
            for row in sql.fetch(self).await? {
                out.entry(row.try_get(0)?).or_default().push((
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ));
            }
        }
        Ok(out)
    }
}
