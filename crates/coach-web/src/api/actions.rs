//! Action items (R39, R41) over the API, and how the organization runs its
//! coaching: settings, the question bank (R37) and the agenda templates
//! (R35), which admins change.

use super::ApiResult;
use super::pagination::{Cursor, limit};
use super::parse;
use super::sessions::subject;
use super::users::if_match;
use crate::auth::Actor;
use crate::coaching::{Want, action_item_for, session_for};
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::coaching::{ActionStatus, AgendaTemplate, Section, SessionKind, TemplateItem};
use coach_core::crm::BuyingStage;
use coach_core::opportunity_plans::Formality;
use coach_store::coaching::{
    ActionFilter, ActionItem, ActionPatch, CoachingSettings, NewActionItem,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An action item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionItemOut {
    /// Its id.
    pub id: String,
    /// The session it was agreed in.
    pub session_id: Option<String>,
    /// The seller whose coaching it belongs to.
    pub seller: super::sessions::NameRef,
    /// Who does it.
    pub owner: super::sessions::NameRef,
    /// What is to be done.
    pub title: String,
    /// What it is about.
    pub subject: Option<super::sessions::SubjectOut>,
    /// By when.
    pub due_on: NaiveDate,
    /// `open`, `done` or `dropped`.
    pub status: String,
    /// The day it was done or dropped.
    pub closed_on: Option<NaiveDate>,
    /// Open past its due date.
    pub overdue: bool,
    /// Done by its due date (R39); absent while open or when dropped.
    pub done_on_time: Option<bool>,
    /// When it was agreed.
    pub created_at: DateTime<Utc>,
    /// Bumped on every change; send it as `If-Match`.
    pub version: i64,
}

pub(crate) fn item_out(i: ActionItem, today: NaiveDate) -> ActionItemOut {
    ActionItemOut {
        overdue: i.overdue(today),
        done_on_time: coach_core::coaching::done_on_time(i.status, i.due_on, i.closed_on),
        id: i.id,
        session_id: i.session_id,
        seller: super::sessions::NameRef {
            id: i.seller_id,
            name: i.seller_name,
        },
        owner: super::sessions::NameRef {
            id: i.owner_id,
            name: i.owner_name,
        },
        title: i.title,
        subject: i.subject.map(|(kind, id)| super::sessions::SubjectOut {
            kind: kind.as_str().to_owned(),
            id,
            name: i.subject_name,
        }),
        due_on: i.due_on,
        status: i.status.as_str().to_owned(),
        closed_on: i.closed_on,
        created_at: i.created_at,
        version: i.version,
    }
}

fn tagged(status: StatusCode, item: ActionItem, today: NaiveDate) -> Response {
    super::tagged(status, item.version, item_out(item, today))
}

/// A page of action items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionItemPage {
    /// The items on this page, by due date.
    pub data: Vec<ActionItemOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActionParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this owner's.
    pub owner_id: Option<String>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only those agreed in this session.
    pub session_id: Option<String>,
    /// Only `open`, `done` or `dropped` ones.
    pub status: Option<String>,
    /// Only open ones past their due date.
    pub overdue: Option<bool>,
}

/// The action items you may see (yours, your team's; admins all), by due date.
#[utoipa::path(get, path = "/api/v1/action-items", tag = "coaching", params(ActionParams),
    responses((status = 200, body = ActionItemPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ActionParams>,
) -> ApiResult<Json<ActionItemPage>> {
    let limit = limit(p.limit)?;
    let today = crate::scorecards::today(&actor.org.time_zone);
    let statuses = p
        .status
        .as_deref()
        .map(|s| parse::<ActionStatus>("status", s))
        .transpose()?
        .map(|s| vec![s]);
    let filter = ActionFilter {
        people: policy::record_owners(&actor),
        seller_id: p.seller_id,
        owner_id: p.owner_id,
        session_id: p.session_id,
        statuses,
        due_before: p.overdue.filter(|o| *o).map(|_| today),
        after: Cursor::decode(p.cursor.as_deref())?,
        limit: Some(i64::try_from(limit).unwrap_or(50) + 1),
        ..ActionFilter::default()
    };
    let mut rows = state.store().action_items(&actor.org.id, &filter).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|i| Cursor::encode(&i.id))
    } else {
        None
    };
    Ok(Json(ActionItemPage {
        data: rows.into_iter().map(|i| item_out(i, today)).collect(),
        next_cursor,
    }))
}

