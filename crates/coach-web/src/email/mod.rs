//! Email by SMTP: the scheduler that queues reminders and digests at the
//! right moment in each person's time zone and working hours, and the
//! sender that delivers the outbox (reliability T15).
//!
//! Pages never wait for a mail server: a change writes its message to the
//! outbox in its own transaction, and the background loop of `coach serve`
//! sends it. Each message is claimed by one process at a time; a failed try
//! waits (one minute, doubling, at most six hours) and is given up after
//! eight, or at once when the server refuses it for good.

pub(crate) mod compose;
pub(crate) mod letter;

use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use coach_core::Role;
use coach_core::coaching::{ActionStatus, SessionStatus};
use coach_core::email::{
    EmailKind, first_working_day_of_month, first_working_day_of_week, is_working_day,
    prep_deadline, prep_reminder_at, session_reminder_at,
};
use coach_core::time::to_db;
use coach_store::coaching::{ActionFilter, SessionFilter};
use coach_store::email::NewMessage;
use compose::Composed;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use std::collections::BTreeSet;
use std::sync::Arc;

pub(crate) use compose::compose;

/// An SMTP connection and the sender's address.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// The part of an SMTP URL that is safe to show: scheme, host and port.
pub fn smtp_server_label(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("smtp", url));
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = rest.split(['?', '/']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

impl Mailer {
    /// A mailer for `smtp_url`: `smtp://host:port` (plain, for a relay on
    /// the same machine), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS from the start); and
    /// the sender's address, like `Coach <coach@example.com>`.
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("the SMTP URL is not valid: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("the sender address {from:?} is not valid: {e}"))?;
        Ok(Mailer { transport, from })
    }

    /// The sender's address.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }
}

/// What one sending run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Delivered to the SMTP server.
    pub sent: usize,
    /// Failed, to be tried again (or given up after the last try).
    pub failed: usize,
    /// Given up without sending (expired, turned off, nothing to say).
    pub dropped: usize,
}

/// An id for this process, for claims and leases.
pub fn worker_id() -> String {
    format!("{}-{}", std::process::id(), &coach_store::new_secret()[..8])
}

/// How many messages a sender claims at once: one write for ten claims.
const BATCH: i64 = 10;

