//! "Plan my rhythm" (coaching-model R10–R19): a manager previews the
//! coaching rhythm the planner lays out for their team: the series, the load
//! per week against the hours they can give, or why it does not fit and
//! which cuts would make it fit, least harmful first (R17), each one a click
//! to accept.

use super::RouteBook;
use super::layout::{Shell, form_page};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::rhythm::{Asked, DAYS, apply_asked, asked, fields, planned, saved};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Multipart, Query, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{every_text, hours_text};
use coach_store::rhythm::RhythmSettings;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/rhythm", show)
        .post("/rhythm/apply", apply)
        .post("/rhythm/busy", upload_busy)
        .post("/rhythm/busy/url", read_busy_url)
        .post("/rhythm/busy/clear", clear_busy)
}

/// A week of the load chart.
pub(crate) struct WeekBar {
    label: String,
    /// Widths in per cent of the chart (capacity at 80%).
    coaching_width: u32,
    preparation_width: u32,
    text: String,
}

/// A series row.
pub(crate) struct SeriesRow {
    seller: String,
    kind: &'static str,
    every: String,
    when: String,
    sessions: usize,
    moved: usize,
    /// The seller's first series: their name is shown once.
    first_of_seller: bool,
}

/// A cut offered or accepted.
pub(crate) struct CutRow {
    label: String,
    saves: String,
    why: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "rhythm.html")]
struct RhythmPage {
    shell: Shell,
    hours: u32,
    from: String,
    to: String,
    months: u32,
    weekly_calls: bool,
    /// Coaching days: code, label, chosen.
    days: Vec<(&'static str, &'static str, bool)>,
    accepted: Vec<(String, String, String)>,
    /// The answers, to send again with "Apply".
    fields: Vec<(String, String)>,
    /// The rhythm in force.
    current: Option<String>,
    /// Busy times from the manager's calendar.
    busy: String,
    /// How many.
    busy_count: usize,
    /// The calendar URL read, if any.
    busy_url: String,
    /// The cadence in force: kind, how often, how long, where from.
    cadence: Vec<(&'static str, String, String, String)>,
    has_team: bool,
    viable: Option<String>,
    refusal: Option<String>,
    hopeless: Option<String>,
    cuts: Vec<CutRow>,
    weeks: Vec<WeekBar>,
    series: Vec<SeriesRow>,
    capacity: String,
    error: Option<String>,
}

/// The page's address with these answers, for links that change one thing.
fn href(a: &Asked, cuts: &[SessionKind]) -> String {
    format!(
        "/rhythm?{}",
        serde_urlencoded::to_string(fields(a, cuts)).unwrap_or_default()
    )
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::PlanRhythm)?;
    let saved = saved(&state, &actor).await?;
    let a = asked(&query, &saved);
    let view = page(&state, &actor, &a, &saved, None).await?;
    let refused = view.error.is_some();
    Ok(form_page(&view, refused))
}

/// Applies the plan these answers make (R14): the series and their sessions
/// go on the calendar, the settings are saved, and the manager lands on their
/// home page with the coming sessions.
async fn apply(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::PlanRhythm)?;
    let saved = saved(&state, &actor).await?;
    let a = asked(&form, &saved);
    let refusal = if a.error.is_some() {
        Some(String::new())
    } else {
        apply_asked(&state, &actor, &a, &saved).await?.err()
    };
    match refusal {
        None => Ok(Redirect::to("/").into_response()),
        Some(message) => {
            let view = page(&state, &actor, &a, &saved, Some(message)).await?;
            Ok(form_page(&view, true))
        }
    }
}

/// Busy times from an uploaded calendar export (.ics): the planner keeps
/// clear of them. A file that cannot be read changes nothing.
async fn upload_busy(
    State(state): State<AppState>,
    actor: Actor,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    use axum::extract::FromRequest as _;
    policy::check(&actor, Action::PlanRhythm)?;
    let saved = saved(&state, &actor).await?;
    let mut file = None;
    if let Ok(mut multipart) = Multipart::from_request(request, &state).await {
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some("calendar") {
                file = Some(field.bytes().await.map_err(|_| AppError::TooLarge)?);
            }
        }
    }
    let read = match file.filter(|b| !b.is_empty()) {
        None => Err("Choose a calendar file (.ics) exported from your calendar.".to_owned()),
        Some(bytes) => match std::str::from_utf8(&bytes) {
            Err(_) => {
                Err("This file is not UTF-8 text; export your calendar again as .ics.".to_owned())
            }
            Ok(text) => busy_of(&actor, text),
        },
    };
    match read {
        Ok(busy) => {
            state
                .store()
                .replace_busy_times(&actor.org.id, &actor.user.id, "upload", &busy)
                .await?;
            Ok(Redirect::to("/rhythm").into_response())
        }
        Err(message) => {
            let a = asked(&[], &saved);
            let view = page(&state, &actor, &a, &saved, Some(message)).await?;
            Ok(form_page(&view, true))
        }
    }
}

