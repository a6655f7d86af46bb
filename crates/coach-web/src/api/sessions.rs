//! Coaching sessions over the API (coaching-model R14, R26, R27, R34–R43):
//! `/api/v1/sessions` with their agenda, notes, prepared questions, picked
//! deals, observer and observation, feedback, and the Markdown summary. The
//! policy decides who may do what; a stale `If-Match` gets 412 (T5).

use super::pagination::{Cursor, limit};
use super::users::if_match;
use super::{ApiResult, parse, tagged};
use crate::auth::Actor;
use crate::coaching::{self as shared, Want, session_for};
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::coaching::{FeedbackView, Phase, Section, SessionKind, SessionStatus, SubjectKind};
use coach_store::coaching::{
    AgendaItem, DealCheck, ItemPatch, NewFeedback, NewItem, NewSession, Note, Session,
    SessionFilter, SessionPatch, Transition,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A person in a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct NameRef {
    /// Their id.
    pub id: String,
    /// Their name.
    pub name: String,
}

/// A coaching session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Its id.
    pub id: String,
    /// `territory_tactical`, `territory_strategic`, `account`, `opportunity` or `call`.
    pub kind: String,
    /// The manager who coaches.
    pub manager: NameRef,
    /// The seller coached.
    pub seller: NameRef,
    /// A director observing (R43).
    pub observer: Option<NameRef>,
    /// The recurring series it belongs to.
    pub series_id: Option<String>,
    /// Held without being scheduled ahead (R14).
    pub ad_hoc: bool,
    /// `scheduled`, `prepared`, `in_progress`, `held`, `cancelled` or `missed`.
    pub status: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// Its length in minutes.
    pub minutes: u32,
    /// The time first scheduled, when it was moved (R14).
    pub moved_from: Option<DateTime<Utc>>,
    /// Held at its scheduled time (R14); absent while it is to come.
    pub kept_as_scheduled: Option<bool>,
    /// What both want from it.
    pub desired_outcome: String,
    /// The day the seller's preparation is due (R27).
    pub prep_due_on: NaiveDate,
    /// When the seller finished preparing.
    pub seller_prepared_at: Option<DateTime<Utc>>,
    /// When the manager finished preparing.
    pub manager_prepared_at: Option<DateTime<Utc>>,
    /// Minutes the manager spent preparing (R18).
    pub prep_minutes: u32,
    /// The opening: when the agenda was agreed (R34).
    pub agenda_agreed_at: Option<DateTime<Utc>>,
    /// The close: when the agenda was reviewed (R34).
    pub agenda_reviewed_at: Option<DateTime<Utc>>,
    /// The step of the conversation (R36): `opening`, `seeking`, `giving`, `summarizing`, `closing`.
    pub phase: String,
    /// Why it was cancelled.
    pub cancel_reason: String,
    /// Bumped on every change; the `ETag` carries it.
    pub version: i64,
}

impl From<Session> for SessionOut {
    fn from(s: Session) -> Self {
        SessionOut {
            kept_as_scheduled: s.kept_as_scheduled(),
            ends_at: s.ends_at(),
            id: s.id,
            kind: s.kind.as_str().to_owned(),
            manager: NameRef {
                id: s.manager_id,
                name: s.manager_name,
            },
            seller: NameRef {
                id: s.seller_id,
                name: s.seller_name,
            },
            observer: s
                .observer_id
                .zip(s.observer_name)
                .map(|(id, name)| NameRef { id, name }),
            series_id: s.series_id,
            ad_hoc: s.ad_hoc,
            status: s.status.as_str().to_owned(),
            starts_at: s.starts_at,
            minutes: s.minutes,
            moved_from: s.original_starts_at,
            desired_outcome: s.desired_outcome,
            prep_due_on: s.prep_due_on,
            seller_prepared_at: s.seller_prepared_at,
            manager_prepared_at: s.manager_prepared_at,
            prep_minutes: s.prep_minutes,
            agenda_agreed_at: s.agenda_agreed_at,
            agenda_reviewed_at: s.agenda_reviewed_at,
            phase: s.phase.as_str().to_owned(),
            cancel_reason: s.cancel_reason,
            version: s.version,
        }
    }
}

/// What an item is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectOut {
    /// `account`, `opportunity`, `call`, `activity_type`, `plan` or `action_item`.
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
}

