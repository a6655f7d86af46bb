//! The coaching rhythm over the API (coaching-model R10–R19): the cadence
//! policy (`/api/v1/cadence`), the planner's preview and applying it
//! (`/api/v1/rhythm/…`), and the series on the calendar (`/api/v1/series`).

use super::ApiResult;
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::rhythm::{Asked, apply_asked, asked, planned, saved};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{cadence_source, check_cadence};
use coach_store::rhythm::{CadenceSource, RhythmSettings};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What a manager asks the planner; anything left out comes from their
/// saved settings.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RhythmIn {
    /// The most hours a week for coaching and its preparation (1–60, R17).
    pub hours: Option<u32>,
    /// The working day's start, local `HH:MM`.
    pub day_start: Option<String>,
    /// The working day's end, local `HH:MM`.
    pub day_end: Option<String>,
    /// How many months to plan (1–12; default 3).
    pub months: Option<u32>,
    /// Weekly call coaching as a series too (R13).
    pub weekly_calls: Option<bool>,
    /// Preferred coaching days, `mon` to `fri` (R19).
    pub coaching_days: Option<Vec<String>>,
    /// Cuts accepted, by kind of coaching (R17).
    #[serde(default)]
    pub cuts: Vec<String>,
}

/// One session of a planned series.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedSessionOut {
    /// The preparation block's start (R18).
    pub prep_starts_at: DateTime<Utc>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Moved off the series' day and time within its week.
    pub moved: bool,
}

/// A planned series.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedSeriesOut {
    /// The seller.
    pub seller_id: String,
    /// Their name.
    pub seller_name: String,
    /// The kind of coaching.
    pub kind: String,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// Minutes per session.
    pub minutes: u32,
    /// Its weekday, `Mon` to `Fri`.
    pub weekday: String,
    /// Its local time, `HH:MM`.
    pub time: String,
    /// Its sessions.
    pub sessions: Vec<PlannedSessionOut>,
}

/// Coaching and preparation in one week.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekLoadOut {
    /// The week's Monday.
    pub week: NaiveDate,
    /// Minutes of coaching.
    pub coaching_minutes: u32,
    /// Minutes of preparation.
    pub preparation_minutes: u32,
    /// The most minutes a week.
    pub capacity_minutes: u32,
}

/// A cut that would help the plan fit (R17).
#[derive(Debug, Serialize, ToSchema)]
pub struct CutOut {
    /// The kind of coaching.
    pub kind: String,
    /// Every so many weeks now.
    pub from_weeks: u32,
    /// Every so many weeks after (0: as needed).
    pub to_weeks: u32,
    /// Minutes a week it saves.
    pub saves_minutes_per_week: u32,
    /// Why it harms least.
    pub why: String,
}

/// The planner's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RhythmPlanOut {
    /// Whether it fits.
    pub viable: bool,
    /// Why not, as a manager reads it.
    pub refusal: Option<String>,
    /// Average minutes a week needed.
    pub needed_minutes_per_week: Option<u32>,
    /// Minutes a week after every cut proposed.
    pub after_cuts_minutes_per_week: Option<u32>,
    /// The cuts, least harmful first.
    pub cuts: Vec<CutOut>,
    /// The series, when it fits.
    pub series: Vec<PlannedSeriesOut>,
    /// The load per week, when it fits.
    pub load: Vec<WeekLoadOut>,
}

/// What applying did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedOut {
    /// Series created.
    pub series: usize,
    /// Sessions created.
    pub sessions: usize,
    /// Earlier series ended.
    pub ended_series: usize,
    /// Untouched future sessions of those removed.
    pub removed_sessions: usize,
    /// Future sessions someone had prepared, kept as single sessions.
    pub kept_sessions: usize,
}

/// The question as the page asks it, over the saved settings.
fn question(body: &RhythmIn, saved: &RhythmSettings) -> Asked {
    let mut pairs: Vec<(String, String)> = vec![
        (
            "hours".into(),
            body.hours.unwrap_or(saved.minutes / 60).to_string(),
        ),
        (
            "from".into(),
            body.day_start
                .clone()
                .unwrap_or_else(|| saved.day.0.format("%H:%M").to_string()),
        ),
        (
            "to".into(),
            body.day_end
                .clone()
                .unwrap_or_else(|| saved.day.1.format("%H:%M").to_string()),
        ),
        ("months".into(), body.months.unwrap_or(3).to_string()),
    ];
    if body.weekly_calls.unwrap_or(saved.weekly_calls) {
        pairs.push(("calls".into(), "weekly".into()));
    }
    let days: Vec<String> = match &body.coaching_days {
        Some(d) => d.iter().map(|d| d.to_ascii_lowercase()).collect(),
        None => saved
            .coaching_days
            .iter()
            .map(|d| d.to_string().to_ascii_lowercase())
            .collect(),
    };
    pairs.extend(days.into_iter().map(|d| ("day".into(), d)));
    pairs.extend(body.cuts.iter().map(|c| ("cut".into(), c.clone())));
    asked(&pairs, saved)
}

