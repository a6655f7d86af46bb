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
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveTime;
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{every_text, hours_text, plan};
use coach_store::rhythm::RhythmAsk;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/rhythm", show)
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
    accepted: Vec<(String, String, String)>,
    has_team: bool,
    viable: Option<String>,
    refusal: Option<String>,
    hopeless: Option<String>,
    unplaced: usize,
    cuts: Vec<CutRow>,
    weeks: Vec<WeekBar>,
    series: Vec<SeriesRow>,
    capacity: String,
    error: Option<String>,
}

/// The page's question, from its query.
struct Asked {
    hours: u32,
    from: NaiveTime,
    to: NaiveTime,
    months: u32,
    weekly_calls: bool,
    cuts: Vec<SessionKind>,
    error: Option<String>,
}

fn asked(query: &[(String, String)]) -> Asked {
    let mut a = Asked {
        hours: 12,
        from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        to: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        months: 3,
        weekly_calls: false,
        cuts: Vec::new(),
        error: None,
    };
    let mut bad = |m: &str| {
        if a.error.is_none() {
            a.error = Some(m.to_owned());
        }
    };
    for (k, v) in query {
        match k.as_str() {
            "hours" => match v.trim().parse() {
                Ok(h) if (1..=60).contains(&h) => a.hours = h,
                _ => bad("Hours a week: expected 1 to 60."),
            },
            "months" => match v.trim().parse() {
                Ok(m) if (1..=12).contains(&m) => a.months = m,
                _ => bad("Months: expected 1 to 12."),
            },
            "from" | "to" => match NaiveTime::parse_from_str(v.trim(), "%H:%M") {
                Ok(t) if k == "from" => a.from = t,
                Ok(t) => a.to = t,
                Err(_) => bad("The working day: expected times such as 09:00 and 17:00."),
            },
            "calls" => a.weekly_calls = v == "weekly",
            "cut" => match v.parse::<SessionKind>() {
                Ok(kind) if a.cuts.len() < 12 => a.cuts.push(kind),
                Ok(_) => bad("At most 12 cuts."),
                Err(_) => bad("That cut is not one the planner offers."),
            },
            _ => {}
        }
    }
    if a.from >= a.to {
        bad("The working day must end after it starts.");
        a.from = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        a.to = NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default();
    }
    a
}

/// The page's address with these answers, for links that change one thing.
fn href(a: &Asked, cuts: &[SessionKind]) -> String {
    let mut q = format!(
        "/rhythm?hours={}&from={}&to={}&months={}",
        a.hours,
        a.from.format("%H:%M"),
        a.to.format("%H:%M"),
        a.months
    );
    if a.weekly_calls {
        q.push_str("&calls=weekly");
    }
    for c in cuts {
        q.push_str(&format!("&cut={}", c.as_str()));
    }
    q
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::PlanRhythm)?;
    let a = asked(&query);
    let ask = RhythmAsk {
        start: None,
        weeks: (a.months * 52).div_ceil(12),
        day: (a.from, a.to),
        minutes: a.hours * 60,
        weekly_calls: a.weekly_calls,
        cuts: a.cuts.clone(),
    };
    let input = state
        .store()
        .rhythm_input(&actor.org.id, &actor.user, &ask)
        .await?;
    let mut view = RhythmPage {
        shell: Shell::new(&actor, "/sessions", state.config().email_enabled),
        hours: a.hours,
        from: a.from.format("%H:%M").to_string(),
        to: a.to.format("%H:%M").to_string(),
        months: a.months,
        weekly_calls: a.weekly_calls,
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
                (what, href(&a, &rest), k.label().to_owned())
            })
            .collect(),
        has_team: input.is_some(),
        viable: None,
        refusal: None,
        hopeless: None,
        unplaced: 0,
        cuts: Vec::new(),
        weeks: Vec::new(),
        series: Vec::new(),
        capacity: hours_text(a.hours * 60),
        error: a.error.clone(),
    };
    if let Some((input, names)) = input {
        let tz = input.availability.time_zone;
        match plan(&input) {
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
                    .map(|s| {
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
                        }
                    })
                    .collect();
            }
            Err(r) => {
                view.refusal = Some(format!(
                    "It does not fit: coaching and preparation need {} a week on average, and you can give {} (R17).",
                    hours_text(r.needed_per_week),
                    hours_text(r.capacity)
                ));
                view.unplaced = r.unplaced.len();
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
                            href: href(&a, &with),
                        }
                    })
                    .collect();
            }
        }
    }
    let refused = view.error.is_some();
    Ok(form_page(&view, refused))
}
