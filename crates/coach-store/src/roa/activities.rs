//! The activities sellers perform: logged by hand or through the API, or
//! counted from CRM calls of a kind an admin maps to an activity type; and
//! the quality scores managers give them against the rubric in force on the
//! activity's day (R4).

use crate::crm::records::Sql;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::roa::{ActivityGroup, Rubric, validate_note};
use coach_core::time::{from_db, to_db};
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A manager's judgement of an activity's quality.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The standard version it was judged against.
    pub standard_seq: i64,
    /// One level (1-based) per criterion of that standard's rubric.
    pub levels: Vec<u8>,
    /// What the manager said.
    pub comment: String,
    /// Who scored it.
    pub scored_by: String,
    /// Their name.
    pub scored_by_name: String,
    /// When.
    pub scored_at: DateTime<Utc>,
}

/// One activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Its id.
    pub id: String,
    /// Its type.
    pub type_id: String,
    /// The type's name.
    pub type_name: String,
    /// The type's group.
    pub group: ActivityGroup,
    /// The seller who performed it.
    pub seller_id: String,
    /// Their name.
    pub seller_name: String,
    /// Their email.
    pub seller_email: String,
    /// The day it happened.
    pub occurred_on: NaiveDate,
    /// The seller's note.
    pub note: String,
    /// The CRM call it was counted from.
    pub call_id: Option<String>,
    /// That call's subject.
    pub call_subject: Option<String>,
    /// The opportunity it was counted from (opened).
    pub opportunity_id: Option<String>,
    /// That opportunity's name.
    pub opportunity_name: Option<String>,
    /// Who logged it (the seller, their manager, or the CRM import).
    pub logged_by: String,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// Its quality score.
    pub score: Option<Score>,
}

/// Which activities to list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only these sellers' (`None`: everyone's).
    pub sellers: Option<Vec<String>>,
    /// Only this seller's.
    pub seller_id: Option<String>,
    /// Only this type.
    pub type_id: Option<String>,
    /// From this day.
    pub from: Option<NaiveDate>,
    /// Before this day.
    pub until: Option<NaiveDate>,
    /// Only scored (`Some(true)`) or unscored (`Some(false)`).
    pub scored: Option<bool>,
    /// Ids after this one (API cursor; ordered by id).
    pub after: Option<String>,
    /// Newest first (pages) instead of by id.
    pub newest_first: bool,
    /// At most this many.
    pub limit: Option<i64>,
    /// Skip this many (pages).
    pub offset: Option<i64>,
}

/// A new activity.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// Its type (active).
    pub type_id: String,
    /// The seller.
    pub seller_id: String,
    /// The day it happened (not in the future).
    pub occurred_on: NaiveDate,
    /// A note.
    pub note: String,
}

const SELECT: &str = "SELECT a.id, a.activity_type_id, t.name AS type_name, t.grp, a.seller_id, u.name AS seller_name, u.email AS seller_email, \
     a.occurred_on, a.note, a.call_id, c.subject AS call_subject, a.opportunity_id, o.name AS opportunity_name, a.logged_by, a.created_at, \
     s.standard_seq, s.levels, s.comment, s.scored_by, su.name AS scorer_name, s.scored_at \
     FROM activities a \
     JOIN activity_types t ON t.org_id = a.org_id AND t.id = a.activity_type_id \
     JOIN users u ON u.org_id = a.org_id AND u.id = a.seller_id \
     LEFT JOIN calls c ON c.org_id = a.org_id AND c.id = a.call_id \
     LEFT JOIN opportunities o ON o.org_id = a.org_id AND o.id = a.opportunity_id \
     LEFT JOIN activity_scores s ON s.org_id = a.org_id AND s.activity_id = a.id \
     LEFT JOIN users su ON su.org_id = s.org_id AND su.id = s.scored_by \
     WHERE a.org_id = $1";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

