//! Call plans (coaching-model R28–R33): a plan for an important call, with
//! what a call at the deal's stage should achieve (R30) and whether the call
//! needs a plan at all (R16, R29); after the call, what happened against the
//! plan, and a manager's feedback when they attended (R31, R33). Opened from
//! an opportunity session's deals ("plan the next call", R32) or the list.

use super::RouteBook;
use super::layout::{Shell, form_page, html, sentence};
use crate::api::call_plans::plan_for;
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::call_plans::{agenda_text, parse_agenda, plan_need, stage_guidance};
use coach_store::StoreError;
use coach_store::call_plans::{CallPlan, CallPlanFilter, NewCallPlan, PlanText};
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/call-plans", list)
        .get("/call-plans/new", new)
        .post("/call-plans", create)
        .get("/call-plans/{id}", show)
        .post("/call-plans/{id}", save)
        .post("/call-plans/{id}/outcome", outcome)
        .post("/call-plans/{id}/feedback", feedback)
}

/// A plan as a row.
pub(crate) struct Row {
    id: String,
    day: String,
    seller: String,
    deal: String,
    objective: String,
    state: (&'static str, &'static str),
}

fn state_of(p: &CallPlan) -> (&'static str, &'static str) {
    match (p.next_step_won, p.observed()) {
        (None, _) if p.missing().is_empty() => ("seller", "Ready"),
        (None, _) => ("none", "Draft"),
        (Some(true), true) => ("good", "Next step won · observed"),
        (Some(true), false) => ("good", "Next step won"),
        (Some(false), true) => ("below", "No next step · observed"),
        (Some(false), false) => ("below", "No next step"),
    }
}

#[derive(Template)]
#[template(path = "call_plans.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    leads: bool,
}

async fn list(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    let plans = state
        .store()
        .call_plans(
            &actor.org.id,
            &CallPlanFilter {
                sellers: policy::record_owners(&actor),
                limit: Some(200),
                ..CallPlanFilter::default()
            },
        )
        .await?;
    let view = ListPage {
        shell: Shell::new(&actor, "/sessions", state.config().email_enabled),
        leads: !actor.below.is_empty(),
        rows: plans
            .iter()
            .map(|p| Row {
                id: p.id.clone(),
                day: p.planned_for.format("%a %-d %b").to_string(),
                seller: p.seller_name.clone(),
                deal: p.opportunity_name.clone().unwrap_or_default(),
                objective: p.objective.clone(),
                state: state_of(p),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &view))
}

/// The plan form's fields.
#[derive(Debug, Deserialize, Default, Clone)]
pub(crate) struct PlanForm {
    #[serde(default)]
    seller_id: String,
    #[serde(default)]
    opportunity_id: String,
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    planned_for: String,
    #[serde(default)]
    objective: String,
    #[serde(default)]
    desired_outcome: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    solutions: String,
    #[serde(default)]
    interests: String,
    #[serde(default)]
    objections: String,
    #[serde(default)]
    opening: String,
    #[serde(default)]
    next_step: String,
    #[serde(default)]
    version: Option<i64>,
}

impl PlanForm {
    fn of(p: &CallPlan) -> PlanForm {
        PlanForm {
            seller_id: p.seller_id.clone(),
            opportunity_id: p.opportunity_id.clone().unwrap_or_default(),
            session_id: p.session_id.clone().unwrap_or_default(),
            planned_for: p.planned_for.to_string(),
            objective: p.objective.clone(),
            desired_outcome: p.desired_outcome.clone(),
            agenda: agenda_text(&p.agenda),
            questions: p.questions.clone(),
            solutions: p.solutions.clone(),
            interests: p.interests.clone(),
            objections: p.objections.clone(),
            opening: p.opening.clone(),
            next_step: p.next_step.clone(),
            version: Some(p.version),
        }
    }

    fn parsed(&self) -> Result<(NaiveDate, PlanText), StoreError> {
        let day = NaiveDate::parse_from_str(self.planned_for.trim(), "%Y-%m-%d").map_err(|_| {
            StoreError::Invalid(FieldError::new(
                "planned_for",
                "expected the day of the call",
            ))
        })?;
        Ok((
            day,
            PlanText {
                objective: self.objective.clone(),
                desired_outcome: self.desired_outcome.clone(),
                agenda: parse_agenda(&self.agenda)?,
                questions: self.questions.clone(),
                solutions: self.solutions.clone(),
                interests: self.interests.clone(),
                objections: self.objections.clone(),
                opening: self.opening.clone(),
                next_step: self.next_step.clone(),
            },
        ))
    }
}

#[derive(Template)]
#[template(path = "call_plan.html")]
struct PlanPage {
    shell: Shell,
    id: Option<String>,
    seller: String,
    deal: Option<(String, String)>,
    stage: Option<&'static str>,
    guidance: &'static str,
    need: &'static str,
    form: PlanForm,
    can_write: bool,
    can_coach: bool,
    missing: Vec<&'static str>,
    outcome: Option<(bool, String)>,
    attended: Option<String>,
    feedback: String,
    managers: Vec<(String, String)>,
    session: Option<String>,
    error: Option<String>,
}

/// `?opportunity=&session=&seller=`.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct NewQuery {
    #[serde(default)]
    opportunity: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    seller: String,
}

