//! Each organization's map from its CRM's stage names to the buying stages
//! (coaching-model R21). New organizations start from the default map for
//! Salesforce and HubSpot stage names; admins change it.

use crate::{Result, Store, StoreError};
use coach_core::FieldError;
use coach_core::crm::{BuyingStage, StageMap};
use sqlx::{Any, Transaction};

/// Checks a CRM stage name as typed by an admin.
fn stage_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > 80
        || name
            .chars()
            .any(|c| c.is_control() || coach_core::validate::is_bidi_control(c))
    {
        return Err(FieldError::new(
            "crm_stage",
            "expected the stage's name as your CRM writes it: 1–80 printable characters",
        )
        .into());
    }
    Ok(name.to_owned())
}

/// Writes one entry, replacing an entry of the same name (any case).
pub(crate) async fn put(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    name: &str,
    stage: BuyingStage,
) -> Result<()> {
    let key = name.to_lowercase();
    sqlx::query("DELETE FROM crm_stage_map WHERE org_id = $1 AND crm_key = $2")
        .bind(org_id)
        .bind(&key)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO crm_stage_map (org_id, crm_key, crm_stage, stage) VALUES ($1, $2, $3, $4)",
    )
    .bind(org_id)
    .bind(&key)
    .bind(name)
    .bind(stage.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Gives a new organization the default map.
pub(crate) async fn seed_default(tx: &mut Transaction<'static, Any>, org_id: &str) -> Result<()> {
    for (name, stage) in StageMap::default_for_common_crms().entries() {
        put(tx, org_id, name, stage).await?;
    }
    Ok(())
}

impl Store {
    /// The organization's stage map.
    pub async fn crm_stage_map(&self, org_id: &str) -> Result<StageMap> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT crm_stage, stage FROM crm_stage_map WHERE org_id = $1 ORDER BY crm_key",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        let mut map = StageMap::default();
        for (name, stage) in rows {
            if let Ok(stage) = stage.parse::<BuyingStage>() {
                map.insert(&name, stage);
            }
        }
        Ok(map)
    }

    /// Maps a CRM stage name (new, or one already mapped, in any case).
    pub async fn set_crm_stage(&self, org_id: &str, name: &str, stage: BuyingStage) -> Result<()> {
        let name = stage_name(name)?;
        let mut tx = self.write().await?;
        put(&mut tx, org_id, &name, stage).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a CRM stage name from the map.
    pub async fn remove_crm_stage(&self, org_id: &str, name: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM crm_stage_map WHERE org_id = $1 AND crm_key = $2")
            .bind(org_id)
            .bind(name.trim().to_lowercase())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