fn from_row(row: &AnyRow) -> Result<Activity> {
    let seq: Option<i64> = row.try_get("standard_seq")?;
    let score = match seq {
        Some(standard_seq) => {
            let levels: String = row.try_get("levels")?;
            let at: String = row.try_get("scored_at")?;
            Some(Score {
                standard_seq,
                levels: serde_json::from_str(&levels).unwrap_or_default(),
                comment: row.try_get("comment")?,
                scored_by: row.try_get("scored_by")?,
                scored_by_name: row
                    .try_get::<Option<String>, _>("scorer_name")?
                    .unwrap_or_default(),
                scored_at: from_db(&at).unwrap_or_default(),
            })
        }
        None => None,
    };
    let grp: String = row.try_get("grp")?;
    let occurred: String = row.try_get("occurred_on")?;
    let created: String = row.try_get("created_at")?;
    Ok(Activity {
        id: row.try_get("id")?,
        type_id: row.try_get("activity_type_id")?,
        type_name: row.try_get("type_name")?,
        group: grp.parse().unwrap_or(ActivityGroup::Call),
        seller_id: row.try_get("seller_id")?,
        seller_name: row.try_get("seller_name")?,
        seller_email: row.try_get("seller_email")?,
        occurred_on: day(&occurred),
        note: row.try_get("note")?,
        call_id: row.try_get("call_id")?,
        call_subject: row.try_get("call_subject")?,
        opportunity_id: row.try_get("opportunity_id")?,
        opportunity_name: row.try_get("opportunity_name")?,
        logged_by: row.try_get("logged_by")?,
        created_at: from_db(&created).unwrap_or_default(),
        score,
    })
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An activity with its score, for loading many at once.
#[derive(Debug, Clone)]
pub struct PastActivity {
    /// The activity.
    pub activity: NewActivity,
    /// Who logged it.
    pub logged_by: String,
    /// Its score: levels, comment, scorer.
    pub score: Option<(Vec<u8>, String, String)>,
}

/// The columns of an activities export.
pub const ACTIVITY_COLUMNS: &[&str] = &[
    "day",
    "seller",
    "activity",
    "group",
    "note",
    "crm_record",
    "from_crm",
    "standard_version",
    "levels",
    "meets_standard",
    "comment",
    "scored_by",
];

/// The activity logged for CRM calls: `logged_by` says where it came from.
pub(crate) const FROM_CRM: &str = "crm";

/// Counts CRM records as activities of the types mapped to them (calls of a
/// kind, opportunities opened), for their owner on their day, and drops
/// unscored ones whose mapping or owner changed. Runs inside imports and
/// mapping changes; idempotent. Only active types count.
pub(crate) async fn sync_crm(conn: &mut sqlx::AnyConnection, org_id: &str) -> Result<usize> {
    sqlx::query(
        "DELETE FROM activities WHERE org_id = $1 AND (call_id IS NOT NULL OR opportunity_id IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM activity_scores s WHERE s.org_id = activities.org_id AND s.activity_id = activities.id) \
         AND NOT EXISTS (SELECT 1 FROM calls c JOIN activity_types t ON t.org_id = c.org_id AND t.crm_source = 'call:' || c.kind AND t.active = 1 \
                         WHERE c.org_id = activities.org_id AND c.id = activities.call_id AND c.owner_id = activities.seller_id \
                         AND t.id = activities.activity_type_id) \
         AND NOT EXISTS (SELECT 1 FROM opportunities o JOIN activity_types t ON t.org_id = o.org_id AND t.crm_source = 'opportunity:opened' AND t.active = 1 \
                         WHERE o.org_id = activities.org_id AND o.id = activities.opportunity_id AND o.owner_id = activities.seller_id \
                         AND o.created_on = activities.occurred_on AND t.id = activities.activity_type_id)",
    )
    .bind(org_id)
    .execute(&mut *conn)
    .await?;
    let tz = super::org_time_zone(&mut *conn, org_id).await?;
    let calls: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.id, t.id, c.owner_id, c.occurred_at FROM calls c \
         JOIN activity_types t ON t.org_id = c.org_id AND t.crm_source = 'call:' || c.kind AND t.active = 1 \
         WHERE c.org_id = $1 AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.org_id = c.org_id AND a.call_id = c.id AND a.activity_type_id = t.id) \
         ORDER BY c.occurred_at, c.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let opportunities: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT o.id, t.id, o.owner_id, o.created_on FROM opportunities o \
         JOIN activity_types t ON t.org_id = o.org_id AND t.crm_source = 'opportunity:opened' AND t.active = 1 \
         WHERE o.org_id = $1 AND o.created_on IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.org_id = o.org_id AND a.opportunity_id = o.id AND a.activity_type_id = t.id) \
         ORDER BY o.created_on, o.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let now = to_db(Utc::now());
    let rows = calls
        .iter()
        .map(|(id, type_id, owner, at)| {
            let on = from_db(at).map_or_else(
                || at.get(..10).map(day).unwrap_or_default(),
                |t| t.with_timezone(&tz).date_naive(),
            );
            (Some(id), None, type_id, owner, on)
        })
        .chain(
            opportunities
                .iter()
                .map(|(id, type_id, owner, on)| (None, Some(id), type_id, owner, day(on))),
        );
    let mut n = 0;
    for (call_id, opportunity_id, type_id, owner, on) in rows {
        sqlx::query(
            "INSERT INTO activities (org_id, id, activity_type_id, seller_id, occurred_on, note, call_id, opportunity_id, logged_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9)",
        )
        .bind(org_id)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(type_id)
        .bind(owner)
        .bind(ymd(on))
        .bind(call_id.cloned())
        .bind(opportunity_id.cloned())
        .bind(FROM_CRM)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        n += 1;
    }
    Ok(n)
}

