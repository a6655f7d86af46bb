//! The cadence policy (coaching-model R10–R13): how often and how long each
//! kind of coaching runs, for the organization and, where a team needs
//! otherwise, for that team. Unset, a kind follows the research default,
//! cited by id; a team without its own follows the organization.

use super::RouteBook;
use super::layout::{Shell, form_page};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::rhythm::teams;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use coach_core::FieldError;
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{cadence_source, check_cadence, default_cadence, every_text};
use coach_store::rhythm::CadenceSource;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/settings/cadence", show)
        .post("/settings/cadence", save)
}

/// One kind's row.
pub(crate) struct Row {
    kind: &'static str,
    label: &'static str,
    every_weeks: u32,
    minutes: u32,
    /// Set at this scope (not inherited).
    own: bool,
    /// What applies when not set here.
    otherwise: String,
    research: &'static str,
}

#[derive(Template)]
#[template(path = "settings_cadence.html")]
struct CadencePage {
    shell: Shell,
    /// The team shown: the manager's id, or empty for the organization.
    team: String,
    team_name: String,
    teams: Vec<(String, String)>,
    rows: Vec<Row>,
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    notice: String,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    team: &str,
    notice: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let teams = teams(state, actor).await?;
    let team_name = match teams.iter().find(|(id, _)| id == team) {
        Some((_, name)) => name.clone(),
        None if team.is_empty() => String::new(),
        None => return Err(AppError::NotFound),
    };
    let scoped = store
        .cadence(&actor.org.id, (!team.is_empty()).then_some(team))
        .await?;
    let org = store.cadence(&actor.org.id, None).await?;
    let rows = scoped
        .iter()
        .map(|r| {
            let own = if team.is_empty() {
                r.source == CadenceSource::Organization
            } else {
                r.source == CadenceSource::Team
            };
            let (every, minutes, whose) =
                match (team.is_empty(), org.iter().find(|o| o.kind == r.kind)) {
                    (false, Some(o)) if o.source == CadenceSource::Organization => {
                        (o.every_weeks, o.minutes, "the organization's")
                    }
                    _ => {
                        let (e, m) = default_cadence(r.kind);
                        (e, m, "the research default")
                    }
                };
            Row {
                kind: r.kind.as_str(),
                label: r.kind.label(),
                every_weeks: r.every_weeks,
                minutes: r.minutes,
                own,
                otherwise: format!("{whose}: {}, {minutes} min", every_text(every)),
                research: cadence_source(r.kind),
            }
        })
        .collect();
    let notice = match notice {
        "saved" => Some(
            "Saved. Rhythms planned from now on follow it; applied ones keep theirs until re-planned.",
        ),
        _ => None,
    };
    let view = CadencePage {
        shell: Shell::new(actor, "/settings", state.config().email_enabled).with_notice(notice),
        team: team.to_owned(),
        team_name,
        teams,
        rows,
        error,
    };
    Ok(form_page(&view, view.error.is_some()))
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    render(&state, &actor, &q.team, &q.notice, None).await
}

/// A kind and its cadence (every so many weeks, minutes); `None` to follow
/// what applies otherwise.
type Answer = (SessionKind, Option<(u32, u32)>);

/// The form's answer for each kind.
fn parsed(form: &[(String, String)]) -> Result<Vec<Answer>, FieldError> {
    let value = |name: String| {
        form.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    SessionKind::ALL
        .iter()
        .map(|kind| {
            let k = kind.as_str();
            if value(format!("{k}_own")).is_none() {
                return Ok((*kind, None));
            }
            let number = |field: &'static str, raw: Option<String>| {
                raw.unwrap_or_default().parse::<i64>().map_err(|_| {
                    FieldError::new(field, format!("{}: expected a whole number", kind.label()))
                })
            };
            let every = number("every_weeks", value(format!("{k}_every")))?;
            let minutes = number("minutes", value(format!("{k}_minutes")))?;
            check_cadence(every, minutes)
                .map(|v| (*kind, Some(v)))
                .map_err(|e| FieldError::new(e.field, format!("{}: {}", kind.label(), e.message)))
        })
        .collect()
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let team = form
        .iter()
        .find(|(k, _)| k == "team")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if !team.is_empty()
        && !teams(&state, &actor)
            .await?
            .iter()
            .any(|(id, _)| *id == team)
    {
        return Err(AppError::NotFound);
    }
    match parsed(&form) {
        Err(e) => {
            render(
                &state,
                &actor,
                &team,
                "",
                Some(format!("Nothing was saved. {}.", e.message)),
            )
            .await
        }
        Ok(rows) => {
            state
                .store()
                .set_cadence(
                    &actor.org.id,
                    (!team.is_empty()).then_some(team.as_str()),
                    &rows,
                    &actor.user.id,
                )
                .await?;
            let q = if team.is_empty() {
                String::new()
            } else {
                format!("team={team}&")
            };
            Ok(Redirect::to(&format!("/settings/cadence?{q}notice=saved")).into_response())
        }
    }
}
