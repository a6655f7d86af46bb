//! Coaching sessions, the list (R14): what is coming up with each side's
//! preparation (R18, R27), what was held recently with its flags (R41), and
//! a form for leaders to schedule one, or record an ad-hoc one (counted as
//! such). Feedback shows here in aggregate only (R40).

use super::RouteBook;
use super::layout::{Shell, html, sentence};
use crate::auth::Actor;
use crate::coaching;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use coach_core::coaching::{FeedbackView, SessionKind, SessionStatus};
use coach_store::StoreError;
use coach_store::coaching::{NewSession, Session, SessionFilter};
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/sessions", list).post("/sessions", schedule)
}

/// A session as a row.
pub(crate) struct Row {
    pub id: String,
    pub when: String,
    pub kind: &'static str,
    pub with: String,
    pub status: (&'static str, &'static str),
    pub flags: Vec<(&'static str, String)>,
}

/// The person's time zone.
pub(crate) fn zone(actor: &Actor) -> chrono_tz::Tz {
    actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// "Thu 3 Dec, 10:00" in the viewer's zone.
pub(crate) fn when(s: &Session, tz: &chrono_tz::Tz) -> String {
    s.starts_at
        .with_timezone(tz)
        .format("%a %-d %b, %H:%M")
        .to_string()
}

/// The status pill of a session.
pub(crate) fn status_pill(s: &Session) -> (&'static str, &'static str) {
    let class = match s.status {
        SessionStatus::Held => "good",
        SessionStatus::InProgress => "manager",
        SessionStatus::Cancelled | SessionStatus::Missed => "below",
        SessionStatus::Prepared => "seller",
        SessionStatus::Scheduled => "none",
    };
    (class, s.status.label())
}

/// The flags of a session for `viewer`: preparation still due, moved, ad hoc.
pub(crate) fn flags(s: &Session, viewer: &str, today: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if s.status.is_upcoming() {
        let due = s.prep_due_on.format("%a %-d %b");
        if s.seller_prepared_at.is_none() {
            let who = if s.seller_id == viewer {
                "Your preparation"
            } else {
                "Seller's preparation"
            };
            let class = if s.prep_due_on < today {
                "below"
            } else {
                "none"
            };
            out.push((class, format!("{who} due {due}")));
        }
        if s.manager_prepared_at.is_none() && s.manager_id == viewer {
            out.push(("none", "Prepare your questions".to_owned()));
        }
    }
    if s.moved() {
        out.push(("none", "Moved".to_owned()));
    }
    if s.ad_hoc {
        out.push(("none", "Ad hoc".to_owned()));
    }
    out
}

pub(crate) fn row(s: &Session, viewer: &str, tz: &chrono_tz::Tz, today: NaiveDate) -> Row {
    let with = if s.seller_id == viewer {
        format!("with {}", s.manager_name)
    } else if s.manager_id == viewer {
        s.seller_name.clone()
    } else {
        format!("{} with {}", s.seller_name, s.manager_name)
    };
    Row {
        id: s.id.clone(),
        when: when(s, tz),
        kind: s.kind.label(),
        with,
        status: status_pill(s),
        flags: flags(s, viewer, today),
    }
}

/// A manager's feedback for the list (R40).
pub(crate) struct FeedbackLine {
    pub who: String,
    pub text: String,
}

pub(crate) fn feedback_text(v: &FeedbackView) -> String {
    match v {
        FeedbackView::TooFew { n, min } => format!(
            "{n} of {min} answers needed before anything shows, so sellers can be honest (R40)."
        ),
        FeedbackView::Summary {
            n,
            mean_rating,
            would_pay,
        } => {
            let pay = match (would_pay.value(), would_pay.interval()) {
                (Some(v), Some((lo, hi))) if would_pay.enough_data() => {
                    format!(
                        "{:.0}% would have paid for it (95% CI {:.0}–{:.0}%)",
                        v * 100.0,
                        lo * 100.0,
                        hi * 100.0
                    )
                }
                (Some(v), _) => format!(
                    "{:.0}% would have paid for it (too few answers to read a rate, R45)",
                    v * 100.0
                ),
                _ => String::new(),
            };
            format!("Mean rating {mean_rating:.1} of 5 from {n} answers; {pay}.")
        }
    }
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct ListPage {
    shell: Shell,
    coming: Vec<Row>,
    recent: Vec<Row>,
    sellers: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str, u32)>,
    form: ScheduleForm,
    error: Option<String>,
    feedback: Vec<FeedbackLine>,
    to_give: Vec<Row>,
    seller: String,
    leads: bool,
}

/// Filters.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    seller: String,
    #[serde(default)]
    notice: String,
}

/// The schedule form.
#[derive(Debug, Deserialize, Default, Clone)]
pub(crate) struct ScheduleForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub seller_id: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub ad_hoc: Option<String>,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    q: ListQuery,
    form: Option<(ScheduleForm, String)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let tz = zone(actor);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let seller = Some(q.seller.clone()).filter(|s| !s.is_empty());
    let base = SessionFilter {
        seller_id: seller.clone(),
        ..coaching::visible_sessions(actor)
    };
    let now = Utc::now();
    let coming = store
        .coaching_sessions(
            org,
            &SessionFilter {
                statuses: Some(vec![
                    SessionStatus::Scheduled,
                    SessionStatus::Prepared,
                    SessionStatus::InProgress,
                ]),
                from: Some(now - Duration::days(30)),
                limit: Some(40),
                ..base.clone()
            },
        )
        .await?;
    let recent = store
        .coaching_sessions(
            org,
            &SessionFilter {
                from: Some(now - Duration::days(45)),
                statuses: Some(vec![
                    SessionStatus::Held,
                    SessionStatus::Cancelled,
                    SessionStatus::Missed,
                ]),
                newest_first: true,
                limit: Some(40),
                ..base
            },
        )
        .await?;
    let me = actor.user.id.as_str();
    let mut to_give = Vec::new();
    for s in recent
        .iter()
        .filter(|s| s.seller_id == me && s.status == SessionStatus::Held)
        .take(10)
    {
        if store.own_feedback(org, &s.id, me).await?.is_none() {
            to_give.push(row(s, me, &tz, today));
        }
    }
    let held: Vec<String> = recent
        .iter()
        .filter(|s| s.status == SessionStatus::Held)
        .map(|s| s.id.clone())
        .collect();
    let next_steps = store.next_step_counts(org, &held).await?;
    let mut recent_rows = Vec::new();
    for s in &recent {
        let mut r = row(s, me, &tz, today);
        if s.status == SessionStatus::Held && !next_steps.contains_key(&s.id) {
            r.flags.push(("below", "No next step (R41)".to_owned()));
        }
        recent_rows.push(r);
    }
    let sellers: Vec<(String, String)> = coaching::coachable(state, actor)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut feedback = Vec::new();
    if actor.user.roles.leads() || actor.user.roles.has(coach_core::Role::Admin) {
        let mut managers: Vec<(String, String)> = Vec::new();
        if actor.user.roles.has(coach_core::Role::Manager) {
            managers.push((actor.user.id.clone(), "Your sessions".to_owned()));
        }
        let people = store
            .users(
                org,
                &coach_store::UserFilter {
                    only: policy::people_scope(actor).ids(),
                    role: Some(coach_core::Role::Manager),
                    active: Some(true),
                    ..Default::default()
                },
            )
            .await?;
        for u in people.into_iter().filter(|u| u.id != actor.user.id) {
            if policy::allows(actor, Action::ViewFeedbackOf { manager_id: &u.id }) {
                managers.push((u.id, u.name));
            }
        }
        for (id, who) in managers {
            let view = coaching::feedback_of(state, org, &id).await?;
            feedback.push(FeedbackLine {
                who,
                text: feedback_text(&view),
            });
        }
    }
    let notice = match q.notice.as_str() {
        "scheduled" => {
            Some("Session scheduled. Its agenda starts from your organization's template.")
        }
        "feedback" => Some("Thank you. Your manager sees feedback only in aggregate."),
        _ => None,
    };
    let (form, error, status) = match form {
        Some((f, e)) => (f, Some(e), StatusCode::UNPROCESSABLE_ENTITY),
        None => (
            ScheduleForm {
                kind: SessionKind::Opportunity.as_str().to_owned(),
                day: (today + Duration::days(7)).to_string(),
                time: "10:00".to_owned(),
                ..ScheduleForm::default()
            },
            None,
            StatusCode::OK,
        ),
    };
    let view = ListPage {
        shell: Shell::new(actor, "/sessions", state.config().email_enabled).with_notice(notice),
        coming: coming.iter().map(|s| row(s, me, &tz, today)).collect(),
        recent: recent_rows,
        leads: !sellers.is_empty(),
        sellers,
        kinds: SessionKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(), k.default_minutes()))
            .collect(),
        form,
        error,
        feedback,
        to_give,
        seller: q.seller,
    };
    Ok(html(status, &view))
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    render(&state, &actor, q, None).await
}

