//! The demo's ROA data: the default model (every organization starts with
//! it), half a year of activities logged by each seller with managers'
//! quality scores, targets and entered values. Sellers differ believably:
//! some are diligent, some skilled, some getting better over the months, and
//! one team has no pipeline target, so its territory work shows the R3 flag.

use chrono::{Datelike, Days, NaiveDate};
use coach_core::Role;
use coach_core::roa::{MeasureLevel, Per, Period};
use coach_store::roa::{NewActivity, PastActivity, TargetScope};
use coach_store::{Store, UserFilter};
use rand::Rng as _;
use rand::SeedableRng as _;
use rand::seq::IndexedRandom as _;
use rand_chacha::ChaCha8Rng;

const WEEKS: u64 = 26;

const GOOD: &[&str] = &[
    "Strong: the buyer's criteria were front and centre.",
    "Well prepared; keep asking the open questions first.",
    "Clear next step agreed with a date. Good.",
];
const FAIR: &[&str] = &[
    "Solid, but the next step was vague.",
    "Good start; push for the buyer's evidence, not our actions.",
    "Plan the objections before the call next time.",
];
const WEAK: &[&str] = &[
    "Mostly telling, little asking: let's practise questions.",
    "No clear objective for the buyer. Let's plan the next one together.",
    "The tiers are not used yet; let's review the scheme.",
];

/// How a demo seller works: how much of the standard they do, how it
/// changes over the half year, and how well (the mean level of their scores).
struct Profile {
    diligence: f64,
    trend: f64,
    skill: f64,
}

fn weekday_in(week_monday: NaiveDate, rng: &mut ChaCha8Rng) -> NaiveDate {
    week_monday
        .checked_add_days(Days::new(rng.random_range(0..5)))
        .unwrap_or(week_monday)
}

fn levels(rng: &mut ChaCha8Rng, skill: f64, criteria: usize, max: usize) -> Vec<u8> {
    (0..criteria)
        .map(|_| {
            let l = (skill + rng.random_range(-0.9..0.9)).round();
            u8::try_from(l.clamp(1.0, max as f64) as i64).unwrap_or(1)
        })
        .collect()
}

