//! Opportunity plans (coaching-model R16, R20–R24): the buyer evidence per
//! buying stage, the concerns, the verdict, the stage the evidence supports
//! and its moves, and the start of negotiation (R23). One plan per deal; its
//! id is the deal's.

use crate::crm::records::{Sql, instant};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::FieldError;
use coach_core::crm::BuyingStage;
use coach_core::opportunity_plans::{
    CONCERNS_MAX, Concern, Evidence, Formality, Known, Verdict, check_move, check_negotiation,
    check_verdict,
};
use coach_core::records::Level;
use coach_core::time::to_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// The evidence notes kept in their own columns (concerns are a list).
const NOTE_COLUMNS: [Evidence; 10] = [
    Evidence::BuyingProcess,
    Evidence::DecisionMakers,
    Evidence::Needs,
    Evidence::Budget,
    Evidence::Criteria,
    Evidence::Competitors,
    Evidence::ViewOfOurs,
    Evidence::ViewOfCompetitors,
    Evidence::Terms,
    Evidence::Implementation,
];

/// A deal's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityPlan {
    /// The deal's id (also the plan's).
    pub opportunity_id: String,
    /// The deal's name.
    pub opportunity_name: String,
    /// The seller who owns the deal.
    pub owner_id: String,
    /// The deal's stage in the CRM.
    pub crm_stage: BuyingStage,
    /// The deal's amount, a decimal as text.
    pub amount: Option<String>,
    /// Its currency.
    pub currency: Option<String>,
    /// How important it is.
    pub importance: Option<Level>,
    /// How complex it is.
    pub complexity: Option<Level>,
    /// The stage the deal stands in by the buyer's evidence (R24).
    pub stage: BuyingStage,
    /// A note per piece of evidence that is in.
    pub notes: BTreeMap<Evidence, String>,
    /// The concerns the buyer raised (R23).
    pub concerns: Vec<Concern>,
    /// Whether the deal is worth pursuing (R20).
    pub verdict: Verdict,
    /// Why.
    pub verdict_reasons: String,
    /// When negotiation started, by whom, and the reason if concerns were open.
    pub negotiation: Option<Negotiation>,
    /// Bumped on every change (0: nothing stored yet).
    pub version: i64,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The start of negotiation (R23).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiation {
    /// When.
    pub at: DateTime<Utc>,
    /// Who marked it started.
    pub by: String,
    /// The reason given for starting with concerns open.
    pub override_reason: Option<String>,
}

/// A move of the evidence stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    /// From.
    pub from: BuyingStage,
    /// To.
    pub to: BuyingStage,
    /// Who moved it.
    pub by: String,
    /// Their name.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Known for OpportunityPlan {
    fn note(&self, e: Evidence) -> &str {
        self.notes.get(&e).map_or("", String::as_str)
    }
    fn concerns(&self) -> &[Concern] {
        &self.concerns
    }
}

/// What a person writes in a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanDraft {
    /// A note per piece of evidence; absent or empty: not in.
    pub notes: BTreeMap<Evidence, String>,
    /// The concerns raised.
    pub concerns: Vec<Concern>,
    /// The verdict.
    pub verdict: Option<Verdict>,
    /// Its reasons.
    pub verdict_reasons: String,
}

impl PlanDraft {
    fn checked(self) -> std::result::Result<PlanDraft, FieldError> {
        let mut notes = BTreeMap::new();
        for (e, text) in self.notes {
            if e == Evidence::Concerns {
                return Err(FieldError::new(
                    "evidence",
                    "concerns are a list of their own, not a note",
                ));
            }
            let text = coach_core::call_plans::validate_part(e.as_str(), &text)?;
            if !text.is_empty() {
                notes.insert(e, text);
            }
        }
        if self.concerns.len() > CONCERNS_MAX {
            return Err(FieldError::new(
                "concerns",
                format!("expected at most {CONCERNS_MAX} concerns"),
            ));
        }
        let concerns = self
            .concerns
            .into_iter()
            .map(|c| {
                Ok(Concern {
                    text: coach_core::validate::validate_line(
                        "concerns",
                        &c.text,
                        300,
                        "each concern in the buyer's words",
                    )?,
                    response: coach_core::call_plans::validate_part("concerns", &c.response)?,
                    addressed: c.addressed,
                })
            })
            .collect::<std::result::Result<Vec<_>, FieldError>>()?;
        let verdict = self.verdict.unwrap_or(Verdict::Undecided);
        let verdict_reasons =
            coach_core::call_plans::validate_part("verdict_reasons", &self.verdict_reasons)?;
        check_verdict(verdict, &verdict_reasons)?;
        Ok(PlanDraft {
            notes,
            concerns,
            verdict: Some(verdict),
            verdict_reasons,
        })
    }
}