fn subject_out(subject: Option<(SubjectKind, String)>, name: Option<String>) -> Option<SubjectOut> {
    subject.map(|(kind, id)| SubjectOut {
        kind: kind.as_str().to_owned(),
        id,
        name,
    })
}

/// An agenda item.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemOut {
    /// Its id.
    pub id: String,
    /// `review`, `focus` or `next_steps` (R35).
    pub section: String,
    /// Its order.
    pub position: i64,
    /// What it is.
    pub title: String,
    /// Its time allotment in minutes.
    pub minutes: u32,
    /// What it is about (R1).
    pub subject: Option<SubjectOut>,
    /// The decision taken on it.
    pub decision: String,
    /// Seconds spent on it in the room, counting a running timer.
    pub spent_seconds: i64,
    /// Whether its timer runs.
    pub timer_running: bool,
    /// Checking numbers rather than coaching (R15).
    pub inspection: bool,
    /// Bumped on every change; send it as `If-Match`.
    pub version: i64,
}

impl From<AgendaItem> for AgendaItemOut {
    fn from(i: AgendaItem) -> Self {
        AgendaItemOut {
            spent_seconds: i.seconds_at(Utc::now()),
            timer_running: i.timer_started_at.is_some(),
            id: i.id,
            section: i.section.as_str().to_owned(),
            position: i.position,
            title: i.title,
            minutes: i.minutes,
            subject: subject_out(i.subject, i.subject_name),
            decision: i.decision,
            inspection: i.inspection,
            version: i.version,
        }
    }
}

/// A session with its agenda, review and next steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDetail {
    /// The session.
    #[serde(flatten)]
    pub session: SessionOut,
    /// The agenda, section by section (R35).
    pub agenda: Vec<AgendaItemOut>,
    /// The seller's earlier action items to review: open, or due in the two weeks before (R35 a).
    pub review: Vec<super::actions::ActionItemOut>,
    /// The action items agreed in this session (R35 c, R39).
    pub next_steps: Vec<super::actions::ActionItemOut>,
    /// What the agenda draws: over time (R34), many deals (R26), no focus (R35).
    pub warnings: Vec<String>,
    /// Held with no next step agreed (R41).
    pub no_next_step: bool,
}

async fn detail(state: &AppState, actor: &Actor, s: Session) -> ApiResult<Response> {
    let p = shared::picture(state, &actor.org.id, &s).await?;
    let today = crate::scorecards::today(&actor.org.time_zone);
    let version = s.version;
    Ok(tagged(
        StatusCode::OK,
        version,
        SessionDetail {
            session: s.into(),
            agenda: p.agenda.into_iter().map(Into::into).collect(),
            review: p
                .review
                .into_iter()
                .map(|i| super::actions::item_out(i, today))
                .collect(),
            next_steps: p
                .agreed
                .into_iter()
                .map(|i| super::actions::item_out(i, today))
                .collect(),
            warnings: p.warnings.iter().map(|w| w.message()).collect(),
            no_next_step: p.no_next_step,
        },
    ))
}

