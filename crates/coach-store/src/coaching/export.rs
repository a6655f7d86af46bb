//! Sessions and action items as CSV or JSON (`coach export`). A session's
//! export carries its plan, life cycle and counts, never a note: notes are
//! their authors' (R38), and an export is read by others.

use super::{ActionFilter, SessionFilter};
use crate::crm::{ExportFormat, ExportWriter};
use crate::{Result, Store, StoreError, UserFilter};
use coach_core::coaching::{SessionStatus, done_on_time};
use coach_core::time::to_db;
use serde_json::Value;
use std::collections::BTreeMap;

/// The columns of a sessions export.
pub const SESSION_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "manager",
    "seller",
    "observer",
    "status",
    "starts_at",
    "minutes",
    "moved_from",
    "ad_hoc",
    "kept_as_scheduled",
    "prep_due_on",
    "seller_prepared_at",
    "manager_prepared_at",
    "prep_minutes",
    "agenda_agreed_at",
    "agenda_reviewed_at",
    "agenda_items",
    "decisions",
    "next_steps",
    "no_next_step",
];

/// The columns of an action items export.
pub const ACTION_COLUMNS: &[&str] = &[
    "id",
    "session_id",
    "seller",
    "owner",
    "title",
    "about_kind",
    "about",
    "due_on",
    "status",
    "closed_on",
    "done_on_time",
];

/// The columns of a call plans export.
pub const CALL_PLAN_COLUMNS: &[&str] = &[
    "id",
    "seller",
    "opportunity",
    "stage",
    "planned_for",
    "objective",
    "agenda_minutes",
    "missing",
    "next_step",
    "next_step_won",
    "attended_by",
    "observed",
];

/// The columns of an opportunity plans export.
pub const OPPORTUNITY_PLAN_COLUMNS: &[&str] = &[
    "opportunity",
    "owner",
    "crm_stage",
    "stage",
    "supported_stage",
    "evidence_in",
    "missing_to_move_on",
    "open_concerns",
    "verdict",
    "verdict_reasons",
    "no_criteria_past_first_stage",
    "formal_plan_required",
    "negotiation_started_at",
    "negotiation_override",
];

/// The columns of a territory plans export: one row per account.
pub const TERRITORY_COLUMNS: &[&str] = &[
    "seller",
    "account",
    "segment",
    "score",
    "computed_tier",
    "tier",
    "set_by_hand_because",
    "calls_90_days",
    "calls_per_month_planned",
];

/// The columns of an account plans export: one row per key account.
pub const ACCOUNT_PLAN_COLUMNS: &[&str] = &[
    "account",
    "owner",
    "plan_written",
    "plan_required",
    "people",
    "decision_makers",
    "decision_makers_supporting",
    "steps",
    "steps_open",
    "updated_at",
];

fn io(e: std::io::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Io(e))
}

impl Store {
    async fn emails(&self, org_id: &str) -> Result<BTreeMap<String, String>> {
        Ok(self
            .users(org_id, &UserFilter::default())
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect())
    }

