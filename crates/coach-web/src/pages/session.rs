//! One coaching session, from preparation to feedback, on one page that
//! follows its life (R34–R43): the seller picks deals (R25–R27) and the
//! manager prepares questions (R37) before it; in the room the conversation
//! walks through its steps (R36) with a timer per agenda item, decisions and
//! each side's notes (R38); the seller's summary becomes action items (R39,
//! R41); afterwards the seller gives feedback (R40) and an observing director
//! files an observation (R43). Printable, and downloadable as Markdown.

use super::RouteBook;
use super::layout::{Shell, form_page, html, sentence};
use super::sessions::{status_pill, when, zone};
use crate::auth::Actor;
use crate::coaching::{self, Want, session_for};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use coach_core::FieldError;
use coach_core::coaching::{
    ActionStatus, OBSERVATION_CHECKS, Phase, Section, SessionKind, SessionStatus, SubjectKind,
};
use coach_store::StoreError;
use coach_store::coaching::{
    ActionItem, ItemPatch, NewActionItem, NewFeedback, NewItem, Session, SessionPatch, Transition,
};
use coach_store::crm::RecordFilter;
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/sessions/{id}", show)
        .get("/sessions/{id}/print", print)
        .get("/sessions/{id}/summary.md", markdown)
        .post("/sessions/{id}/status", status)
        .post("/sessions/{id}/plan", plan)
        .post("/sessions/{id}/phase", phase)
        .post("/sessions/{id}/agenda", add_item)
        .post("/sessions/{id}/agenda/{item_id}", change_item)
        .post("/sessions/{id}/notes", add_note)
        .post("/sessions/{id}/notes/{note_id}", save_note)
        .post("/sessions/{id}/prepared", prepared)
        .post("/sessions/{id}/questions", add_question)
        .post("/sessions/{id}/questions/{question_id}", change_question)
        .post("/sessions/{id}/observer", observer)
        .post("/sessions/{id}/observation", observation)
        .post("/sessions/{id}/feedback", feedback)
        .post("/sessions/{id}/action-items", add_action)
}

/// An agenda item as the page shows it.
pub(crate) struct ItemView {
    id: String,
    /// The deal it is about, for "plan the next call" (R32).
    deal: Option<String>,
    /// The account it is about, for its account plan (R7).
    account: Option<String>,
    title: String,
    about: Option<(String, String)>,
    minutes: u32,
    spent: String,
    over: bool,
    /// Checking numbers rather than coaching (R15).
    inspection: bool,
    running: bool,
    started: String,
    decision: String,
    version: i64,
}

/// A section of the agenda.
pub(crate) struct SectionView {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    items: Vec<ItemView>,
}

/// An action item as a line.
pub(crate) struct ActionView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub about: Option<(String, String)>,
    pub due: String,
    pub status: (&'static str, String),
    pub open: bool,
}

pub(crate) fn action_view(i: &ActionItem, today: NaiveDate) -> ActionView {
    let status = match i.status {
        ActionStatus::Open if i.overdue(today) => (
            "below",
            format!("Overdue since {}", i.due_on.format("%-d %b")),
        ),
        ActionStatus::Open => ("none", "Open".to_owned()),
        ActionStatus::Done => {
            let late = i.closed_on.is_some_and(|d| d > i.due_on);
            (
                "good",
                if late {
                    "Done late".to_owned()
                } else {
                    "Done".to_owned()
                },
            )
        }
        ActionStatus::Dropped => ("none", "Dropped".to_owned()),
    };
    ActionView {
        id: i.id.clone(),
        title: i.title.clone(),
        owner: i.owner_name.clone(),
        about: i
            .subject
            .as_ref()
            .map(|(k, id)| link(*k, id, i.subject_name.as_deref())),
        due: i.due_on.format("%a %-d %b").to_string(),
        status,
        open: i.status == ActionStatus::Open,
    }
}

/// The link and label of what an item is about.
pub(crate) fn link(kind: SubjectKind, id: &str, name: Option<&str>) -> (String, String) {
    let href = match kind {
        SubjectKind::Account => format!("/accounts/{id}"),
        SubjectKind::Opportunity => format!("/opportunities/{id}"),
        SubjectKind::Call => format!("/calls/{id}"),
        SubjectKind::ActivityType => format!("/model/activity-types/{id}"),
        SubjectKind::Plan | SubjectKind::ActionItem => String::new(),
    };
    (
        href,
        format!("{}: {}", kind.label(), name.unwrap_or("(removed)")),
    )
}

