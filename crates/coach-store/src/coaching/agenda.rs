//! The written agenda (R34, R35): items in three sections, each with a time
//! allotment and what it is about (R1: an account, an opportunity, a call, an
//! activity type, a plan), the decision taken on it and the time spent on it
//! in the room. An opportunity session takes at most three deals an hour
//! (R26). Both sides edit the agenda; every item carries a version so that
//! two people editing it at once never overwrite each other (T5).

use super::{Session, bump, load_session, stale_unless, still_open};
use crate::crm::records::instant;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::FieldError;
use coach_core::coaching::{
    ItemFacts, Section, SubjectKind, check_deals, validate_item_minutes, validate_note_text,
    validate_title,
};
use coach_core::time::to_db;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};

/// An item of a session's agenda.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    /// Its id.
    pub id: String,
    /// Its section.
    pub section: Section,
    /// Its order in the agenda.
    pub position: i64,
    /// What it is.
    pub title: String,
    /// Its time allotment.
    pub minutes: u32,
    /// What it is about.
    pub subject: Option<(SubjectKind, String)>,
    /// The name of what it is about.
    pub subject_name: Option<String>,
    /// The decision taken on it.
    pub decision: String,
    /// Seconds spent on it in the room.
    pub spent_seconds: i64,
    /// Checking numbers rather than coaching (R15).
    pub inspection: bool,
    /// When its timer was started, while it runs.
    pub timer_started_at: Option<DateTime<Utc>>,
    /// Who added it.
    pub added_by: String,
    /// Version, for concurrent edits.
    pub version: i64,
}

impl AgendaItem {
    /// Seconds spent so far, counting a running timer up to `now`.
    pub fn seconds_at(&self, now: DateTime<Utc>) -> i64 {
        self.spent_seconds
            + self
                .timer_started_at
                .map_or(0, |t| (now - t).num_seconds().max(0))
    }
}

/// A new agenda item.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Its section.
    pub section: Section,
    /// What it is.
    pub title: String,
    /// Its time allotment.
    pub minutes: u32,
    /// What it is about.
    pub subject: Option<(SubjectKind, String)>,
    /// Checking numbers rather than coaching (R15).
    pub inspection: bool,
}

/// A change to an item; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct ItemPatch {
    /// New title.
    pub title: Option<String>,
    /// New time allotment.
    pub minutes: Option<u32>,
    /// The decision taken.
    pub decision: Option<String>,
    /// New position (the item moves there within its section).
    pub position: Option<i64>,
    /// Start (`Some(true)`) or stop the item's timer.
    pub timer: Option<bool>,
}

const ITEM_SELECT: &str = "SELECT i.id, i.session_id, i.section, i.position, i.title, i.minutes, i.subject_kind, i.subject_id, \
     COALESCE(a.name, o.name, c.subject, t.name, ai.title) AS subject_name, \
     i.decision, i.spent_seconds, i.inspection, i.timer_started_at, i.added_by, i.version \
     FROM agenda_items i \
     LEFT JOIN accounts a ON i.subject_kind = 'account' AND a.org_id = i.org_id AND a.id = i.subject_id \
     LEFT JOIN opportunities o ON i.subject_kind = 'opportunity' AND o.org_id = i.org_id AND o.id = i.subject_id \
     LEFT JOIN calls c ON i.subject_kind = 'call' AND c.org_id = i.org_id AND c.id = i.subject_id \
     LEFT JOIN activity_types t ON i.subject_kind = 'activity_type' AND t.org_id = i.org_id AND t.id = i.subject_id \
     LEFT JOIN action_items ai ON i.subject_kind = 'action_item' AND ai.org_id = i.org_id AND ai.id = i.subject_id \
     WHERE i.org_id = $1";

fn item_from(row: &AnyRow) -> Result<AgendaItem> {
    let kind: Option<String> = row.try_get("subject_kind")?;
    let id: Option<String> = row.try_get("subject_id")?;
    let section: String = row.try_get("section")?;
    Ok(AgendaItem {
        id: row.try_get("id")?,
        section: section.parse().unwrap_or(Section::Focus),
        position: row.try_get("position")?,
        title: row.try_get("title")?,
        minutes: u32::try_from(row.try_get::<i64, _>("minutes")?).unwrap_or_default(),
        subject: kind.and_then(|k| k.parse().ok()).zip(id),
        subject_name: row.try_get("subject_name")?,
        decision: row.try_get("decision")?,
        spent_seconds: row.try_get("spent_seconds")?,
        inspection: row.try_get::<i64, _>("inspection")? != 0,
        timer_started_at: instant(row, "timer_started_at")?,
        added_by: row.try_get("added_by")?,
        version: row.try_get("version")?,
    })
}