/// A page of sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionPage {
    /// The sessions on this page, by start time.
    pub data: Vec<SessionOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this manager's.
    pub manager_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Starting at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Starting before (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// The sessions you may see (yours, your team's, those you observe; admins all), by start time.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "coaching", params(SessionParams),
    responses((status = 200, body = SessionPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<SessionParams>,
) -> ApiResult<Json<SessionPage>> {
    let limit = limit(p.limit)?;
    let statuses = p
        .status
        .as_deref()
        .map(|s| parse::<SessionStatus>("status", s))
        .transpose()?
        .map(|s| vec![s]);
    let filter = SessionFilter {
        seller_id: p.seller_id,
        manager_id: p.manager_id,
        statuses,
        from: p.from,
        until: p.until,
        after: Cursor::decode(p.cursor.as_deref())?,
        limit: Some(i64::try_from(limit).unwrap_or(50) + 1),
        ..shared::visible_sessions(&actor)
    };
    let mut rows = state
        .store()
        .coaching_sessions(&actor.org.id, &filter)
        .await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|s| Cursor::encode(&s.id))
    } else {
        None
    };
    Ok(Json(SessionPage {
        data: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// A new session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSessionIn {
    /// The kind of coaching.
    pub kind: String,
    /// The seller (someone below you).
    pub seller_id: String,
    /// When it starts (RFC 3339); in the future unless `ad_hoc`.
    pub starts_at: DateTime<Utc>,
    /// Its length, 15–240 minutes (default: the kind's usual length, R10–R13).
    pub minutes: Option<u32>,
    /// Held without being scheduled ahead (R14); counted as such.
    #[serde(default)]
    pub ad_hoc: bool,
    /// What both want from it (default: the template's).
    pub desired_outcome: Option<String>,
}

/// Schedule a session with a seller below you (you coach it), or record an ad-hoc one. The agenda starts from the organization's template for the kind (R35).
#[utoipa::path(post, path = "/api/v1/sessions", tag = "coaching", request_body = NewSessionIn,
    responses((status = 201, body = SessionDetail), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewSessionIn>,
) -> ApiResult<Response> {
    let kind: SessionKind = parse("kind", &body.kind)?;
    let store = state.store();
    let seller = store.user(&actor.org.id, &body.seller_id).await?;
    policy::check(
        &actor,
        Action::ScheduleSession {
            seller_id: &seller.id,
        },
    )?;
    let s = store
        .create_coaching_session(
            &actor.org.id,
            NewSession {
                kind,
                manager_id: actor.user.id.clone(),
                seller_id: seller.id,
                starts_at: body.starts_at,
                minutes: body.minutes,
                ad_hoc: body.ad_hoc,
                series_id: None,
                desired_outcome: body.desired_outcome,
            },
            &actor.user.id,
        )
        .await?;
    let mut r = detail(&state, &actor, s).await?;
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

/// One session with its agenda, review and next steps.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionDetail, headers(("ETag" = String, description = "The version"))), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    detail(&state, &actor, s).await
}

/// A change to a session; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatchIn {
    /// A new time: the session moves, keeping the time first scheduled (R14).
    pub starts_at: Option<DateTime<Utc>>,
    /// A new length, 15–240 minutes.
    pub minutes: Option<u32>,
    /// A new desired outcome.
    pub desired_outcome: Option<String>,
    /// The step of the conversation, once open (R36).
    pub phase: Option<String>,
}

/// Move, lengthen or refocus a session (its manager). Send `If-Match` with the `ETag` you read.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "coaching", request_body = SessionPatchIn,
    params(("id" = String, Path, description = "The session's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = SessionDetail), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<SessionPatchIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    session_for(&state, &actor, &id, Want::Lead).await?;
    let phase = body
        .phase
        .as_deref()
        .map(|p| parse::<Phase>("phase", p))
        .transpose()?;
    let s = state
        .store()
        .update_coaching_session(
            &actor.org.id,
            &id,
            expected,
            SessionPatch {
                starts_at: body.starts_at,
                minutes: body.minutes,
                desired_outcome: body.desired_outcome,
                phase,
            },
        )
        .await?;
    detail(&state, &actor, s).await
}

/// A move along the life cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// `open` (the agenda is agreed, R34), `close` (the agenda is reviewed), `cancel` or `missed`.
    pub to: String,
    /// Why it is cancelled (needed for `cancel`).
    #[serde(default)]
    pub reason: String,
}

/// Open, close, cancel or mark missed (the session's manager). Opening and closing are time-stamped (R34).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/transitions", tag = "coaching", request_body = TransitionIn,
    params(("id" = String, Path, description = "The session's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = SessionDetail), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn transition(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<TransitionIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    session_for(&state, &actor, &id, Want::Lead).await?;
    let to = match body.to.as_str() {
        "open" => Transition::Open,
        "close" => Transition::Close,
        "cancel" => Transition::Cancel(body.reason),
        "missed" => Transition::Missed,
        other => {
            return Err(AppError::Invalid(FieldError::new(
                "to",
                format!("expected open, close, cancel or missed; got {other:?}"),
            )));
        }
    };
    let s = state
        .store()
        .transition(&actor.org.id, &id, expected, to)
        .await?;
    detail(&state, &actor, s).await
}

/// A side's preparation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreparedIn {
    /// The manager: minutes spent preparing (R18).
    pub prep_minutes: Option<u32>,
}

/// Mark your preparation done: the seller (the picked deals' CRM data must be fresh, R27) or the manager (with the minutes spent, R18).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/prepared", tag = "coaching", request_body = PreparedIn,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionDetail), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn prepared(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<PreparedIn>,
) -> ApiResult<Response> {
    let s = session_for(&state, &actor, &id, Want::Edit).await?;
    let store = state.store();
    let s = if s.seller_id == actor.user.id {
        store.seller_prepared(&actor.org.id, &id).await?
    } else {
        let minutes = body.prep_minutes.ok_or_else(|| {
            AppError::Invalid(FieldError::new(
                "prep_minutes",
                "say how many minutes you spent preparing (R18)",
            ))
        })?;
        store.manager_prepared(&actor.org.id, &id, minutes).await?
    };
    detail(&state, &actor, s).await
}

/// A new agenda item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItemIn {
    /// `review`, `focus` or `next_steps`.
    pub section: String,
    /// What it is.
    pub title: String,
    /// Its time allotment, 0–240 minutes.
    #[serde(default)]
    pub minutes: u32,
    /// What it is about: `account`, `opportunity`, `call`, `activity_type` or `action_item` (the seller's).
    pub subject_kind: Option<String>,
    /// Its id.
    pub subject_id: Option<String>,
    /// Checking numbers rather than coaching (R15: inspection correlates
    /// negatively with performance); counted on the analytics.
    #[serde(default)]
    pub inspection: bool,
}

