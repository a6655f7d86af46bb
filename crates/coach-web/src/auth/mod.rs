//! Who is asking: a session cookie or a personal API token turns into an
//! [`Actor`] for the request. Deactivated people are nobody.

pub mod cookies;
pub mod csrf;
pub mod login;
pub mod password;

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use coach_store::{Organization, User};
use std::collections::BTreeSet;
use std::sync::Arc;

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A browser session cookie (forms need the CSRF token).
    Session,
    /// A personal API token in `Authorization: Bearer`.
    Token,
}

/// The signed-in person making this request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The person.
    pub user: User,
    /// Their organization.
    pub org: Organization,
    /// How they signed in.
    pub via: Via,
    /// The session's CSRF token (sessions only).
    pub csrf_token: Option<String>,
    /// Everyone below them in the reporting lines.
    pub below: BTreeSet<String>,
}

/// The actor of a request, when there is one.
#[derive(Debug, Clone, Default)]
pub struct MaybeActor(pub Option<Arc<Actor>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<MaybeActor>()
            .cloned()
            .unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<MaybeActor>() {
            Some(MaybeActor(Some(actor))) => Ok((**actor).clone()),
            _ => Err(AppError::Unauthenticated),
        }
    }
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "coach_session";

/// Resolves the caller for every request.
pub(crate) async fn identify(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    // Personal API tokens open the API only; pages are for browser sessions.
    let is_api = request.uri().path().starts_with("/api/");
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .filter(|_| is_api)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or("").trim().to_owned());
    let actor = match bearer {
        Some(token) => {
            let owner = state.store().token_owner(&token).await?;
            let Some((org_id, user_id)) = owner else {
                tracing::Span::current().record("reason", "unknown or revoked API token");
                return Err(AppError::Unauthenticated);
            };
            let actor = load_actor(&state, &org_id, &user_id, Via::Token, None).await?;
            if actor.is_none() {
                tracing::Span::current().record("user", user_id.as_str());
                tracing::Span::current().record("reason", "API token of a deactivated person");
                return Err(AppError::Unauthenticated);
            }
            actor
        }
        None => match cookies::get(request.headers(), SESSION_COOKIE) {
            Some(cookie) => match state.store().session(&cookie).await? {
                Some(s) => {
                    let actor = load_actor(
                        &state,
                        &s.org_id,
                        &s.user_id,
                        Via::Session,
                        Some(s.csrf_token),
                    )
                    .await?;
                    if actor.is_none() {
                        state.store().end_session(&cookie).await?;
                    }
                    actor
                }
                None => None,
            },
            None => None,
        },
    };
    if let Some(a) = &actor {
        tracing::Span::current().record("user", a.user.id.as_str());
    }
    request
        .extensions_mut()
        .insert(MaybeActor(actor.map(Arc::new)));
    Ok(next.run(request).await)
}

async fn load_actor(
    state: &AppState,
    org_id: &str,
    user_id: &str,
    via: Via,
    csrf_token: Option<String>,
) -> Result<Option<Actor>, AppError> {
    let user = match state.store().user(org_id, user_id).await {
        Ok(u) => u,
        Err(coach_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !user.active {
        return Ok(None);
    }
    let org = state.store().org(org_id).await?;
    let below = if user.roles.leads() {
        state.store().ids_below(org_id, &user.id).await?
    } else {
        BTreeSet::new()
    };
    Ok(Some(Actor {
        user,
        org,
        via,
        csrf_token,
        below,
    }))
}
