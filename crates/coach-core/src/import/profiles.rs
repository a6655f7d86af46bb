//! The column names of the exports Coach knows, per source and record kind.
//! A source is recognised by how many of its names a file's header carries.

use super::{Field, RecordKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Salesforce: Data Loader / API field names, and report exports.
    Salesforce,
    /// HubSpot exports: labels or internal property names.
    Hubspot,
    /// Any CSV, described by a mapping file.
    Csv,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 3] = [Source::Salesforce, Source::Hubspot, Source::Csv];

    /// The stable name used in the CLI and mapping files.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Salesforce => "salesforce",
            Source::Hubspot => "hubspot",
            Source::Csv => "csv",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Source::Salesforce => "Salesforce",
            Source::Hubspot => "HubSpot",
            Source::Csv => "CSV with a mapping",
        }
    }

    /// The column names this source uses for `field` in a file of `kind`,
    /// most specific first.
    pub fn names(self, kind: RecordKind, field: Field) -> &'static [&'static str] {
        match self {
            Source::Salesforce => salesforce(kind, field),
            Source::Hubspot => hubspot(kind, field),
            Source::Csv => generic(kind, field),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "salesforce" | "sfdc" => Ok(Source::Salesforce),
            "hubspot" => Ok(Source::Hubspot),
            "csv" | "generic" => Ok(Source::Csv),
            _ => Err(format!(
                "expected salesforce, hubspot or csv; got {}",
                crate::tabular::quote(s)
            )),
        }
    }
}

/// Salesforce: API names (Data Loader) first, then report labels.
fn salesforce(kind: RecordKind, field: Field) -> &'static [&'static str] {
    use Field::*;
    use RecordKind::{Accounts, Calls, Opportunities};
    match (kind, field) {
        (Accounts, SourceId) => &["Id", "Account ID", "Account Id"],
        (Accounts, Name) => &["Name", "Account Name"],
        (Accounts, Owner) => &[
            "Owner.Email",
            "OwnerId",
            "Account Owner Email",
            "Owner Email",
            "Account Owner ID",
            "Account Owner",
        ],
        (Accounts, Segment) => &["Segment__c", "Industry", "Segment"],
        (Accounts, Tier) => &["Tier__c", "Tier"],
        (Accounts, Potential) => &["Potential__c", "Potential"],
        (Accounts, KeyAccount) => &["Key_Account__c", "Key Account"],
        (RecordKind::Contacts, SourceId) => &["Id", "Contact ID", "Contact Id"],
        (RecordKind::Contacts, Name) => &["Name", "Full Name", "Contact Name"],
        (RecordKind::Contacts, FirstName) => &["FirstName", "First Name"],
        (RecordKind::Contacts, LastName) => &["LastName", "Last Name"],
        (RecordKind::Contacts, Owner) => &[
            "Owner.Email",
            "OwnerId",
            "Contact Owner Email",
            "Owner Email",
            "Contact Owner ID",
            "Contact Owner",
        ],
        (RecordKind::Contacts, Account) => &["AccountId", "Account ID"],
        (RecordKind::Contacts, Title) => &["Title"],
        (RecordKind::Contacts, Email) => &["Email"],
        (RecordKind::Contacts, BuyingRole) => &["Buying_Role__c", "Buying Role", "Role"],
        (RecordKind::Contacts, Stance) => &["Stance__c", "Stance"],
        (Opportunities, SourceId) => &["Id", "Opportunity ID", "Opportunity Id"],
        (Opportunities, Name) => &["Name", "Opportunity Name"],
        (Opportunities, Owner) => &[
            "Owner.Email",
            "OwnerId",
            "Opportunity Owner Email",
            "Owner Email",
            "Opportunity Owner ID",
            "Opportunity Owner",
        ],
        (Opportunities, Account) => &["AccountId", "Account ID"],
        (Opportunities, Amount) => &["Amount"],
        (Opportunities, Stage) => &["StageName", "Stage"],
        (Opportunities, CloseDate) => &["CloseDate", "Close Date"],
        (Opportunities, CreatedDate) => &["CreatedDate", "Created Date"],
        (Opportunities, NextStep) => &["NextStep", "Next Step"],
        (Opportunities, Importance) => &["Importance__c", "Importance"],
        (Opportunities, Complexity) => &["Complexity__c", "Complexity"],
        (Calls, SourceId) => &["Id", "Activity ID", "Activity Id"],
        (Calls, Subject) => &["Subject"],
        (Calls, Owner) => &[
            "Owner.Email",
            "OwnerId",
            "Assigned Email",
            "Assigned To Email",
            "Assigned ID",
            "Assigned",
        ],
        (Calls, OccurredAt) => &[
            "StartDateTime",
            "ActivityDateTime",
            "ActivityDate",
            "Start",
            "Date",
            "Due Date",
        ],
        (Calls, Account) => &["AccountId", "Account ID"],
        (Calls, Opportunity) => &["WhatId", "Opportunity ID"],
        (Calls, Field::Contacts) => &["WhoId", "Contact ID"],
        (Calls, Kind) => &["Type", "TaskSubtype", "Activity Type"],
        (Calls, Importance) => &["Importance__c", "Priority", "Importance"],
        (Calls, Outcome) => &["CallDisposition", "Outcome__c", "Call Result", "Outcome"],
        (_, Currency) => &[
            "CurrencyIsoCode",
            "Opportunity Currency",
            "Account Currency",
            "Currency",
        ],
        (_, CrmUpdated) => &["LastModifiedDate", "Last Modified Date"],
        _ => &[],
    }
}

