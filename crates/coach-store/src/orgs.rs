//! Organizations: the tenants. Everything else belongs to exactly one.

use crate::{Result, Store, StoreError};
use chrono::Utc;
use coach_core::FieldError;
use coach_core::time::to_db;
use coach_core::validate::{validate_name, validate_slug, validate_time_zone};
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// One organization (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Its id (UUID v7).
    pub id: String,
    /// Its short name in URLs and on the command line.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// The default time zone of its people.
    pub time_zone: String,
}

fn from_row(row: &AnyRow) -> Result<Organization> {
    Ok(Organization {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        time_zone: row.try_get("time_zone")?,
    })
}

impl Store {
    /// Creates an organization. The slug must be free.
    pub async fn create_org(
        &self,
        slug: &str,
        name: &str,
        time_zone: &str,
    ) -> Result<Organization> {
        let org = Organization {
            id: uuid::Uuid::now_v7().to_string(),
            slug: validate_slug(slug)?,
            name: validate_name("name", name)?,
            time_zone: validate_time_zone(time_zone)?,
        };
        let mut tx = self.write().await?;
        let taken = sqlx::query("SELECT id FROM organizations WHERE slug = $1")
            .bind(&org.slug)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(FieldError::new(
                "slug",
                format!("an organization named {:?} already exists", org.slug),
            )
            .into());
        }
        sqlx::query("INSERT INTO organizations (id, slug, name, time_zone, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&org.id)
            .bind(&org.slug)
            .bind(&org.name)
            .bind(&org.time_zone)
            .bind(to_db(Utc::now()))
            .execute(&mut *tx)
            .await?;
        crate::stage_map::seed_default(&mut tx, &org.id).await?;
        crate::roa::seed_default(&mut tx, &org.id).await?;
        crate::coaching::seed_coaching(&mut tx, &org.id).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The organization with this slug.
    pub async fn org_by_slug(&self, slug: &str) -> Result<Organization> {
        let row =
            sqlx::query("SELECT id, slug, name, time_zone FROM organizations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// The organization with this id.
    pub async fn org(&self, id: &str) -> Result<Organization> {
        let row = sqlx::query("SELECT id, slug, name, time_zone FROM organizations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// Deletes an organization and everything in it, in one transaction.
    pub async fn delete_org(&self, org_id: &str) -> Result<()> {
        let mut tx = self.write().await?;
        for sql in [
            "DELETE FROM outbox WHERE org_id = $1",
            "DELETE FROM email_preferences WHERE org_id = $1",
            "DELETE FROM unsubscribe_links WHERE org_id = $1",
            "DELETE FROM jobs WHERE org_id = $1",
            "DELETE FROM calendar_feeds WHERE org_id = $1",
            "DELETE FROM busy_times WHERE org_id = $1",
            "DELETE FROM rhythm_settings WHERE org_id = $1",
            "DELETE FROM cadence_policies WHERE org_id = $1",
            "DELETE FROM import_uploads WHERE org_id = $1",
            "DELETE FROM call_plans WHERE org_id = $1",
            "DELETE FROM account_plans WHERE org_id = $1",
            "DELETE FROM territory_tiers WHERE org_id = $1",
            "DELETE FROM territory_plans WHERE org_id = $1",
            "DELETE FROM opportunity_stage_moves WHERE org_id = $1",
            "DELETE FROM opportunity_plans WHERE org_id = $1",
            "DELETE FROM session_observations WHERE org_id = $1",
            "DELETE FROM session_feedback WHERE org_id = $1",
            "DELETE FROM session_questions WHERE org_id = $1",
            "DELETE FROM session_notes WHERE org_id = $1",
            "DELETE FROM action_items WHERE org_id = $1",
            "DELETE FROM agenda_items WHERE org_id = $1",
            "DELETE FROM coaching_sessions WHERE org_id = $1",
            "DELETE FROM coaching_series WHERE org_id = $1",
            "DELETE FROM question_bank WHERE org_id = $1",
            "DELETE FROM agenda_templates WHERE org_id = $1",
            "DELETE FROM activity_scores WHERE org_id = $1",
            "DELETE FROM activities WHERE org_id = $1",
            "DELETE FROM roa_values WHERE org_id = $1",
            "DELETE FROM roa_targets WHERE org_id = $1",
            "DELETE FROM activity_standards WHERE org_id = $1",
            "DELETE FROM activity_type_objectives WHERE org_id = $1",
            "DELETE FROM activity_types WHERE org_id = $1",
            "DELETE FROM roa_objective_results WHERE org_id = $1",
            "DELETE FROM roa_measures WHERE org_id = $1",
            "DELETE FROM call_contacts WHERE org_id = $1",
            "DELETE FROM calls WHERE org_id = $1",
            "DELETE FROM opportunity_stages WHERE org_id = $1",
            "DELETE FROM opportunities WHERE org_id = $1",
            "DELETE FROM contacts WHERE org_id = $1",
            "DELETE FROM accounts WHERE org_id = $1",
            "DELETE FROM crm_stage_map WHERE org_id = $1",
            "DELETE FROM api_tokens WHERE org_id = $1",
            "DELETE FROM web_sessions WHERE org_id = $1",
            "DELETE FROM user_roles WHERE org_id = $1",
            "DELETE FROM login_emails WHERE org_id = $1",
            "UPDATE users SET manager_id = NULL WHERE org_id = $1",
            "DELETE FROM users WHERE org_id = $1",
            "DELETE FROM organizations WHERE id = $1",
        ] {
            sqlx::query(sql).bind(org_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