const SELECT: &str = "SELECT o.id AS opportunity_id, o.name AS opportunity_name, o.owner_id, o.stage AS crm_stage, o.amount, o.currency, \
     o.importance, o.complexity, p.stage, \
     p.buying_process, p.decision_makers, p.needs, p.budget, p.criteria, p.competitors, p.view_of_ours, p.view_of_competitors, \
     p.terms, p.implementation, p.concerns, p.verdict, p.verdict_reasons, p.negotiation_started_at, p.negotiation_started_by, \
     p.negotiation_override, p.version, p.updated_at \
     FROM opportunities o LEFT JOIN opportunity_plans p ON p.org_id = o.org_id AND p.id = o.id WHERE o.org_id = $1";

fn stage(raw: &str) -> Result<BuyingStage> {
    raw.parse()
        .map_err(|e: String| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn from_row(row: &AnyRow) -> Result<OpportunityPlan> {
    let crm_stage = stage(&row.try_get::<String, _>("crm_stage")?)?;
    let stored: Option<String> = row.try_get("stage")?;
    let mut notes = BTreeMap::new();
    for e in NOTE_COLUMNS {
        let text: Option<String> = row.try_get(e.as_str())?;
        if let Some(t) = text.filter(|t| !t.is_empty()) {
            notes.insert(e, t);
        }
    }
    let concerns: Vec<Concern> = match row.try_get::<Option<String>, _>("concerns")? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
        None => Vec::new(),
    };
    let verdict = match row.try_get::<Option<String>, _>("verdict")? {
        Some(v) => v
            .parse()
            .map_err(|e: String| StoreError::Database(sqlx::Error::Decode(e.into())))?,
        None => Verdict::Undecided,
    };
    let started = instant(row, "negotiation_started_at")?;
    let by: Option<String> = row.try_get("negotiation_started_by")?;
    let mut plan = OpportunityPlan {
        opportunity_id: row.try_get("opportunity_id")?,
        opportunity_name: row.try_get("opportunity_name")?,
        owner_id: row.try_get("owner_id")?,
        crm_stage,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        importance: level(row, "importance")?,
        complexity: level(row, "complexity")?,
        stage: BuyingStage::IdentifyNeeds,
        notes,
        concerns,
        verdict,
        verdict_reasons: row
            .try_get::<Option<String>, _>("verdict_reasons")?
            .unwrap_or_default(),
        negotiation: started.zip(by).map(|(at, by)| Negotiation {
            at,
            by,
            override_reason: row.try_get("negotiation_override").ok().flatten(),
        }),
        version: row.try_get::<Option<i64>, _>("version")?.unwrap_or(0),
        updated_at: instant(row, "updated_at")?,
    };
    plan.stage = match stored {
        Some(s) => stage(&s)?,
        None => plan.starting_stage(),
    };
    Ok(plan)
}

impl OpportunityPlan {
    /// Where a new plan starts: the CRM's stage, as far as the evidence
    /// supports it (R24).
    fn starting_stage(&self) -> BuyingStage {
        if self.crm_stage.is_open() {
            self.crm_stage.min(self.supported_stage())
        } else {
            self.supported_stage()
        }
    }

    /// What the formality rules judge (R16): the deal as the CRM has it.
    pub fn deal(&self) -> coach_core::opportunity_plans::Deal<'_> {
        coach_core::opportunity_plans::Deal {
            stage: self.crm_stage,
            amount: self.amount.as_deref().and_then(|a| a.parse().ok()),
            currency: self.currency.as_deref(),
            importance: self.importance,
            complexity: self.complexity,
        }
    }
}

fn level(row: &AnyRow, name: &str) -> Result<Option<Level>> {
    row.try_get::<Option<String>, _>(name)?
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|e: String| StoreError::Database(sqlx::Error::Decode(e.into())))
        })
        .transpose()
}

/// An organization's formality rules, as stored (R16).
fn formality_from(row: &AnyRow) -> Result<Formality> {
    let level = |name: &str| level(row, name);
    Ok(Formality {
        min_amount: row
            .try_get::<Option<String>, _>("formal_plan_min_amount")?
            .and_then(|a| a.parse().ok()),
        currency: row.try_get("formal_plan_currency")?,
        min_importance: level("formal_plan_min_importance")?,
        min_complexity: level("formal_plan_min_complexity")?,
        from_stage: stage(&row.try_get::<String, _>("formal_plan_from_stage")?)?,
    })
}

