//! Call plans (coaching-model R28–R33): a seller's plan for a call, kept with
//! the buying stage of its deal when it was written, what happened against
//! it, and the feedback of a manager who attended (the call is then
//! observed, R31, R33).

use crate::coaching::ymd;
use crate::crm::records::{Sql, date, instant};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::call_plans::{missing, validate_objective, validate_part};
use coach_core::crm::BuyingStage;
use coach_core::time::to_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A call plan.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPlan {
    /// Its id.
    pub id: String,
    /// The seller who makes the call.
    pub seller_id: String,
    /// Their name.
    pub seller_name: String,
    /// The deal it is about.
    pub opportunity_id: Option<String>,
    /// The deal's name.
    pub opportunity_name: Option<String>,
    /// The coaching session it was planned in (R32).
    pub session_id: Option<String>,
    /// The deal's buying stage when the plan was written (R30).
    pub stage: Option<BuyingStage>,
    /// The day of the call.
    pub planned_for: NaiveDate,
    /// What the call is for.
    pub objective: String,
    /// The outcome wanted from it.
    pub desired_outcome: String,
    /// The agenda with timings: what, minutes.
    pub agenda: Vec<(String, u32)>,
    /// Key questions to ask.
    pub questions: String,
    /// Possible solutions to discuss.
    pub solutions: String,
    /// The buyer's likely interests.
    pub interests: String,
    /// Likely objections.
    pub objections: String,
    /// The opening.
    pub opening: String,
    /// The next step to ask for.
    pub next_step: String,
    /// What happened, once recorded.
    pub outcome: Option<String>,
    /// Whether the buyer agreed to the next step.
    pub next_step_won: Option<bool>,
    /// When the outcome was recorded.
    pub outcome_at: Option<DateTime<Utc>>,
    /// The manager who attended, if one did.
    pub attended_by: Option<String>,
    /// Their name.
    pub attended_by_name: Option<String>,
    /// Their feedback against the plan (R33).
    pub feedback: String,
    /// Version, for concurrent edits.
    pub version: i64,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl CallPlan {
    /// What it lacks of a good pre-call plan (R28).
    pub fn missing(&self) -> Vec<&'static str> {
        missing(
            &self.objective,
            &self.agenda,
            &self.questions,
            &self.solutions,
            &self.next_step,
        )
    }

    /// Whether a manager attended and gave feedback: the call was observed (R31).
    pub fn observed(&self) -> bool {
        self.attended_by.is_some() && !self.feedback.is_empty()
    }
}

/// The parts of a plan a person writes.
#[derive(Debug, Clone, Default)]
pub struct PlanText {
    /// What the call is for.
    pub objective: String,
    /// The outcome wanted.
    pub desired_outcome: String,
    /// The agenda: what, minutes.
    pub agenda: Vec<(String, u32)>,
    /// Key questions.
    pub questions: String,
    /// Possible solutions.
    pub solutions: String,
    /// The buyer's interests.
    pub interests: String,
    /// Likely objections.
    pub objections: String,
    /// The opening.
    pub opening: String,
    /// The next step to ask for.
    pub next_step: String,
}

impl PlanText {
    fn checked(self) -> Result<PlanText, FieldError> {
        Ok(PlanText {
            objective: validate_objective(&self.objective)?,
            desired_outcome: validate_part("desired_outcome", &self.desired_outcome)?,
            agenda: self.agenda,
            questions: validate_part("questions", &self.questions)?,
            solutions: validate_part("solutions", &self.solutions)?,
            interests: validate_part("interests", &self.interests)?,
            objections: validate_part("objections", &self.objections)?,
            opening: validate_part("opening", &self.opening)?,
            next_step: validate_part("next_step", &self.next_step)?,
        })
    }
}

/// A new plan.
#[derive(Debug, Clone)]
pub struct NewCallPlan {
    /// The seller who makes the call.
    pub seller_id: String,
    /// The deal (the seller's own).
    pub opportunity_id: Option<String>,
    /// The session it is planned in (R32).
    pub session_id: Option<String>,
    /// The day of the call.
    pub planned_for: NaiveDate,
    /// The plan.
    pub text: PlanText,
}

/// Which plans a list shows.
#[derive(Debug, Clone, Default)]
pub struct CallPlanFilter {
    /// Only these sellers' (`None`: all, admins).
    pub sellers: Option<Vec<String>>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this deal's.
    pub opportunity_id: Option<String>,
    /// After this plan (a cursor; newest first).
    pub after: Option<String>,
    /// At most this many.
    pub limit: Option<i64>,
}

