//! Recurring coaching (R14): the series a manager applies from the rhythm
//! planner, their sessions, and re-planning, which changes only the future.

use crate::coaching::ymd;
use crate::crm::records::instant;
use crate::db::{Cell, Rows};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use coach_core::coaching::{SessionKind, preparation_due};
use coach_core::rhythm::Plan;
use coach_core::time::to_db;
use sqlx::Row as _;

/// A recurring series of coaching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Its id (the calendar's UID).
    pub id: String,
    /// The manager.
    pub manager_id: String,
    /// The seller.
    pub seller_id: String,
    /// The kind of coaching.
    pub kind: SessionKind,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// Minutes per session.
    pub minutes: u32,
    /// Preparation minutes before each (R18).
    pub prep_minutes: u32,
    /// The time zone its local time holds in.
    pub time_zone: chrono_tz::Tz,
    /// Its first slot.
    pub first_at: DateTime<Utc>,
    /// How many slots.
    pub slot_count: u32,
    /// When re-planning ended it.
    pub ended_at: Option<DateTime<Utc>>,
    /// Bumped on every change (the calendar's SEQUENCE).
    pub sequence: u32,
}

/// What applying a plan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Series created.
    pub series: usize,
    /// Sessions created.
    pub sessions: usize,
    /// Earlier series ended.
    pub ended: usize,
    /// Future sessions of those series removed (nothing was written in them).
    pub removed: usize,
    /// Future sessions of those series kept as single sessions because
    /// someone had prepared or written in them.
    pub kept: usize,
}

const SERIES_SELECT: &str = "SELECT id, manager_id, seller_id, kind, every_weeks, minutes, prep_minutes, time_zone, \
     first_at, slot_count, ended_at, sequence FROM coaching_series WHERE org_id = $1";

fn series_from(row: &sqlx::any::AnyRow) -> Result<Series> {
    let number = |c: &str| -> Result<u32> {
        Ok(u32::try_from(row.try_get::<i64, _>(c)?).unwrap_or_default())
    };
    Ok(Series {
        id: row.try_get("id")?,
        manager_id: row.try_get("manager_id")?,
        seller_id: row.try_get("seller_id")?,
        kind: row
            .try_get::<String, _>("kind")?
            .parse()
            .unwrap_or(SessionKind::Opportunity),
        every_weeks: number("every_weeks")?,
        minutes: number("minutes")?,
        prep_minutes: number("prep_minutes")?,
        time_zone: row
            .try_get::<String, _>("time_zone")?
            .parse()
            .unwrap_or(chrono_tz::UTC),
        first_at: instant(row, "first_at")?.unwrap_or_default(),
        slot_count: number("slot_count")?,
        ended_at: instant(row, "ended_at")?,
        sequence: number("sequence")?,
    })
}

