//! The manager's dashboard: my team.

use super::*;

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
pub(super) struct TeamData {
    manager: User,
    sellers: Vec<User>,
    now: Practice,
    before: Practice,
    facts: Facts,
}

pub(super) async fn team_data(
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

pub(super) fn seller_lines(p: &Practice, sellers: &[User]) -> Vec<SellerLine> {
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

pub(super) async fn team(
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
    let links = Links::team();
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

pub(super) async fn team_export(
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
