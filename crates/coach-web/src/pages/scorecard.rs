//! The seller scorecard (R2–R5): for a month or quarter, each activity
//! against its quantitative and qualitative standard, the objectives those
//! activities drive and the results those drive, drawn as the chain so a
//! manager can connect the dots; flags for activities below standard and for
//! activities that drive nothing the seller is measured on (R3). The team view
//! puts a team's (or, for directors, every team's) sellers side by side with
//! adoption of each standard week by week (R5).

use super::RouteBook;
use super::layout::{Shell, html, money};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::scorecards;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::Role;
use coach_core::roa::{ActivityLine, MeasureLine, MeasureValue, Period, Scorecard, Unit};
use coach_core::stats::Rate;
use coach_store::roa::Model;
use coach_store::{User, UserFilter};
use rust_decimal::Decimal;
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/scorecard", start)
        .get("/scorecard/me", mine)
        .get("/scorecard/team", team)
        .get("/scorecard/{seller_id}", seller)
}

/// The period of the page.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    team: String,
}

async fn start(actor: Actor) -> Response {
    let roles = &actor.user.roles;
    if roles.leads() || (roles.has(Role::Admin) && !roles.has(Role::Seller)) {
        Redirect::to("/scorecard/team").into_response()
    } else {
        Redirect::to("/scorecard/me").into_response()
    }
}

async fn mine(actor: Actor) -> Response {
    if actor.user.roles.has(Role::Seller) {
        Redirect::to(&format!("/scorecard/{}", actor.user.id)).into_response()
    } else {
        Redirect::to("/scorecard/team").into_response()
    }
}

fn number(d: Decimal, unit: Unit) -> String {
    let d = d.round_dp(2).normalize();
    match unit {
        Unit::Percent => format!("{d}%"),
        Unit::Money => money(&d.to_string(), None),
        Unit::Count => d.to_string(),
    }
}

/// A measure's value for people.
pub(crate) fn value_text(v: &MeasureValue, unit: Unit) -> String {
    match v {
        MeasureValue::Money(sums) if sums.is_empty() => "0".to_owned(),
        MeasureValue::Money(sums) => sums
            .iter()
            .map(|(c, a)| {
                let c = Some(c.as_str()).filter(|c| !c.is_empty());
                money(&a.round_dp(2).normalize().to_string(), c)
            })
            .collect::<Vec<_>>()
            .join(" + "),
        MeasureValue::Rate { won, of } => rate_text(Rate::new(*won, *of), "closed"),
        MeasureValue::Count(n) => n.to_string(),
        MeasureValue::Entered(d) => number(*d, unit),
        MeasureValue::Missing => "Not entered".to_owned(),
    }
}

/// A rate with its sample (R45): "2 of 3 closed · too few to read", or
/// "67% of 15 closed (95% CI 42–85%)".
pub(crate) fn rate_text(r: Rate, of_what: &str) -> String {
    match (r.value(), r.interval()) {
        (Some(v), Some((lo, hi))) if r.enough_data() => format!(
            "{:.0}% of {} {of_what} (95% CI {:.0}–{:.0}%)",
            v * 100.0,
            r.n,
            lo * 100.0,
            hi * 100.0
        ),
        (Some(_), _) => format!("{} of {} {of_what} · too few to read a rate", r.hits, r.n),
        _ => format!("none {of_what}"),
    }
}

/// One activity line for the page.
pub(crate) struct ActivityRow {
    id: String,
    name: String,
    group: &'static str,
    count: u64,
    standard: String,
    quantity: (&'static str, &'static str),
    quality: String,
    quality_pill: (&'static str, &'static str),
    drives: Vec<String>,
    unaligned: bool,
}

fn activity_row(a: &ActivityLine, model: &Model) -> ActivityRow {
    let standard = match (a.expected, a.due_by_now) {
        (Some(e), Some(d)) => format!(
            "{} a {} · {} this period, {} by today",
            e.count,
            e.per.label(),
            e.display(),
            d.display()
        ),
        (Some(e), None) => format!(
            "{} a {} · {} this period",
            e.count,
            e.per.label(),
            e.display()
        ),
        _ => "No standard applies".to_owned(),
    };
    ActivityRow {
        id: a.id.clone(),
        name: a.name.clone(),
        group: a.group.label(),
        count: a.count,
        standard,
        quantity: match a.quantity_met {
            Some(true) => ("good", "On standard"),
            Some(false) => ("below", "Below standard"),
            None => ("none", "No standard"),
        },
        quality: if a.scored == 0 {
            "None scored yet".to_owned()
        } else {
            format!("{} of {} scored met the rubric", a.scored_good, a.scored)
        },
        quality_pill: match a.quality_met {
            Some(true) => ("good", "On standard"),
            Some(false) => ("below", "Below standard"),
            None => ("none", "Not scored"),
        },
        drives: a
            .drives
            .iter()
            .filter_map(|id| model.measure(id).map(|m| m.name.clone()))
            .collect(),
        unaligned: !a.measured,
    }
}

