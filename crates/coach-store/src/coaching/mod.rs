//! Coaching sessions (coaching-model R14, R34–R43): a manager and a seller,
//! a kind, a time and a length, and a life cycle (scheduled → prepared → in
//! progress → held; or moved, cancelled, missed). A session starts with the
//! organization's agenda template for its kind; the review section shows the
//! seller's open and recently due action items as they stand (R35). The rules
//! of the life cycle and the agenda are kept here, where every caller meets
//! them.

mod actions;
mod agenda;
mod export;
mod feedback;
mod load;
mod notes;
pub(crate) mod prep;
mod seed;

pub use actions::{ActionFilter, ActionItem, ActionPatch, NewActionItem};
pub use agenda::{AgendaItem, ItemPatch, NewItem, warnings};
pub use export::{ACTION_COLUMNS, CALL_PLAN_COLUMNS, SESSION_COLUMNS};
pub use feedback::{Feedback, NewFeedback, Observation};
pub use load::{PastAction, PastItem, PastSession};
pub use notes::Note;
pub use prep::{CoachingSettings, DealCheck, PreparedQuestion, Question};
pub(crate) use seed::seed_coaching;

use crate::crm::records::{Sql, date, instant};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::coaching::{
    Phase, SessionKind, SessionStatus, kept_as_scheduled, preparation_due, validate_outcome,
    validate_session_minutes,
};
use coach_core::time::to_db;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};

/// A coaching session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Its id.
    pub id: String,
    /// The kind of coaching.
    pub kind: SessionKind,
    /// The manager who coaches.
    pub manager_id: String,
    /// Their name.
    pub manager_name: String,
    /// The seller coached.
    pub seller_id: String,
    /// Their name.
    pub seller_name: String,
    /// A director observing (R43).
    pub observer_id: Option<String>,
    /// Their name.
    pub observer_name: Option<String>,
    /// The recurring series it belongs to.
    pub series_id: Option<String>,
    /// The slot of its series it fills (where the rule puts it).
    pub slot_at: Option<DateTime<Utc>>,
    /// The manager's preparation block before it (R18), when planned.
    pub prep_starts_at: Option<DateTime<Utc>>,
    /// Held without being scheduled ahead (R14).
    pub ad_hoc: bool,
    /// Where it is in its life.
    pub status: SessionStatus,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// How long it is.
    pub minutes: u32,
    /// The time first scheduled, when it was moved.
    pub original_starts_at: Option<DateTime<Utc>>,
    /// What both want from it (R36 opening).
    pub desired_outcome: String,
    /// The day the seller's preparation is due (R27).
    pub prep_due_on: NaiveDate,
    /// When the seller finished preparing.
    pub seller_prepared_at: Option<DateTime<Utc>>,
    /// When the manager finished preparing.
    pub manager_prepared_at: Option<DateTime<Utc>>,
    /// Minutes the manager spent preparing (R18).
    pub prep_minutes: u32,
    /// The opening: the agenda agreed (R34).
    pub agenda_agreed_at: Option<DateTime<Utc>>,
    /// The close: the agenda reviewed (R34).
    pub agenda_reviewed_at: Option<DateTime<Utc>>,
    /// The step of the conversation the room is at (R36).
    pub phase: Phase,
    /// Why it was cancelled.
    pub cancel_reason: String,
    /// For account sessions: strategic or tactical, once marked (R7).
    pub focus: Option<coach_core::account_plans::Focus>,
    /// Version, for concurrent edits.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl Session {
    /// When it ends.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.minutes))
    }

    /// Whether it was moved from the time first scheduled.
    pub fn moved(&self) -> bool {
        self.original_starts_at.is_some()
    }

    /// Whether it was held at its scheduled time (R14); `None` while to come.
    pub fn kept_as_scheduled(&self) -> Option<bool> {
        kept_as_scheduled(self.status, self.moved(), self.ad_hoc)
    }

    /// Whether `person` takes part (manager, seller or observer).
    pub fn involves(&self, person: &str) -> bool {
        self.manager_id == person
            || self.seller_id == person
            || self.observer_id.as_deref() == Some(person)
    }

    /// Whether the agenda and the plan can still change.
    pub fn is_open_for_edits(&self) -> bool {
        !self.status.is_final()
    }
}

