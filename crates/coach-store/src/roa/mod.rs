//! The organization's ROA model (coaching-model R1–R5): results, objectives,
//! activity types with their standards (every version kept), and the links
//! between them. The rules of the chain are kept here, where every caller
//! meets them: an objective drives at least one result, an activity type
//! drives at least one objective (R2), and an active activity type has both
//! standards (R4).

mod activities;
mod facts;
mod seed;
mod targets;

pub(crate) use activities::sync_crm;
pub use activities::{Activity, ActivityFilter, NewActivity, PastActivity, Score};
pub(crate) use seed::seed_default;
pub use targets::{Target, TargetScope, TargetValue};

use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use coach_core::FieldError;
use coach_core::roa::{
    ActivityFacts, ActivityGroup, CrmSource, MeasureFacts, MeasureLevel, Metric, ModelView, Per,
    Quantity, Rubric, StandardFacts, Unit, validate_description, validate_model_name,
};
use coach_core::time::{from_db, to_db};
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::collections::BTreeMap;

/// A business result or a sales objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Its id.
    pub id: String,
    /// Result or objective.
    pub level: MeasureLevel,
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// Its unit.
    pub unit: Unit,
    /// Where its values come from.
    pub metric: Metric,
    /// For an objective, the results it drives.
    pub drives: Vec<String>,
}

/// One version of an activity type's standards (R4).
#[derive(Debug, Clone, PartialEq)]
pub struct Standard {
    /// Its version number.
    pub seq: i64,
    /// How many per period.
    pub quantity: u32,
    /// The period.
    pub per: Per,
    /// The team (its leader) it applies to, or every seller.
    pub team_id: Option<String>,
    /// What good looks like.
    pub rubric: Rubric,
    /// The day it took effect.
    pub effective_on: NaiveDate,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A kind of sales activity sellers perform.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityType {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Territory, account, opportunity or call.
    pub group: ActivityGroup,
    /// What it is.
    pub description: String,
    /// Whether sellers are held to it.
    pub active: bool,
    /// CRM records that count as this activity.
    pub crm_source: Option<CrmSource>,
    /// The objectives it drives.
    pub drives: Vec<String>,
    /// Its standards, oldest first; the last is in force.
    pub standards: Vec<Standard>,
    /// Version, for concurrent edits.
    pub version: i64,
}

impl ActivityType {
    /// The standard in force now.
    pub fn current(&self) -> Option<&Standard> {
        self.standards.last()
    }

    /// The standard in force on `day`.
    pub fn standard_on(&self, day: NaiveDate) -> Option<&Standard> {
        self.standards.iter().rev().find(|s| s.effective_on <= day)
    }
}

/// The whole model of an organization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// Results and objectives, in order.
    pub measures: Vec<Measure>,
    /// Activity types, in order.
    pub activity_types: Vec<ActivityType>,
}

impl Model {
    /// The measure with this id.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// The activity type with this id.
    pub fn activity_type(&self, id: &str) -> Option<&ActivityType> {
        self.activity_types.iter().find(|t| t.id == id)
    }

    /// Results or objectives.
    pub fn level(&self, level: MeasureLevel) -> impl Iterator<Item = &Measure> {
        self.measures.iter().filter(move |m| m.level == level)
    }

    /// The model as the scorecard reads it.
    pub fn view(&self) -> ModelView {
        ModelView {
            activity_types: self
                .activity_types
                .iter()
                .map(|t| ActivityFacts {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    group: t.group,
                    active: t.active,
                    drives: t.drives.clone(),
                    standards: t
                        .standards
                        .iter()
                        .map(|s| StandardFacts {
                            seq: s.seq,
                            from: s.effective_on,
                            count: s.quantity,
                            per: s.per,
                            team: s.team_id.clone(),
                            rubric: s.rubric.clone(),
                        })
                        .collect(),
                })
                .collect(),
            measures: self
                .measures
                .iter()
                .map(|m| MeasureFacts {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    level: m.level,
                    unit: m.unit,
                    metric: m.metric,
                    drives: m.drives.clone(),
                })
                .collect(),
        }
    }
}

