//! After the session: the seller's feedback on the coaching (R40), which
//! managers and directors see only in aggregate above a minimum number of
//! answers, and a director's structured observation of the manager's coaching
//! (R43), which the manager sees.

use super::load_session;
use crate::crm::records::instant;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::FieldError;
use coach_core::coaching::{
    FeedbackAnswer, OBSERVATION_CHECKS, SessionStatus, validate_note_text, validate_rating,
};
use coach_core::time::to_db;
use sqlx::Row as _;
use std::collections::BTreeMap;

/// A seller's feedback on one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    /// What was most valuable.
    pub most_valuable: String,
    /// What could be better.
    pub could_be_better: String,
    /// 1–5.
    pub rating: i64,
    /// Would they have paid for this session?
    pub would_pay: bool,
}

/// Feedback as stored; only its author reads it whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// What was most valuable.
    pub most_valuable: String,
    /// What could be better.
    pub could_be_better: String,
    /// 1–5.
    pub rating: u8,
    /// Would they have paid for this session?
    pub would_pay: bool,
}

/// A director's observation of a session (R43).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The session.
    pub session_id: String,
    /// The director.
    pub observer_id: String,
    /// Their name.
    pub observer_name: String,
    /// The manager observed.
    pub manager_id: String,
    /// The answer to each check of [`OBSERVATION_CHECKS`], by key.
    pub checks: BTreeMap<String, bool>,
    /// What the director would tell the manager.
    pub comment: String,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

fn short_text(field: &'static str, raw: &str) -> Result<String> {
    let t = validate_note_text(field, raw.trim())?;
    if t.chars().count() > 2000 {
        return Err(FieldError::new(field, "expected at most 2000 characters").into());
    }
    Ok(t)
}

impl Store {
    /// The seller gives feedback on a held session, once (R40).
    pub async fn give_feedback(
        &self,
        org_id: &str,
        session_id: &str,
        f: &NewFeedback,
    ) -> Result<()> {
        let rating = validate_rating(f.rating)?;
        let most = short_text("most_valuable", &f.most_valuable)?;
        let better = short_text("could_be_better", &f.could_be_better)?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, session_id)
            .await?;
        let s = load_session(&mut *tx, org_id, session_id).await?;
        if s.status != SessionStatus::Held {
            return Err(FieldError::new("rating", "feedback follows a held session").into());
        }
        let done = sqlx::query(
            "INSERT INTO session_feedback (org_id, session_id, seller_id, manager_id, most_valuable, could_be_better, rating, would_pay, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(org_id)
        .bind(session_id)
        .bind(&s.seller_id)
        .bind(&s.manager_id)
        .bind(most)
        .bind(better)
        .bind(i64::from(rating))
        .bind(i64::from(f.would_pay))
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await;
        match done {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(
                    FieldError::new("rating", "you already gave feedback on this session").into(),
                );
            }
            other => {
                other?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The seller's own feedback on a session, for them alone.
    pub async fn own_feedback(
        &self,
        org_id: &str,
        session_id: &str,
        seller_id: &str,
    ) -> Result<Option<Feedback>> {
        let row = sqlx::query(
            "SELECT most_valuable, could_be_better, rating, would_pay FROM session_feedback WHERE org_id = $1 AND session_id = $2 AND seller_id = $3",
        )
        .bind(org_id)
        .bind(session_id)
        .bind(seller_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Feedback {
                most_valuable: r.try_get("most_valuable")?,
                could_be_better: r.try_get("could_be_better")?,
                rating: u8::try_from(r.try_get::<i64, _>("rating")?).unwrap_or(1),
                would_pay: r.try_get::<i64, _>("would_pay")? != 0,
            })
        })
        .transpose()
    }

    /// The ratings of a manager's sessions (R40), for aggregation only: no
    /// session, seller or text comes with them.
    pub async fn feedback_answers(
        &self,
        org_id: &str,
        manager_id: &str,
    ) -> Result<Vec<FeedbackAnswer>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT rating, would_pay FROM session_feedback WHERE org_id = $1 AND manager_id = $2 ORDER BY created_at",
        )
        .bind(org_id)
        .bind(manager_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(rating, pay)| FeedbackAnswer {
                rating: u8::try_from(rating).unwrap_or(1),
                would_pay: pay != 0,
            })
            .collect())
    }

    /// Files (or rewrites) the observer's observation of a session (R43).
    pub async fn file_observation(
        &self,
        org_id: &str,
        session_id: &str,
        observer_id: &str,
        checks: &BTreeMap<String, bool>,
        comment: &str,
    ) -> Result<Observation> {
        for key in checks.keys() {
            if !OBSERVATION_CHECKS.iter().any(|(k, _)| k == key) {
                return Err(FieldError::new(
                    "checks",
                    format!(
                        "expected only {}; got {key}",
                        OBSERVATION_CHECKS.map(|(k, _)| k).join(", ")
                    ),
                )
                .into());
            }
        }
        let comment = short_text("comment", comment)?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, session_id)
            .await?;
        let s = load_session(&mut *tx, org_id, session_id).await?;
        if s.observer_id.as_deref() != Some(observer_id) {
            return Err(
                FieldError::new("observer_id", "join the session as observer first").into(),
            );
        }
        if !matches!(s.status, SessionStatus::InProgress | SessionStatus::Held) {
            return Err(FieldError::new(
                "checks",
                "an observation follows what was seen: the session is open or held",
            )
            .into());
        }
        let now = to_db(Utc::now());
        sqlx::query("DELETE FROM session_observations WHERE org_id = $1 AND session_id = $2")
            .bind(org_id)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO session_observations (org_id, session_id, observer_id, manager_id, checks, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(org_id)
        .bind(session_id)
        .bind(observer_id)
        .bind(&s.manager_id)
        .bind(serde_json::to_string(checks).unwrap_or_default())
        .bind(comment)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.observation(org_id, session_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The observation of a session, if one was filed.
    pub async fn observation(&self, org_id: &str, session_id: &str) -> Result<Option<Observation>> {
        let row = sqlx::query(
            "SELECT o.session_id, o.observer_id, u.name AS observer_name, o.manager_id, o.checks, o.comment, o.updated_at \
             FROM session_observations o JOIN users u ON u.org_id = o.org_id AND u.id = o.observer_id \
             WHERE o.org_id = $1 AND o.session_id = $2",
        )
        .bind(org_id)
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let checks: String = r.try_get("checks")?;
            Ok(Observation {
                session_id: r.try_get("session_id")?,
                observer_id: r.try_get("observer_id")?,
                observer_name: r.try_get("observer_name")?,
                manager_id: r.try_get("manager_id")?,
                checks: serde_json::from_str(&checks).unwrap_or_default(),
                comment: r.try_get("comment")?,
                updated_at: instant(&r, "updated_at")?.unwrap_or_default(),
            })
        })
        .transpose()
    }
}
