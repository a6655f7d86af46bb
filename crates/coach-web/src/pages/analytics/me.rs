//! The seller's own coaching and commitments.

use super::*;

pub(super) async fn me_data(
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

pub(super) async fn me(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    if !actor.user.roles.has(Role::Seller) {
        return Ok(Redirect::to("/analytics").into_response());
    }
    let c = context(&state, &actor, &q).await?;
    let (now, before, facts) = me_data(&state, &actor, &c).await?;
    let links = Links::own();
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

pub(super) async fn me_export(
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