/// One result or objective line for the page.
pub(crate) struct MeasureRow {
    name: String,
    value: String,
    target: String,
    status: (&'static str, &'static str),
    driven_by: Vec<String>,
}

fn measure_row(m: &MeasureLine, model: &Model) -> MeasureRow {
    MeasureRow {
        name: m.name.clone(),
        value: value_text(&m.value, m.unit),
        target: m
            .target
            .map_or_else(|| "No target".to_owned(), |t| number(t, m.unit)),
        status: match m.target_met {
            Some(true) => ("good", "On target"),
            Some(false) => ("below", "Below target"),
            None => ("none", "—"),
        },
        driven_by: m
            .driven_by
            .iter()
            .filter_map(|id| {
                model
                    .measure(id)
                    .map(|x| x.name.clone())
                    .or_else(|| model.activity_type(id).map(|t| t.name.clone()))
            })
            .collect(),
    }
}

/// A box of the chain drawing.
pub(crate) struct SvgBox {
    x: usize,
    y: usize,
    class: &'static str,
    title: String,
    line1: String,
    line2: String,
}

/// The chain drawn as SVG: three columns, with a line for every link.
pub(crate) struct Chain {
    width: usize,
    height: usize,
    box_w: usize,
    box_h: usize,
    cols: [usize; 3],
    boxes: Vec<SvgBox>,
    paths: Vec<String>,
    label: String,
}

const BOX_W: usize = 272;
const BOX_H: usize = 58;
const COL_GAP: usize = 72;
const ROW_GAP: usize = 14;
const TOP: usize = 34;

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn chain(card: &Scorecard) -> Chain {
    let x = |col: usize| col * (BOX_W + COL_GAP);
    let y = |row: usize| TOP + row * (BOX_H + ROW_GAP);
    let mut boxes = Vec::new();
    let mut at: Vec<(String, usize, usize)> = Vec::new();
    for (row, a) in card.activities.iter().enumerate() {
        let class = match (a.measured, a.below_standard(), a.quantity_met) {
            (false, _, _) => "unaligned",
            (true, true, _) => "below",
            (true, false, Some(true)) => "good",
            _ => "plain",
        };
        let quality = if a.scored > 0 {
            format!(" · {}/{} good", a.scored_good, a.scored)
        } else {
            String::new()
        };
        let line2 = match a.due_by_now.or(a.expected) {
            Some(e) => format!("{} of {} due{quality}", a.count, e.display()),
            None => format!("{} done{quality}", a.count),
        };
        boxes.push(SvgBox {
            x: x(0),
            y: y(row),
            class,
            title: a.name.clone(),
            line1: clip(&a.name, 30),
            line2,
        });
        at.push((a.id.clone(), x(0), y(row)));
    }
    for (col, lines) in [(1, &card.objectives), (2, &card.results)] {
        for (row, m) in lines.iter().enumerate() {
            let class = match m.target_met {
                Some(true) => "good",
                Some(false) => "below",
                None => "plain",
            };
            let value = match m.value {
                MeasureValue::Rate { won, of } => format!("{won} of {of} closed"),
                _ => value_text(&m.value, m.unit),
            };
            let line2 = match m.target {
                Some(t) => format!("{} · target {}", clip(&value, 18), number(t, m.unit)),
                None => clip(&value, 34),
            };
            boxes.push(SvgBox {
                x: x(col),
                y: y(row),
                class,
                title: format!("{}: {value}", m.name),
                line1: clip(&m.name, 30),
                line2,
            });
            at.push((m.id.clone(), x(col), y(row)));
        }
    }
    let find = |id: &str| {
        at.iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, x, y)| (*x, *y))
    };
    let mut paths = Vec::new();
    let mut link = |from: &str, to: &str| {
        if let (Some((x1, y1)), Some((x2, y2))) = (find(from), find(to)) {
            let (sx, sy, ex, ey) = (x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
            paths.push(format!(
                "M{sx} {sy} C{} {sy}, {} {ey}, {ex} {ey}",
                sx + COL_GAP / 2,
                ex - COL_GAP / 2
            ));
        }
    };
    for a in &card.activities {
        for o in &a.drives {
            link(&a.id, o);
        }
    }
    for o in &card.objectives {
        for r in &o.drives {
            link(&o.id, r);
        }
    }
    let rows = card
        .activities
        .len()
        .max(card.objectives.len())
        .max(card.results.len())
        .max(1);
    Chain {
        width: 3 * BOX_W + 2 * COL_GAP,
        height: y(rows),
        box_w: BOX_W,
        box_h: BOX_H,
        cols: [x(0), x(1), x(2)],
        boxes,
        paths,
        label: format!(
            "{} activities drive {} objectives, which drive {} results; the tables below give every number.",
            card.activities.len(),
            card.objectives.len(),
            card.results.len()
        ),
    }
}

