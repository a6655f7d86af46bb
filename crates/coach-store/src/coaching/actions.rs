//! Action items (R39, R41): commitments with an owner (usually the seller),
//! a due date, what they are about and a status. They come back in the review
//! section of every session with the seller until closed; overdue ones stand
//! out. "Done by the due date" is what R39 measures.

use super::agenda::check_subject;
use super::{load_session, stale_unless, ymd};
use crate::crm::records::{Sql, date, instant};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::coaching::{ActionStatus, SessionStatus, SubjectKind, validate_title};
use coach_core::time::to_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// An action item.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionItem {
    /// Its id.
    pub id: String,
    /// The session it was agreed in.
    pub session_id: Option<String>,
    /// The seller whose coaching it belongs to.
    pub seller_id: String,
    /// Their name.
    pub seller_name: String,
    /// Who does it.
    pub owner_id: String,
    /// Their name.
    pub owner_name: String,
    /// What is to be done.
    pub title: String,
    /// What it is about.
    pub subject: Option<(SubjectKind, String)>,
    /// The name of what it is about.
    pub subject_name: Option<String>,
    /// By when.
    pub due_on: NaiveDate,
    /// Open, done or dropped.
    pub status: ActionStatus,
    /// The day it was done or dropped.
    pub closed_on: Option<NaiveDate>,
    /// Who wrote it down.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Version, for concurrent edits.
    pub version: i64,
}

impl ActionItem {
    /// Whether it is open past its due date on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        coach_core::coaching::is_overdue(self.status, self.due_on, today)
    }
}

/// A new action item.
#[derive(Debug, Clone)]
pub struct NewActionItem {
    /// The session it is agreed in (in progress, or held).
    pub session_id: String,
    /// Who does it: the seller (default) or the session's manager.
    pub owner_id: Option<String>,
    /// What is to be done.
    pub title: String,
    /// What it is about.
    pub subject: Option<(SubjectKind, String)>,
    /// By when.
    pub due_on: NaiveDate,
}

/// A change to an action item; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct ActionPatch {
    /// New title.
    pub title: Option<String>,
    /// New due date.
    pub due_on: Option<NaiveDate>,
    /// New status; closing records the day, reopening clears it.
    pub status: Option<ActionStatus>,
}

/// Which action items a list shows.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Items whose seller or owner is one of these; `None` for all (admins).
    pub people: Option<Vec<String>>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this owner's.
    pub owner_id: Option<String>,
    /// Only those agreed in this session.
    pub session_id: Option<String>,
    /// Only these statuses.
    pub statuses: Option<Vec<ActionStatus>>,
    /// Only open ones due before this day (overdue on it).
    pub due_before: Option<NaiveDate>,
    /// Open ones, or closed ones due on or after this day (a session's review).
    pub open_or_due_since: Option<NaiveDate>,
    /// After this item (a cursor; items are ordered by due date).
    pub after: Option<String>,
    /// At most this many.
    pub limit: Option<i64>,
}

const ACTION_SELECT: &str = "SELECT x.id, x.session_id, x.seller_id, s.name AS seller_name, x.owner_id, o.name AS owner_name, x.title, \
     x.subject_kind, x.subject_id, COALESCE(a.name, p.name, c.subject, t.name) AS subject_name, x.due_on, x.status, x.closed_on, \
     x.created_by, x.created_at, x.version \
     FROM action_items x \
     JOIN users s ON s.org_id = x.org_id AND s.id = x.seller_id \
     JOIN users o ON o.org_id = x.org_id AND o.id = x.owner_id \
     LEFT JOIN accounts a ON x.subject_kind = 'account' AND a.org_id = x.org_id AND a.id = x.subject_id \
     LEFT JOIN opportunities p ON x.subject_kind = 'opportunity' AND p.org_id = x.org_id AND p.id = x.subject_id \
     LEFT JOIN calls c ON x.subject_kind = 'call' AND c.org_id = x.org_id AND c.id = x.subject_id \
     LEFT JOIN activity_types t ON x.subject_kind = 'activity_type' AND t.org_id = x.org_id AND t.id = x.subject_id \
     WHERE x.org_id = $1";

