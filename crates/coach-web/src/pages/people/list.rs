//! The people list, filtered and paged, limited to whom the viewer may see.

use super::super::layout::{Shell, html, initials, role_pills};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coach_core::Role;
use coach_store::{User, UserFilter};
use serde::Deserialize;
const PAGE: usize = 50;

#[derive(Debug, Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    notice: String,
}

pub(crate) struct Row {
    id: String,
    name: String,
    email: String,
    initials: String,
    roles: Vec<(&'static str, &'static str)>,
    manager: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
struct ListPage {
    shell: Shell,
    is_admin: bool,
    total: usize,
    rows: Vec<Row>,
    q: String,
    role: String,
    status: String,
    role_options: Vec<(&'static str, &'static str)>,
    next_page: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ListPeople)?;
    let store = state.store();
    let org_id = &actor.org.id;
    let is_admin = actor.user.roles.has(Role::Admin);
    let mut only = policy::people_scope(&actor).ids();
    if let Some(ids) = only.as_mut() {
        ids.retain(|id| *id != actor.user.id);
    }
    let status = match query.status.as_str() {
        "inactive" | "all" => query.status.clone(),
        _ => "active".to_owned(),
    };
    let filter = UserFilter {
        only,
        role: query.role.parse().ok(),
        active: match status.as_str() {
            "inactive" => Some(false),
            "all" => None,
            _ => Some(true),
        },
        search: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        ..UserFilter::default()
    };
    let everyone = store.users(org_id, &filter).await?;
    let total = everyone.len();
    let names = store.users(org_id, &UserFilter::default()).await?;
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| names.iter().find(|u| &u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "—".to_owned())
    };
    let start = everyone
        .iter()
        .position(|u| u.id > query.after)
        .unwrap_or(everyone.len());
    let page: Vec<&User> = everyone.iter().skip(start).take(PAGE).collect();
    let next_page = (start + PAGE < total).then(|| {
        let last = page.last().map(|u| u.id.clone()).unwrap_or_default();
        let qs = serde_urlencoded::to_string([
            ("q", query.q.as_str()),
            ("role", query.role.as_str()),
            ("status", status.as_str()),
            ("after", last.as_str()),
        ])
        .unwrap_or_default();
        format!("/people?{qs}")
    });
    let rows = page
        .into_iter()
        .map(|u| Row {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            initials: initials(&u.name),
            roles: role_pills(&u.roles),
            manager: name_of(&u.manager_id),
            active: u.active,
        })
        .collect();
    let notice = match query.notice.as_str() {
        "added" => Some("Person added. They can sign in with the password you set."),
        _ => None,
    };
    let view = ListPage {
        shell: Shell::new(&actor, "/people", state.config().email_enabled).with_notice(notice),
        is_admin,
        total,
        rows,
        q: query.q,
        role: query.role,
        status,
        role_options: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        next_page,
    };
    Ok(html(StatusCode::OK, &view))
}