/// The busy times of a calendar's text over the coming year, in the
/// manager's time zone; or why it cannot be read.
fn busy_of(actor: &Actor, text: &str) -> Result<Vec<coach_core::ical::Span>, String> {
    let tz: chrono_tz::Tz = actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let now = chrono::Utc::now();
    coach_core::ical::busy_times(
        text,
        tz,
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(400),
    )
    .map_err(|e| format!("Nothing was changed: {e}."))
}

/// Busy times from the manager's calendar URL (a free/busy or calendar
/// address their calendar app shares), read now; the URL is kept.
async fn read_busy_url(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::PlanRhythm)?;
    let saved = saved(&state, &actor).await?;
    let url = form
        .iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let read = if url.is_empty() || url.len() > 2000 {
        Err("Give your calendar's address (up to 2,000 characters).".to_owned())
    } else {
        match crate::rhythm::read_calendar_url(&state, &url).await {
            Ok(text) => busy_of(&actor, &text),
            Err(e) => Err(format!("Nothing was changed: {e}")),
        }
    };
    match read {
        Ok(busy) => {
            state
                .store()
                .replace_busy_times(&actor.org.id, &actor.user.id, "url", &busy)
                .await?;
            state
                .store()
                .set_rhythm_settings(
                    &actor.org.id,
                    &actor.user.id,
                    &RhythmSettings {
                        busy_url: url,
                        ..saved
                    },
                )
                .await?;
            Ok(Redirect::to("/rhythm").into_response())
        }
        Err(message) => {
            let a = asked(&[], &saved);
            let view = page(&state, &actor, &a, &saved, Some(message)).await?;
            Ok(form_page(&view, true))
        }
    }
}

/// Forgets the busy times read from the manager's calendar, and its URL.
async fn clear_busy(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    policy::check(&actor, Action::PlanRhythm)?;
    let store = state.store();
    for source in ["upload", "url"] {
        store
            .replace_busy_times(&actor.org.id, &actor.user.id, source, &[])
            .await?;
    }
    let saved = saved(&state, &actor).await?;
    if !saved.busy_url.is_empty() {
        store
            .set_rhythm_settings(
                &actor.org.id,
                &actor.user.id,
                &RhythmSettings {
                    busy_url: String::new(),
                    ..saved
                },
            )
            .await?;
    }
    Ok(Redirect::to("/rhythm").into_response())
}

