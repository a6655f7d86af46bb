//! The store's one error type. A database failure is never turned into "not
//! found"; a client mistake (duplicate email, loop in reporting lines, stale
//! version) has its own variant so the web layer can answer 4xx.

use coach_core::FieldError;

/// What can go wrong in a store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist in this organization.
    #[error("not found")]
    NotFound,
    /// The change breaks a rule of the data (named field, readable message).
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// The record was changed by someone else since it was read.
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the underlying database error is a unique-key violation.
    pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
        matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
    }
}
