//! Email in the browser: the admin's settings and outbox, a preview of
//! every kind of message on the organization's own data, each person's
//! choices on their profile, and unsubscribe links that work without
//! signing in, for one person and one kind only (T15).

use super::RouteBook;
use super::layout::{Shell, form_page, html};
use crate::auth::Actor;
use crate::email::compose::{Composed, compose};
use crate::email::letter::{Body, Letter};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect, Response};
use chrono::{Duration, Utc};
use coach_core::Role;
use coach_core::coaching::{ActionStatus, SessionStatus};
use coach_core::email::EmailKind;
use coach_store::coaching::{ActionFilter, SessionFilter};
use coach_store::email::{EmailSettings, Queued};

pub(crate) fn routes(book: RouteBook) -> RouteBook {
    book.get("/settings/email", show)
        .post("/settings/email", save)
        .get("/settings/email/preview/{kind}", preview)
        .post("/profile/email", choose)
        .get("/email/unsubscribe/{secret}", unsubscribe_page)
        .post("/email/unsubscribe/{secret}", unsubscribe)
}

/// The messages an admin can preview: each kind, and the variants of an
/// invitation.
const PREVIEWS: [(&str, &str, EmailKind); 8] = [
    ("invitation", "A session booked", EmailKind::Invitation),
    (
        "cancellation",
        "A session called off",
        EmailKind::Invitation,
    ),
    ("rhythm", "A new coaching rhythm", EmailKind::Invitation),
    (
        "prep_reminder",
        "Preparation reminder",
        EmailKind::PrepReminder,
    ),
    (
        "session_reminder",
        "Session reminder",
        EmailKind::SessionReminder,
    ),
    ("action_items", "Action items due", EmailKind::ActionItems),
    ("weekly_digest", "Weekly digest", EmailKind::WeeklyDigest),
    ("monthly_digest", "Monthly digest", EmailKind::MonthlyDigest),
];

struct KindRow {
    kind: &'static str,
    label: &'static str,
    description: &'static str,
    required: bool,
}

struct MessageRow {
    created: String,
    what: &'static str,
    to: String,
    status: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "settings_email.html")]
struct EmailPage {
    shell: Shell,
    server: Option<String>,
    kinds: Vec<KindRow>,
    prep_reminder_hours: String,
    previews: Vec<(&'static str, &'static str)>,
    waiting: u64,
    retrying: u64,
    sent: u64,
    dropped: u64,
    messages: Vec<MessageRow>,
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct NoticeOnly {
    #[serde(default)]
    notice: String,
}

async fn render(
    state: &AppState,
    actor: &Actor,
    notice: &str,
    hours: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let settings = store.email_settings(org).await?;
    let now = Utc::now();
    let counts = store.outbox_counts(org, now - Duration::days(7)).await?;
    let tz = actor.user.time_zone.as_str();
    let recent = store.recent_messages(org, 20).await?;
    let ids: Vec<String> = recent.iter().map(|m| m.recipient_id.clone()).collect();
    let people = store
        .users(
            org,
            &coach_store::UserFilter {
                only: Some(ids),
                ..Default::default()
            },
        )
        .await?;
    let messages = recent
        .iter()
        .map(|m| MessageRow {
            created: super::layout::moment(m.created_at, tz),
            what: what(m),
            to: people
                .iter()
                .find(|u| u.id == m.recipient_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            status: match (m.sent_at, m.dropped_at) {
                (Some(t), _) => format!("Sent {}", super::layout::moment(t, tz)),
                (None, Some(_)) => format!("Not sent: {}", m.last_error),
                (None, None) if m.attempts > 0 => format!(
                    "Waiting to try again ({} tries): {}",
                    m.attempts, m.last_error
                ),
                (None, None) if !state.config().email_enabled => {
                    "Held: email is off on this server".to_owned()
                }
                (None, None) => "Waiting".to_owned(),
            },
            failed: m.dropped_at.is_some() || m.attempts > 0,
        })
        .collect();
    let view = EmailPage {
        shell: Shell::new(actor, "/settings", state.config().email_enabled).with_notice(
            match notice {
                "saved" => Some("Saved."),
                _ => None,
            },
        ),
        server: state
            .config()
            .email_enabled
            .then(|| state.config().email_server.clone()),
        kinds: EmailKind::ALL
            .iter()
            .map(|k| KindRow {
                kind: k.as_str(),
                label: k.label(),
                description: k.description(),
                required: settings.required.contains(k),
            })
            .collect(),
        prep_reminder_hours: hours.unwrap_or_else(|| settings.prep_reminder_hours.to_string()),
        previews: PREVIEWS.iter().map(|(k, l, _)| (*k, *l)).collect(),
        waiting: counts.waiting,
        retrying: counts.retrying,
        sent: counts.sent,
        dropped: counts.dropped,
        messages,
        error,
    };
    Ok(form_page(&view, view.error.is_some()))
}

fn what(m: &Queued) -> &'static str {
    match (m.kind, m.detail.as_str()) {
        (EmailKind::Invitation, "cancel") => "Session called off",
        (EmailKind::Invitation, "rhythm") => "New coaching rhythm",
        (EmailKind::Invitation, _) => "Session invitation",
        (k, _) => k.label(),
    }
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NoticeOnly>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    render(&state, &actor, &q.notice, None, None).await
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let value = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let raw = value("prep_reminder_hours").unwrap_or_default();
    let hours = match raw
        .parse::<i64>()
        .ok()
        .map(coach_core::email::validate_lead_hours)
    {
        Some(Ok(h)) => h,
        _ => {
            return render(
                &state,
                &actor,
                "",
                Some(raw),
                Some(
                    "Nothing was saved. Preparation reminders: expected a whole number of hours from 1 to 168."
                        .to_owned(),
                ),
            )
            .await;
        }
    };
    let required = EmailKind::ALL
        .iter()
        .copied()
        .filter(|k| value(&format!("required_{}", k.as_str())).is_some())
        .collect();
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
    Ok(Redirect::to("/settings/email?notice=saved").into_response())
}

#[derive(Template)]
#[template(path = "email_preview.html")]
struct PreviewPage<'a> {
    shell: Shell,
    title: &'static str,
    letter: Option<&'a Letter>,
    body: String,
    from: String,
    missing: String,
}