async fn page(
    state: &AppState,
    actor: &Actor,
    a: &Asked,
    saved: &RhythmSettings,
    refused: Option<String>,
) -> Result<RhythmPage, AppError> {
    use coach_store::rhythm::CadenceSource;
    let store = state.store();
    let input = planned(state, actor, a, saved).await?;
    let tz: chrono_tz::Tz = actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let current = store
        .series_of_manager(&actor.org.id, &actor.user.id, false)
        .await?;
    let now = chrono::Utc::now();
    let busy = store
        .busy_times(
            &actor.org.id,
            &actor.user.id,
            now,
            now + chrono::Duration::days(400),
        )
        .await?;
    let cadence = store.cadence(&actor.org.id, Some(&actor.user.id)).await?;
    let mut view = RhythmPage {
        shell: Shell::new(actor, "/sessions", state.config().email_enabled),
        hours: a.hours,
        from: a.from.format("%H:%M").to_string(),
        to: a.to.format("%H:%M").to_string(),
        months: a.months,
        weekly_calls: a.weekly_calls,
        days: DAYS
            .iter()
            .map(|(d, code, label)| (*code, *label, a.days.contains(d)))
            .collect(),
        fields: fields(a, &a.cuts),
        current: current.iter().map(|s| s.first_at).min().map(|first| {
            format!(
                "{} series on your calendar, from {}. Applying a new plan changes only sessions still to come; those already prepared stay.",
                current.len(),
                first.with_timezone(&tz).format("%-d %b %Y")
            )
        }),
        busy: match saved.busy_read_at {
            Some(at) => format!(
                "{} busy time{} from your calendar in the coming year, read {}.",
                busy.len(),
                if busy.len() == 1 { "" } else { "s" },
                at.with_timezone(&tz).format("%-d %b %Y, %H:%M")
            ),
            None => "No busy times yet: the planner knows only your working day.".to_owned(),
        },
        busy_count: busy.len(),
        busy_url: saved.busy_url.clone(),
        cadence: cadence
            .iter()
            .map(|r| {
                (
                    r.kind.label(),
                    every_text(r.every_weeks),
                    format!("{} min", r.minutes),
                    match r.source {
                        CadenceSource::Research => {
                            coach_core::rhythm::cadence_source(r.kind).to_owned()
                        }
                        CadenceSource::Organization => "your organization's policy".to_owned(),
                        CadenceSource::Team => "your team's policy".to_owned(),
                    },
                )
            })
            .collect(),
        accepted: a
            .cuts
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let rest: Vec<SessionKind> = a
                    .cuts
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, c)| *c)
                    .collect();
                let what = if *k == SessionKind::Call {
                    "Call coaching as needed".to_owned()
                } else {
                    format!("{} half as often", k.label())
                };
                (what, href(a, &rest), k.label().to_owned())
            })
            .collect(),
        has_team: input.is_some(),
        viable: None,
        refusal: None,
        hopeless: None,
        cuts: Vec::new(),
        weeks: Vec::new(),
        series: Vec::new(),
        capacity: hours_text(a.hours * 60),
        error: refused
            .filter(|m| !m.is_empty())
            .or_else(|| a.error.clone()),
    };
    if let Some((result, input, names)) = input {
        let tz = input.availability.time_zone;
        match result {
            Ok(p) => {
                let busiest = p
                    .load
                    .iter()
                    .map(|w| w.coaching + w.preparation)
                    .max()
                    .unwrap_or(0);
                view.viable = Some(format!(
                    "It fits: {} series; the busiest week takes {} of coaching and preparation, of the {} you can give (R17).",
                    p.series.len(),
                    hours_text(busiest),
                    hours_text(a.hours * 60)
                ));
                let scale = |m: u32| (m * 80).checked_div(a.hours * 60).unwrap_or(0).min(100);
                view.weeks = p
                    .load
                    .iter()
                    .map(|w| WeekBar {
                        label: w.week.format("%-d %b").to_string(),
                        coaching_width: scale(w.coaching),
                        preparation_width: scale(w.preparation),
                        text: format!(
                            "{} coaching, {} preparation",
                            hours_text(w.coaching),
                            hours_text(w.preparation)
                        ),
                    })
                    .collect();
                view.series = p
                    .series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let first = s
                            .occurrences
                            .first()
                            .map(|o| o.starts_at.with_timezone(&tz));
                        SeriesRow {
                            seller: names.get(&s.seller_id).cloned().unwrap_or_default(),
                            kind: s.kind.label(),
                            every: every_text(s.every_weeks),
                            when: format!(
                                "{} {}{}",
                                s.weekday,
                                s.time.format("%H:%M"),
                                first
                                    .map(|f| format!(", from {}", f.format("%-d %b")))
                                    .unwrap_or_default()
                            ),
                            sessions: s.occurrences.len(),
                            moved: s.occurrences.iter().filter(|o| o.moved).count(),
                            first_of_seller: i == 0 || p.series[i - 1].seller_id != s.seller_id,
                        }
                    })
                    .collect();
            }
            Err(r) => {
                view.refusal = Some(format!(
                    "It does not fit: {} (R17).",
                    coach_core::rhythm::refusal_text(&r)
                ));
                if r.after_cuts > r.capacity {
                    view.hopeless = Some(format!(
                        "Even with every cut below it needs {} a week: ask for more hours, or share the team.",
                        hours_text(r.after_cuts)
                    ));
                }
                view.cuts = r
                    .cuts
                    .iter()
                    .map(|c| {
                        let mut with = a.cuts.clone();
                        with.push(c.kind);
                        CutRow {
                            label: format!(
                                "{}: {} instead of {}",
                                c.kind.label(),
                                every_text(c.to_weeks),
                                every_text(c.from_weeks)
                            ),
                            saves: hours_text(c.saves_per_week),
                            why: c.why,
                            href: href(a, &with),
                        }
                    })
                    .collect();
            }
        }
    }
    Ok(view)
}