pub(crate) fn subject(
    kind: Option<&str>,
    id: Option<String>,
) -> Result<Option<(SubjectKind, String)>, AppError> {
    match (
        kind.map(str::trim).filter(|k| !k.is_empty()),
        id.filter(|i| !i.trim().is_empty()),
    ) {
        (None, None) => Ok(None),
        (Some(k), Some(id)) => Ok(Some((parse("subject_kind", k)?, id))),
        (Some(_), None) => Err(AppError::Invalid(FieldError::new(
            "subject_id",
            "say which record it is about",
        ))),
        (None, Some(_)) => Err(AppError::Invalid(FieldError::new(
            "subject_kind",
            "say what kind of record it is about",
        ))),
    }
}

/// Add an item to a session's agenda (manager or seller). An opportunity session takes at most three deals an hour (R26).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/agenda", tag = "coaching", request_body = NewItemIn,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 201, body = AgendaItemOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn add_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<NewItemIn>,
) -> ApiResult<Response> {
    session_for(&state, &actor, &id, Want::Edit).await?;
    let item = NewItem {
        section: parse::<Section>("section", &body.section)?,
        title: body.title,
        minutes: body.minutes,
        subject: subject(body.subject_kind.as_deref(), body.subject_id)?,
        inspection: body.inspection,
    };
    let item = state
        .store()
        .add_agenda_item(&actor.org.id, &id, item, &actor.user.id)
        .await?;
    let version = item.version;
    Ok(tagged(
        StatusCode::CREATED,
        version,
        AgendaItemOut::from(item),
    ))
}

/// A change to an agenda item; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatchIn {
    /// New title.
    pub title: Option<String>,
    /// New time allotment.
    pub minutes: Option<u32>,
    /// The decision taken on it.
    pub decision: Option<String>,
    /// New position.
    pub position: Option<i64>,
    /// Start (`true`) or stop (`false`) its timer; starting one stops the others.
    pub timer: Option<bool>,
}

async fn item_session(state: &AppState, actor: &Actor, item_id: &str) -> Result<Session, AppError> {
    let s = state
        .store()
        .agenda_item_session(&actor.org.id, item_id)
        .await?;
    session_for(state, actor, &s.id, Want::Edit).await
}

