//! A synthetic team history written in bulk, for the demo and the
//! benchmark.

use crate::db::{Cell, Rows};
use crate::{Result, Store};
use chrono::{Duration, NaiveTime};
use coach_core::analytics::stage_on;
use coach_core::analytics::synth::History;
use coach_core::coaching::SessionStatus;
use coach_core::crm::BuyingStage;
use coach_core::time::to_db;

impl Store {
    /// Writes a synthetic team history (the demo, the benchmark) in one
    /// transaction. Its people must exist.
    pub async fn insert_history(&self, org_id: &str, h: &History) -> Result<()> {
        let manager = h.team.manager_id.as_str();
        let at = to_db(chrono::Utc::now());
        let mut opportunities = Rows::new(
            "INSERT INTO opportunities (org_id, id, name, owner_id, amount, currency, stage, crm_stage, close_date, \
             created_on, created_at, updated_at)",
            12,
        );
        let mut stages = Rows::new(
            "INSERT INTO opportunity_stages (org_id, opportunity_id, seq, changed_at, stage, crm_stage)",
            6,
        );
        for d in &h.deals {
            let last = d.stages.last().map_or(BuyingStage::ClosedLost, |s| s.1);
            opportunities.push(vec![
                org_id.into(),
                d.id.as_str().into(),
                d.name.as_str().into(),
                d.seller_id.as_str().into(),
                d.amount.to_string().into(),
                h.currency.into(),
                last.as_str().into(),
                last.label().into(),
                d.closed_on.to_string().into(),
                d.created_on.to_string().into(),
                at.as_str().into(),
                at.as_str().into(),
            ]);
            for (seq, (day, stage)) in (1i64..).zip(&d.stages) {
                stages.push(vec![
                    org_id.into(),
                    d.id.as_str().into(),
                    seq.into(),
                    to_db(day.and_time(NaiveTime::MIN).and_utc()).into(),
                    stage.as_str().into(),
                    stage.label().into(),
                ]);
            }
        }
        let mut sessions = Rows::new(
            "INSERT INTO coaching_sessions (org_id, id, kind, manager_id, seller_id, observer_id, ad_hoc, status, \
             starts_at, minutes, original_starts_at, desired_outcome, prep_due_on, prep_minutes, manager_prepared_at, \
             agenda_agreed_at, agenda_reviewed_at, phase, created_by, created_at, updated_at)",
            21,
        );
        let mut items = Rows::new(
            "INSERT INTO agenda_items (org_id, id, session_id, section, position, title, minutes, subject_kind, \
             subject_id, spent_seconds, inspection, added_by, created_at, updated_at)",
            14,
        );
        let mut actions = Rows::new(
            "INSERT INTO action_items (org_id, id, session_id, seller_id, owner_id, title, due_on, status, closed_on, \
             created_by, created_at, updated_at)",
            12,
        );
        let mut feedback = Rows::new(
            "INSERT INTO session_feedback (org_id, session_id, seller_id, manager_id, most_valuable, could_be_better, \
             rating, would_pay, created_at)",
            9,
        );
        let mut observations = Rows::new(
            "INSERT INTO session_observations (org_id, session_id, observer_id, manager_id, checks, comment, \
             created_at, updated_at)",
            8,
        );
        for s in &h.sessions {
            let starts = s.starts_at.and_utc();
            let held = s.status == SessionStatus::Held;
            let ends = starts + Duration::minutes(i64::from(s.minutes));
            let when = |on: bool, t: chrono::DateTime<chrono::Utc>| -> Cell {
                if on { to_db(t).into() } else { Cell::Null }
            };
            let observer = h.team.director_id.as_deref().filter(|_| s.observed);
            sessions.push(vec![
                org_id.into(),
                s.id.as_str().into(),
                s.kind.as_str().into(),
                manager.into(),
                s.seller_id.as_str().into(),
                observer.map_or(Cell::Null, Cell::from),
                i64::from(s.ad_hoc).into(),
                s.status.as_str().into(),
                to_db(starts).into(),
                s.minutes.into(),
                when(s.moved, starts - Duration::days(2)),
                "Decisions on the items discussed, and next steps the seller owns".into(),
                (s.starts_at.date() - Duration::days(2)).to_string().into(),
                s.prep_minutes.into(),
                when(held && s.prep_minutes > 0, starts - Duration::hours(20)),
                when(held && s.agreed, starts),
                when(held && s.reviewed, ends),
                if held { "closing" } else { "opening" }.into(),
                manager.into(),
                to_db(starts - Duration::days(14)).into(),
                to_db(if held { ends } else { starts }).into(),
            ]);
            for (position, i) in (0i64..).zip(&s.items) {
                let deal = i.deal.and_then(|n| h.deals.get(n));
                items.push(vec![
                    org_id.into(),
                    format!("{}-{position}", s.id).into(),
                    s.id.as_str().into(),
                    i.section.as_str().into(),
                    position.into(),
                    deal.map_or_else(|| i.title.to_owned(), |d| d.name.clone())
                        .into(),
                    i.minutes.into(),
                    deal.map_or(Cell::Null, |_| "opportunity".into()),
                    deal.map_or(Cell::Null, |d| d.id.as_str().into()),
                    if held { i64::from(i.minutes) * 60 } else { 0 }.into(),
                    i64::from(i.inspection).into(),
                    manager.into(),
                    to_db(starts - Duration::days(14)).into(),
                    to_db(starts).into(),
                ]);
            }
            for a in &s.actions {
                actions.push(vec![
                    org_id.into(),
                    a.id.as_str().into(),
                    s.id.as_str().into(),
                    s.seller_id.as_str().into(),
                    s.seller_id.as_str().into(),
                    a.title.into(),
                    a.due_on.to_string().into(),
                    a.status.as_str().into(),
                    a.closed_on.map_or(Cell::Null, |d| d.to_string().into()),
                    manager.into(),
                    to_db(ends).into(),
                    to_db(ends).into(),
                ]);
            }
            if let Some(f) = &s.feedback {
                feedback.push(vec![
                    org_id.into(),
                    s.id.as_str().into(),
                    s.seller_id.as_str().into(),
                    manager.into(),
                    "".into(),
                    "".into(),
                    i64::from(f.rating).into(),
                    i64::from(f.would_pay).into(),
                    to_db(ends + Duration::hours(1)).into(),
                ]);
            }
            if let Some(observer) = observer {
                observations.push(vec![
                    org_id.into(),
                    s.id.as_str().into(),
                    observer.into(),
                    manager.into(),
                    "{}".into(),
                    "".into(),
                    to_db(ends).into(),
                    to_db(ends).into(),
                ]);
            }
        }
        let mut calls = Rows::new(
            "INSERT INTO calls (org_id, id, subject, owner_id, occurred_at, opportunity_id, kind, importance, \
             created_at, updated_at)",
            10,
        );
        let mut plans = Rows::new(
            "INSERT INTO call_plans (org_id, id, seller_id, opportunity_id, stage, planned_for, objective, \
             desired_outcome, agenda, questions, solutions, interests, objections, opening, next_step, attended_by, \
             created_by, created_at, updated_at)",
            19,
        );
        for c in &h.calls {
            let Some(deal) = h.deals.get(c.deal) else {
                continue;
            };
            let occurred = to_db(c.day.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc());
            calls.push(vec![
                org_id.into(),
                c.id.as_str().into(),
                format!("Call on {}", deal.name).into(),
                c.seller_id.as_str().into(),
                occurred.as_str().into(),
                deal.id.as_str().into(),
                "video".into(),
                c.importance.as_str().into(),
                occurred.as_str().into(),
                occurred.as_str().into(),
            ]);
            if let Some(plan_id) = &c.plan_id {
                let stage = stage_on(&deal.stages, c.day);
                plans.push(vec![
                    org_id.into(),
                    plan_id.as_str().into(),
                    c.seller_id.as_str().into(),
                    deal.id.as_str().into(),
                    stage.map_or(Cell::Null, |s| s.as_str().into()),
                    c.day.to_string().into(),
                    "Agree the next step with the buyer".into(),
                    "A date for the next meeting".into(),
                    "[]".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "Ask for the next meeting".into(),
                    if c.observed {
                        Cell::from(manager)
                    } else {
                        Cell::Null
                    },
                    c.seller_id.as_str().into(),
                    occurred.as_str().into(),
                    occurred.as_str().into(),
                ]);
            }
        }
        let mut tx = self.write().await?;
        opportunities.write(&mut tx).await?;
        stages.write(&mut tx).await?;
        sessions.write(&mut tx).await?;
        items.write(&mut tx).await?;
        actions.write(&mut tx).await?;
        feedback.write(&mut tx).await?;
        observations.write(&mut tx).await?;
        calls.write(&mut tx).await?;
        plans.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
