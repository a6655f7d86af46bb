//! Coaching analytics (R14–R45): a manager's team, a director's managers
//! side by side, the organization, a seller's own coaching, and outcomes of
//! deals by how they were coached. Every rate carries its n and a 95%
//! interval, a small sample says "not enough data yet" instead of a number,
//! rankings are withheld where intervals overlap, and every table downloads
//! as CSV (R45).

mod chart;
mod figures;
mod managers;
mod me;
mod organization;
mod outcomes;
mod team;

use chart::*;
use figures::*;
use managers::*;
use me::*;
use organization::*;
use outcomes::*;
use team::*;

use super::RouteBook;
use super::layout::{Shell, html};
use super::records::export::attachment;
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use coach_core::Role;
use coach_core::analytics::{
    Change, Coached, DealFact, Facts, ManagerResult, Outcomes, PRESETS, Practice,
    REGRESSION_WARNING, Rules, Window, outcomes, practice, practice_splits, trend,
};
use coach_core::coaching::FeedbackView;
use coach_core::stats::{Comparison, Frequency, MIN_SAMPLE, Mean, Rate, ranking_holds, tiers};
use coach_store::analytics::Scope;
use coach_store::{User, UserFilter};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/analytics", start)
        .get("/analytics/team", team)
        .get("/analytics/team/export", team_export)
        .get("/analytics/managers", managers)
        .get("/analytics/managers/export", managers_export)
        .get("/analytics/organization", organization)
        .get("/analytics/organization/export", organization_export)
        .get("/analytics/me", me)
        .get("/analytics/me/export", me_export)
        .get("/analytics/outcomes", deals)
        .get("/analytics/outcomes/export", deals_export)
        .get("/analytics/guide", guide)
}

/// The window and, for the team view, the manager.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct AnalyticsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    table: String,
}

async fn start(actor: Actor) -> Response {
    let roles = &actor.user.roles;
    let to = if roles.has(Role::Admin) {
        "/analytics/organization"
    } else if roles.has(Role::Director) {
        "/analytics/managers"
    } else if roles.leads() {
        "/analytics/team"
    } else {
        "/analytics/me"
    };
    Redirect::to(to).into_response()
}

// What each view loads.

struct Context {
    window: Window,
    today: NaiveDate,
    tz: chrono_tz::Tz,
    rules: Rules,
}

async fn context(state: &AppState, actor: &Actor, q: &AnalyticsQuery) -> Result<Context, AppError> {
    let tz: chrono_tz::Tz = actor.org.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = crate::scorecards::today(&actor.org.time_zone);
    let window = Window::parse(&q.from, &q.to, today).map_err(AppError::Invalid)?;
    let settings = state.store().coaching_settings(&actor.org.id).await?;
    let band = settings.band;
    let min_answers = settings.feedback_min_answers as usize;
    Ok(Context {
        window,
        today,
        tz,
        rules: Rules {
            window,
            today,
            band,
            min_answers,
        },
    })
}

impl Context {
    fn with_window(&self, window: Window) -> Rules {
        Rules {
            window,
            ..self.rules
        }
    }
}

/// The window's links: presets and the chosen dates.
#[derive(Debug, Clone)]
pub(crate) struct WindowNav {
    pub label: String,
    pub from: String,
    pub to: String,
    pub presets: Vec<(String, &'static str, bool)>,
    pub query: String,
    pub hidden: Vec<(&'static str, String)>,
}

fn window_nav(c: &Context, manager: Option<&str>) -> WindowNav {
    let extra = manager.map(|m| format!("&manager={m}")).unwrap_or_default();
    let presets = PRESETS
        .iter()
        .map(|(days, label)| {
            let w = Window::last(*days, c.today);
            (
                format!("from={}&to={}{extra}", w.from, w.to),
                *label,
                w == c.window,
            )
        })
        .collect();
    WindowNav {
        label: c.window.label(),
        from: c.window.from.to_string(),
        to: c.window.to.to_string(),
        presets,
        query: format!("from={}&to={}{extra}", c.window.from, c.window.to),
        hidden: manager
            .map(|m| vec![("manager", m.to_owned())])
            .unwrap_or_default(),
    }
}

/// Active sellers reporting directly to `manager_id`, by name.
async fn sellers_of(
    state: &AppState,
    org_id: &str,
    manager_id: &str,
) -> Result<Vec<User>, AppError> {
    let mut sellers: Vec<User> = state
        .store()
        .users(
            org_id,
            &UserFilter {
                manager_id: Some(manager_id.to_owned()),
                active: Some(true),
                ..UserFilter::default()
            },
        )
        .await?
        .into_iter()
        .filter(|u| u.roles.has(Role::Seller))
        .collect();
    sellers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sellers)
}

/// Managers the actor may compare (those below them and themselves, or
/// everyone for admins) with their active sellers, by name: the teams the
/// actor sees, kept where sellers report.
async fn managers_in_scope(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(User, Vec<User>)>, AppError> {
    let mut out: Vec<(User, Vec<User>)> = super::teams::visible_teams(state, actor)
        .await?
        .into_iter()
        .filter_map(|(leader, members)| {
            let mut sellers: Vec<User> = members
                .into_iter()
                .filter(|u| u.roles.has(Role::Seller))
                .collect();
            sellers.sort_by(|a, b| a.name.cmp(&b.name));
            (!sellers.is_empty()).then_some((leader, sellers))
        })
        .collect();
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}

fn ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.clone()).collect()
}

/// The before/after lines, always with the warning.
#[derive(Debug, Clone)]
pub(crate) struct ChangeLine {
    pub label: &'static str,
    pub finding: &'static str,
    pub before: Figure,
    pub after: Figure,
    pub change: Figure,
}

