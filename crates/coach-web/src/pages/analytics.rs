//! Coaching analytics (R14–R45): a manager's team, a director's managers
//! side by side, the organization, a seller's own coaching, and outcomes of
//! deals by how they were coached. Every rate carries its n and a 95%
//! interval, a small sample says "not enough data yet" instead of a number,
//! rankings are withheld where intervals overlap, and every table downloads
//! as CSV (R45).

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

// ---------------------------------------------------------------------------
// Figures: one line per measure, the same in every view and export.

/// How a figure's number reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Percent,
    Number(&'static str),
    Ratio,
}

fn grouped(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// An interval for people: "84–92%", "2.1–2.7 h".
fn range(lo: f64, hi: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0),
        Unit::Number(suffix) => format!(
            "{}–{}{suffix}",
            show(lo, Unit::Number("")),
            show(hi, Unit::Number(""))
        ),
        Unit::Ratio => format!("{lo:.2}–{hi:.2}"),
    }
}

fn show(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Number(suffix) if v.abs() >= 1000.0 => format!("{}{suffix}", grouped(v)),
        Unit::Percent => format!("{:.0}%", v * 100.0),
        Unit::Number(suffix) if v.abs() >= 10.0 => format!("{v:.0}{suffix}"),
        Unit::Number(suffix) => format!("{v:.1}{suffix}"),
        Unit::Ratio => format!("{v:.2}"),
    }
}

/// One measure.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    pub label: String,
    pub finding: &'static str,
    pub value: String,
    /// The value alone, for narrow cells.
    pub short: String,
    pub n: String,
    pub interval: String,
    pub note: String,
    pub link: String,
    pub enough: bool,
    number: Option<f64>,
    count: Option<u64>,
    low: Option<f64>,
    high: Option<f64>,
}

impl Figure {
    fn new(label: &str, finding: &'static str) -> Figure {
        Figure {
            label: label.to_owned(),
            finding,
            value: "—".into(),
            short: String::new(),
            n: String::new(),
            interval: String::new(),
            note: String::new(),
            link: String::new(),
            enough: true,
            number: None,
            count: None,
            low: None,
            high: None,
        }
    }

    fn link(mut self, href: &str) -> Figure {
        self.link = href.to_owned();
        self
    }

    fn note(mut self, note: &str) -> Figure {
        self.note = note.to_owned();
        self
    }

    fn too_few(mut self, n: u64) -> Figure {
        self.enough = false;
        self.value = "Not enough data yet".into();
        self.note = format!("{n} so far; a figure is shown from {MIN_SAMPLE}");
        self.number = None;
        self.low = None;
        self.high = None;
        self
    }

    fn rate(label: &str, finding: &'static str, r: Rate) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(r.n);
        f.n = r.n.to_string();
        if !r.enough_data() {
            return f.too_few(r.n);
        }
        f.number = r.value();
        f.short = show(r.value().unwrap_or(0.0), Unit::Percent);
        f.value = format!("{} ({} of {})", f.short, r.hits, r.n);
        if let Some((lo, hi)) = r.interval() {
            f.low = Some(lo);
            f.high = Some(hi);
            f.interval = range(lo, hi, Unit::Percent);
        }
        f
    }

    fn mean(label: &str, finding: &'static str, m: Option<Mean>, unit: Unit) -> Figure {
        let mut f = Figure::new(label, finding);
        let Some(m) = m else {
            return f.too_few(0);
        };
        f.count = Some(m.n);
        f.n = m.n.to_string();
        if !m.enough_data() {
            return f.too_few(m.n);
        }
        f.number = Some(m.mean);
        f.value = show(m.mean, unit);
        if let Some((lo, hi)) = m.interval() {
            f.low = Some(lo);
            f.high = Some(hi);
            f.interval = range(lo, hi, unit);
        }
        f.note = "mean".into();
        f
    }

    fn frequency(label: &str, finding: &'static str, fr: Frequency, unit: Unit) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(fr.count);
        f.n = fr.count.to_string();
        if !fr.enough_data() {
            return f.too_few(fr.count);
        }
        f.number = fr.value();
        f.value = show(fr.value().unwrap_or(0.0), unit);
        if let Some((lo, hi)) = fr.interval() {
            f.low = Some(lo);
            f.high = Some(hi);
            f.interval = range(lo, hi, unit);
        }
        f.note = "n: sessions held".into();
        f
    }

    fn median(
        label: &str,
        finding: &'static str,
        m: Option<(f64, (f64, f64))>,
        n: u64,
        unit: Unit,
    ) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(n);
        f.n = n.to_string();
        match m {
            Some((median, (lo, hi))) if n >= MIN_SAMPLE => {
                f.number = Some(median);
                f.value = show(median, unit);
                f.low = Some(lo);
                f.high = Some(hi);
                f.interval = range(lo, hi, unit);
                f.note = "median".into();
                f
            }
            _ => f.too_few(n),
        }
    }

    fn plain(label: &str, finding: &'static str, v: Option<f64>, n: u64, unit: Unit) -> Figure {
        let mut f = Figure::new(label, finding);
        f.count = Some(n);
        f.n = n.to_string();
        match v {
            Some(v) if n >= MIN_SAMPLE => {
                f.number = Some(v);
                f.value = show(v, unit);
                f
            }
            _ => f.too_few(n),
        }
    }

    fn count(label: &str, finding: &'static str, n: u64) -> Figure {
        let mut f = Figure::new(label, finding);
        f.number = Some(n as f64);
        f.value = n.to_string();
        f
    }

    fn comparison(
        label: &str,
        finding: &'static str,
        c: Option<&Comparison>,
        a: u64,
        b: u64,
        unit: Unit,
    ) -> Figure {
        let mut f = Figure::new(label, finding);
        f.n = format!("{a} vs {b}");
        f.count = Some(a + b);
        match c {
            Some(c) if a >= MIN_SAMPLE && b >= MIN_SAMPLE => {
                let signed = |v: f64| {
                    let s = show(v.abs(), unit);
                    if v < 0.0 {
                        format!("−{s}")
                    } else {
                        format!("+{s}")
                    }
                };
                f.number = Some(c.difference);
                f.low = Some(c.interval.0);
                f.high = Some(c.interval.1);
                f.value = signed(c.difference);
                f.interval = format!("{} to {}", signed(c.interval.0), signed(c.interval.1));
                f.note = if c.significant() {
                    format!("p = {:.3}: unlikely to be chance alone", c.p_value)
                } else {
                    format!("p = {:.2}: no clear difference", c.p_value)
                };
                f
            }
            _ => f.too_few(a.min(b)),
        }
    }

    fn csv(&self, group: &str) -> Vec<String> {
        let num = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        vec![
            group.to_owned(),
            self.label.clone(),
            self.finding.to_owned(),
            num(self.number),
            self.count.map(|n| n.to_string()).unwrap_or_default(),
            num(self.low),
            num(self.high),
            if self.enough {
                String::new()
            } else {
                "not enough data yet".into()
            },
        ]
    }
}

