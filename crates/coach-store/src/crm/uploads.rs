//! Files uploaded on the import page, kept between the preview, the dry run
//! and the import (on any server of a deployment), for a day at most.

use crate::{Result, Store, StoreError};
use chrono::{Duration, Utc};
use coach_core::time::to_db;
use sqlx::Row as _;

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Its id.
    pub id: String,
    /// Who uploaded it.
    pub user_id: String,
    /// What it holds: accounts, contacts, opportunities or calls.
    pub kind: String,
    /// Its name as uploaded.
    pub file_name: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

impl Store {
    /// Keeps an uploaded file; uploads older than a day are removed.
    pub async fn save_upload(
        &self,
        org_id: &str,
        user_id: &str,
        kind: &str,
        file_name: &str,
        content: &[u8],
    ) -> Result<String> {
        let id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
            .bind(to_db(now - Duration::days(1)))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO import_uploads (org_id, id, user_id, kind, file_name, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(user_id)
        .bind(kind)
        .bind(file_name)
        .bind(content)
        .bind(to_db(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An upload of this organization.
    pub async fn upload(&self, org_id: &str, id: &str) -> Result<Upload> {
        let row = sqlx::query(
            "SELECT id, user_id, kind, file_name, content FROM import_uploads WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Upload {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            kind: row.try_get("kind")?,
            file_name: row.try_get("file_name")?,
            content: row.try_get("content")?,
        })
    }

    /// Removes an upload once imported.
    pub async fn delete_upload(&self, org_id: &str, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM import_uploads WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
