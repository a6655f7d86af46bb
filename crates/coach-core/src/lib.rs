//! Coach's domain: the people of a sales organization, their roles and
//! reporting lines, and the rules of the coaching model (`R1`…`R45` in
//! `docs/coaching-model.md`). Pure code: no I/O, no clock, no randomness.

pub mod account_plans;
pub mod analytics;
pub mod call_plans;
pub mod coaching;
pub mod crm;
pub mod email;
pub mod ical;
pub mod import;
pub mod opportunity_plans;
pub mod org_chart;
pub mod people;
pub mod records;
pub mod rhythm;
pub mod roa;
pub mod stats;
pub mod tabular;
pub mod territory;
pub mod time;
pub mod validate;

pub use org_chart::{OrgChart, ReportingError};
pub use people::{Role, Roles};
pub use validate::{
    FieldError, normalize_email, validate_name, validate_password, validate_time_zone,
};
