//! The organization, for admins.

use super::*;

pub(super) struct OrgData {
    all: Practice,
    before: Practice,
    facts: Facts,
    teams: Vec<(User, Vec<User>)>,
    practices: Vec<Practice>,
}

pub(super) async fn org_data(
    state: &AppState,
    actor: &Actor,
    c: &Context,
) -> Result<OrgData, AppError> {
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

pub(super) async fn organization(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let c = context(&state, &actor, &q).await?;
    let d = org_data(&state, &actor, &c).await?;
    let links = Links::team();
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

pub(super) async fn organization_export(
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