const FIGURE_HEADERS: [&str; 8] = [
    "group", "figure", "finding", "value", "n", "low_95", "high_95", "note",
];

/// Figures under a heading.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: &'static str,
    pub title: &'static str,
    pub figures: Vec<Figure>,
}

/// Whose figures: decides which groups show and where links go.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Audience {
    Team,
    Organization,
    Seller,
}

fn feedback_figures(view: &FeedbackView) -> Vec<Figure> {
    match view {
        FeedbackView::TooFew { n, min } => vec![Figure::new("Feedback from sellers", "R40").note(
            &format!("{n} answers so far; shown from {min}, so sellers can be honest"),
        )]
        .into_iter()
        .map(|mut f| {
            f.enough = false;
            f.value = "Not enough answers yet".into();
            f.count = Some(*n as u64);
            f.n = n.to_string();
            f
        })
        .collect(),
        FeedbackView::Summary {
            n,
            mean_rating,
            would_pay,
        } => {
            let mut rating = Figure::new("Rating, 1–5", "R40");
            rating.number = Some(*mean_rating);
            rating.value = format!("{mean_rating:.1}");
            rating.count = Some(*n as u64);
            rating.n = n.to_string();
            rating.note = "mean".into();
            vec![
                rating,
                Figure::rate("Would have paid for the session", "R40", *would_pay),
            ]
        }
    }
}

fn groups(p: &Practice, audience: Audience, links: &Links) -> Vec<Group> {
    let per_month = Unit::Number("");
    let mut out = vec![
        Group {
            id: "rhythm",
            title: "Rhythm: scheduled, kept, fewer and longer (R14, R15)",
            figures: vec![
                Figure::count("Sessions held", "R14", p.held).link(&links.sessions),
                Figure::frequency(
                    "Sessions per seller per month",
                    "R14",
                    p.sessions_per_seller_month,
                    per_month,
                ),
                Figure::mean("Session length", "R14", p.length, Unit::Number(" min")),
                Figure::rate("Kept as scheduled", "R14", p.kept).link(&links.sessions),
                Figure::rate("Held sessions that were ad hoc", "R14", p.ad_hoc),
                Figure::frequency(
                    "Coaching hours per seller per month",
                    "R15",
                    p.hours_per_seller_month,
                    Unit::Number(" h"),
                )
                .note(&format!("moderate band {}", p.band.label())),
                Figure::rate("Sellers coached a moderate amount", "R15", p.in_band).note(&format!(
                    "{} below, {} above the band",
                    p.below_band, p.above_band
                )),
            ],
        },
        Group {
            id: "focus",
            title: "Where the time goes (R15, R25)",
            figures: {
                let mut v: Vec<Figure> = p
                    .by_kind
                    .iter()
                    .map(|s| {
                        Figure::plain(
                            &format!("{} coaching, share of time", s.key.label()),
                            "R25",
                            Some(s.share),
                            s.n,
                            Unit::Percent,
                        )
                        .note(&format!(
                            "{} h in {} sessions",
                            s.minutes / 60,
                            s.n
                        ))
                    })
                    .collect();
                v.push(Figure::rate(
                    "Deal items at an early buying stage",
                    "R25",
                    p.early,
                ));
                for s in &p.by_stage {
                    v.push(
                        Figure::plain(
                            &format!("Deal time at {}", s.key.label()),
                            "R25",
                            Some(s.share),
                            s.n,
                            Unit::Percent,
                        )
                        .note(&format!("{} min on {} items", s.minutes, s.n)),
                    );
                }
                v.push(Figure::rate(
                    "Items checking numbers (inspection)",
                    "R15",
                    p.inspection,
                ));
                v.push(Figure::plain(
                    "Discussion time spent checking numbers",
                    "R15",
                    p.inspection_minutes_share,
                    p.inspection.n,
                    Unit::Percent,
                ));
                v
            },
        },
        Group {
            id: "conversation",
            title: "The conversation (R18, R34, R41)",
            figures: vec![
                Figure::rate(
                    "Held with the manager's preparation recorded",
                    "R18",
                    p.prepared,
                ),
                Figure::plain(
                    "Preparation per minute of coaching",
                    "R18",
                    p.prep_per_coaching,
                    p.prepared.hits,
                    Unit::Ratio,
                )
                .note("high performers prepare almost as long as they coach"),
                Figure::rate("Agenda agreed at the opening", "R34", p.agenda_agreed),
                Figure::rate("Agenda reviewed at the close", "R34", p.agenda_reviewed),
                Figure::rate("Closed with a next step", "R41", p.next_steps).link(&links.sessions),
            ],
        },
        Group {
            id: "commitments",
            title: "Commitments (R39)",
            figures: vec![
                Figure::rate("Done by their due date", "R39", p.on_time).link(&links.actions),
                Figure::count("Open now", "R39", p.open).link(&links.actions),
                Figure::count("Overdue now", "R39", p.overdue).link(&links.actions),
                Figure::median(
                    "Age of open commitments",
                    "R39",
                    p.open_age,
                    p.open,
                    Unit::Number(" days"),
                ),
            ],
        },
        Group {
            id: "calls",
            title: "Calls (R29, R31)",
            figures: vec![
                Figure::rate("Important calls with a plan", "R29", p.calls_planned)
                    .link(&links.calls),
                Figure::rate(
                    "Early-stage planned calls attended",
                    "R31",
                    p.observed_early,
                ),
                Figure::rate("Late-stage planned calls attended", "R31", p.observed_late),
                Figure::comparison(
                    "Attended: early minus late",
                    "R31",
                    p.observed_early_vs_late.as_ref(),
                    p.observed_early.n,
                    p.observed_late.n,
                    Unit::Percent,
                ),
            ],
        },
    ];
    if audience != Audience::Seller {
        let mut managers = feedback_figures(&p.feedback);
        managers.push(Figure::rate(
            "Sessions a director observed",
            "R43",
            p.observations,
        ));
        out.push(Group {
            id: "manager",
            title: "The manager as coach (R40, R43)",
            figures: managers,
        });
    }
    out
}

