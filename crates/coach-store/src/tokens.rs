//! Personal API tokens. The token is shown once, when created; the database
//! keeps its hash and a short prefix to recognise it in lists.

use crate::secret::{hash_secret, new_secret};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::time::{from_db, to_db};
use coach_core::validate::validate_name;

/// The prefix of every token, so leaked tokens are easy to recognise.
pub const TOKEN_PREFIX: &str = "coach_";

/// A token as listed (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its id.
    pub id: String,
    /// Whose it is.
    pub user_id: String,
    /// What its owner called it.
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

type TokenRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn from_row(r: TokenRow) -> ApiToken {
    ApiToken {
        id: r.0,
        user_id: r.1,
        name: r.2,
        prefix: r.3,
        created_at: from_db(&r.4).unwrap_or_default(),
        last_used_at: r.5.as_deref().and_then(from_db),
        revoked_at: r.6.as_deref().and_then(from_db),
    }
}

impl Store {
    /// Makes a token for a person; returns it in full, the only time it exists.
    pub async fn create_token(
        &self,
        org_id: &str,
        user_id: &str,
        name: &str,
    ) -> Result<(String, ApiToken)> {
        let name = validate_name("name", name)?;
        let secret = format!("{TOKEN_PREFIX}{}", new_secret());
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        let mut tx = self.write().await?;
        let owner: Option<(i64,)> =
            sqlx::query_as("SELECT active FROM users WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if owner.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO api_tokens (org_id, id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(user_id)
        .bind(&name)
        .bind(hash_secret(&secret))
        .bind(&prefix)
        .bind(to_db(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let token = ApiToken {
            id,
            user_id: user_id.to_owned(),
            name,
            prefix,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        Ok((secret, token))
    }

    /// A person's tokens, newest first, revoked ones included.
    pub async fn tokens_of(&self, org_id: &str, user_id: &str) -> Result<Vec<ApiToken>> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens \
             WHERE org_id = $1 AND user_id = $2 ORDER BY id DESC",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Revokes one of a person's tokens; it stops working at once.
    pub async fn revoke_token(&self, org_id: &str, user_id: &str, token_id: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE org_id = $2 AND user_id = $3 AND id = $4 AND revoked_at IS NULL",
        )
        .bind(to_db(Utc::now()))
        .bind(org_id)
        .bind(user_id)
        .bind(token_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Who a presented token belongs to: `(org_id, user_id)`, if it is valid.
    pub async fn token_owner(&self, secret: &str) -> Result<Option<(String, String)>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = hash_secret(secret);
        let row: Option<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT org_id, user_id, id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((org_id, user_id, id, last_used)) = row else {
            return Ok(None);
        };
        let now = Utc::now();
        let stale = last_used
            .as_deref()
            .and_then(from_db)
            .is_none_or(|t| now - t > chrono::Duration::minutes(1));
        if stale {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE org_id = $2 AND id = $3")
                .bind(to_db(now))
                .bind(&org_id)
                .bind(&id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((org_id, user_id)))
    }
}
