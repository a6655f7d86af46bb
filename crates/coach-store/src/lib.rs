//! Coach's persistence: one store API over SQLite (the embedded default) and
//! PostgreSQL, with embedded forward-only migrations. Every tenant query takes
//! the organization id first and filters on it.

pub mod account_plans;
pub mod analytics;
pub mod call_plans;
pub mod coaching;
pub mod crm;
mod db;
pub mod email;
mod error;
pub mod opportunity_plans;
pub mod orgs;
pub mod rhythm;
pub mod roa;
mod secret;
pub mod series;
pub mod sessions;
pub mod stage_map;
pub mod territory;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use db::{Backend, Store};
pub use error::StoreError;
pub use orgs::Organization;
pub use secret::new_secret;
pub use sessions::SignedInSession;
pub use tokens::ApiToken;
pub use users::{NewUser, User, UserFilter, UserPatch};

/// The result type of every store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