impl Store {
    /// Logs an activity for a seller. The type must be active; the day may
    /// not be in the future (in the organization's time zone) or more than
    /// a year back.
    pub async fn log_activity(&self, org_id: &str, new: NewActivity, by: &str) -> Result<Activity> {
        let note = validate_note(&new.note)?;
        let mut tx = self.write().await?;
        let today = super::org_today(&mut *tx, org_id).await?;
        if new.occurred_on > today {
            return Err(FieldError::new(
                "occurred_on",
                format!(
                    "expected a day up to today ({today}); got {}",
                    new.occurred_on
                ),
            )
            .into());
        }
        if (today - new.occurred_on).num_days() > 366 {
            return Err(
                FieldError::new("occurred_on", "expected a day within the last year").into(),
            );
        }
        let active: Option<(i64,)> =
            sqlx::query_as("SELECT active FROM activity_types WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(&new.type_id)
                .fetch_optional(&mut *tx)
                .await?;
        match active {
            None => {
                return Err(FieldError::new(
                    "type_id",
                    "expected an activity type of this organization",
                )
                .into());
            }
            Some((0,)) => {
                return Err(FieldError::new(
                    "type_id",
                    "this activity type is not active: an admin activates it once it has both standards (R4)",
                )
                .into());
            }
            Some(_) => {}
        }
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO activities (org_id, id, activity_type_id, seller_id, occurred_on, note, call_id, opportunity_id, logged_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(&new.type_id)
        .bind(&new.seller_id)
        .bind(ymd(new.occurred_on))
        .bind(&note)
        .bind(by)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.activity(org_id, &id).await
    }

    /// One activity.
    pub async fn activity(&self, org_id: &str, id: &str) -> Result<Activity> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} AND a.id = $2")))
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Activities matching the filter.
    pub async fn activities(&self, org_id: &str, f: &ActivityFilter) -> Result<Vec<Activity>> {
        let mut sql = Sql::new(SELECT, org_id);
        if let Some(sellers) = &f.sellers {
            // Newest first, a page is read along the by-day index and
            // filtered; an indexed seller list would sort all of a team's
            // activities for every page.
            let column = if f.newest_first && f.seller_id.is_none() {
                "(a.seller_id || '')"
            } else {
                "a.seller_id"
            };
            sql.and_in(column, sellers);
        }
        if let Some(s) = &f.seller_id {
            sql.and(" AND a.seller_id = ?", s.clone());
        }
        if let Some(t) = &f.type_id {
            sql.and(" AND a.activity_type_id = ?", t.clone());
        }
        if let Some(d) = f.from {
            sql.and(" AND a.occurred_on >= ?", ymd(d));
        }
        if let Some(d) = f.until {
            sql.and(" AND a.occurred_on < ?", ymd(d));
        }
        match f.scored {
            Some(true) => {
                sql.push(" AND s.activity_id IS NOT NULL");
            }
            Some(false) => {
                sql.push(" AND s.activity_id IS NULL");
            }
            None => {}
        }
        if let Some(after) = &f.after {
            sql.and(" AND a.id > ?", after.clone());
        }
        sql.push(if f.newest_first {
            " ORDER BY a.occurred_on DESC, a.id DESC"
        } else {
            " ORDER BY a.id"
        });
        if let Some(limit) = f.limit {
            sql.push(&format!(" LIMIT {}", limit.clamp(1, 10_000)));
        }
        if let Some(offset) = f.offset.filter(|o| *o > 0) {
            sql.push(&format!(" OFFSET {offset}"));
        }
        sql.fetch(self).await?.iter().map(from_row).collect()
    }

    /// Removes an activity logged by mistake. A scored one is part of the
    /// seller's record and stays; one counted from the CRM goes with its CRM
    /// record or mapping.
    pub async fn delete_activity(&self, org_id: &str, id: &str) -> Result<()> {
        let a = self.activity(org_id, id).await?;
        if a.score.is_some() {
            return Err(FieldError::new(
                "activity",
                "this activity has been scored; the score and its feedback stay on the seller's record",
            )
            .into());
        }
        if a.logged_by == FROM_CRM {
            return Err(FieldError::new(
                "activity",
                "this activity is counted from the CRM; it goes when the CRM record or the activity type's mapping changes",
            )
            .into());
        }
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "DELETE FROM activities WHERE org_id = $1 AND id = $2 \
             AND NOT EXISTS (SELECT 1 FROM activity_scores s WHERE s.org_id = activities.org_id AND s.activity_id = activities.id)",
        )
        .bind(org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            return Err(FieldError::new(
                "activity",
                "this activity was scored meanwhile; it stays",
            )
            .into());
        }
        Ok(())
    }