/// Where figures link to.
#[derive(Debug, Clone, Default)]
struct Links {
    sessions: String,
    actions: String,
    calls: String,
}

// ---------------------------------------------------------------------------
// Charts: drawn on the server as SVG, each row with its n.

/// A horizontal chart of values 0–1 with their intervals.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub id: String,
    pub title: String,
    pub caption: String,
    pub height: u32,
    pub rows: Vec<ChartRow>,
}

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct ChartRow {
    pub label: String,
    pub text: String,
    pub y: u32,
    pub width: String,
    pub has_interval: bool,
    pub low_x: String,
    pub high_x: String,
    pub enough: bool,
}

const BAR_X: f64 = 210.0;
const BAR_W: f64 = 300.0;

fn chart(id: &str, title: &str, caption: &str, rows: Vec<(String, Rate)>) -> Chart {
    let rows: Vec<ChartRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, r))| {
            let enough = r.enough_data();
            let (lo, hi) = r.interval().unwrap_or((0.0, 0.0));
            let label = if label.chars().count() > 28 {
                format!("{}…", label.chars().take(27).collect::<String>())
            } else {
                label
            };
            ChartRow {
                label,
                text: if enough {
                    format!(
                        "{} · n {}",
                        show(r.value().unwrap_or(0.0), Unit::Percent),
                        r.n
                    )
                } else {
                    format!("not enough data · n {}", r.n)
                },
                y: u32::try_from(i).unwrap_or(0) * 28 + 8,
                width: format!(
                    "{:.1}",
                    if enough {
                        r.value().unwrap_or(0.0) * BAR_W
                    } else {
                        0.0
                    }
                ),
                has_interval: enough && r.interval().is_some(),
                low_x: format!("{:.1}", BAR_X + lo * BAR_W),
                high_x: format!("{:.1}", BAR_X + hi * BAR_W),
                enough,
            }
        })
        .collect();
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        caption: caption.to_owned(),
        height: u32::try_from(rows.len()).unwrap_or(0) * 28 + 16,
        rows,
    }
}

fn practice_chart(p: &Practice) -> Chart {
    chart(
        "practice-chart",
        "The practice at a glance",
        "Each bar is a share with its 95% interval (the whisker) and its n.",
        vec![
            ("Kept as scheduled (R14)".into(), p.kept),
            ("Agenda agreed (R34)".into(), p.agenda_agreed),
            ("Closed with a next step (R41)".into(), p.next_steps),
            ("Commitments on time (R39)".into(), p.on_time),
            ("Deal items at early stages (R25)".into(), p.early),
            ("Important calls planned (R29)".into(), p.calls_planned),
        ],
    )
}

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
// The manager's dashboard: my team.

