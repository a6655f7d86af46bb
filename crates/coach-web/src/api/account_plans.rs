//! Account plans over the API (coaching-model R7):
//! `/api/v1/accounts/{id}/plan`, and what an account session dwelt on:
//! `/api/v1/sessions/{id}/focus`.

use super::ApiResult;
use super::users::if_match;
use crate::account_plans::{Reviewed, reviewed};
use crate::auth::Actor;
use crate::coaching::{Want, session_for};
use crate::error::{AppError, ErrorEnvelope};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use coach_core::account_plans::{Person, Step};
use coach_store::account_plans::AccountPlanDraft;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person of the account's map.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct PersonIo {
    /// Their name.
    pub name: String,
    /// Their title.
    #[serde(default)]
    pub title: String,
    /// `decision_maker`, `influencer`, `user`, `gatekeeper` or `champion`.
    pub role: String,
    /// `supporter`, `neutral` or `opponent`.
    pub stance: String,
    /// Our relationship: `strong`, `good`, `weak` or `none`.
    pub relationship: String,
}

/// A step of the action plan.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct StepIo {
    /// What is done.
    pub activity: String,
    /// When, in words or as a date.
    #[serde(default)]
    pub time_frame: String,
    /// What it needs.
    #[serde(default)]
    pub resources: String,
    /// Who does it.
    #[serde(default)]
    pub owner: String,
    /// `planned`, `doing`, `done` or `blocked`.
    pub status: String,
}

/// An account session that discussed the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountCoachingOut {
    /// The session.
    pub session_id: String,
    /// When.
    pub starts_at: DateTime<Utc>,
    /// Its status.
    pub status: String,
    /// `strategic`, `tactical`, or null when not marked.
    pub focus: Option<String>,
}

/// An account's plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPlanOut {
    /// The account's id.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// Whether it is a key account.
    pub key_account: bool,
    /// Whether the organization requires a plan for it (R7).
    pub plan_required: bool,
    /// An assessment of the account.
    pub assessment: String,
    /// The client's goals, objectives and initiatives.
    pub goals: String,
    /// The mutual-value plan (strategic).
    pub mutual_value: String,
    /// The people map (until a plan is written: the account's contacts).
    pub people: Vec<PersonIo>,
    /// The action plan (tactical).
    pub actions: Vec<StepIo>,
    /// What to notice.
    pub flags: Vec<String>,
    /// Recent account sessions about the account, newest first.
    pub coaching: Vec<AccountCoachingOut>,
    /// Whether that coaching was strategic or tactical, in a sentence (R7).
    pub coaching_focus: String,
    /// Bumped on every change (0: none written yet); the `ETag` carries it.
    pub version: i64,
}

impl From<Reviewed> for AccountPlanOut {
    fn from(r: Reviewed) -> Self {
        let p = r.plan;
        AccountPlanOut {
            account_id: p.account_id,
            account_name: p.account_name,
            key_account: p.key_account,
            plan_required: r.required,
            assessment: p.assessment,
            goals: p.goals,
            mutual_value: p.mutual_value,
            people: p
                .people
                .into_iter()
                .map(|x| PersonIo {
                    name: x.name,
                    title: x.title,
                    role: x.role.as_str().to_owned(),
                    stance: x.stance.as_str().to_owned(),
                    relationship: x.relationship.as_str().to_owned(),
                })
                .collect(),
            actions: p
                .actions
                .into_iter()
                .map(|s| StepIo {
                    activity: s.activity,
                    time_frame: s.time_frame,
                    resources: s.resources,
                    owner: s.owner,
                    status: s.status.as_str().to_owned(),
                })
                .collect(),
            flags: r.flags,
            coaching: r
                .coaching
                .into_iter()
                .map(|c| AccountCoachingOut {
                    session_id: c.session_id,
                    starts_at: c.starts_at,
                    status: c.status.as_str().to_owned(),
                    focus: c.focus.map(|f| f.as_str().to_owned()),
                })
                .collect(),
            coaching_focus: r.focus,
            version: p.version,
        }
    }
}

fn tagged(r: Reviewed) -> Response {
    super::tagged(StatusCode::OK, r.plan.version, AccountPlanOut::from(r))
}

/// An account's plan (R7): assessment, goals, the people map, the
/// mutual-value plan and the action plan, with recent account coaching and
/// whether it was strategic or tactical.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/plan", tag = "coaching",
    params(("id" = String, Path, description = "The account's id")),
    responses((status = 200, body = AccountPlanOut, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(tagged(reviewed(&state, &actor, &id, false).await?))
}

/// What an account plan says.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPlanIn {
    /// An assessment of the account.
    #[serde(default)]
    pub assessment: String,
    /// The client's goals, objectives and initiatives.
    #[serde(default)]
    pub goals: String,
    /// The mutual-value plan.
    #[serde(default)]
    pub mutual_value: String,
    /// The people (at most 40).
    #[serde(default)]
    pub people: Vec<PersonIo>,
    /// The action plan (at most 40 steps).
    #[serde(default)]
    pub actions: Vec<StepIo>,
}

/// Reads the people and steps of a plan, naming the field that is wrong.
pub(crate) fn draft_of(body: AccountPlanIn) -> Result<AccountPlanDraft, AppError> {
    let people = body
        .people
        .into_iter()
        .map(|p| {
            Ok(Person {
                role: super::parse("people", &p.role)?,
                stance: super::parse("people", &p.stance)?,
                relationship: super::parse("people", &p.relationship)?,
                name: p.name,
                title: p.title,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let actions = body
        .actions
        .into_iter()
        .map(|s| {
            Ok(Step {
                status: super::parse("actions", &s.status)?,
                activity: s.activity,
                time_frame: s.time_frame,
                resources: s.resources,
                owner: s.owner,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(AccountPlanDraft {
        assessment: body.assessment,
        goals: body.goals,
        mutual_value: body.mutual_value,
        people,
        actions,
    })
}

/// Write an account's plan (the seller and those above them). Send
/// `If-Match` with the `ETag` you read.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/plan", tag = "coaching", request_body = AccountPlanIn,
    params(("id" = String, Path, description = "The account's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = AccountPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<AccountPlanIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    reviewed(&state, &actor, &id, true).await?;
    let draft = draft_of(body)?;
    state
        .store()
        .save_account_plan(&actor.org.id, &id, expected, draft, &actor.user.id)
        .await?;
    Ok(tagged(reviewed(&state, &actor, &id, false).await?))
}

/// What an account session dwelt on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocusIn {
    /// `strategic`, `tactical`, or null to clear.
    pub focus: Option<String>,
}

/// The focus as set.
#[derive(Debug, Serialize, ToSchema)]
pub struct FocusOut {
    /// `strategic`, `tactical`, or null.
    pub focus: Option<String>,
}

/// Mark an account session strategic or tactical (its manager; R7), at any
/// point of its life.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/focus", tag = "coaching", request_body = FocusIn,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = FocusOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_focus(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<FocusIn>,
) -> ApiResult<Json<FocusOut>> {
    let s = session_for(&state, &actor, &id, Want::Lead).await?;
    let focus = body
        .focus
        .as_deref()
        .map(|f| super::parse("focus", f))
        .transpose()?;
    state
        .store()
        .set_session_focus(&actor.org.id, &s.id, focus)
        .await?;
    Ok(Json(FocusOut {
        focus: focus.map(|f: coach_core::account_plans::Focus| f.as_str().to_owned()),
    }))
}
