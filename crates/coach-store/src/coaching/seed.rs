//! The question bank a new organization starts from (R37); agenda templates
//! need no rows until an organization edits one.

use crate::Result;
use chrono::Utc;
use coach_core::coaching::default_questions;
use coach_core::time::to_db;
use sqlx::{Any, Transaction};

/// Gives an organization the default question bank, once.
pub(crate) async fn seed_coaching(tx: &mut Transaction<'static, Any>, org_id: &str) -> Result<()> {
    let at = to_db(Utc::now());
    for (position, q) in default_questions().into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO question_bank (org_id, id, kind, stage, open_ended, text, position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(q.kind.as_str())
        .bind(q.stage.map(|s| s.as_str().to_owned()))
        .bind(i64::from(q.open))
        .bind(q.text)
        .bind(i64::try_from(position).unwrap_or_default())
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE organizations SET coaching_seeded = 1 WHERE id = $1")
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
