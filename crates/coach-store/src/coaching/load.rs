//! Sessions that already happened, loaded in one transaction (the demo, and
//! a migration from another tool): the session with its agenda, notes,
//! prepared questions, action items, feedback and observation as they were.

use super::ymd;
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::coaching::{ActionStatus, Section, SessionKind, SessionStatus, SubjectKind};
use coach_core::time::to_db;
use std::collections::BTreeMap;

/// An agenda item as it was.
#[derive(Debug, Clone)]
pub struct PastItem {
    /// Its section.
    pub section: Section,
    /// What it was.
    pub title: String,
    /// Its time allotment.
    pub minutes: u32,
    /// What it was about.
    pub subject: Option<(SubjectKind, String)>,
    /// The decision taken.
    pub decision: String,
    /// Seconds spent on it.
    pub spent_seconds: i64,
}

/// An action item as it was.
#[derive(Debug, Clone)]
pub struct PastAction {
    /// Who did it.
    pub owner_id: String,
    /// What.
    pub title: String,
    /// What it was about.
    pub subject: Option<(SubjectKind, String)>,
    /// By when.
    pub due_on: NaiveDate,
    /// Where it stands.
    pub status: ActionStatus,
    /// When it was closed.
    pub closed_on: Option<NaiveDate>,
}

/// A session that happened (or was cancelled or missed).
#[derive(Debug, Clone)]
pub struct PastSession {
    /// The kind.
    pub kind: SessionKind,
    /// The manager.
    pub manager_id: String,
    /// The seller.
    pub seller_id: String,
    /// The observing director.
    pub observer_id: Option<String>,
    /// Held without being scheduled.
    pub ad_hoc: bool,
    /// Held, cancelled or missed.
    pub status: SessionStatus,
    /// When it started.
    pub starts_at: DateTime<Utc>,
    /// How long.
    pub minutes: u32,
    /// When it was first scheduled, if moved.
    pub original_starts_at: Option<DateTime<Utc>>,
    /// The desired outcome.
    pub desired_outcome: String,
    /// The seller's preparation deadline.
    pub prep_due_on: NaiveDate,
    /// When the seller prepared.
    pub seller_prepared_at: Option<DateTime<Utc>>,
    /// When the manager prepared.
    pub manager_prepared_at: Option<DateTime<Utc>>,
    /// The manager's preparation minutes.
    pub prep_minutes: u32,
    /// Why it was cancelled.
    pub cancel_reason: String,
    /// The agenda.
    pub items: Vec<PastItem>,
    /// Questions the manager prepared: text, asked.
    pub questions: Vec<(String, bool)>,
    /// Notes: author, shared, text.
    pub notes: Vec<(String, bool, String)>,
    /// Action items agreed.
    pub actions: Vec<PastAction>,
    /// The seller's feedback: rating, would pay, most valuable, could be better.
    pub feedback: Option<(u8, bool, String, String)>,
    /// The observation: checks and comment.
    pub observation: Option<(BTreeMap<String, bool>, String)>,
}