/// A new result or objective.
#[derive(Debug, Clone)]
pub struct NewMeasure {
    /// Result or objective.
    pub level: MeasureLevel,
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// Its unit (taken from the metric when computed).
    pub unit: Option<Unit>,
    /// Where its values come from.
    pub metric: Metric,
    /// For an objective: the results it drives (at least one, R2).
    pub drives: Vec<String>,
}

/// Changes to a result or objective.
#[derive(Debug, Clone, Default)]
pub struct MeasurePatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// For an objective: the results it drives.
    pub drives: Option<Vec<String>>,
}

/// A new version of an activity type's standards.
#[derive(Debug, Clone)]
pub struct NewStandard {
    /// How many per period.
    pub quantity: i64,
    /// The period.
    pub per: Per,
    /// The team (its leader's id) it applies to, or every seller.
    pub team_id: Option<String>,
    /// What good looks like.
    pub rubric: Rubric,
}

/// A new activity type.
#[derive(Debug, Clone)]
pub struct NewActivityType {
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: ActivityGroup,
    /// What it is.
    pub description: String,
    /// The objectives it drives (at least one, R2).
    pub drives: Vec<String>,
    /// CRM records that count as this activity.
    pub crm_source: Option<CrmSource>,
    /// Its first standards; required to be active (R4).
    pub standard: Option<NewStandard>,
    /// Whether sellers are held to it from now.
    pub active: bool,
}

/// Changes to an activity type.
#[derive(Debug, Clone, Default)]
pub struct ActivityTypePatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New objectives.
    pub drives: Option<Vec<String>>,
    /// New CRM mapping (`Some(None)` removes it).
    pub crm_source: Option<Option<CrmSource>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// A new version of the standards, in force from today.
    pub standard: Option<NewStandard>,
}

fn parse<T: std::str::FromStr>(row: &AnyRow, column: &str) -> Result<T> {
    row.try_get::<String, _>(column)?
        .parse()
        .map_err(|_| StoreError::Invalid(FieldError::new("model", format!("unreadable {column}"))))
}

/// The links of a model: `from → [to]`.
async fn links(
    tx: impl sqlx::Executor<'_, Database = Any>,
    sql: &'static str,
    org_id: &str,
) -> Result<BTreeMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = sqlx::query_as(sql).bind(org_id).fetch_all(tx).await?;
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (from, to) in rows {
        map.entry(from).or_default().push(to);
    }
    Ok(map)
}

fn not_empty(drives: &[String], field: &'static str, what: &str) -> Result<()> {
    if drives.is_empty() {
        return Err(FieldError::new(field, what.to_owned()).into());
    }
    Ok(())
}

/// Whether the name is free (case ignored) for a measure of `level` or an
/// activity type (`level` `None`).
async fn check_name_free(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    level: Option<MeasureLevel>,
    key: &str,
    except: &str,
) -> Result<()> {
    let taken: Option<(String,)> = match level {
        Some(l) => sqlx::query_as(
            "SELECT id FROM roa_measures WHERE org_id = $1 AND level = $2 AND name_key = $3 AND id <> $4",
        )
        .bind(org_id)
        .bind(l.as_str())
        .bind(key)
        .bind(except)
        .fetch_optional(&mut **tx)
        .await?,
        None => sqlx::query_as(
            "SELECT id FROM activity_types WHERE org_id = $1 AND name_key = $2 AND id <> $3",
        )
        .bind(org_id)
        .bind(key)
        .bind(except)
        .fetch_optional(&mut **tx)
        .await?,
    };
    if taken.is_some() {
        return Err(
            FieldError::new("name", "expected a name not used yet; this one is taken").into(),
        );
    }
    Ok(())
}

/// Checks that every id is a measure of `level` in the organization.
async fn check_measures(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    ids: &[String],
    level: MeasureLevel,
) -> Result<()> {
    for id in ids {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT level FROM roa_measures WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        if found.map(|f| f.0) != Some(level.as_str().to_owned()) {
            return Err(FieldError::new(
                "drives",
                format!(
                    "expected the id of a {} of this organization; got {id:?}",
                    level.label().to_lowercase()
                ),
            )
            .into());
        }
    }
    Ok(())
}