/// A deal for preparation (R25–R27).
pub(crate) struct DealView {
    id: String,
    name: String,
    stage: &'static str,
    early: bool,
    fresh: bool,
    updated: String,
    next_step: String,
    /// What the deal's plan says to notice (R22, R24), in short.
    flags: Vec<&'static str>,
}

/// An observation as the page shows it: who, each check's answer, comment.
type ObservationView = (String, Vec<(&'static str, &'static str)>, String);

/// An agenda item on the printed page: title, what about, minutes, decision.
type PrintItem = (String, Option<String>, u32, String);

/// A note as the page shows it.
pub(crate) struct NoteView {
    id: String,
    author: String,
    body: String,
    shared: bool,
    version: i64,
    updated: String,
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    shell: Shell,
    id: String,
    title: String,
    seller: String,
    manager: String,
    observer: Option<String>,
    when: String,
    minutes: u32,
    planned: u32,
    status: (&'static str, &'static str),
    moved_from: Option<String>,
    ad_hoc: bool,
    outcome: String,
    prep_due: String,
    prep_late: bool,
    seller_prepared: Option<String>,
    manager_prepared: Option<String>,
    prep_minutes: u32,
    agreed_at: Option<String>,
    reviewed_at: Option<String>,
    cancel_reason: String,
    version: i64,
    is_manager: bool,
    is_seller: bool,
    is_observer: bool,
    can_join: bool,
    can_edit: bool,
    coach_side: bool,
    involved: bool,
    upcoming: bool,
    running: bool,
    held: bool,
    opportunity: bool,
    /// The plan a session of this kind works on: the seller's territory
    /// plan (R6), or a new call plan for call coaching (R28).
    territory: Option<(String, &'static str)>,
    /// For account sessions: what it dwelt on (R7), as (key, label).
    focus: Option<(&'static str, &'static str)>,
    sections: Vec<SectionView>,
    review: Vec<ActionView>,
    agreed: Vec<ActionView>,
    warnings: Vec<String>,
    no_next_step: bool,
    phases: Vec<(&'static str, &'static str, bool)>,
    phase_guide: &'static str,
    questions: Vec<(String, String, bool, bool)>,
    bank: Vec<(String, bool, &'static str)>,
    picked: Vec<DealView>,
    candidates: Vec<DealView>,
    criteria: String,
    max_deals: usize,
    subjects: Vec<(String, String)>,
    mine: Vec<NoteView>,
    theirs: Vec<NoteView>,
    observation: Option<ObservationView>,
    checks: Vec<(&'static str, &'static str, Option<bool>)>,
    give_feedback: bool,
    feedback_given: bool,
    error: Option<String>,
    due_default: String,
    today: String,
    move_day: String,
    move_time: String,
}

/// `?notice=` and `?error=` (the latter selects a fixed message).
#[derive(Debug, Deserialize, Default)]
pub(crate) struct PageQuery {
    #[serde(default)]
    notice: String,
}

fn notice(key: &str) -> Option<&'static str> {
    Some(match key {
        "scheduled" => "Session scheduled. Its agenda starts from your organization's template.",
        "prepared" => "Preparation marked done.",
        "opened" => "The session is open: the agenda is agreed (R34).",
        "closed" => "The session is closed: the agenda was reviewed (R34).",
        "cancelled" => "Session cancelled.",
        "missed" => "Recorded as missed.",
        "moved" => "Session moved. The time first scheduled is kept (R14).",
        "saved" => "Saved.",
        "feedback" => "Thank you. Your manager sees feedback only in aggregate.",
        "observed" => "Observation filed. The manager sees it.",
        "joined" => "You observe this session (R43).",
        _ => return None,
    })
}

fn minutes_text(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn ago(t: Option<DateTime<Utc>>) -> String {
    match t {
        None => "never".to_owned(),
        Some(t) => {
            let days = (Utc::now() - t).num_days();
            match days {
                0 => "today".to_owned(),
                1 => "yesterday".to_owned(),
                d => format!("{d} days ago"),
            }
        }
    }
}

async fn render(
    state: &AppState,
    actor: &Actor,
    s: Session,
    notice_key: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let me = actor.user.id.as_str();
    let tz = zone(actor);
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let p = coaching::picture(state, org, &s).await?;
    let is_manager = s.manager_id == me;
    let is_seller = s.seller_id == me;
    let is_observer = s.observer_id.as_deref() == Some(me);
    let can_edit = policy::allows(actor, Action::EditAgenda(&s));
    let coach_side = policy::allows(actor, Action::ViewCoachSide(&s));
    let upcoming = s.status.is_upcoming();
    let running = s.status == SessionStatus::InProgress;
    let held = s.status == SessionStatus::Held;
    let sections = Section::ALL
        .iter()
        .map(|section| SectionView {
            key: section.as_str(),
            label: section.label(),
            hint: match section {
                Section::Review => {
                    "Earlier commitments: open ones, and those due in the last two weeks (R35)."
                }
                Section::Focus => {
                    "Few items, in depth (R34). What each is about, never only a number (R1)."
                }
                Section::NextSteps => "The seller summarizes: who does what by when (R35, R41).",
            },
            items: p
                .agenda
                .iter()
                .filter(|i| i.section == *section)
                .map(|i| {
                    let spent = i.seconds_at(now);
                    ItemView {
                        id: i.id.clone(),
                        deal: match &i.subject {
                            Some((SubjectKind::Opportunity, id)) => Some(id.clone()),
                            _ => None,
                        },
                        account: match &i.subject {
                            Some((SubjectKind::Account, id)) => Some(id.clone()),
                            _ => None,
                        },
                        title: i.title.clone(),
                        about: i
                            .subject
                            .as_ref()
                            .filter(|(k, _)| *k != SubjectKind::ActionItem)
                            .map(|(k, id)| {
                                let (href, label) = link(*k, id, i.subject_name.as_deref());
                                // An item named after its record links to it by kind alone.
                                if i.subject_name.as_deref() == Some(i.title.as_str()) {
                                    (href, format!("Open the {}", k.label().to_lowercase()))
                                } else {
                                    (href, label)
                                }
                            }),
                        minutes: i.minutes,
                        spent: minutes_text(spent),
                        over: spent > i64::from(i.minutes) * 60 && i.minutes > 0,
                        inspection: i.inspection,
                        running: i.timer_started_at.is_some(),
                        started: i
                            .timer_started_at
                            .map(|t| (t.timestamp() - i.spent_seconds).to_string())
                            .unwrap_or_default(),
                        decision: i.decision.clone(),
                        version: i.version,
                    }
                })
                .collect(),
        })
        .collect();
    let planned = p.agenda.iter().map(|i| i.minutes).sum();
    let (questions, bank) = if coach_side {
        let prepared = store.prepared_questions(org, &s.id).await?;
        let have: Vec<String> = prepared.iter().map(|q| q.text.clone()).collect();
        let bank = if is_manager && s.is_open_for_edits() {
            store
                .question_bank(org, Some(s.kind))
                .await?
                .into_iter()
                .filter(|q| !have.contains(&q.text))
                .map(|q| (q.text, q.open, q.stage.map_or("Any stage", |st| st.label())))
                .collect()
        } else {
            Vec::new()
        };
        (
            prepared
                .into_iter()
                .map(|q| (q.id, q.text, q.open, q.asked))
                .collect(),
            bank,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let settings = store.coaching_settings(org).await?;
    let deal = |d: coach_store::coaching::DealCheck, next: Option<String>| DealView {
        id: d.opportunity_id,
        name: d.name,
        stage: d.stage.label(),
        early: d.stage.is_early(),
        fresh: d.fresh,
        updated: ago(d.updated_at),
        next_step: next.unwrap_or_default(),
        flags: Vec::new(),
    };
    // The seller's open deals, read once: to pick from and to name as subjects.
    let open_deals = if can_edit && s.is_open_for_edits() {
        store.deals_to_pick(org, &s.seller_id).await?
    } else {
        Vec::new()
    };
    let (picked, candidates) = if s.kind == SessionKind::Opportunity {
        let picked_raw = store.picked_deals(org, &s).await?;
        let mut picked = Vec::new();
        for d in picked_raw.iter().cloned() {
            let next = store
                .opportunity(org, &d.opportunity_id)
                .await
                .ok()
                .and_then(|o| o.next_step);
            // What the deal's plan says to notice, for the manager's
            // preparation (R22, R24).
            let plan = store.opportunity_plan(org, &d.opportunity_id).await?;
            let mut view = deal(d, next);
            if coach_core::opportunity_plans::crm_ahead(plan.crm_stage, plan.stage).is_some() {
                view.flags.push("CRM ahead of the buyer's evidence (R24)");
            }
            if coach_core::opportunity_plans::no_criteria(&plan, plan.stage, plan.crm_stage)
                .is_some()
            {
                view.flags.push("No buying criteria (R22)");
            }
            picked.push(view);
        }
        let candidates = if can_edit && upcoming {
            open_deals
                .iter()
                .filter(|c| {
                    !picked_raw
                        .iter()
                        .any(|p| p.opportunity_id == c.opportunity_id)
                })
                .take(12)
                .cloned()
                .map(|d| deal(d, None))
                .collect()
        } else {
            Vec::new()
        };
        (picked, candidates)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut subjects = Vec::new();
    if can_edit && s.is_open_for_edits() {
        let owned = RecordFilter {
            owner_id: Some(s.seller_id.clone()),
            limit: Some(100),
            by_display_order: true,
            ..RecordFilter::default()
        };
        for d in open_deals.iter().take(50) {
            subjects.push((
                format!("opportunity:{}", d.opportunity_id),
                format!("Deal: {}", d.name),
            ));
        }
        for a in store.accounts(org, &owned).await? {
            subjects.push((format!("account:{}", a.id), format!("Account: {}", a.name)));
        }
        for t in store
            .roa_model(org)
            .await?
            .activity_types
            .into_iter()
            .filter(|t| t.active)
        {
            subjects.push((
                format!("activity_type:{}", t.id),
                format!("Activity: {}", t.name),
            ));
        }
    }
    let (mine, theirs) = if s.involves(me) {
        let notes = store.notes(org, &s.id, me).await?;
        let view = |n: &coach_store::coaching::Note| NoteView {
            id: n.id.clone(),
            author: n.author_name.clone(),
            body: n.body.clone(),
            shared: n.shared,
            version: n.version,
            updated: n
                .updated_at
                .with_timezone(&tz)
                .format("%-d %b, %H:%M")
                .to_string(),
        };
        (
            notes
                .iter()
                .filter(|n| n.author_id == me)
                .map(view)
                .collect(),
            notes
                .iter()
                .filter(|n| n.author_id != me)
                .map(view)
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let filed = if coach_side || is_observer {
        store.observation(org, &s.id).await?
    } else {
        None
    };
    let observation = if coach_side {
        filed.as_ref().map(|o| {
            let lines = coaching::checks(o)
                .into_iter()
                .map(|(q, a)| {
                    (
                        q,
                        match a {
                            Some(true) => "Yes",
                            Some(false) => "No",
                            None => "Not answered",
                        },
                    )
                })
                .collect();
            (o.observer_name.clone(), lines, o.comment.clone())
        })
    } else {
        None
    };
    let filed = filed.filter(|_| is_observer);
    let checks = OBSERVATION_CHECKS
        .iter()
        .map(|(k, q)| {
            (
                *k,
                *q,
                filed.as_ref().and_then(|o| o.checks.get(*k).copied()),
            )
        })
        .collect();
    let feedback_given = is_seller && store.own_feedback(org, &s.id, me).await?.is_some();
    let local = s.starts_at.with_timezone(&tz);
    let view = SessionPage {
        shell: Shell::new(actor, "/sessions", state.config().email_enabled)
            .with_notice(notice(notice_key)),
        id: s.id.clone(),
        title: format!("{} coaching", s.kind.label()),
        seller: s.seller_name.clone(),
        manager: s.manager_name.clone(),
        observer: s.observer_name.clone(),
        when: local.format("%A %-d %B %Y, %H:%M").to_string(),
        minutes: s.minutes,
        planned,
        status: status_pill(&s),
        moved_from: s
            .original_starts_at
            .map(|t| t.with_timezone(&tz).format("%a %-d %b, %H:%M").to_string()),
        ad_hoc: s.ad_hoc,
        outcome: s.desired_outcome.clone(),
        prep_due: s.prep_due_on.format("%A %-d %B").to_string(),
        prep_late: upcoming && s.seller_prepared_at.is_none() && s.prep_due_on < today,
        seller_prepared: s
            .seller_prepared_at
            .map(|t| t.with_timezone(&tz).format("%a %-d %b").to_string()),
        manager_prepared: s
            .manager_prepared_at
            .map(|t| t.with_timezone(&tz).format("%a %-d %b").to_string()),
        prep_minutes: s.prep_minutes,
        agreed_at: s
            .agenda_agreed_at
            .map(|t| t.with_timezone(&tz).format("%H:%M").to_string()),
        reviewed_at: s
            .agenda_reviewed_at
            .map(|t| t.with_timezone(&tz).format("%H:%M").to_string()),
        cancel_reason: s.cancel_reason.clone(),
        version: s.version,
        is_manager,
        is_seller,
        is_observer,
        can_join: policy::allows(actor, Action::Observe(&s))
            && !is_observer
            && !s.status.is_final(),
        can_edit,
        coach_side,
        involved: s.involves(me),
        upcoming,
        running,
        held,
        opportunity: s.kind == SessionKind::Opportunity,
        territory: matches!(
            s.kind,
            SessionKind::TerritoryTactical | SessionKind::TerritoryStrategic
        )
        .then(|| (format!("/territory/{}", s.seller_id), "Territory plan"))
        .or_else(|| {
            (s.kind == SessionKind::Call && can_edit).then(|| {
                (
                    format!("/call-plans/new?seller={}&session={}", s.seller_id, s.id),
                    "Plan a call",
                )
            })
        }),
        focus: (s.kind == SessionKind::Account).then(|| match s.focus {
            Some(f) => (f.as_str(), f.label()),
            None => ("", "Not marked"),
        }),
        sections,
        review: p.review.iter().map(|i| action_view(i, today)).collect(),
        agreed: p.agreed.iter().map(|i| action_view(i, today)).collect(),
        warnings: p.warnings.iter().map(|w| w.message()).collect(),
        no_next_step: p.no_next_step,
        phases: Phase::ALL
            .iter()
            .map(|ph| (ph.as_str(), ph.label(), *ph == s.phase))
            .collect(),
        phase_guide: s.phase.guide(),
        questions,
        bank,
        picked,
        candidates,
        criteria: settings.deal_criteria,
        max_deals: coach_core::coaching::max_deals(s.minutes),
        subjects,
        mine,
        theirs,
        observation,
        checks,
        give_feedback: is_seller && held && !feedback_given,
        feedback_given,
        error,
        due_default: (today + Duration::days(7)).to_string(),
        today: today.to_string(),
        move_day: local.date_naive().to_string(),
        move_time: local.format("%H:%M").to_string(),
    };
    Ok(form_page(&view, view.error.is_some()))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    render(&state, &actor, s, &q.notice, None).await
}

/// Redirects to the session with a notice, or re-renders it with the error
/// of a refused change (422).
async fn done(
    state: &AppState,
    actor: &Actor,
    id: &str,
    result: Result<(), StoreError>,
    notice: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/sessions/{id}?notice={notice}{anchor}")).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            let s = state.store().coaching_session(&actor.org.id, id).await?;
            render(state, actor, s, "", Some(sentence(&e.message))).await
        }
        Err(StoreError::Stale) => {
            let s = state.store().coaching_session(&actor.org.id, id).await?;
            render(state, actor, s, "", Some("Someone changed this while you were editing. Here is the latest; make your change again.".to_owned())).await
        }
        Err(e) => Err(e.into()),
    }
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    StoreError::Invalid(FieldError::new(field, message))
}

/// The form of a move along the life cycle.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

async fn status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    let (to, notice) = match f.to.as_str() {
        "open" => (Transition::Open, "opened"),
        "close" => (Transition::Close, "closed"),
        "cancel" => (Transition::Cancel(f.reason), "cancelled"),
        "missed" => (Transition::Missed, "missed"),
        _ => {
            return done(
                &state,
                &actor,
                &id,
                Err(invalid("to", "choose open, close, cancel or missed")),
                "",
                "",
            )
            .await;
        }
    };
    let r = state
        .store()
        .transition(&actor.org.id, &id, None, to)
        .await
        .map(|_| ());
    done(&state, &actor, &id, r, notice, "").await
}

/// The form of a session's plan.
#[derive(Debug, Deserialize)]
pub(crate) struct PlanForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    desired_outcome: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

async fn plan(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::Lead).await?;
    let tz = zone(&actor);
    let starts_at = if f.day.trim().is_empty() {
        None
    } else {
        let parsed = NaiveDate::parse_from_str(f.day.trim(), "%Y-%m-%d")
            .ok()
            .zip(NaiveTime::parse_from_str(f.time.trim(), "%H:%M").ok())
            .and_then(|(d, t)| tz.from_local_datetime(&d.and_time(t)).earliest());
        match parsed {
            Some(t) => Some(t.with_timezone(&Utc)),
            None => {
                return done(
                    &state,
                    &actor,
                    &id,
                    Err(invalid(
                        "starts_at",
                        "expected a day and a time, such as 2026-12-03 and 10:00",
                    )),
                    "",
                    "",
                )
                .await;
            }
        }
    };
    let minutes = match f.minutes.trim() {
        "" => None,
        m => match m.parse::<u32>() {
            Ok(m) => Some(m),
            Err(_) => {
                return done(
                    &state,
                    &actor,
                    &id,
                    Err(invalid("minutes", "expected the length in minutes")),
                    "",
                    "",
                )
                .await;
            }
        },
    };
    let moved = starts_at.is_some_and(|t| t != s.starts_at);
    let r = state
        .store()
        .update_coaching_session(
            &actor.org.id,
            &id,
            f.version,
            SessionPatch {
                starts_at,
                minutes,
                desired_outcome: f.desired_outcome,
                phase: None,
            },
        )
        .await
        .map(|_| ());
    done(
        &state,
        &actor,
        &id,
        r,
        if moved { "moved" } else { "saved" },
        "",
    )
    .await
}

/// The form of the conversation's step.
#[derive(Debug, Deserialize)]
pub(crate) struct PhaseForm {
    #[serde(default)]
    phase: String,
}

async fn phase(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<PhaseForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    let r = match f.phase.parse::<Phase>() {
        Ok(phase) => state
            .store()
            .update_coaching_session(
                &actor.org.id,
                &id,
                None,
                SessionPatch {
                    phase: Some(phase),
                    ..SessionPatch::default()
                },
            )
            .await
            .map(|_| ()),
        Err(e) => Err(invalid("phase", &e)),
    };
    done(&state, &actor, &id, r, "saved", "#room").await
}

fn subject(about: &str) -> Result<Option<(SubjectKind, String)>, StoreError> {
    match about.trim().split_once(':') {
        None if about.trim().is_empty() => Ok(None),
        Some((kind, id)) if !id.is_empty() => kind
            .parse::<SubjectKind>()
            .map(|k| Some((k, id.to_owned())))
            .map_err(|e| invalid("subject_kind", &e)),
        _ => Err(invalid("subject_id", "choose what the item is about")),
    }
}

/// The form of a new agenda item.
#[derive(Debug, Deserialize)]
pub(crate) struct ItemForm {
    #[serde(default)]
    section: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    about: String,
    #[serde(default)]
    inspection: String,
}

async fn add_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Edit).await?;
    let r = async {
        let section: Section = f
            .section
            .parse()
            .map_err(|e: String| invalid("section", &e))?;
        let minutes = match f.minutes.trim() {
            "" => 0,
            m => m
                .parse::<u32>()
                .map_err(|_| invalid("minutes", "expected the minutes it takes"))?,
        };
        let item = NewItem {
            section,
            title: f.title.clone(),
            minutes,
            subject: subject(&f.about)?,
            inspection: !f.inspection.is_empty(),
        };
        state
            .store()
            .add_agenda_item(&actor.org.id, &id, item, &actor.user.id)
            .await
            .map(|_| ())
    }
    .await;
    done(&state, &actor, &id, r, "saved", "#agenda").await
}

/// The form of a change to an agenda item.
#[derive(Debug, Deserialize)]
pub(crate) struct ChangeItemForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    version: Option<i64>,
}