/// Loads the demo's activities, scores, targets and entered values.
pub async fn load(store: &Store, org_id: &str, today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(crate::demo::SEED ^ 0x0a0a);
    let people = store.users(org_id, &UserFilter::default()).await?;
    let mut sellers: Vec<_> = people
        .iter()
        .filter(|u| u.roles.has(Role::Seller))
        .collect();
    sellers.sort_by_key(|u| u.email.clone());
    let model = store.roa_model(org_id).await?;
    let this_week = coach_core::roa::Week::of(today).monday;
    let mut rows = Vec::new();
    let first_monday = this_week
        .checked_sub_days(Days::new(7 * (WEEKS - 1)))
        .unwrap_or(this_week);
    for seller in &sellers {
        let p = Profile {
            diligence: rng.random_range(0.6..1.3),
            trend: rng.random_range(-0.1..0.35),
            skill: rng.random_range(2.5..3.9),
        };
        let manager = seller.manager_id.clone().unwrap_or_default();
        // (type, day, how far into the half year) of every activity.
        let mut done: Vec<(usize, NaiveDate, f64)> = Vec::new();
        let progress_of = |day: NaiveDate| {
            ((day - first_monday).num_days() as f64 / (7 * WEEKS) as f64).clamp(0.0, 1.0)
        };
        for (i, t) in model
            .activity_types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.active)
        {
            let Some(standard) = t.current() else {
                continue;
            };
            // CRM records already count for the mapped types: sellers log
            // the rest of that work by hand.
            let share = if t.crm_source.is_some() { 0.8 } else { 1.0 };
            match standard.per {
                Per::Week => {
                    for back in (0..WEEKS).rev() {
                        let monday = this_week
                            .checked_sub_days(Days::new(7 * back))
                            .unwrap_or(this_week);
                        let effort = (p.diligence + p.trend * progress_of(monday)).max(0.1);
                        let mean = f64::from(standard.quantity)
                            * effort
                            * share
                            * rng.random_range(0.7..1.3);
                        let mut n = mean.floor() as u64;
                        if rng.random_bool((mean - mean.floor()).clamp(0.0, 1.0)) {
                            n += 1;
                        }
                        for _ in 0..n {
                            done.push((i, weekday_in(monday, &mut rng), progress_of(monday)));
                        }
                    }
                }
                Per::Month | Per::Quarter => {
                    // Early in each period, most of the time.
                    let mut period = if standard.per == Per::Month {
                        Period::month_of(first_monday)
                    } else {
                        Period::quarter_of(first_monday)
                    };
                    while period.start() <= today {
                        let effort = (p.diligence + p.trend * progress_of(period.start())).max(0.1);
                        for _ in 0..standard.quantity {
                            if rng.random_bool(effort.clamp(0.0, 0.97)) {
                                let offset = rng.random_range(0..20);
                                let day = period
                                    .start()
                                    .checked_add_days(Days::new(offset))
                                    .unwrap_or(period.start());
                                done.push((i, day, progress_of(day)));
                            }
                        }
                        period = period.next();
                    }
                }
            }
        }
        for (i, day, progress) in done {
            if day > today || day < first_monday {
                continue;
            }
            let t = &model.activity_types[i];
            let Some(standard) = t.standard_on(day) else {
                continue;
            };
            let score = if !manager.is_empty() && rng.random_bool(0.28) {
                let rubric = &standard.rubric;
                let skill = p.skill + 0.6 * p.trend * progress;
                let lv = levels(&mut rng, skill, rubric.criteria.len(), rubric.levels());
                let mean = lv.iter().map(|l| f64::from(*l)).sum::<f64>() / lv.len() as f64;
                let pool = if mean >= 3.0 {
                    GOOD
                } else if mean >= 2.0 {
                    FAIR
                } else {
                    WEAK
                };
                let comment = (*pool.choose(&mut rng).unwrap_or(&"")).to_owned();
                Some((lv, comment, manager.clone()))
            } else {
                None
            };
            rows.push(PastActivity {
                activity: NewActivity {
                    type_id: t.id.clone(),
                    seller_id: seller.id.clone(),
                    occurred_on: day,
                    note: String::new(),
                },
                logged_by: seller.id.clone(),
                score,
            });
        }
    }
    store.load_activities(org_id, &rows).await?;

    let admin = people
        .iter()
        .find(|u| u.roles.has(Role::Admin))
        .map(|u| u.id.clone())
        .unwrap_or_default();
    let measure = |name: &str| {
        model
            .measures
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id.clone())
    };
    let mut teams: Vec<String> = sellers
        .iter()
        .filter_map(|s| s.manager_id.clone())
        .collect();
    teams.sort();
    teams.dedup();
    let mut month = Period::month_of(today);
    for _ in 0..7 {
        for (name, value) in [
            ("Close rate", "50"),
            ("Revenue", "30000"),
            ("Deals won", "1"),
            ("Product penetration per account", "40"),
            ("Profit", "9000"),
        ] {
            if let Some(id) = measure(name) {
                store
                    .set_target(org_id, &id, month, TargetScope::Organization, value, &admin)
                    .await?;
            }
        }
        // The third team has no pipeline target: its territory work drives
        // nothing it is measured on (R3).
        if let Some(id) = measure("Pipeline created") {
            for team in teams.iter().take(2) {
                store
                    .set_target(
                        org_id,
                        &id,
                        month,
                        TargetScope::Team(team.clone()),
                        "60000",
                        &admin,
                    )
                    .await?;
            }
        }
        for seller in &sellers {
            for m in model
                .level(MeasureLevel::Result)
                .chain(model.level(MeasureLevel::Objective))
            {
                let value = match m.name.as_str() {
                    "Profit" => format!("{}", rng.random_range(40..220) * 50),
                    "Product penetration per account" => format!("{}", rng.random_range(15..65)),
                    "Market share" => {
                        format!("{}.{}", rng.random_range(2..9), rng.random_range(0..10))
                    }
                    _ => continue,
                };
                if month.start() <= today && month.start().year() > 2000 {
                    store
                        .set_value(org_id, &m.id, &seller.id, month, &value, &admin)
                        .await?;
                }
            }
        }
        month = month.previous();
    }
    Ok(())
}
