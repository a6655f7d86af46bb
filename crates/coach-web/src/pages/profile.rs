//! The signed-in person's own page: name, time zone, password, API tokens.

use super::RouteBook;
use super::layout::{COMMON_ZONES, NoticeQuery, Shell, day, html, sentence};
use crate::auth::password::{hash_password, verify_password};
use crate::auth::{Actor, SESSION_COOKIE, cookies};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use coach_core::{FieldError, validate_password};
use coach_store::{StoreError, UserPatch};
use serde::Deserialize;

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/profile", show)
        .post("/profile", save)
        .post("/profile/password", change_password)
        .post("/profile/tokens", create_token)
        .post("/profile/tokens/{id}/revoke", revoke_token)
}

#[derive(Debug, Default)]
pub(crate) struct Errors {
    name: Option<String>,
    time_zone: Option<String>,
    current: Option<String>,
    new_password: Option<String>,
    confirm: Option<String>,
    token_name: Option<String>,
}

pub(crate) struct TokenRow {
    id: String,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    shell: Shell,
    email: String,
    roles: String,
    name: String,
    time_zone: String,
    zones: &'static [&'static str],
    errors: Errors,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    /// The person's calendar feed address (T14).
    calendar_url: String,
    /// What they get by email.
    email_kinds: Vec<EmailChoice>,
}

pub(crate) struct EmailChoice {
    kind: &'static str,
    label: &'static str,
    description: &'static str,
    on: bool,
    required: bool,
}

struct Draft {
    name: String,
    time_zone: String,
    errors: Errors,
    new_token: Option<String>,
    notice: Option<&'static str>,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    draft: Draft,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tokens = state
        .store()
        .tokens_of(&actor.org.id, &actor.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: day(t.created_at),
            last_used: t
                .last_used_at
                .map(day)
                .unwrap_or_else(|| "Never".to_owned()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let email_kinds = state
        .store()
        .email_choices(&actor.org.id, &actor.user)
        .await?
        .into_iter()
        .map(|c| EmailChoice {
            kind: c.kind.as_str(),
            label: c.kind.label(),
            description: c.kind.description(),
            on: c.on,
            required: c.required,
        })
        .collect();
    let view = ProfilePage {
        shell: Shell::new(actor, "/profile", state.config().email_enabled)
            .with_notice(draft.notice),
        email: actor.user.email.clone(),
        roles: actor.user.roles.labels(),
        name: draft.name,
        time_zone: draft.time_zone,
        zones: COMMON_ZONES,
        errors: draft.errors,
        tokens,
        new_token: draft.new_token,
        calendar_url: super::calendar::feed_url(
            state,
            &state
                .store()
                .calendar_secret(&actor.org.id, &actor.user.id)
                .await?,
        ),
        email_kinds,
    };
    let mut response = html(status, &view);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

fn draft(actor: &Actor) -> Draft {
    Draft {
        name: actor.user.name.clone(),
        time_zone: actor.user.time_zone.clone(),
        errors: Errors::default(),
        new_token: None,
        notice: None,
    }
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut d = draft(&actor);
    d.notice = match q.notice.as_str() {
        "saved" => Some("Profile saved."),
        "password" => Some("Password changed. You were signed out everywhere else."),
        "revoked" => Some("Token revoked. It no longer works."),
        "calendar" => Some("New calendar address made. The old one no longer works."),
        "email" => Some("Email choices saved."),
        _ => None,
    };
    render(&state, &actor, d, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let patch = UserPatch {
        name: Some(form.name.clone()),
        time_zone: Some(form.time_zone.clone()),
        ..UserPatch::default()
    };
    match state
        .store()
        .update_user(&actor.org.id, &actor.user.id, patch, None)
        .await
    {
        Ok(_) => Ok(Redirect::to("/profile?notice=saved").into_response()),
        Err(StoreError::Invalid(e)) => {
            let mut d = draft(&actor);
            d.name = form.name;
            d.time_zone = form.time_zone;
            match e.field {
                "name" => d.errors.name = Some(e.message),
                _ => d.errors.time_zone = Some(e.message),
            }
            render(&state, &actor, d, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let cost = state.config().password_cost;
    let mut d = draft(&actor);
    let keys = vec![format!("acct:{}", actor.user.email)];
    if let Some(wait) = store
        .take_attempt(&keys, 10, chrono::Duration::seconds(60), chrono::Utc::now())
        .await?
    {
        return Err(AppError::TooManyRequests(
            wait.num_seconds().max(1).unsigned_abs(),
        ));
    }
    let hash = store.password_hash(&actor.org.id, &actor.user.id).await?;
    if !verify_password(form.current.clone(), hash, cost).await {
        d.errors.current = Some("That is not your current password.".to_owned());
    }
    if let Err(FieldError { message, .. }) = validate_password("new_password", &form.new_password) {
        d.errors.new_password = Some(sentence(&message));
    }
    if form.new_password != form.confirm {
        d.errors.confirm = Some("The two new passwords differ.".to_owned());
    }
    if d.errors.current.is_some() || d.errors.new_password.is_some() || d.errors.confirm.is_some() {
        return render(&state, &actor, d, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let new_hash = hash_password(form.new_password, cost)
        .await
        .map_err(AppError::Internal)?;
    store
        .set_password_hash(&actor.org.id, &actor.user.id, &new_hash)
        .await?;
    let (cookie, _) = store.create_session(&actor.org.id, &actor.user.id).await?;
    tracing::info!(user = %actor.user.id, "password changed; other sessions ended");
    let mut response = Redirect::to("/profile?notice=password").into_response();
    if let Some(v) = cookies::set(
        SESSION_COOKIE,
        &cookie,
        state.config().secure_cookies(),
        "Lax",
    ) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let mut d = draft(&actor);
    match state
        .store()
        .create_token(&actor.org.id, &actor.user.id, &form.name)
        .await
    {
        Ok((secret, token)) => {
            tracing::info!(user = %actor.user.id, token = %token.id, "API token created");
            d.new_token = Some(secret);
            render(&state, &actor, d, StatusCode::OK).await
        }
        Err(StoreError::Invalid(e)) => {
            d.errors.token_name = Some(sentence(&e.message));
            render(&state, &actor, d, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state
        .store()
        .revoke_token(&actor.org.id, &actor.user.id, &id)
        .await?;
    tracing::info!(user = %actor.user.id, token = %id, "API token revoked");
    Ok(Redirect::to("/profile?notice=revoked").into_response())
}