/// Sends what is due at `now`, claiming a few messages at a time, until
/// nothing is left. Each is marked sent as soon as the server takes it, so a
/// crash sends at most the one in flight again. Claims are held for
/// `lease`; past half of it the messages not yet tried go back, so no other
/// process takes one that is still being sent.
pub async fn send_due(
    state: &AppState,
    mailer: &Mailer,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Sent, crate::error::AppError> {
    let store = state.store();
    let mut out = Sent::default();
    loop {
        let batch = store.claim_messages(worker, now, lease, BATCH).await?;
        if batch.is_empty() {
            return Ok(out);
        }
        let claimed_at = std::time::Instant::now();
        let half = lease.to_std().unwrap_or_default() / 2;
        // The batch goes out side by side, over the transport's pooled
        // connections: one message waits for the server (about 40 ms a
        // message with lettre's writes, see docs/decisions/0012), not for
        // the others.
        let tries = batch
            .iter()
            .map(|q| send_one(state, mailer, worker, now, q, claimed_at, half));
        for result in futures_util::future::join_all(tries).await {
            match result? {
                Try::Sent => out.sent += 1,
                Try::Failed => out.failed += 1,
                Try::Dropped => out.dropped += 1,
                Try::Released => {}
            }
        }
    }
}

/// What became of one claimed message.
enum Try {
    Sent,
    Failed,
    Dropped,
    Released,
}

/// Writes and sends one claimed message, and records what became of it.
/// Each is marked sent as soon as the server takes it, so a crash sends at
/// most the messages in flight once more.
async fn send_one(
    state: &AppState,
    mailer: &Mailer,
    worker: &str,
    now: DateTime<Utc>,
    q: &coach_store::email::Queued,
    claimed_at: std::time::Instant,
    half: std::time::Duration,
) -> Result<Try, crate::error::AppError> {
    let store = state.store();
    // A slow server must not let the claim lapse while the message is
    // still ours to send: past half the lease, the rest go back.
    if claimed_at.elapsed() > half {
        store.release_message(q, worker).await?;
        return Ok(Try::Released);
    }
    match compose(state, q, now, false).await {
        Ok(Composed::Drop(reason)) => {
            store.message_dropped(q, worker, now, reason).await?;
            Ok(Try::Dropped)
        }
        Ok(Composed::Send(letter)) => match letter.message(&mailer.from, &q.id) {
            Err(e) => {
                store.message_failed(q, worker, now, &e, true).await?;
                Ok(Try::Failed)
            }
            Ok(message) => match mailer.transport.send(message).await {
                Ok(_) => {
                    store.message_sent(q, worker, Utc::now()).await?;
                    Ok(Try::Sent)
                }
                Err(e) => {
                    tracing::warn!(kind = q.kind.as_str(), error = %e, "an email could not be sent; it will be tried again");
                    store
                        .message_failed(q, worker, now, &e.to_string(), e.is_permanent())
                        .await?;
                    Ok(Try::Failed)
                }
            },
        },
        Err(e) => {
            tracing::warn!(kind = q.kind.as_str(), error = %e, "an email could not be written");
            store
                .message_failed(q, worker, now, &e.to_string(), false)
                .await?;
            Ok(Try::Failed)
        }
    }
}

/// Queues the reminders and digests of one organization that are due at
/// `now` and not queued yet. Each has a key per occurrence, so running this
/// again, or in another process, queues nothing twice. Returns how many
/// were queued.
pub async fn schedule(
    state: &AppState,
    org_id: &str,
    now: DateTime<Utc>,
) -> Result<usize, crate::error::AppError> {
    let store = state.store();
    let settings = store.email_settings(org_id).await?;
    let hours = store.working_hours(org_id).await?;
    let queued: BTreeSet<String> = store
        .recent_dedupe_keys(org_id, now - Duration::days(45))
        .await?;
    let mut wanted: Vec<NewMessage> = Vec::new();
    let upcoming = store
        .coaching_sessions(
            org_id,
            &SessionFilter {
                statuses: Some(vec![SessionStatus::Scheduled, SessionStatus::Prepared]),
                from: Some(now),
                until: Some(now + Duration::days(12)),
                limit: Some(200_000),
                ..Default::default()
            },
        )
        .await?;
    for s in upcoming.iter().filter(|s| !s.ad_hoc) {
        for person in [&s.seller_id, &s.manager_id] {
            let Some(h) = hours.get(person) else { continue };
            let at = session_reminder_at(h, s.starts_at);
            if at <= now && s.created_at < at {
                wanted.push(NewMessage {
                    kind: EmailKind::SessionReminder,
                    recipient_id: person.clone(),
                    about: s.id.clone(),
                    detail: String::new(),
                    dedupe: format!("session_reminder:{}:{}:{person}", s.id, to_db(s.starts_at)),
                    send_after: at,
                    expires_at: s.starts_at,
                });
            }
        }
        if s.status == SessionStatus::Scheduled
            && s.seller_prepared_at.is_none()
            && let Some(h) = hours.get(&s.seller_id)
        {
            let at = prep_reminder_at(h, s.prep_due_on, settings.prep_reminder_hours);
            let deadline = prep_deadline(h, s.prep_due_on);
            if at <= now && now < deadline && s.created_at < at {
                wanted.push(NewMessage {
                    kind: EmailKind::PrepReminder,
                    recipient_id: s.seller_id.clone(),
                    about: s.id.clone(),
                    detail: String::new(),
                    dedupe: format!("prep_reminder:{}:{}:{}", s.id, s.prep_due_on, s.seller_id),
                    send_after: at,
                    expires_at: deadline,
                });
            }
        }
    }
    // Daily and periodic messages go at the start of the person's working
    // day, and only during it.
    let in_working_day = |person: &str| {
        let h = hours.get(person)?;
        let today = h.day_of(now);
        (is_working_day(today) && now >= h.day_start(today) && now < h.at(today, h.end))
            .then(|| (today, h.at(today, h.end)))
    };
    let due_soon = store
        .action_items(
            org_id,
            &ActionFilter {
                statuses: Some(vec![ActionStatus::Open]),
                due_before: Some(now.date_naive() + Duration::days(4)),
                limit: Some(200_000),
                ..Default::default()
            },
        )
        .await?;
    let owners: BTreeSet<&str> = due_soon.iter().map(|i| i.owner_id.as_str()).collect();
    for owner in owners {
        let Some((today, end)) = in_working_day(owner) else {
            continue;
        };
        if due_soon
            .iter()
            .any(|i| i.owner_id == owner && i.due_on <= today + Duration::days(2))
        {
            wanted.push(NewMessage {
                kind: EmailKind::ActionItems,
                recipient_id: owner.to_owned(),
                about: owner.to_owned(),
                detail: today.to_string(),
                dedupe: format!("action_items:{owner}:{today}"),
                send_after: now,
                expires_at: end,
            });
        }
    }
    let people = store
        .users(
            org_id,
            &coach_store::UserFilter {
                active: Some(true),
                ..Default::default()
            },
        )
        .await?;
    let with_reports: BTreeSet<&str> = people
        .iter()
        .filter_map(|u| u.manager_id.as_deref())
        .collect();
    for u in people
        .iter()
        .filter(|u| with_reports.contains(u.id.as_str()))
    {
        let Some((today, end)) = in_working_day(&u.id) else {
            continue;
        };
        if u.roles.has(Role::Manager) && today == first_working_day_of_week(today) {
            wanted.push(NewMessage {
                kind: EmailKind::WeeklyDigest,
                recipient_id: u.id.clone(),
                about: u.id.clone(),
                detail: today.to_string(),
                dedupe: format!("weekly_digest:{}:{}", u.id, today.format("%G-W%V")),
                send_after: now,
                expires_at: end,
            });
        }
        if u.roles.has(Role::Director) && today == first_working_day_of_month(today) {
            wanted.push(NewMessage {
                kind: EmailKind::MonthlyDigest,
                recipient_id: u.id.clone(),
                about: u.id.clone(),
                detail: today.to_string(),
                dedupe: format!("monthly_digest:{}:{}", u.id, today.format("%Y-%m")),
                send_after: now,
                expires_at: end,
            });
        }
    }
    // What people turned off is not queued (the sender checks again, for a
    // choice made in between); what the organization requires always is.
    let opt_outs = store.email_opt_outs(org_id).await?;
    let new: Vec<NewMessage> = wanted
        .into_iter()
        .filter(|m| !queued.contains(&m.dedupe))
        .filter(|m| {
            settings.required.contains(&m.kind)
                || !opt_outs.contains(&(m.recipient_id.clone(), m.kind))
        })
        .collect();
    Ok(store.queue_messages(org_id, &new).await?)
}

/// How often the background loop wakes, and how long a message is held
/// by the process sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Between rounds.
    pub tick: std::time::Duration,
    /// A claim on a message; after it a crashed sender's message is sent
    /// again.
    pub lease: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            tick: std::time::Duration::from_secs(5),
            lease: Duration::minutes(5),
        }
    }
}