/// Change an agenda item (manager or seller). Send `If-Match` with the item's version: a stale one gets 412 and nothing changes (T5).
#[utoipa::path(patch, path = "/api/v1/agenda-items/{id}", tag = "coaching", request_body = ItemPatchIn,
    params(("id" = String, Path, description = "The item's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = AgendaItemOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn update_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<ItemPatchIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    item_session(&state, &actor, &id).await?;
    let item = state
        .store()
        .update_agenda_item(
            &actor.org.id,
            &id,
            expected,
            ItemPatch {
                title: body.title,
                minutes: body.minutes,
                decision: body.decision,
                position: body.position,
                timer: body.timer,
            },
        )
        .await?;
    let version = item.version;
    Ok(tagged(StatusCode::OK, version, AgendaItemOut::from(item)))
}

/// Remove an agenda item from a session still to be held (manager or seller).
#[utoipa::path(delete, path = "/api/v1/agenda-items/{id}", tag = "coaching",
    params(("id" = String, Path, description = "The item's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Removed"), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn remove_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let expected = if_match(&headers)?;
    item_session(&state, &actor, &id).await?;
    state
        .store()
        .remove_agenda_item(&actor.org.id, &id, expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A note.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    /// Its id.
    pub id: String,
    /// The session.
    pub session_id: String,
    /// Who wrote it.
    pub author: NameRef,
    /// Whether the others in the session may read it.
    pub shared: bool,
    /// The text.
    pub body: String,
    /// Bumped on every save; send it as `If-Match`.
    pub version: i64,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<Note> for NoteOut {
    fn from(n: Note) -> Self {
        NoteOut {
            id: n.id,
            session_id: n.session_id,
            author: NameRef {
                id: n.author_id,
                name: n.author_name,
            },
            shared: n.shared,
            body: n.body,
            version: n.version,
            updated_at: n.updated_at,
        }
    }
}

/// Notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteList {
    /// Yours, and those the others shared.
    pub data: Vec<NoteOut>,
}

/// The notes you may read on a session you take part in: yours, and those the others shared (R38).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/notes", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = NoteList), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn notes(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<NoteList>> {
    session_for(&state, &actor, &id, Want::Notes).await?;
    let notes = state
        .store()
        .notes(&actor.org.id, &id, &actor.user.id)
        .await?;
    Ok(Json(NoteList {
        data: notes.into_iter().map(Into::into).collect(),
    }))
}

/// A new note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNoteIn {
    /// The text (up to 20,000 characters; may start empty).
    #[serde(default)]
    pub body: String,
    /// Share it with the others in the session (default: private).
    #[serde(default)]
    pub shared: bool,
}

/// Start a note on a session you take part in (R38).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/notes", tag = "coaching", request_body = NewNoteIn,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 201, body = NoteOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn add_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<NewNoteIn>,
) -> ApiResult<Response> {
    session_for(&state, &actor, &id, Want::Notes).await?;
    let note = state
        .store()
        .add_note(&actor.org.id, &id, &actor.user.id, &body.body, body.shared)
        .await?;
    let version = note.version;
    Ok(tagged(StatusCode::CREATED, version, NoteOut::from(note)))
}

/// A change to a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotePatchIn {
    /// The whole new text.
    pub body: Option<String>,
    /// Share or unshare it.
    pub shared: Option<bool>,
}

/// Save one of your notes. Send `If-Match` with the version the edit was based on: a stale one gets 412 and nothing changes (T5).
#[utoipa::path(patch, path = "/api/v1/notes/{id}", tag = "coaching", request_body = NotePatchIn,
    params(("id" = String, Path, description = "The note's id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, body = NoteOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn save_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<NotePatchIn>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    let note = state
        .store()
        .note(&actor.org.id, &id, &actor.user.id)
        .await?;
    session_for(&state, &actor, &note.session_id, Want::Notes).await?;
    let note = state
        .store()
        .save_note(
            &actor.org.id,
            &id,
            &actor.user.id,
            expected,
            body.body.as_deref(),
            body.shared,
        )
        .await?;
    let version = note.version;
    Ok(tagged(StatusCode::OK, version, NoteOut::from(note)))
}

/// Delete one of your notes.
#[utoipa::path(delete, path = "/api/v1/notes/{id}", tag = "coaching",
    params(("id" = String, Path, description = "The note's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn delete_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let note = state
        .store()
        .note(&actor.org.id, &id, &actor.user.id)
        .await?;
    session_for(&state, &actor, &note.session_id, Want::Notes).await?;
    state
        .store()
        .delete_note(&actor.org.id, &id, &actor.user.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A prepared question.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    /// Its id.
    pub id: String,
    /// The question.
    pub text: String,
    /// Open-ended (asked first, R37).
    pub open: bool,
    /// Asked in the room.
    pub asked: bool,
}

/// Prepared questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionList {
    /// In order, open-ended first as prepared.
    pub data: Vec<QuestionOut>,
}

/// The questions the manager prepared (R37): for the manager, the observer and those above the manager.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/questions", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = QuestionList), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn questions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<QuestionList>> {
    session_for(&state, &actor, &id, Want::CoachSide).await?;
    let qs = state.store().prepared_questions(&actor.org.id, &id).await?;
    Ok(Json(QuestionList {
        data: qs
            .into_iter()
            .map(|q| QuestionOut {
                id: q.id,
                text: q.text,
                open: q.open,
                asked: q.asked,
            })
            .collect(),
    }))
}

/// A question to prepare.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestionIn {
    /// The question (from the bank, or your own).
    pub text: String,
    /// Open-ended (default true).
    pub open: Option<bool>,
}

