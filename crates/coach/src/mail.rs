//! `coach email`: one scheduling run or one sending run, for scripts, cron
//! on a server that does not run `coach serve`, and the benchmarks.

use crate::cli::EmailCommand;
use crate::config::Config;
use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use coach_store::Store;
use coach_web::email::{Mailer, schedule, send_due, worker_id};
use coach_web::{AppState, WebConfig};

fn moment(at: Option<&str>) -> anyhow::Result<DateTime<Utc>> {
    match at {
        None => Ok(Utc::now()),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .with_context(|| {
                format!("--at {text:?}: expected a time like 2026-12-07T09:05:00+01:00")
            }),
    }
}

/// Runs `coach email schedule` or `coach email send`.
pub async fn command(store: &Store, config: &Config, command: EmailCommand) -> anyhow::Result<()> {
    let mut web = WebConfig::new(config.base_url.clone());
    web.email_from = config.smtp_from.clone();
    match command {
        EmailCommand::Schedule(a) => {
            let org = store
                .org_by_slug(&a.org)
                .await
                .map_err(|_| anyhow!("no organization with the slug {:?}", a.org))?;
            let at = moment(a.at.as_deref())?;
            let state = AppState::new(store.clone(), web);
            let started = std::time::Instant::now();
            let queued = schedule(&state, &org.id, at)
                .await
                .map_err(|e| anyhow!("could not schedule: {e}"))?;
            println!("queued {queued} messages");
            eprintln!("scheduled in {} ms", started.elapsed().as_millis());
            Ok(())
        }
        EmailCommand::Send(a) => {
            let url = config.smtp_url.as_deref().ok_or_else(|| {
                anyhow!("email is off: give --smtp-url (or COACH_SMTP_URL) to send")
            })?;
            let mailer = Mailer::new(url, &config.smtp_from).map_err(|e| anyhow!(e))?;
            let at = moment(a.at.as_deref())?;
            web.email_enabled = true;
            let state = AppState::new(store.clone(), web);
            let started = std::time::Instant::now();
            let sent = send_due(
                &state,
                &mailer,
                &worker_id(),
                at,
                chrono::Duration::seconds(60),
            )
            .await
            .map_err(|e| anyhow!("could not send: {e}"))?;
            println!(
                "sent {}, failed {} (to be tried again), not sent {}",
                sent.sent, sent.failed, sent.dropped
            );
            eprintln!("sent in {} ms", started.elapsed().as_millis());
            Ok(())
        }
    }
}
