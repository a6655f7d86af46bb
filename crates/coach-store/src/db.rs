//! The connection pool, backend selection by URL, SQLite pragmas, write
//! transactions and migrations.

use crate::{Result, StoreError};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Transaction};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default, one file.
    Sqlite,
    /// A PostgreSQL server, for several processes behind a load balancer.
    Postgres,
}

/// The store: one API over both databases.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

/// SQLite settings applied to every connection: WAL, no committed write lost
/// on power loss, foreign keys, a wait for the write lock, and statement
/// journals in memory (a large import inside one transaction would otherwise
/// write every changed page to a temporary file as well).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY;";

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "the database URL must start with sqlite:// or postgres://".into(),
            )));
        };
        let max = if backend == Backend::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::raw_sql(SQLITE_PRAGMAS).execute(conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let store = Store { pool, backend };
        store.optimize().await?;
        Ok(store)
    }

    /// Refreshes SQLite's table statistics where they are missing or the
    /// table has grown or shrunk tenfold since (`PRAGMA optimize`, with a
    /// bounded sample), so its query planner picks the right index: without
    /// them it walked every session of a year to find one manager's week.
    /// PostgreSQL keeps its own (autovacuum); nothing to do there.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.pool.acquire().await?;
            sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The database behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Brings the schema up to date; returns how many migrations were applied.
    pub async fn migrate(&self) -> Result<usize> {
        let migrator = self.migrator();
        let before = self.applied_migrations().await.unwrap_or_default().len();
        migrator.run(&self.pool).await?;
        self.seed_missing_models().await?;
        let after = self.applied_migrations().await?.len();
        Ok(after.saturating_sub(before))
    }

    /// Brings the schema up to `version` only (upgrade tests start from every
    /// earlier version).
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        self.migrator().run_to(version, &self.pool).await?;
        Ok(())
    }

    /// A plain description of the schema (tables, columns, indexes), to
    /// compare an upgraded database with a fresh one.
    pub async fn schema_fingerprint(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_as(
                    "SELECT m.type || ' ' || m.name || ' ' || COALESCE(p.name || ' ' || p.type || ' ' || p.\"notnull\" || ' ' || p.pk, m.sql, '') \
                     FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p ON m.type = 'table' \
                     WHERE m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' ORDER BY 1",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT 'column ' || table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') \
                     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' \
                     UNION ALL SELECT 'index ' || tablename || ' ' || indexdef FROM pg_indexes \
                     WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations' ORDER BY 1",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Runs raw SQL, for tests that build a database of an earlier schema.
    #[cfg(feature = "testing")]
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The versions of the migrations applied so far, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The versions of the migrations embedded in this binary.
    pub fn known_migrations(&self) -> Vec<i64> {
        self.migrator().iter().map(|m| m.version).collect()
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Checks the database's own consistency: SQLite's integrity and
    /// foreign-key checks; on PostgreSQL, that no CRM id is held twice in an
    /// organization. Returns "ok" or what is wrong.
    pub async fn check_integrity(&self) -> Result<String> {
        let mut problems: Vec<String> = Vec::new();
        if self.backend == Backend::Sqlite {
            let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                .fetch_all(&self.pool)
                .await?;
            problems.extend(rows.into_iter().map(|r| r.0).filter(|r| r != "ok"));
            let fk = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&self.pool)
                .await?;
            if !fk.is_empty() {
                problems.push(format!("{} rows break a foreign key", fk.len()));
            }
        }
        for table in ["accounts", "contacts", "opportunities", "calls"] {
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT org_id, source_id FROM {table} WHERE source_id IS NOT NULL \
                 GROUP BY org_id, source_id HAVING COUNT(*) > 1) d"
            );
            let (dups,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(&self.pool)
                .await?;
            if dups > 0 {
                problems.push(format!("{dups} CRM ids are held twice in {table}"));
            }
        }
        Ok(if problems.is_empty() {
            "ok".to_owned()
        } else {
            problems.join("; ")
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock
    /// up front (`BEGIN IMMEDIATE`), so a read-then-write cannot fail with
    /// "database is locked" half-way.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Locks one row of `table` for the rest of the transaction, so that a
    /// read-check-write (a version compared, a limit counted) cannot race
    /// another writer. SQLite's write transactions already run one at a time
    /// (`BEGIN IMMEDIATE`); PostgreSQL takes the row lock.
    pub(crate) async fn lock_row(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &'static str,
        org_id: &str,
        id: &str,
    ) -> Result<()> {
        if self.backend == Backend::Postgres {
            let sql = format!("SELECT 1 FROM {table} WHERE org_id = $1 AND id = $2 FOR UPDATE");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org_id)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Multi-row INSERTs of about 600 values each: SQLite reads very long
/// statements slowly (bench/plan.sh: 30,000 values a statement wrote 4,500
/// rows a second, 600 wrote 32,000), and PostgreSQL takes at most 65,535.
pub(crate) struct Rows {
    head: &'static str,
    width: usize,
    values: Vec<Cell>,
}

/// One value of a row.
pub(crate) enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// No value.
    Null,
}

impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_owned())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}

impl From<u32> for Cell {
    fn from(v: u32) -> Cell {
        Cell::Int(i64::from(v))
    }
}

impl Rows {
    pub(crate) fn new(head: &'static str, width: usize) -> Rows {
        Rows {
            head,
            width,
            values: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.width);
        self.values.extend(row);
    }

    pub(crate) async fn write(self, tx: &mut Transaction<'static, Any>) -> Result<()> {
        let per_chunk = (600 / self.width).max(1);
        for chunk in self.values.chunks(per_chunk * self.width) {
            let mut sql = String::from(self.head);
            let mut n = 0;
            for (r, _) in chunk.chunks(self.width).enumerate() {
                sql.push_str(if r == 0 { " VALUES (" } else { ", (" });
                for c in 0..self.width {
                    n += 1;
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in chunk {
                q = match v {
                    Cell::Text(t) => q.bind(t.clone()),
                    Cell::Int(i) => q.bind(*i),
                    Cell::Null => q.bind(None::<String>),
                };
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn every_sqlite_connection_has_wal_full_sync_foreign_keys_and_a_busy_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("c.db").display()))
            .await
            .unwrap();
        let mut conns = Vec::new();
        for _ in 0..3 {
            conns.push(store.pool.acquire().await.unwrap());
        }
        for conn in &mut conns {
            let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!((mode.as_str(), sync, fk, busy), ("wal", 2, 1, 10_000));
        }
    }

    #[tokio::test]
    async fn a_url_of_another_database_is_refused_with_a_clear_message() {
        let err = Store::connect("mysql://localhost/coach")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("sqlite:// or postgres://"), "{err}");
    }
}