/// Prepare a question for a session you lead (R37).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/questions", tag = "coaching", request_body = NewQuestionIn,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 201, body = QuestionOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn add_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<NewQuestionIn>,
) -> ApiResult<Response> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    let q = state
        .store()
        .prepare_question(&actor.org.id, &id, &body.text, body.open.unwrap_or(true))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(QuestionOut {
            id: q.id,
            text: q.text,
            open: q.open,
            asked: q.asked,
        }),
    )
        .into_response())
}

/// A prepared question asked or not.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionPatchIn {
    /// Asked in the room.
    pub asked: bool,
}

/// Mark a prepared question asked (the manager).
#[utoipa::path(patch, path = "/api/v1/sessions/{id}/questions/{question_id}", tag = "coaching", request_body = QuestionPatchIn,
    params(("id" = String, Path, description = "The session's id"), ("question_id" = String, Path, description = "The question's id")),
    responses((status = 204, description = "Saved"), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn mark_question(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, question_id)): Path<(String, String)>,
    Json(body): Json<QuestionPatchIn>,
) -> ApiResult<StatusCode> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    state
        .store()
        .set_question(&actor.org.id, &id, &question_id, Some(body.asked))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a prepared question (the manager).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/questions/{question_id}", tag = "coaching",
    params(("id" = String, Path, description = "The session's id"), ("question_id" = String, Path, description = "The question's id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn remove_question(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, question_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    state
        .store()
        .set_question(&actor.org.id, &id, &question_id, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A deal and how fresh its CRM data is (R27).
#[derive(Debug, Serialize, ToSchema)]
pub struct DealOut {
    /// The opportunity's id.
    pub opportunity_id: String,
    /// Its name.
    pub name: String,
    /// Its buying stage.
    pub stage: String,
    /// An early stage, suggested first (R25).
    pub early: bool,
    /// When the CRM last changed it.
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether that is recent enough (R27).
    pub fresh: bool,
}

fn deal_out(d: DealCheck) -> DealOut {
    DealOut {
        early: d.stage.is_early(),
        opportunity_id: d.opportunity_id,
        name: d.name,
        stage: d.stage.as_str().to_owned(),
        updated_at: d.updated_at,
        fresh: d.fresh,
    }
}

/// The deals of an opportunity session.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealsOut {
    /// The organization's published criteria for picking (R27).
    pub criteria: String,
    /// Picked for the session (on the agenda).
    pub picked: Vec<DealOut>,
    /// The seller's open deals to pick from, early stages first (R25).
    pub candidates: Vec<DealOut>,
    /// The most deals this session may take (R26).
    pub max_deals: usize,
}

/// The deals picked for a session and those the seller may pick, with the freshness of their CRM data (R25–R27).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/deals", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = DealsOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn deals(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<DealsOut>> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    let store = state.store();
    let picked = store.picked_deals(&actor.org.id, &s).await?;
    let candidates = store.deals_to_pick(&actor.org.id, &s.seller_id).await?;
    Ok(Json(DealsOut {
        criteria: store.coaching_settings(&actor.org.id).await?.deal_criteria,
        candidates: candidates
            .into_iter()
            .filter(|c| !picked.iter().any(|p| p.opportunity_id == c.opportunity_id))
            .map(deal_out)
            .collect(),
        picked: picked.into_iter().map(deal_out).collect(),
        max_deals: coach_core::coaching::max_deals(s.minutes),
    }))
}

/// Join a session as its observer (R43): a director above the manager.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/observer", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionDetail), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn join(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let s = session_for(&state, &actor, &id, Want::Observe).await?;
    if s.status.is_final() {
        return Err(AppError::Invalid(FieldError::new(
            "observer_id",
            "the session is over",
        )));
    }
    let s = state
        .store()
        .set_observer(&actor.org.id, &id, Some(&actor.user.id))
        .await?;
    detail(&state, &actor, s).await
}

/// Leave a session you observe.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/observer", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionDetail), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn leave(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let s = session_for(&state, &actor, &id, Want::Observe).await?;
    if s.observer_id.as_deref() != Some(actor.user.id.as_str()) {
        return Err(AppError::Forbidden("You do not observe this session."));
    }
    let s = state.store().set_observer(&actor.org.id, &id, None).await?;
    detail(&state, &actor, s).await
}

