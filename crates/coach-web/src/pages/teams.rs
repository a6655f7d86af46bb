//! Teams: a leader and the people reporting to them, for every leader the
//! viewer may see.

use super::RouteBook;
use super::layout::{Shell, html};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coach_store::{User, UserFilter};

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/teams", list)
}

pub(crate) struct TeamCard {
    leader_id: String,
    leader_name: String,
    leader_roles: String,
    members: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    shell: Shell,
    teams: Vec<TeamCard>,
}

/// The teams `actor` may see: every leader the policy lets them see with the
/// active people reporting to that leader, top of the organization first
/// (directors before their managers), then by name. Pages and API share it.
pub(crate) async fn visible_teams(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(User, Vec<User>)>, AppError> {
    // Admins see every team; others theirs and those below them: the
    // people the sign-in already found below them, read by id rather than
    // from the whole organization.
    let everyone = if actor.user.roles.has(coach_core::Role::Admin) {
        state
            .store()
            .users(
                &actor.org.id,
                &UserFilter {
                    active: Some(true),
                    ..UserFilter::default()
                },
            )
            .await?
    } else {
        let below: Vec<String> = actor.below.iter().cloned().collect();
        let mut people = state.store().active_people(&actor.org.id, &below).await?;
        people.push(actor.user.clone());
        people
    };
    let by_id: std::collections::HashMap<&str, &User> =
        everyone.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut members: std::collections::HashMap<&str, Vec<User>> = std::collections::HashMap::new();
    for u in &everyone {
        if let Some(m) = u.manager_id.as_deref() {
            members.entry(m).or_default().push(u.clone());
        }
    }
    let mut teams: Vec<(User, Vec<User>)> = everyone
        .iter()
        .filter(|leader| policy::allows(actor, Action::ViewTeam(leader)))
        .filter_map(|leader| {
            members
                .remove(leader.id.as_str())
                .map(|m| (leader.clone(), m))
        })
        .collect();
    let depth = |u: &User| {
        let mut d = 0usize;
        let mut current = u.manager_id.as_deref();
        while let Some(m) = current.filter(|_| d <= everyone.len()) {
            d += 1;
            current = by_id.get(m).and_then(|p| p.manager_id.as_deref());
        }
        d
    };
    teams.sort_by_cached_key(|(leader, _)| (depth(leader), leader.name.clone()));
    Ok(teams)
}

async fn list(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    policy::check(&actor, Action::ListPeople)?;
    let teams = visible_teams(&state, &actor)
        .await?
        .into_iter()
        .map(|(leader, members)| TeamCard {
            leader_id: leader.id,
            leader_name: leader.name,
            leader_roles: leader.roles.labels(),
            members: members
                .into_iter()
                .map(|m| (m.id, m.name, m.roles.labels()))
                .collect(),
        })
        .collect();
    let view = TeamsPage {
        shell: Shell::new(&actor, "/teams", state.config().email_enabled),
        teams,
    };
    Ok(html(StatusCode::OK, &view))
}
