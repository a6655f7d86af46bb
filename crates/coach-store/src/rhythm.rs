//! What the rhythm planner needs to know of sellers (coaching-model R11,
//! R12): how many key accounts each owns and how long their deals take.

use crate::crm::records::date;
use crate::{Result, Store};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use coach_core::coaching::SessionKind;
use coach_core::rhythm::{SellerFacts, default_cadence};
use coach_core::time::{from_db, to_db};
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

/// A manager's availability and rhythm preferences, as saved (R17–R19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RhythmSettings {
    /// The working day, local time.
    pub day: (NaiveTime, NaiveTime),
    /// The most minutes a week for coaching and preparation (R17).
    pub minutes: u32,
    /// Preferred coaching days (R19).
    pub coaching_days: Vec<Weekday>,
    /// Minutes between sessions (R19).
    pub break_minutes: u32,
    /// Preparation as a share of the session, in per cent (R18).
    pub prep_percent: u32,
    /// Weekly call coaching as a series too (R13).
    pub weekly_calls: bool,
    /// Days off.
    pub days_off: Vec<NaiveDate>,
    /// A free/busy or calendar URL the server reads.
    pub busy_url: String,
    /// When busy times were last read or uploaded.
    pub busy_read_at: Option<DateTime<Utc>>,
}

impl Default for RhythmSettings {
    fn default() -> Self {
        let p = coach_core::rhythm::Preferences::default();
        RhythmSettings {
            day: (
                NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            ),
            minutes: 12 * 60,
            coaching_days: p.coaching_days,
            break_minutes: p.break_minutes,
            prep_percent: p.prep_percent,
            weekly_calls: false,
            days_off: Vec::new(),
            busy_url: String::new(),
            busy_read_at: None,
        }
    }
}

fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// Coaching days as stored: `mon,fri`.
fn days_text(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| weekday_code(*d))
        .collect::<Vec<_>>()
        .join(",")
}

/// Where a kind's cadence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CadenceSource {
    /// The research default (R10–R13).
    Research,
    /// The organization's policy.
    Organization,
    /// The team's override.
    Team,
}

/// One kind's cadence in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadenceRule {
    /// The kind.
    pub kind: SessionKind,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// Minutes.
    pub minutes: u32,
    /// Where it comes from.
    pub source: CadenceSource,
}