const SESSION_SELECT: &str = "SELECT s.id, s.kind, s.manager_id, m.name AS manager_name, s.seller_id, p.name AS seller_name, \
     s.observer_id, o.name AS observer_name, s.series_id, s.ad_hoc, s.status, s.starts_at, s.minutes, s.original_starts_at, \
     s.desired_outcome, s.prep_due_on, s.seller_prepared_at, s.manager_prepared_at, s.prep_minutes, s.agenda_agreed_at, \
     s.agenda_reviewed_at, s.phase, s.cancel_reason, s.focus, s.version, s.created_at, s.slot_at, s.prep_starts_at \
     FROM coaching_sessions s \
     JOIN users m ON m.org_id = s.org_id AND m.id = s.manager_id \
     JOIN users p ON p.org_id = s.org_id AND p.id = s.seller_id \
     LEFT JOIN users o ON o.org_id = s.org_id AND o.id = s.observer_id \
     WHERE s.org_id = $1";

fn session_from(row: &AnyRow) -> Result<Session> {
    let text = |c: &str| -> Result<String> { Ok(row.try_get::<String, _>(c)?) };
    let number = |c: &str| -> Result<u32> {
        Ok(u32::try_from(row.try_get::<i64, _>(c)?).unwrap_or_default())
    };
    Ok(Session {
        id: text("id")?,
        kind: text("kind")?.parse().unwrap_or(SessionKind::Opportunity),
        manager_id: text("manager_id")?,
        manager_name: text("manager_name")?,
        seller_id: text("seller_id")?,
        seller_name: text("seller_name")?,
        observer_id: row.try_get("observer_id")?,
        observer_name: row.try_get("observer_name")?,
        series_id: row.try_get("series_id")?,
        slot_at: instant(row, "slot_at")?,
        prep_starts_at: instant(row, "prep_starts_at")?,
        ad_hoc: row.try_get::<i64, _>("ad_hoc")? != 0,
        status: text("status")?.parse().unwrap_or(SessionStatus::Scheduled),
        starts_at: instant(row, "starts_at")?.unwrap_or_default(),
        minutes: number("minutes")?,
        original_starts_at: instant(row, "original_starts_at")?,
        desired_outcome: text("desired_outcome")?,
        prep_due_on: date(row, "prep_due_on")?.unwrap_or_default(),
        seller_prepared_at: instant(row, "seller_prepared_at")?,
        manager_prepared_at: instant(row, "manager_prepared_at")?,
        prep_minutes: number("prep_minutes")?,
        agenda_agreed_at: instant(row, "agenda_agreed_at")?,
        agenda_reviewed_at: instant(row, "agenda_reviewed_at")?,
        phase: text("phase")?.parse().unwrap_or(Phase::Opening),
        cancel_reason: text("cancel_reason")?,
        focus: row
            .try_get::<Option<String>, _>("focus")?
            .and_then(|f| f.parse().ok()),
        version: row.try_get("version")?,
        created_at: instant(row, "created_at")?.unwrap_or_default(),
    })
}

pub(crate) fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A new session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The kind of coaching.
    pub kind: SessionKind,
    /// The manager who coaches.
    pub manager_id: String,
    /// The seller.
    pub seller_id: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// How long (default: the kind's usual length).
    pub minutes: Option<u32>,
    /// Held without being scheduled ahead (R14); may start now or earlier today.
    pub ad_hoc: bool,
    /// The series it belongs to.
    pub series_id: Option<String>,
    /// What both want from it (default: the template's).
    pub desired_outcome: Option<String>,
}

/// Which sessions a list shows.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Sessions whose seller or manager is one of these, or that `me`
    /// observes; `None` for all of the organization's (admins).
    pub people: Option<Vec<String>>,
    /// The viewer, for the sessions they observe.
    pub me: Option<String>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this manager's.
    pub manager_id: Option<String>,
    /// Only these statuses.
    pub statuses: Option<Vec<SessionStatus>>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub until: Option<DateTime<Utc>>,
    /// Latest first.
    pub newest_first: bool,
    /// After this session (a cursor).
    pub after: Option<String>,
    /// At most this many.
    pub limit: Option<i64>,
}

/// A change to a session's plan; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct SessionPatch {
    /// A new time: the session is moved, keeping the time first scheduled (R14).
    pub starts_at: Option<DateTime<Utc>>,
    /// A new length.
    pub minutes: Option<u32>,
    /// A new desired outcome.
    pub desired_outcome: Option<String>,
    /// The step of the conversation (in the room).
    pub phase: Option<Phase>,
}

