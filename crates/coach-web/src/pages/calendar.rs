//! Calendar feeds (RFC 5545, reliability T14): each person's coaching
//! sessions and, for managers, their preparation blocks (R18), at a secret
//! URL their calendar subscribes to; a session's own `.ics` for one-off
//! adding; and rotating the secret, which ends the old URL.
//!
//! The feed's secret is its only key: it is in the path alone, never in a
//! log line (requests are logged by route template), and a wrong or old one
//! gets the same 404 as a page that does not exist.

use super::RouteBook;
use crate::auth::Actor;
use crate::coaching::{Want, session_for};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use coach_core::coaching::SessionStatus;
use coach_core::ical::{Event, Instance, Recurring, feed};
use coach_store::User;
use coach_store::coaching::{Session, SessionFilter};
use std::collections::BTreeMap;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/calendar/{file}", subscribed)
        .get("/sessions/{id}/calendar.ics", one)
        .post("/profile/calendar", rotate)
}

/// The feed's address for a secret.
pub(crate) fn feed_url(state: &AppState, secret: &str) -> String {
    format!(
        "{}/calendar/{secret}.ics",
        state.config().base_url.trim_end_matches('/')
    )
}

fn ics(body: String, file: Option<&str>) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(name) =
        file.and_then(|f| HeaderValue::from_str(&format!("attachment; filename=\"{f}\"")).ok())
    {
        h.insert(header::CONTENT_DISPOSITION, name);
    }
    r
}

/// A person's feed, by its secret.
async fn subscribed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let Some(secret) = file.strip_suffix(".ics") else {
        return Err(AppError::NotFound);
    };
    let Some((org_id, user_id)) = state.store().calendar_owner(secret).await? else {
        return Err(AppError::NotFound);
    };
    let user = state.store().user(&org_id, &user_id).await?;
    let body = person_feed(&state, &org_id, &user, Utc::now()).await?;
    Ok(ics(body, None))
}

/// One session as an `.ics` file, for whoever may see it.
async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = session_for(&state, &actor, &id, Want::View).await?;
    let agenda = state.store().agenda(&actor.org.id, &s.id).await?;
    let e = Event {
        uid: format!("{}@coach", s.id),
        ..session_event(&state, &s, &agenda_text(&s, &agenda), &actor.user.id)
    };
    Ok(ics(
        feed("Coaching", &[], &[e], Utc::now()),
        Some("coaching-session.ics"),
    ))
}

/// A new secret: the old feed URL stops working.
async fn rotate(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    policy::check(&actor, Action::UseCalendarFeed)?;
    state
        .store()
        .rotate_calendar_secret(&actor.org.id, &actor.user.id)
        .await?;
    Ok(Redirect::to("/profile?notice=calendar#calendar").into_response())
}

pub(crate) fn agenda_text(s: &Session, agenda: &[coach_store::coaching::AgendaItem]) -> String {
    let mut out = String::new();
    if !s.desired_outcome.trim().is_empty() {
        out.push_str(&format!(
            "Desired outcome: {}\n\n",
            s.desired_outcome.trim()
        ));
    }
    if !agenda.is_empty() {
        out.push_str("Agenda:\n");
        for item in agenda {
            out.push_str(&format!("- {} ({} min)\n", item.title, item.minutes));
        }
    }
    out
}

/// A session's page, for links from calendars.
pub(crate) fn session_url(state: &AppState, id: &str) -> String {
    format!(
        "{}/sessions/{id}",
        state.config().base_url.trim_end_matches('/')
    )
}

/// A session as the person sees it in their calendar.
pub(crate) fn session_event(state: &AppState, s: &Session, agenda: &str, me: &str) -> Event {
    let url = session_url(state, &s.id);
    let summary = if s.seller_id == me {
        format!("{} coaching with {}", s.kind.label(), s.manager_name)
    } else {
        format!("{} coaching: {}", s.kind.label(), s.seller_name)
    };
    Event {
        uid: format!("{}@coach", s.id),
        summary,
        description: format!("{agenda}\nThe session room: {url}"),
        url,
        starts_at: s.starts_at,
        ends_at: s.ends_at(),
        sequence: u32::try_from(s.version).unwrap_or(0),
    }
}

/// How far back a feed goes: a year of sessions, and all to come.
pub(crate) fn since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(365)
}

/// Everything on a person's calendar from Coach over the last year and to
/// come: the series they are in, each with an override per session and the
/// dropped slots; single sessions; a manager's preparation blocks.
/// Cancelled single sessions are left out.
pub(crate) async fn person_feed(
    state: &AppState,
    org_id: &str,
    user: &User,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let (recurring, singles) = person_calendar(state, org_id, user, now).await?;
    Ok(feed(
        &format!("Coaching: {}", user.name),
        &recurring,
        &singles,
        now,
    ))
}

