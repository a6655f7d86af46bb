//! Deactivating and reactivating a person (admins). Records stay; sign-in stops.

use crate::auth::Actor;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use coach_store::UserPatch;
async fn set_active(
    state: &AppState,
    actor: &Actor,
    id: &str,
    active: bool,
) -> Result<Response, AppError> {
    let person = state.store().user(&actor.org.id, id).await?;
    policy::check(actor, Action::EditPerson(&person))?;
    if person.id == actor.user.id {
        return Err(AppError::Conflict(
            "you cannot deactivate yourself; ask another admin".to_owned(),
        ));
    }
    let patch = UserPatch {
        active: Some(active),
        ..UserPatch::default()
    };
    state
        .store()
        .update_user(&actor.org.id, id, patch, None)
        .await?;
    tracing::info!(actor = %actor.user.id, user = %id, active, "person activation changed");
    let notice = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/people/{id}?notice={notice}")).into_response())
}

pub(super) async fn deactivate(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_active(&state, &actor, &id, false).await
}

pub(super) async fn reactivate(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_active(&state, &actor, &id, true).await
}