/// A move along the life cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Open it: the agenda is agreed (R34).
    Open,
    /// Close it: the agenda is reviewed (R34).
    Close,
    /// Call it off, with a reason.
    Cancel(String),
    /// Record that it did not happen.
    Missed,
}

pub(crate) fn stale_unless(if_version: Option<i64>, version: i64) -> Result<()> {
    if if_version.is_some_and(|v| v != version) {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub(crate) async fn load_session(
    conn: impl sqlx::Executor<'_, Database = Any>,
    org_id: &str,
    id: &str,
) -> Result<Session> {
    let sql = format!("{SESSION_SELECT} AND s.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    session_from(&row)
}

/// Refuses a change to a session that is over.
pub(crate) fn still_open(s: &Session, field: &'static str) -> Result<()> {
    if s.is_open_for_edits() {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!(
                "the session is {}; what was agreed is kept as it was",
                s.status.label().to_lowercase()
            ),
        )
        .into())
    }
}

async fn bump(tx: &mut Transaction<'static, Any>, org_id: &str, id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE coaching_sessions SET version = version + 1, updated_at = $3 WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(to_db(Utc::now()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn active_person(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    id: &str,
    field: &'static str,
) -> Result<()> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT active FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    match row {
        Some((1,)) => Ok(()),
        Some(_) => Err(FieldError::new(field, "this person is deactivated").into()),
        None => Err(FieldError::new(field, "expected a person of this organization").into()),
    }
}