async fn change_item(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, item_id)): Path<(String, String)>,
    Form(f): Form<ChangeItemForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Edit).await?;
    let owner = state
        .store()
        .agenda_item_session(&actor.org.id, &item_id)
        .await?;
    if owner.id != id {
        return Err(AppError::NotFound);
    }
    let store = state.store();
    let org = &actor.org.id;
    let r = match f.action.as_str() {
        "remove" => store.remove_agenda_item(org, &item_id, f.version).await,
        "start" | "stop" => store
            .update_agenda_item(
                org,
                &item_id,
                None,
                ItemPatch {
                    timer: Some(f.action == "start"),
                    ..ItemPatch::default()
                },
            )
            .await
            .map(|_| ()),
        "decide" => store
            .update_agenda_item(
                org,
                &item_id,
                f.version,
                ItemPatch {
                    decision: Some(f.decision),
                    ..ItemPatch::default()
                },
            )
            .await
            .map(|_| ()),
        _ => Err(invalid("action", "choose what to do with the item")),
    };
    done(&state, &actor, &id, r, "saved", "#agenda").await
}

/// The form of a note.
#[derive(Debug, Deserialize)]
pub(crate) struct NoteForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    shared: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

async fn add_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Notes).await?;
    let r = state
        .store()
        .add_note(
            &actor.org.id,
            &id,
            &actor.user.id,
            &f.body,
            f.shared.is_some(),
        )
        .await
        .map(|_| ());
    done(&state, &actor, &id, r, "saved", "#notes").await
}