const SELECT: &str = "SELECT p.id, p.seller_id, u.name AS seller_name, p.opportunity_id, o.name AS opportunity_name, p.session_id, p.stage, \
     p.planned_for, p.objective, p.desired_outcome, p.agenda, p.questions, p.solutions, p.interests, p.objections, p.opening, p.next_step, \
     p.outcome, p.next_step_won, p.outcome_at, p.attended_by, m.name AS attended_by_name, p.feedback, p.version, p.created_at \
     FROM call_plans p JOIN users u ON u.org_id = p.org_id AND u.id = p.seller_id \
     LEFT JOIN opportunities o ON o.org_id = p.org_id AND o.id = p.opportunity_id \
     LEFT JOIN users m ON m.org_id = p.org_id AND m.id = p.attended_by WHERE p.org_id = $1";

fn from_row(row: &AnyRow) -> Result<CallPlan> {
    let stage: Option<String> = row.try_get("stage")?;
    let agenda: String = row.try_get("agenda")?;
    let won: Option<i64> = row.try_get("next_step_won")?;
    Ok(CallPlan {
        id: row.try_get("id")?,
        seller_id: row.try_get("seller_id")?,
        seller_name: row.try_get("seller_name")?,
        opportunity_id: row.try_get("opportunity_id")?,
        opportunity_name: row.try_get("opportunity_name")?,
        session_id: row.try_get("session_id")?,
        stage: stage.and_then(|s| s.parse().ok()),
        planned_for: date(row, "planned_for")?.unwrap_or_default(),
        objective: row.try_get("objective")?,
        desired_outcome: row.try_get("desired_outcome")?,
        agenda: serde_json::from_str(&agenda).unwrap_or_default(),
        questions: row.try_get("questions")?,
        solutions: row.try_get("solutions")?,
        interests: row.try_get("interests")?,
        objections: row.try_get("objections")?,
        opening: row.try_get("opening")?,
        next_step: row.try_get("next_step")?,
        outcome: row.try_get("outcome")?,
        next_step_won: won.map(|w| w != 0),
        outcome_at: instant(row, "outcome_at")?,
        attended_by: row.try_get("attended_by")?,
        attended_by_name: row.try_get("attended_by_name")?,
        feedback: row.try_get("feedback")?,
        version: row.try_get("version")?,
        created_at: instant(row, "created_at")?.unwrap_or_default(),
    })
}

