//! Fresh, empty databases for tests, on the backend the test run asks for:
//! `COACH_TEST_DATABASE=sqlite` (the default) or `postgres`, which needs
//! `COACH_TEST_POSTGRES_URL` pointing at a server. A requested backend that is
//! missing fails the test loudly; it is never skipped.

#![allow(clippy::expect_used, clippy::panic)]

use crate::Store;
use sqlx::Connection as _;

/// A database made for one test; the files (SQLite) go with the guard.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to connect to.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Which backend this test run uses.
pub fn backend_name() -> String {
    std::env::var("COACH_TEST_DATABASE").unwrap_or_else(|_| "sqlite".to_owned())
}

/// Makes a new empty database (no schema yet).
pub async fn fresh_database() -> TestDatabase {
    match backend_name().as_str() {
        "sqlite" => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let url = format!("sqlite://{}", dir.path().join("coach.db").display());
            TestDatabase {
                url,
                _dir: Some(dir),
            }
        }
        "postgres" => {
            let admin = std::env::var("COACH_TEST_POSTGRES_URL").expect(
                "COACH_TEST_DATABASE=postgres needs COACH_TEST_POSTGRES_URL (scripts/test starts a server and sets it)",
            );
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL at COACH_TEST_POSTGRES_URL is not reachable: {e}")
                });
            let name = format!("coach_test_{}", uuid::Uuid::now_v7().simple());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("CREATE DATABASE");
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b)
                .expect("a URL with a database name");
            TestDatabase {
                url: format!("{base}/{name}"),
                _dir: None,
            }
        }
        other => panic!("COACH_TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
}

/// A migrated store on a fresh database.
pub async fn fresh_store() -> (Store, TestDatabase) {
    let db = fresh_database().await;
    let store = Store::connect(&db.url)
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrations apply");
    (store, db)
}