    /// Writes the organization's sessions, oldest first; returns how many.
    pub async fn export_sessions<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        let emails = self.emails(org_id).await?;
        let email = |id: &str| Value::String(emails.get(id).cloned().unwrap_or_default());
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map_or(Value::Null, |t| Value::String(to_db(t)))
        };
        let mut writer = ExportWriter::with_headers(out, SESSION_COLUMNS, format).map_err(io)?;
        let mut filter = SessionFilter {
            limit: Some(500),
            ..SessionFilter::default()
        };
        loop {
            let page = self.coaching_sessions(org_id, &filter).await?;
            let Some(last) = page.last() else { break };
            filter.after = Some(last.id.clone());
            for s in &page {
                let agenda = self.agenda(org_id, &s.id).await?;
                let next = self
                    .action_items(
                        org_id,
                        &ActionFilter {
                            session_id: Some(s.id.clone()),
                            ..ActionFilter::default()
                        },
                    )
                    .await?;
                writer
                    .write(vec![
                        Value::String(s.id.clone()),
                        Value::String(s.kind.as_str().to_owned()),
                        email(&s.manager_id),
                        email(&s.seller_id),
                        s.observer_id.as_deref().map_or(Value::Null, email),
                        Value::String(s.status.as_str().to_owned()),
                        Value::String(to_db(s.starts_at)),
                        Value::from(s.minutes),
                        time(s.original_starts_at),
                        Value::Bool(s.ad_hoc),
                        s.kept_as_scheduled().map_or(Value::Null, Value::Bool),
                        Value::String(s.prep_due_on.to_string()),
                        time(s.seller_prepared_at),
                        time(s.manager_prepared_at),
                        Value::from(s.prep_minutes),
                        time(s.agenda_agreed_at),
                        time(s.agenda_reviewed_at),
                        Value::from(agenda.len()),
                        Value::from(agenda.iter().filter(|i| !i.decision.is_empty()).count()),
                        Value::from(next.len()),
                        Value::Bool(s.status == SessionStatus::Held && next.is_empty()),
                    ])
                    .map_err(io)?;
            }
            if page.len() < 500 {
                break;
            }
        }
        writer.finish().map_err(io)
    }

    /// Writes the organization's action items, by due date; returns how many.
    pub async fn export_action_items<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        let emails = self.emails(org_id).await?;
        let email = |id: &str| Value::String(emails.get(id).cloned().unwrap_or_default());
        let mut writer = ExportWriter::with_headers(out, ACTION_COLUMNS, format).map_err(io)?;
        let mut filter = ActionFilter {
            limit: Some(1000),
            ..ActionFilter::default()
        };
        loop {
            let page = self.action_items(org_id, &filter).await?;
            let Some(last) = page.last() else { break };
            filter.after = Some(last.id.clone());
            for i in &page {
                let opt = |s: Option<String>| s.map_or(Value::Null, Value::String);
                writer
                    .write(vec![
                        Value::String(i.id.clone()),
                        opt(i.session_id.clone()),
                        email(&i.seller_id),
                        email(&i.owner_id),
                        Value::String(i.title.clone()),
                        opt(i.subject.as_ref().map(|(k, _)| k.as_str().to_owned())),
                        opt(i.subject_name.clone()),
                        Value::String(i.due_on.to_string()),
                        Value::String(i.status.as_str().to_owned()),
                        opt(i.closed_on.map(|d| d.to_string())),
                        done_on_time(i.status, i.due_on, i.closed_on)
                            .map_or(Value::Null, Value::Bool),
                    ])
                    .map_err(io)?;
            }
            if page.len() < 1000 {
                break;
            }
        }
        writer.finish().map_err(io)
    }

    /// Writes the organization's opportunity plans, by deal; returns how
    /// many (R16, R20–R24). Evidence notes stay out; what is in, what is
    /// missing and the flags go in.
    pub async fn export_opportunity_plans<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        use coach_core::opportunity_plans::{Evidence, Known as _, OPEN_STAGES, list, no_criteria};
        let emails = self.emails(org_id).await?;
        let rules = self.formality(org_id).await?;
        let mut writer =
            ExportWriter::with_headers(out, OPPORTUNITY_PLAN_COLUMNS, format).map_err(io)?;
        for p in self.opportunity_plans(org_id, None).await? {
            let next = OPEN_STAGES.into_iter().find(|s| *s > p.stage);
            let n = Evidence::ALL.iter().filter(|e| p.has(**e)).count();
            writer
                .write(vec![
                    Value::String(p.opportunity_name.clone()),
                    Value::String(emails.get(&p.owner_id).cloned().unwrap_or_default()),
                    Value::String(p.crm_stage.as_str().to_owned()),
                    Value::String(p.stage.as_str().to_owned()),
                    Value::String(p.supported_stage().as_str().to_owned()),
                    Value::String(format!("{n}/{}", Evidence::ALL.len())),
                    Value::String(next.map(|s| list(&p.missing_before(s))).unwrap_or_default()),
                    Value::from(p.open_concerns()),
                    Value::String(p.verdict.as_str().to_owned()),
                    Value::String(p.verdict_reasons.clone()),
                    Value::Bool(no_criteria(&p, p.stage, p.crm_stage).is_some()),
                    Value::Bool(!rules.reasons(&p.deal()).is_empty()),
                    p.negotiation
                        .as_ref()
                        .map_or(Value::Null, |n| Value::String(to_db(n.at))),
                    p.negotiation
                        .as_ref()
                        .and_then(|n| n.override_reason.clone())
                        .map_or(Value::Null, Value::String),
                ])
                .map_err(io)?;
        }
        writer.finish().map_err(io)
    }

    /// Writes every active seller's territory, account by account, as of
    /// `today`: the score, the tier the scheme gives, the tier it is in and
    /// why if set by hand, and the calls the pattern plans (R6); returns how
    /// many rows.
    pub async fn export_territories<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        today: chrono::NaiveDate,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        let mut writer = ExportWriter::with_headers(out, TERRITORY_COLUMNS, format).map_err(io)?;
        let sellers = self
            .users(
                org_id,
                &UserFilter {
                    role: Some(coach_core::Role::Seller),
                    active: Some(true),
                    ..UserFilter::default()
                },
            )
            .await?;
        for seller in &sellers {
            let (plan, ranked) = self.ranked_territory(org_id, &seller.id, today).await?;
            for r in ranked {
                writer
                    .write(vec![
                        Value::String(seller.email.clone()),
                        Value::String(r.account.name.clone()),
                        r.account.segment.clone().map_or(Value::Null, Value::String),
                        Value::from(r.score),
                        Value::String(r.computed.label().to_owned()),
                        Value::String(r.tier.label().to_owned()),
                        r.change.map_or(Value::Null, |c| Value::String(c.reason)),
                        Value::from(r.account.facts.calls),
                        Value::String(plan.pattern.of(r.tier).to_string()),
                    ])
                    .map_err(io)?;
            }
        }
        writer.finish().map_err(io)
    }

    /// Writes every key account with what its plan holds (R7), never its
    /// text; returns how many.
    pub async fn export_account_plans<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        use coach_core::account_plans::StepStatus;
        use coach_core::records::{BuyingRole, Stance};
        let emails = self.emails(org_id).await?;
        let required = self.key_accounts_need_plan(org_id).await?;
        let mut writer =
            ExportWriter::with_headers(out, ACCOUNT_PLAN_COLUMNS, format).map_err(io)?;
        for p in self.key_account_plans(org_id, None).await? {
            let written = p.version > 0;
            let people = if written { p.people.as_slice() } else { &[] };
            let deciders = people
                .iter()
                .filter(|x| x.role == BuyingRole::DecisionMaker);
            writer
                .write(vec![
                    Value::String(p.account_name.clone()),
                    Value::String(emails.get(&p.owner_id).cloned().unwrap_or_default()),
                    Value::Bool(written),
                    Value::Bool(required),
                    Value::from(people.len()),
                    Value::from(deciders.clone().count()),
                    Value::from(deciders.filter(|x| x.stance == Stance::Supporter).count()),
                    Value::from(p.actions.len()),
                    Value::from(
                        p.actions
                            .iter()
                            .filter(|s| s.status != StepStatus::Done)
                            .count(),
                    ),
                    p.updated_at
                        .map_or(Value::Null, |t| Value::String(to_db(t))),
                ])
                .map_err(io)?;
        }
        writer.finish().map_err(io)
    }

    /// Writes the organization's call plans, newest first; returns how many.
    /// The plan's free text stays out but for its objective and next step.
    pub async fn export_call_plans<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        format: ExportFormat,
        out: W,
    ) -> Result<u64> {
        let emails = self.emails(org_id).await?;
        let email = |id: &str| Value::String(emails.get(id).cloned().unwrap_or_default());
        let mut writer = ExportWriter::with_headers(out, CALL_PLAN_COLUMNS, format).map_err(io)?;
        let mut filter = crate::call_plans::CallPlanFilter {
            limit: Some(1000),
            ..Default::default()
        };
        loop {
            let page = self.call_plans(org_id, &filter).await?;
            let Some(last) = page.last() else { break };
            filter.after = Some(last.id.clone());
            for p in &page {
                let opt = |s: Option<String>| s.map_or(Value::Null, Value::String);
                writer
                    .write(vec![
                        Value::String(p.id.clone()),
                        email(&p.seller_id),
                        opt(p.opportunity_name.clone()),
                        opt(p.stage.map(|s| s.as_str().to_owned())),
                        Value::String(p.planned_for.to_string()),
                        Value::String(p.objective.clone()),
                        Value::from(p.agenda.iter().map(|(_, m)| *m).sum::<u32>()),
                        Value::String(p.missing().join("; ")),
                        Value::String(p.next_step.clone()),
                        p.next_step_won.map_or(Value::Null, Value::Bool),
                        p.attended_by.as_deref().map_or(Value::Null, email),
                        Value::Bool(p.observed()),
                    ])
                    .map_err(io)?;
            }
            if page.len() < 1000 {
                break;
            }
        }
        writer.finish().map_err(io)
    }
}
