//! The default model every organization starts from, written once.

use super::{
    NewStandard, OBJECTIVE_RESULTS, TYPE_OBJECTIVES, activities, insert_standard, set_links,
};
use crate::Result;
use chrono::Utc;
use coach_core::roa::{CrmSource, default_model};
use coach_core::time::to_db;
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;

/// Gives a new organization the default model (coach_core::roa::default_model),
/// all of it active: every objective drives results, every activity type
/// drives objectives and has both standards.
pub(crate) async fn seed_default(tx: &mut Transaction<'static, Any>, org_id: &str) -> Result<()> {
    let (seeded,): (i64,) = sqlx::query_as("SELECT roa_seeded FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut **tx)
        .await?;
    if seeded != 0 {
        return Ok(());
    }
    let model = default_model();
    let now = to_db(Utc::now());
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (position, m) in (1_i64..).zip(&model.measures) {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO roa_measures (org_id, id, level, name, name_key, description, unit, metric, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(m.level.as_str())
        .bind(m.name)
        .bind(m.name.to_lowercase())
        .bind(m.description)
        .bind(m.unit.as_str())
        .bind(m.metric.as_str())
        .bind(position)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        let drives: Vec<String> = m
            .drives
            .iter()
            .filter_map(|d| ids.get(d).cloned())
            .collect();
        set_links(tx, org_id, OBJECTIVE_RESULTS, &id, &drives).await?;
        ids.insert(m.name, id);
    }
    for (position, a) in (1_i64..).zip(&model.activities) {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO activity_types (org_id, id, name, name_key, grp, description, active, crm_source, position, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, 1, $9, $9)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(a.name)
        .bind(a.name.to_lowercase())
        .bind(a.group.as_str())
        .bind(a.description)
        .bind(a.crm_source.map(CrmSource::key))
        .bind(position)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        let drives: Vec<String> = a
            .drives
            .iter()
            .filter_map(|d| ids.get(d).cloned())
            .collect();
        set_links(tx, org_id, TYPE_OBJECTIVES, &id, &drives).await?;
        let standard = NewStandard {
            quantity: i64::from(a.count),
            per: a.per,
            team_id: None,
            rubric: a.rubric.clone(),
        };
        insert_standard(tx, org_id, &id, standard, None).await?;
        // The default standards hold from the start, so history imported
        // later is judged against them.
        sqlx::query(
            "UPDATE activity_standards SET effective_on = '2000-01-01' WHERE org_id = $1 AND activity_type_id = $2",
        )
        .bind(org_id)
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE organizations SET roa_seeded = 1 WHERE id = $1")
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    activities::sync_crm(tx, org_id).await?;
    Ok(())
}