async fn schedule(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<ScheduleForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let seller = store
        .user(&actor.org.id, &form.seller_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound,
            other => other.into(),
        })?;
    policy::check(
        &actor,
        Action::ScheduleSession {
            seller_id: &seller.id,
        },
    )?;
    let fail = |message: String| (form.clone(), sentence(&message));
    let parsed = (|| {
        let kind: SessionKind = form.kind.parse().map_err(|e: String| e)?;
        let day = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d")
            .map_err(|_| "expected the day, such as 2026-12-03".to_owned())?;
        let time = NaiveTime::parse_from_str(form.time.trim(), "%H:%M")
            .map_err(|_| "expected the time, such as 10:00".to_owned())?;
        let minutes = match form.minutes.trim() {
            "" => None,
            m => Some(
                m.parse::<u32>()
                    .map_err(|_| "expected the length in minutes".to_owned())?,
            ),
        };
        let starts_at = zone(&actor)
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .ok_or_else(|| "that time does not exist on that day in your time zone".to_owned())?
            .with_timezone(&Utc);
        Ok::<_, String>((kind, starts_at, minutes))
    })();
    let (kind, starts_at, minutes) = match parsed {
        Ok(p) => p,
        Err(e) => return render(&state, &actor, ListQuery::default(), Some(fail(e))).await,
    };
    let created = store
        .create_coaching_session(
            &actor.org.id,
            NewSession {
                kind,
                manager_id: actor.user.id.clone(),
                seller_id: seller.id.clone(),
                starts_at,
                minutes,
                ad_hoc: form.ad_hoc.is_some(),
                series_id: None,
                desired_outcome: None,
            },
            &actor.user.id,
        )
        .await;
    match created {
        Ok(s) => Ok(Redirect::to(&format!("/sessions/{}?notice=scheduled", s.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            render(&state, &actor, ListQuery::default(), Some(fail(e.message))).await
        }
        Err(e) => Err(e.into()),
    }
}