/// One seller's line on the team dashboard.
#[derive(Debug, Clone)]
pub(crate) struct SellerLine {
    pub id: String,
    pub name: String,
    pub held: u64,
    pub per_month: String,
    pub hours: String,
    pub band: &'static str,
    pub band_class: &'static str,
    pub kept: Figure,
    pub on_time: Figure,
    pub overdue: u64,
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

struct TeamData {
    manager: User,
    sellers: Vec<User>,
    now: Practice,
    before: Practice,
    facts: Facts,
}

async fn team_data(
    state: &AppState,
    actor: &Actor,
    q: &AnalyticsQuery,
    c: &Context,
) -> Result<TeamData, AppError> {
    let store = state.store();
    let manager_id = if q.manager.trim().is_empty() {
        actor.user.id.clone()
    } else {
        q.manager.trim().to_owned()
    };
    policy::check(
        actor,
        Action::ViewFeedbackOf {
            manager_id: &manager_id,
        },
    )?;
    let manager = store.user(&actor.org.id, &manager_id).await?;
    let sellers = sellers_of(state, &actor.org.id, &manager.id).await?;
    let both = Window {
        from: c.window.previous().from,
        to: c.window.to,
    };
    let scope = Scope::People {
        sellers: ids(&sellers),
        managers: vec![manager.id.clone()],
    };
    let facts = store
        .practice_facts(&actor.org.id, &scope, &both, c.tz)
        .await?;
    let seller_ids = ids(&sellers);
    let now = practice(&facts, &seller_ids, &c.rules);
    let before = practice(&facts, &seller_ids, &c.with_window(c.window.previous()));
    Ok(TeamData {
        manager,
        sellers,
        now,
        before,
        facts,
    })
}

fn seller_lines(p: &Practice, sellers: &[User]) -> Vec<SellerLine> {
    p.per_seller
        .iter()
        .zip(sellers)
        .map(|(s, u)| SellerLine {
            id: u.id.clone(),
            name: u.name.clone(),
            held: s.held,
            per_month: format!("{:.1}", s.sessions_per_month),
            hours: format!("{:.1}", s.minutes_per_month / 60.0),
            band: s.band.label(),
            band_class: match s.band {
                coach_core::analytics::BandPlace::Within => "cell-good",
                _ => "cell-below",
            },
            kept: Figure::rate("Kept as scheduled", "R14", s.kept),
            on_time: Figure::rate("Commitments on time", "R39", s.on_time),
            overdue: s.overdue,
        })
        .collect()
}

async fn team(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    if q.manager.trim().is_empty() && !actor.user.roles.leads() {
        return Ok(Redirect::to(if actor.user.roles.has(Role::Admin) {
            "/analytics/organization"
        } else {
            "/analytics/me"
        })
        .into_response());
    }
    let c = context(&state, &actor, &q).await?;
    let t = team_data(&state, &actor, &q, &c).await?;
    if t.sellers.is_empty() && q.manager.trim().is_empty() && actor.user.roles.has(Role::Director) {
        // A director's own reports are managers: their view is side by side.
        return Ok(Redirect::to("/analytics/managers").into_response());
    }
    let links = Links {
        sessions: "/sessions".into(),
        actions: "/action-items?whose=team".into(),
        calls: "/calls".into(),
    };
    let managers = if actor.user.roles.has(Role::Admin) || actor.user.roles.has(Role::Director) {
        managers_in_scope(&state, &actor)
            .await?
            .into_iter()
            .map(|(m, _)| {
                let on = m.id == t.manager.id;
                (m.id, m.name, on)
            })
            .collect()
    } else {
        Vec::new()
    };
    let mine = t.manager.id == actor.user.id;
    let nav = window_nav(&c, (!mine).then_some(t.manager.id.as_str()));
    let (month_lines, trend_chart) = months(&t.facts, &c);
    let view = DashboardView {
        shell: Shell::new(&actor, "/analytics", state.config().email_enabled),
        tab: "team",
        title: if mine {
            "My team's coaching".into()
        } else {
            format!("{}'s team", t.manager.name)
        },
        sub: format!(
            "{} seller{} · {}. What high-performing managers do differently, measured with its n and a 95% interval (R45).",
            t.sellers.len(),
            if t.sellers.len() == 1 { "" } else { "s" },
            c.window.label()
        ),
        export: format!("/analytics/team/export?{}", nav.query),
        nav,
        managers,
        chart: practice_chart(&t.now),
        groups: groups(&t.now, Audience::Team, &links),
        sellers: seller_lines(&t.now, &t.sellers),
        changes: changes(&t.now, &t.before),
        previous: t.before.window.label(),
        warning: REGRESSION_WARNING,
        month_lines,
        trend_chart: Some(trend_chart),
        empty: t.sellers.is_empty(),
    };
    Ok(html(StatusCode::OK, &view))
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

async fn team_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let t = team_data(&state, &actor, &q, &c).await?;
    let links = Links::default();
    match q.table.as_str() {
        "" | "figures" => csv_response(
            "team-figures",
            &FIGURE_HEADERS,
            figure_rows(&groups(&t.now, Audience::Team, &links)),
        ),
        "sellers" => {
            let rows = t
                .now
                .per_seller
                .iter()
                .zip(&t.sellers)
                .map(|(s, u)| {
                    let mut row = vec![
                        u.name.clone(),
                        s.held.to_string(),
                        format!("{:.2}", s.sessions_per_month),
                        format!("{:.2}", s.minutes_per_month / 60.0),
                        s.band.label().to_owned(),
                    ];
                    row.extend(rate_cells(s.kept));
                    row.extend(rate_cells(s.on_time));
                    row.push(s.overdue.to_string());
                    row
                })
                .collect();
            csv_response(
                "team-sellers",
                &[
                    "seller",
                    "sessions_held",
                    "sessions_per_month",
                    "hours_per_month",
                    "band",
                    "kept",
                    "kept_n",
                    "kept_low_95",
                    "kept_high_95",
                    "on_time",
                    "on_time_n",
                    "on_time_low_95",
                    "on_time_high_95",
                    "overdue",
                ],
                rows,
            )
        }
        "months" => month_csv("team-months", &t.facts, &c),
        "changes" => change_csv("team-changes", &t.now, &t.before),
        other => Err(unknown_table(other, "figures, sellers, months, changes")),
    }
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

// ---------------------------------------------------------------------------
// The director's dashboard: my managers side by side.

/// One manager's line.
#[derive(Debug, Clone)]
pub(crate) struct ManagerLine {
    pub id: String,
    pub name: String,
    pub sellers: usize,
    pub held: u64,
    /// Hours, kept, agreed, next steps, on time, early, observed.
    pub cells: Vec<Figure>,
    pub feedback: String,
}

/// Whether an order by a figure means anything.
#[derive(Debug, Clone)]
pub(crate) struct RankingLine {
    pub label: &'static str,
    pub holds: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "analytics_managers.html")]
struct ManagersView {
    shell: Shell,
    tab: &'static str,
    nav: WindowNav,
    export: String,
    lines: Vec<ManagerLine>,
    rankings: Vec<RankingLine>,
    chart: Chart,
    query: String,
}

struct ManagersData {
    teams: Vec<(User, Vec<User>)>,
    practices: Vec<Practice>,
}

async fn managers_data(
    state: &AppState,
    actor: &Actor,
    c: &Context,
) -> Result<ManagersData, AppError> {
    policy::check(actor, Action::ViewTeamScorecards)?;
    let teams = managers_in_scope(state, actor).await?;
    let sellers: Vec<String> = teams.iter().flat_map(|(_, s)| ids(s)).collect();
    let managers: Vec<String> = teams.iter().map(|(m, _)| m.id.clone()).collect();
    let scope = if actor.user.roles.has(Role::Admin) {
        Scope::Organization
    } else {
        Scope::People { sellers, managers }
    };
    let facts = state
        .store()
        .practice_facts(&actor.org.id, &scope, &c.window, c.tz)
        .await?;
    let practices = practices_by_team(&facts, &teams, &c.rules);
    Ok(ManagersData { teams, practices })
}

fn practices_by_team(facts: &Facts, teams: &[(User, Vec<User>)], rules: &Rules) -> Vec<Practice> {
    teams
        .iter()
        .map(|(m, s)| {
            let seller_ids = ids(s);
            let sellers: BTreeSet<&str> = seller_ids.iter().map(String::as_str).collect();
            let managers: BTreeSet<&str> = [m.id.as_str()].into();
            practice(&facts.only(&sellers, &managers), &seller_ids, rules)
        })
        .collect()
}

fn feedback_text(v: &FeedbackView) -> String {
    match v {
        FeedbackView::TooFew { n, min } => format!("Not enough answers yet ({n} of {min})"),
        FeedbackView::Summary {
            n,
            mean_rating,
            would_pay,
        } => format!(
            "{mean_rating:.1} of 5 · {} would pay · n {n}",
            would_pay
                .value()
                .map_or_else(|| "—".to_owned(), |v| show(v, Unit::Percent))
        ),
    }
}

fn ranking(label: &'static str, teams: &[(User, Vec<User>)], rates: &[Rate]) -> RankingLine {
    let mut order: Vec<(usize, f64, (f64, f64))> = rates
        .iter()
        .enumerate()
        .filter(|(_, r)| r.enough_data())
        .filter_map(|(i, r)| Some((i, r.value()?, r.interval()?)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let intervals: Vec<(f64, f64)> = order.iter().map(|o| o.2).collect();
    if order.len() < 2 {
        return RankingLine {
            label,
            holds: false,
            text: "Too few managers with enough data to compare.".into(),
        };
    }
    let tier_of = tiers(&intervals);
    if ranking_holds(&intervals) {
        RankingLine {
            label,
            holds: true,
            text: order
                .iter()
                .map(|o| format!("{} ({})", teams[o.0].0.name, show(o.1, Unit::Percent)))
                .collect::<Vec<_>>()
                .join(" > "),
        }
    } else if tier_of.last().is_some_and(|t| *t > 0) {
        let mut groups: Vec<Vec<String>> = Vec::new();
        for (o, t) in order.iter().zip(&tier_of) {
            if groups.len() <= *t {
                groups.push(Vec::new());
            }
            groups[*t].push(format!(
                "{} ({})",
                teams[o.0].0.name,
                show(o.1, Unit::Percent)
            ));
        }
        RankingLine {
            label,
            holds: true,
            text: format!(
                "{} — within a group the order could be chance (R45).",
                groups
                    .iter()
                    .map(|g| g.join(", "))
                    .collect::<Vec<_>>()
                    .join(" ahead of ")
            ),
        }
    } else {
        RankingLine {
            label,
            holds: false,
            text:
                "Ranking withheld: the 95% intervals overlap, so the order could be chance (R45)."
                    .into(),
        }
    }
}

fn manager_lines(teams: &[(User, Vec<User>)], practices: &[Practice]) -> Vec<ManagerLine> {
    teams
        .iter()
        .zip(practices)
        .map(|((m, s), p)| ManagerLine {
            id: m.id.clone(),
            name: m.name.clone(),
            sellers: s.len(),
            held: p.held,
            cells: vec![
                Figure::frequency(
                    "Hours per seller per month",
                    "R15",
                    p.hours_per_seller_month,
                    Unit::Number(" h"),
                ),
                Figure::rate("Kept as scheduled", "R14", p.kept),
                Figure::rate("Agenda agreed", "R34", p.agenda_agreed),
                Figure::rate("Closed with a next step", "R41", p.next_steps),
                Figure::rate("Commitments on time", "R39", p.on_time),
                Figure::rate("Deal items at early stages", "R25", p.early),
                Figure::rate("Observed by a director", "R43", p.observations),
            ],
            feedback: feedback_text(&p.feedback),
        })
        .collect()
}

async fn managers(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = managers_data(&state, &actor, &c).await?;
    let kept: Vec<Rate> = d.practices.iter().map(|p| p.kept).collect();
    let on_time: Vec<Rate> = d.practices.iter().map(|p| p.on_time).collect();
    let agreed: Vec<Rate> = d.practices.iter().map(|p| p.agenda_agreed).collect();
    let nav = window_nav(&c, None);
    let view = ManagersView {
        shell: Shell::new(&actor, "/analytics", state.config().email_enabled),
        tab: "managers",
        export: format!("/analytics/managers/export?{}", nav.query),
        query: nav.query.clone(),
        nav,
        rankings: vec![
            ranking("Kept as scheduled (R14)", &d.teams, &kept),
            ranking("Commitments on time (R39)", &d.teams, &on_time),
            ranking("Agenda agreed (R34)", &d.teams, &agreed),
        ],
        chart: chart(
            "managers-chart",
            "Kept as scheduled, by manager (R14)",
            "Where the whiskers overlap, the managers cannot be told apart yet.",
            d.teams
                .iter()
                .zip(&kept)
                .map(|((m, _), r)| (m.name.clone(), *r))
                .collect(),
        ),
        lines: manager_lines(&d.teams, &d.practices),
    };
    Ok(html(StatusCode::OK, &view))
}

fn manager_csv(teams: &[(User, Vec<User>)], practices: &[Practice]) -> Vec<Vec<String>> {
    teams
        .iter()
        .zip(practices)
        .map(|((m, s), p)| {
            let mut row = vec![m.name.clone(), s.len().to_string(), p.held.to_string()];
            let hours = Figure::frequency("", "", p.hours_per_seller_month, Unit::Number(""));
            row.extend(hours.csv("").into_iter().skip(3).take(4));
            for r in [
                p.kept,
                p.agenda_agreed,
                p.next_steps,
                p.on_time,
                p.early,
                p.observations,
            ] {
                row.extend(rate_cells(r));
            }
            match &p.feedback {
                FeedbackView::Summary {
                    n,
                    mean_rating,
                    would_pay,
                } => {
                    row.push(n.to_string());
                    row.push(format!("{mean_rating:.2}"));
                    row.push(
                        would_pay
                            .value()
                            .map(|v| format!("{v:.4}"))
                            .unwrap_or_default(),
                    );
                }
                FeedbackView::TooFew { n, .. } => {
                    row.push(n.to_string());
                    row.push(String::new());
                    row.push(String::new());
                }
            }
            row
        })
        .collect()
}

const MANAGER_HEADERS: [&str; 34] = [
    "manager",
    "sellers",
    "sessions_held",
    "hours_per_seller_month",
    "hours_n",
    "hours_low_95",
    "hours_high_95",
    "kept",
    "kept_n",
    "kept_low_95",
    "kept_high_95",
    "agenda_agreed",
    "agenda_agreed_n",
    "agenda_agreed_low_95",
    "agenda_agreed_high_95",
    "next_steps",
    "next_steps_n",
    "next_steps_low_95",
    "next_steps_high_95",
    "on_time",
    "on_time_n",
    "on_time_low_95",
    "on_time_high_95",
    "early_stage_items",
    "early_n",
    "early_low_95",
    "early_high_95",
    "observed",
    "observed_n",
    "observed_low_95",
    "observed_high_95",
    "feedback_answers",
    "feedback_rating",
    "feedback_would_pay",
];

async fn managers_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = managers_data(&state, &actor, &c).await?;
    match q.table.as_str() {
        "" | "managers" => csv_response(
            "managers",
            &MANAGER_HEADERS,
            manager_csv(&d.teams, &d.practices),
        ),
        other => Err(unknown_table(other, "managers")),
    }
}

// ---------------------------------------------------------------------------
// The organization (admins).

struct OrgData {
    all: Practice,
    before: Practice,
    facts: Facts,
    teams: Vec<(User, Vec<User>)>,
    practices: Vec<Practice>,
}

async fn org_data(state: &AppState, actor: &Actor, c: &Context) -> Result<OrgData, AppError> {
    policy::check(actor, Action::ViewOrganizationAnalytics)?;
    let teams = managers_in_scope(state, actor).await?;
    let both = Window {
        from: c.window.previous().from,
        to: c.window.to,
    };
    let facts = state
        .store()
        .practice_facts(&actor.org.id, &Scope::Organization, &both, c.tz)
        .await?;
    let sellers: Vec<String> = teams.iter().flat_map(|(_, s)| ids(s)).collect();
    let all = practice(&facts, &sellers, &c.rules);
    let before = practice(&facts, &sellers, &c.with_window(c.window.previous()));
    let practices = practices_by_team(&facts, &teams, &c.rules);
    Ok(OrgData {
        all,
        before,
        facts,
        teams,
        practices,
    })
}

async fn organization(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = org_data(&state, &actor, &c).await?;
    let links = Links {
        sessions: "/sessions".into(),
        actions: "/action-items?whose=team".into(),
        calls: "/calls".into(),
    };
    let nav = window_nav(&c, None);
    let (month_lines, trend_chart) = months(&d.facts, &c);
    let view = DashboardView {
        shell: Shell::new(&actor, "/analytics", state.config().email_enabled),
        tab: "organization",
        title: format!("{}: coaching across the organization", actor.org.name),
        sub: format!(
            "{} managers, {} sellers · {}. Each figure with its n and a 95% interval (R45).",
            d.teams.len(),
            d.all.sellers,
            c.window.label()
        ),
        export: format!("/analytics/organization/export?{}", nav.query),
        nav,
        managers: Vec::new(),
        chart: practice_chart(&d.all),
        groups: groups(&d.all, Audience::Organization, &links),
        sellers: Vec::new(),
        changes: changes(&d.all, &d.before),
        previous: d.before.window.label(),
        warning: REGRESSION_WARNING,
        month_lines,
        trend_chart: Some(trend_chart),
        empty: d.all.sellers == 0,
    };
    Ok(html(StatusCode::OK, &view))
}

async fn organization_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = org_data(&state, &actor, &c).await?;
    match q.table.as_str() {
        "" | "figures" => csv_response(
            "organization-figures",
            &FIGURE_HEADERS,
            figure_rows(&groups(&d.all, Audience::Organization, &Links::default())),
        ),
        "months" => month_csv("organization-months", &d.facts, &c),
        "changes" => change_csv("organization-changes", &d.all, &d.before),
        "managers" => csv_response(
            "organization-managers",
            &MANAGER_HEADERS,
            manager_csv(&d.teams, &d.practices),
        ),
        other => Err(unknown_table(other, "figures, months, changes, managers")),
    }
}

// ---------------------------------------------------------------------------
// The seller's own coaching and commitments.

async fn me_data(
    state: &AppState,
    actor: &Actor,
    c: &Context,
) -> Result<(Practice, Practice, Facts), AppError> {
    let me = actor.user.id.as_str();
    policy::check(
        actor,
        Action::ViewSellerData {
            seller_id: me,
            id: me,
        },
    )?;
    let both = Window {
        from: c.window.previous().from,
        to: c.window.to,
    };
    let scope = Scope::People {
        sellers: vec![me.to_owned()],
        managers: Vec::new(),
    };
    let facts = state
        .store()
        .practice_facts(&actor.org.id, &scope, &both, c.tz)
        .await?;
    let sellers = [me.to_owned()];
    let now = practice(&facts, &sellers, &c.rules);
    let before = practice(&facts, &sellers, &c.with_window(c.window.previous()));
    Ok((now, before, facts))
}

async fn me(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    if !actor.user.roles.has(Role::Seller) {
        return Ok(Redirect::to("/analytics").into_response());
    }
    let c = context(&state, &actor, &q).await?;
    let (now, before, facts) = me_data(&state, &actor, &c).await?;
    let links = Links {
        sessions: "/sessions".into(),
        actions: "/action-items".into(),
        calls: "/calls".into(),
    };
    let nav = window_nav(&c, None);
    let (month_lines, trend_chart) = months(&facts, &c);
    let view = DashboardView {
        shell: Shell::new(&actor, "/analytics", state.config().email_enabled),
        tab: "me",
        title: "My coaching".into(),
        sub: format!(
            "{}. The sessions you had and the commitments you made, with how sure each figure is (R45).",
            c.window.label()
        ),
        export: format!("/analytics/me/export?{}", nav.query),
        nav,
        managers: Vec::new(),
        chart: practice_chart(&now),
        groups: groups(&now, Audience::Seller, &links),
        sellers: Vec::new(),
        changes: changes(&now, &before),
        previous: before.window.label(),
        warning: REGRESSION_WARNING,
        month_lines,
        trend_chart: Some(trend_chart),
        empty: false,
    };
    Ok(html(StatusCode::OK, &view))
}

async fn me_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let (now, before, facts) = me_data(&state, &actor, &c).await?;
    match q.table.as_str() {
        "" | "figures" => csv_response(
            "my-figures",
            &FIGURE_HEADERS,
            figure_rows(&groups(&now, Audience::Seller, &Links::default())),
        ),
        "months" => month_csv("my-months", &facts, &c),
        "changes" => change_csv("my-changes", &now, &before),
        other => Err(unknown_table(other, "figures, months, changes")),
    }
}