/// An example of the kind in the organization: the recipient and what the
/// message is about, or why there is none yet.
async fn example(
    state: &AppState,
    actor: &Actor,
    name: &str,
    kind: EmailKind,
) -> Result<Result<Queued, &'static str>, AppError> {
    let store = state.store();
    let org = &actor.org.id;
    let now = Utc::now();
    let queued = |recipient: &str, about: &str, detail: &str| Queued {
        org_id: org.clone(),
        id: "preview".to_owned(),
        kind,
        recipient_id: recipient.to_owned(),
        about: about.to_owned(),
        detail: detail.to_owned(),
        created_at: now,
        send_after: now,
        expires_at: now + Duration::days(1),
        attempts: 0,
        sent_at: None,
        dropped_at: None,
        last_error: String::new(),
    };
    let upcoming = || async {
        store
            .coaching_sessions(
                org,
                &SessionFilter {
                    statuses: Some(vec![SessionStatus::Scheduled]),
                    from: Some(now),
                    limit: Some(50),
                    ..Default::default()
                },
            )
            .await
    };
    Ok(match name {
        "invitation" | "prep_reminder" | "session_reminder" => {
            let sessions = upcoming().await?;
            let pick = sessions
                .iter()
                .find(|s| name != "prep_reminder" || s.seller_prepared_at.is_none())
                .or(sessions.first());
            match pick {
                Some(s) => Ok(queued(&s.seller_id, &s.id, "request")),
                None => Err("no session to come in your organization yet"),
            }
        }
        "cancellation" => {
            let cancelled = store
                .coaching_sessions(
                    org,
                    &SessionFilter {
                        statuses: Some(vec![SessionStatus::Cancelled]),
                        newest_first: true,
                        limit: Some(1),
                        ..Default::default()
                    },
                )
                .await?;
            let sessions = if cancelled.is_empty() {
                upcoming().await?
            } else {
                cancelled
            };
            match sessions.first() {
                Some(s) => Ok(queued(&s.seller_id, &s.id, "cancel")),
                None => Err("no session in your organization yet"),
            }
        }
        "rhythm" => {
            let sessions = upcoming().await?;
            match sessions.iter().find(|s| s.series_id.is_some()) {
                Some(s) => Ok(queued(&s.seller_id, &s.manager_id, "rhythm")),
                None => Err("no coaching rhythm planned in your organization yet"),
            }
        }
        "action_items" => {
            let items = store
                .action_items(
                    org,
                    &ActionFilter {
                        statuses: Some(vec![ActionStatus::Open]),
                        limit: Some(1),
                        ..Default::default()
                    },
                )
                .await?;
            match items.first() {
                Some(i) => Ok(queued(&i.owner_id, &i.owner_id, "")),
                None => Err("no open action items in your organization"),
            }
        }
        "weekly_digest" | "monthly_digest" => {
            let role = if name == "weekly_digest" {
                Role::Manager
            } else {
                Role::Director
            };
            let leaders = store
                .users(
                    org,
                    &coach_store::UserFilter {
                        role: Some(role),
                        active: Some(true),
                        ..Default::default()
                    },
                )
                .await?;
            let mut found = None;
            for u in &leaders {
                let team = store
                    .users(
                        org,
                        &coach_store::UserFilter {
                            manager_id: Some(u.id.clone()),
                            active: Some(true),
                            limit: Some(1),
                            ..Default::default()
                        },
                    )
                    .await?;
                if !team.is_empty() {
                    found = Some(u.id.clone());
                    break;
                }
            }
            match found {
                Some(id) => Ok(queued(&id, &id, "")),
                None if role == Role::Manager => Err("no manager with a team yet"),
                None => Err("no director with managers yet"),
            }
        }
        _ => Err("unknown"),
    })
}

