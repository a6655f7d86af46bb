//! The director's dashboard: managers side by side, ranked only where
//! intervals part (R45).

use super::*;

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
pub(super) struct ManagersView {
    shell: Shell,
    tab: &'static str,
    nav: WindowNav,
    export: String,
    lines: Vec<ManagerLine>,
    rankings: Vec<RankingLine>,
    chart: Chart,
    query: String,
}

pub(super) struct ManagersData {
    pub(super) teams: Vec<(User, Vec<User>)>,
    pub(super) practices: Vec<Practice>,
}

pub(super) async fn managers_data(
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

pub(super) fn practices_by_team(
    facts: &Facts,
    teams: &[(User, Vec<User>)],
    rules: &Rules,
) -> Vec<Practice> {
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

pub(super) fn feedback_text(v: &FeedbackView) -> String {
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

pub(super) fn ranking(
    label: &'static str,
    teams: &[(User, Vec<User>)],
    rates: &[Rate],
) -> RankingLine {
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

pub(super) fn manager_lines(
    teams: &[(User, Vec<User>)],
    practices: &[Practice],
) -> Vec<ManagerLine> {
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

pub(super) async fn managers(
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

pub(super) fn manager_csv(teams: &[(User, Vec<User>)], practices: &[Practice]) -> Vec<Vec<String>> {
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

pub(super) const MANAGER_HEADERS: [&str; 34] = [
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

pub(super) async fn managers_export(
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
