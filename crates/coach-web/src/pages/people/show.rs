//! One person's page: details, reporting line, who reports to them.

use super::super::layout::{NoticeQuery, Shell, day, first_name, html, initials, role_pills};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coach_store::UserFilter;
#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    shell: Shell,
    id: String,
    name: String,
    first_name: String,
    initials: String,
    email: String,
    roles: Vec<(&'static str, &'static str)>,
    active: bool,
    manager: Option<(String, String)>,
    time_zone: String,
    crm_id: Option<String>,
    added: String,
    reports: Vec<(String, String, String)>,
    can_edit: bool,
    can_toggle: bool,
}

pub(super) async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org_id = &actor.org.id;
    let person = store.user(org_id, &id).await?;
    policy::check(&actor, Action::ViewPerson(&person))?;
    let manager = match &person.manager_id {
        Some(m) => {
            let m = store.user(org_id, m).await?;
            Some((m.id, m.name))
        }
        None => None,
    };
    let filter = UserFilter {
        manager_id: Some(person.id.clone()),
        ..UserFilter::default()
    };
    let reports = store
        .users(org_id, &filter)
        .await?
        .into_iter()
        .filter(|u| policy::allows(&actor, Action::ViewPerson(u)))
        .map(|u| {
            (
                u.id,
                u.name,
                if u.active {
                    u.roles.labels()
                } else {
                    "Deactivated".to_owned()
                },
            )
        })
        .collect();
    let can_edit = policy::allows(&actor, Action::EditPerson(&person));
    let notice = match q.notice.as_str() {
        "saved" => Some("Changes saved."),
        "deactivated" => Some("Deactivated. They can no longer sign in; their records stay."),
        "reactivated" => Some("Reactivated. They can sign in again."),
        _ => None,
    };
    let view = PersonPage {
        shell: Shell::new(&actor, "/people", state.config().email_enabled).with_notice(notice),
        first_name: first_name(&person.name),
        initials: initials(&person.name),
        roles: role_pills(&person.roles),
        active: person.active,
        manager,
        time_zone: person.time_zone.clone(),
        crm_id: person.crm_id.clone(),
        added: day(person.created_at),
        reports,
        can_edit,
        can_toggle: can_edit && person.id != actor.user.id,
        id: person.id,
        name: person.name,
        email: person.email,
    };
    Ok(html(StatusCode::OK, &view))
}
