//! `coach history`: a made-up history of coaching for an organization's
//! teams, written team by team, for trials of the analytics and for
//! benchmarks (bench/analytics.sh).

use crate::cli::HistoryArgs;
use anyhow::{anyhow, bail};
use chrono::{Duration, Utc};
use coach_core::Role;
use coach_core::analytics::synth::{Options, Plant, Team, team_history};
use coach_store::{Organization, Store, UserFilter};
use std::collections::BTreeMap;
use std::time::Instant;

/// Every manager with active sellers reporting to them, and the director
/// above the manager when there is one.
async fn teams(store: &Store, org_id: &str) -> anyhow::Result<Vec<Team>> {
    let people = store
        .users(
            org_id,
            &UserFilter {
                active: Some(true),
                ..UserFilter::default()
            },
        )
        .await?;
    let by_id: BTreeMap<&str, &coach_store::User> =
        people.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut sellers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for u in people.iter().filter(|u| u.roles.has(Role::Seller)) {
        if let Some(m) = u.manager_id.as_deref() {
            sellers.entry(m).or_default().push(u.id.clone());
        }
    }
    Ok(sellers
        .into_iter()
        .map(|(manager, seller_ids)| Team {
            manager_id: manager.to_owned(),
            seller_ids,
            director_id: by_id
                .get(manager)
                .and_then(|m| m.manager_id.as_deref())
                .filter(|d| by_id.get(d).is_some_and(|u| u.roles.has(Role::Director)))
                .map(str::to_owned),
        })
        .collect())
}

fn share(name: &str, v: f64) -> anyhow::Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        bail!("--{name} must be from 0 to 1; got {v}")
    }
}

/// Writes the history and prints what was written.
pub async fn command(store: &Store, org: &Organization, a: &HistoryArgs) -> anyhow::Result<()> {
    if !(1..=10).contains(&a.years) {
        bail!("--years must be from 1 to 10; got {}", a.years);
    }
    for (name, v, max) in [
        ("sessions-per-month", a.sessions_per_month, 20.0),
        ("actions-per-session", a.actions_per_session, 20.0),
        ("deals-per-year", a.deals_per_year, 500.0),
    ] {
        if !(0.0..=max).contains(&v) {
            bail!("--{name} must be from 0 to {max}; got {v}");
        }
    }
    let tz: chrono_tz::Tz = org.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let to = Utc::now().with_timezone(&tz).date_naive() - Duration::days(1);
    let options = Options {
        seed: a.seed,
        from: to - Duration::days(i64::from(a.years) * 365 - 1),
        to,
        sessions_per_month: a.sessions_per_month,
        actions_per_session: a.actions_per_session,
        deals_per_year: a.deals_per_year,
        currency: "EUR",
        plant: Plant {
            early_win_lift: share("early-win-lift", a.early_win_lift)?,
            keep: share("keep", a.keep)?,
            ..Plant::default()
        },
    };
    let teams = teams(store, &org.id).await?;
    if teams.is_empty() {
        return Err(anyhow!("{} has no manager with sellers", org.slug));
    }
    let started = Instant::now();
    let (mut sessions, mut actions, mut deals) = (0usize, 0usize, 0usize);
    for (n, team) in teams.iter().enumerate() {
        let h = team_history(team, n + 1, &options);
        sessions += h.sessions.len();
        actions += h.sessions.iter().map(|s| s.actions.len()).sum::<usize>();
        deals += h.deals.len();
        store.insert_history(&org.id, &h).await?;
    }
    store.optimize().await?;
    println!(
        "{} teams: {sessions} sessions, {actions} action items, {deals} closed deals, {} to {} ({:.1} s)",
        teams.len(),
        options.from,
        options.to,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