async fn save_note(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, note_id)): Path<(String, String)>,
    Form(f): Form<NoteForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Notes).await?;
    let note = state
        .store()
        .note(&actor.org.id, &note_id, &actor.user.id)
        .await?;
    if note.session_id != id {
        return Err(AppError::NotFound);
    }
    let r = state
        .store()
        .save_note(
            &actor.org.id,
            &note_id,
            &actor.user.id,
            f.version,
            Some(&f.body),
            Some(f.shared.is_some()),
        )
        .await
        .map(|_| ());
    done(&state, &actor, &id, r, "saved", "#notes").await
}

/// The form of a side's preparation.
#[derive(Debug, Deserialize)]
pub(crate) struct PreparedForm {
    #[serde(default)]
    prep_minutes: String,
}

async fn prepared(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<PreparedForm>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::Edit).await?;
    let store = state.store();
    let r = if s.seller_id == actor.user.id {
        store.seller_prepared(&actor.org.id, &id).await.map(|_| ())
    } else {
        match f.prep_minutes.trim().parse::<u32>() {
            Ok(m) => store
                .manager_prepared(&actor.org.id, &id, m)
                .await
                .map(|_| ()),
            Err(_) => Err(invalid(
                "prep_minutes",
                "say how many minutes you spent preparing (R18)",
            )),
        }
    };
    done(&state, &actor, &id, r, "prepared", "#prepare").await
}

