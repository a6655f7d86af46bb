//! The start page: what matters to this person, by role.

use super::layout::{Shell, first_name, html, initials};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coach_core::Role;
use coach_store::UserFilter;

pub(crate) struct Stat {
    value: usize,
    label: &'static str,
    href: &'static str,
}

pub(crate) struct Member {
    id: String,
    name: String,
    initials: String,
    roles: String,
    reports: usize,
}

pub(crate) struct Manager {
    name: String,
    initials: String,
    email: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    first_name: String,
    roles: String,
    stats: Vec<Stat>,
    team: Vec<Member>,
    manager: Option<Manager>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, AppError> {
    let store = state.store();
    let org_id = &actor.org.id;
    let chart = store.org_chart(org_id).await?;
    let mut stats = Vec::new();
    if actor.user.roles.has(Role::Admin) {
        let everyone = store
            .users(
                org_id,
                &UserFilter {
                    active: Some(true),
                    ..UserFilter::default()
                },
            )
            .await?;
        let count = |r: Role| everyone.iter().filter(|u| u.roles.has(r)).count();
        stats.push(Stat {
            value: everyone.len(),
            label: "active people",
            href: "/people",
        });
        stats.push(Stat {
            value: count(Role::Seller),
            label: "sellers",
            href: "/people?role=seller",
        });
        stats.push(Stat {
            value: count(Role::Manager),
            label: "managers",
            href: "/people?role=manager",
        });
        stats.push(Stat {
            value: chart.leaders().count(),
            label: "teams",
            href: "/teams",
        });
    }
    let direct: Vec<String> = chart
        .direct_reports(&actor.user.id)
        .map(str::to_owned)
        .collect();
    let team = if direct.is_empty() {
        Vec::new()
    } else {
        let filter = UserFilter {
            only: Some(direct),
            active: Some(true),
            ..UserFilter::default()
        };
        store
            .users(org_id, &filter)
            .await?
            .into_iter()
            .filter(|u| policy::allows(&actor, policy::Action::ViewPerson(u)))
            .map(|u| Member {
                reports: chart.direct_reports(&u.id).count(),
                initials: initials(&u.name),
                roles: u.roles.labels(),
                id: u.id,
                name: u.name,
            })
            .collect()
    };
    if actor.user.roles.leads() && !actor.user.roles.has(Role::Admin) {
        stats.push(Stat {
            value: team.len(),
            label: "reporting to you",
            href: "/teams",
        });
        let active_below = store
            .users(
                org_id,
                &UserFilter {
                    only: Some(actor.below.iter().cloned().collect()),
                    active: Some(true),
                    ..UserFilter::default()
                },
            )
            .await?
            .len();
        if active_below > team.len() {
            stats.push(Stat {
                value: active_below,
                label: "people across your teams",
                href: "/people",
            });
        }
    }
    let manager = match &actor.user.manager_id {
        Some(m) => {
            let m = store.user(org_id, m).await?;
            Some(Manager {
                initials: initials(&m.name),
                name: m.name,
                email: m.email,
            })
        }
        None => None,
    };
    let view = HomePage {
        shell: Shell::new(&actor, "/", state.config().email_enabled),
        first_name: first_name(&actor.user.name),
        roles: actor.user.roles.labels(),
        stats,
        team,
        manager,
    };
    Ok(html(StatusCode::OK, &view))
}
