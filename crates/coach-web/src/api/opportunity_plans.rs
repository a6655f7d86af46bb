//! Opportunity plans over the API (coaching-model R16, R20–R24):
//! `/api/v1/opportunities/{id}/plan`, with the stage moved by evidence and
//! the start of negotiation guarded by open concerns.

use super::ApiResult;
use super::users::if_match;
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::opportunity_plans::{Reviewed, concern_count, reviewed};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use coach_core::opportunity_plans::{Concern, Evidence, Known as _};
use coach_store::opportunity_plans::PlanDraft;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One piece of buyer evidence of the checklist (R21).
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceOut {
    /// Its key: `buying_process`, `decision_makers`, `needs`, `budget`,
    /// `criteria`, `competitors`, `view_of_ours`, `view_of_competitors`,
    /// `concerns`, `terms`, `implementation`.
    pub key: String,
    /// Its name.
    pub label: String,
    /// The buying stage whose work yields it.
    pub stage: String,
    /// What to ask or record.
    pub prompt: String,
    /// What the buyer showed (for concerns: a count).
    pub note: String,
    /// Whether it is in.
    pub done: bool,
}

/// A buyer's concern (R23).
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ConcernIo {
    /// The concern, in the buyer's terms.
    pub text: String,
    /// How it was addressed.
    #[serde(default)]
    pub response: String,
    /// Whether the buyer accepts the answer.
    #[serde(default)]
    pub addressed: bool,
}

/// When negotiation started (R23).
#[derive(Debug, Serialize, ToSchema)]
pub struct NegotiationOut {
    /// When.
    pub started_at: DateTime<Utc>,
    /// Who marked it started.
    pub started_by: String,
    /// The reason given for starting with concerns open.
    pub override_reason: Option<String>,
}

/// A deal's plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityPlanOut {
    /// The deal's id.
    pub opportunity_id: String,
    /// The deal's name.
    pub opportunity_name: String,
    /// The deal's stage in the CRM.
    pub crm_stage: String,
    /// The stage the deal stands in by the buyer's evidence (R24).
    pub stage: String,
    /// The furthest stage the evidence supports.
    pub supported_stage: String,
    /// The next stage, if any.
    pub next_stage: Option<String>,
    /// The evidence still needed to move there (keys).
    pub missing: Vec<String>,
    /// The checklist, in buying order.
    pub checklist: Vec<EvidenceOut>,
    /// The concerns raised.
    pub concerns: Vec<ConcernIo>,
    /// How many are still open.
    pub open_concerns: usize,
    /// Whether the deal is worth pursuing: `pursue`, `drop`, `undecided` (R20).
    pub verdict: String,
    /// Why.
    pub verdict_reasons: String,
    /// When negotiation started.
    pub negotiation: Option<NegotiationOut>,
    /// Whether the organization's rules require a formal plan (R16).
    pub formal_plan_required: bool,
    /// Which rules do.
    pub formal_plan_reasons: Vec<String>,
    /// What to notice (R22, R24, R16, R23).
    pub flags: Vec<String>,
    /// Bumped on every change (0: nothing written yet); the `ETag` carries it.
    pub version: i64,
}

impl From<Reviewed> for OpportunityPlanOut {
    fn from(r: Reviewed) -> Self {
        let p = &r.plan;
        let checklist = Evidence::ALL
            .iter()
            .map(|e| EvidenceOut {
                key: e.as_str().to_owned(),
                label: e.label().to_owned(),
                stage: e.stage().as_str().to_owned(),
                prompt: e.prompt().to_owned(),
                note: if *e == Evidence::Concerns {
                    concern_count(p.concerns.len(), p.open_concerns())
                } else {
                    p.note(*e).to_owned()
                },
                done: p.has(*e),
            })
            .collect();
        OpportunityPlanOut {
            opportunity_id: r.deal.id.clone(),
            opportunity_name: r.deal.name.clone(),
            crm_stage: p.crm_stage.as_str().to_owned(),
            stage: p.stage.as_str().to_owned(),
            supported_stage: p.supported_stage().as_str().to_owned(),
            next_stage: r.next.as_ref().map(|(s, _)| s.as_str().to_owned()),
            missing: r
                .next
                .as_ref()
                .map(|(_, m)| m.iter().map(|e| e.as_str().to_owned()).collect())
                .unwrap_or_default(),
            checklist,
            concerns: p
                .concerns
                .iter()
                .map(|c| ConcernIo {
                    text: c.text.clone(),
                    response: c.response.clone(),
                    addressed: c.addressed,
                })
                .collect(),
            open_concerns: p.open_concerns(),
            verdict: p.verdict.as_str().to_owned(),
            verdict_reasons: p.verdict_reasons.clone(),
            negotiation: p.negotiation.as_ref().map(|n| NegotiationOut {
                started_at: n.at,
                started_by: n.by.clone(),
                override_reason: n.override_reason.clone(),
            }),
            formal_plan_required: !r.formal.is_empty(),
            formal_plan_reasons: r.formal.clone(),
            flags: r.flags.clone(),
            version: p.version,
        }
    }
}