/// A new action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionItemIn {
    /// The session it is agreed in (open, or held).
    pub session_id: String,
    /// What is to be done.
    pub title: String,
    /// By when (`YYYY-MM-DD`).
    pub due_on: NaiveDate,
    /// Who does it: the seller (default, R39) or the session's manager.
    pub owner_id: Option<String>,
    /// What it is about: `account`, `opportunity`, `call` or `activity_type` (the seller's).
    pub subject_kind: Option<String>,
    /// Its id.
    pub subject_id: Option<String>,
}

/// Write down a next step agreed in a session (manager or seller; R39, R41).
#[utoipa::path(post, path = "/api/v1/action-items", tag = "coaching", request_body = NewActionItemIn,
    responses((status = 201, body = ActionItemOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewActionItemIn>,
) -> ApiResult<Response> {
    session_for(&state, &actor, &body.session_id, Want::Edit).await?;
    let item = state
        .store()
        .create_action_item(
            &actor.org.id,
            NewActionItem {
                session_id: body.session_id,
                owner_id: body.owner_id,
                title: body.title,
                subject: subject(body.subject_kind.as_deref(), body.subject_id)?,
                due_on: body.due_on,
            },
            &actor.user.id,
        )
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        item,
        crate::scorecards::today(&actor.org.time_zone),
    ))
}

/// One action item.
#[utoipa::path(get, path = "/api/v1/action-items/{id}", tag = "coaching",
    params(("id" = String, Path, description = "The item's id")),
    responses((status = 200, body = ActionItemOut, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let item = action_item_for(&state, &actor, &id, false).await?;
    Ok(tagged(
        StatusCode::OK,
        item,
        crate::scorecards::today(&actor.org.time_zone),
    ))
}

/// A change to an action item; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatchIn {
    /// New title.
    pub title: Option<String>,
    /// New due date.
    pub due_on: Option<NaiveDate>,
    /// `open`, `done` or `dropped`; closing records the day (R39).
    pub status: Option<String>,
}

/// Change an action item: its owner, its seller, or those above the seller. Send `If-Match` with the `ETag` you read.
#[utoipa::path(patch, path = "/api/v1/action-items/{id}", tag = "coaching", request_body = ActionPatchIn,
    params(("id" = String, Path, description = "The item's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = ActionItemOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<ActionPatchIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    action_item_for(&state, &actor, &id, true).await?;
    let status = body
        .status
        .as_deref()
        .map(|s| parse::<ActionStatus>("status", s))
        .transpose()?;
    let item = state
        .store()
        .update_action_item(
            &actor.org.id,
            &id,
            expected,
            ActionPatch {
                title: body.title,
                due_on: body.due_on,
                status,
            },
        )
        .await?;
    Ok(tagged(
        StatusCode::OK,
        item,
        crate::scorecards::today(&actor.org.time_zone),
    ))
}

/// How the organization runs its coaching.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoachingSettingsIo {
    /// The fewest answers before a manager sees feedback, 1–50 (R40).
    pub feedback_min_answers: u32,
    /// Working days before a session that the seller's preparation is due, 0–10 (R27).
    pub prep_working_days: u32,
    /// How many days old a picked deal's CRM data may be, 1–90 (R27).
    pub crm_fresh_days: u32,
    /// The published criteria sellers use to pick deals (R27).
    #[serde(default)]
    pub deal_criteria: String,
    /// Which deals need a formal opportunity plan (R16); left as they are
    /// when absent.
    #[serde(default)]
    pub formal_plans: Option<FormalPlanRules>,
    /// Whether every key account must have an account plan (R7); left as
    /// it is when absent.
    #[serde(default)]
    pub key_accounts_need_plan: Option<bool>,
    /// The moderate amount of coaching per seller per month, from, in
    /// minutes (R15); left as it is when absent.
    #[serde(default)]
    pub band_low_minutes: Option<u32>,
    /// The moderate amount, to, in minutes (R15).
    #[serde(default)]
    pub band_high_minutes: Option<u32>,
}

/// Which deals need a formal opportunity plan (R16): open deals at or past
/// `from_stage` that meet any one of the set thresholds.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormalPlanRules {
    /// Deals of at least this amount (a decimal string), or none.
    #[serde(default)]
    pub min_amount: Option<String>,
    /// The amount's ISO 4217 currency; without one, any currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Deals at least this important (`low`, `medium`, `high`), or none.
    #[serde(default)]
    pub min_importance: Option<String>,
    /// Deals at least this complex (`low`, `medium`, `high`), or none.
    #[serde(default)]
    pub min_complexity: Option<String>,
    /// The earliest buying stage at which a plan is required.
    pub from_stage: String,
}