fn changes(now: &Practice, before: &Practice) -> Vec<ChangeLine> {
    [
        ("Kept as scheduled", "R14", before.kept, now.kept),
        (
            "Agenda agreed",
            "R34",
            before.agenda_agreed,
            now.agenda_agreed,
        ),
        (
            "Closed with a next step",
            "R41",
            before.next_steps,
            now.next_steps,
        ),
        ("Commitments on time", "R39", before.on_time, now.on_time),
    ]
    .into_iter()
    .map(|(label, finding, b, a)| {
        let c = Change::of(b, a);
        ChangeLine {
            label,
            finding,
            before: Figure::rate(label, finding, c.before),
            after: Figure::rate(label, finding, c.after),
            change: Figure::comparison(
                label,
                finding,
                c.comparison.as_ref(),
                a.n,
                b.n,
                Unit::Percent,
            ),
        }
    })
    .collect()
}

/// One month of the trend.
#[derive(Debug, Clone)]
pub(crate) struct MonthLine {
    pub month: String,
    pub held: u64,
    pub kept: Figure,
    pub on_time: Figure,
}

fn months(facts: &Facts, c: &Context) -> (Vec<MonthLine>, Chart) {
    let points = trend(facts, &c.window, c.today);
    let lines = points
        .iter()
        .map(|p| MonthLine {
            month: p.window.from.format("%b %Y").to_string(),
            held: p.held,
            kept: Figure::rate("Kept as scheduled", "R14", p.kept),
            on_time: Figure::rate("Commitments on time", "R39", p.on_time),
        })
        .collect();
    let chart = chart(
        "trend-chart",
        "Kept as scheduled, month by month (R14)",
        "A month with few sessions has a wide interval: a dip there is not yet a trend.",
        points
            .iter()
            .map(|p| (p.window.from.format("%b %Y").to_string(), p.kept))
            .collect(),
    );
    (lines, chart)
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct DashboardView {
    shell: Shell,
    tab: &'static str,
    title: String,
    sub: String,
    nav: WindowNav,
    export: String,
    managers: Vec<(String, String, bool)>,
    chart: Chart,
    groups: Vec<Group>,
    sellers: Vec<SellerLine>,
    changes: Vec<ChangeLine>,
    previous: String,
    warning: &'static str,
    month_lines: Vec<MonthLine>,
    trend_chart: Option<Chart>,
    empty: bool,
}

fn csv_response(
    stem: &str,
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<Response, AppError> {
    let mut body = Vec::new();
    coach_core::tabular::write_csv(&mut body, headers, rows)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(body, stem, "csv", "text/csv; charset=utf-8"))
}

fn figure_rows(groups: &[Group]) -> Vec<Vec<String>> {
    groups
        .iter()
        .flat_map(|g| g.figures.iter().map(|f| f.csv(g.title)))
        .collect()
}

fn unknown_table(table: &str, choices: &str) -> AppError {
    AppError::Invalid(coach_core::FieldError::new(
        "table",
        format!(
            "expected one of {choices}; got {}",
            coach_core::tabular::quote(table)
        ),
    ))
}

fn rate_cells(r: Rate) -> Vec<String> {
    if !r.enough_data() {
        return vec![String::new(), r.n.to_string(), String::new(), String::new()];
    }
    let (lo, hi) = r.interval().unwrap_or((0.0, 0.0));
    vec![
        format!("{:.4}", r.value().unwrap_or(0.0)),
        r.n.to_string(),
        format!("{lo:.4}"),
        format!("{hi:.4}"),
    ]
}

fn month_csv(stem: &str, facts: &Facts, c: &Context) -> Result<Response, AppError> {
    let rows = trend(facts, &c.window, c.today)
        .into_iter()
        .map(|p| {
            let mut row = vec![
                p.window.from.to_string(),
                p.window.to.to_string(),
                p.held.to_string(),
            ];
            row.extend(rate_cells(p.kept));
            row.extend(rate_cells(p.on_time));
            row
        })
        .collect();
    csv_response(
        stem,
        &[
            "from",
            "to",
            "sessions_held",
            "kept",
            "kept_n",
            "kept_low_95",
            "kept_high_95",
            "on_time",
            "on_time_n",
            "on_time_low_95",
            "on_time_high_95",
        ],
        rows,
    )
}

fn change_csv(stem: &str, now: &Practice, before: &Practice) -> Result<Response, AppError> {
    let rows = changes(now, before)
        .into_iter()
        .map(|l| {
            let mut row = vec![l.label.to_owned(), l.finding.to_owned()];
            row.extend(l.before.csv("").into_iter().skip(3).take(4));
            row.extend(l.after.csv("").into_iter().skip(3).take(4));
            row.extend(l.change.csv("").into_iter().skip(3).take(4));
            row
        })
        .collect();
    csv_response(
        stem,
        &[
            "figure",
            "finding",
            "before",
            "before_n",
            "before_low_95",
            "before_high_95",
            "now",
            "now_n",
            "now_low_95",
            "now_high_95",
            "difference",
            "n",
            "difference_low_95",
            "difference_high_95",
        ],
        rows,
    )
}

// How to read these numbers.

#[derive(Template)]
#[template(path = "analytics_guide.html")]
struct GuideView {
    shell: Shell,
    tab: &'static str,
    min_sample: u64,
    min_answers: u32,
    warning: &'static str,
}

async fn guide(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    let min_answers = state
        .store()
        .coaching_settings(&actor.org.id)
        .await?
        .feedback_min_answers;
    let view = GuideView {
        shell: Shell::new(&actor, "/analytics", state.config().email_enabled),
        tab: "guide",
        min_sample: MIN_SAMPLE,
        min_answers,
        warning: REGRESSION_WARNING,
    };
    Ok(html(StatusCode::OK, &view))
}
