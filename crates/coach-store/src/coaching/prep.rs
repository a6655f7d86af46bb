//! Preparation (R18, R27, R37): the organization's rules (deadline, how fresh
//! a picked deal's CRM data must be, the published criteria for picking
//! deals), the agenda templates, the question bank, the questions a manager
//! prepares for a session, and each side's "prepared" mark. Early-stage deals
//! are suggested first (R25).

use super::agenda::load_items;
use super::{Session, bump, load_session, still_open};
use crate::crm::records::instant;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use coach_core::FieldError;
use coach_core::coaching::{
    AgendaTemplate, SessionKind, SubjectKind, TemplateItem, default_template, validate_title,
};
use coach_core::crm::BuyingStage;
use coach_core::time::to_db;
use sqlx::{Any, Row as _, Transaction};

/// How an organization runs its coaching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachingSettings {
    /// The fewest answers before a manager sees feedback (R40).
    pub feedback_min_answers: u32,
    /// Working days before a session that the seller's preparation is due (R27).
    pub prep_working_days: u32,
    /// How many days old a picked deal's CRM data may be (R27).
    pub crm_fresh_days: u32,
    /// The published criteria for picking deals (R27).
    pub deal_criteria: String,
    /// The moderate amount of coaching per seller per month (R15).
    pub band: coach_core::analytics::Band,
}

/// A question of the organization's bank (R37).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Its id.
    pub id: String,
    /// The kind of coaching.
    pub kind: SessionKind,
    /// The buying stage, or any.
    pub stage: Option<BuyingStage>,
    /// Open-ended (asked first).
    pub open: bool,
    /// The question.
    pub text: String,
}

/// A question a manager prepared for a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedQuestion {
    /// Its id.
    pub id: String,
    /// The question.
    pub text: String,
    /// Open-ended.
    pub open: bool,
    /// Asked in the room.
    pub asked: bool,
}

/// A picked deal's freshness (R27).
#[derive(Debug, Clone, PartialEq)]
pub struct DealCheck {
    /// The opportunity.
    pub opportunity_id: String,
    /// Its name.
    pub name: String,
    /// Its buying stage.
    pub stage: BuyingStage,
    /// When the CRM last changed it (or Coach last imported it).
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether that is recent enough.
    pub fresh: bool,
}

pub(crate) async fn org_rules(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
) -> Result<(chrono_tz::Tz, u32)> {
    let (tz, days): (String, i64) =
        sqlx::query_as("SELECT time_zone, prep_working_days FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    Ok((
        tz.parse().unwrap_or(chrono_tz::UTC),
        u32::try_from(days).unwrap_or(2),
    ))
}

pub(crate) async fn template(
    conn: &mut Transaction<'static, Any>,
    org_id: &str,
    kind: SessionKind,
) -> Result<AgendaTemplate> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT desired_outcome, items FROM agenda_templates WHERE org_id = $1 AND kind = $2",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .fetch_optional(&mut **conn)
    .await?;
    Ok(match row {
        Some((desired_outcome, items)) => AgendaTemplate {
            kind,
            desired_outcome,
            items: serde_json::from_str(&items).unwrap_or_else(|_| default_template(kind).items),
        },
        None => default_template(kind),
    })
}

fn check_template(t: &AgendaTemplate) -> Result<Vec<TemplateItem>, FieldError> {
    if t.items.is_empty() || t.items.len() > 15 {
        return Err(FieldError::new(
            "items",
            "expected 1 to 15 items: fewer items, more depth (R34)",
        ));
    }
    let mut items = Vec::new();
    for i in &t.items {
        let title = validate_title(&i.title)?;
        coach_core::coaching::validate_item_minutes(i64::from(i.minutes))?;
        items.push(TemplateItem { title, ..i.clone() });
    }
    for section in coach_core::coaching::Section::ALL {
        if !items.iter().any(|i| i.section == *section) {
            return Err(FieldError::new(
                "items",
                format!("every agenda has the section \"{}\" (R35)", section.label()),
            ));
        }
    }
    Ok(items)
}

