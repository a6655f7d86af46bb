//! The seller's CRM records: accounts, contacts, opportunities with their
//! stage history, and calls (coaching-model R1, R6–R9, R20–R33), and how
//! they arrive from a CRM export.

pub mod export;
pub mod import;
pub(crate) mod records;
pub(crate) mod tables;
mod uploads;

pub use export::{ExportFormat, ExportRecord, ExportWriter, export_headers, export_row};
pub use import::{ImportError, ImportReport, ImportRequest, Progress};
pub use records::{Account, Call, Contact, Opportunity, RecordFilter, StageChange};
pub use uploads::Upload;