impl Store {
    /// A deal's plan; an empty one (version 0) when none is stored yet.
    pub async fn opportunity_plan(
        &self,
        org_id: &str,
        opportunity_id: &str,
    ) -> Result<OpportunityPlan> {
        let sql = format!("{SELECT} AND o.id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(opportunity_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// The stored plans of these owners' deals (all owners: `None`), by deal.
    pub async fn opportunity_plans(
        &self,
        org_id: &str,
        owners: Option<&[String]>,
    ) -> Result<Vec<OpportunityPlan>> {
        let mut sql = Sql::new(SELECT, org_id);
        sql.push(" AND p.id IS NOT NULL");
        if let Some(owners) = owners {
            sql.and_in("o.owner_id", owners);
        }
        sql.push(" ORDER BY o.name, o.id");
        sql.fetch(self).await?.iter().map(from_row).collect()
    }

    /// The moves of a deal's evidence stage, oldest first.
    pub async fn stage_moves(&self, org_id: &str, opportunity_id: &str) -> Result<Vec<StageMove>> {
        let rows = sqlx::query(
            "SELECT m.from_stage, m.to_stage, m.moved_by, u.name, m.moved_at FROM opportunity_stage_moves m \
             JOIN users u ON u.org_id = m.org_id AND u.id = m.moved_by \
             WHERE m.org_id = $1 AND m.opportunity_id = $2 ORDER BY m.seq",
        )
        .bind(org_id)
        .bind(opportunity_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StageMove {
                    from: stage(&r.try_get::<String, _>("from_stage")?)?,
                    to: stage(&r.try_get::<String, _>("to_stage")?)?,
                    by: r.try_get("moved_by")?,
                    by_name: r.try_get("name")?,
                    at: instant(r, "moved_at")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Locks the deal, reads its plan and checks the version the writer saw.
    async fn plan_for_change(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        org_id: &str,
        opportunity_id: &str,
        if_version: Option<i64>,
    ) -> Result<OpportunityPlan> {
        self.lock_row(tx, "opportunities", org_id, opportunity_id)
            .await?;
        let sql = format!("{SELECT} AND o.id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(opportunity_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let plan = from_row(&row)?;
        crate::coaching::stale_unless(if_version, plan.version)?;
        if plan.version == 0 {
            let at = to_db(Utc::now());
            sqlx::query(
                "INSERT INTO opportunity_plans (org_id, id, stage, version, updated_by, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, $5, $5)",
            )
            .bind(org_id)
            .bind(opportunity_id)
            .bind(plan.stage.as_str())
            .bind(&plan.owner_id)
            .bind(&at)
            .execute(&mut **tx)
            .await?;
        }
        Ok(plan)
    }

    /// Writes a deal's evidence, concerns and verdict. `if_version` guards
    /// concurrent edits (0: nothing stored yet).
    pub async fn save_opportunity_plan(
        &self,
        org_id: &str,
        opportunity_id: &str,
        if_version: Option<i64>,
        draft: PlanDraft,
        by: &str,
    ) -> Result<OpportunityPlan> {
        let draft = draft.checked()?;
        let mut tx = self.write().await?;
        self.plan_for_change(&mut tx, org_id, opportunity_id, if_version)
            .await?;
        let open = draft.concerns.iter().filter(|c| !c.addressed).count();
        let note = |e: Evidence| draft.notes.get(&e).cloned().unwrap_or_default();
        sqlx::query(
            "UPDATE opportunity_plans SET buying_process = $3, decision_makers = $4, needs = $5, budget = $6, criteria = $7, \
             competitors = $8, view_of_ours = $9, view_of_competitors = $10, terms = $11, implementation = $12, concerns = $13, \
             open_concerns = $14, verdict = $15, verdict_reasons = $16, version = version + 1, updated_by = $17, updated_at = $18 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(opportunity_id)
        .bind(note(Evidence::BuyingProcess))
        .bind(note(Evidence::DecisionMakers))
        .bind(note(Evidence::Needs))
        .bind(note(Evidence::Budget))
        .bind(note(Evidence::Criteria))
        .bind(note(Evidence::Competitors))
        .bind(note(Evidence::ViewOfOurs))
        .bind(note(Evidence::ViewOfCompetitors))
        .bind(note(Evidence::Terms))
        .bind(note(Evidence::Implementation))
        .bind(serde_json::to_string(&draft.concerns).unwrap_or_else(|_| "[]".into()))
        .bind(i64::try_from(open).unwrap_or(i64::MAX))
        .bind(draft.verdict.unwrap_or(Verdict::Undecided).as_str())
        .bind(&draft.verdict_reasons)
        .bind(by)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.opportunity_plan(org_id, opportunity_id).await
    }

    /// Moves a deal's evidence stage: back freely, forward only once the
    /// buyer's evidence for every earlier stage is in (R21, R24). The move
    /// is logged.
    pub async fn move_opportunity_stage(
        &self,
        org_id: &str,
        opportunity_id: &str,
        if_version: Option<i64>,
        to: BuyingStage,
        by: &str,
    ) -> Result<OpportunityPlan> {
        let mut tx = self.write().await?;
        let plan = self
            .plan_for_change(&mut tx, org_id, opportunity_id, if_version)
            .await?;
        check_move(&plan, plan.stage, to)?;
        if to == plan.stage {
            return Ok(plan);
        }
        let at = to_db(Utc::now());
        sqlx::query(
            "INSERT INTO opportunity_stage_moves (org_id, opportunity_id, seq, from_stage, to_stage, moved_by, moved_at) \
             SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6 FROM opportunity_stage_moves WHERE org_id = $1 AND opportunity_id = $2",
        )
        .bind(org_id)
        .bind(opportunity_id)
        .bind(plan.stage.as_str())
        .bind(to.as_str())
        .bind(by)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        // Moving back before negotiation undoes its start.
        sqlx::query(
            "UPDATE opportunity_plans SET stage = $3, version = version + 1, updated_by = $4, updated_at = $5, \
             negotiation_started_at = CASE WHEN $3 = 'mitigate_risks' THEN negotiation_started_at END, \
             negotiation_started_by = CASE WHEN $3 = 'mitigate_risks' THEN negotiation_started_by END, \
             negotiation_override = CASE WHEN $3 = 'mitigate_risks' THEN negotiation_override END \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(opportunity_id)
        .bind(to.as_str())
        .bind(by)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.opportunity_plan(org_id, opportunity_id).await
    }

    /// Marks negotiation started: once every concern is addressed, or with
    /// a reason, which is kept (R23).
    pub async fn start_negotiation(
        &self,
        org_id: &str,
        opportunity_id: &str,
        if_version: Option<i64>,
        override_reason: Option<&str>,
        by: &str,
    ) -> Result<OpportunityPlan> {
        let mut tx = self.write().await?;
        let plan = self
            .plan_for_change(&mut tx, org_id, opportunity_id, if_version)
            .await?;
        if plan.negotiation.is_some() {
            return Err(FieldError::new("negotiation", "negotiation has already started").into());
        }
        let reason = check_negotiation(&plan, plan.stage, override_reason)?;
        let at = to_db(Utc::now());
        sqlx::query(
            "UPDATE opportunity_plans SET negotiation_started_at = $3, negotiation_started_by = $4, negotiation_override = $5, \
             version = version + 1, updated_by = $4, updated_at = $3 WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(opportunity_id)
        .bind(&at)
        .bind(by)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.opportunity_plan(org_id, opportunity_id).await
    }

    /// The organization's rules for which deals need a formal plan (R16).
    pub async fn formality(&self, org_id: &str) -> Result<Formality> {
        let row = sqlx::query(
            "SELECT formal_plan_min_amount, formal_plan_currency, formal_plan_min_importance, formal_plan_min_complexity, \
             formal_plan_from_stage FROM organizations WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        formality_from(&row)
    }

    /// Sets the organization's formality rules (R16).
    pub async fn set_formality(&self, org_id: &str, rules: Formality) -> Result<Formality> {
        let rules = rules.checked()?;
        sqlx::query(
            "UPDATE organizations SET formal_plan_min_amount = $2, formal_plan_currency = $3, formal_plan_min_importance = $4, \
             formal_plan_min_complexity = $5, formal_plan_from_stage = $6 WHERE id = $1",
        )
        .bind(org_id)
        .bind(rules.min_amount.map(|a| a.normalize().to_string()))
        .bind(rules.currency.clone())
        .bind(rules.min_importance.map(|l| l.as_str()))
        .bind(rules.min_complexity.map(|l| l.as_str()))
        .bind(rules.from_stage.as_str())
        .execute(&self.pool)
        .await?;
        self.formality(org_id).await
    }
}
