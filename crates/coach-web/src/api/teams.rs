//! `/api/v1/teams`: a team is a leader and the people reporting to them; its
//! id is the leader's.

use super::ApiResult;
use super::me::PersonRef;
use super::pagination::{Cursor, limit};
use crate::auth::Actor;
use crate::error::{AppError, ErrorEnvelope};
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use coach_store::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    /// The team's id: its leader's id.
    pub id: String,
    /// The leader (a manager or director).
    pub leader: PersonRef,
    /// The active people reporting directly to the leader.
    pub members: Vec<PersonRef>,
}

/// A page of teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamPage {
    /// The teams on this page.
    pub data: Vec<TeamOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Paging for the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TeamParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn person(u: &User) -> PersonRef {
    PersonRef {
        id: u.id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
    }
}

async fn teams_in_id_order(state: &AppState, actor: &Actor) -> Result<Vec<TeamOut>, AppError> {
    let mut teams: Vec<TeamOut> = crate::pages::visible_teams(state, actor)
        .await?
        .into_iter()
        .map(|(leader, members)| TeamOut {
            id: leader.id.clone(),
            leader: person(&leader),
            members: members.iter().map(person).collect(),
        })
        .collect();
    teams.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(teams)
}

/// List the teams you may see.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(TeamParams),
    responses((status = 200, body = TeamPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<TeamParams>,
) -> ApiResult<Json<TeamPage>> {
    let limit = limit(p.limit)?;
    let after = Cursor::decode(p.cursor.as_deref())?;
    let mut teams: Vec<TeamOut> = teams_in_id_order(&state, &actor)
        .await?
        .into_iter()
        .filter(|t| after.as_ref().is_none_or(|a| t.id > *a))
        .collect();
    let next_cursor = if teams.len() > limit {
        teams.truncate(limit);
        teams.last().map(|t| Cursor::encode(&t.id))
    } else {
        None
    };
    Ok(Json(TeamPage {
        data: teams,
        next_cursor,
    }))
}

/// One team, by its leader's id.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams", params(("id" = String, Path, description = "The leader's id")),
    responses((status = 200, body = TeamOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<TeamOut>> {
    let leader = state.store().user(&actor.org.id, &id).await?;
    policy::check(&actor, Action::ViewTeam(&leader))?;
    teams_in_id_order(&state, &actor)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(Json)
        .ok_or(AppError::NotFound)
}