async fn next_position(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    org_id: &str,
) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) FROM {table} WHERE org_id = $1"
    )))
    .bind(org_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

async fn set_links(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    table_and_columns: (&str, &str, &str),
    from: &str,
    to: &[String],
) -> Result<()> {
    let (table, from_col, to_col) = table_and_columns;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE org_id = $1 AND {from_col} = $2"
    )))
    .bind(org_id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    let mut seen = std::collections::BTreeSet::new();
    for id in to.iter().filter(|id| seen.insert(id.as_str())) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (org_id, {from_col}, {to_col}) VALUES ($1, $2, $3)"
        )))
        .bind(org_id)
        .bind(from)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

const OBJECTIVE_RESULTS: (&str, &str, &str) =
    ("roa_objective_results", "objective_id", "result_id");
const TYPE_OBJECTIVES: (&str, &str, &str) = (
    "activity_type_objectives",
    "activity_type_id",
    "objective_id",
);

/// The organization's time zone.
pub(crate) async fn org_time_zone(
    tx: impl sqlx::Executor<'_, Database = Any>,
    org_id: &str,
) -> Result<chrono_tz::Tz> {
    let (tz,): (String,) = sqlx::query_as("SELECT time_zone FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(tz.parse().unwrap_or(chrono_tz::UTC))
}

/// The organization's "today" (in its time zone).
pub(crate) async fn org_today(
    tx: impl sqlx::Executor<'_, Database = Any>,
    org_id: &str,
) -> Result<NaiveDate> {
    let tz = org_time_zone(tx, org_id).await?;
    Ok(Utc::now().with_timezone(&tz).date_naive())
}

async fn insert_standard(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    type_id: &str,
    standard: NewStandard,
    by: Option<&str>,
) -> Result<()> {
    let quantity = Quantity::new(standard.quantity, standard.per)?;
    let rubric = standard.rubric.validated()?;
    if let Some(team) = &standard.team_id {
        let leads: Option<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE org_id = $1 AND manager_id = $2 LIMIT 1")
                .bind(org_id)
                .bind(team)
                .fetch_optional(&mut **tx)
                .await?;
        if leads.is_none() {
            return Err(FieldError::new(
                "team_id",
                "expected a team of this organization (the id of someone people report to)",
            )
            .into());
        }
    }
    let (seq,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) FROM activity_standards WHERE org_id = $1 AND activity_type_id = $2",
    )
    .bind(org_id)
    .bind(type_id)
    .fetch_one(&mut **tx)
    .await?;
    let today = org_today(&mut **tx, org_id).await?;
    let rubric_json =
        serde_json::to_string(&rubric).map_err(|e| FieldError::new("rubric", e.to_string()))?;
    sqlx::query(
        "INSERT INTO activity_standards (org_id, activity_type_id, seq, quantity, per, team_id, rubric, effective_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(org_id)
    .bind(type_id)
    .bind(seq)
    .bind(i64::from(quantity.count))
    .bind(quantity.per.as_str())
    .bind(standard.team_id)
    .bind(rubric_json)
    .bind(today.format("%Y-%m-%d").to_string())
    .bind(by.map(str::to_owned))
    .bind(to_db(Utc::now()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Renames (the name free among its kind, case ignored) and redescribes a
/// row of `table` (`roa_measures` or `activity_types`). Returns the name it
/// has afterwards, if it was renamed.
async fn rename_and_describe(
    tx: &mut Transaction<'static, Any>,
    table: &'static str,
    org_id: &str,
    id: &str,
    level: Option<MeasureLevel>,
    name: Option<String>,
    description: Option<String>,
) -> Result<Option<String>> {
    let name = match name {
        Some(n) => {
            let name = validate_model_name(&n)?;
            check_name_free(tx, org_id, level, &name.to_lowercase(), id).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET name = $3, name_key = $4 WHERE org_id = $1 AND id = $2"
            )))
            .bind(org_id)
            .bind(id)
            .bind(&name)
            .bind(name.to_lowercase())
            .execute(&mut **tx)
            .await?;
            Some(name)
        }
        None => None,
    };
    if let Some(d) = description {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET description = $3 WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(id)
        .bind(validate_description(&d)?)
        .execute(&mut **tx)
        .await?;
    }
    Ok(name)
}

/// R4 and R2 for an active activity type.
fn check_activation(name: &str, has_standard: bool, drives: &[String]) -> Result<()> {
    if !has_standard {
        return Err(FieldError::new(
            "active",
            format!("{name:?} cannot be active without a quantitative and a qualitative standard (R4): set how many per period and a rubric first"),
        )
        .into());
    }
    not_empty(
        drives,
        "drives",
        "expected at least one objective this activity drives (R2)",
    )
}

impl Store {
    /// The organization's model.
    pub async fn roa_model(&self, org_id: &str) -> Result<Model> {
        let results = links(
            &self.pool,
            "SELECT objective_id, result_id FROM roa_objective_results WHERE org_id = $1 ORDER BY result_id",
            org_id,
        )
        .await?;
        let objectives = links(
            &self.pool,
            "SELECT activity_type_id, objective_id FROM activity_type_objectives WHERE org_id = $1 ORDER BY objective_id",
            org_id,
        )
        .await?;
        let rows = sqlx::query(
            "SELECT id, level, name, description, unit, metric FROM roa_measures WHERE org_id = $1 ORDER BY position, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        let mut measures = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            measures.push(Measure {
                drives: results.get(&id).cloned().unwrap_or_default(),
                id,
                level: parse(row, "level")?,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                unit: parse(row, "unit")?,
                metric: parse(row, "metric")?,
            });
        }
        let mut standards: BTreeMap<String, Vec<Standard>> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT activity_type_id, seq, quantity, per, team_id, rubric, effective_on, created_at \
             FROM activity_standards WHERE org_id = $1 ORDER BY activity_type_id, seq",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            let rubric: String = row.try_get("rubric")?;
            let quantity: i64 = row.try_get("quantity")?;
            let created: String = row.try_get("created_at")?;
            standards
                .entry(row.try_get("activity_type_id")?)
                .or_default()
                .push(Standard {
                    seq: row.try_get("seq")?,
                    quantity: u32::try_from(quantity).unwrap_or(0),
                    per: parse(row, "per")?,
                    team_id: row.try_get("team_id")?,
                    rubric: serde_json::from_str(&rubric).map_err(|e| {
                        StoreError::Invalid(FieldError::new("rubric", e.to_string()))
                    })?,
                    effective_on: NaiveDate::parse_from_str(
                        &row.try_get::<String, _>("effective_on")?,
                        "%Y-%m-%d",
                    )
                    .unwrap_or_default(),
                    created_at: from_db(&created).unwrap_or_default(),
                });
        }
        let rows = sqlx::query(
            "SELECT id, name, grp, description, active, crm_source, version FROM activity_types WHERE org_id = $1 ORDER BY position, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        let mut activity_types = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            let active: i64 = row.try_get("active")?;
            let source: Option<String> = row.try_get("crm_source")?;
            activity_types.push(ActivityType {
                drives: objectives.get(&id).cloned().unwrap_or_default(),
                standards: standards.remove(&id).unwrap_or_default(),
                id,
                name: row.try_get("name")?,
                group: parse(row, "grp")?,
                description: row.try_get("description")?,
                active: active != 0,
                crm_source: source.and_then(|k| k.parse().ok()),
                version: row.try_get("version")?,
            });
        }
        Ok(Model {
            measures,
            activity_types,
        })
    }

    /// Adds a result or objective.
    pub async fn create_measure(&self, org_id: &str, new: NewMeasure) -> Result<Measure> {
        let name = validate_model_name(&new.name)?;
        let description = validate_description(&new.description)?;
        let unit = match (new.metric.unit(), new.unit) {
            (Some(u), _) | (None, Some(u)) => u,
            (None, None) => {
                return Err(
                    FieldError::new("unit", "expected a unit: money, percent or count").into(),
                );
            }
        };
        let mut tx = self.write().await?;
        let id = uuid::Uuid::now_v7().to_string();
        check_name_free(&mut tx, org_id, Some(new.level), &name.to_lowercase(), &id).await?;
        let drives = match new.level {
            MeasureLevel::Objective => {
                not_empty(
                    &new.drives,
                    "drives",
                    "expected at least one business result this objective drives (R2)",
                )?;
                check_measures(&mut tx, org_id, &new.drives, MeasureLevel::Result).await?;
                new.drives
            }
            MeasureLevel::Result => Vec::new(),
        };
        let position = next_position(&mut tx, "roa_measures", org_id).await?;
        sqlx::query(
            "INSERT INTO roa_measures (org_id, id, level, name, name_key, description, unit, metric, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(new.level.as_str())
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(&description)
        .bind(unit.as_str())
        .bind(new.metric.as_str())
        .bind(position)
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        set_links(&mut tx, org_id, OBJECTIVE_RESULTS, &id, &drives).await?;
        tx.commit().await?;
        Ok(Measure {
            id,
            level: new.level,
            name,
            description,
            unit,
            metric: new.metric,
            drives,
        })
    }

    /// Changes a result or objective.
    pub async fn update_measure(&self, org_id: &str, id: &str, patch: MeasurePatch) -> Result<()> {
        let mut tx = self.write().await?;
        let (level,): (String,) =
            sqlx::query_as("SELECT level FROM roa_measures WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let level: MeasureLevel = level
            .parse()
            .map_err(|e: String| FieldError::new("level", e))?;
        rename_and_describe(
            &mut tx,
            "roa_measures",
            org_id,
            id,
            Some(level),
            patch.name,
            patch.description,
        )
        .await?;
        if let Some(drives) = patch.drives {
            if level == MeasureLevel::Result {
                return Err(
                    FieldError::new("drives", "a business result drives nothing further").into(),
                );
            }
            not_empty(
                &drives,
                "drives",
                "expected at least one business result this objective drives (R2)",
            )?;
            check_measures(&mut tx, org_id, &drives, MeasureLevel::Result).await?;
            set_links(&mut tx, org_id, OBJECTIVE_RESULTS, id, &drives).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a result or objective that nothing depends on: no objective
    /// drives only it, no activity type drives only it.
    pub async fn delete_measure(&self, org_id: &str, id: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let found: Option<(String,)> =
            sqlx::query_as("SELECT name FROM roa_measures WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        for (sql, what) in [
            (
                "SELECT m.name FROM roa_objective_results l JOIN roa_measures m ON m.org_id = l.org_id AND m.id = l.objective_id \
                 WHERE l.org_id = $1 AND l.result_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM roa_objective_results o WHERE o.org_id = l.org_id AND o.objective_id = l.objective_id AND o.result_id <> l.result_id)",
                "drives only this result",
            ),
            (
                "SELECT t.name FROM activity_type_objectives l JOIN activity_types t ON t.org_id = l.org_id AND t.id = l.activity_type_id \
                 WHERE l.org_id = $1 AND l.objective_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM activity_type_objectives o WHERE o.org_id = l.org_id AND o.activity_type_id = l.activity_type_id AND o.objective_id <> l.objective_id)",
                "drives only this objective",
            ),
        ] {
            let names: Vec<(String,)> = sqlx::query_as(sql)
                .bind(org_id)
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            if let Some((name,)) = names.first() {
                return Err(FieldError::new(
                    "drives",
                    format!("{name:?} {what}: link it to another one first (R2)"),
                )
                .into());
            }
        }
        for sql in [
            "DELETE FROM roa_objective_results WHERE org_id = $1 AND (objective_id = $2 OR result_id = $2)",
            "DELETE FROM activity_type_objectives WHERE org_id = $1 AND objective_id = $2",
            "DELETE FROM roa_targets WHERE org_id = $1 AND measure_id = $2",
            "DELETE FROM roa_values WHERE org_id = $1 AND measure_id = $2",
            "DELETE FROM roa_measures WHERE org_id = $1 AND id = $2",
        ] {
            sqlx::query(sql)
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds an activity type. It may be created inactive without standards;
    /// active, it needs both standards (R4) and an objective (R2).
    pub async fn create_activity_type(
        &self,
        org_id: &str,
        new: NewActivityType,
        by: Option<&str>,
    ) -> Result<String> {
        let name = validate_model_name(&new.name)?;
        let description = validate_description(&new.description)?;
        not_empty(
            &new.drives,
            "drives",
            "expected at least one objective this activity drives (R2)",
        )?;
        if new.active {
            check_activation(&name, new.standard.is_some(), &new.drives)?;
        }
        let mut tx = self.write().await?;
        let id = uuid::Uuid::now_v7().to_string();
        check_name_free(&mut tx, org_id, None, &name.to_lowercase(), &id).await?;
        check_measures(&mut tx, org_id, &new.drives, MeasureLevel::Objective).await?;
        let position = next_position(&mut tx, "activity_types", org_id).await?;
        let now = to_db(Utc::now());
        sqlx::query(
            "INSERT INTO activity_types (org_id, id, name, name_key, grp, description, active, crm_source, position, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(new.group.as_str())
        .bind(&description)
        .bind(i64::from(new.active))
        .bind(new.crm_source.map(CrmSource::key))
        .bind(position)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        set_links(&mut tx, org_id, TYPE_OBJECTIVES, &id, &new.drives).await?;
        if let Some(standard) = new.standard {
            insert_standard(&mut tx, org_id, &id, standard, by).await?;
        }
        activities::sync_crm(&mut tx, org_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes an activity type. `if_version` guards against concurrent
    /// edits. A new standard is a new version in force from today; earlier
    /// activities keep being judged against the version of their day.
    pub async fn update_activity_type(
        &self,
        org_id: &str,
        id: &str,
        if_version: Option<i64>,
        patch: ActivityTypePatch,
        by: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "activity_types", org_id, id).await?;
        let row = sqlx::query(
            "SELECT name, active, version FROM activity_types WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let version: i64 = row.try_get("version")?;
        if if_version.is_some_and(|v| v != version) {
            return Err(StoreError::Stale);
        }
        let mut name: String = row.try_get("name")?;
        let active: i64 = row.try_get("active")?;
        if let Some(renamed) = rename_and_describe(
            &mut tx,
            "activity_types",
            org_id,
            id,
            None,
            patch.name,
            patch.description,
        )
        .await?
        {
            name = renamed;
        }
        if let Some(drives) = &patch.drives {
            not_empty(
                drives,
                "drives",
                "expected at least one objective this activity drives (R2)",
            )?;
            check_measures(&mut tx, org_id, drives, MeasureLevel::Objective).await?;
            set_links(&mut tx, org_id, TYPE_OBJECTIVES, id, drives).await?;
        }
        if let Some(source) = patch.crm_source {
            sqlx::query("UPDATE activity_types SET crm_source = $3 WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .bind(source.map(CrmSource::key))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(standard) = patch.standard {
            insert_standard(&mut tx, org_id, id, standard, by).await?;
        }
        let active = patch.active.unwrap_or(active != 0);
        if active {
            let (standards,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM activity_standards WHERE org_id = $1 AND activity_type_id = $2",
            )
            .bind(org_id)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let drives = links(
                &mut *tx,
                "SELECT activity_type_id, objective_id FROM activity_type_objectives WHERE org_id = $1",
                org_id,
            )
            .await?
            .remove(id)
            .unwrap_or_default();
            check_activation(&name, standards > 0, &drives)?;
        }
        sqlx::query(
            "UPDATE activity_types SET active = $3, version = version + 1, updated_at = $4 WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .bind(i64::from(active))
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        activities::sync_crm(&mut tx, org_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives organizations that have never had one the default model (those
    /// created before the model existed). Returns how many were given one.
    pub async fn seed_missing_models(&self) -> Result<usize> {
        let orgs: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM organizations WHERE roa_seeded = 0 ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        for (org_id,) in &orgs {
            let mut tx = self.write().await?;
            seed_default(&mut tx, org_id).await?;
            tx.commit().await?;
        }
        let coaching: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM organizations WHERE coaching_seeded = 0 ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        for (org_id,) in &coaching {
            let mut tx = self.write().await?;
            crate::coaching::seed_coaching(&mut tx, org_id).await?;
            tx.commit().await?;
        }
        Ok(orgs.len())
    }
}
