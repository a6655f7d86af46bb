//! Email over the API: what the caller gets
//! (`/api/v1/email-preferences`), and the organization's rules and outbox
//! (`/api/v1/email-settings`, admins).

use super::ApiResult;
use crate::auth::Actor;
use crate::error::ErrorEnvelope;
use crate::policy::{self, Action};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{Duration, Utc};
use coach_core::FieldError;
use coach_core::email::EmailKind;
use coach_store::email::EmailSettings;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One kind of message and whether the caller gets it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailKindOut {
    /// `invitation`, `prep_reminder`, `session_reminder`, `action_items`,
    /// `weekly_digest` or `monthly_digest`.
    pub kind: String,
    /// Its name.
    pub label: String,
    /// When it comes.
    pub description: String,
    /// Whether the caller gets it.
    pub on: bool,
    /// Required by the organization: it cannot be turned off.
    pub required: bool,
}

/// What the caller gets by email.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailPreferencesOut {
    /// Whether this server sends email at all.
    pub email_enabled: bool,
    /// The kinds that apply to the caller.
    pub kinds: Vec<EmailKindOut>,
}

/// One choice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChoiceIn {
    /// The kind.
    pub kind: String,
    /// On or off.
    pub on: bool,
}

/// Choices; kinds not listed stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailPreferencesIn {
    /// The kinds to change.
    pub kinds: Vec<EmailChoiceIn>,
}

fn kind_at(i: usize, raw: &str) -> Result<EmailKind, FieldError> {
    raw.parse().map_err(|_| {
        FieldError::new(
            "kinds",
            format!(
                "kinds[{i}].kind: expected one of {}",
                EmailKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

async fn preferences_out(state: &AppState, actor: &Actor) -> ApiResult<EmailPreferencesOut> {
    Ok(EmailPreferencesOut {
        email_enabled: state.config().email_enabled,
        kinds: state
            .store()
            .email_choices(&actor.org.id, &actor.user)
            .await?
            .into_iter()
            .map(|c| EmailKindOut {
                kind: c.kind.as_str().to_owned(),
                label: c.kind.label().to_owned(),
                description: c.kind.description().to_owned(),
                on: c.on,
                required: c.required,
            })
            .collect(),
    })
}

/// What the caller gets by email.
#[utoipa::path(get, path = "/api/v1/email-preferences", tag = "email",
    responses((status = 200, body = EmailPreferencesOut), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn preferences(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<EmailPreferencesOut>> {
    Ok(Json(preferences_out(&state, &actor).await?))
}

/// Changes what the caller gets. A kind the organization requires cannot be
/// turned off; a kind that does not apply to the caller is refused. All or
/// nothing: a refused choice changes none.
#[utoipa::path(put, path = "/api/v1/email-preferences", tag = "email", request_body = EmailPreferencesIn,
    responses((status = 200, body = EmailPreferencesOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_preferences(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<EmailPreferencesIn>,
) -> ApiResult<Json<EmailPreferencesOut>> {
    let store = state.store();
    let required = store.email_settings(&actor.org.id).await?.required;
    let mut choices = Vec::new();
    for (i, c) in body.kinds.iter().enumerate() {
        let kind = kind_at(i, &c.kind)?;
        if !kind.applies_to(&actor.user.roles) {
            return Err(FieldError::new(
                "kinds",
                format!("kinds[{i}]: {} goes to other roles", kind.as_str()),
            )
            .into());
        }
        if !c.on && required.contains(&kind) {
            return Err(FieldError::new(
                "kinds",
                format!(
                    "kinds[{i}]: your organization sends {} to everyone; it cannot be turned off",
                    kind.as_str()
                ),
            )
            .into());
        }
        choices.push((kind, c.on));
    }
    for (kind, on) in choices {
        store
            .set_email_preference(&actor.org.id, &actor.user.id, kind, on)
            .await?;
    }
    Ok(Json(preferences_out(&state, &actor).await?))
}

/// The outbox at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxOut {
    /// Waiting to be sent.
    pub waiting: u64,
    /// Of those, failed at least once and waiting to be tried again.
    pub retrying: u64,
    /// Sent in the last 7 days.
    pub sent_last_7_days: u64,
    /// Not sent in the last 7 days (expired, turned off, failed for good).
    pub dropped_last_7_days: u64,
}

/// The organization's rules for email.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailSettingsOut {
    /// Whether this server sends email at all.
    pub email_enabled: bool,
    /// The kinds nobody can turn off.
    pub required: Vec<String>,
    /// Hours before the seller's preparation deadline that its reminder
    /// goes (R27).
    pub prep_reminder_hours: u32,
    /// The outbox.
    pub outbox: OutboxOut,
}

/// New rules.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsIn {
    /// The kinds nobody can turn off.
    pub required: Vec<String>,
    /// 1–168 hours.
    pub prep_reminder_hours: i64,
}

async fn settings_out(state: &AppState, actor: &Actor) -> ApiResult<EmailSettingsOut> {
    let store = state.store();
    let s = store.email_settings(&actor.org.id).await?;
    let counts = store
        .outbox_counts(&actor.org.id, Utc::now() - Duration::days(7))
        .await?;
    Ok(EmailSettingsOut {
        email_enabled: state.config().email_enabled,
        required: s.required.iter().map(|k| k.as_str().to_owned()).collect(),
        prep_reminder_hours: s.prep_reminder_hours,
        outbox: OutboxOut {
            waiting: counts.waiting,
            retrying: counts.retrying,
            sent_last_7_days: counts.sent,
            dropped_last_7_days: counts.dropped,
        },
    })
}

/// The organization's rules for email and its outbox (admins).
#[utoipa::path(get, path = "/api/v1/email-settings", tag = "email",
    responses((status = 200, body = EmailSettingsOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)))]
pub(crate) async fn settings(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<EmailSettingsOut>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    Ok(Json(settings_out(&state, &actor).await?))
}

/// Sets the organization's rules for email (admins).
#[utoipa::path(put, path = "/api/v1/email-settings", tag = "email", request_body = EmailSettingsIn,
    responses((status = 200, body = EmailSettingsOut), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub(crate) async fn set_settings(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<EmailSettingsIn>,
) -> ApiResult<Json<EmailSettingsOut>> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let hours = coach_core::email::validate_lead_hours(body.prep_reminder_hours)?;
    let mut required = Vec::new();
    for (i, raw) in body.required.iter().enumerate() {
        let kind: EmailKind = raw.parse().map_err(|_| {
            FieldError::new(
                "required",
                format!("required[{i}]: expected a kind of email"),
            )
        })?;
        if !required.contains(&kind) {
            required.push(kind);
        }
    }
    state
        .store()
        .set_email_settings(
            &actor.org.id,
            &EmailSettings {
                required,
                prep_reminder_hours: hours,
            },
        )
        .await?;
    Ok(Json(settings_out(&state, &actor).await?))
}