/// The form of a prepared question.
#[derive(Debug, Deserialize)]
pub(crate) struct QuestionForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    open: Option<String>,
    #[serde(default)]
    action: String,
}

async fn add_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<QuestionForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    let r = state
        .store()
        .prepare_question(&actor.org.id, &id, &f.text, f.open.is_some())
        .await
        .map(|_| ());
    done(&state, &actor, &id, r, "saved", "#prepare").await
}

async fn change_question(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, question_id)): Path<(String, String)>,
    Form(f): Form<QuestionForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Lead).await?;
    let asked = match f.action.as_str() {
        "asked" => Some(true),
        "unasked" => Some(false),
        _ => None,
    };
    state
        .store()
        .set_question(&actor.org.id, &id, &question_id, asked)
        .await?;
    Ok(Redirect::to(&format!("/sessions/{id}#questions")).into_response())
}

/// Join or leave as observer.
#[derive(Debug, Deserialize)]
pub(crate) struct ObserverForm {
    #[serde(default)]
    action: String,
}

async fn observer(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ObserverForm>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::Observe).await?;
    let r = if f.action == "leave" {
        if s.observer_id.as_deref() != Some(actor.user.id.as_str()) {
            return Err(AppError::Forbidden("You do not observe this session."));
        }
        state
            .store()
            .set_observer(&actor.org.id, &id, None)
            .await
            .map(|_| ())
    } else if s.status.is_final() {
        Err(invalid("observer_id", "the session is over"))
    } else {
        state
            .store()
            .set_observer(&actor.org.id, &id, Some(&actor.user.id))
            .await
            .map(|_| ())
    };
    done(
        &state,
        &actor,
        &id,
        r,
        if f.action == "leave" {
            "saved"
        } else {
            "joined"
        },
        "",
    )
    .await
}