    /// Scores an activity against the rubric of the standard in force on its
    /// day, replacing an earlier score.
    pub async fn score_activity(
        &self,
        org_id: &str,
        id: &str,
        levels: &[u8],
        comment: &str,
        by: &str,
    ) -> Result<Score> {
        let comment = validate_note(comment).map_err(|_| {
            FieldError::new("comment", "expected at most 1000 printable characters")
        })?;
        let activity = self.activity(org_id, id).await?;
        let model = self.roa_model(org_id).await?;
        let standard = model
            .activity_type(&activity.type_id)
            .and_then(|t| t.standard_on(activity.occurred_on))
            .ok_or_else(|| {
                FieldError::new(
                    "levels",
                    "this activity's type had no standard on its day: there is no rubric to score it against (R4)",
                )
            })?;
        let rubric: &Rubric = &standard.rubric;
        rubric.check_score(levels)?;
        let levels_json =
            serde_json::to_string(levels).map_err(|e| FieldError::new("levels", e.to_string()))?;
        let now = Utc::now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM activity_scores WHERE org_id = $1 AND activity_id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO activity_scores (org_id, activity_id, seller_id, activity_type_id, occurred_on, standard_seq, levels, comment, scored_by, scored_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org_id)
        .bind(id)
        .bind(&activity.seller_id)
        .bind(&activity.type_id)
        .bind(ymd(activity.occurred_on))
        .bind(standard.seq)
        .bind(levels_json)
        .bind(&comment)
        .bind(by)
        .bind(to_db(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Score {
            standard_seq: standard.seq,
            levels: levels.to_vec(),
            comment,
            scored_by: by.to_owned(),
            scored_by_name: String::new(),
            scored_at: now,
        })
    }

    /// Loads many past activities (and their scores) in one transaction:
    /// all or none. Each type must be active; each score must fit the rubric
    /// in force on its activity's day. Returns how many were written.
    pub async fn load_activities(&self, org_id: &str, rows: &[PastActivity]) -> Result<usize> {
        let model = self.roa_model(org_id).await?;
        let now = to_db(Utc::now());
        let mut tx = self.write().await?;
        for (i, row) in rows.iter().enumerate() {
            let a = &row.activity;
            let at = |e: FieldError| {
                FieldError::new(e.field, format!("activity {}: {}", i + 1, e.message))
            };
            let t = model
                .activity_type(&a.type_id)
                .filter(|t| t.active)
                .ok_or_else(|| {
                    at(FieldError::new(
                        "type_id",
                        "expected an active activity type of this organization",
                    ))
                })?;
            let note = validate_note(&a.note).map_err(at)?;
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO activities (org_id, id, activity_type_id, seller_id, occurred_on, note, call_id, opportunity_id, logged_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8)",
            )
            .bind(org_id)
            .bind(&id)
            .bind(&a.type_id)
            .bind(&a.seller_id)
            .bind(ymd(a.occurred_on))
            .bind(&note)
            .bind(&row.logged_by)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if let Some((levels, comment, scorer)) = &row.score {
                let standard = t.standard_on(a.occurred_on).ok_or_else(|| {
                    at(FieldError::new(
                        "levels",
                        "no standard was in force on that day",
                    ))
                })?;
                standard.rubric.check_score(levels).map_err(at)?;
                sqlx::query(
                    "INSERT INTO activity_scores (org_id, activity_id, seller_id, activity_type_id, occurred_on, standard_seq, levels, comment, scored_by, scored_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(org_id)
                .bind(&id)
                .bind(&a.seller_id)
                .bind(&a.type_id)
                .bind(ymd(a.occurred_on))
                .bind(standard.seq)
                .bind(serde_json::to_string(levels).map_err(|e| FieldError::new("levels", e.to_string()))?)
                .bind(validate_note(comment).map_err(at)?)
                .bind(scorer)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        if self.backend() == crate::Backend::Postgres {
            // Fresh statistics for the planner after a bulk load; without
            // them PostgreSQL plans the activity lists for empty tables.
            for table in ["activities", "activity_scores"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(rows.len())
    }

    /// Writes the activities `filter` lets through (its sellers, type and
    /// days; not its page), with their scores, to `out`, a page at a time;
    /// returns how many.
    pub async fn export_activities<W: std::io::Write + Send>(
        &self,
        org_id: &str,
        filter: ActivityFilter,
        format: crate::crm::ExportFormat,
        out: W,
    ) -> Result<u64> {
        use serde_json::Value;
        let io = |e: std::io::Error| StoreError::Database(sqlx::Error::Io(e));
        let model = self.roa_model(org_id).await?;
        let mut writer =
            crate::crm::ExportWriter::with_headers(out, ACTIVITY_COLUMNS, format).map_err(io)?;
        let mut filter = ActivityFilter {
            limit: Some(1000),
            after: None,
            newest_first: false,
            offset: None,
            ..filter
        };
        loop {
            let page = self.activities(org_id, &filter).await?;
            let Some(last) = page.last() else { break };
            filter.after = Some(last.id.clone());
            for a in &page {
                let text = |s: &str| Value::String(s.to_owned());
                let opt = |s: Option<String>| s.map_or(Value::Null, Value::String);
                let score = a.score.as_ref();
                let meets = score.map(|s| {
                    model
                        .activity_type(&a.type_id)
                        .and_then(|t| t.standards.iter().find(|x| x.seq == s.standard_seq))
                        .is_some_and(|st| st.rubric.meets(&s.levels))
                });
                writer
                    .write(vec![
                        text(&ymd(a.occurred_on)),
                        text(&a.seller_email),
                        text(&a.type_name),
                        text(a.group.as_str()),
                        text(&a.note),
                        opt(a
                            .call_subject
                            .clone()
                            .or_else(|| a.opportunity_name.clone())),
                        Value::Bool(a.logged_by == FROM_CRM),
                        opt(score.map(|s| s.standard_seq.to_string())),
                        opt(score.map(|s| {
                            s.levels
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(";")
                        })),
                        meets.map_or(Value::Null, Value::Bool),
                        opt(score.map(|s| s.comment.clone())),
                        opt(score.map(|s| s.scored_by_name.clone())),
                    ])
                    .map_err(io)?;
            }
            if page.len() < 1000 {
                break;
            }
        }
        writer.finish().map_err(io)
    }

    /// Counts the organization's CRM calls as activities where an activity
    /// type maps their kind (after an import). Returns how many were added.
    pub async fn sync_crm_activities(&self, org_id: &str) -> Result<usize> {
        let mut tx = self.write().await?;
        let n = sync_crm(&mut tx, org_id).await?;
        tx.commit().await?;
        Ok(n)
    }
}