/// The items of a session, in agenda order (section, then position).
pub(crate) async fn load_items(
    conn: impl sqlx::Executor<'_, Database = Any>,
    org_id: &str,
    session_id: &str,
) -> Result<Vec<AgendaItem>> {
    let sql = format!("{ITEM_SELECT} AND i.session_id = $2 ORDER BY i.position, i.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(session_id)
        .fetch_all(conn)
        .await?;
    let mut items = rows.iter().map(item_from).collect::<Result<Vec<_>>>()?;
    items.sort_by_key(|i| (i.section, i.position));
    Ok(items)
}

/// The items as the agenda checks see them.
pub(crate) fn facts(items: &[AgendaItem]) -> Vec<ItemFacts> {
    items
        .iter()
        .map(|i| ItemFacts {
            section: i.section,
            minutes: i.minutes,
            subject: i.subject.clone(),
        })
        .collect()
}

/// What an agenda draws (R26, R34, R35), from items already read.
pub fn warnings(
    session: &Session,
    items: &[AgendaItem],
) -> Vec<coach_core::coaching::AgendaWarning> {
    coach_core::coaching::agenda_warnings(session.kind, session.minutes, &facts(items))
}

pub(crate) async fn insert_item(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    session_id: &str,
    position: i64,
    item: &NewItem,
    by: &str,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = to_db(Utc::now());
    let (kind, subject) = item
        .subject
        .as_ref()
        .map(|(k, id)| (k.as_str().to_owned(), id.clone()))
        .unzip();
    sqlx::query(
        "INSERT INTO agenda_items (org_id, id, session_id, section, position, title, minutes, subject_kind, subject_id, added_by, created_at, updated_at, inspection) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
    )
    .bind(org_id)
    .bind(&id)
    .bind(session_id)
    .bind(item.section.as_str())
    .bind(position)
    .bind(&item.title)
    .bind(i64::from(item.minutes))
    .bind(kind)
    .bind(subject)
    .bind(by)
    .bind(at)
    .bind(i64::from(item.inspection))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Checks that what an item is about exists and belongs to the session's
/// seller (a CRM record they own, an activity type of the model, an action
/// item of theirs). Another person's records never enter a session.
pub(crate) async fn check_subject(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    seller_id: &str,
    kind: SubjectKind,
    id: &str,
) -> Result<()> {
    let sql = match kind {
        SubjectKind::Account => {
            "SELECT 1 FROM accounts WHERE org_id = $1 AND id = $2 AND owner_id = $3"
        }
        SubjectKind::Opportunity => {
            "SELECT 1 FROM opportunities WHERE org_id = $1 AND id = $2 AND owner_id = $3"
        }
        SubjectKind::Call => "SELECT 1 FROM calls WHERE org_id = $1 AND id = $2 AND owner_id = $3",
        SubjectKind::ActivityType => {
            "SELECT 1 FROM activity_types WHERE org_id = $1 AND id = $2 AND $3 = $3"
        }
        SubjectKind::ActionItem => {
            "SELECT 1 FROM action_items WHERE org_id = $1 AND id = $2 AND seller_id = $3"
        }
        SubjectKind::Plan => {
            return Err(FieldError::new("subject_id", "expected a plan of the seller's").into());
        }
    };
    let found: Option<(i64,)> = sqlx::query_as(sql)
        .bind(org_id)
        .bind(id)
        .bind(seller_id)
        .fetch_optional(&mut **tx)
        .await?;
    if found.is_none() {
        return Err(FieldError::new(
            "subject_id",
            format!("expected {} of the seller's", article(kind)),
        )
        .into());
    }
    Ok(())
}

fn article(kind: SubjectKind) -> String {
    let label = kind.label().to_lowercase();
    if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {label}")
    } else {
        format!("a {label}")
    }
}

/// Stops every running timer of a session, adding the time to the items.
pub(crate) async fn stop_timers(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    session_id: &str,
) -> Result<()> {
    let now = Utc::now();
    for item in load_items(&mut **tx, org_id, session_id).await? {
        if item.timer_started_at.is_some() {
            sqlx::query(
                "UPDATE agenda_items SET spent_seconds = $3, timer_started_at = NULL, version = version + 1, updated_at = $4 \
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(&item.id)
            .bind(item.seconds_at(now))
            .bind(to_db(now))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

async fn item_session(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    item_id: &str,
) -> Result<(AgendaItem, Session)> {
    let sql = format!("{ITEM_SELECT} AND i.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(item_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let item = item_from(&row)?;
    let session_id: String = row.try_get("session_id")?;
    let session = load_session(&mut **tx, org_id, &session_id).await?;
    Ok((item, session))
}

impl Store {
    /// The agenda of a session, in order.
    pub async fn agenda(&self, org_id: &str, session_id: &str) -> Result<Vec<AgendaItem>> {
        load_items(&self.pool, org_id, session_id).await
    }

    /// The agendas of many sessions at once, in order, by session.
    pub async fn agendas(
        &self,
        org_id: &str,
        session_ids: &[String],
    ) -> Result<std::collections::BTreeMap<String, Vec<AgendaItem>>> {
        let mut out: std::collections::BTreeMap<String, Vec<AgendaItem>> = Default::default();
        for ids in session_ids.chunks(500) {
            let mut sql = crate::crm::records::Sql::new(ITEM_SELECT, org_id);
            sql.and_in("i.session_id", ids);
            for row in sql.fetch(self).await? {
                let session_id: String = row.try_get("session_id")?;
                out.entry(session_id).or_default().push(item_from(&row)?);
            }
        }
        for items in out.values_mut() {
            items.sort_by_key(|i| (i.section, i.position));
        }
        Ok(out)
    }

    /// The session an agenda item belongs to.
    pub async fn agenda_item_session(&self, org_id: &str, item_id: &str) -> Result<Session> {
        let mut tx = self.pool.begin().await?;
        let (_, session) = item_session(&mut tx, org_id, item_id).await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Adds an item at the end of its section. Refuses a deal that would
    /// make more than three per hour in an opportunity session (R26).
    pub async fn add_agenda_item(
        &self,
        org_id: &str,
        session_id: &str,
        item: NewItem,
        by: &str,
    ) -> Result<AgendaItem> {
        let title = validate_title(&item.title)?;
        let minutes = validate_item_minutes(i64::from(item.minutes))?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, session_id)
            .await?;
        let session = load_session(&mut *tx, org_id, session_id).await?;
        still_open(&session, "section")?;
        let mut items = load_items(&mut *tx, org_id, session_id).await?;
        if let Some((kind, id)) = &item.subject {
            check_subject(&mut tx, org_id, &session.seller_id, *kind, id).await?;
        }
        let item = NewItem {
            title,
            minutes,
            ..item
        };
        let mut all = facts(&items);
        all.push(ItemFacts {
            section: item.section,
            minutes,
            subject: item.subject.clone(),
        });
        check_deals(session.kind, session.minutes, &all)?;
        if items.len() >= 40 {
            return Err(FieldError::new(
                "title",
                "an agenda has at most 40 items: fewer items, more depth (R34)",
            )
            .into());
        }
        let position = items.iter().map(|i| i.position).max().unwrap_or(-1) + 1;
        let id = insert_item(&mut tx, org_id, session_id, position, &item, by).await?;
        bump(&mut tx, org_id, session_id).await?;
        items = load_items(&mut *tx, org_id, session_id).await?;
        tx.commit().await?;
        items
            .into_iter()
            .find(|i| i.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Changes an item. `if_version` guards against two people editing it at
    /// once (T5): a stale write changes nothing.
    pub async fn update_agenda_item(
        &self,
        org_id: &str,
        item_id: &str,
        if_version: Option<i64>,
        patch: ItemPatch,
    ) -> Result<AgendaItem> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "agenda_items", org_id, item_id)
            .await?;
        let (item, session) = item_session(&mut tx, org_id, item_id).await?;
        stale_unless(if_version, item.version)?;
        still_open(&session, "title")?;
        let title = match &patch.title {
            Some(t) => validate_title(t)?,
            None => item.title.clone(),
        };
        let minutes = match patch.minutes {
            Some(m) => validate_item_minutes(i64::from(m))?,
            None => item.minutes,
        };
        let decision = match &patch.decision {
            Some(d) => validate_note_text("decision", d.trim())?,
            None => item.decision.clone(),
        };
        if decision.chars().count() > 2000 {
            return Err(FieldError::new("decision", "expected at most 2000 characters").into());
        }
        let now = Utc::now();
        let (spent, started) = match patch.timer {
            Some(true) if session.status != coach_core::coaching::SessionStatus::InProgress => {
                return Err(
                    FieldError::new("timer", "the timer runs once the session is open").into(),
                );
            }
            Some(true) => {
                super::agenda::stop_timers(&mut tx, org_id, &session.id).await?;
                let fresh = item_session(&mut tx, org_id, item_id).await?.0;
                (fresh.spent_seconds, Some(to_db(now)))
            }
            Some(false) => (item.seconds_at(now), None),
            None => (item.spent_seconds, item.timer_started_at.map(to_db)),
        };
        let position = patch.position.unwrap_or(item.position);
        sqlx::query(
            "UPDATE agenda_items SET title = $3, minutes = $4, decision = $5, spent_seconds = $6, timer_started_at = $7, position = $8, \
             version = version + 1, updated_at = $9 WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(item_id)
        .bind(&title)
        .bind(i64::from(minutes))
        .bind(&decision)
        .bind(spent)
        .bind(started)
        .bind(position)
        .bind(to_db(now))
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, org_id, &session.id).await?;
        let items = load_items(&mut *tx, org_id, &session.id).await?;
        tx.commit().await?;
        items
            .into_iter()
            .find(|i| i.id == item_id)
            .ok_or(StoreError::NotFound)
    }

    /// Removes an item from an agenda still to be held.
    pub async fn remove_agenda_item(
        &self,
        org_id: &str,
        item_id: &str,
        if_version: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "agenda_items", org_id, item_id)
            .await?;
        let (item, session) = item_session(&mut tx, org_id, item_id).await?;
        stale_unless(if_version, item.version)?;
        still_open(&session, "title")?;
        sqlx::query("DELETE FROM agenda_items WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        bump(&mut tx, org_id, &session.id).await?;
        tx.commit().await?;
        Ok(())
    }
}
