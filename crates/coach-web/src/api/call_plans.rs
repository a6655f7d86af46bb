//! Call plans over the API (coaching-model R28–R33): `/api/v1/call-plans`,
//! written by the seller (or those above them), with what happened on the
//! call and the feedback of a manager who attended.

use super::ApiResult;
use super::pagination::{Cursor, limit};
use super::sessions::NameRef;
use super::users::if_match;
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::call_plans::stage_guidance;
use coach_store::call_plans::{CallPlan, CallPlanFilter, NewCallPlan, PlanText};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A line of a call's agenda.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct AgendaLine {
    /// What happens.
    pub what: String,
    /// Minutes it takes (0 when not timed).
    #[serde(default)]
    pub minutes: u32,
}

/// A call plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallPlanOut {
    /// Its id.
    pub id: String,
    /// The seller who makes the call.
    pub seller: NameRef,
    /// The deal it is about.
    pub opportunity: Option<NameRef>,
    /// The coaching session it was planned in (R32).
    pub session_id: Option<String>,
    /// The deal's buying stage when planned.
    pub stage: Option<String>,
    /// What a call at that stage should achieve (R30).
    pub guidance: String,
    /// The day of the call.
    pub planned_for: NaiveDate,
    /// What the call is for (R28).
    pub objective: String,
    /// The outcome wanted.
    pub desired_outcome: String,
    /// The agenda with timings.
    pub agenda: Vec<AgendaLine>,
    /// Key questions.
    pub questions: String,
    /// Possible solutions.
    pub solutions: String,
    /// The buyer's likely interests.
    pub interests: String,
    /// Likely objections.
    pub objections: String,
    /// The opening.
    pub opening: String,
    /// The next step to ask for.
    pub next_step: String,
    /// What a good plan has that this one lacks (R28).
    pub missing: Vec<String>,
    /// What happened, once recorded.
    pub outcome: Option<String>,
    /// Whether the buyer agreed to the next step.
    pub next_step_won: Option<bool>,
    /// The manager who attended.
    pub attended_by: Option<NameRef>,
    /// Their feedback against the plan (R33).
    pub feedback: String,
    /// A manager attended and gave feedback (R31).
    pub observed: bool,
    /// Bumped on every change; the `ETag` carries it.
    pub version: i64,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl From<CallPlan> for CallPlanOut {
    fn from(p: CallPlan) -> Self {
        CallPlanOut {
            missing: p.missing().into_iter().map(str::to_owned).collect(),
            observed: p.observed(),
            guidance: stage_guidance(p.stage).to_owned(),
            id: p.id,
            seller: NameRef {
                id: p.seller_id,
                name: p.seller_name,
            },
            opportunity: p.opportunity_id.map(|id| NameRef {
                id,
                name: p.opportunity_name.unwrap_or_default(),
            }),
            session_id: p.session_id,
            stage: p.stage.map(|s| s.as_str().to_owned()),
            planned_for: p.planned_for,
            objective: p.objective,
            desired_outcome: p.desired_outcome,
            agenda: p
                .agenda
                .into_iter()
                .map(|(what, minutes)| AgendaLine { what, minutes })
                .collect(),
            questions: p.questions,
            solutions: p.solutions,
            interests: p.interests,
            objections: p.objections,
            opening: p.opening,
            next_step: p.next_step,
            outcome: p.outcome,
            next_step_won: p.next_step_won,
            attended_by: p.attended_by.map(|id| NameRef {
                id,
                name: p.attended_by_name.unwrap_or_default(),
            }),
            feedback: p.feedback,
            version: p.version,
            created_at: p.created_at,
        }
    }
}

fn tagged(status: StatusCode, p: CallPlan) -> Response {
    super::tagged(status, p.version, CallPlanOut::from(p))
}

/// A call plan that the caller may see (and, with `write`, change).
pub(crate) async fn plan_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    write: bool,
) -> Result<CallPlan, AppError> {
    let p = state.store().call_plan(&actor.org.id, id).await?;
    policy::check(
        actor,
        Action::ViewSellerData {
            seller_id: &p.seller_id,
            id: &p.id,
        },
    )?;
    if write {
        policy::check(
            actor,
            Action::WritePlan {
                seller_id: &p.seller_id,
            },
        )?;
    }
    Ok(p)
}

