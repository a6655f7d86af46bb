//! Changing people: their record, roles and reporting line, email,
//! password and activation, each in one write transaction.

use super::{check_roles, ensure_active_member, load_user, replace_roles};
use crate::{Result, Store, StoreError};
use chrono::Utc;
use coach_core::time::to_db;
use coach_core::validate::{normalize_email, validate_crm_id, validate_name, validate_time_zone};
use coach_core::{FieldError, OrgChart};
use sqlx::{Any, Transaction};

use super::{User, UserPatch};

impl Store {
    /// Changes a person. With `expected_version`, refuses a stale change.
    /// Deactivating ends their sessions and stops their API tokens working.
    pub async fn update_user(
        &self,
        org_id: &str,
        id: &str,
        patch: UserPatch,
        expected_version: Option<i64>,
    ) -> Result<User> {
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "users", org_id, id).await?;
        let current = load_user(&mut tx, org_id, id).await?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(StoreError::Stale);
        }
        let new_email = patch.email.as_deref().map(normalize_email).transpose()?;
        if let Some(email) = new_email.filter(|e| *e != current.email) {
            change_email(&mut tx, org_id, id, &current.email, &email).await?;
        }
        let name = match &patch.name {
            Some(n) => validate_name("name", n)?,
            None => current.name.clone(),
        };
        let time_zone = match &patch.time_zone {
            Some(tz) => validate_time_zone(tz)?,
            None => current.time_zone.clone(),
        };
        let manager_id = match patch.manager_id.clone() {
            Some(new_manager) => {
                if let Some(m) = new_manager
                    .as_ref()
                    .filter(|m| current.manager_id.as_ref() != Some(*m))
                {
                    ensure_active_member(&mut tx, org_id, m).await?;
                }
                let rows: Vec<(String, Option<String>)> =
                    sqlx::query_as("SELECT id, manager_id FROM users WHERE org_id = $1")
                        .bind(org_id)
                        .fetch_all(&mut *tx)
                        .await?;
                let chart = OrgChart::new(rows.iter().map(|(p, m)| (p.as_str(), m.as_deref())));
                chart
                    .check_new_line(id, new_manager.as_deref())
                    .map_err(|e| FieldError::new("manager_id", e.to_string()))?;
                new_manager
            }
            None => current.manager_id.clone(),
        };
        let crm_id = match &patch.crm_id {
            Some(Some(id)) => Some(validate_crm_id(id)?),
            Some(None) => None,
            None => current.crm_id.clone(),
        };
        let active = patch.active.unwrap_or(current.active);
        let now = to_db(Utc::now());
        let deactivated_at = if active { None } else { Some(now.clone()) };
        sqlx::query(
            "UPDATE users SET name = $1, time_zone = $2, manager_id = $3, crm_id = $4, active = $5, \
             deactivated_at = $6, version = version + 1, updated_at = $7 WHERE org_id = $8 AND id = $9",
        )
        .bind(name)
        .bind(time_zone)
        .bind(manager_id)
        .bind(crm_id)
        .bind(i64::from(active))
        .bind(if current.active == active && active { None } else { deactivated_at })
        .bind(now)
        .bind(org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(roles) = &patch.roles {
            check_roles(roles)?;
            replace_roles(&mut tx, org_id, id, roles).await?;
        }
        if !active {
            sqlx::query("DELETE FROM web_sessions WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let user = load_user(&mut tx, org_id, id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a person's password hash and ends all their sessions.
    pub async fn set_password_hash(&self, org_id: &str, id: &str, hash: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE org_id = $3 AND id = $4",
        )
        .bind(hash)
        .bind(to_db(Utc::now()))
        .bind(org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM web_sessions WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The password hash of a person, for checking a password change.
    pub async fn password_hash(&self, org_id: &str, id: &str) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT password_hash FROM users WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.ok_or(StoreError::NotFound)?.0)
    }

    /// How many active admins an organization has (the last one cannot go).
    pub async fn active_admin_count(&self, org_id: &str) -> Result<i64> {
        let row: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.org_id = u.org_id AND r.user_id = u.id \
             WHERE u.org_id = $1 AND r.role = 'admin' AND u.active = 1",
        )
        .bind(org_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.0)
    }
}

async fn change_email(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    id: &str,
    old: &str,
    new: &str,
) -> Result<()> {
    let taken = sqlx::query("SELECT user_id FROM login_emails WHERE email = $1")
        .bind(new)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(FieldError::new("email", format!("{new} already has an account")).into());
    }
    sqlx::query(
        "UPDATE login_emails SET email = $1 WHERE email = $2 AND org_id = $3 AND user_id = $4",
    )
    .bind(new)
    .bind(old)
    .bind(org_id)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE users SET email = $1 WHERE org_id = $2 AND id = $3")
        .bind(new)
        .bind(org_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
