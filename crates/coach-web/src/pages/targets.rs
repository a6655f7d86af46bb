//! Targets and entered values (admins): what each result and objective
//! should reach in a month or quarter, for the organization, a team or one
//! seller (the nearest applies), and the values Coach cannot compute from
//! the CRM, such as profit or market share (R2, R3).

use super::RouteBook;
use super::layout::{Shell, html, sentence};
use super::model::team_leaders;
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::scorecards;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::roa::{Metric, Period, Unit};
use coach_core::{FieldError, Role};
use coach_store::roa::{Model, TargetScope};
use coach_store::{StoreError, UserFilter};
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/model/targets", show)
        .post("/model/targets", set_target)
        .post("/model/targets/remove", remove_target)
        .post("/model/values", set_value)
}

/// One target, as a row.
pub(crate) struct TargetRow {
    measure: String,
    level: &'static str,
    scope_label: String,
    scope: String,
    measure_id: String,
    value: String,
}

/// One entered value, as a row.
pub(crate) struct ValueRow {
    measure: String,
    seller: String,
    value: String,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    shell: Shell,
    period: String,
    period_label: String,
    previous: String,
    next: String,
    targets: Vec<TargetRow>,
    values: Vec<ValueRow>,
    measures: Vec<(String, String)>,
    entered: Vec<(String, String)>,
    scopes: Vec<(String, String)>,
    sellers: Vec<(String, String)>,
    error: Option<String>,
}

/// The page's period.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    notice: String,
}

fn unit_suffix(model: &Model, id: &str) -> &'static str {
    match model.measure(id).map(|m| m.unit) {
        Some(Unit::Percent) => "%",
        _ => "",
    }
}

async fn render(
    state: &AppState,
    actor: &Actor,
    period: Period,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let model = store.roa_model(&actor.org.id).await?;
    let people = store.users(&actor.org.id, &UserFilter::default()).await?;
    let name = |id: &str| {
        people
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| "someone who left".to_owned(), |u| u.name.clone())
    };
    let leaders = team_leaders(state, &actor.org.id).await?;
    let targets = store
        .targets(&actor.org.id, Some(period))
        .await?
        .into_iter()
        .filter_map(|t| {
            let m = model.measure(&t.measure_id)?;
            let (scope_label, scope) = match &t.scope {
                TargetScope::Organization => ("Everyone".to_owned(), "org".to_owned()),
                TargetScope::Team(id) => (format!("{}'s team", name(id)), format!("team:{id}")),
                TargetScope::Seller(id) => (name(id), format!("seller:{id}")),
            };
            Some(TargetRow {
                measure: m.name.clone(),
                level: m.level.label(),
                scope_label,
                scope,
                measure_id: m.id.clone(),
                value: format!("{}{}", t.value, unit_suffix(&model, &m.id)),
            })
        })
        .collect();
    let values = store
        .entered_values(&actor.org.id, period)
        .await?
        .into_iter()
        .filter_map(|v| {
            Some(ValueRow {
                measure: model.measure(&v.measure_id)?.name.clone(),
                seller: name(&v.seller_id),
                value: format!("{}{}", v.value, unit_suffix(&model, &v.measure_id)),
            })
        })
        .collect();
    let mut scopes = vec![("org".to_owned(), "Everyone".to_owned())];
    scopes.extend(
        leaders
            .iter()
            .map(|(id, n)| (format!("team:{id}"), format!("{n}'s team"))),
    );
    let mut sellers: Vec<(String, String)> = people
        .iter()
        .filter(|u| u.active && u.roles.has(Role::Seller))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    sellers.sort_by(|a, b| a.1.cmp(&b.1));
    scopes.extend(
        sellers
            .iter()
            .map(|(id, n)| (format!("seller:{id}"), n.clone())),
    );
    let view = TargetsPage {
        shell: Shell::new(actor, "/scorecard", state.config().email_enabled).with_notice(notice),
        period: period.to_string(),
        period_label: period.label(),
        previous: period.previous().to_string(),
        next: period.next().to_string(),
        targets,
        values,
        measures: model
            .measures
            .iter()
            .map(|m| (m.id.clone(), format!("{} · {}", m.name, m.level.label())))
            .collect(),
        entered: model
            .measures
            .iter()
            .filter(|m| m.metric == Metric::Entered)
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect(),
        scopes,
        sellers,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(status, &view))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let today = scorecards::today(&actor.org.time_zone);
    let period = scorecards::period_or_current(Some(&q.period), today)?;
    let notice = match q.notice.as_str() {
        "saved" => Some("Target saved. Scorecards of the period use it now."),
        "removed" => Some("Target removed."),
        "entered" => Some("Value saved."),
        _ => None,
    };
    render(&state, &actor, period, notice, None).await
}

/// The target and value forms.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct TargetForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    measure_id: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    seller_id: String,
    #[serde(default)]
    value: String,
}

fn scope_of(raw: &str) -> Result<TargetScope, FieldError> {
    if raw == "org" {
        return Ok(TargetScope::Organization);
    }
    if let Some(id) = raw.strip_prefix("team:") {
        return Ok(TargetScope::Team(id.to_owned()));
    }
    if let Some(id) = raw.strip_prefix("seller:") {
        return Ok(TargetScope::Seller(id.to_owned()));
    }
    Err(FieldError::new(
        "scope",
        "expected everyone, a team or a seller",
    ))
}

fn period_of(form: &TargetForm) -> Result<Period, AppError> {
    form.period.parse().map_err(AppError::Invalid)
}

fn back(period: Period, notice: &str) -> Response {
    Redirect::to(&format!("/model/targets?period={period}&notice={notice}")).into_response()
}

async fn refused(
    state: &AppState,
    actor: &Actor,
    period: Period,
    e: StoreError,
) -> Result<Response, AppError> {
    match e {
        StoreError::Invalid(f) => {
            render(state, actor, period, None, Some(sentence(&f.message))).await
        }
        other => Err(other.into()),
    }
}

async fn set_target(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<TargetForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let period = period_of(&form)?;
    let result = match scope_of(&form.scope) {
        Ok(scope) => state
            .store()
            .set_target(
                &actor.org.id,
                &form.measure_id,
                period,
                scope,
                &form.value,
                &actor.user.id,
            )
            .await
            .map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(back(period, "saved")),
        Err(e) => refused(&state, &actor, period, e).await,
    }
}

async fn remove_target(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<TargetForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let period = period_of(&form)?;
    let scope = scope_of(&form.scope).map_err(AppError::Invalid)?;
    state
        .store()
        .remove_target(&actor.org.id, &form.measure_id, period, &scope)
        .await?;
    Ok(back(period, "removed"))
}

async fn set_value(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<TargetForm>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let period = period_of(&form)?;
    match state
        .store()
        .set_value(
            &actor.org.id,
            &form.measure_id,
            &form.seller_id,
            period,
            &form.value,
            &actor.user.id,
        )
        .await
    {
        Ok(_) => Ok(back(period, "entered")),
        Err(e) => refused(&state, &actor, period, e).await,
    }
}