fn tagged(r: Reviewed) -> Response {
    super::tagged(StatusCode::OK, r.plan.version, OpportunityPlanOut::from(r))
}

/// A deal's plan: the buyer evidence per stage, what is missing to move on,
/// the concerns, the verdict, and whether a formal plan is required (R16,
/// R20–R24). A deal with no plan yet answers with an empty one (version 0).
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/plan", tag = "coaching",
    params(("id" = String, Path, description = "The deal's id")),
    responses((status = 200, body = OpportunityPlanOut, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(tagged(reviewed(&state, &actor, &id, false).await?))
}

/// What a plan says.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityPlanIn {
    /// A note per piece of evidence, by key (see the checklist); absent or
    /// empty: not in. Concerns go in `concerns`.
    #[serde(default)]
    pub evidence: BTreeMap<String, String>,
    /// The concerns raised (at most 30).
    #[serde(default)]
    pub concerns: Vec<ConcernIo>,
    /// `pursue`, `drop` or `undecided` (R20).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Why; required with a decision.
    #[serde(default)]
    pub verdict_reasons: String,
}

/// Write a deal's plan (the seller and those above them). Send `If-Match`
/// with the `ETag` you read; the stage does not change here.
#[utoipa::path(put, path = "/api/v1/opportunities/{id}/plan", tag = "coaching", request_body = OpportunityPlanIn,
    params(("id" = String, Path, description = "The deal's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = OpportunityPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<OpportunityPlanIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    let r = reviewed(&state, &actor, &id, true).await?;
    let notes = body
        .evidence
        .iter()
        .map(|(k, v)| Ok((super::parse::<Evidence>("evidence", k)?, v.clone())))
        .collect::<Result<BTreeMap<_, _>, AppError>>()?;
    let verdict = body
        .verdict
        .as_deref()
        .map(|v| super::parse("verdict", v))
        .transpose()?;
    let draft = PlanDraft {
        notes,
        concerns: body
            .concerns
            .into_iter()
            .map(|c| Concern {
                text: c.text,
                response: c.response,
                addressed: c.addressed,
            })
            .collect(),
        verdict,
        verdict_reasons: body.verdict_reasons,
    };
    state
        .store()
        .save_opportunity_plan(&actor.org.id, &r.deal.id, expected, draft, &actor.user.id)
        .await?;
    Ok(tagged(reviewed(&state, &actor, &id, false).await?))
}

/// A move of the deal's stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    /// The open buying stage to move to.
    pub stage: String,
}

/// Move a deal to another buying stage (the seller and those above them):
/// back freely, forward only once the buyer's evidence for every earlier
/// stage is in (R21, R24); a refusal names the missing evidence.
#[utoipa::path(put, path = "/api/v1/opportunities/{id}/plan/stage", tag = "coaching", request_body = StageIn,
    params(("id" = String, Path, description = "The deal's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = OpportunityPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_stage(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<StageIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    let r = reviewed(&state, &actor, &id, true).await?;
    let to = super::parse("stage", &body.stage)?;
    state
        .store()
        .move_opportunity_stage(&actor.org.id, &r.deal.id, expected, to, &actor.user.id)
        .await?;
    Ok(tagged(reviewed(&state, &actor, &id, false).await?))
}

/// The start of negotiation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NegotiationIn {
    /// Why negotiation starts while concerns are open; required then, and kept (R23).
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// Mark negotiation started (the seller and those above them). Refused while
/// buyer concerns are open unless a reason is given, which is recorded (R23).
#[utoipa::path(put, path = "/api/v1/opportunities/{id}/plan/negotiation", tag = "coaching", request_body = NegotiationIn,
    params(("id" = String, Path, description = "The deal's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = OpportunityPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn start_negotiation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<NegotiationIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    let r = reviewed(&state, &actor, &id, true).await?;
    state
        .store()
        .start_negotiation(
            &actor.org.id,
            &r.deal.id,
            expected,
            body.override_reason.as_deref(),
            &actor.user.id,
        )
        .await?;
    Ok(tagged(reviewed(&state, &actor, &id, false).await?))
}