impl Series {
    /// The nth slot: the first slot's local time, every so many weeks
    /// (local time holds across daylight saving).
    pub fn slot(&self, n: u32) -> Option<DateTime<Utc>> {
        use chrono::TimeZone as _;
        let first = self.first_at.with_timezone(&self.time_zone);
        let day = first.date_naive()
            + chrono::Duration::weeks(i64::from(self.every_weeks.max(1)) * i64::from(n));
        self.time_zone
            .from_local_datetime(&day.and_time(first.time()))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Which slot `slot` is: whole cycles of local days from the first.
    pub fn slot_index(&self, slot: DateTime<Utc>) -> u32 {
        let tz = self.time_zone;
        let days = (slot.with_timezone(&tz).date_naive()
            - self.first_at.with_timezone(&tz).date_naive())
        .num_days();
        let cycle = 7 * i64::from(self.every_weeks.max(1));
        u32::try_from((days + cycle / 2).div_euclid(cycle)).unwrap_or(0)
    }
}

/// A session nobody has touched: still scheduled, never edited, with only
/// the agenda it was created with and nothing written for or in it.
const UNTOUCHED: &str = "s.status = 'scheduled' AND s.version = 1 AND s.observer_id IS NULL \
     AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.org_id = s.org_id AND a.session_id = s.id \
         AND (a.version > 1 OR a.created_at <> s.created_at)) \
     AND NOT EXISTS (SELECT 1 FROM session_notes n WHERE n.org_id = s.org_id AND n.session_id = s.id) \
     AND NOT EXISTS (SELECT 1 FROM action_items x WHERE x.org_id = s.org_id AND x.session_id = s.id) \
     AND NOT EXISTS (SELECT 1 FROM session_questions q WHERE q.org_id = s.org_id AND q.session_id = s.id) \
     AND NOT EXISTS (SELECT 1 FROM call_plans c WHERE c.org_id = s.org_id AND c.session_id = s.id)";

impl Store {
    /// A manager's series, current first; ended ones too when `all`.
    pub async fn series_of_manager(
        &self,
        org_id: &str,
        manager_id: &str,
        all: bool,
    ) -> Result<Vec<Series>> {
        let ended = if all { "" } else { " AND ended_at IS NULL" };
        let sql = format!(
            "{SERIES_SELECT} AND manager_id = $2{ended} ORDER BY ended_at IS NOT NULL, seller_id, kind, first_at"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(manager_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(series_from).collect()
    }

    /// Series by id.
    pub async fn series_by_ids(&self, org_id: &str, ids: &[String]) -> Result<Vec<Series>> {
        let mut sql = crate::crm::records::Sql::new(SERIES_SELECT, org_id);
        sql.and_in("id", ids);
        sql.fetch(self).await?.iter().map(series_from).collect()
    }

    /// Applies a plan for `manager_id`, in one transaction: their current
    /// series end now, with the future sessions nobody has touched; the
    /// others stay as single sessions; the past is kept as it was. Then the
    /// plan's series and their sessions (from now on) are created, each
    /// with the organization's agenda for its kind (R35) and its
    /// preparation block (R18).
    pub async fn apply_rhythm(
        &self,
        org_id: &str,
        manager_id: &str,
        time_zone: chrono_tz::Tz,
        plan: &Plan,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Applied> {
        let mut out = Applied::default();
        let mut tx = self.write().await?;
        let at = to_db(now);
        let current: Vec<Series> = {
            let sql = format!("{SERIES_SELECT} AND manager_id = $2 AND ended_at IS NULL");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org_id)
                .bind(manager_id)
                .fetch_all(&mut *tx)
                .await?;
            rows.iter().map(series_from).collect::<Result<_>>()?
        };
        for s in &current {
            let future = "FROM coaching_sessions s WHERE s.org_id = $1 AND s.series_id = $2 AND s.starts_at > $3";
            let untouched: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT s.id {future} AND {UNTOUCHED}"
            )))
            .bind(org_id)
            .bind(&s.id)
            .bind(&at)
            .fetch_all(&mut *tx)
            .await?;
            for (id,) in &untouched {
                sqlx::query("DELETE FROM agenda_items WHERE org_id = $1 AND session_id = $2")
                    .bind(org_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM coaching_sessions WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            out.removed += untouched.len();
            let kept = sqlx::query(
                "UPDATE coaching_sessions SET series_id = NULL, slot_at = NULL \
                 WHERE org_id = $1 AND series_id = $2 AND starts_at > $3",
            )
            .bind(org_id)
            .bind(&s.id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            out.kept += usize::try_from(kept.rows_affected()).unwrap_or(0);
            let last: Option<(Option<String>,)> = sqlx::query_as(
                "SELECT MAX(slot_at) FROM coaching_sessions WHERE org_id = $1 AND series_id = $2",
            )
            .bind(org_id)
            .bind(&s.id)
            .fetch_optional(&mut *tx)
            .await?;
            match last
                .and_then(|(l,)| l)
                .and_then(|l| coach_core::time::from_db(&l))
            {
                Some(last) => {
                    sqlx::query(
                        "UPDATE coaching_series SET ended_at = $3, slot_count = $4, sequence = sequence + 1, updated_at = $3 \
                         WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org_id)
                    .bind(&s.id)
                    .bind(&at)
                    .bind(i64::from(s.slot_index(last) + 1))
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM coaching_series WHERE org_id = $1 AND id = $2")
                        .bind(org_id)
                        .bind(&s.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            out.ended += 1;
        }
        let (org_tz, working_days) = crate::coaching::prep::org_rules(&mut tx, org_id).await?;
        let mut templates = std::collections::BTreeMap::new();
        for kind in SessionKind::ALL {
            templates.insert(
                *kind,
                crate::coaching::prep::template(&mut tx, org_id, *kind).await?,
            );
        }
        let mut series_rows = Rows::new(
            "INSERT INTO coaching_series (org_id, id, manager_id, seller_id, kind, every_weeks, minutes, prep_minutes, \
             time_zone, first_at, slot_count, ended_at, sequence, created_by, created_at, updated_at)",
            16,
        );
        let mut session_rows = Rows::new(
            "INSERT INTO coaching_sessions (org_id, id, kind, manager_id, seller_id, observer_id, series_id, ad_hoc, status, \
             starts_at, minutes, original_starts_at, desired_outcome, prep_due_on, slot_at, prep_starts_at, created_by, created_at, updated_at)",
            19,
        );
        let mut item_rows = Rows::new(
            "INSERT INTO agenda_items (org_id, id, session_id, section, position, title, minutes, subject_kind, subject_id, \
             added_by, created_at, updated_at)",
            12,
        );
        for s in &plan.series {
            let future: Vec<_> = s.occurrences.iter().filter(|o| o.starts_at > now).collect();
            let Some(first) = future.first() else {
                continue;
            };
            let series_id = uuid::Uuid::now_v7().to_string();
            let prep =
                u32::try_from((first.starts_at - first.prep_starts_at).num_minutes()).unwrap_or(0);
            let mut record = Series {
                id: series_id.clone(),
                manager_id: manager_id.to_owned(),
                seller_id: s.seller_id.clone(),
                kind: s.kind,
                every_weeks: s.every_weeks,
                minutes: s.minutes,
                prep_minutes: prep,
                time_zone,
                first_at: first.slot,
                slot_count: 0,
                ended_at: None,
                sequence: 0,
            };
            record.slot_count = future
                .last()
                .map(|o| record.slot_index(o.slot) + 1)
                .unwrap_or(1);
            series_rows.push(vec![
                org_id.into(),
                series_id.as_str().into(),
                manager_id.into(),
                s.seller_id.as_str().into(),
                s.kind.as_str().into(),
                s.every_weeks.into(),
                s.minutes.into(),
                prep.into(),
                time_zone.name().into(),
                to_db(first.slot).into(),
                record.slot_count.into(),
                Cell::Null,
                0i64.into(),
                by.into(),
                at.as_str().into(),
                at.as_str().into(),
            ]);
            out.series += 1;
            let template = &templates[&s.kind];
            for o in future {
                let id = uuid::Uuid::now_v7().to_string();
                let day = o.starts_at.with_timezone(&org_tz).date_naive();
                session_rows.push(vec![
                    org_id.into(),
                    id.as_str().into(),
                    s.kind.as_str().into(),
                    manager_id.into(),
                    s.seller_id.as_str().into(),
                    Cell::Null,
                    series_id.as_str().into(),
                    0i64.into(),
                    "scheduled".into(),
                    to_db(o.starts_at).into(),
                    (o.ends_at - o.starts_at).num_minutes().into(),
                    Cell::Null,
                    template.desired_outcome.as_str().into(),
                    ymd(preparation_due(day, working_days)).into(),
                    to_db(o.slot).into(),
                    to_db(o.prep_starts_at).into(),
                    by.into(),
                    at.as_str().into(),
                    at.as_str().into(),
                ]);
                out.sessions += 1;
                for (position, item) in template.items.iter().enumerate() {
                    item_rows.push(vec![
                        org_id.into(),
                        uuid::Uuid::now_v7().to_string().into(),
                        id.as_str().into(),
                        item.section.as_str().into(),
                        i64::try_from(position).unwrap_or(0).into(),
                        item.title.as_str().into(),
                        item.minutes.into(),
                        Cell::Null,
                        Cell::Null,
                        by.into(),
                        at.as_str().into(),
                        at.as_str().into(),
                    ]);
                }
            }
        }
        series_rows.write(&mut tx).await?;
        session_rows.write(&mut tx).await?;
        item_rows.write(&mut tx).await?;
        // The new rhythm by email, one message per person (R14), with the
        // series as calendar invitations.
        let mut people: Vec<&str> = plan.series.iter().map(|s| s.seller_id.as_str()).collect();
        people.push(manager_id);
        people.sort_unstable();
        people.dedup();
        if out.series > 0 {
            for person in people {
                crate::email::queue(
                    &mut tx,
                    org_id,
                    &crate::email::NewMessage {
                        kind: coach_core::email::EmailKind::Invitation,
                        recipient_id: person.to_owned(),
                        about: manager_id.to_owned(),
                        detail: "rhythm".to_owned(),
                        dedupe: format!("rhythm:{manager_id}:{at}:{person}"),
                        send_after: now,
                        expires_at: now + chrono::Duration::days(7),
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.optimize().await?;
        Ok(out)
    }
}

impl Store {
    /// A person's calendar feed secret, made on first use.
    pub async fn calendar_secret(&self, org_id: &str, user_id: &str) -> Result<String> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT secret FROM calendar_feeds WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((secret,)) => Ok(secret),
            None => self.rotate_calendar_secret(org_id, user_id).await,
        }
    }

    /// A new feed secret for a person; the old URL stops working (T14).
    pub async fn rotate_calendar_secret(&self, org_id: &str, user_id: &str) -> Result<String> {
        let secret = crate::new_secret();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM calendar_feeds WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (org_id, user_id, secret, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(&secret)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Whose feed a secret opens: organization and person, if they are
    /// still active.
    pub async fn calendar_owner(&self, secret: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT f.org_id, f.user_id FROM calendar_feeds f \
             JOIN users u ON u.org_id = f.org_id AND u.id = f.user_id \
             WHERE f.secret = $1 AND u.active = 1",
        )
        .bind(secret)
        .fetch_optional(&self.pool)
        .await?)
    }
}

impl Store {
    /// The current series a person coaches or is coached in.
    pub async fn series_of_person(&self, org_id: &str, person_id: &str) -> Result<Vec<Series>> {
        let sql = format!(
            "{SERIES_SELECT} AND (manager_id = $2 OR seller_id = $2) AND ended_at IS NULL ORDER BY manager_id, seller_id, kind"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(person_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(series_from).collect()
    }
}
