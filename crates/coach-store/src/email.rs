//! The outbox and what people chose to get by email (reliability T15).
//!
//! A change that causes a message writes it to the outbox in its own
//! transaction, so the message exists exactly when the change
//! does. The background sender claims messages one by one with a
//! conditional update, so two processes never hold the same message; a
//! claim lapses after its lease, so a sender killed mid-send leaves the
//! message to be sent again, at most once more. Reminders are queued by the
//! scheduler under a key per occurrence (`dedupe`), so running it twice, or
//! in two processes, queues one.

use crate::crm::records::instant;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use coach_core::FieldError;
use coach_core::email::{EmailKind, MAX_ATTEMPTS, WorkingHours, retry_after};
use coach_core::time::to_db;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::collections::BTreeMap;

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// What kind of message (and the preference that governs it).
    pub kind: EmailKind,
    /// Who gets it.
    pub recipient_id: String,
    /// What it is about: a session, a manager, or nothing.
    pub about: String,
    /// More about it: `request` or `cancel` for an invitation.
    pub detail: String,
    /// Once per this key: a second message with it is not queued.
    pub dedupe: String,
    /// Not before.
    pub send_after: DateTime<Utc>,
    /// Not after: a reminder past its moment is noise.
    pub expires_at: DateTime<Utc>,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Its organization.
    pub org_id: String,
    /// Its id: also its `Message-ID`, so a duplicate is recognisable.
    pub id: String,
    /// What kind of message.
    pub kind: EmailKind,
    /// Who gets it.
    pub recipient_id: String,
    /// What it is about.
    pub about: String,
    /// More about it.
    pub detail: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Not before.
    pub send_after: DateTime<Utc>,
    /// Not after.
    pub expires_at: DateTime<Utc>,
    /// Tries so far.
    pub attempts: u32,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was given up, and why (`last_error`).
    pub dropped_at: Option<DateTime<Utc>>,
    /// The last failure, or why it was dropped.
    pub last_error: String,
}

const QUEUED_SELECT: &str = "SELECT org_id, id, kind, recipient_id, about, detail, created_at, send_after, expires_at, \
     attempts, sent_at, dropped_at, last_error FROM outbox";

fn queued_from(row: &AnyRow) -> Result<Queued> {
    Ok(Queued {
        org_id: row.try_get("org_id")?,
        id: row.try_get("id")?,
        kind: row
            .try_get::<String, _>("kind")?
            .parse()
            .unwrap_or(EmailKind::Invitation),
        recipient_id: row.try_get("recipient_id")?,
        about: row.try_get("about")?,
        detail: row.try_get("detail")?,
        created_at: instant(row, "created_at")?.unwrap_or_default(),
        send_after: instant(row, "send_after")?.unwrap_or_default(),
        expires_at: instant(row, "expires_at")?.unwrap_or_default(),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(0),
        sent_at: instant(row, "sent_at")?,
        dropped_at: instant(row, "dropped_at")?,
        last_error: row.try_get("last_error")?,
    })
}

/// Queues a message inside the transaction of the change that causes it.
/// Returns whether it was new (a message with the same key is kept as it
/// is).
pub(crate) async fn queue(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    m: &NewMessage,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outbox (org_id, id, kind, recipient_id, about, detail, dedupe, created_at, send_after, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (org_id, dedupe) DO NOTHING",
    )
    .bind(org_id)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(m.kind.as_str())
    .bind(&m.recipient_id)
    .bind(&m.about)
    .bind(&m.detail)
    .bind(&m.dedupe)
    .bind(to_db(Utc::now()))
    .bind(to_db(m.send_after))
    .bind(to_db(m.expires_at))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Queues an invitation (or its cancellation) of a session to both sides,
/// in the transaction that changed it: once per version of the session.
pub(crate) async fn invite(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    session: &crate::coaching::Session,
    detail: &str,
) -> Result<()> {
    let now = Utc::now();
    for person in [&session.seller_id, &session.manager_id] {
        queue(
            tx,
            org_id,
            &NewMessage {
                kind: EmailKind::Invitation,
                recipient_id: person.clone(),
                about: session.id.clone(),
                detail: detail.to_owned(),
                dedupe: format!("invitation:{}:{}:{person}", session.id, session.version),
                send_after: now,
                expires_at: session.ends_at().max(now + Duration::hours(1)),
            },
        )
        .await?;
    }
    Ok(())
}

/// What an organization asks of email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The kinds nobody can turn off.
    pub required: Vec<EmailKind>,
    /// Hours before the seller's preparation deadline that its reminder goes
    /// (R27).
    pub prep_reminder_hours: u32,
}