async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    policy::check(&actor, Action::ConfigureOrganization)?;
    let Some((_, title, kind)) = PREVIEWS.iter().find(|(k, _, _)| *k == name) else {
        return Err(AppError::NotFound);
    };
    let shell = Shell::new(&actor, "/settings", state.config().email_enabled);
    let from = state.config().email_from.clone();
    let composed = match example(&state, &actor, &name, *kind).await? {
        Ok(q) => compose(&state, &q, Utc::now(), true).await?,
        Err(why) => Composed::Drop(why),
    };
    let response = match &composed {
        Composed::Send(letter) => html(
            StatusCode::OK,
            &PreviewPage {
                shell,
                title,
                letter: Some(letter),
                body: Body { l: letter }.render().unwrap_or_default(),
                from,
                missing: String::new(),
            },
        ),
        Composed::Drop(why) => html(
            StatusCode::OK,
            &PreviewPage {
                shell,
                title,
                letter: None,
                body: String::new(),
                from,
                missing: (*why).to_owned(),
            },
        ),
    };
    Ok(response)
}

/// The profile's choices: a box per kind; a required kind stays on.
async fn choose(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let store = state.store();
    let required = store.email_settings(&actor.org.id).await?.required;
    for kind in EmailKind::ALL
        .iter()
        .filter(|k| k.applies_to(&actor.user.roles))
    {
        let on = form.iter().any(|(k, _)| k == kind.as_str());
        if !on && required.contains(kind) {
            continue;
        }
        store
            .set_email_preference(&actor.org.id, &actor.user.id, *kind, on)
            .await?;
    }
    Ok(Redirect::to("/profile?notice=email#email").into_response())
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    secret: String,
    label: &'static str,
    done: bool,
    required: bool,
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let Some((org, _, kind)) = state.store().unsubscribe_link(&secret).await? else {
        return Err(AppError::NotFound);
    };
    let required = state
        .store()
        .email_settings(&org)
        .await?
        .required
        .contains(&kind);
    Ok(html(
        StatusCode::OK,
        &UnsubscribePage {
            secret,
            label: kind.label(),
            done: false,
            required,
        },
    ))
}

/// Turns one kind off for the link's person: from the page's button or a
/// mail program's one-click request (RFC 8058). The secret in the path is
/// the only credential, and it is good for that person and kind alone.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let Some((org, user, kind)) = store.unsubscribe_link(&secret).await? else {
        return Err(AppError::NotFound);
    };
    let required = store.email_settings(&org).await?.required.contains(&kind);
    if !required {
        store.set_email_preference(&org, &user, kind, false).await?;
        tracing::info!(kind = kind.as_str(), "a person unsubscribed by link");
    }
    Ok(html(
        StatusCode::OK,
        &UnsubscribePage {
            secret: String::new(),
            label: kind.label(),
            done: !required,
            required,
        },
    ))
}