/// The background loop of `coach serve`: every few seconds it sends what is
/// due; every minute it schedules reminders (one process per organization
/// at a time); every hour it forgets messages older than 30 days. Without a
/// mailer it only keeps the outbox tidy.
pub async fn run(state: AppState, mailer: Option<Arc<Mailer>>, timing: Timing) {
    let Timing { tick, lease } = timing;
    let worker = worker_id();
    let mut last_schedule: Option<DateTime<Utc>> = None;
    let mut last_purge: Option<DateTime<Utc>> = None;
    loop {
        let now = Utc::now();
        if last_purge.is_none_or(|t| now - t >= Duration::hours(1)) {
            last_purge = Some(now);
            if let Err(e) = state.store().purge_outbox(now - Duration::days(30)).await {
                tracing::warn!(error = %e, "could not tidy the outbox");
            }
        }
        if let Some(mailer) = &mailer {
            if last_schedule.is_none_or(|t| now - t >= Duration::seconds(60)) {
                last_schedule = Some(now);
                if let Err(e) = schedule_all(&state, &worker, now).await {
                    tracing::warn!(error = %e, "could not schedule reminders");
                }
            }
            match send_due(&state, mailer, &worker, now, lease).await {
                Ok(s) if s.sent + s.failed + s.dropped > 0 => {
                    tracing::info!(
                        sent = s.sent,
                        failed = s.failed,
                        dropped = s.dropped,
                        "email sent"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not send email"),
            }
        }
        tokio::time::sleep(tick).await;
    }
}

async fn schedule_all(
    state: &AppState,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<(), crate::error::AppError> {
    let store = state.store();
    for org in store.org_ids().await? {
        if store
            .lease_job(&org, "reminders", worker, now, Duration::minutes(5))
            .await?
        {
            let result = schedule(state, &org, now).await;
            store.finish_job(&org, "reminders", worker, now).await?;
            result?;
        }
    }
    Ok(())
}