fn action_from(row: &AnyRow) -> Result<ActionItem> {
    let kind: Option<String> = row.try_get("subject_kind")?;
    let subject: Option<String> = row.try_get("subject_id")?;
    let status: String = row.try_get("status")?;
    Ok(ActionItem {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        seller_id: row.try_get("seller_id")?,
        seller_name: row.try_get("seller_name")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        title: row.try_get("title")?,
        subject: kind.and_then(|k| k.parse().ok()).zip(subject),
        subject_name: row.try_get("subject_name")?,
        due_on: date(row, "due_on")?.unwrap_or_default(),
        status: status.parse().unwrap_or(ActionStatus::Open),
        closed_on: date(row, "closed_on")?,
        created_by: row.try_get("created_by")?,
        created_at: instant(row, "created_at")?.unwrap_or_default(),
        version: row.try_get("version")?,
    })
}

/// How far back a closed item still shows in a session's review (R35:
/// "recently due").
pub const REVIEW_DAYS: i64 = 14;

impl Store {
    /// Writes down an action item agreed in a session (R39): in the room, or
    /// after the close. The owner is the seller or the session's manager.
    pub async fn create_action_item(
        &self,
        org_id: &str,
        new: NewActionItem,
        by: &str,
    ) -> Result<ActionItem> {
        let title = validate_title(&new.title)?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, &new.session_id)
            .await?;
        let session = load_session(&mut *tx, org_id, &new.session_id).await?;
        if !matches!(
            session.status,
            SessionStatus::InProgress | SessionStatus::Held
        ) {
            return Err(FieldError::new(
                "session_id",
                "action items are agreed in the session: open it first",
            )
            .into());
        }
        let owner = new
            .owner_id
            .clone()
            .unwrap_or_else(|| session.seller_id.clone());
        if owner != session.seller_id && owner != session.manager_id {
            return Err(FieldError::new(
                "owner_id",
                "expected the seller or the manager of the session",
            )
            .into());
        }
        let today = crate::roa::org_today(&mut *tx, org_id).await?;
        if new.due_on < today - Duration::days(1) || new.due_on > today + Duration::days(366) {
            return Err(FieldError::new(
                "due_on",
                format!("expected a day from {today} to a year ahead"),
            )
            .into());
        }
        if let Some((kind, id)) = &new.subject {
            if *kind == SubjectKind::ActionItem {
                return Err(FieldError::new(
                    "subject_kind",
                    "an action item is about a record, an activity or a plan",
                )
                .into());
            }
            check_subject(&mut tx, org_id, &session.seller_id, *kind, id).await?;
        }
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM action_items WHERE org_id = $1 AND session_id = $2",
        )
        .bind(org_id)
        .bind(&session.id)
        .fetch_one(&mut *tx)
        .await?;
        if count >= 30 {
            return Err(FieldError::new("title", "at most 30 action items per session").into());
        }
        let id = uuid::Uuid::now_v7().to_string();
        let at = to_db(Utc::now());
        let (kind, subject) = new
            .subject
            .as_ref()
            .map(|(k, id)| (k.as_str().to_owned(), id.clone()))
            .unzip();
        sqlx::query(
            "INSERT INTO action_items (org_id, id, session_id, seller_id, owner_id, title, subject_kind, subject_id, due_on, status, closed_on, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', NULL, $10, 1, $11, $11)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(&session.id)
        .bind(&session.seller_id)
        .bind(&owner)
        .bind(&title)
        .bind(kind)
        .bind(subject)
        .bind(ymd(new.due_on))
        .bind(by)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.action_item(org_id, &id).await
    }

    /// How many action items each of these sessions agreed (R41: none is a
    /// flag), in one query.
    pub async fn next_step_counts(
        &self,
        org_id: &str,
        session_ids: &[String],
    ) -> Result<std::collections::BTreeMap<String, usize>> {
        if session_ids.is_empty() {
            return Ok(std::collections::BTreeMap::new());
        }
        let mut sql = Sql::new(
            "SELECT x.session_id AS session_id, COUNT(*) AS n FROM action_items x WHERE x.org_id = $1",
            org_id,
        );
        sql.and_in("x.session_id", session_ids);
        sql.push(" GROUP BY x.session_id");
        sql.fetch(self)
            .await?
            .iter()
            .map(|row| {
                let id: String = row.try_get("session_id")?;
                let n: i64 = row.try_get("n")?;
                Ok((id, usize::try_from(n).unwrap_or_default()))
            })
            .collect()
    }

    /// One action item.
    pub async fn action_item(&self, org_id: &str, id: &str) -> Result<ActionItem> {
        let sql = format!("{ACTION_SELECT} AND x.id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        action_from(&row)
    }

    /// Action items, by due date.
    pub async fn action_items(&self, org_id: &str, f: &ActionFilter) -> Result<Vec<ActionItem>> {
        let mut sql = Sql::new(ACTION_SELECT, org_id);
        if let Some(people) = &f.people {
            if people.is_empty() {
                sql.push(" AND 1 = 0");
            } else {
                let list = sql.placeholders_for(people);
                sql.push(&format!(
                    " AND (x.seller_id IN ({list}) OR x.owner_id IN ({list}))"
                ));
            }
        }
        if let Some(s) = &f.seller_id {
            sql.and(" AND x.seller_id = ?", s.clone());
        }
        if let Some(o) = &f.owner_id {
            sql.and(" AND x.owner_id = ?", o.clone());
        }
        if let Some(s) = &f.session_id {
            sql.and(" AND x.session_id = ?", s.clone());
        }
        if let Some(statuses) = &f.statuses {
            let names: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
            sql.and_in("x.status", &names);
        }
        if let Some(day) = f.due_before {
            sql.and(" AND x.status = 'open' AND x.due_on < ?", ymd(day));
        }
        if let Some(day) = f.open_or_due_since {
            sql.and(" AND (x.status = 'open' OR x.due_on >= ?)", ymd(day));
        }
        if let Some(after) = &f.after {
            sql.and(
                " AND (x.due_on, x.id) > (SELECT c.due_on, c.id FROM action_items c WHERE c.org_id = x.org_id AND c.id = ?)",
                after.clone(),
            );
        }
        sql.push(" ORDER BY x.due_on, x.id");
        if let Some(limit) = f.limit {
            sql.push(&format!(" LIMIT {limit}"));
        }
        sql.fetch(self).await?.iter().map(action_from).collect()
    }

    /// The items a session reviews (R35): the seller's open ones, and those
    /// due in the two weeks before it, agreed in earlier sessions.
    pub async fn review_items(
        &self,
        org_id: &str,
        session: &super::Session,
    ) -> Result<Vec<ActionItem>> {
        let day = session.starts_at.date_naive() - Duration::days(REVIEW_DAYS);
        let items = self
            .action_items(
                org_id,
                &ActionFilter {
                    seller_id: Some(session.seller_id.clone()),
                    open_or_due_since: Some(day),
                    limit: Some(200),
                    ..ActionFilter::default()
                },
            )
            .await?;
        Ok(items
            .into_iter()
            .filter(|i| {
                i.session_id.as_deref() != Some(&session.id)
                    && i.created_at
                        < session
                            .starts_at
                            .max(session.agenda_agreed_at.unwrap_or(session.starts_at))
            })
            .collect())
    }

    /// Changes an action item: its title, due date or status. Done and
    /// dropped record the day (R39); `if_version` guards concurrent edits.
    pub async fn update_action_item(
        &self,
        org_id: &str,
        id: &str,
        if_version: Option<i64>,
        patch: ActionPatch,
    ) -> Result<ActionItem> {
        let current = self.action_item(org_id, id).await?;
        let title = patch.title.as_deref().map(validate_title).transpose()?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "action_items", org_id, id).await?;
        let (version,): (i64,) =
            sqlx::query_as("SELECT version FROM action_items WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        stale_unless(if_version, version)?;
        let today = crate::roa::org_today(&mut *tx, org_id).await?;
        if let Some(due) = patch.due_on.filter(|due| {
            *due > today + Duration::days(366)
                || *due < current.created_at.date_naive() - Duration::days(1)
        }) {
            return Err(FieldError::new(
                "due_on",
                format!("expected a day from when it was agreed to a year ahead; got {due}"),
            )
            .into());
        }
        let (status, closed_on) = match patch.status {
            None => (current.status, current.closed_on),
            Some(ActionStatus::Open) => (ActionStatus::Open, None),
            Some(s) if s == current.status => (s, current.closed_on),
            Some(s) => (s, Some(today)),
        };
        sqlx::query(
            "UPDATE action_items SET title = $3, due_on = $4, status = $5, closed_on = $6, version = version + 1, updated_at = $7 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .bind(title.unwrap_or(current.title))
        .bind(ymd(patch.due_on.unwrap_or(current.due_on)))
        .bind(status.as_str())
        .bind(closed_on.map(ymd))
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.action_item(org_id, id).await
    }
}
