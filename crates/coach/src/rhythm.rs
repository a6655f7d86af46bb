//! `coach plan`: the coaching rhythm of one manager, or of every manager with
//! sellers, from the planner (R10–R19), for people or, with `--json`, for
//! scripts.

use crate::cli::PlanArgs;
use anyhow::{Context as _, anyhow, bail};
use chrono::{NaiveDate, NaiveTime};
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{Refusal, every_text, hours_text, plan};
use coach_store::series::Applied;
use coach_store::{Organization, Store, User, UserFilter};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// What every manager's plan is asked, from the command line; what is not
/// given comes from each manager's saved settings.
struct Ask {
    start: Option<NaiveDate>,
    weeks: u32,
    day: Option<(NaiveTime, NaiveTime)>,
    minutes: Option<u32>,
    weekly_calls: bool,
    cuts: Vec<SessionKind>,
}

/// Time spent, over every manager.
#[derive(Default)]
struct Spent {
    reading: Duration,
    planning: Duration,
    writing: Duration,
    applied: Applied,
    refused: usize,
}

/// Plans and prints; with `--apply`, stores what fits.
pub async fn plan_command(store: &Store, org: &Organization, a: PlanArgs) -> anyhow::Result<()> {
    let day = match &a.day {
        None => None,
        Some(day) => Some(
            day.split_once('-')
                .and_then(|(f, t)| {
                    Some((
                        NaiveTime::parse_from_str(f, "%H:%M").ok()?,
                        NaiveTime::parse_from_str(t, "%H:%M").ok()?,
                    ))
                })
                .filter(|(f, t)| f < t)
                .ok_or_else(|| {
                    anyhow!(
                        "--day: expected the working day as HH:MM-HH:MM, such as 09:00-17:00; got {day:?}"
                    )
                })?,
        ),
    };
    if let Some(h) = a.hours.filter(|h| !(1..=60).contains(h)) {
        bail!("--hours: expected 1 to 60 hours a week; got {h}");
    }
    if !(1..=24).contains(&a.months) {
        bail!("--months: expected 1 to 24 months; got {}", a.months);
    }
    let start = match &a.from {
        Some(s) => Some(
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .with_context(|| format!("--from: expected a day as YYYY-MM-DD; got {s:?}"))?,
        ),
        None => None,
    };
    let cuts = a
        .cuts
        .iter()
        .map(|c| {
            c.parse::<SessionKind>().map_err(|_| {
                anyhow!(
                    "--cut: expected a kind of coaching ({}); got {c:?}",
                    SessionKind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if a.apply && start.is_some_and(|s| s < chrono::Utc::now().date_naive()) {
        bail!("--from: a plan is applied from today on; give today or a later day");
    }
    let ask = Ask {
        start,
        weeks: (a.months * 52).div_ceil(12),
        day,
        minutes: a.hours.map(|h| h * 60),
        weekly_calls: a.weekly_calls,
        cuts,
    };
    let managers = match &a.manager {
        Some(email) => vec![store.user_by_email(&org.id, email).await.map_err(|_| {
            anyhow!(
                "--manager: no person with the email {email:?} in {}",
                org.slug
            )
        })?],
        None => {
            let chart = store.org_chart(&org.id).await?;
            let everyone = store
                .users(
                    &org.id,
                    &UserFilter {
                        active: Some(true),
                        ..UserFilter::default()
                    },
                )
                .await?;
            let leads: std::collections::BTreeSet<String> = everyone
                .iter()
                .filter(|u| u.roles.has(coach_core::Role::Seller))
                .filter_map(|u| chart.manager_of(&u.id).map(str::to_owned))
                .collect();
            everyone
                .into_iter()
                .filter(|u| leads.contains(&u.id))
                .collect()
        }
    };
    // Each manager's plan is written as soon as it is made, so a whole
    // organization's never sits in memory at once.
    let mut spent = Spent::default();
    let array = a.json && a.manager.is_none();
    if array {
        write_out("[\n")?;
    }
    for (i, manager) in managers.iter().enumerate() {
        let (text, body) = plan_one(store, org, &ask, manager, a.apply, &mut spent).await?;
        let gap = if i == 0 {
            ""
        } else if a.json {
            ",\n"
        } else {
            "\n"
        };
        if a.json {
            write_out(&format!("{gap}{}", serde_json::to_string_pretty(&body)?))?;
        } else {
            write_out(&format!("{gap}{text}"))?;
        }
    }
    if array {
        write_out("\n]\n")?;
    } else if a.json {
        write_out("\n")?;
    }
    if a.apply {
        eprintln!(
            "{} managers: read in {} ms, planned in {} ms, written in {} ms ({} series, {} sessions; {} earlier series ended, {} untouched future sessions removed, {} kept)",
            managers.len(),
            spent.reading.as_millis(),
            spent.planning.as_millis(),
            spent.writing.as_millis(),
            spent.applied.series,
            spent.applied.sessions,
            spent.applied.ended,
            spent.applied.removed,
            spent.applied.kept,
        );
        if spent.refused > 0 {
            if spent.refused == managers.len() {
                bail!("the plan did not fit, so nothing was applied");
            }
            bail!(
                "{} of {} plans did not fit and were not applied; the others were",
                spent.refused,
                managers.len()
            );
        }
    }
    Ok(())
}

async fn plan_one(
    store: &Store,
    org: &Organization,
    ask: &Ask,
    manager: &User,
    apply: bool,
    spent: &mut Spent,
) -> anyhow::Result<(String, Value)> {
    let clock = Instant::now();
    let mut settings = store.rhythm_settings(&org.id, &manager.id).await?;
    if let Some(day) = ask.day {
        settings.day = day;
    }
    if let Some(m) = ask.minutes {
        settings.minutes = m;
    }
    settings.weekly_calls |= ask.weekly_calls;
    let rhythm_ask = coach_store::rhythm::RhythmAsk {
        start: ask.start,
        weeks: ask.weeks,
        settings: settings.clone(),
        cuts: ask.cuts.clone(),
    };
    let input = store.rhythm_input(&org.id, manager, &rhythm_ask).await?;
    spent.reading += clock.elapsed();
    let Some((input, names)) = input else {
        bail!(
            "--manager: {} has no sellers reporting to them",
            manager.name
        );
    };
    let team = names.len();
    let start = input.start;
    let time_zone = input.availability.time_zone;
    let clock = Instant::now();
    let result = plan(&input);
    spent.planning += clock.elapsed();
    let mut applied = None;
    match &result {
        Ok(p) if apply => {
            let clock = Instant::now();
            let done = store
                .apply_rhythm(
                    &org.id,
                    &manager.id,
                    time_zone,
                    p,
                    &manager.id,
                    chrono::Utc::now(),
                )
                .await?;
            store
                .set_rhythm_settings(&org.id, &manager.id, &settings)
                .await?;
            spent.writing += clock.elapsed();
            spent.applied.series += done.series;
            spent.applied.sessions += done.sessions;
            spent.applied.ended += done.ended;
            spent.applied.removed += done.removed;
            spent.applied.kept += done.kept;
            applied = Some(done);
        }
        Err(_) if apply => spent.refused += 1,
        _ => {}
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Rhythm for {} ({} sellers), {} weeks from {}, {}",
        manager.name,
        team,
        ask.weeks,
        start.format("%a %-d %b %Y"),
        time_zone
    );
    let body = match &result {
        Ok(p) => {
            let busiest = p
                .load
                .iter()
                .map(|w| w.coaching + w.preparation)
                .max()
                .unwrap_or(0);
            let _ = writeln!(
                out,
                "Viable: {} series; the busiest week takes {} of coaching and preparation, of {} (R17).\n",
                p.series.len(),
                hours_text(busiest),
                hours_text(settings.minutes)
            );
            if let Some(done) = &applied {
                let _ = writeln!(
                    out,
                    "Applied: {} series and {} sessions created{}.\n",
                    done.series,
                    done.sessions,
                    if done.ended > 0 {
                        format!(
                            "; {} earlier series ended, {} untouched future sessions removed, {} prepared ones kept as single sessions",
                            done.ended, done.removed, done.kept
                        )
                    } else {
                        String::new()
                    }
                );
            }
            for s in &p.series {
                let moved = s.occurrences.iter().filter(|o| o.moved).count();
                let _ = writeln!(
                    out,
                    "  {:<22} {:<22} {:<14} {} {}  {} session{}{}",
                    names.get(&s.seller_id).map_or("", String::as_str),
                    s.kind.label(),
                    every_text(s.every_weeks),
                    s.weekday,
                    s.time.format("%H:%M"),
                    s.occurrences.len(),
                    if s.occurrences.len() == 1 { "" } else { "s" },
                    if moved > 0 {
                        format!(", {moved} moved")
                    } else {
                        String::new()
                    }
                );
            }
            let _ = writeln!(out);
            for w in &p.load {
                let _ = writeln!(
                    out,
                    "  week of {}: {} coaching + {} preparation",
                    w.week.format("%a %-d %b"),
                    hours_text(w.coaching),
                    hours_text(w.preparation)
                );
            }
            json!({
                "viable": true,
                "applied": applied.map(|d| json!({
                    "series": d.series,
                    "sessions": d.sessions,
                    "ended_series": d.ended,
                    "removed_sessions": d.removed,
                    "kept_sessions": d.kept,
                })),
                "manager": manager.email,
                "start": start,
                "weeks": ask.weeks,
                "series": p.series.iter().map(|s| json!({
                    "seller_id": s.seller_id,
                    "seller": names.get(&s.seller_id),
                    "kind": s.kind.as_str(),
                    "every_weeks": s.every_weeks,
                    "minutes": s.minutes,
                    "weekday": s.weekday.to_string(),
                    "time": s.time.format("%H:%M").to_string(),
                    "occurrences": s.occurrences.iter().map(|o| json!({
                        "prep_starts_at": o.prep_starts_at,
                        "starts_at": o.starts_at,
                        "ends_at": o.ends_at,
                        "moved": o.moved,
                        "slot": o.slot,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "load": p.load.iter().map(|w| json!({
                    "week": w.week,
                    "coaching_minutes": w.coaching,
                    "preparation_minutes": w.preparation,
                    "capacity_minutes": w.capacity,
                })).collect::<Vec<_>>(),
            })
        }
        Err(r) => {
            refusal_text(&mut out, r);
            json!({
                "viable": false,
                "applied": Value::Null,
                "manager": manager.email,
                "needed_minutes_per_week": r.needed_per_week,
                "capacity_minutes_per_week": r.capacity,
                "after_cuts_minutes_per_week": r.after_cuts,
                "cuts": r.cuts.iter().map(|c| json!({
                    "kind": c.kind.as_str(),
                    "from_weeks": c.from_weeks,
                    "to_weeks": c.to_weeks,
                    "saves_minutes_per_week": c.saves_per_week,
                    "why": c.why,
                })).collect::<Vec<_>>(),
                "unplaced": r.unplaced.iter().map(|(s, k, w)| json!({"seller_id": s, "kind": k.as_str(), "week": w})).collect::<Vec<_>>(),
            })
        }
    };
    Ok((out, body))
}

/// Why a plan does not fit, and what would make it fit, as a manager reads it.
fn refusal_text(out: &mut String, r: &Refusal) {
    let _ = writeln!(
        out,
        "Not viable: {} (R17).",
        coach_core::rhythm::refusal_text(r)
    );
    if !r.cuts.is_empty() {
        let _ = writeln!(out, "To make it fit, least harmful first:");
        for (i, c) in r.cuts.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {}: {} instead of {}, saves {} a week: {}",
                i + 1,
                c.kind.label(),
                every_text(c.to_weeks),
                every_text(c.from_weeks),
                hours_text(c.saves_per_week),
                c.why
            );
        }
    }
    if r.after_cuts > r.capacity {
        let _ = writeln!(
            out,
            "Even with every cut it needs {} a week: more hours, or fewer sellers per manager.",
            hours_text(r.after_cuts)
        );
    }
}

/// Writes to standard output; a reader that went away (`| head`) is fine.
fn write_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