/// A director's observation of a manager's session (R43).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationIo {
    /// Answers by check: `prepared`, `agenda_agreed`, `questions_first`, `balanced`, `seller_summarized`, `feedback_asked`.
    pub checks: BTreeMap<String, bool>,
    /// What you would tell the manager.
    #[serde(default)]
    pub comment: String,
}

/// The observation of a session: for the manager, the observer, those above the manager, and admins.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/observation", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = ObservationIo), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn observation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<ObservationIo>> {
    session_for(&state, &actor, &id, Want::CoachSide).await?;
    let o = state
        .store()
        .observation(&actor.org.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(ObservationIo {
        checks: o.checks,
        comment: o.comment,
    }))
}

/// File the observation of a session you observe (R43); a new one replaces yours.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/observation", tag = "coaching", request_body = ObservationIo,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = ObservationIo), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn observe(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<ObservationIo>,
) -> ApiResult<Json<ObservationIo>> {
    session_for(&state, &actor, &id, Want::Observe).await?;
    let o = state
        .store()
        .file_observation(
            &actor.org.id,
            &id,
            &actor.user.id,
            &body.checks,
            &body.comment,
        )
        .await?;
    Ok(Json(ObservationIo {
        checks: o.checks,
        comment: o.comment,
    }))
}

/// A seller's feedback on a session (R40).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIn {
    /// What was most valuable.
    #[serde(default)]
    pub most_valuable: String,
    /// What could be better.
    #[serde(default)]
    pub could_be_better: String,
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
    /// Would you have paid for this session?
    pub would_pay: bool,
}

/// Give feedback on a held session you were coached in, once (R40). Your manager sees it only in aggregate, once enough answers exist.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/feedback", tag = "coaching", request_body = FeedbackIn,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 204, description = "Thank you"), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn give_feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(body): Json<FeedbackIn>,
) -> ApiResult<StatusCode> {
    session_for(&state, &actor, &id, Want::Seller).await?;
    state
        .store()
        .give_feedback(
            &actor.org.id,
            &id,
            &NewFeedback {
                most_valuable: body.most_valuable,
                could_be_better: body.could_be_better,
                rating: body.rating,
                would_pay: body.would_pay,
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Feedback in aggregate (R40, R45).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackOut {
    /// The manager.
    pub manager_id: String,
    /// Answers so far.
    pub n: usize,
    /// Answers needed before anything else shows.
    pub min: usize,
    /// The mean rating (1–5), once enough answers exist.
    pub mean_rating: Option<f64>,
    /// The share who would have paid for the session, with its interval, once enough answers exist.
    pub would_pay: Option<super::roa::RateOut>,
}

/// Filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedbackParams {
    /// The manager (default: you).
    pub manager_id: Option<String>,
}

/// A manager's feedback in aggregate (R40): only counts below the organization's minimum number of answers; never one seller's answer.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "coaching", params(FeedbackParams),
    responses((status = 200, body = FeedbackOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<FeedbackParams>,
) -> ApiResult<Json<FeedbackOut>> {
    let manager_id = p.manager_id.unwrap_or_else(|| actor.user.id.clone());
    let manager = state.store().user(&actor.org.id, &manager_id).await?;
    policy::check(
        &actor,
        Action::ViewFeedbackOf {
            manager_id: &manager.id,
        },
    )?;
    Ok(Json(
        match shared::feedback_of(&state, &actor.org.id, &manager.id).await? {
            FeedbackView::TooFew { n, min } => FeedbackOut {
                manager_id: manager.id,
                n,
                min,
                mean_rating: None,
                would_pay: None,
            },
            FeedbackView::Summary {
                n,
                mean_rating,
                would_pay,
            } => {
                let min = state
                    .store()
                    .coaching_settings(&actor.org.id)
                    .await?
                    .feedback_min_answers as usize;
                FeedbackOut {
                    manager_id: manager.id,
                    n,
                    min,
                    mean_rating: Some(mean_rating),
                    would_pay: Some(would_pay.into()),
                }
            }
        },
    ))
}

/// The session's summary as Markdown: agenda with decisions, review, next steps, and the notes you may read.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/summary", tag = "coaching",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, description = "The summary", content_type = "text/markdown"), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn summary(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    let tz: chrono_tz::Tz = actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let text = shared::markdown(&state, &actor, &s, &tz).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        text,
    )
        .into_response())
}