// ---------------------------------------------------------------------------
// Outcomes by coaching.

/// One group of deals.
#[derive(Debug, Clone)]
pub(crate) struct OutcomeLine {
    pub label: &'static str,
    pub deals: u64,
    /// Win rate, days to close, won deal size.
    pub cells: Vec<Figure>,
}

/// A manager beside their sellers' results.
#[derive(Debug, Clone)]
pub(crate) struct ResultLine {
    pub name: String,
    /// Kept, hours, early, win rate.
    pub cells: Vec<Figure>,
}

#[derive(Template)]
#[template(path = "analytics_outcomes.html")]
struct OutcomesView {
    shell: Shell,
    tab: &'static str,
    nav: WindowNav,
    export: String,
    deals: u64,
    currency: String,
    other_currency: u64,
    lines: Vec<OutcomeLine>,
    comparisons: Vec<Figure>,
    chart: Chart,
    results: Vec<ResultLine>,
    splits: Vec<Figure>,
}

struct OutcomeData {
    deals: Vec<DealFact>,
    outcomes: Outcomes,
    results: Vec<ManagerResult>,
    teams: Vec<(User, Vec<User>)>,
}

async fn outcome_data(
    state: &AppState,
    actor: &Actor,
    c: &Context,
) -> Result<OutcomeData, AppError> {
    policy::check(actor, Action::ViewTeamScorecards)?;
    let d = managers_data(state, actor, c).await?;
    let scope = if actor.user.roles.has(Role::Admin) {
        Scope::Organization
    } else {
        Scope::People {
            sellers: d.teams.iter().flat_map(|(_, s)| ids(s)).collect(),
            managers: Vec::new(),
        }
    };
    let deals = state
        .store()
        .deal_facts(&actor.org.id, &scope, &c.window, c.tz)
        .await?;
    let results = d
        .teams
        .iter()
        .zip(d.practices)
        .map(|((m, s), p)| {
            let mine: BTreeSet<&str> = s.iter().map(|u| u.id.as_str()).collect();
            let of: Vec<&DealFact> = deals
                .iter()
                .filter(|d| mine.contains(d.seller_id.as_str()))
                .collect();
            ManagerResult {
                manager_id: m.id.clone(),
                practice: p,
                win: Rate::new(of.iter().filter(|d| d.won).count() as u64, of.len() as u64),
            }
        })
        .collect();
    Ok(OutcomeData {
        outcomes: outcomes(&deals),
        deals,
        results,
        teams: d.teams,
    })
}