impl Store {
    /// Writes a call plan. The deal, if named, is the seller's; the plan
    /// keeps the deal's buying stage of today (R30).
    pub async fn create_call_plan(
        &self,
        org_id: &str,
        new: NewCallPlan,
        by: &str,
    ) -> Result<CallPlan> {
        let text = new.text.checked()?;
        let mut tx = self.write().await?;
        let stage = match &new.opportunity_id {
            Some(o) => {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT stage FROM opportunities WHERE org_id = $1 AND id = $2 AND owner_id = $3")
                        .bind(org_id)
                        .bind(o)
                        .bind(&new.seller_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                Some(
                    row.ok_or_else(|| {
                        FieldError::new("opportunity_id", "expected a deal of the seller's")
                    })?
                    .0,
                )
            }
            None => None,
        };
        if let Some(s) = &new.session_id {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT seller_id FROM coaching_sessions WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(s)
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_none_or(|(seller,)| seller != new.seller_id) {
                return Err(FieldError::new(
                    "session_id",
                    "expected a coaching session of the seller's",
                )
                .into());
            }
        }
        let id = uuid::Uuid::now_v7().to_string();
        let at = to_db(Utc::now());
        sqlx::query(
            "INSERT INTO call_plans (org_id, id, seller_id, opportunity_id, session_id, stage, planned_for, objective, desired_outcome, agenda, \
             questions, solutions, interests, objections, opening, next_step, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $18)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(&new.seller_id)
        .bind(new.opportunity_id.clone())
        .bind(new.session_id.clone())
        .bind(stage)
        .bind(ymd(new.planned_for))
        .bind(&text.objective)
        .bind(&text.desired_outcome)
        .bind(serde_json::to_string(&text.agenda).unwrap_or_default())
        .bind(&text.questions)
        .bind(&text.solutions)
        .bind(&text.interests)
        .bind(&text.objections)
        .bind(&text.opening)
        .bind(&text.next_step)
        .bind(by)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.call_plan(org_id, &id).await
    }

    /// One call plan.
    pub async fn call_plan(&self, org_id: &str, id: &str) -> Result<CallPlan> {
        let sql = format!("{SELECT} AND p.id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Call plans, newest first.
    pub async fn call_plans(&self, org_id: &str, f: &CallPlanFilter) -> Result<Vec<CallPlan>> {
        let mut sql = Sql::new(SELECT, org_id);
        if let Some(sellers) = &f.sellers {
            sql.and_in("p.seller_id", sellers);
        }
        if let Some(s) = &f.seller_id {
            sql.and(" AND p.seller_id = ?", s.clone());
        }
        if let Some(o) = &f.opportunity_id {
            sql.and(" AND p.opportunity_id = ?", o.clone());
        }
        if let Some(after) = &f.after {
            sql.and(" AND p.id < ?", after.clone());
        }
        sql.push(" ORDER BY p.id DESC");
        if let Some(limit) = f.limit {
            sql.push(&format!(" LIMIT {limit}"));
        }
        sql.fetch(self).await?.iter().map(from_row).collect()
    }

    /// Rewrites a plan and its day. `if_version` guards concurrent edits.
    pub async fn update_call_plan(
        &self,
        org_id: &str,
        id: &str,
        if_version: Option<i64>,
        planned_for: NaiveDate,
        text: PlanText,
    ) -> Result<CallPlan> {
        let text = text.checked()?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "call_plans", org_id, id).await?;
        let (version,): (i64,) =
            sqlx::query_as("SELECT version FROM call_plans WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        crate::coaching::stale_unless(if_version, version)?;
        sqlx::query(
            "UPDATE call_plans SET planned_for = $3, objective = $4, desired_outcome = $5, agenda = $6, questions = $7, solutions = $8, \
             interests = $9, objections = $10, opening = $11, next_step = $12, version = version + 1, updated_at = $13 WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .bind(ymd(planned_for))
        .bind(&text.objective)
        .bind(&text.desired_outcome)
        .bind(serde_json::to_string(&text.agenda).unwrap_or_default())
        .bind(&text.questions)
        .bind(&text.solutions)
        .bind(&text.interests)
        .bind(&text.objections)
        .bind(&text.opening)
        .bind(&text.next_step)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.call_plan(org_id, id).await
    }

    /// Records what happened on the call against the plan: whether the
    /// buyer agreed to the next step, in the seller's words, and which
    /// manager attended, if one did (R33).
    pub async fn record_call_outcome(
        &self,
        org_id: &str,
        id: &str,
        next_step_won: bool,
        outcome: &str,
        attended_by: Option<&str>,
    ) -> Result<CallPlan> {
        let outcome = validate_part("outcome", outcome)?;
        if outcome.is_empty() {
            return Err(
                FieldError::new("outcome", "say in a sentence what happened on the call").into(),
            );
        }
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "call_plans", org_id, id).await?;
        if let Some(a) = attended_by {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT active FROM users WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(a)
                    .fetch_optional(&mut *tx)
                    .await?;
            if found.is_none() {
                return Err(FieldError::new(
                    "attended_by",
                    "expected a person of this organization",
                )
                .into());
            }
        }
        let done = sqlx::query(
            "UPDATE call_plans SET outcome = $3, next_step_won = $4, outcome_at = $5, attended_by = $6, version = version + 1, updated_at = $5 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .bind(outcome)
        .bind(i64::from(next_step_won))
        .bind(to_db(Utc::now()))
        .bind(attended_by.map(str::to_owned))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        self.call_plan(org_id, id).await
    }

    /// A manager who attended the call gives feedback against the plan
    /// (R33); the call is then observed (R31).
    pub async fn give_call_feedback(
        &self,
        org_id: &str,
        id: &str,
        by: &str,
        feedback: &str,
    ) -> Result<CallPlan> {
        let feedback = validate_part("feedback", feedback)?;
        if feedback.is_empty() {
            return Err(FieldError::new("feedback", "write the feedback against the plan").into());
        }
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "call_plans", org_id, id).await?;
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT outcome FROM call_plans WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        match row {
            None => return Err(StoreError::NotFound),
            Some((None,)) => {
                return Err(FieldError::new(
                    "feedback",
                    "feedback follows the call: the seller records what happened first",
                )
                .into());
            }
            Some(_) => {}
        }
        sqlx::query(
            "UPDATE call_plans SET feedback = $3, attended_by = $4, feedback_at = $5, version = version + 1, updated_at = $5 WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .bind(feedback)
        .bind(by)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.call_plan(org_id, id).await
    }
}