async fn observation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Observe).await?;
    let mut checks = BTreeMap::new();
    let mut comment = String::new();
    for (k, v) in f {
        if k == "comment" {
            comment = v;
        } else if let Some(key) = k.strip_prefix("check_") {
            checks.insert(key.to_owned(), v == "yes");
        }
    }
    let r = state
        .store()
        .file_observation(&actor.org.id, &id, &actor.user.id, &checks, &comment)
        .await
        .map(|_| ());
    done(&state, &actor, &id, r, "observed", "#observation").await
}

/// The seller's feedback form (R40).
#[derive(Debug, Deserialize)]
pub(crate) struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    would_pay: String,
    #[serde(default)]
    most_valuable: String,
    #[serde(default)]
    could_be_better: String,
}

async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    session_for(&state, &actor, &id, Want::Seller).await?;
    let r = match (f.rating.parse::<i64>(), f.would_pay.as_str()) {
        (Ok(rating), "yes" | "no") => {
            state
                .store()
                .give_feedback(
                    &actor.org.id,
                    &id,
                    &NewFeedback {
                        most_valuable: f.most_valuable,
                        could_be_better: f.could_be_better,
                        rating,
                        would_pay: f.would_pay == "yes",
                    },
                )
                .await
        }
        (Err(_), _) => Err(invalid("rating", "choose a rating from 1 to 5")),
        _ => Err(invalid(
            "would_pay",
            "say whether you would have paid for this session",
        )),
    };
    done(&state, &actor, &id, r, "feedback", "#feedback").await
}