/// The series and single events of a person's feed.
pub(crate) async fn person_calendar(
    state: &AppState,
    org_id: &str,
    user: &User,
    now: DateTime<Utc>,
) -> Result<(Vec<Recurring>, Vec<Event>), AppError> {
    let sessions = state
        .store()
        .coaching_sessions(
            org_id,
            &SessionFilter {
                people: Some(vec![user.id.clone()]),
                me: Some(user.id.clone()),
                from: Some(since(now)),
                limit: Some(20_000),
                ..SessionFilter::default()
            },
        )
        .await?;
    calendar_of(state, org_id, user, &sessions, now).await
}

/// The series and single events that `sessions` (of the last year and to
/// come) make in `user`'s calendar.
pub(crate) async fn calendar_of(
    state: &AppState,
    org_id: &str,
    user: &User,
    sessions: &[Session],
    now: DateTime<Utc>,
) -> Result<(Vec<Recurring>, Vec<Event>), AppError> {
    let store = state.store();
    // Agendas for what is recent or to come; older sessions keep their link.
    let recent: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.starts_at > now - Duration::days(31) && s.status != SessionStatus::Cancelled)
        .collect();
    let ids: Vec<String> = recent.iter().map(|s| s.id.clone()).collect();
    let mut items = store.agendas(org_id, &ids).await?;
    let agendas: BTreeMap<&str, String> = recent
        .iter()
        .map(|s| {
            let of = items.remove(&s.id).unwrap_or_default();
            (s.id.as_str(), agenda_text(s, &of))
        })
        .collect();
    let agenda_of = |s: &Session| agendas.get(s.id.as_str()).cloned().unwrap_or_default();
    let mut series_ids: Vec<String> = sessions
        .iter()
        .filter_map(|s| s.series_id.clone())
        .collect();
    series_ids.sort();
    series_ids.dedup();
    let series = store.series_by_ids(org_id, &series_ids).await?;
    let mut recurring = Vec::new();
    // The sessions that have their place in a series' rule; any other (a
    // slot outside the feed's year, a series someone re-planned) is a
    // single event.
    let mut claimed: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for r in &series {
        let mut by_slot: BTreeMap<DateTime<Utc>, &Session> = BTreeMap::new();
        for s in sessions
            .iter()
            .filter(|s| s.series_id.as_deref() == Some(&r.id))
        {
            if let Some(at) = s.slot_at {
                by_slot.insert(at, s);
            }
        }
        // A series older than the feed's year starts at its first slot
        // inside it: the later slots are the same, so their ids hold.
        let Some((skip, first)) = (0..r.slot_count)
            .filter_map(|n| r.slot(n).map(|at| (n, at)))
            .find(|(_, at)| *at >= since(now))
        else {
            continue;
        };
        let mut instances = Vec::new();
        for at in (skip..r.slot_count).filter_map(|n| r.slot(n)) {
            let session = by_slot.get(&at);
            if let Some(s) = session {
                claimed.insert(s.id.as_str());
            }
            instances.push(Instance {
                slot: at,
                event: session
                    .filter(|s| s.status != SessionStatus::Cancelled)
                    .map(|s| Event {
                        uid: format!("{}@coach", r.id),
                        ..session_event(state, s, &agenda_of(s), &user.id)
                    }),
            });
        }
        let (summary, with) = match by_slot.values().next() {
            Some(s) if s.seller_id == user.id => (
                format!("{} coaching with {}", r.kind.label(), s.manager_name),
                s.manager_name.clone(),
            ),
            Some(s) => (
                format!("{} coaching: {}", r.kind.label(), s.seller_name),
                s.seller_name.clone(),
            ),
            None => (format!("{} coaching", r.kind.label()), String::new()),
        };
        recurring.push(Recurring {
            uid: format!("{}@coach", r.id),
            summary,
            description: format!(
                "{} coaching with {with}, {}, {} minutes (R14).",
                r.kind.label(),
                coach_core::rhythm::every_text(r.every_weeks),
                r.minutes
            ),
            time_zone: r.time_zone,
            first,
            minutes: r.minutes,
            every_weeks: r.every_weeks,
            count: r.slot_count - skip,
            sequence: r.sequence,
            instances,
        });
    }
    let mut singles = Vec::new();
    for s in sessions {
        if s.status == SessionStatus::Cancelled {
            continue;
        }
        if !claimed.contains(s.id.as_str()) {
            singles.push(session_event(state, s, &agenda_of(s), &user.id));
        }
        if let Some(prep) = s.prep_starts_at.filter(|p| *p < s.starts_at)
            && s.manager_id == user.id
        {
            singles.push(Event {
                uid: format!("prep-{}@coach", s.id),
                summary: format!(
                    "Prepare: {} coaching with {}",
                    s.kind.label(),
                    s.seller_name
                ),
                description: format!("Time to prepare the session (R18).\n\n{}", agenda_of(s)),
                url: session_url(state, &s.id),
                starts_at: prep,
                ends_at: s.starts_at,
                sequence: u32::try_from(s.version).unwrap_or(0),
            });
        }
    }
    Ok((recurring, singles))
}