fn outcome_lines(o: &Outcomes) -> Vec<OutcomeLine> {
    o.groups
        .iter()
        .map(|g| OutcomeLine {
            label: g.coached.label(),
            deals: g.win.n,
            cells: vec![
                Figure::rate("Win rate", "R25", g.win),
                Figure::median(
                    "Days to close",
                    "R25",
                    g.cycle_median,
                    g.cycle.map_or(0, |m| m.n),
                    Unit::Number(" days"),
                ),
                Figure::mean("Deal size, won", "R25", g.size, Unit::Number("")),
            ],
        })
        .collect()
}

fn outcome_comparisons(o: &Outcomes) -> Vec<Figure> {
    let n = |c: Coached| {
        o.groups
            .iter()
            .find(|g| g.coached == c)
            .map_or(0, |g| g.win.n)
    };
    let cycles = |c: Coached| {
        o.groups
            .iter()
            .find(|g| g.coached == c)
            .and_then(|g| g.cycle)
            .map_or(0, |m| m.n)
    };
    let sizes = |c: Coached| {
        o.groups
            .iter()
            .find(|g| g.coached == c)
            .and_then(|g| g.size)
            .map_or(0, |m| m.n)
    };
    vec![
        Figure::comparison(
            "Win rate: coached early minus not coached",
            "R25",
            o.win_early_vs_not.as_ref(),
            n(Coached::Early),
            n(Coached::Not),
            Unit::Percent,
        ),
        Figure::comparison(
            "Win rate: coached early minus only late",
            "R25",
            o.win_early_vs_late.as_ref(),
            n(Coached::Early),
            n(Coached::LateOnly),
            Unit::Percent,
        ),
        Figure::comparison(
            "Win rate: coached only late minus not coached",
            "R25",
            o.win_late_vs_not.as_ref(),
            n(Coached::LateOnly),
            n(Coached::Not),
            Unit::Percent,
        ),
        Figure::comparison(
            "Days to close: coached early minus not coached (Welch)",
            "R25",
            o.cycle_early_vs_not.as_ref(),
            cycles(Coached::Early),
            cycles(Coached::Not),
            Unit::Number(" days"),
        ),
        Figure::comparison(
            "Won deal size: coached early minus not coached (Welch)",
            "R25",
            o.size_early_vs_not.as_ref(),
            sizes(Coached::Early),
            sizes(Coached::Not),
            Unit::Number(""),
        ),
    ]
}