fn refused(a: &Asked) -> Result<(), AppError> {
    match &a.error {
        Some(e) => Err(AppError::Invalid(FieldError::new("rhythm", e.clone()))),
        None => Ok(()),
    }
}

/// Plans the signed-in manager's rhythm without applying it.
#[utoipa::path(post, path = "/api/v1/rhythm/preview", tag = "coaching", request_body = RhythmIn,
    responses((status = 200, body = RhythmPlanOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<RhythmIn>,
) -> ApiResult<Json<RhythmPlanOut>> {
    policy::check(&actor, Action::PlanRhythm)?;
    let saved = saved(&state, &actor).await?;
    let a = question(&body, &saved);
    refused(&a)?;
    let Some((result, _, names)) = planned(&state, &actor, &a, &saved).await? else {
        return Err(AppError::Invalid(FieldError::new(
            "rhythm",
            "no sellers report to you, so there is no rhythm to plan",
        )));
    };
    Ok(Json(match result {
        Ok(p) => RhythmPlanOut {
            viable: true,
            refusal: None,
            needed_minutes_per_week: None,
            after_cuts_minutes_per_week: None,
            cuts: Vec::new(),
            series: p
                .series
                .iter()
                .map(|s| PlannedSeriesOut {
                    seller_id: s.seller_id.clone(),
                    seller_name: names.get(&s.seller_id).cloned().unwrap_or_default(),
                    kind: s.kind.as_str().to_owned(),
                    every_weeks: s.every_weeks,
                    minutes: s.minutes,
                    weekday: s.weekday.to_string(),
                    time: s.time.format("%H:%M").to_string(),
                    sessions: s
                        .occurrences
                        .iter()
                        .map(|o| PlannedSessionOut {
                            prep_starts_at: o.prep_starts_at,
                            starts_at: o.starts_at,
                            ends_at: o.ends_at,
                            moved: o.moved,
                        })
                        .collect(),
                })
                .collect(),
            load: p
                .load
                .iter()
                .map(|w| WeekLoadOut {
                    week: w.week,
                    coaching_minutes: w.coaching,
                    preparation_minutes: w.preparation,
                    capacity_minutes: w.capacity,
                })
                .collect(),
        },
        Err(r) => RhythmPlanOut {
            viable: false,
            refusal: Some(coach_core::rhythm::refusal_text(&r)),
            needed_minutes_per_week: Some(r.needed_per_week),
            after_cuts_minutes_per_week: Some(r.after_cuts),
            cuts: r
                .cuts
                .iter()
                .map(|c| CutOut {
                    kind: c.kind.as_str().to_owned(),
                    from_weeks: c.from_weeks,
                    to_weeks: c.to_weeks,
                    saves_minutes_per_week: c.saves_per_week,
                    why: c.why.to_owned(),
                })
                .collect(),
            series: Vec::new(),
            load: Vec::new(),
        },
    }))
}

/// Applies the signed-in manager's rhythm (R14): their current series end,
/// untouched future sessions are replaced, and the new series and their
/// sessions go on the calendar. A plan that does not fit changes nothing.
#[utoipa::path(post, path = "/api/v1/rhythm/apply", tag = "coaching", request_body = RhythmIn,
    responses((status = 200, body = AppliedOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn apply(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<RhythmIn>,
) -> ApiResult<Json<AppliedOut>> {
    policy::check(&actor, Action::PlanRhythm)?;
    let saved = saved(&state, &actor).await?;
    let a = question(&body, &saved);
    refused(&a)?;
    match apply_asked(&state, &actor, &a, &saved).await? {
        Ok(d) => Ok(Json(AppliedOut {
            series: d.series,
            sessions: d.sessions,
            ended_series: d.ended,
            removed_sessions: d.removed,
            kept_sessions: d.kept,
        })),
        Err(message) => Err(AppError::Invalid(FieldError::new("rhythm", message))),
    }
}

/// A recurring series of coaching.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesOut {
    /// Its id (the calendar's UID, with `@coach`).
    pub id: String,
    /// The manager.
    pub manager_id: String,
    /// The seller.
    pub seller_id: String,
    /// The kind of coaching.
    pub kind: String,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// Minutes per session.
    pub minutes: u32,
    /// Preparation minutes before each (R18).
    pub prep_minutes: u32,
    /// The time zone its local time holds in.
    pub time_zone: String,
    /// Its first session's slot.
    pub first_at: DateTime<Utc>,
    /// How many slots.
    pub slot_count: u32,
}

/// Whose series.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// A person the caller may see (default: the caller): the series they
    /// coach or are coached in.
    pub person_id: Option<String>,
}

/// The current series a person coaches or is coached in.
#[utoipa::path(get, path = "/api/v1/series", tag = "coaching", params(SeriesQuery),
    responses((status = 200, body = [SeriesOut]), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn series(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<SeriesQuery>,
) -> ApiResult<Json<Vec<SeriesOut>>> {
    let person = match &q.person_id {
        Some(id) if *id != actor.user.id => {
            let u = state
                .store()
                .user(&actor.org.id, id)
                .await
                .map_err(|_| AppError::NotFound)?;
            policy::check(&actor, Action::ViewPerson(&u))?;
            u.id
        }
        _ => actor.user.id.clone(),
    };
    let list = state
        .store()
        .series_of_person(&actor.org.id, &person)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|s| SeriesOut {
                id: s.id,
                manager_id: s.manager_id,
                seller_id: s.seller_id,
                kind: s.kind.as_str().to_owned(),
                every_weeks: s.every_weeks,
                minutes: s.minutes,
                prep_minutes: s.prep_minutes,
                time_zone: s.time_zone.name().to_owned(),
                first_at: s.first_at,
                slot_count: s.slot_count,
            })
            .collect(),
    ))
}