/// The managers above the seller, who may have attended.
async fn managers_of(
    state: &AppState,
    actor: &Actor,
    seller_id: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let chart = state.store().org_chart(&actor.org.id).await?;
    let mut out = Vec::new();
    let mut at = seller_id.to_owned();
    while let Some(m) = chart.manager_of(&at).map(str::to_owned) {
        if let Ok(u) = state.store().user(&actor.org.id, &m).await {
            out.push((u.id, u.name));
        }
        at = m;
        if out.len() > 10 {
            break;
        }
    }
    Ok(out)
}

async fn render_new(
    state: &AppState,
    actor: &Actor,
    form: PlanForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let seller = store.user(&actor.org.id, &form.seller_id).await?;
    policy::check(
        actor,
        Action::WritePlan {
            seller_id: &seller.id,
        },
    )?;
    let deal = if form.opportunity_id.is_empty() {
        None
    } else {
        let o = store
            .opportunity(&actor.org.id, &form.opportunity_id)
            .await?;
        if o.owner_id != seller.id {
            return Err(AppError::NotFound);
        }
        Some(o)
    };
    let stage = deal.as_ref().map(|o| o.stage);
    let view = PlanPage {
        shell: Shell::new(actor, "/sessions", state.config().email_enabled),
        id: None,
        seller: seller.name,
        deal: deal.as_ref().map(|o| (o.id.clone(), o.name.clone())),
        stage: stage.map(|s| s.label()),
        guidance: stage_guidance(stage),
        need: plan_need(deal.as_ref().and_then(|o| o.importance), stage).label(),
        can_write: true,
        can_coach: false,
        missing: Vec::new(),
        outcome: None,
        attended: None,
        feedback: String::new(),
        managers: Vec::new(),
        session: Some(form.session_id.clone()).filter(|s| !s.is_empty()),
        form,
        error,
    };
    Ok(form_page(&view, view.error.is_some()))
}