impl FormalPlanRules {
    pub(crate) fn from_rules(f: &Formality) -> Self {
        FormalPlanRules {
            min_amount: f.min_amount.map(|a| a.normalize().to_string()),
            currency: f.currency.clone(),
            min_importance: f.min_importance.map(|l| l.as_str().to_owned()),
            min_complexity: f.min_complexity.map(|l| l.as_str().to_owned()),
            from_stage: f.from_stage.as_str().to_owned(),
        }
    }

    pub(crate) fn rules(&self) -> Result<Formality, AppError> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let min_amount = blank(&self.min_amount)
            .map(|a| {
                a.parse::<rust_decimal::Decimal>().map_err(|_| {
                    AppError::Invalid(coach_core::FieldError::new(
                        "formal_plan_min_amount",
                        "expected an amount such as 50000 or 50000.00",
                    ))
                })
            })
            .transpose()?;
        let level =
            |field, v: &Option<String>| blank(v).map(|v| super::parse(field, &v)).transpose();
        Formality {
            min_amount,
            currency: blank(&self.currency),
            min_importance: level("formal_plan_min_importance", &self.min_importance)?,
            min_complexity: level("formal_plan_min_complexity", &self.min_complexity)?,
            from_stage: super::parse("formal_plan_from_stage", &self.from_stage)?,
        }
        .checked()
        .map_err(AppError::Invalid)
    }
}

/// How the organization runs its coaching (everyone reads it).
#[utoipa::path(get, path = "/api/v1/coaching-settings", tag = "coaching",
    responses((status = 200, body = CoachingSettingsIo), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn settings(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<CoachingSettingsIo>> {
    policy::check(&actor, Action::ViewModel)?;
    let s = state.store().coaching_settings(&actor.org.id).await?;
    Ok(Json(CoachingSettingsIo {
        feedback_min_answers: s.feedback_min_answers,
        prep_working_days: s.prep_working_days,
        crm_fresh_days: s.crm_fresh_days,
        deal_criteria: s.deal_criteria,
        formal_plans: Some(FormalPlanRules::from_rules(
            &state.store().formality(&actor.org.id).await?,
        )),
        key_accounts_need_plan: Some(state.store().key_accounts_need_plan(&actor.org.id).await?),
        band_low_minutes: Some(s.band.low_minutes),
        band_high_minutes: Some(s.band.high_minutes),
    }))
}

/// Change how the organization runs its coaching (admins).
#[utoipa::path(put, path = "/api/v1/coaching-settings", tag = "coaching", request_body = CoachingSettingsIo,
    responses((status = 200, body = CoachingSettingsIo), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_settings(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<CoachingSettingsIo>,
) -> ApiResult<Json<CoachingSettingsIo>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    // Every part is checked before anything is written.
    let rules = body
        .formal_plans
        .as_ref()
        .map(FormalPlanRules::rules)
        .transpose()?;
    let current = state.store().coaching_settings(&actor.org.id).await?.band;
    let band = coach_core::analytics::Band::new(
        i64::from(body.band_low_minutes.unwrap_or(current.low_minutes)),
        i64::from(body.band_high_minutes.unwrap_or(current.high_minutes)),
    )
    .map_err(AppError::Invalid)?;
    state
        .store()
        .set_coaching_settings(
            &actor.org.id,
            &CoachingSettings {
                feedback_min_answers: body.feedback_min_answers,
                prep_working_days: body.prep_working_days,
                crm_fresh_days: body.crm_fresh_days,
                deal_criteria: body.deal_criteria.clone(),
                band,
            },
        )
        .await?;
    let rules = match rules {
        Some(r) => state.store().set_formality(&actor.org.id, r).await?,
        None => state.store().formality(&actor.org.id).await?,
    };
    if let Some(required) = body.key_accounts_need_plan {
        state
            .store()
            .set_key_accounts_need_plan(&actor.org.id, required)
            .await?;
    }
    Ok(Json(CoachingSettingsIo {
        formal_plans: Some(FormalPlanRules::from_rules(&rules)),
        key_accounts_need_plan: Some(state.store().key_accounts_need_plan(&actor.org.id).await?),
        band_low_minutes: Some(band.low_minutes),
        band_high_minutes: Some(band.high_minutes),
        ..body
    }))
}

/// A question of the bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankQuestionOut {
    /// Its id.
    pub id: String,
    /// The kind of coaching.
    pub kind: String,
    /// The buying stage it is for, or none for any.
    pub stage: Option<String>,
    /// Open-ended (asked first, R37).
    pub open: bool,
    /// The question.
    pub text: String,
}

/// The question bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankList {
    /// By kind, stage, open-ended first.
    pub data: Vec<BankQuestionOut>,
}

/// Filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BankParams {
    /// Only this kind of coaching.
    pub kind: Option<String>,
}

