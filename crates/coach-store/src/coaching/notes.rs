//! Each side's notes on a session (R38): the manager, the seller and an
//! observer each keep their own, private to the author unless they share
//! one. Notes save as the author types; every save carries the version it
//! was based on, so a stale write (another tab, another device) is refused
//! and nothing is lost (T5).

use super::{load_session, stale_unless};
use crate::crm::records::instant;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use coach_core::FieldError;
use coach_core::coaching::{NOTE_MAX, validate_note_text};
use coach_core::time::to_db;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A note on a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Its id.
    pub id: String,
    /// The session.
    pub session_id: String,
    /// Who wrote it.
    pub author_id: String,
    /// Their name.
    pub author_name: String,
    /// Whether the others in the session may read it.
    pub shared: bool,
    /// The text.
    pub body: String,
    /// Version, for concurrent edits.
    pub version: i64,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}

const NOTE_SELECT: &str = "SELECT n.id, n.session_id, n.author_id, u.name AS author_name, n.shared, n.body, n.version, n.updated_at \
     FROM session_notes n JOIN users u ON u.org_id = n.org_id AND u.id = n.author_id WHERE n.org_id = $1";

fn note_from(row: &AnyRow) -> Result<Note> {
    Ok(Note {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        shared: row.try_get::<i64, _>("shared")? != 0,
        body: row.try_get("body")?,
        version: row.try_get("version")?,
        updated_at: instant(row, "updated_at")?.unwrap_or_default(),
    })
}

/// How many notes one person may keep on one session.
const NOTES_PER_PERSON: i64 = 50;

impl Store {
    /// The notes `reader` may read on a session: their own, and the ones the
    /// others shared. Nobody reads another person's private note.
    pub async fn notes(&self, org_id: &str, session_id: &str, reader: &str) -> Result<Vec<Note>> {
        let sql = format!(
            "{NOTE_SELECT} AND n.session_id = $2 AND (n.author_id = $3 OR n.shared = 1) ORDER BY n.created_at, n.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(session_id)
            .bind(reader)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(note_from).collect()
    }

    /// One note, if `reader` may read it (theirs, or shared).
    pub async fn note(&self, org_id: &str, note_id: &str, reader: &str) -> Result<Note> {
        let sql = format!("{NOTE_SELECT} AND n.id = $2 AND (n.author_id = $3 OR n.shared = 1)");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(note_id)
            .bind(reader)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        note_from(&row)
    }

    /// Starts a note. Notes can be written before, during and after the
    /// session.
    pub async fn add_note(
        &self,
        org_id: &str,
        session_id: &str,
        author_id: &str,
        body: &str,
        shared: bool,
    ) -> Result<Note> {
        let body = validate_note_text("body", body)?;
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "coaching_sessions", org_id, session_id)
            .await?;
        load_session(&mut *tx, org_id, session_id).await?;
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM session_notes WHERE org_id = $1 AND session_id = $2 AND author_id = $3",
        )
        .bind(org_id)
        .bind(session_id)
        .bind(author_id)
        .fetch_one(&mut *tx)
        .await?;
        if count >= NOTES_PER_PERSON {
            return Err(FieldError::new(
                "body",
                format!(
                    "at most {NOTES_PER_PERSON} notes per person on a session; add to one of yours"
                ),
            )
            .into());
        }
        let id = uuid::Uuid::now_v7().to_string();
        let at = to_db(Utc::now());
        sqlx::query(
            "INSERT INTO session_notes (org_id, id, session_id, author_id, shared, body, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        )
        .bind(org_id)
        .bind(&id)
        .bind(session_id)
        .bind(author_id)
        .bind(i64::from(shared))
        .bind(&body)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.note(org_id, &id, author_id).await
    }

    /// Saves a note. Only its author writes it; `if_version` is the version
    /// the edit was based on, and a stale one changes nothing (T5).
    pub async fn save_note(
        &self,
        org_id: &str,
        note_id: &str,
        author_id: &str,
        if_version: Option<i64>,
        body: Option<&str>,
        shared: Option<bool>,
    ) -> Result<Note> {
        let body = body.map(|b| validate_note_text("body", b)).transpose()?;
        if body.as_ref().is_some_and(|b| b.chars().count() > NOTE_MAX) {
            return Err(FieldError::new("body", "too long").into());
        }
        let mut tx = self.write().await?;
        self.lock_row(&mut tx, "session_notes", org_id, note_id)
            .await?;
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, author_id FROM session_notes WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(note_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version, author)) = row else {
            return Err(StoreError::NotFound);
        };
        if author != author_id {
            return Err(StoreError::NotFound);
        }
        stale_unless(if_version, version)?;
        sqlx::query(
            "UPDATE session_notes SET body = COALESCE($3, body), shared = COALESCE($4, shared), version = version + 1, updated_at = $5 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(note_id)
        .bind(body)
        .bind(shared.map(i64::from))
        .bind(to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.note(org_id, note_id, author_id).await
    }

    /// Deletes one of the author's notes.
    pub async fn delete_note(&self, org_id: &str, note_id: &str, author_id: &str) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM session_notes WHERE org_id = $1 AND id = $2 AND author_id = $3",
        )
        .bind(org_id)
        .bind(note_id)
        .bind(author_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