/// One kind's cadence in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct CadenceKindOut {
    /// The kind of coaching.
    pub kind: String,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// Minutes.
    pub minutes: u32,
    /// `research` (R10–R13), `organization` or `team`.
    pub source: String,
    /// What the research says, with its id.
    pub research: String,
}

/// The cadence in force for the organization or a team.
#[derive(Debug, Serialize, ToSchema)]
pub struct CadenceOut {
    /// The team's manager, or none for the organization.
    pub team: Option<String>,
    /// Each kind.
    pub kinds: Vec<CadenceKindOut>,
}

/// Which policy.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CadenceQuery {
    /// A team's manager (default: the organization's policy).
    pub team: Option<String>,
}

/// One kind set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadenceKindIn {
    /// The kind of coaching.
    pub kind: String,
    /// Every 1–26 weeks.
    pub every_weeks: i64,
    /// 15–180 minutes, in steps of 5.
    pub minutes: i64,
}

/// A policy: the kinds listed are set; the others follow what applies
/// otherwise (the organization's for a team, the research for the
/// organization).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadenceIn {
    /// A team's manager (none: the organization).
    pub team: Option<String>,
    /// The kinds set.
    pub kinds: Vec<CadenceKindIn>,
}

async fn team_of(state: &AppState, actor: &Actor, team: Option<&str>) -> Result<(), AppError> {
    if let Some(id) = team {
        let teams = crate::rhythm::teams(state, actor).await?;
        if !teams.iter().any(|(t, _)| t == id) {
            return Err(AppError::NotFound);
        }
        let leader = state.store().user(&actor.org.id, id).await?;
        policy::check(actor, Action::ViewTeam(&leader))?;
    }
    Ok(())
}

async fn cadence_out(
    state: &AppState,
    actor: &Actor,
    team: Option<String>,
) -> Result<CadenceOut, AppError> {
    let rules = state
        .store()
        .cadence(&actor.org.id, team.as_deref())
        .await?;
    Ok(CadenceOut {
        team,
        kinds: rules
            .iter()
            .map(|r| CadenceKindOut {
                kind: r.kind.as_str().to_owned(),
                every_weeks: r.every_weeks,
                minutes: r.minutes,
                source: match r.source {
                    CadenceSource::Research => "research",
                    CadenceSource::Organization => "organization",
                    CadenceSource::Team => "team",
                }
                .to_owned(),
                research: cadence_source(r.kind).to_owned(),
            })
            .collect(),
    })
}

/// The cadence in force: the organization's, or a team's.
#[utoipa::path(get, path = "/api/v1/cadence", tag = "coaching", params(CadenceQuery),
    responses((status = 200, body = CadenceOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn cadence(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<CadenceQuery>,
) -> ApiResult<Json<CadenceOut>> {
    team_of(&state, &actor, q.team.as_deref()).await?;
    Ok(Json(cadence_out(&state, &actor, q.team).await?))
}

/// Sets the organization's or a team's cadence (admins).
#[utoipa::path(put, path = "/api/v1/cadence", tag = "coaching", request_body = CadenceIn,
    responses((status = 200, body = CadenceOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_cadence(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<CadenceIn>,
) -> ApiResult<Json<CadenceOut>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    team_of(&state, &actor, body.team.as_deref()).await?;
    let mut rows: Vec<(SessionKind, Option<(u32, u32)>)> =
        SessionKind::ALL.iter().map(|k| (*k, None)).collect();
    for (i, k) in body.kinds.iter().enumerate() {
        let kind: SessionKind = k.kind.parse().map_err(|_| {
            FieldError::new(
                "kinds",
                format!("kinds[{i}].kind: expected a kind of coaching"),
            )
        })?;
        let value = check_cadence(k.every_weeks, k.minutes)
            .map_err(|e| FieldError::new(e.field, format!("kinds[{i}]: {}", e.message)))?;
        if let Some(row) = rows.iter_mut().find(|(r, _)| *r == kind) {
            if row.1.is_some() {
                return Err(FieldError::new(
                    "kinds",
                    format!("kinds[{i}]: {} is listed twice", k.kind),
                )
                .into());
            }
            row.1 = Some(value);
        }
    }
    state
        .store()
        .set_cadence(&actor.org.id, body.team.as_deref(), &rows, &actor.user.id)
        .await?;
    Ok(Json(cadence_out(&state, &actor, body.team).await?))
}