impl Store {
    /// Loads past sessions in one transaction; returns how many.
    pub async fn load_past_sessions(
        &self,
        org_id: &str,
        sessions: &[PastSession],
    ) -> Result<usize> {
        let mut tx = self.write().await?;
        for s in sessions {
            if !s.status.is_final() {
                return Err(FieldError::new(
                    "status",
                    "a past session is held, cancelled or missed",
                )
                .into());
            }
            let id = uuid::Uuid::now_v7().to_string();
            let held = s.status == SessionStatus::Held;
            let end = s.starts_at + chrono::Duration::minutes(i64::from(s.minutes));
            let created =
                to_db(s.original_starts_at.unwrap_or(s.starts_at) - chrono::Duration::days(14));
            sqlx::query(
                "INSERT INTO coaching_sessions (org_id, id, kind, manager_id, seller_id, observer_id, series_id, ad_hoc, status, starts_at, minutes, \
                 original_starts_at, desired_outcome, prep_due_on, seller_prepared_at, manager_prepared_at, prep_minutes, agenda_agreed_at, \
                 agenda_reviewed_at, phase, cancel_reason, version, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1, $4, $21, $22)",
            )
            .bind(org_id)
            .bind(&id)
            .bind(s.kind.as_str())
            .bind(&s.manager_id)
            .bind(&s.seller_id)
            .bind(s.observer_id.clone())
            .bind(i64::from(s.ad_hoc))
            .bind(s.status.as_str())
            .bind(to_db(s.starts_at))
            .bind(i64::from(s.minutes))
            .bind(s.original_starts_at.map(to_db))
            .bind(&s.desired_outcome)
            .bind(ymd(s.prep_due_on))
            .bind(s.seller_prepared_at.map(to_db))
            .bind(s.manager_prepared_at.map(to_db))
            .bind(i64::from(s.prep_minutes))
            .bind(held.then(|| to_db(s.starts_at)))
            .bind(held.then(|| to_db(end)))
            .bind(if held { "closing" } else { "opening" })
            .bind(&s.cancel_reason)
            .bind(&created)
            .bind(to_db(if held { end } else { s.starts_at }))
            .execute(&mut *tx)
            .await?;
            for (position, i) in s.items.iter().enumerate() {
                let (kind, subject) = i
                    .subject
                    .as_ref()
                    .map(|(k, id)| (k.as_str().to_owned(), id.clone()))
                    .unzip();
                sqlx::query(
                    "INSERT INTO agenda_items (org_id, id, session_id, section, position, title, minutes, subject_kind, subject_id, decision, \
                     spent_seconds, timer_started_at, added_by, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, 1, $13, $13)",
                )
                .bind(org_id)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(i.section.as_str())
                .bind(i64::try_from(position).unwrap_or_default())
                .bind(&i.title)
                .bind(i64::from(i.minutes))
                .bind(kind)
                .bind(subject)
                .bind(&i.decision)
                .bind(i.spent_seconds)
                .bind(&s.manager_id)
                .bind(&created)
                .execute(&mut *tx)
                .await?;
            }
            for (position, (text, asked)) in s.questions.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO session_questions (org_id, id, session_id, position, text, open_ended, asked, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
                )
                .bind(org_id)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(i64::try_from(position).unwrap_or_default())
                .bind(text)
                .bind(i64::from(*asked))
                .bind(&created)
                .execute(&mut *tx)
                .await?;
            }
            for (author, shared, body) in &s.notes {
                sqlx::query(
                    "INSERT INTO session_notes (org_id, id, session_id, author_id, shared, body, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
                )
                .bind(org_id)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(author)
                .bind(i64::from(*shared))
                .bind(body)
                .bind(to_db(end))
                .execute(&mut *tx)
                .await?;
            }
            for a in &s.actions {
                let (kind, subject) = a
                    .subject
                    .as_ref()
                    .map(|(k, id)| (k.as_str().to_owned(), id.clone()))
                    .unzip();
                sqlx::query(
                    "INSERT INTO action_items (org_id, id, session_id, seller_id, owner_id, title, subject_kind, subject_id, due_on, status, closed_on, \
                     created_by, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $4, 1, $12, $12)",
                )
                .bind(org_id)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(&s.seller_id)
                .bind(&a.owner_id)
                .bind(&a.title)
                .bind(kind)
                .bind(subject)
                .bind(ymd(a.due_on))
                .bind(a.status.as_str())
                .bind(a.closed_on.map(ymd))
                .bind(to_db(end))
                .execute(&mut *tx)
                .await?;
            }
            if let Some((rating, pay, most, better)) = &s.feedback {
                sqlx::query(
                    "INSERT INTO session_feedback (org_id, session_id, seller_id, manager_id, most_valuable, could_be_better, rating, would_pay, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(org_id)
                .bind(&id)
                .bind(&s.seller_id)
                .bind(&s.manager_id)
                .bind(most)
                .bind(better)
                .bind(i64::from(*rating))
                .bind(i64::from(*pay))
                .bind(to_db(end))
                .execute(&mut *tx)
                .await?;
            }
            if let (Some((checks, comment)), Some(observer)) = (&s.observation, &s.observer_id) {
                sqlx::query(
                    "INSERT INTO session_observations (org_id, session_id, observer_id, manager_id, checks, comment, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(org_id)
                .bind(&id)
                .bind(observer)
                .bind(&s.manager_id)
                .bind(serde_json::to_string(checks).unwrap_or_default())
                .bind(comment)
                .bind(to_db(end))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        if self.backend() == crate::Backend::Postgres {
            // Fresh statistics for the planner after a bulk load.
            for table in [
                "coaching_sessions",
                "agenda_items",
                "action_items",
                "session_notes",
                "session_feedback",
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(sessions.len())
    }
}