fn split_figures(results: &[ManagerResult]) -> Vec<Figure> {
    practice_splits(results)
        .into_iter()
        .map(|s| {
            Figure::comparison(
                &format!(
                    "Sellers' win rate: managers who do vs don't — {}",
                    s.label.to_lowercase()
                ),
                s.finding,
                s.comparison.as_ref(),
                s.with.1.n,
                s.without.1.n,
                Unit::Percent,
            )
            .note_if_enough(&format!("{} managers vs {}", s.with.0, s.without.0))
        })
        .collect()
}

impl Figure {
    fn note_if_enough(mut self, text: &str) -> Figure {
        if self.enough {
            self.note = format!("{}; {text}", self.note);
        }
        self
    }
}

async fn deals(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = outcome_data(&state, &actor, &c).await?;
    let nav = window_nav(&c, None);
    let o = &d.outcomes;
    let view = OutcomesView {
        shell: Shell::new(&actor, "/analytics", state.config().email_enabled),
        tab: "outcomes",
        export: format!("/analytics/outcomes/export?{}", nav.query),
        nav,
        deals: o.deals,
        currency: o.currency.clone().unwrap_or_default(),
        other_currency: o.other_currency,
        lines: outcome_lines(o),
        comparisons: outcome_comparisons(o),
        chart: chart(
            "outcomes-chart",
            "Win rate by how deals were coached (R25)",
            "Closed deals in the window; the whisker is the 95% interval.",
            o.groups
                .iter()
                .map(|g| (g.coached.label().to_owned(), g.win))
                .collect(),
        ),
        results: d
            .results
            .iter()
            .zip(&d.teams)
            .map(|(r, (m, _))| ResultLine {
                name: m.name.clone(),
                cells: vec![
                    Figure::rate("Kept", "R14", r.practice.kept),
                    Figure::frequency(
                        "Hours",
                        "R15",
                        r.practice.hours_per_seller_month,
                        Unit::Number(" h"),
                    ),
                    Figure::rate("Early", "R25", r.practice.early),
                    Figure::rate("Win rate", "R25", r.win),
                ],
            })
            .collect(),
        splits: split_figures(&d.results),
    };
    Ok(html(StatusCode::OK, &view))
}

