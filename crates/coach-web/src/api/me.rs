//! `/api/v1/me`: the signed-in person.

use super::ApiResult;
use crate::auth::Actor;
use crate::error::ErrorEnvelope;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// An organization, as its members see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgOut {
    /// Its id.
    pub id: String,
    /// Its short name.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its default time zone.
    pub time_zone: String,
}

/// Someone named by another record.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    /// Their id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
}

/// The signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    /// Their id.
    pub id: String,
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Their roles.
    pub roles: Vec<String>,
    /// Their time zone.
    pub time_zone: String,
    /// Their organization.
    pub organization: OrgOut,
    /// Whom they report to.
    pub manager: Option<PersonRef>,
    /// Their calendar feed (RFC 5545): coaching sessions and preparation
    /// blocks. Secret: anyone with the address can read it.
    pub calendar_url: String,
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "people", responses((status = 200, body = MeOut), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn show(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<MeOut>> {
    let manager = match &actor.user.manager_id {
        Some(id) => {
            let m = state.store().user(&actor.org.id, id).await?;
            Some(PersonRef {
                id: m.id,
                name: m.name,
                email: m.email,
            })
        }
        None => None,
    };
    let calendar_url = crate::pages::calendar::feed_url(
        &state,
        &state
            .store()
            .calendar_secret(&actor.org.id, &actor.user.id)
            .await?,
    );
    let u = actor.user;
    Ok(Json(MeOut {
        roles: u.roles.names().into_iter().map(str::to_owned).collect(),
        id: u.id,
        email: u.email,
        name: u.name,
        time_zone: u.time_zone,
        calendar_url,
        organization: OrgOut {
            id: actor.org.id,
            slug: actor.org.slug,
            name: actor.org.name,
            time_zone: actor.org.time_zone,
        },
        manager,
    }))
}
