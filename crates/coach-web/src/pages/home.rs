//! The start page: what matters to this person, by role.

use super::layout::{Shell, first_name, html, initials};
use crate::auth::Actor;
use crate::error::AppError;
use crate::policy;
use crate::scorecards;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Days;
use coach_core::Role;
use coach_core::roa::Period;
use coach_store::UserFilter;
use coach_store::roa::ActivityFilter;

pub(crate) struct Stat {
    value: usize,
    label: String,
    href: &'static str,
}

/// A seller's month so far, from their scorecard.
pub(crate) struct Month {
    label: String,
    on_standard: usize,
    lines: usize,
    below: Vec<String>,
    unaligned: usize,
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
    month: Option<Month>,
    sessions: Vec<super::sessions::Row>,
    overdue: usize,
    rhythm: Option<Rhythm>,
}

/// A manager's rhythm (R14): how many scheduled sessions of the last 90
/// days were kept, with the sample and its interval (R45), and what slipped
/// this week.
pub(crate) struct Rhythm {
    kept: Option<String>,
    sample: String,
    this_week: usize,
    slipped: Vec<(String, String, &'static str)>,
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
            label: "active people".to_owned(),
            href: "/people",
        });
        stats.push(Stat {
            value: count(Role::Seller),
            label: "sellers".to_owned(),
            href: "/people?role=seller",
        });
        stats.push(Stat {
            value: count(Role::Manager),
            label: "managers".to_owned(),
            href: "/people?role=manager",
        });
        stats.push(Stat {
            value: chart.leaders().count(),
            label: "teams".to_owned(),
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
            label: "reporting to you".to_owned(),
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
                label: "people across your teams".to_owned(),
                href: "/people",
            });
        }
    }
    let today = scorecards::today(&actor.org.time_zone);
    let period = Period::month_of(today);
    let mut month = None;
    if actor.user.roles.leads() || actor.user.roles.has(Role::Seller) {
        let model = store.roa_model(org_id).await?;
        if actor.user.roles.leads() {
            // The sellers below: who is below a standard this month, and what
            // waits for a score (R4).
            let sellers: Vec<_> = store
                .users(
                    org_id,
                    &UserFilter {
                        only: Some(actor.below.iter().cloned().collect()),
                        role: Some(Role::Seller),
                        active: Some(true),
                        ..UserFilter::default()
                    },
                )
                .await?;
            if !sellers.is_empty() {
                let cards =
                    scorecards::scorecards(&state, org_id, &model, &sellers, period, today).await?;
                let below = cards
                    .iter()
                    .filter(|c| c.activities.iter().any(|a| a.below_standard()))
                    .count();
                stats.push(Stat {
                    value: below,
                    label: format!(
                        "of {} sellers below a standard in {}",
                        sellers.len(),
                        period.label()
                    ),
                    href: "/scorecard/team",
                });
                let unscored = store
                    .activities(
                        org_id,
                        &ActivityFilter {
                            sellers: Some(sellers.iter().map(|u| u.id.clone()).collect()),
                            from: today.checked_sub_days(Days::new(14)),
                            scored: Some(false),
                            limit: Some(1000),
                            ..ActivityFilter::default()
                        },
                    )
                    .await?
                    .len();
                stats.push(Stat {
                    value: unscored,
                    label: "activities of the last two weeks not scored yet".to_owned(),
                    href: "/activities?scored=no",
                });
            }
        }
        if actor.user.roles.has(Role::Seller) {
            let cards = scorecards::scorecards(
                &state,
                org_id,
                &model,
                std::slice::from_ref(&actor.user),
                period,
                today,
            )
            .await?;
            if let Some(card) = cards.first().filter(|c| !c.activities.is_empty()) {
                month = Some(Month {
                    label: period.label(),
                    on_standard: card
                        .activities
                        .iter()
                        .filter(|a| a.expected.is_some() && !a.below_standard())
                        .count(),
                    lines: card
                        .activities
                        .iter()
                        .filter(|a| a.expected.is_some())
                        .count(),
                    below: card
                        .activities
                        .iter()
                        .filter(|a| a.below_standard())
                        .map(|a| a.name.clone())
                        .collect(),
                    unaligned: card.unaligned().count(),
                });
            }
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
    // Coaching coming up, with each side's preparation still due (R18, R27),
    // and the person's overdue commitments (R39).
    let me = actor.user.id.clone();
    let tz = super::sessions::zone(&actor);
    let now = chrono::Utc::now();
    let sessions = store
        .coaching_sessions(
            org_id,
            &coach_store::coaching::SessionFilter {
                people: Some(vec![me.clone()]),
                me: Some(me.clone()),
                statuses: Some(vec![
                    coach_core::coaching::SessionStatus::Scheduled,
                    coach_core::coaching::SessionStatus::Prepared,
                    coach_core::coaching::SessionStatus::InProgress,
                ]),
                from: Some(now - chrono::Duration::hours(12)),
                until: Some(now + chrono::Duration::days(14)),
                limit: Some(6),
                ..coach_store::coaching::SessionFilter::default()
            },
        )
        .await?
        .iter()
        .map(|s| super::sessions::row(s, &me, &tz, now.with_timezone(&tz).date_naive()))
        .collect();
    let overdue = store
        .action_items(
            org_id,
            &coach_store::coaching::ActionFilter {
                owner_id: Some(me.clone()),
                due_before: Some(now.with_timezone(&tz).date_naive()),
                limit: Some(100),
                ..coach_store::coaching::ActionFilter::default()
            },
        )
        .await?
        .len();
    let rhythm = if actor.user.roles.has(Role::Manager) {
        Some(rhythm(&state, &actor).await?)
    } else {
        None
    };
    let view = HomePage {
        sessions,
        overdue,
        rhythm,
        shell: Shell::new(&actor, "/", state.config().email_enabled),
        first_name: first_name(&actor.user.name),
        roles: actor.user.roles.labels(),
        stats,
        team,
        manager,
        month,
    };
    Ok(html(StatusCode::OK, &view))
}

/// The manager's kept-as-scheduled rate over the last 90 days (R14, R45) and
/// this week's sessions, with those cancelled or missed.
async fn rhythm(state: &AppState, actor: &Actor) -> Result<Rhythm, AppError> {
    use coach_core::coaching::{SessionStatus, kept_rate};
    let now = chrono::Utc::now();
    let tz: chrono_tz::Tz = actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let past = state
        .store()
        .coaching_sessions(
            &actor.org.id,
            &coach_store::coaching::SessionFilter {
                manager_id: Some(actor.user.id.clone()),
                from: Some(now - chrono::Duration::days(90)),
                until: Some(now + chrono::Duration::days(7)),
                limit: Some(2000),
                ..Default::default()
            },
        )
        .await?;
    let rate = kept_rate(
        past.iter()
            .filter(|s| s.starts_at <= now)
            .map(|s| (s.status, s.ad_hoc)),
    );
    let kept = rate.enough_data().then(|| {
        let (low, high) = rate.interval().unwrap_or((0.0, 0.0));
        format!(
            "{:.0}% kept as scheduled (95% interval {:.0}–{:.0}%)",
            rate.value().unwrap_or(0.0) * 100.0,
            low * 100.0,
            high * 100.0
        )
    });
    let local_today = now.with_timezone(&tz).date_naive();
    let monday = local_today
        - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&local_today).num_days_from_monday(),
        ));
    let in_week = |s: &&coach_store::coaching::Session| {
        let d = s.starts_at.with_timezone(&tz).date_naive();
        d >= monday && d < monday + chrono::Duration::days(7)
    };
    let week: Vec<&coach_store::coaching::Session> = past.iter().filter(in_week).collect();
    Ok(Rhythm {
        kept,
        sample: format!(
            "{} of {} scheduled sessions over the last 90 days were held",
            rate.hits, rate.n
        ),
        this_week: week.len(),
        slipped: week
            .iter()
            .filter(|s| matches!(s.status, SessionStatus::Cancelled | SessionStatus::Missed))
            .map(|s| {
                (
                    format!("/sessions/{}", s.id),
                    format!(
                        "{} with {}",
                        s.starts_at.with_timezone(&tz).format("%a %H:%M"),
                        s.seller_name
                    ),
                    s.status.label(),
                )
            })
            .collect(),
    })
}