impl Store {
    /// A manager's saved settings, or the defaults.
    pub async fn rhythm_settings(&self, org_id: &str, user_id: &str) -> Result<RhythmSettings> {
        let row = sqlx::query(
            "SELECT day_start, day_end, minutes_per_week, coaching_days, break_minutes, prep_percent, weekly_calls, \
             days_off, busy_url, busy_read_at FROM rhythm_settings WHERE org_id = $1 AND user_id = $2",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(RhythmSettings::default());
        };
        let d = RhythmSettings::default();
        let time = |c: &str| -> Result<Option<NaiveTime>> {
            Ok(NaiveTime::parse_from_str(&r.try_get::<String, _>(c)?, "%H:%M").ok())
        };
        let number = |c: &str| -> Result<u32> {
            Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or_default())
        };
        Ok(RhythmSettings {
            day: (
                time("day_start")?.unwrap_or(d.day.0),
                time("day_end")?.unwrap_or(d.day.1),
            ),
            minutes: number("minutes_per_week")?,
            coaching_days: r
                .try_get::<String, _>("coaching_days")?
                .split(',')
                .filter_map(|c| c.parse().ok())
                .collect(),
            break_minutes: number("break_minutes")?,
            prep_percent: number("prep_percent")?,
            weekly_calls: r.try_get::<i64, _>("weekly_calls")? != 0,
            days_off: r
                .try_get::<String, _>("days_off")?
                .split(',')
                .filter_map(|c| NaiveDate::parse_from_str(c, "%Y-%m-%d").ok())
                .collect(),
            busy_url: r.try_get("busy_url")?,
            busy_read_at: crate::crm::records::instant(&r, "busy_read_at")?,
        })
    }

    /// Saves a manager's settings (not the busy times' read time).
    pub async fn set_rhythm_settings(
        &self,
        org_id: &str,
        user_id: &str,
        s: &RhythmSettings,
    ) -> Result<()> {
        let off: Vec<String> = s
            .days_off
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO rhythm_settings (org_id, user_id, day_start, day_end, minutes_per_week, coaching_days, break_minutes, \
             prep_percent, weekly_calls, days_off, busy_url, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (org_id, user_id) DO UPDATE SET day_start = excluded.day_start, day_end = excluded.day_end, \
             minutes_per_week = excluded.minutes_per_week, coaching_days = excluded.coaching_days, \
             break_minutes = excluded.break_minutes, prep_percent = excluded.prep_percent, weekly_calls = excluded.weekly_calls, \
             days_off = excluded.days_off, busy_url = excluded.busy_url, updated_at = excluded.updated_at",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(s.day.0.format("%H:%M").to_string())
        .bind(s.day.1.format("%H:%M").to_string())
        .bind(i64::from(s.minutes))
        .bind(days_text(&s.coaching_days))
        .bind(i64::from(s.break_minutes))
        .bind(i64::from(s.prep_percent))
        .bind(i64::from(s.weekly_calls))
        .bind(off.join(","))
        .bind(&s.busy_url)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a manager's busy times from one source (`upload` or `url`)
    /// and notes when they were read.
    pub async fn replace_busy_times(
        &self,
        org_id: &str,
        user_id: &str,
        source: &str,
        busy: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM busy_times WHERE org_id = $1 AND user_id = $2 AND source = $3")
            .bind(org_id)
            .bind(user_id)
            .bind(source)
            .execute(&mut *tx)
            .await?;
        for (s, e) in busy {
            sqlx::query(
                "INSERT INTO busy_times (org_id, user_id, starts_at, ends_at, source) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org_id)
            .bind(user_id)
            .bind(to_db(*s))
            .bind(to_db(*e))
            .bind(source)
            .execute(&mut *tx)
            .await?;
        }
        let now = to_db(Utc::now());
        let d = RhythmSettings::default();
        sqlx::query(
            "INSERT INTO rhythm_settings (org_id, user_id, day_start, day_end, minutes_per_week, coaching_days, break_minutes, \
             prep_percent, busy_read_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             ON CONFLICT (org_id, user_id) DO UPDATE SET busy_read_at = excluded.busy_read_at",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(d.day.0.format("%H:%M").to_string())
        .bind(d.day.1.format("%H:%M").to_string())
        .bind(i64::from(d.minutes))
        .bind(days_text(&d.coaching_days))
        .bind(i64::from(d.break_minutes))
        .bind(i64::from(d.prep_percent))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A manager's busy times that touch `from`..`to`.
    pub async fn busy_times(
        &self,
        org_id: &str,
        user_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT starts_at, ends_at FROM busy_times WHERE org_id = $1 AND user_id = $2 \
             AND starts_at < $4 AND ends_at > $3 ORDER BY starts_at",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(to_db(from))
        .bind(to_db(to))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|(s, e)| Some((from_db(s)?, from_db(e)?)))
            .collect())
    }

    /// The cadence in force for a manager's team: the team's override, else
    /// the organization's policy, else the research default (R10–R13).
    pub async fn cadence(
        &self,
        org_id: &str,
        manager_id: Option<&str>,
    ) -> Result<Vec<CadenceRule>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT scope, kind, every_weeks, minutes FROM cadence_policies WHERE org_id = $1 AND (scope = '' OR scope = $2)",
        )
        .bind(org_id)
        .bind(manager_id.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(SessionKind::ALL
            .iter()
            .map(|kind| {
                let (every_weeks, minutes) = default_cadence(*kind);
                let mut rule = CadenceRule {
                    kind: *kind,
                    every_weeks,
                    minutes,
                    source: CadenceSource::Research,
                };
                for want in ["", manager_id.unwrap_or("")] {
                    for (scope, k, e, m) in &rows {
                        if scope == want && k == kind.as_str() {
                            rule.every_weeks = u32::try_from(*e).unwrap_or(every_weeks);
                            rule.minutes = u32::try_from(*m).unwrap_or(minutes);
                            rule.source = if scope.is_empty() {
                                CadenceSource::Organization
                            } else {
                                CadenceSource::Team
                            };
                        }
                    }
                }
                rule
            })
            .collect())
    }

    /// Sets (or with `None`, removes) kinds' cadence for the organization
    /// (`team` `None`) or a manager's team, all at once.
    pub async fn set_cadence(
        &self,
        org_id: &str,
        team: Option<&str>,
        kinds: &[(SessionKind, Option<(u32, u32)>)],
        by: &str,
    ) -> Result<()> {
        let scope = team.unwrap_or("");
        let mut tx = self.write().await?;
        for (kind, value) in kinds {
            sqlx::query(
                "DELETE FROM cadence_policies WHERE org_id = $1 AND scope = $2 AND kind = $3",
            )
            .bind(org_id)
            .bind(scope)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
            if let Some((every, minutes)) = value {
                sqlx::query(
                    "INSERT INTO cadence_policies (org_id, scope, kind, every_weeks, minutes, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(org_id)
                .bind(scope)
                .bind(kind.as_str())
                .bind(i64::from(*every))
                .bind(i64::from(*minutes))
                .bind(by)
                .bind(to_db(Utc::now()))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// What a manager asks the planner, besides their team and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RhythmAsk {
    /// The first day (default: next Monday in the manager's time zone).
    pub start: Option<NaiveDate>,
    /// How many weeks.
    pub weeks: u32,
    /// Their availability and preferences.
    pub settings: RhythmSettings,
    /// Cuts accepted, by kind (R17).
    pub cuts: Vec<SessionKind>,
}

impl Store {
    /// The planner's input for a manager: their sellers' needs under the
    /// cadence in force for their team, with any accepted cuts, and their
    /// availability in their time zone, Monday to Friday, with their days
    /// off and busy times. `None` when no seller reports to them. Also the
    /// sellers' names, by id.
    pub async fn rhythm_input(
        &self,
        org_id: &str,
        manager: &crate::User,
        ask: &RhythmAsk,
    ) -> Result<Option<(coach_core::rhythm::Input, BTreeMap<String, String>)>> {
        use chrono::Datelike as _;
        use coach_core::rhythm::{Availability, Input, Preferences, apply_cut, demands};
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
        let cadence = self.cadence(org_id, Some(&manager.id)).await?;
        let of = |kind: SessionKind| {
            cadence
                .iter()
                .find(|r| r.kind == kind)
                .map(|r| (r.every_weeks, r.minutes))
                .unwrap_or_else(|| default_cadence(kind))
        };
        let time_zone: chrono_tz::Tz = manager.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let today = Utc::now().with_timezone(&time_zone).date_naive();
        let start = ask.start.unwrap_or_else(|| {
            today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
        });
        let s = &ask.settings;
        let mut needs = demands(&of, &facts, s.weekly_calls);
        for kind in &ask.cuts {
            needs = apply_cut(needs, *kind);
        }
        let from = start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1);
        let to = from + Duration::weeks(i64::from(ask.weeks) + 1);
        let mut busy = self.busy_times(org_id, &manager.id, from, to).await?;
        // Sessions already on their calendar stay where they are: single
        // ones, and those of a series someone prepared or changed (applying
        // keeps them); the untouched rest of a series is what gets replaced.
        // Those they lead and those they are coached in, each by its index.
        let mut booked = Vec::new();
        for (as_manager, as_seller) in [
            (Some(manager.id.clone()), None),
            (None, Some(manager.id.clone())),
        ] {
            booked.extend(
                self.coaching_sessions(
                    org_id,
                    &crate::coaching::SessionFilter {
                        manager_id: as_manager,
                        seller_id: as_seller,
                        statuses: Some(vec![
                            coach_core::coaching::SessionStatus::Scheduled,
                            coach_core::coaching::SessionStatus::Prepared,
                        ]),
                        from: Some(from),
                        until: Some(to),
                        ..crate::coaching::SessionFilter::default()
                    },
                )
                .await?,
            );
        }
        busy.extend(
            booked
                .iter()
                .filter(|s| s.series_id.is_none() || s.version > 1)
                .map(|s| (s.prep_starts_at.unwrap_or(s.starts_at), s.ends_at())),
        );
        busy.sort();
        Ok(Some((
            Input {
                start,
                weeks: ask.weeks,
                demands: needs,
                availability: Availability {
                    time_zone,
                    day_start: s.day.0,
                    day_end: s.day.1,
                    working_days: vec![
                        Weekday::Mon,
                        Weekday::Tue,
                        Weekday::Wed,
                        Weekday::Thu,
                        Weekday::Fri,
                    ],
                    days_off: s.days_off.clone(),
                    busy,
                    max_minutes_per_week: s.minutes,
                },
                preferences: Preferences {
                    coaching_days: s.coaching_days.clone(),
                    break_minutes: s.break_minutes,
                    prep_percent: s.prep_percent,
                    spread: true,
                },
            },
            names,
        )))
    }
}