/// A page of call plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallPlanPage {
    /// Newest first.
    pub data: Vec<CallPlanOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CallPlanParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this deal's.
    pub opportunity_id: Option<String>,
}

/// The call plans you may see: yours, your team's, or (admins) everyone's.
#[utoipa::path(get, path = "/api/v1/call-plans", tag = "coaching", params(CallPlanParams),
    responses((status = 200, body = CallPlanPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<CallPlanParams>,
) -> ApiResult<Json<CallPlanPage>> {
    let limit = limit(p.limit)?;
    let filter = CallPlanFilter {
        sellers: policy::record_owners(&actor),
        seller_id: p.seller_id,
        opportunity_id: p.opportunity_id,
        after: Cursor::decode(p.cursor.as_deref())?,
        limit: Some(i64::try_from(limit).unwrap_or(50) + 1),
    };
    let mut rows = state.store().call_plans(&actor.org.id, &filter).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|p| Cursor::encode(&p.id))
    } else {
        None
    };
    Ok(Json(CallPlanPage {
        data: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// The parts of a plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    /// The day of the call.
    pub planned_for: NaiveDate,
    /// What the call is for (R28).
    pub objective: String,
    /// The outcome wanted.
    #[serde(default)]
    pub desired_outcome: String,
    /// The agenda with timings (at most 12 lines).
    #[serde(default)]
    pub agenda: Vec<AgendaLine>,
    /// Key questions.
    #[serde(default)]
    pub questions: String,
    /// Possible solutions.
    #[serde(default)]
    pub solutions: String,
    /// The buyer's likely interests.
    #[serde(default)]
    pub interests: String,
    /// Likely objections.
    #[serde(default)]
    pub objections: String,
    /// The opening.
    #[serde(default)]
    pub opening: String,
    /// The next step to ask for.
    #[serde(default)]
    pub next_step: String,
}

fn text_of(p: &PlanIn) -> Result<PlanText, AppError> {
    if p.agenda.len() > coach_core::call_plans::AGENDA_MAX {
        return Err(AppError::Invalid(coach_core::FieldError::new(
            "agenda",
            "expected at most 12 lines",
        )));
    }
    let agenda = p
        .agenda
        .iter()
        .map(|l| {
            let what = coach_core::validate::validate_line(
                "agenda",
                &l.what,
                200,
                "each line to say what happens",
            )
            .map_err(AppError::Invalid)?;
            if l.minutes > 240 {
                return Err(AppError::Invalid(coach_core::FieldError::new(
                    "agenda",
                    "expected at most 240 minutes a line",
                )));
            }
            Ok((what, l.minutes))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(PlanText {
        objective: p.objective.clone(),
        desired_outcome: p.desired_outcome.clone(),
        agenda,
        questions: p.questions.clone(),
        solutions: p.solutions.clone(),
        interests: p.interests.clone(),
        objections: p.objections.clone(),
        opening: p.opening.clone(),
        next_step: p.next_step.clone(),
    })
}

/// A new call plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCallPlanIn {
    /// The seller who makes the call (default: you).
    pub seller_id: Option<String>,
    /// The deal (the seller's own).
    pub opportunity_id: Option<String>,
    /// The coaching session it is planned in (R32).
    pub session_id: Option<String>,
    /// The day of the call.
    pub planned_for: NaiveDate,
    /// What the call is for (R28).
    pub objective: String,
    /// The outcome wanted.
    #[serde(default)]
    pub desired_outcome: String,
    /// The agenda with timings (at most 12 lines).
    #[serde(default)]
    pub agenda: Vec<AgendaLine>,
    /// Key questions.
    #[serde(default)]
    pub questions: String,
    /// Possible solutions.
    #[serde(default)]
    pub solutions: String,
    /// The buyer's likely interests.
    #[serde(default)]
    pub interests: String,
    /// Likely objections.
    #[serde(default)]
    pub objections: String,
    /// The opening.
    #[serde(default)]
    pub opening: String,
    /// The next step to ask for.
    #[serde(default)]
    pub next_step: String,
}

impl NewCallPlanIn {
    fn plan(&self) -> PlanIn {
        PlanIn {
            planned_for: self.planned_for,
            objective: self.objective.clone(),
            desired_outcome: self.desired_outcome.clone(),
            agenda: self.agenda.clone(),
            questions: self.questions.clone(),
            solutions: self.solutions.clone(),
            interests: self.interests.clone(),
            objections: self.objections.clone(),
            opening: self.opening.clone(),
            next_step: self.next_step.clone(),
        }
    }
}

/// Write a call plan: for yourself, or for a seller below you (R28, R29).
#[utoipa::path(post, path = "/api/v1/call-plans", tag = "coaching", request_body = NewCallPlanIn,
    responses((status = 201, body = CallPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewCallPlanIn>,
) -> ApiResult<Response> {
    let store = state.store();
    let seller = store
        .user(
            &actor.org.id,
            body.seller_id.as_deref().unwrap_or(&actor.user.id),
        )
        .await?;
    policy::check(
        &actor,
        Action::WritePlan {
            seller_id: &seller.id,
        },
    )?;
    let plan = body.plan();
    let text = text_of(&plan)?;
    let plan = store
        .create_call_plan(
            &actor.org.id,
            NewCallPlan {
                seller_id: seller.id,
                opportunity_id: body.opportunity_id,
                session_id: body.session_id,
                planned_for: plan.planned_for,
                text,
            },
            &actor.user.id,
        )
        .await?;
    Ok(tagged(StatusCode::CREATED, plan))
}

/// One call plan.
#[utoipa::path(get, path = "/api/v1/call-plans/{id}", tag = "coaching",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = CallPlanOut, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(tagged(
        StatusCode::OK,
        plan_for(&state, &actor, &id, false).await?,
    ))
}

/// Rewrite a call plan (the seller and those above them). Send `If-Match` with the `ETag` you read.
#[utoipa::path(put, path = "/api/v1/call-plans/{id}", tag = "coaching", request_body = PlanIn,
    params(("id" = String, Path, description = "The plan's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = CallPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<PlanIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    plan_for(&state, &actor, &id, true).await?;
    let text = text_of(&body)?;
    let plan = state
        .store()
        .update_call_plan(&actor.org.id, &id, expected, body.planned_for, text)
        .await?;
    Ok(tagged(StatusCode::OK, plan))
}

/// What happened on the call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeIn {
    /// Whether the buyer agreed to the next step asked for.
    pub next_step_won: bool,
    /// What happened, in a sentence or two.
    pub outcome: String,
    /// The manager who attended, if one did.
    pub attended_by: Option<String>,
}

/// Record what happened on the call against the plan (the seller and those above them).
#[utoipa::path(put, path = "/api/v1/call-plans/{id}/outcome", tag = "coaching", request_body = OutcomeIn,
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = CallPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn outcome(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<OutcomeIn>,
) -> ApiResult<Response> {
    plan_for(&state, &actor, &id, true).await?;
    let plan = state
        .store()
        .record_call_outcome(
            &actor.org.id,
            &id,
            body.next_step_won,
            &body.outcome,
            body.attended_by.as_deref(),
        )
        .await?;
    Ok(tagged(StatusCode::OK, plan))
}

/// Feedback against the plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallFeedbackIn {
    /// What went well and what to change, against the plan (R33).
    pub feedback: String,
}

/// Give feedback on a call you attended, against its plan (those above the seller, R33); the call counts as observed (R31).
#[utoipa::path(put, path = "/api/v1/call-plans/{id}/feedback", tag = "coaching", request_body = CallFeedbackIn,
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = CallPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<CallFeedbackIn>,
) -> ApiResult<Response> {
    let p = plan_for(&state, &actor, &id, false).await?;
    policy::check(
        &actor,
        Action::CoachCall {
            seller_id: &p.seller_id,
            id: &p.id,
        },
    )?;
    let plan = state
        .store()
        .give_call_feedback(&actor.org.id, &id, &actor.user.id, &body.feedback)
        .await?;
    Ok(tagged(StatusCode::OK, plan))
}