/// The organization's question bank (R37), by kind and buying stage, open-ended first.
#[utoipa::path(get, path = "/api/v1/question-bank", tag = "coaching", params(BankParams),
    responses((status = 200, body = BankList), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn bank(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<BankParams>,
) -> ApiResult<Json<BankList>> {
    policy::check(&actor, Action::ViewModel)?;
    let kind = p
        .kind
        .as_deref()
        .map(|k| parse::<SessionKind>("kind", k))
        .transpose()?;
    let qs = state.store().question_bank(&actor.org.id, kind).await?;
    Ok(Json(BankList {
        data: qs
            .into_iter()
            .map(|q| BankQuestionOut {
                id: q.id,
                kind: q.kind.as_str().to_owned(),
                stage: q.stage.map(|s| s.as_str().to_owned()),
                open: q.open,
                text: q.text,
            })
            .collect(),
    }))
}

/// A new question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBankQuestionIn {
    /// The kind of coaching.
    pub kind: String,
    /// The buying stage it is for (opportunity and call coaching), or none.
    pub stage: Option<String>,
    /// Open-ended (default true).
    pub open: Option<bool>,
    /// The question.
    pub text: String,
}

/// Add a question to the bank (admins).
#[utoipa::path(post, path = "/api/v1/question-bank", tag = "coaching", request_body = NewBankQuestionIn,
    responses((status = 201, body = BankQuestionOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn add_bank_question(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewBankQuestionIn>,
) -> ApiResult<Response> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let kind = parse::<SessionKind>("kind", &body.kind)?;
    let stage = body
        .stage
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse::<BuyingStage>("stage", s))
        .transpose()?;
    let q = state
        .store()
        .add_question(
            &actor.org.id,
            kind,
            stage,
            body.open.unwrap_or(true),
            &body.text,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BankQuestionOut {
            id: q.id,
            kind: q.kind.as_str().to_owned(),
            stage: q.stage.map(|s| s.as_str().to_owned()),
            open: q.open,
            text: q.text,
        }),
    )
        .into_response())
}

/// Remove a question from the bank (admins); questions already prepared stay.
#[utoipa::path(delete, path = "/api/v1/question-bank/{id}", tag = "coaching",
    params(("id" = String, Path, description = "The question's id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn remove_bank_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    state.store().remove_question(&actor.org.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An item of an agenda template.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateItemIo {
    /// `review`, `focus` or `next_steps`.
    pub section: String,
    /// What it is.
    pub title: String,
    /// Its time allotment in minutes.
    pub minutes: u32,
}

/// An agenda template.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIo {
    /// The outcome sessions of this kind are for.
    pub desired_outcome: String,
    /// Its items; every template keeps the three sections (R35).
    pub items: Vec<TemplateItemIo>,
}

/// The agenda template sessions of a kind start from.
#[utoipa::path(get, path = "/api/v1/agenda-templates/{kind}", tag = "coaching",
    params(("kind" = String, Path, description = "The kind of coaching")),
    responses((status = 200, body = TemplateIo), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn template(
    State(state): State<AppState>,
    actor: Actor,
    Path(kind): Path<String>,
) -> ApiResult<Json<TemplateIo>> {
    policy::check(&actor, Action::ViewModel)?;
    let kind = parse::<SessionKind>("kind", &kind)?;
    let t = state.store().agenda_template(&actor.org.id, kind).await?;
    Ok(Json(TemplateIo {
        desired_outcome: t.desired_outcome,
        items: t
            .items
            .into_iter()
            .map(|i| TemplateItemIo {
                section: i.section.as_str().to_owned(),
                title: i.title,
                minutes: i.minutes,
            })
            .collect(),
    }))
}

/// Replace the agenda template of a kind (admins). Sessions scheduled later start from it.
#[utoipa::path(put, path = "/api/v1/agenda-templates/{kind}", tag = "coaching", request_body = TemplateIo,
    params(("kind" = String, Path, description = "The kind of coaching")),
    responses((status = 200, body = TemplateIo), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(kind): Path<String>,
    Json(body): Json<TemplateIo>,
) -> ApiResult<Json<TemplateIo>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let kind = parse::<SessionKind>("kind", &kind)?;
    let items = body
        .items
        .iter()
        .map(|i| {
            Ok(TemplateItem {
                section: parse::<Section>("section", &i.section)?,
                title: i.title.clone(),
                minutes: i.minutes,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    state
        .store()
        .set_agenda_template(
            &actor.org.id,
            &AgendaTemplate {
                kind,
                desired_outcome: body.desired_outcome.clone(),
                items,
            },
            &actor.user.id,
        )
        .await?;
    Ok(Json(body))
}
