//! The ROA model over the API (coaching-model R1–R5): `/api/v1/results`,
//! `/objectives`, `/activity-types` (admins change them; everyone reads
//! them), `/activities` (sellers and their managers log them, managers score
//! them), `/targets` and `/values`, and `/scorecards/{seller_id}`: the chain
//! from activities to objectives to results for a period.

use super::pagination::{Cursor, limit};
use super::users::{double_option, if_match};
use super::{ApiResult, parse};
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::scorecards::{self, Intent};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::roa::{
    ActivityGroup, ActivityLine, Criterion, CrmSource, MeasureLevel, MeasureLine, MeasureValue,
    Metric, Per, Period, Rubric, Scorecard, Unit,
};
use coach_core::stats::Rate;
use coach_store::roa::{
    Activity, ActivityFilter, ActivityType, ActivityTypePatch, Measure, MeasurePatch, NewActivity,
    NewActivityType, NewMeasure, NewStandard, Standard, TargetScope,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A business result or sales objective.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureOut {
    /// Its id.
    pub id: String,
    /// `result` or `objective`.
    pub level: String,
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// `money`, `percent` or `count`.
    pub unit: String,
    /// Where its values come from: `revenue_won`, `pipeline_created`, `close_rate`, `deals_won` (computed from opportunities) or `entered`.
    pub metric: String,
    /// For an objective: the ids of the results it drives (R2).
    pub drives: Vec<String>,
}

impl From<Measure> for MeasureOut {
    fn from(m: Measure) -> Self {
        MeasureOut {
            id: m.id,
            level: m.level.as_str().to_owned(),
            name: m.name,
            description: m.description,
            unit: m.unit.as_str().to_owned(),
            metric: m.metric.as_str().to_owned(),
            drives: m.drives,
        }
    }
}

/// A list of results or objectives.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureList {
    /// All of them, in the model's order.
    pub data: Vec<MeasureOut>,
}

/// A new result or objective.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasureIn {
    /// Its name (unique among its kind).
    pub name: String,
    /// What it means.
    #[serde(default)]
    pub description: String,
    /// `money`, `percent` or `count` (implied by a computed metric).
    pub unit: Option<String>,
    /// Where its values come from (default `entered`).
    pub metric: Option<String>,
    /// For an objective: the ids of the results it drives; at least one (R2).
    #[serde(default)]
    pub drives: Vec<String>,
}

/// A change to a result or objective; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurePatchIn {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// For an objective: the results it drives (replacing the old links; at least one).
    pub drives: Option<Vec<String>>,
}

async fn measures(
    state: &AppState,
    actor: &Actor,
    level: MeasureLevel,
) -> ApiResult<Json<MeasureList>> {
    policy::check(actor, Action::ViewModel)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    Ok(Json(MeasureList {
        data: model
            .measures
            .into_iter()
            .filter(|m| m.level == level)
            .map(MeasureOut::from)
            .collect(),
    }))
}

async fn create_measure(
    state: &AppState,
    actor: &Actor,
    level: MeasureLevel,
    body: NewMeasureIn,
) -> ApiResult<Response> {
    policy::check(actor, Action::ConfigureOrganization)?;
    let metric = match body.metric.as_deref() {
        Some(m) => parse::<Metric>("metric", m)?,
        None => Metric::Entered,
    };
    let unit = body
        .unit
        .as_deref()
        .map(|u| parse::<Unit>("unit", u))
        .transpose()?;
    let measure = state
        .store()
        .create_measure(
            &actor.org.id,
            NewMeasure {
                level,
                name: body.name,
                description: body.description,
                unit,
                metric,
                drives: body.drives,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MeasureOut::from(measure))).into_response())
}