/// One kind of message as a person has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailChoice {
    /// The kind.
    pub kind: EmailKind,
    /// Whether they get it.
    pub on: bool,
    /// Required by the organization: it cannot be turned off.
    pub required: bool,
}

/// The outbox of an organization at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting to be sent (including retries).
    pub waiting: u64,
    /// Of those, failed at least once.
    pub retrying: u64,
    /// Sent in the period.
    pub sent: u64,
    /// Given up in the period (expired, turned off, failed for good).
    pub dropped: u64,
}

fn kinds_text(kinds: &[EmailKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// Queues many messages in one transaction (the scheduler's run); a
    /// message whose key is taken is left as it is. Returns how many were
    /// new.
    pub async fn queue_messages(&self, org_id: &str, messages: &[NewMessage]) -> Result<usize> {
        let mut count = 0;
        for chunk in messages.chunks(1000) {
            let mut tx = self.write().await?;
            for m in chunk {
                if queue(&mut tx, org_id, m).await? {
                    count += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(count)
    }

    /// The kinds each person of an organization turned off, as
    /// `(person, kind)`.
    pub async fn email_opt_outs(
        &self,
        org_id: &str,
    ) -> Result<std::collections::BTreeSet<(String, EmailKind)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, kind FROM email_preferences WHERE org_id = $1 AND enabled = 0",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(user, kind)| kind.parse().ok().map(|k| (user, k)))
            .collect())
    }

    /// Claims up to `limit` messages due at `now` for `worker`, until
    /// `now + lease`, in one transaction. A message is held by one worker
    /// only: each claim is an update that succeeds only while nobody holds
    /// it (on PostgreSQL a second worker waits for the row and then finds it
    /// taken); a worker that loses a race takes the others.
    pub async fn claim_messages(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Queued>> {
        let at = to_db(now);
        let mut tx = self.write().await?;
        let candidates: Vec<(String, String)> = sqlx::query_as(
            "SELECT org_id, id FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL AND send_after <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY send_after, id LIMIT $2",
        )
        .bind(&at)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::new();
        for (org_id, id) in candidates {
            let done = sqlx::query(
                "UPDATE outbox SET claimed_by = $3, claimed_until = $4 WHERE org_id = $1 AND id = $2 \
                 AND sent_at IS NULL AND dropped_at IS NULL AND (claimed_until IS NULL OR claimed_until < $5)",
            )
            .bind(&org_id)
            .bind(&id)
            .bind(worker)
            .bind(to_db(now + lease))
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                claimed.push((org_id, id));
            }
        }
        let mut out = Vec::new();
        for (org_id, id) in claimed {
            let sql = format!("{QUEUED_SELECT} WHERE org_id = $1 AND id = $2");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&org_id)
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
            let q = queued_from(&row)?;
            // The recipient's unsubscribe link for this kind, made here so
            // that writing the letter needs no write of its own.
            sqlx::query(
                "INSERT INTO unsubscribe_links (org_id, user_id, kind, secret, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (org_id, user_id, kind) DO NOTHING",
            )
            .bind(&q.org_id)
            .bind(&q.recipient_id)
            .bind(q.kind.as_str())
            .bind(crate::new_secret())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            out.push(q);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Gives a claimed message back untouched, for another run to take.
    pub async fn release_message(&self, m: &Queued, worker: &str) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE org_id = $1 AND id = $2 AND claimed_by = $3",
        )
        .bind(&m.org_id)
        .bind(&m.id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that `worker` sent a message it holds.
    pub async fn message_sent(&self, m: &Queued, worker: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $4, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL, last_error = '' \
             WHERE org_id = $1 AND id = $2 AND claimed_by = $3",
        )
        .bind(&m.org_id)
        .bind(&m.id)
        .bind(worker)
        .bind(to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that a try failed: the message waits (one minute, doubling,
    /// at most six hours) and is given up after its last try, or at once
    /// when the failure is `permanent`.
    pub async fn message_failed(
        &self,
        m: &Queued,
        worker: &str,
        now: DateTime<Utc>,
        error: &str,
        permanent: bool,
    ) -> Result<()> {
        let attempts = m.attempts + 1;
        let give_up = permanent || attempts >= MAX_ATTEMPTS;
        let error: String = error.chars().take(500).collect();
        sqlx::query(
            "UPDATE outbox SET attempts = $4, send_after = $5, dropped_at = $6, last_error = $7, claimed_by = NULL, claimed_until = NULL \
             WHERE org_id = $1 AND id = $2 AND claimed_by = $3",
        )
        .bind(&m.org_id)
        .bind(&m.id)
        .bind(worker)
        .bind(i64::from(attempts))
        .bind(to_db(now + retry_after(attempts)))
        .bind(give_up.then(|| to_db(now)))
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up a message without sending it, saying why (expired, the
    /// person turned it off or left).
    pub async fn message_dropped(
        &self,
        m: &Queued,
        worker: &str,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET dropped_at = $4, last_error = $5, claimed_by = NULL, claimed_until = NULL \
             WHERE org_id = $1 AND id = $2 AND claimed_by = $3",
        )
        .bind(&m.org_id)
        .bind(&m.id)
        .bind(worker)
        .bind(to_db(now))
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets messages sent or given up before `before`, and those that
    /// expired unsent then (email off). Returns how many.
    pub async fn purge_outbox(&self, before: DateTime<Utc>) -> Result<u64> {
        let at = to_db(before);
        let done = sqlx::query(
            "DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < $1) OR (dropped_at IS NOT NULL AND dropped_at < $1) \
             OR (sent_at IS NULL AND expires_at < $1)",
        )
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Forgets every message of an organization not sent yet: for records
    /// made up in bulk (the demo) that nobody is to be mailed about.
    pub async fn clear_outbox(&self, org_id: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM outbox WHERE org_id = $1 AND sent_at IS NULL")
            .bind(org_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The organization's outbox: what waits, and what was sent or given up
    /// since `since`.
    pub async fn outbox_counts(&self, org_id: &str, since: DateTime<Utc>) -> Result<OutboxCounts> {
        let row = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND dropped_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting, \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND dropped_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) AS retrying, \
             COALESCE(SUM(CASE WHEN sent_at >= $2 THEN 1 ELSE 0 END), 0) AS sent, \
             COALESCE(SUM(CASE WHEN dropped_at >= $2 THEN 1 ELSE 0 END), 0) AS dropped \
             FROM outbox WHERE org_id = $1",
        )
        .bind(org_id)
        .bind(to_db(since))
        .fetch_one(&self.pool)
        .await?;
        let n =
            |c: &str| -> Result<u64> { Ok(u64::try_from(row.try_get::<i64, _>(c)?).unwrap_or(0)) };
        Ok(OutboxCounts {
            waiting: n("waiting")?,
            retrying: n("retrying")?,
            sent: n("sent")?,
            dropped: n("dropped")?,
        })
    }

    /// The organization's latest messages, newest first.
    pub async fn recent_messages(&self, org_id: &str, limit: i64) -> Result<Vec<Queued>> {
        let sql =
            format!("{QUEUED_SELECT} WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(queued_from)
            .collect()
    }

    /// Messages for one person, newest first (tests and the admin view).
    pub async fn messages_for(&self, org_id: &str, person: &str) -> Result<Vec<Queued>> {
        let sql = format!(
            "{QUEUED_SELECT} WHERE org_id = $1 AND recipient_id = $2 ORDER BY created_at DESC, id DESC"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(person)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(queued_from)
            .collect()
    }

    /// What the organization asks of email.
    pub async fn email_settings(&self, org_id: &str) -> Result<EmailSettings> {
        let (required, hours): (String, i64) = sqlx::query_as(
            "SELECT email_required, prep_reminder_hours FROM organizations WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(EmailSettings {
            required: required.split(',').filter_map(|k| k.parse().ok()).collect(),
            prep_reminder_hours: u32::try_from(hours).unwrap_or(24),
        })
    }

    /// Sets what the organization asks of email.
    pub async fn set_email_settings(&self, org_id: &str, s: &EmailSettings) -> Result<()> {
        let hours = coach_core::email::validate_lead_hours(i64::from(s.prep_reminder_hours))?;
        sqlx::query(
            "UPDATE organizations SET email_required = $2, prep_reminder_hours = $3 WHERE id = $1",
        )
        .bind(org_id)
        .bind(kinds_text(&s.required))
        .bind(i64::from(hours))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What a person chose: every kind, on unless they turned it off.
    pub async fn email_preferences(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> Result<BTreeMap<EmailKind, bool>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT kind, enabled FROM email_preferences WHERE org_id = $1 AND user_id = $2",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<EmailKind, bool> =
            EmailKind::ALL.iter().map(|k| (*k, true)).collect();
        for (kind, enabled) in rows {
            if let Ok(k) = kind.parse::<EmailKind>() {
                out.insert(k, enabled != 0);
            }
        }
        Ok(out)
    }

    /// What a person may choose and gets, kind by kind: the kinds that
    /// apply to their roles, each on (chosen, or required by the
    /// organization) or off, and whether it is required.
    pub async fn email_choices(
        &self,
        org_id: &str,
        user: &crate::User,
    ) -> Result<Vec<EmailChoice>> {
        let required = self.email_settings(org_id).await?.required;
        Ok(self
            .email_preferences(org_id, &user.id)
            .await?
            .into_iter()
            .filter(|(kind, _)| kind.applies_to(&user.roles))
            .map(|(kind, on)| EmailChoice {
                kind,
                on: on || required.contains(&kind),
                required: required.contains(&kind),
            })
            .collect())
    }

    /// Turns one kind on or off for a person. A kind the organization
    /// requires cannot be turned off.
    pub async fn set_email_preference(
        &self,
        org_id: &str,
        user_id: &str,
        kind: EmailKind,
        enabled: bool,
    ) -> Result<()> {
        if !enabled && self.email_settings(org_id).await?.required.contains(&kind) {
            return Err(FieldError::new(
                kind.as_str(),
                "your organization sends these to everyone; they cannot be turned off",
            )
            .into());
        }
        sqlx::query(
            "INSERT INTO email_preferences (org_id, user_id, kind, enabled, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, user_id, kind) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(i64::from(enabled))
        .bind(to_db(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether a person gets a kind of message now: required by the
    /// organization, or not turned off.
    pub async fn wants_email(&self, org_id: &str, user_id: &str, kind: EmailKind) -> Result<bool> {
        if self.email_settings(org_id).await?.required.contains(&kind) {
            return Ok(true);
        }
        Ok(self
            .email_preferences(org_id, user_id)
            .await?
            .get(&kind)
            .copied()
            .unwrap_or(true))
    }

    /// The secret of a person's unsubscribe link for one kind, made on first
    /// use.
    pub async fn unsubscribe_secret(
        &self,
        org_id: &str,
        user_id: &str,
        kind: EmailKind,
    ) -> Result<String> {
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT secret FROM unsubscribe_links WHERE org_id = $1 AND user_id = $2 AND kind = $3",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await?;
        if let Some((secret,)) = existing {
            return Ok(secret);
        }
        sqlx::query(
            "INSERT INTO unsubscribe_links (org_id, user_id, kind, secret, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, user_id, kind) DO NOTHING",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(crate::new_secret())
        .bind(to_db(Utc::now()))
        .execute(&self.pool)
        .await?;
        let (secret,): (String,) = sqlx::query_as(
            "SELECT secret FROM unsubscribe_links WHERE org_id = $1 AND user_id = $2 AND kind = $3",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(kind.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(secret)
    }

    /// Whose unsubscribe link this is, and for which kind: the organization,
    /// the person and the kind, or `None` for an unknown secret.
    pub async fn unsubscribe_link(
        &self,
        secret: &str,
    ) -> Result<Option<(String, String, EmailKind)>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT l.org_id, l.user_id, l.kind FROM unsubscribe_links l \
             JOIN users u ON u.org_id = l.org_id AND u.id = l.user_id WHERE l.secret = $1 AND u.active = 1",
        )
        .bind(secret)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(org, user, kind)| kind.parse().ok().map(|k| (org, user, k))))
    }

    /// Takes the job `name` of an organization for `worker` until
    /// `now + lease`, unless another worker holds it. Returns whether it is
    /// ours.
    pub async fn lease_job(
        &self,
        org_id: &str,
        name: &str,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO jobs (org_id, name, leased_by, leased_until, last_run_at) VALUES ($1, $2, NULL, NULL, NULL) \
             ON CONFLICT (org_id, name) DO NOTHING",
        )
        .bind(org_id)
        .bind(name)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(
            "UPDATE jobs SET leased_by = $3, leased_until = $4 WHERE org_id = $1 AND name = $2 \
             AND (leased_until IS NULL OR leased_until < $5 OR leased_by = $3)",
        )
        .bind(org_id)
        .bind(name)
        .bind(worker)
        .bind(to_db(now + lease))
        .bind(to_db(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Hands a job back after a run.
    pub async fn finish_job(
        &self,
        org_id: &str,
        name: &str,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET leased_by = NULL, leased_until = NULL, last_run_at = $4 WHERE org_id = $1 AND name = $2 AND leased_by = $3",
        )
        .bind(org_id)
        .bind(name)
        .bind(worker)
        .bind(to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The keys of the messages queued for an organization since `since`,
    /// so the scheduler writes only what is new.
    pub async fn recent_dedupe_keys(
        &self,
        org_id: &str,
        since: DateTime<Utc>,
    ) -> Result<std::collections::BTreeSet<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT dedupe FROM outbox WHERE org_id = $1 AND created_at >= $2")
                .bind(org_id)
                .bind(to_db(since))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(k,)| k).collect())
    }

    /// The ids of every organization, for the scheduler.
    pub async fn org_ids(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM organizations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The working hours of the organization's people: their time zone, and
    /// the working day they set for the rhythm planner, else nine to five.
    pub async fn working_hours(&self, org_id: &str) -> Result<BTreeMap<String, WorkingHours>> {
        let rows = sqlx::query(
            "SELECT u.id, u.time_zone, r.day_start, r.day_end FROM users u \
             LEFT JOIN rhythm_settings r ON r.org_id = u.org_id AND r.user_id = u.id \
             WHERE u.org_id = $1 AND u.active = 1",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = BTreeMap::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            let tz = row
                .try_get::<String, _>("time_zone")?
                .parse()
                .unwrap_or(chrono_tz::UTC);
            let mut hours = WorkingHours::nine_to_five(tz);
            let time = |c: &str| -> Result<Option<NaiveTime>> {
                Ok(row
                    .try_get::<Option<String>, _>(c)?
                    .and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M").ok()))
            };
            if let (Some(start), Some(end)) = (time("day_start")?, time("day_end")?)
                && start < end
            {
                hours.start = start;
                hours.end = end;
            }
            out.insert(id, hours);
        }
        Ok(out)
    }
}
