//! How each kind of record is laid out in its table, so that one importer
//! compares and writes all four: a record becomes a row image (one cell per
//! column, in order) plus its links (a call's contacts).

use crate::Result;
use coach_core::import::{ParsedRecord, RecordKind};
use coach_core::time::to_db;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use std::collections::{BTreeSet, HashMap};

use crate::Backend;

/// `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A list of strings in a query (`… IN (<list>)`). On SQLite one bind, a
/// JSON array read by `json_each` (SQLite looks numbered binds up by name, one
/// by one: slow for long lists); on PostgreSQL one bind per value, so the
/// planner sees the values and uses the index.
pub(crate) struct List {
    backend: Backend,
    values: Vec<String>,
}

impl List {
    pub(crate) fn new(backend: Backend, values: impl IntoIterator<Item = impl AsRef<str>>) -> List {
        List {
            backend,
            values: values.into_iter().map(|v| v.as_ref().to_owned()).collect(),
        }
    }

    /// The list's SQL, its binds numbered from `from`.
    pub(crate) fn sql(&self, from: usize) -> String {
        match self.backend {
            Backend::Sqlite => format!("SELECT value FROM json_each(${from})"),
            Backend::Postgres if self.values.is_empty() => "NULL".to_owned(),
            Backend::Postgres => marks(self.backend, from, self.values.len()),
        }
    }

    /// The values its SQL binds, in order: one JSON array on SQLite, each
    /// value on PostgreSQL.
    pub(crate) fn bind_values(&self) -> Vec<String> {
        match self.backend {
            Backend::Sqlite => vec![json_text(&self.values)],
            Backend::Postgres => self.values.clone(),
        }
    }

    /// Binds the list's values.
    pub(crate) fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        self.bind_values().into_iter().fold(q, |q, v| q.bind(v))
    }
}

/// `n` bind markers numbered from `from`: plain `?` on SQLite, where
/// numbered markers are looked up by name one by one (slow for statements
/// with thousands of them), `$n` on PostgreSQL.
pub(crate) fn marks(backend: Backend, from: usize, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(", "),
        Backend::Postgres => placeholders(from, n),
    }
}

/// How the importer starts an insert. On SQLite a failed constraint ends the
/// whole transaction (`OR ROLLBACK`; foreign keys are checked at commit), so
/// SQLite needs no statement journal: each statement of a large import would
/// otherwise copy every page it changes.
fn insert_into(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "INSERT OR ROLLBACK INTO",
        Backend::Postgres => "INSERT INTO",
    }
}

fn json_text(values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    serde_json::Value::Array(
        values
            .into_iter()
            .map(|v| serde_json::Value::String(v.as_ref().to_owned()))
            .collect(),
    )
    .to_string()
}

/// One column's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(i64),
}

/// A stored record, as the importer compares it.
pub(crate) struct Existing {
    pub id: String,
    pub image: Vec<Cell>,
    pub links: Vec<String>,
}

/// A table's name and the columns an import writes, integer ones marked;
/// whether its records link to contacts (a call's people, in `call_contacts`).
pub(crate) struct Table {
    pub name: &'static str,
    columns: &'static [(&'static str, bool)],
    has_contacts: bool,
}

static ACCOUNTS: Table = Table {
    name: "accounts",
    columns: &[
        ("source_id", false),
        ("name", false),
        ("owner_id", false),
        ("segment", false),
        ("tier", false),
        ("potential", false),
        ("currency", false),
        ("key_account", true),
        ("crm_updated_at", false),
    ],
    has_contacts: false,
};

static CONTACTS: Table = Table {
    name: "contacts",
    columns: &[
        ("source_id", false),
        ("name", false),
        ("owner_id", false),
        ("account_id", false),
        ("title", false),
        ("email", false),
        ("buying_role", false),
        ("stance", false),
        ("crm_updated_at", false),
    ],
    has_contacts: false,
};

static OPPORTUNITIES: Table = Table {
    name: "opportunities",
    columns: &[
        ("source_id", false),
        ("name", false),
        ("owner_id", false),
        ("account_id", false),
        ("amount", false),
        ("currency", false),
        ("stage", false),
        ("crm_stage", false),
        ("close_date", false),
        ("created_on", false),
        ("crm_updated_at", false),
        ("next_step", false),
        ("importance", false),
        ("complexity", false),
    ],
    has_contacts: false,
};

static CALLS: Table = Table {
    name: "calls",
    columns: &[
        ("source_id", false),
        ("subject", false),
        ("owner_id", false),
        ("occurred_at", false),
        ("account_id", false),
        ("opportunity_id", false),
        ("kind", false),
        ("importance", false),
        ("outcome", false),
        ("crm_updated_at", false),
    ],
    has_contacts: true,
};