/// The form of a next step.
#[derive(Debug, Deserialize)]
pub(crate) struct ActionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    about: String,
}

async fn add_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::Edit).await?;
    let r = async {
        let due_on = NaiveDate::parse_from_str(f.due_on.trim(), "%Y-%m-%d")
            .map_err(|_| invalid("due_on", "expected the day it is due"))?;
        let owner_id = if f.owner == "manager" {
            Some(s.manager_id.clone())
        } else {
            None
        };
        state
            .store()
            .create_action_item(
                &actor.org.id,
                NewActionItem {
                    session_id: id.clone(),
                    owner_id,
                    title: f.title.clone(),
                    subject: subject(&f.about)?,
                    due_on,
                },
                &actor.user.id,
            )
            .await
            .map(|_| ())
    }
    .await;
    done(&state, &actor, &id, r, "saved", "#next").await
}

#[derive(Template)]
#[template(path = "session_print.html")]
struct PrintPage {
    id: String,
    title: String,
    org: String,
    seller: String,
    manager: String,
    when: String,
    minutes: u32,
    status: &'static str,
    outcome: String,
    sections: Vec<(&'static str, Vec<PrintItem>)>,
    review: Vec<ActionView>,
    agreed: Vec<ActionView>,
    no_next_step: bool,
}

async fn print(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    let tz = zone(&actor);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let p = coaching::picture(&state, &actor.org.id, &s).await?;
    let view = PrintPage {
        id: s.id.clone(),
        title: format!("{} coaching", s.kind.label()),
        org: actor.org.name.clone(),
        seller: s.seller_name.clone(),
        manager: s.manager_name.clone(),
        when: when(&s, &tz),
        minutes: s.minutes,
        status: s.status.label(),
        outcome: s.desired_outcome.clone(),
        sections: Section::ALL
            .iter()
            .map(|sec| {
                (
                    sec.label(),
                    p.agenda
                        .iter()
                        .filter(|i| i.section == *sec)
                        .map(|i| {
                            (
                                i.title.clone(),
                                // A deal's item is named after it: say the name once.
                                i.subject_name.clone().filter(|n| *n != i.title),
                                i.minutes,
                                i.decision.clone(),
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
        review: p.review.iter().map(|i| action_view(i, today)).collect(),
        agreed: p.agreed.iter().map(|i| action_view(i, today)).collect(),
        no_next_step: p.no_next_step,
    };
    Ok(html(StatusCode::OK, &view))
}

async fn markdown(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    let text = coaching::markdown(&state, &actor, &s, &zone(&actor)).await?;
    let name = format!(
        "coaching-{}-{}.md",
        s.starts_at.format("%Y-%m-%d"),
        s.kind.as_str()
    );
    let mut r = text.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
