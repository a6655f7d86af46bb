//! What a CRM export's columns mean, and one row read into a typed record.
//!
//! Three sources are known by their column names: Salesforce (Data Loader and
//! API field names, and report exports with their labels), HubSpot exports
//! (labels and internal property names), and any CSV described by a mapping
//! file (TOML: column → field, date format, decimal separator, time zone,
//! stage map). The importer in the store resolves owners and references and
//! writes; this module only reads, so it can be tested row by row.

mod mapping;
mod parse;
mod profiles;
mod salesforce;
#[cfg(test)]
mod tests;

pub use mapping::{Columns, Mapping, MappingError};
pub use parse::{
    ParsedAccount, ParsedCall, ParsedContact, ParsedOpportunity, ParsedRecord, RowContext,
    RowProblems, parse_instant, parse_row,
};
pub use profiles::{Source, detect_source};
pub use salesforce::normalize_salesforce_id;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of CRM record Coach holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Customers and prospects.
    Accounts,
    /// People at accounts.
    Contacts,
    /// Deals.
    Opportunities,
    /// Customer interactions.
    Calls,
}

impl RecordKind {
    /// Every kind, in the order they are best imported (references point back).
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Accounts,
        RecordKind::Contacts,
        RecordKind::Opportunities,
        RecordKind::Calls,
    ];

    /// The stable name used in the CLI, the API and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Accounts => "accounts",
            RecordKind::Contacts => "contacts",
            RecordKind::Opportunities => "opportunities",
            RecordKind::Calls => "calls",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Accounts => "Accounts",
            RecordKind::Contacts => "Contacts",
            RecordKind::Opportunities => "Opportunities",
            RecordKind::Calls => "Calls",
        }
    }

    /// The fields a file of this kind may fill, required ones first.
    pub fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            RecordKind::Accounts => &[
                SourceId, Name, Owner, Segment, Tier, Potential, Currency, KeyAccount, CrmUpdated,
            ],
            RecordKind::Contacts => &[
                SourceId, Name, Owner, FirstName, LastName, Account, Title, Email, BuyingRole,
                Stance, CrmUpdated,
            ],
            RecordKind::Opportunities => &[
                SourceId,
                Name,
                Owner,
                Stage,
                Account,
                Amount,
                Currency,
                CloseDate,
                CreatedDate,
                CrmUpdated,
                NextStep,
                Importance,
                Complexity,
            ],
            RecordKind::Calls => &[
                SourceId,
                Owner,
                OccurredAt,
                Subject,
                Kind,
                Account,
                Opportunity,
                Contacts,
                Importance,
                Outcome,
                CrmUpdated,
            ],
        }
    }

    /// Whether `field` must be mapped to a column for this kind. A contact's
    /// name may come from first and last name instead.
    pub fn requires(self, field: Field) -> bool {
        match field {
            Field::SourceId | Field::Owner => true,
            Field::Name => self != RecordKind::Calls,
            Field::Stage => self == RecordKind::Opportunities,
            Field::OccurredAt | Field::Kind => self == RecordKind::Calls,
            _ => false,
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_lowercase();
        RecordKind::ALL
            .into_iter()
            .find(|k| {
                k.as_str() == key
                    || k.as_str().trim_end_matches('s') == key
                    || (key == "deals" && *k == RecordKind::Opportunities)
                    || (key == "companies" && *k == RecordKind::Accounts)
            })
            .ok_or_else(|| {
                format!(
                    "expected accounts, contacts, opportunities or calls; got {}",
                    crate::tabular::quote(s)
                )
            })
    }
}

/// What a column can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The record's id in the CRM: how a re-import finds it.
    SourceId,
    /// The record's name (a contact's full name; a call's subject).
    Name,
    /// A contact's first name, when the file splits names.
    FirstName,
    /// A contact's last name.
    LastName,
    /// The owner: their email or their id in the CRM.
    Owner,
    /// The account's id in the CRM.
    Account,
    /// The opportunity's id in the CRM.
    Opportunity,
    /// The contacts' ids in the CRM, separated by `;` or `,`.
    Contacts,
    /// An account's segment (industry, customer type).
    Segment,
    /// An account's tier (A, B, C) from territory prioritization (R6).
    Tier,
    /// What an account could buy from us.
    Potential,
    /// The currency of amounts, ISO 4217.
    Currency,
    /// Whether an account is a key account (R7).
    KeyAccount,
    /// A contact's job title.
    Title,
    /// A contact's email.
    Email,
    /// A contact's buying role.
    BuyingRole,
    /// A contact's stance.
    Stance,
    /// An opportunity's amount.
    Amount,
    /// An opportunity's stage, as the CRM names it.
    Stage,
    /// When an opportunity is expected to close.
    CloseDate,
    /// When the CRM created the opportunity.
    CreatedDate,
    /// When the CRM last changed the record.
    CrmUpdated,
    /// An opportunity's next step.
    NextStep,
    /// How important a deal or call is.
    Importance,
    /// How complex a deal is.
    Complexity,
    /// A call's subject.
    Subject,
    /// When a call took place.
    OccurredAt,
    /// A call's kind.
    Kind,
    /// What a call achieved.
    Outcome,
}

impl Field {
    /// The name used in mapping files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::SourceId => "source_id",
            Field::Name => "name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Owner => "owner",
            Field::Account => "account",
            Field::Opportunity => "opportunity",
            Field::Contacts => "contacts",
            Field::Segment => "segment",
            Field::Tier => "tier",
            Field::Potential => "potential",
            Field::Currency => "currency",
            Field::KeyAccount => "key_account",
            Field::Title => "title",
            Field::Email => "email",
            Field::BuyingRole => "buying_role",
            Field::Stance => "stance",
            Field::Amount => "amount",
            Field::Stage => "stage",
            Field::CloseDate => "close_date",
            Field::CreatedDate => "created_date",
            Field::CrmUpdated => "crm_updated",
            Field::NextStep => "next_step",
            Field::Importance => "importance",
            Field::Complexity => "complexity",
            Field::Subject => "subject",
            Field::OccurredAt => "occurred_at",
            Field::Kind => "kind",
            Field::Outcome => "outcome",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Field::SourceId => "CRM id",
            Field::Name => "Name",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::Owner => "Owner (email or CRM id)",
            Field::Account => "Account (CRM id)",
            Field::Opportunity => "Opportunity (CRM id)",
            Field::Contacts => "Contacts (CRM ids)",
            Field::Segment => "Segment",
            Field::Tier => "Tier",
            Field::Potential => "Potential",
            Field::Currency => "Currency",
            Field::KeyAccount => "Key account",
            Field::Title => "Title",
            Field::Email => "Email",
            Field::BuyingRole => "Buying role",
            Field::Stance => "Stance",
            Field::Amount => "Amount",
            Field::Stage => "Stage",
            Field::CloseDate => "Close date",
            Field::CreatedDate => "Created date",
            Field::CrmUpdated => "Last changed in the CRM",
            Field::NextStep => "Next step",
            Field::Importance => "Importance",
            Field::Complexity => "Complexity",
            Field::Subject => "Subject",
            Field::OccurredAt => "Date and time",
            Field::Kind => "Kind",
            Field::Outcome => "Outcome",
        }
    }

    /// Every field.
    pub fn all() -> impl Iterator<Item = Field> {
        RecordKind::ALL
            .into_iter()
            .flat_map(|k| k.fields().iter().copied())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
    }
}

impl FromStr for Field {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_lowercase();
        Field::all()
            .find(|f| f.as_str() == key)
            .ok_or_else(|| format!("unknown field {}", crate::tabular::quote(s)))
    }
}