/// Links to the period before and after, and to the month or quarter.
pub(crate) struct PeriodNav {
    label: String,
    previous: String,
    next: Option<String>,
    month: String,
    quarter: String,
    is_quarter: bool,
}

fn period_nav(period: Period, today: chrono::NaiveDate) -> PeriodNav {
    let next = period.next();
    PeriodNav {
        label: period.label(),
        previous: period.previous().to_string(),
        next: (next.start() <= today).then(|| next.to_string()),
        month: Period::month_of(period.last_day().min(today)).to_string(),
        quarter: Period::quarter_of(period.start()).to_string(),
        is_quarter: period.is_quarter(),
    }
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct SellerPage {
    shell: Shell,
    seller_id: String,
    seller: String,
    own: bool,
    tab: String,
    nav: PeriodNav,
    running: bool,
    activities: Vec<ActivityRow>,
    objectives: Vec<MeasureRow>,
    results: Vec<MeasureRow>,
    below: usize,
    unaligned: usize,
    chain: Chain,
}

async fn seller(
    State(state): State<AppState>,
    actor: Actor,
    Path(seller_id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let store = state.store();
    let seller = store.user(&actor.org.id, &seller_id).await?;
    policy::check(
        &actor,
        Action::ViewSellerData {
            seller_id: &seller.id,
            id: &seller.id,
        },
    )?;
    let (model, card) =
        scorecards::seller_scorecard(&state, &actor, &seller, Some(&q.period)).await?;
    let card = &card;
    let today = scorecards::today(&actor.org.time_zone);
    let period = card.period;
    let view = SellerPage {
        shell: Shell::new(&actor, "/scorecard", state.config().email_enabled),
        own: seller.id == actor.user.id,
        tab: if seller.id == actor.user.id {
            "me"
        } else {
            "team"
        }
        .to_owned(),
        seller_id: seller.id.clone(),
        seller: seller.name.clone(),
        nav: period_nav(period, today),
        running: card.running,
        activities: card
            .activities
            .iter()
            .map(|a| activity_row(a, &model))
            .collect(),
        objectives: card
            .objectives
            .iter()
            .map(|m| measure_row(m, &model))
            .collect(),
        results: card
            .results
            .iter()
            .map(|m| measure_row(m, &model))
            .collect(),
        below: card
            .activities
            .iter()
            .filter(|a| a.below_standard())
            .count(),
        unaligned: card.unaligned().count(),
        chain: chain(card),
    };
    Ok(html(StatusCode::OK, &view))
}

/// One seller's row of the team table.
pub(crate) struct TeamRow {
    id: String,
    name: String,
    cells: Vec<(String, &'static str, String)>,
    below: usize,
    unaligned: usize,
}

/// The rows of one team.
pub(crate) struct TeamGroup {
    leader: String,
    rows: Vec<TeamRow>,
}

/// One activity type's adoption row.
pub(crate) struct AdoptionRow {
    name: String,
    cells: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "scorecard_team.html")]
struct TeamPage {
    shell: Shell,
    nav: PeriodNav,
    team: String,
    teams: Vec<(String, String)>,
    columns: Vec<String>,
    groups: Vec<TeamGroup>,
    weeks: Vec<String>,
    adoption: Vec<AdoptionRow>,
    sellers: usize,
}

async fn team(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ViewTeamScorecards)?;
    let store = state.store();
    let today = scorecards::today(&actor.org.time_zone);
    let period = scorecards::period_or_current(Some(&q.period), today)?;
    let people = store
        .users(
            &actor.org.id,
            &UserFilter {
                only: policy::people_scope(&actor).ids(),
                active: Some(true),
                ..UserFilter::default()
            },
        )
        .await?;
    let everyone = store.users(&actor.org.id, &UserFilter::default()).await?;
    let name_of = |id: &str| {
        everyone
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| "No manager".to_owned(), |u| u.name.clone())
    };
    let mut teams: Vec<(String, String)> = people
        .iter()
        .filter(|u| u.roles.has(Role::Seller))
        .filter_map(|u| u.manager_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|id| {
            let n = name_of(&id);
            (id, n)
        })
        .collect();
    teams.sort_by(|a, b| a.1.cmp(&b.1));
    let team_id = Some(q.team.clone()).filter(|t| teams.iter().any(|(id, _)| id == t));
    let mut sellers: Vec<User> = people
        .into_iter()
        .filter(|u| u.roles.has(Role::Seller) && u.id != actor.user.id)
        .filter(|u| team_id.is_none() || u.manager_id == team_id)
        .collect();
    sellers.sort_by(|a, b| {
        (name_of(a.manager_id.as_deref().unwrap_or("")), &a.name)
            .cmp(&(name_of(b.manager_id.as_deref().unwrap_or("")), &b.name))
    });
    let model = store.roa_model(&actor.org.id).await?;
    let cards =
        scorecards::scorecards(&state, &actor.org.id, &model, &sellers, period, today).await?;
    let active: Vec<_> = model.activity_types.iter().filter(|t| t.active).collect();
    let mut groups: Vec<TeamGroup> = Vec::new();
    for (s, card) in sellers.iter().zip(&cards) {
        let leader = s
            .manager_id
            .as_deref()
            .map_or_else(|| "No manager".to_owned(), name_of);
        let cells = active
            .iter()
            .map(|t| match card.activities.iter().find(|a| a.id == t.id) {
                None => ("—".to_owned(), "", "No standard applies".to_owned()),
                Some(a) => {
                    let due = a.due_by_now.or(a.expected);
                    let class = match a.quantity_met {
                        Some(true) => "cell-good",
                        Some(false) => "cell-below",
                        None => "",
                    };
                    let quality = if a.scored > 0 {
                        format!("{}/{} good", a.scored_good, a.scored)
                    } else {
                        "not scored".to_owned()
                    };
                    (
                        due.map_or_else(
                            || a.count.to_string(),
                            |e| format!("{} / {}", a.count, e.display()),
                        ),
                        class,
                        quality,
                    )
                }
            })
            .collect();
        let row = TeamRow {
            id: s.id.clone(),
            name: s.name.clone(),
            cells,
            below: card
                .activities
                .iter()
                .filter(|a| a.below_standard())
                .count(),
            unaligned: card.unaligned().count(),
        };
        match groups.last_mut() {
            Some(g) if g.leader == leader => g.rows.push(row),
            _ => groups.push(TeamGroup {
                leader,
                rows: vec![row],
            }),
        }
    }
    let adoption = scorecards::adoption_of(&state, &actor.org.id, &model, &sellers, today).await?;
    let weeks = adoption
        .first()
        .map(|a| a.weeks.iter().map(|w| w.week.label()).collect())
        .unwrap_or_default();
    let view = TeamPage {
        shell: Shell::new(&actor, "/scorecard", state.config().email_enabled),
        nav: period_nav(period, today),
        team: team_id.unwrap_or_default(),
        teams,
        columns: active.iter().map(|t| t.name.clone()).collect(),
        groups,
        weeks,
        adoption: adoption
            .iter()
            .map(|a| AdoptionRow {
                name: a.name.clone(),
                cells: a
                    .weeks
                    .iter()
                    .map(|w| {
                        let r = Rate::new(w.met, w.of);
                        let text = match r.value() {
                            Some(v) => format!("{:.0}%", v * 100.0),
                            None => "—".to_owned(),
                        };
                        let class = match r.value() {
                            Some(v) if v >= 0.75 => "cell-good",
                            Some(v) if v < 0.5 => "cell-below",
                            _ => "",
                        };
                        let n = if w.of == 0 {
                            String::new()
                        } else {
                            format!("{} of {}", w.met, w.of)
                        };
                        (text, class, n)
                    })
                    .collect(),
            })
            .collect(),
        sellers: sellers.len(),
    };
    Ok(html(StatusCode::OK, &view))
}