async fn new(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let seller_id = if q.seller.is_empty() {
        if q.opportunity.is_empty() {
            actor.user.id.clone()
        } else {
            state
                .store()
                .opportunity(&actor.org.id, &q.opportunity)
                .await?
                .owner_id
        }
    } else {
        q.seller.clone()
    };
    let form = PlanForm {
        seller_id,
        opportunity_id: q.opportunity,
        session_id: q.session,
        planned_for: (Utc::now().date_naive() + Duration::days(3)).to_string(),
        agenda: "5 | Opening: agree the time and the outcome\n20 | Their needs and criteria\n5 | Ask for the next step".to_owned(),
        ..PlanForm::default()
    };
    render_new(&state, &actor, form, None).await
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let seller = store.user(&actor.org.id, &f.seller_id).await?;
    policy::check(
        &actor,
        Action::WritePlan {
            seller_id: &seller.id,
        },
    )?;
    let r = match f.parsed() {
        Ok((day, text)) => {
            store
                .create_call_plan(
                    &actor.org.id,
                    NewCallPlan {
                        seller_id: seller.id.clone(),
                        opportunity_id: Some(f.opportunity_id.clone()).filter(|s| !s.is_empty()),
                        session_id: Some(f.session_id.clone()).filter(|s| !s.is_empty()),
                        planned_for: day,
                        text,
                    },
                    &actor.user.id,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(p) => Ok(Redirect::to(&format!("/call-plans/{}?notice=saved", p.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_new(&state, &actor, f, Some(sentence(&e.message))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn render(
    state: &AppState,
    actor: &Actor,
    p: CallPlan,
    form: Option<PlanForm>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let can_write = policy::allows(
        actor,
        Action::WritePlan {
            seller_id: &p.seller_id,
        },
    );
    let can_coach = policy::allows(
        actor,
        Action::CoachCall {
            seller_id: &p.seller_id,
            id: &p.id,
        },
    );
    let managers = if can_write {
        managers_of(state, actor, &p.seller_id).await?
    } else {
        Vec::new()
    };
    let view = PlanPage {
        shell: Shell::new(actor, "/sessions", state.config().email_enabled).with_notice(notice),
        id: Some(p.id.clone()),
        seller: p.seller_name.clone(),
        deal: p.opportunity_id.clone().zip(p.opportunity_name.clone()),
        stage: p.stage.map(|s| s.label()),
        guidance: stage_guidance(p.stage),
        need: "",
        can_write,
        can_coach,
        missing: p.missing(),
        outcome: p.next_step_won.zip(p.outcome.clone()),
        attended: p.attended_by_name.clone(),
        feedback: p.feedback.clone(),
        managers,
        session: p.session_id.clone(),
        form: form.unwrap_or_else(|| PlanForm::of(&p)),
        error,
    };
    Ok(form_page(&view, view.error.is_some()))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<super::layout::NoticeQuery>,
) -> Result<Response, AppError> {
    let p = plan_for(&state, &actor, &id, false).await?;
    let notice = (q.notice == "saved").then_some("Saved.");
    render(&state, &actor, p, None, None, notice).await
}

async fn done(
    state: &AppState,
    actor: &Actor,
    id: &str,
    r: Result<CallPlan, StoreError>,
    form: Option<PlanForm>,
) -> Result<Response, AppError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/call-plans/{id}?notice=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let p = state.store().call_plan(&actor.org.id, id).await?;
            render(state, actor, p, form, Some(sentence(&e.message)), None).await
        }
        Err(StoreError::Stale) => {
            let p = state.store().call_plan(&actor.org.id, id).await?;
            render(
                state,
                actor,
                p,
                None,
                Some(super::layout::PLAN_CHANGED.to_owned()),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    plan_for(&state, &actor, &id, true).await?;
    let r = match f.parsed() {
        Ok((day, text)) => {
            state
                .store()
                .update_call_plan(&actor.org.id, &id, f.version, day, text)
                .await
        }
        Err(e) => Err(e),
    };
    done(&state, &actor, &id, r, Some(f)).await
}

/// What happened on the call.
#[derive(Debug, Deserialize)]
pub(crate) struct OutcomeForm {
    #[serde(default)]
    won: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    attended_by: String,
}

async fn outcome(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let p = plan_for(&state, &actor, &id, true).await?;
    let attended = Some(f.attended_by.clone()).filter(|a| !a.is_empty());
    let r = match f.won.as_str() {
        "yes" | "no" => {
            let allowed = managers_of(&state, &actor, &p.seller_id).await?;
            if attended
                .as_ref()
                .is_some_and(|a| !allowed.iter().any(|(id, _)| id == a))
            {
                Err(StoreError::Invalid(FieldError::new(
                    "attended_by",
                    "expected one of the seller's managers",
                )))
            } else {
                state
                    .store()
                    .record_call_outcome(
                        &actor.org.id,
                        &id,
                        f.won == "yes",
                        &f.outcome,
                        attended.as_deref(),
                    )
                    .await
            }
        }
        _ => Err(StoreError::Invalid(FieldError::new(
            "won",
            "say whether the buyer agreed to the next step",
        ))),
    };
    done(&state, &actor, &id, r, None).await
}

/// A manager's feedback against the plan.
#[derive(Debug, Deserialize)]
pub(crate) struct FeedbackForm {
    #[serde(default)]
    feedback: String,
}

async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    let p = plan_for(&state, &actor, &id, false).await?;
    policy::check(
        &actor,
        Action::CoachCall {
            seller_id: &p.seller_id,
            id: &p.id,
        },
    )?;
    let r = state
        .store()
        .give_call_feedback(&actor.org.id, &id, &actor.user.id, &f.feedback)
        .await;
    done(&state, &actor, &id, r, None).await
}