async fn deals_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = outcome_data(&state, &actor, &c).await?;
    match q.table.as_str() {
        "" | "coaching" => {
            let mut rows: Vec<Vec<String>> = outcome_lines(&d.outcomes)
                .iter()
                .flat_map(|l| l.cells.iter().map(|f| f.csv(l.label)).collect::<Vec<_>>())
                .collect();
            rows.extend(
                outcome_comparisons(&d.outcomes)
                    .iter()
                    .map(|f| f.csv("comparison")),
            );
            rows.extend(
                split_figures(&d.results)
                    .iter()
                    .map(|f| f.csv("managers' practices")),
            );
            csv_response("outcomes", &FIGURE_HEADERS, rows)
        }
        "deals" => {
            let names: BTreeMap<&str, &str> = d
                .teams
                .iter()
                .flat_map(|(_, s)| s.iter().map(|u| (u.id.as_str(), u.name.as_str())))
                .collect();
            let rows = d
                .deals
                .iter()
                .map(|x| {
                    vec![
                        x.id.clone(),
                        names
                            .get(x.seller_id.as_str())
                            .copied()
                            .unwrap_or("")
                            .to_owned(),
                        if x.won { "won" } else { "lost" }.to_owned(),
                        x.coached.as_str().to_owned(),
                        x.created_on.map(|d| d.to_string()).unwrap_or_default(),
                        x.closed_on.to_string(),
                        x.amount.map(|a| format!("{a:.2}")).unwrap_or_default(),
                        x.currency.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            csv_response(
                "outcome-deals",
                &[
                    "opportunity_id",
                    "seller",
                    "outcome",
                    "coached",
                    "created_on",
                    "closed_on",
                    "amount",
                    "currency",
                ],
                rows,
            )
        }
        "managers" => {
            let rows = d
                .results
                .iter()
                .zip(&d.teams)
                .map(|(r, (m, s))| {
                    let mut row = vec![m.name.clone(), s.len().to_string()];
                    row.extend(rate_cells(r.practice.kept));
                    row.extend(rate_cells(r.practice.early));
                    row.extend(rate_cells(r.win));
                    row
                })
                .collect();
            csv_response(
                "outcome-managers",
                &[
                    "manager",
                    "sellers",
                    "kept",
                    "kept_n",
                    "kept_low_95",
                    "kept_high_95",
                    "early_stage_items",
                    "early_n",
                    "early_low_95",
                    "early_high_95",
                    "win_rate",
                    "deals",
                    "win_low_95",
                    "win_high_95",
                ],
                rows,
            )
        }
        other => Err(unknown_table(other, "coaching, deals, managers")),
    }
}

// ---------------------------------------------------------------------------
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