/// The layout of a kind's table.
pub(crate) fn table_of(kind: RecordKind) -> &'static Table {
    match kind {
        RecordKind::Accounts => &ACCOUNTS,
        RecordKind::Contacts => &CONTACTS,
        RecordKind::Opportunities => &OPPORTUNITIES,
        RecordKind::Calls => &CALLS,
    }
}

fn text(v: impl ToString) -> Cell {
    Cell::Text(Some(v.to_string()))
}

fn opt<T: ToString>(v: &Option<T>) -> Cell {
    Cell::Text(v.as_ref().map(ToString::to_string))
}

impl Table {
    /// The column of the buying stage (opportunities).
    pub fn stage_column(&self) -> usize {
        self.columns
            .iter()
            .position(|(c, _)| *c == "stage")
            .unwrap_or(0)
    }

    /// A parsed record as this table's row, with its links; references are
    /// turned into Coach ids by `resolve(table, crm id)`.
    pub fn image(
        &self,
        parsed: &ParsedRecord,
        owner_id: &str,
        resolve: &dyn Fn(&'static str, Option<&str>) -> Option<String>,
    ) -> (Vec<Cell>, Vec<String>) {
        let owner = text(owner_id);
        match parsed {
            ParsedRecord::Account(a) => (
                vec![
                    text(&a.source_id),
                    text(&a.name),
                    owner,
                    opt(&a.segment),
                    opt(&a.tier),
                    opt(&a.potential),
                    opt(&a.currency),
                    Cell::Int(i64::from(a.key_account)),
                    opt(&a.crm_updated.map(to_db)),
                ],
                vec![],
            ),
            ParsedRecord::Contact(c) => (
                vec![
                    text(&c.source_id),
                    text(&c.name),
                    owner,
                    Cell::Text(resolve("accounts", c.account.as_deref())),
                    opt(&c.title),
                    opt(&c.email),
                    opt(&c.buying_role),
                    opt(&c.stance),
                    opt(&c.crm_updated.map(to_db)),
                ],
                vec![],
            ),
            ParsedRecord::Opportunity(o) => (
                vec![
                    text(&o.source_id),
                    text(&o.name),
                    owner,
                    Cell::Text(resolve("accounts", o.account.as_deref())),
                    opt(&o.amount),
                    opt(&o.currency),
                    text(o.stage),
                    text(&o.crm_stage),
                    opt(&o.close_date),
                    opt(&o.created_on),
                    opt(&o.crm_updated.map(to_db)),
                    opt(&o.next_step),
                    opt(&o.importance),
                    opt(&o.complexity),
                ],
                vec![],
            ),
            ParsedRecord::Call(c) => {
                let mut links: Vec<String> = c
                    .contacts
                    .iter()
                    .filter_map(|id| resolve("contacts", Some(id)))
                    .collect();
                links.sort();
                links.dedup();
                (
                    vec![
                        text(&c.source_id),
                        text(&c.subject),
                        owner,
                        text(to_db(c.occurred_at)),
                        Cell::Text(resolve("accounts", c.account.as_deref())),
                        Cell::Text(resolve("opportunities", c.opportunity.as_deref())),
                        text(c.kind),
                        opt(&c.importance),
                        opt(&c.outcome),
                        opt(&c.crm_updated.map(to_db)),
                    ],
                    links,
                )
            }
        }
    }

    fn read(&self, row: &AnyRow) -> Result<Vec<Cell>> {
        let mut cells = Vec::with_capacity(self.columns.len());
        for (i, (_, int)) in self.columns.iter().enumerate() {
            cells.push(if *int {
                Cell::Int(row.try_get(i + 1)?)
            } else {
                Cell::Text(row.try_get(i + 1)?)
            });
        }
        Ok(cells)
    }

    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The stored records with these CRM ids, by CRM id.
    pub async fn existing(
        &self,
        tx: &mut AnyConnection,
        backend: Backend,
        org_id: &str,
        source_ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, Existing>> {
        let mut out = HashMap::new();
        {
            let list = List::new(backend, source_ids);
            let sql = format!(
                "SELECT id, {} FROM {} WHERE org_id = $1 AND source_id IN ({})",
                self.column_list(),
                self.name,
                list.sql(2)
            );
            let q = list.bind(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id));
            for row in q.fetch_all(&mut *tx).await? {
                let image = self.read(&row)?;
                let Cell::Text(Some(source_id)) = image[0].clone() else {
                    continue;
                };
                out.insert(
                    source_id,
                    Existing {
                        id: row.try_get(0)?,
                        image,
                        links: vec![],
                    },
                );
            }
        }
        if self.has_contacts && !out.is_empty() {
            let by_id: HashMap<String, String> =
                out.iter().map(|(s, e)| (e.id.clone(), s.clone())).collect();
            let list = List::new(backend, by_id.keys());
            let sql = format!(
                "SELECT call_id, contact_id FROM call_contacts WHERE org_id = $1 AND call_id IN ({}) ORDER BY contact_id",
                list.sql(2)
            );
            let q = list.bind(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id));
            for row in q.fetch_all(&mut *tx).await? {
                let call: String = row.try_get(0)?;
                if let Some(e) = by_id.get(&call).and_then(|s| out.get_mut(s)) {
                    e.links.push(row.try_get(1)?);
                }
            }
        }
        Ok(out)
    }