impl Store {
    /// Schedules a session (or records an ad-hoc one), with the agenda from
    /// the organization's template for its kind (R35).
    pub async fn create_coaching_session(
        &self,
        org_id: &str,
        new: NewSession,
        by: &str,
    ) -> Result<Session> {
        let minutes = match new.minutes {
            Some(m) => validate_session_minutes(i64::from(m))?,
            None => new.kind.default_minutes(),
        };
        if new.manager_id == new.seller_id {
            return Err(FieldError::new("seller_id", "a manager coaches someone else").into());
        }
        let now = Utc::now();
        if !new.ad_hoc && new.starts_at < now - Duration::minutes(5) {
            return Err(FieldError::new(
                "starts_at",
                "a scheduled session starts in the future; record one that already happened as ad hoc",
            )
            .into());
        }
        if new.starts_at > now + Duration::days(800) {
            return Err(FieldError::new("starts_at", "expected a time within two years").into());
        }
        if new.ad_hoc && new.starts_at < now - Duration::days(31) {
            return Err(FieldError::new(
                "starts_at",
                "an ad-hoc session is recorded within a month of holding it",
            )
            .into());
        }
        let mut tx = self.write().await?;
        active_person(&mut tx, org_id, &new.manager_id, "manager_id").await?;
        active_person(&mut tx, org_id, &new.seller_id, "seller_id").await?;
        let template = self::prep::template(&mut tx, org_id, new.kind).await?;
        let outcome = match &new.desired_outcome {
            Some(o) => validate_outcome(o)?,
            None => template.desired_outcome.clone(),
        };
        let (tz, working_days) = prep::org_rules(&mut tx, org_id).await?;
        let day = new.starts_at.with_timezone(&tz).date_naive();
        let id = uuid::Uuid::now_v7().to_string();
        let at = to_db(now);
        sqlx::query(
            "INSERT INTO coaching_sessions (org_id, id, kind, manager_id, seller_id, observer_id, series_id, ad_hoc, status, starts_at, minutes, \
             original_starts_at, desired_outcome, prep_due_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, 'scheduled', $8, $9, NULL, $10, $11, $12, $13, $13)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(new.kind.as_str())
        .bind(&new.manager_id)
        .bind(&new.seller_id)
        .bind(new.series_id.clone())
        .bind(i64::from(new.ad_hoc))
        .bind(to_db(new.starts_at))
        .bind(i64::from(minutes))
        .bind(&outcome)
        .bind(ymd(preparation_due(day, working_days)))
        .bind(by)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        for (position, item) in template.items.iter().enumerate() {
            agenda::insert_item(
                &mut tx,
                org_id,
                &id,
                i64::try_from(position).unwrap_or_default(),
                &NewItem {
                    section: item.section,
                    title: item.title.clone(),
                    minutes: item.minutes,
                    subject: None,
                    inspection: false,
                },
                by,
            )
            .await?;
        }
        let session = load_session(&mut *tx, org_id, &id).await?;
        if !new.ad_hoc && new.series_id.is_none() {
            crate::email::invite(&mut tx, org_id, &session, "request").await?;
        }
        tx.commit().await?;
        Ok(session)
    }

    /// One session.
    pub async fn coaching_session(&self, org_id: &str, id: &str) -> Result<Session> {
        load_session(&self.pool, org_id, id).await
    }

    /// Sessions, by start time.
    pub async fn coaching_sessions(&self, org_id: &str, f: &SessionFilter) -> Result<Vec<Session>> {
        let mut sql = Sql::new(SESSION_SELECT, org_id);
        if let Some(people) = &f.people {
            if people.is_empty() {
                sql.push(" AND (1 = 0");
            } else {
                let list = sql.placeholders_for(people);
                sql.push(&format!(
                    " AND (s.seller_id IN ({list}) OR s.manager_id IN ({list})"
                ));
            }
            if let Some(me) = &f.me {
                sql.and(" OR s.observer_id = ?", me.clone());
            }
            sql.push(")");
        }
        if let Some(s) = &f.seller_id {
            sql.and(" AND s.seller_id = ?", s.clone());
        }
        if let Some(m) = &f.manager_id {
            sql.and(" AND s.manager_id = ?", m.clone());
        }
        if let Some(statuses) = &f.statuses {
            let names: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
            sql.and_in("s.status", &names);
        }
        if let Some(from) = f.from {
            sql.and(" AND s.starts_at >= ?", to_db(from));
        }
        if let Some(until) = f.until {
            sql.and(" AND s.starts_at < ?", to_db(until));
        }
        let (cmp, order) = if f.newest_first {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(after) = &f.after {
            sql.and(
                &format!(
                    " AND (s.starts_at, s.id) {cmp} (SELECT c.starts_at, c.id FROM coaching_sessions c WHERE c.org_id = s.org_id AND c.id = ?)"
                ),
                after.clone(),
            );
        }
        sql.push(&format!(" ORDER BY s.starts_at {order}, s.id {order}"));
        if let Some(limit) = f.limit {
            sql.push(&format!(" LIMIT {limit}"));
        }
        sql.fetch(self).await?.iter().map(session_from).collect()
    }

    /// Changes a session's plan. A new time moves it, keeping the time first
    /// scheduled (R14); only a session still to come can move.
    pub async fn update_coaching_session(
        &self,
        org_id: &str,
        id: &str,
        if_version: Option<i64>,
        patch: SessionPatch,
    ) -> Result<Session> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, id)
            .await?;
        let s = load_session(&mut *tx, org_id, id).await?;
        stale_unless(if_version, s.version)?;
        still_open(&s, "status")?;
        if let Some(starts_at) = patch.starts_at.filter(|t| *t != s.starts_at) {
            if !s.status.is_upcoming() {
                return Err(
                    FieldError::new("starts_at", "only a session still to come can move").into(),
                );
            }
            if !s.ad_hoc && starts_at < Utc::now() - Duration::minutes(5) {
                return Err(FieldError::new("starts_at", "expected a time in the future").into());
            }
            let (tz, working_days) = prep::org_rules(&mut tx, org_id).await?;
            let day = starts_at.with_timezone(&tz).date_naive();
            // The preparation block (R18) moves with the session.
            let prep = s
                .prep_starts_at
                .map(|p| to_db(p + (starts_at - s.starts_at)));
            sqlx::query(
                "UPDATE coaching_sessions SET original_starts_at = COALESCE(original_starts_at, starts_at), starts_at = $3, prep_due_on = $4, \
                 prep_starts_at = $5 WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(id)
            .bind(to_db(starts_at))
            .bind(ymd(preparation_due(day, working_days)))
            .bind(prep)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(minutes) = patch.minutes {
            let minutes = validate_session_minutes(i64::from(minutes))?;
            let items = agenda::load_items(&mut *tx, org_id, id).await?;
            coach_core::coaching::check_deals(s.kind, minutes, &agenda::facts(&items))
                .map_err(|e| FieldError::new("minutes", e.message))?;
            sqlx::query("UPDATE coaching_sessions SET minutes = $3 WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .bind(i64::from(minutes))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(outcome) = &patch.desired_outcome {
            let outcome = validate_outcome(outcome)?;
            sqlx::query(
                "UPDATE coaching_sessions SET desired_outcome = $3 WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(id)
            .bind(outcome)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(phase) = patch.phase {
            if s.status != SessionStatus::InProgress {
                return Err(FieldError::new(
                    "phase",
                    "the conversation moves on once the session is open",
                )
                .into());
            }
            sqlx::query("UPDATE coaching_sessions SET phase = $3 WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .bind(phase.as_str())
                .execute(&mut *tx)
                .await?;
        }
        bump(&mut tx, org_id, id).await?;
        let moved = patch.starts_at.is_some_and(|t| t != s.starts_at)
            || patch.minutes.is_some_and(|m| m != s.minutes);
        let s = load_session(&mut *tx, org_id, id).await?;
        if moved && !s.ad_hoc {
            crate::email::invite(&mut tx, org_id, &s, "request").await?;
        }
        tx.commit().await?;
        Ok(s)
    }

    /// Moves a session along its life cycle: open (the agenda is agreed),
    /// close (the agenda is reviewed), cancel, or record it as missed.
    pub async fn transition(
        &self,
        org_id: &str,
        id: &str,
        if_version: Option<i64>,
        to: Transition,
    ) -> Result<Session> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, id)
            .await?;
        let s = load_session(&mut *tx, org_id, id).await?;
        stale_unless(if_version, s.version)?;
        let next = match &to {
            Transition::Open => SessionStatus::InProgress,
            Transition::Close => SessionStatus::Held,
            Transition::Cancel(_) => SessionStatus::Cancelled,
            Transition::Missed => SessionStatus::Missed,
        };
        if !s.status.can_become(next) {
            return Err(FieldError::new(
                "status",
                format!(
                    "a session that is {} cannot become {}",
                    s.status.label().to_lowercase(),
                    next.label().to_lowercase()
                ),
            )
            .into());
        }
        let now = to_db(Utc::now());
        let (column, reason) = match &to {
            Transition::Open => ("agenda_agreed_at", String::new()),
            Transition::Close => ("agenda_reviewed_at", String::new()),
            Transition::Cancel(reason) => {
                let reason = coach_core::coaching::validate_title(reason).map_err(|_| {
                    FieldError::new("reason", "say in a line why the session is cancelled")
                })?;
                ("updated_at", reason)
            }
            Transition::Missed => ("updated_at", String::new()),
        };
        let phase = match to {
            Transition::Close => Phase::Closing,
            _ => Phase::Opening,
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE coaching_sessions SET status = $3, {column} = $4, cancel_reason = $5, phase = $6 WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .bind(next.as_str())
        .bind(&now)
        .bind(reason)
        .bind(phase.as_str())
        .execute(&mut *tx)
        .await?;
        if to == Transition::Close {
            agenda::stop_timers(&mut tx, org_id, id).await?;
        }
        bump(&mut tx, org_id, id).await?;
        let s = load_session(&mut *tx, org_id, id).await?;
        if matches!(to, Transition::Cancel(_)) && s.starts_at > Utc::now() {
            crate::email::invite(&mut tx, org_id, &s, "cancel").await?;
        }
        tx.commit().await?;
        Ok(s)
    }

    /// A director joins a session as observer (R43), or leaves it (`None`).
    pub async fn set_observer(
        &self,
        org_id: &str,
        id: &str,
        observer_id: Option<&str>,
    ) -> Result<Session> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, id)
            .await?;
        let s = load_session(&mut *tx, org_id, id).await?;
        if let Some(o) = observer_id {
            active_person(&mut tx, org_id, o, "observer_id").await?;
            if s.manager_id == o || s.seller_id == o {
                return Err(FieldError::new(
                    "observer_id",
                    "the observer is someone other than the manager and the seller",
                )
                .into());
            }
        }
        sqlx::query("UPDATE coaching_sessions SET observer_id = $3 WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .bind(observer_id.map(str::to_owned))
            .execute(&mut *tx)
            .await?;
        bump(&mut tx, org_id, id).await?;
        let s = load_session(&mut *tx, org_id, id).await?;
        tx.commit().await?;
        Ok(s)
    }
}