/// HubSpot: export labels first, then internal property names.
fn hubspot(kind: RecordKind, field: Field) -> &'static [&'static str] {
    use Field::*;
    use RecordKind::{Accounts, Calls, Opportunities};
    match (kind, field) {
        (_, SourceId) => &["Record ID", "hs_object_id"],
        (_, Owner) => &[
            "Owner Email",
            "Deal owner email",
            "Company owner email",
            "Contact owner email",
            "HubSpot Owner ID",
            "hubspot_owner_id",
            "Deal owner",
            "Company owner",
            "Contact owner",
            "Activity assigned to",
        ],
        (_, CrmUpdated) => &["Last Modified Date", "hs_lastmodifieddate"],
        (Accounts, Name) => &["Company name", "Name", "name"],
        (Accounts, Segment) => &["Industry", "industry", "Segment"],
        (Accounts, Tier) => &[
            "Ideal customer profile tier",
            "hs_ideal_customer_profile",
            "Tier",
        ],
        (Accounts, Potential) => &["Potential"],
        (Accounts, KeyAccount) => &["Target Account", "hs_is_target_account"],
        (Accounts, Currency) => &["Currency"],
        (RecordKind::Contacts, FirstName) => &["First Name", "firstname"],
        (RecordKind::Contacts, LastName) => &["Last Name", "lastname"],
        (RecordKind::Contacts, Name) => &["Name", "Full Name"],
        (RecordKind::Contacts, Account) => &[
            "Associated Company IDs",
            "Associated Company ID",
            "Primary Associated Company ID",
            "associatedcompanyid",
        ],
        (RecordKind::Contacts, Title) => &["Job Title", "jobtitle"],
        (RecordKind::Contacts, Email) => &["Email", "email"],
        (RecordKind::Contacts, BuyingRole) => &["Buying Role", "hs_buying_role"],
        (RecordKind::Contacts, Stance) => &["Stance"],
        (Opportunities, Name) => &["Deal Name", "dealname"],
        (Opportunities, Account) => &[
            "Associated Company IDs",
            "Associated Company ID",
            "Primary Associated Company ID",
            "associatedcompanyid",
        ],
        (Opportunities, Amount) => &["Amount", "amount"],
        (Opportunities, Currency) => &["Currency", "deal_currency_code"],
        (Opportunities, Stage) => &["Deal Stage", "dealstage"],
        (Opportunities, CloseDate) => &["Close Date", "closedate"],
        (Opportunities, CreatedDate) => &["Create Date", "createdate"],
        (Opportunities, NextStep) => &["Next step", "hs_next_step"],
        (Opportunities, Importance) => &["Priority", "hs_priority"],
        (Opportunities, Complexity) => &["Complexity"],
        (Calls, Subject) => &[
            "Call Title",
            "Meeting name",
            "hs_call_title",
            "hs_meeting_title",
        ],
        (Calls, OccurredAt) => &["Activity date", "hs_timestamp"],
        (Calls, Account) => &["Associated Company IDs", "Associated Company ID"],
        (Calls, Opportunity) => &["Associated Deal IDs", "Associated Deal ID"],
        (Calls, Field::Contacts) => &["Associated Contact IDs", "Associated Contact ID"],
        (Calls, Kind) => &["Call and meeting type", "Activity type", "hs_activity_type"],
        (Calls, Importance) => &["Priority", "Importance"],
        (Calls, Outcome) => &["Call outcome", "Meeting outcome", "hs_call_disposition"],
        _ => &[],
    }
}

/// A CSV without a mapping file: the field names themselves.
fn generic(kind: RecordKind, field: Field) -> &'static [&'static str] {
    const NAMES: &[&str] = &[
        "source_id",
        "name",
        "first_name",
        "last_name",
        "owner",
        "account",
        "opportunity",
        "contacts",
        "segment",
        "tier",
        "potential",
        "currency",
        "key_account",
        "title",
        "email",
        "buying_role",
        "stance",
        "amount",
        "stage",
        "close_date",
        "created_date",
        "crm_updated",
        "next_step",
        "importance",
        "complexity",
        "subject",
        "occurred_at",
        "kind",
        "outcome",
    ];
    if kind.fields().contains(&field) {
        NAMES
            .iter()
            .position(|n| *n == field.as_str())
            .map_or(&[], |i| &NAMES[i..=i])
    } else {
        &[]
    }
}

/// The source whose column names a header carries most of (at least two),
/// for a file of `kind`.
pub fn detect_source(kind: RecordKind, headers: &[String]) -> Option<Source> {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let score = |source: Source| {
        kind.fields()
            .iter()
            .filter(|f| {
                source
                    .names(kind, **f)
                    .iter()
                    .any(|n| lower.contains(&n.to_lowercase()))
            })
            .count()
    };
    let mut best: Option<(usize, Source)> = None;
    for source in Source::ALL {
        let s = score(source);
        if s >= 2 && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, source));
        }
    }
    best.map(|(_, s)| s)
}