    /// Adds records: `(id, image, links)`, many rows per statement.
    pub async fn insert(
        &self,
        tx: &mut AnyConnection,
        backend: Backend,
        org_id: &str,
        rows: &[(String, &Vec<Cell>, &Vec<String>)],
        now: &str,
    ) -> Result<()> {
        let width = self.columns.len() + 4;
        let per_statement = 8_000 / width;
        for chunk in rows.chunks(per_statement) {
            let mut sql = format!(
                "{} {} (org_id, created_at, updated_at, id, {}) VALUES ",
                insert_into(backend),
                self.name,
                self.column_list()
            );
            for r in 0..chunk.len() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                sql.push_str(&marks(backend, 1 + r * width, width));
                sql.push(')');
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, image, _) in chunk {
                q = q.bind(org_id).bind(now).bind(now).bind(id.as_str());
                for cell in image.iter() {
                    q = match cell {
                        Cell::Text(t) => q.bind(t.as_deref()),
                        Cell::Int(i) => q.bind(*i),
                    };
                }
            }
            q.execute(&mut *tx).await?;
        }
        for (id, _, links) in rows {
            insert_links(tx, org_id, id, links).await?;
        }
        Ok(())
    }

    /// Changes a record to `image` and `links`.
    pub async fn update(
        &self,
        tx: &mut AnyConnection,
        org_id: &str,
        id: &str,
        image: &[Cell],
        links: &[String],
        now: &str,
    ) -> Result<()> {
        let sets = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE {} SET {sets}, version = version + 1, updated_at = $3 WHERE org_id = $1 AND id = $2",
            self.name
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .bind(now);
        for cell in image {
            q = match cell {
                Cell::Text(t) => q.bind(t.as_deref()),
                Cell::Int(i) => q.bind(*i),
            };
        }
        q.execute(&mut *tx).await?;
        if self.has_contacts {
            sqlx::query("DELETE FROM call_contacts WHERE org_id = $1 AND call_id = $2")
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_links(tx, org_id, id, links).await?;
        }
        Ok(())
    }
}

async fn insert_links(
    tx: &mut AnyConnection,
    org_id: &str,
    call_id: &str,
    contacts: &[String],
) -> Result<()> {
    for contact in contacts {
        sqlx::query("INSERT INTO call_contacts (org_id, call_id, contact_id) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(call_id)
            .bind(contact)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Runs `select(list)`, a query of two columns whose `$1` is the
/// organization and whose `list` is `values`, as a map of the first column to
/// the second.
pub(crate) async fn pairs<T>(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: &str,
    values: &BTreeSet<String>,
    select: impl FnOnce(&str) -> String,
) -> Result<HashMap<String, T>>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    let list = List::new(backend, values);
    let sql = select(&list.sql(2));
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

/// The last stage-history number of each of these opportunities.
pub(crate) async fn last_stage_seq(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: &str,
    ids: &BTreeSet<String>,
) -> Result<HashMap<String, i64>> {
    pairs(tx, backend, org_id, ids, |list| {
        format!(
            "SELECT opportunity_id, MAX(seq) FROM opportunity_stages WHERE org_id = $1 \
             AND opportunity_id IN ({list}) GROUP BY opportunity_id"
        )
    })
    .await
}

/// Records stage-history rows: `(opportunity id, seq, changed at, stage, CRM stage)`.
pub(crate) async fn insert_stages(
    tx: &mut AnyConnection,
    backend: Backend,
    org_id: &str,
    rows: &[(String, i64, String, String, String)],
) -> Result<()> {
    for chunk in rows.chunks(1_000) {
        let mut sql = format!(
            "{} opportunity_stages (org_id, opportunity_id, seq, changed_at, stage, crm_stage) VALUES ",
            insert_into(backend)
        );
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&marks(backend, 1 + r * 6, 6));
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, seq, at, stage, crm_stage) in chunk {
            q = q
                .bind(org_id)
                .bind(id.as_str())
                .bind(*seq)
                .bind(at.as_str())
                .bind(stage.as_str())
                .bind(crm_stage.as_str());
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}
