//! What the rhythm planner needs to know of sellers (coaching-model R11,
//! R12): how many key accounts each owns and how long their deals take.

use crate::crm::records::date;
use crate::{Result, Store};
use coach_core::rhythm::SellerFacts;
use sqlx::Row as _;
use std::collections::BTreeMap;

impl Store {
    /// For each seller: their key accounts, and the median days from
    /// creation to close of their closed deals (none without such deals).
    pub async fn rhythm_facts(&self, org_id: &str, sellers: &[String]) -> Result<Vec<SellerFacts>> {
        let mut keys: BTreeMap<String, u32> = BTreeMap::new();
        let mut cycles: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut sql = crate::crm::records::Sql::new(
            "SELECT owner_id, COUNT(*) AS n FROM accounts WHERE org_id = $1 AND key_account <> 0",
            org_id,
        );
        sql.and_in("owner_id", sellers);
        sql.push(" GROUP BY owner_id");
        for r in sql.fetch(self).await? {
            keys.insert(
                r.try_get("owner_id")?,
                u32::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
            );
        }
        let mut sql = crate::crm::records::Sql::new(
            "SELECT owner_id, created_on, close_date FROM opportunities WHERE org_id = $1 \
             AND stage IN ('closed_won', 'closed_lost') AND created_on IS NOT NULL AND close_date IS NOT NULL",
            org_id,
        );
        sql.and_in("owner_id", sellers);
        for r in sql.fetch(self).await? {
            if let (Some(c), Some(d)) = (date(&r, "created_on")?, date(&r, "close_date")?) {
                cycles
                    .entry(r.try_get("owner_id")?)
                    .or_default()
                    .push((d - c).num_days().max(0));
            }
        }
        Ok(sellers
            .iter()
            .map(|s| SellerFacts {
                seller_id: s.clone(),
                key_accounts: keys.get(s).copied().unwrap_or(0),
                cycle_days: cycles.get_mut(s).and_then(|days| {
                    days.sort_unstable();
                    days.get(days.len() / 2)
                        .map(|d| u32::try_from(*d).unwrap_or(u32::MAX))
                }),
            })
            .collect())
    }
}

/// What a manager asks the planner, besides their team and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RhythmAsk {
    /// The first day (default: next Monday in the manager's time zone).
    pub start: Option<chrono::NaiveDate>,
    /// How many weeks.
    pub weeks: u32,
    /// The working day, local time.
    pub day: (chrono::NaiveTime, chrono::NaiveTime),
    /// The most minutes a week for coaching and preparation.
    pub minutes: u32,
    /// Weekly call coaching as a series too.
    pub weekly_calls: bool,
    /// Cuts accepted, by kind (R17).
    pub cuts: Vec<coach_core::coaching::SessionKind>,
}

impl Store {
    /// The planner's input for a manager: their sellers' needs under the
    /// research cadence with any accepted cuts, and their availability in
    /// their time zone, Monday to Friday. `None` when no seller reports to
    /// them. Also the sellers' names, by id.
    pub async fn rhythm_input(
        &self,
        org_id: &str,
        manager: &crate::User,
        ask: &RhythmAsk,
    ) -> Result<Option<(coach_core::rhythm::Input, BTreeMap<String, String>)>> {
        use chrono::{Datelike as _, Duration, Weekday};
        use coach_core::rhythm::{
            Availability, Input, Preferences, apply_cut, default_cadence, demands,
        };
        let team = self
            .users(
                org_id,
                &crate::UserFilter {
                    manager_id: Some(manager.id.clone()),
                    role: Some(coach_core::Role::Seller),
                    active: Some(true),
                    ..crate::UserFilter::default()
                },
            )
            .await?;
        if team.is_empty() {
            return Ok(None);
        }
        let names = team
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect();
        let ids: Vec<String> = team.iter().map(|u| u.id.clone()).collect();
        let facts = self.rhythm_facts(org_id, &ids).await?;
        let time_zone: chrono_tz::Tz = manager.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let today = chrono::Utc::now().with_timezone(&time_zone).date_naive();
        let start = ask.start.unwrap_or_else(|| {
            today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
        });
        let mut needs = demands(&default_cadence, &facts, ask.weekly_calls);
        for kind in &ask.cuts {
            needs = apply_cut(needs, *kind);
        }
        Ok(Some((
            Input {
                start,
                weeks: ask.weeks,
                demands: needs,
                availability: Availability {
                    time_zone,
                    day_start: ask.day.0,
                    day_end: ask.day.1,
                    working_days: vec![
                        Weekday::Mon,
                        Weekday::Tue,
                        Weekday::Wed,
                        Weekday::Thu,
                        Weekday::Fri,
                    ],
                    days_off: Vec::new(),
                    busy: Vec::new(),
                    max_minutes_per_week: ask.minutes,
                },
                preferences: Preferences::default(),
            },
            names,
        )))
    }
}
