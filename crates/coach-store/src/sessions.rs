//! Server-side sign-in sessions. The cookie holds a random id; the database
//! keeps only its hash, with the person, a CSRF token and the expiry. Nothing
//! lives in process memory, so any server process can serve any request.

use crate::secret::{hash_secret, new_secret};
use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};
use coach_core::time::{from_db, to_db};

/// A live session, found from its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInSession {
    /// The person's organization.
    pub org_id: String,
    /// The person.
    pub user_id: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When it ends unless used again.
    pub expires_at: DateTime<Utc>,
}

/// How long a session lives without use.
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// How long a session lives at most.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);

impl Store {
    /// Starts a session; returns the cookie value (shown to nobody else).
    pub async fn create_session(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> Result<(String, SignedInSession)> {
        let cookie = new_secret();
        let now = Utc::now();
        let session = SignedInSession {
            org_id: org_id.to_owned(),
            user_id: user_id.to_owned(),
            csrf_token: new_secret(),
            expires_at: now + IDLE_TIMEOUT,
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, org_id, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(hash_secret(&cookie))
        .bind(org_id)
        .bind(user_id)
        .bind(&session.csrf_token)
        .bind(to_db(now))
        .bind(to_db(session.expires_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1")
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((cookie, session))
    }

    /// The live session behind a cookie value, if any. Extends its idle
    /// timeout (at most once a minute, to spare the database).
    pub async fn session(&self, cookie: &str) -> Result<Option<SignedInSession>> {
        let hash = hash_secret(cookie);
        let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT org_id, user_id, csrf_token, created_at, last_seen_at, expires_at FROM web_sessions WHERE id_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((org_id, user_id, csrf_token, created, seen, expires)) = row else {
            return Ok(None);
        };
        let now = Utc::now();
        let created = from_db(&created).unwrap_or_default();
        let seen = from_db(&seen).unwrap_or_default();
        let expires = from_db(&expires).unwrap_or_default();
        if expires <= now || created + ABSOLUTE_TIMEOUT <= now {
            return Ok(None);
        }
        let mut expires_at = expires;
        if now - seen > Duration::minutes(1) {
            expires_at = (now + IDLE_TIMEOUT).min(created + ABSOLUTE_TIMEOUT);
            sqlx::query(
                "UPDATE web_sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3",
            )
            .bind(to_db(now))
            .bind(to_db(expires_at))
            .bind(&hash)
            .execute(&self.pool)
            .await?;
        }
        Ok(Some(SignedInSession {
            org_id,
            user_id,
            csrf_token,
            expires_at,
        }))
    }

    /// Ends the session behind a cookie value.
    pub async fn end_session(&self, cookie: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
            .bind(hash_secret(cookie))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a person (password change, deactivation).
    pub async fn end_sessions_of(&self, org_id: &str, user_id: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