/// The business results of the model (R2).
#[utoipa::path(get, path = "/api/v1/results", tag = "model",
    responses((status = 200, body = MeasureList), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn results(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<MeasureList>> {
    measures(&state, &actor, MeasureLevel::Result).await
}

/// Add a business result (admins).
#[utoipa::path(post, path = "/api/v1/results", tag = "model", request_body = NewMeasureIn,
    responses((status = 201, body = MeasureOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create_result(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewMeasureIn>,
) -> ApiResult<Response> {
    create_measure(&state, &actor, MeasureLevel::Result, body).await
}

/// The sales objectives of the model, each with the results it drives (R2).
#[utoipa::path(get, path = "/api/v1/objectives", tag = "model",
    responses((status = 200, body = MeasureList), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn objectives(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<MeasureList>> {
    measures(&state, &actor, MeasureLevel::Objective).await
}

/// Add a sales objective (admins); it must drive at least one result (R2).
#[utoipa::path(post, path = "/api/v1/objectives", tag = "model", request_body = NewMeasureIn,
    responses((status = 201, body = MeasureOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create_objective(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewMeasureIn>,
) -> ApiResult<Response> {
    create_measure(&state, &actor, MeasureLevel::Objective, body).await
}

async fn update_measure(
    state: &AppState,
    actor: &Actor,
    id: &str,
    level: MeasureLevel,
    body: MeasurePatchIn,
) -> ApiResult<Json<MeasureOut>> {
    policy::check(actor, Action::ConfigureOrganization)?;
    let store = state.store();
    let model = store.roa_model(&actor.org.id).await?;
    if model.measure(id).is_none_or(|m| m.level != level) {
        return Err(AppError::NotFound);
    }
    store
        .update_measure(
            &actor.org.id,
            id,
            MeasurePatch {
                name: body.name,
                description: body.description,
                drives: body.drives,
            },
        )
        .await?;
    let model = store.roa_model(&actor.org.id).await?;
    let m = model.measure(id).cloned().ok_or(AppError::NotFound)?;
    Ok(Json(MeasureOut::from(m)))
}

/// Change a business result (admins).
#[utoipa::path(patch, path = "/api/v1/results/{id}", tag = "model", request_body = MeasurePatchIn,
    params(("id" = String, Path, description = "The result's id")),
    responses((status = 200, body = MeasureOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update_result(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<MeasurePatchIn>,
) -> ApiResult<Json<MeasureOut>> {
    update_measure(&state, &actor, &id, MeasureLevel::Result, body).await
}

/// Change a sales objective (admins); `drives` replaces its results (at least one, R2).
#[utoipa::path(patch, path = "/api/v1/objectives/{id}", tag = "model", request_body = MeasurePatchIn,
    params(("id" = String, Path, description = "The objective's id")),
    responses((status = 200, body = MeasureOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update_objective(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<MeasurePatchIn>,
) -> ApiResult<Json<MeasureOut>> {
    update_measure(&state, &actor, &id, MeasureLevel::Objective, body).await
}

/// A rubric: what good looks like (R4).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricIo {
    /// The criteria, each with its levels from weakest to strongest (1–6 criteria, 2–6 levels, the same number for each).
    pub criteria: Vec<CriterionIo>,
    /// The level (1 = weakest) from which an activity meets the standard: the mean of its criteria's levels must reach it.
    pub good_level: u8,
}

/// One criterion of a rubric.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionIo {
    /// What is judged.
    pub name: String,
    /// What each level looks like, weakest first.
    pub levels: Vec<String>,
}

impl From<&Rubric> for RubricIo {
    fn from(r: &Rubric) -> Self {
        RubricIo {
            criteria: r
                .criteria
                .iter()
                .map(|c| CriterionIo {
                    name: c.name.clone(),
                    levels: c.levels.clone(),
                })
                .collect(),
            good_level: r.good_level,
        }
    }
}

impl From<RubricIo> for Rubric {
    fn from(r: RubricIo) -> Self {
        Rubric {
            criteria: r
                .criteria
                .into_iter()
                .map(|c| Criterion {
                    name: c.name,
                    levels: c.levels,
                })
                .collect(),
            good_level: r.good_level,
        }
    }
}

/// One version of an activity type's standards (R4).
#[derive(Debug, Serialize, ToSchema)]
pub struct StandardOut {
    /// Its version number.
    pub version: i64,
    /// How many activities per period.
    pub quantity: u32,
    /// `week`, `month` or `quarter`.
    pub per: String,
    /// The team (its leader's id) it applies to; absent: every seller.
    pub team_id: Option<String>,
    /// What good looks like.
    pub rubric: RubricIo,
    /// The day it took effect.
    pub effective_on: NaiveDate,
}

impl From<&Standard> for StandardOut {
    fn from(s: &Standard) -> Self {
        StandardOut {
            version: s.seq,
            quantity: s.quantity,
            per: s.per.as_str().to_owned(),
            team_id: s.team_id.clone(),
            rubric: RubricIo::from(&s.rubric),
            effective_on: s.effective_on,
        }
    }
}

/// A new version of an activity type's standards.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardIn {
    /// How many activities per period (1–1000).
    pub quantity: i64,
    /// `week`, `month` or `quarter`.
    pub per: String,
    /// Only for the team of this leader; absent: every seller.
    pub team_id: Option<String>,
    /// What good looks like.
    pub rubric: RubricIo,
}

impl StandardIn {
    fn into_new(self) -> Result<NewStandard, AppError> {
        Ok(NewStandard {
            quantity: self.quantity,
            per: parse::<Per>("per", &self.per)?,
            team_id: self.team_id,
            rubric: self.rubric.into(),
        })
    }
}

/// A kind of sales activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityTypeOut {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `territory`, `account`, `opportunity` or `call` (R6–R9).
    pub group: String,
    /// What it is.
    pub description: String,
    /// Whether sellers are held to it (only with both standards, R4).
    pub active: bool,
    /// CRM records that count as this activity by themselves: `call:meeting`, `call:phone`, `call:video`, `call:demo`, `call:presentation` or `opportunity:opened`.
    pub crm_source: Option<String>,
    /// The ids of the objectives it drives (R2).
    pub drives: Vec<String>,
    /// The standards in force now.
    pub standard: Option<StandardOut>,
    /// Every version of its standards, oldest first.
    pub history: Vec<StandardOut>,
    /// Bumped on every change; the `ETag` carries it.
    pub version: i64,
}

impl From<&ActivityType> for ActivityTypeOut {
    fn from(t: &ActivityType) -> Self {
        ActivityTypeOut {
            id: t.id.clone(),
            name: t.name.clone(),
            group: t.group.as_str().to_owned(),
            description: t.description.clone(),
            active: t.active,
            crm_source: t.crm_source.map(CrmSource::key),
            drives: t.drives.clone(),
            standard: t.current().map(StandardOut::from),
            history: t.standards.iter().map(StandardOut::from).collect(),
            version: t.version,
        }
    }
}

/// The activity types of the model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityTypeList {
    /// All of them, in the model's order.
    pub data: Vec<ActivityTypeOut>,
}

/// A new activity type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivityTypeIn {
    /// Its name (unique).
    pub name: String,
    /// `territory`, `account`, `opportunity` or `call`.
    pub group: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// The ids of the objectives it drives; at least one (R2).
    pub drives: Vec<String>,
    /// CRM records that count as this activity: `call:<kind>` or `opportunity:opened`.
    pub crm_source: Option<String>,
    /// Its standards; without them it cannot be active (R4).
    pub standard: Option<StandardIn>,
    /// Whether sellers are held to it from now (default: when it has a standard).
    pub active: Option<bool>,
}

/// A change to an activity type; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypePatchIn {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// The objectives it drives (replacing the old links; at least one).
    pub drives: Option<Vec<String>>,
    /// The CRM records that count as it; `null` removes the mapping.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub crm_source: Option<Option<String>>,
    /// Activate (needs both standards, R4) or deactivate.
    pub active: Option<bool>,
    /// A new version of its standards, in force from today; earlier activities keep theirs.
    pub standard: Option<StandardIn>,
}

fn type_response(status: StatusCode, t: &ActivityType) -> Response {
    super::tagged(status, t.version, ActivityTypeOut::from(t))
}

fn crm_source(raw: Option<&str>) -> Result<Option<CrmSource>, AppError> {
    raw.map(|k| parse::<CrmSource>("crm_source", k)).transpose()
}

/// The activity types, each with its standards and their history (R4).
#[utoipa::path(get, path = "/api/v1/activity-types", tag = "model",
    responses((status = 200, body = ActivityTypeList), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn activity_types(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<ActivityTypeList>> {
    policy::check(&actor, Action::ViewModel)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    Ok(Json(ActivityTypeList {
        data: model
            .activity_types
            .iter()
            .map(ActivityTypeOut::from)
            .collect(),
    }))
}

/// Add an activity type (admins). Active only with both standards (R4) and at least one objective (R2).
#[utoipa::path(post, path = "/api/v1/activity-types", tag = "model", request_body = NewActivityTypeIn,
    responses((status = 201, body = ActivityTypeOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create_activity_type(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewActivityTypeIn>,
) -> ApiResult<Response> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let standard = body.standard.map(StandardIn::into_new).transpose()?;
    let new = NewActivityType {
        name: body.name,
        group: parse::<ActivityGroup>("group", &body.group)?,
        description: body.description,
        drives: body.drives,
        crm_source: crm_source(body.crm_source.as_deref())?,
        active: body.active.unwrap_or(standard.is_some()),
        standard,
    };
    let store = state.store();
    let id = store
        .create_activity_type(&actor.org.id, new, Some(&actor.user.id))
        .await?;
    let model = store.roa_model(&actor.org.id).await?;
    let t = model.activity_type(&id).ok_or(AppError::NotFound)?;
    Ok(type_response(StatusCode::CREATED, t))
}

/// One activity type.
#[utoipa::path(get, path = "/api/v1/activity-types/{id}", tag = "model",
    params(("id" = String, Path, description = "The activity type's id")),
    responses((status = 200, body = ActivityTypeOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn activity_type(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    policy::check(&actor, Action::ViewModel)?;
    let model = state.store().roa_model(&actor.org.id).await?;
    let t = model.activity_type(&id).ok_or(AppError::NotFound)?;
    Ok(type_response(StatusCode::OK, t))
}

/// Change an activity type (admins). A new standard is a new version in force from today. Send `If-Match` with the `ETag` you read.
#[utoipa::path(patch, path = "/api/v1/activity-types/{id}", tag = "model", request_body = ActivityTypePatchIn,
    params(("id" = String, Path, description = "The activity type's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = ActivityTypeOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update_activity_type(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<ActivityTypePatchIn>,
) -> ApiResult<Response> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let expected = if_match(&headers)?;
    let patch = ActivityTypePatch {
        name: body.name,
        description: body.description,
        drives: body.drives,
        crm_source: body
            .crm_source
            .map(|k| crm_source(k.as_deref()))
            .transpose()?,
        active: body.active,
        standard: body.standard.map(StandardIn::into_new).transpose()?,
    };
    let store = state.store();
    store
        .update_activity_type(&actor.org.id, &id, expected, patch, Some(&actor.user.id))
        .await?;
    let model = store.roa_model(&actor.org.id).await?;
    let t = model.activity_type(&id).ok_or(AppError::NotFound)?;
    Ok(type_response(StatusCode::OK, t))
}

/// A manager's quality score of an activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    /// The version of the standards it was judged against (the one in force on the activity's day).
    pub standard_version: i64,
    /// One level (1 = weakest) per criterion of that rubric.
    pub levels: Vec<u8>,
    /// Whether it met the rubric's good level.
    pub meets_standard: bool,
    /// What the manager said.
    pub comment: String,
    /// Who scored it.
    pub scored_by: String,
    /// When.
    pub scored_at: DateTime<Utc>,
}

/// A sales activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    /// Its id.
    pub id: String,
    /// Its type.
    pub type_id: String,
    /// The type's name.
    pub type_name: String,
    /// The type's group.
    pub group: String,
    /// The seller who performed it.
    pub seller_id: String,
    /// The day it happened.
    pub occurred_on: NaiveDate,
    /// The note.
    pub note: String,
    /// The CRM call it was counted from.
    pub call_id: Option<String>,
    /// The CRM opportunity it was counted from (opened).
    pub opportunity_id: Option<String>,
    /// Who logged it (a person's id, or `crm`).
    pub logged_by: String,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// Its quality score, once a manager scored it.
    pub score: Option<ScoreOut>,
}

fn activity_out(a: Activity, model: &coach_store::roa::Model) -> ActivityOut {
    let rubric = |seq: i64| {
        model
            .activity_type(&a.type_id)
            .and_then(|t| t.standards.iter().find(|s| s.seq == seq))
            .map(|s| s.rubric.clone())
    };
    let score = a.score.map(|s| ScoreOut {
        meets_standard: rubric(s.standard_seq).is_some_and(|r| r.meets(&s.levels)),
        standard_version: s.standard_seq,
        levels: s.levels,
        comment: s.comment,
        scored_by: s.scored_by,
        scored_at: s.scored_at,
    });
    ActivityOut {
        id: a.id,
        type_id: a.type_id,
        type_name: a.type_name,
        group: a.group.as_str().to_owned(),
        seller_id: a.seller_id,
        occurred_on: a.occurred_on,
        note: a.note,
        call_id: a.call_id,
        opportunity_id: a.opportunity_id,
        logged_by: a.logged_by,
        created_at: a.created_at,
        score,
    }
}

/// A page of activities.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    /// The activities on this page.
    pub data: Vec<ActivityOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActivityParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this activity type.
    pub type_id: Option<String>,
    /// From this day (`YYYY-MM-DD`).
    pub from: Option<NaiveDate>,
    /// Before this day (`YYYY-MM-DD`).
    pub until: Option<NaiveDate>,
    /// Only scored (`true`) or unscored (`false`) ones.
    pub scored: Option<bool>,
}

/// The activities you may see: your own, your team's, or (admins) everyone's.
#[utoipa::path(get, path = "/api/v1/activities", tag = "model", params(ActivityParams),
    responses((status = 200, body = ActivityPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn activities(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ActivityParams>,
) -> ApiResult<Json<ActivityPage>> {
    let limit = limit(p.limit)?;
    let filter = ActivityFilter {
        sellers: policy::record_owners(&actor),
        seller_id: p.seller_id,
        type_id: p.type_id,
        from: p.from,
        until: p.until,
        scored: p.scored,
        after: Cursor::decode(p.cursor.as_deref())?,
        limit: Some(i64::try_from(limit).unwrap_or(50) + 1),
        ..ActivityFilter::default()
    };
    let store = state.store();
    let mut rows = store.activities(&actor.org.id, &filter).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|a| Cursor::encode(&a.id))
    } else {
        None
    };
    let model = store.roa_model(&actor.org.id).await?;
    Ok(Json(ActivityPage {
        data: rows.into_iter().map(|a| activity_out(a, &model)).collect(),
        next_cursor,
    }))
}

/// A new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivityIn {
    /// Its type (an active one).
    pub type_id: String,
    /// The seller who performed it (default: you).
    pub seller_id: Option<String>,
    /// The day it happened (`YYYY-MM-DD`, not in the future).
    pub occurred_on: NaiveDate,
    /// A note.
    #[serde(default)]
    pub note: String,
}

/// Log an activity: for yourself, or for someone below you (managers), or anyone (admins).
#[utoipa::path(post, path = "/api/v1/activities", tag = "model", request_body = NewActivityIn,
    responses((status = 201, body = ActivityOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn log_activity(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewActivityIn>,
) -> ApiResult<Response> {
    let store = state.store();
    let seller_id = body.seller_id.unwrap_or_else(|| actor.user.id.clone());
    let seller = store.user(&actor.org.id, &seller_id).await?;
    policy::check(
        &actor,
        Action::LogActivity {
            seller_id: &seller.id,
        },
    )?;
    let a = store
        .log_activity(
            &actor.org.id,
            NewActivity {
                type_id: body.type_id,
                seller_id: seller.id,
                occurred_on: body.occurred_on,
                note: body.note,
            },
            &actor.user.id,
        )
        .await?;
    let model = store.roa_model(&actor.org.id).await?;
    Ok((StatusCode::CREATED, Json(activity_out(a, &model))).into_response())
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "model",
    params(("id" = String, Path, description = "The activity's id")),
    responses((status = 200, body = ActivityOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn activity(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<ActivityOut>> {
    let store = state.store();
    let a = scorecards::activity_for(&state, &actor, &id, Intent::View).await?;
    let model = store.roa_model(&actor.org.id).await?;
    Ok(Json(activity_out(a, &model)))
}

/// Remove an activity logged by mistake (those who may log it); scored ones and those counted from the CRM stay (422).
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "model",
    params(("id" = String, Path, description = "The activity's id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn delete_activity(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    scorecards::activity_for(&state, &actor, &id, Intent::Remove).await?;
    state.store().delete_activity(&actor.org.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A quality score.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// One level (1 = weakest) per criterion of the rubric in force on the activity's day.
    pub levels: Vec<u8>,
    /// What you would tell the seller.
    #[serde(default)]
    pub comment: String,
}

/// Score an activity against its rubric (the seller's managers and directors); a new score replaces the old.
#[utoipa::path(put, path = "/api/v1/activities/{id}/score", tag = "model", request_body = ScoreIn,
    params(("id" = String, Path, description = "The activity's id")),
    responses((status = 200, body = ActivityOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn score_activity(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<ScoreIn>,
) -> ApiResult<Json<ActivityOut>> {
    let store = state.store();
    scorecards::activity_for(&state, &actor, &id, Intent::Score).await?;
    store
        .score_activity(
            &actor.org.id,
            &id,
            &body.levels,
            &body.comment,
            &actor.user.id,
        )
        .await?;
    let a = store.activity(&actor.org.id, &id).await?;
    let model = store.roa_model(&actor.org.id).await?;
    Ok(Json(activity_out(a, &model)))
}

/// A rate, never a bare number (R45): the share, its sample and 95% Wilson interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateOut {
    /// The share, 0–1 (absent without a sample).
    pub value: Option<f64>,
    /// The sample size.
    pub n: u64,
    /// The 95% interval (Wilson).
    pub ci: Option<[f64; 2]>,
    /// Whether the sample is large enough to read the rate.
    pub enough_data: bool,
}

impl From<Rate> for RateOut {
    fn from(r: Rate) -> Self {
        RateOut {
            value: r.value(),
            n: r.n,
            ci: r.interval().map(|(l, h)| [l, h]),
            enough_data: r.enough_data(),
        }
    }
}

/// A measure's value for the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueOut {
    /// Sums of money by ISO 4217 currency, as decimal strings.
    pub amounts: Option<BTreeMap<String, String>>,
    /// A rate (close rate: deals won of deals closed).
    pub rate: Option<RateOut>,
    /// A count, or an entered value, as a decimal string.
    pub number: Option<String>,
}

fn value_out(v: &MeasureValue) -> ValueOut {
    let mut out = ValueOut {
        amounts: None,
        rate: None,
        number: None,
    };
    match v {
        MeasureValue::Money(sums) => {
            out.amounts = Some(
                sums.iter()
                    .map(|(c, a)| (c.clone(), a.to_string()))
                    .collect(),
            );
        }
        MeasureValue::Rate { won, of } => out.rate = Some(Rate::new(*won, *of).into()),
        MeasureValue::Count(n) => out.number = Some(n.to_string()),
        MeasureValue::Entered(d) => out.number = Some(d.to_string()),
        MeasureValue::Missing => {}
    }
    out
}

/// One activity type on a scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityLineOut {
    /// The activity type.
    pub type_id: String,
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: String,
    /// Activities in the period.
    pub count: u64,
    /// What the standard asks for the whole period (absent when none applies).
    pub expected: Option<f64>,
    /// What it asks for by today, while the period runs.
    pub due_by_now: Option<f64>,
    /// Whether the quantitative standard is met (by now, while the period runs).
    pub quantity_met: Option<bool>,
    /// Activities scored for quality.
    pub scored: u64,
    /// Of those, the ones that met the rubric in force on their day.
    pub scored_good: u64,
    /// Whether at least half of the scored ones met it.
    pub quality_met: Option<bool>,
    /// The objectives it drives.
    pub drives: Vec<String>,
    /// Whether one of those has a target for this seller (R3: flag when not).
    pub measured: bool,
}

fn ratio(e: coach_core::roa::Expected) -> f64 {
    if e.den == 0 {
        0.0
    } else {
        (e.num as f64 / e.den as f64 * 10.0).round() / 10.0
    }
}

impl From<&ActivityLine> for ActivityLineOut {
    fn from(a: &ActivityLine) -> Self {
        ActivityLineOut {
            type_id: a.id.clone(),
            name: a.name.clone(),
            group: a.group.as_str().to_owned(),
            count: a.count,
            expected: a.expected.map(ratio),
            due_by_now: a.due_by_now.map(ratio),
            quantity_met: a.quantity_met,
            scored: a.scored,
            scored_good: a.scored_good,
            quality_met: a.quality_met,
            drives: a.drives.clone(),
            measured: a.measured,
        }
    }
}

/// A result or objective on a scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureLineOut {
    /// The measure.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Where the value comes from.
    pub metric: String,
    /// The value.
    pub value: ValueOut,
    /// The seller's target (the nearest: theirs, their team's, the organization's).
    pub target: Option<String>,
    /// Whether the value reaches it.
    pub target_met: Option<bool>,
    /// The results an objective drives.
    pub drives: Vec<String>,
    /// What drives it: activity types for an objective, objectives for a result.
    pub driven_by: Vec<String>,
}

impl From<&MeasureLine> for MeasureLineOut {
    fn from(m: &MeasureLine) -> Self {
        MeasureLineOut {
            id: m.id.clone(),
            name: m.name.clone(),
            unit: m.unit.as_str().to_owned(),
            metric: m.metric.as_str().to_owned(),
            value: value_out(&m.value),
            target: m.target.map(|t| t.to_string()),
            target_met: m.target_met,
            drives: m.drives.clone(),
            driven_by: m.driven_by.clone(),
        }
    }
}

/// A seller's scorecard: the chain from activities to objectives to results (R2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardOut {
    /// The seller.
    pub seller_id: String,
    /// The period: `YYYY-MM` or `YYYY-Qn`.
    pub period: String,
    /// Whether the period is still running.
    pub running: bool,
    /// Each activity type against its standards.
    pub activities: Vec<ActivityLineOut>,
    /// The objectives those drive.
    pub objectives: Vec<MeasureLineOut>,
    /// The results those drive.
    pub results: Vec<MeasureLineOut>,
    /// Activity types that drive no objective the seller has a target on (R3).
    pub unaligned: Vec<String>,
    /// Activity types below their quantitative or qualitative standard.
    pub below_standard: Vec<String>,
}

fn scorecard_out(seller_id: String, card: &Scorecard) -> ScorecardOut {
    ScorecardOut {
        seller_id,
        period: card.period.to_string(),
        running: card.running,
        activities: card.activities.iter().map(ActivityLineOut::from).collect(),
        objectives: card.objectives.iter().map(MeasureLineOut::from).collect(),
        results: card.results.iter().map(MeasureLineOut::from).collect(),
        unaligned: card.unaligned().map(|a| a.id.clone()).collect(),
        below_standard: card
            .activities
            .iter()
            .filter(|a| a.below_standard())
            .map(|a| a.id.clone())
            .collect(),
    }
}

/// The period of a scorecard.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    /// A month (`2026-11`) or quarter (`2026-Q4`); default: this month.
    pub period: Option<String>,
}

/// A seller's scorecard for a period: the seller, the people above them, and admins.
#[utoipa::path(get, path = "/api/v1/scorecards/{seller_id}", tag = "model",
    params(("seller_id" = String, Path, description = "The seller's id"), PeriodParams),
    responses((status = 200, body = ScorecardOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn scorecard(
    State(state): State<AppState>,
    actor: Actor,
    Path(seller_id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<ScorecardOut>> {
    let store = state.store();
    let seller = store.user(&actor.org.id, &seller_id).await?;
    policy::check(
        &actor,
        Action::ViewSellerData {
            seller_id: &seller.id,
            id: &seller.id,
        },
    )?;
    let (_, card) =
        scorecards::seller_scorecard(&state, &actor, &seller, p.period.as_deref()).await?;
    Ok(Json(scorecard_out(seller.id, &card)))
}

/// A target for a result or objective.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetIo {
    /// The result or objective.
    pub measure_id: String,
    /// A month (`2026-11`) or quarter (`2026-Q4`).
    pub period: String,
    /// `organization`, `team` (with `scope_id`: the leader) or `seller` (with `scope_id`).
    pub scope: String,
    /// The leader or seller for `team` and `seller` targets.
    pub scope_id: Option<String>,
    /// The value, as a decimal string (money in the organization's currency, percent 0–100, or a count).
    pub value: String,
}

/// The targets of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetList {
    /// The targets.
    pub data: Vec<TargetIo>,
}

/// The targets of a period (everyone may read them: the task must be clear, R3).
#[utoipa::path(get, path = "/api/v1/targets", tag = "model", params(PeriodParams),
    responses((status = 200, body = TargetList), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn targets(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<TargetList>> {
    policy::check(&actor, Action::ViewModel)?;
    let today = scorecards::today(&actor.org.time_zone);
    let period = scorecards::period_or_current(p.period.as_deref(), today)?;
    let list = state.store().targets(&actor.org.id, Some(period)).await?;
    Ok(Json(TargetList {
        data: list
            .into_iter()
            .map(|t| {
                let (scope, scope_id) = match t.scope {
                    TargetScope::Organization => ("organization", None),
                    TargetScope::Team(id) => ("team", Some(id)),
                    TargetScope::Seller(id) => ("seller", Some(id)),
                };
                TargetIo {
                    measure_id: t.measure_id,
                    period: t.period.to_string(),
                    scope: scope.to_owned(),
                    scope_id,
                    value: t.value.to_string(),
                }
            })
            .collect(),
    }))
}

fn target_scope(scope: &str, id: Option<String>) -> Result<TargetScope, AppError> {
    let need = || {
        AppError::Invalid(FieldError::new(
            "scope_id",
            "expected the id of the team's leader or the seller",
        ))
    };
    match scope {
        "organization" => Ok(TargetScope::Organization),
        "team" => Ok(TargetScope::Team(id.ok_or_else(need)?)),
        "seller" => Ok(TargetScope::Seller(id.ok_or_else(need)?)),
        other => Err(AppError::Invalid(FieldError::new(
            "scope",
            format!("expected organization, team or seller; got {other:?}"),
        ))),
    }
}

/// Set a target (admins); it replaces the one for the same measure, period and scope.
#[utoipa::path(put, path = "/api/v1/targets", tag = "model", request_body = TargetIo,
    responses((status = 200, body = TargetIo), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_target(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<TargetIo>,
) -> ApiResult<Json<TargetIo>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let period: Period = body.period.parse().map_err(AppError::Invalid)?;
    let scope = target_scope(&body.scope, body.scope_id.clone())?;
    let t = state
        .store()
        .set_target(
            &actor.org.id,
            &body.measure_id,
            period,
            scope,
            &body.value,
            &actor.user.id,
        )
        .await?;
    Ok(Json(TargetIo {
        value: t.value.to_string(),
        ..body
    }))
}

/// An entered value of a measure for a seller and period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueIo {
    /// The result or objective (one whose metric is `entered`).
    pub measure_id: String,
    /// The seller.
    pub seller_id: String,
    /// A month (`2026-11`) or quarter (`2026-Q4`).
    pub period: String,
    /// The value, as a decimal string.
    pub value: String,
}

/// Enter a value that Coach cannot compute (admins; for scripts that import them).
#[utoipa::path(put, path = "/api/v1/values", tag = "model", request_body = ValueIo,
    responses((status = 200, body = ValueIo), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_value(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<ValueIo>,
) -> ApiResult<Json<ValueIo>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let period: Period = body.period.parse().map_err(AppError::Invalid)?;
    let v = state
        .store()
        .set_value(
            &actor.org.id,
            &body.measure_id,
            &body.seller_id,
            period,
            &body.value,
            &actor.user.id,
        )
        .await?;
    Ok(Json(ValueIo {
        value: v.value.to_string(),
        ..body
    }))
}