impl Store {
    /// How the organization runs its coaching.
    pub async fn coaching_settings(&self, org_id: &str) -> Result<CoachingSettings> {
        let row = sqlx::query(
            "SELECT feedback_min_answers, prep_working_days, crm_fresh_days, deal_criteria, band_low_minutes, band_high_minutes \
             FROM organizations WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let n = |c: &str| -> Result<u32> {
            Ok(u32::try_from(row.try_get::<i64, _>(c)?).unwrap_or_default())
        };
        Ok(CoachingSettings {
            feedback_min_answers: n("feedback_min_answers")?,
            prep_working_days: n("prep_working_days")?,
            crm_fresh_days: n("crm_fresh_days")?,
            deal_criteria: row.try_get("deal_criteria")?,
            band: coach_core::analytics::Band::new(
                row.try_get("band_low_minutes")?,
                row.try_get("band_high_minutes")?,
            )
            .unwrap_or_default(),
        })
    }

    /// Changes how the organization runs its coaching (admins).
    pub async fn set_coaching_settings(&self, org_id: &str, s: &CoachingSettings) -> Result<()> {
        if !(1..=50).contains(&s.feedback_min_answers) {
            return Err(FieldError::new("feedback_min_answers", "expected 1 to 50 answers").into());
        }
        if s.prep_working_days > 10 {
            return Err(
                FieldError::new("prep_working_days", "expected 0 to 10 working days").into(),
            );
        }
        if !(1..=90).contains(&s.crm_fresh_days) {
            return Err(FieldError::new("crm_fresh_days", "expected 1 to 90 days").into());
        }
        let criteria = coach_core::roa::validate_description(&s.deal_criteria)
            .map_err(|e| FieldError::new("deal_criteria", e.message))?;
        let band = coach_core::analytics::Band::new(
            i64::from(s.band.low_minutes),
            i64::from(s.band.high_minutes),
        )?;
        sqlx::query(
            "UPDATE organizations SET feedback_min_answers = $2, prep_working_days = $3, crm_fresh_days = $4, deal_criteria = $5, \
             band_low_minutes = $6, band_high_minutes = $7 WHERE id = $1",
        )
        .bind(org_id)
        .bind(i64::from(s.feedback_min_answers))
        .bind(i64::from(s.prep_working_days))
        .bind(i64::from(s.crm_fresh_days))
        .bind(criteria)
        .bind(i64::from(band.low_minutes))
        .bind(i64::from(band.high_minutes))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The organization's agenda template for a kind of coaching.
    pub async fn agenda_template(&self, org_id: &str, kind: SessionKind) -> Result<AgendaTemplate> {
        let mut tx = self.pool.begin().await?;
        let t = template(&mut tx, org_id, kind).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Replaces the agenda template for a kind (admins). Every template keeps
    /// the three sections (R35).
    pub async fn set_agenda_template(
        &self,
        org_id: &str,
        t: &AgendaTemplate,
        by: &str,
    ) -> Result<()> {
        let items = check_template(t)?;
        let outcome = coach_core::coaching::validate_outcome(&t.desired_outcome)?;
        let json = serde_json::to_string(&items).unwrap_or_default();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM agenda_templates WHERE org_id = $1 AND kind = $2")
            .bind(org_id)
            .bind(t.kind.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO agenda_templates (org_id, kind, desired_outcome, items, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org_id)
        .bind(t.kind.as_str())
        .bind(outcome)
        .bind(json)
        .bind(by)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The question bank, for one kind or all, open-ended questions first
    /// within each kind and stage (R37).
    pub async fn question_bank(
        &self,
        org_id: &str,
        kind: Option<SessionKind>,
    ) -> Result<Vec<Question>> {
        let rows: Vec<(String, String, Option<String>, i64, String)> = sqlx::query_as(
            "SELECT id, kind, stage, open_ended, text FROM question_bank WHERE org_id = $1 AND ($2 = '' OR kind = $2) ORDER BY position, id",
        )
        .bind(org_id)
        .bind(kind.map_or("", |k| k.as_str()))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<Question> = rows
            .into_iter()
            .map(|(id, kind, stage, open, text)| Question {
                id,
                kind: kind.parse().unwrap_or(SessionKind::Opportunity),
                stage: stage.and_then(|s| s.parse().ok()),
                open: open != 0,
                text,
            })
            .collect();
        out.sort_by_key(|q| (q.kind, q.stage.map_or(0, |s| s as u8 + 1), !q.open));
        Ok(out)
    }

    /// Adds a question to the bank (admins).
    pub async fn add_question(
        &self,
        org_id: &str,
        kind: SessionKind,
        stage: Option<BuyingStage>,
        open: bool,
        text: &str,
    ) -> Result<Question> {
        let text = validate_title(text).map_err(|e| FieldError::new("text", e.message))?;
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.write().await?;
        let (count, last): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), MAX(position) FROM question_bank WHERE org_id = $1")
                .bind(org_id)
                .fetch_one(&mut *tx)
                .await?;
        if count >= 500 {
            return Err(FieldError::new("text", "the bank holds at most 500 questions").into());
        }
        sqlx::query(
            "INSERT INTO question_bank (org_id, id, kind, stage, open_ended, text, position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(kind.as_str())
        .bind(stage.map(|s| s.as_str().to_owned()))
        .bind(i64::from(open))
        .bind(&text)
        .bind(last.unwrap_or(0) + 1)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Question {
            id,
            kind,
            stage,
            open,
            text,
        })
    }

    /// Removes a question from the bank (admins); questions already prepared
    /// for sessions stay.
    pub async fn remove_question(&self, org_id: &str, id: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM question_bank WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The questions the manager prepared for a session, open-ended first.
    pub async fn prepared_questions(
        &self,
        org_id: &str,
        session_id: &str,
    ) -> Result<Vec<PreparedQuestion>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, text, open_ended, asked FROM session_questions WHERE org_id = $1 AND session_id = $2 ORDER BY position, id",
        )
        .bind(org_id)
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, text, open, asked)| PreparedQuestion {
                id,
                text,
                open: open != 0,
                asked: asked != 0,
            })
            .collect())
    }

    /// Prepares a question for a session (R37): from the bank or written.
    pub async fn prepare_question(
        &self,
        org_id: &str,
        session_id: &str,
        text: &str,
        open: bool,
    ) -> Result<PreparedQuestion> {
        let text = validate_title(text).map_err(|e| FieldError::new("text", e.message))?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, session_id)
            .await?;
        let s = load_session(&mut *tx, org_id, session_id).await?;
        still_open(&s, "text")?;
        let (count, last): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(position) FROM session_questions WHERE org_id = $1 AND session_id = $2",
        )
        .bind(org_id)
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?;
        if count >= 20 {
            return Err(FieldError::new(
                "text",
                "at most 20 prepared questions: pick the best ones",
            )
            .into());
        }
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO session_questions (org_id, id, session_id, position, text, open_ended, asked, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(session_id)
        .bind(last.unwrap_or(0) + 1)
        .bind(&text)
        .bind(i64::from(open))
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PreparedQuestion {
            id,
            text,
            open,
            asked: false,
        })
    }

    /// Marks a prepared question asked (or not), or removes it.
    pub async fn set_question(
        &self,
        org_id: &str,
        session_id: &str,
        question_id: &str,
        asked: Option<bool>,
    ) -> Result<()> {
        let done = match asked {
            Some(asked) => sqlx::query("UPDATE session_questions SET asked = $4 WHERE org_id = $1 AND session_id = $2 AND id = $3")
                .bind(org_id)
                .bind(session_id)
                .bind(question_id)
                .bind(i64::from(asked))
                .execute(&self.pool)
                .await?,
            None => sqlx::query("DELETE FROM session_questions WHERE org_id = $1 AND session_id = $2 AND id = $3")
                .bind(org_id)
                .bind(session_id)
                .bind(question_id)
                .execute(&self.pool)
                .await?,
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The seller's open deals to pick from (R27), early stages first (R25),
    /// then by close date.
    pub async fn deals_to_pick(&self, org_id: &str, seller_id: &str) -> Result<Vec<DealCheck>> {
        let fresh_days = self.coaching_settings(org_id).await?.crm_fresh_days;
        let rows = sqlx::query(
            "SELECT id, name, stage, COALESCE(crm_updated_at, updated_at) AS changed, close_date FROM opportunities \
             WHERE org_id = $1 AND owner_id = $2 AND stage NOT IN ('closed_won', 'closed_lost') ORDER BY close_date, id LIMIT 200",
        )
        .bind(org_id)
        .bind(seller_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|row| {
                let stage: String = row.try_get("stage")?;
                let updated_at = instant(row, "changed")?;
                Ok(DealCheck {
                    opportunity_id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    stage: stage.parse().unwrap_or(BuyingStage::IdentifyNeeds),
                    fresh: is_fresh(updated_at, fresh_days),
                    updated_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|d| !d.stage.is_early());
        Ok(out)
    }

    /// The deals picked for a session, with their freshness (R27).
    pub async fn picked_deals(&self, org_id: &str, session: &Session) -> Result<Vec<DealCheck>> {
        let fresh_days = self.coaching_settings(org_id).await?.crm_fresh_days;
        let items = load_items(&self.pool, org_id, &session.id).await?;
        let mut out = Vec::new();
        for item in items {
            let Some((SubjectKind::Opportunity, id)) = item.subject else {
                continue;
            };
            if out.iter().any(|d: &DealCheck| d.opportunity_id == id) {
                continue;
            }
            let row = sqlx::query(
                "SELECT id, name, stage, COALESCE(crm_updated_at, updated_at) AS changed FROM opportunities WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(&id)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(row) = row {
                let stage: String = row.try_get("stage")?;
                let updated_at = instant(&row, "changed")?;
                out.push(DealCheck {
                    opportunity_id: id,
                    name: row.try_get("name")?,
                    stage: stage.parse().unwrap_or(BuyingStage::IdentifyNeeds),
                    fresh: is_fresh(updated_at, fresh_days),
                    updated_at,
                });
            }
        }
        Ok(out)
    }

    /// The seller marks their preparation done (R27). For an opportunity
    /// session at least one deal is picked and every picked deal's CRM data
    /// is fresh; otherwise the mark is refused with the deals to update.
    pub async fn seller_prepared(&self, org_id: &str, session_id: &str) -> Result<Session> {
        let session = self.coaching_session(org_id, session_id).await?;
        if !session.status.is_upcoming() {
            return Err(
                FieldError::new("status", "preparation is for a session still to come").into(),
            );
        }
        if session.kind == SessionKind::Opportunity {
            let picked = self.picked_deals(org_id, &session).await?;
            if picked.is_empty() {
                return Err(FieldError::new(
                    "subject_id",
                    "pick the deals to discuss first (up to three, R27)",
                )
                .into());
            }
            let stale: Vec<&str> = picked
                .iter()
                .filter(|d| !d.fresh)
                .map(|d| d.name.as_str())
                .collect();
            if !stale.is_empty() {
                return Err(FieldError::new(
                    "subject_id",
                    format!(
                        "update these deals in the CRM first (R27): {}",
                        stale.join(", ")
                    ),
                )
                .into());
            }
        }
        self.mark_prepared(org_id, session_id, "seller_prepared_at", None)
            .await
    }

    /// The manager marks their preparation done, with the minutes it took
    /// (R18).
    pub async fn manager_prepared(
        &self,
        org_id: &str,
        session_id: &str,
        minutes: u32,
    ) -> Result<Session> {
        if minutes > 480 {
            return Err(FieldError::new("prep_minutes", "expected 0 to 480 minutes").into());
        }
        self.mark_prepared(org_id, session_id, "manager_prepared_at", Some(minutes))
            .await
    }

    async fn mark_prepared(
        &self,
        org_id: &str,
        session_id: &str,
        column: &str,
        minutes: Option<u32>,
    ) -> Result<Session> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, session_id)
            .await?;
        let s = load_session(&mut *tx, org_id, session_id).await?;
        if !s.status.is_upcoming() {
            return Err(
                FieldError::new("status", "preparation is for a session still to come").into(),
            );
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE coaching_sessions SET {column} = COALESCE({column}, $3), prep_minutes = COALESCE($4, prep_minutes) WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(session_id)
        .bind(to_db(Utc::now()))
        .bind(minutes.map(i64::from))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE coaching_sessions SET status = 'prepared' WHERE org_id = $1 AND id = $2 AND status = 'scheduled' \
             AND seller_prepared_at IS NOT NULL AND manager_prepared_at IS NOT NULL",
        )
        .bind(org_id)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, org_id, session_id).await?;
        let s = load_session(&mut *tx, org_id, session_id).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The warnings an agenda draws now (R26, R34, R35).
    pub async fn agenda_warnings(
        &self,
        org_id: &str,
        session: &Session,
    ) -> Result<Vec<coach_core::coaching::AgendaWarning>> {
        let items = load_items(&self.pool, org_id, &session.id).await?;
        Ok(super::agenda::warnings(session, &items))
    }
}

fn is_fresh(updated_at: Option<DateTime<Utc>>, days: u32) -> bool {
    updated_at.is_some_and(|t| Utc::now() - t <= Duration::days(i64::from(days)))
}
