//! Outcomes of deals by how they were coached (R25), and sellers' results
//! against their managers' practices.

use super::*;

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
pub(super) struct OutcomesView {
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

pub(super) struct OutcomeData {
    deals: Vec<DealFact>,
    outcomes: Outcomes,
    results: Vec<ManagerResult>,
    teams: Vec<(User, Vec<User>)>,
}

pub(super) async fn outcome_data(
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

pub(super) fn outcome_lines(o: &Outcomes) -> Vec<OutcomeLine> {
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

pub(super) fn outcome_comparisons(o: &Outcomes) -> Vec<Figure> {
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

pub(super) fn split_figures(results: &[ManagerResult]) -> Vec<Figure> {
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

pub(super) async fn deals(
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

pub(super) async fn deals_export(
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
