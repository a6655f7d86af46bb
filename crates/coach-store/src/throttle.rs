//! Login throttling kept in the database, so the limit holds across every
//! server process (reliability T8): at most `limit` password checks per
//! window per key (an account, an address).

use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};
use coach_core::time::{from_db, to_db};

impl Store {
    /// Records one attempt under every key, unless a key already reached
    /// `limit` in the last `window`: then nothing is recorded and the answer
    /// is how long until the oldest attempt leaves the window.
    pub async fn take_attempt(
        &self,
        keys: &[String],
        limit: i64,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>> {
        let since = to_db(now - window);
        let mut tx = self.write().await?;
        // Attempts older than any window are of no use; keys that never come
        // back must not pile up.
        sqlx::query("DELETE FROM login_attempts WHERE at < $1")
            .bind(to_db(now - Duration::hours(1)))
            .execute(&mut *tx)
            .await?;
        let mut wait: Option<Duration> = None;
        for key in keys {
            sqlx::query("DELETE FROM login_attempts WHERE throttle_key = $1 AND at < $2")
                .bind(key)
                .bind(&since)
                .execute(&mut *tx)
                .await?;
            let (count, oldest): (i64, Option<String>) = sqlx::query_as(
                "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE throttle_key = $1 AND at >= $2",
            )
            .bind(key)
            .bind(&since)
            .fetch_one(&mut *tx)
            .await?;
            if count >= limit {
                let oldest = oldest.as_deref().and_then(from_db).unwrap_or(now);
                let until = (oldest + window - now).max(Duration::seconds(1));
                wait = Some(wait.map_or(until, |w| w.max(until)));
            }
        }
        if wait.is_none() {
            for key in keys {
                sqlx::query("INSERT INTO login_attempts (throttle_key, at) VALUES ($1, $2)")
                    .bind(key)
                    .bind(to_db(now))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(wait)
    }
}
